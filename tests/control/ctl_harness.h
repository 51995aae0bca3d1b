/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_harness.h: the control thread in-process, on a temporary socket,
 * over a real dataplane context (EAL --no-huge --no-pci, net_null0).
 *
 * The libev loop runs in its own thread, as in dpsecd, and a test worker
 * thread is registered as dataplane worker 0: it reports RCU quiescence
 * every loop (so grace periods involve a live worker) and posts the
 * events the test hands it (h_post), as the packet path will.  The test
 * talks to the server over the socket like any client and reads the
 * module's state only inside h_call(), which runs a function on the loop
 * thread.
 */
#ifndef CTL_HARNESS_H
#define CTL_HARNESS_H

#include <dirent.h>
#include <errno.h>
#include <ev.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "dpsec/dp.h"
#include "dpsec/dp_eal.h"
#include "dpsec/pfkey.h"
#include "dp_worker.h" /* dp_worker_post: the worker side of the event ring */

struct h;
typedef void (*h_fn)(struct h *h, void *arg);

struct h {
	struct dp_ctx *dp;
	struct ctl *ctl;
	struct ev_loop *loop;
	pthread_t thread;
	ev_async async;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	h_fn fn;
	void *arg;
	bool done;
	bool stop;
	pthread_t worker;
	int worker_stop;         /* atomics: test thread <-> worker */
	int wev_pending;
	int wev_rc;
	struct dp_event wev;
	char dir[64];
	char sock[108];
};

static char h_eal_unit[32];

/* EAL once per process. */
static inline int h_eal_init(const char *unit)
{
	char prefix[64], argv0[] = "ctl-test";
	char *argv[] = { argv0, (char *)"--no-huge", (char *)"-m", (char *)"512",
			 (char *)"--no-pci", (char *)"--file-prefix", prefix,
			 (char *)"--vdev", (char *)"net_null0", (char *)"--log-level=error",
			 (char *)"--no-telemetry", NULL };

	snprintf(h_eal_unit, sizeof(h_eal_unit), "%s", unit);
	snprintf(prefix, sizeof(prefix), "dpsec-ctl-%s-%ld", unit, (long)getpid());
	return dp_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0 ? -1 : 0;
}

static inline void h_eal_fini(void)
{
	dp_eal_cleanup();
}

static void h_async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct h *h = w->data;

	(void)revents;
	pthread_mutex_lock(&h->mu);
	if (h->fn != NULL) {
		h->fn(h, h->arg);
		h->fn = NULL;
		h->done = true;
		pthread_cond_broadcast(&h->cv);
	}
	if (h->stop)
		ev_break(loop, EVBREAK_ALL);
	pthread_mutex_unlock(&h->mu);
}

static void *h_thread(void *arg)
{
	struct h *h = arg;

	ev_run(h->loop, 0);
	return NULL;
}

static void *h_worker(void *arg)
{
	struct h *h = arg;

	if (dp_worker_register(h->dp, 0) != 0)
		return NULL;
	while (!__atomic_load_n(&h->worker_stop, __ATOMIC_ACQUIRE)) {
		dp_worker_quiescent(h->dp, 0);
		if (__atomic_load_n(&h->wev_pending, __ATOMIC_ACQUIRE)) {
			h->wev_rc = dp_worker_post(h->dp, 0, &h->wev);
			__atomic_store_n(&h->wev_pending, 0, __ATOMIC_RELEASE);
		} else {
			usleep(100);
		}
	}
	dp_worker_unregister(h->dp, 0);
	return NULL;
}

/* Have the worker post ev; returns dp_worker_post's result. */
static inline int h_post(struct h *h, const struct dp_event *ev)
{
	h->wev = *ev;
	__atomic_store_n(&h->wev_pending, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&h->wev_pending, __ATOMIC_ACQUIRE))
		usleep(100);
	return h->wev_rc;
}

