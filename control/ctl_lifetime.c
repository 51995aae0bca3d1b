/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_lifetime.c: time lifetimes on libev timers, and EXPIRE.
 *
 * Each SA has one ev_timer (embedded in its record) set to its earliest
 * pending deadline: LARVAL timeout, soft/hard addtime (from the ADD),
 * soft/hard usetime (from the first use) and the idle period.  Use times
 * come from the dataplane (dp_sa_get_stats().last_use, seconds): the
 * dataplane tells nobody when an SA is first used, so an SA with use-time
 * or idle limits that has not been seen used is looked at again every
 * CTL_USE_POLL_S seconds; its first use is then known to that precision.
 *
 * Byte and packet lifetimes are counted by the dataplane, which raises
 * events (ctl_event.c) that end here too: soft -> EXPIRE(soft) and state
 * DYING; hard -> EXPIRE(hard) and the SA is removed from the dataplane.
 *
 * Idle: no traffic for idle addtime seconds since the ADD (before the
 * first use) or idle usetime seconds since the last use sends
 * EXPIRE(idle) once; traffic re-arms it.  The SA stays: the key manager
 * decides (delete, or dead-peer detection as in.iked does).
 */
#include <math.h>
#include <string.h>

#include "ctl_priv.h"

#define CTL_USE_POLL_S 1.0

static void lifetime_cb(struct ev_loop *loop, ev_timer *w, int revents);

/* Idle periods before and after the first use; false when none is set.
 * One given alone serves for both. */
static bool idle_periods(const struct ctl_sa *sa, uint64_t *before, uint64_t *after)
{
	uint64_t a = sa->idle.sadb_lifetime_addtime, u = sa->idle.sadb_lifetime_usetime;

	if (sa->idle.sadb_lifetime_exttype == 0 || (a == 0 && u == 0))
		return false;
	*before = a != 0 ? a : u;
	*after = u != 0 ? u : a;
	return true;
}

static void earliest(double *best, double t)
{
	if (t < *best)
		*best = t;
}

/* The deadlines of sa given its current use times; INFINITY = none. */
static double next_deadline(const struct ctl *ctl, const struct ctl_sa *sa, uint64_t last_use)
{
	double now = ctl_now(ctl), t = INFINITY;
	double add = sa->added;
	uint64_t before, after;
	bool poll_use = false;

	if (sa->state == SADB_SASTATE_LARVAL && sa->handle == DP_SA_HANDLE_INVALID)
		return add + ctl->params.larval_timeout_s;
	if (sa->hard.sadb_lifetime_addtime != 0)
		earliest(&t, add + (double)sa->hard.sadb_lifetime_addtime);
	if (sa->soft.sadb_lifetime_addtime != 0 && !(sa->expired & CTL_EXP_SOFT))
		earliest(&t, add + (double)sa->soft.sadb_lifetime_addtime);
	if (sa->hard.sadb_lifetime_usetime != 0) {
		if (sa->first_use != 0)
			earliest(&t, (double)(sa->first_use + sa->hard.sadb_lifetime_usetime));
		else
			poll_use = true;
	}
	if (sa->soft.sadb_lifetime_usetime != 0 && !(sa->expired & CTL_EXP_SOFT)) {
		if (sa->first_use != 0)
			earliest(&t, (double)(sa->first_use + sa->soft.sadb_lifetime_usetime));
		else
			poll_use = true;
	}
	if (idle_periods(sa, &before, &after)) {
		if (sa->expired & CTL_EXP_IDLE)
			poll_use = true; /* to see traffic come back */
		else if (last_use != 0)
			earliest(&t, (double)(last_use + after));
		else
			earliest(&t, add + (double)before);
	}
	if (poll_use)
		earliest(&t, now + CTL_USE_POLL_S);
	return t;
}

static uint64_t last_use_of(struct ctl *ctl, const struct ctl_sa *sa)
{
	struct dp_sa_stats st;

	if (sa->handle == DP_SA_HANDLE_INVALID || dp_sa_get_stats(ctl->dp, sa->handle, &st) != 0)
		return 0;
	return st.last_use;
}

void ctl_lifetime_arm(struct ctl *ctl, struct ctl_sa *sa)
{
	double t = next_deadline(ctl, sa, last_use_of(ctl, sa)), delay;

	ev_timer_stop(ctl->loop, &sa->timer);
	if (isinf(t))
		return;
	delay = t - ctl_now(ctl);
	if (delay < 0)
		delay = 0;
	ev_timer_init(&sa->timer, lifetime_cb, delay, 0.);
	sa->timer.data = sa;
	ev_timer_start(ctl->loop, &sa->timer);
}

