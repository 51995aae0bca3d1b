/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_server.c: the control module's life cycle, the listening socket and
 * message delivery (replies, broadcasts, promiscuous copies).
 *
 * Accept and EMFILE (OpenBSD iked control.c): when accept(2) fails for lack
 * of descriptors the listening watcher is stopped for a second (or until a
 * client goes away), instead of spinning on a socket that stays readable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl_priv.h"

#define CTL_ACCEPT_BACKOFF_S 1.0
#define CTL_RECLAIM_S 0.1

void ctl_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

void ctl_params_default(struct ctl_params *p)
{
	memset(p, 0, sizeof(*p));
	p->socket_path = PFK_DEFAULT_SOCKET;
	p->socket_gid = (gid_t)-1;
	p->max_clients = 64;
	p->max_policies = 65536;
	p->queue_msgs = 4096;
	p->queue_bytes = 4u << 20;
	p->larval_timeout_s = 60;
	p->lease_size = 1u << 20;
	p->acquire_interval_ms = 1000;
	p->acquire_burst = 64;
	p->workers = 1;
}

ev_tstamp ctl_now(const struct ctl *ctl)
{
	return ev_now(ctl->loop);
}

void ctl_get_stats(const struct ctl *ctl, struct ctl_stats *st)
{
	*st = ctl->stats;
	st->sas = ctl_sadb_count(ctl->sadb);
	st->policies = ctl_spd_count(ctl->spd);
}

/* ------------------------------------------------------------------------ */
/* Delivery.                                                                 */

void ctl_reply(struct ctl *ctl, struct ctl_client *c, const void *msg, size_t len)
{
	struct pfk_msg m;
	uint16_t diag;
	int n = -EINVAL;

	ctl_client_send(c, msg, len, CTL_SEND_REPLY);
	for (struct ctl_client *p = ctl->clients; p != NULL; p = p->next) {
		if (!p->promisc || p == c || p->state == CTL_CLIENT_CLOSED)
			continue;
		if (n == -EINVAL) {
			/* Our own replies always parse; copy them without keys. */
			if (pfk_parse(msg, len, &m, &diag) != 0)
				return;
			n = pfk_copy_without_keys(&m, ctl->wbuf2, sizeof(ctl->wbuf2));
			if (n < 0)
				return;
		}
		ctl_client_send(p, ctl->wbuf2, (size_t)n, CTL_SEND_BROADCAST);
	}
	if (n > 0)
		pfk_wipe(ctl->wbuf2, (size_t)n);
}

void ctl_send_all(struct ctl *ctl, struct ctl_client *c, const void *msg, size_t len)
{
	if (c != NULL)
		ctl_client_send(c, msg, len, CTL_SEND_REPLY);
	for (struct ctl_client *o = ctl->clients; o != NULL; o = o->next) {
		if (o != c && o->state != CTL_CLIENT_CLOSED)
			ctl_client_send(o, msg, len, CTL_SEND_BROADCAST);
	}
}

void ctl_reply_error(struct ctl *ctl, struct ctl_client *c, const struct sadb_msg *req, int err,
	uint16_t diag)
{
	struct sadb_msg hdr, out;

	if (req == NULL) {
		memset(&hdr, 0, sizeof(hdr));
		hdr.sadb_msg_version = PF_KEY_V2;
		req = &hdr;
	}
	if (pfk_build_error(req, err, diag, &out, sizeof(out)) < 0)
		return;
	ctl->stats.errors++;
	ctl_reply(ctl, c, &out, sizeof(out));
}

/* ------------------------------------------------------------------------ */
/* Accepting.                                                                */

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl *ctl = w->data;

	(void)revents;
	for (unsigned int i = 0; i < 16; i++) {
		int fd = accept4(ctl->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			ctl_client_accept(ctl, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE) {
			ctl->stats.accept_backoffs++;
			ev_io_stop(loop, &ctl->accept_w);
			ev_timer_set(&ctl->accept_backoff, CTL_ACCEPT_BACKOFF_S, 0.);
			ev_timer_start(loop, &ctl->accept_backoff);
		} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
			ctl_log(LOG_WARNING, "accept: %m");
		}
		break;
	}
}

static void backoff_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl *ctl = w->data;

	(void)revents;
	ev_io_start(loop, &ctl->accept_w);
}

static void reclaim_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl *ctl = w->data;

	(void)loop;
	(void)revents;
	dp_reclaim(ctl->dp);
}

