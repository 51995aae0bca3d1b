/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gen_corpus.c: writes the seed corpus of fuzz_pfkey_parse.
 *
 *   gen_corpus DIR
 *
 * One file per message shape: every message type in each direction it
 * travels, every extension kind, IPv4 and IPv6.  Each message is built with
 * the builder and must pass pfk_validate() in its direction; otherwise
 * nothing is written and the exit status is 1, so the committed corpus
 * stays valid.  The output is deterministic: rerunning it rewrites
 * the same bytes (fuzz/corpus/pfkey_parse/ is committed).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dpsec/pfkey.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PID 4242u

#define GEN_REQUEST PFK_DIR_REQUEST
#define GEN_REPLY PFK_DIR_REPLY

struct gen_msg {
	const char *name;
	enum pfk_dir check;
	uint8_t type, satype;
	uint32_t seq;
	void (*build)(struct pfk_builder *b);
};

/* --- addresses ------------------------------------------------------------ */

static void add_v4(struct pfk_builder *b, uint16_t exttype, const char *addr, uint16_t port,
		   uint8_t proto, uint8_t prefixlen)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	pfk_add_address(b, exttype, (const struct sockaddr *)&sin, proto, prefixlen);
}

static void add_v6(struct pfk_builder *b, uint16_t exttype, const char *addr, uint16_t port,
		   uint8_t proto, uint8_t prefixlen)
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	inet_pton(AF_INET6, addr, &sin6.sin6_addr);
	pfk_add_address(b, exttype, (const struct sockaddr *)&sin6, proto, prefixlen);
}

static void sd_v4(struct pfk_builder *b)
{
	add_v4(b, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0, 0);
	add_v4(b, SADB_EXT_ADDRESS_DST, "198.51.100.2", 0, 0, 0);
}

static void sd_v6(struct pfk_builder *b)
{
	add_v6(b, SADB_EXT_ADDRESS_SRC, "2001:db8::1", 0, 0, 0);
	add_v6(b, SADB_EXT_ADDRESS_DST, "2001:db8::2", 0, 0, 128);
}

/* --- keys and lifetimes ------------------------------------------------- */

static const uint8_t key_bytes[64] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d,
	0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
	0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29,
	0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
	0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
};

static void hard_soft(struct pfk_builder *b)
{
	pfk_add_lifetime(b, SADB_EXT_LIFETIME_HARD, 1000, 1000000000, 3600, 1800);
	pfk_add_lifetime(b, SADB_EXT_LIFETIME_SOFT, 900, 900000000, 3000, 1500);
}

static void current(struct pfk_builder *b)
{
	pfk_add_lifetime(b, SADB_EXT_LIFETIME_CURRENT, 3, 123456, 1700000000, 1700000100);
}

/* --- SA messages: requests ------------------------------------------------ */

static void b_getspi_v4(struct pfk_builder *b)
{
	sd_v4(b);
	pfk_add_spirange(b, htonl(0x100), htonl(0xffffffff));
}

static void b_getspi_v6(struct pfk_builder *b)
{
	sd_v6(b);
	pfk_add_spirange(b, htonl(0x1000), htonl(0x1fff));
}

static void b_add_gcm_v4(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x12345678), 32, SADB_SASTATE_MATURE, SADB_AALG_NONE,
		   SADB_EALG_AES_GCM_16, 0);
	hard_soft(b);
	sd_v4(b);
	pfk_add_key(b, SADB_EXT_KEY_ENCRYPT, key_bytes, 160, 32);
}

static void b_add_cbc_v6(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x2000), 64, SADB_SASTATE_MATURE, SADB_AALG_SHA256HMAC,
		   SADB_EALG_AES_CBC, SADB_X_SAFLAGS_INBOUND);
	hard_soft(b);
	pfk_add_lifetime(b, SADB_X_EXT_LIFETIME_IDLE, 0, 0, 600, 300);
	sd_v6(b);
	pfk_add_key(b, SADB_EXT_KEY_AUTH, key_bytes, 256, 0);
	pfk_add_key(b, SADB_EXT_KEY_ENCRYPT, key_bytes + 32, 256, 0);
	pfk_add_identity(b, SADB_EXT_IDENTITY_SRC, SADB_IDENTTYPE_FQDN, "gw1.example.com");
	pfk_add_identity(b, SADB_EXT_IDENTITY_DST, SADB_IDENTTYPE_USER_FQDN, "ike@example.net");
	pfk_add_kmc(b, SADB_X_KMP_IKE, 0x0123456789abcdefull);
}

