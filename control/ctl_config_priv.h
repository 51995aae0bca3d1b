/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_config_priv.h: what the config loader's files share (not installed).
 *
 *   ctl_config.c         load: read the file, libyaml document, errors, marks
 *   ctl_config_schema.c  the key tables and the walker that fills the struct
 *   ctl_config_value.c   scalar syntax: numbers, addresses, prefixes, MACs...
 *   ctl_config_check.c   relations between values (ctl_config_validate)
 *   ctl_config_eal.c     the EAL argument vector
 */
#ifndef DPSEC_CTL_CONFIG_PRIV_H
#define DPSEC_CTL_CONFIG_PRIV_H

#include <stdarg.h>

#include <yaml.h>

#include "ctl_config.h"

#define CTL_CFG_MAX_BYTES (1u << 20) /* a config file larger than this is refused */
#define CTL_CFG_PATH_LEN 256u        /* field paths in messages */
#define CTL_CFG_QUOTE_MAX 64u        /* value characters quoted in a message */
#define CTL_CFG_DEPTH_MAX 16u        /* nesting of lists and mappings */

/* Marks of the values that came from the file, keyed by the address of the
 * field they were stored in (leaf values only: a struct's address equals
 * its first field's, so structs themselves are never keys). */
struct ctl_cfg_mark_entry {
	const void *field;
	struct ctl_config_mark mark;
};

struct ctl_cfg_priv {
	struct ctl_cfg_mark_entry *marks;
	size_t n_marks;
	size_t cap_marks;
	bool sorted;
};

/* Record where the value at `field` came from.  -ENOMEM. */
int ctl_cfg_mark_set(struct ctl_config *cfg, const void *field, struct ctl_config_mark m);
/* Sort the marks for lookups (after loading). */
void ctl_cfg_marks_seal(struct ctl_config *cfg);
/* The mark of `field`, or {0, 0}. */
struct ctl_config_mark ctl_cfg_mark_of(const struct ctl_config *cfg, const void *field);
static inline bool ctl_cfg_present(const struct ctl_config *cfg, const void *field)
{
	return ctl_cfg_mark_of(cfg, field).line != 0;
}

/* Append "<file>:<line>:<column>: <path>: <message>" (file only when the mark
 * is 0).  The message is printf-formatted. */
void ctl_cfg_error(struct ctl_config_errors *errs, const char *file, struct ctl_config_mark m,
		   const char *path, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The value for "got '%s'": at most CTL_CFG_QUOTE_MAX characters, then
 * "...", non-printable bytes as '?'.  Returns buf. */
const char *ctl_cfg_quote(char *buf, size_t len, const char *text);

/* Fill the fields of cfg from a parsed document (the schema walker).
 * Returns 0, -EINVAL (errs filled) or -ENOMEM. */
int ctl_cfg_walk(struct ctl_config *cfg, yaml_document_t *doc, const char *dir,
		 struct ctl_config_errors *errs);

/* Defaults of every field (ctl_config_new). */
void ctl_cfg_defaults(struct ctl_config *cfg);

/* Derived fields once values are in: port devnames and buses, exception
 * device names, route/neighbour port indices, crypto device names. */
void ctl_cfg_derive(struct ctl_config *cfg);

/* ---- scalar syntax (ctl_config_value.c); each returns 0 or -EINVAL ---- */

/* Unsigned decimal, digits only, no sign, no leading '+'; *v unchanged on
 * error.  -ERANGE when it does not fit in 64 bits. */
int ctl_cfg_parse_u64(const char *s, uint64_t *v);
/* Octal permission bits "0660" / "660" (0..0777). */
int ctl_cfg_parse_mode(const char *s, uint32_t *mode);
/* A unicast address (not unspecified, not multicast), length 32/128. */
int ctl_cfg_parse_addr(const char *s, struct ctl_config_ip *ip);
/* "address/length": an interface address.  Same address rules; length
 * 1..32 or 1..128. */
int ctl_cfg_parse_ifaddr(const char *s, struct ctl_config_ip *ip);
/* "address/length" with no host bits set; -EDOM when host bits are set
 * (*ip then holds the masked prefix, for the message). */
int ctl_cfg_parse_prefix(const char *s, struct ctl_config_ip *ip);
/* Six hex pairs separated by ':' (or '-'); -EDOM when multicast or all-zero. */
int ctl_cfg_parse_mac(const char *s, uint8_t mac[6]);
/* DPDK core list "0-3,5" into a set. */
int ctl_cfg_parse_corelist(const char *s, struct ctl_config_lcores *set);
/* Names: [A-Za-z0-9._-], first not '.' or '-', 1..max-1 characters. */
bool ctl_cfg_valid_name(const char *s, size_t max);
/* Kernel interface names: 1..15 characters, no '/', ':' or whitespace. */
bool ctl_cfg_valid_ifname(const char *s);
/* DPDK device strings: a PCI address or a driver name ([A-Za-z0-9_]+),
 * optionally followed by ",key=value..."; printable, no spaces. */
bool ctl_cfg_valid_device(const char *s);
/* crypto.devices entries: a vdev string starting "crypto_" (created with
 * --vdev), or the name of a cryptodev EAL probes by itself (no arguments). */
bool ctl_cfg_valid_cryptodev(const char *s);
/* PCI address at the start of s ("DDDD:BB:DD.F" or "BB:DD.F", then end or
 * ','): writes the full lower-case form to out.  false if not one. */
bool ctl_cfg_pci_address(const char *s, char out[CTL_CONFIG_DEVNAME_MAX]);

/* Text of an address or prefix (for messages): "192.0.2.0/24". */
const char *ctl_cfg_ip_text(const struct ctl_config_ip *ip, bool with_length, char *buf,
			    size_t len);
/* Does prefix p contain address a (same family)? */
bool ctl_cfg_prefix_contains(const struct ctl_config_ip *p, const struct ctl_config_ip *a);
bool ctl_cfg_ip_equal(const struct ctl_config_ip *a, const struct ctl_config_ip *b);
bool ctl_cfg_ip_link_local(const struct ctl_config_ip *a);

#endif /* DPSEC_CTL_CONFIG_PRIV_H */
