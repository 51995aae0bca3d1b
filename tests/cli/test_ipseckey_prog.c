/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ipseckey_prog: the ipseckey program, run as a child process.
 *
 * Without a gateway: refusal of add on the command line, -c on good and
 * bad files (and that it never opens the socket), the message when no
 * socket exists, usage errors.  With a tiny fake PF_KEY responder (a
 * SOCK_SEQPACKET server in this test that answers with canned replies
 * built by the codec's builder; it is not the gateway and checks nothing
 * a gateway must): flush, get (keys hidden, -p), an error reply, dump,
 * -s then -f, the interactive prompt fed through a pipe, and monitor.
 * IPSECKEY names the binary (set by meson).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_ipseckey.h"

#define K160 "000102030405060708090a0b0c0d0e0f10111213"

static char dir[64], sock_path[128], log_path[128];
static pid_t server_pid = -1;

/* ------------------------------------------------------------------------ */
/* The fake responder.                                                       */

static int canned_sa(uint8_t *buf, size_t cap, uint8_t type, uint32_t seq, uint32_t pid,
		     uint32_t spi)
{
	static const uint8_t ekey[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8,
					  9, 10, 11, 12, 0xa1, 0xa2, 0xa3, 0xa4 };
	struct sockaddr_in s = { .sin_family = AF_INET }, d = { .sin_family = AF_INET };
	struct pfk_builder b;

	inet_pton(AF_INET, "192.0.2.1", &s.sin_addr);
	inet_pton(AF_INET, "192.0.2.2", &d.sin_addr);
	pfk_build_init(&b, buf, cap, type, SADB_SATYPE_ESP, seq, pid);
	pfk_add_sa(&b, htonl(spi), 64, SADB_SASTATE_MATURE, 0, SADB_EALG_AES_GCM_16, 0);
	pfk_add_lifetime(&b, SADB_EXT_LIFETIME_CURRENT, 0, 100, 1700000000, 0);
	pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, (struct sockaddr *)&s, 0, 0);
	pfk_add_address(&b, SADB_EXT_ADDRESS_DST, (struct sockaddr *)&d, 0, 0);
	pfk_add_key(&b, SADB_EXT_KEY_ENCRYPT, ekey, 160, 32);
	pfk_add_replay_value(&b, 42);
	return pfk_build_finish(&b);
}

static void serve(int fd, FILE *log)
{
	_Alignas(8) uint8_t in[65536], out[4096];
	struct sadb_msg *req = (struct sadb_msg *)(void *)in;
	ssize_t n;

	while ((n = recv(fd, in, sizeof(in), 0)) > 0) {
		struct pfk_msg m;
		uint16_t diag;
		int len = -1;

		fprintf(log, "%s %u %zd\n", pfk_msg_name(req->sadb_msg_type) ?: "?",
			req->sadb_msg_satype, n);
		fflush(log);
		if (pfk_validate(in, (size_t)n, PFK_DIR_REQUEST, &m, &diag) < 0) {
			len = pfk_build_error(req, EINVAL, diag, out, sizeof(out));
			send(fd, out, (size_t)len, 0);
			continue;
		}
		switch (req->sadb_msg_type) {
		case SADB_GET:
			if (ntohl(m.sa->sadb_sa_spi) == 0x1234)
				len = canned_sa(out, sizeof(out), SADB_GET, req->sadb_msg_seq,
						req->sadb_msg_pid, 0x1234);
			else
				len = pfk_build_error(req, ESRCH, SADB_X_DIAGNOSTIC_SA_NOTFOUND,
						      out, sizeof(out));
			send(fd, out, (size_t)len, 0);
			break;
		case SADB_DUMP:
			for (uint32_t spi = 0x100; spi < 0x102; spi++) {
				len = canned_sa(out, sizeof(out), SADB_DUMP, req->sadb_msg_seq,
						req->sadb_msg_pid, spi);
				send(fd, out, (size_t)len, 0);
			}
			memcpy(out, in, 16);
			((struct sadb_msg *)(void *)out)->sadb_msg_seq = 0;
			((struct sadb_msg *)(void *)out)->sadb_msg_len = 2;
			send(fd, out, 16, 0);
			break;
		case SADB_X_PROMISC:
		case SADB_REGISTER: {
			struct sockaddr_in s = { .sin_family = AF_INET };
			struct sadb_comb comb = { .sadb_comb_encrypt = SADB_EALG_AES_GCM_16,
						  .sadb_comb_encrypt_minbits = 128,
						  .sadb_comb_encrypt_maxbits = 256 };
			struct pfk_builder b;

			memcpy(out, in, 16);
			send(fd, out, 16, 0);
			pfk_build_init(&b, out, sizeof(out), SADB_ACQUIRE, SADB_SATYPE_ESP, 0, 0);
			pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, (struct sockaddr *)&s, 0, 0);
			pfk_add_address(&b, SADB_EXT_ADDRESS_DST, (struct sockaddr *)&s, 0, 0);
			pfk_add_proposal(&b, 0, &comb, 1);
			len = pfk_build_finish(&b);
			send(fd, out, (size_t)len, 0);
			return; /* and hang up: monitor ends */
		}
		default:
			/* ADD, UPDATE, DELETE, FLUSH...: the keyless echo. */
			len = pfk_copy_without_keys(&m, out, sizeof(out));
			send(fd, out, (size_t)len, 0);
		}
	}
}