/* Run fn(h, arg) on the loop thread and wait for it. */
static inline void h_call(struct h *h, h_fn fn, void *arg)
{
	pthread_mutex_lock(&h->mu);
	h->fn = fn;
	h->arg = arg;
	h->done = false;
	pthread_mutex_unlock(&h->mu);
	ev_async_send(h->loop, &h->async);
	pthread_mutex_lock(&h->mu);
	while (!h->done)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

static void h_get_stats_fn(struct h *h, void *arg)
{
	ctl_get_stats(h->ctl, arg);
}

static inline struct ctl_stats h_stats(struct h *h)
{
	struct ctl_stats st;

	h_call(h, h_get_stats_fn, &st);
	return st;
}

/* Start a dataplane context and the control module.  p may be NULL
 * (defaults); its socket_path is replaced by a temporary one. */
static inline int h_start(struct h *h, const struct ctl_params *p, uint32_t max_sas)
{
	static unsigned int n;
	struct ctl_params cp;
	struct dp_config dc;
	char name[32];

	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "/tmp/dpsec-ctl-XXXXXX");
	if (mkdtemp(h->dir) == NULL)
		return -1;
	snprintf(h->sock, sizeof(h->sock), "%s/pfkey.sock", h->dir);
	dp_config_default(&dc);
	dc.max_sas = max_sas;
	dc.workers = 1;
	snprintf(name, sizeof(name), "h%u", n++);
	dc.name = name;
	h->dp = dp_create(&dc);
	if (h->dp == NULL)
		return -1;
	if (p != NULL)
		cp = *p;
	else
		ctl_params_default(&cp);
	cp.socket_path = h->sock;
	h->loop = ev_loop_new(EVFLAG_AUTO);
	h->ctl = ctl_create(h->loop, h->dp, &cp);
	if (h->ctl == NULL)
		return -1;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	ev_async_init(&h->async, h_async_cb);
	h->async.data = h;
	ev_async_start(h->loop, &h->async);
	if (pthread_create(&h->worker, NULL, h_worker, h) != 0)
		return -1;
	return pthread_create(&h->thread, NULL, h_thread, h) == 0 ? 0 : -1;
}

static void h_noop(struct h *h, void *arg)
{
	(void)h;
	(void)arg;
}

static inline void h_stop(struct h *h)
{
	pthread_mutex_lock(&h->mu);
	h->stop = true;
	pthread_mutex_unlock(&h->mu);
	h_call(h, h_noop, NULL);
	pthread_join(h->thread, NULL);
	__atomic_store_n(&h->worker_stop, 1, __ATOMIC_RELEASE);
	pthread_join(h->worker, NULL);
	ctl_destroy(h->ctl);
	ev_async_stop(h->loop, &h->async);
	ev_loop_destroy(h->loop);
	dp_destroy(h->dp);
	rmdir(h->dir);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
}

/* Connect and make sure the server has accepted (so the client sees the
 * broadcasts that follow): a GET for no SA, answered with ESRCH. */
static inline int h_connect(struct h *h)
{
	uint64_t req[8] = { 0 }, rep[64];
	struct sadb_msg *m = (struct sadb_msg *)(void *)req;
	struct sadb_sa *sa = (struct sadb_sa *)(void *)(m + 1);
	struct sadb_address *a = (struct sadb_address *)(void *)(sa + 1);
	int fd = pfk_client_open(h->sock);

	if (fd < 0)
		return fd;
	m->sadb_msg_version = PF_KEY_V2;
	m->sadb_msg_type = SADB_GET;
	m->sadb_msg_satype = SADB_SATYPE_ESP;
	m->sadb_msg_len = 7;
	m->sadb_msg_seq = 0xfffffff0u;
	sa->sadb_sa_len = 2;
	sa->sadb_sa_exttype = SADB_EXT_SA;
	a->sadb_address_len = 3;
	a->sadb_address_exttype = SADB_EXT_ADDRESS_DST;
	((uint16_t *)(void *)(a + 1))[0] = 2; /* AF_INET, 0.0.0.0 */
	if (pfk_client_request(fd, req, 56, rep, sizeof(rep), 3000, NULL, NULL) != 16) {
		close(fd);
		return -EIO;
	}
	return fd;
}

#endif /* CTL_HARNESS_H */
