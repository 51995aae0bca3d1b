/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_arp_nd: ARP and NS/NA against scapy -- a request for our address
 * gives the reply scapy builds byte for byte, NS gives the NA (global,
 * link-local, DAD), RFC 4861 7.1 checks refuse bad NS, replies and NAs
 * teach the table, and our own solicitations equal scapy's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dp_event.h"
#include "net_test.h"

#define OUR_MAC "02:00:00:00:00:01"
#define PEER_MAC "02:aa:bb:cc:dd:ee"
static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };

/* Packets from scapy, in the order the tests use them. */
enum {
	ARP_REQ, ARP_REQ_PADDED, ARP_REPLY_WANT, ARP_OTHER, NS_IN, NA_WANT, NS_LL_IN, NA_LL_WANT,
	NS_DAD_IN, NA_DAD_WANT, NS_BAD_HLIM, NA_IN, ARP_SOL_WANT, NS_SOL_WANT, NS_SOL_LL_WANT,
	ARP_REPLY_IN, PKT_COUNT
};

static const char scapy_code[] =
	"o=\"" OUR_MAC "\"; q=\"" PEER_MAC "\"\n"
	"ps=[Ether(dst=\"ff:ff:ff:ff:ff:ff\",src=q)/ARP(op=1,hwsrc=q,psrc=\"192.0.2.40\","
	"pdst=\"192.0.2.1\"),\n"
	" Ether(dst=\"ff:ff:ff:ff:ff:ff\",src=q)/ARP(op=1,hwsrc=q,psrc=\"192.0.2.40\","
	"pdst=\"192.0.2.1\")/Padding(load=bytes(18)),\n"
	" Ether(dst=q,src=o)/ARP(op=2,hwsrc=o,psrc=\"192.0.2.1\",hwdst=q,pdst=\"192.0.2.40\"),\n"
	" Ether(dst=\"ff:ff:ff:ff:ff:ff\",src=q)/ARP(op=1,hwsrc=q,psrc=\"192.0.2.40\","
	"pdst=\"192.0.2.99\"),\n"
	" Ether(dst=\"33:33:ff:00:00:01\",src=q)/IPv6(src=\"2001:db8::40\",dst=\"ff02::1:ff00:1\","
	"hlim=255)/ICMPv6ND_NS(tgt=\"2001:db8::1\")/ICMPv6NDOptSrcLLAddr(lladdr=q),\n"
	" Ether(dst=q,src=o)/IPv6(src=\"2001:db8::1\",dst=\"2001:db8::40\",hlim=255)/"
	"ICMPv6ND_NA(R=1,S=1,O=1,tgt=\"2001:db8::1\")/ICMPv6NDOptDstLLAddr(lladdr=o),\n"
	" Ether(dst=o,src=q)/IPv6(src=\"fe80::40\",dst=\"fe80::ff:fe00:1\",hlim=255)/"
	"ICMPv6ND_NS(tgt=\"fe80::ff:fe00:1\")/ICMPv6NDOptSrcLLAddr(lladdr=q),\n"
	" Ether(dst=q,src=o)/IPv6(src=\"fe80::ff:fe00:1\",dst=\"fe80::40\",hlim=255)/"
	"ICMPv6ND_NA(R=1,S=1,O=1,tgt=\"fe80::ff:fe00:1\")/ICMPv6NDOptDstLLAddr(lladdr=o),\n"
	" Ether(dst=\"33:33:ff:00:00:01\",src=q)/IPv6(src=\"::\",dst=\"ff02::1:ff00:1\","
	"hlim=255)/ICMPv6ND_NS(tgt=\"2001:db8::1\"),\n"
	" Ether(dst=\"33:33:00:00:00:01\",src=o)/IPv6(src=\"2001:db8::1\",dst=\"ff02::1\","
	"hlim=255)/ICMPv6ND_NA(R=1,S=0,O=1,tgt=\"2001:db8::1\")/ICMPv6NDOptDstLLAddr(lladdr=o),\n"
	" Ether(dst=\"33:33:ff:00:00:01\",src=q)/IPv6(src=\"2001:db8::40\",dst=\"ff02::1:ff00:1\","
	"hlim=64)/ICMPv6ND_NS(tgt=\"2001:db8::1\")/ICMPv6NDOptSrcLLAddr(lladdr=q),\n"
	" Ether(dst=o,src=q)/IPv6(src=\"2001:db8::50\",dst=\"2001:db8::1\",hlim=255)/"
	"ICMPv6ND_NA(R=0,S=1,O=1,tgt=\"2001:db8::50\")/ICMPv6NDOptDstLLAddr(lladdr=q),\n"
	" Ether(dst=\"ff:ff:ff:ff:ff:ff\",src=o)/ARP(op=1,hwsrc=o,psrc=\"192.0.2.1\","
	"hwdst=\"00:00:00:00:00:00\",pdst=\"192.0.2.60\"),\n"
	" Ether(dst=\"33:33:ff:00:00:60\",src=o)/IPv6(src=\"2001:db8::1\",dst=\"ff02::1:ff00:60\","
	"hlim=255)/ICMPv6ND_NS(tgt=\"2001:db8::60\")/ICMPv6NDOptSrcLLAddr(lladdr=o),\n"
	" Ether(dst=\"33:33:ff:00:00:01\",src=o)/IPv6(src=\"fe80::ff:fe00:1\","
	"dst=\"ff02::1:ff00:1\",hlim=255)/ICMPv6ND_NS(tgt=\"fe80::1\")/"
	"ICMPv6NDOptSrcLLAddr(lladdr=o),\n"
	" Ether(dst=o,src=q)/ARP(op=2,hwsrc=q,psrc=\"192.0.2.60\",hwdst=o,pdst=\"192.0.2.1\")]";

