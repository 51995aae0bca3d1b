/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_spd.c: the policy store (see ctl_spd.h).
 *
 * Scale (a million rules): every change is O(1) or O(log n), never a walk
 * or a memmove of the store.
 * - by index: a chained hash (get), and an array in index order with
 *   holes for deleted rules (dump cursors), compacted when half are holes;
 *   indices only grow, so an add appends;
 * - duplicates: a chained hash on direction, priority and selectors;
 * - match order: a treap of the distinct priorities, each naming its run
 *   of rules in one list in match order; a new rule has the largest index
 *   so it ends its priority's run.
 */
#include "ctl_spd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ctl_hash.h"
#include "ctl_ihash.h"
#include "dpsec/pfkey.h"

struct spd_prio;

struct spd_node {
	struct ctl_spd_rule rule;        /* first: a rule pointer is a node */
	struct spd_node *next, *prev;    /* match order */
	struct ctl_hlink ilink;          /* index hash chain */
	struct ctl_hlink dlink;          /* duplicate hash chain */
	struct spd_prio *prio;
	uint32_t dhash;
};

/* One distinct priority: a treap node (key prio, heap on weight). */
struct spd_prio {
	uint32_t prio, weight;
	struct spd_prio *left, *right;
	struct spd_node *first, *last;   /* its run in the match-order list */
};

struct spd_slot {
	uint32_t index;
	struct spd_node *node;           /* NULL: deleted */
};

struct ctl_spd {
	struct ctl_ihash ihash, dhash;   /* grow incrementally (ctl_ihash.h) */
	struct spd_slot *by_index;       /* ascending index, with holes */
	uint32_t nslots, slot_cap, holes;
	struct spd_prio *root;
	struct spd_node *head, *tail;    /* match order */
	uint32_t n;
	uint32_t next_index;
	uint32_t max;
	uint64_t version;
	uint32_t rng;
};

static uint32_t bytes_hash(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		h = h * 0x100000001b3ull ^ b[i];
	return (uint32_t)ctl_hash_mix(h);
}

static uint32_t index_hash(uint32_t index)
{
	return (uint32_t)ctl_hash_mix(index);
}

/* Hash of what makes two rules the same (same_rule()). */
static uint32_t dup_hash(const struct ctl_spd_rule *r)
{
	uint64_t h = ((uint64_t)r->pol.sadb_x_pol_dir << 32) ^ r->pol.sadb_x_pol_priority;
	uint32_t x = bytes_hash(h, &r->sel, sizeof(r->sel));

	if (r->has_inner)
		x = bytes_hash(x, &r->inner, sizeof(r->inner));
	return x;
}

static uint32_t ilink_hash(const struct ctl_hlink *l)
{
	return index_hash(CTL_HLINK_OWNER(l, struct spd_node, ilink)->rule.pol.sadb_x_pol_index);
}

static uint32_t dlink_hash(const struct ctl_hlink *l)
{
	return CTL_HLINK_OWNER(l, struct spd_node, dlink)->dhash;
}

static struct spd_node *node_of(const struct ctl_spd_rule *r)
{
	return (struct spd_node *)(void *)(uintptr_t)r;
}

struct ctl_spd *ctl_spd_new(uint32_t max)
{
	struct ctl_spd *spd = calloc(1, sizeof(*spd));

	if (spd == NULL)
		return NULL;
	spd->next_index = 1;
	spd->max = max == 0 || max > CTL_SPD_MAX ? CTL_SPD_MAX : max;
	spd->rng = 0x9e3779b9u;
	if (ctl_ihash_init(&spd->ihash, 256, ilink_hash) != 0 ||
	    ctl_ihash_init(&spd->dhash, 256, dlink_hash) != 0) {
		ctl_ihash_fini(&spd->ihash);
		ctl_ihash_fini(&spd->dhash);
		free(spd);
		return NULL;
	}
	return spd;
}

