/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ipsecconf_parse: the ipsecconf(8) grammar -> SPD rules.
 * Every pattern key, action and property against the wire fields it must
 * set; the examples of the illumos ipsecconf(8) manual page (EXAMPLES
 * section, rewritten with addresses for host names); a table of bad rules
 * with their exact messages; error recovery across rules.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli_ipsecconf.h"

static struct cli_pol_rule parse_one(const char *text)
{
	struct cli_pol_file f;
	struct cli_pol_rule r;

	assert_int_equal(cli_pol_parse(text, strlen(text), "t.conf", CLI_POL_NUMERIC, &f), 0);
	if (f.nerrs != 0)
		fail_msg("%s: %s", text, f.errs[0].msg);
	assert_int_equal(f.nrules, 1);
	r = f.rules[0];
	cli_pol_file_free(&f);
	return r;
}

static void assert_addr(const uint8_t *bytes, int family, const char *want)
{
	uint8_t w[16] = { 0 };

	assert_int_equal(inet_pton(family, want, w), 1);
	assert_memory_equal(bytes, w, 16);
}

/* ------------------------------------------------------------------------ */
/* Pattern keys.                                                             */

static const struct pattern_case {
	const char *text;
	uint8_t family, proto, sprefix, dprefix;
	const char *src, *dst;
	uint16_t sport_min, sport_max, dport_min, dport_max;
	uint8_t type_min, type_max, code_min, code_max;
} pattern_cases[] = {
	{ "{} drop {}", 0, 0, 0, 0, NULL, NULL, 0, 65535, 0, 65535, 0, 255, 0, 255 },
	{ "{ laddr 10.1.2.3 } drop {}", AF_INET, 0, 32, 0, "10.1.2.3", "0.0.0.0",
	  0, 65535, 0, 65535, 0, 255, 0, 255 },
	{ "{ local 10.1.2.3/8 } drop {}", AF_INET, 0, 8, 0, "10.0.0.0", "0.0.0.0",
	  0, 65535, 0, 65535, 0, 255, 0, 255 },
	{ "{ raddr 192.168.7.0/24 } drop {}", AF_INET, 0, 0, 24, "0.0.0.0", "192.168.7.0",
	  0, 65535, 0, 65535, 0, 255, 0, 255 },
	{ "{ remote 2001:db8::1 } drop {}", AF_INET6, 0, 0, 128, "::", "2001:db8::1",
	  0, 65535, 0, 65535, 0, 255, 0, 255 },
	{ "{ laddr 2001:db8:1::/48 raddr 2001:db8:2::5/64 } drop {}", AF_INET6, 0, 48, 64,
	  "2001:db8:1::", "2001:db8:2::", 0, 65535, 0, 65535, 0, 255, 0, 255 },
	{ "{ lport 22 } drop {}", 0, 0, 0, 0, NULL, NULL, 22, 22, 0, 65535, 0, 255, 0, 255 },
	{ "{ rport 1000-2000 } drop {}", 0, 0, 0, 0, NULL, NULL, 0, 65535, 1000, 2000,
	  0, 255, 0, 255 },
	{ "{ lport telnet rport https } drop {}", 0, 0, 0, 0, NULL, NULL, 23, 23, 443, 443,
	  0, 255, 0, 255 },
	{ "{ ulp tcp } drop {}", 0, 6, 0, 0, NULL, NULL, 0, 65535, 0, 65535, 0, 255, 0, 255 },
	{ "{ proto 17 } drop {}", 0, 17, 0, 0, NULL, NULL, 0, 65535, 0, 65535, 0, 255, 0, 255 },
	{ "{ ulp ipv6-icmp type 133-137 } drop {}", 0, 58, 0, 0, NULL, NULL, 0, 65535, 0, 65535,
	  133, 137, 0, 255 },
	{ "{ ulp icmp type echo code 0 } drop {}", 0, 1, 0, 0, NULL, NULL, 0, 65535, 0, 65535,
	  8, 8, 0, 0 },
	{ "{ ulp icmp type unreach code port-unr } drop {}", 0, 1, 0, 0, NULL, NULL, 0, 65535,
	  0, 65535, 3, 3, 3, 3 },
	{ "{ ulp icmp type 3 code 1-4 } drop {}", 0, 1, 0, 0, NULL, NULL, 0, 65535, 0, 65535,
	  3, 3, 1, 4 },
	/* The older form: the source is local for outbound and both ... */
	{ "{ saddr 10.0.0.1 daddr 10.0.0.2 sport 5 dport 6 } apply { encr_algs aes }",
	  AF_INET, 0, 32, 32, "10.0.0.1", "10.0.0.2", 5, 5, 6, 6, 0, 255, 0, 255 },
	/* ... and remote for inbound rules. */
	{ "{ src 10.0.0.1 dst 10.0.0.2 sport 5 dport 6 } permit { encr_algs aes }",
	  AF_INET, 0, 32, 32, "10.0.0.2", "10.0.0.1", 6, 6, 5, 5, 0, 255, 0, 255 },
	{ "{ srcaddr 10.0.0.1 dstaddr 10.0.0.2 } drop {}", AF_INET, 0, 32, 32, "10.0.0.1",
	  "10.0.0.2", 0, 65535, 0, 65535, 0, 255, 0, 255 },
	{ "{ dest 10.0.0.2 } drop {}", AF_INET, 0, 0, 32, "0.0.0.0", "10.0.0.2",
	  0, 65535, 0, 65535, 0, 255, 0, 255 },
	/* The family alone. */
	{ "{ laddr 0.0.0.0/0 } drop {}", AF_INET, 0, 0, 0, "0.0.0.0", "0.0.0.0",
	  0, 65535, 0, 65535, 0, 255, 0, 255 },
	{ "{ ULP TCP LPORT 80 } DROP {}", 0, 6, 0, 0, NULL, NULL, 80, 80, 0, 65535,
	  0, 255, 0, 255 },
};

