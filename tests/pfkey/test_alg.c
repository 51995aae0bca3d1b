/* SPDX-License-Identifier: BSD-2-Clause */
/* test_alg.c: the algorithm table (pfk_alg.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dpsec/pfkey.h"

/* The expected table, written out independently of pfk_alg.c. */
struct alg_case {
	enum pfk_alg_kind kind;
	uint8_t id;
	const char *name;
	uint16_t minbits, maxbits, increment;
	uint8_t saltbits, ivlen, icvlen, blocksize;
	unsigned flags;
};

#define A PFK_ALG_AUTH
#define E PFK_ALG_ENCRYPT
#define AEAD PFK_ALG_AEAD
#define NOC PFK_ALG_NOCIPHER
#define LEG PFK_ALG_LEGACY

static const struct alg_case cases[] = {
	{ A, 2, "md5", 128, 128, 0, 0, 0, 12, 0, LEG },
	{ A, 3, "sha1", 160, 160, 0, 0, 0, 12, 0, 0 },
	{ A, 5, "sha256", 256, 256, 0, 0, 0, 16, 0, 0 },
	{ A, 6, "sha384", 384, 384, 0, 0, 0, 24, 0, 0 },
	{ A, 7, "sha512", 512, 512, 0, 0, 0, 32, 0, 0 },
	{ E, 2, "des", 64, 64, 0, 0, 8, 0, 8, LEG },
	{ E, 3, "3des", 192, 192, 0, 0, 8, 0, 8, LEG },
	{ E, 7, "blowfish", 32, 448, 8, 0, 8, 0, 8, LEG },
	{ E, 11, "null", 0, 0, 0, 0, 0, 0, 4, NOC },
	{ E, 12, "aes", 128, 256, 64, 0, 16, 0, 16, 0 },
	{ E, 13, "aes-ctr", 128, 256, 64, 32, 8, 0, 4, 0 },
	{ E, 14, "aes-ccm8", 128, 256, 64, 24, 8, 8, 4, AEAD | LEG },
	{ E, 15, "aes-ccm12", 128, 256, 64, 24, 8, 12, 4, AEAD | LEG },
	{ E, 16, "aes-ccm16", 128, 256, 64, 24, 8, 16, 4, AEAD | LEG },
	{ E, 18, "aes-gcm8", 128, 256, 64, 32, 8, 8, 4, AEAD },
	{ E, 19, "aes-gcm12", 128, 256, 64, 32, 8, 12, 4, AEAD },
	{ E, 20, "aes-gcm16", 128, 256, 64, 32, 8, 16, 4, AEAD },
	{ E, 21, "null-aes-gmac", 128, 256, 64, 32, 8, 16, 4, AEAD | NOC },
	{ E, 28, "chacha20-poly1305", 256, 256, 0, 32, 8, 16, 4, AEAD },
};

static const struct alg_case *expected(enum pfk_alg_kind kind, uint8_t id)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cases[i].kind == kind && cases[i].id == id)
			return &cases[i];
	return NULL;
}

static void test_every_entry(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct alg_case *c = &cases[i];
		const struct pfk_alg_info *a = pfk_alg_by_id(c->kind, c->id);

		assert_non_null(a);
		assert_int_equal(a->kind, c->kind);
		assert_int_equal(a->id, c->id);
		assert_string_equal(a->name, c->name);
		assert_int_equal(a->minbits, c->minbits);
		assert_int_equal(a->maxbits, c->maxbits);
		assert_int_equal(a->increment, c->increment);
		assert_int_equal(a->saltbits, c->saltbits);
		assert_int_equal(a->ivlen, c->ivlen);
		assert_int_equal(a->icvlen, c->icvlen);
		assert_int_equal(a->blocksize, c->blocksize);
		assert_int_equal(a->flags, c->flags);
		/* The canonical name finds the same row, in any case. */
		assert_ptr_equal(pfk_alg_by_name(c->kind, c->name), a);
	}
}

