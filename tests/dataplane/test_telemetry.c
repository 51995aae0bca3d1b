/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_telemetry: the /dpsec/ DPDK telemetry commands (dp_telemetry.h).
 *
 * EAL runs with telemetry on (--no-huge -m 512 --no-pci, own file prefix,
 * a net_null port for /dpsec/ports).
 * The handlers are called directly for their error contract, and every
 * command's data is checked through the telemetry socket,
 * <runtime dir>/dpdk_telemetry.v2, spoken to as dpdk-telemetry.py does
 * (SOCK_SEQPACKET; a greeting, then one JSON reply per command).  A last
 * case queries SAs over the socket while CONTROL adds, deletes and
 * reclaims them (the telemetry thread is an RCU reader; ASan watches).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_rcu_qsbr.h>

#include "dpsec/dp.h"
#include "dp_ctx_priv.h"
#include "dp_port.h"
#include "dp_sadb.h"
#include "dp_telemetry.h"
#include "dp_test_eal.h"

#define REPLY_MAX 16384

static struct dp_ctx *ctx;
static int sock = -1;

/* dp_test_eal_init() turns telemetry off; this is the same with it on. */
static int eal_init_with_telemetry(void)
{
	char prefix[64], argv0[32] = "dpsec-test";
	char *argv[] = { argv0, "--no-huge", "-m", "512", "--no-pci", "--file-prefix", prefix,
		"--log-level=error", "--vdev=net_null0", NULL };
	const char *dir;

	snprintf(prefix, sizeof(prefix), "dpsec-test-telemetry-%ld", (long)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	dir = rte_eal_get_runtime_dir();
	snprintf(dp_test_runtime_dir, sizeof(dp_test_runtime_dir), "%s", dir != NULL ? dir : "");
	return 0;
}

/* Connect as dpdk-telemetry.py does and read its greeting; -1 on error. */
static int tel_connect(char *greeting, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd;

	if (strlen(dp_test_runtime_dir) + sizeof("/dpdk_telemetry.v2") > sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, dp_test_runtime_dir, strlen(dp_test_runtime_dir));
	strcat(sun.sun_path, "/dpdk_telemetry.v2");
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	n = recv(fd, greeting, len - 1, 0);
	if (n <= 0) {
		close(fd);
		return -1;
	}
	greeting[n] = '\0';
	return fd;
}

/* Send one command, return the reply (static buffer, NUL-terminated). */
static const char *tel_query(const char *cmd)
{
	static char reply[REPLY_MAX + 1];
	ssize_t n;

	assert_true(send(sock, cmd, strlen(cmd), 0) == (ssize_t)strlen(cmd));
	n = recv(sock, reply, REPLY_MAX, 0);
	assert_true(n > 0);
	reply[n] = '\0';
	if (getenv("DPSEC_TEST_TELEMETRY_SHOW") != NULL)
		print_message("%s -> %s\n", cmd, reply);
	return reply;
}

/* The unsigned number after "key": at or after `from`; fails the test
 * when the key is absent. */
static uint64_t json_u64(const char *from, const char *key)
{
	char pat[96];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(from, pat);
	if (p == NULL)
		fail_msg("no %s in %s", pat, from);
	return strtoull(p + strlen(pat), NULL, 10);
}

/* Does "key":"value" occur at or after from? */
static bool json_has_str(const char *from, const char *key, const char *value)
{
	char pat[160];

	snprintf(pat, sizeof(pat), "\"%s\":\"%s\"", key, value);
	return strstr(from, pat) != NULL;
}

static const char *json_at(const char *from, const char *key)
{
	char pat[96];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(from, pat);
	if (p == NULL)
		fail_msg("no %s in %s", pat, from);
	return p;
}

static void v4(struct dp_addr *a, uint32_t host_order)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->bytes[0] = (uint8_t)(host_order >> 24);
	a->bytes[1] = (uint8_t)(host_order >> 16);
	a->bytes[2] = (uint8_t)(host_order >> 8);
	a->bytes[3] = (uint8_t)host_order;
}

