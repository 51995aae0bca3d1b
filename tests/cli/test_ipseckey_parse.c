/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ipseckey_parse: the ipseckey(8) grammar -> PF_KEY requests.
 *
 * Every keyword and synonym, the EXAMPLES of the illumos ipseckey(8) man
 * page, the defects of the original fixed on purpose, a table of bad lines
 * with their exact messages, command-line refusal and file parsing that
 * reports every bad command.  Good requests are checked with the codec's
 * own validator (pfk_validate, request direction) besides field by field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ipseckey.h"

/* Keys of the right sizes. */
#define K128 "000102030405060708090a0b0c0d0e0f"
#define K160 K128 "10111213"
#define K256 K128 "101112131415161718191a1b1c1d1e1f"
#define ESP_BASE "add esp spi 0x1000 src 192.0.2.1 dst 192.0.2.2 encr_alg aes " \
		 "encrkey " K128 " auth_alg sha256 authkey " K256
#define AH_BASE "add ah spi 0x1000 src 192.0.2.1 dst 192.0.2.2 auth_alg sha1 authkey " K160

static struct cli_cmd cmd_a, cmd_b;

/* Parse a good line; with validate, also run the codec's checks. */
static void parse_ok(const char *line, struct cli_cmd *cmd, struct pfk_msg *m,
		     bool validate)
{
	struct cli_error err;
	uint16_t diag = 0;
	int rc = cli_parse_line(line, 1, CLI_NUMERIC, 7, 4242, cmd, &err);

	if (rc != 0)
		print_error("unexpected error for '%s': %s\n", line, err.msg);
	assert_int_equal(rc, 0);
	if (cmd->msg_len == 0)
		return;
	rc = validate ? pfk_validate(cmd->msg, cmd->msg_len, PFK_DIR_REQUEST, m, &diag) :
	     pfk_parse(cmd->msg, cmd->msg_len, m, &diag);
	if (rc != 0)
		print_error("codec rejects '%s': diag %u %s\n", line, diag,
			    pfk_diag_name(diag));
	assert_int_equal(rc, 0);
	assert_int_equal(m->hdr->sadb_msg_seq, 7);
	assert_int_equal(m->hdr->sadb_msg_pid, 4242);
}

static void assert_same_request(const char *a, const char *b)
{
	struct pfk_msg ma, mb;

	parse_ok(a, &cmd_a, &ma, false);
	parse_ok(b, &cmd_b, &mb, false);
	if (cmd_a.msg_len != cmd_b.msg_len || cmd_a.verb != cmd_b.verb ||
	    memcmp(cmd_a.msg, cmd_b.msg, cmd_a.msg_len) != 0)
		print_error("'%s' and '%s' differ\n", a, b);
	assert_int_equal(cmd_a.verb, cmd_b.verb);
	assert_int_equal(cmd_a.msg_len, cmd_b.msg_len);
	assert_memory_equal(cmd_a.msg, cmd_b.msg, cmd_a.msg_len);
}

/* ------------------------------------------------------------------------ */
/* Synonyms give byte-identical requests.                                    */

