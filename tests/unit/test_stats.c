/*
 * Unit tests of stats: order statistics against hand-computed values, the
 * Mann–Whitney test against textbook p-values and against a brute-force
 * enumeration of rank assignments written here (independent of the
 * Gaussian-binomial counting in stats.c), and the compare verdicts.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "stats.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(test_median)
{
	double odd[] = {3, 1, 2}, even[] = {4, 1, 3, 2}, dup[] = {5, 5, 1, 5}, one[] = {7};
	ck_assert_double_eq(stats_median(odd, 3), 2);
	ck_assert_double_eq(stats_median(even, 4), 2.5);
	ck_assert_double_eq(stats_median(dup, 4), 5);
	ck_assert_double_eq(stats_median(one, 1), 7);
	ck_assert(isnan(stats_median(odd, 0)));
	double withnan[] = {1, NAN, 3};
	ck_assert(isnan(stats_median(withnan, 3)));
	/* the input stays unsorted */
	ck_assert_double_eq(even[0], 4);
	ck_assert_double_eq(even[3], 2);
}
END_TEST

START_TEST(test_quantile_type7)
{
	double x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	ck_assert_double_eq_tol(stats_quantile(x, 10, 0.25), 3.25, 1e-12);
	ck_assert_double_eq_tol(stats_quantile(x, 10, 0.75), 7.75, 1e-12);
	ck_assert_double_eq(stats_quantile(x, 10, 0), 1);
	ck_assert_double_eq(stats_quantile(x, 10, 1), 10);
	/* sorted {1, 3, 7, 10}: h = 0.75 and 2.7 */
	double u[] = {10, 1, 7, 3};
	ck_assert_double_eq_tol(stats_quantile(u, 4, 0.25), 2.5, 1e-12);
	ck_assert_double_eq_tol(stats_quantile(u, 4, 0.9), 9.1, 1e-12);
	ck_assert(isnan(stats_quantile(u, 4, 1.5)));
	ck_assert(isnan(stats_quantile(u, 4, -0.1)));
	ck_assert_double_eq(stats_min(u, 4), 1);
	ck_assert_double_eq(stats_max(u, 4), 10);
	ck_assert(isnan(stats_min(u, 0)));
}
END_TEST

START_TEST(test_summarize)
{
	double x[] = {9, 2, 2, 7, 4, 1, 8};
	stats_summary s;
	err e;
	ck_assert_int_eq(stats_summarize(x, 7, &s, &e), 0);
	/* sorted {1, 2, 2, 4, 7, 8, 9}: h = 1.5, 3, 4.5 */
	ck_assert_uint_eq(s.n, 7);
	ck_assert_double_eq(s.min, 1);
	ck_assert_double_eq(s.q1, 2);
	ck_assert_double_eq(s.median, 4);
	ck_assert_double_eq_tol(s.q3, 7.5, 1e-12);
	ck_assert_double_eq(s.max, 9);
	ck_assert_int_eq(stats_summarize(x, 0, &s, &e), -1);
}
END_TEST

/* Count over all placements of n1 a-values among n (bit set = a): U of a. */
static unsigned brute_u(uint32_t mask, int n)
{
	unsigned u = 0, b_below = 0;
	for (int i = 0; i < n; i++) {
		if (mask >> i & 1)
			u += b_below;
		else
			b_below++;
	}
	return u;
}

/* Two-sided p of observing U = u, by enumerating every placement. */
static double brute_p(int n1, int n2, unsigned u)
{
	int n = n1 + n2;
	double lower = 0, upper = 0, total = 0;
	for (uint32_t mask = 0; mask < (1u << n); mask++) {
		if (__builtin_popcount(mask) != n1)
			continue;
		unsigned v = brute_u(mask, n);
		total++;
		lower += v <= u;
		upper += v >= u;
	}
	double p = 2 * fmin(lower, upper) / total;
	return p > 1 ? 1 : p;
}

/* Splits ranks 1..n into a (bits set) and b. */
static void split(uint32_t mask, int n, double *a, double *b)
{
	int i1 = 0, i2 = 0;
	for (int i = 0; i < n; i++) {
		if (mask >> i & 1)
			a[i1++] = i + 1;
		else
			b[i2++] = i + 1;
	}
}

