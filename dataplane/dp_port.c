/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_port.c: the gateway's ports and exception TAPs (see dp_port.h). */
#include "dp_port.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp_ctx_priv.h"
#include "dp_proc.h"

#define DP_GW_RXD 1024u
#define DP_GW_TXD 1024u
#define DP_GW_MBUFS_DEFAULT 8191u
#define DP_GW_MBUF_CACHE 128u

static const char *const gw_counter_names[] = {
#define DP_GW_COUNTER_NAME_(name, str) str,
	DP_GW_COUNTERS(DP_GW_COUNTER_NAME_)
#undef DP_GW_COUNTER_NAME_
};

const char *dp_gw_counter_name(unsigned int c)
{
	return c < DP_GW_C_COUNT ? gw_counter_names[c] : NULL;
}

struct dp_gw *dp_gw_create(struct dp_ctx *ctx, struct dp_net *net, struct dp_spd *spd,
	const struct dp_gw_config *cfg)
{
	struct dp_gw *gw;
	char name[RTE_MEMPOOL_NAMESIZE];
	uint16_t workers;

	if (ctx == NULL || spd == NULL || cfg == NULL || cfg->name == NULL ||
	    strlen(cfg->name) > 12 || (!cfg->busy_poll && cfg->sleep_max_us < cfg->sleep_min_us)) {
		errno = EINVAL;
		return NULL;
	}
	workers = ctx->cfg.workers;
	gw = rte_zmalloc("dp_gw", sizeof(*gw), RTE_CACHE_LINE_SIZE);
	if (gw == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	gw->cfg = *cfg;
	gw->ctx = ctx;
	gw->net = net;
	gw->spd = spd;
	gw->tsc_hz = rte_get_tsc_hz();
	gw->w = rte_zmalloc("dp_gw_workers", sizeof(*gw->w) * workers, RTE_CACHE_LINE_SIZE);
	if (gw->w == NULL)
		goto fail_nomem;
	for (unsigned int i = 0; i < workers; i++) {
		int err = dp_proc_new(ctx, i, &gw->w[i].proc);

		if (err != 0) {
			errno = -err;
			goto fail;
		}
	}
	snprintf(name, sizeof(name), "%s_mbuf", cfg->name);
	gw->mp = rte_pktmbuf_pool_create(name, cfg->mbufs ? cfg->mbufs : DP_GW_MBUFS_DEFAULT,
		DP_GW_MBUF_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (gw->mp == NULL) {
		errno = rte_errno == EEXIST ? EEXIST : ENOMEM;
		goto fail;
	}
	return gw;
fail_nomem:
	errno = ENOMEM;
fail:
	{
		int e = errno;

		dp_gw_free(gw);
		errno = e;
	}
	return NULL;
}

/* want, at least 1, at most what the device and we support. */
static uint16_t clamp_queues(uint16_t want, uint16_t dev_max, uint16_t our_max)
{
	uint16_t q = want == 0 ? 1 : want;

	if (dev_max != 0 && q > dev_max)
		q = dev_max;
	return q > our_max ? our_max : q;
}

/* Devices without RSS whose queues are each a source of their own: a
 * net_pcap port has one RX queue per rx_pcap file, net_ring a ring per
 * queue, net_af_packet a socket per qpair behind the kernel's fanout (their
 * maximum is what their devargs gave them).  Others without RSS keep one
 * queue: on those, more would receive nothing, or alias another queue's
 * ring (a net_memif server whose client brings fewer rings).  net_null
 * reports RSS and takes the branch above. */
static bool queues_are_sources(const char *driver)
{
	static const char *const drivers[] = { "net_pcap", "net_ring", "net_af_packet" };

	for (size_t i = 0; driver != NULL && i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(driver, drivers[i]) == 0)
			return true;
	return false;
}

static int port_configure(struct dp_gw *gw, uint16_t eth, uint16_t want_rxq, uint16_t want_txq,
	uint16_t mtu, uint16_t *n_rxq, uint16_t *n_txq)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	uint16_t nrxd = DP_GW_RXD, ntxd = DP_GW_TXD;
	int err;

	err = rte_eth_dev_info_get(eth, &info);
	if (err != 0)
		return err;
	*n_rxq = clamp_queues(want_rxq, info.max_rx_queues, DP_GW_RXQ_MAX);
	*n_txq = clamp_queues(want_txq, info.max_tx_queues, DP_GW_TXQ_MAX);
	memset(&conf, 0, sizeof(conf));
	if (*n_rxq > 1 && (info.flow_type_rss_offloads & RTE_ETH_RSS_IP) != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP);
	} else if (!queues_are_sources(info.driver_name)) {
		*n_rxq = 1; /* no RSS: more queues would receive nothing */
	}
	err = rte_eth_dev_configure(eth, *n_rxq, *n_txq, &conf);
	if (err != 0)
		return err;
	err = rte_eth_dev_adjust_nb_rx_tx_desc(eth, &nrxd, &ntxd);
	if (err != 0)
		return err;
	for (uint16_t q = 0; q < *n_rxq; q++) {
		err = rte_eth_rx_queue_setup(eth, q, nrxd, rte_eth_dev_socket_id(eth), NULL, gw->mp);
		if (err != 0)
			return err;
	}
	for (uint16_t q = 0; q < *n_txq; q++) {
		err = rte_eth_tx_queue_setup(eth, q, ntxd, rte_eth_dev_socket_id(eth), NULL);
		if (err != 0)
			return err;
	}
	/* Virtual devices often cannot change their MTU; the dataplane still
	 * enforces the configured one on egress. */
	if (mtu != 0)
		(void)rte_eth_dev_set_mtu(eth, mtu);
	/* Frames for our MAC only would do, but several drivers filter
	 * nothing or cannot say; promiscuous mode is harmless here. */
	(void)rte_eth_promiscuous_enable(eth);
	return 0;
}

