/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_spd.c: the security policy database lookup (dpsec/dp.h, "Security
 * policy database"; docs/DATAPLANE.md, "Policy lookup").
 *
 * Compilation.  A set has four rte_acl contexts, outbound and inbound for
 * IPv4 and IPv6.  The key is the packet as on the wire: protocol, source,
 * destination, source port, destination port.  A rule's local side goes to
 * the source fields outbound and to the destination fields inbound, so one
 * key layout serves both directions and a BOTH rule is compiled into both.
 * ICMP carries type and code in the two port fields.  Because a rule with
 * protocol "any" has port ranges for most protocols and type/code ranges
 * for ICMP, it compiles to three entries when either is narrowed: protocol
 * ICMP with type/code, and the protocol ranges below and above ICMP with
 * the ports (the protocol field is a range).
 *
 * Order.  rte_acl returns the highest priority among matches and leaves
 * ties unspecified, so no two rules share one: the rules are sorted by
 * (priority, index) and position p gets RTE_ACL_MAX_PRIORITY - p.  The
 * entries of one rule share its priority and userdata (p + 1).
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
#include <rte_errno.h>
#include <rte_jhash.h>
#include <rte_rcu_qsbr.h>

#include "dp_ctx_priv.h"
#include "dp_spd_priv.h"
#include "dp_worker.h"

#define SPD_BURST 64u                 /* keys classified per rte_acl call */
#define ACQ_INTERVAL_MS_DEFAULT 1000u
#define ACQ_PER_S_DEFAULT 64u
#define ICMP4 1u
#define ICMP6 58u

/* ------------------------------------------------------------------------ */
/* Keys and field layouts.  Offsets are what rte_acl reads: the first field
 * is one byte, every later input_index a group of 4 bytes.  Multi-byte
 * input is in network order; rule values are in host order. */

struct key4 {
	uint8_t proto;
	uint8_t pad[3];
	uint8_t src[4];
	uint8_t dst[4];
	rte_be16_t sport;
	rte_be16_t dport;
};

struct key6 {
	uint8_t proto;
	uint8_t pad[3];
	uint8_t src[16];
	uint8_t dst[16];
	rte_be16_t sport;
	rte_be16_t dport;
};

enum { F4_PROTO, F4_SRC, F4_DST, F4_SPORT, F4_DPORT, F4_COUNT };
enum { F6_PROTO, F6_SRC0, F6_DST0 = F6_SRC0 + 4, F6_SPORT = F6_DST0 + 4, F6_DPORT, F6_COUNT };

static const struct rte_acl_field_def defs4[F4_COUNT] = {
	{ RTE_ACL_FIELD_TYPE_RANGE, 1, F4_PROTO, 0, offsetof(struct key4, proto) },
	{ RTE_ACL_FIELD_TYPE_MASK, 4, F4_SRC, 1, offsetof(struct key4, src) },
	{ RTE_ACL_FIELD_TYPE_MASK, 4, F4_DST, 2, offsetof(struct key4, dst) },
	{ RTE_ACL_FIELD_TYPE_RANGE, 2, F4_SPORT, 3, offsetof(struct key4, sport) },
	{ RTE_ACL_FIELD_TYPE_RANGE, 2, F4_DPORT, 3, offsetof(struct key4, dport) },
};

#define SRC6(w) { RTE_ACL_FIELD_TYPE_MASK, 4, F6_SRC0 + (w), 1 + (w), \
	offsetof(struct key6, src) + 4 * (w) }
#define DST6(w) { RTE_ACL_FIELD_TYPE_MASK, 4, F6_DST0 + (w), 5 + (w), \
	offsetof(struct key6, dst) + 4 * (w) }
static const struct rte_acl_field_def defs6[F6_COUNT] = {
	{ RTE_ACL_FIELD_TYPE_RANGE, 1, F6_PROTO, 0, offsetof(struct key6, proto) },
	SRC6(0), SRC6(1), SRC6(2), SRC6(3),
	DST6(0), DST6(1), DST6(2), DST6(3),
	{ RTE_ACL_FIELD_TYPE_RANGE, 2, F6_SPORT, 9, offsetof(struct key6, sport) },
	{ RTE_ACL_FIELD_TYPE_RANGE, 2, F6_DPORT, 9, offsetof(struct key6, dport) },
};
#undef SRC6
#undef DST6

