/* Unit tests of the vCPU's time arithmetic: a step that outlasts the
 * simulated clock's range (its end saturates at INT64_MAX, "never") is never
 * scheduled, instead of overflowing to a time in the past that would run at
 * once. No workload: the tests set the vCPU's state as a step would. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>

#include "des.h"
#include "guest.h"
#include "vcpu.h"
#include "wl.h"

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

/* Steps of demand.lua started in 1 s at a throttle of pct, its steps
 * computing the share cpu ("1", "0.05") of their 1 ms. */
static uint64_t steps_in_a_second(int pct, const char *cpu)
{
	struct rig r;
	rig_open(&r);
	guest_free(r.g);
	err e;
	struct guest_config gc = {.ram_bytes = 1 << 20, .page_size = 4096};
	ck_assert_int_eq(guest_new(&r.g, &gc, &e), 0);
	struct wl_override o = {"cpu", cpu};
	struct wl_config wc = {.path = MIGSIM_WORKLOAD_DIR "/../tests/unit/lua/demand.lua",
			       .params = &o,
			       .n_params = 1,
			       .seed = 1,
			       .ram_bytes = 1 << 20,
			       .page_size = 4096};
	wl *w;
	ck_assert_msg(wl_open(&w, &wc, &e) == 0, "%s", e.msg);
	vcpu_init(&r.v, r.q, w, r.g, S);
	vcpu_set_throttle(&r.v, pct);
	ck_assert_int_eq(vcpu_start(&r.v, 0, &e), 0);
	while (des_pending(r.q))
		des_step(r.q);
	ck_assert_msg(!r.v.failed, "%s", r.v.error.msg);
	uint64_t n = vcpu_progress(&r.v);
	wl_free(w);
	rig_close(&r);
	return n;
}

/* Auto-converge throttles CPU time, not steps (cpu_throttle_thread): at
 * 90 % a CPU-bound program runs a tenth of the time, and one computing 5 %
 * of its time keeps its pace. */
START_TEST(test_throttle_takes_cpu_time)
{
	uint64_t bound = steps_in_a_second(0, "1"), bound90 = steps_in_a_second(90, "1");
	uint64_t light = steps_in_a_second(0, "0.05"), light90 = steps_in_a_second(90, "0.05");
	ck_assert_uint_eq(bound, 1000);
	ck_assert_uint_eq(light, 1000);
	ck_assert_uint_le(bound90 * 100, bound * 12);
	ck_assert_uint_ge(light90 * 100, light * 90);
	/* halfway: 60 % of the time computed needs 0.6/0.5 of it at 50 % */
	ck_assert_uint_eq(steps_in_a_second(50, "0.6"), 834);
}
END_TEST

Suite *vcpu_suite(void)
{
	Suite *s = suite_create("vcpu");
	TCase *tc = tcase_create("time");
	tcase_add_test(tc, test_resume_saturates);
	tcase_add_test(tc, test_stall_saturates);
	suite_add_tcase(s, tc);
	tc = tcase_create("throttle");
	tcase_add_test(tc, test_throttle_takes_cpu_time);
	suite_add_tcase(s, tc);
	return s;
}
