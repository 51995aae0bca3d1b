/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ipsecconf_live: ipsecconf against a real dpsecd.
 *
 * Starts dpsecd (DPSECD) on docs/examples/minimal.yaml (DPSEC_MINIMAL_CONF)
 * with a private socket and EAL file prefix, then: -a a policy file, -l,
 * the listing read back with -a after -F gives the same listing and the
 * same requests as the file, -d, an -a that dpsecd refuses half way
 * leaves the SPD as it was, -F.  Skipped when meson did not build dpsecd
 * (no dataplane) or when dpsecd cannot start in this environment.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_ipsecconf.h"

extern char **environ;

static char tmpdir[64];
static char sock[128];
static pid_t dpsecd = -1;

struct result {
	int status;
	char out[32768];
	char err[8192];
};

static void slurp(const char *path, char *buf, size_t cap)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, cap - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

static pid_t spawn(char *const argv[], const char *out, const char *err)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

static void run(struct result *res, const char *const *args)
{
	char *argv[16];
	char outp[128], errp[128];
	pid_t pid;
	int st, n = 0;

	argv[n++] = getenv("IPSECCONF");
	argv[n++] = (char *)"-S";
	argv[n++] = sock;
	for (; *args != NULL && n < 15; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	assert_non_null(argv[0]);
	snprintf(outp, sizeof(outp), "%s/out", tmpdir);
	snprintf(errp, sizeof(errp), "%s/err", tmpdir);
	pid = spawn(argv, outp, errp);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	res->status = WEXITSTATUS(st);
	slurp(outp, res->out, sizeof(res->out));
	slurp(errp, res->err, sizeof(res->err));
}

static const char *write_file(const char *name, const char *text)
{
	static char path[4][128];
	static unsigned next;
	char *p = path[next++ % 4];
	FILE *fp;

	snprintf(p, 128, "%s/%s", tmpdir, name);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return p;
}

/* The listing without its "# index" lines (indexes change on re-adding). */
static void strip_comments(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	while (*in != '\0') {
		const char *nl = strchr(in, '\n');
		const size_t len = nl != NULL ? (size_t)(nl - in + 1) : strlen(in);

		if (in[0] != '#' && n + len < cap) {
			memcpy(out + n, in, len);
			n += len;
		}
		in += len;
	}
	out[n] = '\0';
}

static int cmp_prio(const void *a, const void *b)
{
	const struct cli_pol_rule *x = a, *y = b;

	return x->policy.sadb_x_pol_priority < y->policy.sadb_x_pol_priority ? -1
	       : x->policy.sadb_x_pol_priority > y->policy.sadb_x_pol_priority ? 1 : 0;
}

static const char policy[] =
	"# transport, bypass, drop, tunnel, bundle, or-alternatives\n"
	"{ laddr 192.0.2.1 raddr 192.0.2.20 ulp tcp rport 22 dir out } ipsec { encr_algs aes"
	" encr_auth_algs sha256 sa unique }\n"
	"{ lport 53 } bypass {}\n"
	"{ raddr 198.51.100.0/24 dir in } drop {}\n"
	"{ tunnel_src 203.0.113.1 tunnel_dst 203.0.113.2 laddr 10.1.0.0/16 raddr 10.2.0.0/16 }\n"
	"    ipsec { encr_algs aes-gcm(256) }\n"
	"{ raddr 2001:db8::/32 ulp ipv6-icmp type 133-137 } pass {}\n"
	"{ raddr 2001:db8::/32 } ipsec { auth_algs sha256 encr_algs aes encr_auth_algs sha1 }\n"
	"{ raddr 192.0.2.30 } ipsec { encr_algs aes } or ipsec { encr_algs 3des"
	" encr_auth_algs sha1 }\n";

static void test_live_cycle(void **state)
{
	struct result r;
	struct cli_pol_file file, listed;
	static char list1[32768], list2[32768], a[32768], b[32768];
	const char *path;
	unsigned first_index;

	(void)state;
	path = write_file("policy.conf", policy);
	run(&r, (const char *[]){ "-a", path, NULL });
	assert_string_equal(r.err, "");
	assert_int_equal(r.status, 0);
	run(&r, (const char *[]){ "-l", NULL });
	assert_int_equal(r.status, 0);
	memcpy(list1, r.out, sizeof(list1));
	print_message("%s", list1);

	/* The listing holds the file's requests, in match order. */
	assert_int_equal(cli_pol_parse(policy, strlen(policy), "p", 0, &file), 0);
	assert_int_equal(cli_pol_parse(list1, strlen(list1), "l", 0, &listed), 0);
	assert_int_equal(file.nerrs + listed.nerrs, 0);
	assert_int_equal(listed.nrules, file.nrules);
	qsort(file.rules, file.nrules, sizeof(file.rules[0]), cmp_prio);
	for (size_t i = 0; i < file.nrules; i++) {
		_Alignas(8) uint8_t x[CLI_POL_MSG_MAX], y[CLI_POL_MSG_MAX];
		const int lx = cli_pol_build_add(&file.rules[i], x, sizeof(x), 1, 1);
		const int ly = cli_pol_build_add(&listed.rules[i], y, sizeof(y), 1, 1);

		assert_int_equal(lx, ly);
		assert_memory_equal(x, y, (size_t)lx);
	}
	cli_pol_file_free(&file);
	cli_pol_file_free(&listed);

	/* Flush, read the listing back, list again: the same rules. */
	run(&r, (const char *[]){ "-q", "-F", NULL });
	assert_int_equal(r.status, 0);
	run(&r, (const char *[]){ "-l", NULL });
	assert_string_equal(r.out, "# dpsec SPD: 0 rules in match order (ipsecconf -a reads "
				   "this back)\n");
	path = write_file("listing.conf", list1);
	run(&r, (const char *[]){ "-q", "-a", path, NULL });
	assert_int_equal(r.status, 0);
	run(&r, (const char *[]){ "-l", NULL });
	memcpy(list2, r.out, sizeof(list2));
	strip_comments(list1, a, sizeof(a));
	strip_comments(list2, b, sizeof(b));
	assert_string_equal(a, b);

	/* A file dpsecd refuses half way (its last rule exists) changes nothing. */
	path = write_file("half.conf", "{ raddr 172.16.0.0/12 } drop {}\n"
				       "{ raddr 172.17.0.0/16 } ipsec { encr_algs aes-gcm }\n"
				       "{ lport 53 } bypass {}\n");
	run(&r, (const char *[]){ "-a", path, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "half.conf:3: refused by dpsecd: File exists"));
	assert_non_null(strstr(r.err, "removed 2 of the 2 rules this run had added"));
	run(&r, (const char *[]){ "-l", NULL });
	strip_comments(r.out, b, sizeof(b));
	assert_string_equal(a, b);

	/* Delete the first rule by its index. */
	assert_int_equal(sscanf(strstr(list2, "# index "), "# index %u", &first_index), 1);
	{
		char idx[16];

		snprintf(idx, sizeof(idx), "%u", first_index);
		run(&r, (const char *[]){ "-d", idx, NULL });
		assert_int_equal(r.status, 0);
		run(&r, (const char *[]){ "-d", idx, NULL });
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err, "refused by dpsecd: No such file or directory"));
	}
	run(&r, (const char *[]){ "-l", NULL });
	assert_non_null(strstr(r.out, "# dpsec SPD: 6 rules"));
	run(&r, (const char *[]){ "-F", NULL });
	assert_int_equal(r.status, 0);
	run(&r, (const char *[]){ "-l", NULL });
	assert_non_null(strstr(r.out, "# dpsec SPD: 0 rules"));
}

