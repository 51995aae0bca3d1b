/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_lifetime: EXPIRE on soft and hard limits and idle periods, LARVAL
 * timeouts, and the standalone sequence lease.
 *
 * Covered: time lifetimes (soft/hard addtime, idle addtime) on the control
 * thread's timers; byte and packet lifetimes and lease events through the
 * dataplane's event ring (DP_EVENT_SOFT_BYTES, _HARD_PACKETS, _LEASE_LOW
 * raised as the owner worker raises them -- the packet path that crosses
 * the limits arrives with the gateway issue).  Use-time limits and idle
 * usetime need traffic (last_use) and are not covered here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "ctl_harness.h"
#include "ctl_test_util.h"
#include "dp_worker.h"

static struct h H;
static uint64_t rbuf[65536];

static int group_setup(void **state)
{
	struct ctl_params p;

	(void)state;
	if (h_eal_init("lifetime") != 0)
		return -1;
	ctl_params_default(&p);
	p.larval_timeout_s = 1;
	p.lease_size = 1000;
	return h_start(&H, &p, 4096);
}

static int group_teardown(void **state)
{
	(void)state;
	h_stop(&H);
	h_eal_fini();
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait for an EXPIRE of spi; returns its length.  Checks the shape. */
static int wait_expire(int fd, uint32_t spi, uint16_t which, int timeout_ms)
{
	struct pfk_msg m;
	uint16_t diag;
	int n;

	for (;;) {
		const struct sadb_sa *sa;

		n = t_recv_type(fd, SADB_EXPIRE, rbuf, sizeof(rbuf), timeout_ms);
		assert_true(n > 16);
		assert_int_equal(pfk_validate(rbuf, (size_t)n, PFK_DIR_REPLY, &m, &diag), 0);
		sa = tm_find(rbuf, (size_t)n, SADB_EXT_SA);
		if (ntohl(sa->sadb_sa_spi) != spi)
			continue;
		/* <base, SA, lifetime(C), exactly one of H/S/I, address(SD)>, no keys. */
		assert_non_null(tm_find(rbuf, (size_t)n, SADB_EXT_LIFETIME_CURRENT));
		assert_non_null(tm_find(rbuf, (size_t)n, which));
		assert_non_null(tm_find(rbuf, (size_t)n, SADB_EXT_ADDRESS_SRC));
		assert_non_null(tm_find(rbuf, (size_t)n, SADB_EXT_ADDRESS_DST));
		assert_null(tm_find(rbuf, (size_t)n, SADB_EXT_KEY_ENCRYPT));
		return n;
	}
}

static int get_sa(int fd, uint32_t spi, const char *dst)
{
	struct tmsg t;

	t_sa_req(&t, SADB_GET, SADB_SATYPE_ESP, spi, NULL, dst);
	return t_request(fd, &t, rbuf, sizeof(rbuf));
}

static void test_time_soft_hard(void **state)
{
	int fd = h_connect(&H), listener = h_connect(&H), n;
	struct tmsg t;
	double t0 = now_s();

	(void)state;
	t_add_gcm(&t, 0x100, "10.0.0.1", "10.0.0.2", 0);
	tm_lifetime(&t, SADB_EXT_LIFETIME_SOFT, 0, 0, 1, 0);
	tm_lifetime(&t, SADB_EXT_LIFETIME_HARD, 0, 0, 2, 0);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	/* Every socket hears the EXPIREs, not only the one that added. */
	wait_expire(listener, 0x100, SADB_EXT_LIFETIME_SOFT, 3000);
	assert_true(now_s() - t0 >= 0.9);
	n = get_sa(fd, 0x100, "10.0.0.2");
	assert_int_equal(((const struct sadb_sa *)tm_find(rbuf, (size_t)n, SADB_EXT_SA))
				 ->sadb_sa_state,
			 SADB_SASTATE_DYING);
	wait_expire(listener, 0x100, SADB_EXT_LIFETIME_HARD, 3000);
	assert_true(now_s() - t0 >= 1.9);
	/* Hard expiry removed it, from the SADB and the dataplane. */
	n = get_sa(fd, 0x100, "10.0.0.2");
	assert_int_equal(n, 16);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, ESRCH);
	assert_int_equal(h_stats(&H).sas, 0);
	close(fd);
	close(listener);
}

static void test_idle(void **state)
{
	int fd = h_connect(&H), n;
	struct tmsg t;

	(void)state;
	t_add_gcm(&t, 0x200, "10.0.0.1", "10.0.0.2", 0);
	tm_lifetime(&t, SADB_X_EXT_LIFETIME_IDLE, 0, 0, 1, 1);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	n = wait_expire(fd, 0x200, SADB_X_EXT_LIFETIME_IDLE, 3000);
	assert_true(n > 0);
	/* Once per idle period: no second EXPIRE while it stays idle, and the
	 * SA stays (the key manager decides). */
	assert_true(t_quiet(fd, 1500));
	n = get_sa(fd, 0x200, "10.0.0.2");
	assert_true(n > 16);
	close(fd);
}

static void test_larval_timeout(void **state)
{
	int fd = h_connect(&H), n;
	struct tmsg t;
	uint32_t spi;

	(void)state;
	tm_init(&t, SADB_GETSPI, SADB_SATYPE_ESP, t_seq++, T_PID);
	tm_addr4(&t, SADB_EXT_ADDRESS_SRC, "10.0.0.1", 0, 0);
	tm_addr4(&t, SADB_EXT_ADDRESS_DST, "10.0.0.3", 0, 0);
	tm_range(&t, 0x300, 0x3ff);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(n, 80);
	spi = ntohl(((const struct sadb_sa *)tm_find(rbuf, (size_t)n, SADB_EXT_SA))->sadb_sa_spi);
	assert_int_equal(h_stats(&H).larval, 1);
	usleep(1600 * 1000);
	n = get_sa(fd, spi, "10.0.0.3");
	assert_int_equal(n, 16);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, ESRCH);
	assert_int_equal(h_stats(&H).larval, 0);
	close(fd);
}

