/*
 * Unit tests of the zero-page test (encoders/zero.h): every length up to a
 * page and a bit, every start alignment in a cache line, a single non-zero
 * byte at every position, for every implementation this CPU can run. The
 * tested bytes always end at the end of a malloc'ed block, so ASan catches
 * any read past them.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "zero.h"

#define MAXLEN 4160

/* ck_assert records every passing check through a pipe: far too slow for
 * these loops, which report only failures. */
#define REQUIRE(cond, ...)                                                                         \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)

/* A buffer of len bytes starting `off` bytes into a block that ends right
 * after them. */
static unsigned char *block(size_t off, size_t len, unsigned char **base)
{
	*base = calloc(off + len ? off + len : 1, 1);
	REQUIRE(*base, "out of memory");
	return *base + off;
}

static void check_len(enum zero_impl k, size_t off, size_t len, int all_positions)
{
	unsigned char *base;
	unsigned char *p = block(off, len, &base);
	REQUIRE(zero_test_with(k, p, len) == 1, "%s: len %zu off %zu", zero_impl_name(k), len, off);
	size_t step = all_positions ? 1 : (len / 17 + 1);
	for (size_t i = 0; i < len; i += step) {
		p[i] = (unsigned char)(1u << (i % 8));
		REQUIRE(zero_test_with(k, p, len) == 0, "%s: len %zu off %zu byte %zu",
			zero_impl_name(k), len, off, i);
		p[i] = 0;
	}
	if (len) {
		p[len - 1] = 0x80;
		REQUIRE(zero_test_with(k, p, len) == 0, "%s: last byte of %zu", zero_impl_name(k),
			len);
		REQUIRE(zero_test_with(k, p, len - 1) == 1, "%s: %zu", zero_impl_name(k), len - 1);
	}
	free(base);
}

/* All-zero buffers of every length 0..4160, at a few alignments, with a
 * sample of non-zero positions and always the last byte. */
START_TEST(test_every_length)
{
	enum zero_impl k = (enum zero_impl)_i;
	if (!zero_impl_available(k))
		return;
	for (size_t len = 0; len <= MAXLEN; len++)
		check_len(k, len % 64, len, 0);
}
END_TEST

/* Every start offset 0..63 with lengths up to 200, and a non-zero byte at
 * every position. */
START_TEST(test_alignment)
{
	enum zero_impl k = (enum zero_impl)_i;
	if (!zero_impl_available(k))
		return;
	for (size_t off = 0; off < 64; off++)
		for (size_t len = 0; len <= 200; len += (len < 140 ? 1 : 13))
			check_len(k, off, len, 1);
}
END_TEST

/* Page-sized buffers at odd alignments, a non-zero byte at every position. */
START_TEST(test_pages)
{
	enum zero_impl k = (enum zero_impl)_i;
	if (!zero_impl_available(k))
		return;
	static const size_t offs[] = {0, 1, 7, 33, 63};
	for (int j = 0; j < 5; j++) {
		check_len(k, offs[j], 4096, 1);
		check_len(k, offs[j], MAXLEN, 1);
	}
}
END_TEST

START_TEST(test_zero_impls)
{
	static const unsigned char z[4] = {0}, nz[4] = {0, 0, 1, 0};
	for (int k = 0; k < ZERO_IMPL_COUNT; k++) {
		int want = k == ZERO_SCALAR;
#if defined(__x86_64__) && !defined(ENC_NO_SIMD) /* as in the encoders */
		__builtin_cpu_init();
		want = k == ZERO_SCALAR || k == ZERO_SSE2 ||
		       (k == ZERO_AVX2 && __builtin_cpu_supports("avx2")) ||
		       (k == ZERO_AVX512BW && __builtin_cpu_supports("avx512f") &&
			__builtin_cpu_supports("avx512bw"));
#endif
		ck_assert_int_eq(zero_impl_available((enum zero_impl)k), want);
		ck_assert_str_ne(zero_impl_name((enum zero_impl)k), "?");
		ck_assert_int_eq(zero_test_with((enum zero_impl)k, z, 4), want ? 1 : -1);
	}
	ck_assert_int_eq(zero_impl_available(ZERO_IMPL_COUNT), 0);
	ck_assert_int_eq(zero_test_with(ZERO_IMPL_COUNT, z, 4), -1);
	ck_assert_str_eq(zero_impl_name(ZERO_IMPL_COUNT), "?");
	enum zero_impl sel = zero_impl_selected();
	ck_assert(zero_impl_available(sel));
	for (int k = sel + 1; k < ZERO_IMPL_COUNT; k++)
		ck_assert(!zero_impl_available((enum zero_impl)k));
	ck_assert_int_eq(zero_test(z, 4), 1);
	ck_assert_int_eq(zero_test(nz, 4), 0);
	ck_assert_int_eq(zero_test(NULL, 0), 1);
}
END_TEST

Suite *zero_suite(void)
{
	Suite *s = suite_create("zero");
	TCase *tc = tcase_create("zero");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_every_length, 0, ZERO_IMPL_COUNT);
	tcase_add_loop_test(tc, test_alignment, 0, ZERO_IMPL_COUNT);
	tcase_add_loop_test(tc, test_pages, 0, ZERO_IMPL_COUNT);
	tcase_add_test(tc, test_zero_impls);
	suite_add_tcase(s, tc);
	return s;
}