static uint8_t pkt[PKT_COUNT][NT_MAX_PKT];
static size_t len[PKT_COUNT];

struct fx {
	struct nt t;
	struct rte_mbuf *txp[8];
	uint16_t txport[8];
	struct dp_net_tx tx;
};

static int group_setup(void **state)
{
	(void)state;
	if (!nt_have_scapy())
		return -1;
	return nt_scapy_list(scapy_code, &pkt[0][0], len, PKT_COUNT) == PKT_COUNT ? 0 : -1;
}

static int setup(void **state)
{
	static struct fx f;
	static unsigned int n;
	struct dp_prefix a[2];
	char name[16];

	memset(&f, 0, sizeof(f));
	snprintf(name, sizeof(name), "an%u", n++);
	nt_setup(&f.t, name, NULL);
	nt_prefix(&a[0], "192.0.2.1", 24);
	nt_prefix(&a[1], "2001:db8::1", 64);
	assert_int_equal(dp_net_port_set(f.t.net, 0, our_mac, 1500, a, 2), 0);
	f.tx.pkts = f.txp;
	f.tx.ports = f.txport;
	f.tx.max = 8;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	rte_pktmbuf_free_bulk(f->txp, f->tx.n);
	nt_teardown(&f->t);
	return 0;
}

/* Feed packet i; expect a reply equal to packet `want` (or none: -1). */
static void exchange(struct fx *f, unsigned int i, int want)
{
	struct rte_mbuf *m = nt_mbuf(&f->t, pkt[i], len[i]);
	bool reply = i == NA_IN || i == ARP_REPLY_IN;

	assert_true(dp_arp_nd_match(m));
	/* Replies are shared with the exception path, unchanged. */
	assert_int_equal(dp_arp_nd_input(f->t.net, 0, m, 0, &f->tx),
		reply ? DP_ARP_ND_SHARE : DP_ARP_ND_CONSUMED);
	if (reply) {
		nt_assert_mbuf(m, pkt[i], len[i]);
		rte_pktmbuf_free(m);
	}
	if (want < 0) {
		assert_int_equal(f->tx.n, 0);
		return;
	}
	assert_int_equal(f->tx.n, 1);
	assert_int_equal(f->txport[0], 0);
	nt_assert_mbuf(f->txp[0], pkt[want], len[want]);
	rte_pktmbuf_free(f->txp[0]);
	f->tx.n = 0;
}