int dp_gw_port_add(struct dp_gw *gw, const struct dp_port_params *p)
{
	struct dp_gw_port *gp;
	struct rte_ether_addr mac;
	uint16_t eth, tap = 0, nq, dummy;
	bool has_tap;
	int err;

	if (gw == NULL || gw->net == NULL || p == NULL || p->devname == NULL || gw->started ||
	    (p->role != DP_PORT_PROTECTED && p->role != DP_PORT_UNPROTECTED))
		return -EINVAL;
	if (gw->n_ports >= DP_GW_PORTS_MAX)
		return -ENOSPC;
	has_tap = p->tap_devname != NULL && p->tap_devname[0] != '\0';
	if (has_tap && p->role != DP_PORT_UNPROTECTED)
		return -EINVAL;
	if (rte_eth_dev_get_port_by_name(p->devname, &eth) != 0)
		return -ENODEV;
	if (has_tap && rte_eth_dev_get_port_by_name(p->tap_devname, &tap) != 0)
		return -ENODEV;

	gp = &gw->ports[gw->n_ports];
	memset(gp, 0, sizeof(*gp));
	err = port_configure(gw, eth, p->rx_queues, gw->ctx->cfg.workers, p->mtu, &gp->n_rxq,
		&gp->n_txq);
	if (err != 0)
		return err;
	if (p->has_mac) {
		memcpy(mac.addr_bytes, p->mac, 6);
		/* pcap and some vdevs refuse; we still answer for p->mac. */
		(void)rte_eth_dev_default_mac_addr_set(eth, &mac);
	} else {
		err = rte_eth_macaddr_get(eth, &mac);
		if (err != 0)
			return err;
	}
	memcpy(gp->mac, mac.addr_bytes, 6);
	if (has_tap) {
		/* One queue each way; the kernel side gets the port's MAC, so
		 * frames it sends out carry it and frames for the port's MAC
		 * are the kernel's own. */
		err = port_configure(gw, tap, 1, 1, 0, &nq, &dummy);
		if (err != 0)
			return err;
		(void)rte_eth_dev_default_mac_addr_set(tap, &mac);
	}
	err = dp_net_port_set(gw->net, gw->n_ports, gp->mac, p->mtu, p->addrs, p->n_addrs);
	if (err != 0)
		return err;
	gp->eth = eth;
	gp->tap = tap;
	gp->has_tap = has_tap;
	gp->role = p->role;
	for (unsigned int q = 0; q < DP_GW_TXQ_MAX; q++)
		rte_spinlock_init(&gp->txq_lock[q]);
	rte_spinlock_init(&gp->tap_lock);
	return (int)gw->n_ports++;
}

int dp_gw_port_mac(const struct dp_gw *gw, unsigned int port, uint8_t mac[6])
{
	if (gw == NULL || port >= gw->n_ports)
		return -EINVAL;
	memcpy(mac, gw->ports[port].mac, 6);
	return 0;
}

