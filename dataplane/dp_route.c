/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_route.c: IPv4/IPv6 routes on rte_lpm / rte_lpm6 (see dp_route.h). */
#include "dp_route.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_errno.h>
/* rte_lpm.h's inline bulk lookup declares a VLA and its SSE lookupx4 casts
 * alignment up; neither is called here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wvla"
#pragma GCC diagnostic ignored "-Wcast-align"
#include <rte_lpm.h>
#pragma GCC diagnostic pop
#include <rte_lpm6.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dp_net_priv.h"

int dp_route_tables_create(struct dp_net *net, int socket_id)
{
	char name[32];
	uint32_t max = net->cfg.max_routes4 + net->cfg.max_routes6;

	net->nh = calloc(max, sizeof(*net->nh));
	net->nh_free = calloc(max, sizeof(*net->nh_free));
	if (net->nh == NULL || net->nh_free == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < max; i++)
		net->nh_free[i] = max - 1 - i;
	net->nh_nfree = net->nh_max = max;
	net->default_nh[0] = net->default_nh[1] = DP_NH_NONE;

	/* A tbl8 group per route more specific than /24 (v4), about four per
	 * IPv6 route (/24 first level, then 8 bits per group down to /64). */
	struct rte_lpm_config c4 = {
		.max_rules = net->cfg.max_routes4,
		.number_tbl8s = net->cfg.max_routes4 < 256 ? 256 : net->cfg.max_routes4,
	};
	struct rte_lpm6_config c6 = {
		.max_rules = net->cfg.max_routes6,
		.number_tbl8s = 4 * net->cfg.max_routes6 + 64,
	};
	snprintf(name, sizeof(name), "%s_r4", net->name);
	net->lpm4 = rte_lpm_create(name, socket_id, &c4);
	if (net->lpm4 == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	snprintf(name, sizeof(name), "%s_r6", net->name);
	net->lpm6 = rte_lpm6_create(name, socket_id, &c6);
	if (net->lpm6 == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	return 0;
}

void dp_route_tables_free(struct dp_net *net)
{
	rte_lpm_free(net->lpm4);
	rte_lpm6_free(net->lpm6);
	net->lpm4 = NULL;
	net->lpm6 = NULL;
	free(net->nh);
	free(net->nh_free);
}

static int prefix_check(const struct dp_prefix *pf)
{
	unsigned int len;

	if (pf == NULL || (pf->addr.family != AF_INET && pf->addr.family != AF_INET6))
		return -EINVAL;
	len = pf->addr.family == AF_INET ? 4 : 16;
	if (pf->length > len * 8)
		return -EINVAL;
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int bit0 = i * 8;
		uint8_t host;

		if (bit0 >= pf->length)
			host = 0xff;
		else if (bit0 + 8 <= pf->length)
			host = 0;
		else
			host = (uint8_t)(0xff >> (pf->length - bit0));
		if (i >= len)
			host = 0xff;
		if ((pf->addr.bytes[i] & host) != 0)
			return -EINVAL; /* host bits, or bytes past the family */
	}
	return 0;
}

