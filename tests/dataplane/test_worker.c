/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_worker: what the packet path does around an SA -- state admission,
 * the IDLE hold queue, hand-off between workers, burst accounting with
 * lifetime and lease events, per-SA and per-worker drop counters.
 * Packets are fake pointers: nothing here dereferences an mbuf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dpsec/dp.h"
#include "dp_ctx_priv.h"
#include "dp_hold.h"
#include "dp_sadb.h"
#include "dp_worker.h"
#include "dp_test_eal.h"

#define PKT(n) ((struct rte_mbuf *)(uintptr_t)(0x1000 + 0x100 * (n)))

static struct dp_ctx *ctx_new(uint16_t workers, uint32_t handoff, uint32_t hold, const char *name)
{
	struct dp_config cfg;
	struct dp_ctx *ctx;

	dp_config_default(&cfg);
	cfg.max_sas = 64;
	cfg.workers = workers;
	cfg.handoff_ring_size = handoff;
	cfg.hold_max = hold;
	cfg.name = name;
	ctx = dp_create(&cfg);
	assert_non_null(ctx);
	return ctx;
}

static struct dp_sa *add_sa(struct dp_ctx *ctx, uint8_t dir, uint32_t spi, uint8_t st,
	dp_sa_handle_t *h)
{
	struct dp_sa_params p;

	memset(&p, 0, sizeof(p));
	p.spi = spi;
	p.satype = SADB_SATYPE_ESP;
	p.dir = dir;
	p.mode = DP_MODE_TUNNEL;
	p.state = st;
	p.src.family = p.dst.family = AF_INET;
	p.dst.bytes[0] = 10;
	p.dst.bytes[3] = 1;
	p.encr_alg = SADB_EALG_AES_GCM_16;
	p.encr_key_len = 16;
	p.salt_len = 4; /* GCM needs its salt (the crypto session checks) */
	p.replay_window = dir == DP_DIR_IN ? 64 : 0;
	assert_int_equal(dp_sa_add(ctx, &p, h), 0);
	return dp_sadb_get(ctx->sadb, *h);
}

/* State x direction x verified -> admission, one row each. */
static void test_admit_table(void **state)
{
	static const struct {
		uint8_t state;
		uint8_t dir;
		bool verified;
		enum dp_sa_admit expect;
	} cases[] = {
		{ SADB_SASTATE_LARVAL, DP_DIR_IN, false, DP_SA_DROP },
		{ SADB_SASTATE_MATURE, DP_DIR_IN, false, DP_SA_PASS },
		{ SADB_SASTATE_DYING, DP_DIR_OUT, false, DP_SA_PASS },
		{ SADB_SASTATE_DEAD, DP_DIR_IN, true, DP_SA_DROP },
		{ SADB_SASTATE_DEAD, DP_DIR_OUT, false, DP_SA_DROP },
		{ SADB_X_SASTATE_ACTIVE_ELSEWHERE, DP_DIR_IN, false, DP_SA_DROP },
		{ SADB_X_SASTATE_ACTIVE_ELSEWHERE, DP_DIR_IN, true, DP_SA_DROP },
		{ SADB_X_SASTATE_ACTIVE_ELSEWHERE, DP_DIR_OUT, false, DP_SA_DROP },
		{ SADB_X_SASTATE_IDLE, DP_DIR_IN, false, DP_SA_PASS }, /* verify first */
		{ SADB_X_SASTATE_IDLE, DP_DIR_IN, true, DP_SA_HOLD },
		{ SADB_X_SASTATE_IDLE, DP_DIR_OUT, false, DP_SA_HOLD },
		{ SADB_X_SASTATE_ACTIVE, DP_DIR_IN, true, DP_SA_PASS },
		{ SADB_X_SASTATE_ACTIVE, DP_DIR_OUT, false, DP_SA_PASS },
	};
	struct dp_ctx *ctx = ctx_new(1, 64, 16, "w_admit");

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dp_sa_handle_t h;
		struct dp_sa *sa = add_sa(ctx, cases[i].dir, 0x100 + (uint32_t)i, cases[i].state,
			&h);
		enum dp_drop why = DP_DROP_NONE;
		enum dp_sa_admit got = dp_sa_admit(sa, cases[i].verified, &why);

		if (got != cases[i].expect)
			fail_msg("case %zu: admit %d want %d", i, got, cases[i].expect);
		if (got == DP_SA_DROP)
			assert_int_equal(why, DP_DROP_SA_STATE);
		if (got == DP_SA_HOLD)
			assert_int_equal(dp_sa_take_events(sa), DP_SA_EV_IDLE_TRAFFIC);
	}
	dp_destroy(ctx);
}

