/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl.h: dpsecd's control thread -- the PF_KEY server, the authoritative
 * SADB and SPD (keys live here), lifetime timers and dataplane events.
 *
 * Threads: everything here runs on ONE thread, the one that runs the libev
 * loop handed to ctl_create() (dpsecd's main lcore).  The control module is
 * the dataplane's single CONTROL writer (include/dpsec/dp.h); nothing here
 * is locked and nothing may be called from another thread.
 *
 * Error contract: constructors return NULL with errno set; int functions
 * return 0 or -errno.  Nothing here prints to stdout, exits or aborts; the
 * module logs through syslog(3) (openlog is the program's business) and
 * never logs a key.
 *
 * docs/CONTROL.md describes the server's behaviour, limits and permissions.
 */
#ifndef DPSEC_CTL_H
#define DPSEC_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ev_loop;
struct dp_ctx;
struct ctl;

/* Server parameters.  ctl_params_default() fills the defaults given here;
 * set fields after it. */
struct ctl_params {
	const char *socket_path;   /* PFK_DEFAULT_SOCKET; its directory is created */
	gid_t socket_gid;          /* group that may write; (gid_t)-1: root only */
	mode_t socket_mode;        /* 0: 0600, or 0660 with a group */
	unsigned int max_clients;  /* 64: connections beyond are closed at once */
	uint32_t max_policies;     /* 65536 SPD rules */
	unsigned int queue_msgs;   /* 4096 messages queued per client */
	size_t queue_bytes;        /* 4 MiB queued per client */
	uint32_t larval_timeout_s; /* 60: a GETSPI entry not UPDATEd is removed */
	uint64_t lease_size;       /* 2^20: standalone sequence lease step */
	uint32_t acquire_interval_ms; /* 1000: one ACQUIRE per flow per interval */
	uint32_t acquire_burst;    /* 64: ACQUIREs per second, all flows */
	uint16_t workers;          /* SAs are spread over this many owners */
};

void ctl_params_default(struct ctl_params *p);

/* Create the control module: bind and listen on the socket (an existing
 * socket file is replaced), start the watchers on `loop`.  dp must outlive
 * the module.  NULL with errno: EINVAL, ENOMEM, EADDRINUSE, ... */
struct ctl *ctl_create(struct ev_loop *loop, struct dp_ctx *dp, const struct ctl_params *p);

/* Stop every watcher, close every client, delete every SA from the
 * dataplane, wipe every key and buffer, unlink the socket.  NULL is a
 * no-op. */
void ctl_destroy(struct ctl *ctl);

/* Run one PF_KEY request as a privileged local client (no socket): the
 * files dpsecd loads at start.  Replies other clients would get as
 * broadcasts go to them as usual.  Returns 0 when the reply had no errno,
 * else -errno with *diag (may be NULL) set from the error reply. */
int ctl_submit(struct ctl *ctl, const void *req, size_t len, uint16_t *diag);

/* Counters, for telemetry and tests. */
struct ctl_stats {
	uint64_t requests;          /* messages received */
	uint64_t errors;            /* error replies sent */
	uint64_t refused_perm;      /* requests refused for credentials */
	uint64_t clients;           /* connected now */
	uint64_t clients_refused;   /* closed at accept: max_clients reached */
	uint64_t accept_backoffs;   /* EMFILE/ENFILE pauses */
	uint64_t broadcast_drops;   /* broadcasts dropped on full queues */
	uint64_t queue_bytes_peak;  /* the most any client ever had queued */
	uint64_t queued_bytes;      /* queued now, all clients */
	uint64_t sas;               /* SAs, larval included */
	uint64_t larval;            /* of which LARVAL */
	uint64_t policies;
	uint64_t acquires_sent;
	uint64_t acquires_suppressed; /* rate limit */
	uint64_t expires_sent;
	uint64_t lease_extensions;
	uint64_t events;            /* dataplane events taken */
};
void ctl_get_stats(const struct ctl *ctl, struct ctl_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* DPSEC_CTL_H */
