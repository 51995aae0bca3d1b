/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfk_client.c: the client end of the gateway's PF_KEY socket.
 *
 * The socket is a SOCK_SEQPACKET UNIX socket: one send is one message and
 * one receive returns one whole message, or its head when the buffer is too
 * small (reported here as -EMSGSIZE, the message is lost).  Nothing here
 * looks inside a message beyond the 16-byte base header that
 * pfk_client_request() uses to recognise its reply; callers validate what
 * they receive with pfk_validate().
 *
 * Timeouts are in milliseconds, measured on CLOCK_MONOTONIC; a negative
 * timeout waits forever.  EINTR never escapes: interrupted calls are
 * retried with the time that is left.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dpsec/pfkey.h"

/* A deadline of PFK_NO_DEADLINE never passes. */
#define PFK_NO_DEADLINE INT64_MAX

static int64_t pfk_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t pfk_deadline(int timeout_ms)
{
	if (timeout_ms < 0)
		return PFK_NO_DEADLINE;
	return pfk_now_ms() + timeout_ms;
}

/* Milliseconds left until deadline, as poll() wants them: -1 = forever,
 * 0 once the deadline has passed. */
static int pfk_remaining_ms(int64_t deadline)
{
	int64_t left;

	if (deadline == PFK_NO_DEADLINE)
		return -1;
	left = deadline - pfk_now_ms();
	if (left <= 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

int pfk_client_open(const char *path)
{
	struct sockaddr_un sun;
	size_t n;
	int fd;

	if (path == NULL)
		path = PFK_DEFAULT_SOCKET;
	n = strlen(path);
	if (n == 0)
		return -EINVAL;
	/* sun_path must hold the terminating NUL: no abstract names here. */
	if (n >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, n + 1);

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A UNIX connect either completes or fails at once; an EINTR here
	 * cannot leave a half-open connection worth resuming. */
	if (connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

int pfk_client_send(int fd, const void *msg, size_t len)
{
	ssize_t n;

	if (msg == NULL || len == 0)
		return -EINVAL;
	do {
		/* MSG_NOSIGNAL: a gateway that went away is an error to
		 * return, not a signal that kills the tool. */
		n = send(fd, msg, len, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A seqpacket send is atomic; anything short is a broken socket. */
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

/* Wait until deadline for one message.  Returns its full length (which may
 * exceed cap: then *truncated is set and only cap bytes are in buf),
 * -ETIMEDOUT, 0 on peer close, or another -errno. */
static ssize_t pfk_recv_until(int fd, void *buf, size_t cap, int64_t deadline,
			      bool *truncated)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int rc;

	*truncated = false;
	/* poll() silently ignores a negative fd: it would look like a timeout. */
	if (fd < 0)
		return -EBADF;
	for (;;) {
		rc = poll(&pfd, 1, pfk_remaining_ms(deadline));
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (rc == 0)
			return -ETIMEDOUT;
		/* MSG_DONTWAIT: poll() may report readiness that another
		 * reader of the same socket consumes first. MSG_TRUNC makes
		 * recvmsg() return the real length of a longer message. */
		mh.msg_flags = 0;
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			return -errno;
		}
		if ((size_t)n > cap || (mh.msg_flags & MSG_TRUNC))
			*truncated = true;
		return n;
	}
}

int pfk_client_recv(int fd, void *buf, size_t cap, int timeout_ms)
{
	bool truncated;
	ssize_t n;

	if (buf == NULL && cap != 0)
		return -EINVAL;
	n = pfk_recv_until(fd, buf, cap, pfk_deadline(timeout_ms), &truncated);
	if (n < 0)
		return (int)n;
	if (truncated)
		return -EMSGSIZE;
	return (int)n;
}

/* Is msg (n bytes received, all of them in the buffer when n >= 16) the
 * reply to req?  Replies echo the request's type, seq and pid. */
static bool pfk_is_reply(const struct sadb_msg *req, const void *msg, size_t n)
{
	struct sadb_msg h;

	if (n < sizeof(h))
		return false;
	memcpy(&h, msg, sizeof(h));
	return h.sadb_msg_type == req->sadb_msg_type &&
	       h.sadb_msg_seq == req->sadb_msg_seq &&
	       h.sadb_msg_pid == req->sadb_msg_pid;
}

int pfk_client_request(int fd, const void *req, size_t req_len, void *reply,
		       size_t cap, int timeout_ms, pfk_other_fn other, void *arg)
{
	struct sadb_msg rh;
	int64_t deadline;
	bool truncated;
	ssize_t n;
	int rc;

	if (req == NULL || req_len < sizeof(rh) || reply == NULL || cap < sizeof(rh))
		return -EINVAL;
	memcpy(&rh, req, sizeof(rh));
	deadline = pfk_deadline(timeout_ms);

	rc = pfk_client_send(fd, req, req_len);
	if (rc < 0)
		return rc;

	for (;;) {
		n = pfk_recv_until(fd, reply, cap, deadline, &truncated);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return -ECONNRESET; /* the gateway closed before replying */
		/* cap >= 16, so a truncated message still has its header. */
		if (pfk_is_reply(&rh, reply, (size_t)n))
			return truncated ? -EMSGSIZE : (int)n;
		/* Someone else's message.  A truncated one cannot be handed
		 * on whole, so it is dropped. */
		if (other != NULL && !truncated)
			other(arg, reply, (size_t)n);
	}
}
