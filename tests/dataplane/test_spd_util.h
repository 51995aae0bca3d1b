/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_spd_util.h: helpers of the SPD tests (test_spd_incr, test_spd_scale):
 * a seeded generator, random rules over both tiers, flows near a rule, and
 * the linear reference the SPD must agree with.
 */
#ifndef TEST_SPD_UTIL_H
#define TEST_SPD_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "dpsec/dp.h"
#include "dp_spd.h"

#define SPD_TEST_SAS 12u   /* SA handles 1..12 in random bindings */

struct spd_rng {
	uint64_t s;
};

/* xorshift64*: fixed seeds give fixed sequences. */
static inline uint32_t spd_rand(struct spd_rng *r)
{
	if (r->s == 0)
		r->s = 0x9e3779b97f4a7c15ull;
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 2685821657736338717ull) >> 32);
}

static inline struct dp_ctx *spd_ctx_new(const char *name)
{
	struct dp_config cfg;
	struct dp_ctx *ctx;

	dp_config_default(&cfg);
	cfg.max_sas = 64;
	cfg.workers = 1;
	cfg.event_ring_size = 64;
	cfg.name = name;
	ctx = dp_create(&cfg);
	assert_non_null(ctx);
	return ctx;
}

/* A few address bases so that rules overlap: v4 10.{0,1}.{0,1}.x, v6
 * 2001:db8:{0,1}::x. */
static inline void spd_rand_addr(struct spd_rng *r, uint8_t family, uint8_t *a)
{
	memset(a, 0, 16);
	if (family == AF_INET) {
		a[0] = 10;
		a[1] = (uint8_t)(spd_rand(r) % 2);
		a[2] = (uint8_t)(spd_rand(r) % 2);
		a[3] = (uint8_t)(spd_rand(r) % 4 == 0 ? spd_rand(r) : spd_rand(r) % 8);
	} else {
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[5] = (uint8_t)(spd_rand(r) % 2);
		a[15] = (uint8_t)(spd_rand(r) % 8);
		if (spd_rand(r) % 4 == 0)
			a[8] = (uint8_t)spd_rand(r);
	}
}

static inline uint8_t spd_rand_plen(struct spd_rng *r, unsigned int max)
{
	switch (spd_rand(r) % 5) {
	case 0:
		return 0;
	case 1:
		return (uint8_t)max;
	default:
		return (uint8_t)(spd_rand(r) % (max + 1));
	}
}

static inline void spd_rand_range16(struct spd_rng *r, uint16_t *lo, uint16_t *hi)
{
	uint16_t a = (uint16_t)(spd_rand(r) % 3000), b = (uint16_t)(spd_rand(r) % 3000);

	switch (spd_rand(r) % 3) {
	case 0:
		*lo = 0;
		*hi = UINT16_MAX;
		break;
	case 1:
		*lo = *hi = a;
		break;
	default:
		*lo = a < b ? a : b;
		*hi = a < b ? b : a;
		break;
	}
}

static inline void spd_rand_range8(struct spd_rng *r, uint8_t *lo, uint8_t *hi)
{
	uint8_t a = (uint8_t)(spd_rand(r) % 16), b = (uint8_t)(spd_rand(r) % 16);

	if (spd_rand(r) % 2 == 0) {
		*lo = 0;
		*hi = UINT8_MAX;
	} else {
		*lo = a < b ? a : b;
		*hi = a < b ? b : a;
	}
}

/* New random out[]/in[] of a PROTECT rule (others unchanged). */
static inline void spd_random_binding(struct spd_rng *r, struct dp_policy *p)
{
	if (p->action != DP_POLICY_PROTECT)
		return;
	memset(p->out, 0, sizeof(p->out));
	memset(p->in, 0, sizeof(p->in));
	p->n_out = (uint8_t)(spd_rand(r) % (DP_POLICY_OUT_SA_MAX + 1));
	p->n_in = (uint8_t)(spd_rand(r) % (DP_POLICY_IN_SA_MAX + 1));
	for (unsigned int i = 0; i < p->n_out; i++)
		p->out[i] = 1 + spd_rand(r) % SPD_TEST_SAS;
	for (unsigned int i = 0; i < p->n_in; i++)
		p->in[i] = 1 + spd_rand(r) % SPD_TEST_SAS;
}

/* A random valid rule: priorities 0..5 (ties), every direction, family
 * any/v4/v6, prefixes of every length, ports, protocols, ICMP ranges. */
