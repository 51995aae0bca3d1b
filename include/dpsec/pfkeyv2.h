/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dpsec/pfkeyv2.h: the PF_KEY v2 wire contract, illumos flavour.
 *
 * Every structure, message type, extension type, SA type, state, flag,
 * algorithm ID, identity type and diagnostic of RFC 2367 as extended by
 * illumos, with the illumos numbers, plus dpsec's own additions.
 *
 * Byte order: host order for every field except SPIs (sadb_sa_spi,
 * sadb_spirange_min/max, sadb_x_pair_spi: network order, as RFC 2367 says)
 * and the ports inside sockaddrs (network order).  The socket is a local
 * UNIX socket, so both ends share the host's order.
 *
 * All lengths (sadb_msg_len, sadb_ext_len) count 8-byte words and include
 * the header that carries them; every extension is padded to 8 bytes.
 *
 * dpsec additions never collide with an illumos value (illumos numbers grow
 * upwards from 0 and stop far below these ranges):
 *   message types  240..254   (sadb_msg_type is a u8; illumos stops at 15)
 *   extension types 0x8000..  (bit 15 set; illumos stops at 28)
 *   diagnostics    0x8000..   (bit 15 set; illumos stops at 86)
 * and one field illumos declared but never implemented is given meaning:
 *   sadb_x_rc_replay64 of SADB_X_EXT_REPLAY_VALUE (see below).
 * docs/PFKEY.md describes the dialect in prose.
 *
 * This header needs only <stdint.h>; it declares no functions.
 */
#ifndef DPSEC_PFKEYV2_H
#define DPSEC_PFKEYV2_H

#include <assert.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PF_KEY_V2 2
#define PFKEYV2_REVISION 200109L

/* Unit conversions (not part of the spec, but every implementation has them). */
#define SADB_64TO8(x) ((x) << 3)
#define SADB_8TO64(x) ((x) >> 3)
#define SADB_8TO1(x) ((x) << 3)
#define SADB_1TO8(x) ((x) >> 3)

/* ------------------------------------------------------------------------ */
/* Base message: 16 bytes.                                                   */

struct sadb_msg {
	uint8_t sadb_msg_version;  /* PF_KEY_V2 */
	uint8_t sadb_msg_type;     /* SADB_GETSPI, ... */
	uint8_t sadb_msg_errno;    /* 0 in requests; errno in error replies */
	uint8_t sadb_msg_satype;   /* SADB_SATYPE_* */
	uint16_t sadb_msg_len;     /* whole message, 8-byte words */
	uint16_t sadb_msg_reserved; /* illumos: diagnostic on error replies */
	uint32_t sadb_msg_seq;     /* set by the originator, echoed in replies */
	uint32_t sadb_msg_pid;     /* set by the originator, echoed in replies */
};
#define sadb_x_msg_diagnostic sadb_msg_reserved

/* Generic extension header: every extension begins with these 4 bytes. */
struct sadb_ext {
	uint16_t sadb_ext_len;  /* 8-byte words, header included */
	uint16_t sadb_ext_type; /* SADB_EXT_*; 0 is reserved */
};

/* SADB_EXT_SA: 16 bytes. */
struct sadb_sa {
	uint16_t sadb_sa_len;
	uint16_t sadb_sa_exttype;
	uint32_t sadb_sa_spi;     /* network byte order */
	uint8_t sadb_sa_replay;   /* replay window in packets, 0..255; see
				   * SADB_X_EXT_DPSEC_REPLAY_WINDOW for more */
	uint8_t sadb_sa_state;    /* SADB_SASTATE_* */
	uint8_t sadb_sa_auth;     /* SADB_AALG_* */
	uint8_t sadb_sa_encrypt;  /* SADB_EALG_* */
	uint32_t sadb_sa_flags;   /* SADB_SAFLAGS_* */
};

/* SADB_EXT_LIFETIME_{CURRENT,HARD,SOFT}, SADB_X_EXT_LIFETIME_IDLE: 32 bytes.
 * For LIFETIME_IDLE, addtime and usetime are idle periods in seconds. */
struct sadb_lifetime {
	uint16_t sadb_lifetime_len;
	uint16_t sadb_lifetime_exttype;
	uint32_t sadb_lifetime_allocations;
	uint64_t sadb_lifetime_bytes;
	uint64_t sadb_lifetime_addtime;
	uint64_t sadb_lifetime_usetime;
};

/* SADB_EXT_ADDRESS_*: 8 bytes, followed by a struct sockaddr_in (16 bytes)
 * or sockaddr_in6 (28 bytes) in the Linux layout, padded to 8 bytes. */
struct sadb_address {
	uint16_t sadb_address_len;
	uint16_t sadb_address_exttype;
	uint8_t sadb_address_proto;     /* upper-layer protocol, 0 = any */
	uint8_t sadb_address_prefixlen; /* 0 = host (full length) for SRC/DST */
	uint16_t sadb_address_reserved;
};

/* SADB_EXT_KEY_{AUTH,ENCRYPT}: 8 bytes, followed by the key, padded. */
struct sadb_key {
	uint16_t sadb_key_len;
	uint16_t sadb_key_exttype;
	uint16_t sadb_key_bits;     /* key length in bits, salt included */
	uint16_t sadb_key_reserved; /* illumos: salt bits at the key's end */
};
#define sadb_x_key_saltbits sadb_key_reserved

