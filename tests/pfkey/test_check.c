/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_check.c: pfk_check() message shapes, satype rules and cross-field
 * checks.
 *
 * One table of (message, direction, errno, diagnostic): valid shapes of
 * every message type in both directions, and at least one case for every
 * diagnostic pfk_check can give.  Every message in the table parses (the
 * test asserts it), so each case exercises the checker and not the parser.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "pfk_test_msg.h"

#define D(x) SADB_X_DIAGNOSTIC_##x
#define REQ PFK_DIR_REQUEST
#define REP PFK_DIR_REPLY
#define OK 0, D(NONE)
#define BAD(x) -EINVAL, D(x)
#define NOTSUP -EOPNOTSUPP, D(UNKNOWN_MSG)

#define ESP SADB_SATYPE_ESP
#define AH SADB_SATYPE_AH
#define SHA256 SADB_AALG_SHA256HMAC
#define AES SADB_EALG_AES
#define GCM16 SADB_EALG_AES_GCM_16

/* ESP SA with given algorithms and keys of given bits (0 = no key). */
static void esp_sa(struct tmsg *t, uint8_t type, uint8_t auth, uint8_t encr, uint16_t abits,
		   uint16_t ebits)
{
	tm_init(t, type, ESP);
	tm_sa(t, 0x1000, SADB_SASTATE_MATURE, auth, encr, 0);
	tm_sd4(t);
	if (abits != 0)
		tm_key(t, SADB_EXT_KEY_AUTH, abits, 0);
	if (ebits != 0)
		tm_key(t, SADB_EXT_KEY_ENCRYPT, ebits, 0);
}

static void ah_sa(struct tmsg *t, uint8_t auth, uint16_t abits)
{
	tm_init(t, SADB_ADD, AH);
	tm_sa(t, 0x1000, SADB_SASTATE_MATURE, auth, 0, 0);
	tm_sd4(t);
	tm_key(t, SADB_EXT_KEY_AUTH, abits, 0);
}

/* ADD with tunnel-mode inner addresses. */
static void add_tunnel(struct tmsg *t)
{
	tm_add_esp(t, SADB_ADD);
	tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_SRC, "10.0.0.0", 0, 0, 8);
	tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_DST, "10.1.0.0", 0, 0, 16);
}

static void sa_reply(struct tmsg *t, uint8_t type)
{
	tm_init(t, type, ESP);
	tm_sa(t, 0x1000, SADB_SASTATE_MATURE, SHA256, AES, 0);
	tm_sd4(t);
}

static void expire(struct tmsg *t)
{
	sa_reply(t, SADB_EXPIRE);
	tm_lifetime(t, SADB_EXT_LIFETIME_CURRENT, 3, 100, 1700000000, 1700000100);
}

static void acquire(struct tmsg *t, uint8_t type)
{
	tm_init(t, type, ESP);
	tm_sd4(t);
}

/* SPD rule with policy (dir out), selector and no SAREQ. */
static struct sadb_x_dpsec_policy *spd_rule(struct tmsg *t, uint8_t type, uint8_t action,
					    uint8_t mode)
{
	struct sadb_x_dpsec_policy *p;

	tm_init(t, type, 0);
	p = tm_policy(t, SADB_X_DPSEC_DIR_OUT, action, mode);
	tm_selector4(t, SADB_X_EXT_DPSEC_SELECTOR);
	return p;
}

static void spd_tunnel(struct tmsg *t)
{
	spd_rule(t, SADB_X_DPSEC_SPDADD, SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TUNNEL);
	tm_selector4(t, SADB_X_EXT_DPSEC_INNER_SELECTOR);
	tm_sd4(t);
	tm_sareq(t, ESP, 0, GCM16);
}

/* ------------------------------------------------------------------------ */
/* X(name, dir, OK | BAD(diag) | NOTSUP, body using `t`)                         */

