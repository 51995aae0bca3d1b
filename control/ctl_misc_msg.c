/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_misc_msg.c: REGISTER, FLUSH, DUMP, X_PROMISC, X_INVERSE_ACQUIRE and
 * the pair messages X_UPDATEPAIR, X_DELPAIR, X_DELPAIR_STATE.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl_priv.h"

/* SUPPORTED_AUTH / _ENCRYPT: the pfkey algorithm table minus what dpsec
 * does not implement (PFK_ALG_LEGACY) -- what the dataplane's engines do. */
static void add_supported(struct pfk_builder *b, enum pfk_alg_kind kind)
{
	struct sadb_alg algs[64];
	size_t n = 0;

	for (unsigned int i = 0; n < 64; i++) {
		const struct pfk_alg_info *a = pfk_alg_at(kind, i);

		if (a == NULL)
			break;
		if ((a->flags & PFK_ALG_LEGACY) || a->id == 0)
			continue;
		memset(&algs[n], 0, sizeof(algs[n]));
		algs[n].sadb_alg_id = a->id;
		algs[n].sadb_alg_ivlen = (uint8_t)(a->ivlen * 8);
		algs[n].sadb_alg_minbits = a->minbits;
		algs[n].sadb_alg_maxbits = a->maxbits;
		algs[n].sadb_x_alg_increment = (uint8_t)a->increment;
		algs[n].sadb_x_alg_saltbits = a->saltbits;
		n++;
	}
	pfk_add_supported(b, kind == PFK_ALG_AUTH ? SADB_EXT_SUPPORTED_AUTH :
						   SADB_EXT_SUPPORTED_ENCRYPT, algs, n);
}

int ctl_msg_register(struct ctl_req *r)
{
	struct ctl *ctl = r->ctl;
	const struct sadb_msg *h = r->m->hdr;
	struct ctl_client *c = r->client;
	struct pfk_builder b;
	uint8_t mask = 0;
	int n;

	if (h->sadb_msg_satype != 0) {
		mask = (uint8_t)(1u << h->sadb_msg_satype);
	} else if (r->m->ext[SADB_X_EXT_EREG] != NULL) {
		const struct sadb_ext *e = r->m->ext[SADB_X_EXT_EREG];
		const uint8_t *types = (const uint8_t *)(e + 1);
		size_t max = (size_t)e->sadb_ext_len * 8 - sizeof(*e);

		/* pfk_parse checked: entries are AH or ESP, and a 0 ends them. */
		for (size_t i = 0; i < max && types[i] != 0; i++)
			mask |= (uint8_t)(1u << types[i]);
		c->extended = true;
	} else {
		mask = (1u << SADB_SATYPE_AH) | (1u << SADB_SATYPE_ESP);
	}
	c->registered |= mask;
	pfk_build_init(&b, ctl->wbuf, sizeof(ctl->wbuf), SADB_REGISTER, h->sadb_msg_satype,
		       h->sadb_msg_seq, h->sadb_msg_pid);
	add_supported(&b, PFK_ALG_AUTH);
	if (mask & (1u << SADB_SATYPE_ESP))
		add_supported(&b, PFK_ALG_ENCRYPT);
	n = pfk_build_finish(&b);
	if (n < 0) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		return n;
	}
	ctl_reply(ctl, c, ctl->wbuf, (size_t)n);
	return 0;
}

int ctl_msg_flush(struct ctl_req *r)
{
	struct ctl *ctl = r->ctl;
	uint8_t satype = r->m->hdr->sadb_msg_satype;
	uint32_t cursor = 0;
	struct ctl_sa *sa;

	ctl_publish_all(ctl); /* one publication, not a rebind per SA */
	while ((sa = ctl_sadb_next(ctl->sadb, &cursor)) != NULL) {
		if (satype == 0 || sa->satype == satype)
			ctl_sa_destroy(ctl, sa);
	}
	return ctl_reply_all(ctl, r->client, r->m);
}

int ctl_msg_dump(struct ctl_req *r)
{
	struct ctl_client *c = r->client;
	struct ctl_dump *d = &c->dump;

	if (d->active) {
		*r->diag = SADB_X_DIAGNOSTIC_NONE;
		return -EBUSY;
	}
	memset(d, 0, sizeof(*d));
	d->active = true;
	d->type = SADB_DUMP;
	d->satype = r->m->hdr->sadb_msg_satype;
	d->keys = c->privileged;
	d->seq = r->m->hdr->sadb_msg_seq;
	d->pid = r->m->hdr->sadb_msg_pid;
	if (r->m->edump != NULL) {
		d->edump = true;
		d->edump_timeout = r->m->edump->sadb_x_edump_timeout;
	}
	ctl_dump_continue(c);
	return 0;
}

int ctl_msg_promisc(struct ctl_req *r)
{
	struct sadb_msg h = *r->m->hdr;

	/* The satype is the switch (illumos): nonzero on, 0 off. */
	r->client->promisc = h.sadb_msg_satype != 0;
	h.sadb_msg_len = sizeof(h) / 8;
	ctl_client_send(r->client, &h, sizeof(h), CTL_SEND_REPLY);
	return 0;
}

