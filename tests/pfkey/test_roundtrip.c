/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_roundtrip.c: for every message shape of PF_KEY (the illumos shapes
 * of RFC 2367 section 3 and its extensions) and of the dpsec SPD messages:
 * build it from a spec, validate it in its direction, check the typed view
 * against the spec, rebuild it from the view alone and compare bytes
 * (build(parse(x)) == x), and check the listeners' key-free copy.
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

#include <cmocka.h>

#include "dpsec/pfkey.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DIRTY 0xaa /* what a buffer holds before a build */

/* 8-byte aligned scratch buffers. */
static union {
	uint64_t align;
	uint8_t b[4096];
} g_buf, g_buf2, g_buf3;

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
	assert_int_equal(inet_pton(AF_INET6, ip, &s.sin6_addr), 1);
	return s;
}

static const uint8_t key_bytes[64] = {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c,
	0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
	0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36,
	0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43,
	0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
};

static const struct sadb_comb comb = {
	.sadb_comb_auth = SADB_AALG_SHA256HMAC, .sadb_comb_encrypt = SADB_EALG_AES,
	.sadb_comb_auth_minbits = 256, .sadb_comb_auth_maxbits = 256,
	.sadb_comb_encrypt_minbits = 128, .sadb_comb_encrypt_maxbits = 256,
	.sadb_comb_soft_addtime = 3000, .sadb_comb_hard_addtime = 3600,
};

/* One extension of a shape.  Numbers are host order; SPIs are converted. */
struct ext_spec {
	uint16_t type;
	union {
		struct {
			uint32_t spi;
			uint8_t replay, state, auth, encrypt;
			uint32_t flags;
		} sa;
		struct {
			uint32_t alloc;
			uint64_t bytes, addtime, usetime;
		} lt;
		struct {
			const char *ip;
			uint16_t port;
			uint8_t proto, prefix;
		} addr;
		struct {
			uint16_t bits, salt;
			const uint8_t *bytes;
		} key;
		struct {
			uint16_t type;
			const char *id;
		} ident;
		struct {
			uint32_t min, max;
		} range;
		struct {
			uint8_t n, types[4];
		} ereg;
		struct {
			uint32_t proto;
			uint64_t cookie;
		} kmc;
		struct {
			uint8_t replay, n;
		} prop;
		struct {
			uint32_t window, flags;
		} rw;
		struct {
			const void *body; /* after the 4-byte header */
			size_t len;
		} raw;
		uint32_t pair;
		uint64_t value; /* REPLAY_VALUE, EDUMP, SEQ_LEASE */
		const struct sadb_x_dpsec_policy *pol;
		const struct sadb_x_dpsec_selector *sel;
		const struct sadb_x_dpsec_sareq *req;
	};
};

#define X_SA(spi_, replay_, state_, a_, e_, f_) \
	{ .type = SADB_EXT_SA, .sa = { (spi_), (replay_), (state_), (a_), (e_), (f_) } }
#define X_LT(t, al, by, ad, us) { .type = (t), .lt = { (al), (by), (ad), (us) } }
#define X_ADDR(t, ip_, port_, proto_, prefix_) \
	{ .type = (t), .addr = { (ip_), (port_), (proto_), (prefix_) } }
#define X_SRC(ip_) X_ADDR(SADB_EXT_ADDRESS_SRC, ip_, 0, 0, 0)
#define X_DST(ip_) X_ADDR(SADB_EXT_ADDRESS_DST, ip_, 0, 0, 0)
#define X_AKEY(bits_) { .type = SADB_EXT_KEY_AUTH, .key = { (bits_), 0, key_bytes } }
#define X_EKEY(bits_, salt_) \
	{ .type = SADB_EXT_KEY_ENCRYPT, .key = { (bits_), (salt_), ekey_bytes } }
#define X_IDENT(t, ty, s) { .type = (t), .ident = { (ty), (s) } }
#define X_RANGE(a, b) { .type = SADB_EXT_SPIRANGE, .range = { (a), (b) } }
#define X_PAIR(s) { .type = SADB_X_EXT_PAIR, .pair = (s) }
#define X_REPLAY(v) { .type = SADB_X_EXT_REPLAY_VALUE, .value = (v) }
#define X_EDUMP(v) { .type = SADB_X_EXT_EDUMP, .value = (v) }
#define X_LEASE(v) { .type = SADB_X_EXT_DPSEC_SEQ_LEASE, .value = (v) }
#define X_KMC(p, c) { .type = SADB_X_EXT_KM_COOKIE, .kmc = { (p), (c) } }
#define X_EREG(n_, ...) { .type = SADB_X_EXT_EREG, .ereg = { (n_), { __VA_ARGS__ } } }
#define X_SUPP(t) { .type = (t) }
#define X_PROP(r, n_) { .type = SADB_EXT_PROPOSAL, .prop = { (r), (n_) } }
#define X_EPROP() { .type = SADB_X_EXT_EPROP, \
		    .raw = { (const uint8_t *)&eprop_body + 4, sizeof(eprop_body) - 4 } }
#define X_RW(w, f) { .type = SADB_X_EXT_DPSEC_REPLAY_WINDOW, .rw = { (w), (f) } }
#define X_POLICY(p) { .type = SADB_X_EXT_DPSEC_POLICY, .pol = (p) }
#define X_SEL(s) { .type = SADB_X_EXT_DPSEC_SELECTOR, .sel = (s) }
#define X_ISEL(s) { .type = SADB_X_EXT_DPSEC_INNER_SELECTOR, .sel = (s) }
#define X_SAREQ(r) { .type = SADB_X_EXT_DPSEC_SAREQ, .req = (r) }

static const uint8_t ekey_bytes[64] = {
	0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec,
	0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
	0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6,
	0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xc0, 0xc1, 0xc2, 0xc3,
	0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
};

/* An extended proposal: one combination of AES-GCM-16 or AES-CBC with
 * HMAC-SHA256. */
static const struct {
	struct sadb_prop p;
	struct sadb_x_ecomb c;
	struct sadb_x_algdesc a[3];
} eprop_body = {
	.p = { .sadb_prop_replay = 64, .sadb_x_prop_numecombs = 1 },
	.c = { .sadb_x_ecomb_numalgs = 3, .sadb_x_ecomb_soft_addtime = 3000,
	       .sadb_x_ecomb_hard_addtime = 3600 },
	.a = {
		{ SADB_SATYPE_ESP, SADB_X_ALGTYPE_CRYPT, SADB_EALG_AES_GCM_16, 0, 128, 256 },
		{ SADB_SATYPE_ESP, SADB_X_ALGTYPE_CRYPT, SADB_EALG_AES, 0, 128, 256 },
		{ SADB_SATYPE_ESP, SADB_X_ALGTYPE_AUTH, SADB_AALG_SHA256HMAC, 0, 256, 256 },
	},
};

