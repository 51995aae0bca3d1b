/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_sa_msg.c: GETSPI, ADD, UPDATE, DELETE, GET and a key manager's
 * ACQUIRE failure report.
 *
 * Every handler checks first and acts last; a dataplane failure after an
 * earlier step is rolled back, so an error reply means nothing changed.
 * Replies to ADD, UPDATE and DELETE are the request without its keys, to
 * the sender and to every other socket (RFC 2367 3.1.2-3.1.4); GET and
 * GETSPI answer the sender only.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "ctl_priv.h"

#define CTL_SPI_MIN 256u   /* 1..255 are reserved (RFC 4303 2.1) */
#define CTL_GETSPI_TRIES 64u

/* Reply to the sender and broadcast to everyone else, keys stripped. */
static int reply_all(struct ctl *ctl, struct ctl_client *c, const struct pfk_msg *m)
{
	int n = pfk_copy_without_keys(m, ctl->wbuf, sizeof(ctl->wbuf));

	if (n < 0)
		return n;
	ctl_send_all(ctl, c, ctl->wbuf, (size_t)n);
	return 0;
}

int ctl_reply_all(struct ctl *ctl, struct ctl_client *c, const struct pfk_msg *m)
{
	return reply_all(ctl, c, m);
}

/* ------------------------------------------------------------------------ */
/* From a message to an SA: the descriptive extensions and dp parameters.   */

static bool stored_ext(uint16_t type)
{
	switch (type) {
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_X_EXT_ADDRESS_INNER_SRC:
	case SADB_X_EXT_ADDRESS_INNER_DST:
	case SADB_X_EXT_ADDRESS_NATT_LOC:
	case SADB_X_EXT_ADDRESS_NATT_REM:
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT:
	case SADB_EXT_IDENTITY_SRC:
	case SADB_EXT_IDENTITY_DST:
	case SADB_X_EXT_KM_COOKIE:
		return true;
	default:
		return false;
	}
}

/* Copy the descriptive extensions of m into a new buffer. */
static int ext_blob(const struct pfk_msg *m, uint8_t **out, size_t *out_len)
{
	const uint8_t *p = (const uint8_t *)m->hdr + sizeof(*m->hdr);
	const uint8_t *end = (const uint8_t *)m->hdr + m->len;
	size_t len = 0;
	uint8_t *blob;

	for (const uint8_t *q = p; q < end;) {
		const struct sadb_ext *e = (const void *)q;

		if (stored_ext(e->sadb_ext_type))
			len += (size_t)e->sadb_ext_len * 8;
		q += (size_t)e->sadb_ext_len * 8;
	}
	blob = malloc(len > 0 ? len : 1);
	if (blob == NULL)
		return -ENOMEM;
	*out = blob;
	*out_len = len;
	for (; p < end;) {
		const struct sadb_ext *e = (const void *)p;
		size_t l = (size_t)e->sadb_ext_len * 8;

		if (stored_ext(e->sadb_ext_type)) {
			memcpy(blob, p, l);
			blob += l;
		}
		p += l;
	}
	return 0;
}

static uint16_t sockaddr_port(const struct sadb_address *a)
{
	const struct sockaddr *sa;

	if (a == NULL)
		return 0;
	sa = pfk_addr_sockaddr(a);
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
}

static void lifetime_copy(struct sadb_lifetime *dst, const struct sadb_lifetime *src)
{
	if (src != NULL)
		*dst = *src;
}

/* Soft above hard (both set), idle above either: *_HSERR.  Checks the
 * lifetimes an SA would have after an ADD or UPDATE. */
static int lifetimes_check(const struct sadb_lifetime *h, const struct sadb_lifetime *s,
	const struct sadb_lifetime *i, uint16_t *diag)
{
#define CTL_ABOVE_(a, b) ((a) != 0 && (b) != 0 && (a) > (b))
	if (CTL_ABOVE_(s->sadb_lifetime_allocations, h->sadb_lifetime_allocations))
		*diag = SADB_X_DIAGNOSTIC_ALLOC_HSERR;
	else if (CTL_ABOVE_(s->sadb_lifetime_bytes, h->sadb_lifetime_bytes))
		*diag = SADB_X_DIAGNOSTIC_BYTES_HSERR;
	else if (CTL_ABOVE_(s->sadb_lifetime_addtime, h->sadb_lifetime_addtime) ||
		 CTL_ABOVE_(i->sadb_lifetime_addtime, h->sadb_lifetime_addtime) ||
		 CTL_ABOVE_(i->sadb_lifetime_addtime, s->sadb_lifetime_addtime))
		*diag = SADB_X_DIAGNOSTIC_ADDTIME_HSERR;
	else if (CTL_ABOVE_(s->sadb_lifetime_usetime, h->sadb_lifetime_usetime) ||
		 CTL_ABOVE_(i->sadb_lifetime_usetime, h->sadb_lifetime_usetime) ||
		 CTL_ABOVE_(i->sadb_lifetime_usetime, s->sadb_lifetime_usetime))
		*diag = SADB_X_DIAGNOSTIC_USETIME_HSERR;
	else
		return 0;
#undef CTL_ABOVE_
	return -EINVAL;
}

