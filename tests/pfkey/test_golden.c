/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_golden.c: PF_KEY messages written byte by byte from the wire spec
 * (docs/PFKEY.md, RFC 2367 section 2, include/dpsec/pfkeyv2.h), never
 * produced by our own builder.  For each vector:
 *   1. pfk_validate() in the message's direction accepts it, and each
 *      decoded field equals the value written here;
 *   2. the builder, given the same values, reproduces the bytes exactly;
 * and the key-free copy for listeners and the error reply are checked
 * against hand-written bytes too.
 *
 * Layout: one line per 8-byte word, with what the word holds.  Fields are
 * in host order (little-endian here; the socket is local), except SPIs and
 * sockaddr ports and addresses, which are in network order.  On a
 * big-endian host the vectors do not apply and the tests are skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dpsec/pfkey.h"

#define GOLDEN _Alignas(8) static const uint8_t
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Common values.  PID 4242 = 0x00001092. */
#define PID 4242u

/* ------------------------------------------------------------------------ */
/* 1. ADD, ESP, AES-GCM-16 with a 128-bit key and a 32-bit salt (160 key    */
/*    bits, 32 of them salt), soft and hard lifetimes, IPv4 src and dst.    */

GOLDEN golden_add_gcm[] = {
	/* base: version 2, type ADD 3, errno 0, satype ESP 3; len 22; reserved 0 */
	0x02, 0x03, 0x00, 0x03, 0x16, 0x00, 0x00, 0x00,
	/* base: seq 1; pid 4242 */
	0x01, 0x00, 0x00, 0x00, 0x92, 0x10, 0x00, 0x00,
	/* SA: len 2, type 1; spi 0x12345678 (network order) */
	0x02, 0x00, 0x01, 0x00, 0x12, 0x34, 0x56, 0x78,
	/* SA: replay 32, state MATURE 1, auth NONE 0, encrypt AES_GCM_16 20; flags 0 */
	0x20, 0x01, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00,
	/* LIFETIME_HARD: len 4, type 3; allocations 0 */
	0x04, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* bytes 1000000000 (0x3b9aca00) */
	0x00, 0xca, 0x9a, 0x3b, 0x00, 0x00, 0x00, 0x00,
	/* addtime 3600 (0xe10) */
	0x10, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* usetime 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* LIFETIME_SOFT: len 4, type 4; allocations 0 */
	0x04, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* bytes 900000000 (0x35a4e900) */
	0x00, 0xe9, 0xa4, 0x35, 0x00, 0x00, 0x00, 0x00,
	/* addtime 3000 (0xbb8) */
	0xb8, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* usetime 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_SRC: len 3, type 5; proto 0, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in: family AF_INET 2, port 0; 192.0.2.1 */
	0x02, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_DST: len 3, type 6; proto 0, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 0; 198.51.100.2 */
	0x02, 0x00, 0x00, 0x00, 0xc6, 0x33, 0x64, 0x02,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* KEY_ENCRYPT: len 4, type 9; bits 160 (0xa0), saltbits 32 */
	0x04, 0x00, 0x09, 0x00, 0xa0, 0x00, 0x20, 0x00,
	/* key 0x10..0x17 */
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	/* key 0x18..0x1f */
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	/* salt ca fe ba be; padding */
	0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x00,
};

/* ------------------------------------------------------------------------ */
/* 2. GET reply: ESP AES-CBC-128 + HMAC-SHA-256 with both keys, current and */
/*    hard lifetimes and REPLAY_VALUE (replay32 + replay64).                */

GOLDEN golden_get_reply[] = {
	/* base: version 2, type GET 5, errno 0, satype ESP 3; len 28; reserved 0 */
	0x02, 0x05, 0x00, 0x03, 0x1c, 0x00, 0x00, 0x00,
	/* base: seq 7; pid 4242 */
	0x07, 0x00, 0x00, 0x00, 0x92, 0x10, 0x00, 0x00,
	/* SA: len 2, type 1; spi 0xc0ffee01 */
	0x02, 0x00, 0x01, 0x00, 0xc0, 0xff, 0xee, 0x01,
	/* SA: replay 64, state MATURE 1, auth SHA256HMAC 5, encrypt AES 12;
	 * flags X_INBOUND 0x4000 */
	0x40, 0x01, 0x05, 0x0c, 0x00, 0x40, 0x00, 0x00,
	/* LIFETIME_CURRENT: len 4, type 2; allocations 0 */
	0x04, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* bytes 123456 (0x1e240) */
	0x40, 0xe2, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* addtime 1700000000 (0x6553f100) */
	0x00, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00,
	/* usetime 1700000100 (0x6553f164) */
	0x64, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00,
	/* LIFETIME_HARD: len 4, type 3; allocations 0 */
	0x04, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* bytes 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* addtime 28800 (0x7080) */
	0x80, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* usetime 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_SRC: len 3, type 5; proto 0, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 0; 203.0.113.5 */
	0x02, 0x00, 0x00, 0x00, 0xcb, 0x00, 0x71, 0x05,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_DST: len 3, type 6; proto 0, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 0; 203.0.113.9 */
	0x02, 0x00, 0x00, 0x00, 0xcb, 0x00, 0x71, 0x09,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* KEY_AUTH (byte 144): len 5, type 8; bits 256 (0x100), saltbits 0 */
	0x05, 0x00, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00,
	/* key 0xa0..0xa7 */
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	/* key 0xa8..0xaf */
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	/* key 0xb0..0xb7 */
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
	/* key 0xb8..0xbf */
	0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	/* KEY_ENCRYPT: len 3, type 9; bits 128 (0x80), saltbits 0 */
	0x03, 0x00, 0x09, 0x00, 0x80, 0x00, 0x00, 0x00,
	/* key 0xc0..0xc7 */
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
	/* key 0xc8..0xcf */
	0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
	/* X_REPLAY_VALUE (byte 208): len 2, type 24; replay32 0x23456789 */
	0x02, 0x00, 0x18, 0x00, 0x89, 0x67, 0x45, 0x23,
	/* replay64 0x0000000123456789 */
	0x89, 0x67, 0x45, 0x23, 0x01, 0x00, 0x00, 0x00,
};
#define GET_KEYS_OFF 144 /* first key byte range: KEY_AUTH .. end of KEY_ENCRYPT */
#define GET_KEYS_END 208

/* The same reply as listeners get it (pfk_copy_without_keys): the keys
 * gone, the length 20 words, everything else unchanged. */
GOLDEN golden_get_reply_nokeys[] = {
	/* base: version 2, type GET 5, errno 0, satype ESP 3; len 20; reserved 0 */
	0x02, 0x05, 0x00, 0x03, 0x14, 0x00, 0x00, 0x00,
	/* base: seq 7; pid 4242 */
	0x07, 0x00, 0x00, 0x00, 0x92, 0x10, 0x00, 0x00,
	/* SA: len 2, type 1; spi 0xc0ffee01 */
	0x02, 0x00, 0x01, 0x00, 0xc0, 0xff, 0xee, 0x01,
	/* SA: replay 64, MATURE, SHA256HMAC, AES; flags X_INBOUND */
	0x40, 0x01, 0x05, 0x0c, 0x00, 0x40, 0x00, 0x00,
	/* LIFETIME_CURRENT: len 4, type 2; allocations 0 */
	0x04, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* bytes 123456 */
	0x40, 0xe2, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* addtime 1700000000 */
	0x00, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00,
	/* usetime 1700000100 */
	0x64, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00,
	/* LIFETIME_HARD: len 4, type 3; allocations 0 */
	0x04, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* bytes 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* addtime 28800 */
	0x80, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* usetime 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_SRC: len 3, type 5; proto 0, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 0; 203.0.113.5 */
	0x02, 0x00, 0x00, 0x00, 0xcb, 0x00, 0x71, 0x05,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_DST: len 3, type 6; proto 0, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 0; 203.0.113.9 */
	0x02, 0x00, 0x00, 0x00, 0xcb, 0x00, 0x71, 0x09,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* X_REPLAY_VALUE: len 2, type 24; replay32 0x23456789 */
	0x02, 0x00, 0x18, 0x00, 0x89, 0x67, 0x45, 0x23,
	/* replay64 0x0000000123456789 */
	0x89, 0x67, 0x45, 0x23, 0x01, 0x00, 0x00, 0x00,
};

