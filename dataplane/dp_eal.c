/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_eal.c: EAL start/stop and worker lcores for programs (dpsec/dp_eal.h). */
#include "dpsec/dp_eal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "dp_mem.h"

static char dp_eal_runtime_dir[PATH_MAX];

int dp_eal_init(int argc, char **argv)
{
	const char *dir;
	int n = rte_eal_init(argc, argv);

	if (n < 0)
		return rte_errno > 0 ? -rte_errno : -EINVAL;
	dir = rte_eal_get_runtime_dir();
	snprintf(dp_eal_runtime_dir, sizeof(dp_eal_runtime_dir), "%s", dir != NULL ? dir : "");
	return n;
}

long long dp_eal_thp(void)
{
	return dp_mem_eal_thp();
}

void dp_eal_cleanup(void)
{
	char path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	rte_eal_cleanup();
	/* Only a directory EAL made for us: <runtime>/dpdk/<prefix>. */
	if (dp_eal_runtime_dir[0] == '\0' || strstr(dp_eal_runtime_dir, "/dpdk/") == NULL)
		return;
	d = opendir(dp_eal_runtime_dir);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dp_eal_runtime_dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dp_eal_runtime_dir);
	dp_eal_runtime_dir[0] = '\0';
}

int dp_eal_next_worker(int prev)
{
	unsigned int id = rte_get_next_lcore(prev < 0 ? (unsigned int)-1 : (unsigned int)prev, 1,
					     0);

	return id >= RTE_MAX_LCORE ? -1 : (int)id;
}

int dp_eal_launch(unsigned int lcore, int (*fn)(void *arg), void *arg)
{
	return rte_eal_remote_launch(fn, arg, lcore);
}

int dp_eal_wait(unsigned int lcore)
{
	return rte_eal_wait_lcore(lcore);
}
