/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spd_tab.c: the SPD's hash tables growing across commits
 * (dataplane/dp_spd_tab.c, dp_spd_priv.h "Growth across commits").
 *
 * - The table alone, driven the way dp_spd_commit() drives it (prepare,
 *   step, puts), against a plain array: after every commit the table
 *   readers would see holds exactly the model, while successors are being
 *   filled, with adds, updates, deletes and revivals of keys both copied
 *   and not yet copied; used/live, the 3/4 limit, and the slots one commit
 *   copies.  A prepare that is dropped (a commit failing later) changes
 *   nothing.
 * - The whole SPD growing to 300,000 policies in commits of 64, with
 *   updates and deletes on the way: the entries one commit copies stay
 *   under the bound (the old whole-table copy moved ~200,000 at the end),
 *   lookups agree with the model after every commit, and the staged table
 *   grows the same way.
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

#include <cmocka.h>

#include "dpsec/dp.h"
#include "dp_spd.h"
#include "dp_spd_priv.h"
#include "dp_test_eal.h"
#include "test_spd_util.h"

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

/* ------------------------------------------------------------------------ */
/* The table alone. */

/* Key k of key_len bytes: distinct for distinct k (k in the first word). */
static void tab_key(uint32_t k, uint32_t key_len, uint8_t *key)
{
	memset(key, 0, DP_SPD_KEY_MAX);
	memcpy(key, &k, sizeof(k));
	if (key_len > 4)
		key[key_len - 1] = (uint8_t)(k * 7u);
}

/* The position of key in t (-1: not keyed). */
static int64_t tab_pos(const struct dp_spd_tab *t, const uint8_t *key, uint32_t h)
{
	for (uint32_t i = h;; i++) {
		const struct dp_spd_tab_ent *e = &t->e[i & t->mask];

		if (e->sig == 0)
			return -1;
		if (e->sig == h && memcmp(e->key, key, t->key_len) == 0)
			return i & t->mask;
	}
}

struct tab_run {
	uint32_t commits, migrating_commits, switches;
	uint32_t ops_copied, ops_uncopied;    /* changes to keys copied / not yet */
};

/* Keys 0..nkeys, values model[k] (0: none); commits of up to max_batch
 * changes, adding keys in order and changing or deleting random older
 * ones.  Checks the published table after every commit. */
static void tab_run_model(uint32_t key_len, uint32_t nkeys, uint32_t max_batch, uint64_t seed,
	struct tab_run *run)
{
	uint64_t *model = calloc(nkeys, sizeof(*model));
	uint32_t *batch_keys = calloc(max_batch, sizeof(*batch_keys));
	uint64_t *batch_vals = calloc(max_batch, sizeof(*batch_vals));
	struct spd_rng rng = { seed };
	struct dp_spd_tab *t = NULL;
	uint32_t next_key = 0, live = 0, prev_adds = 0;
	uint8_t key[DP_SPD_KEY_MAX];