/* Algorithms the gateway implements, and the keys they need. */
static int algs_check(const struct pfk_msg *m, uint16_t *diag)
{
	const struct sadb_sa *s = m->sa;
	const struct pfk_alg_info *a = NULL, *e = NULL;

	if (s->sadb_sa_auth != SADB_AALG_NONE) {
		a = pfk_alg_by_id(PFK_ALG_AUTH, s->sadb_sa_auth);
		if (a == NULL || (a->flags & PFK_ALG_LEGACY)) {
			*diag = SADB_X_DIAGNOSTIC_BAD_AALG;
			return -EINVAL;
		}
	}
	if (m->hdr->sadb_msg_satype == SADB_SATYPE_AH) {
		if (a == NULL || s->sadb_sa_encrypt != SADB_EALG_NONE) {
			*diag = a == NULL ? SADB_X_DIAGNOSTIC_BAD_AALG : SADB_X_DIAGNOSTIC_BAD_EALG;
			return -EINVAL;
		}
	} else {
		e = pfk_alg_by_id(PFK_ALG_ENCRYPT, s->sadb_sa_encrypt);
		if (e == NULL || s->sadb_sa_encrypt == SADB_EALG_NONE) {
			*diag = SADB_X_DIAGNOSTIC_BAD_EALG;
			return -EINVAL;
		}
		if (e->flags & PFK_ALG_LEGACY) {
			*diag = SADB_X_DIAGNOSTIC_ENCR_NOTSUPP;
			return -EINVAL;
		}
		if (((e->flags & PFK_ALG_AEAD) && a != NULL) ||
		    (s->sadb_sa_encrypt == SADB_EALG_NULL && a == NULL)) {
			*diag = SADB_X_DIAGNOSTIC_BAD_AALG;
			return -EINVAL;
		}
		if (s->sadb_sa_encrypt != SADB_EALG_NULL && m->ekey == NULL) {
			*diag = SADB_X_DIAGNOSTIC_MISSING_EKEY;
			return -EINVAL;
		}
		if (s->sadb_sa_encrypt == SADB_EALG_NULL && m->ekey != NULL) {
			*diag = SADB_X_DIAGNOSTIC_EKEY_PRESENT;
			return -EINVAL;
		}
	}
	if (a != NULL && m->akey == NULL) {
		*diag = SADB_X_DIAGNOSTIC_MISSING_AKEY;
		return -EINVAL;
	}
	if (a == NULL && m->akey != NULL) {
		*diag = SADB_X_DIAGNOSTIC_AKEY_PRESENT;
		return -EINVAL;
	}
	return 0;
}

static int keys_to_params(const struct pfk_msg *m, struct dp_sa_params *p, uint16_t *diag)
{
	if (m->akey != NULL) {
		unsigned int bits = m->akey->sadb_key_bits;

		if (bits % 8 != 0 || bits / 8 > DP_KEY_MAX) {
			*diag = SADB_X_DIAGNOSTIC_BAD_AKEYBITS;
			return -EINVAL;
		}
		p->auth_key_len = (uint16_t)(bits / 8);
		memcpy(p->auth_key, pfk_key_data(m->akey), p->auth_key_len);
	}
	if (m->ekey != NULL) {
		const struct pfk_alg_info *e = pfk_alg_by_id(PFK_ALG_ENCRYPT, p->encr_alg);
		unsigned int bits = m->ekey->sadb_key_bits;
		unsigned int salt = e != NULL ? e->saltbits : 0;

		if (bits % 8 != 0 || salt % 8 != 0 || bits < salt || (bits - salt) / 8 > DP_KEY_MAX ||
		    salt / 8 > DP_SALT_MAX) {
			*diag = SADB_X_DIAGNOSTIC_BAD_EKEYBITS;
			return -EINVAL;
		}
		p->encr_key_len = (uint16_t)((bits - salt) / 8);
		p->salt_len = (uint8_t)(salt / 8);
		memcpy(p->encr_key, pfk_key_data(m->ekey), p->encr_key_len);
		memcpy(p->salt, pfk_key_data(m->ekey) + p->encr_key_len, p->salt_len);
	}
	return 0;
}

