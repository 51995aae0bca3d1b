/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_hold.c: IDLE-SA hold queue (see dp_hold.h). */
#include "dp_hold.h"

#include <errno.h>

#include "dp_sadb.h"

size_t dp_hold_memsize(uint32_t size)
{
	return sizeof(struct dp_hold) + (size_t)size * sizeof(struct dp_hold_entry);
}

void dp_hold_init(struct dp_hold *h, uint32_t size, uint32_t max_age)
{
	h->size = size;
	h->count = 0;
	h->max_age = max_age;
	h->reserved = 0;
}

int dp_hold_add(struct dp_hold *h, struct dp_sa *sa, struct rte_mbuf *pkt, uint64_t now)
{
	if (h->count == h->size)
		return -ENOBUFS;
	h->entry[h->count++] = (struct dp_hold_entry){ .pkt = pkt, .sa = sa->handle,
		.since = now };
	__atomic_store_n(&sa->held, sa->held + 1, __ATOMIC_RELAXED);
	return 0;
}

static void unhold(struct dp_sa *sa)
{
	if (sa != NULL && sa->held != 0)
		__atomic_store_n(&sa->held, sa->held - 1, __ATOMIC_RELAXED);
}

unsigned int dp_hold_poll(struct dp_hold *h, const struct dp_sadb *db, uint64_t now,
	struct rte_mbuf **out, dp_sa_handle_t *out_sa, unsigned int n,
	struct rte_mbuf **drop, unsigned int *ndrop)
{
	unsigned int nout = 0, nd = 0;
	uint32_t keep = 0, i;

	for (i = 0; i < h->count; i++) {
		struct dp_hold_entry *e = &h->entry[i];
		struct dp_sa *sa = dp_sadb_get(db, e->sa);
		uint8_t state = sa != NULL ? dp_sa_state(sa) : SADB_SASTATE_DEAD;
		bool old = h->max_age != 0 && now - e->since > h->max_age;

		if (nout == n || nd == n)
			break;
		if (sa != NULL && dp_sa_state_carries(state)) {
			out[nout] = e->pkt;
			out_sa[nout++] = e->sa;
			unhold(sa);
			sa->raised &= ~DP_SA_EV_IDLE_TRAFFIC; /* a new IDLE spell reports */
		} else if (state == SADB_X_SASTATE_IDLE && !old) {
			h->entry[keep++] = *e;
		} else {
			drop[nd++] = e->pkt;
			unhold(sa);
		}
	}
	/* Entries not visited stay, after the kept ones, in order. */
	for (; i < h->count; i++)
		h->entry[keep++] = h->entry[i];
	h->count = keep;
	*ndrop = nd;
	return nout;
}

unsigned int dp_hold_flush(struct dp_hold *h, struct rte_mbuf **out, unsigned int n)
{
	unsigned int got = h->count < n ? h->count : n;

	for (unsigned int i = 0; i < got; i++)
		out[i] = h->entry[i].pkt;
	for (unsigned int i = got; i < h->count; i++)
		h->entry[i - got] = h->entry[i];
	h->count -= got;
	return got;
}
