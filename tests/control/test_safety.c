/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_safety: what a hostile, slow or unprivileged client can do.
 *   - an unprivileged client (a forked child that became nobody) may read
 *     without keys and is refused every write, with EPERM and
 *     DPSEC_NOT_PERMITTED, changing nothing;
 *   - the client limit closes connections beyond it;
 *   - EMFILE on accept backs off instead of spinning, and recovers;
 *   - a client that stops reading during a DUMP of 100k SAs neither
 *     blocks other clients nor grows the daemon's memory past its queue
 *     limit, and gets the whole dump once it reads again;
 *   - a DUMP to a client whose queue limit is below one dump step still
 *     runs to its end marker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include <cmocka.h>

#include "ctl_harness.h"
#include "ctl_test_util.h"

static uint64_t rbuf[65536];

static int group_setup(void **state)
{
	(void)state;
	return h_eal_init("safety");
}

static int group_teardown(void **state)
{
	(void)state;
	h_eal_fini();
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------ */

/* In the child: returns the number of failed checks. */
static int unprivileged_child(const char *sock)
{
	static uint64_t buf[8192];
	struct tmsg t;
	int fails = 0, fd, n;
	static const uint8_t writes[] = { SADB_FLUSH, SADB_REGISTER, SADB_X_PROMISC,
					  SADB_X_DPSEC_SPDFLUSH };

	if (setgid(65534) != 0 || setuid(65534) != 0)
		return 100;
	fd = pfk_client_open(sock);
	if (fd < 0)
		return 101;
	/* ADD: refused. */
	t_add_gcm(&t, 0x9001, "10.0.0.1", "10.0.0.2", 0);
	n = t_request(fd, &t, buf, sizeof(buf));
	fails += !(n == 16 && t_hdr(buf)->sadb_msg_errno == EPERM &&
		   t_hdr(buf)->sadb_x_msg_diagnostic == SADB_X_DIAGNOSTIC_DPSEC_NOT_PERMITTED);
	/* DELETE of the existing SA: refused. */
	t_sa_req(&t, SADB_DELETE, SADB_SATYPE_ESP, 0x9000, NULL, "10.0.0.2");
	n = t_request(fd, &t, buf, sizeof(buf));
	fails += !(n == 16 && t_hdr(buf)->sadb_msg_errno == EPERM);
	for (size_t i = 0; i < sizeof(writes); i++) {
		tm_init(&t, writes[i], 0, t_seq++, T_PID);
		n = t_request(fd, &t, buf, sizeof(buf));
		fails += !(n == 16 && t_hdr(buf)->sadb_msg_errno == EPERM);
	}
	/* GET: allowed, without keys. */
	t_sa_req(&t, SADB_GET, SADB_SATYPE_ESP, 0x9000, NULL, "10.0.0.2");
	n = t_request(fd, &t, buf, sizeof(buf));
	fails += !(n > 16 && t_hdr(buf)->sadb_msg_errno == 0 &&
		   tm_find(buf, (size_t)n, SADB_EXT_KEY_ENCRYPT) == NULL &&
		   tm_find(buf, (size_t)n, SADB_EXT_SA) != NULL);
	/* DUMP: allowed, without keys. */
	tm_init(&t, SADB_DUMP, 0, t_seq++, T_PID);
	if (pfk_client_send(fd, t.buf, t.len) != 0)
		fails++;
	for (int count = 0;; count++) {
		n = t_recv_type(fd, SADB_DUMP, buf, sizeof(buf), T_TIMEOUT_MS);
		if (n <= 16) {
			fails += !(n == 16 && count == 1);
			break;
		}
		fails += tm_find(buf, (size_t)n, SADB_EXT_KEY_ENCRYPT) != NULL;
	}
	close(fd);
	return fails;
}

static void test_unprivileged(void **state)
{
	struct h h;
	struct tmsg t;
	pid_t pid;
	int fd, n, status;

	(void)state;
	assert_int_equal(h_start(&h, NULL, 1024), 0);
	fd = h_connect(&h);
	t_add_gcm(&t, 0x9000, "10.0.0.1", "10.0.0.2", 0);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	/* The socket is 0600: reach it anyway, to test SO_PEERCRED. */
	{
		struct stat st;

		assert_int_equal(stat(h.sock, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	assert_int_equal(chmod(h.dir, 0755), 0);
	assert_int_equal(chmod(h.sock, 0666), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(unprivileged_child(h.sock));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* Nothing changed; root still reads the key. */
	assert_int_equal(h_stats(&h).sas, 1);
	assert_true(h_stats(&h).refused_perm >= 6);
	t_sa_req(&t, SADB_GET, SADB_SATYPE_ESP, 0x9000, NULL, "10.0.0.2");
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_non_null(tm_find(rbuf, (size_t)n, SADB_EXT_KEY_ENCRYPT));
	close(fd);
	h_stop(&h);
}

static void test_client_limit(void **state)
{
	struct ctl_params p;
	struct h h;
	struct tmsg t;
	int fds[3];

	(void)state;
	ctl_params_default(&p);
	p.max_clients = 2;
	assert_int_equal(h_start(&h, &p, 1024), 0);
	for (int i = 0; i < 3; i++) {
		fds[i] = pfk_client_open(h.sock);
		assert_true(fds[i] >= 0);
	}
	/* The third is closed at once: its first read sees the end. */
	assert_int_equal(pfk_client_recv(fds[2], rbuf, sizeof(rbuf), T_TIMEOUT_MS), 0);
	tm_init(&t, SADB_FLUSH, 0, t_seq++, T_PID);
	assert_int_equal(t_request(fds[1], &t, rbuf, sizeof(rbuf)), 16);
	assert_int_equal(h_stats(&h).clients_refused, 1);
	/* A slot frees up: a new client is served. */
	close(fds[0]);
	close(fds[2]);
	usleep(100000);
	fds[0] = h_connect(&h);
	assert_int_equal(t_request(fds[0], &t, rbuf, sizeof(rbuf)), 16);
	close(fds[0]);
	close(fds[1]);
	h_stop(&h);
}

static void test_emfile_backoff(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct h h;
	struct rlimit old, low;
	struct tmsg t;
	int fds[6], open_now = 0;
	DIR *d;

	(void)state;
	assert_int_equal(h_start(&h, NULL, 1024), 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", h.sock);
	/* Client sockets first; then no descriptor is left for accept(2). */
	for (int i = 0; i < 6; i++)
		fds[i] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	d = opendir("/proc/self/fd");
	assert_non_null(d);
	while (readdir(d) != NULL)
		open_now++;
	closedir(d);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	/* open_now counted ".", ".." and the directory: two or three spare
	 * descriptors, so accept(2) takes a few clients and then hits EMFILE. */
	low.rlim_cur = (rlim_t)open_now;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(connect(fds[i], (struct sockaddr *)&sun, sizeof(sun)), 0);
	for (int i = 0; i < 100 && h_stats(&h).accept_backoffs == 0; i++)
		usleep(10000);
	assert_true(h_stats(&h).accept_backoffs >= 1);
	/* Backing off, not spinning: one pause a second, not thousands. */
	usleep(300000);
	assert_true(h_stats(&h).accept_backoffs <= 3);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	/* After the pause every waiting client is served. */
	tm_init(&t, SADB_FLUSH, 0, t_seq++, T_PID);
	for (int i = 0; i < 6; i++) {
		tm_hdr(&t)->sadb_msg_seq = t_seq++;
		assert_int_equal(t_request(fds[i], &t, rbuf, sizeof(rbuf)), 16);
	}
	for (int i = 0; i < 6; i++)
		close(fds[i]);
	h_stop(&h);
}

/* ------------------------------------------------------------------------ */

enum { DUMP_SAS = 100000, BATCH = 256 };

static void load_sas(int fd, int nsas)
{
	struct tmsg t;

	for (int i = 0; i < nsas; i += BATCH) {
		for (int j = 0; j < BATCH && i + j < nsas; j++) {
			t_add_gcm(&t, 0x100000u + (uint32_t)(i + j), "10.10.0.1", "10.10.0.2", 0);
			assert_int_equal(pfk_client_send(fd, t.buf, t.len), 0);
		}
		for (int j = 0; j < BATCH && i + j < nsas; j++) {
			int n = pfk_client_recv(fd, rbuf, sizeof(rbuf), 10000);

			assert_true(n > 16);
			assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
		}
	}
}

static void test_stuck_dump(void **state)
{
	struct ctl_params p;
	struct ctl_stats st;
	struct h h;
	struct tmsg t;
	int loader, stuck, other, n, count = 0;
	double worst = 0;

	(void)state;
	ctl_params_default(&p);
	p.queue_bytes = 1u << 20;
	p.queue_msgs = 512;
	assert_int_equal(h_start(&h, &p, 131072), 0);
	loader = h_connect(&h);
	load_sas(loader, DUMP_SAS);
	assert_int_equal(h_stats(&h).sas, DUMP_SAS);

	stuck = h_connect(&h);
	other = h_connect(&h);
	tm_init(&t, SADB_DUMP, SADB_SATYPE_ESP, t_seq++, T_PID);
	assert_int_equal(pfk_client_send(stuck, t.buf, t.len), 0);
	usleep(500000);
	/* The others are served promptly while the dump waits. */
	for (int i = 0; i < 50; i++) {
		double t0 = now_s();

		t_sa_req(&t, SADB_GET, SADB_SATYPE_ESP, 0x100000u + (uint32_t)i * 7, NULL,
			 "10.10.0.2");
		n = t_request(other, &t, rbuf, sizeof(rbuf));
		assert_true(n > 16);
		if (now_s() - t0 > worst)
			worst = now_s() - t0;
	}
	assert_true(worst < 0.5);
	/* The dump waits for the stuck socket to drain: only what the kernel
	 * refused is queued.  Broadcasts then fill the queue to its message
	 * limit; those beyond are dropped and counted for that client. */
	assert_true(h_stats(&h).queued_bytes < p.queue_bytes);
	for (uint32_t i = 0; i < 600; i++) {
		t_add_gcm(&t, 0x90000 + i, "10.10.0.1", "10.10.0.2", 0);
		n = t_request(other, &t, rbuf, sizeof(rbuf));
		assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	}
	st = h_stats(&h);
	assert_true(st.broadcast_drops >= 1);
	/* Memory stays within the queue limit (and one message of slack). */
	assert_true(st.queue_bytes_peak <= p.queue_bytes + 4096);
	assert_true(st.queued_bytes <= p.queue_bytes + 4096);
	assert_true(st.queued_bytes > 0);
	(void)loader;
	/* Reading again, the stuck client gets the whole dump. */
	for (;;) {
		n = t_recv_type(stuck, SADB_DUMP, rbuf, sizeof(rbuf), 10000);
		assert_true(n >= 16);
		if (n == 16)
			break;
		count++;
	}
	assert_true(count >= DUMP_SAS);
	assert_true(count <= DUMP_SAS + 600);
	st = h_stats(&h);
	assert_true(st.queue_bytes_peak <= p.queue_bytes + 4096);
	close(stuck);
	close(other);
	close(loader);
	h_stop(&h);
}

/* A queue limit below one dump step's 256 messages: the step stops on the
 * full queue, its own flush then empties the queue and stops the write
 * watcher; the dump must still go on to its end marker (it once stopped
 * there for good, the client left BLOCKED and never read again). */
static void test_dump_small_queue(void **state)
{
	static const unsigned int limits[] = { 4, 16, 100 };

	(void)state;
	for (unsigned int k = 0; k < sizeof(limits) / sizeof(limits[0]); k++) {
		struct ctl_params p;
		struct h h;
		struct tmsg t;
		int loader, reader, n, count = 0;

		ctl_params_default(&p);
		p.queue_msgs = limits[k];
		assert_int_equal(h_start(&h, &p, 4096), 0);
		loader = h_connect(&h);
		load_sas(loader, 600);
		reader = h_connect(&h);
		tm_init(&t, SADB_DUMP, SADB_SATYPE_ESP, t_seq++, T_PID);
		assert_int_equal(pfk_client_send(reader, t.buf, t.len), 0);
		for (;;) {
			n = t_recv_type(reader, SADB_DUMP, rbuf, sizeof(rbuf), 5000);
			assert_true(n >= 16); /* a timeout here is the hang */
			if (n == 16)
				break;
			count++;
		}
		assert_int_equal(count, 600);
		/* And the client is read again afterwards. */
		t_sa_req(&t, SADB_GET, SADB_SATYPE_ESP, 0x100000u + 17, NULL, "10.10.0.2");
		n = t_request(reader, &t, rbuf, sizeof(rbuf));
		assert_true(n > 16);
		assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
		close(reader);
		close(loader);
		h_stop(&h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unprivileged),
		cmocka_unit_test(test_client_limit),
		cmocka_unit_test(test_emfile_backoff),
		cmocka_unit_test(test_stuck_dump),
		cmocka_unit_test(test_dump_small_queue),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