/* ------------------------------------------------------------------------ */
/* 3. End of a DUMP: a bare base header with seq 0.                          */

GOLDEN golden_dump_end[] = {
	/* base: version 2, type DUMP 10, errno 0, satype ESP 3; len 2; reserved 0 */
	0x02, 0x0a, 0x00, 0x03, 0x02, 0x00, 0x00, 0x00,
	/* base: seq 0; pid 4242 */
	0x00, 0x00, 0x00, 0x00, 0x92, 0x10, 0x00, 0x00,
};

/* ------------------------------------------------------------------------ */
/* 4. REGISTER reply: SUPPORTED_AUTH and SUPPORTED_ENCRYPT.                 */

GOLDEN golden_register_reply[] = {
	/* base: version 2, type REGISTER 7, errno 0, satype ESP 3; len 9; reserved 0 */
	0x02, 0x07, 0x00, 0x03, 0x09, 0x00, 0x00, 0x00,
	/* base: seq 3; pid 4242 */
	0x03, 0x00, 0x00, 0x00, 0x92, 0x10, 0x00, 0x00,
	/* SUPPORTED_AUTH: len 3, type 14; reserved 0 */
	0x03, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* alg SHA1HMAC 3, ivlen 0; minbits 160, maxbits 160; increment 0, saltbits 0 */
	0x03, 0x00, 0xa0, 0x00, 0xa0, 0x00, 0x00, 0x00,
	/* alg SHA256HMAC 5, ivlen 0; minbits 256, maxbits 256; increment 0, saltbits 0 */
	0x05, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
	/* SUPPORTED_ENCRYPT: len 4, type 15; reserved 0 */
	0x04, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* alg AES 12, ivlen 128; minbits 128, maxbits 256; increment 64, saltbits 0 */
	0x0c, 0x80, 0x80, 0x00, 0x00, 0x01, 0x40, 0x00,
	/* alg AES_GCM_16 20, ivlen 64; minbits 128, maxbits 256; increment 64,
	 * saltbits 32 */
	0x14, 0x40, 0x80, 0x00, 0x00, 0x01, 0x40, 0x20,
	/* alg CHACHA20_POLY1305 28, ivlen 64; minbits 256, maxbits 256; increment 0,
	 * saltbits 32 */
	0x1c, 0x40, 0x00, 0x01, 0x00, 0x01, 0x00, 0x20,
};

/* ------------------------------------------------------------------------ */
/* 5. EXPIRE (soft): SA, current + soft lifetimes, src, dst.                */

