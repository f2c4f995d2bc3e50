/*
 * enc_bench — speed of the page encoders (encoders/): XBZRLE encode with each
 * implementation over the six change patterns of issue 2, decode, and the
 * zero-page test, each set against a ceiling measured in the same run: one
 * read of the same bytes (both pages of a pair; the page for the zero test)
 * with nothing else done. Prints figures and "met" / "NOT met" only and
 * always exits 0: timings depend on the machine and its load.
 *
 * Timing that a shared machine cannot flatter or spoil (issue 23):
 * - thread CPU time (CLOCK_THREAD_CPUTIME_ID), so time the thread spends
 *   descheduled for a neighbour is not counted;
 * - the variants of one case (the ceiling, each implementation, decode) run
 *   interleaved in ROUNDS rounds (A B C A B C ...), so a slow minute of the
 *   machine falls on all of them alike;
 * - each figure is the median over the rounds with its min-max, and each
 *   target is a ratio to the ceiling of the same round, never an absolute
 *   GB/s (a fixed GB/s says more about the machine than the code);
 * - "no slower than before" is checked against the avx512bw encoder as it
 *   was before issue 23 §1, frozen in xbz_before.h and run as one more
 *   variant of the same rounds: the figure is the selected encoder's rate
 *   over that one's, round by round.
 *
 * GB/s counts new-page bytes examined (4096 per page), not delta bytes. A
 * pass encodes NPAIRS page-aligned pairs into one reused output page, as
 * QEMU's migration thread does with its encoded_buf. The cases run twice:
 * over NPAIRS distinct pairs (64 MiB, the loads come from memory as in a
 * real migration) and cycling through HOT_PAIRS pairs held in L2, the
 * encoders' own speed.
 *
 * The codec case (encoders/codec.h; `enc_bench codecs` runs it alone) times
 * each codec's real speed on this machine in the same way (thread CPU,
 * interleaved rounds, median [min-max]) per content class, and prints it
 * next to the cost model's default (the simulated CPU time a run charges)
 * with the ratio, so a user can calibrate with --param. docs/model.md
 * ("Encoder CPU cost") says how the defaults were fitted from it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "codec.h"
#include "content.h"
#include "xbzrle.h"
#include "zero.h"

#include "xbz_before.h"

#define PAGE	   4096
#define NPAIRS	   8192
#define HOT_PAIRS  128
#define ROUNDS	   31  /* 15 left a memory-bound median moving 0.81-0.96 between runs */
#define REP_NS	   5e6 /* each variant's turn in a round: about 5 ms of CPU */
#define ZERO_BYTES (64u << 20)
#define MAX_VAR	   (XBZ_IMPL_COUNT + 3) /* ceiling, the encoders, before, decode */
#define CEIL_SHARE 0.90			/* memory-bound target: of the ceiling */

static uint64_t rng = 42;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* CPU time of this thread: a neighbour's load does not stretch it. */
static double cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

enum pattern { CALLOC_LOOP, PCT1, RUN_64, PCT25, REWRITE, IDENTICAL, NPATTERNS };

/* The targets of issue 23 §1: memory-bound, every case at CEIL_SHARE of the
 * ceiling but the compute-bound 1 % and 25 % ones, which must not fall
 * below the encoder as it was before (tests/bench/xbz_before.h, run in the
 * same rounds); cache-hot, no case below it. */
static const struct {
	const char *name;
	int compute_bound;
} patterns[NPATTERNS] = {
    [CALLOC_LOOP] = {"calloc loop (4 bytes)", 0}, [PCT1] = {"1% random bytes", 1},
    [RUN_64] = {"64 contiguous bytes", 0},	  [PCT25] = {"25% random bytes", 1},
    [REWRITE] = {"full rewrite (overflow)", 0},	  [IDENTICAL] = {"identical", 0},
};

/* A changed byte never XORs to 0, so each pattern changes exactly the
 * bytes it names. */
static void make_pair(enum pattern pat, uint8_t *o, uint8_t *n)
{
	for (int i = 0; i < PAGE; i++)
		o[i] = (uint8_t)rnd();
	memcpy(n, o, PAGE);
	switch (pat) {
	case CALLOC_LOOP: /* a guest loop storing one counter per KiB */
		for (int i = 0; i < PAGE; i += 1024)
			n[i]++;
		break;
	case RUN_64: {
		int at = (int)(rnd() % (PAGE - 64 + 1));
		for (int i = at; i < at + 64; i++)
			n[i] = (uint8_t)~o[i];
		break;
	}
	case PCT1:
	case PCT25:
		for (int i = 0; i < PAGE; i++)
			if (rnd() % 100 < (pat == PCT1 ? 1u : 25u))
				n[i] ^= (uint8_t)(1 + rnd() % 255);
		break;
	case REWRITE:
		for (int i = 0; i < PAGE; i++)
			n[i] = (uint8_t)~o[i];
		break;
	default:
		break;
	}
}

