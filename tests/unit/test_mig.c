/* Unit tests of the migration thread: a page the destination cannot take
 * fails the migration with the reason, instead of reaching the final memory
 * check as a mismatch blamed on the simulator; XBZRLE deltas sent while the
 * guest is stopped reach the destination before that check; the timeout
 * ends every phase, and extreme times, rates and costs saturate instead of
 * overflowing. */
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

#define PAGES 8
#define PS    4096

/* A source of `pages` MATERIAL pages (byte fill + 1 in the first 64 bytes
 * of page p), an empty destination, a link and a migration, no workload. */
struct rig {
	guest *src, *dst;
	des *q;
	struct vcpu cpu;
	struct link link;
	mig *m;
};

static void rig_open_pages(struct rig *r, uint64_t pages, uint64_t dst_limit,
			   const struct link_config *lc, const struct mig_config *mc)
{
	err e = {{0}};
	struct guest_config sc = {.ram_bytes = pages * PS, .page_size = PS, .content_seed = 3};
	struct guest_config dc = sc;
	dc.all_missing = 1;
	dc.material_limit = dst_limit;
	ck_assert_int_eq(guest_new(&r->src, &sc, &e), 0);
	ck_assert_int_eq(guest_new(&r->dst, &dc, &e), 0);
	for (uint64_t p = 0; p < pages; p++)
		ck_assert_int_eq(guest_fill(r->src, p * PS, 64, (uint8_t)(p + 1), &e), 0);
	ck_assert_int_eq(des_new(&r->q, &e), 0);
	vcpu_init(&r->cpu, r->q, NULL, r->src, INT64_MAX);
	ck_assert_int_eq(link_init(&r->link, lc, &e), 0);
	ck_assert_msg(mig_new(&r->m, mc, r->src, r->dst, &r->link, &r->cpu, &e) == 0, "%s", e.msg);
}

static void rig_open(struct rig *r, uint64_t dst_limit, const struct link_config *lc,
		     const struct mig_config *mc)
{
	rig_open_pages(r, PAGES, dst_limit, lc, mc);
}

static void rig_close(struct rig *r)
{
	mig_free(r->m);
	des_free(r->q);
	guest_free(r->src);
	guest_free(r->dst);
}

START_TEST(test_install_failure_is_reported)
{
	err e = {{0}};
	struct link_config lc = {.bandwidth = 1e9, .latency = 0};
	struct mig_params p;
	params_defaults(&p);
	struct mig_config mc = {.params = &p, .mode = MIG_MODE_STOP_AND_COPY};
	struct rig r;
	rig_open(&r, PS, &lc, &mc); /* room for one materialised page only */
	int rc = 0;
	for (int64_t t = 1; rc == 0 && mig_status(r.m) == MIG_STATUS_ACTIVE; t += 1000000)
		rc = mig_advance(r.m, t, &e);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(e.msg, "limit") != NULL, "message: %s", e.msg);
	ck_assert_ptr_null(strstr(e.msg, "simulator bug"));
	rig_close(&r);
}
END_TEST

/* Every page of the rig holds stored bytes, which a send must read: a
 * stop-and-copy counts each of them in pages_read (the benchmark's pages
 * read, apart from pages answered from metadata). */
START_TEST(test_pages_read_counts_stored_pages)
{
	err e = {{0}};
	struct link_config lc = {.bandwidth = 1e9, .latency = 0};
	struct mig_params p;
	params_defaults(&p);
	struct mig_config mc = {.params = &p, .mode = MIG_MODE_STOP_AND_COPY};
	struct rig r;
	rig_open(&r, 0, &lc, &mc);
	for (int64_t t = 1; mig_status(r.m) == MIG_STATUS_ACTIVE; t += 1000000)
		ck_assert_msg(mig_advance(r.m, t, &e) == 0, "%s", e.msg);
	struct mig_stats st;
	mig_get_stats(r.m, &st);
	ck_assert_int_eq(mig_status(r.m), MIG_STATUS_COMPLETED);
	ck_assert_uint_eq(st.normal, PAGES);
	ck_assert_uint_eq(st.pages_read, PAGES);
	rig_close(&r);
}
END_TEST