static dp_sa_handle_t sa_add(uint32_t spi, uint32_t dst, uint8_t dir)
{
	struct dp_sa_params p;
	dp_sa_handle_t h;

	memset(&p, 0, sizeof(p));
	p.spi = htonl(spi);
	p.satype = SADB_SATYPE_ESP;
	p.dir = dir;
	p.mode = DP_MODE_TUNNEL;
	p.state = SADB_SASTATE_MATURE;
	v4(&p.src, 0xc0000201);
	v4(&p.dst, dst);
	p.encr_alg = SADB_EALG_AES_GCM_16;
	p.encr_key_len = 16;
	memset(p.encr_key, 0xa5, 16);
	p.salt_len = 4;
	p.replay_window = dir == DP_DIR_IN ? 64 : 0;
	assert_int_equal(dp_sa_add(ctx, &p, &h), 0);
	return h;
}

static void delete_all(void)
{
	struct dp_sa *sa;
	uint32_t slot = 0;

	while ((sa = dp_sadb_next(ctx->sadb, &slot)) != NULL)
		assert_int_equal(dp_sa_delete(ctx, sa->handle), 0);
	(void)dp_reclaim(ctx);
}

static int setup(void **state)
{
	struct dp_config cfg;
	char greeting[1024];

	(void)state;
	dp_config_default(&cfg);
	cfg.max_sas = 4096;
	cfg.workers = 2;
	cfg.name = "tel";
	ctx = dp_create(&cfg);
	if (ctx == NULL)
		return -1;
	sock = tel_connect(greeting, sizeof(greeting));
	if (sock < 0 || strstr(greeting, "\"max_output_len\"") == NULL)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (sock >= 0)
		close(sock);
	dp_destroy(ctx);
	return 0;
}

/* ------------------------------------------------------------------------ */

static void test_command_table(void **state)
{
	static const char *const expected[] = {
		"/dpsec/info", "/dpsec/sa/list", "/dpsec/sa/stats", "/dpsec/workers",
		"/dpsec/drops", "/dpsec/crypto", "/dpsec/policies", "/dpsec/net", "/dpsec/ports",
	};

	(void)state;
	assert_int_equal(dp_telemetry_command_count(), sizeof(expected) / sizeof(expected[0]));
	for (unsigned int i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		assert_string_equal(dp_telemetry_command_name(i), expected[i]);
		assert_non_null(dp_telemetry_handler(expected[i]));
	}
	assert_null(dp_telemetry_command_name(dp_telemetry_command_count()));
	assert_null(dp_telemetry_handler("/dpsec/nope"));
	assert_null(dp_telemetry_handler(NULL));
}

static void test_parse_sa_key(void **state)
{
	static const struct {
		const char *in;
		int ret;
		uint64_t value;
		bool handle;
	} cases[] = {
		{ "4096", 0, 4096, false },
		{ "0x1000", 0, 0x1000, false },
		{ "4294967295", 0, UINT32_MAX, false },
		{ "4294967296", 0, 1ull << 32, true },
		{ "0x200000005", 0, 0x200000005ull, true },
		{ "", -EINVAL, 0, false },
		{ "abc", -EINVAL, 0, false },
		{ "-1", -EINVAL, 0, false },
		{ "12 ", -EINVAL, 0, false },
		{ " 12", -EINVAL, 0, false },
		{ "99999999999999999999999", -EINVAL, 0, false },
	};

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;
		bool h = false;

		assert_int_equal(dp_telemetry_parse_sa_key(cases[i].in, &v, &h), cases[i].ret);
		if (cases[i].ret == 0) {
			assert_int_equal(v, cases[i].value);
			assert_int_equal(h, cases[i].handle);
		}
	}
	assert_int_equal(dp_telemetry_parse_sa_key(NULL, &(uint64_t){ 0 }, &(bool){ 0 }),
		-EINVAL);
}

/* Disabled (the state before enable and after disable): handlers say
 * -ENODEV, the socket says null; enabling twice and another context. */
