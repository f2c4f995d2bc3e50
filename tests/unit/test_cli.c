/* Unit tests of cli: taking a script's place out of an error message, so the
 * error line names the file once. */
#include <check.h>
#include <string.h>

#include "cli.h"

struct place_case {
	const char *msg;
	const char *want_msg, *want_where;
};

START_TEST(test_split_place)
{
	static const char *const path = "dir/wl.lua";
	static const struct place_case c[] = {
	    {"dir/wl.lua:6: attempt to index a nil value", "attempt to index a nil value",
	     "dir/wl.lua:6"},
	    {"dir/wl.lua: 'regions' must be a list", "'regions' must be a list", "dir/wl.lua"},
	    {".../wl.lua:12: boom", "boom", "dir/wl.lua:12"},
	    {"cannot open dir/wl.lua: No such file", "cannot open: No such file", "dir/wl.lua"},
	    /* not about the script: left as it is */
	    {"[string \"x\"]:1: boom", "[string \"x\"]:1: boom", "before"},
	    {"other.lua:3: boom", "other.lua:3: boom", "before"},
	    {"dir/wl.lua.bak:3: boom", "dir/wl.lua.bak:3: boom", "before"},
	    {"dir/wl.lua:3 boom", "dir/wl.lua:3 boom", "before"},
	    {"out of memory", "out of memory", "before"},
	};
	for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
		char msg[128], where[64] = "before";
		strcpy(msg, c[i].msg);
		cli_split_place(path, msg, where, sizeof where);
		ck_assert_str_eq(msg, c[i].want_msg);
		ck_assert_str_eq(where, c[i].want_where);
	}
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_split_place);
	suite_add_tcase(s, tc);
	return s;
}
