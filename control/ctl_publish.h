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
 * When: an ev_prepare watcher republishes before the loop sleeps whenever
 * the store, the SADB or the request count changed since the last
 * publication, so every PF_KEY change reaches the dataplane before the
 * next event is handled.  One thread (the control thread).
 */
#ifndef CTL_PUBLISH_H
#define CTL_PUBLISH_H

struct ctl;
struct dp_spd;
struct ctl_publish;

/* Start publishing ctl's SPD to spd (both outlive the object).  NULL with
 * errno ENOMEM. */
struct ctl_publish *ctl_publish_new(struct ctl *ctl, struct dp_spd *spd);

/* Publish now.  0 or the -errno of dp_spd_publish (logged). */
int ctl_publish_now(struct ctl_publish *p);

/* Stop the watcher and free.  NULL is a no-op. */
void ctl_publish_free(struct ctl_publish *p);

#endif /* CTL_PUBLISH_H */
