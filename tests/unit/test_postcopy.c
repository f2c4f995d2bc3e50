/* Unit tests of post-copy's page-request path: a guest fault on a missing
 * page waits for a request to reach the source and the page to come back,
 * behind the background stream already queued on the link, or, with
 * postcopy-preempt, ahead of it on the same wire (the stream then arrives
 * later); and a post-copy still running at the timeout, which QEMU cannot
 * cancel, ends the run there as a failure. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "des.h"
#include "guest.h"
#include "link.h"
#include "mig.h"
#include "params.h"
#include "vcpu.h"

#define MS    ((int64_t)1000000)
#define PAGES 4096
#define PS    4096
#define BW    100e6    /* bytes/s */
#define LAT   (1 * MS) /* one way */

static void nothing(void *ctx, uint64_t tag)
{
	(void)ctx;
	(void)tag;
}

struct fixture {
	guest *src, *dst;
	des *q;
	struct vcpu cpu;
	struct link link;
	struct mig_params p;
	mig *m;
};

/* A 16 MiB guest whose pages all hold data, switched to post-copy at once;
 * the background stream then runs for 1 ms of its own time, so about a send
 * buffer's worth of pages (4 MiB, 42 ms of wire) is queued when the guest
 * faults. */
static void setup_timeout(struct fixture *f, unsigned caps, int64_t timeout)
{
	err e;
	struct guest_config sc = {.ram_bytes = PAGES * PS, .page_size = PS, .content_seed = 7};
	struct guest_config dc = sc;
	dc.all_missing = 1;
	ck_assert_int_eq(guest_new(&f->src, &sc, &e), 0);
	ck_assert_int_eq(guest_new(&f->dst, &dc, &e), 0);
	ck_assert_int_eq(guest_rewrite(f->src, 0, PAGES, &e), 0);
	ck_assert_int_eq(des_new(&f->q, &e), 0);
	vcpu_init(&f->cpu, f->q, NULL, f->src, INT64_MAX);
	struct link_config lc = {.bandwidth = BW, .latency = LAT, .buffer_bytes = 4 << 20};
	ck_assert_int_eq(link_init(&f->link, &lc, &e), 0);
	params_defaults(&f->p);
	f->p.max_bandwidth = 0;
	/* The thread's CPU costs are test_mig's: here the times are the link's
	 * and post-copy's own. */
	f->p.zero_scan_cost = 0;
	f->p.page_copy_cost = 0;
	struct mig_config mc = {.params = &f->p,
				.caps = CAP_POSTCOPY_RAM | caps,
				.mode = MIG_MODE_PRECOPY,
				.timeout = timeout,
				.postcopy = {.rule = POSTCOPY_IMMEDIATELY}};
	ck_assert_int_eq(mig_new(&f->m, &mc, f->src, f->dst, &f->link, &f->cpu, &e), 0);
	for (int64_t t = 1; mig_phase(f->m) != MIG_PHASE_POSTCOPY; t += 1000)
		ck_assert_int_eq(mig_advance(f->m, t, &e), 0);
	f->cpu.running = 0; /* no workload: the test plays the guest */
	int64_t resume = mig_clock(f->m);
	ck_assert_int_eq(mig_advance(f->m, resume + MS, &e), 0);
	ck_assert_int_eq(des_schedule(f->q, resume + MS, nothing, NULL, 0, &e), 0);
	while (des_now(f->q) < resume + MS)
		des_step(f->q);
}

static void setup(struct fixture *f, unsigned caps)
{
	setup_timeout(f, caps, 0);
}

static void teardown(struct fixture *f)
{
	mig_free(f->m);
	link_free(&f->link);
	des_free(f->q);
	guest_free(f->src);
	guest_free(f->dst);
}

/* The guest reads the last page of RAM, which the stream has not reached. */
static int64_t fault_wait(struct fixture *f)
{
	err e;
	uint8_t byte;
	ck_assert_int_eq(guest_page_kind(f->dst, PAGES - 1), GUEST_MISSING);
	ck_assert_int_eq(guest_read(f->dst, (uint64_t)(PAGES - 1) * PS, &byte, 1, &e), 0);
	ck_assert_int_ne(guest_page_kind(f->dst, PAGES - 1), GUEST_MISSING);
	struct mig_stats st;
	mig_get_stats(f->m, &st);
	ck_assert_uint_eq(st.postcopy_requests, 1);
	ck_assert_int_eq(st.postcopy_blocktime, f->cpu.stall);
	return f->cpu.stall;
}