#define CASES(X)                                                                              \
	/* ---- valid shapes ---- */                                                          \
	X(getspi_req, REQ, OK, acquire(t, SADB_GETSPI); tm_spirange(t, 0x100, 0xffff);)        \
	X(getspi_rep, REP, OK, sa_reply(t, SADB_GETSPI);)                                       \
	X(add_esp, REQ, OK, tm_add_esp(t, SADB_ADD);)                                           \
	X(add_esp_full, REQ, OK, add_tunnel(t);                                                 \
	  tm_lifetime(t, SADB_EXT_LIFETIME_HARD, 100, 1000, 3600, 600);                         \
	  tm_lifetime(t, SADB_EXT_LIFETIME_SOFT, 100, 1000, 3000, 600);                         \
	  tm_lifetime(t, SADB_X_EXT_LIFETIME_IDLE, 0, 0, 300, 600);                             \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_LOC, "198.51.100.1", 4500, 0, 0);                 \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_REM, "203.0.113.1", 4500, 0, 0);                  \
	  tm_ident(t, SADB_EXT_IDENTITY_SRC, SADB_IDENTTYPE_FQDN, "a.example");                 \
	  tm_ident(t, SADB_EXT_IDENTITY_DST, SADB_IDENTTYPE_FQDN, "b.example");                 \
	  tm_kmc(t, SADB_X_KMP_IKE, 1); tm_pair(t, 0x1001); tm_replay_value(t, 5, 0);           \
	  tm_replay_window(t, 4096, SADB_X_DPSEC_RW_ESN); tm_seq_lease(t, 1 << 20);)            \
	X(add_esp_natt_flags, REQ, OK, tm_add_esp(t, SADB_ADD);                                 \
	  SA(t)->sadb_sa_flags = SADB_X_SAFLAGS_NATT_LOC | SADB_X_SAFLAGS_NATT_REM |            \
				 SADB_X_SAFLAGS_INBOUND;                                        \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_LOC, "198.51.100.1", 4500, 0, 0);                 \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_REM, "203.0.113.1", 4500, 0, 0);)                 \
	X(add_esp_v6, REQ, OK, tm_init(t, SADB_ADD, ESP);                                       \
	  tm_sa(t, 1, 0, 0, SADB_X_EALG_CHACHA20_POLY1305, 0);                                  \
	  tm_addr6(t, SADB_EXT_ADDRESS_SRC, "2001:db8::1", 0, 0, 0);                            \
	  tm_addr6(t, SADB_EXT_ADDRESS_DST, "2001:db8::2", 0, 0, 0);                            \
	  tm_key(t, SADB_EXT_KEY_ENCRYPT, 288, 32);)                                            \
	X(add_ah, REQ, OK, ah_sa(t, SHA256, 256);)                                              \
	X(add_gcm_salt_default, REQ, OK, esp_sa(t, SADB_ADD, 0, GCM16, 0, 160);)                \
	X(add_gcm_256, REQ, OK, esp_sa(t, SADB_ADD, 0, GCM16, 0, 288);                          \
	  EKEY(t)->sadb_x_key_saltbits = 32;)                                                   \
	X(add_gmac, REQ, OK, esp_sa(t, SADB_ADD, 0, SADB_X_EALG_NULL_AES_GMAC, 0, 160);)        \
	X(add_null_sha1, REQ, OK,                                                               \
	  esp_sa(t, SADB_ADD, SADB_AALG_SHA1HMAC, SADB_EALG_NULL, 160, 0);)                     \
	X(add_aes_ctr_sha512, REQ, OK, esp_sa(t, SADB_ADD, SADB_AALG_SHA512HMAC,               \
					      SADB_X_EALG_AES_CTR, 512, 224);)                  \
	X(add_state_larval_0, REQ, OK, tm_add_esp(t, SADB_ADD); SA(t)->sadb_sa_state = 0;)      \
	X(add_state_elsewhere_4, REQ, OK, tm_add_esp(t, SADB_ADD); SA(t)->sadb_sa_state = 4;)   \
	X(add_state_idle_5, REQ, OK, tm_add_esp(t, SADB_ADD); SA(t)->sadb_sa_state = 5;)        \
	X(add_state_active_6, REQ, OK, tm_add_esp(t, SADB_ADD); SA(t)->sadb_sa_state = 6;)      \
	X(add_rep, REP, OK, sa_reply(t, SADB_ADD);                                              \
	  tm_lifetime(t, SADB_EXT_LIFETIME_CURRENT, 0, 0, 1700000000, 0);)                      \
	X(update_state_only, REQ, OK, sa_reply(t, SADB_UPDATE); SA(t)->sadb_sa_state = 3;)      \
	X(update_keys, REQ, OK, tm_add_esp(t, SADB_UPDATE);)                                    \
	X(update_replay, REQ, OK, sa_reply(t, SADB_UPDATE); tm_replay_value(t, 0, 1ull << 32);  \
	  tm_seq_lease(t, 1ull << 33);)                                                         \
	X(update_rep, REP, OK, sa_reply(t, SADB_UPDATE);)                                       \
	X(delete_req, REQ, OK, sa_reply(t, SADB_DELETE);)                                       \
	X(delete_req_no_src, REQ, OK, tm_init(t, SADB_DELETE, AH); tm_sa(t, 1, 0, 0, 0, 0);     \
	  tm_addr4(t, SADB_EXT_ADDRESS_DST, "192.0.2.2", 0, 0, 0);)                             \
	X(delete_rep, REP, OK, sa_reply(t, SADB_DELETE);)                                       \
	X(get_req, REQ, OK, sa_reply(t, SADB_GET);)                                             \
	X(get_rep_full, REP, OK, tm_add_esp(t, SADB_GET);                                       \
	  tm_lifetime(t, SADB_EXT_LIFETIME_CURRENT, 1, 2, 1700000000, 1700000001);              \
	  tm_replay_value(t, 9, 9); tm_replay_window(t, 64, 0); tm_seq_lease(t, 1 << 16);       \
	  tm_kmc(t, 1, 7); tm_pair(t, 0x1001);)                                                 \
	X(acquire_rep_prop, REP, OK, acquire(t, SADB_ACQUIRE); tm_proposal(t, SHA256, AES);)    \
	X(acquire_rep_eprop, REP, OK, acquire(t, SADB_ACQUIRE); tm_eprop(t);                    \
	  tm_kmc(t, 1, 7); tm_ident(t, SADB_EXT_IDENTITY_SRC, 2, "a.example");)                 \
	X(acquire_req_failure, REQ, OK, tm_init(t, SADB_ACQUIRE, ESP);                          \
	  tm_hdr(t)->sadb_msg_errno = ENOENT;)                                                  \
	X(register_req, REQ, OK, tm_init(t, SADB_REGISTER, ESP);)                               \
	X(register_req_all, REQ, OK, tm_init(t, SADB_REGISTER, 0);)                             \
	X(register_req_ereg, REQ, OK, tm_init(t, SADB_REGISTER, 0); tm_ereg(t, ESP, AH);)       \
	X(register_rep, REP, OK, tm_init(t, SADB_REGISTER, ESP);                                \
	  tm_supported(t, SADB_EXT_SUPPORTED_AUTH, SHA256, 256, 256);                           \
	  tm_supported(t, SADB_EXT_SUPPORTED_ENCRYPT, AES, 128, 256);)                          \
	X(expire_hard, REP, OK, expire(t); tm_lifetime(t, SADB_EXT_LIFETIME_HARD, 0, 0, 60, 0);) \
	X(expire_idle_natt, REP, OK, expire(t);                                                 \
	  tm_lifetime(t, SADB_X_EXT_LIFETIME_IDLE, 0, 0, 60, 0);                                \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_LOC, "198.51.100.1", 4500, 0, 0);)                \
	X(flush_all, REQ, OK, tm_init(t, SADB_FLUSH, 0);)                                       \
	X(flush_ah_rep, REP, OK, tm_init(t, SADB_FLUSH, AH);)                                   \
	X(dump_req, REQ, OK, tm_init(t, SADB_DUMP, 0);)                                         \
	X(dump_req_edump, REQ, OK, tm_init(t, SADB_DUMP, ESP); tm_edump(t, 30);)                \
	X(dump_rep_end, REP, OK, tm_init(t, SADB_DUMP, 0);)                                     \
	X(dump_rep_sa, REP, OK, tm_add_esp(t, SADB_DUMP);                                       \
	  tm_lifetime(t, SADB_EXT_LIFETIME_CURRENT, 1, 2, 3, 4);)                               \
	X(promisc_on, REQ, OK, tm_init(t, SADB_X_PROMISC, 1);)                                  \
	X(promisc_rep_anything, REP, OK, tm_add_esp(t, SADB_X_PROMISC);                         \
	  tm_policy(t, 1, 1, 0); tm_edump(t, 1); tm_proposal(t, SHA256, AES);)                  \
	X(inverse_acquire_req, REQ, OK, acquire(t, SADB_X_INVERSE_ACQUIRE);                     \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_SRC, "10.0.0.1", 0, 6, 32);                      \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_DST, "10.1.0.1", 0, 6, 32); tm_kmc(t, 1, 1);)     \
	X(inverse_acquire_rep, REP, OK, acquire(t, SADB_X_INVERSE_ACQUIRE); tm_eprop(t);)       \
	X(updatepair_req, REQ, OK, sa_reply(t, SADB_X_UPDATEPAIR);                              \
	  tm_lifetime(t, SADB_EXT_LIFETIME_SOFT, 0, 0, 100, 0); tm_replay_value(t, 1, 0);       \
	  tm_replay_window(t, 128, 0); tm_seq_lease(t, 1000);)                                  \
	X(updatepair_rep, REP, OK, sa_reply(t, SADB_X_UPDATEPAIR);)                             \
	X(delpair_req, REQ, OK, sa_reply(t, SADB_X_DELPAIR);)                                   \
	X(delpair_rep, REP, OK, sa_reply(t, SADB_X_DELPAIR);)                                   \
	X(delpair_state_req, REQ, OK, tm_init(t, SADB_X_DELPAIR_STATE, 0);                      \
	  tm_sa(t, 0, SADB_X_SASTATE_ACTIVE_ELSEWHERE, 0, 0, 0);                                \
	  tm_addr4(t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0, 0);)                             \
	X(spdadd_req, REQ, OK, tm_spdadd(t);)                                                   \
	X(spdadd_rep, REP, OK, tm_spdadd(t); POLICY(t)->sadb_x_pol_index = 7;)                  \
	X(spdadd_tunnel, REQ, OK, spd_tunnel(t);)                                               \
	X(spdadd_bundle, REQ, OK, tm_spdadd(t); tm_sareq(t, AH, SHA256, 0);                     \
	  tm_sareq(t, ESP, SHA256, AES); tm_sareq(t, ESP, 0, SADB_X_DPSEC_ALG_ANY);)            \
	X(spdadd_bypass, REQ, OK,                                                               \
	  spd_rule(t, SADB_X_DPSEC_SPDADD, SADB_X_DPSEC_ACTION_BYPASS, 0);)                     \
	X(spdadd_discard_any, REQ, OK,                                                          \
	  spd_rule(t, SADB_X_DPSEC_SPDADD, SADB_X_DPSEC_ACTION_DISCARD, 0);                     \
	  SEL_ANY(t);)                                                                          \
	X(spddelete_req, REQ, OK, tm_init(t, SADB_X_DPSEC_SPDDELETE, 0); tm_policy(t, 2, 3, 1);) \
	X(spddelete_rep, REP, OK, tm_spdadd(t); tm_hdr(t)->sadb_msg_type = 241;)                \
	X(spdget_req, REQ, OK, tm_init(t, SADB_X_DPSEC_SPDGET, 0); tm_policy(t, 1, 1, 0);)      \
	X(spdget_rep, REP, OK, spd_tunnel(t); tm_hdr(t)->sadb_msg_type = 242;)                  \
	X(spddump_req, REQ, OK, tm_init(t, SADB_X_DPSEC_SPDDUMP, 0);)                           \
	X(spddump_rep_end, REP, OK, tm_init(t, SADB_X_DPSEC_SPDDUMP, 0);)                       \
	X(spddump_rep_rule, REP, OK, tm_spdadd(t); tm_hdr(t)->sadb_msg_type = 243;)             \
	X(spdflush_req, REQ, OK, tm_init(t, SADB_X_DPSEC_SPDFLUSH, 0);)                         \
	X(error_reply, REP, OK, tm_init(t, SADB_ADD, ESP); tm_hdr(t)->sadb_msg_errno = EEXIST;  \
	  tm_hdr(t)->sadb_x_msg_diagnostic = D(DUPLICATE_SA);)                                  \
	X(error_reply_bad_satype, REP, OK, tm_init(t, SADB_ADD, 9);                             \
	  tm_hdr(t)->sadb_msg_errno = EINVAL;)                                                  \
	/* ---- message and errno ---- */                                                     \
	X(expire_req, REQ, NOTSUP, expire(t);                              \
	  tm_lifetime(t, SADB_EXT_LIFETIME_HARD, 0, 0, 60, 0);)                                 \
	X(acquire_req_success, REQ, NOTSUP, acquire(t, SADB_ACQUIRE);      \
	  tm_proposal(t, SHA256, AES);)                                                         \
	X(request_errno, REQ, BAD(DPSEC_REQUEST_ERRNO), tm_add_esp(t, SADB_ADD);                \
	  tm_hdr(t)->sadb_msg_errno = 1;)                                                       \
	X(acquire_failure_exts, REQ, BAD(DPSEC_EXT_NOT_ALLOWED), acquire(t, SADB_ACQUIRE);      \
	  tm_hdr(t)->sadb_msg_errno = ENOENT;)                                                  \
	X(acquire_failure_satype, REQ, BAD(SATYPE_NEEDED), tm_init(t, SADB_ACQUIRE, 0);         \
	  tm_hdr(t)->sadb_msg_errno = ENOENT;)                                                  \
	X(error_reply_with_ext, REP, BAD(DPSEC_EXT_NOT_ALLOWED), tm_add_esp(t, SADB_GET);       \
	  tm_hdr(t)->sadb_msg_errno = EINVAL;)                                                  \
	/* ---- satype ---- */                                                                \
	X(add_satype_0, REQ, BAD(SATYPE_NEEDED), tm_add_esp(t, SADB_ADD);                       \
	  tm_hdr(t)->sadb_msg_satype = 0;)                                                      \
	X(add_satype_5, REQ, BAD(UNKNOWN_SATYPE), tm_add_esp(t, SADB_ADD);                      \
	  tm_hdr(t)->sadb_msg_satype = 5;)                                                      \
	X(flush_satype_1, REQ, BAD(UNKNOWN_SATYPE), tm_init(t, SADB_FLUSH, 1);)                 \
	X(spdadd_satype_3, REQ, BAD(UNKNOWN_SATYPE), tm_spdadd(t);                              \
	  tm_hdr(t)->sadb_msg_satype = 3;)                                                      \
	X(getspi_rep_satype_0, REP, BAD(SATYPE_NEEDED), sa_reply(t, SADB_GETSPI);               \
	  tm_hdr(t)->sadb_msg_satype = 0;)                                                      \
	/* ---- required extensions ---- */                                                   \
	X(add_no_sa, REQ, BAD(MISSING_SA), tm_init(t, SADB_ADD, ESP); tm_sd4(t);)               \
	X(add_no_src, REQ, BAD(MISSING_SRC), tm_init(t, SADB_ADD, ESP);                         \
	  tm_sa(t, 1, 1, SHA256, AES, 0);                                                       \
	  tm_addr4(t, SADB_EXT_ADDRESS_DST, "192.0.2.2", 0, 0, 0);)                             \
	X(get_no_dst, REQ, BAD(MISSING_DST), tm_init(t, SADB_GET, ESP); tm_sa(t, 1, 0, 0, 0, 0); \
	  tm_addr4(t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0, 0);)                             \
	X(getspi_no_range, REQ, BAD(MISSING_RANGE), acquire(t, SADB_GETSPI);)                   \
	X(getspi_rep_no_sa, REP, BAD(MISSING_SA), acquire(t, SADB_GETSPI);)                     \
	X(delpair_state_no_src, REQ, BAD(MISSING_SRC), tm_init(t, SADB_X_DELPAIR_STATE, 3);     \
	  tm_sa(t, 0, 4, 0, 0, 0);)                                                             \
	X(expire_no_current, REP, BAD(MISSING_LIFETIME), sa_reply(t, SADB_EXPIRE);              \
	  tm_lifetime(t, SADB_EXT_LIFETIME_HARD, 0, 0, 60, 0);)                                 \
	X(expire_no_hsi, REP, BAD(MISSING_LIFETIME), expire(t);)                                \
	X(acquire_no_prop, REP, BAD(NO_EXT), acquire(t, SADB_ACQUIRE);)                         \
	X(acquire_no_dst, REP, BAD(MISSING_DST), tm_init(t, SADB_ACQUIRE, ESP);                 \
	  tm_addr4(t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0, 0); tm_eprop(t);)                \
	X(spdadd_no_policy, REQ, BAD(DPSEC_MISSING_POLICY), tm_init(t, SADB_X_DPSEC_SPDADD, 0); \
	  tm_selector4(t, SADB_X_EXT_DPSEC_SELECTOR);)                                          \
	X(spdadd_no_selector, REQ, BAD(DPSEC_MISSING_SELECTOR),                                 \
	  tm_init(t, SADB_X_DPSEC_SPDADD, 0); tm_policy(t, 1, 1, 0);)                           \
	X(spdget_no_policy, REQ, BAD(DPSEC_MISSING_POLICY), tm_init(t, SADB_X_DPSEC_SPDGET, 0);) \
	X(spdget_rep_no_selector, REP, BAD(DPSEC_MISSING_SELECTOR),                             \
	  tm_init(t, SADB_X_DPSEC_SPDGET, 0); tm_policy(t, 1, 1, 0);)                           \
	X(spdadd_ipsec_no_sareq, REQ, BAD(DPSEC_MISSING_SAREQ),                                 \
	  spd_rule(t, SADB_X_DPSEC_SPDADD, SADB_X_DPSEC_ACTION_IPSEC, 1);)                      \
	/* ---- forbidden extensions ---- */                                                  \
	X(get_req_akey, REQ, BAD(AKEY_PRESENT), sa_reply(t, SADB_GET);                          \
	  tm_key(t, SADB_EXT_KEY_AUTH, 256, 0);)                                                \
	X(delete_req_ekey, REQ, BAD(EKEY_PRESENT), sa_reply(t, SADB_DELETE);                    \
	  tm_key(t, SADB_EXT_KEY_ENCRYPT, 128, 0);)                                             \
	X(add_rep_keys, REP, BAD(AKEY_PRESENT), tm_add_esp(t, SADB_ADD);)                       \
	X(updatepair_keys, REQ, BAD(EKEY_PRESENT), sa_reply(t, SADB_X_UPDATEPAIR);              \
	  tm_key(t, SADB_EXT_KEY_ENCRYPT, 128, 0);)                                             \
	X(add_proposal, REQ, BAD(PROP_PRESENT), tm_add_esp(t, SADB_ADD);                        \
	  tm_proposal(t, SHA256, AES);)                                                         \
	X(getspi_eprop, REQ, BAD(PROP_PRESENT), acquire(t, SADB_GETSPI);                        \
	  tm_spirange(t, 1, 2); tm_eprop(t);)                                                   \
	X(register_req_supported, REQ, BAD(SUPP_PRESENT), tm_init(t, SADB_REGISTER, ESP);       \
	  tm_supported(t, SADB_EXT_SUPPORTED_ENCRYPT, AES, 128, 256);)                          \
	X(get_req_pair, REQ, BAD(PAIR_INAPPROPRIATE), sa_reply(t, SADB_GET); tm_pair(t, 9);)    \
	X(updatepair_pair, REQ, BAD(PAIR_INAPPROPRIATE), sa_reply(t, SADB_X_UPDATEPAIR);        \
	  tm_pair(t, 9);)                                                                       \
	X(add_req_current, REQ, BAD(DPSEC_EXT_NOT_ALLOWED), tm_add_esp(t, SADB_ADD);            \
	  tm_lifetime(t, SADB_EXT_LIFETIME_CURRENT, 0, 0, 1, 0);)                               \
	X(add_sensitivity, REQ, BAD(DPSEC_EXT_NOT_ALLOWED), tm_add_esp(t, SADB_ADD);            \
	  tm_sens(t, SADB_EXT_SENSITIVITY);)                                                    \
	X(get_req_edump, REQ, BAD(DPSEC_EXT_NOT_ALLOWED), sa_reply(t, SADB_GET);                \
	  tm_edump(t, 1);)                                                                      \
	X(dump_rep_edump, REP, BAD(DPSEC_EXT_NOT_ALLOWED), tm_add_esp(t, SADB_DUMP);            \
	  tm_edump(t, 1);)                                                                      \
	X(flush_with_sa, REQ, BAD(DPSEC_EXT_NOT_ALLOWED), tm_init(t, SADB_FLUSH, 0);            \
	  tm_sa(t, 1, 0, 0, 0, 0);)                                                             \
	X(promisc_req_ext, REQ, BAD(DPSEC_EXT_NOT_ALLOWED), tm_init(t, SADB_X_PROMISC, 1);      \
	  tm_edump(t, 1);)                                                                      \
	X(expire_two_limits, REP, BAD(DPSEC_EXT_NOT_ALLOWED), expire(t);                        \
	  tm_lifetime(t, SADB_EXT_LIFETIME_HARD, 0, 0, 60, 0);                                  \
	  tm_lifetime(t, SADB_EXT_LIFETIME_SOFT, 0, 0, 50, 0);)                                 \
	X(register_ereg_satype, REQ, BAD(DPSEC_EXT_NOT_ALLOWED), tm_init(t, SADB_REGISTER, ESP); \
	  tm_ereg(t, ESP, 0);)                                                                  \
	X(spdget_req_selector, REQ, BAD(DPSEC_EXT_NOT_ALLOWED),                                 \
	  spd_rule(t, SADB_X_DPSEC_SPDGET, 1, 0);)                                              \
	X(spdadd_bypass_endpoints, REQ, BAD(DPSEC_EXT_NOT_ALLOWED),                             \
	  spd_rule(t, SADB_X_DPSEC_SPDADD, SADB_X_DPSEC_ACTION_BYPASS, 0); tm_sd4(t);)          \
	X(spdadd_transport_inner, REQ, BAD(DPSEC_EXT_NOT_ALLOWED), tm_spdadd(t);                \
	  tm_selector4(t, SADB_X_EXT_DPSEC_INNER_SELECTOR);)                                    \
	X(spdadd_tunnel_src_only, REQ, BAD(MISSING_DST),                                        \
	  spd_rule(t, SADB_X_DPSEC_SPDADD, SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TUNNEL); \
	  tm_sareq(t, ESP, 0, GCM16);                                                           \
	  tm_addr4(t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0, 0);)                             \
	X(spdadd_tunnel_dst_only, REQ, BAD(MISSING_SRC),                                        \
	  spd_rule(t, SADB_X_DPSEC_SPDADD, SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TUNNEL); \
	  tm_sareq(t, ESP, 0, GCM16);                                                           \
	  tm_addr4(t, SADB_EXT_ADDRESS_DST, "192.0.2.1", 0, 0, 0);)                             \
	X(spdadd_tunnel_af_mismatch, REQ, BAD(AF_MISMATCH),                                     \
	  spd_rule(t, SADB_X_DPSEC_SPDADD, SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TUNNEL); \
	  tm_sareq(t, ESP, 0, GCM16);                                                           \
	  tm_addr4(t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0, 0);                              \
	  tm_addr6(t, SADB_EXT_ADDRESS_DST, "2001:db8::2", 0, 0, 0);)                           \
	X(spdadd_bypass_sareq, REQ, BAD(DPSEC_SAREQ_PRESENT),                                   \
	  spd_rule(t, SADB_X_DPSEC_SPDADD, SADB_X_DPSEC_ACTION_DISCARD, 0);                     \
	  tm_sareq(t, ESP, 0, AES);)                                                            \
	X(spdadd_bypass_mode, REQ, BAD(DPSEC_MALFORMED_POLICY),                                 \
	  spd_rule(t, SADB_X_DPSEC_SPDADD, SADB_X_DPSEC_ACTION_BYPASS, 1);)                     \
	X(spdadd_bypass_unique, REQ, BAD(DPSEC_MALFORMED_POLICY),                               \
	  spd_rule(t, SADB_X_DPSEC_SPDADD, SADB_X_DPSEC_ACTION_BYPASS, 0)->sadb_x_pol_flags = 1;) \
	X(sareq_ah_no_auth, REQ, BAD(BAD_AALG), tm_spdadd(t); tm_sareq(t, AH, 0, 0);)           \
	X(sareq_unknown_auth, REQ, BAD(BAD_AALG), tm_spdadd(t); tm_sareq(t, ESP, 4, AES);)      \
	X(sareq_aead_auth, REQ, BAD(BAD_AALG), tm_spdadd(t); tm_sareq(t, ESP, SHA256, GCM16);)  \
	X(sareq_null_no_auth, REQ, BAD(BAD_AALG), tm_spdadd(t);                                 \
	  tm_sareq(t, ESP, 0, SADB_EALG_NULL);)                                                 \
	X(sareq_esp_no_encr, REQ, BAD(BAD_EALG), tm_spdadd(t); tm_sareq(t, ESP, SHA256, 0);)    \
	X(sareq_unknown_encr, REQ, BAD(BAD_EALG), tm_spdadd(t); tm_sareq(t, ESP, 0, 99);)       \
	/* ---- addresses ---- */                                                             \
	X(add_af_mismatch, REQ, BAD(AF_MISMATCH), tm_init(t, SADB_ADD, ESP);                    \
	  tm_sa(t, 1, 1, SHA256, AES, 0);                                                       \
	  tm_addr4(t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0, 0);                              \
	  tm_addr6(t, SADB_EXT_ADDRESS_DST, "2001:db8::2", 0, 0, 0);)                           \
	X(add_proto_mismatch, REQ, BAD(PROTO_MISMATCH), tm_init(t, SADB_ADD, ESP);              \
	  tm_sa(t, 1, 1, SHA256, AES, 0);                                                       \
	  tm_addr4(t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 6, 0);                              \
	  tm_addr4(t, SADB_EXT_ADDRESS_DST, "192.0.2.2", 0, 17, 0);)                            \
	X(add_inner_src_only, REQ, BAD(MISSING_INNER_DST), tm_add_esp(t, SADB_ADD);             \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_SRC, "10.0.0.0", 0, 0, 8);)                      \
	X(add_inner_dst_only, REQ, BAD(MISSING_INNER_SRC), tm_add_esp(t, SADB_ADD);             \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_DST, "10.0.0.0", 0, 0, 8);)                      \
	X(add_inner_af, REQ, BAD(INNER_AF_MISMATCH), tm_add_esp(t, SADB_ADD);                   \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_SRC, "10.0.0.0", 0, 0, 8);                       \
	  tm_addr6(t, SADB_X_EXT_ADDRESS_INNER_DST, "2001:db8::", 0, 0, 64);)                   \
	X(add_inner_proto, REQ, BAD(INNER_PROTO_MISMATCH), tm_add_esp(t, SADB_ADD);             \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_SRC, "10.0.0.0", 0, 6, 8);                       \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_DST, "10.1.0.0", 0, 0, 16);)                     \
	X(add_dual_ports, REQ, BAD(DUAL_PORT_SETS), tm_init(t, SADB_ADD, ESP);                  \
	  tm_sa(t, 1, 1, SHA256, AES, 0);                                                       \
	  tm_addr4(t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 500, 17, 0);                           \
	  tm_addr4(t, SADB_EXT_ADDRESS_DST, "192.0.2.2", 0, 17, 0);                             \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_SRC, "10.0.0.0", 0, 0, 8);                       \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_DST, "10.1.0.0", 0, 0, 16);)                     \
	X(acquire_rep_af, REP, BAD(AF_MISMATCH), tm_init(t, SADB_ACQUIRE, ESP);                 \
	  tm_addr4(t, SADB_EXT_ADDRESS_SRC, "192.0.2.1", 0, 0, 0);                              \
	  tm_addr6(t, SADB_EXT_ADDRESS_DST, "2001:db8::2", 0, 0, 0); tm_eprop(t);)              \
	/* ---- lifetimes ---- */                                                             \
	X(alloc_hserr, REQ, BAD(ALLOC_HSERR), tm_add_esp(t, SADB_ADD); LT(HARD, 10, 0, 0, 0);   \
	  LT(SOFT, 11, 0, 0, 0);)                                                               \
	X(bytes_hserr, REQ, BAD(BYTES_HSERR), tm_add_esp(t, SADB_ADD); LT(SOFT, 0, 11, 0, 0);   \
	  LT(HARD, 0, 10, 0, 0);)                                                               \
	X(addtime_hserr, REQ, BAD(ADDTIME_HSERR), tm_add_esp(t, SADB_ADD);                      \
	  LT(HARD, 0, 0, 10, 0); LT(SOFT, 0, 0, 11, 0);)                                        \
	X(usetime_hserr, REQ, BAD(USETIME_HSERR), tm_add_esp(t, SADB_UPDATE);                   \
	  LT(HARD, 0, 0, 0, 10); LT(SOFT, 0, 0, 0, 11);)                                        \
	X(idle_add_over_soft, REQ, BAD(ADDTIME_HSERR), tm_add_esp(t, SADB_ADD);                 \
	  LT(SOFT, 0, 0, 100, 0); LT(IDLE, 0, 0, 101, 0);)                                      \
	X(idle_use_over_hard, REQ, BAD(USETIME_HSERR), sa_reply(t, SADB_X_UPDATEPAIR);          \
	  LT(HARD, 0, 0, 0, 100); LT(IDLE, 0, 0, 0, 101);)                                      \
	X(soft_unset_hard_set, REQ, OK, tm_add_esp(t, SADB_ADD); LT(HARD, 10, 10, 10, 10);      \
	  LT(SOFT, 0, 0, 0, 0); LT(IDLE, 0, 0, 10, 10);)                                        \
	/* ---- SA flags and state ---- */                                                    \
	X(add_both_directions, REQ, BAD(BAD_SA_DIRECTION), tm_add_esp(t, SADB_ADD);             \
	  SA(t)->sadb_sa_flags = SADB_X_SAFLAGS_INBOUND | SADB_X_SAFLAGS_OUTBOUND;)             \
	X(get_rep_both_directions, REP, BAD(BAD_SA_DIRECTION), sa_reply(t, SADB_GET);           \
	  SA(t)->sadb_sa_flags = SADB_X_SAFLAGS_INBOUND | SADB_X_SAFLAGS_OUTBOUND;)             \
	X(add_natt_loc_flag, REQ, BAD(MISSING_NATT_LOC), tm_add_esp(t, SADB_ADD);               \
	  SA(t)->sadb_sa_flags = SADB_X_SAFLAGS_NATT_LOC;)                                      \
	X(add_natt_rem_flag, REQ, BAD(MISSING_NATT_REM), tm_add_esp(t, SADB_ADD);               \
	  SA(t)->sadb_sa_flags = SADB_X_SAFLAGS_NATT_REM;                                       \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_LOC, "198.51.100.1", 4500, 0, 0);)                \
	X(add_state_dying, REQ, BAD(BAD_SASTATE), tm_add_esp(t, SADB_ADD);                      \
	  SA(t)->sadb_sa_state = SADB_SASTATE_DYING;)                                           \
	X(add_state_dead, REQ, BAD(BAD_SASTATE), tm_add_esp(t, SADB_ADD);                       \
	  SA(t)->sadb_sa_state = SADB_SASTATE_DEAD;)                                            \
	/* ---- algorithms and keys ---- */                                                   \
	X(ah_no_auth, REQ, BAD(BAD_AALG), ah_sa(t, 0, 256);)                                    \
	X(ah_unknown_auth, REQ, BAD(BAD_AALG), ah_sa(t, 4, 256);)                               \
	X(ah_with_encr, REQ, BAD(BAD_EALG), ah_sa(t, SHA256, 256); SA(t)->sadb_sa_encrypt = AES;) \
	X(ah_with_ekey, REQ, BAD(EKEY_PRESENT), ah_sa(t, SHA256, 256);                          \
	  tm_key(t, SADB_EXT_KEY_ENCRYPT, 128, 0);)                                             \
	X(esp_no_encr, REQ, BAD(BAD_EALG), esp_sa(t, SADB_ADD, SHA256, 0, 256, 0);)             \
	X(esp_unknown_encr, REQ, BAD(BAD_EALG), esp_sa(t, SADB_ADD, SHA256, 17, 256, 128);)     \
	X(esp_unknown_auth, REQ, BAD(BAD_AALG), esp_sa(t, SADB_ADD, 1, AES, 256, 128);)         \
	X(esp_aead_with_auth, REQ, BAD(BAD_AALG), esp_sa(t, SADB_ADD, SHA256, GCM16, 256, 160);) \
	X(esp_null_no_auth, REQ, BAD(BAD_AALG), esp_sa(t, SADB_ADD, 0, SADB_EALG_NULL, 0, 0);)  \
	X(esp_missing_ekey, REQ, BAD(MISSING_EKEY), esp_sa(t, SADB_ADD, SHA256, AES, 256, 0);)  \
	X(esp_null_with_ekey, REQ, BAD(EKEY_PRESENT),                                           \
	  esp_sa(t, SADB_ADD, SHA256, SADB_EALG_NULL, 256, 128);)                               \
	X(esp_missing_akey, REQ, BAD(MISSING_AKEY), esp_sa(t, SADB_ADD, SHA256, AES, 0, 128);)  \
	X(esp_akey_no_auth, REQ, BAD(AKEY_PRESENT), esp_sa(t, SADB_ADD, 0, GCM16, 256, 160);)   \
	X(esp_ekey_bits, REQ, BAD(BAD_EKEYBITS), esp_sa(t, SADB_ADD, SHA256, AES, 256, 136);)   \
	X(esp_ekey_salt_wrong, REQ, BAD(BAD_EKEYBITS), esp_sa(t, SADB_ADD, 0, GCM16, 0, 160);   \
	  EKEY(t)->sadb_x_key_saltbits = 24;)                                                   \
	X(esp_ekey_shorter_than_salt, REQ, BAD(BAD_EKEYBITS),                                   \
	  esp_sa(t, SADB_ADD, 0, GCM16, 0, 16);)                                                \
	X(esp_ekey_no_salt_room, REQ, BAD(BAD_EKEYBITS), esp_sa(t, SADB_ADD, 0, GCM16, 0, 128);) \
	X(esp_akey_bits, REQ, BAD(BAD_AKEYBITS), esp_sa(t, SADB_ADD, SHA256, AES, 160, 128);)   \
	X(ah_akey_bits, REQ, BAD(BAD_AKEYBITS), ah_sa(t, SADB_AALG_SHA1HMAC, 256);)             \
	X(update_keys_bad_bits, REQ, BAD(BAD_EKEYBITS),                                         \
	  esp_sa(t, SADB_UPDATE, SHA256, AES, 256, 64);)                                        \
	X(update_keys_missing_akey, REQ, BAD(MISSING_AKEY),                                     \
	  esp_sa(t, SADB_UPDATE, SHA256, AES, 0, 128);)