/* Fill rec (a new or larval record) and p from an ADD or a keying UPDATE.
 * Nothing outside rec and p changes. */
static int sa_from_msg(struct ctl *ctl, const struct pfk_msg *m, struct ctl_sa *rec,
	struct dp_sa_params *p, uint16_t *diag)
{
	const struct sadb_sa *s = m->sa;
	uint32_t flags = s->sadb_sa_flags;
	uint64_t seq = m->replay_value != NULL ? pfk_replay_value(m->replay_value) : 0;
	int err;

	err = algs_check(m, diag);
	if (err != 0)
		return err;
	memset(p, 0, sizeof(*p));
	rec->spi = s->sadb_sa_spi;
	rec->satype = m->hdr->sadb_msg_satype;
	rec->state = s->sadb_sa_state == SADB_SASTATE_LARVAL ? SADB_SASTATE_MATURE :
							       s->sadb_sa_state;
	rec->auth = s->sadb_sa_auth;
	rec->encrypt = s->sadb_sa_encrypt;
	rec->flags = flags & ~SADB_X_SAFLAGS_PAIRED;
	rec->replay8 = s->sadb_sa_replay;
	rec->window = pfk_replay_window(m);
	rec->has_rw = m->replay_window != NULL;
	rec->rw_flags = m->replay_window != NULL ? m->replay_window->sadb_x_rw_flags : 0;
	/* No direction flag: inbound.  (With ports, issue 5, the destination
	 * being one of the gateway's addresses will decide.) */
	rec->dir = (flags & SADB_X_SAFLAGS_OUTBOUND) ? DP_DIR_OUT : DP_DIR_IN;
	if (ctl_addr_from_ext(m->src, &rec->src) != 0 || ctl_addr_from_ext(m->dst, &rec->dst) != 0) {
		*diag = SADB_X_DIAGNOSTIC_BAD_SRC_AF;
		return -EINVAL;
	}
	memset(&rec->hard, 0, sizeof(rec->hard));
	memset(&rec->soft, 0, sizeof(rec->soft));
	memset(&rec->idle, 0, sizeof(rec->idle));
	lifetime_copy(&rec->hard, m->lt_hard);
	lifetime_copy(&rec->soft, m->lt_soft);
	lifetime_copy(&rec->idle, m->lt_idle);
	if ((rec->flags & SADB_SAFLAGS_NOREPLAY) != 0)
		rec->window = 0;