static void test_enable_disable(void **state)
{
	dp_telemetry_cb cb = dp_telemetry_handler("/dpsec/info");
	struct dp_config cfg;
	struct dp_ctx *other;
	uint64_t token;

	(void)state;
	dp_telemetry_disable(ctx);
	assert_int_equal(cb("/dpsec/info", "", NULL), -ENODEV);
	assert_int_equal(dp_telemetry_enable(NULL, NULL), -EINVAL);
	assert_int_equal(dp_telemetry_enable(ctx, NULL), 0);
	assert_int_equal(dp_telemetry_enable(ctx, NULL), 0); /* again: same ctx */
	dp_config_default(&cfg);
	cfg.max_sas = 64;
	cfg.name = "tel2";
	other = dp_create(&cfg);
	assert_non_null(other);
	assert_int_equal(dp_telemetry_enable(other, NULL), -EBUSY);
	dp_telemetry_disable(other); /* not the enabled one: no-op */
	assert_non_null(strstr(tel_query("/dpsec/info"), "\"workers\":2"));
	dp_destroy(other);

	dp_telemetry_disable(ctx);
	assert_string_equal(tel_query("/dpsec/info"), "{\"/dpsec/info\":null}");
	assert_int_equal(dp_telemetry_enable(ctx, NULL), 0);
	/* Registered but offline between commands: a grace period does not
	 * wait for the telemetry thread (this would hang otherwise). */
	rte_rcu_qsbr_synchronize(ctx->qsbr, RTE_QSBR_THRID_INVALID);
	/* Online (as during a command), its id holds a grace period back. */
	rte_rcu_qsbr_thread_online(ctx->qsbr, DP_CTX_RCU_TELEMETRY(ctx));
	token = rte_rcu_qsbr_start(ctx->qsbr);
	assert_int_equal(rte_rcu_qsbr_check(ctx->qsbr, token, false), 0);
	rte_rcu_qsbr_thread_offline(ctx->qsbr, DP_CTX_RCU_TELEMETRY(ctx));
	assert_int_equal(rte_rcu_qsbr_check(ctx->qsbr, token, false), 1);
	/* Bad parameters: null replies, the handler's -EINVAL. */
	assert_int_equal(dp_telemetry_handler("/dpsec/sa/stats")("/dpsec/sa/stats", "x",
		NULL), -EINVAL);
	assert_string_equal(tel_query("/dpsec/sa/stats,zz"), "{\"/dpsec/sa/stats\":null}");
	assert_string_equal(tel_query("/dpsec/sa/list,-3"), "{\"/dpsec/sa/list\":null}");
	assert_string_equal(tel_query("/dpsec/workers,2"), "{\"/dpsec/workers\":null}");
	assert_string_equal(tel_query("/dpsec/sa/stats,0x77"), "{\"/dpsec/sa/stats\":null}");
}

