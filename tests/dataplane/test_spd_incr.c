/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spd_incr: incremental SPD changes (dp_spd_policy_set/del,
 * dp_spd_commit).  Random rule sets over both tiers changed by random
 * sequences of sets, deletes, binding-only changes and commits, checked
 * after every commit against a linear reference over the rule array and a
 * fresh dp_spd_publish() of it, lookups and the post-decapsulation check
 * alike; the error cases (unknown index, invalid rule, staged changes
 * invisible until the commit); commits moving policies between keys and
 * tiers under a reading worker (never a packet without its policy); bursts
 * whose flows share probe keys in runs, interleaved and across families
 * against the reference and one-flow lookups.  The million-rule scale run
 * is in test_spd_scale.c.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "dpsec/dp.h"
#include "dp_spd.h"
#include "dp_spd_priv.h"
#include "dp_test_eal.h"
#include "test_spd_util.h"

#define NIDX 400u          /* indices drawn from 1..NIDX */
#define FLOWS 1500u        /* flows per check, each direction */

static void spd_dump(const struct dp_policy *p, uint8_t dir, const struct dp_flow *f)
{
	if (p == NULL) {
		print_error("  (not in the model)\n");
		return;
	}
	print_error("  rule %u prio %u dir %u action %u fam %u proto %u l %u.%u.%u.%u/%u "
		    "r %u.%u.%u.%u/%u lp %u-%u rp %u-%u matches %d\n", p->index, p->priority,
		p->dir, p->action, p->sel.family, p->sel.proto, p->sel.local[0], p->sel.local[1],
		p->sel.local[2], p->sel.local[3], p->sel.local_plen, p->sel.remote[0],
		p->sel.remote[1], p->sel.remote[2], p->sel.remote[3], p->sel.remote_plen,
		p->sel.lport_min, p->sel.lport_max, p->sel.rport_min, p->sel.rport_max,
		dp_spd_selector_match(&p->sel, dir, f));
}

/* The committed model: rule of each index (index 0 = absent). */
struct model {
	struct dp_policy rule[NIDX + 1];
	bool on[NIDX + 1];
};

static uint32_t model_array(const struct model *m, struct dp_policy *out)
{
	uint32_t n = 0;

	for (uint32_t i = 1; i <= NIDX; i++)
		if (m->on[i])
			out[n++] = m->rule[i];
	return n;
}

/* Lookups and inbound checks of spd, a fresh publish of the model and the
 * linear reference agree on random flows. */
static void check_equiv(struct dp_spd *spd, struct dp_spd *fresh, const struct model *m,
	struct spd_rng *rng, uint64_t seed, unsigned int round)
{
	static struct dp_policy arr[NIDX + 1];
	uint32_t n = model_array(m, arr);
	struct dp_flow f[32];
	struct dp_spd_result r1[32], r2[32], want;
	dp_sa_handle_t sa[32];
	uint8_t drop1[32], drop2[32];
	struct dp_policy dbg;

	assert_int_equal(dp_spd_publish(fresh, arr, n, NULL), 0);
	for (unsigned int k = 0; k < FLOWS; k += 32) {
		for (unsigned int dirn = 0; dirn < 2; dirn++) {
			uint8_t dir = dirn == 0 ? DP_POLICY_DIR_OUT : DP_POLICY_DIR_IN;

			for (unsigned int i = 0; i < 32; i++)
				spd_flow_near(rng, arr, n, dir, &f[i]);
			dp_spd_lookup(spd, 0, dir, f, 32, r1);
			dp_spd_lookup(fresh, 0, dir, f, 32, r2);
			for (unsigned int i = 0; i < 32; i++) {
				spd_reference(arr, n, dir, &f[i], &want);
				if (memcmp(&r1[i], &want, sizeof(want)) != 0 ||
				    memcmp(&r2[i], &want, sizeof(want)) != 0) {
					print_error("seed %llu round %u dir %u flow %u: policy %u/%u "
						    "verdict %u/%u, want %u verdict %u\n",
						(unsigned long long)seed, round, dir, i, r1[i].policy,
						r2[i].policy, r1[i].verdict, r2[i].verdict,
						want.policy, want.verdict);
					spd_dump(m->on[r1[i].policy % (NIDX + 1)] ?
						&m->rule[r1[i].policy % (NIDX + 1)] : NULL, dir, &f[i]);
					spd_dump(m->on[want.policy] ? &m->rule[want.policy] : NULL,
						dir, &f[i]);
					for (uint32_t pos = 0; dp_spd_policy_next(spd, &pos, &dbg) == 0;
					     pos++)
						if (dbg.index == r1[i].policy) {
							print_error("slot %u:", pos);
							spd_dump(&dbg, dir, &f[i]);
						}
					fail();
				}
			}
		}
		/* Post-decapsulation: inner flows near inbound rules, SAs drawn from
		 * the handles the generator binds. */
		for (unsigned int i = 0; i < 32; i++) {
			spd_flow_near(rng, arr, n, DP_POLICY_DIR_IN, &f[i]);
			sa[i] = 1 + spd_rand(rng) % SPD_TEST_SAS;
		}
		(void)dp_spd_check_inbound(spd, 0, sa, f, 32, drop1);
		(void)dp_spd_check_inbound(fresh, 0, sa, f, 32, drop2);
		for (unsigned int i = 0; i < 32; i++) {
			uint8_t w = spd_reference_inbound(arr, n, sa[i], &f[i]) ? DP_DROP_NONE :
										    DP_DROP_POLICY_MISMATCH;

			if (drop1[i] != w || drop2[i] != w) {
				print_error("seed %llu round %u inbound %u: sa %llu %u/%u want %u\n",
					(unsigned long long)seed, round, i,
					(unsigned long long)sa[i], drop1[i], drop2[i], w);
				fail();
			}
		}
	}
}

