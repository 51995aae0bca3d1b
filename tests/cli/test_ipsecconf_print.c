/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ipsecconf_print: SPD rule -> text -> the same SPDADD bytes.
 * Round trips over a corpus of rules, exact text for rules built with the
 * codec's builder (not by our parser), the "or" fallback, and the shapes
 * the grammar cannot say (-ENOTSUP).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli_ipsecconf.h"

/* Parse text (one rule), failing on any error. */
static struct cli_pol_rule parse_one(const char *text)
{
	struct cli_pol_file f;
	struct cli_pol_rule r;

	assert_int_equal(cli_pol_parse(text, strlen(text), "t", CLI_POL_NUMERIC, &f), 0);
	if (f.nerrs != 0)
		fail_msg("%s: %s", text, f.errs[0].msg);
	assert_int_equal(f.nrules, 1);
	r = f.rules[0];
	cli_pol_file_free(&f);
	return r;
}

/* Decode a message with the codec and our decoder. */
static struct cli_pol_rule decode(const void *buf, size_t len, enum pfk_dir dir)
{
	struct pfk_msg m;
	struct cli_pol_rule r;
	uint16_t diag = 0;

	assert_int_equal(pfk_validate(buf, len, dir, &m, &diag), 0);
	assert_int_equal(cli_pol_rule_from_msg(&m, &r), 0);
	return r;
}

/* build(parse(print(decode(build(r))))) == build(r).  The index is the
 * gateway's (a dump's), never in text: compare with it cleared. */
static void round_trip(const struct cli_pol_rule *rule, unsigned flags)
{
	_Alignas(8) uint8_t a[CLI_POL_MSG_MAX], b[CLI_POL_MSG_MAX];
	struct cli_pol_rule r0 = *rule, *r = &r0, d, back;
	char text[2048];
	int la, lb, w;

	r0.policy.sadb_x_pol_index = 0;
	la = cli_pol_build_add(r, a, sizeof(a), 5, 6);

	assert_true(la > 0);
	d = decode(a, (size_t)la, PFK_DIR_REQUEST);
	w = cli_pol_print(&d, flags, text, sizeof(text));
	if (w <= 0)
		fail_msg("print failed: %d", w);
	assert_int_equal((size_t)w, strlen(text));
	assert_int_equal(text[w - 1], '\n');
	back = parse_one(text);
	lb = cli_pol_build_add(&back, b, sizeof(b), 5, 6);
	if (la != lb || memcmp(a, b, (size_t)la) != 0)
		fail_msg("round trip differs for: %s", text);
}

