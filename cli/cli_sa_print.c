/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli_sa_print.c: PF_KEY messages -> text.
 *
 * cli_print_msg() is the verbose form of dump, get, monitor and -v: the
 * base header, then one tagged line or more per extension, in the order of
 * the message.  Keys are shown only with CLI_PRINT_KEYS.  Every state has
 * a name, the cluster states included (illumos printed ACTIVE as
 * "<unknown 6>").
 *
 * cli_save_msg() writes an SA as one `add` line through the keyword table
 * of cli_sa_parse.c (cli_sa_decode() then each keyword's saver).
 *
 * Messages are validated with pfk_parse() before anything is read from
 * them; a copy in an aligned buffer is made because the codec wants one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_sa_priv.h"

/* ------------------------------------------------------------------------ */
/* Small shared helpers.                                                     */

void cli_print_addr(FILE *out, const struct sockaddr *sa)
{
	char text[INET6_ADDRSTRLEN];
	const void *a = sa->sa_family == AF_INET ?
		(const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr :
		(const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

	if ((sa->sa_family != AF_INET && sa->sa_family != AF_INET6) ||
	    inet_ntop(sa->sa_family, a, text, sizeof(text)) == NULL)
		fprintf(out, "<address family %u>", sa->sa_family);
	else
		fputs(text, out);
}

bool cli_addr_unspecified(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)ss)->sin_addr.s_addr == 0;
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
			&((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr);
	return true;
}

/* Canonical name, or the number as text in a static per-id table would be
 * global state: unknown ids print as "unknown", callers print the id. */
const char *cli_alg_name(enum pfk_alg_kind kind, uint8_t id)
{
	const struct pfk_alg_info *a = pfk_alg_by_id(kind, id);

	if (id == 0)
		return "none";
	return a != NULL ? a->name : "unknown";
}

static uint16_t addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Decoding for save.                                                        */

#define SEE(sa, k) ((sa)->seen |= 1ull << (k))

static void decode_lifetime(struct cli_sa *sa, const struct sadb_lifetime *lt, int slot,
			    enum cli_kw first)
{
	const uint64_t v[4] = { lt->sadb_lifetime_allocations, lt->sadb_lifetime_bytes,
				lt->sadb_lifetime_addtime, lt->sadb_lifetime_usetime };
	bool any = false;

	for (int f = slot == CLI_LT_IDLE ? CLI_LTF_ADDTIME : 0; f < 4; f++) {
		sa->lt[slot][f] = v[f];
		if (v[f] != 0) {
			SEE(sa, first + f - (slot == CLI_LT_IDLE ? CLI_LTF_ADDTIME : 0));
			any = true;
		}
	}
	/* A lifetime of zeros was still asked for: keep the extension. */
	if (!any)
		SEE(sa, slot == CLI_LT_IDLE ? first : first + CLI_LTF_BYTES);
}

/* Copies the address without its port; returns the port. */
static uint16_t decode_addr(struct cli_sa *sa, const struct sadb_address *a, int slot)
{
	const struct sockaddr *s = pfk_addr_sockaddr(a);
	size_t n = s->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
		   sizeof(struct sockaddr_in6);
	uint16_t port = addr_port(s);

	memcpy(&sa->addr[slot], s, n);
	if (s->sa_family == AF_INET)
		((struct sockaddr_in *)&sa->addr[slot])->sin_port = 0;
	else
		((struct sockaddr_in6 *)&sa->addr[slot])->sin6_port = 0;
	sa->prefix[slot] = a->sadb_address_prefixlen;
	sa->port[slot] = port;
	return port;
}

/* Keys longer than the grammar takes are cut and marked by bits one more
 * than it takes, which cli_sa_savable() refuses. */
static void decode_key(const struct sadb_key *k, uint8_t *key, uint16_t *bits)
{
	unsigned b = k->sadb_key_bits;

	if (b > 8 * CLI_KEY_MAX) {
		memcpy(key, pfk_key_data(k), CLI_KEY_MAX);
		*bits = 8 * CLI_KEY_MAX + 1;
		return;
	}
	memcpy(key, pfk_key_data(k), (b + 7) / 8);
	*bits = (uint16_t)b;
}

static void decode_ident(struct cli_sa *sa, const struct sadb_ident *id, int which)
{
	size_t room = (size_t)id->sadb_ident_len * 8 - sizeof(*id);
	const char *s = (const char *)(id + 1);
	size_t n = strnlen(s, room);

	if (n >= CLI_ID_MAX)
		n = CLI_ID_MAX - 1;
	memcpy(sa->id[which], s, n);
	sa->id[which][n] = '\0';
	sa->id_type[which] = id->sadb_ident_type;
	SEE(sa, which == 0 ? CLI_KW_SRCID : CLI_KW_DSTID);
}

void cli_sa_decode(const struct pfk_msg *m, struct cli_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (m->sa != NULL) {
		sa->spi = ntohl(m->sa->sadb_sa_spi);
		SEE(sa, CLI_KW_SPI);
		sa->state = m->sa->sadb_sa_state;
		if (sa->state != SADB_SASTATE_MATURE)
			SEE(sa, CLI_KW_STATE);
		sa->auth = m->sa->sadb_sa_auth;
		if (sa->auth != 0)
			SEE(sa, CLI_KW_AUTH_ALG);
		sa->encr = m->sa->sadb_sa_encrypt;
		if (sa->encr != 0)
			SEE(sa, CLI_KW_ENCR_ALG);
		if (m->sa->sadb_sa_flags & SADB_X_SAFLAGS_INBOUND)
			SEE(sa, CLI_KW_INBOUND);
		if (m->sa->sadb_sa_flags & SADB_X_SAFLAGS_OUTBOUND)
			SEE(sa, CLI_KW_OUTBOUND);
		sa->window = m->sa->sadb_sa_replay;
	}
	if (m->replay_window != NULL) {
		sa->window = m->replay_window->sadb_x_rw_window;
		SEE(sa, CLI_KW_REPLAY_WINDOW);
		if (m->replay_window->sadb_x_rw_flags & SADB_X_DPSEC_RW_ESN)
			SEE(sa, CLI_KW_ESN);
	} else if (sa->window != 0) {
		SEE(sa, CLI_KW_REPLAY);
	}
	if (m->lt_soft != NULL)
		decode_lifetime(sa, m->lt_soft, CLI_LT_SOFT, CLI_KW_SOFT_ALLOC);
	if (m->lt_hard != NULL)
		decode_lifetime(sa, m->lt_hard, CLI_LT_HARD, CLI_KW_HARD_ALLOC);
	if (m->lt_idle != NULL)
		decode_lifetime(sa, m->lt_idle, CLI_LT_IDLE, CLI_KW_IDLE_ADDTIME);

	if (m->src != NULL) {
		if (decode_addr(sa, m->src, CLI_A_SRC) != 0)
			SEE(sa, CLI_KW_SPORT);
		if (!cli_addr_unspecified(&sa->addr[CLI_A_SRC]))
			SEE(sa, CLI_KW_SRC);
		sa->proto = m->src->sadb_address_proto;
	}
	if (m->dst != NULL) {
		if (decode_addr(sa, m->dst, CLI_A_DST) != 0)
			SEE(sa, CLI_KW_DPORT);
		SEE(sa, CLI_KW_DST);
		if (sa->proto == 0)
			sa->proto = m->dst->sadb_address_proto;
	}
	if (sa->proto != 0)
		SEE(sa, CLI_KW_PROTO);
	if (m->inner_src != NULL && m->inner_dst != NULL) {
		if (decode_addr(sa, m->inner_src, CLI_A_ISRC) != 0)
			SEE(sa, CLI_KW_ISPORT);
		if (decode_addr(sa, m->inner_dst, CLI_A_IDST) != 0)
			SEE(sa, CLI_KW_IDPORT);
		SEE(sa, CLI_KW_ISRC);
		SEE(sa, CLI_KW_IDST);
		sa->iproto = m->inner_src->sadb_address_proto;
		if (sa->iproto != 0)
			SEE(sa, CLI_KW_IPROTO);
	}
	if (m->natt_loc != NULL) {
		SEE(sa, CLI_KW_ENCAP);
		bool port = decode_addr(sa, m->natt_loc, CLI_A_NATLOC) != 0;

		/* Without an address the port says the extension is there,
		 * even a port of 0. */
		if (!cli_addr_unspecified(&sa->addr[CLI_A_NATLOC]))
			SEE(sa, CLI_KW_NAT_LOC);
		else
			port = true;
		if (port)
			SEE(sa, CLI_KW_NAT_LPORT);
	}
	if (m->natt_rem != NULL) {
		SEE(sa, CLI_KW_ENCAP);
		bool port = decode_addr(sa, m->natt_rem, CLI_A_NATREM) != 0;

		/* Without an address the port says the extension is there,
		 * even a port of 0. */
		if (!cli_addr_unspecified(&sa->addr[CLI_A_NATREM]))
			SEE(sa, CLI_KW_NAT_REM);
		else
			port = true;
		if (port)
			SEE(sa, CLI_KW_NAT_RPORT);
	}
	if (m->akey != NULL) {
		decode_key(m->akey, sa->akey, &sa->akey_bits);
		SEE(sa, CLI_KW_AUTHKEY);
	}
	if (m->ekey != NULL) {
		const struct pfk_alg_info *ea = pfk_alg_by_id(PFK_ALG_ENCRYPT, sa->encr);

		decode_key(m->ekey, sa->ekey, &sa->ekey_bits);
		sa->salt_bits = m->ekey->sadb_x_key_saltbits;
		SEE(sa, CLI_KW_ENCRKEY);
		if (ea == NULL || ea->saltbits != sa->salt_bits)
			SEE(sa, CLI_KW_RESERVED_BITS);
	}
	if (pfk_has(m, SADB_EXT_IDENTITY_SRC))
		decode_ident(sa, (const struct sadb_ident *)(const void *)
			     m->ext[SADB_EXT_IDENTITY_SRC], 0);
	if (pfk_has(m, SADB_EXT_IDENTITY_DST))
		decode_ident(sa, (const struct sadb_ident *)(const void *)
			     m->ext[SADB_EXT_IDENTITY_DST], 1);
	if (m->pair != NULL) {
		sa->pair_spi = ntohl(m->pair->sadb_x_pair_spi);
		SEE(sa, CLI_KW_PAIR_SPI);
	}
	if (m->replay_value != NULL) {
		sa->replay_value = pfk_replay_value(m->replay_value);
		SEE(sa, CLI_KW_REPLAY_VALUE);
	}
	/* In GET and DUMP replies the lease is the gateway's current limit,
	 * not something an operator set: saving it would freeze it. */
	if (m->seq_lease != NULL && m->hdr->sadb_msg_type != SADB_DUMP &&
	    m->hdr->sadb_msg_type != SADB_GET) {
		sa->seq_lease = m->seq_lease->sadb_x_sl_limit;
		SEE(sa, CLI_KW_SEQ_LEASE);
	}
}

/* Can every value be written so that the parser reads it back?  Replies
 * from the gateway may hold what no command line can (an algorithm this
 * tool does not know, a key longer than it takes, an identity with a line
 * break or with both a quote and a blank): such an SA is not saved rather
 * than saved wrong. */
static bool cli_sa_savable(const struct cli_sa *sa)
{
	if (cli_seen(sa, CLI_KW_AUTH_ALG) && pfk_alg_by_id(PFK_ALG_AUTH, sa->auth) == NULL)
		return false;
	if (cli_seen(sa, CLI_KW_ENCR_ALG) && pfk_alg_by_id(PFK_ALG_ENCRYPT, sa->encr) == NULL)
		return false;
	if (sa->akey_bits > 8 * CLI_KEY_MAX || sa->ekey_bits > 8 * CLI_KEY_MAX)
		return false;
	for (int i = 0; i < 2; i++) {
		const char *id = sa->id[i];

		if (!cli_seen(sa, i == 0 ? CLI_KW_SRCID : CLI_KW_DSTID))
			continue;
		if (id[0] == '\0' || strpbrk(id, "\n\r") != NULL ||
		    (strchr(id, '"') != NULL && (strpbrk(id, " \t#\\") != NULL || id[0] == '"')))
			return false;
	}
	return true;
}

/* pfk_parse wants an 8-byte aligned buffer; callers' buffers need not be. */
static void *aligned_copy(const void *msg, size_t len)
{
	void *p = malloc(len ? len : 1);

	if (p != NULL)
		memcpy(p, msg, len);
	return p;
}

static void free_copy(void *p, size_t len)
{
	if (p != NULL) {
		pfk_wipe(p, len);
		free(p);
	}
}

int cli_save_msg(FILE *out, const void *msg, size_t len)
{
	return cli_save_msg_flags(out, msg, len, 0);
}

/* Which SA of a pair goes first: the smaller SPI; with equal SPIs, the one
 * whose destination sorts lower (the partner's destination is this SA's
 * source). */
enum cli_pair_role cli_save_pair_role(const void *msg, size_t len)
{
	struct pfk_msg m;
	uint16_t diag;
	void *copy = aligned_copy(msg, len);
	enum cli_pair_role role = CLI_PAIR_NONE;

	if (copy == NULL)
		return CLI_PAIR_NONE;
	if (pfk_parse(copy, len, &m, &diag) == 0 && m.sa != NULL && m.pair != NULL &&
	    m.src != NULL && m.dst != NULL) {
		const uint32_t spi = ntohl(m.sa->sadb_sa_spi);
		const uint32_t pair = ntohl(m.pair->sadb_x_pair_spi);
		const size_t n = (size_t)m.src->sadb_address_len * 8;
		bool first;

		if (spi != pair)
			first = spi < pair;
		else
			first = n == (size_t)m.dst->sadb_address_len * 8 &&
				memcmp(m.dst + 1, m.src + 1, n - sizeof(*m.src)) < 0;
		role = first ? CLI_PAIR_FIRST : CLI_PAIR_SECOND;
	}
	free_copy(copy, len);
	return role;
}

int cli_save_msg_flags(FILE *out, const void *msg, size_t len, unsigned flags)
{
	struct pfk_msg m;
	struct cli_sa *sa = NULL;
	uint64_t done = 0;
	uint16_t diag;
	bool late_state;
	void *copy;
	int rc = -EINVAL;

	copy = aligned_copy(msg, len);
	if (copy == NULL)
		return -ENOMEM;
	if (pfk_parse(copy, len, &m, &diag) < 0 || m.sa == NULL || m.dst == NULL ||
	    (m.hdr->sadb_msg_satype != SADB_SATYPE_AH &&
	     m.hdr->sadb_msg_satype != SADB_SATYPE_ESP))
		goto out;
	sa = malloc(sizeof(*sa));
	if (sa == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	cli_sa_decode(&m, sa);
	if (!cli_sa_savable(sa))
		goto out;
	if (flags & CLI_SAVE_NO_PAIR)
		sa->seen &= ~(1ull << CLI_KW_PAIR_SPI);
	/* ADD never installs DYING or DEAD (lifetimes reach them; the codec
	 * refuses them in an ADD): such an SA is added, then moved to its state
	 * with an update line, so that -f rebuilds the same SADB. */
	late_state = sa->state == SADB_SASTATE_DYING || sa->state == SADB_SASTATE_DEAD;
	if (late_state)
		sa->seen &= ~(1ull << CLI_KW_STATE);
	fprintf(out, "add %s", pfk_satype_name(m.hdr->sadb_msg_satype));
	for (size_t i = 0; i < cli_keyword_count; i++) {
		const struct cli_keyword *kw = &cli_keywords[i];

		if (!cli_seen(sa, kw->id) || ((done >> kw->id) & 1u))
			continue;
		done |= 1ull << kw->id;
		kw->save(out, kw, sa);
	}
	fputc('\n', out);
	if (late_state) {
		/* The rows of spi, src, dst and state, in table order: the
		 * lookup keywords of update. */
		done = 0;
		sa->seen |= 1ull << CLI_KW_STATE;
		fprintf(out, "update %s", pfk_satype_name(m.hdr->sadb_msg_satype));
		for (size_t i = 0; i < cli_keyword_count; i++) {
			const struct cli_keyword *kw = &cli_keywords[i];

			if ((kw->id != CLI_KW_SPI && kw->id != CLI_KW_SRC &&
			     kw->id != CLI_KW_DST && kw->id != CLI_KW_STATE) ||
			    !cli_seen(sa, kw->id) || ((done >> kw->id) & 1u))
				continue;
			done |= 1ull << kw->id;
			kw->save(out, kw, sa);
		}
		fputc('\n', out);
	}
	rc = ferror(out) ? -EIO : 0;
out:
	if (sa != NULL) {
		pfk_wipe(sa, sizeof(*sa));
		free(sa);
	}
	free_copy(copy, len);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Verbose printing: one printer per extension type.                         */

struct cli_flag_name {
	uint32_t bit;
	const char *name;
};

static const struct cli_flag_name cli_sa_flags[] = {
	{ SADB_SAFLAGS_PFS, "PFS" }, { SADB_SAFLAGS_NOREPLAY, "NOREPLAY" },
	{ SADB_X_SAFLAGS_NATTED, "NATTED" }, { SADB_X_SAFLAGS_TCPSIG, "TCPSIG" },
	{ SADB_X_SAFLAGS_INBOUND, "INBOUND" }, { SADB_X_SAFLAGS_OUTBOUND, "OUTBOUND" },
	{ SADB_X_SAFLAGS_PAIRED, "PAIRED" }, { SADB_X_SAFLAGS_TUNNEL, "TUNNEL" },
	{ SADB_X_SAFLAGS_KRES2, "KRES2" }, { SADB_X_SAFLAGS_NATT_REM, "NATT_REM" },
	{ SADB_X_SAFLAGS_NATT_LOC, "NATT_LOC" }, { SADB_X_SAFLAGS_KRES1, "KRES1" },
	{ SADB_X_SAFLAGS_KM4, "KM4" }, { SADB_X_SAFLAGS_KM3, "KM3" },
	{ SADB_X_SAFLAGS_KM2, "KM2" }, { SADB_X_SAFLAGS_KM1, "KM1" },
	{ SADB_X_SAFLAGS_EALG2, "EALG2" }, { SADB_X_SAFLAGS_EALG1, "EALG1" },
	{ SADB_X_SAFLAGS_AALG2, "AALG2" }, { SADB_X_SAFLAGS_AALG1, "AALG1" },
	{ SADB_X_SAFLAGS_UNIQUE, "UNIQUE" }, { SADB_X_SAFLAGS_USED, "USED" },
};

static void print_alg(FILE *out, enum pfk_alg_kind kind, uint8_t id)
{
	const char *n = cli_alg_name(kind, id);

	if (strcmp(n, "unknown") == 0)
		fprintf(out, "<unknown %u>", id);
	else
		fputs(n, out);
}

static void print_state(FILE *out, uint8_t state)
{
	const char *n = pfk_state_name(state);

	if (n != NULL)
		fputs(n, out);
	else
		fprintf(out, "<unknown %u>", state);
}

static void print_sa(FILE *out, const struct sadb_ext *e, unsigned flags)
{
	const struct sadb_sa *sa = (const struct sadb_sa *)(const void *)e;
	bool first = true;

	(void)flags;
	fprintf(out, "SA: spi=0x%x, replay window=%u, state=", ntohl(sa->sadb_sa_spi),
		sa->sadb_sa_replay);
	print_state(out, sa->sadb_sa_state);
	fputs("\nSA: authentication algorithm=", out);
	print_alg(out, PFK_ALG_AUTH, sa->sadb_sa_auth);
	fputs(", encryption algorithm=", out);
	print_alg(out, PFK_ALG_ENCRYPT, sa->sadb_sa_encrypt);
	fprintf(out, "\nSA: flags=0x%x <", sa->sadb_sa_flags);
	for (size_t i = 0; i < sizeof(cli_sa_flags) / sizeof(cli_sa_flags[0]); i++)
		if (sa->sadb_sa_flags & cli_sa_flags[i].bit) {
			fprintf(out, "%s%s", first ? "" : ",", cli_sa_flags[i].name);
			first = false;
		}
	fputs(">\n", out);
}

static void print_time(FILE *out, uint64_t t)
{
	char text[64];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		fprintf(out, "%llu", (unsigned long long)t);
	else
		fputs(text, out);
}

static void print_lifetime(FILE *out, const struct sadb_ext *e, unsigned flags)
{
	const struct sadb_lifetime *lt = (const struct sadb_lifetime *)(const void *)e;
	unsigned long long a = lt->sadb_lifetime_addtime, u = lt->sadb_lifetime_usetime;

	(void)flags;
	switch (e->sadb_ext_type) {
	case SADB_EXT_LIFETIME_CURRENT:
		fprintf(out, "CLT: current: %u allocations, %llu bytes, added ",
			lt->sadb_lifetime_allocations,
			(unsigned long long)lt->sadb_lifetime_bytes);
		print_time(out, a);
		fputs(", first used ", out);
		if (u == 0)
			fputs("never", out);
		else
			print_time(out, u);
		fputc('\n', out);
		return;
	case SADB_X_EXT_LIFETIME_IDLE:
		fprintf(out, "ILT: idle: addtime %llus, usetime %llus\n", a, u);
		return;
	default:
		fprintf(out, "%s: %s: %u allocations, %llu bytes, addtime %llus, "
			"usetime %llus\n",
			e->sadb_ext_type == SADB_EXT_LIFETIME_HARD ? "HLT" : "SLT",
			e->sadb_ext_type == SADB_EXT_LIFETIME_HARD ? "hard" : "soft",
			lt->sadb_lifetime_allocations,
			(unsigned long long)lt->sadb_lifetime_bytes, a, u);
	}
}

static void print_address(FILE *out, const struct sadb_ext *e, unsigned flags)
{
	const struct sadb_address *a = (const struct sadb_address *)(const void *)e;
	const struct sockaddr *s = pfk_addr_sockaddr(a);
	const char *tag = "???", *what = "address";

	(void)flags;
	switch (e->sadb_ext_type) {
	case SADB_EXT_ADDRESS_SRC: tag = "SRC"; what = "source"; break;
	case SADB_EXT_ADDRESS_DST: tag = "DST"; what = "destination"; break;
	case SADB_X_EXT_ADDRESS_INNER_SRC: tag = "ISR"; what = "inner source"; break;
	case SADB_X_EXT_ADDRESS_INNER_DST: tag = "IDS"; what = "inner destination"; break;
	case SADB_X_EXT_ADDRESS_NATT_LOC: tag = "NLC"; what = "NAT-T local"; break;
	case SADB_X_EXT_ADDRESS_NATT_REM: tag = "NRM"; what = "NAT-T remote"; break;
	}
	fprintf(out, "%s: %s ", tag, what);
	cli_print_addr(out, s);
	if (a->sadb_address_prefixlen != 0)
		fprintf(out, "/%u", a->sadb_address_prefixlen);
	fprintf(out, " (proto=%u, port=%u)\n", a->sadb_address_proto, addr_port(s));
}

static void print_key(FILE *out, const struct sadb_ext *e, unsigned flags)
{
	const struct sadb_key *k = (const struct sadb_key *)(const void *)e;
	bool auth = e->sadb_ext_type == SADB_EXT_KEY_AUTH;

	fprintf(out, "%s: %s key, %u bits", auth ? "AKY" : "EKY",
		auth ? "authentication" : "encryption", k->sadb_key_bits);
	if (k->sadb_x_key_saltbits != 0)
		fprintf(out, " (%u salt bits)", k->sadb_x_key_saltbits);
	if (flags & CLI_PRINT_KEYS) {
		fputs(": ", out);
		for (unsigned i = 0; i < (k->sadb_key_bits + 7u) / 8u; i++)
			fprintf(out, "%02x", pfk_key_data(k)[i]);
		fputc('\n', out);
	} else {
		fputs(": [hidden; -p shows keys]\n", out);
	}
}

static void print_ident(FILE *out, const struct sadb_ext *e, unsigned flags)
{
	const struct sadb_ident *id = (const struct sadb_ident *)(const void *)e;
	const char *t = pfk_identtype_name(id->sadb_ident_type);
	size_t room = (size_t)e->sadb_ext_len * 8 - sizeof(*id);

	(void)flags;
	fprintf(out, "%s: %s identity, type ", e->sadb_ext_type == SADB_EXT_IDENTITY_SRC ?
		"SID" : "DID", e->sadb_ext_type == SADB_EXT_IDENTITY_SRC ? "source" :
		"destination");
	if (t != NULL)
		fputs(t, out);
	else
		fprintf(out, "%u", id->sadb_ident_type);
	fprintf(out, ": %.*s\n", (int)strnlen((const char *)(id + 1), room),
		(const char *)(id + 1));
}

static void print_supported(FILE *out, const struct sadb_ext *e, unsigned flags)
{
	bool auth = e->sadb_ext_type == SADB_EXT_SUPPORTED_AUTH;
	enum pfk_alg_kind kind = auth ? PFK_ALG_AUTH : PFK_ALG_ENCRYPT;
	size_t n = ((size_t)e->sadb_ext_len * 8 - sizeof(struct sadb_supported)) /
		   sizeof(struct sadb_alg);
	const struct sadb_alg *alg = (const struct sadb_alg *)(const void *)
		((const uint8_t *)e + sizeof(struct sadb_supported));

	(void)flags;
	fprintf(out, "SUP: supported %s algorithms:\n", auth ? "authentication" :
		"encryption");
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "SUP:   %3u ", alg[i].sadb_alg_id);
		print_alg(out, kind, alg[i].sadb_alg_id);
		fprintf(out, ", key bits %u..%u", alg[i].sadb_alg_minbits,
			alg[i].sadb_alg_maxbits);
		if (alg[i].sadb_x_alg_increment != 0)
			fprintf(out, " step %u", alg[i].sadb_x_alg_increment);
		if (alg[i].sadb_x_alg_saltbits != 0)
			fprintf(out, ", %u salt bits", alg[i].sadb_x_alg_saltbits);
		fprintf(out, ", IV %u bits\n", alg[i].sadb_alg_ivlen);
	}
}

static void print_proposal(FILE *out, const struct sadb_ext *e, unsigned flags)
{
	const struct sadb_prop *p = (const struct sadb_prop *)(const void *)e;
	size_t body = (size_t)e->sadb_ext_len * 8 - sizeof(*p);

	(void)flags;
	if (e->sadb_ext_type == SADB_X_EXT_EPROP) {
		/* Walk the extended combinations within the extension's bounds. */
		const uint8_t *q = (const uint8_t *)(p + 1), *end = q + body;

		fprintf(out, "EPR: extended proposal, replay %u, %u combinations\n",
			p->sadb_prop_replay, p->sadb_x_prop_numecombs);
		for (unsigned c = 0; c < p->sadb_x_prop_numecombs; c++) {
			const struct sadb_x_ecomb *ec = (const void *)q;

			if ((size_t)(end - q) < sizeof(*ec))
				break;
			q += sizeof(*ec);
			fprintf(out, "EPR:   combination %u: soft %llus/%llu bytes, hard "
				"%llus/%llu bytes\n", c + 1,
				(unsigned long long)ec->sadb_x_ecomb_soft_addtime,
				(unsigned long long)ec->sadb_x_ecomb_soft_bytes,
				(unsigned long long)ec->sadb_x_ecomb_hard_addtime,
				(unsigned long long)ec->sadb_x_ecomb_hard_bytes);
			for (unsigned a = 0; a < ec->sadb_x_ecomb_numalgs; a++) {
				const struct sadb_x_algdesc *d = (const void *)q;

				if ((size_t)(end - q) < sizeof(*d))
					break;
				q += sizeof(*d);
				fprintf(out, "EPR:     %s %s ", pfk_satype_name(
						d->sadb_x_algdesc_satype) ?: "?",
					d->sadb_x_algdesc_algtype == SADB_X_ALGTYPE_AUTH ?
					"auth" : "encr");
				print_alg(out, d->sadb_x_algdesc_algtype == SADB_X_ALGTYPE_AUTH ?
					  PFK_ALG_AUTH : PFK_ALG_ENCRYPT, d->sadb_x_algdesc_alg);
				fprintf(out, " %u..%u bits\n", d->sadb_x_algdesc_minbits,
					d->sadb_x_algdesc_maxbits);
			}
		}
		return;
	}
	size_t n = body / sizeof(struct sadb_comb);
	const struct sadb_comb *c = (const struct sadb_comb *)(const void *)(p + 1);

	fprintf(out, "PRP: proposal, replay %u, %zu combinations\n", p->sadb_prop_replay, n);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "PRP:   %zu: auth ", i + 1);
		print_alg(out, PFK_ALG_AUTH, c[i].sadb_comb_auth);
		fprintf(out, " %u..%u, encr ", c[i].sadb_comb_auth_minbits,
			c[i].sadb_comb_auth_maxbits);
		print_alg(out, PFK_ALG_ENCRYPT, c[i].sadb_comb_encrypt);
		fprintf(out, " %u..%u, soft %llus hard %llus\n",
			c[i].sadb_comb_encrypt_minbits, c[i].sadb_comb_encrypt_maxbits,
			(unsigned long long)c[i].sadb_comb_soft_addtime,
			(unsigned long long)c[i].sadb_comb_hard_addtime);
	}
}