static const char *const synonyms[][2] = {
	{ ESP_BASE, "add esp spi 0x1000 srcaddr 192.0.2.1 dstaddr 192.0.2.2 encralg aes "
	  "encrkey " K128 " authalg sha256 authkey " K256 },
	{ ESP_BASE, "add esp spi 0x1000 saddr 192.0.2.1 daddr 192.0.2.2 encr_alg aes-cbc "
	  "encrkey 0x" K128 " auth_alg hmac-sha256 authkey " K256 },
	{ ESP_BASE, "ADD ESP SPI 4096 SRC 192.0.2.1 DST 192.0.2.2 ENCR_ALG AES "
	  "ENCRKEY " K128 " AUTH_ALG SHA256 AUTHKEY " K256 },
	{ ESP_BASE, "add 3 spi 0x1000 src 192.0.2.1 dst 192.0.2.2 encr_alg 12 "
	  "encrkey " K128 " auth_alg 5 authkey " K256 },
	{ ESP_BASE, "add esp dst 192.0.2.2 authkey " K256 " auth_alg sha256 encrkey " K128
	  " encr_alg aes src 192.0.2.1 spi 0x1000" },
	{ AH_BASE, "add ah spi 0x1000 src 192.0.2.1 dst 192.0.2.2 auth_alg sha authkey " K160 },
	{ AH_BASE, "add ah spi 0x1000 src 192.0.2.1 dst 192.0.2.2 auth_alg hmac-sha1 authkey "
	  K160 },
	{ AH_BASE, "add 2 spi 0x1000 src 192.0.2.1 dst 192.0.2.2 authalg 3 authkey " K160 },
	{ "add ah spi 1 src6 2001:db8::1 dst6 2001:db8::2 auth_alg sha1 authkey " K160,
	  "add ah spi 1 srcaddr6 2001:db8::1 dstaddr6 2001:db8::2 auth_alg sha1 authkey " K160 },
	{ "add ah spi 1 src6 2001:db8::1 dst6 2001:db8::2 auth_alg sha1 authkey " K160,
	  "add ah spi 1 saddr6 2001:db8::1 daddr6 2001:db8::2 auth_alg sha1 authkey " K160 },
	{ "add ah spi 1 src6 2001:db8::1 dst6 2001:db8::2 auth_alg sha1 authkey " K160,
	  "add ah spi 1 src 2001:db8::1 dst 2001:db8::2 auth_alg sha1 authkey " K160 },
	{ AH_BASE " isrc 10.0.0.0/8 idst 10.1.0.0/16 isport 1 idport 2 iproto 6",
	  AH_BASE " innersrc 10.0.0.0/8 innerdst 10.1.0.0/16 innersport 1 innerdport 2 iulp tcp" },
	{ AH_BASE " isrc 10.0.0.0/8 idst 10.1.0.0/16",
	  AH_BASE " proxy 10.0.0.0/8 idst 10.1.0.0/16" },
	{ AH_BASE " isrc 10.0.0.0/8 idst 10.1.0.0/16",
	  AH_BASE " proxyaddr 10.0.0.0/8 innerdst 10.1.0.0/16" },
	{ AH_BASE " isrc 10.0.0.7 idst 10.1.0.9",
	  AH_BASE " isrc 10.0.0.7/32 idst 10.1.0.9/32" },
	{ "add ah spi 1 dst6 2001:db8::2 auth_alg sha1 authkey " K160
	  " isrc6 2001:db8:1::/48 idst6 2001:db8:2::/48",
	  "add ah spi 1 dst 2001:db8::2 auth_alg sha1 authkey " K160
	  " innersrc6 2001:db8:1::/48 innerdst6 2001:db8:2::/48" },
	{ "add ah spi 1 dst6 2001:db8::2 auth_alg sha1 authkey " K160
	  " isrc6 2001:db8:1::/48 idst6 2001:db8:2::/48",
	  "add ah spi 1 dst6 2001:db8::2 auth_alg sha1 authkey " K160
	  " proxy6 2001:db8:1::/48 idst6 2001:db8:2::/48" },
	{ "add ah spi 1 dst6 2001:db8::2 auth_alg sha1 authkey " K160
	  " isrc6 2001:db8:1::/48 idst6 2001:db8:2::/48",
	  "add ah spi 1 dst6 2001:db8::2 auth_alg sha1 authkey " K160
	  " proxyaddr6 2001:db8:1::/48 idst6 2001:db8:2::/48" },
	{ AH_BASE " proto 17 sport 500 dport 4500", AH_BASE " ulp udp sport 500 dport 4500" },
	{ AH_BASE " state 6", AH_BASE " state active" },
	{ AH_BASE " state 4", AH_BASE " state ACTIVE_ELSEWHERE" },
	{ AH_BASE " state 1", AH_BASE },
	{ AH_BASE " replay 300", AH_BASE " replay_window 300" },
	{ AH_BASE " soft_bytes 0x10", AH_BASE " soft_bytes 16" },
	{ "add esp spi 9 dst 192.0.2.2 encr_alg aes-gcm encrkey " K160,
	  "add esp spi 9 dst 192.0.2.2 encr_alg aes-gcm16 encrkey " K160 " reserved_bits 32" },
	{ "add esp spi 9 dst 192.0.2.2 encr_alg aes-gcm encrkey " K160,
	  "add esp spi 9 src 0.0.0.0 dst 192.0.2.2 encr_alg 20 encrkey " K160 },
	{ "add esp spi 9 dst 192.0.2.2 auth_alg sha1 authkey " K160,
	  "add esp spi 9 dst 192.0.2.2 auth_alg sha1 authkey " K160 " encr_alg null" },
	{ "add esp spi 9 dst 192.0.2.2 auth_alg sha1 authkey " K160 " srcidtype fqdn a.example",
	  "add esp spi 9 dst 192.0.2.2 auth_alg sha1 authkey " K160 " srcidtype domain a.example" },
	{ "add esp spi 9 dst 192.0.2.2 auth_alg sha1 authkey " K160 " dstidtype user_fqdn a@b",
	  "add esp spi 9 dst 192.0.2.2 auth_alg sha1 authkey " K160 " dstidtype mailbox a@b" },
	{ "add esp spi 9 dst 192.0.2.2 auth_alg sha1 authkey " K160 " srcidtype fqdn \"a b\"",
	  "add esp spi 9 dst 192.0.2.2 auth_alg sha1 authkey \"" K160 "\" srcidtype fqdn \"a b\"" },
	{ "passive_monitor", "pmonitor" },
	{ "passive_monitor esp", "pmonitor 3" },
	{ "help", "?" },
	{ "help add", "? add" },
	{ "quit", "exit" },
	{ "flush", "flush all" },
	{ "flush all", "flush 0" },
	{ "dump", "dump all" },
	{ "save", "save all" },
	{ "get esp spi 5 dst 192.0.2.2", "get esp dst 192.0.2.2 spi 5 src 0.0.0.0" },
	{ "delete ah spi 5 dst 192.0.2.2 inbound", "delete ah inbound dst 192.0.2.2 spi 5" },
	{ "", "   # only a comment" },
};

static void test_synonyms(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(synonyms) / sizeof(synonyms[0]); i++)
		assert_same_request(synonyms[i][0], synonyms[i][1]);
}

/* ------------------------------------------------------------------------ */
/* What each keyword puts on the wire.                                       */

static const struct sockaddr_in *sin_of(const struct sadb_address *a)
{
	return (const struct sockaddr_in *)(const void *)pfk_addr_sockaddr(a);
}

static const struct sockaddr_in6 *sin6_of(const struct sadb_address *a)
{
	return (const struct sockaddr_in6 *)(const void *)pfk_addr_sockaddr(a);
}

static void test_esp_add_fields(void **state)
{
	struct pfk_msg m;

	(void)state;
	parse_ok(ESP_BASE, &cmd_a, &m, true);
	assert_int_equal(cmd_a.verb, CLI_VERB_ADD);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_ADD);
	assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_ESP);
	assert_int_equal(ntohl(m.sa->sadb_sa_spi), 0x1000);
	assert_int_equal(m.sa->sadb_sa_state, SADB_SASTATE_MATURE);
	assert_int_equal(m.sa->sadb_sa_auth, SADB_AALG_SHA256HMAC);
	assert_int_equal(m.sa->sadb_sa_encrypt, SADB_EALG_AES);
	assert_int_equal(m.sa->sadb_sa_flags, 0);
	assert_int_equal(m.sa->sadb_sa_replay, 0);
	assert_int_equal(sin_of(m.src)->sin_addr.s_addr, inet_addr("192.0.2.1"));
	assert_int_equal(sin_of(m.dst)->sin_addr.s_addr, inet_addr("192.0.2.2"));
	assert_int_equal(m.akey->sadb_key_bits, 256);
	assert_int_equal(m.ekey->sadb_key_bits, 128);
	assert_int_equal(m.ekey->sadb_x_key_saltbits, 0);
	assert_int_equal(pfk_key_data(m.ekey)[15], 0x0f);
	assert_null(m.lt_hard);
	assert_null(m.inner_src);
	assert_null(m.replay_window);
}

