/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_test_msg.h: PF_KEY messages written by hand from the wire layout of
 * docs/PFKEY.md and reference/PFKEY.md -- deliberately not with the codec's
 * builder, so that the server is checked against the document rather than
 * against our own encoder.  Each helper lays out one extension's fields.
 */
#ifndef CTL_TEST_MSG_H
#define CTL_TEST_MSG_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "dpsec/pfkeyv2.h"

struct tmsg {
	uint64_t buf[4096]; /* 32 KiB, 8-byte aligned */
	size_t len;
};

static inline struct sadb_msg *tm_hdr(struct tmsg *t)
{
	return (struct sadb_msg *)(void *)t->buf;
}

static inline void tm_init(struct tmsg *t, uint8_t type, uint8_t satype, uint32_t seq,
	uint32_t pid)
{
	struct sadb_msg *h = tm_hdr(t);

	memset(t->buf, 0, sizeof(t->buf));
	h->sadb_msg_version = 2;
	h->sadb_msg_type = type;
	h->sadb_msg_satype = satype;
	h->sadb_msg_seq = seq;
	h->sadb_msg_pid = pid;
	t->len = 16;
	h->sadb_msg_len = 2;
}

/* Append an extension of body_len bytes after the 4-byte header; returns
 * the extension (zeroed; padded to 8). */
static inline void *tm_ext(struct tmsg *t, uint16_t type, size_t body_len)
{
	uint8_t *p = (uint8_t *)t->buf + t->len;
	size_t len = (4 + body_len + 7) & ~(size_t)7;
	uint16_t words = (uint16_t)(len / 8);

	memcpy(p, &words, 2);
	memcpy(p + 2, &type, 2);
	t->len += len;
	tm_hdr(t)->sadb_msg_len = (uint16_t)(t->len / 8);
	return p;
}

static inline void tm_sa(struct tmsg *t, uint32_t spi, uint8_t replay, uint8_t state, uint8_t auth,
	uint8_t encr, uint32_t flags)
{
	struct sadb_sa *s = tm_ext(t, SADB_EXT_SA, 12);

	s->sadb_sa_spi = htonl(spi);
	s->sadb_sa_replay = replay;
	s->sadb_sa_state = state;
	s->sadb_sa_auth = auth;
	s->sadb_sa_encrypt = encr;
	s->sadb_sa_flags = flags;
}

/* IPv4 address extension: 8 + sockaddr_in (16) = 24 bytes. */
static inline void tm_addr4(struct tmsg *t, uint16_t type, const char *ip, uint16_t port,
	uint8_t proto)
{
	struct sadb_address *a = tm_ext(t, type, 4 + sizeof(struct sockaddr_in));
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	a->sadb_address_proto = proto;
	memcpy(a + 1, &sin, sizeof(sin));
}

static inline void tm_key(struct tmsg *t, uint16_t type, uint16_t bits, uint16_t saltbits,
	const uint8_t *key)
{
	struct sadb_key *k = tm_ext(t, type, 4 + (bits + 7u) / 8u);

	k->sadb_key_bits = bits;
	k->sadb_key_reserved = saltbits;
	memcpy(k + 1, key, (bits + 7u) / 8u);
}

static inline void tm_lifetime(struct tmsg *t, uint16_t type, uint32_t alloc, uint64_t bytes,
	uint64_t addtime, uint64_t usetime)
{
	struct sadb_lifetime *l = tm_ext(t, type, 28);

	l->sadb_lifetime_allocations = alloc;
	l->sadb_lifetime_bytes = bytes;
	l->sadb_lifetime_addtime = addtime;
	l->sadb_lifetime_usetime = usetime;
}

static inline void tm_range(struct tmsg *t, uint32_t lo, uint32_t hi)
{
	struct sadb_spirange *r = tm_ext(t, SADB_EXT_SPIRANGE, 12);

	r->sadb_spirange_min = htonl(lo);
	r->sadb_spirange_max = htonl(hi);
}

static inline void tm_replay_value(struct tmsg *t, uint64_t v)
{
	struct sadb_x_replay_ctr *r = tm_ext(t, SADB_X_EXT_REPLAY_VALUE, 12);

	r->sadb_x_rc_replay32 = (uint32_t)v;
	r->sadb_x_rc_replay64 = v;
}

static inline void tm_pair(struct tmsg *t, uint32_t spi)
{
	struct sadb_x_pair *p = tm_ext(t, SADB_X_EXT_PAIR, 4);

	p->sadb_x_pair_spi = htonl(spi);
}

