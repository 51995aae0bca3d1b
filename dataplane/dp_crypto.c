/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_crypto.c: algorithm tables, session parameters, the context and the
 * dispatch between engines.  The engines themselves live in
 * dp_crypto_mb.c (intel-ipsec-mb) and dp_crypto_dev.c (rte_cryptodev).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dpsec/pfkeyv2.h"
#include "dp_crypto_priv.h"
#include "dp_rand.h"

/* ------------------------------------------------------------------------ */
/* Algorithms.                                                               */

#define DP_KEYS_AES 7u     /* 16, 24, 32 bytes */
#define DP_KEYS_256 4u     /* 32 bytes only */

/* Encryption algorithms (ESP).  ICV, IV and salt sizes: RFC 4106 (GCM),
 * RFC 3686 (CTR), RFC 3602 (CBC), RFC 4543 (GMAC), RFC 7634 (ChaCha20).
 * X(ealg, kind, cipher, iv_len, pad_align, icv_len, salt_len, key_lens) */
#define DP_CRYPTO_EALGS(X)                                                    \
	X(SADB_EALG_NONE, AUTH, NONE, 0, 4, 0, 0, 0)                          \
	X(SADB_EALG_NULL, AUTH, NONE, 0, 4, 0, 0, 0)                          \
	X(SADB_EALG_AES_CBC, CIPHER_AUTH, AES_CBC, 16, 16, 0, 0, DP_KEYS_AES) \
	X(SADB_X_EALG_AES_CTR, CIPHER_AUTH, AES_CTR, 8, 4, 0, 4, DP_KEYS_AES) \
	X(SADB_EALG_AES_GCM_8, AEAD, AES_GCM, 8, 4, 8, 4, DP_KEYS_AES)        \
	X(SADB_EALG_AES_GCM_12, AEAD, AES_GCM, 8, 4, 12, 4, DP_KEYS_AES)      \
	X(SADB_EALG_AES_GCM_16, AEAD, AES_GCM, 8, 4, 16, 4, DP_KEYS_AES)      \
	X(SADB_X_EALG_NULL_AES_GMAC, GMAC, AES_GMAC, 8, 4, 16, 4, DP_KEYS_AES) \
	X(SADB_X_EALG_CHACHA20_POLY1305, AEAD, CHACHA20_POLY1305, 8, 4, 16, 4, DP_KEYS_256)

/* HMACs.  ICV truncation: RFC 2404 (SHA-1-96), RFC 4868 (SHA-2).
 * X(aalg, block_len, digest_len, icv_len) */
#define DP_CRYPTO_AALGS(X)                    \
	X(SADB_AALG_SHA1HMAC, 64, 20, 12)     \
	X(SADB_AALG_SHA256HMAC, 64, 32, 16)   \
	X(SADB_AALG_SHA384HMAC, 128, 48, 24)  \
	X(SADB_AALG_SHA512HMAC, 128, 64, 32)

struct dp_crypto_ealg_row {
	uint8_t ealg;
	struct dp_crypto_alg alg;
};

static const struct dp_crypto_ealg_row dp_crypto_ealgs[] = {
#define X(id, kind, cipher, iv, pad, icv, salt, keys)                              \
	{ id, { DP_CRYPTO_KIND_##kind, DP_CRYPTO_CIPHER_##cipher, iv, pad, icv, salt, \
		keys } },
	DP_CRYPTO_EALGS(X)
#undef X
};

static const struct dp_crypto_hash dp_crypto_aalgs[] = {
#define X(id, block, digest, icv) { id, block, digest, icv },
	DP_CRYPTO_AALGS(X)
#undef X
};

static const struct dp_crypto_alg *dp_crypto_ealg_find(uint8_t ealg)
{
	for (size_t i = 0; i < RTE_DIM(dp_crypto_ealgs); i++)
		if (dp_crypto_ealgs[i].ealg == ealg)
			return &dp_crypto_ealgs[i].alg;
	return NULL;
}

