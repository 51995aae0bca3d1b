/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_loop.c: the gateway's worker loop (docs/DATAPLANE.md "Worker loop").
 *
 * Every loop a worker reports quiescence, then for each rx queue or TAP it
 * was given: receive a burst and classify it.
 *   unprotected port: ARP/ND -> dp_arp_nd (replies also go on to the TAP,
 *     so the kernel's own neighbour table fills too); to one of our addresses:
 *     ESP, AH, UDP 4500 -> dp_proc_inbound -> post-decapsulation policy
 *     check -> route; anything else (IKE on 500, ICMP to us, IKE with the
 *     non-ESP marker, NAT-T keepalives) -> the TAP; not to us -> inbound
 *     policy (bypass or drop).
 *   protected port: ARP/ND -> dp_arp_nd; IP -> outbound SPD lookup ->
 *     bypass (route) / discard / ACQUIRE (dropped) / protect (dp_proc
 *     outbound, twice for an AH-over-ESP bundle) -> route.
 *   TAP: what the kernel sends goes out the TAP's port unchanged, unless
 *     a PROTECT policy covers it (not IKE): then it is protected first.
 * Route -> MTU (fragment the outer IPv4 packet when DF is clear, else
 * ICMP "too big" toward the source) -> neighbour -> tx.  Then packets
 * other workers handed over, released IDLE-hold packets, and the pending
 * neighbour queue.  Idle loops back off (busy poll or adaptive sleep,
 * offline for RCU while asleep).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "dp_arp_nd.h"
#include "dp_counters.h"
#include "dp_ctx_priv.h"
#include "dp_icmp.h"
#include "dp_ip.h"
#include "dp_neigh.h"
#include "dp_net_priv.h"
#include "dp_port.h"
#include "dp_proc.h"
#include "dp_route.h"
#include "dp_sa_priv.h"
#include "dp_sadb.h"
#include "dp_worker.h"

#define BURST 64u /* rx burst (secgw: 32): per-burst costs over more packets */
#define OUT_MAX 512u        /* frames queued for ports within one burst */
#define TAP_MAX 64u
#define FRAG_MAX 8u
#define NO_PORT DP_ROUTE_NO_PORT
#define UDP_NATT_PORT 4500u
/* Packets ahead whose data port_in() prefetches. */
#define PREFETCH_AHEAD 4u

struct loop {
	struct dp_gw *gw;
	struct dp_gw_worker *w;
	unsigned int id;
	struct dp_net_tx out;
	struct rte_mbuf *out_pkts[OUT_MAX];
	uint16_t out_ports[OUT_MAX];
	struct rte_mbuf *tap_pkts[TAP_MAX];
	uint16_t tap_ports[TAP_MAX];
	uint16_t n_tap;
	struct dp_drop_tally tally;
};

static void drop(struct loop *l, struct rte_mbuf *m, enum dp_drop why)
{
	dp_drop_tally_add(&l->tally, why);
	dp_gw_count(l->w, DP_GW_C_DROP, 1);
	rte_pktmbuf_free(m);
}

/* m's data starts at its Ethernet header. */
static void to_tap(struct loop *l, struct rte_mbuf *m, uint16_t port)
{
	if (!l->gw->ports[port].has_tap || l->n_tap >= TAP_MAX) {
		drop(l, m, DP_DROP_NOT_FOR_US);
		return;
	}
	l->tap_pkts[l->n_tap] = m;
	l->tap_ports[l->n_tap++] = port;
}

/* m's data starts at the IP header; put the Ethernet header it arrived
 * with back (rte_pktmbuf_adj left the bytes in place). */
static void ip_to_tap(struct loop *l, struct rte_mbuf *m, uint16_t port)
{
	if (rte_pktmbuf_prepend(m, DP_ETHER_HDR_LEN) == NULL) {
		drop(l, m, DP_DROP_NO_BUFFER);
		return;
	}
	to_tap(l, m, port);
}

/* Whether every queued frame goes out the same port (the usual case:
 * one direction per burst), which can then be sent without sorting. */
static bool out_one_port(const struct loop *l)
{
	for (uint16_t i = 1; i < l->out.n; i++)
		if (l->out_ports[i] != l->out_ports[0])
			return false;
	return l->out.n > 0 && l->n_tap == 0 && l->out_ports[0] < l->gw->n_ports;
}

static void flush(struct loop *l)
{
	struct rte_mbuf *batch[OUT_MAX];
	struct dp_gw *gw = l->gw;

	if (out_one_port(l)) {
		dp_gw_tx(gw, l->id, l->out_ports[0], false, l->out_pkts, l->out.n);
		l->out.n = 0;
	}
	for (uint16_t p = 0; p < gw->n_ports && (l->out.n > 0 || l->n_tap > 0); p++) {
		uint16_t n = 0;

		for (uint16_t i = 0; i < l->out.n; i++)
			if (l->out_ports[i] == p)
				batch[n++] = l->out_pkts[i];
		dp_gw_tx(gw, l->id, p, false, batch, n);
		n = 0;
		for (uint16_t i = 0; i < l->n_tap; i++)
			if (l->tap_ports[i] == p)
				batch[n++] = l->tap_pkts[i];
		dp_gw_tx(gw, l->id, p, true, batch, n);
	}
	/* Frames toward ports that do not exist (cannot happen: routes name
	 * configured ports) are freed, never leaked. */
	for (uint16_t i = 0; i < l->out.n; i++)
		if (l->out_ports[i] >= gw->n_ports)
			rte_pktmbuf_free(l->out_pkts[i]);
	l->out.n = 0;
	l->n_tap = 0;
	if (l->tally.seen != 0) {
		dp_worker_count_drops(gw->ctx, l->id, &l->tally);
		dp_drop_tally_reset(&l->tally);
	}
}

/* The selectors of the IP packet ip that dp_ip_parse() described as info
 * (extension headers walked). */
static void flow_fill(const uint8_t *ip, const struct dp_ip_info *info, struct dp_flow *f)
{
	const uint8_t *l4;
	uint32_t left;
	bool first = true;

	memset(f, 0, sizeof(*f));
	f->proto = info->proto;
	if (info->version == 4) {
		f->family = AF_INET;
		memcpy(f->src, ip + 12, 4);
		memcpy(f->dst, ip + 16, 4);
		first = (dp_get16(ip + 6) & 0x1fffu) == 0;
	} else {
		f->family = AF_INET6;
		memcpy(f->src, ip + 8, 16);
		memcpy(f->dst, ip + 24, 16);
		/* A non-first IPv6 fragment: the walk stopped inside it. */
		first = !info->fragment || info->proto != DP_IPPROTO_FRAGMENT;
	}
	if (!first || info->tot_len < info->hdr_len)
		return;
	l4 = ip + info->hdr_len;
	left = info->tot_len - info->hdr_len;
	if ((f->proto == 6 || f->proto == 17 || f->proto == 132) && left >= 4) {
		f->sport = dp_get16(l4);
		f->dport = dp_get16(l4 + 2);
	} else if (((f->family == AF_INET && f->proto == 1) ||
		    (f->family == AF_INET6 && f->proto == 58)) && left >= 2) {
		f->sport = (uint16_t)(l4[0] << 8 | l4[1]);
	}
}

/* flow_of() for the common packet, in one pass over its header: IPv4
 * without options (first byte 0x45) whose datagram fits the buffer.
 * false: not such a packet, *f untouched -- the general path (dp_ip_parse
 * + flow_fill) decides, with every check.  For such a packet the two give
 * the same selectors: flow_fill's IPv4 case with hdr_len 20. */
static inline bool flow_of4(const uint8_t *ip, uint32_t len, struct dp_flow *f)
{
	uint32_t tot;
	uint16_t sport = 0, dport = 0;
	uint8_t proto;

	if (len < DP_IPV4_HDR_LEN || ip[0] != 0x45)
		return false;
	tot = dp_get16(ip + 2);
	if (tot < DP_IPV4_HDR_LEN || tot > len)
		return false;
	proto = ip[9];
	if ((dp_get16(ip + 6) & 0x1fffu) == 0) { /* first fragment or whole */
		if ((proto == 6 || proto == 17 || proto == 132) && tot >= DP_IPV4_HDR_LEN + 4) {
			sport = dp_get16(ip + DP_IPV4_HDR_LEN);
			dport = dp_get16(ip + DP_IPV4_HDR_LEN + 2);
		} else if (proto == 1 && tot >= DP_IPV4_HDR_LEN + 2) {
			sport = dp_get16(ip + DP_IPV4_HDR_LEN);
		}
	}
	*f = (struct dp_flow){ .family = AF_INET, .proto = proto, .sport = sport,
		.dport = dport };
	memcpy(f->src, ip + 12, 4);
	memcpy(f->dst, ip + 16, 4);
	return true;
}

/* The selectors of the IP packet at m's data, in general (IPv6, IPv4
 * options, anything flow_of4 leaves). */
static __rte_noinline int flow_parse(const struct rte_mbuf *m, struct dp_flow *f)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	struct dp_ip_info info;

	if (dp_ip_parse(ip, rte_pktmbuf_data_len(m), true, &info) != DP_DROP_NONE)
		return -EINVAL;
	flow_fill(ip, &info, f);
	return 0;
}