	p->spi = rec->spi;
	p->satype = rec->satype;
	p->dir = rec->dir;
	p->mode = (m->inner_src != NULL || (flags & SADB_X_SAFLAGS_TUNNEL)) ? DP_MODE_TUNNEL :
									       DP_MODE_TRANSPORT;
	p->state = rec->state;
	p->src = rec->src;
	p->dst = rec->dst;
	if ((flags & SADB_X_SAFLAGS_NATTED) || m->natt_loc != NULL || m->natt_rem != NULL) {
		uint16_t lp = sockaddr_port(m->natt_loc), rp = sockaddr_port(m->natt_rem);

		if (rec->satype != SADB_SATYPE_ESP) {
			*diag = SADB_X_DIAGNOSTIC_BAD_SAFLAGS;
			return -EINVAL;
		}
		p->natt_sport = lp != 0 ? lp : sockaddr_port(m->src);
		p->natt_dport = rp != 0 ? rp : sockaddr_port(m->dst);
		if (p->natt_sport == 0)
			p->natt_sport = 4500;
		if (p->natt_dport == 0)
			p->natt_dport = 4500;
	}
	p->auth_alg = rec->auth;
	p->encr_alg = rec->encrypt;
	err = keys_to_params(m, p, diag);
	if (err != 0)
		return err;
	/* Per direction in turn, inbound one worker further on: both directions
	 * spread over every worker whatever order SAs come in, and the two SAs
	 * of one tunnel land on different workers. */
	p->owner = (uint16_t)((ctl->next_owner[rec->dir & 1] + (rec->dir & 1)) %
			      ctl->params.workers);
	if (rec->rw_flags & SADB_X_DPSEC_RW_ESN)
		p->flags |= DP_SA_F_ESN;
	if (rec->dir == DP_DIR_IN)
		p->replay_window = rec->window;
	if (!(p->flags & DP_SA_F_ESN) && seq > UINT32_MAX) {
		*diag = SADB_X_DIAGNOSTIC_INVALID_REPLAY;
		return -EINVAL;
	}
	p->seq = seq;
	rec->lease_external = false;
	if (rec->dir == DP_DIR_OUT) {
		uint64_t lim = m->seq_lease != NULL ? m->seq_lease->sadb_x_sl_limit : 0;

		if (lim != 0 && lim <= seq) {
			*diag = SADB_X_DIAGNOSTIC_DPSEC_LEASE_BELOW_SEQ;
			return -EINVAL;
		}
		rec->lease_external = lim != 0;
		p->lease_limit = lim != 0 ? lim : seq + ctl->params.lease_size;
		rec->lease_limit = p->lease_limit;
	} else if (m->seq_lease != NULL && m->seq_lease->sadb_x_sl_limit != 0) {
		*diag = SADB_X_DIAGNOSTIC_BAD_SA_DIRECTION;
		return -EINVAL;
	}
	p->soft.bytes = rec->soft.sadb_lifetime_bytes;
	p->soft.packets = rec->soft.sadb_lifetime_allocations;
	p->hard.bytes = rec->hard.sadb_lifetime_bytes;
	p->hard.packets = rec->hard.sadb_lifetime_allocations;
	return 0;
}

/* The pair an ADD or UPDATE names: the SA whose SPI is X_PAIR's and whose
 * destination is this SA's source. */
static int pair_check(struct ctl *ctl, const struct pfk_msg *m, const struct ctl_sa *rec,
	struct ctl_sa **partner, uint16_t *diag)
{
	struct ctl_sa *p;

	*partner = NULL;
	if (m->pair == NULL)
		return 0;
	p = ctl_sadb_find(ctl->sadb, m->pair->sadb_x_pair_spi, rec->satype, &rec->src);
	if (p == NULL || p == rec || p->state == SADB_SASTATE_LARVAL) {
		*diag = SADB_X_DIAGNOSTIC_PAIR_SA_NOTFOUND;
		return -ESRCH;
	}
	if ((p->pair_spi != 0 && p->pair_spi != rec->spi) ||
	    (rec->pair_spi != 0 && rec->pair_spi != p->spi)) {
		*diag = SADB_X_DIAGNOSTIC_PAIR_ALREADY;
		return -EINVAL;
	}
	if (!ctl_addr_equal(&p->src, &rec->dst)) {
		*diag = SADB_X_DIAGNOSTIC_PAIR_ADD_MISMATCH;
		return -EINVAL;
	}
	*partner = p;
	return 0;
}

static void pair_link(struct ctl_sa *a, struct ctl_sa *b)
{
	if (b == NULL)
		return;
	a->pair_spi = b->spi;
	b->pair_spi = a->spi;
}

static int dp_errno_diag(int err, uint16_t *diag)
{
	if (err == -ENOSPC || err == -ENOMEM)
		*diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
	else if (err == -EEXIST)
		*diag = SADB_X_DIAGNOSTIC_NONE;
	else
		*diag = SADB_X_DIAGNOSTIC_MALFORMED_SA;
	return err;
}

/* ------------------------------------------------------------------------ */