/* Helpers the case bodies use. */
#define SA(t) ((struct sadb_sa *)(void *)(tm_bytes(t) + 16))
#define POLICY(t) ((struct sadb_x_dpsec_policy *)(void *)(tm_bytes(t) + 16))
#define LT(kind, a, b, c, d) tm_lifetime(t, LT_TYPE_##kind, (a), (b), (c), (d))
#define LT_TYPE_HARD SADB_EXT_LIFETIME_HARD
#define LT_TYPE_SOFT SADB_EXT_LIFETIME_SOFT
#define LT_TYPE_IDLE SADB_X_EXT_LIFETIME_IDLE
#define SEL_ANY(t) do {                                                                       \
		struct sadb_x_dpsec_selector *s_ =                                             \
			(void *)(tm_bytes(t) + 16 + sizeof(struct sadb_x_dpsec_policy));       \
		memset(&s_->sadb_x_sel_family, 0, 56 - 4);                                     \
	} while (0)

/* The encryption key extension of the message (found by walking). */
static struct sadb_key *find_ekey(struct tmsg *t)
{
	for (size_t off = 16; off < t->len;) {
		struct sadb_ext *e = (void *)(tm_bytes(t) + off);

		if (e->sadb_ext_type == SADB_EXT_KEY_ENCRYPT)
			return (struct sadb_key *)(void *)e;
		off += 8u * e->sadb_ext_len;
	}
	fail_msg("no encryption key in the test message");
	return NULL;
}
#define EKEY(t) find_ekey(t)