static uint8_t state_of(struct fx *f, const char *addr, uint8_t *mac)
{
	struct dp_neigh_info info;
	struct dp_addr a;

	nt_addr(&a, addr);
	if (dp_neigh_get(f->t.net, 0, &a, &info) != 0)
		return DP_NEIGH_NONE;
	memcpy(mac, info.mac, 6);
	return info.state;
}

static void test_arp_request(void **state)
{
	struct fx *f = *state;
	uint8_t mac[6];

	exchange(f, ARP_REQ, ARP_REPLY_WANT);
	exchange(f, ARP_REQ_PADDED, ARP_REPLY_WANT); /* 60-byte frame: trimmed */
	assert_int_equal(nt_counter(&f->t, DP_NET_C_ARP_REQUEST_IN), 2);
	assert_int_equal(nt_counter(&f->t, DP_NET_C_ARP_REPLY_OUT), 2);
	/* The requester is learnt through CONTROL. */
	assert_int_equal(dp_net_run(f->t.net), 1);
	assert_int_equal(state_of(f, "192.0.2.40", mac), DP_NEIGH_STALE);
	assert_memory_equal(mac, peer_mac, 6);
}

static void test_arp_not_ours(void **state)
{
	struct fx *f = *state;
	struct rte_mbuf *m;
	uint8_t bad[42];

	exchange(f, ARP_OTHER, -1);
	assert_int_equal(nt_counter(&f->t, DP_NET_C_ARP_IGNORED), 1);
	memcpy(bad, pkt[ARP_REQ], 42);
	bad[19] = 6; /* protocol address length */
	m = nt_mbuf(&f->t, bad, 42);
	assert_int_equal(dp_arp_nd_input(f->t.net, 0, m, 0, &f->tx), DP_ARP_ND_CONSUMED);
	assert_int_equal(nt_counter(&f->t, DP_NET_C_ARP_BAD), 1);
	/* Not ARP/ND at all: left to the caller. */
	memcpy(bad, pkt[ARP_REQ], 42);
	bad[12] = 0x08;
	bad[13] = 0x00;
	m = nt_mbuf(&f->t, bad, 42);
	assert_false(dp_arp_nd_match(m));
	assert_int_equal(dp_arp_nd_input(f->t.net, 0, m, 0, &f->tx), DP_ARP_ND_NOT_MINE);
	rte_pktmbuf_free(m);
	/* A port that is not configured answers nothing. */
	m = nt_mbuf(&f->t, pkt[ARP_REQ], len[ARP_REQ]);
	assert_int_equal(dp_arp_nd_input(f->t.net, 0, m, 5, &f->tx), DP_ARP_ND_CONSUMED);
	assert_int_equal(f->tx.n, 0);
}

static void test_ns_na(void **state)
{
	struct fx *f = *state;
	uint8_t mac[6];

	exchange(f, NS_IN, NA_WANT);
	exchange(f, NS_LL_IN, NA_LL_WANT); /* our EUI-64 link-local */
	exchange(f, NS_DAD_IN, NA_DAD_WANT); /* DAD: to all-nodes, S clear */
	assert_int_equal(nt_counter(&f->t, DP_NET_C_NS_IN), 3);
	assert_int_equal(nt_counter(&f->t, DP_NET_C_NA_OUT), 3);
	assert_int_equal(dp_net_run(f->t.net), 2); /* 2001:db8::40, fe80::40 */
	assert_int_equal(state_of(f, "2001:db8::40", mac), DP_NEIGH_STALE);
	assert_memory_equal(mac, peer_mac, 6);
}

static void test_ns_rejected(void **state)
{
	struct fx *f = *state;
	uint8_t b[NT_MAX_PKT];

	exchange(f, NS_BAD_HLIM, -1); /* hop limit 64 */
	memcpy(b, pkt[NS_IN], len[NS_IN]);
	b[len[NS_IN] - 1] ^= 1; /* checksum no longer matches */
	struct rte_mbuf *m = nt_mbuf(&f->t, b, len[NS_IN]);

	dp_arp_nd_input(f->t.net, 0, m, 0, &f->tx);
	memcpy(b, pkt[NS_IN], len[NS_IN]);
	b[14 + 40 + 25] = 0; /* option length 0 */
	m = nt_mbuf(&f->t, b, len[NS_IN]);
	dp_arp_nd_input(f->t.net, 0, m, 0, &f->tx);
	assert_int_equal(f->tx.n, 0);
	assert_int_equal(nt_counter(&f->t, DP_NET_C_ND_BAD), 3);
	assert_int_equal(nt_counter(&f->t, DP_NET_C_NA_OUT), 0);
}

