/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_parse.c: pfk_parse() framing and per-extension rules.
 *
 * A table of malformed messages (each a valid message with one thing
 * broken) with the errno and diagnostic each must give, a table of valid
 * messages of every extension kind checked against the typed view, and a
 * coverage test: every diagnostic pfk_parse.c names has a case here.
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

/* ------------------------------------------------------------------------ */
/* Malformed messages: X(name, errno, diagnostic, body using `t`).           */

/* A message with one extension of `type` and `bytes` zeroed bytes. */
#define ONE(type, bytes) tm_init(t, SADB_FLUSH, 0); tm_ext(t, (type), (bytes))

#define BAD_CASES(X)                                                                          \
	X(short_8, -EINVAL, D(DPSEC_SHORT_MSG), tm_init(t, SADB_FLUSH, 0); t->len = 8;)         \
	X(short_0, -EINVAL, D(DPSEC_SHORT_MSG), tm_init(t, SADB_FLUSH, 0); t->len = 0;)         \
	X(version_1, -EINVAL, D(DPSEC_BAD_VERSION), tm_init(t, SADB_FLUSH, 0);                  \
	  tm_hdr(t)->sadb_msg_version = 1;)                                                     \
	X(msglen_short, -EMSGSIZE, D(DPSEC_BAD_MSGLEN), tm_init(t, SADB_FLUSH, 0);              \
	  tm_edump(t, 1); tm_hdr(t)->sadb_msg_len = 2;)                                         \
	X(msglen_long, -EMSGSIZE, D(DPSEC_BAD_MSGLEN), tm_init(t, SADB_FLUSH, 0);               \
	  tm_hdr(t)->sadb_msg_len = 3;)                                                         \
	X(msglen_odd, -EMSGSIZE, D(DPSEC_BAD_MSGLEN), tm_init(t, SADB_FLUSH, 0);                \
	  tm_edump(t, 1); t->len = 28;)                                                         \
	X(type_0, -EOPNOTSUPP, D(UNKNOWN_MSG), tm_init(t, 0, 0);)                               \
	X(type_16, -EOPNOTSUPP, D(UNKNOWN_MSG), tm_init(t, 16, 0);)                             \
	X(type_239, -EOPNOTSUPP, D(UNKNOWN_MSG), tm_init(t, 239, 0);)                           \
	X(type_245, -EOPNOTSUPP, D(UNKNOWN_MSG), tm_init(t, 245, 0);)                           \
	X(ext_zero_len, -EINVAL, D(DPSEC_EXT_ZERO_LEN), tm_init(t, SADB_FLUSH, 0);              \
	  tm_edump(t, 1)->sadb_x_edump_len = 0;)                                                \
	X(ext_overrun, -EINVAL, D(DPSEC_EXT_OVERRUN), tm_init(t, SADB_FLUSH, 0);                \
	  tm_edump(t, 1)->sadb_x_edump_len = 3;)                                                \
	X(ext_overrun_second, -EINVAL, D(DPSEC_EXT_OVERRUN), tm_init(t, SADB_FLUSH, 0);         \
	  tm_edump(t, 1); tm_pair(t, 5)->sadb_x_pair_len = 0xffff;)                             \
	X(ext_type_0, -EINVAL, D(UNKNOWN_EXT), ONE(0, 8);)                                      \
	X(ext_type_28_str_auth, -EINVAL, D(UNKNOWN_EXT), ONE(28, 8);)                           \
	X(ext_type_0x8000, -EINVAL, D(UNKNOWN_EXT), ONE(0x8000, 8);)                            \
	X(ext_type_0x8003, -EINVAL, D(UNKNOWN_EXT), ONE(0x8003, 8);)                            \
	X(ext_type_0x8014, -EINVAL, D(UNKNOWN_EXT), ONE(0x8014, 16);)                           \
	X(dup_sa, -EINVAL, D(DUPLICATE_SA), tm_add_esp(t, SADB_ADD);                            \
	  tm_sa(t, 1, 0, 0, 0, 0);)                                                             \
	X(dup_src, -EINVAL, D(DUPLICATE_SRC), tm_add_esp(t, SADB_ADD);                          \
	  tm_addr4(t, SADB_EXT_ADDRESS_SRC, "1.2.3.4", 0, 0, 0);)                               \
	X(dup_dst, -EINVAL, D(DUPLICATE_DST), tm_add_esp(t, SADB_ADD);                          \
	  tm_addr4(t, SADB_EXT_ADDRESS_DST, "1.2.3.4", 0, 0, 0);)                               \
	X(dup_akey, -EINVAL, D(DUPLICATE_AKEY), tm_add_esp(t, SADB_ADD);                        \
	  tm_key(t, SADB_EXT_KEY_AUTH, 256, 0);)                                                \
	X(dup_ekey, -EINVAL, D(DUPLICATE_EKEY), tm_add_esp(t, SADB_ADD);                        \
	  tm_key(t, SADB_EXT_KEY_ENCRYPT, 128, 0);)                                             \
	X(dup_range, -EINVAL, D(DUPLICATE_RANGE), tm_init(t, SADB_GETSPI, 3);                   \
	  tm_spirange(t, 1, 2); tm_spirange(t, 1, 2);)                                          \
	X(dup_kmc, -EINVAL, D(DUPLICATE_KMC), tm_init(t, SADB_GETSPI, 3);                       \
	  tm_kmc(t, 1, 2); tm_kmc(t, 1, 2);)                                                    \
	X(dup_natt_loc, -EINVAL, D(DUPLICATE_NATT_LOC), tm_init(t, SADB_ADD, 3);                \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_LOC, "1.2.3.4", 4500, 0, 0);                      \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_LOC, "1.2.3.4", 4500, 0, 0);)                     \
	X(dup_natt_rem, -EINVAL, D(DUPLICATE_NATT_REM), tm_init(t, SADB_ADD, 3);                \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_REM, "1.2.3.4", 4500, 0, 0);                      \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_REM, "1.2.3.4", 4500, 0, 0);)                     \
	X(dup_inner_src, -EINVAL, D(DUPLICATE_INNER_SRC), tm_init(t, SADB_ADD, 3);              \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_SRC, "10.0.0.0", 0, 0, 8);                       \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_SRC, "10.0.0.0", 0, 0, 8);)                      \
	X(dup_inner_dst, -EINVAL, D(DUPLICATE_INNER_DST), tm_init(t, SADB_ADD, 3);              \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_DST, "10.0.0.0", 0, 0, 8);                       \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_DST, "10.0.0.0", 0, 0, 8);)                      \
	X(dup_lifetime, -EINVAL, D(DPSEC_DUPLICATE_EXT), tm_init(t, SADB_ADD, 3);               \
	  tm_lifetime(t, SADB_EXT_LIFETIME_HARD, 0, 0, 10, 0);                                  \
	  tm_lifetime(t, SADB_EXT_LIFETIME_HARD, 0, 0, 10, 0);)                                 \
	X(dup_policy, -EINVAL, D(DPSEC_DUPLICATE_EXT), tm_spdadd(t);                            \
	  tm_policy(t, 1, 1, 0);)                                                               \
	X(sareq_17, -EINVAL, D(DPSEC_DUPLICATE_EXT), tm_spdadd(t);                              \
	  for (int i = 0; i < 16; i++) tm_sareq(t, SADB_SATYPE_ESP, 0, SADB_EALG_AES);)         \
	X(extlen_sa_24, -EINVAL, D(BAD_EXTLEN), ONE(SADB_EXT_SA, 24);)                          \
	X(extlen_sa_8, -EINVAL, D(BAD_EXTLEN), ONE(SADB_EXT_SA, 8);)                            \
	X(extlen_lifetime_24, -EINVAL, D(BAD_EXTLEN), ONE(SADB_EXT_LIFETIME_HARD, 24);)         \
	X(extlen_idle_40, -EINVAL, D(BAD_EXTLEN), ONE(SADB_X_EXT_LIFETIME_IDLE, 40);)           \
	X(extlen_spirange_8, -EINVAL, D(BAD_EXTLEN), ONE(SADB_EXT_SPIRANGE, 8);)                \
	X(extlen_kmc_24, -EINVAL, D(BAD_EXTLEN), ONE(SADB_X_EXT_KM_COOKIE, 24);)                \
	X(extlen_pair_16, -EINVAL, D(BAD_EXTLEN), ONE(SADB_X_EXT_PAIR, 16);)                    \
	X(extlen_replay_value_8, -EINVAL, D(BAD_EXTLEN), ONE(SADB_X_EXT_REPLAY_VALUE, 8);)      \
	X(extlen_edump_24, -EINVAL, D(BAD_EXTLEN), ONE(SADB_X_EXT_EDUMP, 24);)                  \
	X(extlen_replay_window_8, -EINVAL, D(BAD_EXTLEN),                                       \
	  ONE(SADB_X_EXT_DPSEC_REPLAY_WINDOW, 8);)                                              \
	X(extlen_seq_lease_24, -EINVAL, D(BAD_EXTLEN), ONE(SADB_X_EXT_DPSEC_SEQ_LEASE, 24);)    \
	X(extlen_policy_8, -EINVAL, D(BAD_EXTLEN), ONE(SADB_X_EXT_DPSEC_POLICY, 8);)            \
	X(extlen_selector_48, -EINVAL, D(BAD_EXTLEN), ONE(SADB_X_EXT_DPSEC_SELECTOR, 48);)      \
	X(extlen_inner_selector_64, -EINVAL, D(BAD_EXTLEN),                                     \
	  ONE(SADB_X_EXT_DPSEC_INNER_SELECTOR, 64);)                                            \
	X(extlen_sareq_8, -EINVAL, D(BAD_EXTLEN), ONE(SADB_X_EXT_DPSEC_SAREQ, 8);)              \
	X(extlen_identity_8, -EINVAL, D(BAD_EXTLEN), ONE(SADB_EXT_IDENTITY_SRC, 8);)            \
	X(extlen_sens_8, -EINVAL, D(BAD_EXTLEN), ONE(SADB_EXT_SENSITIVITY, 8);)                 \
	X(extlen_outer_sens_8, -EINVAL, D(BAD_EXTLEN), ONE(SADB_X_EXT_OUTER_SENS, 8);)          \
	X(sa_state_7, -EINVAL, D(BAD_SASTATE), tm_init(t, SADB_ADD, 3);                         \
	  tm_sa(t, 1, 7, 0, 0, 0);)                                                             \
	X(sa_flags_0x4, -EINVAL, D(BAD_SAFLAGS), tm_init(t, SADB_ADD, 3);                       \
	  tm_sa(t, 1, 1, 0, 0, 0x4);)                                                           \
	X(sa_flags_0x800, -EINVAL, D(BAD_SAFLAGS), tm_init(t, SADB_ADD, 3);                     \
	  tm_sa(t, 1, 1, 0, 0, 0x800);)                                                         \
	X(idle_alloc, -EINVAL, D(DPSEC_MALFORMED_LIFETIME), tm_init(t, SADB_ADD, 3);            \
	  tm_lifetime(t, SADB_X_EXT_LIFETIME_IDLE, 1, 0, 10, 10);)                              \
	X(idle_bytes, -EINVAL, D(DPSEC_MALFORMED_LIFETIME), tm_init(t, SADB_ADD, 3);            \
	  tm_lifetime(t, SADB_X_EXT_LIFETIME_IDLE, 0, 1, 10, 10);)                              \
	X(src_af, -EINVAL, D(BAD_SRC_AF), ADDR_AF(SADB_EXT_ADDRESS_SRC))                        \
	X(dst_af, -EINVAL, D(BAD_DST_AF), ADDR_AF(SADB_EXT_ADDRESS_DST))                        \
	X(inner_src_af, -EINVAL, D(BAD_INNER_SRC_AF),                                           \
	  ADDR_AF(SADB_X_EXT_ADDRESS_INNER_SRC))                                                \
	X(inner_dst_af, -EINVAL, D(BAD_INNER_DST_AF), ADDR_AF(SADB_X_EXT_ADDRESS_INNER_DST))    \
	X(natt_loc_af, -EINVAL, D(BAD_NATT_LOC_AF), ADDR_AF(SADB_X_EXT_ADDRESS_NATT_LOC))       \
	X(natt_rem_af, -EINVAL, D(BAD_NATT_REM_AF), ADDR_AF(SADB_X_EXT_ADDRESS_NATT_REM))       \
	X(src_len_v4_32, -EINVAL, D(MALFORMED_SRC), ADDR_LEN4(SADB_EXT_ADDRESS_SRC, 4))         \
	X(src_len_8, -EINVAL, D(MALFORMED_SRC), ONE(SADB_EXT_ADDRESS_SRC, 8);)                  \
	X(dst_len_v6_24, -EINVAL, D(MALFORMED_DST), ADDR_LEN6(SADB_EXT_ADDRESS_DST, 3))         \
	X(inner_src_len, -EINVAL, D(MALFORMED_INNER_SRC),                                       \
	  ADDR_LEN4(SADB_X_EXT_ADDRESS_INNER_SRC, 4))                                           \
	X(inner_dst_len, -EINVAL, D(MALFORMED_INNER_DST),                                       \
	  ADDR_LEN6(SADB_X_EXT_ADDRESS_INNER_DST, 6))                                           \
	X(natt_loc_len, -EINVAL, D(MALFORMED_NATT_LOC), ADDR_LEN4(SADB_X_EXT_ADDRESS_NATT_LOC, 5)) \
	X(natt_rem_len, -EINVAL, D(MALFORMED_NATT_REM), ADDR_LEN6(SADB_X_EXT_ADDRESS_NATT_REM, 3)) \
	X(src_prefix_33, -EINVAL, D(DPSEC_BAD_PREFIXLEN), tm_init(t, SADB_ADD, 3);              \
	  tm_addr4(t, SADB_EXT_ADDRESS_SRC, "1.2.3.4", 0, 0, 33);)                              \
	X(dst_prefix_129, -EINVAL, D(DPSEC_BAD_PREFIXLEN), tm_init(t, SADB_ADD, 3);             \
	  tm_addr6(t, SADB_EXT_ADDRESS_DST, "2001:db8::1", 0, 0, 129);)                         \
	X(natt_prefix_33, -EINVAL, D(DPSEC_BAD_PREFIXLEN), tm_init(t, SADB_ADD, 3);             \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_REM, "1.2.3.4", 0, 0, 33);)                       \
	X(inner_src_prefix, -EINVAL, D(PREFIX_INNER_SRC), tm_init(t, SADB_ADD, 3);              \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_INNER_SRC, "10.0.0.0", 0, 0, 40);)                     \
	X(inner_dst_prefix, -EINVAL, D(PREFIX_INNER_DST), tm_init(t, SADB_ADD, 3);              \
	  tm_addr6(t, SADB_X_EXT_ADDRESS_INNER_DST, "2001:db8::", 0, 0, 200);)                  \
	X(addr_reserved, -EINVAL, D(DPSEC_BAD_RESERVED), tm_init(t, SADB_ADD, 3);               \
	  tm_addr4(t, SADB_EXT_ADDRESS_SRC, "1.2.3.4", 0, 0, 0)->sadb_address_reserved = 1;)    \
	X(akey_bits_0, -EINVAL, D(MALFORMED_AKEY), tm_init(t, SADB_ADD, 3);                     \
	  tm_key(t, SADB_EXT_KEY_AUTH, 256, 0)->sadb_key_bits = 0;)                             \
	X(akey_bits_over, -EINVAL, D(MALFORMED_AKEY), tm_init(t, SADB_ADD, 3);                  \
	  tm_key(t, SADB_EXT_KEY_AUTH, 256, 0)->sadb_key_bits = 257;)                           \
	X(akey_trailing, -EINVAL, D(MALFORMED_AKEY), tm_init(t, SADB_ADD, 3);                   \
	  tm_key(t, SADB_EXT_KEY_AUTH, 256, 0)->sadb_key_bits = 128;)                           \
	X(ekey_bits_0, -EINVAL, D(MALFORMED_EKEY), tm_init(t, SADB_ADD, 3);                     \
	  tm_key(t, SADB_EXT_KEY_ENCRYPT, 128, 0)->sadb_key_bits = 0;)                          \
	X(ekey_no_data, -EINVAL, D(MALFORMED_EKEY), ONE(SADB_EXT_KEY_ENCRYPT, 8);               \
	  ((struct sadb_key *)(void *)(tm_bytes(t) + 16))->sadb_key_bits = 8;)                  \
	X(ekey_salt_over, -EINVAL, D(MALFORMED_EKEY), tm_init(t, SADB_ADD, 3);                  \
	  tm_key(t, SADB_EXT_KEY_ENCRYPT, 160, 161);)                                           \
	X(ident_type_0, -EINVAL, D(DPSEC_MALFORMED_IDENTITY), tm_init(t, SADB_ADD, 3);          \
	  tm_ident(t, SADB_EXT_IDENTITY_SRC, 0, "a.example");)                                  \
	X(ident_type_8, -EINVAL, D(DPSEC_MALFORMED_IDENTITY), tm_init(t, SADB_ADD, 3);          \
	  tm_ident(t, SADB_EXT_IDENTITY_DST, 8, "a.example");)                                  \
	X(ident_no_nul, -EINVAL, D(DPSEC_MALFORMED_IDENTITY), tm_init(t, SADB_ADD, 3);          \
	  memset(tm_ident(t, SADB_EXT_IDENTITY_SRC, 2, "abcdefg") + 1, 'x', 8);)                \
	X(sens_len, -EINVAL, D(DPSEC_MALFORMED_SENS), tm_init(t, SADB_ADD, 3);                  \
	  tm_sens(t, SADB_EXT_SENSITIVITY)->sadb_sens_integ_len = 2;)                           \
	X(outer_sens_len, -EINVAL, D(DPSEC_MALFORMED_SENS), tm_init(t, SADB_ADD, 3);            \
	  tm_sens(t, SADB_X_EXT_OUTER_SENS)->sadb_sens_sens_len = 0;)                           \
	X(prop_partial_comb, -EINVAL, D(DPSEC_MALFORMED_PROPOSAL), ONE(SADB_EXT_PROPOSAL, 72);) \
	X(prop_numecombs, -EINVAL, D(DPSEC_MALFORMED_PROPOSAL), tm_init(t, SADB_ACQUIRE, 3);    \
	  tm_proposal(t, 0, SADB_EALG_AES)->sadb_x_prop_numecombs = 1;)                         \
	X(eprop_short, -EINVAL, D(DPSEC_MALFORMED_PROPOSAL), tm_init(t, SADB_ACQUIRE, 3);       \
	  tm_eprop(t)->sadb_x_prop_numecombs = 2;)                                              \
	X(eprop_numalgs_over, -EINVAL, D(DPSEC_MALFORMED_PROPOSAL), tm_init(t, SADB_ACQUIRE, 3); \
	  ((struct sadb_x_ecomb *)(void *)(tm_eprop(t) + 1))->sadb_x_ecomb_numalgs = 3;)        \
	X(eprop_trailing, -EINVAL, D(DPSEC_MALFORMED_PROPOSAL), tm_init(t, SADB_ACQUIRE, 3);    \
	  ((struct sadb_x_ecomb *)(void *)(tm_eprop(t) + 1))->sadb_x_ecomb_numalgs = 1;)        \
	X(eprop_satype, -EINVAL, D(DPSEC_MALFORMED_PROPOSAL), tm_init(t, SADB_ACQUIRE, 3);      \
	  EPROP_DESC(t)->sadb_x_algdesc_satype = 1;)                                            \
	X(eprop_algtype, -EINVAL, D(DPSEC_MALFORMED_PROPOSAL), tm_init(t, SADB_ACQUIRE, 3);     \
	  EPROP_DESC(t)->sadb_x_algdesc_algtype = 0;)                                           \
	X(supported_reserved, -EINVAL, D(DPSEC_MALFORMED_SUPPORTED), tm_init(t, SADB_REGISTER, 3); \
	  tm_supported(t, SADB_EXT_SUPPORTED_AUTH, 5, 256, 256)->sadb_supported_reserved = 1;)  \
	X(range_min_gt_max, -EINVAL, D(MALFORMED_RANGE), tm_init(t, SADB_GETSPI, 3);            \
	  tm_spirange(t, 0x200, 0x100);)                                                        \
	X(range_reserved, -EINVAL, D(MALFORMED_RANGE), tm_init(t, SADB_GETSPI, 3);              \
	  tm_spirange(t, 0x100, 0x200)->sadb_spirange_reserved = 1;)                            \
	X(ereg_bad_type, -EINVAL, D(DPSEC_MALFORMED_EREG), tm_init(t, SADB_REGISTER, 0);        \
	  tm_ereg(t, SADB_SATYPE_ESP, 5);)                                                      \
	X(ereg_no_zero, -EINVAL, D(DPSEC_MALFORMED_EREG), tm_init(t, SADB_REGISTER, 0);         \
	  memset(tm_ereg(t, 3, 2)->sadb_x_ereg_satypes, 3, 4);)                                 \
	X(kmc_proto_3, -EINVAL, D(DPSEC_MALFORMED_KMC), tm_init(t, SADB_GETSPI, 3);             \
	  tm_kmc(t, 3, 1);)                                                                     \
	X(pair_spi_0, -EINVAL, D(DPSEC_MALFORMED_PAIR), tm_init(t, SADB_ADD, 3); tm_pair(t, 0);) \
	X(replay_value_disagree, -EINVAL, D(DPSEC_MALFORMED_REPLAY_VALUE),                      \
	  tm_init(t, SADB_UPDATE, 3); tm_replay_value(t, 5, 0x100000006ull);)                   \
	X(edump_reserved, -EINVAL, D(DPSEC_MALFORMED_EDUMP), tm_init(t, SADB_DUMP, 0);          \
	  tm_edump(t, 60)->sadb_x_edump_reserved = 1;)                                          \
	X(window_too_big, -EINVAL, D(DPSEC_BAD_REPLAY_WINDOW), tm_init(t, SADB_ADD, 3);         \
	  tm_replay_window(t, DPSEC_REPLAY_WINDOW_MAX + 1, 0);)                                 \
	X(window_flags, -EINVAL, D(DPSEC_MALFORMED_REPLAY_WINDOW), tm_init(t, SADB_ADD, 3);     \
	  tm_replay_window(t, 1024, 2);)                                                        \
	X(window_reserved, -EINVAL, D(DPSEC_MALFORMED_REPLAY_WINDOW), tm_init(t, SADB_ADD, 3);  \
	  tm_replay_window(t, 1024, 1)->sadb_x_rw_reserved = 1;)                                \
	X(seq_lease_reserved, -EINVAL, D(DPSEC_MALFORMED_SEQ_LEASE), tm_init(t, SADB_ADD, 3);   \
	  tm_seq_lease(t, 1000)->sadb_x_sl_reserved = 1;)                                       \
	X(policy_dir_0, -EINVAL, D(DPSEC_BAD_POLICY_DIR), tm_init(t, SADB_X_DPSEC_SPDADD, 0);   \
	  tm_policy(t, 0, 1, 0);)                                                               \
	X(policy_dir_4, -EINVAL, D(DPSEC_BAD_POLICY_DIR), tm_init(t, SADB_X_DPSEC_SPDADD, 0);   \
	  tm_policy(t, 4, 1, 0);)                                                               \
	X(policy_action_0, -EINVAL, D(DPSEC_BAD_POLICY_ACTION),                                 \
	  tm_init(t, SADB_X_DPSEC_SPDADD, 0); tm_policy(t, 1, 0, 0);)                           \
	X(policy_action_4, -EINVAL, D(DPSEC_BAD_POLICY_ACTION),                                 \
	  tm_init(t, SADB_X_DPSEC_SPDADD, 0); tm_policy(t, 1, 4, 0);)                           \
	X(policy_mode_3, -EINVAL, D(DPSEC_MALFORMED_POLICY), tm_init(t, SADB_X_DPSEC_SPDADD, 0); \
	  tm_policy(t, 1, 3, 3);)                                                               \
	X(policy_flags, -EINVAL, D(DPSEC_MALFORMED_POLICY), tm_init(t, SADB_X_DPSEC_SPDADD, 0);  \
	  tm_policy(t, 1, 3, 1)->sadb_x_pol_flags = 2;)                                         \
	X(selector_af, -EINVAL, D(DPSEC_BAD_SELECTOR_AF), tm_init(t, SADB_X_DPSEC_SPDADD, 0);   \
	  tm_selector4(t, SADB_X_EXT_DPSEC_SELECTOR)->sadb_x_sel_family = 3;)                   \
	X(inner_selector_af, -EINVAL, D(DPSEC_BAD_SELECTOR_AF),                                 \
	  tm_init(t, SADB_X_DPSEC_SPDADD, 0);                                                   \
	  tm_selector4(t, SADB_X_EXT_DPSEC_INNER_SELECTOR)->sadb_x_sel_family = AF_UNIX;)       \
	X(selector_prefix, -EINVAL, D(DPSEC_MALFORMED_SELECTOR),                                \
	  SEL(sadb_x_sel_dst_prefixlen = 33))                                                   \
	X(selector_any_prefix, -EINVAL, D(DPSEC_MALFORMED_SELECTOR),                            \
	  SEL(sadb_x_sel_family = 0; s->sadb_x_sel_src_prefixlen = 0;                           \
	      s->sadb_x_sel_dst_prefixlen = 0; s->sadb_x_sel_src[0] = 0;                        \
	      s->sadb_x_sel_dst[0] = 0; s->sadb_x_sel_dst[1] = 0;                               \
	      s->sadb_x_sel_src_prefixlen = 1))                                                 \
	X(selector_any_addr, -EINVAL, D(DPSEC_MALFORMED_SELECTOR),                              \
	  SEL(sadb_x_sel_family = 0; s->sadb_x_sel_src_prefixlen = 0;                           \
	      s->sadb_x_sel_dst_prefixlen = 0; s->sadb_x_sel_src[0] = 0))                       \
	X(selector_v4_high_bytes, -EINVAL, D(DPSEC_MALFORMED_SELECTOR),                         \
	  SEL(sadb_x_sel_src[4] = 1))                                                           \
	X(selector_v6_prefix, -EINVAL, D(DPSEC_MALFORMED_SELECTOR),                             \
	  SEL(sadb_x_sel_family = AF_INET6; s->sadb_x_sel_src_prefixlen = 129))                 \
	X(selector_sport, -EINVAL, D(DPSEC_MALFORMED_SELECTOR), SEL(sadb_x_sel_sport_min = 10;  \
	  s->sadb_x_sel_sport_max = 9))                                                         \
	X(selector_dport, -EINVAL, D(DPSEC_MALFORMED_SELECTOR), SEL(sadb_x_sel_dport_min = 10;  \
	  s->sadb_x_sel_dport_max = 9))                                                         \
	X(selector_type, -EINVAL, D(DPSEC_MALFORMED_SELECTOR), SEL(sadb_x_sel_icmp_type_min = 9; \
	  s->sadb_x_sel_icmp_type_max = 8))                                                     \
	X(selector_code, -EINVAL, D(DPSEC_MALFORMED_SELECTOR), SEL(sadb_x_sel_icmp_code_min = 9; \
	  s->sadb_x_sel_icmp_code_max = 8))                                                     \
	X(selector_reserved, -EINVAL, D(DPSEC_MALFORMED_SELECTOR), SEL(sadb_x_sel_reserved = 1)) \
	X(sareq_satype, -EINVAL, D(DPSEC_MALFORMED_SAREQ), tm_init(t, SADB_X_DPSEC_SPDADD, 0);  \
	  tm_sareq(t, 1, 3, 0);)                                                                \
	X(sareq_ah_encrypt, -EINVAL, D(DPSEC_MALFORMED_SAREQ),                                  \
	  tm_init(t, SADB_X_DPSEC_SPDADD, 0); tm_sareq(t, SADB_SATYPE_AH, 3, 12);)              \
	X(sareq_auth_bits, -EINVAL, D(DPSEC_MALFORMED_SAREQ),                                   \
	  tm_init(t, SADB_X_DPSEC_SPDADD, 0);                                                   \
	  tm_sareq(t, SADB_SATYPE_ESP, 3, 12)->sadb_x_req_auth_minbits = 1;)                    \
	X(sareq_encr_bits, -EINVAL, D(DPSEC_MALFORMED_SAREQ),                                   \
	  tm_init(t, SADB_X_DPSEC_SPDADD, 0);                                                   \
	  tm_sareq(t, SADB_SATYPE_ESP, 3, 12)->sadb_x_req_encrypt_minbits = 1;)                 \
	X(sareq_reserved, -EINVAL, D(DPSEC_MALFORMED_SAREQ),                                    \
	  tm_init(t, SADB_X_DPSEC_SPDADD, 0);                                                   \
	  tm_sareq(t, SADB_SATYPE_ESP, 3, 12)->sadb_x_req_reserved = 1;)

