/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_priv.h: the control module's internals, shared by control/ files.
 *
 * Ownership: struct ctl owns the listening socket, every client, the SADB
 * (ctl_sadb.c) and the SPD (ctl_spd.c).  Every libev watcher is embedded in
 * the object that owns it, with a back-pointer (w.data), and is stopped
 * before that object is freed.  Every buffer that may hold a key is wiped
 * (pfk_wipe) before it is freed or reused.
 */
#ifndef CTL_PRIV_H
#define CTL_PRIV_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctl.h"
#include "ctl_ihash.h"
#include "ctl_spd.h"
#include "dpsec/dp.h"
#include "dpsec/pfkey.h"

/* ------------------------------------------------------------------------ */
/* Output queue: one message per node, 8-byte aligned for the codec.         */

struct ctl_out {
	struct ctl_out *next;
	size_t len;
	uint64_t data[]; /* len bytes */
};

/* How a message is offered to a client's queue. */
enum ctl_send_kind {
	CTL_SEND_REPLY,     /* answer to its own request: always queued */
	CTL_SEND_BROADCAST, /* dropped (and counted) when the queue is full */
};

/* Connection state (sniproxy style: explicit, one place changes it). */
enum ctl_client_state {
	CTL_CLIENT_READING, /* reads requests */
	CTL_CLIENT_BLOCKED, /* queue above its limit: requests wait in the kernel */
	CTL_CLIENT_CLOSED,  /* peer gone or fatal error; freed at the end of the
			     * callback that found it */
};

/* A DUMP or SPDDUMP in progress: generated while the queue has room. */
struct ctl_dump {
	bool active;
	uint8_t type;         /* SADB_DUMP or SADB_X_DPSEC_SPDDUMP */
	uint8_t satype;       /* 0 = all */
	bool keys;            /* the client may read keys */
	bool edump;
	uint64_t edump_timeout;
	uint32_t seq, pid;
	uint32_t cursor;      /* next SADB slot / SPD position */
	uint64_t sent;
};

struct ctl_client {
	struct ctl *ctl;            /* back-pointer */
	struct ctl_client *next, *prev;
	ev_io rio, wio;             /* rio.data = wio.data = this */
	int fd;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool privileged;            /* root or the socket group: writes, keys */
	enum ctl_client_state state;
	bool promisc;               /* X_PROMISC: sees every message */
	uint8_t registered;         /* bit satype (AH 2, ESP 3): gets ACQUIREs */
	bool extended;              /* registered with EREG: gets EPROP */
	struct ctl_out *qhead, **qtail;
	size_t qbytes;
	unsigned int qcount;
	struct ctl_dump dump;
	uint64_t drops;             /* broadcasts dropped for this client */
	bool local;                 /* ctl_submit: no socket; the first reply's
				     * header is kept in local_reply */
	bool local_replied;
	struct sadb_msg local_reply;
	unsigned int id;
};

/* ------------------------------------------------------------------------ */
/* SADB records.                                                             */

#define CTL_EXP_SOFT 0x1u
#define CTL_EXP_HARD 0x2u
#define CTL_EXP_IDLE 0x4u

/* An entry in one of ctl_publish.c's index buckets (owner NULL: none). */
struct ctl_pub_link {
	struct ctl_pub_link *next, *prev;
	struct pub_bucket *owner;
};

struct ctl_sa {
	struct ctl *ctl;           /* back-pointer for the timer */
	ev_timer timer;            /* lifetimes; timer.data = this */
	struct ctl_hlink hlink;    /* hash chain (identity); khash its hash */
	struct ctl_hlink hhlink;   /* hash chain (dataplane handle) */
	uint32_t khash;            /* hash of (spi, satype, dst), set on insert */
	uint32_t slot;             /* index in the slot table (dump cursor) */
	struct ctl_pub_link pub_all, pub_sub; /* ctl_publish.c's SA indexes */