/* Flow selectors from an address extension pair. */
static void flow_from(const struct sadb_address *s, const struct sadb_address *d,
	struct ctl_spd_flow *f)
{
	const struct sockaddr *ss = pfk_addr_sockaddr(s), *ds = pfk_addr_sockaddr(d);
	struct dp_addr a;

	f->family = (uint8_t)ss->sa_family;
	f->proto = s->sadb_address_proto;
	ctl_addr_from_ext(s, &a);
	memcpy(f->src, a.bytes, 16);
	ctl_addr_from_ext(d, &a);
	memcpy(f->dst, a.bytes, 16);
	if (ss->sa_family == AF_INET) {
		f->sport = ntohs(((const struct sockaddr_in *)(const void *)ss)->sin_port);
		f->dport = ntohs(((const struct sockaddr_in *)(const void *)ds)->sin_port);
	} else {
		f->sport = ntohs(((const struct sockaddr_in6 *)(const void *)ss)->sin6_port);
		f->dport = ntohs(((const struct sockaddr_in6 *)(const void *)ds)->sin6_port);
	}
}

/* Answer from the SPD: the outbound rule for these addresses, as the
 * ACQUIRE its traffic would raise (with EPROP). */
int ctl_msg_inverse_acquire(struct ctl_req *r)
{
	struct ctl *ctl = r->ctl;
	const struct pfk_msg *m = r->m;
	const struct ctl_spd_rule *rule;
	struct ctl_spd_flow f;
	int n;

	memset(&f, 0, sizeof(f));
	f.dir = SADB_X_DPSEC_DIR_OUT;
	if (m->inner_src != NULL && m->inner_dst != NULL) {
		struct dp_addr a;

		flow_from(m->inner_src, m->inner_dst, &f);
		f.has_outer = true;
		ctl_addr_from_ext(m->src, &a);
		memcpy(f.outer_src, a.bytes, 16);
		ctl_addr_from_ext(m->dst, &a);
		memcpy(f.outer_dst, a.bytes, 16);
	} else {
		flow_from(m->src, m->dst, &f);
	}
	rule = ctl_spd_match(ctl->spd, &f);
	if (rule == NULL || rule->pol.sadb_x_pol_action != SADB_X_DPSEC_ACTION_IPSEC) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_POLICY_NOTFOUND;
		return -ENOENT;
	}
	n = ctl_acquire_build(ctl, rule, m->hdr->sadb_msg_satype, SADB_X_INVERSE_ACQUIRE,
			      m->hdr->sadb_msg_seq, m->hdr->sadb_msg_pid, pfk_addr_sockaddr(m->src),
			      pfk_addr_sockaddr(m->dst),
			      m->inner_src ? pfk_addr_sockaddr(m->inner_src) : NULL,
			      m->inner_dst ? pfk_addr_sockaddr(m->inner_dst) : NULL,
			      (m->inner_src ? m->inner_src : m->src)->sadb_address_proto, ctl->wbuf,
			      sizeof(ctl->wbuf));
	if (n < 0) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		return n;
	}
	ctl_reply(ctl, r->client, ctl->wbuf, (size_t)n);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Pairs.                                                                    */

int ctl_msg_updatepair(struct ctl_req *r)
{
	struct ctl *ctl = r->ctl;
	struct ctl_sa *sa, *partner;
	int err = ctl_sa_lookup(ctl, r->m, &sa, r->diag);

	if (err != 0)
		return err;
	partner = ctl_sa_partner(ctl, sa);
	if (partner == NULL) {
		*r->diag = SADB_X_DIAGNOSTIC_PAIR_SA_NOTFOUND;
		return -ESRCH;
	}
	return ctl_sa_update_pair(r, sa, partner);
}

int ctl_msg_delpair(struct ctl_req *r)
{
	struct ctl *ctl = r->ctl;
	struct ctl_sa *sa, *partner;
	int err = ctl_sa_lookup(ctl, r->m, &sa, r->diag);

	if (err != 0)
		return err;
	partner = ctl_sa_partner(ctl, sa);
	if (partner != NULL)
		ctl_sa_destroy(ctl, partner);
	ctl_sa_destroy(ctl, sa);
	return ctl_reply_all(ctl, r->client, r->m);
}

int ctl_msg_delpair_state(struct ctl_req *r)
{
	struct ctl *ctl = r->ctl;
	uint8_t satype = r->m->hdr->sadb_msg_satype, state = r->m->sa->sadb_sa_state;
	struct dp_addr src;
	uint32_t cursor = 0;
	struct ctl_sa *sa;

	if (ctl_addr_from_ext(r->m->src, &src) != 0) {
		*r->diag = SADB_X_DIAGNOSTIC_BAD_SRC_AF;
		return -EINVAL;
	}
	/* Collect first, then delete: a partner may sit behind the cursor. */
	while ((sa = ctl_sadb_next(ctl->sadb, &cursor)) != NULL) {
		struct ctl_sa *partner;

		if ((satype != 0 && sa->satype != satype) || sa->state != state ||
		    !ctl_addr_equal(&sa->src, &src) || sa->pair_spi == 0)
			continue;
		partner = ctl_sa_partner(ctl, sa);
		if (partner != NULL)
			ctl_sa_destroy(ctl, partner);
		ctl_sa_destroy(ctl, sa);
	}
	return ctl_reply_all(ctl, r->client, r->m);
}