static void test_every_algorithm(void **state)
{
	char line[1024], key[600];
	const struct pfk_alg_info *a;
	struct pfk_msg m;

	(void)state;
	for (unsigned i = 0; (a = pfk_alg_at(PFK_ALG_AUTH, i)) != NULL; i++) {
		memset(key, 'a', a->minbits / 4);
		key[a->minbits / 4] = '\0';
		snprintf(line, sizeof(line), "add ah spi 1 dst 192.0.2.9 auth_alg %s authkey %s",
			 a->name, key);
		parse_ok(line, &cmd_a, &m, false);
		assert_int_equal(m.sa->sadb_sa_auth, a->id);
		assert_int_equal(m.akey->sadb_key_bits, a->minbits);
		for (const char *const *s = a->synonyms; s != NULL && *s != NULL; s++) {
			char line2[1024];

			snprintf(line2, sizeof(line2),
				 "add ah spi 1 dst 192.0.2.9 auth_alg %s authkey %s", *s, key);
			assert_same_request(line, line2);
		}
	}
	for (unsigned i = 0; (a = pfk_alg_at(PFK_ALG_ENCRYPT, i)) != NULL; i++) {
		unsigned bits = a->maxbits + a->saltbits;
		bool aead = a->flags & PFK_ALG_AEAD;

		memset(key, 'b', bits / 4);
		key[bits / 4] = '\0';
		if (a->id == SADB_EALG_NULL)
			snprintf(line, sizeof(line), "add esp spi 1 dst 192.0.2.9 encr_alg null "
				 "auth_alg sha1 authkey " K160);
		else
			snprintf(line, sizeof(line), "add esp spi 1 dst 192.0.2.9 encr_alg %s "
				 "encrkey %s%s", a->name, key, aead ? "" :
				 " auth_alg sha1 authkey " K160);
		parse_ok(line, &cmd_a, &m, false);
		assert_int_equal(m.sa->sadb_sa_encrypt, a->id);
		if (a->id != SADB_EALG_NULL) {
			/* The key includes the salt; reserved_bits defaults to it. */
			assert_int_equal(m.ekey->sadb_key_bits, bits);
			assert_int_equal(m.ekey->sadb_x_key_saltbits, a->saltbits);
		} else {
			assert_null(m.ekey);
		}
		for (const char *const *s = a->synonyms; s != NULL && *s != NULL; s++) {
			char line2[1024];

			snprintf(line2, sizeof(line2), "add esp spi 1 dst 192.0.2.9 encr_alg %s "
				 "encrkey %s%s", *s, key,
				 aead ? "" : " auth_alg sha1 authkey " K160);
			assert_same_request(line, line2);
		}
	}
}

static void test_lifetimes(void **state)
{
	struct pfk_msg m;

	(void)state;
	parse_ok(AH_BASE " soft_alloc 1 soft_bytes 2 soft_addtime 3 soft_usetime 4 "
		 "hard_alloc 10 hard_bytes 20 hard_addtime 30 hard_usetime 40 "
		 "idle_addtime 2 idle_usetime 3", &cmd_a, &m, true);
	assert_int_equal(m.lt_soft->sadb_lifetime_allocations, 1);
	assert_int_equal(m.lt_soft->sadb_lifetime_bytes, 2);
	assert_int_equal(m.lt_soft->sadb_lifetime_addtime, 3);
	assert_int_equal(m.lt_soft->sadb_lifetime_usetime, 4);
	assert_int_equal(m.lt_hard->sadb_lifetime_allocations, 10);
	assert_int_equal(m.lt_hard->sadb_lifetime_bytes, 20);
	assert_int_equal(m.lt_hard->sadb_lifetime_addtime, 30);
	assert_int_equal(m.lt_hard->sadb_lifetime_usetime, 40);
	assert_int_equal(m.lt_idle->sadb_lifetime_addtime, 2);
	assert_int_equal(m.lt_idle->sadb_lifetime_usetime, 3);
	assert_null(m.lt_current);

	parse_ok(AH_BASE " hard_bytes 18446744073709551615", &cmd_a, &m, true);
	assert_true(m.lt_hard->sadb_lifetime_bytes == UINT64_MAX);
	assert_null(m.lt_soft);
	assert_null(m.lt_idle);
}

static void test_addresses_ports_proto(void **state)
{
	struct pfk_msg m;

	(void)state;
	/* A missing src is the unspecified address of dst's family. */
	parse_ok("add ah spi 1 dst 192.0.2.2 auth_alg sha1 authkey " K160 " sport 1234 "
		 "dport 4321 proto udp", &cmd_a, &m, true);
	assert_int_equal(sin_of(m.src)->sin_family, AF_INET);
	assert_int_equal(sin_of(m.src)->sin_addr.s_addr, 0);
	assert_int_equal(ntohs(sin_of(m.src)->sin_port), 1234);
	assert_int_equal(ntohs(sin_of(m.dst)->sin_port), 4321);
	assert_int_equal(m.src->sadb_address_proto, 17);
	assert_int_equal(m.dst->sadb_address_proto, 17);
	assert_int_equal(m.src->sadb_address_prefixlen, 0);

	parse_ok("add ah spi 1 dst 2001:db8::2 auth_alg sha1 authkey " K160, &cmd_a, &m, true);
	assert_int_equal(sin6_of(m.src)->sin6_family, AF_INET6);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&sin6_of(m.src)->sin6_addr));
	assert_int_equal(sin6_of(m.dst)->sin6_family, AF_INET6);

	/* Inner keywords make a tunnel-mode SA. */
	parse_ok(AH_BASE " isrc 10.0.0.0/8 idst 10.1.0.0/16 isport 7 idport 9 iproto 6",
		 &cmd_a, &m, true);
	assert_true(m.sa->sadb_sa_flags & SADB_X_SAFLAGS_TUNNEL);
	assert_int_equal(m.inner_src->sadb_address_prefixlen, 8);
	assert_int_equal(m.inner_dst->sadb_address_prefixlen, 16);
	assert_int_equal(m.inner_src->sadb_address_proto, 6);
	assert_int_equal(ntohs(sin_of(m.inner_src)->sin_port), 7);
	assert_int_equal(ntohs(sin_of(m.inner_dst)->sin_port), 9);
	assert_int_equal(sin_of(m.inner_dst)->sin_addr.s_addr, inet_addr("10.1.0.0"));
	assert_int_equal(m.src->sadb_address_proto, 0);
}

