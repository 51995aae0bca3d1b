/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_publish: incremental SPD publication (ctl_publish.c) against its
 * reference.  Random sequences (fixed seeds) of SA ADD, GETSPI + keying
 * UPDATE, state UPDATEs, DELETE, SPDADD, SPDDELETE, FLUSH and SPDFLUSH go
 * through the real control module (ctl_submit, a real dataplane context
 * and dp_spd); after each batch the changes are pushed (ctl_publish_sync)
 * and every rule's binding must equal the whole-SADB walk
 * (ctl_publish_verify), and the dataplane's committed set must be the
 * store with those bindings (dp_spd_policy_next).  The universe is small (three peers, a few inner
 * prefixes, a few SPIs) so that SAs and rules collide: rekeys, ties of add
 * time, AH-over-ESP bundles, more inbound SAs than DP_POLICY_IN_SA_MAX,
 * inner prefixes covering others, rules of any family and prefix scopes.
 *
 * A scale test then adds policies and SAs (TEST_PUBLISH_SCALE each,
 * default 100000) and prints (does not assert) adds per second.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <malloc.h>
#include <time.h>

#include <cmocka.h>

#include "ctl_harness.h"
#include "ctl_priv.h"     /* the store, to walk the rules */
#include "ctl_publish.h"
#include "ctl_test_util.h"
#include "dp_spd_priv.h"  /* dp_spd_policy_next: what the dataplane holds */

static struct h H;
static struct dp_spd *spd;
static struct ctl_publish *pub;

/* ---- message shapes ---- */

/* An address extension with a prefix length; IPv6 when ip has a ':'. */
static void addr_plen(struct tmsg *t, uint16_t type, const char *ip, uint8_t plen)
{
	bool v6 = strchr(ip, ':') != NULL;
	size_t salen = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	struct sadb_address *a = tm_ext(t, type, 4 + salen);
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;

	a->sadb_address_prefixlen = plen;
	if (v6) {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		inet_pton(AF_INET6, ip, &sin6.sin6_addr);
		memcpy(a + 1, &sin6, sizeof(sin6));
	} else {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		inet_pton(AF_INET, ip, &sin.sin_addr);
		memcpy(a + 1, &sin, sizeof(sin));
	}
}

/* A selector of src's family (tm_selector4's fields). */
static void selector(struct tmsg *t, uint16_t type, const char *src, uint8_t splen,
	const char *dst, uint8_t dplen, uint8_t proto)
{
	struct sadb_x_dpsec_selector *x;

	tm_selector4(t, type, "0.0.0.0", splen, "0.0.0.0", dplen, proto, 0, 65535);
	x = (void *)((uint8_t *)t->buf + t->len - 56);
	if (strchr(src, ':') != NULL) {
		x->sadb_x_sel_family = AF_INET6;
		inet_pton(AF_INET6, src, x->sadb_x_sel_src);
		inet_pton(AF_INET6, dst, x->sadb_x_sel_dst);
	} else {
		inet_pton(AF_INET, src, x->sadb_x_sel_src);
		inet_pton(AF_INET, dst, x->sadb_x_sel_dst);
	}
}

struct pfx {
	const char *addr;
	uint8_t plen;
};

/* The universe, per family: this gateway, three peers, the protected
 * (inner local) network, nested inner remote prefixes (so SAs may cover
 * several rules; the last is "any"), a transport prefix rule's networks. */
static const struct fam {
	const char *local, *peers[3];
	struct pfx ilocal, inner[5];
	struct pfx tlocal;
	const char *tremote;
	uint8_t tplen0, host;
} fams[2] = {
	{ "192.0.2.1", { "192.0.2.2", "192.0.2.3", "192.0.2.4" }, { "10.20.0.0", 16 },
	  { { "10.30.0.0", 16 }, { "10.30.1.0", 24 }, { "10.30.2.0", 24 }, { "10.30.1.7", 32 },
	    { "0.0.0.0", 0 } },
	  { "192.0.2.0", 24 }, "192.0.2.0", 28, 32 },
	{ "2001:db8::1", { "2001:db8::2", "2001:db8::3", "2001:db8::4" },
	  { "2001:db8:20::", 48 },
	  { { "2001:db8:30::", 48 }, { "2001:db8:30:1::", 64 }, { "2001:db8:30:2::", 64 },
	    { "2001:db8:30:1::7", 128 }, { "::", 0 } },
	  { "2001:db8::", 64 }, "2001:db8::", 124, 128 },
};
#define N_INNER 5u