static void test_pattern_keys(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pattern_cases) / sizeof(pattern_cases[0]); i++) {
		const struct pattern_case *c = &pattern_cases[i];
		const struct cli_pol_rule r = parse_one(c->text);
		const struct sadb_x_dpsec_selector *s = &r.selector;

		print_message("%s\n", c->text);
		assert_false(r.has_inner);
		assert_false(r.has_tunnel);
		assert_int_equal(s->sadb_x_sel_len, 7);
		assert_int_equal(s->sadb_x_sel_exttype, SADB_X_EXT_DPSEC_SELECTOR);
		assert_int_equal(s->sadb_x_sel_family, c->family);
		assert_int_equal(s->sadb_x_sel_proto, c->proto);
		assert_int_equal(s->sadb_x_sel_src_prefixlen, c->sprefix);
		assert_int_equal(s->sadb_x_sel_dst_prefixlen, c->dprefix);
		if (c->src != NULL) {
			assert_addr(s->sadb_x_sel_src, c->family, c->src);
			assert_addr(s->sadb_x_sel_dst, c->family, c->dst);
		}
		assert_int_equal(s->sadb_x_sel_sport_min, c->sport_min);
		assert_int_equal(s->sadb_x_sel_sport_max, c->sport_max);
		assert_int_equal(s->sadb_x_sel_dport_min, c->dport_min);
		assert_int_equal(s->sadb_x_sel_dport_max, c->dport_max);
		assert_int_equal(s->sadb_x_sel_icmp_type_min, c->type_min);
		assert_int_equal(s->sadb_x_sel_icmp_type_max, c->type_max);
		assert_int_equal(s->sadb_x_sel_icmp_code_min, c->code_min);
		assert_int_equal(s->sadb_x_sel_icmp_code_max, c->code_max);
		assert_int_equal(s->sadb_x_sel_reserved, 0);
	}
}

/* ------------------------------------------------------------------------ */
/* Actions and directions.                                                   */

static const struct action_case {
	const char *text;
	uint8_t dir, action, mode, flags;
} action_cases[] = {
	{ "{} ipsec { encr_algs aes }", SADB_X_DPSEC_DIR_BOTH, SADB_X_DPSEC_ACTION_IPSEC,
	  SADB_X_DPSEC_MODE_TRANSPORT, 0 },
	{ "{ dir in } ipsec { encr_algs aes }", SADB_X_DPSEC_DIR_IN, SADB_X_DPSEC_ACTION_IPSEC,
	  SADB_X_DPSEC_MODE_TRANSPORT, 0 },
	{ "{} ipsec { encr_algs aes dir out }", SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_IPSEC,
	  SADB_X_DPSEC_MODE_TRANSPORT, 0 },
	{ "{} apply { auth_algs sha1 }", SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_IPSEC,
	  SADB_X_DPSEC_MODE_TRANSPORT, 0 },
	{ "{ dir out } apply { auth_algs sha1 }", SADB_X_DPSEC_DIR_OUT,
	  SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TRANSPORT, 0 },
	{ "{} permit { auth_algs sha1 }", SADB_X_DPSEC_DIR_IN, SADB_X_DPSEC_ACTION_IPSEC,
	  SADB_X_DPSEC_MODE_TRANSPORT, 0 },
	{ "{} bypass {}", SADB_X_DPSEC_DIR_BOTH, SADB_X_DPSEC_ACTION_BYPASS, 0, 0 },
	{ "{} pass { dir in }", SADB_X_DPSEC_DIR_IN, SADB_X_DPSEC_ACTION_BYPASS, 0, 0 },
	{ "{ dir out } drop { }", SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_DISCARD, 0, 0 },
	{ "{} ipsec { encr_algs aes sa unique }", SADB_X_DPSEC_DIR_BOTH,
	  SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TRANSPORT, SADB_X_DPSEC_POLF_UNIQUE },
	{ "{} ipsec { encr_algs aes sa shared }", SADB_X_DPSEC_DIR_BOTH,
	  SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TRANSPORT, 0 },
};

static void test_actions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(action_cases) / sizeof(action_cases[0]); i++) {
		const struct action_case *c = &action_cases[i];
		const struct cli_pol_rule r = parse_one(c->text);

		print_message("%s\n", c->text);
		assert_int_equal(r.policy.sadb_x_pol_len, 2);
		assert_int_equal(r.policy.sadb_x_pol_exttype, SADB_X_EXT_DPSEC_POLICY);
		assert_int_equal(r.policy.sadb_x_pol_index, 0);
		assert_int_equal(r.policy.sadb_x_pol_dir, c->dir);
		assert_int_equal(r.policy.sadb_x_pol_action, c->action);
		assert_int_equal(r.policy.sadb_x_pol_mode, c->mode);
		assert_int_equal(r.policy.sadb_x_pol_flags, c->flags);
		assert_int_equal(r.nreq, c->action == SADB_X_DPSEC_ACTION_IPSEC ? 1 : 0);
	}
}

/* ------------------------------------------------------------------------ */
/* Properties -> SA requirements.                                            */

#define ANY SADB_X_DPSEC_ALG_ANY
#define AH SADB_SATYPE_AH
#define ESP SADB_SATYPE_ESP

struct req_want {
	uint8_t satype, auth, encr;
	uint16_t amin, amax, emin, emax;
};

