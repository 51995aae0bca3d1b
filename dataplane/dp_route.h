/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_route.h: route lookup for the worker loop (CONTROL's side is in
 * dpsec/dp.h: dp_route_add/del).
 *
 * IPv4 routes live in an rte_lpm, IPv6 routes in an rte_lpm6; both hold an
 * index into the next-hop array.  CONTROL updates the tables in place (the
 * DIR-24-8 entries are written with single stores, so a lookup sees the
 * old or the new route, never a mix); a delete waits for an RCU grace
 * period before it returns, so a table block (tbl8) or next-hop slot it
 * freed is never reused while a worker may still be reading it.
 */
#ifndef DP_ROUTE_H
#define DP_ROUTE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dpsec/dp.h"

struct rte_mbuf;
struct dp_net;

#define DP_ROUTE_NO_PORT 0xffffu

/* Where a packet goes: port and the neighbour to resolve (the gateway, or
 * the destination itself on a directly connected route). */
struct dp_nexthop {
	uint16_t port;              /* DP_ROUTE_NO_PORT: no route */
	uint8_t family;             /* AF_INET / AF_INET6 */
	uint8_t connected;
	uint8_t addr[16];
};

/* Whether a and b name one neighbour (port, family, address). */
static inline bool dp_nexthop_same(const struct dp_nexthop *a, const struct dp_nexthop *b)
{
	return a->port == b->port && a->family == b->family &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* Longest-prefix match of dst (4 or 16 bytes, network order).  0 or
 * -ENOENT (no route), -EINVAL (family).  WORKER (or CONTROL). */
int dp_route_lookup(const struct dp_net *net, uint8_t family, const uint8_t *dst,
	struct dp_nexthop *nh);

/* Route a burst: pkts[i]'s data starts at its IP header (IPv4 or IPv6).
 * nh[i] is filled; packets without a route get port DP_ROUTE_NO_PORT and
 * are counted (no-route) but stay the caller's to free.  Returns how many
 * were routed.  WORKER `worker`. */
uint16_t dp_route_burst(struct dp_net *net, unsigned int worker, struct rte_mbuf **pkts,
	uint16_t n, struct dp_nexthop *nh);

/* The port's MTU, 0 for an unconfigured port.  ANY. */
uint16_t dp_net_port_mtu(const struct dp_net *net, unsigned int port);

#endif /* DP_ROUTE_H */