static const struct {
	uint8_t family;
	uint8_t icmp;
	uint8_t words;                   /* 32-bit address words */
	uint32_t nfields;
	const struct rte_acl_field_def *defs;
} fam_info[2] = {
	[DP_SPD_V4] = { AF_INET, ICMP4, 1, F4_COUNT, defs4 },
	[DP_SPD_V6] = { AF_INET6, ICMP6, 4, F6_COUNT, defs6 },
};

/* ------------------------------------------------------------------------ */
/* Reference matcher (the post-decapsulation check, and the contract the
 * compiled contexts follow). */

static bool prefix_match(const uint8_t *want, const uint8_t *have, unsigned int plen)
{
	unsigned int bytes = plen / 8, bits = plen % 8;

	if (memcmp(want, have, bytes) != 0)
		return false;
	if (bits == 0)
		return true;
	return ((want[bytes] ^ have[bytes]) & (uint8_t)(0xff00u >> bits)) == 0;
}

bool dp_spd_selector_match(const struct dp_selector *s, uint8_t dir, const struct dp_flow *f)
{
	bool out = dir == DP_POLICY_DIR_OUT;
	const uint8_t *local = out ? f->src : f->dst, *remote = out ? f->dst : f->src;
	uint16_t lport = out ? f->sport : f->dport, rport = out ? f->dport : f->sport;

	if (s->family != 0 && s->family != f->family)
		return false;
	if (s->proto != 0 && s->proto != f->proto)
		return false;
	if (s->family != 0 && (!prefix_match(s->local, local, s->local_plen) ||
			       !prefix_match(s->remote, remote, s->remote_plen)))
		return false;
	if (dp_spd_is_icmp(f->family, f->proto)) {
		uint8_t type = (uint8_t)(f->sport >> 8), code = (uint8_t)f->sport;

		return type >= s->icmp_type_min && type <= s->icmp_type_max &&
		       code >= s->icmp_code_min && code <= s->icmp_code_max;
	}
	return lport >= s->lport_min && lport <= s->lport_max && rport >= s->rport_min &&
	       rport <= s->rport_max;
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
/* Compilation. */

static int policy_order_cmp(const void *a, const void *b)
{
	const struct dp_policy *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static bool in_context(const struct dp_policy *p, unsigned int d, unsigned int fam)
{
	uint8_t want = d == DP_SPD_OUT ? DP_POLICY_DIR_OUT : DP_POLICY_DIR_IN;

	if ((p->dir & want) == 0)
		return false;
	return p->sel.family == 0 || p->sel.family == fam_info[fam].family;
}

/* Does the rule restrict ports or ICMP type/code at all? */
static bool narrowed(const struct dp_selector *s)
{
	return s->lport_min != 0 || s->lport_max != UINT16_MAX || s->rport_min != 0 ||
	       s->rport_max != UINT16_MAX || s->icmp_type_min != 0 || s->icmp_type_max != 255 ||
	       s->icmp_code_min != 0 || s->icmp_code_max != 255;
}

/* rte_acl entries a rule compiles to in context (d, fam): 0, 1 or 3. */
static unsigned int entry_count(const struct dp_policy *p, unsigned int d, unsigned int fam)
{
	if (!in_context(p, d, fam))
		return 0;
	return p->sel.proto == 0 && narrowed(&p->sel) ? 3 : 1;
}

/* Entries being written for one context. */
struct acl_batch {
	uint8_t *buf;
	size_t rule_sz;
	uint32_t n;
	unsigned int fam;
	unsigned int dir;
};

static void set_range8(struct rte_acl_field *f, unsigned int lo, unsigned int hi)
{
	f->value.u8 = (uint8_t)lo;
	f->mask_range.u8 = (uint8_t)hi;
}

static void set_range16(struct rte_acl_field *f, unsigned int lo, unsigned int hi)
{
	f->value.u16 = (uint16_t)lo;
	f->mask_range.u16 = (uint16_t)hi;
}

/* Address prefix into `words` 32-bit MASK fields (value host order). */
static void set_prefix(struct rte_acl_field *f, unsigned int words, const uint8_t *addr,
	unsigned int plen, bool any)
{
	for (unsigned int w = 0; w < words; w++) {
		unsigned int bits = any || plen <= 32 * w ? 0 : plen - 32 * w;
		uint32_t v, mask;

		if (bits > 32)
			bits = 32;
		memcpy(&v, addr + 4 * w, 4);
		v = rte_be_to_cpu_32(v);
		mask = bits == 0 ? 0 : UINT32_MAX << (32 - bits);
		f[w].value.u32 = v & mask;
		f[w].mask_range.u32 = bits;
	}
}

static void emit(struct acl_batch *b, const struct dp_policy *p, uint32_t pos,
	unsigned int proto_lo, unsigned int proto_hi, bool icmp)
{
	struct rte_acl_rule *r = (void *)(b->buf + (size_t)b->n++ * b->rule_sz);
	const struct dp_selector *s = &p->sel;
	unsigned int words = fam_info[b->fam].words;
	bool out = b->dir == DP_SPD_OUT, any = s->family == 0;
	struct rte_acl_field *src = &r->field[1], *dst = &r->field[1 + words];
	struct rte_acl_field *sport = &r->field[1 + 2 * words], *dport = sport + 1;

	r->data.category_mask = 1;
	r->data.priority = (int32_t)(RTE_ACL_MAX_PRIORITY - pos);
	r->data.userdata = pos + 1;
	set_range8(&r->field[0], proto_lo, proto_hi);
	set_prefix(out ? src : dst, words, s->local, s->local_plen, any);
	set_prefix(out ? dst : src, words, s->remote, s->remote_plen, any);
	if (icmp) {
		set_range16(sport, s->icmp_type_min, s->icmp_type_max);
		set_range16(dport, s->icmp_code_min, s->icmp_code_max);
	} else if (out) {
		set_range16(sport, s->lport_min, s->lport_max);
		set_range16(dport, s->rport_min, s->rport_max);
	} else {
		set_range16(sport, s->rport_min, s->rport_max);
		set_range16(dport, s->lport_min, s->lport_max);
	}
}

static void emit_rule(struct acl_batch *b, const struct dp_policy *p, uint32_t pos)
{
	unsigned int icmp = fam_info[b->fam].icmp;

	if (p->sel.proto != 0) {
		emit(b, p, pos, p->sel.proto, p->sel.proto, p->sel.proto == icmp);
	} else if (!narrowed(&p->sel)) {
		emit(b, p, pos, 0, 255, false);
	} else {
		emit(b, p, pos, icmp, icmp, true);
		emit(b, p, pos, 0, icmp - 1, false);
		emit(b, p, pos, icmp + 1, 255, false);
	}
}

/* Build context (d, fam) of a set whose rules are sorted.  0 or -errno;
 * *out stays NULL when no rule falls in the context. */
static int context_build(struct dp_spd *spd, struct dp_spd_set *set, unsigned int d,
	unsigned int fam, struct rte_acl_ctx **out)
{
	struct acl_batch b = { .fam = fam, .dir = d };
	struct rte_acl_config cfg;
	struct rte_acl_param prm;
	struct rte_acl_ctx *acl;
	char name[RTE_ACL_NAMESIZE];
	uint64_t count = 0;
	int err;

	for (uint32_t i = 0; i < set->n; i++)
		count += entry_count(&set->rules[i], d, fam);
	if (count == 0)
		return 0;
	if (count > RTE_ACL_MAX_INDEX)
		return -E2BIG;
	b.rule_sz = RTE_ACL_RULE_SZ(fam_info[fam].nfields);
	b.buf = calloc(count, b.rule_sz);
	if (b.buf == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < set->n; i++)
		if (in_context(&set->rules[i], d, fam))
			emit_rule(&b, &set->rules[i], i);

	snprintf(name, sizeof(name), "%s_spd%x%c%c", spd->ctx->name, spd->name_seq++,
		d == DP_SPD_OUT ? 'o' : 'i', fam == DP_SPD_V4 ? '4' : '6');
	prm = (struct rte_acl_param){
		.name = name,
		.socket_id = spd->ctx->cfg.socket_id,
		.rule_size = (uint32_t)b.rule_sz,
		.max_rule_num = (uint32_t)count,
	};
	acl = rte_acl_create(&prm);
	if (acl == NULL) {
		err = rte_errno == EINVAL ? -EINVAL : -ENOMEM;
		goto out;
	}
	err = rte_acl_add_rules(acl, (const struct rte_acl_rule *)(const void *)b.buf,
		(uint32_t)count);
	if (err == 0) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.num_categories = 1;
		cfg.num_fields = fam_info[fam].nfields;
		memcpy(cfg.defs, fam_info[fam].defs, cfg.num_fields * sizeof(cfg.defs[0]));
		err = rte_acl_build(acl, &cfg);
	}
	if (err != 0) {
		rte_acl_free(acl);
		err = err == -EINVAL ? -EINVAL : -ENOMEM;
		goto out;
	}
	/* The rules were only needed to build the tries. */
	rte_acl_reset_rules(acl);
	set->acl_rules += (uint32_t)count;
	*out = acl;
out:
	free(b.buf);
	return err;
}

static void set_free(struct dp_spd_set *set)
{
	if (set == NULL)
		return;
	for (unsigned int d = 0; d < 2; d++)
		for (unsigned int f = 0; f < 2; f++)
			rte_acl_free(set->acl[d][f]);
	free(set->rules);
	free(set->tmpl);
	free(set->insa);
	free(set);
}

/* The outbound verdict of a rule. */
static void tmpl_fill(struct dp_spd_result *t, const struct dp_policy *p)
{
	memset(t, 0, sizeof(*t));
	t->policy = p->index;
	switch (p->action) {
	case DP_POLICY_BYPASS:
		t->verdict = DP_SPD_BYPASS;
		break;
	case DP_POLICY_DISCARD:
		t->verdict = DP_SPD_DROP;
		t->drop = DP_DROP_POLICY_DISCARD;
		break;
	default:
		t->verdict = p->n_out == 0 ? DP_SPD_ACQUIRE : DP_SPD_PROTECT;
		t->n_sa = p->n_out;
		memcpy(t->sa, p->out, sizeof(t->sa));
		break;
	}
}

static int insa_cmp(const void *a, const void *b)
{
	const struct dp_spd_insa *x = a, *y = b;

	if (x->sa != y->sa)
		return x->sa < y->sa ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The inbound SA map: every (in[] handle, policy) of PROTECT rules that
 * apply inbound. */
static int insa_build(struct dp_spd_set *set)
{
	uint32_t count = 0;

	for (uint32_t i = 0; i < set->n; i++)
		if ((set->rules[i].dir & DP_POLICY_DIR_IN) != 0)
			count += set->rules[i].n_in;
	if (count == 0)
		return 0;
	set->insa = calloc(count, sizeof(*set->insa));
	if (set->insa == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < set->n; i++) {
		const struct dp_policy *p = &set->rules[i];

		if ((p->dir & DP_POLICY_DIR_IN) == 0)
			continue;
		for (unsigned int k = 0; k < p->n_in; k++)
			set->insa[set->n_insa++] = (struct dp_spd_insa){ .sa = p->in[k], .pos = i };
	}
	qsort(set->insa, set->n_insa, sizeof(*set->insa), insa_cmp);
	return 0;
}

static int set_build(struct dp_spd *spd, const struct dp_policy *rules, uint32_t n,
	struct dp_spd_set **out)
{
	struct dp_spd_set *set;
	int err = -ENOMEM;

	set = calloc(1, sizeof(*set));
	if (set == NULL)
		return -ENOMEM;
	set->n = n;
	if (n != 0) {
		set->rules = malloc((size_t)n * sizeof(*set->rules));
		set->tmpl = malloc((size_t)n * sizeof(*set->tmpl));
		if (set->rules == NULL || set->tmpl == NULL)
			goto fail;
		memcpy(set->rules, rules, (size_t)n * sizeof(*rules));
		qsort(set->rules, n, sizeof(*set->rules), policy_order_cmp);
		for (uint32_t i = 0; i < n; i++)
			tmpl_fill(&set->tmpl[i], &set->rules[i]);
	}
	err = insa_build(set);
	for (unsigned int d = 0; d < 2 && err == 0; d++)
		for (unsigned int f = 0; f < 2 && err == 0; f++)
			err = context_build(spd, set, d, f, &set->acl[d][f]);
	if (err != 0)
		goto fail;
	*out = set;
	return 0;
fail:
	set_free(set);
	return err;
}

/* ------------------------------------------------------------------------ */
/* CONTROL. */

struct dp_spd *dp_spd_create(struct dp_ctx *ctx, const struct dp_spd_config *cfg)
{
	struct dp_spd_config c = { 0 };
	struct dp_spd *spd;
	size_t wsize;
	int err;

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
	if (spd->w == NULL) {
		err = ENOMEM;
		goto fail;
	}
	memset(spd->w, 0, wsize);
	err = -set_build(spd, NULL, 0, &spd->cur);
	if (err != 0)
		goto fail;
	return spd;
fail:
	free(spd->w);
	free(spd);
	errno = err;
	return NULL;
}

int dp_spd_reclaim(struct dp_spd *spd)
{
	struct dp_spd_set **pp = &spd->retired;
	int freed = 0;

	while (*pp != NULL) {
		struct dp_spd_set *s = *pp;

		if (rte_rcu_qsbr_check(spd->ctx->qsbr, s->token, false) == 1) {
			*pp = s->next;
			set_free(s);
			freed++;
		} else {
			pp = &s->next;
		}
	}
	return freed;
}

void dp_spd_free(struct dp_spd *spd)
{
	struct dp_spd_set *s;

	if (spd == NULL)
		return;
	/* Nothing new can be loaded once cur is NULL; one grace period later
	 * no worker holds any set. */
	s = spd->cur;
	__atomic_store_n(&spd->cur, NULL, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(spd->ctx->qsbr, RTE_QSBR_THRID_INVALID);
	set_free(s);
	while ((s = spd->retired) != NULL) {
		spd->retired = s->next;
		set_free(s);
	}
	free(spd->w);
	free(spd);
}

int dp_spd_publish(struct dp_spd *spd, const struct dp_policy *rules, uint32_t n, uint32_t *bad)
{
	struct dp_spd_set *set, *old;
	struct timespec t0, t1;
	uint32_t bad_pos = 0;
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
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = set_build(spd, rules, n, &set);
	if (err != 0)
		return err;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	set->generation = ++spd->generation;
	spd->build_ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u +
			(uint64_t)t1.tv_nsec - (uint64_t)t0.tv_nsec;

	old = spd->cur;
	__atomic_store_n(&spd->cur, set, __ATOMIC_RELEASE);
	/* The token is taken after the store: a worker that reports quiescence
	 * past it has finished every lookup that could have loaded old. */
	old->token = rte_rcu_qsbr_start(spd->ctx->qsbr);
	old->next = spd->retired;
	spd->retired = old;
	(void)dp_spd_reclaim(spd);
	return 0;
}

void dp_spd_get_stats(const struct dp_spd *spd, struct dp_spd_stats *st)
{
	const struct dp_spd_set *set = spd->cur;

	memset(st, 0, sizeof(*st));
	st->generation = spd->generation;
	st->rules = set != NULL ? set->n : 0;
	st->acl_rules = set != NULL ? set->acl_rules : 0;
	st->build_ns = spd->build_ns;
	for (unsigned int i = 0; i < spd->workers; i++) {
		const struct dp_spd_worker *w = &spd->w[i];

		st->lookups += dp_counter_read(&w->lookups);
		st->acquire_posted += dp_counter_read(&w->acquire_posted);
		st->acquire_suppressed += dp_counter_read(&w->acquire_suppressed);
		st->acquire_lost += dp_counter_read(&w->acquire_lost);
		st->mismatches += dp_counter_read(&w->mismatches);
	}
}

/* ------------------------------------------------------------------------ */
/* WORKER. */

static void key4_fill(struct key4 *k, const struct dp_flow *f)
{
	k->proto = f->proto;
	memcpy(k->src, f->src, 4);
	memcpy(k->dst, f->dst, 4);
	if (f->proto == ICMP4) {
		k->sport = rte_cpu_to_be_16((uint16_t)(f->sport >> 8));
		k->dport = rte_cpu_to_be_16((uint16_t)(f->sport & 0xff));
	} else {
		k->sport = rte_cpu_to_be_16(f->sport);
		k->dport = rte_cpu_to_be_16(f->dport);
	}
}

static void key6_fill(struct key6 *k, const struct dp_flow *f)
{
	k->proto = f->proto;
	memcpy(k->src, f->src, 16);
	memcpy(k->dst, f->dst, 16);
	if (f->proto == ICMP6) {
		k->sport = rte_cpu_to_be_16((uint16_t)(f->sport >> 8));
		k->dport = rte_cpu_to_be_16((uint16_t)(f->sport & 0xff));
	} else {
		k->sport = rte_cpu_to_be_16(f->sport);
		k->dport = rte_cpu_to_be_16(f->dport);
	}
}

/* userdata (position + 1, 0 = no match) of n <= SPD_BURST flows. */
static void classify(const struct dp_spd_set *set, unsigned int d, const struct dp_flow *flows,
	unsigned int n, uint32_t *ud)
{
	struct key4 k4[SPD_BURST];
	struct key6 k6[SPD_BURST];
	const uint8_t *p4[SPD_BURST], *p6[SPD_BURST];
	uint32_t r4[SPD_BURST], r6[SPD_BURST];
	uint8_t i4[SPD_BURST], i6[SPD_BURST];
	unsigned int n4 = 0, n6 = 0;

	for (unsigned int i = 0; i < n; i++) {
		ud[i] = 0;
		if (flows[i].family == AF_INET && set->acl[d][DP_SPD_V4] != NULL) {
			memset(&k4[n4], 0, sizeof(k4[n4]));
			key4_fill(&k4[n4], &flows[i]);
			p4[n4] = (const uint8_t *)&k4[n4];
			i4[n4++] = (uint8_t)i;
		} else if (flows[i].family == AF_INET6 && set->acl[d][DP_SPD_V6] != NULL) {
			memset(&k6[n6], 0, sizeof(k6[n6]));
			key6_fill(&k6[n6], &flows[i]);
			p6[n6] = (const uint8_t *)&k6[n6];
			i6[n6++] = (uint8_t)i;
		}
	}
	if (n4 != 0 && rte_acl_classify(set->acl[d][DP_SPD_V4], p4, r4, n4, 1) == 0)
		for (unsigned int j = 0; j < n4; j++)
			ud[i4[j]] = r4[j];
	if (n6 != 0 && rte_acl_classify(set->acl[d][DP_SPD_V6], p6, r6, n6, 1) == 0)
		for (unsigned int j = 0; j < n6; j++)
			ud[i6[j]] = r6[j];
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
static void acquire(struct dp_spd *spd, unsigned int worker, const struct dp_policy *p,
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

void dp_spd_lookup(struct dp_spd *spd, unsigned int worker, uint8_t dir,
	const struct dp_flow *flows, unsigned int n, struct dp_spd_result *res)
{
	const struct dp_spd_set *set = __atomic_load_n(&spd->cur, __ATOMIC_ACQUIRE);
	unsigned int d = dir == DP_POLICY_DIR_OUT ? DP_SPD_OUT : DP_SPD_IN;
	uint32_t ud[SPD_BURST];
	uint64_t now = 0;

	for (unsigned int off = 0; off < n; off += SPD_BURST) {
		unsigned int m = n - off < SPD_BURST ? n - off : SPD_BURST;

		classify(set, d, flows + off, m, ud);
		for (unsigned int i = 0; i < m; i++) {
			struct dp_spd_result *r = &res[off + i];

			if (ud[i] == 0) {
				memset(r, 0, sizeof(*r));
				r->verdict = DP_SPD_DROP;
				r->drop = DP_DROP_NO_POLICY;
				continue;
			}
			*r = set->tmpl[ud[i] - 1];
			if (d == DP_SPD_IN && (r->verdict == DP_SPD_PROTECT ||
					       r->verdict == DP_SPD_ACQUIRE)) {
				/* Plain traffic a PROTECT policy wants protected. */
				r->verdict = DP_SPD_DROP;
				r->drop = DP_DROP_POLICY_MISMATCH;
				r->n_sa = 0;
				memset(r->sa, 0, sizeof(r->sa));
			} else if (r->verdict == DP_SPD_ACQUIRE) {
				acquire(spd, worker, &set->rules[ud[i] - 1], &flows[off + i], &now);
			}
		}
	}
	dp_counter_add(&spd->w[worker].lookups, n);
}

/* First entry of sa in the inbound SA map, or n_insa. */
static uint32_t insa_find(const struct dp_spd_set *set, dp_sa_handle_t sa)
{
	uint32_t lo = 0, hi = set->n_insa;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (set->insa[mid].sa < sa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool inbound_ok(const struct dp_spd_set *set, dp_sa_handle_t sa, const struct dp_flow *f)
{
	for (uint32_t i = insa_find(set, sa); i < set->n_insa && set->insa[i].sa == sa; i++)
		if (dp_spd_selector_match(&set->rules[set->insa[i].pos].sel, DP_POLICY_DIR_IN, f))
			return true;
	return false;
}

unsigned int dp_spd_check_inbound(struct dp_spd *spd, unsigned int worker,
	const dp_sa_handle_t *sa, const struct dp_flow *flows, unsigned int n, uint8_t *drop)
{
	const struct dp_spd_set *set = __atomic_load_n(&spd->cur, __ATOMIC_ACQUIRE);
	unsigned int passed = 0;

	for (unsigned int i = 0; i < n; i++) {
		bool ok = inbound_ok(set, sa[i], &flows[i]);

		drop[i] = ok ? DP_DROP_NONE : DP_DROP_POLICY_MISMATCH;
		passed += ok;
	}
	if (passed != n)
		dp_counter_add(&spd->w[worker].mismatches, n - passed);
	return passed;
}
