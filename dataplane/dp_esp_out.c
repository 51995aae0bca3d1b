/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_esp_out.c: ESP encapsulation (RFC 4303), tunnel and transport mode,
 * IPv4 and IPv6, optionally in UDP (RFC 3948).
 *
 * Packet built (tunnel):    outer IP | [UDP] | SPI seq | IV | inner packet
 *                           | padding 1,2,3.. | pad length | next header | ICV
 * Packet built (transport): IP [+ext] | [UDP] | SPI seq | IV | upper layer | ...
 *
 * IVs (DESIGN.md): counter-mode ciphers (GCM, CTR, ChaCha20, GMAC) carry the
 * 64-bit sequence number, unique per key because dp_seq never reuses one;
 * CBC takes 16 bytes from the worker's CSPRNG.
 *
 * ESN (RFC 4303 2.2.1): the high 32 bits are authenticated but not sent.
 * HMAC: placed after the trailer (where the ICV will go) and the ICV is
 * written there after the op.  GMAC (RFC 4543 3.3): the AAD is SPI || hi ||
 * lo, so the SPI moves 4 bytes to the front for the op and back after.
 * AEAD: in op->aad.
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_mbuf.h>

#include "dp_crypto.h"
#include "dp_ip.h"
#include "dp_mbuf.h"
#include "dp_natt.h"
#include "dp_proc_priv.h"
#include "dp_rand.h"

static inline uint32_t outer_len(const struct dp_sa *sa)
{
	const struct dp_sa_params *sp = &sa->cold->params;
	uint8_t fam = sp->tun_dst.family != 0 ? sp->tun_dst.family : sp->dst.family;

	return fam == AF_INET6 ? DP_IPV6_HDR_LEN : DP_IPV4_HDR_LEN;
}

uint32_t dp_tunnel_outer_len(const struct dp_sa *sa)
{
	return outer_len(sa);
}

/* dp_ip_csum_fold(), inlined here: the sum below has a few 16-bit terms. */
static inline uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* DSCP/ECN of the outer header (RFC 4301 5.1.2.1, RFC 6040 4.1). */
static uint8_t outer_tos(const struct dp_sa *sa, const uint8_t *inner)
{
	uint8_t tos = dp_ip_tos(inner);
	uint8_t dscp = (sa->flags & DP_SA_F_DSCP_SET) ? sa->dscp : (uint8_t)(tos >> 2);
	uint8_t ecn = dp_ecn_encap(tos & 3u, (sa->flags & DP_SA_F_ECN_COMPAT) != 0);

	return (uint8_t)(dscp << 2 | ecn);
}

static bool outer_df(const struct dp_sa *sa, const uint8_t *inner)
{
	if (sa->flags & DP_SA_F_DF_SET)
		return true;
	if (sa->flags & DP_SA_F_DF_CLEAR)
		return false;
	/* Copy.  An IPv6 inner packet is never fragmented on its way, so its
	 * tunnel must not be either (RFC 4213 3.2's choice for v6 in v4). */
	return (inner[0] >> 4) == 6 || dp_ip_df(inner);
}

void dp_tunnel_outer_build(struct dp_proc *p, const struct dp_sa *sa, uint8_t *d,
	uint32_t tot, uint8_t proto, const uint8_t *inner)
{
	const struct dp_sa_params *sp = &sa->cold->params;
	const struct dp_addr *src = sp->tun_dst.family != 0 ? &sp->tun_src : &sp->src;
	const struct dp_addr *dst = sp->tun_dst.family != 0 ? &sp->tun_dst : &sp->dst;
	uint8_t tos = outer_tos(sa, inner);

	if (dst->family == AF_INET6) {
		dp_put32(d, 6u << 28 | (uint32_t)tos << 20);
		dp_put16(d + 4, (uint16_t)(tot - DP_IPV6_HDR_LEN));
		d[6] = proto;
		d[7] = DP_IP_TTL_DEFAULT;
		memcpy(d + 8, src->bytes, 16);
		memcpy(d + 24, dst->bytes, 16);
		return;
	}
	const uint16_t id = p->ip_id++;
	const uint16_t frag = outer_df(sa, inner) ? 0x4000 : 0;
	/* The checksum is summed from the field values, not read back from
	 * the header just written: that wide load cannot be forwarded from the
	 * narrow stores before it and stalled (docs/PERFORMANCE.md). */
	const uint32_t sum = (0x45u << 8 | tos) + (uint16_t)tot + id + frag +
		((uint32_t)DP_IP_TTL_DEFAULT << 8 | proto) +
		dp_get16(src->bytes) + dp_get16(src->bytes + 2) +
		dp_get16(dst->bytes) + dp_get16(dst->bytes + 2);

	d[0] = 0x45;
	d[1] = tos;
	dp_put16(d + 2, (uint16_t)tot);
	dp_put16(d + 4, id);
	dp_put16(d + 6, frag);
	d[8] = DP_IP_TTL_DEFAULT;
	d[9] = proto;
	memcpy(d + 12, src->bytes, 4);
	memcpy(d + 16, dst->bytes, 4);
	dp_put16(d + 10, csum_fold(sum));
}

