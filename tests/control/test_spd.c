/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spd: the control thread's policy store alone (libc only): index
 * assignment, duplicates, match order (priority, then index), selectors
 * (prefixes, protocol, port and ICMP ranges, direction), tunnel rules
 * matching on the inner selector and their endpoints, the version that
 * publishing will watch, the by-index cursor dumps use, and random adds
 * and deletes against a sorted array (the scalable store's structures).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_spd.h"
#include "dpsec/pfkey.h"

static struct sadb_x_dpsec_selector sel4(const char *l, uint8_t lp, const char *r, uint8_t rp,
	uint8_t proto, uint16_t rport_min, uint16_t rport_max)
{
	struct sadb_x_dpsec_selector s;

	memset(&s, 0, sizeof(s));
	s.sadb_x_sel_len = 7;
	s.sadb_x_sel_exttype = SADB_X_EXT_DPSEC_SELECTOR;
	s.sadb_x_sel_family = AF_INET;
	s.sadb_x_sel_proto = proto;
	s.sadb_x_sel_src_prefixlen = lp;
	s.sadb_x_sel_dst_prefixlen = rp;
	s.sadb_x_sel_sport_max = 65535;
	s.sadb_x_sel_dport_min = rport_min;
	s.sadb_x_sel_dport_max = rport_max;
	s.sadb_x_sel_icmp_type_max = 255;
	s.sadb_x_sel_icmp_code_max = 255;
	inet_pton(AF_INET, l, s.sadb_x_sel_src);
	inet_pton(AF_INET, r, s.sadb_x_sel_dst);
	return s;
}

static struct ctl_spd_rule rule(uint32_t prio, uint8_t dir, uint8_t action,
	struct sadb_x_dpsec_selector s)
{
	struct ctl_spd_rule r;

	memset(&r, 0, sizeof(r));
	r.pol.sadb_x_pol_priority = prio;
	r.pol.sadb_x_pol_dir = dir;
	r.pol.sadb_x_pol_action = action;
	r.sel = s;
	return r;
}

static struct ctl_spd_flow flow4(uint8_t dir, const char *l, const char *r, uint8_t proto,
	uint16_t lport, uint16_t rport)
{
	struct ctl_spd_flow f;

	memset(&f, 0, sizeof(f));
	f.dir = dir;
	f.family = AF_INET;
	f.proto = proto;
	f.sport = lport;
	f.dport = rport;
	inet_pton(AF_INET, l, f.src);
	inet_pton(AF_INET, r, f.dst);
	return f;
}

static void test_order_and_match(void **state)
{
	struct ctl_spd *spd = ctl_spd_new(0);
	struct ctl_spd_rule a = rule(100, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_IPSEC,
				     sel4("10.0.0.0", 8, "10.1.0.0", 16, 0, 0, 65535));
	struct ctl_spd_rule b = rule(50, SADB_X_DPSEC_DIR_BOTH, SADB_X_DPSEC_ACTION_BYPASS,
				     sel4("10.0.0.0", 8, "10.1.2.0", 24, 17, 53, 53));
	struct ctl_spd_rule c = rule(100, SADB_X_DPSEC_DIR_IN, SADB_X_DPSEC_ACTION_DISCARD,
				     sel4("0.0.0.0", 0, "0.0.0.0", 0, 0, 0, 65535));
	static const struct {
		uint8_t dir;
		const char *l, *r;
		uint8_t proto;
		uint16_t lport, rport;
		int want; /* 0 none, 1 a, 2 b, 3 c */
	} cases[] = {
		{ SADB_X_DPSEC_DIR_OUT, "10.9.9.9", "10.1.7.7", 6, 1000, 80, 1 },
		{ SADB_X_DPSEC_DIR_OUT, "10.9.9.9", "10.1.2.7", 17, 1000, 53, 2 },  /* prio 50 */
		{ SADB_X_DPSEC_DIR_OUT, "10.9.9.9", "10.1.2.7", 17, 1000, 54, 1 },  /* port */
		{ SADB_X_DPSEC_DIR_OUT, "10.9.9.9", "10.1.2.7", 6, 1000, 53, 1 },   /* proto */
		{ SADB_X_DPSEC_DIR_OUT, "11.0.0.1", "10.1.2.7", 17, 1000, 53, 0 },  /* prefix */
		{ SADB_X_DPSEC_DIR_IN, "10.9.9.9", "10.1.2.7", 17, 1000, 53, 2 },   /* both */
		{ SADB_X_DPSEC_DIR_IN, "10.9.9.9", "10.1.7.7", 6, 1000, 80, 3 },    /* a is out */
	};
	const struct ctl_spd_rule *want[4] = { NULL };
	uint16_t diag = 0;
	uint64_t v0;

	(void)state;
	assert_non_null(spd);
	v0 = ctl_spd_version(spd);
	assert_int_equal(ctl_spd_add(spd, &a, &diag), 0);
	assert_int_equal(ctl_spd_add(spd, &b, &diag), 0);
	assert_int_equal(ctl_spd_add(spd, &c, &diag), 0);
	assert_true(ctl_spd_version(spd) == v0 + 3);
	/* Indices are assigned in order, from 1. */
	assert_int_equal(a.pol.sadb_x_pol_index, 1);
	assert_int_equal(b.pol.sadb_x_pol_index, 2);
	assert_int_equal(c.pol.sadb_x_pol_index, 3);
	/* Match order: b (50), a (100, index 1), c (100, index 3). */
	assert_int_equal(ctl_spd_first(spd)->pol.sadb_x_pol_index, 2);
	assert_int_equal(ctl_spd_next(spd, ctl_spd_first(spd))->pol.sadb_x_pol_index, 1);
	assert_int_equal(ctl_spd_next(spd, ctl_spd_get(spd, 1))->pol.sadb_x_pol_index, 3);
	assert_null(ctl_spd_next(spd, ctl_spd_get(spd, 3)));
	want[1] = ctl_spd_get(spd, 1);
	want[2] = ctl_spd_get(spd, 2);
	want[3] = ctl_spd_get(spd, 3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctl_spd_flow f = flow4(cases[i].dir, cases[i].l, cases[i].r, cases[i].proto,
					      cases[i].lport, cases[i].rport);

		assert_ptr_equal(ctl_spd_match(spd, &f), want[cases[i].want]);
	}
	/* The same rule again is refused; nothing changes. */
	assert_int_equal(ctl_spd_add(spd, &a, &diag), -EEXIST);
	assert_int_equal(diag, SADB_X_DIAGNOSTIC_DPSEC_POLICY_EXISTS);
	assert_int_equal(ctl_spd_count(spd), 3);
	/* Delete b: the DNS flow falls to a. */
	assert_int_equal(ctl_spd_delete(spd, 2, NULL), 0);
	assert_int_equal(ctl_spd_delete(spd, 2, NULL), -ENOENT);
	{
		struct ctl_spd_flow f = flow4(SADB_X_DPSEC_DIR_OUT, "10.9.9.9", "10.1.2.7", 17,
					      1000, 53);

		assert_ptr_equal(ctl_spd_match(spd, &f), ctl_spd_get(spd, 1));
	}
	ctl_spd_free(spd);
}

static void test_icmp_and_limit(void **state)
{
	struct ctl_spd *spd = ctl_spd_new(2);
	struct sadb_x_dpsec_selector s = sel4("0.0.0.0", 0, "0.0.0.0", 0, 1, 0, 65535);
	struct ctl_spd_rule r, r2, r3;
	struct ctl_spd_flow f;
	uint16_t diag = 0;

	(void)state;
	s.sadb_x_sel_family = 0; /* any family */
	s.sadb_x_sel_icmp_type_min = 8; /* echo request only */
	s.sadb_x_sel_icmp_type_max = 8;
	r = rule(1, SADB_X_DPSEC_DIR_BOTH, SADB_X_DPSEC_ACTION_BYPASS, s);
	assert_int_equal(ctl_spd_add(spd, &r, &diag), 0);
	f = flow4(SADB_X_DPSEC_DIR_OUT, "1.2.3.4", "5.6.7.8", 1, 8 << 8, 0);
	assert_non_null(ctl_spd_match(spd, &f));
	f.sport = 0 << 8; /* echo reply */
	assert_null(ctl_spd_match(spd, &f));
	/* The store's limit. */
	r2 = rule(2, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_DISCARD, s);
	r3 = rule(3, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_DISCARD, s);
	assert_int_equal(ctl_spd_add(spd, &r2, &diag), 0);
	assert_int_equal(ctl_spd_add(spd, &r3, &diag), -ENOSPC);
	assert_int_equal(diag, SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES);
	ctl_spd_flush(spd);
	assert_int_equal(ctl_spd_count(spd), 0);
	/* Indices are never reused after a flush. */
	assert_int_equal(ctl_spd_add(spd, &r3, &diag), 0);
	assert_int_equal(r3.pol.sadb_x_pol_index, 3);
	ctl_spd_free(spd);
}

/* A tunnel rule matches on its inner selector and, when the flow names the
 * outer addresses, on its endpoints. */
static void test_tunnel_inner(void **state)
{
	struct ctl_spd *spd = ctl_spd_new(0);
	struct ctl_spd_rule r = rule(10, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_IPSEC,
				     sel4("192.0.2.1", 32, "198.51.100.1", 32, 0, 0, 65535));
	struct sadb_address *a;
	struct sockaddr_in *sin;
	struct ctl_spd_flow f;
	uint16_t diag = 0;

	(void)state;
	r.pol.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TUNNEL;
	r.inner = sel4("10.0.0.0", 24, "10.1.0.0", 24, 0, 0, 65535);
	r.has_inner = true;
	/* Endpoints: ADDRESS_SRC 192.0.2.1, ADDRESS_DST 198.51.100.1. */
	for (int i = 0; i < 2; i++) {
		a = (struct sadb_address *)(void *)(r.endpoints + 24 * i);
		a->sadb_address_len = 3;
		a->sadb_address_exttype = i == 0 ? SADB_EXT_ADDRESS_SRC : SADB_EXT_ADDRESS_DST;
		sin = (struct sockaddr_in *)(void *)(a + 1);
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, i == 0 ? "192.0.2.1" : "198.51.100.1", &sin->sin_addr);
	}
	r.endpoints_len = 48;
	assert_int_equal(ctl_spd_add(spd, &r, &diag), 0);
	f = flow4(SADB_X_DPSEC_DIR_OUT, "10.0.0.5", "10.1.0.9", 6, 1000, 80);
	assert_non_null(ctl_spd_match(spd, &f)); /* inner packet */
	f = flow4(SADB_X_DPSEC_DIR_OUT, "192.0.2.1", "198.51.100.1", 6, 1000, 80);
	assert_null(ctl_spd_match(spd, &f)); /* the tunnel's own addresses are not it */
	f = flow4(SADB_X_DPSEC_DIR_OUT, "10.0.0.5", "10.1.0.9", 6, 1000, 80);
	f.has_outer = true;
	inet_pton(AF_INET, "192.0.2.1", f.outer_src);
	inet_pton(AF_INET, "198.51.100.1", f.outer_dst);
	assert_non_null(ctl_spd_match(spd, &f));
	inet_pton(AF_INET, "192.0.2.99", f.outer_src);
	assert_null(ctl_spd_match(spd, &f));
	ctl_spd_free(spd);
}

