/* SPDX-License-Identifier: BSD-2-Clause */
/* test_seq: outbound sequence numbers and leases (dp_seq.h), no EAL. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dp_seq.h"

/* Send up to n packets; count what went, remember the last refusal. */
struct run {
	uint64_t sent;
	uint64_t first;
	uint64_t last;
	enum dp_drop refused;
	uint64_t refusals;
};

static struct run send_n(struct dp_seq *s, uint64_t n)
{
	struct run r = { 0 };

	for (uint64_t i = 0; i < n; i++) {
		uint64_t seq = 0;
		enum dp_drop why = dp_seq_next(s, &seq);

		if (why != DP_DROP_NONE) {
			r.refused = why;
			r.refusals++;
			continue;
		}
		if (r.sent == 0)
			r.first = seq;
		else
			assert_int_equal(seq, r.last + 1); /* strictly consecutive */
		r.last = seq;
		r.sent++;
	}
	return r;
}

static const struct {
	const char *what;
	bool esn;
	uint64_t last;    /* initial */
	uint64_t limit;   /* lease, 0 = none */
	uint64_t tries;
	uint64_t sent;    /* expected */
	uint64_t final;   /* expected last number sent */
	enum dp_drop refused;
	uint32_t events;  /* expected DP_SEQ_EV_* after the run */
} cases[] = {
	{ "new SA", false, 0, 0, 10, 10, 10, DP_DROP_NONE, 0 },
	{ "32-bit end", false, UINT32_MAX - 3, 0, 10, 3, UINT32_MAX, DP_DROP_SEQ_EXHAUSTED,
		DP_SEQ_EV_SEQ_EXHAUSTED },
	{ "32-bit already at end", false, UINT32_MAX, 0, 5, 0, 0, DP_DROP_SEQ_EXHAUSTED,
		DP_SEQ_EV_SEQ_EXHAUSTED },
	{ "ESN crosses 2^32", true, UINT32_MAX - 1, 0, 4, 4, (1ull << 32) + 2, DP_DROP_NONE, 0 },
	{ "ESN end", true, UINT64_MAX - 2, 0, 5, 2, UINT64_MAX, DP_DROP_SEQ_EXHAUSTED,
		DP_SEQ_EV_SEQ_EXHAUSTED },
	{ "lease stops below limit", false, 0, 101, 200, 100, 100, DP_DROP_LEASE_EXHAUSTED,
		DP_SEQ_EV_LEASE_LOW | DP_SEQ_EV_LEASE_EXHAUSTED },
	{ "lease not yet half used", false, 0, 101, 49, 49, 49, DP_DROP_NONE, 0 },
	{ "lease half used", false, 0, 101, 50, 50, 50, DP_DROP_NONE, DP_SEQ_EV_LEASE_LOW },
	{ "lease at last + 1", false, 10, 11, 3, 0, 0, DP_DROP_LEASE_EXHAUSTED,
		DP_SEQ_EV_LEASE_EXHAUSTED },
	{ "lease below last", false, 1000, 10, 3, 0, 0, DP_DROP_LEASE_EXHAUSTED,
		DP_SEQ_EV_LEASE_EXHAUSTED },
	{ "sequence end before lease", false, UINT32_MAX - 1, UINT64_MAX, 3, 1, UINT32_MAX,
		DP_DROP_SEQ_EXHAUSTED, DP_SEQ_EV_SEQ_EXHAUSTED },
	{ "ESN lease above 2^32", true, UINT32_MAX, (1ull << 32) + 5, 10, 5,
		(1ull << 32) + 4, DP_DROP_LEASE_EXHAUSTED,
		DP_SEQ_EV_LEASE_LOW | DP_SEQ_EV_LEASE_EXHAUSTED },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dp_seq s;
		struct run r;
		uint32_t ev;

		assert_int_equal(dp_seq_init(&s, cases[i].esn, cases[i].last, cases[i].limit), 0);
		r = send_n(&s, cases[i].tries);
		ev = dp_seq_take_events(&s);
		if (r.sent != cases[i].sent || (r.sent != 0 && r.last != cases[i].final) ||
		    r.refused != cases[i].refused || ev != cases[i].events)
			fail_msg("%s: sent %llu last %llu refused %d events %#x", cases[i].what,
				(unsigned long long)r.sent, (unsigned long long)r.last,
				r.refused, ev);
		if (cases[i].limit != 0 && r.sent != 0)
			assert_true(r.last < cases[i].limit);
		/* Events are raised once: more refusals raise nothing new. */
		(void)send_n(&s, 3);
		assert_int_equal(dp_seq_take_events(&s) & ~DP_SEQ_EV_LEASE_LOW, 0);
	}
}

static void test_init_rejects(void **state)
{
	struct dp_seq s;

	(void)state;
	assert_int_equal(dp_seq_init(&s, false, 1ull << 32, 0), -EINVAL);
	assert_int_equal(dp_seq_init(&s, true, 1ull << 32, 0), 0);
}

