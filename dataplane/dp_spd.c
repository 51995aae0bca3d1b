/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_spd.c: the security policy database (dpsec/dp.h, "Security policy
 * database"; docs/DATAPLANE.md, "Policy lookup" and "Policy lookup at
 * scale").
 *
 * Two tiers answer a lookup.  A rule whose selector has a family and a
 * remote prefix (length > 0) is in the hash tier: a table keyed by
 * (direction, family, remote prefix length, remote prefix) whose value is
 * the rules under that key in match order; a packet probes one key per
 * remote prefix length present in its (direction, family) and checks each
 * candidate's selector (dp_spd_selector_match() less the family and remote
 * prefix, which the key fixed).  Every other rule is in the
 * rte_acl tier (dp_spd_acl.c), compiled again only when one of its rules
 * changes.  The answer is the better of the two tiers' matches by
 * (priority, index), which is the order one rte_acl set of all the rules
 * would use, so the split changes costs, never verdicts.
 *
 * Changes.  dp_spd_policy_set/del stage a change (a new rule goes into a
 * slot no worker can reach yet); dp_spd_commit() first allocates all it
 * needs (chains, grown tables, the rte_acl tier if it changed, a view),
 * so that a failure changes nothing, then applies: each binding, table
 * entry and the view is replaced with one release store, and what was
 * replaced is retired with an RCU token (dp_spd_priv.h).
 */
#define ALLOW_EXPERIMENTAL_API 1 /* rte_rcu_qsbr_*: experimental in 22.11 */

#include "dp_spd.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "dp_ctx_priv.h"
#include "dp_spd_priv.h"
#include "dp_worker.h"

#define SPD_BURST 64u                 /* flows per classification round */
#define ACQ_INTERVAL_MS_DEFAULT 1000u
#define ACQ_PER_S_DEFAULT 64u
#define SLOT_NONE UINT32_MAX
#define SA_KEY_LEN 8u

/* ------------------------------------------------------------------------ */
/* Reference matcher (the post-decapsulation check, and the contract the
 * compiled contexts follow). */

/* The first n (0..64) bits of a word. */
static inline uint64_t top_bits(unsigned int n)
{
	return n >= 64 ? UINT64_MAX : ~(UINT64_MAX >> n);
}

/* Big-endian masks of the first plen (0..128) bits of 128, as two words
 * in memory order. */
static inline void plen_mask(unsigned int plen, uint64_t m[2])
{
	m[0] = rte_cpu_to_be_64(top_bits(plen < 64 ? plen : 64));
	m[1] = rte_cpu_to_be_64(top_bits(plen > 64 ? plen - 64 : 0));
}

/* Do the 16-byte addresses want and have agree on their first plen bits?
 * Two masked word compares (an IPv4 plen <= 32 masks all but 4 bytes). */
static inline bool prefix_match(const uint8_t *want, const uint8_t *have, unsigned int plen)
{
	uint64_t m[2];

	plen_mask(plen, m);
	return (((dp_spd_ld64(want) ^ dp_spd_ld64(have)) & m[0]) |
		((dp_spd_ld64(want + 8) ^ dp_spd_ld64(have + 8)) & m[1])) == 0;
}

/* Ports or ICMP type and code of f within s's ranges? */
static inline bool ports_match(const struct dp_selector *s, bool out, const struct dp_flow *f)
{
	uint16_t lport = out ? f->sport : f->dport, rport = out ? f->dport : f->sport;

	if (dp_spd_is_icmp(f->family, f->proto)) {
		uint8_t type = (uint8_t)(f->sport >> 8), code = (uint8_t)f->sport;

		return type >= s->icmp_type_min && type <= s->icmp_type_max &&
		       code >= s->icmp_code_min && code <= s->icmp_code_max;
	}
	return lport >= s->lport_min && lport <= s->lport_max && rport >= s->rport_min &&
	       rport <= s->rport_max;
}

static inline bool sel_match(const struct dp_selector *s, bool out, const struct dp_flow *f)
{
	const uint8_t *local = out ? f->src : f->dst, *remote = out ? f->dst : f->src;

	if (s->family != 0 && s->family != f->family)
		return false;
	if (s->proto != 0 && s->proto != f->proto)
		return false;
	if (s->family != 0 && (!prefix_match(s->local, local, s->local_plen) ||
			       !prefix_match(s->remote, remote, s->remote_plen)))
		return false;
	return ports_match(s, out, f);
}

bool dp_spd_selector_match(const struct dp_selector *s, uint8_t dir, const struct dp_flow *f)
{
	return sel_match(s, dir == DP_POLICY_DIR_OUT, f);
}

/* sel_match() of a hash tier candidate: the probe key that found it holds
 * the family and the remote prefix, so only the rest is compared. */
static inline bool hash_match(const struct dp_selector *s, bool out, const struct dp_flow *f)
{
	if (s->proto != 0 && s->proto != f->proto)
		return false;
	if (!prefix_match(s->local, out ? f->src : f->dst, s->local_plen))
		return false;
	return ports_match(s, out, f);
}

/* ------------------------------------------------------------------------ */
/* Validation. */

static bool selector_ok(const struct dp_selector *s)
{
	unsigned int max = s->family == AF_INET ? 32 : 128;

	if (s->family != 0 && s->family != AF_INET && s->family != AF_INET6)
		return false;
	/* Family any: addresses and prefix lengths are not looked at. */
	if (s->family != 0 && (s->local_plen > max || s->remote_plen > max))
		return false;
	return s->lport_min <= s->lport_max && s->rport_min <= s->rport_max &&
	       s->icmp_type_min <= s->icmp_type_max && s->icmp_code_min <= s->icmp_code_max;
}

static bool handles_ok(const dp_sa_handle_t *h, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (h[i] == DP_SA_HANDLE_INVALID)
			return false;
	return true;
}

static bool policy_ok(const struct dp_policy *p)
{
	if (p->index == DP_POLICY_INDEX_NONE || (p->flags & ~DP_POLICY_F_ALL) != 0)
		return false;
	if (p->dir < DP_POLICY_DIR_IN || p->dir > DP_POLICY_DIR_BOTH)
		return false;
	if (p->action < DP_POLICY_BYPASS || p->action > DP_POLICY_PROTECT)
		return false;
	if (p->n_out > DP_POLICY_OUT_SA_MAX || p->n_in > DP_POLICY_IN_SA_MAX)
		return false;
	if (p->action != DP_POLICY_PROTECT && (p->n_out != 0 || p->n_in != 0))
		return false;
	return handles_ok(p->out, p->n_out) && handles_ok(p->in, p->n_in) && selector_ok(&p->sel);
}

struct index_pos {
	uint32_t index;
	uint32_t pos;
};

