/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ah.c: AH through dp_proc on both crypto engines:
 *   - round trips for each HMAC and AES-GMAC x tunnel (4in4, 6in4, 4in6,
 *     6in6) and transport (IPv4, IPv6, IPv6 with a hop-by-hop header that
 *     carries a mutable option) x ESN: wire layout (next header, payload
 *     length, 4/8-byte alignment) and the original packet back;
 *   - mutable fields changed in flight (TTL, TOS, flow label, a mutable
 *     option's data) still verify; an immutable one does not;
 *   - the AH-over-ESP bundle: ESP then AH outbound, one inbound call.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "crypto_test_eal.h"
#include "proc_test.h"

#define V4A "192.0.2.1"
#define V4B "198.51.100.2"
#define V6A "2001:db8::1"
#define V6B "2001:db8:1::2"
#define IN4S "203.0.113.5"
#define IN4D "203.0.113.77"
#define IN6S "2001:db8:aa::5"
#define IN6D "2001:db8:bb::77"

struct alg_row {
	const char *name;
	uint8_t ealg;   /* NULL_AES_GMAC or NONE */
	uint16_t ekey;
	uint8_t aalg;
	uint32_t icv;
};

static const struct alg_row algs[] = {
	{ "hmac-sha1", 0, 0, SADB_AALG_SHA1HMAC, 12 },
	{ "hmac-sha256", 0, 0, SADB_AALG_SHA256HMAC, 16 },
	{ "hmac-sha384", 0, 0, SADB_AALG_SHA384HMAC, 24 },
	{ "hmac-sha512", 0, 0, SADB_AALG_SHA512HMAC, 32 },
	{ "aes128-gmac", SADB_X_EALG_NULL_AES_GMAC, 16, 0, 16 },
	{ "aes256-gmac", SADB_X_EALG_NULL_AES_GMAC, 32, 0, 16 },
};

enum shape { T44, T64, T46, T66, TR4, TR6, TR6X, SHAPES };

static const struct {
	const char *name;
	uint8_t mode;
	const char *osrc, *odst, *isrc, *idst;
	bool ext;
} shapes[SHAPES] = {
	[T44] = { "tunnel 4in4", DP_MODE_TUNNEL, V4A, V4B, IN4S, IN4D, false },
	[T64] = { "tunnel 6in4", DP_MODE_TUNNEL, V4A, V4B, IN6S, IN6D, false },
	[T46] = { "tunnel 4in6", DP_MODE_TUNNEL, V6A, V6B, IN4S, IN4D, false },
	[T66] = { "tunnel 6in6", DP_MODE_TUNNEL, V6A, V6B, IN6S, IN6D, false },
	[TR4] = { "transport v4", DP_MODE_TRANSPORT, V4A, V4B, V4A, V4B, false },
	[TR6] = { "transport v6", DP_MODE_TRANSPORT, V6A, V6B, V6A, V6B, false },
	[TR6X] = { "transport v6+hbh", DP_MODE_TRANSPORT, V6A, V6B, V6A, V6B, true },
};

static struct pt_env env;
static uint32_t next_spi = 0x2000;

/* IPv6 UDP with a hop-by-hop header holding a mutable option (type 0x3e,
 * the "may change" bit set) and PadN. */
static uint32_t v6_hbh_packet(uint8_t *buf, uint32_t payload)
{
	uint8_t tmp[2048];
	uint32_t l = pt_udp_packet(tmp, V6A, V6B, payload, 0, false), upper = l - 40;

	memcpy(buf, tmp, 40);
	buf[6] = DP_IPPROTO_HOPOPTS;
	memcpy(buf + 40, (const uint8_t[]){ 17, 0, 0x3e, 2, 0xaa, 0xbb, 1, 0 }, 8);
	memcpy(buf + 48, tmp + 40, upper);
	dp_put16(buf + 4, (uint16_t)(8 + upper));
	return 48 + upper;
}

static uint32_t make_inner(enum shape s, uint8_t *buf, uint32_t payload)
{
	if (shapes[s].ext)
		return v6_hbh_packet(buf, payload);
	return pt_udp_packet(buf, shapes[s].isrc, shapes[s].idst, payload, 0, true);
}

static int setup_mb(void **state)
{
	(void)state;
	return pt_env_open(&env, "mb", DP_ENGINE_IPSEC_MB);
}

static int setup_dev(void **state)
{
	(void)state;
	return pt_env_open(&env, "cd", DP_ENGINE_CRYPTODEV);
}

static int teardown(void **state)
{
	(void)state;
	pt_env_close(&env);
	return 0;
}

static void ah_params(struct dp_sa_params *p, const struct alg_row *a, enum shape s, bool esn)
{
	pt_sa(p, next_spi++, SADB_SATYPE_AH, a->ealg, a->ekey, a->aalg, shapes[s].mode,
		shapes[s].osrc, shapes[s].odst);
	if (esn) {
		p->flags |= DP_SA_F_ESN;
		p->seq = 0xffffffffull; /* the first packet crosses into epoch 1 */
	}
}

/* Mutate fields AH does not cover: TTL/hop limit, TOS/traffic class, flow
 * label, IPv4 fragment bits, the mutable option's data. */
static void mutate(uint8_t *d, bool hbh)
{
	if ((d[0] >> 4) == 4) {
		d[8] = 7;
		d[1] = 0xb8;
		d[6] |= 0x40;
		dp_ipv4_csum_set(d);
	} else {
		d[7] = 3;
		d[1] = (uint8_t)(d[1] ^ 0x0f);
		d[3] ^= 0x55;
		if (hbh)
			d[44] = 0x11;
	}
}

static void one_roundtrip(const struct alg_row *a, enum shape s, bool esn)
{
	static const uint32_t sizes[] = { 0, 3, 200 };
	enum { N = sizeof(sizes) / sizeof(sizes[0]) };
	uint8_t orig[N][2048];
	uint32_t olen[N];
	struct rte_mbuf *m[N];
	dp_sa_handle_t h[N], out, in;
	struct dp_proc_res res[N];
	struct dp_sa_params p;

	ah_params(&p, a, s, esn);
	assert_int_equal(pt_sa_pair(&env, &p, 64, &out, &in), 0);
	for (unsigned int i = 0; i < N; i++) {
		olen[i] = make_inner(s, orig[i], sizes[i]);
		m[i] = pt_mbuf(&env, orig[i], olen[i]);
		assert_non_null(m[i]);
		h[i] = out;
	}
	assert_int_equal(dp_proc_outbound(env.a.proc, m, h, N, res), N);
	for (unsigned int i = 0; i < N; i++) {
		uint8_t *d = rte_pktmbuf_mtod(m[i], uint8_t *);
		bool v6 = (d[0] >> 4) == 6;
		uint32_t off = v6 ? 40 : 20, ah_len, want;
		uint8_t proto = v6 ? d[6] : d[9];

		if (res[i].verdict != DP_PROC_FORWARD)
			fail_msg("%s %s esn=%d out %u: %u %s", a->name, shapes[s].name, esn, i,
				res[i].verdict, dp_drop_name(res[i].drop));
		if (shapes[s].ext) {
			assert_int_equal(proto, DP_IPPROTO_HOPOPTS);
			proto = d[40];
			off = 48;
		}
		assert_int_equal(proto, DP_IPPROTO_AH);
		ah_len = (d[off + 1] + 2u) * 4u;
		want = 12 + (a->ealg != 0 ? 8 : 0) + a->icv;
		want = (want + (v6 ? 7 : 3)) & ~(v6 ? 7u : 3u);
		assert_int_equal(ah_len, want);
		assert_int_equal(memcmp(d + off + 4, &p.spi, 4), 0);
		assert_int_equal(dp_get32(d + off + 8), (uint32_t)(p.seq + 1 + i));
		assert_int_equal(rte_pktmbuf_data_len(m[i]),
			olen[i] + ah_len + (shapes[s].mode == DP_MODE_TUNNEL ? (v6 ? 40 : 20) : 0));
		if (shapes[s].mode == DP_MODE_TUNNEL)
			assert_int_equal(d[off], (orig[i][0] >> 4) == 4 ? 4 : 41);
		if (i == 1)
			mutate(d, shapes[s].ext);
	}
	assert_int_equal(dp_proc_inbound(env.b.proc, m, N, res), N);
	for (unsigned int i = 0; i < N; i++) {
		if (res[i].verdict != DP_PROC_FORWARD)
			fail_msg("%s %s esn=%d in %u: %u %s", a->name, shapes[s].name, esn, i,
				res[i].verdict, dp_drop_name(res[i].drop));
		if (i == 1 && shapes[s].mode == DP_MODE_TRANSPORT) {
			/* transport: the mutated header is what arrives */
			mutate(orig[i], shapes[s].ext);
		}
		assert_int_equal(rte_pktmbuf_data_len(m[i]), olen[i]);
		assert_memory_equal(rte_pktmbuf_mtod(m[i], uint8_t *), orig[i], olen[i]);
		rte_pktmbuf_free(m[i]);
	}
	assert_int_equal(dp_sa_delete(env.a.ctx, out), 0);
	assert_int_equal(dp_sa_delete(env.b.ctx, in), 0);
}

static void test_roundtrip(void **state)
{
	(void)state;
	for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++)
		for (int s = 0; s < SHAPES; s++)
			for (int esn = 0; esn < 2; esn++)
				one_roundtrip(&algs[a], (enum shape)s, esn);
	dp_reclaim(env.a.ctx);
	dp_reclaim(env.b.ctx);
}

