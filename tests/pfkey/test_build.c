/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_build.c: the builder (pfk_build.c), byte by byte: layout, padding,
 * capacities, sticky errors, error replies, key-free copies.  The round
 * trips of whole messages are in test_roundtrip.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "dpsec/pfkey.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DIRTY 0xaa  /* what a buffer holds before a build */
#define CANARY 0xcc /* what lies past the capacity */

/* 8-byte aligned scratch buffers. */
static union {
	uint64_t align;
	uint8_t b[4096];
} g_buf, g_buf2, g_buf3;

static uint16_t rd16(const uint8_t *p, size_t off)
{
	uint16_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t rd32(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static void assert_zero(const uint8_t *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (p[i] != 0)
			fail_msg("byte %zu is %#x, expected 0", i, p[i]);
}

static struct sockaddr_in sin4(const char *ip, uint16_t port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &s.sin_addr), 1);
	return s;
}

static struct sockaddr_in6 sin6(const char *ip, uint16_t port)
{
	struct sockaddr_in6 s;

	memset(&s, 0, sizeof(s));
	s.sin6_family = AF_INET6;
	s.sin6_port = htons(port);
	s.sin6_flowinfo = 0x01020304; /* proves the whole struct is copied */
	s.sin6_scope_id = 7;
	assert_int_equal(inet_pton(AF_INET6, ip, &s.sin6_addr), 1);
	return s;
}

/* The add_* helpers below assert success unless g_strict is off (when
 * they run into deliberately short buffers). */
static bool g_strict = true;
#define ADD_OK(expr)                                  \
	do {                                          \
		int rc_ = (expr);                     \
		if (g_strict)                         \
			assert_int_equal(rc_, 0);     \
	} while (0)

static const uint8_t key_bytes[64] = {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c,
	0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
	0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36,
	0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43,
	0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
};

/* ------------------------------------------------------------------------ */
/* The header.                                                               */

static void test_init_header(void **state)
{
	(void)state;
	struct pfk_builder b;
	uint8_t *p = g_buf.b;

	memset(p, DIRTY, sizeof(g_buf.b));
	pfk_build_init(&b, p, sizeof(g_buf.b), SADB_ADD, SADB_SATYPE_ESP, 0x11223344,
		       0x55667788);
	assert_int_equal(b.err, 0);
	assert_int_equal(b.len, 16);
	assert_int_equal(pfk_build_finish(&b), 16);
	assert_int_equal(p[0], PF_KEY_V2);
	assert_int_equal(p[1], SADB_ADD);
	assert_int_equal(p[2], 0);
	assert_int_equal(p[3], SADB_SATYPE_ESP);
	assert_int_equal(rd16(p, 4), 2);
	assert_int_equal(rd16(p, 6), 0);
	assert_int_equal(rd32(p, 8), 0x11223344);
	assert_int_equal(rd32(p, 12), 0x55667788);
	assert_int_equal(p[16], DIRTY);
}

static void test_init_errors(void **state)
{
	(void)state;
	struct pfk_builder b;

	pfk_build_init(&b, NULL, 64, SADB_ADD, 3, 1, 1);
	assert_int_equal(pfk_build_finish(&b), -EINVAL);
	assert_int_equal(pfk_add_pair(&b, 1), -EINVAL);
	/* Misaligned: the returned extension pointers would be misaligned. */
	pfk_build_init(&b, g_buf.b + 4, 64, SADB_ADD, 3, 1, 1);
	assert_int_equal(pfk_build_finish(&b), -EINVAL);
	for (size_t cap = 0; cap < 16; cap++) {
		memset(g_buf.b, CANARY, 32);
		pfk_build_init(&b, g_buf.b, cap, SADB_ADD, 3, 1, 1);
		assert_int_equal(pfk_build_finish(&b), -ENOSPC);
		for (size_t i = 0; i < 32; i++)
			assert_int_equal(g_buf.b[i], CANARY);
	}
}

/* ------------------------------------------------------------------------ */
/* Each append, byte by byte.                                                */

struct add_case {
	const char *name;
	uint16_t exttype;
	size_t ext_len; /* bytes, padding included */
	void (*add)(struct pfk_builder *b);
	void (*check)(const uint8_t *e);
};

static void add_sa(struct pfk_builder *b)
{
	ADD_OK(pfk_add_sa(b, htonl(0x12345678), 64, SADB_SASTATE_MATURE,
				    SADB_AALG_SHA256HMAC, SADB_EALG_AES_CBC, 0x80004001u));
}

static void check_sa(const uint8_t *e)
{
	static const uint8_t spi[4] = { 0x12, 0x34, 0x56, 0x78 };

	assert_memory_equal(e + 4, spi, 4);
	assert_int_equal(e[8], 64);
	assert_int_equal(e[9], SADB_SASTATE_MATURE);
	assert_int_equal(e[10], SADB_AALG_SHA256HMAC);
	assert_int_equal(e[11], SADB_EALG_AES_CBC);
	assert_int_equal(rd32(e, 12), 0x80004001u);
}

static void add_lifetime(struct pfk_builder *b)
{
	ADD_OK(pfk_add_lifetime(b, SADB_EXT_LIFETIME_SOFT, 0xa1a2a3a4u,
					  0x0102030405060708ull, 0x1112131415161718ull,
					  0x2122232425262728ull));
}

