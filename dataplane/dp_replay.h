/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_replay.h: the inbound anti-replay window (RFC 4303 section 3.4.3 and
 * appendix A; RFC 4302 section 3.4.3 for AH).
 *
 * A window of W packets (1..65536; 0 = replay protection off) kept as a ring
 * of 64-bit buckets, the number of buckets a power of two with one spare, so
 * sliding the window clears whole buckets and every operation is O(1) (a
 * far jump clears at most all buckets once).  The check compares against
 * the configured W exactly; the spare bits are never consulted.
 *
 * Use: dp_replay_check() before decryption (it also reconstructs the 64-bit
 * ESN from the 32 bits on the wire), dp_replay_update() only after the ICV
 * verified.  update re-checks, because two copies of one packet in a burst
 * both pass check before either updates.  A packet whose ICV fails never
 * reaches update, so a forged packet cannot move the window.
 *
 * Single writer: the SA's owner worker.  Pure C, no DPDK; caller allocates
 * dp_replay_size(window) bytes (any alignment of 8), dp_replay_init() fills.
 */
#ifndef DP_REPLAY_H
#define DP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_counters.h"

struct dp_replay {
	uint64_t last;       /* highest sequence number accepted (64-bit) */
	uint32_t window;     /* W in packets; 0 = off */
	uint32_t mask;       /* buckets - 1 */
	bool esn;
	uint8_t reserved[7];
	uint64_t bitmap[];   /* mask + 1 buckets; seq s is bit s%64 of bucket (s/64)&mask */
};

/* Bytes needed for a window of `window` packets, 0 when window > 65536. */
size_t dp_replay_size(uint32_t window);

/* Number of 64-bit buckets used for a window (0 when off). */
uint32_t dp_replay_buckets(uint32_t window);

/* Initialise: window W, ESN or not, highest sequence number already accepted
 * `last` (0 for a new SA; it is marked received when nonzero).  -EINVAL when
 * window > 65536 or a non-ESN last >= 2^32. */
int dp_replay_init(struct dp_replay *r, uint32_t window, bool esn, uint64_t last);

/* Reconstruct the 64-bit sequence number from the low 32 bits on the wire
 * (RFC 4303 A2.2).  Non-ESN: seq = low.  Returns false when the inferred
 * number would lie before sequence 0 (counted as too old).  With replay off
 * the window used for inference is 2^31 (the nearest epoch wins). */
bool dp_replay_infer(const struct dp_replay *r, uint32_t low, uint64_t *seq);

/* Check before ICV verification.  *seq gets the inferred 64-bit sequence
 * number (the ESN high half goes into the ICV).  DP_DROP_NONE = may pass;
 * else DP_DROP_SEQ_ZERO, DP_DROP_REPLAY_TOO_OLD or DP_DROP_REPLAY_DUPLICATE.
 * Replay off: always passes.  Does not modify the window. */
enum dp_drop dp_replay_check_slow(const struct dp_replay *r, uint32_t low, uint64_t *seq);

static inline enum dp_drop dp_replay_check(const struct dp_replay *r, uint32_t low,
	uint64_t *seq)
{
	/* Without ESN, replay off or the newest number yet passes without a
	 * call (dp_replay_check_slow() gives the same verdict). */
	if (!r->esn && (r->window == 0 || (low != 0 && low > r->last))) {
		*seq = low;
		return DP_DROP_NONE;
	}
	return dp_replay_check_slow(r, low, seq);
}

/* After the ICV verified: re-check `seq` (from check) and mark it received,
 * sliding the window forward if it is the new highest.  Returns DP_DROP_NONE
 * or the reason it must be dropped after all (a copy updated first). */
enum dp_drop dp_replay_update_slow(struct dp_replay *r, uint64_t seq);

static inline enum dp_drop dp_replay_update(struct dp_replay *r, uint64_t seq)
{
	if (r->window == 0) {
		/* Only track the highest, for ESN inference. */
		if (seq > r->last)
			__atomic_store_n(&r->last, seq, __ATOMIC_RELAXED);
		return DP_DROP_NONE;
	}
	return dp_replay_update_slow(r, seq);
}

/* Export: *highest, and bit i of out (words of 64) = seq (highest - i)
 * received, for i < window; out must hold (window + 63) / 64 words. */
void dp_replay_export(const struct dp_replay *r, uint64_t *highest, uint64_t *out);

/* Import the exported form.  set_all ignores `in` and marks every sequence
 * number in the window up to highest as received.  -EINVAL for a non-ESN
 * highest >= 2^32. */
int dp_replay_import(struct dp_replay *r, uint64_t highest, const uint64_t *in, bool set_all);

#endif /* DP_REPLAY_H */
