/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_proc.c: the burst driver for ESP and AH (see dp_proc.h): classify,
 * look up, check state/sequence/replay, prepare, crypto for the whole
 * burst, finish, then count per SA and per worker once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "dp_crypto.h"
#include "dp_crypto_priv.h"
#include "dp_ctx_priv.h"
#include "dp_hold.h"
#include "dp_ip.h"
#include "dp_mbuf.h"
#include "dp_natt.h"
#include "dp_proc_priv.h"
#include "dp_sadb.h"
#include "dp_worker.h"

/* What a handed-off packet carries to its owner: the SA (outbound packets
 * cannot be looked up again from their content) and the direction. */
struct dp_proc_handoff_tag {
	dp_sa_handle_t sa;
	uint8_t dir;
};

static const struct rte_mbuf_dynfield handoff_field = {
	.name = "dpsec_dp_handoff",
	.size = sizeof(struct dp_proc_handoff_tag),
	.align = alignof(struct dp_proc_handoff_tag),
};

int dp_proc_new(struct dp_ctx *ctx, unsigned int worker, struct dp_proc **out)
{
	struct dp_proc *p;
	int off;

	*out = NULL;
	if (ctx == NULL || worker >= ctx->cfg.workers || ctx->crypto == NULL)
		return -EINVAL;
	off = rte_mbuf_dynfield_register(&handoff_field);
	if (off < 0)
		return -ENOMEM;
	p = aligned_alloc(64, (sizeof(*p) + 63) & ~(size_t)63);
	if (p == NULL)
		return -ENOMEM;
	memset(p, 0, sizeof(*p));
	p->ctx = ctx;
	p->worker = (uint16_t)worker;
	p->dyn_off = off;
	p->cw = dp_crypto_worker(ctx->crypto, worker);
	if (p->cw == NULL) {
		free(p);
		return -EINVAL;
	}
	p->rand = dp_crypto_worker_rand(p->cw);
	dp_drop_tally_init(&p->wtally);
	dp_drop_tally_init(&p->satally);
	*out = p;
	return 0;
}

void dp_proc_free(struct dp_proc *p)
{
	free(p);
}

static struct dp_proc_handoff_tag *tag_of(const struct dp_proc *p, struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, p->dyn_off, struct dp_proc_handoff_tag *);
}

/* Run ops idx[0..k) to completion (every op is back before this returns,
 * see dp_proc.h); statuses land in the ops. */
static void run_crypto(struct dp_proc *p, const uint16_t *idx, uint16_t k)
{
	for (uint16_t j = 0; j < k; j++)
		p->opp[j] = &p->op[idx[j]];
	dp_crypto_process(p->cw, p->opp, k);
}

static void set_drop(struct dp_proc_res *r, enum dp_drop why)
{
	r->verdict = DP_PROC_DROP;
	r->drop = (uint8_t)why;
}

static enum dp_drop crypto_drop(uint8_t status)
{
	if (status == DP_CRYPTO_OK)
		return DP_DROP_NONE;
	return status == DP_CRYPTO_AUTH_FAILED ? DP_DROP_AUTH_FAILED : DP_DROP_CRYPTO_ERROR;
}

static bool handoff(struct dp_proc *p, struct rte_mbuf *m, const struct dp_sa *sa,
	uint8_t dir, struct dp_proc_res *r)
{
	struct dp_proc_handoff_tag *tag = tag_of(p, m);

	tag->sa = sa->handle;
	tag->dir = dir;
	if (dp_worker_handoff(p->ctx, p->worker, sa->owner, &m, 1) == 1) {
		r->verdict = DP_PROC_HANDOFF;
		return true;
	}
	/* dp_worker_handoff counted HANDOFF_FULL on this worker already. */
	r->verdict = DP_PROC_DROP;
	r->drop = DP_DROP_HANDOFF_FULL;
	return false;
}

static void hold(struct dp_proc *p, struct rte_mbuf *m, struct dp_sa *sa, struct dp_proc_res *r)
{
	struct dp_worker *w = dp_worker_get(p->ctx, p->worker);

	if (dp_hold_add(w->hold, sa, m, dp_worker_now(p->ctx, p->worker)) == 0)
		r->verdict = DP_PROC_HELD;
	else
		set_drop(r, DP_DROP_HOLD_FULL);
}