/* pfk_alg_at enumerates exactly the expected rows, each once. */
static void test_iteration(void **state)
{
	(void)state;
	const enum pfk_alg_kind kinds[] = { A, E };
	size_t total = 0;

	for (size_t k = 0; k < 2; k++) {
		const struct pfk_alg_info *a;
		unsigned seen[256] = { 0 };

		for (unsigned i = 0; (a = pfk_alg_at(kinds[k], i)) != NULL; i++) {
			assert_true(i < 64);
			assert_int_equal(a->kind, kinds[k]);
			assert_non_null(expected(kinds[k], a->id));
			assert_int_equal(seen[a->id]++, 0);
			assert_ptr_equal(pfk_alg_by_id(kinds[k], a->id), a);
			total++;
		}
	}
	assert_int_equal(total, sizeof(cases) / sizeof(cases[0]));
	assert_null(pfk_alg_at((enum pfk_alg_kind)0, 0));
	assert_null(pfk_alg_at((enum pfk_alg_kind)3, 0));
}

/* The IDs agree with pfkeyv2.h. */
static void test_ids_match_header(void **state)
{
	(void)state;
	static const struct {
		enum pfk_alg_kind kind;
		uint8_t id;
		const char *name;
	} ids[] = {
		{ A, SADB_AALG_MD5HMAC, "md5" },
		{ A, SADB_AALG_SHA1HMAC, "sha1" },
		{ A, SADB_AALG_SHA256HMAC, "sha256" },
		{ A, SADB_AALG_SHA384HMAC, "sha384" },
		{ A, SADB_AALG_SHA512HMAC, "sha512" },
		{ E, SADB_EALG_DESCBC, "des" },
		{ E, SADB_EALG_3DESCBC, "3des" },
		{ E, SADB_EALG_BLOWFISH, "blowfish" },
		{ E, SADB_EALG_NULL, "null" },
		{ E, SADB_EALG_AES_CBC, "aes" },
		{ E, SADB_X_EALG_AES_CTR, "aes-ctr" },
		{ E, SADB_EALG_AES_CCM_8, "aes-ccm8" },
		{ E, SADB_EALG_AES_CCM_12, "aes-ccm12" },
		{ E, SADB_EALG_AES_CCM_16, "aes-ccm16" },
		{ E, SADB_EALG_AES_GCM_8, "aes-gcm8" },
		{ E, SADB_EALG_AES_GCM_12, "aes-gcm12" },
		{ E, SADB_EALG_AES_GCM_16, "aes-gcm16" },
		{ E, SADB_X_EALG_NULL_AES_GMAC, "null-aes-gmac" },
		{ E, SADB_X_EALG_CHACHA20_POLY1305, "chacha20-poly1305" },
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct pfk_alg_info *a = pfk_alg_by_id(ids[i].kind, ids[i].id);

		assert_non_null(a);
		assert_string_equal(a->name, ids[i].name);
	}
	/* Every ID in the table stays within the header's range. */
	for (unsigned i = 0; pfk_alg_at(A, i) != NULL; i++)
		assert_true(pfk_alg_at(A, i)->id <= SADB_AALG_MAX);
	for (unsigned i = 0; pfk_alg_at(E, i) != NULL; i++)
		assert_true(pfk_alg_at(E, i)->id <= SADB_EALG_MAX);
}

static void test_synonyms_and_numbers(void **state)
{
	(void)state;
	static const struct {
		enum pfk_alg_kind kind;
		const char *name;
		int id; /* -1: not found */
	} names[] = {
		{ A, "hmac-md5", 2 },     { A, "MD5", 2 },          { A, "sha", 3 },
		{ A, "hmac-sha1", 3 },    { A, "SHA1", 3 },         { A, "hmac-sha256", 5 },
		{ A, "hmac-sha384", 6 },  { A, "HMAC-SHA512", 7 },  { A, "2", 2 },
		{ A, "3", 3 },            { A, "7", 7 },            { A, "007", 7 },
		{ E, "des-cbc", 2 },      { E, "3DES-CBC", 3 },     { E, "aes-cbc", 12 },
		{ E, "AES", 12 },         { E, "aes-ccm", 16 },     { E, "aes-gcm", 20 },
		{ E, "Aes-Gcm8", 18 },    { E, "aes-gmac", 21 },    { E, "chacha20poly1305", 28 },
		{ E, "12", 12 },          { E, "28", 28 },          { E, "11", 11 },
		/* Unknown names, unknown numbers, junk. */
		{ A, "none", -1 },        { A, "0", -1 },           { A, "1", -1 },
		{ A, "4", -1 },           { A, "sha2", -1 },        { A, "", -1 },
		{ A, "aes", -1 },         { E, "sha1", -1 },        { E, "none", -1 },
		{ E, "0", -1 },           { E, "17", -1 },          { E, "256", -1 },
		{ E, "268", -1 },         { E, "12x", -1 },         { E, "-12", -1 },
		{ E, " 12", -1 },         { E, "aes ", -1 },        { E, "aes-gcm-16", -1 },
		{ E, "99999999999999999999", -1 },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct pfk_alg_info *a = pfk_alg_by_name(names[i].kind, names[i].name);

		if (names[i].id < 0) {
			assert_null(a);
		} else {
			assert_non_null(a);
			assert_int_equal(a->id, names[i].id);
			assert_int_equal(a->kind, names[i].kind);
		}
	}
	assert_null(pfk_alg_by_name(A, NULL));
	/* Every synonym of every row maps back to its row. */
	const enum pfk_alg_kind kinds[] = { A, E };
	for (size_t k = 0; k < 2; k++) {
		const struct pfk_alg_info *a;

		for (unsigned i = 0; (a = pfk_alg_at(kinds[k], i)) != NULL; i++)
			for (const char *const *s = a->synonyms; s && *s; s++)
				assert_ptr_equal(pfk_alg_by_name(kinds[k], *s), a);
	}
}

