/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_event.c: dataplane events (dp_event_poll) and the ACQUIREs they
 * become.
 *
 * ACQUIRE (from DP_EVENT_ACQUIRE: an outbound packet matched an IPSEC rule
 * and no SA exists): one message per flow per acquire_interval_ms, and at
 * most acquire_burst per second in all -- a flood of new flows must not
 * flood the key managers.  It goes to the sockets REGISTERed for one of
 * the rule's SA types, and carries both a PROPOSAL (RFC 2367, for the
 * message's SA type) and an EPROP (illumos extended ACQUIRE: the whole
 * bundle), built from the rule's SAREQs.
 *
 * Sequence leases (docs/CONTROL.md): for an outbound SA whose lease no
 * client manages, LEASE_LOW (half the lease used) sets the new limit to the
 * sequence number at the event plus params.lease_size.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl_priv.h"

#define CTL_EVENT_BATCH 32u
#define CTL_COMBS_MAX 32u

/* Expand one requirement into algorithm choices (ALG_ANY: every algorithm
 * of that kind the gateway implements). */
static unsigned int expand(enum pfk_alg_kind kind, uint8_t want, uint8_t *out, unsigned int max)
{
	unsigned int n = 0;

	if (want != SADB_X_DPSEC_ALG_ANY) {
		out[0] = want;
		return 1;
	}
	for (unsigned int i = 0; n < max; i++) {
		const struct pfk_alg_info *a = pfk_alg_at(kind, i);

		if (a == NULL)
			break;
		if ((a->flags & PFK_ALG_LEGACY) || a->id == 0)
			continue;
		if (kind == PFK_ALG_ENCRYPT && a->id == SADB_EALG_NULL)
			continue;
		out[n++] = a->id;
	}
	return n;
}

static void bits_of(enum pfk_alg_kind kind, uint8_t id, uint16_t min, uint16_t max,
	uint16_t *omin, uint16_t *omax)
{
	const struct pfk_alg_info *a = pfk_alg_by_id(kind, id);

	*omin = min;
	*omax = max;
	if (min == 0 && max == 0 && a != NULL) {
		*omin = a->minbits;
		*omax = a->maxbits;
	}
}

/* RFC 2367 combinations for the rule's requirements of one SA type. */
static unsigned int build_combs(const struct ctl_spd_rule *rule, uint8_t satype,
	struct sadb_comb *combs, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < rule->nsareq && n < max; i++) {
		const struct sadb_x_dpsec_sareq *q = &rule->sareq[i];
		uint8_t auths[32], encs[32];
		unsigned int na, ne;

		if (q->sadb_x_req_satype != satype)
			continue;
		na = q->sadb_x_req_auth == 0 ? 1 : expand(PFK_ALG_AUTH, q->sadb_x_req_auth, auths, 32);
		if (q->sadb_x_req_auth == 0)
			auths[0] = 0;
		ne = q->sadb_x_req_encrypt == 0 ? 1 :
		     expand(PFK_ALG_ENCRYPT, q->sadb_x_req_encrypt, encs, 32);
		if (q->sadb_x_req_encrypt == 0)
			encs[0] = 0;
		for (unsigned int e = 0; e < ne && n < max; e++) {
			const struct pfk_alg_info *ei = pfk_alg_by_id(PFK_ALG_ENCRYPT, encs[e]);
			bool aead = ei != NULL && (ei->flags & PFK_ALG_AEAD);

			for (unsigned int a = 0; a < na && n < max; a++) {
				struct sadb_comb *c = &combs[n];

				if (aead && auths[a] != 0 && q->sadb_x_req_auth == SADB_X_DPSEC_ALG_ANY)
					continue;
				memset(c, 0, sizeof(*c));
				c->sadb_comb_auth = aead ? 0 : auths[a];
				c->sadb_comb_encrypt = encs[e];
				if (c->sadb_comb_auth != 0)
					bits_of(PFK_ALG_AUTH, c->sadb_comb_auth,
						q->sadb_x_req_auth_minbits, q->sadb_x_req_auth_maxbits,
						&c->sadb_comb_auth_minbits,
						&c->sadb_comb_auth_maxbits);
				if (c->sadb_comb_encrypt != 0)
					bits_of(PFK_ALG_ENCRYPT, c->sadb_comb_encrypt,
						q->sadb_x_req_encrypt_minbits,
						q->sadb_x_req_encrypt_maxbits,
						&c->sadb_comb_encrypt_minbits,
						&c->sadb_comb_encrypt_maxbits);
				n++;
				if (aead)
					break;
			}
		}
	}
	return n;
}