static void check_lifetime(const uint8_t *e)
{
	assert_int_equal(rd32(e, 4), 0xa1a2a3a4u);
	assert_int_equal(rd64(e, 8), 0x0102030405060708ull);
	assert_int_equal(rd64(e, 16), 0x1112131415161718ull);
	assert_int_equal(rd64(e, 24), 0x2122232425262728ull);
}

static void add_idle(struct pfk_builder *b)
{
	ADD_OK(pfk_add_lifetime(b, SADB_X_EXT_LIFETIME_IDLE, 0, 0, 30, 60));
}

static void check_idle(const uint8_t *e)
{
	assert_zero(e, 4, 16);
	assert_int_equal(rd64(e, 16), 30);
	assert_int_equal(rd64(e, 24), 60);
}

static void add_addr4(struct pfk_builder *b)
{
	struct sockaddr_in s = sin4("192.0.2.1", 4500);

	ADD_OK(pfk_add_address(b, SADB_EXT_ADDRESS_SRC, (struct sockaddr *)&s,
					 IPPROTO_UDP, 32));
}

static void check_addr4(const uint8_t *e)
{
	struct sockaddr_in s = sin4("192.0.2.1", 4500);

	assert_int_equal(e[4], IPPROTO_UDP);
	assert_int_equal(e[5], 32);
	assert_int_equal(rd16(e, 6), 0);
	assert_memory_equal(e + 8, &s, sizeof(s)); /* 8 + 16 = 24: no padding */
}

static void add_addr6(struct pfk_builder *b)
{
	struct sockaddr_in6 s = sin6("2001:db8::1", 500);

	ADD_OK(pfk_add_address(b, SADB_X_EXT_ADDRESS_INNER_DST,
					 (struct sockaddr *)&s, 0, 64));
}

static void check_addr6(const uint8_t *e)
{
	struct sockaddr_in6 s = sin6("2001:db8::1", 500);

	assert_int_equal(e[4], 0);
	assert_int_equal(e[5], 64);
	assert_int_equal(rd16(e, 6), 0);
	assert_memory_equal(e + 8, &s, sizeof(s));
	assert_zero(e, 36, 40);
}

static void add_key160(struct pfk_builder *b)
{
	ADD_OK(pfk_add_key(b, SADB_EXT_KEY_AUTH, key_bytes, 160, 0));
}

static void check_key160(const uint8_t *e)
{
	assert_int_equal(rd16(e, 4), 160);
	assert_int_equal(rd16(e, 6), 0);
	assert_memory_equal(e + 8, key_bytes, 20);
	assert_zero(e, 28, 32);
}

/* 13 bits: two bytes, ceil(13 / 8). */
static void add_key13(struct pfk_builder *b)
{
	ADD_OK(pfk_add_key(b, SADB_EXT_KEY_ENCRYPT, key_bytes, 13, 5));
}

static void check_key13(const uint8_t *e)
{
	assert_int_equal(rd16(e, 4), 13);
	assert_int_equal(rd16(e, 6), 5);
	assert_memory_equal(e + 8, key_bytes, 2);
	assert_zero(e, 10, 16);
}

/* AES-256-GCM with its salt: 288 bits, 36 bytes. */
static void add_key288(struct pfk_builder *b)
{
	ADD_OK(pfk_add_key(b, SADB_EXT_KEY_ENCRYPT, key_bytes, 288, 32));
}

static void check_key288(const uint8_t *e)
{
	assert_int_equal(rd16(e, 4), 288);
	assert_int_equal(rd16(e, 6), 32);
	assert_memory_equal(e + 8, key_bytes, 36);
	assert_zero(e, 44, 48);
}

static void add_key0(struct pfk_builder *b)
{
	ADD_OK(pfk_add_key(b, SADB_EXT_KEY_ENCRYPT, NULL, 0, 0));
}

static void check_key0(const uint8_t *e)
{
	assert_zero(e, 4, 8);
}

static void add_ident(struct pfk_builder *b)
{
	ADD_OK(pfk_add_identity(b, SADB_EXT_IDENTITY_DST, SADB_IDENTTYPE_FQDN,
					  "gw.example"));
}

static void check_ident(const uint8_t *e)
{
	assert_int_equal(rd16(e, 4), SADB_IDENTTYPE_FQDN);
	assert_int_equal(rd16(e, 6), 0);
	assert_int_equal(rd64(e, 8), 0);
	assert_memory_equal(e + 16, "gw.example", 11); /* with its NUL */
	assert_zero(e, 27, 32);
}

/* Seven characters and the NUL fill the 8 bytes exactly. */
static void add_ident8(struct pfk_builder *b)
{
	ADD_OK(pfk_add_identity(b, SADB_EXT_IDENTITY_SRC, SADB_IDENTTYPE_PREFIX,
					  "1.2.3.4"));
}

static void check_ident8(const uint8_t *e)
{
	assert_int_equal(rd16(e, 4), SADB_IDENTTYPE_PREFIX);
	assert_memory_equal(e + 16, "1.2.3.4", 8);
}

static void add_spirange(struct pfk_builder *b)
{
	ADD_OK(pfk_add_spirange(b, htonl(0x100), htonl(0xffffffffu)));
}

static void check_spirange(const uint8_t *e)
{
	static const uint8_t want[8] = { 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xff };

	assert_memory_equal(e + 4, want, 8);
	assert_zero(e, 12, 16);
}

static void add_pair(struct pfk_builder *b)
{
	ADD_OK(pfk_add_pair(b, htonl(0xdeadbeefu)));
}

