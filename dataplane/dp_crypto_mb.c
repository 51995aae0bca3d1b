/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_crypto_mb.c: the intel-ipsec-mb engine, called directly.
 *
 * Each worker owns an IMB_MGR initialised for the best instruction set the
 * CPU has (init_mb_mgr_auto).  A burst is driven through the job API: one
 * job per op is submitted (the manager fills its multi-buffer lanes and
 * returns jobs as lanes complete), then the queue is flushed, so every op of
 * the burst is done when dp_crypto_mb_process() returns.  AES-GCM ops skip
 * the job manager and call the library's direct GCM functions (synchronous
 * either way; see dp_crypto_mb_gcm()), and runs of AES-CBC + HMAC ops go
 * through the library's cipher and hash burst calls, also synchronous
 * (dp_crypto_mb_cbc_hmac()).  Verification computes the ICV into
 * per-worker scratch and compares in constant time.
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>

#include "dpsec/pfkeyv2.h"
#include "dp_crypto_priv.h"

int dp_crypto_mb_mgr_new(IMB_MGR **out, IMB_ARCH *arch_out)
{
	IMB_MGR *mgr = alloc_mb_mgr(0);
	IMB_ARCH arch = IMB_ARCH_NONE;

	*out = NULL;
	if (mgr == NULL)
		return -ENOMEM;
	init_mb_mgr_auto(mgr, &arch);
	if (arch == IMB_ARCH_NONE || imb_get_errno(mgr) != 0) {
		free_mb_mgr(mgr);
		return -ENOTSUP;
	}
	if (arch_out != NULL)
		*arch_out = arch;
	*out = mgr;
	return 0;
}

/* Bytes of union dp_crypto_mb_keys a session with this cipher uses. */
size_t dp_crypto_mb_keys_size(uint8_t cipher)
{
	switch (cipher) {
	case DP_CRYPTO_CIPHER_AES_GCM:
	case DP_CRYPTO_CIPHER_AES_GMAC:
		return sizeof(struct gcm_key_data);
	case DP_CRYPTO_CIPHER_CHACHA20_POLY1305:
		return 32;
	case DP_CRYPTO_CIPHER_NONE:
		return offsetof(struct dp_crypto_mb_hmac_keys, enc);
	default:
		return sizeof(struct dp_crypto_mb_hmac_keys);
	}
}

int dp_crypto_mb_hash(IMB_MGR *mgr, uint8_t aalg, const uint8_t *in, unsigned int len,
		      uint8_t *out)
{
	switch (aalg) {
	case SADB_AALG_SHA1HMAC:
		IMB_SHA1(mgr, in, len, out);
		return 0;
	case SADB_AALG_SHA256HMAC:
		IMB_SHA256(mgr, in, len, out);
		return 0;
	case SADB_AALG_SHA384HMAC:
		IMB_SHA384(mgr, in, len, out);
		return 0;
	case SADB_AALG_SHA512HMAC:
		IMB_SHA512(mgr, in, len, out);
		return 0;
	default:
		return -ENOTSUP;
	}
}

/* HMAC inner/outer states: the hash state after one block of key ^ pad
 * (RFC 2104), which the HMAC job continues from.  akey <= block length. */
