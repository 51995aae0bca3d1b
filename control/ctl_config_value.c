/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_config_value.c: the syntax of single config values.  Pure functions
 * over strings; the walker turns their -EINVAL into a message.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl_config_priv.h"

int ctl_cfg_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (s[0] == '\0')
		return -EINVAL;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		unsigned int d = (unsigned int)(*p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -ERANGE;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int ctl_cfg_parse_mode(const char *s, uint32_t *mode)
{
	uint32_t m = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 4)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -EINVAL;
		m = m * 8 + (uint32_t)(s[i] - '0');
	}
	if (m > 0777)
		return -EINVAL;
	*mode = m;
	return 0;
}

/* Address text to bytes; family from the presence of ':'. */
static int parse_ip_text(const char *s, size_t n, struct ctl_config_ip *ip)
{
	char buf[INET6_ADDRSTRLEN];
	struct ctl_config_ip r = { 0 };

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (memchr(buf, ':', n) != NULL) {
		if (inet_pton(AF_INET6, buf, r.addr) != 1)
			return -EINVAL;
		r.family = AF_INET6;
		r.length = 128;
	} else {
		if (inet_pton(AF_INET, buf, r.addr) != 1)
			return -EINVAL;
		r.family = AF_INET;
		r.length = 32;
	}
	*ip = r;
	return 0;
}

static bool ip_is_unicast(const struct ctl_config_ip *ip)
{
	static const uint8_t zero[16];
	size_t n = ip->family == AF_INET ? 4 : 16;

	if (memcmp(ip->addr, zero, n) == 0)
		return false;
	if (ip->family == AF_INET)
		return ip->addr[0] < 224 || ip->addr[0] > 239; /* not 224/4 */
	return ip->addr[0] != 0xff;
}

int ctl_cfg_parse_addr(const char *s, struct ctl_config_ip *ip)
{
	struct ctl_config_ip r;

	if (parse_ip_text(s, strlen(s), &r) != 0 || !ip_is_unicast(&r))
		return -EINVAL;
	*ip = r;
	return 0;
}

/* "address/length" split; *len_out from the digits after '/'. */
static int parse_with_length(const char *s, struct ctl_config_ip *ip, unsigned int min_len)
{
	const char *slash = strchr(s, '/');
	struct ctl_config_ip r;
	uint64_t len;

	if (slash == NULL || parse_ip_text(s, (size_t)(slash - s), &r) != 0)
		return -EINVAL;
	if (strlen(slash + 1) > 3 || ctl_cfg_parse_u64(slash + 1, &len) != 0)
		return -EINVAL;
	if (len < min_len || len > r.length)
		return -EINVAL;
	r.length = (uint8_t)len;
	*ip = r;
	return 0;
}

int ctl_cfg_parse_ifaddr(const char *s, struct ctl_config_ip *ip)
{
	struct ctl_config_ip r;

	if (parse_with_length(s, &r, 1) != 0 || !ip_is_unicast(&r))
		return -EINVAL;
	*ip = r;
	return 0;
}

int ctl_cfg_parse_prefix(const char *s, struct ctl_config_ip *ip)
{
	struct ctl_config_ip r;
	bool host_bits = false;
	size_t n;

	if (parse_with_length(s, &r, 0) != 0)
		return -EINVAL;
	n = r.family == AF_INET ? 4 : 16;
	for (size_t i = 0; i < n; i++) {
		unsigned int keep = r.length >= (i + 1) * 8 ? 8
				  : r.length > i * 8 ? r.length - i * 8 : 0;
		uint8_t mask = (uint8_t)(0xff00u >> keep);
		if (r.addr[i] & ~mask & 0xff)
			host_bits = true;
		r.addr[i] &= mask;
	}
	*ip = r;
	return host_bits ? -EDOM : 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ctl_cfg_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	char sep;

	if (strlen(s) != 17)
		return -EINVAL;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[i * 3]);
		int lo = hex_digit(s[i * 3 + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != sep))
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, 6);
	if (m[0] & 1)
		return -EDOM;
	if ((m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) == 0)
		return -EDOM;
	return 0;
}

static void lcore_set(struct ctl_config_lcores *s, unsigned int id)
{
	s->bits[id / 64] |= UINT64_C(1) << (id % 64);
}

