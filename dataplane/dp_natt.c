/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_natt.c: ESP in UDP (see dp_natt.h). */
#include "dp_natt.h"

#include "dp_ip.h"

enum dp_natt_kind dp_natt_classify(const uint8_t *payload, uint32_t len)
{
	if (len == 1 && payload[0] == 0xff)
		return DP_NATT_KEEPALIVE;
	if (len >= 4 && dp_get32(payload) == 0)
		return DP_NATT_IKE;
	if (len < 8)
		return DP_NATT_TRUNCATED;
	return DP_NATT_ESP;
}

void dp_natt_udp_build(uint8_t *udp, uint16_t sport, uint16_t dport, uint16_t udp_len)
{
	dp_put16(udp, sport);
	dp_put16(udp + 2, dport);
	dp_put16(udp + 4, udp_len);
	dp_put16(udp + 6, 0);
}
