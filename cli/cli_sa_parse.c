/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli_sa_parse.c: ipseckey(8) command lines -> PF_KEY requests.
 *
 * A line is split into words, the command and SA type are looked up, then
 * every keyword is parsed through the keyword table into a struct cli_sa.
 * Only when the whole line is understood are the rules checked that span
 * keywords (add needs spi, dst, an algorithm and its key; NAT-T needs
 * encap udp; ...), and only then is the request built, always in the same
 * extension order, so that equal commands give equal bytes whatever the
 * order of their keywords.
 *
 * Defects of illumos ipseckey fixed on purpose (each has a test):
 *  - inbound/outbound before any SA keyword dereferenced NULL: keywords
 *    only fill the struct here, so their order never matters;
 *  - a numeric state was not parsed: pfk_state_from_name() takes numbers;
 *  - replay_value was 32-bit only: it is 64-bit (REPLAY_VALUE replay64);
 *  - windows above 255 could not be expressed: `replay` above 255 and
 *    `replay_window` emit SADB_X_EXT_DPSEC_REPLAY_WINDOW.
 * (State ACTIVE printing is fixed in cli_sa_print.c.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_sa_priv.h"

#define CLI_MAX_WORDS 128
#define CLI_LINE_MAX 8192

/* Parse state of one command. */
struct cli_pctx {
	struct cli_sa *sa;
	unsigned flags;
	unsigned line;
	struct cli_error *err;
	const char *tok[CLI_KW_COUNT]; /* the word that set each keyword */
};

/* "line N: 'token': message"; line 0 (argv) leaves the line out. */
__attribute__((format(printf, 4, 5)))
static int fail_at(struct cli_error *err, unsigned line, const char *token,
		   const char *fmt, ...)
{
	char text[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	err->line = line;
	if (line > 0)
		snprintf(err->msg, sizeof(err->msg), "line %u: '%.64s': %s", line, token, text);
	else
		snprintf(err->msg, sizeof(err->msg), "'%.64s': %s", token, text);
	return -EINVAL;
}

/* "expected X, got 'value'" for the keyword kwtok. */
static int expected(struct cli_pctx *c, const char *kwtok, const char *what,
		    const char *got)
{
	return fail_at(c->err, c->line, kwtok, "expected %s, got '%.64s'", what, got);
}

/* ------------------------------------------------------------------------ */
/* Values.                                                                   */

/* An unsigned number (decimal, 0x hex, 0 octal, as strtoull base 0 reads
 * it, which is what illumos did) within 0..max, with nothing after it. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

static void kw_mark(struct cli_pctx *c, const struct cli_keyword *kw, const char *tok)
{
	c->sa->seen |= 1ull << kw->id;
	c->tok[kw->id] = tok;
}

/* The keyword's own word is v[-1]. */
#define KWTOK(v) ((v)[-1])

static int p_number32(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	uint64_t n;

	if (!parse_u64(v[0], UINT32_MAX, &n) || n == 0)
		return expected(c, KWTOK(v), "an SPI (1..0xffffffff)", v[0]);
	if (kw->id == CLI_KW_SPI)
		c->sa->spi = (uint32_t)n;
	else
		c->sa->pair_spi = (uint32_t)n;
	return 0;
}

static int p_replay(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	enum cli_kw other = kw->id == CLI_KW_REPLAY ? CLI_KW_REPLAY_WINDOW : CLI_KW_REPLAY;
	uint64_t n;

	if (cli_seen(c->sa, other))
		return fail_at(c->err, c->line, KWTOK(v), "conflicts with '%s'",
			       c->tok[other]);
	if (!parse_u64(v[0], DPSEC_REPLAY_WINDOW_MAX, &n))
		return expected(c, KWTOK(v), "a replay window (0..65536 packets)", v[0]);
	c->sa->window = (uint32_t)n;
	return 0;
}

static int p_flag(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	enum cli_kw other = kw->id == CLI_KW_INBOUND ? CLI_KW_OUTBOUND : CLI_KW_INBOUND;

	if (kw->id != CLI_KW_ESN && cli_seen(c->sa, other))
		return fail_at(c->err, c->line, KWTOK(v), "conflicts with '%s'",
			       c->tok[other]);
	return 0;
}

static int p_u64(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	uint64_t n;

	if (!parse_u64(v[0], UINT64_MAX, &n))
		return expected(c, KWTOK(v), "a number (0..18446744073709551615)", v[0]);
	if (kw->id == CLI_KW_REPLAY_VALUE)
		c->sa->replay_value = n;
	else
		c->sa->seq_lease = n;
	return 0;
}

static int p_state(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	int s = pfk_state_from_name(v[0]);

	(void)kw;
	if (s < 0)
		return expected(c, KWTOK(v), "an SA state (larval, mature, dying, dead, "
				"active_elsewhere, idle, active, or 0..6)", v[0]);
	c->sa->state = (uint8_t)s;
	return 0;
}

/* "an encryption algorithm (des, 3des, ...)" from the algorithm table. */
static void alg_list(enum pfk_alg_kind kind, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "%s algorithm (%s",
				    kind == PFK_ALG_AUTH ? "an authentication" :
				    "an encryption", kind == PFK_ALG_AUTH ? "none" : "");
	const struct pfk_alg_info *a;

	for (unsigned i = 0; (a = pfk_alg_at(kind, i)) != NULL && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s",
				      (i == 0 && kind != PFK_ALG_AUTH) ? "" : ", ", a->name);
	if (n < cap)
		snprintf(buf + n, cap - n, ")");
}

static int p_alg(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	enum pfk_alg_kind kind = (enum pfk_alg_kind)kw->param;
	const struct pfk_alg_info *a;
	char what[256];

	/* "none" has no table row on purpose (see pfk_alg.c): only ESP
	 * authentication may be absent, and that is said here. */
	if (kind == PFK_ALG_AUTH && strcasecmp(v[0], "none") == 0) {
		c->sa->auth = SADB_AALG_NONE;
		return 0;
	}
	a = pfk_alg_by_name(kind, v[0]);
	if (a == NULL) {
		alg_list(kind, what, sizeof(what));
		return expected(c, KWTOK(v), what, v[0]);
	}
	if (kind == PFK_ALG_AUTH)
		c->sa->auth = a->id;
	else
		c->sa->encr = a->id;
	return 0;
}

/* param = slot * 4 + field. */
static int p_lifetime(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	int slot = kw->param / 4, field = kw->param % 4;
	uint64_t max = field == CLI_LTF_ALLOC ? UINT32_MAX : UINT64_MAX;
	uint64_t n;

	if (!parse_u64(v[0], max, &n))
		return expected(c, KWTOK(v), field == CLI_LTF_ALLOC ?
				"a number of allocations (0..4294967295)" :
				field == CLI_LTF_BYTES ? "a number of bytes" :
				"a number of seconds", v[0]);
	c->sa->lt[slot][field] = n;
	return 0;
}

/* param = slot | family << 8 (AF_INET6 for the *6 spellings). */
static int p_addr(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	int slot = kw->param & 0xff, family = kw->param >> 8;
	bool inner = slot == CLI_A_ISRC || slot == CLI_A_IDST;
	struct sockaddr_storage *ss = &c->sa->addr[slot];
	const char *what = inner ? (family == AF_INET6 ? "an IPv6 address[/prefix]" :
				    "an address[/prefix]") :
			   (family == AF_INET6 ? "an IPv6 address" : "an address");
	char host[256], *slash;
	long prefix = -1;
	unsigned maxbits;

	if (strlen(v[0]) >= sizeof(host))
		return expected(c, KWTOK(v), what, v[0]);
	strcpy(host, v[0]);
	slash = strchr(host, '/');
	if (slash != NULL) {
		char *end;

		errno = 0;
		prefix = strtol(slash + 1, &end, 10);
		if (!inner || slash[1] < '0' || slash[1] > '9' || *end != '\0' ||
		    errno != 0 || prefix > 128)
			return expected(c, KWTOK(v), what, v[0]);
		*slash = '\0';
	}

	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	if (family != AF_INET6 && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
	} else if (!(c->flags & CLI_NUMERIC)) {
		struct addrinfo hints = { .ai_family = family ? family : AF_UNSPEC,
					  .ai_socktype = SOCK_DGRAM };
		struct addrinfo *res = NULL;

		if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL ||
		    res->ai_addrlen > sizeof(*ss))
			return fail_at(c->err, c->line, KWTOK(v),
				       "expected %s or a host name, got '%.64s' "
				       "(no address found)", what, v[0]);
		memcpy(ss, res->ai_addr, res->ai_addrlen);
		freeaddrinfo(res);
		if (ss->ss_family == AF_INET)
			sin->sin_port = 0;
		else
			sin6->sin6_port = 0;
	} else {
		return expected(c, KWTOK(v), what, v[0]);
	}

	maxbits = ss->ss_family == AF_INET ? 32 : 128;
	if (prefix > (long)maxbits)
		return expected(c, KWTOK(v), ss->ss_family == AF_INET ?
				"a prefix length 0..32" : "a prefix length 0..128", v[0]);
	c->sa->prefix[slot] = inner ? (uint8_t)(prefix < 0 ? (long)maxbits : prefix) : 0;
	return 0;
}

