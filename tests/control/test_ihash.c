/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ihash: the control plane's incrementally growing hash
 * (control/ctl_ihash.c) against a reference array: random inserts, removes
 * and lookups with fixed seeds, grown from 4 buckets past many resize
 * points, so that many operations run while a migration is half done;
 * and the bound that makes it worth having: no insert moves more than a
 * few buckets' entries (the whole-table rehash it replaces moved all).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_hash.h"
#include "ctl_ihash.h"

#define T_KEYS 40000u

struct t_ent {
	struct ctl_hlink link;
	uint32_t key;
	uint32_t h;
};

static struct t_ent ents[T_KEYS];
static bool in_ref[T_KEYS];
static uint64_t hash_calls; /* entries moved (the table asks their hash) */

static uint32_t hash_good(uint32_t k)
{
	return (uint32_t)ctl_hash_mix(k);
}

/* Low bits all alike: long chains in every table size. */
static uint32_t hash_clash(uint32_t k)
{
	return (k % 7u) << 20;
}

static uint32_t hash_ident(uint32_t k)
{
	return k;
}

static uint32_t ent_hash(const struct ctl_hlink *l)
{
	hash_calls++;
	return CTL_HLINK_OWNER(l, struct t_ent, link)->h;
}

static struct t_ent *lookup(const struct ctl_ihash *t, uint32_t key, uint32_t h)
{
	for (const struct ctl_hlink *l = ctl_ihash_chain(t, h); l != NULL; l = l->next) {
		struct t_ent *e = CTL_HLINK_OWNER(l, struct t_ent, link);

		if (e->key == key)
			return e;
	}
	return NULL;
}

static uint64_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rnd_state >> 33);
}

static void count_each(struct ctl_hlink *l, void *arg)
{
	struct t_ent *e = CTL_HLINK_OWNER(l, struct t_ent, link);

	assert_true(in_ref[e->key]);
	(*(uint32_t *)arg)++;
}

/* Every key is found iff the reference has it; each visits n entries. */
static void check_all(struct ctl_ihash *t, uint32_t nkeys)
{
	uint32_t n = 0, seen = 0;

	for (uint32_t k = 0; k < nkeys; k++) {
		struct t_ent *e = lookup(t, k, ents[k].h);

		assert_int_equal(e != NULL, in_ref[k]);
		if (e != NULL)
			assert_ptr_equal(e, &ents[k]);
		n += in_ref[k];
	}
	assert_int_equal(t->n, n);
	ctl_ihash_each(t, count_each, &seen);
	assert_int_equal(seen, n);
}

struct t_case {
	const char *name;
	uint32_t (*hash)(uint32_t k);
	uint32_t nkeys;
	uint64_t seed;
	unsigned int insert_pct; /* of operations; the rest remove or look up */
	uint64_t max_moves;      /* entries one reserve may move, at most */
};

static const struct t_case cases[] = {
	{ "mixed hash, mostly inserts", hash_good, T_KEYS, 1, 70, 64 },
	{ "mixed hash, churn", hash_good, T_KEYS, 2, 50, 64 },
	{ "identity hash", hash_ident, T_KEYS, 3, 65, 64 },
	/* Seven distinct hashes: chains of thousands; moves are bounded by
	 * CTL_IHASH_STEP chains, not entries, so only correctness is checked. */
	{ "clashing hash", hash_clash, 3000, 4, 65, UINT64_MAX },
};

