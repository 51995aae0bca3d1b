/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_rand.h: a fast per-worker CSPRNG for AES-CBC IVs (RFC 3602 section
 * 2.3 asks for unpredictable IVs).
 *
 * AES-256-CTR keystream computed with intel-ipsec-mb a buffer at a time.
 * The key is seeded from getrandom(2).  After every refill the first 32
 * bytes of the new keystream become the next key and are never output
 * ("fast key erasure"), so a later compromise of the state does not reveal
 * earlier IVs.  The generator reseeds from the OS by itself every
 * DP_RAND_RESEED_BYTES of output, or when asked.
 *
 * Threads: a dp_rand belongs to one thread (a worker); dp_rand_new/free and
 * reseeding are allowed anywhere but never concurrently with bytes().
 */
#ifndef DP_RAND_H
#define DP_RAND_H

#include <stddef.h>
#include <stdint.h>

#define DP_RAND_RESEED_BYTES (1ull << 30)

struct dp_rand;

/* Allocate on NUMA node socket_id (-1 any) and seed.  0 or -errno
 * (-ENOMEM, -EIO when getrandom fails). */
int dp_rand_new(int socket_id, struct dp_rand **out);

/* Wipe and free.  NULL is a no-op. */
void dp_rand_free(struct dp_rand *r);

/* Mix fresh OS entropy into the key.  0 or -errno.  The hot path never calls
 * it, except the automatic reseed after DP_RAND_RESEED_BYTES (one syscall per
 * GiB; if it fails the generator keeps going on its current key). */
int dp_rand_reseed(struct dp_rand *r);

/* Fill out with len random bytes.  No syscall, lock or allocation except the
 * periodic reseed above. */
void dp_rand_bytes(struct dp_rand *r, void *out, size_t len);

/* Bytes output since the last (re)seed: for tests and telemetry. */
uint64_t dp_rand_output_since_seed(const struct dp_rand *r);

#endif /* DP_RAND_H */
