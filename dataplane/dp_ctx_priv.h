/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_ctx_priv.h: the dataplane context, for the dataplane's own files.
 *
 * After dp_create() returns, every field here is read-only except: the SA
 * table (CONTROL writes, RCU), each worker's struct dp_worker (that worker
 * writes it; CONTROL reads counters relaxed), and the event queue (MP/SC).
 */
#ifndef DP_CTX_PRIV_H
#define DP_CTX_PRIV_H

#include <stdint.h>

#include "dpsec/dp.h"
#include "dp_worker.h"

struct rte_rcu_qsbr;
struct dp_sadb;
struct dp_event_queue;
struct dp_crypto;

struct dp_ctx {
	struct dp_config cfg;
	char name[17];          /* cfg.name copied: <= 16 chars */
	struct rte_rcu_qsbr *qsbr;   /* one thread id per worker */
	struct dp_sadb *sadb;
	struct dp_event_queue *events;
	struct dp_worker *workers;   /* cfg.workers entries, cache-aligned */
	struct dp_crypto *crypto;    /* engines; one session per SA (dp_sa.crypto) */
	/* Coarse wall clock for workers without syscalls: epoch seconds at
	 * creation plus TSC cycles since, divided by the TSC rate. */
	uint64_t clock_base_s;
	uint64_t clock_base_tsc;
	uint64_t tsc_hz;
};

/* The RCU thread id of the telemetry reader (dp_telemetry.h): the one
 * after the workers' ids 0..cfg.workers-1. */
#define DP_CTX_RCU_TELEMETRY(ctx) ((unsigned int)(ctx)->cfg.workers)

/* Seconds since the epoch, from the TSC.  ANY. */
uint64_t dp_ctx_now(const struct dp_ctx *ctx);

#endif /* DP_CTX_PRIV_H */