static uint64_t rng_state;
/* The store's next policy index: indices start at 1 and only grow (a
 * flush does not reset them), and every SPDADD of this binary is ours. */
static uint32_t next_index = 1;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* An SA: ESP GCM, ESP CBC+SHA256 or AH SHA256; out or in; with inner
 * selectors or not. */
struct sa_id {
	uint32_t spi;
	uint8_t satype;
	uint8_t peer;
	bool in;
	bool larval;
	uint8_t fam;   /* fams[] */
};

static void sa_add_msg(struct tmsg *t, const struct sa_id *s, uint8_t type, unsigned int alg,
	int inner)
{
	const struct fam *f = &fams[s->fam];
	const char *src = s->in ? f->peers[s->peer] : f->local;
	const char *dst = s->in ? f->local : f->peers[s->peer];
	uint32_t flags = s->in ? SADB_X_SAFLAGS_INBOUND : SADB_X_SAFLAGS_OUTBOUND;

	tm_init(t, type, s->satype, t_seq++, T_PID);
	if (s->satype == SADB_SATYPE_AH) {
		tm_sa(t, s->spi, 32, SADB_SASTATE_MATURE, SADB_AALG_SHA256HMAC, 0, flags);
	} else if (alg == 0) {
		tm_sa(t, s->spi, 32, SADB_SASTATE_MATURE, SADB_AALG_NONE, SADB_EALG_AES_GCM_16,
		      flags);
	} else {
		tm_sa(t, s->spi, 32, SADB_SASTATE_MATURE, SADB_AALG_SHA256HMAC, SADB_EALG_AES,
		      flags);
	}
	addr_plen(t, SADB_EXT_ADDRESS_SRC, src, 0);
	addr_plen(t, SADB_EXT_ADDRESS_DST, dst, 0);
	if (inner >= 0) {
		const struct pfx *l = &f->ilocal, *r = &f->inner[inner];

		addr_plen(t, SADB_X_EXT_ADDRESS_INNER_SRC, s->in ? r->addr : l->addr,
			  s->in ? r->plen : l->plen);
		addr_plen(t, SADB_X_EXT_ADDRESS_INNER_DST, s->in ? l->addr : r->addr,
			  s->in ? l->plen : r->plen);
	}
	if (s->satype == SADB_SATYPE_AH) {
		tm_key(t, SADB_EXT_KEY_AUTH, 256, 0, t_key);
	} else if (alg == 0) {
		tm_key(t, SADB_EXT_KEY_ENCRYPT, 160, 32, t_key);
	} else {
		tm_key(t, SADB_EXT_KEY_AUTH, 256, 0, t_key);
		tm_key(t, SADB_EXT_KEY_ENCRYPT, 128, 0, t_key + 32);
	}
}

static void sa_ident_msg(struct tmsg *t, const struct sa_id *s, uint8_t type, uint8_t state)
{
	tm_init(t, type, s->satype, t_seq++, T_PID);
	tm_sa(t, s->spi, 0, state, 0, 0, 0);
	addr_plen(t, SADB_EXT_ADDRESS_SRC, s->in ? fams[s->fam].peers[s->peer] : fams[s->fam].local,
		  0);
	addr_plen(t, SADB_EXT_ADDRESS_DST, s->in ? fams[s->fam].local : fams[s->fam].peers[s->peer],
		  0);
}