/* The selectors of the IP packet at m's data: 0 or -EINVAL. */
static inline int flow_of(const struct rte_mbuf *m, struct dp_flow *f)
{
	if (flow_of4(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), f))
		return 0;
	return flow_parse(m, f);
}

/* The TTL / hop limit ran out: ICMP time exceeded goes back (rate-
 * limited) and m is dropped.  Out of line: rare. */
static __rte_noinline void ttl_expired(struct loop *l, struct rte_mbuf *m, uint16_t in_port,
	struct rte_mbuf **icmp)
{
	*icmp = dp_icmp_time_exceeded(l->gw->net, l->id, l->gw->mp, m, in_port);
	drop(l, m, DP_DROP_TTL_EXCEEDED);
}

/* Forwarding decrements the TTL / hop limit; false when it ran out (the
 * packet is consumed: ttl_expired). */
static inline bool ttl_dec(struct loop *l, struct rte_mbuf *m, uint16_t in_port,
	struct rte_mbuf **icmp)
{
	/* The IPv4 checksum is fixed incrementally (RFC 1624): over a valid
	 * header the same bytes as recomputing it, without summing the
	 * header again right after the TTL store. */
	if (likely(dp_ip_ttl_dec(rte_pktmbuf_mtod(m, uint8_t *))))
		return true;
	ttl_expired(l, m, in_port, icmp);
	return false;
}

/* The next hop route_send() resolved last and what packets toward the
 * same destination reuse: port, MTU, Ethernet header.  For one call: the
 * route, the neighbour's MAC and the MTU stay valid until the worker's
 * next quiescent state, and a change during a burst may or may not apply
 * to any of its packets anyway.  A run of packets toward one destination
 * (a tunnel's outer packets, one flow) costs one compare each; toward one
 * next hop, one route lookup each. */
struct fwd_cache {
	uint8_t family;             /* 0: empty */
	bool has_hdr;               /* hdr valid (the neighbour has a MAC) */
	uint16_t mtu;
	uint8_t dst[16];            /* the last destination routed */
	struct dp_nexthop nh;
	uint8_t hdr[DP_ETHER_HDR_LEN];
};

