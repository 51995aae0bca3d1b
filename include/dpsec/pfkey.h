/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dpsec/pfkey.h: the PF_KEY v2 codec (libdpsec-pfkey).
 *
 * libc only.  Nothing here allocates while parsing, prints, or exits.
 * Error contract: int functions return 0 (or a count/length) on success and
 * -errno on failure; protocol errors also yield a SADB_X_DIAGNOSTIC_* code.
 * All functions are reentrant; none keeps global mutable state.
 */
#ifndef DPSEC_PFKEY_H
#define DPSEC_PFKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dpsec/pfkeyv2.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sockaddr;

/* Largest message the codec builds or accepts: sadb_msg_len is a u16 of
 * 8-byte words. */
#define PFK_MSG_MAX (65535u * 8u)

/* ------------------------------------------------------------------------ */
/* Extension slots: a dense index for every extension type we know.         */
/* illumos types 1..27 map to slots 1..27; dpsec types to the slots after.   */

enum pfk_slot {
	PFK_SLOT_NONE = 0,
	/* 1..27 = SADB_EXT_SA .. SADB_X_EXT_OUTER_SENS */
	PFK_SLOT_REPLAY_WINDOW = SADB_EXT_MAX + 1,
	PFK_SLOT_SEQ_LEASE,
	PFK_SLOT_POLICY,
	PFK_SLOT_SELECTOR,
	PFK_SLOT_INNER_SELECTOR,
	PFK_SLOT_SAREQ,
	PFK_SLOT_COUNT
};

/* Slot of an extension type, or PFK_SLOT_NONE when the type is unknown. */
int pfk_ext_slot(uint16_t exttype);
/* Extension type of a slot (inverse of pfk_ext_slot), 0 for NONE. */
uint16_t pfk_slot_exttype(int slot);

/* ------------------------------------------------------------------------ */
/* Parsing.                                                                  */

/* Which way a message travels: requests come from clients to the gateway,
 * replies/broadcasts from the gateway to clients.  The rules differ (a
 * request never carries a current lifetime; replies may carry errno). */
enum pfk_dir {
	PFK_DIR_REQUEST = 0, /* client -> gateway */
	PFK_DIR_REPLY = 1,   /* gateway -> client (reply, broadcast, event) */
};

/* A parsed message: a typed view that points into the caller's buffer.
 * Valid while the buffer is.  ext[slot] is the first extension of that
 * slot; SAREQ may repeat (sareq_count), all others appear at most once. */
struct pfk_msg {
	const struct sadb_msg *hdr;
	size_t len;                         /* bytes, == hdr->sadb_msg_len * 8 */
	const struct sadb_ext *ext[PFK_SLOT_COUNT];
	uint64_t present;                   /* bit (1 << slot) per slot seen */
	unsigned sareq_count;
	/* Convenient typed pointers (NULL when absent). */
	const struct sadb_sa *sa;
	const struct sadb_address *src, *dst, *inner_src, *inner_dst;
	const struct sadb_address *natt_loc, *natt_rem;
	const struct sadb_key *akey, *ekey;
	const struct sadb_lifetime *lt_current, *lt_hard, *lt_soft, *lt_idle;
	const struct sadb_spirange *spirange;
	const struct sadb_x_pair *pair;
	const struct sadb_x_replay_ctr *replay_value;
	const struct sadb_x_edump *edump;
	const struct sadb_x_kmc *kmc;
	const struct sadb_x_dpsec_replay_window *replay_window;
	const struct sadb_x_dpsec_seq_lease *seq_lease;
	const struct sadb_x_dpsec_policy *policy;
	const struct sadb_x_dpsec_selector *selector, *inner_selector;
	const struct sadb_x_dpsec_sareq *sareq; /* first of sareq_count */
};

static inline bool pfk_has(const struct pfk_msg *m, int slot)
{
	return (m->present >> slot) & 1u;
}

/* Framing and per-extension checks.  Checks the version, that len bytes
 * were received and equal sadb_msg_len * 8, walks the extensions (zero
 * length, overrun, unknown type, duplicate), and validates each extension
 * on its own (sizes, address family, sockaddr length, prefix, key bits
 * against key length, reserved fields, lifetime fields).
 * Returns 0 and fills *out, or -errno and sets *diag.  buf must be 8-byte
 * aligned.  Never writes to buf. */
int pfk_parse(const void *buf, size_t len, struct pfk_msg *out, uint16_t *diag);

/* Semantic checks per message type and direction: required, allowed and
 * forbidden extensions (RFC 2367 section 3 and the illumos extensions),
 * satype rules, algorithm IDs and key sizes, SA flags and states,
 * idle <= soft <= hard lifetimes (*_HSERR), address family agreement.
 * Returns 0, or -errno and sets *diag. */
int pfk_check(const struct pfk_msg *m, enum pfk_dir dir, uint16_t *diag);

