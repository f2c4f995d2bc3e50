/* Unit tests of the policy rules that are pure functions: auto-converge's
 * throttle steps, capability negotiation, and the post-copy rule parser. */
#include <check.h>
#include <string.h>

#include "mig.h"
#include "params.h"
#include "run.h"

START_TEST(test_throttle_steps)
{
	struct mig_params p;
	params_defaults(&p);
	int pct = 0, seen[12];
	for (int i = 0; i < 12; i++)
		seen[i] = pct = mig_throttle_next(&p, pct, 2e9, 1e9);
	ck_assert_int_eq(seen[0], 20); /* cpu-throttle-initial */
	ck_assert_int_eq(seen[1], 30); /* + cpu-throttle-increment */
	ck_assert_int_eq(seen[7], 90);
	ck_assert_int_eq(seen[8], 99); /* max-cpu-throttle */
	ck_assert_int_eq(seen[11], 99);
	p.max_cpu_throttle = 50;
	ck_assert_int_eq(mig_throttle_next(&p, 45, 2e9, 1e9), 50);
}
END_TEST

START_TEST(test_throttle_tailslow)
{
	struct mig_params p;
	params_defaults(&p);
	p.cpu_throttle_tailslow = 1;
	/* At 20 %, the guest runs 80 %; dirtying 1.05x the threshold means the
	 * ideal share is 80/1.05 = 76.19, truncated to 76 as QEMU's integers do:
	 * the increment is 4, not 10. */
	ck_assert_int_eq(mig_throttle_next(&p, 20, 1.05e9, 1e9), 24);
	/* Far above the threshold the normal increment still caps it. */
	ck_assert_int_eq(mig_throttle_next(&p, 20, 10e9, 1e9), 30);
}
END_TEST

START_TEST(test_negotiation)
{
	struct run_config c;
	run_config_defaults(&c);
	c.caps_requested = CAP_XBZRLE | CAP_POSTCOPY_RAM;
	ck_assert_uint_eq(run_negotiate_caps(&c), 0);
	ck_assert_uint_eq(c.caps, CAP_XBZRLE | CAP_POSTCOPY_RAM);
	c.caps_dst = CAP_XBZRLE | CAP_AUTO_CONVERGE;
	ck_assert_uint_eq(run_negotiate_caps(&c), CAP_POSTCOPY_RAM);
	ck_assert_uint_eq(c.caps, CAP_XBZRLE);
	c.caps_src = 0;
	ck_assert_uint_eq(run_negotiate_caps(&c), CAP_XBZRLE | CAP_POSTCOPY_RAM);
	ck_assert_uint_eq(c.caps, 0);
}
END_TEST

/* xbzrle and auto-converge act on the source alone (QEMU's destination
 * decodes XBZRLE pages whatever its capabilities say, and throttling is the
 * source's): a destination without them does not switch them off. A
 * capability that needs the other one in force goes with it
 * (migrate_caps_check: postcopy-preempt requires postcopy-ram). */
START_TEST(test_negotiation_source_only)
{
	struct run_config c;
	run_config_defaults(&c);
	c.caps_requested = CAP_XBZRLE | CAP_AUTO_CONVERGE | CAP_POSTCOPY_RAM | CAP_POSTCOPY_PREEMPT;
	c.caps_dst = 0;
	ck_assert_uint_eq(run_negotiate_caps(&c), CAP_POSTCOPY_RAM | CAP_POSTCOPY_PREEMPT);
	ck_assert_uint_eq(c.caps, CAP_XBZRLE | CAP_AUTO_CONVERGE);
	c.caps_dst = CAP_POSTCOPY_PREEMPT;
	ck_assert_uint_eq(run_negotiate_caps(&c), CAP_POSTCOPY_RAM | CAP_POSTCOPY_PREEMPT);
	ck_assert_uint_eq(c.caps, CAP_XBZRLE | CAP_AUTO_CONVERGE);
	c.caps_dst = caps_all();
	c.caps_src = caps_all() & ~CAP_POSTCOPY_RAM;
	ck_assert_uint_eq(run_negotiate_caps(&c), CAP_POSTCOPY_RAM | CAP_POSTCOPY_PREEMPT);
	c.caps_src = caps_all() & ~CAP_AUTO_CONVERGE;
	ck_assert_uint_eq(run_negotiate_caps(&c), CAP_AUTO_CONVERGE);
	ck_assert_uint_eq(c.caps, CAP_XBZRLE | CAP_POSTCOPY_RAM | CAP_POSTCOPY_PREEMPT);
}
END_TEST

START_TEST(test_postcopy_rules)
{
	struct postcopy_policy pp;
	err e;
	char buf[64];
	ck_assert_int_eq(postcopy_parse("immediately", &pp, &e), 0);
	ck_assert_int_eq(pp.rule, POSTCOPY_IMMEDIATELY);
	ck_assert_int_eq(postcopy_parse("after-first-pass", &pp, &e), 0);
	ck_assert_int_eq(pp.rule, POSTCOPY_AFTER_PASSES);
	ck_assert_uint_eq(pp.passes, 1);
	ck_assert_str_eq(postcopy_format(&pp, buf, sizeof buf), "after-first-pass");
	ck_assert_int_eq(postcopy_parse("after-passes=5", &pp, &e), 0);
	ck_assert_uint_eq(pp.passes, 5);
	ck_assert_int_eq(postcopy_parse("after=2s", &pp, &e), 0);
	ck_assert_int_eq(pp.after, 2000000000);
	ck_assert_int_eq(postcopy_parse("when-stuck", &pp, &e), 0);
	ck_assert_int_eq(postcopy_parse("after-passes=0", &pp, &e), -1);
	ck_assert_int_eq(postcopy_parse("after-passes=x", &pp, &e), -1);
	ck_assert_int_eq(postcopy_parse("after=soon", &pp, &e), -1);
	ck_assert_int_eq(postcopy_parse("eventually", &pp, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "when-stuck"));
}
END_TEST

Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_throttle_steps);
	tcase_add_test(tc, test_throttle_tailslow);
	tcase_add_test(tc, test_negotiation);
	tcase_add_test(tc, test_negotiation_source_only);
	tcase_add_test(tc, test_postcopy_rules);
	suite_add_tcase(s, tc);
	return s;
}