static void b_add_ah(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x3000), 32, SADB_SASTATE_MATURE, SADB_AALG_SHA1HMAC,
		   SADB_EALG_NONE, 0);
	sd_v4(b);
	pfk_add_key(b, SADB_EXT_KEY_AUTH, key_bytes, 160, 0);
}

static void b_add_tunnel_natt(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x4000), 64, SADB_SASTATE_MATURE, SADB_AALG_NONE,
		   SADB_EALG_AES_GCM_16, SADB_X_SAFLAGS_TUNNEL | SADB_X_SAFLAGS_NATTED |
		   SADB_X_SAFLAGS_NATT_LOC | SADB_X_SAFLAGS_NATT_REM | SADB_X_SAFLAGS_OUTBOUND);
	sd_v4(b);
	add_v4(b, SADB_X_EXT_ADDRESS_INNER_SRC, "10.1.0.0", 0, IPPROTO_TCP, 16);
	pfk_add_key(b, SADB_EXT_KEY_ENCRYPT, key_bytes, 288, 32);
	add_v4(b, SADB_X_EXT_ADDRESS_NATT_LOC, "192.168.1.10", 4500, 0, 0);
	add_v4(b, SADB_X_EXT_ADDRESS_NATT_REM, "203.0.113.7", 4500, 0, 0);
	add_v4(b, SADB_X_EXT_ADDRESS_INNER_DST, "10.2.0.0", 443, IPPROTO_TCP, 16);
}

static void b_add_tunnel_v6(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x4100), 0, SADB_X_SASTATE_ACTIVE, SADB_AALG_SHA512HMAC,
		   SADB_X_EALG_AES_CTR, SADB_X_SAFLAGS_TUNNEL);
	sd_v6(b);
	add_v6(b, SADB_X_EXT_ADDRESS_INNER_SRC, "fd00:1::", 0, 0, 64);
	add_v6(b, SADB_X_EXT_ADDRESS_INNER_DST, "fd00:2::", 0, 0, 64);
	pfk_add_key(b, SADB_EXT_KEY_AUTH, key_bytes, 512, 0);
	pfk_add_key(b, SADB_EXT_KEY_ENCRYPT, key_bytes, 160, 32);
}

static void b_add_dpsec(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x0a0b0c0d), 255, SADB_SASTATE_MATURE, SADB_AALG_NONE,
		   SADB_X_EALG_CHACHA20_POLY1305, SADB_X_SAFLAGS_OUTBOUND | SADB_X_SAFLAGS_PAIRED);
	sd_v4(b);
	pfk_add_key(b, SADB_EXT_KEY_ENCRYPT, key_bytes, 288, 32);
	pfk_add_pair(b, htonl(0x0a0b0c0e));
	pfk_add_replay_value(b, 0x100000005ull);
	pfk_add_replay_window(b, 65536, SADB_X_DPSEC_RW_ESN);
	pfk_add_seq_lease(b, 1u << 20);
}

static void b_update_replay(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x12345678), 32, SADB_X_SASTATE_IDLE, SADB_AALG_NONE,
		   SADB_EALG_AES_GCM_16, 0);
	sd_v4(b);
	pfk_add_replay_value(b, 77);
}

static void b_sa_sd_v4(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x12345678), 0, 0, 0, 0, 0);
	sd_v4(b);
}

static void b_sa_sd_v6(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x2000), 0, 0, 0, 0, 0);
	sd_v6(b);
}

static void b_sa_dst_v4(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x12345678), 0, 0, 0, 0, 0);
	add_v4(b, SADB_EXT_ADDRESS_DST, "198.51.100.2", 0, 0, 0);
}

static void b_bare(struct pfk_builder *b)
{
	(void)b;
}

static void b_register_ereg(struct pfk_builder *b)
{
	static const uint8_t types[] = { SADB_SATYPE_AH, SADB_SATYPE_ESP };

	pfk_add_ereg(b, types, ARRAY_SIZE(types));
}

static void b_dump_edump(struct pfk_builder *b)
{
	pfk_add_edump(b, 30);
}

static void b_inverse_acquire(struct pfk_builder *b)
{
	sd_v4(b);
	add_v4(b, SADB_X_EXT_ADDRESS_INNER_SRC, "10.1.0.5", 0, IPPROTO_UDP, 32);
	add_v4(b, SADB_X_EXT_ADDRESS_INNER_DST, "10.2.0.9", 53, IPPROTO_UDP, 32);
	pfk_add_kmc(b, SADB_X_KMP_IKE, 42);
}

