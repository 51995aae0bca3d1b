/* SPDX-License-Identifier: BSD-2-Clause */
/* test_replay: the anti-replay window (dp_replay), no EAL needed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp_replay.h"

static const uint32_t windows[] = { 32, 64, 1024, 65536 };

static struct dp_replay *replay_new(uint32_t w, bool esn, uint64_t last)
{
	struct dp_replay *r = malloc(dp_replay_size(w));

	assert_non_null(r);
	assert_int_equal(dp_replay_init(r, w, esn, last), 0);
	return r;
}

/* Check, then update when the check passed (as if the ICV verified). */
static enum dp_drop receive(struct dp_replay *r, uint32_t low, uint64_t *seq)
{
	enum dp_drop why = dp_replay_check(r, low, seq);

	if (why == DP_DROP_NONE)
		why = dp_replay_update(r, *seq);
	return why;
}

/* A case: sequence number = base + w_mul * W + add, expected verdict. */
enum base { ZERO, JUMP, TOP32 };
struct rcase {
	enum base base;
	int64_t w_mul;
	int64_t add;
	enum dp_drop expect;
};

#define OK DP_DROP_NONE
#define OLD DP_DROP_REPLAY_TOO_OLD
#define DUP DP_DROP_REPLAY_DUPLICATE
#define SEQ0 DP_DROP_SEQ_ZERO

/* 32-bit sequence numbers; the same story at every window size. */
static const struct rcase plain_cases[] = {
	{ ZERO, 0, 0, SEQ0 },   /* sequence 0 never valid */
	{ ZERO, 0, 1, OK },
	{ ZERO, 0, 1, DUP },
	{ ZERO, 1, 0, OK },     /* last = W: window 1..W */
	{ ZERO, 0, 1, DUP },    /* right inside the left edge, seen */
	{ ZERO, 0, 2, OK },     /* inside, not seen */
	{ ZERO, 0, 2, DUP },
	{ ZERO, 1, 1, OK },     /* last = W + 1: window 2..W+1 */
	{ ZERO, 0, 1, OLD },    /* just fell off the left edge */
	{ ZERO, 0, 2, DUP },    /* left edge, seen */
	{ ZERO, 0, 3, OK },     /* left edge + 1, unseen */
	{ ZERO, 1, 0, DUP },
	{ ZERO, 0, 0, SEQ0 },
	{ JUMP, 0, 0, OK },     /* far jump: everything before is history */
	{ JUMP, -1, 0, OLD },   /* exactly W behind: out */
	{ JUMP, -1, 1, OK },    /* W - 1 behind: the left edge, in */
	{ JUMP, -1, 1, DUP },
	{ JUMP, 0, -1, OK },
	{ JUMP, 0, -1, DUP },
	{ JUMP, 0, 0, DUP },
	{ ZERO, 1, 1, OLD },    /* the old highest, now far behind */
	{ JUMP, 0, 1, OK },     /* one step: slides by one */
	{ JUMP, -1, 1, OLD },   /* the old left edge fell off */
	{ JUMP, 1, 0, OK },     /* exactly one window ahead */
	{ JUMP, 0, 0, OLD },    /* W behind the new highest */
	{ JUMP, 0, 1, DUP },    /* the left edge, seen before the slide */
	{ JUMP, 0, 2, OK },     /* W - 2 behind, unseen */
	{ TOP32, 0, 0, OK },    /* 2^32 - 1: the last 32-bit number */
	{ TOP32, 0, 0, DUP },
	{ TOP32, -1, 0, OLD },
	{ TOP32, -1, 1, OK },
};

static uint64_t case_seq(const struct rcase *c, uint32_t w)
{
	uint64_t base = c->base == ZERO ? 0 : c->base == JUMP ? 1000000 : UINT32_MAX;

	return (uint64_t)((int64_t)base + c->w_mul * (int64_t)w + c->add);
}

static void test_plain_table(void **state)
{
	(void)state;
	for (size_t wi = 0; wi < sizeof(windows) / sizeof(windows[0]); wi++) {
		uint32_t w = windows[wi];
		struct dp_replay *r = replay_new(w, false, 0);

		for (size_t i = 0; i < sizeof(plain_cases) / sizeof(plain_cases[0]); i++) {
			uint64_t s = case_seq(&plain_cases[i], w), got = 0;
			enum dp_drop why = receive(r, (uint32_t)s, &got);

			if (why != plain_cases[i].expect)
				fail_msg("window %u case %zu seq %llu: got %d want %d", w, i,
					(unsigned long long)s, why, plain_cases[i].expect);
			if (why == OK)
				assert_int_equal(got, s);
		}
		free(r);
	}
}

