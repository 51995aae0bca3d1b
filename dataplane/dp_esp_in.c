/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_esp_in.c: ESP decapsulation (RFC 4303), tunnel and transport mode,
 * IPv4 and IPv6, optionally from UDP (RFC 3948).
 *
 * The driver (dp_proc.c) has classified the packet, found the SA, checked
 * its state and the replay window (pk->seq is the inferred 64-bit number).
 * prepare checks lengths and sets up the op (ESN placement as on output,
 * see dp_esp_out.c); finish checks the padding (RFC 4303 2.4: the
 * monotonic 1, 2, 3... this implementation sends and RFC 4303 asks
 * receivers to be able to check), the next header, and rewrites the
 * headers.  Replay update happens in the driver, right after the ICV
 * verified and before these checks: an authentic packet consumes its
 * sequence number even if its content is then refused.
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_mbuf.h>

#include "dp_crypto.h"
#include "dp_ip.h"
#include "dp_mbuf.h"
#include "dp_natt.h"
#include "dp_proc_priv.h"

enum dp_drop dp_esp_in_prepare(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op)
{
	struct dp_sa *sa = pk->sa;
	const struct dp_crypto_sess_info *in = &pk->info;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *), *esp = d + pk->l4_off;
	uint32_t avail = rte_pktmbuf_data_len(m) - pk->l4_off, fixed;

	(void)p;
	fixed = 8u + in->iv_len + in->icv_len;
	if (avail < fixed + 2u)
		return DP_DROP_TRUNCATED;
	pk->clen = (uint16_t)(avail - fixed);
	/* pad_align is a power of two (4 or 16): a mask, not a division. */
	if ((in->pad_align & (in->pad_align - 1u)) == 0 ?
	    (pk->clen & (in->pad_align - 1u)) != 0 : pk->clen % in->pad_align != 0)
		return DP_DROP_BAD_LENGTH;

	op->mbuf = m;
	op->sess = dp_proc_sess(sa);
	op->cipher_offset = pk->l4_off + 8u + in->iv_len;
	op->cipher_length = pk->clen;
	op->auth_offset = pk->l4_off;
	op->auth_length = 8u + in->iv_len + pk->clen;
	op->digest = esp + 8 + in->iv_len + pk->clen;
	/* Fixed-size copies: a run-time length makes this a libc call. */
	if (in->iv_len == 8)
		memcpy(op->iv, esp + 8, 8);
	else if (in->iv_len == 16)
		memcpy(op->iv, esp + 8, 16);
	pk->esn_hi = 0;
	pk->gmac_esn = 0;
	switch (in->kind) {
	case DP_CRYPTO_KIND_AEAD:
		memcpy(op->aad, esp, 4);
		if (sa->esn) {
			dp_put32(op->aad + 4, (uint32_t)(pk->seq >> 32));
			memcpy(op->aad + 8, esp + 4, 4);
		} else {
			memcpy(op->aad + 4, esp + 4, 4);
		}
		break;
	case DP_CRYPTO_KIND_CIPHER_AUTH:
	case DP_CRYPTO_KIND_AUTH:
		if (sa->esn) {
			/* The received ICV moves to scratch; its first 4 bytes
			 * carry the high half for the MAC. */
			memcpy(pk->icv, op->digest, in->icv_len);
			dp_put32(op->digest, (uint32_t)(pk->seq >> 32));
			op->digest = pk->icv;
			op->auth_length += 4;
			pk->esn_hi = 1;
		}
		break;
	case DP_CRYPTO_KIND_GMAC:
		if (sa->esn) {
			memcpy(pk->saved4, esp - 4, 4);
			memcpy(esp - 4, esp, 4);
			dp_put32(esp, (uint32_t)(pk->seq >> 32));
			op->auth_offset -= 4;
			op->auth_length += 4;
			pk->gmac_esn = 1;
		}
		break;
	default:
		return DP_DROP_CRYPTO_ERROR;
	}
	return DP_DROP_NONE;
}

enum dp_drop dp_tunnel_inner_fix(const struct dp_sa *sa, uint8_t *in, uint32_t len, uint8_t nh,
	uint8_t outer_tos, uint32_t *inner_len)
{
	struct dp_ip_info ii;
	enum dp_drop why;
	uint8_t tos, neu;
	int ecn;

	if (nh != DP_IPPROTO_IPIP && nh != DP_IPPROTO_IPV6)
		return DP_DROP_BAD_NEXT_HEADER;
	if (len < 1 || (in[0] >> 4) != (nh == DP_IPPROTO_IPIP ? 4 : 6))
		return DP_DROP_BAD_NEXT_HEADER;
	/* The usual inner header (IPv4, no options) without a call. */
	why = dp_ip_parse_fast(in, len, false, &ii);
	if (why != DP_DROP_NONE)
		return why;
	tos = dp_ip_tos(in);
	ecn = dp_ecn_decap(tos & 3u, outer_tos & 3u);
	if (ecn < 0)
		return DP_DROP_ECN_DROP;
	neu = (uint8_t)((tos & 0xfcu) | (uint8_t)ecn);
	if (sa->flags & DP_SA_F_DSCP_DECAP_COPY)
		neu = (uint8_t)((outer_tos & 0xfcu) | (neu & 3u));
	if (neu != tos) {
		dp_ip_set_tos(in, neu);
		if (ii.version == 4)
			dp_ipv4_csum_set(in);
	}
	*inner_len = ii.tot_len;
	return DP_DROP_NONE;
}