static void prio_free(struct spd_prio *p)
{
	while (p != NULL) {
		struct spd_prio *r = p->right;

		prio_free(p->left);
		free(p);
		p = r;
	}
}

void ctl_spd_flush(struct ctl_spd *spd)
{
	struct spd_node *n = spd->head, *next;

	for (; n != NULL; n = next) {
		next = n->next;
		free(n);
	}
	prio_free(spd->root);
	spd->root = NULL;
	spd->head = spd->tail = NULL;
	ctl_ihash_clear(&spd->ihash);
	ctl_ihash_clear(&spd->dhash);
	spd->nslots = spd->holes = 0;
	spd->n = 0;
	spd->version++;
}

void ctl_spd_free(struct ctl_spd *spd)
{
	if (spd == NULL)
		return;
	ctl_spd_flush(spd);
	ctl_ihash_fini(&spd->ihash);
	ctl_ihash_fini(&spd->dhash);
	free(spd->by_index);
	free(spd);
}

int ctl_spd_rule_from_msg(const struct pfk_msg *m, struct ctl_spd_rule *out, uint16_t *diag)
{
	const struct sadb_x_dpsec_sareq *r;

	memset(out, 0, sizeof(*out));
	if (m->policy == NULL || m->selector == NULL) {
		*diag = m->policy == NULL ? SADB_X_DIAGNOSTIC_DPSEC_MISSING_POLICY :
					    SADB_X_DIAGNOSTIC_DPSEC_MISSING_SELECTOR;
		return -EINVAL;
	}
	out->pol = *m->policy;
	out->pol.sadb_x_pol_index = 0;
	out->sel = *m->selector;
	if (m->inner_selector != NULL) {
		out->inner = *m->inner_selector;
		out->has_inner = true;
	}
	for (r = pfk_next_sareq(m, NULL); r != NULL; r = pfk_next_sareq(m, r)) {
		if (out->nsareq == CTL_SPD_SAREQ_MAX) {
			*diag = SADB_X_DIAGNOSTIC_DPSEC_DUPLICATE_EXT;
			return -EINVAL;
		}
		out->sareq[out->nsareq++] = *r;
	}
	if (m->src != NULL && m->dst != NULL) {
		size_t ls = (size_t)m->src->sadb_address_len * 8;
		size_t ld = (size_t)m->dst->sadb_address_len * 8;

		if (ls + ld > sizeof(out->endpoints)) {
			*diag = SADB_X_DIAGNOSTIC_MALFORMED_SRC;
			return -EINVAL;
		}
		memcpy(out->endpoints, m->src, ls);
		memcpy(out->endpoints + ls, m->dst, ld);
		out->endpoints_len = ls + ld;
	}
	return 0;
}

static bool same_rule(const struct ctl_spd_rule *a, const struct ctl_spd_rule *b)
{
	return a->pol.sadb_x_pol_dir == b->pol.sadb_x_pol_dir &&
	       a->pol.sadb_x_pol_priority == b->pol.sadb_x_pol_priority &&
	       memcmp(&a->sel, &b->sel, sizeof(a->sel)) == 0 && a->has_inner == b->has_inner &&
	       (!a->has_inner || memcmp(&a->inner, &b->inner, sizeof(a->inner)) == 0);
}

/* ---- priority treap ---- */

static struct spd_prio *rotate_right(struct spd_prio *p)
{
	struct spd_prio *l = p->left;

	p->left = l->right;
	l->right = p;
	return l;
}

static struct spd_prio *rotate_left(struct spd_prio *p)
{
	struct spd_prio *r = p->right;

	p->right = r->left;
	r->left = p;
	return r;
}

static struct spd_prio *prio_insert(struct spd_prio *t, struct spd_prio *p)
{
	if (t == NULL)
		return p;
	if (p->prio < t->prio) {
		t->left = prio_insert(t->left, p);
		if (t->left->weight > t->weight)
			t = rotate_right(t);
	} else {
		t->right = prio_insert(t->right, p);
		if (t->right->weight > t->weight)
			t = rotate_left(t);
	}
	return t;
}

