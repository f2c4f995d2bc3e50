/* Unit tests of the JSON writer: exact bytes, compact and pretty. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* The same document through both layouts. */
static void sample(jw *w)
{
	jw_obj(w, NULL);
	jw_str(w, "status", "completed");
	jw_int(w, "total-time", -12);
	jw_uint(w, "ram", UINT64_MAX);
	jw_num(w, "rate", 0.1);
	jw_bool(w, "ok", 1);
	jw_bool(w, "bad", 0);
	jw_null(w, "none");
	jw_str(w, "nothing", NULL);
	jw_arr(w, "list");
	jw_int(w, NULL, 1);
	jw_obj(w, NULL);
	jw_end(w);
	jw_arr(w, NULL);
	jw_end(w);
	jw_int(w, NULL, 2);
	jw_end(w);
	jw_obj(w, "nested");
	jw_raw(w, "raw", "{\"a\":[1,2]}");
	jw_end(w);
	jw_end(w);
}

START_TEST(test_compact)
{
	jw w;
	jw_init(&w, 0);
	sample(&w);
	ck_assert_str_eq(jw_text(&w), "{\"status\":\"completed\",\"total-time\":-12,"
				      "\"ram\":18446744073709551615,\"rate\":0.1,\"ok\":true,"
				      "\"bad\":false,\"none\":null,\"nothing\":null,"
				      "\"list\":[1,{},[],2],\"nested\":{\"raw\":{\"a\":[1,2]}}}");
	jw_free(&w);
}
END_TEST

START_TEST(test_pretty)
{
	jw w;
	jw_init(&w, 1);
	sample(&w);
	ck_assert_str_eq(jw_text(&w), "{\n"
				      "  \"status\": \"completed\",\n"
				      "  \"total-time\": -12,\n"
				      "  \"ram\": 18446744073709551615,\n"
				      "  \"rate\": 0.1,\n"
				      "  \"ok\": true,\n"
				      "  \"bad\": false,\n"
				      "  \"none\": null,\n"
				      "  \"nothing\": null,\n"
				      "  \"list\": [\n"
				      "    1,\n"
				      "    {},\n"
				      "    [],\n"
				      "    2\n"
				      "  ],\n"
				      "  \"nested\": {\n"
				      "    \"raw\": {\"a\":[1,2]}\n"
				      "  }\n"
				      "}");
	jw_free(&w);
}
END_TEST

START_TEST(test_empty)
{
	jw w;
	jw_init(&w, 1);
	ck_assert_str_eq(jw_text(&w), "");
	jw_obj(&w, NULL);
	jw_end(&w);
	ck_assert_str_eq(jw_text(&w), "{}");
	jw_end(&w); /* one end too many is ignored */
	ck_assert_str_eq(jw_text(&w), "{}");
	jw_free(&w);
	jw_init(&w, 0);
	jw_arr(&w, NULL);
	jw_end(&w);
	ck_assert_str_eq(jw_text(&w), "[]");
	jw_free(&w);
}
END_TEST

START_TEST(test_escape)
{
	jw w;
	jw_init(&w, 0);
	jw_arr(&w, NULL);
	jw_str(&w, NULL, "a\"b\\c/d");
	jw_str(&w, NULL, "\b\f\n\r\t\x01\x1f\x7f");
	jw_str(&w, NULL, "caf\xc3\xa9 \xc2\xb5s");
	jw_str(&w, NULL, "");
	jw_end(&w);
	ck_assert_str_eq(jw_text(&w), "[\"a\\\"b\\\\c/d\",\"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\","
				      "\"caf\xc3\xa9 \xc2\xb5s\",\"\"]");
	jw_free(&w);
	jw_init(&w, 0);
	jw_obj(&w, NULL);
	jw_int(&w, "k\"\n", 1);
	jw_end(&w);
	ck_assert_str_eq(jw_text(&w), "{\"k\\\"\\n\":1}");
	jw_free(&w);
}
END_TEST

START_TEST(test_numbers)
{
	static const struct {
		double v;
		const char *want;
	} c[] = {
	    {0, "0"},
	    {-0.0, "-0"},
	    {1, "1"},
	    {-2.5, "-2.5"},
	    {0.1, "0.1"},
	    {1.0 / 3, "0.3333333333333333"},
	    {0.1 + 0.2, "0.30000000000000004"},
	    {100, "100"},
	    {1e21, "1e+21"},
	    {123456789012345678.0, "1.2345678901234568e+17"},
	    {5e-324, "4.94065645841247e-324"},
	    {1.7976931348623157e308, "1.7976931348623157e+308"},
	    {134217728, "134217728"},
	    {9007199254740993.0, "9007199254740992"},
	    {NAN, "null"},
	    {INFINITY, "null"},
	    {-INFINITY, "null"},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		jw w;
		jw_init(&w, 0);
		jw_num(&w, NULL, c[i].v);
		ck_assert_str_eq(jw_text(&w), c[i].want);
		if (isfinite(c[i].v))
			ck_assert(strtod(jw_text(&w), NULL) == c[i].v);
		jw_free(&w);
	}
	jw w;
	jw_init(&w, 0);
	jw_arr(&w, NULL);
	jw_int(&w, NULL, INT64_MIN);
	jw_int(&w, NULL, INT64_MAX);
	jw_uint(&w, NULL, 0);
	jw_end(&w);
	ck_assert_str_eq(jw_text(&w), "[-9223372036854775808,9223372036854775807,0]");
	jw_free(&w);
}
END_TEST

/* Many values force the buffer to grow several times; the text stays whole. */
START_TEST(test_growth)
{
	jw w;
	jw_init(&w, 0);
	jw_arr(&w, NULL);
	for (int i = 0; i < 10000; i++)
		jw_int(&w, NULL, i % 10);
	jw_end(&w);
	const char *t = jw_text(&w);
	ck_assert_uint_eq(strlen(t), 2 + 10000 + 9999);
	ck_assert(t[0] == '[' && t[1] == '0' && t[2] == ',' && t[19999] == '9' && t[20000] == ']');
	jw_free(&w);
}
END_TEST

START_TEST(test_depth_limit)
{
	jw w;
	jw_init(&w, 0);
	for (int i = 0; i < JW_MAX_DEPTH; i++)
		jw_arr(&w, NULL);
	ck_assert_ptr_nonnull(jw_text(&w));
	jw_arr(&w, NULL);
	ck_assert_ptr_null(jw_text(&w));
	jw_int(&w, NULL, 1); /* sticky: later calls change nothing */
	ck_assert_ptr_null(jw_text(&w));
	jw_free(&w);
}
END_TEST

/* Arrays and objects alternate across the bit stack's whole width. */
START_TEST(test_deep_mixed)
{
	jw w;
	jw_init(&w, 0);
	for (int i = 0; i < JW_MAX_DEPTH; i++) {
		if (i % 2)
			jw_arr(&w, "a");
		else
			jw_obj(&w, NULL);
	}
	for (int i = 0; i < JW_MAX_DEPTH; i++)
		jw_end(&w);
	const char *t = jw_text(&w);
	ck_assert_ptr_nonnull(t);
	ck_assert(strncmp(t, "{\"a\":[{\"a\":[", 12) == 0);
	size_t n = strlen(t);
	ck_assert_str_eq(t + n - 4, "]}]}");
	jw_free(&w);
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_compact);
	tcase_add_test(tc, test_pretty);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_growth);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_deep_mixed);
	suite_add_tcase(s, tc);
	return s;
}
