/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_arp_nd.c: ARP and IPv6 NS/NA (see dp_arp_nd.h). */
#include "dp_arp_nd.h"

#include <string.h>
#include <sys/socket.h>

#include <rte_mbuf.h>

#include "dp_net_priv.h"

#define ARP_LEN 28u
#define ARP_FRAME_LEN (DP_ETHER_HDR_LEN + ARP_LEN)
#define ARP_OP_REQUEST 1u
#define ARP_OP_REPLY 2u
#define IP6_OFF DP_ETHER_HDR_LEN
#define ICMP6_OFF (DP_ETHER_HDR_LEN + 40u)
#define ND_LEN 32u                          /* NS/NA + one link-layer option */
#define ND_FRAME_LEN (ICMP6_OFF + ND_LEN)
#define ICMP6_NS 135u
#define ICMP6_NA 136u
#define ND_OPT_SLLA 1u
#define ND_OPT_TLLA 2u
#define NA_F_ROUTER 0x80u
#define NA_F_SOLICITED 0x40u
#define NA_F_OVERRIDE 0x20u
#define IPPROTO_ICMP6_ 58u

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t dp_icmp6_csum(const uint8_t *ip6, const uint8_t *icmp, uint32_t len)
{
	uint8_t tail[8] = { 0 };
	uint32_t sum;

	tail[0] = (uint8_t)(len >> 24);
	tail[1] = (uint8_t)(len >> 16);
	tail[2] = (uint8_t)(len >> 8);
	tail[3] = (uint8_t)len;
	tail[7] = IPPROTO_ICMP6_;
	sum = csum_add(0, ip6 + 8, 32); /* source and destination */
	sum = csum_add(sum, tail, 8);
	sum = csum_add(sum, icmp, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static bool mac_multicast(const uint8_t *mac)
{
	return (mac[0] & 1) != 0;
}

static bool all_zero(const uint8_t *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* ff02::1:ffXX:XXXX for target (RFC 4291 2.7.1). */
static void solicited_node(const uint8_t *target, uint8_t *out)
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };

	memcpy(out, pfx, 13);
	memcpy(out + 13, target + 13, 3);
}

bool dp_arp_nd_match(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);

	if (len < DP_ETHER_HDR_LEN)
		return false;
	if (get16(d + 12) == DP_ETHERTYPE_ARP)
		return true;
	return get16(d + 12) == DP_ETHERTYPE_IPV6 && len >= ICMP6_OFF + 1 &&
		d[IP6_OFF + 6] == IPPROTO_ICMP6_ &&
		(d[ICMP6_OFF] == ICMP6_NS || d[ICMP6_OFF] == ICMP6_NA);
}

/* Make m exactly len bytes long (single segment). */
static bool set_len(struct rte_mbuf *m, uint32_t len)
{
	uint32_t cur = rte_pktmbuf_data_len(m);

	if (!rte_pktmbuf_is_contiguous(m))
		return false;
	if (cur > len)
		return rte_pktmbuf_trim(m, (uint16_t)(cur - len)) == 0;
	if (cur < len)
		return rte_pktmbuf_append(m, (uint16_t)(len - cur)) != NULL;
	return true;
}

/* ------------------------------------------------------------------------ */
/* ARP.                                                                      */