static uint8_t *olds, *news, *out, *scratch, *deltas, *zbuf;
static int dlen[NPAIRS];
static int ws = NPAIRS; /* distinct pairs a pass cycles over */
static volatile long sink;

/* --- the ceiling: one read of the bytes, nothing else ---------------------- */

/* Each reads a[0..len) and, unless b is NULL, b[0..len) line by line with
 * a, as the encoders walk a pair, into independent chains of ORs, so the
 * loads and not the ORs limit it; the widest vectors the CPU has make it
 * the fastest plain read there is, which the encoders are set against.
 * Memory-bound, the order of the lines matters too (an encoder reading
 * 256-byte blocks of each page came out 4-13 % over the line-by-line read
 * here), and so does the pace: a pass that only loads runs ahead of the
 * hardware prefetcher, and one that compares each pair of lines and keeps
 * a bit of it (read_avx512_paced) came out up to 3 % faster memory-bound
 * than the fastest plain order (an encoder built that way scored 1.03-1.04
 * of a ceiling without it on identical pages). With AVX-512 a pair's ceiling is
 * the fastest of four reads of the same bytes, line by line, block by
 * block, page by page (read_avx512_step) and paced, so no encoder can beat
 * it by reading in another order or pace. "Fastest" is by median over the
 * rounds (ceiling_of): the fastest in each round would add the best of
 * four draws of the machine's noise, not a faster read. */
static long read_words(const uint8_t *a, const uint8_t *b, size_t len)
{
	uint64_t x = 0, y = 0;
	for (size_t i = 0; i < len; i += 8) {
		uint64_t u, v = 0;
		memcpy(&u, a + i, 8);
		if (b)
			memcpy(&v, b + i, 8);
		x |= u;
		y |= v;
	}
	return (long)(x | y);
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) static long read_avx2(const uint8_t *a, const uint8_t *b,
						      size_t len)
{
	__m256i x = _mm256_setzero_si256(), y = x, z = x, w = x;
	const __m256i *p = (const void *)a, *q = (const void *)(b ? b : a);
	for (size_t i = 0; i < len / 32; i += 2) {
		x = _mm256_or_si256(x, _mm256_loadu_si256(p + i));
		z = _mm256_or_si256(z, _mm256_loadu_si256(p + i + 1));
		if (b) {
			y = _mm256_or_si256(y, _mm256_loadu_si256(q + i));
			w = _mm256_or_si256(w, _mm256_loadu_si256(q + i + 1));
		}
	}
	x = _mm256_or_si256(_mm256_or_si256(x, y), _mm256_or_si256(z, w));
	return !_mm256_testz_si256(x, x);
}

__attribute__((target("avx512f"))) static long read_avx512(const uint8_t *a, const uint8_t *b,
							   size_t len)
{
	__m512i x = _mm512_setzero_si512(), y = x, z = x, w = x;
	for (size_t i = 0; i < len; i += 128) {
		x = _mm512_or_si512(x, _mm512_loadu_si512((const void *)(a + i)));
		z = _mm512_or_si512(z, _mm512_loadu_si512((const void *)(a + i + 64)));
		if (b) {
			y = _mm512_or_si512(y, _mm512_loadu_si512((const void *)(b + i)));
			w = _mm512_or_si512(w, _mm512_loadu_si512((const void *)(b + i + 64)));
		}
	}
	x = _mm512_or_si512(_mm512_or_si512(x, y), _mm512_or_si512(z, w));
	return _mm512_test_epi64_mask(x, x) != 0;
}

/* One page's bytes, 256 a turn into four chains: the zero test's ceiling
 * also takes the fastest of this and read_avx512's two chains. */
__attribute__((target("avx512f"))) static long read_avx512_wide(const uint8_t *a, size_t len)
{
	__m512i x = _mm512_setzero_si512(), y = x, z = x, w = x;
	for (size_t i = 0; i < len; i += 256) {
		x = _mm512_or_si512(x, _mm512_loadu_si512((const void *)(a + i)));
		y = _mm512_or_si512(y, _mm512_loadu_si512((const void *)(a + i + 64)));
		z = _mm512_or_si512(z, _mm512_loadu_si512((const void *)(a + i + 128)));
		w = _mm512_or_si512(w, _mm512_loadu_si512((const void *)(a + i + 192)));
	}
	x = _mm512_or_si512(_mm512_or_si512(x, y), _mm512_or_si512(z, w));
	return _mm512_test_epi64_mask(x, x) != 0;
}

/* a's bytes then b's, `step` bytes (a multiple of 128) of each in turn. */
__attribute__((target("avx512f"))) static long read_avx512_step(const uint8_t *a, const uint8_t *b,
								size_t len, size_t step)
{
	__m512i x = _mm512_setzero_si512(), y = x, z = x, w = x;
	for (size_t i = 0; i < len; i += step) {
		for (size_t j = i; j < i + step; j += 128) {
			x = _mm512_or_si512(x, _mm512_loadu_si512((const void *)(a + j)));
			z = _mm512_or_si512(z, _mm512_loadu_si512((const void *)(a + j + 64)));
		}
		for (size_t j = i; j < i + step; j += 128) {
			y = _mm512_or_si512(y, _mm512_loadu_si512((const void *)(b + j)));
			w = _mm512_or_si512(w, _mm512_loadu_si512((const void *)(b + j + 64)));
		}
	}
	x = _mm512_or_si512(_mm512_or_si512(x, y), _mm512_or_si512(z, w));
	return _mm512_test_epi64_mask(x, x) != 0;
}

