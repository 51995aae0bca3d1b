/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_worker.c: per-worker hand-off, events and burst accounting. */
#include "dp_worker.h"

#include <errno.h>

#include <rte_cycles.h>
#include <rte_ring.h>

#include "dp_ctx_priv.h"
#include "dp_event.h"

struct dp_worker *dp_worker_get(struct dp_ctx *ctx, unsigned int worker)
{
	if (worker >= ctx->cfg.workers)
		return NULL;
	return &ctx->workers[worker];
}

unsigned int dp_worker_handoff(struct dp_ctx *ctx, unsigned int from, unsigned int to,
	struct rte_mbuf **pkts, unsigned int n)
{
	struct dp_worker *src = &ctx->workers[from];
	unsigned int sent;

	sent = rte_ring_mp_enqueue_burst(ctx->workers[to].handoff, (void **)pkts, n, NULL);
	dp_counter_add(&src->counters.handoff_out, sent);
	if (sent < n)
		dp_counter_add(&src->counters.drops[DP_DROP_HANDOFF_FULL], n - sent);
	return sent;
}

unsigned int dp_worker_handoff_take(struct dp_ctx *ctx, unsigned int worker,
	struct rte_mbuf **pkts, unsigned int n)
{
	struct dp_worker *w = &ctx->workers[worker];
	unsigned int got;

	got = rte_ring_sc_dequeue_burst(w->handoff, (void **)pkts, n, NULL);
	if (got != 0)
		dp_counter_add(&w->counters.handoff_in, got);
	return got;
}

int dp_worker_post(struct dp_ctx *ctx, unsigned int worker, const struct dp_event *ev)
{
	int ret = dp_event_post(ctx->events, ev);

	if (ret != 0)
		dp_counter_add(&ctx->workers[worker].counters.events_lost, 1);
	return ret;
}

void dp_worker_clock(struct dp_ctx *ctx, unsigned int worker)
{
	struct dp_worker *w = &ctx->workers[worker];
	uint64_t since = rte_get_tsc_cycles() - ctx->clock_base_tsc;

	if (since < w->clock_next)
		return;
	w->clock_s = since / ctx->tsc_hz;
	w->clock_next = (w->clock_s + 1) * ctx->tsc_hz;
}

uint64_t dp_worker_now(const struct dp_ctx *ctx, unsigned int worker)
{
	return ctx->clock_base_s + ctx->workers[worker].clock_s;
}

static uint64_t event_value(const struct dp_sa *sa, enum dp_event_type type)
{
	switch (type) {
	case DP_EVENT_SOFT_BYTES:
	case DP_EVENT_HARD_BYTES:
		return sa->counters.bytes;
	case DP_EVENT_SOFT_PACKETS:
	case DP_EVENT_HARD_PACKETS:
		return sa->counters.packets;
	case DP_EVENT_LEASE_LOW:
	case DP_EVENT_LEASE_EXHAUSTED:
	case DP_EVENT_SEQ_EXHAUSTED:
		return sa->dir == DP_DIR_OUT ? sa->rt.out.last : 0;
	default:
		return 0;
	}
}

static bool post_sa_event(struct dp_ctx *ctx, unsigned int worker, const struct dp_sa *sa,
	enum dp_event_type type)
{
	struct dp_event ev = {
		.type = (uint16_t)type,
		.worker = (uint16_t)worker,
		.sa = sa->handle,
		.value = event_value(sa, type),
	};

	return dp_worker_post(ctx, worker, &ev) == 0;
}

static const struct {
	uint32_t bit;
	enum dp_event_type type;
} seq_events[] = {
	{ DP_SEQ_EV_LEASE_LOW, DP_EVENT_LEASE_LOW },
	{ DP_SEQ_EV_LEASE_EXHAUSTED, DP_EVENT_LEASE_EXHAUSTED },
	{ DP_SEQ_EV_SEQ_EXHAUSTED, DP_EVENT_SEQ_EXHAUSTED },
};

void dp_worker_sa_burst_done(struct dp_ctx *ctx, unsigned int worker, struct dp_sa *sa,
	uint32_t packets, uint64_t bytes, const struct dp_drop_tally *tally)
{
	uint32_t ev, failed = 0;

	if (packets != 0)
		dp_sa_account(sa, packets, bytes, dp_worker_now(ctx, worker));
	if (tally != NULL)
		dp_drop_tally_flush(tally, sa->counters.drops);

	ev = dp_sa_take_events(sa);
	while (ev != 0) {
		uint32_t bit = ev & -ev;

		if (!post_sa_event(ctx, worker, sa, dp_sa_event_type(bit)))
			failed |= bit;
		ev &= ev - 1;
	}
	if (failed != 0)
		dp_sa_rearm(sa, failed);

	if (sa->dir != DP_DIR_OUT)
		return;
	ev = dp_seq_take_events(&sa->rt.out);
	failed = 0;
	for (unsigned int i = 0; i < sizeof(seq_events) / sizeof(seq_events[0]); i++) {
		if ((ev & seq_events[i].bit) != 0 &&
		    !post_sa_event(ctx, worker, sa, seq_events[i].type))
			failed |= seq_events[i].bit;
	}
	if (failed != 0)
		dp_seq_rearm(&sa->rt.out, failed);
}

void dp_worker_count_drops(struct dp_ctx *ctx, unsigned int worker,
	const struct dp_drop_tally *tally)
{
	dp_drop_tally_flush(tally, ctx->workers[worker].counters.drops);
}