struct check_case {
	const char *name;
	void (*build)(struct tmsg *t);
	enum pfk_dir dir;
	int rc;
	uint16_t diag;
};

#define BUILD(name, dir_, expect_, ...) static void build_##name(struct tmsg *t) { __VA_ARGS__ }
CASES(BUILD)
#undef BUILD

static const struct check_case cases[] = {
#define ROW(name, dir_, expect_, ...) { #name, build_##name, dir_, expect_ },
	CASES(ROW)
#undef ROW
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static const char *dname(uint16_t d)
{
	const char *n = pfk_diag_name(d);

	return n != NULL ? n : "?";
}

static void test_check_table(void **state)
{
	static struct tmsg t;

	(void)state;
	for (size_t i = 0; i < N_CASES; i++) {
		const struct check_case *c = &cases[i];
		struct pfk_msg m;
		uint16_t diag = 0xffff;
		int rc;

		c->build(&t);
		rc = pfk_parse(t.w, t.len, &m, &diag);
		if (rc != 0)
			fail_msg("%s: does not parse: rc %d diag %s", c->name, rc, dname(diag));
		diag = 0xffff;
		rc = pfk_check(&m, c->dir, &diag);
		if (rc != c->rc || diag != c->diag)
			fail_msg("%s: got rc %d diag 0x%x (%s), want rc %d diag 0x%x (%s)", c->name,
				 rc, diag, dname(diag), c->rc, c->diag, dname(c->diag));
		/* pfk_validate is parse + check. */
		diag = 0xffff;
		assert_int_equal(pfk_validate(t.w, t.len, c->dir, &m, &diag), c->rc);
		assert_int_equal(diag, c->diag);
	}
}

/* satype rules per message type: which values are refused and how. */
static void test_satype_rules(void **state)
{
	enum { NEED, ALL, ANY, ZERO };
	static const struct {
		uint8_t type, rule;
	} rules[] = {
		{ SADB_GETSPI, NEED }, { SADB_UPDATE, NEED }, { SADB_ADD, NEED },
		{ SADB_DELETE, NEED }, { SADB_GET, NEED }, { SADB_REGISTER, ALL },
		{ SADB_FLUSH, ALL }, { SADB_DUMP, ALL }, { SADB_X_PROMISC, ANY },
		{ SADB_X_INVERSE_ACQUIRE, NEED }, { SADB_X_UPDATEPAIR, NEED },
		{ SADB_X_DELPAIR, NEED }, { SADB_X_DELPAIR_STATE, ALL },
		{ SADB_X_DPSEC_SPDADD, ZERO }, { SADB_X_DPSEC_SPDDELETE, ZERO },
		{ SADB_X_DPSEC_SPDGET, ZERO }, { SADB_X_DPSEC_SPDDUMP, ZERO },
		{ SADB_X_DPSEC_SPDFLUSH, ZERO },
	};
	static const uint8_t satypes[] = { 0, 1, 2, 3, 5, 8, 9, 255 };
	static struct tmsg t;

	(void)state;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		for (size_t j = 0; j < sizeof(satypes); j++) {
			const uint8_t s = satypes[j];
			const bool ahesp = s == AH || s == ESP;
			uint16_t want = 0, diag;
			struct pfk_msg m;

			switch (rules[i].rule) {
			case NEED:
				want = s == 0 ? D(SATYPE_NEEDED) : ahesp ? 0 : D(UNKNOWN_SATYPE);
				break;
			case ALL:
				want = s == 0 || ahesp ? 0 : D(UNKNOWN_SATYPE);
				break;
			case ZERO:
				want = s == 0 ? 0 : D(UNKNOWN_SATYPE);
				break;
			}
			tm_init(&t, rules[i].type, s);
			assert_int_equal(pfk_parse(t.w, t.len, &m, &diag), 0);
			(void)pfk_check(&m, PFK_DIR_REQUEST, &diag);
			if (want != 0 && diag != want)
				fail_msg("type %u satype %u: diag %s, want %s", rules[i].type, s,
					 dname(diag), dname(want));
			if (want == 0 && (diag == D(SATYPE_NEEDED) || diag == D(UNKNOWN_SATYPE)))
				fail_msg("type %u satype %u: refused (%s)", rules[i].type, s,
					 dname(diag));
		}
	}
}

