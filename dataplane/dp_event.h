/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_event.h: the event queue from workers to the control thread.
 *
 * An rte_ring of struct dp_event (multi-producer: any worker; single
 * consumer: CONTROL) and an eventfd the control thread's libev loop
 * watches.  The eventfd is written only when the consumer has drained the
 * ring and "armed" it, so a burst of events costs one write(2), not one per
 * event, and a worker never makes a syscall while the control thread is
 * already awake.
 *
 * No lost wake-up: the consumer arms (store, seq_cst) and then re-checks
 * the ring; a producer enqueues and then disarms (exchange, seq_cst).  Either
 * the producer sees the arm and writes the eventfd, or the consumer's
 * re-check sees the event.
 *
 * A full ring drops the event and returns -ENOBUFS; callers keep their
 * once-only events due (dp_sa_rearm, dp_seq_rearm) and count the loss.
 */
#ifndef DP_EVENT_H
#define DP_EVENT_H

#include <stdint.h>

#include "dpsec/dp.h"

struct dp_event_queue;

static_assert(sizeof(struct dp_event) == 64, "dp_event is one cache line");

/* Create a queue of `size` events (power of two >= 2).  NULL with errno.
 * CONTROL. */
struct dp_event_queue *dp_event_queue_create(const char *name, uint32_t size, int socket_id);

/* Free the queue and close the eventfd.  NULL is a no-op.  CONTROL. */
void dp_event_queue_free(struct dp_event_queue *q);

/* Post one event.  0, or -ENOBUFS when full.  WORKER (any number). */
int dp_event_post(struct dp_event_queue *q, const struct dp_event *ev);

/* Take up to n events: count or -errno.  CONTROL (single consumer). */
int dp_event_take(struct dp_event_queue *q, struct dp_event *ev, unsigned int n);

/* The eventfd (non-blocking, readable when events wait).  ANY. */
int dp_event_queue_fd(const struct dp_event_queue *q);

/* Events waiting (approximate while producers run).  ANY. */
unsigned int dp_event_queue_count(const struct dp_event_queue *q);

#endif /* DP_EVENT_H */
