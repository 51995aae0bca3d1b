/* SPDX-License-Identifier: BSD-2-Clause */
/* ctl_publish.c: SPD store + SADB -> dp_spd (see ctl_publish.h). */
#include "ctl_publish.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "ctl_priv.h"

struct ctl_publish {
	struct ctl *ctl;
	struct dp_spd *spd;
	ev_prepare prepare_w; /* data = this */
	bool published;
	uint64_t spd_version, requests, events, expires;
	uint32_t sas;
};

/* Where a rule's SAs run: the tunnel endpoints, or the selector's
 * prefixes (transport mode). */
struct scope {
	uint8_t family;
	uint8_t local_plen, remote_plen;
	uint8_t local[16], remote[16];
};

static void selector_to_dp(const struct sadb_x_dpsec_selector *s, struct dp_selector *d)
{
	memset(d, 0, sizeof(*d));
	d->family = s->sadb_x_sel_family;
	d->proto = s->sadb_x_sel_proto;
	if (d->family != 0) {
		d->local_plen = s->sadb_x_sel_src_prefixlen;
		d->remote_plen = s->sadb_x_sel_dst_prefixlen;
		memcpy(d->local, s->sadb_x_sel_src, 16);
		memcpy(d->remote, s->sadb_x_sel_dst, 16);
	}
	d->lport_min = s->sadb_x_sel_sport_min;
	d->lport_max = s->sadb_x_sel_sport_max;
	d->rport_min = s->sadb_x_sel_dport_min;
	d->rport_max = s->sadb_x_sel_dport_max;
	d->icmp_type_min = s->sadb_x_sel_icmp_type_min;
	d->icmp_type_max = s->sadb_x_sel_icmp_type_max;
	d->icmp_code_min = s->sadb_x_sel_icmp_code_min;
	d->icmp_code_max = s->sadb_x_sel_icmp_code_max;
}

static void rule_scope(const struct ctl_spd_rule *r, const struct dp_selector *sel,
	struct scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	if (r->endpoints_len > 0) {
		const struct sadb_address *a = (const void *)r->endpoints;
		const struct sadb_address *z = (const void *)(r->endpoints +
							      (size_t)a->sadb_address_len * 8);
		struct dp_addr l, rm;

		if (ctl_addr_from_ext(a, &l) == 0 && ctl_addr_from_ext(z, &rm) == 0 &&
		    l.family == rm.family) {
			sc->family = l.family;
			sc->local_plen = sc->remote_plen = l.family == AF_INET ? 32 : 128;
			memcpy(sc->local, l.bytes, 16);
			memcpy(sc->remote, rm.bytes, 16);
			return;
		}
	}
	sc->family = sel->family;
	sc->local_plen = sel->local_plen;
	sc->remote_plen = sel->remote_plen;
	memcpy(sc->local, sel->local, 16);
	memcpy(sc->remote, sel->remote, 16);
}

static bool prefix_has(const uint8_t *pfx, unsigned int plen, const uint8_t *a)
{
	unsigned int full = plen / 8, rest = plen % 8;

	if (memcmp(pfx, a, full) != 0)
		return false;
	return rest == 0 || ((pfx[full] ^ a[full]) & (0xffu << (8 - rest))) == 0;
}

/* The SA's inner (proxy) selectors, INNER_SRC/INNER_DST, if it carries
 * them: a tunnel-mode SA keyed for certain traffic (the IKE traffic
 * selectors).  False when it has none: it then serves any inner traffic. */
static bool sa_inner(const struct ctl_sa *sa, struct dp_addr *isrc, uint8_t *isrc_plen,
	struct dp_addr *idst, uint8_t *idst_plen)
{
	bool has_src = false, has_dst = false;
	size_t off = 0;

	while (off + sizeof(struct sadb_ext) <= sa->ext_len) {
		const struct sadb_ext *e = (const void *)(sa->ext + off);
		const size_t len = (size_t)e->sadb_ext_len * 8;
		const struct sadb_address *a = (const void *)e;

		if (len == 0 || off + len > sa->ext_len)
			break;
		if (e->sadb_ext_type == SADB_X_EXT_ADDRESS_INNER_SRC) {
			has_src = ctl_addr_from_ext(a, isrc) == 0;
			*isrc_plen = a->sadb_address_prefixlen;
		} else if (e->sadb_ext_type == SADB_X_EXT_ADDRESS_INNER_DST) {
			has_dst = ctl_addr_from_ext(a, idst) == 0;
			*idst_plen = a->sadb_address_prefixlen;
		}
		off += len;
	}
	return has_src && has_dst;
}