int ctl_msg_add(struct ctl_req *r)
{
	struct ctl *ctl = r->ctl;
	const struct pfk_msg *m = r->m;
	struct dp_sa_params p;
	struct ctl_sa *sa = ctl_sa_new(ctl), *partner = NULL;
	int err = -ENOMEM;

	if (sa == NULL) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		goto out;
	}
	err = sa_from_msg(ctl, m, sa, &p, r->diag);
	if (err != 0)
		goto out;
	err = lifetimes_check(&sa->hard, &sa->soft, &sa->idle, r->diag);
	if (err != 0)
		goto out;
	if (ctl_sadb_find(ctl->sadb, sa->spi, sa->satype, &sa->dst) != NULL) {
		*r->diag = SADB_X_DIAGNOSTIC_NONE;
		err = -EEXIST;
		goto out;
	}
	err = pair_check(ctl, m, sa, &partner, r->diag);
	if (err != 0)
		goto out;
	err = ext_blob(m, &sa->ext, &sa->ext_len);
	if (err != 0) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		goto out;
	}
	err = dp_sa_add(ctl->dp, &p, &sa->handle);
	if (err != 0) {
		dp_errno_diag(err, r->diag);
		goto out;
	}
	err = ctl_sadb_insert(ctl->sadb, sa);
	if (err != 0) {
		dp_sa_delete(ctl->dp, sa->handle);
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		goto out;
	}
	ctl->next_owner[sa->dir & 1]++;
	sa->added = ctl_now(ctl);
	sa->add_time = (uint64_t)sa->added;
	ctl_publish_sa_attach(ctl, sa);
	pair_link(sa, partner);
	ctl_lifetime_arm(ctl, sa);
	sa = NULL;
	reply_all(ctl, r->client, m);
out:
	pfk_wipe(&p, sizeof(p));
	ctl_sa_free(sa);
	return err;
}

int ctl_msg_getspi(struct ctl_req *r)
{
	struct ctl *ctl = r->ctl;
	const struct pfk_msg *m = r->m;
	uint32_t lo = ntohl(m->spirange->sadb_spirange_min);
	uint32_t hi = ntohl(m->spirange->sadb_spirange_max);
	struct ctl_sa *sa = ctl_sa_new(ctl);
	struct pfk_builder b;
	uint32_t spi = 0;
	int err = -ENOMEM, n;

	if (sa == NULL) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		goto out;
	}
	err = -EINVAL;
	if (lo < CTL_SPI_MIN)
		lo = CTL_SPI_MIN;
	if (lo > hi) {
		*r->diag = SADB_X_DIAGNOSTIC_MALFORMED_RANGE;
		goto out;
	}
	sa->satype = m->hdr->sadb_msg_satype;
	sa->state = SADB_SASTATE_LARVAL;
	if (ctl_addr_from_ext(m->src, &sa->src) != 0 || ctl_addr_from_ext(m->dst, &sa->dst) != 0) {
		*r->diag = SADB_X_DIAGNOSTIC_BAD_DST_AF;
		goto out;
	}
	/* Random picks first; a nearly full range falls back to a scan from a
	 * random start, so a free SPI is found whenever one exists. */
	err = -EAGAIN;
	for (unsigned int i = 0; i < CTL_GETSPI_TRIES + 1 && spi == 0; i++) {
		uint32_t x, span = hi - lo;

		if (getrandom(&x, sizeof(x), 0) != sizeof(x))
			goto out;
		x = span == UINT32_MAX ? x : lo + x % (span + 1);
		if (x < lo)
			x = lo;
		if (i == CTL_GETSPI_TRIES) {
			for (uint64_t k = 0; k <= span && spi == 0; k++) {
				uint32_t y = lo + (uint32_t)(((uint64_t)(x - lo) + k) % ((uint64_t)span + 1));

				if (ctl_sadb_find(ctl->sadb, htonl(y), sa->satype, &sa->dst) == NULL)
					spi = y;
			}
		} else if (ctl_sadb_find(ctl->sadb, htonl(x), sa->satype, &sa->dst) == NULL) {
			spi = x;
		}
	}
	if (spi == 0) {
		err = -EEXIST;
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		goto out;
	}
	sa->spi = htonl(spi);
	err = ext_blob(m, &sa->ext, &sa->ext_len);
	if (err == 0)
		err = ctl_sadb_insert(ctl->sadb, sa);
	if (err != 0) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		goto out;
	}
	ctl->stats.larval++;
	sa->added = ctl_now(ctl);
	sa->add_time = (uint64_t)sa->added;
	ctl_publish_sa_attach(ctl, sa);
	ctl_lifetime_arm(ctl, sa);
	pfk_build_init(&b, ctl->wbuf, sizeof(ctl->wbuf), SADB_GETSPI, sa->satype,
		       m->hdr->sadb_msg_seq, m->hdr->sadb_msg_pid);
	pfk_add_sa(&b, sa->spi, 0, SADB_SASTATE_LARVAL, 0, 0, 0);
	pfk_add_ext(&b, SADB_EXT_ADDRESS_SRC, (const struct sadb_ext *)(const void *)m->src + 1,
		    (size_t)m->src->sadb_address_len * 8 - sizeof(struct sadb_ext));
	pfk_add_ext(&b, SADB_EXT_ADDRESS_DST, (const struct sadb_ext *)(const void *)m->dst + 1,
		    (size_t)m->dst->sadb_address_len * 8 - sizeof(struct sadb_ext));
	n = pfk_build_finish(&b);
	sa = NULL;
	if (n > 0)
		ctl_reply(ctl, r->client, ctl->wbuf, (size_t)n);
	err = 0;