/* Count a chunk: per run of packets of one owned SA, then the worker. */
static void account(struct dp_proc *p, const struct dp_proc_res *res, uint16_t n)
{
	uint16_t i = 0;

	dp_drop_tally_reset(&p->wtally);
	while (i < n) {
		struct dp_sa *sa = p->pkt[i].sa;
		uint32_t packets = 0;
		uint64_t bytes = 0;

		dp_drop_tally_reset(&p->satally);
		do {
			const struct dp_proc_res *r = &res[i];

			if (r->verdict == DP_PROC_DROP) {
				if (r->drop != DP_DROP_HANDOFF_FULL)
					dp_drop_tally_add(&p->wtally, (enum dp_drop)r->drop);
				if (sa != NULL)
					dp_drop_tally_add(&p->satally, (enum dp_drop)r->drop);
			} else if (sa != NULL && (r->verdict == DP_PROC_FORWARD ||
				   r->verdict == DP_PROC_DUMMY ||
				   (r->verdict == DP_PROC_HELD && sa->dir == DP_DIR_IN))) {
				packets++;
				bytes += p->pkt[i].bytes;
			}
			i++;
		} while (i < n && p->pkt[i].sa == sa && sa != NULL);
		if (sa != NULL)
			dp_worker_sa_burst_done(p->ctx, p->worker, sa, packets, bytes,
				&p->satally);
	}
	if (p->wtally.seen != 0)
		dp_worker_count_drops(p->ctx, p->worker, &p->wtally);
}

/* dp_crypto_sess_get_info() inline: the burst driver copies the session's
 * 7-byte description per packet, and the call cost more than the copy. */
static inline void sess_info(struct dp_pkt *pk, const struct dp_sa *sa)
{
	pk->info = dp_proc_sess(sa)->info;
}

static uint8_t family_of(struct rte_mbuf *m)
{
	return (rte_pktmbuf_mtod(m, uint8_t *)[0] >> 4) == 6 ? AF_INET6 : AF_INET;
}

/* ------------------------------------------------------------------------ */
/* Outbound.                                                                 */

static void out_chunk(struct dp_proc *p, struct rte_mbuf **pkts, const dp_sa_handle_t *sah,
	uint16_t n, struct dp_proc_res *res)
{
	const struct dp_sadb *db = p->ctx->sadb;
	const uint16_t self = p->worker;
	uint16_t idx[DP_PROC_BURST_MAX], k = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct dp_pkt *pk = &p->pkt[i];
		struct dp_crypto_op *op = &p->op[i];
		struct rte_mbuf *m = pkts[i];
		struct dp_sa *sa = dp_sadb_get(db, sah[i]);
		enum dp_drop why;

		memset(&res[i], 0, sizeof(res[i]));
		pk->sa = NULL;
		pk->bytes = 0;
		if (sa == NULL) {
			set_drop(&res[i], DP_DROP_NO_SA);
			continue;
		}
		res[i].sa = sa->handle;
		if (sa->dir != DP_DIR_OUT) {
			set_drop(&res[i], DP_DROP_WRONG_DIRECTION);
			continue;
		}
		if (sa->owner != self) {
			handoff(p, m, sa, DP_DIR_OUT, &res[i]);
			continue;
		}
		pk->sa = sa;
		if (m->nb_segs != 1) {
			set_drop(&res[i], DP_DROP_UNSUPPORTED);
			continue;
		}
		switch (dp_sa_admit(sa, false, &why)) {
		case DP_SA_PASS:
			break;
		case DP_SA_HOLD:
			hold(p, m, sa, &res[i]);
			continue;
		default:
			set_drop(&res[i], why);
			continue;
		}
		sess_info(pk, sa);
		/* ESP sets every op field its session's engine reads (80 bytes
		 * of memset per packet saved); AH relies on a zeroed op. */
		if (sa->satype == SADB_SATYPE_ESP) {
			why = dp_esp_out_prepare(p, pk, m, op);
		} else {
			memset(op, 0, sizeof(*op));
			why = dp_ah_out_prepare(p, pk, m, op);
		}
		if (why != DP_DROP_NONE) {
			set_drop(&res[i], why);
			continue;
		}
		idx[k++] = i;
	}
	if (k != 0)
		run_crypto(p, idx, k);
	for (uint16_t j = 0; j < k; j++) {
		uint16_t i = idx[j];
		struct dp_pkt *pk = &p->pkt[i];
		enum dp_drop why = crypto_drop(p->op[i].status);
		uint8_t fam = 0;

		if (why == DP_DROP_NONE) {
			if (pk->sa->satype == SADB_SATYPE_ESP) {
				/* Only ESN, GMAC-ESN and NAT-T over IPv6 leave
				 * finishing work; a call per packet saved. */
				if (pk->gmac_esn | pk->esn_hi | pk->natt)
					why = dp_esp_out_finish(p, pk, pkts[i], &p->op[i]);
				fam = pk->family; /* set by dp_esp_out_prepare() */
			} else {
				why = dp_ah_out_finish(p, pk, pkts[i], &p->op[i]);
			}
		}
		if (why != DP_DROP_NONE) {
			set_drop(&res[i], why);
			continue;
		}
		res[i].verdict = DP_PROC_FORWARD;
		res[i].family = fam != 0 ? fam : family_of(pkts[i]);
	}
	account(p, res, n);
}

