/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_esp.c: ESP through dp_proc, on both crypto engines (intel-ipsec-mb
 * direct, and rte_cryptodev with crypto_aesni_mb):
 *   - round trips for every algorithm x tunnel (4in4, 6in4, 4in6, 6in6) and
 *     transport (IPv4, IPv6, IPv6 with extension headers) x NAT-T x ESN,
 *     checking the wire layout (SPI, sequence, IV rule, padding, UDP) and
 *     that the receiver gets the original packet back byte for byte;
 *   - every drop reason the ESP path has, from a crafted packet, counted
 *     per SA and per worker;
 *   - NAT-T keepalives and IKE as exceptions, DSCP/ECN/DF rules, leases,
 *     IDLE hold and release, hand-off between workers.
 * The cross-checks against scapy and tshark are crosscheck_*.py.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "crypto_test_eal.h"
#include "dp_crypto.h"
#include "dp_ctx_priv.h"
#include "dp_natt.h"
#include "dp_sadb.h"
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
	uint8_t ealg;
	uint16_t ekey;
	uint8_t aalg;
};

static const struct alg_row algs[] = {
	{ "aes128-gcm16", SADB_EALG_AES_GCM_16, 16, 0 },
	{ "aes192-gcm16", SADB_EALG_AES_GCM_16, 24, 0 },
	{ "aes256-gcm16", SADB_EALG_AES_GCM_16, 32, 0 },
	{ "aes128-gcm8", SADB_EALG_AES_GCM_8, 16, 0 },
	{ "aes256-gcm12", SADB_EALG_AES_GCM_12, 32, 0 },
	{ "aes128-cbc-sha1", SADB_EALG_AES_CBC, 16, SADB_AALG_SHA1HMAC },
	{ "aes256-cbc-sha256", SADB_EALG_AES_CBC, 32, SADB_AALG_SHA256HMAC },
	{ "aes192-cbc-sha384", SADB_EALG_AES_CBC, 24, SADB_AALG_SHA384HMAC },
	{ "aes128-cbc-sha512", SADB_EALG_AES_CBC, 16, SADB_AALG_SHA512HMAC },
	{ "aes128-ctr-sha1", SADB_X_EALG_AES_CTR, 16, SADB_AALG_SHA1HMAC },
	{ "aes256-ctr-sha256", SADB_X_EALG_AES_CTR, 32, SADB_AALG_SHA256HMAC },
	{ "aes128-ctr-sha384", SADB_X_EALG_AES_CTR, 16, SADB_AALG_SHA384HMAC },
	{ "aes192-ctr-sha512", SADB_X_EALG_AES_CTR, 24, SADB_AALG_SHA512HMAC },
	{ "chacha20-poly1305", SADB_X_EALG_CHACHA20_POLY1305, 32, 0 },
	{ "null-sha256", SADB_EALG_NULL, 0, SADB_AALG_SHA256HMAC },
	{ "null-sha1", SADB_EALG_NULL, 0, SADB_AALG_SHA1HMAC },
	{ "aes128-gmac", SADB_X_EALG_NULL_AES_GMAC, 16, 0 },
	{ "aes256-gmac", SADB_X_EALG_NULL_AES_GMAC, 32, 0 },
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
	[TR6X] = { "transport v6+ext", DP_MODE_TRANSPORT, V6A, V6B, V6A, V6B, true },
};

static struct pt_env env;
static uint32_t next_spi = 0x1000;

/* IPv6 UDP with a hop-by-hop header (PadN) and final destination options
 * (PadN): ESP goes after the hop-by-hop header, before the options. */
static uint32_t v6_ext_packet(uint8_t *buf, uint32_t payload)
{
	uint8_t tmp[2048];
	uint32_t l = pt_udp_packet(tmp, V6A, V6B, payload, 0, false), upper = l - 40;

	memcpy(buf, tmp, 40);
	buf[6] = DP_IPPROTO_HOPOPTS;
	/* hop-by-hop: next = dstopts, len 0 (8 bytes), PadN of 4 */
	memcpy(buf + 40, (const uint8_t[]){ DP_IPPROTO_DSTOPTS, 0, 1, 4, 0, 0, 0, 0 }, 8);
	memcpy(buf + 48, (const uint8_t[]){ 17, 0, 1, 4, 0, 0, 0, 0 }, 8);
	memcpy(buf + 56, tmp + 40, upper);
	dp_put16(buf + 4, (uint16_t)(16 + upper));
	return 56 + upper;
}