static void test_cursor(void **state)
{
	struct ctl_spd *spd = ctl_spd_new(0);
	uint16_t diag = 0;
	uint32_t seen = 0, last = 0;
	const struct ctl_spd_rule *r;

	(void)state;
	for (uint32_t i = 0; i < 10; i++) {
		struct ctl_spd_rule x = rule(100 - i, SADB_X_DPSEC_DIR_OUT,
					     SADB_X_DPSEC_ACTION_DISCARD,
					     sel4("10.0.0.0", 8, "10.0.0.0", 8, (uint8_t)i, 0, 65535));

		assert_int_equal(ctl_spd_add(spd, &x, &diag), 0);
	}
	/* Walk by index, deleting behind and ahead of the cursor. */
	while ((r = ctl_spd_next_by_index(spd, last)) != NULL) {
		last = r->pol.sadb_x_pol_index;
		seen++;
		if (last == 3) {
			assert_int_equal(ctl_spd_delete(spd, 2, NULL), 0); /* behind */
			assert_int_equal(ctl_spd_delete(spd, 5, NULL), 0); /* ahead */
		}
	}
	assert_int_equal(seen, 9);
	assert_int_equal(last, 10);
	ctl_spd_free(spd);
}

/* The store against a plain array (fixed seed): random adds and deletes
 * over few priorities (so runs of one priority grow and vanish); after
 * each step the match-order walk is the array sorted by (priority,
 * index), get() finds exactly the live rules, and the by-index cursor
 * visits them in index order. */