/* Whether m goes where c's last packet went (same destination). */
static inline bool fwd_hit(const struct fwd_cache *c, const struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	uint64_t a[2], b[2];
	uint32_t d4, c4;

	if (c->family == AF_INET && ip[0] >> 4 == 4 && rte_pktmbuf_data_len(m) >= 20) {
		memcpy(&d4, ip + 16, 4);
		memcpy(&c4, c->dst, 4);
		return d4 == c4;
	}
	if (c->family != AF_INET6 || ip[0] >> 4 != 6 || rte_pktmbuf_data_len(m) < 40)
		return false;
	memcpy(a, ip + 24, 16);
	memcpy(b, c->dst, 16);
	return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
}

/* Route m (no hit in c) and make c describe its next hop.  false: no
 * route (m dropped). */
static bool fwd_miss(struct loop *l, struct fwd_cache *c, struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	struct dp_nexthop nh;

	dp_route_burst(l->gw->net, l->id, &m, 1, &nh); /* counts no-route */
	if (nh.port == NO_PORT || nh.port >= l->gw->n_ports) {
		c->family = 0;
		drop(l, m, DP_DROP_NOT_FOR_US);
		return false;
	}
	c->family = nh.family;
	memcpy(c->dst, nh.family == AF_INET ? ip + 16 : ip + 24, nh.family == AF_INET ? 4 : 16);
	if (c->has_hdr && dp_nexthop_same(&nh, &c->nh))
		return true; /* another destination behind the same next hop */
	c->nh = nh;
	c->mtu = dp_net_port_mtu(l->gw->net, nh.port);
	c->has_hdr = dp_neigh_header(l->gw->net, l->id, l->gw->mp, &nh, c->hdr, &l->out);
	return true;
}

/* Queue m (Ethernet header on) for port. */
static inline void out_add(struct loop *l, struct rte_mbuf *m, uint16_t port)
{
	if (l->out.n < l->out.max) {
		l->out_pkts[l->out.n] = m;
		l->out_ports[l->out.n++] = port;
		return;
	}
	dp_net_tx_add(l->gw->net, l->id, &l->out, m, port); /* full: freed, counted */
}

/* Packets toward nh without a known MAC (or fragments): the neighbour
 * code prepends, queues for the MAC, or drops, and counts. */
static void neigh_slow(struct loop *l, struct rte_mbuf **pkts, uint16_t n,
	const struct dp_nexthop *nh)
{
	struct dp_nexthop nhs[FRAG_MAX];
	uint8_t res[FRAG_MAX];

	for (uint16_t i = 0; i < n; i++)
		nhs[i] = *nh;
	dp_neigh_resolve_burst(l->gw->net, l->id, l->gw->mp, pkts, nhs, n, res, &l->out);
	for (uint16_t i = 0; i < n; i++) {
		if (res[i] == DP_NEIGH_SEND)
			out_add(l, pkts[i], nh->port);
		else if (res[i] == DP_NEIGH_DROP)
			drop(l, pkts[i], DP_DROP_NONE);
	}
}

/* Outer packet m does not fit the egress MTU: fragments (IPv4, DF clear)
 * go on toward nh, else ICMP "too big" toward the source. */
static void too_big(struct loop *l, struct rte_mbuf *m, uint16_t mtu, uint16_t in_port,
	const struct dp_nexthop *nh, struct rte_mbuf **errs, uint16_t *n_err)
{
	struct rte_mbuf *frags[FRAG_MAX];
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	int nf = -EMSGSIZE;

	if (ip[0] >> 4 == 4 && !dp_ip_df(ip))
		nf = dp_frag_ipv4(l->gw->net, l->id, m, mtu, l->gw->mp, frags, FRAG_MAX);
	if (nf > 0) {
		neigh_slow(l, frags, (uint16_t)nf, nh);
		return;
	}
	dp_gw_count(l->w, DP_GW_C_TOO_BIG, 1);
	if (in_port != NO_PORT && *n_err < BURST) {
		struct rte_mbuf *e = dp_icmp_too_big(l->gw->net, l->id, l->gw->mp, m, in_port,
			mtu);

		if (e != NULL)
			errs[(*n_err)++] = e;
	}
	drop(l, m, DP_DROP_UNSUPPORTED);
}

/* Route, check the MTU, resolve and queue packets (data at the IP
 * header), in order.  in_port: where the packet (or the packet it
 * carries) came in, for ICMP errors; NO_PORT sends none. */
static void route_send(struct loop *l, struct rte_mbuf **pkts, uint16_t n, uint16_t in_port)
{
	struct fwd_cache c;
	struct rte_mbuf *errs[BURST];
	uint16_t n_err = 0;

	while (n > BURST) {
		route_send(l, pkts, BURST, in_port);
		pkts += BURST;
		n -= BURST;
	}
	if (n == 0)
		return;
	c.family = 0;
	c.has_hdr = false;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint8_t *eth;

		if (!fwd_hit(&c, m) && !fwd_miss(l, &c, m))
			continue;
		if (c.mtu != 0 && rte_pktmbuf_pkt_len(m) > c.mtu) {
			too_big(l, m, c.mtu, in_port, &c.nh, errs, &n_err);
			continue;
		}
		if (!c.has_hdr) {
			neigh_slow(l, &m, 1, &c.nh);
			continue;
		}
		eth = (uint8_t *)rte_pktmbuf_prepend(m, DP_ETHER_HDR_LEN);
		if (eth == NULL) {
			dp_net_count(&l->gw->net->w[l->id], DP_NET_C_NO_BUFFER, 1);
			drop(l, m, DP_DROP_NONE);
			continue;
		}
		memcpy(eth, c.hdr, DP_ETHER_HDR_LEN);
		out_add(l, m, c.nh.port);
	}
	if (n_err > 0)
		route_send(l, errs, n_err, NO_PORT);
	if (l->out.n > OUT_MAX - 2 * BURST)
		flush(l);
}

/* A packet for the gateway itself (data at the IP header) that arrived
 * without the Ethernet header it needs on the TAP (a decapsulated one):
 * build one addressed to the port's MAC. */