static uint32_t make_inner(enum shape s, uint8_t *buf, uint32_t payload)
{
	if (shapes[s].ext)
		return v6_ext_packet(buf, payload);
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

/* Offset of the ESP header in an outbound packet of shape s. */
static uint32_t esp_offset(const uint8_t *d, enum shape s, bool natt)
{
	uint32_t off;

	if (shapes[s].mode == DP_MODE_TUNNEL)
		off = (d[0] >> 4) == 4 ? 20 : 40;
	else if (shapes[s].ext)
		off = 48; /* after hop-by-hop */
	else
		off = (d[0] >> 4) == 4 ? 20 : 40;
	return off + (natt ? 8 : 0);
}

static void one_roundtrip(const struct alg_row *a, enum shape s, bool natt, bool esn)
{
	static const uint32_t sizes[] = { 0, 1, 2, 13, 100, 1000 };
	enum { N = sizeof(sizes) / sizeof(sizes[0]) };
	uint8_t orig[N][2048];
	uint32_t olen[N];
	struct rte_mbuf *m[N];
	dp_sa_handle_t h[N], out, in;
	struct dp_proc_res res[N];
	struct dp_sa_params p;
	struct dp_sa_stats st;
	uint32_t spi = next_spi++;
	int rc;

	pt_sa(&p, spi, SADB_SATYPE_ESP, a->ealg, a->ekey, a->aalg, shapes[s].mode,
		shapes[s].osrc, shapes[s].odst);
	if (natt) {
		p.natt_sport = 4500;
		p.natt_dport = 4500;
	}
	if (esn) {
		p.flags |= DP_SA_F_ESN;
		p.seq = 0xfffffffeull; /* cross the 2^32 boundary in the burst */
	}
	rc = pt_sa_pair(&env, &p, 64, &out, &in);
	assert_int_equal(rc, 0);
	if (esn) {
		/* The receiver has seen up to the sender's start. */
		struct dp_replay_state rs = { .highest = 0xfffffffeull, .window = 64 };

		assert_int_equal(dp_sa_set_state(env.b.ctx, in, SADB_SASTATE_LARVAL), 0);
		dp_worker_offline(env.b.ctx, 0); /* this thread is the worker too */
		assert_int_equal(dp_sa_set_replay(env.b.ctx, in, &rs, false), 0);
		dp_worker_online(env.b.ctx, 0);
		assert_int_equal(dp_sa_set_state(env.b.ctx, in, SADB_SASTATE_MATURE), 0);
	}
	for (unsigned int i = 0; i < N; i++) {
		olen[i] = make_inner(s, orig[i], sizes[i]);
		m[i] = pt_mbuf(&env, orig[i], olen[i]);
		assert_non_null(m[i]);
		h[i] = out;
	}
	assert_int_equal(dp_proc_outbound(env.a.proc, m, h, N, res), N);
	for (unsigned int i = 0; i < N; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(m[i], const uint8_t *);
		uint32_t eo = esp_offset(d, s, natt), len = rte_pktmbuf_data_len(m[i]);
		uint64_t seq = p.seq + 1 + i;

		if (res[i].verdict != DP_PROC_FORWARD)
			fail_msg("%s %s natt=%d esn=%d pkt %u: verdict %u drop %s", a->name,
				shapes[s].name, natt, esn, i, res[i].verdict,
				dp_drop_name(res[i].drop));
		assert_int_equal(memcmp(d + eo, &p.spi, 4), 0);
		assert_int_equal(dp_get32(d + eo + 4), (uint32_t)seq);
		if (natt) {
			assert_int_equal(dp_get16(d + eo - 6), 4500);
			assert_int_equal(dp_get16(d + eo - 4), len - eo + 8);
			if ((d[0] >> 4) == 4)
				assert_int_equal(dp_get16(d + eo - 2), 0);
			else
				assert_int_not_equal(dp_get16(d + eo - 2), 0);
		} else {
			uint8_t proto = (d[0] >> 4) == 4 ? d[9] : shapes[s].ext ? d[40] : d[6];

			assert_int_equal(proto, DP_IPPROTO_ESP);
		}
		if ((d[0] >> 4) == 4) {
			assert_int_equal(dp_get16(d + 2), len);
			assert_int_equal(dp_ip_csum_fold(dp_ip_csum_add(0, d, 20)), 0);
		} else {
			assert_int_equal(dp_get16(d + 4), len - 40);
		}
		/* Counter modes carry the sequence number as IV (DESIGN.md). */
		if (a->ealg != SADB_EALG_AES_CBC && a->ealg != SADB_EALG_NULL) {
			assert_int_equal(dp_get32(d + eo + 8), (uint32_t)(seq >> 32));
			assert_int_equal(dp_get32(d + eo + 12), (uint32_t)seq);
		}
	}
	assert_int_equal(dp_sa_get_stats(env.a.ctx, out, &st), 0);
	assert_int_equal(st.packets, N);
	assert_int_equal(st.seq, p.seq + N);

	assert_int_equal(dp_proc_inbound(env.b.proc, m, N, res), N);
	for (unsigned int i = 0; i < N; i++) {
		if (res[i].verdict != DP_PROC_FORWARD)
			fail_msg("%s %s natt=%d esn=%d in pkt %u: verdict %u drop %s", a->name,
				shapes[s].name, natt, esn, i, res[i].verdict,
				dp_drop_name(res[i].drop));
		assert_int_equal(res[i].sa, in);
		assert_int_equal(rte_pktmbuf_data_len(m[i]), olen[i]);
		assert_memory_equal(rte_pktmbuf_mtod(m[i], uint8_t *), orig[i], olen[i]);
		rte_pktmbuf_free(m[i]);
	}
	assert_int_equal(dp_sa_get_stats(env.b.ctx, in, &st), 0);
	assert_int_equal(st.packets, N);
	assert_int_equal(st.seq, p.seq + N);
	assert_int_equal(dp_sa_delete(env.a.ctx, out), 0);
	assert_int_equal(dp_sa_delete(env.b.ctx, in), 0);
}

static void test_roundtrip(void **state)
{
	(void)state;
	for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++)
		for (int s = 0; s < SHAPES; s++)
			for (int natt = 0; natt < 2; natt++)
				for (int esn = 0; esn < 2; esn++)
					one_roundtrip(&algs[a], (enum shape)s, natt, esn);
	dp_reclaim(env.a.ctx);
	dp_reclaim(env.b.ctx);
}

/* ------------------------------------------------------------------------ */
/* Crafted packets and drop reasons.                                         */

struct pair {
	struct dp_sa_params p;
	dp_sa_handle_t out, in;
};

static void pair_new(struct pair *x, uint8_t ealg, uint16_t ekey, uint8_t aalg, uint32_t window)
{
	pt_sa(&x->p, next_spi++, SADB_SATYPE_ESP, ealg, ekey, aalg, DP_MODE_TUNNEL, V4A, V4B);
	assert_int_equal(pt_sa_pair(&env, &x->p, window, &x->out, &x->in), 0);
}

static void pair_del(struct pair *x)
{
	dp_sa_delete(env.a.ctx, x->out);
	dp_sa_delete(env.b.ctx, x->in);
}

/* One inner packet through the sender: the ESP packet. */
static struct rte_mbuf *seal(struct pair *x, uint32_t payload, uint8_t tos)
{
	uint8_t buf[2048];
	uint32_t l = pt_udp_packet(buf, IN4S, IN4D, payload, tos, false);
	struct rte_mbuf *m = pt_mbuf(&env, buf, l);
	struct dp_proc_res r;

	assert_non_null(m);
	dp_proc_outbound(env.a.proc, &m, &x->out, 1, &r);
	assert_int_equal(r.verdict, DP_PROC_FORWARD);
	return m;
}

/* Receive one packet; returns the result, frees the mbuf unless it was
 * kept (HELD / HANDOFF) or *keep is asked for. */
static struct dp_proc_res open1(struct rte_mbuf *m, struct rte_mbuf **keep)
{
	struct dp_proc_res r;

	dp_proc_inbound(env.b.proc, &m, 1, &r);
	if (keep != NULL)
		*keep = m;
	else if (r.verdict != DP_PROC_HELD && r.verdict != DP_PROC_HANDOFF)
		rte_pktmbuf_free(m);
	return r;
}

static uint64_t sa_drops(struct dp_ctx *ctx, dp_sa_handle_t h, enum dp_drop r)
{
	struct dp_sa_stats st;

	assert_int_equal(dp_sa_get_stats(ctx, h, &st), 0);
	return st.drops[r];
}

static uint64_t worker_drops(struct dp_ctx *ctx, enum dp_drop r)
{
	struct dp_worker_stats st;

	assert_int_equal(dp_worker_get_stats(ctx, 0, &st), 0);
	return st.drops[r];
}

static void expect_drop(struct dp_proc_res r, enum dp_drop why)
{
	if (r.verdict != DP_PROC_DROP || r.drop != why)
		fail_msg("expected drop %s, got verdict %u drop %s", dp_drop_name(why), r.verdict,
			dp_drop_name(r.drop));
}

/* Fix the outer IPv4 checksum after editing a header field. */
static void v4_fix(struct rte_mbuf *m)
{
	dp_ipv4_csum_set(rte_pktmbuf_mtod(m, uint8_t *));
}

