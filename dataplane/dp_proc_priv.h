/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_proc_priv.h: what the burst driver (dp_proc.c) and the protocol files
 * (dp_esp_out.c, dp_esp_in.c, dp_ah.c) share: the per-packet scratch and
 * the per-protocol prepare/finish steps.
 *
 * A prepare step validates and builds; it returns DP_DROP_NONE with the op
 * filled, or a drop reason with the packet left as it can be freed.  A
 * finish step runs after the op came back DP_CRYPTO_OK (the driver turns
 * AUTH_FAILED/ERROR into drops) and returns DP_DROP_NONE or a reason.
 */
#ifndef DP_PROC_PRIV_H
#define DP_PROC_PRIV_H

#include <stdint.h>

#include "dp_crypto.h"
#include "dp_proc.h"
#include "dp_sa.h"

struct rte_mbuf;

/* Bytes of IP header(s) in front of an AH header that AH can save. */
#define DP_PROC_HDR_SAVE 128u

/* One packet of the burst in flight. */
struct dp_pkt {
	struct dp_sa *sa;
	uint64_t seq;          /* 64-bit sequence number (sent or inferred) */
	uint32_t bytes;        /* payload bytes for the SA's byte counter */
	uint16_t l4_off;       /* inbound: ESP/AH header offset; out: ESP/AH */
	uint16_t hdr_len;      /* inbound: IP headers in front (transport) */
	uint16_t clen;         /* ESP: ciphertext (payload..trailer) length */
	uint16_t nh_off;       /* inbound transport: next-header byte to rewrite */
	uint8_t natt;          /* UDP header in front of ESP */
	uint8_t outer_tos;     /* inbound tunnel: outer DSCP/ECN */
	uint8_t gmac_esn;      /* 4 bytes before l4_off saved in saved4 */
	uint8_t esn_hi;        /* ESN high half placed after the trailer/packet */
	uint8_t again;         /* inbound: ESP inside AH, another pass */
	uint8_t family;        /* ESP outbound: AF_ of the packet built */
	uint8_t reserved[2];
	struct dp_crypto_sess_info info;
	uint8_t saved4[4];
	uint8_t icv[DP_CRYPTO_ICV_MAX];      /* digest scratch */
	uint8_t hdr_save[DP_PROC_HDR_SAVE];  /* AH: headers before zeroing */
};

struct dp_proc {
	struct dp_ctx *ctx;
	struct dp_crypto_worker *cw;
	struct dp_rand *rand;
	uint16_t worker;
	uint16_t ip_id;        /* outer IPv4 identification */
	int dyn_off;           /* mbuf dynfield: hand-off direction + handle */
	struct dp_drop_tally wtally;
	struct dp_drop_tally satally;
	struct dp_pkt pkt[DP_PROC_BURST_MAX];
	struct dp_crypto_op op[DP_PROC_BURST_MAX];
	struct dp_crypto_op *opp[DP_PROC_BURST_MAX];
	struct rte_mbuf *again[DP_PROC_BURST_MAX];
	struct dp_proc_res again_res[DP_PROC_BURST_MAX];
	dp_sa_handle_t hold_sa[DP_PROC_BURST_MAX];
	struct rte_mbuf *hold_drop[DP_PROC_BURST_MAX];
};

/* The session of an SA (dp_sa.crypto). */
static inline struct dp_crypto_sess *dp_proc_sess(const struct dp_sa *sa)
{
	return (struct dp_crypto_sess *)sa->crypto;
}

/* ESP outbound (dp_esp_out.c).  The driver calls finish only for a packet
 * whose prepare set pk->gmac_esn, esn_hi or natt: without them there is
 * nothing to finish. */
enum dp_drop dp_esp_out_prepare(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op);
enum dp_drop dp_esp_out_finish(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op);

/* ESP inbound (dp_esp_in.c).  pk->l4_off, natt, hdr_len, nh_off, outer_tos
 * and seq are set by the driver's classification and replay check. */
enum dp_drop dp_esp_in_prepare(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op);
enum dp_drop dp_esp_in_finish(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op, uint8_t *verdict);

/* AH (dp_ah.c). */
enum dp_drop dp_ah_out_prepare(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op);
enum dp_drop dp_ah_out_finish(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op);
enum dp_drop dp_ah_in_prepare(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op);
enum dp_drop dp_ah_in_finish(struct dp_proc *p, struct dp_pkt *pk, struct rte_mbuf *m,
	struct dp_crypto_op *op);

/* Tunnel helpers shared by ESP and AH (dp_esp_out.c / dp_esp_in.c). */
/* Write the outer header of a tunnel-mode packet at d (family from the
 * SA's tunnel addresses), total length tot, protocol proto; inner points at
 * the inner IP header (DSCP/ECN/DF source). */
void dp_tunnel_outer_build(struct dp_proc *p, const struct dp_sa *sa, uint8_t *d,
	uint32_t tot, uint8_t proto, const uint8_t *inner);
/* Outer header length of the SA's tunnel (20 or 40). */
uint32_t dp_tunnel_outer_len(const struct dp_sa *sa);
/* Check the inner packet at in (len bytes up to the trailer) against the
 * next header, apply RFC 6040 ECN and optional DSCP copy.  *inner_len gets
 * the inner datagram length.  DP_DROP_NONE, BAD_NEXT_HEADER, TRUNCATED,
 * BAD_LENGTH, ECN_DROP. */
enum dp_drop dp_tunnel_inner_fix(const struct dp_sa *sa, uint8_t *in, uint32_t len, uint8_t nh,
	uint8_t outer_tos, uint32_t *inner_len);

#endif /* DP_PROC_PRIV_H */
