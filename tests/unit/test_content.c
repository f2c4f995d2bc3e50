/* Unit tests of content classes: each class's zlib ratio in its documented
 * band (sim/content.c), determinism, names, and guest pages in classes
 * (bytes, compare, copies). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "content.h"
#include "guest.h"
#include "wl.h"

#define PS 4096u

/* The bands of sim/content.c's top comment. */
static const struct {
	enum content_class cls;
	double lo, hi;
} bands[] = {
    {CONTENT_ZERO, 0, 0.01},	{CONTENT_RANDOM, 0.99, 1.01}, {CONTENT_TEXT, 0.35, 0.50},
    {CONTENT_CODE, 0.50, 0.70}, {CONTENT_HEAP, 0.15, 0.35},   {CONTENT_PAGECACHE, 0.40, 0.60},
};

/* zlib level 6's compressed / original bytes over `n` pages of class c, each
 * page compressed on its own. */
static double zlib_ratio(enum content_class c, uint64_t seed, int n)
{
	uint8_t *page = malloc(PS);
	uLong bound = compressBound(PS);
	uint8_t *z = malloc(bound);
	uint64_t packed = 0;
	for (int p = 0; p < n; p++) {
		content_fill(c, seed, (uint64_t)p, 1, page, PS);
		uLongf len = bound;
		ck_assert_int_eq(compress2(z, &len, page, PS, 6), Z_OK);
		packed += len;
	}
	free(page);
	free(z);
	return (double)packed / ((double)n * PS);
}

START_TEST(test_bands)
{
	for (size_t i = 0; i < sizeof bands / sizeof *bands; i++) {
		for (uint64_t seed = 1; seed <= 2; seed++) {
			double r = zlib_ratio(bands[i].cls, seed, 256);
			ck_assert_msg(r >= bands[i].lo && r <= bands[i].hi,
				      "class %s, seed %llu: zlib ratio %.3f outside [%.2f, %.2f]",
				      content_name(bands[i].cls), (unsigned long long)seed, r,
				      bands[i].lo, bands[i].hi);
		}
	}
}
END_TEST

static int all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* The bytes every rewritten page had before classes: the random class must
 * keep them, so workloads that name no class give the results they gave. */
static void old_procedural(uint64_t seed, uint64_t page, uint32_t ver, uint8_t *out, uint32_t ps)
{
	uint64_t base = rng_mix(seed, page, ver);
	for (uint64_t i = 0; i < ps / 8; i++) {
		uint64_t z = base + (i + 1) * UINT64_C(0x9e3779b97f4a7c15);
		z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
		z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
		z ^= z >> 31;
		if (i == 0 && (z & 0xff) == 0)
			z |= 1;
		for (int k = 0; k < 8; k++)
			out[8 * i + k] = (uint8_t)(z >> (8 * k));
	}
}

START_TEST(test_deterministic)
{
	uint8_t *a = malloc(PS), *b = malloc(PS);
	for (int c = 0; c < CONTENT_CLASSES; c++) {
		for (uint64_t p = 0; p < 64; p++) {
			content_fill(c, 5, p, 3, a, PS);
			content_fill(c, 5, p, 3, b, PS);
			ck_assert_mem_eq(a, b, PS);
			if (c == CONTENT_ZERO) {
				ck_assert(all_zero(a, PS));
				continue;
			}
			ck_assert_msg(a[0] != 0, "%s page %llu starts with 0", content_name(c),
				      (unsigned long long)p);
			content_fill(c, 5, p, 4, b, PS); /* a new version */
			ck_assert_msg(memcmp(a, b, PS) != 0, "%s: version", content_name(c));
			content_fill(c, 6, p, 3, b, PS); /* another seed */
			ck_assert_msg(memcmp(a, b, PS) != 0, "%s: seed", content_name(c));
			content_fill(c, 5, p + 1, 3, b, PS); /* another page */
			ck_assert_msg(memcmp(a, b, PS) != 0, "%s: page", content_name(c));
		}
	}
	/* classes differ from each other at one (seed, page, version) */
	for (int c = 0; c < CONTENT_CLASSES; c++)
		for (int d = c + 1; d < CONTENT_CLASSES; d++) {
			content_fill(c, 5, 7, 3, a, PS);
			content_fill(d, 5, 7, 3, b, PS);
			ck_assert_msg(memcmp(a, b, PS) != 0, "%s = %s", content_name(c),
				      content_name(d));
		}
	for (uint64_t p = 0; p < 300; p++) {
		content_fill(CONTENT_RANDOM, 9, p, (uint32_t)p % 5, a, PS);
		old_procedural(9, p, (uint32_t)p % 5, b, PS);
		ck_assert_mem_eq(a, b, PS);
	}
	free(a);
	free(b);
}
END_TEST

