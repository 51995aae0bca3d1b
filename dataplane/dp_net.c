/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_net.c: the routing state's lifetime, ports, counters (dpsec/dp.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dpsec/dp.h"
#include "dp_ctx_priv.h"
#include "dp_event.h"
#include "dp_net_priv.h"
#include "dp_route.h"

#define NET_NAME_MAX 12u

static const char *const counter_names[DP_NET_C_COUNT] = {
#define DP_NET_COUNTER_NAME_(name, str) [DP_NET_C_##name] = str,
	DP_NET_COUNTERS(DP_NET_COUNTER_NAME_)
#undef DP_NET_COUNTER_NAME_
};

const char *dp_net_counter_name(unsigned int c)
{
	return c < DP_NET_C_COUNT ? counter_names[c] : NULL;
}

void dp_net_config_default(struct dp_net_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_routes4 = 4096;
	cfg->max_routes6 = 1024;
	cfg->max_neigh = 4096;
	cfg->reachable_ms = 30000;
	cfg->retrans_ms = 1000;
	cfg->max_probes = 3;
	cfg->gc_ms = 60000;
	cfg->pending_max = 64;
	cfg->pending_per_neigh = 4;
	cfg->icmp_rate = 100;
	cfg->icmp_burst = 20;
	cfg->request_ring_size = 1024;
	cfg->name = "net";
}

static int config_check(const struct dp_net_config *c)
{
	if (c == NULL || c->name == NULL || c->name[0] == '\0' || strlen(c->name) > NET_NAME_MAX)
		return -EINVAL;
	if (c->max_routes4 < 1 || c->max_routes4 > (1u << 20) || c->max_routes6 < 1 ||
	    c->max_routes6 > (1u << 20) || c->max_neigh < 8 || c->max_neigh > (1u << 20))
		return -EINVAL;
	if (c->reachable_ms == 0 || c->retrans_ms == 0 || c->max_probes == 0 || c->gc_ms == 0)
		return -EINVAL;
	if (c->pending_max > 4096 || c->pending_per_neigh > c->pending_max)
		return -EINVAL;
	if (c->icmp_burst == 0 && c->icmp_rate != 0)
		return -EINVAL;
	if (c->request_ring_size < 2 || (c->request_ring_size & (c->request_ring_size - 1)) != 0)
		return -EINVAL;
	return 0;
}

static uint64_t ms_to_tsc(uint64_t hz, uint32_t ms)
{
	return hz / 1000 * ms + hz % 1000 * ms / 1000;
}

struct dp_net *dp_net_create(struct dp_ctx *ctx, const struct dp_net_config *cfg)
{
	struct dp_net *net = NULL;
	char name[32];
	int err;

	err = ctx == NULL ? -EINVAL : config_check(cfg);
	if (err != 0)
		goto fail;
	err = -ENOMEM;
	net = calloc(1, sizeof(*net));
	if (net == NULL)
		goto fail;
	net->cfg = *cfg;
	snprintf(net->name, sizeof(net->name), "%s", cfg->name);
	net->cfg.name = net->name;
	net->ctx = ctx;
	net->qsbr = ctx->qsbr;
	net->workers = ctx->cfg.workers;
	net->tsc_hz = rte_get_tsc_hz();
	net->reachable_tsc = ms_to_tsc(net->tsc_hz, cfg->reachable_ms);
	net->retrans_tsc = ms_to_tsc(net->tsc_hz, cfg->retrans_ms);
	net->gc_tsc = ms_to_tsc(net->tsc_hz, cfg->gc_ms);

	net->w = aligned_alloc(alignof(struct dp_net_worker),
		sizeof(*net->w) * net->workers);
	if (net->w == NULL)
		goto fail;
	memset(net->w, 0, sizeof(*net->w) * net->workers);
	for (unsigned int i = 0; i < net->workers; i++) {
		net->w[i].pending = calloc(cfg->pending_max + 1, sizeof(struct dp_pending));
		if (net->w[i].pending == NULL)
			goto fail;
		net->w[i].ip_id = (uint16_t)(i << 12);
	}
	snprintf(name, sizeof(name), "%s_nrq", net->name);
	net->requests = dp_event_queue_create(name, cfg->request_ring_size, ctx->cfg.socket_id);
	if (net->requests == NULL) {
		err = -errno;
		goto fail;
	}
	err = dp_route_tables_create(net, ctx->cfg.socket_id);
	if (err != 0)
		goto fail;
	err = dp_neigh_table_create(net, ctx->cfg.socket_id);
	if (err != 0)
		goto fail;
	return net;
fail:
	dp_net_destroy(net);
	errno = -err;
	return NULL;
}