static uint32_t v4(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint32_t *default_slot(struct dp_net *net, uint8_t family)
{
	return &net->default_nh[family == AF_INET ? 0 : 1];
}

/* 1 and *idx when the exact prefix is present, else 0. */
static int rule_present(struct dp_net *net, const struct dp_prefix *pf, uint32_t *idx)
{
	int r;

	if (pf->length == 0) {
		*idx = *default_slot(net, pf->addr.family);
		return *idx != DP_NH_NONE;
	}
	if (pf->addr.family == AF_INET)
		r = rte_lpm_is_rule_present(net->lpm4, v4(pf->addr.bytes), pf->length, idx);
	else
		r = rte_lpm6_is_rule_present(net->lpm6, pf->addr.bytes, pf->length, idx);
	return r;
}

int dp_route_add(struct dp_net *net, const struct dp_prefix *prefix, unsigned int port,
	const struct dp_addr *via)
{
	bool connected = via == NULL || via->family == 0;
	uint32_t idx;
	struct dp_nh *nh;
	int r;

	if (net == NULL || prefix_check(prefix) != 0 || port >= DP_NET_PORTS_MAX)
		return -EINVAL;
	if (!connected && via->family != prefix->addr.family)
		return -EINVAL;
	if (rule_present(net, prefix, &idx) == 1)
		return -EEXIST;
	if (prefix->addr.family == AF_INET ? net->routes4 >= net->cfg.max_routes4 :
	    net->routes6 >= net->cfg.max_routes6)
		return -ENOSPC;
	if (net->nh_nfree == 0)
		return -ENOSPC;
	idx = net->nh_free[net->nh_nfree - 1];
	nh = &net->nh[idx];
	memset(nh, 0, sizeof(*nh));
	nh->port = (uint16_t)port;
	nh->family = prefix->addr.family;
	nh->connected = connected;
	if (!connected)
		memcpy(nh->gw, via->bytes, 16);
	/* The next hop is written before the table entry that names it: the
	 * LPM's entry stores come after these in program order, and on
	 * x86-64 (TSO) stores are not reordered; the fence says so for
	 * weaker machines. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (prefix->length == 0) {
		__atomic_store_n(default_slot(net, prefix->addr.family), idx, __ATOMIC_RELEASE);
		r = 0;
	} else if (prefix->addr.family == AF_INET) {
		r = rte_lpm_add(net->lpm4, v4(prefix->addr.bytes), prefix->length, idx);
	} else {
		r = rte_lpm6_add(net->lpm6, prefix->addr.bytes, prefix->length, idx);
	}
	if (r != 0)
		return r == -ENOSPC ? -ENOSPC : -EINVAL;
	net->nh_nfree--;
	if (prefix->addr.family == AF_INET)
		net->routes4++;
	else
		net->routes6++;
	return 0;
}

int dp_route_del(struct dp_net *net, const struct dp_prefix *prefix)
{
	uint32_t idx;
	int r;

	if (net == NULL || prefix_check(prefix) != 0)
		return -EINVAL;
	if (rule_present(net, prefix, &idx) != 1)
		return -ENOENT;
	if (prefix->length == 0) {
		__atomic_store_n(default_slot(net, prefix->addr.family), DP_NH_NONE,
			__ATOMIC_RELEASE);
		r = 0;
	} else if (prefix->addr.family == AF_INET) {
		r = rte_lpm_delete(net->lpm4, v4(prefix->addr.bytes), prefix->length);
	} else {
		r = rte_lpm6_delete(net->lpm6, prefix->addr.bytes, prefix->length);
	}
	if (r != 0)
		return -ENOENT;
	if (prefix->addr.family == AF_INET)
		net->routes4--;
	else
		net->routes6--;
	/* Readers that found the old entry, a tbl8 group the delete freed or
	 * the next hop finish before either is reused. */
	rte_rcu_qsbr_synchronize(net->qsbr, RTE_QSBR_THRID_INVALID);
	net->nh_free[net->nh_nfree++] = idx;
	return 0;
}

int dp_route_lookup(const struct dp_net *net, uint8_t family, const uint8_t *dst,
	struct dp_nexthop *out)
{
	const struct dp_nh *nh;
	uint32_t idx;
	int r;

	if (family == AF_INET)
		r = rte_lpm_lookup(net->lpm4, v4(dst), &idx);
	else if (family == AF_INET6)
		r = rte_lpm6_lookup(net->lpm6, dst, &idx);
	else
		return -EINVAL;
	if (r != 0) /* no more specific route: the default, if any */
		idx = __atomic_load_n(&net->default_nh[family == AF_INET ? 0 : 1],
			__ATOMIC_ACQUIRE);
	if (idx >= net->nh_max) {
		out->port = DP_ROUTE_NO_PORT;
		return -ENOENT;
	}
	nh = &net->nh[idx];
	out->port = nh->port;
	out->family = family;
	out->connected = nh->connected;
	memset(out->addr, 0, sizeof(out->addr));
	if (nh->connected)
		memcpy(out->addr, dst, family == AF_INET ? 4 : 16);
	else
		memcpy(out->addr, nh->gw, 16);
	return 0;
}

uint16_t dp_route_burst(struct dp_net *net, unsigned int worker, struct rte_mbuf **pkts,
	uint16_t n, struct dp_nexthop *nh)
{
	uint16_t routed = 0, missed = 0;
	uint32_t last4 = 0;
	int last = -1;              /* i of the last routed IPv4 packet */

	for (uint16_t i = 0; i < n; i++) {
		const uint8_t *ip = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		uint32_t len = rte_pktmbuf_data_len(pkts[i]);
		int r = -EINVAL;

		if (len >= 20 && ip[0] >> 4 == 4) {
			uint32_t dst;

			/* A run of packets toward one IPv4 destination (a
			 * tunnel's outer packets, one flow) shares the
			 * previous lookup: a route changed during the burst
			 * may or may not apply to any of its packets anyway,
			 * and the next hop stays valid until the worker's
			 * next quiescent state. */
			memcpy(&dst, ip + 16, 4);
			if (last >= 0 && dst == last4) {
				nh[i] = nh[last];
				r = 0;
			} else {
				r = dp_route_lookup(net, AF_INET, ip + 16, &nh[i]);
				last = r == 0 ? i : -1;
				last4 = dst;
			}
		} else if (len >= 40 && ip[0] >> 4 == 6) {
			r = dp_route_lookup(net, AF_INET6, ip + 24, &nh[i]);
		}
		if (r == 0) {
			routed++;
		} else {
			nh[i].port = DP_ROUTE_NO_PORT;
			missed++;
		}
	}
	if (missed != 0)
		dp_net_count(&net->w[worker], DP_NET_C_NO_ROUTE, missed);
	return routed;
}
