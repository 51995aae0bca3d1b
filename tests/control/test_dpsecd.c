/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dpsecd: the program as others start it --
 *   dpsecd -c docs/examples/minimal.yaml -S <socket> -- --file-prefix <unique>
 * serves PF_KEY on the socket (mode 0600), and on SIGTERM exits 0 having
 * removed the socket and EAL's runtime directory.  -n checks a config.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_test_util.h"

static uint64_t rbuf[8192];

static pid_t spawn(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int wait_exit(pid_t pid, int timeout_s)
{
	int status;

	for (int i = 0; i < timeout_s * 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static void test_serve_and_stop(void **state)
{
	char dir[] = "/tmp/dpsecd-test-XXXXXX", sock[128], prefix[64], rundir[128];
	struct stat st;
	struct tmsg t;
	pid_t pid;
	int fd = -1, n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/pfkey.sock", dir);
	snprintf(prefix, sizeof(prefix), "dpsecd-test-%ld", (long)getpid());
	snprintf(rundir, sizeof(rundir), "/var/run/dpdk/%s", prefix);
	{
		char *argv[] = { (char *)DPSECD_PATH, (char *)"-c",
				 (char *)DPSEC_SOURCE_DIR "/docs/examples/minimal.yaml", (char *)"-S",
				 sock, (char *)"--", (char *)"--file-prefix", prefix, NULL };

		pid = spawn(argv);
	}
	assert_true(pid > 0);
	for (int i = 0; i < 1000 && fd < 0; i++) {
		fd = pfk_client_open(sock);
		if (fd < 0)
			usleep(20000);
	}
	assert_true(fd >= 0);
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(rundir, &st), 0);
	tm_init(&t, SADB_REGISTER, SADB_SATYPE_ESP, t_seq++, T_PID);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_true(n > 16);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	assert_non_null(tm_find(rbuf, (size_t)n, SADB_EXT_SUPPORTED_ENCRYPT));
	t_add_gcm(&t, 0x1234, "192.0.2.1", "198.51.100.2", 0);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	close(fd);

	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(wait_exit(pid, 20), 0);
	assert_int_not_equal(stat(sock, &st), 0);
	assert_int_not_equal(stat(rundir, &st), 0);
	rmdir(dir);
}

static void test_check_only(void **state)
{
	char bad[] = "/tmp/dpsecd-bad-XXXXXX.yaml";
	FILE *f;
	int fd;

	(void)state;
	{
		char *argv[] = { (char *)DPSECD_PATH, (char *)"-n", (char *)"-c",
				 (char *)DPSEC_SOURCE_DIR "/docs/examples/minimal.yaml", NULL };

		assert_int_equal(wait_exit(spawn(argv), 20), 0);
	}
	fd = mkstemps(bad, 5);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("workers:\n  count: 0\n", f);
	fclose(f);
	{
		char *argv[] = { (char *)DPSECD_PATH, (char *)"-n", (char *)"-c", bad, NULL };

		assert_int_equal(wait_exit(spawn(argv), 20), 1);
	}
	unlink(bad);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int count_dump(int fd, uint8_t type)
{
	struct tmsg t;
	int n, count = 0;

	tm_init(&t, type, 0, t_seq++, T_PID);
	assert_int_equal(pfk_client_send(fd, t.buf, t.len), 0);
	while ((n = t_recv_type(fd, type, rbuf, sizeof(rbuf), T_TIMEOUT_MS)) > 16)
		count++;
	assert_int_equal(n, 16);
	return count;
}

/* sa: and policy: files in the config are loaded at start (the tools'
 * grammars); a bad one stops the start with its file and line. */
static void test_startup_files(void **state)
{
	char dir[] = "/tmp/dpsecd-files-XXXXXX", path[256], sock[128], prefix[64];
	static const char cfg[] =
		"eal: { lcores: 0-1, no_huge: true, no_pci: true, memory_mb: 256 }\n"
		"workers: { count: 1 }\n"
		"telemetry: { enabled: false }\n"
		"sa: [sa.conf]\n"
		"policy: [policy.conf]\n";
	pid_t pid;
	int fd = -1;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dpsecd.yaml", dir);
	write_file(path, cfg);
	snprintf(path, sizeof(path), "%s/sa.conf", dir);
	write_file(path, "# two SAs\n"
			 "add esp spi 0x1001 src 10.0.0.1 dst 10.0.0.2 encr_alg aes-gcm \\\n"
			 "    encrkey 0x0102030405060708090a0b0c0d0e0f1011121314\n"
			 "add ah spi 0x1002 src 10.0.0.2 dst 10.0.0.1 auth_alg sha256 "
			 "authkey 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\n");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	write_file(path, "{ laddr 10.0.0.1 raddr 10.0.0.2 } ipsec { encr_algs aes-gcm sa shared }\n");
	snprintf(sock, sizeof(sock), "%s/pfkey.sock", dir);
	snprintf(prefix, sizeof(prefix), "dpsecd-files-%ld", (long)getpid());
	snprintf(path, sizeof(path), "%s/dpsecd.yaml", dir);
	{
		/* --check-config reads the SA and policy files too. */
		char *argv[] = { (char *)DPSECD_PATH, (char *)"--check-config", (char *)"-c",
				 path, NULL };

		assert_int_equal(wait_exit(spawn(argv), 20), 0);
	}
	{
		char *argv[] = { (char *)DPSECD_PATH, (char *)"-c", path, (char *)"-S", sock,
				 (char *)"--", (char *)"--file-prefix", prefix, NULL };

		pid = spawn(argv);
	}
	for (int i = 0; i < 1000 && fd < 0; i++) {
		fd = pfk_client_open(sock);
		if (fd < 0)
			usleep(20000);
	}
	assert_true(fd >= 0);
	assert_int_equal(count_dump(fd, SADB_DUMP), 2);
	assert_int_equal(count_dump(fd, SADB_X_DPSEC_SPDDUMP), 1);
	close(fd);
	kill(pid, SIGTERM);
	assert_int_equal(wait_exit(pid, 20), 0);

	/* --check-config finds a bad line in an SA file (and in a policy file),
	 * and names the file and line; the good config above passed. */
	snprintf(path, sizeof(path), "%s/sa.conf", dir);
	write_file(path, "add esp spi 0x1004 src 10.0.0.1 dst 10.0.0.2 encr_alg nosuch "
			 "encrkey 0x0102030405060708090a0b0c0d0e0f10\n");
	snprintf(path, sizeof(path), "%s/dpsecd.yaml", dir);
	{
		char *argv[] = { (char *)DPSECD_PATH, (char *)"--check-config", (char *)"-c",
				 path, NULL };

		assert_int_equal(wait_exit(spawn(argv), 20), 1);
	}
	snprintf(path, sizeof(path), "%s/sa.conf", dir);
	write_file(path, "add ah spi 0x1002 src 10.0.0.2 dst 10.0.0.1 auth_alg sha256 "
			 "authkey 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\n");
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	write_file(path, "{ laddr 10.0.0.1 raddr } ipsec { encr_algs aes-gcm }\n");
	snprintf(path, sizeof(path), "%s/dpsecd.yaml", dir);
	{
		char *argv[] = { (char *)DPSECD_PATH, (char *)"-n", (char *)"-c", path, NULL };

		assert_int_equal(wait_exit(spawn(argv), 20), 1);
	}
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	write_file(path, "{ laddr 10.0.0.1 raddr 10.0.0.2 } ipsec { encr_algs aes-gcm sa shared }\n");

	/* A refused SA (3DES: not implemented) stops the start. */
	snprintf(path, sizeof(path), "%s/sa.conf", dir);
	write_file(path, "add esp spi 0x1003 src 10.0.0.1 dst 10.0.0.2 encr_alg 3des "
			 "auth_alg sha1 encrkey 0x0102030405060708090a0b0c0d0e0f101112131415161718 "
			 "authkey 0x0102030405060708090a0b0c0d0e0f1011121314\n");
	snprintf(path, sizeof(path), "%s/dpsecd.yaml", dir);
	{
		char *argv[] = { (char *)DPSECD_PATH, (char *)"-c", path, (char *)"-S", sock,
				 (char *)"--", (char *)"--file-prefix", prefix, NULL };

		assert_int_equal(wait_exit(spawn(argv), 20), 2);
	}
	assert_int_not_equal(access(sock, F_OK), 0);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_and_stop),
		cmocka_unit_test(test_check_only),
		cmocka_unit_test(test_startup_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
