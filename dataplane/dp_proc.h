/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_proc.h: ESP and AH packet processing for the gateway's worker loop.
 *
 * Internal to dataplane/ (it names struct rte_mbuf).  One struct dp_proc
 * per worker, made by CONTROL before the worker starts and used only by
 * that worker (after dp_worker_register()).
 *
 * Packets: single-segment mbufs whose data starts at the IP header (the
 * caller strips L2 before and puts it back after).  Results come back in
 * place: res[i] says what happened to pkts[i]; a FORWARD packet is the
 * processed packet (ESP/AH added, or the decapsulated inner packet), again
 * starting at its IP header.
 *
 * Burst structure (after DPDK lib/ipsec): prepare every packet (parse,
 * lookup, state, sequence or replay check, header building), run the whole
 * burst's crypto through the engine at once, then finish (ICV verdicts,
 * replay update, padding, header rewrite).  Bad packets are set aside with a
 * reason and counted once per burst, per SA and per worker.  No allocation,
 * lock, log or syscall per packet.  Every op a call enqueues is dequeued
 * before it returns, so the RCU grace period that precedes an SA's free
 * also covers its crypto session (the crypto fence passes with it).
 *
 * Ownership: a packet for an SA another worker owns is handed to the owner
 * (verdict HANDOFF; the mbuf is then the owner's); the owner processes it
 * in dp_proc_handoff_poll().  A packet that meets an IDLE SA is held
 * (verdict HELD) and comes back from dp_proc_hold_poll() once the SA is
 * ACTIVE.
 *
 * Bundles (AH over ESP, RFC 4301 4.5): outbound, run the burst through
 * dp_proc_outbound() with the ESP SAs, then again with the AH SAs.  Inbound
 * takes both in one call: AH in transport mode whose next header is ESP is
 * processed again within the call.
 */
#ifndef DP_PROC_H
#define DP_PROC_H

#include <stdint.h>

#include "dpsec/dp.h"

struct rte_mbuf;
struct dp_ctx;
struct dp_proc;

/* Largest burst handled at once; longer arrays are processed in chunks. */
#define DP_PROC_BURST_MAX 64u

enum dp_proc_verdict {
	DP_PROC_FORWARD = 0, /* processed: send it on (caller's mbuf) */
	DP_PROC_DROP,        /* caller frees it; res.drop says why (counted) */
	DP_PROC_EXCEPTION,   /* IKE on UDP 4500 (non-ESP marker) or a NAT-T
			      * keepalive: unchanged, for the exception path */
	DP_PROC_NOT_IPSEC,   /* inbound: not ESP/AH/UDP-4500: unchanged */
	DP_PROC_DUMMY,       /* verified ESP dummy packet (next header 59,
			      * RFC 4303 2.6): caller frees it; not a drop */
	DP_PROC_HANDOFF,     /* given to the SA's owner: no longer the caller's */
	DP_PROC_HELD,        /* held for an IDLE SA: no longer the caller's */
};

struct dp_proc_res {
	uint8_t verdict;     /* enum dp_proc_verdict */
	uint8_t drop;        /* enum dp_drop for DP_PROC_DROP, else 0 */
	uint8_t family;      /* FORWARD: AF_INET or AF_INET6 of the result */
	uint8_t reserved[5];
	dp_sa_handle_t sa;   /* the SA used, when one was found */
};

/* Make worker `worker`'s processing state (scratch for DP_PROC_BURST_MAX
 * packets).  0 or -errno (-EINVAL, -ENOMEM).  CONTROL. */
int dp_proc_new(struct dp_ctx *ctx, unsigned int worker, struct dp_proc **out);
void dp_proc_free(struct dp_proc *p);

/* Protect pkts[i] (an IP packet) with outbound SA sa[i].  Drops: NO_SA
 * (stale handle), WRONG_DIRECTION, SA_STATE, HARD_LIFETIME,
 * SEQ_EXHAUSTED, LEASE_EXHAUSTED, NO_BUFFER, TRUNCATED, BAD_LENGTH,
 * POLICY_MISMATCH (transport mode, packet family differs from the SA's),
 * UNSUPPORTED (multi-segment, IPv4 fragment in transport mode), HOLD_FULL,
 * HANDOFF_FULL, CRYPTO_ERROR.  Returns n; res[0..n) filled.  WORKER. */
uint16_t dp_proc_outbound(struct dp_proc *p, struct rte_mbuf **pkts, const dp_sa_handle_t *sa,
	uint16_t n, struct dp_proc_res *res);

/* Verify and decapsulate pkts[i] (ESP, AH, or UDP 4500).  Drops: NO_SA,
 * WRONG_DIRECTION, TRUNCATED, BAD_LENGTH, SEQ_ZERO, REPLAY_TOO_OLD,
 * REPLAY_DUPLICATE, AUTH_FAILED, BAD_PADDING, BAD_NEXT_HEADER, SA_STATE,
 * HARD_LIFETIME, ECN_DROP, UNSUPPORTED (fragments: reassemble first),
 * HOLD_FULL, HANDOFF_FULL, CRYPTO_ERROR.  The inbound policy check (inner
 * packet against the SA's selectors) is the caller's.  Returns n.  WORKER. */
uint16_t dp_proc_inbound(struct dp_proc *p, struct rte_mbuf **pkts, uint16_t n,
	struct dp_proc_res *res);

/* Process up to n packets other workers handed to this one; they come back
 * in pkts[] with res[] as from the calls above.  Returns how many.  WORKER. */
uint16_t dp_proc_handoff_poll(struct dp_proc *p, struct rte_mbuf **pkts, uint16_t n,
	struct dp_proc_res *res);

/* Packets released from the IDLE hold queue (their SA became ACTIVE), up to
 * n: inbound ones are already verified (FORWARD), outbound ones are
 * protected now.  Held packets whose SA died come back as drops.  Returns
 * how many.  WORKER. */
uint16_t dp_proc_hold_poll(struct dp_proc *p, struct rte_mbuf **pkts, uint16_t n,
	struct dp_proc_res *res);

#endif /* DP_PROC_H */