static void local_to_tap(struct loop *l, struct rte_mbuf *m, uint16_t port)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t type = ip[0] >> 4 == 4 ? DP_ETHERTYPE_IPV4 : DP_ETHERTYPE_IPV6;
	uint8_t *eth;

	if (port == NO_PORT || !l->gw->ports[port].has_tap) {
		drop(l, m, DP_DROP_NOT_FOR_US);
		return;
	}
	eth = (uint8_t *)rte_pktmbuf_prepend(m, DP_ETHER_HDR_LEN);
	if (eth == NULL) {
		drop(l, m, DP_DROP_NO_BUFFER);
		return;
	}
	memcpy(eth, l->gw->ports[port].mac, 6);
	memcpy(eth + 6, l->gw->ports[port].mac, 6);
	dp_put16(eth + 12, type);
	to_tap(l, m, port);
}

/* Is the flow's destination one of np's addresses (np: the arrival
 * port's, read once per burst; NULL: none)? */
static bool flow_is_local(const struct dp_net_port *np, const struct dp_flow *f)
{
	return np != NULL && dp_net_port_owns(np, f->family, f->dst);
}

/* Decapsulated packets: the inner packet must match a policy naming its
 * SA (RFC 4301 5.2), then it is forwarded, or given to the TAP when it is
 * for the gateway itself (transport mode between gateways). */
static void decap_done(struct loop *l, struct rte_mbuf **pkts, const dp_sa_handle_t *sa,
	uint16_t n, uint16_t in_port)
{
	const struct dp_net_port *np;
	struct dp_flow flows[BURST];
	dp_sa_handle_t sas[BURST];
	struct rte_mbuf *ok[BURST], *fwd[BURST], *errs[BURST];
	uint8_t why[BURST];
	uint16_t k = 0, f = 0, ne = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (flow_of(pkts[i], &flows[k]) != 0) {
			drop(l, pkts[i], DP_DROP_TRUNCATED);
			continue;
		}
		sas[k] = sa[i];
		ok[k++] = pkts[i];
	}
	if (k == 0)
		return;
	np = in_port == NO_PORT ? NULL : dp_net_port_get(l->gw->net, in_port);
	dp_spd_check_inbound(l->gw->spd, l->id, sas, flows, k, why);
	for (uint16_t i = 0; i < k; i++) {
		struct rte_mbuf *e = NULL;

		if (why[i] != DP_DROP_NONE) {
			drop(l, ok[i], (enum dp_drop)why[i]);
			continue;
		}
		if (flow_is_local(np, &flows[i])) {
			dp_gw_count(l->w, DP_GW_C_DECAPSULATED, 1);
			local_to_tap(l, ok[i], in_port);
			continue;
		}
		if (!ttl_dec(l, ok[i], in_port, &e)) {
			if (e != NULL)
				errs[ne++] = e;
			continue;
		}
		fwd[f++] = ok[i];
	}
	dp_gw_count(l->w, DP_GW_C_DECAPSULATED, f);
	route_send(l, fwd, f, in_port);
	route_send(l, errs, ne, NO_PORT);
}

/* Results of dp_proc calls (the packets stay in place).  dir: the
 * direction of every SA of the FORWARD verdicts when the caller knows it
 * (dp_proc_inbound's: DP_DIR_IN, it only finds inbound SAs;
 * dp_proc_outbound's: DP_DIR_OUT, it refuses others), else 0: each run of
 * one SA is looked up (hand-off and hold mix both).  Known, no packet reads
 * its SA slot and SA again here: at scale two misses per packet. */
static void proc_results(struct loop *l, struct rte_mbuf **pkts, const struct dp_proc_res *res,
	uint16_t n, uint16_t in_port, uint8_t dir)
{
	struct rte_mbuf *dec[BURST], *out[BURST];
	dp_sa_handle_t sa[BURST], last = DP_SA_HANDLE_INVALID;
	uint16_t nd = 0, no = 0;
	bool last_in = false;

	for (uint16_t i = 0; i < n; i++) {
		const struct dp_sa *s;

		switch (res[i].verdict) {
		case DP_PROC_FORWARD:
			if (dir != 0) {
				last_in = dir == DP_DIR_IN;
			} else if (res[i].sa != last || last == DP_SA_HANDLE_INVALID) {
				/* Once per run of one SA. */
				s = dp_sadb_get(l->gw->ctx->sadb, res[i].sa);
				last = res[i].sa;
				last_in = s != NULL && s->dir == DP_DIR_IN;
			}
			if (last_in) {
				sa[nd] = res[i].sa;
				dec[nd++] = pkts[i];
			} else {
				out[no++] = pkts[i];
			}
			break;
		case DP_PROC_EXCEPTION:
		case DP_PROC_NOT_IPSEC:
			if (in_port != NO_PORT)
				ip_to_tap(l, pkts[i], in_port);
			else
				drop(l, pkts[i], DP_DROP_NOT_FOR_US);
			break;
		case DP_PROC_DROP:
		case DP_PROC_DUMMY:
			rte_pktmbuf_free(pkts[i]); /* dp_proc counted it */
			break;
		default:
			break; /* HANDOFF, HELD: no longer ours */
		}
	}
	decap_done(l, dec, sa, nd, in_port);
	dp_gw_count(l->w, DP_GW_C_PROTECTED, no);
	route_send(l, out, no, in_port);
}

static bool is_ipsec(const struct rte_mbuf *m, const struct dp_ip_info *info)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);

	if (info->proto == DP_IPPROTO_ESP || info->proto == DP_IPPROTO_AH)
		return true;
	return info->proto == DP_IPPROTO_UDP && info->tot_len >= info->hdr_len + 8u &&
	       dp_get16(ip + info->hdr_len + 2) == UDP_NATT_PORT;
}