static void test_info(void **state)
{
	struct dp_spd *spd = dp_spd_create(ctx, NULL);
	struct dp_telemetry_sources src = { .spd = spd };
	struct dp_policy rules[2];
	const char *r;

	(void)state;
	assert_non_null(spd);
	for (unsigned int i = 0; i < 2; i++) {
		dp_policy_init(&rules[i]);
		rules[i].index = i + 1;
		rules[i].priority = 10 * (i + 1);
		rules[i].dir = i == 0 ? DP_POLICY_DIR_OUT : DP_POLICY_DIR_IN;
		rules[i].action = i == 0 ? DP_POLICY_BYPASS : DP_POLICY_DISCARD;
	}
	assert_int_equal(dp_spd_publish(spd, rules, 2, NULL), 0);
	(void)sa_add(0x1001, 0x0a000001, DP_DIR_IN);
	(void)sa_add(0x1002, 0x0a000002, DP_DIR_OUT);
	(void)sa_add(0x1003, 0x0a000003, DP_DIR_IN);
	assert_int_equal(dp_telemetry_enable(ctx, &src), 0);

	r = tel_query("/dpsec/info");
	assert_non_null(strstr(r, "{\"/dpsec/info\":{"));
	assert_true(json_has_str(r, "version", "0.1.0"));
	assert_true(json_has_str(r, "name", "tel"));
	assert_true(json_has_str(r, "engine", "ipsec_mb"));
	assert_int_equal(json_u64(r, "workers"), 2);
	assert_int_equal(json_u64(r, "workers_running"), 0);
	assert_int_equal(json_u64(r, "sa_count"), 3);
	assert_int_equal(json_u64(r, "sa_max"), 4096);
	assert_int_equal(json_u64(r, "policy_count"), 2);

	r = tel_query("/dpsec/policies");
	assert_int_equal(json_u64(r, "rules"), 2);
	assert_true(json_u64(r, "generation") >= 1);
	assert_true(json_has_str(json_at(r, "1"), "action", "bypass"));
	assert_true(json_has_str(json_at(r, "2"), "action", "discard"));
	assert_true(json_has_str(json_at(r, "2"), "dir", "in"));
	assert_int_equal(json_u64(json_at(r, "2"), "priority"), 20);

	/* Without an SPD: no policy count, a plain "none". */
	assert_int_equal(dp_telemetry_enable(ctx, NULL), 0);
	r = tel_query("/dpsec/info");
	assert_null(strstr(r, "policy_count"));
	assert_true(json_has_str(tel_query("/dpsec/policies"), "spd", "none"));
	assert_true(json_has_str(tel_query("/dpsec/net"), "net", "none"));
	assert_true(json_has_str(tel_query("/dpsec/ports"), "ports", "none"));
	dp_spd_free(spd);
	delete_all();
}

static void test_sa_list_pages(void **state)
{
	enum { N = 200 };
	dp_sa_handle_t h[N];
	char cmd[64], key[40];
	const char *r;
	uint64_t next;
	unsigned int seen = 0;

	(void)state;
	assert_int_equal(dp_telemetry_enable(ctx, NULL), 0);
	for (unsigned int i = 0; i < N; i++)
		h[i] = sa_add(0x2000 + i, 0x0a000100 + i, i % 2 ? DP_DIR_OUT : DP_DIR_IN);
	r = tel_query("/dpsec/sa/list");
	assert_int_equal(json_u64(r, "sa_count"), N);
	next = json_u64(r, "next");
	for (unsigned int i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "\"%" PRIu64 "\":\"spi 0x%08x esp %s\"", h[i],
			0x2000 + i, i % 2 ? "out" : "in");
		seen += strstr(r, key) != NULL;
	}
	assert_int_equal(seen, 128);
	snprintf(cmd, sizeof(cmd), "/dpsec/sa/list,%" PRIu64, next);
	r = tel_query(cmd);
	assert_null(strstr(r, "\"next\""));
	for (unsigned int i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "\"%" PRIu64 "\":", h[i]);
		seen += strstr(r, key) != NULL;
	}
	assert_int_equal(seen, N);
	delete_all();
	r = tel_query("/dpsec/sa/list");
	assert_int_equal(json_u64(r, "sa_count"), 0);
	assert_non_null(strstr(r, "\"sas\":{}"));
}