START_TEST(test_mwu_separated)
{
	double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10};
	stats_mwu r;
	err e;
	ck_assert_int_eq(stats_mann_whitney(a, 5, b, 5, STATS_AUTO, &r, &e), 0);
	ck_assert_double_eq(r.u, 0);
	ck_assert_double_eq_tol(r.p, 2.0 / 252, 1e-15);
	ck_assert_str_eq(r.method, "exact");
	ck_assert_int_eq(stats_mann_whitney(b, 5, a, 5, STATS_AUTO, &r, &e), 0);
	ck_assert_double_eq(r.u, 25);
	ck_assert_double_eq_tol(r.p, 2.0 / 252, 1e-15);
	double c[] = {1, 2, 3}, d[] = {4, 5, 6};
	ck_assert_int_eq(stats_mann_whitney(c, 3, d, 3, STATS_AUTO, &r, &e), 0);
	ck_assert_double_eq_tol(r.p, 0.1, 1e-15);
}
END_TEST

START_TEST(test_mwu_identical)
{
	double a[] = {5, 5, 5, 5}, b[] = {5, 5, 5, 5, 5};
	double c[] = {1, 2, 3, 4, 5};
	stats_mwu r;
	err e;
	ck_assert_int_eq(stats_mann_whitney(a, 4, b, 5, STATS_AUTO, &r, &e), 0);
	ck_assert_double_eq(r.u, 10);
	ck_assert_double_eq(r.p, 1);
	ck_assert_int_eq(stats_mann_whitney(c, 5, c, 5, STATS_AUTO, &r, &e), 0);
	ck_assert_double_eq(r.u, 12.5);
	ck_assert_double_eq(r.p, 1);
}
END_TEST

START_TEST(test_mwu_interleaved)
{
	double a[] = {1, 3, 5, 7, 9}, b[] = {2, 4, 6, 8, 10};
	stats_mwu r;
	err e;
	ck_assert_int_eq(stats_mann_whitney(a, 5, b, 5, STATS_AUTO, &r, &e), 0);
	ck_assert_double_eq(r.u, 10);
	ck_assert_str_eq(r.method, "exact");
	ck_assert_double_eq_tol(r.p, brute_p(5, 5, 10), 1e-12);
	ck_assert_double_eq_tol(r.p, 0.6904762, 1e-7);
}
END_TEST

/* Every placement of every pair of sizes up to 12 values in all. */
START_TEST(test_mwu_exact_exhaustive)
{
	double a[12], b[12];
	stats_mwu r;
	err e;
	for (int n = 2; n <= 12; n++)
		for (int n1 = 1; n1 < n; n1++) {
			double p_of_u[37];
			for (unsigned u = 0; u <= (unsigned)(n1 * (n - n1)); u++)
				p_of_u[u] = brute_p(n1, n - n1, u);
			for (uint32_t mask = 0; mask < (1u << n); mask++) {
				if (__builtin_popcount(mask) != n1)
					continue;
				split(mask, n, a, b);
				ck_assert_int_eq(stats_mann_whitney(a, (size_t)n1, b,
								    (size_t)(n - n1), STATS_EXACT,
								    &r, &e),
						 0);
				unsigned u = brute_u(mask, n);
				ck_assert_double_eq(r.u, u);
				ck_assert_double_eq_tol(r.p, p_of_u[u], 1e-12);
			}
		}
}
END_TEST

/* At the 64-value limit the counts come close to 2^64: the extreme tail is
 * exactly 2 / C(64, 32), and a middling case agrees with the normal form. */
START_TEST(test_mwu_exact_large)
{
	double a[33], b[33];
	stats_mwu r, rn;
	err e;
	for (int i = 0; i < 32; i++) {
		a[i] = i;
		b[i] = 100 + i;
	}
	ck_assert_int_eq(stats_mann_whitney(a, 32, b, 32, STATS_EXACT, &r, &e), 0);
	ck_assert_double_eq_tol(r.p / (2.0 / 1832624140942590534.0), 1, 1e-9);
	for (int i = 0; i < 32; i++) {
		a[i] = 2 * i;
		b[i] = 2 * i + 7;
	}
	ck_assert_int_eq(stats_mann_whitney(a, 32, b, 32, STATS_EXACT, &r, &e), 0);
	ck_assert_int_eq(stats_mann_whitney(a, 32, b, 32, STATS_NORMAL, &rn, &e), 0);
	ck_assert(r.p > 0.05 && r.p < 0.95);
	ck_assert_double_eq_tol(r.p, rn.p, 0.01);
	a[32] = 1000;
	ck_assert_int_eq(stats_mann_whitney(a, 33, b, 32, STATS_EXACT, &r, &e), -1);
}
END_TEST