static void test_natt(void **state)
{
	struct pfk_msg m;

	(void)state;
	parse_ok("add esp spi 1 src 192.0.2.1 dst 198.51.100.2 encr_alg aes-gcm encrkey " K160
		 " encap udp nat_loc 203.0.113.5 nat_rem 10.9.9.9 nat_lport 4500 nat_rport 4501",
		 &cmd_a, &m, true);
	assert_true(m.sa->sadb_sa_flags & SADB_X_SAFLAGS_NATT_LOC);
	assert_true(m.sa->sadb_sa_flags & SADB_X_SAFLAGS_NATT_REM);
	assert_int_equal(sin_of(m.natt_loc)->sin_addr.s_addr, inet_addr("203.0.113.5"));
	assert_int_equal(ntohs(sin_of(m.natt_loc)->sin_port), 4500);
	assert_int_equal(sin_of(m.natt_rem)->sin_addr.s_addr, inet_addr("10.9.9.9"));
	assert_int_equal(ntohs(sin_of(m.natt_rem)->sin_port), 4501);

	/* A port alone: the address is unspecified, the port travels. */
	parse_ok("add esp spi 1 dst 198.51.100.2 encr_alg aes-gcm encrkey " K160
		 " encap udp nat_rport 4500", &cmd_a, &m, true);
	assert_null(m.natt_loc);
	assert_int_equal(m.sa->sadb_sa_flags, SADB_X_SAFLAGS_NATT_REM);
	assert_int_equal(sin_of(m.natt_rem)->sin_addr.s_addr, 0);
	assert_int_equal(ntohs(sin_of(m.natt_rem)->sin_port), 4500);
}

static void test_keys(void **state)
{
	struct pfk_msg m;

	(void)state;
	/* "e/3" is three 1 bits from the top (ipseckey(8)); extra bits cleared. */
	parse_ok("add esp spi 1 dst 192.0.2.2 encr_alg blowfish encrkey ffffffff/32 "
		 "auth_alg sha1 authkey 0x" K160, &cmd_a, &m, false);
	assert_int_equal(m.ekey->sadb_key_bits, 32);
	/* Bits count from the most significant end of the digits. */
	parse_ok("add esp spi 1 dst 192.0.2.2 encr_alg blowfish encrkey 1234567890ff/40 "
		 "auth_alg sha1 authkey " K160, &cmd_a, &m, false);
	assert_int_equal(m.ekey->sadb_key_bits, 40);
	assert_int_equal(m.ekey->sadb_key_len * 8, 8 + 8);
	assert_int_equal(pfk_key_data(m.ekey)[0], 0x12);
	assert_int_equal(pfk_key_data(m.ekey)[4], 0x90);
	/* An odd digit count fills from the most significant nibble. */
	parse_ok("add esp spi 1 dst 192.0.2.2 encr_alg blowfish encrkey 123456789ab/40 "
		 "auth_alg sha1 authkey " K160, &cmd_a, &m, false);
	assert_int_equal(pfk_key_data(m.ekey)[4], 0x9a);
	/* reserved_bits overrides the algorithm's salt. */
	parse_ok("add esp spi 1 dst 192.0.2.2 encr_alg aes-gcm reserved_bits 32 encrkey "
		 K256 "00112233", &cmd_a, &m, true);
	assert_int_equal(m.ekey->sadb_key_bits, 288);
	assert_int_equal(m.ekey->sadb_x_key_saltbits, 32);
}

static void test_sa_extensions(void **state)
{
	struct pfk_msg m;

	(void)state;
	parse_ok(AH_BASE " pair-spi 0x2345 replay 32 replay_value 0x10000000005 "
		 "seq_lease 1000000 outbound state idle", &cmd_a, &m, true);
	assert_int_equal(ntohl(m.pair->sadb_x_pair_spi), 0x2345);
	assert_int_equal(m.sa->sadb_sa_replay, 32);
	assert_null(m.replay_window);
	assert_true(pfk_replay_value(m.replay_value) == 0x10000000005ull);
	assert_true(m.seq_lease->sadb_x_sl_limit == 1000000);
	assert_int_equal(m.sa->sadb_sa_flags, SADB_X_SAFLAGS_OUTBOUND);
	assert_int_equal(m.sa->sadb_sa_state, SADB_X_SASTATE_IDLE);

	parse_ok(AH_BASE " replay_window 64 esn inbound", &cmd_a, &m, true);
	assert_int_equal(m.sa->sadb_sa_replay, 64);
	assert_int_equal(m.replay_window->sadb_x_rw_window, 64);
	assert_int_equal(m.replay_window->sadb_x_rw_flags, SADB_X_DPSEC_RW_ESN);
	assert_int_equal(m.sa->sadb_sa_flags, SADB_X_SAFLAGS_INBOUND);

	parse_ok(AH_BASE " srcidtype fqdn gw.example.com dstidtype prefix 10.0.0.0/8",
		 &cmd_a, &m, true);
	assert_non_null(m.ext[SADB_EXT_IDENTITY_SRC]);
	const struct sadb_ident *id = (const void *)m.ext[SADB_EXT_IDENTITY_DST];

	assert_int_equal(id->sadb_ident_type, SADB_IDENTTYPE_PREFIX);
	assert_string_equal((const char *)(id + 1), "10.0.0.0/8");
}

/* ESP without encr_alg is NULL encryption. */
static void test_esp_null_default(void **state)
{
	struct pfk_msg m;

	(void)state;
	parse_ok("add esp spi 1 dst 192.0.2.2 auth_alg sha256 authkey " K256, &cmd_a, &m, true);
	assert_int_equal(m.sa->sadb_sa_encrypt, SADB_EALG_NULL);
	assert_null(m.ekey);
	/* update leaves the algorithm alone. */
	parse_ok("update esp spi 1 dst 192.0.2.2 hard_bytes 5", &cmd_a, &m, true);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_UPDATE);
	assert_int_equal(m.sa->sadb_sa_encrypt, SADB_EALG_NONE);
	assert_int_equal(m.lt_hard->sadb_lifetime_bytes, 5);
}