static void check_pair(const uint8_t *e)
{
	static const uint8_t want[4] = { 0xde, 0xad, 0xbe, 0xef };

	assert_memory_equal(e + 4, want, 4);
}

static void add_replay_value(struct pfk_builder *b)
{
	ADD_OK(pfk_add_replay_value(b, 0x00000005fffffff0ull));
}

static void check_replay_value(const uint8_t *e)
{
	assert_int_equal(rd32(e, 4), 0xfffffff0u);
	assert_int_equal(rd64(e, 8), 0x00000005fffffff0ull);
}

static void add_edump(struct pfk_builder *b)
{
	ADD_OK(pfk_add_edump(b, 3600));
}

static void check_edump(const uint8_t *e)
{
	assert_int_equal(rd32(e, 4), 0);
	assert_int_equal(rd64(e, 8), 3600);
}

static void add_kmc(struct pfk_builder *b)
{
	ADD_OK(pfk_add_kmc(b, SADB_X_KMP_IKE, 0x0102030405060708ull));
}

static void check_kmc(const uint8_t *e)
{
	assert_int_equal(rd32(e, 4), SADB_X_KMP_IKE);
	assert_int_equal(rd64(e, 8), 0x0102030405060708ull);
}

static void add_ereg2(struct pfk_builder *b)
{
	static const uint8_t t[] = { SADB_SATYPE_AH, SADB_SATYPE_ESP };

	ADD_OK(pfk_add_ereg(b, t, COUNT(t)));
}

static void check_ereg2(const uint8_t *e)
{
	assert_int_equal(e[4], SADB_SATYPE_AH);
	assert_int_equal(e[5], SADB_SATYPE_ESP);
	assert_zero(e, 6, 8); /* terminator and padding */
}

/* Four SA types and the terminator need a second word. */
static void add_ereg4(struct pfk_builder *b)
{
	static const uint8_t t[] = { 2, 3, 2, 3 };

	ADD_OK(pfk_add_ereg(b, t, COUNT(t)));
}

static void check_ereg4(const uint8_t *e)
{
	static const uint8_t want[] = { 2, 3, 2, 3 };

	assert_memory_equal(e + 4, want, 4);
	assert_zero(e, 8, 16);
}

static void add_ereg0(struct pfk_builder *b)
{
	ADD_OK(pfk_add_ereg(b, NULL, 0));
}

static void check_ereg0(const uint8_t *e)
{
	assert_zero(e, 4, 8);
}

static void add_replay_window(struct pfk_builder *b)
{
	ADD_OK(pfk_add_replay_window(b, 4096, SADB_X_DPSEC_RW_ESN));
}

static void check_replay_window(const uint8_t *e)
{
	assert_int_equal(rd32(e, 4), 4096);
	assert_int_equal(rd32(e, 8), SADB_X_DPSEC_RW_ESN);
	assert_int_equal(rd32(e, 12), 0);
}

static void add_seq_lease(struct pfk_builder *b)
{
	ADD_OK(pfk_add_seq_lease(b, 0x100000000ull));
}

static void check_seq_lease(const uint8_t *e)
{
	assert_int_equal(rd32(e, 4), 0);
	assert_int_equal(rd64(e, 8), 0x100000000ull);
}

static const struct sadb_alg supported_algs[2] = {
	{ .sadb_alg_id = 12, .sadb_alg_ivlen = 128, .sadb_alg_minbits = 128,
	  .sadb_alg_maxbits = 256, .sadb_x_alg_increment = 64 },
	{ .sadb_alg_id = 20, .sadb_alg_ivlen = 64, .sadb_alg_minbits = 128,
	  .sadb_alg_maxbits = 256, .sadb_x_alg_increment = 64, .sadb_x_alg_saltbits = 32 },
};

static void add_supported(struct pfk_builder *b)
{
	ADD_OK(pfk_add_supported(b, SADB_EXT_SUPPORTED_ENCRYPT, supported_algs, 2));
}

static void check_supported(const uint8_t *e)
{
	assert_int_equal(rd32(e, 4), 0);
	assert_memory_equal(e + 8, supported_algs, sizeof(supported_algs));
	assert_int_equal(e[8], 12);
	assert_int_equal(e[16], 20);
	assert_int_equal(e[23], 32);
}

static const struct sadb_comb comb = {
	.sadb_comb_auth = SADB_AALG_SHA256HMAC, .sadb_comb_encrypt = SADB_EALG_AES,
	.sadb_comb_auth_minbits = 256, .sadb_comb_auth_maxbits = 256,
	.sadb_comb_encrypt_minbits = 128, .sadb_comb_encrypt_maxbits = 256,
	.sadb_comb_soft_addtime = 3000, .sadb_comb_hard_addtime = 3600,
};

static void add_proposal(struct pfk_builder *b)
{
	ADD_OK(pfk_add_proposal(b, 32, &comb, 1));
}

static void check_proposal(const uint8_t *e)
{
	assert_int_equal(e[4], 32);
	assert_int_equal(e[5], 0);
	assert_int_equal(rd16(e, 6), 0);
	assert_memory_equal(e + 8, &comb, sizeof(comb));
}

