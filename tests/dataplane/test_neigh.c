/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_neigh: the neighbour table -- static entries, resolution of an
 * unknown next hop (request to CONTROL, solicitation, reply, queued packet
 * released), unresolved next hops counted, REACHABLE -> STALE -> gone
 * time-outs, STALE re-probes, bounded pending queues, dp_neigh_header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <time.h>

#include <cmocka.h>

#include "net_test.h"

static const uint8_t port_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
static const uint8_t peer_mac2[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void port_up(struct nt *t)
{
	struct dp_prefix a[2];

	nt_prefix(&a[0], "192.0.2.1", 24);
	nt_prefix(&a[1], "2001:db8::1", 64);
	assert_int_equal(dp_net_port_set(t->net, 0, port_mac, 1500, a, 2), 0);
}

/* An IP packet (header only) to dst. */
static struct rte_mbuf *ip_pkt(struct nt *t, const char *dst)
{
	uint8_t b[40] = { 0 };
	struct dp_addr d;

	nt_addr(&d, dst);
	if (d.family == AF_INET) {
		b[0] = 0x45;
		b[3] = 20;
		b[8] = 64;
		memcpy(b + 16, d.bytes, 4);
		return nt_mbuf(t, b, 20);
	}
	b[0] = 0x60;
	b[6] = 59;
	b[7] = 64;
	memcpy(b + 24, d.bytes, 16);
	return nt_mbuf(t, b, 40);
}

static void nexthop(struct dp_nexthop *nh, const char *addr, uint16_t port)
{
	struct dp_addr a;

	nt_addr(&a, addr);
	memset(nh, 0, sizeof(*nh));
	nh->port = port;
	nh->family = a.family;
	nh->connected = 1;
	memcpy(nh->addr, a.bytes, 16);
}

struct txbuf {
	struct rte_mbuf *pkts[16];
	uint16_t ports[16];
	struct dp_net_tx tx;
};

static void tx_init(struct txbuf *b)
{
	b->tx.pkts = b->pkts;
	b->tx.ports = b->ports;
	b->tx.n = 0;
	b->tx.max = 16;
}

static void tx_free(struct txbuf *b)
{
	rte_pktmbuf_free_bulk(b->pkts, b->tx.n);
	b->tx.n = 0;
}

static uint8_t state_of(struct nt *t, const char *addr, uint8_t *mac)
{
	struct dp_neigh_info info;
	struct dp_addr a;

	nt_addr(&a, addr);
	if (dp_neigh_get(t->net, 0, &a, &info) != 0)
		return DP_NEIGH_NONE;
	if (mac != NULL)
		memcpy(mac, info.mac, 6);
	return info.state;
}

/* An ARP reply from addr/mac to our 192.0.2.1, through dp_arp_nd_input. */
/* An ARP request from 192.0.2.40 (mac) for our 192.0.2.1 on port 0: its
 * sender becomes a STALE neighbour; our reply goes to b (checked, freed). */
static void arp_request_in(struct nt *t, const uint8_t mac[6], struct txbuf *b)
{
	uint8_t f[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	memcpy(f + 6, mac, 6);
	f[12] = 0x08; f[13] = 0x06; f[15] = 1; f[16] = 0x08; f[18] = 6; f[19] = 4;
	f[21] = 1;
	memcpy(f + 22, mac, 6);
	f[28] = 192; f[30] = 2; f[31] = 40;
	f[38] = 192; f[40] = 2; f[41] = 1;
	dp_arp_nd_input(t->net, 0, nt_mbuf(t, f, sizeof(f)), 0, &b->tx);
	assert_int_equal(b->tx.n, 1); /* our reply */
	tx_free(b);
}

static void arp_reply_in(struct nt *t, const char *addr, const uint8_t *mac)
{
	uint8_t f[42] = { 0 };
	struct dp_addr a;
	struct txbuf b;

	nt_addr(&a, addr);
	memcpy(f, port_mac, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	f[15] = 1;
	f[16] = 0x08;
	f[18] = 6;
	f[19] = 4;
	f[21] = 2;
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, a.bytes, 4);
	memcpy(f + 32, port_mac, 6);
	f[38] = 192;
	f[40] = 2;
	f[41] = 1;
	tx_init(&b);
	struct rte_mbuf *m = nt_mbuf(t, f, sizeof(f));

	assert_int_equal(dp_arp_nd_input(t->net, 0, m, 0, &b.tx), DP_ARP_ND_SHARE);
	rte_pktmbuf_free(m);
	assert_int_equal(b.tx.n, 0); /* a reply is never answered */
}

static void test_static(void **state)
{
	struct rte_mbuf *m;
	struct dp_nexthop nh;
	struct dp_addr a;
	struct txbuf b;
	uint8_t res, mac[6];
	struct nt t;

	(void)state;
	nt_setup(&t, "nb_static", NULL);
	port_up(&t);
	nt_addr(&a, "192.0.2.10");
	assert_int_equal(dp_neigh_add(t.net, 0, &a, peer_mac), 0);
	assert_int_equal(dp_neigh_add(t.net, 0, &a, (const uint8_t[6]){ 1, 0, 0, 0, 0, 0 }),
		-EINVAL); /* multicast MAC */
	assert_int_equal(state_of(&t, "192.0.2.10", mac), DP_NEIGH_STATIC);
	assert_memory_equal(mac, peer_mac, 6);

	m = ip_pkt(&t, "192.0.2.10");
	nexthop(&nh, "192.0.2.10", 0);
	tx_init(&b);
	assert_int_equal(dp_neigh_resolve_burst(t.net, 0, t.mp, &m, &nh, 1, &res, &b.tx), 1);
	assert_int_equal(res, DP_NEIGH_SEND);
	assert_int_equal(b.tx.n, 0);
	assert_int_equal(rte_pktmbuf_data_len(m), 14 + 20);
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	assert_memory_equal(d, peer_mac, 6);
	assert_memory_equal(d + 6, port_mac, 6);
	assert_int_equal(d[12], 0x08);
	assert_int_equal(d[13], 0x00);
	assert_int_equal(d[14], 0x45);
	rte_pktmbuf_free(m);

	/* Replies never overwrite a static entry. */
	assert_false(dp_neigh_learn(t.net, 0, AF_INET, 0, a.bytes, peer_mac2, true, true, true));
	assert_int_equal(state_of(&t, "192.0.2.10", mac), DP_NEIGH_STATIC);
	assert_memory_equal(mac, peer_mac, 6);
	assert_int_equal(dp_net_run(t.net), 0); /* static entries never age */
	assert_int_equal(dp_neigh_del(t.net, 0, &a), 0);
	assert_int_equal(dp_neigh_del(t.net, 0, &a), -ENOENT);
	assert_int_equal(state_of(&t, "192.0.2.10", NULL), DP_NEIGH_NONE);
	nt_teardown(&t);
}

static void resolve_flow(const char *dst, uint8_t family)
{
	struct rte_mbuf *m;
	struct dp_nexthop nh;
	struct txbuf b;
	uint8_t res, mac[6];
	struct nt t;
	const uint8_t *d;

	nt_setup(&t, family == AF_INET ? "nb_res4" : "nb_res6", NULL);
	port_up(&t);
	m = ip_pkt(&t, dst);
	nexthop(&nh, dst, 0);
	tx_init(&b);
	assert_int_equal(dp_neigh_resolve_burst(t.net, 0, t.mp, &m, &nh, 1, &res, &b.tx), 0);
	assert_int_equal(res, DP_NEIGH_QUEUED);
	assert_int_equal(dp_neigh_pending_count(t.net, 0), 1);
	assert_int_equal(nt_counter(&t, DP_NET_C_PENDING), 1);
	/* No entry yet: nothing to solicit until CONTROL made one. */
	assert_int_equal(dp_neigh_pending_poll(t.net, 0, t.mp, &b.tx), 0);
	assert_int_equal(dp_net_run(t.net), 1);
	assert_int_equal(state_of(&t, dst, NULL), DP_NEIGH_INCOMPLETE);

	assert_int_equal(dp_neigh_pending_poll(t.net, 0, t.mp, &b.tx), 1);
	assert_int_equal(b.tx.n, 1);
	assert_int_equal(b.ports[0], 0);
	d = rte_pktmbuf_mtod(b.pkts[0], const uint8_t *);
	if (family == AF_INET) {
		assert_int_equal(rte_pktmbuf_data_len(b.pkts[0]), 42);
		assert_memory_equal(d, "\xff\xff\xff\xff\xff\xff", 6);
		assert_int_equal(d[13], 0x06);
		assert_int_equal(d[21], 1); /* request */
		assert_int_equal(nt_counter(&t, DP_NET_C_ARP_REQUEST_OUT), 1);
	} else {
		assert_int_equal(rte_pktmbuf_data_len(b.pkts[0]), 86);
		assert_int_equal(d[0], 0x33);
		assert_int_equal(d[2], 0xff); /* solicited-node group */
		assert_int_equal(d[54], 135);
		assert_int_equal(nt_counter(&t, DP_NET_C_NS_OUT), 1);
	}
	tx_free(&b);
	/* One solicitation per retrans_ms, whatever the traffic. */
	assert_int_equal(dp_neigh_pending_poll(t.net, 0, t.mp, &b.tx), 0);

	if (family == AF_INET) {
		arp_reply_in(&t, dst, peer_mac);
	} else {
		struct dp_addr a;

		nt_addr(&a, dst);
		assert_true(dp_neigh_learn(t.net, 0, AF_INET6, 0, a.bytes, peer_mac, true, true,
			false));
	}
	assert_int_equal(state_of(&t, dst, mac), DP_NEIGH_REACHABLE);
	assert_memory_equal(mac, peer_mac, 6);
	assert_int_equal(nt_counter(&t, DP_NET_C_NEIGH_LEARNED), 1);

	/* The waiting packet leaves with its Ethernet header. */
	assert_int_equal(dp_neigh_pending_poll(t.net, 0, t.mp, &b.tx), 1);
	assert_int_equal(dp_neigh_pending_count(t.net, 0), 0);
	d = rte_pktmbuf_mtod(b.pkts[0], const uint8_t *);
	assert_memory_equal(d, peer_mac, 6);
	assert_memory_equal(d + 6, port_mac, 6);
	assert_int_equal(d[12], family == AF_INET ? 0x08 : 0x86);
	tx_free(&b);
	assert_int_equal(nt_counter(&t, DP_NET_C_UNRESOLVED), 0);
	nt_teardown(&t);
}

static void test_resolve_v4(void **state)
{
	(void)state;
	resolve_flow("192.0.2.20", AF_INET);
}

static void test_resolve_v6(void **state)
{
	(void)state;
	resolve_flow("2001:db8::20", AF_INET6);
}

static void test_unresolved(void **state)
{
	struct dp_net_config cfg;
	struct dp_net_stats st;
	struct rte_mbuf *m;
	struct dp_nexthop nh;
	struct txbuf b;
	uint8_t res;
	struct nt t;

	(void)state;
	dp_net_config_default(&cfg);
	cfg.max_routes4 = cfg.max_routes6 = cfg.max_neigh = 64;
	/* Timers with margins of 200 ms or more: CI runs tests side by side on
	 * two CPUs, and a test descheduled past a deadline must not fail. */
	cfg.retrans_ms = 200;
	cfg.max_probes = 2;
	nt_setup(&t, "nb_unres", &cfg);
	port_up(&t);
	m = ip_pkt(&t, "192.0.2.30");
	nexthop(&nh, "192.0.2.30", 0);
	tx_init(&b);
	dp_neigh_resolve_burst(t.net, 0, t.mp, &m, &nh, 1, &res, &b.tx);
	assert_int_equal(res, DP_NEIGH_QUEUED);
	assert_int_equal(dp_net_run(t.net), 1);
	assert_int_equal(dp_neigh_pending_poll(t.net, 0, t.mp, &b.tx), 1); /* probe 1 */
	sleep_ms(250); /* past retrans_ms, 150 ms before the 400 ms deadline */
	assert_int_equal(dp_neigh_pending_poll(t.net, 0, t.mp, &b.tx), 1); /* probe 2 */
	tx_free(&b);
	sleep_ms(300);
	/* Nobody answered: the packet is dropped and counted... */
	assert_int_equal(dp_neigh_pending_poll(t.net, 0, t.mp, &b.tx), 0);
	assert_int_equal(dp_neigh_pending_count(t.net, 0), 0);
	assert_int_equal(nt_counter(&t, DP_NET_C_UNRESOLVED), 1);
	assert_int_equal(nt_counter(&t, DP_NET_C_ARP_REQUEST_OUT), 2);
	/* ...and CONTROL removes the failed entry. */
	assert_int_equal(dp_net_run(t.net), 1);
	assert_int_equal(state_of(&t, "192.0.2.30", NULL), DP_NEIGH_NONE);
	assert_int_equal(dp_net_get_stats(t.net, &st), 0);
	assert_int_equal(st.neigh_expired, 1);
	assert_int_equal(st.neigh, 0);
	nt_teardown(&t);
}

static void test_timeouts(void **state)
{
	struct dp_net_config cfg;
	struct rte_mbuf *m;
	struct dp_nexthop nh;
	struct txbuf b;
	uint8_t res, mac[6];
	struct nt t;
	const uint8_t *d;

	(void)state;
	dp_net_config_default(&cfg);
	cfg.max_routes4 = cfg.max_routes6 = cfg.max_neigh = 64;
	/* Margins of 200 ms or more (see test_unresolved). */
	cfg.reachable_ms = 200;
	cfg.gc_ms = 1000;
	nt_setup(&t, "nb_time", &cfg);
	port_up(&t);
	/* The sender of an ARP request to us becomes a STALE neighbour. */
	tx_init(&b);
	arp_request_in(&t, peer_mac, &b);
	assert_int_equal(dp_net_run(t.net), 1);
	assert_int_equal(state_of(&t, "192.0.2.40", mac), DP_NEIGH_STALE);
	assert_memory_equal(mac, peer_mac, 6);
	/* A reply confirms it. */
	arp_reply_in(&t, "192.0.2.40", peer_mac);
	assert_int_equal(state_of(&t, "192.0.2.40", NULL), DP_NEIGH_REACHABLE);
	sleep_ms(300);
	assert_int_equal(dp_net_run(t.net), 1);
	assert_int_equal(state_of(&t, "192.0.2.40", NULL), DP_NEIGH_STALE);

	/* Used while STALE: the packet goes, and a unicast probe with it. */
	m = ip_pkt(&t, "192.0.2.40");
	nexthop(&nh, "192.0.2.40", 0);
	tx_init(&b);
	assert_int_equal(dp_neigh_resolve_burst(t.net, 0, t.mp, &m, &nh, 1, &res, &b.tx), 1);
	assert_int_equal(res, DP_NEIGH_SEND);
	rte_pktmbuf_free(m);
	assert_int_equal(b.tx.n, 1);
	d = rte_pktmbuf_mtod(b.pkts[0], const uint8_t *);
	assert_memory_equal(d, peer_mac, 6);
	assert_int_equal(d[21], 1);
	tx_free(&b);

	/* A changed MAC in an unsolicited ARP: taken (override), STALE. */
	assert_true(dp_neigh_learn(t.net, 0, AF_INET, 0, (const uint8_t[4]){ 192, 0, 2, 40 },
		peer_mac2, false, true, false));
	assert_int_equal(state_of(&t, "192.0.2.40", mac), DP_NEIGH_STALE);
	assert_memory_equal(mac, peer_mac2, 6);
	/* An NA without override does not replace a known MAC. */
	assert_false(dp_neigh_learn(t.net, 0, AF_INET, 0, (const uint8_t[4]){ 192, 0, 2, 40 },
		peer_mac, true, false, false));
	assert_int_equal(state_of(&t, "192.0.2.40", mac), DP_NEIGH_STALE);
	assert_memory_equal(mac, peer_mac2, 6);

	/* Unused for gc_ms: gone. */
	sleep_ms(1300);
	assert_true(dp_net_run(t.net) >= 1);
	assert_int_equal(state_of(&t, "192.0.2.40", NULL), DP_NEIGH_NONE);
	nt_teardown(&t);
}

/* dp_neigh_header: the header dp_neigh_resolve_burst would prepend for a
 * known MAC, false (nothing queued, sent or posted) otherwise, and the
 * STALE re-probe once per retransmission interval. */
static void test_header(void **state)
{
	struct rte_mbuf *m;
	struct dp_nexthop nh;
	struct dp_addr a;
	struct txbuf b;
	uint8_t hdr[14], res;
	const uint8_t *d;
	struct nt t;

	(void)state;
	nt_setup(&t, "nb_hdr", NULL);
	port_up(&t);
	nt_addr(&a, "192.0.2.10");
	assert_int_equal(dp_neigh_add(t.net, 0, &a, peer_mac), 0);
	nexthop(&nh, "192.0.2.10", 0);
	tx_init(&b);
	assert_true(dp_neigh_header(t.net, 0, t.mp, &nh, hdr, &b.tx));
	assert_int_equal(b.tx.n, 0);
	m = ip_pkt(&t, "192.0.2.10");
	assert_int_equal(dp_neigh_resolve_burst(t.net, 0, t.mp, &m, &nh, 1, &res, &b.tx), 1);
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), hdr, 14);
	assert_memory_equal(hdr, peer_mac, 6);
	assert_memory_equal(hdr + 6, port_mac, 6);
	assert_int_equal(hdr[12], 0x08);
	assert_int_equal(hdr[13], 0x00);
	rte_pktmbuf_free(m);

	/* Unknown next hop, no port: false, and nothing done for it. */
	nexthop(&nh, "192.0.2.99", 0);
	assert_false(dp_neigh_header(t.net, 0, t.mp, &nh, hdr, &b.tx));
	nh.port = DP_ROUTE_NO_PORT;
	assert_false(dp_neigh_header(t.net, 0, t.mp, &nh, hdr, &b.tx));
	assert_int_equal(b.tx.n, 0);
	assert_int_equal(dp_net_run(t.net), 0); /* no request was posted */
	assert_int_equal(state_of(&t, "192.0.2.99", NULL), DP_NEIGH_NONE);
	assert_int_equal(dp_neigh_pending_count(t.net, 0), 0);

	/* A STALE neighbour (sender of an ARP request to us): the header,
	 * and one unicast probe until the retransmission time passes. */
	arp_request_in(&t, peer_mac2, &b);
	assert_int_equal(dp_net_run(t.net), 1);
	assert_int_equal(state_of(&t, "192.0.2.40", NULL), DP_NEIGH_STALE);
	nexthop(&nh, "192.0.2.40", 0);
	assert_true(dp_neigh_header(t.net, 0, t.mp, &nh, hdr, &b.tx));
	assert_memory_equal(hdr, peer_mac2, 6);
	assert_int_equal(b.tx.n, 1);
	d = rte_pktmbuf_mtod(b.pkts[0], const uint8_t *);
	assert_memory_equal(d, peer_mac2, 6); /* unicast ARP request */
	assert_int_equal(d[21], 1);
	assert_true(dp_neigh_header(t.net, 0, t.mp, &nh, hdr, &b.tx));
	assert_int_equal(b.tx.n, 1); /* claimed: no second probe yet */
	tx_free(&b);
	nt_teardown(&t);
}