void dp_net_destroy(struct dp_net *net)
{
	if (net == NULL)
		return;
	if (net->w != NULL) {
		for (unsigned int i = 0; i < net->workers; i++) {
			struct dp_net_worker *w = &net->w[i];

			for (uint32_t j = 0; w->pending != NULL && j < w->n_pending; j++)
				rte_pktmbuf_free(w->pending[j].m);
			free(w->pending);
		}
		free(net->w);
	}
	dp_neigh_table_free(net);
	dp_route_tables_free(net);
	dp_event_queue_free(net->requests);
	for (unsigned int p = 0; p < DP_NET_PORTS_MAX; p++)
		free(net->ports[p]);
	free(net);
}

/* ------------------------------------------------------------------------ */
/* Ports.                                                                    */

static bool prefix_ok(const struct dp_prefix *a, uint8_t family)
{
	unsigned int len = family == AF_INET ? 4 : 16;

	if (a->length > len * 8)
		return false;
	for (unsigned int i = len; i < 16; i++)
		if (a->addr.bytes[i] != 0)
			return false;
	return true;
}

/* fe80::/64 with the modified EUI-64 interface identifier (RFC 4291 2.5.1). */
static void link_local(const uint8_t mac[6], struct dp_prefix *ll)
{
	memset(ll, 0, sizeof(*ll));
	ll->addr.family = AF_INET6;
	ll->length = 64;
	ll->addr.bytes[0] = 0xfe;
	ll->addr.bytes[1] = 0x80;
	ll->addr.bytes[8] = mac[0] ^ 0x02;
	ll->addr.bytes[9] = mac[1];
	ll->addr.bytes[10] = mac[2];
	ll->addr.bytes[11] = 0xff;
	ll->addr.bytes[12] = 0xfe;
	ll->addr.bytes[13] = mac[3];
	ll->addr.bytes[14] = mac[4];
	ll->addr.bytes[15] = mac[5];
}

int dp_net_port_set(struct dp_net *net, unsigned int port, const uint8_t mac[6], uint16_t mtu,
	const struct dp_prefix *addrs, unsigned int n)
{
	struct dp_net_port *p, *old;

	if (net == NULL || mac == NULL || port >= DP_NET_PORTS_MAX || mtu < 68 || mtu > 9600 ||
	    (n != 0 && addrs == NULL) || (mac[0] & 1) != 0)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	memcpy(p->mac, mac, 6);
	p->mtu = mtu;
	for (unsigned int i = 0; i < n; i++) {
		const struct dp_prefix *a = &addrs[i];

		if (a->addr.family == AF_INET && prefix_ok(a, AF_INET) &&
		    p->n4 < DP_NET_PORT_ADDRS_MAX) {
			p->a4[p->n4++] = *a;
		} else if (a->addr.family == AF_INET6 && prefix_ok(a, AF_INET6) &&
			   p->n6 < DP_NET_PORT_ADDRS_MAX && mtu >= 1280) {
			p->a6[p->n6++] = *a;
		} else {
			free(p);
			return -EINVAL;
		}
	}
	if (p->n6 > 0)
		link_local(mac, &p->a6[p->n6++]);
	old = net->ports[port];
	__atomic_store_n(&net->ports[port], p, __ATOMIC_RELEASE);
	if (old != NULL) {
		rte_rcu_qsbr_synchronize(net->qsbr, RTE_QSBR_THRID_INVALID);
		free(old);
	}
	return 0;
}

static bool same_prefix(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

const uint8_t *dp_net_port_src(const struct dp_net_port *p, uint8_t family, const uint8_t *dst)
{
	const struct dp_prefix *a = family == AF_INET ? p->a4 : p->a6;
	unsigned int n = family == AF_INET ? p->n4 : p->n6;

	if (n == 0)
		return NULL;
	for (unsigned int i = 0; dst != NULL && i < n; i++)
		if (same_prefix(a[i].addr.bytes, dst, a[i].length))
			return a[i].addr.bytes;
	return a[0].addr.bytes; /* IPv6: a global before the link-local */
}

/* Word compares, not memcmp(): this runs for every packet an unprotected
 * port receives and every decapsulated one. */
uint16_t dp_net_port_mtu(const struct dp_net *net, unsigned int port)
{
	const struct dp_net_port *p = dp_net_port_get(net, port);

	return p == NULL ? 0 : p->mtu;
}

/* ------------------------------------------------------------------------ */
/* CONTROL: requests, stats.                                                 */

int dp_net_fd(const struct dp_net *net)
{
	return net == NULL ? -EINVAL : dp_event_queue_fd(net->requests);
}

int dp_net_get_stats(struct dp_net *net, struct dp_net_stats *st)
{
	if (net == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	for (unsigned int i = 0; i < net->workers; i++)
		for (unsigned int c = 0; c < DP_NET_C_COUNT; c++)
			st->counters[c] += __atomic_load_n(&net->w[i].counters[c],
				__ATOMIC_RELAXED);
	st->routes4 = net->routes4;
	st->routes6 = net->routes6;
	st->neigh = net->neigh_count;
	st->neigh_created = net->neigh_created;
	st->neigh_expired = net->neigh_expired;
	return 0;
}
