/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_spd_acl.c: the SPD's rte_acl tier (docs/DATAPLANE.md "Policy lookup"
 * and "Policy lookup at scale"): the rules whose remote side is a wildcard
 * or whose family is "any".
 *
 * Compilation.  A tier has four rte_acl contexts, outbound and inbound for
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
 * ties unspecified, so no two rules share one: the rules come sorted by
 * (priority, index) and rank r gets RTE_ACL_MAX_PRIORITY - r.  The entries
 * of one rule share its priority and userdata (its slot + 1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_errno.h>

#include "dp_ctx_priv.h"
#include "dp_spd.h"
#include "dp_spd_priv.h"

#define SPD_BURST 64u

static uint32_t acl_name_seq;
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

static bool in_context(const struct dp_spd_rule *p, unsigned int d, unsigned int fam)
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
static unsigned int entry_count(const struct dp_spd_rule *p, unsigned int d, unsigned int fam)
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

static void emit(struct acl_batch *b, const struct dp_spd_rule *p, uint32_t pos, uint32_t slot,
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
	r->data.userdata = slot + 1;
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

static void emit_rule(struct acl_batch *b, const struct dp_spd_rule *p, uint32_t pos,
	uint32_t slot)
{
	unsigned int icmp = fam_info[b->fam].icmp;

	if (p->sel.proto != 0) {
		emit(b, p, pos, slot, p->sel.proto, p->sel.proto, p->sel.proto == icmp);
	} else if (!narrowed(&p->sel)) {
		emit(b, p, pos, slot, 0, 255, false);
	} else {
		emit(b, p, pos, slot, icmp, icmp, true);
		emit(b, p, pos, slot, 0, icmp - 1, false);
		emit(b, p, pos, slot, icmp + 1, 255, false);
	}
}

/* Build context (d, fam) from ids[0..n) in match order.  0 or -errno;
 * *out stays NULL when no rule falls in the context. */
static int context_build(struct dp_spd *spd, struct dp_spd_rule *const *chunk,
	const uint32_t *ids, uint32_t n, unsigned int d, unsigned int fam,
	struct rte_acl_ctx **out, uint32_t *entries)
{
	struct acl_batch b = { .fam = fam, .dir = d };
	struct rte_acl_config cfg;
	struct rte_acl_param prm;
	struct rte_acl_ctx *acl;
	char name[RTE_ACL_NAMESIZE];
	uint64_t count = 0;
	int err;

	for (uint32_t i = 0; i < n; i++)
		count += entry_count(dp_spd_slot(chunk, ids[i]), d, fam);
	if (count == 0)
		return 0;
	if (count > RTE_ACL_MAX_INDEX)
		return -E2BIG;
	b.rule_sz = RTE_ACL_RULE_SZ(fam_info[fam].nfields);
	b.buf = calloc(count, b.rule_sz);
	if (b.buf == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		const struct dp_spd_rule *r = dp_spd_slot(chunk, ids[i]);

		if (in_context(r, d, fam))
			emit_rule(&b, r, i, ids[i]);
	}

	/* rte_acl_create() returns an existing context of the same name, and
	 * names are process-wide: one sequence for every SPD. */
	snprintf(name, sizeof(name), "%s_spd%x%c%c", spd->ctx->name,
		__atomic_fetch_add(&acl_name_seq, 1, __ATOMIC_RELAXED),
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
	*entries += (uint32_t)count;
	*out = acl;
out:
	free(b.buf);
	return err;
}

int dp_spd_acl_build(struct dp_spd *spd, struct dp_spd_rule *const *chunk, const uint32_t *ids,
	uint32_t n, struct rte_acl_ctx *acl[2][2], uint32_t *entries)
{
	int err = 0;

	*entries = 0;
	for (unsigned int d = 0; d < 2; d++)
		for (unsigned int f = 0; f < 2; f++)
			acl[d][f] = NULL;
	for (unsigned int d = 0; d < 2 && err == 0; d++)
		for (unsigned int f = 0; f < 2 && err == 0; f++)
			err = context_build(spd, chunk, ids, n, d, f, &acl[d][f], entries);
	if (err != 0) {
		for (unsigned int d = 0; d < 2; d++)
			for (unsigned int f = 0; f < 2; f++) {
				rte_acl_free(acl[d][f]);
				acl[d][f] = NULL;
			}
	}
	return err;
}

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

void dp_spd_acl_classify(struct rte_acl_ctx *const acl[2], const struct dp_flow *flows,
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
		if (flows[i].family == AF_INET && acl[DP_SPD_V4] != NULL) {
			memset(&k4[n4], 0, sizeof(k4[n4]));
			key4_fill(&k4[n4], &flows[i]);
			p4[n4] = (const uint8_t *)&k4[n4];
			i4[n4++] = (uint8_t)i;
		} else if (flows[i].family == AF_INET6 && acl[DP_SPD_V6] != NULL) {
			memset(&k6[n6], 0, sizeof(k6[n6]));
			key6_fill(&k6[n6], &flows[i]);
			p6[n6] = (const uint8_t *)&k6[n6];
			i6[n6++] = (uint8_t)i;
		}
	}
	if (n4 != 0 && rte_acl_classify(acl[DP_SPD_V4], p4, r4, n4, 1) == 0)
		for (unsigned int j = 0; j < n4; j++)
			ud[i4[j]] = r4[j];
	if (n6 != 0 && rte_acl_classify(acl[DP_SPD_V6], p6, r6, n6, 1) == 0)
		for (unsigned int j = 0; j < n6; j++)
			ud[i6[j]] = r6[j];
}

