/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ipseckey_print: PF_KEY messages -> the verbose text of dump, get,
 * monitor and -v.  Messages are built with the codec's builder (as the
 * gateway would send them), never by the parser under test, except where
 * a request is what is printed (-v).
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

#define K160 "000102030405060708090a0b0c0d0e0f10111213"

/* gcc 12 at -O3 warns that assert_has() reads through a dangling pointer:
 * open_memstream() keeps &out inside the FILE until fclose(), which gcc takes
 * for a local's address escaping.  print() returns the buffer only after
 * fclose(), so the warning is a false positive. */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif

static _Alignas(8) uint8_t buf[4096];

static char *print(const void *msg, size_t len, unsigned flags)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	assert_int_equal(cli_print_msg(f, msg, len, flags), 0);
	fclose(f);
	return out;
}

static void assert_has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		print_error("missing \"%s\" in:\n%s", want, text);
	assert_non_null(strstr(text, want));
}

static void sin4(struct sockaddr_in *s, const char *a, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, a, &s->sin_addr);
}

/* A GET reply with keys: hidden unless asked, every field named. */
static int build_get_reply(uint8_t state)
{
	static const uint8_t akey[20] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	static const uint8_t ekey[20] = { 0x11, 0x22, 0x33, 0x44 };
	struct sockaddr_in s, d;
	struct pfk_builder b;

	sin4(&s, "192.0.2.1", 0);
	sin4(&d, "192.0.2.2", 4500);
	pfk_build_init(&b, buf, sizeof(buf), SADB_GET, SADB_SATYPE_ESP, 12, 34);
	pfk_add_sa(&b, htonl(0x1234), 64, state, SADB_AALG_SHA1HMAC, SADB_X_EALG_AES_CTR,
		   SADB_X_SAFLAGS_INBOUND | SADB_X_SAFLAGS_TUNNEL | SADB_X_SAFLAGS_USED);
	pfk_add_lifetime(&b, SADB_EXT_LIFETIME_CURRENT, 5, 1500, 1700000000, 0);
	pfk_add_lifetime(&b, SADB_EXT_LIFETIME_HARD, 0, 1000000, 3600, 0);
	pfk_add_lifetime(&b, SADB_EXT_LIFETIME_SOFT, 0, 900000, 3000, 0);
	pfk_add_lifetime(&b, SADB_X_EXT_LIFETIME_IDLE, 0, 0, 60, 120);
	pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, (struct sockaddr *)&s, 17, 0);
	pfk_add_address(&b, SADB_EXT_ADDRESS_DST, (struct sockaddr *)&d, 17, 0);
	sin4(&s, "10.0.0.0", 0);
	sin4(&d, "10.1.0.0", 0);
	pfk_add_address(&b, SADB_X_EXT_ADDRESS_INNER_SRC, (struct sockaddr *)&s, 0, 8);
	pfk_add_address(&b, SADB_X_EXT_ADDRESS_INNER_DST, (struct sockaddr *)&d, 0, 16);
	pfk_add_key(&b, SADB_EXT_KEY_AUTH, akey, 160, 0);
	pfk_add_key(&b, SADB_EXT_KEY_ENCRYPT, ekey, 160, 32);
	pfk_add_identity(&b, SADB_EXT_IDENTITY_SRC, SADB_IDENTTYPE_FQDN, "gw.example");
	pfk_add_pair(&b, htonl(0x4321));
	pfk_add_replay_value(&b, 0x10000000005ull);
	pfk_add_replay_window(&b, 4096, SADB_X_DPSEC_RW_ESN);
	pfk_add_seq_lease(&b, 77777);
	return pfk_build_finish(&b);
}