static void start_server(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	assert_true(lfd >= 0);
	strcpy(sun.sun_path, sock_path);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 8), 0);
	server_pid = fork();
	assert_true(server_pid >= 0);
	if (server_pid == 0) {
		FILE *log = fopen(log_path, "a");

		for (;;) {
			int fd = accept(lfd, NULL, NULL);

			if (fd < 0)
				_exit(1);
			serve(fd, log);
			close(fd);
		}
	}
	close(lfd);
}

/* ------------------------------------------------------------------------ */
/* Running the program.                                                      */

struct result {
	int status;
	char out[65536], err[16384];
};

static void slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, cap - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* Run IPSECKEY with args (NULL-terminated), stdin from text (or /dev/null). */
static void run(struct result *r, const char *text, ...)
{
	const char *prog = getenv("IPSECKEY");
	char *argv[32], outp[160], errp[160], inp[160];
	va_list ap;
	int argc = 0;
	pid_t pid;

	assert_non_null(prog);
	argv[argc++] = (char *)prog;
	va_start(ap, text);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	snprintf(outp, sizeof(outp), "%s/out", dir);
	snprintf(errp, sizeof(errp), "%s/err", dir);
	snprintf(inp, sizeof(inp), "%s/in", dir);
	FILE *f = fopen(inp, "w");

	assert_non_null(f);
	fputs(text ? text : "", f);
	fclose(f);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int i = open(inp, O_RDONLY), o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(i, 0);
		dup2(o, 1);
		dup2(e, 2);
		execv(prog, argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &r->status, 0), pid);
	assert_true(WIFEXITED(r->status));
	r->status = WEXITSTATUS(r->status);
	slurp(outp, r->out, sizeof(r->out));
	slurp(errp, r->err, sizeof(r->err));
}

static void has(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		print_error("missing \"%s\" in:\n%s\n", want, text);
	assert_non_null(strstr(text, want));
}

