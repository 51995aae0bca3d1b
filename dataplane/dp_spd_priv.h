/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_spd_priv.h: the SPD's state, views and per-worker state, for
 * dp_spd*.c and their tests.  docs/DATAPLANE.md "Policy lookup at scale".
 *
 * A state holds the rules of one publication and every incremental change
 * since: rule slots, the hash tier (remote prefix -> rules), the inbound SA
 * map (SA -> rules) and the rte_acl tier.  A view is the small immutable
 * record workers load once per call (acquire): which tables, which remote
 * prefix lengths to probe, which rte_acl contexts.  dp_spd_commit() changes
 * the state in place (each table entry and binding is swapped with one
 * atomic store) and stores a new view; dp_spd_publish() builds a new state
 * and stores a view of it.  Whatever a store replaced (bindings, chains,
 * tables, contexts, slots, views, whole states) is retired with an RCU
 * token and freed once every worker has reported quiescence since.
 */
#ifndef DP_SPD_PRIV_H
#define DP_SPD_PRIV_H

#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "dpsec/dp.h"

struct rte_acl_ctx;
struct dp_ctx;

/* Contexts: [direction][family]. */
enum { DP_SPD_OUT = 0, DP_SPD_IN = 1 };
enum { DP_SPD_V4 = 0, DP_SPD_V6 = 1 };

/* ACQUIRE rate limit per worker: a 4-way set-associative table of the
 * (policy, flow) keys that posted lately; the oldest way is replaced. */
#define DP_SPD_ACQ_SETS 64u
#define DP_SPD_ACQ_WAYS 4u

/* Rule slots: a fixed directory of chunks allocated on demand. */
#define DP_SPD_CHUNK_SHIFT 12u
#define DP_SPD_CHUNK (1u << DP_SPD_CHUNK_SHIFT)
#define DP_SPD_CHUNKS 1024u   /* 4 Mi slots: rules, staged and retired */

/* ------------------------------------------------------------------------ */
/* Hash table (dp_spd_tab.c): fixed-size keys to a 64-bit value, one writer
 * (CONTROL), lock-free readers.  Open addressing, linear probing.  An entry
 * once keyed keeps its key until the table is rebuilt: a delete stores
 * value 0 (a tombstone, which the same key may revive), so a reader never
 * sees a key change under it.  An entry is published by storing its sig
 * (release) after key and value; values are swapped with atomic stores. */

#define DP_SPD_KEY_MAX 20u

struct dp_spd_tab_ent {
	uint32_t sig;                   /* 0 = empty, else hash | 1 */
	uint8_t key[DP_SPD_KEY_MAX];
	uint64_t val;                   /* 0 = none */
};

struct dp_spd_tab {
	uint32_t mask;                  /* capacity - 1 (a power of 2) */
	uint32_t key_len;
	uint32_t used;                  /* CONTROL: keyed entries */
	uint32_t live;                  /* CONTROL: entries with a value */
	struct dp_spd_tab *next;        /* CONTROL: the successor being filled */
	uint32_t moved;                 /* CONTROL: slots e[0..moved) copied to next */
	uint32_t mapped;                /* its own mmap (large tables), else malloc */
	struct dp_spd_tab_ent e[];
};

/* Growth across commits.  A table that a commit takes past half load gets
 * a successor (at least as large, at most half full once it holds all the
 * keys), which CONTROL fills over the following commits: each copies the
 * next slots of e[] (DP_SPD_TAB_STEP at least, and 4 per key the commit
 * adds, which empties the old table before it passes its 3/4 limit), and
 * a put to a slot already copied goes to both tables meanwhile.  Readers only ever see the old
 * table; the commit that copies the last slot publishes the successor in
 * its view and retires the old table.  No commit copies a whole table
 * unless its own adds are of that order (one commit adding more than the
 * old table's remaining room). */
#define DP_SPD_TAB_STEP 4096u

/* Ask for transparent huge pages over the 2 MiB-aligned part of
 * [p, p + len) when len is 2 MiB or more (advice; failures ignored). */
void dp_spd_huge(void *p, size_t len);

/* A table for at least `want` keys (a 3/4 load limit).  NULL: ENOMEM. */
struct dp_spd_tab *dp_spd_tab_new(uint32_t key_len, uint32_t want);