out:
	ctl_sa_free(sa);
	return err;
}

/* UPDATE of a LARVAL SA: the keying update, installed like an ADD. */
static int update_larval(struct ctl_req *r, struct ctl_sa *sa)
{
	struct ctl *ctl = r->ctl;
	const struct pfk_msg *m = r->m;
	struct ctl_sa *tmp = ctl_sa_new(NULL), *partner = NULL;
	struct dp_sa_params p;
	int err = -ENOMEM;

	if (tmp == NULL) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		goto out;
	}
	err = sa_from_msg(ctl, m, tmp, &p, r->diag);
	if (err == 0)
		err = lifetimes_check(&tmp->hard, &tmp->soft, &tmp->idle, r->diag);
	if (err != 0)
		goto out;
	tmp->pair_spi = 0;
	err = pair_check(ctl, m, tmp, &partner, r->diag);
	if (err != 0)
		goto out;
	err = ext_blob(m, &tmp->ext, &tmp->ext_len);
	if (err != 0) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		goto out;
	}
	err = dp_sa_add(ctl->dp, &p, &tmp->handle);
	if (err != 0) {
		dp_errno_diag(err, r->diag);
		goto out;
	}
	/* Commit: move everything but the SADB links into the record. */
	ctl_publish_sa_detach(ctl, sa);
	ctl->next_owner[tmp->dir & 1]++;
	if (ctl->stats.larval > 0)
		ctl->stats.larval--;
	{
		struct ctl_sa keep = *sa;
		uint8_t *old = sa->ext;
		size_t old_len = sa->ext_len;

		*sa = *tmp;
		sa->ctl = keep.ctl;
		sa->timer = keep.timer;
		sa->hlink = keep.hlink;
		sa->khash = keep.khash;
		sa->slot = keep.slot;
		sa->hhlink.next = NULL;
		sa->added = ctl_now(ctl);
		sa->add_time = (uint64_t)sa->added;
		tmp->ext = old;
		tmp->ext_len = old_len;
	}
	ctl_sadb_index_handle(ctl->sadb, sa);
	ctl_publish_sa_attach(ctl, sa);
	pair_link(sa, partner);
	ctl_lifetime_arm(ctl, sa);
	reply_all(ctl, r->client, m);
out:
	pfk_wipe(&p, sizeof(p));
	ctl_sa_free(tmp);
	return err;
}