static const struct dp_crypto_hash *dp_crypto_aalg_find(uint8_t aalg)
{
	for (size_t i = 0; i < RTE_DIM(dp_crypto_aalgs); i++)
		if (dp_crypto_aalgs[i].aalg == aalg)
			return &dp_crypto_aalgs[i];
	return NULL;
}

static bool dp_crypto_key_len_ok(uint8_t mask, uint16_t len)
{
	return (len == 16 && (mask & 1u)) || (len == 24 && (mask & 2u)) ||
	       (len == 32 && (mask & 4u));
}

/* ------------------------------------------------------------------------ */
/* Context.                                                                  */

void dp_crypto_config_default(struct dp_crypto_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->workers = 1;
	cfg->engine = DP_CRYPTO_ENGINE_IPSEC_MB;
	cfg->socket_id = -1;
	cfg->max_sessions = 4096;
	cfg->qp_depth = 2048;
	cfg->name = "dpc";
}

static struct dp_crypto_dev *dp_crypto_dev_find(struct dp_crypto *c, const char *name)
{
	for (uint32_t i = 0; i < c->ndevs; i++)
		if (strcmp(c->devs[i]->name, name) == 0)
			return c->devs[i];
	return NULL;
}

/* Find or open a device (CONTROL).  Published after it is started. */
static int dp_crypto_dev_get(struct dp_crypto *c, const char *name, struct dp_crypto_dev **out)
{
	struct dp_crypto_dev *d = dp_crypto_dev_find(c, name);
	int rc;

	if (d != NULL) {
		*out = d;
		return 0;
	}
	if (c->ndevs == DP_CRYPTO_DEVS_MAX)
		return -ENOSPC;
	rc = dp_crypto_dev_open(c, name, &d);
	if (rc < 0)
		return rc;
	c->devs[c->ndevs] = d;
	__atomic_store_n(&c->ndevs, c->ndevs + 1, __ATOMIC_RELEASE);
	*out = d;
	return 0;
}