static void test_drop_inbound(void **state)
{
	struct pair x;
	struct rte_mbuf *m, *m2;
	uint8_t *d;
	uint64_t w0;

	(void)state;
	pair_new(&x, SADB_EALG_AES_GCM_16, 16, 0, 32);

	/* no SA: another SPI */
	w0 = worker_drops(env.b.ctx, DP_DROP_NO_SA);
	m = seal(&x, 10, 0);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	d[20] ^= 0x80;
	expect_drop(open1(m, NULL), DP_DROP_NO_SA);
	assert_int_equal(worker_drops(env.b.ctx, DP_DROP_NO_SA), w0 + 1);

	/* truncated: 6 bytes of ESP */
	m = seal(&x, 10, 0);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - 26));
	dp_put16(d + 2, 26);
	v4_fix(m);
	expect_drop(open1(m, NULL), DP_DROP_TRUNCATED);
	/* truncated after lookup: SPI and seq but no room for IV + ICV */
	m = seal(&x, 10, 0);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - 40));
	dp_put16(d + 2, 40);
	v4_fix(m);
	expect_drop(open1(m, NULL), DP_DROP_TRUNCATED);
	assert_int_equal(sa_drops(env.b.ctx, x.in, DP_DROP_TRUNCATED), 1);

	/* IP total length beyond the buffer */
	m = seal(&x, 10, 0);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	dp_put16(d + 2, (uint16_t)(dp_get16(d + 2) + 1));
	v4_fix(m);
	expect_drop(open1(m, NULL), DP_DROP_TRUNCATED);
	/* IP total length below the header */
	m = seal(&x, 10, 0);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	dp_put16(d + 2, 19);
	v4_fix(m);
	expect_drop(open1(m, NULL), DP_DROP_BAD_LENGTH);
	/* a fragment (MF set): reassembly comes first */
	m = seal(&x, 10, 0);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	d[6] |= 0x20;
	v4_fix(m);
	expect_drop(open1(m, NULL), DP_DROP_UNSUPPORTED);

	/* authentication: one ciphertext bit */
	m = seal(&x, 10, 0);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	d[20 + 8 + 8 + 3] ^= 1;
	expect_drop(open1(m, NULL), DP_DROP_AUTH_FAILED);
	assert_int_equal(sa_drops(env.b.ctx, x.in, DP_DROP_AUTH_FAILED), 1);

	/* sequence 0 (checked before crypto) */
	m = seal(&x, 10, 0);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	dp_put32(d + 24, 0);
	expect_drop(open1(m, NULL), DP_DROP_SEQ_ZERO);

	/* A forged packet does not consume its sequence number: the intact
	 * copy of the same packet, after it, is accepted once. */
	m = seal(&x, 10, 0);
	m2 = rte_pktmbuf_copy(m, env.pool, 0, UINT32_MAX);
	assert_non_null(m2);
	rte_pktmbuf_mtod(m, uint8_t *)[20 + 8 + 8 + 3] ^= 1;
	expect_drop(open1(m, NULL), DP_DROP_AUTH_FAILED);
	m = rte_pktmbuf_copy(m2, env.pool, 0, UINT32_MAX);
	assert_non_null(m);
	assert_int_equal(open1(m2, NULL).verdict, DP_PROC_FORWARD);
	expect_drop(open1(m, NULL), DP_DROP_REPLAY_DUPLICATE);
	/* ... also within one burst, where the tags are compared after the
	 * burst's ciphers: forged first, then the intact copy. */
	{
		struct rte_mbuf *b[2];
		struct dp_proc_res r[2];

		b[1] = seal(&x, 10, 0);
		b[0] = rte_pktmbuf_copy(b[1], env.pool, 0, UINT32_MAX);
		assert_non_null(b[0]);
		rte_pktmbuf_mtod(b[0], uint8_t *)[20 + 8 + 8 + 3] ^= 1;
		dp_proc_inbound(env.b.proc, b, 2, r);
		expect_drop(r[0], DP_DROP_AUTH_FAILED);
		assert_int_equal(r[1].verdict, DP_PROC_FORWARD);
		rte_pktmbuf_free(b[0]);
		rte_pktmbuf_free(b[1]);
	}
	assert_int_equal(sa_drops(env.b.ctx, x.in, DP_DROP_AUTH_FAILED), 3);

	/* too old: window 32; push to 60 beyond, then replay one 40 behind */
	m2 = NULL;
	for (int i = 8; i <= 60; i++) {
		m = seal(&x, 10, 0);
		if (i == 20)
			m2 = rte_pktmbuf_copy(m, env.pool, 0, UINT32_MAX);
		assert_int_equal(open1(m, NULL).verdict, DP_PROC_FORWARD);
	}
	expect_drop(open1(m2, NULL), DP_DROP_REPLAY_TOO_OLD);
	assert_int_equal(sa_drops(env.b.ctx, x.in, DP_DROP_REPLAY_TOO_OLD), 1);
	assert_int_equal(sa_drops(env.b.ctx, x.in, DP_DROP_REPLAY_DUPLICATE), 1);

	/* two copies in one burst: the second is a duplicate */
	{
		struct rte_mbuf *b[2];
		struct dp_proc_res r[2];

		b[0] = seal(&x, 10, 0);
		b[1] = rte_pktmbuf_copy(b[0], env.pool, 0, UINT32_MAX);
		dp_proc_inbound(env.b.proc, b, 2, r);
		assert_int_equal(r[0].verdict, DP_PROC_FORWARD);
		expect_drop(r[1], DP_DROP_REPLAY_DUPLICATE);
		rte_pktmbuf_free(b[0]);
		rte_pktmbuf_free(b[1]);
	}

	/* ECN: outer CE over a Not-ECT inner packet (RFC 6040 4.2) */
	m = seal(&x, 10, 0);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	d[1] |= DP_ECN_CE;
	v4_fix(m);
	expect_drop(open1(m, NULL), DP_DROP_ECN_DROP);
	/* ... and over ECT(0): the inner becomes CE */
	m = seal(&x, 10, DP_ECN_ECT0);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	d[1] |= DP_ECN_CE;
	v4_fix(m);
	assert_int_equal(open1(m, &m2).verdict, DP_PROC_FORWARD);
	assert_int_equal(rte_pktmbuf_mtod(m2, uint8_t *)[1] & 3, DP_ECN_CE);
	assert_int_equal(dp_ip_csum_fold(dp_ip_csum_add(0, rte_pktmbuf_mtod(m2, uint8_t *), 20)),
		0);
	rte_pktmbuf_free(m2);

	/* fragments are not reassembled here */
	m = seal(&x, 10, 0);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	d[6] |= 0x20;
	v4_fix(m);
	expect_drop(open1(m, NULL), DP_DROP_UNSUPPORTED);

	/* states: DEAD and ACTIVE_ELSEWHERE never carry traffic */
	assert_int_equal(dp_sa_set_state(env.b.ctx, x.in, SADB_SASTATE_DEAD), 0);
	expect_drop(open1(seal(&x, 10, 0), NULL), DP_DROP_SA_STATE);
	assert_int_equal(dp_sa_set_state(env.b.ctx, x.in, SADB_X_SASTATE_ACTIVE_ELSEWHERE), 0);
	expect_drop(open1(seal(&x, 10, 0), NULL), DP_DROP_SA_STATE);
	assert_int_equal(sa_drops(env.b.ctx, x.in, DP_DROP_SA_STATE), 2);
	assert_int_equal(dp_sa_set_state(env.b.ctx, x.in, SADB_SASTATE_MATURE), 0);

	/* wrong direction: an inbound packet that names an outbound SA */
	m = seal(&x, 10, 0);
	{
		struct dp_proc_res r;

		dp_proc_inbound(env.a.proc, &m, 1, &r);
		expect_drop(r, DP_DROP_WRONG_DIRECTION);
		rte_pktmbuf_free(m);
	}
	pair_del(&x);
}

