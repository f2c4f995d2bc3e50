/*
 * scan_bench — what the migration thread's own work on a page costs, the
 * figures behind the defaults of zero-scan-cost and page-copy-cost
 * (sim/params.c): the zero-page test (encoders/zero.c, QEMU's
 * buffer_is_zero) over zero pages, and the copy of a page into a reused
 * 32 KiB buffer (QEMUFile's buffer; the socket's copy in writev is the same
 * memcpy). The pages are in a buffer of SPAN bytes, more than this
 * machine's L3 (260 MiB here), written first so they are real memory and
 * not the kernel's shared zero page: a migration reads guest RAM from
 * memory. Prints ns per byte, the median of REPS passes over the buffer;
 * always exits 0 (a figure-only tool, timings depend on the machine and
 * its load).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zero.h"

#define PAGE	 4096
#define SPAN	 ((size_t)768 << 20)
#define BUF_SIZE 32768
#define REPS	 5

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static uint8_t *mem, *buf;
static volatile long sink;

static void pass_zero(void)
{
	long acc = 0;
	for (size_t off = 0; off < SPAN; off += PAGE)
		acc += zero_test(mem + off, PAGE);
	sink += acc;
}

static void pass_copy(void)
{
	size_t at = 0;
	for (size_t off = 0; off < SPAN; off += PAGE) {
		memcpy(buf + at, mem + off, PAGE);
		at = (at + PAGE) % BUF_SIZE;
	}
	sink += buf[at];
}

/* ns per byte of SPAN, median of REPS passes. */
static double ns_per_byte(void (*pass)(void))
{
	double r[REPS];
	for (int i = 0; i < REPS; i++) {
		double t0 = now_ns();
		pass();
		r[i] = (now_ns() - t0) / (double)SPAN;
	}
	qsort(r, REPS, sizeof r[0], cmp_double);
	return r[REPS / 2];
}

int main(void)
{
	mem = aligned_alloc(PAGE, SPAN);
	buf = aligned_alloc(PAGE, BUF_SIZE);
	if (!mem || !buf) {
		fprintf(stderr, "scan_bench: out of memory\n");
		free(mem);
		free(buf);
		return 0;
	}
	memset(mem, 0, SPAN);
	double zero = ns_per_byte(pass_zero);
	double copy = ns_per_byte(pass_copy);
	printf("%zu MiB of 4 KiB pages from memory, median of %d passes\n", SPAN >> 20, REPS);
	printf("zero test (%s) on zero pages  %.4f ns/byte  (%.2f GB/s, %.0f ns a page)\n",
	       zero_impl_name(zero_impl_selected()), zero, 1 / zero, zero * PAGE);
	printf("copy into a 32 KiB buffer        %.4f ns/byte  (%.2f GB/s, %.0f ns a page)\n", copy,
	       1 / copy, copy * PAGE);
	free(mem);
	free(buf);
	return 0;
}