/* Does the SA's selector (prefix spfx/splen) cover the rule's (rpfx/rplen)?
 * RFC 4301 4.4.2: a packet may use an SA only within the SA's selectors. */
static bool covers(const struct dp_addr *spfx, uint8_t splen, const uint8_t *rpfx, uint8_t rplen)
{
	return splen <= rplen && prefix_has(spfx->bytes, splen, rpfx);
}

/* Tunnel rules: an SA with inner selectors fits only the rules whose inner
 * selector it covers, so several tunnels between the same two gateways each
 * get their own SA.  Outbound the SA's inner source is the local side;
 * inbound it is the remote side. */
static bool sa_inner_fits(const struct ctl_spd_rule *r, const struct dp_selector *sel,
	const struct ctl_sa *sa, uint8_t dir)
{
	struct dp_addr isrc, idst;
	uint8_t isrc_plen = 0, idst_plen = 0;
	const struct dp_addr *l, *rm;
	uint8_t lplen, rmplen;

	if (!r->has_inner || !sa_inner(sa, &isrc, &isrc_plen, &idst, &idst_plen))
		return true;
	l = dir == DP_DIR_OUT ? &isrc : &idst;
	rm = dir == DP_DIR_OUT ? &idst : &isrc;
	lplen = dir == DP_DIR_OUT ? isrc_plen : idst_plen;
	rmplen = dir == DP_DIR_OUT ? idst_plen : isrc_plen;
	if (sel->family == 0) /* the rule takes any inner traffic */
		return lplen == 0 && rmplen == 0;
	if (l->family != sel->family || rm->family != sel->family)
		return false;
	return covers(l, lplen, sel->local, sel->local_plen) &&
	       covers(rm, rmplen, sel->remote, sel->remote_plen);
}

/* Is sa one of the rule's for direction dir? */
static bool sa_fits(const struct ctl_spd_rule *r, const struct dp_selector *sel,
	const struct scope *sc, const struct ctl_sa *sa, uint8_t dir)
{
	const struct dp_addr *l = dir == DP_DIR_OUT ? &sa->src : &sa->dst;
	const struct dp_addr *rm = dir == DP_DIR_OUT ? &sa->dst : &sa->src;
	bool alg = false;

	if (sa->handle == DP_SA_HANDLE_INVALID || sa->dir != dir ||
	    sa->state == SADB_SASTATE_LARVAL || sa->state == SADB_SASTATE_DEAD)
		return false;
	for (unsigned int i = 0; i < r->nsareq && !alg; i++) {
		const struct sadb_x_dpsec_sareq *q = &r->sareq[i];

		alg = q->sadb_x_req_satype == sa->satype &&
		      (q->sadb_x_req_auth == SADB_X_DPSEC_ALG_ANY || q->sadb_x_req_auth == sa->auth) &&
		      (q->sadb_x_req_encrypt == SADB_X_DPSEC_ALG_ANY ||
		       q->sadb_x_req_encrypt == sa->encrypt);
	}
	if (!alg || !sa_inner_fits(r, sel, sa, dir))
		return false;
	if (sc->family == 0)
		return true;
	if (l->family != sc->family || rm->family != sc->family)
		return false;
	/* An unspecified SA source (wildcard) fits any local address. */
	return (ctl_addr_unspecified(l) || prefix_has(sc->local, sc->local_plen, l->bytes)) &&
	       prefix_has(sc->remote, sc->remote_plen, rm->bytes);
}

static int state_rank(uint8_t state)
{
	switch (state) {
	case SADB_SASTATE_MATURE:
	case SADB_X_SASTATE_ACTIVE:
		return 3;
	case SADB_SASTATE_DYING:
	case SADB_X_SASTATE_IDLE:
		return 2;
	default:
		return 1; /* ACTIVE_ELSEWHERE: the dataplane drops, no ACQUIRE */
	}
}