/* The part seal_raw() and seal_raw_cbc() share: an outer IPv4 header
 * (V4A -> V4B, ESP), the ESP header, the IV (iv_len bytes: the sequence
 * number for GCM, a pattern for CBC) and the plaintext, in an mbuf with
 * room for a 16-byte ICV; the op set for the sender's session. */
static struct rte_mbuf *seal_raw_prep(struct pair *x, const uint8_t *pt, uint32_t ptlen,
	uint32_t seq, uint32_t iv_len, struct dp_crypto_op *op)
{
	const uint32_t off = 20 + 8 + iv_len, tot = off + ptlen + 16;
	struct dp_sa *sa;
	uint8_t buf[2048];
	struct rte_mbuf *m;

	assert_true(tot <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x45;
	dp_put16(buf + 2, (uint16_t)tot);
	buf[8] = 64;
	buf[9] = DP_IPPROTO_ESP;
	inet_pton(AF_INET, V4A, buf + 12);
	inet_pton(AF_INET, V4B, buf + 16);
	dp_ipv4_csum_set(buf);
	memcpy(buf + 20, &x->p.spi, 4);
	dp_put32(buf + 24, seq);
	if (iv_len == 8)
		dp_put64(buf + 28, seq);
	else
		for (uint32_t i = 0; i < iv_len; i++)
			buf[28 + i] = (uint8_t)(seq * 16 + i);
	memcpy(buf + off, pt, ptlen);
	m = pt_mbuf(&env, buf, tot);
	assert_non_null(m);
	sa = dp_sadb_get(env.a.ctx->sadb, x->out);
	assert_non_null(sa);
	memset(op, 0, sizeof(*op));
	op->mbuf = m;
	op->sess = sa->crypto;
	op->cipher_offset = off;
	op->cipher_length = ptlen;
	op->digest = rte_pktmbuf_mtod(m, uint8_t *) + off + ptlen;
	memcpy(op->iv, buf + 28, iv_len);
	return m;
}

/* Build an authentic GCM ESP packet around a chosen plaintext (payload,
 * padding and trailer as given) with the sender's own session. */
static struct rte_mbuf *seal_raw(struct pair *x, const uint8_t *pt, uint32_t ptlen, uint32_t seq)
{
	struct dp_crypto_op op, *opp = &op;
	struct rte_mbuf *m = seal_raw_prep(x, pt, ptlen, seq, 8, &op);

	memcpy(op.aad, rte_pktmbuf_mtod(m, uint8_t *) + 20, 8);
	dp_crypto_process(dp_crypto_worker(env.a.ctx->crypto, 0), &opp, 1);
	assert_int_equal(op.status, DP_CRYPTO_OK);
	return m;
}

static void test_drop_content(void **state)
{
	struct pair x;
	uint8_t pt[64], inner[64];
	uint32_t il = pt_udp_packet(inner, IN4S, IN4D, 2, 0, false); /* 30 bytes */

	(void)state;
	pair_new(&x, SADB_EALG_AES_GCM_16, 16, 0, 64);
	assert_int_equal(il, 30);

	/* good: 30 + pad 0 + 2 = 32 */
	memcpy(pt, inner, 30);
	pt[30] = 0;
	pt[31] = 4;
	assert_int_equal(open1(seal_raw(&x, pt, 32, 1), NULL).verdict, DP_PROC_FORWARD);
	/* bad padding bytes: 26 + pad 4 (1,2,9,4) + 2 */
	memcpy(pt, inner, 30);
	memcpy(pt + 30, (const uint8_t[]){ 1, 2, 9, 4, 4, 4 }, 6);
	expect_drop(open1(seal_raw(&x, pt, 36, 2), NULL), DP_DROP_BAD_PADDING);
	/* pad length past the start */
	memcpy(pt + 30, (const uint8_t[]){ 0, 0, 0, 0, 60, 4 }, 6);
	expect_drop(open1(seal_raw(&x, pt, 36, 3), NULL), DP_DROP_BAD_PADDING);
	assert_int_equal(sa_drops(env.b.ctx, x.in, DP_DROP_BAD_PADDING), 2);
	/* next header TCP in tunnel mode */
	memcpy(pt + 30, (const uint8_t[]){ 6 }, 1);
	pt[30] = 0;
	pt[31] = 6;
	expect_drop(open1(seal_raw(&x, pt, 32, 4), NULL), DP_DROP_BAD_NEXT_HEADER);
	/* next header 4 but an IPv6 packet inside */
	pt[0] = 0x60;
	pt[31] = 4;
	expect_drop(open1(seal_raw(&x, pt, 32, 5), NULL), DP_DROP_BAD_NEXT_HEADER);
	/* dummy packet (next header 59): silently consumed, not a drop */
	memcpy(pt, inner, 30);
	pt[31] = DP_IPPROTO_NONE;
	assert_int_equal(open1(seal_raw(&x, pt, 32, 6), NULL).verdict, DP_PROC_DUMMY);
	/* inner length beyond the payload */
	memcpy(pt, inner, 30);
	dp_put16(pt + 2, 31);
	pt[31] = 4;
	expect_drop(open1(seal_raw(&x, pt, 32, 7), NULL), DP_DROP_TRUNCATED);
	/* inner length below the IPv4 header (0x45: the inline check) */
	memcpy(pt, inner, 30);
	dp_put16(pt + 2, 19);
	pt[31] = 4;
	expect_drop(open1(seal_raw(&x, pt, 32, 9), NULL), DP_DROP_BAD_LENGTH);
	/* ciphertext not a multiple of 4 */
	{
		struct rte_mbuf *m = seal_raw(&x, pt, 32, 8);
		uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);

		rte_pktmbuf_append(m, 2);
		dp_put16(d + 2, (uint16_t)(dp_get16(d + 2) + 2));
		v4_fix(m);
		expect_drop(open1(m, NULL), DP_DROP_BAD_LENGTH);
	}
	pair_del(&x);
}

/* seal_raw for AES-CBC + HMAC-SHA256-128: a 16-byte IV after the ESP
 * header, the ICV over header, IV and ciphertext; ptlen a multiple of 16. */