static void getspi_msg(struct tmsg *t, const struct sa_id *s)
{
	tm_init(t, SADB_GETSPI, s->satype, t_seq++, T_PID);
	addr_plen(t, SADB_EXT_ADDRESS_SRC, s->in ? fams[s->fam].peers[s->peer] : fams[s->fam].local,
		  0);
	addr_plen(t, SADB_EXT_ADDRESS_DST, s->in ? fams[s->fam].local : fams[s->fam].peers[s->peer],
		  0);
	tm_range(t, s->spi, s->spi);
}

#define ANY SADB_X_DPSEC_ALG_ANY

static void sareqs(struct tmsg *t, unsigned int kind)
{
	switch (kind) {
	case 0:
		tm_sareq(t, SADB_SATYPE_ESP, ANY, ANY);
		break;
	case 1:
		tm_sareq(t, SADB_SATYPE_ESP, SADB_AALG_NONE, SADB_EALG_AES_GCM_16);
		break;
	default: /* AH over ESP */
		tm_sareq(t, SADB_SATYPE_ESP, ANY, ANY);
		tm_sareq(t, SADB_SATYPE_AH, ANY, 0);
		break;
	}
}

static const uint8_t dirs[] = { SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_DIR_IN,
				SADB_X_DPSEC_DIR_BOTH };

/* A random rule: tunnel (inner selector, endpoints), transport host or
 * prefix, any family, or bypass/discard; a quarter IPv6. */
static void rule_msg(struct tmsg *t)
{
	unsigned int shape = rnd(10), peer = rnd(3);
	const struct fam *f = &fams[rnd(4) == 0];
	uint8_t dir = dirs[rnd(3)];
	uint32_t prio = 10 * rnd(4);

	tm_init(t, SADB_X_DPSEC_SPDADD, 0, t_seq++, T_PID);
	if (shape < 5) {
		unsigned int in = rnd(N_INNER - 1); /* not the "any" */

		tm_policy(t, 0, prio, dir, SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TUNNEL);
		selector(t, SADB_X_EXT_DPSEC_SELECTOR, f->local, f->host, f->peers[peer], f->host,
			 0);
		selector(t, SADB_X_EXT_DPSEC_INNER_SELECTOR, f->ilocal.addr, f->ilocal.plen,
			 f->inner[in].addr, f->inner[in].plen, (uint8_t)(rnd(2) * 6));
		sareqs(t, rnd(3));
		addr_plen(t, SADB_EXT_ADDRESS_SRC, f->local, 0);
		addr_plen(t, SADB_EXT_ADDRESS_DST, f->peers[peer], 0);
	} else if (shape < 7) {
		tm_policy(t, 0, prio, dir, SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TRANSPORT);
		selector(t, SADB_X_EXT_DPSEC_SELECTOR, f->local, f->host, f->peers[peer], f->host,
			 (uint8_t)(rnd(2) * 17));
		sareqs(t, rnd(3));
	} else if (shape == 7) {
		tm_policy(t, 0, prio, dir, SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TRANSPORT);
		selector(t, SADB_X_EXT_DPSEC_SELECTOR, f->tlocal.addr, f->tlocal.plen, f->tremote,
			 (uint8_t)(f->tplen0 + rnd(3)), (uint8_t)rnd(2));
		sareqs(t, rnd(3));
	} else if (shape == 8) {
		struct sadb_x_dpsec_selector *s;

		tm_policy(t, 0, prio, dir, SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TRANSPORT);
		tm_selector4(t, SADB_X_EXT_DPSEC_SELECTOR, "0.0.0.0", 0, "0.0.0.0", 0,
			     (uint8_t)(50 + rnd(3)), 0, 65535);
		s = (void *)((uint8_t *)t->buf + t->len - 56);
		s->sadb_x_sel_family = 0;
		sareqs(t, rnd(3));
	} else {
		tm_policy(t, 0, prio, dir, rnd(2) ? SADB_X_DPSEC_ACTION_BYPASS :
						  SADB_X_DPSEC_ACTION_DISCARD, 0);
		selector(t, SADB_X_EXT_DPSEC_SELECTOR, f->local, f->host, f->peers[peer], f->host,
			 (uint8_t)rnd(256));
	}
}

