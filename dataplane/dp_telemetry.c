/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_telemetry.c: the /dpsec/ DPDK telemetry commands (dp_telemetry.h,
 * docs/TELEMETRY.md). */
#include "dp_telemetry.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cryptodev.h>
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "dp_crypto_priv.h"
#include "dp_ctx_priv.h"
#include "dp_net_priv.h"
#include "dp_port.h"
#include "dp_sa.h"
#include "dp_sadb.h"
#include "dp_spd_priv.h"
#include "dp_worker.h"

#define DPSEC_VERSION "0.1.0"  /* meson.build's project version */
#define SA_PAGE 128u           /* /dpsec/sa/list entries per reply */
#define POLICY_PAGE 32u        /* /dpsec/policies rules per reply */
#define KEY_MAX 64u            /* dict key buffer */

/* What the commands read.  `lock` serialises the commands (DPDK runs one
 * thread per client) and enable/disable; the handler is the context's
 * telemetry RCU reader while it holds it. */
static struct {
	pthread_mutex_t lock;
	bool registered;               /* commands registered with DPDK */
	struct dp_ctx *ctx;            /* NULL: disabled */
	struct dp_telemetry_sources src;
} tel = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* ------------------------------------------------------------------------ */
/* Names.                                                                    */

static const char *const state_names[SADB_SASTATE_MAX + 1] = {
	[SADB_SASTATE_LARVAL] = "larval",
	[SADB_SASTATE_MATURE] = "mature",
	[SADB_SASTATE_DYING] = "dying",
	[SADB_SASTATE_DEAD] = "dead",
	[SADB_X_SASTATE_ACTIVE_ELSEWHERE] = "active_elsewhere",
	[SADB_X_SASTATE_IDLE] = "idle",
	[SADB_X_SASTATE_ACTIVE] = "active",
};

static const char *state_name(uint8_t s)
{
	return s <= SADB_SASTATE_MAX ? state_names[s] : "unknown";
}

static const char *engine_name(uint8_t e)
{
	switch (e) {
	case DP_ENGINE_IPSEC_MB:
		return "ipsec_mb";
	case DP_ENGINE_CRYPTODEV:
		return "cryptodev";
	default:
		return "default";
	}
}

static const char *dir_name(uint8_t dir)
{
	return dir == DP_DIR_IN ? "in" : dir == DP_DIR_OUT ? "out" : "both";
}

static const char *satype_name(uint8_t satype)
{
	return satype == SADB_SATYPE_AH ? "ah" : satype == SADB_SATYPE_ESP ? "esp" : "other";
}

/* Telemetry dict keys allow only [A-Za-z0-9_/]: "no-sa" becomes "no_sa". */
static void key_of(const char *name, char *key)
{
	unsigned int i;

	for (i = 0; name[i] != '\0' && i < KEY_MAX - 1; i++)
		key[i] = name[i] == '-' ? '_' : name[i];
	key[i] = '\0';
}

static void addr_str(const struct dp_addr *a, char *buf, size_t len)
{
	if (a->family != AF_INET && a->family != AF_INET6) {
		snprintf(buf, len, "none");
		return;
	}
	if (inet_ntop(a->family, a->bytes, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

/* ------------------------------------------------------------------------ */
/* Building replies.  A failed add (a full dict) only shortens the reply.    */

static void put_u64(struct rte_tel_data *d, const char *name, uint64_t v)
{
	(void)rte_tel_data_add_dict_u64(d, name, v);
}

static void put_str(struct rte_tel_data *d, const char *name, const char *v)
{
	(void)rte_tel_data_add_dict_string(d, name, v);
}

/* Add child under name; the reply owns it from then on (freed by DPDK). */
static void put_dict(struct rte_tel_data *d, const char *name, struct rte_tel_data *child)
{
	if (child != NULL && rte_tel_data_add_dict_container(d, name, child, 0) != 0)
		rte_tel_data_free(child);
}

static struct rte_tel_data *new_dict(void)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d != NULL)
		rte_tel_data_start_dict(d);
	return d;
}

/* Drops by reason name; nonzero_only for the compact forms. */
static struct rte_tel_data *drops_dict(const uint64_t drops[DP_DROP_COUNT], bool nonzero_only)
{
	struct rte_tel_data *d = new_dict();
	char key[KEY_MAX];

	if (d == NULL)
		return NULL;
	for (unsigned int r = DP_DROP_NONE + 1; r < DP_DROP_COUNT; r++) {
		if (nonzero_only && drops[r] == 0)
			continue;
		key_of(dp_drop_name(r), key);
		put_u64(d, key, drops[r]);
	}
	return d;
}

static uint64_t drops_total(const uint64_t drops[DP_DROP_COUNT])
{
	uint64_t t = 0;

	for (unsigned int r = DP_DROP_NONE + 1; r < DP_DROP_COUNT; r++)
		t += drops[r];
	return t;
}

/* ------------------------------------------------------------------------ */
/* Parameters.                                                               */

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	return 0;
}

