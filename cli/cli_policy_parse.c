/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli_policy_parse.c: ipsecconf(8) policy text -> SPDADD requests.
 *
 * Three stages, each validating before the next acts:
 *  1. a lexer that yields '{', '}' and words (with their line), dropping
 *     comments ('#' to the end of the line);
 *  2. a rule parser that fills a struct draft from the pattern block, the
 *     action and each properties block, one table-driven key at a time,
 *     recording the line of every key (duplicates, messages);
 *  3. draft_finish(), which checks the rule as a whole and writes the
 *     wire structs of struct cli_pol_rule; the built request then passes
 *     the codec's own validator (pfk_validate) before the rule is kept.
 * The first error in a rule is recorded, the rest of the rule is skipped
 * (to the next '{' that follows a '}' at top level) and parsing goes on, so
 * one run reports every bad rule.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_pol_priv.h"

#define TOKEN_MAX 256u
#define ALT_MAX 8u /* "or" alternatives per rule */

/* ------------------------------------------------------------------------ */
/* Shared tables (also used by the printer).                                 */

static const struct {
	uint8_t proto;
	const char *name;
} proto_names[] = {
	{ 1, "icmp" }, { 2, "igmp" }, { 4, "ipip" }, { 6, "tcp" }, { 17, "udp" },
	{ 41, "ipv6" }, { 47, "gre" }, { 50, "esp" }, { 51, "ah" }, { 58, "ipv6-icmp" },
	{ 89, "ospf" }, { 103, "pim" }, { 132, "sctp" }, { 136, "udplite" },
};

const char *cli_pol_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++)
		if (proto_names[i].proto == proto)
			return proto_names[i].name;
	return NULL;
}

int cli_pol_proto_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++)
		if (strcasecmp(proto_names[i].name, name) == 0)
			return proto_names[i].proto;
	if (strcasecmp(name, "icmp6") == 0 || strcasecmp(name, "icmpv6") == 0)
		return 58;
	return -ENOENT;
}

bool cli_pol_encr_is_aead(uint8_t encr)
{
	const struct pfk_alg_info *a = pfk_alg_by_id(PFK_ALG_ENCRYPT, encr);

	return a != NULL && (a->flags & PFK_ALG_AEAD) != 0;
}

int cli_pol_esp_default_auth(uint8_t encr)
{
	if (encr == SADB_EALG_NULL)
		return -1;
	return cli_pol_encr_is_aead(encr) ? 0 : SADB_X_DPSEC_ALG_ANY;
}

static void put_req(struct sadb_x_dpsec_sareq *r, uint8_t satype, const struct cli_pol_alg *auth,
		    const struct cli_pol_alg *enc)
{
	memset(r, 0, sizeof(*r));
	r->sadb_x_req_len = sizeof(*r) / 8;
	r->sadb_x_req_exttype = SADB_X_EXT_DPSEC_SAREQ;
	r->sadb_x_req_satype = satype;
	if (auth != NULL) {
		r->sadb_x_req_auth = auth->id;
		r->sadb_x_req_auth_minbits = auth->minbits;
		r->sadb_x_req_auth_maxbits = auth->maxbits;
	}
	if (enc != NULL) {
		r->sadb_x_req_encrypt = enc->id;
		r->sadb_x_req_encrypt_minbits = enc->minbits;
		r->sadb_x_req_encrypt_maxbits = enc->maxbits;
	}
}

int cli_pol_expand(const struct cli_pol_props *p, struct sadb_x_dpsec_sareq *out, unsigned cap)
{
	static const struct cli_pol_alg null_enc = { SADB_EALG_NULL, 0, 0 };
	const struct cli_pol_alg *enc = p->enc;
	unsigned n_enc = p->n_enc, n = 0;

	for (unsigned i = 0; i < p->n_ah; i++) {
		if (n >= cap)
			return -E2BIG;
		put_req(&out[n++], SADB_SATYPE_AH, &p->ah[i], NULL);
	}
	if (n_enc == 0 && p->n_eauth > 0) {
		enc = &null_enc;
		n_enc = 1;
	}
	for (unsigned i = 0; i < n_enc; i++) {
		const int def = cli_pol_esp_default_auth(enc[i].id);

		if (cli_pol_encr_is_aead(enc[i].id) || p->n_eauth == 0) {
			const struct cli_pol_alg auth = { (uint8_t)(def < 0 ? 0 : def), 0, 0 };

			if (n >= cap)
				return -E2BIG;
			put_req(&out[n++], SADB_SATYPE_ESP, &auth, &enc[i]);
			continue;
		}
		for (unsigned j = 0; j < p->n_eauth; j++) {
			if (n >= cap)
				return -E2BIG;
			put_req(&out[n++], SADB_SATYPE_ESP, &p->eauth[j], &enc[i]);
		}
	}
	return (int)n;
}

/* ------------------------------------------------------------------------ */
/* Lexer.                                                                    */

enum action {
	ACT_NONE, ACT_IPSEC, ACT_APPLY, ACT_PERMIT, ACT_BYPASS, ACT_DROP
};

static enum action action_from_word(const char *w);

enum tok_kind { TOK_END, TOK_LBRACE, TOK_RBRACE, TOK_WORD };

struct token {
	enum tok_kind kind;
	unsigned line;
	char text[TOKEN_MAX];
	bool too_long;
};

struct lexer {
	const char *s;
	size_t len, pos;
	unsigned line;
	int depth;               /* braces open */
	enum tok_kind prev;      /* kind of the last token consumed */
	unsigned prev_line;      /* and its line */
	bool prev_action;        /* it was an action word */
	struct token look;       /* the next token */
};

static bool is_sep(char c)
{
	return c == '{' || c == '}' || c == '#' || isspace((unsigned char)c);
}

static void lex_scan(struct lexer *lx)
{
	struct token *t = &lx->look;
	size_t n = 0;

	for (;;) {
		while (lx->pos < lx->len && isspace((unsigned char)lx->s[lx->pos])) {
			if (lx->s[lx->pos] == '\n')
				lx->line++;
			lx->pos++;
		}
		if (lx->pos < lx->len && lx->s[lx->pos] == '#') {
			while (lx->pos < lx->len && lx->s[lx->pos] != '\n')
				lx->pos++;
			continue;
		}
		break;
	}
	t->line = lx->line;
	t->too_long = false;
	t->text[0] = '\0';
	if (lx->pos >= lx->len) {
		t->kind = TOK_END;
		return;
	}
	if (lx->s[lx->pos] == '{' || lx->s[lx->pos] == '}') {
		t->kind = lx->s[lx->pos] == '{' ? TOK_LBRACE : TOK_RBRACE;
		t->text[0] = lx->s[lx->pos++];
		t->text[1] = '\0';
		return;
	}
	t->kind = TOK_WORD;
	while (lx->pos < lx->len && !is_sep(lx->s[lx->pos])) {
		/* A NUL byte is no part of a word (and would cut the message). */
		const char c = lx->s[lx->pos] == '\0' ? '?' : lx->s[lx->pos];

		if (n + 1 < TOKEN_MAX)
			t->text[n++] = c;
		else
			t->too_long = true;
		lx->pos++;
	}
	t->text[n] = '\0';
}

