/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_dispatch.c: one request, from bytes to handler.
 *
 * Order (validate, then act): frame and judge the message with
 * pfk_validate(PFK_DIR_REQUEST); check the sender's credentials against the
 * message's table entry; show a key-free copy to promiscuous listeners;
 * run the handler.  A handler checks the SADB/SPD state before it changes
 * anything, and rolls back a dataplane failure, so an error reply always
 * means nothing changed.
 *
 * Permissions (docs/CONTROL.md): a privileged client (uid 0 or the socket
 * group) may do everything.  Any other client that can reach the socket
 * may only read -- GET and DUMP without keys, SPDGET, SPDDUMP -- and
 * receives key-free broadcasts; everything else is EPERM with
 * DPSEC_NOT_PERMITTED.
 */
#include <errno.h>
#include <string.h>

#include "ctl_priv.h"

enum ctl_perm {
	CTL_PERM_READ,  /* anyone connected (keys only when privileged) */
	CTL_PERM_WRITE, /* privileged only */
};

struct ctl_msg_entry {
	ctl_handler_fn fn;
	enum ctl_perm perm;
};

#define CTL_MSG_TABLE(X)                                             \
	X(SADB_GETSPI, ctl_msg_getspi, CTL_PERM_WRITE)               \
	X(SADB_UPDATE, ctl_msg_update, CTL_PERM_WRITE)               \
	X(SADB_ADD, ctl_msg_add, CTL_PERM_WRITE)                     \
	X(SADB_DELETE, ctl_msg_delete, CTL_PERM_WRITE)               \
	X(SADB_GET, ctl_msg_get, CTL_PERM_READ)                      \
	X(SADB_ACQUIRE, ctl_msg_acquire, CTL_PERM_WRITE)             \
	X(SADB_REGISTER, ctl_msg_register, CTL_PERM_WRITE)           \
	X(SADB_FLUSH, ctl_msg_flush, CTL_PERM_WRITE)                 \
	X(SADB_DUMP, ctl_msg_dump, CTL_PERM_READ)                    \
	X(SADB_X_PROMISC, ctl_msg_promisc, CTL_PERM_WRITE)           \
	X(SADB_X_INVERSE_ACQUIRE, ctl_msg_inverse_acquire, CTL_PERM_WRITE) \
	X(SADB_X_UPDATEPAIR, ctl_msg_updatepair, CTL_PERM_WRITE)     \
	X(SADB_X_DELPAIR, ctl_msg_delpair, CTL_PERM_WRITE)           \
	X(SADB_X_DELPAIR_STATE, ctl_msg_delpair_state, CTL_PERM_WRITE) \
	X(SADB_X_DPSEC_SPDADD, ctl_msg_spdadd, CTL_PERM_WRITE)       \
	X(SADB_X_DPSEC_SPDDELETE, ctl_msg_spddelete, CTL_PERM_WRITE) \
	X(SADB_X_DPSEC_SPDGET, ctl_msg_spdget, CTL_PERM_READ)        \
	X(SADB_X_DPSEC_SPDDUMP, ctl_msg_spddump, CTL_PERM_READ)      \
	X(SADB_X_DPSEC_SPDFLUSH, ctl_msg_spdflush, CTL_PERM_WRITE)

static const struct ctl_msg_entry msg_table[256] = {
#define CTL_MSG_ENTRY_(type, fn, perm) [type] = { fn, perm },
	CTL_MSG_TABLE(CTL_MSG_ENTRY_)
#undef CTL_MSG_ENTRY_
};

/* Key-free copy of a request for promiscuous listeners (not the sender). */
static void promisc_copy(struct ctl *ctl, struct ctl_client *from, const struct pfk_msg *m)
{
	int n = -1;

	for (struct ctl_client *c = ctl->clients; c != NULL; c = c->next) {
		if (!c->promisc || c == from || c->state == CTL_CLIENT_CLOSED)
			continue;
		if (n < 0 && (n = pfk_copy_without_keys(m, ctl->wbuf2, sizeof(ctl->wbuf2))) < 0)
			return;
		ctl_client_send(c, ctl->wbuf2, (size_t)n, CTL_SEND_BROADCAST);
	}
	if (n > 0)
		pfk_wipe(ctl->wbuf2, (size_t)n);
}

void ctl_handle_request(struct ctl *ctl, struct ctl_client *c, size_t len)
{
	const struct sadb_msg *hdr = (const void *)ctl->rbuf;
	const struct ctl_msg_entry *e;
	struct ctl_req r;
	struct pfk_msg m;
	uint16_t diag = 0;
	int err;

	ctl->stats.requests++;
	if (len < sizeof(*hdr)) {
		ctl_reply_error(ctl, c, NULL, EINVAL, SADB_X_DIAGNOSTIC_DPSEC_SHORT_MSG);
		return;
	}
	err = pfk_validate(ctl->rbuf, len, PFK_DIR_REQUEST, &m, &diag);
	if (err != 0)
		goto fail;
	e = &msg_table[hdr->sadb_msg_type];
	if (e->fn == NULL) {
		err = -EOPNOTSUPP;
		diag = SADB_X_DIAGNOSTIC_UNKNOWN_MSG;
		goto fail;
	}
	if (e->perm == CTL_PERM_WRITE && !c->privileged) {
		ctl->stats.refused_perm++;
		err = -EPERM;
		diag = SADB_X_DIAGNOSTIC_DPSEC_NOT_PERMITTED;
		goto fail;
	}
	promisc_copy(ctl, c, &m);
	r.ctl = ctl;
	r.client = c;
	r.m = &m;
	r.diag = &diag;
	err = e->fn(&r);
	if (err == 0)
		return;
fail:
	ctl_reply_error(ctl, c, hdr, -err, diag);
}

int ctl_submit(struct ctl *ctl, const void *req, size_t len, uint16_t *diag)
{
	struct ctl_client local;

	if (ctl == NULL || req == NULL || len < sizeof(struct sadb_msg) || len > sizeof(ctl->rbuf))
		return -EINVAL;
	/* Streams and listener states need a socket. */
	switch (((const struct sadb_msg *)req)->sadb_msg_type) {
	case SADB_DUMP:
	case SADB_X_DPSEC_SPDDUMP:
	case SADB_X_PROMISC:
	case SADB_REGISTER:
		return -EOPNOTSUPP;
	default:
		break;
	}
	memset(&local, 0, sizeof(local));
	local.ctl = ctl;
	local.fd = -1;
	local.privileged = true;
	local.local = true;
	local.state = CTL_CLIENT_READING;
	memcpy(ctl->rbuf, req, len);
	ctl_handle_request(ctl, &local, len);
	pfk_wipe(ctl->rbuf, len);
	ctl_client_reap(ctl);
	if (diag != NULL)
		*diag = local.local_replied ? local.local_reply.sadb_x_msg_diagnostic : 0;
	return local.local_replied && local.local_reply.sadb_msg_errno != 0 ?
		       -(int)local.local_reply.sadb_msg_errno : 0;
}