static int dp_crypto_mb_hmac_pads(IMB_MGR *mgr, struct dp_crypto_sess *s, const uint8_t *akey,
				  unsigned int akey_len)
{
	uint8_t block[128];
	unsigned int block_len;
	int rc = 0;

	switch (s->aalg) {
	case SADB_AALG_SHA1HMAC:
		s->mb_hash = IMB_AUTH_HMAC_SHA_1;
		block_len = 64;
		break;
	case SADB_AALG_SHA256HMAC:
		s->mb_hash = IMB_AUTH_HMAC_SHA_256;
		block_len = 64;
		break;
	case SADB_AALG_SHA384HMAC:
		s->mb_hash = IMB_AUTH_HMAC_SHA_384;
		block_len = 128;
		break;
	case SADB_AALG_SHA512HMAC:
		s->mb_hash = IMB_AUTH_HMAC_SHA_512;
		block_len = 128;
		break;
	default:
		return -ENOTSUP;
	}
	if (akey_len > block_len)
		return -EINVAL;

	memset(block, 0x36, block_len);
	for (unsigned int i = 0; i < akey_len; i++)
		block[i] ^= akey[i];
	switch (s->aalg) {
	case SADB_AALG_SHA1HMAC:
		IMB_SHA1_ONE_BLOCK(mgr, block, s->k.hmac.ipad);
		break;
	case SADB_AALG_SHA256HMAC:
		IMB_SHA256_ONE_BLOCK(mgr, block, s->k.hmac.ipad);
		break;
	case SADB_AALG_SHA384HMAC:
		IMB_SHA384_ONE_BLOCK(mgr, block, s->k.hmac.ipad);
		break;
	default:
		IMB_SHA512_ONE_BLOCK(mgr, block, s->k.hmac.ipad);
		break;
	}
	memset(block, 0x5c, block_len);
	for (unsigned int i = 0; i < akey_len; i++)
		block[i] ^= akey[i];
	switch (s->aalg) {
	case SADB_AALG_SHA1HMAC:
		IMB_SHA1_ONE_BLOCK(mgr, block, s->k.hmac.opad);
		break;
	case SADB_AALG_SHA256HMAC:
		IMB_SHA256_ONE_BLOCK(mgr, block, s->k.hmac.opad);
		break;
	case SADB_AALG_SHA384HMAC:
		IMB_SHA384_ONE_BLOCK(mgr, block, s->k.hmac.opad);
		break;
	default:
		IMB_SHA512_ONE_BLOCK(mgr, block, s->k.hmac.opad);
		break;
	}
	explicit_bzero(block, sizeof(block));
	return rc;
}

static void dp_crypto_mb_aes_keyexp(IMB_MGR *mgr, struct dp_crypto_sess *s, const uint8_t *key)
{
	switch (s->key_len) {
	case 16:
		IMB_AES_KEYEXP_128(mgr, key, s->k.hmac.enc, s->k.hmac.dec);
		break;
	case 24:
		IMB_AES_KEYEXP_192(mgr, key, s->k.hmac.enc, s->k.hmac.dec);
		break;
	default:
		IMB_AES_KEYEXP_256(mgr, key, s->k.hmac.enc, s->k.hmac.dec);
		break;
	}
}

static void dp_crypto_mb_gcm_pre(IMB_MGR *mgr, struct dp_crypto_sess *s, const uint8_t *key)
{
	switch (s->key_len) {
	case 16:
		IMB_AES128_GCM_PRE(mgr, key, &s->k.gcm);
		break;
	case 24:
		IMB_AES192_GCM_PRE(mgr, key, &s->k.gcm);
		break;
	default:
		IMB_AES256_GCM_PRE(mgr, key, &s->k.gcm);
		break;
	}
}

int dp_crypto_mb_sess_init(IMB_MGR *mgr, struct dp_crypto_sess *s,
			   const struct dp_crypto_sess_params *p, const uint8_t *akey,
			   unsigned int akey_len)
{
	switch (s->cipher) {
	case DP_CRYPTO_CIPHER_NONE:
		s->mb_cipher = IMB_CIPHER_NULL;
		break;
	case DP_CRYPTO_CIPHER_AES_CBC:
		s->mb_cipher = IMB_CIPHER_CBC;
		dp_crypto_mb_aes_keyexp(mgr, s, p->ekey);
		break;
	case DP_CRYPTO_CIPHER_AES_CTR:
		s->mb_cipher = IMB_CIPHER_CNTR;
		dp_crypto_mb_aes_keyexp(mgr, s, p->ekey);
		break;
	case DP_CRYPTO_CIPHER_AES_GCM:
		s->mb_cipher = IMB_CIPHER_GCM;
		s->mb_hash = IMB_AUTH_AES_GMAC;
		dp_crypto_mb_gcm_pre(mgr, s, p->ekey);
		break;
	case DP_CRYPTO_CIPHER_AES_GMAC:
		s->mb_cipher = IMB_CIPHER_NULL;
		s->mb_hash = s->key_len == 16 ? IMB_AUTH_AES_GMAC_128 :
			     s->key_len == 24 ? IMB_AUTH_AES_GMAC_192 : IMB_AUTH_AES_GMAC_256;
		dp_crypto_mb_gcm_pre(mgr, s, p->ekey);
		break;
	case DP_CRYPTO_CIPHER_CHACHA20_POLY1305:
		s->mb_cipher = IMB_CIPHER_CHACHA20_POLY1305;
		s->mb_hash = IMB_AUTH_CHACHA20_POLY1305;
		memcpy(s->k.chacha, p->ekey, sizeof(s->k.chacha));
		break;
	default:
		return -ENOTSUP;
	}
	if (s->aalg != SADB_AALG_NONE)
		return dp_crypto_mb_hmac_pads(mgr, s, akey, akey_len);
	return imb_get_errno(mgr) != 0 ? -EIO : 0;
}

