/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_sadb.c: lock-free SA table with RCU reclamation (see dp_sadb.h). */
#define ALLOW_EXPERIMENTAL_API 1 /* rte_rcu_qsbr_dq_*: experimental in 22.11 */

#include "dp_sadb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_rcu_qsbr.h>

#include "dp_mem.h"

#define SLOT_OF(h) ((uint32_t)((h) & 0xffffffffu))
#define GEN_OF(h) ((uint32_t)((h) >> 32))
#define RECLAIM_BATCH 256u

/* struct dp_sadb: dp_sadb.h (dp_sadb_get() is inline there). */

static_assert(sizeof(struct dp_sa_key) == 24, "dp_sa_key has no hidden padding");

/* Defer-queue callback: e points at n SA pointers whose grace period ended. */
static void free_deferred(void *p, void *e, unsigned int n)
{
	struct dp_sa **sas = e;

	(void)p;
	for (unsigned int i = 0; i < n; i++)
		dp_sa_free(sas[i]);
}

struct dp_sadb *dp_sadb_create(const char *name, uint32_t max, int socket_id,
	struct rte_rcu_qsbr *qsbr)
{
	char hname[RTE_HASH_NAMESIZE], qname[RTE_HASH_NAMESIZE];
	struct dp_sadb *db = NULL;
	int err = EINVAL;

	if (name == NULL || qsbr == NULL || max < 8 || max > DP_SA_MAX)
		goto fail;
	err = ENOMEM;
	db = calloc(1, sizeof(*db));
	if (db == NULL)
		goto fail;
	db->max = max;
	db->qsbr = qsbr;
	/* Read on every outbound packet, at random at scale: huge pages. */
	db->slots = dp_mem_map((size_t)max * sizeof(*db->slots));
	db->gen = calloc(max, sizeof(*db->gen));
	db->free_slots = calloc(max, sizeof(*db->free_slots));
	if (db->slots == NULL || db->gen == NULL || db->free_slots == NULL)
		goto fail;
	for (uint32_t i = 0; i < max; i++) {
		db->gen[i] = 1;
		db->free_slots[i] = max - 1 - i; /* pop gives slot 0 first */
	}
	db->nfree = max;

	snprintf(hname, sizeof(hname), "%s_h", name);
	snprintf(qname, sizeof(qname), "%s_dq", name);
	struct rte_hash_parameters hp = {
		.name = hname,
		.entries = max,
		.key_len = sizeof(struct dp_sa_key),
		.hash_func = rte_hash_crc,
		.socket_id = socket_id,
		/* Lock-free readers, one writer; the extendable table makes every
		 * one of `max` entries fit whatever the cuckoo collisions. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	db->hash = rte_hash_create(&hp);
	if (db->hash == NULL) {
		err = rte_errno != 0 ? rte_errno : ENOMEM;
		goto fail;
	}
	struct rte_hash_rcu_config hrc = {
		.v = qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ, /* key slots reclaimed lazily */
	};
	if (rte_hash_rcu_qsbr_add(db->hash, &hrc) != 0) {
		err = rte_errno;
		goto fail;
	}
	struct rte_rcu_qsbr_dq_parameters dqp = {
		.name = qname,
		.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE, /* CONTROL only */
		.size = max,
		.esize = sizeof(struct dp_sa *),
		.trigger_reclaim_limit = RECLAIM_BATCH,
		.max_reclaim_size = RECLAIM_BATCH,
		.free_fn = free_deferred,
		.v = qsbr,
	};
	db->dq = rte_rcu_qsbr_dq_create(&dqp);
	if (db->dq == NULL) {
		err = rte_errno != 0 ? rte_errno : ENOMEM;
		goto fail;
	}
	return db;
fail:
	dp_sadb_free(db);
	errno = err;
	return NULL;
}

void dp_sadb_free(struct dp_sadb *db)
{
	if (db == NULL)
		return;
	if (db->dq != NULL) {
		/* Workers are stopped: every grace period is over. */
		if (rte_rcu_qsbr_dq_delete(db->dq) != 0) {
			rte_rcu_qsbr_synchronize(db->qsbr, RTE_QSBR_THRID_INVALID);
			(void)rte_rcu_qsbr_dq_delete(db->dq);
		}
	}
	if (db->hash != NULL)
		rte_hash_free(db->hash);
	if (db->slots != NULL) {
		for (uint32_t i = 0; i < db->max; i++)
			dp_sa_free(db->slots[i]);
	}
	dp_mem_unmap(db->slots, (size_t)db->max * sizeof(*db->slots));
	free(db->gen);
	free(db->free_slots);
	free(db);
}

static void sa_key(const struct dp_sa *sa, struct dp_sa_key *k)
{
	dp_sa_key_make(k, sa->spi, sa->satype, sa->family, sa->cold->params.dst.bytes);
}