static struct rte_mbuf *seal_raw_cbc(struct pair *x, const uint8_t *pt, uint32_t ptlen,
	uint32_t seq)
{
	struct dp_crypto_op op, *opp = &op;
	struct rte_mbuf *m;

	assert_int_equal(ptlen % 16, 0);
	m = seal_raw_prep(x, pt, ptlen, seq, 16, &op);
	op.auth_offset = 20;
	op.auth_length = 8 + 16 + ptlen;
	dp_crypto_process(dp_crypto_worker(env.a.ctx->crypto, 0), &opp, 1);
	assert_int_equal(op.status, DP_CRYPTO_OK);
	return m;
}

/* The padding check (dp_esp_in.c: a masked 16-byte compare for pads up to
 * 16 bytes, a loop beyond), for GCM (4-byte alignment) and CBC + HMAC
 * (16-byte blocks): per pad length 0-20, 31, 32 and 255 (odd ones and the
 * masked compare's edges 15-17 included; the inner packet's length is
 * chosen to fit the cipher's alignment), a good pad passes, a wrong first,
 * middle or last pad byte is refused, and the payload byte right before
 * the pad is not taken for padding (it differs from the sequence). */
static void test_drop_padding(void **state)
{
	static const uint8_t lens[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		16, 17, 18, 19, 20, 31, 32, 255 };
	static const struct {
		uint8_t ealg, aalg;
		uint32_t align;
	} kinds[] = {
		{ SADB_EALG_AES_GCM_16, 0, 4 },
		{ SADB_EALG_AES_CBC, SADB_AALG_SHA256HMAC, 16 },
	};
	uint8_t pt[512], inner[64];

	(void)state;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct pair x;
		uint32_t seq = 1;
		uint64_t bad_seen = 0;

		pair_new(&x, kinds[k].ealg, 16, kinds[k].aalg, 64);
		for (size_t t = 0; t < sizeof(lens); t++) {
			uint32_t pad = lens[t], payload = 2, il, ptlen;

			/* 28 + payload + pad + 2 a multiple of the alignment */
			while ((28 + payload + pad + 2) % kinds[k].align != 0)
				payload++;
			il = pt_udp_packet(inner, IN4S, IN4D, payload, 0, false);
			assert_int_equal(il, 28 + payload);
			ptlen = il + pad + 2;
			assert_true(ptlen <= sizeof(pt));
			for (int bad = 0; bad < 4; bad++) {
				struct dp_proc_res r;
				struct rte_mbuf *m;

				memcpy(pt, inner, il);
				pt[il - 1] = 0xee; /* the UDP payload's last byte */
				for (uint32_t i = 0; i < pad; i++)
					pt[il + i] = (uint8_t)(i + 1);
				pt[il + pad] = (uint8_t)pad;
				pt[il + pad + 1] = DP_IPPROTO_IPIP;
				if (pad != 0 && bad == 1)
					pt[il] ^= 0x40;               /* first pad byte */
				if (pad != 0 && bad == 2)
					pt[il + pad / 2] ^= 0x80;     /* middle pad byte */
				if (pad != 0 && bad == 3)
					pt[il + pad - 1] ^= 0x01;     /* last pad byte */
				m = kinds[k].align == 16 ? seal_raw_cbc(&x, pt, ptlen, seq)
							 : seal_raw(&x, pt, ptlen, seq);
				seq++;
				r = open1(m, NULL);
				if (bad == 0 || pad == 0) {
					assert_int_equal(r.verdict, DP_PROC_FORWARD);
				} else {
					expect_drop(r, DP_DROP_BAD_PADDING);
					bad_seen++;
				}
			}
		}
		assert_int_equal(sa_drops(env.b.ctx, x.in, DP_DROP_BAD_PADDING), bad_seen);
		pair_del(&x);
	}
}

static void test_drop_outbound(void **state)
{
	struct pair x;
	struct dp_sa_params p;
	dp_sa_handle_t out, in;
	uint8_t buf[256];
	uint32_t l = pt_udp_packet(buf, IN4S, IN4D, 20, 0, false);
	struct rte_mbuf *m;
	struct dp_proc_res r;
	struct dp_sa_stats st;
	struct dp_event ev[8];
	int nev;

	(void)state;
	while (dp_event_poll(env.a.ctx, ev, 8) > 0)
		;
	/* lease: limit 4 -> sequence numbers 1, 2, 3 only */
	pt_sa(&p, next_spi++, SADB_SATYPE_ESP, SADB_EALG_AES_GCM_16, 16, 0, DP_MODE_TUNNEL,
		V4A, V4B);
	p.lease_limit = 4;
	assert_int_equal(pt_sa_pair(&env, &p, 64, &out, &in), 0);
	for (int i = 1; i <= 5; i++) {
		m = pt_mbuf(&env, buf, l);
		dp_proc_outbound(env.a.proc, &m, &out, 1, &r);
		if (i < 4) {
			assert_int_equal(r.verdict, DP_PROC_FORWARD);
			assert_int_equal(dp_get32(rte_pktmbuf_mtod(m, uint8_t *) + 24), i);
		} else {
			expect_drop(r, DP_DROP_LEASE_EXHAUSTED);
		}
		rte_pktmbuf_free(m);
	}
	assert_int_equal(dp_sa_get_stats(env.a.ctx, out, &st), 0);
	assert_int_equal(st.seq, 3);
	assert_int_equal(st.drops[DP_DROP_LEASE_EXHAUSTED], 2);
	nev = dp_event_poll(env.a.ctx, ev, 8);
	{
		bool low = false, exh = false;

		for (int i = 0; i < nev; i++) {
			low |= ev[i].type == DP_EVENT_LEASE_LOW && ev[i].sa == out;
			exh |= ev[i].type == DP_EVENT_LEASE_EXHAUSTED && ev[i].sa == out;
		}
		assert_true(low);
		assert_true(exh);
	}
	/* a new lease lets it go on from 4 */
	assert_int_equal(dp_sa_set_lease(env.a.ctx, out, 100), 0);
	m = pt_mbuf(&env, buf, l);
	dp_proc_outbound(env.a.proc, &m, &out, 1, &r);
	assert_int_equal(r.verdict, DP_PROC_FORWARD);
	assert_int_equal(dp_get32(rte_pktmbuf_mtod(m, uint8_t *) + 24), 4);
	rte_pktmbuf_free(m);
	dp_sa_delete(env.a.ctx, out);
	dp_sa_delete(env.b.ctx, in);

	/* sequence space: a 32-bit SA that sent 2^32-1 stops */
	pt_sa(&p, next_spi++, SADB_SATYPE_ESP, SADB_EALG_AES_GCM_16, 16, 0, DP_MODE_TUNNEL,
		V4A, V4B);
	p.seq = UINT32_MAX;
	assert_int_equal(pt_sa_pair(&env, &p, 64, &out, &in), 0);
	m = pt_mbuf(&env, buf, l);
	dp_proc_outbound(env.a.proc, &m, &out, 1, &r);
	expect_drop(r, DP_DROP_SEQ_EXHAUSTED);
	rte_pktmbuf_free(m);
	assert_int_equal(sa_drops(env.a.ctx, out, DP_DROP_SEQ_EXHAUSTED), 1);
	dp_sa_delete(env.a.ctx, out);
	dp_sa_delete(env.b.ctx, in);

	pair_new(&x, SADB_EALG_AES_CBC, 16, SADB_AALG_SHA256HMAC, 64);
	/* wrong direction, stale handle */
	m = pt_mbuf(&env, buf, l);
	dp_proc_outbound(env.b.proc, &m, &x.in, 1, &r);
	expect_drop(r, DP_DROP_WRONG_DIRECTION);
	dp_proc_outbound(env.a.proc, &m, &(dp_sa_handle_t){ x.out + (1ull << 40) }, 1, &r);
	expect_drop(r, DP_DROP_NO_SA);
	/* no headroom */
	m->data_off = 0;
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), buf, l);
	dp_proc_outbound(env.a.proc, &m, &x.out, 1, &r);
	expect_drop(r, DP_DROP_NO_BUFFER);
	rte_pktmbuf_free(m);
	/* garbage instead of IP */
	m = pt_mbuf(&env, (const uint8_t[]){ 0x45, 0, 0, 10 }, 4);
	dp_proc_outbound(env.a.proc, &m, &x.out, 1, &r);
	expect_drop(r, DP_DROP_TRUNCATED);
	rte_pktmbuf_free(m);
	/* tunnel mode's inline check of a 0x45 inner header: total length
	 * below the header, and beyond the buffer */
	{
		uint8_t b2[256];

		memcpy(b2, buf, l);
		dp_put16(b2 + 2, 19);
		m = pt_mbuf(&env, b2, l);
		dp_proc_outbound(env.a.proc, &m, &x.out, 1, &r);
		expect_drop(r, DP_DROP_BAD_LENGTH);
		rte_pktmbuf_free(m);
		dp_put16(b2 + 2, (uint16_t)(l + 1));
		m = pt_mbuf(&env, b2, l);
		dp_proc_outbound(env.a.proc, &m, &x.out, 1, &r);
		expect_drop(r, DP_DROP_TRUNCATED);
		rte_pktmbuf_free(m);
	}
	/* LARVAL carries nothing */
	assert_int_equal(dp_sa_set_state(env.a.ctx, x.out, SADB_SASTATE_LARVAL), 0);
	m = pt_mbuf(&env, buf, l);
	dp_proc_outbound(env.a.proc, &m, &x.out, 1, &r);
	expect_drop(r, DP_DROP_SA_STATE);
	rte_pktmbuf_free(m);
	assert_int_equal(dp_sa_set_state(env.a.ctx, x.out, SADB_SASTATE_MATURE), 0);
	/* transport SA, packet of the other family */
	pair_del(&x);
	pt_sa(&p, next_spi++, SADB_SATYPE_ESP, SADB_EALG_AES_GCM_16, 16, 0, DP_MODE_TRANSPORT,
		V6A, V6B);
	assert_int_equal(pt_sa_pair(&env, &p, 64, &out, &in), 0);
	m = pt_mbuf(&env, buf, l);
	dp_proc_outbound(env.a.proc, &m, &out, 1, &r);
	expect_drop(r, DP_DROP_POLICY_MISMATCH);
	rte_pktmbuf_free(m);
	dp_sa_delete(env.a.ctx, out);
	dp_sa_delete(env.b.ctx, in);
}

