/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfk_test_msg.h: a raw message kit for the parser and checker tests.
 *
 * Unlike the library's builder, it writes whatever it is told: tests use it
 * to lay out valid messages and then break one field or one length.  Each
 * append returns the extension so the test can patch it.  No checks beyond
 * staying inside the buffer (a test bug fails loudly through cmocka).
 * Include it after <cmocka.h>.
 */
#ifndef PFK_TEST_MSG_H
#define PFK_TEST_MSG_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "dpsec/pfkey.h"

#define TM_CAP 4096u

struct tmsg {
	uint64_t w[TM_CAP / 8]; /* 8-byte aligned */
	size_t len;
};

static inline struct sadb_msg *tm_hdr(struct tmsg *t)
{
	return (struct sadb_msg *)(void *)t->w;
}

static inline uint8_t *tm_bytes(struct tmsg *t)
{
	return (uint8_t *)t->w;
}

static inline void tm_init(struct tmsg *t, uint8_t type, uint8_t satype)
{
	memset(t, 0, sizeof(*t));
	tm_hdr(t)->sadb_msg_version = PF_KEY_V2;
	tm_hdr(t)->sadb_msg_type = type;
	tm_hdr(t)->sadb_msg_satype = satype;
	tm_hdr(t)->sadb_msg_seq = 7;
	tm_hdr(t)->sadb_msg_pid = 4242;
	t->len = sizeof(struct sadb_msg);
	tm_hdr(t)->sadb_msg_len = (uint16_t)(t->len / 8);
}

/* Append a zeroed extension of `bytes` (a multiple of 8) and keep the
 * header length in step. */
static inline void *tm_ext(struct tmsg *t, uint16_t exttype, size_t bytes)
{
	struct sadb_ext *e;

	assert_true(bytes % 8 == 0 && t->len + bytes <= TM_CAP);
	e = (struct sadb_ext *)(void *)(tm_bytes(t) + t->len);
	e->sadb_ext_len = (uint16_t)(bytes / 8);
	e->sadb_ext_type = exttype;
	t->len += bytes;
	tm_hdr(t)->sadb_msg_len = (uint16_t)(t->len / 8);
	return e;
}

static inline struct sadb_sa *tm_sa(struct tmsg *t, uint32_t spi, uint8_t state, uint8_t auth,
				    uint8_t encrypt, uint32_t flags)
{
	struct sadb_sa *sa = tm_ext(t, SADB_EXT_SA, sizeof(*sa));

	sa->sadb_sa_spi = htonl(spi);
	sa->sadb_sa_replay = 32;
	sa->sadb_sa_state = state;
	sa->sadb_sa_auth = auth;
	sa->sadb_sa_encrypt = encrypt;
	sa->sadb_sa_flags = flags;
	return sa;
}

static inline struct sadb_address *tm_addr4(struct tmsg *t, uint16_t exttype, const char *ip,
					    uint16_t port, uint8_t proto, uint8_t prefix)
{
	struct sadb_address *a = tm_ext(t, exttype, 24);
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)(a + 1);

	a->sadb_address_proto = proto;
	a->sadb_address_prefixlen = prefix;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
	return a;
}

static inline struct sadb_address *tm_addr6(struct tmsg *t, uint16_t exttype, const char *ip,
					    uint16_t port, uint8_t proto, uint8_t prefix)
{
	struct sadb_address *a = tm_ext(t, exttype, 40);
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)(a + 1);

	a->sadb_address_proto = proto;
	a->sadb_address_prefixlen = prefix;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
	return a;
}

/* Outer SRC 192.0.2.1 and DST 192.0.2.2. */
static inline void tm_sd4(struct tmsg *t)
{
	tm_addr4(t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0, 0);
	tm_addr4(t, SADB_EXT_ADDRESS_DST, "192.0.2.2", 0, 0, 0);
}

