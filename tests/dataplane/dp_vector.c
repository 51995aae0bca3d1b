/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_vector: run packets through dpsec's ESP/AH path for the Python
 * cross-checks (crosscheck_*.py).  Reads commands on stdin, one per line,
 * answers one line each on stdout:
 *
 *   engine mb|dev        crypto engine for the SAs that follow (before any)
 *   sa KEY=VALUE...      add an outbound SA (sender context) and the same
 *                        SA inbound (receiver context); replaces the last.
 *                        proto=esp|ah mode=tunnel|transport ealg=N aalg=N
 *                        ekey=HEX akey=HEX salt=HEX spi=HEX src=A dst=A
 *                        natt=SPORT:DPORT esn=0|1 seq=N window=N flags=N
 *                        -> "ok" or "err <errno>"
 *   out HEX              protect an IP packet -> "<verdict> <drop> <HEX|->"
 *   in HEX               verify/decapsulate   -> "<verdict> <drop> <HEX|->"
 *
 * EAL: --no-huge -m 512 --no-pci, file prefix dpsec-vector-<pid>, removed
 * at exit.  Exit status 0 unless set-up failed.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "proc_test.h"

static const char *const verdicts[] = {
	[DP_PROC_FORWARD] = "forward",
	[DP_PROC_DROP] = "drop",
	[DP_PROC_EXCEPTION] = "exception",
	[DP_PROC_NOT_IPSEC] = "not-ipsec",
	[DP_PROC_DUMMY] = "dummy",
	[DP_PROC_HANDOFF] = "handoff",
	[DP_PROC_HELD] = "held",
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex to bytes; -1 on bad input. */
static int unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (s[0] != '\0' && s[0] != ' ' && s[0] != '\n') {
		int hi = hexval(s[0]), lo = s[1] ? hexval(s[1]) : -1;

		if (hi < 0 || lo < 0 || n == cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return (int)n;
}

static int sa_parse(char *line, struct dp_sa_params *p)
{
	char *save = NULL;

	memset(p, 0, sizeof(*p));
	p->state = SADB_SASTATE_MATURE;
	p->satype = SADB_SATYPE_ESP;
	p->mode = DP_MODE_TUNNEL;
	for (char *t = strtok_r(line, " \n", &save); t != NULL; t = strtok_r(NULL, " \n", &save)) {
		char *v = strchr(t, '=');
		int n;

		if (v == NULL)
			return -EINVAL;
		*v++ = '\0';
		if (strcmp(t, "proto") == 0) {
			p->satype = strcmp(v, "ah") == 0 ? SADB_SATYPE_AH : SADB_SATYPE_ESP;
		} else if (strcmp(t, "mode") == 0) {
			p->mode = strcmp(v, "transport") == 0 ? DP_MODE_TRANSPORT : DP_MODE_TUNNEL;
		} else if (strcmp(t, "ealg") == 0) {
			p->encr_alg = (uint8_t)strtoul(v, NULL, 0);
		} else if (strcmp(t, "aalg") == 0) {
			p->auth_alg = (uint8_t)strtoul(v, NULL, 0);
		} else if (strcmp(t, "ekey") == 0) {
			if ((n = unhex(v, p->encr_key, DP_KEY_MAX)) < 0)
				return -EINVAL;
			p->encr_key_len = (uint16_t)n;
		} else if (strcmp(t, "akey") == 0) {
			if ((n = unhex(v, p->auth_key, DP_KEY_MAX)) < 0)
				return -EINVAL;
			p->auth_key_len = (uint16_t)n;
		} else if (strcmp(t, "salt") == 0) {
			if ((n = unhex(v, p->salt, DP_SALT_MAX)) < 0)
				return -EINVAL;
			p->salt_len = (uint8_t)n;
		} else if (strcmp(t, "spi") == 0) {
			p->spi = htonl((uint32_t)strtoul(v, NULL, 16));
		} else if (strcmp(t, "src") == 0) {
			pt_addr(&p->src, v);
		} else if (strcmp(t, "dst") == 0) {
			pt_addr(&p->dst, v);
		} else if (strcmp(t, "natt") == 0) {
			p->natt_sport = (uint16_t)strtoul(v, &v, 10);
			p->natt_dport = (uint16_t)strtoul(v + 1, NULL, 10);
		} else if (strcmp(t, "esn") == 0) {
			if (strcmp(v, "1") == 0)
				p->flags |= DP_SA_F_ESN;
		} else if (strcmp(t, "flags") == 0) {
			p->flags |= (uint32_t)strtoul(v, NULL, 0);
		} else if (strcmp(t, "seq") == 0) {
			p->seq = strtoull(v, NULL, 0);
		} else if (strcmp(t, "window") == 0) {
			p->replay_window = (uint32_t)strtoul(v, NULL, 0);
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static void answer(struct rte_mbuf *m, const struct dp_proc_res *r)
{
	printf("%s %s ", verdicts[r->verdict], dp_drop_name(r->drop));
	if (r->verdict == DP_PROC_FORWARD) {
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

		for (uint32_t i = 0; i < rte_pktmbuf_data_len(m); i++)
			printf("%02x", d[i]);
	} else {
		printf("-");
	}
	printf("\n");
	if (r->verdict != DP_PROC_HELD && r->verdict != DP_PROC_HANDOFF)
		rte_pktmbuf_free(m);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	char prefix[64], argv0[] = "dp_vector", rtdir[512] = "";
	char *eal[] = { argv0, "--no-huge", "-m", "512", "--no-pci", "--file-prefix", prefix,
		"--log-level=error", "--no-telemetry", NULL };
	static char line[1 << 17];
	static uint8_t buf[1 << 16];
	struct pt_env env;
	dp_sa_handle_t out = 0, in = 0;
	uint8_t engine = DP_ENGINE_IPSEC_MB;
	bool open_ = false;
	int rc = 0;

	(void)argc;
	(void)argv;
	snprintf(prefix, sizeof(prefix), "dpsec-vector-%ld", (long)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "dp_vector: EAL init failed\n");
		return 1;
	}
	snprintf(rtdir, sizeof(rtdir), "%s", rte_eal_get_runtime_dir());
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		struct dp_proc_res r;
		struct rte_mbuf *m;
		int n;

		if (strncmp(line, "engine ", 7) == 0) {
			engine = strncmp(line + 7, "dev", 3) == 0 ? DP_ENGINE_CRYPTODEV :
				DP_ENGINE_IPSEC_MB;
			printf("ok\n");
			continue;
		}
		if (!open_) {
			if (pt_env_open(&env, "v", engine) != 0) {
				fprintf(stderr, "dp_vector: context set-up failed\n");
				rc = 1;
				break;
			}
			open_ = true;
		}
		if (strncmp(line, "sa ", 3) == 0) {
			struct dp_sa_params p;
			uint32_t window;

			if (out != 0) {
				dp_sa_delete(env.a.ctx, out);
				dp_sa_delete(env.b.ctx, in);
				out = in = 0;
			}
			n = sa_parse(line + 3, &p);
			window = p.replay_window;
			if (n == 0)
				n = pt_sa_pair(&env, &p, window, &out, &in);
			explicit_bzero(&p, sizeof(p));
			if (n != 0) {
				out = in = 0;
				printf("err %d\n", -n);
			} else {
				printf("ok\n");
			}
			continue;
		}
		if (strncmp(line, "out ", 4) != 0 && strncmp(line, "in ", 3) != 0) {
			printf("err %d\n", EINVAL);
			continue;
		}
		n = unhex(line + (line[0] == 'o' ? 4 : 3), buf, sizeof(buf));
		m = n > 0 ? pt_mbuf(&env, buf, (uint32_t)n) : NULL;
		if (m == NULL) {
			printf("err %d\n", n < 0 ? EINVAL : ENOBUFS);
			continue;
		}
		if (line[0] == 'o')
			dp_proc_outbound(env.a.proc, &m, &out, 1, &r);
		else
			dp_proc_inbound(env.b.proc, &m, 1, &r);
		answer(m, &r);
	}
	if (open_) {
		if (out != 0) {
			dp_sa_delete(env.a.ctx, out);
			dp_sa_delete(env.b.ctx, in);
		}
		pt_env_close(&env);
	}
	rte_eal_cleanup();
	if (strstr(rtdir, "dpsec-vector-") != NULL)
		nftw(rtdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return rc;
}