/* SADB_EXT_IDENTITY_{SRC,DST}: 16 bytes, followed by a NUL-terminated
 * string, padded. */
struct sadb_ident {
	uint16_t sadb_ident_len;
	uint16_t sadb_ident_exttype;
	uint16_t sadb_ident_type; /* SADB_IDENTTYPE_* */
	uint16_t sadb_ident_reserved;
	uint64_t sadb_ident_id;
};

/* SADB_EXT_SENSITIVITY, SADB_X_EXT_OUTER_SENS: 16 bytes + two bitmaps.
 * Parsed for framing only; dpsec has no labels. */
struct sadb_sens {
	uint16_t sadb_sens_len;
	uint16_t sadb_sens_exttype;
	uint32_t sadb_sens_dpd;
	uint8_t sadb_sens_sens_level;
	uint8_t sadb_sens_sens_len;  /* 8-byte words */
	uint8_t sadb_sens_integ_level;
	uint8_t sadb_sens_integ_len; /* 8-byte words */
	uint32_t sadb_x_sens_flags;
};

/* SADB_EXT_PROPOSAL (followed by struct sadb_comb[]) and SADB_X_EXT_EPROP
 * (followed by sadb_x_prop_numecombs x { struct sadb_x_ecomb,
 * sadb_x_ecomb_numalgs x struct sadb_x_algdesc }): 8 bytes. */
struct sadb_prop {
	uint16_t sadb_prop_len;
	uint16_t sadb_prop_exttype;
	uint8_t sadb_prop_replay;
	uint8_t sadb_x_prop_ereserved;
	uint16_t sadb_x_prop_numecombs; /* EPROP only; 0 in PROPOSAL */
};

/* 72 bytes. */
struct sadb_comb {
	uint8_t sadb_comb_auth;
	uint8_t sadb_comb_encrypt;
	uint16_t sadb_comb_flags;
	uint16_t sadb_comb_auth_minbits;
	uint16_t sadb_comb_auth_maxbits;
	uint16_t sadb_comb_encrypt_minbits;
	uint16_t sadb_comb_encrypt_maxbits;
	uint32_t sadb_comb_reserved;
	uint32_t sadb_comb_soft_allocations;
	uint32_t sadb_comb_hard_allocations;
	uint64_t sadb_comb_soft_bytes;
	uint64_t sadb_comb_hard_bytes;
	uint64_t sadb_comb_soft_addtime;
	uint64_t sadb_comb_hard_addtime;
	uint64_t sadb_comb_soft_usetime;
	uint64_t sadb_comb_hard_usetime;
};

/* Extended combination (EPROP): 64 bytes. */
struct sadb_x_ecomb {
	uint8_t sadb_x_ecomb_numalgs;
	uint8_t sadb_x_ecomb_reserved;
	uint16_t sadb_x_ecomb_flags;
	uint32_t sadb_x_ecomb_reserved2;
	uint32_t sadb_x_ecomb_soft_allocations;
	uint32_t sadb_x_ecomb_hard_allocations;
	uint64_t sadb_x_ecomb_soft_bytes;
	uint64_t sadb_x_ecomb_hard_bytes;
	uint64_t sadb_x_ecomb_soft_addtime;
	uint64_t sadb_x_ecomb_hard_addtime;
	uint64_t sadb_x_ecomb_soft_usetime;
	uint64_t sadb_x_ecomb_hard_usetime;
};

/* Algorithm descriptor inside an extended combination: 8 bytes. */
struct sadb_x_algdesc {
	uint8_t sadb_x_algdesc_satype;  /* SADB_SATYPE_AH / ESP */
	uint8_t sadb_x_algdesc_algtype; /* SADB_X_ALGTYPE_* */
	uint8_t sadb_x_algdesc_alg;
	uint8_t sadb_x_algdesc_reserved;
	uint16_t sadb_x_algdesc_minbits;
	uint16_t sadb_x_algdesc_maxbits;
};

/* SADB_EXT_SUPPORTED_{AUTH,ENCRYPT}: 8 bytes, followed by struct sadb_alg[]. */
struct sadb_supported {
	uint16_t sadb_supported_len;
	uint16_t sadb_supported_exttype;
	uint32_t sadb_supported_reserved;
};

/* 8 bytes. illumos splits the reserved word into increment and salt bits. */
struct sadb_alg {
	uint8_t sadb_alg_id;
	uint8_t sadb_alg_ivlen;   /* bits */
	uint16_t sadb_alg_minbits;
	uint16_t sadb_alg_maxbits;
	uint8_t sadb_x_alg_increment; /* bits from one key size to the next */
	uint8_t sadb_x_alg_saltbits;
};

/* SADB_EXT_SPIRANGE: 16 bytes. min and max in network byte order. */
struct sadb_spirange {
	uint16_t sadb_spirange_len;
	uint16_t sadb_spirange_exttype;
	uint32_t sadb_spirange_min;
	uint32_t sadb_spirange_max;
	uint32_t sadb_spirange_reserved;
};

