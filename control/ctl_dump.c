/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_dump.c: DUMP and SPDDUMP, streamed without blocking the loop.
 *
 * A dump is a cursor on the client (struct ctl_dump).  Each step makes one
 * message and offers it to the client's queue; it stops when the queue is
 * full or after CTL_DUMP_BATCH messages.  A step's messages are queued and
 * written with sendmmsg() at its end; then, while the dump is not over,
 * the client's write watcher is started and resumes it when the socket
 * takes more (at once if the step's messages all went out, so other
 * clients are served in between; else as the client reads).
 * A client that stops reading therefore costs at most its queue limit.
 *
 * Messages: one GET-shaped reply per SA (type DUMP, the request's seq and
 * pid), keys only for privileged clients, then the end marker: a bare base
 * header with seq 0 (RFC 2367 3.1.10; illumos).  EDUMP(timeout): only SAs
 * used within the last `timeout` seconds.
 */
#include <string.h>

#include "ctl_priv.h"

#define CTL_DUMP_BATCH 256u
#define CTL_DUMP_ROOM 4096u /* bytes a step may need, keys and all */

static bool dump_wanted(struct ctl *ctl, const struct ctl_dump *d, const struct ctl_sa *sa)
{
	struct dp_sa_stats st;

	if (d->satype != 0 && sa->satype != d->satype)
		return false;
	if (!d->edump)
		return true;
	if (sa->handle == DP_SA_HANDLE_INVALID || dp_sa_get_stats(ctl->dp, sa->handle, &st) != 0 ||
	    st.last_use == 0)
		return false;
	return (double)st.last_use + (double)d->edump_timeout >= ctl_now(ctl);
}

/* One message into wbuf: the next SA or rule, or the end marker.  Returns
 * its length, 0 at the end (marker built, dump over), or -errno. */
static int dump_step(struct ctl *ctl, struct ctl_dump *d, bool *end)
{
	*end = false;
	if (d->type == SADB_DUMP) {
		struct ctl_sa *sa;

		while ((sa = ctl_sadb_next(ctl->sadb, &d->cursor)) != NULL) {
			if (dump_wanted(ctl, d, sa))
				return ctl_sa_describe(ctl, sa, SADB_DUMP, d->seq, d->pid, d->keys,
						       ctl->wbuf, sizeof(ctl->wbuf));
		}
	} else {
		const struct ctl_spd_rule *rule = ctl_spd_next_by_index(ctl->spd, d->cursor);

		if (rule != NULL) {
			struct pfk_builder b;

			d->cursor = rule->pol.sadb_x_pol_index;
			pfk_build_init(&b, ctl->wbuf, sizeof(ctl->wbuf), d->type, 0, d->seq, d->pid);
			ctl_spd_rule_build(rule, &b);
			return pfk_build_finish(&b);
		}
	}
	*end = true;
	{
		struct pfk_builder b;

		pfk_build_init(&b, ctl->wbuf, sizeof(ctl->wbuf), d->type, d->satype, 0, d->pid);
		return pfk_build_finish(&b);
	}
}

/* Up to CTL_DUMP_BATCH messages, fewer when the client's queue fills. */
static void dump_batch(struct ctl_client *c)
{
	struct ctl *ctl = c->ctl;
	struct ctl_dump *d = &c->dump;

	for (unsigned int i = 0; i < CTL_DUMP_BATCH; i++) {
		bool end;
		int n;

		if (!d->active || c->state == CTL_CLIENT_CLOSED)
			return;
		if (!ctl_client_has_room(c, CTL_DUMP_ROOM))
			return; /* resumed by the write watcher */
		n = dump_step(ctl, d, &end);
		if (n > 0) {
			ctl_client_send(c, ctl->wbuf, (size_t)n, CTL_SEND_REPLY);
			pfk_wipe(ctl->wbuf, (size_t)n);
			d->sent++;
		}
		if (end || n < 0) {
			d->active = false;
			return;
		}
	}
}

void ctl_dump_continue(struct ctl_client *c)
{
	struct ctl_client *prev;

	if (c->local)
		return; /* ctl_submit refuses dumps; never watch fd -1 */
	/* The step's messages go out together (sendmmsg), not one send()
	 * each. */
	prev = ctl_client_batch_begin(c);
	dump_batch(c);
	ctl_client_batch_end(c, prev);
	/* Whatever stopped the step, the write watcher resumes the dump: the
	 * flush above may have emptied the queue and stopped the watcher, and
	 * nothing else would (a client held BLOCKED by the full queue is not
	 * even read).  With an empty queue it fires on the next iteration,
	 * after the other watchers had their turn. */
	if (c->dump.active && c->state != CTL_CLIENT_CLOSED)
		ev_io_start(c->ctl->loop, &c->wio);
}
