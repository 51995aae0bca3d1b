/* SPDX-License-Identifier: BSD-2-Clause */
/* test_names.c: the name tables (pfk_names.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "dpsec/pfkey.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct vn {
	unsigned value;
	const char *name;
};

/* Written out independently of pfk_names.c. */
static const struct vn msgs[] = {
	{ 1, "GETSPI" },        { 2, "UPDATE" },           { 3, "ADD" },
	{ 4, "DELETE" },        { 5, "GET" },              { 6, "ACQUIRE" },
	{ 7, "REGISTER" },      { 8, "EXPIRE" },           { 9, "FLUSH" },
	{ 10, "DUMP" },         { 11, "X_PROMISC" },       { 12, "X_INVERSE_ACQUIRE" },
	{ 13, "X_UPDATEPAIR" }, { 14, "X_DELPAIR" },       { 15, "X_DELPAIR_STATE" },
	{ 240, "X_DPSEC_SPDADD" },    { 241, "X_DPSEC_SPDDELETE" },
	{ 242, "X_DPSEC_SPDGET" },    { 243, "X_DPSEC_SPDDUMP" },
	{ 244, "X_DPSEC_SPDFLUSH" },
};

static const struct vn exts[] = {
	{ 1, "SA" },                   { 2, "LIFETIME_CURRENT" },
	{ 3, "LIFETIME_HARD" },        { 4, "LIFETIME_SOFT" },
	{ 5, "ADDRESS_SRC" },          { 6, "ADDRESS_DST" },
	{ 7, "X_ADDRESS_INNER_SRC" },  { 8, "KEY_AUTH" },
	{ 9, "KEY_ENCRYPT" },          { 10, "IDENTITY_SRC" },
	{ 11, "IDENTITY_DST" },        { 12, "SENSITIVITY" },
	{ 13, "PROPOSAL" },            { 14, "SUPPORTED_AUTH" },
	{ 15, "SUPPORTED_ENCRYPT" },   { 16, "SPIRANGE" },
	{ 17, "X_EREG" },              { 18, "X_EPROP" },
	{ 19, "X_KM_COOKIE" },         { 20, "X_ADDRESS_NATT_LOC" },
	{ 21, "X_ADDRESS_NATT_REM" },  { 22, "X_ADDRESS_INNER_DST" },
	{ 23, "X_PAIR" },              { 24, "X_REPLAY_VALUE" },
	{ 25, "X_EDUMP" },             { 26, "X_LIFETIME_IDLE" },
	{ 27, "X_OUTER_SENS" },
	{ 0x8001, "X_DPSEC_REPLAY_WINDOW" }, { 0x8002, "X_DPSEC_SEQ_LEASE" },
	{ 0x8010, "X_DPSEC_POLICY" },        { 0x8011, "X_DPSEC_SELECTOR" },
	{ 0x8012, "X_DPSEC_INNER_SELECTOR" }, { 0x8013, "X_DPSEC_SAREQ" },
};

static const struct vn satypes[] = {
	{ 0, "all" }, { 2, "ah" }, { 3, "esp" }, { 5, "rsvp" },
	{ 6, "ospfv2" }, { 7, "ripv2" }, { 8, "mip" },
};

static const struct vn states[] = {
	{ 0, "larval" }, { 1, "mature" }, { 2, "dying" }, { 3, "dead" },
	{ 4, "active_elsewhere" }, { 5, "idle" }, { 6, "active" },
};

static const struct vn identtypes[] = {
	{ 1, "prefix" }, { 2, "fqdn" }, { 3, "user_fqdn" }, { 4, "der_dn" },
	{ 5, "der_gn" }, { 6, "key_id" }, { 7, "addr_range" },
};