/* EPROP: one extended combination per (ESP choice x AH choice); each
 * carries the algorithm descriptors of the whole bundle. */
static void add_eprop(struct pfk_builder *b, const struct ctl_spd_rule *rule)
{
	struct sadb_comb esp[CTL_COMBS_MAX], ah[CTL_COMBS_MAX];
	unsigned int ne = build_combs(rule, SADB_SATYPE_ESP, esp, CTL_COMBS_MAX);
	unsigned int na = build_combs(rule, SADB_SATYPE_AH, ah, CTL_COMBS_MAX);
	uint8_t body[4 + CTL_COMBS_MAX * (sizeof(struct sadb_x_ecomb) +
					  3 * sizeof(struct sadb_x_algdesc))];
	size_t len = 4;
	uint16_t necombs = 0;

	memset(body, 0, sizeof(body));
	for (unsigned int e = 0; e < (ne ? ne : 1); e++) {
		for (unsigned int a = 0; a < (na ? na : 1); a++) {
			struct sadb_x_ecomb ec;
			struct sadb_x_algdesc d[3];
			unsigned int nd = 0;

			if (necombs == CTL_COMBS_MAX || (ne == 0 && na == 0))
				goto done;
			memset(&ec, 0, sizeof(ec));
			memset(d, 0, sizeof(d));
			if (ne > 0) {
				d[nd].sadb_x_algdesc_satype = SADB_SATYPE_ESP;
				d[nd].sadb_x_algdesc_algtype = SADB_X_ALGTYPE_CRYPT;
				d[nd].sadb_x_algdesc_alg = esp[e].sadb_comb_encrypt;
				d[nd].sadb_x_algdesc_minbits = esp[e].sadb_comb_encrypt_minbits;
				d[nd].sadb_x_algdesc_maxbits = esp[e].sadb_comb_encrypt_maxbits;
				nd++;
				if (esp[e].sadb_comb_auth != 0) {
					d[nd].sadb_x_algdesc_satype = SADB_SATYPE_ESP;
					d[nd].sadb_x_algdesc_algtype = SADB_X_ALGTYPE_AUTH;
					d[nd].sadb_x_algdesc_alg = esp[e].sadb_comb_auth;
					d[nd].sadb_x_algdesc_minbits = esp[e].sadb_comb_auth_minbits;
					d[nd].sadb_x_algdesc_maxbits = esp[e].sadb_comb_auth_maxbits;
					nd++;
				}
			}
			if (na > 0) {
				d[nd].sadb_x_algdesc_satype = SADB_SATYPE_AH;
				d[nd].sadb_x_algdesc_algtype = SADB_X_ALGTYPE_AUTH;
				d[nd].sadb_x_algdesc_alg = ah[a].sadb_comb_auth;
				d[nd].sadb_x_algdesc_minbits = ah[a].sadb_comb_auth_minbits;
				d[nd].sadb_x_algdesc_maxbits = ah[a].sadb_comb_auth_maxbits;
				nd++;
			}
			ec.sadb_x_ecomb_numalgs = (uint8_t)nd;
			memcpy(body + len, &ec, sizeof(ec));
			len += sizeof(ec);
			memcpy(body + len, d, nd * sizeof(d[0]));
			len += nd * sizeof(d[0]);
			necombs++;
		}
	}
done:
	memcpy(body + 2, &necombs, sizeof(necombs));
	/* The body must end on an 8-byte boundary after the 4-byte header:
	 * ecombs (64) and algdescs (8) keep it at 4 mod 8. */
	pfk_add_ext(b, SADB_X_EXT_EPROP, body, len);
}

