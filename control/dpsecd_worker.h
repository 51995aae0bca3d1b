/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dpsecd_worker.h: dpsecd's worker lcores.
 *
 * Each worker lcore runs the dataplane's gateway loop (dp_gw_worker_run:
 * rx, classify, ESP/AH, policy, route, tx, RCU quiescence every loop, idle
 * back-off as dp_gw_config says) until *stop is set.
 */
#ifndef DPSECD_WORKER_H
#define DPSECD_WORKER_H

#include <stdint.h>

struct dp_gw;

struct dpsecd_worker {
	struct dp_gw *gw;
	unsigned int id;          /* dataplane worker number */
	const volatile int *stop; /* set (atomically) to end the loop */
	int result;               /* what the loop returned */
};

/* The lcore function (dp_eal_launch).  Returns 0, or -errno when the
 * worker could not register. */
int dpsecd_worker_main(void *arg);

#endif /* DPSECD_WORKER_H */
