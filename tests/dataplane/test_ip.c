/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ip.c: the pure IP helpers of the packet path (dp_ip, dp_natt):
 * RFC 6040 tables, checksums, header validation, the IPv6 extension header
 * walk and ESP/AH insertion point, AH mutable-field zeroing, TTL decrement,
 * NAT-T classification.  No DPDK.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dp_ip.h"
#include "dp_natt.h"

static void test_ecn_decap_table(void **state)
{
	/* RFC 6040 figure 4: rows inner, columns outer; -1 = drop. */
	static const int want[4][4] = {
		/* outer:  Not-ECT ECT(1) ECT(0) CE */
		[DP_ECN_NOT_ECT] = { [0] = 0, [1] = 0, [2] = 0, [3] = -1 },
		[DP_ECN_ECT1] = { [0] = 1, [1] = 1, [2] = 1, [3] = 3 },
		[DP_ECN_ECT0] = { [0] = 2, [1] = 1, [2] = 2, [3] = 3 },
		[DP_ECN_CE] = { [0] = 3, [1] = 3, [2] = 3, [3] = 3 },
	};

	(void)state;
	for (unsigned int in = 0; in < 4; in++)
		for (unsigned int out = 0; out < 4; out++)
			assert_int_equal(dp_ecn_decap((uint8_t)in, (uint8_t)out), want[in][out]);
	for (unsigned int in = 0; in < 4; in++) {
		assert_int_equal(dp_ecn_encap((uint8_t)in, false), in);
		assert_int_equal(dp_ecn_encap((uint8_t)in, true), DP_ECN_NOT_ECT);
	}
}

