/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_ipsecconf: the ipsecconf(8) policy grammar (cli/cli_policy_*.c).
 *
 * Invariants on any input: the parser returns 0 (or -ENOMEM); every error
 * message names the file; every rule it keeps builds an SPDADD that the
 * codec accepts; every such rule, decoded from that request, prints to
 * text that parses back to exactly the same request bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ipsecconf.h"

static void check_rule(const struct cli_pol_rule *r)
{
	_Alignas(8) uint8_t a[CLI_POL_MSG_MAX], b[CLI_POL_MSG_MAX];
	struct cli_pol_file back;
	struct cli_pol_rule d;
	struct pfk_msg m;
	uint16_t diag;
	char text[4096];
	const int la = cli_pol_build_add(r, a, sizeof(a), 1, 2);
	int w, lb;

	if (la <= 0 || pfk_validate(a, (size_t)la, PFK_DIR_REQUEST, &m, &diag) != 0)
		abort();
	if (cli_pol_rule_from_msg(&m, &d) != 0)
		abort();
	w = cli_pol_print(&d, 0, text, sizeof(text));
	if (w <= 0 || (size_t)w != strlen(text))
		abort();
	if (cli_pol_parse(text, (size_t)w, "rt", CLI_POL_NUMERIC, &back) != 0 ||
	    back.nerrs != 0 || back.nrules != 1)
		abort();
	lb = cli_pol_build_add(&back.rules[0], b, sizeof(b), 1, 2);
	if (lb != la || memcmp(a, b, (size_t)la) != 0)
		abort();
	cli_pol_file_free(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cli_pol_file f;

	/* Numeric only: no name service lookups from a fuzzer. */
	if (cli_pol_parse((const char *)data, size, "fz", CLI_POL_NUMERIC, &f) != 0)
		return 0;
	for (size_t i = 0; i < f.nerrs; i++)
		if (strncmp(f.errs[i].msg, "fz:", 3) != 0)
			abort();
	for (size_t i = 0; i < f.nrules; i++)
		check_rule(&f.rules[i]);
	cli_pol_file_free(&f);
	return 0;
}
