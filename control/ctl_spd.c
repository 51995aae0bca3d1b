/* SPDX-License-Identifier: BSD-2-Clause */
/* ctl_spd.c: the policy store (see ctl_spd.h). */
#include "ctl_spd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "dpsec/pfkey.h"

struct ctl_spd {
	struct ctl_spd_rule **by_index; /* ascending index (indices only grow) */
	struct ctl_spd_rule **by_prio;  /* match order */
	uint32_t n, cap;
	uint32_t next_index;
	uint32_t max;
	uint64_t version;
};

struct ctl_spd *ctl_spd_new(uint32_t max)
{
	struct ctl_spd *spd = calloc(1, sizeof(*spd));

	if (spd != NULL) {
		spd->next_index = 1;
		spd->max = max == 0 || max > CTL_SPD_MAX ? CTL_SPD_MAX : max;
	}
	return spd;
}

void ctl_spd_flush(struct ctl_spd *spd)
{
	for (uint32_t i = 0; i < spd->n; i++)
		free(spd->by_index[i]);
	spd->n = 0;
	spd->version++;
}

void ctl_spd_free(struct ctl_spd *spd)
{
	if (spd == NULL)
		return;
	ctl_spd_flush(spd);
	free(spd->by_index);
	free(spd->by_prio);
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

/* Match order: priority, then index. */
static int prio_cmp(const struct ctl_spd_rule *a, const struct ctl_spd_rule *b)
{
	if (a->pol.sadb_x_pol_priority != b->pol.sadb_x_pol_priority)
		return a->pol.sadb_x_pol_priority < b->pol.sadb_x_pol_priority ? -1 : 1;
	if (a->pol.sadb_x_pol_index != b->pol.sadb_x_pol_index)
		return a->pol.sadb_x_pol_index < b->pol.sadb_x_pol_index ? -1 : 1;
	return 0;
}

static bool same_rule(const struct ctl_spd_rule *a, const struct ctl_spd_rule *b)
{
	return a->pol.sadb_x_pol_dir == b->pol.sadb_x_pol_dir &&
	       a->pol.sadb_x_pol_priority == b->pol.sadb_x_pol_priority &&
	       memcmp(&a->sel, &b->sel, sizeof(a->sel)) == 0 && a->has_inner == b->has_inner &&
	       (!a->has_inner || memcmp(&a->inner, &b->inner, sizeof(a->inner)) == 0);
}

int ctl_spd_add(struct ctl_spd *spd, struct ctl_spd_rule *rule, uint16_t *diag)
{
	struct ctl_spd_rule *copy;
	uint32_t pos;

	for (uint32_t i = 0; i < spd->n; i++) {
		if (same_rule(spd->by_index[i], rule)) {
			*diag = SADB_X_DIAGNOSTIC_DPSEC_POLICY_EXISTS;
			return -EEXIST;
		}
	}
	if (spd->n >= spd->max || spd->next_index == UINT32_MAX) {
		*diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		return -ENOSPC;
	}
	if (spd->n == spd->cap) {
		uint32_t cap = spd->cap ? spd->cap * 2 : 16;
		struct ctl_spd_rule **a = realloc(spd->by_index, cap * sizeof(*a));

		if (a == NULL)
			goto nomem;
		spd->by_index = a;
		a = realloc(spd->by_prio, cap * sizeof(*a));
		if (a == NULL)
			goto nomem;
		spd->by_prio = a;
		spd->cap = cap;
	}
	copy = malloc(sizeof(*copy));
	if (copy == NULL)
		goto nomem;
	rule->pol.sadb_x_pol_index = spd->next_index++;
	*copy = *rule;
	spd->by_index[spd->n] = copy;
	for (pos = spd->n; pos > 0 && prio_cmp(spd->by_prio[pos - 1], copy) > 0; pos--)
		spd->by_prio[pos] = spd->by_prio[pos - 1];
	spd->by_prio[pos] = copy;
	spd->n++;
	spd->version++;
	return 0;
nomem:
	*diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
	return -ENOMEM;
}

/* Binary search in by_index: position of index, or of the first greater. */
static uint32_t index_pos(const struct ctl_spd *spd, uint32_t index)
{
	uint32_t lo = 0, hi = spd->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (spd->by_index[mid]->pol.sadb_x_pol_index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct ctl_spd_rule *ctl_spd_get(const struct ctl_spd *spd, uint32_t index)
{
	uint32_t pos = index_pos(spd, index);

	if (pos < spd->n && spd->by_index[pos]->pol.sadb_x_pol_index == index)
		return spd->by_index[pos];
	return NULL;
}

int ctl_spd_delete(struct ctl_spd *spd, uint32_t index, struct ctl_spd_rule *out)
{
	uint32_t pos = index_pos(spd, index), p;
	struct ctl_spd_rule *r;

	if (pos >= spd->n || spd->by_index[pos]->pol.sadb_x_pol_index != index)
		return -ENOENT;
	r = spd->by_index[pos];
	memmove(&spd->by_index[pos], &spd->by_index[pos + 1],
		(spd->n - pos - 1) * sizeof(r));
	for (p = 0; spd->by_prio[p] != r; p++)
		;
	memmove(&spd->by_prio[p], &spd->by_prio[p + 1], (spd->n - p - 1) * sizeof(r));
	spd->n--;
	spd->version++;
	if (out != NULL)
		*out = *r;
	free(r);
	return 0;
}

const struct ctl_spd_rule *ctl_spd_at(const struct ctl_spd *spd, uint32_t pos)
{
	return pos < spd->n ? spd->by_prio[pos] : NULL;
}

const struct ctl_spd_rule *ctl_spd_next_by_index(const struct ctl_spd *spd, uint32_t after)
{
	uint32_t pos = index_pos(spd, after + 1);

	return pos < spd->n ? spd->by_index[pos] : NULL;
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
	for (uint32_t i = 0; i < spd->n; i++) {
		const struct ctl_spd_rule *r = spd->by_prio[i];
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