/* Address with an unknown family (AF_UNIX) in an otherwise IPv4 layout. */
#define ADDR_AF(type) tm_init(t, SADB_ADD, 3);                                                \
	((struct sockaddr_in *)(void *)(tm_addr4(t, (type), "1.2.3.4", 0, 0, 0) + 1))           \
		->sin_family = AF_UNIX;
/* IPv4/IPv6 address extension stretched or shrunk to `words` words. */
#define ADDR_LEN4(type, words) tm_init(t, SADB_ADD, 3);                                       \
	tm_addr4(t, (type), "1.2.3.4", 0, 0, 0);                                               \
	ADDR_RESIZE(words)
#define ADDR_LEN6(type, words) tm_init(t, SADB_ADD, 3);                                       \
	tm_addr6(t, (type), "2001:db8::1", 0, 0, 0); ADDR_RESIZE(words)
#define ADDR_RESIZE(words) do {                                                               \
		struct sadb_ext *e_ = (struct sadb_ext *)(void *)(tm_bytes(t) + 16);           \
		e_->sadb_ext_len = (words);                                                    \
		t->len = 16 + 8u * (words);                                                    \
		tm_hdr(t)->sadb_msg_len = (uint16_t)(t->len / 8);                              \
	} while (0);
/* An SPDADD whose selector is patched by `stmt` (s is the selector). */
#define SEL(stmt) tm_init(t, SADB_X_DPSEC_SPDADD, 0); {                                       \
		struct sadb_x_dpsec_selector *s = tm_selector4(t, SADB_X_EXT_DPSEC_SELECTOR);  \
		s->stmt;                                                                       \
	}
