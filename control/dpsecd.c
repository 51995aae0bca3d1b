/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dpsecd: the gateway program.
 *
 *   dpsecd [-c config] [-S socket] [-n] [-- EAL arguments...]
 *
 * Start-up: load and check the configuration (ctl_config), start DPDK's
 * EAL with the arguments it describes (plus any after "--"), create the
 * dataplane context, start one worker per configured worker lcore, load
 * the configured policy and SA files, then run the control thread (ctl.h)
 * on this, the main lcore, until SIGINT or SIGTERM.  Shut-down reverses it: the control module deletes every SA
 * (keys wiped) and removes the socket, the workers stop, the dataplane is
 * destroyed and EAL's runtime directory removed.
 *
 * Exit codes: 0 clean shut-down (or -n: configuration good), 1 bad
 * configuration or usage, 2 start-up failed.
 */
#include <errno.h>
#include <ev.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_config.h"
#include "dpsec/dp.h"
#include "dpsec/dp_eal.h"
#include "dpsec/pfkey.h"
#include "dpsecd_load.h"
#include "dpsecd_worker.h"

struct dpsecd {
	struct ctl_config *cfg;
	struct dp_ctx *dp;
	struct ctl *ctl;
	struct ev_loop *loop;
	ev_signal sigint_w, sigterm_w; /* data = this */
	struct dpsecd_worker workers[DP_WORKERS_MAX];
	int lcores[DP_WORKERS_MAX];
	unsigned int nworkers_started;
	int stop;
	bool eal_up;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: dpsecd [-c config] [-S socket] [-n] [-- EAL arguments...]\n"
		     "  -c config  configuration file (default %s)\n"
		     "  -S socket  PF_KEY socket path (overrides socket.path)\n"
		     "  -n         check the configuration and exit\n",
		CTL_CONFIG_DEFAULT_PATH);
}

static void stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	syslog(LOG_NOTICE, "shutting down");
	ev_break(loop, EVBREAK_ALL);
}

static int load_config(const char *path, bool explicit_path, const char *sock,
	struct ctl_config **out)
{
	struct ctl_config_errors errs;
	int rc;

	ctl_config_errors_init(&errs);
	if (!explicit_path && access(path, F_OK) != 0) {
		/* No file at the default place: every default. */
		*out = ctl_config_new();
		rc = *out == NULL ? -ENOMEM : 0;
	} else {
		rc = ctl_config_load(path, CTL_CONFIG_CHECK_HOST, out, &errs);
	}
	if (rc == 0 && sock != NULL)
		rc = ctl_config_set_socket_path(*out, sock);
	if (rc == 0)
		rc = ctl_config_validate(*out, CTL_CONFIG_CHECK_HOST, &errs);
	if (rc != 0) {
		for (unsigned int i = 0; i < errs.count; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		if (errs.dropped > 0)
			fprintf(stderr, "(%u more problems)\n", errs.dropped);
		if (errs.count == 0)
			fprintf(stderr, "dpsecd: %s: %s\n", path, strerror(-rc));
		ctl_config_free(*out);
		*out = NULL;
	}
	return rc;
}

/* Group name or number -> gid; (gid_t)-1 for "". */
static int socket_gid(const char *group, gid_t *gid)
{
	struct group *g;
	char *end;
	unsigned long n;

	*gid = (gid_t)-1;
	if (group[0] == '\0')
		return 0;
	n = strtoul(group, &end, 10);
	if (*end == '\0') {
		*gid = (gid_t)n;
		return 0;
	}
	g = getgrnam(group);
	if (g == NULL)
		return -ENOENT;
	*gid = g->gr_gid;
	return 0;
}

static int start_workers(struct dpsecd *d)
{
	const struct ctl_config_workers *wc = &d->cfg->workers;
	int lcore = -1;

	for (unsigned int i = 0; i < wc->count; i++) {
		struct dpsecd_worker *w = &d->workers[i];
		int err;

		do
			lcore = dp_eal_next_worker(lcore);
		while (lcore >= 0 && ctl_config_lcore_count(&wc->lcores) > 0 &&
		       !ctl_config_lcore_isset(&wc->lcores, (unsigned int)lcore));
		if (lcore < 0) {
			fprintf(stderr, "dpsecd: %u workers need %u worker lcores, EAL has %u\n",
				wc->count, wc->count, i);
			return -ENODEV;
		}
		w->dp = d->dp;
		w->id = i;
		w->busy_poll = wc->idle == CTL_IDLE_BUSY_POLL;
		w->sleep_min_us = wc->sleep_min_us;
		w->sleep_max_us = wc->sleep_max_us;
		w->stop = &d->stop;
		err = dp_eal_launch((unsigned int)lcore, dpsecd_worker_main, w);
		if (err != 0) {
			fprintf(stderr, "dpsecd: lcore %d: %s\n", lcore, strerror(-err));
			return err;
		}
		d->lcores[i] = lcore;
		d->nworkers_started++;
	}
	return 0;
}

static void stop_workers(struct dpsecd *d)
{
	__atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < d->nworkers_started; i++)
		dp_eal_wait((unsigned int)d->lcores[i]);
	d->nworkers_started = 0;
}