/* Runs the migration a millisecond at a time until it has handled `pages`
 * pages, and checks that the guest still runs (writes are legal). */
static void advance_to(mig *m, int64_t *t, uint64_t pages)
{
	err e = {{0}};
	struct mig_stats st;
	do {
		ck_assert_msg(mig_advance(m, *t += 1000000, &e) == 0, "%s", e.msg);
		mig_get_stats(m, &st);
	} while (st.pages_handled < pages);
	ck_assert_int_eq(mig_phase(m), MIG_PHASE_ACTIVE);
}

/* An XBZRLE pre-copy of the 8 pages over a 250 kB/s link (16 ms a page) with
 * a one-page send buffer, the switch-over threshold 16000 bytes (1 MB/s
 * assumed, 16 ms) and the encoder costing encode_cost ns a byte. */
static void xbzrle_rig_open(struct rig *r, double encode_cost)
{
	struct link_config lc = {.bandwidth = 250e3, .latency = 0, .buffer_bytes = PS};
	struct mig_params p; /* mig_new and link_init copy both */
	params_defaults(&p);
	p.max_bandwidth = 0;
	p.avail_switchover_bandwidth = 1e6;
	p.downtime_limit = 16000000;
	p.xbzrle_encode_cost = encode_cost;
	struct mig_config mc = {.params = &p, .caps = CAP_XBZRLE, .mode = MIG_MODE_PRECOPY};
	rig_open(r, 0, &lc, &mc);
}

/* Deltas sent in the stop-and-copy stage: that stage, the end of stream
 * and the final memory check all happen in one mig_advance call, and the
 * destination must hold the last delta's bytes by the check. The
 * switch-over threshold is 16000 bytes (1 MB/s assumed, 16 ms): 8 dirty
 * pages go on iterating, 2 complete. The link is slow enough (16 ms a page)
 * for pass 1 to outlast the first 100 ms window, before which QEMU's
 * threshold is 0. */
START_TEST(test_final_stage_deltas)
{
	err e = {{0}};
	struct rig r;
	xbzrle_rig_open(&r, 0.25);
	int64_t t = 0;
	/* Pass 1 sends every page whole and caches none; all are rewritten. */
	advance_to(r.m, &t, 1);
	for (uint64_t pg = 0; pg < PAGES; pg++)
		ck_assert_int_eq(guest_fill(r.src, pg * PS + 100, 3, 0xee, &e), 0);
	/* Pass 2 caches them; two already sent change again. */
	advance_to(r.m, &t, PAGES + 3);
	ck_assert_int_eq(guest_fill(r.src, 0 * PS + 200, 1, 0x11, &e), 0);
	ck_assert_int_eq(guest_fill(r.src, 1 * PS + 300, 1, 0x22, &e), 0);
	ck_assert_msg(mig_advance(r.m, INT64_MAX, &e) == 0, "%s", e.msg);
	struct mig_stats st;
	mig_get_stats(r.m, &st);
	ck_assert_msg(mig_status(r.m) == MIG_STATUS_COMPLETED, "%s", mig_error(r.m));
	ck_assert_uint_eq(st.xbzrle.pages, 2);
	ck_assert_uint_eq(st.pages_handled, 2 * PAGES + 2);
	uint64_t diff;
	ck_assert_int_eq(guest_compare(r.src, r.dst, &diff), 0);
	rig_close(&r);
}
END_TEST

/* QEMU's cache-miss-rate (migration_update_rates): misses over the target
 * pages ram_save_iterate handled in the period, where a page XBZRLE found
 * unchanged counts 0 (ram_save_page sends nothing for it), and no update at
 * all in a period that handled none. The guest rewrites every page with the
 * same bytes right after it is sent, so each pass has all 8 pages again.
 * Pass 1 (bulk) and pass 2 (all misses) send 8 whole pages each at 16 ms a
 * page; from pass 3 on every page is an unchanged hit costing the encoder
 * 41 ms (10 us a byte), ~330 ms a pass. The first period closes at the end
 * of pass 5 (sync 6, ~1.24 s): 8 misses over 16 target pages, 0.5 (40 pages
 * were taken off the bitmap: 0.2 is the wrong denominator). The next closes
 * at the end of pass 9 (sync 10, ~2.59 s) having sent nothing: the rate
 * stays 0.5. */
