/*
 * stats — order statistics, the Mann–Whitney U test and compare verdicts;
 * see stats.h for the interface and docs/compare.md for the reasoning.
 *
 * Everything works on sorted copies, so callers' arrays stay as they were.
 * The exact null distribution of U is the coefficient list of a Gaussian
 * binomial, built by polynomial steps in 64-bit integers (see exact_p).
 */
#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Up to this many values per side, and no ties, STATS_AUTO is exact. */
#define EXACT_AUTO_MAX 20

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return (a > b) - (a < b);
}

static int has_nan(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isnan(x[i]))
			return 1;
	return 0;
}

static int all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return 0;
	return 1;
}

static void *alloc_array(size_t n, size_t size)
{
	if (n == 0 || n > SIZE_MAX / size)
		return NULL;
	return malloc(n * size);
}

/* A sorted copy of x, or NULL when there is no answer (empty, NaN, memory). */
static double *sorted_copy(const double *x, size_t n)
{
	if (n == 0 || has_nan(x, n))
		return NULL;
	double *s = alloc_array(n, sizeof *s);
	if (!s)
		return NULL;
	memcpy(s, x, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	return s;
}

/* Type 7 on sorted s. Equal neighbours return the value itself so that a
 * median of {100, 100} is exactly 100; infinite ones use the weighted form,
 * which does not turn -inf + inf into NaN when only one end is infinite. */
static double quantile_sorted(const double *s, size_t n, double p)
{
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);
	double f = h - (double)lo;
	if (lo + 1 >= n || f == 0 || s[lo] == s[lo + 1])
		return s[lo];
	if (isinf(s[lo]) || isinf(s[lo + 1]))
		return (1 - f) * s[lo] + f * s[lo + 1];
	return s[lo] + f * (s[lo + 1] - s[lo]);
}

double stats_quantile(const double *x, size_t n, double p)
{
	if (!(p >= 0 && p <= 1))
		return NAN;
	double *s = sorted_copy(x, n);
	if (!s)
		return NAN;
	double q = quantile_sorted(s, n, p);
	free(s);
	return q;
}

double stats_median(const double *x, size_t n)
{
	return stats_quantile(x, n, 0.5);
}

double stats_min(const double *x, size_t n)
{
	if (n == 0 || has_nan(x, n))
		return NAN;
	double m = x[0];
	for (size_t i = 1; i < n; i++)
		if (x[i] < m)
			m = x[i];
	return m;
}

double stats_max(const double *x, size_t n)
{
	if (n == 0 || has_nan(x, n))
		return NAN;
	double m = x[0];
	for (size_t i = 1; i < n; i++)
		if (x[i] > m)
			m = x[i];
	return m;
}

int stats_summarize(const double *x, size_t n, stats_summary *out, err *e)
{
	if (n == 0)
		return err_set(e, "no values to summarize");
	if (has_nan(x, n))
		return err_set(e, "a value is NaN");
	double *s = sorted_copy(x, n);
	if (!s)
		return err_set(e, "out of memory (summary of %zu values)", n);
	out->n = n;
	out->min = s[0];
	out->q1 = quantile_sorted(s, n, 0.25);
	out->median = quantile_sorted(s, n, 0.5);
	out->q3 = quantile_sorted(s, n, 0.75);
	out->max = s[n - 1];
	free(s);
	return 0;
}

/* One value of the pooled sample, remembering which side it came from. */
struct obs {
	double v;
	int in_a;
};

static int cmp_obs(const void *pa, const void *pb)
{
	return cmp_double(&((const struct obs *)pa)->v, &((const struct obs *)pb)->v);
}

/* Mid-ranks the pooled sample. Gives U of a and the tie term
 * sum(t^3 - t) over groups of t equal values (0 when there are no ties). */