/* One random change, staged on spd and on the staged model. */
static void random_change(struct dp_spd *spd, struct model *staged, struct spd_rng *rng)
{
	uint32_t idx = 1 + spd_rand(rng) % NIDX, what = spd_rand(rng) % 10;
	struct dp_policy p;

	if (what < 5 || (!staged->on[idx] && what < 8)) {
		spd_random_policy(rng, idx, &p);
		assert_int_equal(dp_spd_policy_set(spd, &p), 0);
		staged->rule[idx] = p;
		staged->on[idx] = true;
	} else if (what < 7) {
		/* Binding only (a no-op binding change for non-PROTECT rules). */
		p = staged->rule[idx];
		spd_random_binding(rng, &p);
		assert_int_equal(dp_spd_policy_set(spd, &p), 0);
		staged->rule[idx] = p;
	} else if (what < 9) {
		assert_int_equal(dp_spd_policy_del(spd, idx), staged->on[idx] ? 0 : -ENOENT);
		staged->on[idx] = false;
	} else {
		/* Invalid: refused, nothing staged. */
		spd_random_policy(rng, idx, &p);
		p.dir = 0;
		assert_int_equal(dp_spd_policy_set(spd, &p), -EINVAL);
	}
}

static void run_seed(uint64_t seed, unsigned int rounds)
{
	struct dp_ctx *ctx = spd_ctx_new("spdincr");
	struct dp_spd *spd = dp_spd_create(ctx, NULL), *fresh = dp_spd_create(ctx, NULL);
	struct model *m = calloc(1, sizeof(*m)), *staged = calloc(1, sizeof(*staged));
	struct spd_rng rng = { seed };
	struct dp_spd_stats st;

	assert_non_null(spd);
	assert_non_null(fresh);
	assert_non_null(m);
	assert_non_null(staged);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	for (unsigned int round = 0; round < rounds; round++) {
		unsigned int changes = 1 + spd_rand(&rng) % (round < 5 ? 200 : 25);

		for (unsigned int c = 0; c < changes; c++)
			random_change(spd, staged, &rng);
		/* Staged changes are invisible until the commit. */
		if (round % 4 == 1)
			check_equiv(spd, fresh, m, &rng, seed, round);
		if (round % 17 == 16) {
			/* A whole publication drops what was staged. */
			static struct dp_policy arr[NIDX + 1];
			uint32_t n = model_array(m, arr);

			assert_int_equal(dp_spd_publish(spd, arr, n, NULL), 0);
			*staged = *m;
		} else {
			assert_int_equal(dp_spd_commit(spd), 0);
			*m = *staged;
		}
		check_equiv(spd, fresh, m, &rng, seed, round);
		dp_spd_get_stats(spd, &st);
		assert_int_equal(st.staged, 0);
		(void)dp_spd_reclaim(spd);
	}
	dp_spd_get_stats(spd, &st);
	print_message("spd_incr seed %llu: %u rules (%u hash tier, %u plens), %llu commits, "
		      "%llu rte_acl builds\n", (unsigned long long)seed, st.rules, st.hash_rules,
		st.hash_plens, (unsigned long long)st.commits, (unsigned long long)st.acl_builds);
	assert_true(st.hash_rules > 0 && st.hash_rules < st.rules);
	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	free(m);
	free(staged);
	dp_spd_free(spd);
	dp_spd_free(fresh);
	dp_destroy(ctx);
}