static int p_port(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	uint64_t n;

	if (!parse_u64(v[0], UINT16_MAX, &n))
		return expected(c, KWTOK(v), "a port number (0..65535)", v[0]);
	c->sa->port[kw->param] = (uint16_t)n;
	return 0;
}

static const struct {
	const char *name;
	uint8_t proto;
} cli_protos[] = {
	{ "icmp", 1 }, { "ipip", 4 }, { "ipv4", 4 }, { "tcp", 6 }, { "udp", 17 },
	{ "ipv6", 41 }, { "gre", 47 }, { "esp", 50 }, { "ah", 51 }, { "icmpv6", 58 },
	{ "ipv6-icmp", 58 }, { "sctp", 132 },
};

static int p_proto(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	uint64_t n;
	bool ok = parse_u64(v[0], UINT8_MAX, &n);

	for (size_t i = 0; !ok && i < sizeof(cli_protos) / sizeof(cli_protos[0]); i++)
		if (strcasecmp(v[0], cli_protos[i].name) == 0) {
			n = cli_protos[i].proto;
			ok = true;
		}
	if (!ok)
		return expected(c, KWTOK(v), "a protocol (tcp, udp, icmp, ... or 0..255)",
				v[0]);
	if (kw->param == 0)
		c->sa->proto = (uint8_t)n;
	else
		c->sa->iproto = (uint8_t)n;
	return 0;
}

