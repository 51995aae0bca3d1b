/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_event.c: worker -> control event ring plus eventfd (see dp_event.h). */
#include "dp_event.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

struct dp_event_queue {
	struct rte_ring *ring;
	int efd;
	uint32_t armed; /* 1: the consumer waits; the next producer wakes it */
};

struct dp_event_queue *dp_event_queue_create(const char *name, uint32_t size, int socket_id)
{
	struct dp_event_queue *q;
	int err;

	if (name == NULL || size < 2 || (size & (size - 1)) != 0) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return NULL;
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->efd < 0) {
		err = errno;
		goto fail;
	}
	/* RING_F_EXACT_SZ: exactly `size` usable slots. */
	q->ring = rte_ring_create_elem(name, sizeof(struct dp_event), size, socket_id,
		RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (q->ring == NULL) {
		err = rte_errno;
		goto fail;
	}
	q->armed = 1;
	return q;
fail:
	if (q->efd >= 0)
		close(q->efd);
	free(q);
	errno = err;
	return NULL;
}

void dp_event_queue_free(struct dp_event_queue *q)
{
	if (q == NULL)
		return;
	rte_ring_free(q->ring);
	if (q->efd >= 0)
		close(q->efd);
	free(q);
}

static void wake(struct dp_event_queue *q)
{
	uint64_t one = 1;

	/* EAGAIN means the counter is already huge: the reader is awake. */
	(void)!write(q->efd, &one, sizeof(one));
}

int dp_event_post(struct dp_event_queue *q, const struct dp_event *ev)
{
	if (rte_ring_mp_enqueue_elem(q->ring, (void *)(uintptr_t)ev, sizeof(*ev)) != 0)
		return -ENOBUFS;
	if (__atomic_exchange_n(&q->armed, 0, __ATOMIC_SEQ_CST) != 0)
		wake(q);
	return 0;
}

int dp_event_take(struct dp_event_queue *q, struct dp_event *ev, unsigned int n)
{
	uint64_t counter;
	unsigned int got;

	if (n == 0)
		return 0;
	/* Clear the readable state first: anything posted after this read
	 * either lands in this dequeue or wakes us again. */
	(void)!read(q->efd, &counter, sizeof(counter));
	got = rte_ring_sc_dequeue_burst_elem(q->ring, ev, sizeof(*ev), n, NULL);
	if (got < n) {
		/* Drained: arm, then look again (see dp_event.h). */
		__atomic_store_n(&q->armed, 1, __ATOMIC_SEQ_CST);
		if (rte_ring_count(q->ring) != 0 &&
		    __atomic_exchange_n(&q->armed, 0, __ATOMIC_SEQ_CST) != 0)
			wake(q);
	}
	return (int)got;
}

int dp_event_queue_fd(const struct dp_event_queue *q)
{
	return q->efd;
}

unsigned int dp_event_queue_count(const struct dp_event_queue *q)
{
	return rte_ring_count(q->ring);
}