/* A reply for a next hop being resolved makes it REACHABLE. */
static void test_replies_learn(void **state)
{
	struct fx *f = *state;
	struct dp_addr a;
	uint8_t mac[6];

	nt_addr(&a, "2001:db8::50");
	/* Unsolicited for an unknown address: ignored, nothing created. */
	exchange(f, NA_IN, -1);
	assert_int_equal(dp_net_run(f->t.net), 0);
	assert_int_equal(state_of(f, "2001:db8::50", mac), DP_NEIGH_NONE);
	/* Being resolved: CONTROL made it INCOMPLETE; the NA completes it. */
	{
		struct dp_event ev;

		memset(&ev, 0, sizeof(ev)); /* what a worker's miss posts */
		ev.type = DP_NEIGH_REQ_RESOLVE;
		ev.flow.family = AF_INET6;
		memcpy(ev.flow.dst, a.bytes, 16);
		assert_int_equal(dp_event_post(f->t.net->requests, &ev), 0);
		nt_addr(&a, "192.0.2.60");
		ev.flow.family = AF_INET;
		memset(ev.flow.dst, 0, 16);
		memcpy(ev.flow.dst, a.bytes, 4);
		assert_int_equal(dp_event_post(f->t.net->requests, &ev), 0);
	}
	assert_int_equal(dp_net_run(f->t.net), 2);
	assert_int_equal(state_of(f, "2001:db8::50", mac), DP_NEIGH_INCOMPLETE);
	exchange(f, NA_IN, -1);
	assert_int_equal(state_of(f, "2001:db8::50", mac), DP_NEIGH_REACHABLE);
	assert_memory_equal(mac, peer_mac, 6);
	exchange(f, ARP_REPLY_IN, -1);
	assert_int_equal(state_of(f, "192.0.2.60", mac), DP_NEIGH_REACHABLE);
	assert_memory_equal(mac, peer_mac, 6);
	assert_int_equal(nt_counter(&f->t, DP_NET_C_NA_IN), 2);
	assert_int_equal(nt_counter(&f->t, DP_NET_C_ARP_REPLY_IN), 1);
	assert_int_equal(nt_counter(&f->t, DP_NET_C_NEIGH_LEARNED), 2);
}

static void test_solicitations(void **state)
{
	struct fx *f = *state;
	const struct dp_net_port *p = dp_net_port_get(f->t.net, 0);
	struct dp_addr a;
	struct rte_mbuf *m;

	assert_non_null(p);
	nt_addr(&a, "192.0.2.60");
	m = dp_arp_nd_solicit(p, f->t.mp, AF_INET, a.bytes, NULL);
	assert_non_null(m);
	nt_assert_mbuf(m, pkt[ARP_SOL_WANT], len[ARP_SOL_WANT]);
	rte_pktmbuf_free(m);
	nt_addr(&a, "2001:db8::60");
	m = dp_arp_nd_solicit(p, f->t.mp, AF_INET6, a.bytes, NULL);
	assert_non_null(m);
	nt_assert_mbuf(m, pkt[NS_SOL_WANT], len[NS_SOL_WANT]);
	rte_pktmbuf_free(m);
	/* A link-local next hop is solicited from our link-local address. */
	nt_addr(&a, "fe80::1");
	m = dp_arp_nd_solicit(p, f->t.mp, AF_INET6, a.bytes, NULL);
	assert_non_null(m);
	nt_assert_mbuf(m, pkt[NS_SOL_LL_WANT], len[NS_SOL_LL_WANT]);
	rte_pktmbuf_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_arp_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arp_not_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ns_na, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ns_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replies_learn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_solicitations, setup, teardown),
	};
	int ret;

	if (dp_test_eal_init("arpnd", 512) != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, group_setup, NULL);
	dp_test_eal_fini();
	return ret;
}
