/* Unit tests of the read side of the database: filters and DB:filter
 * sources, grouping rules, and loading runs written by store_put_run
 * (settings flattened, metrics attached, groups equal but for the seed). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "query.h"
#include "store.h"

START_TEST(filters)
{
	query_filter f;
	err e = {{0}};
	char path[64];
	ck_assert_int_eq(
	    query_parse_source("a.db:policy=precopy,workload=idle", path, sizeof path, &f, &e), 0);
	ck_assert_str_eq(path, "a.db");
	ck_assert_str_eq(f.policy, "precopy");
	ck_assert_str_eq(f.workload, "idle");
	ck_assert_ptr_null(f.experiment);
	ck_assert_uint_eq(f.keys, QUERY_BY_POLICY | QUERY_BY_WORKLOAD);
	ck_assert_int_eq(query_parse_source("c:/x.db", path, sizeof path, &f, &e), 0);
	ck_assert_str_eq(path, "c:/x.db"); /* a colon without '=' after it is the path's */
	ck_assert_uint_eq(f.keys, 0);
	ck_assert_int_eq(query_parse_filter("colour=red", &f, &e), -1);
	ck_assert_int_eq(query_parse_filter("policy=a,policy=b", &f, &e), -1);
	ck_assert_int_eq(query_parse_filter("policy", &f, &e), -1);
}
END_TEST

START_TEST(grouping_rules)
{
	ck_assert(!query_setting_grouped("seed", 0));
	ck_assert(!query_setting_grouped("workload-path", 0));
	ck_assert(!query_setting_grouped("sweep", 0));
	ck_assert(query_setting_grouped("policy", 0));
	ck_assert(!query_setting_grouped("policy", QUERY_BY_POLICY));
	ck_assert(!query_setting_grouped("capabilities", QUERY_BY_POLICY));
	ck_assert(query_setting_grouped("xbzrle-cache-size", QUERY_BY_POLICY));
	ck_assert(!query_setting_grouped("wl.pass_cost", QUERY_BY_WORKLOAD));
	ck_assert(query_setting_grouped("wl.pass_cost", QUERY_BY_POLICY));
	ck_assert(query_metric_higher_better("guest-progress"));
	ck_assert(!query_metric_higher_better("total-time"));
	ck_assert_str_eq(query_metric_unit("transferred"), "bytes");
}
END_TEST

static void put(store *s, const char *policy, const char *config, uint64_t seed, double tt)
{
	err e = {{0}};
	struct store_metric m[] = {{"total-time", tt}, {"downtime", NAN}};
	struct store_sample x[] = {{.t_ns = 0, .remaining = 10}, {.t_ns = 100, .remaining = 5}};
	struct store_run r = {.workload = "w",
			      .wl_params = "{\"n\":1}",
			      .policy = policy,
			      .config = config,
			      .seed = seed,
			      .status = "completed",
			      .result =
				  "{\"migsim\":{\"switchover-ns\":70,\"total-time-ns\":100,"
				  "\"passes\":[{\"start-ns\":0},{\"start-ns\":50,\"end-ns\":70,"
				  "\"dirty-pages\":3,\"pages\":4,\"bytes\":16384}]}}",
			      .metrics = m,
			      .n_metrics = 2,
			      .series = x,
			      .n_series = 2};
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
}

