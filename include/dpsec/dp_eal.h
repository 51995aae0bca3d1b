/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dpsec/dp_eal.h: the DPDK environment for a program (dpsecd): EAL start
 * and clean-up, and worker lcores.  Plain C, no DPDK types, so that the
 * program's main needs no DPDK header (only dataplane/ includes them).
 *
 * Threads: dp_eal_init() and dp_eal_cleanup() from the main thread, once
 * each; the lcore functions from the main lcore.  Error contract as dp.h.
 */
#ifndef DPSEC_DP_EAL_H
#define DPSEC_DP_EAL_H

#ifdef __cplusplus
extern "C" {
#endif

/* rte_eal_init(argc, argv).  Returns the number of arguments EAL used
 * (>= 0) or -errno (rte_errno). */
int dp_eal_init(int argc, char **argv);

/* With --no-huge: move EAL's heap (mbufs, rings, rte_malloc memory: hash
 * tables, crypto sessions) onto anonymous memory advised MADV_HUGEPAGE, so
 * that transparent huge pages back it (dataplane/dp_mem.h,
 * dp_mem_eal_thp()).  Right after dp_eal_init(), before anything else
 * uses DPDK memory.  Bytes moved (0: hugetlbfs pages, VFIO, or nothing to
 * move) or -errno; on error the heap is as it was. */
long long dp_eal_thp(void);

/* rte_eal_cleanup(), then remove EAL's runtime directory (its files and
 * the directory; EAL leaves them behind).  Only after every worker lcore
 * has returned. */
void dp_eal_cleanup(void);

/* Worker lcores (every enabled lcore but the main one), in order:
 * pass -1 to get the first; returns -1 after the last. */
int dp_eal_next_worker(int prev);

/* Run fn(arg) on a worker lcore.  0 or -errno (-EBUSY: not idle). */
int dp_eal_launch(unsigned int lcore, int (*fn)(void *arg), void *arg);

/* Wait for the function on lcore to return; its return value. */
int dp_eal_wait(unsigned int lcore);

#ifdef __cplusplus
}
#endif

#endif /* DPSEC_DP_EAL_H */