int dp_telemetry_parse_sa_key(const char *params, uint64_t *value, bool *is_handle)
{
	uint64_t v;

	if (parse_u64(params, &v) != 0)
		return -EINVAL;
	*value = v;
	*is_handle = v > UINT32_MAX;
	return 0;
}

/* An optional cursor: absent or empty = 0. */
static int parse_cursor(const char *params, uint64_t max, uint64_t *v)
{
	if (params == NULL || *params == '\0') {
		*v = 0;
		return 0;
	}
	if (parse_u64(params, v) != 0 || *v > max)
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Commands.  Called with tel.lock held and the RCU reader online.           */

static uint32_t sa_count(const struct dp_ctx *ctx)
{
	return dp_sadb_count(ctx->sadb); /* relaxed: any thread */
}

static int cmd_info(struct dp_ctx *ctx, const char *params, struct rte_tel_data *d)
{
	unsigned int registered = 0;

	(void)params;
	for (unsigned int i = 0; i < ctx->cfg.workers; i++)
		registered += __atomic_load_n(&ctx->workers[i].registered, __ATOMIC_ACQUIRE) != 0;
	rte_tel_data_start_dict(d);
	put_str(d, "version", DPSEC_VERSION);
	put_str(d, "dpdk", rte_version());
	put_str(d, "name", ctx->name);
	put_u64(d, "workers", ctx->cfg.workers);
	put_u64(d, "workers_running", registered);
	put_str(d, "engine", engine_name(ctx->cfg.engine));
	if (ctx->cfg.engine == DP_ENGINE_CRYPTODEV)
		put_str(d, "crypto_dev", ctx->cfg.crypto_dev);
	put_u64(d, "sa_count", sa_count(ctx));
	put_u64(d, "sa_max", ctx->cfg.max_sas);
	put_u64(d, "uptime_s", dp_ctx_now(ctx) - ctx->clock_base_s);
	if (tel.src.spd != NULL) {
		struct dp_spd_stats sst;

		dp_spd_get_stats(tel.src.spd, &sst);
		put_u64(d, "policy_count", sst.rules);
	}
	if (tel.src.gw != NULL)
		put_u64(d, "ports", tel.src.gw->n_ports);
	return 0;
}

static int cmd_sa_list(struct dp_ctx *ctx, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *sas;
	char key[32], val[48];
	unsigned int n = 0;
	uint64_t start;
	uint32_t slot;
	struct dp_sa *sa;

	if (parse_cursor(params, UINT32_MAX, &start) != 0)
		return -EINVAL;
	sas = new_dict();
	if (sas == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	put_u64(d, "sa_count", sa_count(ctx));
	slot = (uint32_t)start;
	while (n < SA_PAGE && (sa = dp_sadb_next(ctx->sadb, &slot)) != NULL) {
		snprintf(key, sizeof(key), "%" PRIu64, sa->handle);
		snprintf(val, sizeof(val), "spi 0x%08" PRIx32 " %s %s", ntohl(sa->spi),
			satype_name(sa->satype), dir_name(sa->dir));
		put_str(sas, key, val);
		n++;
	}
	put_dict(d, "sas", sas);
	/* More may follow: the cursor to ask for the next page with. */
	if (n == SA_PAGE && dp_sadb_next(ctx->sadb, &(uint32_t){ slot }) != NULL)
		put_u64(d, "next", slot);
	return 0;
}

/* The SA a /dpsec/sa/stats parameter names; -ENOENT, or -EEXIST when an
 * SPI names several SAs (*n gets how many; ask by handle then). */
static int sa_lookup(struct dp_ctx *ctx, const char *params, struct dp_sa **out,
	unsigned int *n)
{
	struct dp_sa *sa, *found = NULL;
	bool is_handle;
	uint32_t slot = 0;
	uint64_t v;

	*n = 0;
	if (dp_telemetry_parse_sa_key(params, &v, &is_handle) != 0)
		return -EINVAL;
	if (is_handle) {
		*out = dp_sadb_get(ctx->sadb, v);
		*n = *out != NULL;
		return *out != NULL ? 0 : -ENOENT;
	}
	while ((sa = dp_sadb_next(ctx->sadb, &slot)) != NULL) {
		if (ntohl(sa->spi) != v)
			continue;
		if ((*n)++ == 0)
			found = sa;
	}
	*out = found;
	return *n == 0 ? -ENOENT : *n > 1 ? -EEXIST : 0;
}

static void sa_report(struct dp_ctx *ctx, const struct dp_sa *sa, struct rte_tel_data *d)
{
	const struct dp_sa_params *p = &sa->cold->params; /* immutable parts only */
	struct dp_sa_stats st;
	char buf[INET6_ADDRSTRLEN + 8];

	(void)ctx;
	dp_sa_stats(sa, &st);
	put_u64(d, "handle", sa->handle);
	put_u64(d, "spi", ntohl(sa->spi));
	snprintf(buf, sizeof(buf), "0x%08" PRIx32, ntohl(sa->spi));
	put_str(d, "spi_hex", buf);
	put_str(d, "proto", satype_name(sa->satype));
	put_str(d, "dir", dir_name(sa->dir));
	put_str(d, "mode", sa->mode == DP_MODE_TUNNEL ? "tunnel" : "transport");
	put_str(d, "state", state_name(st.state));
	put_u64(d, "owner", st.owner);
	put_str(d, "engine", engine_name(sa->engine));
	addr_str(&p->src, buf, sizeof(buf));
	put_str(d, "src", buf);
	addr_str(&p->dst, buf, sizeof(buf));
	put_str(d, "dst", buf);
	if (sa->natt_sport != 0 || sa->natt_dport != 0) {
		put_u64(d, "natt_sport", sa->natt_sport);
		put_u64(d, "natt_dport", sa->natt_dport);
	}
	put_u64(d, "esn", sa->esn);
	put_u64(d, "packets", st.packets);
	put_u64(d, "bytes", st.bytes);
	put_u64(d, "drops_total", drops_total(st.drops));
	put_dict(d, "drops", drops_dict(st.drops, false));
	put_u64(d, "add_time", st.add_time);
	put_u64(d, "last_use", st.last_use);
	put_u64(d, "seq", st.seq);
	if (sa->dir == DP_DIR_OUT) {
		put_u64(d, "lease_limit", st.lease_limit);
	} else {
		put_u64(d, "replay_highest", st.seq);
		put_u64(d, "replay_window", sa->rt.in->window);
	}
	put_u64(d, "held", st.held);
	put_u64(d, "expired", __atomic_load_n(&sa->expired, __ATOMIC_RELAXED));
	put_u64(d, "soft_bytes", __atomic_load_n(&sa->soft.bytes, __ATOMIC_RELAXED));
	put_u64(d, "soft_packets", __atomic_load_n(&sa->soft.packets, __ATOMIC_RELAXED));
	put_u64(d, "hard_bytes", __atomic_load_n(&sa->hard.bytes, __ATOMIC_RELAXED));
	put_u64(d, "hard_packets", __atomic_load_n(&sa->hard.packets, __ATOMIC_RELAXED));
}

static int cmd_sa_stats(struct dp_ctx *ctx, const char *params, struct rte_tel_data *d)
{
	struct dp_sa *sa;
	unsigned int n;
	int err;

	err = sa_lookup(ctx, params, &sa, &n);
	if (err == -EEXIST) {
		/* An SPI shared by several SAs (other destinations or
		 * protocols): say so rather than pick one. */
		rte_tel_data_start_dict(d);
		put_str(d, "error", "spi names several SAs; ask by handle (/dpsec/sa/list)");
		put_u64(d, "matches", n);
		return 0;
	}
	if (err != 0)
		return err;
	rte_tel_data_start_dict(d);
	sa_report(ctx, sa, d);
	return 0;
}

static struct rte_tel_data *worker_dict(struct dp_ctx *ctx, unsigned int i, bool all_reasons)
{
	struct rte_tel_data *w = new_dict();
	struct dp_worker_stats st;

	if (w == NULL)
		return NULL;
	/* Counters are read relaxed: any thread may (dp_counters.h). */
	(void)dp_worker_get_stats(ctx, i, &st);
	put_u64(w, "running", __atomic_load_n(&ctx->workers[i].registered, __ATOMIC_ACQUIRE));
	put_u64(w, "rx", st.rx_packets);
	put_u64(w, "tx", st.tx_packets);
	put_u64(w, "handoff_in", st.handoff_in);
	put_u64(w, "handoff_out", st.handoff_out);
	put_u64(w, "events_lost", st.events_lost);
	put_u64(w, "drops_total", drops_total(st.drops));
	put_dict(w, "drops", drops_dict(st.drops, !all_reasons));
	if (tel.src.gw != NULL && tel.src.gw->w != NULL) {
		struct rte_tel_data *loop = new_dict();
		char key[KEY_MAX];

		for (unsigned int c = 0; loop != NULL && c < DP_GW_C_COUNT; c++) {
			key_of(dp_gw_counter_name(c), key);
			put_u64(loop, key, __atomic_load_n(&tel.src.gw->w[i].counters[c],
				__ATOMIC_RELAXED));
		}
		put_dict(w, "loop", loop);
	}
	return w;
}

/* All workers (drops: nonzero reasons only, to fit the reply), or one
 * worker with every reason: /dpsec/workers,<n>. */
static int cmd_workers(struct dp_ctx *ctx, const char *params, struct rte_tel_data *d)
{
	char key[16];
	uint64_t one;

	rte_tel_data_start_dict(d);
	if (params != NULL && *params != '\0') {
		if (parse_u64(params, &one) != 0 || one >= ctx->cfg.workers)
			return -EINVAL;
		snprintf(key, sizeof(key), "%" PRIu64, one);
		put_dict(d, key, worker_dict(ctx, (unsigned int)one, true));
		return 0;
	}
	for (unsigned int i = 0; i < ctx->cfg.workers; i++) {
		snprintf(key, sizeof(key), "%u", i);
		put_dict(d, key, worker_dict(ctx, i, false));
	}
	return 0;
}

static int cmd_drops(struct dp_ctx *ctx, const char *params, struct rte_tel_data *d)
{
	uint64_t sum[DP_DROP_COUNT] = { 0 };
	struct dp_worker_stats st;
	char key[KEY_MAX];

	(void)params;
	for (unsigned int i = 0; i < ctx->cfg.workers; i++) {
		(void)dp_worker_get_stats(ctx, i, &st);
		for (unsigned int r = 0; r < DP_DROP_COUNT; r++)
			sum[r] += st.drops[r];
	}
	rte_tel_data_start_dict(d);
	put_u64(d, "total", drops_total(sum));
	for (unsigned int r = DP_DROP_NONE + 1; r < DP_DROP_COUNT; r++) {
		key_of(dp_drop_name(r), key);
		put_u64(d, key, sum[r]);
	}
	return 0;
}

static struct rte_tel_data *cryptodev_dict(const struct dp_crypto_dev *dev)
{
	struct rte_tel_data *c = new_dict();
	struct rte_cryptodev_info info;
	struct rte_cryptodev_stats cs;

	if (c == NULL)
		return NULL;
	put_u64(c, "dev_id", dev->dev_id);
	rte_cryptodev_info_get(dev->dev_id, &info);
	put_str(c, "driver", info.driver_name != NULL ? info.driver_name : "?");
	put_u64(c, "queue_pairs", info.max_nb_queue_pairs);
	if (rte_cryptodev_stats_get(dev->dev_id, &cs) == 0) {
		put_u64(c, "enqueued", cs.enqueued_count);
		put_u64(c, "dequeued", cs.dequeued_count);
		put_u64(c, "enqueue_errors", cs.enqueue_err_count);
		put_u64(c, "dequeue_errors", cs.dequeue_err_count);
	}
	return c;
}

static int cmd_crypto(struct dp_ctx *ctx, const char *params, struct rte_tel_data *d)
{
	const struct dp_crypto *c = ctx->crypto;
	struct rte_tel_data *devs;
	uint32_t ndevs;
	char key[KEY_MAX];

	(void)params;
	rte_tel_data_start_dict(d);
	put_str(d, "engine", engine_name(ctx->cfg.engine));
	put_str(d, "ipsec_mb_arch", dp_crypto_mb_arch(c));
	put_str(d, "ipsec_mb_version", imb_get_version_str());
	put_str(d, "default_cryptodev", c->cfg.dev_name);
	put_u64(d, "cryptodevs_in_process", rte_cryptodev_count());
	devs = new_dict();
	/* Devices are published with a release store of ndevs. */
	ndevs = __atomic_load_n(&c->ndevs, __ATOMIC_ACQUIRE);
	for (uint32_t i = 0; devs != NULL && i < ndevs && i < DP_CRYPTO_DEVS_MAX; i++) {
		key_of(c->devs[i]->name, key);
		put_dict(devs, key, cryptodev_dict(c->devs[i]));
	}
	put_dict(d, "cryptodevs", devs);
	return 0;
}

static const char *policy_action_name(uint8_t a)
{
	switch (a) {
	case DP_POLICY_BYPASS:
		return "bypass";
	case DP_POLICY_DISCARD:
		return "discard";
	case DP_POLICY_PROTECT:
		return "protect";
	default:
		return "unknown";
	}
}

static struct rte_tel_data *policy_dict(const struct dp_policy *p)
{
	struct rte_tel_data *r = new_dict();
	char key[16];

	if (r == NULL)
		return NULL;
	put_u64(r, "priority", p->priority);
	put_str(r, "dir", dir_name(p->dir));
	put_str(r, "action", policy_action_name(p->action));
	for (unsigned int i = 0; i < p->n_out && i < DP_POLICY_OUT_SA_MAX; i++) {
		snprintf(key, sizeof(key), "out_sa%u", i);
		put_u64(r, key, p->out[i]);
	}
	for (unsigned int i = 0; i < p->n_in && i < DP_POLICY_IN_SA_MAX; i++) {
		snprintf(key, sizeof(key), "in_sa%u", i);
		put_u64(r, key, p->in[i]);
	}
	return r;
}

/* The SPD summary and one page of its rules in slot order (a cursor, not
 * match order: the SPD keeps no sorted array; each rule has its priority):
 * /dpsec/policies[,<slot>]. */
static int cmd_policies(struct dp_ctx *ctx, const char *params, struct rte_tel_data *d)
{
	struct dp_spd *spd = tel.src.spd;
	struct dp_spd_stats sst;
	struct rte_tel_data *rules;
	struct dp_policy p;
	uint64_t start;
	uint32_t pos, listed = 0;
	bool more = false;
	char key[16];

	(void)ctx;
	if (parse_cursor(params, UINT32_MAX, &start) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	if (spd == NULL) {
		put_str(d, "spd", "none");
		return 0;
	}
	/* Counters and rules under the SPD's lock (dp_spd_get_stats and
	 * dp_spd_policy_next), so CONTROL's changes are never seen half-done. */
	dp_spd_get_stats(spd, &sst);
	put_u64(d, "generation", sst.generation);
	put_u64(d, "rules", sst.rules);
	put_u64(d, "acl_rules", sst.acl_rules);
	put_u64(d, "hash_rules", sst.hash_rules);
	put_u64(d, "lookups", sst.lookups);
	put_u64(d, "acquire_posted", sst.acquire_posted);
	put_u64(d, "acquire_suppressed", sst.acquire_suppressed);
	put_u64(d, "acquire_lost", sst.acquire_lost);
	put_u64(d, "post_decap_mismatches", sst.mismatches);
	rules = new_dict();
	for (pos = (uint32_t)start; rules != NULL && dp_spd_policy_next(spd, &pos, &p) == 0; pos++) {
		if (listed == POLICY_PAGE) {
			more = true;
			break;
		}
		snprintf(key, sizeof(key), "%" PRIu32, p.index);
		put_dict(rules, key, policy_dict(&p));
		listed++;
	}
	put_dict(d, "policies", rules);
	if (more)
		put_u64(d, "next", pos);
	return 0;
}

static int cmd_net(struct dp_ctx *ctx, const char *params, struct rte_tel_data *d)
{
	const struct dp_net *net = tel.src.net;
	struct rte_tel_data *counters;
	char key[KEY_MAX];

	(void)ctx;
	(void)params;
	rte_tel_data_start_dict(d);
	if (net == NULL) {
		put_str(d, "net", "none");
		return 0;
	}
	/* Table sizes are CONTROL's plain counters, read relaxed. */
	put_u64(d, "routes4", __atomic_load_n(&net->routes4, __ATOMIC_RELAXED));
	put_u64(d, "routes6", __atomic_load_n(&net->routes6, __ATOMIC_RELAXED));
	put_u64(d, "neighbours", __atomic_load_n(&net->neigh_count, __ATOMIC_RELAXED));
	put_u64(d, "neigh_created", __atomic_load_n(&net->neigh_created, __ATOMIC_RELAXED));
	put_u64(d, "neigh_expired", __atomic_load_n(&net->neigh_expired, __ATOMIC_RELAXED));
	counters = new_dict();
	for (unsigned int c = 0; counters != NULL && c < DP_NET_C_COUNT; c++) {
		uint64_t sum = 0;

		for (unsigned int w = 0; w < net->workers; w++)
			sum += __atomic_load_n(&net->w[w].counters[c], __ATOMIC_RELAXED);
		key_of(dp_net_counter_name(c), key);
		put_u64(counters, key, sum);
	}
	put_dict(d, "counters", counters);
	return 0;
}

static struct rte_tel_data *port_dict(const struct dp_gw_port *p)
{
	struct rte_tel_data *r = new_dict();
	char name[RTE_ETH_NAME_MAX_LEN], mac[24];
	struct rte_eth_stats es;
	uint16_t mtu;

	if (r == NULL)
		return NULL;
	if (rte_eth_dev_get_name_by_port(p->eth, name) == 0)
		put_str(r, "device", name);
	put_u64(r, "ethdev", p->eth);
	put_str(r, "role", p->role == DP_PORT_PROTECTED ? "protected" : "unprotected");
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", p->mac[0], p->mac[1],
		p->mac[2], p->mac[3], p->mac[4], p->mac[5]);
	put_str(r, "mac", mac);
	if (rte_eth_dev_get_mtu(p->eth, &mtu) == 0)
		put_u64(r, "mtu", mtu);
	put_u64(r, "rx_queues", p->n_rxq);
	put_u64(r, "tx_queues", p->n_txq);
	if (p->has_tap && rte_eth_dev_get_name_by_port(p->tap, name) == 0)
		put_str(r, "tap", name);
	/* The driver's counters, as DPDK's own /ethdev/stats reads them. */
	if (rte_eth_stats_get(p->eth, &es) == 0) {
		put_u64(r, "ipackets", es.ipackets);
		put_u64(r, "opackets", es.opackets);
		put_u64(r, "ibytes", es.ibytes);
		put_u64(r, "obytes", es.obytes);
		put_u64(r, "imissed", es.imissed);
		put_u64(r, "ierrors", es.ierrors);
		put_u64(r, "oerrors", es.oerrors);
		put_u64(r, "rx_nombuf", es.rx_nombuf);
	}
	return r;
}

static int cmd_ports(struct dp_ctx *ctx, const char *params, struct rte_tel_data *d)
{
	const struct dp_gw *gw = tel.src.gw;
	char key[16];

	(void)ctx;
	(void)params;
	rte_tel_data_start_dict(d);
	if (gw == NULL) {
		put_str(d, "ports", "none");
		return 0;
	}
	/* The port table is read-only once the gateway started. */
	for (unsigned int i = 0; i < gw->n_ports && i < DP_GW_PORTS_MAX; i++) {
		snprintf(key, sizeof(key), "%u", i);
		put_dict(d, key, port_dict(&gw->ports[i]));
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Registration and dispatch.                                                */

/* X(command, handler, help) */
#define DP_TELEMETRY_COMMANDS(X)                                                        \
	X("/dpsec/info", cmd_info, "dpsec version, workers, engine, SA and policy counts.") \
	X("/dpsec/sa/list", cmd_sa_list,                                                  \
		"SAs by handle: SPI, protocol, direction. Param: cursor (the reply's next).")   \
	X("/dpsec/sa/stats", cmd_sa_stats,                                                \
		"One SA's counters, drops, sequence and replay state. Param: SPI or handle.")   \
	X("/dpsec/workers", cmd_workers,                                                  \
		"Per-worker rx/tx, hand-off, events lost, drops. Param: worker (optional).")    \
	X("/dpsec/drops", cmd_drops, "Drops by reason, summed over the workers.")          \
	X("/dpsec/crypto", cmd_crypto, "Crypto engine, intel-ipsec-mb arch, cryptodevs.")   \
	X("/dpsec/policies", cmd_policies,                                                \
		"SPD summary and rules in match order. Param: position (the reply's next).")    \
	X("/dpsec/net", cmd_net, "Routes, neighbours and routing counters.")              \
	X("/dpsec/ports", cmd_ports, "Gateway ports: device, role, MAC, MTU, ethdev stats.")

typedef int (*cmd_fn)(struct dp_ctx *ctx, const char *params, struct rte_tel_data *d);

struct command {
	const char *name;
	cmd_fn fn;
	const char *help;
};

static const struct command commands[] = {
#define DP_TELEMETRY_ENTRY_(name, fn, help) { name, fn, help },
	DP_TELEMETRY_COMMANDS(DP_TELEMETRY_ENTRY_)
#undef DP_TELEMETRY_ENTRY_
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The one callback DPDK calls for every /dpsec/ command. */
static int dispatch(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct command *c = NULL;
	struct dp_ctx *ctx;
	unsigned int tid;
	int ret;

	for (unsigned int i = 0; i < N_COMMANDS; i++)
		if (cmd != NULL && strcmp(cmd, commands[i].name) == 0)
			c = &commands[i];
	if (c == NULL)
		return -EINVAL;
	pthread_mutex_lock(&tel.lock);
	ctx = tel.ctx;
	if (ctx == NULL) {
		pthread_mutex_unlock(&tel.lock);
		return -ENODEV;
	}
	tid = DP_CTX_RCU_TELEMETRY(ctx);
	rte_rcu_qsbr_thread_online(ctx->qsbr, tid);
	ret = c->fn(ctx, params, d);
	rte_rcu_qsbr_thread_offline(ctx->qsbr, tid);
	pthread_mutex_unlock(&tel.lock);
	return ret;
}

dp_telemetry_cb dp_telemetry_handler(const char *cmd)
{
	for (unsigned int i = 0; i < N_COMMANDS; i++)
		if (cmd != NULL && strcmp(cmd, commands[i].name) == 0)
			return dispatch;
	return NULL;
}

unsigned int dp_telemetry_command_count(void)
{
	return N_COMMANDS;
}

const char *dp_telemetry_command_name(unsigned int i)
{
	return i < N_COMMANDS ? commands[i].name : NULL;
}

int dp_telemetry_enable(struct dp_ctx *ctx, const struct dp_telemetry_sources *src)
{
	unsigned int tid;
	int err = 0;

	if (ctx == NULL)
		return -EINVAL;
	pthread_mutex_lock(&tel.lock);
	if (tel.ctx != NULL && tel.ctx != ctx) {
		err = -EBUSY;
		goto out;
	}
	/* DPDK has no unregister: the commands stay registered for the life
	 * of the process and answer null while disabled. */
	for (unsigned int i = 0; !tel.registered && i < N_COMMANDS; i++) {
		err = rte_telemetry_register_cmd(commands[i].name, dispatch, commands[i].help);
		if (err != 0)
			goto out; /* those registered so far answer null */
	}
	tel.registered = true;
	if (tel.ctx == NULL) {
		tid = DP_CTX_RCU_TELEMETRY(ctx);
		if (rte_rcu_qsbr_thread_register(ctx->qsbr, tid) != 0) {
			err = -EINVAL;
			goto out;
		}
		/* Offline between commands: never delays a grace period. */
		rte_rcu_qsbr_thread_offline(ctx->qsbr, tid);
	}
	tel.src = src != NULL ? *src : (struct dp_telemetry_sources){ 0 };
	tel.ctx = ctx;
out:
	pthread_mutex_unlock(&tel.lock);
	return err;
}

void dp_telemetry_disable(struct dp_ctx *ctx)
{
	pthread_mutex_lock(&tel.lock);
	if (ctx != NULL && tel.ctx == ctx) {
		(void)rte_rcu_qsbr_thread_unregister(ctx->qsbr, DP_CTX_RCU_TELEMETRY(ctx));
		tel.ctx = NULL;
		tel.src = (struct dp_telemetry_sources){ 0 };
	}
	pthread_mutex_unlock(&tel.lock);
}