START_TEST(load_and_group)
{
	char dir[] = "/tmp/migsim-query-XXXXXX", db[64];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/q.db", dir);
	err e = {{0}};
	store *s;
	ck_assert_int_eq(store_open(&s, db, &e), 0);
	put(s, "precopy", "{\"seed\":1,\"ram-bytes\":64,\"capabilities\":[],\"flag\":true}", 1, 10);
	put(s, "precopy", "{\"seed\":2,\"ram-bytes\":64,\"capabilities\":[],\"flag\":true}", 2, 12);
	put(s, "x", "{\"seed\":1,\"ram-bytes\":64,\"capabilities\":[\"xbzrle\"],\"flag\":true}", 1,
	    8);
	put(s, "precopy", "{\"seed\":1,\"ram-bytes\":128,\"capabilities\":[],\"flag\":true}", 1,
	    20);
	store_close(s);

	query *q;
	query_set set;
	ck_assert_msg(query_open(&q, db, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(query_load(q, NULL, &set, &e), 0);
	ck_assert_uint_eq(set.n, 4);
	double v;
	ck_assert(query_metric_get(&set.runs[1], "total-time", &v) && v == 12);
	ck_assert(query_metric_get(&set.runs[1], "downtime", &v) && isnan(v));
	ck_assert(!query_metric_get(&set.runs[1], "no-such", &v));
	ck_assert_str_eq(query_setting_get(&set.runs[0], "wl.n"), "1");
	ck_assert_str_eq(query_setting_get(&set.runs[0], "flag"), "true");
	ck_assert_str_eq(query_setting_get(&set.runs[2], "capabilities"), "[\"xbzrle\"]");

	query_group *g;
	size_t ng;
	ck_assert_int_eq(query_group_runs(&set, 0, &g, &ng, &e), 0);
	ck_assert_uint_eq(ng, 3); /* the two precopy seeds together */
	ck_assert_uint_eq(g[0].n, 2);
	query_groups_free(g, ng);
	ck_assert_int_eq(query_group_runs(&set, QUERY_BY_POLICY, &g, &ng, &e), 0);
	ck_assert_uint_eq(ng, 2); /* the policy left out: x joins precopy */
	ck_assert_uint_eq(g[0].n, 3);
	query_groups_free(g, ng);
	query_set_free(&set);

	query_filter f;
	ck_assert_int_eq(query_parse_filter("policy=x", &f, &e), 0);
	ck_assert_int_eq(query_load(q, &f, &set, &e), 0);
	ck_assert_uint_eq(set.n, 1);
	ck_assert_uint_eq(set.runs[0].n_metrics, 2);
	query_set_free(&set);

	struct store_sample *x;
	size_t n;
	ck_assert_int_eq(query_series(q, 2, &x, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(x[1].t_ns, 100);
	ck_assert_uint_eq(x[1].remaining, 5);
	free(x);
	query_marks m;
	ck_assert_int_eq(query_run_marks(q, 1, &m, &e), 0);
	ck_assert_uint_eq(m.n_passes, 2);
	ck_assert_int_eq(m.passes[1].start, 50);
	ck_assert_int_eq(m.passes[1].end, 70);
	ck_assert_uint_eq(m.passes[1].dirty, 3);
	ck_assert_uint_eq(m.passes[1].pages, 4);
	ck_assert_uint_eq(m.passes[1].bytes, 16384);
	ck_assert_int_eq(m.switchover, 70);
	ck_assert_int_eq(m.end, 100);
	free(m.passes);
	query_close(q);

	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(refuses)
{
	char dir[] = "/tmp/migsim-query-XXXXXX", p[64];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	err e = {{0}};
	query *q;
	snprintf(p, sizeof p, "%s/none.db", dir);
	ck_assert_int_eq(query_open(&q, p, &e), -1);
	ck_assert_int_eq(access(p, F_OK), -1); /* not created */
	snprintf(p, sizeof p, "%s/text.db", dir);
	FILE *f = fopen(p, "w");
	fputs("hello, this is not a database\n", f);
	fclose(f);
	ck_assert_int_eq(query_open(&q, p, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a SQLite database"));
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *query_suite(void)
{
	Suite *s = suite_create("query");
	TCase *t = tcase_create("query");
	tcase_add_test(t, filters);
	tcase_add_test(t, grouping_rules);
	tcase_add_test(t, load_and_group);
	tcase_add_test(t, refuses);
	suite_add_tcase(s, t);
	return s;
}
