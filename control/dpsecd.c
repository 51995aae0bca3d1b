/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dpsecd: the gateway program.
 *
 *   dpsecd [-c config] [-S socket] [-n] [-- EAL arguments...]
 *
 * Start-up: load and check the configuration (ctl_config), start DPDK's
 * EAL with the arguments it describes (plus any after "--"), create the
 * dataplane context, its routing state and policy lookup, configure the
 * ports (and their exception TAPs), routes and neighbours, start the
 * control thread (ctl.h), load the configured policy and SA files and
 * publish them, and only then start the ports and one worker per
 * configured worker lcore (a pcap port delivers its file at once).  The
 * control thread runs on this, the main lcore, until SIGINT or SIGTERM (or,
 * with exit_when_idle_ms, until no port received anything for that long).
 * Shut-down reverses it: the workers stop, the ports close (pcap files are
 * written out), the control module deletes every SA (keys wiped) and
 * removes the socket, the dataplane is destroyed and EAL's runtime
 * directory removed.
 *
 * Exit codes: 0 clean shut-down (or -n: configuration good), 1 bad
 * configuration or usage, 2 start-up failed.
 */
#include <errno.h>
#include <getopt.h>
#include <ev.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_config.h"
#include "ctl_publish.h"
#include "dpsec/dp.h"
#include "dpsec/dp_eal.h"
#include "dpsec/pfkey.h"
#include "dpsecd_load.h"
#include "dpsecd_worker.h"

struct dpsecd {
	struct ctl_config *cfg;
	struct dp_ctx *dp;
	struct dp_net *net;
	struct dp_spd *spd;
	struct dp_gw *gw;
	struct ctl *ctl;
	struct ctl_publish *pub;
	struct ev_loop *loop;
	ev_signal sigint_w, sigterm_w; /* data = this */
	ev_io net_io_w;                /* dp_net_fd: neighbour requests */
	ev_timer net_w;                /* dp_net_run: ageing, every 100 ms */
	ev_timer idle_w;               /* exit_when_idle_ms */
	struct dpsecd_worker workers[DP_WORKERS_MAX];
	int lcores[DP_WORKERS_MAX];
	unsigned int nworkers_started;
	int stop;
	bool eal_up;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: dpsecd [-c config] [-S socket] [-n] [-- EAL arguments...]\n"
		     "  -c, --config FILE    configuration file (default %s)\n"
		     "  -S, --socket PATH    PF_KEY socket path (overrides socket.path)\n"
		     "  -n, --check-config   check the configuration and the SA and policy\n"
		     "                       files it names, then exit (0 = good)\n"
		     "  -h, --help           this text\n",
		CTL_CONFIG_DEFAULT_PATH);
}

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	syslog(LOG_NOTICE, "shutting down");
	ev_break(loop, EVBREAK_ALL);
}

static int load_config(const char *path, bool explicit_path, const char *sock,
	struct ctl_config **out)
{
	struct ctl_config_errors errs;
	int rc;