START_TEST(test_cache_miss_rate_counts_target_pages)
{
	err e = {{0}};
	struct rig r;
	xbzrle_rig_open(&r, 1e4);
	struct mig_stats st = {0};
	uint64_t rewritten = 0;
	double rate_at_sync6 = -1;
	for (int64_t t = 0; mig_status(r.m) == MIG_STATUS_ACTIVE && st.dirty_sync_count < 10;) {
		ck_assert_msg(mig_advance(r.m, t += 1000000, &e) == 0, "%s", e.msg);
		mig_get_stats(r.m, &st);
		for (; rewritten < st.pages_handled; rewritten++) {
			uint64_t pg = rewritten % PAGES;
			ck_assert_int_eq(guest_fill(r.src, pg * PS, 64, (uint8_t)(pg + 1), &e), 0);
		}
		if (st.dirty_sync_count == 6 && rate_at_sync6 < 0)
			rate_at_sync6 = st.xbzrle.cache_miss_rate;
	}
	ck_assert_int_eq(mig_status(r.m), MIG_STATUS_ACTIVE);
	ck_assert_uint_eq(st.xbzrle.cache_miss, PAGES);
	ck_assert_double_eq_tol(rate_at_sync6, 0.5, 1e-12);
	ck_assert_double_eq_tol(st.xbzrle.cache_miss_rate, 0.5, 1e-12);
	rig_close(&r);
}
END_TEST

#define S  ((int64_t)1000000000)
#define MS ((int64_t)1000000)

/* Runs the migration as run.c does when no guest event comes first: to
 * the end, or to the deadline and then the timeout. */
static void run_to_end(mig *m)
{
	err e = {{0}};
	for (int i = 0; i < 100 && mig_status(m) == MIG_STATUS_ACTIVE; i++)
		ck_assert_msg(mig_advance(m, INT64_MAX, &e) == 0, "%s", e.msg);
	ck_assert_int_ne(mig_status(m), MIG_STATUS_ACTIVE);
}

static void assert_timed_out(mig *m, const struct mig_config *mc, const char *why)
{
	struct mig_stats st;
	mig_get_stats(m, &st);
	ck_assert_int_eq(mig_status(m), MIG_STATUS_FAILED);
	ck_assert_msg(strstr(mig_error(m), why) != NULL, "message: %s", mig_error(m));
	ck_assert_msg(strstr(mig_error(m), "timeout") != NULL, "message: %s", mig_error(m));
	ck_assert_int_eq(st.total_time, mc->timeout);
	ck_assert_int_eq(mig_clock(m), mc->start + mc->timeout);
}

/* The final stage of a stop-and-copy that cannot finish by the deadline (a
 * slow wire; a latency of ~292 years) is cancelled there like pre-copy:
 * the guest resumes on the source, after a downtime up to the deadline. */
START_TEST(test_final_stage_times_out)
{
	struct link_config links[] = {
	    {.bandwidth = 1000, .latency = 0},
	    {.bandwidth = 1e9, .latency = INT64_C(9223372036) * S},
	};
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		struct mig_params p;
		params_defaults(&p);
		struct mig_config mc = {
		    .params = &p, .mode = MIG_MODE_STOP_AND_COPY, .start = S, .timeout = 2 * S};
		struct rig r;
		rig_open(&r, 0, &links[i], &mc);
		run_to_end(r.m);
		assert_timed_out(r.m, &mc, "resumes on the source");
		struct mig_stats st;
		mig_get_stats(r.m, &st);
		ck_assert_int_eq(st.switchover, st.setup_time); /* setup-cost and its bytes' copy */
		ck_assert_int_ge(st.setup_time, p.setup_cost);
		ck_assert_int_eq(st.downtime, mc.timeout - st.switchover);
		rig_close(&r);
	}
}
END_TEST

/* A setup longer than the timeout ends at the deadline, in setup; with no
 * timeout, a setup that ends past the clock's range fails at once. */