static void test_keybits(void **state)
{
	(void)state;
	static const struct {
		enum pfk_alg_kind kind;
		uint8_t id;
		unsigned bits;
		bool ok;
	} kb[] = {
		{ A, 2, 128, true },   { A, 2, 127, false },  { A, 2, 129, false },
		{ A, 2, 0, false },    { A, 3, 160, true },   { A, 3, 128, false },
		{ A, 5, 256, true },   { A, 5, 255, false },  { A, 6, 384, true },
		{ A, 7, 512, true },   { A, 7, 520, false },
		{ E, 2, 64, true },    { E, 2, 56, false },   { E, 3, 192, true },
		{ E, 3, 168, false },  { E, 7, 32, true },    { E, 7, 40, true },
		{ E, 7, 448, true },   { E, 7, 36, false },   { E, 7, 24, false },
		{ E, 7, 456, false },  { E, 11, 0, true },    { E, 11, 8, false },
		{ E, 12, 128, true },  { E, 12, 192, true },  { E, 12, 256, true },
		{ E, 12, 160, false }, { E, 12, 64, false },  { E, 12, 320, false },
		{ E, 13, 128, true },  { E, 13, 160, false }, { E, 20, 192, true },
		{ E, 20, 224, false }, { E, 21, 256, true },  { E, 21, 288, false },
		{ E, 28, 256, true },  { E, 28, 128, false }, { E, 28, 288, false },
		{ E, 16, 128, true },
	};
	for (size_t i = 0; i < sizeof(kb) / sizeof(kb[0]); i++) {
		const struct pfk_alg_info *a = pfk_alg_by_id(kb[i].kind, kb[i].id);

		assert_non_null(a);
		assert_int_equal(pfk_alg_keybits_ok(a, kb[i].bits), kb[i].ok);
	}
	assert_false(pfk_alg_keybits_ok(NULL, 128));
	/* Exhaustively: the rule min <= bits <= max, step increment. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct alg_case *c = &cases[i];
		const struct pfk_alg_info *a = pfk_alg_by_id(c->kind, c->id);

		for (unsigned bits = 0; bits <= 1024; bits++) {
			bool want = bits >= c->minbits && bits <= c->maxbits &&
				    (c->increment ? (bits - c->minbits) % c->increment == 0
						  : bits == c->minbits);
			assert_int_equal(pfk_alg_keybits_ok(a, bits), want);
		}
	}
}

static void test_unknown_ids(void **state)
{
	(void)state;
	for (unsigned id = 0; id < 256; id++) {
		assert_true((pfk_alg_by_id(A, (uint8_t)id) != NULL) ==
			    (expected(A, (uint8_t)id) != NULL));
		assert_true((pfk_alg_by_id(E, (uint8_t)id) != NULL) ==
			    (expected(E, (uint8_t)id) != NULL));
	}
	assert_null(pfk_alg_by_id((enum pfk_alg_kind)0, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_entry),
		cmocka_unit_test(test_iteration),
		cmocka_unit_test(test_ids_match_header),
		cmocka_unit_test(test_synonyms_and_numbers),
		cmocka_unit_test(test_keybits),
		cmocka_unit_test(test_unknown_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