static void add_policy(struct pfk_builder *b)
{
	struct sadb_x_dpsec_policy p = {
		/* The caller's header is ignored. */
		.sadb_x_pol_len = 99, .sadb_x_pol_exttype = 1,
		.sadb_x_pol_index = 7, .sadb_x_pol_priority = 100,
		.sadb_x_pol_dir = SADB_X_DPSEC_DIR_OUT,
		.sadb_x_pol_action = SADB_X_DPSEC_ACTION_IPSEC,
		.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TUNNEL,
		.sadb_x_pol_flags = SADB_X_DPSEC_POLF_UNIQUE,
	};
	ADD_OK(pfk_add_policy(b, &p));
}

static void check_policy(const uint8_t *e)
{
	assert_int_equal(rd32(e, 4), 7);
	assert_int_equal(rd32(e, 8), 100);
	assert_int_equal(e[12], SADB_X_DPSEC_DIR_OUT);
	assert_int_equal(e[13], SADB_X_DPSEC_ACTION_IPSEC);
	assert_int_equal(e[14], SADB_X_DPSEC_MODE_TUNNEL);
	assert_int_equal(e[15], SADB_X_DPSEC_POLF_UNIQUE);
}

static void add_selector(struct pfk_builder *b)
{
	struct sadb_x_dpsec_selector s = {
		.sadb_x_sel_family = AF_INET, .sadb_x_sel_proto = IPPROTO_TCP,
		.sadb_x_sel_src_prefixlen = 24, .sadb_x_sel_dst_prefixlen = 16,
		.sadb_x_sel_sport_min = 1024, .sadb_x_sel_sport_max = 65535,
		.sadb_x_sel_dport_min = 443, .sadb_x_sel_dport_max = 443,
		.sadb_x_sel_icmp_type_min = 0, .sadb_x_sel_icmp_type_max = 255,
		.sadb_x_sel_icmp_code_min = 0, .sadb_x_sel_icmp_code_max = 255,
		.sadb_x_sel_src = { 10, 1, 2, 0 }, .sadb_x_sel_dst = { 10, 9, 0, 0 },
	};
	ADD_OK(pfk_add_selector(b, SADB_X_EXT_DPSEC_INNER_SELECTOR, &s));
}

static void check_selector(const uint8_t *e)
{
	static const uint8_t src[16] = { 10, 1, 2, 0 }, dst[16] = { 10, 9, 0, 0 };

	assert_int_equal(e[4], AF_INET);
	assert_int_equal(e[5], IPPROTO_TCP);
	assert_int_equal(e[6], 24);
	assert_int_equal(e[7], 16);
	assert_int_equal(rd16(e, 8), 1024);
	assert_int_equal(rd16(e, 10), 65535);
	assert_int_equal(rd16(e, 12), 443);
	assert_int_equal(rd16(e, 14), 443);
	assert_int_equal(e[16], 0);
	assert_int_equal(e[17], 255);
	assert_int_equal(e[18], 0);
	assert_int_equal(e[19], 255);
	assert_int_equal(rd32(e, 20), 0);
	assert_memory_equal(e + 24, src, 16);
	assert_memory_equal(e + 40, dst, 16);
}

static void add_sareq(struct pfk_builder *b)
{
	struct sadb_x_dpsec_sareq r = {
		.sadb_x_req_satype = SADB_SATYPE_ESP,
		.sadb_x_req_auth = SADB_X_DPSEC_ALG_ANY,
		.sadb_x_req_encrypt = SADB_EALG_AES_GCM_16,
		.sadb_x_req_auth_minbits = 1, .sadb_x_req_auth_maxbits = 2,
		.sadb_x_req_encrypt_minbits = 128, .sadb_x_req_encrypt_maxbits = 256,
	};
	ADD_OK(pfk_add_sareq(b, &r));
}

static void check_sareq(const uint8_t *e)
{
	assert_int_equal(e[4], SADB_SATYPE_ESP);
	assert_int_equal(e[5], SADB_X_DPSEC_ALG_ANY);
	assert_int_equal(e[6], SADB_EALG_AES_GCM_16);
	assert_int_equal(e[7], 0);
	assert_int_equal(rd16(e, 8), 1);
	assert_int_equal(rd16(e, 10), 2);
	assert_int_equal(rd16(e, 12), 128);
	assert_int_equal(rd16(e, 14), 256);
}

/* pfk_add_ext: a 5-byte body, padded to 16 bytes. */
static void add_raw(struct pfk_builder *b)
{
	void *e = pfk_add_ext(b, SADB_X_EXT_EPROP, "\x01\x02\x03\x04\x05", 5);

	if (g_strict)
		assert_non_null(e);
}

static void check_raw(const uint8_t *e)
{
	static const uint8_t want[5] = { 1, 2, 3, 4, 5 };

	assert_memory_equal(e + 4, want, 5);
	assert_zero(e, 9, 16);
}

/* pfk_add_ext with no body: reserved and zeroed for the caller. */
static void add_raw_null(struct pfk_builder *b)
{
	uint8_t *e = pfk_add_ext(b, SADB_EXT_SENSITIVITY, NULL, 12);

	if (e == NULL && !g_strict)
		return;
	assert_non_null(e);
	assert_ptr_equal(e, b->buf + b->len - 16); /* the extension just added */
	e[4] = 0x42; /* patched through the returned pointer */
}

static void check_raw_null(const uint8_t *e)
{
	assert_int_equal(e[4], 0x42);
	assert_zero(e, 5, 16);
}

