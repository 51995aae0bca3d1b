/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli_pol_priv.h: what cli_policy_parse.c and cli_policy_print.c share.
 *
 * One properties block ({ auth_algs ... encr_algs ... encr_auth_algs ... })
 * is held as a struct cli_pol_props and turned into SA requirements by
 * cli_pol_expand(), the single place that decides the mapping.  The
 * printer rebuilds a props block from SAREQs and keeps it only if
 * cli_pol_expand() gives back the very same SAREQs, so parse(print(x)) == x
 * holds by construction.
 */
#ifndef DPSEC_CLI_POL_PRIV_H
#define DPSEC_CLI_POL_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "cli_ipsecconf.h"

/* Key sizes written with an open upper end, "aes(192..)". */
#define CLI_POL_BITS_OPEN 65535u

/* One algorithm of a list: id (0 = none, SADB_X_DPSEC_ALG_ANY = any) and
 * key bits (0..0 = the algorithm's default range). */
struct cli_pol_alg {
	uint8_t id;
	uint16_t minbits, maxbits;
};

/* One properties block, as written. */
struct cli_pol_props {
	struct cli_pol_alg ah[CLI_POL_SAREQ_MAX];     /* auth_algs */
	struct cli_pol_alg enc[CLI_POL_SAREQ_MAX];    /* encr_algs */
	struct cli_pol_alg eauth[CLI_POL_SAREQ_MAX];  /* encr_auth_algs */
	unsigned n_ah, n_enc, n_eauth;
};

/* The ESP authentication a cipher gets when encr_auth_algs is absent:
 * SADB_X_DPSEC_ALG_ANY for a cipher that needs one (any the gateway has;
 * never "none": dpsec does not choose ESP without integrity by itself),
 * 0 for a combined-mode (AEAD) cipher, -1 for NULL (it must be given). */
int cli_pol_esp_default_auth(uint8_t encr);
/* Is the cipher combined-mode (takes no separate authentication)? */
bool cli_pol_encr_is_aead(uint8_t encr);

/* SAREQs of one block: the AH requirements (one per auth_algs entry),
 * then the ESP ones (encr_algs x encr_auth_algs, cipher-major; a combined-
 * mode cipher once, without authentication; encr_auth_algs alone means
 * encr_algs null).  Returns the count, or -E2BIG past cap. */
int cli_pol_expand(const struct cli_pol_props *p, struct sadb_x_dpsec_sareq *out,
		   unsigned cap);

/* IP protocol names both ways (a fixed table, so that files mean the same
 * on every host; /etc/protocols is asked only for names not in it). */
const char *cli_pol_proto_name(uint8_t proto);
int cli_pol_proto_by_name(const char *name); /* -ENOENT if not in the table */

#endif /* DPSEC_CLI_POL_PRIV_H */