/* Describe op (index i of the chunk) as an IMB job. */
static void dp_crypto_mb_fill(struct dp_crypto_worker *w, IMB_JOB *job, struct dp_crypto_op *op,
			      unsigned int i)
{
	const struct dp_crypto_sess *s = op->sess;
	uint8_t *data = rte_pktmbuf_mtod(op->mbuf, uint8_t *);
	uint8_t *nonce = w->nonce[i]; /* built by dp_crypto_mb_nonces() */
	bool out = s->info.dir == DP_CRYPTO_DIR_OUT;

	/* IMB reads src + offset but writes dst itself: in place is dst at the
	 * cipher region. */
	job->src = data;
	job->dst = data + op->cipher_offset;
	job->cipher_mode = s->mb_cipher;
	job->hash_alg = s->mb_hash;
	job->cipher_direction = out ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = out ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->key_len_in_bytes = s->key_len;
	job->cipher_start_src_offset_in_bytes = op->cipher_offset;
	job->msg_len_to_cipher_in_bytes = op->cipher_length;
	job->hash_start_src_offset_in_bytes = op->auth_offset;
	job->msg_len_to_hash_in_bytes = op->auth_length;
	job->iv = nonce;
	job->iv_len_in_bytes = 12;
	job->auth_tag_output = out ? op->digest : w->icv[i];
	job->auth_tag_output_len_in_bytes = s->info.icv_len;
	job->user_data = op;
	job->user_data2 = (void *)(uintptr_t)i;

	switch (s->cipher) {
	case DP_CRYPTO_CIPHER_AES_GCM:
		job->enc_keys = &s->k.gcm;
		job->dec_keys = &s->k.gcm;
		job->hash_start_src_offset_in_bytes = op->cipher_offset;
		job->msg_len_to_hash_in_bytes = op->cipher_length;
		job->u.GCM.aad = op->aad;
		job->u.GCM.aad_len_in_bytes = s->info.aad_len;
		return;
	case DP_CRYPTO_CIPHER_CHACHA20_POLY1305:
		job->enc_keys = s->k.chacha;
		job->dec_keys = s->k.chacha;
		job->hash_start_src_offset_in_bytes = op->cipher_offset;
		job->msg_len_to_hash_in_bytes = op->cipher_length;
		job->u.CHACHA20_POLY1305.aad = op->aad;
		job->u.CHACHA20_POLY1305.aad_len_in_bytes = s->info.aad_len;
		return;
	case DP_CRYPTO_CIPHER_AES_GMAC:
		job->msg_len_to_cipher_in_bytes = 0;
		job->cipher_start_src_offset_in_bytes = 0;
		job->u.GMAC._key = &s->k.gcm;
		job->u.GMAC._iv = nonce;
		job->u.GMAC.iv_len_in_bytes = 12;
		return;
	case DP_CRYPTO_CIPHER_AES_CBC:
		job->iv = op->iv;
		job->iv_len_in_bytes = 16;
		break;
	case DP_CRYPTO_CIPHER_NONE:
		job->msg_len_to_cipher_in_bytes = 0;
		job->cipher_start_src_offset_in_bytes = 0;
		job->iv_len_in_bytes = 0;
		break;
	default:    /* AES-CTR: IMB forms salt || IV || 0x00000001 itself */
		break;
	}
	job->enc_keys = s->k.hmac.enc;
	job->dec_keys = s->k.hmac.dec;
	job->u.HMAC._hashed_auth_key_xor_ipad = s->k.hmac.ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = s->k.hmac.opad;
}