/* Key words: loads at any alignment (memcpy), no copy of the key. */
static inline uint32_t dp_spd_ld32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t dp_spd_ld64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

#define DP_SPD_HASH_SEED 0x5bd1e995u

/* Hash of a key of key_len bytes (a multiple of 4: 4, 8 or 20), never 0:
 * a leading 4-byte word when key_len % 8 is 4, then 8-byte words.  A hash
 * tier key (struct dp_spd_hkey) is thus hdr, addr[0..8), addr[8..16), which
 * dp_spd_hkey_hash() computes from registers.  Inline so that a constant
 * key_len unrolls the loop on the lookup path. */
static inline uint32_t dp_spd_key_hash(const void *key, uint32_t key_len)
{
	const uint8_t *k = key;
	uint32_t h = DP_SPD_HASH_SEED, i = 0;

	if (key_len % 8 == 4) {
		h = rte_hash_crc_4byte(dp_spd_ld32(k), h);
		i = 4;
	}
	for (; i < key_len; i += 8)
		h = rte_hash_crc_8byte(dp_spd_ld64(k + i), h);
	return h | 1u;
}

/* Does the key at a (any alignment) equal the one at b?  Word compares:
 * key_len is a constant at every call, so no memcmp call. */
static inline bool dp_spd_key_eq(const uint8_t *a, const uint8_t *b, uint32_t key_len)
{
	uint64_t diff = 0;
	uint32_t i = 0;

	if (key_len % 8 == 4) {
		diff = dp_spd_ld32(a) ^ dp_spd_ld32(b);
		i = 4;
	}
	for (; i < key_len; i += 8)
		diff |= dp_spd_ld64(a + i) ^ dp_spd_ld64(b + i);
	return diff == 0;
}

static inline uint32_t dp_spd_tab_hash(const struct dp_spd_tab *t, const void *key)
{
	return dp_spd_key_hash(key, t->key_len);
}

/* The value of key (0 = none), key_len being t's.  ANY (readers under
 * RCU). */
static inline uint64_t dp_spd_tab_find(const struct dp_spd_tab *t, const void *key, uint32_t h,
	uint32_t key_len)
{
	for (uint32_t i = h;; i++) {
		const struct dp_spd_tab_ent *e = &t->e[i & t->mask];
		uint32_t sig = __atomic_load_n(&e->sig, __ATOMIC_ACQUIRE);

		if (sig == 0)
			return 0;
		if (sig == h && dp_spd_key_eq(e->key, key, key_len))
			return __atomic_load_n(&e->val, __ATOMIC_ACQUIRE);
	}
}

/* Hash tier keys: the remote prefix of a rule (or a packet's remote
 * address masked to a prefix length) in context (d, fam).  hdr is
 * d | fam << 8 | plen << 16, a number (the same bytes on both sides of a
 * lookup whatever the byte order). */
struct dp_spd_hkey {
	uint32_t hdr;
	uint8_t addr[16];
};

static inline uint32_t dp_spd_hkey_hdr(unsigned int d, unsigned int fam, unsigned int plen)
{
	return (uint32_t)(d | fam << 8 | plen << 16);
}

/* dp_spd_key_hash() of the key (hdr, a0, a1), a0 and a1 the address words
 * in memory order: from registers, without storing the key (a store of
 * narrow fields followed by a wide load of them stalls store forwarding). */
static inline uint32_t dp_spd_hkey_hash(uint32_t hdr, uint64_t a0, uint64_t a1)
{
	uint32_t h = rte_hash_crc_4byte(hdr, DP_SPD_HASH_SEED);

	h = rte_hash_crc_8byte(a0, h);
	return rte_hash_crc_8byte(a1, h) | 1u;
}

/* dp_spd_tab_find() of the hash tier key (hdr, a0, a1) with hash h. */
static inline uint64_t dp_spd_tab_find_hkey(const struct dp_spd_tab *t, uint32_t h, uint32_t hdr,
	uint64_t a0, uint64_t a1)
{
	for (uint32_t i = h;; i++) {
		const struct dp_spd_tab_ent *e = &t->e[i & t->mask];
		uint32_t sig = __atomic_load_n(&e->sig, __ATOMIC_ACQUIRE);

		if (sig == 0)
			return 0;
		if (sig == h && ((dp_spd_ld32(e->key) ^ hdr) | (dp_spd_ld64(e->key + 4) ^ a0) |
				 (dp_spd_ld64(e->key + 12) ^ a1)) == 0)
			return __atomic_load_n(&e->val, __ATOMIC_ACQUIRE);
	}
}

