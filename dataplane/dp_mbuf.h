/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_mbuf.h: single-segment mbuf edits for the ESP hot path.
 *
 * rte_pktmbuf_append() and rte_pktmbuf_trim() first walk to the last
 * segment through m->next, which lives in the mbuf's second cache line: a
 * line the receive path and dpsec otherwise never touch, so that read was
 * a cache miss per packet (6.7 % of dp_esp_out_prepare's samples at 64 B,
 * docs/PERFORMANCE.md).  dp_proc admits single-segment mbufs only
 * (m->nb_segs == 1, checked before any of these is called), so the last
 * segment is m itself: these edit the first cache line only.
 */
#ifndef DP_MBUF_H
#define DP_MBUF_H

#include <stdint.h>

#include <rte_mbuf.h>

/* Append len bytes at the tail; the new bytes, or NULL without room. */
static inline uint8_t *dp_mbuf_append1(struct rte_mbuf *m, uint16_t len)
{
	uint8_t *tail;

	if (len > rte_pktmbuf_tailroom(m))
		return NULL;
	tail = rte_pktmbuf_mtod_offset(m, uint8_t *, m->data_len);
	m->data_len = (uint16_t)(m->data_len + len);
	m->pkt_len += len;
	return tail;
}

/* Remove len bytes from the tail; 0, or -1 (nothing changed) if the
 * packet is shorter. */
static inline int dp_mbuf_trim1(struct rte_mbuf *m, uint16_t len)
{
	if (len > m->data_len)
		return -1;
	m->data_len = (uint16_t)(m->data_len - len);
	m->pkt_len -= len;
	return 0;
}

#endif /* DP_MBUF_H */
