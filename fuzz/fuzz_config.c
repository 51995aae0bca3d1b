/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_config.c: libFuzzer target for the dpsecd.yaml loader
 * (control/ctl_config.h).
 *
 * The input is the file's text.  Invariants: a load either returns a config
 * and no message, or nothing and at least one message; every message names
 * the file; a loaded config validates again and builds an EAL vector whose
 * strings are all present; nothing leaks (ASan).  A broken invariant
 * abort()s: that is the finding.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) \
			abort(); \
	} while (0)

static struct ctl_config_errors errs;
static struct ctl_config poison; /* *out must be overwritten with NULL */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_config *cfg = &poison;
	char **argv = NULL;
	int rc, argc;

	ctl_config_errors_init(&errs);
	rc = ctl_config_parse("fuzz/dpsecd.yaml", (const char *)data, size, 0, &cfg, &errs);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -EFBIG || rc == -ENOMEM);
	for (unsigned int i = 0; i < errs.count; i++) {
		FUZZ_CHECK(strncmp(errs.msg[i], "fuzz/dpsecd.yaml", 16) == 0);
		FUZZ_CHECK(memchr(errs.msg[i], '\0', CTL_CONFIG_ERROR_LEN) != NULL);
	}
	if (rc != 0) {
		FUZZ_CHECK(cfg == NULL);
		FUZZ_CHECK(rc == -ENOMEM || errs.count > 0);
		return 0;
	}
	FUZZ_CHECK(cfg != NULL && errs.count == 0 && errs.dropped == 0);
	FUZZ_CHECK(ctl_config_validate(cfg, 0, &errs) == 0);
	argc = ctl_config_eal_argv(cfg, "dpsecd", 0, NULL, &argv);
	FUZZ_CHECK(argc >= 1 || argc == -ENOMEM);
	for (int i = 0; i < argc; i++)
		FUZZ_CHECK(argv[i] != NULL && argv[i][0] != '\0');
	if (argc >= 1)
		FUZZ_CHECK(argv[argc] == NULL);
	free(argv);
	for (unsigned int i = 0; i < cfg->n_routes; i++)
		FUZZ_CHECK(cfg->routes[i].port < cfg->n_ports);
	ctl_config_free(cfg);
	return 0;
}
