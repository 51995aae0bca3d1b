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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_and_stop),
		cmocka_unit_test(test_check_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