GOLDEN golden_expire_soft[] = {
	/* base: version 2, type EXPIRE 8, errno 0, satype ESP 3; len 18; reserved 0 */
	0x02, 0x08, 0x00, 0x03, 0x12, 0x00, 0x00, 0x00,
	/* base: seq 0; pid 0 (the gateway's own event) */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* SA: len 2, type 1; spi 0x12345678 */
	0x02, 0x00, 0x01, 0x00, 0x12, 0x34, 0x56, 0x78,
	/* SA: replay 32, state DYING 2, auth NONE, encrypt AES_GCM_16 20; flags 0 */
	0x20, 0x02, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00,
	/* LIFETIME_CURRENT: len 4, type 2; allocations 0 */
	0x04, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* bytes 900000512 (0x35a4eb00) */
	0x00, 0xeb, 0xa4, 0x35, 0x00, 0x00, 0x00, 0x00,
	/* addtime 1700000000 (0x6553f100) */
	0x00, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00,
	/* usetime 1700000050 (0x6553f132) */
	0x32, 0xf1, 0x53, 0x65, 0x00, 0x00, 0x00, 0x00,
	/* LIFETIME_SOFT: len 4, type 4; allocations 0 */
	0x04, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* bytes 900000000 (0x35a4e900) */
	0x00, 0xe9, 0xa4, 0x35, 0x00, 0x00, 0x00, 0x00,
	/* addtime 3000 (0xbb8) */
	0xb8, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* usetime 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_SRC: len 3, type 5; proto 0, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 0; 192.0.2.1 */
	0x02, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_DST: len 3, type 6; proto 0, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 0; 198.51.100.2 */
	0x02, 0x00, 0x00, 0x00, 0xc6, 0x33, 0x64, 0x02,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ------------------------------------------------------------------------ */
/* 6. ACQUIRE: src, dst and a PROPOSAL with two sadb_comb.                  */

GOLDEN golden_acquire[] = {
	/* base: version 2, type ACQUIRE 6, errno 0, satype ESP 3; len 27; reserved 0 */
	0x02, 0x06, 0x00, 0x03, 0x1b, 0x00, 0x00, 0x00,
	/* base: seq 42; pid 0 */
	0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_SRC: len 3, type 5; proto TCP 6, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x05, 0x00, 0x06, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 0; 192.0.2.1 */
	0x02, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_DST: len 3, type 6; proto TCP 6, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x06, 0x00, 0x06, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 443 (0x01bb, network order); 198.51.100.2 */
	0x02, 0x00, 0x01, 0xbb, 0xc6, 0x33, 0x64, 0x02,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* PROPOSAL: len 19, type 13; replay 32, ereserved 0, numecombs 0 */
	0x13, 0x00, 0x0d, 0x00, 0x20, 0x00, 0x00, 0x00,
	/* comb 1: auth NONE 0, encrypt AES_GCM_16 20, flags 0; auth bits 0..0 */
	0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* encrypt bits 128..256; reserved 0 */
	0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	/* soft allocations 0; hard allocations 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* soft bytes 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* hard bytes 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* soft addtime 2880 (0xb40) */
	0x40, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* hard addtime 3600 (0xe10) */
	0x10, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* soft usetime 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* hard usetime 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* comb 2: auth SHA256HMAC 5, encrypt AES 12, flags 0; auth bits 256..256 */
	0x05, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
	/* encrypt bits 128..256; reserved 0 */
	0x80, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	/* soft allocations 0; hard allocations 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* soft bytes 1000000 (0xf4240) */
	0x40, 0x42, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* hard bytes 2000000 (0x1e8480) */
	0x80, 0x84, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* soft addtime 2880 */
	0x40, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* hard addtime 3600 */
	0x10, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* soft usetime 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* hard usetime 0 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ------------------------------------------------------------------------ */
/* 7. GETSPI with IPv6 addresses and an SPI range.                          */

GOLDEN golden_getspi_v6[] = {
	/* base: version 2, type GETSPI 1, errno 0, satype ESP 3; len 14; reserved 0 */
	0x02, 0x01, 0x00, 0x03, 0x0e, 0x00, 0x00, 0x00,
	/* base: seq 11; pid 4242 */
	0x0b, 0x00, 0x00, 0x00, 0x92, 0x10, 0x00, 0x00,
	/* ADDRESS_SRC: len 5, type 5; proto 0, prefixlen 0, reserved 0 */
	0x05, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in6: family AF_INET6 10, port 0; flowinfo 0 */
	0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* 2001:db8:: ... */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	/* ... ::1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	/* scope_id 0; padding */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_DST: len 5, type 6; proto 0, prefixlen 128, reserved 0 */
	0x05, 0x00, 0x06, 0x00, 0x00, 0x80, 0x00, 0x00,
	/* sockaddr_in6: family 10, port 0; flowinfo 0 */
	0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* 2001:db8:: ... */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	/* ... ::2 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	/* scope_id 0; padding */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* SPIRANGE: len 2, type 16; min 0x00000100 (network order) */
	0x02, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00,
	/* max 0x0fffffff (network order); reserved 0 */
	0x0f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
};

/* ------------------------------------------------------------------------ */
/* 8. ADD with the dpsec extensions: an outbound ChaCha20-Poly1305 SA with  */
/*    a 1024-packet ESN window (REPLAY_WINDOW) and a SEQ_LEASE.             */

GOLDEN golden_add_dpsec[] = {
	/* base: version 2, type ADD 3, errno 0, satype ESP 3; len 20; reserved 0 */
	0x02, 0x03, 0x00, 0x03, 0x14, 0x00, 0x00, 0x00,
	/* base: seq 2; pid 4242 */
	0x02, 0x00, 0x00, 0x00, 0x92, 0x10, 0x00, 0x00,
	/* SA: len 2, type 1; spi 0x0a0b0c0d */
	0x02, 0x00, 0x01, 0x00, 0x0a, 0x0b, 0x0c, 0x0d,
	/* SA: replay 255, state MATURE 1, auth NONE 0, encrypt CHACHA20_POLY1305 28;
	 * flags X_OUTBOUND 0x8000 */
	0xff, 0x01, 0x00, 0x1c, 0x00, 0x80, 0x00, 0x00,
	/* ADDRESS_SRC: len 3, type 5; proto 0, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 0; 198.51.100.2 */
	0x02, 0x00, 0x00, 0x00, 0xc6, 0x33, 0x64, 0x02,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_DST: len 3, type 6; proto 0, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 0; 192.0.2.1 */
	0x02, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* KEY_ENCRYPT: len 6, type 9; bits 288 (0x120), saltbits 32 */
	0x06, 0x00, 0x09, 0x00, 0x20, 0x01, 0x20, 0x00,
	/* key 0x40..0x47 */
	0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
	/* key 0x48..0x4f */
	0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
	/* key 0x50..0x57 */
	0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57,
	/* key 0x58..0x5f */
	0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
	/* salt de ad be ef; padding */
	0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x00,
	/* X_DPSEC_REPLAY_WINDOW: len 2, type 0x8001; window 1024 (0x400) */
	0x02, 0x00, 0x01, 0x80, 0x00, 0x04, 0x00, 0x00,
	/* flags ESN 0x1; reserved 0 */
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* X_DPSEC_SEQ_LEASE: len 2, type 0x8002; reserved 0 */
	0x02, 0x00, 0x02, 0x80, 0x00, 0x00, 0x00, 0x00,
	/* limit 1048576 (0x100000) */
	0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ------------------------------------------------------------------------ */
/* 9. SPDADD: an outbound tunnel-mode ipsec rule with two alternative SA    */
/*    requirements; the outer selector and the addresses are the tunnel.   */

GOLDEN golden_spdadd[] = {
	/* base: version 2, type X_DPSEC_SPDADD 240, errno 0, satype UNSPEC 0;
	 * len 28; reserved 0 */
	0x02, 0xf0, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00,
	/* base: seq 5; pid 4242 */
	0x05, 0x00, 0x00, 0x00, 0x92, 0x10, 0x00, 0x00,
	/* X_DPSEC_POLICY: len 2, type 0x8010; index 0 (assigned by the gateway) */
	0x02, 0x00, 0x10, 0x80, 0x00, 0x00, 0x00, 0x00,
	/* priority 100; dir OUT 2, action IPSEC 3, mode TUNNEL 2, flags 0 */
	0x64, 0x00, 0x00, 0x00, 0x02, 0x03, 0x02, 0x00,
	/* X_DPSEC_SELECTOR: len 7, type 0x8011; family AF_INET 2, proto 0,
	 * src prefix 32, dst prefix 32 */
	0x07, 0x00, 0x11, 0x80, 0x02, 0x00, 0x20, 0x20,
	/* sport 0..65535, dport 0..65535 */
	0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff,
	/* icmp type 0..255, code 0..255; reserved 0 */
	0x00, 0xff, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00,
	/* src 192.0.2.1 ... */
	0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00,
	/* ... rest of src zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* dst 198.51.100.2 ... */
	0xc6, 0x33, 0x64, 0x02, 0x00, 0x00, 0x00, 0x00,
	/* ... rest of dst zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* X_DPSEC_INNER_SELECTOR: len 7, type 0x8012; family 2, proto TCP 6,
	 * src prefix 16, dst prefix 16 */
	0x07, 0x00, 0x12, 0x80, 0x02, 0x06, 0x10, 0x10,
	/* sport 0..65535, dport 443..443 (0x1bb, host order) */
	0x00, 0x00, 0xff, 0xff, 0xbb, 0x01, 0xbb, 0x01,
	/* icmp type 0..255, code 0..255; reserved 0 */
	0x00, 0xff, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00,
	/* src 10.1.0.0 ... */
	0x0a, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ... */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* dst 10.2.0.0 ... */
	0x0a, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ... */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* X_DPSEC_SAREQ: len 2, type 0x8013; satype ESP 3, auth NONE 0,
	 * encrypt AES_GCM_16 20, reserved 0 */
	0x02, 0x00, 0x13, 0x80, 0x03, 0x00, 0x14, 0x00,
	/* auth bits 0..0; encrypt bits 128..256 */
	0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x01,
	/* X_DPSEC_SAREQ: len 2, type 0x8013; satype ESP 3, auth SHA256HMAC 5,
	 * encrypt AES 12, reserved 0 */
	0x02, 0x00, 0x13, 0x80, 0x03, 0x05, 0x0c, 0x00,
	/* auth bits 256..256; encrypt bits 128..256 */
	0x00, 0x01, 0x00, 0x01, 0x80, 0x00, 0x00, 0x01,
	/* ADDRESS_SRC (tunnel): len 3, type 5; proto 0, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 0; 192.0.2.1 */
	0x02, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x01,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* ADDRESS_DST (tunnel): len 3, type 6; proto 0, prefixlen 0, reserved 0 */
	0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* sockaddr_in: family 2, port 0; 198.51.100.2 */
	0x02, 0x00, 0x00, 0x00, 0xc6, 0x33, 0x64, 0x02,
	/* sin_zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* ------------------------------------------------------------------------ */
/* 10. The error reply to vector 1: its base header, errno EINVAL 22,       */
/*     diagnostic BAD_EKEYBITS 45, len 2, no extensions.                    */

GOLDEN golden_add_error[] = {
	/* base: version 2, type ADD 3, errno 22, satype ESP 3; len 2;
	 * diagnostic 45 */
	0x02, 0x03, 0x16, 0x03, 0x02, 0x00, 0x2d, 0x00,
	/* base: seq 1; pid 4242 */
	0x01, 0x00, 0x00, 0x00, 0x92, 0x10, 0x00, 0x00,
};

/* ======================================================================== */
/* The values the bytes above encode, used both to check the decoded view  */
/* and to drive the builder.                                                */

struct sa_vals {
	uint32_t spi; /* host order value; network order on the wire */
	uint8_t replay, state, auth, encrypt;
	uint32_t flags;
};

struct lt_vals {
	uint16_t exttype;
	uint32_t allocations;
	uint64_t bytes, addtime, usetime;
};

struct addr_vals {
	uint16_t exttype;
	uint8_t proto, prefixlen;
	int family;
	uint16_t port;  /* host order value */
	uint8_t addr[16];
};

struct key_vals {
	uint16_t exttype;
	uint16_t bits, saltbits;
	uint8_t key[40];
};

static void check_sa(const struct sadb_sa *sa, const struct sa_vals *v)
{
	assert_non_null(sa);
	assert_int_equal(sa->sadb_sa_len, 2);
	assert_int_equal(sa->sadb_sa_exttype, SADB_EXT_SA);
	assert_int_equal(ntohl(sa->sadb_sa_spi), v->spi);
	assert_int_equal(sa->sadb_sa_replay, v->replay);
	assert_int_equal(sa->sadb_sa_state, v->state);
	assert_int_equal(sa->sadb_sa_auth, v->auth);
	assert_int_equal(sa->sadb_sa_encrypt, v->encrypt);
	assert_int_equal(sa->sadb_sa_flags, v->flags);
}

static void build_sa(struct pfk_builder *b, const struct sa_vals *v)
{
	assert_int_equal(pfk_add_sa(b, htonl(v->spi), v->replay, v->state, v->auth,
				    v->encrypt, v->flags), 0);
}

static void check_lifetime(const struct sadb_lifetime *lt, const struct lt_vals *v)
{
	assert_non_null(lt);
	assert_int_equal(lt->sadb_lifetime_len, 4);
	assert_int_equal(lt->sadb_lifetime_exttype, v->exttype);
	assert_int_equal(lt->sadb_lifetime_allocations, v->allocations);
	assert_int_equal(lt->sadb_lifetime_bytes, v->bytes);
	assert_int_equal(lt->sadb_lifetime_addtime, v->addtime);
	assert_int_equal(lt->sadb_lifetime_usetime, v->usetime);
}

static void build_lifetime(struct pfk_builder *b, const struct lt_vals *v)
{
	assert_int_equal(pfk_add_lifetime(b, v->exttype, v->allocations, v->bytes, v->addtime,
					  v->usetime), 0);
}

static void check_address(const struct sadb_address *a, const struct addr_vals *v)
{
	const struct sockaddr *sa;

	assert_non_null(a);
	assert_int_equal(a->sadb_address_exttype, v->exttype);
	assert_int_equal(a->sadb_address_proto, v->proto);
	assert_int_equal(a->sadb_address_prefixlen, v->prefixlen);
	assert_int_equal(a->sadb_address_reserved, 0);
	sa = pfk_addr_sockaddr(a);
	assert_int_equal(sa->sa_family, v->family);
	if (v->family == AF_INET) {
		struct sockaddr_in sin;

		assert_int_equal(a->sadb_address_len, 3);
		memcpy(&sin, sa, sizeof(sin));
		assert_int_equal(ntohs(sin.sin_port), v->port);
		assert_memory_equal(&sin.sin_addr, v->addr, 4);
	} else {
		struct sockaddr_in6 sin6;

		assert_int_equal(a->sadb_address_len, 5);
		memcpy(&sin6, sa, sizeof(sin6));
		assert_int_equal(ntohs(sin6.sin6_port), v->port);
		assert_int_equal(sin6.sin6_flowinfo, 0);
		assert_int_equal(sin6.sin6_scope_id, 0);
		assert_memory_equal(&sin6.sin6_addr, v->addr, 16);
	}
}

static void build_address(struct pfk_builder *b, const struct addr_vals *v)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *sa;

	if (v->family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(v->port);
		memcpy(&sin.sin_addr, v->addr, 4);
		sa = (const struct sockaddr *)&sin;
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(v->port);
		memcpy(&sin6.sin6_addr, v->addr, 16);
		sa = (const struct sockaddr *)&sin6;
	}
	assert_int_equal(pfk_add_address(b, v->exttype, sa, v->proto, v->prefixlen), 0);
}

static void check_key(const struct sadb_key *k, const struct key_vals *v)
{
	const size_t n = (v->bits + 7u) / 8u;

	assert_non_null(k);
	assert_int_equal(k->sadb_key_exttype, v->exttype);
	assert_int_equal(k->sadb_key_len, (8u + n + 7u) / 8u);
	assert_int_equal(k->sadb_key_bits, v->bits);
	assert_int_equal(k->sadb_x_key_saltbits, v->saltbits);
	assert_memory_equal(pfk_key_data(k), v->key, n);
}

static void build_key(struct pfk_builder *b, const struct key_vals *v)
{
	assert_int_equal(pfk_add_key(b, v->exttype, v->key, v->bits, v->saltbits), 0);
}

#define V4(a, b, c, d) { a, b, c, d }
#define ADDR_192_0_2_1 V4(192, 0, 2, 1)
#define ADDR_198_51_100_2 V4(198, 51, 100, 2)

/* --- 1. ADD, AES-GCM-16 -------------------------------------------------- */

static const struct sa_vals add_gcm_sa = { 0x12345678, 32, SADB_SASTATE_MATURE,
	SADB_AALG_NONE, SADB_EALG_AES_GCM_16, 0 };
static const struct lt_vals add_gcm_hard = { SADB_EXT_LIFETIME_HARD, 0, 1000000000, 3600, 0 };
static const struct lt_vals add_gcm_soft = { SADB_EXT_LIFETIME_SOFT, 0, 900000000, 3000, 0 };
static const struct addr_vals add_gcm_src = { SADB_EXT_ADDRESS_SRC, 0, 0, AF_INET, 0,
	ADDR_192_0_2_1 };
static const struct addr_vals add_gcm_dst = { SADB_EXT_ADDRESS_DST, 0, 0, AF_INET, 0,
	ADDR_198_51_100_2 };
static const struct key_vals add_gcm_ekey = { SADB_EXT_KEY_ENCRYPT, 160, 32, {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0xca, 0xfe, 0xba, 0xbe } };

static void check_add_gcm(const struct pfk_msg *m)
{
	check_sa(m->sa, &add_gcm_sa);
	check_lifetime(m->lt_hard, &add_gcm_hard);
	check_lifetime(m->lt_soft, &add_gcm_soft);
	check_address(m->src, &add_gcm_src);
	check_address(m->dst, &add_gcm_dst);
	check_key(m->ekey, &add_gcm_ekey);
	assert_null(m->akey);
	assert_null(m->lt_current);
}

static void build_add_gcm(struct pfk_builder *b)
{
	build_sa(b, &add_gcm_sa);
	build_lifetime(b, &add_gcm_hard);
	build_lifetime(b, &add_gcm_soft);
	build_address(b, &add_gcm_src);
	build_address(b, &add_gcm_dst);
	build_key(b, &add_gcm_ekey);
}

/* --- 2. GET reply ------------------------------------------------------- */

static const struct sa_vals get_sa = { 0xc0ffee01, 64, SADB_SASTATE_MATURE,
	SADB_AALG_SHA256HMAC, SADB_EALG_AES_CBC, SADB_X_SAFLAGS_INBOUND };
static const struct lt_vals get_current = { SADB_EXT_LIFETIME_CURRENT, 0, 123456,
	1700000000, 1700000100 };
static const struct lt_vals get_hard = { SADB_EXT_LIFETIME_HARD, 0, 0, 28800, 0 };
static const struct addr_vals get_src = { SADB_EXT_ADDRESS_SRC, 0, 0, AF_INET, 0,
	V4(203, 0, 113, 5) };
static const struct addr_vals get_dst = { SADB_EXT_ADDRESS_DST, 0, 0, AF_INET, 0,
	V4(203, 0, 113, 9) };
static const struct key_vals get_akey = { SADB_EXT_KEY_AUTH, 256, 0, {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
	0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf } };
static const struct key_vals get_ekey = { SADB_EXT_KEY_ENCRYPT, 128, 0, {
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
	0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf } };
#define GET_REPLAY 0x0000000123456789ull

static void check_get_reply(const struct pfk_msg *m)
{
	check_sa(m->sa, &get_sa);
	check_lifetime(m->lt_current, &get_current);
	check_lifetime(m->lt_hard, &get_hard);
	check_address(m->src, &get_src);
	check_address(m->dst, &get_dst);
	check_key(m->akey, &get_akey);
	check_key(m->ekey, &get_ekey);
	assert_non_null(m->replay_value);
	assert_int_equal(m->replay_value->sadb_x_rc_len, 2);
	assert_int_equal(m->replay_value->sadb_x_rc_replay32, 0x23456789u);
	assert_int_equal(m->replay_value->sadb_x_rc_replay64, GET_REPLAY);
	assert_int_equal(pfk_replay_value(m->replay_value), GET_REPLAY);
	/* No REPLAY_WINDOW extension: the SA's own field counts. */
	assert_int_equal(pfk_replay_window(m), 64);
}

static void build_get_reply(struct pfk_builder *b)
{
	build_sa(b, &get_sa);
	build_lifetime(b, &get_current);
	build_lifetime(b, &get_hard);
	build_address(b, &get_src);
	build_address(b, &get_dst);
	build_key(b, &get_akey);
	build_key(b, &get_ekey);
	assert_int_equal(pfk_add_replay_value(b, GET_REPLAY), 0);
}

/* --- 3. DUMP end -------------------------------------------------------- */

static void check_dump_end(const struct pfk_msg *m)
{
	assert_int_equal(m->present, 0);
	assert_null(m->sa);
}

static void build_nothing(struct pfk_builder *b)
{
	(void)b;
}

/* --- 4. REGISTER reply -------------------------------------------------- */

static const struct sadb_alg reg_auth[] = {
	{ .sadb_alg_id = SADB_AALG_SHA1HMAC, .sadb_alg_ivlen = 0,
	  .sadb_alg_minbits = 160, .sadb_alg_maxbits = 160 },
	{ .sadb_alg_id = SADB_AALG_SHA256HMAC, .sadb_alg_ivlen = 0,
	  .sadb_alg_minbits = 256, .sadb_alg_maxbits = 256 },
};
static const struct sadb_alg reg_encrypt[] = {
	{ .sadb_alg_id = SADB_EALG_AES_CBC, .sadb_alg_ivlen = 128, .sadb_alg_minbits = 128,
	  .sadb_alg_maxbits = 256, .sadb_x_alg_increment = 64, .sadb_x_alg_saltbits = 0 },
	{ .sadb_alg_id = SADB_EALG_AES_GCM_16, .sadb_alg_ivlen = 64, .sadb_alg_minbits = 128,
	  .sadb_alg_maxbits = 256, .sadb_x_alg_increment = 64, .sadb_x_alg_saltbits = 32 },
	{ .sadb_alg_id = SADB_X_EALG_CHACHA20_POLY1305, .sadb_alg_ivlen = 64,
	  .sadb_alg_minbits = 256, .sadb_alg_maxbits = 256, .sadb_x_alg_increment = 0,
	  .sadb_x_alg_saltbits = 32 },
};

/* The algorithm records that follow a SUPPORTED extension's header. */
static void check_supported(const struct sadb_ext *e, uint16_t exttype,
			    const struct sadb_alg *want, size_t n)
{
	const struct sadb_alg *got;

	assert_non_null(e);
	assert_int_equal(e->sadb_ext_type, exttype);
	assert_int_equal(e->sadb_ext_len, 1 + n);
	assert_int_equal(((const struct sadb_supported *)(const void *)e)->sadb_supported_reserved,
			 0);
	got = (const struct sadb_alg *)(const void *)((const uint8_t *)e +
						       sizeof(struct sadb_supported));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(got[i].sadb_alg_id, want[i].sadb_alg_id);
		assert_int_equal(got[i].sadb_alg_ivlen, want[i].sadb_alg_ivlen);
		assert_int_equal(got[i].sadb_alg_minbits, want[i].sadb_alg_minbits);
		assert_int_equal(got[i].sadb_alg_maxbits, want[i].sadb_alg_maxbits);
		assert_int_equal(got[i].sadb_x_alg_increment, want[i].sadb_x_alg_increment);
		assert_int_equal(got[i].sadb_x_alg_saltbits, want[i].sadb_x_alg_saltbits);
	}
}

static void check_register_reply(const struct pfk_msg *m)
{
	check_supported(m->ext[pfk_ext_slot(SADB_EXT_SUPPORTED_AUTH)], SADB_EXT_SUPPORTED_AUTH,
			reg_auth, ARRAY_SIZE(reg_auth));
	check_supported(m->ext[pfk_ext_slot(SADB_EXT_SUPPORTED_ENCRYPT)],
			SADB_EXT_SUPPORTED_ENCRYPT, reg_encrypt, ARRAY_SIZE(reg_encrypt));
}

static void build_register_reply(struct pfk_builder *b)
{
	assert_int_equal(pfk_add_supported(b, SADB_EXT_SUPPORTED_AUTH, reg_auth,
					   ARRAY_SIZE(reg_auth)), 0);
	assert_int_equal(pfk_add_supported(b, SADB_EXT_SUPPORTED_ENCRYPT, reg_encrypt,
					   ARRAY_SIZE(reg_encrypt)), 0);
}

/* --- 5. EXPIRE (soft) --------------------------------------------------- */

static const struct sa_vals expire_sa = { 0x12345678, 32, SADB_SASTATE_DYING,
	SADB_AALG_NONE, SADB_EALG_AES_GCM_16, 0 };
static const struct lt_vals expire_current = { SADB_EXT_LIFETIME_CURRENT, 0, 900000512,
	1700000000, 1700000050 };

static void check_expire_soft(const struct pfk_msg *m)
{
	check_sa(m->sa, &expire_sa);
	check_lifetime(m->lt_current, &expire_current);
	check_lifetime(m->lt_soft, &add_gcm_soft);
	assert_null(m->lt_hard);
	check_address(m->src, &add_gcm_src);
	check_address(m->dst, &add_gcm_dst);
}

static void build_expire_soft(struct pfk_builder *b)
{
	build_sa(b, &expire_sa);
	build_lifetime(b, &expire_current);
	build_lifetime(b, &add_gcm_soft);
	build_address(b, &add_gcm_src);
	build_address(b, &add_gcm_dst);
}

/* --- 6. ACQUIRE --------------------------------------------------------- */

static const struct addr_vals acq_src = { SADB_EXT_ADDRESS_SRC, IPPROTO_TCP, 0, AF_INET, 0,
	ADDR_192_0_2_1 };
static const struct addr_vals acq_dst = { SADB_EXT_ADDRESS_DST, IPPROTO_TCP, 0, AF_INET, 443,
	ADDR_198_51_100_2 };
static const struct sadb_comb acq_combs[] = {
	{ .sadb_comb_auth = SADB_AALG_NONE, .sadb_comb_encrypt = SADB_EALG_AES_GCM_16,
	  .sadb_comb_encrypt_minbits = 128, .sadb_comb_encrypt_maxbits = 256,
	  .sadb_comb_soft_addtime = 2880, .sadb_comb_hard_addtime = 3600 },
	{ .sadb_comb_auth = SADB_AALG_SHA256HMAC, .sadb_comb_encrypt = SADB_EALG_AES_CBC,
	  .sadb_comb_auth_minbits = 256, .sadb_comb_auth_maxbits = 256,
	  .sadb_comb_encrypt_minbits = 128, .sadb_comb_encrypt_maxbits = 256,
	  .sadb_comb_soft_bytes = 1000000, .sadb_comb_hard_bytes = 2000000,
	  .sadb_comb_soft_addtime = 2880, .sadb_comb_hard_addtime = 3600 },
};
#define ACQ_REPLAY 32

static void check_acquire(const struct pfk_msg *m)
{
	const struct sadb_prop *p =
		(const void *)m->ext[pfk_ext_slot(SADB_EXT_PROPOSAL)];
	const struct sadb_comb *c;

	check_address(m->src, &acq_src);
	check_address(m->dst, &acq_dst);
	assert_non_null(p);
	assert_int_equal(p->sadb_prop_len, 1 + 9 * ARRAY_SIZE(acq_combs));
	assert_int_equal(p->sadb_prop_replay, ACQ_REPLAY);
	assert_int_equal(p->sadb_x_prop_numecombs, 0);
	c = (const struct sadb_comb *)(const void *)(p + 1);
	for (size_t i = 0; i < ARRAY_SIZE(acq_combs); i++) {
		const struct sadb_comb *w = &acq_combs[i];

		assert_int_equal(c[i].sadb_comb_auth, w->sadb_comb_auth);
		assert_int_equal(c[i].sadb_comb_encrypt, w->sadb_comb_encrypt);
		assert_int_equal(c[i].sadb_comb_flags, w->sadb_comb_flags);
		assert_int_equal(c[i].sadb_comb_auth_minbits, w->sadb_comb_auth_minbits);
		assert_int_equal(c[i].sadb_comb_auth_maxbits, w->sadb_comb_auth_maxbits);
		assert_int_equal(c[i].sadb_comb_encrypt_minbits, w->sadb_comb_encrypt_minbits);
		assert_int_equal(c[i].sadb_comb_encrypt_maxbits, w->sadb_comb_encrypt_maxbits);
		assert_int_equal(c[i].sadb_comb_soft_allocations, 0);
		assert_int_equal(c[i].sadb_comb_hard_allocations, 0);
		assert_int_equal(c[i].sadb_comb_soft_bytes, w->sadb_comb_soft_bytes);
		assert_int_equal(c[i].sadb_comb_hard_bytes, w->sadb_comb_hard_bytes);
		assert_int_equal(c[i].sadb_comb_soft_addtime, w->sadb_comb_soft_addtime);
		assert_int_equal(c[i].sadb_comb_hard_addtime, w->sadb_comb_hard_addtime);
		assert_int_equal(c[i].sadb_comb_soft_usetime, 0);
		assert_int_equal(c[i].sadb_comb_hard_usetime, 0);
	}
}

static void build_acquire(struct pfk_builder *b)
{
	build_address(b, &acq_src);
	build_address(b, &acq_dst);
	assert_int_equal(pfk_add_proposal(b, ACQ_REPLAY, acq_combs, ARRAY_SIZE(acq_combs)), 0);
}

/* --- 7. GETSPI, IPv6 ---------------------------------------------------- */

static const struct addr_vals getspi_src = { SADB_EXT_ADDRESS_SRC, 0, 0, AF_INET6, 0,
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 } };
static const struct addr_vals getspi_dst = { SADB_EXT_ADDRESS_DST, 0, 128, AF_INET6, 0,
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 0x02 } };
#define GETSPI_MIN 0x00000100u
#define GETSPI_MAX 0x0fffffffu