/* The first algdesc of a fresh EPROP. */
#define EPROP_DESC(t) ((struct sadb_x_algdesc *)(void *)((uint8_t *)(tm_eprop(t) + 1) + 64))

struct bad_case {
	const char *name;
	void (*build)(struct tmsg *t);
	int rc;
	uint16_t diag;
};

#define BAD_BUILD(name, rc_, diag_, ...) \
	static void bad_##name(struct tmsg *t) { __VA_ARGS__ }
BAD_CASES(BAD_BUILD)
#undef BAD_BUILD

static const struct bad_case bad_cases[] = {
#define BAD_ROW(name, rc_, diag_, ...) { #name, bad_##name, rc_, diag_ },
	BAD_CASES(BAD_ROW)
#undef BAD_ROW
};

#define N_BAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

static void test_malformed_table(void **state)
{
	static struct tmsg t; /* large; keep it off the stack */

	(void)state;
	for (size_t i = 0; i < N_BAD; i++) {
		const struct bad_case *c = &bad_cases[i];
		struct pfk_msg m;
		uint16_t diag = 0xffff;
		int rc;

		bad_cases[i].build(&t);
		rc = pfk_parse(t.w, t.len, &m, &diag);
		if (rc != c->rc || diag != c->diag)
			fail_msg("%s: got rc %d diag 0x%x (%s), want rc %d diag 0x%x (%s)", c->name,
				 rc, diag, pfk_diag_name(diag) ? pfk_diag_name(diag) : "?", c->rc,
				 c->diag, pfk_diag_name(c->diag) ? pfk_diag_name(c->diag) : "?");
	}
}