static enum dp_arp_nd_verdict arp_input(struct dp_net *net, unsigned int worker,
	const struct dp_net_port *p, struct rte_mbuf *m, uint16_t port, struct dp_net_tx *tx)
{
	struct dp_net_worker *w = &net->w[worker];
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *), *a = d + DP_ETHER_HDR_LEN;
	uint8_t sha[6], spa[4], tpa[4];
	uint16_t op;

	if (rte_pktmbuf_data_len(m) < ARP_FRAME_LEN || get16(a) != 1 ||
	    get16(a + 2) != DP_ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4) {
		dp_net_count(w, DP_NET_C_ARP_BAD, 1);
		goto drop;
	}
	op = get16(a + 6);
	memcpy(sha, a + 8, 6);
	memcpy(spa, a + 14, 4);
	memcpy(tpa, a + 24, 4);
	if (mac_multicast(sha) || (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)) {
		dp_net_count(w, DP_NET_C_ARP_BAD, 1);
		goto drop;
	}
	if (op == ARP_OP_REPLY) {
		dp_net_count(w, DP_NET_C_ARP_REPLY_IN, 1);
		/* A reply to us confirms; any other one (gratuitous) only
		 * refreshes an entry we already have. */
		if (!all_zero(spa, 4))
			dp_neigh_learn(net, worker, AF_INET, port, spa, sha,
				dp_net_port_owns(p, AF_INET, tpa), true, false);
		return DP_ARP_ND_SHARE;
	}
	if (!dp_net_port_owns(p, AF_INET, tpa)) {
		dp_net_count(w, DP_NET_C_ARP_IGNORED, 1);
		if (!all_zero(spa, 4)) /* RFC 826: update what we know */
			dp_neigh_learn(net, worker, AF_INET, port, spa, sha, false, true, false);
		goto drop;
	}
	dp_net_count(w, DP_NET_C_ARP_REQUEST_IN, 1);
	/* RFC 826 merge: the sender of a request to us becomes a neighbour
	 * (not an address probe's, RFC 5227, whose sender is 0.0.0.0). */
	if (!all_zero(spa, 4))
		dp_neigh_learn(net, worker, AF_INET, port, spa, sha, false, true, true);
	if (!set_len(m, ARP_FRAME_LEN)) {
		dp_net_count(w, DP_NET_C_NO_BUFFER, 1);
		goto drop;
	}
	d = rte_pktmbuf_mtod(m, uint8_t *);
	a = d + DP_ETHER_HDR_LEN;
	memcpy(d, sha, 6);
	memcpy(d + 6, p->mac, 6);
	put16(a + 6, ARP_OP_REPLY);
	memcpy(a + 8, p->mac, 6);
	memcpy(a + 14, tpa, 4);
	memcpy(a + 18, sha, 6);
	memcpy(a + 24, spa, 4);
	dp_net_count(w, DP_NET_C_ARP_REPLY_OUT, 1);
	dp_net_tx_add(net, worker, tx, m, port);
	return DP_ARP_ND_CONSUMED;
drop:
	rte_pktmbuf_free(m);
	return DP_ARP_ND_CONSUMED;
}

/* ------------------------------------------------------------------------ */
/* Neighbor Discovery.                                                       */

/* Validate an NS/NA (RFC 4861 7.1.1, 7.1.2) and find its link-layer option
 * of type `want`.  *lla is NULL when absent.  false: malformed. */
static bool nd_valid(const uint8_t *ip6, uint32_t avail, uint8_t want, const uint8_t **lla,
	bool *other_lla)
{
	const uint8_t *icmp = ip6 + 40, *o;
	uint32_t plen;

	*lla = NULL;
	*other_lla = false;
	if (avail < 40 || ip6[0] >> 4 != 6 || ip6[6] != IPPROTO_ICMP6_ || ip6[7] != 255)
		return false;
	plen = get16(ip6 + 4);
	if (plen < 24 || 40 + plen > avail || icmp[1] != 0)
		return false;
	if (dp_icmp6_csum(ip6, icmp, plen) != 0)
		return false;
	if (icmp[8] == 0xff) /* target is multicast */
		return false;
	for (o = icmp + 24; o < icmp + plen;) {
		uint32_t olen;

		if (icmp + plen - o < 2 || o[1] == 0)
			return false;
		olen = (uint32_t)o[1] * 8;
		if (olen > (uint32_t)(icmp + plen - o))
			return false;
		if ((o[0] == ND_OPT_SLLA || o[0] == ND_OPT_TLLA) && olen == 8) {
			if (o[0] == want)
				*lla = o + 2;
			else
				*other_lla = true;
		}
		o += olen;
	}
	return true;
}