/* A key of `bits` bits (salt included) filled with a pattern. */
static inline struct sadb_key *tm_key(struct tmsg *t, uint16_t exttype, uint16_t bits,
				      uint16_t saltbits)
{
	const size_t keybytes = ((size_t)bits + 7) / 8;
	struct sadb_key *k = tm_ext(t, exttype, (8 + keybytes + 7) & ~(size_t)7);

	k->sadb_key_bits = bits;
	k->sadb_x_key_saltbits = saltbits;
	memset(k + 1, 0xa5, keybytes);
	return k;
}

static inline struct sadb_lifetime *tm_lifetime(struct tmsg *t, uint16_t exttype,
						uint32_t alloc, uint64_t bytes,
						uint64_t addtime, uint64_t usetime)
{
	struct sadb_lifetime *lt = tm_ext(t, exttype, sizeof(*lt));

	lt->sadb_lifetime_allocations = alloc;
	lt->sadb_lifetime_bytes = bytes;
	lt->sadb_lifetime_addtime = addtime;
	lt->sadb_lifetime_usetime = usetime;
	return lt;
}

static inline struct sadb_ident *tm_ident(struct tmsg *t, uint16_t exttype, uint16_t type,
					  const char *s)
{
	const size_t n = strlen(s) + 1;
	struct sadb_ident *id = tm_ext(t, exttype, 16 + ((n + 7) & ~(size_t)7));

	id->sadb_ident_type = type;
	memcpy(id + 1, s, n);
	return id;
}

static inline struct sadb_spirange *tm_spirange(struct tmsg *t, uint32_t min, uint32_t max)
{
	struct sadb_spirange *r = tm_ext(t, SADB_EXT_SPIRANGE, sizeof(*r));

	r->sadb_spirange_min = htonl(min);
	r->sadb_spirange_max = htonl(max);
	return r;
}

static inline struct sadb_x_kmc *tm_kmc(struct tmsg *t, uint32_t proto, uint64_t cookie)
{
	struct sadb_x_kmc *k = tm_ext(t, SADB_X_EXT_KM_COOKIE, sizeof(*k));

	k->sadb_x_kmc_proto = proto;
	k->sadb_x_kmc_cookie64 = cookie;
	return k;
}

static inline struct sadb_x_pair *tm_pair(struct tmsg *t, uint32_t spi)
{
	struct sadb_x_pair *p = tm_ext(t, SADB_X_EXT_PAIR, sizeof(*p));

	p->sadb_x_pair_spi = htonl(spi);
	return p;
}

static inline struct sadb_x_replay_ctr *tm_replay_value(struct tmsg *t, uint32_t r32,
							uint64_t r64)
{
	struct sadb_x_replay_ctr *rc = tm_ext(t, SADB_X_EXT_REPLAY_VALUE, sizeof(*rc));

	rc->sadb_x_rc_replay32 = r32;
	rc->sadb_x_rc_replay64 = r64;
	return rc;
}

static inline struct sadb_x_edump *tm_edump(struct tmsg *t, uint64_t timeout)
{
	struct sadb_x_edump *e = tm_ext(t, SADB_X_EXT_EDUMP, sizeof(*e));

	e->sadb_x_edump_timeout = timeout;
	return e;
}

/* EREG with the given satypes and a terminating 0 (n + 1 <= 4 here). */
static inline struct sadb_x_ereg *tm_ereg(struct tmsg *t, uint8_t a, uint8_t b)
{
	struct sadb_x_ereg *e = tm_ext(t, SADB_X_EXT_EREG, sizeof(*e));

	e->sadb_x_ereg_satypes[0] = a;
	e->sadb_x_ereg_satypes[1] = b;
	return e;
}

static inline struct sadb_supported *tm_supported(struct tmsg *t, uint16_t exttype, uint8_t id,
						  uint16_t minbits, uint16_t maxbits)
{
	struct sadb_supported *s = tm_ext(t, exttype, 16);
	struct sadb_alg *alg = (struct sadb_alg *)(void *)(s + 1);

	alg->sadb_alg_id = id;
	alg->sadb_alg_minbits = minbits;
	alg->sadb_alg_maxbits = maxbits;
	return s;
}

