/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfk_build.c: the message builder, the key-free copy for listeners, error
 * replies, and key wiping.
 *
 * Every append goes through ext_reserve(), the only function that checks
 * space and writes an extension header: it validates the size, writes the
 * header and zeroes the body and the padding, so the typed appends only
 * fill fields and nothing can land past b->cap or leave stale bytes.
 * Key bytes are copied straight from the caller into the message, never
 * through a temporary.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dpsec/pfkey.h"

#define PAD8(n) (((n) + 7u) & ~(size_t)7u)

static bool aligned8(const void *p)
{
	return ((uintptr_t)p & 7u) == 0;
}

void pfk_build_init(struct pfk_builder *b, void *buf, size_t cap, uint8_t type,
		    uint8_t satype, uint32_t seq, uint32_t pid)
{
	struct sadb_msg *h;

	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	b->err = 0;
	if (buf == NULL || !aligned8(buf)) {
		b->err = -EINVAL;
		return;
	}
	if (cap < sizeof(*h)) {
		b->err = -ENOSPC;
		return;
	}
	h = buf;
	memset(h, 0, sizeof(*h));
	h->sadb_msg_version = PF_KEY_V2;
	h->sadb_msg_type = type;
	h->sadb_msg_satype = satype;
	h->sadb_msg_len = (uint16_t)SADB_8TO64(sizeof(*h));
	h->sadb_msg_seq = seq;
	h->sadb_msg_pid = pid;
	b->len = sizeof(*h);
}

/* Append an extension of `body_len` bytes after its 4-byte header: header
 * written, body and padding zeroed.  Returns the extension or NULL with the
 * sticky error set. */
static void *ext_reserve(struct pfk_builder *b, uint16_t exttype, size_t body_len)
{
	struct sadb_ext *e;
	size_t total;

	if (b->err != 0)
		return NULL;
	if (body_len > PFK_MSG_MAX) {
		b->err = -EINVAL;
		return NULL;
	}
	total = PAD8(sizeof(*e) + body_len);
	/* Larger than a message can ever be (the u16 length fields count
	 * 8-byte words) is impossible input, not a short buffer. */
	if (total > PFK_MSG_MAX - b->len) {
		b->err = -EINVAL;
		return NULL;
	}
	if (total > b->cap - b->len) {
		b->err = -ENOSPC;
		return NULL;
	}
	e = (struct sadb_ext *)(void *)(b->buf + b->len);
	memset(e, 0, total);
	e->sadb_ext_len = (uint16_t)SADB_8TO64(total);
	e->sadb_ext_type = exttype;
	b->len += total;
	return e;
}

/* body may be NULL: the body is then left zeroed for the caller to fill. */
void *pfk_add_ext(struct pfk_builder *b, uint16_t exttype, const void *body,
		  size_t body_len)
{
	uint8_t *e = ext_reserve(b, exttype, body_len);

	if (e != NULL && body != NULL && body_len > 0)
		memcpy(e + sizeof(struct sadb_ext), body, body_len);
	return e;
}

/* Reserve a fixed-size extension struct (whose first 4 bytes are the
 * header) into ptr; ptr is NULL on error. */
#define RESERVE(b, type, ptr) \
	((ptr) = ext_reserve((b), (type), sizeof(*(ptr)) - sizeof(struct sadb_ext)))

static int fail(struct pfk_builder *b, int err)
{
	if (b->err == 0)
		b->err = err;
	return b->err;
}

int pfk_add_sa(struct pfk_builder *b, uint32_t spi, uint8_t replay, uint8_t state,
	       uint8_t auth, uint8_t encrypt, uint32_t flags)
{
	struct sadb_sa *s;

	if (RESERVE(b, SADB_EXT_SA, s) == NULL)
		return b->err;
	s->sadb_sa_spi = spi;
	s->sadb_sa_replay = replay;
	s->sadb_sa_state = state;
	s->sadb_sa_auth = auth;
	s->sadb_sa_encrypt = encrypt;
	s->sadb_sa_flags = flags;
	return 0;
}