START_TEST(test_mwu_normal_vs_exact)
{
	double a[21], b[21];
	stats_mwu ex, no, au;
	err e;
	for (int i = 0; i < 20; i++) {
		a[i] = i;
		b[i] = i + 3.5;
	}
	ck_assert_int_eq(stats_mann_whitney(a, 20, b, 20, STATS_EXACT, &ex, &e), 0);
	ck_assert_int_eq(stats_mann_whitney(a, 20, b, 20, STATS_NORMAL, &no, &e), 0);
	ck_assert_int_eq(stats_mann_whitney(a, 20, b, 20, STATS_AUTO, &au, &e), 0);
	/* a_i = i beats b_j = j + 3.5 for j <= i - 4: U = 1 + 2 + ... + 16 */
	ck_assert_double_eq(ex.u, 136);
	ck_assert(ex.p > 0.005 && ex.p < 0.2);
	ck_assert_double_eq_tol(ex.p, no.p, 0.01);
	ck_assert_str_eq(au.method, "exact");
	ck_assert_double_eq(au.p, ex.p);
	a[20] = 20;
	b[20] = 23.5;
	ck_assert_int_eq(stats_mann_whitney(a, 21, b, 21, STATS_AUTO, &au, &e), 0);
	ck_assert_str_eq(au.method, "normal");
}
END_TEST

/* Pooled 1 2 2 2 3 4 5 6: the 2s share rank 3, so R_a = 1 + 3 + 3 + 5 = 12
 * and U = 12 - 10 = 2; one tie group of 3 gives var = 16/12 (9 - 24/56) =
 * 80/7, and p = erfc((8 - 2 - 0.5) / sqrt(2 * 80/7)). */
START_TEST(test_mwu_ties)
{
	double a[] = {2, 1, 3, 2}, b[] = {6, 2, 4, 5};
	stats_mwu r;
	err e;
	ck_assert_int_eq(stats_mann_whitney(a, 4, b, 4, STATS_AUTO, &r, &e), 0);
	ck_assert_double_eq(r.u, 2);
	ck_assert_str_eq(r.method, "normal");
	ck_assert_double_eq_tol(r.p, 0.1037536775209857, 1e-12);
	ck_assert_int_eq(stats_mann_whitney(a, 4, b, 4, STATS_EXACT, &r, &e), -1);
	ck_assert(strstr(e.msg, "ties") != NULL);
}
END_TEST

START_TEST(test_mwu_bad_input)
{
	double a[] = {1, 2}, b[] = {3, NAN};
	stats_mwu r;
	err e;
	ck_assert_int_eq(stats_mann_whitney(a, 0, b, 1, STATS_AUTO, &r, &e), -1);
	ck_assert_int_eq(stats_mann_whitney(a, 2, b, 2, STATS_AUTO, &r, &e), -1);
	ck_assert(strstr(e.msg, "NaN") != NULL);
}
END_TEST

START_TEST(test_mwu_min_p)
{
	ck_assert_double_eq_tol(stats_mwu_min_p(3, 3), 0.1, 1e-15);
	ck_assert_double_eq_tol(stats_mwu_min_p(4, 4), 2.0 / 70, 1e-15);
	ck_assert_double_eq_tol(stats_mwu_min_p(5, 5), 2.0 / 252, 1e-15);
	ck_assert_double_eq_tol(stats_mwu_min_p(3, 10), 2.0 / 286, 1e-15);
	ck_assert_double_eq(stats_mwu_min_p(1, 1), 1);
}
END_TEST

static stats_verdict verdict(const double *base, size_t nb, const double *new_, size_t nn,
			     stats_dir dir)
{
	stats_verdict v;
	err e;
	ck_assert_int_eq(
	    stats_compare(base, nb, new_, nn, dir, STATS_ALPHA, STATS_THRESHOLD, &v, &e), 0);
	return v;
}

START_TEST(test_verdict_identical)
{
	double x[] = {100, 101, 99, 100, 102};
	stats_verdict v = verdict(x, 5, x, 5, STATS_LOWER_IS_BETTER);
	ck_assert_double_eq(v.median_base, 100);
	ck_assert_double_eq(v.median_new, 100);
	ck_assert_double_eq(v.change, 0);
	ck_assert_double_eq(v.test.p, 1);
	ck_assert(!v.significant && !v.worse && !v.better && !v.too_few);
}
END_TEST