static const struct add_case add_cases[] = {
	{ "sa", SADB_EXT_SA, 16, add_sa, check_sa },
	{ "lifetime", SADB_EXT_LIFETIME_SOFT, 32, add_lifetime, check_lifetime },
	{ "idle", SADB_X_EXT_LIFETIME_IDLE, 32, add_idle, check_idle },
	{ "address4", SADB_EXT_ADDRESS_SRC, 24, add_addr4, check_addr4 },
	{ "address6", SADB_X_EXT_ADDRESS_INNER_DST, 40, add_addr6, check_addr6 },
	{ "key160", SADB_EXT_KEY_AUTH, 32, add_key160, check_key160 },
	{ "key13", SADB_EXT_KEY_ENCRYPT, 16, add_key13, check_key13 },
	{ "key288", SADB_EXT_KEY_ENCRYPT, 48, add_key288, check_key288 },
	{ "key0", SADB_EXT_KEY_ENCRYPT, 8, add_key0, check_key0 },
	{ "identity", SADB_EXT_IDENTITY_DST, 32, add_ident, check_ident },
	{ "identity8", SADB_EXT_IDENTITY_SRC, 24, add_ident8, check_ident8 },
	{ "spirange", SADB_EXT_SPIRANGE, 16, add_spirange, check_spirange },
	{ "pair", SADB_X_EXT_PAIR, 8, add_pair, check_pair },
	{ "replay_value", SADB_X_EXT_REPLAY_VALUE, 16, add_replay_value, check_replay_value },
	{ "edump", SADB_X_EXT_EDUMP, 16, add_edump, check_edump },
	{ "kmc", SADB_X_EXT_KM_COOKIE, 16, add_kmc, check_kmc },
	{ "ereg2", SADB_X_EXT_EREG, 8, add_ereg2, check_ereg2 },
	{ "ereg4", SADB_X_EXT_EREG, 16, add_ereg4, check_ereg4 },
	{ "ereg0", SADB_X_EXT_EREG, 8, add_ereg0, check_ereg0 },
	{ "replay_window", SADB_X_EXT_DPSEC_REPLAY_WINDOW, 16, add_replay_window,
	  check_replay_window },
	{ "seq_lease", SADB_X_EXT_DPSEC_SEQ_LEASE, 16, add_seq_lease, check_seq_lease },
	{ "supported", SADB_EXT_SUPPORTED_ENCRYPT, 24, add_supported, check_supported },
	{ "proposal", SADB_EXT_PROPOSAL, 80, add_proposal, check_proposal },
	{ "policy", SADB_X_EXT_DPSEC_POLICY, 16, add_policy, check_policy },
	{ "selector", SADB_X_EXT_DPSEC_INNER_SELECTOR, 56, add_selector, check_selector },
	{ "sareq", SADB_X_EXT_DPSEC_SAREQ, 16, add_sareq, check_sareq },
	{ "raw", SADB_X_EXT_EPROP, 16, add_raw, check_raw },
	{ "raw_null", SADB_EXT_SENSITIVITY, 16, add_raw_null, check_raw_null },
};

static void test_each_add(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(add_cases); i++) {
		const struct add_case *c = &add_cases[i];
		struct pfk_builder b;
		uint8_t *p = g_buf.b;
		const uint8_t *e = p + 16;

		print_message("%s\n", c->name);
		memset(p, DIRTY, sizeof(g_buf.b));
		pfk_build_init(&b, p, sizeof(g_buf.b), SADB_GET, SADB_SATYPE_ESP, 1, 2);
		c->add(&b);
		assert_int_equal(pfk_build_finish(&b), (int)(16 + c->ext_len));
		assert_int_equal(rd16(p, 4), (16 + c->ext_len) / 8);
		assert_int_equal(rd16(e, 0), c->ext_len / 8);
		assert_int_equal(rd16(e, 2), c->exttype);
		c->check(e);
		/* Nothing written past the message. */
		for (size_t j = 16 + c->ext_len; j < 16 + c->ext_len + 64; j++)
			assert_int_equal(p[j], DIRTY);
	}
}

/* Two appends in a row: the second starts right after the first's padding. */
static void test_appends_chain(void **state)
{
	(void)state;
	struct pfk_builder b;
	uint8_t *p = g_buf.b;
	size_t off = 16;

	memset(p, DIRTY, sizeof(g_buf.b));
	pfk_build_init(&b, p, sizeof(g_buf.b), SADB_GET, SADB_SATYPE_ESP, 1, 2);
	for (size_t i = 0; i < COUNT(add_cases); i++)
		add_cases[i].add(&b);
	assert_int_equal(pfk_build_finish(&b), (int)b.len);
	for (size_t i = 0; i < COUNT(add_cases); i++) {
		assert_int_equal(rd16(p, off + 2), add_cases[i].exttype);
		assert_int_equal(rd16(p, off), add_cases[i].ext_len / 8);
		add_cases[i].check(p + off);
		off += add_cases[i].ext_len;
	}
	assert_int_equal(off, b.len);
	assert_int_equal(rd16(p, 4), off / 8);
}

/* ------------------------------------------------------------------------ */
/* Impossible input: -EINVAL, sticky.                                        */