static void test_other_commands(void **state)
{
	static const struct {
		const char *line;
		enum cli_verb verb;
		uint8_t type, satype;
		size_t len;
	} t[] = {
		{ "flush", CLI_VERB_FLUSH, SADB_FLUSH, 0, 16 },
		{ "flush ah", CLI_VERB_FLUSH, SADB_FLUSH, SADB_SATYPE_AH, 16 },
		{ "dump esp", CLI_VERB_DUMP, SADB_DUMP, SADB_SATYPE_ESP, 16 },
		{ "save esp", CLI_VERB_SAVE, SADB_DUMP, SADB_SATYPE_ESP, 16 },
		{ "monitor", CLI_VERB_MONITOR, SADB_X_PROMISC, 1, 16 },
		{ "pmonitor ah", CLI_VERB_PMONITOR, SADB_REGISTER, SADB_SATYPE_AH, 16 },
		{ "delete esp spi 0x2112 dst 224.0.0.1", CLI_VERB_DELETE, SADB_DELETE,
		  SADB_SATYPE_ESP, 16 + 16 + 24 + 24 },
		{ "delete-pair esp spi 0x2112 dst 224.0.0.1", CLI_VERB_DELETE_PAIR,
		  SADB_X_DELPAIR, SADB_SATYPE_ESP, 80 },
		{ "get ah spi 0x5150 dst 192.0.2.3", CLI_VERB_GET, SADB_GET, SADB_SATYPE_AH, 80 },
		{ "update-pair esp spi 1 dst 192.0.2.3 hard_addtime 60", CLI_VERB_UPDATE_PAIR,
		  SADB_X_UPDATEPAIR, SADB_SATYPE_ESP, 80 + 32 },
		{ "help", CLI_VERB_HELP, 0, 0, 0 },
		{ "quit", CLI_VERB_QUIT, 0, 0, 0 },
		{ "   ", CLI_VERB_NONE, 0, 0, 0 },
	};
	struct pfk_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		parse_ok(t[i].line, &cmd_a, &m, true);
		assert_int_equal(cmd_a.verb, t[i].verb);
		assert_int_equal(cmd_a.msg_len, t[i].len);
		if (t[i].len == 0)
			continue;
		assert_int_equal(m.hdr->sadb_msg_type, t[i].type);
		assert_int_equal(m.hdr->sadb_msg_satype, t[i].satype);
	}
	/* delete carries only the lookup: no algorithms, no flags but direction. */
	parse_ok("delete esp spi 0x2112 dst 224.0.0.1 outbound", &cmd_a, &m, true);
	assert_int_equal(m.sa->sadb_sa_state, 0);
	assert_int_equal(m.sa->sadb_sa_flags, SADB_X_SAFLAGS_OUTBOUND);
	parse_ok("save esp /tmp/snapshot", &cmd_a, &m, true);
	assert_string_equal(cmd_a.arg, "/tmp/snapshot");
}

/* ------------------------------------------------------------------------ */
/* Defects of illumos ipseckey, fixed on purpose (PFKEY.md).                 */

static void test_fixed_defects(void **state)
{
	struct pfk_msg m;

	(void)state;
	/* 1. inbound/outbound before any SA keyword dereferenced NULL. */
	parse_ok("add ah inbound spi 1 dst 192.0.2.2 auth_alg sha1 authkey " K160, &cmd_a,
		 &m, true);
	assert_int_equal(m.sa->sadb_sa_flags, SADB_X_SAFLAGS_INBOUND);
	parse_ok("delete esp outbound spi 1 dst 192.0.2.2", &cmd_a, &m, true);
	assert_int_equal(m.sa->sadb_sa_flags, SADB_X_SAFLAGS_OUTBOUND);
	/* 2. numeric state was not parsed. */
	for (unsigned s = 0; s <= SADB_SASTATE_MAX; s++) {
		char line[256];

		snprintf(line, sizeof(line), AH_BASE " state %u", s);
		parse_ok(line, &cmd_a, &m, false);
		assert_int_equal(m.sa->sadb_sa_state, s);
	}
	/* 3. (printing of ACTIVE: test_ipseckey_print) */
	/* 4. replay_value was 32-bit only. */
	parse_ok(AH_BASE " replay_value 18446744073709551615", &cmd_a, &m, true);
	assert_true(pfk_replay_value(m.replay_value) == UINT64_MAX);
	assert_true(m.replay_value->sadb_x_rc_replay64 == UINT64_MAX);
	/* 5. windows above 255 could not be expressed. */
	parse_ok(AH_BASE " replay 65536", &cmd_a, &m, true);
	assert_int_equal(m.sa->sadb_sa_replay, 255);
	assert_int_equal(m.replay_window->sadb_x_rw_window, 65536);
	assert_int_equal(pfk_replay_window(&m), 65536);
	parse_ok(AH_BASE " replay 255", &cmd_a, &m, true);
	assert_null(m.replay_window);
	assert_int_equal(m.sa->sadb_sa_replay, 255);
}

/* ------------------------------------------------------------------------ */
/* The EXAMPLES of illumos ipseckey(8) (usr/src/man/man8/ipseckey.8), with   */
/* the host names replaced by documentation addresses: me.example.com =      */
/* 192.0.2.1, you.example.com = 192.0.2.2, mypeer = 192.0.2.3 (the tests run */
/* with -n).  md5 and des are legacy (dpsec refuses them at the gateway) but  */
/* the grammar accepts them, so only pfk_parse framing is checked here.       */

static const char *const man_examples[] = {
	/* Example 1, 2, 3, 4 */
	"flush", "flush ah", "save all", "save esp /tmp/snapshot",
	/* Example 5 */
	"delete esp spi 0x2112 dst 224.0.0.1",
	"delete-pair esp spi 0x2112 dst 224.0.0.1",
	/* Example 6 */
	"get ah spi 0x5150 dst 192.0.2.3",
	/* Example 7 */
	"add ah spi 0x90125 src 192.0.2.1 dst 192.0.2.2 "
	"authalg md5 authkey 1234567890abcdef1234567890abcdef",
	"update ah spi 0x90125 dst 192.0.2.2 hard_bytes 16000000",
	"add esp spi 0x2345 src 192.0.2.1 dst 192.0.2.2 "
	"authalg md5 authkey bde359723576fdea08e56cbe876e24ad encralg des encrkey be02938e7def2839",
	"add esp spi 0x5432 src 192.0.2.1 dst 192.0.2.2 "
	"authalg md5 authkey bde359723576fdea08e56cbe876e24ad "
	"encralg des encrkey be02938e7def2839 pair-spi 0x2345",
	/* Example 8 */
	"add ah spi 0x2112 src 192.0.2.2 dst 192.0.2.1 "
	"authalg md5 authkey bde359723576fdea08e56cbe876e24ad hard_bytes 16000000",
	/* Example 9 */
	"monitor",
	/* Example 11 */
	"add esp spi 0x6789 src6 fec0:bbbb::4483 dst6 fec0:bbbb::7843 "
	"authalg md5 authkey bde359723576fdea08e56cbe876e24ad "
	"encralg des encrkey be02938e7def2839 hard_usetime 28800",
	/* Example 12 */
	"update esp spi 0x123456 dst 192.168.99.2 pair-spi 0x654321",
};

