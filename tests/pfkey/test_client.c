/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_client.c: pfk_client_* against a real SOCK_SEQPACKET server.
 *
 * Each test starts a server thread listening on a socket under a fresh
 * mkdtemp() directory.  The server plays a script: receive a message, send
 * a header (optionally echoing the received request's seq and pid), send an
 * oversized message, sleep, interrupt the client thread with a signal, or
 * close the connection.  The client under test runs in the cmocka thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dpsec/pfkey.h"

enum srv_op {
	SRV_END = 0,
	SRV_RECV,   /* receive one message into srv->req */
	SRV_SEND,   /* send a base header (+ zero padding up to len words) */
	SRV_REPLY,  /* like SEND, but seq and pid copied from srv->req */
	SRV_SLEEP,  /* ms */
	SRV_SIGNAL, /* pthread_kill(client, SIGUSR1) */
	SRV_CLOSE,  /* close the connection */
};

struct srv_step {
	enum srv_op op;
	uint8_t type;
	uint32_t seq, pid;
	uint16_t words; /* message length in 8-byte words, >= 2; 0 = 2 */
	int ms;
};

#define S_RECV { .op = SRV_RECV }
#define S_SEND(t, s, p, w) { .op = SRV_SEND, .type = (t), .seq = (s), .pid = (p), .words = (w) }
#define S_REPLY(t, w) { .op = SRV_REPLY, .type = (t), .words = (w) }
#define S_SLEEP(m) { .op = SRV_SLEEP, .ms = (m) }
#define S_SIGNAL { .op = SRV_SIGNAL }
#define S_CLOSE { .op = SRV_CLOSE }
#define S_END { .op = SRV_END }

struct server {
	char dir[64];
	char path[128];
	int lfd;
	pthread_t thread;
	pthread_t client;
	const struct srv_step *script;
	struct sadb_msg req; /* last message received */
	size_t req_len;
	int failures;        /* a step that failed on the server side */
};

static volatile sig_atomic_t signals_seen;

static void on_sigusr1(int sig)
{
	(void)sig;
	signals_seen++;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int srv_send(int fd, uint8_t type, uint32_t seq, uint32_t pid, uint16_t words)
{
	uint64_t buf[64];
	struct sadb_msg h = {
		.sadb_msg_version = PF_KEY_V2,
		.sadb_msg_type = type,
		.sadb_msg_satype = SADB_SATYPE_ESP,
		.sadb_msg_seq = seq,
		.sadb_msg_pid = pid,
	};

	if (words < 2)
		words = 2;
	if (words > 64)
		return -1;
	h.sadb_msg_len = words;
	memset(buf, 0, sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	return send(fd, buf, (size_t)words * 8, MSG_NOSIGNAL) == (ssize_t)words * 8 ? 0 : -1;
}

static void *server_main(void *p)
{
	struct server *s = p;
	const struct srv_step *st;
	int cfd = accept(s->lfd, NULL, NULL);

	if (cfd < 0) {
		s->failures++;
		return NULL;
	}
	for (st = s->script; st->op != SRV_END; st++) {
		switch (st->op) {
		case SRV_RECV: {
			uint64_t buf[64];
			ssize_t n = recv(cfd, buf, sizeof(buf), 0);

			if (n < (ssize_t)sizeof(s->req)) {
				s->failures++;
				break;
			}
			memcpy(&s->req, buf, sizeof(s->req));
			s->req_len = (size_t)n;
			break;
		}
		case SRV_SEND:
			if (srv_send(cfd, st->type, st->seq, st->pid, st->words) < 0)
				s->failures++;
			break;
		case SRV_REPLY:
			if (srv_send(cfd, st->type, s->req.sadb_msg_seq, s->req.sadb_msg_pid,
				     st->words) < 0)
				s->failures++;
			break;
		case SRV_SLEEP:
			sleep_ms(st->ms);
			break;
		case SRV_SIGNAL:
			pthread_kill(s->client, SIGUSR1);
			break;
		case SRV_CLOSE:
			close(cfd);
			cfd = -1;
			break;
		case SRV_END:
			break;
		}
		if (cfd < 0)
			break;
	}
	/* Hold the connection until the client is done, so that the end of
	 * the script is not mistaken for a peer close. */
	if (cfd >= 0) {
		char c;

		while (recv(cfd, &c, 1, 0) > 0)
			;
		close(cfd);
	}
	return NULL;
}

static struct server *server_start(const struct srv_step *script)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	assert_non_null(s);
	strcpy(s->dir, "/tmp/pfkcliXXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/pfkey.sock", s->dir);
	strcpy(sun.sun_path, s->path);
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	s->script = script;
	s->client = pthread_self();
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
	return s;
}

/* Shuts down the client's sending side (which ends the server's drain
 * loop once its script is done, while its sends still succeed), joins the
 * server, then closes the client. */
static void server_stop(struct server *s, int client_fd)
{
	if (client_fd >= 0)
		shutdown(client_fd, SHUT_WR);
	pthread_join(s->thread, NULL);
	if (client_fd >= 0)
		close(client_fd);
	close(s->lfd);
	unlink(s->path);
	rmdir(s->dir);
	assert_int_equal(s->failures, 0);
	free(s);
}

static int setup_signals(void **state)
{
	struct sigaction sa;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	sa.sa_flags = 0; /* no SA_RESTART: poll/recv must see EINTR */
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL);
}

static void build_req(uint64_t *buf, uint8_t type, uint32_t seq, uint32_t pid)
{
	struct sadb_msg h = {
		.sadb_msg_version = PF_KEY_V2,
		.sadb_msg_type = type,
		.sadb_msg_satype = SADB_SATYPE_ESP,
		.sadb_msg_len = 2,
		.sadb_msg_seq = seq,
		.sadb_msg_pid = pid,
	};

	memcpy(buf, &h, sizeof(h));
}

/* ---------------------------------------------------------------------- */

static void test_open_bad_paths(void **state)
{
	char dir[] = "/tmp/pfkcliXXXXXX";
	char path[256];
	char longpath[200];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/absent.sock", dir);
	assert_int_equal(pfk_client_open(path), -ENOENT);
	assert_int_equal(pfk_client_open(""), -EINVAL);

	/* sizeof(sun_path) is 108: 107 characters fit, 108 do not. */
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[sizeof(((struct sockaddr_un *)0)->sun_path)] = '\0';
	assert_int_equal(pfk_client_open(longpath), -ENAMETOOLONG);
	longpath[sizeof(((struct sockaddr_un *)0)->sun_path) - 1] = '\0';
	assert_int_equal(pfk_client_open(longpath), -ENOENT);

	/* NULL means the default path; unless a gateway runs here, it is
	 * missing or unreachable, never a path-length error. */
	if (access(PFK_DEFAULT_SOCKET, F_OK) != 0)
		assert_int_equal(pfk_client_open(NULL), -ENOENT);
	rmdir(dir);
}

static void test_open_properties(void **state)
{
	static const struct srv_step script[] = { S_END };
	struct server *s = server_start(script);
	int fd = pfk_client_open(s->path);
	int type = 0;
	socklen_t tl = sizeof(type);

	(void)state;
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl), 0);
	assert_int_equal(type, SOCK_SEQPACKET);
	server_stop(s, fd);
}

