/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_ipseckey.c: libFuzzer target for the ipseckey(8) grammar.
 *
 * The input is one command line (cut at the first NUL).  Whatever parses
 * must be a request the codec frames correctly; an add must save to a line
 * that parses back to the very same bytes (the save round trip); and the
 * printer must accept the request.  The raw input also goes to the
 * printer and the saver as a message, which must never read outside it.
 * A broken invariant abort()s: that is the finding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_ipseckey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

static struct cli_cmd cmd, again;

static void round_trip(FILE *sink)
{
	struct cli_error err;
	struct pfk_msg m;
	uint16_t diag;
	char *text = NULL;
	size_t n = 0;
	FILE *f;

	FUZZ_CHECK(pfk_parse(cmd.msg, cmd.msg_len, &m, &diag) == 0);
	FUZZ_CHECK(cli_print_msg(sink, cmd.msg, cmd.msg_len, CLI_PRINT_KEYS) == 0);
	if (cmd.verb != CLI_VERB_ADD)
		return;
	/* PF_KEY cannot ADD a dying or dead SA, so save writes one as an add
	 * followed by an update (cli_ipseckey.h): no one-line round trip. */
	if (m.sa != NULL && (m.sa->sadb_sa_state == SADB_SASTATE_DYING ||
			     m.sa->sadb_sa_state == SADB_SASTATE_DEAD))
		return;
	f = open_memstream(&text, &n);
	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(cli_save_msg(f, cmd.msg, cmd.msg_len) == 0);
	fclose(f);
	FUZZ_CHECK(cli_parse_line(text, 1, CLI_NUMERIC, 1, 1, &again, &err) == 0);
	FUZZ_CHECK(again.msg_len == cmd.msg_len);
	FUZZ_CHECK(memcmp(again.msg, cmd.msg, cmd.msg_len) == 0);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct cli_error err;
	char *line;
	void *msg;

	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	if (sink == NULL)
		return 0;

	/* As a command line. */
	line = malloc(size + 1);
	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (cli_parse_line(line, 1, CLI_NUMERIC, 1, 1, &cmd, &err) == 0) {
		FUZZ_CHECK(err.msg[0] == '\0');
		if (cmd.msg_len > 0)
			round_trip(sink);
	} else {
		FUZZ_CHECK(err.msg[0] != '\0' && cmd.msg_len == 0);
	}
	free(line);

	/* As a message from the gateway, in a block of exactly its size. */
	msg = malloc(size ? size : 1);
	if (msg == NULL)
		return 0;
	memcpy(msg, data, size);
	(void)cli_print_msg(sink, msg, size, 0);
	(void)cli_save_msg(sink, msg, size);
	free(msg);
	return 0;
}
