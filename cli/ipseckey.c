/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipseckey: manage the gateway's SAs over its PF_KEY socket (ipseckey(8)).
 *
 * A thin main over the grammar library (cli_ipseckey.h): it picks the
 * input (argv, -f, -c, -s, or the interactive prompt), sends each request
 * with the pfkey client helper, and prints what comes back.  Exit status:
 * 0 when every command parsed and succeeded, 1 when any failed, 2 for a
 * usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef CLI_HAVE_LIBEDIT
#include <histedit.h>
#endif

#include "cli_ipseckey.h"

#define IPK_TIMEOUT_MS 5000

struct ipk {
	const char *socket_path; /* NULL = PFK_DEFAULT_SOCKET */
	int fd;                  /* -1 until the first command that needs it */
	unsigned parse_flags;    /* CLI_NUMERIC */
	unsigned print_flags;    /* CLI_PRINT_KEYS */
	bool verbose;
	uint32_t seq;
	uint32_t pid;
	unsigned errors;
	bool quit;
	_Alignas(8) uint8_t reply[PFK_MSG_MAX];
};

static void usage(FILE *out)
{
	fputs("usage: ipseckey [-nvp] [-S socket] [-f file | -c file | -s file | "
	      "command ...]\n", out);
}

static int ipk_open(struct ipk *k)
{
	int fd;

	if (k->fd >= 0)
		return 0;
	fd = pfk_client_open(k->socket_path);
	if (fd < 0) {
		fprintf(stderr, "ipseckey: cannot connect to %s: %s (is dpsecd running? "
			"-S names its socket)\n",
			k->socket_path ? k->socket_path : PFK_DEFAULT_SOCKET, strerror(-fd));
		return fd;
	}
	k->fd = fd;
	return 0;
}

/* An error reply, in words. */
static void report_reply_error(const struct cli_cmd *cmd, const struct sadb_msg *h)
{
	const char *ds = pfk_diag_string(h->sadb_x_msg_diagnostic);
	const char *mt = pfk_msg_name(((const struct sadb_msg *)(const void *)cmd->msg)
				      ->sadb_msg_type);

	fprintf(stderr, "ipseckey: %s failed: %s", mt ? mt : "request",
		strerror(h->sadb_msg_errno));
	if (h->sadb_x_msg_diagnostic != 0)
		fprintf(stderr, "; diagnostic %u: %s", h->sadb_x_msg_diagnostic,
			ds ? ds : "unknown");
	fputc('\n', stderr);
}

static void print_other(void *arg, const void *msg, size_t len)
{
	struct ipk *k = arg;

	if (k->verbose) {
		fputs("(unsolicited)\n", stdout);
		cli_print_msg(stdout, msg, len, k->print_flags);
	}
}

/* SAs whose save lines wait for the end of the dump (the second SA of a
 * pair: cli_save_pair_role()).  They hold keys: wiped when freed. */
struct ipk_deferred {
	struct ipk_deferred *next;
	size_t len;
	_Alignas(8) uint8_t msg[];
};

static void save_one(FILE *save, const void *msg, size_t len, unsigned flags, int *rc)
{
	int err = cli_save_msg_flags(save, msg, len, flags);

	if (err == -EINVAL)
		fprintf(save, "# skipped an SA that save cannot express\n");
	else if (err < 0 && *rc == 0)
		*rc = err;
}

/* Write the deferred SAs in the order they came, and free them. */
static int save_deferred(FILE *save, struct ipk_deferred *list, bool write)
{
	struct ipk_deferred *rev = NULL;
	int rc = 0;

	while (list != NULL) {
		struct ipk_deferred *d = list;

		list = d->next;
		d->next = rev;
		rev = d;
	}
	while (rev != NULL) {
		struct ipk_deferred *d = rev;

		rev = d->next;
		if (write)
			save_one(save, d->msg, d->len, 0, &rc);
		pfk_wipe(d->msg, d->len);
		free(d);
	}
	return rc;
}