/* SADB_X_EXT_EREG: 8 bytes or more; a 0-terminated list of SA types. */
struct sadb_x_ereg {
	uint16_t sadb_x_ereg_len;
	uint16_t sadb_x_ereg_exttype;
	uint8_t sadb_x_ereg_satypes[4];
};

/* SADB_X_EXT_KM_COOKIE: 16 bytes. */
struct sadb_x_kmc {
	uint16_t sadb_x_kmc_len;
	uint16_t sadb_x_kmc_exttype;
	uint32_t sadb_x_kmc_proto; /* SADB_X_KMP_* */
	union {
		struct {
			uint32_t sadb_x_kmc_cookie;
			uint32_t sadb_x_kmc_reserved;
		};
		uint64_t sadb_x_kmc_cookie64;
	};
};

/* SADB_X_EXT_PAIR: 8 bytes. */
struct sadb_x_pair {
	uint16_t sadb_x_pair_len;
	uint16_t sadb_x_pair_exttype;
	uint32_t sadb_x_pair_spi; /* network byte order */
};

/* SADB_X_EXT_REPLAY_VALUE: 16 bytes.
 *
 * illumos reads and writes only replay32.  dpsec gives replay64 its
 * meaning: the full 64-bit sequence state (outbound: last sequence number
 * sent; inbound: highest sequence number accepted), needed for ESN SAs.
 * On output dpsec fills both (replay32 = low 32 bits).  On input, a nonzero
 * replay64 wins; otherwise replay32 is used. */
struct sadb_x_replay_ctr {
	uint16_t sadb_x_rc_len;
	uint16_t sadb_x_rc_exttype;
	uint32_t sadb_x_rc_replay32;
	uint64_t sadb_x_rc_replay64;
};

/* SADB_X_EXT_EDUMP: 16 bytes.  DUMP only: SAs used within the last
 * `timeout` seconds (the illumos behaviour). */
struct sadb_x_edump {
	uint16_t sadb_x_edump_len;
	uint16_t sadb_x_edump_exttype;
	uint32_t sadb_x_edump_reserved;
	uint64_t sadb_x_edump_timeout;
};

/* ------------------------------------------------------------------------ */
/* Message types.                                                            */

#define SADB_RESERVED 0
#define SADB_GETSPI 1
#define SADB_UPDATE 2
#define SADB_ADD 3
#define SADB_DELETE 4
#define SADB_GET 5
#define SADB_ACQUIRE 6
#define SADB_REGISTER 7
#define SADB_EXPIRE 8
#define SADB_FLUSH 9
#define SADB_DUMP 10
#define SADB_X_PROMISC 11
#define SADB_X_INVERSE_ACQUIRE 12
#define SADB_X_UPDATEPAIR 13
#define SADB_X_DELPAIR 14
#define SADB_X_DELPAIR_STATE 15
#define SADB_MAX 15

/* dpsec: policy (SPD) messages.  Each carries one SADB_X_EXT_DPSEC_POLICY.
 *   SPDADD    <base, policy, selector, (inner_selector), (sareq...),
 *              (address(SD) = tunnel endpoints)>  -> reply with the index
 *   SPDDELETE <base, policy(index)>
 *   SPDGET    <base, policy(index)>               -> the rule
 *   SPDDUMP   <base>  -> one reply per rule, then a bare header, seq 0
 *   SPDFLUSH  <base> */
#define SADB_X_DPSEC_SPDADD 240
#define SADB_X_DPSEC_SPDDELETE 241
#define SADB_X_DPSEC_SPDGET 242
#define SADB_X_DPSEC_SPDDUMP 243
#define SADB_X_DPSEC_SPDFLUSH 244
#define SADB_X_DPSEC_MSG_MIN 240
#define SADB_X_DPSEC_MSG_MAX 244

/* ------------------------------------------------------------------------ */
/* SA flags.                                                                 */

#define SADB_SAFLAGS_PFS 0x1u
#define SADB_SAFLAGS_NOREPLAY 0x2u
#define SADB_X_SAFLAGS_NATTED 0x1000u
#define SADB_X_SAFLAGS_TCPSIG 0x2000u
#define SADB_X_SAFLAGS_INBOUND 0x4000u
#define SADB_X_SAFLAGS_OUTBOUND 0x8000u
#define SADB_X_SAFLAGS_PAIRED 0x10000u
#define SADB_X_SAFLAGS_TUNNEL 0x20000u
#define SADB_X_SAFLAGS_KRES2 0x40000u
#define SADB_X_SAFLAGS_NATT_REM 0x80000u
#define SADB_X_SAFLAGS_NATT_LOC 0x100000u
#define SADB_X_SAFLAGS_KRES1 0x200000u
#define SADB_X_SAFLAGS_KM4 0x400000u
#define SADB_X_SAFLAGS_KM3 0x800000u
#define SADB_X_SAFLAGS_KM2 0x1000000u
#define SADB_X_SAFLAGS_KM1 0x2000000u
#define SADB_X_SAFLAGS_EALG2 0x4000000u
#define SADB_X_SAFLAGS_EALG1 0x8000000u
#define SADB_X_SAFLAGS_AALG2 0x10000000u
#define SADB_X_SAFLAGS_AALG1 0x20000000u
#define SADB_X_SAFLAGS_UNIQUE 0x40000000u
#define SADB_X_SAFLAGS_USED 0x80000000u
#define SADB_X_SAFLAGS_KRES (SADB_X_SAFLAGS_KRES1 | SADB_X_SAFLAGS_KRES2)
/* Every flag above; the bits 0x4..0x800 are unassigned and rejected. */
#define SADB_SAFLAGS_ALL 0xfffff003u