/* UPDATE of a live SA: state, lifetimes, replay value, lease, pair. */
static int update_mature(struct ctl_req *r, struct ctl_sa *sa, bool reply)
{
	struct ctl *ctl = r->ctl;
	const struct pfk_msg *m = r->m;
	struct sadb_lifetime hard = sa->hard, soft = sa->soft, idle = sa->idle;
	uint8_t state = m->sa->sadb_sa_state != 0 ? m->sa->sadb_sa_state : sa->state;
	uint64_t lease = sa->lease_limit;
	bool lease_ext = sa->lease_external, replay_first = false;
	struct dp_replay_state rs;
	struct dp_sa_params p, old;
	struct dp_sa_stats st;
	struct ctl_sa *partner = NULL;
	int err;

	/* illumos: keys of a keyed SA never change (in.iked reads this as a
	 * retransmitted UPDATE). */
	if (m->akey != NULL || m->ekey != NULL) {
		*r->diag = m->akey != NULL ? SADB_X_DIAGNOSTIC_AKEY_PRESENT :
					     SADB_X_DIAGNOSTIC_EKEY_PRESENT;
		return -EINVAL;
	}
	if (m->replay_window != NULL && (m->replay_window->sadb_x_rw_window != sa->window ||
					 m->replay_window->sadb_x_rw_flags != sa->rw_flags)) {
		*r->diag = SADB_X_DIAGNOSTIC_INVALID_REPLAY;
		return -EINVAL;
	}
	lifetime_copy(&hard, m->lt_hard);
	lifetime_copy(&soft, m->lt_soft);
	lifetime_copy(&idle, m->lt_idle);
	err = lifetimes_check(&hard, &soft, &idle, r->diag);
	if (err != 0)
		return err;
	err = dp_sa_get_stats(ctl->dp, sa->handle, &st);
	if (err != 0) {
		*r->diag = SADB_X_DIAGNOSTIC_SA_NOTFOUND;
		return -ESRCH;
	}
	if (m->seq_lease != NULL) {
		uint64_t lim = m->seq_lease->sadb_x_sl_limit;

		if (sa->dir != DP_DIR_OUT) {
			*r->diag = SADB_X_DIAGNOSTIC_BAD_SA_DIRECTION;
			return -EINVAL;
		}
		if (lim != 0 && lim <= st.seq) {
			*r->diag = SADB_X_DIAGNOSTIC_DPSEC_LEASE_BELOW_SEQ;
			return -EINVAL;
		}
		lease_ext = lim != 0;
		lease = lim != 0 ? lim : st.seq + ctl->params.lease_size;
	}
	if (m->replay_value != NULL) {
		uint64_t v = pfk_replay_value(m->replay_value);
		bool quiet_now = sa->state == SADB_SASTATE_LARVAL || sa->state == SADB_SASTATE_DEAD ||
				 sa->state == SADB_X_SASTATE_ACTIVE_ELSEWHERE;
		bool quiet_after = state == SADB_SASTATE_LARVAL || state == SADB_SASTATE_DEAD ||
				   state == SADB_X_SASTATE_ACTIVE_ELSEWHERE;

		err = dp_sa_get_replay(ctl->dp, sa->handle, &rs);
		if (err != 0 || (!quiet_now && !quiet_after) ||
		    (!(sa->rw_flags & SADB_X_DPSEC_RW_ESN) && v > UINT32_MAX) ||
		    (sa->dir == DP_DIR_OUT && v < rs.highest)) {
			*r->diag = SADB_X_DIAGNOSTIC_INVALID_REPLAY;
			return (!quiet_now && !quiet_after) ? -EBUSY : -EINVAL;
		}
		rs.highest = v;
		replay_first = quiet_now;
	}
	if (m->pair != NULL) {
		err = pair_check(ctl, m, sa, &partner, r->diag);
		if (err != 0)
			return err;
	}

	memset(&old, 0, sizeof(old));
	old.spi = sa->spi;
	old.satype = sa->satype;
	old.dir = sa->dir;
	old.dst = sa->dst;
	old.state = sa->state;
	old.soft.bytes = sa->soft.sadb_lifetime_bytes;
	old.soft.packets = sa->soft.sadb_lifetime_allocations;
	old.hard.bytes = sa->hard.sadb_lifetime_bytes;
	old.hard.packets = sa->hard.sadb_lifetime_allocations;
	old.lease_limit = sa->dir == DP_DIR_OUT ? st.lease_limit : 0;
	p = old;
	p.state = state;
	p.soft.bytes = soft.sadb_lifetime_bytes;
	p.soft.packets = soft.sadb_lifetime_allocations;
	p.hard.bytes = hard.sadb_lifetime_bytes;
	p.hard.packets = hard.sadb_lifetime_allocations;
	p.lease_limit = sa->dir == DP_DIR_OUT ? lease : 0;

	/* The replay state may only be written while the SA carries no
	 * traffic: before the state change if it is quiet now, else after. */
	if (m->replay_value != NULL && replay_first) {
		err = dp_sa_set_replay(ctl->dp, sa->handle, &rs, true);
		if (err != 0)
			goto replay_fail;
	}
	err = dp_sa_update(ctl->dp, sa->handle, &p);
	if (err != 0) {
		*r->diag = SADB_X_DIAGNOSTIC_MALFORMED_SA;
		return err;
	}
	if (m->replay_value != NULL && !replay_first) {
		err = dp_sa_set_replay(ctl->dp, sa->handle, &rs, true);
		if (err != 0) {
			dp_sa_update(ctl->dp, sa->handle, &old);
			goto replay_fail;
		}
	}
	if (m->lt_soft != NULL)
		sa->expired &= ~CTL_EXP_SOFT;
	if (m->lt_idle != NULL)
		sa->expired &= ~CTL_EXP_IDLE;
	sa->hard = hard;
	sa->soft = soft;
	sa->idle = idle;
	sa->state = state;
	ctl_publish_sa_changed(ctl, sa);
	sa->lease_limit = lease;
	sa->lease_external = lease_ext;
	pair_link(sa, partner);
	ctl_lifetime_arm(ctl, sa);
	if (reply)
		reply_all(ctl, r->client, m);
	return 0;
replay_fail:
	*r->diag = SADB_X_DIAGNOSTIC_INVALID_REPLAY;
	return err == -EBUSY ? -EBUSY : -EINVAL;
}