/* Immutable fields are covered: addresses, payload, AH header, ICV. */
static void test_immutable(void **state)
{
	static const uint32_t offs[] = { 12, 15, 24, 32, 71 };
	struct dp_sa_params p;
	dp_sa_handle_t out, in;
	uint8_t buf[256];
	uint32_t l;
	struct dp_sa_stats st;

	(void)state;
	ah_params(&p, &algs[1], T44, false);
	assert_int_equal(pt_sa_pair(&env, &p, 64, &out, &in), 0);
	l = pt_udp_packet(buf, IN4S, IN4D, 30, 0, false);
	for (size_t k = 0; k < sizeof(offs) / sizeof(offs[0]); k++) {
		struct rte_mbuf *m = pt_mbuf(&env, buf, l);
		struct dp_proc_res r;

		dp_proc_outbound(env.a.proc, &m, &out, 1, &r);
		assert_int_equal(r.verdict, DP_PROC_FORWARD);
		rte_pktmbuf_mtod(m, uint8_t *)[offs[k]] ^= 0x01;
		if (offs[k] < 20)
			dp_ipv4_csum_set(rte_pktmbuf_mtod(m, uint8_t *));
		dp_proc_inbound(env.b.proc, &m, 1, &r);
		assert_int_equal(r.verdict, DP_PROC_DROP);
		/* the SPI byte names no SA; the others fail the ICV */
		assert_int_equal(r.drop, offs[k] == 24 ? DP_DROP_NO_SA : DP_DROP_AUTH_FAILED);
		rte_pktmbuf_free(m);
	}
	assert_int_equal(dp_sa_get_stats(env.b.ctx, in, &st), 0);
	assert_int_equal(st.drops[DP_DROP_AUTH_FAILED], 4);
	/* AH with a truncated header */
	{
		struct rte_mbuf *m = pt_mbuf(&env, buf, l);
		struct dp_proc_res r;
		uint8_t *d;

		dp_proc_outbound(env.a.proc, &m, &out, 1, &r);
		d = rte_pktmbuf_mtod(m, uint8_t *);
		d[20 + 1] = 200; /* payload length past the packet */
		dp_proc_inbound(env.b.proc, &m, 1, &r);
		assert_int_equal(r.verdict, DP_PROC_DROP);
		assert_int_equal(r.drop, DP_DROP_TRUNCATED);
		rte_pktmbuf_free(m);
	}
	dp_sa_delete(env.a.ctx, out);
	dp_sa_delete(env.b.ctx, in);
}