/* ------------------------------------------------------------------------ */
/* SA states (illumos numbers: the cluster states are 4, 5, 6).              */

#define SADB_SASTATE_LARVAL 0
#define SADB_SASTATE_MATURE 1
#define SADB_SASTATE_DYING 2
#define SADB_SASTATE_DEAD 3
#define SADB_X_SASTATE_ACTIVE_ELSEWHERE 4
#define SADB_X_SASTATE_IDLE 5
#define SADB_X_SASTATE_ACTIVE 6
#define SADB_SASTATE_MAX 6

/* ------------------------------------------------------------------------ */
/* SA types.                                                                 */

#define SADB_SATYPE_UNSPEC 0
#define SADB_SATYPE_AH 2
#define SADB_SATYPE_ESP 3
#define SADB_SATYPE_RSVP 5
#define SADB_SATYPE_OSPFV2 6
#define SADB_SATYPE_RIPV2 7
#define SADB_SATYPE_MIP 8
#define SADB_SATYPE_MAX 8

/* ------------------------------------------------------------------------ */
/* Algorithms.  Encryption IDs equal the IANA IKEv2 transform IDs; those    */
/* illumos lacks take their IANA ID (AES-CTR 13, GMAC 21, ChaCha20 28).      */

#define SADB_AALG_NONE 0
#define SADB_AALG_MD5HMAC 2
#define SADB_AALG_SHA1HMAC 3
#define SADB_AALG_SHA256HMAC 5
#define SADB_AALG_SHA384HMAC 6
#define SADB_AALG_SHA512HMAC 7
#define SADB_AALG_MAX 7

#define SADB_EALG_NONE 0
#define SADB_EALG_DESCBC 2
#define SADB_EALG_3DESCBC 3
#define SADB_EALG_BLOWFISH 7
#define SADB_EALG_NULL 11
#define SADB_EALG_AES 12
#define SADB_EALG_AES_CBC SADB_EALG_AES
#define SADB_X_EALG_AES_CTR 13
#define SADB_EALG_AES_CCM_8 14
#define SADB_EALG_AES_CCM_12 15
#define SADB_EALG_AES_CCM_16 16
#define SADB_EALG_AES_GCM_8 18
#define SADB_EALG_AES_GCM_12 19
#define SADB_EALG_AES_GCM_16 20
#define SADB_X_EALG_NULL_AES_GMAC 21
#define SADB_X_EALG_CHACHA20_POLY1305 28
#define SADB_EALG_MAX 28

/* Algorithm types for sadb_x_algdesc. */
#define SADB_X_ALGTYPE_NONE 0
#define SADB_X_ALGTYPE_AUTH 1
#define SADB_X_ALGTYPE_CRYPT 2
#define SADB_X_ALGTYPE_COMPRESS 3
#define SADB_X_ALGTYPE_MAX 3

/* Key management protocols for sadb_x_kmc. */
#define SADB_X_KMP_MANUAL 0
#define SADB_X_KMP_IKE 1
#define SADB_X_KMP_KINK 2
#define SADB_X_KMP_MAX 2

/* ------------------------------------------------------------------------ */
/* Extension types.                                                          */

#define SADB_EXT_RESERVED 0
#define SADB_EXT_SA 1
#define SADB_EXT_LIFETIME_CURRENT 2
#define SADB_EXT_LIFETIME_HARD 3
#define SADB_EXT_LIFETIME_SOFT 4
#define SADB_EXT_ADDRESS_SRC 5
#define SADB_EXT_ADDRESS_DST 6
#define SADB_EXT_ADDRESS_PROXY 7
#define SADB_X_EXT_ADDRESS_INNER_SRC SADB_EXT_ADDRESS_PROXY
#define SADB_EXT_KEY_AUTH 8
#define SADB_EXT_KEY_ENCRYPT 9
#define SADB_EXT_IDENTITY_SRC 10
#define SADB_EXT_IDENTITY_DST 11
#define SADB_EXT_SENSITIVITY 12
#define SADB_EXT_PROPOSAL 13
#define SADB_EXT_SUPPORTED_AUTH 14
#define SADB_EXT_SUPPORTED_ENCRYPT 15
#define SADB_EXT_SPIRANGE 16
#define SADB_X_EXT_EREG 17
#define SADB_X_EXT_EPROP 18
#define SADB_X_EXT_KM_COOKIE 19
#define SADB_X_EXT_ADDRESS_NATT_LOC 20
#define SADB_X_EXT_ADDRESS_NATT_REM 21
#define SADB_X_EXT_ADDRESS_INNER_DST 22
#define SADB_X_EXT_PAIR 23
#define SADB_X_EXT_REPLAY_VALUE 24
#define SADB_X_EXT_EDUMP 25
#define SADB_X_EXT_LIFETIME_IDLE 26
#define SADB_X_EXT_OUTER_SENS 27
#define SADB_EXT_MAX 27

