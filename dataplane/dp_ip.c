/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_ip.c: IPv4/IPv6 header helpers (see dp_ip.h). */
#include "dp_ip.h"

#include <errno.h>

uint32_t dp_ip_csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += dp_get16(p + i);
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

void dp_ipv4_csum_set(uint8_t *ip)
{
	unsigned int hl = (ip[0] & 0x0fu) * 4u;

	ip[10] = 0;
	ip[11] = 0;
	dp_put16(ip + 10, dp_ip_csum_fold(dp_ip_csum_add(0, ip, hl)));
}

uint16_t dp_ipv6_udp_csum(const uint8_t *ip6, const uint8_t *udp, uint32_t udp_len)
{
	uint32_t sum = dp_ip_csum_add(0, ip6 + 8, 32); /* source and destination */
	uint16_t c;

	sum += udp_len >> 16;
	sum += udp_len & 0xffff;
	sum += DP_IPPROTO_UDP;
	sum = dp_ip_csum_add(sum, udp, udp_len);
	c = dp_ip_csum_fold(sum);
	return c == 0 ? 0xffff : c;
}

static bool ext_header(uint8_t nh)
{
	return nh == DP_IPPROTO_HOPOPTS || nh == DP_IPPROTO_ROUTING ||
		nh == DP_IPPROTO_FRAGMENT || nh == DP_IPPROTO_DSTOPTS;
}

/* Length of the extension header at p (avail bytes), 0 when truncated. */
static uint32_t ext_len(uint8_t nh, const uint8_t *p, uint32_t avail)
{
	uint32_t l;

	if (avail < 8)
		return 0;
	l = nh == DP_IPPROTO_FRAGMENT ? 8u : ((uint32_t)p[1] + 1u) * 8u;
	return l <= avail ? l : 0;
}

enum dp_drop dp_ip_parse(const uint8_t *p, uint32_t len, bool walk_ext, struct dp_ip_info *info)
{
	uint32_t off, tot;
	uint8_t nh;

	memset(info, 0, sizeof(*info));
	if (len < 1)
		return DP_DROP_TRUNCATED;
	info->version = p[0] >> 4;
	if (info->version == 4) {
		uint32_t hl = (p[0] & 0x0fu) * 4u;

		if (len < DP_IPV4_HDR_LEN)
			return DP_DROP_TRUNCATED;
		tot = dp_get16(p + 2);
		if (hl < DP_IPV4_HDR_LEN || tot < hl)
			return DP_DROP_BAD_LENGTH;
		if (tot > len || hl > len)
			return DP_DROP_TRUNCATED;
		info->hdr_len = (uint16_t)hl;
		info->tot_len = (uint16_t)tot;
		info->proto = p[9];
		info->nh_off = 9;
		info->fragment = (dp_get16(p + 6) & 0x3fffu) != 0;
		return DP_DROP_NONE;
	}
	if (info->version != 6)
		return DP_DROP_BAD_LENGTH;
	if (len < DP_IPV6_HDR_LEN)
		return DP_DROP_TRUNCATED;
	tot = DP_IPV6_HDR_LEN + dp_get16(p + 4);
	if (tot > len || tot > UINT16_MAX)
		return DP_DROP_TRUNCATED; /* jumbograms (payload length 0) too */
	nh = p[6];
	off = DP_IPV6_HDR_LEN;
	info->nh_off = 6;
	while (walk_ext && ext_header(nh)) {
		uint32_t l = ext_len(nh, p + off, tot - off);

		if (l == 0)
			return DP_DROP_TRUNCATED;
		if (nh == DP_IPPROTO_FRAGMENT)
			info->fragment = true;
		info->nh_off = (uint16_t)off;
		nh = p[off];
		off += l;
	}
	info->hdr_len = (uint16_t)off;
	info->tot_len = (uint16_t)tot;
	info->proto = nh;
	return DP_DROP_NONE;
}

enum dp_drop dp_ipv6_insert_point(const uint8_t *p, uint32_t len, uint16_t *off,
	uint16_t *nh_off, uint8_t *proto)
{
	uint32_t o = DP_IPV6_HDR_LEN, tot;
	uint16_t nho = 6;
	uint8_t nh;

	if (len < DP_IPV6_HDR_LEN)
		return DP_DROP_TRUNCATED;
	tot = DP_IPV6_HDR_LEN + dp_get16(p + 4);
	if (tot > len)
		return DP_DROP_TRUNCATED;
	nh = p[6];
	for (;;) {
		uint32_t l;

		if (nh != DP_IPPROTO_HOPOPTS && nh != DP_IPPROTO_ROUTING &&
		    nh != DP_IPPROTO_FRAGMENT && nh != DP_IPPROTO_DSTOPTS)
			break;
		l = ext_len(nh, p + o, tot - o);
		if (l == 0)
			return DP_DROP_TRUNCATED;
		if (nh == DP_IPPROTO_DSTOPTS) {
			/* Only destination options followed by a routing header
			 * are for intermediate nodes; the final destination's
			 * options are protected (inside). */
			if (p[o] != DP_IPPROTO_ROUTING)
				break;
		}
		nho = (uint16_t)o;
		nh = p[o];
		o += l;
	}
	*off = (uint16_t)o;
	*nh_off = nho;
	*proto = nh;
	return DP_DROP_NONE;
}

/* Zero the data of options with the "may change en route" bit. */
static int zero_options(uint8_t *h, uint32_t l)
{
	uint32_t i = 2;

	while (i < l) {
		uint8_t type = h[i];
		uint32_t olen;

		if (type == 0) { /* Pad1 */
			i++;
			continue;
		}
		if (i + 2 > l)
			return -EINVAL;
		olen = h[i + 1];
		if (i + 2 + olen > l)
			return -EINVAL;
		if (type & 0x20)
			memset(h + i + 2, 0, olen);
		i += 2 + olen;
	}
	return 0;
}

int dp_ip_ah_zero_mutable(uint8_t *p, uint32_t hdr_len)
{
	uint32_t off;
	uint8_t nh;

	if ((p[0] >> 4) == 4) {
		if ((p[0] & 0x0f) != 5 || hdr_len != DP_IPV4_HDR_LEN)
			return -EINVAL;
		p[1] = 0;          /* TOS */
		p[6] = p[7] = 0;   /* flags, fragment offset */
		p[8] = 0;          /* TTL */
		p[10] = p[11] = 0; /* checksum */
		return 0;
	}
	p[0] &= 0xf0; /* traffic class and flow label */
	p[1] = p[2] = p[3] = 0;
	p[7] = 0;     /* hop limit */
	nh = p[6];
	off = DP_IPV6_HDR_LEN;
	while (off < hdr_len) {
		uint32_t l = ext_len(nh, p + off, hdr_len - off);

		if (l == 0 || nh == DP_IPPROTO_ROUTING)
			return -EINVAL;
		if ((nh == DP_IPPROTO_HOPOPTS || nh == DP_IPPROTO_DSTOPTS) &&
		    zero_options(p + off, l) != 0)
			return -EINVAL;
		nh = p[off];
		off += l;
	}
	return 0;
}