static void b_updatepair(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x5000), 0, SADB_X_SASTATE_ACTIVE, 0, 0, 0);
	pfk_add_lifetime(b, SADB_EXT_LIFETIME_SOFT, 0, 0, 100, 0);
	sd_v4(b);
	pfk_add_replay_value(b, 1000);
	pfk_add_seq_lease(b, 5000);
}

static void b_delpair_state(struct pfk_builder *b)
{
	pfk_add_sa(b, 0, 0, SADB_X_SASTATE_ACTIVE_ELSEWHERE, 0, 0, 0);
	add_v4(b, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0, 0);
}

/* --- SA messages: replies ------------------------------------------------- */

static void b_getspi_reply(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x1234), 0, SADB_SASTATE_LARVAL, 0, 0, 0);
	sd_v4(b);
}

static void b_add_reply(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x12345678), 32, SADB_SASTATE_MATURE, SADB_AALG_NONE,
		   SADB_EALG_AES_GCM_16, 0);
	current(b);
	hard_soft(b);
	sd_v4(b);
}

static void b_get_reply(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0xc0ffee01), 64, SADB_SASTATE_MATURE, SADB_AALG_SHA256HMAC,
		   SADB_EALG_AES_CBC, SADB_X_SAFLAGS_INBOUND);
	current(b);
	hard_soft(b);
	sd_v4(b);
	pfk_add_key(b, SADB_EXT_KEY_AUTH, key_bytes, 256, 0);
	pfk_add_key(b, SADB_EXT_KEY_ENCRYPT, key_bytes + 32, 128, 0);
	pfk_add_replay_value(b, 0x123456789ull);
}

static void b_dump_reply_v6(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x6000), 255, SADB_X_SASTATE_ACTIVE, SADB_AALG_NONE,
		   SADB_EALG_AES_GCM_16, SADB_X_SAFLAGS_OUTBOUND);
	current(b);
	sd_v6(b);
	pfk_add_key(b, SADB_EXT_KEY_ENCRYPT, key_bytes, 288, 32);
	pfk_add_replay_value(b, 0x1ffffffffull);
	pfk_add_replay_window(b, 4096, SADB_X_DPSEC_RW_ESN);
	pfk_add_seq_lease(b, 0x300000000ull);
}

static void b_register_reply(struct pfk_builder *b)
{
	static const struct sadb_alg auth[] = {
		{ SADB_AALG_SHA1HMAC, 0, 160, 160, 0, 0 },
		{ SADB_AALG_SHA256HMAC, 0, 256, 256, 0, 0 },
		{ SADB_AALG_SHA512HMAC, 0, 512, 512, 0, 0 },
	};
	static const struct sadb_alg encr[] = {
		{ SADB_EALG_AES_CBC, 128, 128, 256, 64, 0 },
		{ SADB_EALG_AES_GCM_16, 64, 128, 256, 64, 32 },
		{ SADB_X_EALG_CHACHA20_POLY1305, 64, 256, 256, 0, 32 },
	};

	pfk_add_supported(b, SADB_EXT_SUPPORTED_AUTH, auth, ARRAY_SIZE(auth));
	pfk_add_supported(b, SADB_EXT_SUPPORTED_ENCRYPT, encr, ARRAY_SIZE(encr));
}

static const struct sadb_comb combs[] = {
	{ .sadb_comb_encrypt = SADB_EALG_AES_GCM_16, .sadb_comb_encrypt_minbits = 128,
	  .sadb_comb_encrypt_maxbits = 256, .sadb_comb_soft_addtime = 2880,
	  .sadb_comb_hard_addtime = 3600 },
	{ .sadb_comb_auth = SADB_AALG_SHA256HMAC, .sadb_comb_encrypt = SADB_EALG_AES_CBC,
	  .sadb_comb_auth_minbits = 256, .sadb_comb_auth_maxbits = 256,
	  .sadb_comb_encrypt_minbits = 128, .sadb_comb_encrypt_maxbits = 256,
	  .sadb_comb_soft_bytes = 1000000, .sadb_comb_hard_bytes = 2000000 },
};

static void b_acquire_v4(struct pfk_builder *b)
{
	add_v4(b, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, IPPROTO_TCP, 0);
	add_v4(b, SADB_EXT_ADDRESS_DST, "198.51.100.2", 443, IPPROTO_TCP, 0);
	pfk_add_proposal(b, 32, combs, ARRAY_SIZE(combs));
}