static inline void spd_random_policy(struct spd_rng *r, uint32_t index, struct dp_policy *p)
{
	static const uint8_t protos[] = { 0, 0, 6, 17, 1, 58 };
	unsigned int fam = spd_rand(r) % 10;
	struct dp_selector *s = &p->sel;

	dp_policy_init(p);
	p->index = index;
	p->priority = spd_rand(r) % 6;
	p->dir = (uint8_t)(1 + spd_rand(r) % 3);
	p->action = (uint8_t)(1 + spd_rand(r) % 3);
	p->flags = (uint8_t)(spd_rand(r) % 4 == 0 ? DP_POLICY_F_UNIQUE : 0);
	s->family = fam == 0 ? 0 : fam < 6 ? AF_INET : AF_INET6;
	s->proto = protos[spd_rand(r) % sizeof(protos)];
	if (s->family != 0) {
		unsigned int max = s->family == AF_INET ? 32 : 128;

		spd_rand_addr(r, s->family, s->local);
		spd_rand_addr(r, s->family, s->remote);
		s->local_plen = spd_rand_plen(r, max);
		s->remote_plen = spd_rand_plen(r, max);
	}
	if (spd_rand(r) % 2 == 0)
		spd_rand_range16(r, &s->lport_min, &s->lport_max);
	if (spd_rand(r) % 2 == 0)
		spd_rand_range16(r, &s->rport_min, &s->rport_max);
	if (spd_rand(r) % 3 == 0) {
		spd_rand_range8(r, &s->icmp_type_min, &s->icmp_type_max);
		spd_rand_range8(r, &s->icmp_code_min, &s->icmp_code_max);
	}
	spd_random_binding(r, p);
}

static inline uint16_t spd_in_range(struct spd_rng *r, uint16_t lo, uint16_t hi)
{
	return (uint16_t)(lo + spd_rand(r) % ((uint32_t)hi - lo + 1));
}

/* A flow in direction dir: mostly inside a random rule's selector (host
 * bits, ports and types random within it), else random. */
static inline void spd_flow_near(struct spd_rng *r, const struct dp_policy *rules, uint32_t n,
	uint8_t dir, struct dp_flow *f)
{
	static const uint8_t protos[] = { 6, 17, 1, 58, 50 };
	const struct dp_selector *s = n != 0 ? &rules[spd_rand(r) % n].sel : NULL;
	bool out = dir == DP_POLICY_DIR_OUT;
	uint8_t *local = out ? f->src : f->dst, *remote = out ? f->dst : f->src;

	memset(f, 0, sizeof(*f));
	f->family = spd_rand(r) % 2 ? AF_INET : AF_INET6;
	if (s != NULL && s->family != 0 && spd_rand(r) % 8 != 0)
		f->family = s->family;
	f->proto = protos[spd_rand(r) % sizeof(protos)];
	if (s != NULL && s->proto != 0 && spd_rand(r) % 8 != 0)
		f->proto = s->proto;
	spd_rand_addr(r, f->family, local);
	spd_rand_addr(r, f->family, remote);
	if (s != NULL && s->family == f->family && spd_rand(r) % 8 != 0) {
		/* Inside both prefixes: the rule's bits, random host bits. */
		for (unsigned int b = 0; b < s->local_plen; b++)
			local[b / 8] = (uint8_t)((local[b / 8] & ~(0x80u >> (b % 8))) |
						 (s->local[b / 8] & (0x80u >> (b % 8))));
		for (unsigned int b = 0; b < s->remote_plen; b++)
			remote[b / 8] = (uint8_t)((remote[b / 8] & ~(0x80u >> (b % 8))) |
						  (s->remote[b / 8] & (0x80u >> (b % 8))));
	}
	if (dp_spd_is_icmp(f->family, f->proto)) {
		uint8_t type = (uint8_t)(spd_rand(r) % 16), code = (uint8_t)(spd_rand(r) % 16);

		if (s != NULL && spd_rand(r) % 4 != 0) {
			type = (uint8_t)spd_in_range(r, s->icmp_type_min, s->icmp_type_max);
			code = (uint8_t)spd_in_range(r, s->icmp_code_min, s->icmp_code_max);
		}
		f->sport = (uint16_t)(type << 8 | code);
		return;
	}
	if (f->proto == 50)
		return;
	{
		uint16_t lp = (uint16_t)(spd_rand(r) % 3000), rp = (uint16_t)(spd_rand(r) % 3000);

		if (s != NULL && spd_rand(r) % 4 != 0) {
			lp = spd_in_range(r, s->lport_min, s->lport_max);
			rp = spd_in_range(r, s->rport_min, s->rport_max);
		}
		f->sport = out ? lp : rp;
		f->dport = out ? rp : lp;
	}
}

/* Linear reference: the first rule in (priority, index) order that applies
 * in dir and matches, as a result. */