static void test_pending_bounds(void **state)
{
	struct dp_net_config cfg;
	struct rte_mbuf *m[5];
	struct dp_nexthop nh[5];
	struct txbuf b;
	uint8_t res[5];
	struct nt t;

	(void)state;
	dp_net_config_default(&cfg);
	cfg.max_routes4 = cfg.max_routes6 = cfg.max_neigh = 64;
	cfg.pending_max = 3;
	cfg.pending_per_neigh = 2;
	nt_setup(&t, "nb_pend", &cfg);
	port_up(&t);
	for (int i = 0; i < 3; i++) {
		m[i] = ip_pkt(&t, "192.0.2.50");
		nexthop(&nh[i], "192.0.2.50", 0);
	}
	m[3] = ip_pkt(&t, "192.0.2.51");
	nexthop(&nh[3], "192.0.2.51", 0);
	m[4] = ip_pkt(&t, "192.0.2.52");
	nexthop(&nh[4], "192.0.2.52", 0);
	tx_init(&b);
	assert_int_equal(dp_neigh_resolve_burst(t.net, 0, t.mp, m, nh, 5, res, &b.tx), 0);
	assert_int_equal(res[0], DP_NEIGH_QUEUED);
	assert_int_equal(res[1], DP_NEIGH_QUEUED);
	assert_int_equal(res[2], DP_NEIGH_DROP); /* per next hop */
	assert_int_equal(res[3], DP_NEIGH_QUEUED);
	assert_int_equal(res[4], DP_NEIGH_DROP); /* per worker */
	assert_int_equal(nt_counter(&t, DP_NET_C_PENDING_FULL), 2);
	rte_pktmbuf_free(m[2]);
	rte_pktmbuf_free(m[4]);
	/* Two distinct next hops were asked for, once each. */
	assert_int_equal(dp_net_run(t.net), 2);
	/* No route: dropped and counted. */
	nh[0].port = DP_ROUTE_NO_PORT;
	m[0] = ip_pkt(&t, "192.0.2.53");
	dp_neigh_resolve_burst(t.net, 0, t.mp, m, nh, 1, res, &b.tx);
	assert_int_equal(res[0], DP_NEIGH_DROP);
	assert_int_equal(nt_counter(&t, DP_NET_C_NO_ROUTE), 1);
	rte_pktmbuf_free(m[0]);
	nt_teardown(&t); /* frees the packets still waiting */
}

