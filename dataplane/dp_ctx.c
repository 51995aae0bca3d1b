/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_ctx.c: the public API of dpsec/dp.h on top of dp_sadb, dp_sa,
 * dp_event and dp_worker. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dpsec/dp.h"
#include "dp_crypto.h"
#include "dp_ctx_priv.h"
#include "dp_event.h"
#include "dp_hold.h"
#include "dp_sa.h"
#include "dp_sadb.h"
#include "dp_worker.h"

#define NAME_MAX_LEN 16u      /* prefix of DPDK object names */
#define HOLD_MAX_AGE_S 5u     /* held packets older than this are dropped */
#define DRAIN_BURST 32u

static const char *const drop_names[DP_DROP_COUNT] = {
	[DP_DROP_NONE] = "none",
#define DP_DROP_NAME_(name, str) [DP_DROP_##name] = str,
	DP_DROP_REASONS(DP_DROP_NAME_)
#undef DP_DROP_NAME_
};

static const char *const event_names[DP_EVENT_COUNT] = {
	[DP_EVENT_NONE] = "none",
#define DP_EVENT_NAME_(name, str) [DP_EVENT_##name] = str,
	DP_EVENT_TYPES(DP_EVENT_NAME_)
#undef DP_EVENT_NAME_
};

const char *dp_drop_name(unsigned int reason)
{
	return reason < DP_DROP_COUNT ? drop_names[reason] : NULL;
}

const char *dp_event_name(unsigned int type)
{
	return type < DP_EVENT_COUNT ? event_names[type] : NULL;
}

void dp_config_default(struct dp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_sas = 1u << 20;
	cfg->workers = 1;
	cfg->engine = DP_ENGINE_IPSEC_MB;
	cfg->event_ring_size = 4096;
	cfg->handoff_ring_size = 1024;
	cfg->hold_max = 256;
	cfg->socket_id = -1;
	cfg->name = "dp";
}

static bool pow2(uint32_t v)
{
	return v >= 2 && (v & (v - 1)) == 0;
}

static int config_check(const struct dp_config *cfg)
{
	if (cfg == NULL || cfg->name == NULL || cfg->name[0] == '\0' ||
	    strlen(cfg->name) > NAME_MAX_LEN)
		return -EINVAL;
	if (cfg->max_sas < 8 || cfg->max_sas > DP_SA_MAX)
		return -EINVAL;
	if (cfg->workers == 0 || cfg->workers > DP_WORKERS_MAX)
		return -EINVAL;
	if (!pow2(cfg->event_ring_size) || !pow2(cfg->handoff_ring_size) || !pow2(cfg->hold_max))
		return -EINVAL;
	if (cfg->engine == DP_ENGINE_DEFAULT || cfg->engine > DP_ENGINE_CRYPTODEV)
		return -EINVAL;
	if (cfg->engine == DP_ENGINE_CRYPTODEV &&
	    (cfg->crypto_dev[0] == '\0' || memchr(cfg->crypto_dev, '\0', DP_DEVNAME_MAX) == NULL))
		return -EINVAL;
	return 0;
}

uint64_t dp_ctx_now(const struct dp_ctx *ctx)
{
	return ctx->clock_base_s + (rte_get_tsc_cycles() - ctx->clock_base_tsc) / ctx->tsc_hz;
}

static void workers_free(struct dp_ctx *ctx)
{
	struct rte_mbuf *pkts[DRAIN_BURST];
	unsigned int n;

	if (ctx->workers == NULL)
		return;
	for (unsigned int i = 0; i < ctx->cfg.workers; i++) {
		struct dp_worker *w = &ctx->workers[i];

		if (w->handoff != NULL) {
			while ((n = rte_ring_dequeue_burst(w->handoff, (void **)pkts, DRAIN_BURST,
				NULL)) != 0)
				rte_pktmbuf_free_bulk(pkts, n);
			rte_ring_free(w->handoff);
		}
		if (w->hold != NULL) {
			while ((n = dp_hold_flush(w->hold, pkts, DRAIN_BURST)) != 0)
				rte_pktmbuf_free_bulk(pkts, n);
			free(w->hold);
		}
	}
	free(ctx->workers);
	ctx->workers = NULL;
}

