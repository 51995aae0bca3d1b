/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_replay.c: anti-replay window with ESN reconstruction (see dp_replay.h). */
#include "dp_replay.h"

#include <errno.h>
#include <string.h>

#define BUCKET_BITS 64u
#define BUCKET_SHIFT 6u
#define ESN_INFER_WINDOW_OFF (1u << 31)

static uint32_t pow2_ceil(uint32_t v)
{
	uint32_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

uint32_t dp_replay_buckets(uint32_t window)
{
	if (window == 0 || window > DP_REPLAY_WINDOW_MAX)
		return 0;
	/* The W packets below the highest span at most ceil(W/64) + 1 buckets;
	 * the extra one lets the highest bucket be cleared for reuse while the
	 * window's oldest bucket is still live. */
	return pow2_ceil((window + BUCKET_BITS - 1) / BUCKET_BITS + 1);
}

size_t dp_replay_size(uint32_t window)
{
	if (window > DP_REPLAY_WINDOW_MAX)
		return 0;
	return sizeof(struct dp_replay) + (size_t)dp_replay_buckets(window) * sizeof(uint64_t);
}

static inline uint64_t *bucket_of(struct dp_replay *r, uint64_t seq)
{
	return &r->bitmap[(seq >> BUCKET_SHIFT) & r->mask];
}

static inline uint64_t bit_of(uint64_t seq)
{
	return 1ull << (seq & (BUCKET_BITS - 1));
}

static void mark(struct dp_replay *r, uint64_t seq)
{
	*bucket_of(r, seq) |= bit_of(seq);
}

static bool marked(const struct dp_replay *r, uint64_t seq)
{
	return (r->bitmap[(seq >> BUCKET_SHIFT) & r->mask] & bit_of(seq)) != 0;
}

int dp_replay_init(struct dp_replay *r, uint32_t window, bool esn, uint64_t last)
{
	uint32_t buckets;

	if (window > DP_REPLAY_WINDOW_MAX || (!esn && last > UINT32_MAX))
		return -EINVAL;
	buckets = dp_replay_buckets(window);
	r->last = last;
	r->window = window;
	r->mask = buckets == 0 ? 0 : buckets - 1;
	r->esn = esn;
	memset(r->reserved, 0, sizeof(r->reserved));
	memset(r->bitmap, 0, (size_t)buckets * sizeof(uint64_t));
	if (window != 0 && last != 0)
		mark(r, last);
	return 0;
}

bool dp_replay_infer(const struct dp_replay *r, uint32_t low, uint64_t *seq)
{
	uint32_t tl = (uint32_t)r->last;
	uint32_t th = (uint32_t)(r->last >> 32);
	uint32_t w = r->window != 0 ? r->window : ESN_INFER_WINDOW_OFF;
	uint32_t sh;

	if (!r->esn) {
		*seq = low;
		return true;
	}
	/* RFC 4303 A2.2.  The window's bottom is tl - w + 1 (mod 2^32). */
	if (tl >= w - 1) {
		/* Case A: the window lies within one epoch. */
		sh = low >= tl - w + 1 ? th : th + 1;
		if (low < tl - w + 1 && th == UINT32_MAX)
			return false; /* past 2^64: never valid */
	} else {
		/* Case B: the window spans the epoch boundary. */
		if (low >= tl - w + 1) { /* unsigned wrap intended */
			if (th == 0)
				return false; /* before sequence 0 */
			sh = th - 1;
		} else {
			sh = th;
		}
	}
	*seq = (uint64_t)sh << 32 | low;
	return true;
}

static enum dp_drop verdict(const struct dp_replay *r, uint64_t seq)
{
	if (seq == 0)
		return DP_DROP_SEQ_ZERO;
	if (seq > r->last)
		return DP_DROP_NONE;
	if (r->last - seq >= r->window)
		return DP_DROP_REPLAY_TOO_OLD;
	if (marked(r, seq))
		return DP_DROP_REPLAY_DUPLICATE;
	return DP_DROP_NONE;
}

enum dp_drop dp_replay_check_slow(const struct dp_replay *r, uint32_t low, uint64_t *seq)
{
	if (!dp_replay_infer(r, low, seq)) {
		/* Replay off still needs a valid 64-bit number for the ICV. */
		return DP_DROP_REPLAY_TOO_OLD;
	}
	if (r->window == 0)
		return DP_DROP_NONE;
	return verdict(r, *seq);
}

enum dp_drop dp_replay_update_slow(struct dp_replay *r, uint64_t seq)
{
	enum dp_drop why;

	if (r->window == 0) {
		/* Only track the highest, for ESN inference. */
		if (seq > r->last)
			__atomic_store_n(&r->last, seq, __ATOMIC_RELAXED);
		return DP_DROP_NONE;
	}
	why = verdict(r, seq);
	if (why != DP_DROP_NONE)
		return why;
	if (seq > r->last) {
		uint64_t from = r->last >> BUCKET_SHIFT, to = seq >> BUCKET_SHIFT;
		uint64_t n = to - from;

		if (n > r->mask)
			n = (uint64_t)r->mask + 1; /* far jump: every bucket once */
		for (uint64_t i = 1; i <= n; i++)
			r->bitmap[(from + i) & r->mask] = 0;
		/* CONTROL reads last for statistics: store it untorn. */
		__atomic_store_n(&r->last, seq, __ATOMIC_RELAXED);
	}
	mark(r, seq);
	return DP_DROP_NONE;
}

void dp_replay_export(const struct dp_replay *r, uint64_t *highest, uint64_t *out)
{
	uint32_t words = (r->window + BUCKET_BITS - 1) / BUCKET_BITS;

	*highest = r->last;
	memset(out, 0, (size_t)words * sizeof(uint64_t));
	for (uint32_t i = 0; i < r->window && i <= r->last; i++) {
		if (marked(r, r->last - i))
			out[i / BUCKET_BITS] |= 1ull << (i % BUCKET_BITS);
	}
}

int dp_replay_import(struct dp_replay *r, uint64_t highest, const uint64_t *in, bool set_all)
{
	if (!r->esn && highest > UINT32_MAX)
		return -EINVAL;
	r->last = highest;
	if (r->window == 0)
		return 0;
	memset(r->bitmap, 0, ((size_t)r->mask + 1) * sizeof(uint64_t));
	for (uint32_t i = 0; i < r->window && i <= highest; i++) {
		if (highest - i == 0)
			break; /* sequence 0 is never a packet */
		if (set_all || (in[i / BUCKET_BITS] >> (i % BUCKET_BITS) & 1))
			mark(r, highest - i);
	}
	return 0;
}