	ctl_config_errors_init(&errs);
	if (!explicit_path && access(path, F_OK) != 0) {
		/* No file at the default place: every default. */
		*out = ctl_config_new();
		rc = *out == NULL ? -ENOMEM : 0;
	} else {
		rc = ctl_config_load(path, CTL_CONFIG_CHECK_HOST, out, &errs);
	}
	if (rc == 0 && sock != NULL)
		rc = ctl_config_set_socket_path(*out, sock);
	if (rc == 0)
		rc = ctl_config_validate(*out, CTL_CONFIG_CHECK_HOST, &errs);
	if (rc != 0) {
		for (unsigned int i = 0; i < errs.count; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		if (errs.dropped > 0)
			fprintf(stderr, "(%u more problems)\n", errs.dropped);
		if (errs.count == 0)
			fprintf(stderr, "dpsecd: %s: %s\n", path, strerror(-rc));
		ctl_config_free(*out);
		*out = NULL;
	}
	return rc;
}

/* Group name or number -> gid; (gid_t)-1 for "". */
static int socket_gid(const char *group, gid_t *gid)
{
	struct group *g;
	char *end;
	unsigned long n;

	*gid = (gid_t)-1;
	if (group[0] == '\0')
		return 0;
	n = strtoul(group, &end, 10);
	if (*end == '\0') {
		*gid = (gid_t)n;
		return 0;
	}
	g = getgrnam(group);
	if (g == NULL)
		return -ENOENT;
	*gid = g->gr_gid;
	return 0;
}

static int start_workers(struct dpsecd *d)
{
	const struct ctl_config_workers *wc = &d->cfg->workers;
	int lcore = -1;

	for (unsigned int i = 0; i < wc->count; i++) {
		struct dpsecd_worker *w = &d->workers[i];
		int err;

		do
			lcore = dp_eal_next_worker(lcore);
		while (lcore >= 0 && ctl_config_lcore_count(&wc->lcores) > 0 &&
		       !ctl_config_lcore_isset(&wc->lcores, (unsigned int)lcore));
		if (lcore < 0) {
			fprintf(stderr, "dpsecd: %u workers need %u worker lcores, EAL has %u\n",
				wc->count, wc->count, i);
			return -ENODEV;
		}
		w->gw = d->gw;
		w->id = i;
		w->stop = &d->stop;
		err = dp_eal_launch((unsigned int)lcore, dpsecd_worker_main, w);
		if (err != 0) {
			fprintf(stderr, "dpsecd: lcore %d: %s\n", lcore, strerror(-err));
			return err;
		}
		d->lcores[i] = lcore;
		d->nworkers_started++;
	}
	return 0;
}

static void stop_workers(struct dpsecd *d)
{
	__atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < d->nworkers_started; i++)
		dp_eal_wait((unsigned int)d->lcores[i]);
	d->nworkers_started = 0;
}

static void net_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dpsecd *d = w->data;

	(void)loop;
	(void)revents;
	(void)dp_net_run(d->net);
}

static void net_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct dpsecd *d = w->data;

	(void)loop;
	(void)revents;
	(void)dp_net_run(d->net);
}

/* pcap replay: stop once no port received anything for a while. */
static void idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dpsecd *d = w->data;

	(void)revents;
	if (dp_gw_idle_ms(d->gw) >= d->cfg->exit_when_idle_ms) {
		syslog(LOG_NOTICE, "no traffic for %u ms: exiting", d->cfg->exit_when_idle_ms);
		ev_break(loop, EVBREAK_ALL);
	}
}

static void prefix_of(const struct ctl_config_ip *ip, bool mask, struct dp_prefix *p)
{
	unsigned int len = ip->family == AF_INET ? 4 : 16;

	memset(p, 0, sizeof(*p));
	p->addr.family = ip->family;
	p->length = ip->length;
	memcpy(p->addr.bytes, ip->addr, len);
	if (!mask)
		return;
	for (unsigned int i = 0; i < len; i++) {
		unsigned int bits = ip->length > i * 8 ? ip->length - i * 8 : 0;

		if (bits < 8)
			p->addr.bytes[i] &= (uint8_t)(0xff00u >> bits);
	}
}

static void addr_of(const struct ctl_config_ip *ip, struct dp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = ip->family;
	memcpy(a->bytes, ip->addr, ip->family == AF_INET ? 4 : 16);
}

/* Ports, the routes to their own prefixes, configured routes and
 * neighbours. */
