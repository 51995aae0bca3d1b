/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_icmp.c: ICMP errors and outer IPv4 fragmentation (see dp_icmp.h). */
#include "dp_icmp.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "dp_arp_nd.h"
#include "dp_net_priv.h"

#define ICMP4_UNREACH 3u
#define ICMP4_FRAG_NEEDED 4u
#define ICMP4_TIME_EXCEEDED 11u
#define ICMP6_TOO_BIG 2u
#define ICMP6_TIME_EXCEEDED 3u
#define ICMP_TOS 0xc0u           /* RFC 1812 4.3.2.5: internetwork control */
#define ICMP_TTL 64u
#define IP4_DF 0x4000u
#define IP4_MF 0x2000u
#define IP4_OFFMASK 0x1fffu

enum icmp_kind { KIND_TOO_BIG, KIND_TIME_EXCEEDED };

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t csum(const uint8_t *p, uint32_t len)
{
	uint32_t sum = 0;

	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void ipv4_csum_set(uint8_t *ip)
{
	put16(ip + 10, 0);
	put16(ip + 10, csum(ip, 20));
}

/* GCRA token bucket: conforming when now >= tat - (burst - 1) * T. */
static bool rate_ok(struct dp_net *net, struct dp_net_worker *w)
{
	uint64_t now = rte_get_tsc_cycles(), t, tau, tat = w->icmp_tokens_tsc;

	if (net->cfg.icmp_rate == 0)
		return false;
	t = net->tsc_hz / net->cfg.icmp_rate;
	tau = t * (net->cfg.icmp_burst - 1);
	if (tat > now + tau)
		return false;
	w->icmp_tokens_tsc = (tat > now ? tat : now) + t;
	return true;
}

static bool v4_bad_source(const uint8_t *a)
{
	return a[0] == 0 || a[0] == 127 || a[0] >= 224; /* this net, loopback, mcast, bcast */
}

/* Whether RFC 1812 4.3.2.7 / RFC 4443 2.4(e) forbid an error about ip. */
static bool suppressed(const uint8_t *ip, uint32_t len, enum icmp_kind kind)
{
	if (ip[0] >> 4 == 4) {
		uint32_t ihl = (uint32_t)(ip[0] & 15) * 4;

		if ((get16(ip + 6) & IP4_OFFMASK) != 0 || v4_bad_source(ip + 12) ||
		    ip[16] >= 224)
			return true;
		if (ip[9] == 1 && len > ihl) { /* ICMP: no error about an error */
			uint8_t type = ip[ihl];

			return type == 3 || type == 4 || type == 5 || type == 11 || type == 12 ||
				len < ihl + 1;
		}
		return false;
	}
	static const uint8_t unspec[16], loop[16] = { [15] = 1 };

	if (ip[8] == 0xff || memcmp(ip + 8, unspec, 16) == 0 || memcmp(ip + 8, loop, 16) == 0)
		return true;
	if (ip[24] == 0xff && kind != KIND_TOO_BIG) /* 2.4(e.3): too-big is allowed */
		return true;
	return ip[6] == 58 && len > 40 && ip[40] < 128; /* an ICMPv6 error */
}

static struct rte_mbuf *icmp_error(struct dp_net *net, unsigned int worker,
	struct rte_mempool *mp, const struct rte_mbuf *orig, unsigned int in_port,
	enum icmp_kind kind, uint32_t mtu)
{
	struct dp_net_worker *w = &net->w[worker];
	const uint8_t *ip = rte_pktmbuf_mtod(orig, const uint8_t *), *src;
	uint32_t len = rte_pktmbuf_data_len(orig), quote, hlen;
	const struct dp_net_port *p = dp_net_port_get(net, in_port);
	struct rte_mbuf *m;
	uint8_t *o, *icmp, family;

	if (len >= 20 && ip[0] >> 4 == 4 && (ip[0] & 15) >= 5 &&
	    len >= (uint32_t)(ip[0] & 15) * 4) {
		family = AF_INET;
		hlen = 20;
		if (get16(ip + 2) < len)
			len = get16(ip + 2);
		quote = len < DP_ICMP4_ERROR_MAX - 28 ? len : DP_ICMP4_ERROR_MAX - 28;
	} else if (len >= 40 && ip[0] >> 4 == 6) {
		family = AF_INET6;
		hlen = 40;
		if (40u + get16(ip + 4) < len)
			len = 40u + get16(ip + 4);
		quote = len < DP_ICMP6_ERROR_MAX - 48 ? len : DP_ICMP6_ERROR_MAX - 48;
	} else {
		dp_net_count(w, DP_NET_C_ICMP_SUPPRESSED, 1);
		return NULL;
	}
	src = p == NULL ? NULL : dp_net_port_src(p, family, ip + (family == AF_INET ? 12 : 8));
	if (src == NULL || suppressed(ip, len, kind)) {
		dp_net_count(w, DP_NET_C_ICMP_SUPPRESSED, 1);
		return NULL;
	}
	if (!rate_ok(net, w)) {
		dp_net_count(w, DP_NET_C_ICMP_RATE_LIMITED, 1);
		return NULL;
	}
	m = rte_pktmbuf_alloc(mp);
	o = m == NULL ? NULL : (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(hlen + 8 + quote));
	if (o == NULL) {
		rte_pktmbuf_free(m);
		dp_net_count(w, DP_NET_C_NO_BUFFER, 1);
		return NULL;
	}
	icmp = o + hlen;
	memset(icmp, 0, 8);
	memcpy(icmp + 8, ip, quote);
	if (family == AF_INET) {
		o[0] = 0x45;
		o[1] = ICMP_TOS;
		put16(o + 2, (uint16_t)(28 + quote));
		put16(o + 4, w->ip_id++);
		put16(o + 6, 0);
		o[8] = ICMP_TTL;
		o[9] = 1;
		memcpy(o + 12, src, 4);
		memcpy(o + 16, ip + 12, 4);
		ipv4_csum_set(o);
		if (kind == KIND_TOO_BIG) {
			icmp[0] = ICMP4_UNREACH;
			icmp[1] = ICMP4_FRAG_NEEDED;
			put16(icmp + 6, (uint16_t)(mtu > 0xffff ? 0xffff : mtu));
		} else {
			icmp[0] = ICMP4_TIME_EXCEEDED;
		}
		put16(icmp + 2, csum(icmp, 8 + quote));
	} else {
		o[0] = 0x60;
		o[1] = o[2] = o[3] = 0;
		put16(o + 4, (uint16_t)(8 + quote));
		o[6] = 58;
		o[7] = ICMP_TTL;
		memcpy(o + 8, src, 16);
		memcpy(o + 24, ip + 8, 16);
		if (kind == KIND_TOO_BIG) {
			icmp[0] = ICMP6_TOO_BIG;
			/* RFC 8201 5: never below the IPv6 minimum. */
			mtu = mtu < 1280 ? 1280 : mtu;
			icmp[4] = (uint8_t)(mtu >> 24);
			icmp[5] = (uint8_t)(mtu >> 16);
			icmp[6] = (uint8_t)(mtu >> 8);
			icmp[7] = (uint8_t)mtu;
		} else {
			icmp[0] = ICMP6_TIME_EXCEEDED;
		}
		put16(icmp + 2, dp_icmp6_csum(o, icmp, 8 + quote));
	}
	dp_net_count(w, kind == KIND_TOO_BIG ? DP_NET_C_ICMP_TOO_BIG :
		DP_NET_C_ICMP_TIME_EXCEEDED, 1);
	return m;
}

struct rte_mbuf *dp_icmp_too_big(struct dp_net *net, unsigned int worker,
	struct rte_mempool *mp, const struct rte_mbuf *orig, unsigned int in_port, uint32_t mtu)
{
	return icmp_error(net, worker, mp, orig, in_port, KIND_TOO_BIG, mtu);
}

struct rte_mbuf *dp_icmp_time_exceeded(struct dp_net *net, unsigned int worker,
	struct rte_mempool *mp, const struct rte_mbuf *orig, unsigned int in_port)
{
	return icmp_error(net, worker, mp, orig, in_port, KIND_TIME_EXCEEDED, 0);
}

int dp_frag_ipv4(struct dp_net *net, unsigned int worker, struct rte_mbuf *m, uint16_t mtu,
	struct rte_mempool *mp, struct rte_mbuf **out, unsigned int max)
{
	const uint8_t *ip;
	uint32_t tot, payload, chunk, nfrag, off0;
	uint16_t fl;

	if (m == NULL || mp == NULL || out == NULL || max == 0)
		return -EINVAL;
	if (!rte_pktmbuf_is_contiguous(m))
		return -ENOTSUP;
	ip = rte_pktmbuf_mtod(m, const uint8_t *);
	if (rte_pktmbuf_data_len(m) < 20 || ip[0] >> 4 != 4)
		return -EINVAL;
	if ((ip[0] & 15) != 5)
		return -ENOTSUP;
	tot = get16(ip + 2);
	if (tot < 20 || tot > rte_pktmbuf_data_len(m))
		return -EINVAL;
	if (tot <= mtu) {
		out[0] = m;
		return 1;
	}
	fl = get16(ip + 6);
	if (fl & IP4_DF)
		return -EMSGSIZE;
	if (mtu < 28)
		return -EINVAL;
	chunk = (uint32_t)(mtu - 20) / 8 * 8;
	payload = tot - 20;
	nfrag = (payload + chunk - 1) / chunk;
	if (nfrag > max)
		return -E2BIG;
	off0 = (uint32_t)(fl & IP4_OFFMASK);
	for (uint32_t i = 0; i < nfrag; i++) {
		uint32_t dlen = payload - i * chunk < chunk ? payload - i * chunk : chunk;
		struct rte_mbuf *f = rte_pktmbuf_alloc(mp);
		uint8_t *d = f == NULL ? NULL :
			(uint8_t *)rte_pktmbuf_append(f, (uint16_t)(20 + dlen));
		bool last = i + 1 == nfrag;

		if (d == NULL) {
			rte_pktmbuf_free(f);
			for (uint32_t j = 0; j < i; j++)
				rte_pktmbuf_free(out[j]);
			dp_net_count(&net->w[worker], DP_NET_C_NO_BUFFER, 1);
			return -ENOBUFS;
		}
		memcpy(d, ip, 20);
		memcpy(d + 20, ip + 20 + i * chunk, dlen);
		put16(d + 2, (uint16_t)(20 + dlen));
		put16(d + 6, (uint16_t)((off0 + i * chunk / 8) |
			(!last || (fl & IP4_MF) ? IP4_MF : 0)));
		ipv4_csum_set(d);
		f->port = m->port;
		out[i] = f;
	}
	rte_pktmbuf_free(m);
	dp_net_count(&net->w[worker], DP_NET_C_FRAGMENTS_OUT, nfrag);
	return (int)nfrag;
}

int dp_frag_in_drop(struct dp_net *net, unsigned int worker, struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off = 40;
	uint8_t nh;
	bool frag = false;

	if (len >= 20 && ip[0] >> 4 == 4) {
		frag = (get16(ip + 6) & (IP4_MF | IP4_OFFMASK)) != 0 &&
			(ip[9] == 50 || ip[9] == 51);
	} else if (len >= 40 && ip[0] >> 4 == 6) {
		nh = ip[6];
		/* Hop-by-hop, routing, destination options, then a fragment
		 * header naming ESP or AH. */
		while ((nh == 0 || nh == 43 || nh == 60) && off + 8 <= len) {
			nh = ip[off];
			off += ((uint32_t)ip[off + 1] + 1) * 8;
		}
		frag = nh == 44 && off + 8 <= len && (ip[off] == 50 || ip[off] == 51);
	}
	if (!frag)
		return 0;
	rte_pktmbuf_free(m);
	dp_net_count(&net->w[worker], DP_NET_C_FRAGMENT_IN_DROPPED, 1);
	return 1;
}
