/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_sa.c: SA objects (see dp_sa.h). */
#include "dp_sa.h"

#include "dp_mem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static bool addr_ok(const struct dp_addr *a, bool optional)
{
	size_t used;

	if (a->family == 0 && optional)
		return true;
	if (a->family == AF_INET)
		used = 4;
	else if (a->family == AF_INET6)
		used = 16;
	else
		return false;
	for (size_t i = used; i < sizeof(a->bytes); i++) {
		if (a->bytes[i] != 0)
			return false;
	}
	return a->reserved[0] == 0 && a->reserved[1] == 0 && a->reserved[2] == 0;
}

int dp_sa_params_check(const struct dp_sa_params *p, uint16_t workers)
{
	uint32_t df = p->flags & (DP_SA_F_DF_COPY | DP_SA_F_DF_SET | DP_SA_F_DF_CLEAR);
	bool esn = (p->flags & DP_SA_F_ESN) != 0;

	if (p->satype != SADB_SATYPE_AH && p->satype != SADB_SATYPE_ESP)
		return -EINVAL;
	if (p->dir != DP_DIR_IN && p->dir != DP_DIR_OUT)
		return -EINVAL;
	if (p->mode != DP_MODE_TRANSPORT && p->mode != DP_MODE_TUNNEL)
		return -EINVAL;
	if (p->state > SADB_SASTATE_MAX)
		return -EINVAL;
	if (!addr_ok(&p->src, false) || !addr_ok(&p->dst, false) ||
	    p->src.family != p->dst.family)
		return -EINVAL;
	if (!addr_ok(&p->tun_src, true) || !addr_ok(&p->tun_dst, true) ||
	    p->tun_src.family != p->tun_dst.family)
		return -EINVAL;
	if ((p->natt_sport == 0) != (p->natt_dport == 0) ||
	    (p->natt_sport != 0 && p->satype != SADB_SATYPE_ESP))
		return -EINVAL;
	if (p->auth_key_len > DP_KEY_MAX || p->encr_key_len > DP_KEY_MAX ||
	    p->salt_len > DP_SALT_MAX || p->icv_len > DP_ICV_MAX)
		return -EINVAL;
	if (p->satype == SADB_SATYPE_AH && p->auth_alg == SADB_AALG_NONE &&
	    p->encr_alg != SADB_X_EALG_NULL_AES_GMAC)
		return -EINVAL; /* AH authenticates or is nothing */
	if (p->engine > DP_ENGINE_CRYPTODEV)
		return -EINVAL;
	if (p->engine == DP_ENGINE_CRYPTODEV &&
	    (p->crypto_dev[0] == '\0' || memchr(p->crypto_dev, '\0', DP_DEVNAME_MAX) == NULL))
		return -EINVAL;
	if (workers == 0 || p->owner >= workers)
		return -EINVAL;
	if ((p->flags & ~DP_SA_F_ALL) != 0 || (df & (df - 1)) != 0)
		return -EINVAL;
	if (p->replay_window > DP_REPLAY_WINDOW_MAX ||
	    (p->replay_window != 0 && p->dir != DP_DIR_IN))
		return -EINVAL;
	if (!esn && p->seq > UINT32_MAX)
		return -EINVAL;
	if (p->lease_limit != 0 && p->dir != DP_DIR_OUT)
		return -EINVAL;
	if (p->dscp > 63)
		return -EINVAL;
	return 0;
}

/* Bytes of the hot record: the SA, then an inbound SA's replay window. */
static size_t sa_size(uint8_t dir, uint32_t replay_window)
{
	return sizeof(struct dp_sa) + (dir == DP_DIR_IN ? dp_replay_size(replay_window) : 0);
}

static size_t hot_size(const struct dp_sa *sa)
{
	return sa_size(sa->dir, sa->dir == DP_DIR_IN ? sa->rt.in->window : 0);
}

struct dp_sa *dp_sa_new(const struct dp_sa_params *p, uint16_t workers, uint8_t engine,
	uint64_t now)
{
	struct dp_sa *sa = NULL;
	struct dp_sa_cold *cold = NULL;
	size_t size = sa_size(p->dir, p->replay_window);
	int err;

	err = dp_sa_params_check(p, workers);
	if (err != 0)
		goto fail;
	/* dp_mem objects: slabs on transparent huge pages (at 2M SAs, fewer TLB
	 * misses on each packet's first touch of its SA); libc under ASan,
	 * which then sees every use after free -- what the RCU tests rely on. */
	sa = dp_mem_obj_zalloc(size);
	cold = dp_mem_obj_zalloc(sizeof(*cold));
	if (sa == NULL || cold == NULL) {
		err = -ENOMEM;
		goto fail;
	}
	cold->params = *p;
	cold->add_time = now;

	sa->spi = p->spi;
	sa->satype = p->satype;
	sa->dir = p->dir;
	sa->mode = p->mode;
	sa->state = p->state;
	sa->owner = p->owner;
	sa->icv_len = p->icv_len;
	sa->esn = (p->flags & DP_SA_F_ESN) != 0;
	sa->flags = p->flags;
	sa->family = p->dst.family;
	sa->engine = p->engine == DP_ENGINE_DEFAULT ? engine : p->engine;
	sa->natt_sport = p->natt_sport;
	sa->natt_dport = p->natt_dport;
	sa->dscp = p->dscp;
	sa->cold = cold;
	sa->soft = p->soft;
	sa->hard = p->hard;
	if (p->dir == DP_DIR_OUT) {
		err = dp_seq_init(&sa->rt.out, sa->esn, p->seq, p->lease_limit);
	} else {
		sa->rt.in = (struct dp_replay *)(sa + 1);
		err = dp_replay_init(sa->rt.in, p->replay_window, sa->esn, p->seq);
	}
	if (err != 0)
		goto fail;
	return sa;
fail:
	dp_mem_obj_free(sa, size);
	if (cold != NULL) {
		explicit_bzero(cold, sizeof(*cold));
		dp_mem_obj_free(cold, sizeof(*cold));
	}
	errno = -err;
	return NULL;
}