static void lex_init(struct lexer *lx, const char *s, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->s = s;
	lx->len = len;
	lx->line = 1;
	lx->prev = TOK_RBRACE; /* the start of the file behaves like a '}' */
	lex_scan(lx);
}

/* Consume the lookahead into *out (may be NULL) and scan the next one. */
static void lex_next(struct lexer *lx, struct token *out)
{
	if (out != NULL)
		*out = lx->look;
	if (lx->look.kind == TOK_LBRACE)
		lx->depth++;
	else if (lx->look.kind == TOK_RBRACE && lx->depth > 0)
		lx->depth--;
	lx->prev = lx->look.kind;
	lx->prev_line = lx->look.line;
	lx->prev_action = lx->look.kind == TOK_WORD && action_from_word(lx->look.text) != ACT_NONE;
	if (lx->look.kind != TOK_END)
		lex_scan(lx);
}

/* ------------------------------------------------------------------------ */
/* Errors.                                                                   */

struct parser {
	struct lexer lx;
	const char *fname;
	unsigned flags;
	struct cli_pol_file *out;
	size_t errs_cap, rules_cap;
	bool nomem;
	bool failed;  /* the current rule has an error */
};

static void perr(struct parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(struct parser *p, unsigned line, const char *fmt, ...)
{
	struct cli_pol_error *e;
	va_list ap;
	int n;

	if (p->failed)
		return; /* one message per rule: the first is the cause */
	p->failed = true;
	if (p->out->nerrs == p->errs_cap) {
		const size_t cap = p->errs_cap ? p->errs_cap * 2 : 8;
		struct cli_pol_error *ne = realloc(p->out->errs, cap * sizeof(*ne));

		if (ne == NULL) {
			p->nomem = true;
			return;
		}
		p->out->errs = ne;
		p->errs_cap = cap;
	}
	e = &p->out->errs[p->out->nerrs++];
	e->line = line;
	n = snprintf(e->msg, sizeof(e->msg), "%s:%u: ", p->fname, line);
	if (n < 0)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg + n, sizeof(e->msg) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------------ */
/* The rule as written.                                                      */

struct addr_val {
	uint8_t family; /* 0 = not given */
	uint8_t prefix;
	uint8_t bytes[16];
};

struct range_val {
	bool set;
	unsigned lo, hi;
};

struct alt {
	enum action action;
	unsigned line;
	struct cli_pol_props props;
	int sa;        /* -1 not given, 0 shared, 1 unique */
	unsigned sa_line;
	bool any_alg;  /* some algorithm property given */
};

/* Every key, synonyms folded; each may appear once per rule (properties:
 * once per block). */
enum key_id {
	K_LADDR, K_RADDR, K_SADDR, K_DADDR, K_LPORT, K_RPORT, K_SPORT, K_DPORT, K_ULP,
	K_TYPE, K_CODE, K_DIR, K_TUNNEL, K_NEGOTIATE, K_TUN_SRC, K_TUN_DST, K_PRIORITY,
	K_SMASK, K_DMASK,
	K_AUTH_ALGS, K_ENCR_ALGS, K_ENCR_AUTH_ALGS, K_SA,
	K_COUNT
};

struct draft {
	unsigned line;               /* of the rule's '{' */
	unsigned seen[K_COUNT];      /* line of each key in the pattern, 0 = absent */
	struct addr_val laddr, raddr, saddr, daddr, tun_src, tun_dst;
	struct range_val lport, rport, sport, dport, type, code;
	int ulp;                     /* -1 = not given */
	uint8_t dir;                 /* SADB_X_DPSEC_DIR_*, 0 = not given */
	unsigned dir_line;
	int negotiate;               /* 0, SADB_X_DPSEC_MODE_TRANSPORT or _TUNNEL */
	bool prio_set;
	uint32_t prio;
	struct alt alt[ALT_MAX];
	unsigned nalt;
};

/* ------------------------------------------------------------------------ */
/* Value parsers.  Each returns 0, or records an error and returns -1.       */

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* "a" or "a-b" with numbers up to max; names through lookup (may be NULL). */
static bool parse_range(const char *s, unsigned max, int (*lookup)(const char *, unsigned),
			unsigned flags, struct range_val *r)
{
	char buf[TOKEN_MAX];
	char *dash;
	unsigned long lo, hi;

	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash != NULL && dash != buf && isdigit((unsigned char)buf[0])) {
		*dash = '\0';
		if (!parse_uint(buf, max, &lo) || !parse_uint(dash + 1, max, &hi) || lo > hi)
			return false;
	} else if (parse_uint(buf, max, &lo)) {
		hi = lo;
	} else {
		const int v = lookup != NULL ? lookup(buf, flags) : -1;

		if (v < 0)
			return false;
		lo = hi = (unsigned long)v;
	}
	r->set = true;
	r->lo = (unsigned)lo;
	r->hi = (unsigned)hi;
	return true;
}

static const struct {
	const char *name;
	uint16_t port;
} service_names[] = {
	{ "ftp-data", 20 }, { "ftp", 21 }, { "ssh", 22 }, { "telnet", 23 }, { "smtp", 25 },
	{ "domain", 53 }, { "http", 80 }, { "ntp", 123 }, { "bgp", 179 }, { "ldap", 389 },
	{ "https", 443 }, { "isakmp", 500 }, { "syslog", 514 }, { "ipsec-nat-t", 4500 },
};

static int lookup_service(const char *name, unsigned flags)
{
	const struct servent *se;

	for (size_t i = 0; i < sizeof(service_names) / sizeof(service_names[0]); i++)
		if (strcasecmp(service_names[i].name, name) == 0)
			return service_names[i].port;
	if (flags & CLI_POL_NUMERIC)
		return -1;
	se = getservbyname(name, NULL);
	return se != NULL ? ntohs((uint16_t)se->s_port) : -1;
}

/* illumos icmp-type names (ipsecconf(8)). */
static const struct {
	const char *name;
	uint8_t value;
} icmp_types[] = {
	{ "echorep", 0 }, { "unreach", 3 }, { "squench", 4 }, { "redir", 5 }, { "echo", 8 },
	{ "timex", 11 }, { "paramprob", 12 }, { "timest", 13 }, { "timestrep", 14 },
	{ "inforeq", 15 }, { "inforep", 16 }, { "maskreq", 17 }, { "maskrep", 18 },
	{ "unreach6", 1 }, { "pkttoobig6", 2 }, { "timex6", 3 }, { "paramprob6", 4 },
	{ "echo6", 128 }, { "echorep6", 129 }, { "router-sol6", 133 }, { "router-ad6", 134 },
	{ "neigh-sol6", 135 }, { "neigh-ad6", 136 }, { "redir6", 137 },
}, icmp_codes[] = {
	{ "net-unr", 0 }, { "host-unr", 1 }, { "proto-unr", 2 }, { "port-unr", 3 },
	{ "needfrag", 4 }, { "srcfail", 5 }, { "net-unk", 6 }, { "host-unk", 7 },
	{ "isolate", 8 }, { "net-prohib", 9 }, { "host-prohib", 10 }, { "net-tos", 11 },
	{ "host-tos", 12 }, { "filter-prohib", 13 }, { "host-preced", 14 },
	{ "cutoff-preced", 15 }, { "no-route6", 0 }, { "adm-prohib6", 1 },
	{ "addr-unr6", 3 }, { "port-unr6", 4 }, { "hop-limex6", 0 }, { "frag-re-timex6", 1 },
	{ "err-head6", 0 }, { "unrec-head6", 1 }, { "unreq-opt6", 2 },
};

static int lookup_icmp_type(const char *name, unsigned flags)
{
	(void)flags;
	for (size_t i = 0; i < sizeof(icmp_types) / sizeof(icmp_types[0]); i++)
		if (strcasecmp(icmp_types[i].name, name) == 0)
			return icmp_types[i].value;
	return -1;
}

static int lookup_icmp_code(const char *name, unsigned flags)
{
	(void)flags;
	for (size_t i = 0; i < sizeof(icmp_codes) / sizeof(icmp_codes[0]); i++)
		if (strcasecmp(icmp_codes[i].name, name) == 0)
			return icmp_codes[i].value;
	return -1;
}

static int lookup_proto(const char *name, unsigned flags)
{
	const struct protoent *pe;
	const int v = cli_pol_proto_by_name(name);

	if (v >= 0)
		return v;
	if (flags & CLI_POL_NUMERIC)
		return -1;
	pe = getprotobyname(name);
	return pe != NULL && pe->p_proto > 0 && pe->p_proto < 256 ? pe->p_proto : -1;
}

static void mask_addr(struct addr_val *a)
{
	const unsigned bytes = a->family == AF_INET ? 4 : 16;

	for (unsigned i = 0; i < bytes; i++) {
		const unsigned bit = i * 8;

		if (bit >= a->prefix)
			a->bytes[i] = 0;
		else if (bit + 8 > a->prefix)
			a->bytes[i] &= (uint8_t)(0xff << (8 - (a->prefix - bit)));
	}
}

/* "addr[/prefix]"; with allow_prefix false only a plain address. */
static int parse_addr(struct parser *p, const struct token *t, const char *key,
		      bool allow_prefix, struct addr_val *a)
{
	char buf[TOKEN_MAX];
	char *slash;
	unsigned long prefix = ULONG_MAX;

	snprintf(buf, sizeof(buf), "%s", t->text);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
		if (!allow_prefix) {
			perr(p, t->line, "\"%s\" for %s: expected an address without a prefix",
			     t->text, key);
			return -1;
		}
		if (!parse_uint(slash + 1, 128, &prefix)) {
			perr(p, t->line, "\"%s\" for %s: expected a prefix length after \"/\"",
			     t->text, key);
			return -1;
		}
	}
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->bytes) == 1) {
		a->family = AF_INET;
	} else if (inet_pton(AF_INET6, buf, a->bytes) == 1) {
		a->family = AF_INET6;
	} else if (p->flags & CLI_POL_NUMERIC) {
		perr(p, t->line, "\"%s\" for %s: expected an IPv4 or IPv6 address "
		     "(name lookups are off)", t->text, key);
		return -1;
	} else {
		struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM };
		struct addrinfo *res = NULL;
		unsigned count = 0;

		if (getaddrinfo(buf, NULL, &hints, &res) != 0 || res == NULL) {
			perr(p, t->line, "\"%s\" for %s: expected an address or a host name "
			     "that resolves", t->text, key);
			return -1;
		}
		for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
			count++;
		if (count == 1 && res->ai_family == AF_INET) {
			const struct sockaddr_in *sin = (const void *)res->ai_addr;

			a->family = AF_INET;
			memcpy(a->bytes, &sin->sin_addr, 4);
		} else if (count == 1 && res->ai_family == AF_INET6) {
			const struct sockaddr_in6 *sin6 = (const void *)res->ai_addr;

			a->family = AF_INET6;
			memcpy(a->bytes, &sin6->sin6_addr, 16);
		}
		freeaddrinfo(res);
		if (a->family == 0) {
			perr(p, t->line, "\"%s\" for %s: the name resolves to %u addresses; "
			     "expected exactly one (write the address)", t->text, key, count);
			return -1;
		}
	}
	if (prefix == ULONG_MAX) {
		prefix = a->family == AF_INET ? 32 : 128;
	} else if (a->family == AF_INET && prefix > 32) {
		perr(p, t->line, "\"%s\" for %s: expected a prefix length 0-32 for IPv4",
		     t->text, key);
		return -1;
	}
	a->prefix = (uint8_t)prefix;
	mask_addr(a);
	return 0;
}

