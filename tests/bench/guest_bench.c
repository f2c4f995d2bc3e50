/*
 * guest_bench — figures for guest memory's hot paths: the calloc loop's
 * increment pass, page bytes by kind (what the migration reads for every page
 * it sends), dirty sync and compare of a 64 GiB guest, host bytes per page.
 * Prints one figure a line; exits non-zero only when the guest fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "guest.h"

#define PS 4096u

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static guest *make(uint64_t ram, int all_missing)
{
	struct guest_config c = {
	    .ram_bytes = ram, .page_size = PS, .content_seed = 1, .all_missing = all_missing};
	guest *g;
	err e;
	if (guest_new(&g, &c, &e) < 0) {
		fprintf(stderr, "guest_bench: %s\n", e.msg);
		return NULL;
	}
	return g;
}

static int bench_inc(void)
{
	guest *g = make(16u << 20, 0);
	err e;
	if (!g)
		return -1;
	double t0 = now_s();
	int rc = guest_inc(g, 0, 1024, 16384, 1, &e);
	double first = now_s() - t0;
	enum { PASSES = 2000 };
	t0 = now_s();
	for (int i = 0; i < PASSES && rc == 0; i++)
		rc = guest_inc(g, 0, 1024, 16384, 1, &e);
	double pass = (now_s() - t0) / PASSES;
	if (rc < 0)
		fprintf(stderr, "guest_bench: %s\n", e.msg);
	printf("calloc loop, 16 MiB, stride 1024: first pass %.1f us, then %.1f us a pass "
	       "(%.2f ns an increment)\n",
	       first * 1e6, pass * 1e6, pass * 1e9 / 16384);
	guest_free(g);
	/* The floor: the same increments on a plain array (cache and TLB misses). */
	volatile uint8_t *plain = calloc(1, 16u << 20);
	if (!plain)
		return -1;
	for (size_t i = 0; i < (16u << 20); i += 1024)
		plain[i]++;
	t0 = now_s();
	for (int r = 0; r < PASSES; r++)
		for (size_t i = 0; i < (16u << 20); i += 1024)
			plain[i]++;
	printf("  the same on a plain 16 MiB array: %.1f us a pass\n",
	       (now_s() - t0) / PASSES * 1e6);
	free((void *)plain);
	return rc;
}

/* Reads guest_page_bytes over `n` pages of one kind and sums a byte of each
 * so the work cannot be skipped. */
static double page_bytes_ns(const guest *g, uint64_t n, uint8_t *scratch)
{
	unsigned sum = 0;
	double t0 = now_s();
	for (int rep = 0; rep < 20; rep++)
		for (uint64_t p = 0; p < n; p++)
			sum += guest_page_bytes(g, p, scratch)[p % PS];
	double ns = (now_s() - t0) * 1e9 / (20.0 * (double)n);
	if (sum == 12345)
		printf(" ");
	return ns;
}

static int bench_page_bytes(void)
{
	enum { N = 4096 };
	guest *z = make((uint64_t)N * PS, 0), *m = make((uint64_t)N * PS, 0),
	      *p = make((uint64_t)N * PS, 0);
	uint8_t *scratch = malloc(PS);
	err e;
	int rc = -1;
	if (!z || !m || !p || !scratch)
		goto out;
	if (guest_fill(m, 0, (uint64_t)N * PS, 7, &e) < 0 || guest_rewrite(p, 0, N, &e) < 0) {
		fprintf(stderr, "guest_bench: %s\n", e.msg);
		goto out;
	}
	const char *names[] = {"ZERO", "MATERIAL", "PROCEDURAL"};
	const guest *gs[] = {z, m, p};
	for (int k = 0; k < 3; k++) {
		double ns = page_bytes_ns(gs[k], N, scratch);
		printf("guest_page_bytes, %s: %.1f ns a page (%.2f M pages/s, %.2f GB/s)\n",
		       names[k], ns, 1e3 / ns, (double)PS / ns);
	}
	rc = 0;
out:
	free(scratch);
	guest_free(z);
	guest_free(m);
	guest_free(p);
	return rc;
}

static int bench_big(void)
{
	const uint64_t ram = UINT64_C(64) << 30, pages = ram / PS;
	double t0 = now_s();
	guest *src = make(ram, 0), *dst = make(ram, 1);
	double made = now_s() - t0;
	uint64_t *bitmap = calloc(pages / 64, sizeof *bitmap);
	err e;
	int rc = -1;
	if (!src || !dst || !bitmap)
		goto out;
	printf("64 GiB guest: created (source + all-missing destination) in %.2f ms, "
	       "%.3f host bytes a page\n",
	       made * 1e3, (double)guest_host_bytes(src) / (double)pages);
	t0 = now_s();
	guest_dirty_sync(src, bitmap);
	printf("64 GiB guest: dirty sync, clean log: %.1f us\n", (now_s() - t0) * 1e6);
	/* 1% of pages dirty, spread out: the sync visits every word. The second
	 * round is the steady state (the bitmap's pages are faulted in). */
	for (int round = 1; round <= 2; round++) {
		for (uint64_t p = 0; p < pages; p += 100)
			if (guest_rewrite(src, p, 1, &e) < 0)
				goto fail;
		t0 = now_s();
		uint64_t fresh = guest_dirty_sync(src, bitmap);
		printf(
		    "64 GiB guest: dirty sync, %llu pages dirty (%llu newly), round %d: %.1f us\n",
		    (unsigned long long)(pages + 99) / 100, (unsigned long long)fresh, round,
		    (now_s() - t0) * 1e6);
	}
	for (uint64_t p = 0; p < pages; p++)
		if (guest_copy_page_from(dst, src, p, &e) < 0)
			goto fail;
	uint64_t diff;
	t0 = now_s();
	int differ = guest_compare(src, dst, &diff);
	printf("64 GiB guest: compare after copying every page: %.1f ms (%s)\n",
	       (now_s() - t0) * 1e3, differ ? "DIFFER" : "equal");
	rc = differ ? -1 : 0;
	goto out;
fail:
	fprintf(stderr, "guest_bench: %s\n", e.msg);
out:
	free(bitmap);
	guest_free(src);
	guest_free(dst);
	return rc;
}

int main(void)
{
	int rc = bench_inc();
	rc |= bench_page_bytes();
	rc |= bench_big();
	return rc ? EXIT_FAILURE : EXIT_SUCCESS;
}
