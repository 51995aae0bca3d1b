/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_worker.h: per-worker state -- counters, the hand-off ring, the IDLE
 * hold queue -- and the helpers the packet path calls at the end of a
 * burst.
 *
 * Ownership (docs/DATAPLANE.md): an SA's sequence numbers, replay window
 * and counters are written only by its owner worker (sa->owner).  A worker
 * that receives a packet for an SA it does not own hands the packet to the
 * owner's ring (dp_worker_handoff) without touching the SA; the owner takes
 * it (dp_worker_handoff_take) and looks the SA up again itself -- an SA
 * pointer never crosses a quiescent state, so none travels in the ring.
 */
#ifndef DP_WORKER_H
#define DP_WORKER_H

#include <stdalign.h>
#include <stdint.h>

#include "dpsec/dp.h"
#include "dp_counters.h"
#include "dp_hold.h"
#include "dp_sa.h"

struct rte_mbuf;
struct rte_ring;
struct dp_ctx;

struct dp_worker {
	alignas(64) struct dp_worker_counters counters; /* this worker writes */
	struct rte_ring *handoff;  /* packets for this worker: MP in, SC out */
	struct dp_hold *hold;      /* this worker's held packets */
	/* The worker's clock (dp_worker_clock): seconds since the context's
	 * clock base, refreshed at registration, each quiescent state and
	 * going online -- once per loop iteration -- instead of a TSC read
	 * and a division per SA per burst.  clock_next: TSC cycles since the
	 * base when clock_s next changes. */
	uint64_t clock_s;
	uint64_t clock_next;
	uint16_t id;
	uint8_t registered;        /* CONTROL reads; the worker writes */
};

/* The worker's record (id < cfg.workers).  WORKER n for its own, CONTROL
 * to read counters. */
struct dp_worker *dp_worker_get(struct dp_ctx *ctx, unsigned int worker);

/* Hand packets to worker `to` (their SA's owner).  Returns how many the
 * ring took; the caller drops the rest as DP_DROP_HANDOFF_FULL.  WORKER. */
unsigned int dp_worker_handoff(struct dp_ctx *ctx, unsigned int from, unsigned int to,
	struct rte_mbuf **pkts, unsigned int n);

/* Take up to n packets handed to `worker`.  WORKER `worker`. */
unsigned int dp_worker_handoff_take(struct dp_ctx *ctx, unsigned int worker,
	struct rte_mbuf **pkts, unsigned int n);

/* Post one event from a worker; a full ring counts events_lost.  0 or
 * -ENOBUFS.  WORKER. */
int dp_worker_post(struct dp_ctx *ctx, unsigned int worker, const struct dp_event *ev);

/* Refresh the worker's cached clock from the TSC: one TSC read, a
 * division only when a second has passed.  dp_worker_register(),
 * dp_worker_quiescent() and dp_worker_online() call it.  WORKER. */
void dp_worker_clock(struct dp_ctx *ctx, unsigned int worker);

/* The worker's cached clock, seconds since the epoch (dp_ctx_now() as of
 * the last dp_worker_clock(); the context's creation before any).
 * WORKER. */
uint64_t dp_worker_now(const struct dp_ctx *ctx, unsigned int worker);

/* End of an SA's share of a burst, on its owner: add packets/bytes and the
 * drop tally to the SA's counters, check lifetimes, and post the events
 * due (SA and sequence); undelivered ones stay due.  The SA's last use is
 * the worker's cached clock (dp_worker_now): at most one loop iteration
 * old.  WORKER (owner). */
void dp_worker_sa_burst_done(struct dp_ctx *ctx, unsigned int worker, struct dp_sa *sa,
	uint32_t packets, uint64_t bytes, const struct dp_drop_tally *tally);

/* Add a tally to the worker's own drop counters.  WORKER. */
void dp_worker_count_drops(struct dp_ctx *ctx, unsigned int worker,
	const struct dp_drop_tally *tally);

#endif /* DP_WORKER_H */
