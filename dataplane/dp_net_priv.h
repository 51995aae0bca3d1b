/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_net_priv.h: the routing state (struct dp_net) shared by dp_net.c,
 * dp_route.c, dp_neigh.c, dp_arp_nd.c and dp_icmp.c.
 *
 * Who writes what:
 *   - ports[], the LPM tables, nh[] and the neighbour hash's membership:
 *     CONTROL only, published with release stores / the tables' own
 *     lock-free updates; freed or reused only after an RCU grace period of
 *     the dp_ctx's workers.
 *   - a neighbour entry's mac_state, confirmed/used/solicit times and
 *     probes: workers (replies, use, solicitations) and CONTROL (ageing),
 *     always by atomic store or compare-exchange on one 64-bit word, so a
 *     reader sees the MAC and the state together.
 *   - workers[w]: worker w only (CONTROL reads counters relaxed).
 */
#ifndef DP_NET_PRIV_H
#define DP_NET_PRIV_H

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "dpsec/dp.h"

struct rte_lpm;
struct rte_lpm6;
struct rte_hash;
struct rte_mbuf;
struct dp_event_queue;

#define DP_ETHER_HDR_LEN 14u
#define DP_ETHERTYPE_IPV4 0x0800u
#define DP_ETHERTYPE_IPV6 0x86ddu
#define DP_ETHERTYPE_ARP 0x0806u

/* One port as CONTROL last set it; immutable once published. */
struct dp_net_port {
	uint8_t mac[6];
	uint16_t mtu;
	uint8_t n4, n6;             /* addresses of each family */
	struct dp_prefix a4[DP_NET_PORT_ADDRS_MAX];
	struct dp_prefix a6[DP_NET_PORT_ADDRS_MAX + 1]; /* [n6-1]: link-local */
};

/* A route's next hop (index stored in the LPM).  CONTROL writes it before
 * the route is added and reuses it only after the route's deletion and a
 * grace period. */
struct dp_nh {
	uint16_t port;
	uint8_t family;
	uint8_t connected;          /* no gateway: next hop = destination */
	uint8_t gw[16];
};

#define DP_NH_NONE UINT32_MAX

/* Neighbour key: the hash key (20 bytes, no padding bytes left unset). */
struct dp_neigh_key {
	uint8_t family;
	uint8_t zero;
	uint16_t port;
	uint8_t addr[16];
};

/* mac_state: MAC in bits 0..47 (mac[0] in bits 40..47), state in 48..55. */
#define DP_NEIGH_MAC_MASK 0xffffffffffffull
#define DP_NEIGH_STATE_SHIFT 48

static inline uint8_t dp_neigh_ms_state(uint64_t ms)
{
	return (uint8_t)(ms >> DP_NEIGH_STATE_SHIFT);
}

static inline uint64_t dp_neigh_ms_make(const uint8_t mac[6], uint8_t state)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	return v | (uint64_t)state << DP_NEIGH_STATE_SHIFT;
}

