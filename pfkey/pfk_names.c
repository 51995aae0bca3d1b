/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfk_names.c: names of the PF_KEY numbers, for printing and for the CLIs.
 *
 * One X-macro list per number space; the forward and the inverse lookups
 * are generated from the same list, so they cannot disagree.  Names are the
 * wire names without their SADB_ / SADB_X_DIAGNOSTIC_ prefix (message and
 * extension types keep their X_ marker); SA types, states and identity
 * types use the lower-case words ipseckey(8) reads and prints.
 *
 * Choices where the wire has two names for one number:
 *   extension 7 is "X_ADDRESS_INNER_SRC" (RFC 2367's ADDRESS_PROXY is the
 *   tunnel-mode inner source in illumos and in dpsec), and diagnostic 10 is
 *   "BAD_INNER_SRC_AF" for the same reason.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "dpsec/pfkey.h"

struct name_entry {
	unsigned value;
	const char *name;
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* The lists.                                                                */

#define PFK_MSG_LIST(X)                                                 \
	X(SADB_GETSPI, "GETSPI")                                        \
	X(SADB_UPDATE, "UPDATE")                                        \
	X(SADB_ADD, "ADD")                                              \
	X(SADB_DELETE, "DELETE")                                        \
	X(SADB_GET, "GET")                                              \
	X(SADB_ACQUIRE, "ACQUIRE")                                      \
	X(SADB_REGISTER, "REGISTER")                                    \
	X(SADB_EXPIRE, "EXPIRE")                                        \
	X(SADB_FLUSH, "FLUSH")                                          \
	X(SADB_DUMP, "DUMP")                                            \
	X(SADB_X_PROMISC, "X_PROMISC")                                  \
	X(SADB_X_INVERSE_ACQUIRE, "X_INVERSE_ACQUIRE")                  \
	X(SADB_X_UPDATEPAIR, "X_UPDATEPAIR")                            \
	X(SADB_X_DELPAIR, "X_DELPAIR")                                  \
	X(SADB_X_DELPAIR_STATE, "X_DELPAIR_STATE")                      \
	X(SADB_X_DPSEC_SPDADD, "X_DPSEC_SPDADD")                        \
	X(SADB_X_DPSEC_SPDDELETE, "X_DPSEC_SPDDELETE")                  \
	X(SADB_X_DPSEC_SPDGET, "X_DPSEC_SPDGET")                        \
	X(SADB_X_DPSEC_SPDDUMP, "X_DPSEC_SPDDUMP")                      \
	X(SADB_X_DPSEC_SPDFLUSH, "X_DPSEC_SPDFLUSH")

#define PFK_EXT_LIST(X)                                                 \
	X(SADB_EXT_SA, "SA")                                            \
	X(SADB_EXT_LIFETIME_CURRENT, "LIFETIME_CURRENT")                \
	X(SADB_EXT_LIFETIME_HARD, "LIFETIME_HARD")                      \
	X(SADB_EXT_LIFETIME_SOFT, "LIFETIME_SOFT")                      \
	X(SADB_EXT_ADDRESS_SRC, "ADDRESS_SRC")                          \
	X(SADB_EXT_ADDRESS_DST, "ADDRESS_DST")                          \
	X(SADB_X_EXT_ADDRESS_INNER_SRC, "X_ADDRESS_INNER_SRC")          \
	X(SADB_EXT_KEY_AUTH, "KEY_AUTH")                                \
	X(SADB_EXT_KEY_ENCRYPT, "KEY_ENCRYPT")                          \
	X(SADB_EXT_IDENTITY_SRC, "IDENTITY_SRC")                        \
	X(SADB_EXT_IDENTITY_DST, "IDENTITY_DST")                        \
	X(SADB_EXT_SENSITIVITY, "SENSITIVITY")                          \
	X(SADB_EXT_PROPOSAL, "PROPOSAL")                                \
	X(SADB_EXT_SUPPORTED_AUTH, "SUPPORTED_AUTH")                    \
	X(SADB_EXT_SUPPORTED_ENCRYPT, "SUPPORTED_ENCRYPT")              \
	X(SADB_EXT_SPIRANGE, "SPIRANGE")                                \
	X(SADB_X_EXT_EREG, "X_EREG")                                    \
	X(SADB_X_EXT_EPROP, "X_EPROP")                                  \
	X(SADB_X_EXT_KM_COOKIE, "X_KM_COOKIE")                          \
	X(SADB_X_EXT_ADDRESS_NATT_LOC, "X_ADDRESS_NATT_LOC")            \
	X(SADB_X_EXT_ADDRESS_NATT_REM, "X_ADDRESS_NATT_REM")            \
	X(SADB_X_EXT_ADDRESS_INNER_DST, "X_ADDRESS_INNER_DST")          \
	X(SADB_X_EXT_PAIR, "X_PAIR")                                    \
	X(SADB_X_EXT_REPLAY_VALUE, "X_REPLAY_VALUE")                    \
	X(SADB_X_EXT_EDUMP, "X_EDUMP")                                  \
	X(SADB_X_EXT_LIFETIME_IDLE, "X_LIFETIME_IDLE")                  \
	X(SADB_X_EXT_OUTER_SENS, "X_OUTER_SENS")                        \
	X(SADB_X_EXT_DPSEC_REPLAY_WINDOW, "X_DPSEC_REPLAY_WINDOW")      \
	X(SADB_X_EXT_DPSEC_SEQ_LEASE, "X_DPSEC_SEQ_LEASE")              \
	X(SADB_X_EXT_DPSEC_POLICY, "X_DPSEC_POLICY")                    \
	X(SADB_X_EXT_DPSEC_SELECTOR, "X_DPSEC_SELECTOR")                \
	X(SADB_X_EXT_DPSEC_INNER_SELECTOR, "X_DPSEC_INNER_SELECTOR")    \
	X(SADB_X_EXT_DPSEC_SAREQ, "X_DPSEC_SAREQ")

/* "all" is what ipseckey calls UNSPEC (flush/dump every type). */
#define PFK_SATYPE_LIST(X)                                              \
	X(SADB_SATYPE_UNSPEC, "all")                                    \
	X(SADB_SATYPE_AH, "ah")                                         \
	X(SADB_SATYPE_ESP, "esp")                                       \
	X(SADB_SATYPE_RSVP, "rsvp")                                     \
	X(SADB_SATYPE_OSPFV2, "ospfv2")                                 \
	X(SADB_SATYPE_RIPV2, "ripv2")                                   \
	X(SADB_SATYPE_MIP, "mip")

#define PFK_STATE_LIST(X)                                               \
	X(SADB_SASTATE_LARVAL, "larval")                                \
	X(SADB_SASTATE_MATURE, "mature")                                \
	X(SADB_SASTATE_DYING, "dying")                                  \
	X(SADB_SASTATE_DEAD, "dead")                                    \
	X(SADB_X_SASTATE_ACTIVE_ELSEWHERE, "active_elsewhere")          \
	X(SADB_X_SASTATE_IDLE, "idle")                                  \
	X(SADB_X_SASTATE_ACTIVE, "active")

/* The ipseckey words; the printed name is the first entry of a value. */
#define PFK_IDENTTYPE_LIST(X)                                           \
	X(SADB_IDENTTYPE_PREFIX, "prefix")                              \
	X(SADB_IDENTTYPE_FQDN, "fqdn")                                  \
	X(SADB_IDENTTYPE_USER_FQDN, "user_fqdn")                        \
	X(SADB_X_IDENTTYPE_DN, "der_dn")                                \
	X(SADB_X_IDENTTYPE_GN, "der_gn")                                \
	X(SADB_X_IDENTTYPE_KEY_ID, "key_id")                            \
	X(SADB_X_IDENTTYPE_ADDR_RANGE, "addr_range")                    \
	X(SADB_IDENTTYPE_FQDN, "domain")                                \
	X(SADB_IDENTTYPE_FQDN, "domainname")                            \
	X(SADB_IDENTTYPE_USER_FQDN, "mailbox")

/* Diagnostics: (suffix of SADB_X_DIAGNOSTIC_*, human sentence). */
#define PFK_DIAG_LIST(X)                                                                     \
	X(NONE, "No diagnostic")                                                             \
	X(UNKNOWN_MSG, "Unknown message type")                                               \
	X(UNKNOWN_EXT, "Unknown extension type")                                             \
	X(BAD_EXTLEN, "Extension has a bad length")                                          \
	X(UNKNOWN_SATYPE, "Unknown SA type")                                                 \
	X(SATYPE_NEEDED, "This message needs a specific SA type")                            \
	X(NO_SADBS, "No SA database for this SA type")                                       \
	X(NO_EXT, "A required extension is missing")                                         \
	X(BAD_SRC_AF, "Source address family not supported")                                \
	X(BAD_DST_AF, "Destination address family not supported")                           \
	X(BAD_INNER_SRC_AF, "Inner source (proxy) address family not supported")            \
	X(AF_MISMATCH, "Source and destination address families differ")                     \
	X(BAD_SRC, "Source address is not acceptable")                                       \
	X(BAD_DST, "Destination address is not acceptable")                                  \
	X(ALLOC_HSERR, "Soft allocation limit is above the hard one")                        \
	X(BYTES_HSERR, "Soft byte limit is above the hard one")                              \
	X(ADDTIME_HSERR, "Soft add-time limit is above the hard one")                        \
	X(USETIME_HSERR, "Soft use-time limit is above the hard one")                        \
	X(MISSING_SRC, "Source address extension is missing")                                \
	X(MISSING_DST, "Destination address extension is missing")                           \
	X(MISSING_SA, "SA extension is missing")                                             \
	X(MISSING_EKEY, "Encryption key extension is missing")                               \
	X(MISSING_AKEY, "Authentication key extension is missing")                           \
	X(MISSING_RANGE, "SPI range extension is missing")                                   \
	X(DUPLICATE_SRC, "Source address extension appears twice")                           \
	X(DUPLICATE_DST, "Destination address extension appears twice")                      \
	X(DUPLICATE_SA, "SA extension appears twice")                                        \
	X(DUPLICATE_EKEY, "Encryption key extension appears twice")                          \
	X(DUPLICATE_AKEY, "Authentication key extension appears twice")                      \
	X(DUPLICATE_RANGE, "SPI range extension appears twice")                              \
	X(MALFORMED_SRC, "Source address extension is malformed")                            \
	X(MALFORMED_DST, "Destination address extension is malformed")                       \
	X(MALFORMED_SA, "SA extension is malformed")                                         \
	X(MALFORMED_EKEY, "Encryption key extension is malformed")                           \
	X(MALFORMED_AKEY, "Authentication key extension is malformed")                       \
	X(MALFORMED_RANGE, "SPI range extension is malformed")                               \
	X(AKEY_PRESENT, "An authentication key is not allowed here")                         \
	X(EKEY_PRESENT, "An encryption key is not allowed here")                             \
	X(PROP_PRESENT, "A proposal is not allowed here")                                    \
	X(SUPP_PRESENT, "A supported-algorithms list is not allowed here")                   \
	X(BAD_AALG, "Authentication algorithm unknown or not allowed")                       \
	X(BAD_EALG, "Encryption algorithm unknown or not allowed")                           \
	X(BAD_SAFLAGS, "SA flags are invalid")                                               \
	X(BAD_SASTATE, "SA state is invalid")                                                \
	X(BAD_AKEYBITS, "Authentication key has the wrong size")                             \
	X(BAD_EKEYBITS, "Encryption key has the wrong size")                                 \
	X(ENCR_NOTSUPP, "Encryption is not supported")                                       \
	X(WEAK_EKEY, "Encryption key is weak")                                               \
	X(WEAK_AKEY, "Authentication key is weak")                                           \
	X(DUPLICATE_KMP, "Key management protocol given twice")                              \
	X(DUPLICATE_KMC, "Key management cookie given twice")                                \
	X(MISSING_NATT_LOC, "NAT-T local address extension is missing")                      \
	X(MISSING_NATT_REM, "NAT-T remote address extension is missing")                     \
	X(DUPLICATE_NATT_LOC, "NAT-T local address extension appears twice")                 \
	X(DUPLICATE_NATT_REM, "NAT-T remote address extension appears twice")                \
	X(MALFORMED_NATT_LOC, "NAT-T local address extension is malformed")                  \
	X(MALFORMED_NATT_REM, "NAT-T remote address extension is malformed")                 \
	X(DUPLICATE_NATT_PORTS, "NAT-T ports given twice")                                   \
	X(MISSING_INNER_SRC, "Inner source address extension is missing")                    \
	X(MISSING_INNER_DST, "Inner destination address extension is missing")               \
	X(DUPLICATE_INNER_SRC, "Inner source address extension appears twice")               \
	X(DUPLICATE_INNER_DST, "Inner destination address extension appears twice")          \
	X(MALFORMED_INNER_SRC, "Inner source address extension is malformed")                \
	X(MALFORMED_INNER_DST, "Inner destination address extension is malformed")           \
	X(PREFIX_INNER_SRC, "Inner source prefix length is invalid")                         \
	X(PREFIX_INNER_DST, "Inner destination prefix length is invalid")                    \
	X(BAD_INNER_DST_AF, "Inner destination address family not supported")               \
	X(INNER_AF_MISMATCH, "Inner source and destination address families differ")        \
	X(BAD_NATT_REM_AF, "NAT-T remote address family not supported")                      \
	X(BAD_NATT_LOC_AF, "NAT-T local address family not supported")                       \
	X(PROTO_MISMATCH, "Source and destination protocols differ")                         \
	X(INNER_PROTO_MISMATCH, "Inner source and destination protocols differ")             \
	X(DUAL_PORT_SETS, "Ports given for both the outer and the inner addresses")          \
	X(PAIR_INAPPROPRIATE, "SA pairing is not allowed for this SA")                       \
	X(PAIR_ADD_MISMATCH, "The SA to pair with does not match")                           \
	X(PAIR_ALREADY, "The SA is already paired")                                          \
	X(PAIR_SA_NOTFOUND, "The SA to pair with does not exist")                            \
	X(BAD_SA_DIRECTION, "SA direction (inbound/outbound) is wrong")                      \
	X(SA_NOTFOUND, "No such SA")                                                         \
	X(SA_EXPIRED, "The SA has expired")                                                  \
	X(BAD_CTX, "Bad security context")                                                   \
	X(INVALID_REPLAY, "Replay value is invalid")                                         \
	X(MISSING_LIFETIME, "Lifetime extension is missing")                                 \
	X(BAD_LABEL, "Sensitivity label is invalid")                                         \
	X(MISSING_ASTR, "Address string extension is missing")                               \
	X(DUPLICATE_ASTR, "Address string extension appears twice")                          \
	X(MALFORMED_ASTR, "Address string extension is malformed")                           \
	X(DPSEC_BAD_VERSION, "Not a PF_KEY version 2 message")                               \
	X(DPSEC_SHORT_MSG, "Message shorter than its base header")                           \
	X(DPSEC_BAD_MSGLEN, "Message length field disagrees with the bytes received")        \
	X(DPSEC_EXT_ZERO_LEN, "An extension has length zero")                                \
	X(DPSEC_EXT_OVERRUN, "An extension runs past the end of the message")                \
	X(DPSEC_DUPLICATE_EXT, "An extension appears twice")                                 \
	X(DPSEC_EXT_NOT_ALLOWED, "An extension is not allowed in this message")              \
	X(DPSEC_REQUEST_ERRNO, "A request must not carry an errno")                          \
	X(DPSEC_MALFORMED_LIFETIME, "Lifetime extension is malformed")                       \
	X(DPSEC_MALFORMED_KMC, "Key management cookie extension is malformed")               \
	X(DPSEC_MALFORMED_IDENTITY, "Identity extension is malformed")                       \
	X(DPSEC_MALFORMED_PROPOSAL, "Proposal extension is malformed")                       \
	X(DPSEC_MALFORMED_SUPPORTED, "Supported-algorithms extension is malformed")          \
	X(DPSEC_MALFORMED_EREG, "Extended register extension is malformed")                  \
	X(DPSEC_MALFORMED_PAIR, "Pair extension is malformed")                               \
	X(DPSEC_MALFORMED_REPLAY_VALUE, "Replay value extension is malformed")               \
	X(DPSEC_MALFORMED_EDUMP, "Extended dump extension is malformed")                     \
	X(DPSEC_MALFORMED_SENS, "Sensitivity extension is malformed")                        \
	X(DPSEC_MALFORMED_REPLAY_WINDOW, "Replay window extension is malformed")             \
	X(DPSEC_BAD_REPLAY_WINDOW, "Replay window is larger than dpsec supports")            \
	X(DPSEC_MALFORMED_SEQ_LEASE, "Sequence lease extension is malformed")                \
	X(DPSEC_MALFORMED_POLICY, "Policy extension is malformed")                           \
	X(DPSEC_MALFORMED_SELECTOR, "Selector extension is malformed")                       \
	X(DPSEC_MALFORMED_SAREQ, "SA requirement extension is malformed")                    \
	X(DPSEC_MISSING_POLICY, "Policy extension is missing")                               \
	X(DPSEC_MISSING_SELECTOR, "Selector extension is missing")                           \
	X(DPSEC_MISSING_SAREQ, "An ipsec policy needs at least one SA requirement")          \
	X(DPSEC_SAREQ_PRESENT, "A bypass or discard policy takes no SA requirement")         \
	X(DPSEC_BAD_POLICY_ACTION, "Policy action is invalid")                               \
	X(DPSEC_BAD_POLICY_DIR, "Policy direction is invalid")                               \
	X(DPSEC_BAD_SELECTOR_AF, "Selector address family not supported")                    \
	X(DPSEC_BAD_PREFIXLEN, "Prefix length is longer than the address")                   \
	X(DPSEC_BAD_RESERVED, "A reserved field is not zero")                                \
	X(DPSEC_POLICY_NOTFOUND, "No such policy")                                           \
	X(DPSEC_POLICY_EXISTS, "An identical policy already exists")                         \
	X(DPSEC_LEASE_BELOW_SEQ, "Sequence lease is not above the last sequence number sent") \
	X(DPSEC_NOT_PERMITTED, "The sender is not permitted to change the databases")        \
	X(DPSEC_NO_RESOURCES, "Out of table space or memory")

#define NAME_ENTRY(v, n) { (v), (n) },

static const struct name_entry msg_names[] = { PFK_MSG_LIST(NAME_ENTRY) };
static const struct name_entry ext_names[] = { PFK_EXT_LIST(NAME_ENTRY) };
static const struct name_entry satype_names[] = { PFK_SATYPE_LIST(NAME_ENTRY) };
static const struct name_entry state_names[] = { PFK_STATE_LIST(NAME_ENTRY) };
static const struct name_entry identtype_names[] = { PFK_IDENTTYPE_LIST(NAME_ENTRY) };

struct diag_entry {
	uint16_t value;
	const char *name;
	const char *text;
};

#define DIAG_ENTRY(n, s) { SADB_X_DIAGNOSTIC_##n, #n, s },
static const struct diag_entry diag_names[] = { PFK_DIAG_LIST(DIAG_ENTRY) };

/* ------------------------------------------------------------------------ */
/* Lookups.                                                                  */

static const char *name_of(const struct name_entry *t, size_t n, unsigned value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

static int value_of(const struct name_entry *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(t[i].name, name) == 0)
			return (int)t[i].value;
	return -ENOENT;
}

/* A decimal number 0..max with nothing around it, or -ENOENT. */
static int decimal(const char *s, unsigned max)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -ENOENT;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -ENOENT;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -ENOENT;
	}
	return (int)v;
}