/* a's and b's lines in turn, each pair compared and a bit of the result
 * kept: the least work an encoder can do on a line. */
__attribute__((target("avx512f,avx512bw"))) static long
read_avx512_paced(const uint8_t *a, const uint8_t *b, size_t len)
{
	uint64_t bits = 0;
	for (size_t i = 0; i < len; i += 64) {
		uint64_t k = _mm512_cmpneq_epi8_mask(_mm512_loadu_si512((const void *)(a + i)),
						     _mm512_loadu_si512((const void *)(b + i)));
		bits = bits * 2 + (k == 0);
	}
	return (long)bits;
}
#endif

static long (*read_bytes)(const uint8_t *, const uint8_t *, size_t) = read_words;
static int read_orders; /* read_avx512_step and read_avx512_paced may be used */

static void choose_read(void)
{
#if defined(__x86_64__)
	__builtin_cpu_init();
	read_orders = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
	if (__builtin_cpu_supports("avx512f"))
		read_bytes = read_avx512;
	else if (__builtin_cpu_supports("avx2"))
		read_bytes = read_avx2;
#endif
}

/* --- the variants: fn(k, i) handles pair (or page) i ----------------------- */

static long do_ceiling(int k, int p)
{
	(void)k;
	p %= ws;
	return read_bytes(olds + (size_t)p * PAGE, news + (size_t)p * PAGE, PAGE);
}

#if defined(__x86_64__)
static long do_ceiling_blocks(int k, int p)
{
	(void)k;
	p %= ws;
	return read_avx512_step(olds + (size_t)p * PAGE, news + (size_t)p * PAGE, PAGE, 256);
}

static long do_ceiling_pages(int k, int p)
{
	(void)k;
	p %= ws;
	return read_avx512_step(olds + (size_t)p * PAGE, news + (size_t)p * PAGE, PAGE, PAGE);
}

static long do_ceiling_paced(int k, int p)
{
	(void)k;
	p %= ws;
	return read_avx512_paced(olds + (size_t)p * PAGE, news + (size_t)p * PAGE, PAGE);
}
#endif

static long do_encode(int k, int p)
{
	p %= ws;
	return xbz_encode_with((enum xbz_impl)k, olds + (size_t)p * PAGE, news + (size_t)p * PAGE,
			       PAGE, out, PAGE);
}

/* The encoder as it was before issue 23 §1: the same-run reference, called
 * through a pointer as xbz_encode_with() calls the library's encoders, so
 * neither is inlined into the loop and the calls cost alike. */
static int (*volatile before_fn)(const uint8_t *, const uint8_t *, size_t, uint8_t *,
				 size_t) = before_encode;

static long do_before(int k, int p)
{
	(void)k;
	p %= ws;
	return before_fn(olds + (size_t)p * PAGE, news + (size_t)p * PAGE, PAGE, out, PAGE);
}

/* Deltas are kept apart from the pages: decode reads them from `deltas`. */
static long do_decode(int k, int p)
{
	(void)k;
	p %= ws;
	if (dlen[p] <= 0)
		return 0;
	memcpy(scratch, olds + (size_t)p * PAGE, PAGE); /* the destination's old page */
	return xbz_decode(scratch, PAGE, deltas + (size_t)p * PAGE, (size_t)dlen[p], NULL);
}

static long do_zero_ceiling(int k, int p)
{
	(void)k;
	return read_bytes(zbuf + (size_t)p * PAGE, NULL, PAGE);
}

#if defined(__x86_64__)
static long do_zero_ceiling_wide(int k, int p)
{
	(void)k;
	return read_avx512_wide(zbuf + (size_t)p * PAGE, PAGE);
}
#endif

static long do_zero(int k, int p)
{
	return zero_test_with((enum zero_impl)k, zbuf + (size_t)p * PAGE, PAGE);
}

#define MAX_ORDERS 4

/* One way to read the ceiling's bytes. */
struct order {
	const char *name;
	long (*fn)(int, int);
};

struct variant {
	const char *name;
	long (*fn)(int, int);
	/* A ceiling's other orders of the same reads (name the first's in
	 * `order`): its rates are those of the fastest (ceiling_of). */
	struct order also[MAX_ORDERS - 1];
	const char *order;
	int k;
	long passes;	      /* per turn, calibrated to about REP_NS */
	double rate[ROUNDS];  /* calls per CPU second, each round */
	double ratio[ROUNDS]; /* rate / the ceiling's in the same round */
};

