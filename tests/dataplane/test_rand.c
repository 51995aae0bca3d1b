/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_rand.c: the CBC IV generator (dp_rand).  Output never repeats a
 * 16-byte IV, two generators differ, reads of any size cross buffer
 * refills, reseeding resets the counter and changes the stream, and the
 * bit balance is what a random source gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp_rand.h"
#include "crypto_test_eal.h"

#define IVS 20000

static int iv_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* No repeated IV among IVS draws (a repeat has probability ~2^-100). */
static void test_distinct_ivs(void **state)
{
	struct dp_rand *r;
	uint8_t (*iv)[16] = malloc(IVS * 16);
	(void)state;

	assert_non_null(iv);
	assert_int_equal(dp_rand_new(-1, &r), 0);
	for (unsigned int i = 0; i < IVS; i++)
		dp_rand_bytes(r, iv[i], 16);
	assert_int_equal(dp_rand_output_since_seed(r), (uint64_t)IVS * 16);
	qsort(iv, IVS, 16, iv_cmp);
	for (unsigned int i = 1; i < IVS; i++)
		assert_true(memcmp(iv[i - 1], iv[i], 16) != 0);
	dp_rand_free(r);
	free(iv);
}

static void test_two_generators_differ(void **state)
{
	struct dp_rand *a, *b;
	uint8_t x[64], y[64];
	(void)state;

	assert_int_equal(dp_rand_new(-1, &a), 0);
	assert_int_equal(dp_rand_new(-1, &b), 0);
	dp_rand_bytes(a, x, sizeof(x));
	dp_rand_bytes(b, y, sizeof(y));
	assert_memory_not_equal(x, y, sizeof(x));
	dp_rand_free(a);
	dp_rand_free(b);
}

/* Odd sizes and sizes above the internal buffer: no zero runs (the buffer
 * is wiped after use, so a bookkeeping bug shows as zeros). */
static void test_sizes(void **state)
{
	static const size_t sizes[] = { 1, 3, 15, 16, 17, 991, 992, 993, 1024, 3000, 8192 };
	struct dp_rand *r;
	uint8_t buf[8192 + 16];
	(void)state;

	assert_int_equal(dp_rand_new(-1, &r), 0);
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t zeros = 0;

			memset(buf, 0, sizeof(buf));
			dp_rand_bytes(r, buf, sizes[i]);
			for (size_t j = 0; j + 8 <= sizes[i]; j++) {
				uint64_t v;

				memcpy(&v, buf + j, 8);
				zeros += v == 0;
			}
			assert_int_equal(zeros, 0);
			/* Bytes after the request stay untouched. */
			assert_int_equal(buf[sizes[i]], 0);
		}
	}
	dp_rand_free(r);
}

static void test_reseed(void **state)
{
	struct dp_rand *r;
	uint8_t before[32], after[32];
	(void)state;

	assert_int_equal(dp_rand_new(-1, &r), 0);
	dp_rand_bytes(r, before, sizeof(before));
	assert_int_equal(dp_rand_output_since_seed(r), sizeof(before));
	assert_int_equal(dp_rand_reseed(r), 0);
	assert_int_equal(dp_rand_output_since_seed(r), 0);
	dp_rand_bytes(r, after, sizeof(after));
	assert_memory_not_equal(before, after, sizeof(before));
	assert_int_equal(dp_rand_output_since_seed(r), sizeof(after));
	dp_rand_free(r);
}

/* After DP_RAND_RESEED_BYTES of output the generator reseeds by itself. */
static void test_automatic_reseed(void **state)
{
	enum { CHUNK = 1 << 20 };
	struct dp_rand *r;
	uint8_t *buf = malloc(CHUNK);
	(void)state;

	assert_non_null(buf);
	assert_int_equal(dp_rand_new(-1, &r), 0);
	for (uint64_t done = 0; done < DP_RAND_RESEED_BYTES; done += CHUNK)
		dp_rand_bytes(r, buf, CHUNK);
	assert_int_equal(dp_rand_output_since_seed(r), DP_RAND_RESEED_BYTES);
	dp_rand_bytes(r, buf, 16);
	/* Counted from the reseed this call made. */
	assert_int_equal(dp_rand_output_since_seed(r), 16);
	dp_rand_free(r);
	free(buf);
}

/* Monobit over 1 MiB: 8 Mi bits, ones within 6 standard deviations
 * (sd = sqrt(n)/2 = 1448). */
static void test_bit_balance(void **state)
{
	enum { LEN = 1 << 20 };
	struct dp_rand *r;
	uint8_t *buf = malloc(LEN);
	uint64_t ones = 0;
	int64_t dev;
	(void)state;

	assert_non_null(buf);
	assert_int_equal(dp_rand_new(-1, &r), 0);
	dp_rand_bytes(r, buf, LEN);
	for (size_t i = 0; i < LEN; i++)
		ones += (uint64_t)__builtin_popcount(buf[i]);
	dev = (int64_t)ones - (int64_t)LEN * 4;
	assert_true(dev < 6 * 1448 && dev > -6 * 1448);
	dp_rand_free(r);
	free(buf);
}

static int group_setup(void **state)
{
	(void)state;
	return crypto_test_eal_init("rand");
}

static int group_teardown(void **state)
{
	(void)state;
	crypto_test_eal_fini();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distinct_ivs),
		cmocka_unit_test(test_two_generators_differ),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_reseed),
		cmocka_unit_test(test_bit_balance),
		cmocka_unit_test(test_automatic_reseed),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