int pfk_add_lifetime(struct pfk_builder *b, uint16_t exttype, uint32_t allocations,
		     uint64_t bytes, uint64_t addtime, uint64_t usetime)
{
	struct sadb_lifetime *l;

	switch (exttype) {
	case SADB_EXT_LIFETIME_CURRENT:
	case SADB_EXT_LIFETIME_HARD:
	case SADB_EXT_LIFETIME_SOFT:
	case SADB_X_EXT_LIFETIME_IDLE:
		break;
	default:
		return fail(b, -EINVAL);
	}
	if (RESERVE(b, exttype, l) == NULL)
		return b->err;
	l->sadb_lifetime_allocations = allocations;
	l->sadb_lifetime_bytes = bytes;
	l->sadb_lifetime_addtime = addtime;
	l->sadb_lifetime_usetime = usetime;
	return 0;
}

int pfk_add_address(struct pfk_builder *b, uint16_t exttype, const struct sockaddr *sa,
		    uint8_t proto, uint8_t prefixlen)
{
	struct sadb_address *a;
	size_t salen;

	switch (exttype) {
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_X_EXT_ADDRESS_INNER_SRC:
	case SADB_X_EXT_ADDRESS_INNER_DST:
	case SADB_X_EXT_ADDRESS_NATT_LOC:
	case SADB_X_EXT_ADDRESS_NATT_REM:
		break;
	default:
		return fail(b, -EINVAL);
	}
	if (sa == NULL)
		return fail(b, -EINVAL);
	if (sa->sa_family == AF_INET)
		salen = sizeof(struct sockaddr_in);
	else if (sa->sa_family == AF_INET6)
		salen = sizeof(struct sockaddr_in6);
	else
		return fail(b, -EINVAL);

	a = ext_reserve(b, exttype, sizeof(*a) - sizeof(struct sadb_ext) + salen);
	if (a == NULL)
		return b->err;
	a->sadb_address_proto = proto;
	a->sadb_address_prefixlen = prefixlen;
	memcpy(a + 1, sa, salen);
	return 0;
}

int pfk_add_key(struct pfk_builder *b, uint16_t exttype, const void *key,
		uint16_t bits, uint16_t saltbits)
{
	struct sadb_key *k;
	size_t bytes = ((size_t)bits + 7u) / 8u;

	if (exttype != SADB_EXT_KEY_AUTH && exttype != SADB_EXT_KEY_ENCRYPT)
		return fail(b, -EINVAL);
	if (key == NULL && bytes > 0)
		return fail(b, -EINVAL);
	k = ext_reserve(b, exttype, sizeof(*k) - sizeof(struct sadb_ext) + bytes);
	if (k == NULL)
		return b->err;
	k->sadb_key_bits = bits;
	k->sadb_x_key_saltbits = saltbits;
	if (bytes > 0)
		memcpy(k + 1, key, bytes);
	return 0;
}

/* The string is copied with its NUL and padded with zeros. */
int pfk_add_identity(struct pfk_builder *b, uint16_t exttype, uint16_t type,
		     const char *id)
{
	struct sadb_ident *i;
	size_t n;

	if (exttype != SADB_EXT_IDENTITY_SRC && exttype != SADB_EXT_IDENTITY_DST)
		return fail(b, -EINVAL);
	if (id == NULL)
		return fail(b, -EINVAL);
	n = strnlen(id, PFK_MSG_MAX) + 1;
	i = ext_reserve(b, exttype, sizeof(*i) - sizeof(struct sadb_ext) + n);
	if (i == NULL)
		return b->err;
	i->sadb_ident_type = type;
	memcpy(i + 1, id, n - 1);
	return 0;
}

int pfk_add_spirange(struct pfk_builder *b, uint32_t min_net, uint32_t max_net)
{
	struct sadb_spirange *r;

	if (RESERVE(b, SADB_EXT_SPIRANGE, r) == NULL)
		return b->err;
	r->sadb_spirange_min = min_net;
	r->sadb_spirange_max = max_net;
	return 0;
}

int pfk_add_pair(struct pfk_builder *b, uint32_t spi_net)
{
	struct sadb_x_pair *p;

	if (RESERVE(b, SADB_X_EXT_PAIR, p) == NULL)
		return b->err;
	p->sadb_x_pair_spi = spi_net;
	return 0;
}

