/* SPDX-License-Identifier: BSD-2-Clause */
/* dp_mem.c: THP-backed memory for per-SA tables (see dp_mem.h). */
#include "dp_mem.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_memory.h>
#include <rte_vfio.h>

#if defined(__SANITIZE_ADDRESS__)
#define DP_MEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DP_MEM_ASAN 1
#endif
#endif

#ifdef DP_MEM_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static size_t round_up(size_t v, size_t to)
{
	return (v + to - 1) / to * to;
}

static size_t page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (size_t)ps : 4096;
}

/* len bytes of anonymous memory (len a page multiple) whose address is
 * congruent to `phase` modulo DP_MEM_HUGE, so that the 2 MiB blocks of the
 * range line up with huge pages (phase 0: 2 MiB aligned). */
static void *map_phased(size_t len, uintptr_t phase)
{
	size_t span = len + DP_MEM_HUGE;
	uint8_t *raw, *p;
	size_t head;

	raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	head = (phase - (uintptr_t)raw) & (DP_MEM_HUGE - 1);
	p = raw + head;
	if (head != 0)
		munmap(raw, head);
	if (span - head - len != 0)
		munmap(p + len, span - head - len);
	/* EINVAL: a kernel without THP; the memory works on small pages. */
	(void)madvise(p, len, MADV_HUGEPAGE);
	return p;
}

void *dp_mem_map(size_t len)
{
	void *p;

	if (len == 0 || len > SIZE_MAX - 2 * (size_t)DP_MEM_HUGE) {
		errno = EINVAL;
		return NULL;
	}
	len = round_up(len, page_size());
	if (len >= DP_MEM_HUGE) {
		p = map_phased(len, 0);
	} else {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		p = p == MAP_FAILED ? NULL : p;
	}
	if (p == NULL)
		errno = ENOMEM;
	return p;
}

void dp_mem_unmap(void *p, size_t len)
{
	if (p != NULL && len != 0)
		munmap(p, round_up(len, page_size()));
}

/* ------------------------------------------------------------------------ */
/* Slabs.                                                                    */

/* The first line of every chunk: the link to the chunk mapped before it. */
struct chunk {
	struct chunk *prev;
};

struct dp_mem_slab {
	size_t obj_size;
	size_t chunk_size;
	struct chunk *chunks;   /* newest first */
	void *free_head;        /* freed objects, linked through their first word */
	uint8_t *cur, *end;     /* never-used space of the newest chunk */
	uint64_t n_chunks;
	uint64_t in_use;
	uint64_t n_free;
};

struct dp_mem_slab *dp_mem_slab_create(size_t obj_size, size_t chunk_size)
{
	struct dp_mem_slab *s;

	if (obj_size == 0 || obj_size > SIZE_MAX / 4 || chunk_size > SIZE_MAX / 4) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->obj_size = round_up(obj_size, DP_MEM_ALIGN);
	if (chunk_size < DP_MEM_ALIGN + s->obj_size)
		chunk_size = DP_MEM_ALIGN + s->obj_size;
	s->chunk_size = round_up(chunk_size, DP_MEM_HUGE);
	return s;
}

static int grow(struct dp_mem_slab *s)
{
	struct chunk *c = dp_mem_map(s->chunk_size);

	if (c == NULL)
		return -ENOMEM;
	c->prev = s->chunks;
	s->chunks = c;
	s->n_chunks++;
	s->cur = (uint8_t *)c + DP_MEM_ALIGN;
	s->end = (uint8_t *)c + s->chunk_size;
	POISON(s->cur, (size_t)(s->end - s->cur));
	return 0;
}

void *dp_mem_slab_alloc(struct dp_mem_slab *s)
{
	void *obj = s->free_head;

	if (obj != NULL) {
		UNPOISON(obj, s->obj_size);
		memcpy(&s->free_head, obj, sizeof(void *));
		s->n_free--;
	} else {
		if ((size_t)(s->end - s->cur) < s->obj_size && grow(s) != 0) {
			errno = ENOMEM;
			return NULL;
		}
		obj = s->cur;
		s->cur += s->obj_size;
		UNPOISON(obj, s->obj_size);
	}
	s->in_use++;
	return obj;
}

void dp_mem_slab_free(struct dp_mem_slab *s, void *obj)
{
	if (obj == NULL)
		return;
	memcpy(obj, &s->free_head, sizeof(void *));
	s->free_head = obj;
	POISON(obj, s->obj_size);
	s->in_use--;
	s->n_free++;
}

void dp_mem_slab_stats(const struct dp_mem_slab *s, struct dp_mem_slab_stats *st)
{
	*st = (struct dp_mem_slab_stats){
		.obj_size = s->obj_size,
		.chunk_size = s->chunk_size,
		.chunks = s->n_chunks,
		.in_use = s->in_use,
		.free = s->n_free,
	};
}