void dp_sa_free(struct dp_sa *sa)
{
	size_t size;

	if (sa == NULL)
		return;
	size = hot_size(sa);
	if (sa->cold != NULL) {
		if (sa->crypto != NULL && sa->cold->crypto_free != NULL)
			sa->cold->crypto_free(sa->crypto);
		explicit_bzero(sa->cold, sizeof(*sa->cold));
		dp_mem_obj_free(sa->cold, sizeof(*sa->cold));
	}
	/* The hot record holds no key, but an engine may keep expanded keys in
	 * its session only; wipe anyway so freed memory tells nothing. */
	explicit_bzero(sa, sizeof(*sa));
	dp_mem_obj_free(sa, size);
}

static void cross(struct dp_sa *sa, uint64_t value, uint64_t limit, uint32_t ev)
{
	if (limit != 0 && value >= limit && (sa->raised & ev) == 0) {
		sa->raised |= ev;
		sa->pending |= ev;
	}
}

void dp_sa_account(struct dp_sa *sa, uint32_t packets, uint64_t bytes, uint64_t now)
{
	uint64_t p, b;

	if (packets == 0)
		return;
	p = sa->counters.packets + packets;
	b = sa->counters.bytes + bytes;
	dp_counter_add(&sa->counters.packets, packets);
	dp_counter_add(&sa->counters.bytes, bytes);
	if (sa->last_use != now)
		__atomic_store_n(&sa->last_use, now, __ATOMIC_RELAXED);

	cross(sa, b, __atomic_load_n(&sa->soft.bytes, __ATOMIC_RELAXED), DP_SA_EV_SOFT_BYTES);
	cross(sa, p, __atomic_load_n(&sa->soft.packets, __ATOMIC_RELAXED), DP_SA_EV_SOFT_PACKETS);
	cross(sa, b, __atomic_load_n(&sa->hard.bytes, __ATOMIC_RELAXED), DP_SA_EV_HARD_BYTES);
	cross(sa, p, __atomic_load_n(&sa->hard.packets, __ATOMIC_RELAXED), DP_SA_EV_HARD_PACKETS);
	if (sa->raised & (DP_SA_EV_HARD_BYTES | DP_SA_EV_HARD_PACKETS))
		sa->expired = 1;
}

enum dp_event_type dp_sa_event_type(uint32_t ev_bit)
{
	switch (ev_bit) {
	case DP_SA_EV_SOFT_BYTES:
		return DP_EVENT_SOFT_BYTES;
	case DP_SA_EV_SOFT_PACKETS:
		return DP_EVENT_SOFT_PACKETS;
	case DP_SA_EV_HARD_BYTES:
		return DP_EVENT_HARD_BYTES;
	case DP_SA_EV_HARD_PACKETS:
		return DP_EVENT_HARD_PACKETS;
	case DP_SA_EV_IDLE_TRAFFIC:
		return DP_EVENT_IDLE_TRAFFIC;
	default:
		return DP_EVENT_NONE;
	}
}

void dp_sa_publish_lifetimes(struct dp_sa *sa, const struct dp_lifetime *soft,
	const struct dp_lifetime *hard)
{
	__atomic_store_n(&sa->soft.bytes, soft->bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&sa->soft.packets, soft->packets, __ATOMIC_RELAXED);
	__atomic_store_n(&sa->hard.bytes, hard->bytes, __ATOMIC_RELAXED);
	__atomic_store_n(&sa->hard.packets, hard->packets, __ATOMIC_RELAXED);
}

void dp_sa_stats(const struct dp_sa *sa, struct dp_sa_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->packets = dp_counter_read(&sa->counters.packets);
	st->bytes = dp_counter_read(&sa->counters.bytes);
	for (unsigned int r = 0; r < DP_DROP_COUNT; r++)
		st->drops[r] = dp_counter_read(&sa->counters.drops[r]);
	st->add_time = sa->cold->add_time;
	st->last_use = __atomic_load_n(&sa->last_use, __ATOMIC_RELAXED);
	if (sa->dir == DP_DIR_OUT) {
		st->seq = dp_seq_last(&sa->rt.out);
		st->lease_limit = dp_seq_lease(&sa->rt.out);
	} else {
		st->seq = __atomic_load_n(&sa->rt.in->last, __ATOMIC_RELAXED);
	}
	st->held = __atomic_load_n(&sa->held, __ATOMIC_RELAXED);
	st->state = dp_sa_state(sa);
	st->dir = sa->dir;
	st->owner = sa->owner;
}