/* PROPOSAL with one combination. */
static inline struct sadb_prop *tm_proposal(struct tmsg *t, uint8_t auth, uint8_t encrypt)
{
	struct sadb_prop *p = tm_ext(t, SADB_EXT_PROPOSAL, 8 + sizeof(struct sadb_comb));
	struct sadb_comb *c = (struct sadb_comb *)(void *)(p + 1);

	p->sadb_prop_replay = 32;
	c->sadb_comb_auth = auth;
	c->sadb_comb_encrypt = encrypt;
	c->sadb_comb_encrypt_minbits = 128;
	c->sadb_comb_encrypt_maxbits = 256;
	return p;
}

/* EPROP with one ecomb holding two algdescs (ESP AES + SHA256). */
static inline struct sadb_prop *tm_eprop(struct tmsg *t)
{
	struct sadb_prop *p = tm_ext(t, SADB_X_EXT_EPROP, 8 + 64 + 2 * 8);
	struct sadb_x_ecomb *ec = (struct sadb_x_ecomb *)(void *)(p + 1);
	struct sadb_x_algdesc *d = (struct sadb_x_algdesc *)(void *)(ec + 1);

	p->sadb_x_prop_numecombs = 1;
	ec->sadb_x_ecomb_numalgs = 2;
	d[0] = (struct sadb_x_algdesc){ .sadb_x_algdesc_satype = SADB_SATYPE_ESP,
		.sadb_x_algdesc_algtype = SADB_X_ALGTYPE_CRYPT, .sadb_x_algdesc_alg = SADB_EALG_AES,
		.sadb_x_algdesc_minbits = 128, .sadb_x_algdesc_maxbits = 256 };
	d[1] = (struct sadb_x_algdesc){ .sadb_x_algdesc_satype = SADB_SATYPE_ESP,
		.sadb_x_algdesc_algtype = SADB_X_ALGTYPE_AUTH,
		.sadb_x_algdesc_alg = SADB_AALG_SHA256HMAC,
		.sadb_x_algdesc_minbits = 256, .sadb_x_algdesc_maxbits = 256 };
	return p;
}

static inline struct sadb_sens *tm_sens(struct tmsg *t, uint16_t exttype)
{
	struct sadb_sens *s = tm_ext(t, exttype, 16 + 8 + 8);

	s->sadb_sens_sens_len = 1;
	s->sadb_sens_integ_len = 1;
	return s;
}

static inline struct sadb_x_dpsec_replay_window *tm_replay_window(struct tmsg *t,
								  uint32_t window,
								  uint32_t flags)
{
	struct sadb_x_dpsec_replay_window *rw =
		tm_ext(t, SADB_X_EXT_DPSEC_REPLAY_WINDOW, sizeof(*rw));

	rw->sadb_x_rw_window = window;
	rw->sadb_x_rw_flags = flags;
	return rw;
}

static inline struct sadb_x_dpsec_seq_lease *tm_seq_lease(struct tmsg *t, uint64_t limit)
{
	struct sadb_x_dpsec_seq_lease *sl = tm_ext(t, SADB_X_EXT_DPSEC_SEQ_LEASE, sizeof(*sl));

	sl->sadb_x_sl_limit = limit;
	return sl;
}

static inline struct sadb_x_dpsec_policy *tm_policy(struct tmsg *t, uint8_t dir,
						    uint8_t action, uint8_t mode)
{
	struct sadb_x_dpsec_policy *p = tm_ext(t, SADB_X_EXT_DPSEC_POLICY, sizeof(*p));

	p->sadb_x_pol_dir = dir;
	p->sadb_x_pol_action = action;
	p->sadb_x_pol_mode = mode;
	p->sadb_x_pol_priority = 100;
	return p;
}