static double run_passes(const struct variant *v, long passes, int count)
{
	long acc = 0;
	double t0 = cpu_ns();
	for (long it = 0; it < passes; it++)
		for (int i = 0; i < count; i++)
			acc += v->fn(v->k, i);
	sink += acc;
	return cpu_ns() - t0;
}

/* Passes that last about REP_NS; doubling up to it also warms the caches
 * and the branch predictor. */
static long calibrate(const struct variant *v, int count)
{
	for (long passes = 1;; passes *= 2) {
		double t = run_passes(v, passes, count);
		if (t >= REP_NS / 2)
			return (long)(passes * REP_NS / t) + 1;
	}
}

static double median_rate(const struct variant *v);

/* The ceiling's rates: those of the order (all[0], or one of all[n..m))
 * with the highest median. Taking the fastest order in each round instead
 * would make the ceiling the best of several draws of the machine's noise
 * and every ratio to it low by that much. */
static void ceiling_of(struct variant *all, int n, int m)
{
	int best = 0;
	double best_med = median_rate(&all[0]);
	for (int i = n; i < m; i++) {
		double med = median_rate(&all[i]);
		if (med > best_med)
			best = i, best_med = med;
	}
	if (best) {
		memcpy(all[0].rate, all[best].rate, sizeof all[0].rate);
		all[0].order = all[best].order;
	}
}

/* Runs the n variants (v[0] the ceiling, with each of its other orders)
 * interleaved, ROUNDS rounds, in the listed order and the reverse one in
 * turn: where a turn falls in its round moves the figures (the variants
 * last in the round came out up to 15 % faster memory-bound than the same
 * code first), so each variant takes the early and the late places alike. */
static void interleave(struct variant *v, int n, int count)
{
	struct variant *all = malloc((size_t)(n + MAX_ORDERS - 1) * sizeof *all);
	if (!all) {
		printf("out of memory\n");
		return;
	}
	int m = n;
	memcpy(all, v, (size_t)n * sizeof *v);
	for (int a = 0; a < MAX_ORDERS - 1 && v[0].also[a].fn; a++)
		all[m++] = (struct variant){
		    .name = "ceiling", .fn = v[0].also[a].fn, .order = v[0].also[a].name};
	for (int i = 0; i < m; i++)
		all[i].passes = calibrate(&all[i], count);
	for (int r = 0; r < ROUNDS; r++)
		for (int j = 0; j < m; j++) {
			int i = r % 2 ? m - 1 - j : j;
			all[i].rate[r] = (double)all[i].passes * count /
					 (run_passes(&all[i], all[i].passes, count) / 1e9);
		}
	ceiling_of(all, n, m);
	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < n; i++)
			all[i].ratio[r] = all[i].rate[r] / all[0].rate[r];
	memcpy(v, all, (size_t)n * sizeof *v);
	free(all);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct spread {
	double med, min, max;
};

static struct spread spread_of(const double *x)
{
	double s[ROUNDS];
	memcpy(s, x, sizeof s);
	qsort(s, ROUNDS, sizeof s[0], cmp_double);
	return (struct spread){s[ROUNDS / 2], s[0], s[ROUNDS - 1]};
}

static double median_rate(const struct variant *v)
{
	return spread_of(v->rate).med;
}

static double gbs(double pages_per_s)
{
	return pages_per_s * PAGE / 1e9;
}

/* --- the tables ------------------------------------------------------------ */

/* The variants of an encode case: the ceiling, each encoder, the one before
 * issue 23 (*before_at, -1 without AVX-512BW), decode. */
static int encode_variants(struct variant *v, int *sel_at, int *before_at)
{
	int n = 0;
	v[n++] = (struct variant){.name = "ceiling", .fn = do_ceiling, .order = "lines"};
#if defined(__x86_64__)
	if (read_orders) {
		v[0].also[0] = (struct order){"blocks", do_ceiling_blocks};
		v[0].also[1] = (struct order){"pages", do_ceiling_pages};
		v[0].also[2] = (struct order){"paced", do_ceiling_paced};
	}
#endif
	for (int k = 0; k < XBZ_IMPL_COUNT; k++) {
		if (!xbz_impl_available((enum xbz_impl)k))
			continue;
		if (k == (int)xbz_impl_selected())
			*sel_at = n;
		v[n++] = (struct variant){
		    .name = xbz_impl_name((enum xbz_impl)k), .fn = do_encode, .k = k};
	}
	*before_at = -1;
	if (before_available()) {
		*before_at = n;
		v[n++] = (struct variant){.name = "before", .fn = do_before};
	}
	v[n++] = (struct variant){.name = "decode", .fn = do_decode};
	return n;
}

static int deltas_made; /* pairs of this pattern with a delta to decode */

/* The reference deltas decode reads; a figure of an encoder that gives
 * other bytes would mean nothing, so the selected one and the frozen
 * reference are checked against them here (the unit tests check the
 * library's encoders thoroughly; this only guards the bench's own copy). */
/* Says so when `who`'s delta of pair p, got bytes in `out`, is not the
 * reference's. */
