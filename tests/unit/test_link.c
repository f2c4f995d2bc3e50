/* Unit tests of the link: wire pacing, the send buffer and latency, urgent
 * bytes that share the wire with the main stream, and times that saturate at
 * the end of the simulated clock instead of overflowing. */
#include <check.h>
#include <stdint.h>

#include "link.h"

#define MS INT64_C(1000000)

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
	link_send(&l, 0, 1000);	      /* on the wire 0..1 ms */
	link_send(&l, 10 * MS, 1000); /* idle gap, then 10..11 ms */
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

static int64_t urgent(struct link *l, int64_t t, uint64_t bytes)
{
	int64_t arrival;
	err e;
	ck_assert_int_eq(link_send_urgent(l, LINK_MAIN, t, bytes, &arrival, &e), 0);
	return arrival;
}

/* 1 MB queued on a 1 MB/s wire: an urgent 1000 bytes at 2 ms wait for the
 * 1500-byte packet on the wire (until 3 ms), not for the buffer; the main
 * stream's bytes then leave 1 ms later, so the wire never carries more than
 * its bandwidth: 1,001,000 bytes in 1.001 s. */
START_TEST(test_urgent_goes_after_the_packet_on_the_wire)
{
	struct link l = make(1e6, 2 * MS, 100000);
	ck_assert_int_eq(link_send(&l, 0, 1000000), 900 * MS);
	ck_assert_int_eq(urgent(&l, 2 * MS, 1000), 6 * MS);
	ck_assert_int_eq(link_arrival(&l), 1003 * MS);
	ck_assert_uint_eq(l.sent, 1001000);
	/* The main writer's buffer drains 1 ms later too. */
	ck_assert_int_eq(link_send(&l, 900 * MS, 1000), 902 * MS);
	link_free(&l);
}
END_TEST

/* On an idle wire urgent bytes go at once; more urgent bytes queue behind
 * them, and so does the main stream. */
START_TEST(test_urgent_queue_is_fifo)
{
	struct link l = make(1e6, 2 * MS, 0);
	ck_assert_int_eq(urgent(&l, 10 * MS, 1000), 13 * MS);
	ck_assert_int_eq(urgent(&l, 10 * MS, 1000), 14 * MS);
	ck_assert_int_eq(link_send(&l, 10 * MS, 1000), 10 * MS);
	ck_assert_int_eq(link_arrival(&l), 15 * MS);
	ck_assert_int_eq(link_arrival_of(&l, LINK_MAIN, 15 * MS), 15 * MS);
	link_free(&l);
}
END_TEST

/* A main-stream byte's arrival, known when it was queued, moves by the
 * urgent bytes that overtook it afterwards, and only by those. */