static int workers_create(struct dp_ctx *ctx)
{
	size_t size = (size_t)ctx->cfg.workers * sizeof(struct dp_worker);
	char rname[RTE_RING_NAMESIZE];

	ctx->workers = aligned_alloc(alignof(struct dp_worker), size);
	if (ctx->workers == NULL)
		return -ENOMEM;
	memset(ctx->workers, 0, size);
	for (unsigned int i = 0; i < ctx->cfg.workers; i++) {
		struct dp_worker *w = &ctx->workers[i];

		w->id = (uint16_t)i;
		snprintf(rname, sizeof(rname), "%s_ho%02x", ctx->name, (unsigned int)(uint8_t)i);
		w->handoff = rte_ring_create(rname, ctx->cfg.handoff_ring_size,
			ctx->cfg.socket_id, RING_F_SC_DEQ | RING_F_EXACT_SZ);
		if (w->handoff == NULL)
			return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
		w->hold = malloc(dp_hold_memsize(ctx->cfg.hold_max));
		if (w->hold == NULL)
			return -ENOMEM;
		dp_hold_init(w->hold, ctx->cfg.hold_max, HOLD_MAX_AGE_S);
	}
	return 0;
}

/* The crypto engines, shaped by the gateway's config: one worker handle per
 * dataplane worker, the default engine and cryptodev. */
static int crypto_create(struct dp_ctx *ctx)
{
	struct dp_crypto_config cc;
	char name[24];

	dp_crypto_config_default(&cc);
	snprintf(name, sizeof(name), "%sc", ctx->name);
	cc.workers = ctx->cfg.workers;
	cc.engine = ctx->cfg.engine;
	cc.socket_id = ctx->cfg.socket_id;
	snprintf(cc.dev_name, sizeof(cc.dev_name), "%s", ctx->cfg.crypto_dev);
	cc.name = name;
	return dp_crypto_new(&cc, &ctx->crypto);
}

static void sa_crypto_free(void *sess)
{
	/* After the grace period (dp_sadb's defer queue); it waits for ops
	 * still in a device itself.  -EBUSY (a device that never answers)
	 * leaves the session allocated: a leak, not a use after free. */
	(void)dp_crypto_sess_free(sess);
}

/* Bind the SA's crypto session (CONTROL, before publication). */
static int sa_crypto_bind(struct dp_ctx *ctx, struct dp_sa *sa)
{
	const struct dp_sa_params *p = &sa->cold->params;
	struct dp_crypto_sess_params cp;
	struct dp_crypto_sess *s;
	int err;

	memset(&cp, 0, sizeof(cp));
	cp.ealg = p->encr_alg;
	cp.aalg = p->auth_alg;
	cp.dir = p->dir == DP_DIR_IN ? DP_CRYPTO_DIR_IN : DP_CRYPTO_DIR_OUT;
	cp.engine = sa->engine;
	cp.icv_len = p->icv_len;
	cp.salt_len = p->salt_len;
	cp.ekey_len = p->encr_key_len;
	cp.akey_len = p->auth_key_len;
	cp.ekey = p->encr_key;
	cp.akey = p->auth_key;
	cp.salt = p->salt;
	if (p->satype == SADB_SATYPE_ESP &&
	    (p->encr_alg == SADB_EALG_AES_GCM_8 || p->encr_alg == SADB_EALG_AES_GCM_12 ||
	     p->encr_alg == SADB_EALG_AES_GCM_16 ||
	     p->encr_alg == SADB_X_EALG_CHACHA20_POLY1305))
		cp.aad_len = sa->esn ? 12 : 8;
	if (p->satype == SADB_SATYPE_AH && p->encr_alg != SADB_X_EALG_NULL_AES_GMAC)
		cp.ealg = SADB_EALG_NONE;
	snprintf(cp.dev_name, sizeof(cp.dev_name), "%s", p->crypto_dev);
	err = dp_crypto_sess_new(ctx->crypto, &cp, &s);
	if (err != 0)
		return err == -ENOTSUP ? -EINVAL : err;
	sa->crypto = s;
	sa->cold->crypto_free = sa_crypto_free;
	return 0;
}