static void test_sa_stats(void **state)
{
	dp_sa_handle_t in, out, twin;
	struct dp_sa *sa;
	char cmd[64];
	const char *r;

	(void)state;
	assert_int_equal(dp_telemetry_enable(ctx, NULL), 0);
	in = sa_add(0x3001, 0x0a000001, DP_DIR_IN);
	out = sa_add(0x3002, 0x0a000002, DP_DIR_OUT);
	assert_int_equal(dp_sa_set_lease(ctx, out, 5000), 0);
	assert_int_equal(dp_sa_set_state(ctx, in, SADB_X_SASTATE_IDLE), 0);
	/* Counters as the owner would leave them. */
	sa = dp_sadb_get(ctx->sadb, in);
	sa->counters.packets = 7;
	sa->counters.bytes = 700;
	sa->counters.drops[DP_DROP_AUTH_FAILED] = 3;
	sa->counters.drops[DP_DROP_REPLAY_DUPLICATE] = 2;
	sa->rt.in->last = 41;

	r = tel_query("/dpsec/sa/stats,0x3001");
	assert_non_null(strstr(r, "{\"/dpsec/sa/stats\":{"));
	assert_int_equal(json_u64(r, "handle"), in);
	assert_int_equal(json_u64(r, "spi"), 0x3001);
	assert_true(json_has_str(r, "spi_hex", "0x00003001"));
	assert_true(json_has_str(r, "dir", "in"));
	assert_true(json_has_str(r, "proto", "esp"));
	assert_true(json_has_str(r, "mode", "tunnel"));
	assert_true(json_has_str(r, "state", "idle"));
	assert_true(json_has_str(r, "src", "192.0.2.1"));
	assert_true(json_has_str(r, "dst", "10.0.0.1"));
	assert_int_equal(json_u64(r, "owner"), 0);
	assert_int_equal(json_u64(r, "packets"), 7);
	assert_int_equal(json_u64(r, "bytes"), 700);
	assert_int_equal(json_u64(r, "drops_total"), 5);
	assert_int_equal(json_u64(r, "auth_failed"), 3);
	assert_int_equal(json_u64(r, "replay_duplicate"), 2);
	assert_int_equal(json_u64(r, "no_sa"), 0);
	assert_int_equal(json_u64(r, "replay_highest"), 41);
	assert_int_equal(json_u64(r, "replay_window"), 64);
	assert_true(json_u64(r, "add_time") > 1600000000u);
	assert_int_equal(json_u64(r, "last_use"), 0);
	assert_null(strstr(r, "lease_limit"));
	assert_null(strstr(r, "key")); /* never a key */

	snprintf(cmd, sizeof(cmd), "/dpsec/sa/stats,%" PRIu64, out);
	r = tel_query(cmd);
	assert_int_equal(json_u64(r, "handle"), out);
	assert_true(json_has_str(r, "dir", "out"));
	assert_true(json_has_str(r, "state", "mature"));
	assert_int_equal(json_u64(r, "lease_limit"), 5000);
	assert_int_equal(json_u64(r, "seq"), 0);
	assert_null(strstr(r, "replay_window"));

	/* The same SPI toward another destination: ambiguous by SPI. */
	twin = sa_add(0x3001, 0x0a000009, DP_DIR_IN);
	r = tel_query("/dpsec/sa/stats,12289");
	assert_int_equal(json_u64(r, "matches"), 2);
	snprintf(cmd, sizeof(cmd), "/dpsec/sa/stats,%" PRIu64, twin);
	assert_true(json_has_str(tel_query(cmd), "dst", "10.0.0.9"));
	/* A stale handle. */
	assert_int_equal(dp_sa_delete(ctx, twin), 0);
	assert_string_equal(tel_query(cmd), "{\"/dpsec/sa/stats\":null}");
	delete_all();
}

static void test_workers_drops_crypto(void **state)
{
	const char *r;

	(void)state;
	assert_int_equal(dp_telemetry_enable(ctx, NULL), 0);
	/* Counters as the workers would leave them. */
	ctx->workers[0].counters.rx_packets = 11;
	ctx->workers[0].counters.tx_packets = 9;
	ctx->workers[1].counters.handoff_in = 4;
	ctx->workers[0].counters.handoff_out = 4;
	ctx->workers[1].counters.events_lost = 1;
	ctx->workers[0].counters.drops[DP_DROP_NO_SA] = 2;
	ctx->workers[1].counters.drops[DP_DROP_NO_SA] = 3;
	ctx->workers[1].counters.drops[DP_DROP_HANDOFF_FULL] = 1;

	r = tel_query("/dpsec/workers");
	assert_int_equal(json_u64(json_at(r, "0"), "rx"), 11);
	assert_int_equal(json_u64(json_at(r, "0"), "tx"), 9);
	assert_int_equal(json_u64(json_at(r, "0"), "handoff_out"), 4);
	assert_int_equal(json_u64(json_at(r, "0"), "drops_total"), 2);
	assert_int_equal(json_u64(json_at(r, "1"), "handoff_in"), 4);
	assert_int_equal(json_u64(json_at(r, "1"), "events_lost"), 1);
	assert_int_equal(json_u64(json_at(r, "1"), "handoff_full"), 1);
	assert_null(strstr(r, "auth_failed")); /* compact: nonzero reasons only */
	r = tel_query("/dpsec/workers,1");
	assert_int_equal(json_u64(r, "no_sa"), 3);
	assert_int_equal(json_u64(r, "auth_failed"), 0); /* one worker: every reason */
	assert_null(strstr(r, "\"0\":"));

	r = tel_query("/dpsec/drops");
	assert_int_equal(json_u64(r, "total"), 6);
	assert_int_equal(json_u64(r, "no_sa"), 5);
	assert_int_equal(json_u64(r, "handoff_full"), 1);
	assert_int_equal(json_u64(r, "ecn_drop"), 0);

	r = tel_query("/dpsec/crypto");
	assert_true(json_has_str(r, "engine", "ipsec_mb"));
	assert_non_null(strstr(r, "\"ipsec_mb_arch\":\""));
	assert_non_null(strstr(r, "\"ipsec_mb_version\":\""));
	assert_non_null(strstr(r, "\"cryptodevs\":{}"));
	memset(&ctx->workers[0].counters, 0, sizeof(ctx->workers[0].counters));
	memset(&ctx->workers[1].counters, 0, sizeof(ctx->workers[1].counters));
}

