/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spd_scale: the SPD at 1, 1k and 1M policies (SPD_SCALE_MAX in the
 * environment lowers the largest size).  Host-remote PROTECT rules (the
 * hash tier) loaded with dp_spd_policy_set and one dp_spd_commit; every
 * lookup checked to give its rule's index and SA; then printed, not
 * asserted: load time, RSS growth per rule, the cost of one change plus
 * its commit (binding only, rule replaced, rte_acl tier rule added) and
 * lookup ns per packet, with and without a catch-all rte_acl tier rule.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <cmocka.h>

#include "dpsec/dp.h"
#include "dp_spd.h"
#include "dp_test_eal.h"
#include "test_spd_util.h"

#define BURST 32u
#define LOOKUP_PACKETS (1u << 18)
#define LOOKUP_REPEAT 8u
#define CHANGES 1000u

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Resident set size in KiB (0 when unknown). */
static long rss_kib(void)
{
	char line[256];
	long kib = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Lookups of random host flows: each gives its rule and SA.  ns/packet. */
static double lookups(struct dp_spd *spd, uint32_t n, struct spd_rng *rng, bool check)
{
	static struct dp_flow f[BURST];
	static struct dp_spd_result r[BURST];
	static uint32_t want[LOOKUP_PACKETS / BURST][BURST];
	static struct dp_flow flows[LOOKUP_PACKETS / BURST][BURST];
	unsigned int rounds = LOOKUP_PACKETS / BURST;
	double best = 0;

	for (unsigned int k = 0; k < rounds; k++)
		for (unsigned int i = 0; i < BURST; i++) {
			want[k][i] = 1 + spd_rand(rng) % n;
			spd_host_flow(want[k][i], &flows[k][i]);
		}
	/* The fastest of a few passes: the build machine is shared. */
	for (unsigned int rep = 0; rep < LOOKUP_REPEAT; rep++) {
		double t = now_s();

		for (unsigned int k = 0; k < rounds; k++)
			dp_spd_lookup(spd, 0, DP_POLICY_DIR_OUT, flows[k], BURST, r);
		t = now_s() - t;
		if (rep == 0 || t < best)
			best = t;
	}
	for (unsigned int k = 0; check && k < rounds; k += 7) {
		memcpy(f, flows[k], sizeof(f));
		dp_spd_lookup(spd, 0, DP_POLICY_DIR_OUT, f, BURST, r);
		for (unsigned int i = 0; i < BURST; i++) {
			assert_int_equal(r[i].policy, want[k][i]);
			assert_int_equal(r[i].verdict, DP_SPD_PROTECT);
			assert_int_equal(r[i].sa[0], 0x100000000ull + want[k][i]);
		}
	}
	return best * 1e9 / LOOKUP_PACKETS;
}

static void run_size(uint32_t n)
{
	struct dp_ctx *ctx = spd_ctx_new("spdscale");
	struct dp_spd *spd = dp_spd_create(ctx, NULL);
	struct spd_rng rng = { 0x5ca1e + n };
	struct dp_spd_stats st;
	struct dp_policy p;
	struct dp_flow f;
	dp_sa_handle_t sa;
	uint8_t drop;
	double t0, t_set, t_commit, t_bind, t_repl, t_acl, ns_hash, ns_both;
	long rss0, rss1;

	assert_non_null(spd);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	rss0 = rss_kib();
	t0 = now_s();
	for (uint32_t i = 1; i <= n; i++) {
		spd_host_policy(i, &p);
		assert_int_equal(dp_spd_policy_set(spd, &p), 0);
	}
	t_set = now_s() - t0;
	t0 = now_s();
	assert_int_equal(dp_spd_commit(spd), 0);
	t_commit = now_s() - t0;
	(void)dp_spd_reclaim(spd);
	rss1 = rss_kib();
	dp_spd_get_stats(spd, &st);
	assert_int_equal(st.rules, n);
	assert_int_equal(st.hash_rules, n);

	ns_hash = lookups(spd, n, &rng, true);
	/* Post-decapsulation check through the incremental SA map. */
	spd_host_flow(n, &f);
	memcpy(&f.src, (uint8_t[4]){ 10, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n }, 4);
	memcpy(&f.dst, (uint8_t[4]){ 172, 17, 0, 9 }, 4);
	sa = 0x200000000ull + n;
	assert_int_equal(dp_spd_check_inbound(spd, 0, &sa, &f, 1, &drop), 1);
	sa = 0x200000000ull + n + 1;
	assert_int_equal(dp_spd_check_inbound(spd, 0, &sa, &f, 1, &drop), 0);

	/* One change and its commit: binding only (a rekey). */
	t0 = now_s();
	for (uint32_t k = 0; k < CHANGES; k++) {
		spd_host_policy(1 + k % n, &p);
		p.out[0] = 0x300000000ull + k;
		assert_int_equal(dp_spd_policy_set(spd, &p), 0);
		assert_int_equal(dp_spd_commit(spd), 0);
		(void)dp_spd_reclaim(spd);
	}
	t_bind = (now_s() - t0) / CHANGES;
	/* The rule itself replaced (new priority), back to its binding. */
	t0 = now_s();
	for (uint32_t k = 0; k < CHANGES; k++) {
		spd_host_policy(1 + k % n, &p);
		p.priority = 100 + (k / n) % 2 + 1;
		assert_int_equal(dp_spd_policy_set(spd, &p), 0);
		assert_int_equal(dp_spd_commit(spd), 0);
		(void)dp_spd_reclaim(spd);
	}
	t_repl = (now_s() - t0) / CHANGES;
	for (uint32_t k = 0; k < CHANGES && k < n; k++) {
		spd_host_policy(1 + k, &p);
		assert_int_equal(dp_spd_policy_set(spd, &p), 0);
	}
	assert_int_equal(dp_spd_commit(spd), 0);
	/* A catch-all discard (rte_acl tier) below every host rule. */
	dp_policy_init(&p);
	p.index = n + 1;
	p.priority = 1000;
	p.dir = DP_POLICY_DIR_BOTH;
	p.action = DP_POLICY_DISCARD;
	t0 = now_s();
	assert_int_equal(dp_spd_policy_set(spd, &p), 0);
	assert_int_equal(dp_spd_commit(spd), 0);
	t_acl = now_s() - t0;
	ns_both = lookups(spd, n, &rng, true);
	dp_spd_get_stats(spd, &st);
	assert_int_equal(st.rules, n + 1);
	assert_int_equal(st.acl_builds, 1);

	print_message("spd scale %7u rules: load %.3f s set + %.3f s commit (%.0f ns/rule), "
		      "RSS +%.0f B/rule; one change + commit: binding %.1f us, rule %.1f us, "
		      "rte_acl rule %.1f us; lookup %.1f ns/pkt (hash tier), %.1f ns/pkt "
		      "(+ catch-all rte_acl rule)\n",
		n, t_set, t_commit, (t_set + t_commit) * 1e9 / n,
		(double)(rss1 - rss0) * 1024.0 / n, t_bind * 1e6, t_repl * 1e6, t_acl * 1e6,
		ns_hash, ns_both);
	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	dp_spd_free(spd);
	dp_destroy(ctx);
}

static void test_scale(void **state)
{
	const char *env = getenv("SPD_SCALE_MAX");
	uint32_t max = env != NULL ? (uint32_t)strtoul(env, NULL, 10) : 1000000u;
	static const uint32_t sizes[] = { 1, 1000, 1000000 };

	(void)state;
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (sizes[i] <= max)
			run_size(sizes[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale),
	};
	int ret;

	if (dp_test_eal_init("spdscale", 1024) != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	dp_test_eal_fini();
	return ret;
}