/* Where port_in() puts the packets of an unprotected port. */
struct inbound_sort {
	const struct dp_net_port *np; /* the port's addresses, NULL: none */
	struct rte_mbuf *ipsec[BURST];  /* ESP, AH, UDP 4500 to us */
	struct rte_mbuf *plain[BURST];  /* not to us: inbound policy */
	struct dp_flow flows[BURST];    /* plain[i]'s; family 0: IPv6, parsed later */
	uint16_t ni, np_;
};

/* A packet from an unprotected port (data at the IP header), as port_in()
 * classifies it: to one of our addresses, IPsec -> s->ipsec, anything else
 * -> the TAP; multicast and broadcast -> the TAP; else s->plain. */
static inline void inbound_sort(struct loop *l, struct rte_mbuf *m, uint16_t port,
	struct inbound_sort *s)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *), *dst;
	struct dp_ip_info info;
	uint8_t family;

	if (dp_ip_parse_fast(ip, rte_pktmbuf_data_len(m), false, &info) != DP_DROP_NONE) {
		drop(l, m, DP_DROP_TRUNCATED);
		return;
	}
	family = info.version == 4 ? AF_INET : AF_INET6;
	dst = info.version == 4 ? ip + 16 : ip + 24;
	if (s->np != NULL && dp_net_port_owns(s->np, family, dst)) {
		if (!is_ipsec(m, &info))
			ip_to_tap(l, m, port);
		else if (dp_frag_in_drop(l->gw->net, l->id, m) == 0)
			s->ipsec[s->ni++] = m;
		return;
	}
	if ((info.version == 4 && ip[16] >= 224) || (info.version == 6 && ip[24] == 0xff)) {
		ip_to_tap(l, m, port); /* multicast and broadcast: the kernel's */
		return;
	}
	/* IPv4 parses the same with or without the extension header walk:
	 * its selectors need no second parse.  IPv6 gets one in
	 * unprotected_in(), walking the extension headers. */
	if (info.version == 4) {
		if (!flow_of4(ip, rte_pktmbuf_data_len(m), &s->flows[s->np_]))
			flow_fill(ip, &info, &s->flows[s->np_]); /* options */
	} else {
		s->flows[s->np_].family = 0;
	}
	s->plain[s->np_++] = m;
}

/* IP packets from an unprotected port, as inbound_sort() left them. */
static void unprotected_in(struct loop *l, struct inbound_sort *s, uint16_t port)
{
	struct rte_mbuf **ipsec = s->ipsec, **plain = s->plain, *fwd[BURST], *errs[BURST];
	struct dp_flow *flows = s->flows;
	struct dp_spd_result sres[BURST];
	struct dp_proc_res pres[BURST];
	uint16_t ni = s->ni, np_ = s->np_, nf = 0, ne = 0;

	if (ni > 0) {
		dp_proc_inbound(l->w->proc, ipsec, ni, pres);
		proc_results(l, ipsec, pres, ni, port, DP_DIR_IN);
	}
	if (np_ == 0)
		return;
	/* Plain traffic not for us: the inbound policy decides. */
	for (uint16_t i = 0; i < np_; i++)
		if (flows[i].family != AF_INET && flow_of(plain[i], &flows[i]) != 0)
			memset(&flows[i], 0, sizeof(flows[i]));
	dp_spd_lookup(l->gw->spd, l->id, DP_POLICY_DIR_IN, flows, np_, sres);
	for (uint16_t i = 0; i < np_; i++) {
		struct rte_mbuf *e = NULL;

		if (sres[i].verdict != DP_SPD_BYPASS) {
			drop(l, plain[i], sres[i].drop ? (enum dp_drop)sres[i].drop :
							 DP_DROP_NO_POLICY);
			continue;
		}
		if (!ttl_dec(l, plain[i], port, &e)) {
			if (e != NULL)
				errs[ne++] = e;
			continue;
		}
		fwd[nf++] = plain[i];
	}
	dp_gw_count(l->w, DP_GW_C_BYPASS, nf);
	route_send(l, fwd, nf, port);
	route_send(l, errs, ne, NO_PORT);
}

/* The egress MTU toward the outer destination of the SA before (its
 * route and port's MTU), kept across SAs: many tunnels to one peer share
 * it, and then the route is looked up once per burst, not per SA.  Valid
 * until the worker's next quiescent state, like the SA's. */
struct egress_mtu_cache {
	uint8_t family;             /* 0: empty */
	uint8_t dst[16];
	uint32_t mtu;               /* 0: no route */
};

static uint32_t egress_mtu(struct loop *l, const struct dp_addr *dst, struct egress_mtu_cache *e)
{
	size_t len = dst->family == AF_INET ? 4 : 16;
	struct dp_nexthop nh;

	if (e->family == dst->family && memcmp(e->dst, dst->bytes, len) == 0)
		return e->mtu;
	e->family = dst->family;
	memcpy(e->dst, dst->bytes, len);
	e->mtu = dp_route_lookup(l->gw->net, dst->family, dst->bytes, &nh) != 0 ? 0 :
		 dp_net_port_mtu(l->gw->net, nh.port);
	return e->mtu;
}

/* The largest inner packet outbound SA h can carry through its egress
 * port's MTU (RFC 4301 8.2.1), or 0 when unknown (no route, stale SA):
 * then the outer packet is checked after encapsulation instead. */