static const char corpus[] =
	"{ laddr 192.0.2.10 raddr 192.0.2.20 ulp tcp dir out } ipsec { encr_algs AES }\n"
	"{ lport telnet dir in } ipsec { auth_algs sha1 }\n"
	"{ raddr 198.51.100.7 dir in } bypass {}\n"
	"{ raddr 198.51.100.0/16 dir in } ipsec { encr_algs NULL encr_auth_algs md5 }\n"
	"{ lport 53 } bypass {}\n"
	"{ raddr 192.0.2.20 } ipsec { encr_algs any sa unique }\n"
	"{ raddr 192.0.2.20 dir out } ipsec { auth_algs any sa unique }\n"
	"{ dir out } ipsec { encr_algs any }\n"
	"{ laddr fe80::a00:20ff:fe21:4483 raddr fe80::a00:20ff:fe1f:e346 dir out }"
	" ipsec { encr_algs 3DES encr_auth_algs MD5 }\n"
	"{ raddr fec0:abcd::0/32 ulp ipv6-icmp type 133-137 dir both } pass { }\n"
	"{ raddr 192.0.2.20 } ipsec { encr_algs aes(192) }\n"
	"{ raddr 192.0.2.20 } ipsec { encr_algs aes(..192) }\n"
	"{ raddr 192.0.2.20 } ipsec { encr_algs aes(192..) }\n"
	"{ raddr 192.0.2.20 } ipsec { encr_algs aes(192..256) }\n"
	"{ raddr 192.0.2.20 } ipsec { encr_algs any(192..) }\n"
	"{ raddr 192.0.2.30 rport 23 } ipsec { encr_algs 3des encr_auth_algs sha1 } or ipsec"
	" { encr_algs aes encr_auth_algs sha1 }\n"
	"{ raddr 192.0.2.20 } ipsec { encr_algs aes } or ipsec { encr_algs blowfish }\n"
	"{ tunnel_src 203.0.113.1 tunnel_dst 203.0.113.50 raddr 10.8.0.5/32 laddr 0.0.0.0/0 }"
	" ipsec { encr_algs aes encr_auth_algs sha1 }\n"
	"{ tunnel_src 2001:db8::1 tunnel_dst 2001:db8::2 raddr 10.1.0.0/24 laddr 10.2.0.0/24"
	" ulp udp rport 4000-4100 } permit { encr_algs aes-gcm sa unique }\n"
	"{ tunnel_src 203.0.113.1 tunnel_dst 203.0.113.2 negotiate transport }"
	" ipsec { encr_algs aes encr_auth_algs md5 }\n"
	"{ ulp icmp type 3 code 1-4 } drop { }\n"
	"{ ulp icmp type 0-255 code 4 } drop { }\n"
	"{ laddr 0.0.0.0/0 } drop { }\n"
	"{ laddr ::/0 dir in } drop { }\n"
	"{ proto 200 priority 0 } drop { }\n"
	"{ priority 4294967295 } bypass { }\n"
	"{ ulp sctp lport 0 rport 65535 } drop { }\n"
	"{ saddr 10.0.0.1 daddr 10.0.0.2 sport 1 dport 2 } permit { encr_algs aes }\n"
	"{ raddr 10.0.0.1 } apply { auth_algs sha256,sha1 encr_algs aes,aes-gcm"
	" encr_auth_algs sha256,sha1 }\n"
	"{ raddr 10.0.0.1 } ipsec { encr_algs aes,3des encr_auth_algs sha512,sha384 }\n"
	"{ raddr 10.0.0.1 } ipsec { encr_algs chacha20-poly1305,aes-gcm(256),aes(256) }\n"
	"{ raddr 10.0.0.1 } ipsec { encr_algs aes encr_auth_algs none }\n"
	"{ raddr 10.0.0.1 } ipsec { encr_algs any encr_auth_algs none }\n"
	"{ raddr 10.0.0.1 } ipsec { encr_auth_algs sha1 }\n"
	"{ raddr 10.0.0.1 } ipsec { auth_algs sha1(160) encr_algs aes-gcm }\n"
	"{ raddr 10.0.0.1 } ipsec { encr_algs aes encr_auth_algs sha1 } or ipsec"
	" { encr_algs aes encr_auth_algs md5 } or ipsec { encr_algs 3des }\n"
	"{ raddr 10.0.0.1 } ipsec { auth_algs md5 } or ipsec { auth_algs any }\n";

static void test_round_trip_corpus(void **state)
{
	struct cli_pol_file f;

	(void)state;
	assert_int_equal(cli_pol_parse(corpus, sizeof(corpus) - 1, "c", CLI_POL_NUMERIC, &f), 0);
	for (size_t i = 0; i < f.nerrs; i++)
		print_message("%s\n", f.errs[i].msg);
	assert_int_equal(f.nerrs, 0);
	assert_int_equal(f.nrules, 37);
	for (size_t i = 0; i < f.nrules; i++) {
		round_trip(&f.rules[i], 0);
		round_trip(&f.rules[i], CLI_POL_NUMERIC);
	}
	cli_pol_file_free(&f);
}