/* Spot checks of diagnostic names against pfkeyv2.h. */
static const struct vn diags[] = {
	{ SADB_X_DIAGNOSTIC_NONE, "NONE" },
	{ SADB_X_DIAGNOSTIC_UNKNOWN_MSG, "UNKNOWN_MSG" },
	{ SADB_X_DIAGNOSTIC_BAD_INNER_SRC_AF, "BAD_INNER_SRC_AF" },
	{ SADB_X_DIAGNOSTIC_MISSING_SA, "MISSING_SA" },
	{ SADB_X_DIAGNOSTIC_BAD_EKEYBITS, "BAD_EKEYBITS" },
	{ SADB_X_DIAGNOSTIC_PAIR_SA_NOTFOUND, "PAIR_SA_NOTFOUND" },
	{ SADB_X_DIAGNOSTIC_INVALID_REPLAY, "INVALID_REPLAY" },
	{ SADB_X_DIAGNOSTIC_MALFORMED_ASTR, "MALFORMED_ASTR" },
	{ SADB_X_DIAGNOSTIC_DPSEC_BAD_VERSION, "DPSEC_BAD_VERSION" },
	{ SADB_X_DIAGNOSTIC_DPSEC_DUPLICATE_EXT, "DPSEC_DUPLICATE_EXT" },
	{ SADB_X_DIAGNOSTIC_DPSEC_BAD_REPLAY_WINDOW, "DPSEC_BAD_REPLAY_WINDOW" },
	{ SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES, "DPSEC_NO_RESOURCES" },
};

static void check_forward(const struct vn *t, size_t n, const char *(*fn)(unsigned))
{
	for (size_t i = 0; i < n; i++) {
		const char *s = fn(t[i].value);

		assert_non_null(s);
		assert_string_equal(s, t[i].name);
	}
}

static const char *msg_name(unsigned v) { return pfk_msg_name((uint8_t)v); }
static const char *ext_name(unsigned v) { return pfk_ext_name((uint16_t)v); }
static const char *satype_name(unsigned v) { return pfk_satype_name((uint8_t)v); }
static const char *state_name(unsigned v) { return pfk_state_name((uint8_t)v); }
static const char *ident_name(unsigned v) { return pfk_identtype_name((uint16_t)v); }
static const char *diag_name(unsigned v) { return pfk_diag_name((uint16_t)v); }

static bool in_table(const struct vn *t, size_t n, unsigned v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return true;
	return false;
}

