/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ipsecconf_prog: the ipsecconf program, run as a child process.
 *
 * dpsecd does not exist yet, so the client paths run against a fake
 * responder in this test (a thread on a SOCK_SEQPACKET socket) that answers
 * with canned replies built with the codec's builder.  It is a test double
 * for the socket protocol of include/dpsec/pfkeyv2.h, not the gateway: it
 * keeps no SPD and checks nothing beyond what each test asserts.
 * The binary comes from the IPSECCONF environment variable (meson sets it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_ipsecconf.h"

extern char **environ;

#define MSG_CAP 4096
#define MAX_MSGS 64

struct fake {
	char path[108];
	int lfd;
	pthread_t thread;
	/* script */
	int refuse_add_at;              /* 1-based SPDADD to refuse, 0 = none */
	bool refuse_others;             /* refuse every other request (EPERM) */
	const uint8_t *dump[8];         /* canned SPDDUMP replies */
	size_t dump_len[8];
	unsigned ndump;
	/* record */
	_Alignas(8) uint8_t got[MAX_MSGS][MSG_CAP];
	size_t got_len[MAX_MSGS];
	unsigned ngot;
	uint32_t next_index;
};

static char tmpdir[64];

static void send_msg(int fd, const void *m, size_t len)
{
	assert_int_equal(send(fd, m, len, 0), (ssize_t)len);
}

static void fake_answer(struct fake *f, int fd, uint8_t *m, size_t len)
{
	struct sadb_msg *h = (struct sadb_msg *)(void *)m;
	_Alignas(8) uint8_t out[MSG_CAP];
	unsigned adds = 0;

	for (unsigned i = 0; i < f->ngot; i++)
		adds += ((struct sadb_msg *)(void *)f->got[i])->sadb_msg_type ==
			SADB_X_DPSEC_SPDADD;
	if (f->refuse_others && h->sadb_msg_type != SADB_X_DPSEC_SPDADD) {
		const int n = pfk_build_error(h, EPERM, SADB_X_DIAGNOSTIC_DPSEC_NOT_PERMITTED, out,
					      sizeof(out));

		send_msg(fd, out, (size_t)n);
		return;
	}
	switch (h->sadb_msg_type) {
	case SADB_X_DPSEC_SPDADD:
		if ((int)adds == f->refuse_add_at) {
			const int n = pfk_build_error(h, EEXIST,
						      SADB_X_DIAGNOSTIC_DPSEC_POLICY_EXISTS, out,
						      sizeof(out));
			send_msg(fd, out, (size_t)n);
			return;
		}
		/* The reply is the rule with the index the gateway gave it. */
		memcpy(out, m, len);
		((struct sadb_x_dpsec_policy *)(void *)(out + 16))->sadb_x_pol_index =
			f->next_index++;
		send_msg(fd, out, len);
		return;
	case SADB_X_DPSEC_SPDDUMP: {
		/* Someone else's broadcast first: the client must skip it. */
		struct sadb_msg other = *h;

		other.sadb_msg_type = SADB_FLUSH;
		other.sadb_msg_len = 2;
		send_msg(fd, &other, sizeof(other));
		for (unsigned i = 0; i < f->ndump; i++) {
			memcpy(out, f->dump[i], f->dump_len[i]);
			((struct sadb_msg *)(void *)out)->sadb_msg_seq = h->sadb_msg_seq;
			((struct sadb_msg *)(void *)out)->sadb_msg_pid = h->sadb_msg_pid;
			send_msg(fd, out, f->dump_len[i]);
		}
		other = *h;
		other.sadb_msg_len = 2;
		other.sadb_msg_seq = 0;
		send_msg(fd, &other, sizeof(other));
		return;
	}
	default:
		/* SPDDELETE, SPDFLUSH: success, the request echoed. */
		send_msg(fd, m, len);
		return;
	}
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;

	for (;;) {
		const int fd = accept(f->lfd, NULL, NULL);

		if (fd < 0)
			return NULL; /* listening socket shut down: test over */
		for (;;) {
			_Alignas(8) uint8_t m[MSG_CAP];
			const ssize_t n = recv(fd, m, sizeof(m), 0);

			if (n <= 0)
				break;
			if (f->ngot < MAX_MSGS) {
				memcpy(f->got[f->ngot], m, (size_t)n);
				f->got_len[f->ngot++] = (size_t)n;
			}
			fake_answer(f, fd, m, (size_t)n);
		}
		close(fd);
	}
}

static struct fake *fake_start(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	assert_non_null(f);
	f->next_index = 1;
	snprintf(f->path, sizeof(f->path), "%s/pfkey.sock", tmpdir);
	unlink(f->path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
	f->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
	return f;
}

static void fake_stop(struct fake *f)
{
	shutdown(f->lfd, SHUT_RDWR);
	pthread_join(f->thread, NULL);
	close(f->lfd);
	unlink(f->path);
	free(f);
}

/* ------------------------------------------------------------------------ */
/* Running the program.                                                      */

struct result {
	int status;
	char out[16384];
	char err[16384];
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

static void run(struct result *res, const char *const *args)
{
	const char *exe = getenv("IPSECCONF");
	char *argv[16];
	char outp[128], errp[128];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, n = 0;

	assert_non_null(exe);
	argv[n++] = (char *)exe;
	for (; *args != NULL && n < 15; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	snprintf(outp, sizeof(outp), "%s/out", tmpdir);
	snprintf(errp, sizeof(errp), "%s/err", tmpdir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(posix_spawn(&pid, exe, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	res->status = WEXITSTATUS(st);
	slurp(outp, res->out, sizeof(res->out));
	slurp(errp, res->err, sizeof(res->err));
}

static const char *write_file(const char *name, const char *text)
{
	static char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static const char good_conf[] =
	"# two hosts\n"
	"{ laddr 192.0.2.10 raddr 192.0.2.20 ulp tcp dir out } ipsec { encr_algs aes }\n"
	"{ lport 53 } bypass {}\n"
	"{ tunnel_src 203.0.113.1 tunnel_dst 203.0.113.50 raddr 10.8.0.5 }\n"
	"    ipsec { encr_algs aes encr_auth_algs sha256 }\n";

static const char bad_conf[] =
	"{ laddr 192.0.2.10 } ipsec { encr_algs aes }\n"
	"{ lport 99999 } bypass {}\n"
	"{ raddr 192.0.2.1 } ipsec { encr_algs rot13 }\n";

static void test_check_good(void **state)
{
	struct result r;
	const char *path = write_file("good.conf", good_conf);
	char want[256];

	(void)state;
	run(&r, (const char *[]){ "-c", path, NULL });
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof(want), "ipsecconf: %s: 3 rules, syntax OK\n", path);
	assert_string_equal(r.out, want);
	assert_string_equal(r.err, "");
	run(&r, (const char *[]){ "-q", "-c", path, NULL });
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
}

static void test_check_bad(void **state)
{
	struct result r;
	const char *path = write_file("bad.conf", bad_conf);
	char want[1024];

	(void)state;
	run(&r, (const char *[]){ "-c", path, NULL });
	assert_int_equal(r.status, 1);
	snprintf(want, sizeof(want),
		 "ipsecconf: %s:2: \"99999\" for lport: expected a port 0-65535, a range N-M "
		 "or a service name\n"
		 "ipsecconf: %s:3: \"rot13\" for encr_algs: unknown algorithm \"rot13\"; "
		 "expected an encryption algorithm: any, des, 3des, blowfish, null, aes, aes-ctr, "
		 "aes-ccm8, aes-ccm12, aes-ccm16, aes-gcm8, aes-gcm12, aes-gcm16, null-aes-gmac, "
		 "chacha20-poly1305, or a number\n"
		 "ipsecconf: %s: 2 bad rules; nothing was changed\n", path, path, path);
	assert_string_equal(r.err, want);
	assert_string_equal(r.out, "");
}

static void test_usage_errors(void **state)
{
	struct result r;

	(void)state;
	run(&r, (const char *[]){ "-d", "x", NULL });
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "ipsecconf: -d \"x\": expected a rule index 1-4294967295 "
				   "(see ipsecconf -l)\n");
	run(&r, (const char *[]){ "-l", "-F", NULL });
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "ipsecconf: -l and -F exclude each other\n");
	run(&r, (const char *[]){ "-c", "/nonexistent/x.conf", NULL });
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, "ipsecconf: /nonexistent/x.conf: No such file or directory\n");
	run(&r, (const char *[]){ "-l", "extra", NULL });
	assert_int_equal(r.status, 2);
}

static void test_no_daemon(void **state)
{
	struct result r;
	char sock[128], want[512];
	const char *path = write_file("good.conf", good_conf);

	(void)state;
	snprintf(sock, sizeof(sock), "%s/nobody.sock", tmpdir);
	snprintf(want, sizeof(want), "ipsecconf: cannot connect to %s: No such file or "
		 "directory (is dpsecd running? -S names another socket)\n", sock);
	run(&r, (const char *[]){ "-S", sock, "-l", NULL });
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, want);
	run(&r, (const char *[]){ "-S", sock, "-a", path, NULL });
	assert_int_equal(r.status, 2);
	assert_string_equal(r.err, want);
	/* A bad file is reported before any connection is tried. */
	path = write_file("bad.conf", bad_conf);
	run(&r, (const char *[]){ "-S", sock, "-a", path, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "2 bad rules; nothing was added\n"));
	assert_null(strstr(r.err, "cannot connect"));
}

/* The requests -a sends are exactly the parser's, in file order. */
static void test_add(void **state)
{
	struct fake *f = fake_start();
	const char *path = write_file("good.conf", good_conf);
	struct cli_pol_file pf;
	struct result r;
	char want[256];

	(void)state;
	run(&r, (const char *[]){ "-S", f->path, "-a", path, NULL });
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof(want), "ipsecconf: %s: added 3 rules\n", path);
	assert_string_equal(r.out, want);
	assert_int_equal(f->ngot, 3);
	assert_int_equal(cli_pol_parse(good_conf, strlen(good_conf), "g", 0, &pf), 0);
	for (unsigned i = 0; i < 3; i++) {
		_Alignas(8) uint8_t buf[CLI_POL_MSG_MAX];
		const struct sadb_msg *h = (const void *)f->got[i];
		const int len = cli_pol_build_add(&pf.rules[i], buf, sizeof(buf), h->sadb_msg_seq,
						  h->sadb_msg_pid);

		assert_int_equal(h->sadb_msg_seq, i + 1);
		assert_int_equal(f->got_len[i], (size_t)len);
		assert_memory_equal(f->got[i], buf, (size_t)len);
	}
	cli_pol_file_free(&pf);
	fake_stop(f);
}

/* All or nothing: a refusal undoes this run's earlier rules. */
static void test_add_refused_rolls_back(void **state)
{
	struct fake *f = fake_start();
	const char *path = write_file("good.conf", good_conf);
	struct result r;
	char want[512];

	(void)state;
	f->refuse_add_at = 3;   /* the third SPDADD */
	f->next_index = 10;
	run(&r, (const char *[]){ "-S", f->path, "-a", path, NULL });
	assert_int_equal(r.status, 1);
	snprintf(want, sizeof(want),
		 "ipsecconf: %s:4: refused by dpsecd: File exists (%s)\n"
		 "ipsecconf: %s: removed 2 of the 2 rules this run had added; nothing of the "
		 "file is in effect\n", path,
		 pfk_diag_string(SADB_X_DIAGNOSTIC_DPSEC_POLICY_EXISTS), path);
	assert_string_equal(r.err, want);
	/* 3 adds, then deletes of index 11 and 10, newest first. */
	assert_int_equal(f->ngot, 5);
	for (unsigned i = 3; i < 5; i++) {
		const struct sadb_msg *h = (const void *)f->got[i];
		const struct sadb_x_dpsec_policy *p = (const void *)(f->got[i] + 16);

		assert_int_equal(h->sadb_msg_type, SADB_X_DPSEC_SPDDELETE);
		assert_int_equal(f->got_len[i], 32);
		assert_int_equal(p->sadb_x_pol_index, i == 3 ? 11 : 10);
	}
	fake_stop(f);
}

static void test_delete_and_flush(void **state)
{
	struct fake *f = fake_start();
	struct result r;
	struct pfk_msg m;
	uint16_t diag;

	(void)state;
	run(&r, (const char *[]){ "-S", f->path, "-d", "77", NULL });
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "ipsecconf: deleted rule 77\n");
	run(&r, (const char *[]){ "-S", f->path, "-q", "-F", NULL });
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_int_equal(f->ngot, 2);
	assert_int_equal(pfk_validate(f->got[0], f->got_len[0], PFK_DIR_REQUEST, &m, &diag), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_X_DPSEC_SPDDELETE);
	assert_int_equal(m.policy->sadb_x_pol_index, 77);
	assert_int_equal(pfk_validate(f->got[1], f->got_len[1], PFK_DIR_REQUEST, &m, &diag), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_X_DPSEC_SPDFLUSH);
	assert_int_equal(f->got_len[1], 16);
	fake_stop(f);
}

/* ------------------------------------------------------------------------ */
/* -l: canned dump replies -> text -> -a -> the same rules.                  */

static int canned(uint8_t *buf, size_t cap, uint32_t index, uint32_t prio, uint8_t dir,
		  uint8_t action, uint8_t mode, const struct sadb_x_dpsec_selector *sel,
		  const struct sadb_x_dpsec_selector *inner, const struct sadb_x_dpsec_sareq *req,
		  const char *tsrc, const char *tdst)
{
	struct sadb_x_dpsec_policy pol = {
		.sadb_x_pol_len = 2, .sadb_x_pol_exttype = SADB_X_EXT_DPSEC_POLICY,
		.sadb_x_pol_index = index, .sadb_x_pol_priority = prio, .sadb_x_pol_dir = dir,
		.sadb_x_pol_action = action, .sadb_x_pol_mode = mode,
	};
	struct pfk_builder b;

	pfk_build_init(&b, buf, cap, SADB_X_DPSEC_SPDDUMP, 0, 0, 0);
	pfk_add_policy(&b, &pol);
	pfk_add_selector(&b, SADB_X_EXT_DPSEC_SELECTOR, sel);
	if (inner != NULL)
		pfk_add_selector(&b, SADB_X_EXT_DPSEC_INNER_SELECTOR, inner);
	if (req != NULL)
		pfk_add_sareq(&b, req);
	if (tsrc != NULL) {
		struct sockaddr_in s = { .sin_family = AF_INET }, d = { .sin_family = AF_INET };

		inet_pton(AF_INET, tsrc, &s.sin_addr);
		inet_pton(AF_INET, tdst, &d.sin_addr);
		pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, (struct sockaddr *)&s, 0, 32);
		pfk_add_address(&b, SADB_EXT_ADDRESS_DST, (struct sockaddr *)&d, 0, 32);
	}
	return pfk_build_finish(&b);
}

