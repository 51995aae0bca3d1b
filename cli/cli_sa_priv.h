/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli_sa_priv.h: what cli_sa_parse.c and cli_sa_print.c share: the SA as
 * the grammar sees it (struct cli_sa) and the one keyword table.
 *
 * A command line is parsed into a struct cli_sa (each keyword's parser
 * stores its value and marks it seen), checked as a whole, then built into
 * a request in one fixed extension order by cli_sa_build().
 * cli_sa_decode() is the inverse: a parsed PF_KEY message back into a
 * struct cli_sa, which each keyword's saver writes as text.  parse(save(x))
 * == x therefore holds keyword by keyword.
 */
#ifndef DPSEC_CLI_SA_PRIV_H
#define DPSEC_CLI_SA_PRIV_H

#include <stdio.h>
#include <sys/socket.h>

#include "cli_ipseckey.h"

/* Every keyword, synonyms folded.  Each may appear once per command. */
enum cli_kw {
	CLI_KW_SPI, CLI_KW_PAIR_SPI, CLI_KW_REPLAY, CLI_KW_REPLAY_WINDOW, CLI_KW_ESN,
	CLI_KW_REPLAY_VALUE, CLI_KW_SEQ_LEASE, CLI_KW_STATE, CLI_KW_AUTH_ALG,
	CLI_KW_ENCR_ALG,
	CLI_KW_SOFT_ALLOC, CLI_KW_SOFT_BYTES, CLI_KW_SOFT_ADDTIME, CLI_KW_SOFT_USETIME,
	CLI_KW_HARD_ALLOC, CLI_KW_HARD_BYTES, CLI_KW_HARD_ADDTIME, CLI_KW_HARD_USETIME,
	CLI_KW_IDLE_ADDTIME, CLI_KW_IDLE_USETIME,
	CLI_KW_SRC, CLI_KW_DST, CLI_KW_ISRC, CLI_KW_IDST, CLI_KW_NAT_LOC, CLI_KW_NAT_REM,
	CLI_KW_SPORT, CLI_KW_DPORT, CLI_KW_ISPORT, CLI_KW_IDPORT, CLI_KW_NAT_LPORT,
	CLI_KW_NAT_RPORT, CLI_KW_PROTO, CLI_KW_IPROTO, CLI_KW_ENCAP,
	CLI_KW_AUTHKEY, CLI_KW_ENCRKEY, CLI_KW_RESERVED_BITS,
	CLI_KW_SRCID, CLI_KW_DSTID, CLI_KW_INBOUND, CLI_KW_OUTBOUND,
	CLI_KW_COUNT
};

/* Address slots (index into cli_sa.addr), in build order. */
enum cli_addr_slot {
	CLI_A_SRC, CLI_A_DST, CLI_A_ISRC, CLI_A_IDST, CLI_A_NATLOC, CLI_A_NATREM,
	CLI_A_COUNT
};

/* Lifetime slots and fields. */
enum { CLI_LT_SOFT, CLI_LT_HARD, CLI_LT_IDLE, CLI_LT_COUNT };
enum { CLI_LTF_ALLOC, CLI_LTF_BYTES, CLI_LTF_ADDTIME, CLI_LTF_USETIME };

#define CLI_KEY_MAX 256  /* bytes: 2048-bit keys */
#define CLI_ID_MAX 1024  /* identity string, NUL included */

struct cli_sa {
	uint64_t seen;                   /* bit per enum cli_kw */
	uint32_t spi, pair_spi;          /* host order */
	uint32_t window;                 /* replay / replay_window */
	uint64_t replay_value;
	uint64_t seq_lease;
	uint8_t state, auth, encr;
	uint64_t lt[CLI_LT_COUNT][4];
	struct sockaddr_storage addr[CLI_A_COUNT];
	uint8_t prefix[CLI_A_COUNT];
	uint16_t port[CLI_A_COUNT];      /* host order */
	uint8_t proto, iproto;
	uint16_t akey_bits, ekey_bits, salt_bits;
	uint16_t id_type[2];
	uint8_t akey[CLI_KEY_MAX], ekey[CLI_KEY_MAX];
	char id[2][CLI_ID_MAX];
};

static inline bool cli_seen(const struct cli_sa *sa, enum cli_kw kw)
{
	return (sa->seen >> kw) & 1u;
}

struct cli_pctx;

/* One row per spelling group: rows with the same id are synonyms that
 * differ in what they accept (src vs src6); the first row of an id is the
 * one save writes. */
struct cli_keyword {
	const char *const *names;   /* NULL-terminated, names[0] canonical */
	enum cli_kw id;
	unsigned nargs;             /* values after the keyword: 0, 1 or 2 */
	int param;                  /* per-parser detail (slot, family, ...) */
	int (*parse)(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v);
	void (*save)(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa);
};

extern const struct cli_keyword cli_keywords[];
extern const size_t cli_keyword_count;

/* Build the request for verb from a checked cli_sa.  Returns the length or
 * -errno. */
int cli_sa_build(const struct cli_sa *sa, enum cli_verb verb, uint8_t satype,
		 uint32_t seq, uint32_t pid, void *buf, size_t cap);

/* A parsed message back into a cli_sa (what save writes). */
void cli_sa_decode(const struct pfk_msg *m, struct cli_sa *sa);

/* Helpers shared by parse and print. */
void cli_print_addr(FILE *out, const struct sockaddr *sa);
bool cli_addr_unspecified(const struct sockaddr_storage *ss);
const char *cli_alg_name(enum pfk_alg_kind kind, uint8_t id);

#endif /* DPSEC_CLI_SA_PRIV_H */
