/* Unit tests of units: every accepted spelling, the refusals, and printing. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "units.h"

struct size_case {
	const char *s;
	uint64_t want;
};

START_TEST(test_size_ok)
{
	static const struct size_case c[] = {
	    {"0", 0},
	    {"4096", 4096},
	    {"4096B", 4096},
	    {"1K", 1024},
	    {"1k", 1024},
	    {"1Ki", 1024},
	    {"1KiB", 1024},
	    {"64MiB", 64ull << 20},
	    {"64M", 64ull << 20},
	    {"4G", 4ull << 30},
	    {"4 GiB", 4ull << 30},
	    {"1.5G", 3ull << 29},
	    {"0.5K", 512},
	    {".5K", 512},
	    {"2T", 2ull << 40},
	    {"1kB", 1000},
	    {"1KB", 1000},
	    {"125MB", 125000000},
	    {"1.5GB", 1500000000},
	    {"2TB", 2000000000000ull},
	    {"1e3", 1000},
	    {"1.5e3", 1500},
	    {"1.50000000000000000000000K", 1536},
	    {"1125899906842624", UINT64_C(1) << 50}, /* UNITS_SIZE_MAX, 1 PiB */
	    {"1024T", UINT64_C(1) << 50},
	    {"1.0009765625K", 1025},
	    {"16383.9990234375K", 16777215},
	    {"007", 7},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		uint64_t v = 1;
		err e = {{0}};
		ck_assert_msg(units_size(c[i].s, &v, &e) == 0, "%s: %s", c[i].s, e.msg);
		ck_assert_msg(v == c[i].want, "%s gave %llu", c[i].s, (unsigned long long)v);
	}
}
END_TEST

struct bad_case {
	const char *s;
	const char *msg_part;
};

START_TEST(test_size_bad)
{
	static const struct bad_case c[] = {
	    {"", "empty"},
	    {"G", "not a number"},
	    {"abc", "\"abc\""},
	    {"-4G", "negative"},
	    {"+4G", "not a number"},
	    {"1.5", "whole"},
	    {"0.1K", "whole"},
	    {"4X", "unknown unit \"X\""},
	    {"4 ", "trailing"},
	    {" 4", "not a number"},
	    {"4Gb", "unknown unit"},
	    {"4g", "unknown unit"},
	    {"0x10", "unknown unit"},
	    {"inf", "not a number"},
	    {"nan", "not a number"},
	    {"18446744073709551616", "too large"},
	    {"16777216T", "too large"},
	    {"1e20", "too large"},
	    {"18446744073709551615", "too large (at most 1 PiB)"},
	    {"1125899906842625", "too large (at most 1 PiB)"},
	    {"1025T", "too large (at most 1 PiB)"},
	    {"4G/s", "unknown unit"},
	    {"1.2.3", "unknown unit"},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		uint64_t v = 77;
		err e = {{0}};
		ck_assert_msg(units_size(c[i].s, &v, &e) == -1, "%s accepted", c[i].s);
		ck_assert_msg(strstr(e.msg, c[i].msg_part), "%s: %s", c[i].s, e.msg);
		ck_assert_msg(strncmp(e.msg, "size", 4) == 0, "%s", e.msg);
		ck_assert_msg(v == 77, "%s: output written on error", c[i].s);
	}
	err e;
	ck_assert_int_eq(units_size(NULL, &(uint64_t){0}, &e), -1);
}
END_TEST

struct rate_case {
	const char *s;
	double want;
};

START_TEST(test_rate_ok)
{
	static const struct rate_case c[] = {
	    {"0", 0},
	    {"1000", 1000},
	    {"134217728", 134217728},
	    {"128MiB/s", 134217728},
	    {"32M/s", 33554432},
	    {"125MB/s", 125e6},
	    {"100B/s", 100},
	    {"1Gbit/s", 125e6},
	    {"10 Gbit/s", 1.25e9},
	    {"8bit/s", 1},
	    {"8kbit/s", 1000},
	    {"8Kbit/s", 1000},
	    {"800Mbit/s", 1e8},
	    {"1Tbit/s", 125e9},
	    {"1Gbps", 125e6},
	    {"8bps", 1},
	    {"8kbps", 1000},
	    {"100Mbps", 12.5e6},
	    {"2.5Gbit/s", 312.5e6},
	    {"1e3B/s", 1000},
	    {"000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	     "000000000000000000000000000000000000000000000000001Gbit/s",
	     125e6},	       /* leading zeros carry no value, however many */
	    {"1bit/s", 0.125}, /* UNITS_RATE_MIN */
	    {"0.125", 0.125},
	    {"10Tbit/s", 1.25e12}, /* UNITS_RATE_MAX */
	    {"0.0", 0},
	    {"0e-400", 0},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		double v = -1;
		err e = {{0}};
		ck_assert_msg(units_rate(c[i].s, &v, &e) == 0, "%s: %s", c[i].s, e.msg);
		ck_assert_msg(v == c[i].want, "%s gave %.17g", c[i].s, v);
	}
}
END_TEST