/* One "name[(keylen)]" of an algorithm list. */
static int parse_alg_item(struct parser *p, const struct token *t, const char *key,
			  enum pfk_alg_kind kind, bool allow_none, char *item,
			  struct cli_pol_alg *out)
{
	const char *what = kind == PFK_ALG_AUTH ? "an authentication" : "an encryption";
	const struct pfk_alg_info *alg = NULL;
	char *paren = strchr(item, '(');
	unsigned long lo = 0, hi = 0;

	memset(out, 0, sizeof(*out));
	if (paren != NULL) {
		char *close = strchr(paren, ')');
		char *dots;

		*paren++ = '\0';
		if (close == NULL || close[1] != '\0') {
			perr(p, t->line, "\"%s\" for %s: expected a key length in (), "
			     "like aes(128..256)", t->text, key);
			return -1;
		}
		*close = '\0';
		dots = strstr(paren, "..");
		if (dots == NULL) {
			if (!parse_uint(paren, CLI_POL_BITS_OPEN, &lo) || lo == 0)
				goto bad_bits;
			hi = lo;
		} else {
			*dots = '\0';
			if (paren[0] == '\0' && dots[2] == '\0')
				goto bad_bits;
			if (paren[0] != '\0' &&
			    (!parse_uint(paren, CLI_POL_BITS_OPEN, &lo) || lo == 0))
				goto bad_bits;
			if (dots[2] == '\0')
				hi = CLI_POL_BITS_OPEN;
			else if (!parse_uint(dots + 2, CLI_POL_BITS_OPEN, &hi) || hi == 0 ||
				 lo > hi)
				goto bad_bits;
		}
	}
	if (strcasecmp(item, "any") == 0) {
		out->id = SADB_X_DPSEC_ALG_ANY;
	} else if (strcasecmp(item, "none") == 0 && allow_none) {
		out->id = 0;
		if (paren != NULL)
			goto bad_bits;
	} else {
		alg = pfk_alg_by_name(kind, item);
		if (alg == NULL) {
			char names[160] = "";
			size_t n = 0;

			for (unsigned i = 0; pfk_alg_at(kind, i) != NULL && n < sizeof(names); i++)
				n += (size_t)snprintf(names + n, sizeof(names) - n, "%s, ",
						      pfk_alg_at(kind, i)->name);
			perr(p, t->line, "\"%s\" for %s: unknown algorithm \"%s\"; expected "
			     "%s algorithm: any, %s%s", t->text, key, item, what, names,
			     allow_none ? "none" : "or a number");
			return -1;
		}
		out->id = alg->id;
		if (paren != NULL && alg->maxbits == 0) {
			perr(p, t->line, "\"%s\" for %s: %s takes no key length", t->text, key,
			     alg->name);
			return -1;
		}
		if (paren != NULL && (lo == hi ? !pfk_alg_keybits_ok(alg, (unsigned)lo)
					       : (hi < alg->minbits || lo > alg->maxbits))) {
			perr(p, t->line, "\"%s\" for %s: %s keys are %u..%u bits", t->text, key,
			     alg->name, alg->minbits, alg->maxbits);
			return -1;
		}
	}
	out->minbits = (uint16_t)lo;
	out->maxbits = (uint16_t)hi;
	return 0;
bad_bits:
	perr(p, t->line, "\"%s\" for %s: expected a key length N, N.., ..N or N..M (bits)",
	     t->text, key);
	return -1;
}

