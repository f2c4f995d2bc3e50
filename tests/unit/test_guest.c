/* Unit tests of guest memory: each primitive's effect on bytes, kind, version
 * and dirty log; range errors; the dirty sync; procedural bytes; the
 * destination calls, compare and faults; the material limit; scale. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "guest.h"

#define PS 4096u

static guest *mk(uint64_t ram, uint32_t ps, uint64_t seed, int all_missing, uint64_t limit)
{
	struct guest_config c = {.ram_bytes = ram,
				 .page_size = ps,
				 .content_seed = seed,
				 .all_missing = all_missing,
				 .material_limit = limit};
	guest *g = NULL;
	err e = {{0}};
	ck_assert_msg(guest_new(&g, &c, &e) == 0, "guest_new: %s", e.msg);
	ck_assert_ptr_nonnull(g);
	return g;
}

/* A private copy of a page's bytes (guest_page_bytes may point into g). */
static uint8_t *bytes_of(const guest *g, uint64_t page)
{
	uint8_t *scratch = malloc(guest_page_size(g)), *out = malloc(guest_page_size(g));
	const uint8_t *b = guest_page_bytes(g, page, scratch);
	ck_assert_ptr_nonnull(b);
	memcpy(out, b, guest_page_size(g));
	free(scratch);
	return out;
}

static int all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

START_TEST(test_new_validates)
{
	struct guest_config bad[] = {
	    {.ram_bytes = 1 << 20, .page_size = 1000},	  {.ram_bytes = 1 << 20, .page_size = 256},
	    {.ram_bytes = 4 << 20, .page_size = 2 << 20}, {.ram_bytes = 0, .page_size = PS},
	    {.ram_bytes = PS * 3 + 1, .page_size = PS},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		guest *g = (guest *)1;
		err e = {{0}};
		ck_assert_int_eq(guest_new(&g, &bad[i], &e), -1);
		ck_assert_ptr_null(g);
		ck_assert_msg(e.msg[0] != '\0', "case %zu has no message", i);
	}
	guest *g = mk(PS * 10, PS, 1, 0, 0);
	ck_assert_uint_eq(guest_pages(g), 10);
	ck_assert_uint_eq(guest_page_size(g), PS);
	ck_assert_uint_eq(guest_ram_bytes(g), PS * 10);
	for (uint64_t p = 0; p < 10; p++) {
		ck_assert_int_eq(guest_page_kind(g, p), GUEST_ZERO);
		ck_assert_uint_eq(guest_page_version(g, p), 0);
		uint8_t *b = bytes_of(g, p);
		ck_assert(all_zero(b, PS));
		free(b);
	}
	ck_assert_uint_eq(guest_dirty_count(g), 0);
	ck_assert_uint_eq(guest_material_pages(g), 0);
	ck_assert_uint_eq(guest_missing_pages(g), 0);
	guest_free(g);
	g = mk(512 * 3, 512, 1, 0, 0); /* the smallest page size */
	ck_assert_uint_eq(guest_pages(g), 3);
	guest_free(g);
	g = mk(2u << 20, 1u << 20, 1, 0, 0); /* and the largest */
	ck_assert_int_eq(guest_rewrite(g, 1, 1, NULL), 0);
	uint8_t *b = bytes_of(g, 1);
	ck_assert(!all_zero(b, 1u << 20));
	free(b);
	guest_free(g);
}
END_TEST

START_TEST(test_inc)
{
	guest *g = mk(PS * 8, PS, 1, 0, 0);
	err e;
	ck_assert_int_eq(guest_inc(g, 0, 1024, 16, 3, &e), 0);
	for (uint64_t p = 0; p < 8; p++) {
		int touched = p < 4;
		ck_assert_int_eq(guest_page_kind(g, p), touched ? GUEST_MATERIAL : GUEST_ZERO);
		ck_assert_uint_eq(guest_page_version(g, p), touched ? 1 : 0);
		uint8_t *b = bytes_of(g, p);
		for (uint32_t i = 0; i < PS; i++)
			ck_assert_uint_eq(b[i], touched && i % 1024 == 0 ? 3 : 0);
		free(b);
	}
	ck_assert_uint_eq(guest_dirty_count(g), 4);
	ck_assert_uint_eq(guest_material_pages(g), 4);
	/* mod 256: back to zero bytes, still materialised, one more version */
	ck_assert_int_eq(guest_inc(g, 0, 1024, 16, 253, &e), 0);
	uint8_t *b = bytes_of(g, 2);
	ck_assert(all_zero(b, PS));
	free(b);
	ck_assert_int_eq(guest_page_kind(g, 2), GUEST_MATERIAL);
	ck_assert_uint_eq(guest_page_version(g, 2), 2);
	/* stride 0: one byte, count times */
	ck_assert_int_eq(guest_inc(g, 5 * PS + 7, 0, 300, 1, &e), 0);
	b = bytes_of(g, 5);
	ck_assert_uint_eq(b[7], 300 % 256);
	ck_assert_uint_eq(guest_page_version(g, 5), 1);
	free(b);
	/* across a page boundary, unaligned: each page's version moves once */
	ck_assert_int_eq(guest_inc(g, 6 * PS + 4000, 100, 3, 9, &e), 0);
	ck_assert_uint_eq(guest_page_version(g, 6), 1);
	ck_assert_uint_eq(guest_page_version(g, 7), 1);
	b = bytes_of(g, 6);
	ck_assert_uint_eq(b[4000], 9);
	free(b);
	b = bytes_of(g, 7);
	ck_assert_uint_eq(b[4100 - PS], 9);
	ck_assert_uint_eq(b[4200 - PS], 9);
	ck_assert_uint_eq(b[0], 0);
	free(b);
	/* a stride larger than a page: every other page */
	guest *h = mk(PS * 8, PS, 1, 0, 0);
	ck_assert_int_eq(guest_inc(h, 10, 2 * PS, 4, 1, &e), 0);
	for (uint64_t p = 0; p < 8; p++)
		ck_assert_uint_eq(guest_page_version(h, p), p % 2 == 0);
	ck_assert_int_eq(guest_inc(h, 0, 1, 0, 1, &e), 0); /* nothing */
	ck_assert_uint_eq(guest_dirty_count(h), 4);
	guest_free(h);
	guest_free(g);
}
END_TEST

/* guest_inc against the same increments on a plain array, for strides that
 * divide the page, that don't, that equal it and that pass it, from aligned
 * and unaligned offsets, with counts ending mid-page: the bytes, and which
 * pages were written (each once, whatever its number of increments). */
START_TEST(test_inc_matches_array)
{
	enum { PAGES = 6 };
	static const uint64_t strides[] = {1,	 3,	 100, 1023,   1024,
					   1025, PS - 1, PS,  PS + 1, 2 * PS + 7};
	static const uint64_t offsets[] = {0, 1, 1000, PS - 1, PS + 17};
	static uint8_t plain[PAGES * PS];
	err e;
	for (size_t si = 0; si < sizeof strides / sizeof *strides; si++)
		for (size_t oi = 0; oi < sizeof offsets / sizeof *offsets; oi++) {
			uint64_t st = strides[si], off = offsets[oi];
			uint64_t count = (PAGES * PS - 1 - off) / st + 1; /* to the end of RAM */
			count -= count / 3;				  /* ...or short of it */
			guest *g = mk(PAGES * PS, PS, 1, 0, 0);
			memset(plain, 0, sizeof plain);
			int written[PAGES] = {0};
			for (uint64_t i = 0; i < count; i++) {
				plain[off + i * st] = (uint8_t)(plain[off + i * st] + 5);
				written[(off + i * st) / PS] = 1;
			}
			ck_assert_int_eq(guest_inc(g, off, st, count, 5, &e), 0);
			uint64_t nwritten = 0;
			for (uint64_t p = 0; p < PAGES; p++) {
				uint8_t *b = bytes_of(g, p);
				ck_assert_msg(
				    !memcmp(b, plain + p * PS, PS),
				    "stride %llu offset %llu count %llu: page %llu differs",
				    (unsigned long long)st, (unsigned long long)off,
				    (unsigned long long)count, (unsigned long long)p);
				ck_assert_uint_eq(guest_page_version(g, p), written[p]);
				nwritten += written[p];
				free(b);
			}
			ck_assert_uint_eq(guest_dirty_count(g), nwritten);
			guest_free(g);
		}
	/* one increment with a stride no RAM has: exactly one byte */
	guest *g = mk(PAGES * PS, PS, 1, 0, 0);
	ck_assert_int_eq(guest_inc(g, 3 * PS + 5, UINT64_MAX, 1, 7, &e), 0);
	uint8_t *b = bytes_of(g, 3);
	memset(plain, 0, PS);
	plain[5] = 7;
	ck_assert_mem_eq(b, plain, PS);
	ck_assert_uint_eq(guest_dirty_count(g), 1);
	free(b);
	guest_free(g);
}
END_TEST

