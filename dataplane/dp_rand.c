/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_rand.c: AES-256-CTR keystream generator with fast key erasure.
 * See dp_rand.h for the contract.
 */
#include <errno.h>
#include <stdalign.h>
#include <string.h>
#include <sys/random.h>

#include <intel-ipsec-mb.h>
#include <rte_malloc.h>

#include "dp_rand.h"

#define DP_RAND_BUF 1024u   /* keystream bytes per refill, key included */
#define DP_RAND_KEY 32u

struct dp_rand {
	alignas(64) uint8_t enc_keys[16 * 15];
	alignas(64) uint8_t dec_keys[16 * 15];  /* unused by CTR; keyexp wants it */
	alignas(64) uint8_t buf[DP_RAND_BUF];
	alignas(64) uint8_t zero[DP_RAND_BUF];  /* CTR input: keystream = E(ctr) ^ 0 */
	uint8_t counter[16];
	uint32_t pos;                           /* next unread byte of buf */
	uint64_t since_seed;
	IMB_MGR *mgr;
};

/* Expand key into the AES schedule; the raw key is wiped by the caller. */
static void dp_rand_set_key(struct dp_rand *r, const uint8_t key[DP_RAND_KEY])
{
	IMB_AES_KEYEXP_256(r->mgr, key, r->enc_keys, r->dec_keys);
}

/* Refill buf with keystream, take its first 32 bytes as the next key. */
static void dp_rand_refill(struct dp_rand *r)
{
	IMB_JOB *job = IMB_GET_NEXT_JOB(r->mgr);

	job->cipher_mode = IMB_CIPHER_CNTR;
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->chain_order = IMB_ORDER_CIPHER_HASH;
	job->hash_alg = IMB_AUTH_NULL;
	job->enc_keys = r->enc_keys;
	job->dec_keys = r->enc_keys;
	job->key_len_in_bytes = IMB_KEY_256_BYTES;
	job->src = r->zero;
	job->dst = r->buf;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = DP_RAND_BUF;
	job->iv = r->counter;
	job->iv_len_in_bytes = 16;
	job = IMB_SUBMIT_JOB(r->mgr);
	while (job == NULL)
		job = IMB_FLUSH_JOB(r->mgr);
	/* A fresh key per buffer: the counter can restart at zero. */
	dp_rand_set_key(r, r->buf);
	explicit_bzero(r->buf, DP_RAND_KEY);
	r->pos = DP_RAND_KEY;
}

int dp_rand_reseed(struct dp_rand *r)
{
	uint8_t seed[DP_RAND_KEY];
	size_t got = 0;
	int rc = 0;

	while (got < sizeof(seed)) {
		ssize_t k = getrandom(seed + got, sizeof(seed) - got, 0);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			rc = -EIO;
			goto out;
		}
		got += (size_t)k;
	}
	/* New key = first 32 keystream bytes of (old key XOR-mixed with seed):
	 * the old state stays in, so a weak seed cannot make it worse. */
	for (unsigned int i = 0; i < DP_RAND_KEY; i++)
		r->zero[i] = seed[i];
	dp_rand_refill(r);
	memset(r->zero, 0, DP_RAND_KEY);
	/* The rest of buf came from the old key: never output it. */
	explicit_bzero(r->buf, sizeof(r->buf));
	r->pos = DP_RAND_BUF;
	r->since_seed = 0;
out:
	explicit_bzero(seed, sizeof(seed));
	return rc;
}

int dp_rand_new(int socket_id, struct dp_rand **out)
{
	struct dp_rand *r;
	IMB_ARCH arch;
	uint8_t key[DP_RAND_KEY] = { 0 };
	int rc;

	*out = NULL;
	r = rte_zmalloc_socket("dp_rand", sizeof(*r), 64, socket_id);
	if (r == NULL)
		return -ENOMEM;
	r->mgr = alloc_mb_mgr(0);
	if (r->mgr == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	init_mb_mgr_auto(r->mgr, &arch);
	if (arch == IMB_ARCH_NONE) {
		rc = -ENOTSUP;
		goto fail;
	}
	dp_rand_set_key(r, key);
	rc = dp_rand_reseed(r);
	if (rc < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	dp_rand_free(r);
	return rc;
}

void dp_rand_free(struct dp_rand *r)
{
	if (r == NULL)
		return;
	if (r->mgr != NULL)
		free_mb_mgr(r->mgr);
	explicit_bzero(r, sizeof(*r));
	rte_free(r);
}

void dp_rand_bytes(struct dp_rand *r, void *out, size_t len)
{
	uint8_t *dst = out;

	if (r->since_seed >= DP_RAND_RESEED_BYTES)
		(void)dp_rand_reseed(r);
	r->since_seed += len;
	while (len > 0) {
		size_t k;

		if (r->pos == DP_RAND_BUF)
			dp_rand_refill(r);
		k = DP_RAND_BUF - r->pos;
		if (k > len)
			k = len;
		memcpy(dst, r->buf + r->pos, k);
		/* Output once only: forget it. */
		memset(r->buf + r->pos, 0, k);
		r->pos += (uint32_t)k;
		dst += k;
		len -= k;
	}
}

uint64_t dp_rand_output_since_seed(const struct dp_rand *r)
{
	return r->since_seed;
}