static void check_getspi_v6(const struct pfk_msg *m)
{
	check_address(m->src, &getspi_src);
	check_address(m->dst, &getspi_dst);
	assert_non_null(m->spirange);
	assert_int_equal(m->spirange->sadb_spirange_len, 2);
	assert_int_equal(ntohl(m->spirange->sadb_spirange_min), GETSPI_MIN);
	assert_int_equal(ntohl(m->spirange->sadb_spirange_max), GETSPI_MAX);
	assert_int_equal(m->spirange->sadb_spirange_reserved, 0);
	assert_null(m->sa);
}

static void build_getspi_v6(struct pfk_builder *b)
{
	build_address(b, &getspi_src);
	build_address(b, &getspi_dst);
	assert_int_equal(pfk_add_spirange(b, htonl(GETSPI_MIN), htonl(GETSPI_MAX)), 0);
}

/* --- 8. ADD with REPLAY_WINDOW and SEQ_LEASE --------------------------- */

static const struct sa_vals dpsec_sa = { 0x0a0b0c0d, 255, SADB_SASTATE_MATURE,
	SADB_AALG_NONE, SADB_X_EALG_CHACHA20_POLY1305, SADB_X_SAFLAGS_OUTBOUND };
static const struct addr_vals dpsec_src = { SADB_EXT_ADDRESS_SRC, 0, 0, AF_INET, 0,
	ADDR_198_51_100_2 };