/* Every page size the guest allows: no byte left unwritten, none past the
 * end (the sanitized build sees an overrun), byte 0 non-zero. */
START_TEST(test_page_sizes)
{
	for (uint32_t ps = 512; ps <= (1u << 20); ps *= 4) {
		uint8_t *a = malloc(ps), *b = malloc(ps);
		for (int c = 0; c < CONTENT_CLASSES; c++) {
			memset(a, 0x00, ps);
			memset(b, 0xff, ps);
			content_fill(c, 3, 1, 1, a, ps);
			content_fill(c, 3, 1, 1, b, ps);
			ck_assert_msg(memcmp(a, b, ps) == 0, "%s at %u-byte pages", content_name(c),
				      ps);
			ck_assert(c == CONTENT_ZERO || a[0] != 0);
		}
		free(a);
		free(b);
	}
}
END_TEST

START_TEST(test_names)
{
	for (int c = 0; c < CONTENT_CLASSES; c++) {
		enum content_class back = CONTENT_CLASSES;
		ck_assert_int_eq(content_parse(content_name(c), &back), 0);
		ck_assert_int_eq(back, c);
		ck_assert_ptr_nonnull(strstr(content_names(), content_name(c)));
	}
	enum content_class x;
	ck_assert_int_eq(content_parse("pagecache", &x), -1);
	ck_assert_int_eq(content_parse("", &x), -1);
	ck_assert_str_eq(content_name(CONTENT_PAGECACHE), "pagecache-mix");
}
END_TEST

static guest *mk(uint64_t pages, uint64_t seed, int all_missing)
{
	struct guest_config cfg = {.ram_bytes = pages * PS,
				   .page_size = PS,
				   .content_seed = seed,
				   .all_missing = all_missing};
	guest *g = NULL;
	err e;
	ck_assert_msg(guest_new(&g, &cfg, &e) == 0, "guest_new: %s", e.msg);
	return g;
}

START_TEST(test_guest_pages_in_classes)
{
	guest *g = mk(16, 21, 0);
	uint8_t *scratch = malloc(PS), *want = malloc(PS);
	err e;
	ck_assert_int_eq(guest_rewrite_class(g, 2, 3, CONTENT_TEXT, &e), 0);
	ck_assert_int_eq(guest_rewrite_class(g, 5, 1, CONTENT_HEAP, &e), 0);
	ck_assert_int_eq(guest_rewrite(g, 6, 1, &e), 0);
	for (uint64_t p = 2; p <= 6; p++) {
		enum content_class c = p < 5	? CONTENT_TEXT
				       : p == 5 ? CONTENT_HEAP
						: CONTENT_RANDOM;
		ck_assert_int_eq(guest_page_kind(g, p), GUEST_PROCEDURAL);
		content_fill(c, 21, p, guest_page_version(g, p), want, PS);
		ck_assert_mem_eq(guest_page_bytes(g, p, scratch), want, PS);
	}
	/* class zero makes a ZERO page, a new version all the same */
	uint32_t v = guest_page_version(g, 3);
	ck_assert_int_eq(guest_rewrite_class(g, 3, 1, CONTENT_ZERO, &e), 0);
	ck_assert_int_eq(guest_page_kind(g, 3), GUEST_ZERO);
	ck_assert_uint_eq(guest_page_version(g, 3), v + 1);
	/* materialising keeps the class's bytes: in place, and copied */
	content_fill(CONTENT_TEXT, 21, 2, guest_page_version(g, 2), want, PS);
	ck_assert_int_eq(guest_copy(g, 10, 2, 1, &e), 0);
	ck_assert_int_eq(guest_page_kind(g, 10), GUEST_MATERIAL);
	ck_assert_mem_eq(guest_page_bytes(g, 10, scratch), want, PS);
	uint8_t *m = guest_page_mut(g, 2, &e);
	ck_assert_ptr_nonnull(m);
	ck_assert_mem_eq(m, want, PS);
	/* an unknown class is refused, nothing changed */
	v = guest_page_version(g, 4);
	ck_assert_int_eq(guest_rewrite_class(g, 4, 1, CONTENT_CLASSES, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "content class"));
	ck_assert_uint_eq(guest_page_version(g, 4), v);
	free(scratch);
	free(want);
	guest_free(g);
}
END_TEST