struct live {
	uint32_t index, prio;
};

static int live_cmp(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void test_store_random(void **state)
{
	enum { N = 3000, STEPS = 6000 };
	static struct live live[N], sorted[N];
	struct ctl_spd *spd = ctl_spd_new(N);
	uint64_t x = 12345;
	unsigned int n = 0, checks = 0;
	uint16_t diag = 0;

	(void)state;
	assert_non_null(spd);
	for (unsigned int step = 0; step < STEPS; step++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (n > 0 && (x % 3 == 0 || n == N)) {
			unsigned int i = (unsigned int)((x >> 8) % n);

			assert_int_equal(ctl_spd_delete(spd, live[i].index, NULL), 0);
			assert_int_equal(ctl_spd_delete(spd, live[i].index, NULL), -ENOENT);
			live[i] = live[--n];
		} else {
			uint32_t prio = (uint32_t)((x >> 8) % 7) * 10;
			char dst[16];
			struct ctl_spd_rule r;

			snprintf(dst, sizeof(dst), "10.%u.%u.0", (unsigned int)(step >> 8) & 255,
				 step & 255);
			r = rule(prio, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_BYPASS,
				 sel4("10.0.0.0", 8, dst, 24, 0, 0, 65535));
			assert_int_equal(ctl_spd_add(spd, &r, &diag), 0);
			assert_int_equal(ctl_spd_add(spd, &r, &diag), -EEXIST);
			live[n++] = (struct live){ r.pol.sadb_x_pol_index, prio };
		}
		assert_int_equal(ctl_spd_count(spd), n);
		if (step % 97 != 0 && step != STEPS - 1)
			continue;
		checks++;
		memcpy(sorted, live, n * sizeof(live[0]));
		qsort(sorted, n, sizeof(sorted[0]), live_cmp);
		{
			const struct ctl_spd_rule *r = ctl_spd_first(spd);

			for (unsigned int i = 0; i < n; i++, r = ctl_spd_next(spd, r)) {
				assert_non_null(r);
				assert_int_equal(r->pol.sadb_x_pol_index, sorted[i].index);
				assert_ptr_equal(ctl_spd_get(spd, sorted[i].index), r);
			}
			assert_null(r);
		}
		{
			const struct ctl_spd_rule *r;
			uint32_t last = 0, seen = 0;

			while ((r = ctl_spd_next_by_index(spd, last)) != NULL) {
				assert_true(r->pol.sadb_x_pol_index > last);
				last = r->pol.sadb_x_pol_index;
				seen++;
			}
			assert_int_equal(seen, n);
		}
	}
	assert_true(checks > 50);
	ctl_spd_flush(spd);
	assert_null(ctl_spd_first(spd));
	assert_int_equal(ctl_spd_count(spd), 0);
	ctl_spd_free(spd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_match),
		cmocka_unit_test(test_icmp_and_limit),
		cmocka_unit_test(test_tunnel_inner),
		cmocka_unit_test(test_cursor),
		cmocka_unit_test(test_store_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
