/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_sadb.h: the SA table.  One writer (CONTROL), lock-free readers
 * (workers), RCU (rte_rcu_qsbr) reclamation.
 *
 *   - By identity (SPI, destination, SA type): an rte_hash created with
 *     RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF, O(1) at any size (tested at
 *     1M).  It holds SAs of both directions -- PF_KEY names every SA by this
 *     triple -- so the inbound path must check dir (dp_sadb_lookup_in does).
 *   - By handle: slot index into an array of SA pointers, published with
 *     release stores and read with acquire loads, plus a generation so a
 *     stale handle misses.  Policies name outbound SAs this way.
 *
 * Deleting unpublishes the SA from both (hash delete, slot store NULL) and
 * hands it to an RCU defer queue; it is freed only once every worker that
 * was online has reported a quiescent state since.  The hash's own key
 * slots are reclaimed the same way (rte_hash_rcu_qsbr_add).  Workers must
 * not keep an SA pointer across dp_worker_quiescent().
 */
#ifndef DP_SADB_H
#define DP_SADB_H

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "dpsec/dp.h"
#include "dp_sa.h"

struct rte_hash;
struct rte_rcu_qsbr;
struct rte_rcu_qsbr_dq;

/* The table (dp_sadb.c's alone, except that dp_sadb_get() below reads
 * slots and max: it is inline because every outbound packet calls it). */
struct dp_sadb {
	struct rte_hash *hash;
	struct rte_rcu_qsbr *qsbr;
	struct rte_rcu_qsbr_dq *dq; /* SAs waiting for their grace period */
	struct dp_sa **slots;       /* published SA per slot (release/acquire) */
	uint32_t *gen;              /* generation per slot, never 0 */
	uint32_t *free_slots;       /* stack of free slot indexes */
	uint32_t nfree;
	uint32_t max;
	uint32_t count;
};

/* The hash key: identity of an SA.  Zero the whole struct before filling
 * (the padding is hashed). */
struct dp_sa_key {
	uint32_t spi;       /* network order */
	uint8_t satype;
	uint8_t family;
	uint16_t reserved;  /* 0 */
	uint8_t dst[16];    /* network order; IPv4 in the first 4 bytes */
};

static inline void dp_sa_key_make(struct dp_sa_key *k, uint32_t spi, uint8_t satype,
	uint8_t family, const uint8_t *dst)
{
	*k = (struct dp_sa_key){ .spi = spi, .satype = satype, .family = family };
	/* Fixed-size copies (inline moves), not a byte loop per packet. */
	if (family == AF_INET6)
		memcpy(k->dst, dst, 16);
	else
		memcpy(k->dst, dst, 4);
}

/* Create a table of up to max SAs.  qsbr: the RCU variable the workers
 * report to (owned by the caller, outlives the table).  NULL with errno.
 * CONTROL. */
struct dp_sadb *dp_sadb_create(const char *name, uint32_t max, int socket_id,
	struct rte_rcu_qsbr *qsbr);

/* Free the table and every SA in it, pending deletions included.  Workers
 * must be stopped.  NULL is a no-op.  CONTROL. */
void dp_sadb_free(struct dp_sadb *db);

/* Insert and publish sa; sets sa->handle.  -EEXIST, -ENOSPC, -ENOMEM.  On
 * failure sa stays the caller's.  CONTROL. */
int dp_sadb_add(struct dp_sadb *db, struct dp_sa *sa);

/* Unpublish and defer the free.  -ENOENT for a stale handle.  CONTROL. */
int dp_sadb_del(struct dp_sadb *db, dp_sa_handle_t handle);

/* Free what the grace period allows: count or -errno.  CONTROL. */
int dp_sadb_reclaim(struct dp_sadb *db);

/* SAs published.  CONTROL; any thread (relaxed: may trail an add/delete). */
uint32_t dp_sadb_count(const struct dp_sadb *db);

/* SA by handle, NULL when stale.  WORKER or CONTROL.  The handle is the
 * slot (low 32 bits) and the slot's generation, which sa->handle repeats. */