int ctl_cfg_parse_corelist(const char *s, struct ctl_config_lcores *set)
{
	struct ctl_config_lcores r = { { 0 } };
	const char *p = s;

	if (*p == '\0')
		return -EINVAL;
	for (;;) {
		unsigned long lo = 0, hi;
		int digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 4) {
			lo = lo * 10 + (unsigned long)(*p++ - '0');
			digits++;
		}
		if (digits == 0 || (*p >= '0' && *p <= '9'))
			return -EINVAL;
		hi = lo;
		if (*p == '-') {
			p++;
			hi = 0;
			digits = 0;
			while (*p >= '0' && *p <= '9' && digits < 4) {
				hi = hi * 10 + (unsigned long)(*p++ - '0');
				digits++;
			}
			if (digits == 0 || (*p >= '0' && *p <= '9'))
				return -EINVAL;
		}
		if (lo > hi || hi >= CTL_CONFIG_LCORES)
			return -EINVAL;
		for (unsigned long i = lo; i <= hi; i++)
			lcore_set(&r, (unsigned int)i);
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return -EINVAL;
	}
	*set = r;
	return 0;
}

unsigned int ctl_config_lcore_count(const struct ctl_config_lcores *s)
{
	unsigned int n = 0;

	for (size_t i = 0; i < CTL_CONFIG_LCORES / 64; i++)
		n += (unsigned int)__builtin_popcountll(s->bits[i]);
	return n;
}

bool ctl_cfg_valid_name(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n >= max || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '_' && c != '-' && c != '.')
			return false;
	}
	return true;
}

bool ctl_cfg_valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CTL_CONFIG_IFNAME_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isgraph(c) || c == '/' || c == ':')
			return false;
	}
	return true;
}

bool ctl_cfg_pci_address(const char *s, char out[CTL_CONFIG_DEVNAME_MAX])
{
	/* Pattern of the short and long forms: h = hex digit. */
	static const char *const forms[] = { "hhhh:hh:hh.o", "hh:hh.o" };

	for (size_t f = 0; f < 2; f++) {
		const char *pat = forms[f];
		size_t n = strlen(pat), i;

		for (i = 0; i < n; i++) {
			char c = s[i];
			if (pat[i] == 'h' && hex_digit(c) < 0)
				break;
			if (pat[i] == 'o' && (c < '0' || c > '7'))
				break;
			if (pat[i] != 'h' && pat[i] != 'o' && c != pat[i])
				break;
		}
		if (i < n || (s[n] != '\0' && s[n] != ','))
			continue;
		size_t o = 0;
		if (f == 1) {
			memcpy(out, "0000:", 5);
			o = 5;
		}
		for (i = 0; i < n; i++)
			out[o++] = (char)tolower((unsigned char)s[i]);
		out[o] = '\0';
		return true;
	}
	return false;
}

bool ctl_cfg_valid_device(const char *s)
{
	char pci[CTL_CONFIG_DEVNAME_MAX];
	size_t n = strlen(s), name;

	if (n == 0 || n >= CTL_CONFIG_DEVICE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]))
			return false;
	if (ctl_cfg_pci_address(s, pci))
		return true;
	name = strcspn(s, ",");
	if (name == 0 || name >= CTL_CONFIG_DEVNAME_MAX || !isalpha((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < name; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '_')
			return false;
	}
	/* Arguments: key=value pairs, none empty. */
	if (s[name] == ',') {
		const char *p = s + name + 1;
		while (*p != '\0') {
			size_t len = strcspn(p, ",");
			const char *eq = memchr(p, '=', len);
			if (len == 0 || eq == NULL || eq == p)
				return false;
			p += len;
			if (*p == ',' && *++p == '\0')
				return false;
		}
		if (s[name + 1] == '\0')
			return false;
	}
	return true;
}

const char *ctl_cfg_ip_text(const struct ctl_config_ip *ip, bool with_length, char *buf,
			    size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(ip->family, ip->addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	if (with_length)
		snprintf(buf, len, "%s/%u", a, ip->length);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}

bool ctl_cfg_prefix_contains(const struct ctl_config_ip *p, const struct ctl_config_ip *a)
{
	unsigned int full = p->length / 8, rest = p->length % 8;

	if (p->family != a->family)
		return false;
	if (memcmp(p->addr, a->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return (p->addr[full] & mask) == (a->addr[full] & mask);
}

bool ctl_cfg_ip_equal(const struct ctl_config_ip *a, const struct ctl_config_ip *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->addr, b->addr, n) == 0;
}

bool ctl_cfg_ip_link_local(const struct ctl_config_ip *a)
{
	return a->family == AF_INET6 && a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80;
}

bool ctl_cfg_valid_cryptodev(const char *s)
{
	size_t n = strlen(s);

	if (strncmp(s, "crypto_", 7) == 0)
		return ctl_cfg_valid_device(s);
	if (n == 0 || n >= CTL_CONFIG_DEVNAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]) || s[i] == ',')
			return false;
	return true;
}
