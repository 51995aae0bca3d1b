/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_counters.h: per-SA and per-worker counters, and the burst tally.
 *
 * The drop reasons themselves are one X-macro list, DP_DROP_REASONS in
 * dpsec/dp.h, because control/ and telemetry need the names too.
 *
 * Single writer: per-SA counters are written only by the SA's owner worker,
 * per-worker counters only by that worker.  No read-modify-write atomics:
 * the writer does a plain load and a relaxed atomic store (a plain mov on
 * x86-64), so the control thread's relaxed loads never see a torn value.
 * Packets count into a dp_drop_tally per burst, which is added to the
 * counters once at the end of the burst (one store per reason seen).
 *
 * Pure C; no DPDK.
 */
#ifndef DP_COUNTERS_H
#define DP_COUNTERS_H

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "dpsec/dp.h"

static_assert(DP_DROP_COUNT <= 64, "dp_drop_tally.seen is a 64-bit mask");

/* Owner-written counters of one SA. */
struct dp_sa_counters {
	uint64_t packets;
	uint64_t bytes;
	uint64_t drops[DP_DROP_COUNT];
};

/* Counters of one worker (written by that worker only). */
struct dp_worker_counters {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t handoff_out;
	uint64_t handoff_in;
	uint64_t events_lost;
	uint64_t drops[DP_DROP_COUNT];
};

/* Drops seen during one burst, by reason. */
struct dp_drop_tally {
	uint64_t seen; /* bit r set: count[r] != 0 */
	uint32_t count[DP_DROP_COUNT];
};

/* Single-writer increment: the owner adds, readers load relaxed. */
static inline void dp_counter_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

/* Reader side of a single-writer counter (any thread). */
static inline uint64_t dp_counter_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

static inline void dp_drop_tally_reset(struct dp_drop_tally *t)
{
	/* Only the reasons seen need clearing. */
	uint64_t seen = t->seen;

	while (seen != 0) {
		unsigned int r = (unsigned int)__builtin_ctzll(seen);

		t->count[r] = 0;
		seen &= seen - 1;
	}
	t->seen = 0;
}

static inline void dp_drop_tally_init(struct dp_drop_tally *t)
{
	memset(t, 0, sizeof(*t));
}

/* Count one drop for `reason` (DP_DROP_NONE is ignored). */
static inline void dp_drop_tally_add(struct dp_drop_tally *t, enum dp_drop reason)
{
	if (reason <= DP_DROP_NONE || reason >= DP_DROP_COUNT)
		return;
	t->count[reason]++;
	t->seen |= 1ull << reason;
}

/* Add a burst's tally to a drop counter array (per SA or per worker). */
static inline void dp_drop_tally_flush(const struct dp_drop_tally *t, uint64_t *drops)
{
	uint64_t seen = t->seen;

	while (seen != 0) {
		unsigned int r = (unsigned int)__builtin_ctzll(seen);

		dp_counter_add(&drops[r], t->count[r]);
		seen &= seen - 1;
	}
}

/* Sum of a tally (for tests and burst accounting). */
static inline uint64_t dp_drop_tally_total(const struct dp_drop_tally *t)
{
	uint64_t seen = t->seen, sum = 0;

	while (seen != 0) {
		sum += t->count[__builtin_ctzll(seen)];
		seen &= seen - 1;
	}
	return sum;
}

#endif /* DP_COUNTERS_H */
