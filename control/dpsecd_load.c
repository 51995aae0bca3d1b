/* SPDX-License-Identifier: BSD-2-Clause */
/* dpsecd_load.c: start-up SA and policy files (see dpsecd_load.h). */
#include "dpsecd_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_ipsecconf.h"
#include "cli_ipseckey.h"
#include "ctl.h"
#include "dpsec/pfkey.h"

struct load_ctx {
	struct ctl *ctl;
	const char *path;
	unsigned int failed;
};

static void report(const struct load_ctx *lc, unsigned int line, int err, uint16_t diag)
{
	const char *d = pfk_diag_string(diag);

	fprintf(stderr, "%s:%u: %s%s%s\n", lc->path, line, strerror(-err),
		diag != 0 && d != NULL ? ": " : "", diag != 0 && d != NULL ? d : "");
}

static int on_cmd(void *arg, struct cli_cmd *cmd, unsigned line)
{
	struct load_ctx *lc = arg;
	uint16_t diag = 0;
	int err;

	switch (cmd->verb) {
	case CLI_VERB_NONE:
	case CLI_VERB_HELP:
	case CLI_VERB_QUIT:
		return 0;
	case CLI_VERB_DUMP:
	case CLI_VERB_MONITOR:
	case CLI_VERB_PMONITOR:
	case CLI_VERB_SAVE:
	case CLI_VERB_GET:
		fprintf(stderr, "%s:%u: only commands that change the SADB belong in a start-up "
				"file\n", lc->path, line);
		lc->failed++;
		return 0;
	default:
		break;
	}
	if (lc->ctl != NULL) {
		err = ctl_submit(lc->ctl, cmd->msg, cmd->msg_len, &diag);
	} else {
		/* Check only: what the gateway's validator would say first. */
		struct pfk_msg m;

		err = pfk_validate(cmd->msg, cmd->msg_len, PFK_DIR_REQUEST, &m, &diag);
	}
	cli_cmd_wipe(cmd);
	if (err != 0) {
		report(lc, line, err, diag);
		lc->failed++;
	}
	return 0;
}

static void on_error(void *arg, const struct cli_error *e)
{
	struct load_ctx *lc = arg;

	fprintf(stderr, "%s: %s\n", lc->path, e->msg);
	lc->failed++;
}

int dpsecd_load_sa_file(struct ctl *ctl, const char *path)
{
	struct load_ctx lc = { ctl, path, 0 };
	FILE *f = fopen(path, "r");
	int rc;

	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	rc = cli_parse_file(f, 0, 1, (uint32_t)getpid(), on_cmd, on_error, &lc);
	fclose(f);
	if (rc == 0 && lc.failed > 0)
		rc = -EINVAL;
	return rc;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		size_t got;

		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 4096);

			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

int dpsecd_load_policy_file(struct ctl *ctl, const char *path)
{
	struct load_ctx lc = { ctl, path, 0 };
	struct cli_pol_file pf;
	uint64_t msg[CLI_MSG_MAX / 8];
	size_t len = 0;
	char *text = slurp(path, &len);
	int rc;

	memset(&pf, 0, sizeof(pf));
	if (text == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno ? errno : ENOMEM));
		return errno ? -errno : -ENOMEM;
	}
	rc = cli_pol_parse(text, len, path, 0, &pf);
	free(text);
	if (rc != 0)
		goto out;
	for (size_t i = 0; i < pf.nerrs; i++)
		fprintf(stderr, "%s\n", pf.errs[i].msg);
	if (pf.nerrs > 0) {
		rc = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < pf.nrules; i++) {
		uint16_t diag = 0;
		int n = cli_pol_build_add(&pf.rules[i], msg, sizeof(msg), (uint32_t)i + 1,
					  (uint32_t)getpid());
		struct pfk_msg m;
		int err = n < 0 ? n
			: ctl != NULL ? ctl_submit(ctl, msg, (size_t)n, &diag)
			: pfk_validate(msg, (size_t)n, PFK_DIR_REQUEST, &m, &diag);

		if (err != 0) {
			report(&lc, pf.rules[i].line, err, diag);
			lc.failed++;
		}
	}
	rc = lc.failed > 0 ? -EINVAL : 0;
out:
	cli_pol_file_free(&pf);
	return rc;
}
