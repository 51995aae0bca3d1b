/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_icmp: the ICMP errors the gateway originates and outer IPv4
 * fragmentation, byte-checked against scapy (checksums, quoted header,
 * MTU field); suppression rules, rate limit, inbound fragment drop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "net_test.h"

enum {
	TB4_ORIG, TB4_WANT, TB6_ORIG, TB6_WANT, TE4_ORIG, TE4_WANT, TE6_ORIG, TE6_WANT,
	SUP_ICMP_ERR, SUP_MCAST_SRC, SUP_FRAG, SUP_ICMP6_ERR,
	FRAG_ORIG, FRAG_1, FRAG_2, FRAG_3, FRAG_DF, IN_ESP_MF, IN_UDP_MF, IN_ESP, IN6_ESP_FRAG,
	IN6_ESP, PKT_COUNT
};

static const char scapy_code[] =
	"tb4=IP(src=\"198.51.100.7\",dst=\"203.0.113.9\",flags=\"DF\",id=77)/"
	"UDP(sport=1000,dport=2000)/Raw(bytes(range(256))*6)\n"
	"tb6=IPv6(src=\"2001:db8:1::7\",dst=\"2001:db8:2::9\",hlim=60)/UDP()/Raw(bytes(1400))\n"
	"te4=IP(src=\"198.51.100.7\",dst=\"203.0.113.9\",ttl=1)/ICMP()/Raw(b\"x\"*32)\n"
	"te6=IPv6(src=\"2001:db8:1::7\",dst=\"2001:db8:2::9\",hlim=1)/ICMPv6EchoRequest()\n"
	"fo=IP(src=\"198.51.100.1\",dst=\"203.0.113.9\",id=4242,proto=50)/"
	"Raw(bytes(range(256))*12)\n"
	"fr=fragment(IP(bytes(fo)),fragsize=1376)\n"
	"ps=[tb4,\n"
	" IP(src=\"198.51.100.1\",dst=\"198.51.100.7\",tos=0xc0,id=0,ttl=64)/"
	"ICMP(type=3,code=4,nexthopmtu=1400)/Raw(bytes(tb4)[:548]),\n"
	" tb6,\n"
	" IPv6(src=\"2001:db8:1::1\",dst=\"2001:db8:1::7\",hlim=64)/ICMPv6PacketTooBig(mtu=1350)/"
	"Raw(bytes(tb6)[:1232]),\n"
	" te4,\n"
	" IP(src=\"198.51.100.1\",dst=\"198.51.100.7\",tos=0xc0,id=0,ttl=64)/ICMP(type=11,code=0)/"
	"Raw(bytes(te4)),\n"
	" te6,\n"
	" IPv6(src=\"2001:db8:1::1\",dst=\"2001:db8:1::7\",hlim=64)/ICMPv6TimeExceeded()/"
	"Raw(bytes(te6)),\n"
	" IP(src=\"198.51.100.7\",dst=\"203.0.113.9\")/ICMP(type=3,code=1)/Raw(bytes(28)),\n"
	" IP(src=\"224.0.0.5\",dst=\"203.0.113.9\")/UDP()/Raw(bytes(10)),\n"
	" IP(src=\"198.51.100.7\",dst=\"203.0.113.9\",frag=10)/Raw(bytes(10)),\n"
	" IPv6(src=\"2001:db8:1::7\",dst=\"2001:db8:2::9\")/ICMPv6DestUnreach()/Raw(bytes(48)),\n"
	" fo, fr[0], fr[1], fr[2],\n"
	" IP(src=\"198.51.100.1\",dst=\"203.0.113.9\",flags=\"DF\",proto=50)/Raw(bytes(3000)),\n"
	" IP(src=\"203.0.113.9\",dst=\"198.51.100.1\",flags=\"MF\",proto=50)/Raw(bytes(64)),\n"
	" IP(src=\"203.0.113.9\",dst=\"198.51.100.1\",flags=\"MF\")/UDP(dport=500)/"
	"Raw(bytes(64)),\n"
	" IP(src=\"203.0.113.9\",dst=\"198.51.100.1\",proto=50)/Raw(bytes(64)),\n"
	" IPv6(src=\"2001:db8:2::9\",dst=\"2001:db8:1::1\")/IPv6ExtHdrFragment(nh=50,m=1)/"
	"Raw(bytes(64)),\n"
	" IPv6(src=\"2001:db8:2::9\",dst=\"2001:db8:1::1\",nh=50)/Raw(bytes(64))]";