START_TEST(test_rate_bad)
{
	static const struct bad_case c[] = {
	    {"", "empty"},
	    {"-1", "negative"},
	    {"-1Gbit/s", "negative"},
	    {"1Gbit", "unknown unit \"Gbit\""},
	    {"1/s", "unknown unit"},
	    {"1 /s", "unknown unit"},
	    {"1Gb/s", "unknown unit"},
	    {"1gbps", "unknown unit"},
	    {"fast", "not a number"},
	    {"inf", "not a number"},
	    {"1e400", "too large"},
	    {"1e308TiB/s", "too large"},
	    {"0x10", "unknown unit"},
	    /* a size is not a rate: both spellings the user may have meant */
	    {"1G", "a size is not a rate (write 1Gbit/s or 1GiB/s)"},
	    {"64M", "a size is not a rate (write 64Mbit/s or 64MiB/s)"},
	    {"1K", "(write 1kbit/s or 1KiB/s)"},
	    {"2GB", "(write 2Gbit/s or 2GB/s)"},
	    {"1.5GiB", "(write 1.5Gbit/s or 1.5GiB/s)"},
	    {"100B", "a size is not a rate (write 100B/s)"},
	    /* the range: 1 bit/s to 10 Tbit/s, or 0 */
	    {"1e-300B/s", "too small (at least 1 bit/s, or 0)"},
	    {"1e-400", "too small"},
	    {"0.9bit/s", "too small"},
	    {"0.1", "too small"},
	    {"1e30Gbit/s", "too large (at most 10 Tbit/s)"},
	    {"10.1Tbit/s", "too large"},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		double v = 5;
		err e = {{0}};
		ck_assert_msg(units_rate(c[i].s, &v, &e) == -1, "%s accepted", c[i].s);
		ck_assert_msg(strstr(e.msg, c[i].msg_part), "%s: %s", c[i].s, e.msg);
		ck_assert_msg(strncmp(e.msg, "rate", 4) == 0, "%s", e.msg);
		ck_assert(v == 5);
	}
}
END_TEST

struct dur_case {
	const char *s;
	int64_t bare;
	int64_t want;
};

START_TEST(test_duration_ok)
{
	static const struct dur_case c[] = {
	    {"300ms", 0, 300000000},
	    {"300", 1000000, 300000000},
	    {"0", 1000000, 0},
	    {"0", 0, 0}, /* zero needs no unit: --help shows "0" defaults */
	    {"0.0", 0, 0},
	    {"0ms", 0, 0},
	    {"1.5ms", 0, 1500000},
	    {"0.1s", 0, 100000000},
	    {"7ns", 0, 7},
	    {"7 ns", 0, 7},
	    {"2us", 0, 2000},
	    {"2\xc2\xb5s", 0, 2000},
	    {"2\xce\xbcs", 0, 2000},
	    {"1.5s", 0, 1500000000},
	    {"2min", 0, 120000000000},
	    {"1h", 0, 3600000000000},
	    {"2.5", 1000000, 2500000},
	    {"3650 h", 0, INT64_C(3650) * 3600000000000},
	    {"87600h", 0, UNITS_DURATION_MAX_NS}, /* 3650 days */
	    {"315360000000000000ns", 0, UNITS_DURATION_MAX_NS},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		int64_t v = -1;
		err e = {{0}};
		ck_assert_msg(units_duration(c[i].s, c[i].bare, &v, &e) == 0, "%s: %s", c[i].s,
			      e.msg);
		ck_assert_msg(v == c[i].want, "%s gave %lld", c[i].s, (long long)v);
	}
}
END_TEST