struct dp_ctx *dp_create(const struct dp_config *cfg)
{
	struct dp_ctx *ctx = NULL;
	char name[RTE_RING_NAMESIZE];
	struct timespec ts;
	int err;

	err = config_check(cfg);
	if (err != 0)
		goto fail;
	err = -ENOMEM;
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		goto fail;
	ctx->cfg = *cfg;
	snprintf(ctx->name, sizeof(ctx->name), "%s", cfg->name);
	ctx->cfg.name = ctx->name;

	clock_gettime(CLOCK_REALTIME, &ts);
	ctx->clock_base_s = (uint64_t)ts.tv_sec;
	ctx->clock_base_tsc = rte_get_tsc_cycles();
	ctx->tsc_hz = rte_get_tsc_hz();
	if (ctx->tsc_hz == 0)
		ctx->tsc_hz = 1;

	/* One RCU thread id per worker, plus DP_CTX_RCU_TELEMETRY. */
	ctx->qsbr = rte_zmalloc_socket(NULL, rte_rcu_qsbr_get_memsize(cfg->workers + 1u),
		RTE_CACHE_LINE_SIZE, cfg->socket_id);
	if (ctx->qsbr == NULL)
		goto fail;
	if (rte_rcu_qsbr_init(ctx->qsbr, cfg->workers + 1u) != 0) {
		err = -EINVAL;
		goto fail;
	}
	ctx->sadb = dp_sadb_create(ctx->name, cfg->max_sas, cfg->socket_id, ctx->qsbr);
	if (ctx->sadb == NULL) {
		err = -errno;
		goto fail;
	}
	snprintf(name, sizeof(name), "%s_ev", ctx->name);
	ctx->events = dp_event_queue_create(name, cfg->event_ring_size, cfg->socket_id);
	if (ctx->events == NULL) {
		err = -errno;
		goto fail;
	}
	err = workers_create(ctx);
	if (err != 0)
		goto fail;
	err = crypto_create(ctx);
	if (err != 0)
		goto fail;
	return ctx;
fail:
	dp_destroy(ctx);
	errno = -err;
	return NULL;
}

void dp_destroy(struct dp_ctx *ctx)
{
	if (ctx == NULL)
		return;
	dp_telemetry_disable(ctx); /* no telemetry command may still read it */
	workers_free(ctx);
	dp_event_queue_free(ctx->events);
	dp_sadb_free(ctx->sadb); /* frees the SAs' crypto sessions */
	dp_crypto_free(ctx->crypto);
	rte_free(ctx->qsbr);
	free(ctx);
}

/* ------------------------------------------------------------------------ */
/* SAs.                                                                      */

int dp_sa_add(struct dp_ctx *ctx, const struct dp_sa_params *p, dp_sa_handle_t *handle)
{
	struct dp_sa *sa;
	int err;

	if (ctx == NULL || p == NULL || handle == NULL)
		return -EINVAL;
	sa = dp_sa_new(p, ctx->cfg.workers, ctx->cfg.engine, dp_ctx_now(ctx));
	if (sa == NULL)
		return -errno;
	err = sa_crypto_bind(ctx, sa);
	if (err != 0) {
		dp_sa_free(sa);
		return err;
	}
	err = dp_sadb_add(ctx->sadb, sa);
	if (err != 0) {
		dp_sa_free(sa);
		return err;
	}
	*handle = sa->handle;
	return 0;
}

static struct dp_sa *sa_get(struct dp_ctx *ctx, dp_sa_handle_t handle)
{
	return ctx == NULL ? NULL : dp_sadb_get(ctx->sadb, handle);
}