static const struct prop_case {
	const char *text;
	unsigned nreq;
	struct req_want req[8];
} prop_cases[] = {
	{ "{} ipsec { auth_algs sha1 }", 1, { { AH, 3, 0, 0, 0, 0, 0 } } },
	{ "{} ipsec { auth_algs hmac-sha256 }", 1, { { AH, 5, 0, 0, 0, 0, 0 } } },
	{ "{} ipsec { auth_algs any }", 1, { { AH, ANY, 0, 0, 0, 0, 0 } } },
	{ "{} ipsec { auth_algs md5,sha512 }", 2,
	  { { AH, 2, 0, 0, 0, 0, 0 }, { AH, 7, 0, 0, 0, 0, 0 } } },
	/* A cipher that needs authentication gets "any" without encr_auth_algs. */
	{ "{} ipsec { encr_algs aes }", 1, { { ESP, ANY, 12, 0, 0, 0, 0 } } },
	{ "{} ipsec { encr_algs AES-CBC }", 1, { { ESP, ANY, 12, 0, 0, 0, 0 } } },
	/* A combined-mode one gets none. */
	{ "{} ipsec { encr_algs aes-gcm }", 1, { { ESP, 0, 20, 0, 0, 0, 0 } } },
	{ "{} ipsec { encr_algs chacha20-poly1305 }", 1, { { ESP, 0, 28, 0, 0, 0, 0 } } },
	{ "{} ipsec { encr_algs any }", 1, { { ESP, ANY, ANY, 0, 0, 0, 0 } } },
	{ "{} ipsec { encr_algs 3des encr_auth_algs sha1 }", 1,
	  { { ESP, 3, 3, 0, 0, 0, 0 } } },
	{ "{} ipsec { encr_algs aes encr_auth_algs none }", 1, { { ESP, 0, 12, 0, 0, 0, 0 } } },
	/* encr_auth_algs alone: NULL encryption (illumos). */
	{ "{} ipsec { encr_auth_algs md5 }", 1, { { ESP, 2, 11, 0, 0, 0, 0 } } },
	{ "{} ipsec { encr_algs null encr_auth_algs sha256 }", 1,
	  { { ESP, 5, 11, 0, 0, 0, 0 } } },
	/* Key lengths (illumos example 11). */
	{ "{} ipsec { encr_algs aes(192) }", 1, { { ESP, ANY, 12, 0, 0, 192, 192 } } },
	{ "{} ipsec { encr_algs aes(..192) }", 1, { { ESP, ANY, 12, 0, 0, 0, 192 } } },
	{ "{} ipsec { encr_algs aes(192..) }", 1, { { ESP, ANY, 12, 0, 0, 192, 65535 } } },
	{ "{} ipsec { encr_algs aes(192..256) }", 1, { { ESP, ANY, 12, 0, 0, 192, 256 } } },
	{ "{} ipsec { encr_algs any(192..) }", 1, { { ESP, ANY, ANY, 0, 0, 192, 65535 } } },
	{ "{} ipsec { auth_algs sha1(160) }", 1, { { AH, 3, 0, 160, 160, 0, 0 } } },
	/* Lists: ciphers x authentications, cipher-major; GCM once. */
	{ "{} ipsec { encr_algs aes,3des encr_auth_algs sha256,sha1 }", 4,
	  { { ESP, 5, 12, 0, 0, 0, 0 }, { ESP, 3, 12, 0, 0, 0, 0 },
	    { ESP, 5, 3, 0, 0, 0, 0 }, { ESP, 3, 3, 0, 0, 0, 0 } } },
	{ "{} ipsec { encr_algs aes-gcm,aes encr_auth_algs sha1 }", 2,
	  { { ESP, 0, 20, 0, 0, 0, 0 }, { ESP, 3, 12, 0, 0, 0, 0 } } },
	/* AH and ESP: a bundle, AH requirements first. */
	{ "{} ipsec { auth_algs sha1 encr_algs aes encr_auth_algs sha1 }", 2,
	  { { AH, 3, 0, 0, 0, 0, 0 }, { ESP, 3, 12, 0, 0, 0, 0 } } },
	/* "or" alternatives follow each other (illumos example 14). */
	{ "{} ipsec {encr_algs aes} or ipsec {encr_algs blowfish}", 2,
	  { { ESP, ANY, 12, 0, 0, 0, 0 }, { ESP, ANY, 7, 0, 0, 0, 0 } } },
	{ "{} ipsec { auth_algs md5 } or ipsec { auth_algs sha1 } or ipsec { auth_algs any }",
	  3, { { AH, 2, 0, 0, 0, 0, 0 }, { AH, 3, 0, 0, 0, 0, 0 },
	       { AH, ANY, 0, 0, 0, 0, 0 } } },
	/* Algorithm numbers. */
	{ "{} ipsec { encr_algs 12 encr_auth_algs 5 }", 1, { { ESP, 5, 12, 0, 0, 0, 0 } } },
};