static bool better(const struct ctl_sa *a, const struct ctl_sa *b)
{
	if (b == NULL)
		return true;
	if (state_rank(a->state) != state_rank(b->state))
		return state_rank(a->state) > state_rank(b->state);
	return a->added > b->added;
}

static void bind_sas(struct ctl *ctl, const struct ctl_spd_rule *r, struct dp_policy *p)
{
	const struct ctl_sa *best_esp = NULL, *best_ah = NULL;
	struct scope sc;
	uint8_t dir = r->pol.sadb_x_pol_dir;
	uint32_t cursor = 0;
	struct ctl_sa *sa;

	rule_scope(r, &p->sel, &sc);
	while ((sa = ctl_sadb_next(ctl->sadb, &cursor)) != NULL) {
		if (dir != SADB_X_DPSEC_DIR_IN && sa_fits(r, &p->sel, &sc, sa, DP_DIR_OUT)) {
			const struct ctl_sa **best = sa->satype == SADB_SATYPE_AH ? &best_ah :
										    &best_esp;

			if (better(sa, *best))
				*best = sa;
		}
		if (dir != SADB_X_DPSEC_DIR_OUT && p->n_in < DP_POLICY_IN_SA_MAX &&
		    sa_fits(r, &p->sel, &sc, sa, DP_DIR_IN))
			p->in[p->n_in++] = sa->handle;
	}
	/* out[0] is applied first: ESP inside, AH outside. */
	if (best_esp != NULL)
		p->out[p->n_out++] = best_esp->handle;
	if (best_ah != NULL)
		p->out[p->n_out++] = best_ah->handle;
}

int ctl_publish_now(struct ctl_publish *pub)
{
	struct ctl *ctl = pub->ctl;
	uint32_t n = ctl_spd_count(ctl->spd), bad = 0;
	struct dp_policy *rules = NULL;
	int err;

	if (n > 0) {
		rules = calloc(n, sizeof(*rules));
		if (rules == NULL)
			return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct ctl_spd_rule *r = ctl_spd_at(ctl->spd, i);
		struct dp_policy *p = &rules[i];

		p->index = r->pol.sadb_x_pol_index;
		p->priority = r->pol.sadb_x_pol_priority;
		p->dir = r->pol.sadb_x_pol_dir;
		p->action = r->pol.sadb_x_pol_action;
		p->flags = r->pol.sadb_x_pol_flags & DP_POLICY_F_ALL;
		selector_to_dp(r->has_inner ? &r->inner : &r->sel, &p->sel);
		if (p->action == DP_POLICY_PROTECT)
			bind_sas(ctl, r, p);
	}
	/* Recorded even when the publication fails: the same input would fail
	 * again, and the next change retries. */
	pub->published = true;
	pub->spd_version = ctl_spd_version(ctl->spd);
	pub->requests = ctl->stats.requests;
	pub->events = ctl->stats.events;
	pub->expires = ctl->stats.expires_sent;
	pub->sas = ctl_sadb_count(ctl->sadb);
	err = dp_spd_publish(pub->spd, rules, n, &bad);
	free(rules);
	if (err != 0)
		ctl_log(LOG_ERR, "policy publication failed at rule %u: %s", bad, strerror(-err));
	return err;
}

static void prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct ctl_publish *pub = w->data;
	struct ctl *ctl = pub->ctl;

	(void)loop;
	(void)revents;
	if (pub->published && pub->spd_version == ctl_spd_version(ctl->spd) &&
	    pub->requests == ctl->stats.requests && pub->events == ctl->stats.events &&
	    pub->expires == ctl->stats.expires_sent && pub->sas == ctl_sadb_count(ctl->sadb))
		return;
	(void)ctl_publish_now(pub);
}

struct ctl_publish *ctl_publish_new(struct ctl *ctl, struct dp_spd *spd)
{
	struct ctl_publish *pub = calloc(1, sizeof(*pub));

	if (pub == NULL)
		return NULL;
	pub->ctl = ctl;
	pub->spd = spd;
	ev_prepare_init(&pub->prepare_w, prepare_cb);
	pub->prepare_w.data = pub;
	ev_prepare_start(ctl->loop, &pub->prepare_w);
	return pub;
}

void ctl_publish_free(struct ctl_publish *pub)
{
	if (pub == NULL)
		return;
	ev_prepare_stop(pub->ctl->loop, &pub->prepare_w);
	free(pub);
}
