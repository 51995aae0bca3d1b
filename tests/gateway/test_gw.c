/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_gw: the gateway object (dp_gw: ports, start, worker loop) on
 * net_null devices.
 *   - dp_gw_create and dp_gw_port_add refuse bad arguments with the errno
 *     the contract names (table), and change nothing;
 *   - good ports get the numbers 0, 1 in order and the MAC asked for;
 *   - after dp_gw_start no port can be added and a second start fails;
 *   - a worker running the loop on a net_null port (which receives
 *     zero-filled frames: destination MAC 00:..:00, not ours) counts them
 *     received and dropped, sends nothing, and stops when told.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include <cmocka.h>

#include "dp_test_eal.h"
#include "dpsec/dp.h"

static struct dp_ctx *ctx;
static struct dp_net *net;
static struct dp_spd *spd;

static const struct dp_gw_config gw_cfg = {
	.sleep_min_us = 10, .sleep_max_us = 100, .name = "tgw",
};

static char memif_sock[96];

static int setup(void **state)
{
	struct dp_config dc;
	struct dp_net_config nc;

	char prefix[64], memif[160], argv0[] = "test_gw";
	char *argv[] = { argv0, "--no-huge", "-m", "512", "--no-pci", "--file-prefix", prefix,
		"--log-level=error", "--no-telemetry", "--vdev", "net_null0", "--vdev",
		"net_null1", "--vdev", "net_null2", "--vdev", "net_null3", "--vdev", memif, NULL };
	const char *dir;

	(void)state;
	/* dp_test_eal_init() with three net_null ports (librte_bus_vdev is not
	 * linked in, so they are created by EAL's --vdev).  dp_gw_free() closes
	 * its ports: each test uses its own. */
	snprintf(prefix, sizeof(prefix), "dpsec-test-gw-%ld", (long)getpid());
	/* A memif server: no RSS, queues its client brings (none here). */
	snprintf(memif_sock, sizeof(memif_sock), "/tmp/dpsec-test-gw-%ld.sock", (long)getpid());
	snprintf(memif, sizeof(memif), "net_memif0,role=server,socket=%s", memif_sock);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	dir = rte_eal_get_runtime_dir();
	snprintf(dp_test_runtime_dir, sizeof(dp_test_runtime_dir), "%s", dir != NULL ? dir : "");
	dp_config_default(&dc);
	dc.max_sas = 64;
	dc.name = "tgw";
	ctx = dp_create(&dc);
	dp_net_config_default(&nc);
	nc.name = "tgw";
	net = ctx != NULL ? dp_net_create(ctx, &nc) : NULL;
	spd = ctx != NULL ? dp_spd_create(ctx, NULL) : NULL;
	return ctx != NULL && net != NULL && spd != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	dp_spd_free(spd);
	dp_net_destroy(net);
	dp_destroy(ctx);
	dp_test_eal_fini();
	unlink(memif_sock);
	return 0;
}

static void test_create_refused(void **state)
{
	struct dp_gw_config c = gw_cfg;

	(void)state;
	errno = 0;
	assert_null(dp_gw_create(NULL, net, spd, &gw_cfg));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(dp_gw_create(ctx, net, NULL, &gw_cfg));
	assert_int_equal(errno, EINVAL);
	c.name = "a-name-too-long";
	errno = 0;
	assert_null(dp_gw_create(ctx, net, spd, &c));
	assert_int_equal(errno, EINVAL);
	c = gw_cfg;
	c.sleep_min_us = 200; /* above sleep_max_us */
	errno = 0;
	assert_null(dp_gw_create(ctx, net, spd, &c));
	assert_int_equal(errno, EINVAL);
}

struct bad_port {
	const char *what;
	struct dp_port_params p;
	int err;
};

static const struct dp_prefix addr4 = {
	.addr = { .family = 2 /* AF_INET */, .bytes = { 192, 0, 2, 1 } }, .length = 24,
};