static void b_acquire_v6_ids(struct pfk_builder *b)
{
	sd_v6(b);
	add_v6(b, SADB_X_EXT_ADDRESS_INNER_SRC, "fd00:1::5", 0, 0, 128);
	add_v6(b, SADB_X_EXT_ADDRESS_INNER_DST, "fd00:2::9", 0, 0, 128);
	pfk_add_identity(b, SADB_EXT_IDENTITY_SRC, SADB_IDENTTYPE_PREFIX, "2001:db8::/64");
	pfk_add_identity(b, SADB_EXT_IDENTITY_DST, SADB_X_IDENTTYPE_DN, "CN=peer,O=example");
	pfk_add_kmc(b, SADB_X_KMP_KINK, 7);
	pfk_add_proposal(b, 64, combs, 1);
}

/* EPROP: one extended combination with three algorithm descriptors.  The
 * body after the 4-byte extension header is packed (the ecomb's 64-bit
 * fields sit at offset 4 of it), so it is assembled with memcpy. */
static void b_acquire_eprop(struct pfk_builder *b)
{
	struct sadb_prop prop = { .sadb_prop_replay = 32, .sadb_x_prop_numecombs = 1 };
	struct sadb_x_ecomb ec = { .sadb_x_ecomb_numalgs = 3, .sadb_x_ecomb_soft_addtime = 2880,
				   .sadb_x_ecomb_hard_addtime = 3600 };
	const struct sadb_x_algdesc algs[3] = {
		{ SADB_SATYPE_ESP, SADB_X_ALGTYPE_CRYPT, SADB_EALG_AES_GCM_16, 0, 128, 256 },
		{ SADB_SATYPE_ESP, SADB_X_ALGTYPE_CRYPT, SADB_EALG_AES_CBC, 0, 128, 256 },
		{ SADB_SATYPE_ESP, SADB_X_ALGTYPE_AUTH, SADB_AALG_SHA256HMAC, 0, 256, 256 },
	};
	uint8_t body[sizeof(prop) - 4 + sizeof(ec) + sizeof(algs)];

	memcpy(body, (const uint8_t *)&prop + 4, sizeof(prop) - 4);
	memcpy(body + sizeof(prop) - 4, &ec, sizeof(ec));
	memcpy(body + sizeof(prop) - 4 + sizeof(ec), algs, sizeof(algs));
	sd_v4(b);
	pfk_add_ext(b, SADB_X_EXT_EPROP, body, sizeof(body));
}

static void b_expire_soft(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x12345678), 32, SADB_SASTATE_DYING, SADB_AALG_NONE,
		   SADB_EALG_AES_GCM_16, 0);
	current(b);
	pfk_add_lifetime(b, SADB_EXT_LIFETIME_SOFT, 0, 900000000, 3000, 0);
	sd_v4(b);
}

static void b_expire_hard_v6(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x2000), 64, SADB_SASTATE_DEAD, SADB_AALG_SHA256HMAC,
		   SADB_EALG_AES_CBC, 0);
	current(b);
	pfk_add_lifetime(b, SADB_EXT_LIFETIME_HARD, 0, 0, 3600, 0);
	sd_v6(b);
}

static void b_expire_idle(struct pfk_builder *b)
{
	pfk_add_sa(b, htonl(0x4000), 64, SADB_SASTATE_DYING, SADB_AALG_NONE,
		   SADB_EALG_AES_GCM_16, SADB_X_SAFLAGS_TUNNEL);
	current(b);
	pfk_add_lifetime(b, SADB_X_EXT_LIFETIME_IDLE, 0, 0, 600, 300);
	sd_v4(b);
	add_v4(b, SADB_X_EXT_ADDRESS_INNER_SRC, "10.1.0.0", 0, 0, 16);
	add_v4(b, SADB_X_EXT_ADDRESS_INNER_DST, "10.2.0.0", 0, 0, 16);
}

/* X_PROMISC replies may carry anything: the only shape that lets the
 * labels (SENSITIVITY, X_OUTER_SENS) through.  One 8-byte sensitivity
 * bitmap after the 16-byte sadb_sens. */
static void b_promisc_labels(struct pfk_builder *b)
{
	const struct sadb_sens s = { .sadb_sens_sens_level = 1, .sadb_sens_sens_len = 1 };
	const uint64_t bitmap = 0x00ff00ff00ff00ffull;
	uint8_t body[sizeof(s) - 4 + sizeof(bitmap)];

	memcpy(body, (const uint8_t *)&s + 4, sizeof(s) - 4);
	memcpy(body + sizeof(s) - 4, &bitmap, sizeof(bitmap));
	b_sa_sd_v4(b);
	pfk_add_ext(b, SADB_EXT_SENSITIVITY, body, sizeof(body));
	pfk_add_ext(b, SADB_X_EXT_OUTER_SENS, body, sizeof(body));
}