/* A byte write to a procedural page keeps every other procedural byte. */
START_TEST(test_materialise_keeps_procedural)
{
	guest *g = mk(PS * 4, PS, 42, 0, 0);
	err e;
	ck_assert_int_eq(guest_rewrite(g, 1, 2, &e), 0);
	ck_assert_int_eq(guest_page_kind(g, 1), GUEST_PROCEDURAL);
	ck_assert_uint_eq(guest_page_version(g, 1), 1);
	uint8_t *before = bytes_of(g, 1), *before2 = bytes_of(g, 2);
	ck_assert_int_eq(guest_inc(g, PS + 100, 1, 1, 1, &e), 0);
	ck_assert_int_eq(guest_page_kind(g, 1), GUEST_MATERIAL);
	ck_assert_uint_eq(guest_page_version(g, 1), 2);
	uint8_t *after = bytes_of(g, 1);
	before[100]++;
	ck_assert_mem_eq(before, after, PS);
	free(after);
	ck_assert_int_eq(guest_fill(g, 2 * PS + 10, 5, 0xab, &e), 0);
	after = bytes_of(g, 2);
	memset(before2 + 10, 0xab, 5);
	ck_assert_mem_eq(before2, after, PS);
	free(after);
	free(before);
	free(before2);
	guest_free(g);
}
END_TEST

