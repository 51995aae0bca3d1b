/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_route: IPv4 and IPv6 routes -- longest prefix wins, default
 * routes, connected vs via, delete falls back, validation, burst lookup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "net_test.h"

struct route_row {
	const char *prefix;
	uint8_t len;
	const char *via; /* NULL: connected */
	uint16_t port;
};

static const struct route_row routes[] = {
	{ "0.0.0.0", 0, "192.0.2.1", 0 },
	{ "198.51.100.0", 24, NULL, 1 },
	{ "198.51.100.128", 25, "198.51.100.1", 2 },
	{ "203.0.113.7", 32, NULL, 3 },
	{ "10.0.0.0", 8, "192.0.2.254", 4 },
	{ "::", 0, "2001:db8::1", 0 },
	{ "2001:db8:1::", 48, NULL, 1 },
	{ "2001:db8:1:2::", 64, "fe80::1", 2 },
	{ "2001:db8:1:2::99", 128, NULL, 3 },
};

struct lookup_row {
	const char *dst;
	int ret;
	uint16_t port;
	uint8_t connected;
	const char *nexthop; /* the neighbour to resolve */
};

static const struct lookup_row lookups[] = {
	{ "8.8.8.8", 0, 0, 0, "192.0.2.1" },          /* default */
	{ "198.51.100.5", 0, 1, 1, "198.51.100.5" },  /* /24 connected */
	{ "198.51.100.127", 0, 1, 1, "198.51.100.127" },
	{ "198.51.100.128", 0, 2, 0, "198.51.100.1" }, /* /25 beats /24 */
	{ "198.51.100.255", 0, 2, 0, "198.51.100.1" },
	{ "203.0.113.7", 0, 3, 1, "203.0.113.7" },    /* host route */
	{ "203.0.113.8", 0, 0, 0, "192.0.2.1" },
	{ "10.200.3.4", 0, 4, 0, "192.0.2.254" },
	{ "2001:db8:ffff::1", 0, 0, 0, "2001:db8::1" },
	{ "2001:db8:1:5::1", 0, 1, 1, "2001:db8:1:5::1" },
	{ "2001:db8:1:2::1", 0, 2, 0, "fe80::1" },
	{ "2001:db8:1:2::99", 0, 3, 1, "2001:db8:1:2::99" },
};

static void add_all(struct nt *t)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		struct dp_prefix p;
		struct dp_addr via;

		nt_prefix(&p, routes[i].prefix, routes[i].len);
		if (routes[i].via != NULL)
			nt_addr(&via, routes[i].via);
		assert_int_equal(dp_route_add(t->net, &p, routes[i].port,
			routes[i].via != NULL ? &via : NULL), 0);
	}
}

static void check_lookup(struct nt *t, const char *dst, int ret, uint16_t port,
	uint8_t connected, const char *nexthop)
{
	struct dp_nexthop nh;
	struct dp_addr d, want;

	nt_addr(&d, dst);
	assert_int_equal(dp_route_lookup(t->net, d.family, d.bytes, &nh), ret);
	if (ret != 0) {
		assert_int_equal(nh.port, DP_ROUTE_NO_PORT);
		return;
	}
	nt_addr(&want, nexthop);
	assert_int_equal(nh.port, port);
	assert_int_equal(nh.family, d.family);
	assert_int_equal(nh.connected, connected);
	assert_memory_equal(nh.addr, want.bytes, 16);
}

static void test_longest_prefix(void **state)
{
	struct nt t;
	struct dp_net_stats st;

	(void)state;
	nt_setup(&t, "rt_lpm", NULL);
	add_all(&t);
	for (size_t i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		const struct lookup_row *r = &lookups[i];

		check_lookup(&t, r->dst, r->ret, r->port, r->connected, r->nexthop);
	}
	assert_int_equal(dp_net_get_stats(t.net, &st), 0);
	assert_int_equal(st.routes4, 5);
	assert_int_equal(st.routes6, 4);
	nt_teardown(&t);
}

static void test_delete_falls_back(void **state)
{
	struct nt t;
	struct dp_prefix p;

	(void)state;
	nt_setup(&t, "rt_del", NULL);
	add_all(&t);
	nt_prefix(&p, "198.51.100.128", 25);
	assert_int_equal(dp_route_del(t.net, &p), 0);
	check_lookup(&t, "198.51.100.200", 0, 1, 1, "198.51.100.200");
	assert_int_equal(dp_route_del(t.net, &p), -ENOENT);
	nt_prefix(&p, "0.0.0.0", 0);
	assert_int_equal(dp_route_del(t.net, &p), 0);
	check_lookup(&t, "8.8.8.8", -ENOENT, 0, 0, NULL);
	nt_prefix(&p, "2001:db8:1:2::", 64);
	assert_int_equal(dp_route_del(t.net, &p), 0);
	check_lookup(&t, "2001:db8:1:2::1", 0, 1, 1, "2001:db8:1:2::1");
	nt_prefix(&p, "::", 0);
	assert_int_equal(dp_route_del(t.net, &p), 0);
	check_lookup(&t, "2001:db8:ffff::1", -ENOENT, 0, 0, NULL);
	/* The freed next hops are reused: re-adding works and routes anew. */
	nt_prefix(&p, "0.0.0.0", 0);
	struct dp_addr via;

	nt_addr(&via, "192.0.2.9");
	assert_int_equal(dp_route_add(t.net, &p, 7, &via), 0);
	check_lookup(&t, "8.8.8.8", 0, 7, 0, "192.0.2.9");
	nt_teardown(&t);
}