/* Exact text for parsed rules. */
static const struct print_case {
	const char *in;
	unsigned flags;
	const char *out;
} print_cases[] = {
	{ "{ laddr 192.0.2.10 raddr 192.0.2.20 ulp tcp dir out } ipsec { encr_algs AES }", 0,
	  "{ laddr 192.0.2.10/32 raddr 192.0.2.20/32 ulp tcp dir out priority 100000 }"
	  " ipsec { encr_algs aes }\n" },
	{ "{ ulp tcp lport 22 } drop {}", CLI_POL_NUMERIC,
	  "{ ulp 6 lport 22 dir both priority 100000 } drop { }\n" },
	{ "{ raddr 10.1.2.3/8 rport 1-1023 } pass { dir in }", 0,
	  "{ raddr 10.0.0.0/8 rport 1-1023 dir in priority 1000 } bypass { }\n" },
	{ "{} permit { encr_algs aes(128..) encr_auth_algs sha256,sha1 sa unique }", 0,
	  "{ dir in priority 100000 } ipsec { encr_algs aes(128..) encr_auth_algs sha256,sha1"
	  " sa unique }\n" },
	{ "{} apply { auth_algs any encr_algs aes-gcm(..128) }", 0,
	  "{ dir out priority 100000 } ipsec { auth_algs any encr_algs aes-gcm16(..128) }\n" },
	{ "{} ipsec { encr_auth_algs md5 }", 0,
	  "{ dir both priority 100000 } ipsec { encr_algs null encr_auth_algs md5 }\n" },
	{ "{ tunnel ip.tun0 tunnel_src 192.0.2.1 tunnel_dst 192.0.2.2 raddr 10.5.0.0/24 }"
	  " ipsec { encr_algs aes encr_auth_algs sha1 }", 0,
	  "{ tunnel_src 192.0.2.1 tunnel_dst 192.0.2.2 raddr 10.5.0.0/24 dir both priority"
	  " 100000 } ipsec { encr_algs aes encr_auth_algs sha1 }\n" },
	{ "{ ulp ipv6-icmp type neigh-sol6 } drop {}", 0,
	  "{ ulp ipv6-icmp type 135 dir both priority 100000 } drop { }\n" },
	{ "{} ipsec { encr_algs aes encr_auth_algs sha1 } or ipsec { encr_algs 3des"
	  " encr_auth_algs md5 }", 0,
	  "{ dir both priority 100000 } ipsec { encr_algs aes encr_auth_algs sha1 } or ipsec"
	  " { encr_algs 3des encr_auth_algs md5 }\n" },
};

static void test_print_exact(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(print_cases) / sizeof(print_cases[0]); i++) {
		const struct cli_pol_rule r = parse_one(print_cases[i].in);
		char text[1024];
		const int w = cli_pol_print(&r, print_cases[i].flags, text, sizeof(text));

		assert_true(w > 0);
		assert_string_equal(text, print_cases[i].out);
	}
}

/* ------------------------------------------------------------------------ */
/* Rules built with the codec's builder, as another client or a dump reply  */
/* would carry them.                                                          */

static void sel_init(struct sadb_x_dpsec_selector *s, uint16_t type)
{
	memset(s, 0, sizeof(*s));
	s->sadb_x_sel_len = 7;
	s->sadb_x_sel_exttype = type;
	s->sadb_x_sel_sport_max = 65535;
	s->sadb_x_sel_dport_max = 65535;
	s->sadb_x_sel_icmp_type_max = 255;
	s->sadb_x_sel_icmp_code_max = 255;
}

static struct sadb_x_dpsec_sareq req(uint8_t satype, uint8_t auth, uint8_t encr)
{
	return (struct sadb_x_dpsec_sareq){ .sadb_x_req_len = 2,
					    .sadb_x_req_exttype = SADB_X_EXT_DPSEC_SAREQ,
					    .sadb_x_req_satype = satype,
					    .sadb_x_req_auth = auth,
					    .sadb_x_req_encrypt = encr };
}

/* A dump reply: policy index 42, rule from the caller's pieces. */
static int build_reply(uint8_t *buf, size_t cap, uint8_t dir, uint8_t action, uint8_t mode,
		       const struct sadb_x_dpsec_selector *sel,
		       const struct sadb_x_dpsec_sareq *reqs, unsigned n)
{
	struct sadb_x_dpsec_policy pol = {
		.sadb_x_pol_len = 2, .sadb_x_pol_exttype = SADB_X_EXT_DPSEC_POLICY,
		.sadb_x_pol_index = 42, .sadb_x_pol_priority = 500,
		.sadb_x_pol_dir = dir, .sadb_x_pol_action = action, .sadb_x_pol_mode = mode,
	};
	struct pfk_builder b;

	pfk_build_init(&b, buf, cap, SADB_X_DPSEC_SPDDUMP, 0, 9, 1234);
	pfk_add_policy(&b, &pol);
	pfk_add_selector(&b, SADB_X_EXT_DPSEC_SELECTOR, sel);
	for (unsigned i = 0; i < n; i++)
		pfk_add_sareq(&b, &reqs[i]);
	return pfk_build_finish(&b);
}

