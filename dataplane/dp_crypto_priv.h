/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_crypto_priv.h: what dp_crypto.c, dp_crypto_mb.c and dp_crypto_dev.c
 * share.  Not for the rest of the dataplane (use dp_crypto.h), except that
 * the burst driver (dp_proc.c) reads dp_crypto_sess.info inline.
 */
#ifndef DP_CRYPTO_PRIV_H
#define DP_CRYPTO_PRIV_H

#include <assert.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>
#include <rte_common.h>

#include "dp_crypto.h"

/* Completed IPSEC_MB ops wait here for dp_crypto_dequeue(); a power of two
 * bounds how many a worker may have pending. */
#define DP_CRYPTO_DONE_RING 1024u

/* Algorithm description (dp_crypto.c's tables). */
struct dp_crypto_alg {
	uint8_t kind;             /* enum dp_crypto_kind, for encryption algs */
	uint8_t cipher;           /* DP_CRYPTO_CIPHER_* */
	uint8_t iv_len;
	uint8_t pad_align;
	uint8_t icv_len;          /* AEAD/GMAC ICV; 0 for ciphers */
	uint8_t salt_len;
	uint8_t key_lens;         /* bit mask: 1 = 16, 2 = 24, 4 = 32 bytes */
};

struct dp_crypto_hash {
	uint8_t aalg;             /* SADB_AALG_* */
	uint8_t block_len;        /* HMAC block: 64 or 128 */
	uint8_t digest_len;       /* full hash output */
	uint8_t icv_len;          /* truncated per RFC 2404 / RFC 4868 */
};

enum dp_crypto_cipher {
	DP_CRYPTO_CIPHER_NONE = 0,  /* no cipher (AH, NULL+HMAC, GMAC) */
	DP_CRYPTO_CIPHER_AES_CBC,
	DP_CRYPTO_CIPHER_AES_CTR,
	DP_CRYPTO_CIPHER_AES_GCM,
	DP_CRYPTO_CIPHER_CHACHA20_POLY1305,
	DP_CRYPTO_CIPHER_AES_GMAC,
};

struct dp_crypto_dev;

/* intel-ipsec-mb key material, one shape per cipher.  HMAC states come
 * first so that an HMAC-only session stops after them. */
struct dp_crypto_mb_hmac_keys {
	alignas(64) uint8_t ipad[128];            /* HMAC inner state */
	alignas(64) uint8_t opad[128];            /* HMAC outer state */
	alignas(64) uint8_t enc[16 * 15];         /* AES-CBC/CTR schedules */
	alignas(64) uint8_t dec[16 * 15];
};

union dp_crypto_mb_keys {
	struct gcm_key_data gcm;                  /* GCM and GMAC */
	struct dp_crypto_mb_hmac_keys hmac;       /* CBC/CTR + HMAC, HMAC alone */
	alignas(64) uint8_t chacha[32];
};

/* A session: the header, then only the key material its engine and
 * algorithm need (dp_crypto_mb_keys_size()), so that a million SAs do not
 * each carry the largest key layout. */
struct dp_crypto_sess {
	struct dp_crypto_sess_info info;
	uint8_t cipher;             /* enum dp_crypto_cipher */
	uint8_t aalg;               /* SADB_AALG_* or NONE */
	uint8_t salt[DP_CRYPTO_SALT_LEN];
	uint16_t key_len;           /* cipher key bytes */

	struct dp_crypto *c;

	/* CRYPTODEV */
	struct dp_crypto_dev *dev;
	void *dev_sess;

	/* IPSEC_MB */
	IMB_CIPHER_MODE mb_cipher;
	IMB_HASH_ALG mb_hash;
	uint32_t size;              /* bytes allocated, for the wipe */
	alignas(64) union dp_crypto_mb_keys k;    /* partly allocated: see above */
};

/* One worker's state.  Written by that worker only, except the two fence
 * counters which CONTROL reads (relaxed atomic loads). */
