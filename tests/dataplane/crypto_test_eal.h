/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * crypto_test_eal.h: EAL for the crypto tests: --no-huge --no-pci, the
 * software crypto vdevs, a per-process file prefix
 * (dpsec-test-crypto-<unit>-<pid>), and removal of that runtime directory
 * at the end.
 */
#ifndef CRYPTO_TEST_EAL_H
#define CRYPTO_TEST_EAL_H

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

static char crypto_test_runtime_dir[PATH_MAX];

/* 0 or -1. */
static inline int crypto_test_eal_init(const char *unit)
{
	char prefix[80], argv0[] = "dpsec-test-crypto";
	char *argv[] = { argv0, "--no-huge", "-m", "512", "--no-pci", "--file-prefix", prefix,
		"--log-level=error", "--no-telemetry", "--vdev", "crypto_aesni_mb0",
		"--vdev", "crypto_openssl0", NULL };
	const char *dir;

	snprintf(prefix, sizeof(prefix), "dpsec-test-crypto-%s-%ld", unit, (long)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	dir = rte_eal_get_runtime_dir();
	snprintf(crypto_test_runtime_dir, sizeof(crypto_test_runtime_dir), "%s",
		 dir != NULL ? dir : "");
	return 0;
}

static inline int crypto_test_rm(const char *path, const struct stat *st, int flag,
				 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void crypto_test_eal_fini(void)
{
	rte_eal_cleanup();
	if (strstr(crypto_test_runtime_dir, "dpsec-test-crypto-") != NULL)
		nftw(crypto_test_runtime_dir, crypto_test_rm, 8, FTW_DEPTH | FTW_PHYS);
}

#endif /* CRYPTO_TEST_EAL_H */