static int p_encap(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	(void)kw;
	if (strcasecmp(v[0], "udp") != 0)
		return expected(c, KWTOK(v), "'udp' (the only encapsulation)", v[0]);
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* [0x]hex[/bits]: bits count from the most significant end of the digits
 * ("e/3" is three 1 bits); bits beyond them are cleared. */
static int p_key(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	uint8_t *key = kw->param == 0 ? c->sa->akey : c->sa->ekey;
	uint16_t *bitsp = kw->param == 0 ? &c->sa->akey_bits : &c->sa->ekey_bits;
	const char *s = v[0], *what = "a hex key ([0x]hex[/bits])";
	size_t digits = 0;
	uint64_t bits;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	while (hexval(s[digits]) >= 0)
		digits++;
	if (digits == 0 || (s[digits] != '\0' && s[digits] != '/'))
		return expected(c, KWTOK(v), what, v[0]);
	if (digits > 2 * CLI_KEY_MAX)
		return fail_at(c->err, c->line, KWTOK(v), "key longer than %u bits",
			       8 * CLI_KEY_MAX);
	bits = digits * 4;
	if (s[digits] == '/') {
		if (!parse_u64(s + digits + 1, UINT16_MAX, &bits) || bits == 0)
			return expected(c, KWTOK(v), what, v[0]);
		if (bits > digits * 4)
			return fail_at(c->err, c->line, KWTOK(v),
				       "bit length %llu is too big for %zu hex digits",
				       (unsigned long long)bits, digits);
	}
	memset(key, 0, CLI_KEY_MAX);
	for (size_t i = 0; i < digits; i++)
		key[i / 2] |= (uint8_t)(hexval(s[i]) << (i % 2 ? 0 : 4));
	for (size_t b = bits; b < digits * 4; b++)
		key[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	*bitsp = (uint16_t)bits;
	return 0;
}

static int p_reserved_bits(struct cli_pctx *c, const struct cli_keyword *kw,
			   char *const *v)
{
	uint64_t n;

	(void)kw;
	if (!parse_u64(v[0], 8 * CLI_KEY_MAX, &n))
		return expected(c, KWTOK(v), "a number of salt bits (0..2048)", v[0]);
	c->sa->salt_bits = (uint16_t)n;
	return 0;
}

static int p_ident(struct cli_pctx *c, const struct cli_keyword *kw, char *const *v)
{
	int t = pfk_identtype_from_name(v[0]);

	/* Numbers are accepted too, but only those the codec knows. */
	if (t <= 0 || t > SADB_IDENTTYPE_MAX)
		return expected(c, KWTOK(v), "an identity type (prefix, fqdn, domain, "
				"user_fqdn, mailbox, der_dn, der_gn, key_id, addr_range, "
				"or 1..7)", v[0]);
	/* A quote could not be saved back (the tokenizer has no escapes). */
	if (strlen(v[1]) >= CLI_ID_MAX || v[1][0] == '\0' || strchr(v[1], '"') != NULL)
		return expected(c, KWTOK(v), "an identity string of 1..1023 characters "
				"without '\"'", v[1]);
	c->sa->id_type[kw->param] = (uint16_t)t;
	strcpy(c->sa->id[kw->param], v[1]);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Savers: each writes " keyword value" for a seen keyword.                  */

static void s_spi(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	fprintf(out, " %s 0x%x", kw->names[0], kw->id == CLI_KW_SPI ? sa->spi : sa->pair_spi);
}

static void s_window(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	fprintf(out, " %s %u", kw->names[0], sa->window);
}

static void s_flag(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	(void)sa;
	fprintf(out, " %s", kw->names[0]);
}

static void s_u64(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	fprintf(out, " %s %llu", kw->names[0], (unsigned long long)(
			kw->id == CLI_KW_REPLAY_VALUE ? sa->replay_value : sa->seq_lease));
}

static void s_state(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	const char *n = pfk_state_name(sa->state);

	if (n != NULL)
		fprintf(out, " %s %s", kw->names[0], n);
	else
		fprintf(out, " %s %u", kw->names[0], sa->state);
}

static void s_alg(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	enum pfk_alg_kind kind = (enum pfk_alg_kind)kw->param;
	uint8_t id = kind == PFK_ALG_AUTH ? sa->auth : sa->encr;

	fprintf(out, " %s %s", kw->names[0], cli_alg_name(kind, id));
}

static void s_lifetime(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	fprintf(out, " %s %llu", kw->names[0],
		(unsigned long long)sa->lt[kw->param / 4][kw->param % 4]);
}

static void s_addr(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	int slot = kw->param & 0xff;

	fprintf(out, " %s ", kw->names[0]);
	cli_print_addr(out, (const struct sockaddr *)&sa->addr[slot]);
	if (slot == CLI_A_ISRC || slot == CLI_A_IDST)
		fprintf(out, "/%u", sa->prefix[slot]);
}

static void s_port(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	fprintf(out, " %s %u", kw->names[0], sa->port[kw->param]);
}

static void s_proto(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	fprintf(out, " %s %u", kw->names[0], kw->param == 0 ? sa->proto : sa->iproto);
}

static void s_encap(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	(void)sa;
	fprintf(out, " %s udp", kw->names[0]);
}

static void s_key(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	const uint8_t *key = kw->param == 0 ? sa->akey : sa->ekey;
	unsigned bits = kw->param == 0 ? sa->akey_bits : sa->ekey_bits;
	unsigned bytes = (bits + 7) / 8;

	fprintf(out, " %s ", kw->names[0]);
	for (unsigned i = 0; i < bytes; i++)
		fprintf(out, "%02x", key[i]);
	if (bits % 8 != 0)
		fprintf(out, "/%u", bits);
}

static void s_reserved_bits(FILE *out, const struct cli_keyword *kw,
			    const struct cli_sa *sa)
{
	fprintf(out, " %s %u", kw->names[0], sa->salt_bits);
}

static void s_ident(FILE *out, const struct cli_keyword *kw, const struct cli_sa *sa)
{
	const char *t = pfk_identtype_name(sa->id_type[kw->param]);
	const char *id = sa->id[kw->param];

	if (t != NULL)
		fprintf(out, " %s %s ", kw->names[0], t);
	else
		fprintf(out, " %s %u ", kw->names[0], sa->id_type[kw->param]);
	/* The tokenizer reads "..." as one word (no escapes). */
	if (strpbrk(id, " \t#\\") != NULL || id[0] == '"')
		fprintf(out, "\"%s\"", id);
	else
		fputs(id, out);
}

/* ------------------------------------------------------------------------ */
/* The keyword table: parse, save and the help text come from it.  Rows are  */
/* in the order save writes them.                                            */

#define N(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define LT(slot, field) ((slot) * 4 + (field))
#define A6(slot) ((slot) | AF_INET6 << 8)

const struct cli_keyword cli_keywords[] = {
	{ N("spi"), CLI_KW_SPI, 1, 0, p_number32, s_spi },
	{ N("pair-spi"), CLI_KW_PAIR_SPI, 1, 0, p_number32, s_spi },
	{ N("src", "srcaddr", "saddr"), CLI_KW_SRC, 1, CLI_A_SRC, p_addr, s_addr },
	{ N("src6", "srcaddr6", "saddr6"), CLI_KW_SRC, 1, A6(CLI_A_SRC), p_addr, s_addr },
	{ N("dst", "dstaddr", "daddr"), CLI_KW_DST, 1, CLI_A_DST, p_addr, s_addr },
	{ N("dst6", "dstaddr6", "daddr6"), CLI_KW_DST, 1, A6(CLI_A_DST), p_addr, s_addr },
	{ N("sport"), CLI_KW_SPORT, 1, CLI_A_SRC, p_port, s_port },
	{ N("dport"), CLI_KW_DPORT, 1, CLI_A_DST, p_port, s_port },
	{ N("proto", "ulp"), CLI_KW_PROTO, 1, 0, p_proto, s_proto },
	{ N("isrc", "innersrc", "proxy", "proxyaddr"), CLI_KW_ISRC, 1, CLI_A_ISRC,
	  p_addr, s_addr },
	{ N("isrc6", "innersrc6", "proxy6", "proxyaddr6"), CLI_KW_ISRC, 1, A6(CLI_A_ISRC),
	  p_addr, s_addr },
	{ N("idst", "innerdst"), CLI_KW_IDST, 1, CLI_A_IDST, p_addr, s_addr },
	{ N("idst6", "innerdst6"), CLI_KW_IDST, 1, A6(CLI_A_IDST), p_addr, s_addr },
	{ N("isport", "innersport"), CLI_KW_ISPORT, 1, CLI_A_ISRC, p_port, s_port },
	{ N("idport", "innerdport"), CLI_KW_IDPORT, 1, CLI_A_IDST, p_port, s_port },
	{ N("iproto", "iulp"), CLI_KW_IPROTO, 1, 1, p_proto, s_proto },
	{ N("encap"), CLI_KW_ENCAP, 1, 0, p_encap, s_encap },
	{ N("nat_loc"), CLI_KW_NAT_LOC, 1, CLI_A_NATLOC, p_addr, s_addr },
	{ N("nat_rem"), CLI_KW_NAT_REM, 1, CLI_A_NATREM, p_addr, s_addr },
	{ N("nat_lport"), CLI_KW_NAT_LPORT, 1, CLI_A_NATLOC, p_port, s_port },
	{ N("nat_rport"), CLI_KW_NAT_RPORT, 1, CLI_A_NATREM, p_port, s_port },
	{ N("inbound"), CLI_KW_INBOUND, 0, 0, p_flag, s_flag },
	{ N("outbound"), CLI_KW_OUTBOUND, 0, 0, p_flag, s_flag },
	{ N("state"), CLI_KW_STATE, 1, 0, p_state, s_state },
	{ N("encr_alg", "encralg"), CLI_KW_ENCR_ALG, 1, PFK_ALG_ENCRYPT, p_alg, s_alg },
	{ N("encrkey"), CLI_KW_ENCRKEY, 1, 1, p_key, s_key },
	{ N("reserved_bits"), CLI_KW_RESERVED_BITS, 1, 0, p_reserved_bits,
	  s_reserved_bits },
	{ N("auth_alg", "authalg"), CLI_KW_AUTH_ALG, 1, PFK_ALG_AUTH, p_alg, s_alg },
	{ N("authkey"), CLI_KW_AUTHKEY, 1, 0, p_key, s_key },
	{ N("replay"), CLI_KW_REPLAY, 1, 0, p_replay, s_window },
	{ N("replay_window"), CLI_KW_REPLAY_WINDOW, 1, 0, p_replay, s_window },
	{ N("esn"), CLI_KW_ESN, 0, 0, p_flag, s_flag },
	{ N("replay_value"), CLI_KW_REPLAY_VALUE, 1, 0, p_u64, s_u64 },
	{ N("seq_lease"), CLI_KW_SEQ_LEASE, 1, 0, p_u64, s_u64 },
	{ N("soft_alloc"), CLI_KW_SOFT_ALLOC, 1, LT(CLI_LT_SOFT, CLI_LTF_ALLOC),
	  p_lifetime, s_lifetime },
	{ N("soft_bytes"), CLI_KW_SOFT_BYTES, 1, LT(CLI_LT_SOFT, CLI_LTF_BYTES),
	  p_lifetime, s_lifetime },
	{ N("soft_addtime"), CLI_KW_SOFT_ADDTIME, 1, LT(CLI_LT_SOFT, CLI_LTF_ADDTIME),
	  p_lifetime, s_lifetime },
	{ N("soft_usetime"), CLI_KW_SOFT_USETIME, 1, LT(CLI_LT_SOFT, CLI_LTF_USETIME),
	  p_lifetime, s_lifetime },
	{ N("hard_alloc"), CLI_KW_HARD_ALLOC, 1, LT(CLI_LT_HARD, CLI_LTF_ALLOC),
	  p_lifetime, s_lifetime },
	{ N("hard_bytes"), CLI_KW_HARD_BYTES, 1, LT(CLI_LT_HARD, CLI_LTF_BYTES),
	  p_lifetime, s_lifetime },
	{ N("hard_addtime"), CLI_KW_HARD_ADDTIME, 1, LT(CLI_LT_HARD, CLI_LTF_ADDTIME),
	  p_lifetime, s_lifetime },
	{ N("hard_usetime"), CLI_KW_HARD_USETIME, 1, LT(CLI_LT_HARD, CLI_LTF_USETIME),
	  p_lifetime, s_lifetime },
	{ N("idle_addtime"), CLI_KW_IDLE_ADDTIME, 1, LT(CLI_LT_IDLE, CLI_LTF_ADDTIME),
	  p_lifetime, s_lifetime },
	{ N("idle_usetime"), CLI_KW_IDLE_USETIME, 1, LT(CLI_LT_IDLE, CLI_LTF_USETIME),
	  p_lifetime, s_lifetime },
	{ N("srcidtype"), CLI_KW_SRCID, 2, 0, p_ident, s_ident },
	{ N("dstidtype"), CLI_KW_DSTID, 2, 1, p_ident, s_ident },
};
const size_t cli_keyword_count = sizeof(cli_keywords) / sizeof(cli_keywords[0]);

static const struct cli_keyword *keyword_find(const char *word)
{
	for (size_t i = 0; i < cli_keyword_count; i++)
		for (const char *const *n = cli_keywords[i].names; *n != NULL; n++)
			if (strcasecmp(*n, word) == 0)
				return &cli_keywords[i];
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Commands.                                                                 */

#define KW(k) (1ull << (k))
/* What delete, delete-pair and get accept (PFKEY.md). */
#define CLI_LOOKUP_KWS (KW(CLI_KW_SPI) | KW(CLI_KW_SRC) | KW(CLI_KW_DST) |        \
			KW(CLI_KW_SPORT) | KW(CLI_KW_DPORT) | KW(CLI_KW_PROTO) |     \
			KW(CLI_KW_INBOUND) | KW(CLI_KW_OUTBOUND))
#define CLI_ALL_KWS ((1ull << CLI_KW_COUNT) - 1)
/* update-pair changes what both SAs of a pair share: lifetimes, state and
 * sequence state, never keys or addresses (the X_UPDATEPAIR shape). */
#define CLI_UPDPAIR_KWS (CLI_LOOKUP_KWS | KW(CLI_KW_STATE) | KW(CLI_KW_REPLAY) |         \
			 KW(CLI_KW_REPLAY_WINDOW) | KW(CLI_KW_ESN) |                   \
			 KW(CLI_KW_REPLAY_VALUE) | KW(CLI_KW_SEQ_LEASE) |              \
			 KW(CLI_KW_SOFT_ALLOC) | KW(CLI_KW_SOFT_BYTES) |               \
			 KW(CLI_KW_SOFT_ADDTIME) | KW(CLI_KW_SOFT_USETIME) |           \
			 KW(CLI_KW_HARD_ALLOC) | KW(CLI_KW_HARD_BYTES) |               \
			 KW(CLI_KW_HARD_ADDTIME) | KW(CLI_KW_HARD_USETIME) |           \
			 KW(CLI_KW_IDLE_ADDTIME) | KW(CLI_KW_IDLE_USETIME))

enum cli_satype_rule {
	CLI_ST_NONE,     /* no SA type (help, quit) */
	CLI_ST_OPTIONAL, /* all, ah, esp or a number; "all" when left out */
	CLI_ST_SA,       /* ah or esp, required */
};

struct cli_verb_info {
	const char *const *names;
	enum cli_verb verb;
	uint8_t msgtype;
	enum cli_satype_rule satype;
	uint64_t keywords;   /* keywords the command accepts */
	const char *usage;
};

static const struct cli_verb_info cli_verbs[] = {
	{ N("add"), CLI_VERB_ADD, SADB_ADD, CLI_ST_SA, CLI_ALL_KWS,
	  "add {ah|esp} spi N dst ADDR ... (see 'help keywords')" },
	{ N("update"), CLI_VERB_UPDATE, SADB_UPDATE, CLI_ST_SA, CLI_ALL_KWS,
	  "update {ah|esp} spi N dst ADDR ..." },
	{ N("update-pair"), CLI_VERB_UPDATE_PAIR, SADB_X_UPDATEPAIR, CLI_ST_SA,
	  CLI_UPDPAIR_KWS, "update-pair {ah|esp} spi N dst ADDR [lifetimes] [state S] "
	  "[replay_value N] ..." },
	{ N("delete"), CLI_VERB_DELETE, SADB_DELETE, CLI_ST_SA, CLI_LOOKUP_KWS,
	  "delete {ah|esp} spi N dst ADDR [src ADDR] [sport N] [dport N] [proto P] "
	  "[inbound|outbound]" },
	{ N("delete-pair"), CLI_VERB_DELETE_PAIR, SADB_X_DELPAIR, CLI_ST_SA,
	  CLI_LOOKUP_KWS, "delete-pair {ah|esp} spi N dst ADDR [src ADDR]" },
	{ N("get"), CLI_VERB_GET, SADB_GET, CLI_ST_SA, CLI_LOOKUP_KWS,
	  "get {ah|esp} spi N dst ADDR [src ADDR] [sport N] [dport N] [proto P] "
	  "[inbound|outbound]" },
	{ N("flush"), CLI_VERB_FLUSH, SADB_FLUSH, CLI_ST_OPTIONAL, 0,
	  "flush [all|ah|esp|N]" },
	{ N("dump"), CLI_VERB_DUMP, SADB_DUMP, CLI_ST_OPTIONAL, 0, "dump [all|ah|esp|N]" },
	{ N("monitor"), CLI_VERB_MONITOR, SADB_X_PROMISC, CLI_ST_OPTIONAL, 0,
	  "monitor [all|ah|esp|N]" },
	{ N("passive_monitor", "pmonitor"), CLI_VERB_PMONITOR, SADB_REGISTER,
	  CLI_ST_OPTIONAL, 0, "passive_monitor [all|ah|esp|N]" },
	{ N("save"), CLI_VERB_SAVE, SADB_DUMP, CLI_ST_OPTIONAL, 0,
	  "save [all|ah|esp|N] [file]" },
	{ N("help", "?"), CLI_VERB_HELP, 0, CLI_ST_NONE, 0, "help [command|keywords]" },
	{ N("quit", "exit"), CLI_VERB_QUIT, 0, CLI_ST_NONE, 0, "quit" },
};

static const struct cli_verb_info *verb_find(const char *word)
{
	for (size_t i = 0; i < sizeof(cli_verbs) / sizeof(cli_verbs[0]); i++)
		for (const char *const *n = cli_verbs[i].names; *n != NULL; n++)
			if (strcasecmp(*n, word) == 0)
				return &cli_verbs[i];
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Rules across keywords.                                                    */

static int family_of(const struct cli_sa *sa, int slot)
{
	return sa->addr[slot].ss_family;
}

/* Checks for add, update and update-pair. */
static int check_keys(struct cli_pctx *c, const struct cli_verb_info *v, uint8_t satype)
{
	struct cli_sa *sa = c->sa;
	const struct pfk_alg_info *ea = NULL, *aa = NULL;
	const char *vt = v->names[0];
	bool add = v->verb == CLI_VERB_ADD;

	if (satype == SADB_SATYPE_AH) {
		if (cli_seen(sa, CLI_KW_ENCR_ALG) || cli_seen(sa, CLI_KW_ENCRKEY)) {
			enum cli_kw k = cli_seen(sa, CLI_KW_ENCR_ALG) ? CLI_KW_ENCR_ALG :
					CLI_KW_ENCRKEY;
			return fail_at(c->err, c->line, c->tok[k],
				       "not used with ah (AH does not encrypt)");
		}
		if (add && (!cli_seen(sa, CLI_KW_AUTH_ALG) || sa->auth == SADB_AALG_NONE))
			return fail_at(c->err, c->line, vt, "ah needs auth_alg and authkey");
	}
	/* ESP without encr_alg is NULL encryption (add only: update leaves the
	 * algorithm alone). */
	if (satype == SADB_SATYPE_ESP && add && !cli_seen(sa, CLI_KW_ENCR_ALG))
		sa->encr = SADB_EALG_NULL;

	if (sa->auth != SADB_AALG_NONE)
		aa = pfk_alg_by_id(PFK_ALG_AUTH, sa->auth);
	if (sa->encr != SADB_EALG_NONE)
		ea = pfk_alg_by_id(PFK_ALG_ENCRYPT, sa->encr);

	if (ea != NULL && (ea->flags & PFK_ALG_AEAD) && aa != NULL)
		return fail_at(c->err, c->line, c->tok[CLI_KW_AUTH_ALG],
			       "not used with %s (it authenticates itself)", ea->name);
	/* Each algorithm with its key, each key with its algorithm. */
	if (aa != NULL && !cli_seen(sa, CLI_KW_AUTHKEY))
		return fail_at(c->err, c->line, c->tok[CLI_KW_AUTH_ALG],
			       "needs authkey");
	if (aa == NULL && cli_seen(sa, CLI_KW_AUTHKEY))
		return fail_at(c->err, c->line, c->tok[CLI_KW_AUTHKEY],
			       "needs auth_alg");
	bool ekey_needed = ea != NULL && ea->id != SADB_EALG_NULL;

	if (ekey_needed && !cli_seen(sa, CLI_KW_ENCRKEY))
		return fail_at(c->err, c->line, cli_seen(sa, CLI_KW_ENCR_ALG) ?
			       c->tok[CLI_KW_ENCR_ALG] : vt, "needs encrkey");
	if (!ekey_needed && cli_seen(sa, CLI_KW_ENCRKEY))
		return fail_at(c->err, c->line, c->tok[CLI_KW_ENCRKEY],
			       "needs encr_alg (other than null)");
	if (satype == SADB_SATYPE_ESP && add && aa == NULL && ea != NULL &&
	    ea->id == SADB_EALG_NULL)
		return fail_at(c->err, c->line, vt,
			       "esp with null encryption needs auth_alg and authkey");
	if (cli_seen(sa, CLI_KW_RESERVED_BITS) && !cli_seen(sa, CLI_KW_ENCRKEY))
		return fail_at(c->err, c->line, c->tok[CLI_KW_RESERVED_BITS],
			       "needs encrkey (the salt is part of it)");

	if (aa != NULL && !pfk_alg_keybits_ok(aa, sa->akey_bits))
		return fail_at(c->err, c->line, c->tok[CLI_KW_AUTHKEY],
			       "expected a %u-bit key for %s, got %u bits", aa->minbits,
			       aa->name, sa->akey_bits);
	if (ekey_needed) {
		unsigned salt = cli_seen(sa, CLI_KW_RESERVED_BITS) ? sa->salt_bits :
				ea->saltbits;

		if (salt >= sa->ekey_bits ||
		    !pfk_alg_keybits_ok(ea, sa->ekey_bits - salt)) {
			char sizes[96];

			if (ea->minbits == ea->maxbits)
				snprintf(sizes, sizeof(sizes), "%u", ea->minbits);
			else
				snprintf(sizes, sizeof(sizes), "%u..%u (steps of %u)",
					 ea->minbits, ea->maxbits, ea->increment);
			return fail_at(c->err, c->line, c->tok[CLI_KW_ENCRKEY],
				       "expected a key of %s bits plus %u salt bits for %s, "
				       "got %u bits", sizes, salt, ea->name, sa->ekey_bits);
		}
		sa->salt_bits = (uint16_t)salt;
	}
	return 0;
}

static int check_addresses(struct cli_pctx *c, const struct cli_verb_info *v)
{
	struct cli_sa *sa = c->sa;
	const char *vt = v->names[0];
	static const enum cli_kw inner_kws[] = { CLI_KW_ISRC, CLI_KW_IDST, CLI_KW_ISPORT,
						 CLI_KW_IDPORT, CLI_KW_IPROTO };
	static const enum cli_kw nat_kws[] = { CLI_KW_NAT_LOC, CLI_KW_NAT_REM,
					       CLI_KW_NAT_LPORT, CLI_KW_NAT_RPORT };

	if (!cli_seen(sa, CLI_KW_SPI))
		return fail_at(c->err, c->line, vt, "missing spi (%s needs spi and dst)", vt);
	if (!cli_seen(sa, CLI_KW_DST))
		return fail_at(c->err, c->line, vt, "missing dst (%s needs spi and dst)", vt);
	if (cli_seen(sa, CLI_KW_SRC) && family_of(sa, CLI_A_SRC) != family_of(sa, CLI_A_DST))
		return fail_at(c->err, c->line, c->tok[CLI_KW_SRC],
			       "address family differs from dst");

	for (size_t i = 0; i < sizeof(inner_kws) / sizeof(inner_kws[0]); i++) {
		if (!cli_seen(sa, inner_kws[i]))
			continue;
		if (!cli_seen(sa, CLI_KW_ISRC) || !cli_seen(sa, CLI_KW_IDST))
			return fail_at(c->err, c->line, c->tok[inner_kws[i]],
				       "tunnel mode needs both isrc and idst");
		if (family_of(sa, CLI_A_ISRC) != family_of(sa, CLI_A_IDST))
			return fail_at(c->err, c->line, c->tok[CLI_KW_IDST],
				       "address family differs from isrc");
		break;
	}
	for (size_t i = 0; i < sizeof(nat_kws) / sizeof(nat_kws[0]); i++) {
		if (!cli_seen(sa, nat_kws[i]))
			continue;
		if (!cli_seen(sa, CLI_KW_ENCAP))
			return fail_at(c->err, c->line, c->tok[nat_kws[i]],
				       "needs 'encap udp'");
	}
	if (cli_seen(sa, CLI_KW_NAT_LOC) &&
	    family_of(sa, CLI_A_NATLOC) != family_of(sa, CLI_A_DST))
		return fail_at(c->err, c->line, c->tok[CLI_KW_NAT_LOC],
			       "address family differs from dst");
	if (cli_seen(sa, CLI_KW_NAT_REM) &&
	    family_of(sa, CLI_A_NATREM) != family_of(sa, CLI_A_DST))
		return fail_at(c->err, c->line, c->tok[CLI_KW_NAT_REM],
			       "address family differs from dst");
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Building.                                                                 */

/* The unspecified address of a family, port in host order. */
static void addr_with_port(struct sockaddr_storage *out, const struct sockaddr_storage *in,
			   int family, uint16_t port)
{
	memset(out, 0, sizeof(*out));
	if (in != NULL && in->ss_family != AF_UNSPEC)
		memcpy(out, in, sizeof(*out));
	else
		out->ss_family = (sa_family_t)family;
	if (out->ss_family == AF_INET)
		((struct sockaddr_in *)out)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)out)->sin6_port = htons(port);
}

static void build_lifetime(struct pfk_builder *b, const struct cli_sa *sa, int slot,
			   uint16_t exttype, enum cli_kw first)
{
	bool any = false;

	for (int f = 0; f < 4; f++)
		any |= cli_seen(sa, (enum cli_kw)(first + f));
	if (slot == CLI_LT_IDLE)
		any = cli_seen(sa, CLI_KW_IDLE_ADDTIME) || cli_seen(sa, CLI_KW_IDLE_USETIME);
	if (any)
		pfk_add_lifetime(b, exttype, (uint32_t)sa->lt[slot][CLI_LTF_ALLOC],
				 sa->lt[slot][CLI_LTF_BYTES], sa->lt[slot][CLI_LTF_ADDTIME],
				 sa->lt[slot][CLI_LTF_USETIME]);
}

int cli_sa_build(const struct cli_sa *sa, enum cli_verb verb, uint8_t satype,
		 uint32_t seq, uint32_t pid, void *buf, size_t cap)
{
	static const uint16_t addr_ext[CLI_A_COUNT] = {
		SADB_EXT_ADDRESS_SRC, SADB_EXT_ADDRESS_DST, SADB_X_EXT_ADDRESS_INNER_SRC,
		SADB_X_EXT_ADDRESS_INNER_DST, SADB_X_EXT_ADDRESS_NATT_LOC,
		SADB_X_EXT_ADDRESS_NATT_REM,
	};
	bool full = verb == CLI_VERB_ADD || verb == CLI_VERB_UPDATE ||
		    verb == CLI_VERB_UPDATE_PAIR;
	bool tunnel = cli_seen(sa, CLI_KW_ISRC);
	bool natloc = cli_seen(sa, CLI_KW_NAT_LOC) || cli_seen(sa, CLI_KW_NAT_LPORT);
	bool natrem = cli_seen(sa, CLI_KW_NAT_REM) || cli_seen(sa, CLI_KW_NAT_RPORT);
	int family = family_of(sa, CLI_A_DST);
	struct pfk_builder b;
	uint32_t flags = 0;
	uint8_t msgtype = 0;

	for (size_t i = 0; i < sizeof(cli_verbs) / sizeof(cli_verbs[0]); i++)
		if (cli_verbs[i].verb == verb)
			msgtype = cli_verbs[i].msgtype;

	if (cli_seen(sa, CLI_KW_INBOUND))
		flags |= SADB_X_SAFLAGS_INBOUND;
	if (cli_seen(sa, CLI_KW_OUTBOUND))
		flags |= SADB_X_SAFLAGS_OUTBOUND;
	if (full && tunnel)
		flags |= SADB_X_SAFLAGS_TUNNEL;
	if (full && natloc)
		flags |= SADB_X_SAFLAGS_NATT_LOC;
	if (full && natrem)
		flags |= SADB_X_SAFLAGS_NATT_REM;

	pfk_build_init(&b, buf, cap, msgtype, satype, seq, pid);
	pfk_add_sa(&b, htonl(sa->spi), (uint8_t)(sa->window > 255 ? 255 : sa->window),
		   full ? (cli_seen(sa, CLI_KW_STATE) ? sa->state : SADB_SASTATE_MATURE) : 0,
		   sa->auth, sa->encr, flags);
	if (full) {
		build_lifetime(&b, sa, CLI_LT_HARD, SADB_EXT_LIFETIME_HARD,
			       CLI_KW_HARD_ALLOC);
		build_lifetime(&b, sa, CLI_LT_SOFT, SADB_EXT_LIFETIME_SOFT,
			       CLI_KW_SOFT_ALLOC);
		build_lifetime(&b, sa, CLI_LT_IDLE, SADB_X_EXT_LIFETIME_IDLE,
			       CLI_KW_IDLE_ADDTIME);
	}

	for (int slot = 0; slot < CLI_A_COUNT; slot++) {
		struct sockaddr_storage ss;
		bool inner = slot == CLI_A_ISRC || slot == CLI_A_IDST;
		bool present = slot == CLI_A_SRC || slot == CLI_A_DST ||
			       (inner && tunnel) || (slot == CLI_A_NATLOC && natloc) ||
			       (slot == CLI_A_NATREM && natrem);
		uint8_t proto = inner ? sa->iproto : sa->proto;

		if (!present || (!full && slot > CLI_A_DST))
			continue;
		if (slot == CLI_A_NATLOC || slot == CLI_A_NATREM)
			proto = 0;
		/* A missing src (or NAT-T address) is the unspecified address
		 * of dst's family: it still carries its port. */
		addr_with_port(&ss, &sa->addr[slot], family, sa->port[slot]);
		pfk_add_address(&b, addr_ext[slot], (const struct sockaddr *)&ss, proto,
				sa->prefix[slot]);
	}
	if (full) {
		if (cli_seen(sa, CLI_KW_AUTHKEY))
			pfk_add_key(&b, SADB_EXT_KEY_AUTH, sa->akey, sa->akey_bits, 0);
		if (cli_seen(sa, CLI_KW_ENCRKEY))
			pfk_add_key(&b, SADB_EXT_KEY_ENCRYPT, sa->ekey, sa->ekey_bits,
				    sa->salt_bits);
		if (cli_seen(sa, CLI_KW_SRCID))
			pfk_add_identity(&b, SADB_EXT_IDENTITY_SRC, sa->id_type[0], sa->id[0]);
		if (cli_seen(sa, CLI_KW_DSTID))
			pfk_add_identity(&b, SADB_EXT_IDENTITY_DST, sa->id_type[1], sa->id[1]);
		if (cli_seen(sa, CLI_KW_PAIR_SPI))
			pfk_add_pair(&b, htonl(sa->pair_spi));
		if (cli_seen(sa, CLI_KW_REPLAY_VALUE))
			pfk_add_replay_value(&b, sa->replay_value);
		/* Windows above 255 do not fit sadb_sa_replay (an illumos
		 * limit fixed on purpose): they travel in our extension. */
		if (cli_seen(sa, CLI_KW_REPLAY_WINDOW) || cli_seen(sa, CLI_KW_ESN) ||
		    sa->window > 255)
			pfk_add_replay_window(&b, sa->window, cli_seen(sa, CLI_KW_ESN) ?
					      SADB_X_DPSEC_RW_ESN : 0);
		if (cli_seen(sa, CLI_KW_SEQ_LEASE))
			pfk_add_seq_lease(&b, sa->seq_lease);
	}
	return pfk_build_finish(&b);
}

/* ------------------------------------------------------------------------ */
/* Lines.                                                                    */

static int parse_words(int argc, char *const argv[], unsigned line, unsigned flags,
		       uint32_t seq, uint32_t pid, struct cli_cmd *cmd,
		       struct cli_error *err)
{
	struct cli_pctx c = { .flags = flags, .line = line, .err = err };
	const struct cli_verb_info *v;
	struct cli_sa *sa = NULL;
	int i = 1, rc = 0, st;

	memset(cmd, 0, offsetof(struct cli_cmd, msg));
	memset(err, 0, sizeof(*err));
	if (argc == 0)
		return 0;

	v = verb_find(argv[0]);
	if (v == NULL)
		return fail_at(err, line, argv[0], "expected a command (add, update, "
			       "update-pair, delete, delete-pair, get, flush, dump, monitor, "
			       "passive_monitor, save, help, quit)");
	cmd->verb = v->verb;

	if ((v->verb == CLI_VERB_ADD || v->verb == CLI_VERB_UPDATE ||
	     v->verb == CLI_VERB_UPDATE_PAIR) && (flags & CLI_CMDLINE)) {
		fail_at(err, line, argv[0], "refused on the command line: the keys would "
			"be visible to other users in ps(1); use interactive mode or -f file");
		return -EPERM;
	}

	if (v->satype == CLI_ST_NONE) {
		if (argc > 2 || (argc == 2 && v->verb == CLI_VERB_QUIT))
			return fail_at(err, line, argv[argc - 1], "unexpected word (usage: %s)",
				       v->usage);
		if (argc == 2)
			snprintf(cmd->arg, sizeof(cmd->arg), "%s", argv[1]);
		return 0;
	}

	/* The SA type. */
	st = i < argc ? pfk_satype_from_name(argv[i]) : -ENOENT;
	if (v->satype == CLI_ST_SA) {
		if (i >= argc)
			return fail_at(err, line, argv[0], "expected an SA type (ah, esp), "
				       "got end of line");
		if (st != SADB_SATYPE_AH && st != SADB_SATYPE_ESP)
			return expected(&c, argv[0], "an SA type (ah, esp)", argv[i]);
		i++;
	} else if (st >= 0) {
		i++;
	} else if (i < argc && v->verb != CLI_VERB_SAVE) {
		return expected(&c, argv[0], "an SA type (all, ah, esp, or a number)",
				argv[i]);
	} else {
		st = SADB_SATYPE_UNSPEC;
	}
	cmd->satype = (uint8_t)st;

	if (v->keywords == 0) {
		if (v->verb == CLI_VERB_SAVE && i < argc) {
			if (strlen(argv[i]) >= sizeof(cmd->arg))
				return fail_at(err, line, argv[i], "file name too long");
			strcpy(cmd->arg, argv[i]);
			i++;
		}
		if (i < argc)
			return fail_at(err, line, argv[i], "unexpected word (usage: %s)",
				       v->usage);
		struct pfk_builder b;

		/* X_PROMISC's satype is its on/off switch (illumos). */
		pfk_build_init(&b, cmd->msg, sizeof(cmd->msg), v->msgtype,
			       v->verb == CLI_VERB_MONITOR ? 1 : cmd->satype, seq, pid);
		rc = pfk_build_finish(&b);
		if (rc < 0)
			return fail_at(err, line, argv[0], "cannot build the request (%s)",
				       strerror(-rc));
		cmd->msg_len = (size_t)rc;
		return 0;
	}

	sa = calloc(1, sizeof(*sa));
	if (sa == NULL)
		return fail_at(err, line, argv[0], "out of memory");
	c.sa = sa;

	while (i < argc) {
		const struct cli_keyword *kw = keyword_find(argv[i]);

		if (kw == NULL) {
			rc = fail_at(err, line, argv[i], "unknown keyword (see 'help keywords')");
			goto out;
		}
		if (!((v->keywords >> kw->id) & 1u)) {
			rc = fail_at(err, line, argv[i], "not used by %s (usage: %s)",
				     v->names[0], v->usage);
			goto out;
		}
		if (cli_seen(sa, kw->id)) {
			rc = fail_at(err, line, argv[i], "given twice (first as '%s')",
				     c.tok[kw->id]);
			goto out;
		}
		if (argc - i - 1 < (int)kw->nargs) {
			rc = fail_at(err, line, argv[i], "expected %s, got end of line",
				     kw->nargs == 2 ? "a type and a value" : "a value");
			goto out;
		}
		rc = kw->parse(&c, kw, &argv[i + 1]);
		if (rc < 0)
			goto out;
		kw_mark(&c, kw, argv[i]);
		i += 1 + (int)kw->nargs;
	}

	rc = check_addresses(&c, v);
	if (rc == 0 && (v->verb == CLI_VERB_ADD || v->verb == CLI_VERB_UPDATE))
		rc = check_keys(&c, v, cmd->satype);
	if (rc < 0)
		goto out;
	rc = cli_sa_build(sa, v->verb, cmd->satype, seq, pid, cmd->msg, sizeof(cmd->msg));
	if (rc < 0) {
		rc = fail_at(err, line, argv[0], "cannot build the request (%s)",
			     strerror(-rc));
		goto out;
	}
	cmd->msg_len = (size_t)rc;
	rc = 0;
out:
	if (sa != NULL) {
		pfk_wipe(sa, sizeof(*sa));
		free(sa);
	}
	if (rc < 0)
		cli_cmd_wipe(cmd);
	return rc;
}

int cli_parse_argv(int argc, char *const argv[], unsigned flags, uint32_t seq,
		   uint32_t pid, struct cli_cmd *cmd, struct cli_error *err)
{
	return parse_words(argc, argv, 0, flags, seq, pid, cmd, err);
}

/* Split text (modified in place) into words: blanks separate, "..." is one
 * word, '#' at the start of a word comments out the rest. */
static int split_words(char *text, char **words, int max)
{
	int n = 0;
	char *p = text;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max)
			return -E2BIG;
		if (*p == '"') {
			char *end = strchr(p + 1, '"');

			if (end == NULL)
				return -EINVAL;
			words[n++] = p + 1;
			*end = '\0';
			p = end + 1;
			continue;
		}
		words[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

int cli_parse_line(const char *text, unsigned line, unsigned flags, uint32_t seq,
		   uint32_t pid, struct cli_cmd *cmd, struct cli_error *err)
{
	char *copy, *words[CLI_MAX_WORDS];
	size_t n = strlen(text);
	int argc, rc;

	memset(cmd, 0, offsetof(struct cli_cmd, msg));
	memset(err, 0, sizeof(*err));
	if (n >= CLI_LINE_MAX)
		return fail_at(err, line, "", "line longer than %u characters",
			       CLI_LINE_MAX - 1);
	copy = malloc(n + 1);
	if (copy == NULL)
		return fail_at(err, line, "", "out of memory");
	memcpy(copy, text, n + 1);
	argc = split_words(copy, words, CLI_MAX_WORDS);
	if (argc == -E2BIG)
		rc = fail_at(err, line, "", "more than %d words", CLI_MAX_WORDS);
	else if (argc < 0)
		rc = fail_at(err, line, "\"", "unterminated quoted string");
	else
		rc = parse_words(argc, words, line, flags, seq, pid, cmd, err);
	pfk_wipe(copy, n);
	free(copy);
	return rc;
}

void cli_cmd_wipe(struct cli_cmd *cmd)
{
	pfk_wipe(cmd->msg, sizeof(cmd->msg));
	cmd->msg_len = 0;
}

/* ------------------------------------------------------------------------ */
/* Files.                                                                    */

int cli_parse_file(FILE *in, unsigned flags, uint32_t first_seq, uint32_t pid,
		   cli_cmd_fn on_cmd, cli_error_fn on_error, void *arg)
{
	char *buf = NULL, *joined = NULL;
	size_t bufcap = 0, jlen = 0, jcap = 0;
	struct cli_cmd *cmd = NULL;
	struct cli_error err;
	unsigned lineno = 0, first = 0;
	uint32_t seq = first_seq;
	bool bad = false;
	ssize_t n;
	int rc = 0;

	cmd = malloc(sizeof(*cmd));
	if (cmd == NULL)
		return -ENOMEM;
	while ((n = getline(&buf, &bufcap, in)) >= 0) {
		bool cont;

		lineno++;
		if (jlen == 0)
			first = lineno;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		cont = n > 0 && buf[n - 1] == '\\';
		if (cont)
			buf[--n] = ' ';
		if (jlen + (size_t)n + 2 > jcap) {
			size_t ncap = (jlen + (size_t)n + 2) * 2;
			char *nj = malloc(ncap);

			if (nj == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			if (joined != NULL) {
				memcpy(nj, joined, jlen);
				pfk_wipe(joined, jcap);
				free(joined);
			}
			joined = nj;
			jcap = ncap;
		}
		memcpy(joined + jlen, buf, (size_t)n);
		jlen += (size_t)n;
		joined[jlen] = '\0';
		if (cont)
			continue;

		rc = cli_parse_line(joined, first, flags & ~CLI_CMDLINE, seq, pid, cmd, &err);
		jlen = 0;
		if (rc < 0) {
			bad = true;
			if (on_error != NULL)
				on_error(arg, &err);
			rc = 0;
			continue;
		}
		if (cmd->verb == CLI_VERB_NONE)
			continue;
		seq++;
		if (on_cmd != NULL) {
			rc = on_cmd(arg, cmd, first);
			cli_cmd_wipe(cmd);
			if (rc < 0)
				goto out;
		}
		cli_cmd_wipe(cmd);
	}
	if (ferror(in)) {
		rc = -EIO;
		goto out;
	}
	if (jlen > 0) {
		/* A file that ends in a continuation still has a command. */
		rc = cli_parse_line(joined, first, flags & ~CLI_CMDLINE, seq, pid, cmd, &err);
		if (rc < 0) {
			bad = true;
			if (on_error != NULL)
				on_error(arg, &err);
		} else if (cmd->verb != CLI_VERB_NONE && on_cmd != NULL) {
			rc = on_cmd(arg, cmd, first);
			if (rc < 0)
				goto out;
		}
		rc = 0;
	}
	if (bad)
		rc = -EINVAL;
out:
	if (buf != NULL) {
		pfk_wipe(buf, bufcap);
		free(buf);
	}
	if (joined != NULL) {
		pfk_wipe(joined, jcap);
		free(joined);
	}
	cli_cmd_wipe(cmd);
	free(cmd);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Help (from the same tables).                                              */

int cli_print_help(FILE *out, const char *topic)
{
	size_t nv = sizeof(cli_verbs) / sizeof(cli_verbs[0]);

	if (topic != NULL && strcasecmp(topic, "keywords") == 0) {
		fputs("Keywords (synonyms on one line):\n", out);
		for (size_t i = 0; i < cli_keyword_count; i++) {
			const struct cli_keyword *kw = &cli_keywords[i];

			fputs("  ", out);
			for (const char *const *n = kw->names; *n != NULL; n++)
				fprintf(out, "%s%s", n == kw->names ? "" : ", ", *n);
			fputs(kw->nargs == 0 ? "\n" : kw->nargs == 1 ? " VALUE\n" :
			      " TYPE VALUE\n", out);
		}
		return ferror(out) ? -EIO : 0;
	}
	if (topic != NULL) {
		const struct cli_verb_info *v = verb_find(topic);

		if (v == NULL) {
			fprintf(out, "No help for '%s'; try 'help' or 'help keywords'.\n", topic);
			return ferror(out) ? -EIO : 0;
		}
		fprintf(out, "usage: %s\n", v->usage);
		return ferror(out) ? -EIO : 0;
	}
	fputs("Commands:\n", out);
	for (size_t i = 0; i < nv; i++)
		fprintf(out, "  %s\n", cli_verbs[i].usage);
	fputs("'help keywords' lists the keywords; see ipseckey(8).\n", out);
	return ferror(out) ? -EIO : 0;
}
