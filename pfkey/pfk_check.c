/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfk_check.c: semantic checks of a parsed PF_KEY message.
 *
 * pfk_parse() has already validated each extension on its own; this file
 * decides whether the set of extensions fits the message type and the
 * direction (RFC 2367 section 3, the illumos extensions, dpsec's SPD
 * messages), and checks the fields that only make sense together: satype,
 * algorithms and key sizes, SA state and flags, lifetimes, addresses.
 *
 * One table row per message type says which extensions are required (with
 * the diagnostic for each missing one) and which are allowed, per
 * direction.  A few rules that a set cannot express (EXPIRE's "one of
 * H/S/I", ACQUIRE's "a proposal", the SPD rule's action-dependent shape)
 * are small functions named in the row.  docs/PFKEY.md is the prose form.
 */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "dpsec/pfkey.h"

#define B(slot) (UINT64_C(1) << (slot))

/* Extension sets, by slot. */
#define S_LT_HSI (B(SADB_EXT_LIFETIME_HARD) | B(SADB_EXT_LIFETIME_SOFT) | \
		  B(SADB_X_EXT_LIFETIME_IDLE))
#define S_INNER (B(SADB_X_EXT_ADDRESS_INNER_SRC) | B(SADB_X_EXT_ADDRESS_INNER_DST))
#define S_NATT (B(SADB_X_EXT_ADDRESS_NATT_LOC) | B(SADB_X_EXT_ADDRESS_NATT_REM))
#define S_IDS (B(SADB_EXT_IDENTITY_SRC) | B(SADB_EXT_IDENTITY_DST))
#define S_KEYS (B(SADB_EXT_KEY_AUTH) | B(SADB_EXT_KEY_ENCRYPT))
#define S_SD (B(SADB_EXT_ADDRESS_SRC) | B(SADB_EXT_ADDRESS_DST))
#define S_SEQ_STATE (B(SADB_X_EXT_REPLAY_VALUE) | B(PFK_SLOT_REPLAY_WINDOW) | \
		     B(PFK_SLOT_SEQ_LEASE))
/* ADD/UPDATE request: the whole SA. */
#define S_SA_FULL (B(SADB_EXT_SA) | S_SD | S_LT_HSI | S_INNER | S_NATT | S_KEYS | S_IDS | \
		   B(SADB_X_EXT_KM_COOKIE) | B(SADB_X_EXT_PAIR) | S_SEQ_STATE)
/* ADD/UPDATE reply: the SA without its keys, possibly with its counters. */
#define S_SA_ECHO ((S_SA_FULL & ~S_KEYS) | B(SADB_EXT_LIFETIME_CURRENT))
/* GET/DUMP reply: everything the gateway knows about an SA. */
#define S_SA_GET (S_SA_FULL | B(SADB_EXT_LIFETIME_CURRENT))
#define S_DELGET (B(SADB_EXT_SA) | S_SD)
#define S_ACQUIRE (S_SD | S_INNER | S_IDS | B(SADB_X_EXT_KM_COOKIE) | \
		   B(SADB_EXT_PROPOSAL) | B(SADB_X_EXT_EPROP))
#define S_EXPIRE (B(SADB_EXT_SA) | B(SADB_EXT_LIFETIME_CURRENT) | S_LT_HSI | S_SD | \
		  S_INNER | S_NATT)
#define S_UPDATEPAIR (B(SADB_EXT_SA) | S_SD | S_LT_HSI | S_SEQ_STATE)
#define S_SPD_RULE (B(PFK_SLOT_POLICY) | B(PFK_SLOT_SELECTOR) | B(PFK_SLOT_INNER_SELECTOR) | \
		    B(PFK_SLOT_SAREQ) | S_SD)
#define S_ANY (B(PFK_SLOT_COUNT) - B(1))