static void test_print_builder_rules(void **state)
{
	_Alignas(8) uint8_t buf[1024];
	struct sadb_x_dpsec_selector sel;
	struct sadb_x_dpsec_sareq reqs[4];
	struct cli_pol_rule r;
	char text[1024];
	int len;

	(void)state;
	sel_init(&sel, SADB_X_EXT_DPSEC_SELECTOR);
	sel.sadb_x_sel_family = AF_INET;
	sel.sadb_x_sel_proto = 17;
	sel.sadb_x_sel_dst_prefixlen = 24;
	inet_pton(AF_INET, "172.16.5.0", sel.sadb_x_sel_dst);
	sel.sadb_x_sel_dport_min = sel.sadb_x_sel_dport_max = 4789;
	reqs[0] = req(SADB_SATYPE_ESP, 0, SADB_EALG_AES_GCM_16);
	reqs[1] = req(SADB_SATYPE_ESP, SADB_AALG_SHA256HMAC, SADB_EALG_AES);
	len = build_reply(buf, sizeof(buf), SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_IPSEC,
			  SADB_X_DPSEC_MODE_TRANSPORT, &sel, reqs, 2);
	assert_true(len > 0);
	r = decode(buf, (size_t)len, PFK_DIR_REPLY);
	assert_int_equal(r.policy.sadb_x_pol_index, 42);
	assert_int_equal(r.nreq, 2);
	assert_true(cli_pol_print(&r, 0, text, sizeof(text)) > 0);
	assert_string_equal(text, "{ raddr 172.16.5.0/24 ulp udp rport 4789 dir out priority 500 }"
				  " ipsec { encr_algs aes-gcm16,aes encr_auth_algs sha256 }\n");

	/* ESP requirements that are no cipher x auth product: "or" per requirement. */
	reqs[0] = req(SADB_SATYPE_ESP, SADB_AALG_SHA1HMAC, SADB_EALG_AES);
	reqs[1] = req(SADB_SATYPE_ESP, SADB_AALG_MD5HMAC, SADB_EALG_3DESCBC);
	reqs[2] = req(SADB_SATYPE_ESP, SADB_AALG_SHA256HMAC, SADB_EALG_AES);
	sel_init(&sel, SADB_X_EXT_DPSEC_SELECTOR);
	len = build_reply(buf, sizeof(buf), SADB_X_DPSEC_DIR_BOTH, SADB_X_DPSEC_ACTION_IPSEC,
			  SADB_X_DPSEC_MODE_TRANSPORT, &sel, reqs, 3);
	r = decode(buf, (size_t)len, PFK_DIR_REPLY);
	assert_true(cli_pol_print(&r, 0, text, sizeof(text)) > 0);
	assert_string_equal(text, "{ dir both priority 500 } ipsec { encr_algs aes encr_auth_algs"
				  " sha1 } or ipsec { encr_algs 3des encr_auth_algs md5 } or ipsec"
				  " { encr_algs aes encr_auth_algs sha256 }\n");
	round_trip(&r, 0);

	/* A bypass rule from a dump. */
	len = build_reply(buf, sizeof(buf), SADB_X_DPSEC_DIR_IN, SADB_X_DPSEC_ACTION_BYPASS, 0,
			  &sel, NULL, 0);
	r = decode(buf, (size_t)len, PFK_DIR_REPLY);
	assert_true(cli_pol_print(&r, 0, text, sizeof(text)) > 0);
	assert_string_equal(text, "{ dir in priority 500 } bypass { }\n");
}