static void test_invalid_input(void **state)
{
	(void)state;
	struct pfk_builder b;
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct sockaddr_in s4 = sin4("192.0.2.1", 0);
	struct sadb_alg alg = { 0 };
	struct sadb_x_dpsec_selector sel = { 0 };
	static const struct {
		const char *name;
		int which;
	} cases[] = {
		{ "address of family AF_UNIX", 0 },
		{ "address NULL", 1 },
		{ "address in a key slot", 2 },
		{ "lifetime with a non-lifetime type", 3 },
		{ "key with NULL bytes", 4 },
		{ "key with a wrong type", 5 },
		{ "identity NULL", 6 },
		{ "identity with a wrong type", 7 },
		{ "ereg NULL with n", 8 },
		{ "supported with a wrong type", 9 },
		{ "supported NULL with n", 10 },
		{ "proposal NULL with n", 11 },
		{ "policy NULL", 12 },
		{ "selector with a wrong type", 13 },
		{ "sareq NULL", 14 },
		{ "ext body above PFK_MSG_MAX", 15 },
		{ "supported array above PFK_MSG_MAX", 16 },
		{ "ext body whose words overflow the u16 length", 17 },
	};

	for (size_t i = 0; i < COUNT(cases); i++) {
		int rc = 0;

		print_message("%s\n", cases[i].name);
		memset(g_buf.b, DIRTY, sizeof(g_buf.b));
		pfk_build_init(&b, g_buf.b, sizeof(g_buf.b), SADB_ADD, 3, 1, 1);
		switch (cases[i].which) {
		case 0:
			rc = pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, (struct sockaddr *)&un,
					     0, 0);
			break;
		case 1:
			rc = pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, NULL, 0, 0);
			break;
		case 2:
			rc = pfk_add_address(&b, SADB_EXT_KEY_AUTH, (struct sockaddr *)&s4, 0, 0);
			break;
		case 3:
			rc = pfk_add_lifetime(&b, SADB_EXT_SA, 0, 0, 0, 0);
			break;
		case 4:
			rc = pfk_add_key(&b, SADB_EXT_KEY_AUTH, NULL, 128, 0);
			break;
		case 5:
			rc = pfk_add_key(&b, SADB_EXT_SA, key_bytes, 128, 0);
			break;
		case 6:
			rc = pfk_add_identity(&b, SADB_EXT_IDENTITY_SRC, 1, NULL);
			break;
		case 7:
			rc = pfk_add_identity(&b, SADB_EXT_ADDRESS_SRC, 1, "x");
			break;
		case 8:
			rc = pfk_add_ereg(&b, NULL, 2);
			break;
		case 9:
			rc = pfk_add_supported(&b, SADB_EXT_PROPOSAL, &alg, 1);
			break;
		case 10:
			rc = pfk_add_supported(&b, SADB_EXT_SUPPORTED_AUTH, NULL, 1);
			break;
		case 11:
			rc = pfk_add_proposal(&b, 0, NULL, 1);
			break;
		case 12:
			rc = pfk_add_policy(&b, NULL);
			break;
		case 13:
			rc = pfk_add_selector(&b, SADB_X_EXT_DPSEC_POLICY, &sel);
			break;
		case 14:
			rc = pfk_add_sareq(&b, NULL);
			break;
		case 15:
			rc = pfk_add_ext(&b, SADB_EXT_SENSITIVITY, NULL, PFK_MSG_MAX + 1) ? 0
											 : b.err;
			break;
		case 16:
			rc = pfk_add_supported(&b, SADB_EXT_SUPPORTED_AUTH, &alg,
					       SIZE_MAX / 4);
			break;
		case 17:
			rc = pfk_add_ext(&b, SADB_EXT_SENSITIVITY, NULL, PFK_MSG_MAX - 4) ? 0
											 : b.err;
			break;
		}
		assert_int_equal(rc, -EINVAL);
		/* Sticky: a later valid append does nothing, finish reports it. */
		assert_int_equal(pfk_add_pair(&b, 1), -EINVAL);
		assert_null(pfk_add_ext(&b, SADB_X_EXT_PAIR, "abcd", 4));
		assert_int_equal(pfk_build_finish(&b), -EINVAL);
		assert_int_equal(b.len, 16);
		assert_int_equal(g_buf.b[16], DIRTY);
	}
}

/* A message can never grow past PFK_MSG_MAX, even into a larger buffer:
 * that is -EINVAL (impossible), not -ENOSPC. */
static void test_message_max(void **state)
{
	(void)state;
	size_t cap = PFK_MSG_MAX + 4096;
	uint8_t *p = malloc(cap);
	struct pfk_builder b;
	size_t body = 65535 * 8 / 2; /* two of these do not fit in one message */

	assert_non_null(p);
	pfk_build_init(&b, p, cap, SADB_X_PROMISC, 0, 0, 0);
	assert_non_null(pfk_add_ext(&b, SADB_EXT_SENSITIVITY, NULL, body - 4));
	assert_null(pfk_add_ext(&b, SADB_EXT_SENSITIVITY, NULL, body - 4));
	assert_int_equal(b.err, -EINVAL);
	assert_int_equal(pfk_build_finish(&b), -EINVAL);
	/* Exactly PFK_MSG_MAX is fine. */
	pfk_build_init(&b, p, cap, SADB_X_PROMISC, 0, 0, 0);
	assert_non_null(pfk_add_ext(&b, SADB_EXT_SENSITIVITY, NULL, PFK_MSG_MAX - 16 - 4));
	assert_int_equal(pfk_build_finish(&b), (int)PFK_MSG_MAX);
	assert_int_equal(rd16(p, 4), 65535);
	assert_int_equal(rd16(p, 16), 65533);
	free(p);
}