/* The padding RFC 4303 2.4 describes (1, 2, 3, ...) checked without a
 * loop: the 16 bytes before the trailer against a window of esp_pad_seq
 * under the same window of esp_pad_mask, which keeps only the last padlen
 * bytes.  The byte loop took one branch per pad byte (12 at CBC 64 B) and
 * most of dp_esp_in_finish()'s samples.  Reading 16 bytes back from the
 * trailer stays inside the packet: the ESP header (8 bytes) and at least 8
 * bytes of outer IP header lie before the payload.  padlen <= 16 here;
 * longer pads (traffic-flow confidentiality) take the loop. */
static const uint8_t esp_pad_seq[32] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};
static const uint8_t esp_pad_mask[32] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static inline bool esp_pad_bad(const uint8_t *tr, uint32_t padlen)
{
	uint64_t x0, x1, s0, s1, k0, k1;

	if (padlen > 16) {
		for (uint32_t i = 0; i < padlen; i++) {
			if (tr[-(int32_t)padlen + (int32_t)i] != (uint8_t)(i + 1))
				return true;
		}
		return false;
	}
	memcpy(&x0, tr - 16, 8);
	memcpy(&x1, tr - 8, 8);
	memcpy(&s0, esp_pad_seq + padlen, 8);
	memcpy(&s1, esp_pad_seq + padlen + 8, 8);
	memcpy(&k0, esp_pad_mask + padlen, 8);
	memcpy(&k1, esp_pad_mask + padlen + 8, 8);
	return (((x0 ^ s0) & k0) | ((x1 ^ s1) & k1)) != 0;
}

enum dp_drop dp_esp_in_finish(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op, uint8_t *verdict)
{
	struct dp_sa *sa = pk->sa;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *), *esp = d + pk->l4_off, *pl, *tr, nh;
	uint32_t padlen, plen, total;
	enum dp_drop why;

	(void)p;
	(void)op;
	if (pk->gmac_esn) {
		memcpy(esp, esp - 4, 4);
		memcpy(esp - 4, pk->saved4, 4);
	}
	pl = esp + 8 + pk->info.iv_len;
	tr = pl + pk->clen - 2;
	padlen = tr[0];
	nh = tr[1];
	if (padlen + 2u > pk->clen || esp_pad_bad(tr, padlen))
		return DP_DROP_BAD_PADDING;
	plen = pk->clen - 2u - padlen;
	if (nh == DP_IPPROTO_NONE) {
		*verdict = DP_PROC_DUMMY; /* RFC 4303 2.6: discard silently */
		return DP_DROP_NONE;
	}
	pk->bytes = plen;
	pk->family = 0;
	if (sa->mode == DP_MODE_TUNNEL) {
		uint32_t inner_len;

		why = dp_tunnel_inner_fix(sa, pl, plen, nh, pk->outer_tos, &inner_len);
		if (why != DP_DROP_NONE)
			return why;
		rte_pktmbuf_adj(m, (uint16_t)(pl - d));
		dp_mbuf_trim1(m, (uint16_t)(rte_pktmbuf_data_len(m) - inner_len));
		pk->family = nh == DP_IPPROTO_IPIP ? AF_INET : AF_INET6; /* checked above */
		return DP_DROP_NONE;
	}
	/* Transport: the IP headers in front move up to the payload. */
	total = pk->hdr_len + plen;
	memmove(pl - pk->hdr_len, d, pk->hdr_len);
	rte_pktmbuf_adj(m, (uint16_t)(pl - pk->hdr_len - d));
	dp_mbuf_trim1(m, (uint16_t)(rte_pktmbuf_data_len(m) - total));
	d = rte_pktmbuf_mtod(m, uint8_t *);
	d[pk->nh_off] = nh;
	if ((d[0] >> 4) == 4) {
		dp_put16(d + 2, (uint16_t)total);
		dp_ipv4_csum_set(d);
		pk->family = AF_INET;
	} else {
		dp_put16(d + 4, (uint16_t)(total - DP_IPV6_HDR_LEN));
		pk->family = AF_INET6;
	}
	return DP_DROP_NONE;
}
