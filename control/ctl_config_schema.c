/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_config_schema.c: every key of dpsecd.yaml in one set of tables, and
 * the walker that checks a libyaml document against them and fills struct
 * ctl_config.  A key not in its table is an error; so is a key given twice,
 * a required key left out, a value of the wrong kind or out of range.  The
 * walker goes on after an error so that one run reports every problem.
 *
 * docs/CONFIG.md is the prose for these tables: change both together.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl_config_priv.h"

/* Kinds of value. */
enum cfg_type {
	FT_BOOL,
	FT_UINT,
	FT_ENUM,
	FT_NAME,
	FT_IFNAME,
	FT_DEVICE,
	FT_CRYPTODEV,
	FT_ARG,
	FT_PATH,
	FT_SOCKPATH,
	FT_MODE,
	FT_GROUP,
	FT_ADDR,
	FT_IFADDR,
	FT_PREFIX,
	FT_MAC,
	FT_LCORES,
	FT_MAP,
};

#define CF_REQUIRED 0x1u
#define CF_LIST 0x2u   /* a sequence of the type; offset holds T * (calloc'd) */
#define CF_INLINE 0x4u /* CF_LIST stored in the array at offset instead */
#define CF_ONE 0x8u    /* CF_LIST: a lone scalar is a list of one */

struct cfg_walk;

struct cfg_field {
	const char *key;
	uint8_t type;       /* enum cfg_type (of each element for a list) */
	uint8_t flags;
	uint16_t max_items; /* CF_LIST */
	size_t offset;      /* in the object the table describes */
	size_t size;        /* value bytes; element bytes for a list */
	size_t len;         /* string types: capacity, NUL included */
	size_t count_offset;/* CF_LIST: unsigned int count */
	uint64_t min, max;  /* FT_UINT */
	const struct cfg_schema *sub;   /* FT_MAP */
	const char *const *words;       /* FT_ENUM: value = index + 1 */
};

/* `seen` has bit i set when fields[i] was given. */
typedef void cfg_check_fn(struct cfg_walk *w, void *obj, const yaml_node_t *map,
			  uint64_t seen);

struct cfg_schema {
	const struct cfg_field *fields;
	unsigned int n_fields;
	void (*init)(void *obj);  /* defaults of a list element */
	cfg_check_fn *check;      /* rules between keys of one mapping */
};

struct cfg_walk {
	struct ctl_config *cfg;
	yaml_document_t *doc;
	const char *file;
	const char *dir;
	struct ctl_config_errors *errs;
	char path[CTL_CFG_PATH_LEN];
	size_t path_len;
	int rc; /* 0, then -EINVAL after an error; -ENOMEM wins */
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define FSIZE(T, f) sizeof(((T *)0)->f)

#define F_BASE(T, k, t, fl, f) .key = (k), .type = (t), .flags = (fl), \
	.offset = offsetof(T, f), .size = FSIZE(T, f), .len = FSIZE(T, f)
#define F_BOOL(T, k, f) { F_BASE(T, k, FT_BOOL, 0, f) }
#define F_UINT(T, k, f, lo, hi, fl) { F_BASE(T, k, FT_UINT, fl, f), .min = (lo), .max = (hi) }
#define F_ENUM(T, k, f, w, fl) { F_BASE(T, k, FT_ENUM, fl, f), .words = (w) }
#define F_STR(T, k, t, f, fl) { F_BASE(T, k, t, fl, f) }
#define F_MAP(T, k, f, s) { F_BASE(T, k, FT_MAP, 0, f), .sub = &(s) }
/* A list of E stored at T.f (pointer) with count T.n; strings at E's start. */
#define F_LIST(T, k, t, f, n, E, maxn, fl) { .key = (k), .type = (t), \
	.flags = CF_LIST | (fl), .max_items = (maxn), .offset = offsetof(T, f), \
	.size = sizeof(E), .len = sizeof(E), .count_offset = offsetof(T, n) }
#define F_LIST_MAP(T, k, f, n, E, maxn, s) { .key = (k), .type = FT_MAP, .flags = CF_LIST, \
	.max_items = (maxn), .offset = offsetof(T, f), .size = sizeof(E), \
	.count_offset = offsetof(T, n), .sub = &(s) }

/* ------------------------------------------------------------------------ */
/* Messages.                                                                 */

static struct ctl_config_mark node_mark(const yaml_node_t *n)
{
	return (struct ctl_config_mark){ (uint32_t)n->start_mark.line + 1,
					 (uint32_t)n->start_mark.column + 1 };
}

