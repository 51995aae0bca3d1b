/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfk_parse.c: framing and per-extension validation of PF_KEY v2 messages.
 *
 * pfk_parse() is the first gate for every message that reaches dpsec from
 * outside.  It trusts no length field: the header length must equal the
 * bytes received, every extension must lie inside the message, and each
 * extension is checked on its own against its layout (size, reserved
 * fields, enumerations, nested lengths).  Rules that depend on the message
 * type or on several extensions together live in pfk_check.c.
 *
 * It allocates nothing, never writes to the buffer and never prints.  The
 * buffer is 8-byte aligned and every extension starts on an 8-byte
 * boundary, so the wire structs may be read in place.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "dpsec/pfkey.h"

/* Most SAREQ extensions one SPD rule may carry. */
#define PFK_SAREQ_MAX 16u

#define ROUNDUP8(x) (((x) + 7u) & ~(size_t)7u)

/* ------------------------------------------------------------------------ */
/* Slots.                                                                    */

/* dpsec extension types in slot order after the illumos ones. */
static const uint16_t dpsec_slot_types[] = {
	SADB_X_EXT_DPSEC_REPLAY_WINDOW,	/* PFK_SLOT_REPLAY_WINDOW */
	SADB_X_EXT_DPSEC_SEQ_LEASE,	/* PFK_SLOT_SEQ_LEASE */
	SADB_X_EXT_DPSEC_POLICY,	/* PFK_SLOT_POLICY */
	SADB_X_EXT_DPSEC_SELECTOR,	/* PFK_SLOT_SELECTOR */
	SADB_X_EXT_DPSEC_INNER_SELECTOR, /* PFK_SLOT_INNER_SELECTOR */
	SADB_X_EXT_DPSEC_SAREQ,		/* PFK_SLOT_SAREQ */
};
static_assert(sizeof(dpsec_slot_types) / sizeof(dpsec_slot_types[0]) ==
	      PFK_SLOT_COUNT - PFK_SLOT_REPLAY_WINDOW, "one type per dpsec slot");
static_assert(PFK_SLOT_COUNT <= 64, "pfk_msg.present is a 64-bit set");

int pfk_ext_slot(uint16_t exttype)
{
	if (exttype >= SADB_EXT_SA && exttype <= SADB_EXT_MAX)
		return exttype;
	for (size_t i = 0; i < sizeof(dpsec_slot_types) / sizeof(dpsec_slot_types[0]); i++)
		if (dpsec_slot_types[i] == exttype)
			return PFK_SLOT_REPLAY_WINDOW + (int)i;
	return PFK_SLOT_NONE;
}