/* dpsec extensions (bit 15 set).  Their numbers are stable. */
#define SADB_X_EXT_DPSEC_BASE 0x8000
#define SADB_X_EXT_DPSEC_REPLAY_WINDOW 0x8001 /* sadb_x_dpsec_replay_window */
#define SADB_X_EXT_DPSEC_SEQ_LEASE 0x8002     /* sadb_x_dpsec_seq_lease */
#define SADB_X_EXT_DPSEC_POLICY 0x8010        /* sadb_x_dpsec_policy */
#define SADB_X_EXT_DPSEC_SELECTOR 0x8011      /* sadb_x_dpsec_selector */
#define SADB_X_EXT_DPSEC_INNER_SELECTOR 0x8012 /* sadb_x_dpsec_selector */
#define SADB_X_EXT_DPSEC_SAREQ 0x8013         /* sadb_x_dpsec_sareq, repeatable */
#define SADB_X_EXT_DPSEC_MAX 0x8013

/* ------------------------------------------------------------------------ */
/* Identity types.                                                           */

#define SADB_IDENTTYPE_RESERVED 0
#define SADB_IDENTTYPE_PREFIX 1
#define SADB_IDENTTYPE_FQDN 2
#define SADB_IDENTTYPE_USER_FQDN 3
#define SADB_X_IDENTTYPE_DN 4
#define SADB_X_IDENTTYPE_GN 5
#define SADB_X_IDENTTYPE_KEY_ID 6
#define SADB_X_IDENTTYPE_ADDR_RANGE 7
#define SADB_IDENTTYPE_MAX 7

#define SADB_DPD_NONE 0
#define SADB_DPD_MAX 1

/* ------------------------------------------------------------------------ */
/* Diagnostics (sadb_x_msg_diagnostic).                                      */