int dp_crypto_new(const struct dp_crypto_config *cfg, struct dp_crypto **out)
{
	struct dp_crypto *c;
	struct dp_crypto_dev *d;
	int rc;

	*out = NULL;
	/* The name prefixes mempool names ("<name>_o<dev>_<worker>"), which
	 * DPDK caps at RTE_MEMPOOL_NAMESIZE. */
	if (cfg->name == NULL || strlen(cfg->name) > DP_CRYPTO_NAME_MAX)
		return -EINVAL;
	if (cfg->workers == 0 || cfg->workers > DP_CRYPTO_WORKERS_MAX ||
	    cfg->engine > DP_CRYPTO_ENGINE_CRYPTODEV || cfg->qp_depth == 0 ||
	    cfg->max_sessions == 0 ||
	    memchr(cfg->dev_name, '\0', sizeof(cfg->dev_name)) == NULL)
		return -EINVAL;
	if (cfg->engine == DP_CRYPTO_ENGINE_CRYPTODEV && cfg->dev_name[0] == '\0')
		return -EINVAL;
	c = rte_zmalloc_socket("dp_crypto", sizeof(*c), RTE_CACHE_LINE_SIZE, cfg->socket_id);
	if (c == NULL)
		return -ENOMEM;
	c->cfg = *cfg;
	if (c->cfg.engine == DP_CRYPTO_ENGINE_DEFAULT)
		c->cfg.engine = DP_CRYPTO_ENGINE_IPSEC_MB;
	rc = dp_crypto_mb_mgr_new(&c->mgr, &c->arch);
	if (rc < 0)
		goto fail;
	for (unsigned int i = 0; i < cfg->workers; i++) {
		struct dp_crypto_worker *w;

		w = rte_zmalloc_socket("dp_crypto_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
				       cfg->socket_id);
		if (w == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		c->workers[i] = w;
		w->c = c;
		w->id = (uint16_t)i;
		rc = dp_crypto_mb_mgr_new(&w->mgr, NULL);
		if (rc < 0)
			goto fail;
		rc = dp_rand_new(cfg->socket_id, &w->rand);
		if (rc < 0)
			goto fail;
	}
	if (cfg->dev_name[0] != '\0') {
		rc = dp_crypto_dev_get(c, cfg->dev_name, &d);
		if (rc < 0)
			goto fail;
	}
	*out = c;
	return 0;
fail:
	dp_crypto_free(c);
	return rc;
}

void dp_crypto_free(struct dp_crypto *c)
{
	if (c == NULL)
		return;
	for (uint32_t i = 0; i < c->ndevs; i++)
		dp_crypto_dev_close(c, c->devs[i]);
	for (unsigned int i = 0; i < DP_CRYPTO_WORKERS_MAX; i++) {
		struct dp_crypto_worker *w = c->workers[i];

		if (w == NULL)
			continue;
		if (w->mgr != NULL)
			free_mb_mgr(w->mgr);
		dp_rand_free(w->rand);
		rte_free(w);
	}
	if (c->mgr != NULL)
		free_mb_mgr(c->mgr);
	rte_free(c);
}

struct dp_crypto_worker *dp_crypto_worker(struct dp_crypto *c, unsigned int w)
{
	if (w >= c->cfg.workers)
		return NULL;
	return c->workers[w];
}

struct dp_rand *dp_crypto_worker_rand(struct dp_crypto_worker *w)
{
	return w->rand;
}

const char *dp_crypto_mb_arch(const struct dp_crypto *c)
{
	switch (c->arch) {
	case IMB_ARCH_NOAESNI:
		return "noaesni";
	case IMB_ARCH_SSE:
		return "sse";
	case IMB_ARCH_AVX:
		return "avx";
	case IMB_ARCH_AVX2:
		return "avx2";
	case IMB_ARCH_AVX512:
		return "avx512";
	default:
		return "none";
	}
}

/* ------------------------------------------------------------------------ */
/* Sessions.                                                                 */

/* Check p against the tables; fill the session's public info.  Pure. */
static int dp_crypto_sess_validate(const struct dp_crypto_sess_params *p,
				   const struct dp_crypto_alg **alg_out,
				   const struct dp_crypto_hash **hash_out,
				   struct dp_crypto_sess_info *info)
{
	const struct dp_crypto_alg *alg = dp_crypto_ealg_find(p->ealg);
	const struct dp_crypto_hash *hash = NULL;
	uint8_t icv;

	if (p->dir > DP_CRYPTO_DIR_IN || p->engine > DP_CRYPTO_ENGINE_CRYPTODEV ||
	    memchr(p->dev_name, '\0', sizeof(p->dev_name)) == NULL)
		return -EINVAL;
	if (alg == NULL)
		return -ENOTSUP;
	if (alg->kind == DP_CRYPTO_KIND_AEAD || alg->kind == DP_CRYPTO_KIND_GMAC) {
		/* Combined-mode algorithms carry their own integrity. */
		if (p->aalg != SADB_AALG_NONE || p->akey_len != 0)
			return -EINVAL;
		icv = alg->icv_len;
	} else {
		/* No encryption-only SAs: RFC 8221 says MUST NOT for ESP. */
		if (p->aalg == SADB_AALG_NONE)
			return -EINVAL;
		hash = dp_crypto_aalg_find(p->aalg);
		if (hash == NULL)
			return -ENOTSUP;
		if (p->akey_len == 0 || p->akey_len > DP_CRYPTO_AUTH_KEY_MAX || p->akey == NULL)
			return -EINVAL;
		icv = hash->icv_len;
	}
	if (alg->cipher == DP_CRYPTO_CIPHER_NONE) {
		if (p->ekey_len != 0)
			return -EINVAL;
	} else if (!dp_crypto_key_len_ok(alg->key_lens, p->ekey_len) || p->ekey == NULL) {
		return -EINVAL;
	}
	if (p->salt_len != alg->salt_len || (alg->salt_len != 0 && p->salt == NULL))
		return -EINVAL;
	if (p->icv_len != 0 && p->icv_len != icv)
		return -EINVAL;
	info->kind = alg->kind;
	info->dir = p->dir;
	info->icv_len = icv;
	info->iv_len = alg->iv_len;
	info->pad_align = alg->pad_align;
	if (alg->kind == DP_CRYPTO_KIND_AEAD) {
		if (p->aad_len != 0 && p->aad_len != 8 && p->aad_len != 12)
			return -EINVAL;
		info->aad_len = p->aad_len;
	} else if (p->aad_len != 0) {
		return -EINVAL;
	}
	*alg_out = alg;
	*hash_out = hash;
	return 0;
}

int dp_crypto_sess_new(struct dp_crypto *c, const struct dp_crypto_sess_params *p,
		       struct dp_crypto_sess **out)
{
	const struct dp_crypto_alg *alg;
	const struct dp_crypto_hash *hash;
	struct dp_crypto_sess_info info = { 0 };
	struct dp_crypto_sess *s = NULL;
	struct dp_crypto_dev *dev = NULL;
	uint8_t hashed[64];
	const uint8_t *akey = p->akey;
	unsigned int akey_len = p->akey_len;
	size_t size;
	int rc;

	*out = NULL;
	rc = dp_crypto_sess_validate(p, &alg, &hash, &info);
	if (rc < 0)
		return rc;
	info.engine = p->engine == DP_CRYPTO_ENGINE_DEFAULT ? c->cfg.engine : p->engine;
	if (info.engine == DP_CRYPTO_ENGINE_CRYPTODEV) {
		const char *name = p->dev_name[0] != '\0' ? p->dev_name : c->cfg.dev_name;

		if (name[0] == '\0')
			return -EINVAL;
		rc = dp_crypto_dev_get(c, name, &dev);
		if (rc < 0)
			return rc;
	}
	/* RFC 2104: a key longer than the block is replaced by its hash. */
	if (hash != NULL && akey_len > hash->block_len) {
		rc = dp_crypto_mb_hash(c->mgr, hash->aalg, akey, akey_len, hashed);
		if (rc < 0)
			goto out;
		akey = hashed;
		akey_len = hash->digest_len;
	}
	size = offsetof(struct dp_crypto_sess, k);
	if (dev == NULL)
		size += dp_crypto_mb_keys_size(alg->cipher);
	s = rte_zmalloc_socket("dp_crypto_sess", size, RTE_CACHE_LINE_SIZE, c->cfg.socket_id);
	if (s == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	s->size = (uint32_t)size;
	s->info = info;
	s->c = c;
	s->cipher = alg->cipher;
	s->aalg = p->aalg;
	s->key_len = p->ekey_len;
	if (alg->salt_len != 0)
		memcpy(s->salt, p->salt, DP_CRYPTO_SALT_LEN);
	if (dev != NULL)
		rc = dp_crypto_dev_sess_init(dev, s, p, akey, akey_len);
	else
		rc = dp_crypto_mb_sess_init(c->mgr, s, p, akey, akey_len);
	if (rc < 0)
		goto out;
	*out = s;
	s = NULL;
out:
	explicit_bzero(hashed, sizeof(hashed));
	if (s != NULL) {
		explicit_bzero(s, s->size);
		rte_free(s);
	}
	return rc;
}

int dp_crypto_sess_free(struct dp_crypto_sess *s)
{
	if (s == NULL)
		return 0;
	if (s->dev_sess != NULL) {
		struct dp_crypto_fence f;
		uint64_t deadline = rte_get_timer_cycles() +
				    rte_get_timer_hz() / 1000 * DP_CRYPTO_FREE_WAIT_MS;

		/* Ops of this session can still sit in a device queue. */
		dp_crypto_fence_take(s->c, &f);
		while (!dp_crypto_fence_passed(s->c, &f)) {
			if (rte_get_timer_cycles() > deadline)
				return -EBUSY;
			rte_delay_us_sleep(10);
		}
		dp_crypto_dev_sess_fini(s);
	}
	explicit_bzero(s, s->size);
	rte_free(s);
	return 0;
}

void dp_crypto_sess_get_info(const struct dp_crypto_sess *s, struct dp_crypto_sess_info *info)
{
	*info = s->info;
}

/* ------------------------------------------------------------------------ */
/* Fences.                                                                   */

void dp_crypto_fence_take(const struct dp_crypto *c, struct dp_crypto_fence *f)
{
	memset(f, 0, sizeof(*f));
	for (unsigned int i = 0; i < c->cfg.workers; i++)
		f->enqueued[i] = __atomic_load_n(&c->workers[i]->enqueued, __ATOMIC_ACQUIRE);
}

bool dp_crypto_fence_passed(const struct dp_crypto *c, const struct dp_crypto_fence *f)
{
	for (unsigned int i = 0; i < c->cfg.workers; i++)
		if (__atomic_load_n(&c->workers[i]->dequeued, __ATOMIC_ACQUIRE) < f->enqueued[i])
			return false;
	return true;
}

/* ------------------------------------------------------------------------ */
/* Hot path.                                                                 */

int dp_crypto_ct_memcmp(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	uint8_t diff = 0;

	for (unsigned int i = 0; i < len; i++)
		diff |= (uint8_t)(a[i] ^ b[i]);
	return diff != 0;
}

static inline bool dp_crypto_region_ok(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	return (uint64_t)off + len <= m->data_len;
}

bool dp_crypto_op_fits(const struct dp_crypto_op *op)
{
	const struct rte_mbuf *m = op->mbuf;
	const struct dp_crypto_sess *s = op->sess;

	if (m == NULL || m->nb_segs != 1 || op->digest == NULL)
		return false;
	switch (s->info.kind) {
	case DP_CRYPTO_KIND_AEAD:
		return dp_crypto_region_ok(m, op->cipher_offset, op->cipher_length);
	case DP_CRYPTO_KIND_CIPHER_AUTH:
		/* CBC: whole blocks, checked here so that every engine (some PMDs
		 * do not check) refuses a truncated inbound packet alike. */
		if (s->cipher == DP_CRYPTO_CIPHER_AES_CBC && (op->cipher_length & 15u) != 0)
			return false;
		/* intel-ipsec-mb's jobs are submitted unchecked: what its check
		 * refused (an empty CBC/CTR region, a hash region of 0 or above
		 * 65534 bytes) is refused here. */
		if ((s->cipher != DP_CRYPTO_CIPHER_NONE && op->cipher_length == 0) ||
		    op->auth_length == 0 || op->auth_length > 65534u)
			return false;
		return dp_crypto_region_ok(m, op->cipher_offset, op->cipher_length) &&
		       dp_crypto_region_ok(m, op->auth_offset, op->auth_length);
	default:
		return dp_crypto_region_ok(m, op->auth_offset, op->auth_length);
	}
}

static inline uint32_t dp_crypto_done_space(const struct dp_crypto_worker *w)
{
	return DP_CRYPTO_DONE_RING - (w->done_tail - w->done_head);
}

void dp_crypto_done_push(struct dp_crypto_worker *w, struct dp_crypto_op *op)
{
	w->done[w->done_tail & (DP_CRYPTO_DONE_RING - 1)] = op;
	w->done_tail++;
}

/* Length of the run of ops[0..n) that go to the same place as ops[0]. */
static uint16_t dp_crypto_run(struct dp_crypto_op **ops, uint16_t n)
{
	const struct dp_crypto_sess *s0 = ops[0]->sess;
	uint16_t k = 1;

	if (n > DP_CRYPTO_BURST_MAX)
		n = DP_CRYPTO_BURST_MAX;
	while (k < n) {
		const struct dp_crypto_sess *s = ops[k]->sess;

		if (s == NULL || s->info.engine != s0->info.engine || s->dev != s0->dev)
			break;
		k++;
	}
	return k;
}

uint16_t dp_crypto_enqueue(struct dp_crypto_worker *w, struct dp_crypto_op **ops, uint16_t n)
{
	uint16_t taken = 0;

	while (taken < n) {
		struct dp_crypto_op **run_ops = ops + taken;
		uint16_t run, k;

		if (run_ops[0]->sess == NULL) {
			if (dp_crypto_done_space(w) == 0)
				break;
			run_ops[0]->status = DP_CRYPTO_ERROR;
			dp_crypto_done_push(w, run_ops[0]);
			taken++;
			continue;
		}
		run = dp_crypto_run(run_ops, (uint16_t)(n - taken));
		if (run_ops[0]->sess->info.engine == DP_CRYPTO_ENGINE_IPSEC_MB) {
			uint32_t space = dp_crypto_done_space(w);

			if (space == 0)
				break;
			if (run > space)
				run = (uint16_t)space;
			dp_crypto_mb_process(w, run_ops, run);
			for (k = 0; k < run; k++)
				dp_crypto_done_push(w, run_ops[k]);
		} else {
			k = dp_crypto_dev_enqueue(w, run_ops[0]->sess->dev, run_ops, run);
			taken += k;
			if (k < run)
				break;
			continue;
		}
		taken += run;
	}
	__atomic_store_n(&w->enqueued, w->enqueued + taken, __ATOMIC_RELEASE);
	return taken;
}

uint16_t dp_crypto_dequeue(struct dp_crypto_worker *w, struct dp_crypto_op **ops, uint16_t n)
{
	uint16_t got = 0;
	uint32_t ndevs;

	while (got < n && w->done_head != w->done_tail) {
		ops[got++] = w->done[w->done_head & (DP_CRYPTO_DONE_RING - 1)];
		w->done_head++;
	}
	ndevs = __atomic_load_n(&w->c->ndevs, __ATOMIC_ACQUIRE);
	for (uint32_t i = 0; i < ndevs && got < n; i++) {
		struct dp_crypto_dev *d = w->c->devs[i];

		if (d->inflight[w->id] != 0)
			got += dp_crypto_dev_dequeue(w, d, ops + got, (uint16_t)(n - got));
	}
	__atomic_store_n(&w->dequeued, w->dequeued + got, __ATOMIC_RELEASE);
	return got;
}

uint16_t dp_crypto_process(struct dp_crypto_worker *w, struct dp_crypto_op **ops, uint16_t n)
{
	struct dp_crypto_op *sink[DP_CRYPTO_BURST_MAX];
	uint16_t taken = 0, finished = 0;

	/* The common case, intel-ipsec-mb only: straight through, no ring. */
	while (taken < n && ops[taken]->sess != NULL &&
	       ops[taken]->sess->info.engine == DP_CRYPTO_ENGINE_IPSEC_MB)
		taken++;
	for (uint16_t i = 0; i < taken; i += DP_CRYPTO_BURST_MAX) {
		unsigned int chunk = RTE_MIN((unsigned int)(taken - i), DP_CRYPTO_BURST_MAX);

		dp_crypto_mb_process(w, ops + i, (uint16_t)chunk);
	}
	if (taken == n)
		return n;

	taken = 0;
	while (finished < n) {
		if (taken < n)
			taken += dp_crypto_enqueue(w, ops + taken, (uint16_t)(n - taken));
		finished += dp_crypto_dequeue(w, sink, DP_CRYPTO_BURST_MAX);
	}
	return n;
}

uint32_t dp_crypto_inflight(const struct dp_crypto_worker *w)
{
	return (uint32_t)(w->enqueued - w->dequeued);
}