/* The RFC 1071 example header (checksum 0xb861). */
static const uint8_t v4hdr[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

static void test_checksum(void **state)
{
	uint8_t h[20];

	(void)state;
	memcpy(h, v4hdr, 20);
	dp_ipv4_csum_set(h);
	assert_memory_equal(h, v4hdr, 20);
	/* TTL decrement keeps the checksum valid (incremental, RFC 1624) */
	assert_true(dp_ip_ttl_dec(h));
	assert_int_equal(h[8], 0x3f);
	assert_int_equal(dp_ip_csum_fold(dp_ip_csum_add(0, h, 20)), 0);
	h[8] = 1;
	dp_ipv4_csum_set(h);
	assert_false(dp_ip_ttl_dec(h));
	/* odd lengths pad with a zero byte */
	assert_int_equal(dp_ip_csum_add(0, (const uint8_t[]){ 0x12, 0x34, 0x56 }, 3),
		0x1234 + 0x5600);
}

/* The fold as a loop (what dp_ip_csum_fold replaced), for reference. */
static uint16_t fold_ref(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

/* The inline fold and TTL decrement against a loop fold and a full
 * recompute, over edge sums and pseudo-random headers of every TTL. */
static void test_ttl_dec_vs_recompute(void **state)
{
	static const uint32_t sums[] = { 0, 1, 0xfffe, 0xffff, 0x10000, 0x1fffe, 0x1ffff,
		0xfffeffff, 0xffff0000, 0xffffffff };
	uint32_t x = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(sums) / sizeof(sums[0]); i++)
		assert_int_equal(dp_ip_csum_fold(sums[i]), fold_ref(sums[i]));
	for (unsigned int i = 0; i < 100000; i++) {
		uint32_t s = lcg(&x) << 8 ^ lcg(&x);

		assert_int_equal(dp_ip_csum_fold(s), fold_ref(s));
	}
	for (unsigned int round = 0; round < 64; round++) {
		for (unsigned int ttl = 0; ttl < 256; ttl++) {
			uint8_t h[20], want[20];

			for (unsigned int b = 0; b < 20; b++)
				h[b] = (uint8_t)lcg(&x);
			h[0] = 0x45;
			h[8] = (uint8_t)ttl;
			dp_ipv4_csum_set(h);
			memcpy(want, h, 20);
			if (ttl <= 1) {
				assert_false(dp_ip_ttl_dec(h));
				assert_memory_equal(h, want, 20); /* untouched */
				continue;
			}
			want[8] = (uint8_t)(ttl - 1);
			dp_ipv4_csum_set(want);
			assert_true(dp_ip_ttl_dec(h));
			assert_memory_equal(h, want, 20);
		}
	}
	/* IPv6: the hop limit only. */
	for (unsigned int hl = 0; hl < 256; hl++) {
		uint8_t h[40] = { 0x60, 0, 0, 0, 0, 0, 17, (uint8_t)hl }, want[40];

		memcpy(want, h, 40);
		if (hl <= 1) {
			assert_false(dp_ip_ttl_dec(h));
		} else {
			want[7] = (uint8_t)(hl - 1);
			assert_true(dp_ip_ttl_dec(h));
		}
		assert_memory_equal(h, want, 40);
	}
}

/* dp_ip_parse_fast() gives what dp_ip_parse() gives, result and info. */
static bool parse_fast_same(const uint8_t *p, uint32_t len, bool walk)
{
	struct dp_ip_info a, b;
	enum dp_drop ra = dp_ip_parse(p, len, walk, &a), rb;

	memset(&b, 0xa5, sizeof(b));
	rb = dp_ip_parse_fast(p, len, walk, &b);
	if (ra != rb)
		return false;
	if (ra != DP_DROP_NONE)
		return true;
	return a.version == b.version && a.proto == b.proto && a.hdr_len == b.hdr_len &&
	       a.tot_len == b.tot_len && a.nh_off == b.nh_off && a.fragment == b.fragment;
}

struct parse_case {
	const char *name;
	uint8_t pkt[96];
	uint32_t len;
	bool walk;
	enum dp_drop want;
	uint8_t proto;
	uint16_t hdr_len;
	bool frag;
};

static void test_parse(void **state)
{
	static const struct parse_case cases[] = {
		{ "v4 ok", { 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17 }, 28, false, DP_DROP_NONE, 17,
			20, false },
		{ "v4 short buffer", { 0x45, 0, 0, 28 }, 19, false, DP_DROP_TRUNCATED, 0, 0,
			false },
		{ "v4 total > buffer", { 0x45, 0, 0, 40 }, 28, false, DP_DROP_TRUNCATED, 0, 0,
			false },
		{ "v4 ihl 4", { 0x44, 0, 0, 28 }, 28, false, DP_DROP_BAD_LENGTH, 0, 0, false },
		{ "v4 total < ihl", { 0x46, 0, 0, 20 }, 28, false, DP_DROP_BAD_LENGTH, 0, 0,
			false },
		{ "v4 fragment", { 0x45, 0, 0, 28, 0, 0, 0x20, 0, 64, 50 }, 28, false,
			DP_DROP_NONE, 50, 20, true },
		{ "version 5", { 0x55 }, 40, false, DP_DROP_BAD_LENGTH, 0, 0, false },
		{ "v6 ok", { 0x60, 0, 0, 0, 0, 8, 50, 64 }, 48, true, DP_DROP_NONE, 50, 40,
			false },
		{ "v6 payload > buffer", { 0x60, 0, 0, 0, 0, 9, 50, 64 }, 48, true,
			DP_DROP_TRUNCATED, 0, 0, false },
		{ "v6 hbh+frag walked", { 0x60, 0, 0, 0, 0, 24, 0, 64, [40] = 44, 0, 1, 4,
			[48] = 51, 0, 0, 1 }, 64, true, DP_DROP_NONE, 51, 56, true },
		{ "v6 hbh not walked", { 0x60, 0, 0, 0, 0, 16, 0, 64, [40] = 50, 0 }, 56,
			false, DP_DROP_NONE, 0, 40, false },
		{ "v6 ext past payload", { 0x60, 0, 0, 0, 0, 8, 0, 64, [40] = 50, 1 }, 48,
			true, DP_DROP_TRUNCATED, 0, 0, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct parse_case *c = &cases[i];
		struct dp_ip_info ii;
		enum dp_drop got = dp_ip_parse(c->pkt, c->len, c->walk, &ii);

		if (got != c->want)
			fail_msg("%s: %d, want %d", c->name, got, c->want);
		assert_true(parse_fast_same(c->pkt, c->len, c->walk));
		if (got != DP_DROP_NONE)
			continue;
		assert_int_equal(ii.proto, c->proto);
		assert_int_equal(ii.hdr_len, c->hdr_len);
		assert_int_equal(ii.fragment, c->frag);
	}
}

/* dp_ip_parse_fast against dp_ip_parse over pseudo-random headers: first
 * bytes around 0x45 and IPv6, total lengths around the buffer's. */
static void test_parse_fast(void **state)
{
	static const uint8_t first[] = { 0x45, 0x45, 0x45, 0x44, 0x46, 0x4f, 0x40, 0x55, 0x60,
		0x65 };
	uint32_t x = 7;
	unsigned int fast = 0;

	(void)state;
	for (unsigned int i = 0; i < 200000; i++) {
		uint8_t p[96];
		uint32_t len = lcg(&x) % 97, tot;

		for (unsigned int b = 0; b < sizeof(p); b++)
			p[b] = (uint8_t)lcg(&x);
		p[0] = first[lcg(&x) % sizeof(first)];
		tot = len + (lcg(&x) % 9) - 4; /* near the buffer's length */
		if (lcg(&x) % 4 == 0)
			tot = lcg(&x) % 40;
		dp_put16(p + 2, (uint16_t)tot);
		dp_put16(p + 4, (uint16_t)(tot > 40 ? tot - 40 : tot));
		if (!parse_fast_same(p, len, (lcg(&x) & 1) != 0))
			fail_msg("case %u: first %#x len %u tot %u", i, p[0], len, tot);
		fast += p[0] == 0x45 && len >= 20 && tot >= 20 && tot <= len;
	}
	assert_true(fast > 10000); /* the inline path itself was exercised */
}

/* RFC 4303 3.1.1 / RFC 4302 3.1.1: where ESP/AH goes in an IPv6 chain. */
static void test_insert_point(void **state)
{
	static const struct {
		const char *name;
		uint8_t chain[6];   /* next headers after the fixed header, 255 = end */
		uint16_t off;
		uint16_t nh_off;
		uint8_t proto;
	} cases[] = {
		{ "none", { 17, 255 }, 40, 6, 17 },
		{ "hbh", { 0, 17, 255 }, 48, 40, 17 },
		{ "hbh dst", { 0, 60, 17, 255 }, 48, 40, 60 },
		{ "hbh dst rt", { 0, 60, 43, 17, 255 }, 64, 56, 17 },
		{ "rt frag", { 43, 44, 6, 255 }, 56, 48, 6 },
		{ "dst rt dst", { 60, 43, 60, 17, 255 }, 56, 48, 60 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t p[128] = { 0x60 };
		uint32_t off = 40;
		uint16_t o, nho;
		uint8_t proto;
		unsigned int k;

		p[6] = cases[i].chain[0];
		for (k = 1; cases[i].chain[k] != 255; k++) {
			p[off] = cases[i].chain[k];
			p[off + 1] = 0; /* 8 bytes each */
			off += 8;
		}
		dp_put16(p + 4, (uint16_t)(off - 40 + 8));
		assert_int_equal(dp_ipv6_insert_point(p, off + 8, &o, &nho, &proto),
			DP_DROP_NONE);
		if (o != cases[i].off || nho != cases[i].nh_off || proto != cases[i].proto)
			fail_msg("%s: off %u nh_off %u proto %u", cases[i].name, o, nho, proto);
	}
}

static void test_ah_zero(void **state)
{
	uint8_t h[20], v6[56];

	(void)state;
	memcpy(h, v4hdr, 20);
	assert_int_equal(dp_ip_ah_zero_mutable(h, 20), 0);
	assert_int_equal(h[1] | h[6] | h[7] | h[8] | h[10] | h[11], 0);
	assert_int_equal(h[9], 0x11);   /* protocol is immutable */
	assert_int_equal(h[3], 0x73);   /* total length too */
	h[0] = 0x46;
	assert_int_equal(dp_ip_ah_zero_mutable(h, 24), -EINVAL); /* options */

	memset(v6, 0, sizeof(v6));
	dp_put32(v6, 0x6abcdef1);
	v6[6] = 0;
	v6[7] = 64;
	/* hbh: mutable option 0x3e (2 bytes), immutable 0x1e (2 bytes), Pad1 x2 */
	memcpy(v6 + 40, (const uint8_t[]){ 51, 0, 0x3e, 2, 0xaa, 0xbb, 0, 0 }, 8);
	memcpy(v6 + 48, (const uint8_t[]){ 0x1e, 2, 0xcc, 0xdd, 0, 0, 0, 0 }, 8);
	v6[41] = 1; /* 16 bytes */
	v6[48 - 8 + 8] = 0x1e;
	assert_int_equal(dp_ip_ah_zero_mutable(v6, 56), 0);
	assert_int_equal(v6[0], 0x60);
	assert_int_equal(v6[1] | v6[2] | v6[3] | v6[7], 0);
	assert_int_equal(v6[44] | v6[45], 0);
	assert_int_equal(v6[50], 0xcc);
	/* a routing header in front of AH is refused */
	v6[6] = 43;
	assert_int_equal(dp_ip_ah_zero_mutable(v6, 56), -EINVAL);
}

static void test_natt_classify(void **state)
{
	(void)state;
	assert_int_equal(dp_natt_classify((const uint8_t[]){ 0xff }, 1), DP_NATT_KEEPALIVE);
	assert_int_equal(dp_natt_classify((const uint8_t[]){ 0xfe }, 1), DP_NATT_TRUNCATED);
	assert_int_equal(dp_natt_classify((const uint8_t[]){ 0, 0, 0, 0, 1 }, 5), DP_NATT_IKE);
	assert_int_equal(dp_natt_classify((const uint8_t[]){ 0, 0, 1, 0, 0, 0, 0 }, 7),
		DP_NATT_TRUNCATED);
	assert_int_equal(dp_natt_classify((const uint8_t[]){ 0, 0, 1, 0, 0, 0, 0, 1 }, 8),
		DP_NATT_ESP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecn_decap_table),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_ttl_dec_vs_recompute),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_fast),
		cmocka_unit_test(test_insert_point),
		cmocka_unit_test(test_ah_zero),
		cmocka_unit_test(test_natt_classify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
