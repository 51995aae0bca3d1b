/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_publish.c: SPD store + SADB -> dp_spd (see ctl_publish.h).
 *
 * Change tracking.  The SADB and SPD code call the ctl_publish_* hooks
 * (ctl_priv.h) as they change: a rule added or deleted is queued as a
 * change; an SA inserted, removed or changed (state, handle, addresses)
 * marks the rules it may fit as dirty, found through the indexes below.
 * The ev_prepare watcher then pushes only those: a dirty rule's binding is
 * recomputed and set when it differs from the one published; one
 * dp_spd_commit() per loop iteration.  Start-up, flushes, a failed push
 * and a dirty set above a quarter of the rules publish everything at once
 * (dp_spd_publish).
 *
 * Indexes (a key is a direction class, family, address and prefix):
 * - rules (PROTECT only) whose scope is a prefix of one family: by that
 *   remote prefix (RK_OUTER), with a count per prefix length, so an SA
 *   probes each length present once;
 * - tunnel rules with an inner selector: by tunnel peer and inner remote
 *   prefix (RK_TUN), and by peer alone (RK_PEER);
 * - rules of any family (no scope): one list, seen by every SA;
 * - SAs: by direction and outer remote address (SK_ALL), and also by
 *   direction, peer and inner remote prefix (SK_TUN) or, without inner
 *   selectors, by direction and peer (SK_NOINNER), with a count of SA
 *   inner prefix lengths.
 * A rule's binding reads only the SAs its key names, an SA's change
 * dirties only the rules its key names; both are filtered by sa_fits(),
 * so the indexes need only name a superset.  Costly cases (walks), as
 * documented in docs/CONTROL.md: a rule whose scope is a prefix shorter
 * than a host, or of any family, walks the SADB to bind; an SA whose inner
 * remote prefix is shorter than some tunnel rule's walks its peer's rules.
 */
#include "ctl_publish.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "ctl_hash.h"
#include "ctl_priv.h"

static_assert(CTL_SPD_MAX == DP_SPD_RULES_MAX, "the store holds what the dataplane takes");

enum {
	RK_OUTER = 1,  /* rule: scope family, remote plen, remote prefix */
	RK_TUN,        /* rule: peer, inner family, inner remote plen and prefix */
	RK_PEER,       /* rule: peer (tunnel rules with an inner selector) */
	SK_ALL,        /* SA: direction, outer remote */
	SK_TUN,        /* SA: direction, peer, inner family, plen, inner remote */
	SK_NOINNER,    /* SA: direction, peer (no inner selectors) */
};

struct pub_key {
	uint8_t kind, dir, fam, plen, ifam, iplen;
	uint8_t pad[2];
	uint8_t addr[16];
	uint8_t iaddr[16];
};

struct pub_bucket {
	struct ctl_hlink hlink;
	uint32_t hash;
	struct pub_key key;
	struct ctl_pub_link *head;
};

/* A chained hash of buckets (growing incrementally, ctl_ihash.h); each
 * bucket lists its entries (doubly linked, so an entry leaves in O(1)). */
struct pub_map {
	struct ctl_ihash h;
};

/* What the publisher keeps per PROTECT rule: its place in the indexes and
 * the binding last pushed. */
struct pub_rule {
	struct ctl_hlink hlink;           /* by index (rtab) */
	struct pub_rule *dnext, *dprev;   /* dirty list */
	struct ctl_pub_link link;         /* RK_OUTER / RK_TUN bucket, or the any list */
	struct ctl_pub_link peer;         /* RK_PEER bucket (tunnel rules) */
	const struct ctl_spd_rule *rule;  /* in the store (nodes never move) */
	uint32_t index;
	uint8_t dir;                      /* SADB_X_DPSEC_DIR_* */
	bool dirty;
	bool any;                         /* on the any-family list */
	uint8_t n_out, n_in;
	dp_sa_handle_t out[DP_POLICY_OUT_SA_MAX];
	dp_sa_handle_t in[DP_POLICY_IN_SA_MAX];
};

/* Which prefix lengths (0..128) some index entry has: a count each and a
 * bit per non-zero count, so probing visits only the lengths present. */
struct plen_set {
	uint32_t n[129];
	uint64_t bits[3];
};

/* A queued rule change: set (added) or delete. */
struct pub_change {
	uint32_t index;
	bool del;
};

struct ctl_publish {
	struct ctl *ctl;
	struct dp_spd *spd;
	ev_prepare prepare_w; /* data = this */
	bool full;            /* publish everything next time */
	bool retry_full;      /* the last full publication failed: the next
			       * change publishes everything again */
	struct pub_map rmap, smap;
	struct ctl_ihash rtab;            /* pub_rule by index */
	uint32_t nrules;
	struct pub_rule *dirty;           /* dirty list head */
	uint32_t ndirty;
	struct ctl_pub_link *any;         /* rules of any family */
	struct pub_change *changes;
	uint32_t nchanges, changes_cap;
	/* Prefix lengths present: rule scopes (RK_OUTER), tunnel rules' inner
	 * remote (RK_TUN) and SAs' inner remote (SK_TUN); [0] IPv4, [1] IPv6. */
	struct plen_set rule_plen[2], tun_iplen[2], sa_iplen[2];
	struct ctl_publish_stats st;
};