static void add_sockaddr(struct pfk_builder *b, uint16_t exttype, const struct sockaddr *sa,
	uint8_t proto)
{
	if (sa != NULL)
		pfk_add_address(b, exttype, sa, proto, 0);
}

int ctl_acquire_build(struct ctl *ctl, const struct ctl_spd_rule *rule, uint8_t satype,
	uint8_t type, uint32_t seq, uint32_t pid, const struct sockaddr *src,
	const struct sockaddr *dst, const struct sockaddr *isrc, const struct sockaddr *idst,
	uint8_t proto, void *buf, size_t cap)
{
	struct sadb_comb combs[CTL_COMBS_MAX];
	unsigned int n = build_combs(rule, satype, combs, CTL_COMBS_MAX);
	struct pfk_builder b;

	(void)ctl;
	pfk_build_init(&b, buf, cap, type, satype, seq, pid);
	add_sockaddr(&b, SADB_EXT_ADDRESS_SRC, src, isrc != NULL ? 0 : proto);
	add_sockaddr(&b, SADB_EXT_ADDRESS_DST, dst, isrc != NULL ? 0 : proto);
	if (isrc != NULL && idst != NULL) {
		add_sockaddr(&b, SADB_X_EXT_ADDRESS_INNER_SRC, isrc, proto);
		add_sockaddr(&b, SADB_X_EXT_ADDRESS_INNER_DST, idst, proto);
	}
	if (n > 0)
		pfk_add_proposal(&b, 0, combs, n);
	add_eprop(&b, rule);
	return pfk_build_finish(&b);
}

/* A sockaddr from flow bytes. */
static void flow_sockaddr(struct sockaddr_storage *ss, uint8_t family, const uint8_t *bytes,
	uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, bytes, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, bytes, 16);
	}
}

static uint8_t rule_satype(const struct ctl_spd_rule *rule, uint8_t *mask)
{
	uint8_t t = 0;

	*mask = 0;
	for (unsigned int i = 0; i < rule->nsareq; i++) {
		*mask |= (uint8_t)(1u << rule->sareq[i].sadb_x_req_satype);
		if (t != SADB_SATYPE_ESP)
			t = rule->sareq[i].sadb_x_req_satype;
	}
	return t;
}

/* Rate limit: false when this flow was asked for recently or the budget
 * of this second is spent. */