static void check_delta(const char *who, int got, enum pattern pat, int p)
{
	const uint8_t *ref = deltas + (size_t)p * PAGE;
	if (got != dlen[p] || (got > 0 && memcmp(out, ref, (size_t)got) != 0))
		printf("MISMATCH: %s pair %d: %s %d, reference %d\n", patterns[pat].name, p, who,
		       got, dlen[p]);
}

static void make_deltas(enum pattern pat)
{
	deltas_made = 0;
	for (int p = 0; p < NPAIRS; p++) {
		const uint8_t *o = olds + (size_t)p * PAGE, *nw = news + (size_t)p * PAGE;
		uint8_t *ref = deltas + (size_t)p * PAGE;
		dlen[p] = xbz_encode_with(XBZ_SCALAR_REF, o, nw, PAGE, ref, PAGE);
		deltas_made += dlen[p] > 0;
		check_delta("selected encoder", xbz_encode(o, nw, PAGE, out, PAGE), pat, p);
		if (before_available())
			check_delta("before", before_encode(o, nw, PAGE, out, PAGE), pat, p);
	}
}

/* What the targets need of one case: the selected encoder and the one
 * before issue 23 as shares of the ceiling, and the selected one's rate
 * over the one before's in each round (paired, so the shared machine's
 * slow rounds cancel). */
struct result {
	struct spread sel, before, gain;
	int has_before;
};

/* One table; res[pat] gets the selected encoder's figures. */
static void bench_encode(struct result res[NPATTERNS])
{
	struct variant v[MAX_VAR];
	int sel_at = 1, before_at, n = encode_variants(v, &sel_at, &before_at);
	printf("XBZRLE encode over %d distinct pairs (%d MiB), limit 4096: the ceiling in GB/s "
	       "of new-page bytes (the read order of highest median), each variant as a share "
	       "of it; median [min-max] of %d interleaved rounds, thread CPU time\n",
	       ws, ws * 2 * PAGE >> 20, ROUNDS);
	printf("%-24s %17s %-6s", "pattern", "ceiling GB/s", "order");
	for (int i = 1; i < n; i++)
		printf(" %17s", v[i].name);
	printf("\n");
	for (int pat = 0; pat < NPATTERNS; pat++) {
		for (int p = 0; p < NPAIRS; p++)
			make_pair((enum pattern)pat, olds + (size_t)p * PAGE,
				  news + (size_t)p * PAGE);
		make_deltas((enum pattern)pat);
		interleave(v, n, NPAIRS);
		struct spread c = spread_of(v[0].rate);
		printf("%-24s %5.2f [%4.1f-%4.1f] %-6s", patterns[pat].name, gbs(c.med), gbs(c.min),
		       gbs(c.max), v[0].order);
		for (int i = 1; i < n; i++) {
			struct spread s = spread_of(v[i].ratio);
			if (v[i].fn == do_decode && !deltas_made)
				printf(" %17s", "(no delta)");
			else
				printf("  %5.3f [%.2f-%.2f]", s.med, s.min, s.max);
		}
		printf("\n");
		res[pat].sel = spread_of(v[sel_at].ratio);
		res[pat].has_before = before_at >= 0;
		if (before_at >= 0) {
			double g[ROUNDS];
			for (int r = 0; r < ROUNDS; r++)
				g[r] = v[sel_at].rate[r] / v[before_at].rate[r];
			res[pat].before = spread_of(v[before_at].ratio);
			res[pat].gain = spread_of(g);
		}
		fflush(stdout);
	}
	printf("(\"before\": the avx512bw encoder before issue 23 §1, frozen in "
	       "tests/bench/xbz_before.h; decode includes copying the 4 KiB old page)\n");
}

/* The zero test on zero pages, memory-bound, against one read of them. */
static struct spread bench_zero(void)
{
	struct variant v[ZERO_IMPL_COUNT + 1];
	int n = 0, sel_at = 1, count = (int)(ZERO_BYTES / PAGE);
	v[n++] = (struct variant){.name = "ceiling", .fn = do_zero_ceiling, .order = "2 chains"};
#if defined(__x86_64__)
	if (read_orders)
		v[0].also[0] = (struct order){"4 chains", do_zero_ceiling_wide};
#endif
	for (int k = 0; k < ZERO_IMPL_COUNT; k++) {
		if (!zero_impl_available((enum zero_impl)k))
			continue;
		if (k == (int)zero_impl_selected())
			sel_at = n;
		v[n++] = (struct variant){
		    .name = zero_impl_name((enum zero_impl)k), .fn = do_zero, .k = k};
	}
	memset(zbuf, 0, ZERO_BYTES);
	interleave(v, n, count);
	struct spread c = spread_of(v[0].rate);
	printf("\nzero test over %u MiB of zero pages: the ceiling (one read, %s) %.2f GB/s "
	       "[%.1f-%.1f], each implementation as a share of it, median [min-max] of %d "
	       "interleaved rounds\n",
	       ZERO_BYTES >> 20, v[0].order, gbs(c.med), gbs(c.min), gbs(c.max), ROUNDS);
	for (int i = 1; i < n; i++) {
		struct spread s = spread_of(v[i].ratio);
		printf("  %-10s %5.3f [%.2f-%.2f]\n", v[i].name, s.med, s.min, s.max);
	}
	return spread_of(v[sel_at].ratio);
}