/* An IPv4 selector 10.0.0.0/8 -> 10.1.0.0/16, any protocol and port. */
static inline struct sadb_x_dpsec_selector *tm_selector4(struct tmsg *t, uint16_t exttype)
{
	struct sadb_x_dpsec_selector *s = tm_ext(t, exttype, sizeof(*s));

	s->sadb_x_sel_family = AF_INET;
	s->sadb_x_sel_src_prefixlen = 8;
	s->sadb_x_sel_dst_prefixlen = 16;
	s->sadb_x_sel_sport_max = 65535;
	s->sadb_x_sel_dport_max = 65535;
	s->sadb_x_sel_icmp_type_max = 255;
	s->sadb_x_sel_icmp_code_max = 255;
	s->sadb_x_sel_src[0] = 10;
	s->sadb_x_sel_dst[0] = 10;
	s->sadb_x_sel_dst[1] = 1;
	return s;
}

static inline struct sadb_x_dpsec_sareq *tm_sareq(struct tmsg *t, uint8_t satype, uint8_t auth,
						  uint8_t encrypt)
{
	struct sadb_x_dpsec_sareq *r = tm_ext(t, SADB_X_EXT_DPSEC_SAREQ, sizeof(*r));

	r->sadb_x_req_satype = satype;
	r->sadb_x_req_auth = auth;
	r->sadb_x_req_encrypt = encrypt;
	return r;
}

/* ------------------------------------------------------------------------ */
/* Whole messages every test starts from.                                    */

/* ADD esp aes-cbc-128 + hmac-sha256, transport, IPv4. */
static inline void tm_add_esp(struct tmsg *t, uint8_t type)
{
	tm_init(t, type, SADB_SATYPE_ESP);
	tm_sa(t, 0x1000, SADB_SASTATE_MATURE, SADB_AALG_SHA256HMAC, SADB_EALG_AES, 0);
	tm_sd4(t);
	tm_key(t, SADB_EXT_KEY_AUTH, 256, 0);
	tm_key(t, SADB_EXT_KEY_ENCRYPT, 128, 0);
}

/* SPDADD: outbound ipsec transport rule with one ESP requirement. */
static inline void tm_spdadd(struct tmsg *t)
{
	tm_init(t, SADB_X_DPSEC_SPDADD, 0);
	tm_policy(t, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TRANSPORT);
	tm_selector4(t, SADB_X_EXT_DPSEC_SELECTOR);
	tm_sareq(t, SADB_SATYPE_ESP, SADB_X_DPSEC_ALG_ANY, SADB_X_DPSEC_ALG_ANY);
}

/* ------------------------------------------------------------------------ */
/* Coverage: every diagnostic a source file names must have a test case.    */

/* Reads `src` (a path relative to the repository root, found from this
 * file's __FILE__) and calls seen(name) for each SADB_X_DIAGNOSTIC_<name>
 * token except NONE.  Returns false if the file cannot be read. */
static inline bool tm_scan_diags(const char *this_file, const char *this_rel, const char *src,
				 void (*seen)(const char *name, void *arg), void *arg)
{
	static const char prefix[] = "SADB_X_DIAGNOSTIC_";
	char path[1024], name[64];
	const size_t flen = strlen(this_file), rlen = strlen(this_rel);
	FILE *f;
	int c;

	if (flen < rlen || strcmp(this_file + flen - rlen, this_rel) != 0)
		return false;
	if ((size_t)snprintf(path, sizeof(path), "%.*s%s", (int)(flen - rlen), this_file, src) >=
	    sizeof(path))
		return false;
	f = fopen(path, "r");
	if (f == NULL)
		f = fopen(src, "r"); /* run from the repository root */
	if (f == NULL)
		return false;
	/* Tiny matcher: find the prefix, then read an identifier. */
	size_t matched = 0;
	while ((c = fgetc(f)) != EOF) {
		if (c == prefix[matched]) {
			if (prefix[++matched] != '\0')
				continue;
			size_t n = 0;
			while ((c = fgetc(f)) != EOF &&
			       (c == '_' || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
				if (n + 1 < sizeof(name))
					name[n++] = (char)c;
			name[n] = '\0';
			if (strcmp(name, "NONE") != 0 && n > 0)
				seen(name, arg);
			matched = 0;
			continue;
		}
		matched = c == prefix[0] ? 1 : 0;
	}
	fclose(f);
	return true;
}

#endif /* PFK_TEST_MSG_H */