/* ---- the random walk ---- */

#define MAX_SAS 256u
#define MAX_RULES 256u

struct walk {
	struct sa_id sas[MAX_SAS];
	unsigned int nsas;
	uint32_t rules[MAX_RULES];
	unsigned int nrules;
	unsigned int ok[10], tried[10];
	int verify;
	uint32_t bad;
};

static void walk_step(struct walk *w)
{
	static const uint8_t states[] = { SADB_SASTATE_MATURE, SADB_X_SASTATE_ACTIVE_ELSEWHERE,
					  SADB_X_SASTATE_IDLE, SADB_X_SASTATE_ACTIVE };
	unsigned int op = rnd(100);
	struct tmsg t;
	int err;

	/* An operation with nothing to work on adds instead. */
	if ((op >= 36 && op < 60 && w->nsas == 0) || (op >= 85 && op < 97 && w->nrules == 0))
		op = op < 60 ? 0 : 60;
	if (op < 36 && w->nsas == MAX_SAS)
		op = 50;
	if (op >= 60 && op < 85 && w->nrules == MAX_RULES)
		op = 90;

	if (op < 30 && w->nsas < MAX_SAS) { /* ADD */
		struct sa_id s = { 0x1000 + rnd(40), rnd(6) == 0 ? SADB_SATYPE_AH : SADB_SATYPE_ESP,
				   (uint8_t)rnd(3), rnd(2) == 1, false, rnd(4) == 0 };
		int inner = rnd(3) == 0 ? -1 : (int)rnd(N_INNER);

		sa_add_msg(&t, &s, SADB_ADD, rnd(2), inner);
		err = ctl_submit(H.ctl, t.buf, t.len, NULL);
		w->tried[0]++;
		if (err == 0) {
			w->ok[0]++;
			w->sas[w->nsas++] = s;
		}
	} else if (op < 36 && w->nsas < MAX_SAS) { /* GETSPI, keyed later */
		struct sa_id s = { 0x2000 + rnd(40), SADB_SATYPE_ESP, (uint8_t)rnd(3), rnd(2) == 1,
				   true, rnd(4) == 0 };

		getspi_msg(&t, &s);
		w->tried[1]++;
		if (ctl_submit(H.ctl, t.buf, t.len, NULL) == 0) {
			w->ok[1]++;
			w->sas[w->nsas++] = s;
		}
	} else if (op < 48 && w->nsas > 0) { /* UPDATE: keying or state */
		struct sa_id *s = &w->sas[rnd(w->nsas)];

		if (s->larval)
			sa_add_msg(&t, s, SADB_UPDATE, rnd(2), rnd(3) == 0 ? -1 : (int)rnd(N_INNER));
		else
			sa_ident_msg(&t, s, SADB_UPDATE, states[rnd(4)]);
		w->tried[2]++;
		if (ctl_submit(H.ctl, t.buf, t.len, NULL) == 0) {
			w->ok[2]++;
			s->larval = false;
		}
	} else if (op < 60 && w->nsas > 0) { /* DELETE */
		unsigned int i = rnd(w->nsas);

		sa_ident_msg(&t, &w->sas[i], SADB_DELETE, 0);
		w->tried[3]++;
		if (ctl_submit(H.ctl, t.buf, t.len, NULL) == 0)
			w->ok[3]++;
		w->sas[i] = w->sas[--w->nsas];
	} else if (op < 85 && w->nrules < MAX_RULES) { /* SPDADD */
		rule_msg(&t);
		w->tried[4]++;
		if (ctl_submit(H.ctl, t.buf, t.len, NULL) == 0) {
			w->ok[4]++;
			w->rules[w->nrules++] = next_index++;
		}
	} else if (op < 97 && w->nrules > 0) { /* SPDDELETE */
		unsigned int i = rnd(w->nrules);

		tm_init(&t, SADB_X_DPSEC_SPDDELETE, 0, t_seq++, T_PID);
		tm_policy(&t, w->rules[i], 0, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_BYPASS, 0);
		w->tried[5]++;
		if (ctl_submit(H.ctl, t.buf, t.len, NULL) == 0)
			w->ok[5]++;
		w->rules[i] = w->rules[--w->nrules];
	} else if (op < 99) { /* FLUSH */
		tm_init(&t, SADB_FLUSH, rnd(2) ? 0 : SADB_SATYPE_AH, t_seq++, T_PID);
		w->tried[6]++;
		if (ctl_submit(H.ctl, t.buf, t.len, NULL) == 0)
			w->ok[6]++;
		for (unsigned int i = 0; i < w->nsas;) {
			if (tm_hdr(&t)->sadb_msg_satype == 0 ||
			    w->sas[i].satype == tm_hdr(&t)->sadb_msg_satype)
				w->sas[i] = w->sas[--w->nsas];
			else
				i++;
		}
	} else { /* SPDFLUSH */
		tm_init(&t, SADB_X_DPSEC_SPDFLUSH, 0, t_seq++, T_PID);
		w->tried[7]++;
		if (ctl_submit(H.ctl, t.buf, t.len, NULL) == 0)
			w->ok[7]++;
		w->nrules = 0;
	}
}