/* "met" when the median reaches `want`; a miss says whether `want` lies
 * within this run's range, where the shared machine's noise could move it
 * (the ratios of one build differ by 10-20 % between loaded runs). */
static const char *verdict(struct spread s, double want)
{
	if (s.med >= want)
		return "met";
	return s.max >= want ? "NOT met (in range)" : "NOT met";
}

/* One target against the encoder before issue 23: the paired per-round
 * ratio selected/before must reach 1. */
static void print_gain(const struct result *r)
{
	if (!r->has_before) {
		printf("(no reference: it needs AVX-512BW)");
		return;
	}
	printf("%.3f [%.2f-%.2f] %-18s", r->gain.med, r->gain.min, r->gain.max,
	       verdict(r->gain, 1.0));
}

static void print_targets(const struct result mem[NPATTERNS], const struct result hot[NPATTERNS],
			  struct spread zero)
{
	printf("\ntargets (issue 23 §1) for the selected encoder (%s), median [min-max] of the "
	       "rounds; \"x before\" is its rate over the pre-issue-23 encoder's in the same "
	       "round, \"before\" that one's share of the ceiling\n",
	       xbz_impl_name(xbz_impl_selected()));
	printf("%-24s %-52s | %-15s | %s\n", "pattern", "memory-bound", "before (mem)",
	       "cache-hot: x before >= 1.000");
	for (int pat = 0; pat < NPATTERNS; pat++) {
		const struct result *m = &mem[pat], *h = &hot[pat];
		printf("%-24s ", patterns[pat].name);
		if (patterns[pat].compute_bound) {
			printf("x before >= 1.000:  ");
			print_gain(m);
		} else {
			printf("ceiling >= %.2f: %.3f [%.2f-%.2f] %-18s", CEIL_SHARE, m->sel.med,
			       m->sel.min, m->sel.max, verdict(m->sel, CEIL_SHARE));
		}
		if (m->has_before)
			printf(" | %.3f [%.2f-%.2f] | ", m->before.med, m->before.min,
			       m->before.max);
		else
			printf(" | %15s | ", "-");
		print_gain(h);
		printf("\n");
	}
	printf("%-24s ceiling >= %.2f: %.3f [%.2f-%.2f] %s\n", "zero test (zero pages)", CEIL_SHARE,
	       zero.med, zero.min, zero.max, verdict(zero, CEIL_SHARE));
	fflush(stdout);
}

/* --- the codec case ---------------------------------------------------------- */

#define CPKT_PAGES 128 /* QEMU's multifd packet: 512 KiB of 4 KiB pages */
#define CPKTS	   4   /* packets a pass of a variant encodes (2 MiB) */
#define POOL_PKTS  64  /* distinct packets the encoders cycle through (32 MiB) */
#define CPKT_BYTES ((double)CPKT_PAGES * PAGE)
#define MAX_CFG	   16

/* One codec at one level: its channel's state, kept across packets, and a
 * stream of packets encoded once for the decode variant. */
static struct ccfg {
	const struct codec *c;
	int level;
	void *enc, *dec;
	uint8_t *pkt[CPKTS];
	long len[CPKTS];
	size_t next; /* the pool's next packet (or page) this encoder takes */
} cfg[MAX_CFG];
static int ncfg;
/* The class's pages. The encoders take the next packet of the pool at each
 * call, so a stream never meets data it has seen: zstd's window at level 19
 * is 8 MiB, and a repeat inside it would be matched whole at no cost. */
static uint8_t *pool;
static const uint8_t *ppages[POOL_PKTS][CPKT_PAGES];
static uint8_t *cnew[CPKTS][CPKT_PAGES]; /* pool pages with 1 % of bytes changed */
static uint8_t *cdec[CPKT_PAGES];	 /* where decode writes */
static uint8_t *cout;
static size_t cout_cap;

/* A packet of pages (packet codecs), or each page of one (xbzrle against
 * its old bytes, the zero test). */
static long do_cenc(int k, int p)
{
	struct ccfg *f = &cfg[k];
	err e;
	if (f->c->kind == CODEC_PACKET)
		return f->c->encode(f->enc, NULL, ppages[f->next++ % POOL_PKTS], CPKT_PAGES, PAGE,
				    cout, cout_cap, &e);
	long acc = 0;
	for (int i = 0; i < CPKT_PAGES; i++) {
		const uint8_t *o = ppages[p][i], *nw = f->c->kind == CODEC_DELTA ? cnew[p][i] : o;
		acc += f->c->encode(f->enc, &o, &nw, 1, PAGE, cout, cout_cap, &e);
	}
	return acc;
}