/* Arguments and a view no parser produced. */
static void test_bad_arguments(void **state)
{
	static struct tmsg t;
	struct pfk_msg m;
	uint16_t diag;

	(void)state;
	assert_int_equal(pfk_check(NULL, PFK_DIR_REQUEST, &diag), -EINVAL);
	assert_int_equal(diag, D(NONE));
	tm_init(&t, SADB_FLUSH, 0);
	assert_int_equal(pfk_parse(t.w, t.len, &m, &diag), 0);
	assert_int_equal(pfk_check(&m, (enum pfk_dir)2, &diag), -EINVAL);
	assert_int_equal(pfk_check(&m, PFK_DIR_REQUEST, NULL), 0);
	/* A type pfk_parse would refuse, forced into the view. */
	tm_hdr(&t)->sadb_msg_type = 200;
	assert_int_equal(pfk_check(&m, PFK_DIR_REPLY, &diag), -EOPNOTSUPP);
	assert_int_equal(diag, D(UNKNOWN_MSG));
	/* pfk_validate reports the parser's errors unchanged. */
	assert_int_equal(pfk_validate(t.w, 8, PFK_DIR_REQUEST, &m, &diag), -EINVAL);
	assert_int_equal(diag, D(DPSEC_SHORT_MSG));
}

/* ------------------------------------------------------------------------ */
/* Coverage: every diagnostic named in pfk_check.c has a case.               */

static void require_case(const char *name, void *arg)
{
	unsigned *checked = arg;

	for (size_t i = 0; i < N_CASES; i++) {
		const char *n = pfk_diag_name(cases[i].diag);

		if (cases[i].rc != 0 && n != NULL &&
		    (strcmp(n, name) == 0 ||
		     (strncmp(name, "DPSEC_", 6) == 0 && strcmp(n, name + 6) == 0))) {
			(*checked)++;
			return;
		}
	}
	fail_msg("diagnostic %s is used in pfk_check.c but no case gives it", name);
}

static void test_every_diag_covered(void **state)
{
	unsigned checked = 0;

	(void)state;
	if (!tm_scan_diags(__FILE__, "tests/pfkey/test_check.c", "pfkey/pfk_check.c",
			   require_case, &checked))
		skip();
	assert_true(checked >= 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_satype_rules),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_every_diag_covered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