struct ev_arg {
	uint32_t spi;
	const char *dst;
	uint16_t type;
	uint64_t value;
	dp_sa_handle_t handle;
	int rc;
};

/* On the loop thread (CONTROL): the SA's dataplane handle. */
static void find_handle(struct h *h, void *arg)
{
	struct ev_arg *a = arg;
	struct dp_addr dst;

	memset(&dst, 0, sizeof(dst));
	dst.family = AF_INET;
	inet_pton(AF_INET, a->dst, dst.bytes);
	a->rc = dp_sa_find(h->dp, htonl(a->spi), SADB_SATYPE_ESP, &dst, &a->handle);
}

/* The event as the SA's owner worker raises it (the harness's worker). */
static void post_sa_event(struct h *h, void *arg)
{
	struct ev_arg *a = arg;
	struct dp_event ev;

	h_call(h, find_handle, a);
	if (a->rc != 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = a->type;
	ev.value = a->value;
	ev.sa = a->handle;
	a->rc = h_post(h, &ev);
}

static void test_bytes_packets_events(void **state)
{
	int fd = h_connect(&H), n;
	struct ev_arg a = { .spi = 0x400, .dst = "10.0.0.2" };
	struct tmsg t;

	(void)state;
	t_add_gcm(&t, 0x400, "10.0.0.1", "10.0.0.2", 0);
	tm_lifetime(&t, SADB_EXT_LIFETIME_SOFT, 100, 1000, 0, 0);
	tm_lifetime(&t, SADB_EXT_LIFETIME_HARD, 200, 2000, 0, 0);
	n = t_request(fd, &t, rbuf, sizeof(rbuf));
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	a.type = DP_EVENT_SOFT_BYTES;
	a.value = 1000;
	post_sa_event(&H, &a);
	assert_int_equal(a.rc, 0);
	n = wait_expire(fd, 0x400, SADB_EXT_LIFETIME_SOFT, 3000);
	assert_int_equal(((const struct sadb_lifetime *)tm_find(rbuf, (size_t)n,
								SADB_EXT_LIFETIME_SOFT))
				 ->sadb_lifetime_bytes,
			 1000);
	/* A second soft event (packets) says nothing new. */
	a.type = DP_EVENT_SOFT_PACKETS;
	post_sa_event(&H, &a);
	assert_true(t_quiet(fd, 300));
	a.type = DP_EVENT_HARD_PACKETS;
	a.value = 200;
	post_sa_event(&H, &a);
	wait_expire(fd, 0x400, SADB_EXT_LIFETIME_HARD, 3000);
	n = get_sa(fd, 0x400, "10.0.0.2");
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, ESRCH);
	(void)n;
	close(fd);
}

static uint64_t lease_of(int fd, uint32_t spi, const char *dst)
{
	int n = get_sa(fd, spi, dst);
	const struct sadb_x_dpsec_seq_lease *l;

	assert_true(n > 16);
	l = tm_find(rbuf, (size_t)n, SADB_X_EXT_DPSEC_SEQ_LEASE);
	assert_non_null(l);
	return l->sadb_x_sl_limit;
}

static void test_lease(void **state)
{
	int fd = h_connect(&H);
	struct ev_arg a = { .spi = 0x500, .dst = "10.0.0.2", .type = DP_EVENT_LEASE_LOW };
	struct tmsg t;

	(void)state;
	/* Standalone: the gateway sets and extends the lease (size 1000 here). */
	t_add_gcm(&t, 0x500, "10.0.0.1", "10.0.0.2", SADB_X_SAFLAGS_OUTBOUND);
	tm_replay_value(&t, 100);
	assert_true(t_request(fd, &t, rbuf, sizeof(rbuf)) >= 16);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	assert_int_equal(lease_of(fd, 0x500, "10.0.0.2"), 1100);
	a.value = 600; /* half the lease used */
	post_sa_event(&H, &a);
	for (int i = 0; i < 100 && h_stats(&H).lease_extensions == 0; i++)
		usleep(10000);
	assert_int_equal(lease_of(fd, 0x500, "10.0.0.2"), 1600);
	/* A client that sets the lease manages it: events change nothing. */
	t_add_gcm(&t, 0x501, "10.0.0.1", "10.0.0.2", SADB_X_SAFLAGS_OUTBOUND);
	tm_seq_lease(&t, 5000);
	assert_true(t_request(fd, &t, rbuf, sizeof(rbuf)) >= 16);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	a.spi = 0x501;
	a.value = 2500;
	post_sa_event(&H, &a);
	usleep(100000);
	assert_int_equal(lease_of(fd, 0x501, "10.0.0.2"), 5000);
	/* The agent extends it with UPDATE. */
	t_sa_req(&t, SADB_UPDATE, SADB_SATYPE_ESP, 0x501, "10.0.0.1", "10.0.0.2");
	tm_seq_lease(&t, 9000);
	assert_true(t_request(fd, &t, rbuf, sizeof(rbuf)) >= 16);
	assert_int_equal(t_hdr(rbuf)->sadb_msg_errno, 0);
	assert_int_equal(lease_of(fd, 0x501, "10.0.0.2"), 9000);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_soft_hard),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_larval_timeout),
		cmocka_unit_test(test_bytes_packets_events),
		cmocka_unit_test(test_lease),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
