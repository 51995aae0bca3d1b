/* SPDX-License-Identifier: BSD-2-Clause */
/* test_mem.c: dp_mem -- THP mappings, slabs, size-class objects, EAL heap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_malloc.h>
#include <rte_mempool.h>

#include "dp_mem.h"
#include "dp_test_eal.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* THP can be given: "always" or "madvise" selected. */
static int thp_enabled(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	return strstr(buf, "[never]") == NULL && buf[0] != '\0';
}

static void test_map(void **state)
{
	static const size_t lens[] = { 1, 4096, 100000, 2u << 20, (5u << 20) + 123 };

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t *p = dp_mem_map(lens[i]);

		assert_non_null(p);
		if (lens[i] >= DP_MEM_HUGE)
			assert_int_equal((uintptr_t)p % DP_MEM_HUGE, 0);
		assert_int_equal(p[0], 0);
		assert_int_equal(p[lens[i] - 1], 0);
		memset(p, 0xa5, lens[i]);
		dp_mem_unmap(p, lens[i]);
	}
	assert_null(dp_mem_map(0));
	dp_mem_unmap(NULL, 10);
}

/* obj_size, chunk_size asked -> rounded values. */
static const struct {
	size_t obj, chunk, want_obj, want_chunk;
} slab_cases[] = {
	{ 1, 0, 64, 2u << 20 },
	{ 448, 0, 448, 2u << 20 },
	{ 449, 0, 512, 2u << 20 },
	{ 100, 3u << 20, 128, 4u << 20 },
	{ 3u << 20, 0, 3u << 20, 4u << 20 }, /* one object per chunk */
};

static void test_slab_rounding(void **state)
{
	struct dp_mem_slab_stats st;

	(void)state;
	for (size_t i = 0; i < sizeof(slab_cases) / sizeof(slab_cases[0]); i++) {
		struct dp_mem_slab *s = dp_mem_slab_create(slab_cases[i].obj, slab_cases[i].chunk);

		assert_non_null(s);
		dp_mem_slab_stats(s, &st);
		assert_int_equal(st.obj_size, slab_cases[i].want_obj);
		assert_int_equal(st.chunk_size, slab_cases[i].want_chunk);
		assert_int_equal(st.chunks, 0); /* nothing mapped before the first object */
		dp_mem_slab_destroy(s);
	}
	assert_null(dp_mem_slab_create(0, 0));
	dp_mem_slab_destroy(NULL);
}

static void test_slab_alloc_reuse_grow(void **state)
{
	struct dp_mem_slab *s = dp_mem_slab_create(448, 0);
	size_t per_chunk = ((2u << 20) - DP_MEM_ALIGN) / 448;
	size_t n = 2 * per_chunk + 5; /* three chunks */
	struct dp_mem_slab_stats st;
	uint8_t **objs = calloc(n, sizeof(*objs));
	uint8_t *again;

	(void)state;
	assert_non_null(s);
	assert_non_null(objs);
	for (size_t i = 0; i < n; i++) {
		objs[i] = dp_mem_slab_alloc(s);
		assert_non_null(objs[i]);
		assert_int_equal((uintptr_t)objs[i] % DP_MEM_ALIGN, 0);
		memset(objs[i], (int)(i & 0xff), 448); /* whole object writable */
	}
	/* Distinct and non-overlapping: each still holds its own pattern. */
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(objs[i][0], i & 0xff);
		assert_int_equal(objs[i][447], i & 0xff);
		if (i > 0)
			assert_true(objs[i] != objs[i - 1]);
	}
	dp_mem_slab_stats(s, &st);
	assert_int_equal(st.chunks, 3);
	assert_int_equal(st.in_use, n);
	assert_int_equal(st.free, 0);

	/* Free two, get them back (LIFO) before any new space. */
	dp_mem_slab_free(s, objs[7]);
	dp_mem_slab_free(s, objs[per_chunk + 1]);