/* mkdir -p of the socket's directory (mode 0755; the socket itself carries
 * the permission). */
static int make_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int listen_socket(struct ctl *ctl)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t mode = ctl->params.socket_mode != 0 ? ctl->params.socket_mode & 0777 :
		      ctl->params.socket_gid == (gid_t)-1 ? 0600 : 0660;
	mode_t old;
	int fd, err;

	if (strlen(ctl->socket_path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, ctl->socket_path, strlen(ctl->socket_path) + 1);
	err = make_parent(ctl->socket_path);
	if (err != 0)
		return err;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)unlink(ctl->socket_path);
	/* Created with its final mode: no window where others may connect. */
	old = umask(0777 & ~mode);
	err = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ? 0 : -errno;
	umask(old);
	if (err == 0 && ctl->params.socket_gid != (gid_t)-1 &&
	    chown(ctl->socket_path, (uid_t)-1, ctl->params.socket_gid) != 0)
		err = -errno;
	if (err == 0 && chmod(ctl->socket_path, mode) != 0)
		err = -errno;
	if (err == 0 && listen(fd, 64) != 0)
		err = -errno;
	if (err != 0) {
		close(fd);
		return err;
	}
	ctl->lfd = fd;
	return 0;
}

struct ctl *ctl_create(struct ev_loop *loop, struct dp_ctx *dp, const struct ctl_params *p)
{
	struct ctl *ctl = NULL;
	int err = -EINVAL;

	if (loop == NULL || dp == NULL || p == NULL || p->socket_path == NULL ||
	    p->max_clients == 0 || p->queue_msgs == 0 || p->queue_bytes < PFK_MSG_MAX ||
	    p->workers == 0 || p->workers > DP_WORKERS_MAX)
		goto fail;
	err = -ENOMEM;
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		goto fail;
	ctl->lfd = -1;
	ctl->loop = loop;
	ctl->dp = dp;
	ctl->params = *p;
	ctl->socket_path = strdup(p->socket_path);
	ctl->params.socket_path = ctl->socket_path;
	ctl->sadb = ctl_sadb_new();
	ctl->spd = ctl_spd_new(p->max_policies);
	if (ctl->socket_path == NULL || ctl->sadb == NULL || ctl->spd == NULL)
		goto fail;
	err = listen_socket(ctl);
	if (err != 0)
		goto fail;
	ev_io_init(&ctl->accept_w, accept_cb, ctl->lfd, EV_READ);
	ctl->accept_w.data = ctl;
	ev_timer_init(&ctl->accept_backoff, backoff_cb, CTL_ACCEPT_BACKOFF_S, 0.);
	ctl->accept_backoff.data = ctl;
	ev_io_init(&ctl->event_w, ctl_event_cb, dp_event_fd(dp), EV_READ);
	ctl->event_w.data = ctl;
	ev_timer_init(&ctl->reclaim_w, reclaim_cb, CTL_RECLAIM_S, CTL_RECLAIM_S);
	ctl->reclaim_w.data = ctl;
	ev_io_start(loop, &ctl->accept_w);
	ev_io_start(loop, &ctl->event_w);
	ev_timer_start(loop, &ctl->reclaim_w);
	return ctl;
fail:
	ctl_destroy(ctl);
	errno = -err;
	return NULL;
}

static void destroy_sa(struct ctl_sa *sa, void *arg)
{
	struct ctl *ctl = arg;

	if (sa->handle != DP_SA_HANDLE_INVALID)
		dp_sa_delete(ctl->dp, sa->handle);
}

void ctl_destroy(struct ctl *ctl)
{
	if (ctl == NULL)
		return;
	if (ctl->loop != NULL) {
		ev_io_stop(ctl->loop, &ctl->accept_w);
		ev_timer_stop(ctl->loop, &ctl->accept_backoff);
		ev_io_stop(ctl->loop, &ctl->event_w);
		ev_timer_stop(ctl->loop, &ctl->reclaim_w);
	}
	ctl_client_free_all(ctl);
	if (ctl->lfd >= 0) {
		close(ctl->lfd);
		(void)unlink(ctl->socket_path);
	}
	ctl_sadb_free(ctl->sadb, destroy_sa, ctl);
	if (ctl->dp != NULL)
		dp_reclaim(ctl->dp);
	ctl_spd_free(ctl->spd);
	free(ctl->socket_path);
	pfk_wipe(ctl, sizeof(*ctl));
	free(ctl);
}