static void test_net(void **state)
{
	struct dp_net_config ncfg;
	struct dp_telemetry_sources src = { 0 };
	struct dp_prefix pfx = { .length = 24 };
	struct dp_net *net;
	const char *r;

	(void)state;
	dp_net_config_default(&ncfg);
	ncfg.name = "teln";
	net = dp_net_create(ctx, &ncfg);
	assert_non_null(net);
	v4(&pfx.addr, 0x0a010000);
	assert_int_equal(dp_route_add(net, &pfx, 0, NULL), 0);
	src.net = net;
	assert_int_equal(dp_telemetry_enable(ctx, &src), 0);
	r = tel_query("/dpsec/net");
	assert_int_equal(json_u64(r, "routes4"), 1);
	assert_int_equal(json_u64(r, "routes6"), 0);
	assert_int_equal(json_u64(r, "no_route"), 0);
	assert_non_null(strstr(r, "\"unresolved_next_hop\":"));
	dp_telemetry_disable(ctx); /* before freeing a source */
	dp_net_destroy(net);
	assert_int_equal(dp_telemetry_enable(ctx, NULL), 0);
}

/* A gateway with one net_null port (EAL --vdev): /dpsec/ports and the
 * loop counters per worker. */
static void test_ports(void **state)
{
	struct dp_telemetry_sources src = { 0 };
	struct dp_prefix addr = { .length = 24 };
	struct dp_net_config ncfg;
	struct dp_port_params pp;
	struct dp_gw_config gcfg;
	const char *r;

	(void)state;
	dp_net_config_default(&ncfg);
	ncfg.name = "telp";
	src.net = dp_net_create(ctx, &ncfg);
	assert_non_null(src.net);
	src.spd = dp_spd_create(ctx, NULL);
	assert_non_null(src.spd);
	memset(&gcfg, 0, sizeof(gcfg));
	gcfg.name = "telg";
	gcfg.sleep_min_us = 10;
	gcfg.sleep_max_us = 100;
	src.gw = dp_gw_create(ctx, src.net, src.spd, &gcfg);
	assert_non_null(src.gw);
	v4(&addr.addr, 0xc0000201);
	memset(&pp, 0, sizeof(pp));
	pp.devname = "net_null0";
	pp.role = DP_PORT_UNPROTECTED;
	pp.mtu = 1400;
	pp.rx_queues = 1;
	pp.addrs = &addr;
	pp.n_addrs = 1;
	assert_int_equal(dp_gw_port_add(src.gw, &pp), 0);
	assert_int_equal(dp_gw_start(src.gw), 0);
	src.gw->w[1].counters[DP_GW_C_TX_DROP] = 6; /* as worker 1 would count */
	assert_int_equal(dp_telemetry_enable(ctx, &src), 0);

	r = tel_query("/dpsec/ports");
	assert_true(json_has_str(json_at(r, "0"), "device", "net_null0"));
	assert_true(json_has_str(r, "role", "unprotected"));
	assert_int_equal(json_u64(r, "mtu"), 1400);
	assert_int_equal(json_u64(r, "rx_queues"), 1);
	assert_non_null(strstr(r, "\"ipackets\":"));
	assert_non_null(strstr(r, "\"mac\":\""));
	assert_int_equal(json_u64(tel_query("/dpsec/info"), "ports"), 1);
	r = tel_query("/dpsec/workers");
	assert_int_equal(json_u64(json_at(r, "1"), "tx_drop"), 6);
	assert_int_equal(json_u64(json_at(r, "0"), "tx_drop"), 0);

	dp_telemetry_disable(ctx); /* before freeing a source */
	dp_gw_free(src.gw);
	dp_spd_free(src.spd);
	dp_net_destroy(src.net);
	assert_int_equal(dp_telemetry_enable(ctx, NULL), 0);
}