START_TEST(test_request_queues_behind_stream)
{
	struct fixture f;
	setup(&f, 0);
	int64_t wait = fault_wait(&f);
	/* Request latency, then the whole backlog ahead of it, then latency. */
	int64_t page_ns = (int64_t)((PS + 8) / BW * 1e9);
	ck_assert_int_gt(wait, 2 * LAT + 30 * MS);
	ck_assert_int_lt(wait, 2 * LAT + 50 * MS + page_ns);
	teardown(&f);
}
END_TEST

#define URGENT_NS ((int64_t)((PS + 8 + 1 + 6) / BW * 1e9)) /* the page, with the block name */
#define PACKET_NS ((int64_t)(LINK_PACKET_BYTES / BW * 1e9))

START_TEST(test_preempt_channel_skips_the_queue)
{
	struct fixture f;
	setup(&f, CAP_POSTCOPY_PREEMPT);
	int64_t wait = fault_wait(&f);
	/* Two latencies, the rest of the packet on the wire, and the page. */
	int64_t expect = 2 * LAT + URGENT_NS;
	ck_assert_int_ge(wait, expect - 1);
	ck_assert_int_le(wait, expect + PACKET_NS + 1);
	teardown(&f);
}
END_TEST

/* The preempt channel is a second socket on the same network: the page it
 * carries goes ahead of the background stream's queue, which then leaves
 * one page later; the last page of the stream, in flight at the fault,
 * arrives that much later too. Two channels each with the link's bandwidth
 * would let the wire carry more than the link. (The stream goes on queueing
 * pages while the request travels: the link's own end moves further.) */
START_TEST(test_preempt_page_delays_the_stream)
{
	struct fixture f;
	setup(&f, CAP_POSTCOPY_PREEMPT);
	struct mig_stats st;
	mig_get_stats(f.m, &st);
	uint64_t last = st.normal - 1; /* the stream sends RAM in order from page 0 */
	int64_t queued = link_arrival(&f.link);
	fault_wait(&f);
	err e;
	uint8_t byte;
	int64_t t = vcpu_time(&f.cpu), stall = f.cpu.stall;
	ck_assert_int_eq(guest_page_kind(f.dst, last), GUEST_MISSING);
	ck_assert_int_eq(guest_read(f.dst, last * PS, &byte, 1, &e), 0);
	int64_t ready = t + f.cpu.stall - stall;
	ck_assert_int_ge(ready, queued + URGENT_NS - 1);
	ck_assert_int_le(ready, queued + URGENT_NS + 1);
	teardown(&f);
}
END_TEST

START_TEST(test_second_touch_does_not_fault)
{
	struct fixture f;
	setup(&f, 0);
	int64_t wait = fault_wait(&f);
	err e;
	uint8_t byte;
	ck_assert_int_eq(guest_read(f.dst, (uint64_t)(PAGES - 1) * PS, &byte, 1, &e), 0);
	ck_assert_int_eq(f.cpu.stall, wait);
	teardown(&f);
}
END_TEST

/* A fault on a page the stream has sent but that has not arrived yet:
 * the destination still asks for it (migrate_send_rp_req_pages asks for
 * every page not yet received) and QEMU's ram_save_queue_pages counts every
 * request; the source finds the page no longer dirty and sends nothing
 * more. The vCPU waits for the page already on its way. */
START_TEST(test_request_for_page_in_flight_counts)
{
	struct fixture f;
	setup(&f, 0);
	struct mig_stats before, after;
	mig_get_stats(f.m, &before);
	err e;
	uint8_t byte;
	uint64_t page = 500; /* ~20 ms into the 42 ms of queued stream */
	ck_assert_uint_gt(before.normal, page);
	ck_assert_int_eq(guest_read(f.dst, page * PS, &byte, 1, &e), 0);
	mig_get_stats(f.m, &after);
	ck_assert_uint_eq(after.postcopy_requests, 1);
	ck_assert_uint_eq(after.normal, before.normal);
	ck_assert_uint_eq(after.transferred, before.transferred);
	ck_assert_int_gt(f.cpu.stall, 10 * MS);
	ck_assert_int_eq(after.postcopy_blocktime, f.cpu.stall);
	teardown(&f);
}
END_TEST