static int index_pos_cmp(const void *a, const void *b)
{
	const struct index_pos *x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Every rule valid, every index once.  0, -EINVAL or -EEXIST with *bad. */
static int rules_check(const struct dp_policy *rules, uint32_t n, uint32_t *bad)
{
	struct index_pos *ip;
	int err = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (!policy_ok(&rules[i])) {
			*bad = i;
			return -EINVAL;
		}
	}
	if (n < 2)
		return 0;
	ip = malloc((size_t)n * sizeof(*ip));
	if (ip == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		ip[i] = (struct index_pos){ rules[i].index, i };
	qsort(ip, n, sizeof(*ip), index_pos_cmp);
	for (uint32_t i = 1; i < n && err == 0; i++) {
		if (ip[i].index == ip[i - 1].index) {
			*bad = ip[i].pos;
			err = -EEXIST;
		}
	}
	free(ip);
	return err;
}

/* ------------------------------------------------------------------------ */
/* Rules, keys and bindings. */

static_assert(sizeof(struct dp_spd_hkey) == DP_SPD_KEY_MAX, "hash tier key size");

static const struct dp_spd_bind bind_none;

static bool in_hash_tier(const struct dp_selector *s)
{
	return s->family != 0 && s->remote_plen != 0;
}

/* Match order: is a before b? */
static bool rule_before(const struct dp_spd_rule *a, const struct dp_spd_rule *b)
{
	return a->priority < b->priority || (a->priority == b->priority && a->index < b->index);
}

/* The address words of a (4 or 16 bytes as fam) masked by m: the words
 * of a hash tier key (struct dp_spd_hkey), in registers. */
static inline void addr_words(unsigned int fam, const uint8_t *a, const uint64_t m[2],
	uint64_t *a0, uint64_t *a1)
{
	if (fam == DP_SPD_V4) {
		uint64_t w = 0;

		memcpy(&w, a, 4);
		*a0 = w & m[0];
		*a1 = 0;
	} else {
		*a0 = dp_spd_ld64(a) & m[0];
		*a1 = dp_spd_ld64(a + 8) & m[1];
	}
}

/* The hash tier key of a rule's remote prefix (CONTROL). */
static void hkey_fill(struct dp_spd_hkey *k, unsigned int d, unsigned int fam, const uint8_t *addr,
	unsigned int plen)
{
	uint64_t m[2], a0, a1;

	plen_mask(plen, m);
	addr_words(fam, addr, m, &a0, &a1);
	k->hdr = dp_spd_hkey_hdr(d, fam, plen);
	memcpy(k->addr, &a0, 8);
	memcpy(k->addr + 8, &a1, 8);
}

static void sa_key(uint8_t key[SA_KEY_LEN], dp_sa_handle_t sa)
{
	memcpy(key, &sa, SA_KEY_LEN);
}

/* The rule's binding, shared when it has none.  NULL: ENOMEM. */
static const struct dp_spd_bind *bind_new(const struct dp_policy *p)
{
	struct dp_spd_bind *b;

	if (p->n_out == 0 && p->n_in == 0)
		return &bind_none;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->n_out = p->n_out;
	b->n_in = p->n_in;
	memcpy(b->out, p->out, p->n_out * sizeof(p->out[0]));
	memcpy(b->in, p->in, p->n_in * sizeof(p->in[0]));
	return b;
}

static void bind_free(const struct dp_spd_bind *b)
{
	if (b != NULL && b != &bind_none)
		free((void *)(uintptr_t)b);
}

static void rule_fill(struct dp_spd_rule *r, const struct dp_policy *p,
	const struct dp_spd_bind *b)
{
	memset(r, 0, sizeof(*r));
	r->index = p->index;
	r->priority = p->priority;
	r->dir = p->dir;
	r->action = p->action;
	r->flags = p->flags;
	r->tier = in_hash_tier(&p->sel) ? DP_SPD_TIER_HASH : DP_SPD_TIER_ACL;
	r->sel = p->sel;
	r->bind = b;
}

/* Same rule but for the binding? */
static bool same_but_binding(const struct dp_spd_rule *a, const struct dp_spd_rule *b)
{
	return a->index == b->index && a->priority == b->priority && a->dir == b->dir &&
	       a->action == b->action && a->flags == b->flags &&
	       memcmp(&a->sel, &b->sel, sizeof(a->sel)) == 0;
}

/* ------------------------------------------------------------------------ */
/* States and slots (CONTROL). */

static struct dp_spd_state *state_new(void)
{
	struct dp_spd_state *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->index = dp_spd_tab_new(sizeof(uint32_t), 0);
	if (st->index == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

static void chain_free(uint64_t val)
{
	if (val != 0 && (val & 1) == 0)
		free((void *)(uintptr_t)val);
}

static void tab_free_chains(struct dp_spd_tab *t)
{
	if (t == NULL)
		return;
	for (uint32_t i = 0; i <= t->mask; i++)
		if (t->e[i].sig != 0)
			chain_free(t->e[i].val);
	dp_spd_tab_free(t);          /* a successor's values are t's */
}

/* Free a state no worker can reach, with the bindings of its rules. */
static void state_free(struct dp_spd_state *st)
{
	if (st == NULL)
		return;
	for (uint32_t i = 0; i <= st->index->mask; i++) {
		uint64_t v = st->index->e[i].val;

		if (st->index->e[i].sig != 0 && v != 0)
			bind_free(dp_spd_slot(st->chunk, (uint32_t)v - 1)->bind);
	}
	tab_free_chains(st->tab);
	tab_free_chains(st->insa);
	dp_spd_tab_free(st->index);
	for (unsigned int d = 0; d < 2; d++)
		for (unsigned int f = 0; f < 2; f++)
			rte_acl_free(st->acl[d][f]);
	for (unsigned int c = 0; c < DP_SPD_CHUNKS; c++)
		free(st->chunk[c]);
	free(st->free_slots);
	free(st->acl_ids);
	free(st);
}

/* A free slot.  0 or -ENOMEM. */
static int slot_alloc(struct dp_spd_state *st, uint32_t *id)
{
	uint32_t c;

	if (st->n_free != 0) {
		*id = st->free_slots[--st->n_free];
		return 0;
	}
	if (st->hwm == DP_SPD_CHUNKS * DP_SPD_CHUNK)
		return -ENOMEM;
	c = st->hwm >> DP_SPD_CHUNK_SHIFT;
	if (st->chunk[c] == NULL) {
		/* The free stack holds every slot, so releasing never allocates. */
		uint32_t cap = (c + 1) * DP_SPD_CHUNK;
		uint32_t *fs = realloc(st->free_slots, (size_t)cap * sizeof(*fs));

		if (fs == NULL)
			return -ENOMEM;
		st->free_slots = fs;
		st->cap_free = cap;
		st->chunk[c] = calloc(DP_SPD_CHUNK, sizeof(struct dp_spd_rule));
		if (st->chunk[c] == NULL)
			return -ENOMEM;
	}
	*id = st->hwm++;
	return 0;
}

static void slot_release(struct dp_spd_state *st, uint32_t id)
{
	st->free_slots[st->n_free++] = id;
}

/* Hash of a policy index (the key of index tables: a constant length, so
 * the word loads never pass the 4 bytes). */
static uint32_t index_hash(uint32_t index)
{
	return dp_spd_key_hash(&index, sizeof(index));
}

static uint32_t index_find(const struct dp_spd_tab *t, uint32_t index)
{
	uint64_t v = dp_spd_tab_find(t, &index, index_hash(index), sizeof(index));

	return v == 0 ? SLOT_NONE : (uint32_t)v - 1;
}

/* ------------------------------------------------------------------------ */
/* Retirement (CONTROL). */

enum { R_FREE, R_TAB, R_SLOT, R_ACL, R_STATE };

static struct dp_spd_retired *retired_new(uint32_t cap)
{
	struct dp_spd_retired *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->cap = cap;
	r->item = calloc(cap != 0 ? cap : 1, sizeof(*r->item));
	if (r->item == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

static void retire(struct dp_spd_retired *r, uint8_t kind, void *p, struct dp_spd_state *st,
	uint32_t slot)
{
	assert(r->n < r->cap);
	r->item[r->n++] = (struct dp_spd_retire_item){ .kind = kind, .p = p, .state = st,
		.slot = slot };
}

static void retired_free(struct dp_spd_retired *r)
{
	for (uint32_t i = 0; i < r->n; i++) {
		struct dp_spd_retire_item *it = &r->item[i];

		switch (it->kind) {
		case R_FREE:
			free(it->p);
			break;
		case R_TAB:
			dp_spd_tab_free(it->p);
			break;
		case R_SLOT:
			slot_release(it->state, it->slot);
			break;
		case R_ACL:
			rte_acl_free(it->p);
			break;
		default:
			state_free(it->state);
			break;
		}
	}
	free(r->item);
	free(r);
}

/* Stamp r with a token taken after every store it covers and queue it. */
static void retired_queue(struct dp_spd *spd, struct dp_spd_retired *r)
{
	r->token = rte_rcu_qsbr_start(spd->ctx->qsbr);
	if (spd->ret_tail != NULL)
		spd->ret_tail->next = r;
	else
		spd->ret_head = r;
	spd->ret_tail = r;
}

static int reclaim_locked(struct dp_spd *spd)
{
	int freed = 0;

	/* Oldest first: a slot is released before its state can be freed. */
	while (spd->ret_head != NULL &&
	       rte_rcu_qsbr_check(spd->ctx->qsbr, spd->ret_head->token, false) == 1) {
		struct dp_spd_retired *r = spd->ret_head;

		spd->ret_head = r->next;
		if (spd->ret_head == NULL)
			spd->ret_tail = NULL;
		retired_free(r);
		freed++;
	}
	return freed;
}

/* ------------------------------------------------------------------------ */
/* Commit: plan (allocations only), then apply (stores only). */

/* One staged change resolved against the state. */
struct change {
	uint32_t old, new;             /* slots, SLOT_NONE */
	bool bind_only;
};

/* A chain edit: add or remove slot under a key of the hash tier (tab 0)
 * or of the inbound SA map (tab 1). */
struct op {
	uint8_t key[DP_SPD_KEY_MAX];
	uint32_t slot;
	uint8_t tab;
	uint8_t add;
	uint8_t reserved[2];
};

/* A key's new value. */
struct kupd {
	uint8_t key[DP_SPD_KEY_MAX];
	uint32_t h;
	uint8_t tab;
	uint8_t fresh;                 /* the key had no value */
	uint8_t has_rm;                /* some of its edits remove */
	uint64_t val;
	/* With additions and removals: current plus additions, stored before
	 * the view and val after it (a replaced policy is never missing). */
	uint64_t unite;
};

struct plan {
	struct change *ch;
	uint32_t n_ch;
	struct op *ops;
	uint32_t n_ops;
	struct kupd *ku;
	uint32_t n_ku;
	struct dp_spd_tab *tab, *insa, *index;   /* dp_spd_tab_prepare's, or NULL */
	uint32_t adds[3];                       /* new keys in tab, insa, index */
	bool acl_changed;
	struct rte_acl_ctx *acl[2][2];
	uint32_t acl_entries;
	uint32_t *acl_ids, n_acl;
	struct dp_spd_view *view;
	struct dp_spd_retired *ret;
};

static int op_cmp(const void *a, const void *b)
{
	const struct op *x = a, *y = b;
	int c;

	if (x->tab != y->tab)
		return x->tab < y->tab ? -1 : 1;
	c = memcmp(x->key, y->key, sizeof(x->key));
	if (c != 0)
		return c;
	if (x->add != y->add)
		return x->add < y->add ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Chains in match order: qsort has no context argument, so the directory
 * the comparison reads is passed through this per-thread variable. */
static _Thread_local struct dp_spd_rule *const *sort_chunk;

static int slot_order_cmp(const void *a, const void *b)
{
	const struct dp_spd_rule *x = dp_spd_slot(sort_chunk, *(const uint32_t *)a);
	const struct dp_spd_rule *y = dp_spd_slot(sort_chunk, *(const uint32_t *)b);

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void op_push(struct plan *pl, uint8_t tab, const void *key, uint32_t slot, bool add)
{
	struct op *o = &pl->ops[pl->n_ops++];

	memset(o, 0, sizeof(*o));
	memcpy(o->key, key, tab == 0 ? DP_SPD_KEY_MAX : SA_KEY_LEN);
	o->tab = tab;
	o->slot = slot;
	o->add = add;
}

/* The hash tier edits of adding or removing rule r in slot id. */
static void ops_rule(struct plan *pl, const struct dp_spd_rule *r, uint32_t id, bool add)
{
	static const uint8_t dirs[2] = { [DP_SPD_OUT] = DP_POLICY_DIR_OUT,
		[DP_SPD_IN] = DP_POLICY_DIR_IN };
	unsigned int fam = r->sel.family == AF_INET ? DP_SPD_V4 : DP_SPD_V6;
	struct dp_spd_hkey k;

	if (r->tier != DP_SPD_TIER_HASH)
		return;
	for (unsigned int d = 0; d < 2; d++) {
		if ((r->dir & dirs[d]) == 0)
			continue;
		hkey_fill(&k, d, fam, r->sel.remote, r->sel.remote_plen);
		op_push(pl, 0, &k, id, add);
	}
}

/* The inbound SA map edits of binding b of rule r (slot id). */
static void ops_bind(struct plan *pl, const struct dp_spd_rule *r, const struct dp_spd_bind *b,
	uint32_t id, bool add)
{
	uint8_t key[SA_KEY_LEN];

	if ((r->dir & DP_POLICY_DIR_IN) == 0)
		return;
	for (unsigned int i = 0; i < b->n_in; i++) {
		sa_key(key, b->in[i]);
		op_push(pl, 1, key, id, add);
	}
}

static void plan_free(struct plan *pl)
{
	free(pl->ch);
	free(pl->ops);
	free(pl->ku);
	free(pl->acl_ids);
}

/* Undo plan_prepare's allocations (nothing was applied). */
static void plan_abort(struct plan *pl)
{
	for (uint32_t i = 0; i < pl->n_ku; i++) {
		chain_free(pl->ku[i].val);
		chain_free(pl->ku[i].unite);
	}
	dp_spd_tab_free(pl->tab);
	dp_spd_tab_free(pl->insa);
	dp_spd_tab_free(pl->index);
	for (unsigned int d = 0; d < 2; d++)
		for (unsigned int f = 0; f < 2; f++)
			rte_acl_free(pl->acl[d][f]);
	free(pl->view);
	if (pl->ret != NULL) {
		free(pl->ret->item);
		free(pl->ret);
	}
	plan_free(pl);
}

/* Is id among o[0..n) (sorted by slot)? */
static bool slot_in(uint32_t id, const struct op *o, uint32_t n)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (o[mid].slot == id)
			return true;
		if (o[mid].slot < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The new value of the key of ops o[0..n) (one key, removals first). */
static int chain_edit(struct dp_spd_state *st, const struct dp_spd_tab *t, const struct op *o,
	uint32_t n, struct kupd *ku)
{
	uint32_t n_rm = 0, n_cur = 0, one, cnt = 0;
	const uint32_t *cur = NULL;
	struct dp_spd_chain *c;
	uint64_t v = 0;

	memcpy(ku->key, o[0].key, sizeof(ku->key));
	ku->tab = o[0].tab;
	if (t != NULL) {
		ku->h = dp_spd_tab_hash(t, o[0].key);
		v = dp_spd_tab_get(t, o[0].key, ku->h);
	} else {
		ku->h = dp_spd_key_hash(o[0].key, o[0].tab == 0 ? DP_SPD_KEY_MAX : SA_KEY_LEN);
	}
	ku->fresh = v == 0;
	if (v & 1) {
		one = (uint32_t)(v >> 1);
		cur = &one;
		n_cur = 1;
	} else if (v != 0) {
		cur = ((const struct dp_spd_chain *)(uintptr_t)v)->slot;
		n_cur = ((const struct dp_spd_chain *)(uintptr_t)v)->n;
	}
	while (n_rm < n && o[n_rm].add == 0)
		n_rm++;
	ku->unite = 0;
	ku->has_rm = n_rm != 0;
	if (n_rm != 0 && n_rm != n) {
		struct dp_spd_chain *u = malloc(sizeof(*u) +
			(size_t)(n_cur + n - n_rm) * sizeof(u->slot[0]));

		if (u == NULL)
			return -ENOMEM;
		memcpy(u->slot, cur, n_cur * sizeof(u->slot[0]));
		for (uint32_t i = n_rm; i < n; i++)
			u->slot[n_cur + i - n_rm] = o[i].slot;
		u->n = n_cur + n - n_rm;
		if (o[0].tab == 0) {
			sort_chunk = st->chunk;
			qsort(u->slot, u->n, sizeof(u->slot[0]), slot_order_cmp);
		}
		ku->unite = (uint64_t)(uintptr_t)u;
	}
	c = malloc(sizeof(*c) + (size_t)(n_cur + n - n_rm) * sizeof(c->slot[0]));
	if (c == NULL) {
		chain_free(ku->unite);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n_cur; i++)
		if (!slot_in(cur[i], o, n_rm))
			c->slot[cnt++] = cur[i];
	for (uint32_t i = n_rm; i < n; i++)
		c->slot[cnt++] = o[i].slot;
	c->n = cnt;
	if (cnt == 0) {
		free(c);
		ku->val = 0;
	} else if (cnt == 1) {
		ku->val = (uint64_t)c->slot[0] << 1 | 1u;
		free(c);
	} else {
		if (o[0].tab == 0) {
			sort_chunk = st->chunk;
			qsort(c->slot, cnt, sizeof(c->slot[0]), slot_order_cmp);
		}
		ku->val = (uint64_t)(uintptr_t)c;
	}
	return 0;
}

/* The rte_acl tier after the changes, sorted and compiled. */
static int plan_acl(struct dp_spd *spd, struct dp_spd_state *st, struct plan *pl)
{
	uint32_t n = 0, added = 0;
	int err;

	for (uint32_t i = 0; i < pl->n_ch; i++)
		if (pl->ch[i].new != SLOT_NONE && !pl->ch[i].bind_only &&
		    dp_spd_slot(st->chunk, pl->ch[i].new)->tier == DP_SPD_TIER_ACL)
			added++;
	pl->acl_ids = malloc(((size_t)st->n_acl + added + 1) * sizeof(uint32_t));
	if (pl->acl_ids == NULL)
		return -ENOMEM;
	/* Mark removed rules through their position. */
	if (st->n_acl != 0)
		memcpy(pl->acl_ids, st->acl_ids, (size_t)st->n_acl * sizeof(uint32_t));
	for (uint32_t i = 0; i < pl->n_ch; i++) {
		uint32_t o = pl->ch[i].old;

		if (o != SLOT_NONE && !pl->ch[i].bind_only &&
		    dp_spd_slot(st->chunk, o)->tier == DP_SPD_TIER_ACL)
			pl->acl_ids[dp_spd_slot(st->chunk, o)->ctl] = SLOT_NONE;
	}
	for (uint32_t i = 0; i < st->n_acl; i++)
		if (pl->acl_ids[i] != SLOT_NONE)
			pl->acl_ids[n++] = pl->acl_ids[i];
	for (uint32_t i = 0; i < pl->n_ch; i++)
		if (pl->ch[i].new != SLOT_NONE && !pl->ch[i].bind_only &&
		    dp_spd_slot(st->chunk, pl->ch[i].new)->tier == DP_SPD_TIER_ACL)
			pl->acl_ids[n++] = pl->ch[i].new;
	pl->n_acl = n;
	sort_chunk = st->chunk;
	qsort(pl->acl_ids, n, sizeof(uint32_t), slot_order_cmp);
	err = dp_spd_acl_build(spd, st->chunk, pl->acl_ids, n, pl->acl, &pl->acl_entries);
	spd->acl_builds++;
	return err;
}

/* Chain edits a rule (old or new version) can cause, at most. */
static uint32_t rule_edits(const struct dp_spd_rule *r)
{
	uint32_t n = r->tier == DP_SPD_TIER_HASH ? (r->dir == DP_POLICY_DIR_BOTH ? 2u : 1u) : 0u;

	return n + ((r->dir & DP_POLICY_DIR_IN) != 0 ? r->bind->n_in : 0u);
}

/* An upper bound of the chain edits of stage[0..n): sizes the edit array
 * (a bulk load of a million rules would otherwise reserve 12 per rule). */
static uint64_t ops_bound(struct dp_spd_state *st, const struct dp_spd_stage *stage, uint32_t n)
{
	uint64_t b = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t old = index_find(st->index, stage[i].index);

		if (old != SLOT_NONE)
			b += 2u * rule_edits(dp_spd_slot(st->chunk, old));
		if (!stage[i].del)
			b += 2u * rule_edits(dp_spd_slot(st->chunk, stage[i].slot));
	}
	return b;
}

/* Resolve the staged changes and allocate all that applying them takes.
 * 0, -ENOMEM, -E2BIG (rte_acl); on failure everything is undone. */
static int plan_prepare(struct dp_spd *spd, struct dp_spd_state *st,
	const struct dp_spd_stage *stage, uint32_t n_stage, struct plan *pl)
{
	uint32_t adds[2] = { 0, 0 }, index_adds = 0, nret;
	int err = -ENOMEM;

	memset(pl, 0, sizeof(*pl));
	pl->ch = calloc(n_stage + 1, sizeof(*pl->ch));
	pl->ops = malloc(((size_t)ops_bound(st, stage, n_stage) + 1) * sizeof(*pl->ops));
	if (pl->ch == NULL || pl->ops == NULL)
		goto fail;
	for (uint32_t i = 0; i < n_stage; i++) {
		const struct dp_spd_stage *s = &stage[i];
		struct change *c = &pl->ch[pl->n_ch];
		const struct dp_spd_rule *o, *nw;

		c->old = index_find(st->index, s->index);
		c->new = s->del ? SLOT_NONE : s->slot;
		if (c->old == SLOT_NONE && c->new == SLOT_NONE)
			continue;
		pl->n_ch++;
		o = c->old != SLOT_NONE ? dp_spd_slot(st->chunk, c->old) : NULL;
		nw = c->new != SLOT_NONE ? dp_spd_slot(st->chunk, c->new) : NULL;
		if (o != NULL && nw != NULL && same_but_binding(o, nw)) {
			c->bind_only = true;
			ops_bind(pl, o, o->bind, c->old, false);
			ops_bind(pl, o, nw->bind, c->old, true);
			continue;
		}
		if (o != NULL) {
			ops_rule(pl, o, c->old, false);
			ops_bind(pl, o, o->bind, c->old, false);
			pl->acl_changed |= o->tier == DP_SPD_TIER_ACL;
		} else {
			index_adds++;
		}
		if (nw != NULL) {
			ops_rule(pl, nw, c->new, true);
			ops_bind(pl, nw, nw->bind, c->new, true);
			pl->acl_changed |= nw->tier == DP_SPD_TIER_ACL;
		}
	}
	qsort(pl->ops, pl->n_ops, sizeof(*pl->ops), op_cmp);
	pl->ku = calloc(pl->n_ops + 1, sizeof(*pl->ku));
	if (pl->ku == NULL)
		goto fail;
	for (uint32_t i = 0, j; i < pl->n_ops; i = j) {
		const struct dp_spd_tab *t = pl->ops[i].tab == 0 ? st->tab : st->insa;
		struct kupd *ku = &pl->ku[pl->n_ku];

		for (j = i + 1; j < pl->n_ops && pl->ops[j].tab == pl->ops[i].tab &&
		     memcmp(pl->ops[j].key, pl->ops[i].key, DP_SPD_KEY_MAX) == 0; j++)
			;
		if (chain_edit(st, t, &pl->ops[i], j - i, ku) != 0)
			goto fail;
		pl->n_ku++;
		adds[ku->tab] += ku->fresh && ku->val != 0;
	}
	pl->adds[0] = adds[0];
	pl->adds[1] = adds[1];
	pl->adds[2] = index_adds;
	if (dp_spd_tab_prepare(st->tab, DP_SPD_KEY_MAX, adds[0], &pl->tab) != 0 ||
	    dp_spd_tab_prepare(st->insa, SA_KEY_LEN, adds[1], &pl->insa) != 0 ||
	    dp_spd_tab_prepare(st->index, sizeof(uint32_t), index_adds, &pl->index) != 0)
		goto fail;
	if (pl->acl_changed && (err = plan_acl(spd, st, pl)) != 0)
		goto fail;
	err = -ENOMEM;
	pl->view = calloc(1, sizeof(*pl->view));
	/* Old slots and bindings, chains, tables, contexts, the old view. */
	nret = pl->n_ch * 2 + pl->n_ku * 2 + 4 + 3 + 2;
	pl->ret = retired_new(nret);
	if (pl->view == NULL || pl->ret == NULL)
		goto fail;
	return 0;
fail:
	plan_abort(pl);
	return err;
}

/* Store the key updates of the phase before the view (removals = false:
 * pure additions final, mixed ones as their union) or after it (the
 * values left: pure removals, mixed ones final). */
static void kupd_apply(struct dp_spd_state *st, struct plan *pl, struct dp_spd_retired *ret,
	bool removals)
{
	for (uint32_t i = 0; i < pl->n_ku; i++) {
		struct kupd *ku = &pl->ku[i];
		struct dp_spd_tab *t = ku->tab == 0 ? st->tab : st->insa;
		bool grows = ku->unite != 0 || !ku->has_rm;
		uint64_t val, old;

		if (t == NULL)           /* only removals from an absent table */
			continue;
		if (!removals && !grows)
			continue;
		if (removals && ku->unite == 0 && grows)
			continue;
		val = !removals && ku->unite != 0 ? ku->unite : ku->val;
		old = dp_spd_tab_put(t, ku->key, ku->h, val);
		if (old != 0 && (old & 1) == 0)
			retire(ret, R_FREE, (void *)(uintptr_t)old, NULL, 0);
	}
}

/* Apply a prepared plan to st: no failure from here on. */
static void plan_apply(struct dp_spd *spd, struct dp_spd_state *st, struct plan *pl,
	const struct dp_spd_stage *stage)
{
	struct dp_spd_retired *ret = pl->ret;
	struct dp_spd_view *v = pl->view;
	struct dp_spd_tab *t;

	(void)stage;
	/* Growth steps: a table replaced by its successor is kept by workers
	 * until the view store. */
	spd->commit_moved = 0;
	t = dp_spd_tab_step(st->tab, pl->tab, pl->adds[0], &spd->commit_moved);
	if (t != st->tab && st->tab != NULL)
		retire(ret, R_TAB, st->tab, NULL, 0);
	st->tab = t;
	t = dp_spd_tab_step(st->insa, pl->insa, pl->adds[1], &spd->commit_moved);
	if (t != st->insa && st->insa != NULL)
		retire(ret, R_TAB, st->insa, NULL, 0);
	st->insa = t;
	t = dp_spd_tab_step(st->index, pl->index, pl->adds[2], &spd->commit_moved);
	if (t != st->index)
		dp_spd_tab_free(st->index); /* CONTROL's alone */
	st->index = t;
	for (uint32_t i = 0; i < pl->n_ch; i++) {
		const struct change *c = &pl->ch[i];
		struct dp_spd_rule *o = c->old != SLOT_NONE ? dp_spd_slot(st->chunk, c->old) : NULL;
		struct dp_spd_rule *nw = c->new != SLOT_NONE ? dp_spd_slot(st->chunk, c->new) : NULL;
		const struct dp_spd_rule *keyr = nw != NULL ? nw : o;
		uint32_t index = keyr->index;

		if (c->bind_only) {
			const struct dp_spd_bind *ob = o->bind;

			__atomic_store_n(&o->bind, nw->bind, __ATOMIC_RELEASE);
			if (ob != &bind_none)
				retire(ret, R_FREE, (void *)(uintptr_t)ob, NULL, 0);
			slot_release(st, c->new);   /* never reachable */
			continue;
		}
		if (o != NULL) {
			if (o->bind != &bind_none)
				retire(ret, R_FREE, (void *)(uintptr_t)o->bind, NULL, 0);
			retire(ret, R_SLOT, NULL, st, c->old);
			st->n--;
			if (o->tier == DP_SPD_TIER_HASH) {
				unsigned int f = o->sel.family == AF_INET ? DP_SPD_V4 : DP_SPD_V6;

				st->n_hash--;
				for (unsigned int d = 0; d < 2; d++)
					if ((o->dir & (d == DP_SPD_OUT ? DP_POLICY_DIR_OUT :
								   DP_POLICY_DIR_IN)) != 0)
						st->plen_count[d][f][o->sel.remote_plen]--;
			}
		}
		if (nw != NULL) {
			st->n++;
			if (nw->tier == DP_SPD_TIER_HASH) {
				unsigned int f = nw->sel.family == AF_INET ? DP_SPD_V4 : DP_SPD_V6;

				st->n_hash++;
				for (unsigned int d = 0; d < 2; d++)
					if ((nw->dir & (d == DP_SPD_OUT ? DP_POLICY_DIR_OUT :
								    DP_POLICY_DIR_IN)) != 0)
						st->plen_count[d][f][nw->sel.remote_plen]++;
			}
		}
		(void)dp_spd_tab_put(st->index, &index, index_hash(index),
			nw != NULL ? (uint64_t)c->new + 1 : 0);
	}
	/* Additions before the view, removals after it: a policy replaced
	 * under another key (or moved between tiers) is seen old, new or both
	 * (the better wins), never neither. */
	kupd_apply(st, pl, ret, false);
	if (pl->acl_changed) {
		for (unsigned int d = 0; d < 2; d++)
			for (unsigned int f = 0; f < 2; f++) {
				if (st->acl[d][f] != NULL)
					retire(ret, R_ACL, st->acl[d][f], NULL, 0);
				st->acl[d][f] = pl->acl[d][f];
			}
		st->acl_entries = pl->acl_entries;
		free(st->acl_ids);
		st->acl_ids = pl->acl_ids;
		st->n_acl = pl->n_acl;
		pl->acl_ids = NULL;
		for (uint32_t i = 0; i < st->n_acl; i++)
			dp_spd_slot(st->chunk, st->acl_ids[i])->ctl = i;
	}
	/* The view. */
	v->generation = ++spd->generation;
	v->chunk = st->chunk;
	v->tab = st->tab;
	v->insa = st->insa;
	memcpy(v->acl, st->acl, sizeof(v->acl));
	for (unsigned int d = 0; d < 2; d++)
		for (unsigned int f = 0; f < 2; f++)
			for (int p = 128; p >= 1; p--)
				if (st->plen_count[d][f][p] != 0)
					v->plen[d][f][v->nplen[d][f]++] = (uint8_t)p;
	if (spd->view != NULL)
		retire(ret, R_FREE, spd->view, NULL, 0);
	__atomic_store_n(&spd->view, v, __ATOMIC_RELEASE);
	kupd_apply(st, pl, ret, true);
	plan_free(pl);
}

/* The limiter's slot for key: its own if present, else the oldest way. */
static struct dp_spd_acq_slot *acq_slot(struct dp_spd_worker *w, uint64_t key)
{
	struct dp_spd_acq_slot *set = w->acq[(key * 0x9e3779b97f4a7c15ull) >> 58];
	struct dp_spd_acq_slot *oldest = &set[0];

	static_assert(DP_SPD_ACQ_SETS == 64, "the set index is the hash's top 6 bits");
	for (unsigned int i = 0; i < DP_SPD_ACQ_WAYS; i++) {
		if (set[i].key == key)
			return &set[i];
		if (set[i].tsc < oldest->tsc)
			oldest = &set[i];
	}
	return oldest;
}

/* Post an ACQUIRE for (policy, flow) unless the limiter holds it back. */
static void acquire(struct dp_spd *spd, unsigned int worker, const struct dp_spd_rule *p,
	const struct dp_flow *f, uint64_t *now)
{
	struct dp_spd_worker *w = &spd->w[worker];
	struct dp_spd_acq_slot *slot;
	uint64_t key = (uint64_t)p->index << 32;
	struct dp_event ev;

	if ((p->flags & DP_POLICY_F_UNIQUE) != 0)
		key |= rte_jhash(f, sizeof(*f), p->index) | 1u;
	slot = acq_slot(w, key);
	if (*now == 0)
		*now = rte_get_tsc_cycles();
	if (slot->key == key && *now - slot->tsc < spd->acq_interval_tsc) {
		dp_counter_add(&w->acquire_suppressed, 1);
		return;
	}
	if (*now - w->window_tsc >= spd->tsc_hz) {
		w->window_tsc = *now;
		w->window_posted = 0;
	}
	if (w->window_posted >= spd->acq_per_s) {
		dp_counter_add(&w->acquire_suppressed, 1);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = DP_EVENT_ACQUIRE;
	ev.worker = (uint16_t)worker;
	ev.policy = p->index;
	ev.flow = *f;
	if (dp_worker_post(spd->ctx, worker, &ev) != 0) {
		/* Ring full: the next packet of the flow tries again. */
		dp_counter_add(&w->acquire_lost, 1);
		return;
	}
	w->window_posted++;
	slot->key = key;
	slot->tsc = *now;
	dp_counter_add(&w->acquire_posted, 1);
}

/* ------------------------------------------------------------------------ */
/* CONTROL. */

static uint64_t ns_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000000000u + (uint64_t)t1.tv_nsec -
	       (uint64_t)t0->tv_nsec;
}

/* Drop the staged changes (their slots go back unused). */
static void stage_drop(struct dp_spd *spd, struct dp_spd_state *st)
{
	for (uint32_t i = 0; i < spd->n_stage; i++) {
		struct dp_spd_stage *s = &spd->stage[i];

		if (!s->del)
			bind_free(dp_spd_slot(st->chunk, s->slot)->bind);
	}
}

/* Forget the staged changes after a commit consumed their slots. */
static void stage_clear(struct dp_spd *spd)
{
	struct dp_spd_tab *t;

	/* After a bulk load the index -> stage table is large and all
	 * tombstones: start a small one (kept when that fails). */
	if (spd->staged->mask >= 4096 && (t = dp_spd_tab_new(sizeof(uint32_t), 0)) != NULL) {
		dp_spd_tab_free(spd->staged);
		spd->staged = t;
		spd->n_stage = 0;
		return;
	}
	for (uint32_t i = 0; i < spd->n_stage; i++) {
		uint32_t index = spd->stage[i].index;

		(void)dp_spd_tab_put(spd->staged, &index, index_hash(index), 0);
	}
	spd->n_stage = 0;
}

struct dp_spd *dp_spd_create(struct dp_ctx *ctx, const struct dp_spd_config *cfg)
{
	struct dp_spd_config c = { 0 };
	struct dp_spd *spd;
	size_t wsize;
	int err = ENOMEM;

	if (ctx == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (cfg != NULL)
		c = *cfg;
	if (c.acquire_interval_ms == 0)
		c.acquire_interval_ms = ACQ_INTERVAL_MS_DEFAULT;
	if (c.acquire_per_s == 0)
		c.acquire_per_s = ACQ_PER_S_DEFAULT;
	spd = calloc(1, sizeof(*spd));
	if (spd == NULL)
		return NULL;
	spd->ctx = ctx;
	spd->workers = ctx->cfg.workers;
	spd->tsc_hz = rte_get_tsc_hz() != 0 ? rte_get_tsc_hz() : 1;
	spd->acq_interval_tsc = spd->tsc_hz / 1000 * c.acquire_interval_ms;
	spd->acq_per_s = c.acquire_per_s;
	wsize = (size_t)spd->workers * sizeof(*spd->w);
	spd->w = aligned_alloc(alignof(struct dp_spd_worker), wsize);
	spd->st = state_new();
	spd->staged = dp_spd_tab_new(sizeof(uint32_t), 0);
	spd->view = calloc(1, sizeof(*spd->view));
	if (spd->w == NULL || spd->st == NULL || spd->staged == NULL || spd->view == NULL)
		goto fail;
	if (pthread_mutex_init(&spd->lock, NULL) != 0)
		goto fail;
	memset(spd->w, 0, wsize);
	spd->view->generation = spd->generation;
	spd->view->chunk = spd->st->chunk;
	return spd;
fail:
	free(spd->view);
	dp_spd_tab_free(spd->staged);
	state_free(spd->st);
	free(spd->w);
	free(spd);
	errno = err;
	return NULL;
}

int dp_spd_reclaim(struct dp_spd *spd)
{
	int freed;

	pthread_mutex_lock(&spd->lock);
	freed = reclaim_locked(spd);
	pthread_mutex_unlock(&spd->lock);
	return freed;
}

void dp_spd_free(struct dp_spd *spd)
{
	struct dp_spd_view *v;

	if (spd == NULL)
		return;
	/* Nothing new can be loaded once view is NULL; one grace period later
	 * no worker holds anything. */
	v = spd->view;
	__atomic_store_n(&spd->view, NULL, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(spd->ctx->qsbr, RTE_QSBR_THRID_INVALID);
	while (spd->ret_head != NULL) {
		struct dp_spd_retired *r = spd->ret_head;

		spd->ret_head = r->next;
		retired_free(r);
	}
	stage_drop(spd, spd->st);
	free(spd->stage);
	dp_spd_tab_free(spd->staged);
	state_free(spd->st);
	free(v);
	pthread_mutex_destroy(&spd->lock);
	free(spd->w);
	free(spd);
}

/* Commit stage[0..n) into st (the current state, or a new one that
 * replaces it).  0 or -errno with nothing applied. */
static int commit_into(struct dp_spd *spd, struct dp_spd_state *st,
	const struct dp_spd_stage *stage, uint32_t n)
{
	struct plan pl;
	struct dp_spd_retired *ret;
	int err;

	err = plan_prepare(spd, st, stage, n, &pl);
	if (err != 0)
		return err;
	ret = pl.ret;
	plan_apply(spd, st, &pl, stage);
	if (st != spd->st) {
		retire(ret, R_STATE, NULL, spd->st, 0);
		spd->st = st;
	}
	retired_queue(spd, ret);
	(void)reclaim_locked(spd);
	return 0;
}

int dp_spd_publish(struct dp_spd *spd, const struct dp_policy *rules, uint32_t n, uint32_t *bad)
{
	struct dp_spd_state *st = NULL, *old;
	struct dp_spd_stage *stage = NULL;
	struct timespec t0;
	uint32_t bad_pos = 0, made = 0;
	int err;

	if (spd == NULL || (rules == NULL && n != 0))
		return -EINVAL;
	if (n > DP_SPD_RULES_MAX)
		return -E2BIG;
	err = rules_check(rules, n, &bad_pos);
	if (err != 0) {
		if (bad != NULL && err != -ENOMEM)
			*bad = bad_pos;
		return err;
	}
	pthread_mutex_lock(&spd->lock);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = -ENOMEM;
	st = state_new();
	stage = calloc((size_t)n + 1, sizeof(*stage)); /* calloc: no "maybe uninitialized" at -O3 */
	if (st == NULL || stage == NULL)
		goto out;
	for (; made < n; made++) {
		const struct dp_spd_bind *b = bind_new(&rules[made]);
		uint32_t id;

		if (b == NULL)
			goto out;
		if (slot_alloc(st, &id) != 0) {
			bind_free(b);
			goto out;
		}
		rule_fill(dp_spd_slot(st->chunk, id), &rules[made], b);
		stage[made] = (struct dp_spd_stage){ .index = rules[made].index, .slot = id };
	}
	old = spd->st;
	err = commit_into(spd, st, stage, n);
	if (err != 0)
		goto out;
	/* The staged changes were against the replaced state (retired, its
	 * memory kept until the grace period ends). */
	stage_drop(spd, old);
	stage_clear(spd);
	spd->n_after = n;
	spd->build_ns = ns_since(&t0);
	st = NULL;
out:
	if (st != NULL) {
		for (uint32_t i = 0; i < made; i++)
			bind_free(dp_spd_slot(st->chunk, stage[i].slot)->bind);
		state_free(st);
	}
	free(stage);
	pthread_mutex_unlock(&spd->lock);
	return err;
}

/* The staged position + 1 of index (0: none) and whether the index is in
 * the set as staged. */
static uint32_t stage_find(const struct dp_spd *spd, uint32_t index, bool *exists)
{
	uint64_t v = dp_spd_tab_find(spd->staged, &index, index_hash(index), sizeof(index));

	if (v != 0)
		*exists = !spd->stage[v - 1].del;
	else
		*exists = index_find(spd->st->index, index) != SLOT_NONE;
	return (uint32_t)v;
}

/* Room for one more staged change.  0 or -ENOMEM.  The index -> stage
 * table grows like the committed ones, a step per staged change. */
static int stage_room(struct dp_spd *spd)
{
	struct dp_spd_tab *fresh, *t;

	if (spd->n_stage == spd->cap_stage) {
		uint32_t cap = spd->cap_stage != 0 ? spd->cap_stage * 2 : 64;
		struct dp_spd_stage *s = realloc(spd->stage, (size_t)cap * sizeof(*s));

		if (s == NULL)
			return -ENOMEM;
		spd->stage = s;
		spd->cap_stage = cap;
	}
	if (dp_spd_tab_prepare(spd->staged, sizeof(uint32_t), 1, &fresh) != 0)
		return -ENOMEM;
	spd->stage_moved = 0;
	t = dp_spd_tab_step(spd->staged, fresh, 1, &spd->stage_moved);
	if (t != spd->staged)
		dp_spd_tab_free(spd->staged); /* CONTROL's alone */
	spd->staged = t;
	return 0;
}

/* Stage s for its index (pos: its staged position + 1, or 0). */
static void stage_put(struct dp_spd *spd, uint32_t pos, const struct dp_spd_stage *s)
{
	uint32_t index = s->index;

	if (pos != 0) {
		struct dp_spd_stage *old = &spd->stage[pos - 1];

		if (!old->del) {
			bind_free(dp_spd_slot(spd->st->chunk, old->slot)->bind);
			slot_release(spd->st, old->slot);
		}
		*old = *s;
		return;
	}
	spd->stage[spd->n_stage++] = *s;
	(void)dp_spd_tab_put(spd->staged, &index, index_hash(index),
		spd->n_stage);
}

int dp_spd_policy_set(struct dp_spd *spd, const struct dp_policy *p)
{
	const struct dp_spd_bind *b = NULL;
	uint32_t pos, id = SLOT_NONE;
	bool exists;
	int err;

	if (spd == NULL || p == NULL || !policy_ok(p))
		return -EINVAL;
	pthread_mutex_lock(&spd->lock);
	pos = stage_find(spd, p->index, &exists);
	err = -E2BIG;
	if (!exists && spd->n_after >= DP_SPD_RULES_MAX)
		goto out;
	err = -ENOMEM;
	b = bind_new(p);
	if (b == NULL || (pos == 0 && stage_room(spd) != 0))
		goto out;
	if ((err = slot_alloc(spd->st, &id)) != 0)
		goto out;
	rule_fill(dp_spd_slot(spd->st->chunk, id), p, b);
	b = NULL;
	stage_put(spd, pos, &(struct dp_spd_stage){ .index = p->index, .slot = id });
	spd->n_after += !exists;
	err = 0;
out:
	bind_free(b);
	pthread_mutex_unlock(&spd->lock);
	return err;
}

int dp_spd_policy_del(struct dp_spd *spd, uint32_t index)
{
	uint32_t pos;
	bool exists;
	int err = -ENOENT;

	if (spd == NULL)
		return -EINVAL;
	pthread_mutex_lock(&spd->lock);
	pos = stage_find(spd, index, &exists);
	if (!exists)
		goto out;
	if (pos == 0 && (err = stage_room(spd)) != 0)
		goto out;
	stage_put(spd, pos, &(struct dp_spd_stage){ .index = index, .slot = SLOT_NONE,
		.del = true });
	spd->n_after--;
	err = 0;
out:
	pthread_mutex_unlock(&spd->lock);
	return err;
}

int dp_spd_commit(struct dp_spd *spd)
{
	struct timespec t0;
	int err = 0;

	if (spd == NULL)
		return -EINVAL;
	pthread_mutex_lock(&spd->lock);
	if (spd->n_stage != 0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		err = commit_into(spd, spd->st, spd->stage, spd->n_stage);
		if (err == 0) {
			stage_clear(spd);
			spd->commits++;
			spd->commit_ns = ns_since(&t0);
		}
	}
	pthread_mutex_unlock(&spd->lock);
	return err;
}

void dp_spd_get_stats(const struct dp_spd *spd, struct dp_spd_stats *st)
{
	/* The lock serialises with CONTROL; the SPD is not otherwise changed. */
	pthread_mutex_t *lock = (pthread_mutex_t *)(uintptr_t)&spd->lock;
	const struct dp_spd_state *s;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(lock);
	/* Read under the lock: a publish swaps and may free the old state,
	 * and the caller (telemetry) is not an RCU reader. */
	s = spd->st;
	st->generation = spd->generation;
	st->rules = s->n;
	st->acl_rules = s->acl_entries;
	st->build_ns = spd->build_ns;
	st->hash_rules = s->n_hash;
	for (unsigned int d = 0; d < 2; d++)
		for (unsigned int f = 0; f < 2; f++)
			for (unsigned int p = 1; p <= 128; p++)
				st->hash_plens += s->plen_count[d][f][p] != 0;
	st->commits = spd->commits;
	st->commit_ns = spd->commit_ns;
	st->acl_builds = spd->acl_builds;
	st->staged = spd->n_stage;
	pthread_mutex_unlock(lock);
	for (unsigned int i = 0; i < spd->workers; i++) {
		const struct dp_spd_worker *w = &spd->w[i];

		st->lookups += dp_counter_read(&w->lookups);
		st->acquire_posted += dp_counter_read(&w->acquire_posted);
		st->acquire_suppressed += dp_counter_read(&w->acquire_suppressed);
		st->acquire_lost += dp_counter_read(&w->acquire_lost);
		st->mismatches += dp_counter_read(&w->mismatches);
	}
}

int dp_spd_policy_next(struct dp_spd *spd, uint32_t *pos, struct dp_policy *p)
{
	const struct dp_spd_state *st;
	int err = -ENOENT;

	pthread_mutex_lock(&spd->lock);
	st = spd->st;
	/* A slot holds a committed rule when the index map points at it. */
	for (uint32_t id = *pos; id < st->hwm; id++) {
		const struct dp_spd_rule *r = dp_spd_slot(st->chunk, id);
		const struct dp_spd_bind *b = r->bind;

		if (index_find(st->index, r->index) != id)
			continue;
		dp_policy_init(p);
		p->index = r->index;
		p->priority = r->priority;
		p->dir = r->dir;
		p->action = r->action;
		p->flags = r->flags;
		p->sel = r->sel;
		p->n_out = b->n_out;
		p->n_in = b->n_in;
		memcpy(p->out, b->out, sizeof(p->out));
		memcpy(p->in, b->in, sizeof(p->in));
		*pos = id;
		err = 0;
		break;
	}
	pthread_mutex_unlock(&spd->lock);
	return err;
}

/* ------------------------------------------------------------------------ */
/* WORKER. */

/* Is rule `id` a better match than *best (slot + 1, 0 = none)? */
static bool better(const struct dp_spd_view *v, uint32_t id, uint32_t best)
{
	return best == 0 ||
	       rule_before(dp_spd_slot(v->chunk, id), dp_spd_slot(v->chunk, best - 1));
}

/* Only an outbound PROTECT verdict reads the binding (a separate
 * allocation per rule: a miss at scale): prefetched when a rule becomes a
 * flow's best (once per run of flows in the hash tier), not per packet. */
static inline void bind_prefetch(const struct dp_spd_rule *r, unsigned int d)
{
	if (d == DP_SPD_OUT && r->action == DP_POLICY_PROTECT)
		rte_prefetch0(__atomic_load_n(&r->bind, __ATOMIC_RELAXED));
}

/* A hash tier rule ready for hash_match(): built once per run of flows
 * that found the same single-rule value. */
struct hrule {
	const struct dp_spd_rule *r;
	uint32_t id;
	bool ports_any;         /* every port, ICMP type and code */
	uint64_t lm[2];         /* local prefix mask */
	uint64_t lw[2];         /* the rule's local prefix, masked */
};

static inline void hrule_init(struct hrule *hr, const struct dp_spd_view *v, uint32_t id)
{
	const struct dp_selector *s;

	hr->id = id;
	hr->r = dp_spd_slot(v->chunk, id);
	s = &hr->r->sel;
	plen_mask(s->local_plen, hr->lm);
	hr->lw[0] = dp_spd_ld64(s->local) & hr->lm[0];
	hr->lw[1] = dp_spd_ld64(s->local + 8) & hr->lm[1];
	hr->ports_any = s->lport_min == 0 && s->lport_max == UINT16_MAX && s->rport_min == 0 &&
			s->rport_max == UINT16_MAX && s->icmp_type_min == 0 &&
			s->icmp_type_max == UINT8_MAX && s->icmp_code_min == 0 &&
			s->icmp_code_max == UINT8_MAX;
}

/* hash_match() of the rule of hr for flow f of family fam; local: the
 * offset of f's local address in struct dp_flow (src outbound, dst
 * inbound). */
static inline bool hrule_match(const struct hrule *hr, unsigned int fam, bool out, size_t local,
	const struct dp_flow *f)
{
	const struct dp_selector *s = &hr->r->sel;
	const uint8_t *l = (const uint8_t *)f + local;
	uint64_t diff = (dp_spd_ld64(l) & hr->lm[0]) ^ hr->lw[0];

	if (s->proto != 0 && s->proto != f->proto)
		return false;
	/* An IPv4 prefix (<= 32) has no bits in the second word. */
	if (fam == DP_SPD_V6)
		diff |= (dp_spd_ld64(l + 8) & hr->lm[1]) ^ hr->lw[1];
	if (diff != 0)
		return false;
	return hr->ports_any || ports_match(s, out, f);
}

/* Improve *best with the rules of hash tier chain c that match f (f's
 * remote address is under the chain's key). */
static void chain_best(const struct dp_spd_view *v, const struct dp_spd_chain *c, bool out,
	const struct dp_flow *f, uint32_t *best)
{
	/* In match order: the first that matches is the chain's best. */
	for (uint32_t i = 0; i < c->n; i++) {
		uint32_t id = c->slot[i];

		if (!better(v, id, *best))
			return;
		if (hash_match(&dp_spd_slot(v->chunk, id)->sel, out, f)) {
			*best = id + 1;
			bind_prefetch(dp_spd_slot(v->chunk, id), out ? DP_SPD_OUT : DP_SPD_IN);
			return;
		}
	}
}

/* Runs of one (family, prefix length): flows ix[start[k]..start[k + 1])
 * share key k (words a0[k], a1[k], hash h[k]) and its value val[k]. */
struct runs {
	uint64_t a0[SPD_BURST], a1[SPD_BURST], val[SPD_BURST];
	uint32_t h[SPD_BURST];
	uint8_t start[SPD_BURST + 1];
};

/* Flow j of the family's list (remote address at a) into rs: a new run,
 * hashed and its table entry prefetched, unless its key is the previous
 * flow's (*p0, *p1). */
static inline void runs_add(struct runs *rs, unsigned int *nr, uint64_t *p0, uint64_t *p1,
	const struct dp_spd_tab *t, uint32_t hdr, unsigned int f, const uint64_t mask[2],
	const uint8_t *a, unsigned int j)
{
	uint64_t w0, w1;
	uint32_t h;

	addr_words(f, a, mask, &w0, &w1);
	if (j != 0 && w0 == *p0 && w1 == *p1)
		return;
	*p0 = w0;
	*p1 = w1;
	h = dp_spd_hkey_hash(hdr, w0, w1);
	rte_prefetch0(&t->e[h & t->mask]);
	rs->a0[*nr] = w0;
	rs->a1[*nr] = w1;
	rs->h[*nr] = h;
	rs->start[(*nr)++] = (uint8_t)j;
}

/* hash_tier() for the flows of family f (a constant at each call: the
 * IPv4 instance drops the second address word). */
static __rte_always_inline void hash_family(const struct dp_spd_view *v, unsigned int d,
	unsigned int f, const struct dp_flow *flows, unsigned int n, uint32_t *best)
{
	static const uint8_t fams[2] = { [DP_SPD_V4] = AF_INET, [DP_SPD_V6] = AF_INET6 };
	const struct dp_spd_tab *t = v->tab;
	bool out = d == DP_SPD_OUT;
	/* Offsets of the remote and local addresses in a flow. */
	size_t roff = out ? offsetof(struct dp_flow, dst) : offsetof(struct dp_flow, src);
	size_t loff = out ? offsetof(struct dp_flow, src) : offsetof(struct dp_flow, dst);
	struct runs rs;
	uint8_t ix[SPD_BURST];
	unsigned int m = 0;

	for (unsigned int p = 0; p < v->nplen[d][f]; p++) {
		unsigned int plen = v->plen[d][f][p], nr = 0;
		uint32_t hdr = dp_spd_hkey_hdr(d, f, plen);
		uint64_t mask[2], p0 = 0, p1 = 0;

		plen_mask(plen, mask);
		if (p == 0) {
			/* The family's flows in burst order, listed in the same
			 * pass (others match no hash tier rule). */
			for (unsigned int i = 0; i < n; i++) {
				if (flows[i].family != fams[f])
					continue;
				ix[m] = (uint8_t)i;
				runs_add(&rs, &nr, &p0, &p1, t, hdr, f, mask,
					(const uint8_t *)&flows[i] + roff, m++);
			}
			if (m == 0)
				return;
		} else {
			for (unsigned int j = 0; j < m; j++)
				runs_add(&rs, &nr, &p0, &p1, t, hdr, f, mask,
					(const uint8_t *)&flows[ix[j]] + roff, j);
		}
		rs.start[nr] = (uint8_t)m;
		/* Values first, prefetching the rules they name, then the
		 * rules: at a million rules each is a cache miss. */
		for (unsigned int k = 0; k < nr; k++) {
			uint64_t val = dp_spd_tab_find_hkey(t, rs.h[k], hdr, rs.a0[k], rs.a1[k]);

			rs.val[k] = val;
			if (val & 1)
				rte_prefetch0(dp_spd_slot(v->chunk, (uint32_t)(val >> 1)));
		}
		for (unsigned int k = 0; k < nr; k++) {
			uint64_t val = rs.val[k];
			struct hrule hr;

			if (val == 0)
				continue;
			if ((val & 1) == 0) {
				const struct dp_spd_chain *c;

				c = (const struct dp_spd_chain *)(uintptr_t)val;

				for (unsigned int j = rs.start[k]; j < rs.start[k + 1]; j++)
					chain_best(v, c, out, &flows[ix[j]], &best[ix[j]]);
				continue;
			}
			hrule_init(&hr, v, (uint32_t)(val >> 1));
			bind_prefetch(hr.r, d);
			/* The first prefix length probed, and the hash tier runs
			 * before the ACL tier: best[] is still all zero here, so
			 * there is nothing to beat (keep that order). */
			for (unsigned int j = rs.start[k]; j < rs.start[k + 1]; j++) {
				uint32_t *bj = &best[ix[j]];

				if ((p == 0 || better(v, hr.id, *bj)) &&
				    hrule_match(&hr, f, out, loff, &flows[ix[j]]))
					*bj = hr.id + 1;
			}
		}
	}
}

/* Hash tier: best[i] (slot + 1) of n <= SPD_BURST flows in context d.
 *
 * One probe per run of flows (of a family, in burst order) whose remote
 * addresses give the same key at a prefix length: the common burst goes to
 * one remote host or network, and takes one hash and one probe.  Keys are
 * built and hashed in registers.  A run that found one rule resolves its
 * slot and local mask once; each flow's selector is still checked on its
 * own. */
static void hash_tier(const struct dp_spd_view *v, unsigned int d, const struct dp_flow *flows,
	unsigned int n, uint32_t *best)
{
	if (v->nplen[d][DP_SPD_V4] != 0)
		hash_family(v, d, DP_SPD_V4, flows, n, best);
	if (v->nplen[d][DP_SPD_V6] != 0)
		hash_family(v, d, DP_SPD_V6, flows, n, best);
}

/* A result as three words in memory order (the header, sa[0], sa[1]), made
 * in registers once per run of flows with the same rule and stored per
 * flow.  A result struct assembled field by field and then copied was
 * compiled into narrow stores and a wide reload (a store-forwarding stall
 * per run, and before that per packet). */
struct rwords {
	uint64_t w0, w1, w2;
};

static_assert(sizeof(struct dp_spd_result) == 24 && offsetof(struct dp_spd_result, policy) == 0 &&
	offsetof(struct dp_spd_result, verdict) == 4 && offsetof(struct dp_spd_result, drop) == 5 &&
	offsetof(struct dp_spd_result, n_sa) == 6 && offsetof(struct dp_spd_result, sa) == 8 &&
	sizeof(((struct dp_spd_result *)0)->sa) == 16, "result words");

/* The header word: policy, verdict, drop, n_sa, reserved 0. */
static inline uint64_t res_head(uint32_t policy, uint8_t verdict, uint8_t drop, uint8_t n_sa)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return policy | (uint64_t)verdict << 32 | (uint64_t)drop << 40 | (uint64_t)n_sa << 48;
#else
	return (uint64_t)policy << 32 | (uint64_t)verdict << 24 | (uint64_t)drop << 16 |
	       (uint64_t)n_sa << 8;
#endif
}

static inline void res_store(struct dp_spd_result *r, const struct rwords *w)
{
	uint8_t *p = (uint8_t *)r;

	memcpy(p, &w->w0, 8);
	memcpy(p + 8, &w->w1, 8);
	memcpy(p + 16, &w->w2, 8);
}

/* The verdict of rule r for a packet in context d as result words; the
 * SAs only for PROTECT. */
static inline uint8_t result_fill(struct rwords *w, const struct dp_spd_rule *r, unsigned int d)
{
	const struct dp_spd_bind *b;

	w->w1 = 0;
	w->w2 = 0;
	switch (r->action) {
	case DP_POLICY_BYPASS:
		w->w0 = res_head(r->index, DP_SPD_BYPASS, 0, 0);
		return DP_SPD_BYPASS;
	case DP_POLICY_DISCARD:
		w->w0 = res_head(r->index, DP_SPD_DROP, DP_DROP_POLICY_DISCARD, 0);
		return DP_SPD_DROP;
	default:
		break;
	}
	if (d == DP_SPD_IN) {
		/* Plain traffic a PROTECT policy wants protected. */
		w->w0 = res_head(r->index, DP_SPD_DROP, DP_DROP_POLICY_MISMATCH, 0);
		return DP_SPD_DROP;
	}
	b = __atomic_load_n(&r->bind, __ATOMIC_ACQUIRE);
	if (b->n_out == 0) {
		w->w0 = res_head(r->index, DP_SPD_ACQUIRE, 0, 0);
		return DP_SPD_ACQUIRE;
	}
	static_assert(DP_POLICY_OUT_SA_MAX == 2, "a bundle is sa[0], sa[1]");
	w->w0 = res_head(r->index, DP_SPD_PROTECT, 0, b->n_out);
	w->w1 = b->out[0];
	w->w2 = b->out[1];
	return DP_SPD_PROTECT;
}

void dp_spd_lookup(struct dp_spd *spd, unsigned int worker, uint8_t dir,
	const struct dp_flow *flows, unsigned int n, struct dp_spd_result *res)
{
	const struct dp_spd_view *v = __atomic_load_n(&spd->view, __ATOMIC_ACQUIRE);
	unsigned int d = dir == DP_POLICY_DIR_OUT ? DP_SPD_OUT : DP_SPD_IN;
	bool hash = v->nplen[d][DP_SPD_V4] != 0 || v->nplen[d][DP_SPD_V6] != 0;
	bool acl = v->acl[d][DP_SPD_V4] != NULL || v->acl[d][DP_SPD_V6] != NULL;
	uint32_t best[SPD_BURST], ud[SPD_BURST];
	/* The rule of best[i] and its result, kept over a run. */
	const struct dp_spd_rule *rule = NULL;
	const struct rwords none = { res_head(DP_POLICY_INDEX_NONE, DP_SPD_DROP, DP_DROP_NO_POLICY,
		0), 0, 0 };
	struct rwords rw = none;
	uint8_t verdict = DP_SPD_DROP;
	uint64_t now = 0;

	for (unsigned int off = 0; off < n; off += SPD_BURST) {
		unsigned int m = n - off < SPD_BURST ? n - off : SPD_BURST;

		memset(best, 0, m * sizeof(best[0]));
		if (hash)
			hash_tier(v, d, flows + off, m, best);
		if (acl) {
			dp_spd_acl_classify(v->acl[d], flows + off, m, ud);
			for (unsigned int i = 0; i < m; i++)
				if (ud[i] != 0 && better(v, ud[i] - 1, best[i])) {
					best[i] = ud[i];
					bind_prefetch(dp_spd_slot(v->chunk, ud[i] - 1), d);
				}
		}
		/* A run of flows with the same rule gets the same result. */
		for (unsigned int i = 0, prev = 0; i < m; prev = best[i++]) {
			if (best[i] == 0) {
				res_store(&res[off + i], &none);
				continue;
			}
			if (best[i] != prev) {
				rule = dp_spd_slot(v->chunk, best[i] - 1);
				verdict = result_fill(&rw, rule, d);
			}
			res_store(&res[off + i], &rw);
			if (verdict == DP_SPD_ACQUIRE)
				acquire(spd, worker, rule, &flows[off + i], &now);
		}
	}
	dp_counter_add(&spd->w[worker].lookups, n);
}

/* Does flow f match the rule or chain val (a value of v->insa; 0: none)? */
static bool inbound_ok(const struct dp_spd_view *v, uint64_t val, const struct dp_flow *f)
{
	const struct dp_spd_chain *c;

	if (val == 0)
		return false;
	if (val & 1)
		return sel_match(&dp_spd_slot(v->chunk, (uint32_t)(val >> 1))->sel, false, f);
	c = (const struct dp_spd_chain *)(uintptr_t)val;
	for (uint32_t i = 0; i < c->n; i++)
		if (sel_match(&dp_spd_slot(v->chunk, c->slot[i])->sel, false, f))
			return true;
	return false;
}

/* The v->insa values of up to SPD_BURST SAs in stages: hash every key and
 * prefetch its table entry, then read the values and prefetch the rules
 * they name (or the chain), so that at scale (a miss to memory each) the
 * burst's misses overlap instead of following one another per packet.  A
 * run of one SA is looked up once. */
static void inbound_vals(const struct dp_spd_view *v, const dp_sa_handle_t *sa, unsigned int n,
	uint64_t *val)
{
	const struct dp_spd_tab *t = v->insa;
	uint32_t h[SPD_BURST];

	for (unsigned int i = 0; i < n; i++) {
		uint8_t key[SA_KEY_LEN];

		if (i != 0 && sa[i] == sa[i - 1]) {
			h[i] = 0; /* dp_spd_key_hash() is never 0 */
			continue;
		}
		sa_key(key, sa[i]);
		h[i] = dp_spd_key_hash(key, SA_KEY_LEN);
		rte_prefetch0(&t->e[h[i] & t->mask]);
	}
	for (unsigned int i = 0; i < n; i++) {
		uint8_t key[SA_KEY_LEN];

		if (h[i] == 0) {
			val[i] = val[i - 1];
			continue;
		}
		sa_key(key, sa[i]);
		val[i] = dp_spd_tab_find(t, key, h[i], SA_KEY_LEN);
		if (val[i] & 1)
			rte_prefetch0(&dp_spd_slot(v->chunk, (uint32_t)(val[i] >> 1))->sel);
		else if (val[i] != 0)
			rte_prefetch0((const void *)(uintptr_t)val[i]);
	}
}

unsigned int dp_spd_check_inbound(struct dp_spd *spd, unsigned int worker,
	const dp_sa_handle_t *sa, const struct dp_flow *flows, unsigned int n, uint8_t *drop)
{
	const struct dp_spd_view *v = __atomic_load_n(&spd->view, __ATOMIC_ACQUIRE);
	uint64_t val[SPD_BURST];
	unsigned int passed = 0;

	for (unsigned int off = 0; off < n; off += SPD_BURST) {
		unsigned int m = n - off < SPD_BURST ? n - off : SPD_BURST;

		if (v->insa != NULL)
			inbound_vals(v, sa + off, m, val);
		else
			memset(val, 0, m * sizeof(val[0]));
		for (unsigned int i = 0; i < m; i++) {
			bool ok = inbound_ok(v, val[i], &flows[off + i]);

			drop[off + i] = ok ? DP_DROP_NONE : DP_DROP_POLICY_MISMATCH;
			passed += ok;
		}
	}
	if (passed != n)
		dp_counter_add(&spd->w[worker].mismatches, n - passed);
	return passed;
}
