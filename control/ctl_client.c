/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_client.c: one PF_KEY client connection -- credentials, the request
 * reader, and the bounded output queue.
 *
 * Flow control, so that no client can stall the loop or grow memory:
 *   - Every send is non-blocking.  What the socket does not take waits in
 *     the client's queue, bounded by params.queue_msgs and queue_bytes.
 *   - A broadcast offered to a full queue is dropped and counted for that
 *     client (ctl_client.drops); the loop never waits for a listener.
 *   - A client whose queue is at its limit is not read from (state
 *     BLOCKED): its requests wait in its own socket buffer until it reads
 *     its replies.  So a reply always finds room -- at most one reply (or
 *     one DUMP step) is added past the limit per request read.
 *   - A DUMP produces its messages only while the queue has room
 *     (ctl_dump.c), and resumes as the client drains it.
 *   - Replies to a client whose requests are being read in a batch are
 *     queued and written together at the end of the batch with sendmmsg():
 *     one wake-up of the client per batch instead of one per reply (on a
 *     busy machine each reply's wake-up used to preempt the control thread).
 *     A DUMP step's messages are written the same way (ctl_client_batch_*).
 * Buffers are wiped before they are freed: replies may hold keys.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl_priv.h"

static void client_read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void client_write_cb(struct ev_loop *loop, ev_io *w, int revents);

/* The client whose requests client_read_cb() is reading now: its replies
 * wait for the end of the batch.  One control loop per thread. */
static _Thread_local struct ctl_client *ctl_batch_client;

#define CTL_SEND_VEC 32u /* messages per sendmmsg() */

static bool over_limit(const struct ctl_client *c)
{
	const struct ctl_params *p = &c->ctl->params;

	return c->qcount >= p->queue_msgs || c->qbytes >= p->queue_bytes;
}

bool ctl_client_has_room(const struct ctl_client *c, size_t len)
{
	const struct ctl_params *p = &c->ctl->params;

	return c->qcount + 1 <= p->queue_msgs && c->qbytes + len <= p->queue_bytes;
}

/* The one place the reader's state changes. */
static void set_state(struct ctl_client *c, enum ctl_client_state st)
{
	struct ev_loop *loop = c->ctl->loop;

	if (c->state == CTL_CLIENT_CLOSED)
		return;
	c->state = st;
	if (st == CTL_CLIENT_READING)
		ev_io_start(loop, &c->rio);
	else
		ev_io_stop(loop, &c->rio);
	if (st == CTL_CLIENT_CLOSED)
		ev_io_stop(loop, &c->wio);
}

void ctl_client_accept(struct ctl *ctl, int fd)
{
	struct ctl_client *c;
	struct ucred cred;
	socklen_t clen = sizeof(cred);

	if (ctl->nclients >= ctl->params.max_clients) {
		ctl->stats.clients_refused++;
		close(fd);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0) {
		ctl_log(LOG_WARNING, "SO_PEERCRED: %m");
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	c->privileged = cred.uid == 0 ||
			(ctl->params.socket_gid != (gid_t)-1 && cred.gid == ctl->params.socket_gid);
	c->qtail = &c->qhead;
	c->id = ++ctl->next_client_id;
	ev_io_init(&c->rio, client_read_cb, fd, EV_READ);
	ev_io_init(&c->wio, client_write_cb, fd, EV_WRITE);
	c->rio.data = c;
	c->wio.data = c;
	c->next = ctl->clients;
	if (ctl->clients != NULL)
		ctl->clients->prev = c;
	ctl->clients = c;
	ctl->nclients++;
	ctl->stats.clients = ctl->nclients;
	c->state = CTL_CLIENT_BLOCKED;
	set_state(c, CTL_CLIENT_READING);
}

static void out_free(struct ctl_out *o)
{
	pfk_wipe(o->data, o->len);
	free(o);
}

static void queue_pop(struct ctl_client *c)
{
	struct ctl_out *o = c->qhead;

	c->qhead = o->next;
	if (c->qhead == NULL)
		c->qtail = &c->qhead;
	c->qcount--;
	c->qbytes -= o->len;
	c->ctl->stats.queued_bytes -= o->len;
	out_free(o);
}

/* Write what the socket takes, up to CTL_SEND_VEC messages per system call.
 * Returns false if the client died. */
static bool flush_queue(struct ctl_client *c)
{
	while (c->qhead != NULL) {
		struct mmsghdr mv[CTL_SEND_VEC];
		struct iovec iov[CTL_SEND_VEC];
		struct ctl_out *o = c->qhead;
		unsigned int n = 0;
		int sent;

		for (; o != NULL && n < CTL_SEND_VEC; o = o->next, n++) {
			iov[n].iov_base = o->data;
			iov[n].iov_len = o->len;
			memset(&mv[n], 0, sizeof(mv[n]));
			mv[n].msg_hdr.msg_iov = &iov[n];
			mv[n].msg_hdr.msg_iovlen = 1;
		}
		sent = sendmmsg(c->fd, mv, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (sent < 0) {
			set_state(c, CTL_CLIENT_CLOSED);
			return false;
		}
		for (int i = 0; i < sent; i++) {
			if (mv[i].msg_len != c->qhead->len) {
				set_state(c, CTL_CLIENT_CLOSED);
				return false;
			}
			queue_pop(c);
		}
		if ((unsigned int)sent < n)
			break; /* the socket is full: the write watcher resumes */
	}
	if (c->qhead == NULL)
		ev_io_stop(c->ctl->loop, &c->wio);
	else
		ev_io_start(c->ctl->loop, &c->wio);
	return true;
}

int ctl_client_send(struct ctl_client *c, const void *msg, size_t len, enum ctl_send_kind kind)
{
	struct ctl_out *o;

	if (c->state == CTL_CLIENT_CLOSED)
		return -EPIPE;
	if (c->local) {
		if (!c->local_replied && len >= sizeof(c->local_reply)) {
			memcpy(&c->local_reply, msg, sizeof(c->local_reply));
			c->local_replied = true;
		}
		return 0;
	}
	if (kind == CTL_SEND_BROADCAST && !ctl_client_has_room(c, len)) {
		c->drops++;
		c->ctl->stats.broadcast_drops++;
		return -ENOBUFS;
	}
	/* Nothing waiting and no batch being read: try the socket first, no
	 * copy. */
	if (c->qhead == NULL && c != ctl_batch_client) {
		ssize_t n;

		do
			n = send(c->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n >= 0 && (size_t)n == len)
			return 0;
		if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			set_state(c, CTL_CLIENT_CLOSED);
			return -EPIPE;
		}
	}
	o = malloc(sizeof(*o) + ((len + 7) & ~(size_t)7));
	if (o == NULL) {
		if (kind == CTL_SEND_REPLY)
			set_state(c, CTL_CLIENT_CLOSED); /* a lost reply would hang it */
		return -ENOMEM;
	}
	o->next = NULL;
	o->len = len;
	memcpy(o->data, msg, len);
	*c->qtail = o;
	c->qtail = &o->next;
	c->qcount++;
	c->qbytes += len;
	c->ctl->stats.queued_bytes += len;
	if (c->qbytes > c->ctl->stats.queue_bytes_peak)
		c->ctl->stats.queue_bytes_peak = c->qbytes;
	if (c != ctl_batch_client)
		ev_io_start(c->ctl->loop, &c->wio);
	if (over_limit(c) && c->state == CTL_CLIENT_READING)
		set_state(c, CTL_CLIENT_BLOCKED);
	return 0;
}

struct ctl_client *ctl_client_batch_begin(struct ctl_client *c)
{
	struct ctl_client *prev = ctl_batch_client;

	ctl_batch_client = c;
	return prev;
}

void ctl_client_batch_end(struct ctl_client *c, struct ctl_client *prev)
{
	ctl_batch_client = prev;
	/* Still inside c's own read batch: that batch's end writes. */
	if (prev != c && c->state != CTL_CLIENT_CLOSED && c->qhead != NULL)
		(void)flush_queue(c); /* a dead client is reaped by the caller */
}

static void client_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;

	(void)loop;
	(void)revents;
	if (!flush_queue(c))
		goto out;
	if (c->dump.active)
		ctl_dump_continue(c);
	if (c->state == CTL_CLIENT_BLOCKED && !over_limit(c) && !c->dump.active)
		set_state(c, CTL_CLIENT_READING);
out:
	ctl_client_reap(c->ctl);
}

/* Reads up to CTL_READ_BATCH requests per wake-up: a client that pipelines
 * (a key manager loading SAs) costs one epoll round per batch rather than
 * per message, while other clients still get their turn after each batch.
 * After the first message the batch ends when the client blocks (queue at
 * its limit), closes or has a DUMP running: a DUMP keeps its pacing. */
#define CTL_READ_BATCH 32u

static void client_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;
	struct ctl *ctl = c->ctl;

	(void)loop;
	(void)revents;
	ctl_batch_client = c;
	for (unsigned int i = 0; i < CTL_READ_BATCH; i++) {
		ssize_t n;

		/* The first read is the one the watcher asked for, as before. */
		if (i > 0 && (c->state != CTL_CLIENT_READING || c->dump.active))
			break;
		do
			n = recv(c->fd, ctl->rbuf, sizeof(ctl->rbuf), MSG_DONTWAIT | MSG_TRUNC);
		while (n < 0 && errno == EINTR);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			/* A client that pipelined and then shut its sending side
			 * still gets this batch's replies, as it did when each
			 * reply went out at once. */
			if (n == 0 && c->qhead != NULL)
				(void)flush_queue(c);
			set_state(c, CTL_CLIENT_CLOSED);
		} else if ((size_t)n > sizeof(ctl->rbuf)) {
			/* Truncated: larger than any PF_KEY message can be. */
			ctl_reply_error(ctl, c, (const void *)ctl->rbuf, EMSGSIZE,
					SADB_X_DIAGNOSTIC_DPSEC_BAD_MSGLEN);
			pfk_wipe(ctl->rbuf, sizeof(ctl->rbuf));
		} else {
			ctl_handle_request(ctl, c, (size_t)n);
			pfk_wipe(ctl->rbuf, (size_t)n);
		}
	}
	ctl_batch_client = NULL;
	/* The batch's replies in as few system calls as the socket allows; then
	 * as after any write: resume a DUMP, unblock a drained client. */
	if (c->state != CTL_CLIENT_CLOSED && c->qhead != NULL && flush_queue(c)) {
		if (c->dump.active)
			ctl_dump_continue(c);
		if (c->state == CTL_CLIENT_BLOCKED && !over_limit(c) && !c->dump.active)
			set_state(c, CTL_CLIENT_READING);
	}
	ctl_client_reap(ctl);
}

static void client_free(struct ctl_client *c)
{
	struct ctl *ctl = c->ctl;

	ev_io_stop(ctl->loop, &c->rio);
	ev_io_stop(ctl->loop, &c->wio);
	while (c->qhead != NULL)
		queue_pop(c);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		ctl->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	close(c->fd);
	ctl->nclients--;
	ctl->stats.clients = ctl->nclients;
	free(c);
}

void ctl_client_reap(struct ctl *ctl)
{
	struct ctl_client *c = ctl->clients, *next;
	bool freed = false;

	for (; c != NULL; c = next) {
		next = c->next;
		if (c->state == CTL_CLIENT_CLOSED) {
			client_free(c);
			freed = true;
		}
	}
	/* A slot is free again: resume accepting if EMFILE paused it. */
	if (freed && !ev_is_active(&ctl->accept_w) && !ev_is_active(&ctl->accept_backoff) &&
	    ctl->lfd >= 0)
		ev_io_start(ctl->loop, &ctl->accept_w);
}

void ctl_client_free_all(struct ctl *ctl)
{
	while (ctl->clients != NULL)
		client_free(ctl->clients);
}