static enum dp_arp_nd_verdict ns_input(struct dp_net *net, unsigned int worker,
	const struct dp_net_port *p, struct rte_mbuf *m, uint16_t port, struct dp_net_tx *tx)
{
	struct dp_net_worker *w = &net->w[worker];
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *), *ip6 = d + IP6_OFF, *icmp;
	uint8_t src[16], target[16], sn[16], eth_src[6], reply_mac[6];
	const uint8_t *slla;
	bool dad, tlla;

	if (!nd_valid(ip6, rte_pktmbuf_data_len(m) - IP6_OFF, ND_OPT_SLLA, &slla, &tlla))
		goto bad;
	dad = all_zero(ip6 + 8, 16);
	solicited_node(ip6 + 40 + 8, sn);
	if (dad && (slla != NULL || memcmp(ip6 + 24, sn, 16) != 0))
		goto bad; /* RFC 4861 7.1.1 */
	dp_net_count(w, DP_NET_C_NS_IN, 1);
	memcpy(src, ip6 + 8, 16);
	memcpy(target, ip6 + 40 + 8, 16);
	memcpy(eth_src, d + 6, 6);
	if (slla != NULL)
		memcpy(reply_mac, slla, 6);
	else
		memcpy(reply_mac, eth_src, 6);
	if (!dp_net_port_owns(p, AF_INET6, target)) {
		dp_net_count(w, DP_NET_C_ND_IGNORED, 1);
		goto drop;
	}
	if (slla != NULL && !mac_multicast(reply_mac)) /* RFC 4861 7.2.3 */
		dp_neigh_learn(net, worker, AF_INET6, port, src, reply_mac, false, true, true);
	if (!set_len(m, ND_FRAME_LEN)) {
		dp_net_count(w, DP_NET_C_NO_BUFFER, 1);
		goto drop;
	}
	/* The NA: from the target address, to the soliciting node (all-nodes
	 * when it had no address yet), router, override, solicited. */
	d = rte_pktmbuf_mtod(m, uint8_t *);
	ip6 = d + IP6_OFF;
	icmp = d + ICMP6_OFF;
	if (dad) {
		static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

		memcpy(d, (const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, 6);
		memcpy(ip6 + 24, all_nodes, 16);
	} else {
		memcpy(d, reply_mac, 6);
		memcpy(ip6 + 24, src, 16);
	}
	memcpy(d + 6, p->mac, 6);
	put16(d + 12, DP_ETHERTYPE_IPV6);
	ip6[0] = 0x60;
	ip6[1] = ip6[2] = ip6[3] = 0;
	put16(ip6 + 4, ND_LEN);
	ip6[6] = IPPROTO_ICMP6_;
	ip6[7] = 255;
	memcpy(ip6 + 8, target, 16);
	memset(icmp, 0, ND_LEN);
	icmp[0] = ICMP6_NA;
	icmp[4] = NA_F_ROUTER | NA_F_OVERRIDE | (dad ? 0 : NA_F_SOLICITED);
	memcpy(icmp + 8, target, 16);
	icmp[24] = ND_OPT_TLLA;
	icmp[25] = 1;
	memcpy(icmp + 26, p->mac, 6);
	put16(icmp + 2, dp_icmp6_csum(ip6, icmp, ND_LEN));
	dp_net_count(w, DP_NET_C_NA_OUT, 1);
	dp_net_tx_add(net, worker, tx, m, port);
	return DP_ARP_ND_CONSUMED;
bad:
	dp_net_count(w, DP_NET_C_ND_BAD, 1);
drop:
	rte_pktmbuf_free(m);
	return DP_ARP_ND_CONSUMED;
}

static enum dp_arp_nd_verdict na_input(struct dp_net *net, unsigned int worker,
	const struct dp_net_port *p, struct rte_mbuf *m, uint16_t port)
{
	struct dp_net_worker *w = &net->w[worker];
	uint8_t *ip6 = rte_pktmbuf_mtod(m, uint8_t *) + IP6_OFF, *icmp = ip6 + 40;
	const uint8_t *tlla;
	bool slla, solicited;

	(void)p;
	if (!nd_valid(ip6, rte_pktmbuf_data_len(m) - IP6_OFF, ND_OPT_TLLA, &tlla, &slla))
		goto bad;
	solicited = (icmp[4] & NA_F_SOLICITED) != 0;
	if (ip6[24] == 0xff && solicited)
		goto bad; /* RFC 4861 7.1.2 */
	dp_net_count(w, DP_NET_C_NA_IN, 1);
	if (tlla == NULL || mac_multicast(tlla))
		dp_net_count(w, DP_NET_C_ND_IGNORED, 1);
	else
		dp_neigh_learn(net, worker, AF_INET6, port, icmp + 8, tlla, solicited,
			(icmp[4] & NA_F_OVERRIDE) != 0, false);
	return DP_ARP_ND_SHARE;
bad:
	dp_net_count(w, DP_NET_C_ND_BAD, 1);
	rte_pktmbuf_free(m);
	return DP_ARP_ND_CONSUMED;
}