static void test_random_equivalence(void **state)
{
	static const uint64_t seeds[] = { 1, 2, 0x5eed5eedull, 20261124ull };

	(void)state;
	for (unsigned int i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		run_seed(seeds[i], 40);
}

/* Host rules only: every commit is hash tier alone (no rte_acl build). */
static void test_hash_only_no_acl_build(void **state)
{
	struct dp_ctx *ctx = spd_ctx_new("spdhash");
	struct dp_spd *spd = dp_spd_create(ctx, NULL);
	struct dp_spd_stats st;
	struct dp_spd_result r;
	struct dp_flow f;
	struct dp_policy p;

	(void)state;
	assert_non_null(spd);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	for (uint32_t i = 1; i <= 100; i++) {
		spd_host_policy(i, &p);
		assert_int_equal(dp_spd_policy_set(spd, &p), 0);
		if (i % 10 == 0)
			assert_int_equal(dp_spd_commit(spd), 0);
	}
	/* A binding-only change moves the verdict to the new SA. */
	spd_host_policy(42, &p);
	p.out[0] = 0x77;
	assert_int_equal(dp_spd_policy_set(spd, &p), 0);
	spd_host_flow(42, &f);
	dp_spd_lookup(spd, 0, DP_POLICY_DIR_OUT, &f, 1, &r);
	assert_int_equal(r.policy, 42);
	assert_int_not_equal(r.sa[0], 0x77);
	assert_int_equal(dp_spd_commit(spd), 0);
	dp_spd_lookup(spd, 0, DP_POLICY_DIR_OUT, &f, 1, &r);
	assert_int_equal(r.verdict, DP_SPD_PROTECT);
	assert_int_equal(r.sa[0], 0x77);
	dp_spd_get_stats(spd, &st);
	assert_int_equal(st.rules, 100);
	assert_int_equal(st.hash_rules, 100);
	assert_int_equal(st.acl_rules, 0);
	assert_int_equal(st.acl_builds, 0);
	assert_int_equal(st.commits, 11);
	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	dp_spd_free(spd);
	dp_destroy(ctx);
}

static void test_errors(void **state)
{
	struct dp_ctx *ctx = spd_ctx_new("spderr");
	struct dp_spd *spd = dp_spd_create(ctx, NULL);
	struct dp_spd_stats st;
	struct dp_spd_result r;
	struct dp_flow f;
	struct dp_policy p, bad;
	static const struct {
		const char *what;
		void (*spoil)(struct dp_policy *);
	} cases[] = {
		{ "index 0", spd_spoil_index },
		{ "dir 0", spd_spoil_dir },
		{ "action 9", spd_spoil_action },
		{ "bypass with SAs", spd_spoil_bypass_sa },
		{ "flags", spd_spoil_flags },
		{ "plen 33", spd_spoil_plen },
		{ "family 7", spd_spoil_family },
		{ "port range", spd_spoil_ports },
		{ "n_in 5", spd_spoil_n_in },
		{ "invalid handle", spd_spoil_handle },
	};

	(void)state;
	assert_non_null(spd);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	assert_int_equal(dp_spd_policy_del(spd, 5), -ENOENT);
	assert_int_equal(dp_spd_policy_set(NULL, &p), -EINVAL);
	assert_int_equal(dp_spd_commit(spd), 0);   /* nothing staged */

	spd_host_policy(5, &p);
	spd_host_flow(5, &f);
	assert_int_equal(dp_spd_policy_set(spd, &p), 0);
	/* Staged, not committed: not visible. */
	dp_spd_lookup(spd, 0, DP_POLICY_DIR_OUT, &f, 1, &r);
	assert_int_equal(r.drop, DP_DROP_NO_POLICY);
	dp_spd_get_stats(spd, &st);
	assert_int_equal(st.staged, 1);
	assert_int_equal(st.rules, 0);
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad = p;
		bad.index = 6;
		cases[i].spoil(&bad);
		if (dp_spd_policy_set(spd, &bad) != -EINVAL) {
			print_error("%s accepted\n", cases[i].what);
			fail();
		}
		dp_spd_get_stats(spd, &st);
		assert_int_equal(st.staged, 1);
	}
	assert_int_equal(dp_spd_policy_del(spd, 6), -ENOENT);
	assert_int_equal(dp_spd_commit(spd), 0);
	dp_spd_lookup(spd, 0, DP_POLICY_DIR_OUT, &f, 1, &r);
	assert_int_equal(r.policy, 5);

	/* A staged delete is invisible too; deleting twice is -ENOENT. */
	assert_int_equal(dp_spd_policy_del(spd, 5), 0);
	assert_int_equal(dp_spd_policy_del(spd, 5), -ENOENT);
	dp_spd_lookup(spd, 0, DP_POLICY_DIR_OUT, &f, 1, &r);
	assert_int_equal(r.policy, 5);
	/* Set after a staged delete, then delete again: net delete. */
	assert_int_equal(dp_spd_policy_set(spd, &p), 0);
	assert_int_equal(dp_spd_policy_del(spd, 5), 0);
	assert_int_equal(dp_spd_commit(spd), 0);
	dp_spd_lookup(spd, 0, DP_POLICY_DIR_OUT, &f, 1, &r);
	assert_int_equal(r.drop, DP_DROP_NO_POLICY);
	dp_spd_get_stats(spd, &st);
	assert_int_equal(st.rules, 0);

	/* A new index set and deleted before a commit leaves nothing. */
	assert_int_equal(dp_spd_policy_set(spd, &p), 0);
	assert_int_equal(dp_spd_policy_del(spd, 5), 0);
	assert_int_equal(dp_spd_policy_del(spd, 5), -ENOENT);
	assert_int_equal(dp_spd_commit(spd), 0);
	dp_spd_get_stats(spd, &st);
	assert_int_equal(st.rules, 0);
	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	dp_spd_free(spd);
	dp_destroy(ctx);
}