/* pfk_parse then pfk_check. */
int pfk_validate(const void *buf, size_t len, enum pfk_dir dir,
		 struct pfk_msg *out, uint16_t *diag);

/* Iterate over repeated SAREQ extensions: pass NULL to get the first. */
const struct sadb_x_dpsec_sareq *pfk_next_sareq(const struct pfk_msg *m,
						 const struct sadb_x_dpsec_sareq *prev);

/* The sockaddr inside an address extension (validated by pfk_parse). */
static inline const struct sockaddr *pfk_addr_sockaddr(const struct sadb_address *a)
{
	return (const struct sockaddr *)(const void *)(a + 1);
}
/* Key bytes inside a key extension. */
static inline const uint8_t *pfk_key_data(const struct sadb_key *k)
{
	return (const uint8_t *)(k + 1);
}

/* 64-bit replay value of a REPLAY_VALUE extension (see pfkeyv2.h). */
uint64_t pfk_replay_value(const struct sadb_x_replay_ctr *rc);
/* Effective replay window: DPSEC_REPLAY_WINDOW extension if present, else
 * sadb_sa_replay; 0 without an SA extension. */
uint32_t pfk_replay_window(const struct pfk_msg *m);

/* ------------------------------------------------------------------------ */
/* Building.                                                                 */

/* A builder writes one message into a caller buffer.  Errors are sticky:
 * once an append fails (-ENOSPC, -EINVAL) every later call is a no-op and
 * pfk_build_finish() returns that error, so callers check once.  The
 * buffer can never overflow. */
struct pfk_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err;
};

/* buf must be 8-byte aligned. */
void pfk_build_init(struct pfk_builder *b, void *buf, size_t cap, uint8_t type,
		    uint8_t satype, uint32_t seq, uint32_t pid);
/* Append an extension whose body (after the 4-byte header) is given; the
 * header and the zero padding to 8 bytes are written here.  Returns a
 * pointer to the extension in the buffer (to patch fields), or NULL. */
void *pfk_add_ext(struct pfk_builder *b, uint16_t exttype, const void *body,
		  size_t body_len);
/* spi in network byte order. */
int pfk_add_sa(struct pfk_builder *b, uint32_t spi, uint8_t replay, uint8_t state,
	       uint8_t auth, uint8_t encrypt, uint32_t flags);
int pfk_add_lifetime(struct pfk_builder *b, uint16_t exttype, uint32_t allocations,
		     uint64_t bytes, uint64_t addtime, uint64_t usetime);
/* sa is a sockaddr_in or sockaddr_in6. */
int pfk_add_address(struct pfk_builder *b, uint16_t exttype, const struct sockaddr *sa,
		    uint8_t proto, uint8_t prefixlen);
int pfk_add_key(struct pfk_builder *b, uint16_t exttype, const void *key,
		uint16_t bits, uint16_t saltbits);
int pfk_add_identity(struct pfk_builder *b, uint16_t exttype, uint16_t type,
		     const char *id);
int pfk_add_spirange(struct pfk_builder *b, uint32_t min_net, uint32_t max_net);
int pfk_add_pair(struct pfk_builder *b, uint32_t spi_net);
int pfk_add_replay_value(struct pfk_builder *b, uint64_t value);
int pfk_add_edump(struct pfk_builder *b, uint64_t timeout);
int pfk_add_kmc(struct pfk_builder *b, uint32_t proto, uint64_t cookie);
int pfk_add_ereg(struct pfk_builder *b, const uint8_t *satypes, size_t n);
int pfk_add_replay_window(struct pfk_builder *b, uint32_t window, uint32_t flags);
int pfk_add_seq_lease(struct pfk_builder *b, uint64_t limit);
/* SUPPORTED_AUTH / _ENCRYPT with n algorithm records. */
int pfk_add_supported(struct pfk_builder *b, uint16_t exttype,
		      const struct sadb_alg *algs, size_t n);
/* PROPOSAL with n combinations. */
int pfk_add_proposal(struct pfk_builder *b, uint8_t replay,
		     const struct sadb_comb *combs, size_t n);
int pfk_add_policy(struct pfk_builder *b, const struct sadb_x_dpsec_policy *p);
int pfk_add_selector(struct pfk_builder *b, uint16_t exttype,
		     const struct sadb_x_dpsec_selector *s);
int pfk_add_sareq(struct pfk_builder *b, const struct sadb_x_dpsec_sareq *r);
/* Set the header's length; returns the message length in bytes or -errno. */
int pfk_build_finish(struct pfk_builder *b);

/* Copy a parsed message into out without KEY_AUTH / KEY_ENCRYPT: the copy
 * that goes to listeners.  Returns the length or -ENOSPC. */