START_TEST(test_arrival_of_counts_overtakes)
{
	struct link l = make(1e6, 2 * MS, 0);
	link_send(&l, 0, 1000); /* a: 0..1 ms */
	int64_t a = link_arrival(&l);
	link_send(&l, 0, 100000); /* b: 1..101 ms */
	int64_t b = link_arrival(&l);
	ck_assert_int_eq(urgent(&l, 50 * MS, 1000), 54 * MS); /* 51..52 ms */
	link_send(&l, 60 * MS, 1000);			      /* c: after b, 102..103 ms */
	int64_t c = link_arrival(&l);
	ck_assert_int_eq(c, 105 * MS);
	ck_assert_int_eq(link_arrival_of(&l, LINK_MAIN, a), 3 * MS);
	ck_assert_int_eq(link_arrival_of(&l, LINK_MAIN, b), 104 * MS);
	ck_assert_int_eq(link_arrival_of(&l, LINK_MAIN, c), 105 * MS);
	/* Another at 70.1 ms goes at the next packet boundary of the train
	 * that resumed at 52 ms (52 + 13 x 1.5 = 71.5 ms): b and c move, a
	 * does not. */
	ck_assert_int_eq(urgent(&l, 70100000, 1000), 74500000);
	ck_assert_int_eq(link_arrival_of(&l, LINK_MAIN, a), 3 * MS);
	ck_assert_int_eq(link_arrival_of(&l, LINK_MAIN, b), 105 * MS);
	ck_assert_int_eq(link_arrival_of(&l, LINK_MAIN, c), 106 * MS);
	ck_assert_int_eq(link_arrival(&l), 106 * MS);
	link_free(&l);
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
	ck_assert_int_eq(urgent(&l, t, 4096), INT64_MAX);
	ck_assert_int_eq(link_arrival_of(&l, LINK_MAIN, INT64_MAX), INT64_MAX);
	link_free(&l);
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

/* Two sockets on one wire: each writer blocks on its own buffer only, and
 * the wire serves their writes in submission order, so two backlogged
 * writers alternate and share it evenly. */
START_TEST(test_sockets_share_the_wire)
{
	struct link l = make(1e6, 0, 100000); /* main: 100 ms of buffer */
	err e;
	int a, b;
	ck_assert_int_eq(link_socket_open(&l, 100000, l.cfg.latency, &a, &e), 0);
	ck_assert_int_eq(link_socket_open(&l, 100000, l.cfg.latency, &b, &e), 0);
	ck_assert_int_ne(a, b);
	ck_assert_int_ne(a, LINK_MAIN);
	/* a's 200 kB occupy 0..200 ms; b's go after them, 200..400 ms, and b
	 * blocks until 100 kB of its own remain: 300 ms. a's writer waited
	 * for its own bytes only: 100 ms. */
	ck_assert_int_eq(link_socket_send(&l, a, 0, 200000), 100 * MS);
	ck_assert_int_eq(link_socket_send(&l, b, 0, 200000), 300 * MS);
	/* The main socket's small write goes behind both. */
	ck_assert_int_eq(link_send(&l, 0, 1000), 0);
	ck_assert_int_eq(link_arrival(&l), 401 * MS);
	ck_assert_uint_eq(link_socket_get(&l, a)->sent, 200000);
	ck_assert_uint_eq(link_socket_get(&l, b)->sent, 200000);
	ck_assert_uint_eq(link_socket_get(&l, LINK_MAIN)->sent, 1000);
	ck_assert_uint_eq(l.sent, 401000);
	ck_assert_ptr_null(link_socket_get(&l, 3));
	/* Backlogged writers, each writing 50 kB whenever its writer may:
	 * the wire alternates between them, each gets half. */
	struct link k = make(1e6, 0, 0);
	int x, y;
	ck_assert_int_eq(link_socket_open(&k, 100000, k.cfg.latency, &x, &e), 0);
	ck_assert_int_eq(link_socket_open(&k, 100000, k.cfg.latency, &y, &e), 0);
	int64_t tx = 0, ty = 0;
	for (int i = 0; i < 40; i++) {
		tx = link_socket_send(&k, x, tx, 50000);
		ty = link_socket_send(&k, y, ty, 50000);
	}
	ck_assert_uint_eq(link_socket_get(&k, x)->sent, link_socket_get(&k, y)->sent);
	ck_assert_int_eq(link_arrival(&k), 4000 * MS); /* the wire never idled */
	double gap = link_socket_get(&k, y)->free - link_socket_get(&k, x)->free;
	ck_assert(gap > 0 && gap <= 50 * MS); /* finished one write apart */
	link_free(&k);
	link_free(&l);
}
END_TEST

/* Urgent bytes that overtake queued bytes delay every socket's, so a
 * socket's writer waits for its own bytes' real departure. */
START_TEST(test_urgent_delays_other_sockets)
{
	struct link l = make(1e6, 0, 0);
	err e;
	int a;
	ck_assert_int_eq(link_socket_open(&l, 100000, l.cfg.latency, &a, &e), 0);
	ck_assert_int_eq(link_socket_send(&l, a, 0, 300000), 200 * MS); /* 0..300 ms */
	int64_t arrival;
	ck_assert_int_eq(link_send_urgent(&l, LINK_MAIN, 0, 100000, &arrival, &e), 0);
	ck_assert(arrival < 300 * MS);
	ck_assert(link_socket_get(&l, a)->free >= 400 * MS - 1);
	/* Without the urgent bytes a's writer would continue at 200 ms. */
	ck_assert_int_gt(link_socket_send(&l, a, 0, 1), 200 * MS);
	link_free(&l);
}
END_TEST

/* Each socket's arrival is its own last byte's, which the others' bytes
 * and urgent bytes that overtook it delay; link_arrival is the latest. */
START_TEST(test_socket_arrival_counts_own_bytes)
{
	struct link l = make(1e6, 10 * MS, 0);
	err e;
	int a, b;
	ck_assert_int_eq(link_socket_open(&l, 0, l.cfg.latency, &a, &e), 0);
	ck_assert_int_eq(link_socket_open(&l, 0, l.cfg.latency, &b, &e), 0);
	link_socket_send(&l, a, 0, 200000); /* 0..200 ms */
	link_socket_send(&l, b, 0, 100000); /* 200..300 ms */
	ck_assert_int_eq(link_socket_arrival(&l, a), 210 * MS);
	ck_assert_int_eq(link_socket_arrival(&l, b), 310 * MS);
	ck_assert_int_eq(link_arrival(&l), 310 * MS);
	ck_assert_int_eq(link_socket_arrival(&l, LINK_MAIN), 10 * MS); /* sent nothing */
	ck_assert_int_eq(link_socket_arrival(&l, 7), 0);	       /* no such socket */
	/* 100 kB of urgent bytes at 50 ms go after the packet on the wire
	 * (1.5 ms each: at 51 ms), ahead of both sockets' queues, which
	 * leave 100 ms later. */
	int64_t arrival;
	ck_assert_int_eq(link_send_urgent(&l, LINK_MAIN, 50 * MS, 100000, &arrival, &e), 0);
	ck_assert_int_eq(arrival, 161 * MS);
	ck_assert_int_eq(link_socket_arrival(&l, a), 310 * MS);
	ck_assert_int_eq(link_socket_arrival(&l, b), 410 * MS);
	ck_assert_int_eq(link_arrival(&l), 410 * MS);
	link_free(&l);
}
END_TEST

/* A socket opened while the main channel's has bytes queued (a second
 * VM's migration starting on a NIC in use): the main channel's writer
 * still counts those bytes in its buffer. */
START_TEST(test_open_keeps_main_backlog)
{
	struct link l = make(1e6, 0, 100000);
	err e;
	int a;
	ck_assert_int_eq(link_send(&l, 0, 300000), 200 * MS); /* 0..300 ms */
	ck_assert_int_eq(link_socket_open(&l, 100000, l.cfg.latency, &a, &e), 0);
	/* At 200 ms, 100 kB of its own remain: 50 kB more leave it 50 kB
	 * over its buffer, which the wire sends by 250 ms. */
	ck_assert_int_eq(link_send(&l, 200 * MS, 50000), 250 * MS);
	link_free(&l);
}
END_TEST

/* A paced socket (a migration behind a slower path) is held to its rate
 * past the wire: its writer blocks and its bytes arrive at that rate, the
 * wire carries them at its own, and an unpaced socket behind them on the
 * wire is not slowed. A joined socket shares the pacer. */
START_TEST(test_paced_socket)
{
	struct link l = make(10e6, 0, 100000); /* 10 MB/s, 100 kB buffers */
	err e;
	int b, c;
	ck_assert_int_eq(link_socket_pace(&l, LINK_MAIN, 1e6, &e), 0); /* 1 MB/s */
	/* 300 kB: on the wire 0..30 ms, past the bottleneck 0..300 ms; the
	 * writer goes on when 100 kB of them remain, at 200 ms. */
	ck_assert_int_eq(link_send(&l, 0, 300000), 200 * MS);
	ck_assert_int_eq(link_socket_arrival(&l, LINK_MAIN), 300 * MS);
	ck_assert_int_eq(link_backlog(&l, 30 * MS), 0);
	ck_assert_int_eq(link_socket_open(&l, 100000, 0, &b, &e), 0);
	ck_assert_int_eq(link_socket_send(&l, b, 30 * MS, 100000), 30 * MS); /* 30..40 ms */
	ck_assert_int_eq(link_socket_arrival(&l, b), 40 * MS);
	ck_assert_int_eq(link_arrival(&l), 300 * MS);
	/* Joined to the main socket's pacer, c's bytes pass the bottleneck
	 * after the main channel's: 300..350 ms. */
	ck_assert_int_eq(link_socket_open(&l, 0, 0, &c, &e), 0);
	ck_assert_int_eq(link_socket_join(&l, c, LINK_MAIN, &e), 0);
	link_socket_send(&l, c, 40 * MS, 50000);
	ck_assert_int_eq(link_socket_arrival(&l, c), 350 * MS);
	/* Unpaced again, the next bytes leave at the wire's rate. */
	ck_assert_int_eq(link_socket_pace(&l, LINK_MAIN, 0, &e), 0);
	link_socket_send(&l, c, 400 * MS, 100000);
	ck_assert_int_eq(link_socket_arrival(&l, c), 410 * MS);
	ck_assert_int_eq(link_socket_pace(&l, 9, 1e6, &e), -1);
	ck_assert_int_eq(link_socket_pace(&l, b, -1, &e), -1);
	link_free(&l);
}
END_TEST

/* Each socket has its own latency (migrations from one NIC to hosts at
 * different distances): its bytes arrive that long after they leave the
 * wire, its urgent bytes too, and an overtaken byte's arrival is brought up
 * to date from its own socket's latency; link_arrival keeps the link's. */
START_TEST(test_socket_latency)
{
	struct link l = make(1e6, 10 * MS, 0);
	err e;
	int a, b, c;
	ck_assert_int_eq(link_socket_open(&l, 0, 1 * MS, &a, &e), 0);
	ck_assert_int_eq(link_socket_open(&l, 0, 50 * MS, &b, &e), 0);
	ck_assert_int_eq(link_socket_open(&l, 0, -1, &c, &e), -1);
	ck_assert_int_eq(link_socket_latency(&l, LINK_MAIN), 10 * MS);
	ck_assert_int_eq(link_socket_latency(&l, a), 1 * MS);
	ck_assert_int_eq(link_socket_latency(&l, b), 50 * MS);
	ck_assert_int_eq(link_socket_latency(&l, 9), 10 * MS); /* no such: the link's */
	link_socket_send(&l, a, 0, 100000);		       /* 0..100 ms */
	link_socket_send(&l, b, 0, 100000);		       /* 100..200 ms */
	int64_t then_a = link_socket_arrival(&l, a), then_b = link_socket_arrival(&l, b);
	ck_assert_int_eq(then_a, 101 * MS);
	ck_assert_int_eq(then_b, 250 * MS);
	ck_assert_int_eq(link_arrival(&l), 210 * MS);
	/* 1000 urgent bytes of b's migration at 50 ms: on the wire 51..52 ms
	 * (after the packet being sent), at the destination 50 ms later; both
	 * sockets' queued bytes leave 1 ms later. */
	int64_t arrival;
	ck_assert_int_eq(link_send_urgent(&l, b, 50 * MS, 1000, &arrival, &e), 0);
	ck_assert_int_eq(arrival, 102 * MS);
	ck_assert_int_eq(link_arrival_of(&l, a, then_a), 102 * MS);
	ck_assert_int_eq(link_arrival_of(&l, b, then_b), 251 * MS);
	ck_assert_int_eq(link_socket_arrival(&l, b), 251 * MS);
	link_free(&l);
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
	tcase_add_test(tc, test_urgent_goes_after_the_packet_on_the_wire);
	tcase_add_test(tc, test_urgent_queue_is_fifo);
	tcase_add_test(tc, test_arrival_of_counts_overtakes);
	tcase_add_test(tc, test_slowest_wire_saturates);
	tcase_add_test(tc, test_longest_latency_saturates);
	tcase_add_test(tc, test_sent_saturates);
	tcase_add_test(tc, test_sockets_share_the_wire);
	tcase_add_test(tc, test_urgent_delays_other_sockets);
	tcase_add_test(tc, test_socket_arrival_counts_own_bytes);
	tcase_add_test(tc, test_open_keeps_main_backlog);
	tcase_add_test(tc, test_paced_socket);
	tcase_add_test(tc, test_socket_latency);
	suite_add_tcase(s, tc);
	return s;
}