static inline void tm_edump(struct tmsg *t, uint64_t timeout)
{
	struct sadb_x_edump *e = tm_ext(t, SADB_X_EXT_EDUMP, 12);

	e->sadb_x_edump_timeout = timeout;
}

static inline void tm_seq_lease(struct tmsg *t, uint64_t limit)
{
	struct sadb_x_dpsec_seq_lease *l = tm_ext(t, SADB_X_EXT_DPSEC_SEQ_LEASE, 12);

	l->sadb_x_sl_limit = limit;
}

static inline void tm_replay_window(struct tmsg *t, uint32_t window, uint32_t flags)
{
	struct sadb_x_dpsec_replay_window *w = tm_ext(t, SADB_X_EXT_DPSEC_REPLAY_WINDOW, 12);

	w->sadb_x_rw_window = window;
	w->sadb_x_rw_flags = flags;
}

static inline void tm_policy(struct tmsg *t, uint32_t index, uint32_t prio, uint8_t dir,
	uint8_t action, uint8_t mode)
{
	struct sadb_x_dpsec_policy *p = tm_ext(t, SADB_X_EXT_DPSEC_POLICY, 12);

	p->sadb_x_pol_index = index;
	p->sadb_x_pol_priority = prio;
	p->sadb_x_pol_dir = dir;
	p->sadb_x_pol_action = action;
	p->sadb_x_pol_mode = mode;
}

/* IPv4 selector: local/remote prefixes, protocol, remote port range. */
static inline void tm_selector4(struct tmsg *t, uint16_t type, const char *src, uint8_t splen,
	const char *dst, uint8_t dplen, uint8_t proto, uint16_t dport_min, uint16_t dport_max)
{
	struct sadb_x_dpsec_selector *s = tm_ext(t, type, 52);

	s->sadb_x_sel_family = AF_INET;
	s->sadb_x_sel_proto = proto;
	s->sadb_x_sel_src_prefixlen = splen;
	s->sadb_x_sel_dst_prefixlen = dplen;
	s->sadb_x_sel_sport_min = 0;
	s->sadb_x_sel_sport_max = 65535;
	s->sadb_x_sel_dport_min = dport_min;
	s->sadb_x_sel_dport_max = dport_max;
	s->sadb_x_sel_icmp_type_max = 255;
	s->sadb_x_sel_icmp_code_max = 255;
	inet_pton(AF_INET, src, s->sadb_x_sel_src);
	inet_pton(AF_INET, dst, s->sadb_x_sel_dst);
}

static inline void tm_sareq(struct tmsg *t, uint8_t satype, uint8_t auth, uint8_t encr)
{
	struct sadb_x_dpsec_sareq *r = tm_ext(t, SADB_X_EXT_DPSEC_SAREQ, 12);

	r->sadb_x_req_satype = satype;
	r->sadb_x_req_auth = auth;
	r->sadb_x_req_encrypt = encr;
}

/* Find an extension of a received message by walking it ourselves. */
static inline const void *tm_find(const void *msg, size_t len, uint16_t type)
{
	const uint8_t *p = (const uint8_t *)msg + 16, *end = (const uint8_t *)msg + len;

	while (p + 4 <= end) {
		uint16_t words, et;

		memcpy(&words, p, 2);
		memcpy(&et, p + 2, 2);
		if (words == 0)
			return NULL;
		if (et == type)
			return p;
		p += (size_t)words * 8;
	}
	return NULL;
}

/* The same message without its key extensions (what listeners must get). */
static inline size_t tm_strip_keys(const struct tmsg *in, struct tmsg *out)
{
	const uint8_t *p = (const uint8_t *)in->buf + 16, *end = (const uint8_t *)in->buf + in->len;

	memset(out->buf, 0, sizeof(out->buf));
	memcpy(out->buf, in->buf, 16);
	out->len = 16;
	while (p < end) {
		uint16_t words, et;

		memcpy(&words, p, 2);
		memcpy(&et, p + 2, 2);
		if (et != SADB_EXT_KEY_AUTH && et != SADB_EXT_KEY_ENCRYPT) {
			memcpy((uint8_t *)out->buf + out->len, p, (size_t)words * 8);
			out->len += (size_t)words * 8;
		}
		p += (size_t)words * 8;
	}
	tm_hdr(out)->sadb_msg_len = (uint16_t)(out->len / 8);
	return out->len;
}

#endif /* CTL_TEST_MSG_H */