/* A worker resolving and routing while CONTROL changes routes and
 * neighbours under it: every answer it gets is one of the published
 * states, and ASan sees no use after free (RCU). */
struct reader {
	struct nt *t;
	volatile int stop;
	uint64_t loops, sent, bad;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct nt *t = r->t;
	struct rte_mbuf *txp[16];
	uint16_t txport[16];
	struct dp_net_tx tx = { .pkts = txp, .ports = txport, .max = 16 };
	struct dp_addr d4, d6, gw6;

	nt_addr(&d4, "198.51.100.5");
	nt_addr(&d6, "2001:db8:1::5");
	nt_addr(&gw6, "fe80::1");
	if (dp_worker_register(t->ctx, 0) != 0) {
		r->bad++;
		return NULL;
	}
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		struct dp_nexthop nh;
		struct rte_mbuf *m;
		uint8_t res;

		if (dp_route_lookup(t->net, AF_INET, d4.bytes, &nh) != 0 ||
		    !((nh.port == 1 && nh.connected && memcmp(nh.addr, d4.bytes, 4) == 0) ||
		      (nh.port == 2 && !nh.connected && nh.addr[3] == 254)))
			r->bad++;
		if (dp_route_lookup(t->net, AF_INET6, d6.bytes, &nh) != 0 ||
		    !((nh.port == 1 && nh.connected) ||
		      (nh.port == 2 && memcmp(nh.addr, gw6.bytes, 16) == 0)))
			r->bad++;
		m = rte_pktmbuf_alloc(t->mp);
		if (m != NULL && rte_pktmbuf_append(m, 20) != NULL) {
			nexthop(&nh, "192.0.2.10", 0);
			dp_neigh_resolve_burst(t->net, 0, t->mp, &m, &nh, 1, &res, &tx);
			if (res == DP_NEIGH_SEND) {
				const uint8_t *e = rte_pktmbuf_mtod(m, const uint8_t *);

				if (memcmp(e, peer_mac, 6) != 0 && memcmp(e, peer_mac2, 6) != 0)
					r->bad++;
				r->sent++;
			}
			if (res != DP_NEIGH_QUEUED)
				rte_pktmbuf_free(m);
		} else {
			rte_pktmbuf_free(m);
		}
		dp_neigh_pending_poll(t->net, 0, t->mp, &tx);
		rte_pktmbuf_free_bulk(txp, tx.n);
		tx.n = 0;
		dp_worker_quiescent(t->ctx, 0);
		__atomic_store_n(&r->loops, r->loops + 1, __ATOMIC_RELAXED);
	}
	dp_worker_unregister(t->ctx, 0);
	return NULL;
}

