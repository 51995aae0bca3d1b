/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_hash.h: the 64-bit finaliser the control plane's hash tables share
 * (SADB identity and handle chains, the SPD store's index and key hashes,
 * the publisher's rule and SA indexes).
 */
#ifndef CTL_HASH_H
#define CTL_HASH_H

#include <stdint.h>

/* MurmurHash3's fmix64: every input bit affects every output bit, so the
 * low bits are fit for a power-of-two table mask. */
static inline uint64_t ctl_hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

#endif /* CTL_HASH_H */
