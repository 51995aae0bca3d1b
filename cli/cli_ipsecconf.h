/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli_ipsecconf.h: the ipsecconf(8) policy grammar as a library.
 *
 * The ipsecconf program and dpsecd (which loads the same policy files at
 * start) share this code.  A policy file is a list of illumos rules
 *	{ pattern } action { properties } [or action { properties }]*
 * and every rule becomes one SADB_X_DPSEC_SPDADD request (struct
 * cli_pol_rule is that request, decoded).  The printer turns a rule - one
 * from a file or one from an SPDDUMP reply - back into text that parses to
 * the very same request bytes.  man/ipsecconf.8 is the user's description
 * of the grammar and of how it maps to the policy messages.
 *
 * Contracts:
 *  - Nothing here prints to stderr or exits.  A parse reports every bad
 *    rule in cli_pol_file.errs (complete messages naming file, line, token
 *    and what was expected) and keeps only the good rules; the caller
 *    decides what to do (ipsecconf -a sends nothing unless errs is empty).
 *  - Name lookups (getaddrinfo, getservbyname, getprotobyname) happen only
 *    without CLI_POL_NUMERIC.  A host name must resolve to exactly one
 *    address (illumos added one rule per address; dpsec keeps one SPDADD
 *    per rule, so it asks for an address instead).
 *  - cli_pol_file owns its arrays: release them with cli_pol_file_free().
 *  - Reentrant; no global mutable state.
 */
#ifndef DPSEC_CLI_IPSECCONF_H
#define DPSEC_CLI_IPSECCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dpsec/pfkey.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse and print flags. */
#define CLI_POL_NUMERIC 0x1u /* -n: no name lookups; print protocols as numbers */

/* SA requirements one rule may carry (the codec's limit per message). */
#define CLI_POL_SAREQ_MAX 16u

/* Default priorities (lower is matched first).  Bypass rules sort before
 * every other rule, as in illumos; within each class, file order.  A rule
 * may set its priority explicitly with the pattern key `priority`. */
#define CLI_POL_PRIO_BYPASS 1000u
#define CLI_POL_PRIO_RULE 100000u

/* Largest SPDADD a rule makes: base, policy, two selectors, the SA
 * requirements and two address extensions (sockaddr_in6). */
#define CLI_POL_MSG_MAX (16u + 16u + 2u * 56u + CLI_POL_SAREQ_MAX * 16u + 2u * 40u)

/* One policy rule: exactly the content of one SPDADD request.
 * For a transport-mode (or bypass/drop) rule `selector` is what the rule
 * matches and there is no inner selector and no tunnel.  For a tunnel-mode
 * rule `inner` is what it matches (seed 002: tunnel policies select on the
 * inner packet), `selector` is the tunnel itself (local endpoint as src,
 * remote endpoint as dst, full prefixes, any protocol) and tun_local /
 * tun_remote are the ADDRESS_SRC / ADDRESS_DST extensions. */
struct cli_pol_rule {
	unsigned line;                          /* line of its '{'; 0 if decoded */
	struct sadb_x_dpsec_policy policy;      /* index 0 unless decoded */
	struct sadb_x_dpsec_selector selector;
	struct sadb_x_dpsec_selector inner;
	bool has_inner;
	bool has_tunnel;
	struct sockaddr_storage tun_local, tun_remote;
	unsigned nreq;
	struct sadb_x_dpsec_sareq req[CLI_POL_SAREQ_MAX];
};

/* One bad rule: msg is complete, e.g.
 * "policy.conf:4: \"lprot\": unknown pattern key; expected laddr, ...". */
struct cli_pol_error {
	unsigned line;
	char msg[320];
};

/* The result of parsing one file. */
struct cli_pol_file {
	struct cli_pol_rule *rules;
	size_t nrules;
	struct cli_pol_error *errs;
	size_t nerrs;
};

/* Parse a whole policy file held in text[0..len).  fname names it in the
 * messages.  Returns 0 when the file was read (check out->nerrs for bad
 * rules) or -ENOMEM; out is always safe to free afterwards. */
int cli_pol_parse(const char *text, size_t len, const char *fname, unsigned flags,
		  struct cli_pol_file *out);
void cli_pol_file_free(struct cli_pol_file *f);

/* Build the SPDADD request of a rule into buf (8-byte aligned).  Returns
 * the length or -errno (-ENOSPC if cap is too small). */
int cli_pol_build_add(const struct cli_pol_rule *r, void *buf, size_t cap, uint32_t seq,
		      uint32_t pid);

/* Decode a rule from a validated SPD message (an SPDDUMP or SPDGET reply,
 * or an SPDADD request).  Returns 0, or -EINVAL when the message holds no
 * rule (no POLICY or SELECTOR), or -E2BIG with more SAREQs than fit. */
int cli_pol_rule_from_msg(const struct pfk_msg *m, struct cli_pol_rule *out);

/* Print a rule as one line of policy text ending in '\n' (no index; the
 * caller adds a "# index N" comment if it wants one).  Returns the length
 * written (NUL excluded), -ENOSPC if cap is too small, or -ENOTSUP when
 * the rule cannot be written in the grammar (a rule added by another
 * client whose shape no ipsecconf text produces; see the man page). */
int cli_pol_print(const struct cli_pol_rule *r, unsigned flags, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* DPSEC_CLI_IPSECCONF_H */