uint16_t dp_proc_outbound(struct dp_proc *p, struct rte_mbuf **pkts, const dp_sa_handle_t *sa,
	uint16_t n, struct dp_proc_res *res)
{
	for (uint16_t i = 0; i < n; i += DP_PROC_BURST_MAX) {
		uint16_t c = (uint16_t)RTE_MIN((unsigned int)(n - i), DP_PROC_BURST_MAX);

		out_chunk(p, pkts + i, sa + i, c, res + i);
	}
	return n;
}

/* ------------------------------------------------------------------------ */
/* Inbound.                                                                  */

/* Parse the outer headers and find the SA key.  DP_DROP_NONE with
 * *verdict FORWARD = an IPsec packet to look up; or a verdict
 * (EXCEPTION, NOT_IPSEC) with no drop; or a drop. */
static enum dp_drop in_classify(struct rte_mbuf *m, struct dp_pkt *pk, struct dp_sa_key *key,
	uint8_t *verdict)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), need, spi;
	struct dp_ip_info ii;
	enum dp_drop why;
	uint8_t satype;

	*verdict = DP_PROC_FORWARD;
	if (m->nb_segs != 1)
		return DP_DROP_UNSUPPORTED;
	why = dp_ip_parse(d, len, true, &ii);
	if (why != DP_DROP_NONE)
		return why;
	if (ii.tot_len < len)
		dp_mbuf_trim1(m, (uint16_t)(len - ii.tot_len));
	len = ii.tot_len;
	pk->natt = 0;
	pk->l4_off = ii.hdr_len;
	switch (ii.proto) {
	case DP_IPPROTO_ESP:
		satype = SADB_SATYPE_ESP;
		need = 8;
		break;
	case DP_IPPROTO_AH:
		satype = SADB_SATYPE_AH;
		need = 12;
		break;
	case DP_IPPROTO_UDP:
		if (len < ii.hdr_len + DP_UDP_HDR_LEN || dp_get16(d + ii.hdr_len + 2) !=
		    DP_NATT_PORT) {
			*verdict = DP_PROC_NOT_IPSEC;
			return DP_DROP_NONE;
		}
		switch (dp_natt_classify(d + ii.hdr_len + DP_UDP_HDR_LEN,
			len - ii.hdr_len - DP_UDP_HDR_LEN)) {
		case DP_NATT_ESP:
			break;
		case DP_NATT_TRUNCATED:
			return DP_DROP_TRUNCATED;
		default:
			*verdict = DP_PROC_EXCEPTION;
			return DP_DROP_NONE;
		}
		satype = SADB_SATYPE_ESP;
		need = 8;
		pk->natt = 1;
		pk->l4_off = (uint16_t)(ii.hdr_len + DP_UDP_HDR_LEN);
		break;
	default:
		*verdict = DP_PROC_NOT_IPSEC;
		return DP_DROP_NONE;
	}
	if (ii.fragment)
		return DP_DROP_UNSUPPORTED; /* reassembly comes first */
	if (len < pk->l4_off + need)
		return DP_DROP_TRUNCATED;
	pk->hdr_len = ii.hdr_len;
	pk->nh_off = ii.nh_off;
	pk->outer_tos = dp_ip_tos(d);
	/* The SPI may sit on any 2-byte boundary (IP after a 14-byte
	 * Ethernet header): copy it, never load it in place. */
	memcpy(&spi, d + pk->l4_off + (satype == SADB_SATYPE_AH ? 4 : 0), sizeof(spi));
	dp_sa_key_make(key, spi, satype, ii.version == 4 ? AF_INET : AF_INET6,
		ii.version == 4 ? d + 16 : d + 24);
	return DP_DROP_NONE;
}