int dp_sadb_add(struct dp_sadb *db, struct dp_sa *sa)
{
	struct dp_sa_key k;
	uint32_t slot;
	int ret;

	sa_key(sa, &k);
	if (rte_hash_lookup(db->hash, &k) >= 0)
		return -EEXIST;
	if (db->nfree == 0)
		return -ENOSPC;
	slot = db->free_slots[db->nfree - 1];
	/* The handle is set before the SA becomes reachable: readers compare
	 * it, and it never changes afterwards. */
	sa->handle = (dp_sa_handle_t)db->gen[slot] << 32 | slot;
	ret = rte_hash_add_key_data(db->hash, &k, sa);
	if (ret != 0) {
		sa->handle = DP_SA_HANDLE_INVALID;
		return ret == -ENOSPC ? -ENOSPC : (ret < 0 ? ret : -EIO);
	}
	db->nfree--;
	__atomic_store_n(&db->count, db->count + 1, __ATOMIC_RELAXED); /* telemetry reads */
	/* Publish: everything written to *sa happens-before a worker that
	 * loads this slot with acquire (the hash publishes the same way). */
	__atomic_store_n(&db->slots[slot], sa, __ATOMIC_RELEASE);
	return 0;
}

int dp_sadb_del(struct dp_sadb *db, dp_sa_handle_t handle)
{
	struct dp_sa *sa = dp_sadb_get(db, handle);
	uint32_t slot = SLOT_OF(handle);
	struct dp_sa_key k;
	int32_t pos;

	if (sa == NULL)
		return -ENOENT;
	sa_key(sa, &k);
	pos = rte_hash_del_key(db->hash, &k);
	if (pos < 0)
		return pos; /* cannot happen: the table and slots agree */
	__atomic_store_n(&db->slots[slot], NULL, __ATOMIC_RELEASE);
	if (++db->gen[slot] == 0)
		db->gen[slot] = 1;
	db->free_slots[db->nfree++] = slot;
	__atomic_store_n(&db->count, db->count - 1, __ATOMIC_RELAXED);
	/* Unreachable now; free after the grace period.  The queue has room
	 * for every SA (size = max), so enqueue only fails on a broken
	 * invariant; then wait for the grace period here rather than leak. */
	if (rte_rcu_qsbr_dq_enqueue(db->dq, &sa) != 0) {
		rte_rcu_qsbr_synchronize(db->qsbr, RTE_QSBR_THRID_INVALID);
		dp_sa_free(sa);
	}
	return 0;
}

int dp_sadb_reclaim(struct dp_sadb *db)
{
	unsigned int freed = 0, pending = 0, available = 0;

	/* Its return value only says whether anything was freed (or that the
	 * arguments were NULL, which they are not): freed says it all. */
	(void)rte_rcu_qsbr_dq_reclaim(db->dq, db->max, &freed, &pending, &available);
	return (int)freed;
}

uint32_t dp_sadb_count(const struct dp_sadb *db)
{
	return __atomic_load_n(&db->count, __ATOMIC_RELAXED);
}

struct dp_sa *dp_sadb_find(const struct dp_sadb *db, const struct dp_sa_key *key)
{
	void *data;

	if (rte_hash_lookup_data(db->hash, key, &data) < 0)
		return NULL;
	return data;
}

struct dp_sa *dp_sadb_next(const struct dp_sadb *db, uint32_t *slot)
{
	for (uint32_t i = *slot; i < db->max; i++) {
		struct dp_sa *sa = __atomic_load_n(&db->slots[i], __ATOMIC_ACQUIRE);

		if (sa != NULL) {
			*slot = i + 1;
			return sa;
		}
	}
	*slot = db->max;
	return NULL;
}

unsigned int dp_sadb_lookup_in_bulk(const struct dp_sadb *db, const struct dp_sa_key **keys,
	unsigned int n, struct dp_sa **sas)
{
	uint64_t hits = 0;
	unsigned int found = 0;

	if (n > RTE_HASH_LOOKUP_BULK_MAX)
		n = RTE_HASH_LOOKUP_BULK_MAX;
	if (rte_hash_lookup_bulk_data(db->hash, (const void **)keys, n, &hits,
		(void **)sas) < 0)
		hits = 0;
	/* The SAs' line 0 first, all of them (independent loads overlap), then
	 * what decryption and accounting read next: at scale each is a miss
	 * to memory, which a per-packet order would pay one after another. */
	for (unsigned int i = 0; i < n; i++) {
		if ((hits >> i & 1) != 0)
			__builtin_prefetch(sas[i]);
	}
	for (unsigned int i = 0; i < n; i++) {
		if ((hits >> i & 1) == 0 || sas[i]->dir != DP_DIR_IN) {
			sas[i] = NULL;
			continue;
		}
		__builtin_prefetch((const uint8_t *)sas[i] + DP_CACHE_LINE);
		__builtin_prefetch((const uint8_t *)sas[i] + 2 * DP_CACHE_LINE);
		__builtin_prefetch(sas[i]->rt.in);
		if (sas[i]->crypto != NULL) {
			__builtin_prefetch(sas[i]->crypto);
			__builtin_prefetch((const uint8_t *)sas[i]->crypto + DP_CACHE_LINE);
		}
		found++;
	}
	return found;
}