static void test_msg_names(void **state)
{
	(void)state;
	check_forward(msgs, COUNT(msgs), msg_name);
	/* Exactly those: 0, 16..239 and 245..255 have no name. */
	for (unsigned v = 0; v < 256; v++)
		assert_true((pfk_msg_name((uint8_t)v) != NULL) == in_table(msgs, COUNT(msgs), v));
	for (size_t i = 0; i < COUNT(msgs); i++) {
		char lower[64], prefixed[64];

		assert_int_equal(pfk_msg_from_name(msgs[i].name), (int)msgs[i].value);
		snprintf(lower, sizeof(lower), "%s", msgs[i].name);
		for (char *p = lower; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		assert_int_equal(pfk_msg_from_name(lower), (int)msgs[i].value);
		snprintf(prefixed, sizeof(prefixed), "SADB_%s", msgs[i].name);
		assert_int_equal(pfk_msg_from_name(prefixed), (int)msgs[i].value);
		/* value -> name -> value */
		assert_int_equal(pfk_msg_from_name(pfk_msg_name((uint8_t)msgs[i].value)),
				 (int)msgs[i].value);
	}
	static const char *const bad[] = { "", "RESERVED", "ADDX", "SADB_", "3", "SPDADD",
					   "X_SPDADD", " ADD" };
	for (size_t i = 0; i < COUNT(bad); i++)
		assert_int_equal(pfk_msg_from_name(bad[i]), -ENOENT);
	assert_int_equal(pfk_msg_from_name(NULL), -ENOENT);
}

static void test_ext_names(void **state)
{
	(void)state;
	check_forward(exts, COUNT(exts), ext_name);
	for (unsigned v = 0; v < 0x10000; v++)
		assert_true((pfk_ext_name((uint16_t)v) != NULL) == in_table(exts, COUNT(exts), v));
	/* Every type pfkeyv2.h defines, 1..SADB_EXT_MAX and the dpsec range. */
	for (unsigned v = 1; v <= SADB_EXT_MAX; v++)
		assert_non_null(pfk_ext_name((uint16_t)v));
	assert_non_null(pfk_ext_name(SADB_X_EXT_DPSEC_MAX));
}

static void test_satype_names(void **state)
{
	(void)state;
	check_forward(satypes, COUNT(satypes), satype_name);
	for (size_t i = 0; i < COUNT(satypes); i++)
		assert_int_equal(pfk_satype_from_name(satypes[i].name), (int)satypes[i].value);
	static const struct {
		const char *in;
		int want;
	} cases[] = {
		{ "ESP", 3 },  { "Ah", 2 },     { "ALL", 0 },      { "0", 0 },
		{ "2", 2 },    { "3", 3 },      { "255", 255 },    { "9", 9 },
		{ "256", -ENOENT }, { "", -ENOENT }, { "esp3", -ENOENT }, { "-1", -ENOENT },
		{ "unspec", -ENOENT }, { "0x3", -ENOENT },
	};
	for (size_t i = 0; i < COUNT(cases); i++)
		assert_int_equal(pfk_satype_from_name(cases[i].in), cases[i].want);
	assert_int_equal(pfk_satype_from_name(NULL), -ENOENT);
	assert_null(pfk_satype_name(1));
	assert_null(pfk_satype_name(4));
	assert_null(pfk_satype_name(9));
	assert_null(pfk_satype_name(255));
}

static void test_state_names(void **state)
{
	(void)state;
	check_forward(states, COUNT(states), state_name);
	for (unsigned v = 7; v < 256; v++)
		assert_null(pfk_state_name((uint8_t)v));
	for (size_t i = 0; i < COUNT(states); i++) {
		char num[8];

		assert_int_equal(pfk_state_from_name(states[i].name), (int)states[i].value);
		/* Numbers 0..6: the illumos ipseckey defect, fixed. */
		snprintf(num, sizeof(num), "%u", states[i].value);
		assert_int_equal(pfk_state_from_name(num), (int)states[i].value);
	}
	assert_int_equal(pfk_state_from_name("ACTIVE"), SADB_X_SASTATE_ACTIVE);
	assert_int_equal(pfk_state_from_name("Idle"), SADB_X_SASTATE_IDLE);
	assert_int_equal(pfk_state_from_name("7"), -ENOENT);
	assert_int_equal(pfk_state_from_name("mature1"), -ENOENT);
	assert_int_equal(pfk_state_from_name(""), -ENOENT);
	assert_int_equal(pfk_state_from_name(NULL), -ENOENT);
	/* value -> name -> value for the whole range. */
	for (unsigned v = 0; v <= SADB_SASTATE_MAX; v++)
		assert_int_equal(pfk_state_from_name(pfk_state_name((uint8_t)v)), (int)v);
}

static void test_identtype_names(void **state)
{
	(void)state;
	check_forward(identtypes, COUNT(identtypes), ident_name);
	assert_null(pfk_identtype_name(0));
	assert_null(pfk_identtype_name(8));
	for (size_t i = 0; i < COUNT(identtypes); i++)
		assert_int_equal(pfk_identtype_from_name(identtypes[i].name),
				 (int)identtypes[i].value);
	assert_int_equal(pfk_identtype_from_name("domain"), SADB_IDENTTYPE_FQDN);
	assert_int_equal(pfk_identtype_from_name("DomainName"), SADB_IDENTTYPE_FQDN);
	assert_int_equal(pfk_identtype_from_name("mailbox"), SADB_IDENTTYPE_USER_FQDN);
	assert_int_equal(pfk_identtype_from_name("4"), 4);
	assert_int_equal(pfk_identtype_from_name("65535"), 65535);
	assert_int_equal(pfk_identtype_from_name("65536"), -ENOENT);
	assert_int_equal(pfk_identtype_from_name("ipv4"), -ENOENT);
	assert_int_equal(pfk_identtype_from_name(NULL), -ENOENT);
}

/* Every illumos diagnostic 0..86 and every dpsec one 0x8001..0x8026 has a
 * distinct name and a sentence; nothing else has either. */
static void test_diagnostics(void **state)
{
	(void)state;
	const char *seen[SADB_X_DIAGNOSTIC_MAX + 1 + 0x26];
	size_t nseen = 0;

	check_forward(diags, COUNT(diags), diag_name);
	for (unsigned v = 0; v < 0x10000; v++) {
		bool known = v <= SADB_X_DIAGNOSTIC_MAX ||
			     (v > SADB_X_DIAGNOSTIC_DPSEC_BASE && v <= SADB_X_DIAGNOSTIC_DPSEC_MAX);
		const char *name = pfk_diag_name((uint16_t)v);
		const char *text = pfk_diag_string((uint16_t)v);

		if (!known) {
			assert_null(name);
			assert_null(text);
			continue;
		}
		assert_non_null(name);
		assert_non_null(text);
		assert_true(strlen(name) > 2);
		assert_true(strlen(text) > 5);
		/* Sentences start with a capital letter and have no period. */
		assert_true(text[0] >= 'A' && text[0] <= 'Z');
		assert_true(text[strlen(text) - 1] != '.');
		/* dpsec diagnostics are named DPSEC_*, illumos ones are not. */
		assert_int_equal(strncmp(name, "DPSEC_", 6) == 0, v > SADB_X_DIAGNOSTIC_MAX);
		for (size_t i = 0; i < nseen; i++)
			assert_true(strcmp(seen[i], name) != 0);
		seen[nseen++] = name;
	}
	assert_int_equal(nseen, COUNT(seen));
}

/* The sentences are distinct too (no copy-paste left behind). */
/* name -> value -> name for every table with an inverse lookup. */
static void test_name_value_name(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(msgs); i++)
		assert_string_equal(pfk_msg_name((uint8_t)pfk_msg_from_name(msgs[i].name)),
				    msgs[i].name);
	for (size_t i = 0; i < COUNT(satypes); i++)
		assert_string_equal(pfk_satype_name((uint8_t)pfk_satype_from_name(satypes[i].name)),
				    satypes[i].name);
	for (size_t i = 0; i < COUNT(states); i++)
		assert_string_equal(pfk_state_name((uint8_t)pfk_state_from_name(states[i].name)),
				    states[i].name);
	for (size_t i = 0; i < COUNT(identtypes); i++)
		assert_string_equal(
			pfk_identtype_name((uint16_t)pfk_identtype_from_name(identtypes[i].name)),
			identtypes[i].name);
	/* value -> name -> value over the whole number space. */
	for (unsigned v = 0; v < 256; v++) {
		const char *n = pfk_satype_name((uint8_t)v);

		if (n != NULL)
			assert_int_equal(pfk_satype_from_name(n), (int)v);
		n = pfk_msg_name((uint8_t)v);
		if (n != NULL)
			assert_int_equal(pfk_msg_from_name(n), (int)v);
	}
	for (unsigned v = 0; v < 0x10000; v++) {
		const char *n = pfk_identtype_name((uint16_t)v);

		if (n != NULL)
			assert_int_equal(pfk_identtype_from_name(n), (int)v);
	}
}

static void test_diag_strings_distinct(void **state)
{
	(void)state;
	for (unsigned a = 0; a < 0x8030; a++) {
		const char *sa = pfk_diag_string((uint16_t)a);

		if (sa == NULL)
			continue;
		for (unsigned b = a + 1; b < 0x8030; b++) {
			const char *sb = pfk_diag_string((uint16_t)b);

			if (sb != NULL && strcmp(sa, sb) == 0)
				fail_msg("diagnostics %#x and %#x share \"%s\"", a, b, sa);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_names),
		cmocka_unit_test(test_ext_names),
		cmocka_unit_test(test_satype_names),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_identtype_names),
		cmocka_unit_test(test_diagnostics),
		cmocka_unit_test(test_name_value_name),
		cmocka_unit_test(test_diag_strings_distinct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