struct bad_row {
	const char *prefix;
	uint8_t len;
	const char *via;
	unsigned int port;
	int ret;
};

static const struct bad_row bad[] = {
	{ "198.51.100.1", 24, NULL, 0, -EINVAL },         /* host bits */
	{ "198.51.100.0", 33, NULL, 0, -EINVAL },         /* length */
	{ "2001:db8::", 129, NULL, 0, -EINVAL },
	{ "2001:db8::1", 64, NULL, 0, -EINVAL },
	{ "198.51.100.0", 24, "2001:db8::1", 0, -EINVAL }, /* family mix */
	{ "198.51.100.0", 24, NULL, DP_NET_PORTS_MAX, -EINVAL },
	{ "192.0.2.0", 24, NULL, 0, 0 },
	{ "192.0.2.0", 24, "192.0.2.1", 1, -EEXIST },     /* duplicate */
};

static void test_rejected(void **state)
{
	struct nt t;

	(void)state;
	nt_setup(&t, "rt_bad", NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dp_prefix p;
		struct dp_addr via;

		nt_prefix(&p, bad[i].prefix, bad[i].len);
		if (bad[i].via != NULL)
			nt_addr(&via, bad[i].via);
		assert_int_equal(dp_route_add(t.net, &p, bad[i].port,
			bad[i].via != NULL ? &via : NULL), bad[i].ret);
	}
	assert_int_equal(dp_route_add(NULL, NULL, 0, NULL), -EINVAL);
	nt_teardown(&t);
}

static void test_table_full(void **state)
{
	struct dp_net_config cfg;
	struct nt t;
	struct dp_prefix p;

	(void)state;
	dp_net_config_default(&cfg);
	cfg.max_routes4 = 4;
	cfg.max_routes6 = 2;
	cfg.max_neigh = 8;
	nt_setup(&t, "rt_full", &cfg);
	for (unsigned int i = 0; i < 4; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.%u.0.0", i);
		nt_prefix(&p, a, 16);
		assert_int_equal(dp_route_add(t.net, &p, 0, NULL), 0);
	}
	nt_prefix(&p, "10.9.0.0", 16);
	assert_int_equal(dp_route_add(t.net, &p, 0, NULL), -ENOSPC);
	nt_prefix(&p, "2001:db8:1::", 48);
	assert_int_equal(dp_route_add(t.net, &p, 0, NULL), 0);
	nt_prefix(&p, "2001:db8:2::", 48);
	assert_int_equal(dp_route_add(t.net, &p, 0, NULL), 0);
	nt_prefix(&p, "2001:db8:3::", 48);
	assert_int_equal(dp_route_add(t.net, &p, 0, NULL), -ENOSPC);
	nt_teardown(&t);
}

/* Burst over mbufs whose data starts at the IP header. */
static void test_burst(void **state)
{
	static const uint8_t v4_hit[20] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0,
		192, 0, 2, 10, 198, 51, 100, 9 };
	static const uint8_t v4_miss[20] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0,
		192, 0, 2, 10, 8, 8, 8, 8 };
	uint8_t v6[40] = { 0x60, 0, 0, 0, 0, 0, 59, 64 };
	struct rte_mbuf *pkts[4];
	struct dp_nexthop nh[4];
	struct dp_prefix p;
	struct dp_addr d;
	struct nt t;

	(void)state;
	nt_setup(&t, "rt_burst", NULL);
	nt_prefix(&p, "198.51.100.0", 24);
	assert_int_equal(dp_route_add(t.net, &p, 1, NULL), 0);
	nt_prefix(&p, "2001:db8::", 32);
	assert_int_equal(dp_route_add(t.net, &p, 2, NULL), 0);
	nt_addr(&d, "2001:db8::77");
	memcpy(v6 + 24, d.bytes, 16);
	pkts[0] = nt_mbuf(&t, v4_hit, sizeof(v4_hit));
	pkts[1] = nt_mbuf(&t, v4_miss, sizeof(v4_miss));
	pkts[2] = nt_mbuf(&t, v6, sizeof(v6));
	pkts[3] = nt_mbuf(&t, v4_hit, 10); /* truncated */
	assert_int_equal(dp_route_burst(t.net, 0, pkts, 4, nh), 2);
	assert_int_equal(nh[0].port, 1);
	assert_memory_equal(nh[0].addr, v4_hit + 16, 4);
	assert_int_equal(nh[1].port, DP_ROUTE_NO_PORT);
	assert_int_equal(nh[2].port, 2);
	assert_memory_equal(nh[2].addr, d.bytes, 16);
	assert_int_equal(nh[3].port, DP_ROUTE_NO_PORT);
	assert_int_equal(nt_counter(&t, DP_NET_C_NO_ROUTE), 2);
	rte_pktmbuf_free_bulk(pkts, 4);
	nt_teardown(&t);
}