int ctl_msg_update(struct ctl_req *r)
{
	struct ctl_sa *sa;
	int err = ctl_sa_lookup(r->ctl, r->m, &sa, r->diag);

	if (err != 0)
		return err;
	if (sa->state == SADB_SASTATE_LARVAL && sa->handle == DP_SA_HANDLE_INVALID)
		return update_larval(r, sa);
	return update_mature(r, sa, true);
}

/* X_UPDATEPAIR: the named SA gets the whole update; its partner the state
 * and lifetimes (a replay value or lease belongs to one direction).  The
 * partner's part is checked before anything changes. */
int ctl_sa_update_pair(struct ctl_req *r, struct ctl_sa *sa, struct ctl_sa *partner)
{
	struct ctl *ctl = r->ctl;
	const struct pfk_msg *m = r->m;
	struct sadb_lifetime hard = partner->hard, soft = partner->soft, idle = partner->idle;
	uint8_t state = m->sa->sadb_sa_state != 0 ? m->sa->sadb_sa_state : partner->state;
	struct dp_sa_params p;
	struct dp_sa_stats st;
	int err;

	lifetime_copy(&hard, m->lt_hard);
	lifetime_copy(&soft, m->lt_soft);
	lifetime_copy(&idle, m->lt_idle);
	err = lifetimes_check(&hard, &soft, &idle, r->diag);
	if (err != 0)
		return err;
	if (dp_sa_get_stats(ctl->dp, partner->handle, &st) != 0) {
		*r->diag = SADB_X_DIAGNOSTIC_PAIR_SA_NOTFOUND;
		return -ESRCH;
	}
	err = update_mature(r, sa, false);
	if (err != 0)
		return err;
	memset(&p, 0, sizeof(p));
	p.spi = partner->spi;
	p.satype = partner->satype;
	p.dir = partner->dir;
	p.dst = partner->dst;
	p.state = state;
	p.soft.bytes = soft.sadb_lifetime_bytes;
	p.soft.packets = soft.sadb_lifetime_allocations;
	p.hard.bytes = hard.sadb_lifetime_bytes;
	p.hard.packets = hard.sadb_lifetime_allocations;
	p.lease_limit = partner->dir == DP_DIR_OUT ? st.lease_limit : 0;
	if (dp_sa_update(ctl->dp, partner->handle, &p) == 0) {
		partner->hard = hard;
		partner->soft = soft;
		partner->idle = idle;
		partner->state = state;
		ctl_publish_sa_changed(ctl, partner);
		if (m->lt_soft != NULL)
			partner->expired &= ~CTL_EXP_SOFT;
		ctl_lifetime_arm(ctl, partner);
	}
	reply_all(ctl, r->client, m);
	return 0;
}

int ctl_msg_delete(struct ctl_req *r)
{
	struct ctl_sa *sa;
	int err = ctl_sa_lookup(r->ctl, r->m, &sa, r->diag);

	if (err != 0)
		return err;
	ctl_sa_destroy(r->ctl, sa);
	reply_all(r->ctl, r->client, r->m);
	return 0;
}

int ctl_msg_get(struct ctl_req *r)
{
	struct ctl *ctl = r->ctl;
	struct ctl_sa *sa;
	int err = ctl_sa_lookup(ctl, r->m, &sa, r->diag);
	int n;

	if (err != 0)
		return err;
	n = ctl_sa_describe(ctl, sa, SADB_GET, r->m->hdr->sadb_msg_seq, r->m->hdr->sadb_msg_pid,
			    r->client->privileged, ctl->wbuf, sizeof(ctl->wbuf));
	if (n < 0) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		return n;
	}
	ctl_reply(ctl, r->client, ctl->wbuf, (size_t)n);
	pfk_wipe(ctl->wbuf, (size_t)n);
	return 0;
}

/* A key manager reports a failed negotiation (RFC 2367 3.1.6): forget the
 * flow's rate-limit entries so that the next packet asks again.  No reply. */
int ctl_msg_acquire(struct ctl_req *r)
{
	memset(r->ctl->acq, 0, sizeof(r->ctl->acq));
	return 0;
}