static const struct addr_vals dpsec_dst = { SADB_EXT_ADDRESS_DST, 0, 0, AF_INET, 0,
	ADDR_192_0_2_1 };
static const struct key_vals dpsec_ekey = { SADB_EXT_KEY_ENCRYPT, 288, 32, {
	0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
	0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
	0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57,
	0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
	0xde, 0xad, 0xbe, 0xef } };
#define DPSEC_WINDOW 1024u
#define DPSEC_LEASE 1048576ull

static void check_add_dpsec(const struct pfk_msg *m)
{
	check_sa(m->sa, &dpsec_sa);
	check_address(m->src, &dpsec_src);
	check_address(m->dst, &dpsec_dst);
	check_key(m->ekey, &dpsec_ekey);
	assert_non_null(m->replay_window);
	assert_int_equal(m->replay_window->sadb_x_rw_len, 2);
	assert_int_equal(m->replay_window->sadb_x_rw_exttype, SADB_X_EXT_DPSEC_REPLAY_WINDOW);
	assert_int_equal(m->replay_window->sadb_x_rw_window, DPSEC_WINDOW);
	assert_int_equal(m->replay_window->sadb_x_rw_flags, SADB_X_DPSEC_RW_ESN);
	assert_int_equal(m->replay_window->sadb_x_rw_reserved, 0);
	/* The extension overrides the 8-bit field. */
	assert_int_equal(pfk_replay_window(m), DPSEC_WINDOW);
	assert_non_null(m->seq_lease);
	assert_int_equal(m->seq_lease->sadb_x_sl_len, 2);
	assert_int_equal(m->seq_lease->sadb_x_sl_exttype, SADB_X_EXT_DPSEC_SEQ_LEASE);
	assert_int_equal(m->seq_lease->sadb_x_sl_reserved, 0);
	assert_int_equal(m->seq_lease->sadb_x_sl_limit, DPSEC_LEASE);
}

