/* SPDX-License-Identifier: BSD-2-Clause */
/* test_event: worker -> control events (ring + eventfd) and their names. */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dpsec/dp.h"
#include "dp_ctx_priv.h"
#include "dp_event.h"
#include "dp_worker.h"
#include "dp_test_eal.h"

static struct dp_ctx *ctx_new(uint32_t events, uint16_t workers, const char *name)
{
	struct dp_config cfg;
	struct dp_ctx *ctx;

	dp_config_default(&cfg);
	cfg.max_sas = 64;
	cfg.workers = workers;
	cfg.event_ring_size = events;
	cfg.name = name;
	ctx = dp_create(&cfg);
	assert_non_null(ctx);
	return ctx;
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, timeout_ms) == 1 && (pfd.revents & POLLIN) != 0;
}

static void test_post_and_poll(void **state)
{
	struct dp_ctx *ctx = ctx_new(16, 1, "e_basic");
	struct dp_event ev = { 0 }, got[4];
	int fd = dp_event_fd(ctx);

	(void)state;
	assert_true(fd >= 0);
	assert_false(readable(fd, 0));
	assert_int_equal(dp_event_poll(ctx, got, 4), 0);

	ev.type = DP_EVENT_ACQUIRE;
	ev.worker = 0;
	ev.policy = 42;
	ev.flow.family = AF_INET;
	ev.flow.proto = 17;
	ev.flow.sport = 1234;
	ev.flow.dport = 53;
	memcpy(ev.flow.dst, "\x0a\0\0\x01", 4);
	assert_int_equal(dp_worker_post(ctx, 0, &ev), 0);
	assert_true(readable(fd, 0));
	ev.type = DP_EVENT_LEASE_LOW;
	ev.sa = 0x100000003ull;
	ev.value = 500;
	assert_int_equal(dp_worker_post(ctx, 0, &ev), 0);

	assert_int_equal(dp_event_poll(ctx, got, 4), 2);
	assert_int_equal(got[0].type, DP_EVENT_ACQUIRE);
	assert_int_equal(got[0].policy, 42);
	assert_int_equal(got[0].flow.dport, 53);
	assert_memory_equal(got[0].flow.dst, "\x0a\0\0\x01", 4);
	assert_int_equal(got[1].type, DP_EVENT_LEASE_LOW);
	assert_int_equal(got[1].sa, 0x100000003ull);
	assert_int_equal(got[1].value, 500);
	/* Drained: the eventfd is quiet until the next post. */
	assert_false(readable(fd, 0));
	assert_int_equal(dp_worker_post(ctx, 0, &ev), 0);
	assert_true(readable(fd, 0));
	assert_int_equal(dp_event_poll(ctx, got, 1), 1);
	/* A full read (n taken == n asked) may leave events: call again. */
	assert_int_equal(dp_event_poll(ctx, got, 1), 0);
	assert_false(readable(fd, 0));
	assert_int_equal(dp_event_poll(ctx, NULL, 1), -EINVAL);
	dp_destroy(ctx);
}

static void test_ring_full(void **state)
{
	struct dp_ctx *ctx = ctx_new(8, 1, "e_full");
	struct dp_event ev = { .type = DP_EVENT_SOFT_BYTES }, got[16];
	struct dp_worker_stats st;

	(void)state;
	for (unsigned int i = 0; i < 8; i++) {
		ev.value = i;
		assert_int_equal(dp_worker_post(ctx, 0, &ev), 0);
	}
	assert_int_equal(dp_worker_post(ctx, 0, &ev), -ENOBUFS);
	assert_int_equal(dp_worker_get_stats(ctx, 0, &st), 0);
	assert_int_equal(st.events_lost, 1);
	assert_int_equal(dp_event_poll(ctx, got, 16), 8);
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(got[i].value, i); /* order kept */
	dp_destroy(ctx);
}

/* Two producers, one consumer sleeping in poll(2) on the eventfd: every
 * event arrives, in order per producer, and no wake-up is lost (a lost one
 * shows as a poll timeout with events still to come). */
#define PER_PRODUCER 20000u

struct producer {
	struct dp_ctx *ctx;
	unsigned int worker;
	uint64_t retries;
};

static void *producer_main(void *arg)
{
	struct producer *pr = arg;
	struct dp_event ev = { .type = DP_EVENT_SOFT_PACKETS };

	ev.worker = (uint16_t)pr->worker;
	for (uint64_t i = 0; i < PER_PRODUCER; i++) {
		ev.value = i;
		while (dp_event_post(pr->ctx->events, &ev) != 0) {
			pr->retries++; /* full: the consumer is behind */
			sched_yield(); /* 2 producers + 1 consumer may share 2 cores */
		}
		if (i % 1000 == 0)
			usleep(100); /* let the consumer drain and go to sleep */
	}
	return NULL;
}

static void test_producers_and_wakeups(void **state)
{
	struct dp_ctx *ctx = ctx_new(256, 2, "e_mp");
	struct producer pr[2] = { { ctx, 0, 0 }, { ctx, 1, 0 } };
	uint64_t next[2] = { 0, 0 }, total = 0;
	struct dp_event got[32];
	pthread_t t[2];
	int fd = dp_event_fd(ctx);

	(void)state;
	for (unsigned int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, producer_main, &pr[i]), 0);
	while (total < 2 * PER_PRODUCER) {
		int n;

		if (!readable(fd, 5000))
			fail_msg("lost wake-up: %llu of %u events", (unsigned long long)total,
				2 * PER_PRODUCER);
		do {
			n = dp_event_poll(ctx, got, 32);
			assert_true(n >= 0);
			for (int i = 0; i < n; i++) {
				unsigned int w = got[i].worker;

				assert_true(w < 2);
				assert_int_equal(got[i].value, next[w]);
				next[w]++;
			}
			total += (uint64_t)n;
		} while (n == 32);
	}
	for (unsigned int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(next[0], PER_PRODUCER);
	assert_int_equal(next[1], PER_PRODUCER);
	assert_int_equal(dp_event_poll(ctx, got, 32), 0);
	dp_destroy(ctx);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(dp_drop_name(DP_DROP_NONE), "none");
	assert_string_equal(dp_drop_name(DP_DROP_NO_SA), "no-sa");
	assert_string_equal(dp_drop_name(DP_DROP_LEASE_EXHAUSTED), "lease-exhausted");
	assert_null(dp_drop_name(DP_DROP_COUNT));
	assert_string_equal(dp_event_name(DP_EVENT_ACQUIRE), "acquire");
	assert_string_equal(dp_event_name(DP_EVENT_LEASE_LOW), "lease-low");
	assert_null(dp_event_name(DP_EVENT_COUNT));
	/* Every name present and unique. */
	for (unsigned int i = 0; i < DP_DROP_COUNT; i++) {
		assert_non_null(dp_drop_name(i));
		for (unsigned int j = 0; j < i; j++)
			assert_string_not_equal(dp_drop_name(i), dp_drop_name(j));
	}
	for (unsigned int i = 0; i < DP_EVENT_COUNT; i++) {
		assert_non_null(dp_event_name(i));
		for (unsigned int j = 0; j < i; j++)
			assert_string_not_equal(dp_event_name(i), dp_event_name(j));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_post_and_poll),
		cmocka_unit_test(test_ring_full),
		cmocka_unit_test(test_producers_and_wakeups),
		cmocka_unit_test(test_names),
	};
	int ret;

	if (dp_test_eal_init("event", 256) != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	dp_test_eal_fini();
	return ret;
}