/* A comma-separated algorithm list. */
static int parse_alg_list(struct parser *p, const struct token *t, const char *key,
			  enum pfk_alg_kind kind, bool allow_none, struct cli_pol_alg *out,
			  unsigned *n)
{
	char buf[TOKEN_MAX];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", t->text);
	*n = 0;
	if (buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,") != NULL) {
		perr(p, t->line, "\"%s\" for %s: expected algorithms separated by single commas",
		     t->text, key);
		return -1;
	}
	for (char *item = strtok_r(buf, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		if (*n >= CLI_POL_SAREQ_MAX) {
			perr(p, t->line, "\"%s\" for %s: more than %u algorithms", t->text, key,
			     CLI_POL_SAREQ_MAX);
			return -1;
		}
		if (parse_alg_item(p, t, key, kind, allow_none, item, &out[*n]) != 0)
			return -1;
		(*n)++;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Key handlers.                                                             */

typedef int (*key_fn)(struct parser *p, struct draft *d, struct alt *a, const char *key,
		      const struct token *v);

#define ADDR_KEY(fn, field, prefix)                                                       \
	static int fn(struct parser *p, struct draft *d, struct alt *a, const char *key,  \
		      const struct token *v)                                               \
	{                                                                                  \
		(void)a;                                                                   \
		return parse_addr(p, v, key, prefix, &d->field);                           \
	}
ADDR_KEY(k_laddr, laddr, true)
ADDR_KEY(k_raddr, raddr, true)
ADDR_KEY(k_saddr, saddr, true)
ADDR_KEY(k_daddr, daddr, true)
ADDR_KEY(k_tun_src, tun_src, false)
ADDR_KEY(k_tun_dst, tun_dst, false)

static int key_port(struct parser *p, const char *key, const struct token *v,
		    struct range_val *r)
{
	if (parse_range(v->text, 65535, lookup_service, p->flags, r))
		return 0;
	perr(p, v->line, "\"%s\" for %s: expected a port 0-65535, a range N-M or a service name",
	     v->text, key);
	return -1;
}

#define PORT_KEY(fn, field)                                                               \
	static int fn(struct parser *p, struct draft *d, struct alt *a, const char *key,  \
		      const struct token *v)                                               \
	{                                                                                  \
		(void)a;                                                                   \
		return key_port(p, key, v, &d->field);                                     \
	}
PORT_KEY(k_lport, lport)
PORT_KEY(k_rport, rport)
PORT_KEY(k_sport, sport)
PORT_KEY(k_dport, dport)

static int k_ulp(struct parser *p, struct draft *d, struct alt *a, const char *key,
		 const struct token *v)
{
	unsigned long n;
	int proto;

	(void)a;
	if (parse_uint(v->text, 255, &n) && n > 0)
		proto = (int)n;
	else
		proto = isdigit((unsigned char)v->text[0]) ? -1 : lookup_proto(v->text, p->flags);
	if (proto <= 0) {
		perr(p, v->line, "\"%s\" for %s: expected a protocol number 1-255 or a name "
		     "(tcp, udp, icmp, ipv6-icmp, sctp, ...)", v->text, key);
		return -1;
	}
	d->ulp = proto;
	return 0;
}

static int k_type(struct parser *p, struct draft *d, struct alt *a, const char *key,
		  const struct token *v)
{
	(void)a;
	if (parse_range(v->text, 255, lookup_icmp_type, p->flags, &d->type))
		return 0;
	perr(p, v->line, "\"%s\" for %s: expected an ICMP type 0-255, a range N-M or a "
	     "name (echo, unreach, echo6, neigh-sol6, ...)", v->text, key);
	return -1;
}

static int k_code(struct parser *p, struct draft *d, struct alt *a, const char *key,
		  const struct token *v)
{
	(void)a;
	if (parse_range(v->text, 255, lookup_icmp_code, p->flags, &d->code))
		return 0;
	perr(p, v->line, "\"%s\" for %s: expected an ICMP code 0-255, a range N-M or a "
	     "name (net-unr, port-unr, ...)", v->text, key);
	return -1;
}

static int k_dir(struct parser *p, struct draft *d, struct alt *a, const char *key,
		 const struct token *v)
{
	(void)a;
	if (strcasecmp(v->text, "in") == 0)
		d->dir = SADB_X_DPSEC_DIR_IN;
	else if (strcasecmp(v->text, "out") == 0)
		d->dir = SADB_X_DPSEC_DIR_OUT;
	else if (strcasecmp(v->text, "both") == 0)
		d->dir = SADB_X_DPSEC_DIR_BOTH;
	else {
		perr(p, v->line, "\"%s\" for %s: expected in, out or both", v->text, key);
		return -1;
	}
	d->dir_line = v->line;
	return 0;
}

static int k_tunnel(struct parser *p, struct draft *d, struct alt *a, const char *key,
		    const struct token *v)
{
	/* The interface name is a label only: dpsec has no tunnel interfaces;
	 * tunnel_src/tunnel_dst name the tunnel. */
	(void)p;
	(void)d;
	(void)a;
	(void)key;
	(void)v;
	return 0;
}

static int k_negotiate(struct parser *p, struct draft *d, struct alt *a, const char *key,
		       const struct token *v)
{
	(void)a;
	if (strcasecmp(v->text, "tunnel") == 0)
		d->negotiate = SADB_X_DPSEC_MODE_TUNNEL;
	else if (strcasecmp(v->text, "transport") == 0)
		d->negotiate = SADB_X_DPSEC_MODE_TRANSPORT;
	else {
		perr(p, v->line, "\"%s\" for %s: expected tunnel or transport", v->text, key);
		return -1;
	}
	return 0;
}

static int k_priority(struct parser *p, struct draft *d, struct alt *a, const char *key,
		      const struct token *v)
{
	unsigned long n;

	(void)a;
	if (!parse_uint(v->text, UINT32_MAX, &n)) {
		perr(p, v->line, "\"%s\" for %s: expected a number 0-4294967295", v->text, key);
		return -1;
	}
	d->prio_set = true;
	d->prio = (uint32_t)n;
	return 0;
}

static int k_mask(struct parser *p, struct draft *d, struct alt *a, const char *key,
		  const struct token *v)
{
	(void)d;
	(void)a;
	perr(p, v->line, "\"%s\": not supported; write the prefix length on the address "
	     "(addr/len)", key);
	return -1;
}

static int k_auth_algs(struct parser *p, struct draft *d, struct alt *a, const char *key,
		       const struct token *v)
{
	(void)d;
	a->any_alg = true;
	return parse_alg_list(p, v, key, PFK_ALG_AUTH, false, a->props.ah, &a->props.n_ah);
}

static int k_encr_algs(struct parser *p, struct draft *d, struct alt *a, const char *key,
		       const struct token *v)
{
	(void)d;
	a->any_alg = true;
	return parse_alg_list(p, v, key, PFK_ALG_ENCRYPT, false, a->props.enc,
			      &a->props.n_enc);
}

static int k_encr_auth_algs(struct parser *p, struct draft *d, struct alt *a,
			    const char *key, const struct token *v)
{
	(void)d;
	a->any_alg = true;
	return parse_alg_list(p, v, key, PFK_ALG_AUTH, true, a->props.eauth,
			      &a->props.n_eauth);
}

static int k_sa(struct parser *p, struct draft *d, struct alt *a, const char *key,
		const struct token *v)
{
	(void)d;
	if (strcasecmp(v->text, "shared") == 0)
		a->sa = 0;
	else if (strcasecmp(v->text, "unique") == 0)
		a->sa = 1;
	else {
		perr(p, v->line, "\"%s\" for %s: expected shared or unique", v->text, key);
		return -1;
	}
	a->sa_line = v->line;
	return 0;
}

enum block { IN_PATTERN = 1, IN_PROPS = 2 };

/* The key table: names (synonyms after the first), where the key may
 * appear, and its handler. */
static const struct key_def {
	enum key_id id;
	unsigned where;
	key_fn fn;
	const char *names[5];
} key_defs[] = {
	{ K_LADDR, IN_PATTERN, k_laddr, { "laddr", "local" } },
	{ K_RADDR, IN_PATTERN, k_raddr, { "raddr", "remote" } },
	{ K_SADDR, IN_PATTERN, k_saddr, { "saddr", "src", "srcaddr" } },
	{ K_DADDR, IN_PATTERN, k_daddr, { "daddr", "dst", "dstaddr", "dest" } },
	{ K_LPORT, IN_PATTERN, k_lport, { "lport" } },
	{ K_RPORT, IN_PATTERN, k_rport, { "rport" } },
	{ K_SPORT, IN_PATTERN, k_sport, { "sport" } },
	{ K_DPORT, IN_PATTERN, k_dport, { "dport" } },
	{ K_ULP, IN_PATTERN, k_ulp, { "ulp", "proto" } },
	{ K_TYPE, IN_PATTERN, k_type, { "type" } },
	{ K_CODE, IN_PATTERN, k_code, { "code" } },
	{ K_DIR, IN_PATTERN | IN_PROPS, k_dir, { "dir" } },
	{ K_TUNNEL, IN_PATTERN, k_tunnel, { "tunnel" } },
	{ K_NEGOTIATE, IN_PATTERN, k_negotiate, { "negotiate" } },
	{ K_TUN_SRC, IN_PATTERN, k_tun_src, { "tunnel_src", "tunnel_local" } },
	{ K_TUN_DST, IN_PATTERN, k_tun_dst, { "tunnel_dst", "tunnel_remote" } },
	{ K_PRIORITY, IN_PATTERN, k_priority, { "priority" } },
	{ K_SMASK, IN_PATTERN, k_mask, { "smask" } },
	{ K_DMASK, IN_PATTERN, k_mask, { "dmask" } },
	{ K_AUTH_ALGS, IN_PROPS, k_auth_algs, { "auth_algs" } },
	{ K_ENCR_ALGS, IN_PROPS, k_encr_algs, { "encr_algs" } },
	{ K_ENCR_AUTH_ALGS, IN_PROPS, k_encr_auth_algs, { "encr_auth_algs" } },
	{ K_SA, IN_PROPS, k_sa, { "sa" } },
};

static const struct key_def *key_find(const char *name, unsigned where)
{
	for (size_t i = 0; i < sizeof(key_defs) / sizeof(key_defs[0]); i++) {
		if (!(key_defs[i].where & where))
			continue;
		for (const char *const *n = key_defs[i].names; *n != NULL; n++)
			if (strcasecmp(*n, name) == 0)
				return &key_defs[i];
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Rule parser.                                                              */

static const char pattern_keys[] =
	"laddr, raddr, lport, rport, ulp, type, code, dir, tunnel, negotiate, "
	"tunnel_src, tunnel_dst or priority";

static bool action_takes_algs(enum action act)
{
	return act == ACT_IPSEC || act == ACT_APPLY || act == ACT_PERMIT;
}

static const char *action_word(enum action act)
{
	switch (act) {
	case ACT_IPSEC: return "ipsec";
	case ACT_APPLY: return "apply";
	case ACT_PERMIT: return "permit";
	case ACT_BYPASS: return "bypass";
	case ACT_DROP: return "drop";
	default: return "?";
	}
}

/* Read "key value" pairs up to the closing '}' (consumed). */
static int parse_block(struct parser *p, struct draft *d, struct alt *a, enum block where)
{
	unsigned seen_props[K_COUNT] = { 0 };
	unsigned *seen = where == IN_PATTERN ? d->seen : seen_props;

	for (;;) {
		struct token k, v;
		const struct key_def *def;

		lex_next(&p->lx, &k);
		if (k.kind == TOK_RBRACE)
			return 0;
		if (k.kind == TOK_END) {
			perr(p, k.line, "end of file: expected \"}\"");
			return -1;
		}
		if (k.kind == TOK_LBRACE) {
			perr(p, k.line, "\"{\": expected a key or \"}\"");
			return -1;
		}
		def = key_find(k.text, where);
		if (def == NULL) {
			if (where == IN_PATTERN && key_find(k.text, IN_PROPS) != NULL)
				perr(p, k.line, "\"%s\": a property, not a pattern key; it goes "
				     "in the { } after the action", k.text);
			else if (where == IN_PROPS && key_find(k.text, IN_PATTERN) != NULL)
				perr(p, k.line, "\"%s\": a pattern key, not a property; it goes "
				     "in the { } before the action", k.text);
			else if (where == IN_PATTERN)
				perr(p, k.line, "\"%s\": unknown pattern key; expected %s",
				     k.text, pattern_keys);
			else
				perr(p, k.line, "\"%s\": unknown property; expected auth_algs, "
				     "encr_algs, encr_auth_algs or sa", k.text);
			return -1;
		}
		/* dir is one per rule, wherever it is written. */
		if (def->id == K_DIR && d->dir != 0) {
			perr(p, k.line, "\"%s\": duplicate key (first on line %u)", k.text,
			     d->dir_line);
			return -1;
		}
		if (seen[def->id] != 0) {
			perr(p, k.line, "\"%s\": duplicate key (first on line %u)", k.text,
			     seen[def->id]);
			return -1;
		}
		if (where == IN_PROPS && def->id != K_DIR && !action_takes_algs(a->action)) {
			perr(p, k.line, "\"%s\": action %s takes no properties (only dir)",
			     k.text, action_word(a->action));
			return -1;
		}
		seen[def->id] = k.line;
		lex_next(&p->lx, &v);
		if (v.kind != TOK_WORD) {
			perr(p, v.line, "\"%s\": expected a value, got %s", k.text,
			     v.kind == TOK_END      ? "end of file"
			     : v.kind == TOK_LBRACE ? "\"{\""
						    : "\"}\"");
			return -1;
		}
		if (v.too_long) {
			perr(p, v.line, "\"%.40s...\": value of %s longer than %u characters",
			     v.text, k.text, TOKEN_MAX - 1);
			return -1;
		}
		if (def->fn(p, d, a, k.text, &v) != 0)
			return -1;
	}
}

static enum action action_from_word(const char *w)
{
	static const struct {
		const char *word;
		enum action act;
	} words[] = {
		{ "ipsec", ACT_IPSEC }, { "apply", ACT_APPLY }, { "permit", ACT_PERMIT },
		{ "bypass", ACT_BYPASS }, { "pass", ACT_BYPASS }, { "drop", ACT_DROP },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(words[i].word, w) == 0)
			return words[i].act;
	return ACT_NONE;
}

/* "action { properties }": the action word is the lookahead. */
static int parse_alternative(struct parser *p, struct draft *d)
{
	struct token t;
	struct alt *a;

	lex_next(&p->lx, &t);
	if (t.kind != TOK_WORD || action_from_word(t.text) == ACT_NONE) {
		perr(p, t.line, "\"%s\": expected an action: ipsec, apply, permit, bypass, "
		     "pass or drop", t.kind == TOK_END ? "end of file" : t.text);
		return -1;
	}
	if (d->nalt == ALT_MAX) {
		perr(p, t.line, "\"%s\": more than %u alternatives", t.text, ALT_MAX);
		return -1;
	}
	a = &d->alt[d->nalt++];
	a->action = action_from_word(t.text);
	a->line = t.line;
	a->sa = -1;
	if (d->nalt > 1 && a->action != d->alt[0].action) {
		perr(p, t.line, "\"%s\": every alternative of a rule has the same action "
		     "(the first is %s)", t.text, action_word(d->alt[0].action));
		return -1;
	}
	if (d->nalt > 1 && !action_takes_algs(a->action)) {
		perr(p, t.line, "\"or\": only ipsec, apply and permit rules have alternatives");
		return -1;
	}
	lex_next(&p->lx, &t);
	if (t.kind != TOK_LBRACE) {
		perr(p, t.line, "\"%s\": expected \"{\" after the action",
		     t.kind == TOK_END ? "end of file" : t.text);
		return -1;
	}
	if (parse_block(p, d, a, IN_PROPS) != 0)
		return -1;
	if (action_takes_algs(a->action) && !a->any_alg) {
		perr(p, t.line, "%s: expected auth_algs, encr_algs or encr_auth_algs in its "
		     "properties", action_word(a->action));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Whole-rule checks and the wire form.                                      */

static void fill_selector(struct sadb_x_dpsec_selector *s, uint16_t exttype)
{
	memset(s, 0, sizeof(*s));
	s->sadb_x_sel_len = sizeof(*s) / 8;
	s->sadb_x_sel_exttype = exttype;
	s->sadb_x_sel_sport_max = 65535;
	s->sadb_x_sel_dport_max = 65535;
	s->sadb_x_sel_icmp_type_max = 255;
	s->sadb_x_sel_icmp_code_max = 255;
}

static void addr_to_sockaddr(const struct addr_val *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->bytes, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a->bytes, 16);
	}
}

static bool port_proto(int ulp)
{
	return ulp == 6 || ulp == 17 || ulp == 33 || ulp == 132 || ulp == 136;
}

/* Pattern checks and the selector the pattern describes. */
static int finish_pattern(struct parser *p, struct draft *d, uint8_t dir,
			  struct sadb_x_dpsec_selector *s)
{
	const struct addr_val *local = &d->laddr, *remote = &d->raddr;
	const struct range_val *lport = &d->lport, *rport = &d->rport;
	const bool old = d->seen[K_SADDR] || d->seen[K_DADDR] || d->seen[K_SPORT] ||
			 d->seen[K_DPORT];
	const bool new = d->seen[K_LADDR] || d->seen[K_RADDR] || d->seen[K_LPORT] ||
			 d->seen[K_RPORT];

	if (old && new) {
		perr(p, d->line, "saddr/daddr/sport/dport and laddr/raddr/lport/rport in one "
		     "rule: expected one style");
		return -1;
	}
	if (old) {
		/* Source is local on outbound packets, remote on inbound ones. */
		const bool in = dir == SADB_X_DPSEC_DIR_IN;

		local = in ? &d->daddr : &d->saddr;
		remote = in ? &d->saddr : &d->daddr;
		lport = in ? &d->dport : &d->sport;
		rport = in ? &d->sport : &d->dport;
	}
	if (local->family && remote->family && local->family != remote->family) {
		perr(p, d->line, "local and remote addresses of different families (IPv4 "
		     "and IPv6)");
		return -1;
	}
	if ((lport->set || rport->set) && d->ulp >= 0 && !port_proto(d->ulp)) {
		perr(p, d->line, "ports with ulp %d: expected ulp tcp, udp, sctp, dccp or "
		     "udplite", d->ulp);
		return -1;
	}
	if ((d->type.set || d->code.set) && d->ulp != 1 && d->ulp != 58) {
		perr(p, d->seen[d->type.set ? K_TYPE : K_CODE],
		     "\"%s\": expected ulp icmp or ipv6-icmp in the pattern",
		     d->type.set ? "type" : "code");
		return -1;
	}
	if (d->code.set && !d->type.set) {
		perr(p, d->seen[K_CODE], "\"code\": expected a type as well");
		return -1;
	}
	s->sadb_x_sel_family = local->family ? local->family : remote->family;
	if (s->sadb_x_sel_family != 0) {
		/* An address not given matches any: prefix 0. */
		memcpy(s->sadb_x_sel_src, local->bytes, 16);
		memcpy(s->sadb_x_sel_dst, remote->bytes, 16);
		s->sadb_x_sel_src_prefixlen = local->family ? local->prefix : 0;
		s->sadb_x_sel_dst_prefixlen = remote->family ? remote->prefix : 0;
	}
	s->sadb_x_sel_proto = d->ulp > 0 ? (uint8_t)d->ulp : 0;
	if (lport->set) {
		s->sadb_x_sel_sport_min = (uint16_t)lport->lo;
		s->sadb_x_sel_sport_max = (uint16_t)lport->hi;
	}
	if (rport->set) {
		s->sadb_x_sel_dport_min = (uint16_t)rport->lo;
		s->sadb_x_sel_dport_max = (uint16_t)rport->hi;
	}
	if (d->type.set) {
		s->sadb_x_sel_icmp_type_min = (uint8_t)d->type.lo;
		s->sadb_x_sel_icmp_type_max = (uint8_t)d->type.hi;
	}
	if (d->code.set) {
		s->sadb_x_sel_icmp_code_min = (uint8_t)d->code.lo;
		s->sadb_x_sel_icmp_code_max = (uint8_t)d->code.hi;
	}
	return 0;
}

/* The direction a rule applies to, from its action and dir. */
static int finish_dir(struct parser *p, const struct draft *d, uint8_t *dir)
{
	const enum action act = d->alt[0].action;

	*dir = d->dir ? d->dir : SADB_X_DPSEC_DIR_BOTH;
	if (act == ACT_APPLY || act == ACT_PERMIT) {
		const uint8_t want = act == ACT_APPLY ? SADB_X_DPSEC_DIR_OUT : SADB_X_DPSEC_DIR_IN;

		if (d->dir != 0 && d->dir != want) {
			perr(p, d->dir_line, "\"dir\": action %s is %s only", action_word(act),
			     want == SADB_X_DPSEC_DIR_OUT ? "outbound (dir out)"
							  : "inbound (dir in)");
			return -1;
		}
		*dir = want;
	}
	return 0;
}

static int finish_reqs(struct parser *p, const struct draft *d, struct cli_pol_rule *r)
{
	unsigned n = 0;
	int sa = -1;
	bool ah0 = false, esp0 = false;

	for (unsigned i = 0; i < d->nalt; i++) {
		const struct alt *a = &d->alt[i];
		const bool ah = a->props.n_ah > 0, esp = a->props.n_enc + a->props.n_eauth > 0;
		bool all_aead = a->props.n_enc > 0;
		int got;

		if (a->sa >= 0 && sa >= 0 && a->sa != sa) {
			perr(p, a->sa_line, "\"sa\": alternatives disagree (shared and unique)");
			return -1;
		}
		if (a->sa >= 0)
			sa = a->sa;
		if (i == 0) {
			ah0 = ah;
			esp0 = esp;
		} else if (ah != ah0 || esp != esp0) {
			perr(p, a->line, "\"or\": every alternative must use the same protocols "
			     "(AH, ESP or both) as the first");
			return -1;
		} else if (ah && esp) {
			perr(p, a->line, "\"or\": an AH and ESP bundle takes no alternatives; "
			     "list the algorithms (auth_algs a,b encr_algs c,d)");
			return -1;
		}
		for (unsigned j = 0; j < a->props.n_enc; j++) {
			if (!cli_pol_encr_is_aead(a->props.enc[j].id))
				all_aead = false;
			if (a->props.enc[j].id == SADB_EALG_NULL && a->props.n_eauth == 0) {
				perr(p, a->line, "encr_algs null: expected encr_auth_algs as well "
				     "(ESP without encryption must authenticate)");
				return -1;
			}
		}
		for (unsigned j = 0; j < a->props.n_eauth; j++) {
			if (a->props.eauth[j].id == 0 &&
			    (a->props.n_enc == 0 || a->props.enc[0].id == SADB_EALG_NULL)) {
				perr(p, a->line, "encr_auth_algs none: expected a cipher other "
				     "than null in encr_algs");
				return -1;
			}
		}
		if (all_aead && a->props.n_eauth > 0) {
			perr(p, a->line, "encr_auth_algs: combined-mode ciphers (%s) take no "
			     "separate authentication",
			     pfk_alg_by_id(PFK_ALG_ENCRYPT, a->props.enc[0].id)->name);
			return -1;
		}
		got = cli_pol_expand(&a->props, r->req + n, CLI_POL_SAREQ_MAX - n);
		if (got < 0) {
			perr(p, a->line, "more than %u SA requirements (algorithm combinations) "
			     "in one rule", CLI_POL_SAREQ_MAX);
			return -1;
		}
		n += (unsigned)got;
	}
	r->nreq = n;
	if (sa == 1)
		r->policy.sadb_x_pol_flags |= SADB_X_DPSEC_POLF_UNIQUE;
	return 0;
}

static int draft_finish(struct parser *p, struct draft *d, struct cli_pol_rule *r)
{
	const enum action act = d->alt[0].action;
	const bool ipsec = action_takes_algs(act);
	const bool endpoints = d->seen[K_TUN_SRC] || d->seen[K_TUN_DST];
	uint8_t dir;

	memset(r, 0, sizeof(*r));
	r->line = d->line;
	r->policy.sadb_x_pol_len = sizeof(r->policy) / 8;
	r->policy.sadb_x_pol_exttype = SADB_X_EXT_DPSEC_POLICY;
	if (finish_dir(p, d, &dir) != 0)
		return -1;
	r->policy.sadb_x_pol_dir = dir;
	r->policy.sadb_x_pol_action = act == ACT_BYPASS ? SADB_X_DPSEC_ACTION_BYPASS
				      : act == ACT_DROP ? SADB_X_DPSEC_ACTION_DISCARD
							: SADB_X_DPSEC_ACTION_IPSEC;
	r->policy.sadb_x_pol_priority = d->prio;

	if ((d->seen[K_TUNNEL] || d->seen[K_NEGOTIATE]) && !endpoints) {
		perr(p, d->seen[K_TUNNEL] ? d->seen[K_TUNNEL] : d->seen[K_NEGOTIATE],
		     "\"%s\": expected tunnel_src and tunnel_dst (dpsec has no tunnel "
		     "interfaces; the endpoints name the tunnel)",
		     d->seen[K_TUNNEL] ? "tunnel" : "negotiate");
		return -1;
	}
	if (endpoints && (!d->seen[K_TUN_SRC] || !d->seen[K_TUN_DST])) {
		perr(p, d->seen[K_TUN_SRC] ? d->seen[K_TUN_SRC] : d->seen[K_TUN_DST],
		     "\"%s\": expected both tunnel_src and tunnel_dst",
		     d->seen[K_TUN_SRC] ? "tunnel_src" : "tunnel_dst");
		return -1;
	}
	if (endpoints && d->tun_src.family != d->tun_dst.family) {
		perr(p, d->seen[K_TUN_DST], "\"tunnel_dst\": not the family of tunnel_src");
		return -1;
	}
	if (endpoints && !ipsec) {
		perr(p, d->line, "tunnel rules need action ipsec, apply or permit (not %s)",
		     action_word(act));
		return -1;
	}

	fill_selector(&r->selector, SADB_X_EXT_DPSEC_SELECTOR);
	if (endpoints && d->negotiate == SADB_X_DPSEC_MODE_TRANSPORT) {
		/* Solaris 9 style: transport-mode SAs on the IP-in-IP packets of
		 * the tunnel; the pattern may name nothing inside it. */
		if (d->seen[K_LADDR] || d->seen[K_RADDR] || d->seen[K_SADDR] ||
		    d->seen[K_DADDR] || d->seen[K_LPORT] || d->seen[K_RPORT] ||
		    d->seen[K_SPORT] || d->seen[K_DPORT] || d->seen[K_ULP] ||
		    d->seen[K_TYPE] || d->seen[K_CODE]) {
			perr(p, d->seen[K_NEGOTIATE], "\"negotiate transport\": the pattern "
			     "may name only the tunnel (no addresses, ports or ulp)");
			return -1;
		}
		d->laddr = d->tun_src;
		d->raddr = d->tun_dst;
		if (finish_pattern(p, d, dir, &r->selector) != 0)
			return -1;
		r->policy.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TRANSPORT;
	} else if (endpoints) {
		struct sadb_x_dpsec_selector *o = &r->selector;

		fill_selector(&r->inner, SADB_X_EXT_DPSEC_INNER_SELECTOR);
		if (finish_pattern(p, d, dir, &r->inner) != 0)
			return -1;
		r->has_inner = true;
		r->has_tunnel = true;
		o->sadb_x_sel_family = d->tun_src.family;
		o->sadb_x_sel_src_prefixlen = d->tun_src.prefix;
		o->sadb_x_sel_dst_prefixlen = d->tun_dst.prefix;
		memcpy(o->sadb_x_sel_src, d->tun_src.bytes, 16);
		memcpy(o->sadb_x_sel_dst, d->tun_dst.bytes, 16);
		addr_to_sockaddr(&d->tun_src, &r->tun_local);
		addr_to_sockaddr(&d->tun_dst, &r->tun_remote);
		r->policy.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TUNNEL;
	} else {
		if (finish_pattern(p, d, dir, &r->selector) != 0)
			return -1;
		if (ipsec)
			r->policy.sadb_x_pol_mode = SADB_X_DPSEC_MODE_TRANSPORT;
	}
	if (ipsec && finish_reqs(p, d, r) != 0)
		return -1;
	return 0;
}

/* The codec's own check of the request: a rule the gateway would refuse
 * for its shape is refused here, with the codec's diagnostic. */
static int codec_check(struct parser *p, const struct cli_pol_rule *r)
{
	_Alignas(8) uint8_t buf[CLI_POL_MSG_MAX];
	struct pfk_msg m;
	uint16_t diag = 0;
	const int len = cli_pol_build_add(r, buf, sizeof(buf), 0, 0);

	if (len < 0) {
		perr(p, r->line, "rule cannot be encoded (%s)", strerror(-len));
		return -1;
	}
	if (pfk_validate(buf, (size_t)len, PFK_DIR_REQUEST, &m, &diag) != 0) {
		const char *s = pfk_diag_string(diag);

		perr(p, r->line, "rule refused by the PF_KEY codec: %s (diagnostic %u)",
		     s != NULL ? s : "unknown", diag);
		return -1;
	}
	return 0;
}

static int keep_rule(struct parser *p, const struct cli_pol_rule *r)
{
	if (p->out->nrules == p->rules_cap) {
		const size_t cap = p->rules_cap ? p->rules_cap * 2 : 16;
		struct cli_pol_rule *nr = realloc(p->out->rules, cap * sizeof(*nr));

		if (nr == NULL)
			return -ENOMEM;
		p->out->rules = nr;
		p->rules_cap = cap;
	}
	p->out->rules[p->out->nrules++] = *r;
	return 0;
}

/* After an error: skip to the next '{' that begins a rule: one at top level
 * after a '}', or after a word on an earlier line.  A '{' after an action
 * word, or after a word on its own line (a misspelt action), opens
 * properties. */
static void resync(struct parser *p)
{
	for (;;) {
		const struct token *t = &p->lx.look;

		if (t->kind == TOK_END)
			return;
		if (t->kind == TOK_LBRACE && p->lx.depth == 0 &&
		    (p->lx.prev == TOK_RBRACE ||
		     (!p->lx.prev_action && p->lx.prev_line != t->line)))
			return;
		lex_next(&p->lx, NULL);
	}
}

/* One rule, starting at the lookahead.  Returns 0 (kept or reported) or
 * -ENOMEM. */
static int parse_rule(struct parser *p, unsigned *nbypass, unsigned *nother)
{
	struct draft *d = calloc(1, sizeof(*d));
	struct cli_pol_rule *r = calloc(1, sizeof(*r));
	struct token t;
	int rc = 0;

	if (d == NULL || r == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	p->failed = false;
	d->ulp = -1;
	lex_next(&p->lx, &t);
	d->line = t.line;
	if (t.kind != TOK_LBRACE) {
		perr(p, t.line, "\"%s\": expected \"{\" to start a rule", t.text);
		goto bad;
	}
	if (parse_block(p, d, NULL, IN_PATTERN) != 0)
		goto bad;
	for (;;) {
		if (parse_alternative(p, d) != 0)
			goto bad;
		if (p->lx.look.kind != TOK_WORD || strcasecmp(p->lx.look.text, "or") != 0)
			break;
		/* illumos: "or" continues the line of the '}' before it. */
		if (p->lx.look.line != p->lx.prev_line) {
			perr(p, p->lx.look.line, "\"or\": expected on the line of the \"}\" "
			     "before it (line %u)", p->lx.prev_line);
			goto bad;
		}
		lex_next(&p->lx, NULL);
	}
	if (p->lx.look.kind == TOK_WORD) {
		perr(p, p->lx.look.line, "\"%s\": expected \"or\" or the next rule's \"{\"",
		     p->lx.look.text);
		goto bad;
	}
	if (draft_finish(p, d, r) != 0)
		goto bad;
	if (!d->prio_set) {
		r->policy.sadb_x_pol_priority =
			r->policy.sadb_x_pol_action == SADB_X_DPSEC_ACTION_BYPASS
				? CLI_POL_PRIO_BYPASS + (*nbypass)++
				: CLI_POL_PRIO_RULE + (*nother)++;
	}
	if (codec_check(p, r) != 0)
		goto bad;
	rc = keep_rule(p, r);
	goto out;
bad:
	resync(p);
out:
	free(d);
	free(r);
	return rc;
}

int cli_pol_parse(const char *text, size_t len, const char *fname, unsigned flags,
		  struct cli_pol_file *out)
{
	struct parser p;
	unsigned nbypass = 0, nother = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.fname = fname != NULL ? fname : "-";
	p.flags = flags;
	p.out = out;
	lex_init(&p.lx, text, len);
	while (p.lx.look.kind != TOK_END && rc == 0 && !p.nomem)
		rc = parse_rule(&p, &nbypass, &nother);
	if (rc == 0 && p.nomem)
		rc = -ENOMEM;
	return rc;
}

void cli_pol_file_free(struct cli_pol_file *f)
{
	if (f == NULL)
		return;
	free(f->rules);
	free(f->errs);
	memset(f, 0, sizeof(*f));
}

/* ------------------------------------------------------------------------ */
/* The request.                                                              */

int cli_pol_build_add(const struct cli_pol_rule *r, void *buf, size_t cap, uint32_t seq,
		      uint32_t pid)
{
	struct pfk_builder b;

	pfk_build_init(&b, buf, cap, SADB_X_DPSEC_SPDADD, SADB_SATYPE_UNSPEC, seq, pid);
	pfk_add_policy(&b, &r->policy);
	pfk_add_selector(&b, SADB_X_EXT_DPSEC_SELECTOR, &r->selector);
	if (r->has_inner)
		pfk_add_selector(&b, SADB_X_EXT_DPSEC_INNER_SELECTOR, &r->inner);
	for (unsigned i = 0; i < r->nreq && i < CLI_POL_SAREQ_MAX; i++)
		pfk_add_sareq(&b, &r->req[i]);
	if (r->has_tunnel) {
		pfk_add_address(&b, SADB_EXT_ADDRESS_SRC, (const struct sockaddr *)&r->tun_local,
				0, r->tun_local.ss_family == AF_INET ? 32 : 128);
		pfk_add_address(&b, SADB_EXT_ADDRESS_DST, (const struct sockaddr *)&r->tun_remote,
				0, r->tun_remote.ss_family == AF_INET ? 32 : 128);
	}
	return pfk_build_finish(&b);
}
