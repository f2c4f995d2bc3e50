/*
 * The unit-test runner: one Check suite per module, each defined in its own
 * tests/unit/test_*.c as `Suite *NAME_suite(void)`. The Makefile collects those
 * definitions into suites.h, so adding a test file needs no edit here.
 * CK_RUN_SUITE=NAME runs one suite; CK_FORK=no is set under sanitizers.
 */
#include <check.h>
#include <stdlib.h>

#define MIGSIM_SUITE(name) Suite *name##_suite(void);
#include "suites.h"
#undef MIGSIM_SUITE

int main(void)
{
	SRunner *runner = srunner_create(NULL);
#define MIGSIM_SUITE(name) srunner_add_suite(runner, name##_suite());
#include "suites.h"
#undef MIGSIM_SUITE
	srunner_run_all(runner, CK_NORMAL);
	int failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