struct seen {
	unsigned n;
	struct { uint8_t type; uint32_t seq, pid; size_t len; } msg[16];
};

static void record_other(void *arg, const void *msg, size_t len)
{
	struct seen *sn = arg;
	struct sadb_msg h;

	assert_true(len >= sizeof(h));
	memcpy(&h, msg, sizeof(h));
	if (sn->n < 16) {
		sn->msg[sn->n].type = h.sadb_msg_type;
		sn->msg[sn->n].seq = h.sadb_msg_seq;
		sn->msg[sn->n].pid = h.sadb_msg_pid;
		sn->msg[sn->n].len = len;
	}
	sn->n++;
}

/* The reply is found among broadcasts and near-misses, which reach the
 * callback in arrival order. */
static void test_request_matches_reply(void **state)
{
	static const struct srv_step script[] = {
		S_RECV,
		S_SEND(SADB_ADD, 0, 0, 4),       /* broadcast */
		S_SEND(SADB_GET, 7, 999, 2),     /* other pid */
		S_SEND(SADB_GET, 8, 4242, 3),    /* other seq */
		S_SEND(SADB_DELETE, 7, 4242, 2), /* other type */
		S_REPLY(SADB_GET, 5),      /* the reply */
		S_SEND(SADB_FLUSH, 0, 0, 2),     /* after: not consumed */
		S_END,
	};
	static const struct { uint8_t type; uint32_t seq, pid; size_t len; } want[] = {
		{ SADB_ADD, 0, 0, 32 },
		{ SADB_GET, 7, 999, 16 },
		{ SADB_GET, 8, 4242, 24 },
		{ SADB_DELETE, 7, 4242, 16 },
	};
	struct server *s = server_start(script);
	uint64_t req[2], reply[16];
	struct sadb_msg rh;
	struct seen sn = { 0 };
	int fd = pfk_client_open(s->path);
	int n;

	(void)state;
	assert_true(fd >= 0);
	build_req(req, SADB_GET, 7, 4242);
	n = pfk_client_request(fd, req, sizeof(req), reply, sizeof(reply), 2000,
			       record_other, &sn);
	assert_int_equal(n, 40);
	memcpy(&rh, reply, sizeof(rh));
	assert_int_equal(rh.sadb_msg_type, SADB_GET);
	assert_int_equal(rh.sadb_msg_seq, 7);
	assert_int_equal(rh.sadb_msg_pid, 4242);
	assert_int_equal(rh.sadb_msg_len, 5);

	assert_int_equal(sn.n, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < sn.n; i++) {
		assert_int_equal(sn.msg[i].type, want[i].type);
		assert_int_equal(sn.msg[i].seq, want[i].seq);
		assert_int_equal(sn.msg[i].pid, want[i].pid);
		assert_int_equal(sn.msg[i].len, want[i].len);
	}
	/* The server saw exactly the request bytes. */
	assert_int_equal(s->req_len, sizeof(req));
	assert_int_equal(s->req.sadb_msg_seq, 7);

	/* The message after the reply is still queued. */
	n = pfk_client_recv(fd, reply, sizeof(reply), 1000);
	assert_int_equal(n, 16);
	memcpy(&rh, reply, sizeof(rh));
	assert_int_equal(rh.sadb_msg_type, SADB_FLUSH);
	server_stop(s, fd);
}

