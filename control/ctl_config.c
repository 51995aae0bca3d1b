/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_config.c: loading dpsecd.yaml.  The file is read whole (bounded), given
 * to libyaml's document loader, walked against the key tables
 * (ctl_config_schema.c), then checked as a whole (ctl_config_check.c).
 * Either every step passes and the caller gets the config, or the caller
 * gets the messages and nothing else.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_config_priv.h"

/* ------------------------------------------------------------------------ */
/* Messages.                                                                 */

void ctl_config_errors_init(struct ctl_config_errors *errs)
{
	errs->count = 0;
	errs->dropped = 0;
}

const char *ctl_cfg_quote(char *buf, size_t len, const char *text)
{
	size_t n = 0, i;

	for (i = 0; text[i] != '\0' && i < CTL_CFG_QUOTE_MAX && n + 1 < len; i++) {
		unsigned char c = (unsigned char)text[i];
		buf[n++] = (char)(isprint(c) ? c : '?');
	}
	if (text[i] != '\0' && n + 4 < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

void ctl_cfg_error(struct ctl_config_errors *errs, const char *file, struct ctl_config_mark m,
		   const char *path, const char *fmt, ...)
{
	char *out;
	size_t len = CTL_CONFIG_ERROR_LEN;
	int n;
	va_list ap;

	if (errs == NULL)
		return;
	if (errs->count >= CTL_CONFIG_ERRORS_MAX) {
		errs->dropped++;
		return;
	}
	out = errs->msg[errs->count++];
	if (m.line != 0)
		n = snprintf(out, len, "%s:%u:%u: %s: ", file, m.line, m.column, path);
	else
		n = snprintf(out, len, "%s: %s: ", file, path);
	if (n < 0 || (size_t)n >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(out + n, len - (size_t)n, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------------ */
/* Marks.                                                                    */

int ctl_cfg_mark_set(struct ctl_config *cfg, const void *field, struct ctl_config_mark m)
{
	struct ctl_cfg_priv *p = cfg->priv;

	if (p == NULL)
		return 0; /* a config built by the program: no file positions */
	if (p->n_marks == p->cap_marks) {
		size_t cap = p->cap_marks ? p->cap_marks * 2 : 256;
		struct ctl_cfg_mark_entry *v = realloc(p->marks, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		p->marks = v;
		p->cap_marks = cap;
	}
	p->marks[p->n_marks++] = (struct ctl_cfg_mark_entry){ field, m };
	p->sorted = false;
	return 0;
}

static int mark_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct ctl_cfg_mark_entry *)a)->field;
	uintptr_t y = (uintptr_t)((const struct ctl_cfg_mark_entry *)b)->field;

	return (x > y) - (x < y);
}

void ctl_cfg_marks_seal(struct ctl_config *cfg)
{
	struct ctl_cfg_priv *p = cfg->priv;

	if (p != NULL && p->n_marks > 0) {
		qsort(p->marks, p->n_marks, sizeof(*p->marks), mark_cmp);
		p->sorted = true;
	}
}

struct ctl_config_mark ctl_cfg_mark_of(const struct ctl_config *cfg, const void *field)
{
	const struct ctl_cfg_priv *p = cfg->priv;
	struct ctl_config_mark none = { 0, 0 };

	if (p == NULL)
		return none;
	if (!p->sorted) {
		/* While walking: the latest mark for the field wins. */
		for (size_t i = p->n_marks; i-- > 0;)
			if (p->marks[i].field == field)
				return p->marks[i].mark;
		return none;
	}
	size_t lo = 0, hi = p->n_marks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uintptr_t)p->marks[mid].field < (uintptr_t)field)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->n_marks && p->marks[lo].field == field)
		return p->marks[lo].mark;
	return none;
}

/* ------------------------------------------------------------------------ */
/* Life cycle.                                                               */

struct ctl_config *ctl_config_new(void)
{
	struct ctl_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg != NULL)
		ctl_cfg_defaults(cfg);
	return cfg;
}

void ctl_config_free(struct ctl_config *cfg)
{
	struct ctl_cfg_priv *p;

	if (cfg == NULL)
		return;
	p = cfg->priv;
	if (p != NULL)
		free(p->marks);
	free(p);
	free(cfg->eal.vdevs);
	free(cfg->eal.args);
	free(cfg->crypto.devices);
	free(cfg->ports);
	free(cfg->routes);
	free(cfg->neighbours);
	free(cfg->cluster.peers);
	free(cfg->sa_files);
	free(cfg->policy_files);
	free(cfg);
}

