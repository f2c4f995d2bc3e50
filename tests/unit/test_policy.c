/* Unit tests of the policy rules that are pure functions: auto-converge's
 * throttle steps, capability negotiation (multifd-compression methods
 * included), and the post-copy rule parser. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "json.h"
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

#define BIT(m) (1u << (m))

/* A method needs both sides once multifd is in force; a side without it
 * leaves none in force, and saying so again gives the same answer. */
START_TEST(test_negotiation_methods)
{
	struct run_config c;
	run_config_defaults(&c);
	c.caps_requested = CAP_MULTIFD;
	c.params.multifd_compression = MULTIFD_COMP_ZSTD;
	run_negotiate_caps(&c);
	ck_assert_ptr_null(run_method_lacking(&c));
	ck_assert_int_eq(run_multifd_compression(&c), MULTIFD_COMP_ZSTD);
	c.methods_dst = caps_methods_all() & ~BIT(MULTIFD_COMP_ZSTD);
	ck_assert_uint_eq(run_negotiate_caps(&c), 0); /* multifd itself stays */
	ck_assert_str_eq(run_method_lacking(&c), "the destination");
	ck_assert_int_eq(run_multifd_compression(&c), MULTIFD_COMP_NONE);
	run_negotiate_caps(&c);
	ck_assert_str_eq(run_method_lacking(&c), "the destination");
	ck_assert_int_eq(c.params.multifd_compression, MULTIFD_COMP_ZSTD); /* the request */
	c.params.multifd_compression = MULTIFD_COMP_ZLIB;
	ck_assert_ptr_null(run_method_lacking(&c));
	ck_assert_int_eq(run_multifd_compression(&c), MULTIFD_COMP_ZLIB);
	c.methods_src = BIT(MULTIFD_COMP_ZSTD);
	ck_assert_str_eq(run_method_lacking(&c), "the source");
	c.methods_src = 0;
	c.params.multifd_compression = MULTIFD_COMP_ZSTD;
	ck_assert_str_eq(run_method_lacking(&c), "the source and the destination");
	c.params.multifd_compression = MULTIFD_COMP_NONE; /* none needs no one */
	ck_assert_ptr_null(run_method_lacking(&c));
	/* Without multifd in force the method is not used: nothing to lack. */
	c.params.multifd_compression = MULTIFD_COMP_ZSTD;
	c.caps_dst = 0;
	run_negotiate_caps(&c);
	ck_assert_ptr_null(run_method_lacking(&c));
}
END_TEST

/* A side's list names methods as multifd-<method>, one for every packet
 * codec but none (so a new codec without a token fails here); --cap takes
 * capabilities only. */
START_TEST(test_caps_parse_side)
{
	unsigned bits, methods;
	err e;
	ck_assert_int_eq(caps_parse_side("multifd,multifd-zlib,multifd-lz4", &bits, &methods, &e),
			 0);
	ck_assert_uint_eq(bits, CAP_MULTIFD);
	ck_assert_uint_eq(methods, BIT(MULTIFD_COMP_ZLIB) | BIT(MULTIFD_COMP_LZ4));
	ck_assert_int_eq(caps_parse_side("all", &bits, &methods, &e), 0);
	ck_assert_uint_eq(bits, caps_all());
	ck_assert_uint_eq(methods, caps_methods_all());
	ck_assert_int_eq(caps_parse_side("none", &bits, &methods, &e), 0);
	ck_assert_uint_eq(bits | methods, 0);
	ck_assert_int_eq(caps_parse_side("multifd-lzma", &bits, &methods, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "multifd-zlib,multifd-zstd,multifd-lz4"));
	ck_assert_int_eq(caps_parse_side("multifd-none", &bits, &methods, &e), -1);
	ck_assert_int_eq(caps_parse_list("multifd-zstd", &bits, &e), -1);
	size_t packet = 0;
	for (size_t i = 0; i < codec_count(); i++) {
		const struct codec *k = codec_at(i);
		if (k->kind != CODEC_PACKET || !strcmp(k->name, "none"))
			continue;
		char token[64];
		snprintf(token, sizeof token, "multifd-%s", k->name);
		ck_assert_msg(caps_parse_side(token, &bits, &methods, &e) == 0, "%s", token);
		ck_assert_uint_ne(methods, 0);
		packet++;
	}
	ck_assert_uint_eq(methods, BIT(MULTIFD_COMP_LZ4)); /* the last one parsed */
	ck_assert_uint_eq(__builtin_popcount(caps_methods_all()), packet);
}
END_TEST

/* The stored settings name the methods only for a side that lacks one. */
START_TEST(test_methods_json)
{
	jw w;
	jw_init(&w, 0);
	jw_obj(&w, NULL);
	caps_methods_to_json(caps_methods_all(), &w, "all");
	caps_methods_to_json(BIT(MULTIFD_COMP_ZLIB), &w, "narrowed");
	caps_methods_to_json(0, &w, "empty");
	jw_end(&w);
	ck_assert_str_eq(jw_text(&w), "{\"narrowed\":[\"zlib\"],\"empty\":[]}");
	jw_free(&w);
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
	tcase_add_test(tc, test_negotiation_methods);
	tcase_add_test(tc, test_caps_parse_side);
	tcase_add_test(tc, test_methods_json);
	tcase_add_test(tc, test_postcopy_rules);
	suite_add_tcase(s, tc);
	return s;
}