/* ESN, starting from last = 2^32 - W/2 so the window straddles the epoch
 * boundary.  The sender's number is 2^32 + add + w_mul * W; the receiver
 * infers it plus epoch_delta * 2^32 (RFC 4303 A2.2 assumes a number below
 * the window belongs to the next epoch: its ICV then fails, so such a
 * packet is checked but never updates the window). */
struct ecase {
	int64_t add;
	int64_t w_mul;
	int64_t epoch_delta;
	enum dp_drop expect;
};

static const struct ecase esn_cases[] = {
	{ 1, -1, 0, OK },          /* 2^32 - W + 1: inside, below last, unseen */
	{ 0, 0, 0, OK },           /* 2^32: low bits 0, next epoch, not "seq 0" */
	{ 0, 0, 0, DUP },
	{ 5, 0, 0, OK },           /* 2^32 + 5: last moves into epoch 1 */
	{ -1, 0, 0, OK },          /* 2^32 - 1: previous epoch, still in window */
	{ -1, 0, 0, DUP },
	{ 5, -1, 1, OK },          /* exactly W behind: read as next epoch, ICV fails */
	{ 6, -1, 0, OK },          /* W - 1 behind, across the boundary */
	{ 6, -1, 0, DUP },
	{ 4, 0, 0, OK },
	{ 5, 0, 0, DUP },
	{ 0x7fffffff, 0, 0, OK },  /* half an epoch ahead: same epoch */
	{ 6, 0, 1, OK },           /* far behind now: read as epoch 2, ICV fails */
	{ 0x7fffffff, 0, 0, DUP }, /* the failed packet moved nothing */
};

static void test_esn_table(void **state)
{
	(void)state;
	for (size_t wi = 0; wi < sizeof(windows) / sizeof(windows[0]); wi++) {
		uint32_t w = windows[wi];
		uint64_t start = (1ull << 32) - w / 2;
		struct dp_replay *r = replay_new(w, true, start);

		for (size_t i = 0; i < sizeof(esn_cases) / sizeof(esn_cases[0]); i++) {
			const struct ecase *c = &esn_cases[i];
			uint64_t sent = (uint64_t)((int64_t)(1ull << 32) + c->add +
				c->w_mul * (int64_t)w);
			uint64_t want = sent + ((uint64_t)c->epoch_delta << 32), got = 0;
			enum dp_drop why = dp_replay_check(r, (uint32_t)sent, &got);

			/* The ICV verifies only when the inferred number is the
			 * sender's. */
			if (why == OK && got == sent)
				why = dp_replay_update(r, got);
			if (why != c->expect || got != want)
				fail_msg("ESN window %u case %zu seq %#llx: got %d/%#llx want %d/%#llx",
					w, i, (unsigned long long)sent, why,
					(unsigned long long)got, c->expect,
					(unsigned long long)want);
		}
		free(r);
	}
}