static void test_properties(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(prop_cases) / sizeof(prop_cases[0]); i++) {
		const struct prop_case *c = &prop_cases[i];
		const struct cli_pol_rule r = parse_one(c->text);

		print_message("%s\n", c->text);
		assert_int_equal(r.nreq, c->nreq);
		for (unsigned j = 0; j < c->nreq; j++) {
			const struct sadb_x_dpsec_sareq *q = &r.req[j];
			const struct req_want *w = &c->req[j];

			assert_int_equal(q->sadb_x_req_len, 2);
			assert_int_equal(q->sadb_x_req_exttype, SADB_X_EXT_DPSEC_SAREQ);
			assert_int_equal(q->sadb_x_req_satype, w->satype);
			assert_int_equal(q->sadb_x_req_auth, w->auth);
			assert_int_equal(q->sadb_x_req_encrypt, w->encr);
			assert_int_equal(q->sadb_x_req_auth_minbits, w->amin);
			assert_int_equal(q->sadb_x_req_auth_maxbits, w->amax);
			assert_int_equal(q->sadb_x_req_encrypt_minbits, w->emin);
			assert_int_equal(q->sadb_x_req_encrypt_maxbits, w->emax);
			assert_int_equal(q->sadb_x_req_reserved, 0);
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Tunnel rules select on the inner packet (seed 002).                       */

static void test_tunnel(void **state)
{
	const struct cli_pol_rule r = parse_one(
		"{ tunnel ip.tun0 negotiate tunnel tunnel_src 192.0.2.1 tunnel_dst 192.0.2.2\n"
		"  raddr 2001:db8:5::/48 laddr 2001:db8:1::/48 ulp tcp }\n"
		"ipsec { encr_algs aes encr_auth_algs sha1 }");
	const struct sockaddr_in *ls = (const void *)&r.tun_local;
	const struct sockaddr_in *rs = (const void *)&r.tun_remote;

	(void)state;
	assert_int_equal(r.policy.sadb_x_pol_mode, SADB_X_DPSEC_MODE_TUNNEL);
	assert_true(r.has_tunnel);
	assert_true(r.has_inner);
	/* Outer: the tunnel, endpoint to endpoint. */
	assert_int_equal(r.selector.sadb_x_sel_family, AF_INET);
	assert_int_equal(r.selector.sadb_x_sel_proto, 0);
	assert_int_equal(r.selector.sadb_x_sel_src_prefixlen, 32);
	assert_int_equal(r.selector.sadb_x_sel_dst_prefixlen, 32);
	assert_addr(r.selector.sadb_x_sel_src, AF_INET, "192.0.2.1");
	assert_addr(r.selector.sadb_x_sel_dst, AF_INET, "192.0.2.2");
	/* Inner: the pattern (another family is fine). */
	assert_int_equal(r.inner.sadb_x_sel_exttype, SADB_X_EXT_DPSEC_INNER_SELECTOR);
	assert_int_equal(r.inner.sadb_x_sel_family, AF_INET6);
	assert_int_equal(r.inner.sadb_x_sel_proto, 6);
	assert_int_equal(r.inner.sadb_x_sel_src_prefixlen, 48);
	assert_addr(r.inner.sadb_x_sel_src, AF_INET6, "2001:db8:1::");
	assert_addr(r.inner.sadb_x_sel_dst, AF_INET6, "2001:db8:5::");
	/* ADDRESS_SRC/DST: local and remote endpoint. */
	assert_int_equal(ls->sin_family, AF_INET);
	assert_int_equal(rs->sin_family, AF_INET);
	assert_int_equal(ls->sin_addr.s_addr, inet_addr("192.0.2.1"));
	assert_int_equal(rs->sin_addr.s_addr, inet_addr("192.0.2.2"));
}

static void test_tunnel_request_bytes(void **state)
{
	const struct cli_pol_rule r = parse_one(
		"{ tunnel_local 2001:db8::1 tunnel_remote 2001:db8::2 raddr 10.0.0.0/8 }"
		" permit { encr_algs aes-gcm }");
	_Alignas(8) uint8_t buf[CLI_POL_MSG_MAX];
	const int len = cli_pol_build_add(&r, buf, sizeof(buf), 7, 99);
	struct pfk_msg m;
	uint16_t diag = 0;

	(void)state;
	/* base 16 + policy 16 + 2 selectors 112 + 1 sareq 16 + 2 x (8 + 32). */
	assert_int_equal(len, 16 + 16 + 112 + 16 + 80);
	assert_int_equal(pfk_validate(buf, (size_t)len, PFK_DIR_REQUEST, &m, &diag), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_X_DPSEC_SPDADD);
	assert_int_equal(m.hdr->sadb_msg_satype, 0);
	assert_int_equal(m.hdr->sadb_msg_seq, 7);
	assert_int_equal(m.hdr->sadb_msg_pid, 99);
	assert_non_null(m.inner_selector);
	assert_non_null(m.src);
	assert_non_null(m.dst);
	assert_int_equal(m.src->sadb_address_prefixlen, 128);
	assert_int_equal(m.sareq_count, 1);
	assert_int_equal(m.policy->sadb_x_pol_dir, SADB_X_DPSEC_DIR_IN);
}

/* negotiate transport: the Solaris 9 form, transport SAs between endpoints. */
static void test_negotiate_transport(void **state)
{
	const struct cli_pol_rule r = parse_one(
		"{tunnel ip.tun0 negotiate transport tunnel_src 192.0.2.1 tunnel_dst 192.0.2.2}"
		" ipsec {encr_algs aes encr_auth_algs md5}");

	(void)state;
	assert_int_equal(r.policy.sadb_x_pol_mode, SADB_X_DPSEC_MODE_TRANSPORT);
	assert_false(r.has_inner);
	assert_false(r.has_tunnel);
	assert_int_equal(r.selector.sadb_x_sel_src_prefixlen, 32);
	assert_addr(r.selector.sadb_x_sel_src, AF_INET, "192.0.2.1");
	assert_addr(r.selector.sadb_x_sel_dst, AF_INET, "192.0.2.2");
}

/* ------------------------------------------------------------------------ */
/* Priorities: bypass first, then file order; explicit ones kept.            */

static void test_priorities(void **state)
{
	static const char text[] =
		"{ raddr 10.0.0.1 } ipsec { encr_algs aes }\n"
		"{ lport 53 } bypass {}\n"
		"{ raddr 10.0.0.2 } drop {}\n"
		"{ rport 53 } pass {}\n"
		"{ raddr 10.0.0.3 priority 7 } drop {}\n"
		"{ raddr 10.0.0.4 } ipsec { auth_algs any }\n";
	static const uint32_t want[] = { 100000, 1000, 100001, 1001, 7, 100002 };
	struct cli_pol_file f;

	(void)state;
	assert_int_equal(cli_pol_parse(text, strlen(text), "p", 0, &f), 0);
	assert_int_equal(f.nerrs, 0);
	assert_int_equal(f.nrules, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(f.rules[i].policy.sadb_x_pol_priority, want[i]);
		assert_int_equal(f.rules[i].line, i + 1);
	}
	cli_pol_file_free(&f);
}

/* ------------------------------------------------------------------------ */
/* The illumos ipsecconf(8) EXAMPLES, host names replaced by addresses.      */

static const char illumos_examples[] =
	"#\n# Example 1: protect outbound TCP between two hosts with ESP/AES.\n#\n"
	"{\n     laddr 192.0.2.10\n     raddr 192.0.2.20\n     ulp tcp\n     dir out\n"
	"} ipsec {\n\t     encr_algs AES\n}\n"
	"# Example 2: the same, inbound.\n"
	"{\n\t    laddr 192.0.2.10\n\t    raddr 192.0.2.20\n\t    ulp tcp\n\t    dir in\n"
	"} ipsec {\n\t    encr_algs AES\n}\n"
	"# Example 3: both directions at once.\n"
	"{\n\t    laddr 192.0.2.10\n\t    raddr 192.0.2.20\n\t    ulp tcp\n} ipsec {\n"
	"\t    encr_algs AES\n}\n"
	"# Example 4: inbound telnet authenticated.\n"
	"{\n\t   lport telnet\n\t   dir in\n} ipsec {\n\t   auth_algs sha1\n}\n"
	"# Example 5: bypass host-B, NULL-encrypt network-B.\n"
	"{\nraddr 198.51.100.7\n\tdir in\n} bypass {}\n\n# Now add for network-B.\n"
	"{\n\traddr 198.51.100.0/16\n\tdir in\n} ipsec {\nencr_algs NULL\nencr_auth_algs md5\n}\n"
	"# Example 6: bypass port 53.\n     #\n"
	"{lport 53} bypass {}\n{rport 53} bypass {}\n"
	"{raddr 192.0.2.20 } ipsec {encr_algs any sa unique}\n"
	"# Example 7.\n {raddr 192.0.2.20 dir out} ipsec {auth_algs any sa unique}\n"
	"{\n    laddr 192.0.2.10\n    raddr 192.0.2.20\n    dir in\n}"
	" ipsec {auth_algs any sa unique}\n"
	"# Example 8.\n"
	"{raddr 198.51.100.0/16 dir out} ipsec {auth_algs any}\n"
	"{dir out} ipsec {encr_algs any}\n"
	"{raddr 203.0.113.0/16 dir out} bypass {} # NULL properties\n"
	"# Example 9: IPv6 with 3DES and MD5.\n"
	"{\n    laddr fe80::a00:20ff:fe21:4483\n    raddr fe80::a00:20ff:fe1f:e346\n    dir out\n"
	"} ipsec {\n    encr_algs 3DES\n    encr_auth_algs MD5\n}\n"
	"# Example 10.\n{raddr fec0:abcd::0/32} ipsec { auth_algs SHA1 }\n"
	"# Example 11: key lengths.\n"
	"{raddr 192.0.2.20} ipsec {encr_algs aes}\n"
	"{raddr 192.0.2.20} ipsec {encr_algs aes(192)}\n"
	"{raddr 192.0.2.20} ipsec {encr_algs aes(..192)}\n"
	"{raddr 192.0.2.20} ipsec {encr_algs aes(192..)}\n"
	"{raddr 192.0.2.20} ipsec {encr_algs aes(192..256)}\n"
	"{raddr 192.0.2.20} ipsec {encr_algs any(192..)}\n"
	"# Example 12: correct entries.\n"
	"{ raddr 192.0.2.30 rport telnet } ipsec { encr_algs 3des encr_auth_algs\n"
	"sha1 sa shared}\n"
	"{\n        raddr 192.0.2.30\n        rport telnet\n} ipsec {\n        encr_algs 3des\n"
	"        encr_auth_algs sha1\n        sa shared\n}\n"
	"{ raddr 192.0.2.30 rport telnet } ipsec\n"
	"        { encr_algs 3des encr_auth_algs sha1 sa shared}\n"
	"{ raddr 192.0.2.30 rport telnet } ipsec\n"
	"        { encr_algs 3des encr_auth_algs sha1 sa shared} or ipsec\n"
	"        { encr_algs aes encr_auth_algs sha1 sa shared}\n"
	"# Example 13: neighbour discovery in the clear.\n"
	"{raddr fec0:abcd::0/32} ipsec { auth_algs SHA1 }\n"
	"{raddr fec0:abcd::0/32 ulp ipv6-icmp type 133-137  dir both }\n    pass { }\n"
	"# Example 14: or.\n"
	"{raddr 192.0.2.20} ipsec {encr_algs aes} or ipsec {encr_algs blowfish}\n"
	"# Example 15: Solaris 9 tunnel (the tunnel named by its endpoints).\n"
	"{tunnel ip.tun0 tunnel_src 203.0.113.1 tunnel_dst 203.0.113.2 negotiate transport}"
	" ipsec {encr_algs aes\n                                    encr_auth_algs md5}\n"
	"# Example 16: a VPN client with an assigned address.\n"
	"{tunnel ip.tun0 tunnel_src 203.0.113.1 tunnel_dst 203.0.113.50 negotiate tunnel\n"
	"raddr 10.8.0.5/32\nladdr 0.0.0.0/0} ipsec {encr_algs aes encr_auth_algs sha1}\n"
	"# Example 17: transit VPN router (A 10.1/24, B 10.2/24, C 10.3/24).\n"
	"{tunnel ip.tun0 tunnel_src 203.0.113.3 tunnel_dst 203.0.113.1 negotiate tunnel\n"
	"raddr 10.1.0.0/24 laddr\n10.2.0.0/24} ipsec {encr_algs 3des encr_auth_algs md5}\n"
	"{tunnel ip.tun0 tunnel_src 203.0.113.3 tunnel_dst 203.0.113.1 negotiate tunnel\n"
	"raddr 10.1.0.0/24 laddr\n10.3.0.0/24} ipsec {encr_algs 3des encr_auth_algs md5}\n"
	"{tunnel ip.tun1 tunnel_src 203.0.113.3 tunnel_dst 203.0.113.2 negotiate tunnel\n"
	"raddr 10.2.0.0/24 laddr\n10.1.0.0/24} ipsec {encr_algs aes encr_auth_algs sha1}\n"
	"{tunnel ip.tun1 tunnel_src 203.0.113.3 tunnel_dst 203.0.113.2 negotiate tunnel\n"
	"raddr 10.2.0.0/24 laddr\n10.3.0.0/24} ipsec {encr_algs aes encr_auth_algs md5}\n";

static void test_illumos_examples(void **state)
{
	struct cli_pol_file f;
	size_t tunnels = 0, bypass = 0;

	(void)state;
	assert_int_equal(cli_pol_parse(illumos_examples, sizeof(illumos_examples) - 1,
				       "examples", CLI_POL_NUMERIC, &f), 0);
	for (size_t i = 0; i < f.nerrs; i++)
		print_message("%s\n", f.errs[i].msg);
	assert_int_equal(f.nerrs, 0);
	assert_int_equal(f.nrules, 35);
	for (size_t i = 0; i < f.nrules; i++) {
		tunnels += f.rules[i].has_tunnel;
		bypass += f.rules[i].policy.sadb_x_pol_action == SADB_X_DPSEC_ACTION_BYPASS;
	}
	assert_int_equal(tunnels, 5);
	assert_int_equal(bypass, 5);
	/* Example 1 starts on line 4; example 12's "or" rule has two ESP reqs. */
	assert_int_equal(f.rules[0].line, 4);
	assert_int_equal(f.rules[0].policy.sadb_x_pol_dir, SADB_X_DPSEC_DIR_OUT);
	assert_int_equal(f.rules[25].nreq, 2);
	assert_int_equal(f.rules[25].req[1].sadb_x_req_encrypt, SADB_EALG_AES);
	cli_pol_file_free(&f);
}

/* Example 12's incorrect entry: "or" starting a line is an error. */
static void test_illumos_incorrect_or(void **state)
{
	static const char text[] =
		"{ raddr 192.0.2.30 rport telnet } ipsec\n"
		"        { encr_algs 3des encr_auth_algs sha1 sa shared}\n"
		"        or ipsec { encr_algs aes encr_auth_algs sha1 sa shared}\n";
	struct cli_pol_file f;

	(void)state;
	assert_int_equal(cli_pol_parse(text, strlen(text), "x.conf", 0, &f), 0);
	assert_int_equal(f.nerrs, 1);
	assert_int_equal(f.nrules, 0);
	assert_string_equal(f.errs[0].msg,
			    "x.conf:3: \"or\": expected on the line of the \"}\" before it "
			    "(line 2)");
	cli_pol_file_free(&f);
}

/* ------------------------------------------------------------------------ */
/* Bad rules and their exact messages.                                       */

static const struct bad_case {
	const char *text;
	const char *msg;
} bad_cases[] = {
	{ "{ lprot 23 } drop {}",
	  "b.conf:1: \"lprot\": unknown pattern key; expected laddr, raddr, lport, rport, ulp, "
	  "type, code, dir, tunnel, negotiate, tunnel_src, tunnel_dst or priority" },
	{ "{ laddr 10.0.0.1\n laddr 10.0.0.2 } drop {}",
	  "b.conf:2: \"laddr\": duplicate key (first on line 1)" },
	{ "{ local 10.0.0.1 laddr 10.0.0.2 } drop {}",
	  "b.conf:1: \"laddr\": duplicate key (first on line 1)" },
	{ "{ dir in } drop { dir in }", "b.conf:1: \"dir\": duplicate key (first on line 1)" },
	{ "{ lport 70000 } bypass {}",
	  "b.conf:1: \"70000\" for lport: expected a port 0-65535, a range N-M or a service name" },
	{ "{ rport 20-10 } bypass {}",
	  "b.conf:1: \"20-10\" for rport: expected a port 0-65535, a range N-M or a service name" },
	{ "{ raddr 10.0.0.0/33 } drop {}",
	  "b.conf:1: \"10.0.0.0/33\" for raddr: expected a prefix length 0-32 for IPv4" },
	{ "{ raddr ::/129 } drop {}",
	  "b.conf:1: \"::/129\" for raddr: expected a prefix length after \"/\"" },
	{ "{ raddr some.host } drop {}",
	  "b.conf:1: \"some.host\" for raddr: expected an IPv4 or IPv6 address (name lookups "
	  "are off)" },
	{ "{ raddr 10.0.0.1 } ipsek { encr_algs aes }",
	  "b.conf:1: \"ipsek\": expected an action: ipsec, apply, permit, bypass, pass or drop" },
	{ "{ raddr 10.0.0.1 } ipsec encr_algs aes",
	  "b.conf:1: \"encr_algs\": expected \"{\" after the action" },
	{ "raddr 10.0.0.1 } drop {}", "b.conf:1: \"raddr\": expected \"{\" to start a rule" },
	{ "{ raddr 10.0.0.1 } ipsec { encr_algs rot13 }",
	  "b.conf:1: \"rot13\" for encr_algs: unknown algorithm \"rot13\"; expected an "
	  "encryption algorithm: any, des, 3des, blowfish, null, aes, aes-ctr, aes-ccm8, "
	  "aes-ccm12, aes-ccm16, aes-gcm8, aes-gcm12, aes-gcm16, null-aes-gmac, "
	  "chacha20-poly1305, or a number" },
	{ "{} ipsec { auth_algs none }",
	  "b.conf:1: \"none\" for auth_algs: unknown algorithm \"none\"; expected an "
	  "authentication algorithm: any, md5, sha1, sha256, sha384, sha512, or a number" },
	{ "{} ipsec { encr_algs aes(100) }", "b.conf:1: \"aes(100)\" for encr_algs: aes keys "
	  "are 128..256 bits" },
	{ "{} ipsec { encr_algs aes(300..400) }", "b.conf:1: \"aes(300..400)\" for encr_algs: "
	  "aes keys are 128..256 bits" },
	{ "{} ipsec { encr_algs aes(256..128) }", "b.conf:1: \"aes(256..128)\" for encr_algs: "
	  "expected a key length N, N.., ..N or N..M (bits)" },
	{ "{} ipsec { encr_algs aes(..) }", "b.conf:1: \"aes(..)\" for encr_algs: expected a "
	  "key length N, N.., ..N or N..M (bits)" },
	{ "{} ipsec { encr_algs aes(128 }", "b.conf:1: \"aes(128\" for encr_algs: expected a "
	  "key length in (), like aes(128..256)" },
	{ "{} ipsec { encr_algs null(128) encr_auth_algs sha1 }", "b.conf:1: \"null(128)\" for "
	  "encr_algs: null takes no key length" },
	{ "{} ipsec { encr_algs aes,,3des }", "b.conf:1: \"aes,,3des\" for encr_algs: "
	  "expected algorithms separated by single commas" },
	{ "{ raddr 10.0.0.1 } bypass { encr_algs aes }",
	  "b.conf:1: \"encr_algs\": action bypass takes no properties (only dir)" },
	{ "{} drop { sa unique }", "b.conf:1: \"sa\": action drop takes no properties (only dir)" },
	{ "{ raddr 10.0.0.1 } ipsec { }",
	  "b.conf:1: ipsec: expected auth_algs, encr_algs or encr_auth_algs in its properties" },
	{ "{} ipsec { sa unique }",
	  "b.conf:1: ipsec: expected auth_algs, encr_algs or encr_auth_algs in its properties" },
	{ "{} ipsec { encr_algs null }", "b.conf:1: encr_algs null: expected encr_auth_algs as "
	  "well (ESP without encryption must authenticate)" },
	{ "{} ipsec { encr_auth_algs none }", "b.conf:1: encr_auth_algs none: expected a cipher "
	  "other than null in encr_algs" },
	{ "{} ipsec { encr_algs aes-gcm encr_auth_algs sha1 }", "b.conf:1: encr_auth_algs: "
	  "combined-mode ciphers (aes-gcm16) take no separate authentication" },
	{ "{ type 8 } drop {}", "b.conf:1: \"type\": expected ulp icmp or ipv6-icmp in the "
	  "pattern" },
	{ "{ ulp icmp code 3 } drop {}", "b.conf:1: \"code\": expected a type as well" },
	{ "{ ulp icmp type 300 } drop {}", "b.conf:1: \"300\" for type: expected an ICMP type "
	  "0-255, a range N-M or a name (echo, unreach, echo6, neigh-sol6, ...)" },
	{ "{ ulp icmp type 3 code bogus } drop {}", "b.conf:1: \"bogus\" for code: expected an "
	  "ICMP code 0-255, a range N-M or a name (net-unr, port-unr, ...)" },
	{ "{ ulp icmp lport 5 } drop {}", "b.conf:1: ports with ulp 1: expected ulp tcp, udp, "
	  "sctp, dccp or udplite" },
	{ "{ ulp 0 } drop {}", "b.conf:1: \"0\" for ulp: expected a protocol number 1-255 or a "
	  "name (tcp, udp, icmp, ipv6-icmp, sctp, ...)" },
	{ "{ laddr 10.0.0.1 raddr ::1 } drop {}", "b.conf:1: local and remote addresses of "
	  "different families (IPv4 and IPv6)" },
	{ "{ dir sideways } drop {}", "b.conf:1: \"sideways\" for dir: expected in, out or both" },
	{ "{ dir in } apply { encr_algs aes }", "b.conf:1: \"dir\": action apply is outbound "
	  "(dir out) only" },
	{ "{ dir both } permit { encr_algs aes }", "b.conf:1: \"dir\": action permit is inbound "
	  "(dir in) only" },
	{ "{ tunnel ip.tun0 } ipsec { encr_algs aes }", "b.conf:1: \"tunnel\": expected "
	  "tunnel_src and tunnel_dst (dpsec has no tunnel interfaces; the endpoints name the "
	  "tunnel)" },
	{ "{ negotiate tunnel } ipsec { encr_algs aes }", "b.conf:1: \"negotiate\": expected "
	  "tunnel_src and tunnel_dst (dpsec has no tunnel interfaces; the endpoints name the "
	  "tunnel)" },
	{ "{ negotiate sideways } ipsec { encr_algs aes }", "b.conf:1: \"sideways\" for "
	  "negotiate: expected tunnel or transport" },
	{ "{ tunnel_src 1.1.1.1 } ipsec { encr_algs aes }", "b.conf:1: \"tunnel_src\": expected "
	  "both tunnel_src and tunnel_dst" },
	{ "{ tunnel_src 1.1.1.1 tunnel_dst ::2 } ipsec { encr_algs aes }", "b.conf:1: "
	  "\"tunnel_dst\": not the family of tunnel_src" },
	{ "{ tunnel_src 1.1.1.1/24 tunnel_dst 2.2.2.2 } ipsec { encr_algs aes }", "b.conf:1: "
	  "\"1.1.1.1/24\" for tunnel_src: expected an address without a prefix" },
	{ "{ tunnel_src 1.1.1.1 tunnel_dst 2.2.2.2 } bypass { }", "b.conf:1: tunnel rules need "
	  "action ipsec, apply or permit (not bypass)" },
	{ "{ tunnel_src 1.1.1.1 tunnel_dst 2.2.2.2 negotiate transport raddr 10.0.0.0/8 }"
	  " ipsec { encr_algs aes }", "b.conf:1: \"negotiate transport\": the pattern may name "
	  "only the tunnel (no addresses, ports or ulp)" },
	{ "{} ipsec { encr_algs aes } or ipsec { auth_algs sha1 }", "b.conf:1: \"or\": every "
	  "alternative must use the same protocols (AH, ESP or both) as the first" },
	{ "{} ipsec { auth_algs sha1 encr_algs aes } or ipsec { auth_algs md5 encr_algs 3des }",
	  "b.conf:1: \"or\": an AH and ESP bundle takes no alternatives; list the algorithms "
	  "(auth_algs a,b encr_algs c,d)" },
	{ "{} ipsec { encr_algs aes sa unique } or ipsec { encr_algs 3des sa shared }",
	  "b.conf:1: \"sa\": alternatives disagree (shared and unique)" },
	{ "{} ipsec { encr_algs aes } or permit { encr_algs 3des }", "b.conf:1: \"permit\": "
	  "every alternative of a rule has the same action (the first is ipsec)" },
	{ "{} bypass { } or bypass { }", "b.conf:1: \"or\": only ipsec, apply and permit rules "
	  "have alternatives" },
	{ "{} ipsec { encr_algs aes } extra", "b.conf:1: \"extra\": expected \"or\" or the next "
	  "rule's \"{\"" },
	{ "{ saddr 1.1.1.1 laddr 2.2.2.2 } drop {}", "b.conf:1: saddr/daddr/sport/dport and "
	  "laddr/raddr/lport/rport in one rule: expected one style" },
	{ "{ smask 255.0.0.0 } drop {}", "b.conf:1: \"smask\": not supported; write the prefix "
	  "length on the address (addr/len)" },
	{ "{ encr_algs aes } ipsec { encr_algs aes }", "b.conf:1: \"encr_algs\": a property, not "
	  "a pattern key; it goes in the { } after the action" },
	{ "{} ipsec { laddr 2.2.2.2 }", "b.conf:1: \"laddr\": a pattern key, not a property; it "
	  "goes in the { } before the action" },
	{ "{} ipsec { colour blue }", "b.conf:1: \"colour\": unknown property; expected "
	  "auth_algs, encr_algs, encr_auth_algs or sa" },
	{ "{} ipsec { sa maybe encr_algs aes }", "b.conf:1: \"maybe\" for sa: expected shared "
	  "or unique" },
	{ "{ priority x } drop {}", "b.conf:1: \"x\" for priority: expected a number "
	  "0-4294967295" },
	{ "{ priority 4294967296 } drop {}", "b.conf:1: \"4294967296\" for priority: expected a "
	  "number 0-4294967295" },
	{ "{ raddr\n", "b.conf:2: \"raddr\": expected a value, got end of file" },
	{ "{ raddr }", "b.conf:1: \"raddr\": expected a value, got \"}\"" },
	{ "{ raddr 10.0.0.1 ", "b.conf:1: end of file: expected \"}\"" },
	{ "{ { } drop {}", "b.conf:1: \"{\": expected a key or \"}\"" },
	{ "{ raddr 10.0.0.1 }", "b.conf:1: \"end of file\": expected an action: ipsec, apply, "
	  "permit, bypass, pass or drop" },
	{ "{} ipsec { encr_algs aes,3des,blowfish,des encr_auth_algs md5,sha1,sha256,sha384,"
	  "sha512 }", "b.conf:1: more than 16 SA requirements (algorithm combinations) in one "
	  "rule" },
};

static void test_bad_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct cli_pol_file f;

		print_message("%s\n", c->text);
		assert_int_equal(cli_pol_parse(c->text, strlen(c->text), "b.conf", CLI_POL_NUMERIC,
					       &f), 0);
		assert_int_equal(f.nrules, 0);
		assert_int_equal(f.nerrs, 1);
		assert_string_equal(f.errs[0].msg, c->msg);
		cli_pol_file_free(&f);
	}
}