	uint32_t spi;              /* network order */
	uint8_t satype;
	uint8_t state;             /* SADB_SASTATE_* as last set */
	uint8_t dir;               /* enum dp_dir */
	uint8_t auth, encrypt;     /* algorithms */
	uint32_t flags;            /* SADB_SAFLAGS_* as given */
	uint8_t replay8;           /* sadb_sa_replay as given */
	uint32_t window;           /* replay window in effect (packets) */
	uint32_t rw_flags;         /* SADB_X_DPSEC_RW_* */
	bool has_rw;               /* REPLAY_WINDOW was given */
	struct dp_addr src, dst;
	dp_sa_handle_t handle;     /* DP_SA_HANDLE_INVALID while LARVAL */

	struct sadb_lifetime hard, soft, idle; /* exttype 0 = absent */
	bool lease_external;       /* a client set the lease: never extend */
	uint64_t lease_limit;      /* outbound: limit last set */
	uint32_t pair_spi;         /* network order, 0 = unpaired */

	uint64_t add_time;         /* epoch seconds (wire) */
	double added;              /* ev_now() at the ADD, for the timers */
	uint64_t first_use;        /* epoch seconds, 0 = not seen used */
	uint64_t idle_seen;        /* last_use when the idle EXPIRE went */
	unsigned int expired;      /* CTL_EXP_* sent */

	/* The SA's descriptive extensions in wire form (addresses, inner,
	 * NAT-T, keys, identities, KM cookie), copied into every reply.
	 * Wiped before free: it holds the keys. */
	uint8_t *ext;
	size_t ext_len;
};

/* Key of the SADB: the PF_KEY identity (SPI, SA type, destination). */
struct ctl_sadb;

struct ctl_sadb *ctl_sadb_new(void);
/* Free every record (keys wiped); SAs still in the dataplane are the
 * caller's business.  NULL is a no-op. */
void ctl_sadb_free(struct ctl_sadb *db, void (*each)(struct ctl_sa *sa, void *arg), void *arg);
struct ctl_sa *ctl_sadb_find(const struct ctl_sadb *db, uint32_t spi, uint8_t satype,
	const struct dp_addr *dst);
/* Insert a record (its identity must be new: -EEXIST).  -ENOMEM. */
int ctl_sadb_insert(struct ctl_sadb *db, struct ctl_sa *sa);
/* Index sa->handle (after it was set on a LARVAL record). */
void ctl_sadb_index_handle(struct ctl_sadb *db, struct ctl_sa *sa);
struct ctl_sa *ctl_sadb_by_handle(const struct ctl_sadb *db, dp_sa_handle_t handle);
/* Unlink (does not free). */
void ctl_sadb_remove(struct ctl_sadb *db, struct ctl_sa *sa);
/* The record in the first used slot >= *cursor, or NULL; *cursor is set
 * past it.  Safe against inserts and removals between calls. */
struct ctl_sa *ctl_sadb_next(const struct ctl_sadb *db, uint32_t *cursor);
uint32_t ctl_sadb_count(const struct ctl_sadb *db);

/* Allocate and free records.  ctl_sa_free wipes and frees ext. */
struct ctl_sa *ctl_sa_new(struct ctl *ctl);
void ctl_sa_free(struct ctl_sa *sa);

/* ------------------------------------------------------------------------ */
/* The module.                                                               */

#define CTL_ACQ_SLOTS 1024u

struct ctl_acq_slot {
	uint64_t hash;
	ev_tstamp sent;
};

struct ctl {
	struct ev_loop *loop;
	struct dp_ctx *dp;
	struct ctl_params params;
	char *socket_path;
	int lfd;
	ev_io accept_w;          /* data = ctl */
	ev_timer accept_backoff; /* EMFILE: accept paused; data = ctl */
	ev_io event_w;           /* dataplane events; data = ctl */
	ev_timer reclaim_w;      /* dp_reclaim; data = ctl */
	struct ctl_client *clients;
	unsigned int nclients, next_client_id;
	struct ctl_sadb *sadb;
	struct ctl_spd *spd;
	struct ctl_publish *pub; /* set by ctl_publish_new(), or NULL */
	uint32_t seq;            /* seq of messages the daemon originates */
	/* Next owner worker, counted per direction ([dir & 1]) so that SAs
	 * added in out/in pairs spread both directions over the workers. */
	uint16_t next_owner[2];
	struct ctl_stats stats;
	/* ACQUIRE rate limit: per-flow slots and a per-second budget. */
	struct ctl_acq_slot acq[CTL_ACQ_SLOTS];
	ev_tstamp acq_second;
	uint32_t acq_in_second;
	/* One receive buffer: only one message is handled at a time. */
	uint64_t rbuf[PFK_MSG_MAX / 8];
	/* Scratch for building replies. */
	uint64_t wbuf[PFK_MSG_MAX / 8];
	uint64_t wbuf2[PFK_MSG_MAX / 8];
};