static bool acquire_allowed(struct ctl *ctl, const struct ctl_spd_rule *rule,
	const struct dp_flow *f)
{
	ev_tstamp now = ctl_now(ctl);
	uint64_t h = 0xcbf29ce484222325ull;
	const uint8_t *p = (const uint8_t *)f;
	struct ctl_acq_slot *slot;

	for (size_t i = 0; i < sizeof(*f); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	h = (h ^ rule->pol.sadb_x_pol_index) * 0x100000001b3ull;
	slot = &ctl->acq[h % CTL_ACQ_SLOTS];
	if (slot->hash == h && now - slot->sent < ctl->params.acquire_interval_ms / 1000.0)
		return false;
	if (now - ctl->acq_second >= 1.0) {
		ctl->acq_second = now;
		ctl->acq_in_second = 0;
	}
	if (ctl->acq_in_second >= ctl->params.acquire_burst)
		return false;
	ctl->acq_in_second++;
	slot->hash = h;
	slot->sent = now;
	return true;
}

int ctl_acquire_send(struct ctl *ctl, const struct ctl_spd_rule *rule, const struct dp_flow *f)
{
	struct sockaddr_storage s, d, es, ed;
	const struct sockaddr *src = (void *)&s, *dst = (void *)&d, *isrc = NULL, *idst = NULL;
	uint8_t mask, satype = rule_satype(rule, &mask);
	int n;

	if (satype == 0 || (f->family != AF_INET && f->family != AF_INET6))
		return -EINVAL;
	if (!acquire_allowed(ctl, rule, f)) {
		ctl->stats.acquires_suppressed++;
		return -EAGAIN;
	}
	flow_sockaddr(&s, f->family, f->src, f->sport);
	flow_sockaddr(&d, f->family, f->dst, f->dport);
	if (rule->pol.sadb_x_pol_mode == SADB_X_DPSEC_MODE_TUNNEL && rule->endpoints_len > 0) {
		const struct sadb_address *a = (const void *)rule->endpoints;
		const struct sadb_address *z = (const void *)(rule->endpoints +
							      (size_t)a->sadb_address_len * 8);
		size_t la = (size_t)a->sadb_address_len * 8 - sizeof(*a);
		size_t lz = (size_t)z->sadb_address_len * 8 - sizeof(*z);

		memset(&es, 0, sizeof(es));
		memset(&ed, 0, sizeof(ed));
		memcpy(&es, pfk_addr_sockaddr(a), la < sizeof(es) ? la : sizeof(es));
		memcpy(&ed, pfk_addr_sockaddr(z), lz < sizeof(ed) ? lz : sizeof(ed));
		isrc = src;
		idst = dst;
		src = (void *)&es;
		dst = (void *)&ed;
	}
	n = ctl_acquire_build(ctl, rule, satype, SADB_ACQUIRE, ++ctl->seq, 0, src, dst, isrc, idst,
			      f->proto, ctl->wbuf, sizeof(ctl->wbuf));
	if (n < 0)
		return n;
	for (struct ctl_client *c = ctl->clients; c != NULL; c = c->next) {
		if ((c->registered & mask) != 0 && c->state != CTL_CLIENT_CLOSED)
			ctl_client_send(c, ctl->wbuf, (size_t)n, CTL_SEND_BROADCAST);
	}
	ctl->stats.acquires_sent++;
	return 0;
}

static void lease_low(struct ctl *ctl, struct ctl_sa *sa, uint64_t seq)
{
	uint64_t limit = seq + ctl->params.lease_size;

	if (sa->lease_external || sa->dir != DP_DIR_OUT || limit <= sa->lease_limit)
		return;
	if (dp_sa_set_lease(ctl->dp, sa->handle, limit) == 0) {
		sa->lease_limit = limit;
		ctl->stats.lease_extensions++;
	}
}

static void handle_event(struct ctl *ctl, const struct dp_event *ev)
{
	struct ctl_sa *sa = ctl_sadb_by_handle(ctl->sadb, ev->sa);

	if (ev->type == DP_EVENT_ACQUIRE) {
		const struct ctl_spd_rule *rule = ctl_spd_get(ctl->spd, ev->policy);

		if (rule != NULL && rule->pol.sadb_x_pol_action == SADB_X_DPSEC_ACTION_IPSEC)
			ctl_acquire_send(ctl, rule, &ev->flow);
		return;
	}
	if (sa == NULL)
		return; /* deleted since: nothing to say */
	switch (ev->type) {
	case DP_EVENT_SOFT_BYTES:
	case DP_EVENT_SOFT_PACKETS:
		ctl_lifetime_soft(ctl, sa);
		break;
	case DP_EVENT_HARD_BYTES:
	case DP_EVENT_HARD_PACKETS:
	case DP_EVENT_SEQ_EXHAUSTED:
		ctl_lifetime_hard(ctl, sa);
		break;
	case DP_EVENT_LEASE_LOW:
	case DP_EVENT_LEASE_EXHAUSTED:
		lease_low(ctl, sa, ev->value);
		break;
	case DP_EVENT_IDLE_TRAFFIC:
		/* The cluster agent's business (it polls with GET/DUMP). */
		break;
	default:
		break;
	}
}

void ctl_event_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl *ctl = w->data;
	struct dp_event ev[CTL_EVENT_BATCH];
	int n;

	(void)loop;
	(void)revents;
	do {
		n = dp_event_poll(ctl->dp, ev, CTL_EVENT_BATCH);
		for (int i = 0; i < n; i++) {
			ctl->stats.events++;
			handle_event(ctl, &ev[i]);
		}
	} while (n == (int)CTL_EVENT_BATCH);
	ctl_client_reap(ctl);
}