static void sel_any(struct sadb_x_dpsec_selector *s, uint16_t type)
{
	memset(s, 0, sizeof(*s));
	s->sadb_x_sel_len = 7;
	s->sadb_x_sel_exttype = type;
	s->sadb_x_sel_sport_max = s->sadb_x_sel_dport_max = 65535;
	s->sadb_x_sel_icmp_type_max = s->sadb_x_sel_icmp_code_max = 255;
}

static void test_list_and_read_back(void **state)
{
	static _Alignas(8) uint8_t m[4][512];
	struct fake *f = fake_start();
	struct sadb_x_dpsec_selector s, in;
	struct sadb_x_dpsec_sareq q = { .sadb_x_req_len = 2,
					.sadb_x_req_exttype = SADB_X_EXT_DPSEC_SAREQ,
					.sadb_x_req_satype = SADB_SATYPE_ESP };
	struct result r;
	int len[4];
	const char *path;

	(void)state;
	/* index 1: outbound TCP to 10/8 with ESP aes + sha256. */
	sel_any(&s, SADB_X_EXT_DPSEC_SELECTOR);
	s.sadb_x_sel_family = AF_INET;
	s.sadb_x_sel_proto = 6;
	s.sadb_x_sel_dst_prefixlen = 8;
	s.sadb_x_sel_dst[0] = 10;
	q.sadb_x_req_encrypt = SADB_EALG_AES;
	q.sadb_x_req_auth = SADB_AALG_SHA256HMAC;
	len[0] = canned(m[0], sizeof(m[0]), 1, 100000, SADB_X_DPSEC_DIR_OUT,
			SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TRANSPORT, &s, NULL, &q,
			NULL, NULL);
	/* index 2: a tunnel 192.0.2.1 -> 192.0.2.2 for 10.1/16 -> 10.2/16, GCM. */
	sel_any(&s, SADB_X_EXT_DPSEC_SELECTOR);
	s.sadb_x_sel_family = AF_INET;
	s.sadb_x_sel_src_prefixlen = s.sadb_x_sel_dst_prefixlen = 32;
	inet_pton(AF_INET, "192.0.2.1", s.sadb_x_sel_src);
	inet_pton(AF_INET, "192.0.2.2", s.sadb_x_sel_dst);
	sel_any(&in, SADB_X_EXT_DPSEC_INNER_SELECTOR);
	in.sadb_x_sel_family = AF_INET;
	in.sadb_x_sel_src_prefixlen = in.sadb_x_sel_dst_prefixlen = 16;
	inet_pton(AF_INET, "10.1.0.0", in.sadb_x_sel_src);
	inet_pton(AF_INET, "10.2.0.0", in.sadb_x_sel_dst);
	q.sadb_x_req_encrypt = SADB_EALG_AES_GCM_16;
	q.sadb_x_req_auth = 0;
	len[1] = canned(m[1], sizeof(m[1]), 2, 100001, SADB_X_DPSEC_DIR_BOTH,
			SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_TUNNEL, &s, &in, &q,
			"192.0.2.1", "192.0.2.2");
	/* index 3: bypass DNS, first by priority. */
	sel_any(&s, SADB_X_EXT_DPSEC_SELECTOR);
	s.sadb_x_sel_sport_min = s.sadb_x_sel_sport_max = 53;
	len[2] = canned(m[2], sizeof(m[2]), 3, 1000, SADB_X_DPSEC_DIR_BOTH,
			SADB_X_DPSEC_ACTION_BYPASS, 0, &s, NULL, NULL, NULL, NULL);
	/* index 4: an ipsec rule without a mode, which no ipsecconf text makes. */
	q.sadb_x_req_encrypt = SADB_EALG_AES;
	q.sadb_x_req_auth = SADB_AALG_SHA1HMAC;
	len[3] = canned(m[3], sizeof(m[3]), 4, 200000, SADB_X_DPSEC_DIR_BOTH,
			SADB_X_DPSEC_ACTION_IPSEC, SADB_X_DPSEC_MODE_ANY, &s, NULL, &q, NULL, NULL);
	for (unsigned i = 0; i < 4; i++) {
		assert_true(len[i] > 0);
		f->dump[i] = m[i];
		f->dump_len[i] = (size_t)len[i];
	}
	f->ndump = 4;

	run(&r, (const char *[]){ "-S", f->path, "-l", NULL });
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out,
		"# dpsec SPD: 4 rules in match order (ipsecconf -a reads this back)\n"
		"# index 3\n"
		"{ lport 53 dir both priority 1000 } bypass { }\n"
		"# index 1\n"
		"{ raddr 10.0.0.0/8 ulp tcp dir out priority 100000 } ipsec { encr_algs aes "
		"encr_auth_algs sha256 }\n"
		"# index 2\n"
		"{ tunnel_src 192.0.2.1 tunnel_dst 192.0.2.2 laddr 10.1.0.0/16 raddr 10.2.0.0/16 "
		"dir both priority 100001 } ipsec { encr_algs aes-gcm16 }\n"
		"# index 4: a rule the ipsecconf grammar cannot express\n");
	run(&r, (const char *[]){ "-S", f->path, "-n", "-l", NULL });
	assert_non_null(strstr(r.out, "ulp 6 "));

	/* The listing is a policy file: -a sends the same rules back. */
	path = write_file("listing.conf", r.out);
	f->ngot = 0;
	run(&r, (const char *[]){ "-S", f->path, "-q", "-a", path, NULL });
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	assert_int_equal(f->ngot, 3);
	for (unsigned i = 0; i < 3; i++) {
		static const unsigned order[] = { 2, 0, 1 }; /* by priority */
		_Alignas(8) uint8_t want[512];
		const unsigned k = order[i];
		struct sadb_msg *h = (void *)want;

		memcpy(want, m[k], (size_t)len[k]);
		h->sadb_msg_type = SADB_X_DPSEC_SPDADD;
		h->sadb_msg_seq = ((struct sadb_msg *)(void *)f->got[i])->sadb_msg_seq;
		h->sadb_msg_pid = ((struct sadb_msg *)(void *)f->got[i])->sadb_msg_pid;
		((struct sadb_x_dpsec_policy *)(void *)(want + 16))->sadb_x_pol_index = 0;
		assert_int_equal(f->got_len[i], (size_t)len[k]);
		assert_memory_equal(f->got[i], want, (size_t)len[k]);
	}
	fake_stop(f);
}