/* Constant-time ICV compare (8, 12 or 16 bytes): a few word XORs inline,
 * where dp_crypto_ct_memcmp() is a call and a byte loop (~3 % of the
 * samples of GCM decapsulation at 64 B, 1.9 % of the worker's at CBC +
 * HMAC-SHA256 inbound 64 B).  Other lengths take the loop. */
static inline bool dp_crypto_mb_tag_differs(const uint8_t *a, const uint8_t *b,
					    unsigned int len)
{
	uint64_t x0, x1, y0, y1;
	uint32_t u, v;

	switch (len) {
	case 16:
		memcpy(&x0, a, 8);
		memcpy(&x1, a + 8, 8);
		memcpy(&y0, b, 8);
		memcpy(&y1, b + 8, 8);
		return ((x0 ^ y0) | (x1 ^ y1)) != 0;
	case 12:
		memcpy(&x0, a, 8);
		memcpy(&y0, b, 8);
		memcpy(&u, a + 8, 4);
		memcpy(&v, b + 8, 4);
		return ((x0 ^ y0) | (uint64_t)(u ^ v)) != 0;
	case 8:
		memcpy(&x0, a, 8);
		memcpy(&y0, b, 8);
		return (x0 ^ y0) != 0;
	default:
		return dp_crypto_ct_memcmp(a, b, len) != 0;
	}
}

static void dp_crypto_mb_complete(struct dp_crypto_worker *w, const IMB_JOB *job)
{
	struct dp_crypto_op *op = job->user_data;
	unsigned int i = (unsigned int)(uintptr_t)job->user_data2;
	const struct dp_crypto_sess *s = op->sess;

	if (job->status != IMB_STATUS_COMPLETED)
		op->status = DP_CRYPTO_ERROR;
	else if (s->info.dir == DP_CRYPTO_DIR_IN &&
		 dp_crypto_mb_tag_differs(w->icv[i], op->digest, s->info.icv_len))
		op->status = DP_CRYPTO_AUTH_FAILED;
	else
		op->status = DP_CRYPTO_OK;
}

/* AES-GCM through intel-ipsec-mb's direct GCM functions, not the job API.
 * GCM jobs complete synchronously inside IMB_SUBMIT_JOB anyway, so the
 * manager buys nothing for them, and intel-ipsec-mb 1.3's submit_job copies
 * two 376-byte dispatch tables onto its stack on every call (the libc
 * memmove in the profile, docs/PERFORMANCE.md) besides the job fill.  Same
 * computation, same bytes: nonce = salt || IV (12 bytes), AAD from the op,
 * the tag written in place (OUT) or into scratch (IN).  Returns whether the
 * op is a decryption whose tag the caller must still compare: that is done
 * after the burst's other ops, not here, because the compare right after
 * the call waits for the tag's computation (the end of the library's GHASH),
 * which the next op's work can overlap instead; here it held 45 % of
 * dp_crypto_mb_process's samples in GCM decapsulation at 64 B. */
static bool dp_crypto_mb_gcm(IMB_MGR *mgr, struct dp_crypto_worker *w,
			     struct gcm_context_data *ctx, struct dp_crypto_op *op, unsigned int i)
{
	const struct dp_crypto_sess *s = op->sess;
	const struct gcm_key_data *key = &s->k.gcm;
	uint8_t *data = rte_pktmbuf_mtod(op->mbuf, uint8_t *) + op->cipher_offset;
	const uint8_t *nonce = w->nonce[i]; /* built by dp_crypto_mb_nonces() */
	const uint64_t len = op->cipher_length;
	const uint64_t tlen = s->info.icv_len, alen = s->info.aad_len;