START_TEST(test_write_fill_read)
{
	guest *g = mk(PS * 4, PS, 1, 0, 0);
	err e;
	uint8_t buf[6000], back[6000];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	ck_assert_int_eq(guest_write(g, 3000, buf, sizeof buf, &e), 0);
	ck_assert_uint_eq(guest_page_version(g, 0), 1);
	ck_assert_uint_eq(guest_page_version(g, 1), 1);
	ck_assert_uint_eq(guest_page_version(g, 2), 1); /* 3000 + 6000 = 9000 > 8192 */
	ck_assert_uint_eq(guest_page_version(g, 3), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 3);
	uint64_t dirty = guest_dirty_count(g);
	ck_assert_int_eq(guest_read(g, 3000, back, sizeof back, &e), 0);
	ck_assert_mem_eq(buf, back, sizeof buf);
	ck_assert_int_eq(guest_read(g, 0, NULL, 4 * PS, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(g), dirty); /* reads never dirty */
	ck_assert_uint_eq(guest_page_version(g, 0), 1);
	/* fill */
	ck_assert_int_eq(guest_fill(g, PS - 2, 4, 0x5a, &e), 0);
	ck_assert_int_eq(guest_read(g, PS - 3, back, 6, &e), 0);
	uint8_t want[6] = {buf[PS - 3 - 3000], 0x5a, 0x5a, 0x5a, 0x5a, buf[PS + 2 - 3000]};
	ck_assert_mem_eq(back, want, 6);
	/* a whole page filled with zeros needs no chunk */
	ck_assert_uint_eq(guest_material_pages(g), 3);
	ck_assert_int_eq(guest_fill(g, PS, PS, 0, &e), 0);
	ck_assert_int_eq(guest_page_kind(g, 1), GUEST_ZERO);
	ck_assert_uint_eq(guest_page_version(g, 1), 3);
	ck_assert_uint_eq(guest_material_pages(g), 2);
	/* a partial zero fill keeps the rest of the page */
	ck_assert_int_eq(guest_fill(g, 2 * PS, 10, 0, &e), 0);
	ck_assert_int_eq(guest_page_kind(g, 2), GUEST_MATERIAL);
	ck_assert_int_eq(guest_read(g, 2 * PS + 10, back, 1, &e), 0);
	ck_assert_uint_eq(back[0], buf[2 * PS + 10 - 3000]);
	/* reading a procedural page gives its bytes */
	ck_assert_int_eq(guest_rewrite(g, 3, 1, &e), 0);
	uint8_t *p3 = bytes_of(g, 3);
	ck_assert_int_eq(guest_read(g, 3 * PS + 100, back, 200, &e), 0);
	ck_assert_mem_eq(back, p3 + 100, 200);
	ck_assert_int_eq(guest_page_kind(g, 3),
			 GUEST_PROCEDURAL); /* reading does not materialise */
	free(p3);
	guest_free(g);
}
END_TEST

START_TEST(test_write_random)
{
	guest *a = mk(PS * 16, PS, 1, 0, 0), *b = mk(PS * 16, PS, 1, 0, 0);
	err e;
	rng ra, rb, rc;
	rng_seed(&ra, 7, "workload");
	rng_seed(&rb, 7, "workload");
	rng_seed(&rc, 7, "workload");
	ck_assert_int_eq(guest_write_random(a, 2, 5, 40, &ra, &e), 0);
	ck_assert_int_eq(guest_write_random(b, 2, 5, 40, &rb, &e), 0);
	ck_assert_int_eq(guest_compare(a, b, NULL), 0);
	ck_assert_mem_eq(&ra, &rb, sizeof ra);
	for (int i = 0; i < 5 * 40; i++) /* one draw per byte written */
		rng_next(&rc);
	ck_assert_mem_eq(&ra, &rc, sizeof ra);
	ck_assert_uint_eq(guest_dirty_count(a), 5);
	for (uint64_t p = 0; p < 16; p++) {
		int in = p >= 2 && p < 7;
		ck_assert_int_eq(guest_page_kind(a, p), in ? GUEST_MATERIAL : GUEST_ZERO);
		ck_assert_uint_eq(guest_page_version(a, p), in);
		uint8_t *bytes = bytes_of(a, p);
		int nz = 0;
		for (uint32_t i = 0; i < PS; i++)
			nz += bytes[i] != 0;
		ck_assert_int_le(nz, in ? 40 : 0);
		if (in)
			ck_assert_int_ge(nz, 20); /* 40 draws over 4096 places, 1/256 are zero */
		free(bytes);
	}
	rng_seed(&rb, 8, "workload");
	ck_assert_int_eq(guest_write_random(b, 2, 1, 40, &rb, &e), 0);
	uint64_t diff = 99;
	ck_assert_int_eq(guest_compare(a, b, &diff), 1);
	ck_assert_uint_eq(diff, 2);
	ck_assert_int_eq(guest_write_random(a, 0, 3, 0, &ra, &e), 0); /* no bytes: no write */
	ck_assert_uint_eq(guest_page_version(a, 0), 0);
	guest_free(a);
	guest_free(b);
}
END_TEST

START_TEST(test_rewrite_zero)
{
	guest *g = mk(PS * 4, PS, 3, 0, 0);
	err e;
	ck_assert_int_eq(guest_fill(g, 0, 4 * PS, 1, &e), 0);
	ck_assert_uint_eq(guest_material_pages(g), 4);
	ck_assert_int_eq(guest_rewrite(g, 0, 2, &e), 0);
	ck_assert_uint_eq(guest_material_pages(g), 2);
	ck_assert_int_eq(guest_page_kind(g, 0), GUEST_PROCEDURAL);
	ck_assert_uint_eq(guest_page_version(g, 0), 2);
	uint8_t *v2 = bytes_of(g, 0);
	ck_assert_int_eq(guest_rewrite(g, 0, 1, &e), 0);
	ck_assert_uint_eq(guest_page_version(g, 0), 3);
	uint8_t *v3 = bytes_of(g, 0);
	ck_assert(memcmp(v2, v3, PS) != 0); /* fresh content each time */
	free(v2);
	free(v3);
	ck_assert_int_eq(guest_zero(g, 0, 3, &e), 0);
	ck_assert_uint_eq(guest_material_pages(g), 1);
	for (uint64_t p = 0; p < 3; p++) {
		ck_assert_int_eq(guest_page_kind(g, p), GUEST_ZERO);
		uint8_t *b = bytes_of(g, p);
		ck_assert(all_zero(b, PS));
		free(b);
	}
	ck_assert_uint_eq(guest_page_version(g, 0), 4);
	ck_assert_uint_eq(guest_page_version(g, 2), 2);
	uint64_t bitmap[1] = {0};
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 4);
	ck_assert_uint_eq(bitmap[0], 0xf);
	/* rewriting a page that was never written also counts as a write */
	guest *h = mk(PS * 2, PS, 3, 0, 0);
	ck_assert_int_eq(guest_rewrite(h, 1, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(h), 1);
	ck_assert_uint_eq(guest_page_version(h, 1), 1);
	guest_free(h);
	guest_free(g);
}
END_TEST

START_TEST(test_procedural_bytes)
{
	enum { N = 2000 };
	guest *a = mk((uint64_t)PS * N, PS, 11, 0, 0), *b = mk((uint64_t)PS * N, PS, 11, 0, 0);
	guest *c = mk((uint64_t)PS * N, PS, 12, 0, 0);
	err e;
	ck_assert_int_eq(guest_rewrite(a, 0, N, &e), 0);
	ck_assert_int_eq(guest_rewrite(b, 0, N, &e), 0);
	ck_assert_int_eq(guest_rewrite(c, 0, N, &e), 0);
	uint8_t *s1 = malloc(PS), *s2 = malloc(PS);
	const uint8_t *prev = NULL;
	uint8_t *keep = malloc(PS);
	for (uint64_t p = 0; p < N; p++) {
		const uint8_t *x = guest_page_bytes(a, p, s1), *y = guest_page_bytes(b, p, s2);
		ck_assert_mem_eq(x, y, PS);
		ck_assert_msg(x[0] != 0, "page %llu starts with a zero byte",
			      (unsigned long long)p);
		ck_assert(!all_zero(x, PS));
		if (prev)
			ck_assert(memcmp(prev, x, PS) != 0);
		memcpy(keep, x, PS);
		prev = keep;
		y = guest_page_bytes(c, p, s2);
		ck_assert(memcmp(x, y, PS) != 0);
	}
	ck_assert_int_eq(guest_compare(a, b, NULL), 0);
	uint64_t diff = 99;
	ck_assert_int_eq(guest_compare(a, c, &diff), 1);
	ck_assert_uint_eq(diff, 0);
	/* bytes look random: each byte value appears about PS/256 times */
	const uint8_t *x = guest_page_bytes(a, 5, s1);
	int hist[256] = {0};
	for (uint32_t i = 0; i < PS; i++)
		hist[x[i]]++;
	for (int v = 0; v < 256; v++)
		ck_assert_int_lt(hist[v], 50);
	/* a new version, new bytes; same version on another guest, same bytes */
	memcpy(keep, guest_page_bytes(a, 9, s1), PS);
	ck_assert_int_eq(guest_rewrite(a, 9, 1, &e), 0);
	ck_assert(memcmp(keep, guest_page_bytes(a, 9, s1), PS) != 0);
	ck_assert_int_eq(guest_compare(a, b, &diff), 1);
	ck_assert_uint_eq(diff, 9);
	ck_assert_int_eq(guest_rewrite(b, 9, 1, &e), 0);
	ck_assert_int_eq(guest_compare(a, b, NULL), 0);
	free(s1);
	free(s2);
	free(keep);
	guest_free(a);
	guest_free(b);
	guest_free(c);
}
END_TEST

START_TEST(test_copy)
{
	guest *g = mk(PS * 10, PS, 5, 0, 0);
	err e;
	ck_assert_int_eq(guest_fill(g, 0, 10, 0x11, &e), 0); /* page 0 MATERIAL */
	ck_assert_int_eq(guest_rewrite(g, 1, 1, &e), 0);     /* page 1 PROCEDURAL */
	ck_assert_int_eq(guest_fill(g, 5 * PS, 3 * PS, 0x77, &e), 0);
	uint8_t *src0 = bytes_of(g, 0), *src1 = bytes_of(g, 1);
	ck_assert_int_eq(guest_copy(g, 5, 0, 3, &e), 0); /* page 2 is ZERO */
	ck_assert_int_eq(guest_page_kind(g, 5), GUEST_MATERIAL);
	ck_assert_int_eq(guest_page_kind(g, 6), GUEST_MATERIAL); /* procedural moved: bytes */
	ck_assert_int_eq(guest_page_kind(g, 7), GUEST_ZERO);
	for (uint64_t p = 5; p < 8; p++)
		ck_assert_uint_eq(guest_page_version(g, p), 2);
	uint8_t *d5 = bytes_of(g, 5), *d6 = bytes_of(g, 6), *d7 = bytes_of(g, 7);
	ck_assert_mem_eq(d5, src0, PS);
	ck_assert_mem_eq(d6, src1, PS);
	ck_assert(all_zero(d7, PS));
	ck_assert_uint_eq(guest_material_pages(g), 3); /* 0, 5, 6 */
	/* the source pages are unchanged and not dirtied by the copy */
	uint64_t bitmap[1] = {0};
	guest_dirty_sync(g, bitmap);
	ck_assert_int_eq(guest_copy(g, 8, 0, 2, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 2);
	bitmap[0] = 0;
	guest_dirty_sync(g, bitmap);
	ck_assert_uint_eq(bitmap[0], 0x300);
	ck_assert_uint_eq(guest_page_version(g, 0), 1);
	ck_assert_int_eq(guest_page_kind(g, 1), GUEST_PROCEDURAL);
	/* overlap and range are refused */
	ck_assert_int_eq(guest_copy(g, 1, 0, 2, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "overlap"));
	ck_assert_int_eq(guest_copy(g, 9, 0, 2, &e), -1);
	ck_assert_int_eq(guest_copy(g, 0, 9, 2, &e), -1);
	ck_assert_uint_eq(guest_dirty_count(g), 0);
	free(src0);
	free(src1);
	free(d5);
	free(d6);
	free(d7);
	guest_free(g);
}
END_TEST

/* Every primitive refuses a range past RAM, names it, and changes nothing. */
START_TEST(test_range_errors)
{
	guest *g = mk(PS * 4, PS, 1, 0, 0), *fresh = mk(PS * 4, PS, 1, 0, 0);
	err e;
	uint8_t buf[64] = {1};
	rng r;
	rng_seed(&r, 1, "w");
	const uint64_t ram = PS * 4;
#define REFUSED(call, off)                                                                         \
	do {                                                                                       \
		e.msg[0] = '\0';                                                                   \
		ck_assert_int_eq(call, -1);                                                        \
		ck_assert_msg(strstr(e.msg, "16384") != NULL, "no RAM size in: %s", e.msg);        \
		ck_assert_msg(strstr(e.msg, off) != NULL, "no offset in: %s", e.msg);              \
	} while (0)
	REFUSED(guest_inc(g, ram, 1, 1, 1, &e), "16384");
	REFUSED(guest_inc(g, 100, 1024, 17, 1, &e), "100");
	REFUSED(guest_inc(g, 5, UINT64_MAX / 2, 3, 1, &e), "5");
	REFUSED(guest_write(g, ram - 10, buf, 11, &e), "16374");
	REFUSED(guest_fill(g, 1, UINT64_MAX, 1, &e), "1");
	REFUSED(guest_fill(g, UINT64_MAX - 1, 4, 1, &e), "18446744073709551614");
	REFUSED(guest_read(g, ram - 1, buf, 2, &e), "16383");
	REFUSED(guest_write_random(g, 3, 2, 1, &r, &e), "12288");
	REFUSED(guest_rewrite(g, 4, 1, &e), "16384");
	REFUSED(guest_zero(g, 0, 5, &e), "0");
	REFUSED(guest_zero(g, 2, UINT64_MAX, &e), "8192");
	REFUSED(guest_copy(g, 3, 0, 2, &e), "12288");
#undef REFUSED
	ck_assert_uint_eq(guest_dirty_count(g), 0);
	ck_assert_uint_eq(guest_material_pages(g), 0);
	ck_assert_int_eq(guest_compare(g, fresh, NULL), 0);
	for (uint64_t p = 0; p < 4; p++)
		ck_assert_uint_eq(guest_page_version(g, p), 0);
	/* the very end of RAM is in range */
	ck_assert_int_eq(guest_write(g, ram - 1, buf, 1, &e), 0);
	ck_assert_int_eq(guest_read(g, ram, NULL, 0, &e), 0);
	/* page-level calls refuse pages past the end */
	ck_assert_ptr_null(guest_page_mut(g, 4, &e));
	ck_assert_int_eq(guest_install_bytes(g, 4, buf, &e), -1);
	ck_assert_int_eq(guest_copy_page_from(fresh, g, 4, &e), -1);
	guest_free(g);
	guest_free(fresh);
}
END_TEST

/* Manual clearing (KVM's manual dirty-log protect, its bitmap initially all
 * set): a sync leaves what it reports logged, so a write to such a page is
 * not logged again until its range is cleared, and the next sync reports it
 * anyway; a page written after the sync keeps its log through a clear. */
START_TEST(test_dirty_manual_clear)
{
	guest *g = mk((uint64_t)PS * 200, PS, 1, 0, 0);
	err e;
	uint64_t bitmap[4] = {0};
	ck_assert_int_eq(guest_inc(g, 3 * PS, 1, 1, 1, &e), 0); /* before logging starts */
	uint64_t host = guest_host_bytes(g);
	ck_assert_int_eq(guest_dirty_manual(g, &e), 0);
	ck_assert_uint_eq(guest_host_bytes(g), host + 4 * 8); /* a bit a page */
	/* Initially set: every page is logged, so no write is. */
	ck_assert_int_eq(guest_inc(g, 70 * PS, 1, 1, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 1); /* page 3, from before */
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 200);
	/* Pages 0-63 cleared: page 10 is logged by its next write, 70 is not. */
	memset(bitmap, 0, sizeof bitmap);
	guest_dirty_clear(g, 0, 64);
	ck_assert_int_eq(guest_inc(g, 10 * PS, 1, 1, 1, &e), 0);
	ck_assert_int_eq(guest_inc(g, 70 * PS, 1, 1, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 1);
	/* The sync reports page 10 and, again, the 136 pages not cleared. */
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 1 + 136);
	ck_assert_uint_eq(bitmap[0], UINT64_C(1) << 10);
	ck_assert_uint_eq(bitmap[1], ~UINT64_C(0));
	ck_assert_uint_eq(bitmap[3], (UINT64_C(1) << 8) - 1);
	/* Page 10 is reported now: its next write is not logged... */
	memset(bitmap, 0, sizeof bitmap);
	ck_assert_int_eq(guest_inc(g, 10 * PS, 1, 1, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 0);
	/* ...until a clear; page 20, written since the sync, stays logged. */
	ck_assert_int_eq(guest_inc(g, 20 * PS, 1, 1, 1, &e), 0);
	guest_dirty_clear(g, 0, 64);
	ck_assert_int_eq(guest_inc(g, 10 * PS, 1, 1, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 2);
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 2 + 136);
	ck_assert_uint_eq(bitmap[0], (UINT64_C(1) << 10) | (UINT64_C(1) << 20));
	/* Everything cleared (a range past the end stops there): nothing left. */
	memset(bitmap, 0, sizeof bitmap);
	guest_dirty_clear(g, 0, 1000);
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 0);
	/* More pages than the list holds: the scan after the overflow reports
	 * the same pages, and leaves them logged. */
	ck_assert_int_eq(guest_inc(g, 0, PS, 100, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 100);
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 100);
	ck_assert_int_eq(guest_inc(g, 0, PS, 100, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 0);
	memset(bitmap, 0, sizeof bitmap);
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 100);
	/* A range across a word boundary clears exactly its pages. */
	guest_dirty_clear(g, 62, 4);
	ck_assert_int_eq(guest_inc(g, 61 * PS, PS, 6, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 4);
	guest_free(g);
}
END_TEST

START_TEST(test_dirty_sync)
{
	guest *g = mk((uint64_t)PS * 130, PS, 1, 0, 0);
	err e;
	uint64_t bitmap[3] = {0};
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 0);
	ck_assert_int_eq(guest_inc(g, 1 * PS, 1, 1, 1, &e), 0);
	ck_assert_int_eq(guest_inc(g, 5 * PS, 1, 1, 1, &e), 0);
	ck_assert_int_eq(guest_inc(g, 5 * PS + 9, 1, 1, 1, &e), 0); /* same page again */
	ck_assert_int_eq(guest_inc(g, 70 * PS, 1, 1, 1, &e), 0);
	ck_assert_int_eq(guest_rewrite(g, 129, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 4);
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 4);
	ck_assert_uint_eq(guest_dirty_count(g), 0);
	ck_assert_uint_eq(bitmap[0], (UINT64_C(1) << 1) | (UINT64_C(1) << 5));
	ck_assert_uint_eq(bitmap[1], UINT64_C(1) << 6);
	ck_assert_uint_eq(bitmap[2], UINT64_C(1) << 1);
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 0); /* the log was cleared */
	ck_assert_int_eq(guest_zero(g, 5, 2, &e), 0);
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 1); /* 5 was still in the bitmap */
	ck_assert_uint_eq(bitmap[0], (UINT64_C(1) << 1) | (UINT64_C(3) << 5));
	/* the destination calls do not dirty */
	uint8_t page[PS] = {9};
	ck_assert_int_eq(guest_install_bytes(g, 3, page, &e), 0);
	guest_install_zero(g, 4);
	ck_assert_ptr_nonnull(guest_page_mut(g, 10, &e));
	guest_mark_missing(g, 11);
	ck_assert_uint_eq(guest_dirty_count(g), 0);
	guest_free(g);
}
END_TEST