/* ------------------------------------------------------------------------ */
/* Short buffers: every capacity below the full size gives -ENOSPC and     */
/* writes nothing at or after cap.                                          */

static int build_everything(void *buf, size_t cap)
{
	struct pfk_builder b;

	pfk_build_init(&b, buf, cap, SADB_GET, SADB_SATYPE_ESP, 9, 10);
	g_strict = false;
	for (size_t i = 0; i < COUNT(add_cases); i++)
		add_cases[i].add(&b);
	g_strict = true;
	return pfk_build_finish(&b);
}

static void test_every_capacity(void **state)
{
	(void)state;
	int full = build_everything(g_buf2.b, sizeof(g_buf2.b));

	assert_true(full > 16);
	for (size_t cap = 0; cap <= (size_t)full; cap++) {
		/* An exact-size heap block lets ASan see any overflow too. */
		uint8_t *exact = malloc(cap ? cap : 1);
		int rc;

		assert_non_null(exact);
		memset(g_buf.b, CANARY, sizeof(g_buf.b));
		rc = build_everything(g_buf.b, cap);
		if (cap < (size_t)full) {
			assert_int_equal(rc, -ENOSPC);
		} else {
			assert_int_equal(rc, full);
			assert_memory_equal(g_buf.b, g_buf2.b, (size_t)full);
		}
		for (size_t j = cap; j < sizeof(g_buf.b); j++)
			if (g_buf.b[j] != CANARY)
				fail_msg("cap %zu: byte %zu written", cap, j);
		assert_int_equal(build_everything(exact, cap), rc);
		free(exact);
	}
}

/* Sticky -ENOSPC: a small append after a failed big one is not written
 * even though it would fit. */
static void test_enospc_sticky(void **state)
{
	(void)state;
	struct pfk_builder b;

	memset(g_buf.b, CANARY, 64);
	pfk_build_init(&b, g_buf.b, 24, SADB_GET, 3, 1, 1);
	assert_int_equal(pfk_add_sa(&b, 1, 0, 0, 0, 0, 0), -ENOSPC);
	assert_int_equal(pfk_add_pair(&b, 1), -ENOSPC);
	assert_null(pfk_add_ext(&b, SADB_X_EXT_PAIR, "abcd", 4));
	assert_int_equal(b.len, 16);
	assert_int_equal(pfk_build_finish(&b), -ENOSPC);
	for (size_t j = 16; j < 64; j++)
		assert_int_equal(g_buf.b[j], CANARY);
	/* The same pair alone fits. */
	pfk_build_init(&b, g_buf.b, 24, SADB_GET, 3, 1, 1);
	ADD_OK(pfk_add_pair(&b, 1));
	assert_int_equal(pfk_build_finish(&b), 24);
}

/* ------------------------------------------------------------------------ */
/* Error replies, key-free copies, wiping.                                   */

static void test_build_error(void **state)
{
	(void)state;
	struct pfk_builder b;
	uint8_t req_copy[64];
	int len;

	pfk_build_init(&b, g_buf.b, sizeof(g_buf.b), SADB_ADD, SADB_SATYPE_AH, 0xabcdef01,
		       4242);
	add_sa(&b);
	add_key160(&b);
	len = pfk_build_finish(&b);
	assert_int_equal(len, 64);
	memcpy(req_copy, g_buf.b, 64);

	static const int errs[] = { EINVAL, -EINVAL, ENOENT, -EEXIST, 255 };
	for (size_t i = 0; i < COUNT(errs); i++) {
		const uint8_t *o = g_buf2.b;
		int want = errs[i] < 0 ? -errs[i] : errs[i];

		memset(g_buf2.b, DIRTY, 64);
		assert_int_equal(pfk_build_error((const struct sadb_msg *)(void *)g_buf.b,
						 errs[i], SADB_X_DIAGNOSTIC_BAD_AKEYBITS,
						 g_buf2.b, 16), 16);
		assert_int_equal(o[0], PF_KEY_V2);
		assert_int_equal(o[1], SADB_ADD);
		assert_int_equal(o[2], want);
		assert_int_equal(o[3], SADB_SATYPE_AH);
		assert_int_equal(rd16(o, 4), 2);
		assert_int_equal(rd16(o, 6), SADB_X_DIAGNOSTIC_BAD_AKEYBITS);
		assert_int_equal(rd32(o, 8), 0xabcdef01);
		assert_int_equal(rd32(o, 12), 4242);
		assert_int_equal(o[16], DIRTY);
	}
	/* The request is untouched. */
	assert_memory_equal(g_buf.b, req_copy, 64);
	/* A request in another PF_KEY version still gets a version 2 reply,
	 * which the client can parse to learn what was wrong. */
	g_buf.b[0] = 1;
	assert_int_equal(pfk_build_error((const struct sadb_msg *)(void *)g_buf.b, EINVAL,
					 SADB_X_DIAGNOSTIC_DPSEC_BAD_VERSION, g_buf2.b, 16), 16);
	assert_int_equal(g_buf2.b[0], PF_KEY_V2);
	g_buf.b[0] = PF_KEY_V2;
	memset(g_buf2.b, CANARY, 32);
	assert_int_equal(pfk_build_error((const struct sadb_msg *)(void *)g_buf.b, EINVAL, 0,
					 g_buf2.b, 15), -ENOSPC);
	for (size_t j = 0; j < 32; j++)
		assert_int_equal(g_buf2.b[j], CANARY);
	assert_int_equal(pfk_build_error((const struct sadb_msg *)(void *)g_buf.b, 0, 0,
					 g_buf2.b, 16), -EINVAL);
	assert_int_equal(pfk_build_error((const struct sadb_msg *)(void *)g_buf.b, 256, 0,
					 g_buf2.b, 16), -EINVAL);
	assert_int_equal(pfk_build_error(NULL, EINVAL, 0, g_buf2.b, 16), -EINVAL);
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k)
{
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

/* An ADD with both keys, and the same ADD built without them. */
static int build_add(void *buf, size_t cap, bool keys)
{
	struct pfk_builder b;
	struct sockaddr_in s = sin4("192.0.2.1", 0), d = sin4("198.51.100.2", 0);

	pfk_build_init(&b, buf, cap, SADB_ADD, SADB_SATYPE_ESP, 77, 88);
	pfk_add_sa(&b, htonl(0x1000), 32, SADB_SASTATE_MATURE, SADB_AALG_SHA1HMAC,
		   SADB_EALG_AES, 0);
	pfk_add_lifetime(&b, SADB_EXT_LIFETIME_HARD, 0, 0, 3600, 0);
	if (keys)
		pfk_add_key(&b, SADB_EXT_KEY_AUTH, key_bytes, 160, 0);
	pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, (struct sockaddr *)&s, 0, 0);
	if (keys)
		pfk_add_key(&b, SADB_EXT_KEY_ENCRYPT, key_bytes + 20, 256, 0);
	pfk_add_address(&b, SADB_EXT_ADDRESS_DST, (struct sockaddr *)&d, 0, 0);
	pfk_add_replay_value(&b, 5);
	return pfk_build_finish(&b);
}