static inline uint64_t dp_spd_tab_get(const struct dp_spd_tab *t, const void *key, uint32_t h)
{
	return dp_spd_tab_find(t, key, h, t->key_len);
}
/* Set key's value (0 deletes) in t, and in its successor where t's slot
 * was copied; t's old value.
 * The caller made room (dp_spd_tab_prepare and dp_spd_tab_step).
 * CONTROL. */
uint64_t dp_spd_tab_put(struct dp_spd_tab *t, const void *key, uint32_t h, uint64_t val);
/* Does t take `adds` more keys within its load limit? */
bool dp_spd_tab_room(const struct dp_spd_tab *t, uint32_t adds);
/* What one commit putting `adds` new keys into t (NULL: none yet) needs
 * allocated: *fresh gets an empty table to fill (a first table, a
 * successor, or a larger successor replacing an unfinished one), or NULL.
 * t is not changed.  0 or -ENOMEM.  CONTROL. */
int dp_spd_tab_prepare(const struct dp_spd_tab *t, uint32_t key_len, uint32_t adds,
	struct dp_spd_tab **fresh);
/* That commit's growth step, before its puts: attach fresh (freeing an
 * unfinished successor), copy the slots due and return the table to put
 * into and publish: t, or its completed successor (t then has none, and
 * the caller retires it: readers may hold it).  *moved += entries copied.
 * No failure.  CONTROL. */
struct dp_spd_tab *dp_spd_tab_step(struct dp_spd_tab *t, struct dp_spd_tab *fresh, uint32_t adds,
	uint32_t *moved);
/* Free t and an unfinished successor, not the values.  NULL: no-op. */
void dp_spd_tab_free(struct dp_spd_tab *t);

/* ------------------------------------------------------------------------ */
/* Rules. */

enum { DP_SPD_TIER_HASH = 0, DP_SPD_TIER_ACL = 1 };

/* An SA binding: immutable; non-PROTECT and unbound rules share one. */
struct dp_spd_bind {
	uint8_t n_out, n_in;
	uint8_t reserved[6];
	dp_sa_handle_t out[DP_POLICY_OUT_SA_MAX];
	dp_sa_handle_t in[DP_POLICY_IN_SA_MAX];
};

/* One rule as workers read it.  Immutable while workers may reach it,
 * except bind (atomic pointer).  ctl is CONTROL's alone. */
struct dp_spd_rule {
	uint32_t index;
	uint32_t priority;
	uint8_t dir, action, flags, tier;
	uint32_t ctl;                   /* ACL tier: position in acl_ids */
	struct dp_selector sel;
	const struct dp_spd_bind *bind;
};

/* A chain value in a table: (slot << 1 | 1) for one rule, else a pointer
 * to a block.  Hash tier chains are in match order. */
struct dp_spd_chain {
	uint32_t n;
	uint32_t slot[];
};

/* ------------------------------------------------------------------------ */
/* State and views. */

struct dp_spd_view {
	uint64_t generation;
	struct dp_spd_rule *const *chunk;    /* the state's slot directory */
	const struct dp_spd_tab *tab;        /* hash tier; NULL when empty */
	const struct dp_spd_tab *insa;       /* SA -> rules; NULL when empty */
	struct rte_acl_ctx *acl[2][2];       /* NULL: no entries */
	uint8_t nplen[2][2];                 /* remote prefix lengths present */
	uint8_t plen[2][2][129];             /* longest first */
};

struct dp_spd_state {
	struct dp_spd_rule *chunk[DP_SPD_CHUNKS];
	uint32_t hwm;                   /* slots handed out so far */
	uint32_t *free_slots;           /* returned slots (a stack) */
	uint32_t n_free, cap_free;
	struct dp_spd_tab *tab;         /* hash tier (key: struct dp_spd_hkey) */
	struct dp_spd_tab *insa;        /* inbound SA map (key: the handle) */
	struct dp_spd_tab *index;       /* CONTROL: index -> slot + 1 */
	struct rte_acl_ctx *acl[2][2];
	uint32_t acl_entries;           /* rte_acl entries over the contexts */
	uint32_t *acl_ids;              /* ACL tier slots, any order */
	uint32_t n_acl, cap_acl;
	uint32_t n;                     /* committed rules */
	uint32_t n_hash;                /* of those in the hash tier */
	uint32_t plen_count[2][2][129]; /* hash tier rules per remote plen */
};