/* --- SPD messages -------------------------------------------------------- */

static const struct sadb_x_dpsec_selector sel_any4 = {
	.sadb_x_sel_family = AF_INET, .sadb_x_sel_proto = IPPROTO_UDP,
	.sadb_x_sel_src_prefixlen = 0, .sadb_x_sel_dst_prefixlen = 0,
	.sadb_x_sel_sport_min = 500, .sadb_x_sel_sport_max = 500,
	.sadb_x_sel_dport_min = 500, .sadb_x_sel_dport_max = 500,
	.sadb_x_sel_icmp_type_max = 255, .sadb_x_sel_icmp_code_max = 255,
};

static void b_spdadd_bypass(struct pfk_builder *b)
{
	const struct sadb_x_dpsec_policy p = { .sadb_x_pol_priority = 1,
		.sadb_x_pol_dir = SADB_X_DPSEC_DIR_BOTH,
		.sadb_x_pol_action = SADB_X_DPSEC_ACTION_BYPASS };

	pfk_add_policy(b, &p);
	pfk_add_selector(b, SADB_X_EXT_DPSEC_SELECTOR, &sel_any4);
}

static void b_spdadd_discard_v6(struct pfk_builder *b)
{
	const struct sadb_x_dpsec_policy p = { .sadb_x_pol_priority = 9999,
		.sadb_x_pol_dir = SADB_X_DPSEC_DIR_IN,
		.sadb_x_pol_action = SADB_X_DPSEC_ACTION_DISCARD };
	struct sadb_x_dpsec_selector s = {
		.sadb_x_sel_family = AF_INET6, .sadb_x_sel_proto = IPPROTO_ICMPV6,
		.sadb_x_sel_src_prefixlen = 48, .sadb_x_sel_dst_prefixlen = 128,
		.sadb_x_sel_sport_max = 65535, .sadb_x_sel_dport_max = 65535,
		.sadb_x_sel_icmp_type_min = 128, .sadb_x_sel_icmp_type_max = 129,
		.sadb_x_sel_icmp_code_max = 0,
	};

	inet_pton(AF_INET6, "2001:db8:1::", s.sadb_x_sel_src);
	inet_pton(AF_INET6, "2001:db8::1", s.sadb_x_sel_dst);
	pfk_add_policy(b, &p);
	pfk_add_selector(b, SADB_X_EXT_DPSEC_SELECTOR, &s);
}

static void b_spdadd_transport(struct pfk_builder *b)
{
	const struct sadb_x_dpsec_policy p = { .sadb_x_pol_priority = 50,
		.sadb_x_pol_dir = SADB_X_DPSEC_DIR_OUT,
		.sadb_x_pol_action = SADB_X_DPSEC_ACTION_IPSEC,
		.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TRANSPORT,
		.sadb_x_pol_flags = SADB_X_DPSEC_POLF_UNIQUE };
	const struct sadb_x_dpsec_sareq ah = { .sadb_x_req_satype = SADB_SATYPE_AH,
		.sadb_x_req_auth = SADB_AALG_SHA256HMAC };
	const struct sadb_x_dpsec_sareq esp = { .sadb_x_req_satype = SADB_SATYPE_ESP,
		.sadb_x_req_auth = SADB_X_DPSEC_ALG_ANY,
		.sadb_x_req_encrypt = SADB_X_DPSEC_ALG_ANY };

	pfk_add_policy(b, &p);
	pfk_add_selector(b, SADB_X_EXT_DPSEC_SELECTOR, &sel_any4);
	pfk_add_sareq(b, &ah);
	pfk_add_sareq(b, &esp);
}