static struct spd_prio *prio_remove(struct spd_prio *t, uint32_t prio)
{
	if (t == NULL)
		return NULL;
	if (prio < t->prio) {
		t->left = prio_remove(t->left, prio);
	} else if (prio > t->prio) {
		t->right = prio_remove(t->right, prio);
	} else if (t->left == NULL || t->right == NULL) {
		return t->left != NULL ? t->left : t->right; /* the caller frees t */
	} else if (t->left->weight > t->right->weight) {
		t = rotate_right(t);
		t->right = prio_remove(t->right, prio);
	} else {
		t = rotate_left(t);
		t->left = prio_remove(t->left, prio);
	}
	return t;
}

/* The node of prio, and the greatest priority below it (or NULL). */
static struct spd_prio *prio_find(const struct ctl_spd *spd, uint32_t prio,
	struct spd_prio **below)
{
	struct spd_prio *t = spd->root;

	*below = NULL;
	while (t != NULL && t->prio != prio) {
		if (prio < t->prio) {
			t = t->left;
		} else {
			*below = t;
			t = t->right;
		}
	}
	return t;
}

/* ---- hashes and index array ---- */

static void compact_slots(struct ctl_spd *spd)
{
	uint32_t w = 0;

	for (uint32_t i = 0; i < spd->nslots; i++) {
		if (spd->by_index[i].node != NULL)
			spd->by_index[w++] = spd->by_index[i];
	}
	spd->nslots = w;
	spd->holes = 0;
}