static void run_case(const struct t_case *c)
{
	struct ctl_ihash t;
	uint32_t grows = 0, nb = 4, ops_migrating = 0;
	uint64_t worst = 0;

	memset(in_ref, 0, sizeof(in_ref));
	rnd_state = c->seed;
	for (uint32_t k = 0; k < c->nkeys; k++) {
		ents[k].key = k;
		ents[k].h = c->hash(k);
	}
	assert_int_equal(ctl_ihash_init(&t, 4, ent_hash), 0);
	for (uint32_t op = 0; op < c->nkeys * 4u; op++) {
		uint32_t k = rnd() % c->nkeys, r = rnd() % 100;
		struct t_ent *e = lookup(&t, k, ents[k].h);

		assert_int_equal(e != NULL, in_ref[k]);
		if (t.old != NULL)
			ops_migrating++;
		if (r < c->insert_pct && !in_ref[k]) {
			uint64_t before = hash_calls;

			assert_int_equal(ctl_ihash_reserve(&t), 0);
			if (hash_calls - before > worst)
				worst = hash_calls - before;
			ctl_ihash_insert(&t, &ents[k].link, ents[k].h);
			in_ref[k] = true;
		} else if (r >= c->insert_pct && r < c->insert_pct + 20 && in_ref[k]) {
			assert_true(ctl_ihash_remove(&t, &ents[k].link, ents[k].h));
			in_ref[k] = false;
			/* Not there any more: a second remove finds nothing. */
			assert_false(ctl_ihash_remove(&t, &ents[k].link, ents[k].h));
		}
		if (t.nb != nb) {
			assert_int_equal(t.nb, nb * 2);
			nb = t.nb;
			grows++;
			check_all(&t, c->nkeys); /* just after a growth began */
		}
		if (op % 5000 == 0)
			check_all(&t, c->nkeys);
	}
	check_all(&t, c->nkeys);
	ctl_ihash_settle(&t);
	assert_null(t.old);
	check_all(&t, c->nkeys);
	/* Past several resize points, many operations mid-migration. */
	assert_true(grows >= 6);
	assert_true(ops_migrating > 1000);
	if (c->max_moves != UINT64_MAX)
		assert_true(worst <= c->max_moves);
	print_message("%s: %u growths to %u buckets, %u ops mid-migration, "
		      "at most %llu entries moved by one insert\n", c->name, grows, t.nb,
		      ops_migrating, (unsigned long long)worst);
	ctl_ihash_fini(&t);
	assert_null(t.tab);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

/* Bad sizes are refused; a zeroed table is safe to finish and walk. */
static void test_init_args(void **state)
{
	struct ctl_ihash t;
	uint32_t seen = 0;

	(void)state;
	assert_int_equal(ctl_ihash_init(&t, 0, ent_hash), -EINVAL);
	assert_int_equal(ctl_ihash_init(&t, 12, ent_hash), -EINVAL);
	assert_int_equal(ctl_ihash_init(&t, 8, NULL), -EINVAL);
	memset(&t, 0, sizeof(t));
	ctl_ihash_each(&t, count_each, &seen);
	assert_int_equal(seen, 0);
	ctl_ihash_fini(&t);
}

/* clear() mid-migration: nothing is found, and the table works again. */
static void test_clear(void **state)
{
	struct ctl_ihash t;

	(void)state;
	memset(in_ref, 0, sizeof(in_ref));
	for (uint32_t k = 0; k < 300; k++) { /* all of them: not left to test_cases */
		ents[k].key = k;
		ents[k].h = hash_good(k);
	}
	assert_int_equal(ctl_ihash_init(&t, 4, ent_hash), 0);
	for (uint32_t k = 0; k < 300; k++) {
		assert_int_equal(ctl_ihash_reserve(&t), 0);
		ctl_ihash_insert(&t, &ents[k].link, ents[k].h);
		if (t.old != NULL && k > 100)
			break;
	}
	assert_non_null(t.old);
	ctl_ihash_clear(&t);
	assert_null(t.old);
	check_all(&t, 300);
	for (uint32_t k = 0; k < 300; k += 2) {
		assert_int_equal(ctl_ihash_reserve(&t), 0);
		ctl_ihash_insert(&t, &ents[k].link, ents[k].h);
		in_ref[k] = true;
	}
	check_all(&t, 300);
	ctl_ihash_fini(&t);
}

struct drop_arg {
	struct ctl_ihash *t;
	uint32_t seen;
};

/* An each() callback that unlinks the entry it is given, as the
 * publisher's teardown of a rule does. */
static void drop_odd(struct ctl_hlink *l, void *arg)
{
	struct drop_arg *a = arg;
	struct t_ent *e = CTL_HLINK_OWNER(l, struct t_ent, link);

	assert_true(in_ref[e->key]);
	a->seen++;
	if (e->key % 2 == 1) {
		assert_true(ctl_ihash_remove(a->t, l, e->h));
		in_ref[e->key] = false;
	}
}

/* each() whose callback removes the current entry, mid-migration: every
 * entry visited once, the removed ones gone, the rest still found. */
static void test_each_remove(void **state)
{
	struct ctl_ihash t;
	struct drop_arg a = { &t, 0 };
	uint32_t k, n = 0;

	(void)state;
	memset(in_ref, 0, sizeof(in_ref));
	assert_int_equal(ctl_ihash_init(&t, 4, ent_hash), 0);
	for (k = 0; k < 3000; k++) {
		ents[k].key = k;
		ents[k].h = hash_good(k);
		assert_int_equal(ctl_ihash_reserve(&t), 0);
		ctl_ihash_insert(&t, &ents[k].link, ents[k].h);
		in_ref[k] = true;
		if (t.old != NULL && k > 1000 && t.moved > 0 && t.moved < t.onb / 2)
			break;
	}
	assert_non_null(t.old); /* both tables in use */
	n = k + 1;
	ctl_ihash_each(&t, drop_odd, &a);
	assert_int_equal(a.seen, n);
	check_all(&t, n);
	assert_int_equal(t.n, (n + 1) / 2);
	ctl_ihash_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_init_args),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_each_remove),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
