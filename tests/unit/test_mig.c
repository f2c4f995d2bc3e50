/* Unit tests of the migration thread's own error paths: a page the
 * destination cannot take fails the migration with the reason, instead of
 * reaching the final memory check as a mismatch blamed on the simulator. */
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

Suite *mig_suite(void)
{
	Suite *s = suite_create("mig");
	TCase *tc = tcase_create("errors");
	tcase_add_test(tc, test_install_failure_is_reported);
	suite_add_tcase(s, tc);
	return s;
}