static void test_get_reply_keys_hidden(void **state)
{
	int len = build_get_reply(SADB_SASTATE_MATURE);
	char *t;

	(void)state;
	assert_true(len > 0);
	t = print(buf, (size_t)len, 0);
	assert_has(t, "Base message (version 2) type GET, SA type esp.\n");
	assert_has(t, "seq=12, pid=34.");
	assert_has(t, "SA: spi=0x1234, replay window=64, state=mature\n");
	assert_has(t, "SA: authentication algorithm=sha1, encryption algorithm=aes-ctr\n");
	assert_has(t, "SA: flags=0x80024000 <INBOUND,TUNNEL,USED>\n");
	assert_has(t, "CLT: current: 5 allocations, 1500 bytes, added 2023-11-14 22:13:20 "
		   "UTC, first used never\n");
	assert_has(t, "HLT: hard: 0 allocations, 1000000 bytes, addtime 3600s, usetime 0s\n");
	assert_has(t, "SLT: soft: 0 allocations, 900000 bytes, addtime 3000s");
	assert_has(t, "ILT: idle: addtime 60s, usetime 120s\n");
	assert_has(t, "SRC: source 192.0.2.1 (proto=17, port=0)\n");
	assert_has(t, "DST: destination 192.0.2.2 (proto=17, port=4500)\n");
	assert_has(t, "ISR: inner source 10.0.0.0/8 (proto=0, port=0)\n");
	assert_has(t, "IDS: inner destination 10.1.0.0/16");
	assert_has(t, "AKY: authentication key, 160 bits: [hidden; -p shows keys]\n");
	assert_has(t, "EKY: encryption key, 160 bits (32 salt bits): [hidden; -p shows keys]\n");
	assert_has(t, "SID: source identity, type fqdn: gw.example\n");
	assert_has(t, "PAR: paired with spi 0x4321\n");
	assert_has(t, "RPV: replay value 1099511627781\n");
	assert_has(t, "RWN: replay window 4096 packets, ESN\n");
	assert_has(t, "LSE: sequence lease limit 77777\n");
	assert_null(strstr(t, "aabbccdd"));
	assert_null(strstr(t, "11223344"));
	free(t);

	t = print(buf, (size_t)len, CLI_PRINT_KEYS);
	assert_has(t, "AKY: authentication key, 160 bits: "
		   "aabbccddee000000000000000000000000000000\n");
	assert_has(t, "EKY: encryption key, 160 bits (32 salt bits): 1122334400");
	free(t);
}

/* illumos printed ACTIVE as "<unknown 6>": every state has its name. */
static void test_every_state_named(void **state)
{
	static const char *const names[] = { "larval", "mature", "dying", "dead",
					     "active_elsewhere", "idle", "active" };

	(void)state;
	for (uint8_t s = 0; s <= SADB_SASTATE_MAX; s++) {
		char want[64];
		int len = build_get_reply(s);
		char *t = print(buf, (size_t)len, 0);

		snprintf(want, sizeof(want), "state=%s\n", names[s]);
		assert_has(t, want);
		assert_null(strstr(t, "unknown"));
		free(t);
	}
}

static void test_error_reply(void **state)
{
	struct sadb_msg req = { .sadb_msg_version = PF_KEY_V2, .sadb_msg_type = SADB_GET,
				.sadb_msg_satype = SADB_SATYPE_ESP, .sadb_msg_len = 2,
				.sadb_msg_seq = 3, .sadb_msg_pid = 4 };
	char want[256];
	int len;
	char *t;

	(void)state;
	len = pfk_build_error(&req, ESRCH, SADB_X_DIAGNOSTIC_SA_NOTFOUND, buf, sizeof(buf));
	assert_int_equal(len, 16);
	t = print(buf, (size_t)len, 0);
	snprintf(want, sizeof(want), "ERROR: %s (errno %d), diagnostic 78: %s [SA_NOTFOUND]\n",
		 strerror(ESRCH), ESRCH, pfk_diag_string(SADB_X_DIAGNOSTIC_SA_NOTFOUND));
	assert_has(t, want);
	free(t);
}