/* A packet of one page: what a call costs beside its bytes. */
static long do_cenc1(int k, int p)
{
	struct ccfg *f = &cfg[k];
	size_t q = f->next++ % ((size_t)POOL_PKTS * CPKT_PAGES);
	err e;
	(void)p;
	return f->c->encode(f->enc, NULL, &ppages[q / CPKT_PAGES][q % CPKT_PAGES], 1, PAGE, cout,
			    cout_cap, &e);
}

/* The stream of packets encoded once, decoded by a fresh state each pass. */
static long do_cdec(int k, int p)
{
	struct ccfg *f = &cfg[k];
	err e;
	if (p == 0) {
		f->c->close(f->dec);
		f->c->open(&f->dec, f->level, PAGE, &e);
	}
	return f->c->decode(f->dec, cdec, CPKT_PAGES, PAGE, f->pkt[p], (size_t)f->len[p], &e);
}

static void ccfg_add(const char *name, int level)
{
	struct ccfg *f = &cfg[ncfg++];
	err e;
	*f = (struct ccfg){.c = codec_find(name), .level = level};
	if (f->c->open(&f->enc, level, PAGE, &e) < 0 || f->c->open(&f->dec, level, PAGE, &e) < 0) {
		fprintf(stderr, "enc_bench: %s\n", e.msg);
		exit(1);
	}
}

static void ccfg_free(void)
{
	for (int k = 0; k < ncfg; k++) {
		cfg[k].c->close(cfg[k].enc);
		cfg[k].c->close(cfg[k].dec);
		for (int p = 0; p < CPKTS; p++)
			free(cfg[k].pkt[p]);
	}
	ncfg = 0;
}

/* The class's pool; for xbzrle, a second version of its first packets
 * with 41 bytes of each page changed (1 %). */
static void cfill(enum content_class cls)
{
	for (size_t q = 0; q < (size_t)POOL_PKTS * CPKT_PAGES; q++)
		content_fill(cls, 7, q, 1, pool + q * PAGE, PAGE);
	for (int p = 0; p < CPKTS; p++)
		for (int i = 0; i < CPKT_PAGES; i++) {
			memcpy(cnew[p][i], ppages[p][i], PAGE);
			for (int b = 0; b < 41; b++)
				cnew[p][i][(b * 97 + i) % PAGE] ^= (uint8_t)(1 + rnd() % 255);
		}
}

/* Encodes each packet codec's first CPKTS packets once, on a fresh state:
 * the stream do_cdec decodes. */
static void cencode_streams(void)
{
	for (int k = 0; k < ncfg; k++) {
		struct ccfg *f = &cfg[k];
		if (f->c->kind != CODEC_PACKET)
			continue;
		void *st;
		err e;
		f->c->open(&st, f->level, PAGE, &e);
		for (int p = 0; p < CPKTS; p++) {
			f->len[p] =
			    f->c->encode(st, NULL, ppages[p], CPKT_PAGES, PAGE, cout, cout_cap, &e);
			f->pkt[p] = malloc(f->len[p] > 0 ? (size_t)f->len[p] : 1);
			if (f->len[p] > 0)
				memcpy(f->pkt[p], cout, (size_t)f->len[p]);
		}
		f->c->close(st);
	}
}

/* ns a byte from a rate of calls (each `bytes` long) per CPU second. */
static struct spread ns_per_byte(const double *rate, double bytes)
{
	double x[ROUNDS];
	for (int r = 0; r < ROUNDS; r++)
		x[r] = 1e9 / (rate[r] * bytes);
	return spread_of(x);
}

static void print_ccfg(const struct ccfg *f, const char *what, struct spread m, double model)
{
	char lv[16] = "-";
	if (f->c->level_param)
		snprintf(lv, sizeof lv, "%d", f->level);
	printf("  %-7s %5s %-7s %7.3f [%6.3f-%6.3f] %8.3f %7.2f", f->c->name, lv, what, m.med,
	       m.min, m.max, model, m.med / model);
}