/* Without a callback, other messages are dropped and the reply found. */
static void test_request_drops_others(void **state)
{
	static const struct srv_step script[] = {
		S_RECV,
		S_SEND(SADB_EXPIRE, 0, 0, 2),
		S_REPLY(SADB_FLUSH, 2),
		S_END,
	};
	struct server *s = server_start(script);
	uint64_t req[2], reply[4];
	int fd = pfk_client_open(s->path);

	(void)state;
	assert_true(fd >= 0);
	build_req(req, SADB_FLUSH, 1, 77);
	assert_int_equal(pfk_client_request(fd, req, sizeof(req), reply, sizeof(reply), 2000,
					    NULL, NULL), 16);
	server_stop(s, fd);
}

/* The deadline covers the whole request: a steady stream of broadcasts
 * (one per 40 ms for 800 ms) must not extend it.  A deadline restarted per
 * message would end after 950 ms at the earliest. */
#define S_TICK S_SEND(SADB_ADD, 0, 0, 2), S_SLEEP(40)
static void test_request_timeout(void **state)
{
	static const struct srv_step script[] = {
		S_RECV,
		S_TICK, S_TICK, S_TICK, S_TICK, S_TICK, S_TICK, S_TICK, S_TICK, S_TICK, S_TICK,
		S_TICK, S_TICK, S_TICK, S_TICK, S_TICK, S_TICK, S_TICK, S_TICK, S_TICK, S_TICK,
		S_END,
	};
	struct server *s = server_start(script);
	uint64_t req[2], reply[4];
	struct seen sn = { 0 };
	int fd = pfk_client_open(s->path);
	int64_t t0, dt;

	(void)state;
	assert_true(fd >= 0);
	build_req(req, SADB_GET, 3, 55);
	t0 = now_ms();
	assert_int_equal(pfk_client_request(fd, req, sizeof(req), reply, sizeof(reply), 150,
					    record_other, &sn), -ETIMEDOUT);
	dt = now_ms() - t0;
	assert_true(dt >= 150);
	assert_true(dt < 700);
	assert_true(sn.n >= 2);
	server_stop(s, fd);
}