	assert_non_null(model);
	assert_non_null(batch_keys);
	assert_non_null(batch_vals);
	memset(run, 0, sizeof(*run));
	while (next_key < nkeys) {
		uint32_t n = 1 + spd_rand(&rng) % max_batch, adds = 0, moved = 0;
		struct dp_spd_tab *fresh, *pub, *t_before;
		uint32_t before_moved = t != NULL ? t->moved : 0;

		/* The batch: distinct keys, so adds counts new values exactly. */
		for (uint32_t i = 0; i < n; i++) {
			uint32_t r = spd_rand(&rng) % 8, k;
			bool dup = false;

			if (r < 4 || next_key < 16) {
				if (next_key == nkeys)
					break;
				k = next_key++;
			} else {
				k = spd_rand(&rng) % next_key;
			}
			for (uint32_t j = 0; j < i; j++)
				dup |= batch_keys[j] == k;
			if (dup) {
				n = i;
				break;
			}
			batch_keys[i] = k;
			/* Old keys: a third deleted, the rest updated (or revived). */
			batch_vals[i] = r >= 4 && spd_rand(&rng) % 3 == 0 ? 0 :
				((uint64_t)spd_rand(&rng) << 1 | 1u);
			adds += model[k] == 0 && batch_vals[i] != 0;
		}
		/* A commit that fails after prepare: nothing changed. */
		if (t != NULL && spd_rand(&rng) % 16 == 0) {
			struct dp_spd_tab copy = *t;

			assert_int_equal(dp_spd_tab_prepare(t, key_len, adds, &fresh), 0);
			dp_spd_tab_free(fresh);
			assert_memory_equal(&copy, t, sizeof(copy));
		}
		assert_int_equal(dp_spd_tab_prepare(t, key_len, adds, &fresh), 0);
		t_before = t;
		pub = dp_spd_tab_step(t, fresh, adds, &moved);
		assert_non_null(pub);
		/* The slots one commit copies: 4 per add or the step, and 4 per
		 * key that the commit before took its successor over half. */
		if (pub == t && t->next != NULL)
			assert_true(t->moved - (fresh != NULL ? 0 : before_moved) <=
				    max_u32(DP_SPD_TAB_STEP, 4 * adds + 4 * prev_adds));
		assert_true(moved <= max_u32(DP_SPD_TAB_STEP, 4 * adds + 4 * prev_adds));
		prev_adds = adds;
		if (pub != t) {
			if (t != NULL)
				run->switches++;
			dp_spd_tab_free(t);
			t = pub;
		}
		for (uint32_t i = 0; i < n; i++) {
			uint32_t k = batch_keys[i];
			uint32_t h;

			tab_key(k, key_len, key);
			h = dp_spd_key_hash(key, key_len);
			if (t->next != NULL && model[k] != 0) {
				int64_t pos = tab_pos(t, key, h);

				assert_true(pos >= 0);
				if (pos < t->moved)
					run->ops_copied++;
				else
					run->ops_uncopied++;
			}
			assert_int_equal(dp_spd_tab_put(t, key, h, batch_vals[i]), model[k]);
			live += (batch_vals[i] != 0) - (model[k] != 0);
			model[k] = batch_vals[i];
		}
		run->commits++;
		run->migrating_commits += t->next != NULL;
		/* What readers see: every key as the model has it (all of them
		 * while a successor fills and at a switch, else the batch and a
		 * sample). */
		assert_int_equal(t->live, live);
		assert_true(t->used >= t->live);
		assert_true(dp_spd_tab_room(t, 0));
		for (uint32_t j = 0; j < n + 64; j++) {
			uint32_t k = j < n ? batch_keys[j] : spd_rand(&rng) % next_key;

			tab_key(k, key_len, key);
			assert_int_equal(dp_spd_tab_get(t, key, dp_spd_key_hash(key, key_len)),
				model[k]);
		}
		if (t->next != NULL || pub != t_before) {
			for (uint32_t k = 0; k < next_key; k++) {
				tab_key(k, key_len, key);
				assert_int_equal(dp_spd_tab_get(t, key,
					dp_spd_key_hash(key, key_len)), model[k]);
			}
		}
		/* The successor: the keys of the slots copied, as the model has
		 * them, and no others. */
		if (t->next != NULL) {
			assert_true(t->next->mask >= t->mask);
			assert_true(t->next->used <= t->used);
			for (uint32_t k = 0; k < next_key; k++) {
				uint32_t h;
				uint64_t v;

				tab_key(k, key_len, key);
				h = dp_spd_key_hash(key, key_len);
				v = dp_spd_tab_get(t->next, key, h);
				if (tab_pos(t, key, h) < t->moved)
					assert_int_equal(v, model[k]);
				else
					assert_int_equal(v, 0);
			}
		}
	}
	dp_spd_tab_free(t);
	free(model);
	free(batch_keys);
	free(batch_vals);
}

static void test_tab_model(void **state)
{
	static const struct {
		uint32_t key_len, nkeys, max_batch;
	} cases[] = {
		{ 4, 200000, 64 },      /* CONTROL's index tables */
		{ 20, 100000, 32 },     /* the hash tier */
		{ 8, 60000, 3000 },     /* batches large against the step */
	};
	struct tab_run run;

	(void)state;
	for (unsigned int c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		tab_run_model(cases[c].key_len, cases[c].nkeys, cases[c].max_batch, 0x7ab + c,
			&run);
		print_message("key_len %u, %u keys: %u commits, %u while filling a successor, "
			      "%u switches; changes to copied keys %u, to keys not yet copied %u\n",
			cases[c].key_len, cases[c].nkeys, run.commits, run.migrating_commits,
			run.switches, run.ops_copied, run.ops_uncopied);
		assert_true(run.switches >= 5);
		assert_true(run.migrating_commits > 0);
		assert_true(run.ops_copied > 100);
		assert_true(run.ops_uncopied > 100);
	}
}

/* A commit far past the limit copies all (its adds are of that order),
 * and leaves a table at most half full. */