int dp_sa_update(struct dp_ctx *ctx, dp_sa_handle_t handle, const struct dp_sa_params *p)
{
	struct dp_sa *sa = sa_get(ctx, handle);
	const struct dp_sa_params *cur;

	if (sa == NULL)
		return -ENOENT;
	if (p == NULL)
		return -EINVAL;
	cur = &sa->cold->params;
	if (p->spi != cur->spi || p->satype != cur->satype || p->dir != cur->dir ||
	    memcmp(&p->dst, &cur->dst, sizeof(p->dst)) != 0)
		return -EINVAL;
	if (p->state > SADB_SASTATE_MAX || (p->lease_limit != 0 && p->dir != DP_DIR_OUT))
		return -EINVAL;
	dp_sa_publish_lifetimes(sa, &p->soft, &p->hard);
	sa->cold->params.soft = p->soft;
	sa->cold->params.hard = p->hard;
	if (p->dir == DP_DIR_OUT) {
		dp_seq_set_lease(&sa->rt.out, p->lease_limit);
		sa->cold->params.lease_limit = p->lease_limit;
	}
	dp_sa_publish_state(sa, p->state);
	sa->cold->params.state = p->state;
	return 0;
}

int dp_sa_delete(struct dp_ctx *ctx, dp_sa_handle_t handle)
{
	if (ctx == NULL)
		return -EINVAL;
	return dp_sadb_del(ctx->sadb, handle);
}

int dp_sa_find(struct dp_ctx *ctx, uint32_t spi, uint8_t satype, const struct dp_addr *dst,
	dp_sa_handle_t *handle)
{
	struct dp_sa_key k;
	struct dp_sa *sa;

	if (ctx == NULL || dst == NULL || handle == NULL ||
	    (dst->family != AF_INET && dst->family != AF_INET6))
		return -EINVAL;
	dp_sa_key_make(&k, spi, satype, dst->family, dst->bytes);
	sa = dp_sadb_find(ctx->sadb, &k);
	if (sa == NULL)
		return -ENOENT;
	*handle = sa->handle;
	return 0;
}

int dp_sa_set_state(struct dp_ctx *ctx, dp_sa_handle_t handle, uint8_t state)
{
	struct dp_sa *sa = sa_get(ctx, handle);

	if (sa == NULL)
		return -ENOENT;
	if (state > SADB_SASTATE_MAX)
		return -EINVAL;
	dp_sa_publish_state(sa, state);
	sa->cold->params.state = state;
	return 0;
}

int dp_sa_set_lease(struct dp_ctx *ctx, dp_sa_handle_t handle, uint64_t limit)
{
	struct dp_sa *sa = sa_get(ctx, handle);

	if (sa == NULL)
		return -ENOENT;
	if (sa->dir != DP_DIR_OUT)
		return -EINVAL;
	dp_seq_set_lease(&sa->rt.out, limit);
	sa->cold->params.lease_limit = limit;
	return 0;
}

int dp_sa_get_replay(struct dp_ctx *ctx, dp_sa_handle_t handle, struct dp_replay_state *rs)
{
	struct dp_sa *sa = sa_get(ctx, handle);

	if (sa == NULL)
		return -ENOENT;
	if (rs == NULL)
		return -EINVAL;
	memset(rs, 0, sizeof(*rs));
	if (sa->dir == DP_DIR_OUT) {
		rs->highest = dp_seq_last(&sa->rt.out);
		return 0;
	}
	/* The owner may be writing: the bitmap words are a snapshot. */
	rs->window = sa->rt.in->window;
	dp_replay_export(sa->rt.in, &rs->highest, rs->bitmap);
	return 0;
}

int dp_sa_set_replay(struct dp_ctx *ctx, dp_sa_handle_t handle, const struct dp_replay_state *rs,
	bool set_all)
{
	struct dp_sa *sa = sa_get(ctx, handle);
	uint8_t state;

	if (sa == NULL)
		return -ENOENT;
	if (rs == NULL)
		return -EINVAL;
	state = dp_sa_state(sa);
	if (state != SADB_SASTATE_LARVAL && state != SADB_SASTATE_DEAD &&
	    state != SADB_X_SASTATE_ACTIVE_ELSEWHERE)
		return -EBUSY;
	if (sa->dir == DP_DIR_IN && rs->window != sa->rt.in->window)
		return -EINVAL;
	if (sa->dir == DP_DIR_IN && !sa->esn && rs->highest > UINT32_MAX)
		return -EINVAL;
	/* A worker that read the old state may still be inside a packet of
	 * this SA; the next grace period ends that. */
	rte_rcu_qsbr_synchronize(ctx->qsbr, RTE_QSBR_THRID_INVALID);
	if (sa->dir == DP_DIR_OUT)
		return dp_seq_set_last(&sa->rt.out, rs->highest);
	return dp_replay_import(sa->rt.in, rs->highest, rs->bitmap, set_all);
}