#define SADB_X_DIAGNOSTIC_NONE 0
#define SADB_X_DIAGNOSTIC_UNKNOWN_MSG 1
#define SADB_X_DIAGNOSTIC_UNKNOWN_EXT 2
#define SADB_X_DIAGNOSTIC_BAD_EXTLEN 3
#define SADB_X_DIAGNOSTIC_UNKNOWN_SATYPE 4
#define SADB_X_DIAGNOSTIC_SATYPE_NEEDED 5
#define SADB_X_DIAGNOSTIC_NO_SADBS 6
#define SADB_X_DIAGNOSTIC_NO_EXT 7
#define SADB_X_DIAGNOSTIC_BAD_SRC_AF 8
#define SADB_X_DIAGNOSTIC_BAD_DST_AF 9
#define SADB_X_DIAGNOSTIC_BAD_PROXY_AF 10
#define SADB_X_DIAGNOSTIC_BAD_INNER_SRC_AF 10
#define SADB_X_DIAGNOSTIC_AF_MISMATCH 11
#define SADB_X_DIAGNOSTIC_BAD_SRC 12
#define SADB_X_DIAGNOSTIC_BAD_DST 13
#define SADB_X_DIAGNOSTIC_ALLOC_HSERR 14
#define SADB_X_DIAGNOSTIC_BYTES_HSERR 15
#define SADB_X_DIAGNOSTIC_ADDTIME_HSERR 16
#define SADB_X_DIAGNOSTIC_USETIME_HSERR 17
#define SADB_X_DIAGNOSTIC_MISSING_SRC 18
#define SADB_X_DIAGNOSTIC_MISSING_DST 19
#define SADB_X_DIAGNOSTIC_MISSING_SA 20
#define SADB_X_DIAGNOSTIC_MISSING_EKEY 21
#define SADB_X_DIAGNOSTIC_MISSING_AKEY 22
#define SADB_X_DIAGNOSTIC_MISSING_RANGE 23
#define SADB_X_DIAGNOSTIC_DUPLICATE_SRC 24
#define SADB_X_DIAGNOSTIC_DUPLICATE_DST 25
#define SADB_X_DIAGNOSTIC_DUPLICATE_SA 26
#define SADB_X_DIAGNOSTIC_DUPLICATE_EKEY 27
#define SADB_X_DIAGNOSTIC_DUPLICATE_AKEY 28
#define SADB_X_DIAGNOSTIC_DUPLICATE_RANGE 29
#define SADB_X_DIAGNOSTIC_MALFORMED_SRC 30
#define SADB_X_DIAGNOSTIC_MALFORMED_DST 31
#define SADB_X_DIAGNOSTIC_MALFORMED_SA 32
#define SADB_X_DIAGNOSTIC_MALFORMED_EKEY 33
#define SADB_X_DIAGNOSTIC_MALFORMED_AKEY 34
#define SADB_X_DIAGNOSTIC_MALFORMED_RANGE 35
#define SADB_X_DIAGNOSTIC_AKEY_PRESENT 36
#define SADB_X_DIAGNOSTIC_EKEY_PRESENT 37
#define SADB_X_DIAGNOSTIC_PROP_PRESENT 38
#define SADB_X_DIAGNOSTIC_SUPP_PRESENT 39
#define SADB_X_DIAGNOSTIC_BAD_AALG 40
#define SADB_X_DIAGNOSTIC_BAD_EALG 41
#define SADB_X_DIAGNOSTIC_BAD_SAFLAGS 42
#define SADB_X_DIAGNOSTIC_BAD_SASTATE 43
#define SADB_X_DIAGNOSTIC_BAD_AKEYBITS 44
#define SADB_X_DIAGNOSTIC_BAD_EKEYBITS 45
#define SADB_X_DIAGNOSTIC_ENCR_NOTSUPP 46
#define SADB_X_DIAGNOSTIC_WEAK_EKEY 47
#define SADB_X_DIAGNOSTIC_WEAK_AKEY 48
#define SADB_X_DIAGNOSTIC_DUPLICATE_KMP 49
#define SADB_X_DIAGNOSTIC_DUPLICATE_KMC 50
#define SADB_X_DIAGNOSTIC_MISSING_NATT_LOC 51
#define SADB_X_DIAGNOSTIC_MISSING_NATT_REM 52
#define SADB_X_DIAGNOSTIC_DUPLICATE_NATT_LOC 53
#define SADB_X_DIAGNOSTIC_DUPLICATE_NATT_REM 54
#define SADB_X_DIAGNOSTIC_MALFORMED_NATT_LOC 55
#define SADB_X_DIAGNOSTIC_MALFORMED_NATT_REM 56
#define SADB_X_DIAGNOSTIC_DUPLICATE_NATT_PORTS 57
#define SADB_X_DIAGNOSTIC_MISSING_INNER_SRC 58
#define SADB_X_DIAGNOSTIC_MISSING_INNER_DST 59
#define SADB_X_DIAGNOSTIC_DUPLICATE_INNER_SRC 60
#define SADB_X_DIAGNOSTIC_DUPLICATE_INNER_DST 61
#define SADB_X_DIAGNOSTIC_MALFORMED_INNER_SRC 62
#define SADB_X_DIAGNOSTIC_MALFORMED_INNER_DST 63
#define SADB_X_DIAGNOSTIC_PREFIX_INNER_SRC 64
#define SADB_X_DIAGNOSTIC_PREFIX_INNER_DST 65
#define SADB_X_DIAGNOSTIC_BAD_INNER_DST_AF 66
#define SADB_X_DIAGNOSTIC_INNER_AF_MISMATCH 67
#define SADB_X_DIAGNOSTIC_BAD_NATT_REM_AF 68
#define SADB_X_DIAGNOSTIC_BAD_NATT_LOC_AF 69
#define SADB_X_DIAGNOSTIC_PROTO_MISMATCH 70
#define SADB_X_DIAGNOSTIC_INNER_PROTO_MISMATCH 71
#define SADB_X_DIAGNOSTIC_DUAL_PORT_SETS 72
#define SADB_X_DIAGNOSTIC_PAIR_INAPPROPRIATE 73
#define SADB_X_DIAGNOSTIC_PAIR_ADD_MISMATCH 74
#define SADB_X_DIAGNOSTIC_PAIR_ALREADY 75
#define SADB_X_DIAGNOSTIC_PAIR_SA_NOTFOUND 76
#define SADB_X_DIAGNOSTIC_BAD_SA_DIRECTION 77
#define SADB_X_DIAGNOSTIC_SA_NOTFOUND 78
#define SADB_X_DIAGNOSTIC_SA_EXPIRED 79
#define SADB_X_DIAGNOSTIC_BAD_CTX 80
#define SADB_X_DIAGNOSTIC_INVALID_REPLAY 81
#define SADB_X_DIAGNOSTIC_MISSING_LIFETIME 82
#define SADB_X_DIAGNOSTIC_BAD_LABEL 83
#define SADB_X_DIAGNOSTIC_MISSING_ASTR 84
#define SADB_X_DIAGNOSTIC_DUPLICATE_ASTR 85
#define SADB_X_DIAGNOSTIC_MALFORMED_ASTR 86
#define SADB_X_DIAGNOSTIC_MAX 86