static void in_chunk(struct dp_proc *p, struct rte_mbuf **pkts, uint16_t n,
	struct dp_proc_res *res, unsigned int depth);

static void in_again(struct dp_proc *p, struct rte_mbuf **pkts, uint16_t n,
	struct dp_proc_res *res, unsigned int depth)
{
	uint16_t map[DP_PROC_BURST_MAX], k = 0;
	struct rte_mbuf *sub[DP_PROC_BURST_MAX];
	struct dp_proc_res subres[DP_PROC_BURST_MAX];

	for (uint16_t i = 0; i < n; i++) {
		if (res[i].verdict == DP_PROC_FORWARD && p->pkt[i].again) {
			map[k] = i;
			sub[k++] = pkts[i];
		}
	}
	if (k == 0)
		return;
	in_chunk(p, sub, k, subres, depth + 1);
	for (uint16_t j = 0; j < k; j++)
		res[map[j]] = subres[j];
}

/* Classify the chunk and look its SAs up in one bulk hash lookup; sas[i]
 * is NULL where res[i] already holds the outcome. */
static void in_lookup(struct dp_proc *p, struct rte_mbuf **pkts, uint16_t n,
	struct dp_proc_res *res, struct dp_sa **sas)
{
	struct dp_sa_key keys[DP_PROC_BURST_MAX];
	const struct dp_sa_key *kp[DP_PROC_BURST_MAX];
	struct dp_sa *found[DP_PROC_BURST_MAX];
	uint16_t map[DP_PROC_BURST_MAX], nk = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct dp_pkt *pk = &p->pkt[i];
		enum dp_drop why;
		uint8_t verdict;

		memset(&res[i], 0, sizeof(res[i]));
		sas[i] = NULL;
		pk->sa = NULL;
		pk->bytes = 0;
		pk->again = 0;
		why = in_classify(pkts[i], pk, &keys[nk], &verdict);
		if (why != DP_DROP_NONE) {
			set_drop(&res[i], why);
			continue;
		}
		if (verdict != DP_PROC_FORWARD) {
			res[i].verdict = verdict;
			continue;
		}
		kp[nk] = &keys[nk];
		map[nk++] = i;
	}
	if (nk == 0)
		return;
	dp_sadb_lookup_in_bulk(p->ctx->sadb, kp, nk, found);
	for (uint16_t j = 0; j < nk; j++) {
		uint16_t i = map[j];
		struct dp_sa *sa = found[j];

		if (sa == NULL) {
			/* Rare: tell an outbound SA's identity from none. */
			sa = dp_sadb_find(p->ctx->sadb, kp[j]);
			if (sa == NULL) {
				set_drop(&res[i], DP_DROP_NO_SA);
				continue;
			}
			res[i].sa = sa->handle;
			set_drop(&res[i], DP_DROP_WRONG_DIRECTION);
			continue;
		}
		res[i].sa = sa->handle;
		sas[i] = sa;
	}
}

static void in_chunk(struct dp_proc *p, struct rte_mbuf **pkts, uint16_t n,
	struct dp_proc_res *res, unsigned int depth)
{
	const uint16_t self = p->worker;
	uint16_t idx[DP_PROC_BURST_MAX], k = 0;
	struct dp_sa *sas[DP_PROC_BURST_MAX];
	bool again = false;