/* The SA's outer header cache (struct dp_sa_outer), filled by the owner
 * on the first packet from the cold record. */
static const struct dp_sa_outer *outer_cache(struct dp_sa *sa)
{
	struct dp_sa_outer *o = &sa->outer;

	if (__builtin_expect(o->ready, 1))
		return o;
	const struct dp_sa_params *sp = &sa->cold->params;
	const struct dp_addr *src = sp->tun_dst.family != 0 ? &sp->tun_src : &sp->src;
	const struct dp_addr *dst = sp->tun_dst.family != 0 ? &sp->tun_dst : &sp->dst;

	o->v6 = dst->family == AF_INET6;
	o->len = (uint8_t)(o->v6 ? DP_IPV6_HDR_LEN : DP_IPV4_HDR_LEN);
	if (!o->v6) {
		memcpy(o->addr, src->bytes, 4);
		memcpy(o->addr + 4, dst->bytes, 4);
		o->sum = (0x45u << 8) + ((uint32_t)DP_IP_TTL_DEFAULT << 8) +
			dp_get16(src->bytes) + dp_get16(src->bytes + 2) +
			dp_get16(dst->bytes) + dp_get16(dst->bytes + 2);
	}
	o->ready = 1;
	return o;
}

/* ESP's outer header: IPv4 from the cache (a 20-byte header from values
 * in the SA's sequence line), IPv6 as dp_tunnel_outer_build(). */
static inline void esp_outer_build(struct dp_proc *p, const struct dp_sa *sa,
	const struct dp_sa_outer *o, uint8_t *d, uint32_t tot, uint8_t proto,
	const uint8_t *inner)
{
	if (o->v6) {
		dp_tunnel_outer_build(p, sa, d, tot, proto, inner);
		return;
	}
	const uint8_t tos = outer_tos(sa, inner);
	const uint16_t id = p->ip_id++;
	const uint16_t frag = outer_df(sa, inner) ? 0x4000 : 0;
	/* Summed from the values (see dp_tunnel_outer_build()). */
	const uint32_t sum = o->sum + tos + (uint16_t)tot + id + frag + proto;

	d[0] = 0x45;
	d[1] = tos;
	dp_put16(d + 2, (uint16_t)tot);
	dp_put16(d + 4, id);
	dp_put16(d + 6, frag);
	d[8] = DP_IP_TTL_DEFAULT;
	d[9] = proto;
	dp_put16(d + 10, csum_fold(sum));
	memcpy(d + 12, o->addr, 8);
}