static inline struct dp_sa *dp_sadb_get(const struct dp_sadb *db, dp_sa_handle_t handle)
{
	uint32_t slot = (uint32_t)(handle & 0xffffffffu);
	struct dp_sa *sa;

	if (slot >= db->max)
		return NULL;
	sa = __atomic_load_n(&db->slots[slot], __ATOMIC_ACQUIRE);
	if (sa == NULL || sa->handle != handle)
		return NULL;
	return sa;
}

/* Prefetch what a burst's packets will read first of their SAs, so that
 * the cache misses of a burst overlap instead of following one another (at
 * 1M SAs each is a miss to memory): the slots, then each SA's lines 0-2
 * and its sequence line, then the packet path's part of its cold record
 * (the parameters before the keys) and its crypto session.  h: n handles (n <= 64; stale or invalid ones are skipped).
 * Only prefetches: no handle is checked, nothing is returned.  WORKER. */
static inline void dp_sadb_prefetch_burst(const struct dp_sadb *db, const dp_sa_handle_t *h,
	unsigned int n)
{
	const struct dp_sa *sa[64];

	if (n > 64)
		n = 64;
	for (unsigned int i = 0; i < n; i++) {
		uint32_t slot = (uint32_t)(h[i] & 0xffffffffu);

		if (slot < db->max)
			__builtin_prefetch(&db->slots[slot]);
	}
	for (unsigned int i = 0; i < n; i++) {
		uint32_t slot = (uint32_t)(h[i] & 0xffffffffu);

		sa[i] = slot < db->max ? __atomic_load_n(&db->slots[slot], __ATOMIC_ACQUIRE) : NULL;
		if (sa[i] == NULL)
			continue;
		__builtin_prefetch(sa[i]);
		__builtin_prefetch((const uint8_t *)sa[i] + DP_CACHE_LINE);
		__builtin_prefetch((const uint8_t *)sa[i] + 2 * DP_CACHE_LINE);
		__builtin_prefetch(&sa[i]->rt);
	}
	for (unsigned int i = 0; i < n; i++) {
		uintptr_t a, end;

		if (sa[i] == NULL)
			continue;
		/* Of the cold record only the lines the packet path reads: the
		 * parameters up to the keys (addresses, NAT-T ports,
		 * algorithms).  The rest (keys, device name, lifetimes: ~6
		 * lines) is not read per packet, and at 64 SAs a burst the
		 * prefetches queue on the line fill buffers. */
		a = (uintptr_t)sa[i]->cold & ~(uintptr_t)(DP_CACHE_LINE - 1);
		end = (uintptr_t)&sa[i]->cold->params.auth_key;
		for (; a < end; a += DP_CACHE_LINE)
			__builtin_prefetch((const void *)a);
		if (sa[i]->crypto != NULL) {
			__builtin_prefetch(sa[i]->crypto);
			__builtin_prefetch((const uint8_t *)sa[i]->crypto + DP_CACHE_LINE);
		}
	}
}

/* SA by identity, either direction; NULL when absent.  WORKER or CONTROL. */
struct dp_sa *dp_sadb_find(const struct dp_sadb *db, const struct dp_sa_key *key);

/* Walk: the first published SA at a slot >= *slot, or NULL; *slot is then
 * the slot after it (the cursor for the next call).  A walk runs while SAs
 * come and go and sees each slot as it is when read.  RCU readers
 * (telemetry) or CONTROL. */
struct dp_sa *dp_sadb_next(const struct dp_sadb *db, uint32_t *slot);

/* Inbound lookup for a burst: sas[i] = the inbound SA for keys[i] or NULL
 * (absent, or an outbound SA: the caller counts NO_SA).  n <= 64.  Returns
 * the number found.  WORKER. */
unsigned int dp_sadb_lookup_in_bulk(const struct dp_sadb *db, const struct dp_sa_key **keys,
	unsigned int n, struct dp_sa **sas);

#endif /* DP_SADB_H */