/* The 16-byte minimum beats every other rule, and the buffer is never read
 * beyond len: a message copied to the end of a heap block, with the
 * header claiming more, must stop at BAD_MSGLEN or the walk's bounds
 * (AddressSanitizer checks the reads). */
static void test_no_overread(void **state)
{
	static struct tmsg t;

	(void)state;
	for (size_t i = 0; i < N_BAD; i++) {
		struct pfk_msg m;
		uint16_t diag;
		uint64_t *copy;

		bad_cases[i].build(&t);
		if (t.len > TM_CAP)
			continue;
		copy = malloc(t.len > 0 ? t.len : 8);
		assert_non_null(copy);
		memcpy(copy, t.w, t.len);
		assert_int_equal(pfk_parse(copy, t.len, &m, &diag), bad_cases[i].rc);
		free(copy);
	}
}

static void test_null_and_alignment(void **state)
{
	static struct tmsg t;
	struct pfk_msg m;
	uint16_t diag = 0xffff;

	(void)state;
	assert_int_equal(pfk_parse(NULL, 16, &m, &diag), -EINVAL);
	assert_int_equal(diag, SADB_X_DIAGNOSTIC_NONE);
	tm_init(&t, SADB_FLUSH, 0);
	diag = 0xffff;
	assert_int_equal(pfk_parse(tm_bytes(&t) + 4, 16, &m, &diag), -EINVAL);
	assert_int_equal(diag, SADB_X_DIAGNOSTIC_NONE);
	assert_int_equal(pfk_parse(t.w, 16, NULL, &diag), -EINVAL);
	/* diag may be NULL; the result is the same. */
	assert_int_equal(pfk_parse(t.w, 16, &m, NULL), 0);
	assert_int_equal(pfk_parse(t.w, 8, &m, NULL), -EINVAL);
}