static const struct sadb_x_dpsec_policy pol_tunnel = {
	.sadb_x_pol_index = 0, .sadb_x_pol_priority = 100,
	.sadb_x_pol_dir = SADB_X_DPSEC_DIR_OUT, .sadb_x_pol_action = SADB_X_DPSEC_ACTION_IPSEC,
	.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TUNNEL, .sadb_x_pol_flags = SADB_X_DPSEC_POLF_UNIQUE,
};
static const struct sadb_x_dpsec_policy pol_tunnel_idx = {
	.sadb_x_pol_index = 7, .sadb_x_pol_priority = 100,
	.sadb_x_pol_dir = SADB_X_DPSEC_DIR_OUT, .sadb_x_pol_action = SADB_X_DPSEC_ACTION_IPSEC,
	.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TUNNEL, .sadb_x_pol_flags = SADB_X_DPSEC_POLF_UNIQUE,
};
static const struct sadb_x_dpsec_policy pol_transport = {
	.sadb_x_pol_priority = 200, .sadb_x_pol_dir = SADB_X_DPSEC_DIR_BOTH,
	.sadb_x_pol_action = SADB_X_DPSEC_ACTION_IPSEC,
	.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TRANSPORT,
};
static const struct sadb_x_dpsec_policy pol_bypass = {
	.sadb_x_pol_index = 1, .sadb_x_pol_priority = 1, .sadb_x_pol_dir = SADB_X_DPSEC_DIR_IN,
	.sadb_x_pol_action = SADB_X_DPSEC_ACTION_BYPASS,
};
static const struct sadb_x_dpsec_policy pol_discard = {
	.sadb_x_pol_index = 9, .sadb_x_pol_priority = 65535,
	.sadb_x_pol_dir = SADB_X_DPSEC_DIR_BOTH, .sadb_x_pol_action = SADB_X_DPSEC_ACTION_DISCARD,
};
/* SPDDELETE / SPDGET name a rule by its index. */
static const struct sadb_x_dpsec_policy pol_by_index = {
	.sadb_x_pol_index = 7, .sadb_x_pol_dir = SADB_X_DPSEC_DIR_OUT,
	.sadb_x_pol_action = SADB_X_DPSEC_ACTION_BYPASS,
};

/* Outer selector of the tunnel: the two gateways. */
static const struct sadb_x_dpsec_selector sel_outer4 = {
	.sadb_x_sel_family = AF_INET, .sadb_x_sel_src_prefixlen = 32,
	.sadb_x_sel_dst_prefixlen = 32, .sadb_x_sel_sport_max = 65535,
	.sadb_x_sel_dport_max = 65535, .sadb_x_sel_icmp_type_max = 255,
	.sadb_x_sel_icmp_code_max = 255, .sadb_x_sel_src = { 192, 0, 2, 1 },
	.sadb_x_sel_dst = { 198, 51, 100, 2 },
};
/* Inner selector: TCP from 10.1/16 to 10.2.3/24 port 443. */
static const struct sadb_x_dpsec_selector sel_inner4 = {
	.sadb_x_sel_family = AF_INET, .sadb_x_sel_proto = IPPROTO_TCP,
	.sadb_x_sel_src_prefixlen = 16, .sadb_x_sel_dst_prefixlen = 24,
	.sadb_x_sel_sport_min = 1024, .sadb_x_sel_sport_max = 65535,
	.sadb_x_sel_dport_min = 443, .sadb_x_sel_dport_max = 443,
	.sadb_x_sel_icmp_type_max = 255, .sadb_x_sel_icmp_code_max = 255,
	.sadb_x_sel_src = { 10, 1 }, .sadb_x_sel_dst = { 10, 2, 3 },
};
/* IPv6 ICMP echo requests only. */
static const struct sadb_x_dpsec_selector sel_icmp6 = {
	.sadb_x_sel_family = AF_INET6, .sadb_x_sel_proto = IPPROTO_ICMPV6,
	.sadb_x_sel_src_prefixlen = 48, .sadb_x_sel_dst_prefixlen = 64,
	.sadb_x_sel_sport_max = 65535, .sadb_x_sel_dport_max = 65535,
	.sadb_x_sel_icmp_type_min = 128, .sadb_x_sel_icmp_type_max = 128,
	.sadb_x_sel_icmp_code_max = 255,
	.sadb_x_sel_src = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 },
	.sadb_x_sel_dst = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 3 },
};
/* Any family, UDP 500 (IKE). */
static const struct sadb_x_dpsec_selector sel_ike = {
	.sadb_x_sel_proto = IPPROTO_UDP, .sadb_x_sel_sport_min = 500,
	.sadb_x_sel_sport_max = 500, .sadb_x_sel_dport_min = 500, .sadb_x_sel_dport_max = 500,
	.sadb_x_sel_icmp_type_max = 255, .sadb_x_sel_icmp_code_max = 255,
};

static const struct sadb_x_dpsec_sareq req_gcm = {
	.sadb_x_req_satype = SADB_SATYPE_ESP, .sadb_x_req_encrypt = SADB_EALG_AES_GCM_16,
	.sadb_x_req_encrypt_minbits = 128, .sadb_x_req_encrypt_maxbits = 256,
};
static const struct sadb_x_dpsec_sareq req_cbc = {
	.sadb_x_req_satype = SADB_SATYPE_ESP, .sadb_x_req_auth = SADB_AALG_SHA256HMAC,
	.sadb_x_req_encrypt = SADB_EALG_AES, .sadb_x_req_encrypt_minbits = 256,
	.sadb_x_req_encrypt_maxbits = 256,
};
static const struct sadb_x_dpsec_sareq req_ah = {
	.sadb_x_req_satype = SADB_SATYPE_AH, .sadb_x_req_auth = SADB_AALG_SHA512HMAC,
};
static const struct sadb_x_dpsec_sareq req_any = {
	.sadb_x_req_satype = SADB_SATYPE_ESP, .sadb_x_req_auth = SADB_X_DPSEC_ALG_ANY,
	.sadb_x_req_encrypt = SADB_X_DPSEC_ALG_ANY,
};

#define MAX_EXT 20

struct shape {
	const char *name;
	enum pfk_dir dir;
	uint8_t type, satype;
	uint32_t seq;
	uint8_t err;   /* nonzero: an error message (pfk_build_error) */
	uint16_t diag;
	struct ext_spec ext[MAX_EXT];
};

#define REQ PFK_DIR_REQUEST
#define REP PFK_DIR_REPLY
#define ESP SADB_SATYPE_ESP
#define AH SADB_SATYPE_AH
#define MATURE SADB_SASTATE_MATURE
#define LT_C SADB_EXT_LIFETIME_CURRENT
#define LT_H SADB_EXT_LIFETIME_HARD
#define LT_S SADB_EXT_LIFETIME_SOFT
#define LT_I SADB_X_EXT_LIFETIME_IDLE
#define ID_S SADB_EXT_IDENTITY_SRC
#define ID_D SADB_EXT_IDENTITY_DST
#define F_TUNNEL_NATT (SADB_X_SAFLAGS_TUNNEL | SADB_X_SAFLAGS_NATTED | \
		       SADB_X_SAFLAGS_NATT_LOC | SADB_X_SAFLAGS_NATT_REM | \
		       SADB_X_SAFLAGS_OUTBOUND)