/* AH over ESP (RFC 4301 4.5): ESP first, then AH; one inbound call. */
static void test_bundle(void **state)
{
	struct dp_sa_params pe, pa;
	dp_sa_handle_t eo, ei, ao, ai;
	uint8_t buf[256];
	uint32_t fam;

	(void)state;
	for (fam = 0; fam < 2; fam++) {
		const char *s = fam ? V6A : V4A, *d = fam ? V6B : V4B;
		struct rte_mbuf *m;
		struct dp_proc_res r;
		uint32_t l = pt_udp_packet(buf, s, d, 77, 0, false);
		struct dp_sa_stats st;
		const uint8_t *q;

		pt_sa(&pe, next_spi++, SADB_SATYPE_ESP, SADB_EALG_AES_CBC, 16,
			SADB_AALG_SHA256HMAC, DP_MODE_TRANSPORT, s, d);
		pt_sa(&pa, next_spi++, SADB_SATYPE_AH, 0, 0, SADB_AALG_SHA256HMAC,
			DP_MODE_TRANSPORT, s, d);
		assert_int_equal(pt_sa_pair(&env, &pe, 64, &eo, &ei), 0);
		assert_int_equal(pt_sa_pair(&env, &pa, 64, &ao, &ai), 0);
		m = pt_mbuf(&env, buf, l);
		dp_proc_outbound(env.a.proc, &m, &eo, 1, &r);
		assert_int_equal(r.verdict, DP_PROC_FORWARD);
		dp_proc_outbound(env.a.proc, &m, &ao, 1, &r);
		assert_int_equal(r.verdict, DP_PROC_FORWARD);
		q = rte_pktmbuf_mtod(m, const uint8_t *);
		assert_int_equal(fam ? q[6] : q[9], DP_IPPROTO_AH);
		assert_int_equal(q[fam ? 40 : 20], DP_IPPROTO_ESP); /* AH's next header */
		dp_proc_inbound(env.b.proc, &m, 1, &r);
		assert_int_equal(r.verdict, DP_PROC_FORWARD);
		assert_int_equal(r.sa, ei); /* the innermost SA */
		assert_int_equal(rte_pktmbuf_data_len(m), l);
		assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), buf, l);
		rte_pktmbuf_free(m);
		assert_int_equal(dp_sa_get_stats(env.b.ctx, ai, &st), 0);
		assert_int_equal(st.packets, 1);
		assert_int_equal(dp_sa_get_stats(env.b.ctx, ei, &st), 0);
		assert_int_equal(st.packets, 1);
		dp_sa_delete(env.a.ctx, eo);
		dp_sa_delete(env.b.ctx, ei);
		dp_sa_delete(env.a.ctx, ao);
		dp_sa_delete(env.b.ctx, ai);
	}
}

#define TESTS                             \
	cmocka_unit_test(test_roundtrip), \
	cmocka_unit_test(test_immutable), \
	cmocka_unit_test(test_bundle)

int main(void)
{
	const struct CMUnitTest tests[] = { TESTS };
	int rc;

	if (crypto_test_eal_init("ah") < 0)
		return 1;
	rc = cmocka_run_group_tests_name("ah ipsec-mb", tests, setup_mb, teardown);
	rc |= cmocka_run_group_tests_name("ah cryptodev aesni_mb", tests, setup_dev, teardown);
	crypto_test_eal_fini();
	return rc;
}