START_TEST(test_setup_times_out)
{
	struct link_config lc = {.bandwidth = 1e9};
	struct mig_params p;
	params_defaults(&p);
	p.setup_cost = INT64_C(9223372036) * S;
	struct mig_config mc = {.params = &p, .start = S, .timeout = S};
	struct rig r;
	rig_open(&r, 0, &lc, &mc);
	run_to_end(r.m);
	assert_timed_out(r.m, &mc, "setup");
	struct mig_stats st;
	mig_get_stats(r.m, &st);
	ck_assert_int_le(st.setup_time, mc.timeout);
	rig_close(&r);

	mc.timeout = 0;
	rig_open(&r, 0, &lc, &mc);
	run_to_end(r.m);
	ck_assert_int_eq(mig_status(r.m), MIG_STATUS_FAILED);
	ck_assert_msg(strstr(mig_error(r.m), "clock") != NULL, "message: %s", mig_error(r.m));
	ck_assert_int_eq(mig_clock(r.m), mc.start); /* when the setup began */
	rig_close(&r);
}
END_TEST

/* A timeout that reaches past the clock's range is no deadline at all. */
START_TEST(test_longest_timeout_is_none)
{
	struct link_config lc = {.bandwidth = 1e9};
	struct mig_params p;
	params_defaults(&p);
	struct mig_config mc = {.params = &p, .start = S, .timeout = INT64_C(9223372036) * S};
	struct rig r;
	rig_open(&r, 0, &lc, &mc);
	run_to_end(r.m);
	ck_assert_msg(mig_status(r.m) == MIG_STATUS_COMPLETED, "%s", mig_error(r.m));
	rig_close(&r);
}
END_TEST

/* The pre-copy of test_final_stage_deltas: pass 1 outlasts the first 100 ms
 * window, pass 2 caches every page, two pages change again. */
static void two_passes(struct rig *r, struct mig_params *p, struct mig_config *mc)
{
	err e = {{0}};
	struct link_config lc = {.bandwidth = 250e3, .latency = 0, .buffer_bytes = PS};
	p->max_bandwidth = 0;
	mc->params = p;
	mc->mode = MIG_MODE_PRECOPY;
	rig_open(r, 0, &lc, mc);
	int64_t t = mc->start;
	advance_to(r->m, &t, 1);
	for (uint64_t pg = 0; pg < PAGES; pg++)
		ck_assert_int_eq(guest_fill(r->src, pg * PS + 100, 3, 0xee, &e), 0);
	advance_to(r->m, &t, PAGES + 3);
	ck_assert_int_eq(guest_fill(r->src, 0 * PS + 200, 1, 0x11, &e), 0);
	ck_assert_int_eq(guest_fill(r->src, 1 * PS + 300, 1, 0x22, &e), 0);
}

/* An XBZRLE encoder cost of 1e300 ns per byte: the thread's clock saturates
 * at the first delta, in the final stage, which the deadline then ends. */
START_TEST(test_encoder_cost_saturates)
{
	struct mig_params p;
	params_defaults(&p);
	p.avail_switchover_bandwidth = 1e6;
	p.downtime_limit = 16000000;
	p.xbzrle_encode_cost = 1e300;
	struct mig_config mc = {.caps = CAP_XBZRLE, .timeout = 10 * S};
	struct rig r;
	two_passes(&r, &p, &mc);
	run_to_end(r.m);
	assert_timed_out(r.m, &mc, "resumes on the source");
	rig_close(&r);
}
END_TEST

/* avail-switchover-bandwidth 1e30 B/s times 1000 s: a threshold past any
 * byte count saturates, and the migration switches over as soon as the
 * first 100 ms window has closed (the link takes 16 ms a page). */