static const struct diag_entry *diag_entry(uint16_t diag)
{
	for (size_t i = 0; i < COUNT(diag_names); i++)
		if (diag_names[i].value == diag)
			return &diag_names[i];
	return NULL;
}

const char *pfk_msg_name(uint8_t type)
{
	return name_of(msg_names, COUNT(msg_names), type);
}

const char *pfk_ext_name(uint16_t exttype)
{
	return name_of(ext_names, COUNT(ext_names), exttype);
}

const char *pfk_satype_name(uint8_t satype)
{
	return name_of(satype_names, COUNT(satype_names), satype);
}

const char *pfk_state_name(uint8_t state)
{
	return name_of(state_names, COUNT(state_names), state);
}

const char *pfk_identtype_name(uint16_t type)
{
	return name_of(identtype_names, COUNT(identtype_names), type);
}

const char *pfk_diag_name(uint16_t diag)
{
	const struct diag_entry *d = diag_entry(diag);

	return d != NULL ? d->name : NULL;
}

const char *pfk_diag_string(uint16_t diag)
{
	const struct diag_entry *d = diag_entry(diag);

	return d != NULL ? d->text : NULL;
}

/* Message types: the name, with or without the "SADB_" prefix. */
int pfk_msg_from_name(const char *name)
{
	if (name == NULL)
		return -ENOENT;
	if (strncasecmp(name, "SADB_", 5) == 0)
		name += 5;
	return value_of(msg_names, COUNT(msg_names), name);
}

/* ipseckey accepts any SA type number and lets the kernel judge it. */
int pfk_satype_from_name(const char *name)
{
	int v;

	if (name == NULL)
		return -ENOENT;
	v = value_of(satype_names, COUNT(satype_names), name);
	return v >= 0 ? v : decimal(name, UINT8_MAX);
}

/* Numbers are accepted too (illumos ipseckey did not parse them). */
int pfk_state_from_name(const char *name)
{
	int v;

	if (name == NULL)
		return -ENOENT;
	v = value_of(state_names, COUNT(state_names), name);
	return v >= 0 ? v : decimal(name, SADB_SASTATE_MAX);
}

/* Identity types are open-ended: any number is accepted, as in ipseckey. */
int pfk_identtype_from_name(const char *name)
{
	int v;

	if (name == NULL)
		return -ENOENT;
	v = value_of(identtype_names, COUNT(identtype_names), name);
	return v >= 0 ? v : decimal(name, UINT16_MAX);
}
