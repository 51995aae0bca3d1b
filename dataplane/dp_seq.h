/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_seq.h: outbound sequence numbers and the sequence lease.
 *
 * Sequence space: a 32-bit SA sends 1 .. 2^32-1 and an ESN SA 1 .. 2^64-1;
 * neither ever wraps.  At the end the SA stops: every further packet is
 * dropped and counted as DP_DROP_SEQ_EXHAUSTED (RFC 4303 3.3.3: rekey
 * instead of cycling).
 *
 * Lease (docs/DATAPLANE.md): the SA never sends a sequence number at or
 * above lease_limit (drop, DP_DROP_LEASE_EXHAUSTED).  When half of the
 * current lease is used (counted from the last number sent when the lease
 * was seen), DP_SEQ_EV_LEASE_LOW is raised once.  The control thread may
 * publish a new limit at any time with dp_seq_set_lease() (release store);
 * the owner reads it with an acquire load on every packet and re-arms the
 * half-use mark when it changes.  lease_limit is the only hot field written
 * by another thread than the owner.  0 = no lease.
 *
 * IV rule: counter-mode ciphers (AES-GCM, AES-CTR, ChaCha20-Poly1305,
 * AES-GMAC) use the 64-bit sequence number returned here as their 8-byte
 * explicit IV.  It is unique under a key because a number is handed out at
 * most once per SA (no wrap; the lease keeps it unique across restarts and
 * failover), so the (salt, IV) nonce never repeats.
 *
 * Single writer (the owner worker) except lease_limit.  Pure C, no DPDK.
 */
#ifndef DP_SEQ_H
#define DP_SEQ_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "dp_counters.h"

/* Events for the owner to raise (dp_seq_take_events()). */
#define DP_SEQ_EV_LEASE_LOW 0x1u
#define DP_SEQ_EV_LEASE_EXHAUSTED 0x2u
#define DP_SEQ_EV_SEQ_EXHAUSTED 0x4u

struct dp_seq {
	uint64_t last;        /* last number sent; owner writes, CONTROL reads */
	uint64_t max;         /* UINT32_MAX or UINT64_MAX */
	uint64_t lease_limit; /* CONTROL: release store; owner: acquire load */
	uint64_t lease_seen;  /* the limit the owner last acted on */
	uint64_t lease_half;  /* raise LEASE_LOW when last reaches it; 0 = no */
	uint32_t pending;     /* DP_SEQ_EV_* due, not yet taken */
	uint32_t raised;      /* DP_SEQ_EV_* already raised for this lease */
};

/* last: the last number already sent (0 for a new SA).  -EINVAL when a
 * 32-bit SA's last >= 2^32.  Before the SA is published. */
static inline int dp_seq_init(struct dp_seq *s, bool esn, uint64_t last, uint64_t lease_limit)
{
	s->max = esn ? UINT64_MAX : UINT32_MAX;
	if (last > s->max)
		return -EINVAL;
	s->last = last;
	s->lease_limit = lease_limit;
	s->lease_seen = ~lease_limit; /* differ: the first packet arms the lease */
	s->lease_half = 0;
	s->pending = 0;
	s->raised = 0;
	return 0;
}

/* CONTROL: publish a new lease limit. */
static inline void dp_seq_set_lease(struct dp_seq *s, uint64_t limit)
{
	__atomic_store_n(&s->lease_limit, limit, __ATOMIC_RELEASE);
}

/* ANY: the last number sent and the current limit (relaxed snapshot). */
static inline uint64_t dp_seq_last(const struct dp_seq *s)
{
	return __atomic_load_n(&s->last, __ATOMIC_RELAXED);
}

static inline uint64_t dp_seq_lease(const struct dp_seq *s)
{
	return __atomic_load_n(&s->lease_limit, __ATOMIC_ACQUIRE);
}

/* Owner: a new limit was seen; the lease runs from the last number sent. */
static inline void dp_seq_lease_changed(struct dp_seq *s, uint64_t limit)
{
	s->lease_seen = limit;
	s->raised &= ~(DP_SEQ_EV_LEASE_LOW | DP_SEQ_EV_LEASE_EXHAUSTED);
	s->pending &= ~(DP_SEQ_EV_LEASE_LOW | DP_SEQ_EV_LEASE_EXHAUSTED);
	if (limit == 0 || limit <= s->last + 1) {
		s->lease_half = 0; /* no lease, or nothing left to half-use */
		return;
	}
	/* Numbers left: last + 1 .. limit - 1; half used at about last + left/2. */
	s->lease_half = s->last + (limit - s->last) / 2;
	if (s->lease_half <= s->last)
		s->lease_half = s->last + 1;
}

static inline void dp_seq_raise(struct dp_seq *s, uint32_t ev)
{
	if ((s->raised & ev) == 0) {
		s->raised |= ev;
		s->pending |= ev;
	}
}

/* Owner: the next sequence number for one packet.  DP_DROP_NONE and *seq,
 * or DP_DROP_SEQ_EXHAUSTED / DP_DROP_LEASE_EXHAUSTED (nothing consumed). */
static inline enum dp_drop dp_seq_next(struct dp_seq *s, uint64_t *seq)
{
	uint64_t limit = __atomic_load_n(&s->lease_limit, __ATOMIC_ACQUIRE);
	uint64_t next;

	if (__builtin_expect(limit != s->lease_seen, 0))
		dp_seq_lease_changed(s, limit);
	if (__builtin_expect(s->last >= s->max, 0)) {
		dp_seq_raise(s, DP_SEQ_EV_SEQ_EXHAUSTED);
		return DP_DROP_SEQ_EXHAUSTED;
	}
	next = s->last + 1;
	if (__builtin_expect(limit != 0 && next >= limit, 0)) {
		dp_seq_raise(s, DP_SEQ_EV_LEASE_EXHAUSTED);
		return DP_DROP_LEASE_EXHAUSTED;
	}
	__atomic_store_n(&s->last, next, __ATOMIC_RELAXED);
	if (__builtin_expect(s->lease_half != 0 && next >= s->lease_half, 0)) {
		s->lease_half = 0;
		dp_seq_raise(s, DP_SEQ_EV_LEASE_LOW);
	}
	*seq = next;
	return DP_DROP_NONE;
}

/* Owner, once per burst: the events due since the last call.  If the event
 * cannot be delivered, dp_seq_rearm() lets the next burst raise it again. */
static inline uint32_t dp_seq_take_events(struct dp_seq *s)
{
	uint32_t ev = s->pending;

	s->pending = 0;
	return ev;
}

static inline void dp_seq_rearm(struct dp_seq *s, uint32_t ev)
{
	s->pending |= ev & s->raised; /* still due: retried next burst */
}

/* CONTROL, while the SA carries no traffic: move the last number sent
 * forward (cluster take-over).  -ERANGE if it would go back or past max. */
static inline int dp_seq_set_last(struct dp_seq *s, uint64_t last)
{
	if (last < s->last || last > s->max)
		return -ERANGE;
	__atomic_store_n(&s->last, last, __ATOMIC_RELAXED);
	s->lease_seen = ~__atomic_load_n(&s->lease_limit, __ATOMIC_RELAXED);
	return 0;
}

#endif /* DP_SEQ_H */