static void print_misc(FILE *out, const struct sadb_ext *e, unsigned flags)
{
	const void *x = e;

	(void)flags;
	switch (e->sadb_ext_type) {
	case SADB_EXT_SPIRANGE: {
		const struct sadb_spirange *r = x;

		fprintf(out, "RNG: SPI range 0x%x..0x%x\n", ntohl(r->sadb_spirange_min),
			ntohl(r->sadb_spirange_max));
		return;
	}
	case SADB_X_EXT_EREG: {
		const uint8_t *t = (const uint8_t *)x + 4, *end = (const uint8_t *)x +
				   (size_t)e->sadb_ext_len * 8;

		fputs("ERG: registered SA types:", out);
		for (; t < end && *t != 0; t++)
			fprintf(out, " %s", pfk_satype_name(*t) ?: "?");
		fputc('\n', out);
		return;
	}
	case SADB_X_EXT_KM_COOKIE: {
		const struct sadb_x_kmc *k = x;
		static const char *const kmp[] = { "manual", "IKE", "KINK" };

		fprintf(out, "KMC: key management protocol %u (%s), cookie 0x%llx\n",
			k->sadb_x_kmc_proto, k->sadb_x_kmc_proto <= SADB_X_KMP_MAX ?
			kmp[k->sadb_x_kmc_proto] : "unknown",
			(unsigned long long)k->sadb_x_kmc_cookie64);
		return;
	}
	case SADB_X_EXT_PAIR:
		fprintf(out, "PAR: paired with spi 0x%x\n",
			ntohl(((const struct sadb_x_pair *)x)->sadb_x_pair_spi));
		return;
	case SADB_X_EXT_REPLAY_VALUE: {
		const struct sadb_x_replay_ctr *r = x;

		fprintf(out, "RPV: replay value %llu\n",
			(unsigned long long)pfk_replay_value(r));
		return;
	}
	case SADB_X_EXT_EDUMP:
		fprintf(out, "EDP: SAs used within %llus\n", (unsigned long long)
			((const struct sadb_x_edump *)x)->sadb_x_edump_timeout);
		return;
	case SADB_X_EXT_DPSEC_REPLAY_WINDOW: {
		const struct sadb_x_dpsec_replay_window *w = x;

		fprintf(out, "RWN: replay window %u packets%s\n", w->sadb_x_rw_window,
			(w->sadb_x_rw_flags & SADB_X_DPSEC_RW_ESN) ? ", ESN" : "");
		return;
	}
	case SADB_X_EXT_DPSEC_SEQ_LEASE:
		fprintf(out, "LSE: sequence lease limit %llu\n", (unsigned long long)
			((const struct sadb_x_dpsec_seq_lease *)x)->sadb_x_sl_limit);
		return;
	case SADB_X_EXT_DPSEC_POLICY: {
		const struct sadb_x_dpsec_policy *p = x;

		fprintf(out, "POL: index %u, priority %u, dir %u, action %u, mode %u, "
			"flags 0x%x\n", p->sadb_x_pol_index, p->sadb_x_pol_priority,
			p->sadb_x_pol_dir, p->sadb_x_pol_action, p->sadb_x_pol_mode,
			p->sadb_x_pol_flags);
		return;
	}
	case SADB_X_EXT_DPSEC_SELECTOR:
	case SADB_X_EXT_DPSEC_INNER_SELECTOR: {
		const struct sadb_x_dpsec_selector *s = x;
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		int af = s->sadb_x_sel_family == AF_INET6 ? AF_INET6 : AF_INET;

		inet_ntop(af, s->sadb_x_sel_src, a, sizeof(a));
		inet_ntop(af, s->sadb_x_sel_dst, b, sizeof(b));
		fprintf(out, "%s: %s/%u -> %s/%u proto %u ports %u-%u -> %u-%u\n",
			e->sadb_ext_type == SADB_X_EXT_DPSEC_SELECTOR ? "SEL" : "ISL",
			s->sadb_x_sel_family ? a : "any", s->sadb_x_sel_src_prefixlen,
			s->sadb_x_sel_family ? b : "any", s->sadb_x_sel_dst_prefixlen,
			s->sadb_x_sel_proto, s->sadb_x_sel_sport_min, s->sadb_x_sel_sport_max,
			s->sadb_x_sel_dport_min, s->sadb_x_sel_dport_max);
		return;
	}
	case SADB_X_EXT_DPSEC_SAREQ: {
		const struct sadb_x_dpsec_sareq *r = x;

		fprintf(out, "REQ: %s auth %u encr %u\n",
			pfk_satype_name(r->sadb_x_req_satype) ?: "?", r->sadb_x_req_auth,
			r->sadb_x_req_encrypt);
		return;
	}
	default: {
		const char *n = pfk_ext_name(e->sadb_ext_type);

		fprintf(out, "EXT: %s (type %u), %u bytes\n", n != NULL ? n : "unknown",
			e->sadb_ext_type, e->sadb_ext_len * 8u);
	}
	}
}

