/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_ip.h: IPv4/IPv6 header helpers for the ESP/AH packet path.
 *
 * Pure C on byte buffers (no DPDK): header validation, the Internet
 * checksum, the IPv6 extension header walk, DSCP/ECN (RFC 6040) and DF.
 * Every function that reads a packet takes its length and never reads past
 * it; validators return DP_DROP_NONE or the reason to drop.
 *
 * TTL / hop limit (RFC 4301 section 5.1.2): the encapsulator builds the
 * outer header with DP_IP_TTL_DEFAULT and leaves the inner header as it is;
 * decrementing the inner TTL is the forwarding step's job (the gateway's
 * router, once per hop, before encapsulation or after decapsulation), not
 * the IPsec layer's -- dp_ip_ttl_dec() is for that step.
 */
#ifndef DP_IP_H
#define DP_IP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dpsec/dp.h"

#define DP_IP_TTL_DEFAULT 64u
#define DP_IPV4_HDR_LEN 20u
#define DP_IPV6_HDR_LEN 40u

#define DP_IPPROTO_HOPOPTS 0u
#define DP_IPPROTO_IPIP 4u
#define DP_IPPROTO_TCP 6u
#define DP_IPPROTO_UDP 17u
#define DP_IPPROTO_IPV6 41u
#define DP_IPPROTO_ROUTING 43u
#define DP_IPPROTO_FRAGMENT 44u
#define DP_IPPROTO_ESP 50u
#define DP_IPPROTO_AH 51u
#define DP_IPPROTO_NONE 59u
#define DP_IPPROTO_DSTOPTS 60u

/* ECN codepoints (RFC 3168). */
#define DP_ECN_NOT_ECT 0u
#define DP_ECN_ECT1 1u
#define DP_ECN_ECT0 2u
#define DP_ECN_CE 3u

/* What dp_ip_parse() learnt about a packet starting at an IP header. */
struct dp_ip_info {
	uint8_t version;   /* 4 or 6 */
	uint8_t proto;     /* protocol after the last header walked */
	uint16_t hdr_len;  /* IPv4: IHL*4; IPv6: 40 + extension headers walked */
	uint16_t tot_len;  /* datagram length from the header (<= buffer) */
	/* IPv6: offset of the next-header byte that names `proto` (6 for the
	 * fixed header, else inside the last extension header); IPv4: 9. */
	uint16_t nh_off;
	bool fragment;     /* IPv4 MF/offset, or an IPv6 fragment header */
};

static inline uint16_t dp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void dp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t dp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void dp_put32(uint8_t *p, uint32_t v)
{
	dp_put16(p, (uint16_t)(v >> 16));
	dp_put16(p + 2, (uint16_t)v);
}

static inline void dp_put64(uint8_t *p, uint64_t v)
{
	dp_put32(p, (uint32_t)(v >> 32));
	dp_put32(p + 4, (uint32_t)v);
}

/* One's complement sum of len bytes added to sum (not folded). */
uint32_t dp_ip_csum_add(uint32_t sum, const uint8_t *p, uint32_t len);

/* Fold and complement.  Two folds take any 32-bit sum to 16 bits: the
 * first leaves at most 0x1fffe, the second at most 0xffff.  Inline: the
 * forwarding step calls it once per packet (dp_ip_ttl_dec). */
static inline uint16_t dp_ip_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Recompute the IPv4 header checksum in place. */
void dp_ipv4_csum_set(uint8_t *ip);

/* UDP checksum over IPv6 (RFC 8200 8.1), udp_len bytes at udp (checksum
 * field included, zeroed by the caller first).  0 is sent as 0xffff. */
uint16_t dp_ipv6_udp_csum(const uint8_t *ip6, const uint8_t *udp, uint32_t udp_len);

/* Validate the IP header at p (len bytes available) and fill *info.  With
 * walk_ext, IPv6 extension headers (hop-by-hop, routing, fragment,
 * destination options) are walked and proto is the first other one; else
 * proto is the fixed header's next header.  DP_DROP_NONE, TRUNCATED (header
 * or datagram longer than len), or BAD_LENGTH (inconsistent header). */
enum dp_drop dp_ip_parse(const uint8_t *p, uint32_t len, bool walk_ext, struct dp_ip_info *info);

/* dp_ip_parse() with the common case inline: IPv4 without options (first
 * byte 0x45) whose datagram fits the buffer is described here, in the
 * caller's pass over its packets; anything else goes to dp_ip_parse().
 * Same result and *info as dp_ip_parse() for every input (test_ip checks
 * it). */
static inline enum dp_drop dp_ip_parse_fast(const uint8_t *p, uint32_t len, bool walk_ext,
	struct dp_ip_info *info)
{
	if (len >= DP_IPV4_HDR_LEN && p[0] == 0x45) {
		uint32_t tot = dp_get16(p + 2);

		if (tot >= DP_IPV4_HDR_LEN && tot <= len) {
			*info = (struct dp_ip_info){ .version = 4, .proto = p[9],
				.hdr_len = DP_IPV4_HDR_LEN, .tot_len = (uint16_t)tot, .nh_off = 9,
				.fragment = (dp_get16(p + 6) & 0x3fffu) != 0 };
			return DP_DROP_NONE;
		}
	}
	return dp_ip_parse(p, len, walk_ext, info);
}