static void test_copy_without_keys(void **state)
{
	(void)state;
	struct pfk_msg m;
	uint16_t diag = 0xffff;
	uint8_t before[512];
	int len = build_add(g_buf.b, sizeof(g_buf.b), true);
	int want = build_add(g_buf3.b, sizeof(g_buf3.b), false);

	assert_true(len > want && want > 16);
	assert_int_equal(pfk_parse(g_buf.b, (size_t)len, &m, &diag), 0);
	memcpy(before, g_buf.b, (size_t)len);

	memset(g_buf2.b, DIRTY, sizeof(g_buf2.b));
	assert_int_equal(pfk_copy_without_keys(&m, g_buf2.b, sizeof(g_buf2.b)), want);
	assert_memory_equal(g_buf2.b, g_buf3.b, (size_t)want);
	assert_int_equal(rd16(g_buf2.b, 4), want / 8);
	assert_int_equal(g_buf2.b[want], DIRTY);
	assert_false(contains(g_buf2.b, (size_t)want, key_bytes, 8));
	assert_false(contains(g_buf2.b, (size_t)want, key_bytes + 20, 8));
	/* The source, keys included, is as it was. */
	assert_memory_equal(g_buf.b, before, (size_t)len);

	/* Exactly enough room works; one byte less writes nothing. */
	assert_int_equal(pfk_copy_without_keys(&m, g_buf2.b, (size_t)want), want);
	for (size_t cap = 0; cap < (size_t)want; cap++) {
		memset(g_buf2.b, CANARY, sizeof(g_buf2.b));
		assert_int_equal(pfk_copy_without_keys(&m, g_buf2.b, cap), -ENOSPC);
		for (size_t j = 0; j < (size_t)len; j++)
			assert_int_equal(g_buf2.b[j], CANARY);
	}

	/* A message without keys copies unchanged. */
	assert_int_equal(pfk_parse(g_buf3.b, (size_t)want, &m, &diag), 0);
	assert_int_equal(pfk_copy_without_keys(&m, g_buf2.b, sizeof(g_buf2.b)), want);
	assert_memory_equal(g_buf2.b, g_buf3.b, (size_t)want);

	/* Bare header. */
	struct pfk_builder b;
	pfk_build_init(&b, g_buf3.b, 16, SADB_FLUSH, 0, 1, 2);
	assert_int_equal(pfk_build_finish(&b), 16);
	assert_int_equal(pfk_parse(g_buf3.b, 16, &m, &diag), 0);
	assert_int_equal(pfk_copy_without_keys(&m, g_buf2.b, 16), 16);
	assert_memory_equal(g_buf2.b, g_buf3.b, 16);

	assert_int_equal(pfk_copy_without_keys(NULL, g_buf2.b, 16), -EINVAL);
	assert_int_equal(pfk_copy_without_keys(&m, NULL, 16), -EINVAL);
}

static void test_wipe(void **state)
{
	(void)state;
	uint8_t k[37];

	memset(k, 0x5a, sizeof(k));
	pfk_wipe(k + 1, 35);
	assert_int_equal(k[0], 0x5a);
	assert_zero(k, 1, 36);
	assert_int_equal(k[36], 0x5a);
	pfk_wipe(NULL, 10); /* no-op */
	pfk_wipe(k, 0);
	assert_int_equal(k[0], 0x5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_header),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_each_add),
		cmocka_unit_test(test_appends_chain),
		cmocka_unit_test(test_invalid_input),
		cmocka_unit_test(test_message_max),
		cmocka_unit_test(test_every_capacity),
		cmocka_unit_test(test_enospc_sticky),
		cmocka_unit_test(test_build_error),
		cmocka_unit_test(test_copy_without_keys),
		cmocka_unit_test(test_wipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
