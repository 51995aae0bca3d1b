/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dp_mem.h: memory for large per-SA tables, on transparent huge pages.
 *
 * Why: at a million tunnels every packet's first touch of its SA, session
 * and table slot misses the caches; on 4 KiB pages each such miss is also a
 * page walk.  Without hugetlbfs pages (no_huge) the kernel still gives 2 MiB
 * pages to anonymous private memory marked MADV_HUGEPAGE when
 * /sys/kernel/mm/transparent_hugepage/enabled is "always" or "madvise".
 * Everything here works (on 4 KiB pages) when THP is off.
 *
 *   dp_mem_map()       zeroed anonymous memory, 2 MiB aligned, MADV_HUGEPAGE:
 *                      big flat arrays (SADB slots and generations).
 *   dp_mem_slab_*()    fixed-size, cache-aligned objects carved from such
 *                      mappings (chunks of 2 MiB or more).  Freed objects go
 *                      to a free list; chunks are never returned before
 *                      dp_mem_slab_destroy(), so a late RCU reader of a freed
 *                      object reads mapped memory.  Under AddressSanitizer
 *                      free objects and unused chunk space are poisoned.
 *   dp_mem_obj_*()     process-wide slabs by size class (multiples of 64 B up
 *                      to DP_MEM_OBJ_MAX): SA hot and cold records.  Built
 *                      with AddressSanitizer they are aligned_alloc/free, so
 *                      that ASan's quarantine still reports a use after free
 *                      in the RCU tests however soon the memory comes back.
 *   dp_mem_eal_thp()   EAL's --no-huge heap (mbufs, rings, rte_malloc: the
 *                      rte_hash tables and crypto sessions) onto THP.
 *
 * Threads: dp_mem_map/unmap and dp_mem_obj_* from ANY thread (the object
 * allocator takes a mutex; CONTROL is its only caller in practice).  A slab
 * is its owner's alone (no lock).  dp_mem_eal_thp(): once, right after
 * rte_eal_init(), before any other thread uses DPDK memory.
 */
#ifndef DP_MEM_H
#define DP_MEM_H

#include <stddef.h>
#include <stdint.h>

#define DP_MEM_HUGE (2u << 20)     /* a transparent huge page */
#define DP_MEM_ALIGN 64u           /* object alignment: a cache line */
#define DP_MEM_OBJ_MAX 4096u       /* dp_mem_obj_*: larger goes to libc */

/* len bytes (> 0) of zeroed anonymous memory, aligned to DP_MEM_HUGE when
 * len >= DP_MEM_HUGE (else to the page), advised MADV_HUGEPAGE.  Address
 * space only until touched.  NULL with errno (EINVAL, ENOMEM). */
void *dp_mem_map(size_t len);

/* Unmap what dp_mem_map(len) returned; NULL is a no-op. */
void dp_mem_unmap(void *p, size_t len);

struct dp_mem_slab;

/* Objects of obj_size bytes (rounded up to DP_MEM_ALIGN), chunks of
 * chunk_size bytes (rounded up to DP_MEM_HUGE; 0 = DP_MEM_HUGE) holding at
 * least one object.  NULL with errno. */
struct dp_mem_slab *dp_mem_slab_create(size_t obj_size, size_t chunk_size);

/* One object, DP_MEM_ALIGN aligned, NOT zeroed (a reused object holds
 * what its last user left).  Maps a new chunk when the free list and the
 * current chunk are empty.  NULL with errno ENOMEM. */
void *dp_mem_slab_alloc(struct dp_mem_slab *s);

/* Back to the free list (LIFO).  obj must come from this slab; NULL is a
 * no-op. */
void dp_mem_slab_free(struct dp_mem_slab *s, void *obj);

struct dp_mem_slab_stats {
	size_t obj_size;   /* rounded */
	size_t chunk_size; /* rounded */
	uint64_t chunks;   /* mapped */
	uint64_t in_use;   /* allocated, not freed */
	uint64_t free;     /* on the free list */
};

void dp_mem_slab_stats(const struct dp_mem_slab *s, struct dp_mem_slab_stats *st);

/* Unmap every chunk: every object is gone.  NULL is a no-op. */
void dp_mem_slab_destroy(struct dp_mem_slab *s);

/* A zeroed object of size bytes (> 0), DP_MEM_ALIGN aligned, from the
 * size class's process-wide slab (libc above DP_MEM_OBJ_MAX or under
 * ASan).  NULL with errno.  Free with dp_mem_obj_free(p, size), the same
 * size. */
void *dp_mem_obj_zalloc(size_t size);
void dp_mem_obj_free(void *p, size_t size);

/* Whether dp_mem_obj_* use the slabs (false under ASan). */
int dp_mem_obj_slabs(void);

/* EAL started with --no-huge maps its heap as one shared memfd mapping
 * per memseg list, which THP never backs (shmem_enabled is "never" on most
 * systems).  Move each 4 KiB-page memseg list onto anonymous private
 * memory advised MADV_HUGEPAGE, keeping its address and the pages already
 * written.  Skipped (0) with hugetlbfs pages, with VFIO (an IOMMU may map
 * the old pages), and for external memory.  Consequence: the heap is no
 * longer shared through its fd, which only vhost-user, virtio-user and
 * memif peers or secondary processes need -- dpsecd has none.  Returns the
 * bytes moved onto THP-eligible memory, or -errno.  CONTROL, once, before
 * other threads use DPDK memory. */
int64_t dp_mem_eal_thp(void);

/* The process's AnonHugePages in bytes (/proc/self/smaps_rollup), or
 * -errno.  For tests and telemetry. */
int64_t dp_mem_anon_huge(void);

#endif /* DP_MEM_H */