typedef void (*cli_ext_printer)(FILE *out, const struct sadb_ext *e, unsigned flags);

static cli_ext_printer printer_for(uint16_t type)
{
	switch (type) {
	case SADB_EXT_SA:
		return print_sa;
	case SADB_EXT_LIFETIME_CURRENT:
	case SADB_EXT_LIFETIME_HARD:
	case SADB_EXT_LIFETIME_SOFT:
	case SADB_X_EXT_LIFETIME_IDLE:
		return print_lifetime;
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_X_EXT_ADDRESS_INNER_SRC:
	case SADB_X_EXT_ADDRESS_INNER_DST:
	case SADB_X_EXT_ADDRESS_NATT_LOC:
	case SADB_X_EXT_ADDRESS_NATT_REM:
		return print_address;
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT:
		return print_key;
	case SADB_EXT_IDENTITY_SRC:
	case SADB_EXT_IDENTITY_DST:
		return print_ident;
	case SADB_EXT_SUPPORTED_AUTH:
	case SADB_EXT_SUPPORTED_ENCRYPT:
		return print_supported;
	case SADB_EXT_PROPOSAL:
	case SADB_X_EXT_EPROP:
		return print_proposal;
	default:
		return print_misc;
	}
}

static void print_header(FILE *out, const struct sadb_msg *h)
{
	const char *t = pfk_msg_name(h->sadb_msg_type);
	const char *st = pfk_satype_name(h->sadb_msg_satype);

	fprintf(out, "Base message (version %u) type ", h->sadb_msg_version);
	if (t != NULL)
		fputs(t, out);
	else
		fprintf(out, "<unknown %u>", h->sadb_msg_type);
	if (h->sadb_msg_type == SADB_X_PROMISC)
		fprintf(out, ", promiscuous %s", h->sadb_msg_satype ? "on" : "off");
	else if (st != NULL)
		fprintf(out, ", SA type %s", st);
	else
		fprintf(out, ", SA type %u", h->sadb_msg_satype);
	fprintf(out, ".\nMessage length %u bytes, seq=%u, pid=%u.\n",
		h->sadb_msg_len * 8u, h->sadb_msg_seq, h->sadb_msg_pid);
	if (h->sadb_msg_errno != 0) {
		uint16_t d = h->sadb_x_msg_diagnostic;
		const char *ds = pfk_diag_string(d), *dn = pfk_diag_name(d);

		fprintf(out, "ERROR: %s (errno %u)", strerror(h->sadb_msg_errno),
			h->sadb_msg_errno);
		if (d != 0)
			fprintf(out, ", diagnostic %u: %s [%s]", d, ds ? ds : "unknown",
				dn ? dn : "?");
		fputc('\n', out);
	}
}

int cli_print_msg(FILE *out, const void *msg, size_t len, unsigned flags)
{
	struct pfk_msg m;
	uint16_t diag = 0;
	void *copy;
	int rc;

	if (len < sizeof(struct sadb_msg)) {
		fprintf(out, "Short message: %zu bytes.\n", len);
		return ferror(out) ? -EIO : 0;
	}
	copy = aligned_copy(msg, len);
	if (copy == NULL)
		return -ENOMEM;
	print_header(out, copy);
	rc = pfk_parse(copy, len, &m, &diag);
	if (rc < 0) {
		const char *ds = pfk_diag_string(diag);

		fprintf(out, "Malformed message: %s (diagnostic %u: %s).\n", strerror(-rc),
			diag, ds != NULL ? ds : "unknown");
	} else {
		const uint8_t *p = (const uint8_t *)copy + sizeof(struct sadb_msg);
		const uint8_t *end = (const uint8_t *)copy + len;

		while (p < end) {
			const struct sadb_ext *e = (const struct sadb_ext *)(const void *)p;

			printer_for(e->sadb_ext_type)(out, e, flags);
			p += (size_t)e->sadb_ext_len * 8;
		}
	}
	free_copy(copy, len);
	return ferror(out) ? -EIO : 0;
}