/* Example 10: a file with comments and continuation lines. */
static const char man_example_file[] =
	"# This is a sample file for flushing out the ESP table and\n"
	"# adding a pair of SAs.\n"
	"\n"
	"flush esp\n"
	"\n"
	"### Watch out!  I have keying material in this file.  See the\n"
	"### SECURITY section in this manual page for why this can be\n"
	"### dangerous .\n"
	"\n"
	"add esp spi 0x2112 src 192.0.2.1 dst 192.0.2.2 \\\n"
	"    authalg md5 authkey bde359723576fdea08e56cbe876e24ad \\\n"
	"    encralg des encrkey be02938e7def2839 hard_usetime 28800\n"
	"add esp spi 0x5150 src 192.0.2.2 dst 192.0.2.1 \\\n"
	"    authalg md5 authkey 930987dbe09743ade09d92b4097d9e93 \\\n"
	"    encralg des encrkey 8bd4a52e10127deb hard_usetime 28800\n"
	"\n"
	"## End of file  -  This is a gratuitous comment\n";

struct collected {
	unsigned ncmds, nerrs;
	unsigned cmd_lines[8];
	uint8_t types[8];
	char errs[8][512];
	unsigned err_lines[8];
};

static int collect_cmd(void *arg, struct cli_cmd *cmd, unsigned line)
{
	struct collected *c = arg;

	if (c->ncmds < 8) {
		c->cmd_lines[c->ncmds] = line;
		c->types[c->ncmds] = cmd->msg_len ? cmd->msg[1] : 0;
	}
	c->ncmds++;
	return 0;
}

static void collect_err(void *arg, const struct cli_error *err)
{
	struct collected *c = arg;

	if (c->nerrs < 8) {
		snprintf(c->errs[c->nerrs], sizeof(c->errs[0]), "%s", err->msg);
		c->err_lines[c->nerrs] = err->line;
	}
	c->nerrs++;
}

static void test_man_examples(void **state)
{
	struct collected c = { 0 };
	struct pfk_msg m;
	FILE *f;

	(void)state;
	for (size_t i = 0; i < sizeof(man_examples) / sizeof(man_examples[0]); i++)
		parse_ok(man_examples[i], &cmd_a, &m, false);

	f = fmemopen((void *)man_example_file, sizeof(man_example_file) - 1, "r");
	assert_non_null(f);
	assert_int_equal(cli_parse_file(f, CLI_NUMERIC, 1, 1, collect_cmd, collect_err, &c), 0);
	fclose(f);
	assert_int_equal(c.nerrs, 0);
	assert_int_equal(c.ncmds, 3);
	assert_int_equal(c.cmd_lines[0], 4);
	assert_int_equal(c.cmd_lines[1], 10);
	assert_int_equal(c.cmd_lines[2], 13);
	assert_int_equal(c.types[0], SADB_FLUSH);
	assert_int_equal(c.types[1], SADB_ADD);
	assert_int_equal(c.types[2], SADB_ADD);
}

/* ------------------------------------------------------------------------ */
/* Bad lines and their exact messages.                                       */

