/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_arp_nd.h: ARP (RFC 826) and IPv6 Neighbor Discovery (RFC 4861,
 * NS/NA only) for the gateway's own addresses and its next hops.
 *
 * Received frames start at the Ethernet header.  A request for one of the
 * port's addresses is turned into the reply in the same mbuf (no
 * allocation); replies and the senders of requests feed the neighbour
 * table (dp_neigh_learn).  Solicitations are built from the caller's
 * mempool.  ND messages are checked as RFC 4861 7.1.1/7.1.2 says (hop
 * limit 255, checksum, code 0, lengths, options, unspecified source only
 * toward a solicited-node address and without a link-layer option).
 */
#ifndef DP_ARP_ND_H
#define DP_ARP_ND_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_neigh.h"

struct rte_mbuf;
struct rte_mempool;
struct dp_net;
struct dp_net_port;

enum dp_arp_nd_verdict {
	DP_ARP_ND_CONSUMED = 0, /* handled: freed, or its reply is in tx */
	DP_ARP_ND_NOT_MINE = 1, /* not ARP nor NS/NA: unchanged, caller's */
	DP_ARP_ND_SHARE = 2,    /* a valid ARP reply or NA, learnt from and
				 * left unchanged: still the caller's, to hand
				 * to the exception path (the kernel behind the
				 * TAP resolves its own next hops) or free */
};

/* Whether a frame is ARP, or ICMPv6 NS/NA (an IPv6 header without
 * extension headers).  ANY. */
bool dp_arp_nd_match(const struct rte_mbuf *m);

/* Handle one received frame on port.  WORKER. */
enum dp_arp_nd_verdict dp_arp_nd_input(struct dp_net *net, unsigned int worker,
	struct rte_mbuf *m, uint16_t port, struct dp_net_tx *tx);

/* Build a solicitation for target (ARP request or NS) from port p, as a
 * whole frame.  dst_mac NULL: broadcast / solicited-node multicast; else a
 * unicast probe to that MAC.  NULL when mp is empty or the port has no
 * address of that family.  WORKER. */
struct rte_mbuf *dp_arp_nd_solicit(const struct dp_net_port *p, struct rte_mempool *mp,
	uint8_t family, const uint8_t *target, const uint8_t *dst_mac);

/* ICMPv6 checksum of an IPv6 packet whose upper-layer data (len bytes)
 * follows the 40-byte header directly. */
uint16_t dp_icmp6_csum(const uint8_t *ip6, const uint8_t *icmp, uint32_t len);

#endif /* DP_ARP_ND_H */
