/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_ah.c: AH (RFC 4302), outbound and inbound, tunnel and transport,
 * IPv4 and IPv6; HMACs and AES-GMAC (RFC 4543: an 8-byte IV, the sequence
 * number, precedes the ICV).
 *
 *   AH header: next header | payload length | reserved | SPI | sequence
 *              | [IV] | ICV, padded to 4 bytes (IPv4) or 8 (IPv6)
 *
 * The ICV covers the whole packet with the mutable header fields and the
 * ICV field zeroed (RFC 4302 3.3.3.1), and, with ESN, the high 32 bits
 * of the sequence number appended after the packet (3.3.3.2.2).  The
 * headers in front of AH are saved in the per-packet scratch, zeroed in
 * place for the op, and restored after it.  A routing header in front of
 * AH is not supported (its ICV needs the final destination's view).
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_mbuf.h>

#include "dp_crypto.h"
#include "dp_ip.h"
#include "dp_proc_priv.h"

#define AH_FIXED 12u

static uint32_t ah_len_for(const struct dp_crypto_sess_info *in, bool v6)
{
	uint32_t l = AH_FIXED + in->iv_len + in->icv_len, a = v6 ? 8u : 4u;

	return (l + a - 1) & ~(a - 1);
}

enum dp_drop dp_ah_out_prepare(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op)
{
	struct dp_sa *sa = pk->sa;
	const struct dp_crypto_sess_info *in = &pk->info;
	struct dp_ip_info ii;
	uint32_t len = rte_pktmbuf_data_len(m), ins, hdr, ah_len, grow;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *), *ah, nh;
	uint16_t nh_off = 0;
	bool v6;
	enum dp_drop why;

	why = dp_ip_parse(d, len, false, &ii);
	if (why != DP_DROP_NONE)
		return why;
	if (ii.tot_len < len)
		rte_pktmbuf_trim(m, (uint16_t)(len - ii.tot_len));
	len = ii.tot_len;
	if (sa->mode == DP_MODE_TUNNEL) {
		ins = 0;
		hdr = dp_tunnel_outer_len(sa);
		v6 = hdr == DP_IPV6_HDR_LEN;
		nh = ii.version == 4 ? DP_IPPROTO_IPIP : DP_IPPROTO_IPV6;
	} else {
		if ((ii.version == 4 ? AF_INET : AF_INET6) != sa->family)
			return DP_DROP_POLICY_MISMATCH;
		v6 = ii.version == 6;
		if (!v6) {
			if (ii.fragment || ii.hdr_len != DP_IPV4_HDR_LEN)
				return DP_DROP_UNSUPPORTED;
			ins = ii.hdr_len;
			nh = ii.proto;
			nh_off = 9;
		} else {
			uint16_t off;

			why = dp_ipv6_insert_point(d, len, &off, &nh_off, &nh);
			if (why != DP_DROP_NONE)
				return why;
			ins = off;
		}
		hdr = ins;
	}
	if (hdr > DP_PROC_HDR_SAVE)
		return DP_DROP_UNSUPPORTED;
	ah_len = ah_len_for(in, v6);
	grow = (sa->mode == DP_MODE_TUNNEL ? hdr : 0) + ah_len;
	if (rte_pktmbuf_headroom(m) < grow || rte_pktmbuf_tailroom(m) < 4 ||
	    len + grow > UINT16_MAX)
		return DP_DROP_NO_BUFFER;
	why = dp_seq_next(&sa->rt.out, &pk->seq);
	if (why != DP_DROP_NONE)
		return why;

	d = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)grow);
	if (ins != 0)
		memmove(d, d + grow, ins);
	ah = d + hdr;
	memset(ah, 0, ah_len);
	ah[0] = nh;
	ah[1] = (uint8_t)(ah_len / 4 - 2);
	memcpy(ah + 4, &sa->spi, 4);
	dp_put32(ah + 8, (uint32_t)pk->seq);
	if (in->iv_len == 8) {
		dp_put64(ah + AH_FIXED, pk->seq);
		memcpy(op->iv, ah + AH_FIXED, 8);
	}
	len = rte_pktmbuf_data_len(m);
	if (sa->mode == DP_MODE_TUNNEL) {
		dp_tunnel_outer_build(p, sa, d, len, DP_IPPROTO_AH, ah + ah_len);
	} else if (!v6) {
		dp_put16(d + 2, (uint16_t)len);
		d[9] = DP_IPPROTO_AH;
		dp_ipv4_csum_set(d);
	} else {
		dp_put16(d + 4, (uint16_t)(len - DP_IPV6_HDR_LEN));
		d[nh_off] = DP_IPPROTO_AH;
	}
	memcpy(pk->hdr_save, d, hdr);
	if (dp_ip_ah_zero_mutable(d, hdr) != 0) {
		memcpy(d, pk->hdr_save, hdr);
		return DP_DROP_UNSUPPORTED;
	}
	pk->l4_off = (uint16_t)hdr;
	pk->clen = (uint16_t)ah_len;
	pk->bytes = len - hdr - ah_len;
	pk->esn_hi = sa->esn;
	op->mbuf = m;
	op->sess = dp_proc_sess(sa);
	op->auth_offset = 0;
	op->auth_length = len;
	op->digest = pk->icv;
	if (sa->esn) {
		dp_put32((uint8_t *)rte_pktmbuf_append(m, 4), (uint32_t)(pk->seq >> 32));
		op->auth_length += 4;
	}
	return DP_DROP_NONE;
}

