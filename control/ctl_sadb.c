/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_sadb.c: the control thread's SADB -- a chained hash on the PF_KEY
 * identity (SPI, SA type, destination) and a slot table.
 *
 * The slot table gives each record a small stable number; dumps walk it
 * with a cursor, so a dump paused for a slow client resumes where it was
 * even when SAs come and go meanwhile (an SA added behind the cursor is
 * not dumped, one removed is not dumped: RFC 2367 promises no snapshot).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_hash.h"
#include "ctl_priv.h"

struct ctl_sadb {
	struct ctl_sa **buckets;
	uint32_t nbuckets;        /* power of two */
	struct ctl_sa **hbuckets; /* by dataplane handle, same size */
	struct ctl_sa **slots;
	uint32_t nslots;          /* slots in use up to here */
	uint32_t cap;
	uint32_t *free_slots;     /* stack of freed slot numbers */
	uint32_t nfree;
	uint32_t count;
};

static uint32_t key_hash(uint32_t spi, uint8_t satype, const struct dp_addr *dst)
{
	uint64_t h = ((uint64_t)spi << 8) ^ satype ^ ((uint64_t)dst->family << 40);

	for (unsigned int i = 0; i < sizeof(dst->bytes); i += 8) {
		uint64_t w;

		memcpy(&w, dst->bytes + i, 8);
		h = ctl_hash_mix(h ^ w);
	}
	return (uint32_t)h;
}

