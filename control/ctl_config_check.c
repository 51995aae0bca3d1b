/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_config_check.c: the rules between values (ctl_config_validate).  The
 * walker has already checked each value alone; here: names unique, every
 * reference resolves, addresses agree with the ports they are on, lcores
 * agree between eal and workers, and so on.  Pure reads of the config.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl_config_priv.h"

struct check {
	const struct ctl_config *cfg;
	struct ctl_config_errors *errs;
	const char *file;
	int rc;
};

static void cerr(struct check *c, const void *field, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void cerr(struct check *c, const void *field, const char *path, const char *fmt, ...)
{
	char msg[CTL_CONFIG_ERROR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctl_cfg_error(c->errs, c->file, ctl_cfg_mark_of(c->cfg, field), path, "%s", msg);
	c->rc = -EINVAL;
}

static const char *ip_text(const struct ctl_config_ip *ip, bool with_length, char *buf,
			   size_t len)
{
	return ctl_cfg_ip_text(ip, with_length, buf, len);
}

/* The main lcore: eal.main_lcore, else the lowest of eal.lcores, else -1. */
static int main_lcore(const struct ctl_config *cfg)
{
	if (cfg->eal.main_lcore >= 0)
		return cfg->eal.main_lcore;
	for (unsigned int i = 0; i < CTL_CONFIG_LCORES; i++)
		if (ctl_config_lcore_isset(&cfg->eal.lcores, i))
			return (int)i;
	return -1;
}

static void check_eal_workers(struct check *c)
{
	const struct ctl_config *cfg = c->cfg;
	const struct ctl_config_workers *wk = &cfg->workers;
	unsigned int n_eal = ctl_config_lcore_count(&cfg->eal.lcores);
	unsigned int n_workers = ctl_config_lcore_count(&wk->lcores);
	int main_id = main_lcore(cfg);
	char path[64];

	if (n_eal > 0 && cfg->eal.main_lcore >= 0 &&
	    !ctl_config_lcore_isset(&cfg->eal.lcores, (unsigned int)cfg->eal.main_lcore))
		cerr(c, &cfg->eal.main_lcore, "eal.main_lcore",
		     "expected one of eal.lcores, got '%d'", cfg->eal.main_lcore);
	for (unsigned int i = 0; i < cfg->eal.n_vdevs; i++)
		for (unsigned int j = 0; j < i; j++)
			if (strcmp(cfg->eal.vdevs[i].text, cfg->eal.vdevs[j].text) == 0) {
				snprintf(path, sizeof(path), "eal.vdevs[%u]", i);
				cerr(c, &cfg->eal.vdevs[i], path,
				     "expected each device once, got '%s' again",
				     cfg->eal.vdevs[i].text);
			}

	if (wk->count < 1 || wk->count > CTL_CONFIG_WORKERS_MAX)
		cerr(c, &wk->count, "workers.count", "expected an integer from 1 to %u, got '%u'",
		     CTL_CONFIG_WORKERS_MAX, wk->count);
	if (wk->idle == CTL_IDLE_ADAPTIVE && wk->sleep_min_us > wk->sleep_max_us)
		cerr(c, &wk->sleep_min_us, "workers.sleep_min_us",
		     "expected at most sleep_max_us (%u), got '%u'", wk->sleep_max_us,
		     wk->sleep_min_us);
	if (n_workers > 0) {
		for (unsigned int i = 0; i < CTL_CONFIG_LCORES; i++) {
			if (!ctl_config_lcore_isset(&wk->lcores, i))
				continue;
			if (n_eal > 0 && !ctl_config_lcore_isset(&cfg->eal.lcores, i))
				cerr(c, &wk->lcores, "workers.lcores",
				     "expected lcores within eal.lcores, got '%u'", i);
			else if ((int)i == main_id)
				cerr(c, &wk->lcores, "workers.lcores",
				     "expected lcores other than the main lcore, got '%u'", i);
		}
	} else if (n_eal > 0 && wk->count > n_eal - 1) {
		cerr(c, &wk->count, "workers.count",
		     "expected at most %u (eal.lcores less the main lcore), got '%u'", n_eal - 1,
		     wk->count);
	}
}

static void check_crypto(struct check *c)
{
	const struct ctl_config_crypto *cr = &c->cfg->crypto;
	char path[64];

	if (cr->engine == CTL_ENGINE_CRYPTODEV && cr->n_devices == 0)
		cerr(c, &cr->engine, "crypto.engine",
		     "expected crypto.devices to name a device for engine cryptodev, got '%s'",
		     "cryptodev");
	for (unsigned int i = 0; i < cr->n_devices; i++)
		for (unsigned int j = 0; j < i; j++)
			if (strcmp(cr->devices[i].name, cr->devices[j].name) == 0) {
				snprintf(path, sizeof(path), "crypto.devices[%u]", i);
				cerr(c, &cr->devices[i], path,
				     "expected each device once, got '%s' again",
				     cr->devices[i].name);
			}
}

static void check_socket(struct check *c)
{
	const struct ctl_config_socket *s = &c->cfg->socket;

	if (s->path[0] == '\0')
		cerr(c, s->path, "socket.path", "expected a socket path, got ''");
	if (s->group[0] != '\0' && (s->mode & 0060) != 0060)
		cerr(c, &s->mode, "socket.mode",
		     "expected a mode that lets group '%s' read and write, like 0660, got '0%03o'",
		     s->group, s->mode);
}

/* Is ip on one of port's connected prefixes (or an IPv6 link-local)? */
static bool on_port(const struct ctl_config_port *p, const struct ctl_config_ip *ip)
{
	if (ctl_cfg_ip_link_local(ip))
		return true;
	for (unsigned int i = 0; i < p->n_addresses; i++)
		if (ctl_cfg_prefix_contains(&p->addresses[i], ip))
			return true;
	return false;
}

/* Port i against an earlier port j: names, devices, exception interfaces. */
static void check_port_pair(struct check *c, unsigned int i, unsigned int j)
{
	const struct ctl_config_port *p = &c->cfg->ports[i], *q = &c->cfg->ports[j];
	char path[64];

	if (strcmp(p->name, q->name) == 0) {
		snprintf(path, sizeof(path), "ports[%u].name", i);
		cerr(c, p->name, path, "expected a name no other port has, got '%s'", p->name);
	}
	if (strcmp(p->devname, q->devname) == 0 || strcmp(p->devname, q->exception_devname) == 0) {
		snprintf(path, sizeof(path), "ports[%u].device", i);
		cerr(c, p->device, path, "expected a device no other port uses, got '%s'",
		     p->device);
	}
	if (p->exception[0] != '\0' && strcmp(p->exception, q->exception) == 0) {
		snprintf(path, sizeof(path), "ports[%u].exception", i);
		cerr(c, p->exception, path, "expected an interface no other port uses, got '%s'",
		     p->exception);
	}
}

/* Address k of port i against every address before it, this port's too. */
static void check_port_address(struct check *c, unsigned int i, unsigned int k)
{
	const struct ctl_config *cfg = c->cfg;
	const struct ctl_config_ip *ip = &cfg->ports[i].addresses[k];
	char path[64], a[64];

	for (unsigned int j = 0; j <= i; j++) {
		const struct ctl_config_port *q = &cfg->ports[j];
		unsigned int end = j == i ? k : q->n_addresses;

		for (unsigned int l = 0; l < end; l++) {
			if (!ctl_cfg_ip_equal(ip, &q->addresses[l]))
				continue;
			snprintf(path, sizeof(path), "ports[%u].addresses[%u]", i, k);
			cerr(c, ip, path, "expected an address not already on port '%s', got '%s'",
			     q->name, ip_text(ip, true, a, sizeof(a)));
		}
	}
}

static void check_ports(struct check *c)
{
	const struct ctl_config *cfg = c->cfg;
	const unsigned int both = (1u << CTL_ROLE_PROTECTED) | (1u << CTL_ROLE_UNPROTECTED);
	unsigned int roles = 0;
	char path[64];

	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct ctl_config_port *p = &cfg->ports[i];
		size_t dn = strlen(p->devname);
		bool v6 = false;

		roles |= 1u << p->role;
		for (unsigned int j = 0; j < i; j++)
			check_port_pair(c, i, j);
		for (unsigned int v = 0; v < cfg->eal.n_vdevs; v++) {
			const char *t = cfg->eal.vdevs[v].text;
			if (strncmp(t, p->devname, dn) != 0 || (t[dn] != '\0' && t[dn] != ','))
				continue;
			snprintf(path, sizeof(path), "ports[%u].device", i);
			cerr(c, p->device, path,
			     "expected a device not also in eal.vdevs, got '%s'", p->device);
		}
		if (p->bus == CTL_BUS_PCI && cfg->eal.no_pci) {
			snprintf(path, sizeof(path), "ports[%u].device", i);
			cerr(c, p->device, path,
			     "expected a virtual device with eal.no_pci, got '%s'", p->device);
		}
		if (p->exception[0] != '\0' && p->role != CTL_ROLE_UNPROTECTED) {
			snprintf(path, sizeof(path), "ports[%u].exception", i);
			cerr(c, p->exception, path,
			     "expected only on an unprotected port, got '%s'", p->exception);
		}
		for (unsigned int k = 0; k < p->n_addresses; k++) {
			v6 |= p->addresses[k].family == AF_INET6;
			check_port_address(c, i, k);
		}
		if (v6 && p->mtu < 1280) {
			snprintf(path, sizeof(path), "ports[%u].mtu", i);
			cerr(c, &p->mtu, path,
			     "expected at least 1280 on a port with IPv6 addresses, got '%u'",
			     p->mtu);
		}
	}
	if (cfg->n_ports > 0 && roles != both)
		cerr(c, &cfg->ports, "ports",
		     "expected at least one protected and one unprotected port, got only '%s'",
		     roles & (1u << CTL_ROLE_PROTECTED) ? "protected" : "unprotected");
}

static void check_routes(struct check *c)
{
	const struct ctl_config *cfg = c->cfg;
	char path[96], a[64];

	for (unsigned int i = 0; i < cfg->n_routes; i++) {
		const struct ctl_config_route *r = &cfg->routes[i];
		int port = ctl_config_port_index(cfg, r->port_name);

		if (port < 0) {
			snprintf(path, sizeof(path), "routes[%u].port", i);
			cerr(c, r->port_name, path, "expected the name of a port, got '%s'",
			     r->port_name);
		}
		if (r->has_via && r->via.family != r->prefix.family) {
			snprintf(path, sizeof(path), "routes[%u].via", i);
			cerr(c, &r->via, path, "expected an %s next hop, got '%s'",
			     r->prefix.family == AF_INET ? "IPv4" : "IPv6",
			     ip_text(&r->via, false, a, sizeof(a)));
		} else if (r->has_via && port >= 0 && !on_port(&cfg->ports[port], &r->via)) {
			snprintf(path, sizeof(path), "routes[%u].via", i);
			cerr(c, &r->via, path,
			     "expected a next hop on a prefix of port '%s', got '%s'", r->port_name,
			     ip_text(&r->via, false, a, sizeof(a)));
		}
		for (unsigned int j = 0; j < i; j++) {
			const struct ctl_config_route *q = &cfg->routes[j];
			if (q->prefix.length != r->prefix.length ||
			    !ctl_cfg_ip_equal(&q->prefix, &r->prefix))
				continue;
			snprintf(path, sizeof(path), "routes[%u].prefix", i);
			cerr(c, &r->prefix, path,
			     "expected a prefix not already routed (routes[%u]), got '%s'", j,
			     ip_text(&r->prefix, true, a, sizeof(a)));
			break;
		}
	}
}

static void check_neighbours(struct check *c)
{
	const struct ctl_config *cfg = c->cfg;
	char path[96], a[64];

	for (unsigned int i = 0; i < cfg->n_neighbours; i++) {
		const struct ctl_config_neighbour *n = &cfg->neighbours[i];
		int port = ctl_config_port_index(cfg, n->port_name);

		if (port < 0) {
			snprintf(path, sizeof(path), "neighbours[%u].port", i);
			cerr(c, n->port_name, path, "expected the name of a port, got '%s'",
			     n->port_name);
		} else if (!on_port(&cfg->ports[port], &n->address)) {
			snprintf(path, sizeof(path), "neighbours[%u].address", i);
			cerr(c, &n->address, path,
			     "expected an address on a prefix of port '%s', got '%s'", n->port_name,
			     ip_text(&n->address, false, a, sizeof(a)));
		}
		for (unsigned int j = 0; j < i; j++) {
			const struct ctl_config_neighbour *q = &cfg->neighbours[j];
			if (strcmp(q->port_name, n->port_name) != 0 ||
			    !ctl_cfg_ip_equal(&q->address, &n->address))
				continue;
			snprintf(path, sizeof(path), "neighbours[%u].address", i);
			cerr(c, &n->address, path,
			     "expected one entry per address and port (neighbours[%u]), got '%s'",
			     j, ip_text(&n->address, false, a, sizeof(a)));
			break;
		}
	}
}

static void check_cluster(struct check *c)
{
	const struct ctl_config_cluster *cl = &c->cfg->cluster;
	char path[96], a[64];

	if (!cl->enabled)
		return;
	for (unsigned int i = 0; i < cl->n_peers; i++) {
		const struct ctl_config_peer *p = &cl->peers[i];
		if (p->id == cl->node_id) {
			snprintf(path, sizeof(path), "cluster.peers[%u].id", i);
			cerr(c, &p->id, path, "expected an id other than node_id, got '%u'", p->id);
		}
		for (unsigned int j = 0; j < i; j++) {
			if (cl->peers[j].id == p->id) {
				snprintf(path, sizeof(path), "cluster.peers[%u].id", i);
				cerr(c, &p->id, path, "expected an id no other peer has, got '%u'",
				     p->id);
			}
			if (ctl_cfg_ip_equal(&cl->peers[j].address, &p->address) &&
			    cl->peers[j].port == p->port) {
				snprintf(path, sizeof(path), "cluster.peers[%u].address", i);
				cerr(c, &p->address, path,
				     "expected an address and port no other peer has, got '%s'",
				     ip_text(&p->address, false, a, sizeof(a)));
			}
		}
	}
}

/* CTL_CONFIG_CHECK_HOST: what only the machine can tell. */
static void check_host(struct check *c)
{
	const struct ctl_config *cfg = c->cfg;
	const struct {
		const char *key;
		const struct ctl_config_file *v;
		unsigned int n;
	} lists[] = {
		{ "sa", cfg->sa_files, cfg->n_sa_files },
		{ "policy", cfg->policy_files, cfg->n_policy_files },
	};
	char path[64];

	for (size_t l = 0; l < 2; l++) {
		for (unsigned int i = 0; i < lists[l].n; i++) {
			const char *f = lists[l].v[i].path;
			if (access(f, R_OK) == 0)
				continue;
			snprintf(path, sizeof(path), "%s[%u]", lists[l].key, i);
			cerr(c, f, path, "expected a readable file, got '%s' (%s)", f,
			     strerror(errno));
		}
	}
	if (cfg->socket.group[0] != '\0') {
		const char *g = cfg->socket.group;
		bool numeric = strspn(g, "0123456789") == strlen(g);
		char buf[4096];
		struct group gr, *res = NULL;

		if (!numeric && (getgrnam_r(g, &gr, buf, sizeof(buf), &res) != 0 || res == NULL))
			cerr(c, g, "socket.group", "expected a group of this host, got '%s'", g);
	}
}

int ctl_config_validate(const struct ctl_config *cfg, unsigned int flags,
			struct ctl_config_errors *errs)
{
	struct check c = { cfg, errs, cfg->source[0] ? cfg->source : "(config)", 0 };

	check_eal_workers(&c);
	check_crypto(&c);
	check_socket(&c);
	check_ports(&c);
	check_routes(&c);
	check_neighbours(&c);
	check_cluster(&c);
	if (flags & CTL_CONFIG_CHECK_HOST)
		check_host(&c);
	return c.rc;
}