START_TEST(test_threshold_saturates)
{
	struct link_config lc = {.bandwidth = 250e3, .latency = 0, .buffer_bytes = PS};
	struct mig_params p;
	params_defaults(&p);
	p.max_bandwidth = 0;
	p.avail_switchover_bandwidth = 1e30;
	p.downtime_limit = 1000 * S;
	struct mig_config mc = {.params = &p, .timeout = 10 * S};
	struct rig r;
	rig_open(&r, 0, &lc, &mc);
	run_to_end(r.m);
	struct mig_stats st;
	mig_get_stats(r.m, &st);
	ck_assert_msg(mig_status(r.m) == MIG_STATUS_COMPLETED, "%s", mig_error(r.m));
	ck_assert_uint_eq(st.threshold, UINT64_MAX);
	rig_close(&r);
}
END_TEST

/* Pages sent by a pre-copy of 256 pages (4 chunks of 64 at shift 6) in which
 * pages 10, 70, 130 and 200 are written once, when pass 1 has sent pages
 * 0-64: chunks 0 and 1 have had their log cleared by then, 2 and 3 not. */
static uint64_t pages_sent_with_shift(int shift)
{
	err e = {{0}};
	struct link_config lc = {.bandwidth = 250e3, .latency = 0, .buffer_bytes = PS};
	struct mig_params p;
	params_defaults(&p);
	p.max_bandwidth = 0;
	p.clear_bitmap_shift = shift;
	struct mig_config mc = {.params = &p, .mode = MIG_MODE_PRECOPY};
	struct rig r;
	rig_open_pages(&r, 256, 0, &lc, &mc);
	int64_t t = 0;
	advance_to(r.m, &t, 65);
	struct mig_stats st;
	mig_get_stats(r.m, &st);
	ck_assert_uint_lt(st.pages_handled, 70); /* page 70 not sent yet */
	const uint64_t written[] = {10, 70, 130, 200};
	for (size_t i = 0; i < 4; i++)
		ck_assert_int_eq(guest_fill(r.src, written[i] * PS + 100, 3, 0xee, &e), 0);
	ck_assert_msg(mig_advance(r.m, INT64_MAX, &e) == 0, "%s", e.msg);
	ck_assert_msg(mig_status(r.m) == MIG_STATUS_COMPLETED, "%s", mig_error(r.m));
	mig_get_stats(r.m, &st);
	rig_close(&r);
	return st.pages_handled;
}

/* KVM's lazy log clear (migration_clear_memory_region_dirty_bitmap): a page
 * written before its chunk's first send after a sync is not logged, since
 * the sync left its bit set (initially set, in pass 1); it goes once, with
 * what was written. Pages 10 (written after it was sent) and 70 (after its
 * chunk was cleared, before it was sent) are logged and sent again; 130 and
 * 200 are not. With the log cleared at each sync (off), or all 256 pages in
 * one chunk cleared at the first send (shift 18), all four go again. */
START_TEST(test_lazy_log_clear)
{
	ck_assert_uint_eq(pages_sent_with_shift(6), 256 + 2);
	ck_assert_uint_eq(pages_sent_with_shift(18), 256 + 4);
	ck_assert_uint_eq(pages_sent_with_shift(0), 256 + 4);
}
END_TEST

/* A run of the 8 pages over a 1 MB/s link with 20 ms of latency and a
 * 64 KiB send buffer, to the end; returns the thread's clock there (the
 * last byte's arrival) and the counters. */
static int64_t run_slow_link(unsigned caps, enum mig_mode mode, struct mig_stats *st)
{
	struct link_config lc = {.bandwidth = 1e6, .latency = 20 * MS, .buffer_bytes = 64 << 10};
	struct mig_params p;
	params_defaults(&p);
	p.max_bandwidth = 0;
	p.zero_scan_cost = 0; /* the end point's rule alone, on the link's times */
	p.page_copy_cost = 0;
	struct mig_config mc = {.params = &p, .caps = caps, .mode = mode, .start = S};
	struct rig r;
	rig_open(&r, 0, &lc, &mc);
	run_to_end(r.m);
	ck_assert_msg(mig_status(r.m) == MIG_STATUS_COMPLETED, "%s", mig_error(r.m));
	mig_get_stats(r.m, st);
	int64_t end = mig_clock(r.m);
	rig_close(&r);
	return end;
}

/* QEMU's downtime ends on the source (migration_completion_end): at the
 * completion stage's last write, once the socket has taken the device
 * state, that is when no more than the 64 KiB buffer (65.536 ms of wire)
 * is left to send; not when the last byte lands, 65.536 ms + the latency
 * later. The guest's pause runs to that landing. */