static uint32_t sa_inner_mtu(struct loop *l, dp_sa_handle_t h, struct egress_mtu_cache *e)
{
	const struct dp_sa *sa = dp_sadb_get(l->gw->ctx->sadb, h);
	const struct dp_sa_params *p;
	const struct dp_addr *dst;
	uint32_t mtu, fixed, blk = 4, iv = 8;

	if (sa == NULL || sa->cold == NULL)
		return 0;
	p = &sa->cold->params;
	dst = p->tun_dst.family != 0 ? &p->tun_dst : &p->dst;
	if (dst->family != AF_INET && dst->family != AF_INET6)
		return 0;
	mtu = egress_mtu(l, dst, e);
	if (mtu == 0)
		return 0;
	fixed = p->mode == DP_MODE_TUNNEL ? (dst->family == AF_INET ? 20u : 40u) : 0u;
	fixed += p->natt_dport != 0 ? 8u : 0u;
	if (p->satype == SADB_SATYPE_AH)
		return mtu > fixed + 12u + 32u ? mtu - fixed - 12u - 32u : 0u; /* ICV <= 32 */
	if (p->encr_alg == SADB_EALG_AES_CBC || p->encr_alg == SADB_EALG_3DESCBC) {
		blk = p->encr_alg == SADB_EALG_AES_CBC ? 16u : 8u;
		iv = blk;
	} else if (p->encr_alg == SADB_EALG_NULL) {
		iv = 0;
	}
	fixed += 8u + iv + (sa->icv_len != 0 ? sa->icv_len : 16u);
	if (mtu < fixed + blk + 2u)
		return 0;
	return (mtu - fixed) / blk * blk - 2u;
}

/* sa_inner_mtu() of the SA the previous packet of a burst went to: a
 * burst's packets mostly share one SA, and what the answer depends on (the
 * SA, the route, the port's MTU) stays valid until the worker's next
 * quiescent state, as it did when looked up per packet. */
struct inner_mtu_cache {
	dp_sa_handle_t sa;          /* DP_SA_HANDLE_INVALID: empty */
	uint32_t mtu;
	struct egress_mtu_cache egress;
};

/* Packets about to be protected that would not fit once encapsulated:
 * IPv6 and DF-set IPv4 get ICMP "too big" toward their source with the
 * inner MTU and are dropped (false); DF-clear IPv4 goes on (its outer
 * packet is fragmented). */
static bool fits_after_encap(struct loop *l, struct rte_mbuf *m, dp_sa_handle_t h,
	uint16_t in_port, struct rte_mbuf **errs, uint16_t *n_err, struct inner_mtu_cache *c)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t inner;
	struct rte_mbuf *e;

	if (h != c->sa || h == DP_SA_HANDLE_INVALID) {
		c->sa = h;
		c->mtu = sa_inner_mtu(l, h, &c->egress);
	}
	inner = c->mtu;

	if (inner == 0 || rte_pktmbuf_pkt_len(m) <= inner || (ip[0] >> 4 == 4 && !dp_ip_df(ip)))
		return true;
	dp_gw_count(l->w, DP_GW_C_TOO_BIG, 1);
	e = dp_icmp_too_big(l->gw->net, l->id, l->gw->mp, m, in_port, inner);
	if (e != NULL && *n_err < BURST)
		errs[(*n_err)++] = e;
	else if (e != NULL)
		rte_pktmbuf_free(e);
	drop(l, m, DP_DROP_UNSUPPORTED);
	return false;
}

/* A packet from a protected port (data at the IP header), as port_in()
 * classifies it: its selectors into *f, then the TTL decrement.  false:
 * consumed (dropped; an ICMP time exceeded appended to errs). */
static inline bool outbound_prep(struct loop *l, struct rte_mbuf *m, uint16_t port,
	struct dp_flow *f, struct rte_mbuf **errs, uint16_t *ne)
{
	struct rte_mbuf *e = NULL;

	if (flow_of(m, f) != 0) {
		drop(l, m, DP_DROP_TRUNCATED);
		return false;
	}
	if (!ttl_dec(l, m, port, &e)) {
		if (e != NULL)
			errs[(*ne)++] = e;
		return false;
	}
	return true;
}

/* The first touches of the burst's outbound SAs (hot lines, cold record,
 * crypto session) start together here instead of one after another in
 * fits_after_encap() and dp_proc: with many tunnels each is a cache and
 * TLB miss (docs/PERFORMANCE.md, "Scale").  Runs of one SA count once. */
static void sa_prefetch(const struct loop *l, const struct dp_spd_result *sres, uint16_t n)
{
	dp_sa_handle_t h[BURST];
	unsigned int nh = 0;

	for (uint16_t i = 0; i < n; i++)
		if (sres[i].verdict == DP_SPD_PROTECT && (nh == 0 || h[nh - 1] != sres[i].sa[0]))
			h[nh++] = sres[i].sa[0];
	dp_sadb_prefetch_burst(l->gw->ctx->sadb, h, nh);
}

/* IP packets from a protected port that outbound_prep() passed, with
 * their selectors. */
static void protected_in(struct loop *l, struct rte_mbuf **live, struct dp_flow *flows,
	uint16_t nl, uint16_t port)
{
	struct rte_mbuf *fwd[BURST], *prot[BURST], *second[BURST], *errs[BURST];
	dp_sa_handle_t sa[BURST], sa2[BURST], sa2_of[BURST];
	struct dp_spd_result sres[BURST];
	struct dp_proc_res pres[BURST];
	struct inner_mtu_cache mc = { .sa = DP_SA_HANDLE_INVALID, .egress.family = 0 };
	uint16_t nf = 0, npr = 0, ns = 0, ne = 0;

	if (nl == 0)
		return;
	dp_spd_lookup(l->gw->spd, l->id, DP_POLICY_DIR_OUT, flows, nl, sres);
	sa_prefetch(l, sres, nl);
	for (uint16_t i = 0; i < nl; i++) {
		switch (sres[i].verdict) {
		case DP_SPD_BYPASS:
			fwd[nf++] = live[i];
			break;
		case DP_SPD_PROTECT:
			if (!fits_after_encap(l, live[i], sres[i].sa[0], port, errs, &ne, &mc))
				break;
			sa[npr] = sres[i].sa[0];
			sa2_of[npr] = sres[i].n_sa > 1 ? sres[i].sa[1] : DP_SA_HANDLE_INVALID;
			prot[npr++] = live[i];
			break;
		case DP_SPD_ACQUIRE:
			drop(l, live[i], DP_DROP_NO_SA);
			break;
		default:
			drop(l, live[i], sres[i].drop ? (enum dp_drop)sres[i].drop :
							DP_DROP_NO_POLICY);
			break;
		}
	}
	dp_gw_count(l->w, DP_GW_C_BYPASS, nf);
	route_send(l, fwd, nf, port);
	route_send(l, errs, ne, NO_PORT);
	if (npr == 0)
		return;
	dp_proc_outbound(l->w->proc, prot, sa, npr, pres);
	/* AH over ESP: the packets ESP protected go through AH now. */
	for (uint16_t i = 0; i < npr; i++) {
		if (pres[i].verdict == DP_PROC_FORWARD && sa2_of[i] != DP_SA_HANDLE_INVALID) {
			sa2[ns] = sa2_of[i];
			second[ns++] = prot[i];
			pres[i].verdict = DP_PROC_HANDOFF; /* moved: skip below */
		}
	}
	proc_results(l, prot, pres, npr, port, DP_DIR_OUT);
	if (ns > 0) {
		dp_proc_outbound(l->w->proc, second, sa2, ns, pres);
		proc_results(l, second, pres, ns, port, DP_DIR_OUT);
	}
}