enum dp_arp_nd_verdict dp_arp_nd_input(struct dp_net *net, unsigned int worker,
	struct rte_mbuf *m, uint16_t port, struct dp_net_tx *tx)
{
	const struct dp_net_port *p;
	const uint8_t *d;

	if (!dp_arp_nd_match(m))
		return DP_ARP_ND_NOT_MINE;
	d = rte_pktmbuf_mtod(m, const uint8_t *);
	p = dp_net_port_get(net, port);
	if (p == NULL || !rte_pktmbuf_is_contiguous(m)) {
		dp_net_count(&net->w[worker], get16(d + 12) == DP_ETHERTYPE_ARP ?
			DP_NET_C_ARP_IGNORED : DP_NET_C_ND_IGNORED, 1);
		rte_pktmbuf_free(m);
		return DP_ARP_ND_CONSUMED;
	}
	if (get16(d + 12) == DP_ETHERTYPE_ARP)
		return arp_input(net, worker, p, m, port, tx);
	if (d[ICMP6_OFF] == ICMP6_NS)
		return ns_input(net, worker, p, m, port, tx);
	return na_input(net, worker, p, m, port);
}

struct rte_mbuf *dp_arp_nd_solicit(const struct dp_net_port *p, struct rte_mempool *mp,
	uint8_t family, const uint8_t *target, const uint8_t *dst_mac)
{
	const uint8_t *src = dp_net_port_src(p, family, target);
	struct rte_mbuf *m;
	uint8_t *d;

	if (src == NULL || (m = rte_pktmbuf_alloc(mp)) == NULL)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(m, family == AF_INET ? ARP_FRAME_LEN : ND_FRAME_LEN);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(d + 6, p->mac, 6);
	if (family == AF_INET) {
		uint8_t *a = d + DP_ETHER_HDR_LEN;

		memset(d, 0xff, 6);
		if (dst_mac != NULL)
			memcpy(d, dst_mac, 6); /* RFC 1122 2.3.2.1 unicast probe */
		put16(d + 12, DP_ETHERTYPE_ARP);
		put16(a, 1);
		put16(a + 2, DP_ETHERTYPE_IPV4);
		a[4] = 6;
		a[5] = 4;
		put16(a + 6, ARP_OP_REQUEST);
		memcpy(a + 8, p->mac, 6);
		memcpy(a + 14, src, 4);
		memset(a + 18, 0, 6);
		memcpy(a + 24, target, 4);
		return m;
	}
	uint8_t *ip6 = d + IP6_OFF, *icmp = d + ICMP6_OFF;

	ip6[0] = 0x60;
	ip6[1] = ip6[2] = ip6[3] = 0;
	put16(ip6 + 4, ND_LEN);
	ip6[6] = IPPROTO_ICMP6_;
	ip6[7] = 255;
	memcpy(ip6 + 8, src, 16);
	if (dst_mac != NULL) {
		memcpy(d, dst_mac, 6);
		memcpy(ip6 + 24, target, 16);
	} else {
		solicited_node(target, ip6 + 24);
		d[0] = 0x33;
		d[1] = 0x33;
		memcpy(d + 2, ip6 + 24 + 12, 4);
	}
	put16(d + 12, DP_ETHERTYPE_IPV6);
	memset(icmp, 0, ND_LEN);
	icmp[0] = ICMP6_NS;
	memcpy(icmp + 8, target, 16);
	icmp[24] = ND_OPT_SLLA;
	icmp[25] = 1;
	memcpy(icmp + 26, p->mac, 6);
	put16(icmp + 2, dp_icmp6_csum(ip6, icmp, ND_LEN));
	return m;
}