static int setup_ports(struct dpsecd *d)
{
	const struct ctl_config *cfg = d->cfg;

	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct ctl_config_port *cp = &cfg->ports[i];
		struct dp_prefix addrs[CTL_CONFIG_ADDRESSES_MAX];
		struct dp_port_params pp;
		int r;

		memset(&pp, 0, sizeof(pp));
		pp.devname = cp->devname;
		pp.tap_devname = cp->exception[0] != '\0' ? cp->exception_devname : NULL;
		pp.role = cp->role == CTL_ROLE_PROTECTED ? DP_PORT_PROTECTED : DP_PORT_UNPROTECTED;
		pp.has_mac = cp->has_mac;
		memcpy(pp.mac, cp->mac, 6);
		pp.mtu = cp->mtu;
		pp.rx_queues = cp->rx_queues;
		for (unsigned int a = 0; a < cp->n_addresses; a++)
			prefix_of(&cp->addresses[a], false, &addrs[a]);
		pp.addrs = addrs;
		pp.n_addrs = cp->n_addresses;
		r = dp_gw_port_add(d->gw, &pp);
		if (r < 0 || (unsigned int)r != i) {
			fprintf(stderr, "dpsecd: port %s (%s): %s\n", cp->name, cp->devname,
				strerror(r < 0 ? -r : EINVAL));
			return r < 0 ? r : -EINVAL;
		}
		if (dp_gw_port_rx_queues(d->gw, i) < (int)cp->rx_queues)
			fprintf(stderr, "dpsecd: port %s (%s): rx_queues %u asked, the device "
				"gives %d (fewer queues, or no RSS to spread packets over more)\n",
				cp->name, cp->devname, (unsigned int)cp->rx_queues,
				dp_gw_port_rx_queues(d->gw, i));
		for (unsigned int a = 0; a < cp->n_addresses; a++) {
			struct dp_prefix on_link;

			prefix_of(&cp->addresses[a], true, &on_link);
			r = dp_route_add(d->net, &on_link, i, NULL);
			if (r != 0 && r != -EEXIST) {
				fprintf(stderr, "dpsecd: port %s: on-link route: %s\n", cp->name,
					strerror(-r));
				return r;
			}
		}
	}
	for (unsigned int i = 0; i < cfg->n_routes; i++) {
		const struct ctl_config_route *cr = &cfg->routes[i];
		struct dp_prefix pfx;
		struct dp_addr via;
		int r;

		prefix_of(&cr->prefix, false, &pfx);
		addr_of(&cr->via, &via);
		r = dp_route_add(d->net, &pfx, cr->port, cr->has_via ? &via : NULL);
		if (r == -EEXIST) {
			/* The same prefix as a port's own: the configured route wins. */
			(void)dp_route_del(d->net, &pfx);
			r = dp_route_add(d->net, &pfx, cr->port, cr->has_via ? &via : NULL);
		}
		if (r != 0) {
			fprintf(stderr, "dpsecd: route %u: %s\n", i, strerror(-r));
			return r;
		}
	}
	for (unsigned int i = 0; i < cfg->n_neighbours; i++) {
		const struct ctl_config_neighbour *cn = &cfg->neighbours[i];
		struct dp_addr a;
		int r;

		addr_of(&cn->address, &a);
		r = dp_neigh_add(d->net, cn->port, &a, cn->mac);
		if (r != 0) {
			fprintf(stderr, "dpsecd: neighbour %u: %s\n", i, strerror(-r));
			return r;
		}
	}
	return 0;
}

static int start_dataplane(struct dpsecd *d)
{
	const struct ctl_config *cfg = d->cfg;
	struct dp_net_config nc;
	struct dp_gw_config gc;

	/* The route tables take 128 MiB: a gateway without ports (a PF_KEY
	 * server for tests and tools) goes without. */
	dp_net_config_default(&nc);
	nc.name = "dpsecd";
	d->net = cfg->n_ports > 0 ? dp_net_create(d->dp, &nc) : NULL;
	if (cfg->n_ports > 0 && d->net == NULL) {
		fprintf(stderr, "dpsecd: routing tables: %s\n", strerror(errno));
		return -errno;
	}
	d->spd = dp_spd_create(d->dp, NULL);
	if (d->spd == NULL) {
		fprintf(stderr, "dpsecd: policy lookup: %s\n", strerror(errno));
		return -errno;
	}
	memset(&gc, 0, sizeof(gc));
	gc.busy_poll = cfg->workers.idle == CTL_IDLE_BUSY_POLL;
	gc.sleep_min_us = cfg->workers.sleep_min_us;
	gc.sleep_max_us = cfg->workers.sleep_max_us;
	gc.name = "dpsecd";
	gc.mbufs = cfg->limits.mbufs;
	d->gw = dp_gw_create(d->dp, d->net, d->spd, &gc);
	if (d->gw == NULL) {
		fprintf(stderr, "dpsecd: gateway: %s\n", strerror(errno));
		return -errno;
	}
	return setup_ports(d);
}

