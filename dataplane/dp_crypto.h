/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_crypto.h: the dataplane's crypto engines behind one burst interface.
 *
 * Internal to dataplane/ (it names struct rte_mbuf); control/ never sees it.
 *
 * Engines (numbers equal enum dp_engine in dpsec/dp.h):
 *   DP_CRYPTO_ENGINE_IPSEC_MB   intel-ipsec-mb called directly, synchronous:
 *                               one IMB_MGR per worker, the job API driven a
 *                               whole burst at a time.  The default.
 *   DP_CRYPTO_ENGINE_CRYPTODEV  rte_cryptodev lookaside, asynchronous: any PMD
 *                               by name (crypto_aesni_mb, crypto_openssl, QAT..).
 *                               Worker w uses queue pair w of every device, so
 *                               the ops of one SA (owned by one worker) come
 *                               back in the order they went in.
 * The gateway picks one (dp_crypto_config.engine, .dev_name); an SA may
 * override it (dp_crypto_sess_params.engine, .dev_name).
 *
 * Objects and threads:
 *   struct dp_crypto         one per gateway.  CONTROL creates and frees it
 *                            (after rte_eal_init, with workers stopped).
 *   struct dp_crypto_worker  one per worker, made by dp_crypto_new(); used by
 *                            that worker only (WORKER).
 *   struct dp_crypto_sess    one per SA and direction, made and freed by
 *                            CONTROL, read by workers.
 *   struct dp_crypto_op      one per packet, owned by the caller (e.g. an
 *                            array in the worker's scratch); the engine only
 *                            borrows it from enqueue until dequeue.
 *
 * Freeing a session: make it unreachable (SADB unpublish), wait an RCU
 * grace period (no worker can start a new op on it), then
 * dp_crypto_sess_free(), which also waits until ops still in a device are
 * dequeued (a fence, below).  Ops keep pointing to other things (the SA via
 * op->user): protect those with the same fence -- dp_crypto_fence_take()
 * after the grace period, free once dp_crypto_fence_passed().
 *
 * Packet layout contract (the ESP/AH layer's side):
 *   - The mbuf is one segment; every offset is from rte_pktmbuf_mtod(m) and
 *     every region lies inside data_len, else the op ends DP_CRYPTO_ERROR.
 *   - Ciphering is in place.
 *   - The message authenticated is one contiguous region of the packet.  For
 *     ESN the layer places the high 32 bits of the sequence number itself
 *     (RFC 4303 section 2.2.1: after the trailer, for HMAC; RFC 4543 section
 *     3.3: between SPI and sequence number, for GMAC) and restores the layout
 *     after dequeue.  AEAD (GCM, ChaCha20-Poly1305) takes its AAD in op->aad.
 *   - AH: the layer zeroes the mutable fields and the ICV field before an op.
 *     Outbound, op->digest may be the zeroed ICV field: the ICV is written
 *     there only after the MAC is computed.  Inbound, copy the received ICV
 *     out first and point op->digest at the copy.
 *   - op->digest and op->iv/aad are read at enqueue (the cryptodev engine
 *     copies them into its own op); the ICV of an outbound op is written by
 *     the time the op is dequeued.
 */
#ifndef DP_CRYPTO_H
#define DP_CRYPTO_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

struct rte_mbuf;
struct dp_rand;

#define DP_CRYPTO_WORKERS_MAX 64u   /* = DP_WORKERS_MAX */
#define DP_CRYPTO_DEVS_MAX 4u       /* distinct cryptodevs per gateway */
#define DP_CRYPTO_BURST_MAX 64u     /* ops per internal chunk (any n is fine) */
#define DP_CRYPTO_DEVNAME_MAX 64u   /* NUL included */
#define DP_CRYPTO_CIPHER_KEY_MAX 32u
#define DP_CRYPTO_AUTH_KEY_MAX 256u /* longer than a hash block: hashed (RFC 2104) */
#define DP_CRYPTO_SALT_LEN 4u       /* GCM, GMAC, CTR, ChaCha20-Poly1305 */
#define DP_CRYPTO_ICV_MAX 32u       /* HMAC-SHA-512-256 */
#define DP_CRYPTO_IV_MAX 16u        /* AES-CBC */
#define DP_CRYPTO_AAD_MAX 12u       /* SPI + 64-bit ESN */
#define DP_CRYPTO_NAME_MAX 16u      /* dp_crypto_config.name */

enum dp_crypto_engine {
	DP_CRYPTO_ENGINE_DEFAULT = 0,   /* the gateway's choice */
	DP_CRYPTO_ENGINE_IPSEC_MB = 1,
	DP_CRYPTO_ENGINE_CRYPTODEV = 2,
};

/* What one op of a session does (dp_crypto_sess_info.kind). */
enum dp_crypto_kind {
	/* AES-GCM, ChaCha20-Poly1305.  Cipher region = ESP payload through
	 * trailer; AAD in op->aad; nonce = salt || op->iv[0..8]. */
	DP_CRYPTO_KIND_AEAD = 1,
	/* AES-CBC or AES-CTR with an HMAC.  Cipher region as AEAD; auth region
	 * = ESP header through trailer (ciphertext).  Outbound encrypts then
	 * MACs, inbound verifies then decrypts.  CBC: IV = op->iv[0..16];
	 * CTR: counter block = salt || op->iv[0..8] || 0x00000001 (RFC 3686). */
	DP_CRYPTO_KIND_CIPHER_AUTH = 2,
	/* An HMAC alone: NULL encryption with an HMAC (ESP) or AH.  Only the
	 * auth region is used. */
	DP_CRYPTO_KIND_AUTH = 3,
	/* AES-GMAC alone (RFC 4543, ESP ENCR_NULL_AUTH_AES_GMAC, or AH):
	 * auth region only; nonce = salt || op->iv[0..8]. */
	DP_CRYPTO_KIND_GMAC = 4,
};

enum dp_crypto_dir {
	DP_CRYPTO_DIR_OUT = 0,  /* encrypt and/or generate the ICV */
	DP_CRYPTO_DIR_IN = 1,   /* verify the ICV and/or decrypt */
};

/* Per-op result.  Set by the engine; DP_CRYPTO_ERROR also for an op the
 * engine refused (bad region, multi-segment mbuf). */
enum dp_crypto_status {
	DP_CRYPTO_OK = 0,
	DP_CRYPTO_AUTH_FAILED = 1,
	DP_CRYPTO_ERROR = 2,
};

struct dp_crypto_config {
	uint16_t workers;         /* 1..DP_CRYPTO_WORKERS_MAX */
	uint8_t engine;           /* gateway default; DEFAULT means IPSEC_MB */
	int32_t socket_id;        /* NUMA node; -1 = any */
	uint32_t max_sessions;    /* per cryptodev session pool */
	uint32_t qp_depth;        /* cryptodev descriptors per queue pair */
	/* Gateway default cryptodev ("" = none).  A name that no EAL --vdev
	 * created is tried with rte_eal_hotplug_add("vdev") (crypto_aesni_mb, ...). */
	char dev_name[DP_CRYPTO_DEVNAME_MAX];
	const char *name;         /* unique prefix for DPDK object names,
				   * at most DP_CRYPTO_NAME_MAX characters */
};

/* Per-SA session parameters.  Keys are copied (and precomputed); the caller
 * wipes its own copy. */
struct dp_crypto_sess_params {
	uint8_t ealg;             /* SADB_EALG_* / SADB_X_EALG_*; NONE for AH */
	uint8_t aalg;             /* SADB_AALG_*; NONE with AEAD and GMAC */
	uint8_t dir;              /* enum dp_crypto_dir */
	uint8_t engine;           /* enum dp_crypto_engine; DEFAULT = gateway's */
	uint8_t icv_len;          /* 0 = the algorithm's; else it must match */
	uint8_t salt_len;         /* DP_CRYPTO_SALT_LEN where the alg has one */
	/* AEAD AAD bytes per op: 8 (SPI, seq) or 12 (with ESN).  0 is also
	 * accepted, for the published GCM vectors that have no AAD. */
	uint8_t aad_len;
	uint16_t ekey_len;        /* bytes, salt excluded */
	uint16_t akey_len;
	const uint8_t *ekey;
	const uint8_t *akey;
	const uint8_t *salt;
	char dev_name[DP_CRYPTO_DEVNAME_MAX]; /* CRYPTODEV; "" = gateway's */
};

/* What the ESP/AH layer needs to build packets for a session. */
struct dp_crypto_sess_info {
	uint8_t kind;             /* enum dp_crypto_kind */
	uint8_t engine;           /* resolved: IPSEC_MB or CRYPTODEV */
	uint8_t dir;
	uint8_t icv_len;          /* bytes of ICV in the packet */
	uint8_t iv_len;           /* bytes of IV in the ESP packet (0, 8, 16) */
	uint8_t pad_align;        /* ESP payload+trailer multiple: 16 CBC, else 4 */
	uint8_t aad_len;          /* AEAD: as in the params; else 0 */
};

/* One packet's crypto.  The caller fills the inputs; the engine writes the
 * ICV (DIR_OUT) and status.  Unused fields are ignored. */
struct dp_crypto_op {
	struct rte_mbuf *mbuf;            /* single segment; processed in place */
	struct dp_crypto_sess *sess;
	uint32_t cipher_offset;           /* AEAD, CIPHER_AUTH */
	uint32_t cipher_length;
	uint32_t auth_offset;             /* CIPHER_AUTH, AUTH, GMAC */
	uint32_t auth_length;
	/* ICV, sess icv_len bytes: written (OUT) or compared (IN).  Any
	 * memory; in the packet after the trailer for ESP. */
	uint8_t *digest;
	void *user;                       /* the caller's; never touched */
	uint8_t iv[DP_CRYPTO_IV_MAX];     /* 8 bytes as on the wire; CBC 16 */
	uint8_t aad[DP_CRYPTO_AAD_MAX];   /* AEAD: SPI || [seq hi] || seq lo,
					   * sess aad_len bytes */
	uint8_t status;                   /* out: enum dp_crypto_status */
};

static_assert(sizeof(struct dp_crypto_op) == 80, "one op per packet: keep it small");

/* A snapshot of every worker's enqueue count (see "Freeing a session"). */
struct dp_crypto_fence {
	uint64_t enqueued[DP_CRYPTO_WORKERS_MAX];
};

struct dp_crypto;
struct dp_crypto_worker;
struct dp_crypto_sess;

/* ---- CONTROL ------------------------------------------------------------ */

/* Defaults: 1 worker, IPSEC_MB, any socket, 4096 sessions, 2048
 * descriptors, no cryptodev, name "dpc". */
void dp_crypto_config_default(struct dp_crypto_config *cfg);

/* Create the gateway's crypto context, one IMB_MGR and one CSPRNG per
 * worker, and open cfg->dev_name if set.  EAL must be up.  0 or -errno
 * (-EINVAL bad config, -ENODEV device not found, -ENOMEM, -EIO). */
int dp_crypto_new(const struct dp_crypto_config *cfg, struct dp_crypto **out);

/* Stop and close the devices this context opened, free everything.
 * Workers must be stopped and every session freed first.  NULL is a no-op. */
void dp_crypto_free(struct dp_crypto *c);

/* Worker w's handle (w < cfg.workers), or NULL. */
struct dp_crypto_worker *dp_crypto_worker(struct dp_crypto *c, unsigned int w);

/* Create a session.  A cryptodev named for the first time is opened here
 * (configured with one queue pair per worker, started, then published to
 * the workers), so this is safe while workers run.  0 or -errno: -EINVAL
 * (bad combination, key or salt length, ICV length), -ENOTSUP (engine or
 * device lacks the algorithm),
 * -ENODEV, -ENOMEM. */
int dp_crypto_sess_new(struct dp_crypto *c, const struct dp_crypto_sess_params *p,
		       struct dp_crypto_sess **out);

/* Wipe the keys and free, after the RCU grace period.  A CRYPTODEV session
 * first waits (at most DP_CRYPTO_FREE_WAIT_MS, polling a fence) until every
 * op enqueued before the call has been dequeued; if that does not happen
 * (a worker stopped with ops in flight) nothing is freed and it returns
 * -EBUSY: call again later, or leak it rather than free it under a device.
 * Otherwise 0.  Fits the dp_sa_cold.crypto_free hook through a one-line
 * wrapper.  NULL: 0. */
#define DP_CRYPTO_FREE_WAIT_MS 100u
int dp_crypto_sess_free(struct dp_crypto_sess *s);

void dp_crypto_sess_get_info(const struct dp_crypto_sess *s, struct dp_crypto_sess_info *info);

/* Take a fence now; later, passed() is true once every op any worker had
 * enqueued at that moment has been dequeued. */
void dp_crypto_fence_take(const struct dp_crypto *c, struct dp_crypto_fence *f);
bool dp_crypto_fence_passed(const struct dp_crypto *c, const struct dp_crypto_fence *f);

/* Name of the instruction set intel-ipsec-mb picked ("avx512", ...). */
const char *dp_crypto_mb_arch(const struct dp_crypto *c);

/* ---- WORKER (its own handle only) ---------------------------------------- */

/* Start ops[0..n).  Returns how many were taken (a prefix; fewer when a
 * device queue is full); the rest stay with the caller.  IPSEC_MB ops are
 * done during the call and wait to be dequeued; CRYPTODEV ops go to the
 * device.  No allocation, no locks, no syscalls. */
uint16_t dp_crypto_enqueue(struct dp_crypto_worker *w, struct dp_crypto_op **ops, uint16_t n);

/* Finished ops, up to n, each with its status.  The ops of one session come
 * out in enqueue order; ops of sessions on different engines or devices
 * may interleave differently.  An op refused at enqueue (status ERROR) can
 * overtake ops of its session still in a device. */
uint16_t dp_crypto_dequeue(struct dp_crypto_worker *w, struct dp_crypto_op **ops, uint16_t n);

/* Synchronous convenience: run ops[0..n) to completion and return n.  The
 * array is not reordered.  Do not mix with ops still in flight from
 * dp_crypto_enqueue() on the same worker. */
uint16_t dp_crypto_process(struct dp_crypto_worker *w, struct dp_crypto_op **ops, uint16_t n);

/* Ops enqueued but not yet dequeued on this worker. */
uint32_t dp_crypto_inflight(const struct dp_crypto_worker *w);

/* The worker's CSPRNG for CBC IVs (dp_rand.h). */
struct dp_rand *dp_crypto_worker_rand(struct dp_crypto_worker *w);

#endif /* DP_CRYPTO_H */
