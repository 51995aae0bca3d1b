/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipsecconf: load, list, delete and flush dpsecd's IPsec policy (SPD) over
 * its PF_KEY socket, in the illumos ipsecconf(8) grammar.
 *
 *	ipsecconf [-S socket] [-q] [-n] [-a file | -c file | -l | -d index | -F]
 *
 * -a is all or nothing: the whole file is parsed and every request built
 * and checked before the first is sent; if dpsecd then refuses a rule, the
 * rules this run already added are deleted again (by the indexes dpsecd
 * returned) and the exit status is 1.  Exit status: 0 success, 1 a bad
 * file or a refused request, 2 usage or no connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_ipsecconf.h"

#define REPLY_TIMEOUT_MS 10000
#define FILE_MAX (16u << 20)

struct opts {
	const char *socket;
	const char *file;
	char mode;         /* 'a', 'c', 'l', 'd', 'F' */
	uint32_t index;
	bool quiet;
	unsigned flags;    /* CLI_POL_* */
};

struct conn {
	int fd;
	uint32_t seq;
	uint32_t pid;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ipsecconf [-S socket] [-q] [-n] "
		   "[-a file | -c file | -l | -d index | -F]\n"
		   "  -a file   add every rule of file (all or nothing)\n"
		   "  -c file   check the syntax of file only\n"
		   "  -l        list the rules (the default), in a form -a reads back\n"
		   "  -d index  delete the rule with that index\n"
		   "  -F        flush every rule\n"
		   "  -S socket dpsecd's PF_KEY socket (default %s)\n"
		   "  -q        quiet\n"
		   "  -n        no name lookups; numbers in the listing\n",
		PFK_DEFAULT_SOCKET);
}

