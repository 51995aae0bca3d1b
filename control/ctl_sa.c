/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_sa.c: SA records shared by the handlers, timers and events --
 * address conversion, lookup, the GET-shaped description, destruction.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl_priv.h"

int ctl_addr_from_ext(const struct sadb_address *a, struct dp_addr *out)
{
	const struct sockaddr *sa = pfk_addr_sockaddr(a);

	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		out->family = AF_INET;
		memcpy(out->bytes, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		out->family = AF_INET6;
		memcpy(out->bytes, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

bool ctl_addr_unspecified(const struct dp_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->bytes, zero, sizeof(zero)) == 0;
}

int ctl_sa_lookup(struct ctl *ctl, const struct pfk_msg *m, struct ctl_sa **out, uint16_t *diag)
{
	struct dp_addr dst, src;
	struct ctl_sa *sa;

	if (ctl_addr_from_ext(m->dst, &dst) != 0) {
		*diag = SADB_X_DIAGNOSTIC_BAD_DST_AF;
		return -EINVAL;
	}
	sa = ctl_sadb_find(ctl->sadb, m->sa->sadb_sa_spi, m->hdr->sadb_msg_satype, &dst);
	/* A source, when given, must be the SA's too (illumos); the
	 * unspecified address (0.0.0.0, ::) stands for any. */
	if (sa != NULL && m->src != NULL &&
	    (ctl_addr_from_ext(m->src, &src) != 0 ||
	     (!ctl_addr_unspecified(&src) && !ctl_addr_equal(&src, &sa->src))))
		sa = NULL;
	if (sa == NULL) {
		*diag = SADB_X_DIAGNOSTIC_SA_NOTFOUND;
		return -ESRCH;
	}
	*out = sa;
	return 0;
}

struct ctl_sa *ctl_sa_partner(struct ctl *ctl, const struct ctl_sa *sa)
{
	struct ctl_sa *p;

	if (sa->pair_spi == 0)
		return NULL;
	p = ctl_sadb_find(ctl->sadb, sa->pair_spi, sa->satype, &sa->src);
	return p != NULL && p->pair_spi == sa->spi ? p : NULL;
}

void ctl_sa_unpair(struct ctl *ctl, struct ctl_sa *sa)
{
	struct ctl_sa *p = ctl_sa_partner(ctl, sa);

	if (p != NULL)
		p->pair_spi = 0;
	sa->pair_spi = 0;
}

void ctl_sa_destroy(struct ctl *ctl, struct ctl_sa *sa)
{
	ctl_sa_unpair(ctl, sa);
	if (sa->handle != DP_SA_HANDLE_INVALID)
		dp_sa_delete(ctl->dp, sa->handle);
	if (sa->state == SADB_SASTATE_LARVAL && ctl->stats.larval > 0)
		ctl->stats.larval--;
	ctl_publish_sa_detach(ctl, sa);
	ctl_sadb_remove(ctl->sadb, sa);
	ctl_sa_free(sa);
}

/* Append the stored descriptive extensions; keys only when asked. */
static void add_stored(struct pfk_builder *b, const struct ctl_sa *sa, bool keys)
{
	size_t off = 0;

	while (off < sa->ext_len) {
		const struct sadb_ext *e = (const void *)(sa->ext + off);
		size_t len = (size_t)e->sadb_ext_len * 8;
		bool key = e->sadb_ext_type == SADB_EXT_KEY_AUTH ||
			   e->sadb_ext_type == SADB_EXT_KEY_ENCRYPT;

		if (!key || keys)
			pfk_add_ext(b, e->sadb_ext_type, e + 1, len - sizeof(*e));
		off += len;
	}
}

static void add_lifetime(struct pfk_builder *b, const struct sadb_lifetime *lt)
{
	if (lt->sadb_lifetime_exttype != 0)
		pfk_add_lifetime(b, lt->sadb_lifetime_exttype, lt->sadb_lifetime_allocations,
				 lt->sadb_lifetime_bytes, lt->sadb_lifetime_addtime,
				 lt->sadb_lifetime_usetime);
}

int ctl_sa_describe(struct ctl *ctl, const struct ctl_sa *sa, uint8_t type, uint32_t seq,
	uint32_t pid, bool keys, void *buf, size_t cap)
{
	struct dp_replay_state rs;
	struct dp_sa_stats st;
	struct pfk_builder b;
	uint32_t flags = sa->flags;
	uint8_t replay = sa->has_rw ? (uint8_t)(sa->window > 255 ? 255 : sa->window) : sa->replay8;

	pfk_build_init(&b, buf, cap, type, sa->satype, seq, pid);
	if (sa->pair_spi != 0)
		flags |= SADB_X_SAFLAGS_PAIRED;
	pfk_add_sa(&b, sa->spi, replay, sa->state, sa->auth, sa->encrypt, flags);
	add_stored(&b, sa, keys);
	if (sa->handle != DP_SA_HANDLE_INVALID &&
	    dp_sa_get_stats(ctl->dp, sa->handle, &st) == 0) {
		uint32_t alloc = st.packets > UINT32_MAX ? UINT32_MAX : (uint32_t)st.packets;
		uint64_t first = sa->first_use != 0 ? sa->first_use : st.last_use;

		pfk_add_lifetime(&b, SADB_EXT_LIFETIME_CURRENT, alloc, st.bytes, sa->add_time,
				 st.last_use != 0 ? first : 0);
		if (dp_sa_get_replay(ctl->dp, sa->handle, &rs) == 0)
			pfk_add_replay_value(&b, rs.highest);
		if (sa->dir == DP_DIR_OUT)
			pfk_add_seq_lease(&b, st.lease_limit);
	} else {
		pfk_add_lifetime(&b, SADB_EXT_LIFETIME_CURRENT, 0, 0, sa->add_time, 0);
	}
	add_lifetime(&b, &sa->hard);
	add_lifetime(&b, &sa->soft);
	add_lifetime(&b, &sa->idle);
	if (sa->has_rw || sa->window > 255)
		pfk_add_replay_window(&b, sa->window, sa->rw_flags);
	if (sa->pair_spi != 0)
		pfk_add_pair(&b, sa->pair_spi);
	return pfk_build_finish(&b);
}