static int setup(void **state)
{
	const char *exe = getenv("DPSECD"), *conf = getenv("DPSEC_MINIMAL_CONF");
	char prefix[64], outp[128], errp[128];
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	(void)state;
	if (exe == NULL || conf == NULL || exe[0] == '\0')
		return 0; /* the test skips */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ipsecconf-live-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(sock, sizeof(sock), "%s/pfkey.sock", tmpdir);
	snprintf(prefix, sizeof(prefix), "ipsecconf-live-%d", (int)getpid());
	snprintf(outp, sizeof(outp), "%s/dpsecd.out", tmpdir);
	snprintf(errp, sizeof(errp), "%s/dpsecd.err", tmpdir);
	{
		char *argv[] = { (char *)exe, (char *)"-c", (char *)conf, (char *)"-S", sock,
				 (char *)"--", (char *)"--file-prefix", prefix, NULL };

		dpsecd = spawn(argv, outp, errp);
	}
	for (int i = 0; i < 300 && dpsecd > 0; i++) {
		const int fd = pfk_client_open(sock);

		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (waitpid(dpsecd, NULL, WNOHANG) == dpsecd) {
			dpsecd = -1;
			break;
		}
		nanosleep(&ts, NULL);
	}
	if (dpsecd > 0) {
		kill(dpsecd, SIGKILL);
		waitpid(dpsecd, NULL, 0);
		dpsecd = -1;
	}
	return 0; /* dpsecd did not come up: the test skips */
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	if (dpsecd > 0) {
		kill(dpsecd, SIGTERM);
		waitpid(dpsecd, NULL, 0);
	}
	if (tmpdir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

static void test_live(void **state)
{
	if (dpsecd <= 0) {
		print_message("dpsecd not built or did not start; skipped\n");
		skip();
	}
	test_live_cycle(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