int dp_sa_get_stats(struct dp_ctx *ctx, dp_sa_handle_t handle, struct dp_sa_stats *st)
{
	struct dp_sa *sa = sa_get(ctx, handle);

	if (sa == NULL)
		return -ENOENT;
	if (st == NULL)
		return -EINVAL;
	dp_sa_stats(sa, st);
	return 0;
}

uint32_t dp_sa_count(const struct dp_ctx *ctx)
{
	return ctx == NULL ? 0 : dp_sadb_count(ctx->sadb);
}

int dp_reclaim(struct dp_ctx *ctx)
{
	if (ctx == NULL)
		return -EINVAL;
	return dp_sadb_reclaim(ctx->sadb);
}

/* ------------------------------------------------------------------------ */
/* Workers.                                                                  */

int dp_worker_register(struct dp_ctx *ctx, unsigned int worker)
{
	struct dp_worker *w;

	if (ctx == NULL || (w = dp_worker_get(ctx, worker)) == NULL)
		return -EINVAL;
	if (__atomic_load_n(&w->registered, __ATOMIC_ACQUIRE))
		return -EBUSY;
	if (rte_rcu_qsbr_thread_register(ctx->qsbr, worker) != 0)
		return -EINVAL;
	rte_rcu_qsbr_thread_online(ctx->qsbr, worker);
	dp_worker_clock(ctx, worker);
	__atomic_store_n(&w->registered, 1, __ATOMIC_RELEASE);
	return 0;
}

int dp_worker_unregister(struct dp_ctx *ctx, unsigned int worker)
{
	struct dp_worker *w;

	if (ctx == NULL || (w = dp_worker_get(ctx, worker)) == NULL)
		return -EINVAL;
	if (!__atomic_load_n(&w->registered, __ATOMIC_ACQUIRE))
		return -ENOENT;
	rte_rcu_qsbr_thread_offline(ctx->qsbr, worker);
	rte_rcu_qsbr_thread_unregister(ctx->qsbr, worker);
	__atomic_store_n(&w->registered, 0, __ATOMIC_RELEASE);
	return 0;
}

void dp_worker_quiescent(struct dp_ctx *ctx, unsigned int worker)
{
	rte_rcu_qsbr_quiescent(ctx->qsbr, worker);
	dp_worker_clock(ctx, worker);
}

void dp_worker_offline(struct dp_ctx *ctx, unsigned int worker)
{
	rte_rcu_qsbr_thread_offline(ctx->qsbr, worker);
}

void dp_worker_online(struct dp_ctx *ctx, unsigned int worker)
{
	rte_rcu_qsbr_thread_online(ctx->qsbr, worker);
	dp_worker_clock(ctx, worker);
}

int dp_worker_get_stats(struct dp_ctx *ctx, unsigned int worker, struct dp_worker_stats *st)
{
	const struct dp_worker_counters *c;
	struct dp_worker *w;

	if (ctx == NULL || st == NULL || (w = dp_worker_get(ctx, worker)) == NULL)
		return -EINVAL;
	c = &w->counters;
	st->rx_packets = dp_counter_read(&c->rx_packets);
	st->tx_packets = dp_counter_read(&c->tx_packets);
	st->handoff_out = dp_counter_read(&c->handoff_out);
	st->handoff_in = dp_counter_read(&c->handoff_in);
	st->events_lost = dp_counter_read(&c->events_lost);
	for (unsigned int r = 0; r < DP_DROP_COUNT; r++)
		st->drops[r] = dp_counter_read(&c->drops[r]);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Events.                                                                   */

int dp_event_fd(const struct dp_ctx *ctx)
{
	return ctx == NULL ? -EINVAL : dp_event_queue_fd(ctx->events);
}

int dp_event_poll(struct dp_ctx *ctx, struct dp_event *ev, unsigned int n)
{
	if (ctx == NULL || (ev == NULL && n != 0))
		return -EINVAL;
	return dp_event_take(ctx->events, ev, n);
}