/* Procedural pages of one seed compare by version and class, without
 * bytes; other pairs compare bytes, class and all. */
START_TEST(test_guest_compare_classes)
{
	guest *a = mk(8, 33, 0), *b = mk(8, 33, 0), *c = mk(8, 34, 0);
	err e;
	uint64_t diff = 99;
	/* same version, different class: different bytes */
	ck_assert_int_eq(guest_rewrite_class(a, 3, 1, CONTENT_TEXT, &e), 0);
	ck_assert_int_eq(guest_rewrite_class(b, 3, 1, CONTENT_CODE, &e), 0);
	ck_assert_uint_eq(guest_page_version(a, 3), guest_page_version(b, 3));
	ck_assert_int_eq(guest_page_equal(a, b, 3), 0);
	ck_assert_int_eq(guest_compare(a, b, &diff), 1);
	ck_assert_uint_eq(diff, 3);
	/* the same class at the same version: equal */
	ck_assert_int_eq(guest_rewrite_class(b, 3, 1, CONTENT_TEXT, &e), 0);
	ck_assert_int_eq(guest_rewrite_class(a, 3, 1, CONTENT_TEXT, &e), 0);
	ck_assert_int_eq(guest_page_equal(a, b, 3), 1);
	ck_assert_int_eq(guest_compare(a, b, NULL), 0);
	/* a random page at that version differs from the text one */
	ck_assert_int_eq(guest_rewrite_class(a, 5, 1, CONTENT_RANDOM, &e), 0);
	ck_assert_int_eq(guest_rewrite_class(b, 5, 1, CONTENT_PAGECACHE, &e), 0);
	ck_assert_int_eq(guest_page_equal(a, b, 5), 0);
	ck_assert_int_eq(guest_rewrite(b, 5, 1, &e), 0);
	ck_assert_int_eq(guest_rewrite(a, 5, 1, &e), 0);
	ck_assert_int_eq(guest_compare(a, b, NULL), 0);

	/* a destination of the same seed gets the page's class with its
	 * version; of another seed, its bytes */
	guest *d = mk(8, 33, 1), *f = mk(8, 34, 1);
	for (uint64_t p = 0; p < 8; p++) {
		ck_assert_int_eq(guest_copy_page_from(d, a, p, &e), 0);
		ck_assert_int_eq(guest_copy_page_from(f, a, p, &e), 0);
	}
	ck_assert_int_eq(guest_page_kind(d, 3), GUEST_PROCEDURAL);
	ck_assert_int_eq(guest_page_kind(f, 3), GUEST_MATERIAL);
	ck_assert_int_eq(guest_compare(a, d, NULL), 0);
	ck_assert_int_eq(guest_compare(a, f, NULL), 0);
	ck_assert_int_eq(guest_compare(d, f, NULL), 0);

	/* different seeds: the bytes decide, so the page's class counts */
	ck_assert_int_eq(guest_rewrite_class(c, 3, 2, CONTENT_TEXT, &e), 0);
	ck_assert_int_eq(guest_page_equal(a, c, 3), 0);
	ck_assert_int_eq(guest_page_equal(f, c, 3), 0);
	ck_assert_int_eq(guest_copy_page_from(f, c, 3, &e), 0);
	ck_assert_int_eq(guest_page_equal(f, c, 3), 1);
	/* a byte changed in the stored copy is seen against its class's bytes */
	uint8_t *m = guest_page_mut(f, 3, &e);
	m[PS - 1] ^= 1;
	ck_assert_int_eq(guest_page_equal(f, c, 3), 0);
	ck_assert_int_eq(guest_page_equal(c, f, 3), 0);
	guest_free(a);
	guest_free(b);
	guest_free(c);
	guest_free(d);
	guest_free(f);
}
END_TEST