static void test_register_reply(void **state)
{
	static const struct sadb_alg algs[] = {
		{ .sadb_alg_id = SADB_EALG_AES, .sadb_alg_ivlen = 128, .sadb_alg_minbits = 128,
		  .sadb_alg_maxbits = 256, .sadb_x_alg_increment = 64 },
		{ .sadb_alg_id = SADB_EALG_AES_GCM_16, .sadb_alg_ivlen = 64,
		  .sadb_alg_minbits = 128, .sadb_alg_maxbits = 256, .sadb_x_alg_increment = 64,
		  .sadb_x_alg_saltbits = 32 },
	};
	static const struct sadb_alg auth[] = {
		{ .sadb_alg_id = SADB_AALG_SHA256HMAC, .sadb_alg_minbits = 256,
		  .sadb_alg_maxbits = 256 },
	};
	struct pfk_builder b;
	int len;
	char *t;

	(void)state;
	pfk_build_init(&b, buf, sizeof(buf), SADB_REGISTER, SADB_SATYPE_ESP, 1, 2);
	pfk_add_supported(&b, SADB_EXT_SUPPORTED_AUTH, auth, 1);
	pfk_add_supported(&b, SADB_EXT_SUPPORTED_ENCRYPT, algs, 2);
	len = pfk_build_finish(&b);
	assert_true(len > 0);
	t = print(buf, (size_t)len, 0);
	assert_has(t, "type REGISTER, SA type esp.");
	assert_has(t, "SUP: supported authentication algorithms:\nSUP:     5 sha256, key bits "
		   "256..256, IV 0 bits\n");
	assert_has(t, "SUP:    12 aes, key bits 128..256 step 64, IV 128 bits\n");
	assert_has(t, "SUP:    20 aes-gcm16, key bits 128..256 step 64, 32 salt bits, IV 64 "
		   "bits\n");
	free(t);
}

static void test_acquire_and_expire(void **state)
{
	struct sadb_comb comb = { .sadb_comb_auth = SADB_AALG_SHA256HMAC,
				  .sadb_comb_encrypt = SADB_EALG_AES,
				  .sadb_comb_auth_minbits = 256, .sadb_comb_auth_maxbits = 256,
				  .sadb_comb_encrypt_minbits = 128,
				  .sadb_comb_encrypt_maxbits = 256,
				  .sadb_comb_soft_addtime = 3000, .sadb_comb_hard_addtime = 3600 };
	struct sockaddr_in s, d;
	struct pfk_builder b;
	int len;
	char *t;

	(void)state;
	sin4(&s, "192.0.2.1", 0);
	sin4(&d, "192.0.2.2", 0);
	pfk_build_init(&b, buf, sizeof(buf), SADB_ACQUIRE, SADB_SATYPE_ESP, 0, 0);
	pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, (struct sockaddr *)&s, 0, 0);
	pfk_add_address(&b, SADB_EXT_ADDRESS_DST, (struct sockaddr *)&d, 0, 0);
	pfk_add_proposal(&b, 32, &comb, 1);
	len = pfk_build_finish(&b);
	assert_true(len > 0);
	t = print(buf, (size_t)len, 0);
	assert_has(t, "type ACQUIRE, SA type esp.");
	assert_has(t, "PRP: proposal, replay 32, 1 combinations\n");
	assert_has(t, "PRP:   1: auth sha256 256..256, encr aes 128..256, soft 3000s hard 3600s\n");
	free(t);

	pfk_build_init(&b, buf, sizeof(buf), SADB_EXPIRE, SADB_SATYPE_AH, 0, 0);
	pfk_add_sa(&b, htonl(0x99), 0, SADB_SASTATE_DYING, SADB_AALG_SHA1HMAC, 0, 0);
	pfk_add_lifetime(&b, SADB_EXT_LIFETIME_CURRENT, 0, 10, 1700000000, 1700000001);
	pfk_add_lifetime(&b, SADB_EXT_LIFETIME_SOFT, 0, 10, 0, 0);
	pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, (struct sockaddr *)&s, 0, 0);
	pfk_add_address(&b, SADB_EXT_ADDRESS_DST, (struct sockaddr *)&d, 0, 0);
	len = pfk_build_finish(&b);
	assert_true(len > 0);
	t = print(buf, (size_t)len, 0);
	assert_has(t, "type EXPIRE, SA type ah.");
	assert_has(t, "state=dying");
	assert_has(t, "first used 2023-11-14 22:13:21 UTC");
	assert_has(t, "SLT: soft: 0 allocations, 10 bytes");
	free(t);
}