/* The background stream needs ~170 ms for the 16 MiB; at a 50 ms timeout
 * the run ends in post-copy, failed, with the reason QEMU gives for not
 * cancelling it. */
START_TEST(test_timeout_in_postcopy)
{
	struct fixture f;
	setup_timeout(&f, 0, 50 * MS);
	err e;
	for (int i = 0; i < 100 && mig_status(f.m) == MIG_STATUS_ACTIVE; i++)
		ck_assert_int_eq(mig_advance(f.m, INT64_MAX, &e), 0);
	struct mig_stats st;
	mig_get_stats(f.m, &st);
	ck_assert_int_eq(mig_status(f.m), MIG_STATUS_FAILED);
	ck_assert_msg(strstr(mig_error(f.m), "post-copy") && strstr(mig_error(f.m), "cancel"),
		      "message: %s", mig_error(f.m));
	ck_assert_int_eq(st.total_time, 50 * MS);
	ck_assert_int_eq(mig_clock(f.m), 50 * MS);
	ck_assert_uint_gt(st.remaining, 0);
	teardown(&f);
}
END_TEST

/* A fault whose page would arrive after the deadline (~50 ms: 42 ms of
 * backlog ahead of it) is counted as blocked only up to the deadline. */
START_TEST(test_blocktime_ends_at_timeout)
{
	struct fixture f;
	setup_timeout(&f, 0, 20 * MS);
	err e;
	uint8_t byte;
	int64_t t = vcpu_time(&f.cpu);
	ck_assert_int_eq(guest_read(f.dst, (uint64_t)(PAGES - 1) * PS, &byte, 1, &e), 0);
	struct mig_stats st;
	mig_get_stats(f.m, &st);
	ck_assert_int_gt(f.cpu.stall, 20 * MS - t);
	ck_assert_int_eq(st.postcopy_blocktime, 20 * MS - t);
	teardown(&f);
}
END_TEST

/* Runs the fixture's immediate switch to its end, with no guest access. */
static int64_t run_to_end(struct fixture *f, struct mig_stats *st)
{
	err e;
	for (int i = 0; i < 100 && mig_status(f->m) == MIG_STATUS_ACTIVE; i++)
		ck_assert_int_eq(mig_advance(f->m, INT64_MAX, &e), 0);
	ck_assert_msg(mig_status(f->m) == MIG_STATUS_COMPLETED, "%s", mig_error(f->m));
	mig_get_stats(f->m, st);
	return mig_clock(f->m);
}

/* An immediate switch finds the send buffer empty: postcopy_start writes
 * the discard and the package without waiting, within the millisecond of
 * the stop, so migration_downtime_end leaves QEMU's downtime at 0 ("not
 * measured") and migration_completion_end measures it at the end of the
 * whole post-copy phase (the last byte's arrival, plus the latency of the
 * destination's SHUT on the return path): QEMU 10.0.2's 3,590 ms. The
 * guest's pause is the package's wire time and latency, then the
 * destination's switch work for one discard range of pages it never had. */
START_TEST(test_downtime_immediate_switch_is_whole_postcopy)
{
	struct fixture f;
	setup(&f, 0);
	struct mig_stats st;
	int64_t end = run_to_end(&f, &st);
	ck_assert_int_eq(st.downtime, end + LAT - st.switchover);
	ck_assert_int_eq(st.downtime_to_completion, 1);
	/* The setup's 39 bytes (written as setup ends, at the stop), one range,
	 * the device state and the package's commands. */
	int64_t package = (int64_t)((39 + 16 + 262144 + 64) / BW * 1e9);
	int64_t pause = package + LAT + postcopy_switch_cost(0, 1, 0, PS);
	ck_assert_int_le(llabs(st.guest_pause - pause), 1);
	teardown(&f);
}
END_TEST

/* The fixture's guest, migrated without a rate limit and switched to
 * post-copy once 40 ms of the migration have passed (at the end of the
 * ram_save_iterate then running). At 20 ms the pages [0, rewrite), sent
 * by then, are written again: the switch discards them on the destination,
 * which held them. Returns the counters just after the switch. */