/* The Lua API: rewrites take a class by name (none or nil: random); a name
 * not a class is an ordinary Lua error listing the valid ones. */
static int lua_run(const char *case_, guest **g, err *e)
{
	struct wl_override o[] = {{"case", case_}};
	struct wl_config c = {.path = MIGSIM_WORKLOAD_DIR "/../tests/unit/lua/classes.lua",
			      .params = o,
			      .n_params = 1,
			      .seed = 1,
			      .ram_bytes = 16 * PS,
			      .page_size = PS};
	*g = mk(16, 41, 0);
	wl *w = NULL;
	int64_t cost = 0;
	int rc =
	    wl_open(&w, &c, e) < 0 || wl_init(w, *g, e) < 0 || wl_step(w, *g, 0, &cost, NULL, e) < 0
		? -1
		: 0;
	wl_free(w);
	return rc;
}

START_TEST(test_lua_classes)
{
	static const enum content_class want[8] = {
	    CONTENT_TEXT, CONTENT_TEXT, CONTENT_RANDOM,	   CONTENT_RANDOM,
	    CONTENT_CODE, CONTENT_HEAP, CONTENT_PAGECACHE, CONTENT_RANDOM,
	};
	guest *g;
	err e;
	/* the step fails before its first write: the guest holds init's */
	ck_assert_int_eq(lua_run("unknown", &g, &e), -1);
	ck_assert_msg(strstr(e.msg, "classes.lua:23:") && strstr(e.msg, "'english'") &&
			  strstr(e.msg, content_names()),
		      "%s", e.msg);
	uint8_t *scratch = malloc(PS), *bytes = malloc(PS);
	for (uint64_t p = 0; p < 8; p++) {
		ck_assert_int_eq(guest_page_kind(g, p), GUEST_PROCEDURAL);
		content_fill(want[p], 41, p, guest_page_version(g, p), bytes, PS);
		ck_assert_msg(memcmp(guest_page_bytes(g, p, scratch), bytes, PS) == 0,
			      "page %llu is not %s", (unsigned long long)p, content_name(want[p]));
	}
	ck_assert_int_eq(guest_page_kind(g, 8), GUEST_ZERO);
	ck_assert_uint_eq(guest_page_version(g, 8), 2);
	guest_free(g);
	ck_assert_int_eq(lua_run("uniform", &g, &e), -1);
	ck_assert_msg(strstr(e.msg, "classes.lua:25:") && strstr(e.msg, "'pagecache'"), "%s",
		      e.msg);
	guest_free(g);
	ck_assert_int_eq(lua_run("zipf", &g, &e), -1);
	ck_assert_msg(strstr(e.msg, "classes.lua:27:") &&
			  strstr(e.msg, "unknown content class '7'"),
		      "%s", e.msg);
	guest_free(g);
	/* the batches rewrite in their class */
	ck_assert_msg(lua_run("ok", &g, &e) == 0, "%s", e.msg);
	int code = 0, heap = 0;
	for (uint64_t p = 0; p < 16; p++) {
		if (guest_page_kind(g, p) != GUEST_PROCEDURAL)
			continue;
		const uint8_t *b = guest_page_bytes(g, p, scratch);
		content_fill(CONTENT_CODE, 41, p, guest_page_version(g, p), bytes, PS);
		code += memcmp(b, bytes, PS) == 0;
		content_fill(CONTENT_HEAP, 41, p, guest_page_version(g, p), bytes, PS);
		heap += memcmp(b, bytes, PS) == 0;
	}
	ck_assert_int_ge(code, 1);
	ck_assert_int_ge(heap, 1);
	free(scratch);
	free(bytes);
	guest_free(g);
}
END_TEST

Suite *content_suite(void)
{
	Suite *s = suite_create("content");
	TCase *t = tcase_create("content");
	tcase_add_test(t, test_bands);
	tcase_add_test(t, test_deterministic);
	tcase_add_test(t, test_page_sizes);
	tcase_add_test(t, test_names);
	tcase_add_test(t, test_guest_pages_in_classes);
	tcase_add_test(t, test_guest_compare_classes);
	tcase_add_test(t, test_lua_classes);
	suite_add_tcase(s, t);
	return s;
}
