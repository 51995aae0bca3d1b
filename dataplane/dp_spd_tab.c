/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_spd_tab.c: the SPD's hash tables (dp_spd_priv.h): one writer, readers
 * without locks under RCU.
 *
 * Why not rte_hash: its memory comes from the DPDK heap (a million keys is
 * more than the --no-huge test heaps and gateway hugepage budgets hold), it
 * is sized at creation, and a lock-free delete needs the key position freed
 * after the grace period.  Here a table is plain memory; it never changes a
 * key a reader may be comparing (deletes leave tombstones), and it grows by
 * filling a successor over several commits (dp_spd_priv.h, "Growth across
 * commits") that a later view publishes, the old one being retired like
 * anything else.  Copying a whole table in one commit stalled CONTROL for
 * tens of milliseconds at 100,000 policies, twice that at each doubling.
 */
#include "dp_spd_priv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TAB_MIN 64u
#define HUGE_MIN (2u << 20)
#define TAB_MAP_MIN (1u << 20)  /* tables this large: their own mmap */

void dp_spd_huge(void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + HUGE_MIN - 1) & ~(uintptr_t)(HUGE_MIN - 1);
	uintptr_t e = ((uintptr_t)p + len) & ~(uintptr_t)(HUGE_MIN - 1);

	/* Advice only: where transparent huge pages are "madvise", a large
	 * table gets them (a lookup at a million rules is TLB-bound). */
	if (len >= HUGE_MIN && e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
}

static uint32_t cap_for(uint32_t want)
{
	uint64_t need = (uint64_t)want * 4 / 3 + 1, cap = TAB_MIN;

	while (cap < need)
		cap <<= 1;
	return cap > (1u << 31) ? 0 : (uint32_t)cap;
}

static size_t tab_len(uint32_t cap)
{
	return sizeof(struct dp_spd_tab) + (size_t)cap * sizeof(struct dp_spd_tab_ent);
}

/* A table of cap slots, zeroed and untouched: a large one is faulted in
 * where it is written (a successor over the commits that fill it).  Large
 * tables get their own anonymous mapping rather than calloc: once the
 * process has freed big mmapped blocks (1M SAs' control tables), glibc's
 * dynamic mmap threshold can rise up to 32 MiB, and calloc may then serve
 * a table from the heap and clear it with a memset, faulting every page
 * at once.  What remains is the kernel's first touch of each (huge) page
 * as commits write it (docs/PERFORMANCE.md, SPDGROW). */
static struct dp_spd_tab *tab_alloc(uint32_t key_len, uint32_t cap)
{
	size_t len = tab_len(cap);
	struct dp_spd_tab *t;
	bool mapped = len >= TAB_MAP_MIN;

	/* dp_spd_key_hash() and dp_spd_key_eq() work on 4- and 8-byte words. */
	if (cap == 0 || key_len > DP_SPD_KEY_MAX || key_len % 4 != 0)
		return NULL;
	if (mapped) {
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		t = p == MAP_FAILED ? NULL : p;
	} else {
		t = calloc(1, len);
	}
	if (t == NULL)
		return NULL;
	dp_spd_huge(t, len);
	t->mask = cap - 1;
	t->key_len = key_len;
	t->mapped = mapped;
	return t;
}

struct dp_spd_tab *dp_spd_tab_new(uint32_t key_len, uint32_t want)
{
	return tab_alloc(key_len, cap_for(want));
}

void dp_spd_tab_free(struct dp_spd_tab *t)
{
	if (t == NULL)
		return;
	dp_spd_tab_free(t->next);
	if (t->mapped)
		(void)munmap(t, tab_len(t->mask + 1));
	else
		free(t);
}

/* Set key's value in t alone; the old value.  *pos: the key's slot (or
 * the empty one that ends its probe, for a delete of a key t lacks). */
static uint64_t put_one(struct dp_spd_tab *t, const void *key, uint32_t h, uint64_t val,
	uint32_t *pos)
{
	for (uint32_t i = h;; i++) {
		struct dp_spd_tab_ent *e = &t->e[i & t->mask];
		uint64_t old;

		*pos = i & t->mask;
		if (e->sig == 0) {
			if (val == 0)
				return 0;
			memcpy(e->key, key, t->key_len);
			e->val = val;
			__atomic_store_n(&e->sig, h, __ATOMIC_RELEASE);
			t->used++;
			t->live++;
			return 0;
		}
		if (e->sig != h || memcmp(e->key, key, t->key_len) != 0)
			continue;
		old = e->val;
		__atomic_store_n(&e->val, val, __ATOMIC_RELEASE);
		t->live += (val != 0) - (old != 0);
		return old;
	}
}

uint64_t dp_spd_tab_put(struct dp_spd_tab *t, const void *key, uint32_t h, uint64_t val)
{
	uint32_t pos, npos;
	uint64_t old = put_one(t, key, h, val, &pos);

	/* The successor holds the live entries of e[0..moved), as they are
	 * now: a put there goes to both tables, one to a slot not yet copied
	 * waits for its copy.  Its keys are thus a subset of t's (it is never
	 * fuller than t), and it is written near the copy's fronts (slot i of
	 * t goes to i + k x (t's capacity) in it): the pages it has not reached
	 * are not touched, a 2 MiB huge page each where they are huge. */
	if (t->next != NULL && pos < t->moved)
		(void)put_one(t->next, key, h, val, &npos);
	return old;
}

bool dp_spd_tab_room(const struct dp_spd_tab *t, uint32_t adds)
{
	return ((uint64_t)t->used + adds) * 4 <= (uint64_t)(t->mask + 1) * 3;
}

/* The capacity for a table holding `keys` at most half full, at least
 * `min` (a power of 2); 0: too large. */
static uint32_t cap_half(uint64_t keys, uint64_t min)
{
	uint64_t cap = min;

	while (cap < keys * 2)
		cap <<= 1;
	return cap > (1u << 31) ? 0 : (uint32_t)cap;
}

int dp_spd_tab_prepare(const struct dp_spd_tab *t, uint32_t key_len, uint32_t adds,
	struct dp_spd_tab **fresh)
{
	uint64_t cap;

	*fresh = NULL;
	if (t == NULL) {
		if (adds == 0)
			return 0;
		*fresh = tab_alloc(key_len, cap_half(adds, TAB_MIN));
		return *fresh == NULL ? -ENOMEM : 0;
	}
	cap = (uint64_t)t->mask + 1;
	if (t->next == NULL && ((uint64_t)t->used + adds) * 2 <= cap)
		return 0;
	/* Past t's limit the successor completes in this commit and takes the
	 * adds on top of what it holds and t's live keys not yet copied (at
	 * most t->live).  Not t->used: t's tombstones are never copied, and a
	 * tombstone-heavy t has a successor of its own size, which a count
	 * with them would throw away near the end of its copy, copying the
	 * whole table again in one commit (review of 8916363). */
	if (t->next != NULL && (dp_spd_tab_room(t, adds) ||
				((uint64_t)t->next->used + t->live + adds) * 4 <=
				((uint64_t)t->next->mask + 1) * 3))
		return 0;
	/* At most half full at the switch: t's live keys, the keys t can still
	 * take before its limit, and this commit's (when they go past it). */
	*fresh = tab_alloc(key_len, cap_half((uint64_t)t->live + adds + cap / 4, cap));
	return *fresh == NULL ? -ENOMEM : 0;
}

struct dp_spd_tab *dp_spd_tab_step(struct dp_spd_tab *t, struct dp_spd_tab *fresh, uint32_t adds,
	uint32_t *moved)
{
	struct dp_spd_tab *n;
	uint64_t cap, due;
	uint32_t pos;

	if (t == NULL)
		return fresh;
	if (fresh != NULL) {
		dp_spd_tab_free(t->next); /* never published */
		t->next = fresh;
		t->moved = 0;
	}
	n = t->next;
	if (n == NULL)
		return t;
	/* 4 slots per add (revivals of tombstones included), or the step: a
	 * successor started at half load is full before t passes 3/4, and
	 * takes at most a quarter of t's capacity in keys added meanwhile (its
	 * size counts them).  And slots left <= 4 x the keys t can still take
	 * after this commit, moved >= 4 x used - 2 x cap: a commit past the
	 * limit copies the rest, and a table left over half full by a large
	 * commit catches up at 4 per key it went over. */
	cap = (uint64_t)t->mask + 1;
	due = (uint64_t)t->moved + (adds > DP_SPD_TAB_STEP / 4 ? 4 * (uint64_t)adds :
								 DP_SPD_TAB_STEP);
	if (4 * ((uint64_t)t->used + adds) > 2 * cap + due)
		due = 4 * ((uint64_t)t->used + adds) - 2 * cap;
	if (due > cap)
		due = cap;
	for (uint32_t i = t->moved; i < due; i++) {
		const struct dp_spd_tab_ent *e = &t->e[i];

		if (e->sig != 0 && e->val != 0) {
			(void)put_one(n, e->key, e->sig, e->val, &pos);
			(*moved)++;
		}
	}
	t->moved = (uint32_t)due;
	if (due < cap)
		return t;
	t->next = NULL;
	return n;
}