	in_lookup(p, pkts, n, res, sas);
	for (uint16_t i = 0; i < n; i++) {
		struct dp_pkt *pk = &p->pkt[i];
		struct dp_crypto_op *op = &p->op[i];
		struct rte_mbuf *m = pkts[i];
		struct dp_sa *sa = sas[i];
		enum dp_drop why;
		uint32_t low;

		if (sa == NULL)
			continue;
		if (sa->owner != self) {
			handoff(p, m, sa, DP_DIR_IN, &res[i]);
			continue;
		}
		pk->sa = sa;
		if (dp_sa_admit(sa, false, &why) == DP_SA_DROP) {
			set_drop(&res[i], why);
			continue;
		}
		low = dp_get32(rte_pktmbuf_mtod(m, uint8_t *) + pk->l4_off +
			(sa->satype == SADB_SATYPE_AH ? 8 : 4));
		why = dp_replay_check(sa->rt.in, low, &pk->seq);
		if (why != DP_DROP_NONE) {
			set_drop(&res[i], why);
			continue;
		}
		sess_info(pk, sa);
		/* As outbound: ESP sets every op field its engine reads. */
		if (sa->satype == SADB_SATYPE_ESP) {
			why = dp_esp_in_prepare(p, pk, m, op);
		} else {
			memset(op, 0, sizeof(*op));
			why = dp_ah_in_prepare(p, pk, m, op);
		}
		if (why != DP_DROP_NONE) {
			set_drop(&res[i], why);
			continue;
		}
		idx[k++] = i;
	}
	if (k != 0)
		run_crypto(p, idx, k);
	for (uint16_t j = 0; j < k; j++) {
		uint16_t i = idx[j];
		struct dp_pkt *pk = &p->pkt[i];
		struct rte_mbuf *m = pkts[i];
		uint8_t verdict = DP_PROC_FORWARD, fam = 0;
		enum dp_drop why = crypto_drop(p->op[i].status);

		if (why == DP_DROP_NONE)
			why = dp_replay_update(pk->sa->rt.in, pk->seq);
		if (why == DP_DROP_NONE) {
			if (pk->sa->satype == SADB_SATYPE_ESP) {
				why = dp_esp_in_finish(p, pk, m, &p->op[i], &verdict);
				fam = pk->family; /* set by dp_esp_in_finish() */
			} else {
				why = dp_ah_in_finish(p, pk, m, &p->op[i]);
			}
		}
		if (why != DP_DROP_NONE) {
			set_drop(&res[i], why);
			continue;
		}
		res[i].verdict = verdict;
		if (verdict != DP_PROC_FORWARD)
			continue;
		res[i].family = fam != 0 ? fam : family_of(m);
		if (pk->again) {
			again = true;
			continue; /* the inner SA decides */
		}
		switch (dp_sa_admit(pk->sa, true, &why)) {
		case DP_SA_PASS:
			break;
		case DP_SA_HOLD:
			hold(p, m, pk->sa, &res[i]);
			break;
		default:
			set_drop(&res[i], why);
			break;
		}
	}
	account(p, res, n);
	if (depth == 0 && again) /* no scan of the chunk without ESP inside AH */
		in_again(p, pkts, n, res, depth);
}

uint16_t dp_proc_inbound(struct dp_proc *p, struct rte_mbuf **pkts, uint16_t n,
	struct dp_proc_res *res)
{
	for (uint16_t i = 0; i < n; i += DP_PROC_BURST_MAX) {
		uint16_t c = (uint16_t)RTE_MIN((unsigned int)(n - i), DP_PROC_BURST_MAX);

		in_chunk(p, pkts + i, c, res + i, 0);
	}
	return n;
}

/* ------------------------------------------------------------------------ */
/* Hand-off and hold queues.                                                 */