static void b_spdadd_tunnel(struct pfk_builder *b, uint32_t index)
{
	const struct sadb_x_dpsec_policy p = { .sadb_x_pol_index = index,
		.sadb_x_pol_priority = 100, .sadb_x_pol_dir = SADB_X_DPSEC_DIR_OUT,
		.sadb_x_pol_action = SADB_X_DPSEC_ACTION_IPSEC,
		.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TUNNEL };
	struct sadb_x_dpsec_selector outer = {
		.sadb_x_sel_family = AF_INET, .sadb_x_sel_src_prefixlen = 32,
		.sadb_x_sel_dst_prefixlen = 32, .sadb_x_sel_sport_max = 65535,
		.sadb_x_sel_dport_max = 65535, .sadb_x_sel_icmp_type_max = 255,
		.sadb_x_sel_icmp_code_max = 255,
	};
	struct sadb_x_dpsec_selector inner = outer;
	const struct sadb_x_dpsec_sareq gcm = { .sadb_x_req_satype = SADB_SATYPE_ESP,
		.sadb_x_req_encrypt = SADB_EALG_AES_GCM_16, .sadb_x_req_encrypt_minbits = 128,
		.sadb_x_req_encrypt_maxbits = 256 };
	const struct sadb_x_dpsec_sareq cbc = { .sadb_x_req_satype = SADB_SATYPE_ESP,
		.sadb_x_req_auth = SADB_AALG_SHA256HMAC, .sadb_x_req_encrypt = SADB_EALG_AES_CBC };

	inet_pton(AF_INET, "192.0.2.1", outer.sadb_x_sel_src);
	inet_pton(AF_INET, "198.51.100.2", outer.sadb_x_sel_dst);
	inner.sadb_x_sel_proto = IPPROTO_TCP;
	inner.sadb_x_sel_src_prefixlen = 16;
	inner.sadb_x_sel_dst_prefixlen = 16;
	inner.sadb_x_sel_dport_min = inner.sadb_x_sel_dport_max = 443;
	memset(inner.sadb_x_sel_src, 0, 16);
	memset(inner.sadb_x_sel_dst, 0, 16);
	inet_pton(AF_INET, "10.1.0.0", inner.sadb_x_sel_src);
	inet_pton(AF_INET, "10.2.0.0", inner.sadb_x_sel_dst);
	pfk_add_policy(b, &p);
	pfk_add_selector(b, SADB_X_EXT_DPSEC_SELECTOR, &outer);
	pfk_add_selector(b, SADB_X_EXT_DPSEC_INNER_SELECTOR, &inner);
	pfk_add_sareq(b, &gcm);
	pfk_add_sareq(b, &cbc);
	sd_v4(b);
}

static void b_spdadd_tunnel_req(struct pfk_builder *b)
{
	b_spdadd_tunnel(b, 0);
}

static void b_spdadd_tunnel_reply(struct pfk_builder *b)
{
	b_spdadd_tunnel(b, 7);
}

static void b_policy_index(struct pfk_builder *b)
{
	const struct sadb_x_dpsec_policy p = { .sadb_x_pol_index = 7,
		.sadb_x_pol_dir = SADB_X_DPSEC_DIR_OUT,
		.sadb_x_pol_action = SADB_X_DPSEC_ACTION_IPSEC };

	pfk_add_policy(b, &p);
}

/* ------------------------------------------------------------------------ */