static int rank_pooled(const double *a, size_t n1, const double *b, size_t n2, double *u,
		       double *ties, err *e)
{
	size_t n = n1 + n2;
	struct obs *o = alloc_array(n, sizeof *o);
	if (!o)
		return err_set(e, "out of memory (ranking %zu values)", n);
	for (size_t i = 0; i < n1; i++)
		o[i] = (struct obs){a[i], 1};
	for (size_t i = 0; i < n2; i++)
		o[n1 + i] = (struct obs){b[i], 0};
	qsort(o, n, sizeof *o, cmp_obs);
	double rank_sum = 0;
	*ties = 0;
	for (size_t i = 0, j; i < n; i = j) {
		size_t in_a = 0;
		for (j = i; j < n && o[j].v == o[i].v; j++)
			in_a += (size_t)o[j].in_a;
		double t = (double)(j - i);
		/* ranks i+1 .. j share their mean */
		rank_sum += (double)in_a * ((double)(i + 1 + j) / 2);
		*ties += t * t * t - t;
	}
	free(o);
	*u = rank_sum - (double)n1 * (double)(n1 + 1) / 2;
	return 0;
}

/*
 * Under the null hypothesis without ties every choice of which n1 of the
 * N = n1 + n2 ranks belong to a is equally likely, and the number of choices
 * giving U = u is the coefficient of q^u in the Gaussian binomial
 *   [N choose m]_q = prod_{i=1..m} (1 - q^(k+i)) / (1 - q^i),  m <= k.
 * After step i the array holds [k+i choose i]_q, a polynomial, so each
 * step is a multiplication and an exact division, O(m * m k) in all. The
 * multiplication leaves negative coefficients for a moment; unsigned
 * arithmetic is exact modulo 2^64 and every final count is below 2^64 for
 * N <= 64, so the wrap-around cancels.
 */
static int exact_p(size_t n1, size_t n2, double u, double *p, err *e)
{
	size_t m = n1 < n2 ? n1 : n2, k = n1 < n2 ? n2 : n1, top = m * k;
	uint64_t *c = calloc(top + 1, sizeof *c);
	if (!c)
		return err_set(e, "out of memory (exact distribution, %zu x %zu)", n1, n2);
	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		for (size_t s = top; s >= k + i; s--)
			c[s] -= c[s - k - i];
		for (size_t s = i; s <= top; s++)
			c[s] += c[s - i];
	}
	size_t uu = (size_t)u;
	uint64_t lower = 0, upper = 0;
	for (size_t s = 0; s <= top; s++) {
		if (s <= uu)
			lower += c[s];
		if (s >= uu)
			upper += c[s];
	}
	uint64_t total = lower + upper - c[uu];
	free(c);
	double tail = (double)(lower < upper ? lower : upper) / (double)total;
	*p = fmin(1, 2 * tail);
	return 0;
}

/* Normal approximation: variance corrected for ties, |U - mean| reduced by
 * 1/2 for continuity (never below 0, so U at the mean gives p = 1). */
static double normal_p(size_t n1, size_t n2, double u, double ties)
{
	double n = (double)(n1 + n2), n1n2 = (double)n1 * (double)n2;
	double var = n1n2 / 12 * ((n + 1) - ties / (n * (n - 1)));
	double d = fmax(0, fabs(u - n1n2 / 2) - 0.5);
	if (d == 0 || !(var > 0))
		return 1;
	return erfc(d / sqrt(2 * var));
}

int stats_mann_whitney(const double *a, size_t n1, const double *b, size_t n2, stats_method m,
		       stats_mwu *out, err *e)
{
	if (n1 == 0 || n2 == 0)
		return err_set(e, "Mann-Whitney test needs values on both sides (have %zu and %zu)",
			       n1, n2);
	if (has_nan(a, n1) || has_nan(b, n2))
		return err_set(e, "a value is NaN");
	double u = 0, ties = 0;
	if (rank_pooled(a, n1, b, n2, &u, &ties, e))
		return -1;
	if (m == STATS_EXACT && ties > 0)
		return err_set(e, "exact Mann-Whitney p-value needs samples without ties");
	if (m == STATS_EXACT && n1 + n2 > STATS_EXACT_MAX_N)
		return err_set(e,
			       "exact Mann-Whitney p-value supports at most %d values (have %zu)",
			       STATS_EXACT_MAX_N, n1 + n2);
	int exact = m == STATS_EXACT ||
		    (m == STATS_AUTO && ties == 0 && n1 <= EXACT_AUTO_MAX && n2 <= EXACT_AUTO_MAX);
	out->u = u;
	if (exact) {
		out->method = "exact";
		return exact_p(n1, n2, u, &out->p, e);
	}
	out->method = "normal";
	out->p = normal_p(n1, n2, u, ties);
	return 0;
}

