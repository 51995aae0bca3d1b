/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_spd_priv.h: the SPD's policy sets and per-worker state, for dp_spd.c
 * and its tests.
 *
 * A set is immutable once published.  CONTROL builds it, stores it in
 * dp_spd.cur (release) and retires the old one with an RCU token; a worker
 * loads dp_spd.cur once per call (acquire) and uses that one set for the
 * whole burst, so a burst never mixes sets.  A retired set is freed when
 * rte_rcu_qsbr_check() says every worker has reported quiescence since.
 */
#ifndef DP_SPD_PRIV_H
#define DP_SPD_PRIV_H

#include <stdalign.h>
#include <stdint.h>

#include "dpsec/dp.h"

struct rte_acl_ctx;
struct dp_ctx;

/* rte_acl contexts of a set: [direction][family]. */
enum { DP_SPD_OUT = 0, DP_SPD_IN = 1 };
enum { DP_SPD_V4 = 0, DP_SPD_V6 = 1 };

/* ACQUIRE rate limit per worker: a 4-way set-associative table of the
 * (policy, flow) keys that posted lately; the oldest way is replaced. */
#define DP_SPD_ACQ_SETS 64u
#define DP_SPD_ACQ_WAYS 4u

/* An inbound SA listed by a policy: (sa, position of the policy). */
struct dp_spd_insa {
	dp_sa_handle_t sa;
	uint32_t pos;
	uint32_t reserved;
};

struct dp_spd_set {
	uint64_t generation;
	uint32_t n;                      /* rules */
	uint32_t acl_rules;              /* rte_acl entries over all contexts */
	/* Rules in match order (priority, then index); an rte_acl match
	 * returns userdata = position + 1. */
	struct dp_policy *rules;
	/* Outbound verdict of each rule, copied to the result as is. */
	struct dp_spd_result *tmpl;
	struct rte_acl_ctx *acl[2][2];   /* NULL: no entries (no match) */
	struct dp_spd_insa *insa;        /* sorted by (sa, pos) */
	uint32_t n_insa;
	/* CONTROL only, once retired. */
	uint64_t token;
	struct dp_spd_set *next;
};

struct dp_spd_acq_slot {
	uint64_t key;                    /* policy index << 32 | flow hash */
	uint64_t tsc;                    /* when it last posted */
};

/* One worker's counters and ACQUIRE limiter: that worker writes them. */
struct dp_spd_worker {
	alignas(64) uint64_t lookups;
	uint64_t acquire_posted;
	uint64_t acquire_suppressed;
	uint64_t acquire_lost;
	uint64_t mismatches;
	uint64_t window_tsc;             /* start of the current second */
	uint32_t window_posted;          /* ACQUIREs posted in it */
	uint32_t reserved;
	struct dp_spd_acq_slot acq[DP_SPD_ACQ_SETS][DP_SPD_ACQ_WAYS];
};

struct dp_spd {
	struct dp_ctx *ctx;
	struct dp_spd_set *cur;          /* published (RCU) */
	struct dp_spd_set *retired;      /* CONTROL: waiting for grace periods */
	uint64_t generation;
	uint64_t build_ns;
	uint64_t acq_interval_tsc;
	uint64_t tsc_hz;
	uint32_t acq_per_s;
	uint32_t name_seq;               /* unique rte_acl context names */
	uint16_t workers;
	struct dp_spd_worker *w;         /* workers entries */
};

#endif /* DP_SPD_PRIV_H */