#ifdef TEST_ASAN
	assert_true(__asan_address_is_poisoned(objs[7] + 100));
#endif
	dp_mem_slab_stats(s, &st);
	assert_int_equal(st.in_use, n - 2);
	assert_int_equal(st.free, 2);
	again = dp_mem_slab_alloc(s);
	assert_ptr_equal(again, objs[per_chunk + 1]);
	again = dp_mem_slab_alloc(s);
	assert_ptr_equal(again, objs[7]);
	dp_mem_slab_stats(s, &st);
	assert_int_equal(st.chunks, 3);
	assert_int_equal(st.free, 0);
	assert_int_equal(st.in_use, n);
	dp_mem_slab_free(s, NULL);
	dp_mem_slab_destroy(s);
	free(objs);
}

static void test_obj(void **state)
{
	static const size_t sizes[] = { 1, 64, 65, 448, 448 + 48, sizeof(void *) * 100,
		DP_MEM_OBJ_MAX, DP_MEM_OBJ_MAX + 1, 10000 };
	void *p[sizeof(sizes) / sizeof(sizes[0])];

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *b = dp_mem_obj_zalloc(sizes[i]);

		assert_non_null(b);
		assert_int_equal((uintptr_t)b % DP_MEM_ALIGN, 0);
		for (size_t j = 0; j < sizes[i]; j++)
			assert_int_equal(b[j], 0);
		memset(b, 0xee, sizes[i]);
		p[i] = b;
	}
	/* Freed and taken again: zeroed however it was left. */
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *b;

		dp_mem_obj_free(p[i], sizes[i]);
		b = dp_mem_obj_zalloc(sizes[i]);
		assert_non_null(b);
		if (dp_mem_obj_slabs() && sizes[i] <= DP_MEM_OBJ_MAX)
			assert_ptr_equal(b, p[i]);
		for (size_t j = 0; j < sizes[i]; j++)
			assert_int_equal(b[j], 0);
		dp_mem_obj_free(b, sizes[i]);
	}
	assert_null(dp_mem_obj_zalloc(0));
	dp_mem_obj_free(NULL, 64);
}

/* The EAL heap moved onto anonymous memory keeps what it held and works
 * afterwards; with THP on, touching it gives huge pages. */
static void test_eal_heap(void **state)
{
	const size_t len = 16u << 20;
	uint8_t *before, *after;
	struct rte_mempool *mp;
	int64_t moved, huge0, huge1;

	(void)state;
	before = rte_malloc("test_mem", 1u << 20, 64);
	assert_non_null(before);
	for (size_t i = 0; i < (1u << 20); i++)
		before[i] = (uint8_t)(i * 7);

	moved = dp_mem_eal_thp();
	assert_true(moved >= (int64_t)(256u << 20)); /* the whole -m 256 list */
	for (size_t i = 0; i < (1u << 20); i++)
		assert_int_equal(before[i], (uint8_t)(i * 7));
	rte_free(before);

	huge0 = dp_mem_anon_huge();
	assert_true(huge0 >= 0);
	after = rte_zmalloc("test_mem", len, 64);
	assert_non_null(after);
	memset(after, 1, len);
	huge1 = dp_mem_anon_huge();
	if (thp_enabled())
		assert_true(huge1 - huge0 >= (int64_t)DP_MEM_HUGE);
	rte_free(after);

	mp = rte_mempool_create("test_mem_mp", 1023, 256, 32, 0, NULL, NULL, NULL, NULL,
				SOCKET_ID_ANY, 0);
	assert_non_null(mp);
	rte_mempool_free(mp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_slab_rounding),
		cmocka_unit_test(test_slab_alloc_reuse_grow),
		cmocka_unit_test(test_obj),
		cmocka_unit_test(test_eal_heap),
	};
	int rc;

	if (dp_test_eal_init("mem", 256) != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dp_test_eal_fini();
	return rc;
}