static uint8_t pkt[PKT_COUNT][NT_MAX_PKT];
static size_t len[PKT_COUNT];

static int group_setup(void **state)
{
	(void)state;
	if (!nt_have_scapy())
		return -1;
	return nt_scapy_list(scapy_code, &pkt[0][0], len, PKT_COUNT) == PKT_COUNT ? 0 : -1;
}

static void fx_up(struct nt *t, const char *name, const struct dp_net_config *cfg)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct dp_prefix a[2];

	nt_setup(t, name, cfg);
	nt_prefix(&a[0], "198.51.100.1", 24);
	nt_prefix(&a[1], "2001:db8:1::1", 64);
	assert_int_equal(dp_net_port_set(t->net, 0, mac, 1500, a, 2), 0);
}

static void check_error(struct nt *t, unsigned int orig, unsigned int want, int too_big,
	uint32_t mtu)
{
	struct rte_mbuf *o = nt_mbuf(t, pkt[orig], len[orig]), *e;

	if (too_big)
		e = dp_icmp_too_big(t->net, 0, t->mp, o, 0, mtu);
	else
		e = dp_icmp_time_exceeded(t->net, 0, t->mp, o, 0);
	assert_non_null(e);
	nt_assert_mbuf(e, pkt[want], len[want]);
	/* The original is untouched and still the caller's. */
	nt_assert_mbuf(o, pkt[orig], len[orig]);
	rte_pktmbuf_free(o);
	rte_pktmbuf_free(e);
}

static void test_too_big_v4(void **state)
{
	struct nt t;

	(void)state;
	fx_up(&t, "ic_tb4", NULL);
	check_error(&t, TB4_ORIG, TB4_WANT, 1, 1400);
	assert_int_equal(nt_counter(&t, DP_NET_C_ICMP_TOO_BIG), 1);
	nt_teardown(&t);
}

static void test_too_big_v6(void **state)
{
	struct nt t;

	(void)state;
	fx_up(&t, "ic_tb6", NULL);
	check_error(&t, TB6_ORIG, TB6_WANT, 1, 1350);
	nt_teardown(&t);
}

static void test_time_exceeded(void **state)
{
	struct nt t;

	(void)state;
	fx_up(&t, "ic_te", NULL);
	check_error(&t, TE4_ORIG, TE4_WANT, 0, 0);
	check_error(&t, TE6_ORIG, TE6_WANT, 0, 0);
	assert_int_equal(nt_counter(&t, DP_NET_C_ICMP_TIME_EXCEEDED), 2);
	nt_teardown(&t);
}

static void test_suppressed(void **state)
{
	static const unsigned int rows[] = { SUP_ICMP_ERR, SUP_MCAST_SRC, SUP_FRAG, SUP_ICMP6_ERR };
	struct nt t;

	(void)state;
	fx_up(&t, "ic_sup", NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct rte_mbuf *o = nt_mbuf(&t, pkt[rows[i]], len[rows[i]]);

		assert_null(dp_icmp_too_big(t.net, 0, t.mp, o, 0, 1400));
		rte_pktmbuf_free(o);
	}
	assert_int_equal(nt_counter(&t, DP_NET_C_ICMP_SUPPRESSED), 4);
	/* No address of the family on the ingress port: nothing to send from. */
	struct rte_mbuf *o = nt_mbuf(&t, pkt[TB4_ORIG], len[TB4_ORIG]);

	assert_null(dp_icmp_too_big(t.net, 0, t.mp, o, 3, 1400));
	rte_pktmbuf_free(o);
	assert_int_equal(nt_counter(&t, DP_NET_C_ICMP_TOO_BIG), 0);
	nt_teardown(&t);
}

