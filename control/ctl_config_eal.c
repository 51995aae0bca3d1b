/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl_config_eal.c: rte_eal_init()'s argument vector from the config.  The
 * vector names every device the config names (ports, exception TAPs,
 * crypto vdevs), so that EAL probes exactly those: -a for a PCI port makes
 * EAL leave every other PCI device alone.
 *
 * Two passes over one list of arguments: the first sizes, the second
 * writes into a single allocation (pointers, then the strings).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_config_priv.h"

#define EAL_ARGC_MAX 1024

struct argv_build {
	char **argv;   /* NULL while sizing */
	char *strings; /* where the next string goes */
	size_t bytes;  /* string bytes so far */
	int argc;
	int rc;
};

static void add(struct argv_build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct argv_build *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->rc != 0)
		return;
	if (b->argc >= EAL_ARGC_MAX) {
		b->rc = -E2BIG;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->rc = -EINVAL;
		return;
	}
	if (b->argv != NULL) {
		va_start(ap, fmt);
		vsnprintf(b->strings, (size_t)n + 1, fmt, ap);
		va_end(ap);
		b->argv[b->argc] = b->strings;
		b->strings += n + 1;
	}
	b->bytes += (size_t)n + 1;
	b->argc++;
}

/* "0-3,5" from a set. */
static void corelist(const struct ctl_config_lcores *s, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < CTL_CONFIG_LCORES && n < len; i++) {
		unsigned int j = i;
		if (!ctl_config_lcore_isset(s, i))
			continue;
		while (j + 1 < CTL_CONFIG_LCORES && ctl_config_lcore_isset(s, j + 1))
			j++;
		if (j == i)
			n += (size_t)snprintf(buf + n, len - n, "%s%u", n ? "," : "", i);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%u-%u", n ? "," : "", i, j);
		i = j;
	}
}

static void build(struct argv_build *b, const struct ctl_config *cfg, const char *prog,
		  int extra_argc, char *const *extra_argv)
{
	const struct ctl_config_eal *e = &cfg->eal;
	char cores[CTL_CONFIG_LCORES * 4];

	add(b, "%s", prog);
	if (ctl_config_lcore_count(&e->lcores) > 0) {
		corelist(&e->lcores, cores, sizeof(cores));
		add(b, "-l");
		add(b, "%s", cores);
	}
	if (e->main_lcore >= 0) {
		add(b, "--main-lcore");
		add(b, "%d", e->main_lcore);
	}
	if (e->memory_mb > 0) {
		add(b, "-m");
		add(b, "%u", e->memory_mb);
	}
	if (e->file_prefix[0] != '\0') {
		add(b, "--file-prefix");
		add(b, "%s", e->file_prefix);
	}
	if (e->no_huge)
		add(b, "--no-huge");
	if (e->no_pci)
		add(b, "--no-pci");
	if (e->log_level != 0)
		add(b, "--log-level=%u", e->log_level);
	if (!cfg->telemetry.enabled)
		add(b, "--no-telemetry");
	for (unsigned int i = 0; i < e->n_vdevs; i++) {
		add(b, "--vdev");
		add(b, "%s", e->vdevs[i].text);
	}
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		add(b, cfg->ports[i].bus == CTL_BUS_PCI ? "-a" : "--vdev");
		add(b, "%s", cfg->ports[i].device);
	}
	for (unsigned int i = 0; i < cfg->n_ports; i++) {
		const struct ctl_config_port *p = &cfg->ports[i];
		if (p->exception[0] == '\0')
			continue;
		add(b, "--vdev");
		add(b, "%s,iface=%s", p->exception_devname, p->exception);
	}
	for (unsigned int i = 0; i < cfg->crypto.n_devices; i++) {
		if (!cfg->crypto.devices[i].vdev)
			continue;
		add(b, "--vdev");
		add(b, "%s", cfg->crypto.devices[i].text);
	}
	for (unsigned int i = 0; i < e->n_args; i++)
		add(b, "%s", e->args[i].text);
	for (int i = 0; i < extra_argc; i++)
		add(b, "%s", extra_argv[i]);
}

int ctl_config_eal_argv(const struct ctl_config *cfg, const char *prog, int extra_argc,
			char *const *extra_argv, char ***argv_out)
{
	struct argv_build size = { 0 }, fill = { 0 };
	size_t ptr_bytes;
	char **v;

	if (cfg == NULL || prog == NULL || argv_out == NULL || extra_argc < 0 ||
	    (extra_argc > 0 && extra_argv == NULL))
		return -EINVAL;
	*argv_out = NULL;
	for (int i = 0; i < extra_argc; i++)
		if (extra_argv[i] == NULL)
			return -EINVAL;
	build(&size, cfg, prog, extra_argc, extra_argv);
	if (size.rc != 0)
		return size.rc;
	ptr_bytes = ((size_t)size.argc + 1) * sizeof(char *);
	v = malloc(ptr_bytes + size.bytes);
	if (v == NULL)
		return -ENOMEM;
	fill.argv = v;
	fill.strings = (char *)v + ptr_bytes;
	build(&fill, cfg, prog, extra_argc, extra_argv);
	if (fill.rc != 0 || fill.argc != size.argc) {
		free(v);
		return fill.rc != 0 ? fill.rc : -EINVAL;
	}
	v[fill.argc] = NULL;
	*argv_out = v;
	return fill.argc;
}