/* Run pkts[0..n) in their direction: outbound ones with the SA in `sas`. */
static void run_mixed(struct dp_proc *p, struct rte_mbuf **pkts, const uint8_t *dir,
	const dp_sa_handle_t *sas, uint16_t n, struct dp_proc_res *res)
{
	struct rte_mbuf *sub[DP_PROC_BURST_MAX];
	dp_sa_handle_t subsa[DP_PROC_BURST_MAX];
	struct dp_proc_res subres[DP_PROC_BURST_MAX];
	uint16_t map[DP_PROC_BURST_MAX];

	for (uint8_t want = DP_DIR_IN; ; want = DP_DIR_OUT) {
		uint16_t k = 0;

		for (uint16_t i = 0; i < n; i++) {
			if (dir[i] == want) {
				map[k] = i;
				subsa[k] = sas[i];
				sub[k++] = pkts[i];
			}
		}
		if (k != 0) {
			if (want == DP_DIR_IN)
				in_chunk(p, sub, k, subres, 0);
			else
				out_chunk(p, sub, subsa, k, subres);
			for (uint16_t j = 0; j < k; j++)
				res[map[j]] = subres[j];
		}
		if (want == DP_DIR_OUT)
			break;
	}
}

uint16_t dp_proc_handoff_poll(struct dp_proc *p, struct rte_mbuf **pkts, uint16_t n,
	struct dp_proc_res *res)
{
	uint8_t dir[DP_PROC_BURST_MAX];
	dp_sa_handle_t sas[DP_PROC_BURST_MAX];
	unsigned int got;

	n = (uint16_t)RTE_MIN((unsigned int)n, DP_PROC_BURST_MAX);
	got = dp_worker_handoff_take(p->ctx, p->worker, pkts, n);
	for (unsigned int i = 0; i < got; i++) {
		const struct dp_proc_handoff_tag *tag = tag_of(p, pkts[i]);

		dir[i] = tag->dir;
		sas[i] = tag->sa;
	}
	run_mixed(p, pkts, dir, sas, (uint16_t)got, res);
	return (uint16_t)got;
}

uint16_t dp_proc_hold_poll(struct dp_proc *p, struct rte_mbuf **pkts, uint16_t n,
	struct dp_proc_res *res)
{
	struct dp_worker *w = dp_worker_get(p->ctx, p->worker);
	uint8_t dir[DP_PROC_BURST_MAX];
	unsigned int rel, ndrop = 0, half;
	struct dp_drop_tally t;

	n = (uint16_t)RTE_MIN((unsigned int)n, DP_PROC_BURST_MAX);
	if (n < 2)
		return 0;
	half = n / 2u;
	rel = dp_hold_poll(w->hold, p->ctx->sadb, dp_worker_now(p->ctx, p->worker), pkts,
		p->hold_sa, half, p->hold_drop, &ndrop);
	/* Inbound packets were verified before they were held: they go on.
	 * Outbound ones are protected now. */
	for (unsigned int i = 0; i < rel; i++) {
		struct dp_sa *sa = dp_sadb_get(p->ctx->sadb, p->hold_sa[i]);

		dir[i] = sa != NULL && sa->dir == DP_DIR_OUT ? DP_DIR_OUT : 0xff;
		memset(&res[i], 0, sizeof(res[i]));
		res[i].sa = p->hold_sa[i];
		res[i].verdict = DP_PROC_FORWARD;
		res[i].family = family_of(pkts[i]);
	}
	{
		struct rte_mbuf *sub[DP_PROC_BURST_MAX];
		dp_sa_handle_t subsa[DP_PROC_BURST_MAX];
		struct dp_proc_res subres[DP_PROC_BURST_MAX];
		uint16_t map[DP_PROC_BURST_MAX], k = 0;

		for (unsigned int i = 0; i < rel; i++) {
			if (dir[i] == DP_DIR_OUT) {
				map[k] = (uint16_t)i;
				subsa[k] = p->hold_sa[i];
				sub[k++] = pkts[i];
			}
		}
		if (k != 0) {
			out_chunk(p, sub, subsa, k, subres);
			for (uint16_t j = 0; j < k; j++)
				res[map[j]] = subres[j];
		}
	}
	dp_drop_tally_init(&t);
	for (unsigned int i = 0; i < ndrop; i++) {
		pkts[rel + i] = p->hold_drop[i];
		memset(&res[rel + i], 0, sizeof(res[rel + i]));
		set_drop(&res[rel + i], DP_DROP_SA_STATE);
		dp_drop_tally_add(&t, DP_DROP_SA_STATE);
	}
	if (ndrop != 0)
		dp_worker_count_drops(p->ctx, p->worker, &t);
	return (uint16_t)(rel + ndrop);
}