static void test_tab_bulk(void **state)
{
	struct dp_spd_tab *t = NULL, *fresh, *pub;
	uint8_t key[DP_SPD_KEY_MAX];
	uint32_t moved = 0, k = 0;

	(void)state;
	for (uint32_t round = 0; round < 3; round++) {
		uint32_t adds = round == 0 ? 1000 : 100000;

		assert_int_equal(dp_spd_tab_prepare(t, 4, adds, &fresh), 0);
		assert_non_null(fresh);
		pub = dp_spd_tab_step(t, fresh, adds, &moved);
		assert_ptr_equal(pub, fresh);
		dp_spd_tab_free(t);
		t = pub;
		assert_null(t->next);
		for (uint32_t i = 0; i < adds; i++, k++) {
			tab_key(k, 4, key);
			assert_int_equal(dp_spd_tab_put(t, key, dp_spd_key_hash(key, 4), k + 1), 0);
		}
		assert_true((uint64_t)t->used * 2 <= (uint64_t)t->mask + 1);
	}
	assert_int_equal(moved, 1000 + 101000);     /* what was there at each */
	dp_spd_tab_free(t);
}

/* ------------------------------------------------------------------------ */
/* The SPD. */

#define SPD_POLICIES 300000u
#define SPD_BATCH 64u
/* Entries one table may copy in a commit of few adds: a number, not
 * DP_SPD_TAB_STEP, so that a whole-table copy (a step as large as the
 * table) fails here. */
#define SPD_STEP_BOUND 4096u

/* Policy i as the model has it: 0 none, else its SA's low bits (the
 * binding changes on update). */
/* A tombstone-heavy table (30,000 keys, 25,000 deleted) gets a successor
 * of its own size; commits of 1,100 adds fill it, the last one going past
 * the old table's room.  The successor is kept to the end (the same
 * pointer is published): counting the old table's tombstones as keys the
 * successor must take threw it away near the end and copied the whole
 * table again in one commit (review of 8916363). */
static void test_tab_tombstones_keep_successor(void **state)
{
	struct dp_spd_tab *t = NULL, *fresh;
	uint32_t moved = 0, k = 0, commits = 0, prev_adds = 0;
	uint8_t key[DP_SPD_KEY_MAX];
	bool migrated = false;

	(void)state;
	assert_int_equal(dp_spd_tab_prepare(t, 4, 30000, &fresh), 0);
	t = dp_spd_tab_step(t, fresh, 30000, &moved);
	for (; k < 30000; k++) {
		tab_key(k, 4, key);
		(void)dp_spd_tab_put(t, key, dp_spd_key_hash(key, 4), k + 1);
	}
	for (uint32_t d = 0; d < 25000; d++) {
		tab_key(d, 4, key);
		(void)dp_spd_tab_put(t, key, dp_spd_key_hash(key, 4), 0);
	}
	while (!migrated) {
		const uint32_t room = (uint32_t)((uint64_t)(t->mask + 1) * 3 / 4 - t->used);
		struct dp_spd_tab *before = t, *next = t->next, *pub;
		uint32_t adds = 1100;

		if (next != NULL && room < 2 * adds)
			adds = room + 1;  /* past the old table's room */
		moved = 0;
		assert_int_equal(dp_spd_tab_prepare(t, 4, adds, &fresh), 0);
		pub = dp_spd_tab_step(t, fresh, adds, &moved);
		assert_true(moved <= max_u32(DP_SPD_TAB_STEP, 4 * adds + 4 * prev_adds));
		if (next != NULL) {
			/* The successor in hand is kept, or is what is published. */
			assert_null(fresh);
			assert_true(pub == next || (pub == before && before->next == next));
			migrated = pub != before;
		} else if (pub->next != NULL) {
			/* Started at its own size: most of the keys are tombstones. */
			assert_int_equal(pub->next->mask, pub->mask);
		}
		if (pub != before)
			dp_spd_tab_free(before);
		t = pub;
		for (uint32_t i = 0; i < adds; i++, k++) {
			tab_key(k, 4, key);
			(void)dp_spd_tab_put(t, key, dp_spd_key_hash(key, 4), k + 1);
		}
		prev_adds = adds;
		assert_true(++commits < 100);
	}
	for (uint32_t j = 0; j < k; j++) {
		tab_key(j, 4, key);
		assert_int_equal(dp_spd_tab_get(t, key, dp_spd_key_hash(key, 4)),
			j < 25000 ? 0 : j + 1);
	}
	assert_int_equal(t->live, k - 25000);
	dp_spd_tab_free(t);
}

static uint32_t *spd_model;

static void spd_check(struct dp_spd *spd, uint32_t lo, uint32_t hi, uint32_t stride)
{
	struct dp_flow f[32];
	struct dp_spd_result r[32];
	uint32_t want[32];
	unsigned int n = 0;

	for (uint32_t i = lo; i <= hi; i += stride) {
		want[n] = i;
		spd_host_flow(i, &f[n++]);
		if (n < 32 && i + stride <= hi)
			continue;
		dp_spd_lookup(spd, 0, DP_POLICY_DIR_OUT, f, n, r);
		for (unsigned int j = 0; j < n; j++) {
			uint32_t m = spd_model[want[j]];

			if (m == 0) {
				assert_int_not_equal(r[j].verdict, DP_SPD_PROTECT);
				continue;
			}
			assert_int_equal(r[j].policy, want[j]);
			assert_int_equal(r[j].verdict, DP_SPD_PROTECT);
			assert_int_equal(r[j].sa[0], 0x100000000ull + m);
		}
		n = 0;
	}
}