/* Required extensions: slot and the diagnostic when it is missing. */
#define R_SA { SADB_EXT_SA, SADB_X_DIAGNOSTIC_MISSING_SA }
#define R_SRC { SADB_EXT_ADDRESS_SRC, SADB_X_DIAGNOSTIC_MISSING_SRC }
#define R_DST { SADB_EXT_ADDRESS_DST, SADB_X_DIAGNOSTIC_MISSING_DST }
#define R_RANGE { SADB_EXT_SPIRANGE, SADB_X_DIAGNOSTIC_MISSING_RANGE }
#define R_CURRENT { SADB_EXT_LIFETIME_CURRENT, SADB_X_DIAGNOSTIC_MISSING_LIFETIME }
#define R_POLICY { PFK_SLOT_POLICY, SADB_X_DIAGNOSTIC_DPSEC_MISSING_POLICY }
#define R_SELECTOR { PFK_SLOT_SELECTOR, SADB_X_DIAGNOSTIC_DPSEC_MISSING_SELECTOR }

struct pfk_required {
	uint8_t slot; /* 0 ends the list */
	uint16_t diag;
};

/* One direction of one message type. */
struct pfk_shape {
	uint64_t allowed;
	struct pfk_required required[4];
};

/* satype rules. */
enum pfk_satype_rule {
	SAT_AH_ESP,     /* AH or ESP */
	SAT_ALL_AH_ESP, /* 0 (all), AH or ESP */
	SAT_ANY,        /* not an SA type (X_PROMISC: the on/off flag) */
	SAT_ZERO,       /* SPD messages: 0 */
};

/* Row flags. */
#define F_REPLY_ONLY 0x01u /* originated by the gateway only */
#define F_END_MARKER 0x02u /* a bare reply ends a dump */
#define F_PERMISSIVE 0x04u /* replies may carry anything (X_PROMISC) */
#define F_SA_WRITE 0x08u   /* SA flag checks; a request may set keys/state */
#define F_SA_ADD 0x10u     /* ADD: keys required, state limited */
#define F_SA_READ 0x20u    /* reply describes an SA: SA flag checks in replies */

typedef uint16_t (*pfk_extra_fn)(const struct pfk_msg *m, enum pfk_dir dir);

struct pfk_msg_rule {
	uint8_t type;
	uint8_t satype;        /* enum pfk_satype_rule */
	uint8_t flags;         /* F_* */
	struct pfk_shape shape[2]; /* [PFK_DIR_REQUEST], [PFK_DIR_REPLY] */
	pfk_extra_fn extra;    /* rules a set cannot say, or NULL */
};

static uint16_t extra_acquire(const struct pfk_msg *m, enum pfk_dir dir);
static uint16_t extra_expire(const struct pfk_msg *m, enum pfk_dir dir);
static uint16_t extra_register(const struct pfk_msg *m, enum pfk_dir dir);
static uint16_t extra_spd_rule(const struct pfk_msg *m, enum pfk_dir dir);

#define REQ(allowed_, ...) [PFK_DIR_REQUEST] = { .allowed = (allowed_), \
						  .required = { __VA_ARGS__ } }
#define REP(allowed_, ...) [PFK_DIR_REPLY] = { .allowed = (allowed_), \
						.required = { __VA_ARGS__ } }