/* guest_prefetch_page answers whether the page has stored bytes, and is a
 * hint only: kinds, versions, bytes and the dirty log stay as they were. */
START_TEST(test_prefetch_page)
{
	guest *g = mk(PS * 4, PS, 1, 0, 0);
	err e;
	ck_assert_int_eq(guest_fill(g, 1 * PS + 7, 1, 0x5a, &e), 0);
	ck_assert_int_eq(guest_rewrite(g, 2, 1, &e), 0);
	uint64_t dirty = guest_dirty_count(g), host = guest_host_bytes(g);
	uint8_t *b1 = bytes_of(g, 1);
	ck_assert_int_eq(guest_prefetch_page(g, 0), 0); /* ZERO */
	ck_assert_int_eq(guest_prefetch_page(g, 1), 1); /* MATERIAL */
	ck_assert_int_eq(guest_prefetch_page(g, 2), 0); /* PROCEDURAL */
	ck_assert_int_eq(guest_prefetch_page(g, 4), 0); /* past the end */
	ck_assert_int_eq(guest_page_kind(g, 0), GUEST_ZERO);
	ck_assert_int_eq(guest_page_kind(g, 1), GUEST_MATERIAL);
	ck_assert_int_eq(guest_page_kind(g, 2), GUEST_PROCEDURAL);
	ck_assert_uint_eq(guest_page_version(g, 2), 1);
	ck_assert_uint_eq(guest_dirty_count(g), dirty);
	ck_assert_uint_eq(guest_host_bytes(g), host);
	uint8_t s[PS];
	ck_assert_mem_eq(guest_page_bytes(g, 1, s), b1, PS);
	free(b1);
	guest_free(g);
	guest *d = mk(PS * 2, PS, 1, 1, 0);
	ck_assert_int_eq(guest_prefetch_page(d, 0), 0); /* MISSING */
	ck_assert_uint_eq(guest_missing_pages(d), 2);
	guest_free(d);
}
END_TEST

START_TEST(test_destination_calls)
{
	guest *d = mk(PS * 6, PS, 1, 1, 0);
	err e;
	ck_assert_uint_eq(guest_missing_pages(d), 6);
	uint8_t s[PS];
	for (uint64_t p = 0; p < 6; p++) {
		ck_assert_int_eq(guest_page_kind(d, p), GUEST_MISSING);
		ck_assert_ptr_null(guest_page_bytes(d, p, s));
	}
	ck_assert_ptr_null(guest_page_mut(d, 0, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "missing"));
	guest_install_zero(d, 0);
	ck_assert_int_eq(guest_page_kind(d, 0), GUEST_ZERO);
	ck_assert_uint_eq(guest_missing_pages(d), 5);
	uint8_t page[PS];
	memset(page, 0x3c, PS);
	ck_assert_int_eq(guest_install_bytes(d, 1, page, &e), 0);
	ck_assert_int_eq(guest_page_kind(d, 1), GUEST_MATERIAL);
	ck_assert_mem_eq(guest_page_bytes(d, 1, s), page, PS);
	ck_assert_uint_eq(guest_missing_pages(d), 4);
	ck_assert_uint_eq(guest_material_pages(d), 1);
	uint8_t *m = guest_page_mut(d, 1, &e);
	m[0] = 1;
	ck_assert_uint_eq(guest_page_bytes(d, 1, s)[0], 1);
	guest_mark_missing(d, 1);
	ck_assert_int_eq(guest_page_kind(d, 1), GUEST_MISSING);
	ck_assert_uint_eq(guest_missing_pages(d), 5);
	ck_assert_uint_eq(guest_material_pages(d), 0);
	guest_mark_missing(d, 1); /* twice: counted once */
	ck_assert_uint_eq(guest_missing_pages(d), 5);
	/* page_mut on ZERO and PROCEDURAL: materialised with the same bytes,
	 * same version */
	guest *g = mk(PS * 6, PS, 1, 0, 0);
	ck_assert_int_eq(guest_rewrite(g, 2, 1, &e), 0);
	uint8_t *before = bytes_of(g, 2);
	uint8_t *mut = guest_page_mut(g, 2, &e);
	ck_assert_ptr_nonnull(mut);
	ck_assert_mem_eq(mut, before, PS);
	ck_assert_int_eq(guest_page_kind(g, 2), GUEST_MATERIAL);
	ck_assert_uint_eq(guest_page_version(g, 2), 1);
	mut = guest_page_mut(g, 3, &e);
	ck_assert(all_zero(mut, PS));
	ck_assert_uint_eq(guest_page_version(g, 3), 0);
	free(before);
	guest_free(g);
	guest_free(d);
}
END_TEST