START_TEST(test_duration_bad)
{
	static const struct dur_case c[] = {
	    {"300", 0, 0},
	    {"", 1, 0},
	    {"-1ms", 0, 0},
	    {"1.5ns", 0, 0},
	    {"0.5", 1, 0},
	    {"1m", 0, 0},
	    {"1 sec", 0, 0},
	    {"1msx", 0, 0},
	    {"inf", 0, 0},
	    {"nans", 0, 0},
	    {"9223372036854775808ns", 0, 0},
	    {"1e10h", 0, 0},
	    {"3000000h", 0, 0},
	    {"1MS", 0, 0},
	    {"9223372036854775807ns", 0, 0},
	    {"9223372036s", 0, 0},
	    {"315360000000000001ns", 0, 0},
	    {"87601h", 0, 0},
	};
	static const char *const part[] = {
	    "needs a unit", "empty",	    "negative",
	    "whole",	    "whole",	    "unknown unit",
	    "unknown unit", "unknown unit", "not a number",
	    "not a number", "too long",	    "too long",
	    "too long",	    "unknown unit", "too long (at most 3650 days)",
	    "too long",	    "too long",	    "too long",
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		int64_t v = 9;
		err e = {{0}};
		ck_assert_msg(units_duration(c[i].s, c[i].bare, &v, &e) == -1, "%s accepted",
			      c[i].s);
		ck_assert_msg(strstr(e.msg, part[i]), "%s: %s", c[i].s, e.msg);
		ck_assert_msg(strncmp(e.msg, "duration", 8) == 0, "%s", e.msg);
		ck_assert(v == 9);
	}
}
END_TEST

START_TEST(test_uint)
{
	uint64_t v;
	err e;
	ck_assert_int_eq(units_uint("0", &v, &e), 0);
	ck_assert(v == 0);
	ck_assert_int_eq(units_uint("42", &v, &e), 0);
	ck_assert(v == 42);
	ck_assert_int_eq(units_uint("18446744073709551615", &v, &e), 0);
	ck_assert(v == UINT64_MAX);
	const char *bad[] = {"", "-1", "+1", "1.0", "1e3", "12a", " 1", "18446744073709551616"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = 3;
		ck_assert_msg(units_uint(bad[i], &v, &e) == -1, "%s accepted", bad[i]);
		ck_assert(v == 3);
	}
	ck_assert_int_eq(units_uint("x9", &v, &e), -1);
	ck_assert_str_eq(e.msg, "\"x9\" is not a whole number");
}
END_TEST

START_TEST(test_double)
{
	static const struct rate_case ok[] = {
	    {"0", 0},  {"1.5", 1.5},   {"-2", -2},	  {"+2", 2},	{".5", 0.5},
	    {"5.", 5}, {"1e-3", 1e-3}, {"-1.25E2", -125}, {"0.1", 0.1}, {"1e-400", 0},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		double v = 99;
		err e = {{0}};
		ck_assert_msg(units_double(ok[i].s, &v, &e) == 0, "%s: %s", ok[i].s, e.msg);
		ck_assert_msg(v == ok[i].want, "%s gave %g", ok[i].s, v);
	}
	/* Leading zeros carry no value, after a sign too. */
	char zeros[300] = "-";
	memset(zeros + 1, '0', 200);
	strcpy(zeros + 201, "1.5");
	double z = 0;
	err ze = {{0}};
	ck_assert_msg(units_double(zeros, &z, &ze) == 0, "%s", ze.msg);
	ck_assert(z == -1.5);
	const char *bad[] = {"",      "-",     ".",  "inf", "-inf", "nan",
			     "0x1p3", "1e400", "1 ", "1e",  "1.5x", "--1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double v = 99;
		err e;
		ck_assert_msg(units_double(bad[i], &v, &e) == -1, "%s accepted", bad[i]);
		ck_assert(v == 99);
	}
}
END_TEST

START_TEST(test_fmt_bytes)
{
	static const struct {
		double v;
		const char *want;
	} c[] = {
	    {0, "0 B"},
	    {512, "512 B"},
	    {1023, "1023 B"},
	    {1024, "1.00 KiB"},
	    {1536, "1.50 KiB"},
	    {10239, "10.0 KiB"},
	    {102400, "100 KiB"},
	    {1048575, "1.00 MiB"},
	    {1.5 * (1 << 30), "1.50 GiB"},
	    {4.0 * (1ull << 40), "4.00 TiB"},
	    {-2048, "-2.00 KiB"},
	};
	char buf[32];
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		ck_assert_str_eq(units_fmt_bytes(buf, sizeof buf, c[i].v), c[i].want);
}
END_TEST

START_TEST(test_fmt_rate)
{
	static const struct {
		double v;
		const char *want;
	} c[] = {
	    {0, "0 bit/s"},
	    {1, "8.00 bit/s"},
	    {125, "1.00 kbit/s"},
	    {117.6e6, "941 Mbit/s"},
	    {125e6, "1.00 Gbit/s"},
	    {134217728, "1.07 Gbit/s"},
	    {124.99e6, "1.00 Gbit/s"},
	    {1.25e9, "10.0 Gbit/s"},
	};
	char buf[32];
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		ck_assert_str_eq(units_fmt_rate(buf, sizeof buf, c[i].v), c[i].want);
}
END_TEST