static void test_concurrent(void **state)
{
	struct reader r = { 0 };
	struct dp_prefix p24, p25, p32, p48;
	struct dp_addr gw4, gw6, nb;
	pthread_t th;
	struct nt t;
	unsigned int rounds = 0;

	(void)state;
	nt_setup(&t, "nb_conc", NULL);
	port_up(&t);
	nt_prefix(&p24, "198.51.100.0", 24);
	nt_prefix(&p25, "198.51.100.0", 25);
	nt_prefix(&p32, "2001:db8::", 32);
	nt_prefix(&p48, "2001:db8:1::", 48);
	nt_addr(&gw4, "198.51.100.254");
	nt_addr(&gw6, "fe80::1");
	nt_addr(&nb, "192.0.2.10");
	assert_int_equal(dp_route_add(t.net, &p24, 1, NULL), 0);
	assert_int_equal(dp_route_add(t.net, &p32, 1, NULL), 0);
	r.t = &t;
	assert_int_equal(pthread_create(&th, NULL, reader_main, &r), 0);
	/* At least 50 rounds, and until the reader has looped 10k times. */
	while (rounds < 2000 &&
	       (rounds < 50 || __atomic_load_n(&r.loops, __ATOMIC_RELAXED) <= 10000)) {
		assert_int_equal(dp_route_add(t.net, &p25, 2, &gw4), 0);
		assert_int_equal(dp_route_add(t.net, &p48, 2, &gw6), 0);
		assert_int_equal(dp_neigh_add(t.net, 0, &nb, rounds & 1 ? peer_mac : peer_mac2), 0);
		assert_true(dp_net_run(t.net) >= 0);
		assert_int_equal(dp_route_del(t.net, &p25), 0);
		assert_int_equal(dp_route_del(t.net, &p48), 0);
		if (rounds % 3 == 0)
			assert_int_equal(dp_neigh_del(t.net, 0, &nb), 0);
		rounds++;
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(r.bad, 0);
	assert_true(r.loops > 0);
	assert_true(r.sent > 0);
	assert_true(rounds >= 50);
	print_message("%u CONTROL rounds, %llu reader loops\n", rounds,
		(unsigned long long)r.loops);
	nt_teardown(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_resolve_v4),
		cmocka_unit_test(test_resolve_v6),
		cmocka_unit_test(test_unresolved),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_pending_bounds),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_concurrent),
	};
	int ret;

	if (dp_test_eal_init("neigh", 512) != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	dp_test_eal_fini();
	return ret;
}