int ctl_config_set_socket_path(struct ctl_config *cfg, const char *path)
{
	size_t n = strlen(path);

	if (n == 0)
		return -EINVAL;
	if (n >= sizeof(cfg->socket.path))
		return -ENAMETOOLONG;
	memcpy(cfg->socket.path, path, n + 1);
	return 0;
}

int ctl_config_port_index(const struct ctl_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_ports; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

/* ------------------------------------------------------------------------ */
/* Reading and parsing.                                                      */

static int read_file(const char *path, char **buf_out, size_t *len_out,
		     struct ctl_config_errors *errs)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		ctl_cfg_error(errs, path, (struct ctl_config_mark){ 0, 0 }, "(file)",
			      "expected a readable file, got '%s'", strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		ctl_cfg_error(errs, path, (struct ctl_config_mark){ 0, 0 }, "(file)",
			      "expected a regular file, got '%s'",
			      S_ISDIR(st.st_mode) ? "a directory" : "a special file");
		goto out;
	}
	/* One byte more than allowed, to see a file that grew past it. */
	buf = malloc(CTL_CFG_MAX_BYTES + 1);
	if (buf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	while (len <= CTL_CFG_MAX_BYTES) {
		ssize_t r = read(fd, buf + len, CTL_CFG_MAX_BYTES + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			ctl_cfg_error(errs, path, (struct ctl_config_mark){ 0, 0 }, "(file)",
				      "expected a readable file, got '%s'", strerror(-rc));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > CTL_CFG_MAX_BYTES) {
		rc = -EFBIG;
		ctl_cfg_error(errs, path, (struct ctl_config_mark){ 0, 0 }, "(file)",
			      "expected at most %u bytes, got '%zu or more'",
			      CTL_CFG_MAX_BYTES, len);
		goto out;
	}
out:
	close(fd);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*buf_out = buf;
	*len_out = len;
	return 0;
}

/* libyaml's complaint, in our form.  A tab where indentation belongs is the
 * most common one and libyaml's words for it are obscure: say it plainly. */
static void syntax_error(const yaml_parser_t *parser, const char *file, const char *buf,
			 size_t len, struct ctl_config_errors *errs)
{
	struct ctl_config_mark m = { (uint32_t)parser->problem_mark.line + 1,
				     (uint32_t)parser->problem_mark.column + 1 };
	size_t at = parser->problem_mark.index;
	const char *problem = parser->problem ? parser->problem : "malformed YAML";

	if (parser->error == YAML_READER_ERROR) {
		m = (struct ctl_config_mark){ 0, 0 };
		ctl_cfg_error(errs, file, m, "(yaml)", "expected UTF-8 text, got '%s at byte %zu'",
			      problem, parser->problem_offset);
		return;
	}
	if (at < len && buf[at] == '\t') {
		ctl_cfg_error(errs, file, m, "(yaml)",
			      "expected spaces for indentation, got '\\t'");
		return;
	}
	if (parser->context != NULL)
		ctl_cfg_error(errs, file, m, "(yaml)", "expected valid YAML, got '%s %s'", problem,
			      parser->context);
	else
		ctl_cfg_error(errs, file, m, "(yaml)", "expected valid YAML, got '%s'", problem);
}

/* The directory part of path ("." when it has none). */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* A first pass over the events: the syntax, one document, no anchors or
 * aliases (an alias would share one node between keys, and a chain of them
 * multiplies the work: configs have no need for either), and bounded
 * nesting: libyaml's scanner slows down quadratically with depth, and the
 * deepest key here is four levels down. */
static int scan_events(const char *file, const char *buf, size_t len,
		       struct ctl_config_errors *errs)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	unsigned int docs = 0, depth = 0;
	int rc = 0;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (bool done = false; !done;) {
		const yaml_char_t *anchor = NULL;
		struct ctl_config_mark m;

		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR) {
				rc = -ENOMEM;
			} else {
				syntax_error(&parser, file, buf, len, errs);
				rc = -EINVAL;
			}
			break;
		}
		m = (struct ctl_config_mark){ (uint32_t)ev.start_mark.line + 1,
					      (uint32_t)ev.start_mark.column + 1 };
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs == 2) {
				ctl_cfg_error(errs, file, m, "(document)",
					      "expected one document, got a second one");
				rc = -EINVAL;
				done = true;
			}
			break;
		case YAML_ALIAS_EVENT:
			ctl_cfg_error(errs, file, m, "(yaml)",
				      "expected no aliases, got '*%s'", ev.data.alias.anchor);
			rc = -EINVAL;
			break;
		case YAML_SCALAR_EVENT:
			anchor = ev.data.scalar.anchor;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			anchor = ev.type == YAML_SEQUENCE_START_EVENT
				 ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor;
			if (++depth > CTL_CFG_DEPTH_MAX) {
				ctl_cfg_error(errs, file, m, "(yaml)",
					      "expected at most %u levels of nesting, got more",
					      CTL_CFG_DEPTH_MAX);
				rc = -EINVAL;
				done = true;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (anchor != NULL) {
			ctl_cfg_error(errs, file, m, "(yaml)", "expected no anchors, got '&%s'",
				      anchor);
			rc = -EINVAL;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc == 0 && docs == 0) {
		ctl_cfg_error(errs, file, (struct ctl_config_mark){ 1, 1 }, "(document)",
			      "expected a mapping of sections, got an empty file");
		rc = -EINVAL;
	}
	return rc;
}