static char *write_file(const char *name, const char *text)
{
	static char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static unsigned log_count(const char *what)
{
	char text[8192];
	unsigned n = 0;

	slurp(log_path, text, sizeof(text));
	for (const char *p = text; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ipk-test-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock_path, sizeof(sock_path), "%s/pfkey.sock", dir);
	snprintf(log_path, sizeof(log_path), "%s/log", dir);
	start_server();
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------------ */
/* Without a gateway.                                                        */

static struct result r;

static void test_add_refused_on_cmdline(void **state)
{
	(void)state;
	run(&r, NULL, "-S", sock_path, "add", "esp", "spi", "1", "dst", "192.0.2.2",
	    "encr_alg", "aes-gcm", "encrkey", K160, NULL);
	assert_int_equal(r.status, 1);
	has(r.err, "ipseckey: 'add': refused on the command line: the keys would be visible "
	    "to other users in ps(1)");
	run(&r, NULL, "update", "esp", "spi", "1", "dst", "192.0.2.2", NULL);
	assert_int_equal(r.status, 1);
	has(r.err, "'update': refused on the command line");
	assert_int_equal(log_count("ADD"), 0);
}

static void test_no_socket(void **state)
{
	(void)state;
	run(&r, NULL, "-S", "/nonexistent/pfkey.sock", "flush", NULL);
	assert_int_equal(r.status, 1);
	has(r.err, "ipseckey: cannot connect to /nonexistent/pfkey.sock: No such file or "
	    "directory (is dpsecd running? -S names its socket)");
}

static void test_check_files(void **state)
{
	char *good, *bad;

	(void)state;
	good = strdup(write_file("good.conf", "# keys\nflush esp\n"
				 "add esp spi 0x10 dst 192.0.2.2 encr_alg aes-gcm \\\n"
				 "  encrkey " K160 "\nadd ah spi 0x11 dst 192.0.2.2 "
				 "auth_alg sha1 authkey " K160 "\n"));
	bad = strdup(write_file("bad.conf", "flush esp\nadd esp spi 0x10 dst 192.0.2.2\n"
				"dump\nget esp spi zz dst 192.0.2.2\nfrob\n"));
	/* -c never opens the socket: a missing one does not matter. */
	run(&r, NULL, "-n", "-S", "/nonexistent/sock", "-c", good, NULL);
	assert_int_equal(r.status, 0);
	has(r.out, "syntax OK");
	run(&r, NULL, "-n", "-S", "/nonexistent/sock", "-c", bad, NULL);
	assert_int_equal(r.status, 1);
	has(r.err, "ipseckey: line 2: 'add': esp with null encryption needs auth_alg and "
	    "authkey\n");
	has(r.err, "ipseckey: line 4: 'spi': expected an SPI (1..0xffffffff), got 'zz'\n");
	has(r.err, "ipseckey: line 5: 'frob': expected a command");
	has(r.err, ": 3 errors\n");
	assert_int_equal(log_count("FLUSH"), 0);
	free(good);
	free(bad);
}

static void test_usage(void **state)
{
	(void)state;
	run(&r, NULL, "-f", "a", "-c", "b", NULL);
	assert_int_equal(r.status, 2);
	has(r.err, "usage: ipseckey [-nvp] [-S socket]");
	run(&r, NULL, "-x", NULL);
	assert_int_equal(r.status, 2);
	run(&r, NULL, "-f", "/nonexistent/file", NULL);
	assert_int_equal(r.status, 1);
	has(r.err, "/nonexistent/file: No such file or directory");
}

/* ------------------------------------------------------------------------ */
/* Against the fake responder.                                               */

static void test_flush_and_get(void **state)
{
	(void)state;
	run(&r, NULL, "-S", sock_path, "flush", "esp", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(log_count("FLUSH 3 16"), 1);

	run(&r, NULL, "-n", "-S", sock_path, "get", "esp", "spi", "0x1234", "dst",
	    "192.0.2.2", NULL);
	assert_int_equal(r.status, 0);
	has(r.out, "SA: spi=0x1234, replay window=64, state=mature\n");
	has(r.out, "EKY: encryption key, 160 bits (32 salt bits): [hidden; -p shows keys]");
	assert_null(strstr(r.out, "deadbeef"));

	run(&r, NULL, "-np", "-S", sock_path, "get", "esp", "spi", "0x1234", "dst",
	    "192.0.2.2", NULL);
	assert_int_equal(r.status, 0);
	has(r.out, "EKY: encryption key, 160 bits (32 salt bits): "
	    "deadbeef0102030405060708090a0b0ca1a2a3a4");

	run(&r, NULL, "-S", sock_path, "get", "esp", "spi", "9", "dst", "192.0.2.2", NULL);
	assert_int_equal(r.status, 1);
	has(r.err, "ipseckey: GET failed: No such process; diagnostic 78: ");

	run(&r, NULL, "-v", "-S", sock_path, "delete", "esp", "spi", "9", "dst", "192.0.2.2",
	    NULL);
	assert_int_equal(r.status, 0);
	has(r.out, "Sending:\nBase message (version 2) type DELETE, SA type esp.");
	has(r.out, "Received:\nBase message (version 2) type DELETE");
}

static void test_dump(void **state)
{
	(void)state;
	run(&r, NULL, "-S", sock_path, "dump", NULL);
	assert_int_equal(r.status, 0);
	has(r.out, "SA: spi=0x100,");
	has(r.out, "SA: spi=0x101,");
	has(r.out, "Dump succeeded for SA type 0: 2 SAs.\n");
	assert_null(strstr(r.out, "deadbeef"));
}

/* -s writes add lines (keys included, file mode 0600); -f reads them back. */
static void test_save_then_load(void **state)
{
	char path[160], text[4096];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/saved", dir);
	run(&r, NULL, "-S", sock_path, "-s", path, NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	slurp(path, text, sizeof(text));
	assert_string_equal(text,
		"add esp spi 0x100 src 192.0.2.1 dst 192.0.2.2 encr_alg aes-gcm16 encrkey "
		"deadbeef0102030405060708090a0b0ca1a2a3a4 replay 64 replay_value 42\n"
		"add esp spi 0x101 src 192.0.2.1 dst 192.0.2.2 encr_alg aes-gcm16 encrkey "
		"deadbeef0102030405060708090a0b0ca1a2a3a4 replay 64 replay_value 42\n");
	run(&r, NULL, "-n", "-S", sock_path, "-f", path, NULL);
	if (r.status != 0)
		print_error("%s", r.err);
	assert_int_equal(r.status, 0);
	assert_int_equal(log_count("ADD 3 "), 2);

	/* save to standard output from a command line. */
	run(&r, NULL, "-S", sock_path, "save", "esp", NULL);
	assert_int_equal(r.status, 0);
	has(r.out, "add esp spi 0x101 ");
}

/* A file with a bad line: reported, and nothing of the file is sent (the
 * whole file is checked first); the status says it failed. */
static void test_file_with_errors(void **state)
{
	char *p;
	unsigned before = log_count("ADD 2 ");

	(void)state;
	p = write_file("mixed.conf", "add ah spi 1 dst 192.0.2.2 auth_alg sha9\n"
		       "add ah spi 2 dst 192.0.2.2 auth_alg sha1 authkey " K160 "\n");
	run(&r, NULL, "-n", "-S", sock_path, "-f", p, NULL);
	assert_int_equal(r.status, 1);
	has(r.err, "line 1: 'auth_alg': expected an authentication algorithm");
	has(r.err, "mixed.conf: not run: it has syntax errors\n");
	assert_int_equal(log_count("ADD 2 "), before);
}

static void test_interactive_pipe(void **state)
{
	(void)state;
	run(&r, "help\nget esp spi 0x1234 \\\n dst 192.0.2.2\nbogus\nquit\nflush\n",
	    "-n", "-S", sock_path, NULL);
	assert_int_equal(r.status, 1); /* "bogus" failed */
	has(r.out, "Commands:\n");
	has(r.out, "SA: spi=0x1234");
	has(r.err, "ipseckey: line 4: 'bogus': expected a command");
	/* quit stops before the flush. */
	run(&r, "add esp spi 0x55 dst 192.0.2.2 encr_alg aes-gcm encrkey " K160 "\nexit\n",
	    "-n", "-S", sock_path, NULL);
	assert_int_equal(r.status, 0);
}

static void test_monitor(void **state)
{
	(void)state;
	run(&r, NULL, "-S", sock_path, "monitor", NULL);
	assert_int_equal(r.status, 1); /* the fake hangs up */
	has(r.out, "Actively monitoring the PF_KEY socket.\n");
	has(r.out, "type X_PROMISC, promiscuous on.");
	has(r.out, "type ACQUIRE, SA type esp.");
	has(r.err, "the gateway closed the socket");
	run(&r, NULL, "-S", sock_path, "pmonitor", "esp", NULL);
	has(r.out, "Passively monitoring the PF_KEY socket.\n");
	has(r.out, "type REGISTER, SA type esp.");
}

/* Read from the pty until want shows up in what was read since *seen
 * (or 5 s pass).  Returns whether it did. */
static bool pty_wait(int fd, char *acc, size_t cap, size_t *len, size_t *seen,
		     const char *want)
{
	for (int i = 0; i < 100; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char *hit;
		ssize_t n;

		acc[*len] = '\0';
		hit = strstr(acc + *seen, want);
		if (hit != NULL) {
			*seen = (size_t)(hit - acc) + strlen(want);
			return true;
		}
		if (poll(&p, 1, 50) <= 0)
			continue;
		n = read(fd, acc + *len, cap - *len - 1);
		if (n <= 0)
			return false;
		*len += (size_t)n;
	}
	return false;
}

/* The prompt on a terminal: libedit, its history (up arrow), quit. */
static void test_interactive_pty(void **state)
{
	static char acc[65536];
	size_t len = 0, seen = 0;
	const char *prog = getenv("IPSECKEY");
	int fd, status;
	pid_t pid;

	(void)state;
	pid = forkpty(&fd, NULL, NULL, NULL);
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(prog, prog, "-n", "-S", sock_path, (char *)NULL);
		_exit(127);
	}
	assert_true(pty_wait(fd, acc, sizeof(acc), &len, &seen, "ipseckey> "));
	assert_int_equal(write(fd, "get esp spi 0x1234 dst 192.0.2.2\r", 33), 33);
	assert_true(pty_wait(fd, acc, sizeof(acc), &len, &seen, "SA: spi=0x1234"));
	assert_true(pty_wait(fd, acc, sizeof(acc), &len, &seen, "ipseckey> "));
	/* Up arrow brings the last line back from the history. */
	assert_int_equal(write(fd, "\033[A\r", 4), 4);
	assert_true(pty_wait(fd, acc, sizeof(acc), &len, &seen, "SA: spi=0x1234"));
	assert_true(pty_wait(fd, acc, sizeof(acc), &len, &seen, "ipseckey> "));
	assert_int_equal(write(fd, "quit\r", 5), 5);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(fd);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_refused_on_cmdline),
		cmocka_unit_test(test_no_socket),
		cmocka_unit_test(test_check_files),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_flush_and_get),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_save_then_load),
		cmocka_unit_test(test_file_with_errors),
		cmocka_unit_test(test_interactive_pipe),
		cmocka_unit_test(test_monitor),
		cmocka_unit_test(test_interactive_pty),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