static const struct {
	const char *line;
	const char *msg;
} bad_lines[] = {
	{ "frobnicate esp", "line 3: 'frobnicate': expected a command (add, update, "
	  "update-pair, delete, delete-pair, get, flush, dump, monitor, passive_monitor, "
	  "save, help, quit)" },
	{ "add", "line 3: 'add': expected an SA type (ah, esp), got end of line" },
	{ "add all spi 1", "line 3: 'add': expected an SA type (ah, esp), got 'all'" },
	{ "flush bogus", "line 3: 'flush': expected an SA type (all, ah, esp, or a number), "
	  "got 'bogus'" },
	{ "flush esp extra", "line 3: 'extra': unexpected word (usage: flush [all|ah|esp|N])" },
	{ "add esp spi 1 dst 192.0.2.2 encr_alg foo",
	  "line 3: 'encr_alg': expected an encryption algorithm (des, 3des, blowfish, null, "
	  "aes, aes-ctr, aes-ccm8, aes-ccm12, aes-ccm16, aes-gcm8, aes-gcm12, aes-gcm16, "
	  "null-aes-gmac, chacha20-poly1305), got 'foo'" },
	{ "add ah spi 1 dst 192.0.2.2 authalg sha3",
	  "line 3: 'authalg': expected an authentication algorithm (none, md5, sha1, "
	  "sha256, sha384, sha512), got 'sha3'" },
	{ "add esp spi 0 dst 192.0.2.2", "line 3: 'spi': expected an SPI (1..0xffffffff), "
	  "got '0'" },
	{ "add esp spi 0x100000000 dst 192.0.2.2",
	  "line 3: 'spi': expected an SPI (1..0xffffffff), got '0x100000000'" },
	{ "add esp spi 12z dst 192.0.2.2", "line 3: 'spi': expected an SPI (1..0xffffffff), "
	  "got '12z'" },
	{ "add esp spi", "line 3: 'spi': expected a value, got end of line" },
	{ "add esp spi 1 spi 2", "line 3: 'spi': given twice (first as 'spi')" },
	{ "add esp src 192.0.2.1 saddr 192.0.2.1", "line 3: 'saddr': given twice (first as "
	  "'src')" },
	{ "add esp spi 1 bogus 2", "line 3: 'bogus': unknown keyword (see 'help keywords')" },
	{ "add esp spi 1 dst 192.0.2.300", "line 3: 'dst': expected an address, got "
	  "'192.0.2.300'" },
	{ "add esp spi 1 dst6 192.0.2.3", "line 3: 'dst6': expected an IPv6 address, got "
	  "'192.0.2.3'" },
	{ "add esp spi 1 dst 192.0.2.3/24", "line 3: 'dst': expected an address, got "
	  "'192.0.2.3/24'" },
	{ "add esp spi 1 isrc 10.0.0.0/33", "line 3: 'isrc': expected a prefix length "
	  "0..32, got '10.0.0.0/33'" },
	{ "add esp spi 1 isrc 10.0.0.0/x", "line 3: 'isrc': expected an address[/prefix], "
	  "got '10.0.0.0/x'" },
	{ "add esp spi 1 dst 192.0.2.2 sport 65536", "line 3: 'sport': expected a port number "
	  "(0..65535), got '65536'" },
	{ "add esp spi 1 proto xyz", "line 3: 'proto': expected a protocol (tcp, udp, icmp, "
	  "... or 0..255), got 'xyz'" },
	{ "add esp spi 1 state lively", "line 3: 'state': expected an SA state (larval, "
	  "mature, dying, dead, active_elsewhere, idle, active, or 0..6), got 'lively'" },
	{ "add esp spi 1 state 7", "line 3: 'state': expected an SA state (larval, "
	  "mature, dying, dead, active_elsewhere, idle, active, or 0..6), got '7'" },
	{ "add esp spi 1 replay 65537", "line 3: 'replay': expected a replay window "
	  "(0..65536 packets), got '65537'" },
	{ "add esp spi 1 replay 5 replay_window 6", "line 3: 'replay_window': conflicts with "
	  "'replay'" },
	{ "add esp spi 1 inbound outbound", "line 3: 'outbound': conflicts with 'inbound'" },
	{ "add esp spi 1 replay_value -1", "line 3: 'replay_value': expected a number "
	  "(0..18446744073709551615), got '-1'" },
	{ "add esp spi 1 replay_value 18446744073709551616", "line 3: 'replay_value': "
	  "expected a number (0..18446744073709551615), got '18446744073709551616'" },
	{ "add esp spi 1 soft_alloc 4294967296", "line 3: 'soft_alloc': expected a number "
	  "of allocations (0..4294967295), got '4294967296'" },
	{ "add esp spi 1 hard_addtime soon", "line 3: 'hard_addtime': expected a number "
	  "of seconds, got 'soon'" },
	{ "add esp spi 1 authkey xyz", "line 3: 'authkey': expected a hex key "
	  "([0x]hex[/bits]), got 'xyz'" },
	{ "add esp spi 1 authkey 12/9", "line 3: 'authkey': bit length 9 is too big for "
	  "2 hex digits" },
	{ "add esp spi 1 encap tcp", "line 3: 'encap': expected 'udp' (the only "
	  "encapsulation), got 'tcp'" },
	{ "add esp spi 1 srcidtype fqdn", "line 3: 'srcidtype': expected a type and a value, "
	  "got end of line" },
	{ "add esp spi 1 srcidtype cert x", "line 3: 'srcidtype': expected an identity type "
	  "(prefix, fqdn, domain, user_fqdn, mailbox, der_dn, der_gn, key_id, addr_range, "
	  "or 1..7), got 'cert'" },
	{ "add esp spi 1 dstidtype 8 x", "line 3: 'dstidtype': expected an identity type "
	  "(prefix, fqdn, domain, user_fqdn, mailbox, der_dn, der_gn, key_id, addr_range, "
	  "or 1..7), got '8'" },
	{ "add esp spi 1 dst 192.0.2.2 authkey \"" K160, "line 3: '\"': unterminated quoted "
	  "string" },
	{ "add esp spi 1 srcidtype fqdn a\"b", "line 3: 'srcidtype': expected an identity "
	  "string of 1..1023 characters without '\"', got 'a\"b'" },
	/* Rules across keywords. */
	{ "add esp dst 192.0.2.2", "line 3: 'add': missing spi (add needs spi and dst)" },
	{ "add esp spi 1", "line 3: 'add': missing dst (add needs spi and dst)" },
	{ "add esp spi 1 dst 192.0.2.2", "line 3: 'add': esp with null encryption needs "
	  "auth_alg and authkey" },
	{ "add ah spi 1 dst 192.0.2.2", "line 3: 'add': ah needs auth_alg and authkey" },
	{ "add ah spi 1 dst 192.0.2.2 encr_alg aes", "line 3: 'encr_alg': not used with ah "
	  "(AH does not encrypt)" },
	{ "add esp spi 1 dst 192.0.2.2 auth_alg sha1", "line 3: 'auth_alg': needs authkey" },
	{ "add esp spi 1 dst 192.0.2.2 authkey " K160, "line 3: 'authkey': needs auth_alg" },
	{ "add esp spi 1 dst 192.0.2.2 encr_alg aes", "line 3: 'encr_alg': needs encrkey" },
	{ "add esp spi 1 dst 192.0.2.2 encr_alg null encrkey 00 auth_alg sha1 authkey " K160,
	  "line 3: 'encrkey': needs encr_alg (other than null)" },
	{ "add esp spi 1 dst 192.0.2.2 encr_alg aes-gcm encrkey " K160 " auth_alg sha1 "
	  "authkey " K160, "line 3: 'auth_alg': not used with aes-gcm16 (it authenticates "
	  "itself)" },
	{ "add esp spi 1 dst 192.0.2.2 auth_alg sha1 authkey " K128, "line 3: 'authkey': "
	  "expected a 160-bit key for sha1, got 128 bits" },
	{ "add esp spi 1 dst 192.0.2.2 encr_alg aes-gcm encrkey " K128,
	  "line 3: 'encrkey': expected a key of 128..256 (steps of 64) bits plus 32 salt "
	  "bits for aes-gcm16, got 128 bits" },
	{ "add esp spi 1 dst 192.0.2.2 encr_alg chacha20-poly1305 encrkey " K256,
	  "line 3: 'encrkey': expected a key of 256 bits plus 32 salt bits for "
	  "chacha20-poly1305, got 256 bits" },
	{ "add esp spi 1 dst 192.0.2.2 auth_alg sha1 authkey " K160 " reserved_bits 8",
	  "line 3: 'reserved_bits': needs encrkey (the salt is part of it)" },
	{ "add esp spi 1 src 2001:db8::1 dst 192.0.2.2", "line 3: 'src': address family "
	  "differs from dst" },
	{ "add esp spi 1 dst 192.0.2.2 isrc 10.0.0.0/8", "line 3: 'isrc': tunnel mode needs "
	  "both isrc and idst" },
	{ "add esp spi 1 dst 192.0.2.2 iproto 6", "line 3: 'iproto': tunnel mode needs "
	  "both isrc and idst" },
	{ "add esp spi 1 dst 192.0.2.2 isrc 10.0.0.0/8 idst6 2001:db8::/32", "line 3: 'idst6': "
	  "address family differs from isrc" },
	{ "add esp spi 1 dst 192.0.2.2 nat_loc 192.0.2.9", "line 3: 'nat_loc': needs "
	  "'encap udp'" },
	{ "add esp spi 1 dst 192.0.2.2 nat_rport 4500", "line 3: 'nat_rport': needs "
	  "'encap udp'" },
	{ "add esp spi 1 dst 192.0.2.2 encap udp nat_rem 2001:db8::1", "line 3: 'nat_rem': "
	  "address family differs from dst" },
	{ "delete esp spi 1 dst 192.0.2.2 auth_alg sha1", "line 3: 'auth_alg': not used by "
	  "delete (usage: delete {ah|esp} spi N dst ADDR [src ADDR] [sport N] [dport N] "
	  "[proto P] [inbound|outbound])" },
	{ "get esp spi 1 dst 192.0.2.2 hard_bytes 5", "line 3: 'hard_bytes': not used by "
	  "get (usage: get {ah|esp} spi N dst ADDR [src ADDR] [sport N] [dport N] [proto P] "
	  "[inbound|outbound])" },
	{ "get esp dst 192.0.2.2", "line 3: 'get': missing spi (get needs spi and dst)" },
	{ "delete ah spi 5", "line 3: 'delete': missing dst (delete needs spi and dst)" },
	{ "quit now", "line 3: 'now': unexpected word (usage: quit)" },
};

