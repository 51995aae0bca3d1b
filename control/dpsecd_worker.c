/* SPDX-License-Identifier: BSD-2-Clause */
/* dpsecd_worker.c: the worker lcore function (see dpsecd_worker.h). */
#include "dpsecd_worker.h"

#include "dpsec/dp.h"

int dpsecd_worker_main(void *arg)
{
	struct dpsecd_worker *w = arg;

	w->result = dp_gw_worker_run(w->gw, w->id, w->stop);
	return w->result;
}