/* ------------------------------------------------------------------------ */
/* Binding: what fits (unchanged semantics, see ctl_publish.h).              */

/* Where a rule's SAs run: the tunnel endpoints, or the selector's
 * prefixes (transport mode). */
struct scope {
	uint8_t family;
	uint8_t local_plen, remote_plen;
	bool endpoints;
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
			sc->endpoints = true;
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

/* better() with the reference walk's tie-break: of equals, the first in
 * SADB slot order (the walk replaces only on strictly better). */
static bool better_slot(const struct ctl_sa *a, const struct ctl_sa *b)
{
	if (b == NULL)
		return true;
	if (better(a, b))
		return true;
	return !better(b, a) && a->slot < b->slot;
}

static void policy_head(const struct ctl_spd_rule *r, struct dp_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->index = r->pol.sadb_x_pol_index;
	p->priority = r->pol.sadb_x_pol_priority;
	p->dir = r->pol.sadb_x_pol_dir;
	p->action = r->pol.sadb_x_pol_action;
	p->flags = r->pol.sadb_x_pol_flags & DP_POLICY_F_ALL;
	selector_to_dp(r->has_inner ? &r->inner : &r->sel, &p->sel);
}

/* The reference: every SA against the rule, in slot order.  O(SAs). */
static void bind_walk(struct ctl *ctl, const struct ctl_spd_rule *r, struct dp_policy *p)
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

void ctl_publish_reference(struct ctl *ctl, const struct ctl_spd_rule *r, struct dp_policy *p)
{
	policy_head(r, p);
	if (p->action == DP_POLICY_PROTECT)
		bind_walk(ctl, r, p);
}

/* ------------------------------------------------------------------------ */
/* The indexes.                                                              */

static uint32_t key_hash(const struct pub_key *k)
{
	uint64_t w[5];

	static_assert(sizeof(*k) == sizeof(w), "key is five words");
	memcpy(w, k, sizeof(w));
	return (uint32_t)ctl_hash_mix(ctl_hash_mix(ctl_hash_mix(ctl_hash_mix(w[0]) ^ w[1]) ^ w[2]) ^ w[3] ^ ctl_hash_mix(w[4]));
}

static unsigned int fam_slot(uint8_t family)
{
	return family == AF_INET6 ? 1 : 0;
}

static unsigned int full_plen(uint8_t family)
{
	return family == AF_INET6 ? 128 : 32;
}

static void plen_add(struct plen_set *s, unsigned int p)
{
	if (s->n[p]++ == 0)
		s->bits[p / 64] |= 1ull << (p % 64);
}

static void plen_del(struct plen_set *s, unsigned int p)
{
	if (--s->n[p] == 0)
		s->bits[p / 64] &= ~(1ull << (p % 64));
}

/* The first length >= from present, or 129 (none). */
static unsigned int plen_next(const struct plen_set *s, unsigned int from)
{
	for (unsigned int w = from / 64; w < 3; w++) {
		uint64_t b = s->bits[w];

		if (w == from / 64)
			b &= ~0ull << (from % 64);
		if (b != 0)
			return w * 64 + (unsigned int)__builtin_ctzll(b);
	}
	return 129;
}

/* A prefix length as an index key: at most the family's bits. */
static uint8_t plen_clamp(unsigned int plen, uint8_t family)
{
	return (uint8_t)(plen < full_plen(family) ? plen : full_plen(family));
}

/* Copy the first plen bits of a (the rest zero). */
static void mask_copy(uint8_t *out, const uint8_t *a, unsigned int plen)
{
	unsigned int full = plen / 8, rest = plen % 8;

	memset(out, 0, 16);
	memcpy(out, a, full);
	if (rest != 0)
		out[full] = (uint8_t)(a[full] & (0xffu << (8 - rest)));
}

static struct pub_bucket *map_find(const struct pub_map *m, const struct pub_key *k,
	uint32_t h)
{
	const struct ctl_hlink *l = ctl_ihash_chain(&m->h, h);

	for (; l != NULL; l = l->next) {
		struct pub_bucket *b = CTL_HLINK_OWNER(l, struct pub_bucket, hlink);

		if (b->hash == h && memcmp(&b->key, k, sizeof(*k)) == 0)
			return b;
	}
	return NULL;
}

static uint32_t bucket_hash(const struct ctl_hlink *l)
{
	return CTL_HLINK_OWNER(l, struct pub_bucket, hlink)->hash;
}

/* Put entry l into the bucket of k (made if new).  -ENOMEM. */
static int map_link(struct pub_map *m, const struct pub_key *k, struct ctl_pub_link *l)
{
	uint32_t h = key_hash(k);
	struct pub_bucket *b = map_find(m, k, h);

	if (b == NULL) {
		if (ctl_ihash_reserve(&m->h) != 0)
			return -ENOMEM;
		b = calloc(1, sizeof(*b));
		if (b == NULL)
			return -ENOMEM;
		b->hash = h;
		b->key = *k;
		ctl_ihash_insert(&m->h, &b->hlink, h);
	}
	l->owner = b;
	l->prev = NULL;
	l->next = b->head;
	if (b->head != NULL)
		b->head->prev = l;
	b->head = l;
	return 0;
}

static void map_unlink(struct pub_map *m, struct ctl_pub_link *l)
{
	struct pub_bucket *b = l->owner;

	if (b == NULL)
		return;
	if (l->prev != NULL)
		l->prev->next = l->next;
	else
		b->head = l->next;
	if (l->next != NULL)
		l->next->prev = l->prev;
	l->owner = NULL;
	l->next = l->prev = NULL;
	if (b->head != NULL)
		return;
	(void)ctl_ihash_remove(&m->h, &b->hlink, b->hash);
	free(b);
}

static void bucket_free(struct ctl_hlink *l, void *arg)
{
	(void)arg;
	free(CTL_HLINK_OWNER(l, struct pub_bucket, hlink));
}

static void map_free(struct pub_map *m)
{
	ctl_ihash_each(&m->h, bucket_free, NULL);
	ctl_ihash_fini(&m->h);
}

static const struct ctl_pub_link *map_head(const struct pub_map *m, const struct pub_key *k)
{
	const struct pub_bucket *b = map_find(m, k, key_hash(k));

	return b != NULL ? b->head : NULL;
}

#define LINK_OWNER(l, type, member) ((type *)(void *)((char *)(l) - offsetof(type, member)))

/* ---- rules ---- */

static uint32_t index_hash(uint32_t index)
{
	return (uint32_t)ctl_hash_mix(index);
}

static uint32_t rule_link_hash(const struct ctl_hlink *l)
{
	return index_hash(CTL_HLINK_OWNER(l, struct pub_rule, hlink)->index);
}

static struct pub_rule *rule_find(const struct ctl_publish *pub, uint32_t index)
{
	const struct ctl_hlink *l = ctl_ihash_chain(&pub->rtab, index_hash(index));

