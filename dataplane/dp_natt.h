/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_natt.h: UDP encapsulation of ESP (RFC 3948).
 *
 * Inbound, a UDP datagram to port 4500 is one of:
 *   - a NAT keepalive: one byte 0xFF (RFC 3948 section 2.3);
 *   - IKE: the payload starts with the 4-byte non-ESP marker (zero);
 *   - ESP: anything else (the first 4 bytes are the nonzero SPI).
 * The first two are not the dataplane's: they go to the exception path
 * (the IKE daemon's socket), unchanged.
 *
 * Outbound, ESP is carried in UDP with the SA's ports.  The UDP checksum is
 * 0 over IPv4 (RFC 3948 section 2.1 allows it) and computed over IPv6
 * (RFC 8200 forbids 0; RFC 6935's exception is not assumed of the peer).
 *
 * Pure C on byte buffers.
 */
#ifndef DP_NATT_H
#define DP_NATT_H

#include <stdint.h>

#define DP_NATT_PORT 4500u
#define DP_UDP_HDR_LEN 8u

enum dp_natt_kind {
	DP_NATT_ESP = 0,       /* ESP follows the UDP header */
	DP_NATT_KEEPALIVE,     /* exception path (or discard) */
	DP_NATT_IKE,           /* non-ESP marker: exception path */
	DP_NATT_TRUNCATED,     /* shorter than an ESP header: drop */
};

/* Classify the UDP payload of a datagram to DP_NATT_PORT (len bytes). */
enum dp_natt_kind dp_natt_classify(const uint8_t *payload, uint32_t len);

/* Write a UDP header at udp: ports (host order), length of header and
 * payload, checksum 0 (dp_ipv6_udp_csum() fills it for IPv6 later). */
void dp_natt_udp_build(uint8_t *udp, uint16_t sport, uint16_t dport, uint16_t udp_len);

#endif /* DP_NATT_H */