static const struct gen_msg msgs[] = {
	/* SA requests */
	{ "req_getspi_v4", GEN_REQUEST, SADB_GETSPI, SADB_SATYPE_ESP, 1, b_getspi_v4 },
	{ "req_getspi_v6_ah", GEN_REQUEST, SADB_GETSPI, SADB_SATYPE_AH, 2, b_getspi_v6 },
	{ "req_add_gcm_v4", GEN_REQUEST, SADB_ADD, SADB_SATYPE_ESP, 3, b_add_gcm_v4 },
	{ "req_add_cbc_v6_ids_kmc", GEN_REQUEST, SADB_ADD, SADB_SATYPE_ESP, 4, b_add_cbc_v6 },
	{ "req_add_ah", GEN_REQUEST, SADB_ADD, SADB_SATYPE_AH, 5, b_add_ah },
	{ "req_add_tunnel_natt", GEN_REQUEST, SADB_ADD, SADB_SATYPE_ESP, 6, b_add_tunnel_natt },
	{ "req_add_tunnel_v6", GEN_REQUEST, SADB_ADD, SADB_SATYPE_ESP, 7, b_add_tunnel_v6 },
	{ "req_add_dpsec", GEN_REQUEST, SADB_ADD, SADB_SATYPE_ESP, 8, b_add_dpsec },
	{ "req_update_keys", GEN_REQUEST, SADB_UPDATE, SADB_SATYPE_ESP, 9, b_add_gcm_v4 },
	{ "req_update_replay", GEN_REQUEST, SADB_UPDATE, SADB_SATYPE_ESP, 10, b_update_replay },
	{ "req_delete_v4", GEN_REQUEST, SADB_DELETE, SADB_SATYPE_ESP, 11, b_sa_sd_v4 },
	{ "req_delete_v6", GEN_REQUEST, SADB_DELETE, SADB_SATYPE_ESP, 12, b_sa_sd_v6 },
	{ "req_get", GEN_REQUEST, SADB_GET, SADB_SATYPE_ESP, 13, b_sa_dst_v4 },
	{ "req_register", GEN_REQUEST, SADB_REGISTER, SADB_SATYPE_ESP, 14, b_bare },
	{ "req_register_ereg", GEN_REQUEST, SADB_REGISTER, SADB_SATYPE_UNSPEC, 15,
	  b_register_ereg },
	{ "req_flush_all", GEN_REQUEST, SADB_FLUSH, SADB_SATYPE_UNSPEC, 16, b_bare },
	{ "req_flush_ah", GEN_REQUEST, SADB_FLUSH, SADB_SATYPE_AH, 17, b_bare },
	{ "req_dump_all", GEN_REQUEST, SADB_DUMP, SADB_SATYPE_UNSPEC, 18, b_bare },
	{ "req_dump_edump", GEN_REQUEST, SADB_DUMP, SADB_SATYPE_ESP, 19, b_dump_edump },
	{ "req_promisc_on", GEN_REQUEST, SADB_X_PROMISC, 1, 20, b_bare },
	{ "req_inverse_acquire", GEN_REQUEST, SADB_X_INVERSE_ACQUIRE, SADB_SATYPE_ESP, 21,
	  b_inverse_acquire },
	{ "req_updatepair", GEN_REQUEST, SADB_X_UPDATEPAIR, SADB_SATYPE_ESP, 22, b_updatepair },
	{ "req_delpair", GEN_REQUEST, SADB_X_DELPAIR, SADB_SATYPE_ESP, 23, b_sa_sd_v4 },
	{ "req_delpair_state", GEN_REQUEST, SADB_X_DELPAIR_STATE, SADB_SATYPE_ESP, 24,
	  b_delpair_state },
	/* SPD requests */
	{ "req_spdadd_bypass", GEN_REQUEST, SADB_X_DPSEC_SPDADD, 0, 30, b_spdadd_bypass },
	{ "req_spdadd_discard_v6", GEN_REQUEST, SADB_X_DPSEC_SPDADD, 0, 31,
	  b_spdadd_discard_v6 },
	{ "req_spdadd_transport", GEN_REQUEST, SADB_X_DPSEC_SPDADD, 0, 32, b_spdadd_transport },
	{ "req_spdadd_tunnel", GEN_REQUEST, SADB_X_DPSEC_SPDADD, 0, 33, b_spdadd_tunnel_req },
	{ "req_spddelete", GEN_REQUEST, SADB_X_DPSEC_SPDDELETE, 0, 34, b_policy_index },
	{ "req_spdget", GEN_REQUEST, SADB_X_DPSEC_SPDGET, 0, 35, b_policy_index },
	{ "req_spddump", GEN_REQUEST, SADB_X_DPSEC_SPDDUMP, 0, 36, b_bare },
	{ "req_spdflush", GEN_REQUEST, SADB_X_DPSEC_SPDFLUSH, 0, 37, b_bare },
	/* Replies and events */
	{ "rep_getspi", GEN_REPLY, SADB_GETSPI, SADB_SATYPE_ESP, 1, b_getspi_reply },
	{ "rep_add", GEN_REPLY, SADB_ADD, SADB_SATYPE_ESP, 3, b_add_reply },
	{ "rep_update", GEN_REPLY, SADB_UPDATE, SADB_SATYPE_ESP, 10, b_add_reply },
	{ "rep_delete", GEN_REPLY, SADB_DELETE, SADB_SATYPE_ESP, 11, b_sa_sd_v4 },
	{ "rep_get_keys", GEN_REPLY, SADB_GET, SADB_SATYPE_ESP, 13, b_get_reply },
	{ "rep_dump_v6", GEN_REPLY, SADB_DUMP, SADB_SATYPE_ESP, 18, b_dump_reply_v6 },
	{ "rep_dump_end", GEN_REPLY, SADB_DUMP, SADB_SATYPE_ESP, 0, b_bare },
	{ "rep_register", GEN_REPLY, SADB_REGISTER, SADB_SATYPE_ESP, 14, b_register_reply },
	{ "rep_flush", GEN_REPLY, SADB_FLUSH, SADB_SATYPE_UNSPEC, 16, b_bare },
	{ "ev_acquire_v4", GEN_REPLY, SADB_ACQUIRE, SADB_SATYPE_ESP, 40, b_acquire_v4 },
	{ "ev_acquire_v6_ids", GEN_REPLY, SADB_ACQUIRE, SADB_SATYPE_ESP, 41, b_acquire_v6_ids },
	{ "ev_acquire_eprop", GEN_REPLY, SADB_ACQUIRE, SADB_SATYPE_ESP, 42, b_acquire_eprop },
	{ "rep_inverse_acquire", GEN_REPLY, SADB_X_INVERSE_ACQUIRE, SADB_SATYPE_ESP, 21,
	  b_acquire_eprop },
	{ "ev_expire_soft", GEN_REPLY, SADB_EXPIRE, SADB_SATYPE_ESP, 0, b_expire_soft },
	{ "ev_expire_hard_v6", GEN_REPLY, SADB_EXPIRE, SADB_SATYPE_ESP, 0, b_expire_hard_v6 },
	{ "ev_expire_idle", GEN_REPLY, SADB_EXPIRE, SADB_SATYPE_ESP, 0, b_expire_idle },
	{ "rep_updatepair", GEN_REPLY, SADB_X_UPDATEPAIR, SADB_SATYPE_ESP, 22, b_updatepair },
	{ "rep_delpair", GEN_REPLY, SADB_X_DELPAIR, SADB_SATYPE_ESP, 23, b_sa_sd_v4 },
	{ "rep_delpair_state", GEN_REPLY, SADB_X_DELPAIR_STATE, SADB_SATYPE_ESP, 24,
	  b_delpair_state },
	{ "rep_promisc_labels", GEN_REPLY, SADB_X_PROMISC, 1, 20, b_promisc_labels },
	{ "rep_spdadd_tunnel", GEN_REPLY, SADB_X_DPSEC_SPDADD, 0, 33, b_spdadd_tunnel_reply },
	{ "rep_spdget", GEN_REPLY, SADB_X_DPSEC_SPDGET, 0, 35, b_spdadd_tunnel_reply },
	{ "rep_spddump_bypass", GEN_REPLY, SADB_X_DPSEC_SPDDUMP, 0, 36, b_spdadd_bypass },
	{ "rep_spddump_end", GEN_REPLY, SADB_X_DPSEC_SPDDUMP, 0, 0, b_bare },
	{ "rep_spdflush", GEN_REPLY, SADB_X_DPSEC_SPDFLUSH, 0, 37, b_bare },
};