int pfk_copy_without_keys(const struct pfk_msg *m, void *out, size_t cap);
/* Error reply: the request's base header only, with errno and diagnostic
 * set, sadb_msg_len = 2 and sadb_msg_version = PF_KEY_V2 (whatever the
 * request said).  Writes 16 bytes; returns 16 or -ENOSPC. */
int pfk_build_error(const struct sadb_msg *req, int err, uint16_t diag, void *out,
		    size_t cap);

/* Wipe memory in a way the compiler may not elide (for keys). */
void pfk_wipe(void *p, size_t n);

/* ------------------------------------------------------------------------ */
/* Names.  Each returns a static string; unknown values give NULL.          */

const char *pfk_msg_name(uint8_t type);        /* "ADD", "X_DELPAIR", "X_DPSEC_SPDADD" */
const char *pfk_ext_name(uint16_t exttype);    /* "SA", "X_REPLAY_VALUE", ... */
const char *pfk_satype_name(uint8_t satype);   /* "esp", "ah", "all" */
const char *pfk_state_name(uint8_t state);     /* "larval", ..., "active" */
const char *pfk_diag_name(uint16_t diag);      /* "MISSING_SA" */
const char *pfk_diag_string(uint16_t diag);    /* "Missing association extension" */
const char *pfk_identtype_name(uint16_t type); /* "prefix", "fqdn", ... */
/* Inverse lookups; return -ENOENT for unknown names (case-insensitive). */
int pfk_msg_from_name(const char *name);
int pfk_satype_from_name(const char *name);    /* "esp", "ah", "all", or number */
int pfk_state_from_name(const char *name);     /* names and numbers 0..6 */
int pfk_identtype_from_name(const char *name);

/* ------------------------------------------------------------------------ */
/* Algorithms.                                                               */

enum pfk_alg_kind {
	PFK_ALG_AUTH = 1,    /* SADB_AALG_* */
	PFK_ALG_ENCRYPT = 2, /* SADB_EALG_* */
};

#define PFK_ALG_AEAD 0x1u     /* combined mode: no separate auth algorithm */
#define PFK_ALG_NOCIPHER 0x2u /* NULL or GMAC: no confidentiality */
#define PFK_ALG_LEGACY 0x4u   /* known to PF_KEY but not implemented by dpsec */

struct pfk_alg_info {
	enum pfk_alg_kind kind;
	uint8_t id;
	const char *name;       /* canonical ipseckey name */
	const char *const *synonyms; /* NULL-terminated; may be NULL */
	uint16_t minbits, maxbits, increment; /* effective key bits, salt excluded */
	uint8_t saltbits;
	uint8_t ivlen;          /* bytes on the wire */
	uint8_t icvlen;         /* bytes on the wire (auth or AEAD) */
	uint8_t blocksize;      /* padding alignment in bytes */
	unsigned flags;         /* PFK_ALG_* */
};

/* Table lookup by id; NULL if unknown. */
const struct pfk_alg_info *pfk_alg_by_id(enum pfk_alg_kind kind, uint8_t id);
/* By name or synonym, case-insensitive, or by decimal number. */
const struct pfk_alg_info *pfk_alg_by_name(enum pfk_alg_kind kind, const char *name);
/* Iterate: index 0.. until NULL. */
const struct pfk_alg_info *pfk_alg_at(enum pfk_alg_kind kind, unsigned index);
/* Is `bits` (salt excluded) a valid key size for the algorithm? */
bool pfk_alg_keybits_ok(const struct pfk_alg_info *alg, unsigned bits);

/* ------------------------------------------------------------------------ */
/* Client helper.                                                            */

/* Default socket path of dpsecd. */
#define PFK_DEFAULT_SOCKET "/run/dpsec/pfkey.sock"

/* Connect a SOCK_SEQPACKET UNIX socket to path (NULL = default).  Returns
 * the fd or -errno. */
int pfk_client_open(const char *path);
/* Send one message (exactly one datagram).  Returns 0 or -errno. */
int pfk_client_send(int fd, const void *msg, size_t len);
/* Receive one message into buf (8-byte aligned) within timeout_ms (-1 =
 * forever).  Returns its length, -ETIMEDOUT, -EMSGSIZE if truncated, or
 * another -errno; 0 means the peer closed. */
int pfk_client_recv(int fd, void *buf, size_t cap, int timeout_ms);
/* Called for each message that is not the awaited reply (broadcasts). */
typedef void (*pfk_other_fn)(void *arg, const void *msg, size_t len);
/* Send req and wait up to timeout_ms for the reply whose type, seq and
 * pid match the request's; other messages go to other(arg, ...) if given,
 * else are dropped.  Returns the reply length or -errno. */
int pfk_client_request(int fd, const void *req, size_t req_len, void *reply,
		       size_t cap, int timeout_ms, pfk_other_fn other, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* DPSEC_PFKEY_H */