	if (s->info.dir == DP_CRYPTO_DIR_OUT) {
		uint8_t *tag = op->digest;

		switch (s->key_len) {
		case 16:
			IMB_AES128_GCM_ENC(mgr, key, ctx, data, data, len, nonce, op->aad, alen,
				tag, tlen);
			break;
		case 24:
			IMB_AES192_GCM_ENC(mgr, key, ctx, data, data, len, nonce, op->aad, alen,
				tag, tlen);
			break;
		default:
			IMB_AES256_GCM_ENC(mgr, key, ctx, data, data, len, nonce, op->aad, alen,
				tag, tlen);
			break;
		}
		op->status = DP_CRYPTO_OK;
		return false;
	}
	switch (s->key_len) {
	case 16:
		IMB_AES128_GCM_DEC(mgr, key, ctx, data, data, len, nonce, op->aad, alen,
			w->icv[i], tlen);
		break;
	case 24:
		IMB_AES192_GCM_DEC(mgr, key, ctx, data, data, len, nonce, op->aad, alen,
			w->icv[i], tlen);
		break;
	default:
		IMB_AES256_GCM_DEC(mgr, key, ctx, data, data, len, nonce, op->aad, alen,
			w->icv[i], tlen);
		break;
	}
	return true;
}

/* The nonces (salt || IV, 12 bytes) of a chunk's counter-mode ops, all
 * before the first op runs.  intel-ipsec-mb 1.3 reads the nonce with one
 * 12-byte masked load first thing (vmovdqu8 under a 0xfff mask in
 * aes_gcm_enc_128_vaes_avx512), and the keystream, so all of encryption's
 * work, depends on it.  A load that spans two stores still in the store
 * buffer (here the 4-byte salt and the 8-byte IV) is not forwarded from
 * them: it waits until both are written to the cache.  Built right before
 * each call, as it was, every op's cipher waited for that (our reading of
 * the disassembly and of the A/B; this guest has no PMU to count it).
 * Built here, every op but the first runs after whole cipher calls since
 * its nonce was written.  Measured on GCM encapsulation: about 45 cycles
 * per packet at 64 B and 30 at 1420 B; decapsulation gained little
 * (docs/PERFORMANCE.md, "The nonce"). */
static inline void dp_crypto_mb_nonces(struct dp_crypto_worker *w, struct dp_crypto_op **ops,
				       uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		const struct dp_crypto_sess *s = ops[i]->sess;

		if (s->cipher == DP_CRYPTO_CIPHER_AES_CBC || s->cipher == DP_CRYPTO_CIPHER_NONE)
			continue;
		memcpy(w->nonce[i], s->salt, DP_CRYPTO_SALT_LEN);
		memcpy(w->nonce[i] + DP_CRYPTO_SALT_LEN, ops[i]->iv, 8);
	}
}

/* dp_crypto_op_fits() for an AEAD op, inlined for the GCM fast path. */
static inline bool dp_crypto_mb_aead_fits(const struct dp_crypto_op *op)
{
	const struct rte_mbuf *m = op->mbuf;

	return m != NULL && m->nb_segs == 1 && op->digest != NULL &&
	       (uint64_t)op->cipher_offset + op->cipher_length <= m->data_len;
}

/* Sessions dp_crypto_mb_cbc_hmac() takes: AES-CBC with HMAC-SHA-1/2. */
static inline bool dp_crypto_mb_burst_sess(const struct dp_crypto_sess *s)
{
	return s->cipher == DP_CRYPTO_CIPHER_AES_CBC &&
	       (s->mb_hash == IMB_AUTH_HMAC_SHA_1 || s->mb_hash == IMB_AUTH_HMAC_SHA_256 ||
		s->mb_hash == IMB_AUTH_HMAC_SHA_384 || s->mb_hash == IMB_AUTH_HMAC_SHA_512);
}

/* Whether b can share a burst call with a: one cipher direction, key size
 * and hash algorithm per call (the burst API's parameters). */
static inline bool dp_crypto_mb_burst_same(const struct dp_crypto_sess *a,
					   const struct dp_crypto_sess *b)
{
	return a == b || (dp_crypto_mb_burst_sess(b) && a->mb_hash == b->mb_hash &&
			  a->key_len == b->key_len && a->info.dir == b->info.dir);
}

