/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dpsec/dp.h: the dataplane's public API (libdpsec-dataplane).
 *
 * Plain C, no DPDK types: control/ drives the dataplane through this header
 * alone.  The implementation needs DPDK's EAL to be initialised before
 * dp_create() (memory for rings, hash tables and RCU state comes from it).
 *
 * Threads (see docs/DATAPLANE.md):
 *   - CONTROL: one thread, the single writer.  It creates and destroys the
 *     context, adds/updates/deletes SAs, reads statistics and events.  No two
 *     CONTROL functions may run at the same time (they are not locked).
 *   - WORKER n: the thread that called dp_worker_register(ctx, n).  Workers
 *     only read the SA tables (lock-free, RCU) and report quiescence once per
 *     loop.  Each SA is owned by one worker (dp_sa_params.owner); only that
 *     worker writes its sequence numbers, replay window and counters.
 *   - ANY: any thread.
 *
 * Error contract: int functions return 0 (or a count) on success, -errno on
 * failure; constructors return NULL (errno set).  A failed call changes
 * nothing.  Nothing here prints, exits or aborts.
 */
#ifndef DPSEC_DP_H
#define DPSEC_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dpsec/pfkeyv2.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Limits.                                                                   */

#define DP_KEY_MAX 64u        /* bytes; HMAC-SHA-512 keys are 64 */
#define DP_SALT_MAX 4u        /* bytes; GCM, CTR, ChaCha20, GMAC nonce salt */
#define DP_ICV_MAX 32u        /* bytes */
#define DP_REPLAY_WINDOW_MAX DPSEC_REPLAY_WINDOW_MAX /* packets (65536) */
#define DP_REPLAY_WORDS_MAX (DP_REPLAY_WINDOW_MAX / 64u)
#define DP_WORKERS_MAX 64u
#define DP_DEVNAME_MAX 64u    /* cryptodev name, NUL included */
#define DP_SA_MAX (1u << 24)  /* hard ceiling on dp_config.max_sas */

/* ------------------------------------------------------------------------ */
/* Drop reasons: one list, for the counters, their names and telemetry.      */
/* X(ENUM_SUFFIX, "name") -- names are stable (telemetry, PF_KEY dumps).     */

#define DP_DROP_REASONS(X)                                                  \
	X(NO_SA, "no-sa")                       /* no SA for SPI/dst/proto */ \
	X(REPLAY_TOO_OLD, "replay-too-old")     /* left of the window */      \
	X(REPLAY_DUPLICATE, "replay-duplicate") /* already received */        \
	X(SEQ_ZERO, "seq-zero")                 /* sequence number 0 */       \
	X(AUTH_FAILED, "auth-failed")           /* ICV mismatch */            \
	X(BAD_PADDING, "bad-padding")           /* ESP padding check */       \
	X(TRUNCATED, "truncated")               /* shorter than headers */    \
	X(BAD_LENGTH, "bad-length")             /* not a block multiple... */ \
	X(BAD_NEXT_HEADER, "bad-next-header")   /* unsupported inner proto */ \
	X(SEQ_EXHAUSTED, "seq-exhausted")       /* outbound space used up */  \
	X(LEASE_EXHAUSTED, "lease-exhausted")   /* at the sequence lease */   \
	X(SA_STATE, "sa-state")                 /* state carries no traffic */\
	X(HARD_LIFETIME, "hard-lifetime")       /* hard byte/packet limit */  \
	X(WRONG_DIRECTION, "wrong-direction")   /* inbound pkt, outbound SA */\
	X(CRYPTO_ERROR, "crypto-error")         /* engine failed */           \
	X(NO_BUFFER, "no-buffer")               /* mbuf/headroom/tailroom */  \
	X(POLICY_MISMATCH, "policy-mismatch")   /* inner pkt vs selectors */  \
	X(POLICY_DISCARD, "policy-discard")     /* SPD says discard */        \
	X(NO_POLICY, "no-policy")               /* no SPD entry */            \
	X(NOT_FOR_US, "not-for-us")             /* wrong address */           \
	X(HOLD_FULL, "hold-full")               /* IDLE-SA hold queue full */ \
	X(HANDOFF_FULL, "handoff-full")         /* owner's ring full */       \
	X(TTL_EXCEEDED, "ttl-exceeded")         /* TTL/hop limit ran out */   \
	X(UNSUPPORTED, "unsupported")           /* feature not handled */ \
	X(ECN_DROP, "ecn-drop")                 /* RFC 6040: CE on Not-ECT */

enum dp_drop {
	DP_DROP_NONE = 0, /* not a drop: "passed" */
#define DP_DROP_ENUM_(name, str) DP_DROP_##name,
	DP_DROP_REASONS(DP_DROP_ENUM_)
#undef DP_DROP_ENUM_
	DP_DROP_COUNT
};

/* Stable name of a drop reason ("no-sa"), "none" for DP_DROP_NONE, NULL when
 * out of range.  ANY. */
const char *dp_drop_name(unsigned int reason);

/* ------------------------------------------------------------------------ */
/* SA parameters.                                                            */

/* Opaque SA handle: slot index (low 32 bits) and a generation (high 32), so
 * a stale handle to a deleted SA is rejected instead of reaching the SA that
 * reused its slot.  0 is never a valid handle. */
typedef uint64_t dp_sa_handle_t;
#define DP_SA_HANDLE_INVALID ((dp_sa_handle_t)0)

enum dp_dir {
	DP_DIR_IN = SADB_X_DPSEC_DIR_IN,
	DP_DIR_OUT = SADB_X_DPSEC_DIR_OUT,
};

enum dp_mode {
	DP_MODE_TRANSPORT = SADB_X_DPSEC_MODE_TRANSPORT,
	DP_MODE_TUNNEL = SADB_X_DPSEC_MODE_TUNNEL,
};

/* Crypto engine per SA.  DEFAULT takes the gateway's choice (dp_config). */
enum dp_engine {
	DP_ENGINE_DEFAULT = 0,
	DP_ENGINE_IPSEC_MB = 1,  /* intel-ipsec-mb called directly */
	DP_ENGINE_CRYPTODEV = 2, /* rte_cryptodev lookaside, by device name */
};