static void test_recv_timeout(void **state)
{
	static const struct srv_step script[] = { S_END };
	struct server *s = server_start(script);
	uint64_t buf[4];
	int fd = pfk_client_open(s->path);
	int64_t t0, dt;

	(void)state;
	assert_true(fd >= 0);
	t0 = now_ms();
	assert_int_equal(pfk_client_recv(fd, buf, sizeof(buf), 100), -ETIMEDOUT);
	dt = now_ms() - t0;
	assert_true(dt >= 100);
	assert_true(dt < 1000);
	/* Zero timeout polls once. */
	assert_int_equal(pfk_client_recv(fd, buf, sizeof(buf), 0), -ETIMEDOUT);
	server_stop(s, fd);
}

/* A message longer than the buffer is reported, and the next message is
 * still whole: the boundary is kept. */
static void test_recv_truncated(void **state)
{
	static const struct srv_step script[] = {
		S_SEND(SADB_DUMP, 1, 1, 8),
		S_SEND(SADB_DUMP, 2, 1, 2),
		S_SEND(SADB_DUMP, 3, 1, 3),
		S_END,
	};
	struct server *s = server_start(script);
	uint64_t buf[8];
	struct sadb_msg h;
	int fd = pfk_client_open(s->path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(pfk_client_recv(fd, buf, 16, 1000), -EMSGSIZE);
	assert_int_equal(pfk_client_recv(fd, buf, 16, 1000), 16);
	memcpy(&h, buf, sizeof(h));
	assert_int_equal(h.sadb_msg_seq, 2);
	/* Exactly the right size is not truncation. */
	assert_int_equal(pfk_client_recv(fd, buf, 24, 1000), 24);
	memcpy(&h, buf, sizeof(h));
	assert_int_equal(h.sadb_msg_seq, 3);
	server_stop(s, fd);
}

/* A reply too big for the caller's buffer is -EMSGSIZE; a truncated
 * broadcast is dropped rather than handed on in part. */
static void test_request_truncated(void **state)
{
	static const struct srv_step script[] = {
		S_RECV,
		S_SEND(SADB_ADD, 0, 0, 9),  /* too big: dropped */
		S_SEND(SADB_ADD, 0, 0, 2),  /* fits: callback */
		S_REPLY(SADB_GET, 9), /* too big: error */
		S_END,
	};
	struct server *s = server_start(script);
	uint64_t req[2], reply[8];
	struct seen sn = { 0 };
	int fd = pfk_client_open(s->path);

	(void)state;
	assert_true(fd >= 0);
	build_req(req, SADB_GET, 9, 9);
	assert_int_equal(pfk_client_request(fd, req, sizeof(req), reply, sizeof(reply), 2000,
					    record_other, &sn), -EMSGSIZE);
	assert_int_equal(sn.n, 1);
	assert_int_equal(sn.msg[0].len, 16);
	server_stop(s, fd);
}

static void test_peer_close(void **state)
{
	static const struct srv_step script[] = {
		S_SEND(SADB_EXPIRE, 0, 0, 2),
		S_CLOSE,
		S_END,
	};
	struct server *s = server_start(script);
	uint64_t buf[4];
	int fd = pfk_client_open(s->path);

	(void)state;
	assert_true(fd >= 0);
	/* Queued data first, then end of stream. */
	assert_int_equal(pfk_client_recv(fd, buf, sizeof(buf), 1000), 16);
	assert_int_equal(pfk_client_recv(fd, buf, sizeof(buf), 1000), 0);
	assert_int_equal(pfk_client_recv(fd, buf, sizeof(buf), 1000), 0);
	/* Sending to a closed peer is an error, not a SIGPIPE. */
	build_req(buf, SADB_FLUSH, 1, 1);
	assert_int_equal(pfk_client_send(fd, buf, 16), -EPIPE);
	server_stop(s, fd);
}

static void test_request_peer_close(void **state)
{
	static const struct srv_step script[] = {
		S_RECV,
		S_SEND(SADB_ADD, 0, 0, 2),
		S_CLOSE,
		S_END,
	};
	struct server *s = server_start(script);
	uint64_t req[2], reply[4];
	int fd = pfk_client_open(s->path);

	(void)state;
	assert_true(fd >= 0);
	build_req(req, SADB_GET, 1, 2);
	assert_int_equal(pfk_client_request(fd, req, sizeof(req), reply, sizeof(reply), 2000,
					    NULL, NULL), -ECONNRESET);
	server_stop(s, fd);
}

/* A signal during the wait neither ends it nor extends the deadline. */
static void test_recv_eintr(void **state)
{
	static const struct srv_step script_msg[] = {
		S_SLEEP(30), S_SIGNAL,
		S_SLEEP(30), S_SIGNAL,
		S_SLEEP(30),
		S_SEND(SADB_GET, 5, 5, 2),
		S_END,
	};
	static const struct srv_step script_quiet[] = {
		S_SLEEP(150), S_SIGNAL,
		S_SLEEP(130), S_SIGNAL,
		S_END,
	};
	struct server *s = server_start(script_msg);
	uint64_t buf[4];
	int fd = pfk_client_open(s->path);
	int64_t t0, dt;

	(void)state;
	assert_true(fd >= 0);
	signals_seen = 0;
	assert_int_equal(pfk_client_recv(fd, buf, sizeof(buf), 2000), 16);
	assert_int_equal(signals_seen, 2);
	server_stop(s, fd);

	s = server_start(script_quiet);
	fd = pfk_client_open(s->path);
	assert_true(fd >= 0);
	signals_seen = 0;
	t0 = now_ms();
	/* Restarting the timeout after a signal would end at 580 ms. */
	assert_int_equal(pfk_client_recv(fd, buf, sizeof(buf), 300), -ETIMEDOUT);
	dt = now_ms() - t0;
	assert_int_equal(signals_seen, 2);
	assert_true(dt >= 300);
	assert_true(dt < 540);
	server_stop(s, fd);
}

static void test_bad_arguments(void **state)
{
	uint64_t buf[4] = { 0 };

	(void)state;
	assert_int_equal(pfk_client_send(-1, NULL, 16), -EINVAL);
	assert_int_equal(pfk_client_send(-1, buf, 0), -EINVAL);
	assert_int_equal(pfk_client_send(-1, buf, 16), -EBADF);
	assert_int_equal(pfk_client_recv(-1, buf, sizeof(buf), 0), -EBADF);
	assert_int_equal(pfk_client_request(-1, buf, 8, buf, sizeof(buf), 0, NULL, NULL),
			 -EINVAL);
	assert_int_equal(pfk_client_request(-1, buf, 16, buf, 8, 0, NULL, NULL), -EINVAL);
	assert_int_equal(pfk_client_request(-1, buf, 16, buf, sizeof(buf), 0, NULL, NULL),
			 -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_bad_paths),
		cmocka_unit_test(test_open_properties),
		cmocka_unit_test(test_request_matches_reply),
		cmocka_unit_test(test_request_drops_others),
		cmocka_unit_test(test_request_timeout),
		cmocka_unit_test(test_recv_timeout),
		cmocka_unit_test(test_recv_truncated),
		cmocka_unit_test(test_request_truncated),
		cmocka_unit_test(test_peer_close),
		cmocka_unit_test(test_request_peer_close),
		cmocka_unit_test(test_recv_eintr),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, setup_signals, NULL);
}