static void werr(struct cfg_walk *w, struct ctl_config_mark m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void werr(struct cfg_walk *w, struct ctl_config_mark m, const char *fmt, ...)
{
	char msg[CTL_CONFIG_ERROR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctl_cfg_error(w->errs, w->file, m, w->path, "%s", msg);
	if (w->rc == 0)
		w->rc = -EINVAL;
}

/* Append to the field path; returns the length to restore. */
static size_t path_push(struct cfg_walk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static size_t path_push(struct cfg_walk *w, const char *fmt, ...)
{
	size_t old = w->path_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(w->path + old, sizeof(w->path) - old, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->path_len = old + (size_t)n < sizeof(w->path) ? old + (size_t)n
								 : sizeof(w->path) - 1;
	return old;
}

static void path_pop(struct cfg_walk *w, size_t old)
{
	w->path_len = old;
	w->path[old] = '\0';
}

/* Push ".key" (or "key" at the top). */
static size_t path_key(struct cfg_walk *w, const char *key)
{
	return path_push(w, w->path_len ? ".%s" : "%s", key);
}

static const char *scalar_text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* "got ..." for a node: the quoted scalar, or what the node is. */
static const char *got(const yaml_node_t *n, char *buf, size_t len)
{
	char q[CTL_CFG_QUOTE_MAX + 8];

	switch (n->type) {
	case YAML_SCALAR_NODE:
		snprintf(buf, len, "'%s'", ctl_cfg_quote(q, sizeof(q), scalar_text(n)));
		break;
	case YAML_SEQUENCE_NODE:
		snprintf(buf, len, "a list");
		break;
	case YAML_MAPPING_NODE:
		snprintf(buf, len, "a mapping");
		break;
	default:
		snprintf(buf, len, "nothing");
		break;
	}
	return buf;
}

static const char *const type_words[] = {
	[FT_BOOL] = "true or false",
	[FT_NAME] = "a name of letters, digits, '.', '_' or '-'",
	[FT_IFNAME] = "an interface name of 1 to 15 characters",
	[FT_DEVICE] = "a DPDK device (a PCI address or a driver name, then ,key=value arguments)",
	[FT_CRYPTODEV] = "a cryptodev: a crypto_* virtual device with ,key=value arguments, "
			 "or the name of a probed device",
	[FT_ARG] = "a non-empty argument of at most 255 printable characters",
	[FT_PATH] = "a file path",
	[FT_SOCKPATH] = "a socket path of at most 107 bytes",
	[FT_MODE] = "an octal mode from 0 to 0777",
	[FT_GROUP] = "a group name or number",
	[FT_ADDR] = "an IPv4 or IPv6 unicast address",
	[FT_IFADDR] = "an IPv4 or IPv6 unicast address with a prefix length, like 192.0.2.1/24",
	[FT_PREFIX] = "an IPv4 or IPv6 prefix, like 192.0.2.0/24",
	[FT_MAC] = "a unicast MAC address, like 02:00:00:00:00:01",
	[FT_LCORES] = "lcore ids from 0 to 127, as a list or a core list like '0-3,5'",
	[FT_MAP] = "a mapping",
};

/* What a field expects, in words. */
static const char *expected(const struct cfg_field *f, char *buf, size_t len)
{
	size_t n = 0;

	switch (f->type) {
	case FT_UINT:
		snprintf(buf, len, "an integer from %llu to %llu", (unsigned long long)f->min,
			 (unsigned long long)f->max);
		break;
	case FT_ENUM:
		n = (size_t)snprintf(buf, len, "one of ");
		for (size_t i = 0; f->words[i] != NULL && n < len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "",
					      f->words[i]);
		break;
	case FT_NAME:
		snprintf(buf, len, "a name of 1 to %zu letters, digits, '.', '_' or '-'",
			 f->len - 1);
		break;
	default:
		snprintf(buf, len, "%s", type_words[f->type]);
		break;
	}
	return buf;
}

static void werr_expected(struct cfg_walk *w, const struct cfg_field *f, const yaml_node_t *n)
{
	char e[256], g[CTL_CFG_QUOTE_MAX + 16];

	werr(w, node_mark(n), "expected %s, got %s", expected(f, e, sizeof(e)),
	     got(n, g, sizeof(g)));
}

/* ------------------------------------------------------------------------ */
/* Storing values.                                                           */

static void put_uint(void *p, size_t size, uint64_t v)
{
	switch (size) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	default: memcpy(p, &v, 8); break;
	}
}

static void mark_value(struct cfg_walk *w, const void *field, const yaml_node_t *n)
{
	if (ctl_cfg_mark_set(w->cfg, field, node_mark(n)) != 0)
		w->rc = -ENOMEM;
}

/* Relative paths are taken from the config file's directory. */
static int resolve_path(struct cfg_walk *w, const char *s, char *out, size_t len)
{
	int n;

	if (s[0] == '/')
		n = snprintf(out, len, "%s", s);
	else
		n = snprintf(out, len, "%s/%s", w->dir, s);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static void walk_lcores(struct cfg_walk *w, const struct cfg_field *f, const yaml_node_t *n,
			void *p)
{
	struct ctl_config_lcores set = { { 0 } };
	char e[256];

	if (n->type == YAML_SCALAR_NODE) {
		if (ctl_cfg_parse_corelist(scalar_text(n), &set) != 0) {
			werr_expected(w, f, n);
			return;
		}
	} else if (n->type == YAML_SEQUENCE_NODE) {
		int i = 0;
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++, i++) {
			const yaml_node_t *item = yaml_document_get_node(w->doc, *it);
			char g[CTL_CFG_QUOTE_MAX + 16];
			uint64_t id;
			size_t old = path_push(w, "[%d]", i);

			if (item->type != YAML_SCALAR_NODE ||
			    ctl_cfg_parse_u64(scalar_text(item), &id) != 0 ||
			    id >= CTL_CONFIG_LCORES) {
				werr(w, node_mark(item),
				     "expected an lcore id from 0 to %u, got %s",
				     CTL_CONFIG_LCORES - 1, got(item, g, sizeof(g)));
			} else if (ctl_config_lcore_isset(&set, (unsigned int)id)) {
				werr(w, node_mark(item), "expected each lcore once, got '%s' again",
				     scalar_text(item));
			} else {
				set.bits[id / 64] |= UINT64_C(1) << (id % 64);
			}
			path_pop(w, old);
		}
		if (i == 0) {
			werr(w, node_mark(n), "expected %s, got an empty list",
			     expected(f, e, sizeof(e)));
			return;
		}
	} else {
		werr_expected(w, f, n);
		return;
	}
	memcpy(p, &set, sizeof(set));
	mark_value(w, p, n);
}

static void walk_map(struct cfg_walk *w, const struct cfg_schema *s, const yaml_node_t *n,
		     void *obj);

/* One value of type f->type at p. */
static void walk_value(struct cfg_walk *w, const struct cfg_field *f, const yaml_node_t *n,
		       void *p)
{
	const char *s;
	uint64_t u;
	uint32_t mode;
	struct ctl_config_ip ip;
	uint8_t mac[6];
	char buf[64], g[CTL_CFG_QUOTE_MAX + 16];
	int rc;

	if (f->type == FT_MAP) {
		walk_map(w, f->sub, n, p);
		return;
	}
	if (f->type == FT_LCORES) {
		walk_lcores(w, f, n, p);
		return;
	}
	if (n->type != YAML_SCALAR_NODE) {
		werr_expected(w, f, n);
		return;
	}
	s = scalar_text(n);
	if (strlen(s) != n->data.scalar.length) {
		werr(w, node_mark(n), "expected text, got a NUL character");
		return;
	}
	switch (f->type) {
	case FT_BOOL:
		if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0) {
			werr_expected(w, f, n);
			return;
		}
		*(bool *)p = s[0] == 't';
		break;
	case FT_UINT:
		if (ctl_cfg_parse_u64(s, &u) != 0 || u < f->min || u > f->max) {
			werr_expected(w, f, n);
			return;
		}
		put_uint(p, f->size, u);
		break;
	case FT_ENUM:
		for (u = 0; f->words[u] != NULL; u++)
			if (strcmp(s, f->words[u]) == 0)
				break;
		if (f->words[u] == NULL) {
			werr_expected(w, f, n);
			return;
		}
		put_uint(p, f->size, u + 1);
		break;
	case FT_NAME:
	case FT_IFNAME:
	case FT_DEVICE:
	case FT_CRYPTODEV:
	case FT_ARG:
	case FT_GROUP: {
		bool ok;
		if (f->type == FT_NAME)
			ok = ctl_cfg_valid_name(s, f->len);
		else if (f->type == FT_IFNAME)
			ok = ctl_cfg_valid_ifname(s);
		else if (f->type == FT_DEVICE)
			ok = ctl_cfg_valid_device(s);
		else if (f->type == FT_CRYPTODEV)
			ok = ctl_cfg_valid_cryptodev(s);
		else if (f->type == FT_GROUP)
			ok = ctl_cfg_valid_name(s, f->len);
		else
			ok = s[0] != '\0' && strlen(s) < f->len;
		if (!ok || strlen(s) >= f->len) {
			werr_expected(w, f, n);
			return;
		}
		memcpy(p, s, strlen(s) + 1);
		break;
	}
	case FT_PATH:
	case FT_SOCKPATH:
		if (s[0] == '\0') {
			werr_expected(w, f, n);
			return;
		}
		if (resolve_path(w, s, p, f->len) != 0) {
			werr(w, node_mark(n), "expected %s once relative to '%s', got %s",
			     f->type == FT_SOCKPATH ? "a socket path of at most 107 bytes"
						    : "a path of at most 4095 bytes",
			     w->dir, got(n, g, sizeof(g)));
			return;
		}
		break;
	case FT_MODE:
		if (ctl_cfg_parse_mode(s, &mode) != 0) {
			werr_expected(w, f, n);
			return;
		}
		put_uint(p, f->size, mode);
		break;
	case FT_ADDR:
	case FT_IFADDR:
		rc = f->type == FT_ADDR ? ctl_cfg_parse_addr(s, &ip) : ctl_cfg_parse_ifaddr(s, &ip);
		if (rc != 0) {
			werr_expected(w, f, n);
			return;
		}
		memcpy(p, &ip, sizeof(ip));
		break;
	case FT_PREFIX:
		rc = ctl_cfg_parse_prefix(s, &ip);
		if (rc == -EDOM) {
			werr(w, node_mark(n),
			     "expected a prefix with no host bits set (%s), got %s",
			     ctl_cfg_ip_text(&ip, true, buf, sizeof(buf)), got(n, g, sizeof(g)));
			return;
		}
		if (rc != 0) {
			werr_expected(w, f, n);
			return;
		}
		memcpy(p, &ip, sizeof(ip));
		break;
	case FT_MAC:
		rc = ctl_cfg_parse_mac(s, mac);
		if (rc == -EDOM) {
			werr(w, node_mark(n),
			     "expected a unicast MAC address (not multicast, not zero), got %s",
			     got(n, g, sizeof(g)));
			return;
		}
		if (rc != 0) {
			werr_expected(w, f, n);
			return;
		}
		memcpy(p, mac, 6);
		break;
	default:
		werr_expected(w, f, n);
		return;
	}
	mark_value(w, p, n);
}

static void walk_list(struct cfg_walk *w, const struct cfg_field *f, const yaml_node_t *n,
		      void *obj)
{
	const yaml_node_t *one = NULL;
	unsigned int count, i;
	char *base;
	char g[CTL_CFG_QUOTE_MAX + 16], e[256];

	if (n->type == YAML_SCALAR_NODE && (f->flags & CF_ONE)) {
		one = n;
		count = 1;
	} else if (n->type != YAML_SEQUENCE_NODE) {
		werr(w, node_mark(n), "expected a list of %s, got %s",
		     f->type == FT_MAP ? "mappings" : expected(f, e, sizeof(e)),
		     got(n, g, sizeof(g)));
		return;
	} else {
		count = (unsigned int)(n->data.sequence.items.top - n->data.sequence.items.start);
	}
	if (count > f->max_items) {
		werr(w, node_mark(n), "expected at most %u items, got '%u'", f->max_items, count);
		return;
	}
	if (f->flags & CF_INLINE) {
		base = (char *)obj + f->offset;
	} else if (count > 0) {
		base = calloc(count, f->size);
		if (base == NULL) {
			w->rc = -ENOMEM;
			return;
		}
		memcpy((char *)obj + f->offset, &base, sizeof(base));
	} else {
		base = NULL;
	}
	memcpy((char *)obj + f->count_offset, &count, sizeof(count));
	/* Inline arrays start with their first element: only its mark. */
	if (!(f->flags & CF_INLINE))
		mark_value(w, (char *)obj + f->offset, n);
	for (i = 0; i < count && w->rc != -ENOMEM; i++) {
		const yaml_node_t *item = one != NULL
			? one : yaml_document_get_node(w->doc, n->data.sequence.items.start[i]);
		void *elem = base + (size_t)i * f->size;
		size_t old = path_push(w, "[%u]", i);

		if (f->type == FT_MAP && f->sub->init != NULL)
			f->sub->init(elem);
		walk_value(w, f, item, elem);
		path_pop(w, old);
	}
}

static void walk_map(struct cfg_walk *w, const struct cfg_schema *s, const yaml_node_t *n,
		     void *obj)
{
	yaml_node_pair_t *pair;
	uint64_t seen = 0;
	char g[CTL_CFG_QUOTE_MAX + 16], e[256];

	if (n->type != YAML_MAPPING_NODE) {
		werr(w, node_mark(n), "expected a mapping, got %s", got(n, g, sizeof(g)));
		return;
	}
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		const yaml_node_t *k = yaml_document_get_node(w->doc, pair->key);
		const yaml_node_t *v = yaml_document_get_node(w->doc, pair->value);
		const char *key;
		unsigned int i;
		size_t old;

		if (w->rc == -ENOMEM)
			return;
		if (k->type != YAML_SCALAR_NODE) {
			old = path_key(w, "(key)");
			werr(w, node_mark(k), "expected a key, got %s", got(k, g, sizeof(g)));
			path_pop(w, old);
			continue;
		}
		key = scalar_text(k);
		for (i = 0; i < s->n_fields; i++)
			if (strcmp(key, s->fields[i].key) == 0)
				break;
		old = path_push(w, w->path_len ? ".%s" : "%s", ctl_cfg_quote(e, sizeof(e), key));
		if (i == s->n_fields) {
			size_t len = 0;
			for (unsigned int j = 0; j < s->n_fields && len < sizeof(e); j++)
				len += (size_t)snprintf(e + len, sizeof(e) - len, "%s%s",
							j ? ", " : "", s->fields[j].key);
			werr(w, node_mark(k), "unknown key, expected one of %s, got %s", e,
			     got(k, g, sizeof(g)));
		} else if (seen & (UINT64_C(1) << i)) {
			werr(w, node_mark(k), "expected each key once, got %s again",
			     got(k, g, sizeof(g)));
		} else {
			seen |= UINT64_C(1) << i;
			if (s->fields[i].flags & CF_LIST)
				walk_list(w, &s->fields[i], v, obj);
			else
				walk_value(w, &s->fields[i], v, (char *)obj + s->fields[i].offset);
		}
		path_pop(w, old);
	}
	for (unsigned int i = 0; i < s->n_fields; i++) {
		if (!(s->fields[i].flags & CF_REQUIRED) || (seen & (UINT64_C(1) << i)))
			continue;
		size_t old = path_key(w, s->fields[i].key);
		werr(w, node_mark(n), "expected %s, got nothing",
		     expected(&s->fields[i], e, sizeof(e)));
		path_pop(w, old);
	}
	if (s->check != NULL && w->rc != -ENOMEM)
		s->check(w, obj, n, seen);
}

/* ------------------------------------------------------------------------ */
/* The tables.                                                               */

static const char *const log_words[] = {
	"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug", NULL,
};
static const char *const idle_words[] = { "busy-poll", "adaptive", NULL };
static const char *const engine_words[] = { "ipsec-mb", "cryptodev", NULL };
static const char *const role_words[] = { "protected", "unprotected", NULL };

#define T struct ctl_config_eal
static const struct cfg_field eal_fields[] = {
	F_STR(T, "lcores", FT_LCORES, lcores, 0),
	F_UINT(T, "main_lcore", main_lcore, 0, CTL_CONFIG_LCORES - 1, 0),
	F_UINT(T, "memory_mb", memory_mb, 1, 1u << 20, 0),
	F_STR(T, "file_prefix", FT_NAME, file_prefix, 0),
	F_BOOL(T, "no_huge", no_huge),
	F_BOOL(T, "no_pci", no_pci),
	F_ENUM(T, "log_level", log_level, log_words, 0),
	F_LIST(T, "vdevs", FT_DEVICE, vdevs, n_vdevs, struct ctl_config_arg,
	       CTL_CONFIG_VDEVS_MAX, 0),
	F_LIST(T, "args", FT_ARG, args, n_args, struct ctl_config_arg, CTL_CONFIG_ARGS_MAX, 0),
	F_BOOL(T, "thp", thp),
};
#undef T

enum { W_COUNT, W_LCORES, W_IDLE, W_SLEEP_MIN, W_SLEEP_MAX };
#define T struct ctl_config_workers
static const struct cfg_field worker_fields[] = {
	[W_COUNT] = F_UINT(T, "count", count, 1, CTL_CONFIG_WORKERS_MAX, 0),
	[W_LCORES] = F_STR(T, "lcores", FT_LCORES, lcores, 0),
	[W_IDLE] = F_ENUM(T, "idle", idle, idle_words, 0),
	[W_SLEEP_MIN] = F_UINT(T, "sleep_min_us", sleep_min_us, 0, 1000000, 0),
	[W_SLEEP_MAX] = F_UINT(T, "sleep_max_us", sleep_max_us, 1, 1000000, 0),
};
#undef T

static void workers_check(struct cfg_walk *w, void *obj, const yaml_node_t *map, uint64_t seen)
{
	struct ctl_config_workers *wk = obj;
	size_t old;

	(void)map;
	if ((seen & (1u << W_COUNT)) && (seen & (1u << W_LCORES))) {
		old = path_key(w, "lcores");
		werr(w, ctl_cfg_mark_of(w->cfg, &wk->lcores),
		     "expected either count or lcores, got both");
		path_pop(w, old);
	} else if (seen & (1u << W_LCORES)) {
		unsigned int n = ctl_config_lcore_count(&wk->lcores);
		if (n > CTL_CONFIG_WORKERS_MAX) {
			old = path_key(w, "lcores");
			werr(w, ctl_cfg_mark_of(w->cfg, &wk->lcores),
			     "expected at most %u worker lcores, got '%u'",
			     CTL_CONFIG_WORKERS_MAX, n);
			path_pop(w, old);
		} else {
			wk->count = (uint16_t)n;
		}
	}
	if (wk->idle == CTL_IDLE_BUSY_POLL) {
		for (unsigned int i = W_SLEEP_MIN; i <= W_SLEEP_MAX; i++) {
			if (!(seen & (1u << i)))
				continue;
			const uint32_t *v =
				i == W_SLEEP_MIN ? &wk->sleep_min_us : &wk->sleep_max_us;
			old = path_key(w, worker_fields[i].key);
			werr(w, ctl_cfg_mark_of(w->cfg, v),
			     "expected no sleep bounds with idle: busy-poll, got '%u'", *v);
			path_pop(w, old);
		}
	}
}

#define T struct ctl_config_crypto
static const struct cfg_field crypto_fields[] = {
	F_ENUM(T, "engine", engine, engine_words, 0),
	F_LIST(T, "devices", FT_CRYPTODEV, devices, n_devices, struct ctl_config_crypto_device,
	       CTL_CONFIG_CRYPTO_MAX, 0),
	F_BOOL(T, "sa_override", sa_override),
};
#undef T

enum { S_PATH, S_MODE, S_GROUP };
#define T struct ctl_config_socket
static const struct cfg_field socket_fields[] = {
	[S_PATH] = F_STR(T, "path", FT_SOCKPATH, path, 0),
	[S_MODE] = F_STR(T, "mode", FT_MODE, mode, 0),
	[S_GROUP] = F_STR(T, "group", FT_GROUP, group, 0),
};
#undef T

static void socket_check(struct cfg_walk *w, void *obj, const yaml_node_t *map, uint64_t seen)
{
	struct ctl_config_socket *s = obj;

	(void)w;
	(void)map;
	/* A group is given so that its members can write: let them. */
	if ((seen & (1u << S_GROUP)) && !(seen & (1u << S_MODE)))
		s->mode = 0660;
}

enum { P_NAME, P_DEVICE, P_ROLE, P_ADDRESSES, P_MTU, P_RXQ, P_TXQ, P_MAC, P_EXCEPTION };
#define T struct ctl_config_port
static const struct cfg_field port_fields[] = {
	[P_NAME] = F_STR(T, "name", FT_NAME, name, CF_REQUIRED),
	[P_DEVICE] = F_STR(T, "device", FT_DEVICE, device, CF_REQUIRED),
	[P_ROLE] = F_ENUM(T, "role", role, role_words, CF_REQUIRED),
	[P_ADDRESSES] = { .key = "addresses", .type = FT_IFADDR,
	  .flags = CF_LIST | CF_INLINE | CF_ONE,
	  .max_items = CTL_CONFIG_ADDRESSES_MAX, .offset = offsetof(T, addresses),
	  .size = sizeof(struct ctl_config_ip), .len = sizeof(struct ctl_config_ip),
	  .count_offset = offsetof(T, n_addresses) },
	[P_MTU] = F_UINT(T, "mtu", mtu, 68, 9600, 0),
	[P_RXQ] = F_UINT(T, "rx_queues", rx_queues, 1, 64, 0),
	[P_TXQ] = F_UINT(T, "tx_queues", tx_queues, 1, 64, 0),
	[P_MAC] = F_STR(T, "mac", FT_MAC, mac, 0),
	[P_EXCEPTION] = F_STR(T, "exception", FT_IFNAME, exception, 0),
};
#undef T

static void port_init(void *obj)
{
	struct ctl_config_port *p = obj;

	p->mtu = 1500;
	p->rx_queues = 1;
	p->tx_queues = 0;
}

static void port_check(struct cfg_walk *w, void *obj, const yaml_node_t *map, uint64_t seen)
{
	struct ctl_config_port *p = obj;

	(void)w;
	(void)map;
	p->has_mac = (seen & (1u << P_MAC)) != 0;
}

enum { R_PREFIX, R_VIA, R_PORT };
#define T struct ctl_config_route
static const struct cfg_field route_fields[] = {
	[R_PREFIX] = F_STR(T, "prefix", FT_PREFIX, prefix, CF_REQUIRED),
	[R_VIA] = F_STR(T, "via", FT_ADDR, via, 0),
	[R_PORT] = F_STR(T, "port", FT_NAME, port_name, CF_REQUIRED),
};
#undef T

static void route_check(struct cfg_walk *w, void *obj, const yaml_node_t *map, uint64_t seen)
{
	(void)w;
	(void)map;
	((struct ctl_config_route *)obj)->has_via = (seen & (1u << R_VIA)) != 0;
}

#define T struct ctl_config_neighbour
static const struct cfg_field neighbour_fields[] = {
	F_STR(T, "address", FT_ADDR, address, CF_REQUIRED),
	F_STR(T, "mac", FT_MAC, mac, CF_REQUIRED),
	F_STR(T, "port", FT_NAME, port_name, CF_REQUIRED),
};
#undef T

#define T struct ctl_config_telemetry
static const struct cfg_field telemetry_fields[] = {
	F_BOOL(T, "enabled", enabled),
	F_UINT(T, "stats_interval_s", stats_interval_s, 0, 86400, 0),
};
#undef T

#define T struct ctl_config_peer
static const struct cfg_field peer_fields[] = {
	F_UINT(T, "id", id, 1, 65535, CF_REQUIRED),
	F_STR(T, "address", FT_ADDR, address, CF_REQUIRED),
	F_UINT(T, "port", port, 1, 65535, 0),
};
#undef T

static void peer_init(void *obj)
{
	((struct ctl_config_peer *)obj)->port = 7500;
}

static const struct cfg_schema peer_schema = {
	peer_fields, ARRAY_LEN(peer_fields), peer_init, NULL,
};

enum { C_NODE_ID, C_LISTEN, C_PORT, C_LEASE, C_PEERS };
#define T struct ctl_config_cluster
static const struct cfg_field cluster_fields[] = {
	[C_NODE_ID] = F_UINT(T, "node_id", node_id, 1, 65535, CF_REQUIRED),
	[C_LISTEN] = F_STR(T, "listen", FT_ADDR, listen, 0),
	[C_PORT] = F_UINT(T, "port", port, 1, 65535, 0),
	[C_LEASE] = F_UINT(T, "lease_size", lease_size, 1024, UINT64_C(1) << 32, 0),
	[C_PEERS] = F_LIST_MAP(T, "peers", peers, n_peers, struct ctl_config_peer,
			       CTL_CONFIG_PEERS_MAX, peer_schema),
};
#undef T

static void cluster_check(struct cfg_walk *w, void *obj, const yaml_node_t *map, uint64_t seen)
{
	struct ctl_config_cluster *c = obj;

	(void)w;
	(void)map;
	c->enabled = true;
	c->has_listen = (seen & (1u << C_LISTEN)) != 0;
}

#define T struct ctl_config_limits
static const struct cfg_field limit_fields[] = {
	F_UINT(T, "max_sas", max_sas, 1, CTL_CONFIG_SAS_MAX, 0),
	F_UINT(T, "max_policies", max_policies, 1, 1u << 20, 0),
	F_UINT(T, "max_clients", max_clients, 1, 4096, 0),
	F_UINT(T, "client_queue_msgs", client_queue_msgs, 1, 1u << 20, 0),
	F_UINT(T, "client_queue_bytes", client_queue_bytes, 65536, 1u << 30, 0),
	F_UINT(T, "mbufs", mbufs, 1024, CTL_CONFIG_MBUFS_MAX, 0),
};
#undef T

static const struct cfg_field lease_fields[] = {
	{ .key = "size", .type = FT_UINT, .offset = offsetof(struct ctl_config, sequence_lease),
	  .size = sizeof(uint64_t), .min = 1024, .max = UINT64_C(1) << 32 },
};

static const struct cfg_schema eal_schema = { eal_fields, ARRAY_LEN(eal_fields), NULL, NULL };
static const struct cfg_schema workers_schema = {
	worker_fields, ARRAY_LEN(worker_fields), NULL, workers_check,
};
static const struct cfg_schema crypto_schema = {
	crypto_fields, ARRAY_LEN(crypto_fields), NULL, NULL,
};
static const struct cfg_schema socket_schema = {
	socket_fields, ARRAY_LEN(socket_fields), NULL, socket_check,
};
static const struct cfg_schema port_schema = {
	port_fields, ARRAY_LEN(port_fields), port_init, port_check,
};
static const struct cfg_schema route_schema = {
	route_fields, ARRAY_LEN(route_fields), NULL, route_check,
};
static const struct cfg_schema neighbour_schema = {
	neighbour_fields, ARRAY_LEN(neighbour_fields), NULL, NULL,
};
static const struct cfg_schema telemetry_schema = {
	telemetry_fields, ARRAY_LEN(telemetry_fields), NULL, NULL,
};
static const struct cfg_schema cluster_schema = {
	cluster_fields, ARRAY_LEN(cluster_fields), NULL, cluster_check,
};
static const struct cfg_schema limits_schema = {
	limit_fields, ARRAY_LEN(limit_fields), NULL, NULL,
};
static const struct cfg_schema lease_schema = { lease_fields, 1, NULL, NULL };

/* The lease section's field lives in struct ctl_config itself: offset 0. */
#define T struct ctl_config
static const struct cfg_field top_fields[] = {
	F_MAP(T, "eal", eal, eal_schema),
	F_MAP(T, "workers", workers, workers_schema),
	F_MAP(T, "crypto", crypto, crypto_schema),
	F_MAP(T, "socket", socket, socket_schema),
	F_LIST_MAP(T, "ports", ports, n_ports, struct ctl_config_port, CTL_CONFIG_PORTS_MAX,
		   port_schema),
	F_LIST_MAP(T, "routes", routes, n_routes, struct ctl_config_route,
		   CTL_CONFIG_ROUTES_MAX, route_schema),
	F_LIST_MAP(T, "neighbours", neighbours, n_neighbours, struct ctl_config_neighbour,
		   CTL_CONFIG_NEIGHBOURS_MAX, neighbour_schema),
	F_MAP(T, "telemetry", telemetry, telemetry_schema),
	F_MAP(T, "cluster", cluster, cluster_schema),
	F_LIST(T, "sa", FT_PATH, sa_files, n_sa_files, struct ctl_config_file,
	       CTL_CONFIG_FILES_MAX, CF_ONE),
	F_LIST(T, "policy", FT_PATH, policy_files, n_policy_files, struct ctl_config_file,
	       CTL_CONFIG_FILES_MAX, CF_ONE),
	{ .key = "sequence_lease", .type = FT_MAP, .offset = 0, .sub = &lease_schema },
	F_MAP(T, "limits", limits, limits_schema),
	F_UINT(T, "exit_when_idle_ms", exit_when_idle_ms, 0, 3600000, 0),
};
#undef T

static const struct cfg_schema top_schema = { top_fields, ARRAY_LEN(top_fields), NULL, NULL };

_Static_assert(ARRAY_LEN(top_fields) <= 64 && ARRAY_LEN(port_fields) <= 64, "seen is 64 bits");

/* ------------------------------------------------------------------------ */
/* Entry points.                                                             */

void ctl_cfg_defaults(struct ctl_config *cfg)
{
	cfg->eal.main_lcore = -1;
	cfg->eal.thp = true;
	cfg->workers.count = 1;
	cfg->workers.idle = CTL_IDLE_ADAPTIVE;
	cfg->workers.sleep_min_us = 10;
	cfg->workers.sleep_max_us = 1000;
	cfg->crypto.engine = CTL_ENGINE_IPSEC_MB;
	cfg->crypto.sa_override = true;
	snprintf(cfg->socket.path, sizeof(cfg->socket.path), "%s", CTL_CONFIG_DEFAULT_SOCKET);
	cfg->socket.mode = 0600;
	cfg->telemetry.enabled = true;
	cfg->cluster.port = 7500;
	cfg->cluster.lease_size = UINT64_C(1) << 20;
	cfg->sequence_lease = UINT64_C(1) << 24; /* docs/CONTROL.md: headroom for stalls */
	cfg->limits.max_sas = 1u << 20;
	cfg->limits.max_policies = 1u << 16;
	cfg->limits.max_clients = 64;
	cfg->limits.client_queue_msgs = 4096;
	cfg->limits.client_queue_bytes = 4u << 20;
}

void ctl_cfg_derive(struct ctl_config *cfg)
{
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		struct ctl_config_port *p = &cfg->ports[i];

		if (ctl_cfg_pci_address(p->device, p->devname)) {
			p->bus = CTL_BUS_PCI;
		} else {
			p->bus = CTL_BUS_VDEV;
			snprintf(p->devname, sizeof(p->devname), "%.*s",
				 (int)strcspn(p->device, ","), p->device);
		}
		if (p->exception[0] != '\0')
			snprintf(p->exception_devname, sizeof(p->exception_devname),
				 "net_tap_%s", p->name);
	}
	for (unsigned int i = 0; i < cfg->n_routes; i++) {
		int idx = ctl_config_port_index(cfg, cfg->routes[i].port_name);
		cfg->routes[i].port = idx < 0 ? UINT32_MAX : (unsigned int)idx;
	}
	for (unsigned int i = 0; i < cfg->n_neighbours; i++) {
		int idx = ctl_config_port_index(cfg, cfg->neighbours[i].port_name);
		cfg->neighbours[i].port = idx < 0 ? UINT32_MAX : (unsigned int)idx;
	}
	for (unsigned int i = 0; i < cfg->crypto.n_devices; i++) {
		struct ctl_config_crypto_device *d = &cfg->crypto.devices[i];
		snprintf(d->name, sizeof(d->name), "%.*s", (int)strcspn(d->text, ","), d->text);
		d->vdev = strncmp(d->name, "crypto_", 7) == 0;
	}
}

int ctl_cfg_walk(struct ctl_config *cfg, yaml_document_t *doc, const char *dir,
		 struct ctl_config_errors *errs)
{
	struct cfg_walk w = {
		.cfg = cfg, .doc = doc, .file = cfg->source, .dir = dir, .errs = errs,
	};
	const yaml_node_t *root = yaml_document_get_root_node(doc);

	w.path[0] = '\0';
	if (root->type != YAML_MAPPING_NODE) {
		char g[CTL_CFG_QUOTE_MAX + 16];
		path_push(&w, "(document)");
		werr(&w, node_mark(root), "expected a mapping of sections, got %s",
		     got(root, g, sizeof(g)));
		return w.rc;
	}
	walk_map(&w, &top_schema, root, cfg);
	return w.rc;
}
