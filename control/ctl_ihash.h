/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_ihash.h: an intrusive chained hash table that grows incrementally
 * (the control thread's SADB identity and handle chains, the publisher's
 * SA and rule indexes).
 *
 * Growing never rehashes the whole table at once: when the count reaches
 * the bucket count a table twice the size is allocated and the old one is
 * drained CTL_IHASH_STEP buckets per insert (Redis' dict does the same).
 * Until it is empty both tables are in use, and every entry is in exactly
 * one chain: old bucket i (h & (old size - 1)) while i has not been moved
 * yet, else the new table's bucket.  So a lookup still walks one chain,
 * and the longest insert costs CTL_IHASH_STEP buckets' worth of moves
 * instead of the whole table (the > 100 ms control-loop stall at 524k
 * SAs, docs/CONTROL.md "Bulk ADD").
 *
 * Entries embed a struct ctl_hlink and carry their own hash (the table
 * asks for it with t->hash while moving them).  Not thread-safe: the
 * control thread's.
 */
#ifndef CTL_IHASH_H
#define CTL_IHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctl_hlink {
	struct ctl_hlink *next;
};

/* Old buckets moved per insert while a migration runs.  The old table
 * is at most about one entry per bucket and has half the buckets of the
 * new one, so 4 per insert finishes it after a quarter of the inserts
 * that would trigger the next growth. */
#define CTL_IHASH_STEP 4u

struct ctl_ihash {
	struct ctl_hlink **tab;  /* current table: nb heads */
	struct ctl_hlink **old;  /* being drained (onb heads), or NULL */
	uint32_t nb, onb;        /* powers of two */
	uint32_t moved;          /* old buckets [0, moved) are empty */
	uint32_t n;              /* entries, both tables */
	uint32_t (*hash)(const struct ctl_hlink *l);
};

/* nb: initial bucket count (a power of two >= 1).  0 or -ENOMEM. */
int ctl_ihash_init(struct ctl_ihash *t, uint32_t nb, uint32_t (*hash)(const struct ctl_hlink *l));
/* Free the tables (not the entries).  Safe on a zeroed or finished one. */
void ctl_ihash_fini(struct ctl_ihash *t);

/* The head of the chain where an entry of hash h is, if anywhere. */
static inline struct ctl_hlink *ctl_ihash_chain(const struct ctl_ihash *t, uint32_t h)
{
	if (t->old != NULL && (h & (t->onb - 1)) >= t->moved)
		return t->old[h & (t->onb - 1)];
	return t->tab[h & (t->nb - 1)];
}

/* Make room for one more entry: start a growth when full, move the next
 * CTL_IHASH_STEP old buckets.  0, or -ENOMEM (the table is unchanged
 * and still usable; inserting anyway only lengthens chains). */
int ctl_ihash_reserve(struct ctl_ihash *t);
/* Link l (hash h; not in the table).  Call ctl_ihash_reserve() first. */
void ctl_ihash_insert(struct ctl_ihash *t, struct ctl_hlink *l, uint32_t h);
/* Unlink l (hash h).  Returns false when l was not in the table. */
bool ctl_ihash_remove(struct ctl_ihash *t, struct ctl_hlink *l, uint32_t h);
/* Forget every entry (they are the caller's), keeping the current size. */
void ctl_ihash_clear(struct ctl_ihash *t);
/* Finish a running migration at once (tests; a shrink-free teardown). */
void ctl_ihash_settle(struct ctl_ihash *t);
/* Each entry once (both tables), for teardown: each may free l. */
void ctl_ihash_each(struct ctl_ihash *t, void (*each)(struct ctl_hlink *l, void *arg),
	void *arg);

#define CTL_HLINK_OWNER(l, type, member) \
	((type *)(void *)((char *)(l) - offsetof(type, member)))

#endif /* CTL_IHASH_H */
