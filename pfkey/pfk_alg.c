/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfk_alg.c: the algorithm table.  One row per PF_KEY algorithm ID that
 * dpsec knows, with the properties the codec, the CLIs and the dataplane
 * need (key sizes, salt, IV, ICV, padding).  Everything else derives from it.
 *
 * Key bits are effective bits: the salt that illumos appends to the key
 * (sadb_x_key_saltbits) is counted in saltbits, never in minbits/maxbits.
 *
 * Algorithm 0 ("none") has no row on purpose: it means "no algorithm", is
 * valid only where a rule says so (ESP without authentication, SAREQ), and a
 * row for it would make pfk_alg_by_id() accept it everywhere.  Callers that
 * accept "none" (the CLIs) handle that name themselves.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dpsec/pfkey.h"

/* A NULL-terminated synonym list with static storage (file-scope compound
 * literal). */
#define SYN(...) ((const char *const[]){ __VA_ARGS__, NULL })

/*
 * Authentication algorithms (AH, and ESP with a non-AEAD cipher).
 * ICV lengths are the truncated lengths used by IPsec (RFC 2404, 4868).
 */
static const struct pfk_alg_info auth_algs[] = {
	{ .kind = PFK_ALG_AUTH, .id = SADB_AALG_MD5HMAC, .name = "md5",
	  .synonyms = SYN("hmac-md5"), .minbits = 128, .maxbits = 128,
	  .icvlen = 12, .flags = PFK_ALG_LEGACY },
	{ .kind = PFK_ALG_AUTH, .id = SADB_AALG_SHA1HMAC, .name = "sha1",
	  .synonyms = SYN("sha", "hmac-sha1"), .minbits = 160, .maxbits = 160,
	  .icvlen = 12 },
	{ .kind = PFK_ALG_AUTH, .id = SADB_AALG_SHA256HMAC, .name = "sha256",
	  .synonyms = SYN("hmac-sha256"), .minbits = 256, .maxbits = 256,
	  .icvlen = 16 },
	{ .kind = PFK_ALG_AUTH, .id = SADB_AALG_SHA384HMAC, .name = "sha384",
	  .synonyms = SYN("hmac-sha384"), .minbits = 384, .maxbits = 384,
	  .icvlen = 24 },
	{ .kind = PFK_ALG_AUTH, .id = SADB_AALG_SHA512HMAC, .name = "sha512",
	  .synonyms = SYN("hmac-sha512"), .minbits = 512, .maxbits = 512,
	  .icvlen = 32 },
};

/*
 * Encryption algorithms.  ivlen is the explicit IV carried in each ESP
 * packet; blocksize is the ESP padding alignment (4 for stream and
 * counter modes, RFC 4303 section 2.4).  Counter-mode ciphers carry a
 * 32-bit salt (RFC 3686, 4106, 4543, 7634), CCM a 24-bit one (RFC 4309).
 */