	for (; l != NULL; l = l->next) {
		struct pub_rule *pr = CTL_HLINK_OWNER(l, struct pub_rule, hlink);

		if (pr->index == index)
			return pr;
	}
	return NULL;
}

static void mark_dirty(struct ctl_publish *pub, struct pub_rule *pr)
{
	if (pr->dirty)
		return;
	pr->dirty = true;
	pr->dprev = NULL;
	pr->dnext = pub->dirty;
	if (pub->dirty != NULL)
		pub->dirty->dprev = pr;
	pub->dirty = pr;
	pub->ndirty++;
}

static void clear_dirty(struct ctl_publish *pub, struct pub_rule *pr)
{
	if (!pr->dirty)
		return;
	if (pr->dprev != NULL)
		pr->dprev->dnext = pr->dnext;
	else
		pub->dirty = pr->dnext;
	if (pr->dnext != NULL)
		pr->dnext->dprev = pr->dprev;
	pr->dirty = false;
	pr->dnext = pr->dprev = NULL;
	pub->ndirty--;
}

/* A tunnel rule for the inner-selector index: endpoints and an inner
 * selector. */
static bool is_tunnel(const struct ctl_spd_rule *r, const struct scope *sc)
{
	return r->has_inner && sc->endpoints;
}

static int rule_index(struct ctl_publish *pub, const struct ctl_spd_rule *r)
{
	struct pub_rule *pr;
	struct dp_selector sel;
	struct scope sc;
	struct pub_key k;
	int err;

	if (r->pol.sadb_x_pol_action != SADB_X_DPSEC_ACTION_IPSEC)
		return 0;
	if (ctl_ihash_reserve(&pub->rtab) != 0)
		return -ENOMEM;
	pr = calloc(1, sizeof(*pr));
	if (pr == NULL)
		return -ENOMEM;
	pr->rule = r;
	pr->index = r->pol.sadb_x_pol_index;
	pr->dir = r->pol.sadb_x_pol_dir;
	selector_to_dp(r->has_inner ? &r->inner : &r->sel, &sel);
	rule_scope(r, &sel, &sc);
	memset(&k, 0, sizeof(k));
	k.fam = sc.family;
	if (sc.family == 0) {
		pr->any = true;
		pr->link.next = pub->any;
		if (pub->any != NULL)
			pub->any->prev = &pr->link;
		pub->any = &pr->link;
		err = 0;
	} else if (is_tunnel(r, &sc)) {
		k.kind = RK_PEER;
		memcpy(k.addr, sc.remote, 16);
		err = map_link(&pub->rmap, &k, &pr->peer);
		k.kind = RK_TUN;
		k.ifam = sel.family;
		k.iplen = sel.family != 0 ? plen_clamp(sel.remote_plen, sel.family) : 0;
		if (sel.family != 0)
			mask_copy(k.iaddr, sel.remote, k.iplen);
		if (err == 0)
			err = map_link(&pub->rmap, &k, &pr->link);
		if (err == 0 && sel.family != 0)
			plen_add(&pub->tun_iplen[fam_slot(sel.family)], k.iplen);
	} else {
		k.kind = RK_OUTER;
		k.plen = plen_clamp(sc.remote_plen, sc.family);
		mask_copy(k.addr, sc.remote, k.plen);
		err = map_link(&pub->rmap, &k, &pr->link);
		if (err == 0)
			plen_add(&pub->rule_plen[fam_slot(sc.family)], k.plen);
	}
	if (err != 0) {
		map_unlink(&pub->rmap, &pr->peer);
		free(pr);
		return err;
	}
	ctl_ihash_insert(&pub->rtab, &pr->hlink, index_hash(pr->index));
	pub->nrules++;
	return 0;
}

static void rule_unindex(struct ctl_publish *pub, struct pub_rule *pr)
{
	const struct pub_bucket *b = pr->link.owner;

	(void)ctl_ihash_remove(&pub->rtab, &pr->hlink, index_hash(pr->index));
	pub->nrules--;
	clear_dirty(pub, pr);
	if (pr->any) {
		if (pr->link.prev != NULL)
			pr->link.prev->next = pr->link.next;
		else
			pub->any = pr->link.next;
		if (pr->link.next != NULL)
			pr->link.next->prev = pr->link.prev;
	} else if (b != NULL) {
		if (b->key.kind == RK_OUTER)
			plen_del(&pub->rule_plen[fam_slot(b->key.fam)], b->key.plen);
		else if (b->key.ifam != 0)
			plen_del(&pub->tun_iplen[fam_slot(b->key.ifam)], b->key.iplen);
		map_unlink(&pub->rmap, &pr->link);
		map_unlink(&pub->rmap, &pr->peer);
	}
	free(pr);
}

static void rule_drop(struct ctl_hlink *l, void *arg)
{
	rule_unindex(arg, CTL_HLINK_OWNER(l, struct pub_rule, hlink));
}

static void rules_drop(struct ctl_publish *pub)
{
	ctl_ihash_each(&pub->rtab, rule_drop, pub);
}

/* ---- SAs ---- */

/* The SA's remote side and inner remote prefix (if it has inner
 * selectors). */
struct sa_keys {
	const struct dp_addr *remote;
	bool inner;
	struct dp_addr iremote;
	uint8_t iplen;
};

static void sa_keys(const struct ctl_sa *sa, struct sa_keys *sk)
{
	struct dp_addr isrc, idst;
	uint8_t isrc_plen = 0, idst_plen = 0;

	memset(sk, 0, sizeof(*sk));
	sk->remote = sa->dir == DP_DIR_OUT ? &sa->dst : &sa->src;
	sk->inner = sa_inner(sa, &isrc, &isrc_plen, &idst, &idst_plen);
	if (sk->inner) {
		sk->iremote = sa->dir == DP_DIR_OUT ? idst : isrc;
		sk->iplen = sa->dir == DP_DIR_OUT ? idst_plen : isrc_plen;
		if (sk->iplen > full_plen(sk->iremote.family))
			sk->iplen = (uint8_t)full_plen(sk->iremote.family);
	}
}

static void sa_unindex(struct ctl_publish *pub, struct ctl_sa *sa)
{
	const struct pub_bucket *b = sa->pub_sub.owner;

	if (b != NULL && b->key.kind == SK_TUN)
		plen_del(&pub->sa_iplen[fam_slot(b->key.ifam)], b->key.iplen);
	map_unlink(&pub->smap, &sa->pub_all);
	map_unlink(&pub->smap, &sa->pub_sub);
}

static int sa_index(struct ctl_publish *pub, struct ctl_sa *sa)
{
	struct sa_keys sk;
	struct pub_key k;
	int err;

	memset(&sa->pub_all, 0, sizeof(sa->pub_all));
	memset(&sa->pub_sub, 0, sizeof(sa->pub_sub));
	sa_keys(sa, &sk);
	if (sk.remote->family != AF_INET && sk.remote->family != AF_INET6)
		return 0; /* fits no rule of a family; rules of any family walk */
	memset(&k, 0, sizeof(k));
	k.kind = SK_ALL;
	k.dir = sa->dir;
	k.fam = sk.remote->family;
	memcpy(k.addr, sk.remote->bytes, 16);
	err = map_link(&pub->smap, &k, &sa->pub_all);
	if (err == 0 && sk.inner) {
		k.kind = SK_TUN;
		k.ifam = sk.iremote.family;
		k.iplen = sk.iplen;
		mask_copy(k.iaddr, sk.iremote.bytes, sk.iplen);
		err = map_link(&pub->smap, &k, &sa->pub_sub);
		if (err == 0)
			plen_add(&pub->sa_iplen[fam_slot(k.ifam)], k.iplen);
	} else if (err == 0) {
		k.kind = SK_NOINNER;
		err = map_link(&pub->smap, &k, &sa->pub_sub);
	}
	if (err != 0)
		sa_unindex(pub, sa);
	return err;
}

static void dirty_list(struct ctl_publish *pub, const struct ctl_pub_link *l, uint8_t sa_dir,
	size_t member)
{
	for (; l != NULL; l = l->next) {
		struct pub_rule *pr = (struct pub_rule *)(void *)((char *)l - member);

		if (pr->dir == SADB_X_DPSEC_DIR_BOTH ||
		    (pr->dir == SADB_X_DPSEC_DIR_OUT) == (sa_dir == DP_DIR_OUT))
			mark_dirty(pub, pr);
	}
}

/* Mark every rule the SA may fit (now, as it is) dirty. */
static void sa_dirty_rules(struct ctl_publish *pub, const struct ctl_sa *sa)
{
	const size_t at_link = offsetof(struct pub_rule, link);
	const size_t at_peer = offsetof(struct pub_rule, peer);
	struct sa_keys sk;
	struct pub_key k;
	unsigned int fs, ifs;

	dirty_list(pub, pub->any, sa->dir, at_link);
	sa_keys(sa, &sk);
	if (sk.remote->family != AF_INET && sk.remote->family != AF_INET6)
		return;
	fs = fam_slot(sk.remote->family);
	memset(&k, 0, sizeof(k));
	k.kind = RK_OUTER;
	k.fam = sk.remote->family;
	for (unsigned int p = plen_next(&pub->rule_plen[fs], 0); p <= 128;
	     p = plen_next(&pub->rule_plen[fs], p + 1)) {
		k.plen = (uint8_t)p;
		mask_copy(k.addr, sk.remote->bytes, p);
		dirty_list(pub, map_head(&pub->rmap, &k), sa->dir, at_link);
	}
	memset(&k, 0, sizeof(k));
	k.fam = sk.remote->family;
	memcpy(k.addr, sk.remote->bytes, 16);
	if (!sk.inner) {
		k.kind = RK_PEER;
		dirty_list(pub, map_head(&pub->rmap, &k), sa->dir, at_peer);
		return;
	}
	ifs = fam_slot(sk.iremote.family);
	if (plen_next(&pub->tun_iplen[ifs], sk.iplen + 1u) <= 128) {
		/* Tunnel rules with longer inner prefixes: some may lie inside
		 * the SA's; all of the peer's are looked at. */
		k.kind = RK_PEER;
		dirty_list(pub, map_head(&pub->rmap, &k), sa->dir, at_peer);
		return;
	}
	k.kind = RK_TUN; /* rules of any inner family */
	dirty_list(pub, map_head(&pub->rmap, &k), sa->dir, at_link);
	k.ifam = sk.iremote.family;
	k.iplen = sk.iplen;
	mask_copy(k.iaddr, sk.iremote.bytes, sk.iplen);
	dirty_list(pub, map_head(&pub->rmap, &k), sa->dir, at_link);
}

/* ------------------------------------------------------------------------ */
/* Binding through the indexes.                                              */

struct bind_acc {
	const struct ctl_spd_rule *r;
	const struct dp_selector *sel;
	const struct scope *sc;
	const struct ctl_sa *best_esp, *best_ah;
	const struct ctl_sa *in[DP_POLICY_IN_SA_MAX]; /* lowest slots, ascending */
	unsigned int n_in;
};

static void acc_sa(struct bind_acc *a, const struct ctl_sa *sa)
{
	uint8_t dir = a->r->pol.sadb_x_pol_dir;
	unsigned int i;

	if (dir != SADB_X_DPSEC_DIR_IN && sa->dir == DP_DIR_OUT &&
	    sa_fits(a->r, a->sel, a->sc, sa, DP_DIR_OUT)) {
		const struct ctl_sa **best = sa->satype == SADB_SATYPE_AH ? &a->best_ah :
									    &a->best_esp;

		if (better_slot(sa, *best))
			*best = sa;
	}
	if (dir == SADB_X_DPSEC_DIR_OUT || sa->dir != DP_DIR_IN ||
	    !sa_fits(a->r, a->sel, a->sc, sa, DP_DIR_IN))
		return;
	/* The walk keeps the first DP_POLICY_IN_SA_MAX in slot order. */
	if (a->n_in == DP_POLICY_IN_SA_MAX && a->in[a->n_in - 1]->slot < sa->slot)
		return;
	if (a->n_in < DP_POLICY_IN_SA_MAX)
		a->n_in++;
	for (i = a->n_in - 1; i > 0 && a->in[i - 1]->slot > sa->slot; i--)
		a->in[i] = a->in[i - 1];
	a->in[i] = sa;
}

static void acc_list(struct bind_acc *a, const struct ctl_pub_link *l, size_t member)
{
	for (; l != NULL; l = l->next)
		acc_sa(a, (const struct ctl_sa *)(const void *)((const char *)l - member));
}

/* The SAs of one direction that may fit a host-scoped rule. */
static void acc_dir(const struct ctl_publish *pub, struct bind_acc *a, uint8_t sa_dir)
{
	const size_t at_all = offsetof(struct ctl_sa, pub_all);
	const size_t at_sub = offsetof(struct ctl_sa, pub_sub);
	struct pub_key k;

	memset(&k, 0, sizeof(k));
	k.dir = sa_dir;
	k.fam = a->sc->family;
	memcpy(k.addr, a->sc->remote, 16);
	if (!is_tunnel(a->r, a->sc)) {
		k.kind = SK_ALL;
		acc_list(a, map_head(&pub->smap, &k), at_all);
		return;
	}
	k.kind = SK_NOINNER;
	acc_list(a, map_head(&pub->smap, &k), at_sub);
	k.kind = SK_TUN;
	for (unsigned int f = 0; f < 2; f++) {
		uint8_t fam = f == 0 ? AF_INET : AF_INET6;

		/* Inner family any: only SAs with inner prefixes of length 0
		 * fit; else the SA's inner family is the rule's. */
		if (a->sel->family != 0 && a->sel->family != fam)
			continue;
		k.ifam = fam;
		for (unsigned int p = plen_next(&pub->sa_iplen[f], 0); p <= 128;
		     p = plen_next(&pub->sa_iplen[f], p + 1)) {
			if (a->sel->family == 0 ? p > 0 : p > a->sel->remote_plen)
				break;
			k.iplen = (uint8_t)p;
			mask_copy(k.iaddr, a->sel->remote, p);
			acc_list(a, map_head(&pub->smap, &k), at_sub);
		}
	}
}

/* p's head is filled: its binding through the indexes (the walk's result). */
static void bind_indexed(struct ctl_publish *pub, const struct ctl_spd_rule *r,
	struct dp_policy *p)
{
	struct bind_acc a;
	struct scope sc;
	uint8_t dir = r->pol.sadb_x_pol_dir;