START_TEST(test_copy_page_from_compare)
{
	enum { N = 100 };
	guest *src = mk(PS * N, PS, 77, 0, 0), *dst = mk(PS * N, PS, 77, 1, 0);
	err e;
	ck_assert_int_eq(guest_rewrite(src, 10, 20, &e), 0);
	ck_assert_int_eq(guest_inc(src, 15 * PS, 3, 100, 1, &e), 0);
	ck_assert_int_eq(guest_fill(src, 40 * PS, 3 * PS, 0x42, &e), 0);
	ck_assert_int_eq(guest_zero(src, 41, 1, &e), 0);
	uint64_t diff = 12345;
	ck_assert_int_eq(guest_compare(src, dst, &diff), 1);
	ck_assert_uint_eq(diff, 0); /* missing differs */
	for (uint64_t p = 0; p < N; p++)
		ck_assert_int_eq(guest_copy_page_from(dst, src, p, &e), 0);
	ck_assert_uint_eq(guest_missing_pages(dst), 0);
	ck_assert_uint_eq(guest_dirty_count(dst), 0);
	for (uint64_t p = 0; p < N; p++) {
		ck_assert_int_eq(guest_page_kind(dst, p), guest_page_kind(src, p));
		ck_assert_uint_eq(guest_page_version(dst, p), guest_page_version(src, p));
	}
	ck_assert_int_eq(guest_compare(src, dst, &diff), 0);
	ck_assert_int_eq(guest_compare(dst, src, &diff), 0);
	/* the destination holds its own bytes */
	uint8_t *m = guest_page_mut(dst, 42, &e);
	m[100] ^= 1;
	ck_assert_int_eq(guest_compare(src, dst, &diff), 1);
	ck_assert_uint_eq(diff, 42);
	m = guest_page_mut(dst, 20, &e); /* procedural materialised: still equal */
	ck_assert_int_eq(guest_compare(src, dst, &diff), 1);
	ck_assert_uint_eq(diff, 42);
	ck_assert_int_eq(guest_copy_page_from(dst, src, 42, &e), 0);
	ck_assert_int_eq(guest_compare(src, dst, &diff), 0);
	m[0] ^= 0xff; /* MATERIAL vs PROCEDURAL compares bytes */
	ck_assert_int_eq(guest_compare(src, dst, &diff), 1);
	ck_assert_uint_eq(diff, 20);
	ck_assert_int_eq(guest_copy_page_from(dst, src, 20, &e), 0);
	/* a MATERIAL page of zeros equals a ZERO page */
	ck_assert_int_eq(guest_fill(src, 50 * PS, 5, 0, &e), 0);
	ck_assert_int_eq(guest_page_kind(src, 50), GUEST_MATERIAL);
	guest_install_zero(dst, 50);
	ck_assert_int_eq(guest_compare(src, dst, &diff), 0);
	/* procedural bytes installed as bytes are equal */
	uint8_t s[PS];
	ck_assert_int_eq(guest_install_bytes(dst, 11, guest_page_bytes(src, 11, s), &e), 0);
	ck_assert_int_eq(guest_compare(src, dst, &diff), 0);
	/* a zero page and a procedural page differ */
	guest_install_zero(dst, 12);
	ck_assert_int_eq(guest_compare(src, dst, &diff), 1);
	ck_assert_uint_eq(diff, 12);
	ck_assert_int_eq(guest_copy_page_from(dst, src, 12, &e), 0);
	/* a missing page anywhere differs */
	guest_mark_missing(dst, N - 1);
	ck_assert_int_eq(guest_compare(src, dst, &diff), 1);
	ck_assert_uint_eq(diff, N - 1);
	ck_assert_int_eq(guest_copy_page_from(src, dst, N - 1, &e), -1); /* nothing to copy */
	ck_assert_int_eq(guest_copy_page_from(dst, src, N - 1, &e), 0);
	ck_assert_int_eq(guest_compare(src, dst, NULL), 0);
	/* another content seed: procedural pages arrive as bytes */
	guest *other = mk(PS * N, PS, 78, 0, 0);
	for (uint64_t p = 0; p < N; p++)
		ck_assert_int_eq(guest_copy_page_from(other, src, p, &e), 0);
	ck_assert_int_eq(guest_page_kind(other, 10), GUEST_MATERIAL);
	ck_assert_int_eq(guest_compare(src, other, NULL), 0);
	guest_free(other);
	/* sizes must match */
	guest *small = mk(PS * 4, PS, 77, 0, 0);
	ck_assert_int_eq(guest_compare(src, small, &diff), 1);
	guest_free(small);
	guest_free(src);
	guest_free(dst);
}
END_TEST

struct faults {
	const guest *src;
	guest *dst;
	int calls, writes, fail, install;
	uint64_t last;
};

static int on_fault(void *ctx, uint64_t page, int is_write, err *e)
{
	struct faults *f = ctx;
	f->calls++;
	f->writes += is_write;
	f->last = page;
	if (f->fail)
		return err_set(e, "link down while fetching page %llu", (unsigned long long)page);
	if (!f->install)
		return 0;
	return guest_copy_page_from(f->dst, f->src, page, e);
}

START_TEST(test_fault_handler)
{
	guest *src = mk(PS * 8, PS, 9, 0, 0), *dst = mk(PS * 8, PS, 9, 1, 0);
	err e;
	ck_assert_int_eq(guest_fill(src, 0, 8 * PS, 0x10, &e), 0);
	ck_assert_int_eq(guest_rewrite(src, 6, 1, &e), 0);
	/* no handler */
	ck_assert_int_eq(guest_inc(dst, 0, 1, 1, 1, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "missing"));
	ck_assert_int_eq(guest_page_kind(dst, 0), GUEST_MISSING);
	ck_assert_uint_eq(guest_dirty_count(dst), 0);
	struct faults f = {.src = src, .dst = dst, .install = 1};
	guest_set_fault_handler(dst, on_fault, &f);
	/* a write faults the page in, then applies on top of the source's bytes */
	ck_assert_int_eq(guest_inc(dst, 2 * PS + 1, 1, 2, 1, &e), 0);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_int_eq(f.writes, 1);
	ck_assert_uint_eq(f.last, 2);
	uint8_t *b = bytes_of(dst, 2);
	ck_assert_uint_eq(b[0], 0x10);
	ck_assert_uint_eq(b[1], 0x11);
	ck_assert_uint_eq(b[2], 0x11);
	free(b);
	ck_assert_uint_eq(guest_page_version(dst, 2), guest_page_version(src, 2) + 1);
	ck_assert_uint_eq(guest_dirty_count(dst), 1);
	ck_assert_uint_eq(guest_missing_pages(dst), 7);
	/* a read faults with is_write = 0 and does not dirty */
	uint8_t buf[PS + 8];
	ck_assert_int_eq(guest_read(dst, 6 * PS - 4, buf, PS + 8, &e), 0);
	ck_assert_int_eq(f.calls, 4); /* pages 5, 6 and 7 */
	ck_assert_int_eq(f.writes, 1);
	uint8_t *want = bytes_of(src, 6);
	ck_assert_mem_eq(buf + 4, want, PS);
	free(want);
	ck_assert_int_eq(guest_page_kind(dst, 6), GUEST_PROCEDURAL);
	ck_assert_uint_eq(guest_dirty_count(dst), 1);
	/* present pages do not fault again */
	ck_assert_int_eq(guest_read(dst, 2 * PS, NULL, PS, &e), 0);
	ck_assert_int_eq(f.calls, 4);
	/* every whole-page primitive faults too */
	ck_assert_int_eq(guest_zero(dst, 0, 1, &e), 0);
	ck_assert_int_eq(guest_copy(dst, 3, 7, 1, &e), 0);
	ck_assert_int_eq(f.calls, 6);
	ck_assert_int_eq(guest_page_kind(dst, 3), GUEST_MATERIAL);
	/* a failing handler fails the primitive with its message */
	f.fail = 1;
	ck_assert_int_eq(guest_rewrite(dst, 1, 1, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "link down while fetching page 1"));
	ck_assert_int_eq(guest_page_kind(dst, 1), GUEST_MISSING);
	/* a handler that leaves the page missing is caught */
	f.fail = 0;
	f.install = 0;
	ck_assert_int_eq(guest_write_random(dst, 4, 1, 1, &(rng){{1, 2, 3, 4}}, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "left page 4 missing"));
	ck_assert_int_eq(guest_page_kind(dst, 4), GUEST_MISSING);
	guest_free(src);
	guest_free(dst);
}
END_TEST

START_TEST(test_material_limit)
{
	guest *g = mk(PS * 8, PS, 1, 0, 3 * PS);
	err e;
	ck_assert_int_eq(guest_fill(g, 0, 3 * PS, 1, &e), 0);
	ck_assert_int_eq(guest_rewrite(g, 5, 1, &e), 0); /* procedural: no bytes held */
	ck_assert_int_eq(guest_inc(g, 4 * PS, 1, 1, 1, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "material limit"));
	ck_assert_ptr_nonnull(strstr(e.msg, "12288"));
	ck_assert_ptr_nonnull(strstr(e.msg, "16384"));
	ck_assert_int_eq(guest_page_kind(g, 4), GUEST_ZERO);
	ck_assert_uint_eq(guest_page_version(g, 4), 0);
	ck_assert_uint_eq(guest_material_pages(g), 3);
	ck_assert_ptr_null(guest_page_mut(g, 5, &e));
	ck_assert_int_eq(guest_page_kind(g, 5), GUEST_PROCEDURAL);
	ck_assert_int_eq(guest_copy(g, 6, 0, 1, &e), -1);
	ck_assert_int_eq(guest_zero(g, 1, 1, &e), 0);
	ck_assert_int_eq(guest_inc(g, 4 * PS, 1, 1, 1, &e), 0);
	ck_assert_uint_eq(guest_material_pages(g), 3);
	guest_free(g);
}
END_TEST

/* Freed chunks are reused, and a reused chunk never shows its old bytes. */
/* A guest page smaller than the host's shares a host page with its
 * neighbours: releasing it must leave theirs alone. And a last segment
 * shorter than the others (3 MiB of 1 MiB pages) holds its pages. */