START_TEST(test_fmt_duration)
{
	static const struct {
		int64_t v;
		const char *want;
	} c[] = {
	    {0, "0 ns"},
	    {999, "999 ns"},
	    {1000, "1.00 \xc2\xb5s"},
	    {12345678, "12.3 ms"},
	    {300000000, "300 ms"},
	    {999999999, "1.00 s"},
	    {59940000000, "59.9 s"},
	    {59960000000, "1.00 min"},
	    {150000000000, "2.50 min"},
	    {7200000000000, "120 min"},
	    {-1500000, "-1.50 ms"},
	};
	char buf[32];
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		ck_assert_str_eq(units_fmt_duration(buf, sizeof buf, c[i].v), c[i].want);
}
END_TEST

/* Printing into a short buffer cuts the text, never overruns it. */
/* The exact forms: what they print, and that the parsers read it back. */
START_TEST(test_fmt_exact)
{
	static const struct {
		uint64_t v;
		const char *want;
	} sizes[] = {{0, "0B"},	      {4096, "4KiB"},	       {1536ull << 20, "1536MiB"},
		     {1000, "1000B"}, {1ull << 50, "1024TiB"}, {(1ull << 30) + 1, "1073741825B"}};
	static const struct {
		double v;
		const char *want;
	} rates[] = {{0, "0"},
		     {125e6, "1Gbit/s"},
		     {124.99e6, "999920kbit/s"},
		     {134217728, "128MiB/s"},
		     {0.125, "1bit/s"},
		     {1.25e12, "10Tbit/s"},
		     {1000, "8kbit/s"},
		     {1024, "1KiB/s"},
		     {1.3, "1.3B/s"}};
	static const struct {
		int64_t v;
		const char *want;
	} durations[] = {{0, "0ns"},
			 {300000000, "300ms"},
			 {90000000000, "90s"},
			 {120000000000, "2min"},
			 {7200000000000, "2h"},
			 {1500, "1500ns"},
			 {-5000, "-5us"}};
	char buf[64];
	err e;
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		uint64_t back;
		ck_assert_str_eq(units_fmt_size_exact(buf, sizeof buf, sizes[i].v), sizes[i].want);
		ck_assert_int_eq(units_size(buf, &back, &e), 0);
		ck_assert_uint_eq(back, sizes[i].v);
	}
	for (size_t i = 0; i < sizeof rates / sizeof *rates; i++) {
		double back;
		ck_assert_str_eq(units_fmt_rate_exact(buf, sizeof buf, rates[i].v), rates[i].want);
		ck_assert_int_eq(units_rate(buf, &back, &e), 0);
		ck_assert(back == rates[i].v);
	}
	for (size_t i = 0; i < sizeof durations / sizeof *durations; i++) {
		int64_t back;
		ck_assert_str_eq(units_fmt_duration_exact(buf, sizeof buf, durations[i].v),
				 durations[i].want);
		if (durations[i].v >= 0) {
			ck_assert_int_eq(units_duration(buf, 0, &back, &e), 0);
			ck_assert_int_eq(back, durations[i].v);
		}
	}
	ck_assert_str_eq(units_fmt_number(buf, sizeof buf, 1e8), "100000000");
	ck_assert_str_eq(units_fmt_number(buf, sizeof buf, 0.17), "0.17");
	ck_assert_str_eq(units_fmt_number(buf, sizeof buf, 1.0 / 3), "0.3333333333333333");
	ck_assert_str_eq(units_fmt_number(buf, sizeof buf, 1e300), "1e+300");
}
END_TEST

START_TEST(test_truncation)
{
	char small[6];
	units_fmt_bytes(small, sizeof small, 1.5 * (1 << 30));
	ck_assert_str_eq(small, "1.50 ");
}
END_TEST

Suite *units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_size_ok);
	tcase_add_test(tc, test_size_bad);
	tcase_add_test(tc, test_rate_ok);
	tcase_add_test(tc, test_rate_bad);
	tcase_add_test(tc, test_duration_ok);
	tcase_add_test(tc, test_duration_bad);
	tcase_add_test(tc, test_uint);
	tcase_add_test(tc, test_double);
	tcase_add_test(tc, test_fmt_bytes);
	tcase_add_test(tc, test_fmt_rate);
	tcase_add_test(tc, test_fmt_duration);
	tcase_add_test(tc, test_fmt_exact);
	tcase_add_test(tc, test_truncation);
	suite_add_tcase(s, tc);
	return s;
}