/* Shapes no ipsecconf text makes. */
static void test_not_expressible(void **state)
{
	struct cli_pol_rule base = parse_one("{ raddr 10.0.0.1 } ipsec { auth_algs sha1 "
					     "encr_algs aes encr_auth_algs sha1 }");
	struct cli_pol_rule r;
	char text[1024];

	(void)state;
	/* A bundle whose ESP list is no product. */
	r = base;
	r.req[1] = req(SADB_SATYPE_ESP, SADB_AALG_SHA1HMAC, SADB_EALG_AES);
	r.req[2] = req(SADB_SATYPE_ESP, SADB_AALG_MD5HMAC, SADB_EALG_3DESCBC);
	r.nreq = 3;
	assert_int_equal(cli_pol_print(&r, 0, text, sizeof(text)), -ENOTSUP);
	/* ESP before AH. */
	r = base;
	r.req[0] = base.req[1];
	r.req[1] = base.req[0];
	assert_int_equal(cli_pol_print(&r, 0, text, sizeof(text)), -ENOTSUP);
	/* ipsec without a mode, and bypass with one. */
	r = base;
	r.policy.sadb_x_pol_mode = SADB_X_DPSEC_MODE_ANY;
	assert_int_equal(cli_pol_print(&r, 0, text, sizeof(text)), -ENOTSUP);
	r = parse_one("{} bypass {}");
	r.policy.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TRANSPORT;
	assert_int_equal(cli_pol_print(&r, 0, text, sizeof(text)), -ENOTSUP);
	/* ICMP type on TCP, ports on ICMP. */
	r = parse_one("{ ulp tcp } drop {}");
	r.selector.sadb_x_sel_icmp_type_min = r.selector.sadb_x_sel_icmp_type_max = 8;
	assert_int_equal(cli_pol_print(&r, 0, text, sizeof(text)), -ENOTSUP);
	r = parse_one("{ ulp icmp } drop {}");
	r.selector.sadb_x_sel_sport_min = 5;
	assert_int_equal(cli_pol_print(&r, 0, text, sizeof(text)), -ENOTSUP);
	/* A tunnel whose outer selector is not its endpoints. */
	r = parse_one("{ tunnel_src 192.0.2.1 tunnel_dst 192.0.2.2 } ipsec { encr_algs aes }");
	r.selector.sadb_x_sel_proto = 50;
	assert_int_equal(cli_pol_print(&r, 0, text, sizeof(text)), -ENOTSUP);
	r = parse_one("{ tunnel_src 192.0.2.1 tunnel_dst 192.0.2.2 } ipsec { encr_algs aes }");
	r.has_inner = false;
	assert_int_equal(cli_pol_print(&r, 0, text, sizeof(text)), -ENOTSUP);
	/* No room. */
	assert_int_equal(cli_pol_print(&base, 0, text, 20), -ENOSPC);
	assert_int_equal(cli_pol_print(&base, 0, text, 0), -ENOSPC);
}

static void test_decode_rejects(void **state)
{
	_Alignas(8) uint8_t buf[64];
	struct pfk_builder b;
	struct pfk_msg m;
	struct cli_pol_rule r;
	uint16_t diag;
	int len;

	(void)state;
	/* The end of a dump holds no rule. */
	pfk_build_init(&b, buf, sizeof(buf), SADB_X_DPSEC_SPDDUMP, 0, 0, 1);
	len = pfk_build_finish(&b);
	assert_int_equal(pfk_parse(buf, (size_t)len, &m, &diag), 0);
	assert_int_equal(cli_pol_rule_from_msg(&m, &r), -EINVAL);
}

/* Mutated corpora: the parser never crashes (ASan watches), every message
 * names the file, and every rule it accepts prints and reads back to the
 * same request.  Deterministic (xorshift), so failures reproduce. */
static void test_mutations_round_trip(void **state)
{
	static const char alphabet[] = "{}#\n ,()./-:0123456789aelnprsty_";
	static char text[sizeof(corpus) + 64];
	uint64_t x = 0x9e3779b97f4a7c15u;
	unsigned accepted = 0;

	(void)state;
	for (unsigned iter = 0; iter < 2000; iter++) {
		size_t len = sizeof(corpus) - 1;
		struct cli_pol_file f;

		memcpy(text, corpus, len);
		for (unsigned k = 0; k < 1 + iter % 4; k++) {
			size_t pos;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			pos = (size_t)(x % len);
			switch ((x >> 32) % 3) {
			case 0: /* replace */
				text[pos] = alphabet[(x >> 40) % (sizeof(alphabet) - 1)];
				break;
			case 1: /* delete */
				memmove(text + pos, text + pos + 1, len - pos - 1);
				len--;
				break;
			default: /* insert */
				if (len + 1 < sizeof(text)) {
					memmove(text + pos + 1, text + pos, len - pos);
					text[pos] = alphabet[(x >> 40) % (sizeof(alphabet) - 1)];
					len++;
				}
				break;
			}
		}
		assert_int_equal(cli_pol_parse(text, len, "mut", CLI_POL_NUMERIC, &f), 0);
		for (size_t i = 0; i < f.nerrs; i++)
			assert_true(strncmp(f.errs[i].msg, "mut:", 4) == 0);
		for (size_t i = 0; i < f.nrules; i++)
			round_trip(&f.rules[i], 0);
		accepted += (unsigned)f.nrules;
		cli_pol_file_free(&f);
	}
	/* Most mutations leave most rules intact. */
	assert_true(accepted > 2000u * 20u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_corpus),
		cmocka_unit_test(test_print_exact),
		cmocka_unit_test(test_print_builder_rules),
		cmocka_unit_test(test_not_expressible),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_mutations_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