bool ctl_addr_equal(const struct dp_addr *a, const struct dp_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

struct ctl_sadb *ctl_sadb_new(void)
{
	struct ctl_sadb *db = calloc(1, sizeof(*db));

	if (db == NULL)
		return NULL;
	db->nbuckets = 1024;
	db->buckets = calloc(db->nbuckets, sizeof(*db->buckets));
	db->hbuckets = calloc(db->nbuckets, sizeof(*db->hbuckets));
	if (db->buckets == NULL || db->hbuckets == NULL) {
		free(db->buckets);
		free(db->hbuckets);
		free(db);
		return NULL;
	}
	return db;
}

void ctl_sadb_free(struct ctl_sadb *db, void (*each)(struct ctl_sa *sa, void *arg), void *arg)
{
	if (db == NULL)
		return;
	for (uint32_t i = 0; i < db->nslots; i++) {
		struct ctl_sa *sa = db->slots[i];

		if (sa == NULL)
			continue;
		if (each != NULL)
			each(sa, arg);
		ctl_sa_free(sa);
	}
	free(db->buckets);
	free(db->hbuckets);
	free(db->slots);
	free(db->free_slots);
	free(db);
}

struct ctl_sa *ctl_sadb_find(const struct ctl_sadb *db, uint32_t spi, uint8_t satype,
	const struct dp_addr *dst)
{
	struct ctl_sa *sa = db->buckets[key_hash(spi, satype, dst) & (db->nbuckets - 1)];

	for (; sa != NULL; sa = sa->hnext) {
		if (sa->spi == spi && sa->satype == satype && ctl_addr_equal(&sa->dst, dst))
			return sa;
	}
	return NULL;
}

static uint32_t handle_hash(dp_sa_handle_t h)
{
	return (uint32_t)ctl_hash_mix(h);
}

static int grow_buckets(struct ctl_sadb *db)
{
	uint32_t n = db->nbuckets * 2;
	struct ctl_sa **b = calloc(n, sizeof(*b));
	struct ctl_sa **hb = calloc(n, sizeof(*hb));

	if (b == NULL || hb == NULL) {
		free(b);
		free(hb);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < db->nbuckets; i++) {
		struct ctl_sa *sa = db->hbuckets[i], *next;

		for (; sa != NULL; sa = next) {
			uint32_t h = handle_hash(sa->handle) & (n - 1);

			next = sa->hhnext;
			sa->hhnext = hb[h];
			hb[h] = sa;
		}
	}
	free(db->hbuckets);
	db->hbuckets = hb;
	for (uint32_t i = 0; i < db->nbuckets; i++) {
		struct ctl_sa *sa = db->buckets[i], *next;

		for (; sa != NULL; sa = next) {
			uint32_t h = key_hash(sa->spi, sa->satype, &sa->dst) & (n - 1);

			next = sa->hnext;
			sa->hnext = b[h];
			b[h] = sa;
		}
	}
	free(db->buckets);
	db->buckets = b;
	db->nbuckets = n;
	return 0;
}

/* Reserve room for one more slot (and its free-stack entry). */
static int reserve_slot(struct ctl_sadb *db)
{
	uint32_t cap;
	struct ctl_sa **s;
	uint32_t *f;

	if (db->nfree > 0 || db->nslots < db->cap)
		return 0;
	cap = db->cap ? db->cap * 2 : 1024;
	s = realloc(db->slots, cap * sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	db->slots = s;
	f = realloc(db->free_slots, cap * sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	db->free_slots = f;
	db->cap = cap;
	return 0;
}

int ctl_sadb_insert(struct ctl_sadb *db, struct ctl_sa *sa)
{
	uint32_t h;

	if (ctl_sadb_find(db, sa->spi, sa->satype, &sa->dst) != NULL)
		return -EEXIST;
	if (db->count >= db->nbuckets && grow_buckets(db) != 0)
		return -ENOMEM;
	if (reserve_slot(db) != 0)
		return -ENOMEM;
	sa->slot = db->nfree > 0 ? db->free_slots[--db->nfree] : db->nslots++;
	db->slots[sa->slot] = sa;
	h = key_hash(sa->spi, sa->satype, &sa->dst) & (db->nbuckets - 1);
	sa->hnext = db->buckets[h];
	db->buckets[h] = sa;
	db->count++;
	ctl_sadb_index_handle(db, sa);
	return 0;
}

void ctl_sadb_index_handle(struct ctl_sadb *db, struct ctl_sa *sa)
{
	uint32_t h;

	if (sa->handle == DP_SA_HANDLE_INVALID)
		return;
	h = handle_hash(sa->handle) & (db->nbuckets - 1);
	sa->hhnext = db->hbuckets[h];
	db->hbuckets[h] = sa;
}

struct ctl_sa *ctl_sadb_by_handle(const struct ctl_sadb *db, dp_sa_handle_t handle)
{
	struct ctl_sa *sa;

	if (handle == DP_SA_HANDLE_INVALID)
		return NULL;
	sa = db->hbuckets[handle_hash(handle) & (db->nbuckets - 1)];
	for (; sa != NULL; sa = sa->hhnext) {
		if (sa->handle == handle)
			return sa;
	}
	return NULL;
}

void ctl_sadb_remove(struct ctl_sadb *db, struct ctl_sa *sa)
{
	struct ctl_sa **pp = &db->buckets[key_hash(sa->spi, sa->satype, &sa->dst) &
					  (db->nbuckets - 1)];

	for (; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == sa) {
			*pp = sa->hnext;
			break;
		}
	}
	sa->hnext = NULL;
	if (sa->handle != DP_SA_HANDLE_INVALID) {
		pp = &db->hbuckets[handle_hash(sa->handle) & (db->nbuckets - 1)];
		for (; *pp != NULL; pp = &(*pp)->hhnext) {
			if (*pp == sa) {
				*pp = sa->hhnext;
				break;
			}
		}
	}
	sa->hhnext = NULL;
	db->slots[sa->slot] = NULL;
	db->free_slots[db->nfree++] = sa->slot;
	db->count--;
	/* Empty again: start over, so that a reload dumps in load order. */
	if (db->count == 0) {
		db->nslots = 0;
		db->nfree = 0;
	}
}

struct ctl_sa *ctl_sadb_next(const struct ctl_sadb *db, uint32_t *cursor)
{
	for (uint32_t i = *cursor; i < db->nslots; i++) {
		if (db->slots[i] != NULL) {
			*cursor = i + 1;
			return db->slots[i];
		}
	}
	*cursor = db->nslots;
	return NULL;
}

uint32_t ctl_sadb_count(const struct ctl_sadb *db)
{
	return db->count;
}

struct ctl_sa *ctl_sa_new(struct ctl *ctl)
{
	struct ctl_sa *sa = calloc(1, sizeof(*sa));

	if (sa == NULL)
		return NULL;
	sa->ctl = ctl;
	ev_init(&sa->timer, NULL);
	sa->timer.data = sa;
	return sa;
}

void ctl_sa_free(struct ctl_sa *sa)
{
	if (sa == NULL)
		return;
	if (sa->ctl != NULL)
		ev_timer_stop(sa->ctl->loop, &sa->timer);
	if (sa->ext != NULL) {
		pfk_wipe(sa->ext, sa->ext_len);
		free(sa->ext);
	}
	pfk_wipe(sa, sizeof(*sa));
	free(sa);
}