static const struct shape shapes[] = {
	/* ADD and UPDATE <base, SA, (lifetime(HSI)), address(SD), (address(Is,Id)),
	 * (address(Nl,Nr)), key(AE), (identity(SD)), (pair), (replay_value)> */
	{ "ADD esp aes-cbc + hmac-sha256", REQ, SADB_ADD, ESP, 1, 0, 0, {
		X_SA(0x1000, 32, MATURE, SADB_AALG_SHA256HMAC, SADB_EALG_AES, 0),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2"), X_AKEY(256), X_EKEY(128, 0) } },
	{ "ADD esp every optional extension", REQ, SADB_ADD, ESP, 2, 0, 0, {
		X_SA(0x1001, 0, SADB_X_SASTATE_ACTIVE, 0, SADB_EALG_AES_GCM_16, F_TUNNEL_NATT),
		X_LT(LT_H, 1000000, 1ull << 40, 3600, 1800),
		X_LT(LT_S, 900000, 1ull << 39, 3000, 1500),
		X_LT(LT_I, 0, 0, 600, 300),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2"),
		X_ADDR(SADB_X_EXT_ADDRESS_INNER_SRC, "10.1.0.0", 0, IPPROTO_TCP, 16),
		X_ADDR(SADB_X_EXT_ADDRESS_INNER_DST, "10.2.3.0", 443, IPPROTO_TCP, 24),
		X_ADDR(SADB_X_EXT_ADDRESS_NATT_LOC, "10.0.0.1", 4500, IPPROTO_UDP, 0),
		X_ADDR(SADB_X_EXT_ADDRESS_NATT_REM, "203.0.113.9", 4500, IPPROTO_UDP, 0),
		X_EKEY(288, 32),
		X_IDENT(ID_S, SADB_IDENTTYPE_FQDN, "gw1.example"),
		X_IDENT(ID_D, SADB_IDENTTYPE_USER_FQDN, "peer@example.org"),
		X_KMC(SADB_X_KMP_IKE, 0x0123456789abcdefull), X_PAIR(0x2001),
		X_REPLAY(0x100000005ull), X_RW(4096, SADB_X_DPSEC_RW_ESN), X_LEASE(1u << 20) } },
	{ "ADD ah hmac-sha1 ipv6", REQ, SADB_ADD, AH, 3, 0, 0, {
		X_SA(0x1002, 64, MATURE, SADB_AALG_SHA1HMAC, 0, SADB_X_SAFLAGS_INBOUND),
		X_SRC("2001:db8::1"), X_DST("2001:db8::2"), X_AKEY(160) } },
	{ "ADD esp null + hmac-sha512", REQ, SADB_ADD, ESP, 4, 0, 0, {
		X_SA(0x1003, 32, 0, SADB_AALG_SHA512HMAC, SADB_EALG_NULL, 0),
		X_DST("198.51.100.2"), X_SRC("192.0.2.1"), X_AKEY(512) } },
	{ "ADD esp chacha20-poly1305, idle replica", REQ, SADB_ADD, ESP, 5, 0, 0, {
		X_SA(0x1004, 255, SADB_X_SASTATE_IDLE, 0, SADB_X_EALG_CHACHA20_POLY1305, 0),
		X_SRC("2001:db8::1"), X_DST("2001:db8::2"), X_EKEY(288, 32),
		X_REPLAY(77) } },
	{ "ADD reply (listener copy, no keys)", REP, SADB_ADD, ESP, 1, 0, 0, {
		X_SA(0x1000, 32, MATURE, SADB_AALG_SHA256HMAC, SADB_EALG_AES, 0),
		X_LT(LT_C, 0, 0, 1700000000, 0),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2") } },
	{ "UPDATE larval SA with keys", REQ, SADB_UPDATE, ESP, 6, 0, 0, {
		X_SA(0x1005, 32, MATURE, SADB_AALG_SHA384HMAC, SADB_X_EALG_AES_CTR, 0),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2"), X_AKEY(384), X_EKEY(160, 32) } },
	{ "UPDATE replay value and lease (cluster)", REQ, SADB_UPDATE, ESP, 7, 0, 0, {
		X_SA(0x1006, 0, SADB_X_SASTATE_ACTIVE, 0, 0, 0),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2"),
		X_REPLAY(0xfffffffffull), X_LEASE(0x1000000000ull) } },
	{ "UPDATE reply", REP, SADB_UPDATE, ESP, 7, 0, 0, {
		X_SA(0x1006, 0, SADB_X_SASTATE_ACTIVE, 0, SADB_EALG_AES_GCM_8, 0),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2"), X_REPLAY(0xfffffffffull) } },
	/* GETSPI <base, address(SD), SPI range> -> <base, SA(*), address(SD)> */
	{ "GETSPI", REQ, SADB_GETSPI, ESP, 8, 0, 0, {
		X_SRC("192.0.2.1"), X_DST("198.51.100.2"), X_RANGE(0x100, 0xffffffffu) } },
	{ "GETSPI reply (larval)", REP, SADB_GETSPI, ESP, 8, 0, 0, {
		X_SA(0x4242, 0, SADB_SASTATE_LARVAL, 0, 0, 0),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2") } },
	/* GET <base, SA(*), address(SD)> -> the SA with keys, lifetimes, replay */
	{ "GET", REQ, SADB_GET, ESP, 9, 0, 0, {
		X_SA(0x1000, 0, 0, 0, 0, 0), X_SRC("192.0.2.1"), X_DST("198.51.100.2") } },
	{ "GET by destination only", REQ, SADB_GET, AH, 9, 0, 0, {
		X_SA(0x1002, 0, 0, 0, 0, 0), X_DST("2001:db8::2") } },
	{ "GET reply", REP, SADB_GET, ESP, 9, 0, 0, {
		X_SA(0x1000, 255, MATURE, SADB_AALG_SHA256HMAC, SADB_EALG_AES,
		     SADB_X_SAFLAGS_USED),
		X_LT(LT_C, 12, 345678, 1700000000, 1700000100),
		X_LT(LT_H, 0, 0, 3600, 0), X_LT(LT_S, 0, 0, 3000, 0),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2"), X_AKEY(256), X_EKEY(256, 0),
		X_REPLAY(123456), X_RW(1024, 0), X_LEASE(1u << 24) } },
	/* DELETE <base, SA(*), address(SD)>, DELPAIR likewise */
	{ "DELETE", REQ, SADB_DELETE, ESP, 10, 0, 0, {
		X_SA(0x1000, 0, 0, 0, 0, 0), X_SRC("192.0.2.1"), X_DST("198.51.100.2") } },
	{ "DELETE reply", REP, SADB_DELETE, ESP, 10, 0, 0, {
		X_SA(0x1000, 0, 0, 0, 0, 0), X_SRC("192.0.2.1"), X_DST("198.51.100.2") } },
	{ "X_DELPAIR", REQ, SADB_X_DELPAIR, ESP, 11, 0, 0, {
		X_SA(0x1001, 0, 0, 0, 0, 0), X_SRC("192.0.2.1"), X_DST("198.51.100.2") } },
	/* ACQUIRE <base, address(SD), (address(P)), (identity(SD)), proposal> */
	{ "ACQUIRE", REP, SADB_ACQUIRE, ESP, 12, 0, 0, {
		X_SRC("192.0.2.1"), X_DST("198.51.100.2"),
		X_ADDR(SADB_X_EXT_ADDRESS_INNER_SRC, "10.1.2.3", 0, IPPROTO_TCP, 32),
		X_ADDR(SADB_X_EXT_ADDRESS_INNER_DST, "10.2.3.4", 443, IPPROTO_TCP, 32),
		X_IDENT(ID_S, SADB_IDENTTYPE_PREFIX, "192.0.2.0/24"),
		X_IDENT(ID_D, SADB_X_IDENTTYPE_DN, "CN=peer"), X_PROP(32, 2) } },
	{ "ACQUIRE extended (EPROP)", REP, SADB_ACQUIRE, ESP, 13, 0, 0, {
		X_SRC("2001:db8::1"), X_DST("2001:db8::2"),
		X_KMC(SADB_X_KMP_IKE, 99), X_EPROP() } },
	{ "ACQUIRE failed (key manager error)", REQ, SADB_ACQUIRE, ESP, 12,
	  ETIMEDOUT, 0, { { 0 } } },
	{ "X_INVERSE_ACQUIRE", REQ, SADB_X_INVERSE_ACQUIRE, ESP, 14, 0, 0, {
		X_SRC("192.0.2.1"), X_DST("198.51.100.2") } },
	{ "X_INVERSE_ACQUIRE reply", REP, SADB_X_INVERSE_ACQUIRE, ESP, 14, 0, 0, {
		X_SRC("192.0.2.1"), X_DST("198.51.100.2"), X_EPROP() } },
	/* REGISTER <base> -> <base, supported(AE)>; EREG lists SA types */
	{ "REGISTER", REQ, SADB_REGISTER, ESP, 15, 0, 0, { { 0 } } },
	{ "REGISTER extended (EREG)", REQ, SADB_REGISTER, 0, 16, 0, 0, {
		X_EREG(2, SADB_SATYPE_AH, SADB_SATYPE_ESP) } },
	{ "REGISTER reply", REP, SADB_REGISTER, ESP, 15, 0, 0, {
		X_SUPP(SADB_EXT_SUPPORTED_AUTH), X_SUPP(SADB_EXT_SUPPORTED_ENCRYPT) } },
	/* EXPIRE <base, SA, lifetime(C and one of HSI), address(SD)> */
	{ "EXPIRE soft", REP, SADB_EXPIRE, ESP, 0, 0, 0, {
		X_SA(0x1000, 32, SADB_SASTATE_DYING, SADB_AALG_SHA256HMAC, SADB_EALG_AES, 0),
		X_LT(LT_C, 5, 1000, 1700000000, 1700000001), X_LT(LT_S, 0, 0, 3000, 0),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2") } },
	{ "EXPIRE hard", REP, SADB_EXPIRE, AH, 0, 0, 0, {
		X_SA(0x1002, 64, SADB_SASTATE_DEAD, SADB_AALG_SHA1HMAC, 0, 0),
		X_LT(LT_C, 0, 0, 1700000000, 0), X_LT(LT_H, 0, 1ull << 30, 0, 0),
		X_SRC("2001:db8::1"), X_DST("2001:db8::2") } },
	{ "EXPIRE idle", REP, SADB_EXPIRE, ESP, 0, 0, 0, {
		X_SA(0x1004, 0, SADB_SASTATE_DEAD, 0, SADB_EALG_AES_GCM_12, 0),
		X_LT(LT_C, 0, 0, 1700000000, 1700000500), X_LT(LT_I, 0, 0, 0, 300),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2") } },
	/* FLUSH and DUMP */
	{ "FLUSH all", REQ, SADB_FLUSH, 0, 17, 0, 0, { { 0 } } },
	{ "FLUSH esp reply", REP, SADB_FLUSH, ESP, 17, 0, 0, { { 0 } } },
	{ "DUMP", REQ, SADB_DUMP, 0, 18, 0, 0, { { 0 } } },
	{ "DUMP recently used (EDUMP)", REQ, SADB_DUMP, ESP, 19, 0, 0, { X_EDUMP(60) } },
	{ "DUMP reply", REP, SADB_DUMP, ESP, 19, 0, 0, {
		X_SA(0x1000, 32, MATURE, SADB_AALG_SHA256HMAC, SADB_EALG_AES, 0),
		X_LT(LT_C, 1, 2, 3, 4), X_SRC("192.0.2.1"), X_DST("198.51.100.2"),
		X_AKEY(256), X_EKEY(192, 0), X_REPLAY(42) } },
	{ "DUMP end marker", REP, SADB_DUMP, ESP, 0, 0, 0, { { 0 } } },
	{ "X_PROMISC on", REQ, SADB_X_PROMISC, 1, 20, 0, 0, { { 0 } } },
	/* Pairs */
	{ "X_UPDATEPAIR", REQ, SADB_X_UPDATEPAIR, ESP, 21, 0, 0, {
		X_SA(0x1001, 0, SADB_X_SASTATE_ACTIVE, 0, 0, 0),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2"), X_REPLAY(1000) } },
	{ "X_DELPAIR_STATE", REQ, SADB_X_DELPAIR_STATE, 0, 22, 0, 0, {
		X_SA(0, 0, SADB_X_SASTATE_IDLE, 0, 0, 0), X_SRC("192.0.2.1") } },
	/* Errors: the base header only, errno and diagnostic set */
	{ "ADD error reply", REP, SADB_ADD, ESP, 23, EINVAL,
	  SADB_X_DIAGNOSTIC_BAD_AKEYBITS, { { 0 } } },
	{ "SPDADD error reply", REP, SADB_X_DPSEC_SPDADD, 0, 24, EEXIST,
	  SADB_X_DIAGNOSTIC_DPSEC_POLICY_EXISTS, { { 0 } } },
	/* dpsec SPD messages */
	{ "SPDADD tunnel, two alternatives", REQ, SADB_X_DPSEC_SPDADD, 0, 30, 0, 0, {
		X_POLICY(&pol_tunnel), X_SEL(&sel_outer4), X_ISEL(&sel_inner4),
		X_SAREQ(&req_gcm), X_SAREQ(&req_cbc),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2") } },
	{ "SPDADD reply (index assigned)", REP, SADB_X_DPSEC_SPDADD, 0, 30, 0, 0, {
		X_POLICY(&pol_tunnel_idx), X_SEL(&sel_outer4), X_ISEL(&sel_inner4),
		X_SAREQ(&req_gcm), X_SAREQ(&req_cbc),
		X_SRC("192.0.2.1"), X_DST("198.51.100.2") } },
	{ "SPDADD transport AH+ESP bundle, ipv6", REQ, SADB_X_DPSEC_SPDADD, 0, 31, 0, 0, {
		X_POLICY(&pol_transport), X_SEL(&sel_icmp6), X_SAREQ(&req_ah),
		X_SAREQ(&req_any) } },
	{ "SPDADD bypass IKE", REQ, SADB_X_DPSEC_SPDADD, 0, 32, 0, 0, {
		X_POLICY(&pol_bypass), X_SEL(&sel_ike) } },
	{ "SPDADD discard", REQ, SADB_X_DPSEC_SPDADD, 0, 33, 0, 0, {
		X_SEL(&sel_inner4), X_POLICY(&pol_discard) } },
	{ "SPDDELETE", REQ, SADB_X_DPSEC_SPDDELETE, 0, 34, 0, 0, {
		X_POLICY(&pol_by_index) } },
	{ "SPDDELETE reply", REP, SADB_X_DPSEC_SPDDELETE, 0, 34, 0, 0, {
		X_POLICY(&pol_tunnel_idx), X_SEL(&sel_outer4), X_ISEL(&sel_inner4),
		X_SAREQ(&req_gcm), X_SRC("192.0.2.1"), X_DST("198.51.100.2") } },
	{ "SPDGET", REQ, SADB_X_DPSEC_SPDGET, 0, 35, 0, 0, { X_POLICY(&pol_by_index) } },
	{ "SPDGET reply", REP, SADB_X_DPSEC_SPDGET, 0, 35, 0, 0, {
		X_POLICY(&pol_bypass), X_SEL(&sel_ike) } },
	{ "SPDDUMP", REQ, SADB_X_DPSEC_SPDDUMP, 0, 36, 0, 0, { { 0 } } },
	{ "SPDDUMP reply", REP, SADB_X_DPSEC_SPDDUMP, 0, 36, 0, 0, {
		X_POLICY(&pol_discard), X_SEL(&sel_inner4) } },
	{ "SPDDUMP end marker", REP, SADB_X_DPSEC_SPDDUMP, 0, 0, 0, 0, { { 0 } } },
	{ "SPDFLUSH", REQ, SADB_X_DPSEC_SPDFLUSH, 0, 37, 0, 0, { { 0 } } },
	{ "SPDFLUSH reply", REP, SADB_X_DPSEC_SPDFLUSH, 0, 37, 0, 0, { { 0 } } },
};

#define PID 31337u

static size_t spec_count(const struct shape *s)
{
	size_t n = 0;

	while (n < MAX_EXT && s->ext[n].type != 0)
		n++;
	return n;
}

static bool is_address(uint16_t t)
{
	return t == SADB_EXT_ADDRESS_SRC || t == SADB_EXT_ADDRESS_DST ||
	       t == SADB_X_EXT_ADDRESS_INNER_SRC || t == SADB_X_EXT_ADDRESS_INNER_DST ||
	       t == SADB_X_EXT_ADDRESS_NATT_LOC || t == SADB_X_EXT_ADDRESS_NATT_REM;
}

static bool is_lifetime(uint16_t t)
{
	return t == LT_C || t == LT_H || t == LT_S || t == LT_I;
}

union any_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* The sockaddr of an address spec. */
static union any_sockaddr spec_sockaddr(const struct ext_spec *x)
{
	union any_sockaddr u;

	memset(&u, 0, sizeof(u));
	if (strchr(x->addr.ip, ':') != NULL)
		u.in6 = sin6(x->addr.ip, x->addr.port);
	else
		u.in = sin4(x->addr.ip, x->addr.port);
	return u;
}

/* Every algorithm of the table, as a SUPPORTED list would carry it. */
static size_t supported_list(uint16_t exttype, struct sadb_alg *out, size_t max)
{
	enum pfk_alg_kind kind = exttype == SADB_EXT_SUPPORTED_AUTH ? PFK_ALG_AUTH
								    : PFK_ALG_ENCRYPT;
	const struct pfk_alg_info *a;
	size_t n = 0;

	for (unsigned i = 0; (a = pfk_alg_at(kind, i)) != NULL && n < max; i++, n++) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].sadb_alg_id = a->id;
		out[n].sadb_alg_ivlen = (uint8_t)(a->ivlen * 8);
		out[n].sadb_alg_minbits = a->minbits;
		out[n].sadb_alg_maxbits = a->maxbits;
		out[n].sadb_x_alg_increment = (uint8_t)a->increment;
		out[n].sadb_x_alg_saltbits = a->saltbits;
	}
	return n;
}

static void proposal_combs(struct sadb_comb *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		c[i] = comb;
		c[i].sadb_comb_encrypt = i % 2 ? SADB_EALG_AES : SADB_EALG_AES_GCM_16;
		c[i].sadb_comb_auth = i % 2 ? SADB_AALG_SHA256HMAC : 0;
	}
}

static void add_spec(struct pfk_builder *b, const struct ext_spec *x)
{
	const uint16_t t = x->type;
	int rc = -1;

	if (is_lifetime(t)) {
		rc = pfk_add_lifetime(b, t, x->lt.alloc, x->lt.bytes, x->lt.addtime,
				      x->lt.usetime);
	} else if (is_address(t)) {
		union any_sockaddr u = spec_sockaddr(x);

		rc = pfk_add_address(b, t, &u.sa, x->addr.proto, x->addr.prefix);
	} else {
		switch (t) {
		case SADB_EXT_SA:
			rc = pfk_add_sa(b, htonl(x->sa.spi), x->sa.replay, x->sa.state, x->sa.auth,
					x->sa.encrypt, x->sa.flags);
			break;
		case SADB_EXT_KEY_AUTH:
		case SADB_EXT_KEY_ENCRYPT:
			rc = pfk_add_key(b, t, x->key.bytes, x->key.bits, x->key.salt);
			break;
		case ID_S:
		case ID_D:
			rc = pfk_add_identity(b, t, x->ident.type, x->ident.id);
			break;
		case SADB_EXT_SPIRANGE:
			rc = pfk_add_spirange(b, htonl(x->range.min), htonl(x->range.max));
			break;
		case SADB_X_EXT_PAIR:
			rc = pfk_add_pair(b, htonl(x->pair));
			break;
		case SADB_X_EXT_REPLAY_VALUE:
			rc = pfk_add_replay_value(b, x->value);
			break;
		case SADB_X_EXT_EDUMP:
			rc = pfk_add_edump(b, x->value);
			break;
		case SADB_X_EXT_DPSEC_SEQ_LEASE:
			rc = pfk_add_seq_lease(b, x->value);
			break;
		case SADB_X_EXT_KM_COOKIE:
			rc = pfk_add_kmc(b, x->kmc.proto, x->kmc.cookie);
			break;
		case SADB_X_EXT_EREG:
			rc = pfk_add_ereg(b, x->ereg.types, x->ereg.n);
			break;
		case SADB_EXT_SUPPORTED_AUTH:
		case SADB_EXT_SUPPORTED_ENCRYPT: {
			struct sadb_alg algs[32];
			size_t n = supported_list(t, algs, COUNT(algs));

			rc = pfk_add_supported(b, t, algs, n);
			break;
		}
		case SADB_EXT_PROPOSAL: {
			struct sadb_comb c[4];

			assert_true(x->prop.n <= COUNT(c));
			proposal_combs(c, x->prop.n);
			rc = pfk_add_proposal(b, x->prop.replay, c, x->prop.n);
			break;
		}
		case SADB_X_EXT_EPROP:
			rc = pfk_add_ext(b, t, x->raw.body, x->raw.len) != NULL ? 0 : b->err;
			break;
		case SADB_X_EXT_DPSEC_REPLAY_WINDOW:
			rc = pfk_add_replay_window(b, x->rw.window, x->rw.flags);
			break;
		case SADB_X_EXT_DPSEC_POLICY:
			rc = pfk_add_policy(b, x->pol);
			break;
		case SADB_X_EXT_DPSEC_SELECTOR:
		case SADB_X_EXT_DPSEC_INNER_SELECTOR:
			rc = pfk_add_selector(b, t, x->sel);
			break;
		case SADB_X_EXT_DPSEC_SAREQ:
			rc = pfk_add_sareq(b, x->req);
			break;
		default:
			fail_msg("no builder for extension type %#x", t);
		}
	}
	assert_int_equal(rc, 0);
}

static bool is_key(uint16_t t)
{
	return t == SADB_EXT_KEY_AUTH || t == SADB_EXT_KEY_ENCRYPT;
}

/* keys false: the shape as listeners get it (pfk_copy_without_keys). */
static int build_shape(const struct shape *s, void *buf, size_t cap, bool keys)
{
	struct pfk_builder b;
	size_t n = spec_count(s);

	pfk_build_init(&b, buf, cap, s->type, s->satype, s->seq, PID);
	if (s->err != 0) {
		/* An error message: built from its request's header. */
		int len = pfk_build_finish(&b);

		assert_int_equal(len, 16);
		memcpy(g_buf3.b, buf, 16);
		return pfk_build_error((const struct sadb_msg *)(void *)g_buf3.b, s->err,
				       s->diag, buf, cap);
	}
	for (size_t i = 0; i < n; i++)
		if (keys || !is_key(s->ext[i].type))
			add_spec(&b, &s->ext[i]);
	return pfk_build_finish(&b);
}

/* The typed member of the view for an extension type (NULL if none). */
static const void *view_member(const struct pfk_msg *m, uint16_t t)
{
	switch (t) {
	case SADB_EXT_SA: return m->sa;
	case SADB_EXT_ADDRESS_SRC: return m->src;
	case SADB_EXT_ADDRESS_DST: return m->dst;
	case SADB_X_EXT_ADDRESS_INNER_SRC: return m->inner_src;
	case SADB_X_EXT_ADDRESS_INNER_DST: return m->inner_dst;
	case SADB_X_EXT_ADDRESS_NATT_LOC: return m->natt_loc;
	case SADB_X_EXT_ADDRESS_NATT_REM: return m->natt_rem;
	case SADB_EXT_KEY_AUTH: return m->akey;
	case SADB_EXT_KEY_ENCRYPT: return m->ekey;
	case LT_C: return m->lt_current;
	case LT_H: return m->lt_hard;
	case LT_S: return m->lt_soft;
	case LT_I: return m->lt_idle;
	case SADB_EXT_SPIRANGE: return m->spirange;
	case SADB_X_EXT_PAIR: return m->pair;
	case SADB_X_EXT_REPLAY_VALUE: return m->replay_value;
	case SADB_X_EXT_EDUMP: return m->edump;
	case SADB_X_EXT_KM_COOKIE: return m->kmc;
	case SADB_X_EXT_DPSEC_REPLAY_WINDOW: return m->replay_window;
	case SADB_X_EXT_DPSEC_SEQ_LEASE: return m->seq_lease;
	case SADB_X_EXT_DPSEC_POLICY: return m->policy;
	case SADB_X_EXT_DPSEC_SELECTOR: return m->selector;
	case SADB_X_EXT_DPSEC_INNER_SELECTOR: return m->inner_selector;
	case SADB_X_EXT_DPSEC_SAREQ: return m->sareq;
	default: return NULL; /* reached through m->ext[] only */
	}
}

/* The body of a dpsec struct-shaped extension equals the spec's struct
 * (whose own len/exttype are ignored by the builder). */
static void assert_body_equal(const void *ext, const void *want, size_t size)
{
	assert_memory_equal((const uint8_t *)ext + 4, (const uint8_t *)want + 4, size - 4);
}

/* One extension of the view against its spec, field by field. */
static void check_ext(const struct pfk_msg *m, const struct ext_spec *x,
		      const struct sadb_ext *e)
{
	const uint16_t t = x->type;

	if (is_lifetime(t)) {
		const struct sadb_lifetime *l = (const void *)e;

		assert_int_equal(l->sadb_lifetime_allocations, x->lt.alloc);
		assert_int_equal(l->sadb_lifetime_bytes, x->lt.bytes);
		assert_int_equal(l->sadb_lifetime_addtime, x->lt.addtime);
		assert_int_equal(l->sadb_lifetime_usetime, x->lt.usetime);
		return;
	}
	if (is_address(t)) {
		const struct sadb_address *a = (const void *)e;
		union any_sockaddr u = spec_sockaddr(x);
		size_t salen = u.sa.sa_family == AF_INET ? sizeof(u.in) : sizeof(u.in6);

		assert_int_equal(a->sadb_address_proto, x->addr.proto);
		assert_int_equal(a->sadb_address_prefixlen, x->addr.prefix);
		assert_memory_equal(pfk_addr_sockaddr(a), &u, salen);
		return;
	}
	switch (t) {
	case SADB_EXT_SA:
		assert_int_equal(ntohl(m->sa->sadb_sa_spi), x->sa.spi);
		assert_int_equal(m->sa->sadb_sa_replay, x->sa.replay);
		assert_int_equal(m->sa->sadb_sa_state, x->sa.state);
		assert_int_equal(m->sa->sadb_sa_auth, x->sa.auth);
		assert_int_equal(m->sa->sadb_sa_encrypt, x->sa.encrypt);
		assert_int_equal(m->sa->sadb_sa_flags, x->sa.flags);
		break;
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT: {
		const struct sadb_key *k = (const void *)e;

		assert_int_equal(k->sadb_key_bits, x->key.bits);
		assert_int_equal(k->sadb_x_key_saltbits, x->key.salt);
		assert_memory_equal(pfk_key_data(k), x->key.bytes, (x->key.bits + 7u) / 8u);
		break;
	}
	case ID_S:
	case ID_D: {
		const struct sadb_ident *i = (const void *)e;

		assert_int_equal(i->sadb_ident_type, x->ident.type);
		assert_string_equal((const char *)(i + 1), x->ident.id);
		break;
	}
	case SADB_EXT_SPIRANGE:
		assert_int_equal(ntohl(m->spirange->sadb_spirange_min), x->range.min);
		assert_int_equal(ntohl(m->spirange->sadb_spirange_max), x->range.max);
		break;
	case SADB_X_EXT_PAIR:
		assert_int_equal(ntohl(m->pair->sadb_x_pair_spi), x->pair);
		break;
	case SADB_X_EXT_REPLAY_VALUE:
		assert_int_equal(pfk_replay_value(m->replay_value), x->value);
		assert_int_equal(m->replay_value->sadb_x_rc_replay32, (uint32_t)x->value);
		break;
	case SADB_X_EXT_EDUMP:
		assert_int_equal(m->edump->sadb_x_edump_timeout, x->value);
		break;
	case SADB_X_EXT_DPSEC_SEQ_LEASE:
		assert_int_equal(m->seq_lease->sadb_x_sl_limit, x->value);
		break;
	case SADB_X_EXT_KM_COOKIE:
		assert_int_equal(m->kmc->sadb_x_kmc_proto, x->kmc.proto);
		assert_int_equal(m->kmc->sadb_x_kmc_cookie64, x->kmc.cookie);
		break;
	case SADB_X_EXT_EREG: {
		const struct sadb_x_ereg *r = (const void *)e;

		assert_memory_equal(r->sadb_x_ereg_satypes, x->ereg.types, x->ereg.n);
		assert_int_equal(r->sadb_x_ereg_satypes[x->ereg.n], 0);
		break;
	}
	case SADB_EXT_SUPPORTED_AUTH:
	case SADB_EXT_SUPPORTED_ENCRYPT: {
		struct sadb_alg algs[32];
		size_t n = supported_list(t, algs, COUNT(algs));

		assert_int_equal(SADB_64TO8((size_t)e->sadb_ext_len), 8 + n * sizeof(algs[0]));
		assert_memory_equal((const uint8_t *)e + 8, algs, n * sizeof(algs[0]));
		break;
	}
	case SADB_EXT_PROPOSAL: {
		const struct sadb_prop *p = (const void *)e;
		struct sadb_comb c[4];

		proposal_combs(c, x->prop.n);
		assert_int_equal(p->sadb_prop_replay, x->prop.replay);
		assert_int_equal(SADB_64TO8((size_t)e->sadb_ext_len), 8 + x->prop.n * sizeof(c[0]));
		assert_memory_equal(p + 1, c, x->prop.n * sizeof(c[0]));
		break;
	}
	case SADB_X_EXT_EPROP:
		assert_int_equal(SADB_64TO8((size_t)e->sadb_ext_len), 4 + x->raw.len);
		assert_memory_equal((const uint8_t *)e + 4, x->raw.body, x->raw.len);
		break;
	case SADB_X_EXT_DPSEC_REPLAY_WINDOW:
		assert_int_equal(m->replay_window->sadb_x_rw_window, x->rw.window);
		assert_int_equal(m->replay_window->sadb_x_rw_flags, x->rw.flags);
		assert_int_equal(pfk_replay_window(m), x->rw.window);
		break;
	case SADB_X_EXT_DPSEC_POLICY:
		assert_int_equal(m->policy->sadb_x_pol_index, x->pol->sadb_x_pol_index);
		assert_int_equal(m->policy->sadb_x_pol_action, x->pol->sadb_x_pol_action);
		assert_body_equal(m->policy, x->pol, sizeof(*x->pol));
		break;
	case SADB_X_EXT_DPSEC_SELECTOR:
	case SADB_X_EXT_DPSEC_INNER_SELECTOR:
		assert_body_equal(e, x->sel, sizeof(*x->sel));
		break;
	case SADB_X_EXT_DPSEC_SAREQ:
		assert_body_equal(e, x->req, sizeof(*x->req));
		break;
	default:
		fail_msg("no check for extension type %#x", t);
	}
}

/* The view against the shape: header, which slots are present, and the
 * fields of each extension (the n-th spec of a type against the n-th
 * extension of that type, for repeated SAREQs). */
static void check_view(const struct shape *s, const struct pfk_msg *m, size_t len)
{
	const size_t n = spec_count(s);
	uint64_t want_present = 0;
	unsigned sareqs = 0;
	const struct sadb_x_dpsec_sareq *r = NULL;

	assert_int_equal(m->len, len);
	assert_int_equal(m->hdr->sadb_msg_version, PF_KEY_V2);
	assert_int_equal(m->hdr->sadb_msg_type, s->type);
	assert_int_equal(m->hdr->sadb_msg_satype, s->satype);
	assert_int_equal(m->hdr->sadb_msg_seq, s->seq);
	assert_int_equal(m->hdr->sadb_msg_pid, PID);
	assert_int_equal(m->hdr->sadb_msg_errno, s->err);
	assert_int_equal(m->hdr->sadb_x_msg_diagnostic, s->diag);

	for (size_t i = 0; i < n; i++) {
		const struct ext_spec *x = &s->ext[i];
		const int slot = pfk_ext_slot(x->type);
		const struct sadb_ext *e;

		assert_true(slot != PFK_SLOT_NONE);
		want_present |= UINT64_C(1) << slot;
		assert_true(pfk_has(m, slot));
		if (x->type == SADB_X_EXT_DPSEC_SAREQ) {
			r = pfk_next_sareq(m, r);
			assert_non_null(r);
			if (sareqs++ == 0)
				assert_ptr_equal(r, m->sareq);
			e = (const void *)r;
		} else {
			e = m->ext[slot];
			assert_non_null(e);
			if (view_member(m, x->type) != NULL || x->type == SADB_EXT_SA)
				assert_ptr_equal(view_member(m, x->type), e);
		}
		assert_int_equal(e->sadb_ext_type, x->type);
		check_ext(m, x, e);
	}
	assert_int_equal(m->present, want_present);
	assert_int_equal(m->sareq_count, sareqs);
	assert_null(pfk_next_sareq(m, r));
}

/* Rebuild from the view alone: walk the extensions in wire order and
 * append each through the typed builder, reading the fields through the
 * view's typed pointers. */
static int rebuild(const struct pfk_msg *m, void *out, size_t cap)
{
	const struct sadb_msg *h = m->hdr;
	const uint8_t *p = (const uint8_t *)h;
	const struct sadb_x_dpsec_sareq *r = NULL;
	struct pfk_builder b;

	if (h->sadb_msg_errno != 0)
		return pfk_build_error(h, h->sadb_msg_errno, h->sadb_x_msg_diagnostic, out, cap);
	pfk_build_init(&b, out, cap, h->sadb_msg_type, h->sadb_msg_satype, h->sadb_msg_seq,
		       h->sadb_msg_pid);
	for (size_t off = 16; off < m->len;) {
		const struct sadb_ext *e = (const void *)(p + off);
		const uint16_t t = e->sadb_ext_type;
		const size_t elen = SADB_64TO8((size_t)e->sadb_ext_len);
		const void *v = view_member(m, t);

		if (t == SADB_X_EXT_DPSEC_SAREQ)
			v = r = pfk_next_sareq(m, r);
		else if (v == NULL)
			v = m->ext[pfk_ext_slot(t)];
		assert_ptr_equal(v, e);

		if (is_lifetime(t)) {
			const struct sadb_lifetime *l = v;

			pfk_add_lifetime(&b, t, l->sadb_lifetime_allocations,
					 l->sadb_lifetime_bytes, l->sadb_lifetime_addtime,
					 l->sadb_lifetime_usetime);
		} else if (is_address(t)) {
			const struct sadb_address *a = v;

			pfk_add_address(&b, t, pfk_addr_sockaddr(a), a->sadb_address_proto,
					a->sadb_address_prefixlen);
		} else {
			switch (t) {
			case SADB_EXT_SA:
				pfk_add_sa(&b, m->sa->sadb_sa_spi, m->sa->sadb_sa_replay,
					   m->sa->sadb_sa_state, m->sa->sadb_sa_auth,
					   m->sa->sadb_sa_encrypt, m->sa->sadb_sa_flags);
				break;
			case SADB_EXT_KEY_AUTH:
			case SADB_EXT_KEY_ENCRYPT: {
				const struct sadb_key *k = v;

				pfk_add_key(&b, t, pfk_key_data(k), k->sadb_key_bits,
					    k->sadb_x_key_saltbits);
				break;
			}
			case ID_S:
			case ID_D: {
				const struct sadb_ident *i = v;

				pfk_add_identity(&b, t, i->sadb_ident_type,
						 (const char *)(i + 1));
				break;
			}
			case SADB_EXT_SPIRANGE:
				pfk_add_spirange(&b, m->spirange->sadb_spirange_min,
						 m->spirange->sadb_spirange_max);
				break;
			case SADB_X_EXT_PAIR:
				pfk_add_pair(&b, m->pair->sadb_x_pair_spi);
				break;
			case SADB_X_EXT_REPLAY_VALUE:
				pfk_add_replay_value(&b, pfk_replay_value(m->replay_value));
				break;
			case SADB_X_EXT_EDUMP:
				pfk_add_edump(&b, m->edump->sadb_x_edump_timeout);
				break;
			case SADB_X_EXT_DPSEC_SEQ_LEASE:
				pfk_add_seq_lease(&b, m->seq_lease->sadb_x_sl_limit);
				break;
			case SADB_X_EXT_KM_COOKIE:
				pfk_add_kmc(&b, m->kmc->sadb_x_kmc_proto,
					    m->kmc->sadb_x_kmc_cookie64);
				break;
			case SADB_X_EXT_EREG: {
				const struct sadb_x_ereg *g = v;
				size_t n = 0;

				while (n < elen - 4 && g->sadb_x_ereg_satypes[n] != 0)
					n++;
				pfk_add_ereg(&b, g->sadb_x_ereg_satypes, n);
				break;
			}
			case SADB_EXT_SUPPORTED_AUTH:
			case SADB_EXT_SUPPORTED_ENCRYPT: {
				const struct sadb_supported *su = v;

				pfk_add_supported(&b, t,
						  (const struct sadb_alg *)(const void *)(su + 1),
						  (elen - 8) / sizeof(struct sadb_alg));
				break;
			}
			case SADB_EXT_PROPOSAL: {
				const struct sadb_prop *pr = v;

				pfk_add_proposal(&b, pr->sadb_prop_replay,
						 (const struct sadb_comb *)(const void *)(pr + 1),
						 (elen - 8) / sizeof(struct sadb_comb));
				break;
			}
			case SADB_X_EXT_DPSEC_REPLAY_WINDOW:
				pfk_add_replay_window(&b, m->replay_window->sadb_x_rw_window,
						      m->replay_window->sadb_x_rw_flags);
				break;
			case SADB_X_EXT_DPSEC_POLICY:
				pfk_add_policy(&b, m->policy);
				break;
			case SADB_X_EXT_DPSEC_SELECTOR:
			case SADB_X_EXT_DPSEC_INNER_SELECTOR:
				pfk_add_selector(&b, t, v);
				break;
			case SADB_X_EXT_DPSEC_SAREQ:
				pfk_add_sareq(&b, r);
				break;
			default:
				/* No typed builder (EPROP): the body as it is. */
				pfk_add_ext(&b, t, p + off + 4, elen - 4);
				break;
			}
		}
		off += elen;
	}
	return pfk_build_finish(&b);
}

static void test_roundtrip(void **state)
{
	const struct shape *s = *state;
	struct pfk_msg m;
	uint16_t diag = 0xffff;
	int len, len2, rc;

	memset(g_buf.b, DIRTY, sizeof(g_buf.b));
	len = build_shape(s, g_buf.b, sizeof(g_buf.b), true);
	assert_true(len >= 16);
	rc = pfk_validate(g_buf.b, (size_t)len, s->dir, &m, &diag);
	if (rc != 0)
		fail_msg("%s: pfk_validate %d, diagnostic %s", s->name, rc,
			 pfk_diag_name(diag) ? pfk_diag_name(diag) : "?");
	assert_int_equal(diag, 0);
	check_view(s, &m, (size_t)len);
	/* The direction matters: what only the gateway sends is refused as a
	 * request. */
	if (s->err == 0 && (s->type == SADB_EXPIRE || s->type == SADB_ACQUIRE)) {
		struct pfk_msg other;

		assert_int_not_equal(pfk_validate(g_buf.b, (size_t)len, PFK_DIR_REQUEST,
						  &other, &diag), 0);
	}

	memset(g_buf2.b, DIRTY, sizeof(g_buf2.b));
	len2 = rebuild(&m, g_buf2.b, sizeof(g_buf2.b));
	assert_int_equal(len2, len);
	assert_memory_equal(g_buf2.b, g_buf.b, (size_t)len);
	assert_int_equal(g_buf2.b[len], DIRTY);

	/* The listeners' copy is the same shape built without its keys. */
	if (s->err == 0) {
		int want = build_shape(s, g_buf3.b, sizeof(g_buf3.b), false);

		memset(g_buf2.b, DIRTY, sizeof(g_buf2.b));
		assert_int_equal(pfk_copy_without_keys(&m, g_buf2.b, sizeof(g_buf2.b)), want);
		assert_memory_equal(g_buf2.b, g_buf3.b, (size_t)want);
		assert_int_equal(g_buf2.b[want], DIRTY);
	}
}

int main(void)
{
	struct CMUnitTest t[COUNT(shapes)];

	for (size_t i = 0; i < COUNT(shapes); i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].name = shapes[i].name;
		t[i].test_func = test_roundtrip;
		t[i].initial_state = (void *)(uintptr_t)&shapes[i];
	}
	return _cmocka_run_group_tests("roundtrip", t, COUNT(shapes), NULL, NULL);
}


