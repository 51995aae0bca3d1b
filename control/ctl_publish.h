/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_publish.h: the control thread publishes its SPD store, with each
 * rule bound to its SAs, to the dataplane's policy lookup (dp_spd).
 *
 * Binding (what an ipsec rule's SAs are): for each SA type the rule
 * requires (sareq: ESP, AH, or both for an AH-over-ESP bundle), the SAs of
 * that type whose algorithms the rule accepts and whose addresses are the
 * rule's: tunnel mode, the tunnel endpoints (outbound SA src = local
 * endpoint, dst = remote; inbound the reverse); transport mode, addresses
 * inside the selector's local and remote prefixes.  Outbound, the best one
 * (MATURE/ACTIVE before DYING/IDLE, then the newest) is used: a rekey's new
 * SA takes over once added.  Inbound, every match is accepted (old and new
 * during a rekey), up to DP_POLICY_IN_SA_MAX.  A rule without an outbound
 * SA makes the dataplane raise ACQUIRE.
 *
 * Outbound ties (same state rank, same add time) go to the SA first in
 * SADB slot order; inbound, the first DP_POLICY_IN_SA_MAX in slot order.
 *
 * When: an ev_prepare watcher pushes before the loop sleeps what changed
 * since the last publication (rules added or deleted, rules whose SAs
 * changed: ctl_publish_* hooks in ctl_priv.h), so every PF_KEY change
 * reaches the dataplane before the next event is handled.  Incremental
 * (dp_spd_policy_set/_del, one dp_spd_commit) unless a flush, a failure
 * or a dirty set of a quarter of the rules asks for a whole publication.
 * Costs and limits: docs/CONTROL.md "Publication".  One thread (the
 * control thread).
 */
#ifndef CTL_PUBLISH_H
#define CTL_PUBLISH_H

#include <stdint.h>

struct ctl;
struct dp_spd;
struct ctl_publish;

/* Start publishing ctl's SPD to spd (both outlive the object).  NULL with
 * errno ENOMEM. */
struct ctl_publish *ctl_publish_new(struct ctl *ctl, struct dp_spd *spd);

/* Publish everything now (dp_spd_publish).  0 or its -errno (logged). */
int ctl_publish_now(struct ctl_publish *p);

/* Stop the watcher and free.  NULL is a no-op. */
void ctl_publish_free(struct ctl_publish *p);

/* Push what changed since the last publication now (what the watcher does
 * before the loop sleeps).  0 or -errno (logged; the next call publishes
 * everything). */
int ctl_publish_sync(struct ctl_publish *p);

/* Tests: the binding of every PROTECT rule as last pushed equals the
 * reference (ctl_publish_reference); else -EDOM with *bad = its index.
 * Meaningful after ctl_publish_sync(). */
int ctl_publish_verify(struct ctl_publish *p, uint32_t *bad);

/* The reference binding: rule r as dp_policy, its SAs found by walking
 * the whole SADB (O(SAs), the definition the indexes must agree with). */
struct ctl_spd_rule;
struct dp_policy;
void ctl_publish_reference(struct ctl *ctl, const struct ctl_spd_rule *r, struct dp_policy *p);

struct ctl_publish_stats {
	uint64_t full;      /* whole-set publications (dp_spd_publish) */
	uint64_t commits;   /* incremental ones (dp_spd_commit) */
	uint64_t sets;      /* dp_spd_policy_set calls */
	uint64_t rebinds;   /* dirty rules whose binding was recomputed */
	uint64_t walks;     /* bindings that walked the SADB (broad rules) */
	uint64_t failures;
};
void ctl_publish_get_stats(const struct ctl_publish *p, struct ctl_publish_stats *st);

#endif /* CTL_PUBLISH_H */