static const IMB_KEY_SIZE_BYTES dp_crypto_mb_key_size[33] = {
	[16] = IMB_KEY_128_BYTES, [24] = IMB_KEY_192_BYTES, [32] = IMB_KEY_256_BYTES,
};

/* AES-CBC + HMAC ops (one session kind, see dp_crypto_mb_burst_same())
 * through intel-ipsec-mb's cipher and hash burst calls instead of one job
 * each: outbound the whole run is encrypted, then MACed; inbound the run is
 * MACed, the tags compared, and only the ops that verified are decrypted.
 * The job API's HMAC-SHA-256 manager (AVX-512, 16 lanes) hands back one
 * job per submit, so a burst of 32 ended with 15 IMB_FLUSH_JOB calls of
 * ~125 cycles each; the burst calls fill the lanes with the whole run and
 * return it complete (docs/PERFORMANCE.md, "ESP4").  The CBC + HMAC KATs
 * run through here; dp_crypto_mb_fill() keeps the jobs of the CBC sessions
 * this does not take (no HMAC-SHA-1/2). */
static void dp_crypto_mb_cbc_hmac(struct dp_crypto_worker *w, struct dp_crypto_op **ops,
				  uint16_t k)
{
	IMB_MGR *mgr = w->mgr;
	const struct dp_crypto_sess *s0 = ops[0]->sess;
	const bool out = s0->info.dir == DP_CRYPTO_DIR_OUT;
	/* key_len is 16, 24 or 32 (dp_crypto.c's table for AES-CBC). */
	const IMB_KEY_SIZE_BYTES ksz = dp_crypto_mb_key_size[RTE_MIN(s0->key_len, 32u)];
	IMB_JOB *job = w->bjob;
	uint16_t nc = k;

	for (uint16_t j = 0; j < k; j++) {
		struct dp_crypto_op *op = ops[j];
		const struct dp_crypto_sess *s = op->sess;
		IMB_JOB *b = &job[j];

		b->src = rte_pktmbuf_mtod(op->mbuf, uint8_t *);
		b->hash_start_src_offset_in_bytes = op->auth_offset;
		b->msg_len_to_hash_in_bytes = op->auth_length;
		/* Inbound tags go to the op's own slot: a GCM op of the same
		 * chunk may still hold its tag in another, compared at the end. */
		b->auth_tag_output = out ? op->digest : w->icv[w->bidx[j]];
		b->auth_tag_output_len_in_bytes = s->info.icv_len;
		b->u.HMAC._hashed_auth_key_xor_ipad = s->k.hmac.ipad;
		b->u.HMAC._hashed_auth_key_xor_opad = s->k.hmac.opad;
		b->dst = (uint8_t *)b->src + op->cipher_offset;
		b->cipher_start_src_offset_in_bytes = op->cipher_offset;
		b->msg_len_to_cipher_in_bytes = op->cipher_length;
		b->iv = op->iv;
		b->iv_len_in_bytes = 16;
		b->enc_keys = s->k.hmac.enc;
		b->dec_keys = s->k.hmac.dec;
		b->user_data = op;
		op->status = DP_CRYPTO_OK;
	}
	if (out) {
		if (IMB_SUBMIT_CIPHER_BURST_NOCHECK(mgr, job, k, IMB_CIPHER_CBC,
			IMB_DIR_ENCRYPT, ksz) != k ||
		    IMB_SUBMIT_HASH_BURST_NOCHECK(mgr, job, k, s0->mb_hash) != k)
			goto fail;
		return;
	}
	if (IMB_SUBMIT_HASH_BURST_NOCHECK(mgr, job, k, s0->mb_hash) != k)
		goto fail;
	/* Tags first; the ops that verified move to the front, in order, and
	 * only they are decrypted. */
	nc = 0;
	for (uint16_t j = 0; j < k; j++) {
		struct dp_crypto_op *op = job[j].user_data;

		if (dp_crypto_mb_tag_differs(w->icv[w->bidx[j]], op->digest,
					     op->sess->info.icv_len)) {
			op->status = DP_CRYPTO_AUTH_FAILED;
			continue;
		}
		if (nc != j)
			job[nc] = job[j];
		nc++;
	}
	if (nc != 0 && IMB_SUBMIT_CIPHER_BURST_NOCHECK(mgr, job, nc, IMB_CIPHER_CBC,
		IMB_DIR_DECRYPT, ksz) != nc)
		goto fail;
	return;
fail:
	for (uint16_t j = 0; j < nc; j++)
		((struct dp_crypto_op *)job[j].user_data)->status = DP_CRYPTO_ERROR;
}