/* RFC 4303 A2.2 inference, directly. */
static void test_esn_infer(void **state)
{
	static const struct {
		uint64_t last;
		uint32_t w;
		uint32_t low;
		bool ok;
		uint64_t seq;
	} cases[] = {
		/* Case A (Tl >= W - 1). */
		{ 0x100000100ull, 64, 0x100, true, 0x100000100ull },
		{ 0x100000100ull, 64, 0xc1, true, 0x1000000c1ull },   /* window bottom */
		{ 0x100000100ull, 64, 0xc0, true, 0x2000000c0ull },   /* below: next epoch */
		{ 0x1ffffffffull, 64, 0x10, true, 0x200000010ull },   /* wrap forward */
		/* Case B (Tl < W - 1). */
		{ 0x100000005ull, 64, 0xffffffc6u, true, 0xffffffc6ull }, /* bottom, epoch 0 */
		{ 0x100000005ull, 64, 0xffffffc5u, true, 0x1ffffffc5ull },
		{ 0x100000005ull, 64, 0x3, true, 0x100000003ull },
		{ 5, 64, 0xfffffff0u, false, 0 },                    /* before sequence 0 */
		{ 5, 64, 0, true, 0 },                               /* seq 0: check rejects */
		/* Replay off: inference with a 2^31 window (nearest epoch). */
		{ 0x1fffffff0ull, 0, 0x10, true, 0x200000010ull },
		{ 0x200000010ull, 0, 0xfffffff0u, true, 0x1fffffff0ull },
		/* The very top of the 64-bit space: no next epoch. */
		{ 0xffffffff00000100ull, 64, 0x10, false, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dp_replay *r = replay_new(cases[i].w, true, cases[i].last);
		uint64_t seq = 0;
		bool ok = dp_replay_infer(r, cases[i].low, &seq);

		if (ok != cases[i].ok || (ok && seq != cases[i].seq))
			fail_msg("infer case %zu: ok %d seq %#llx", i, ok, (unsigned long long)seq);
		free(r);
	}
}

/* A packet whose ICV fails is checked but never updated: nothing moves. */
static void test_check_then_update(void **state)
{
	(void)state;
	for (size_t wi = 0; wi < sizeof(windows) / sizeof(windows[0]); wi++) {
		uint32_t w = windows[wi];
		struct dp_replay *r = replay_new(w, false, 0);
		uint64_t seq;

		assert_int_equal(receive(r, 100, &seq), OK);
		/* Forged far-ahead packet: check passes, ICV fails, no update. */
		assert_int_equal(dp_replay_check(r, 100 + 10 * w, &seq), OK);
		assert_int_equal(r->last, 100);
		/* The window did not slide: 99 is still acceptable. */
		assert_int_equal(receive(r, 99, &seq), OK);
		/* Forged copy of an unseen in-window number: not marked. */
		assert_int_equal(dp_replay_check(r, 98, &seq), OK);
		assert_int_equal(dp_replay_check(r, 98, &seq), OK);
		assert_int_equal(receive(r, 98, &seq), OK);
		/* Two copies in one burst: both pass check, the second update
		 * refuses. */
		assert_int_equal(dp_replay_check(r, 150, &seq), OK);
		assert_int_equal(dp_replay_check(r, 150, &seq), OK);
		assert_int_equal(dp_replay_update(r, 150), OK);
		assert_int_equal(dp_replay_update(r, 150), DUP);
		/* An update after the window slid past it refuses too. */
		assert_int_equal(dp_replay_check(r, 151, &seq), OK);
		assert_int_equal(dp_replay_update(r, 151 + w), OK);
		assert_int_equal(dp_replay_update(r, 151), OLD);
		free(r);
	}
}

static void test_replay_off(void **state)
{
	struct dp_replay *r = replay_new(0, false, 0);
	uint64_t seq;

	(void)state;
	assert_int_equal(dp_replay_size(0), sizeof(struct dp_replay));
	assert_int_equal(receive(r, 0, &seq), OK);
	assert_int_equal(receive(r, 7, &seq), OK);
	assert_int_equal(receive(r, 7, &seq), OK);
	assert_int_equal(receive(r, 1, &seq), OK);
	assert_int_equal(r->last, 7); /* still tracked, for ESN */
	free(r);

	/* ESN with replay off still infers the high half. */
	r = replay_new(0, true, 0xfffffff0ull);
	assert_int_equal(receive(r, 0x10, &seq), OK);
	assert_int_equal(seq, 0x100000010ull);
	assert_int_equal(receive(r, 0x10, &seq), OK);
	free(r);
}

static void test_sizes(void **state)
{
	static const struct {
		uint32_t w;
		uint32_t buckets;
	} cases[] = {
		{ 0, 0 }, { 1, 2 }, { 32, 2 }, { 64, 2 }, { 65, 4 }, { 128, 4 }, { 1024, 32 },
		{ 65536, 2048 }, { 65537, 0 },
	};
	struct dp_replay r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(dp_replay_buckets(cases[i].w), cases[i].buckets);
	assert_int_equal(dp_replay_size(65537), 0);
	assert_int_equal(dp_replay_init(&r, 65537, false, 0), -EINVAL);
	assert_int_equal(dp_replay_init(&r, 0, false, 1ull << 32), -EINVAL);
}

/* Non-power-of-two windows are exact, whatever the bucket rounding. */
static void test_exact_window(void **state)
{
	static const uint32_t odd[] = { 33, 100, 1000, 65535 };

	(void)state;
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		uint32_t w = odd[i];
		struct dp_replay *r = replay_new(w, false, 0);
		uint64_t seq;

		assert_int_equal(receive(r, 5 * w, &seq), OK);
		assert_int_equal(dp_replay_check(r, 4 * w, &seq), OLD);
		assert_int_equal(dp_replay_check(r, 4 * w + 1, &seq), OK);
		free(r);
	}
}

static unsigned int rnd_state = 12345;

static unsigned int rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* Export, import into a fresh window, export again: identical, and every
 * sequence number near the window gets the same verdict from both. */