/* dpsec fills both fields: illumos readers see the low 32 bits. */
int pfk_add_replay_value(struct pfk_builder *b, uint64_t value)
{
	struct sadb_x_replay_ctr *r;

	if (RESERVE(b, SADB_X_EXT_REPLAY_VALUE, r) == NULL)
		return b->err;
	r->sadb_x_rc_replay32 = (uint32_t)value;
	r->sadb_x_rc_replay64 = value;
	return 0;
}

int pfk_add_edump(struct pfk_builder *b, uint64_t timeout)
{
	struct sadb_x_edump *e;

	if (RESERVE(b, SADB_X_EXT_EDUMP, e) == NULL)
		return b->err;
	e->sadb_x_edump_timeout = timeout;
	return 0;
}

int pfk_add_kmc(struct pfk_builder *b, uint32_t proto, uint64_t cookie)
{
	struct sadb_x_kmc *k;

	if (RESERVE(b, SADB_X_EXT_KM_COOKIE, k) == NULL)
		return b->err;
	k->sadb_x_kmc_proto = proto;
	k->sadb_x_kmc_cookie64 = cookie;
	return 0;
}

/* The n SA types, then the terminating 0, padded with zeros. */
int pfk_add_ereg(struct pfk_builder *b, const uint8_t *satypes, size_t n)
{
	uint8_t *e;

	if (satypes == NULL && n > 0)
		return fail(b, -EINVAL);
	if (n >= PFK_MSG_MAX)
		return fail(b, -EINVAL);
	e = ext_reserve(b, SADB_X_EXT_EREG, n + 1);
	if (e == NULL)
		return b->err;
	if (n > 0)
		memcpy(e + sizeof(struct sadb_ext), satypes, n);
	return 0;
}

int pfk_add_replay_window(struct pfk_builder *b, uint32_t window, uint32_t flags)
{
	struct sadb_x_dpsec_replay_window *w;

	if (RESERVE(b, SADB_X_EXT_DPSEC_REPLAY_WINDOW, w) == NULL)
		return b->err;
	w->sadb_x_rw_window = window;
	w->sadb_x_rw_flags = flags;
	return 0;
}

int pfk_add_seq_lease(struct pfk_builder *b, uint64_t limit)
{
	struct sadb_x_dpsec_seq_lease *l;

	if (RESERVE(b, SADB_X_EXT_DPSEC_SEQ_LEASE, l) == NULL)
		return b->err;
	l->sadb_x_sl_limit = limit;
	return 0;
}

/* An array of n records after a header of hdr_size bytes, checked for
 * size_t overflow before anything is reserved. */
static void *reserve_array(struct pfk_builder *b, uint16_t exttype, size_t hdr_size,
			   const void *items, size_t n, size_t item_size)
{
	uint8_t *e;

	if (b->err != 0)
		return NULL;
	if ((items == NULL && n > 0) || n > PFK_MSG_MAX / item_size) {
		fail(b, -EINVAL);
		return NULL;
	}
	e = ext_reserve(b, exttype, hdr_size - sizeof(struct sadb_ext) + n * item_size);
	if (e != NULL && n > 0)
		memcpy(e + hdr_size, items, n * item_size);
	return e;
}

int pfk_add_supported(struct pfk_builder *b, uint16_t exttype,
		      const struct sadb_alg *algs, size_t n)
{
	if (exttype != SADB_EXT_SUPPORTED_AUTH && exttype != SADB_EXT_SUPPORTED_ENCRYPT)
		return fail(b, -EINVAL);
	if (reserve_array(b, exttype, sizeof(struct sadb_supported), algs, n,
			  sizeof(*algs)) == NULL)
		return b->err;
	return 0;
}

int pfk_add_proposal(struct pfk_builder *b, uint8_t replay,
		     const struct sadb_comb *combs, size_t n)
{
	struct sadb_prop *p = reserve_array(b, SADB_EXT_PROPOSAL, sizeof(*p), combs, n,
					    sizeof(*combs));

	if (p == NULL)
		return b->err;
	p->sadb_prop_replay = replay;
	return 0;
}

/* The struct-shaped dpsec extensions: copy everything after the caller's
 * header (its len and exttype are ignored; ours are written). */
static int add_whole(struct pfk_builder *b, uint16_t exttype, const void *src, size_t size)
{
	if (src == NULL)
		return fail(b, -EINVAL);
	if (pfk_add_ext(b, exttype, (const uint8_t *)src + sizeof(struct sadb_ext),
			size - sizeof(struct sadb_ext)) == NULL)
		return b->err;
	return 0;
}