/* Send a DUMP and hand each SA to the printer or the saver; the end is a
 * bare header. */
static int ipk_dump(struct ipk *k, const struct cli_cmd *cmd, FILE *save)
{
	const struct sadb_msg *req = (const void *)cmd->msg;
	struct ipk_deferred *deferred = NULL;
	unsigned count = 0;
	int rc = pfk_client_send(k->fd, cmd->msg, cmd->msg_len);

	if (rc < 0) {
		fprintf(stderr, "ipseckey: send: %s\n", strerror(-rc));
		return rc;
	}
	for (;;) {
		const struct sadb_msg *h = (const void *)k->reply;

		rc = pfk_client_recv(k->fd, k->reply, sizeof(k->reply), IPK_TIMEOUT_MS);
		if (rc == 0)
			rc = -ECONNRESET;
		if (rc < 0) {
			fprintf(stderr, "ipseckey: dump: %s\n", strerror(-rc));
			save_deferred(save, deferred, false);
			return rc;
		}
		/* Ours: the DUMP replies to our pid, and the end marker (a bare
		 * header with seq 0, whatever its pid). */
		if ((size_t)rc < sizeof(*h) || h->sadb_msg_type != SADB_DUMP ||
		    (h->sadb_msg_pid != req->sadb_msg_pid &&
		     !(rc == sizeof(*h) && h->sadb_msg_seq == 0))) {
			print_other(k, k->reply, (size_t)rc);
			continue;
		}
		if (h->sadb_msg_errno != 0) {
			if (h->sadb_msg_errno == ENOENT && count == 0)
				break; /* nothing to dump */
			report_reply_error(cmd, h);
			save_deferred(save, deferred, false);
			return -h->sadb_msg_errno;
		}
		if (h->sadb_msg_len * 8u == sizeof(*h))
			break;
		count++;
		if (save != NULL) {
			const size_t len = (size_t)rc;
			struct ipk_deferred *d;

			rc = 0;
			if (cli_save_pair_role(k->reply, len) != CLI_PAIR_SECOND) {
				save_one(save, k->reply, len, CLI_SAVE_NO_PAIR, &rc);
			} else if ((d = malloc(sizeof(*d) + len)) != NULL) {
				memcpy(d->msg, k->reply, len);
				d->len = len;
				d->next = deferred;
				deferred = d;
			} else {
				rc = -ENOMEM;
			}
			if (rc < 0) {
				save_deferred(save, deferred, false);
				return rc;
			}
		} else {
			cli_print_msg(stdout, k->reply, (size_t)rc, k->print_flags);
			fputc('\n', stdout);
		}
	}
	pfk_wipe(k->reply, sizeof(k->reply));
	if (save == NULL) {
		printf("Dump succeeded for SA type %u: %u SAs.\n", cmd->satype, count);
		return 0;
	}
	return save_deferred(save, deferred, true);
}

/* Print every message until the gateway goes away. */
static int ipk_monitor(struct ipk *k, const struct cli_cmd *cmd)
{
	int rc = pfk_client_send(k->fd, cmd->msg, cmd->msg_len);

	if (rc < 0) {
		fprintf(stderr, "ipseckey: send: %s\n", strerror(-rc));
		return rc;
	}
	printf("%s monitoring the PF_KEY socket.\n",
	       cmd->verb == CLI_VERB_MONITOR ? "Actively" : "Passively");
	fflush(stdout);
	for (;;) {
		rc = pfk_client_recv(k->fd, k->reply, sizeof(k->reply), -1);
		if (rc <= 0) {
			fprintf(stderr, "ipseckey: monitor: %s\n",
				rc == 0 ? "the gateway closed the socket" : strerror(-rc));
			return rc == 0 ? -ECONNRESET : rc;
		}
		cli_print_msg(stdout, k->reply, (size_t)rc, k->print_flags);
		fputc('\n', stdout);
		fflush(stdout);
		pfk_wipe(k->reply, (size_t)rc);
	}
}