START_TEST(test_verdict_regression)
{
	double base[] = {100, 101, 99, 100, 102}, new_[] = {120, 121, 119, 122, 120};
	stats_verdict v = verdict(base, 5, new_, 5, STATS_LOWER_IS_BETTER);
	ck_assert_double_eq_tol(v.change, 0.2, 1e-12);
	ck_assert(v.test.p < 0.05);
	ck_assert(v.significant && v.worse && !v.better && !v.too_few);
	/* the same data the other way round is an improvement */
	v = verdict(new_, 5, base, 5, STATS_LOWER_IS_BETTER);
	ck_assert(v.significant && v.better && !v.worse);
}
END_TEST

START_TEST(test_verdict_noise)
{
	double base[] = {100, 101, 99, 100, 102}, new_[] = {101, 99, 102, 100, 98};
	stats_verdict v = verdict(base, 5, new_, 5, STATS_LOWER_IS_BETTER);
	ck_assert(fabs(v.change) <= 0.02);
	ck_assert(!v.significant && !v.worse && !v.better);
	/* significant but only 2 %: real, yet within the threshold */
	double tight[] = {100.0, 100.1, 100.2, 100.3, 100.4};
	double up2[] = {102.0, 102.1, 102.2, 102.3, 102.4};
	v = verdict(tight, 5, up2, 5, STATS_LOWER_IS_BETTER);
	ck_assert(v.significant && !v.worse && !v.better);
}
END_TEST

/* A change of exactly the threshold is not beyond it. */
START_TEST(test_verdict_threshold_edge)
{
	double base[] = {99, 99.5, 100, 100.5, 101}, new_[] = {104, 104.5, 105, 105.5, 106};
	stats_verdict v;
	err e;
	ck_assert_int_eq(stats_compare(base, 5, new_, 5, STATS_LOWER_IS_BETTER, 0.05, 0.05, &v, &e),
			 0);
	ck_assert_double_eq(v.change, 0.05);
	ck_assert(v.significant && !v.worse);
	ck_assert_int_eq(
	    stats_compare(base, 5, new_, 5, STATS_LOWER_IS_BETTER, 0.05, 0.049, &v, &e), 0);
	ck_assert(v.worse);
}
END_TEST

START_TEST(test_verdict_too_few)
{
	double base[] = {1, 2, 3}, new_[] = {100, 200, 300};
	stats_verdict v = verdict(base, 3, new_, 3, STATS_LOWER_IS_BETTER);
	ck_assert(v.too_few && !v.significant && !v.worse);
	ck_assert_double_eq_tol(v.test.p, 0.1, 1e-15);
	/* 3 against 10 could reach p < 0.05, but the rule is per side */
	double many[] = {100, 101, 102, 103, 104, 105, 106, 107, 108, 109};
	v = verdict(base, 3, many, 10, STATS_LOWER_IS_BETTER);
	ck_assert(v.test.p < 0.05);
	ck_assert(v.too_few && !v.significant && !v.worse);
	/* 4 per side is enough: p = 2/70 */
	double b4[] = {1, 2, 3, 4}, n4[] = {100, 200, 300, 400};
	v = verdict(b4, 4, n4, 4, STATS_LOWER_IS_BETTER);
	ck_assert(!v.too_few && v.significant && v.worse);
}
END_TEST

START_TEST(test_verdict_direction)
{
	double base[] = {0.95, 0.96, 0.94, 0.95, 0.97}, new_[] = {0.70, 0.71, 0.69, 0.72, 0.70};
	stats_verdict v = verdict(base, 5, new_, 5, STATS_HIGHER_IS_BETTER);
	ck_assert(v.change < -0.2);
	ck_assert(v.significant && v.worse && !v.better);
	v = verdict(base, 5, new_, 5, STATS_LOWER_IS_BETTER);
	ck_assert(v.significant && v.better && !v.worse);
}
END_TEST

START_TEST(test_verdict_zero_base)
{
	double z[] = {0, 0, 0, 0, 0}, one[] = {1, 1, 1, 1, 1}, neg[] = {-1, -1, -1, -1, -1};
	stats_verdict v = verdict(z, 5, z, 5, STATS_LOWER_IS_BETTER);
	ck_assert_double_eq(v.change, 0);
	ck_assert(!v.significant);
	v = verdict(z, 5, one, 5, STATS_LOWER_IS_BETTER);
	ck_assert(isinf(v.change) && v.change > 0);
	/* two tie groups of 5: var = 25/12 (11 - 240/90) */
	ck_assert_double_eq_tol(v.test.p, 0.003976751709788652, 1e-12);
	ck_assert(v.worse);
	v = verdict(z, 5, neg, 5, STATS_LOWER_IS_BETTER);
	ck_assert(isinf(v.change) && v.change < 0);
	ck_assert(v.better);
}
END_TEST