static const struct pfk_msg_rule msg_rules[] = {
	{ SADB_GETSPI, SAT_AH_ESP, 0,
	  { REQ(S_SD | B(SADB_EXT_SPIRANGE), R_SRC, R_DST, R_RANGE),
	    REP(B(SADB_EXT_SA) | S_SD, R_SA, R_SRC, R_DST) }, NULL },
	{ SADB_UPDATE, SAT_AH_ESP, F_SA_WRITE,
	  { REQ(S_SA_FULL, R_SA, R_SRC, R_DST),
	    REP(S_SA_ECHO, R_SA, R_SRC, R_DST) }, NULL },
	{ SADB_ADD, SAT_AH_ESP, F_SA_WRITE | F_SA_ADD,
	  { REQ(S_SA_FULL, R_SA, R_SRC, R_DST),
	    REP(S_SA_ECHO, R_SA, R_SRC, R_DST) }, NULL },
	{ SADB_DELETE, SAT_AH_ESP, 0,
	  { REQ(S_DELGET, R_SA, R_DST),
	    REP(S_DELGET, R_SA, R_DST) }, NULL },
	{ SADB_GET, SAT_AH_ESP, F_SA_READ,
	  { REQ(S_DELGET, R_SA, R_DST),
	    REP(S_SA_GET, R_SA, R_DST) }, NULL },
	{ SADB_ACQUIRE, SAT_AH_ESP, F_REPLY_ONLY,
	  { REQ(0),
	    REP(S_ACQUIRE, R_SRC, R_DST) }, extra_acquire },
	{ SADB_REGISTER, SAT_ALL_AH_ESP, 0,
	  { REQ(B(SADB_X_EXT_EREG)),
	    REP(B(SADB_EXT_SUPPORTED_AUTH) | B(SADB_EXT_SUPPORTED_ENCRYPT)) },
	  extra_register },
	{ SADB_EXPIRE, SAT_AH_ESP, F_REPLY_ONLY,
	  { REQ(0),
	    REP(S_EXPIRE, R_SA, R_CURRENT, R_SRC, R_DST) }, extra_expire },
	{ SADB_FLUSH, SAT_ALL_AH_ESP, 0,
	  { REQ(0), REP(0) }, NULL },
	{ SADB_DUMP, SAT_ALL_AH_ESP, F_END_MARKER | F_SA_READ,
	  { REQ(B(SADB_X_EXT_EDUMP)),
	    REP(S_SA_GET, R_SA, R_DST) }, NULL },
	{ SADB_X_PROMISC, SAT_ANY, F_PERMISSIVE,
	  { REQ(0), REP(S_ANY) }, NULL },
	{ SADB_X_INVERSE_ACQUIRE, SAT_AH_ESP, 0,
	  { REQ(S_SD | S_INNER | B(SADB_X_EXT_KM_COOKIE), R_SRC, R_DST),
	    REP(S_ACQUIRE, R_SRC, R_DST) }, extra_acquire },
	{ SADB_X_UPDATEPAIR, SAT_AH_ESP, F_SA_WRITE,
	  { REQ(S_UPDATEPAIR, R_SA, R_SRC, R_DST),
	    REP(S_UPDATEPAIR, R_SA, R_SRC, R_DST) }, NULL },
	{ SADB_X_DELPAIR, SAT_AH_ESP, 0,
	  { REQ(S_DELGET, R_SA, R_DST),
	    REP(S_DELGET, R_SA, R_DST) }, NULL },
	{ SADB_X_DELPAIR_STATE, SAT_ALL_AH_ESP, 0,
	  { REQ(B(SADB_EXT_SA) | B(SADB_EXT_ADDRESS_SRC), R_SA, R_SRC),
	    REP(B(SADB_EXT_SA) | B(SADB_EXT_ADDRESS_SRC), R_SA, R_SRC) }, NULL },
	{ SADB_X_DPSEC_SPDADD, SAT_ZERO, 0,
	  { REQ(S_SPD_RULE, R_POLICY, R_SELECTOR),
	    REP(S_SPD_RULE, R_POLICY, R_SELECTOR) }, extra_spd_rule },
	{ SADB_X_DPSEC_SPDDELETE, SAT_ZERO, 0,
	  { REQ(B(PFK_SLOT_POLICY), R_POLICY),
	    REP(S_SPD_RULE, R_POLICY, R_SELECTOR) }, extra_spd_rule },
	{ SADB_X_DPSEC_SPDGET, SAT_ZERO, 0,
	  { REQ(B(PFK_SLOT_POLICY), R_POLICY),
	    REP(S_SPD_RULE, R_POLICY, R_SELECTOR) }, extra_spd_rule },
	{ SADB_X_DPSEC_SPDDUMP, SAT_ZERO, F_END_MARKER,
	  { REQ(0),
	    REP(S_SPD_RULE, R_POLICY, R_SELECTOR) }, extra_spd_rule },
	{ SADB_X_DPSEC_SPDFLUSH, SAT_ZERO, 0,
	  { REQ(0), REP(0) }, NULL },
};