static void test_bad_lines(void **state)
{
	struct cli_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		int rc = cli_parse_line(bad_lines[i].line, 3, CLI_NUMERIC, 1, 1, &cmd_a, &err);

		if (rc != -EINVAL || strcmp(err.msg, bad_lines[i].msg) != 0)
			print_error("line '%s'\n got: %s\nwant: %s\n", bad_lines[i].line,
				    err.msg, bad_lines[i].msg);
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(err.msg, bad_lines[i].msg);
		assert_int_equal(err.line, 3);
		assert_int_equal(cmd_a.msg_len, 0);
	}
}

/* add and update would put keys in ps(1): refused from argv. */
static void test_cmdline_refusal(void **state)
{
	static const char *const refused[] = { "add", "update", "update-pair" };
	struct cli_error err;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char *argv[] = { (char *)refused[i], (char *)"esp", (char *)"spi", (char *)"1",
				 (char *)"dst", (char *)"192.0.2.2" };

		assert_int_equal(cli_parse_argv(6, argv, CLI_CMDLINE, 1, 1, &cmd_a, &err),
				 -EPERM);
		assert_non_null(strstr(err.msg, "refused on the command line"));
		assert_int_equal(cmd_a.msg_len, 0);
	}
	char *get[] = { (char *)"get", (char *)"esp", (char *)"spi", (char *)"1",
			(char *)"dst", (char *)"192.0.2.2" };

	assert_int_equal(cli_parse_argv(6, get, CLI_CMDLINE | CLI_NUMERIC, 1, 1, &cmd_a,
					&err), 0);
	assert_int_equal(cmd_a.verb, CLI_VERB_GET);
	/* Without a line number the message has no "line" prefix. */
	char *bad[] = { (char *)"get", (char *)"esp", (char *)"spi", (char *)"x" };

	assert_int_equal(cli_parse_argv(4, bad, CLI_CMDLINE, 1, 1, &cmd_a, &err), -EINVAL);
	assert_string_equal(err.msg, "'spi': expected an SPI (1..0xffffffff), got 'x'");
}

/* -n: names are not looked up. */
static void test_numeric_only(void **state)
{
	struct cli_error err;

	(void)state;
	assert_int_equal(cli_parse_line("get esp spi 1 dst localhost", 1, CLI_NUMERIC, 1, 1,
					&cmd_a, &err), -EINVAL);
	assert_string_equal(err.msg, "line 1: 'dst': expected an address, got 'localhost'");
}

/* A file: every bad command reported with its first line, the rest run. */
static void test_file_reports_every_error(void **state)
{
	static const char text[] =
		"flush\n"                                        /* 1 ok */
		"add esp spi 1 \\\n"                             /* 2 bad (3 lines) */
		"  dst 192.0.2.2 \\\n"
		"  encr_alg foo\n"
		"dump ah\n"                                      /* 5 ok */
		"get esp spi 1\n"                                /* 6 bad */
		"# comment\n"
		"bogus\n"                                        /* 8 bad */
		"add ah spi 2 dst 192.0.2.2 auth_alg sha1 \\\n"   /* 9 ok, ends in \ */
		"  authkey " K160 " \\";
	struct collected c = { 0 };
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

	(void)state;
	assert_non_null(f);
	assert_int_equal(cli_parse_file(f, CLI_NUMERIC, 1, 1, collect_cmd, collect_err, &c),
			 -EINVAL);
	fclose(f);
	assert_int_equal(c.ncmds, 3);
	assert_int_equal(c.cmd_lines[0], 1);
	assert_int_equal(c.cmd_lines[1], 5);
	assert_int_equal(c.cmd_lines[2], 9);
	assert_int_equal(c.nerrs, 3);
	assert_int_equal(c.err_lines[0], 2);
	assert_int_equal(c.err_lines[1], 6);
	assert_int_equal(c.err_lines[2], 8);
	assert_non_null(strstr(c.errs[0], "line 2: 'encr_alg'"));
	assert_string_equal(c.errs[1], "line 6: 'get': missing dst (get needs spi and dst)");
	assert_non_null(strstr(c.errs[2], "line 8: 'bogus': expected a command"));
}

/* add and update in a file are fine even when the caller passes CLI_CMDLINE. */
static void test_file_allows_add(void **state)
{
	static const char text[] = "add ah spi 2 dst 192.0.2.2 auth_alg sha1 authkey " K160 "\n";
	struct collected c = { 0 };
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

	(void)state;
	assert_int_equal(cli_parse_file(f, CLI_CMDLINE | CLI_NUMERIC, 1, 1, collect_cmd,
					collect_err, &c), 0);
	fclose(f);
	assert_int_equal(c.ncmds, 1);
	assert_int_equal(c.types[0], SADB_ADD);
}

static void test_help(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(cli_print_help(f, NULL), 0);
	assert_int_equal(cli_print_help(f, "keywords"), 0);
	assert_int_equal(cli_print_help(f, "delete"), 0);
	fclose(f);
	assert_non_null(strstr(buf, "passive_monitor [all|ah|esp|N]"));
	assert_non_null(strstr(buf, "isrc, innersrc, proxy, proxyaddr VALUE"));
	assert_non_null(strstr(buf, "srcidtype TYPE VALUE"));
	assert_non_null(strstr(buf, "usage: delete {ah|esp}"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synonyms),
		cmocka_unit_test(test_esp_add_fields),
		cmocka_unit_test(test_every_algorithm),
		cmocka_unit_test(test_lifetimes),
		cmocka_unit_test(test_addresses_ports_proto),
		cmocka_unit_test(test_natt),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_sa_extensions),
		cmocka_unit_test(test_esp_null_default),
		cmocka_unit_test(test_other_commands),
		cmocka_unit_test(test_fixed_defects),
		cmocka_unit_test(test_man_examples),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_cmdline_refusal),
		cmocka_unit_test(test_numeric_only),
		cmocka_unit_test(test_file_reports_every_error),
		cmocka_unit_test(test_file_allows_add),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