double stats_mwu_min_p(size_t n1, size_t n2)
{
	/* C(n1 + n2, n1) as a running product; doubles keep it finite. */
	double c = 1;
	size_t m = n1 < n2 ? n1 : n2, k = n1 < n2 ? n2 : n1;
	for (size_t i = 1; i <= m; i++)
		c = c * (double)(k + i) / (double)i;
	return fmin(1, 2 / c);
}

/* Relative change with the sign meaning up or down even for a negative base. */
static double rel_change(double base, double new_)
{
	if (base != 0)
		return (new_ - base) / fabs(base);
	if (new_ == 0)
		return 0;
	return new_ > 0 ? INFINITY : -INFINITY;
}

int stats_compare(const double *base, size_t n_base, const double *new_, size_t n_new,
		  stats_dir dir, double alpha, double threshold, stats_verdict *out, err *e)
{
	if (!(alpha > 0 && alpha < 1))
		return err_set(e, "alpha must be between 0 and 1 (got %g)", alpha);
	if (!(threshold >= 0))
		return err_set(e, "threshold must be 0 or more (got %g)", threshold);
	stats_verdict v = {.n_base = n_base, .n_new = n_new};
	if (stats_mann_whitney(base, n_base, new_, n_new, STATS_AUTO, &v.test, e))
		return -1;
	v.median_base = stats_median(base, n_base);
	v.median_new = stats_median(new_, n_new);
	if (isnan(v.median_base) || isnan(v.median_new))
		return err_set(e, "out of memory (medians)");
	v.change = rel_change(v.median_base, v.median_new);
	v.too_few = n_base < STATS_MIN_N || n_new < STATS_MIN_N;
	v.significant = !v.too_few && v.test.p < alpha;
	int up = v.change > threshold, down = v.change < -threshold;
	int bad = dir == STATS_LOWER_IS_BETTER ? up : down;
	int good = dir == STATS_LOWER_IS_BETTER ? down : up;
	v.worse = v.significant && bad;
	v.better = v.significant && good;
	*out = v;
	return 0;
}

/* Median of n values drawn with replacement from x; buf holds n. */
static double resample_median(const double *x, size_t n, double *buf, rng *r)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = x[rng_below(r, n)];
	qsort(buf, n, sizeof *buf, cmp_double);
	return quantile_sorted(buf, n, 0.5);
}

int stats_bootstrap_median_diff(const double *base, size_t n_base, const double *new_, size_t n_new,
				size_t reps, double level, rng *r, double *lo, double *hi, err *e)
{
	if (n_base == 0 || n_new == 0)
		return err_set(e, "bootstrap needs values on both sides (have %zu and %zu)", n_base,
			       n_new);
	if (reps < 2)
		return err_set(e, "bootstrap needs at least 2 resamplings (got %zu)", reps);
	if (!(level > 0 && level < 1))
		return err_set(e, "confidence level must be between 0 and 1 (got %g)", level);
	/* inf - inf would put NaN among the differences and break the sort */
	if (!all_finite(base, n_base) || !all_finite(new_, n_new))
		return err_set(e, "bootstrap needs finite values");
	double *buf = alloc_array(n_base > n_new ? n_base : n_new, sizeof *buf);
	double *diff = alloc_array(reps, sizeof *diff);
	if (!buf || !diff) {
		free(buf);
		free(diff);
		return err_set(e, "out of memory (bootstrap, %zu resamplings)", reps);
	}
	for (size_t i = 0; i < reps; i++) {
		double mb = resample_median(base, n_base, buf, r);
		diff[i] = resample_median(new_, n_new, buf, r) - mb;
	}
	qsort(diff, reps, sizeof *diff, cmp_double);
	*lo = quantile_sorted(diff, reps, (1 - level) / 2);
	*hi = quantile_sorted(diff, reps, (1 + level) / 2);
	free(buf);
	free(diff);
	return 0;
}