/* The lease moves: extend after exhaustion, half-use re-armed, lower it
 * under the current number, remove it. */
static void test_lease_changes(void **state)
{
	struct dp_seq s;
	struct run r;
	uint64_t seq;

	(void)state;
	assert_int_equal(dp_seq_init(&s, false, 0, 101), 0);
	r = send_n(&s, 150);
	assert_int_equal(r.sent, 100);
	assert_int_equal(dp_seq_take_events(&s),
		DP_SEQ_EV_LEASE_LOW | DP_SEQ_EV_LEASE_EXHAUSTED);

	dp_seq_set_lease(&s, 201); /* from "CONTROL" */
	assert_int_equal(dp_seq_lease(&s), 201);
	r = send_n(&s, 49);        /* 101..149: not yet half of 100..200 */
	assert_int_equal(r.first, 101);
	assert_int_equal(dp_seq_take_events(&s), 0);
	r = send_n(&s, 1);         /* 150 */
	assert_int_equal(r.last, 150);
	assert_int_equal(dp_seq_take_events(&s), DP_SEQ_EV_LEASE_LOW);
	r = send_n(&s, 100);
	assert_int_equal(r.last, 200);
	assert_int_equal(r.refused, DP_DROP_LEASE_EXHAUSTED);
	assert_int_equal(dp_seq_take_events(&s), DP_SEQ_EV_LEASE_EXHAUSTED);

	/* A limit under what was sent stops the SA at once. */
	dp_seq_set_lease(&s, 300);
	assert_int_equal(dp_seq_next(&s, &seq), DP_DROP_NONE);
	assert_int_equal(seq, 201);
	dp_seq_set_lease(&s, 150);
	assert_int_equal(dp_seq_next(&s, &seq), DP_DROP_LEASE_EXHAUSTED);
	assert_int_equal(dp_seq_last(&s), 201);

	/* No lease: only the sequence space. */
	dp_seq_set_lease(&s, 0);
	r = send_n(&s, 1000);
	assert_int_equal(r.sent, 1000);
	assert_int_equal(r.last, 1201);
}

/* An undelivered event (full ring) stays due until taken again. */
static void test_rearm(void **state)
{
	struct dp_seq s;
	uint32_t ev;

	(void)state;
	assert_int_equal(dp_seq_init(&s, false, 0, 11), 0);
	(void)send_n(&s, 20);
	ev = dp_seq_take_events(&s);
	assert_int_equal(ev, DP_SEQ_EV_LEASE_LOW | DP_SEQ_EV_LEASE_EXHAUSTED);
	assert_int_equal(dp_seq_take_events(&s), 0);
	dp_seq_rearm(&s, ev);
	assert_int_equal(dp_seq_take_events(&s), ev);
	assert_int_equal(dp_seq_take_events(&s), 0);
}

static void test_set_last(void **state)
{
	struct dp_seq s;
	uint64_t seq;

	(void)state;
	assert_int_equal(dp_seq_init(&s, false, 100, 0), 0);
	assert_int_equal(dp_seq_set_last(&s, 99), -ERANGE);     /* never back */
	assert_int_equal(dp_seq_set_last(&s, 1ull << 32), -ERANGE);
	assert_int_equal(dp_seq_set_last(&s, 5000), 0);
	assert_int_equal(dp_seq_next(&s, &seq), DP_DROP_NONE);
	assert_int_equal(seq, 5001);
}

/* A control thread extends the lease while the owner sends: the owner never
 * gets a number at or above the limit it saw, and ends exactly at the last
 * limit - 1 with no number skipped or repeated. */
struct race {
	struct dp_seq s;
	uint64_t final_limit;
	volatile int done;
};

static void *control_thread(void *arg)
{
	struct race *rc = arg;

	for (uint64_t limit = 1001; limit <= rc->final_limit; limit += 1000) {
		dp_seq_set_lease(&rc->s, limit);
		while (dp_seq_last(&rc->s) + 1 < limit)
			; /* wait for the owner to use it up */
	}
	__atomic_store_n(&rc->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_lease_race(void **state)
{
	static struct race rc;
	pthread_t t;
	uint64_t expect = 1, seq;

	(void)state;
	assert_int_equal(dp_seq_init(&rc.s, false, 0, 1), 0);
	rc.final_limit = 50001;
	assert_int_equal(pthread_create(&t, NULL, control_thread, &rc), 0);
	while (!__atomic_load_n(&rc.done, __ATOMIC_ACQUIRE) || expect < rc.final_limit) {
		if (dp_seq_next(&rc.s, &seq) != DP_DROP_NONE)
			continue;
		assert_int_equal(seq, expect);
		assert_true(seq < dp_seq_lease(&rc.s));
		expect++;
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(dp_seq_last(&rc.s), rc.final_limit - 1);
	assert_int_equal(dp_seq_next(&rc.s, &seq), DP_DROP_LEASE_EXHAUSTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test(test_lease_changes),
		cmocka_unit_test(test_rearm),
		cmocka_unit_test(test_set_last),
		cmocka_unit_test(test_lease_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