/* Read a whole file ("-" = standard input) into a NUL-terminated buffer. */
static char *read_file(const char *path, size_t *len)
{
	const int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf = NULL;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while (buf != NULL) {
		ssize_t got;

		if (n + 1 >= cap) {
			char *nb = cap < FILE_MAX ? realloc(buf, cap * 2) : NULL;

			if (nb == NULL) {
				free(buf);
				buf = NULL;
				errno = cap < FILE_MAX ? ENOMEM : EFBIG;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			const int e = errno;

			free(buf);
			buf = NULL;
			errno = e;
			break;
		}
		if (got == 0) {
			buf[n] = '\0';
			*len = n;
			break;
		}
		n += (size_t)got;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return buf;
}

/* Parse a policy file; print every error.  Returns 0 with f filled, 1 for
 * a bad file, 2 when the file cannot be read. */
static int load_file(const struct opts *o, struct cli_pol_file *f)
{
	size_t len = 0;
	char *text;
	int rc;

	memset(f, 0, sizeof(*f));
	text = read_file(o->file, &len);
	if (text == NULL) {
		fprintf(stderr, "ipsecconf: %s: %s\n", o->file, strerror(errno));
		return 2;
	}
	rc = cli_pol_parse(text, len, o->file, o->flags, f);
	free(text);
	if (rc != 0) {
		fprintf(stderr, "ipsecconf: %s: %s\n", o->file, strerror(-rc));
		return 2;
	}
	for (size_t i = 0; i < f->nerrs; i++)
		fprintf(stderr, "ipsecconf: %s\n", f->errs[i].msg);
	if (f->nerrs > 0) {
		fprintf(stderr, "ipsecconf: %s: %zu bad rule%s; nothing was %s\n", o->file,
			f->nerrs, f->nerrs == 1 ? "" : "s", o->mode == 'a' ? "added" : "changed");
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Talking to dpsecd.                                                        */

static int conn_open(struct conn *c, const struct opts *o)
{
	const char *path = o->socket != NULL ? o->socket : PFK_DEFAULT_SOCKET;

	c->fd = pfk_client_open(path);
	c->seq = 0;
	c->pid = (uint32_t)getpid();
	if (c->fd < 0) {
		fprintf(stderr, "ipsecconf: cannot connect to %s: %s (is dpsecd running? "
			"-S names another socket)\n", path, strerror(-c->fd));
		return 2;
	}
	return 0;
}

/* Describe an error reply (errno and diagnostic) into buf. */
static const char *reply_error(const struct sadb_msg *h, char *buf, size_t cap)
{
	const char *d = pfk_diag_string(h->sadb_x_msg_diagnostic);

	if (h->sadb_x_msg_diagnostic != 0 && d != NULL)
		snprintf(buf, cap, "%s (%s)", strerror(h->sadb_msg_errno), d);
	else
		snprintf(buf, cap, "%s", strerror(h->sadb_msg_errno));
	return buf;
}

/* Send req and wait for its reply.  Returns 0 with the reply in reply, or
 * prints why not and returns 1. */
static int transact(struct conn *c, const void *req, size_t len, void *reply, size_t cap,
		    const char *what)
{
	const int n = pfk_client_request(c->fd, req, len, reply, cap, REPLY_TIMEOUT_MS, NULL,
					 NULL);
	const struct sadb_msg *h = reply;
	char ebuf[160];

	if (n < 0) {
		fprintf(stderr, "ipsecconf: %s: no reply from dpsecd: %s\n", what, strerror(-n));
		return 1;
	}
	if (n == 0) {
		fprintf(stderr, "ipsecconf: %s: dpsecd closed the connection\n", what);
		return 1;
	}
	if (h->sadb_msg_errno != 0) {
		fprintf(stderr, "ipsecconf: %s: refused by dpsecd: %s\n", what,
			reply_error(h, ebuf, sizeof(ebuf)));
		return 1;
	}
	return 0;
}

/* A policy extension that names only an index (SPDDELETE, SPDGET).  The
 * codec checks dir and action in every POLICY extension, so they carry
 * valid values that the gateway ignores here. */
static int build_by_index(void *buf, size_t cap, uint8_t type, struct conn *c, uint32_t index)
{
	struct sadb_x_dpsec_policy pol = {
		.sadb_x_pol_len = sizeof(pol) / 8,
		.sadb_x_pol_exttype = SADB_X_EXT_DPSEC_POLICY,
		.sadb_x_pol_index = index,
		.sadb_x_pol_dir = SADB_X_DPSEC_DIR_BOTH,
		.sadb_x_pol_action = SADB_X_DPSEC_ACTION_DISCARD,
	};
	struct pfk_builder b;

	pfk_build_init(&b, buf, cap, type, SADB_SATYPE_UNSPEC, ++c->seq, c->pid);
	pfk_add_policy(&b, &pol);
	return pfk_build_finish(&b);
}

static int delete_index(struct conn *c, uint32_t index)
{
	_Alignas(8) uint8_t req[64], reply[4096];
	char what[64];
	const int len = build_by_index(req, sizeof(req), SADB_X_DPSEC_SPDDELETE, c, index);

	snprintf(what, sizeof(what), "delete rule %u", index);
	if (len < 0) {
		fprintf(stderr, "ipsecconf: %s: %s\n", what, strerror(-len));
		return 1;
	}
	return transact(c, req, (size_t)len, reply, sizeof(reply), what);
}

/* -a: every rule, or none. */
static int do_add(const struct opts *o)
{
	struct cli_pol_file f;
	struct conn c = { .fd = -1 };
	uint32_t *added = NULL;
	size_t nadded = 0;
	int rc = load_file(o, &f);

	if (rc != 0)
		goto out;
	added = calloc(f.nrules + 1, sizeof(*added));
	if (added == NULL) {
		fprintf(stderr, "ipsecconf: %s\n", strerror(ENOMEM));
		rc = 2;
		goto out;
	}
	rc = conn_open(&c, o);
	if (rc != 0)
		goto out;
	for (size_t i = 0; i < f.nrules; i++) {
		_Alignas(8) uint8_t req[CLI_POL_MSG_MAX], reply[4096];
		const int len = cli_pol_build_add(&f.rules[i], req, sizeof(req), ++c.seq, c.pid);
		struct pfk_msg m;
		uint16_t diag;
		char what[300];
		int n;

		snprintf(what, sizeof(what), "%s:%u", o->file, f.rules[i].line);
		if (len < 0) {
			fprintf(stderr, "ipsecconf: %s: %s\n", what, strerror(-len));
			rc = 1;
			break;
		}
		rc = transact(&c, req, (size_t)len, reply, sizeof(reply), what);
		if (rc != 0)
			break;
		n = (int)(((const struct sadb_msg *)(const void *)reply)->sadb_msg_len * 8u);
		if (pfk_validate(reply, (size_t)n, PFK_DIR_REPLY, &m, &diag) != 0 ||
		    m.policy == NULL) {
			fprintf(stderr, "ipsecconf: %s: malformed reply from dpsecd (%s)\n", what,
				pfk_diag_string(diag) != NULL ? pfk_diag_string(diag) : "?");
			rc = 1;
			break;
		}
		added[nadded++] = m.policy->sadb_x_pol_index;
	}
	if (rc != 0 && nadded > 0) {
		size_t undone = 0;

		for (size_t i = nadded; i-- > 0;)
			undone += delete_index(&c, added[i]) == 0;
		if (undone == nadded)
			fprintf(stderr, "ipsecconf: %s: removed %zu of the %zu rule%s this run "
				"had added; nothing of the file is in effect\n", o->file, undone,
				nadded, nadded == 1 ? "" : "s");
		else
			fprintf(stderr, "ipsecconf: %s: removed only %zu of the %zu rules this "
				"run had added; %zu remain in effect (see ipsecconf -l)\n",
				o->file, undone, nadded, nadded - undone);
	} else if (rc == 0 && !o->quiet) {
		printf("ipsecconf: %s: added %zu rule%s\n", o->file, nadded,
		       nadded == 1 ? "" : "s");
	} else if (rc != 0 && !o->quiet) {
		fprintf(stderr, "ipsecconf: %s: nothing was added\n", o->file);
	}
out:
	if (c.fd >= 0)
		close(c.fd);
	free(added);
	cli_pol_file_free(&f);
	return rc;
}

static int cmp_rule(const void *a, const void *b)
{
	const struct cli_pol_rule *x = a, *y = b;

	if (x->policy.sadb_x_pol_priority != y->policy.sadb_x_pol_priority)
		return x->policy.sadb_x_pol_priority < y->policy.sadb_x_pol_priority ? -1 : 1;
	if (x->policy.sadb_x_pol_index != y->policy.sadb_x_pol_index)
		return x->policy.sadb_x_pol_index < y->policy.sadb_x_pol_index ? -1 : 1;
	return 0;
}

/* -l: SPDDUMP, then the rules in match order. */
static int do_list(const struct opts *o)
{
	_Alignas(8) uint8_t req[16], reply[8192];
	struct cli_pol_rule *rules = NULL;
	size_t n = 0, cap = 0;
	struct conn c;
	struct pfk_builder b;
	int rc = conn_open(&c, o), len;

	if (rc != 0)
		return rc;
	pfk_build_init(&b, req, sizeof(req), SADB_X_DPSEC_SPDDUMP, SADB_SATYPE_UNSPEC, ++c.seq,
		       c.pid);
	len = pfk_build_finish(&b);
	if (len < 0 || (rc = pfk_client_send(c.fd, req, (size_t)len)) != 0) {
		fprintf(stderr, "ipsecconf: list: cannot send: %s\n",
			strerror(len < 0 ? -len : -rc));
		rc = 1;
		goto out;
	}
	for (;;) {
		const struct sadb_msg *h = (const void *)reply;
		struct pfk_msg m;
		uint16_t diag = 0;
		char ebuf[160];
		const int got = pfk_client_recv(c.fd, reply, sizeof(reply), REPLY_TIMEOUT_MS);

		if (got <= 0) {
			fprintf(stderr, "ipsecconf: list: %s\n",
				got == 0 ? "dpsecd closed the connection" : strerror(-got));
			rc = 1;
			goto out;
		}
		if ((size_t)got < sizeof(*h) || h->sadb_msg_type != SADB_X_DPSEC_SPDDUMP ||
		    (h->sadb_msg_pid != c.pid && h->sadb_msg_pid != 0))
			continue; /* someone else's message */
		if (h->sadb_msg_errno != 0) {
			fprintf(stderr, "ipsecconf: list: refused by dpsecd: %s\n",
				reply_error(h, ebuf, sizeof(ebuf)));
			rc = 1;
			goto out;
		}
		if (got == (int)sizeof(*h) && h->sadb_msg_seq == 0)
			break; /* end of the dump */
		if (n == cap) {
			const size_t ncap = cap ? cap * 2 : 32;
			struct cli_pol_rule *nr = realloc(rules, ncap * sizeof(*nr));

			if (nr == NULL) {
				fprintf(stderr, "ipsecconf: list: %s\n", strerror(ENOMEM));
				rc = 1;
				goto out;
			}
			rules = nr;
			cap = ncap;
		}
		if (pfk_validate(reply, (size_t)got, PFK_DIR_REPLY, &m, &diag) != 0 ||
		    cli_pol_rule_from_msg(&m, &rules[n]) != 0) {
			fprintf(stderr, "ipsecconf: list: malformed rule from dpsecd (%s)\n",
				pfk_diag_string(diag) != NULL ? pfk_diag_string(diag) : "?");
			rc = 1;
			goto out;
		}
		n++;
	}
	if (n > 0)
		qsort(rules, n, sizeof(*rules), cmp_rule);
	if (!o->quiet)
		printf("# dpsec SPD: %zu rule%s in match order (ipsecconf -a reads this back)\n",
		       n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		char line[4096];
		const int w = cli_pol_print(&rules[i], o->flags, line, sizeof(line));

		if (w < 0) {
			printf("# index %u: %s\n", rules[i].policy.sadb_x_pol_index,
			       w == -ENOTSUP ? "a rule the ipsecconf grammar cannot express"
					     : strerror(-w));
			continue;
		}
		printf("# index %u\n%s", rules[i].policy.sadb_x_pol_index, line);
	}
out:
	close(c.fd);
	free(rules);
	return rc;
}

static int do_delete(const struct opts *o)
{
	struct conn c;
	int rc = conn_open(&c, o);

	if (rc != 0)
		return rc;
	rc = delete_index(&c, o->index);
	if (rc == 0 && !o->quiet)
		printf("ipsecconf: deleted rule %u\n", o->index);
	close(c.fd);
	return rc;
}

static int do_flush(const struct opts *o)
{
	_Alignas(8) uint8_t req[16], reply[4096];
	struct pfk_builder b;
	struct conn c;
	int rc = conn_open(&c, o), len;

	if (rc != 0)
		return rc;
	pfk_build_init(&b, req, sizeof(req), SADB_X_DPSEC_SPDFLUSH, SADB_SATYPE_UNSPEC, ++c.seq,
		       c.pid);
	len = pfk_build_finish(&b);
	rc = len < 0 ? 1 : transact(&c, req, (size_t)len, reply, sizeof(reply), "flush");
	if (rc == 0 && !o->quiet)
		printf("ipsecconf: flushed every rule\n");
	close(c.fd);
	return rc;
}

static int set_mode(struct opts *o, char mode)
{
	if (o->mode != 0 && o->mode != mode) {
		fprintf(stderr, "ipsecconf: -%c and -%c exclude each other\n", o->mode, mode);
		return -1;
	}
	o->mode = mode;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	int ch;

	while ((ch = getopt(argc, argv, "S:a:c:ld:Fqnh")) != -1) {
		char *end;
		unsigned long v;

		switch (ch) {
		case 'S':
			o.socket = optarg;
			break;
		case 'a':
		case 'c':
			if (set_mode(&o, (char)ch) != 0)
				return 2;
			o.file = optarg;
			break;
		case 'l':
		case 'F':
			if (set_mode(&o, (char)ch) != 0)
				return 2;
			break;
		case 'd':
			if (set_mode(&o, 'd') != 0)
				return 2;
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || optarg[0] < '0' || optarg[0] > '9' ||
			    v == 0 || v > UINT32_MAX) {
				fprintf(stderr, "ipsecconf: -d \"%s\": expected a rule index "
					"1-4294967295 (see ipsecconf -l)\n", optarg);
				return 2;
			}
			o.index = (uint32_t)v;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'n':
			o.flags |= CLI_POL_NUMERIC;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ipsecconf: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	switch (o.mode) {
	case 'a':
		return do_add(&o);
	case 'c': {
		struct cli_pol_file f;
		const int rc = load_file(&o, &f);

		if (rc == 0 && !o.quiet)
			printf("ipsecconf: %s: %zu rule%s, syntax OK\n", o.file, f.nrules,
			       f.nrules == 1 ? "" : "s");
		cli_pol_file_free(&f);
		return rc;
	}
	case 'd':
		return do_delete(&o);
	case 'F':
		return do_flush(&o);
	default:
		return do_list(&o);
	}
}