START_TEST(test_verdict_bad_input)
{
	double x[] = {1, 2, 3, 4}, bad[] = {1, NAN, 3, 4};
	stats_verdict v;
	err e;
	ck_assert_int_eq(stats_compare(x, 4, x, 0, STATS_LOWER_IS_BETTER, 0.05, 0.05, &v, &e), -1);
	ck_assert_int_eq(stats_compare(x, 4, bad, 4, STATS_LOWER_IS_BETTER, 0.05, 0.05, &v, &e),
			 -1);
	ck_assert_int_eq(stats_compare(x, 4, x, 4, STATS_LOWER_IS_BETTER, 0, 0.05, &v, &e), -1);
	ck_assert_int_eq(stats_compare(x, 4, x, 4, STATS_LOWER_IS_BETTER, 0.05, -1, &v, &e), -1);
}
END_TEST

START_TEST(test_bootstrap)
{
	double base[10], new_[10], c1[] = {1, 1, 1, 1}, c3[] = {3, 3, 3};
	for (int i = 0; i < 10; i++) {
		base[i] = 100 + i;
		new_[i] = 120 + i;
	}
	rng r1, r2;
	double lo, hi, lo2, hi2;
	err e;
	rng_seed(&r1, 42, "bootstrap");
	ck_assert_int_eq(stats_bootstrap_median_diff(c1, 4, c3, 3, 200, 0.95, &r1, &lo, &hi, &e),
			 0);
	ck_assert_double_eq(lo, 2);
	ck_assert_double_eq(hi, 2);
	rng_seed(&r1, 7, "bootstrap");
	rng_seed(&r2, 7, "bootstrap");
	ck_assert_int_eq(
	    stats_bootstrap_median_diff(base, 10, new_, 10, 2000, 0.95, &r1, &lo, &hi, &e), 0);
	ck_assert_int_eq(
	    stats_bootstrap_median_diff(base, 10, new_, 10, 2000, 0.95, &r2, &lo2, &hi2, &e), 0);
	ck_assert_double_eq(lo, lo2);
	ck_assert_double_eq(hi, hi2);
	/* resampled medians stay in [100, 109] and [120, 129] */
	ck_assert(lo >= 11 && hi <= 29);
	ck_assert(lo < 20 && hi > 20);
	double inf[] = {1, INFINITY};
	ck_assert_int_eq(stats_bootstrap_median_diff(inf, 2, c3, 3, 100, 0.95, &r1, &lo, &hi, &e),
			 -1);
	ck_assert_int_eq(stats_bootstrap_median_diff(c1, 4, c3, 3, 1, 0.95, &r1, &lo, &hi, &e), -1);
}
END_TEST

Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *order = tcase_create("order");
	tcase_add_test(order, test_median);
	tcase_add_test(order, test_quantile_type7);
	tcase_add_test(order, test_summarize);
	suite_add_tcase(s, order);
	TCase *mwu = tcase_create("mann_whitney");
	tcase_add_test(mwu, test_mwu_separated);
	tcase_add_test(mwu, test_mwu_identical);
	tcase_add_test(mwu, test_mwu_interleaved);
	tcase_add_test(mwu, test_mwu_exact_exhaustive);
	tcase_add_test(mwu, test_mwu_exact_large);
	tcase_add_test(mwu, test_mwu_normal_vs_exact);
	tcase_add_test(mwu, test_mwu_ties);
	tcase_add_test(mwu, test_mwu_bad_input);
	tcase_add_test(mwu, test_mwu_min_p);
	suite_add_tcase(s, mwu);
	TCase *ver = tcase_create("verdict");
	tcase_add_test(ver, test_verdict_identical);
	tcase_add_test(ver, test_verdict_regression);
	tcase_add_test(ver, test_verdict_noise);
	tcase_add_test(ver, test_verdict_threshold_edge);
	tcase_add_test(ver, test_verdict_too_few);
	tcase_add_test(ver, test_verdict_direction);
	tcase_add_test(ver, test_verdict_zero_base);
	tcase_add_test(ver, test_verdict_bad_input);
	tcase_add_test(ver, test_bootstrap);
	suite_add_tcase(s, ver);
	return s;
}