static int start(struct dpsecd *d, int extra_argc, char **extra_argv)
{
	const struct ctl_config *cfg = d->cfg;
	struct dp_config dc;
	struct ctl_params cp;
	char **argv = NULL;
	int argc, err;

	argc = ctl_config_eal_argv(cfg, "dpsecd", extra_argc, extra_argv, &argv);
	if (argc < 0) {
		fprintf(stderr, "dpsecd: EAL arguments: %s\n", strerror(-argc));
		return argc;
	}
	err = dp_eal_init(argc, argv);
	free(argv);
	if (err < 0) {
		fprintf(stderr, "dpsecd: EAL: %s\n", strerror(-err));
		return err;
	}
	d->eal_up = true;
	if (cfg->eal.thp) {
		long long moved = dp_eal_thp();

		/* Not fatal: the heap stays on small pages. */
		if (moved < 0)
			fprintf(stderr, "dpsecd: EAL heap onto huge pages: %s\n", strerror((int)-moved));
	}

	dp_config_default(&dc);
	dc.max_sas = cfg->limits.max_sas;
	dc.workers = cfg->workers.count;
	dc.engine = cfg->crypto.engine;
	if (cfg->crypto.n_devices > 0)
		snprintf(dc.crypto_dev, sizeof(dc.crypto_dev), "%s", cfg->crypto.devices[0].name);
	dc.name = "dpsecd";
	d->dp = dp_create(&dc);
	if (d->dp == NULL) {
		fprintf(stderr, "dpsecd: dataplane: %s\n", strerror(errno));
		return -errno;
	}
	err = start_dataplane(d);
	if (err != 0)
		return err;

	ctl_params_default(&cp);
	cp.socket_path = cfg->socket.path;
	err = socket_gid(cfg->socket.group, &cp.socket_gid);
	if (err != 0) {
		fprintf(stderr, "dpsecd: socket group %s: no such group\n", cfg->socket.group);
		return err;
	}
	cp.socket_mode = (mode_t)cfg->socket.mode;
	cp.max_clients = cfg->limits.max_clients;
	cp.max_policies = cfg->limits.max_policies;
	cp.queue_msgs = cfg->limits.client_queue_msgs;
	cp.queue_bytes = cfg->limits.client_queue_bytes < PFK_MSG_MAX ?
				 PFK_MSG_MAX : (size_t)cfg->limits.client_queue_bytes;
	cp.lease_size = cfg->sequence_lease;
	cp.workers = cfg->workers.count;
	d->ctl = ctl_create(d->loop, d->dp, &cp);
	if (d->ctl == NULL) {
		fprintf(stderr, "dpsecd: %s: %s\n", cp.socket_path, strerror(errno));
		return -errno;
	}
	/* Policies first: an SA file may rely on them (ACQUIREs do). */
	for (unsigned int i = 0; i < cfg->n_policy_files; i++) {
		if (dpsecd_load_policy_file(d->ctl, cfg->policy_files[i].path) != 0)
			return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->n_sa_files; i++) {
		if (dpsecd_load_sa_file(d->ctl, cfg->sa_files[i].path) != 0)
			return -EINVAL;
	}
	d->pub = ctl_publish_new(d->ctl, d->spd);
	if (d->pub == NULL)
		return -ENOMEM;
	err = ctl_publish_now(d->pub);
	if (err != 0)
		return err;
	err = dp_gw_start(d->gw);
	if (err != 0) {
		fprintf(stderr, "dpsecd: starting ports: %s\n", strerror(-err));
		return err;
	}
	/* /dpsec/ telemetry commands (docs/TELEMETRY.md); the port table is
	 * read-only from here on.  Observability only: a failure is logged. */
	if (cfg->telemetry.enabled) {
		struct dp_telemetry_sources ts = { .spd = d->spd, .net = d->net, .gw = d->gw };

		err = dp_telemetry_enable(d->dp, &ts);
		if (err != 0)
			syslog(LOG_WARNING, "telemetry commands: %s", strerror(-err));
	}
	err = start_workers(d);
	if (err != 0)
		return err;
	if (d->net != NULL) {
		ev_io_init(&d->net_io_w, net_io_cb, dp_net_fd(d->net), EV_READ);
		d->net_io_w.data = d;
		ev_io_start(d->loop, &d->net_io_w);
		ev_timer_init(&d->net_w, net_cb, 0.1, 0.1);
		d->net_w.data = d;
		ev_timer_start(d->loop, &d->net_w);
	}
	if (cfg->exit_when_idle_ms > 0) {
		ev_timer_init(&d->idle_w, idle_cb, 0.05, 0.05);
		d->idle_w.data = d;
		ev_timer_start(d->loop, &d->idle_w);
	}
	syslog(LOG_NOTICE, "serving PF_KEY on %s with %u workers", cp.socket_path,
	       cfg->workers.count);
	return 0;
}

