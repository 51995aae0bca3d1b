/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_spd.h: the control thread's policy store (SPD).
 *
 * Rules are kept twice: by index (the name clients use) and in match order
 * (priority, lower first; then index, older first).  The store is
 * authoritative; ctl_publish.c publishes it to the dataplane:
 * ctl_spd_version() changes on every change, and ctl_spd_first()/_next()
 * walk the rules in match order.  Up to a million rules: add, delete and
 * get cost O(1) or O(log distinct priorities), never O(rules); only
 * ctl_spd_match() (inverse ACQUIRE) walks.
 *
 * libc only (no libev, no DPSK): unit-testable alone.  One thread.
 */
#ifndef CTL_SPD_H
#define CTL_SPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dpsec/pfkeyv2.h"

struct pfk_msg;

#define CTL_SPD_SAREQ_MAX 16u
/* As many rules as the dataplane takes (DP_SPD_RULES_MAX; this header is
 * libc only, ctl_publish.c asserts they agree). */
#define CTL_SPD_MAX (1u << 20)

struct ctl_spd_rule {
	struct sadb_x_dpsec_policy pol;   /* index assigned by the store */
	struct sadb_x_dpsec_selector sel;
	struct sadb_x_dpsec_selector inner;
	bool has_inner;
	unsigned int nsareq;
	struct sadb_x_dpsec_sareq sareq[CTL_SPD_SAREQ_MAX];
	/* Tunnel endpoints (ADDRESS_SRC/DST extensions in wire form), or
	 * empty. */
	_Alignas(8) uint8_t endpoints[2 * 40];
	size_t endpoints_len;
};

/* A flow to match: addresses in network order (IPv4 in the first 4
 * bytes), ports in host order; ICMP type and code in sport/dport as in
 * struct dp_flow (sport = type << 8 | code). */
struct ctl_spd_flow {
	uint8_t dir;        /* SADB_X_DPSEC_DIR_IN / _OUT */
	uint8_t family;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];   /* local, remote as the selector names them */
	bool has_outer;             /* tunnel endpoints given: must agree */
	uint8_t outer_src[16], outer_dst[16];
};

struct ctl_spd;

/* A store of at most max rules (<= CTL_SPD_MAX). */
struct ctl_spd *ctl_spd_new(uint32_t max);
void ctl_spd_free(struct ctl_spd *spd);

/* Fill a rule from a validated SPDADD (pfk_check passed).  Returns 0, or
 * -EINVAL with *diag. */
int ctl_spd_rule_from_msg(const struct pfk_msg *m, struct ctl_spd_rule *out, uint16_t *diag);

/* Add a rule; its index is assigned (out: rule->pol.sadb_x_pol_index).
 * -EEXIST (DPSEC_POLICY_EXISTS: same direction, priority and selectors),
 * -ENOSPC (DPSEC_NO_RESOURCES), -ENOMEM. */
int ctl_spd_add(struct ctl_spd *spd, struct ctl_spd_rule *rule, uint16_t *diag);
/* Remove by index into *out (may be NULL).  -ENOENT (POLICY_NOTFOUND). */
int ctl_spd_delete(struct ctl_spd *spd, uint32_t index, struct ctl_spd_rule *out);
const struct ctl_spd_rule *ctl_spd_get(const struct ctl_spd *spd, uint32_t index);
/* Walk in match order: the first rule, the one after r (a rule of this
 * store); NULL at the end.  O(1) each. */
const struct ctl_spd_rule *ctl_spd_first(const struct ctl_spd *spd);
const struct ctl_spd_rule *ctl_spd_next(const struct ctl_spd *spd, const struct ctl_spd_rule *r);
/* Position (in match order) of the first rule with index > after; used by
 * dump cursors that must survive changes between calls. */
const struct ctl_spd_rule *ctl_spd_next_by_index(const struct ctl_spd *spd, uint32_t after);
uint32_t ctl_spd_count(const struct ctl_spd *spd);
void ctl_spd_flush(struct ctl_spd *spd);
uint64_t ctl_spd_version(const struct ctl_spd *spd);
/* First rule in match order that matches the flow, or NULL. */
const struct ctl_spd_rule *ctl_spd_match(const struct ctl_spd *spd, const struct ctl_spd_flow *f);
/* Does one selector match the flow's addresses/ports? */
bool ctl_spd_selector_match(const struct sadb_x_dpsec_selector *s, const struct ctl_spd_flow *f);

/* Append the rule's extensions (policy, selector, inner, sareqs,
 * endpoints) to a builder. */
struct pfk_builder;
void ctl_spd_rule_build(const struct ctl_spd_rule *rule, struct pfk_builder *b);

#endif /* CTL_SPD_H */