enum dp_drop dp_esp_out_prepare(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op)
{
	struct dp_sa *sa = pk->sa;
	const struct dp_crypto_sess_info *in = &pk->info;
	struct dp_ip_info ii;
	uint32_t len = rte_pktmbuf_data_len(m), ins, plen, grow, pad, trail, udp, esp_off, outer;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *), *esp, *t, nh;
	uint16_t nh_off = 0;
	const struct dp_sa_outer *oc = NULL;
	enum dp_drop why;

	/* The usual inner header (IPv4, no options) without a call. */
	why = dp_ip_parse_fast(d, len, false, &ii);
	if (why != DP_DROP_NONE)
		return why;
	if (ii.tot_len < len)
		dp_mbuf_trim1(m, (uint16_t)(len - ii.tot_len));
	len = ii.tot_len;
	udp = sa->natt_dport != 0 ? DP_UDP_HDR_LEN : 0;
	if (sa->mode == DP_MODE_TUNNEL) {
		oc = outer_cache(sa);
		outer = oc->len;
		ins = 0;
		plen = len;
		nh = ii.version == 4 ? DP_IPPROTO_IPIP : DP_IPPROTO_IPV6;
		grow = outer + udp + 8 + in->iv_len;
	} else {
		outer = 0;
		if ((ii.version == 4 ? AF_INET : AF_INET6) != sa->family)
			return DP_DROP_POLICY_MISMATCH;
		if (ii.version == 4) {
			if (ii.fragment)
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
		plen = len - ins;
		grow = udp + 8 + in->iv_len;
	}
	/* pad_align is 4 or 16 (dp_crypto.c's table): a mask, not two
	 * divisions by a run-time divisor (~25 cycles each) per packet. */
	if ((in->pad_align & (in->pad_align - 1u)) == 0)
		pad = (0u - (plen + 2)) & (in->pad_align - 1u);
	else
		pad = (in->pad_align - (plen + 2) % in->pad_align) % in->pad_align;
	trail = pad + 2 + in->icv_len;
	if (rte_pktmbuf_headroom(m) < grow || rte_pktmbuf_tailroom(m) < trail ||
	    len + grow + trail > UINT16_MAX)
		return DP_DROP_NO_BUFFER;

	why = dp_seq_next(&sa->rt.out, &pk->seq);
	if (why != DP_DROP_NONE)
		return why;

	d = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)grow);
	if (ins != 0)
		memmove(d, d + grow, ins);
	esp_off = (sa->mode == DP_MODE_TUNNEL ? outer : ins) + udp;
	esp = d + esp_off;
	memcpy(esp, &sa->spi, 4);
	dp_put32(esp + 4, (uint32_t)pk->seq);
	if (in->iv_len == 16) {
		dp_rand_bytes(p->rand, op->iv, 16);
		memcpy(esp + 8, op->iv, 16);
	} else if (in->iv_len == 8) {
		dp_put64(esp + 8, pk->seq);
		memcpy(op->iv, esp + 8, 8);
	}
	t = dp_mbuf_append1(m, (uint16_t)trail);
	for (uint32_t i = 0; i < pad; i++)
		t[i] = (uint8_t)(i + 1);
	t[pad] = (uint8_t)pad;
	t[pad + 1] = nh;

	pk->l4_off = (uint16_t)esp_off;
	/* The result's family, known here: the driver need not read the
	 * finished packet back after the cipher. */
	pk->family = (uint8_t)((oc != NULL ? !oc->v6 : ii.version == 4) ? AF_INET : AF_INET6);
	pk->clen = (uint16_t)(plen + pad + 2);
	pk->natt = udp != 0;
	pk->bytes = plen;
	op->mbuf = m;
	op->sess = dp_proc_sess(sa);
	op->cipher_offset = esp_off + 8 + in->iv_len;
	op->cipher_length = pk->clen;
	op->auth_offset = esp_off;
	op->auth_length = 8 + in->iv_len + pk->clen;
	op->digest = t + pad + 2;
	pk->esn_hi = 0;
	pk->gmac_esn = 0;
	switch (in->kind) {
	case DP_CRYPTO_KIND_AEAD:
		memcpy(op->aad, &sa->spi, 4);
		if (sa->esn) {
			dp_put32(op->aad + 4, (uint32_t)(pk->seq >> 32));
			dp_put32(op->aad + 8, (uint32_t)pk->seq);
		} else {
			dp_put32(op->aad + 4, (uint32_t)pk->seq);
		}
		break;
	case DP_CRYPTO_KIND_CIPHER_AUTH:
	case DP_CRYPTO_KIND_AUTH:
		if (sa->esn) {
			dp_put32(op->digest, (uint32_t)(pk->seq >> 32));
			op->auth_length += 4;
			op->digest = pk->icv;
			pk->esn_hi = 1;
		}
		break;
	case DP_CRYPTO_KIND_GMAC:
		pk->gmac_esn = sa->esn; /* shifted below, once the headers exist */
		break;
	default:
		return DP_DROP_CRYPTO_ERROR;
	}

	/* Headers in front; the GMAC/ESN shift touches only the 4 bytes saved. */
	len = rte_pktmbuf_data_len(m);
	if (sa->mode == DP_MODE_TUNNEL) {
		esp_outer_build(p, sa, oc, d, len, udp ? DP_IPPROTO_UDP : DP_IPPROTO_ESP,
			esp + 8 + in->iv_len);
	} else if (ii.version == 4) {
		dp_put16(d + 2, (uint16_t)len);
		d[9] = udp ? DP_IPPROTO_UDP : DP_IPPROTO_ESP;
		dp_ipv4_csum_set(d);
	} else {
		dp_put16(d + 4, (uint16_t)(len - DP_IPV6_HDR_LEN));
		d[nh_off] = udp ? DP_IPPROTO_UDP : DP_IPPROTO_ESP;
	}
	if (udp != 0)
		dp_natt_udp_build(esp - DP_UDP_HDR_LEN, sa->natt_sport, sa->natt_dport,
			(uint16_t)(len - esp_off + DP_UDP_HDR_LEN));
	if (pk->gmac_esn) {
		memcpy(pk->saved4, esp - 4, 4);
		memcpy(esp - 4, &sa->spi, 4);
		dp_put32(esp, (uint32_t)(pk->seq >> 32));
		op->auth_offset -= 4;
		op->auth_length += 4;
	}
	return DP_DROP_NONE;
}

enum dp_drop dp_esp_out_finish(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op)
{
	struct dp_sa *sa = pk->sa;
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *), *esp = d + pk->l4_off;
	uint32_t len = rte_pktmbuf_data_len(m);

	(void)p;
	if (pk->gmac_esn) {
		memcpy(esp - 4, pk->saved4, 4);
		memcpy(esp, &sa->spi, 4);
	}
	if (pk->esn_hi)
		memcpy(esp + 8 + pk->info.iv_len + pk->clen, pk->icv, pk->info.icv_len);
	if (pk->natt && (d[0] >> 4) == 6) {
		/* RFC 8200 8.1: no zero UDP checksum over IPv6.  With a routing
		 * header the pseudo-header would need the final destination;
		 * dpsec does not send NAT-T transport through routing headers. */
		uint8_t *udp = esp - DP_UDP_HDR_LEN;

		dp_put16(udp + 6, dp_ipv6_udp_csum(d, udp, len - pk->l4_off + DP_UDP_HDR_LEN));
	}
	(void)op;
	return DP_DROP_NONE;
}