static void test_spd_grow_bound(void **state)
{
	struct dp_ctx *ctx = spd_ctx_new("spdtab");
	struct dp_spd *spd = dp_spd_create(ctx, NULL);
	struct spd_rng rng = { 0x59d };
	struct dp_policy p;
	uint32_t next = 1, max_moved = 0, max_stage_moved = 0, updates = 0, deletes = 0;
	uint64_t total_moved = 0;

	(void)state;
	assert_non_null(spd);
	spd_model = calloc(SPD_POLICIES + 1, sizeof(*spd_model));
	assert_non_null(spd_model);
	assert_int_equal(dp_worker_register(ctx, 0), 0);
	while (next <= SPD_POLICIES) {
		uint32_t adds = 0;

		for (uint32_t b = 0; b < SPD_BATCH && next <= SPD_POLICIES; b++) {
			uint32_t r = spd_rand(&rng) % 8, i;

			if (r < 6 || next < 100) {
				i = next++;
				spd_host_policy(i, &p);
				assert_int_equal(dp_spd_policy_set(spd, &p), 0);
				spd_model[i] = i;
				adds++;
				continue;
			}
			i = 1 + spd_rand(&rng) % (next - 1);
			if (r == 6 && spd_model[i] != 0) {
				assert_int_equal(dp_spd_policy_del(spd, i), 0);
				spd_model[i] = 0;
				deletes++;
				continue;
			}
			/* Update (a rekey: new SAs) or revive. */
			spd_host_policy(i, &p);
			p.out[0] = 0x100000000ull + (i ^ 0x800000u);
			p.in[0] = 0x200000000ull + (i ^ 0x800000u);
			adds += spd_model[i] == 0;
			assert_int_equal(dp_spd_policy_set(spd, &p), 0);
			spd_model[i] = i ^ 0x800000u;
			updates++;
		}
		assert_int_equal(dp_spd_commit(spd), 0);
		(void)dp_spd_reclaim(spd);
		/* Keys per policy: two hash tier (both directions), one SA, one
		 * index; each table copies at most max(step, 4 x its adds). */
		assert_true(spd->commit_moved <= 3 * max_u32(SPD_STEP_BOUND, 4 * 2 * adds));
		max_moved = max_u32(max_moved, spd->commit_moved);
		total_moved += spd->commit_moved;
		/* The newest policies, and a stride over all of them. */
		spd_check(spd, next - 1 > 200 ? next - 200 : 1, next - 1, 1);
		spd_check(spd, 1 + spd_rand(&rng) % 97, next - 1, 97 + spd_rand(&rng) % 1000);
	}
	spd_check(spd, 1, SPD_POLICIES, 1);
	/* Staging 300,000 changes in one go: the staged table too. */
	for (uint32_t i = 1; i <= SPD_POLICIES; i++) {
		spd_host_policy(i, &p);
		spd_model[i] = i;
		assert_int_equal(dp_spd_policy_set(spd, &p), 0);
		assert_true(spd->stage_moved <= SPD_STEP_BOUND);
		max_stage_moved = max_u32(max_stage_moved, spd->stage_moved);
	}
	assert_int_equal(dp_spd_commit(spd), 0);
	spd_check(spd, 1, SPD_POLICIES, 1);
	print_message("spd grow: %u policies in commits of %u (%u updates, %u deletes): "
		      "entries copied per commit at most %u (bound %u), %llu in all; "
		      "staging %u: at most %u per change\n",
		SPD_POLICIES, SPD_BATCH, updates, deletes, max_moved,
		3 * max_u32(SPD_STEP_BOUND, 4 * 2 * SPD_BATCH), (unsigned long long)total_moved,
		SPD_POLICIES, max_stage_moved);
	assert_int_equal(dp_worker_unregister(ctx, 0), 0);
	dp_spd_free(spd);
	dp_destroy(ctx);
	free(spd_model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tab_bulk),
		cmocka_unit_test(test_tab_model),
		cmocka_unit_test(test_tab_tombstones_keep_successor),
		cmocka_unit_test(test_spd_grow_bound),
	};
	int rc;

	if (dp_test_eal_init("spdtab", 1024) != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dp_test_eal_fini();
	return rc;
}
