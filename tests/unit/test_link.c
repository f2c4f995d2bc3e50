/* Unit tests of the link: wire pacing, the send buffer and latency, and times
 * that saturate at the end of the simulated clock instead of overflowing. */
#include <check.h>
#include <stdint.h>

#include "link.h"

#define MS 1000000

static struct link make(double bw, int64_t lat, uint64_t buf)
{
	struct link l;
	struct link_config c = {.bandwidth = bw, .latency = lat, .buffer_bytes = buf};
	err e;
	ck_assert_int_eq(link_init(&l, &c, &e), 0);
	return l;
}

START_TEST(test_unbuffered_never_blocks)
{
	struct link l = make(1e6, 0, 0); /* 1 MB/s */
	ck_assert_int_eq(link_send(&l, 0, 1000000), 0);
	ck_assert_int_eq(link_arrival(&l), 1000 * MS);
	ck_assert_int_eq(link_backlog(&l, 500 * MS), 500000);
}
END_TEST

START_TEST(test_buffer_blocks_writer)
{
	struct link l = make(1e6, 0, 100000); /* 100 ms of buffer */
	/* 1 MB queued at once: the writer continues when 100 kB remain, at 900 ms. */
	ck_assert_int_eq(link_send(&l, 0, 1000000), 900 * MS);
	/* Small writes into a buffer with room do not block. */
	struct link k = make(1e6, 0, 100000);
	ck_assert_int_eq(link_send(&k, 0, 50000), 0);
	ck_assert_int_eq(link_send(&k, 0, 50000), 0);
	ck_assert_int_eq(link_send(&k, 0, 50000), 50 * MS);
}
END_TEST

START_TEST(test_idle_wire_restarts_at_send_time)
{
	struct link l = make(1e6, 2 * MS, 0);
	link_send(&l, 0, 1000);         /* on the wire 0..1 ms */
	link_send(&l, 10 * MS, 1000);   /* idle gap, then 10..11 ms */
	ck_assert_int_eq(link_arrival(&l), 13 * MS);
	ck_assert_uint_eq(l.sent, 2000);
}
END_TEST

START_TEST(test_rejects_bad_config)
{
	struct link l;
	err e;
	struct link_config zero = {.bandwidth = 0};
	struct link_config neg = {.bandwidth = 1e6, .latency = -1};
	ck_assert_int_eq(link_init(&l, &zero, &e), -1);
	ck_assert_int_eq(link_init(&l, &neg, &e), -1);
}
END_TEST

/* A rate so low that one byte takes longer than the clock can count: the
 * wire is busy "forever" (INT64_MAX), never a NaN or negative time. */
START_TEST(test_slowest_wire_saturates)
{
	struct link l = make(1e-300, 0, 4 << 20);
	int64_t t = link_send(&l, 1000, 39);
	ck_assert_int_ge(t, 1000);
	ck_assert_int_eq(link_arrival(&l), INT64_MAX);
	for (int i = 0; i < 3; i++) {
		int64_t again = link_send(&l, t, 4 << 20);
		ck_assert_int_ge(again, t);
		t = again;
	}
	ck_assert_int_eq(link_arrival(&l), INT64_MAX);
	ck_assert_uint_le(link_backlog(&l, 0), l.sent);
}
END_TEST

/* A latency near the clock's range: the arrival saturates. */
START_TEST(test_longest_latency_saturates)
{
	struct link l = make(1e6, INT64_C(9223372036) * 1000000000, 0);
	ck_assert_int_eq(link_send(&l, 2000 * MS, 1000), 2000 * MS);
	ck_assert_int_eq(link_arrival(&l), INT64_MAX);
}
END_TEST

/* Byte counts saturate too: a device state of ~16 EiB sent twice. */
START_TEST(test_sent_saturates)
{
	struct link l = make(1e9, 0, 0);
	link_send(&l, 0, UINT64_MAX - 1);
	link_send(&l, 0, UINT64_MAX - 1);
	ck_assert_uint_eq(l.sent, UINT64_MAX);
	ck_assert_int_eq(link_arrival(&l), INT64_MAX);
}
END_TEST

Suite *link_suite(void)
{
	Suite *s = suite_create("link");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_unbuffered_never_blocks);
	tcase_add_test(tc, test_buffer_blocks_writer);
	tcase_add_test(tc, test_idle_wire_restarts_at_send_time);
	tcase_add_test(tc, test_rejects_bad_config);
	tcase_add_test(tc, test_slowest_wire_saturates);
	tcase_add_test(tc, test_longest_latency_saturates);
	tcase_add_test(tc, test_sent_saturates);
	suite_add_tcase(s, tc);
	return s;
}