/* ctl_client.c */
void ctl_client_accept(struct ctl *ctl, int fd);
/* Offer a message; see enum ctl_send_kind.  0, or -ENOBUFS when a
 * broadcast was dropped, or -ENOMEM. */
int ctl_client_send(struct ctl_client *c, const void *msg, size_t len, enum ctl_send_kind kind);
/* Room for one more message of len bytes without passing the limits? */
bool ctl_client_has_room(const struct ctl_client *c, size_t len);
/* Queue what is sent to c from here on, and write it with sendmmsg() at
 * ctl_client_batch_end() (unless c's own read batch is still open: then at
 * its end).  begin returns what end needs. */
struct ctl_client *ctl_client_batch_begin(struct ctl_client *c);
void ctl_client_batch_end(struct ctl_client *c, struct ctl_client *prev);
/* Free clients marked CLOSED. */
void ctl_client_reap(struct ctl *ctl);
void ctl_client_free_all(struct ctl *ctl);

/* ctl_server.c: deliveries. */
/* Reply to one client, and a key-free copy to promiscuous clients. */
void ctl_reply(struct ctl *ctl, struct ctl_client *c, const void *msg, size_t len);
/* Reply to c and broadcast to everyone else (messages without keys). */
void ctl_send_all(struct ctl *ctl, struct ctl_client *c, const void *msg, size_t len);
/* The request m without keys: reply to c, broadcast to the others. */
int ctl_reply_all(struct ctl *ctl, struct ctl_client *c, const struct pfk_msg *m);
/* Error reply for req. */
void ctl_reply_error(struct ctl *ctl, struct ctl_client *c, const struct sadb_msg *req, int err,
	uint16_t diag);

/* ctl_dispatch.c */
void ctl_handle_request(struct ctl *ctl, struct ctl_client *c, size_t len);

/* Handlers (ctl_sa_msg.c, ctl_pair_msg.c, ctl_misc_msg.c, ctl_spd_msg.c):
 * return 0 after sending their replies, or -errno with *diag set and
 * nothing changed. */
struct ctl_req {
	struct ctl *ctl;
	struct ctl_client *client;
	const struct pfk_msg *m;
	uint16_t *diag;
};
typedef int (*ctl_handler_fn)(struct ctl_req *r);
int ctl_msg_getspi(struct ctl_req *r);
int ctl_msg_update(struct ctl_req *r);
int ctl_msg_add(struct ctl_req *r);
int ctl_msg_delete(struct ctl_req *r);
int ctl_msg_get(struct ctl_req *r);
int ctl_msg_acquire(struct ctl_req *r);
int ctl_msg_register(struct ctl_req *r);
int ctl_msg_flush(struct ctl_req *r);
int ctl_msg_dump(struct ctl_req *r);
int ctl_msg_promisc(struct ctl_req *r);
int ctl_msg_inverse_acquire(struct ctl_req *r);
int ctl_msg_updatepair(struct ctl_req *r);
int ctl_msg_delpair(struct ctl_req *r);
int ctl_msg_delpair_state(struct ctl_req *r);
int ctl_msg_spdadd(struct ctl_req *r);
int ctl_msg_spddelete(struct ctl_req *r);
int ctl_msg_spdget(struct ctl_req *r);
int ctl_msg_spddump(struct ctl_req *r);
int ctl_msg_spdflush(struct ctl_req *r);

/* X_UPDATEPAIR's work (ctl_sa_msg.c). */
int ctl_sa_update_pair(struct ctl_req *r, struct ctl_sa *sa, struct ctl_sa *partner);

/* ctl_dump.c: continue a client's dump while its queue has room. */
void ctl_dump_continue(struct ctl_client *c);

/* ctl_sa.c: SA life cycle shared by handlers, timers and events. */
/* Build the GET-shaped description of sa (type, seq, pid given) into buf;
 * keys only when `keys`.  Returns the length or -errno. */