/* IDLE: packets held (bounded), one event; ACTIVE releases them in order;
 * DEAD or delete drops them. */
static void test_hold(void **state)
{
	struct dp_ctx *ctx = ctx_new(1, 64, 4, "w_hold");
	struct dp_hold *hold = dp_worker_get(ctx, 0)->hold;
	struct rte_mbuf *out[8], *drop[8];
	dp_sa_handle_t ha, hb, oh[8];
	struct dp_sa *a = add_sa(ctx, DP_DIR_IN, 0x1, SADB_X_SASTATE_IDLE, &ha);
	struct dp_sa *b = add_sa(ctx, DP_DIR_IN, 0x2, SADB_X_SASTATE_IDLE, &hb);
	struct dp_sa_stats st;
	enum dp_drop why;
	unsigned int nd;
	uint64_t now = dp_ctx_now(ctx);

	(void)state;
	assert_int_equal(dp_sa_admit(a, true, &why), DP_SA_HOLD);
	assert_int_equal(dp_sa_admit(a, true, &why), DP_SA_HOLD);
	assert_int_equal(dp_sa_take_events(a), DP_SA_EV_IDLE_TRAFFIC); /* once */
	assert_int_equal(dp_hold_add(hold, a, PKT(1), now), 0);
	assert_int_equal(dp_hold_add(hold, b, PKT(2), now), 0);
	assert_int_equal(dp_hold_add(hold, a, PKT(3), now), 0);
	assert_int_equal(dp_hold_add(hold, b, PKT(4), now), 0);
	assert_int_equal(dp_hold_add(hold, a, PKT(5), now), -ENOBUFS); /* bounded */
	assert_int_equal(dp_sa_get_stats(ctx, ha, &st), 0);
	assert_int_equal(st.held, 2);

	/* Still IDLE: nothing moves. */
	assert_int_equal(dp_hold_poll(hold, ctx->sadb, now, out, oh, 8, drop, &nd), 0);
	assert_int_equal(nd, 0);
	/* a ACTIVE: its two go, in order; b's stay. */
	assert_int_equal(dp_sa_set_state(ctx, ha, SADB_X_SASTATE_ACTIVE), 0);
	assert_int_equal(dp_hold_poll(hold, ctx->sadb, now, out, oh, 8, drop, &nd), 2);
	assert_ptr_equal(out[0], PKT(1));
	assert_ptr_equal(out[1], PKT(3));
	assert_int_equal(oh[0], ha);
	assert_int_equal(nd, 0);
	assert_int_equal(hold->count, 2);
	assert_int_equal(dp_sa_get_stats(ctx, ha, &st), 0);
	assert_int_equal(st.held, 0);
	/* A new IDLE spell reports again. */
	assert_int_equal(dp_sa_set_state(ctx, ha, SADB_X_SASTATE_IDLE), 0);
	assert_int_equal(dp_sa_admit(a, true, &why), DP_SA_HOLD);
	assert_int_equal(dp_sa_take_events(a), DP_SA_EV_IDLE_TRAFFIC);
	/* b DEAD: its packets are dropped. */
	assert_int_equal(dp_sa_set_state(ctx, hb, SADB_SASTATE_DEAD), 0);
	assert_int_equal(dp_hold_poll(hold, ctx->sadb, now, out, oh, 8, drop, &nd), 0);
	assert_int_equal(nd, 2);
	assert_ptr_equal(drop[0], PKT(2));
	assert_ptr_equal(drop[1], PKT(4));
	assert_int_equal(hold->count, 0);

	/* Deleted while held: dropped; too old: dropped. */
	assert_int_equal(dp_hold_add(hold, a, PKT(6), now), 0);
	assert_int_equal(dp_sa_delete(ctx, ha), 0);
	assert_int_equal(dp_hold_poll(hold, ctx->sadb, now, out, oh, 8, drop, &nd), 0);
	assert_int_equal(nd, 1);
	a = add_sa(ctx, DP_DIR_IN, 0x3, SADB_X_SASTATE_IDLE, &ha);
	assert_int_equal(dp_hold_add(hold, a, PKT(7), now), 0);
	assert_int_equal(dp_hold_poll(hold, ctx->sadb, now + 1000, out, oh, 8, drop, &nd), 0);
	assert_int_equal(nd, 1);
	assert_ptr_equal(drop[0], PKT(7));
	dp_destroy(ctx);
}