struct dp_crypto_worker {
	struct dp_crypto *c;
	uint16_t id;
	IMB_MGR *mgr;
	struct dp_rand *rand;
	uint64_t enqueued;          /* fence counters: stores are relaxed */
	uint64_t dequeued;
	uint32_t done_head;         /* next to dequeue */
	uint32_t done_tail;         /* next free */
	struct dp_crypto_op *done[DP_CRYPTO_DONE_RING];
	/* ICVs computed for verification, one per op of a chunk. */
	alignas(64) uint8_t icv[DP_CRYPTO_BURST_MAX][64];
	/* Nonces (salt || IV) of the ops of a chunk. */
	alignas(16) uint8_t nonce[DP_CRYPTO_BURST_MAX][16];
	/* Jobs of intel-ipsec-mb's cipher and hash burst calls (AES-CBC +
	 * HMAC, dp_crypto_mb_cbc_hmac()), and the ops they describe. */
	alignas(64) IMB_JOB bjob[DP_CRYPTO_BURST_MAX];
	struct dp_crypto_op *bop[DP_CRYPTO_BURST_MAX];
	uint8_t bidx[DP_CRYPTO_BURST_MAX]; /* bop[j]'s index in the chunk: icv[] */
} __rte_cache_aligned;

/* The unchecked burst calls do not enforce the library's limit. */
static_assert(DP_CRYPTO_BURST_MAX <= IMB_MAX_BURST_SIZE, "burst larger than intel-ipsec-mb's");

/* An opened cryptodev. */
struct dp_crypto_dev {
	char name[DP_CRYPTO_DEVNAME_MAX];
	uint8_t dev_id;
	bool created;               /* hot-plugged by us: removed at close */
	struct rte_mempool *sess_pool;
	struct rte_mempool *op_pool[DP_CRYPTO_WORKERS_MAX];
	uint32_t inflight[DP_CRYPTO_WORKERS_MAX]; /* written by worker w */
};

struct dp_crypto {
	struct dp_crypto_config cfg;
	IMB_MGR *mgr;               /* CONTROL's, for key precomputation */
	IMB_ARCH arch;
	uint32_t ndevs;             /* published with a release store */
	struct dp_crypto_dev *devs[DP_CRYPTO_DEVS_MAX];
	struct dp_crypto_worker *workers[DP_CRYPTO_WORKERS_MAX];
};

/* dp_crypto.c */
void dp_crypto_done_push(struct dp_crypto_worker *w, struct dp_crypto_op *op);
bool dp_crypto_op_fits(const struct dp_crypto_op *op);
int dp_crypto_ct_memcmp(const uint8_t *a, const uint8_t *b, unsigned int len);

/* dp_crypto_mb.c: key precomputation (CONTROL) and the burst (WORKER). */
int dp_crypto_mb_mgr_new(IMB_MGR **out, IMB_ARCH *arch);
int dp_crypto_mb_sess_init(IMB_MGR *mgr, struct dp_crypto_sess *s,
			   const struct dp_crypto_sess_params *p, const uint8_t *akey,
			   unsigned int akey_len);
void dp_crypto_mb_process(struct dp_crypto_worker *w, struct dp_crypto_op **ops, uint16_t n);
size_t dp_crypto_mb_keys_size(uint8_t cipher);
int dp_crypto_mb_hash(IMB_MGR *mgr, uint8_t aalg, const uint8_t *in, unsigned int len,
		      uint8_t *out);

/* dp_crypto_dev.c */
int dp_crypto_dev_open(struct dp_crypto *c, const char *name, struct dp_crypto_dev **out);
void dp_crypto_dev_close(struct dp_crypto *c, struct dp_crypto_dev *d);
int dp_crypto_dev_sess_init(struct dp_crypto_dev *d, struct dp_crypto_sess *s,
			    const struct dp_crypto_sess_params *p, const uint8_t *akey,
			    unsigned int akey_len);
void dp_crypto_dev_sess_fini(struct dp_crypto_sess *s);
uint16_t dp_crypto_dev_enqueue(struct dp_crypto_worker *w, struct dp_crypto_dev *d,
			       struct dp_crypto_op **ops, uint16_t n);
uint16_t dp_crypto_dev_dequeue(struct dp_crypto_worker *w, struct dp_crypto_dev *d,
			       struct dp_crypto_op **ops, uint16_t n);

#endif /* DP_CRYPTO_PRIV_H */