static bool same_handles(const dp_sa_handle_t *a, const dp_sa_handle_t *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		bool found = false;

		for (unsigned int j = 0; j < n && !found; j++)
			found = a[i] == b[j];
		if (!found)
			return false;
	}
	return true;
}

/* The dataplane's committed set is the store, each rule as the reference
 * makes it (fields, selector, binding; inbound SAs in any order): what
 * the incremental pushes left there.  0, or the index of a rule that
 * differs (UINT32_MAX: a count or an extra policy). */
static uint32_t dp_differs(struct ctl *ctl)
{
	static struct dp_policy got[4 * MAX_RULES];
	struct dp_policy p;
	uint32_t n = 0;

	for (uint32_t pos = 0; dp_spd_policy_next(spd, &pos, &p) == 0; pos++) {
		if (n == sizeof(got) / sizeof(got[0]))
			return UINT32_MAX;
		got[n++] = p;
	}
	if (n != ctl_spd_count(ctl->spd))
		return UINT32_MAX;
	for (const struct ctl_spd_rule *r = ctl_spd_first(ctl->spd); r != NULL;
	     r = ctl_spd_next(ctl->spd, r)) {
		const struct dp_policy *g = NULL;

		ctl_publish_reference(ctl, r, &p);
		for (uint32_t i = 0; i < n && g == NULL; i++)
			g = got[i].index == p.index ? &got[i] : NULL;
		if (g == NULL || g->priority != p.priority || g->dir != p.dir ||
		    g->action != p.action || g->flags != p.flags ||
		    memcmp(&g->sel, &p.sel, sizeof(p.sel)) != 0 || g->n_out != p.n_out ||
		    memcmp(g->out, p.out, p.n_out * sizeof(p.out[0])) != 0 || g->n_in != p.n_in ||
		    !same_handles(g->in, p.in, p.n_in))
			return p.index;
	}
	return 0;
}

/* One batch on the loop thread: a few requests, one push, the check. */
static void walk_batch(struct h *h, void *arg)
{
	struct walk *w = arg;
	unsigned int n = 1 + rnd(6);

	for (unsigned int i = 0; i < n; i++)
		walk_step(w);
	w->verify = ctl_publish_sync(pub);
	if (w->verify == 0)
		w->verify = ctl_publish_verify(pub, &w->bad);
	if (w->verify == 0 && (w->bad = dp_differs(h->ctl)) != 0)
		w->verify = -EXDEV;
}

static void clear_fn(struct h *h, void *arg)
{
	struct tmsg t;

	(void)arg;
	tm_init(&t, SADB_FLUSH, 0, t_seq++, T_PID);
	(void)ctl_submit(h->ctl, t.buf, t.len, NULL);
	tm_init(&t, SADB_X_DPSEC_SPDFLUSH, 0, t_seq++, T_PID);
	(void)ctl_submit(h->ctl, t.buf, t.len, NULL);
	(void)ctl_publish_sync(pub);
}

