/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_spd_msg.c: the dpsec policy messages SPDADD, SPDDELETE, SPDGET,
 * SPDDUMP and SPDFLUSH (docs/PFKEY.md section 3.7).
 *
 * SPDADD, SPDDELETE and SPDFLUSH answer the sender and tell every other
 * socket (policies hold no secrets); SPDGET answers the sender only;
 * SPDDUMP streams like DUMP (ctl_dump.c).
 */
#include <errno.h>
#include <string.h>

#include "ctl_priv.h"

/* Build a message describing rule into wbuf. */
static int rule_msg(struct ctl *ctl, uint8_t type, const struct sadb_msg *req,
	const struct ctl_spd_rule *rule)
{
	struct pfk_builder b;

	pfk_build_init(&b, ctl->wbuf, sizeof(ctl->wbuf), type, 0, req->sadb_msg_seq,
		       req->sadb_msg_pid);
	ctl_spd_rule_build(rule, &b);
	return pfk_build_finish(&b);
}

int ctl_msg_spdadd(struct ctl_req *r)
{
	struct ctl *ctl = r->ctl;
	struct ctl_spd_rule rule;
	int err, n;

	err = ctl_spd_rule_from_msg(r->m, &rule, r->diag);
	if (err != 0)
		return err;
	err = ctl_spd_add(ctl->spd, &rule, r->diag);
	if (err != 0)
		return err;
	ctl_publish_rule_added(ctl, ctl_spd_get(ctl->spd, rule.pol.sadb_x_pol_index));
	n = rule_msg(ctl, SADB_X_DPSEC_SPDADD, r->m->hdr, &rule);
	if (n > 0)
		ctl_send_all(ctl, r->client, ctl->wbuf, (size_t)n);
	return 0;
}

int ctl_msg_spddelete(struct ctl_req *r)
{
	struct ctl *ctl = r->ctl;
	struct ctl_spd_rule rule;
	int n;

	if (ctl_spd_delete(ctl->spd, r->m->policy->sadb_x_pol_index, &rule) != 0) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_POLICY_NOTFOUND;
		return -ENOENT;
	}
	ctl_publish_rule_deleted(ctl, rule.pol.sadb_x_pol_index);
	n = rule_msg(ctl, SADB_X_DPSEC_SPDDELETE, r->m->hdr, &rule);
	if (n > 0)
		ctl_send_all(ctl, r->client, ctl->wbuf, (size_t)n);
	return 0;
}

int ctl_msg_spdget(struct ctl_req *r)
{
	struct ctl *ctl = r->ctl;
	const struct ctl_spd_rule *rule = ctl_spd_get(ctl->spd, r->m->policy->sadb_x_pol_index);
	int n;

	if (rule == NULL) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_POLICY_NOTFOUND;
		return -ENOENT;
	}
	n = rule_msg(ctl, SADB_X_DPSEC_SPDGET, r->m->hdr, rule);
	if (n < 0) {
		*r->diag = SADB_X_DIAGNOSTIC_DPSEC_NO_RESOURCES;
		return n;
	}
	ctl_reply(ctl, r->client, ctl->wbuf, (size_t)n);
	return 0;
}

int ctl_msg_spddump(struct ctl_req *r)
{
	struct ctl_dump *d = &r->client->dump;

	if (d->active) {
		*r->diag = SADB_X_DIAGNOSTIC_NONE;
		return -EBUSY;
	}
	memset(d, 0, sizeof(*d));
	d->active = true;
	d->type = SADB_X_DPSEC_SPDDUMP;
	d->seq = r->m->hdr->sadb_msg_seq;
	d->pid = r->m->hdr->sadb_msg_pid;
	d->cursor = 0; /* last index sent */
	ctl_dump_continue(r->client);
	return 0;
}

int ctl_msg_spdflush(struct ctl_req *r)
{
	ctl_spd_flush(r->ctl->spd);
	ctl_publish_all(r->ctl);
	return ctl_reply_all(r->ctl, r->client, r->m);
}