static void test_hard_lifetime(void **state)
{
	struct pair x;
	struct dp_proc_res r;
	struct dp_event ev[8];
	bool soft = false, hard = false;
	int nev;

	(void)state;
	while (dp_event_poll(env.b.ctx, ev, 8) > 0)
		;
	pt_sa(&x.p, next_spi++, SADB_SATYPE_ESP, SADB_EALG_AES_GCM_16, 16, 0, DP_MODE_TUNNEL,
		V4A, V4B);
	x.p.soft.packets = 1;
	x.p.hard.packets = 2;
	assert_int_equal(pt_sa_pair(&env, &x.p, 64, &x.out, &x.in), 0);
	/* the outbound SA also has the limits: 2 packets out, then drops */
	assert_int_equal(open1(seal(&x, 5, 0), NULL).verdict, DP_PROC_FORWARD);
	assert_int_equal(open1(seal(&x, 5, 0), NULL).verdict, DP_PROC_FORWARD);
	{
		uint8_t buf[128];
		uint32_t l = pt_udp_packet(buf, IN4S, IN4D, 5, 0, false);
		struct rte_mbuf *m = pt_mbuf(&env, buf, l);

		dp_proc_outbound(env.a.proc, &m, &x.out, 1, &r);
		expect_drop(r, DP_DROP_HARD_LIFETIME);
		rte_pktmbuf_free(m);
	}
	nev = dp_event_poll(env.b.ctx, ev, 8);
	for (int i = 0; i < nev; i++) {
		soft |= ev[i].type == DP_EVENT_SOFT_PACKETS && ev[i].sa == x.in;
		hard |= ev[i].type == DP_EVENT_HARD_PACKETS && ev[i].sa == x.in;
	}
	assert_true(soft);
	assert_true(hard);
	pair_del(&x);
}

static void test_natt_exception(void **state)
{
	struct dp_proc_res r;
	uint8_t buf[128];
	uint32_t l;
	uint8_t *u;

	(void)state;
	/* keepalive: one byte 0xff to port 4500 */
	l = pt_udp_packet(buf, V4A, V4B, 1, 0, false);
	u = buf + 20;
	dp_put16(u + 2, 4500);
	u[8] = 0xff;
	assert_int_equal(open1(pt_mbuf(&env, buf, l), NULL).verdict, DP_PROC_EXCEPTION);
	/* IKE: the non-ESP marker */
	l = pt_udp_packet(buf, V6A, V6B, 40, 0, false);
	u = buf + 40;
	dp_put16(u + 2, 4500);
	memset(u + 8, 0, 4);
	assert_int_equal(open1(pt_mbuf(&env, buf, l), NULL).verdict, DP_PROC_EXCEPTION);
	/* short ESP-in-UDP */
	l = pt_udp_packet(buf, V4A, V4B, 5, 0, false);
	dp_put16(buf + 20 + 2, 4500);
	buf[28] = 1;
	expect_drop(open1(pt_mbuf(&env, buf, l), NULL), DP_DROP_TRUNCATED);
	/* DNS is not IPsec */
	l = pt_udp_packet(buf, V4A, V4B, 5, 0, false);
	dp_put16(buf + 20 + 2, 53);
	r = open1(pt_mbuf(&env, buf, l), NULL);
	assert_int_equal(r.verdict, DP_PROC_NOT_IPSEC);
}