static const struct pfk_msg_rule *rule_of(uint8_t type)
{
	for (size_t i = 0; i < sizeof(msg_rules) / sizeof(msg_rules[0]); i++)
		if (msg_rules[i].type == type)
			return &msg_rules[i];
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Shape: satype, required and allowed extensions.                           */

static uint16_t check_satype(const struct pfk_msg_rule *r, uint8_t satype)
{
	const bool ah_esp = satype == SADB_SATYPE_AH || satype == SADB_SATYPE_ESP;

	switch (r->satype) {
	case SAT_AH_ESP:
		if (satype == SADB_SATYPE_UNSPEC)
			return SADB_X_DIAGNOSTIC_SATYPE_NEEDED;
		return ah_esp ? 0 : SADB_X_DIAGNOSTIC_UNKNOWN_SATYPE;
	case SAT_ALL_AH_ESP:
		return ah_esp || satype == SADB_SATYPE_UNSPEC ? 0
							      : SADB_X_DIAGNOSTIC_UNKNOWN_SATYPE;
	case SAT_ZERO:
		return satype == SADB_SATYPE_UNSPEC ? 0 : SADB_X_DIAGNOSTIC_UNKNOWN_SATYPE;
	default: /* SAT_ANY */
		return 0;
	}
}

/* The diagnostic for an extension present where the shape forbids it:
 * illumos has names for keys, proposals, supported lists and pairs. */
static uint16_t forbidden_diag(int slot)
{
	switch (slot) {
	case SADB_EXT_KEY_AUTH:
		return SADB_X_DIAGNOSTIC_AKEY_PRESENT;
	case SADB_EXT_KEY_ENCRYPT:
		return SADB_X_DIAGNOSTIC_EKEY_PRESENT;
	case SADB_EXT_PROPOSAL:
	case SADB_X_EXT_EPROP:
		return SADB_X_DIAGNOSTIC_PROP_PRESENT;
	case SADB_EXT_SUPPORTED_AUTH:
	case SADB_EXT_SUPPORTED_ENCRYPT:
		return SADB_X_DIAGNOSTIC_SUPP_PRESENT;
	case SADB_X_EXT_PAIR:
		return SADB_X_DIAGNOSTIC_PAIR_INAPPROPRIATE;
	default:
		return SADB_X_DIAGNOSTIC_DPSEC_EXT_NOT_ALLOWED;
	}
}

static uint16_t check_shape(const struct pfk_msg *m, const struct pfk_shape *s)
{
	const uint64_t extra = m->present & ~s->allowed;

	for (size_t i = 0; i < sizeof(s->required) / sizeof(s->required[0]); i++) {
		if (s->required[i].slot == 0)
			break;
		if (!pfk_has(m, s->required[i].slot))
			return s->required[i].diag;
	}
	for (int slot = 1; slot < PFK_SLOT_COUNT; slot++)
		if ((extra >> slot) & 1u)
			return forbidden_diag(slot);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Rules a set cannot express.                                               */

static uint16_t extra_acquire(const struct pfk_msg *m, enum pfk_dir dir)
{
	/* The request (X_INVERSE_ACQUIRE) asks the SPD; the reply offers. */
	if (dir == PFK_DIR_REPLY && !pfk_has(m, SADB_EXT_PROPOSAL) &&
	    !pfk_has(m, SADB_X_EXT_EPROP))
		return SADB_X_DIAGNOSTIC_NO_EXT;
	return 0;
}

static uint16_t extra_expire(const struct pfk_msg *m, enum pfk_dir dir)
{
	const unsigned n = (m->lt_hard != NULL) + (m->lt_soft != NULL) + (m->lt_idle != NULL);

	(void)dir;
	if (n == 0)
		return SADB_X_DIAGNOSTIC_MISSING_LIFETIME;
	/* One EXPIRE reports one expiry: which limit was crossed must be
	 * unambiguous. */
	return n == 1 ? 0 : SADB_X_DIAGNOSTIC_DPSEC_EXT_NOT_ALLOWED;
}

static uint16_t extra_register(const struct pfk_msg *m, enum pfk_dir dir)
{
	/* EREG lists the SA types itself; a satype on top is ambiguous. */
	if (dir == PFK_DIR_REQUEST && pfk_has(m, SADB_X_EXT_EREG) &&
	    m->hdr->sadb_msg_satype != SADB_SATYPE_UNSPEC)
		return SADB_X_DIAGNOSTIC_DPSEC_EXT_NOT_ALLOWED;
	return 0;
}

/* One SA requirement of an ipsec rule: algorithms must exist and fit the
 * SA type (as for an SA, ALG_ANY standing for "any the gateway has"). */
static uint16_t check_sareq_algs(const struct sadb_x_dpsec_sareq *r)
{
	const uint8_t auth = r->sadb_x_req_auth, encr = r->sadb_x_req_encrypt;
	const struct pfk_alg_info *ealg = pfk_alg_by_id(PFK_ALG_ENCRYPT, encr);

	if (auth != 0 && auth != SADB_X_DPSEC_ALG_ANY &&
	    pfk_alg_by_id(PFK_ALG_AUTH, auth) == NULL)
		return SADB_X_DIAGNOSTIC_BAD_AALG;
	if (r->sadb_x_req_satype == SADB_SATYPE_AH)
		return auth != 0 ? 0 : SADB_X_DIAGNOSTIC_BAD_AALG;
	if (encr == SADB_X_DPSEC_ALG_ANY)
		return 0;
	if (ealg == NULL)
		return SADB_X_DIAGNOSTIC_BAD_EALG;
	if ((ealg->flags & PFK_ALG_AEAD) && auth != 0)
		return SADB_X_DIAGNOSTIC_BAD_AALG;
	if (encr == SADB_EALG_NULL && auth == 0)
		return SADB_X_DIAGNOSTIC_BAD_AALG;
	return 0;
}

static uint16_t extra_spd_rule(const struct pfk_msg *m, enum pfk_dir dir)
{
	const struct sadb_x_dpsec_policy *p = m->policy;
	bool ipsec, tunnel;

	/* SPDDELETE/SPDGET requests name a rule by index; an SPDDUMP request
	 * is bare.  Only a full rule has more to check. */
	if (p == NULL || m->selector == NULL)
		return 0;
	(void)dir;
	ipsec = p->sadb_x_pol_action == SADB_X_DPSEC_ACTION_IPSEC;
	tunnel = ipsec && p->sadb_x_pol_mode == SADB_X_DPSEC_MODE_TUNNEL;
	if (ipsec && m->sareq_count == 0)
		return SADB_X_DIAGNOSTIC_DPSEC_MISSING_SAREQ;
	if (!ipsec && m->sareq_count != 0)
		return SADB_X_DIAGNOSTIC_DPSEC_SAREQ_PRESENT;
	/* mode and "sa unique" describe SAs: meaningless without any. */
	if (!ipsec && (p->sadb_x_pol_mode != 0 || p->sadb_x_pol_flags != 0))
		return SADB_X_DIAGNOSTIC_DPSEC_MALFORMED_POLICY;
	/* Tunnel endpoints and the inner selector belong to tunnel mode. */
	if (!tunnel && (m->src != NULL || m->dst != NULL || m->inner_selector != NULL))
		return SADB_X_DIAGNOSTIC_DPSEC_EXT_NOT_ALLOWED;
	if (m->src != NULL && m->dst == NULL)
		return SADB_X_DIAGNOSTIC_MISSING_DST;
	if (m->dst != NULL && m->src == NULL)
		return SADB_X_DIAGNOSTIC_MISSING_SRC;
	for (const struct sadb_x_dpsec_sareq *r = pfk_next_sareq(m, NULL); r != NULL;
	     r = pfk_next_sareq(m, r)) {
		const uint16_t d = check_sareq_algs(r);

		if (d != 0)
			return d;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Cross-field checks.                                                       */

static uint16_t addr_family(const struct sadb_address *a)
{
	return pfk_addr_sockaddr(a)->sa_family;
}

/* The port of an address extension (sin_port and sin6_port share their
 * offset); pfk_parse guaranteed the sockaddr is there. */
static uint16_t addr_port(const struct sadb_address *a)
{
	return ((const struct sockaddr_in *)(const void *)pfk_addr_sockaddr(a))->sin_port;
}

static uint16_t check_addresses(const struct pfk_msg *m)
{
	if (m->src != NULL && m->dst != NULL) {
		if (addr_family(m->src) != addr_family(m->dst))
			return SADB_X_DIAGNOSTIC_AF_MISMATCH;
		if (m->src->sadb_address_proto != m->dst->sadb_address_proto)
			return SADB_X_DIAGNOSTIC_PROTO_MISMATCH;
	}
	if (m->inner_src == NULL && m->inner_dst == NULL)
		return 0;
	if (m->inner_src == NULL)
		return SADB_X_DIAGNOSTIC_MISSING_INNER_SRC;
	if (m->inner_dst == NULL)
		return SADB_X_DIAGNOSTIC_MISSING_INNER_DST;
	if (addr_family(m->inner_src) != addr_family(m->inner_dst))
		return SADB_X_DIAGNOSTIC_INNER_AF_MISMATCH;
	if (m->inner_src->sadb_address_proto != m->inner_dst->sadb_address_proto)
		return SADB_X_DIAGNOSTIC_INNER_PROTO_MISMATCH;
	/* Tunnel mode: ports select the inner flow; outer ports too would
	 * leave two port sets for one SA. */
	if ((m->src != NULL && addr_port(m->src) != 0) ||
	    (m->dst != NULL && addr_port(m->dst) != 0))
		return SADB_X_DIAGNOSTIC_DUAL_PORT_SETS;
	return 0;
}

/* lower must not exceed upper where both are set (0 = no limit). */
static bool exceeds(uint64_t lower, uint64_t upper)
{
	return lower != 0 && upper != 0 && lower > upper;
}

static uint16_t check_lifetimes(const struct pfk_msg *m)
{
	const struct sadb_lifetime *h = m->lt_hard, *s = m->lt_soft, *i = m->lt_idle;

	if (h != NULL && s != NULL) {
		if (exceeds(s->sadb_lifetime_allocations, h->sadb_lifetime_allocations))
			return SADB_X_DIAGNOSTIC_ALLOC_HSERR;
		if (exceeds(s->sadb_lifetime_bytes, h->sadb_lifetime_bytes))
			return SADB_X_DIAGNOSTIC_BYTES_HSERR;
		if (exceeds(s->sadb_lifetime_addtime, h->sadb_lifetime_addtime))
			return SADB_X_DIAGNOSTIC_ADDTIME_HSERR;
		if (exceeds(s->sadb_lifetime_usetime, h->sadb_lifetime_usetime))
			return SADB_X_DIAGNOSTIC_USETIME_HSERR;
	}
	if (i == NULL)
		return 0;
	/* An idle period longer than the SA may live would never fire. */
	if ((s != NULL && exceeds(i->sadb_lifetime_addtime, s->sadb_lifetime_addtime)) ||
	    (h != NULL && exceeds(i->sadb_lifetime_addtime, h->sadb_lifetime_addtime)))
		return SADB_X_DIAGNOSTIC_ADDTIME_HSERR;
	if ((s != NULL && exceeds(i->sadb_lifetime_usetime, s->sadb_lifetime_usetime)) ||
	    (h != NULL && exceeds(i->sadb_lifetime_usetime, h->sadb_lifetime_usetime)))
		return SADB_X_DIAGNOSTIC_USETIME_HSERR;
	return 0;
}

static uint16_t check_sa_flags(const struct pfk_msg *m)
{
	const uint32_t f = m->sa != NULL ? m->sa->sadb_sa_flags : 0;

	if ((f & SADB_X_SAFLAGS_INBOUND) && (f & SADB_X_SAFLAGS_OUTBOUND))
		return SADB_X_DIAGNOSTIC_BAD_SA_DIRECTION;
	if ((f & SADB_X_SAFLAGS_NATT_LOC) && m->natt_loc == NULL)
		return SADB_X_DIAGNOSTIC_MISSING_NATT_LOC;
	if ((f & SADB_X_SAFLAGS_NATT_REM) && m->natt_rem == NULL)
		return SADB_X_DIAGNOSTIC_MISSING_NATT_REM;
	return 0;
}

/* A key's size against its algorithm.  saltbits 0 means "the algorithm's
 * salt"; the bits left after the salt must be a size the algorithm takes. */
static bool key_bits_ok(const struct sadb_key *k, const struct pfk_alg_info *alg)
{
	const unsigned salt = alg->saltbits;

	if (k->sadb_x_key_saltbits != 0 && k->sadb_x_key_saltbits != salt)
		return false;
	if (k->sadb_key_bits < salt)
		return false;
	return pfk_alg_keybits_ok(alg, k->sadb_key_bits - salt);
}

/* Algorithms of the SA extension against the SA type, and the keys they
 * need (ADD, and UPDATE when it brings keys). */
static uint16_t check_algorithms(const struct pfk_msg *m)
{
	const uint8_t aid = m->sa->sadb_sa_auth, eid = m->sa->sadb_sa_encrypt;
	const struct pfk_alg_info *aalg = pfk_alg_by_id(PFK_ALG_AUTH, aid);
	const struct pfk_alg_info *ealg = pfk_alg_by_id(PFK_ALG_ENCRYPT, eid);

	if (m->hdr->sadb_msg_satype == SADB_SATYPE_AH) {
		if (aid == SADB_AALG_NONE || aalg == NULL)
			return SADB_X_DIAGNOSTIC_BAD_AALG;
		if (eid != SADB_EALG_NONE)
			return SADB_X_DIAGNOSTIC_BAD_EALG;
		if (m->ekey != NULL)
			return SADB_X_DIAGNOSTIC_EKEY_PRESENT;
	} else {
		if (eid == SADB_EALG_NONE || ealg == NULL)
			return SADB_X_DIAGNOSTIC_BAD_EALG;
		if (aid != SADB_AALG_NONE && aalg == NULL)
			return SADB_X_DIAGNOSTIC_BAD_AALG;
		/* AEAD authenticates itself; NULL alone protects nothing. */
		if ((ealg->flags & PFK_ALG_AEAD) && aid != SADB_AALG_NONE)
			return SADB_X_DIAGNOSTIC_BAD_AALG;
		if (eid == SADB_EALG_NULL && aid == SADB_AALG_NONE)
			return SADB_X_DIAGNOSTIC_BAD_AALG;
		if (eid != SADB_EALG_NULL && m->ekey == NULL)
			return SADB_X_DIAGNOSTIC_MISSING_EKEY;
		if (eid == SADB_EALG_NULL && m->ekey != NULL)
			return SADB_X_DIAGNOSTIC_EKEY_PRESENT;
	}
	if (aid != SADB_AALG_NONE && m->akey == NULL)
		return SADB_X_DIAGNOSTIC_MISSING_AKEY;
	if (aid == SADB_AALG_NONE && m->akey != NULL)
		return SADB_X_DIAGNOSTIC_AKEY_PRESENT;
	if (m->ekey != NULL && !key_bits_ok(m->ekey, ealg))
		return SADB_X_DIAGNOSTIC_BAD_EKEYBITS;
	if (m->akey != NULL && !key_bits_ok(m->akey, aalg))
		return SADB_X_DIAGNOSTIC_BAD_AKEYBITS;
	return 0;
}

/* What a request that writes an SA may ask for. */
static uint16_t check_sa_request(const struct pfk_msg *m, const struct pfk_msg_rule *r)
{
	const uint8_t state = m->sa->sadb_sa_state;

	/* ADD: 0 means "mature"; DYING and DEAD are reached by lifetimes,
	 * never installed.  UPDATE may move an SA to any state (0: keep). */
	if ((r->flags & F_SA_ADD) &&
	    (state == SADB_SASTATE_DYING || state == SADB_SASTATE_DEAD))
		return SADB_X_DIAGNOSTIC_BAD_SASTATE;
	if ((r->flags & F_SA_ADD) || m->akey != NULL || m->ekey != NULL)
		return check_algorithms(m);
	return 0;
}

/* ------------------------------------------------------------------------ */

/* Error messages: a base header whose errno is set. */
static uint16_t check_errno_msg(const struct pfk_msg *m, enum pfk_dir dir)
{
	if (dir == PFK_DIR_REQUEST && m->hdr->sadb_msg_type != SADB_ACQUIRE)
		return SADB_X_DIAGNOSTIC_DPSEC_REQUEST_ERRNO;
	/* Replies and a key manager's failed ACQUIRE never carry
	 * extensions (so keys never travel back). */
	if (m->present != 0)
		return SADB_X_DIAGNOSTIC_DPSEC_EXT_NOT_ALLOWED;
	if (dir == PFK_DIR_REQUEST) {
		const struct pfk_msg_rule *r = rule_of(SADB_ACQUIRE);

		return check_satype(r, m->hdr->sadb_msg_satype);
	}
	return 0;
}

static uint16_t check_msg(const struct pfk_msg *m, enum pfk_dir dir)
{
	const struct pfk_msg_rule *r = rule_of(m->hdr->sadb_msg_type);
	uint16_t d;

	if (r == NULL)
		return SADB_X_DIAGNOSTIC_UNKNOWN_MSG;
	if (m->hdr->sadb_msg_errno != 0)
		return check_errno_msg(m, dir);
	/* EXPIRE and a successful ACQUIRE come from the gateway only. */
	if (dir == PFK_DIR_REQUEST && (r->flags & F_REPLY_ONLY))
		return SADB_X_DIAGNOSTIC_UNKNOWN_MSG;
	d = check_satype(r, m->hdr->sadb_msg_satype);
	if (d != 0)
		return d;
	if (dir == PFK_DIR_REPLY && (r->flags & F_END_MARKER) && m->present == 0)
		return 0;
	if (dir == PFK_DIR_REPLY && (r->flags & F_PERMISSIVE))
		return 0;
	d = check_shape(m, &r->shape[dir]);
	if (d == 0 && r->extra != NULL)
		d = r->extra(m, dir);
	if (d == 0)
		d = check_addresses(m);
	if (d == 0)
		d = check_lifetimes(m);
	if (d == 0 && ((r->flags & F_SA_WRITE) || (dir == PFK_DIR_REPLY && (r->flags & F_SA_READ))))
		d = check_sa_flags(m);
	if (d == 0 && dir == PFK_DIR_REQUEST && (r->flags & F_SA_WRITE))
		d = check_sa_request(m, r);
	return d;
}

int pfk_check(const struct pfk_msg *m, enum pfk_dir dir, uint16_t *diag)
{
	uint16_t scratch, d;

	if (diag == NULL)
		diag = &scratch;
	*diag = SADB_X_DIAGNOSTIC_NONE;
	if (m == NULL || m->hdr == NULL || (dir != PFK_DIR_REQUEST && dir != PFK_DIR_REPLY))
		return -EINVAL;
	d = check_msg(m, dir);
	*diag = d;
	if (d == SADB_X_DIAGNOSTIC_NONE)
		return 0;
	return d == SADB_X_DIAGNOSTIC_UNKNOWN_MSG ? -EOPNOTSUPP : -EINVAL;
}

int pfk_validate(const void *buf, size_t len, enum pfk_dir dir, struct pfk_msg *out,
		 uint16_t *diag)
{
	int rc = pfk_parse(buf, len, out, diag);

	return rc != 0 ? rc : pfk_check(out, dir, diag);
}