/* Outer header handling on tunnel encapsulation (dp_sa_params.flags).
 * DF: exactly one of COPY (default when none given), SET, CLEAR.
 * ECN (RFC 6040): NORMAL (default) copies inner ECN outward on encap and
 * applies the RFC 6040 table on decap; COMPAT (RFC 6040 section 4.3 /
 * RFC 3168 limited functionality) sets outer ECN to Not-ECT.
 * DSCP: copied inner -> outer unless DSCP_SET (then dp_sa_params.dscp) and
 * never copied outer -> inner on decap unless DSCP_DECAP_COPY. */
#define DP_SA_F_DF_COPY 0x0001u
#define DP_SA_F_DF_SET 0x0002u
#define DP_SA_F_DF_CLEAR 0x0004u
#define DP_SA_F_ECN_COMPAT 0x0010u
#define DP_SA_F_DSCP_SET 0x0020u
#define DP_SA_F_DSCP_DECAP_COPY 0x0040u
#define DP_SA_F_ESN 0x0100u       /* 64-bit extended sequence numbers */
#define DP_SA_F_ALL 0x0177u

/* An address: family AF_INET (4 bytes used) or AF_INET6 (16), network order.
 * Unused bytes must be zero. */
struct dp_addr {
	uint8_t family;
	uint8_t reserved[3];
	uint8_t bytes[16];
};

/* A byte and packet limit pair; 0 = no limit. */
struct dp_lifetime {
	uint64_t bytes;
	uint64_t packets;
};

/* Everything the dataplane needs to create one SA (one direction).  Filled by
 * control/ from PF_KEY ADD/UPDATE.  Zero-initialise it, then set fields.
 * Keys are copied; the caller wipes its own copy. */
struct dp_sa_params {
	uint32_t spi;            /* network byte order, as on the wire */
	uint8_t satype;          /* SADB_SATYPE_AH or SADB_SATYPE_ESP */
	uint8_t dir;             /* enum dp_dir */
	uint8_t mode;            /* enum dp_mode */
	uint8_t state;           /* SADB_SASTATE_* / SADB_X_SASTATE_* (0..6) */

	struct dp_addr src;      /* SA source (outer source in tunnel mode) */
	struct dp_addr dst;      /* SA destination: the lookup key inbound */
	struct dp_addr tun_src;  /* tunnel mode: outer source if it differs */
	struct dp_addr tun_dst;  /* from src/dst; family 0 = use src/dst */
	uint16_t natt_sport;     /* NAT-T UDP ports, host order; 0 = no NAT-T */
	uint16_t natt_dport;

	uint8_t auth_alg;        /* SADB_AALG_* (AH, ESP with a separate MAC) */
	uint8_t encr_alg;        /* SADB_EALG_* / SADB_X_EALG_* (ESP) */
	uint8_t icv_len;         /* bytes; 0 = the algorithm's default */
	uint8_t dscp;            /* with DP_SA_F_DSCP_SET */
	uint16_t auth_key_len;   /* bytes */
	uint16_t encr_key_len;   /* bytes, salt excluded */
	uint8_t auth_key[DP_KEY_MAX];
	uint8_t encr_key[DP_KEY_MAX];
	uint8_t salt[DP_SALT_MAX];
	uint8_t salt_len;        /* bytes: 4 for GCM/CTR/ChaCha20/GMAC, else 0 */
	uint8_t engine;          /* enum dp_engine */
	uint16_t owner;          /* owning worker, < dp_config.workers */
	char crypto_dev[DP_DEVNAME_MAX]; /* DP_ENGINE_CRYPTODEV: device name */

	uint32_t flags;          /* DP_SA_F_* */
	uint32_t replay_window;  /* inbound, packets 0..65536; 0 = replay off */
	/* Initial sequence state.  Outbound: the last sequence number sent (the
	 * first packet carries seq + 1).  Inbound: the highest sequence number
	 * already accepted; the window starts empty below it unless
	 * dp_sa_set_replay() installs a bitmap. */
	uint64_t seq;
	/* Outbound: never send a sequence number >= lease_limit.  0 = no lease
	 * (only the sequence space ends the SA). */
	uint64_t lease_limit;
	struct dp_lifetime soft; /* crossing raises DP_EVENT_SOFT_* once */
	struct dp_lifetime hard; /* crossing raises DP_EVENT_HARD_*, then drops */
};

/* ------------------------------------------------------------------------ */
/* Context.                                                                  */

struct dp_config {
	uint32_t max_sas;          /* SAs at once (hash and handle table size) */
	uint16_t workers;          /* worker threads, 1..DP_WORKERS_MAX */
	uint8_t engine;            /* gateway default, enum dp_engine */
	uint8_t reserved;
	uint32_t event_ring_size;  /* events queued to CONTROL; power of two */
	uint32_t handoff_ring_size;/* per-worker hand-off ring; power of two */
	uint32_t hold_max;         /* per-worker IDLE hold queue; power of two */
	int32_t socket_id;         /* NUMA node for tables; -1 = any */
	char crypto_dev[DP_DEVNAME_MAX]; /* gateway default cryptodev name */
	const char *name;          /* unique prefix for DPDK object names */
};

struct dp_ctx;

/* Defaults: 1M SAs, 1 worker, intel-ipsec-mb, 4096 events, 1024 hand-off
 * slots, 256 held packets, any socket, name "dp".  ANY. */
void dp_config_default(struct dp_config *cfg);

/* Create a dataplane context.  EAL must be initialised.  CONTROL.
 * NULL with errno EINVAL (bad config), ENOMEM, EEXIST (name in use). */
struct dp_ctx *dp_create(const struct dp_config *cfg);

/* Destroy a context and every SA in it (keys wiped).  All workers must have
 * stopped (unregistered or never started).  dp_destroy(NULL) is a no-op.
 * CONTROL. */