static void test_outer_header(void **state)
{
	struct dp_sa_params p;
	dp_sa_handle_t out, in;
	uint8_t buf[256];
	struct rte_mbuf *m;
	struct dp_proc_res r;
	const uint8_t *d;
	uint32_t l;

	(void)state;
	/* DF copy, DSCP copy, ECN normal: inner DSCP 10, ECT(0), DF */
	pt_sa(&p, next_spi++, SADB_SATYPE_ESP, SADB_EALG_AES_GCM_16, 16, 0, DP_MODE_TUNNEL,
		V4A, V4B);
	assert_int_equal(pt_sa_pair(&env, &p, 64, &out, &in), 0);
	l = pt_udp_packet(buf, IN4S, IN4D, 20, (10 << 2) | DP_ECN_ECT0, true);
	m = pt_mbuf(&env, buf, l);
	dp_proc_outbound(env.a.proc, &m, &out, 1, &r);
	d = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_int_equal(d[1], (10 << 2) | DP_ECN_ECT0);
	assert_int_equal(d[6] & 0x40, 0x40);
	assert_int_equal(d[8], DP_IP_TTL_DEFAULT);
	/* decap: outer DSCP changed en route is not copied in by default */
	((uint8_t *)d)[1] = (46 << 2) | DP_ECN_ECT0;
	v4_fix(m);
	assert_int_equal(open1(m, &m).verdict, DP_PROC_FORWARD);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), buf, l);
	rte_pktmbuf_free(m);
	dp_sa_delete(env.a.ctx, out);
	dp_sa_delete(env.b.ctx, in);

	/* DF clear, DSCP set 46, ECN compat; decap copies DSCP */
	pt_sa(&p, next_spi++, SADB_SATYPE_ESP, SADB_EALG_AES_GCM_16, 16, 0, DP_MODE_TUNNEL,
		V4A, V4B);
	p.flags = DP_SA_F_DF_CLEAR | DP_SA_F_DSCP_SET | DP_SA_F_ECN_COMPAT |
		DP_SA_F_DSCP_DECAP_COPY;
	p.dscp = 46;
	assert_int_equal(pt_sa_pair(&env, &p, 64, &out, &in), 0);
	m = pt_mbuf(&env, buf, l);
	dp_proc_outbound(env.a.proc, &m, &out, 1, &r);
	d = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_int_equal(d[1], 46 << 2);
	assert_int_equal(d[6] & 0x40, 0);
	assert_int_equal(open1(m, &m).verdict, DP_PROC_FORWARD);
	d = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_int_equal(d[1], (46 << 2) | DP_ECN_ECT0);
	assert_int_equal(dp_ip_csum_fold(dp_ip_csum_add(0, d, 20)), 0);
	rte_pktmbuf_free(m);
	dp_sa_delete(env.a.ctx, out);
	dp_sa_delete(env.b.ctx, in);

	/* DF set over an inner packet without DF; IPv6 outer traffic class */
	pt_sa(&p, next_spi++, SADB_SATYPE_ESP, SADB_EALG_AES_GCM_16, 16, 0, DP_MODE_TUNNEL,
		V4A, V4B);
	p.flags = DP_SA_F_DF_SET;
	assert_int_equal(pt_sa_pair(&env, &p, 64, &out, &in), 0);
	l = pt_udp_packet(buf, IN4S, IN4D, 20, 0, false);
	m = pt_mbuf(&env, buf, l);
	dp_proc_outbound(env.a.proc, &m, &out, 1, &r);
	assert_int_equal(rte_pktmbuf_mtod(m, uint8_t *)[6] & 0x40, 0x40);
	rte_pktmbuf_free(m);
	dp_sa_delete(env.a.ctx, out);
	dp_sa_delete(env.b.ctx, in);

	pt_sa(&p, next_spi++, SADB_SATYPE_ESP, SADB_EALG_AES_GCM_16, 16, 0, DP_MODE_TUNNEL,
		V6A, V6B);
	assert_int_equal(pt_sa_pair(&env, &p, 64, &out, &in), 0);
	l = pt_udp_packet(buf, IN4S, IN4D, 20, (12 << 2) | DP_ECN_ECT1, false);
	m = pt_mbuf(&env, buf, l);
	dp_proc_outbound(env.a.proc, &m, &out, 1, &r);
	assert_int_equal(dp_ip_tos(rte_pktmbuf_mtod(m, uint8_t *)), (12 << 2) | DP_ECN_ECT1);
	assert_int_equal(rte_pktmbuf_mtod(m, uint8_t *)[7], DP_IP_TTL_DEFAULT);
	rte_pktmbuf_free(m);
	dp_sa_delete(env.a.ctx, out);
	dp_sa_delete(env.b.ctx, in);
}

static void test_idle_hold(void **state)
{
	struct pair x;
	struct rte_mbuf *m, *got[4];
	struct dp_proc_res r, rr[4];
	struct dp_event ev[8];
	bool idle = false;
	int nev;

	(void)state;
	while (dp_event_poll(env.b.ctx, ev, 8) > 0)
		;
	pair_new(&x, SADB_EALG_AES_GCM_16, 16, 0, 64);
	assert_int_equal(dp_sa_set_state(env.b.ctx, x.in, SADB_X_SASTATE_IDLE), 0);
	/* forged packets are not held */
	m = seal(&x, 10, 0);
	rte_pktmbuf_mtod(m, uint8_t *)[40] ^= 1;
	expect_drop(open1(m, NULL), DP_DROP_AUTH_FAILED);
	m = seal(&x, 10, 0);
	r = open1(m, NULL);
	assert_int_equal(r.verdict, DP_PROC_HELD);
	nev = dp_event_poll(env.b.ctx, ev, 8);
	for (int i = 0; i < nev; i++)
		idle |= ev[i].type == DP_EVENT_IDLE_TRAFFIC && ev[i].sa == x.in;
	assert_true(idle);
	assert_int_equal(dp_proc_hold_poll(env.b.proc, got, 4, rr), 0);
	assert_int_equal(dp_sa_set_state(env.b.ctx, x.in, SADB_X_SASTATE_ACTIVE), 0);
	assert_int_equal(dp_proc_hold_poll(env.b.proc, got, 4, rr), 1);
	assert_int_equal(rr[0].verdict, DP_PROC_FORWARD);
	assert_ptr_equal(got[0], m);
	assert_int_equal(rte_pktmbuf_mtod(m, uint8_t *)[9], 17); /* the inner UDP */
	rte_pktmbuf_free(m);

	/* outbound IDLE: held before a sequence number is taken */
	assert_int_equal(dp_sa_set_state(env.a.ctx, x.out, SADB_X_SASTATE_IDLE), 0);
	{
		uint8_t buf[128];
		uint32_t l = pt_udp_packet(buf, IN4S, IN4D, 5, 0, false);
		struct dp_sa_stats st0, st1;

		assert_int_equal(dp_sa_get_stats(env.a.ctx, x.out, &st0), 0);
		m = pt_mbuf(&env, buf, l);
		dp_proc_outbound(env.a.proc, &m, &x.out, 1, &r);
		assert_int_equal(r.verdict, DP_PROC_HELD);
		assert_int_equal(dp_sa_set_state(env.a.ctx, x.out, SADB_X_SASTATE_ACTIVE), 0);
		assert_int_equal(dp_proc_hold_poll(env.a.proc, got, 4, rr), 1);
		assert_int_equal(rr[0].verdict, DP_PROC_FORWARD);
		assert_int_equal(rte_pktmbuf_mtod(got[0], uint8_t *)[9], DP_IPPROTO_ESP);
		assert_int_equal(dp_sa_get_stats(env.a.ctx, x.out, &st1), 0);
		assert_int_equal(st1.seq, st0.seq + 1);
		assert_int_equal(open1(got[0], NULL).verdict, DP_PROC_FORWARD);
	}

	/* the hold queue is bounded (dp_config.hold_max, 256 by default) */
	assert_int_equal(dp_sa_set_state(env.a.ctx, x.out, SADB_X_SASTATE_IDLE), 0);
	{
		enum { HOLD = 256 };
		uint8_t buf[128];
		uint32_t l = pt_udp_packet(buf, IN4S, IN4D, 5, 0, false);
		unsigned int held = 0, full = 0, dropped = 0, n;

		for (unsigned int i = 0; i < HOLD + 2; i++) {
			m = pt_mbuf(&env, buf, l);
			assert_non_null(m);
			dp_proc_outbound(env.a.proc, &m, &x.out, 1, &r);
			if (r.verdict == DP_PROC_HELD) {
				held++;
			} else {
				expect_drop(r, DP_DROP_HOLD_FULL);
				full++;
				rte_pktmbuf_free(m);
			}
		}
		assert_int_equal(held, HOLD);
		assert_int_equal(full, 2);
		assert_int_equal(sa_drops(env.a.ctx, x.out, DP_DROP_HOLD_FULL), 2);
		/* DEAD: the held packets come back as drops */
		assert_int_equal(dp_sa_set_state(env.a.ctx, x.out, SADB_SASTATE_DEAD), 0);
		while ((n = dp_proc_hold_poll(env.a.proc, got, 4, rr)) != 0) {
			for (unsigned int i = 0; i < n; i++) {
				expect_drop(rr[i], DP_DROP_SA_STATE);
				rte_pktmbuf_free(got[i]);
				dropped++;
			}
		}
		assert_int_equal(dropped, HOLD);
	}
	pair_del(&x);
}

