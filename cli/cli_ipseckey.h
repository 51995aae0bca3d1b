/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli_ipseckey.h: the ipseckey(8) grammar as a library.
 *
 * The ipseckey program and dpsecd (which loads the same files at start)
 * share this code.  It turns command lines into PF_KEY v2 requests built
 * with the pfkey codec, and PF_KEY messages back into text: the verbose
 * printing of dump/get/monitor and the `add` lines of `save`, which
 * cli_parse_line() reads back into the very same request bytes.
 *
 * Parsing, printing and saving are driven by one keyword table
 * (cli_sa_parse.c): each keyword has a parser that stores its value in a
 * struct cli_sa and a saver that writes it back as text.
 *
 * Contracts:
 *  - Nothing here prints to stderr or exits; errors come back as -errno
 *    with a struct cli_error the caller prints.  The printers write only
 *    to the FILE the caller passes.
 *  - A struct cli_cmd may hold keys: call cli_cmd_wipe() when done.
 *  - Name lookups (getaddrinfo) happen only without CLI_NUMERIC; with it
 *    only numeric addresses are accepted.  A name that resolves to several
 *    addresses gives one SA, for the first address (illumos made one SA per
 *    address).
 *  - Reentrant; no global mutable state.
 */
#ifndef DPSEC_CLI_IPSECKEY_H
#define DPSEC_CLI_IPSECKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dpsec/pfkey.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The commands of ipseckey(8). */
enum cli_verb {
	CLI_VERB_NONE = 0, /* empty or comment line */
	CLI_VERB_ADD,
	CLI_VERB_UPDATE,
	CLI_VERB_UPDATE_PAIR,
	CLI_VERB_DELETE,
	CLI_VERB_DELETE_PAIR,
	CLI_VERB_GET,
	CLI_VERB_FLUSH,
	CLI_VERB_DUMP,
	CLI_VERB_MONITOR,
	CLI_VERB_PMONITOR,
	CLI_VERB_SAVE,
	CLI_VERB_HELP,
	CLI_VERB_QUIT,
};

/* Parse flags. */
#define CLI_NUMERIC 0x1u  /* -n: no name lookups, numeric addresses only */
#define CLI_CMDLINE 0x2u  /* the line came from argv: add/update refused */

/* Largest request a command line can make (identities are the big part). */
#define CLI_MSG_MAX 4096u

/* One parsed command.  msg holds the PF_KEY request (msg_len bytes) for
 * every verb that sends one; monitor holds the REGISTER or X_PROMISC that
 * starts it; help and quit send nothing (msg_len 0). */
struct cli_cmd {
	enum cli_verb verb;
	uint8_t satype;      /* SADB_SATYPE_*, UNSPEC for "all" */
	size_t msg_len;
	char arg[256];       /* save: target file ("" = standard output);
			      * help: the topic */
	_Alignas(8) uint8_t msg[CLI_MSG_MAX];
};

/* Where and why a line failed.  msg is complete, e.g.
 * "line 3: 'encr_alg': expected an encryption algorithm (aes, ...), got 'foo'" */
struct cli_error {
	unsigned line;
	char msg[512];
};

/* Parse one command line (no continuation lines; '#' starts a comment)
 * into *cmd.  seq and pid go into the request's header.  Returns 0 (verb
 * CLI_VERB_NONE for a blank line) or -errno with *err filled: -EINVAL for a
 * syntax error, -EPERM for add/update under CLI_CMDLINE.  line is only
 * used for messages. */
int cli_parse_line(const char *text, unsigned line, unsigned flags, uint32_t seq,
		   uint32_t pid, struct cli_cmd *cmd, struct cli_error *err);

/* Same, from words already split (argv of the command line). */
int cli_parse_argv(int argc, char *const argv[], unsigned flags, uint32_t seq,
		   uint32_t pid, struct cli_cmd *cmd, struct cli_error *err);

/* A file of commands: a trailing backslash continues a line; each command
 * is reported with the number of its first line.  Every command that
 * parses goes to on_cmd (which may return -errno to stop; that value is
 * returned); every bad command goes to on_error and parsing continues.
 * Returns 0 when every command parsed, -EINVAL when some did not (after
 * reporting each), or -errno for an I/O error.  seq counts up from
 * first_seq. */
typedef int (*cli_cmd_fn)(void *arg, struct cli_cmd *cmd, unsigned line);
typedef void (*cli_error_fn)(void *arg, const struct cli_error *err);
int cli_parse_file(FILE *in, unsigned flags, uint32_t first_seq, uint32_t pid,
		   cli_cmd_fn on_cmd, cli_error_fn on_error, void *arg);

/* Wipe a command (its request may hold keys). */
void cli_cmd_wipe(struct cli_cmd *cmd);

/* ------------------------------------------------------------------------ */
/* Printing (cli_sa_print.c).                                                */

#define CLI_PRINT_KEYS 0x1u     /* -p: show keys (hidden otherwise); addresses
				 * are always printed as numbers */

/* Print any PF_KEY message in the verbose, one extension per line form of
 * dump/get/monitor/-v: base header, error replies with their diagnostic
 * text, every known extension including the dpsec ones, and a line per
 * unknown extension.  The message is validated with pfk_parse() first; a
 * malformed message is printed as such with its diagnostic.  Returns 0 or
 * -errno from the FILE. */
int cli_print_msg(FILE *out, const void *msg, size_t len, unsigned flags);

/* Write one `add` line for an SA message (a DUMP or GET reply, or an ADD
 * or UPDATE request), keys included, that cli_parse_line() reads back to
 * the same ADD request.  An SA in state DYING or DEAD (which no ADD may
 * install) gets its add line without the state, then an `update ... state`
 * line.  Returns 0, -EINVAL for a message that is not an AH/ESP SA, or
 * -errno from the FILE. */
int cli_save_msg(FILE *out, const void *msg, size_t len);

/* The same with flags: CLI_SAVE_NO_PAIR leaves pair-spi out.
 *
 * A pair read back from a file: an ADD naming a partner that does not
 * exist yet is refused, and the ADD of the second SA pairs both.  So a
 * saver writes the CLI_PAIR_FIRST SA of a pair without pair-spi where it
 * comes, and the CLI_PAIR_SECOND one (with pair-spi) after every other SA
 * (cli_save_pair_role() says which is which; CLI_PAIR_NONE: not paired or
 * not an SA). */
#define CLI_SAVE_NO_PAIR 0x1u
int cli_save_msg_flags(FILE *out, const void *msg, size_t len, unsigned flags);
enum cli_pair_role { CLI_PAIR_NONE, CLI_PAIR_FIRST, CLI_PAIR_SECOND };
enum cli_pair_role cli_save_pair_role(const void *msg, size_t len);

/* The help text of `help` (and `?`); topic may be NULL or a command. */
int cli_print_help(FILE *out, const char *topic);

#ifdef __cplusplus
}
#endif

#endif /* DPSEC_CLI_IPSECKEY_H */