START_TEST(test_store_small_and_big_pages)
{
	static const uint32_t sizes[] = {512, 1024, 2048, 1u << 20};
	for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
		uint32_t ps = sizes[z];
		uint64_t n = ps < 4096 ? 64 : 3;
		guest *g = mk(n * ps, ps, 1, 0, 0);
		err e;
		ck_assert_int_eq(guest_fill(g, 0, n * ps, 0xee, &e), 0);
		for (uint64_t p = 0; p < n; p += 2) /* host-page aligned ones */
			ck_assert_int_eq(guest_zero(g, p, 1, &e), 0);
		for (uint64_t p = 0; p < n; p++) {
			if (p % 2 == 0)
				ck_assert_int_eq(guest_inc(g, p * ps + 3, 1, 1, 1, &e), 0);
			uint8_t *b = bytes_of(g, p);
			for (uint32_t i = 0; i < ps; i++)
				ck_assert_uint_eq(b[i], p % 2 ? 0xee : (i == 3));
			free(b);
		}
		ck_assert_uint_eq(guest_material_pages(g), n);
		guest_free(g);
	}
}
END_TEST

/* Pages that stop being material cost nothing: accounted, and their
 * stored bytes are zero when a page is materialised again from ZERO. */
START_TEST(test_store_release)
{
	guest *g = mk(PS * 40, PS, 1, 0, 0);
	err e;
	ck_assert_int_eq(guest_fill(g, 0, 10 * PS, 0xee, &e), 0);
	ck_assert_uint_eq(guest_material_pages(g), 10);
	uint64_t host = guest_host_bytes(g);
	ck_assert_int_eq(guest_zero(g, 0, 5, &e), 0);
	ck_assert_int_eq(guest_rewrite(g, 5, 3, &e), 0);
	ck_assert_uint_eq(guest_material_pages(g), 2);
	ck_assert_uint_eq(guest_host_bytes(g), host - 8 * PS);
	for (uint64_t p = 0; p < 5; p++) {
		ck_assert_int_eq(guest_inc(g, p * PS + 7, 1, 1, 1, &e), 0);
		uint8_t *b = bytes_of(g, p);
		ck_assert_uint_eq(b[7], 1);
		ck_assert(all_zero(b, 7) && all_zero(b + 8, PS - 8));
		free(b);
	}
	ck_assert_int_eq(guest_zero(g, 0, 5, &e), 0);
	ck_assert_int_eq(guest_inc(g, 20 * PS, PS, 8, 1, &e), 0);
	ck_assert_uint_eq(guest_material_pages(g), 10);
	ck_assert_uint_eq(guest_host_bytes(g), host);
	for (uint64_t p = 20; p < 28; p++) {
		uint8_t *b = bytes_of(g, p);
		ck_assert_uint_eq(b[0], 1);
		ck_assert(all_zero(b + 1, PS - 1));
		free(b);
	}
	ck_assert_int_eq(guest_inc(g, 30 * PS, 1, 1, 1, &e), 0);
	ck_assert_uint_gt(guest_host_bytes(g), host);
	guest_free(g);
}
END_TEST

/* Resident set in bytes, from /proc (0 where there is none). */
static uint64_t rss_bytes(void)
{
	unsigned long long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return 0;
	int n = fscanf(f, "%llu %llu", &size, &resident);
	fclose(f);
	return n == 2 ? resident * 4096 : 0;
}

/* The host really gets the bytes back, not only the accounting: 64 MiB
 * materialised then zeroed must leave the resident set. */
START_TEST(test_release_returns_memory)
{
	const uint64_t ram = UINT64_C(64) << 20;
	guest *g = mk(ram, PS, 1, 0, 0);
	err e;
	ck_assert_int_eq(guest_fill(g, 0, ram, 0x5a, &e), 0);
	uint64_t full = rss_bytes();
	if (full == 0) {
		guest_free(g);
		return; /* no /proc: nothing to measure */
	}
	ck_assert_int_eq(guest_zero(g, 0, ram / PS, &e), 0);
	ck_assert_uint_eq(guest_material_pages(g), 0);
	ck_assert_uint_le(rss_bytes() + ram / 4 * 3, full);
	guest_free(g);
}
END_TEST

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

/* Whether this kernel collapses a 2 MiB range into a huge page on request,
 * asked of a mapping of its own. */
static int collapse_supported(void)
{
	const size_t huge = 2u << 20;
	uint8_t *m =
	    mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 0;
	uint8_t *a = (uint8_t *)(((uintptr_t)m + huge - 1) & ~(uintptr_t)(huge - 1));
	memset(a, 1, huge / 2);
	int ok = madvise(a, huge, MADV_HUGEPAGE) == 0 && madvise(a, huge, MADV_COLLAPSE) == 0;
	munmap(m, 2 * huge);
	return ok;
}

/* Bytes of this process's memory in huge pages (AnonHugePages), or -1. */
static long long huge_bytes(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long long kib = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "AnonHugePages: %lld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib < 0 ? -1 : kib * 1024;
}

/* Page p reads `value` at byte `at` and zero everywhere else. */
static void assert_one_byte(const guest *g, uint64_t p, uint64_t at, uint8_t value)
{
	uint8_t scratch[PS];
	const uint8_t *b = guest_page_bytes(g, p, scratch);
	for (uint64_t i = 0; i < PS; i++)
		ck_assert_uint_eq(b[i], i == at ? value : 0);
}

/* A segment half material is collapsed into a huge page (where the kernel
 * can) and split again under a quarter, its bytes intact through both, and
 * what is not material still reads zero once materialised again. */
START_TEST(test_store_huge_segments)
{
	const uint64_t seg = (2u << 20) / PS; /* pages a segment */
	guest *g = mk(UINT64_C(8) << 20, PS, 1, 0, 0);
	err e;
	long long before = huge_bytes();
	for (uint64_t p = 0; p < seg * 6 / 10; p++) /* 60 %: collapsed at 50 % */
		ck_assert_int_eq(guest_fill(g, p * PS + p % PS, 1, (uint8_t)(p | 1), &e), 0);
	if (collapse_supported() && before >= 0)
		ck_assert_int_ge(huge_bytes(), before + (2 << 20));
	for (uint64_t p = 0; p < seg * 6 / 10; p++)
		assert_one_byte(g, p, p % PS, (uint8_t)(p | 1));
	/* down to 10 %: split at 25 % */
	ck_assert_int_eq(guest_zero(g, 0, seg / 2, &e), 0);
	ck_assert_uint_eq(guest_material_pages(g), seg / 10);
	if (before >= 0)
		ck_assert_int_le(huge_bytes(), before);
	for (uint64_t p = seg / 2; p < seg * 6 / 10; p++)
		assert_one_byte(g, p, p % PS, (uint8_t)(p | 1));
	for (uint64_t p = 0; p < seg / 2; p++) {
		ck_assert_int_eq(guest_fill(g, p * PS + 7, 1, 0xee, &e), 0);
		assert_one_byte(g, p, 7, 0xee);
	}
	guest_free(g);
}
END_TEST

/* 64 GiB of guest in 8 bytes a page of host (plus a constant); a sync finds
 * exactly the pages written. (How fast: guest_bench, not a timed test.) */
START_TEST(test_large_guest)
{
	const uint64_t ram = UINT64_C(64) << 30;
	guest *g = mk(ram, PS, 1, 0, 0);
	guest *d = mk(ram, PS, 1, 1, 0);
	uint64_t pages = ram / PS;
	ck_assert_uint_eq(guest_pages(g), pages);
	ck_assert_uint_eq(guest_missing_pages(d), pages);
	ck_assert_int_eq(guest_page_kind(d, pages - 1), GUEST_MISSING);
	uint64_t host = guest_host_bytes(g);
	ck_assert_uint_ge(host, pages * 8);
	ck_assert_uint_le(host, pages * 8 + (1 << 20));
	err e;
	for (uint64_t p = 0; p < pages; p += pages / 64)
		ck_assert_int_eq(guest_inc(g, p * PS, 1, 1, 1, &e), 0);
	ck_assert_int_eq(guest_rewrite(g, pages - 10, 10, &e), 0);
	uint64_t *bitmap = calloc(pages / 64, sizeof *bitmap);
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 74);
	ck_assert_uint_eq(guest_dirty_count(g), 0);
	ck_assert_uint_eq(bitmap[pages / 64 - 1], UINT64_C(0x3ff) << 54);
	ck_assert_uint_eq(guest_material_pages(g), 64);
	ck_assert_uint_le(guest_host_bytes(g), host + 64 * PS + (1 << 20));
	free(bitmap);
	guest_free(d);
	guest_free(g);
}
END_TEST