int dp_gw_port_rx_queues(const struct dp_gw *gw, unsigned int port)
{
	if (gw == NULL || port >= gw->n_ports)
		return -EINVAL;
	return gw->ports[port].n_rxq;
}

static void assign(struct dp_gw *gw, unsigned int *next, uint16_t port, uint16_t queue, bool tap)
{
	struct dp_gw_worker *w = &gw->w[*next];

	w->poll[w->n_poll++] = (struct dp_gw_poll){ .port = port, .queue = queue, .tap = tap };
	*next = (*next + 1) % gw->ctx->cfg.workers;
}

int dp_gw_start(struct dp_gw *gw)
{
	unsigned int next = 0;
	int err;

	if (gw == NULL || gw->started)
		return -EINVAL;
	for (uint16_t i = 0; i < gw->n_ports; i++) {
		for (uint16_t q = 0; q < gw->ports[i].n_rxq; q++)
			assign(gw, &next, i, q, false);
		if (gw->ports[i].has_tap)
			assign(gw, &next, i, 0, true);
	}
	for (uint16_t i = 0; i < gw->n_ports; i++) {
		err = rte_eth_dev_start(gw->ports[i].eth);
		if (err == 0 && gw->ports[i].has_tap)
			err = rte_eth_dev_start(gw->ports[i].tap);
		if (err != 0)
			return err;
		(void)rte_eth_dev_set_link_up(gw->ports[i].eth);
	}
	__atomic_store_n(&gw->last_rx_tsc, rte_get_tsc_cycles(), __ATOMIC_RELAXED);
	gw->started = true;
	return 0;
}

void dp_gw_tx(struct dp_gw *gw, unsigned int worker, uint16_t port, bool tap,
	struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_gw_port *gp = &gw->ports[port];
	struct dp_gw_worker *w = &gw->w[worker];
	rte_spinlock_t *lock = NULL;
	uint16_t eth, q, sent;

	if (n == 0)
		return;
	if (tap) {
		eth = gp->tap;
		q = 0;
		lock = &gp->tap_lock;
	} else {
		eth = gp->eth;
		q = (uint16_t)(worker % gp->n_txq);
		if (gp->n_txq < gw->ctx->cfg.workers)
			lock = &gp->txq_lock[q];
	}
	if (lock != NULL)
		rte_spinlock_lock(lock);
	sent = rte_eth_tx_burst(eth, q, pkts, n);
	if (lock != NULL)
		rte_spinlock_unlock(lock);
	dp_gw_count(w, tap ? DP_GW_C_EXCEPTION_IN : DP_GW_C_TX, sent);
	if (sent < n) {
		dp_gw_count(w, DP_GW_C_TX_DROP, n - sent);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

uint64_t dp_gw_idle_ms(const struct dp_gw *gw)
{
	uint64_t last = __atomic_load_n(&gw->last_rx_tsc, __ATOMIC_RELAXED);
	uint64_t now = rte_get_tsc_cycles();

	return now > last ? (now - last) * 1000u / gw->tsc_hz : 0;
}

void dp_gw_get_counters(const struct dp_gw *gw, uint64_t counters[DP_GW_C_COUNT])
{
	memset(counters, 0, sizeof(uint64_t) * DP_GW_C_COUNT);
	for (unsigned int i = 0; i < gw->ctx->cfg.workers; i++)
		for (unsigned int c = 0; c < DP_GW_C_COUNT; c++)
			counters[c] += __atomic_load_n(&gw->w[i].counters[c], __ATOMIC_RELAXED);
}

void dp_gw_free(struct dp_gw *gw)
{
	if (gw == NULL)
		return;
	for (unsigned int i = 0; i < gw->n_ports; i++) {
		struct dp_gw_port *gp = &gw->ports[i];

		if (gw->started) {
			(void)rte_eth_dev_stop(gp->eth);
			if (gp->has_tap)
				(void)rte_eth_dev_stop(gp->tap);
		}
		(void)rte_eth_dev_close(gp->eth);
		if (gp->has_tap)
			(void)rte_eth_dev_close(gp->tap);
	}
	if (gw->w != NULL) {
		for (unsigned int i = 0; i < gw->ctx->cfg.workers; i++)
			dp_proc_free(gw->w[i].proc);
		rte_free(gw->w);
	}
	rte_mempool_free(gw->mp);
	rte_free(gw);
}