/* ------------------------------------------------------------------------ */
/* Commits under a reading worker: a changed policy is never missing. */

struct reader {
	struct dp_ctx *ctx;
	struct dp_spd *spd;
	volatile int stop;
	unsigned long bursts, errors;
};

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct dp_flow f[64];
	struct dp_spd_result r[64];

	for (uint32_t i = 0; i < 64; i++)
		spd_host_flow(1 + i, &f[i]);
	if (dp_worker_register(rd->ctx, 0) != 0) {
		rd->errors++;
		return NULL;
	}
	while (!rd->stop) {
		dp_spd_lookup(rd->spd, 0, DP_POLICY_DIR_OUT, f, 64, r);
		for (unsigned int i = 0; i < 64; i++)
			if (r[i].verdict != DP_SPD_PROTECT)
				rd->errors++;
		rd->bursts++;
		dp_worker_quiescent(rd->ctx, 0);
	}
	if (dp_worker_unregister(rd->ctx, 0) != 0)
		rd->errors++;
	return NULL;
}

/* Rule i in one of four forms: host /32 (two bindings), the same under a
 * /24 key, or in the rte_acl tier (remote any); all PROTECT with an SA. */
static void moving_rule(uint32_t i, unsigned int form, struct dp_policy *p)
{
	spd_host_policy(i, p);
	p->out[0] = 0x1000u * (form + 1) + i;
	if (form == 2)
		p->sel.remote_plen = 24;
	else if (form == 3)
		p->sel.remote_plen = 0;
}

static void test_commit_under_reader(void **state)
{
	struct reader rd = { 0 };
	struct dp_spd_stats st;
	struct dp_policy p;
	pthread_t th;

	(void)state;
	rd.ctx = spd_ctx_new("spdmove");
	rd.spd = dp_spd_create(rd.ctx, NULL);
	assert_non_null(rd.spd);
	for (uint32_t i = 1; i <= 64; i++) {
		moving_rule(i, 0, &p);
		assert_int_equal(dp_spd_policy_set(rd.spd, &p), 0);
	}
	assert_int_equal(dp_spd_commit(rd.spd), 0);
	assert_int_equal(pthread_create(&th, NULL, reader_main, &rd), 0);
	for (uint32_t k = 0; k < 400; k++) {
		for (uint32_t j = 0; j < 1 + k % 5; j++) {
			moving_rule(1 + (k * 7 + j * 13) % 64, (k + j) % 4, &p);
			assert_int_equal(dp_spd_policy_set(rd.spd, &p), 0);
		}
		assert_int_equal(dp_spd_commit(rd.spd), 0);
		(void)dp_spd_reclaim(rd.spd);
	}
	usleep(10 * 1000);
	rd.stop = 1;
	assert_int_equal(pthread_join(th, NULL), 0);
	(void)dp_spd_reclaim(rd.spd);
	assert_int_equal(dp_spd_reclaim(rd.spd), 0);
	dp_spd_get_stats(rd.spd, &st);
	print_message("spd_incr: %lu bursts under 400 commits, %llu rte_acl builds\n",
		rd.bursts, (unsigned long long)st.acl_builds);
	assert_int_equal(rd.errors, 0);
	assert_true(rd.bursts > 0);
	assert_int_equal(st.rules, 64);
	dp_spd_free(rd.spd);
	dp_destroy(rd.ctx);
}

