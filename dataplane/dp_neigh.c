/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_neigh.c: the neighbour table, resolution and pending packets
 * (see dp_neigh.h for the concurrency model). */
#define ALLOW_EXPERIMENTAL_API 1 /* rte_hash_rcu_qsbr_add: experimental in 22.11 */

#include "dp_neigh.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dp_arp_nd.h"
#include "dp_event.h"
#include "dp_net_priv.h"

#define RUN_BATCH 32u

static_assert(sizeof(struct dp_neigh_key) == 20, "neighbour key has no padding");
static_assert(sizeof(struct dp_neigh_entry) == 64, "one entry per cache line");

void dp_neigh_key_make(struct dp_neigh_key *k, uint8_t family, uint16_t port,
	const uint8_t *addr)
{
	memset(k, 0, sizeof(*k));
	k->family = family;
	k->port = port;
	memcpy(k->addr, addr, family == AF_INET ? 4 : 16);
}

int dp_neigh_table_create(struct dp_net *net, int socket_id)
{
	char name[RTE_HASH_NAMESIZE];

	net->neigh = aligned_alloc(64, sizeof(*net->neigh) * net->cfg.max_neigh);
	if (net->neigh == NULL)
		return -ENOMEM;
	memset(net->neigh, 0, sizeof(*net->neigh) * net->cfg.max_neigh);
	snprintf(name, sizeof(name), "%s_nb", net->name);
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = net->cfg.max_neigh,
		.key_len = sizeof(struct dp_neigh_key),
		.hash_func = rte_hash_crc,
		.socket_id = socket_id,
		/* Lock-free readers, one writer (CONTROL). */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	net->neigh_hash = rte_hash_create(&hp);
	if (net->neigh_hash == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	/* A deleted key's position (= its entry) is reused only after a
	 * grace period. */
	struct rte_hash_rcu_config hrc = {
		.v = net->qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ,
	};
	if (rte_hash_rcu_qsbr_add(net->neigh_hash, &hrc) != 0)
		return -ENOMEM;
	return 0;
}

void dp_neigh_table_free(struct dp_net *net)
{
	if (net->neigh_hash != NULL)
		rte_hash_free(net->neigh_hash);
	net->neigh_hash = NULL;
	free(net->neigh);
	net->neigh = NULL;
}

/* The live entry for key, or NULL.  WORKER or CONTROL. */
static struct dp_neigh_entry *entry_find(const struct dp_net *net, const struct dp_neigh_key *k,
	uint64_t *ms)
{
	int32_t pos = rte_hash_lookup(net->neigh_hash, k);
	struct dp_neigh_entry *e;

	if (pos < 0 || (uint32_t)pos >= net->cfg.max_neigh)
		return NULL;
	e = &net->neigh[pos];
	*ms = __atomic_load_n(&e->mac_state, __ATOMIC_ACQUIRE);
	if (dp_neigh_ms_state(*ms) == DP_NEIGH_NONE)
		return NULL;
	return e;
}

static bool has_mac(uint8_t state)
{
	return state == DP_NEIGH_REACHABLE || state == DP_NEIGH_STALE ||
		state == DP_NEIGH_STATIC;
}

/* ------------------------------------------------------------------------ */
/* CONTROL.                                                                  */

static int entry_create(struct dp_net *net, const struct dp_neigh_key *k, uint64_t ms,
	bool is_static)
{
	struct dp_neigh_entry *e;
	uint64_t now = rte_get_tsc_cycles();
	int32_t pos;

	pos = rte_hash_add_key(net->neigh_hash, k);
	if (pos < 0)
		return pos == -ENOSPC ? -ENOSPC : -EINVAL;
	if ((uint32_t)pos >= net->cfg.max_neigh) {
		(void)rte_hash_del_key(net->neigh_hash, k);
		return -ENOSPC;
	}
	e = &net->neigh[pos];
	e->key = *k;
	e->is_static = is_static;
	__atomic_store_n(&e->confirmed_tsc, now, __ATOMIC_RELAXED);
	__atomic_store_n(&e->used_tsc, now, __ATOMIC_RELAXED);
	__atomic_store_n(&e->solicit_tsc, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->probes, 0, __ATOMIC_RELAXED);
	/* Publishes the fields above with the state. */
	__atomic_store_n(&e->mac_state, ms, __ATOMIC_RELEASE);
	net->neigh_count++;
	net->neigh_created++;
	return 0;
}

/* Remove e if its word still reads `ms` (a worker may have confirmed it
 * meanwhile: then it stays). */
static bool entry_delete(struct dp_net *net, struct dp_neigh_entry *e, uint64_t ms)
{
	uint64_t none = 0;

	if (!__atomic_compare_exchange_n(&e->mac_state, &ms, none, false, __ATOMIC_ACQ_REL,
		__ATOMIC_RELAXED))
		return false;
	(void)rte_hash_del_key(net->neigh_hash, &e->key);
	net->neigh_count--;
	return true;
}

static int addr_check(const struct dp_net *net, unsigned int port, const struct dp_addr *a)
{
	if (net == NULL || a == NULL || port >= DP_NET_PORTS_MAX)
		return -EINVAL;
	if (a->family == AF_INET) {
		for (unsigned int i = 4; i < 16; i++)
			if (a->bytes[i] != 0)
				return -EINVAL;
		return 0;
	}
	return a->family == AF_INET6 ? 0 : -EINVAL;
}

int dp_neigh_add(struct dp_net *net, unsigned int port, const struct dp_addr *addr,
	const uint8_t mac[6])
{
	struct dp_neigh_entry *e;
	struct dp_neigh_key k;
	uint64_t ms;

	if (addr_check(net, port, addr) != 0 || mac == NULL || (mac[0] & 1) != 0)
		return -EINVAL;
	dp_neigh_key_make(&k, addr->family, (uint16_t)port, addr->bytes);
	e = entry_find(net, &k, &ms);
	if (e != NULL) {
		e->is_static = 1;
		__atomic_store_n(&e->mac_state, dp_neigh_ms_make(mac, DP_NEIGH_STATIC),
			__ATOMIC_RELEASE);
		return 0;
	}
	return entry_create(net, &k, dp_neigh_ms_make(mac, DP_NEIGH_STATIC), true);
}

int dp_neigh_del(struct dp_net *net, unsigned int port, const struct dp_addr *addr)
{
	struct dp_neigh_entry *e;
	struct dp_neigh_key k;
	uint64_t ms;

	if (addr_check(net, port, addr) != 0)
		return -EINVAL;
	dp_neigh_key_make(&k, addr->family, (uint16_t)port, addr->bytes);
	/* A worker's compare-exchange can race the delete: retry until the
	 * word we replace is the one we read. */
	while ((e = entry_find(net, &k, &ms)) != NULL)
		if (entry_delete(net, e, ms))
			return 0;
	return -ENOENT;
}

int dp_neigh_get(struct dp_net *net, unsigned int port, const struct dp_addr *addr,
	struct dp_neigh_info *info)
{
	struct dp_neigh_entry *e;
	struct dp_neigh_key k;
	uint64_t ms;

	if (addr_check(net, port, addr) != 0 || info == NULL)
		return -EINVAL;
	dp_neigh_key_make(&k, addr->family, (uint16_t)port, addr->bytes);
	e = entry_find(net, &k, &ms);
	if (e == NULL)
		return -ENOENT;
	memset(info, 0, sizeof(*info));
	info->addr = *addr;
	info->port = (uint16_t)port;
	info->state = dp_neigh_ms_state(ms);
	if (has_mac(info->state))
		dp_neigh_ms_mac(ms, info->mac);
	info->probes = __atomic_load_n(&e->probes, __ATOMIC_RELAXED);
	return 0;
}

static int request_apply(struct dp_net *net, const struct dp_event *ev)
{
	struct dp_neigh_entry *e;
	struct dp_neigh_key k;
	uint8_t mac[6];
	uint64_t ms;

	if ((ev->flow.family != AF_INET && ev->flow.family != AF_INET6) ||
	    ev->policy >= DP_NET_PORTS_MAX)
		return 0;
	dp_neigh_key_make(&k, ev->flow.family, (uint16_t)ev->policy, ev->flow.dst);
	e = entry_find(net, &k, &ms);
	dp_neigh_ms_mac(ev->value, mac);
	if (e != NULL) {
		/* A sender we were still resolving: its MAC is news. */
		if (ev->type == DP_NEIGH_REQ_LEARN && dp_neigh_ms_state(ms) == DP_NEIGH_INCOMPLETE)
			return __atomic_compare_exchange_n(&e->mac_state, &ms,
				dp_neigh_ms_make(mac, DP_NEIGH_STALE), false, __ATOMIC_ACQ_REL,
				__ATOMIC_RELAXED) ? 1 : 0;
		return 0;
	}
	if (ev->type == DP_NEIGH_REQ_RESOLVE)
		return entry_create(net, &k, (uint64_t)DP_NEIGH_INCOMPLETE << DP_NEIGH_STATE_SHIFT,
			false) == 0 ? 1 : 0;
	if (ev->type == DP_NEIGH_REQ_LEARN)
		return entry_create(net, &k, dp_neigh_ms_make(mac, DP_NEIGH_STALE), false) == 0 ?
			1 : 0;
	return 0;
}

/* Time since t; workers may stamp a time after our `now`. */
static uint64_t elapsed(uint64_t now, uint64_t t)
{
	return now > t ? now - t : 0;
}

/* Age one entry (RFC 4861 7.3.3, simplified). */
static int entry_age(struct dp_net *net, struct dp_neigh_entry *e, uint64_t now)
{
	uint64_t ms = __atomic_load_n(&e->mac_state, __ATOMIC_ACQUIRE);
	uint8_t st = dp_neigh_ms_state(ms);
	uint64_t confirmed = __atomic_load_n(&e->confirmed_tsc, __ATOMIC_RELAXED);
	uint64_t used = __atomic_load_n(&e->used_tsc, __ATOMIC_RELAXED);
	uint64_t solicit = __atomic_load_n(&e->solicit_tsc, __ATOMIC_RELAXED);
	uint32_t probes = __atomic_load_n(&e->probes, __ATOMIC_RELAXED);
	bool probes_out = probes >= net->cfg.max_probes && now >= solicit;

	switch (st) {
	case DP_NEIGH_INCOMPLETE:
		/* Failed, or never solicited (nothing waited for it). */
		if (probes_out ||
		    elapsed(now, confirmed) >
			    (uint64_t)(net->cfg.max_probes + 1) * net->retrans_tsc)
			goto remove;
		return 0;
	case DP_NEIGH_REACHABLE:
		if (elapsed(now, confirmed) <= net->reachable_tsc)
			return 0;
		return __atomic_compare_exchange_n(&e->mac_state, &ms,
			(ms & DP_NEIGH_MAC_MASK) | (uint64_t)DP_NEIGH_STALE << DP_NEIGH_STATE_SHIFT,
			false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED) ? 1 : 0;
	case DP_NEIGH_STALE:
		if (probes_out || (elapsed(now, used) > net->gc_tsc &&
		    elapsed(now, confirmed) > net->gc_tsc))
			goto remove;
		return 0;
	default:
		return 0;
	}
remove:
	if (!entry_delete(net, e, ms))
		return 0;
	net->neigh_expired++;
	return 1;
}

int dp_net_run(struct dp_net *net)
{
	struct dp_event ev[RUN_BATCH];
	uint64_t now;
	int n, changed = 0;

	if (net == NULL)
		return -EINVAL;
	do {
		n = dp_event_take(net->requests, ev, RUN_BATCH);
		if (n < 0)
			return n;
		for (int i = 0; i < n; i++)
			changed += request_apply(net, &ev[i]);
	} while (n == (int)RUN_BATCH);
	now = rte_get_tsc_cycles();
	for (uint32_t i = 0; i < net->cfg.max_neigh; i++)
		if (__atomic_load_n(&net->neigh[i].mac_state, __ATOMIC_RELAXED) != 0)
			changed += entry_age(net, &net->neigh[i], now);
	return changed;
}

/* ------------------------------------------------------------------------ */
/* WORKER.                                                                   */

void dp_net_tx_add(struct dp_net *net, unsigned int worker, struct dp_net_tx *tx,
	struct rte_mbuf *m, uint16_t port)
{
	if (tx != NULL && tx->n < tx->max) {
		tx->pkts[tx->n] = m;
		tx->ports[tx->n] = port;
		tx->n++;
		return;
	}
	rte_pktmbuf_free(m);
	dp_net_count(&net->w[worker], DP_NET_C_NO_BUFFER, 1);
}

static void request_post(struct dp_net *net, unsigned int worker, enum dp_neigh_req type,
	const struct dp_neigh_key *k, uint64_t mac)
{
	struct dp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = (uint16_t)type;
	ev.worker = (uint16_t)worker;
	ev.policy = k->port;
	ev.value = mac;
	ev.flow.family = k->family;
	memcpy(ev.flow.dst, k->addr, 16);
	if (dp_event_post(net->requests, &ev) != 0)
		dp_net_count(&net->w[worker], DP_NET_C_NEIGH_REQUEST_LOST, 1);
}

/* Whether this caller won the right to send the next solicitation. */
static bool solicit_claim(struct dp_net *net, struct dp_neigh_entry *e, uint64_t now)
{
	uint64_t t = __atomic_load_n(&e->solicit_tsc, __ATOMIC_RELAXED);

	if (now < t || __atomic_load_n(&e->probes, __ATOMIC_RELAXED) >= net->cfg.max_probes)
		return false;
	if (!__atomic_compare_exchange_n(&e->solicit_tsc, &t, now + net->retrans_tsc, false,
		__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return false;
	__atomic_fetch_add(&e->probes, 1, __ATOMIC_RELAXED); /* rare: once per retrans */
	return true;
}

static void solicit_send(struct dp_net *net, unsigned int worker, struct rte_mempool *mp,
	const struct dp_neigh_key *k, const uint8_t *mac, struct dp_net_tx *tx)
{
	const struct dp_net_port *p = dp_net_port_get(net, k->port);
	struct rte_mbuf *m;

	if (p == NULL)
		return;
	m = dp_arp_nd_solicit(p, mp, k->family, k->addr, mac);
	if (m == NULL) {
		dp_net_count(&net->w[worker], DP_NET_C_NO_BUFFER, 1);
		return;
	}
	dp_net_count(&net->w[worker],
		k->family == AF_INET ? DP_NET_C_ARP_REQUEST_OUT : DP_NET_C_NS_OUT, 1);
	dp_net_tx_add(net, worker, tx, m, k->port);
}

/* The Ethernet header toward mac from port.  false: no port. */
static bool l2_make(const struct dp_net *net, uint16_t port, uint8_t family, uint64_t ms,
	uint8_t eth[DP_ETHER_HDR_LEN])
{
	const struct dp_net_port *p = dp_net_port_get(net, port);
	uint16_t type = family == AF_INET ? DP_ETHERTYPE_IPV4 : DP_ETHERTYPE_IPV6;

	if (p == NULL)
		return false;
	dp_neigh_ms_mac(ms, eth);
	memcpy(eth + 6, p->mac, 6);
	eth[12] = (uint8_t)(type >> 8);
	eth[13] = (uint8_t)type;
	return true;
}

/* Prepend the Ethernet header hdr.  false: no headroom. */
static bool l2_put(struct rte_mbuf *m, const uint8_t hdr[DP_ETHER_HDR_LEN])
{
	uint8_t *eth = (uint8_t *)rte_pktmbuf_prepend(m, DP_ETHER_HDR_LEN);

	if (eth == NULL)
		return false;
	memcpy(eth, hdr, DP_ETHER_HDR_LEN);
	return true;
}

/* Prepend the Ethernet header toward mac from port.  false: no headroom
 * or no port. */
static bool l2_fill(const struct dp_net *net, struct rte_mbuf *m, uint16_t port, uint8_t family,
	uint64_t ms)
{
	uint8_t hdr[DP_ETHER_HDR_LEN];

	return l2_make(net, port, family, ms, hdr) && l2_put(m, hdr);
}

static void mark_used(struct dp_net *net, struct dp_neigh_entry *e, uint64_t now)
{
	/* Coarse, to keep the line mostly read-only across workers. */
	if (elapsed(now, __atomic_load_n(&e->used_tsc, __ATOMIC_RELAXED)) > net->retrans_tsc / 4)
		__atomic_store_n(&e->used_tsc, now, __ATOMIC_RELAXED);
}

static uint32_t pending_for(const struct dp_net_worker *w, const struct dp_neigh_key *k)
{
	uint32_t c = 0;

	for (uint32_t i = 0; i < w->n_pending; i++)
		c += memcmp(&w->pending[i].key, k, sizeof(*k)) == 0;
	return c;
}

uint16_t dp_neigh_resolve_burst(struct dp_net *net, unsigned int worker, struct rte_mempool *mp,
	struct rte_mbuf **pkts, const struct dp_nexthop *nh, uint16_t n, uint8_t *res,
	struct dp_net_tx *tx)
{
	struct dp_net_worker *w = &net->w[worker];
	uint64_t now = rte_get_tsc_cycles();
	uint16_t sent = 0;
	/* The next hop the previous packet was sent to and its Ethernet
	 * header: a run of packets toward one next hop looks the neighbour up
	 * once (use marking and solicitation are per entry and time, so once
	 * per run at one `now` does what once per packet did). */
	const struct dp_nexthop *run = NULL;
	uint8_t run_hdr[DP_ETHER_HDR_LEN];

	for (uint16_t i = 0; i < n; i++) {
		struct dp_neigh_entry *e;
		struct dp_neigh_key k;
		uint64_t ms = 0;
		uint8_t st;

		res[i] = DP_NEIGH_DROP;
		if (nh[i].port == DP_ROUTE_NO_PORT) {
			dp_net_count(w, DP_NET_C_NO_ROUTE, 1);
			continue;
		}
		if (run != NULL && dp_nexthop_same(&nh[i], run)) {
			if (!l2_put(pkts[i], run_hdr)) {
				dp_net_count(w, DP_NET_C_NO_BUFFER, 1);
				continue;
			}
			res[i] = DP_NEIGH_SEND;
			sent++;
			continue;
		}
		run = NULL;
		dp_neigh_key_make(&k, nh[i].family, nh[i].port, nh[i].addr);
		e = entry_find(net, &k, &ms);
		st = dp_neigh_ms_state(ms);
		if (e != NULL && has_mac(st)) {
			if (!l2_make(net, nh[i].port, nh[i].family, ms, run_hdr) ||
			    !l2_put(pkts[i], run_hdr)) {
				dp_net_count(w, DP_NET_C_NO_BUFFER, 1);
				continue;
			}
			run = &nh[i];
			res[i] = DP_NEIGH_SEND;
			sent++;
			mark_used(net, e, now);
			if (st == DP_NEIGH_STALE && solicit_claim(net, e, now)) {
				uint8_t mac[6];

				dp_neigh_ms_mac(ms, mac);
				solicit_send(net, worker, mp, &k, mac, tx);
			}
			continue;
		}
		/* No MAC yet: wait. */
		uint32_t already = pending_for(w, &k);

		if (w->n_pending >= net->cfg.pending_max ||
		    already >= net->cfg.pending_per_neigh) {
			dp_net_count(w, DP_NET_C_PENDING_FULL, 1);
			continue;
		}
		w->pending[w->n_pending].m = pkts[i];
		w->pending[w->n_pending].key = k;
		w->pending[w->n_pending].deadline_tsc =
			now + (uint64_t)net->cfg.max_probes * net->retrans_tsc;
		w->n_pending++;
		res[i] = DP_NEIGH_QUEUED;
		dp_net_count(w, DP_NET_C_PENDING, 1);
		if (e == NULL && already == 0)
			request_post(net, worker, DP_NEIGH_REQ_RESOLVE, &k, 0);
		else if (e != NULL && solicit_claim(net, e, now))
			solicit_send(net, worker, mp, &k, NULL, tx);
	}
	return sent;
}

bool dp_neigh_header(struct dp_net *net, unsigned int worker, struct rte_mempool *mp,
	const struct dp_nexthop *nh, uint8_t hdr[DP_ETHER_HDR_LEN], struct dp_net_tx *tx)
{
	struct dp_neigh_entry *e;
	struct dp_neigh_key k;
	uint64_t ms = 0, now;
	uint8_t st;

	if (nh->port == DP_ROUTE_NO_PORT)
		return false;
	dp_neigh_key_make(&k, nh->family, nh->port, nh->addr);
	e = entry_find(net, &k, &ms);
	st = dp_neigh_ms_state(ms);
	if (e == NULL || !has_mac(st) || !l2_make(net, nh->port, nh->family, ms, hdr))
		return false;
	now = rte_get_tsc_cycles();
	mark_used(net, e, now);
	if (st == DP_NEIGH_STALE && solicit_claim(net, e, now)) {
		uint8_t mac[6];

		dp_neigh_ms_mac(ms, mac);
		solicit_send(net, worker, mp, &k, mac, tx);
	}
	return true;
}

uint16_t dp_neigh_pending_poll(struct dp_net *net, unsigned int worker, struct rte_mempool *mp,
	struct dp_net_tx *tx)
{
	struct dp_net_worker *w = &net->w[worker];
	uint16_t out = 0;
	uint32_t keep = 0;
	uint64_t now;

	if (w->n_pending == 0)
		return 0;
	now = rte_get_tsc_cycles();
	for (uint32_t i = 0; i < w->n_pending; i++) {
		struct dp_pending *pd = &w->pending[i];
		struct dp_neigh_entry *e;
		uint64_t ms = 0;

		e = entry_find(net, &pd->key, &ms);
		if (e != NULL && has_mac(dp_neigh_ms_state(ms))) {
			if (l2_fill(net, pd->m, pd->key.port, pd->key.family, ms)) {
				mark_used(net, e, now);
				uint16_t before = tx->n;

				dp_net_tx_add(net, worker, tx, pd->m, pd->key.port);
				out = (uint16_t)(out + (tx->n - before));
			} else {
				rte_pktmbuf_free(pd->m);
				dp_net_count(w, DP_NET_C_NO_BUFFER, 1);
			}
			continue;
		}
		if (now >= pd->deadline_tsc) {
			rte_pktmbuf_free(pd->m);
			dp_net_count(w, DP_NET_C_UNRESOLVED, 1);
			continue;
		}
		if (e != NULL && solicit_claim(net, e, now)) {
			uint16_t before = tx->n;

			solicit_send(net, worker, mp, &pd->key, NULL, tx);
			out = (uint16_t)(out + (tx->n - before));
		}
		w->pending[keep++] = *pd;
	}
	w->n_pending = keep;
	return out;
}

uint32_t dp_neigh_pending_count(const struct dp_net *net, unsigned int worker)
{
	return net->w[worker].n_pending;
}

bool dp_neigh_learn(struct dp_net *net, unsigned int worker, uint8_t family, uint16_t port,
	const uint8_t *addr, const uint8_t mac[6], bool solicited, bool override, bool create)
{
	struct dp_net_worker *w = &net->w[worker];
	struct dp_neigh_entry *e;
	struct dp_neigh_key k;
	uint64_t ms, want = dp_neigh_ms_make(mac, 0);

	dp_neigh_key_make(&k, family, port, addr);
	e = entry_find(net, &k, &ms);
	if (e == NULL) {
		if (create)
			request_post(net, worker, DP_NEIGH_REQ_LEARN, &k, want);
		return create;
	}
	for (;;) {
		uint8_t st = dp_neigh_ms_state(ms), next;
		bool known = has_mac(st), same = (ms & DP_NEIGH_MAC_MASK) == want;

		if (st == DP_NEIGH_STATIC || st == DP_NEIGH_NONE)
			return false;
		if (known && !same && !override)
			return false; /* RFC 4861 7.2.5: keep the cached MAC */
		if (solicited)
			next = DP_NEIGH_REACHABLE;
		else if (!known || !same)
			next = DP_NEIGH_STALE;
		else
			next = st;
		if (next == st && same) {
			if (!solicited)
				return false;
			goto confirm; /* nothing to change but the time */
		}
		if (__atomic_compare_exchange_n(&e->mac_state, &ms, want |
			(uint64_t)next << DP_NEIGH_STATE_SHIFT, false, __ATOMIC_ACQ_REL,
			__ATOMIC_ACQUIRE))
			break;
		/* ms reloaded: someone else changed it; decide again. */
	}
	dp_net_count(w, DP_NET_C_NEIGH_LEARNED, 1);
confirm:
	if (solicited) {
		__atomic_store_n(&e->confirmed_tsc, rte_get_tsc_cycles(), __ATOMIC_RELAXED);
		__atomic_store_n(&e->probes, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&e->solicit_tsc, 0, __ATOMIC_RELAXED);
	}
	return true;
}