int ctl_sa_describe(struct ctl *ctl, const struct ctl_sa *sa, uint8_t type, uint32_t seq,
	uint32_t pid, bool keys, void *buf, size_t cap);
/* Remove sa from the dataplane and the SADB and free it.  */
void ctl_sa_destroy(struct ctl *ctl, struct ctl_sa *sa);
/* Unpair sa's partner (if any). */
void ctl_sa_unpair(struct ctl *ctl, struct ctl_sa *sa);
/* Address conversions. */
int ctl_addr_from_ext(const struct sadb_address *a, struct dp_addr *out);
bool ctl_addr_equal(const struct dp_addr *a, const struct dp_addr *b);
/* 0.0.0.0 or :: (a wildcard source in DELETE/GET). */
bool ctl_addr_unspecified(const struct dp_addr *a);
/* Find the record the request's SA and DST name; -ESRCH SA_NOTFOUND. */
int ctl_sa_lookup(struct ctl *ctl, const struct pfk_msg *m, struct ctl_sa **out, uint16_t *diag);
/* Find the partner of a paired SA: the SA with pair_spi whose destination
 * is sa's source. */
struct ctl_sa *ctl_sa_partner(struct ctl *ctl, const struct ctl_sa *sa);

/* ctl_lifetime.c */
/* (Re)compute and arm the SA's lifetime timer. */
void ctl_lifetime_arm(struct ctl *ctl, struct ctl_sa *sa);
/* Send an EXPIRE for sa (which = SADB_EXT_LIFETIME_HARD / _SOFT /
 * SADB_X_EXT_LIFETIME_IDLE) to every client. */
void ctl_expire_send(struct ctl *ctl, struct ctl_sa *sa, uint16_t which);
/* Soft limit reached: EXPIRE(soft), state DYING. Hard: EXPIRE(hard), SA
 * removed. */
void ctl_lifetime_soft(struct ctl *ctl, struct ctl_sa *sa);
void ctl_lifetime_hard(struct ctl *ctl, struct ctl_sa *sa);
ev_tstamp ctl_now(const struct ctl *ctl);

/* ctl_publish.c: change tracking.  Every change of the SPD store or the
 * SADB that may change what the dataplane's policies are bound to calls
 * one of these (no-ops without a publisher); the next loop iteration
 * pushes the result (ctl_publish.h). */
/* A rule was added to the store / deleted from it. */
void ctl_publish_rule_added(struct ctl *ctl, const struct ctl_spd_rule *r);
void ctl_publish_rule_deleted(struct ctl *ctl, uint32_t index);
/* After an SA entered the SADB (fields final) / before it leaves it or
 * its addresses or extensions change (attach again after). */
void ctl_publish_sa_attach(struct ctl *ctl, struct ctl_sa *sa);
void ctl_publish_sa_detach(struct ctl *ctl, struct ctl_sa *sa);
/* After an SA's state or lifetimes changed in place. */
void ctl_publish_sa_changed(struct ctl *ctl, struct ctl_sa *sa);
/* Publish everything next time (flushes): no per-item tracking until. */
void ctl_publish_all(struct ctl *ctl);

/* ctl_event.c */
void ctl_event_cb(struct ev_loop *loop, ev_io *w, int revents);
/* Build and send the ACQUIRE a flow needs under rule (to registered
 * sockets of the rule's SA types).  Rate limited.  0 or -errno. */
int ctl_acquire_send(struct ctl *ctl, const struct ctl_spd_rule *rule, const struct dp_flow *f);
/* Build an ACQUIRE-shaped message (with PROPOSAL and EPROP) for a rule and
 * the given addresses into buf.  Returns its length or -errno. */
int ctl_acquire_build(struct ctl *ctl, const struct ctl_spd_rule *rule, uint8_t satype,
	uint8_t type, uint32_t seq, uint32_t pid, const struct sockaddr *src,
	const struct sockaddr *dst, const struct sockaddr *isrc, const struct sockaddr *idst,
	uint8_t proto, void *buf, size_t cap);

/* Logging: syslog, never a key. */
void ctl_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* CTL_PRIV_H */