static void stats_fn(struct h *h, void *arg)
{
	(void)h;
	ctl_publish_get_stats(pub, arg);
}

static void test_random_equivalence(void **state)
{
	static const uint64_t seeds[] = { 1, 42, 0xdeadbeef, 20261124, 7777777 };
	static struct walk w;
	struct ctl_publish_stats st0, st;

	(void)state;
	h_call(&H, stats_fn, &st0);
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		h_call(&H, clear_fn, NULL);
		memset(&w, 0, sizeof(w));
		rng_state = seeds[s];
		for (unsigned int b = 0; b < 400; b++) {
			h_call(&H, walk_batch, &w);
			if (w.verify != 0)
				fail_msg("seed %llu batch %u: %d, rule %u differs from the reference",
					 (unsigned long long)seeds[s], b, w.verify, w.bad);
		}
		print_message("seed %llu: add %u/%u getspi %u/%u update %u/%u delete %u/%u "
			      "spdadd %u/%u spddelete %u/%u flush %u spdflush %u\n",
			      (unsigned long long)seeds[s], w.ok[0], w.tried[0], w.ok[1], w.tried[1],
			      w.ok[2], w.tried[2], w.ok[3], w.tried[3], w.ok[4], w.tried[4], w.ok[5],
			      w.tried[5], w.ok[6], w.ok[7]);
		/* The walk did what it meant to: SAs and rules came and went. */
		assert_true(w.ok[0] > 50);
		assert_true(w.ok[2] > 10);
		assert_true(w.ok[3] > 10);
		assert_true(w.ok[4] > 50);
		assert_true(w.ok[5] > 10);
	}
	h_call(&H, stats_fn, &st);
	print_message("pushes: %llu incremental, %llu full; %llu sets, %llu rebinds, "
		      "%llu walks\n", (unsigned long long)(st.commits - st0.commits),
		      (unsigned long long)(st.full - st0.full),
		      (unsigned long long)(st.sets - st0.sets),
		      (unsigned long long)(st.rebinds - st0.rebinds),
		      (unsigned long long)(st.walks - st0.walks));
	/* Most pushes were incremental. */
	assert_true(st.commits - st0.commits > st.full - st0.full);
	assert_int_equal(st.failures, st0.failures);
}

/* ---- scale ---- */