int pfk_add_policy(struct pfk_builder *b, const struct sadb_x_dpsec_policy *p)
{
	return add_whole(b, SADB_X_EXT_DPSEC_POLICY, p, sizeof(*p));
}

int pfk_add_selector(struct pfk_builder *b, uint16_t exttype,
		     const struct sadb_x_dpsec_selector *s)
{
	if (exttype != SADB_X_EXT_DPSEC_SELECTOR && exttype != SADB_X_EXT_DPSEC_INNER_SELECTOR)
		return fail(b, -EINVAL);
	return add_whole(b, exttype, s, sizeof(*s));
}

int pfk_add_sareq(struct pfk_builder *b, const struct sadb_x_dpsec_sareq *r)
{
	return add_whole(b, SADB_X_EXT_DPSEC_SAREQ, r, sizeof(*r));
}

int pfk_build_finish(struct pfk_builder *b)
{
	struct sadb_msg *h;

	if (b->err != 0)
		return b->err;
	h = (struct sadb_msg *)(void *)b->buf;
	h->sadb_msg_len = (uint16_t)SADB_8TO64(b->len);
	return (int)b->len;
}

/* ------------------------------------------------------------------------ */

static bool is_key_ext(uint16_t exttype)
{
	return exttype == SADB_EXT_KEY_AUTH || exttype == SADB_EXT_KEY_ENCRYPT;
}

/* Walks the message itself rather than m->ext[] so that extension order,
 * repeated SAREQs and unknown-to-the-view extensions are kept as sent.
 * The size is computed first: on -ENOSPC nothing has been written. */
int pfk_copy_without_keys(const struct pfk_msg *m, void *out, size_t cap)
{
	const uint8_t *src;
	uint8_t *dst = out;
	size_t off, need = sizeof(struct sadb_msg);
	struct sadb_msg *h;

	if (m == NULL || m->hdr == NULL || out == NULL || m->len < sizeof(struct sadb_msg) ||
	    m->len > PFK_MSG_MAX || (m->len & 7u) != 0)
		return -EINVAL;
	src = (const uint8_t *)m->hdr;

	for (off = sizeof(struct sadb_msg); off < m->len;) {
		const struct sadb_ext *e = (const void *)(src + off);
		size_t elen;

		/* m->len and every extension length are multiples of 8, so
		 * an extension header is always there to read. */
		elen = SADB_64TO8((size_t)e->sadb_ext_len);
		if (elen == 0 || elen > m->len - off)
			return -EINVAL;
		if (!is_key_ext(e->sadb_ext_type))
			need += elen;
		off += elen;
	}
	if (need > cap)
		return -ENOSPC;

	memcpy(dst, src, sizeof(struct sadb_msg));
	size_t w = sizeof(struct sadb_msg);
	for (off = sizeof(struct sadb_msg); off < m->len;) {
		const struct sadb_ext *e = (const void *)(src + off);
		size_t elen = SADB_64TO8((size_t)e->sadb_ext_len);

		if (!is_key_ext(e->sadb_ext_type)) {
			memcpy(dst + w, e, elen);
			w += elen;
		}
		off += elen;
	}
	h = out;
	h->sadb_msg_len = (uint16_t)SADB_8TO64(w);
	return (int)w;
}

/* err may be given as an errno or as -errno (what our functions return). */
int pfk_build_error(const struct sadb_msg *req, int err, uint16_t diag, void *out,
		    size_t cap)
{
	struct sadb_msg h;

	if (req == NULL || out == NULL)
		return -EINVAL;
	if (err < 0)
		err = -err;
	if (err == 0 || err > UINT8_MAX)
		return -EINVAL;
	if (cap < sizeof(h))
		return -ENOSPC;
	memcpy(&h, req, sizeof(h));
	/* Always our version, even when the request's was wrong: the client
	 * must be able to parse the reply that tells it so. */
	h.sadb_msg_version = PF_KEY_V2;
	h.sadb_msg_errno = (uint8_t)err;
	h.sadb_x_msg_diagnostic = diag;
	h.sadb_msg_len = (uint16_t)SADB_8TO64(sizeof(h));
	memcpy(out, &h, sizeof(h));
	return (int)sizeof(h);
}

void pfk_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}
