/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_spd.h: dataplane-internal helpers of the SPD (dp_spd.c).  The API is
 * in dpsec/dp.h ("Security policy database").
 */
#ifndef DP_SPD_H
#define DP_SPD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dpsec/dp.h"

/* Does flow f, travelling in direction dir (DP_POLICY_DIR_IN or _OUT),
 * match selector s?  The reference semantics the rte_acl contexts compile:
 * used by the post-decapsulation check.  ANY. */
bool dp_spd_selector_match(const struct dp_selector *s, uint8_t dir, const struct dp_flow *f);

/* Is proto ICMP in this family (1 in IPv4, 58 in IPv6)?  ANY. */
static inline bool dp_spd_is_icmp(uint8_t family, uint8_t proto)
{
	return (family == AF_INET && proto == 1) || (family == AF_INET6 && proto == 58);
}

#endif /* DP_SPD_H */
