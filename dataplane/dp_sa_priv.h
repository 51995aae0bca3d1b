/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_sa_priv.h: the layout of an SA, for the dataplane's own files.
 *
 * Two records per SA (after VPP's ipsec_sa.h):
 *   - struct dp_sa_cold: the control record -- the parameters as given
 *     (keys included), add time, crypto teardown.  Touched by CONTROL and by
 *     crypto session setup, never per packet.  Keys are wiped on free.
 *   - struct dp_sa: what workers touch, cache-aligned:
 *       line 0   read-mostly: identity, state, flags, crypto session;
 *       line 1   lifetime limits (CONTROL writes, relaxed) and last use;
 *       line 2-5 owner-written counters;
 *       then     the direction's runtime: the outbound sequence/lease
 *                (struct dp_seq), or the inbound replay window, whose
 *                bitmap follows the struct in the same allocation.
 *
 * Who writes what:
 *   CONTROL  state (release), soft/hard limits (relaxed), lease_limit
 *            (release, inside dp_seq); everything else before publication.
 *   owner    counters, last_use, expired, raised/pending events, seq/replay.
 *   others   nothing; a worker that is not the owner only reads identity
 *            and owner, to hand the packet over.
 */
#ifndef DP_SA_PRIV_H
#define DP_SA_PRIV_H

#include <assert.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include "dpsec/dp.h"
#include "dp_counters.h"
#include "dp_replay.h"
#include "dp_seq.h"

#define DP_CACHE_LINE 64

struct dp_sa_cold {
	struct dp_sa_params params; /* keys inside: wiped by dp_sa_free() */
	uint64_t add_time;          /* seconds since the epoch */
	/* Set by the crypto engine with the session in dp_sa.crypto; called
	 * by dp_sa_free() (after the grace period) to release it. */
	void (*crypto_free)(void *crypto);
};

/* SA-level events raised at most once (bits in dp_sa.raised). */
#define DP_SA_EV_SOFT_BYTES 0x01u
#define DP_SA_EV_SOFT_PACKETS 0x02u
#define DP_SA_EV_HARD_BYTES 0x04u
#define DP_SA_EV_HARD_PACKETS 0x08u
#define DP_SA_EV_IDLE_TRAFFIC 0x10u /* re-armed when the SA leaves IDLE */

struct dp_sa {
	/* Line 0: read on every packet; written before publication, except
	 * state. */
	alignas(DP_CACHE_LINE) uint32_t spi; /* network order */
	uint8_t satype;
	uint8_t dir;
	uint8_t mode;
	uint8_t state;       /* CONTROL release-stores; workers acquire-load */
	uint16_t owner;
	uint8_t icv_len;
	uint8_t esn;
	uint32_t flags;      /* DP_SA_F_* */
	uint8_t family;      /* of dst */
	uint8_t engine;      /* enum dp_engine, DEFAULT resolved */
	uint16_t natt_sport;
	dp_sa_handle_t handle;
	struct dp_sa_cold *cold;
	void *crypto;        /* engine session (dp_crypto*); NULL until set */
	uint16_t natt_dport;
	uint8_t dscp;
	uint8_t reserved0[5];
	uint8_t reserved1[8];

	/* Line 1: lifetimes (limits from CONTROL, use from the owner). */
	alignas(DP_CACHE_LINE) struct dp_lifetime soft; /* 0 = none; relaxed */
	struct dp_lifetime hard;
	uint64_t last_use;   /* owner: seconds since the epoch, 0 = never */
	uint32_t raised;     /* owner: DP_SA_EV_* raised once */
	uint32_t pending;    /* owner: DP_SA_EV_* due, not yet delivered */
	uint8_t expired;     /* owner: hard limit reached, SA drops */
	uint8_t reserved2[7];
	uint32_t held;       /* owner: packets in the IDLE hold queue */
	uint32_t reserved3;

	/* Lines 2..: owner-written counters. */
	alignas(DP_CACHE_LINE) struct dp_sa_counters counters;

	/* The direction's runtime, own line(s). */
	alignas(DP_CACHE_LINE) union {
		struct dp_seq out;        /* dir == DP_DIR_OUT */
		struct dp_replay *in;     /* dir == DP_DIR_IN: follows the SA */
	} rt;
	/* Outbound tunnel, beside the sequence number: what the outer IPv4
	 * header takes from the cold record, so that encapsulation does not
	 * read it per packet.  Owner: filled on the SA's first packet
	 * (dp_esp_out.c); the parameters it copies never change. */
	struct dp_sa_outer {
		uint8_t ready;       /* the fields below are valid */
		uint8_t v6;          /* outer family is IPv6 (not cached) */
		uint8_t len;         /* outer header bytes: 20 or 40 */
		uint8_t reserved;
		uint32_t sum;        /* IPv4: unfolded sum of 0x45, TTL, addresses */
		uint8_t addr[8];     /* IPv4: source, destination */
	} outer;
};

/* Pin the hot layout: line 0 holds everything a packet needs to find its
 * way; the counters never share a line with the CONTROL-written limits. */
static_assert(offsetof(struct dp_sa, soft) == 1 * DP_CACHE_LINE, "dp_sa line 0 overflow");
static_assert(offsetof(struct dp_sa, counters) == 2 * DP_CACHE_LINE, "dp_sa line 1 overflow");
static_assert(offsetof(struct dp_sa, rt) % DP_CACHE_LINE == 0, "dp_sa runtime line");
static_assert(sizeof(struct dp_seq) <= DP_CACHE_LINE, "dp_seq fits a line");
static_assert(offsetof(struct dp_sa, rt) == 6 * DP_CACHE_LINE, "dp_sa counters: 4 lines");
static_assert(sizeof(struct dp_sa) == 7 * DP_CACHE_LINE, "dp_sa size pinned");
static_assert(offsetof(struct dp_sa, outer) / DP_CACHE_LINE == 6, "outer beside dp_seq");

#endif /* DP_SA_PRIV_H */
