/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_sa.h: SA objects -- creation from struct dp_sa_params, free, and the
 * state and lifetime rules the packet path applies.
 *
 * Layout and the who-writes-what table: dp_sa_priv.h.  An SA is created and
 * freed by CONTROL only; workers reach it through dp_sadb (RCU) and free
 * nothing.  dp_sa_free() runs after the grace period (dp_sadb's defer
 * queue), so no worker can still hold the pointer.
 *
 * States (illumos numbers, DESIGN.md):
 *   LARVAL, DEAD, ACTIVE_ELSEWHERE: no traffic (DP_DROP_SA_STATE).
 *   MATURE, DYING, ACTIVE: traffic.
 *   IDLE: packets are held (inbound after the ICV verified and the replay
 *         window updated; outbound before a sequence number is taken), an
 *         IDLE_TRAFFIC event is raised once; dp_sa_set_state(ACTIVE)
 *         releases them, DEAD or delete drops them.
 */
#ifndef DP_SA_H
#define DP_SA_H

#include <stdbool.h>
#include <stdint.h>

#include "dpsec/dp.h"
#include "dp_sa_priv.h"

/* Validate parameters: 0 or -EINVAL.  Pure. */
int dp_sa_params_check(const struct dp_sa_params *p, uint16_t workers);

/* Allocate and initialise an SA from p (keys copied into the cold record).
 * engine: the gateway default that replaces DP_ENGINE_DEFAULT.  now: add
 * time.  NULL with errno EINVAL / ENOMEM.  CONTROL. */
struct dp_sa *dp_sa_new(const struct dp_sa_params *p, uint16_t workers, uint8_t engine,
	uint64_t now);

/* Release the crypto session, wipe the keys, free.  NULL is a no-op.
 * CONTROL, after the grace period. */
void dp_sa_free(struct dp_sa *sa);

/* What a state means for a packet. */
enum dp_sa_admit {
	DP_SA_PASS = 0,  /* carry it */
	DP_SA_HOLD,      /* IDLE: queue it (dp_hold) and raise IDLE_TRAFFIC */
	DP_SA_DROP,      /* drop, reason in *why */
};

static inline uint8_t dp_sa_state(const struct dp_sa *sa)
{
	return __atomic_load_n(&sa->state, __ATOMIC_ACQUIRE);
}

static inline bool dp_sa_state_carries(uint8_t state)
{
	return state == SADB_SASTATE_MATURE || state == SADB_SASTATE_DYING ||
		state == SADB_X_SASTATE_ACTIVE;
}

/* Owner, per packet.  Inbound: call once before decryption (reject states
 * that never carry traffic: no decrypt work for them) and again after the
 * ICV verified (IDLE -> HOLD).  Outbound: once, before taking a sequence
 * number.  `verified` is ignored outbound. */
static inline enum dp_sa_admit dp_sa_admit(struct dp_sa *sa, bool verified, enum dp_drop *why)
{
	uint8_t state = dp_sa_state(sa);

	if (__builtin_expect(sa->expired, 0)) {
		*why = DP_DROP_HARD_LIFETIME;
		return DP_SA_DROP;
	}
	if (__builtin_expect(dp_sa_state_carries(state), 1))
		return DP_SA_PASS;
	if (state == SADB_X_SASTATE_IDLE) {
		if (sa->dir == DP_DIR_IN && !verified)
			return DP_SA_PASS; /* verify first; hold only real packets */
		if ((sa->raised & DP_SA_EV_IDLE_TRAFFIC) == 0) {
			sa->raised |= DP_SA_EV_IDLE_TRAFFIC;
			sa->pending |= DP_SA_EV_IDLE_TRAFFIC;
		}
		return DP_SA_HOLD;
	}
	*why = DP_DROP_SA_STATE;
	return DP_SA_DROP;
}

/* Owner, once per burst: add what the burst carried, note last use, and
 * compare with the soft and hard limits.  Crossing a limit sets its bit in
 * sa->pending (once per SA); the hard limits also make the SA drop from
 * the next packet on (checked per burst: a burst may end past the limit). */
void dp_sa_account(struct dp_sa *sa, uint32_t packets, uint64_t bytes, uint64_t now);

/* Owner: take the SA-level events due (DP_SA_EV_*); dp_sa_rearm() keeps
 * undelivered ones due for the next burst. */
static inline uint32_t dp_sa_take_events(struct dp_sa *sa)
{
	uint32_t ev = sa->pending;

	sa->pending = 0;
	return ev;
}

static inline void dp_sa_rearm(struct dp_sa *sa, uint32_t ev)
{
	sa->pending |= ev;
}

/* The dp_event type of one DP_SA_EV_* bit (DP_EVENT_NONE if unknown). */
enum dp_event_type dp_sa_event_type(uint32_t ev_bit);

/* CONTROL: publish a new state.  IDLE_TRAFFIC is re-armed by the owner
 * when it releases the SA's held packets (dp_hold). */
static inline void dp_sa_publish_state(struct dp_sa *sa, uint8_t state)
{
	__atomic_store_n(&sa->state, state, __ATOMIC_RELEASE);
}

/* CONTROL: publish lifetime limits (relaxed; the owner sees them within a
 * burst or two). */
void dp_sa_publish_lifetimes(struct dp_sa *sa, const struct dp_lifetime *soft,
	const struct dp_lifetime *hard);

/* ANY: a snapshot of counters, times and sequence state. */
void dp_sa_stats(const struct dp_sa *sa, struct dp_sa_stats *st);

#endif /* DP_SA_H */
