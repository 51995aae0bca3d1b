/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli_policy_print.c: SPD rule -> ipsecconf(8) text that parses back to
 * the same SPDADD request.
 *
 * The printer writes every field the parser would otherwise default
 * (dir, priority), so the text stands on its own.  The SA requirements are
 * written as one properties block with algorithm lists when
 * cli_pol_expand() turns that block back into exactly the rule's SAREQs,
 * else as one "or" alternative per requirement, else not at all (-ENOTSUP:
 * a rule another client added in a shape the grammar cannot say).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli_pol_priv.h"

int cli_pol_rule_from_msg(const struct pfk_msg *m, struct cli_pol_rule *out)
{
	unsigned n = 0;

	memset(out, 0, sizeof(*out));
	if (m->policy == NULL || m->selector == NULL)
		return -EINVAL;
	out->policy = *m->policy;
	out->selector = *m->selector;
	if (m->inner_selector != NULL) {
		out->inner = *m->inner_selector;
		out->has_inner = true;
	}
	for (const struct sadb_x_dpsec_sareq *r = pfk_next_sareq(m, NULL); r != NULL;
	     r = pfk_next_sareq(m, r)) {
		if (n == CLI_POL_SAREQ_MAX)
			return -E2BIG;
		out->req[n++] = *r;
	}
	out->nreq = n;
	if (m->src != NULL && m->dst != NULL) {
		const struct sockaddr *s = pfk_addr_sockaddr(m->src);
		const struct sockaddr *d = pfk_addr_sockaddr(m->dst);
		const size_t ls = s->sa_family == AF_INET ? sizeof(struct sockaddr_in)
							  : sizeof(struct sockaddr_in6);
		const size_t ld = d->sa_family == AF_INET ? sizeof(struct sockaddr_in)
							  : sizeof(struct sockaddr_in6);

		memcpy(&out->tun_local, s, ls);
		memcpy(&out->tun_remote, d, ld);
		out->has_tunnel = true;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Output buffer with a sticky overflow.                                     */

struct out {
	char *s;
	size_t cap, len;
	bool full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->s + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->full = true;
		return;
	}
	o->len += (size_t)n;
}

static void put_addr(struct out *o, const char *key, uint8_t family, const uint8_t *bytes,
		     uint8_t prefix, bool with_prefix)
{
	char buf[INET6_ADDRSTRLEN];
	uint8_t masked[16];

	/* The parser masks host bits off; print what it would keep. */
	memcpy(masked, bytes, 16);
	for (unsigned i = 0; i < 16; i++) {
		const unsigned bit = i * 8;

		if (!with_prefix)
			break;
		if (bit >= prefix)
			masked[i] = 0;
		else if (bit + 8 > prefix)
			masked[i] &= (uint8_t)(0xff << (8 - (prefix - bit)));
	}
	inet_ntop(family, masked, buf, sizeof(buf));
	if (with_prefix)
		put(o, " %s %s/%u", key, buf, prefix);
	else
		put(o, " %s %s", key, buf);
}

static void put_range(struct out *o, const char *key, unsigned lo, unsigned hi, unsigned max)
{
	if (lo == 0 && hi == max)
		return;
	if (lo == hi)
		put(o, " %s %u", key, lo);
	else
		put(o, " %s %u-%u", key, lo, hi);
}

static bool port_proto(uint8_t p)
{
	return p == 0 || p == 6 || p == 17 || p == 33 || p == 132 || p == 136;
}

/* The pattern keys of a selector. */
static int put_selector(struct out *o, const struct sadb_x_dpsec_selector *s, unsigned flags)
{
	const bool ports = s->sadb_x_sel_sport_min != 0 || s->sadb_x_sel_sport_max != 65535 ||
			   s->sadb_x_sel_dport_min != 0 || s->sadb_x_sel_dport_max != 65535;
	const bool icmp = s->sadb_x_sel_icmp_type_min != 0 ||
			  s->sadb_x_sel_icmp_type_max != 255 ||
			  s->sadb_x_sel_icmp_code_min != 0 || s->sadb_x_sel_icmp_code_max != 255;
	const uint8_t f = s->sadb_x_sel_family;

	if (ports && !port_proto(s->sadb_x_sel_proto))
		return -ENOTSUP;
	if (icmp && s->sadb_x_sel_proto != 1 && s->sadb_x_sel_proto != 58)
		return -ENOTSUP;
	if (f == AF_INET || f == AF_INET6) {
		const bool l = s->sadb_x_sel_src_prefixlen != 0;
		const bool r = s->sadb_x_sel_dst_prefixlen != 0;

		/* The family alone (both prefixes 0) still needs an address. */
		if (l || !r)
			put_addr(o, "laddr", f, s->sadb_x_sel_src, s->sadb_x_sel_src_prefixlen,
				 true);
		if (r)
			put_addr(o, "raddr", f, s->sadb_x_sel_dst, s->sadb_x_sel_dst_prefixlen,
				 true);
	}
	if (s->sadb_x_sel_proto != 0) {
		const char *name = cli_pol_proto_name(s->sadb_x_sel_proto);

		if (name != NULL && !(flags & CLI_POL_NUMERIC))
			put(o, " ulp %s", name);
		else
			put(o, " ulp %u", s->sadb_x_sel_proto);
	}
	put_range(o, "lport", s->sadb_x_sel_sport_min, s->sadb_x_sel_sport_max, 65535);
	put_range(o, "rport", s->sadb_x_sel_dport_min, s->sadb_x_sel_dport_max, 65535);
	if (icmp) {
		/* "code" needs "type": write type 0-255 when only the code is set. */
		put(o, " type %u", s->sadb_x_sel_icmp_type_min);
		if (s->sadb_x_sel_icmp_type_max != s->sadb_x_sel_icmp_type_min)
			put(o, "-%u", s->sadb_x_sel_icmp_type_max);
		put_range(o, "code", s->sadb_x_sel_icmp_code_min, s->sadb_x_sel_icmp_code_max, 255);
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Properties.                                                               */

static void put_alg(struct out *o, enum pfk_alg_kind kind, const struct cli_pol_alg *a)
{
	const struct pfk_alg_info *info = pfk_alg_by_id(kind, a->id);

	if (a->id == SADB_X_DPSEC_ALG_ANY)
		put(o, "any");
	else if (a->id == 0)
		put(o, "none");
	else if (info != NULL)
		put(o, "%s", info->name);
	else
		put(o, "%u", a->id);
	if (a->minbits == 0 && a->maxbits == 0)
		return;
	if (a->minbits == a->maxbits)
		put(o, "(%u)", a->minbits);
	else if (a->minbits == 0)
		put(o, "(..%u)", a->maxbits);
	else if (a->maxbits == CLI_POL_BITS_OPEN)
		put(o, "(%u..)", a->minbits);
	else
		put(o, "(%u..%u)", a->minbits, a->maxbits);
}

static void put_alg_list(struct out *o, const char *key, enum pfk_alg_kind kind,
			 const struct cli_pol_alg *list, unsigned n)
{
	if (n == 0)
		return;
	put(o, " %s ", key);
	for (unsigned i = 0; i < n; i++) {
		if (i > 0)
			put(o, ",");
		put_alg(o, kind, &list[i]);
	}
}

static void put_props(struct out *o, const struct cli_pol_props *p, bool unique)
{
	put(o, " ipsec {");
	put_alg_list(o, "auth_algs", PFK_ALG_AUTH, p->ah, p->n_ah);
	put_alg_list(o, "encr_algs", PFK_ALG_ENCRYPT, p->enc, p->n_enc);
	put_alg_list(o, "encr_auth_algs", PFK_ALG_AUTH, p->eauth, p->n_eauth);
	if (unique)
		put(o, " sa unique");
	put(o, " }");
}

static struct cli_pol_alg auth_of(const struct sadb_x_dpsec_sareq *r)
{
	return (struct cli_pol_alg){ r->sadb_x_req_auth, r->sadb_x_req_auth_minbits,
				     r->sadb_x_req_auth_maxbits };
}

static struct cli_pol_alg enc_of(const struct sadb_x_dpsec_sareq *r)
{
	return (struct cli_pol_alg){ r->sadb_x_req_encrypt, r->sadb_x_req_encrypt_minbits,
				     r->sadb_x_req_encrypt_maxbits };
}

static bool alg_eq(const struct cli_pol_alg *a, const struct cli_pol_alg *b)
{
	return a->id == b->id && a->minbits == b->minbits && a->maxbits == b->maxbits;
}

/* Does the block expand to exactly reqs[0..n)? */
static bool props_match(const struct cli_pol_props *p, const struct sadb_x_dpsec_sareq *reqs,
			unsigned n)
{
	struct sadb_x_dpsec_sareq got[CLI_POL_SAREQ_MAX];
	const int count = cli_pol_expand(p, got, CLI_POL_SAREQ_MAX);

	return count == (int)n && memcmp(got, reqs, n * sizeof(*reqs)) == 0;
}

/* One block for all requirements: AH list, then ESP as ciphers x auths. */
static bool one_block(const struct cli_pol_rule *r, struct cli_pol_props *p)
{
	unsigned i = 0, n_eauth;
	bool have_eauth = false;

	memset(p, 0, sizeof(*p));
	for (; i < r->nreq && r->req[i].sadb_x_req_satype == SADB_SATYPE_AH; i++)
		p->ah[p->n_ah++] = auth_of(&r->req[i]);
	for (unsigned j = i; j < r->nreq; j++) {
		const struct cli_pol_alg e = enc_of(&r->req[j]);

		if (p->n_enc == 0 || !alg_eq(&p->enc[p->n_enc - 1], &e)) {
			p->enc[p->n_enc++] = e;
			/* The auths of the first cipher that takes any. */
			have_eauth = have_eauth || p->n_eauth > 0;
		}
		if (!have_eauth && !cli_pol_encr_is_aead(e.id) && p->n_eauth < CLI_POL_SAREQ_MAX)
			p->eauth[p->n_eauth++] = auth_of(&r->req[j]);
	}
	/* The default authentication needs no encr_auth_algs: try without. */
	n_eauth = p->n_eauth;
	p->n_eauth = 0;
	if (props_match(p, r->req, r->nreq))
		return true;
	p->n_eauth = n_eauth;
	return props_match(p, r->req, r->nreq);
}

/* One block for one requirement. */
static bool req_block(const struct sadb_x_dpsec_sareq *req, struct cli_pol_props *p)
{
	memset(p, 0, sizeof(*p));
	if (req->sadb_x_req_satype == SADB_SATYPE_AH) {
		p->ah[p->n_ah++] = auth_of(req);
	} else {
		p->enc[p->n_enc++] = enc_of(req);
		if (!props_match(p, req, 1))
			p->eauth[p->n_eauth++] = auth_of(req);
	}
	return props_match(p, req, 1);
}

static int put_action(struct out *o, const struct cli_pol_rule *r)
{
	const bool unique = (r->policy.sadb_x_pol_flags & SADB_X_DPSEC_POLF_UNIQUE) != 0;
	struct cli_pol_props p;

	switch (r->policy.sadb_x_pol_action) {
	case SADB_X_DPSEC_ACTION_BYPASS:
		put(o, " bypass { }");
		return r->nreq == 0 ? 0 : -ENOTSUP;
	case SADB_X_DPSEC_ACTION_DISCARD:
		put(o, " drop { }");
		return r->nreq == 0 ? 0 : -ENOTSUP;
	case SADB_X_DPSEC_ACTION_IPSEC:
		break;
	default:
		return -ENOTSUP;
	}
	if (r->nreq == 0)
		return -ENOTSUP;
	if (one_block(r, &p)) {
		put_props(o, &p, unique);
		return 0;
	}
	for (unsigned i = 1; i < r->nreq; i++)
		if (r->req[i].sadb_x_req_satype != r->req[0].sadb_x_req_satype)
			return -ENOTSUP;
	for (unsigned i = 0; i < r->nreq; i++) {
		if (!req_block(&r->req[i], &p))
			return -ENOTSUP;
		if (i > 0)
			put(o, " or");
		put_props(o, &p, unique && i == 0);
	}
	return 0;
}

/* ------------------------------------------------------------------------ */

static const uint8_t *sockaddr_bytes(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (const uint8_t *)&((const struct sockaddr_in *)(const void *)ss)->sin_addr;
	return (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
}

/* Is the outer selector the one the parser derives from the endpoints? */
static bool outer_is_tunnel(const struct cli_pol_rule *r)
{
	const struct sadb_x_dpsec_selector *s = &r->selector;
	const uint8_t f = (uint8_t)r->tun_local.ss_family;
	const uint8_t full = f == AF_INET ? 32 : 128;
	const size_t n = f == AF_INET ? 4 : 16;

	return r->tun_remote.ss_family == f && s->sadb_x_sel_family == f &&
	       s->sadb_x_sel_proto == 0 && s->sadb_x_sel_src_prefixlen == full &&
	       s->sadb_x_sel_dst_prefixlen == full &&
	       memcmp(s->sadb_x_sel_src, sockaddr_bytes(&r->tun_local), n) == 0 &&
	       memcmp(s->sadb_x_sel_dst, sockaddr_bytes(&r->tun_remote), n) == 0 &&
	       s->sadb_x_sel_sport_min == 0 && s->sadb_x_sel_sport_max == 65535 &&
	       s->sadb_x_sel_dport_min == 0 && s->sadb_x_sel_dport_max == 65535 &&
	       s->sadb_x_sel_icmp_type_min == 0 && s->sadb_x_sel_icmp_type_max == 255 &&
	       s->sadb_x_sel_icmp_code_min == 0 && s->sadb_x_sel_icmp_code_max == 255;
}

int cli_pol_print(const struct cli_pol_rule *r, unsigned flags, char *buf, size_t cap)
{
	static const char *const dirs[] = { "?", "in", "out", "both" };
	const struct sadb_x_dpsec_policy *pol = &r->policy;
	const bool ipsec = pol->sadb_x_pol_action == SADB_X_DPSEC_ACTION_IPSEC;
	struct out o = { buf, cap, 0, false };
	int rc;

	if (cap == 0)
		return -ENOSPC;
	buf[0] = '\0';
	if (pol->sadb_x_pol_dir < SADB_X_DPSEC_DIR_IN ||
	    pol->sadb_x_pol_dir > SADB_X_DPSEC_DIR_BOTH)
		return -ENOTSUP;
	put(&o, "{");
	if (r->has_inner || r->has_tunnel) {
		if (!r->has_inner || !r->has_tunnel || !ipsec ||
		    pol->sadb_x_pol_mode != SADB_X_DPSEC_MODE_TUNNEL || !outer_is_tunnel(r))
			return -ENOTSUP;
		put_addr(&o, "tunnel_src", (uint8_t)r->tun_local.ss_family,
			 sockaddr_bytes(&r->tun_local), 0, false);
		put_addr(&o, "tunnel_dst", (uint8_t)r->tun_remote.ss_family,
			 sockaddr_bytes(&r->tun_remote), 0, false);
		rc = put_selector(&o, &r->inner, flags);
	} else {
		/* The parser gives ipsec rules transport mode and others none. */
		if (pol->sadb_x_pol_mode != (ipsec ? SADB_X_DPSEC_MODE_TRANSPORT : 0))
			return -ENOTSUP;
		rc = put_selector(&o, &r->selector, flags);
	}
	if (rc != 0)
		return rc;
	if (!ipsec && pol->sadb_x_pol_flags != 0)
		return -ENOTSUP;
	put(&o, " dir %s priority %u }", dirs[pol->sadb_x_pol_dir], pol->sadb_x_pol_priority);
	rc = put_action(&o, r);
	if (rc != 0)
		return rc;
	put(&o, "\n");
	return o.full ? -ENOSPC : (int)o.len;
}
