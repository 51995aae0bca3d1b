/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_icmp.h: the ICMP errors the gateway originates, and outer-packet
 * fragmentation (RFC 4301 section 8 path MTU handling).
 *
 * MTU rule for the worker loop, per packet about to be encapsulated:
 *   outer length = inner length + the SA's overhead.  If it fits the
 *   egress port's MTU, go on.  Else, if the inner packet is IPv6 or an IPv4
 *   packet with DF set, drop it and send dp_icmp_too_big() toward its
 *   source with mtu = port MTU - overhead (RFC 4301 8.2.1, RFC 1191/8201).
 *   Else encapsulate and split the outer IPv4 packet with dp_frag_ipv4()
 *   (the outer DF follows the SA's DF flags; DF_COPY leaves it clear for
 *   an inner DF-clear packet).
 * Inbound fragments of ESP/AH/UDP-encapsulated ESP are not reassembled:
 * dp_frag_in_drop() drops and counts them (fragment-in-dropped).
 *
 * Errors are rate-limited per worker by a token bucket (icmp_rate per
 * second, icmp_burst deep) and never sent about an ICMP error, a multicast
 * or broadcast destination, an unspecified/multicast/loopback source, or a
 * non-first fragment (RFC 1812 4.3.2.7, RFC 4443 2.4(e)).  The error is an
 * IP packet (no Ethernet header): the caller routes and resolves it like
 * forwarded traffic.  Its source is the ingress port's address.
 */
#ifndef DP_ICMP_H
#define DP_ICMP_H

#include <stdint.h>

struct rte_mbuf;
struct rte_mempool;
struct dp_net;

/* Largest datagram an error may be (RFC 1812 4.3.2.3; RFC 4443 2.4(c)). */
#define DP_ICMP4_ERROR_MAX 576u
#define DP_ICMP6_ERROR_MAX 1280u

/* "Fragmentation needed" (type 3 code 4, next-hop MTU) or ICMPv6 "packet
 * too big" about orig (data at its IP header; left unchanged, still the
 * caller's), from an address of in_port.  NULL when suppressed, rate
 * limited or out of buffers (each counted).  WORKER. */
struct rte_mbuf *dp_icmp_too_big(struct dp_net *net, unsigned int worker,
	struct rte_mempool *mp, const struct rte_mbuf *orig, unsigned int in_port, uint32_t mtu);

/* "Time exceeded in transit" (ICMP 11/0, ICMPv6 3/0) about orig. */
struct rte_mbuf *dp_icmp_time_exceeded(struct dp_net *net, unsigned int worker,
	struct rte_mempool *mp, const struct rte_mbuf *orig, unsigned int in_port);

/* Split IPv4 packet m (data at its header, no options, single segment)
 * into fragments of at most mtu bytes, copied into mbufs from mp (whose
 * data room must hold mtu bytes past the headroom, which is left for the
 * Ethernet header).  On success m is freed and
 * out[0..ret) are the fragments; a packet that fits is returned as is
 * (ret 1, out[0] = m).  -EMSGSIZE: DF is set; -E2BIG: more than max
 * fragments; -ENOTSUP: options or chained mbuf; -ENOBUFS; -EINVAL.  On
 * error m is untouched.  WORKER. */
int dp_frag_ipv4(struct dp_net *net, unsigned int worker, struct rte_mbuf *m, uint16_t mtu,
	struct rte_mempool *mp, struct rte_mbuf **out, unsigned int max);

/* m (data at its IP header) is a fragment of ESP or AH -- IPv4 with MF or
 * an offset and protocol 50/51, or IPv6 whose fragment header (after
 * hop-by-hop/routing/destination options) names 50/51: free it, count
 * fragment-in-dropped and return 1; else 0 (m untouched).  UDP fragments
 * are left alone: IKE relies on IP fragmentation, and the exception path's
 * kernel reassembles them.  WORKER. */
int dp_frag_in_drop(struct dp_net *net, unsigned int worker, struct rte_mbuf *m);

#endif /* DP_ICMP_H */
