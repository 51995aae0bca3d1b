/* SPDX-License-Identifier: BSD-2-Clause */
/* dpsecd_worker.c: the worker lcore loop (see dpsecd_worker.h). */
#include "dpsecd_worker.h"

#include <time.h>

#include "dpsec/dp.h"

static void sleep_us(uint32_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000 };

	nanosleep(&ts, NULL);
}

int dpsecd_worker_main(void *arg)
{
	struct dpsecd_worker *w = arg;
	uint32_t sleep = w->sleep_min_us;
	int err = dp_worker_register(w->dp, w->id);

	if (err != 0)
		return err;
	while (!__atomic_load_n(w->stop, __ATOMIC_ACQUIRE)) {
		dp_worker_quiescent(w->dp, w->id);
		w->loops++;
		/* No packet path yet (issue 5): every loop is idle. */
		if (w->busy_poll)
			continue;
		dp_worker_offline(w->dp, w->id);
		sleep_us(sleep);
		dp_worker_online(w->dp, w->id);
		sleep = sleep * 2 > w->sleep_max_us ? w->sleep_max_us : sleep * 2;
		if (sleep == 0)
			sleep = 1;
	}
	dp_worker_unregister(w->dp, w->id);
	return 0;
}