static FILE *open_save_file(const char *path)
{
	int fd;
	FILE *f;

	if (path[0] == '\0' || strcmp(path, "-") == 0)
		return stdout;
	/* The file will hold keys: only its owner may read it. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (f == NULL)
		close(fd);
	return f;
}

/* Run one parsed command.  Returns 0 or -errno (already reported). */
static int ipk_run(struct ipk *k, struct cli_cmd *cmd)
{
	const struct sadb_msg *h = (const void *)k->reply;
	int rc;

	switch (cmd->verb) {
	case CLI_VERB_NONE:
		return 0;
	case CLI_VERB_HELP:
		return cli_print_help(stdout, cmd->arg[0] ? cmd->arg : NULL);
	case CLI_VERB_QUIT:
		k->quit = true;
		return 0;
	default:
		break;
	}
	rc = ipk_open(k);
	if (rc < 0)
		return rc;
	if (k->verbose) {
		fputs("Sending:\n", stdout);
		cli_print_msg(stdout, cmd->msg, cmd->msg_len, k->print_flags);
	}
	switch (cmd->verb) {
	case CLI_VERB_DUMP:
		return ipk_dump(k, cmd, NULL);
	case CLI_VERB_SAVE: {
		FILE *f = open_save_file(cmd->arg);

		if (f == NULL) {
			fprintf(stderr, "ipseckey: save: %s: %s\n", cmd->arg, strerror(errno));
			return -errno;
		}
		rc = ipk_dump(k, cmd, f);
		if (f != stdout && fclose(f) != 0 && rc == 0)
			rc = -errno;
		else if (f == stdout)
			fflush(stdout);
		return rc;
	}
	case CLI_VERB_MONITOR:
	case CLI_VERB_PMONITOR:
		return ipk_monitor(k, cmd);
	default:
		break;
	}

	rc = pfk_client_request(k->fd, cmd->msg, cmd->msg_len, k->reply, sizeof(k->reply),
				IPK_TIMEOUT_MS, print_other, k);
	if (rc < 0) {
		fprintf(stderr, "ipseckey: no reply from the gateway: %s\n", strerror(-rc));
		return rc;
	}
	if (k->verbose) {
		fputs("Received:\n", stdout);
		cli_print_msg(stdout, k->reply, (size_t)rc, k->print_flags);
	}
	if (h->sadb_msg_errno != 0) {
		report_reply_error(cmd, h);
		rc = -h->sadb_msg_errno;
	} else {
		if (cmd->verb == CLI_VERB_GET && !k->verbose)
			cli_print_msg(stdout, k->reply, (size_t)rc, k->print_flags);
		rc = 0;
	}
	pfk_wipe(k->reply, sizeof(k->reply));
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Input modes.                                                              */

static int on_file_cmd(void *arg, struct cli_cmd *cmd, unsigned line)
{
	struct ipk *k = arg;

	(void)line;
	k->seq++;
	if (ipk_run(k, cmd) < 0)
		k->errors++;
	return k->quit ? -ECANCELED : 0;
}

static int on_check_cmd(void *arg, struct cli_cmd *cmd, unsigned line)
{
	(void)arg;
	(void)cmd;
	(void)line;
	return 0;
}

static void on_error(void *arg, const struct cli_error *err)
{
	struct ipk *k = arg;

	k->errors++;
	fprintf(stderr, "ipseckey: %s\n", err->msg);
}

/* The whole input, in memory: it is parsed twice.  The buffer may hold
 * keys: every copy is wiped before it is freed. */
static int slurp_input(FILE *in, char **text, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, in);

		n += got;
		if (n < cap)
			break;
		char *bigger = malloc(cap * 2);

		if (bigger == NULL) {
			pfk_wipe(buf, cap);
			free(buf);
			return -ENOMEM;
		}
		memcpy(bigger, buf, n);
		pfk_wipe(buf, cap);
		free(buf);
		buf = bigger;
		cap *= 2;
	}
	if (ferror(in)) {
		pfk_wipe(buf, cap);
		free(buf);
		return -EIO;
	}
	*text = buf;
	*len = n;
	return 0;
}

