/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_test_eal.h: EAL set-up for dataplane tests that need DPDK memory.
 *
 * Runs EAL with --no-huge -m <mb> --no-pci, a per-process file prefix
 * (dpsec-test-<unit>-<pid>) so parallel runs never share a runtime
 * directory, and removes that directory again at the end.
 */
#ifndef DP_TEST_EAL_H
#define DP_TEST_EAL_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

static char dp_test_runtime_dir[PATH_MAX];

/* 0 or -1.  unit names the prefix; mb the --no-huge memory. */
static inline int dp_test_eal_init(const char *unit, unsigned int mb)
{
	char prefix[64], mem[16], argv0[32] = "dpsec-test";
	char *argv[] = { argv0, "--no-huge", "-m", mem, "--no-pci", "--file-prefix", prefix,
		"--log-level=error", "--no-telemetry", NULL };
	const char *dir;

	snprintf(prefix, sizeof(prefix), "dpsec-test-%s-%ld", unit, (long)getpid());
	snprintf(mem, sizeof(mem), "%u", mb);
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	dir = rte_eal_get_runtime_dir();
	snprintf(dp_test_runtime_dir, sizeof(dp_test_runtime_dir), "%s", dir != NULL ? dir : "");
	return 0;
}

/* Clean EAL up and remove its runtime directory (flat: files only). */
static inline void dp_test_eal_fini(void)
{
	char path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	rte_eal_cleanup();
	if (dp_test_runtime_dir[0] == '\0' || strstr(dp_test_runtime_dir, "dpsec-test-") == NULL)
		return;
	d = opendir(dp_test_runtime_dir);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dp_test_runtime_dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dp_test_runtime_dir);
}

#endif /* DP_TEST_EAL_H */