void ctl_expire_send(struct ctl *ctl, struct ctl_sa *sa, uint16_t which)
{
	const struct sadb_lifetime *lt = which == SADB_EXT_LIFETIME_HARD ? &sa->hard :
					 which == SADB_EXT_LIFETIME_SOFT ? &sa->soft : &sa->idle;
	struct dp_sa_stats st;
	struct pfk_builder b;
	size_t off = 0;
	int n;

	memset(&st, 0, sizeof(st));
	if (sa->handle != DP_SA_HANDLE_INVALID)
		dp_sa_get_stats(ctl->dp, sa->handle, &st);
	pfk_build_init(&b, ctl->wbuf, sizeof(ctl->wbuf), SADB_EXPIRE, sa->satype, ++ctl->seq, 0);
	pfk_add_sa(&b, sa->spi, sa->has_rw ? (uint8_t)(sa->window > 255 ? 255 : sa->window) :
					     sa->replay8,
		   sa->state, sa->auth, sa->encrypt, sa->flags);
	pfk_add_lifetime(&b, SADB_EXT_LIFETIME_CURRENT,
			 st.packets > UINT32_MAX ? UINT32_MAX : (uint32_t)st.packets, st.bytes,
			 sa->add_time, sa->first_use);
	pfk_add_lifetime(&b, which, lt->sadb_lifetime_allocations, lt->sadb_lifetime_bytes,
			 lt->sadb_lifetime_addtime, lt->sadb_lifetime_usetime);
	/* The addresses only (EXPIRE carries no keys or identities). */
	while (off < sa->ext_len) {
		const struct sadb_ext *e = (const void *)(sa->ext + off);
		size_t len = (size_t)e->sadb_ext_len * 8;

		switch (e->sadb_ext_type) {
		case SADB_EXT_ADDRESS_SRC:
		case SADB_EXT_ADDRESS_DST:
		case SADB_X_EXT_ADDRESS_INNER_SRC:
		case SADB_X_EXT_ADDRESS_INNER_DST:
		case SADB_X_EXT_ADDRESS_NATT_LOC:
		case SADB_X_EXT_ADDRESS_NATT_REM:
			pfk_add_ext(&b, e->sadb_ext_type, e + 1, len - sizeof(*e));
			break;
		default:
			break;
		}
		off += len;
	}
	n = pfk_build_finish(&b);
	if (n < 0)
		return;
	ctl->stats.expires_sent++;
	ctl_send_all(ctl, NULL, ctl->wbuf, (size_t)n);
}

void ctl_lifetime_soft(struct ctl *ctl, struct ctl_sa *sa)
{
	if (sa->expired & CTL_EXP_SOFT)
		return;
	sa->expired |= CTL_EXP_SOFT;
	/* Cluster states say who serves the SA; only MATURE becomes DYING. */
	if (sa->state == SADB_SASTATE_MATURE && dp_sa_set_state(ctl->dp, sa->handle,
								SADB_SASTATE_DYING) == 0) {
		sa->state = SADB_SASTATE_DYING;
		ctl_publish_sa_changed(ctl, sa);
	}
	ctl_expire_send(ctl, sa, SADB_EXT_LIFETIME_SOFT);
}

void ctl_lifetime_hard(struct ctl *ctl, struct ctl_sa *sa)
{
	sa->expired |= CTL_EXP_HARD;
	sa->state = SADB_SASTATE_DEAD;
	ctl_expire_send(ctl, sa, SADB_EXT_LIFETIME_HARD);
	ctl_sa_destroy(ctl, sa);
}

static bool due(double deadline, double now)
{
	return deadline <= now + 0.001;
}

static void lifetime_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_sa *sa = w->data;
	struct ctl *ctl = sa->ctl;
	double now = ev_now(loop), add = sa->added;
	uint64_t last_use, before, after;

	(void)revents;
	if (sa->state == SADB_SASTATE_LARVAL && sa->handle == DP_SA_HANDLE_INVALID) {
		/* Never keyed: forget it quietly (illumos does the same). */
		ctl_sa_destroy(ctl, sa);
		return;
	}
	last_use = last_use_of(ctl, sa);
	if (last_use != 0 && sa->first_use == 0)
		sa->first_use = last_use;
	if ((sa->hard.sadb_lifetime_addtime != 0 &&
	     due(add + (double)sa->hard.sadb_lifetime_addtime, now)) ||
	    (sa->hard.sadb_lifetime_usetime != 0 && sa->first_use != 0 &&
	     due((double)(sa->first_use + sa->hard.sadb_lifetime_usetime), now))) {
		ctl_lifetime_hard(ctl, sa);
		goto out;
	}
	if ((sa->soft.sadb_lifetime_addtime != 0 &&
	     due(add + (double)sa->soft.sadb_lifetime_addtime, now)) ||
	    (sa->soft.sadb_lifetime_usetime != 0 && sa->first_use != 0 &&
	     due((double)(sa->first_use + sa->soft.sadb_lifetime_usetime), now)))
		ctl_lifetime_soft(ctl, sa);
	if (idle_periods(sa, &before, &after)) {
		if ((sa->expired & CTL_EXP_IDLE) && last_use != sa->idle_seen) {
			sa->expired &= ~CTL_EXP_IDLE; /* traffic again */
		} else if (!(sa->expired & CTL_EXP_IDLE)) {
			double t = last_use != 0 ? (double)(last_use + after) : add + (double)before;

			if (due(t, now)) {
				sa->expired |= CTL_EXP_IDLE;
				sa->idle_seen = last_use;
				ctl_expire_send(ctl, sa, SADB_X_EXT_LIFETIME_IDLE);
			}
		}
	}
	ctl_lifetime_arm(ctl, sa);
out:
	ctl_client_reap(ctl);
}