static inline void spd_reference(const struct dp_policy *rules, uint32_t n, uint8_t dir,
	const struct dp_flow *f, struct dp_spd_result *res)
{
	const struct dp_policy *best = NULL;

	for (uint32_t i = 0; i < n; i++) {
		const struct dp_policy *p = &rules[i];

		if ((p->dir & dir) == 0 || !dp_spd_selector_match(&p->sel, dir, f))
			continue;
		if (best == NULL || p->priority < best->priority ||
		    (p->priority == best->priority && p->index < best->index))
			best = p;
	}
	memset(res, 0, sizeof(*res));
	if (best == NULL) {
		res->drop = DP_DROP_NO_POLICY;
		return;
	}
	res->policy = best->index;
	if (best->action == DP_POLICY_BYPASS) {
		res->verdict = DP_SPD_BYPASS;
	} else if (best->action == DP_POLICY_DISCARD) {
		res->drop = DP_DROP_POLICY_DISCARD;
	} else if (dir == DP_POLICY_DIR_IN) {
		res->drop = DP_DROP_POLICY_MISMATCH;
	} else if (best->n_out == 0) {
		res->verdict = DP_SPD_ACQUIRE;
	} else {
		res->verdict = DP_SPD_PROTECT;
		res->n_sa = best->n_out;
		memcpy(res->sa, best->out, best->n_out * sizeof(best->out[0]));
	}
}

/* Does an inbound PROTECT rule listing sa match inner flow f? */
static inline bool spd_reference_inbound(const struct dp_policy *rules, uint32_t n,
	dp_sa_handle_t sa, const struct dp_flow *f)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct dp_policy *p = &rules[i];

		if ((p->dir & DP_POLICY_DIR_IN) == 0 ||
		    !dp_spd_selector_match(&p->sel, DP_POLICY_DIR_IN, f))
			continue;
		for (unsigned int k = 0; k < p->n_in; k++)
			if (p->in[k] == sa)
				return true;
	}
	return false;
}

/* Rule i of a host-remote set: outbound 172.16.0.0/12 -> 10.x.y.z/32 (the
 * address is i), PROTECT with one SA each way. */
static inline void spd_host_policy(uint32_t i, struct dp_policy *p)
{
	dp_policy_init(p);
	p->index = i;
	p->priority = 100;
	p->dir = DP_POLICY_DIR_BOTH;
	p->action = DP_POLICY_PROTECT;
	p->sel.family = AF_INET;
	p->sel.local[0] = 172;
	p->sel.local[1] = 16;
	p->sel.local_plen = 12;
	p->sel.remote[0] = 10;
	p->sel.remote[1] = (uint8_t)(i >> 16);
	p->sel.remote[2] = (uint8_t)(i >> 8);
	p->sel.remote[3] = (uint8_t)i;
	p->sel.remote_plen = 32;
	p->n_out = 1;
	p->out[0] = 0x100000000ull + i;
	p->n_in = 1;
	p->in[0] = 0x200000000ull + i;
}

/* An outbound flow that host rule i matches. */
static inline void spd_host_flow(uint32_t i, struct dp_flow *f)
{
	memset(f, 0, sizeof(*f));
	f->family = AF_INET;
	f->proto = 17;
	f->src[0] = 172;
	f->src[1] = 17;
	f->src[3] = 9;
	f->dst[0] = 10;
	f->dst[1] = (uint8_t)(i >> 16);
	f->dst[2] = (uint8_t)(i >> 8);
	f->dst[3] = (uint8_t)i;
	f->sport = 4000;
	f->dport = 53;
}

/* Ways to make a valid rule invalid. */
static inline void spd_spoil_index(struct dp_policy *p) { p->index = 0; }
static inline void spd_spoil_dir(struct dp_policy *p) { p->dir = 0; }
static inline void spd_spoil_action(struct dp_policy *p) { p->action = 9; }
static inline void spd_spoil_bypass_sa(struct dp_policy *p) { p->action = DP_POLICY_BYPASS; }
static inline void spd_spoil_flags(struct dp_policy *p) { p->flags = 0x80; }
static inline void spd_spoil_plen(struct dp_policy *p) { p->sel.remote_plen = 33; }
static inline void spd_spoil_family(struct dp_policy *p) { p->sel.family = 7; }
static inline void spd_spoil_ports(struct dp_policy *p)
{
	p->sel.lport_min = 9;
	p->sel.lport_max = 8;
}
static inline void spd_spoil_n_in(struct dp_policy *p) { p->n_in = 5; }
static inline void spd_spoil_handle(struct dp_policy *p) { p->out[0] = DP_SA_HANDLE_INVALID; }

#endif /* TEST_SPD_UTIL_H */