/* Every bad rule is reported, the good ones around them are kept. */
static void test_every_bad_rule_reported(void **state)
{
	static const char text[] =
		"# comment line\n"
		"{ raddr 10.0.0.1 } ipsec { encr_algs aes }   # good\n"
		"{ lport x } bypass {}\n"
		"{ raddr 10.0.0.2 } ipsek { encr_algs aes }\n"
		"{ raddr 10.0.0.3 }\n"
		"  drop {}                                      # good\n"
		"{ raddr 10.0.0.4 } ipsec { encr_algs rot13 } or ipsec { encr_algs aes }\n"
		"{ raddr 10.0.0.5 } bypass {}                   # good\n"
		"{ raddr 10.0.0.6 } ipsec { encr_algs aes } extra { }\n"
		"{ raddr 10.0.0.7 ulp tcp } ipsec { auth_algs sha1 } # good\n";
	static const unsigned bad_lines[] = { 3, 4, 7, 9 };
	static const unsigned good_lines[] = { 2, 5, 8, 10 };
	struct cli_pol_file f;

	(void)state;
	assert_int_equal(cli_pol_parse(text, strlen(text), "m.conf", 0, &f), 0);
	for (size_t i = 0; i < f.nerrs; i++)
		print_message("%s\n", f.errs[i].msg);
	assert_int_equal(f.nerrs, 4);
	assert_int_equal(f.nrules, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(f.errs[i].line, bad_lines[i]);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(f.rules[i].line, good_lines[i]);
	assert_string_equal(f.errs[3].msg, "m.conf:9: \"extra\": expected \"or\" or the next "
			    "rule's \"{\"");
	cli_pol_file_free(&f);
}

static void test_empty_and_comments(void **state)
{
	static const char *const texts[] = { "", "   \n\t\n", "# only a comment",
					      "#a\n#b\n  # c {\n" };
	struct cli_pol_file f;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(cli_pol_parse(texts[i], strlen(texts[i]), "e", 0, &f), 0);
		assert_int_equal(f.nrules, 0);
		assert_int_equal(f.nerrs, 0);
		cli_pol_file_free(&f);
	}
}