static void switch_after_rewrite(uint64_t rewrite, struct mig_stats *st)
{
	err e;
	struct fixture f;
	struct guest_config sc = {.ram_bytes = PAGES * PS, .page_size = PS, .content_seed = 7};
	struct guest_config dc = sc;
	dc.all_missing = 1;
	ck_assert_int_eq(guest_new(&f.src, &sc, &e), 0);
	ck_assert_int_eq(guest_new(&f.dst, &dc, &e), 0);
	ck_assert_int_eq(guest_rewrite(f.src, 0, PAGES, &e), 0);
	ck_assert_int_eq(des_new(&f.q, &e), 0);
	vcpu_init(&f.cpu, f.q, NULL, f.src, INT64_MAX);
	struct link_config lc = {.bandwidth = BW, .latency = LAT, .buffer_bytes = 4 << 20};
	ck_assert_int_eq(link_init(&f.link, &lc, &e), 0);
	params_defaults(&f.p);
	f.p.max_bandwidth = 0;
	struct mig_config mc = {.params = &f.p,
				.caps = CAP_POSTCOPY_RAM,
				.mode = MIG_MODE_PRECOPY,
				.postcopy = {.rule = POSTCOPY_AFTER_TIME, .after = 40 * MS}};
	ck_assert_int_eq(mig_new(&f.m, &mc, f.src, f.dst, &f.link, &f.cpu, &e), 0);
	int64_t t = 0;
	while (mig_clock(f.m) < 20 * MS)
		ck_assert_int_eq(mig_advance(f.m, t += 1000, &e), 0);
	mig_get_stats(f.m, st);
	ck_assert_uint_gt(st->pages_handled, rewrite);
	if (rewrite)
		ck_assert_int_eq(guest_rewrite(f.src, 0, rewrite, &e), 0);
	while (mig_phase(f.m) != MIG_PHASE_POSTCOPY)
		ck_assert_int_eq(mig_advance(f.m, t += 1000, &e), 0);
	mig_get_stats(f.m, st);
	/* The guest resumes when the pause ends: the vCPU's next event. */
	ck_assert_int_eq(des_next_time(f.q), st->switchover + st->guest_pause);
	teardown(&f);
}

/* A switch behind a full send buffer: the package waits for room, 2.6 ms
 * of wire, and QEMU's downtime ends once it is written (postcopy_start's
 * migration_downtime_end), not when it arrives behind the 42 ms of pages
 * queued before it, nor when the guest resumes. */
START_TEST(test_downtime_ends_when_package_written)
{
	struct mig_stats st;
	switch_after_rewrite(0, &st);
	ck_assert_int_gt(st.downtime, 2500000);
	ck_assert_int_lt(st.downtime, 2700000);
	ck_assert_int_eq(st.downtime_to_completion, 0);
	ck_assert_int_gt(st.guest_pause, st.downtime + 40 * MS + postcopy_switch_cost(0, 1, 0, PS));
}
END_TEST

/* The switch's pause grows with what the destination must discard: 512
 * re-dirtied pages it held make a second range and 512 pages to unmap
 * (and 16 more bytes of discard command on the wire, 160 ns). */
START_TEST(test_switch_pause_grows_with_discards)
{
	struct mig_stats clean, dirty;
	switch_after_rewrite(0, &clean);
	switch_after_rewrite(512, &dirty);
	ck_assert_int_eq(dirty.switchover, clean.switchover);
	int64_t more = postcopy_switch_cost(0, 2, 512, PS) - postcopy_switch_cost(0, 1, 0, PS);
	ck_assert_int_eq(more, 2000 + 512 * 250);
	ck_assert_int_le(llabs(dirty.guest_pause - clean.guest_pause - more - 160), 1);
}
END_TEST

Suite *postcopy_suite(void)
{
	Suite *s = suite_create("postcopy");
	TCase *tc = tcase_create("requests");
	tcase_add_test(tc, test_request_queues_behind_stream);
	tcase_add_test(tc, test_preempt_channel_skips_the_queue);
	tcase_add_test(tc, test_preempt_page_delays_the_stream);
	tcase_add_test(tc, test_second_touch_does_not_fault);
	tcase_add_test(tc, test_request_for_page_in_flight_counts);
	tcase_add_test(tc, test_timeout_in_postcopy);
	tcase_add_test(tc, test_blocktime_ends_at_timeout);
	tcase_add_test(tc, test_downtime_immediate_switch_is_whole_postcopy);
	tcase_add_test(tc, test_downtime_ends_when_package_written);
	tcase_add_test(tc, test_switch_pause_grows_with_discards);
	suite_add_tcase(s, tc);
	return s;
}