void dp_mem_slab_destroy(struct dp_mem_slab *s)
{
	struct chunk *c, *prev;

	if (s == NULL)
		return;
	for (c = s->chunks; c != NULL; c = prev) {
		prev = c->prev;
		UNPOISON(c, s->chunk_size); /* the next mapping here starts clean */
		dp_mem_unmap(c, s->chunk_size);
	}
	free(s);
}

/* ------------------------------------------------------------------------ */
/* Process-wide objects by size class.                                       */

#define OBJ_CLASSES (DP_MEM_OBJ_MAX / DP_MEM_ALIGN)

/* Never destroyed: an object may be freed by whichever context outlives
 * another, and the chunks are address space until touched. */
static struct {
	pthread_mutex_t lock;
	struct dp_mem_slab *slab[OBJ_CLASSES];
} objs = { .lock = PTHREAD_MUTEX_INITIALIZER };

int dp_mem_obj_slabs(void)
{
#ifdef DP_MEM_ASAN
	return 0;
#else
	return 1;
#endif
}

void *dp_mem_obj_zalloc(size_t size)
{
	size_t rounded = round_up(size, DP_MEM_ALIGN);
	struct dp_mem_slab **sp;
	void *p = NULL;

	if (size == 0 || size > SIZE_MAX - DP_MEM_ALIGN) {
		errno = EINVAL;
		return NULL;
	}
	if (!dp_mem_obj_slabs() || rounded > DP_MEM_OBJ_MAX) {
		p = aligned_alloc(DP_MEM_ALIGN, rounded);
		if (p != NULL)
			memset(p, 0, rounded);
		return p;
	}
	sp = &objs.slab[rounded / DP_MEM_ALIGN - 1];
	pthread_mutex_lock(&objs.lock);
	if (*sp == NULL)
		*sp = dp_mem_slab_create(rounded, 0);
	if (*sp != NULL)
		p = dp_mem_slab_alloc(*sp);
	pthread_mutex_unlock(&objs.lock);
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memset(p, 0, rounded);
	return p;
}

void dp_mem_obj_free(void *p, size_t size)
{
	size_t rounded = round_up(size, DP_MEM_ALIGN);

	if (p == NULL)
		return;
	if (!dp_mem_obj_slabs() || rounded > DP_MEM_OBJ_MAX) {
		free(p);
		return;
	}
	pthread_mutex_lock(&objs.lock);
	dp_mem_slab_free(objs.slab[rounded / DP_MEM_ALIGN - 1], p);
	pthread_mutex_unlock(&objs.lock);
}

/* ------------------------------------------------------------------------ */
/* EAL's --no-huge heap.                                                     */

/* Move [base, base + len) onto anonymous memory advised MADV_HUGEPAGE:
 * map the new memory in the same 2 MiB phase, copy the pages that exist
 * (mincore: the rest reads as zero either way, and copying it would commit
 * the whole heap), then mremap it over the old mapping in one step. */
static int move_to_thp(uint8_t *base, size_t len)
{
	size_t ps = page_size(), npages = len / ps;
	unsigned char *vec = NULL;
	uint8_t *fresh;
	int err = 0;

	fresh = map_phased(len, (uintptr_t)base & (DP_MEM_HUGE - 1));
	if (fresh == NULL)
		return -ENOMEM;
	vec = malloc(npages);
	if (vec == NULL) {
		err = -ENOMEM;
		goto out;
	}
	if (mincore(base, len, vec) != 0) {
		err = -errno;
		goto out;
	}
	for (size_t i = 0; i < npages;) {
		size_t j = i;

		if ((vec[i] & 1) == 0) {
			i++;
			continue;
		}
		while (j < npages && (vec[j] & 1) != 0)
			j++;
		memcpy(fresh + i * ps, base + i * ps, (j - i) * ps);
		i = j;
	}
	if (mremap(fresh, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, base) != base) {
		err = -errno;
		goto out;
	}
	fresh = NULL; /* it is the heap now */
out:
	free(vec);
	if (fresh != NULL)
		munmap(fresh, len);
	return err;
}

static int thp_one(const struct rte_memseg_list *msl, void *arg)
{
	int64_t *moved = arg;
	int err;

	if (msl->external || msl->base_va == NULL || msl->len == 0 ||
	    msl->page_sz != page_size() || msl->len % page_size() != 0)
		return 0;
	err = move_to_thp(msl->base_va, msl->len);
	if (err != 0) {
		*moved = err;
		return 1; /* stop the walk */
	}
	*moved += (int64_t)msl->len;
	return 0;
}

int64_t dp_mem_eal_thp(void)
{
	int64_t moved = 0;

	if (rte_eal_has_hugepages() || rte_vfio_is_enabled("vfio") == 1)
		return 0;
	if (rte_memseg_list_walk(thp_one, &moved) < 0)
		return -EIO;
	return moved;
}

int64_t dp_mem_anon_huge(void)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (f == NULL)
		return -errno;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "AnonHugePages: %lld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb < 0 ? -ENOENT : (int64_t)kb * 1024;
}