static int write_file(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	ok = fwrite(buf, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	if (!ok)
		perror(path);
	return ok ? 0 : -1;
}

/* Build one message and check it; returns its length or -1. */
static int build_one(const struct gen_msg *g, uint64_t *buf, size_t cap)
{
	struct pfk_builder b;
	struct pfk_msg m;
	uint16_t diag = 0;
	int len, rc;

	pfk_build_init(&b, buf, cap, g->type, g->satype, g->seq,
		       g->check == GEN_REQUEST ? PID : (g->seq ? PID : 0));
	g->build(&b);
	len = pfk_build_finish(&b);
	if (len < 0) {
		fprintf(stderr, "%s: build: %s\n", g->name, strerror(-len));
		return -1;
	}
	rc = pfk_validate(buf, (size_t)len, g->check, &m, &diag);
	if (rc != 0) {
		fprintf(stderr, "%s: invalid: %s, diagnostic %u (%s)\n", g->name, strerror(-rc),
			diag, pfk_diag_name(diag) ? pfk_diag_name(diag) : "?");
		return -1;
	}
	return len;
}

int main(int argc, char **argv)
{
	static uint64_t buf[4096 / 8];
	uint64_t err[2];
	int failed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < ARRAY_SIZE(msgs); i++) {
		if (build_one(&msgs[i], buf, sizeof(buf)) < 0)
			failed = 1;
	}
	if (failed)
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(msgs); i++) {
		const int len = build_one(&msgs[i], buf, sizeof(buf));

		if (len < 0 || write_file(argv[1], msgs[i].name, buf, (size_t)len) < 0)
			return 1;
	}
	/* An error reply, from the ADD request's header. */
	if (build_one(&msgs[2], buf, sizeof(buf)) < 0 ||
	    pfk_build_error((const struct sadb_msg *)(const void *)buf, EEXIST,
			    SADB_X_DIAGNOSTIC_NONE, err, sizeof(err)) != 16 ||
	    write_file(argv[1], "rep_error_add", err, sizeof(err)) < 0)
		return 1;
	printf("%zu messages written to %s\n", ARRAY_SIZE(msgs) + 1, argv[1]);
	return 0;
}