/* A staged change. */
struct dp_spd_stage {
	uint32_t index;
	uint32_t slot;                  /* SET: a new unreachable slot; DEL: none */
	bool del;
};

/* Things to free once a grace period has passed. */
struct dp_spd_retired {
	uint64_t token;
	struct dp_spd_retired *next;
	uint32_t n, cap;
	struct dp_spd_retire_item {
		uint8_t kind;
		uint32_t slot;
		void *p;
		struct dp_spd_state *state;
	} *item;
};

struct dp_spd_acq_slot {
	uint64_t key;                    /* policy index << 32 | flow hash */
	uint64_t tsc;                    /* when it last posted */
};

/* One worker's counters and ACQUIRE limiter: that worker writes them. */
struct dp_spd_worker {
	alignas(64) uint64_t lookups;
	uint64_t acquire_posted;
	uint64_t acquire_suppressed;
	uint64_t acquire_lost;
	uint64_t mismatches;
	uint64_t window_tsc;             /* start of the current second */
	uint32_t window_posted;          /* ACQUIREs posted in it */
	uint32_t reserved;
	struct dp_spd_acq_slot acq[DP_SPD_ACQ_SETS][DP_SPD_ACQ_WAYS];
};

struct dp_spd {
	struct dp_ctx *ctx;
	struct dp_spd_view *view;        /* published (RCU) */
	pthread_mutex_t lock;            /* CONTROL entry points, telemetry */
	struct dp_spd_state *st;         /* the state `view` shows */
	/* Staged changes, CONTROL. */
	struct dp_spd_stage *stage;
	uint32_t n_stage, cap_stage;
	struct dp_spd_tab *staged;       /* index -> position in stage + 1 */
	uint32_t stage_moved;            /* staged entries copied by the last growth step */
	uint32_t commit_moved;           /* table entries copied by the last commit */
	uint32_t n_after;                /* rules once the staged commit */
	/* Retired things, oldest first (tokens increase). */
	struct dp_spd_retired *ret_head, *ret_tail;
	uint64_t generation;
	uint64_t build_ns;
	uint64_t commits;
	uint64_t commit_ns;
	uint64_t acl_builds;
	uint64_t acq_interval_tsc;
	uint64_t tsc_hz;
	uint32_t acq_per_s;
	uint16_t workers;
	struct dp_spd_worker *w;         /* workers entries */
};

/* ------------------------------------------------------------------------ */
/* rte_acl tier (dp_spd_acl.c). */

/* The rule in slot id of a view's (or state's) directory. */
static inline struct dp_spd_rule *dp_spd_slot(struct dp_spd_rule *const *chunk, uint32_t id)
{
	return &chunk[id >> DP_SPD_CHUNK_SHIFT][id & (DP_SPD_CHUNK - 1)];
}

/* Compile the rules in slots ids[0..n) (sorted in match order) into
 * acl[2][2] (NULL where a context has no entry); userdata = slot + 1.
 * *entries gets the rte_acl entry count.  0, -ENOMEM, -E2BIG.  CONTROL. */
int dp_spd_acl_build(struct dp_spd *spd, struct dp_spd_rule *const *chunk, const uint32_t *ids,
	uint32_t n, struct rte_acl_ctx *acl[2][2], uint32_t *entries);

/* ud[i] = slot + 1 of the best rte_acl tier match of flows[i] (0: none),
 * n <= 64, with acl the contexts of one direction.  WORKER. */
void dp_spd_acl_classify(struct rte_acl_ctx *const acl[2], const struct dp_flow *flows,
	unsigned int n, uint32_t *ud);

/* For telemetry: the committed rule in the lowest slot >= *pos into *p,
 * *pos set to that slot (slot order, not match order).  0 or -ENOENT.
 * ANY thread but a worker (takes the SPD's lock). */
int dp_spd_policy_next(struct dp_spd *spd, uint32_t *pos, struct dp_policy *p);

#endif /* DP_SPD_PRIV_H */
