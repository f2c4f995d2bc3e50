/* Unit tests of the migration thread: a page the destination cannot take
 * fails the migration with the reason, instead of reaching the final memory
 * check as a mismatch blamed on the simulator; XBZRLE deltas sent while the
 * guest is stopped reach the destination before that check. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "des.h"
#include "guest.h"
#include "link.h"
#include "mig.h"
#include "params.h"
#include "vcpu.h"

#define PAGES 8
#define PS 4096

START_TEST(test_install_failure_is_reported)
{
	err e = {{0}};
	guest *src, *dst;
	struct guest_config sc = {.ram_bytes = PAGES * PS, .page_size = PS, .content_seed = 3};
	struct guest_config dc = sc;
	dc.all_missing = 1;
	dc.material_limit = PS; /* room for one materialised page only */
	ck_assert_int_eq(guest_new(&src, &sc, &e), 0);
	ck_assert_int_eq(guest_new(&dst, &dc, &e), 0);
	for (uint64_t p = 0; p < PAGES; p++) /* byte writes: MATERIAL pages */
		ck_assert_int_eq(guest_fill(src, p * PS, 16, 0xab, &e), 0);
	des *q;
	ck_assert_int_eq(des_new(&q, &e), 0);
	struct vcpu cpu;
	vcpu_init(&cpu, q, NULL, src, INT64_MAX);
	struct link link;
	struct link_config lc = {.bandwidth = 1e9, .latency = 0};
	ck_assert_int_eq(link_init(&link, &lc, &e), 0);
	struct mig_params p;
	params_defaults(&p);
	struct mig_config mc = {.params = &p, .mode = MIG_MODE_STOP_AND_COPY};
	mig *m;
	ck_assert_int_eq(mig_new(&m, &mc, src, dst, &link, &cpu, &e), 0);
	int rc = 0;
	for (int64_t t = 1; rc == 0 && mig_status(m) == MIG_STATUS_ACTIVE; t += 1000000)
		rc = mig_advance(m, t, &e);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(e.msg, "limit") != NULL, "message: %s", e.msg);
	ck_assert_ptr_null(strstr(e.msg, "simulator bug"));
	mig_free(m);
	des_free(q);
	guest_free(src);
	guest_free(dst);
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
	guest *src, *dst;
	struct guest_config sc = {.ram_bytes = PAGES * PS, .page_size = PS, .content_seed = 3};
	struct guest_config dc = sc;
	dc.all_missing = 1;
	ck_assert_int_eq(guest_new(&src, &sc, &e), 0);
	ck_assert_int_eq(guest_new(&dst, &dc, &e), 0);
	for (uint64_t p = 0; p < PAGES; p++)
		ck_assert_int_eq(guest_fill(src, p * PS, 64, (uint8_t)(p + 1), &e), 0);
	des *q;
	ck_assert_int_eq(des_new(&q, &e), 0);
	struct vcpu cpu;
	vcpu_init(&cpu, q, NULL, src, INT64_MAX);
	struct link link;
	struct link_config lc = {.bandwidth = 250e3, .latency = 0, .buffer_bytes = PS};
	ck_assert_int_eq(link_init(&link, &lc, &e), 0);
	struct mig_params p;
	params_defaults(&p);
	p.max_bandwidth = 0;
	p.avail_switchover_bandwidth = 1e6;
	p.downtime_limit = 16000000;
	struct mig_config mc = {.params = &p, .caps = CAP_XBZRLE, .mode = MIG_MODE_PRECOPY};
	mig *m;
	ck_assert_int_eq(mig_new(&m, &mc, src, dst, &link, &cpu, &e), 0);
	int64_t t = 0;
	/* Pass 1 sends every page whole and caches none; all are rewritten. */
	advance_to(m, &t, 1);
	for (uint64_t pg = 0; pg < PAGES; pg++)
		ck_assert_int_eq(guest_fill(src, pg * PS + 100, 3, 0xee, &e), 0);
	/* Pass 2 caches them; two already sent change again. */
	advance_to(m, &t, PAGES + 3);
	ck_assert_int_eq(guest_fill(src, 0 * PS + 200, 1, 0x11, &e), 0);
	ck_assert_int_eq(guest_fill(src, 1 * PS + 300, 1, 0x22, &e), 0);
	ck_assert_msg(mig_advance(m, INT64_MAX, &e) == 0, "%s", e.msg);
	struct mig_stats st;
	mig_get_stats(m, &st);
	ck_assert_msg(mig_status(m) == MIG_STATUS_COMPLETED, "%s", mig_error(m));
	ck_assert_uint_eq(st.xbzrle.pages, 2);
	ck_assert_uint_eq(st.pages_handled, 2 * PAGES + 2);
	uint64_t diff;
	ck_assert_int_eq(guest_compare(src, dst, &diff), 0);
	mig_free(m);
	des_free(q);
	guest_free(src);
	guest_free(dst);
}
END_TEST

Suite *mig_suite(void)
{
	Suite *s = suite_create("mig");
	TCase *tc = tcase_create("thread");
	tcase_add_test(tc, test_install_failure_is_reported);
	tcase_add_test(tc, test_final_stage_deltas);
	suite_add_tcase(s, tc);
	return s;
}