static void test_handoff(void **state)
{
	struct dp_ctx *ctx = ctx_new(2, 4, 16, "w_handoff");
	struct rte_mbuf *pkts[6] = { PKT(1), PKT(2), PKT(3), PKT(4), PKT(5), PKT(6) };
	struct rte_mbuf *got[8];
	struct dp_worker_stats s0, s1;

	(void)state;
	assert_int_equal(dp_worker_handoff(ctx, 0, 1, pkts, 6), 4); /* ring of 4 */
	assert_int_equal(dp_worker_handoff_take(ctx, 1, got, 8), 4);
	for (unsigned int i = 0; i < 4; i++)
		assert_ptr_equal(got[i], pkts[i]);
	assert_int_equal(dp_worker_handoff_take(ctx, 1, got, 8), 0);
	assert_int_equal(dp_worker_get_stats(ctx, 0, &s0), 0);
	assert_int_equal(dp_worker_get_stats(ctx, 1, &s1), 0);
	assert_int_equal(s0.handoff_out, 4);
	assert_int_equal(s0.drops[DP_DROP_HANDOFF_FULL], 2);
	assert_int_equal(s1.handoff_in, 4);
	assert_int_equal(dp_worker_get_stats(ctx, 2, &s1), -EINVAL);
	dp_destroy(ctx);
}

static int take_types(struct dp_ctx *ctx, uint32_t *mask)
{
	struct dp_event ev[16];
	int n = dp_event_poll(ctx, ev, 16);

	*mask = 0;
	for (int i = 0; i < n; i++)
		*mask |= 1u << ev[i].type;
	return n;
}

/* Burst accounting: counters, last use, soft/hard limits, lease events;
 * events lost to a full ring are raised again next burst. */
static void test_burst_done(void **state)
{
	struct dp_config cfg;
	struct dp_ctx *ctx;
	struct dp_drop_tally tally;
	struct dp_sa_stats st;
	struct dp_worker_stats ws;
	dp_sa_handle_t h;
	struct dp_sa *sa;
	enum dp_drop why;
	uint32_t mask;
	uint64_t seq;

	(void)state;
	dp_config_default(&cfg);
	cfg.max_sas = 64;
	cfg.event_ring_size = 2;
	cfg.name = "w_burst";
	ctx = dp_create(&cfg);
	assert_non_null(ctx);
	sa = add_sa(ctx, DP_DIR_OUT, 0x9, SADB_SASTATE_MATURE, &h);
	assert_int_equal(dp_sa_set_lease(ctx, h, 11), 0);
	sa->soft.packets = 3;
	sa->hard.packets = 6;
	sa->soft.bytes = 1000;

	/* Burst 1: 4 packets, 400 bytes -> soft packets and lease low (5). */
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(dp_seq_next(&sa->rt.out, &seq), DP_DROP_NONE);
	dp_drop_tally_init(&tally);
	dp_drop_tally_add(&tally, DP_DROP_NO_BUFFER);
	dp_drop_tally_add(&tally, DP_DROP_NO_BUFFER);
	dp_drop_tally_add(&tally, DP_DROP_CRYPTO_ERROR);
	dp_drop_tally_add(&tally, DP_DROP_NONE); /* ignored */
	assert_int_equal(dp_drop_tally_total(&tally), 3);
	dp_worker_sa_burst_done(ctx, 0, sa, 4, 400, &tally);
	assert_int_equal(take_types(ctx, &mask), 1);
	assert_int_equal(mask, 1u << DP_EVENT_SOFT_PACKETS);
	assert_int_equal(dp_sa_get_stats(ctx, h, &st), 0);
	assert_int_equal(st.packets, 4);
	assert_int_equal(st.bytes, 400);
	assert_int_equal(st.drops[DP_DROP_NO_BUFFER], 2);
	assert_int_equal(st.drops[DP_DROP_CRYPTO_ERROR], 1);
	assert_true(st.last_use != 0);
	dp_drop_tally_reset(&tally);
	assert_int_equal(dp_drop_tally_total(&tally), 0);

	/* Burst 2: packets 5..6 -> lease low (5 >= 5), hard packets, soft
	 * bytes: three events, ring of 2: one is lost, raised again later. */
	for (unsigned int i = 0; i < 2; i++)
		assert_int_equal(dp_seq_next(&sa->rt.out, &seq), DP_DROP_NONE);
	dp_worker_sa_burst_done(ctx, 0, sa, 2, 600, NULL);
	assert_int_equal(take_types(ctx, &mask), 2);
	assert_int_equal(dp_worker_get_stats(ctx, 0, &ws), 0);
	assert_int_equal(ws.events_lost, 1);
	dp_worker_sa_burst_done(ctx, 0, sa, 0, 0, NULL);
	{
		uint32_t mask2;

		assert_int_equal(take_types(ctx, &mask2), 1);
		mask |= mask2;
	}
	assert_int_equal(mask, 1u << DP_EVENT_HARD_PACKETS | 1u << DP_EVENT_SOFT_BYTES |
		1u << DP_EVENT_LEASE_LOW);
	/* Hard limit reached: the SA now drops. */
	assert_int_equal(dp_sa_admit(sa, false, &why), DP_SA_DROP);
	assert_int_equal(why, DP_DROP_HARD_LIFETIME);

	/* Lease end: the event arrives with the last number sent. */
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(dp_seq_next(&sa->rt.out, &seq), DP_DROP_NONE);
	assert_int_equal(dp_seq_next(&sa->rt.out, &seq), DP_DROP_LEASE_EXHAUSTED);
	dp_worker_sa_burst_done(ctx, 0, sa, 0, 0, NULL);
	{
		struct dp_event ev[4];

		assert_int_equal(dp_event_poll(ctx, ev, 4), 1);
		assert_int_equal(ev[0].type, DP_EVENT_LEASE_EXHAUSTED);
		assert_int_equal(ev[0].sa, h);
		assert_int_equal(ev[0].value, 10);
	}
	/* Per-worker drops. */
	dp_drop_tally_add(&tally, DP_DROP_NO_SA);
	dp_worker_count_drops(ctx, 0, &tally);
	assert_int_equal(dp_worker_get_stats(ctx, 0, &ws), 0);
	assert_int_equal(ws.drops[DP_DROP_NO_SA], 1);
	dp_destroy(ctx);
}