/* ------------------------------------------------------------------------ */
/* Valid messages: every extension kind, in the messages that carry them.   */

#define GOOD_CASES(X)                                                                         \
	X(base_only, tm_init(t, SADB_FLUSH, 0);)                                                \
	X(every_msg_type_bare, tm_init(t, SADB_X_DPSEC_SPDFLUSH, 0);)                           \
	X(add_esp, tm_add_esp(t, SADB_ADD);)                                                    \
	X(add_full_v6,                                                                          \
	  tm_init(t, SADB_ADD, SADB_SATYPE_ESP);                                                \
	  tm_sa(t, 0x2000, 0, 0, SADB_EALG_AES_GCM_16, SADB_X_SAFLAGS_NATT_LOC);                \
	  tm_addr6(t, SADB_EXT_ADDRESS_SRC, "2001:db8::1", 0, 0, 128);                          \
	  tm_addr6(t, SADB_EXT_ADDRESS_DST, "2001:db8::2", 0, 0, 0);                            \
	  tm_addr6(t, SADB_X_EXT_ADDRESS_INNER_SRC, "2001:db8:1::", 443, 6, 48);                \
	  tm_addr6(t, SADB_X_EXT_ADDRESS_INNER_DST, "2001:db8:2::", 0, 6, 64);                  \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_LOC, "198.51.100.1", 4500, 17, 0);                \
	  tm_addr4(t, SADB_X_EXT_ADDRESS_NATT_REM, "203.0.113.1", 4500, 17, 32);                \
	  tm_key(t, SADB_EXT_KEY_ENCRYPT, 288, 32);                                             \
	  tm_lifetime(t, SADB_EXT_LIFETIME_HARD, 100, 1 << 20, 3600, 1800);                     \
	  tm_lifetime(t, SADB_EXT_LIFETIME_SOFT, 90, 1 << 19, 3000, 1700);                      \
	  tm_lifetime(t, SADB_X_EXT_LIFETIME_IDLE, 0, 0, 600, 300);                             \
	  tm_ident(t, SADB_EXT_IDENTITY_SRC, SADB_IDENTTYPE_FQDN, "gw1.example");               \
	  tm_ident(t, SADB_EXT_IDENTITY_DST, SADB_X_IDENTTYPE_KEY_ID, "");                      \
	  tm_kmc(t, SADB_X_KMP_IKE, 0x1122334455667788ull);                                     \
	  tm_pair(t, 0x2001);                                                                   \
	  tm_replay_value(t, 7, 0x100000007ull);                                                \
	  tm_replay_window(t, DPSEC_REPLAY_WINDOW_MAX, SADB_X_DPSEC_RW_ESN);                    \
	  tm_seq_lease(t, 1ull << 40);)                                                         \
	X(get_reply_current, tm_add_esp(t, SADB_GET);                                           \
	  tm_lifetime(t, SADB_EXT_LIFETIME_CURRENT, 5, 1000, 1700000000, 1700000001);)          \
	X(getspi, tm_init(t, SADB_GETSPI, 3); tm_sd4(t); tm_spirange(t, 0x100, 0x100);)         \
	X(ident_bare_16, tm_init(t, SADB_ADD, 3);                                               \
	  tm_ext(t, SADB_EXT_IDENTITY_SRC, 16);                                                 \
	  ((struct sadb_ident *)(void *)(tm_bytes(t) + 16))->sadb_ident_type = 1;)              \
	X(sens_both, tm_init(t, SADB_ADD, 3); tm_sens(t, SADB_EXT_SENSITIVITY);                 \
	  tm_sens(t, SADB_X_EXT_OUTER_SENS);)                                                   \
	X(acquire_prop, tm_init(t, SADB_ACQUIRE, 3); tm_sd4(t);                                 \
	  tm_proposal(t, SADB_AALG_SHA256HMAC, SADB_EALG_AES); tm_eprop(t);)                    \
	X(eprop_empty, tm_init(t, SADB_ACQUIRE, 3); tm_ext(t, SADB_X_EXT_EPROP, 8);)            \
	X(proposal_empty, tm_init(t, SADB_ACQUIRE, 3); tm_ext(t, SADB_EXT_PROPOSAL, 8);)        \
	X(register_reply, tm_init(t, SADB_REGISTER, 3);                                         \
	  tm_supported(t, SADB_EXT_SUPPORTED_AUTH, 5, 256, 256);                                \
	  tm_supported(t, SADB_EXT_SUPPORTED_ENCRYPT, 12, 128, 256);)                           \
	X(register_ereg, tm_init(t, SADB_REGISTER, 0); tm_ereg(t, 3, 2);)                       \
	X(ereg_empty, tm_init(t, SADB_REGISTER, 0); tm_ereg(t, 0, 0);)                          \
	X(dump_edump, tm_init(t, SADB_DUMP, 0); tm_edump(t, 30);)                               \
	X(replay_value_64_only, tm_init(t, SADB_UPDATE, 3); tm_replay_value(t, 0, 1ull << 33);) \
	X(spdadd, tm_spdadd(t);)                                                                \
	X(spdadd_tunnel_16_sareqs,                                                              \
	  tm_init(t, SADB_X_DPSEC_SPDADD, 0);                                                   \
	  tm_policy(t, SADB_X_DPSEC_DIR_BOTH, SADB_X_DPSEC_ACTION_IPSEC,                        \
		    SADB_X_DPSEC_MODE_TUNNEL)->sadb_x_pol_flags = SADB_X_DPSEC_POLF_UNIQUE;     \
	  tm_selector4(t, SADB_X_EXT_DPSEC_SELECTOR);                                           \
	  tm_selector4(t, SADB_X_EXT_DPSEC_INNER_SELECTOR)->sadb_x_sel_family = AF_INET6;       \
	  tm_sd4(t);                                                                            \
	  for (int i = 0; i < 16; i++)                                                          \
		  tm_sareq(t, SADB_SATYPE_ESP, 0, SADB_EALG_AES_GCM_16 + (i & 1));)             \
	X(selector_any, tm_init(t, SADB_X_DPSEC_SPDADD, 0);                                     \
	  tm_ext(t, SADB_X_EXT_DPSEC_SELECTOR, 56);)

