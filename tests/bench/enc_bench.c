/*
 * enc_bench — speed of the page encoders (encoders/): XBZRLE encode with each
 * implementation over several change patterns, decode, and the zero-page
 * test. Prints figures only, no pass/fail: timings depend on the machine
 * (make bench runs it). Each figure is the best of a few timed rounds over
 * a working set of page pairs, so one preempted round does not skew it.
 * MB/s counts page bytes examined (4096 per page), not delta bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xbzrle.h"
#include "zero.h"

#define PAGE	 4096
#define NPAIRS	 256 /* 2 MiB of old+new pages */
#define ROUNDS	 5
#define ROUND_NS 30000000.0 /* each round runs about 30 ms */

static uint64_t rng = 42;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

enum pattern { IDENTICAL, CALLOC_LOOP, ONE_BYTE, RUN_512, PCT1, PCT25, REWRITE, NPATTERNS };

static const char *pattern_name[NPATTERNS] = {
    "identical",  "calloc-loop (4 bytes)", "1 byte", "512-byte run", "1% random",
    "25% random", "full rewrite"};

static void make_pair(enum pattern pat, uint8_t *o, uint8_t *n)
{
	for (int i = 0; i < PAGE; i++)
		o[i] = (uint8_t)rnd();
	memcpy(n, o, PAGE);
	switch (pat) {
	case CALLOC_LOOP:
		for (int i = 0; i < PAGE; i += 1024)
			n[i]++;
		break;
	case ONE_BYTE:
		n[rnd() % PAGE] ^= 0x10;
		break;
	case RUN_512: {
		int at = (int)(rnd() % (PAGE - 512));
		for (int i = at; i < at + 512; i++)
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

static uint8_t *olds, *news, *deltas, *scratch;
static int dlen[NPAIRS];
static volatile long sink;

/* Pages per second of fn(k, pair) over the working set: best round. */
static double rate(long (*fn)(int, int), int k)
{
	double best = 0;
	long iters = 1;
	for (int r = 0; r < ROUNDS; r++) {
		double t0, t;
		long acc = 0;
		for (;;) {
			t0 = now_ns();
			for (long it = 0; it < iters; it++)
				for (int p = 0; p < NPAIRS; p++)
					acc += fn(k, p);
			t = now_ns() - t0;
			if (t >= ROUND_NS / 4 || r > 0)
				break;
			iters *= 2; /* first round: find a count that takes a while */
		}
		sink += acc;
		double pps = (double)iters * NPAIRS / (t / 1e9);
		if (pps > best)
			best = pps;
		if (r == 0)
			iters = (long)(iters * ROUND_NS / t) + 1;
	}
	return best;
}

static long do_encode(int k, int p)
{
	return xbz_encode_with((enum xbz_impl)k, olds + (size_t)p * PAGE, news + (size_t)p * PAGE,
			       PAGE, deltas + (size_t)p * 2 * PAGE, PAGE);
}

static long do_decode(int k, int p)
{
	(void)k;
	if (dlen[p] <= 0)
		return 0;
	memcpy(scratch, olds + (size_t)p * PAGE, PAGE); /* the destination's old page */
	return xbz_decode(scratch, PAGE, deltas + (size_t)p * 2 * PAGE, (size_t)dlen[p], NULL);
}

static long do_zero(int k, int p)
{
	return zero_test_with((enum zero_impl)k, olds + (size_t)p * PAGE, PAGE);
}

static void bench_encode(void)
{
	printf("XBZRLE encode, 4 KiB pages, limit 4096 (MB/s of page | pages/s)\n");
	printf("%-22s", "pattern");
	for (int k = 0; k < XBZ_IMPL_COUNT; k++)
		if (xbz_impl_available((enum xbz_impl)k))
			printf(" %22s", xbz_impl_name((enum xbz_impl)k));
	printf(" %22s\n", "decode");
	for (int pat = 0; pat < NPATTERNS; pat++) {
		for (int p = 0; p < NPAIRS; p++)
			make_pair((enum pattern)pat, olds + (size_t)p * PAGE,
				  news + (size_t)p * PAGE);
		printf("%-22s", pattern_name[pat]);
		for (int k = 0; k < XBZ_IMPL_COUNT; k++) {
			if (!xbz_impl_available((enum xbz_impl)k))
				continue;
			double pps = rate(do_encode, k);
			printf(" %9.0f | %9.3gM", pps * PAGE / 1e6, pps / 1e6);
			fflush(stdout);
		}
		int deltas_made = 0;
		for (int p = 0; p < NPAIRS; p++)
			deltas_made += (dlen[p] = (int)do_encode(XBZ_SCALAR_REF, p)) > 0;
		if (!deltas_made) {
			printf(" %22s\n", "(no delta)");
			continue;
		}
		double pps = rate(do_decode, 0);
		printf(" %9.0f | %9.3gM\n", pps * PAGE / 1e6, pps / 1e6);
	}
	printf(
	    "(decode includes copying the 4 KiB old page; a full rewrite overflows the limit)\n");
}

static void bench_zero(void)
{
	printf("\nzero test, 4 KiB pages (GB/s on zero pages | Mpages/s on pages non-zero in "
	       "their last byte)\n");
	memset(olds, 0, (size_t)NPAIRS * PAGE);
	for (int k = 0; k < ZERO_IMPL_COUNT; k++) {
		if (!zero_impl_available((enum zero_impl)k))
			continue;
		memset(olds, 0, (size_t)NPAIRS * PAGE);
		double z = rate(do_zero, k);
		for (int p = 0; p < NPAIRS; p++)
			olds[(size_t)p * PAGE + PAGE - 1] = 1;
		double nz = rate(do_zero, k);
		printf("%-10s %8.2f GB/s | %8.3g Mpages/s\n", zero_impl_name((enum zero_impl)k),
		       z * PAGE / 1e9, nz / 1e6);
	}
}

int main(void)
{
	/* Page-aligned, like guest RAM and the page cache's calloc. */
	olds = aligned_alloc(PAGE, (size_t)NPAIRS * PAGE);
	news = aligned_alloc(PAGE, (size_t)NPAIRS * PAGE);
	deltas = aligned_alloc(PAGE, (size_t)NPAIRS * 2 * PAGE);
	scratch = aligned_alloc(PAGE, PAGE);
	if (!olds || !news || !deltas || !scratch) {
		fprintf(stderr, "enc_bench: out of memory\n");
		return 1;
	}
	printf("selected: xbzrle %s, zero %s\n\n", xbz_impl_name(xbz_impl_selected()),
	       zero_impl_name(zero_impl_selected()));
	bench_encode();
	bench_zero();
	free(olds);
	free(news);
	free(deltas);
	free(scratch);
	return 0;
}