int ctl_config_load(const char *path, unsigned int flags, struct ctl_config **out,
		    struct ctl_config_errors *errs)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (strlen(path) >= CTL_CONFIG_PATH_MAX) {
		ctl_cfg_error(errs, "(config)", (struct ctl_config_mark){ 0, 0 }, "(file)",
			      "expected a path shorter than %u bytes, got '%.40s...'",
			      CTL_CONFIG_PATH_MAX, path);
		return -ENAMETOOLONG;
	}
	rc = read_file(path, &buf, &len, errs);
	if (rc != 0)
		return rc;
	rc = ctl_config_parse(path, buf, len, flags, out, errs);
	free(buf);
	return rc;
}

int ctl_config_parse(const char *name, const char *text, size_t len, unsigned int flags,
		     struct ctl_config **out, struct ctl_config_errors *errs)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	bool parser_ok = false, doc_ok = false;
	struct ctl_config *cfg = NULL;
	char dir[CTL_CONFIG_PATH_MAX];
	int rc;

	*out = NULL;
	if (strlen(name) >= CTL_CONFIG_PATH_MAX)
		return -ENAMETOOLONG;
	if (len > CTL_CFG_MAX_BYTES) {
		ctl_cfg_error(errs, name, (struct ctl_config_mark){ 0, 0 }, "(file)",
			      "expected at most %u bytes, got '%zu'", CTL_CFG_MAX_BYTES, len);
		return -EFBIG;
	}
	rc = scan_events(name, text, len, errs);
	if (rc != 0)
		goto out;

	cfg = ctl_config_new();
	if (cfg == NULL || (cfg->priv = calloc(1, sizeof(struct ctl_cfg_priv))) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	snprintf(cfg->source, sizeof(cfg->source), "%s", name);
	dir_of(name, dir, sizeof(dir));

	if (!yaml_parser_initialize(&parser)) {
		rc = -ENOMEM;
		goto out;
	}
	parser_ok = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		if (parser.error == YAML_MEMORY_ERROR) {
			rc = -ENOMEM;
			goto out;
		}
		syntax_error(&parser, name, text, len, errs);
		rc = -EINVAL;
		goto out;
	}
	doc_ok = true;
	if (yaml_document_get_root_node(&doc) == NULL) {
		ctl_cfg_error(errs, name, (struct ctl_config_mark){ 1, 1 }, "(document)",
			      "expected a mapping of sections, got an empty file");
		rc = -EINVAL;
		goto out;
	}
	/* Relations are checked on a file whose values all passed: checking
	 * them on half-filled fields would report problems that are not. */
	rc = ctl_cfg_walk(cfg, &doc, dir, errs);
	if (rc != 0)
		goto out;
	ctl_cfg_derive(cfg);
	ctl_cfg_marks_seal(cfg);
	rc = ctl_config_validate(cfg, flags, errs);
out:
	if (doc_ok)
		yaml_document_delete(&doc);
	if (parser_ok)
		yaml_parser_delete(&parser);
	if (rc != 0) {
		ctl_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}