	rule_scope(r, &p->sel, &sc);
	memset(&a, 0, sizeof(a));
	a.r = r;
	a.sel = &p->sel;
	a.sc = &sc;
	if (sc.family == 0 || sc.remote_plen < full_plen(sc.family)) {
		uint32_t cursor = 0;
		struct ctl_sa *sa;

		pub->st.walks++;
		while ((sa = ctl_sadb_next(pub->ctl->sadb, &cursor)) != NULL)
			acc_sa(&a, sa);
	} else {
		if (dir != SADB_X_DPSEC_DIR_IN)
			acc_dir(pub, &a, DP_DIR_OUT);
		if (dir != SADB_X_DPSEC_DIR_OUT)
			acc_dir(pub, &a, DP_DIR_IN);
	}
	for (unsigned int i = 0; i < a.n_in; i++)
		p->in[p->n_in++] = a.in[i]->handle;
	if (a.best_esp != NULL)
		p->out[p->n_out++] = a.best_esp->handle;
	if (a.best_ah != NULL)
		p->out[p->n_out++] = a.best_ah->handle;
}

/* The rule as the dataplane gets it; its binding remembered in pr. */
static void rule_policy(struct ctl_publish *pub, const struct ctl_spd_rule *r,
	struct pub_rule *pr, struct dp_policy *p)
{
	policy_head(r, p);
	if (p->action != DP_POLICY_PROTECT || pr == NULL)
		return;
	bind_indexed(pub, r, p);
	pr->n_out = p->n_out;
	pr->n_in = p->n_in;
	memcpy(pr->out, p->out, sizeof(pr->out));
	memcpy(pr->in, p->in, sizeof(pr->in));
}

static bool same_binding(const struct pub_rule *pr, const struct dp_policy *p)
{
	return pr->n_out == p->n_out && pr->n_in == p->n_in &&
	       memcmp(pr->out, p->out, p->n_out * sizeof(p->out[0])) == 0 &&
	       memcmp(pr->in, p->in, p->n_in * sizeof(p->in[0])) == 0;
}

/* ------------------------------------------------------------------------ */
/* Hooks (ctl_priv.h).                                                       */

static void queue_change(struct ctl_publish *pub, uint32_t index, bool del)
{
	if (pub->full)
		return;
	if (pub->nchanges == pub->changes_cap) {
		uint32_t cap = pub->changes_cap ? pub->changes_cap * 2 : 256;
		struct pub_change *c = realloc(pub->changes, cap * sizeof(*c));

		if (c == NULL) {
			pub->full = true; /* cannot remember: publish it all */
			return;
		}
		pub->changes = c;
		pub->changes_cap = cap;
	}
	pub->changes[pub->nchanges++] = (struct pub_change){ index, del };
}

void ctl_publish_rule_added(struct ctl *ctl, const struct ctl_spd_rule *r)
{
	struct ctl_publish *pub = ctl->pub;

	if (pub == NULL)
		return;
	if (rule_index(pub, r) != 0)
		pub->full = true; /* the full publication rebuilds the indexes */
	queue_change(pub, r->pol.sadb_x_pol_index, false);
}

void ctl_publish_rule_deleted(struct ctl *ctl, uint32_t index)
{
	struct ctl_publish *pub = ctl->pub;
	struct pub_rule *pr;

	if (pub == NULL)
		return;
	pr = rule_find(pub, index);
	if (pr != NULL)
		rule_unindex(pub, pr);
	queue_change(pub, index, true);
}

void ctl_publish_sa_attach(struct ctl *ctl, struct ctl_sa *sa)
{
	struct ctl_publish *pub = ctl->pub;

	if (pub == NULL)
		return;
	if (sa_index(pub, sa) != 0)
		pub->full = true;
	if (!pub->full)
		sa_dirty_rules(pub, sa);
}

void ctl_publish_sa_detach(struct ctl *ctl, struct ctl_sa *sa)
{
	struct ctl_publish *pub = ctl->pub;

	if (pub == NULL)
		return;
	if (!pub->full)
		sa_dirty_rules(pub, sa);
	sa_unindex(pub, sa);
}

void ctl_publish_sa_changed(struct ctl *ctl, struct ctl_sa *sa)
{
	if (ctl->pub != NULL && !ctl->pub->full)
		sa_dirty_rules(ctl->pub, sa);
}

void ctl_publish_all(struct ctl *ctl)
{
	if (ctl->pub == NULL)
		return;
	/* After an SPD flush the rules' store pointers are gone: the next
	 * push re-indexes everything (reindex()). */
	rules_drop(ctl->pub);
	ctl->pub->full = true;
}

/* ------------------------------------------------------------------------ */
/* Publication.                                                              */

static void pending_clear(struct ctl_publish *pub)
{
	while (pub->dirty != NULL)
		clear_dirty(pub, pub->dirty);
	pub->nchanges = 0;
	pub->full = false;
}

/* Rebuild the rule indexes from the store, then every SA's. */
static int reindex(struct ctl_publish *pub)
{
	struct ctl *ctl = pub->ctl;
	uint32_t cursor = 0;
	struct ctl_sa *sa;

	rules_drop(pub);
	for (const struct ctl_spd_rule *r = ctl_spd_first(ctl->spd); r != NULL;
	     r = ctl_spd_next(ctl->spd, r)) {
		if (rule_index(pub, r) != 0)
			return -ENOMEM;
	}
	while ((sa = ctl_sadb_next(ctl->sadb, &cursor)) != NULL) {
		sa_unindex(pub, sa);
		if (sa_index(pub, sa) != 0)
			return -ENOMEM;
	}
	return 0;
}

int ctl_publish_now(struct ctl_publish *pub)
{
	struct ctl *ctl = pub->ctl;
	uint32_t n = ctl_spd_count(ctl->spd), bad = 0, i = 0;
	struct dp_policy *rules = NULL;
	int err;

	/* Whatever happens, nothing older stays pending: a failure below
	 * leaves the dataplane's set as it was (the rules' remembered
	 * bindings are then ahead of it), so the next change retries in full
	 * (retry_full; not at once: the same input would fail again). */
	pending_clear(pub);
	pub->st.full++;
	if (n > 0) {
		rules = calloc(n, sizeof(*rules));
		if (rules == NULL) {
			pub->full = true;
			return -ENOMEM;
		}
	}
	for (const struct ctl_spd_rule *r = ctl_spd_first(ctl->spd); r != NULL;
	     r = ctl_spd_next(ctl->spd, r))
		rule_policy(pub, r, rule_find(pub, r->pol.sadb_x_pol_index), &rules[i++]);
	err = dp_spd_publish(pub->spd, rules, n, &bad);
	free(rules);
	pub->retry_full = err != 0;
	if (err != 0) {
		ctl_log(LOG_ERR, "policy publication failed at rule %u: %s", bad, strerror(-err));
		pub->st.failures++;
	}
	return err;
}

/* Push the queued changes and the dirty rules; one commit. */
static int publish_changes(struct ctl_publish *pub)
{
	struct ctl *ctl = pub->ctl;
	struct dp_policy p;
	int err = 0;

	for (uint32_t i = 0; i < pub->nchanges && err == 0; i++) {
		const struct pub_change *c = &pub->changes[i];
		const struct ctl_spd_rule *r;
		struct pub_rule *pr;

		if (c->del) {
			err = dp_spd_policy_del(pub->spd, c->index);
			if (err == -ENOENT) /* added and deleted before a push */
				err = 0;
			continue;
		}
		r = ctl_spd_get(ctl->spd, c->index);
		if (r == NULL)
			continue; /* deleted since: its delete follows */
		pr = rule_find(pub, c->index);
		if (pr != NULL)
			clear_dirty(pub, pr);
		rule_policy(pub, r, pr, &p);
		err = dp_spd_policy_set(pub->spd, &p);
		pub->st.sets++;
	}
	pub->nchanges = 0;
	while (pub->dirty != NULL && err == 0) {
		struct pub_rule *pr = pub->dirty;
		const struct ctl_spd_rule *r = pr->rule;

		clear_dirty(pub, pr);
		pub->st.rebinds++;
		policy_head(r, &p);
		bind_indexed(pub, r, &p);
		if (same_binding(pr, &p))
			continue;
		pr->n_out = p.n_out;
		pr->n_in = p.n_in;
		memcpy(pr->out, p.out, sizeof(pr->out));
		memcpy(pr->in, p.in, sizeof(pr->in));
		err = dp_spd_policy_set(pub->spd, &p);
		pub->st.sets++;
	}
	if (err == 0)
		err = dp_spd_commit(pub->spd);
	pub->st.commits++;
	if (err != 0) {
		ctl_log(LOG_ERR, "incremental policy publication failed: %s; publishing all",
			strerror(-err));
		pub->st.failures++;
		return ctl_publish_now(pub);
	}
	return 0;
}

int ctl_publish_sync(struct ctl_publish *pub)
{
	uint32_t n = ctl_spd_count(pub->ctl->spd);

	if (pub->retry_full && (pub->nchanges > 0 || pub->ndirty > 0))
		pub->full = true;
	if (pub->full)
		return reindex(pub) == 0 ? ctl_publish_now(pub) : -ENOMEM;
	if (pub->nchanges == 0 && pub->ndirty == 0)
		return 0;
	/* A quarter of the rules or more: one compilation is cheaper. */
	if (n >= 64 && (uint64_t)pub->nchanges + pub->ndirty > n / 4)
		return ctl_publish_now(pub);
	return publish_changes(pub);
}

static void prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	(void)ctl_publish_sync(w->data);
}

