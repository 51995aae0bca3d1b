/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_crypto_dev.c: the rte_cryptodev lookaside engine.
 *
 * A device is configured with one queue pair per worker; worker w enqueues
 * and dequeues on queue pair w only, so a queue pair has one producer and one
 * consumer and a session's ops (its SA has one owner worker) leave in the
 * order they entered.  Each worker has its own rte_crypto_op pool per device;
 * an op's private area after the symmetric op holds the nonce/IV, the AAD,
 * the ICV and the back-pointer to the caller's dp_crypto_op, so the device
 * needs no memory of the caller's with an IOVA except the mbuf.
 */
/* rte_cryptodev_sym_session_pool_create() is still experimental in 22.11. */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpsec/pfkeyv2.h"
#include "dp_crypto_priv.h"

/* The op private area, at DP_CRYPTO_PRIV_OFF from the rte_crypto_op. */
struct dp_crypto_cop_priv {
	uint8_t iv[16];           /* nonce or IV: the xforms' iv.offset */
	uint8_t aad[16];          /* AEAD AAD (16: room for PMDs that pad) */
	uint8_t digest[64];       /* ICV generated or to verify */
	struct dp_crypto_op *op;
};

#define DP_CRYPTO_PRIV_OFF (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define DP_CRYPTO_IV_OFF (DP_CRYPTO_PRIV_OFF + offsetof(struct dp_crypto_cop_priv, iv))

static inline struct dp_crypto_cop_priv *dp_crypto_cop_priv(struct rte_crypto_op *cop)
{
	/* The private area follows the 16-byte aligned op and sym op. */
	return (struct dp_crypto_cop_priv *)(void *)((uint8_t *)cop + DP_CRYPTO_PRIV_OFF);
}

/* ------------------------------------------------------------------------ */
/* Devices (CONTROL).                                                        */

void dp_crypto_dev_close(struct dp_crypto *c, struct dp_crypto_dev *d)
{
	if (d == NULL)
		return;
	rte_cryptodev_stop(d->dev_id);
	rte_cryptodev_close(d->dev_id);
	if (d->created)
		rte_eal_hotplug_remove("vdev", d->name);
	for (unsigned int i = 0; i < c->cfg.workers; i++)
		rte_mempool_free(d->op_pool[i]);
	rte_mempool_free(d->sess_pool);
	rte_free(d);
}