void dp_crypto_mb_process(struct dp_crypto_worker *w, struct dp_crypto_op **ops, uint16_t n)
{
	IMB_MGR *mgr = w->mgr;
	struct gcm_context_data gctx;
	uint8_t vidx[DP_CRYPTO_BURST_MAX];
	unsigned int nv = 0;
	bool gcm = false, jobs = false;
	IMB_JOB *job;

	static_assert(DP_CRYPTO_BURST_MAX <= 256, "vidx[] holds uint8_t indexes");
	dp_crypto_mb_nonces(w, ops, n);
	for (uint16_t i = 0; i < n; i++) {
		struct dp_crypto_op *op = ops[i];

		if (op->sess->cipher == DP_CRYPTO_CIPHER_AES_GCM) {
			if (dp_crypto_mb_aead_fits(op)) {
				if (dp_crypto_mb_gcm(mgr, w, &gctx, op, i))
					vidx[nv++] = (uint8_t)i;
				gcm = true;
			} else {
				op->status = DP_CRYPTO_ERROR;
			}
			continue;
		}
		if (!dp_crypto_op_fits(op)) {
			op->status = DP_CRYPTO_ERROR;
			continue;
		}
		if (dp_crypto_mb_burst_sess(op->sess)) {
			uint16_t k = 0;

			/* The run of ops that share the burst calls' parameters;
			 * ops that do not fit are refused on the way. */
			while (jobs && (job = IMB_FLUSH_JOB(mgr)) != NULL)
				dp_crypto_mb_complete(w, job); /* lanes empty first */
			jobs = false;
			w->bidx[k] = (uint8_t)i;
			w->bop[k++] = op;
			while (i + 1 < n && dp_crypto_mb_burst_same(op->sess, ops[i + 1]->sess)) {
				i++;
				if (dp_crypto_op_fits(ops[i])) {
					w->bidx[k] = (uint8_t)i;
					w->bop[k++] = ops[i];
				} else {
					ops[i]->status = DP_CRYPTO_ERROR;
				}
			}
			dp_crypto_mb_cbc_hmac(w, w->bop, k);
			continue;
		}
		job = IMB_GET_NEXT_JOB(mgr);
		dp_crypto_mb_fill(w, job, op, i);
		jobs = true;
		/* Unchecked: dp_crypto_op_fits() bounded the regions (and CBC's
		 * whole blocks), and every other job field comes from a session
		 * built from dp_crypto.c's tables, which the KATs run through
		 * here.  The checked submit of intel-ipsec-mb 1.3 copies two
		 * 376-byte validation tables per job (3.8 % of the samples of
		 * CBC encapsulation at 64 B, docs/PERFORMANCE.md). */
		job = IMB_SUBMIT_JOB_NOCHECK(mgr);
		while (job != NULL) {
			dp_crypto_mb_complete(w, job);
			job = IMB_GET_COMPLETED_JOB(mgr);
		}
	}
	/* GCM decryptions' tags, compared once the burst's ciphers ran. */
	for (unsigned int j = 0; j < nv; j++) {
		struct dp_crypto_op *op = ops[vidx[j]];

		op->status = dp_crypto_mb_tag_differs(w->icv[vidx[j]], op->digest,
			op->sess->info.icv_len) ? DP_CRYPTO_AUTH_FAILED : DP_CRYPTO_OK;
	}
	/* A burst of GCM ops submitted no job: nothing to flush. */
	while (jobs && (job = IMB_FLUSH_JOB(mgr)) != NULL)
		dp_crypto_mb_complete(w, job);
	/* The context holds GHASH state and keystream of the last op. */
	if (gcm)
		explicit_bzero(&gctx, sizeof(gctx));
}
