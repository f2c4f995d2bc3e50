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
#define PS    4096

/* A source of PAGES MATERIAL pages (byte fill + 1 in the first 64 bytes of
 * page p), an empty destination, a link and a migration, no workload. */
struct rig {
	guest *src, *dst;
	des *q;
	struct vcpu cpu;
	struct link link;
	mig *m;
};

static void rig_open(struct rig *r, uint64_t dst_limit, const struct link_config *lc,
		     const struct mig_config *mc)
{
	err e = {{0}};
	struct guest_config sc = {.ram_bytes = PAGES * PS, .page_size = PS, .content_seed = 3};
	struct guest_config dc = sc;
	dc.all_missing = 1;
	dc.material_limit = dst_limit;
	ck_assert_int_eq(guest_new(&r->src, &sc, &e), 0);
	ck_assert_int_eq(guest_new(&r->dst, &dc, &e), 0);
	for (uint64_t p = 0; p < PAGES; p++)
		ck_assert_int_eq(guest_fill(r->src, p * PS, 64, (uint8_t)(p + 1), &e), 0);
	ck_assert_int_eq(des_new(&r->q, &e), 0);
	vcpu_init(&r->cpu, r->q, NULL, r->src, INT64_MAX);
	ck_assert_int_eq(link_init(&r->link, lc, &e), 0);
	ck_assert_msg(mig_new(&r->m, mc, r->src, r->dst, &r->link, &r->cpu, &e) == 0, "%s", e.msg);
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
	struct link_config lc = {.bandwidth = 250e3, .latency = 0, .buffer_bytes = PS};
	struct mig_params p;
	params_defaults(&p);
	p.max_bandwidth = 0;
	p.avail_switchover_bandwidth = 1e6;
	p.downtime_limit = 16000000;
	struct mig_config mc = {.params = &p, .caps = CAP_XBZRLE, .mode = MIG_MODE_PRECOPY};
	struct rig r;
	rig_open(&r, 0, &lc, &mc);
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

Suite *mig_suite(void)
{
	Suite *s = suite_create("mig");
	TCase *tc = tcase_create("thread");
	tcase_add_test(tc, test_install_failure_is_reported);
	tcase_add_test(tc, test_final_stage_deltas);
	suite_add_tcase(s, tc);
	return s;
}