/* The calloc loop's inner step: 16384 increments over 4096 pages. */
START_TEST(test_inc_many_passes)
{
	guest *g = mk(16u << 20, PS, 1, 0, 0);
	err e;
	ck_assert_int_eq(guest_inc(g, 0, 1024, 16384, 1, &e), 0);
	enum { PASSES = 200 };
	for (int i = 0; i < PASSES; i++)
		ck_assert_int_eq(guest_inc(g, 0, 1024, 16384, 1, &e), 0);
	ck_assert_uint_eq(guest_page_version(g, 4095), PASSES + 1);
	uint8_t b;
	ck_assert_int_eq(guest_read(g, 1024 * 77, &b, 1, &e), 0);
	ck_assert_uint_eq(b, (PASSES + 1) % 256);
	guest_free(g);
}
END_TEST

/* Host memory of a fresh guest is 8 bytes a page and a constant (no dirty
 * bitmap); each page written since the last sync adds 8 bytes (the dirty
 * list), given back once syncs find few writes. */
START_TEST(test_host_bytes_per_page)
{
	const uint64_t ram = UINT64_C(1) << 30, pages = ram / PS;
	const uint64_t constant = 16 << 10; /* the struct and two page buffers */
	guest *g = mk(ram, PS, 1, 0, 0), *d = mk(ram, PS, 1, 1, 0);
	err e;
	uint64_t fresh = guest_host_bytes(g);
	ck_assert_uint_ge(fresh, pages * 8);
	ck_assert_uint_le(fresh, pages * 8 + constant);
	ck_assert_uint_le(guest_host_bytes(d), pages * 8 + constant);
	/* rewritten pages are procedural: the list is all they cost */
	for (uint64_t p = 0; p < 1000; p++)
		ck_assert_int_eq(guest_rewrite(g, p * 97, 1, &e), 0);
	uint64_t written = guest_host_bytes(g);
	ck_assert_uint_ge(written, fresh + 1000 * 8);
	ck_assert_uint_le(written, fresh + 2 * 1000 * 8);
	uint64_t *bitmap = calloc(pages / 64, sizeof *bitmap);
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 1000);
	ck_assert_uint_le(guest_host_bytes(g), written);
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 0);
	ck_assert_uint_le(guest_host_bytes(g), fresh + 1024);
	free(bitmap);
	guest_free(d);
	guest_free(g);
}
END_TEST

/* Nothing but the page's word grows with RAM: the store's segment table
 * grows with the segments written (it once had an entry per 2 MiB of RAM,
 * 0.016 bytes a page over the 8). */
START_TEST(test_host_bytes_only_the_word)
{
	const uint64_t ram = UINT64_C(64) << 30, pages = ram / PS;
	guest *big = mk(ram, PS, 1, 0, 0), *one = mk(PS, PS, 1, 0, 0);
	ck_assert_uint_eq(guest_host_bytes(big) - guest_host_bytes(one), (pages - 1) * 8);
	/* one byte in each of 100 segments far apart: the bytes of 100 pages,
	 * the table's few entries, the dirty list */
	uint64_t fresh = guest_host_bytes(big);
	err e;
	for (uint64_t i = 0; i < 100; i++)
		ck_assert_int_eq(guest_fill(big, i * (ram / 100), 1, 0x5a, &e), 0);
	ck_assert_uint_ge(guest_host_bytes(big), fresh + 100 * PS);
	ck_assert_uint_le(guest_host_bytes(big), fresh + 100 * PS + 100 * 64);
	guest_free(one);
	guest_free(big);
}
END_TEST

/* A dirty page written again, whatever the primitive and kind, or changed by
 * a destination call, stays dirty: counted and synced once. */
START_TEST(test_dirty_page_written_again)
{
	guest *g = mk(PS * 200, PS, 4, 0, 0);
	err e;
	uint8_t buf[16] = {1, 2, 3}, page[PS] = {5};
	rng r;
	rng_seed(&r, 3, "w");
	ck_assert_int_eq(guest_inc(g, 7 * PS, 1, 1, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 1);
	ck_assert_int_eq(guest_rewrite(g, 7, 1, &e), 0);
	ck_assert_int_eq(guest_page_kind(g, 7), GUEST_PROCEDURAL);
	ck_assert_int_eq(guest_zero(g, 7, 1, &e), 0);
	ck_assert_int_eq(guest_page_kind(g, 7), GUEST_ZERO);
	ck_assert_int_eq(guest_write(g, 7 * PS + 5, buf, sizeof buf, &e), 0);
	ck_assert_int_eq(guest_page_kind(g, 7), GUEST_MATERIAL);
	ck_assert_int_eq(guest_fill(g, 7 * PS, PS, 0, &e), 0);
	ck_assert_int_eq(guest_page_kind(g, 7), GUEST_ZERO);
	ck_assert_int_eq(guest_rewrite(g, 7, 1, &e), 0);
	ck_assert_int_eq(guest_write_random(g, 7, 1, 8, &r, &e), 0);
	ck_assert_int_eq(guest_copy(g, 7, 100, 1, &e), 0);
	ck_assert_int_eq(guest_page_kind(g, 7), GUEST_ZERO);
	ck_assert_uint_eq(guest_page_version(g, 7), 8);
	ck_assert_uint_eq(guest_dirty_count(g), 1);
	/* the destination calls keep it dirty */
	ck_assert_int_eq(guest_install_bytes(g, 7, page, &e), 0);
	guest_install_zero(g, 7);
	ck_assert_ptr_nonnull(guest_page_mut(g, 7, &e));
	guest_mark_missing(g, 7);
	guest_install_zero(g, 7);
	ck_assert_uint_eq(guest_page_version(g, 7), 8);
	ck_assert_int_eq(guest_inc(g, 7 * PS, 1, 1, 1, &e), 0);
	ck_assert_uint_eq(guest_page_version(g, 7), 9);
	ck_assert_uint_eq(guest_dirty_count(g), 1);
	uint64_t bitmap[4] = {0};
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 1);
	ck_assert_uint_eq(bitmap[0], UINT64_C(1) << 7);
	ck_assert_uint_eq(bitmap[1] | bitmap[2] | bitmap[3], 0);
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 0);
	/* clean again: the next writes dirty it once */
	memset(bitmap, 0, sizeof bitmap);
	ck_assert_int_eq(guest_rewrite(g, 7, 1, &e), 0);
	ck_assert_int_eq(guest_inc(g, 7 * PS, 1, 1, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 1);
	ck_assert_uint_eq(guest_dirty_sync(g, bitmap), 1);
	ck_assert_uint_eq(bitmap[0], UINT64_C(1) << 7);
	ck_assert_uint_eq(guest_page_version(g, 7), 11);
	guest_free(g);
}
END_TEST

/* guest_copy_page_from takes kind, version and bytes, never the dirty state:
 * a clean destination page stays clean (and a later write dirties it), a
 * dirty one stays dirty (and a later write does not count it twice); the
 * source's log is untouched. Every kind, and both ways of copying. */