uint16_t pfk_slot_exttype(int slot)
{
	if (slot >= SADB_EXT_SA && slot <= SADB_EXT_MAX)
		return (uint16_t)slot;
	if (slot >= PFK_SLOT_REPLAY_WINDOW && slot < PFK_SLOT_COUNT)
		return dpsec_slot_types[slot - PFK_SLOT_REPLAY_WINDOW];
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Per-extension validators.  Each gets an extension whose size already     */
/* passed the table's rule and returns 0 or the diagnostic.                 */

typedef uint16_t (*pfk_ext_validator)(int slot, const struct sadb_ext *ext, size_t bytes);

static uint16_t check_sa(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_sa *sa = (const void *)ext;

	(void)slot;
	(void)bytes;
	if (sa->sadb_sa_state > SADB_SASTATE_MAX)
		return SADB_X_DIAGNOSTIC_BAD_SASTATE;
	if (sa->sadb_sa_flags & ~SADB_SAFLAGS_ALL)
		return SADB_X_DIAGNOSTIC_BAD_SAFLAGS;
	return 0;
}

static uint16_t check_lifetime(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_lifetime *lt = (const void *)ext;

	(void)bytes;
	/* An idle lifetime counts seconds without traffic; counts of
	 * allocations or bytes have no meaning there. */
	if (slot == SADB_X_EXT_LIFETIME_IDLE &&
	    (lt->sadb_lifetime_allocations != 0 || lt->sadb_lifetime_bytes != 0))
		return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_LIFETIME;
	return 0;
}

/* Diagnostics of one address slot. */
struct pfk_addr_diags {
	uint16_t bad_af, malformed, prefix;
};

static struct pfk_addr_diags addr_diags(int slot)
{
	switch (slot) {
	case SADB_EXT_ADDRESS_SRC:
		return (struct pfk_addr_diags){ SADB_X_DIAGNOSTIC_BAD_SRC_AF,
			SADB_X_DIAGNOSTIC_MALFORMED_SRC, SADB_X_DIAGNOSTIC_DPSEC_BAD_PREFIXLEN };
	case SADB_EXT_ADDRESS_DST:
		return (struct pfk_addr_diags){ SADB_X_DIAGNOSTIC_BAD_DST_AF,
			SADB_X_DIAGNOSTIC_MALFORMED_DST, SADB_X_DIAGNOSTIC_DPSEC_BAD_PREFIXLEN };
	case SADB_X_EXT_ADDRESS_INNER_SRC:
		return (struct pfk_addr_diags){ SADB_X_DIAGNOSTIC_BAD_INNER_SRC_AF,
			SADB_X_DIAGNOSTIC_MALFORMED_INNER_SRC,
			SADB_X_DIAGNOSTIC_PREFIX_INNER_SRC };
	case SADB_X_EXT_ADDRESS_INNER_DST:
		return (struct pfk_addr_diags){ SADB_X_DIAGNOSTIC_BAD_INNER_DST_AF,
			SADB_X_DIAGNOSTIC_MALFORMED_INNER_DST,
			SADB_X_DIAGNOSTIC_PREFIX_INNER_DST };
	case SADB_X_EXT_ADDRESS_NATT_LOC:
		return (struct pfk_addr_diags){ SADB_X_DIAGNOSTIC_BAD_NATT_LOC_AF,
			SADB_X_DIAGNOSTIC_MALFORMED_NATT_LOC,
			SADB_X_DIAGNOSTIC_DPSEC_BAD_PREFIXLEN };
	default: /* SADB_X_EXT_ADDRESS_NATT_REM */
		return (struct pfk_addr_diags){ SADB_X_DIAGNOSTIC_BAD_NATT_REM_AF,
			SADB_X_DIAGNOSTIC_MALFORMED_NATT_REM,
			SADB_X_DIAGNOSTIC_DPSEC_BAD_PREFIXLEN };
	}
}

static uint16_t check_address(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_address *a = (const void *)ext;
	const struct pfk_addr_diags d = addr_diags(slot);
	size_t salen;
	unsigned maxprefix;

	/* Room for at least the smallest sockaddr before reading its family. */
	if (bytes < sizeof(*a) + sizeof(struct sockaddr_in))
		return d.malformed;
	switch (pfk_addr_sockaddr(a)->sa_family) {
	case AF_INET:
		salen = sizeof(struct sockaddr_in);
		maxprefix = 32;
		break;
	case AF_INET6:
		salen = sizeof(struct sockaddr_in6);
		maxprefix = 128;
		break;
	default:
		return d.bad_af;
	}
	if (bytes != ROUNDUP8(sizeof(*a) + salen))
		return d.malformed;
	if (a->sadb_address_prefixlen > maxprefix)
		return d.prefix;
	if (a->sadb_address_reserved != 0)
		return SADB_X_DIAGNOSTIC_DPSEC_BAD_RESERVED;
	return 0;
}

static uint16_t check_key(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_key *k = (const void *)ext;
	const uint16_t malformed = slot == SADB_EXT_KEY_AUTH ? SADB_X_DIAGNOSTIC_MALFORMED_AKEY
							      : SADB_X_DIAGNOSTIC_MALFORMED_EKEY;
	const size_t keybytes = ((size_t)k->sadb_key_bits + 7u) / 8u;

	if (k->sadb_key_bits == 0)
		return malformed;
	if (keybytes > bytes - sizeof(*k))
		return malformed;
	/* Exactly the key plus padding: no trailing words to hide data in. */
	if (bytes != ROUNDUP8(sizeof(*k) + keybytes))
		return malformed;
	if (k->sadb_x_key_saltbits > k->sadb_key_bits)
		return malformed;
	return 0;
}

static uint16_t check_identity(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_ident *id = (const void *)ext;
	const uint8_t *str = (const uint8_t *)(id + 1);

	(void)slot;
	if (id->sadb_ident_type == SADB_IDENTTYPE_RESERVED ||
	    id->sadb_ident_type > SADB_IDENTTYPE_MAX)
		return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_IDENTITY;
	/* A 16-byte identity carries no string (RFC 2367: identified by
	 * sadb_ident_id); a longer one carries a C string. */
	if (bytes > sizeof(*id) && memchr(str, 0, bytes - sizeof(*id)) == NULL)
		return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_IDENTITY;
	return 0;
}

static uint16_t check_sens(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_sens *s = (const void *)ext;
	const size_t want = sizeof(*s) +
		8u * ((size_t)s->sadb_sens_sens_len + s->sadb_sens_integ_len);

	(void)slot;
	return want == bytes ? 0 : SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SENS;
}

static uint16_t check_proposal(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_prop *p = (const void *)ext;

	(void)slot;
	if ((bytes - sizeof(*p)) % sizeof(struct sadb_comb) != 0 ||
	    p->sadb_x_prop_numecombs != 0)
		return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_PROPOSAL;
	return 0;
}

static bool algdesc_ok(const struct sadb_x_algdesc *d)
{
	return (d->sadb_x_algdesc_satype == SADB_SATYPE_AH ||
		d->sadb_x_algdesc_satype == SADB_SATYPE_ESP) &&
	       d->sadb_x_algdesc_algtype >= SADB_X_ALGTYPE_AUTH &&
	       d->sadb_x_algdesc_algtype <= SADB_X_ALGTYPE_MAX;
}

static uint16_t check_eprop(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_prop *p = (const void *)ext;
	const uint8_t *base = (const uint8_t *)ext;
	size_t off = sizeof(*p);

	(void)slot;
	for (unsigned c = 0; c < p->sadb_x_prop_numecombs; c++) {
		const struct sadb_x_ecomb *ec = (const void *)(base + off);

		if (bytes - off < sizeof(*ec))
			return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_PROPOSAL;
		off += sizeof(*ec);
		if ((bytes - off) / sizeof(struct sadb_x_algdesc) < ec->sadb_x_ecomb_numalgs)
			return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_PROPOSAL;
		for (unsigned a = 0; a < ec->sadb_x_ecomb_numalgs; a++) {
			if (!algdesc_ok((const void *)(base + off)))
				return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_PROPOSAL;
			off += sizeof(struct sadb_x_algdesc);
		}
	}
	return off == bytes ? 0 : SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_PROPOSAL;
}

static uint16_t check_supported(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_supported *s = (const void *)ext;

	(void)slot;
	(void)bytes;
	return s->sadb_supported_reserved == 0 ? 0 : SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SUPPORTED;
}

static uint16_t check_spirange(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_spirange *r = (const void *)ext;

	(void)slot;
	(void)bytes;
	if (ntohl(r->sadb_spirange_min) > ntohl(r->sadb_spirange_max) ||
	    r->sadb_spirange_reserved != 0)
		return SADB_X_DIAGNOSTIC_MALFORMED_RANGE;
	return 0;
}

static uint16_t check_ereg(int slot, const struct sadb_ext *ext, size_t bytes)
{
	/* The list may run past the 4 bytes the struct declares (an extended
	 * REGISTER of many types): index the extension's bytes, not the array. */
	const size_t off = offsetof(struct sadb_x_ereg, sadb_x_ereg_satypes);
	const uint8_t *types = (const uint8_t *)ext + off;
	const size_t n = bytes - off;

	(void)slot;
	for (size_t i = 0; i < n; i++) {
		const uint8_t t = types[i];

		if (t == SADB_SATYPE_UNSPEC)
			return 0;
		if (t != SADB_SATYPE_AH && t != SADB_SATYPE_ESP)
			return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_EREG;
	}
	return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_EREG; /* no terminator */
}

static uint16_t check_kmc(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_x_kmc *k = (const void *)ext;

	(void)slot;
	(void)bytes;
	return k->sadb_x_kmc_proto <= SADB_X_KMP_MAX ? 0 : SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_KMC;
}

static uint16_t check_pair(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_x_pair *p = (const void *)ext;

	(void)slot;
	(void)bytes;
	/* SPI 0 is reserved (RFC 4303 2.1): it cannot name a paired SA. */
	return p->sadb_x_pair_spi != 0 ? 0 : SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_PAIR;
}

static uint16_t check_replay_value(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_x_replay_ctr *rc = (const void *)ext;

	(void)slot;
	(void)bytes;
	/* Both set: they must agree (replay32 is the low half), else the
	 * sender meant two different things. */
	if (rc->sadb_x_rc_replay64 != 0 && rc->sadb_x_rc_replay32 != 0 &&
	    rc->sadb_x_rc_replay32 != (uint32_t)rc->sadb_x_rc_replay64)
		return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_REPLAY_VALUE;
	return 0;
}

static uint16_t check_edump(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_x_edump *e = (const void *)ext;

	(void)slot;
	(void)bytes;
	return e->sadb_x_edump_reserved == 0 ? 0 : SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_EDUMP;
}

static uint16_t check_replay_window(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_x_dpsec_replay_window *rw = (const void *)ext;

	(void)slot;
	(void)bytes;
	if (rw->sadb_x_rw_window > DPSEC_REPLAY_WINDOW_MAX)
		return SADB_X_DIAGNOSTIC_DPSEC_BAD_REPLAY_WINDOW;
	if ((rw->sadb_x_rw_flags & ~SADB_X_DPSEC_RW_FLAGS_ALL) != 0 ||
	    rw->sadb_x_rw_reserved != 0)
		return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_REPLAY_WINDOW;
	return 0;
}

static uint16_t check_seq_lease(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_x_dpsec_seq_lease *sl = (const void *)ext;

	(void)slot;
	(void)bytes;
	return sl->sadb_x_sl_reserved == 0 ? 0 : SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SEQ_LEASE;
}

static uint16_t check_policy(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_x_dpsec_policy *p = (const void *)ext;

	(void)slot;
	(void)bytes;
	if (p->sadb_x_pol_dir < SADB_X_DPSEC_DIR_IN || p->sadb_x_pol_dir > SADB_X_DPSEC_DIR_BOTH)
		return SADB_X_DIAGNOSTIC_DPSEC_BAD_POLICY_DIR;
	if (p->sadb_x_pol_action < SADB_X_DPSEC_ACTION_BYPASS ||
	    p->sadb_x_pol_action > SADB_X_DPSEC_ACTION_IPSEC)
		return SADB_X_DIAGNOSTIC_DPSEC_BAD_POLICY_ACTION;
	if (p->sadb_x_pol_mode > SADB_X_DPSEC_MODE_TUNNEL ||
	    (p->sadb_x_pol_flags & ~SADB_X_DPSEC_POLF_ALL) != 0)
		return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_POLICY;
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static uint16_t check_selector(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_x_dpsec_selector *s = (const void *)ext;
	const uint16_t malformed = SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SELECTOR;
	unsigned maxprefix;

	(void)slot;
	(void)bytes;
	switch (s->sadb_x_sel_family) {
	case 0:
		/* "any family": no address can be given. */
		if (s->sadb_x_sel_src_prefixlen != 0 || s->sadb_x_sel_dst_prefixlen != 0 ||
		    !all_zero(s->sadb_x_sel_src, 16) || !all_zero(s->sadb_x_sel_dst, 16))
			return malformed;
		maxprefix = 0;
		break;
	case AF_INET:
		/* IPv4 lives in the first 4 bytes; the rest must be 0. */
		if (!all_zero(s->sadb_x_sel_src + 4, 12) || !all_zero(s->sadb_x_sel_dst + 4, 12))
			return malformed;
		maxprefix = 32;
		break;
	case AF_INET6:
		maxprefix = 128;
		break;
	default:
		return SADB_X_DIAGNOSTIC_DPSEC_BAD_SELECTOR_AF;
	}
	if (s->sadb_x_sel_src_prefixlen > maxprefix || s->sadb_x_sel_dst_prefixlen > maxprefix)
		return malformed;
	if (s->sadb_x_sel_sport_min > s->sadb_x_sel_sport_max ||
	    s->sadb_x_sel_dport_min > s->sadb_x_sel_dport_max ||
	    s->sadb_x_sel_icmp_type_min > s->sadb_x_sel_icmp_type_max ||
	    s->sadb_x_sel_icmp_code_min > s->sadb_x_sel_icmp_code_max)
		return malformed;
	if (s->sadb_x_sel_reserved != 0)
		return malformed;
	return 0;
}

static uint16_t check_sareq(int slot, const struct sadb_ext *ext, size_t bytes)
{
	const struct sadb_x_dpsec_sareq *r = (const void *)ext;

	(void)slot;
	(void)bytes;
	if (r->sadb_x_req_satype != SADB_SATYPE_AH && r->sadb_x_req_satype != SADB_SATYPE_ESP)
		return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SAREQ;
	if (r->sadb_x_req_satype == SADB_SATYPE_AH && r->sadb_x_req_encrypt != 0)
		return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SAREQ;
	if (r->sadb_x_req_auth_minbits > r->sadb_x_req_auth_maxbits ||
	    r->sadb_x_req_encrypt_minbits > r->sadb_x_req_encrypt_maxbits)
		return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SAREQ;
	if (r->sadb_x_req_reserved != 0)
		return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_SAREQ;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The extension table: one row per slot.                                    */
/* X(slot, fixed size or 0, minimum size, validator, duplicate diagnostic)   */

#define PFK_EXT_RULES(X)                                                                      \
	X(SADB_EXT_SA, 16, 16, check_sa, SADB_X_DIAGNOSTIC_DUPLICATE_SA)                      \
	X(SADB_EXT_LIFETIME_CURRENT, 32, 32, check_lifetime, 0)                               \
	X(SADB_EXT_LIFETIME_HARD, 32, 32, check_lifetime, 0)                                  \
	X(SADB_EXT_LIFETIME_SOFT, 32, 32, check_lifetime, 0)                                  \
	X(SADB_EXT_ADDRESS_SRC, 0, 8, check_address, SADB_X_DIAGNOSTIC_DUPLICATE_SRC)         \
	X(SADB_EXT_ADDRESS_DST, 0, 8, check_address, SADB_X_DIAGNOSTIC_DUPLICATE_DST)         \
	X(SADB_X_EXT_ADDRESS_INNER_SRC, 0, 8, check_address,                                  \
	  SADB_X_DIAGNOSTIC_DUPLICATE_INNER_SRC)                                              \
	X(SADB_EXT_KEY_AUTH, 0, 8, check_key, SADB_X_DIAGNOSTIC_DUPLICATE_AKEY)               \
	X(SADB_EXT_KEY_ENCRYPT, 0, 8, check_key, SADB_X_DIAGNOSTIC_DUPLICATE_EKEY)            \
	X(SADB_EXT_IDENTITY_SRC, 0, 16, check_identity, 0)                                    \
	X(SADB_EXT_IDENTITY_DST, 0, 16, check_identity, 0)                                    \
	X(SADB_EXT_SENSITIVITY, 0, 16, check_sens, 0)                                         \
	X(SADB_EXT_PROPOSAL, 0, 8, check_proposal, 0)                                         \
	X(SADB_EXT_SUPPORTED_AUTH, 0, 8, check_supported, 0)                                  \
	X(SADB_EXT_SUPPORTED_ENCRYPT, 0, 8, check_supported, 0)                               \
	X(SADB_EXT_SPIRANGE, 16, 16, check_spirange, SADB_X_DIAGNOSTIC_DUPLICATE_RANGE)       \
	X(SADB_X_EXT_EREG, 0, 8, check_ereg, 0)                                               \
	X(SADB_X_EXT_EPROP, 0, 8, check_eprop, 0)                                             \
	X(SADB_X_EXT_KM_COOKIE, 16, 16, check_kmc, SADB_X_DIAGNOSTIC_DUPLICATE_KMC)           \
	X(SADB_X_EXT_ADDRESS_NATT_LOC, 0, 8, check_address,                                   \
	  SADB_X_DIAGNOSTIC_DUPLICATE_NATT_LOC)                                               \
	X(SADB_X_EXT_ADDRESS_NATT_REM, 0, 8, check_address,                                   \
	  SADB_X_DIAGNOSTIC_DUPLICATE_NATT_REM)                                               \
	X(SADB_X_EXT_ADDRESS_INNER_DST, 0, 8, check_address,                                  \
	  SADB_X_DIAGNOSTIC_DUPLICATE_INNER_DST)                                              \
	X(SADB_X_EXT_PAIR, 8, 8, check_pair, 0)                                               \
	X(SADB_X_EXT_REPLAY_VALUE, 16, 16, check_replay_value, 0)                             \
	X(SADB_X_EXT_EDUMP, 16, 16, check_edump, 0)                                           \
	X(SADB_X_EXT_LIFETIME_IDLE, 32, 32, check_lifetime, 0)                                \
	X(SADB_X_EXT_OUTER_SENS, 0, 16, check_sens, 0)                                        \
	X(PFK_SLOT_REPLAY_WINDOW, 16, 16, check_replay_window, 0)                             \
	X(PFK_SLOT_SEQ_LEASE, 16, 16, check_seq_lease, 0)                                     \
	X(PFK_SLOT_POLICY, 16, 16, check_policy, 0)                                           \
	X(PFK_SLOT_SELECTOR, 56, 56, check_selector, 0)                                       \
	X(PFK_SLOT_INNER_SELECTOR, 56, 56, check_selector, 0)                                 \
	X(PFK_SLOT_SAREQ, 16, 16, check_sareq, SADB_X_DIAGNOSTIC_DPSEC_DUPLICATE_EXT)

struct pfk_ext_rule {
	uint16_t fixed;     /* exact size in bytes, or 0 if variable */
	uint16_t min;       /* smallest size in bytes */
	pfk_ext_validator validate;
	uint16_t dup_diag;  /* 0: DPSEC_DUPLICATE_EXT */
};

static const struct pfk_ext_rule ext_rules[PFK_SLOT_COUNT] = {
#define PFK_EXT_ROW(slot, fixed_, min_, fn, dup) \
	[slot] = { .fixed = (fixed_), .min = (min_), .validate = (fn), .dup_diag = (dup) },
	PFK_EXT_RULES(PFK_EXT_ROW)
#undef PFK_EXT_ROW
};

/* ------------------------------------------------------------------------ */

static bool msg_type_known(uint8_t type)
{
	return (type >= SADB_GETSPI && type <= SADB_MAX) ||
	       (type >= SADB_X_DPSEC_MSG_MIN && type <= SADB_X_DPSEC_MSG_MAX);
}

/* Point the typed members of m at the extensions found. */
static void fill_typed(struct pfk_msg *m)
{
#define T(member, slot) m->member = (const void *)m->ext[slot]
	T(sa, SADB_EXT_SA);
	T(src, SADB_EXT_ADDRESS_SRC);
	T(dst, SADB_EXT_ADDRESS_DST);
	T(inner_src, SADB_X_EXT_ADDRESS_INNER_SRC);
	T(inner_dst, SADB_X_EXT_ADDRESS_INNER_DST);
	T(natt_loc, SADB_X_EXT_ADDRESS_NATT_LOC);
	T(natt_rem, SADB_X_EXT_ADDRESS_NATT_REM);
	T(akey, SADB_EXT_KEY_AUTH);
	T(ekey, SADB_EXT_KEY_ENCRYPT);
	T(lt_current, SADB_EXT_LIFETIME_CURRENT);
	T(lt_hard, SADB_EXT_LIFETIME_HARD);
	T(lt_soft, SADB_EXT_LIFETIME_SOFT);
	T(lt_idle, SADB_X_EXT_LIFETIME_IDLE);
	T(spirange, SADB_EXT_SPIRANGE);
	T(pair, SADB_X_EXT_PAIR);
	T(replay_value, SADB_X_EXT_REPLAY_VALUE);
	T(edump, SADB_X_EXT_EDUMP);
	T(kmc, SADB_X_EXT_KM_COOKIE);
	T(replay_window, PFK_SLOT_REPLAY_WINDOW);
	T(seq_lease, PFK_SLOT_SEQ_LEASE);
	T(policy, PFK_SLOT_POLICY);
	T(selector, PFK_SLOT_SELECTOR);
	T(inner_selector, PFK_SLOT_INNER_SELECTOR);
	T(sareq, PFK_SLOT_SAREQ);
#undef T
}

/* Walk and validate the extensions after the base header. */
static int parse_extensions(const uint8_t *p, size_t len, struct pfk_msg *m, uint16_t *diag)
{
	size_t off = sizeof(struct sadb_msg);

	/* len and off are multiples of 8, so a whole ext header is there. */
	while (off < len) {
		const struct sadb_ext *ext = (const void *)(p + off);
		const size_t bytes = SADB_64TO8((size_t)ext->sadb_ext_len);
		const int slot = pfk_ext_slot(ext->sadb_ext_type);
		const struct pfk_ext_rule *rule;
		uint16_t d;

		if (bytes == 0) {
			*diag = SADB_X_DIAGNOSTIC_DPSEC_EXT_ZERO_LEN;
			return -EINVAL;
		}
		if (bytes > len - off) {
			*diag = SADB_X_DIAGNOSTIC_DPSEC_EXT_OVERRUN;
			return -EINVAL;
		}
		if (slot == PFK_SLOT_NONE) {
			*diag = SADB_X_DIAGNOSTIC_UNKNOWN_EXT;
			return -EINVAL;
		}
		rule = &ext_rules[slot];
		if (pfk_has(m, slot) &&
		    (slot != PFK_SLOT_SAREQ || m->sareq_count >= PFK_SAREQ_MAX)) {
			*diag = rule->dup_diag != 0 ? rule->dup_diag
						    : SADB_X_DIAGNOSTIC_DPSEC_DUPLICATE_EXT;
			return -EINVAL;
		}
		if ((rule->fixed != 0 && bytes != rule->fixed) || bytes < rule->min) {
			*diag = SADB_X_DIAGNOSTIC_BAD_EXTLEN;
			return -EINVAL;
		}
		d = rule->validate(slot, ext, bytes);
		if (d != 0) {
			*diag = d;
			return -EINVAL;
		}
		if (!pfk_has(m, slot))
			m->ext[slot] = ext;
		m->present |= UINT64_C(1) << slot;
		if (slot == PFK_SLOT_SAREQ)
			m->sareq_count++;
		off += bytes;
	}
	return 0;
}

int pfk_parse(const void *buf, size_t len, struct pfk_msg *out, uint16_t *diag)
{
	const struct sadb_msg *hdr = buf;
	uint16_t scratch;
	int rc;

	if (diag == NULL)
		diag = &scratch;
	*diag = SADB_X_DIAGNOSTIC_NONE;
	if (buf == NULL || out == NULL || ((uintptr_t)buf & 7u) != 0)
		return -EINVAL;
	if (len < sizeof(*hdr)) {
		*diag = SADB_X_DIAGNOSTIC_DPSEC_SHORT_MSG;
		return -EINVAL;
	}
	if (hdr->sadb_msg_version != PF_KEY_V2) {
		*diag = SADB_X_DIAGNOSTIC_DPSEC_BAD_VERSION;
		return -EINVAL;
	}
	if (len % 8u != 0 || SADB_64TO8((size_t)hdr->sadb_msg_len) != len) {
		*diag = SADB_X_DIAGNOSTIC_DPSEC_BAD_MSGLEN;
		return -EMSGSIZE;
	}
	if (!msg_type_known(hdr->sadb_msg_type)) {
		*diag = SADB_X_DIAGNOSTIC_UNKNOWN_MSG;
		return -EOPNOTSUPP;
	}

	memset(out, 0, sizeof(*out));
	out->hdr = hdr;
	out->len = len;
	rc = parse_extensions(buf, len, out, diag);
	if (rc != 0)
		return rc;
	fill_typed(out);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Accessors on a parsed message.                                            */

const struct sadb_x_dpsec_sareq *pfk_next_sareq(const struct pfk_msg *m,
						 const struct sadb_x_dpsec_sareq *prev)
{
	const uint8_t *base;
	size_t off;

	if (m == NULL || m->sareq == NULL)
		return NULL;
	if (prev == NULL)
		return m->sareq;
	base = (const uint8_t *)m->hdr;
	off = (size_t)((const uint8_t *)prev - base);
	if ((const uint8_t *)prev < base || off >= m->len)
		return NULL;
	off += SADB_64TO8((size_t)prev->sadb_x_req_len);
	/* The message was validated by pfk_parse; the bounds are rechecked
	 * anyway so a misuse cannot read past the end. */
	while (off + sizeof(struct sadb_ext) <= m->len) {
		const struct sadb_ext *ext = (const void *)(base + off);
		const size_t bytes = SADB_64TO8((size_t)ext->sadb_ext_len);

		if (bytes == 0 || bytes > m->len - off)
			return NULL;
		if (ext->sadb_ext_type == SADB_X_EXT_DPSEC_SAREQ)
			return (const void *)ext;
		off += bytes;
	}
	return NULL;
}

uint64_t pfk_replay_value(const struct sadb_x_replay_ctr *rc)
{
	if (rc == NULL)
		return 0;
	return rc->sadb_x_rc_replay64 != 0 ? rc->sadb_x_rc_replay64 : rc->sadb_x_rc_replay32;
}

uint32_t pfk_replay_window(const struct pfk_msg *m)
{
	if (m == NULL || m->sa == NULL)
		return 0;
	if (m->replay_window != NULL)
		return m->replay_window->sadb_x_rw_window;
	return m->sa->sadb_sa_replay;
}