START_TEST(test_downtime_ends_at_last_write)
{
	struct mig_stats st;
	int64_t end = run_slow_link(0, MIG_MODE_STOP_AND_COPY, &st);
	int64_t stop = S + st.switchover;
	int64_t last_write = end - 20 * MS - 65536000;
	ck_assert_int_le(llabs(st.downtime - (last_write - stop)), 1);
	ck_assert_int_eq(st.guest_pause, end - stop);
}
END_TEST

/* With the return path open (postcopy-ram, here never switched to), the
 * source joins the return-path thread before completing
 * (close_return_path_on_source): it ends with the destination's SHUT, sent
 * once the destination runs the guest, one latency after the last byte. */
START_TEST(test_downtime_waits_for_return_path)
{
	struct mig_stats st;
	int64_t end = run_slow_link(CAP_POSTCOPY_RAM, MIG_MODE_PRECOPY, &st);
	int64_t stop = S + st.switchover;
	ck_assert_int_eq(st.risk_window, 0); /* completed as pre-copy */
	ck_assert_int_eq(st.downtime, end + 20 * MS - stop);
	ck_assert_int_eq(st.guest_pause, end - stop);
}
END_TEST

/* QEMU's rate limit sees flushed bytes only (migration_transferred_bytes,
 * QEMU 8.2+), and a normal page queued from guest memory takes two of the
 * QEMUFile's 64 iovec entries: the first 100 ms window of a 64 MiB/s limit
 * (6710886 bytes) sends on until the flush that crosses it, 52 queues of
 * 32 pages (the first page with the block name: 131335 + 51 x 131328
 * bytes), then the end of section. Stopping at the first page past the
 * limit sent 1636 pages. The window closes at 105 ms (after the 5 ms
 * setup); the 10 Gbit/s link sends the window's bytes in 5.5 ms. */
START_TEST(test_rate_limit_counts_flushes)
{
	err e = {{0}};
	struct link_config lc = {.bandwidth = 1.25e9, .latency = 0, .buffer_bytes = 4 << 20};
	struct mig_params p;
	params_defaults(&p);
	p.max_bandwidth = 64.0 * 1024 * 1024;
	struct mig_config mc = {.params = &p, .mode = MIG_MODE_PRECOPY};
	struct rig r;
	rig_open_pages(&r, 4096, 0, &lc, &mc);
	for (uint64_t pg = 255; pg < 4096; pg += 256) /* fill byte (pg + 1) & 255 is 0 */
		ck_assert_int_eq(guest_fill(r.src, pg * PS, 64, 1, &e), 0);
	ck_assert_msg(mig_advance(r.m, 104 * 1000000, &e) == 0, "%s", e.msg);
	struct mig_stats st;
	mig_get_stats(r.m, &st);
	ck_assert_uint_eq(st.normal, 52 * 32);
	ck_assert_uint_eq(st.transferred, 39 + 131335 + 51 * 131328 + 8);
	rig_close(&r);
}
END_TEST

Suite *mig_suite(void)
{
	Suite *s = suite_create("mig");
	TCase *tc = tcase_create("thread");
	tcase_add_test(tc, test_install_failure_is_reported);
	tcase_add_test(tc, test_pages_read_counts_stored_pages);
	tcase_add_test(tc, test_final_stage_deltas);
	tcase_add_test(tc, test_cache_miss_rate_counts_target_pages);
	tcase_add_test(tc, test_final_stage_times_out);
	tcase_add_test(tc, test_setup_times_out);
	tcase_add_test(tc, test_longest_timeout_is_none);
	tcase_add_test(tc, test_encoder_cost_saturates);
	tcase_add_test(tc, test_threshold_saturates);
	tcase_add_test(tc, test_lazy_log_clear);
	tcase_add_test(tc, test_downtime_ends_at_last_write);
	tcase_add_test(tc, test_downtime_waits_for_return_path);
	tcase_add_test(tc, test_rate_limit_counts_flushes);
	suite_add_tcase(s, tc);
	return s;
}