/* A word longer than the lexer keeps, and NUL bytes in the text. */
static void test_hostile_text(void **state)
{
	char text[1200];
	struct cli_pol_file f;

	(void)state;
	memset(text, 'a', sizeof(text));
	memcpy(text, "{ raddr ", 8);
	text[sizeof(text) - 1] = '}';
	assert_int_equal(cli_pol_parse(text, sizeof(text), "h", CLI_POL_NUMERIC, &f), 0);
	assert_int_equal(f.nerrs, 1);
	assert_non_null(strstr(f.errs[0].msg, "longer than 255 characters"));
	cli_pol_file_free(&f);

	static const char nul[] = "{ raddr 10.0.0.1\0 } drop {}";
	assert_int_equal(cli_pol_parse(nul, sizeof(nul) - 1, "h", CLI_POL_NUMERIC, &f), 0);
	assert_int_equal(f.nerrs, 1);
	assert_int_equal(f.nrules, 0);
	cli_pol_file_free(&f);
}

/* Every good rule builds a request the codec accepts. */
static void test_requests_validate(void **state)
{
	struct cli_pol_file f;

	(void)state;
	assert_int_equal(cli_pol_parse(illumos_examples, sizeof(illumos_examples) - 1, "x",
				       CLI_POL_NUMERIC, &f), 0);
	for (size_t i = 0; i < f.nrules; i++) {
		_Alignas(8) uint8_t buf[CLI_POL_MSG_MAX];
		struct pfk_msg m;
		uint16_t diag = 0xffff;
		const int len = cli_pol_build_add(&f.rules[i], buf, sizeof(buf), 1, 2);

		assert_true(len > 0);
		assert_int_equal(pfk_validate(buf, (size_t)len, PFK_DIR_REQUEST, &m, &diag), 0);
		assert_int_equal(m.sareq_count, f.rules[i].nreq);
		assert_int_equal(cli_pol_build_add(&f.rules[i], buf, 40, 1, 2), -ENOSPC);
	}
	cli_pol_file_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pattern_keys),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_properties),
		cmocka_unit_test(test_tunnel),
		cmocka_unit_test(test_tunnel_request_bytes),
		cmocka_unit_test(test_negotiate_transport),
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_illumos_examples),
		cmocka_unit_test(test_illumos_incorrect_or),
		cmocka_unit_test(test_bad_rules),
		cmocka_unit_test(test_every_bad_rule_reported),
		cmocka_unit_test(test_empty_and_comments),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_requests_validate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