static void build_add_dpsec(struct pfk_builder *b)
{
	build_sa(b, &dpsec_sa);
	build_address(b, &dpsec_src);
	build_address(b, &dpsec_dst);
	build_key(b, &dpsec_ekey);
	assert_int_equal(pfk_add_replay_window(b, DPSEC_WINDOW, SADB_X_DPSEC_RW_ESN), 0);
	assert_int_equal(pfk_add_seq_lease(b, DPSEC_LEASE), 0);
}

/* --- 9. SPDADD ---------------------------------------------------------- */

static const struct sadb_x_dpsec_policy spd_policy = {
	.sadb_x_pol_index = 0, .sadb_x_pol_priority = 100,
	.sadb_x_pol_dir = SADB_X_DPSEC_DIR_OUT, .sadb_x_pol_action = SADB_X_DPSEC_ACTION_IPSEC,
	.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TUNNEL, .sadb_x_pol_flags = 0,
};
static const struct sadb_x_dpsec_selector spd_outer = {
	.sadb_x_sel_family = AF_INET, .sadb_x_sel_proto = 0,
	.sadb_x_sel_src_prefixlen = 32, .sadb_x_sel_dst_prefixlen = 32,
	.sadb_x_sel_sport_min = 0, .sadb_x_sel_sport_max = 65535,
	.sadb_x_sel_dport_min = 0, .sadb_x_sel_dport_max = 65535,
	.sadb_x_sel_icmp_type_min = 0, .sadb_x_sel_icmp_type_max = 255,
	.sadb_x_sel_icmp_code_min = 0, .sadb_x_sel_icmp_code_max = 255,
	.sadb_x_sel_src = ADDR_192_0_2_1, .sadb_x_sel_dst = ADDR_198_51_100_2,
};
static const struct sadb_x_dpsec_selector spd_inner = {
	.sadb_x_sel_family = AF_INET, .sadb_x_sel_proto = IPPROTO_TCP,
	.sadb_x_sel_src_prefixlen = 16, .sadb_x_sel_dst_prefixlen = 16,
	.sadb_x_sel_sport_min = 0, .sadb_x_sel_sport_max = 65535,
	.sadb_x_sel_dport_min = 443, .sadb_x_sel_dport_max = 443,
	.sadb_x_sel_icmp_type_min = 0, .sadb_x_sel_icmp_type_max = 255,
	.sadb_x_sel_icmp_code_min = 0, .sadb_x_sel_icmp_code_max = 255,
	.sadb_x_sel_src = V4(10, 1, 0, 0), .sadb_x_sel_dst = V4(10, 2, 0, 0),
};
static const struct sadb_x_dpsec_sareq spd_reqs[] = {
	{ .sadb_x_req_satype = SADB_SATYPE_ESP, .sadb_x_req_auth = SADB_AALG_NONE,
	  .sadb_x_req_encrypt = SADB_EALG_AES_GCM_16,
	  .sadb_x_req_encrypt_minbits = 128, .sadb_x_req_encrypt_maxbits = 256 },
	{ .sadb_x_req_satype = SADB_SATYPE_ESP, .sadb_x_req_auth = SADB_AALG_SHA256HMAC,
	  .sadb_x_req_encrypt = SADB_EALG_AES_CBC,
	  .sadb_x_req_auth_minbits = 256, .sadb_x_req_auth_maxbits = 256,
	  .sadb_x_req_encrypt_minbits = 128, .sadb_x_req_encrypt_maxbits = 256 },
};

/* Compare everything after the 4-byte extension header. */
static void check_body(const void *got, const void *want, size_t size, uint16_t exttype)
{
	const struct sadb_ext *e = got;

	assert_non_null(got);
	assert_int_equal(e->sadb_ext_len, size / 8);
	assert_int_equal(e->sadb_ext_type, exttype);
	assert_memory_equal((const uint8_t *)got + 4, (const uint8_t *)want + 4, size - 4);
}

