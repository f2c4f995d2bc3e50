/* Unit tests of the event queue: ordering by time, then by insertion. */
#include <check.h>
#include <stdint.h>

#include "des.h"

struct log {
	int order[64];
	int64_t times[64];
	int n;
	des *q;
};

static void record(void *ctx, uint64_t tag)
{
	struct log *l = ctx;
	l->times[l->n] = des_now(l->q);
	l->order[l->n++] = (int)tag;
}

START_TEST(test_time_order)
{
	struct log l = {0};
	err e;
	ck_assert_int_eq(des_new(&l.q, &e), 0);
	int64_t t[] = {50, 10, 40, 20, 30};
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(des_schedule(l.q, t[i], record, &l, (uint64_t)i, &e), 0);
	ck_assert_int_eq(des_next_time(l.q), 10);
	while (des_step(l.q))
		;
	int want[] = {1, 3, 4, 2, 0};
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(l.order[i], want[i]);
		ck_assert_int_eq(l.times[i], (i + 1) * 10);
	}
	ck_assert_int_eq(des_next_time(l.q), INT64_MAX);
	des_free(l.q);
}
END_TEST

/* Equal times run in insertion order, even after many heap reshuffles. */
START_TEST(test_equal_times_fifo)
{
	struct log l = {0};
	err e;
	ck_assert_int_eq(des_new(&l.q, &e), 0);
	for (int i = 0; i < 60; i++)
		des_schedule(l.q, (i % 3) * 100, record, &l, (uint64_t)i, &e);
	while (des_step(l.q))
		;
	ck_assert_int_eq(l.n, 60);
	for (int i = 1; i < 60; i++) {
		ck_assert(l.times[i - 1] <= l.times[i]);
		if (l.times[i - 1] == l.times[i])
			ck_assert_int_lt(l.order[i - 1], l.order[i]);
	}
	des_free(l.q);
}
END_TEST

static void reschedule(void *ctx, uint64_t tag)
{
	struct log *l = ctx;
	record(ctx, tag);
	if (tag < 3)
		des_schedule(l->q, des_now(l->q), reschedule, l, tag + 10, NULL);
}

/* An event scheduled from a handler at the current time runs after the events
 * already queued for that time; scheduling in the past runs now. */
START_TEST(test_schedule_from_handler)
{
	struct log l = {0};
	err e;
	des_new(&l.q, &e);
	des_schedule(l.q, 5, reschedule, &l, 1, &e);
	des_schedule(l.q, 5, record, &l, 2, &e);
	while (des_step(l.q))
		;
	ck_assert_int_eq(l.n, 3);
	ck_assert_int_eq(l.order[0], 1);
	ck_assert_int_eq(l.order[1], 2);
	ck_assert_int_eq(l.order[2], 11);
	des_schedule(l.q, 1, record, &l, 7, &e);
	des_step(l.q);
	ck_assert_int_eq(l.times[3], 5);
	des_free(l.q);
}
END_TEST

Suite *des_suite(void)
{
	Suite *s = suite_create("des");
	TCase *tc = tcase_create("queue");
	tcase_add_test(tc, test_time_order);
	tcase_add_test(tc, test_equal_times_fifo);
	tcase_add_test(tc, test_schedule_from_handler);
	suite_add_tcase(s, tc);
	return s;
}