START_TEST(test_copy_page_from_dirty_state)
{
	guest *src = mk(PS * 8, PS, 5, 0, 0), *dst = mk(PS * 8, PS, 5, 0, 0);
	guest *other = mk(PS * 8, PS, 6, 0, 0);
	err e;
	uint64_t bitmap[1] = {0};
	ck_assert_int_eq(guest_fill(src, 0, 5 * PS, 0x21, &e), 0);
	ck_assert_uint_eq(guest_dirty_sync(src, bitmap), 5);
	/* src: 0 ZERO, 1 PROCEDURAL, 2 MATERIAL dirty; 3, 4 MATERIAL clean */
	ck_assert_int_eq(guest_zero(src, 0, 1, &e), 0);
	ck_assert_int_eq(guest_rewrite(src, 1, 1, &e), 0);
	ck_assert_int_eq(guest_inc(src, 2 * PS, 1, 1, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(src), 3);
	for (uint64_t p = 0; p < 5; p++) {
		ck_assert_int_eq(guest_copy_page_from(dst, src, p, &e), 0);
		ck_assert_int_eq(guest_copy_page_from(other, src, p, &e), 0);
	}
	ck_assert_int_eq(guest_page_kind(other, 1), GUEST_MATERIAL);
	ck_assert_uint_eq(guest_dirty_count(dst), 0);
	ck_assert_uint_eq(guest_dirty_count(other), 0);
	ck_assert_int_eq(guest_compare(src, dst, NULL), 0);
	ck_assert_int_eq(guest_compare(src, other, NULL), 0);
	ck_assert_int_eq(guest_inc(dst, 0, PS, 5, 1, &e), 0);
	ck_assert_int_eq(guest_inc(other, 0, PS, 5, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(dst), 5);
	ck_assert_uint_eq(guest_dirty_count(other), 5);
	/* dst's pages are now dirty MATERIAL; page 4 becomes dirty PROCEDURAL,
	 * so copying MATERIAL onto it takes a new chunk */
	ck_assert_int_eq(guest_rewrite(dst, 4, 1, &e), 0);
	for (uint64_t p = 0; p < 5; p++) {
		ck_assert_int_eq(guest_copy_page_from(dst, src, p, &e), 0);
		ck_assert_int_eq(guest_copy_page_from(other, src, p, &e), 0);
		ck_assert_int_eq(guest_page_kind(dst, p), guest_page_kind(src, p));
		ck_assert_uint_eq(guest_page_version(dst, p), guest_page_version(src, p));
	}
	ck_assert_uint_eq(guest_dirty_count(dst), 5);
	ck_assert_uint_eq(guest_dirty_count(other), 5);
	ck_assert_int_eq(guest_compare(src, dst, NULL), 0);
	ck_assert_int_eq(guest_compare(src, other, NULL), 0);
	ck_assert_int_eq(guest_inc(dst, 0, PS, 5, 1, &e), 0);
	ck_assert_int_eq(guest_inc(other, 0, PS, 5, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(dst), 5);
	bitmap[0] = 0;
	ck_assert_uint_eq(guest_dirty_sync(dst, bitmap), 5);
	ck_assert_uint_eq(bitmap[0], 0x1f);
	bitmap[0] = 0;
	ck_assert_uint_eq(guest_dirty_sync(other, bitmap), 5);
	ck_assert_uint_eq(bitmap[0], 0x1f);
	bitmap[0] = 0;
	ck_assert_uint_eq(guest_dirty_sync(src, bitmap), 3);
	ck_assert_uint_eq(bitmap[0], 0x7);
	guest_free(src);
	guest_free(dst);
	guest_free(other);
}
END_TEST

/* Guests holding the same pages compare equal whatever their dirty state;
 * a real difference is still found. */
START_TEST(test_compare_ignores_dirty)
{
	enum { N = 64 };
	guest *a = mk(PS * N, PS, 8, 0, 0), *b = mk(PS * N, PS, 8, 0, 0);
	err e;
	guest *both[] = {a, b};
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(guest_rewrite(both[i], 0, 10, &e), 0);
		ck_assert_int_eq(guest_fill(both[i], 10 * PS, 10 * PS, 0x33, &e), 0);
		ck_assert_int_eq(guest_zero(both[i], 20, 10, &e), 0);
	}
	uint64_t bitmap[1] = {0};
	ck_assert_uint_eq(guest_dirty_sync(a, bitmap), 30); /* a clean, b dirty */
	ck_assert_uint_eq(guest_dirty_count(b), 30);
	for (uint64_t p = 0; p < N; p++)
		ck_assert_msg(guest_page_equal(a, b, p), "page %llu differs",
			      (unsigned long long)p);
	ck_assert_int_eq(guest_compare(a, b, NULL), 0);
	ck_assert_int_eq(guest_compare(b, a, NULL), 0);
	/* dirty on both sides, then on a only */
	ck_assert_int_eq(guest_zero(a, 40, 1, &e), 0);
	ck_assert_int_eq(guest_zero(b, 40, 1, &e), 0);
	ck_assert_int_eq(guest_compare(a, b, NULL), 0);
	bitmap[0] = 0;
	ck_assert_uint_eq(guest_dirty_sync(b, bitmap), 31);
	ck_assert_int_eq(guest_compare(a, b, NULL), 0);
	uint64_t diff = 0;
	ck_assert_int_eq(guest_rewrite(b, 5, 1, &e), 0);
	ck_assert_int_eq(guest_compare(a, b, &diff), 1);
	ck_assert_uint_eq(diff, 5);
	ck_assert_int_eq(guest_page_equal(a, b, 5), 0);
	guest_free(a);
	guest_free(b);
}
END_TEST

/* Writes to more pages than the dirty list holds (pages / 8) drop the list
 * (its memory is given back) and the next sync scans every page's word: same
 * bitmap and count as the same writes synced through the list in batches;
 * then the list is used again. A failing realloc of the list takes the same
 * path (dirty_overflow in guest.c), so this covers it too. */
START_TEST(test_dirty_overflow)
{
	enum { N = 4096, W = N / 64, BATCH = 256 };
	guest *a = mk((uint64_t)PS * N, PS, 2, 0, 0), *b = mk((uint64_t)PS * N, PS, 2, 0, 0);
	err e;
	uint64_t ba[W], bb[W], want[W], want_fresh = 0, b_fresh = 0, written = 0;
	for (int i = 0; i < W; i++) /* pages already in the bitmap count as not new */
		ba[i] = bb[i] = want[i] = UINT64_C(0x0101010101010101);
	uint64_t host = guest_host_bytes(a);
	for (uint64_t pass = 0; pass < 2; pass++) {
		for (uint64_t p = 0; p < N; p++) {
			if ((p % 3 == 0 && p != N - 1) || (pass == 1 && p >= 600))
				continue;
			for (int i = 0; i < 2; i++) {
				guest *g = i ? b : a;
				int rc =
				    p % 2 ? guest_rewrite(g, p, 1, &e) : guest_zero(g, p, 1, &e);
				ck_assert_int_eq(rc, 0);
			}
			if (pass == 0 && !(want[p / 64] & (UINT64_C(1) << (p % 64)))) {
				want[p / 64] |= UINT64_C(1) << (p % 64);
				want_fresh++;
			}
			written += pass == 0;
			if (guest_dirty_count(b) == BATCH)
				b_fresh += guest_dirty_sync(b, bb);
		}
	}
	ck_assert_uint_gt(written, N / 8);
	ck_assert_uint_eq(guest_dirty_count(a), written);
	ck_assert_uint_eq(guest_host_bytes(a), host); /* the list was dropped */
	/* pages written after the drop, dirty already or not, with bytes */
	ck_assert_int_eq(guest_inc(a, 1 * PS, 1, 1, 1, &e), 0);
	ck_assert_int_eq(guest_inc(b, 1 * PS, 1, 1, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(a), written);
	ck_assert_uint_eq(guest_dirty_sync(a, ba), want_fresh);
	b_fresh += guest_dirty_sync(b, bb);
	ck_assert_uint_eq(b_fresh, want_fresh);
	ck_assert_mem_eq(ba, want, sizeof want);
	ck_assert_mem_eq(bb, want, sizeof want);
	ck_assert_uint_eq(guest_dirty_count(a), 0);
	ck_assert_int_eq(guest_compare(a, b, NULL), 0);
	/* the scan cleaned every page, and the list is back */
	uint64_t synced = guest_host_bytes(a), material = guest_material_pages(a);
	memset(ba, 0, sizeof ba);
	ck_assert_int_eq(guest_rewrite(a, 1, 1, &e), 0);
	ck_assert_int_eq(guest_rewrite(a, 3, 1, &e), 0);
	ck_assert_int_eq(guest_rewrite(a, N - 1, 1, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(a), 3);
	/* (page 1 was material: rewriting it gave its bytes back) */
	ck_assert_uint_gt(guest_host_bytes(a) + (material - guest_material_pages(a)) * PS, synced);
	ck_assert_uint_eq(guest_dirty_sync(a, ba), 3);
	ck_assert_uint_eq(ba[0], UINT64_C(0xa));
	ck_assert_uint_eq(ba[W - 1], UINT64_C(1) << 63);
	for (int i = 1; i < W - 1; i++)
		ck_assert_uint_eq(ba[i], 0);
	/* overflowing again from a clean state: every page written is found */
	ck_assert_int_eq(guest_rewrite(a, 0, N, &e), 0);
	ck_assert_uint_eq(guest_dirty_count(a), N);
	memset(ba, 0, sizeof ba);
	ck_assert_uint_eq(guest_dirty_sync(a, ba), N);
	for (int i = 0; i < W; i++)
		ck_assert_uint_eq(ba[i], UINT64_MAX);
	guest_free(a);
	guest_free(b);
}
END_TEST

Suite *guest_suite(void)
{
	Suite *s = suite_create("guest");
	TCase *t = tcase_create("core");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_new_validates);
	tcase_add_test(t, test_inc);
	tcase_add_test(t, test_materialise_keeps_procedural);
	tcase_add_test(t, test_write_fill_read);
	tcase_add_test(t, test_write_random);
	tcase_add_test(t, test_rewrite_zero);
	tcase_add_test(t, test_procedural_bytes);
	tcase_add_test(t, test_copy);
	tcase_add_test(t, test_range_errors);
	tcase_add_test(t, test_dirty_sync);
	tcase_add_test(t, test_dirty_manual_clear);
	tcase_add_test(t, test_destination_calls);
	tcase_add_test(t, test_copy_page_from_compare);
	tcase_add_test(t, test_fault_handler);
	tcase_add_test(t, test_material_limit);
	tcase_add_test(t, test_store_release);
	tcase_add_test(t, test_store_small_and_big_pages);
	tcase_add_test(t, test_release_returns_memory);
	tcase_add_test(t, test_store_huge_segments);
	tcase_add_test(t, test_large_guest);
	tcase_add_test(t, test_inc_many_passes);
	tcase_add_test(t, test_inc_matches_array);
	tcase_add_test(t, test_host_bytes_per_page);
	tcase_add_test(t, test_host_bytes_only_the_word);
	tcase_add_test(t, test_dirty_page_written_again);
	tcase_add_test(t, test_copy_page_from_dirty_state);
	tcase_add_test(t, test_compare_ignores_dirty);
	tcase_add_test(t, test_dirty_overflow);
	tcase_add_test(t, test_prefetch_page);
	suite_add_tcase(s, t);
	return s;
}