/* The worker's cached clock: burst accounting stamps last use with it, it
 * does not move between refreshes, and registration, each quiescent state
 * and going online refresh it (time is moved by shifting the context's TSC
 * base back).  Hard byte lifetimes expire in the burst that crosses them,
 * whatever the clock. */
static void test_clock(void **state)
{
	static const struct {
		const char *how;   /* what refreshes the clock */
		uint64_t shift_s;  /* seconds the clock moves first */
	} steps[] = {
		{ "quiescent", 100 },
		{ "online", 3600 },
		{ "quiescent", 0 },
	};
	struct dp_ctx *ctx = ctx_new(1, 16, 16, "w_clock");
	struct dp_sa_stats st;
	dp_sa_handle_t h;
	struct dp_sa *sa;
	enum dp_drop why;
	uint64_t before, expect;

	(void)state;
	sa = add_sa(ctx, DP_DIR_OUT, 0x11, SADB_SASTATE_MATURE, &h);
	/* Before any refresh: the context's creation time, never 0. */
	assert_int_equal(dp_worker_now(ctx, 0), ctx->clock_base_s);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	before = dp_worker_now(ctx, 0);
	assert_true(before <= dp_ctx_now(ctx) && before + 1 >= dp_ctx_now(ctx));
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		before = dp_worker_now(ctx, 0);
		ctx->clock_base_tsc -= steps[i].shift_s * ctx->tsc_hz;
		/* Not refreshed yet: the burst's last use is the cached clock. */
		dp_worker_sa_burst_done(ctx, 0, sa, 1, 100, NULL);
		assert_int_equal(dp_sa_get_stats(ctx, h, &st), 0);
		assert_int_equal(st.last_use, before);
		if (strcmp(steps[i].how, "online") == 0) {
			dp_worker_offline(ctx, 0);
			dp_worker_online(ctx, 0);
		} else {
			dp_worker_quiescent(ctx, 0);
		}
		expect = before + steps[i].shift_s;
		assert_true(dp_worker_now(ctx, 0) >= expect);
		assert_true(dp_worker_now(ctx, 0) <= dp_ctx_now(ctx));
		dp_worker_sa_burst_done(ctx, 0, sa, 1, 100, NULL);
		assert_int_equal(dp_sa_get_stats(ctx, h, &st), 0);
		assert_int_equal(st.last_use, dp_worker_now(ctx, 0));
	}
	/* A hard byte limit expires the SA in the burst that crosses it. */
	sa->hard.bytes = st.bytes + 50;
	assert_int_equal(dp_sa_admit(sa, false, &why), DP_SA_PASS);
	dp_worker_sa_burst_done(ctx, 0, sa, 1, 100, NULL);
	assert_int_equal(dp_sa_admit(sa, false, &why), DP_SA_DROP);
	assert_int_equal(why, DP_DROP_HARD_LIFETIME);
	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	dp_destroy(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admit_table),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_handoff),
		cmocka_unit_test(test_burst_done),
		cmocka_unit_test(test_clock),
	};
	int ret;

	if (dp_test_eal_init("worker", 256) != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	dp_test_eal_fini();
	return ret;
}