#define GOOD_BUILD(name, ...) static void good_##name(struct tmsg *t) { __VA_ARGS__ }
GOOD_CASES(GOOD_BUILD)
#undef GOOD_BUILD

struct good_case {
	const char *name;
	void (*build)(struct tmsg *t);
};

static const struct good_case good_cases[] = {
#define GOOD_ROW(name, ...) { #name, good_##name },
	GOOD_CASES(GOOD_ROW)
#undef GOOD_ROW
};

/* Each typed member of struct pfk_msg and the slot it mirrors. */
static const struct {
	int slot;
	size_t off;
} typed[] = {
#define TYPED(slot, member) { slot, offsetof(struct pfk_msg, member) }
	TYPED(SADB_EXT_SA, sa), TYPED(SADB_EXT_ADDRESS_SRC, src),
	TYPED(SADB_EXT_ADDRESS_DST, dst), TYPED(SADB_X_EXT_ADDRESS_INNER_SRC, inner_src),
	TYPED(SADB_X_EXT_ADDRESS_INNER_DST, inner_dst),
	TYPED(SADB_X_EXT_ADDRESS_NATT_LOC, natt_loc),
	TYPED(SADB_X_EXT_ADDRESS_NATT_REM, natt_rem), TYPED(SADB_EXT_KEY_AUTH, akey),
	TYPED(SADB_EXT_KEY_ENCRYPT, ekey), TYPED(SADB_EXT_LIFETIME_CURRENT, lt_current),
	TYPED(SADB_EXT_LIFETIME_HARD, lt_hard), TYPED(SADB_EXT_LIFETIME_SOFT, lt_soft),
	TYPED(SADB_X_EXT_LIFETIME_IDLE, lt_idle), TYPED(SADB_EXT_SPIRANGE, spirange),
	TYPED(SADB_X_EXT_PAIR, pair), TYPED(SADB_X_EXT_REPLAY_VALUE, replay_value),
	TYPED(SADB_X_EXT_EDUMP, edump), TYPED(SADB_X_EXT_KM_COOKIE, kmc),
	TYPED(PFK_SLOT_REPLAY_WINDOW, replay_window), TYPED(PFK_SLOT_SEQ_LEASE, seq_lease),
	TYPED(PFK_SLOT_POLICY, policy), TYPED(PFK_SLOT_SELECTOR, selector),
	TYPED(PFK_SLOT_INNER_SELECTOR, inner_selector), TYPED(PFK_SLOT_SAREQ, sareq),
#undef TYPED
};