static bool is_multicast(const uint8_t *mac)
{
	return (mac[0] & 1u) != 0;
}

/* memcmp(a, b, 6) == 0 without the library call. */
static bool mac_eq(const uint8_t *a, const uint8_t *b)
{
	uint32_t a4, b4;
	uint16_t a2, b2;

	memcpy(&a4, a, 4);
	memcpy(&b4, b, 4);
	memcpy(&a2, a + 4, 2);
	memcpy(&b2, b + 4, 2);
	return ((a4 ^ b4) | (uint32_t)(a2 ^ b2)) == 0;
}

/* A burst of frames from port's rx queue. */
static void port_in(struct loop *l, struct rte_mbuf **pkts, uint16_t n, uint16_t port)
{
	const struct dp_gw_port *gp = &l->gw->ports[port];
	struct rte_mbuf *ip[BURST], *errs[BURST];
	struct dp_flow flows[BURST];
	struct inbound_sort in;
	bool prot = gp->role != DP_PORT_UNPROTECTED;
	uint16_t nip = 0, ne = 0;

	in.ni = in.np_ = 0;
	in.np = prot ? NULL : dp_net_port_get(l->gw->net, port);

	for (uint16_t i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *eth = rte_pktmbuf_mtod(m, const uint8_t *);
		uint16_t type;

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		if (rte_pktmbuf_data_len(m) < DP_ETHER_HDR_LEN || m->nb_segs != 1) {
			drop(l, m, DP_DROP_TRUNCATED);
			continue;
		}
		type = dp_get16(eth + 12);
		/* ARP, or IPv6 carrying NS/NA: never IPv4, the common case. */
		if (type != DP_ETHERTYPE_IPV4 && dp_arp_nd_match(m)) {
			switch (dp_arp_nd_input(l->gw->net, l->id, m, port, &l->out)) {
			case DP_ARP_ND_CONSUMED:
				break;
			case DP_ARP_ND_SHARE:
				/* A reply: the kernel behind the TAP may have
				 * asked too. */
				if (gp->has_tap)
					to_tap(l, m, port);
				else
					rte_pktmbuf_free(m);
				break;
			default:
				drop(l, m, DP_DROP_UNSUPPORTED);
				break;
			}
			continue;
		}
		if (type != DP_ETHERTYPE_IPV4 && type != DP_ETHERTYPE_IPV6) {
			dp_gw_count(l->w, DP_GW_C_NOT_IP, 1);
			if (gp->has_tap)
				to_tap(l, m, port); /* LLDP and the like: the kernel's */
			else
				drop(l, m, DP_DROP_UNSUPPORTED);
			continue;
		}
		if (!is_multicast(eth) && !mac_eq(eth, gp->mac)) {
			drop(l, m, DP_DROP_NOT_FOR_US);
			continue;
		}
		rte_pktmbuf_adj(m, DP_ETHER_HDR_LEN);
		/* Packets are parsed and sorted here, while m is at hand: one
		 * pass over the burst's mbufs fewer. */
		if (!prot) {
			inbound_sort(l, m, port, &in);
			continue;
		}
		if (!outbound_prep(l, m, port, &flows[nip], errs, &ne))
			continue;
		ip[nip++] = m;
	}
	if (!prot) {
		unprotected_in(l, &in, port);
		return;
	}
	route_send(l, errs, ne, NO_PORT);
	protected_in(l, ip, flows, nip, port);
}

/* IKE (UDP 500, 4500) from the kernel always leaves in the clear. */
static bool is_ike(const struct dp_flow *f)
{
	return f->proto == DP_IPPROTO_UDP && (f->sport == 500 || f->sport == UDP_NATT_PORT ||
					      f->dport == 500 || f->dport == UDP_NATT_PORT);
}

/* Frames the kernel sent on port's TAP: IP packets a PROTECT policy
 * covers (transport mode between the gateways, say) are protected and
 * routed; DISCARD and ACQUIRE drop; everything else (no policy, bypass,
 * IKE, ARP/ND) leaves the port as the kernel built it. */