static int start(struct dpsecd *d, int extra_argc, char **extra_argv)
{
	const struct ctl_config *cfg = d->cfg;
	struct dp_config dc;
	struct ctl_params cp;
	char **argv = NULL;
	int argc, err;

	argc = ctl_config_eal_argv(cfg, "dpsecd", extra_argc, extra_argv, &argv);
	if (argc < 0) {
		fprintf(stderr, "dpsecd: EAL arguments: %s\n", strerror(-argc));
		return argc;
	}
	err = dp_eal_init(argc, argv);
	free(argv);
	if (err < 0) {
		fprintf(stderr, "dpsecd: EAL: %s\n", strerror(-err));
		return err;
	}
	d->eal_up = true;

	dp_config_default(&dc);
	dc.max_sas = cfg->limits.max_sas;
	dc.workers = cfg->workers.count;
	dc.engine = cfg->crypto.engine;
	if (cfg->crypto.n_devices > 0)
		snprintf(dc.crypto_dev, sizeof(dc.crypto_dev), "%s", cfg->crypto.devices[0].name);
	dc.name = "dpsecd";
	d->dp = dp_create(&dc);
	if (d->dp == NULL) {
		fprintf(stderr, "dpsecd: dataplane: %s\n", strerror(errno));
		return -errno;
	}
	err = start_workers(d);
	if (err != 0)
		return err;

	ctl_params_default(&cp);
	cp.socket_path = cfg->socket.path;
	err = socket_gid(cfg->socket.group, &cp.socket_gid);
	if (err != 0) {
		fprintf(stderr, "dpsecd: socket group %s: no such group\n", cfg->socket.group);
		return err;
	}
	cp.socket_mode = (mode_t)cfg->socket.mode;
	cp.max_clients = cfg->limits.max_clients;
	cp.max_policies = cfg->limits.max_policies;
	cp.queue_msgs = cfg->limits.client_queue_msgs;
	cp.queue_bytes = cfg->limits.client_queue_bytes < PFK_MSG_MAX ?
				 PFK_MSG_MAX : (size_t)cfg->limits.client_queue_bytes;
	cp.lease_size = cfg->sequence_lease;
	cp.workers = cfg->workers.count;
	d->ctl = ctl_create(d->loop, d->dp, &cp);
	if (d->ctl == NULL) {
		fprintf(stderr, "dpsecd: %s: %s\n", cp.socket_path, strerror(errno));
		return -errno;
	}
	/* Policies first: an SA file may rely on them (ACQUIREs do). */
	for (unsigned int i = 0; i < cfg->n_policy_files; i++) {
		if (dpsecd_load_policy_file(d->ctl, cfg->policy_files[i].path) != 0)
			return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->n_sa_files; i++) {
		if (dpsecd_load_sa_file(d->ctl, cfg->sa_files[i].path) != 0)
			return -EINVAL;
	}
	syslog(LOG_NOTICE, "serving PF_KEY on %s with %u workers", cp.socket_path,
	       cfg->workers.count);
	return 0;
}

static void stop(struct dpsecd *d)
{
	ctl_destroy(d->ctl);
	d->ctl = NULL;
	stop_workers(d);
	dp_destroy(d->dp);
	d->dp = NULL;
	if (d->eal_up)
		dp_eal_cleanup();
	d->eal_up = false;
}

int main(int argc, char **argv)
{
	const char *config = CTL_CONFIG_DEFAULT_PATH, *sock = NULL;
	bool explicit_config = false, check_only = false;
	struct dpsecd d;
	int opt, rc = 0;

	memset(&d, 0, sizeof(d));
	while ((opt = getopt(argc, argv, "c:S:nh")) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			explicit_config = true;
			break;
		case 'S':
			sock = optarg;
			break;
		case 'n':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (load_config(config, explicit_config, sock, &d.cfg) != 0)
		return 1;
	if (check_only) {
		ctl_config_free(d.cfg);
		return 0;
	}
	openlog("dpsecd", LOG_PID | LOG_PERROR, LOG_DAEMON);
	signal(SIGPIPE, SIG_IGN);
	d.loop = ev_default_loop(EVFLAG_AUTO);
	if (d.loop == NULL) {
		fprintf(stderr, "dpsecd: libev: no event loop\n");
		ctl_config_free(d.cfg);
		return 2;
	}
	ev_signal_init(&d.sigint_w, stop_cb, SIGINT);
	ev_signal_init(&d.sigterm_w, stop_cb, SIGTERM);
	d.sigint_w.data = &d;
	d.sigterm_w.data = &d;
	ev_signal_start(d.loop, &d.sigint_w);
	ev_signal_start(d.loop, &d.sigterm_w);
	if (start(&d, argc - optind, argv + optind) == 0)
		ev_run(d.loop, 0);
	else
		rc = 2;
	ev_signal_stop(d.loop, &d.sigint_w);
	ev_signal_stop(d.loop, &d.sigterm_w);
	stop(&d);
	ev_loop_destroy(d.loop);
	ctl_config_free(d.cfg);
	closelog();
	return rc;
}