static const struct pfk_alg_info encrypt_algs[] = {
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_EALG_DESCBC, .name = "des",
	  .synonyms = SYN("des-cbc"), .minbits = 64, .maxbits = 64,
	  .ivlen = 8, .blocksize = 8, .flags = PFK_ALG_LEGACY },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_EALG_3DESCBC, .name = "3des",
	  .synonyms = SYN("3des-cbc"), .minbits = 192, .maxbits = 192,
	  .ivlen = 8, .blocksize = 8, .flags = PFK_ALG_LEGACY },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_EALG_BLOWFISH, .name = "blowfish",
	  .synonyms = SYN("blowfish-cbc"), .minbits = 32, .maxbits = 448, .increment = 8,
	  .ivlen = 8, .blocksize = 8, .flags = PFK_ALG_LEGACY },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_EALG_NULL, .name = "null",
	  .minbits = 0, .maxbits = 0, .blocksize = 4, .flags = PFK_ALG_NOCIPHER },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_EALG_AES, .name = "aes",
	  .synonyms = SYN("aes-cbc"), .minbits = 128, .maxbits = 256, .increment = 64,
	  .ivlen = 16, .blocksize = 16 },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_X_EALG_AES_CTR, .name = "aes-ctr",
	  .minbits = 128, .maxbits = 256, .increment = 64, .saltbits = 32,
	  .ivlen = 8, .blocksize = 4 },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_EALG_AES_CCM_8, .name = "aes-ccm8",
	  .minbits = 128, .maxbits = 256, .increment = 64, .saltbits = 24,
	  .ivlen = 8, .icvlen = 8, .blocksize = 4,
	  .flags = PFK_ALG_AEAD | PFK_ALG_LEGACY },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_EALG_AES_CCM_12, .name = "aes-ccm12",
	  .minbits = 128, .maxbits = 256, .increment = 64, .saltbits = 24,
	  .ivlen = 8, .icvlen = 12, .blocksize = 4,
	  .flags = PFK_ALG_AEAD | PFK_ALG_LEGACY },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_EALG_AES_CCM_16, .name = "aes-ccm16",
	  .synonyms = SYN("aes-ccm"), .minbits = 128, .maxbits = 256, .increment = 64,
	  .saltbits = 24, .ivlen = 8, .icvlen = 16, .blocksize = 4,
	  .flags = PFK_ALG_AEAD | PFK_ALG_LEGACY },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_EALG_AES_GCM_8, .name = "aes-gcm8",
	  .minbits = 128, .maxbits = 256, .increment = 64, .saltbits = 32,
	  .ivlen = 8, .icvlen = 8, .blocksize = 4, .flags = PFK_ALG_AEAD },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_EALG_AES_GCM_12, .name = "aes-gcm12",
	  .minbits = 128, .maxbits = 256, .increment = 64, .saltbits = 32,
	  .ivlen = 8, .icvlen = 12, .blocksize = 4, .flags = PFK_ALG_AEAD },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_EALG_AES_GCM_16, .name = "aes-gcm16",
	  .synonyms = SYN("aes-gcm"), .minbits = 128, .maxbits = 256, .increment = 64,
	  .saltbits = 32, .ivlen = 8, .icvlen = 16, .blocksize = 4, .flags = PFK_ALG_AEAD },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_X_EALG_NULL_AES_GMAC, .name = "null-aes-gmac",
	  .synonyms = SYN("aes-gmac"), .minbits = 128, .maxbits = 256, .increment = 64,
	  .saltbits = 32, .ivlen = 8, .icvlen = 16, .blocksize = 4,
	  .flags = PFK_ALG_AEAD | PFK_ALG_NOCIPHER },
	{ .kind = PFK_ALG_ENCRYPT, .id = SADB_X_EALG_CHACHA20_POLY1305,
	  .name = "chacha20-poly1305", .synonyms = SYN("chacha20poly1305"),
	  .minbits = 256, .maxbits = 256, .saltbits = 32, .ivlen = 8, .icvlen = 16,
	  .blocksize = 4, .flags = PFK_ALG_AEAD },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct pfk_alg_info *table_of(enum pfk_alg_kind kind, size_t *n)
{
	switch (kind) {
	case PFK_ALG_AUTH:
		*n = COUNT(auth_algs);
		return auth_algs;
	case PFK_ALG_ENCRYPT:
		*n = COUNT(encrypt_algs);
		return encrypt_algs;
	}
	*n = 0;
	return NULL;
}

const struct pfk_alg_info *pfk_alg_at(enum pfk_alg_kind kind, unsigned index)
{
	size_t n;
	const struct pfk_alg_info *t = table_of(kind, &n);

	return index < n ? &t[index] : NULL;
}

const struct pfk_alg_info *pfk_alg_by_id(enum pfk_alg_kind kind, uint8_t id)
{
	size_t n;
	const struct pfk_alg_info *t = table_of(kind, &n);

	for (size_t i = 0; i < n; i++)
		if (t[i].id == id)
			return &t[i];
	return NULL;
}

static bool alg_has_name(const struct pfk_alg_info *a, const char *name)
{
	if (strcasecmp(a->name, name) == 0)
		return true;
	for (const char *const *s = a->synonyms; s != NULL && *s != NULL; s++)
		if (strcasecmp(*s, name) == 0)
			return true;
	return false;
}

/* A decimal number 0..255 with nothing around it, or -1. */
static int parse_id(const char *s)
{
	unsigned v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > 255)
			return -1;
	}
	return (int)v;
}

const struct pfk_alg_info *pfk_alg_by_name(enum pfk_alg_kind kind, const char *name)
{
	size_t n;
	const struct pfk_alg_info *t = table_of(kind, &n);
	int id;

	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (alg_has_name(&t[i], name))
			return &t[i];
	id = parse_id(name);
	return id < 0 ? NULL : pfk_alg_by_id(kind, (uint8_t)id);
}

bool pfk_alg_keybits_ok(const struct pfk_alg_info *alg, unsigned bits)
{
	if (alg == NULL || bits < alg->minbits || bits > alg->maxbits)
		return false;
	if (alg->increment == 0)
		return bits == alg->minbits;
	return (bits - alg->minbits) % alg->increment == 0;
}