static void test_state_round_trip(void **state)
{
	static uint64_t a[DP_REPLAY_WINDOW_MAX / 64], b[DP_REPLAY_WINDOW_MAX / 64];

	(void)state;
	for (size_t wi = 0; wi < sizeof(windows) / sizeof(windows[0]); wi++) {
		uint32_t w = windows[wi];
		struct dp_replay *r = replay_new(w, true, 0);
		struct dp_replay *s = replay_new(w, true, 0);
		uint64_t seq, ha, hb, base = (1ull << 32) - w;

		for (uint32_t i = 0; i < 3 * w; i++)
			(void)receive(r, (uint32_t)(base + rnd() % (2 * w)), &seq);
		dp_replay_export(r, &ha, a);
		assert_int_equal(dp_replay_import(s, ha, a, false), 0);
		dp_replay_export(s, &hb, b);
		assert_int_equal(ha, hb);
		assert_memory_equal(a, b, (w + 63) / 64 * sizeof(uint64_t));
		assert_true((a[0] & 1) != 0); /* the highest itself was received */
		for (uint64_t q = ha - w - 2; q <= ha + 2; q++) {
			uint64_t s1, s2;

			assert_int_equal(dp_replay_check(r, (uint32_t)q, &s1),
				dp_replay_check(s, (uint32_t)q, &s2));
		}
		/* Strict take-over: everything up to the mark is refused. */
		assert_int_equal(dp_replay_import(s, ha, NULL, true), 0);
		for (uint64_t q = ha - w + 1; q <= ha; q++)
			assert_int_equal(dp_replay_check(s, (uint32_t)q, &seq), DUP);
		assert_int_equal(dp_replay_check(s, (uint32_t)(ha + 1), &seq), OK);
		free(r);
		free(s);
	}
}

/* Non-ESN import refuses a 64-bit mark; export of a fresh SA is empty. */
static void test_state_edges(void **state)
{
	struct dp_replay *r = replay_new(64, false, 0);
	uint64_t out[1] = { ~0ull }, h = 1;

	(void)state;
	dp_replay_export(r, &h, out);
	assert_int_equal(h, 0);
	assert_int_equal(out[0], 0);
	assert_int_equal(dp_replay_import(r, 1ull << 32, out, false), -EINVAL);
	/* Import near 0 never marks sequence 0. */
	assert_int_equal(dp_replay_import(r, 3, NULL, true), 0);
	dp_replay_export(r, &h, out);
	assert_int_equal(out[0], 0x7);
	free(r);
}

/* The inline fast paths of dp_replay_check()/dp_replay_update() give what
 * the out-of-line functions give: every (window, ESN, last, low) of the
 * table, and a state after update equal to the slow path's. */
static void test_fast_path_same(void **state)
{
	static const uint32_t wins[] = { 0, 32, 64 };
	static const uint64_t lasts[] = { 0, 1, 63, 64, 1000, 0xfffffff0u, 0x1fffffff0ull };
	static const uint32_t lows[] = { 0, 1, 2, 62, 63, 64, 65, 999, 1000, 1001, 1100,
		0xffffffefu, 0xfffffff0u, 0xfffffff1u, 0xffffffffu };

	(void)state;
	for (size_t w = 0; w < sizeof(wins) / sizeof(wins[0]); w++) {
		for (int esn = 0; esn < 2; esn++) {
			for (size_t l = 0; l < sizeof(lasts) / sizeof(lasts[0]); l++) {
				if (!esn && lasts[l] > UINT32_MAX)
					continue;
				for (size_t i = 0; i < sizeof(lows) / sizeof(lows[0]); i++) {
					struct dp_replay *a = replay_new(wins[w], esn, lasts[l]);
					struct dp_replay *b = replay_new(wins[w], esn, lasts[l]);
					uint64_t sa = 7, sb = 9;
					enum dp_drop wa = dp_replay_check(a, lows[i], &sa);
					enum dp_drop wb = dp_replay_check_slow(b, lows[i], &sb);

					assert_int_equal(wa, wb);
					if (wa == DP_DROP_NONE) {
						assert_int_equal(sa, sb);
						assert_int_equal(dp_replay_update(a, sa),
							dp_replay_update_slow(b, sb));
						assert_memory_equal(a, b, dp_replay_size(wins[w]));
					}
					free(a);
					free(b);
				}
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_table),
		cmocka_unit_test(test_fast_path_same),
		cmocka_unit_test(test_esn_table),
		cmocka_unit_test(test_esn_infer),
		cmocka_unit_test(test_check_then_update),
		cmocka_unit_test(test_replay_off),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_exact_window),
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_state_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