static void check_spdadd(const struct pfk_msg *m)
{
	const struct sadb_x_dpsec_sareq *r;
	size_t i = 0;

	check_body(m->policy, &spd_policy, sizeof(spd_policy), SADB_X_EXT_DPSEC_POLICY);
	assert_int_equal(m->policy->sadb_x_pol_priority, 100);
	assert_int_equal(m->policy->sadb_x_pol_dir, SADB_X_DPSEC_DIR_OUT);
	assert_int_equal(m->policy->sadb_x_pol_action, SADB_X_DPSEC_ACTION_IPSEC);
	assert_int_equal(m->policy->sadb_x_pol_mode, SADB_X_DPSEC_MODE_TUNNEL);
	check_body(m->selector, &spd_outer, sizeof(spd_outer), SADB_X_EXT_DPSEC_SELECTOR);
	check_body(m->inner_selector, &spd_inner, sizeof(spd_inner),
		   SADB_X_EXT_DPSEC_INNER_SELECTOR);
	assert_int_equal(m->inner_selector->sadb_x_sel_dport_min, 443);
	assert_int_equal(m->inner_selector->sadb_x_sel_proto, IPPROTO_TCP);
	assert_int_equal(m->sareq_count, ARRAY_SIZE(spd_reqs));
	for (r = pfk_next_sareq(m, NULL); r != NULL; r = pfk_next_sareq(m, r)) {
		assert_true(i < ARRAY_SIZE(spd_reqs));
		check_body(r, &spd_reqs[i], sizeof(spd_reqs[i]), SADB_X_EXT_DPSEC_SAREQ);
		i++;
	}
	assert_int_equal(i, ARRAY_SIZE(spd_reqs));
	assert_ptr_equal(m->sareq, pfk_next_sareq(m, NULL));
	check_address(m->src, &add_gcm_src);
	check_address(m->dst, &add_gcm_dst);
}

static void build_spdadd(struct pfk_builder *b)
{
	assert_int_equal(pfk_add_policy(b, &spd_policy), 0);
	assert_int_equal(pfk_add_selector(b, SADB_X_EXT_DPSEC_SELECTOR, &spd_outer), 0);
	assert_int_equal(pfk_add_selector(b, SADB_X_EXT_DPSEC_INNER_SELECTOR, &spd_inner), 0);
	for (size_t i = 0; i < ARRAY_SIZE(spd_reqs); i++)
		assert_int_equal(pfk_add_sareq(b, &spd_reqs[i]), 0);
	build_address(b, &add_gcm_src);
	build_address(b, &add_gcm_dst);
}

/* ======================================================================== */

struct golden_vec {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	enum pfk_dir dir;
	/* base header */
	uint8_t type, satype;
	uint32_t seq, pid;
	/* extension types present, in wire order (0-terminated) */
	uint16_t exts[12];
	void (*check)(const struct pfk_msg *m);
	void (*build)(struct pfk_builder *b);
};

#define VEC(v) (v), sizeof(v)

static const struct golden_vec vectors[] = {
	{ "add_gcm", VEC(golden_add_gcm), PFK_DIR_REQUEST, SADB_ADD, SADB_SATYPE_ESP, 1, PID,
	  { SADB_EXT_SA, SADB_EXT_LIFETIME_HARD, SADB_EXT_LIFETIME_SOFT, SADB_EXT_ADDRESS_SRC,
	    SADB_EXT_ADDRESS_DST, SADB_EXT_KEY_ENCRYPT },
	  check_add_gcm, build_add_gcm },
	{ "get_reply", VEC(golden_get_reply), PFK_DIR_REPLY, SADB_GET, SADB_SATYPE_ESP, 7, PID,
	  { SADB_EXT_SA, SADB_EXT_LIFETIME_CURRENT, SADB_EXT_LIFETIME_HARD, SADB_EXT_ADDRESS_SRC,
	    SADB_EXT_ADDRESS_DST, SADB_EXT_KEY_AUTH, SADB_EXT_KEY_ENCRYPT,
	    SADB_X_EXT_REPLAY_VALUE },
	  check_get_reply, build_get_reply },
	{ "dump_end", VEC(golden_dump_end), PFK_DIR_REPLY, SADB_DUMP, SADB_SATYPE_ESP, 0, PID,
	  { 0 }, check_dump_end, build_nothing },
	{ "register_reply", VEC(golden_register_reply), PFK_DIR_REPLY, SADB_REGISTER,
	  SADB_SATYPE_ESP, 3, PID,
	  { SADB_EXT_SUPPORTED_AUTH, SADB_EXT_SUPPORTED_ENCRYPT },
	  check_register_reply, build_register_reply },
	{ "expire_soft", VEC(golden_expire_soft), PFK_DIR_REPLY, SADB_EXPIRE, SADB_SATYPE_ESP,
	  0, 0,
	  { SADB_EXT_SA, SADB_EXT_LIFETIME_CURRENT, SADB_EXT_LIFETIME_SOFT, SADB_EXT_ADDRESS_SRC,
	    SADB_EXT_ADDRESS_DST },
	  check_expire_soft, build_expire_soft },
	{ "acquire", VEC(golden_acquire), PFK_DIR_REPLY, SADB_ACQUIRE, SADB_SATYPE_ESP, 42, 0,
	  { SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST, SADB_EXT_PROPOSAL },
	  check_acquire, build_acquire },
	{ "getspi_v6", VEC(golden_getspi_v6), PFK_DIR_REQUEST, SADB_GETSPI, SADB_SATYPE_ESP, 11,
	  PID, { SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST, SADB_EXT_SPIRANGE },
	  check_getspi_v6, build_getspi_v6 },
	{ "add_dpsec", VEC(golden_add_dpsec), PFK_DIR_REQUEST, SADB_ADD, SADB_SATYPE_ESP, 2, PID,
	  { SADB_EXT_SA, SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST, SADB_EXT_KEY_ENCRYPT,
	    SADB_X_EXT_DPSEC_REPLAY_WINDOW, SADB_X_EXT_DPSEC_SEQ_LEASE },
	  check_add_dpsec, build_add_dpsec },
	{ "spdadd", VEC(golden_spdadd), PFK_DIR_REQUEST, SADB_X_DPSEC_SPDADD, SADB_SATYPE_UNSPEC,
	  5, PID,
	  { SADB_X_EXT_DPSEC_POLICY, SADB_X_EXT_DPSEC_SELECTOR, SADB_X_EXT_DPSEC_INNER_SELECTOR,
	    SADB_X_EXT_DPSEC_SAREQ, SADB_X_EXT_DPSEC_SAREQ, SADB_EXT_ADDRESS_SRC,
	    SADB_EXT_ADDRESS_DST },
	  check_spdadd, build_spdadd },
};

static bool little_endian(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 1;
}

/* Where the first difference is, to make a mismatch readable. */
static void assert_same_bytes(const char *name, const void *got, size_t got_len,
			      const void *want, size_t want_len)
{
	const uint8_t *g = got, *w = want;

	if (got_len == want_len && memcmp(got, want, want_len) == 0)
		return;
	for (size_t i = 0; i < got_len && i < want_len; i++) {
		if (g[i] != w[i]) {
			print_error("%s: byte %zu (word %zu): got 0x%02x, want 0x%02x\n", name,
				    i, i / 8, g[i], w[i]);
			break;
		}
	}
	print_error("%s: got %zu bytes, want %zu\n", name, got_len, want_len);
	fail();
}

/* Copy into an aligned buffer of exactly the vector's size. */
static void *aligned_copy(const struct golden_vec *v)
{
	void *p = malloc(v->len);

	assert_non_null(p);
	memcpy(p, v->bytes, v->len);
	return p;
}

/* 1. The golden bytes validate, and decode to the values above. */
static void test_decode(void **state)
{
	(void)state;
	if (!little_endian())
		skip();
	for (size_t i = 0; i < ARRAY_SIZE(vectors); i++) {
		const struct golden_vec *v = &vectors[i];
		void *buf = aligned_copy(v);
		struct pfk_msg m;
		uint16_t diag = 0xffff;
		uint64_t want_present = 0;
		int rc;

		assert_int_equal(v->len % 8, 0);
		rc = pfk_validate(buf, v->len, v->dir, &m, &diag);
		if (rc != 0)
			print_error("%s: pfk_validate %d, diagnostic %u (%s)\n", v->name, rc,
				    diag, pfk_diag_name(diag) ? pfk_diag_name(diag) : "?");
		assert_int_equal(rc, 0);

		assert_ptr_equal(m.hdr, buf);
		assert_int_equal(m.len, v->len);
		assert_int_equal(m.hdr->sadb_msg_version, PF_KEY_V2);
		assert_int_equal(m.hdr->sadb_msg_type, v->type);
		assert_int_equal(m.hdr->sadb_msg_errno, 0);
		assert_int_equal(m.hdr->sadb_msg_satype, v->satype);
		assert_int_equal(m.hdr->sadb_msg_len, v->len / 8);
		assert_int_equal(m.hdr->sadb_msg_reserved, 0);
		assert_int_equal(m.hdr->sadb_msg_seq, v->seq);
		assert_int_equal(m.hdr->sadb_msg_pid, v->pid);
		for (size_t e = 0; v->exts[e] != 0; e++) {
			const int slot = pfk_ext_slot(v->exts[e]);

			assert_int_not_equal(slot, PFK_SLOT_NONE);
			want_present |= 1ull << slot;
		}
		assert_int_equal(m.present, want_present);
		v->check(&m);
		free(buf);
	}
}

