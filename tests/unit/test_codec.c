/*
 * Unit tests of the page-encoder interface (encoders/codec.h): the table,
 * the cost model, and round trips through every packet codec on pages of
 * every content class (sim/content.h), with truncated input rejected.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "content.h"

#define PS    4096
#define NPAGE 16

/* n pages of class c (version v), each its own allocation. */
static uint8_t **make_pages(enum content_class c, size_t n, uint32_t v)
{
	uint8_t **p = calloc(n, sizeof *p);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++) {
		p[i] = malloc(PS);
		ck_assert_ptr_nonnull(p[i]);
		content_fill(c, 42, i, v, p[i], PS);
	}
	return p;
}

static void free_pages(uint8_t **p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i]);
	free(p);
}

START_TEST(test_table)
{
	ck_assert_uint_ge(codec_count(), 1);
	ck_assert_ptr_null(codec_at(codec_count()));
	ck_assert_ptr_null(codec_find("no-such-codec"));
	ck_assert_ptr_null(codec_find(NULL));
	for (size_t i = 0; i < codec_count(); i++) {
		const struct codec *c = codec_at(i);
		ck_assert_ptr_eq(codec_find(c->name), c);
		ck_assert_int_le(c->level_min, c->level_default);
		ck_assert_int_le(c->level_default, c->level_max);
		ck_assert(c->level_param || (c->level_min == 0 && c->level_max == 0));
		ck_assert(c->open && c->close && c->bound && c->encode && c->decode);
		ck_assert(c->cost.ns_per_byte > 0 && c->cost.level_factor > 0);
	}
	ck_assert_ptr_eq(codec_find("none"), &codec_none);
}
END_TEST

START_TEST(test_cost)
{
	struct codec c = {.level_min = 1,
			  .level_max = 9,
			  .cost = {.ns_per_call = 100, .ns_per_byte = 2, .level_factor = 1.5}};
	ck_assert_double_eq_tol(codec_encode_cost(&c, NULL, 1, 1000), 2100, 1e-9);
	ck_assert_double_eq_tol(codec_encode_cost(&c, NULL, 3, 1000), 100 + 2 * 2.25 * 1000, 1e-9);
	/* Out of range: the nearest end. */
	ck_assert_double_eq_tol(codec_encode_cost(&c, NULL, 0, 1000), 2100, 1e-9);
	ck_assert_double_eq_tol(codec_encode_cost(&c, NULL, 99, 0),
				codec_encode_cost(&c, NULL, 9, 0), 1e-9);
	struct codec_cost user = {.ns_per_call = 0, .ns_per_byte = 1, .level_factor = 2};
	ck_assert_double_eq_tol(codec_encode_cost(&c, &user, 2, 10), 20, 1e-9);
}
END_TEST

/* Packet codec c at level: pages of class cls round-trip through one state
 * pair, three packets in a row (a codec keeping history across packets must
 * keep the two sides in step). */
static void round_trip(const struct codec *c, int level, enum content_class cls)
{
	err e = {{0}};
	void *enc, *dec;
	ck_assert_msg(c->open(&enc, level, PS, &e) == 0, "%s: %s", c->name, e.msg);
	ck_assert_msg(c->open(&dec, level, PS, &e) == 0, "%s: %s", c->name, e.msg);
	size_t cap = c->bound(NPAGE, PS);
	uint8_t *out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	uint8_t **got = make_pages(CONTENT_ZERO, NPAGE, 0);
	for (uint32_t v = 0; v < 3; v++) {
		uint8_t **pages = make_pages(cls, NPAGE, v);
		long r =
		    c->encode(enc, NULL, (const uint8_t *const *)pages, NPAGE, PS, out, cap, &e);
		ck_assert_msg(r >= 0, "%s level %d %s: encode %ld (%s)", c->name, level,
			      content_name(cls), r, e.msg);
		ck_assert_uint_le((size_t)r, cap);
		int d = c->decode(dec, got, NPAGE, PS, out, (size_t)r, &e);
		ck_assert_msg(d == 0, "%s level %d %s: decode (%s)", c->name, level,
			      content_name(cls), e.msg);
		for (size_t i = 0; i < NPAGE; i++)
			ck_assert_msg(memcmp(got[i], pages[i], PS) == 0, "%s %s: page %zu", c->name,
				      content_name(cls), i);
		free_pages(pages, NPAGE);
	}
	free_pages(got, NPAGE);
	free(out);
	c->close(enc);
	c->close(dec);
}

START_TEST(test_none_round_trip)
{
	round_trip(&codec_none, 0, (enum content_class)_i);
}
END_TEST

START_TEST(test_none_edges)
{
	err e = {{0}};
	uint8_t **pages = make_pages(CONTENT_TEXT, 2, 0);
	uint8_t out[2 * PS];
	ck_assert_uint_eq(codec_none.bound(2, PS), 2 * PS);
	ck_assert_int_eq(codec_none.encode(NULL, NULL, (const uint8_t *const *)pages, 2, PS, out,
					   2 * PS - 1, &e),
			 CODEC_DECLINED);
	ck_assert_int_eq(
	    codec_none.encode(NULL, NULL, (const uint8_t *const *)pages, 2, PS, out, 2 * PS, &e),
	    2 * PS);
	e.msg[0] = '\0';
	ck_assert_int_eq(codec_none.decode(NULL, pages, 2, PS, out, 2 * PS - 1, &e), CODEC_ERROR);
	ck_assert_str_ne(e.msg, "");
	free_pages(pages, 2);
}
END_TEST

Suite *codec_suite(void)
{
	Suite *s = suite_create("codec");
	TCase *tc = tcase_create("codec");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_cost);
	tcase_add_loop_test(tc, test_none_round_trip, 0, CONTENT_CLASSES);
	tcase_add_test(tc, test_none_edges);
	suite_add_tcase(s, tc);
	return s;
}
