/*
 * stats — the statistics behind `migsim compare BASE NEW`: summaries of the
 * runs of one group (median, quartiles for box whiskers), the Mann–Whitney U
 * test between two groups, and the verdict that turns a test into "worse",
 * "better" or "~" (no significant change). docs/compare.md explains the
 * choices; in short it follows benchstat: compare medians, trust a change
 * only when Mann–Whitney says p < alpha, and say so when the groups are too
 * small for any p-value to get there.
 *
 * Samples are arrays of doubles, one value per run (seed). NaN is not a
 * value: functions returning a double answer NaN, the others fail. Nothing
 * here modifies its input, keeps state or prints.
 */
#ifndef MIGSIM_STATS_H
#define MIGSIM_STATS_H

#include <stddef.h>

#include "err.h"
#include "rng.h"

/* Defaults of `migsim compare`. */
#define STATS_ALPHA	0.05
#define STATS_THRESHOLD 0.05
/* Fewer runs than this on either side and the verdict is never significant. */
#define STATS_MIN_N 4
/* Largest n1 + n2 the exact distribution accepts (its counts fit in 64 bits). */
#define STATS_EXACT_MAX_N 64

/* Median (n == 0, a NaN in x, or no memory: NaN). */
double stats_median(const double *x, size_t n);
/* Quantile p in [0, 1], R's type 7 (its default): linear between order
 * statistics at h = (n - 1) p. NaN when median would be, or p is outside. */
double stats_quantile(const double *x, size_t n, double p);
/* Smallest and largest value (n == 0 or a NaN in x: NaN). */
double stats_min(const double *x, size_t n);
double stats_max(const double *x, size_t n);

/* What a box-and-whisker line needs; quartiles are type 7. */
typedef struct stats_summary {
	size_t n;
	double min, q1, median, q3, max;
} stats_summary;

/* Fills `out` from one sort of a copy of x; n > 0. */
int stats_summarize(const double *x, size_t n, stats_summary *out, err *e);

typedef enum stats_method {
	STATS_AUTO,   /* exact when n1, n2 <= 20 and no ties, else normal */
	STATS_EXACT,  /* fails on ties or n1 + n2 > STATS_EXACT_MAX_N */
	STATS_NORMAL, /* normal approximation, tie and continuity corrected */
} stats_method;

typedef struct stats_mwu {
	/* U of sample a: pairs (a_i, b_j) with a_i > b_j, ties counting 1/2.
	 * U of b is n1 * n2 - u. */
	double u;
	double p;	    /* two-sided */
	const char *method; /* "exact" or "normal" (static string) */
} stats_mwu;

/* Two-sided Mann–Whitney U test of a (n1 values) against b (n2); n1, n2 > 0.
 * When every value of both samples is equal, p = 1. */
int stats_mann_whitney(const double *a, size_t n1, const double *b, size_t n2, stats_method m,
		       stats_mwu *out, err *e);
/* The smallest two-sided p-value any samples of these sizes can have,
 * 2 / C(n1 + n2, n1) (capped at 1): below alpha or no test can succeed. */
double stats_mwu_min_p(size_t n1, size_t n2);

/* Which way a metric improves: times and bytes go down, guest progress up. */
typedef enum stats_dir {
	STATS_LOWER_IS_BETTER,
	STATS_HIGHER_IS_BETTER,
} stats_dir;

typedef struct stats_verdict {
	size_t n_base, n_new;
	double median_base, median_new;
	/* (median_new - median_base) / |median_base|, which is new/base - 1
	 * for a positive base. A zero base gives 0 when new is 0 too, else
	 * +inf or -inf with the sign of new. */
	double change;
	stats_mwu test; /* base as a, new as b */
	int too_few;	/* n_base or n_new < STATS_MIN_N: never significant */
	int significant;
	int worse;  /* significant, and change beyond threshold the bad way */
	int better; /* significant, and change beyond threshold the good way */
} stats_verdict;

/* Compares the runs of NEW against those of BASE for one metric. alpha is
 * the significance level (STATS_ALPHA), threshold the fraction a change must
 * exceed to count (STATS_THRESHOLD). n_base, n_new > 0. */
int stats_compare(const double *base, size_t n_base, const double *new_, size_t n_new,
		  stats_dir dir, double alpha, double threshold, stats_verdict *out, err *e);

/* Percentile-bootstrap confidence interval at `level` (e.g. 0.95) of
 * median(new) - median(base), from `reps` resamplings drawn from r, so the
 * same seed gives the same interval. A secondary aid: the verdict does not
 * use it. n_base, n_new > 0, reps >= 2. */
int stats_bootstrap_median_diff(const double *base, size_t n_base, const double *new_, size_t n_new,
				size_t reps, double level, rng *r, double *lo, double *hi, err *e);

#endif