static int parse_text(struct ipk *k, char *text, size_t len, cli_cmd_fn on_cmd)
{
	FILE *mem;
	int rc;

	if (len == 0)
		return 0;
	mem = fmemopen(text, len, "r");
	if (mem == NULL)
		return -errno;
	setvbuf(mem, NULL, _IONBF, 0); /* no stdio buffer to hold keys */
	rc = cli_parse_file(mem, k->parse_flags, k->seq, k->pid, on_cmd, on_error, k);
	fclose(mem);
	return rc;
}

/* -f and -c.  The whole file is checked first and every bad command
 * reported; only a file without syntax errors is run, so that a file with
 * a mistake leaves the SADB as it was (a half-applied key file is worse
 * than none).  Commands the gateway refuses are reported and the others
 * still run. */
static int run_file(struct ipk *k, const char *path, bool check_only)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (in == NULL) {
		fprintf(stderr, "ipseckey: %s: %s\n", path, strerror(errno));
		return 1;
	}
	setvbuf(in, NULL, _IONBF, 0);
	rc = slurp_input(in, &text, &len);
	if (in != stdin)
		fclose(in);
	if (rc < 0) {
		fprintf(stderr, "ipseckey: %s: %s\n", path, strerror(-rc));
		return 1;
	}
	rc = parse_text(k, text, len, on_check_cmd);
	if (rc == 0 && !check_only)
		rc = parse_text(k, text, len, on_file_cmd);
	pfk_wipe(text, len);
	free(text);
	if (rc == -EINVAL && !check_only)
		fprintf(stderr, "ipseckey: %s: not run: it has syntax errors\n", path);
	if (rc < 0 && rc != -EINVAL && rc != -ECANCELED) {
		fprintf(stderr, "ipseckey: %s: %s\n", path, strerror(-rc));
		return 1;
	}
	if (k->errors > 0)
		fprintf(stderr, "ipseckey: %s: %u error%s\n", path, k->errors,
			k->errors == 1 ? "" : "s");
	return k->errors > 0 ? 1 : 0;
}

static int run_line(struct ipk *k, const char *line, unsigned lineno)
{
	struct cli_cmd *cmd = malloc(sizeof(*cmd));
	struct cli_error err;
	int rc;

	if (cmd == NULL)
		return -ENOMEM;
	rc = cli_parse_line(line, lineno, k->parse_flags, ++k->seq, k->pid, cmd, &err);
	if (rc < 0) {
		fprintf(stderr, "ipseckey: %s\n", err.msg);
		k->errors++;
	} else if (ipk_run(k, cmd) < 0) {
		k->errors++;
	}
	cli_cmd_wipe(cmd);
	free(cmd);
	return 0;
}

#ifdef CLI_HAVE_LIBEDIT
static char *prompt(EditLine *el)
{
	(void)el;
	return (char *)"ipseckey> ";
}
#endif

/* The prompt: libedit on a terminal, plain lines otherwise.  A trailing
 * backslash continues a command.  History stays in memory only (add lines
 * hold keys). */