static void test_handoff(void **state)
{
	struct pt_side two = { 0 };
	struct dp_proc *p1;
	struct dp_sa_params p;
	dp_sa_handle_t out;
	uint8_t buf[128];
	uint32_t l = pt_udp_packet(buf, IN4S, IN4D, 5, 0, false);
	struct rte_mbuf *m, *got[4];
	struct dp_proc_res r, rr[4];
	struct dp_worker_stats ws;

	(void)state;
	{
		struct dp_config cfg;

		dp_config_default(&cfg);
		cfg.max_sas = 64;
		cfg.workers = 2;
		cfg.name = env.engine == DP_ENGINE_CRYPTODEV ? "hocd" : "homb";
		cfg.engine = DP_ENGINE_IPSEC_MB;
		cfg.handoff_ring_size = 2;
		two.ctx = dp_create(&cfg);
		assert_non_null(two.ctx);
	}
	assert_int_equal(dp_worker_register(two.ctx, 0), 0);
	assert_int_equal(dp_worker_register(two.ctx, 1), 0);
	assert_int_equal(dp_proc_new(two.ctx, 0, &two.proc), 0);
	assert_int_equal(dp_proc_new(two.ctx, 1, &p1), 0);
	pt_sa(&p, next_spi++, SADB_SATYPE_ESP, SADB_EALG_AES_GCM_16, 16, 0, DP_MODE_TUNNEL,
		V4A, V4B);
	p.dir = DP_DIR_OUT;
	p.owner = 1;
	assert_int_equal(dp_sa_add(two.ctx, &p, &out), 0);
	m = pt_mbuf(&env, buf, l);
	dp_proc_outbound(two.proc, &m, &out, 1, &r);
	assert_int_equal(r.verdict, DP_PROC_HANDOFF);
	assert_int_equal(dp_worker_get_stats(two.ctx, 0, &ws), 0);
	assert_int_equal(ws.handoff_out, 1);
	assert_int_equal(dp_proc_handoff_poll(p1, got, 4, rr), 1);
	assert_ptr_equal(got[0], m);
	assert_int_equal(rr[0].verdict, DP_PROC_FORWARD);
	assert_int_equal(rte_pktmbuf_mtod(m, uint8_t *)[9], DP_IPPROTO_ESP);
	assert_int_equal(dp_get32(rte_pktmbuf_mtod(m, uint8_t *) + 24), 1);
	rte_pktmbuf_free(m);

	/* a full hand-off ring drops and counts on the sender */
	{
		struct rte_mbuf *b[3];
		struct dp_proc_res rb[3];
		dp_sa_handle_t hb[3] = { out, out, out };

		for (int i = 0; i < 3; i++)
			b[i] = pt_mbuf(&env, buf, l);
		dp_proc_outbound(two.proc, b, hb, 3, rb);
		assert_int_equal(rb[0].verdict, DP_PROC_HANDOFF);
		assert_int_equal(rb[1].verdict, DP_PROC_HANDOFF);
		expect_drop(rb[2], DP_DROP_HANDOFF_FULL);
		rte_pktmbuf_free(b[2]);
		assert_int_equal(dp_worker_get_stats(two.ctx, 0, &ws), 0);
		assert_int_equal(ws.drops[DP_DROP_HANDOFF_FULL], 1);
		assert_int_equal(dp_proc_handoff_poll(p1, got, 4, rr), 2);
		for (int i = 0; i < 2; i++) {
			assert_int_equal(rr[i].verdict, DP_PROC_FORWARD);
			assert_int_equal(dp_get32(rte_pktmbuf_mtod(got[i], uint8_t *) + 24),
				2 + i);
			rte_pktmbuf_free(got[i]);
		}
	}
	dp_proc_free(p1);
	dp_proc_free(two.proc);
	dp_worker_unregister(two.ctx, 0);
	dp_worker_unregister(two.ctx, 1);
	dp_destroy(two.ctx);
}

#define TESTS                                          \
	cmocka_unit_test(test_roundtrip),              \
	cmocka_unit_test(test_drop_inbound),           \
	cmocka_unit_test(test_drop_content),           \
	cmocka_unit_test(test_drop_padding),           \
	cmocka_unit_test(test_drop_outbound),          \
	cmocka_unit_test(test_hard_lifetime),          \
	cmocka_unit_test(test_natt_exception),         \
	cmocka_unit_test(test_outer_header),           \
	cmocka_unit_test(test_idle_hold),              \
	cmocka_unit_test(test_handoff)

int main(void)
{
	const struct CMUnitTest tests[] = { TESTS };
	int rc;

	if (crypto_test_eal_init("esp") < 0)
		return 1;
	rc = cmocka_run_group_tests_name("esp ipsec-mb", tests, setup_mb, teardown);
	rc |= cmocka_run_group_tests_name("esp cryptodev aesni_mb", tests, setup_dev, teardown);
	crypto_test_eal_fini();
	return rc;
}