void dp_destroy(struct dp_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* SAs.  All CONTROL.                                                        */

/* Validate and add an SA; on success *handle names it.  -EINVAL (bad
 * params), -EEXIST ((SPI, dst, satype) already present), -ENOSPC (table
 * full), -ENOMEM. */
int dp_sa_add(struct dp_ctx *ctx, const struct dp_sa_params *p, dp_sa_handle_t *handle);

/* PF_KEY UPDATE of a live SA: applies p->state, p->soft, p->hard and
 * p->lease_limit (outbound).  The identity (spi, satype, dir, dst) must be
 * the SA's (-EINVAL otherwise); other fields are immutable and ignored (to
 * change keys or algorithms, add a new SA).  -ENOENT for a stale handle. */
int dp_sa_update(struct dp_ctx *ctx, dp_sa_handle_t handle, const struct dp_sa_params *p);

/* Delete an SA.  Workers stop finding it at once; its memory is wiped and
 * freed after the RCU grace period (by dp_reclaim() or a later add/delete).
 * -ENOENT for a stale handle. */
int dp_sa_delete(struct dp_ctx *ctx, dp_sa_handle_t handle);

/* Find an SA by its PF_KEY identity (either direction).  -ENOENT. */
int dp_sa_find(struct dp_ctx *ctx, uint32_t spi, uint8_t satype, const struct dp_addr *dst,
	dp_sa_handle_t *handle);

/* Set the state (SADB_SASTATE_* 0..6).  Moving to ACTIVE releases packets
 * held while IDLE (the owner worker sends them on its next loop).  -EINVAL
 * for an unknown state, -ENOENT. */
int dp_sa_set_state(struct dp_ctx *ctx, dp_sa_handle_t handle, uint8_t state);

/* Outbound: set the sequence lease limit (0 = none).  Takes effect for the
 * owner's next packet; a limit at or below the last sequence number sent
 * stops the SA at once.  The half-use event is re-armed.  -EINVAL for an
 * inbound SA, -ENOENT. */
int dp_sa_set_lease(struct dp_ctx *ctx, dp_sa_handle_t handle, uint64_t limit);

/* Replay state of an inbound SA, in a layout independent of the dataplane's
 * internal buckets: bit i of bitmap (word i / 64, bit i % 64) says whether
 * sequence number (highest - i) was received; bits >= window are zero. */
struct dp_replay_state {
	uint64_t highest;   /* highest sequence number accepted (64-bit ESN) */
	uint32_t window;    /* packets; filled by get, checked by set */
	uint32_t reserved;
	uint64_t bitmap[DP_REPLAY_WORDS_MAX];
};

/* Read the replay state.  While traffic flows, highest is exact and the
 * bitmap a snapshot that may trail it by the packets in flight.  Outbound
 * SAs report the last sequence number sent and an empty bitmap. */
int dp_sa_get_replay(struct dp_ctx *ctx, dp_sa_handle_t handle, struct dp_replay_state *rs);

/* Install a replay state (cluster take-over).  Only while the SA carries no
 * traffic (LARVAL, DEAD or ACTIVE_ELSEWHERE): -EBUSY otherwise; it waits
 * for an RCU grace period first, so no worker is still inside a packet of
 * the SA.  Inbound: rs->window must equal the SA's window (-EINVAL);
 * set_all = true ignores rs->bitmap and marks every sequence number in the
 * window up to rs->highest as received (the strict take-over policy);
 * a non-ESN highest >= 2^32 is -EINVAL.  Outbound: sets the last sequence
 * number sent, which may only grow (-ERANGE). */
int dp_sa_set_replay(struct dp_ctx *ctx, dp_sa_handle_t handle, const struct dp_replay_state *rs,
	bool set_all);

/* Counters and times of one SA.  Times are seconds since the Unix epoch;
 * last_use 0 = never used. */
struct dp_sa_stats {
	uint64_t packets;        /* processed successfully */
	uint64_t bytes;          /* payload bytes protected or verified */
	uint64_t drops[DP_DROP_COUNT];
	uint64_t add_time;
	uint64_t last_use;
	uint64_t seq;            /* out: last sent; in: highest accepted */
	uint64_t lease_limit;    /* out: current limit, 0 = none */
	uint32_t held;           /* packets waiting in the IDLE hold queue */
	uint8_t state;
	uint8_t dir;
	uint16_t owner;
};
int dp_sa_get_stats(struct dp_ctx *ctx, dp_sa_handle_t handle, struct dp_sa_stats *st);

/* Number of SAs in the table.  CONTROL. */
uint32_t dp_sa_count(const struct dp_ctx *ctx);

/* Free SAs whose grace period has ended; returns how many (>= 0) or -errno.
 * Call it from a timer; add/delete also reclaim as they go.  CONTROL. */
int dp_reclaim(struct dp_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Workers.                                                                  */

/* Register the calling thread as worker `worker` (< cfg.workers) and put it
 * online for RCU.  WORKER.  -EINVAL, -EBUSY (already registered). */
int dp_worker_register(struct dp_ctx *ctx, unsigned int worker);
/* Go offline and unregister; the worker holds no SA pointer after.  WORKER. */
int dp_worker_unregister(struct dp_ctx *ctx, unsigned int worker);
/* Report a quiescent state: the worker holds no SA pointer from before this
 * call.  Once per loop.  WORKER. */
void dp_worker_quiescent(struct dp_ctx *ctx, unsigned int worker);
/* Around a sleep: offline workers never delay reclamation.  WORKER. */
void dp_worker_offline(struct dp_ctx *ctx, unsigned int worker);
void dp_worker_online(struct dp_ctx *ctx, unsigned int worker);

struct dp_worker_stats {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t handoff_out;   /* packets given to another SA owner */
	uint64_t handoff_in;    /* packets taken from other workers */
	uint64_t events_lost;   /* event ring was full */
	uint64_t drops[DP_DROP_COUNT];
};
/* Snapshot of one worker's counters.  CONTROL. */
int dp_worker_get_stats(struct dp_ctx *ctx, unsigned int worker, struct dp_worker_stats *st);

/* ------------------------------------------------------------------------ */
/* Security policy database (SPD) lookup.  docs/DATAPLANE.md "Policy lookup". */
/*
 * CONTROL compiles a whole rule array into a policy set (rte_acl, IPv4 and
 * IPv6, inbound and outbound) and publishes it at once: a lookup sees the
 * old set or the new one, never a mix; the old set is freed after the RCU
 * grace period.  Match order: lower priority value first, ties by lower
 * index.  No match (an empty set included) is a drop with DP_DROP_NO_POLICY
 * (RFC 4301 4.4.1: traffic no SPD entry names is discarded; add a last
 * bypass rule to pass it).  The SPD does not exempt IKE or traffic to the
 * gateway: the worker sends those to the exception path before the lookup.
 */

#define DP_POLICY_INDEX_NONE 0u   /* no policy; valid indices are >= 1 */
#define DP_POLICY_OUT_SA_MAX 2u   /* outbound SA bundle: AH over ESP */
#define DP_POLICY_IN_SA_MAX 4u    /* inbound SAs accepted (rekey overlap) */
#define DP_SPD_RULES_MAX (1u << 20)

enum dp_policy_dir {
	DP_POLICY_DIR_IN = SADB_X_DPSEC_DIR_IN,
	DP_POLICY_DIR_OUT = SADB_X_DPSEC_DIR_OUT,
	DP_POLICY_DIR_BOTH = SADB_X_DPSEC_DIR_BOTH,
};

enum dp_policy_action {
	DP_POLICY_BYPASS = SADB_X_DPSEC_ACTION_BYPASS,
	DP_POLICY_DISCARD = SADB_X_DPSEC_ACTION_DISCARD,
	DP_POLICY_PROTECT = SADB_X_DPSEC_ACTION_IPSEC,
};

/* ACQUIREs of this policy are rate-limited per flow ("sa unique"), not per
 * policy ("sa shared", the default). */
#define DP_POLICY_F_UNIQUE 0x1u
#define DP_POLICY_F_ALL 0x1u

/* What a policy matches, named from the gateway's side as PF_KEY does
 * (sadb_x_dpsec_selector): local is the protected side.  Outbound, the
 * packet's source is local; inbound, its destination.  For a tunnel-mode
 * rule this is the inner selector (seed 002).  Addresses network order;
 * ports host order; ranges inclusive and literal (a zeroed range matches
 * only 0: dp_policy_init() sets them all to "any").  family 0 = any (then
 * addresses and prefix lengths are ignored).  proto 0 = any.  Port ranges
 * apply to packets that are not ICMP (ports 0 when the protocol has none);
 * ICMP type/code ranges to ICMP (proto 1 in IPv4, 58 in IPv6).  Address
 * bits past the prefix are ignored. */
struct dp_selector {
	uint8_t family;
	uint8_t proto;
	uint8_t local_plen;
	uint8_t remote_plen;
	uint16_t lport_min, lport_max;
	uint16_t rport_min, rport_max;
	uint8_t icmp_type_min, icmp_type_max;
	uint8_t icmp_code_min, icmp_code_max;
	uint8_t local[16];
	uint8_t remote[16];
};

/* One rule of a policy set. */
struct dp_policy {
	uint32_t index;      /* >= 1, unique in the set (PF_KEY policy index) */
	uint32_t priority;   /* lower value matches first */
	uint8_t dir;         /* enum dp_policy_dir */
	uint8_t action;      /* enum dp_policy_action */
	uint8_t flags;       /* DP_POLICY_F_* */
	uint8_t n_out;       /* PROTECT: outbound SAs in out[]; 0 = none yet:
			      * outbound packets get DP_SPD_ACQUIRE */
	uint8_t n_in;        /* PROTECT: inbound SAs in in[] */
	uint8_t reserved[3];
	struct dp_selector sel;
	/* Outbound SAs in the order they are applied: out[0] first (innermost,
	 * ESP of an AH-over-ESP bundle), out[n_out - 1] last (outermost). */
	dp_sa_handle_t out[DP_POLICY_OUT_SA_MAX];
	/* Inbound SAs whose decapsulated packets must match sel (any order;
	 * old and new during a rekey). */
	dp_sa_handle_t in[DP_POLICY_IN_SA_MAX];
};

/* Zero *p and open every range of its selector (any port, any ICMP type
 * and code).  ANY. */
static inline void dp_policy_init(struct dp_policy *p)
{
	*p = (struct dp_policy){ 0 };
	p->sel.lport_max = p->sel.rport_max = UINT16_MAX;
	p->sel.icmp_type_max = p->sel.icmp_code_max = UINT8_MAX;
}

enum dp_spd_verdict {
	DP_SPD_DROP = 0,   /* drop: res.drop is NO_POLICY, POLICY_DISCARD or
			    * POLICY_MISMATCH (inbound plain packet that a
			    * PROTECT policy says must arrive protected) */
	DP_SPD_BYPASS,     /* send it on in the clear */
	DP_SPD_PROTECT,    /* outbound: apply res.sa[0..n_sa) in that order */
	DP_SPD_ACQUIRE,    /* outbound PROTECT without SA: drop or hold it;
			    * an ACQUIRE event was posted (rate-limited) */
};

struct dp_spd_result {
	uint32_t policy;   /* index of the matching policy, or NONE */
	uint8_t verdict;   /* enum dp_spd_verdict */
	uint8_t drop;      /* enum dp_drop with DP_SPD_DROP, else 0 */
	uint8_t n_sa;      /* DP_SPD_PROTECT: SAs in sa[] */
	uint8_t reserved;
	dp_sa_handle_t sa[DP_POLICY_OUT_SA_MAX];
};

struct dp_spd_config {
	/* A policy (or with DP_POLICY_F_UNIQUE, a flow) raises at most one
	 * ACQUIRE per worker per interval; 0 = 1000 ms. */
	uint32_t acquire_interval_ms;
	/* Each worker posts at most this many ACQUIREs a second, whatever
	 * the flows; 0 = 64. */
	uint32_t acquire_per_s;
};

struct dp_spd_stats {
	uint64_t generation;          /* sets published so far */
	uint32_t rules;               /* in the current set */
	uint32_t acl_rules;           /* rte_acl entries they compiled to */
	uint64_t build_ns;            /* last publish: compile time */
	uint64_t lookups;             /* packets classified (all workers) */
	uint64_t acquire_posted;
	uint64_t acquire_suppressed;  /* by the rate limit */
	uint64_t acquire_lost;        /* event ring full */
	uint64_t mismatches;          /* post-decapsulation check failures */
	/* Incremental changes (docs/DATAPLANE.md "Policy lookup at scale"). */
	uint32_t hash_rules;          /* rules in the hash tier */
	uint32_t hash_plens;          /* (direction, family, remote plen)
				       * present: probes per packet, summed */
	uint64_t commits;             /* dp_spd_commit() that changed something */
	uint64_t commit_ns;           /* the last one's time */
	uint64_t acl_builds;          /* rte_acl tier compilations */
	uint32_t staged;              /* changes waiting for a commit */
	uint32_t reserved;
};

struct dp_spd;
struct dp_flow;

/* An SPD bound to ctx (its workers, RCU and event ring), with an empty set
 * published.  cfg NULL = defaults.  NULL with errno EINVAL/ENOMEM.
 * CONTROL.  Free it before dp_destroy(ctx). */
struct dp_spd *dp_spd_create(struct dp_ctx *ctx, const struct dp_spd_config *cfg);

/* Free the SPD and every set (waits for a grace period: workers must not be
 * inside a lookup; stopped workers are fine).  NULL is a no-op.  CONTROL. */
void dp_spd_free(struct dp_spd *spd);

/* Validate rules[0..n), compile them and publish them as the new set,
 * replacing the whole old one.  The array is copied.  -EINVAL (a bad rule:
 * *bad, when not NULL, gets its position), -EEXIST (index twice: *bad is
 * the second), -E2BIG (n > DP_SPD_RULES_MAX), -ENOMEM; a failure leaves
 * the current set in place.  Old sets whose grace period has passed are
 * freed.  CONTROL. */
int dp_spd_publish(struct dp_spd *spd, const struct dp_policy *rules, uint32_t n, uint32_t *bad);

/*
 * Incremental changes (a million policies; docs/DATAPLANE.md "Policy lookup
 * at scale").  Between two publications CONTROL may change the current set
 * one policy at a time: dp_spd_policy_set() adds a policy or replaces the
 * one with the same index (its SA binding included), dp_spd_policy_del()
 * removes one.  The changes are staged and reach the workers together at
 * dp_spd_commit(); until then lookups see the set as it was.  The result of
 * any sequence of changes and commits is exactly that of publishing the
 * whole resulting rule array with dp_spd_publish() (same match order, same
 * verdicts, same dp_spd_check_inbound() answers); only the cost differs:
 * - a change of an existing policy's out[]/in[] binding alone costs O(1);
 * - adding, replacing or removing a policy whose selector names a remote
 *   prefix (hash tier, see docs) costs O(1) amortised;
 * - any other rule change makes the commit recompile the rte_acl tier,
 *   O(rules in that tier).
 * A commit is atomic per packet, not per burst: a burst classified while a
 * commit lands may see old and new policies.  Precisely: a binding change
 * is one store (a packet sees the old SAs or the new ones); a changed or
 * moved policy is added before its old version is removed, so a packet
 * meanwhile sees the old version, the new one or both (the better in
 * match order wins), never neither; the changes of one commit land one
 * after another inside the call, and every lookup that starts after it
 * returns sees all of them.  dp_spd_publish() discards staged changes.
 * Validation as dp_spd_publish() (-EINVAL bad rule, -E2BIG over
 * DP_SPD_RULES_MAX); set: -ENOMEM; del: -ENOENT (no such index, staged
 * changes included).  commit: 0, -ENOMEM (nothing of the staged changes
 * is applied and they stay staged; -E2BIG likewise if the rte_acl tier
 * outgrows rte_acl).  Nothing staged: commit returns 0 at once.  CONTROL.
 */
int dp_spd_policy_set(struct dp_spd *spd, const struct dp_policy *p);
int dp_spd_policy_del(struct dp_spd *spd, uint32_t index);
int dp_spd_commit(struct dp_spd *spd);

/* Free retired sets whose grace period has ended: how many (>= 0).
 * CONTROL (from a timer, like dp_reclaim()). */
int dp_spd_reclaim(struct dp_spd *spd);

/* Counters summed over the workers (read relaxed).  CONTROL. */
void dp_spd_get_stats(const struct dp_spd *spd, struct dp_spd_stats *st);

/* Classify n parsed packets travelling in direction dir (DP_POLICY_DIR_IN:
 * arrived in the clear on an unprotected port; DP_POLICY_DIR_OUT: from a
 * protected port).  flows[i] is the packet as on the wire (src = its
 * source; ICMP: sport = type << 8 | code, dport = 0).  res[i] gets the
 * verdict; a DP_SPD_ACQUIRE also posts DP_EVENT_ACQUIRE (policy index and
 * flow) unless rate-limited.  All n come from one set.  WORKER `worker`. */
void dp_spd_lookup(struct dp_spd *spd, unsigned int worker, uint8_t dir,
	const struct dp_flow *flows, unsigned int n, struct dp_spd_result *res);

/* After decapsulation: does inner packet flows[i], carried by inbound SA
 * sa[i], match the selector of a policy that lists sa[i] in its in[]?
 * drop[i] = DP_DROP_NONE or DP_DROP_POLICY_MISMATCH.  Returns how many
 * passed.  WORKER `worker`. */
unsigned int dp_spd_check_inbound(struct dp_spd *spd, unsigned int worker,
	const dp_sa_handle_t *sa, const struct dp_flow *flows, unsigned int n, uint8_t *drop);

/* ------------------------------------------------------------------------ */
/* Routing and neighbours (docs/DATAPLANE.md "Routing and neighbours").      */
/*                                                                           */
/* A struct dp_net holds the gateway's ports (MAC, MTU, addresses), the     */
/* IPv4/IPv6 route tables and the neighbour table.  CONTROL is the only     */
/* writer of routes, ports and table membership, and publishes with RCU    */
/* (the dp_ctx's workers); workers resolve, answer ARP/ND and build ICMP    */
/* errors through dataplane/dp_route.h, dp_neigh.h, dp_arp_nd.h, dp_icmp.h. */
/* Ports are the gateway's port numbers (dpsecd.yaml order), not ethdev ids.*/

#define DP_NET_PORTS_MAX 32u
#define DP_NET_PORT_ADDRS_MAX 16u   /* per port, link-local excluded */

/* Per-worker counters: X(ENUM_SUFFIX, "name"); names are stable. */
#define DP_NET_COUNTERS(X)                                                  \
	X(NO_ROUTE, "no-route")               /* dropped: no route */       \
	X(UNRESOLVED, "unresolved-next-hop")  /* dropped: no MAC in time */ \
	X(PENDING_FULL, "pending-full")       /* dropped: wait queue full */\
	X(PENDING, "pending")                 /* queued to wait for a MAC */\
	X(ARP_REQUEST_IN, "arp-request-in")   /* for one of our addresses */\
	X(ARP_REPLY_OUT, "arp-reply-out")                                   \
	X(ARP_REQUEST_OUT, "arp-request-out") /* resolution and probes */   \
	X(ARP_REPLY_IN, "arp-reply-in")                                     \
	X(ARP_IGNORED, "arp-ignored")         /* not for us, unsolicited */ \
	X(ARP_BAD, "arp-bad")                 /* malformed */               \
	X(NS_IN, "ns-in")                                                   \
	X(NA_OUT, "na-out")                                                 \
	X(NS_OUT, "ns-out")                                                 \
	X(NA_IN, "na-in")                                                   \
	X(ND_IGNORED, "nd-ignored")                                         \
	X(ND_BAD, "nd-bad")                   /* RFC 4861 7.1 checks */     \
	X(NEIGH_LEARNED, "neigh-learned")     /* an entry got its MAC */    \
	X(NEIGH_REQUEST_LOST, "neigh-request-lost") /* CONTROL ring full */ \
	X(ICMP_TOO_BIG, "icmp-too-big-out")                                 \
	X(ICMP_TIME_EXCEEDED, "icmp-time-exceeded-out")                     \
	X(ICMP_RATE_LIMITED, "icmp-rate-limited")                           \
	X(ICMP_SUPPRESSED, "icmp-suppressed") /* RFC 1812/4443: no error */ \
	X(FRAGMENTS_OUT, "fragments-out")                                   \
	X(FRAGMENT_IN_DROPPED, "fragment-in-dropped") /* ESP/AH fragments */\
	X(NO_BUFFER, "net-no-buffer")         /* mbuf alloc or headroom */

enum dp_net_counter {
#define DP_NET_COUNTER_ENUM_(name, str) DP_NET_C_##name,
	DP_NET_COUNTERS(DP_NET_COUNTER_ENUM_)
#undef DP_NET_COUNTER_ENUM_
	DP_NET_C_COUNT
};

/* Name of a counter, NULL when out of range.  ANY. */
const char *dp_net_counter_name(unsigned int c);

struct dp_net_config {
	uint32_t max_routes4;       /* IPv4 routes */
	uint32_t max_routes6;       /* IPv6 routes */
	uint32_t max_neigh;         /* neighbour entries, static included */
	uint32_t reachable_ms;      /* REACHABLE -> STALE (RFC 4861: 30 s) */
	uint32_t retrans_ms;        /* between solicitations (1 s) */
	uint32_t max_probes;        /* unanswered solicitations -> gone (3) */
	uint32_t gc_ms;             /* unused STALE entries removed (60 s) */
	uint32_t pending_max;       /* packets waiting for a MAC per worker */
	uint32_t pending_per_neigh; /* of those, per next hop */
	uint32_t icmp_rate;         /* ICMP errors per second per worker */
	uint32_t icmp_burst;        /* token bucket depth */
	uint32_t request_ring_size; /* worker -> CONTROL requests; power of 2 */
	const char *name;           /* unique prefix for DPDK names, <= 12 */
};

/* An address with a prefix length (on-link prefix of a port address). */
struct dp_prefix {
	struct dp_addr addr;
	uint8_t length;             /* 0..32 or 0..128 */
	uint8_t reserved[3];
};

struct dp_net;

/* Neighbour states (RFC 4861 7.3.2, simplified: no DELAY/PROBE; a STALE
 * entry in use is re-probed every retrans_ms). */
enum dp_neigh_state {
	DP_NEIGH_NONE = 0,
	DP_NEIGH_INCOMPLETE = 1,    /* soliciting; packets wait */
	DP_NEIGH_REACHABLE = 2,
	DP_NEIGH_STALE = 3,         /* used, re-confirmed when used */
	DP_NEIGH_STATIC = 4,        /* from the config; never ages */
};

struct dp_neigh_info {
	struct dp_addr addr;
	uint16_t port;
	uint8_t state;              /* enum dp_neigh_state */
	uint8_t mac[6];
	uint8_t reserved;
	uint32_t probes;            /* unanswered solicitations */
};

struct dp_net_stats {
	uint64_t counters[DP_NET_C_COUNT]; /* summed over workers */
	uint32_t routes4, routes6, neigh;
	uint32_t neigh_created, neigh_expired; /* by CONTROL */
};

/* 4096/1024 routes, 4096 neighbours, 30 s / 1 s / 3 probes / 60 s,
 * 64 pending (4 per next hop), 100 ICMP/s burst 20, 1024 requests, "net". */
void dp_net_config_default(struct dp_net_config *cfg);

/* Create the routing state for ctx (its workers are the RCU readers).
 * NULL with errno EINVAL, ENOMEM, EEXIST.  CONTROL.  Memory: rte_lpm and
 * rte_lpm6 keep 2^24-entry first-level tables (64 MiB each). */
struct dp_net *dp_net_create(struct dp_ctx *ctx, const struct dp_net_config *cfg);
/* Workers stopped first; pending packets are freed.  NULL no-op.  CONTROL. */
void dp_net_destroy(struct dp_net *net);

/* Set port `port`'s MAC, MTU (68..9600) and addresses; replaces what was
 * there.  An IPv6 port also gets the EUI-64 link-local address (answered
 * for, used as the source of solicitations).  Waits for an RCU grace
 * period before freeing the old record.  -EINVAL.  CONTROL. */
int dp_net_port_set(struct dp_net *net, unsigned int port, const uint8_t mac[6], uint16_t mtu,
	const struct dp_prefix *addrs, unsigned int n);

/* Add a route: prefix (host bits zero) to port, via a gateway (via NULL or
 * family 0: directly connected, the destination is the next hop).
 * -EINVAL, -EEXIST, -ENOSPC.  CONTROL. */
int dp_route_add(struct dp_net *net, const struct dp_prefix *prefix, unsigned int port,
	const struct dp_addr *via);
/* Delete a route (waits for a grace period).  -ENOENT.  CONTROL. */
int dp_route_del(struct dp_net *net, const struct dp_prefix *prefix);

/* Static neighbour (replaces a dynamic one).  -EINVAL, -ENOSPC.  CONTROL. */
int dp_neigh_add(struct dp_net *net, unsigned int port, const struct dp_addr *addr,
	const uint8_t mac[6]);
/* Delete a neighbour, static or dynamic.  -ENOENT.  CONTROL. */
int dp_neigh_del(struct dp_net *net, unsigned int port, const struct dp_addr *addr);
/* Read one entry.  -ENOENT.  CONTROL. */
int dp_neigh_get(struct dp_net *net, unsigned int port, const struct dp_addr *addr,
	struct dp_neigh_info *info);

/* Readable (eventfd) when workers posted neighbour requests.  CONTROL. */
int dp_net_fd(const struct dp_net *net);
/* Take workers' requests (create entries for next hops being resolved,
 * learn senders) and age the table.  Call on dp_net_fd and every
 * ~100 ms.  Returns entries changed, or -errno.  CONTROL. */
int dp_net_run(struct dp_net *net);

/* Counters summed over workers and the table's sizes.  CONTROL. */
int dp_net_get_stats(struct dp_net *net, struct dp_net_stats *st);

/* ------------------------------------------------------------------------ */
/* Events: workers -> CONTROL on a ring, with an eventfd to wake libev.      */

#define DP_EVENT_TYPES(X)                                                   \
	X(ACQUIRE, "acquire")             /* outbound packet, no SA */        \
	X(SOFT_BYTES, "soft-bytes")       /* soft byte limit crossed */       \
	X(SOFT_PACKETS, "soft-packets")                                       \
	X(HARD_BYTES, "hard-bytes")       /* the SA now drops */              \
	X(HARD_PACKETS, "hard-packets")                                       \
	X(IDLE_TRAFFIC, "idle-traffic")   /* verified packet on an IDLE SA */ \
	X(LEASE_LOW, "lease-low")         /* half the current lease used */   \
	X(LEASE_EXHAUSTED, "lease-exhausted")                                 \
	X(SEQ_EXHAUSTED, "seq-exhausted")

enum dp_event_type {
	DP_EVENT_NONE = 0,
#define DP_EVENT_ENUM_(name, str) DP_EVENT_##name,
	DP_EVENT_TYPES(DP_EVENT_ENUM_)
#undef DP_EVENT_ENUM_
	DP_EVENT_COUNT
};

/* Name of an event type, NULL when out of range.  ANY. */
const char *dp_event_name(unsigned int type);

/* The packet that triggered an ACQUIRE: its selectors. */
struct dp_flow {
	uint8_t family;     /* AF_INET / AF_INET6 */
	uint8_t proto;      /* IP protocol */
	uint16_t sport;     /* host order; ICMP: type << 8 | code */
	uint16_t dport;
	uint16_t reserved;
	uint8_t src[16];
	uint8_t dst[16];
};

struct dp_event {
	uint16_t type;          /* enum dp_event_type */
	uint16_t worker;        /* the worker that raised it */
	uint32_t policy;        /* ACQUIRE: policy index */
	dp_sa_handle_t sa;      /* SA events: the SA */
	uint64_t value;         /* bytes/packets/sequence number at the event */
	struct dp_flow flow;    /* ACQUIRE only */
};

/* File descriptor that becomes readable when events are waiting (an eventfd,
 * non-blocking; owned by the context: do not close it).  CONTROL. */
int dp_event_fd(const struct dp_ctx *ctx);

/* Take up to n events; returns how many (0 = none) or -errno.  Reading the
 * eventfd is done here.  Call until it returns less than n.  CONTROL. */
int dp_event_poll(struct dp_ctx *ctx, struct dp_event *ev, unsigned int n);

/* ------------------------------------------------------------------------ */
/* Gateway: ports and the worker loop (dataplane/dp_port.c, dp_loop.c).      */
/*                                                                           */
/* A struct dp_gw owns the gateway's DPDK ports (any ethdev: PCI or vdev),  */
/* one optional exception TAP (net_tap) per unprotected port, the mbuf pool */
/* and one dp_proc per worker; it runs the packet paths of docs/DATAPLANE.md*/
/* over the dp_ctx, dp_net and dp_spd it is given.  Port numbers are the    */
/* order of dp_gw_port_add() calls (dpsecd.yaml order), the same numbers    */
/* dp_net uses.                                                             */

#define DP_GW_PORTS_MAX 16u

enum dp_port_role {
	DP_PORT_PROTECTED = 1,     /* cleartext hosts: outbound SPD lookup */
	DP_PORT_UNPROTECTED = 2,   /* ESP/AH peers: inbound processing */
};

struct dp_port_params {
	const char *devname;       /* ethdev name ("net_pcap0", "0000:03:00.0") */
	const char *tap_devname;   /* unprotected only: exception TAP ethdev, or
				    * NULL / "" for none */
	uint8_t role;              /* enum dp_port_role */
	bool has_mac;              /* set this MAC; else the device's */
	uint8_t mac[6];
	uint16_t mtu;              /* 68..9600 */
	uint16_t rx_queues;        /* wanted; clipped to the device: RSS when > 1,
				    * else 1 but on net_pcap, net_ring and
				    * net_af_packet, whose queues are sources */
	const struct dp_prefix *addrs; /* the port's addresses (dp_net_port_set) */
	unsigned int n_addrs;
};

/* Per-worker counters of the loop: X(ENUM_SUFFIX, "name"). */
#define DP_GW_COUNTERS(X)                                                   \
	X(RX, "rx")                       /* frames received on ports */      \
	X(TX, "tx")                       /* frames sent on ports */          \
	X(TX_DROP, "tx-drop")             /* device queue full */             \
	X(EXCEPTION_IN, "exception-to-tap") /* to the kernel */               \
	X(EXCEPTION_OUT, "exception-from-tap") /* from the kernel, sent */    \
	X(PROTECTED, "protected")         /* encapsulated and sent on */      \
	X(DECAPSULATED, "decapsulated")   /* verified, passed policy */       \
	X(BYPASS, "bypass")               /* forwarded in the clear */        \
	X(DROP, "drop")                   /* every other drop (see reasons) */\
	X(NOT_IP, "not-ip")               /* unknown ethertype */             \
	X(TOO_BIG, "too-big")             /* over the egress MTU, DF set */

enum dp_gw_counter {
#define DP_GW_COUNTER_ENUM_(name, str) DP_GW_C_##name,
	DP_GW_COUNTERS(DP_GW_COUNTER_ENUM_)
#undef DP_GW_COUNTER_ENUM_
	DP_GW_C_COUNT
};

/* Name of a loop counter, NULL when out of range.  ANY. */
const char *dp_gw_counter_name(unsigned int c);

struct dp_gw_config {
	uint32_t mbufs;            /* mbuf pool size; 0 = 8191 */
	bool busy_poll;            /* else adaptive sleep when idle */
	uint32_t sleep_min_us;     /* adaptive: first sleep (>= 1) */
	uint32_t sleep_max_us;     /* adaptive: doubles up to this */
	const char *name;          /* unique prefix for DPDK names, <= 12 */
};

struct dp_gw;

/* The gateway over ctx (its workers run the loop), net and spd (not NULL;
 * net may be NULL for a gateway without ports, whose workers only keep RCU
 * going).  NULL with errno EINVAL, ENOMEM, EEXIST.  CONTROL. */
struct dp_gw *dp_gw_create(struct dp_ctx *ctx, struct dp_net *net, struct dp_spd *spd,
	const struct dp_gw_config *cfg);

/* Configure a port (queues, MTU, MAC, promiscuous) and its TAP, and give
 * dp_net its MAC, MTU and addresses.  Before dp_gw_start().  Returns the
 * port number (>= 0), or -ENODEV (no such ethdev), -EINVAL, -ENOSPC, or
 * the driver's -errno.  CONTROL. */
int dp_gw_port_add(struct dp_gw *gw, const struct dp_port_params *p);

/* The port's MAC (after dp_gw_port_add).  -EINVAL.  ANY. */
int dp_gw_port_mac(const struct dp_gw *gw, unsigned int port, uint8_t mac[6]);

/* The RX queues the port got (after dp_gw_port_add): rx_queues clipped to
 * the device, and 1 on a device without RSS other than net_pcap, net_ring
 * and net_af_packet (dp_port_params.rx_queues).  -EINVAL.  ANY. */
int dp_gw_port_rx_queues(const struct dp_gw *gw, unsigned int port);

/* Spread the rx queues and TAPs over the workers and start every device.
 * Call once SAs and policies are in place: a pcap port delivers its
 * whole file at once.  CONTROL. */
int dp_gw_start(struct dp_gw *gw);

/* The worker loop: register as worker `worker`, poll until *stop becomes
 * non-zero (read with acquire), flush, unregister.  0 or -errno (could not
 * register).  WORKER (the lcore function's body). */
int dp_gw_worker_run(struct dp_gw *gw, unsigned int worker, const volatile int *stop);

/* Milliseconds since any port or TAP last received a frame (since
 * dp_gw_start when none did).  ANY. */
uint64_t dp_gw_idle_ms(const struct dp_gw *gw);

/* Loop counters summed over workers.  CONTROL. */
void dp_gw_get_counters(const struct dp_gw *gw, uint64_t counters[DP_GW_C_COUNT]);

/* Stop and close every device (net_pcap writes its files out here) and
 * free the pool.  Workers stopped first.  NULL no-op.  CONTROL. */
void dp_gw_free(struct dp_gw *gw);

/* ------------------------------------------------------------------------ */
/* Telemetry: DPDK telemetry commands under /dpsec/ (docs/TELEMETRY.md).     */

struct dp_gw;

/* Optional objects the commands also report on; NULL = not reported. */
struct dp_telemetry_sources {
	struct dp_spd *spd;        /* /dpsec/policies, policy count in info */
	struct dp_net *net;        /* /dpsec/net: routes, neighbours, counters */
	struct dp_gw *gw;          /* /dpsec/ports (after dp_gw_start) */
};

/* Answer the /dpsec/ telemetry commands from ctx (and src, which may be
 * NULL).  The first call in the process registers the commands with DPDK
 * (EAL must run with telemetry, the default); they then read the dataplane
 * from DPDK's telemetry thread as an RCU reader of ctx.  Call it after
 * dp_create(), and again with the same ctx to change the sources (say,
 * once the gateway is started).  -EBUSY when another context is enabled,
 * -EINVAL, or DPDK's -errno.  CONTROL. */
int dp_telemetry_enable(struct dp_ctx *ctx, const struct dp_telemetry_sources *src);

/* Stop answering for ctx (commands reply null); waits for a command in
 * progress.  Call before freeing a source given to dp_telemetry_enable();
 * dp_destroy() calls it too.  Another or no context: no-op.  CONTROL. */
void dp_telemetry_disable(struct dp_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif /* DPSEC_DP_H */