struct ctl_publish *ctl_publish_new(struct ctl *ctl, struct dp_spd *spd)
{
	struct ctl_publish *pub = calloc(1, sizeof(*pub));

	if (pub == NULL)
		return NULL;
	pub->ctl = ctl;
	pub->spd = spd;
	pub->full = true;
	if (ctl_ihash_init(&pub->rmap.h, 1024, bucket_hash) != 0 ||
	    ctl_ihash_init(&pub->smap.h, 1024, bucket_hash) != 0 ||
	    ctl_ihash_init(&pub->rtab, 1024, rule_link_hash) != 0 || reindex(pub) != 0) {
		ctl_publish_free(pub);
		errno = ENOMEM;
		return NULL;
	}
	ctl->pub = pub;
	ev_prepare_init(&pub->prepare_w, prepare_cb);
	pub->prepare_w.data = pub;
	ev_prepare_start(ctl->loop, &pub->prepare_w);
	return pub;
}

void ctl_publish_free(struct ctl_publish *pub)
{
	uint32_t cursor = 0;
	struct ctl_sa *sa;

	if (pub == NULL)
		return;
	ev_prepare_stop(pub->ctl->loop, &pub->prepare_w);
	if (pub->ctl->pub == pub)
		pub->ctl->pub = NULL;
	rules_drop(pub);
	while ((sa = ctl_sadb_next(pub->ctl->sadb, &cursor)) != NULL)
		sa_unindex(pub, sa);
	map_free(&pub->rmap);
	map_free(&pub->smap);
	ctl_ihash_fini(&pub->rtab);
	free(pub->changes);
	free(pub);
}

int ctl_publish_verify(struct ctl_publish *pub, uint32_t *bad)
{
	struct ctl *ctl = pub->ctl;

	for (const struct ctl_spd_rule *r = ctl_spd_first(ctl->spd); r != NULL;
	     r = ctl_spd_next(ctl->spd, r)) {
		const struct pub_rule *pr = rule_find(pub, r->pol.sadb_x_pol_index);
		struct dp_policy want;

		ctl_publish_reference(ctl, r, &want);
		if (want.action != DP_POLICY_PROTECT)
			continue;
		if (pr == NULL || !same_binding(pr, &want)) {
			*bad = r->pol.sadb_x_pol_index;
			return -EDOM;
		}
	}
	return 0;
}

void ctl_publish_get_stats(const struct ctl_publish *pub, struct ctl_publish_stats *st)
{
	*st = pub->st;
}