static void test_port_add(void **state)
{
	static const struct bad_port bad[] = {
		{ "no device name", { .role = DP_PORT_PROTECTED, .mtu = 1500 }, -EINVAL },
		{ "no role", { .devname = "net_null0", .mtu = 1500 }, -EINVAL },
		{ "unknown role", { .devname = "net_null0", .role = 3, .mtu = 1500 }, -EINVAL },
		{ "no such ethdev", { .devname = "net_nothing9", .role = DP_PORT_PROTECTED,
			.mtu = 1500 }, -ENODEV },
		{ "TAP on a protected port", { .devname = "net_null0", .role = DP_PORT_PROTECTED,
			.tap_devname = "net_null1", .mtu = 1500 }, -EINVAL },
		{ "no such TAP", { .devname = "net_null0", .role = DP_PORT_UNPROTECTED,
			.tap_devname = "net_tap_nothing", .mtu = 1500 }, -ENODEV },
	};
	struct dp_port_params good = {
		.devname = "net_null0", .role = DP_PORT_PROTECTED, .has_mac = true,
		.mac = { 2, 0, 0, 0, 0, 1 }, .mtu = 1500, .rx_queues = 1,
		.addrs = &addr4, .n_addrs = 1,
	};
	uint8_t mac[6];
	struct dp_gw *gw;

	(void)state;
	gw = dp_gw_create(ctx, net, spd, &gw_cfg);
	assert_non_null(gw);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = dp_gw_port_add(gw, &bad[i].p);

		if (r != bad[i].err)
			fail_msg("%s: got %d, want %d", bad[i].what, r, bad[i].err);
	}
	/* Nothing was added: the first good port is number 0. */
	assert_int_equal(dp_gw_port_add(gw, &good), 0);
	assert_int_equal(dp_gw_port_mac(gw, 0, mac), 0);
	assert_memory_equal(mac, good.mac, 6);
	good.devname = "net_null1";
	good.role = DP_PORT_UNPROTECTED;
	good.addrs = NULL;
	good.n_addrs = 0;
	good.mac[5] = 2;
	assert_int_equal(dp_gw_port_add(gw, &good), 1);
	assert_int_equal(dp_gw_port_mac(gw, 2, mac), -EINVAL);
	assert_int_equal(dp_gw_start(gw), 0);
	assert_int_equal(dp_gw_start(gw), -EINVAL);
	assert_int_equal(dp_gw_port_add(gw, &good), -EINVAL);
	dp_gw_free(gw);
}

/* rx_queues: kept where the device spreads packets (RSS), cut to one on a
 * device without RSS whose queues are not sources of their own (a memif
 * server), and readable for dpsecd to say so. */
static void test_port_rx_queues(void **state)
{
	struct dp_port_params p = {
		.devname = "net_null3", .role = DP_PORT_UNPROTECTED, .mtu = 1500, .rx_queues = 2,
	};
	struct dp_gw *gw;

	(void)state;
	gw = dp_gw_create(ctx, net, spd, &gw_cfg);
	assert_non_null(gw);
	assert_int_equal(dp_gw_port_rx_queues(gw, 0), -EINVAL);
	assert_int_equal(dp_gw_port_add(gw, &p), 0);
	assert_int_equal(dp_gw_port_rx_queues(gw, 0), 2);
	p.devname = "net_memif0";
	assert_int_equal(dp_gw_port_add(gw, &p), 1);
	assert_int_equal(dp_gw_port_rx_queues(gw, 1), 1);
	assert_int_equal(dp_gw_port_rx_queues(gw, 2), -EINVAL);
	assert_int_equal(dp_gw_port_rx_queues(NULL, 0), -EINVAL);
	dp_gw_free(gw);
}

struct run {
	struct dp_gw *gw;
	volatile int stop;
	int result;
};

static void *worker(void *arg)
{
	struct run *r = arg;

	r->result = dp_gw_worker_run(r->gw, 0, &r->stop);
	return NULL;
}

static void test_loop(void **state)
{
	struct dp_port_params p = {
		.devname = "net_null2", .role = DP_PORT_UNPROTECTED, .has_mac = true,
		.mac = { 2, 0, 0, 0, 0, 9 }, .mtu = 1500, .addrs = &addr4, .n_addrs = 1,
	};
	uint64_t c[DP_GW_C_COUNT];
	struct timespec ts = { .tv_nsec = 200 * 1000 * 1000 };
	struct run r = { .result = 1 };
	pthread_t t;

	(void)state;
	r.gw = dp_gw_create(ctx, net, spd, &gw_cfg);
	assert_non_null(r.gw);
	/* Not started: the loop refuses to run. */
	assert_int_equal(dp_gw_worker_run(r.gw, 0, &r.stop), -EINVAL);
	assert_int_equal(dp_gw_port_add(r.gw, &p), 0);
	assert_int_equal(dp_gw_start(r.gw), 0);
	assert_int_equal(pthread_create(&t, NULL, worker, &r), 0);
	nanosleep(&ts, NULL);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(r.result, 0);
	dp_gw_get_counters(r.gw, c);
	assert_true(c[DP_GW_C_RX] > 0);
	/* Zero-filled frames are for MAC 00:00:00:00:00:00, not ours. */
	assert_int_equal(c[DP_GW_C_DROP], c[DP_GW_C_RX]);
	assert_int_equal(c[DP_GW_C_TX], 0);
	assert_true(dp_gw_idle_ms(r.gw) < 10000);
	assert_string_equal(dp_gw_counter_name(DP_GW_C_RX), "rx");
	assert_null(dp_gw_counter_name(DP_GW_C_COUNT));
	dp_gw_free(r.gw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_refused),
		cmocka_unit_test(test_port_add),
		cmocka_unit_test(test_port_rx_queues),
		cmocka_unit_test(test_loop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
