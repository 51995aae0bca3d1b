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
 * building a copy that the next view publishes, the old one being retired
 * like anything else.
 */
#include "dp_spd_priv.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TAB_MIN 64u
#define HUGE_MIN (2u << 20)

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

struct dp_spd_tab *dp_spd_tab_new(uint32_t key_len, uint32_t want)
{
	uint32_t cap = cap_for(want);
	struct dp_spd_tab *t;

	/* dp_spd_key_hash() and dp_spd_key_eq() work on 4- and 8-byte words. */
	if (cap == 0 || key_len > DP_SPD_KEY_MAX || key_len % 4 != 0)
		return NULL;
	t = calloc(1, sizeof(*t) + (size_t)cap * sizeof(t->e[0]));
	if (t == NULL)
		return NULL;
	dp_spd_huge(t, sizeof(*t) + (size_t)cap * sizeof(t->e[0]));
	t->mask = cap - 1;
	t->key_len = key_len;
	return t;
}

uint64_t dp_spd_tab_put(struct dp_spd_tab *t, const void *key, uint32_t h, uint64_t val)
{
	for (uint32_t i = h;; i++) {
		struct dp_spd_tab_ent *e = &t->e[i & t->mask];
		uint64_t old;

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

bool dp_spd_tab_room(const struct dp_spd_tab *t, uint32_t adds)
{
	return ((uint64_t)t->used + adds) * 4 <= (uint64_t)(t->mask + 1) * 3;
}

struct dp_spd_tab *dp_spd_tab_grow(const struct dp_spd_tab *t, uint32_t adds)
{
	struct dp_spd_tab *n = dp_spd_tab_new(t->key_len, (uint32_t)((uint64_t)t->live + adds));

	if (n == NULL)
		return NULL;
	for (uint32_t i = 0; i <= t->mask; i++)
		if (t->e[i].sig != 0 && t->e[i].val != 0)
			(void)dp_spd_tab_put(n, t->e[i].key, t->e[i].sig, t->e[i].val);
	return n;
}