enum dp_drop dp_ah_out_finish(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);

	(void)p;
	(void)op;
	if (pk->esn_hi)
		rte_pktmbuf_trim(m, 4);
	memcpy(d, pk->hdr_save, pk->l4_off);
	memcpy(d + pk->l4_off + AH_FIXED + pk->info.iv_len, pk->icv, pk->info.icv_len);
	return DP_DROP_NONE;
}

enum dp_drop dp_ah_in_prepare(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op)
{
	struct dp_sa *sa = pk->sa;
	const struct dp_crypto_sess_info *in = &pk->info;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *), *ah = d + pk->l4_off;
	uint32_t len = rte_pktmbuf_data_len(m), ah_len;

	(void)p;
	ah_len = ((uint32_t)ah[1] + 2u) * 4u;
	if (pk->l4_off + ah_len > len)
		return DP_DROP_TRUNCATED;
	if (ah_len < AH_FIXED + in->iv_len + in->icv_len)
		return DP_DROP_BAD_LENGTH;
	if (pk->l4_off > DP_PROC_HDR_SAVE)
		return DP_DROP_UNSUPPORTED;
	if (sa->esn && rte_pktmbuf_tailroom(m) < 4)
		return DP_DROP_NO_BUFFER;
	memcpy(pk->hdr_save, d, pk->l4_off);
	if (dp_ip_ah_zero_mutable(d, pk->l4_off) != 0) {
		memcpy(d, pk->hdr_save, pk->l4_off);
		return DP_DROP_UNSUPPORTED;
	}
	memcpy(pk->icv, ah + AH_FIXED + in->iv_len, in->icv_len);
	memset(ah + AH_FIXED + in->iv_len, 0, ah_len - AH_FIXED - in->iv_len);
	memcpy(op->iv, ah + AH_FIXED, in->iv_len);
	pk->clen = (uint16_t)ah_len;
	pk->esn_hi = sa->esn;
	op->mbuf = m;
	op->sess = dp_proc_sess(sa);
	op->auth_offset = 0;
	op->auth_length = len;
	op->digest = pk->icv;
	if (sa->esn) {
		dp_put32((uint8_t *)rte_pktmbuf_append(m, 4), (uint32_t)(pk->seq >> 32));
		op->auth_length += 4;
	}
	return DP_DROP_NONE;
}

enum dp_drop dp_ah_in_finish(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op)
{
	struct dp_sa *sa = pk->sa;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *), *ah = d + pk->l4_off, nh = ah[0];
	uint32_t len, hdr = pk->l4_off, ah_len = pk->clen;
	enum dp_drop why;

	(void)p;
	(void)op;
	if (pk->esn_hi)
		rte_pktmbuf_trim(m, 4);
	memcpy(d, pk->hdr_save, hdr);
	len = rte_pktmbuf_data_len(m);
	pk->bytes = len - hdr - ah_len;
	if (sa->mode == DP_MODE_TUNNEL) {
		uint32_t inner_len;

		why = dp_tunnel_inner_fix(sa, ah + ah_len, len - hdr - ah_len, nh,
			pk->outer_tos, &inner_len);
		if (why != DP_DROP_NONE)
			return why;
		rte_pktmbuf_adj(m, (uint16_t)(hdr + ah_len));
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - inner_len));
		return DP_DROP_NONE;
	}
	memmove(d + ah_len, d, hdr);
	rte_pktmbuf_adj(m, (uint16_t)ah_len);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	len -= ah_len;
	d[pk->nh_off] = nh;
	if ((d[0] >> 4) == 4) {
		dp_put16(d + 2, (uint16_t)len);
		dp_ipv4_csum_set(d);
	} else {
		dp_put16(d + 4, (uint16_t)(len - DP_IPV6_HDR_LEN));
	}
	pk->again = nh == DP_IPPROTO_ESP; /* AH over ESP: ESP next */
	return DP_DROP_NONE;
}