struct scale {
	unsigned int n;
	unsigned int ok_rules, ok_sas;
	double rules_s, sas_s;
	size_t rules_heap, sas_heap; /* malloc'd bytes they added (glibc) */
	struct ctl_publish_stats st;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void ip4(char *buf, uint32_t a)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* n tunnels to one peer, one /32 inner remote each: rules and their
 * outbound SAs (as bench/gw_sas.py writes them), pushed every 32
 * requests as a pipelined client's loop iterations would. */
static void scale_fn(struct h *h, void *arg)
{
	struct scale *sc = arg;
	struct tmsg t;
	char inner[16];
	size_t heap0, heap1;
	double t0;

	(void)h;
	heap0 = mallinfo2().uordblks;
	t0 = now_s();
	for (unsigned int i = 0; i < sc->n; i++) {
		ip4(inner, 0x0a000000u + i);
		tm_init(&t, SADB_X_DPSEC_SPDADD, 0, t_seq++, T_PID);
		tm_policy(&t, 0, 100, SADB_X_DPSEC_DIR_OUT, SADB_X_DPSEC_ACTION_IPSEC,
			  SADB_X_DPSEC_MODE_TUNNEL);
		tm_selector4(&t, SADB_X_EXT_DPSEC_SELECTOR, "192.0.2.1", 32, "192.0.2.2", 32, 0, 0, 65535);
		tm_selector4(&t, SADB_X_EXT_DPSEC_INNER_SELECTOR, "172.16.0.0", 16, inner, 32, 0, 0,
			     65535);
		tm_sareq(&t, SADB_SATYPE_ESP, ANY, ANY);
		tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0);
		tm_addr4(&t, SADB_EXT_ADDRESS_DST, "192.0.2.2", 0, 0);
		if (ctl_submit(H.ctl, t.buf, t.len, NULL) == 0) {
			sc->ok_rules++;
			next_index++;
		}
		if (i % 32 == 31)
			(void)ctl_publish_sync(pub);
	}
	(void)ctl_publish_sync(pub);
	sc->rules_s = now_s() - t0;
	heap1 = mallinfo2().uordblks;
	sc->rules_heap = heap1 - heap0;
	t0 = now_s();
	for (unsigned int i = 0; i < sc->n; i++) {
		tm_init(&t, SADB_ADD, SADB_SATYPE_ESP, t_seq++, T_PID);
		tm_sa(&t, 0x100000 + i, 32, SADB_SASTATE_MATURE, SADB_AALG_NONE,
		      SADB_EALG_AES_GCM_16, SADB_X_SAFLAGS_OUTBOUND);
		tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0);
		tm_addr4(&t, SADB_EXT_ADDRESS_DST, "192.0.2.2", 0, 0);
		ip4(inner, 0x0a000000u + i);
		addr_plen(&t, SADB_X_EXT_ADDRESS_INNER_SRC, "172.16.0.0", 16);
		addr_plen(&t, SADB_X_EXT_ADDRESS_INNER_DST, inner, 32);
		tm_key(&t, SADB_EXT_KEY_ENCRYPT, 160, 32, t_key);
		if (ctl_submit(H.ctl, t.buf, t.len, NULL) == 0)
			sc->ok_sas++;
		if (i % 32 == 31)
			(void)ctl_publish_sync(pub);
	}
	(void)ctl_publish_sync(pub);
	sc->sas_s = now_s() - t0;
	sc->sas_heap = mallinfo2().uordblks - heap1;
	ctl_publish_get_stats(pub, &sc->st);
}

static void test_scale(void **state)
{
	struct scale sc = { 0 };
	const char *env = getenv("TEST_PUBLISH_SCALE");

	(void)state;
	sc.n = env != NULL ? (unsigned int)strtoul(env, NULL, 10) : 100000u;
	h_call(&H, clear_fn, NULL);
	h_call(&H, scale_fn, &sc);
	print_message("scale: %u policies in %.2f s (%.0f/s), %u SAs in %.2f s (%.0f/s)\n",
		      sc.ok_rules, sc.rules_s, sc.ok_rules / sc.rules_s, sc.ok_sas, sc.sas_s,
		      sc.ok_sas / sc.sas_s);
	/* The control thread's heap (the dataplane's SA memory is not malloc'd;
	 * 0 under ASan, which keeps its own heap). */
	print_message("scale: heap %.0f B per policy, %.0f B per SA (control side)\n",
		      (double)sc.rules_heap / sc.n, (double)sc.sas_heap / sc.n);
	assert_int_equal(sc.ok_rules, sc.n);
	assert_int_equal(sc.ok_sas, sc.n);
	h_call(&H, clear_fn, NULL);
}

static void pub_new_fn(struct h *h, void *arg)
{
	(void)arg;
	spd = dp_spd_create(h->dp, NULL);
	if (spd != NULL)
		pub = ctl_publish_new(h->ctl, spd);
}

static void pub_free_fn(struct h *h, void *arg)
{
	(void)h;
	(void)arg;
	ctl_publish_free(pub);
	dp_spd_free(spd);
}

static int group_setup(void **state)
{
	struct ctl_params cp;

	(void)state;
	if (h_eal_init("publish") != 0)
		return -1;
	ctl_params_default(&cp);
	cp.max_policies = 1u << 20;
	if (h_start(&H, &cp, 1u << 19) != 0)
		return -1;
	h_call(&H, pub_new_fn, NULL);
	return pub != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	h_call(&H, pub_free_fn, NULL);
	h_stop(&H);
	h_eal_fini();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_equivalence),
		cmocka_unit_test(test_scale),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