/* One class: encode (and decode) of every codec configuration, interleaved. */
static void bench_codec_class(enum content_class cls)
{
	struct variant v[3 * MAX_CFG];
	int n = 0;
	for (int k = 0; k < ncfg; k++) {
		v[n++] = (struct variant){.name = "encode", .fn = do_cenc, .k = k};
		if (cfg[k].c->kind != CODEC_PACKET)
			continue;
		v[n++] = (struct variant){.name = "decode", .fn = do_cdec, .k = k};
		if (cfg[k].level == cfg[k].c->level_default)
			v[n++] = (struct variant){.name = "1-page", .fn = do_cenc1, .k = k};
	}
	cfill(cls);
	cencode_streams();
	interleave(v, n, CPKTS);
	printf("\n%s pages: ns a byte, median [min-max] of %d interleaved rounds; the model's "
	       "default; measured/model; out/in\n",
	       content_name(cls), ROUNDS);
	for (int i = 0; i < n; i++) {
		const struct ccfg *f = &cfg[v[i].k];
		if (v[i].fn == do_cenc1) {
			/* What a 1-page packet costs beyond its bytes at the 128-page rate. */
			struct spread one = ns_per_byte(v[i].rate, PAGE);
			struct spread big = ns_per_byte(v[i - 2].rate, CPKT_BYTES);
			double call = (one.med - big.med) * PAGE;
			printf("  %-7s %5s per call: %.0f ns (model %.0f)\n", f->c->name, "", call,
			       f->c->cost.ns_per_call);
			continue;
		}
		if (v[i].fn == do_cdec) {
			print_ccfg(f, "decode", ns_per_byte(v[i].rate, CPKT_BYTES),
				   f->c->cost.decode_ns_per_byte);
			printf("\n");
			continue;
		}
		double per_page = f->c->kind != CODEC_PACKET;
		double model =
		    per_page
			? codec_encode_cost(f->c, NULL, f->level, PAGE) / PAGE
			: codec_encode_cost(f->c, NULL, f->level, CPKT_PAGES * PAGE) / CPKT_BYTES;
		print_ccfg(f, "encode", ns_per_byte(v[i].rate, CPKT_BYTES), model);
		if (!per_page) {
			long out_bytes = 0;
			for (int p = 0; p < CPKTS; p++)
				out_bytes += f->len[p];
			printf(" %6.3f", (double)out_bytes / (CPKTS * CPKT_BYTES));
		}
		printf("\n");
		fflush(stdout);
	}
}

static void bench_codecs(void)
{
	pool = aligned_alloc(PAGE, (size_t)POOL_PKTS * CPKT_PAGES * PAGE);
	cout_cap = 2 * (size_t)CPKT_BYTES;
	cout = malloc(cout_cap);
	if (!pool || !cout)
		return;
	for (size_t q = 0; q < (size_t)POOL_PKTS * CPKT_PAGES; q++)
		ppages[q / CPKT_PAGES][q % CPKT_PAGES] = pool + q * PAGE;
	for (int p = 0; p < CPKTS; p++)
		for (int i = 0; i < CPKT_PAGES; i++)
			if (!(cnew[p][i] = aligned_alloc(PAGE, PAGE)))
				return;
	for (int i = 0; i < CPKT_PAGES; i++)
		if (!(cdec[i] = aligned_alloc(PAGE, PAGE)))
			return;
	printf("\ncodecs (encoders/codec.h): packets of %d pages as QEMU's multifd sends them, "
	       "each codec's stream kept across packets (%d MiB of distinct pages a class); "
	       "xbzrle per page against its old bytes (1 %% changed); zero on zero pages\n",
	       CPKT_PAGES, POOL_PKTS * CPKT_PAGES * PAGE >> 20);
	static const struct {
		const char *name;
		int level;
	} cfgs[] = {{"none", 0}, {"zlib", 1},  {"zlib", 9}, {"zstd", 1},
		    {"zstd", 9}, {"zstd", 19}, {"lz4", 0},  {"xbzrle", 0}};
	for (size_t i = 0; i < sizeof cfgs / sizeof cfgs[0]; i++)
		ccfg_add(cfgs[i].name, cfgs[i].level);
	bench_codec_class(CONTENT_TEXT);
	bench_codec_class(CONTENT_HEAP);
	bench_codec_class(CONTENT_RANDOM);
	ccfg_free();
	ccfg_add("zero", 0);
	bench_codec_class(CONTENT_ZERO);
	ccfg_free();
	for (int p = 0; p < CPKTS; p++)
		for (int i = 0; i < CPKT_PAGES; i++)
			free(cnew[p][i]);
	for (int i = 0; i < CPKT_PAGES; i++)
		free(cdec[i]);
	free(pool);
	free(cout);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "codecs") == 0) {
		bench_codecs();
		return 0;
	}
	/* Page-aligned, like guest RAM and the page cache's calloc. */
	olds = aligned_alloc(PAGE, (size_t)NPAIRS * PAGE);
	news = aligned_alloc(PAGE, (size_t)NPAIRS * PAGE);
	deltas = aligned_alloc(PAGE, (size_t)NPAIRS * PAGE);
	out = aligned_alloc(PAGE, PAGE);
	scratch = aligned_alloc(PAGE, PAGE);
	zbuf = aligned_alloc(PAGE, ZERO_BYTES);
	if (!olds || !news || !deltas || !out || !scratch || !zbuf) {
		fprintf(stderr, "enc_bench: out of memory\n");
		return 0; /* a figure-only tool: no failure for make bench */
	}
	choose_read();
	printf("selected: xbzrle %s, zero %s\n\n", xbz_impl_name(xbz_impl_selected()),
	       zero_impl_name(zero_impl_selected()));
	struct result mem[NPATTERNS], hot[NPATTERNS];
	bench_encode(mem);
	printf("\n");
	ws = HOT_PAIRS;
	bench_encode(hot);
	struct spread zero = bench_zero();
	print_targets(mem, hot, zero);
	bench_codecs();
	free(olds);
	free(news);
	free(deltas);
	free(out);
	free(scratch);
	free(zbuf);
	return 0;
}