static void tap_out(struct loop *l, struct rte_mbuf **pkts, uint16_t n, uint16_t port)
{
	struct rte_mbuf *asis[BURST], *cand[BURST], *prot[BURST], *errs[BURST];
	dp_sa_handle_t sa[BURST];
	struct dp_flow flows[BURST];
	struct dp_spd_result sres[BURST];
	struct dp_proc_res pres[BURST];
	struct inner_mtu_cache mc = { .sa = DP_SA_HANDLE_INVALID, .egress.family = 0 };
	uint16_t na = 0, nc = 0, np_ = 0, ne = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const uint8_t *eth = rte_pktmbuf_mtod(m, const uint8_t *);
		uint16_t type = rte_pktmbuf_data_len(m) >= DP_ETHER_HDR_LEN ? dp_get16(eth + 12) : 0;

		if ((type != DP_ETHERTYPE_IPV4 && type != DP_ETHERTYPE_IPV6) || m->nb_segs != 1 ||
		    dp_arp_nd_match(m)) {
			asis[na++] = m;
			continue;
		}
		rte_pktmbuf_adj(m, DP_ETHER_HDR_LEN);
		if (flow_of(m, &flows[nc]) != 0 || is_ike(&flows[nc])) {
			rte_pktmbuf_prepend(m, DP_ETHER_HDR_LEN);
			asis[na++] = m;
			continue;
		}
		cand[nc++] = m;
	}
	if (nc > 0)
		dp_spd_lookup(l->gw->spd, l->id, DP_POLICY_DIR_OUT, flows, nc, sres);
	for (uint16_t i = 0; i < nc; i++) {
		switch (sres[i].verdict) {
		case DP_SPD_PROTECT:
			if (fits_after_encap(l, cand[i], sres[i].sa[0], port, errs, &ne, &mc)) {
				sa[np_] = sres[i].sa[0];
				prot[np_++] = cand[i];
			}
			break;
		case DP_SPD_ACQUIRE:
			drop(l, cand[i], DP_DROP_NO_SA);
			break;
		case DP_SPD_BYPASS:
			rte_pktmbuf_prepend(cand[i], DP_ETHER_HDR_LEN);
			asis[na++] = cand[i];
			break;
		default:
			/* No policy names the gateway's own traffic: it leaves
			 * as the kernel sent it.  DISCARD drops. */
			if (sres[i].drop != DP_DROP_NO_POLICY) {
				drop(l, cand[i], (enum dp_drop)sres[i].drop);
				break;
			}
			rte_pktmbuf_prepend(cand[i], DP_ETHER_HDR_LEN);
			asis[na++] = cand[i];
			break;
		}
	}
	dp_gw_count(l->w, DP_GW_C_EXCEPTION_OUT, na);
	dp_gw_tx(l->gw, l->id, port, false, asis, na);
	route_send(l, errs, ne, NO_PORT);
	if (np_ > 0) {
		dp_proc_outbound(l->w->proc, prot, sa, np_, pres);
		proc_results(l, prot, pres, np_, port, DP_DIR_OUT);
	}
	flush(l);
}

static uint16_t poll_one(struct loop *l, const struct dp_gw_poll *p)
{
	struct rte_mbuf *pkts[BURST];
	const struct dp_gw_port *gp = &l->gw->ports[p->port];
	uint16_t n;

	if (p->tap) {
		n = rte_eth_rx_burst(gp->tap, 0, pkts, BURST);
		if (n > 0)
			tap_out(l, pkts, n, p->port);
		return n;
	}
	n = rte_eth_rx_burst(gp->eth, p->queue, pkts, BURST);
	if (n > 0) {
		dp_gw_count(l->w, DP_GW_C_RX, n);
		port_in(l, pkts, n, p->port);
		flush(l);
	}
	return n;
}

/* Handed-over and released packets; their arrival port is not kept, so
 * they raise no ICMP error and exceptions among them are dropped. */
static uint16_t poll_proc(struct loop *l)
{
	struct rte_mbuf *pkts[BURST];
	struct dp_proc_res res[BURST];
	uint16_t n, total = 0;

	n = dp_proc_handoff_poll(l->w->proc, pkts, BURST, res);
	proc_results(l, pkts, res, n, NO_PORT, 0);
	total += n;
	n = dp_proc_hold_poll(l->w->proc, pkts, BURST, res);
	proc_results(l, pkts, res, n, NO_PORT, 0);
	total += n;
	if (l->gw->net != NULL)
		total += dp_neigh_pending_poll(l->gw->net, l->id, l->gw->mp, &l->out);
	flush(l);
	return total;
}

static void sleep_us(uint32_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000 };

	nanosleep(&ts, NULL);
}

int dp_gw_worker_run(struct dp_gw *gw, unsigned int worker, const volatile int *stop)
{
	struct loop *l;
	uint32_t sleep;
	int err;

	if (gw == NULL || stop == NULL || worker >= gw->ctx->cfg.workers || !gw->started)
		return -EINVAL;
	l = rte_zmalloc("dp_loop", sizeof(*l), RTE_CACHE_LINE_SIZE);
	if (l == NULL)
		return -ENOMEM;
	err = dp_worker_register(gw->ctx, worker);
	if (err != 0) {
		rte_free(l);
		return err;
	}
	l->gw = gw;
	l->w = &gw->w[worker];
	l->id = worker;
	l->out = (struct dp_net_tx){ .pkts = l->out_pkts, .ports = l->out_ports, .max = OUT_MAX };
	sleep = gw->cfg.sleep_min_us ? gw->cfg.sleep_min_us : 1;
	while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
		uint32_t got = 0;

		dp_worker_quiescent(gw->ctx, worker);
		for (unsigned int i = 0; i < l->w->n_poll; i++)
			got += poll_one(l, &l->w->poll[i]);
		if (got != 0)
			__atomic_store_n(&gw->last_rx_tsc, rte_get_tsc_cycles(), __ATOMIC_RELAXED);
		got += poll_proc(l);
		if (got != 0) {
			sleep = gw->cfg.sleep_min_us ? gw->cfg.sleep_min_us : 1;
			continue;
		}
		if (gw->cfg.busy_poll)
			continue;
		dp_worker_offline(gw->ctx, worker);
		sleep_us(sleep);
		dp_worker_online(gw->ctx, worker);
		sleep = sleep * 2 > gw->cfg.sleep_max_us ? gw->cfg.sleep_max_us : sleep * 2;
		if (sleep == 0)
			sleep = 1;
	}
	flush(l);
	dp_worker_unregister(gw->ctx, worker);
	rte_free(l);
	return 0;
}
