/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_hold.h: the per-worker queue of packets held for IDLE SAs.
 *
 * When a packet meets an IDLE SA (dp_sa_admit() == DP_SA_HOLD) its owner
 * worker puts it here, by SA handle (not pointer: the entry outlives the
 * worker's RCU read section).  Each loop the owner calls dp_hold_poll():
 * packets whose SA became ACTIVE (or MATURE/DYING) are released in their
 * arrival order per SA; packets whose SA was deleted, went DEAD or
 * ACTIVE_ELSEWHERE, or waited longer than max_age, come back as drops
 * (DP_DROP_SA_STATE).  Bounded: when full, dp_hold_add() refuses
 * (DP_DROP_HOLD_FULL).
 *
 * Owner worker only; no locks.  Pure C (mbufs are opaque pointers here);
 * the caller frees the drops and sends the released packets on.
 */
#ifndef DP_HOLD_H
#define DP_HOLD_H

#include <stdint.h>

#include "dpsec/dp.h"
#include "dp_sa.h"

struct rte_mbuf;
struct dp_sadb;

struct dp_hold_entry {
	struct rte_mbuf *pkt;
	dp_sa_handle_t sa;
	uint64_t since;   /* seconds since the epoch */
};

struct dp_hold {
	uint32_t size;    /* capacity */
	uint32_t count;
	uint32_t max_age; /* seconds; 0 = no limit */
	uint32_t reserved;
	struct dp_hold_entry entry[]; /* [0, count) in arrival order */
};

/* Bytes for a queue of `size` packets. */
size_t dp_hold_memsize(uint32_t size);
void dp_hold_init(struct dp_hold *h, uint32_t size, uint32_t max_age);

/* Hold pkt for sa (its owner, which just saw DP_SA_HOLD).  0, or -ENOBUFS
 * when full (drop the packet: DP_DROP_HOLD_FULL).  Updates sa->held. */
int dp_hold_add(struct dp_hold *h, struct dp_sa *sa, struct rte_mbuf *pkt, uint64_t now);

/* Release what may go: up to n packets into out[] (out_sa[i] = their SA's
 * handle) and up to n drops into drop[].  Stops when either array is full;
 * the rest waits for the next call.  *ndrop gets the drop count; returns the
 * release count.  Clears the SA's IDLE_TRAFFIC mark when it releases. */
unsigned int dp_hold_poll(struct dp_hold *h, const struct dp_sadb *db, uint64_t now,
	struct rte_mbuf **out, dp_sa_handle_t *out_sa, unsigned int n,
	struct rte_mbuf **drop, unsigned int *ndrop);

/* Take every held packet (shutdown): up to n into out[]; returns count. */
unsigned int dp_hold_flush(struct dp_hold *h, struct rte_mbuf **out, unsigned int n);

#endif /* DP_HOLD_H */