static const void *typed_ptr(const struct pfk_msg *m, size_t off)
{
	const void *p;

	memcpy(&p, (const char *)m + off, sizeof(p));
	return p;
}

/* Walk the test's own bytes and compare with the view. */
static void verify_view(const char *name, struct tmsg *t, const struct pfk_msg *m)
{
	uint64_t seen = 0;
	unsigned sareqs = 0;

	assert_ptr_equal(m->hdr, t->w);
	assert_int_equal(m->len, t->len);
	for (size_t off = 16; off < t->len;) {
		const struct sadb_ext *e = (const void *)(tm_bytes(t) + off);
		const int slot = pfk_ext_slot(e->sadb_ext_type);

		assert_int_not_equal(slot, PFK_SLOT_NONE);
		assert_int_equal(pfk_slot_exttype(slot), e->sadb_ext_type);
		if (!((seen >> slot) & 1u))
			assert_ptr_equal(m->ext[slot], e);
		seen |= UINT64_C(1) << slot;
		sareqs += slot == PFK_SLOT_SAREQ;
		off += 8u * e->sadb_ext_len;
	}
	if (m->present != seen)
		fail_msg("%s: present 0x%llx, want 0x%llx", name, (unsigned long long)m->present,
			 (unsigned long long)seen);
	assert_int_equal(m->sareq_count, sareqs);
	for (int slot = 1; slot < PFK_SLOT_COUNT; slot++)
		if (!((seen >> slot) & 1u))
			assert_null(m->ext[slot]);
	for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++)
		assert_ptr_equal(typed_ptr(m, typed[i].off), m->ext[typed[i].slot]);
}

static void test_valid_table(void **state)
{
	static struct tmsg t, before;

	(void)state;
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		struct pfk_msg m;
		uint16_t diag = 0xffff;
		int rc;

		good_cases[i].build(&t);
		before = t;
		rc = pfk_parse(t.w, t.len, &m, &diag);
		if (rc != 0)
			fail_msg("%s: rc %d diag 0x%x (%s)", good_cases[i].name, rc, diag,
				 pfk_diag_name(diag) ? pfk_diag_name(diag) : "?");
		assert_int_equal(diag, SADB_X_DIAGNOSTIC_NONE);
		verify_view(good_cases[i].name, &t, &m);
		/* The parser never writes the buffer. */
		assert_memory_equal(before.w, t.w, t.len);
	}
}

/* Every message type we know parses as a bare header (shapes are
 * pfk_check's business). */
static void test_all_types_parse(void **state)
{
	static const uint8_t types[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
					 240, 241, 242, 243, 244 };
	static struct tmsg t;

	(void)state;
	for (size_t i = 0; i < sizeof(types); i++) {
		struct pfk_msg m;
		uint16_t diag;

		tm_init(&t, types[i], 0);
		assert_int_equal(pfk_parse(t.w, t.len, &m, &diag), 0);
		assert_int_equal(m.hdr->sadb_msg_type, types[i]);
		assert_int_equal(m.present, 0);
	}
}

