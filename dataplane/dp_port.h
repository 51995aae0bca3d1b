/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_port.h: the gateway's ports, their exception TAPs, and the state the
 * worker loop (dp_loop.c) shares with the port code (dp_port.c).  The API
 * is in dpsec/dp.h ("Gateway: ports and the worker loop").
 *
 * Ownership: CONTROL adds ports and starts them before any worker runs the
 * loop; while workers run, the port table is read-only.  Each (port, rx
 * queue) pair and each TAP is polled by exactly one worker (assigned round
 * robin at dp_gw_start).  Transmit queues: a worker uses queue
 * worker % n_txq; when a port has fewer tx queues than workers, the queue
 * is shared and taken under its spinlock (net_pcap, net_af_packet and
 * net_tap have one).
 */
#ifndef DP_PORT_H
#define DP_PORT_H

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_spinlock.h>

#include "dpsec/dp.h"

struct rte_mbuf;
struct rte_mempool;
struct dp_ctx;
struct dp_net;
struct dp_spd;
struct dp_proc;

#define DP_GW_TXQ_MAX 64u
#define DP_GW_RXQ_MAX 64u
#define DP_GW_POLL_MAX (DP_GW_PORTS_MAX * DP_GW_RXQ_MAX)

struct dp_gw_port {
	uint16_t eth;              /* ethdev id */
	uint16_t tap;              /* ethdev id of the exception TAP */
	bool has_tap;
	uint8_t role;              /* enum dp_port_role */
	uint16_t n_rxq, n_txq;
	uint8_t mac[6];
	rte_spinlock_t txq_lock[DP_GW_TXQ_MAX]; /* shared tx queues */
	rte_spinlock_t tap_lock;
};

/* One thing a worker polls: a port's rx queue, or a port's TAP. */
struct dp_gw_poll {
	uint16_t port;             /* gateway port number */
	uint16_t queue;
	bool tap;
};

struct dp_gw_worker {
	alignas(64) struct dp_gw_poll poll[DP_GW_POLL_MAX];
	unsigned int n_poll;
	struct dp_proc *proc;
	uint64_t counters[DP_GW_C_COUNT]; /* this worker writes */
};

struct dp_gw {
	struct dp_gw_config cfg;
	struct dp_ctx *ctx;
	struct dp_net *net;
	struct dp_spd *spd;
	struct rte_mempool *mp;
	struct dp_gw_port ports[DP_GW_PORTS_MAX];
	unsigned int n_ports;
	bool started;
	uint64_t last_rx_tsc;      /* any worker, relaxed: idle detection */
	uint64_t tsc_hz;
	struct dp_gw_worker *w;    /* cfg.workers entries */
};

/* Send n frames (Ethernet headers on) on port's tx side or its TAP from
 * worker; what the device does not take is freed and counted.  WORKER. */
void dp_gw_tx(struct dp_gw *gw, unsigned int worker, uint16_t port, bool tap,
	struct rte_mbuf **pkts, uint16_t n);

static inline void dp_gw_count(struct dp_gw_worker *w, enum dp_gw_counter c, uint64_t v)
{
	__atomic_store_n(&w->counters[c], w->counters[c] + v, __ATOMIC_RELAXED);
}

#endif /* DP_PORT_H */