static inline void dp_neigh_ms_mac(uint64_t ms, uint8_t mac[6])
{
	for (unsigned int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(ms >> (40 - 8 * i));
}

/* Entry i is the neighbour whose key sits at hash position i.  State NONE
 * means "not (yet) an entry": readers treat it as a miss.  CONTROL sets
 * NONE before deleting the key; the hash reuses the position only after a
 * grace period. */
struct dp_neigh_entry {
	alignas(64) uint64_t mac_state;
	uint64_t confirmed_tsc;     /* last reply (worker) */
	uint64_t used_tsc;          /* last use, coarse (workers) */
	uint64_t solicit_tsc;       /* next solicitation allowed (CAS) */
	uint32_t probes;            /* solicitations since confirmation */
	uint8_t is_static;          /* CONTROL */
	uint8_t reserved[3];
	struct dp_neigh_key key;    /* CONTROL, before state leaves NONE */
};

/* A packet waiting for its next hop's MAC. */
struct dp_pending {
	struct rte_mbuf *m;
	uint64_t deadline_tsc;
	struct dp_neigh_key key;
};

struct dp_net_worker {
	alignas(64) uint64_t counters[DP_NET_C_COUNT];
	uint64_t icmp_tokens_tsc;   /* token bucket: time the bucket is full */
	uint16_t ip_id;             /* IPv4 ID of packets this worker makes */
	uint32_t n_pending;
	struct dp_pending *pending; /* pending_max entries */
};

/* Request from a worker to CONTROL, carried in a struct dp_event:
 * type = enum below, policy = port, value = MAC (mac_state layout),
 * flow.family/flow.dst = address. */
enum dp_neigh_req {
	DP_NEIGH_REQ_RESOLVE = 1,   /* create an INCOMPLETE entry */
	DP_NEIGH_REQ_LEARN = 2,     /* create a STALE entry with this MAC */
};

struct dp_net {
	struct dp_net_config cfg;
	char name[13];
	struct dp_ctx *ctx;
	struct rte_rcu_qsbr *qsbr;
	uint16_t workers;
	uint64_t tsc_hz;
	uint64_t reachable_tsc, retrans_tsc, gc_tsc;
	struct dp_net_port *ports[DP_NET_PORTS_MAX]; /* release/acquire */
	struct rte_lpm *lpm4;
	struct rte_lpm6 *lpm6;
	struct dp_nh *nh;           /* max_routes4 + max_routes6 */
	uint32_t *nh_free;          /* stack of free nh indexes */
	uint32_t nh_nfree, nh_max;
	uint32_t routes4, routes6;
	/* Default routes: rte_lpm/rte_lpm6 take depths from 1, so /0 lives
	 * here (nh index, DP_NH_NONE when absent; release/acquire). */
	uint32_t default_nh[2];     /* [0] IPv4, [1] IPv6 */
	struct rte_hash *neigh_hash;
	struct dp_neigh_entry *neigh; /* max_neigh entries */
	uint32_t neigh_count;
	uint32_t neigh_created, neigh_expired;
	struct dp_event_queue *requests;
	struct dp_net_worker *w;    /* one per ctx worker */
};

static inline void dp_net_count(struct dp_net_worker *w, enum dp_net_counter c, uint64_t v)
{
	__atomic_store_n(&w->counters[c], w->counters[c] + v, __ATOMIC_RELAXED);
}

static inline const struct dp_net_port *dp_net_port_get(const struct dp_net *net,
	unsigned int port)
{
	if (port >= DP_NET_PORTS_MAX)
		return NULL;
	return __atomic_load_n(&net->ports[port], __ATOMIC_ACQUIRE);
}

/* Port address to use as a source toward dst (same prefix first, else the
 * first global one; IPv6 falls back to the link-local).  NULL if none. */
const uint8_t *dp_net_port_src(const struct dp_net_port *p, uint8_t family,
	const uint8_t *dst);

/* Whether addr is one of the port's own addresses.  Inline: the worker
 * asks for every packet from an unprotected port. */
static inline bool dp_net_port_owns(const struct dp_net_port *p, uint8_t family,
	const uint8_t *addr)
{
	uint64_t a0, a1, b0, b1;
	uint32_t a4, b4;

	if (family == AF_INET) {
		memcpy(&a4, addr, 4);
		for (unsigned int i = 0; i < p->n4; i++) {
			memcpy(&b4, p->a4[i].addr.bytes, 4);
			if (a4 == b4)
				return true;
		}
		return false;
	}
	memcpy(&a0, addr, 8);
	memcpy(&a1, addr + 8, 8);
	for (unsigned int i = 0; i < p->n6; i++) {
		memcpy(&b0, p->a6[i].addr.bytes, 8);
		memcpy(&b1, p->a6[i].addr.bytes + 8, 8);
		if (((a0 ^ b0) | (a1 ^ b1)) == 0)
			return true;
	}
	return false;
}

void dp_neigh_key_make(struct dp_neigh_key *k, uint8_t family, uint16_t port,
	const uint8_t *addr);

/* Neighbour table lifetime (dp_neigh.c), called by dp_net.c. */
int dp_neigh_table_create(struct dp_net *net, int socket_id);
void dp_neigh_table_free(struct dp_net *net);
/* Route table lifetime (dp_route.c). */
int dp_route_tables_create(struct dp_net *net, int socket_id);
void dp_route_tables_free(struct dp_net *net);

#endif /* DP_NET_PRIV_H */