/* Ports: validation, MTU, and the source address picked per destination. */
static void test_ports(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x07 };
	static const uint8_t mcast[6] = { 0x01, 0, 0x5e, 0, 0, 1 };
	struct dp_prefix a[3], many[DP_NET_PORT_ADDRS_MAX + 1];
	const struct dp_net_port *p;
	struct dp_addr d, ll;
	struct nt t;

	(void)state;
	nt_setup(&t, "rt_port", NULL);
	nt_prefix(&a[0], "192.0.2.1", 24);
	nt_prefix(&a[1], "198.51.100.1", 24);
	nt_prefix(&a[2], "2001:db8::1", 64);
	assert_int_equal(dp_net_port_set(t.net, 0, mcast, 1500, a, 3), -EINVAL);
	assert_int_equal(dp_net_port_set(t.net, 0, mac, 67, a, 3), -EINVAL);
	assert_int_equal(dp_net_port_set(t.net, 0, mac, 1279, a, 3), -EINVAL); /* IPv6 */
	assert_int_equal(dp_net_port_set(t.net, DP_NET_PORTS_MAX, mac, 1500, a, 3), -EINVAL);
	for (unsigned int i = 0; i <= DP_NET_PORT_ADDRS_MAX; i++) {
		char text[32];

		snprintf(text, sizeof(text), "10.0.0.%u", i + 1);
		nt_prefix(&many[i], text, 8);
	}
	assert_int_equal(dp_net_port_set(t.net, 0, mac, 1500, many, DP_NET_PORT_ADDRS_MAX + 1),
		-EINVAL);
	assert_int_equal(dp_net_port_mtu(t.net, 0), 0); /* nothing set yet */
	assert_int_equal(dp_net_port_set(t.net, 0, mac, 1400, a, 3), 0);
	assert_int_equal(dp_net_port_mtu(t.net, 0), 1400);
	/* Replacing publishes a new record (the old one waits a grace period). */
	assert_int_equal(dp_net_port_set(t.net, 0, mac, 1500, a, 3), 0);
	assert_int_equal(dp_net_port_mtu(t.net, 0), 1500);
	p = dp_net_port_get(t.net, 0);
	assert_non_null(p);
	nt_addr(&d, "198.51.100.77");
	assert_memory_equal(dp_net_port_src(p, AF_INET, d.bytes), a[1].addr.bytes, 4);
	nt_addr(&d, "203.0.113.1");
	assert_memory_equal(dp_net_port_src(p, AF_INET, d.bytes), a[0].addr.bytes, 4);
	/* EUI-64 link-local (RFC 4291 2.5.1), owned and used toward fe80::/64. */
	nt_addr(&ll, "fe80::ff:fe00:7");
	assert_true(dp_net_port_owns(p, AF_INET6, ll.bytes));
	nt_addr(&d, "fe80::1");
	assert_memory_equal(dp_net_port_src(p, AF_INET6, d.bytes), ll.bytes, 16);
	nt_addr(&d, "2001:db8:5::1");
	assert_memory_equal(dp_net_port_src(p, AF_INET6, d.bytes), a[2].addr.bytes, 16);
	assert_false(dp_net_port_owns(p, AF_INET, d.bytes));
	nt_teardown(&t);
}

static void test_names_and_config(void **state)
{
	struct dp_net_config cfg;

	(void)state;
	assert_string_equal(dp_net_counter_name(DP_NET_C_UNRESOLVED), "unresolved-next-hop");
	assert_string_equal(dp_net_counter_name(DP_NET_C_NO_ROUTE), "no-route");
	assert_null(dp_net_counter_name(DP_NET_C_COUNT));
	for (unsigned int c = 0; c < DP_NET_C_COUNT; c++)
		assert_non_null(dp_net_counter_name(c));
	dp_net_config_default(&cfg);
	cfg.request_ring_size = 1000; /* not a power of two */
	assert_null(dp_net_create((struct dp_ctx *)1, &cfg));
	dp_net_config_default(&cfg);
	assert_null(dp_net_create(NULL, &cfg));
	dp_net_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_delete_falls_back),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_names_and_config),
	};
	int ret;

	if (dp_test_eal_init("route", 512) != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	dp_test_eal_fini();
	return ret;
}
