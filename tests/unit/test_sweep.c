/* Unit tests of experiment files (sim/sweep.c): the matrix is the ordered
 * cross product, keys are stable and change with any field, and shards
 * partition the matrix. Experiment files are written to a mkdtemp directory
 * under /tmp that each test removes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sweep.h"

static char dir[64];
static char where[256]; /* the last load's error place: FILE or FILE:LINE */

static void setup(void)
{
	strcpy(dir, "/tmp/migsim-sweep-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char p[128];
	snprintf(p, sizeof p, "%s/exp.lua", dir);
	unlink(p);
	rmdir(dir);
}

/* Loads an experiment from text; NULL (with e filled) when it fails. */
static sweep *load(const char *text, err *e)
{
	char p[128];
	snprintf(p, sizeof p, "%s/exp.lua", dir);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	sweep *s = NULL;
	if (sweep_load(&s, p, where, sizeof where, e) < 0)
		return NULL;
	return s;
}

#define BASE                                                                                       \
	"return { name = 'u', workloads = { { script = 'calloc_loop', params = { pass_cost = { "   \
	"'1ms', '2ms' } } }, 'idle' },"                                                            \
	" policies = { { name = 'pre' }, { name = 'x', caps = { 'xbzrle' } } },"                   \
	" ram = { '32MiB', '64MiB' }, timeout = '5s', seeds = { 3, 1 } }"

START_TEST(matrix_is_ordered_cross_product)
{
	err e = {{0}};
	sweep *s = load(BASE, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	/* (2 calloc variants + 1 idle) x 2 policies x 2 ram x 2 seeds */
	ck_assert_uint_eq(sweep_size(s), 24);
	const struct sweep_run *r0 = sweep_at(s, 0), *r1 = sweep_at(s, 1), *r2 = sweep_at(s, 2);
	ck_assert_str_eq(r0->workload, "calloc_loop");
	ck_assert_str_eq(r0->policy, "pre");
	ck_assert_uint_eq(r0->config.seed, 3); /* seeds in list order, fastest */
	ck_assert_uint_eq(r1->config.seed, 1);
	ck_assert_uint_eq(r0->config.ram_bytes, 32u << 20);
	ck_assert_uint_eq(r2->config.ram_bytes, 64u << 20);
	ck_assert_str_eq(r0->wl[0].value, "1ms");
	/* workload, policy, workload parameters, settings, seeds */
	ck_assert_str_eq(sweep_at(s, 4)->wl[0].value, "2ms");
	ck_assert_str_eq(sweep_at(s, 4)->policy, "pre");
	ck_assert_str_eq(sweep_at(s, 8)->policy, "x");
	ck_assert_uint_eq(sweep_at(s, 8)->config.caps, 1); /* CAP_XBZRLE */
	ck_assert_str_eq(sweep_at(s, 16)->workload, "idle");
	for (size_t i = 0; i < sweep_size(s); i++) {
		ck_assert_uint_eq(sweep_at(s, i)->index, i);
		for (size_t j = 0; j < i; j++)
			ck_assert_str_ne(sweep_at(s, i)->key, sweep_at(s, j)->key);
	}
	sweep_free(s);
}
END_TEST

START_TEST(explicit_runs)
{
	err e = {{0}};
	sweep *s = load("return { name = 'r', policies = { { name = 'a' }, { name = 'b', mode = "
			"'stop-and-copy' } }, ram = '32MiB',"
			" runs = { { workload = 'idle', policy = 'b', seeds = { 7 } },"
			" { workload = 'idle', policy = 'a', ram = '64MiB' } } }",
			&e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_uint_eq(sweep_size(s), 2);
	ck_assert_str_eq(sweep_at(s, 0)->policy, "b");
	ck_assert_uint_eq(sweep_at(s, 0)->config.seed, 7);
	ck_assert_int_eq(sweep_at(s, 0)->config.mode, MIG_MODE_STOP_AND_COPY);
	ck_assert_uint_eq(sweep_at(s, 1)->config.ram_bytes, 64u << 20);
	sweep_free(s);
}
END_TEST

START_TEST(keys_are_stable)
{
	err e = {{0}};
	sweep *a = load(BASE, &e), *b = load(BASE, &e);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	for (size_t i = 0; i < sweep_size(a); i++) {
		ck_assert_str_eq(sweep_at(a, i)->key, sweep_at(b, i)->key);
		ck_assert_str_eq(sweep_at(a, i)->canonical, sweep_at(b, i)->canonical);
	}
	/* The same value written another way is the same run. */
	sweep *c = load("return { name = 'k', workloads = { 'idle' }, ram = '32MiB' }", &e);
	sweep *d = load("return { name = 'k', workloads = { 'idle' }, ram = 33554432 }", &e);
	ck_assert_str_eq(sweep_at(c, 0)->key, sweep_at(d, 0)->key);
	char k[17];
	snprintf(k, sizeof k, "%016llx",
		 (unsigned long long)sweep_hash(sweep_at(c, 0)->canonical,
						strlen(sweep_at(c, 0)->canonical)));
	ck_assert_str_eq(k, sweep_at(c, 0)->key);
	ck_assert_uint_eq(sweep_hash("", 0), UINT64_C(0xcbf29ce484222325)); /* FNV-1a basis */
	ck_assert_uint_eq(sweep_hash("a", 1), UINT64_C(0xaf63dc4c8601ec8c));
	sweep_free(a);
	sweep_free(b);
	sweep_free(c);
	sweep_free(d);
}
END_TEST

START_TEST(any_change_changes_the_key)
{
	static const char *const variants[] = {
	    "return { name = 'k2', workloads = { 'idle' }, ram = '32MiB' }",
	    "return { name = 'k', workloads = { 'calloc_loop' }, ram = '32MiB' }",
	    "return { name = 'k', workloads = { { script = 'calloc_loop', params = { pass_cost = "
	    "'2ms' } } }, ram = '32MiB' }",
	    "return { name = 'k', workloads = { 'idle' }, ram = '64MiB' }",
	    "return { name = 'k', workloads = { 'idle' }, ram = '32MiB', seeds = { 2 } }",
	    "return { name = 'k', workloads = { 'idle' }, ram = '32MiB', bandwidth = '2Gbit/s' }",
	    "return { name = 'k', workloads = { 'idle' }, ram = '32MiB', latency = '1ms' }",
	    "return { name = 'k', workloads = { 'idle' }, ram = '32MiB', timeout = '1min' }",
	    "return { name = 'k', workloads = { 'idle' }, ram = '32MiB', warmup = '2s' }",
	    "return { name = 'k', workloads = { 'idle' }, ram = '32MiB', page_size = '8KiB' }",
	    "return { name = 'k', workloads = { 'idle' }, ram = '32MiB', params = { "
	    "['downtime-limit'] = '100ms' } }",
	    "return { name = 'k', workloads = { 'idle' }, ram = '32MiB', policies = { { name = "
	    "'other' } } }",
	    "return { name = 'k', workloads = { 'idle' }, ram = '32MiB', policies = { { name = "
	    "'precopy', caps = { 'xbzrle' } } } }",
	    "return { name = 'k', workloads = { 'idle' }, ram = '32MiB', policies = { { name = "
	    "'precopy', postcopy = 'immediately' } } }",
	    "return { name = 'k', workloads = { 'idle' }, ram = '32MiB', policies = { { name = "
	    "'precopy', mode = 'stop-and-copy' } } }",
	};
	size_t n = sizeof variants / sizeof *variants;
	char keys[16][17];
	err e = {{0}};
	sweep *base = load("return { name = 'k', workloads = { 'idle' }, ram = '32MiB' }", &e);
	ck_assert_msg(base != NULL, "%s", e.msg);
	strcpy(keys[0], sweep_at(base, 0)->key);
	sweep_free(base);
	for (size_t i = 0; i < n; i++) {
		sweep *s = load(variants[i], &e);
		ck_assert_msg(s != NULL, "%s: %s", variants[i], e.msg);
		strcpy(keys[i + 1], sweep_at(s, 0)->key);
		sweep_free(s);
		for (size_t j = 0; j <= i; j++)
			ck_assert_msg(strcmp(keys[i + 1], keys[j]),
				      "variant %zu has the key of %zu", i, j);
	}
}
END_TEST

START_TEST(shards_partition)
{
	err e = {{0}};
	unsigned i, n;
	ck_assert_int_eq(sweep_parse_shard("2/5", &i, &n, &e), 0);
	ck_assert_uint_eq(i, 2);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(sweep_parse_shard("5/5", &i, &n, &e), -1);
	ck_assert_int_eq(sweep_parse_shard("1/0", &i, &n, &e), -1);
	ck_assert_int_eq(sweep_parse_shard("x", &i, &n, &e), -1);
	ck_assert_int_eq(sweep_parse_shard("1/2x", &i, &n, &e), -1);
	for (unsigned count = 1; count <= 7; count++)
		for (size_t run = 0; run < 100; run++) {
			unsigned hits = 0;
			for (unsigned sh = 0; sh < count; sh++)
				hits += (unsigned)sweep_in_shard(run, sh, count);
			ck_assert_uint_eq(hits, 1); /* disjoint and covering */
		}
}
END_TEST

START_TEST(errors_name_file_and_line)
{
	err e = {{0}};
	ck_assert_ptr_null(load("return {\n name = 'e', workloads = { 'idle' },\n"
				" policies = { { name = 'p', caps = { 'nope' } } } }",
				&e));
	ck_assert_msg(strstr(e.msg, "policy 'p': unknown capability"), "%s", e.msg);
	ck_assert_msg(strstr(where, "exp.lua:3") && !strchr(strstr(where, "exp.lua:3"), ' '), "%s",
		      where);
	ck_assert_ptr_null(load("return {\n name = 'e', workloads = { 'idle' },\n"
				" policies = { { name = 'p', mode = 'fast' } } }",
				&e));
	ck_assert_msg(strstr(e.msg, "policy 'p': unknown mode"), "%s", e.msg);
	ck_assert_msg(strstr(where, "exp.lua:3"), "%s", where);
	ck_assert_ptr_null(load("return { name = 'e', workloads = { 'idle' }, seeds = {} }", &e));
	ck_assert_msg(strstr(e.msg, "empty list"), "%s", e.msg);
	ck_assert_ptr_null(load("while true do end", &e));
	ck_assert_msg(strstr(e.msg, "instruction budget"), "%s", e.msg);
	ck_assert_msg(strstr(where, "exp.lua:1"), "%s", where);
	/* a finalizer ran in lua_close, beyond any budget: sweep --dry-run hung */
	ck_assert_ptr_null(load("setmetatable({}, { __gc = function() while true do end end })\n"
				"return { name = 'e', workloads = { 'idle' } }",
				&e));
	ck_assert_msg(strstr(e.msg, "__gc metamethods are not allowed"), "%s", e.msg);
	ck_assert_msg(strstr(where, "exp.lua:1"), "%s", where);
	ck_assert_ptr_null(
	    load("return {\n name = 'e', workloads = { 'idle' },\n ram = '1000' }", &e));
	ck_assert_msg(strstr(e.msg, "whole number of pages"), "%s", e.msg);
	/* "ram" inside "params" on line 2 is not the setting */
	ck_assert_msg(strstr(where, "exp.lua:3"), "%s", where);
}
END_TEST

/* A parameter's value reaches the parser whole, however long: it used to
 * be built into a 512-byte "NAME=VALUE" buffer and cut, so this value was
 * stored as 0 ms where `run --param` gives 1 ms. */
START_TEST(long_parameter_value_is_not_cut)
{
	err e = {{0}};
	char text[1024];
	snprintf(text, sizeof text,
		 "return { name = 'l', workloads = { 'idle' }, ram = '32MiB', params = { "
		 "['downtime-limit'] = ('0'):rep(600) .. '1ms' } }");
	sweep *s = load(text, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_int_eq(sweep_at(s, 0)->config.params.downtime_limit, 1000000);
	sweep_free(s);
}
END_TEST

/* Two workloads whose parameters differ only past the 8 KiB the loader keys
 * its workload cache by are two workloads: a cut key once made the second
 * reuse the first's resolved parameters, and so its run key. */
START_TEST(long_workload_values_are_not_confused)
{
	char wl[128];
	snprintf(wl, sizeof wl, "%s/many.lua", dir);
	FILE *f = fopen(wl, "w");
	ck_assert_ptr_nonnull(f);
	fputs("local p = { z = 'a' }\n"
	      "for i = 0, 58 do p['p' .. i] = 'x' end\n"
	      "return { name = 'many', description = '60 parameters', params = p,\n"
	      " regions = { { name = 'buf', size = 4096 } },\n"
	      " step = function(mem, p) return 1000000 end }\n",
	      f);
	fclose(f);
	err e = {{0}};
	sweep *s = load("local p = { z = { 'a', 'b' } }\n"
			"for i = 0, 58 do p['p' .. i] = ('y'):rep(150) end\n"
			"return { name = 'w', ram = '32MiB',\n"
			" workloads = { { script = 'many.lua', params = p } } }",
			&e);
	unlink(wl);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_uint_eq(sweep_size(s), 2);
	ck_assert_str_ne(sweep_at(s, 0)->key, sweep_at(s, 1)->key);
	ck_assert_msg(strstr(sweep_at(s, 1)->canonical, "\"z\":\"b\""), "%.200s",
		      strstr(sweep_at(s, 1)->canonical, "\"z\""));
	sweep_free(s);
}
END_TEST

/* Every setting of an experiment goes through the command line's checks,
 * with the message `migsim run` gives and the file's line as the place. */
START_TEST(values_get_the_command_line_checks)
{
	static const struct {
		const char *field, *msg;
	} c[] = {
	    {"timeout = '0s'", "timeout must be from 100 ms to 30 days"},
	    {"timeout = '9223372036s'", "duration \"9223372036s\": too long (at most 3650 days)"},
	    {"latency = '2min'", "latency must be from 0 to 1 min"},
	    {"warmup = '2 h', timeout = '1 h'", NULL},
	    {"bandwidth = '1G'", "a size is not a rate (write 1Gbit/s or 1GiB/s)"},
	    {"bandwidth = '1e-300B/s'", "too small (at least 1 bit/s, or 0)"},
	    {"bandwidth = '1e30Gbit/s'", "too large (at most 10 Tbit/s)"},
	    {"params = { ['setup-cost'] = '2h' }", "Parameter 'setup-cost' expects"},
	    {"params = { ['xbzrle-encode-cost'] = -1 }", "Parameter 'xbzrle-encode-cost' expects"},
	    {"params = { ['xbzrle-encode-cost'] = '1e300' }",
	     "Parameter 'xbzrle-encode-cost' expects"},
	    {"params = { ['avail-switchover-bandwidth'] = '1e30B/s' }", "too large"},
	    {"params = { ['downtime-limit'] = '2001s' }", "Parameter 'downtime-limit' expects"},
	    {"params = { ['send-buffer-size'] = 0 }", "Parameter 'send-buffer-size' expects"},
	    {"params = { ['xbzrle-cache-size'] = 0 }", "Parameter 'xbzrle-cache-size' expects"},
	    {"params = { ['setup-cost'] = '1s' }, timeout = '1s'",
	     "timeout must be longer than setup-cost"},
	    {"policies = { { name = 'p', mode = 'stop-and-copy', caps = { 'xbzrle' } } }",
	     "stop-and-copy has no pre-copy passes for xbzrle"},
	    {"policies = { { name = 'p', mode = 'stop-and-copy', postcopy = 'immediately' } }",
	     "stop-and-copy has no pre-copy passes for postcopy-ram"},
	};
	for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
		char text[512];
		err e = {{0}};
		snprintf(text, sizeof text,
			 "return { name = 'v', workloads = { 'idle' }, ram = '32MiB',\n %s }",
			 c[i].field);
		sweep *s = load(text, &e);
		if (!c[i].msg) {
			ck_assert_msg(s != NULL, "%s: %s", c[i].field, e.msg);
			sweep_free(s);
			continue;
		}
		ck_assert_msg(s == NULL, "%s accepted", c[i].field);
		ck_assert_msg(strstr(e.msg, c[i].msg), "%s: %s", c[i].field, e.msg);
		ck_assert_msg(strstr(where, "exp.lua:2"), "%s: at %s", c[i].field, where);
	}
}
END_TEST

Suite *sweep_suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, matrix_is_ordered_cross_product);
	tcase_add_test(tc, explicit_runs);
	tcase_add_test(tc, keys_are_stable);
	tcase_add_test(tc, any_change_changes_the_key);
	tcase_add_test(tc, shards_partition);
	tcase_add_test(tc, errors_name_file_and_line);
	tcase_add_test(tc, long_parameter_value_is_not_cut);
	tcase_add_test(tc, long_workload_values_are_not_confused);
	tcase_add_test(tc, values_get_the_command_line_checks);
	suite_add_tcase(s, tc);
	return s;
}