/* dpsec diagnostics (bit 15 set): cases illumos folds together or lacks. */
#define SADB_X_DIAGNOSTIC_DPSEC_BASE 0x8000
#define SADB_X_DIAGNOSTIC_DPSEC_BAD_VERSION 0x8001   /* version != PF_KEY_V2 */
#define SADB_X_DIAGNOSTIC_DPSEC_SHORT_MSG 0x8002     /* < 16 bytes received */
#define SADB_X_DIAGNOSTIC_DPSEC_BAD_MSGLEN 0x8003    /* len != bytes received */
#define SADB_X_DIAGNOSTIC_DPSEC_EXT_ZERO_LEN 0x8004  /* extension length 0 */
#define SADB_X_DIAGNOSTIC_DPSEC_EXT_OVERRUN 0x8005   /* extension past the end */
#define SADB_X_DIAGNOSTIC_DPSEC_DUPLICATE_EXT 0x8006 /* duplicate, no illumos code */
#define SADB_X_DIAGNOSTIC_DPSEC_EXT_NOT_ALLOWED 0x8007 /* extension forbidden here */
#define SADB_X_DIAGNOSTIC_DPSEC_REQUEST_ERRNO 0x8008 /* request with errno set */
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_LIFETIME 0x8009
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_KMC 0x800a
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_IDENTITY 0x800b
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_PROPOSAL 0x800c
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SUPPORTED 0x800d
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_EREG 0x800e
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_PAIR 0x800f
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_REPLAY_VALUE 0x8010
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_EDUMP 0x8011
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SENS 0x8012
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_REPLAY_WINDOW 0x8013
#define SADB_X_DIAGNOSTIC_DPSEC_BAD_REPLAY_WINDOW 0x8014 /* > DPSEC max */
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SEQ_LEASE 0x8015
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_POLICY 0x8016
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SELECTOR 0x8017
#define SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SAREQ 0x8018
#define SADB_X_DIAGNOSTIC_DPSEC_MISSING_POLICY 0x8019
#define SADB_X_DIAGNOSTIC_DPSEC_MISSING_SELECTOR 0x801a
#define SADB_X_DIAGNOSTIC_DPSEC_MISSING_SAREQ 0x801b  /* ipsec action, no sareq */
#define SADB_X_DIAGNOSTIC_DPSEC_SAREQ_PRESENT 0x801c  /* sareq on bypass/discard */
#define SADB_X_DIAGNOSTIC_DPSEC_BAD_POLICY_ACTION 0x801d
#define SADB_X_DIAGNOSTIC_DPSEC_BAD_POLICY_DIR 0x801e
#define SADB_X_DIAGNOSTIC_DPSEC_BAD_SELECTOR_AF 0x801f
#define SADB_X_DIAGNOSTIC_DPSEC_BAD_PREFIXLEN 0x8020  /* SRC/DST prefix > AF bits */
#define SADB_X_DIAGNOSTIC_DPSEC_BAD_RESERVED 0x8021   /* a reserved field not 0 */
#define SADB_X_DIAGNOSTIC_DPSEC_POLICY_NOTFOUND 0x8022
#define SADB_X_DIAGNOSTIC_DPSEC_POLICY_EXISTS 0x8023
#define SADB_X_DIAGNOSTIC_DPSEC_LEASE_BELOW_SEQ 0x8024 /* lease <= sequence sent */
#define SADB_X_DIAGNOSTIC_DPSEC_NOT_PERMITTED 0x8025  /* peer credentials */
#define SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES 0x8026   /* table or memory full */
#define SADB_X_DIAGNOSTIC_DPSEC_MAX 0x8026

/* ------------------------------------------------------------------------ */
/* dpsec extension layouts.                                                  */

/* SADB_X_EXT_DPSEC_REPLAY_WINDOW: 16 bytes.  Allowed wherever SADB_EXT_SA
 * is.  When present it overrides sadb_sa_replay (replies set sadb_sa_replay
 * to min(window, 255) for old tools).  window 0 = replay protection off. */
struct sadb_x_dpsec_replay_window {
	uint16_t sadb_x_rw_len;
	uint16_t sadb_x_rw_exttype;
	uint32_t sadb_x_rw_window;  /* packets, 0..DPSEC_REPLAY_WINDOW_MAX */
	uint32_t sadb_x_rw_flags;   /* SADB_X_DPSEC_RW_* */
	uint32_t sadb_x_rw_reserved;
};
#define SADB_X_DPSEC_RW_ESN 0x1u /* 64-bit extended sequence numbers */
#define SADB_X_DPSEC_RW_FLAGS_ALL 0x1u
#define DPSEC_REPLAY_WINDOW_MAX 65536u

/* SADB_X_EXT_DPSEC_SEQ_LEASE: 16 bytes.  Outbound SAs: the dataplane never
 * sends a sequence number >= limit.  0 = the gateway manages the lease
 * itself (standalone operation).  In GET/DUMP replies: the current limit. */
struct sadb_x_dpsec_seq_lease {
	uint16_t sadb_x_sl_len;
	uint16_t sadb_x_sl_exttype;
	uint32_t sadb_x_sl_reserved;
	uint64_t sadb_x_sl_limit;
};

/* SADB_X_EXT_DPSEC_POLICY: 16 bytes.  One per SPD message. */
struct sadb_x_dpsec_policy {
	uint16_t sadb_x_pol_len;
	uint16_t sadb_x_pol_exttype;
	uint32_t sadb_x_pol_index;    /* assigned by the gateway on SPDADD
				       * (0 in the request); key of GET/DELETE */
	uint32_t sadb_x_pol_priority; /* lower value is matched first */
	uint8_t sadb_x_pol_dir;       /* SADB_X_DPSEC_DIR_* */
	uint8_t sadb_x_pol_action;    /* SADB_X_DPSEC_ACTION_* */
	uint8_t sadb_x_pol_mode;      /* SADB_X_DPSEC_MODE_*, ipsec action only */
	uint8_t sadb_x_pol_flags;     /* SADB_X_DPSEC_POLF_* */
};
#define SADB_X_DPSEC_DIR_IN 1
#define SADB_X_DPSEC_DIR_OUT 2
#define SADB_X_DPSEC_DIR_BOTH 3
#define SADB_X_DPSEC_ACTION_BYPASS 1
#define SADB_X_DPSEC_ACTION_DISCARD 2
#define SADB_X_DPSEC_ACTION_IPSEC 3
#define SADB_X_DPSEC_MODE_ANY 0
#define SADB_X_DPSEC_MODE_TRANSPORT 1
#define SADB_X_DPSEC_MODE_TUNNEL 2
#define SADB_X_DPSEC_POLF_UNIQUE 0x1u /* one SA per flow ("sa unique") */
#define SADB_X_DPSEC_POLF_ALL 0x1u