/* 2. The builder reproduces the golden bytes from the same values. */
static void test_build(void **state)
{
	(void)state;
	if (!little_endian())
		skip();
	for (size_t i = 0; i < ARRAY_SIZE(vectors); i++) {
		const struct golden_vec *v = &vectors[i];
		uint64_t buf[64];
		struct pfk_builder b;

		/* Garbage first: padding and reserved fields must be written. */
		memset(buf, 0xee, sizeof(buf));
		pfk_build_init(&b, buf, sizeof(buf), v->type, v->satype, v->seq, v->pid);
		v->build(&b);
		assert_int_equal(pfk_build_finish(&b), (int)v->len);
		assert_same_bytes(v->name, buf, (size_t)b.len, v->bytes, v->len);
	}
}

/* The extensions survive a walk in the order they were written. */
static void test_wire_order(void **state)
{
	(void)state;
	if (!little_endian())
		skip();
	for (size_t i = 0; i < ARRAY_SIZE(vectors); i++) {
		const struct golden_vec *v = &vectors[i];
		size_t off = sizeof(struct sadb_msg), e = 0;

		while (off < v->len) {
			struct sadb_ext h;

			memcpy(&h, v->bytes + off, sizeof(h));
			assert_int_equal(h.sadb_ext_type, v->exts[e]);
			off += (size_t)h.sadb_ext_len * 8u;
			e++;
		}
		assert_int_equal(off, v->len);
		assert_int_equal(v->exts[e], 0);
	}
}

static bool contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t k)
{
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

/* 3. The listeners' copy of the GET reply: the hand-written key-free bytes,
 * and no 4-byte run of either key anywhere in it. */
static void test_copy_without_keys(void **state)
{
	const struct golden_vec *v = &vectors[1];
	uint64_t out[64];
	uint8_t *buf;
	struct pfk_msg m, c;
	uint16_t diag = 0;
	int n;

	(void)state;
	if (!little_endian())
		skip();
	assert_string_equal(v->name, "get_reply");
	buf = aligned_copy(v);
	assert_int_equal(pfk_validate(buf, v->len, PFK_DIR_REPLY, &m, &diag), 0);

	memset(out, 0xee, sizeof(out));
	n = pfk_copy_without_keys(&m, out, sizeof(out));
	assert_int_equal(n, sizeof(golden_get_reply_nokeys));
	assert_int_equal(n, v->len - (GET_KEYS_END - GET_KEYS_OFF));
	assert_same_bytes("get_reply_nokeys", out, (size_t)n, golden_get_reply_nokeys,
			  sizeof(golden_get_reply_nokeys));
	for (size_t k = 0; k + 4 <= 32; k++)
		assert_false(contains((const uint8_t *)out, (size_t)n, get_akey.key + k, 4));
	for (size_t k = 0; k + 4 <= 16; k++)
		assert_false(contains((const uint8_t *)out, (size_t)n, get_ekey.key + k, 4));
	/* ... while the original does hold them (the search works). */
	assert_true(contains(buf, v->len, get_akey.key, 32));
	assert_true(contains(buf, v->len, get_ekey.key, 16));

	assert_int_equal(pfk_parse(out, (size_t)n, &c, &diag), 0);
	assert_null(c.akey);
	assert_null(c.ekey);
	assert_int_equal(c.hdr->sadb_msg_len, n / 8);
	check_sa(c.sa, &get_sa);
	assert_int_equal(pfk_replay_value(c.replay_value), GET_REPLAY);

	/* One word short: refused, nothing overrun. */
	assert_int_equal(pfk_copy_without_keys(&m, out, (size_t)n - 8), -ENOSPC);
	free(buf);
}

/* The ADD broadcast: the same request without its one key extension. */
static void test_copy_without_keys_add(void **state)
{
	const struct golden_vec *v = &vectors[0];
	uint64_t out[64];
	uint8_t *buf;
	struct pfk_msg m, c;
	uint16_t diag = 0;
	struct sadb_msg h;
	int n;

	(void)state;
	if (!little_endian())
		skip();
	buf = aligned_copy(v);
	assert_int_equal(pfk_validate(buf, v->len, PFK_DIR_REQUEST, &m, &diag), 0);
	n = pfk_copy_without_keys(&m, out, sizeof(out));
	/* The key extension is the last 32 bytes of the golden ADD. */
	assert_int_equal(n, v->len - 32);
	memcpy(&h, out, sizeof(h));
	assert_int_equal(h.sadb_msg_len, n / 8);
	/* Everything but the length (bytes 4-5) as in the request. */
	assert_memory_equal(out, v->bytes, 4);
	assert_memory_equal((const uint8_t *)out + 6, v->bytes + 6, (size_t)n - 6);
	assert_false(contains((const uint8_t *)out, (size_t)n, add_gcm_ekey.key, 4));
	assert_false(contains((const uint8_t *)out, (size_t)n, add_gcm_ekey.key + 16, 4));
	assert_int_equal(pfk_parse(out, (size_t)n, &c, &diag), 0);
	assert_null(c.ekey);
	free(buf);
}

/* The error reply to the ADD: hand-written bytes, and it is a valid reply. */
static void test_error_reply(void **state)
{
	const struct golden_vec *v = &vectors[0];
	uint64_t out[4];
	struct pfk_msg m;
	uint16_t diag = 0;

	(void)state;
	if (!little_endian())
		skip();
	memset(out, 0xee, sizeof(out));
	assert_int_equal(pfk_build_error((const struct sadb_msg *)(const void *)v->bytes, EINVAL,
					 SADB_X_DIAGNOSTIC_BAD_EKEYBITS, out, sizeof(out)), 16);
	assert_same_bytes("add_error", out, 16, golden_add_error, sizeof(golden_add_error));
	assert_int_equal(pfk_validate(out, 16, PFK_DIR_REPLY, &m, &diag), 0);
	assert_int_equal(m.hdr->sadb_msg_errno, EINVAL);
	assert_int_equal(m.hdr->sadb_x_msg_diagnostic, SADB_X_DIAGNOSTIC_BAD_EKEYBITS);
	assert_int_equal(m.present, 0);
	assert_int_equal(pfk_build_error((const struct sadb_msg *)(const void *)v->bytes, EINVAL,
					 0, out, 15), -ENOSPC);
}

/* Each vector is only valid in its own direction where the rules differ:
 * a current lifetime never comes in a request, keys never in a GETSPI
 * reply and so on.  Here: the replies with a current lifetime are refused
 * as requests. */
static void test_direction_matters(void **state)
{
	static const char *const reply_only[] = { "get_reply", "expire_soft" };

	(void)state;
	if (!little_endian())
		skip();
	for (size_t i = 0; i < ARRAY_SIZE(vectors); i++) {
		const struct golden_vec *v = &vectors[i];
		struct pfk_msg m;
		uint16_t diag = 0;
		void *buf;

		for (size_t r = 0; r < ARRAY_SIZE(reply_only); r++) {
			if (strcmp(v->name, reply_only[r]) != 0)
				continue;
			buf = aligned_copy(v);
			assert_int_not_equal(pfk_validate(buf, v->len, PFK_DIR_REQUEST, &m, &diag),
					     0);
			assert_int_not_equal(diag, 0);
			free(buf);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_order),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_copy_without_keys),
		cmocka_unit_test(test_copy_without_keys_add),
		cmocka_unit_test(test_error_reply),
		cmocka_unit_test(test_direction_matters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
