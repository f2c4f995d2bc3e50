/* Unit tests of the vCPU's time arithmetic: a step that outlasts the
 * simulated clock's range (its end saturates at INT64_MAX, "never") is never
 * scheduled, instead of overflowing to a time in the past that would run at
 * once. No workload: the tests set the vCPU's state as a step would. */
#include <check.h>
#include <stdint.h>

#include "des.h"
#include "guest.h"
#include "vcpu.h"

#define S ((int64_t)1000000000)

struct rig {
	guest *g;
	des *q;
	struct vcpu v;
};

static void rig_open(struct rig *r)
{
	err e;
	struct guest_config gc = {.ram_bytes = 4096, .page_size = 4096};
	ck_assert_int_eq(guest_new(&r->g, &gc, &e), 0);
	ck_assert_int_eq(des_new(&r->q, &e), 0);
	vcpu_init(&r->v, r->q, NULL, r->g, INT64_MAX);
}

static void rig_close(struct rig *r)
{
	des_free(r->q);
	guest_free(r->g);
}

/* Paused 1 s into a step that ends at INT64_MAX, resumed 1 s later: what
 * remains of the step still ends at INT64_MAX. */
START_TEST(test_resume_saturates)
{
	struct rig r;
	rig_open(&r);
	r.v.running = 1;
	r.v.busy_until = INT64_MAX;
	vcpu_pause(&r.v, S);
	err e;
	ck_assert_int_eq(vcpu_resume(&r.v, 2 * S, r.g, &e), 0);
	ck_assert_int_eq(r.v.busy_until, INT64_MAX);
	ck_assert_uint_eq(des_pending(r.q), 0);
	rig_close(&r);
}
END_TEST

/* Fault stalls that add up past the clock's range saturate. */
START_TEST(test_stall_saturates)
{
	struct rig r;
	rig_open(&r);
	vcpu_block(&r.v, INT64_MAX - 1);
	vcpu_block(&r.v, INT64_MAX - 1);
	ck_assert_int_eq(r.v.stall, INT64_MAX);
	ck_assert_int_eq(vcpu_time(&r.v), INT64_MAX);
	rig_close(&r);
}
END_TEST

Suite *vcpu_suite(void)
{
	Suite *s = suite_create("vcpu");
	TCase *tc = tcase_create("time");
	tcase_add_test(tc, test_resume_saturates);
	tcase_add_test(tc, test_stall_saturates);
	suite_add_tcase(s, tc);
	return s;
}
