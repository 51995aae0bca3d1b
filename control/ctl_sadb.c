/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_sadb.c: the control thread's SADB -- a chained hash on the PF_KEY
 * identity (SPI, SA type, destination), one on the dataplane handle, and a
 * slot table.  Both hashes grow incrementally (ctl_ihash.h): no insert
 * rehashes the whole table.
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
	struct ctl_ihash by_id;     /* identity: ctl_sa.hlink, hash khash */
	struct ctl_ihash by_handle; /* dataplane handle: ctl_sa.hhlink */
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

static uint32_t handle_hash(dp_sa_handle_t h)
{
	return (uint32_t)ctl_hash_mix(h);
}

static uint32_t id_link_hash(const struct ctl_hlink *l)
{
	return CTL_HLINK_OWNER(l, struct ctl_sa, hlink)->khash;
}

static uint32_t handle_link_hash(const struct ctl_hlink *l)
{
	return handle_hash(CTL_HLINK_OWNER(l, struct ctl_sa, hhlink)->handle);
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
	if (ctl_ihash_init(&db->by_id, 1024, id_link_hash) != 0 ||
	    ctl_ihash_init(&db->by_handle, 1024, handle_link_hash) != 0) {
		ctl_ihash_fini(&db->by_id);
		ctl_ihash_fini(&db->by_handle);
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
	ctl_ihash_fini(&db->by_id);
	ctl_ihash_fini(&db->by_handle);
	free(db->slots);
	free(db->free_slots);
	free(db);
}

struct ctl_sa *ctl_sadb_find(const struct ctl_sadb *db, uint32_t spi, uint8_t satype,
	const struct dp_addr *dst)
{
	uint32_t h = key_hash(spi, satype, dst);
	const struct ctl_hlink *l = ctl_ihash_chain(&db->by_id, h);

	for (; l != NULL; l = l->next) {
		struct ctl_sa *sa = CTL_HLINK_OWNER(l, struct ctl_sa, hlink);

		if (sa->khash == h && sa->spi == spi && sa->satype == satype &&
		    ctl_addr_equal(&sa->dst, dst))
			return sa;
	}
	return NULL;
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
	if (ctl_sadb_find(db, sa->spi, sa->satype, &sa->dst) != NULL)
		return -EEXIST;
	/* Both chains get room first, so that nothing below can fail. */
	if (ctl_ihash_reserve(&db->by_id) != 0 || ctl_ihash_reserve(&db->by_handle) != 0 ||
	    reserve_slot(db) != 0)
		return -ENOMEM;
	sa->slot = db->nfree > 0 ? db->free_slots[--db->nfree] : db->nslots++;
	db->slots[sa->slot] = sa;
	sa->khash = key_hash(sa->spi, sa->satype, &sa->dst);
	ctl_ihash_insert(&db->by_id, &sa->hlink, sa->khash);
	db->count++;
	if (sa->handle != DP_SA_HANDLE_INVALID)
		ctl_ihash_insert(&db->by_handle, &sa->hhlink, handle_hash(sa->handle));
	return 0;
}

void ctl_sadb_index_handle(struct ctl_sadb *db, struct ctl_sa *sa)
{
	if (sa->handle == DP_SA_HANDLE_INVALID)
		return;
	/* A failed growth here only lengthens chains. */
	(void)ctl_ihash_reserve(&db->by_handle);
	ctl_ihash_insert(&db->by_handle, &sa->hhlink, handle_hash(sa->handle));
}

struct ctl_sa *ctl_sadb_by_handle(const struct ctl_sadb *db, dp_sa_handle_t handle)
{
	const struct ctl_hlink *l;

	if (handle == DP_SA_HANDLE_INVALID)
		return NULL;
	l = ctl_ihash_chain(&db->by_handle, handle_hash(handle));
	for (; l != NULL; l = l->next) {
		struct ctl_sa *sa = CTL_HLINK_OWNER(l, struct ctl_sa, hhlink);

		if (sa->handle == handle)
			return sa;
	}
	return NULL;
}

void ctl_sadb_remove(struct ctl_sadb *db, struct ctl_sa *sa)
{
	(void)ctl_ihash_remove(&db->by_id, &sa->hlink, sa->khash);
	if (sa->handle != DP_SA_HANDLE_INVALID)
		(void)ctl_ihash_remove(&db->by_handle, &sa->hhlink, handle_hash(sa->handle));
	sa->hhlink.next = NULL;
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