static void test_slots(void **state)
{
	(void)state;
	for (uint16_t type = 1; type <= SADB_EXT_MAX; type++)
		assert_int_equal(pfk_ext_slot(type), type);
	assert_int_equal(pfk_ext_slot(0), PFK_SLOT_NONE);
	assert_int_equal(pfk_ext_slot(28), PFK_SLOT_NONE);
	assert_int_equal(pfk_ext_slot(0x8000), PFK_SLOT_NONE);
	assert_int_equal(pfk_ext_slot(SADB_X_EXT_DPSEC_REPLAY_WINDOW), PFK_SLOT_REPLAY_WINDOW);
	assert_int_equal(pfk_ext_slot(SADB_X_EXT_DPSEC_SEQ_LEASE), PFK_SLOT_SEQ_LEASE);
	assert_int_equal(pfk_ext_slot(SADB_X_EXT_DPSEC_POLICY), PFK_SLOT_POLICY);
	assert_int_equal(pfk_ext_slot(SADB_X_EXT_DPSEC_SELECTOR), PFK_SLOT_SELECTOR);
	assert_int_equal(pfk_ext_slot(SADB_X_EXT_DPSEC_INNER_SELECTOR), PFK_SLOT_INNER_SELECTOR);
	assert_int_equal(pfk_ext_slot(SADB_X_EXT_DPSEC_SAREQ), PFK_SLOT_SAREQ);
	for (int slot = 1; slot < PFK_SLOT_COUNT; slot++)
		assert_int_equal(pfk_ext_slot(pfk_slot_exttype(slot)), slot);
	assert_int_equal(pfk_slot_exttype(PFK_SLOT_NONE), 0);
	assert_int_equal(pfk_slot_exttype(PFK_SLOT_COUNT), 0);
	assert_int_equal(pfk_slot_exttype(-1), 0);
}

static void test_sareq_iteration(void **state)
{
	static struct tmsg t;
	struct pfk_msg m;
	uint16_t diag;
	unsigned n = 0;

	(void)state;
	tm_init(&t, SADB_X_DPSEC_SPDADD, 0);
	tm_policy(&t, 2, 3, 1);
	tm_sareq(&t, SADB_SATYPE_AH, SADB_AALG_SHA256HMAC, 0);
	tm_selector4(&t, SADB_X_EXT_DPSEC_SELECTOR);
	tm_sareq(&t, SADB_SATYPE_ESP, 0, SADB_EALG_AES_GCM_16);
	tm_sareq(&t, SADB_SATYPE_ESP, 0, SADB_X_EALG_CHACHA20_POLY1305);
	assert_int_equal(pfk_parse(t.w, t.len, &m, &diag), 0);
	assert_int_equal(m.sareq_count, 3);
	static const uint8_t want[] = { SADB_SATYPE_AH, SADB_SATYPE_ESP, SADB_SATYPE_ESP };
	for (const struct sadb_x_dpsec_sareq *r = pfk_next_sareq(&m, NULL); r != NULL;
	     r = pfk_next_sareq(&m, r)) {
		assert_true(n < 3);
		assert_int_equal(r->sadb_x_req_satype, want[n]);
		n++;
	}
	assert_int_equal(n, 3);
	assert_ptr_equal(pfk_next_sareq(&m, NULL), m.sareq);

	tm_init(&t, SADB_FLUSH, 0);
	assert_int_equal(pfk_parse(t.w, t.len, &m, &diag), 0);
	assert_null(pfk_next_sareq(&m, NULL));
}

static void test_replay_accessors(void **state)
{
	static struct tmsg t;
	struct pfk_msg m;
	uint16_t diag;
	struct sadb_x_replay_ctr rc = { .sadb_x_rc_replay32 = 9 };

	(void)state;
	assert_int_equal(pfk_replay_value(&rc), 9);
	rc.sadb_x_rc_replay64 = 0x100000009ull;
	assert_int_equal(pfk_replay_value(&rc), 0x100000009ull);
	assert_int_equal(pfk_replay_value(NULL), 0);

	tm_init(&t, SADB_UPDATE, 3);
	assert_int_equal(pfk_parse(t.w, t.len, &m, &diag), 0);
	assert_int_equal(pfk_replay_window(&m), 0); /* no SA */
	tm_sa(&t, 1, 1, 3, 12, 0)->sadb_sa_replay = 200;
	assert_int_equal(pfk_parse(t.w, t.len, &m, &diag), 0);
	assert_int_equal(pfk_replay_window(&m), 200);
	tm_replay_window(&t, 4096, 0);
	assert_int_equal(pfk_parse(t.w, t.len, &m, &diag), 0);
	assert_int_equal(pfk_replay_window(&m), 4096);
	tm_replay_window(&t, 0, 0); /* second one: a duplicate */
	assert_int_equal(pfk_parse(t.w, t.len, &m, &diag), -EINVAL);
	assert_int_equal(diag, SADB_X_DIAGNOSTIC_DPSEC_DUPLICATE_EXT);
}

/* ------------------------------------------------------------------------ */
/* Coverage: every diagnostic named in pfk_parse.c has a malformed case.     */

static void require_case(const char *name, void *arg)
{
	unsigned *checked = arg;

	for (size_t i = 0; i < N_BAD; i++) {
		const char *n = pfk_diag_name(bad_cases[i].diag);

		/* names come from pfk_names.c; DPSEC_ ones may drop the prefix */
		if (n != NULL && (strcmp(n, name) == 0 ||
				  (strncmp(name, "DPSEC_", 6) == 0 && strcmp(n, name + 6) == 0))) {
			(*checked)++;
			return;
		}
	}
	fail_msg("diagnostic %s is used in pfk_parse.c but no malformed case gives it", name);
}

static void test_every_diag_covered(void **state)
{
	unsigned checked = 0;

	(void)state;
	if (!tm_scan_diags(__FILE__, "tests/pfkey/test_parse.c", "pfkey/pfk_parse.c",
			   require_case, &checked))
		skip();
	assert_true(checked >= 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_no_overread),
		cmocka_unit_test(test_null_and_alignment),
		cmocka_unit_test(test_valid_table),
		cmocka_unit_test(test_all_types_parse),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_sareq_iteration),
		cmocka_unit_test(test_replay_accessors),
		cmocka_unit_test(test_every_diag_covered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