/* IPv6 transport mode: where ESP/AH goes (RFC 4303 3.1.1, RFC 4302 3.1.1):
 * after hop-by-hop, routing and fragment headers, and after destination
 * options that precede a routing header; destination options for the final
 * destination stay inside.  *off gets the insertion offset, *nh_off the
 * offset of the next-header byte to rewrite, *proto the protocol that byte
 * named.  DP_DROP_NONE or TRUNCATED/BAD_LENGTH. */
enum dp_drop dp_ipv6_insert_point(const uint8_t *p, uint32_t len, uint16_t *off,
	uint16_t *nh_off, uint8_t *proto);

/* Zero the mutable parts of an IP header chain for the AH ICV (RFC 4302
 * 3.3.3.1): IPv4 TOS, flags/fragment offset, TTL, checksum (options are
 * not supported: IHL must be 5); IPv6 traffic class, flow label, hop limit,
 * and the data of hop-by-hop/destination options whose type has the
 * "may change" bit (0x20).  hdr_len: bytes before the AH header.  -EINVAL
 * for a chain it cannot handle (IPv4 options, a routing header). */
int dp_ip_ah_zero_mutable(uint8_t *p, uint32_t hdr_len);

/* DSCP and ECN of an IP header. */
static inline uint8_t dp_ip_tos(const uint8_t *p)
{
	if ((p[0] >> 4) == 4)
		return p[1];
	return (uint8_t)((p[0] & 0x0f) << 4 | p[1] >> 4);
}

static inline void dp_ip_set_tos(uint8_t *p, uint8_t tos)
{
	if ((p[0] >> 4) == 4) {
		p[1] = tos;
		return;
	}
	p[0] = (uint8_t)((p[0] & 0xf0) | tos >> 4);
	p[1] = (uint8_t)((p[1] & 0x0f) | (tos & 0x0f) << 4);
}

/* RFC 6040 encapsulation: the outer ECN field.  Normal mode copies the
 * inner field (CE included); compatibility mode sets Not-ECT. */
static inline uint8_t dp_ecn_encap(uint8_t inner_ecn, bool compat)
{
	return compat ? DP_ECN_NOT_ECT : inner_ecn;
}

/* RFC 6040 section 4.2 decapsulation: the inner ECN field to forward, or
 * -1 to drop (outer CE on a Not-ECT inner packet).  Table rows = inner,
 * columns = outer:
 *             Not-ECT  ECT(0)  ECT(1)  CE
 *   Not-ECT   Not-ECT  Not-ECT Not-ECT drop
 *   ECT(0)    ECT(0)   ECT(0)  ECT(1)  CE
 *   ECT(1)    ECT(1)   ECT(1)  ECT(1)  CE
 *   CE        CE       CE      CE      CE
 * (Not-ECT/ECT(0) outer under ECT(1) inner and similar "currently unused"
 * combinations forward the inner value, as the RFC says.) */
static inline int dp_ecn_decap(uint8_t inner, uint8_t outer)
{
	if (outer == DP_ECN_CE)
		return inner == DP_ECN_NOT_ECT ? -1 : (int)DP_ECN_CE;
	if (outer == DP_ECN_ECT1 && inner == DP_ECN_ECT0)
		return (int)DP_ECN_ECT1;
	return inner;
}

/* The inner IPv4 DF bit (false for IPv6). */
static inline bool dp_ip_df(const uint8_t *p)
{
	return (p[0] >> 4) == 4 && (p[6] & 0x40) != 0;
}

/* Decrement TTL/hop limit for forwarding (fixing the IPv4 checksum
 * incrementally, RFC 1624).  false when it would reach 0: drop,
 * DP_DROP_TTL_EXCEEDED.  For the gateway's forwarding step, once per
 * packet: inline.
 *
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), m the TTL/protocol word.  With
 * m' = m - 0x100 (TTL >= 2: no borrow), ~m + m' = 0xffff - m + m - 0x100 =
 * 0xfeff whatever the word holds, so only the checksum is read.  Over a
 * valid header the result equals a full recompute: neither form yields
 * 0xffff, and they agree modulo 0xffff.  dp_ipv4_ttl_dec: p is known to be
 * IPv4 (the caller parsed it). */
static inline bool dp_ipv4_ttl_dec(uint8_t *p)
{
	if (p[8] <= 1)
		return false;
	p[8]--;
	dp_put16(p + 10, dp_ip_csum_fold((uint32_t)(uint16_t)~dp_get16(p + 10) + 0xfeffu));
	return true;
}

/* dp_ipv4_ttl_dec() or the IPv6 hop limit, by the version at p. */
static inline bool dp_ip_ttl_dec(uint8_t *p)
{
	if ((p[0] >> 4) == 6) {
		if (p[7] <= 1)
			return false;
		p[7]--;
		return true;
	}
	return dp_ipv4_ttl_dec(p);
}

#endif /* DP_IP_H */