static void test_misc_messages(void **state)
{
	struct pfk_builder b;
	static const uint8_t types[] = { SADB_SATYPE_AH, SADB_SATYPE_ESP };
	int len;
	char *t;

	(void)state;
	pfk_build_init(&b, buf, sizeof(buf), SADB_X_PROMISC, 1, 5, 6);
	len = pfk_build_finish(&b);
	t = print(buf, (size_t)len, 0);
	assert_has(t, "type X_PROMISC, promiscuous on.");
	free(t);

	pfk_build_init(&b, buf, sizeof(buf), SADB_DUMP, SADB_SATYPE_UNSPEC, 5, 6);
	pfk_add_edump(&b, 30);
	len = pfk_build_finish(&b);
	t = print(buf, (size_t)len, 0);
	assert_has(t, "type DUMP, SA type all.");
	assert_has(t, "EDP: SAs used within 30s\n");
	free(t);

	pfk_build_init(&b, buf, sizeof(buf), SADB_REGISTER, SADB_SATYPE_UNSPEC, 5, 6);
	pfk_add_ereg(&b, types, 2);
	len = pfk_build_finish(&b);
	t = print(buf, (size_t)len, 0);
	assert_has(t, "ERG: registered SA types: ah esp\n");
	free(t);
}

/* The request of -v: printed from the parser's output, keys hidden. */
static void test_request_verbose(void **state)
{
	static struct cli_cmd cmd;
	struct cli_error err;
	char *t;

	(void)state;
	assert_int_equal(cli_parse_line("add esp spi 0x77 dst 192.0.2.2 encr_alg aes-gcm "
					"encrkey " K160 " encap udp nat_rport 4500", 1,
					CLI_NUMERIC, 1, 2, &cmd, &err), 0);
	t = print(cmd.msg, cmd.msg_len, 0);
	assert_has(t, "type ADD, SA type esp.");
	assert_has(t, "SA: flags=0x80000 <NATT_REM>\n");
	assert_has(t, "NRM: NAT-T remote 0.0.0.0 (proto=0, port=4500)\n");
	assert_has(t, "SRC: source 0.0.0.0");
	assert_has(t, "[hidden; -p shows keys]");
	assert_null(strstr(t, "10111213"));
	free(t);
}

static void test_malformed(void **state)
{
	struct sadb_msg *h = (struct sadb_msg *)(void *)buf;
	int len = build_get_reply(SADB_SASTATE_MATURE);
	char *t;

	(void)state;
	/* An extension that claims to run past the end. */
	buf[16] = 0xff;
	t = print(buf, (size_t)len, 0);
	assert_has(t, "Malformed message:");
	free(t);
	t = print(buf, 8, 0);
	assert_has(t, "Short message: 8 bytes.\n");
	free(t);
	/* A message of unknown type still has its header printed. */
	memset(buf, 0, 16);
	h->sadb_msg_version = PF_KEY_V2;
	h->sadb_msg_type = 99;
	h->sadb_msg_len = 2;
	t = print(buf, 16, 0);
	assert_has(t, "type <unknown 99>");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_reply_keys_hidden),
		cmocka_unit_test(test_every_state_named),
		cmocka_unit_test(test_error_reply),
		cmocka_unit_test(test_register_reply),
		cmocka_unit_test(test_acquire_and_expire),
		cmocka_unit_test(test_misc_messages),
		cmocka_unit_test(test_request_verbose),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
