/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dpsecd_worker.h: dpsecd's worker lcore loop.
 *
 * Until the gateway issue adds ports and packet paths, a worker only keeps
 * the dataplane's RCU going: it registers, reports a quiescent state every
 * loop and backs off when idle (busy poll, or an adaptive sleep that
 * doubles from sleep_min_us to sleep_max_us, offline for RCU while it
 * sleeps so it never delays a grace period).
 */
#ifndef DPSECD_WORKER_H
#define DPSECD_WORKER_H

#include <stdbool.h>
#include <stdint.h>

struct dp_ctx;

struct dpsecd_worker {
	struct dp_ctx *dp;
	unsigned int id;        /* dataplane worker number */
	bool busy_poll;
	uint32_t sleep_min_us, sleep_max_us;
	const volatile int *stop; /* set (atomically) to end the loop */
	uint64_t loops;
};

/* The lcore function (dp_eal_launch).  Returns 0, or -errno when the
 * worker could not register. */
int dpsecd_worker_main(void *arg);

#endif /* DPSECD_WORKER_H */