int dp_crypto_dev_open(struct dp_crypto *c, const char *name, struct dp_crypto_dev **out)
{
	const struct dp_crypto_config *cfg = &c->cfg;
	struct rte_cryptodev_info info;
	struct rte_cryptodev_config conf = { 0 };
	struct rte_cryptodev_qp_conf qp_conf = { 0 };
	struct dp_crypto_dev *d;
	char pool[RTE_MEMPOOL_NAMESIZE];
	int dev_id, socket, rc;
	unsigned int index = c->ndevs;

	*out = NULL;
	if (strlen(name) >= DP_CRYPTO_DEVNAME_MAX)
		return -EINVAL;
	d = rte_zmalloc_socket("dp_crypto_dev", sizeof(*d), RTE_CACHE_LINE_SIZE, cfg->socket_id);
	if (d == NULL)
		return -ENOMEM;
	snprintf(d->name, sizeof(d->name), "%s", name);
	dev_id = rte_cryptodev_get_dev_id(name);
	if (dev_id < 0) {
		/* Not on the EAL command line: a virtual device by its name. */
		char args[64];

		snprintf(args, sizeof(args), "max_nb_queue_pairs=%u", cfg->workers);
		if (rte_eal_hotplug_add("vdev", name, args) != 0) {
			rte_free(d);
			return -ENODEV;
		}
		d->created = true;
		dev_id = rte_cryptodev_get_dev_id(name);
		if (dev_id < 0) {
			rc = -ENODEV;
			goto fail;
		}
	}
	d->dev_id = (uint8_t)dev_id;
	rte_cryptodev_info_get(d->dev_id, &info);
	if (!(info.feature_flags & RTE_CRYPTODEV_FF_SYMMETRIC_CRYPTO) ||
	    info.max_nb_queue_pairs < cfg->workers) {
		rc = -ENOTSUP;
		goto fail;
	}
	socket = rte_cryptodev_socket_id(d->dev_id);
	if (socket < 0)
		socket = cfg->socket_id;
	conf.socket_id = socket;
	conf.nb_queue_pairs = cfg->workers;
	conf.ff_disable = RTE_CRYPTODEV_FF_ASYMMETRIC_CRYPTO | RTE_CRYPTODEV_FF_SECURITY;
	if (rte_cryptodev_configure(d->dev_id, &conf) < 0) {
		rc = -EIO;
		goto fail;
	}
	snprintf(pool, sizeof(pool), "%s_s%u", cfg->name, index);
	d->sess_pool = rte_cryptodev_sym_session_pool_create(pool, cfg->max_sessions,
		rte_cryptodev_sym_get_private_session_size(d->dev_id), 0, 0, socket);
	if (d->sess_pool == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	qp_conf.nb_descriptors = cfg->qp_depth;
	qp_conf.mp_session = d->sess_pool;
	for (unsigned int q = 0; q < cfg->workers; q++) {
		if (rte_cryptodev_queue_pair_setup(d->dev_id, (uint16_t)q, &qp_conf, socket) < 0) {
			rc = -EIO;
			goto fail;
		}
		snprintf(pool, sizeof(pool), "%s_o%u_%u", cfg->name, index, q);
		/* qp_depth ops can be in the device; a chunk more in hand. */
		d->op_pool[q] = rte_crypto_op_pool_create(pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC,
			cfg->qp_depth + DP_CRYPTO_BURST_MAX, 0,
			sizeof(struct dp_crypto_cop_priv), socket);
		if (d->op_pool[q] == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
	}
	if (rte_cryptodev_start(d->dev_id) < 0) {
		rc = -EIO;
		goto fail;
	}
	*out = d;
	return 0;
fail:
	dp_crypto_dev_close(c, d);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Sessions (CONTROL).                                                       */

static enum rte_crypto_auth_algorithm dp_crypto_dev_hmac(uint8_t aalg)
{
	switch (aalg) {
	case SADB_AALG_SHA1HMAC:
		return RTE_CRYPTO_AUTH_SHA1_HMAC;
	case SADB_AALG_SHA256HMAC:
		return RTE_CRYPTO_AUTH_SHA256_HMAC;
	case SADB_AALG_SHA384HMAC:
		return RTE_CRYPTO_AUTH_SHA384_HMAC;
	default:
		return RTE_CRYPTO_AUTH_SHA512_HMAC;
	}
}

/* Does the device advertise xf (one transform)?  The PMD would refuse the
 * session too, but this gives -ENOTSUP rather than a guess. */
static bool dp_crypto_dev_has(uint8_t dev_id, const struct rte_crypto_sym_xform *xf)
{
	struct rte_cryptodev_sym_capability_idx idx = { .type = xf->type };
	const struct rte_cryptodev_symmetric_capability *cap;

	switch (xf->type) {
	case RTE_CRYPTO_SYM_XFORM_AEAD:
		idx.algo.aead = xf->aead.algo;
		cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
		return cap != NULL &&
		       rte_cryptodev_sym_capability_check_aead(cap, xf->aead.key.length,
			       xf->aead.digest_length, xf->aead.aad_length,
			       xf->aead.iv.length) == 0;
	case RTE_CRYPTO_SYM_XFORM_CIPHER:
		idx.algo.cipher = xf->cipher.algo;
		cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
		return cap != NULL &&
		       rte_cryptodev_sym_capability_check_cipher(cap, xf->cipher.key.length,
			       xf->cipher.iv.length) == 0;
	case RTE_CRYPTO_SYM_XFORM_AUTH:
		idx.algo.auth = xf->auth.algo;
		cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
		return cap != NULL &&
		       rte_cryptodev_sym_capability_check_auth(cap, xf->auth.key.length,
			       xf->auth.digest_length, xf->auth.iv.length) == 0;
	default:
		return false;
	}
}

int dp_crypto_dev_sess_init(struct dp_crypto_dev *d, struct dp_crypto_sess *s,
			    const struct dp_crypto_sess_params *p, const uint8_t *akey,
			    unsigned int akey_len)
{
	struct rte_crypto_sym_xform cipher = { 0 }, auth = { 0 }, aead = { 0 };
	struct rte_crypto_sym_xform *first;
	bool out = s->info.dir == DP_CRYPTO_DIR_OUT;

	cipher.type = RTE_CRYPTO_SYM_XFORM_CIPHER;
	cipher.cipher.op = out ? RTE_CRYPTO_CIPHER_OP_ENCRYPT : RTE_CRYPTO_CIPHER_OP_DECRYPT;
	cipher.cipher.key.data = p->ekey;
	cipher.cipher.key.length = p->ekey_len;
	cipher.cipher.iv.offset = DP_CRYPTO_IV_OFF;
	cipher.cipher.iv.length = 16;

	auth.type = RTE_CRYPTO_SYM_XFORM_AUTH;
	auth.auth.op = out ? RTE_CRYPTO_AUTH_OP_GENERATE : RTE_CRYPTO_AUTH_OP_VERIFY;
	auth.auth.algo = dp_crypto_dev_hmac(s->aalg);
	auth.auth.key.data = akey;
	auth.auth.key.length = (uint16_t)akey_len;
	auth.auth.digest_length = s->info.icv_len;

	switch (s->cipher) {
	case DP_CRYPTO_CIPHER_AES_GCM:
	case DP_CRYPTO_CIPHER_CHACHA20_POLY1305:
		aead.type = RTE_CRYPTO_SYM_XFORM_AEAD;
		aead.aead.op = out ? RTE_CRYPTO_AEAD_OP_ENCRYPT : RTE_CRYPTO_AEAD_OP_DECRYPT;
		aead.aead.algo = s->cipher == DP_CRYPTO_CIPHER_AES_GCM ?
				 RTE_CRYPTO_AEAD_AES_GCM : RTE_CRYPTO_AEAD_CHACHA20_POLY1305;
		aead.aead.key.data = p->ekey;
		aead.aead.key.length = p->ekey_len;
		aead.aead.iv.offset = DP_CRYPTO_IV_OFF;
		aead.aead.iv.length = 12;
		aead.aead.digest_length = s->info.icv_len;
		aead.aead.aad_length = s->info.aad_len;
		first = &aead;
		break;
	case DP_CRYPTO_CIPHER_AES_GMAC:
		auth.auth.algo = RTE_CRYPTO_AUTH_AES_GMAC;
		auth.auth.key.data = p->ekey;
		auth.auth.key.length = p->ekey_len;
		auth.auth.iv.offset = DP_CRYPTO_IV_OFF;
		auth.auth.iv.length = 12;
		first = &auth;
		break;
	case DP_CRYPTO_CIPHER_NONE:
		first = &auth;
		break;
	default:
		cipher.cipher.algo = s->cipher == DP_CRYPTO_CIPHER_AES_CBC ?
				     RTE_CRYPTO_CIPHER_AES_CBC : RTE_CRYPTO_CIPHER_AES_CTR;
		/* ESP order: encrypt then MAC out, verify then decrypt in. */
		if (out) {
			cipher.next = &auth;
			first = &cipher;
		} else {
			auth.next = &cipher;
			first = &auth;
		}
		if (!dp_crypto_dev_has(d->dev_id, &cipher))
			return -ENOTSUP;
		break;
	}
	if (!dp_crypto_dev_has(d->dev_id, first == &cipher ? &auth : first))
		return -ENOTSUP;
	s->dev = d;
	s->dev_sess = rte_cryptodev_sym_session_create(d->dev_id, first, d->sess_pool);
	if (s->dev_sess == NULL)
		return rte_errno == ENOTSUP ? -ENOTSUP : rte_errno == ENOMEM ? -ENOMEM : -EINVAL;
	return 0;
}

void dp_crypto_dev_sess_fini(struct dp_crypto_sess *s)
{
	/* The PMD clears its private session data (keys) when freeing. */
	rte_cryptodev_sym_session_free(s->dev->dev_id, s->dev_sess);
	s->dev_sess = NULL;
}

/* ------------------------------------------------------------------------ */
/* Hot path (WORKER).                                                        */

static void dp_crypto_dev_fill(struct rte_crypto_op *cop, struct dp_crypto_op *op)
{
	const struct dp_crypto_sess *s = op->sess;
	struct dp_crypto_cop_priv *pv = dp_crypto_cop_priv(cop);
	struct rte_crypto_sym_op *sym = cop->sym;
	rte_iova_t digest_iova = rte_crypto_op_ctophys_offset(cop,
		DP_CRYPTO_PRIV_OFF + offsetof(struct dp_crypto_cop_priv, digest));

	sym->m_src = op->mbuf;
	rte_crypto_op_attach_sym_session(cop, s->dev_sess);
	pv->op = op;
	if (s->info.dir == DP_CRYPTO_DIR_IN)
		memcpy(pv->digest, op->digest, s->info.icv_len);
	memcpy(pv->iv, s->salt, DP_CRYPTO_SALT_LEN);
	memcpy(pv->iv + DP_CRYPTO_SALT_LEN, op->iv, 8);

	switch (s->info.kind) {
	case DP_CRYPTO_KIND_AEAD:
		memcpy(pv->aad, op->aad, s->info.aad_len);
		sym->aead.data.offset = op->cipher_offset;
		sym->aead.data.length = op->cipher_length;
		sym->aead.aad.data = pv->aad;
		sym->aead.aad.phys_addr = rte_crypto_op_ctophys_offset(cop,
			DP_CRYPTO_PRIV_OFF + offsetof(struct dp_crypto_cop_priv, aad));
		sym->aead.digest.data = pv->digest;
		sym->aead.digest.phys_addr = digest_iova;
		return;
	case DP_CRYPTO_KIND_CIPHER_AUTH:
		if (s->cipher == DP_CRYPTO_CIPHER_AES_CBC) {
			memcpy(pv->iv, op->iv, 16);
		} else {
			/* RFC 3686 counter block: nonce || IV || 1. */
			static const uint8_t one[4] = { 0, 0, 0, 1 };

			memcpy(pv->iv + 12, one, 4);
		}
		sym->cipher.data.offset = op->cipher_offset;
		sym->cipher.data.length = op->cipher_length;
		break;
	default:
		break;
	}
	sym->auth.data.offset = op->auth_offset;
	sym->auth.data.length = op->auth_length;
	sym->auth.digest.data = pv->digest;
	sym->auth.digest.phys_addr = digest_iova;
}

uint16_t dp_crypto_dev_enqueue(struct dp_crypto_worker *w, struct dp_crypto_dev *d,
			       struct dp_crypto_op **ops, uint16_t n)
{
	struct rte_crypto_op *cops[DP_CRYPTO_BURST_MAX];
	struct rte_mempool *pool = d->op_pool[w->id];
	uint32_t room = w->c->cfg.qp_depth - d->inflight[w->id];
	uint16_t valid = 0, sent;

	/* A refused op leaves through the done ring, alone. */
	if (!dp_crypto_op_fits(ops[0])) {
		if (w->done_tail - w->done_head == DP_CRYPTO_DONE_RING)
			return 0;
		ops[0]->status = DP_CRYPTO_ERROR;
		dp_crypto_done_push(w, ops[0]);
		return 1;
	}
	if (n > room)
		n = (uint16_t)room;
	if (n > DP_CRYPTO_BURST_MAX)
		n = DP_CRYPTO_BURST_MAX;
	while (valid < n && dp_crypto_op_fits(ops[valid]))
		valid++;
	if (valid == 0 ||
	    rte_crypto_op_bulk_alloc(pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, cops, valid) != valid)
		return 0;
	for (uint16_t i = 0; i < valid; i++)
		dp_crypto_dev_fill(cops[i], ops[i]);
	sent = rte_cryptodev_enqueue_burst(d->dev_id, w->id, cops, valid);
	if (sent < valid)
		rte_mempool_put_bulk(pool, (void **)(cops + sent), valid - sent);
	d->inflight[w->id] += sent;
	return sent;
}

uint16_t dp_crypto_dev_dequeue(struct dp_crypto_worker *w, struct dp_crypto_dev *d,
			       struct dp_crypto_op **ops, uint16_t n)
{
	struct rte_crypto_op *cops[DP_CRYPTO_BURST_MAX];
	uint16_t got;

	if (n > DP_CRYPTO_BURST_MAX)
		n = DP_CRYPTO_BURST_MAX;
	got = rte_cryptodev_dequeue_burst(d->dev_id, w->id, cops, n);
	for (uint16_t i = 0; i < got; i++) {
		struct dp_crypto_cop_priv *pv = dp_crypto_cop_priv(cops[i]);
		struct dp_crypto_op *op = pv->op;
		const struct dp_crypto_sess *s = op->sess;

		switch (cops[i]->status) {
		case RTE_CRYPTO_OP_STATUS_SUCCESS:
			op->status = DP_CRYPTO_OK;
			if (s->info.dir == DP_CRYPTO_DIR_OUT)
				memcpy(op->digest, pv->digest, s->info.icv_len);
			break;
		case RTE_CRYPTO_OP_STATUS_AUTH_FAILED:
			op->status = DP_CRYPTO_AUTH_FAILED;
			break;
		default:
			op->status = DP_CRYPTO_ERROR;
			break;
		}
		ops[i] = op;
	}
	if (got != 0)
		rte_mempool_put_bulk(d->op_pool[w->id], (void **)cops, got);
	d->inflight[w->id] -= got;
	return got;
}