static int reserve_slot(struct ctl_spd *spd)
{
	uint32_t cap;
	struct spd_slot *s;

	if (spd->nslots < spd->slot_cap)
		return 0;
	if (spd->holes > spd->nslots / 4) {
		compact_slots(spd);
		return 0;
	}
	cap = spd->slot_cap ? spd->slot_cap * 2 : 64;
	s = realloc(spd->by_index, cap * sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	spd->by_index = s;
	spd->slot_cap = cap;
	return 0;
}

/* Binary search in by_index: position of index, or of the first greater. */
static uint32_t index_pos(const struct ctl_spd *spd, uint32_t index)
{
	uint32_t lo = 0, hi = spd->nslots;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (spd->by_index[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int ctl_spd_add(struct ctl_spd *spd, struct ctl_spd_rule *rule, uint16_t *diag)
{
	uint32_t dh = dup_hash(rule);
	struct spd_prio *p, *below;
	struct spd_node *n, *after;

	for (const struct ctl_hlink *l = ctl_ihash_chain(&spd->dhash, dh); l != NULL; l = l->next) {
		n = CTL_HLINK_OWNER(l, struct spd_node, dlink);
		if (n->dhash == dh && same_rule(&n->rule, rule)) {
			*diag = SADB_X_DIAGNOSTIC_DPSEC_POLICY_EXISTS;
			return -EEXIST;
		}
	}
	if (spd->n >= spd->max || spd->next_index == UINT32_MAX) {
		*diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		return -ENOSPC;
	}
	if (ctl_ihash_reserve(&spd->ihash) != 0 || ctl_ihash_reserve(&spd->dhash) != 0 ||
	    reserve_slot(spd) != 0)
		goto nomem;
	p = prio_find(spd, rule->pol.sadb_x_pol_priority, &below);
	if (p == NULL) {
		p = calloc(1, sizeof(*p));
		if (p == NULL)
			goto nomem;
		spd->rng ^= spd->rng << 13;
		spd->rng ^= spd->rng >> 17;
		spd->rng ^= spd->rng << 5;
		p->prio = rule->pol.sadb_x_pol_priority;
		p->weight = spd->rng;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		if (p->first == NULL)
			free(p);
		goto nomem;
	}
	rule->pol.sadb_x_pol_index = spd->next_index++;
	n->rule = *rule;
	n->dhash = dh;
	n->prio = p;
	/* Match order: last of its priority's run, or after the run below. */
	if (p->first == NULL) {
		spd->root = prio_insert(spd->root, p);
		after = below != NULL ? below->last : NULL;
		p->first = n;
	} else {
		after = p->last;
	}
	p->last = n;
	n->prev = after;
	n->next = after != NULL ? after->next : spd->head;
	if (n->next != NULL)
		n->next->prev = n;
	else
		spd->tail = n;
	if (after != NULL)
		after->next = n;
	else
		spd->head = n;
	ctl_ihash_insert(&spd->ihash, &n->ilink, index_hash(rule->pol.sadb_x_pol_index));
	ctl_ihash_insert(&spd->dhash, &n->dlink, dh);
	spd->by_index[spd->nslots++] = (struct spd_slot){ rule->pol.sadb_x_pol_index, n };
	spd->n++;
	spd->version++;
	return 0;
nomem:
	*diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
	return -ENOMEM;
}

const struct ctl_spd_rule *ctl_spd_get(const struct ctl_spd *spd, uint32_t index)
{
	const struct ctl_hlink *l = ctl_ihash_chain(&spd->ihash, index_hash(index));

	for (; l != NULL; l = l->next) {
		const struct spd_node *n = CTL_HLINK_OWNER(l, struct spd_node, ilink);

		if (n->rule.pol.sadb_x_pol_index == index)
			return &n->rule;
	}
	return NULL;
}

int ctl_spd_delete(struct ctl_spd *spd, uint32_t index, struct ctl_spd_rule *out)
{
	const struct ctl_spd_rule *r = ctl_spd_get(spd, index);
	struct spd_node *n;
	struct spd_prio *p;
	uint32_t pos;

	if (r == NULL)
		return -ENOENT;
	n = node_of(r);
	p = n->prio;
	(void)ctl_ihash_remove(&spd->ihash, &n->ilink, index_hash(index));
	(void)ctl_ihash_remove(&spd->dhash, &n->dlink, n->dhash);
	pos = index_pos(spd, index);
	spd->by_index[pos].node = NULL;
	spd->holes++;
	if (p->first == n && p->last == n) {
		spd->root = prio_remove(spd->root, p->prio);
		free(p);
	} else if (p->first == n) {
		p->first = n->next;
	} else if (p->last == n) {
		p->last = n->prev;
	}
	if (n->prev != NULL)
		n->prev->next = n->next;
	else
		spd->head = n->next;
	if (n->next != NULL)
		n->next->prev = n->prev;
	else
		spd->tail = n->prev;
	spd->n--;
	spd->version++;
	if (out != NULL)
		*out = n->rule;
	free(n);
	if (spd->holes > 64 && spd->holes > spd->nslots / 2)
		compact_slots(spd);
	return 0;
}

const struct ctl_spd_rule *ctl_spd_first(const struct ctl_spd *spd)
{
	return spd->head != NULL ? &spd->head->rule : NULL;
}

const struct ctl_spd_rule *ctl_spd_next(const struct ctl_spd *spd, const struct ctl_spd_rule *r)
{
	const struct spd_node *n = node_of(r)->next;

	(void)spd;
	return n != NULL ? &n->rule : NULL;
}

const struct ctl_spd_rule *ctl_spd_next_by_index(const struct ctl_spd *spd, uint32_t after)
{
	for (uint32_t pos = index_pos(spd, after + 1); pos < spd->nslots; pos++) {
		if (spd->by_index[pos].node != NULL)
			return &spd->by_index[pos].node->rule;
	}
	return NULL;
}

uint32_t ctl_spd_count(const struct ctl_spd *spd)
{
	return spd->n;
}

uint64_t ctl_spd_version(const struct ctl_spd *spd)
{
	return spd->version;
}
static bool prefix_match(const uint8_t *want, const uint8_t *have, unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;

	if (memcmp(want, have, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((want[bytes] ^ have[bytes]) & (uint8_t)(0xff00u >> rest)) == 0;
}

bool ctl_spd_selector_match(const struct sadb_x_dpsec_selector *s, const struct ctl_spd_flow *f)
{
	bool icmp = f->proto == 1 || f->proto == 58;

	if (s->sadb_x_sel_family != 0 && s->sadb_x_sel_family != f->family)
		return false;
	if (s->sadb_x_sel_proto != 0 && s->sadb_x_sel_proto != f->proto)
		return false;
	if (s->sadb_x_sel_family != 0 &&
	    (!prefix_match(s->sadb_x_sel_src, f->src, s->sadb_x_sel_src_prefixlen) ||
	     !prefix_match(s->sadb_x_sel_dst, f->dst, s->sadb_x_sel_dst_prefixlen)))
		return false;
	if (icmp) {
		uint8_t type = (uint8_t)(f->sport >> 8), code = (uint8_t)f->sport;

		return type >= s->sadb_x_sel_icmp_type_min && type <= s->sadb_x_sel_icmp_type_max &&
		       code >= s->sadb_x_sel_icmp_code_min && code <= s->sadb_x_sel_icmp_code_max;
	}
	return f->sport >= s->sadb_x_sel_sport_min && f->sport <= s->sadb_x_sel_sport_max &&
	       f->dport >= s->sadb_x_sel_dport_min && f->dport <= s->sadb_x_sel_dport_max;
}

/* Address bytes of a sockaddr_in/in6 into out[16]; false for others. */
static bool sockaddr_bytes(const struct sockaddr *sa, uint8_t *out)
{
	memset(out, 0, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

/* Tunnel endpoints of a rule agree with the flow's outer addresses?  The
 * endpoints are the rule's SRC (local) and DST (remote). */
static bool endpoints_match(const struct ctl_spd_rule *r, const struct ctl_spd_flow *f)
{
	const struct sadb_address *s = (const void *)r->endpoints, *d;
	uint8_t a[16], b[16];

	if (r->endpoints_len == 0 || !f->has_outer)
		return true;
	d = (const void *)(r->endpoints + (size_t)s->sadb_address_len * 8);
	if (!sockaddr_bytes(pfk_addr_sockaddr(s), a) || !sockaddr_bytes(pfk_addr_sockaddr(d), b))
		return false;
	return memcmp(a, f->outer_src, 16) == 0 && memcmp(b, f->outer_dst, 16) == 0;
}

const struct ctl_spd_rule *ctl_spd_match(const struct ctl_spd *spd, const struct ctl_spd_flow *f)
{
	for (const struct spd_node *n = spd->head; n != NULL; n = n->next) {
		const struct ctl_spd_rule *r = &n->rule;
		uint8_t dir = r->pol.sadb_x_pol_dir;

		if (dir != SADB_X_DPSEC_DIR_BOTH && dir != f->dir)
			continue;
		/* Tunnel-mode rules select on the inner packet (seed 002). */
		if (!ctl_spd_selector_match(r->has_inner ? &r->inner : &r->sel, f))
			continue;
		if (r->has_inner && !endpoints_match(r, f))
			continue;
		return r;
	}
	return NULL;
}

void ctl_spd_rule_build(const struct ctl_spd_rule *rule, struct pfk_builder *b)
{
	size_t off = 0;

	pfk_add_policy(b, &rule->pol);
	pfk_add_selector(b, SADB_X_EXT_DPSEC_SELECTOR, &rule->sel);
	if (rule->has_inner)
		pfk_add_selector(b, SADB_X_EXT_DPSEC_INNER_SELECTOR, &rule->inner);
	for (unsigned int i = 0; i < rule->nsareq; i++)
		pfk_add_sareq(b, &rule->sareq[i]);
	while (off < rule->endpoints_len) {
		const struct sadb_ext *e = (const void *)(rule->endpoints + off);
		size_t len = (size_t)e->sadb_ext_len * 8;

		pfk_add_ext(b, e->sadb_ext_type, e + 1, len - sizeof(*e));
		off += len;
	}
}