/* ------------------------------------------------------------------------ */
/* Bursts whose flows share probe keys: the lookup reuses a key's hash and
 * value over a run of flows with the same remote address (and a rule's
 * resolved slot over a run that found it). */

/* Flow i of a burst of nf: one of nb base flows by the pattern (one key,
 * runs, interleaved, random), with its own ports, protocol at times, local
 * host bits and sometimes remote host bits (equal keys at short prefix
 * lengths, different at long ones). */
static void burst_flow(struct spd_rng *rng, const struct dp_flow *base, unsigned int nb,
	unsigned int pattern, unsigned int run, unsigned int i, uint8_t dir, struct dp_flow *f)
{
	static const uint8_t protos[] = { 6, 17, 1, 58 };
	unsigned int b = pattern == 0 ? 0 : pattern == 1 ? (i / run) % nb :
		pattern == 2 ? i % nb : spd_rand(rng) % nb;
	bool out = dir == DP_POLICY_DIR_OUT;
	uint8_t *local, *remote;
	unsigned int last;

	*f = base[b];
	local = out ? f->src : f->dst;
	remote = out ? f->dst : f->src;
	last = f->family == AF_INET ? 3 : 15;
	if (spd_rand(rng) % 4 == 0)
		f->proto = protos[spd_rand(rng) % sizeof(protos)];
	if (spd_rand(rng) % 2 == 0)
		local[last] = (uint8_t)spd_rand(rng);
	if (spd_rand(rng) % 8 == 0)
		remote[last] ^= (uint8_t)(1 + spd_rand(rng) % 3);
	f->sport = (uint16_t)(spd_rand(rng) % 3000);
	f->dport = dp_spd_is_icmp(f->family, f->proto) ? 0 : (uint16_t)(spd_rand(rng) % 3000);
}

static void test_burst_runs(void **state)
{
	enum { NF = 100 };    /* more than one classification round of 64 */
	struct dp_ctx *ctx = spd_ctx_new("spdruns");
	struct dp_spd *spd = dp_spd_create(ctx, NULL);
	static struct dp_policy arr[NIDX];
	struct dp_spd_result r[NF], one, want;
	struct dp_flow f[NF], base[4];
	struct spd_rng rng = { 0xb0257ull };
	unsigned int checked = 0, matched = 0;

	(void)state;
	assert_non_null(spd);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	for (unsigned int set = 0; set < 12; set++) {
		uint32_t n = 20 + spd_rand(&rng) % (NIDX - 20);

		for (uint32_t i = 0; i < n; i++)
			spd_random_policy(&rng, i + 1, &arr[i]);
		assert_int_equal(dp_spd_publish(spd, arr, n, NULL), 0);
		for (unsigned int burst = 0; burst < 64; burst++) {
			uint8_t dir = burst % 2 ? DP_POLICY_DIR_IN : DP_POLICY_DIR_OUT;
			unsigned int nb = 1 + spd_rand(&rng) % 4, run = 1 + spd_rand(&rng) % 12;
			unsigned int pattern = (burst / 2) % 4;

			for (unsigned int b = 0; b < nb; b++)
				spd_flow_near(&rng, arr, n, dir, &base[b]);
			for (unsigned int i = 0; i < NF; i++)
				burst_flow(&rng, base, nb, pattern, run, i, dir, &f[i]);
			dp_spd_lookup(spd, 0, dir, f, NF, r);
			for (unsigned int i = 0; i < NF; i++) {
				spd_reference(arr, n, dir, &f[i], &want);
				dp_spd_lookup(spd, 0, dir, &f[i], 1, &one);
				if (memcmp(&r[i], &want, sizeof(want)) != 0 ||
				    memcmp(&one, &want, sizeof(want)) != 0)
					fail_msg("set %u burst %u (pattern %u) flow %u: "
						 "policy %u/%u, want %u", set, burst, pattern, i,
						 r[i].policy, one.policy, want.policy);
				checked++;
				matched += want.policy != 0;
			}
		}
	}
	/* The flows are near rules: most of them match one. */
	assert_true(matched > checked / 2);
	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	dp_spd_free(spd);
	dp_destroy(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hash_only_no_acl_build),
		cmocka_unit_test(test_random_equivalence),
		cmocka_unit_test(test_burst_runs),
		cmocka_unit_test(test_commit_under_reader),
	};
	int ret;

	if (dp_test_eal_init("spdincr", 1024) != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	dp_test_eal_fini();
	return ret;
}