static int run_interactive(struct ipk *k)
{
	char *acc = NULL;
	size_t acc_len = 0;
	unsigned lineno = 0;
	bool tty = isatty(STDIN_FILENO);
#ifdef CLI_HAVE_LIBEDIT
	EditLine *el = NULL;
	History *hist = NULL;
	HistEvent ev;

	if (tty) {
		el = el_init("ipseckey", stdin, stdout, stderr);
		hist = history_init();
		if (el != NULL && hist != NULL) {
			history(hist, &ev, H_SETSIZE, 200);
			el_set(el, EL_PROMPT, prompt);
			el_set(el, EL_EDITOR, "emacs");
			el_set(el, EL_HIST, history, hist);
		}
	}
#endif
	char *buf = NULL;
	size_t cap = 0;

	while (!k->quit) {
		const char *line = NULL;
		size_t n;

#ifdef CLI_HAVE_LIBEDIT
		if (el != NULL && hist != NULL) {
			int count;

			line = el_gets(el, &count);
			if (line != NULL && count > 1)
				history(hist, &ev, H_ENTER, line);
		} else
#endif
		{
			if (tty) {
				fputs(acc_len ? "> " : "ipseckey> ", stdout);
				fflush(stdout);
			}
			if (getline(&buf, &cap, stdin) >= 0)
				line = buf;
		}
		if (line == NULL)
			break;
		lineno++;
		n = strlen(line);
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		char *nacc = realloc(acc, acc_len + n + 2);

		if (nacc == NULL)
			break;
		acc = nacc;
		memcpy(acc + acc_len, line, n);
		acc_len += n;
		acc[acc_len] = '\0';
		if (acc_len > 0 && acc[acc_len - 1] == '\\') {
			acc[acc_len - 1] = ' ';
			continue;
		}
		run_line(k, acc, tty ? 0 : lineno);
		pfk_wipe(acc, acc_len);
		acc_len = 0;
	}
	if (acc != NULL) {
		pfk_wipe(acc, acc_len);
		free(acc);
	}
	if (buf != NULL) {
		pfk_wipe(buf, cap);
		free(buf);
	}
#ifdef CLI_HAVE_LIBEDIT
	if (hist != NULL)
		history_end(hist);
	if (el != NULL)
		el_end(el);
#endif
	return k->errors > 0 ? 1 : 0;
}

int main(int argc, char *argv[])
{
	static struct ipk k = { .fd = -1 };
	const char *file = NULL;
	char mode = 0;
	int opt, rc;

	k.pid = (uint32_t)getpid();
	while ((opt = getopt(argc, argv, "+nvpS:f:c:s:h")) != -1) {
		switch (opt) {
		case 'n':
			k.parse_flags |= CLI_NUMERIC;
			break;
		case 'v':
			k.verbose = true;
			break;
		case 'p':
			k.print_flags |= CLI_PRINT_KEYS;
			break;
		case 'S':
			k.socket_path = optarg;
			break;
		case 'f':
		case 'c':
		case 's':
			if (mode != 0) {
				fprintf(stderr, "ipseckey: -f, -c and -s exclude each other\n");
				usage(stderr);
				return 2;
			}
			mode = (char)opt;
			file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (mode != 0 && optind < argc) {
		fprintf(stderr, "ipseckey: a command cannot follow -%c\n", mode);
		usage(stderr);
		return 2;
	}

	switch (mode) {
	case 'f':
		rc = run_file(&k, file, false);
		break;
	case 'c':
		rc = run_file(&k, file, true);
		if (rc == 0)
			printf("%s: syntax OK\n", file);
		break;
	case 's': {
		char *words[] = { (char *)"save", (char *)"all", (char *)file };
		struct cli_cmd *cmd = calloc(1, sizeof(*cmd));
		struct cli_error err;

		if (cmd == NULL)
			return 1;
		rc = cli_parse_argv(3, words, k.parse_flags, ++k.seq, k.pid, cmd, &err);
		if (rc < 0)
			fprintf(stderr, "ipseckey: %s\n", err.msg);
		else
			rc = ipk_run(&k, cmd);
		free(cmd);
		rc = rc < 0 ? 1 : 0;
		break;
	}
	default:
		if (optind < argc) {
			struct cli_cmd *cmd = calloc(1, sizeof(*cmd));
			struct cli_error err;

			if (cmd == NULL)
				return 1;
			rc = cli_parse_argv(argc - optind, argv + optind,
					    k.parse_flags | CLI_CMDLINE, ++k.seq, k.pid, cmd,
					    &err);
			if (rc < 0)
				fprintf(stderr, "ipseckey: %s\n", err.msg);
			else
				rc = ipk_run(&k, cmd);
			cli_cmd_wipe(cmd);
			free(cmd);
			rc = rc < 0 ? 1 : 0;
		} else {
			rc = run_interactive(&k);
		}
		break;
	}
	if (k.fd >= 0)
		close(k.fd);
	return rc;
}