static void test_list_empty_and_refused(void **state)
{
	struct fake *f = fake_start();
	struct result r;
	char want[256];

	(void)state;
	/* An empty SPD lists as a header only (and -l is the default). */
	run(&r, (const char *[]){ "-S", f->path, NULL });
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "# dpsec SPD: 0 rules in match order (ipsecconf -a reads "
				   "this back)\n");
	/* Error replies name errno and the diagnostic. */
	f->refuse_others = true;
	snprintf(want, sizeof(want), "%s (%s)\n", strerror(EPERM),
		 pfk_diag_string(SADB_X_DIAGNOSTIC_DPSEC_NOT_PERMITTED));
	run(&r, (const char *[]){ "-S", f->path, "-l", NULL });
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_true(strncmp(r.err, "ipsecconf: list: refused by dpsecd: ", 36) == 0);
	assert_string_equal(r.err + 36, want);
	run(&r, (const char *[]){ "-S", f->path, "-d", "3", NULL });
	assert_int_equal(r.status, 1);
	assert_true(strncmp(r.err, "ipsecconf: delete rule 3: refused by dpsecd: ", 45) == 0);
	assert_string_equal(r.err + 45, want);
	run(&r, (const char *[]){ "-S", f->path, "-F", NULL });
	assert_int_equal(r.status, 1);
	assert_true(strncmp(r.err, "ipsecconf: flush: refused by dpsecd: ", 37) == 0);
	fake_stop(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ipsecconf-test-XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_good),
		cmocka_unit_test(test_check_bad),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_no_daemon),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_add_refused_rolls_back),
		cmocka_unit_test(test_delete_and_flush),
		cmocka_unit_test(test_list_and_read_back),
		cmocka_unit_test(test_list_empty_and_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