static void test_rate_limit(void **state)
{
	struct dp_net_config cfg;
	struct nt t;
	unsigned int sent = 0;

	(void)state;
	dp_net_config_default(&cfg);
	cfg.max_routes4 = cfg.max_routes6 = cfg.max_neigh = 64;
	cfg.icmp_rate = 1;
	cfg.icmp_burst = 2;
	fx_up(&t, "ic_rate", &cfg);
	for (int i = 0; i < 5; i++) {
		struct rte_mbuf *o = nt_mbuf(&t, pkt[TE4_ORIG], len[TE4_ORIG]);
		struct rte_mbuf *e = dp_icmp_time_exceeded(t.net, 0, t.mp, o, 0);

		sent += e != NULL;
		rte_pktmbuf_free(e);
		rte_pktmbuf_free(o);
	}
	assert_int_equal(sent, 2);
	assert_int_equal(nt_counter(&t, DP_NET_C_ICMP_RATE_LIMITED), 3);
	nt_teardown(&t);
}

static void test_fragment(void **state)
{
	struct rte_mbuf *m, *out[4];
	struct nt t;
	uint8_t opt[24];

	(void)state;
	fx_up(&t, "ic_frag", NULL);
	m = nt_mbuf(&t, pkt[FRAG_ORIG], len[FRAG_ORIG]);
	assert_int_equal(dp_frag_ipv4(t.net, 0, m, 1400, t.mp, out, 2), -E2BIG);
	assert_int_equal(dp_frag_ipv4(t.net, 0, m, 1400, t.mp, out, 4), 3);
	for (int i = 0; i < 3; i++) {
		nt_assert_mbuf(out[i], pkt[FRAG_1 + i], len[FRAG_1 + i]);
		assert_true(rte_pktmbuf_headroom(out[i]) >= 14); /* room for Ethernet */
	}
	rte_pktmbuf_free_bulk(out, 3);
	assert_int_equal(nt_counter(&t, DP_NET_C_FRAGMENTS_OUT), 3);

	/* Fits: returned as is. */
	m = nt_mbuf(&t, pkt[FRAG_ORIG], len[FRAG_ORIG]);
	assert_int_equal(dp_frag_ipv4(t.net, 0, m, 9000, t.mp, out, 4), 1);
	assert_ptr_equal(out[0], m);
	rte_pktmbuf_free(m);
	/* DF: the caller should have sent "too big" instead. */
	m = nt_mbuf(&t, pkt[FRAG_DF], len[FRAG_DF]);
	assert_int_equal(dp_frag_ipv4(t.net, 0, m, 1400, t.mp, out, 4), -EMSGSIZE);
	rte_pktmbuf_free(m);
	/* Options are not handled. */
	memcpy(opt, pkt[FRAG_ORIG], 20);
	opt[0] = 0x46;
	memset(opt + 20, 1, 4);
	m = nt_mbuf(&t, opt, sizeof(opt));
	assert_int_equal(dp_frag_ipv4(t.net, 0, m, 1400, t.mp, out, 4), -ENOTSUP);
	rte_pktmbuf_free(m);
	nt_teardown(&t);
}

static void test_inbound_fragments(void **state)
{
	static const struct {
		unsigned int pkt;
		int dropped;
	} rows[] = {
		{ IN_ESP_MF, 1 }, { IN_UDP_MF, 0 }, { IN_ESP, 0 }, { IN6_ESP_FRAG, 1 },
		{ IN6_ESP, 0 },
	};
	struct nt t;

	(void)state;
	fx_up(&t, "ic_in", NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct rte_mbuf *m = nt_mbuf(&t, pkt[rows[i].pkt], len[rows[i].pkt]);
		int r = dp_frag_in_drop(t.net, 0, m);

		assert_int_equal(r, rows[i].dropped);
		if (r == 0)
			rte_pktmbuf_free(m);
	}
	assert_int_equal(nt_counter(&t, DP_NET_C_FRAGMENT_IN_DROPPED), 2);
	nt_teardown(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_too_big_v4),
		cmocka_unit_test(test_too_big_v6),
		cmocka_unit_test(test_time_exceeded),
		cmocka_unit_test(test_suppressed),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_fragment),
		cmocka_unit_test(test_inbound_fragments),
	};
	int ret;

	if (dp_test_eal_init("icmp", 512) != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, group_setup, NULL);
	dp_test_eal_fini();
	return ret;
}
