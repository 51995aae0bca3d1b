/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_neigh.h: neighbour resolution for the worker loop (CONTROL's side is
 * in dpsec/dp.h: dp_neigh_add/del/get, dp_net_run).
 *
 * Table: entries indexed by their position in a lock-free rte_hash keyed
 * by (family, port, address).  Only CONTROL adds or removes keys.  A
 * worker that needs a next hop with no entry posts a RESOLVE request on
 * the net's request ring (CONTROL creates an INCOMPLETE entry on its next
 * dp_net_run) and parks the packet in its own pending queue.  Replies
 * (ARP, NA) update an existing entry in place: MAC and state are one
 * 64-bit word written by compare-exchange, so a reader sees both or
 * neither, and a static entry is never overwritten.  Solicitations are
 * sent by whichever worker first wins the compare-exchange on the entry's
 * next-solicitation time: one per retrans_ms per neighbour.
 *
 * Pending packets: at most pending_max per worker and pending_per_neigh per
 * next hop; they leave when the MAC arrives, or are dropped as
 * unresolved-next-hop after max_probes * retrans_ms or when the entry
 * fails.  The queue is per worker, so no packet crosses threads.
 */
#ifndef DP_NEIGH_H
#define DP_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include "dpsec/dp.h"
#include "dp_route.h"

struct rte_mbuf;
struct rte_mempool;
struct dp_net;

/* Packets a call hands back for transmission, each with its port.  The
 * caller owns the arrays; calls append while n < max (what does not fit
 * is freed and counted as net-no-buffer). */
struct dp_net_tx {
	struct rte_mbuf **pkts;
	uint16_t *ports;
	uint16_t n;
	uint16_t max;
};

enum dp_neigh_verdict {
	DP_NEIGH_SEND = 0,   /* Ethernet header added: send on nh[i].port */
	DP_NEIGH_QUEUED = 1, /* waiting for the MAC: no longer the caller's */
	DP_NEIGH_DROP = 2,   /* caller frees it (counted) */
};

/* Resolve a burst: pkts[i] (data at the IP header) toward nh[i].  Known
 * MAC: the Ethernet header is prepended (res SEND).  Unknown or
 * incomplete: queued (QUEUED) or dropped when the queue is full
 * (pending-full).  Solicitations due (new next hop, STALE re-probe) are
 * built from mp and appended to tx.  Returns how many are SEND.  WORKER. */
uint16_t dp_neigh_resolve_burst(struct dp_net *net, unsigned int worker, struct rte_mempool *mp,
	struct rte_mbuf **pkts, const struct dp_nexthop *nh, uint16_t n, uint8_t *res,
	struct dp_net_tx *tx);

/* The Ethernet header toward nh (its MAC, the port's own as source) for
 * a caller that writes it itself, packet after packet of one next hop:
 * marks the entry used and sends the STALE re-probe due, as
 * dp_neigh_resolve_burst() does once per run.  true: hdr filled.  false:
 * no MAC yet, no entry or no port -- give the packet to
 * dp_neigh_resolve_burst(), which queues, solicits or drops and counts.
 * WORKER. */
bool dp_neigh_header(struct dp_net *net, unsigned int worker, struct rte_mempool *mp,
	const struct dp_nexthop *nh, uint8_t hdr[14], struct dp_net_tx *tx);

/* Walk the worker's pending queue: packets whose MAC is known get their
 * Ethernet header and go to tx; expired ones are freed (unresolved-next-
 * hop); solicitations due are appended to tx.  Call once per loop (cheap
 * when nothing waits).  Returns packets appended.  WORKER. */
uint16_t dp_neigh_pending_poll(struct dp_net *net, unsigned int worker, struct rte_mempool *mp,
	struct dp_net_tx *tx);

/* Packets waiting on this worker.  WORKER. */
uint32_t dp_neigh_pending_count(const struct dp_net *net, unsigned int worker);

/* A reply or solicitation told us addr is at mac on port (dp_arp_nd.c).
 * solicited: confirms reachability (ARP reply, NA with S); override: the
 * MAC may replace a known one (ARP, NA with O).  An address without an
 * entry is posted to CONTROL when create is true (senders of requests to
 * us), else ignored (unsolicited).  Returns true when an entry changed or
 * a request was posted.  WORKER. */
bool dp_neigh_learn(struct dp_net *net, unsigned int worker, uint8_t family, uint16_t port,
	const uint8_t *addr, const uint8_t mac[6], bool solicited, bool override, bool create);

/* Append one packet to tx, or free it and count net-no-buffer. */
void dp_net_tx_add(struct dp_net *net, unsigned int worker, struct dp_net_tx *tx,
	struct rte_mbuf *m, uint16_t port);

#endif /* DP_NEIGH_H */