/* CONTROL adds, deletes and reclaims SAs while clients list and read them.
 * Correctness here is ASan's silence plus well-formed replies. */
static volatile int churn_stop;
static unsigned int churn_errors, churn_rounds;

/* CONTROL on its own thread (no cmocka asserts off the main thread). */
static void *churn(void *arg)
{
	struct dp_sa_params p;

	(void)arg;
	memset(&p, 0, sizeof(p));
	p.satype = SADB_SATYPE_ESP;
	p.mode = DP_MODE_TUNNEL;
	p.state = SADB_SASTATE_MATURE;
	v4(&p.src, 0xc0000201);
	p.encr_alg = SADB_EALG_AES_GCM_16;
	p.encr_key_len = 16;
	p.salt_len = 4;
	while (!__atomic_load_n(&churn_stop, __ATOMIC_ACQUIRE)) {
		dp_sa_handle_t h[32];

		for (unsigned int i = 0; i < 32; i++) {
			p.spi = htonl(0x4000 + i);
			p.dir = i % 2 ? DP_DIR_OUT : DP_DIR_IN;
			p.replay_window = i % 2 ? 0 : 64;
			v4(&p.dst, 0x0a000200 + churn_rounds % 4);
			churn_errors += dp_sa_add(ctx, &p, &h[i]) != 0;
		}
		for (unsigned int i = 0; i < 32; i++)
			churn_errors += dp_sa_delete(ctx, h[i]) != 0;
		(void)dp_reclaim(ctx);
		churn_rounds++;
	}
	return NULL;
}

static void test_concurrent(void **state)
{
	pthread_t t;
	char cmd[64];
	unsigned int answered = 0;

	(void)state;
	assert_int_equal(dp_telemetry_enable(ctx, NULL), 0);
	churn_stop = 0;
	assert_int_equal(pthread_create(&t, NULL, churn, NULL), 0);
	for (unsigned int i = 0; i < 300; i++) {
		const char *r = tel_query("/dpsec/sa/list");

		assert_non_null(strstr(r, "{\"/dpsec/sa/list\":{\"sa_count\":"));
		snprintf(cmd, sizeof(cmd), "/dpsec/sa/stats,0x%x", 0x4000 + i % 32);
		r = tel_query(cmd);
		assert_non_null(strstr(r, "{\"/dpsec/sa/stats\":"));
		answered += strstr(r, "\"packets\":") != NULL;
	}
	__atomic_store_n(&churn_stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(churn_errors, 0);
	assert_true(churn_rounds > 0);
	delete_all();
	print_message("sa/stats answered with data %u of 300 times, %u churn rounds\n", answered,
		churn_rounds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_table),
		cmocka_unit_test(test_parse_sa_key),
		cmocka_unit_test(test_enable_disable),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_sa_list_pages),
		cmocka_unit_test(test_sa_stats),
		cmocka_unit_test(test_workers_drops_crypto),
		cmocka_unit_test(test_net),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_concurrent),
	};
	int ret;

	if (eal_init_with_telemetry() != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, setup, teardown);
	dp_test_eal_fini();
	return ret;
}