/* SADB_X_EXT_DPSEC_SELECTOR and _INNER_SELECTOR: 56 bytes.  Addresses are
 * in network byte order, IPv4 in the first 4 bytes; ports in host order.
 * A range min..max matches inclusively; 0..65535 (ports) and 0..255 (ICMP)
 * match anything.  The outer selector of a tunnel-mode rule is the tunnel
 * itself; the inner selector is what the rule matches (seed 002). */
struct sadb_x_dpsec_selector {
	uint16_t sadb_x_sel_len;
	uint16_t sadb_x_sel_exttype;
	uint8_t sadb_x_sel_family;     /* AF_INET, AF_INET6, or 0 = any */
	uint8_t sadb_x_sel_proto;      /* 0 = any */
	uint8_t sadb_x_sel_src_prefixlen; /* local address prefix */
	uint8_t sadb_x_sel_dst_prefixlen; /* remote address prefix */
	uint16_t sadb_x_sel_sport_min; /* local port */
	uint16_t sadb_x_sel_sport_max;
	uint16_t sadb_x_sel_dport_min; /* remote port */
	uint16_t sadb_x_sel_dport_max;
	uint8_t sadb_x_sel_icmp_type_min;
	uint8_t sadb_x_sel_icmp_type_max;
	uint8_t sadb_x_sel_icmp_code_min;
	uint8_t sadb_x_sel_icmp_code_max;
	uint32_t sadb_x_sel_reserved;
	uint8_t sadb_x_sel_src[16];    /* local address */
	uint8_t sadb_x_sel_dst[16];    /* remote address */
};

/* SADB_X_EXT_DPSEC_SAREQ: 16 bytes, repeatable.  What an ipsec rule
 * requires of its SAs.  Requirements with the same satype are alternatives
 * in order of preference; an AH and an ESP requirement make an AH-over-ESP
 * bundle.  alg 0 = none, SADB_X_DPSEC_ALG_ANY = any the gateway supports.
 * Key sizes 0..0 = the algorithm's default range. */
struct sadb_x_dpsec_sareq {
	uint16_t sadb_x_req_len;
	uint16_t sadb_x_req_exttype;
	uint8_t sadb_x_req_satype;     /* SADB_SATYPE_AH or _ESP */
	uint8_t sadb_x_req_auth;       /* SADB_AALG_* or ALG_ANY */
	uint8_t sadb_x_req_encrypt;    /* SADB_EALG_* or ALG_ANY */
	uint8_t sadb_x_req_reserved;
	uint16_t sadb_x_req_auth_minbits;
	uint16_t sadb_x_req_auth_maxbits;
	uint16_t sadb_x_req_encrypt_minbits;
	uint16_t sadb_x_req_encrypt_maxbits;
};
#define SADB_X_DPSEC_ALG_ANY 255

/* ------------------------------------------------------------------------ */
/* The wire sizes are the contract: pin them.                                */

static_assert(sizeof(struct sadb_msg) == 16, "sadb_msg");
static_assert(sizeof(struct sadb_ext) == 4, "sadb_ext");
static_assert(sizeof(struct sadb_sa) == 16, "sadb_sa");
static_assert(sizeof(struct sadb_lifetime) == 32, "sadb_lifetime");
static_assert(sizeof(struct sadb_address) == 8, "sadb_address");
static_assert(sizeof(struct sadb_key) == 8, "sadb_key");
static_assert(sizeof(struct sadb_ident) == 16, "sadb_ident");
static_assert(sizeof(struct sadb_sens) == 16, "sadb_sens");
static_assert(sizeof(struct sadb_prop) == 8, "sadb_prop");
static_assert(sizeof(struct sadb_comb) == 72, "sadb_comb");
static_assert(sizeof(struct sadb_x_ecomb) == 64, "sadb_x_ecomb");
static_assert(sizeof(struct sadb_x_algdesc) == 8, "sadb_x_algdesc");
static_assert(sizeof(struct sadb_supported) == 8, "sadb_supported");
static_assert(sizeof(struct sadb_alg) == 8, "sadb_alg");
static_assert(sizeof(struct sadb_spirange) == 16, "sadb_spirange");
static_assert(sizeof(struct sadb_x_ereg) == 8, "sadb_x_ereg");
static_assert(sizeof(struct sadb_x_kmc) == 16, "sadb_x_kmc");
static_assert(sizeof(struct sadb_x_pair) == 8, "sadb_x_pair");
static_assert(sizeof(struct sadb_x_replay_ctr) == 16, "sadb_x_replay_ctr");
static_assert(sizeof(struct sadb_x_edump) == 16, "sadb_x_edump");
static_assert(sizeof(struct sadb_x_dpsec_replay_window) == 16, "replay_window");
static_assert(sizeof(struct sadb_x_dpsec_seq_lease) == 16, "seq_lease");
static_assert(sizeof(struct sadb_x_dpsec_policy) == 16, "policy");
static_assert(sizeof(struct sadb_x_dpsec_selector) == 56, "selector");
static_assert(sizeof(struct sadb_x_dpsec_sareq) == 16, "sareq");

#ifdef __cplusplus
}
#endif

#endif /* DPSEC_PFKEYV2_H */
