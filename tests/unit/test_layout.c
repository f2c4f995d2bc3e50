/* Unit tests of the guest's page layout (sim/layout.c): regions take their
 * extents from the free pages, at a page asked for (wrapping to the start
 * of RAM) or lowest first, split around what is taken. */
#include <check.h>
#include <stdlib.h>

#include "layout.h"

struct taken {
	struct layout_extent *ext;
	size_t n;
};

static void take_at(layout *l, uint64_t at, uint64_t n, struct taken *t)
{
	err e;
	*t = (struct taken){0};
	ck_assert_msg(layout_take_at(l, at, n, &t->ext, &t->n, &e) == 0, "%s", e.msg);
}

static void ext_is(const struct taken *t, size_t i, uint64_t first, uint64_t pages, uint64_t rp)
{
	ck_assert_uint_gt(t->n, i);
	ck_assert_uint_eq(t->ext[i].first_page, first);
	ck_assert_uint_eq(t->ext[i].pages, pages);
	ck_assert_uint_eq(t->ext[i].region_page, rp);
}

START_TEST(test_packed_from_zero)
{
	layout *l;
	err e;
	ck_assert_int_eq(layout_new(&l, 100, &e), 0);
	struct taken a, b;
	take_at(l, 0, 10, &a);
	take_at(l, 0, 5, &b);
	ck_assert_uint_eq(a.n, 1);
	ext_is(&a, 0, 0, 10, 0);
	ext_is(&b, 0, 10, 5, 0);
	ck_assert_uint_eq(layout_free_pages(l), 85);
	free(a.ext);
	free(b.ext);
	layout_free(l);
}
END_TEST

/* Taken in the middle, then a region larger than the hole below it: it
 * fills the hole and goes on above what was taken. */
START_TEST(test_split_and_fill_holes)
{
	layout *l;
	err e;
	ck_assert_int_eq(layout_new(&l, 100, &e), 0);
	struct taken mid, big;
	take_at(l, 40, 20, &mid);
	ext_is(&mid, 0, 40, 20, 0);
	take_at(l, 0, 50, &big);
	ck_assert_uint_eq(big.n, 2);
	ext_is(&big, 0, 0, 40, 0);
	ext_is(&big, 1, 60, 10, 40);
	ck_assert_uint_eq(layout_free_pages(l), 30);
	free(mid.ext);
	free(big.ext);
	layout_free(l);
}
END_TEST

/* Asked for near the top, a region wraps to the lowest free pages. */
START_TEST(test_wraps)
{
	layout *l;
	err e;
	ck_assert_int_eq(layout_new(&l, 100, &e), 0);
	struct taken a, b;
	take_at(l, 10, 5, &a);
	take_at(l, 95, 12, &b);
	ck_assert_uint_eq(b.n, 2);
	ext_is(&b, 0, 95, 5, 0);
	ext_is(&b, 1, 0, 7, 5);
	ck_assert_uint_eq(layout_free_pages(l), 83);
	struct layout_extent *x = NULL;
	size_t n = 0;
	ck_assert_int_eq(layout_take_at(l, 0, 84, &x, &n, &e), -1);
	ck_assert_str_eq(e.msg, "84 pages wanted, 83 free");
	free(x);
	free(a.ext);
	free(b.ext);
	layout_free(l);
}
END_TEST

Suite *layout_suite(void)
{
	Suite *s = suite_create("layout");
	TCase *tc = tcase_create("take");
	tcase_add_test(tc, test_packed_from_zero);
	tcase_add_test(tc, test_split_and_fill_holes);
	tcase_add_test(tc, test_wraps);
	suite_add_tcase(s, tc);
	return s;
}