static void stop(struct dpsecd *d)
{
	dp_telemetry_disable(d->dp); /* before its sources are freed */
	ev_io_stop(d->loop, &d->net_io_w);
	ev_timer_stop(d->loop, &d->net_w);
	ev_timer_stop(d->loop, &d->idle_w);
	stop_workers(d);
	ctl_publish_free(d->pub);
	d->pub = NULL;
	dp_gw_free(d->gw); /* ports closed: pcap outputs written */
	d->gw = NULL;
	ctl_destroy(d->ctl);
	d->ctl = NULL;
	dp_spd_free(d->spd);
	d->spd = NULL;
	dp_net_destroy(d->net);
	d->net = NULL;
	dp_destroy(d->dp);
	d->dp = NULL;
	if (d->eal_up)
		dp_eal_cleanup();
	d->eal_up = false;
}

/* --check-config: the start-up files too, parsed and validated by the same
 * grammars and codec as at start, without a gateway to send them to. */
static int check_files(const struct ctl_config *cfg)
{
	int rc = 0;

	for (unsigned int i = 0; i < cfg->n_policy_files; i++)
		if (dpsecd_load_policy_file(NULL, cfg->policy_files[i].path) != 0)
			rc = 1;
	for (unsigned int i = 0; i < cfg->n_sa_files; i++)
		if (dpsecd_load_sa_file(NULL, cfg->sa_files[i].path) != 0)
			rc = 1;
	return rc;
}

int main(int argc, char **argv)
{
	const char *config = CTL_CONFIG_DEFAULT_PATH, *sock = NULL;
	bool explicit_config = false, check_only = false;
	struct dpsecd d;
	int opt, rc = 0;

	memset(&d, 0, sizeof(d));
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 'S' },
		{ "check-config", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	while ((opt = getopt_long(argc, argv, "c:S:nh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			explicit_config = true;
			break;
		case 'S':
			sock = optarg;
			break;
		case 'n':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (load_config(config, explicit_config, sock, &d.cfg) != 0)
		return 1;
	if (check_only) {
		rc = check_files(d.cfg);
		ctl_config_free(d.cfg);
		return rc;
	}
	openlog("dpsecd", LOG_PID | LOG_PERROR, LOG_DAEMON);
	signal(SIGPIPE, SIG_IGN);
	d.loop = ev_default_loop(EVFLAG_AUTO);
	if (d.loop == NULL) {
		fprintf(stderr, "dpsecd: libev: no event loop\n");
		ctl_config_free(d.cfg);
		return 2;
	}
	ev_signal_init(&d.sigint_w, stop_cb, SIGINT);
	ev_signal_init(&d.sigterm_w, stop_cb, SIGTERM);
	d.sigint_w.data = &d;
	d.sigterm_w.data = &d;
	ev_signal_start(d.loop, &d.sigint_w);
	ev_signal_start(d.loop, &d.sigterm_w);
	if (start(&d, argc - optind, argv + optind) == 0)
		ev_run(d.loop, 0);
	else
		rc = 2;
	ev_signal_stop(d.loop, &d.sigint_w);
	ev_signal_stop(d.loop, &d.sigterm_w);
	stop(&d);
	ev_loop_destroy(d.loop);
	ctl_config_free(d.cfg);
	closelog();
	return rc;
}
