/* Unit tests of run: the baseline a migrated run reports (the guest's steps
 * over the same span with no migration) equals a run simulated from time 0
 * with no migration, whichever way run_execute obtained it (the guest never
 * disturbed, only paused at switch-over, or throttled and faulted); and the
 * time series of a long run stays bounded. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "result.h"
#include "run.h"

#define MS	     ((int64_t)1000000)
#define TEST_LUA_DIR MIGSIM_WORKLOAD_DIR "/../tests/unit/lua"

/* Each policy must take the path it is named for: `expect` says how. */
enum expect { COMPLETES, THROTTLES, POSTCOPY, TIMES_OUT };

struct policy {
	const char *name;
	enum expect expect;
	const char *caps;     /* caps_parse_list form, NULL for none */
	const char *postcopy; /* postcopy_parse form, NULL for none */
	enum mig_mode mode;
	double bandwidth; /* bytes/s */
	int64_t timeout;
};

static const struct policy policies[] = {
    {"precopy", COMPLETES, NULL, NULL, MIG_MODE_PRECOPY, 125e6, 0},
    {"stop-and-copy", COMPLETES, NULL, NULL, MIG_MODE_STOP_AND_COPY, 125e6, 0},
    {"xbzrle", COMPLETES, "xbzrle", NULL, MIG_MODE_PRECOPY, 125e6, 0},
    {"auto-converge", THROTTLES, "auto-converge", NULL, MIG_MODE_PRECOPY, 5e6, 0},
    {"postcopy", POSTCOPY, "postcopy-ram", "after-first-pass", MIG_MODE_PRECOPY, 25e6, 0},
    {"timeout", TIMES_OUT, NULL, NULL, MIG_MODE_PRECOPY, 1e6, 300 * MS},
};

static void config(struct run_config *c, const char *workload, const struct policy *p,
		   uint64_t seed)
{
	err e;
	run_config_defaults(c);
	snprintf(c->guest, sizeof c->guest, "bare"); /* closed-form: the workload's memory only */
	c->workload_path = workload;
	c->ram_bytes = 64 << 20;
	c->warmup = 150 * MS;
	c->seed = seed;
	c->mode = p->mode;
	c->bandwidth = p->bandwidth;
	c->params.max_bandwidth = 0;
	c->params.downtime_limit = 20 * MS;
	if (p->timeout)
		c->timeout = p->timeout;
	if (p->caps)
		ck_assert_int_eq(caps_parse_list(p->caps, &c->caps_requested, &e), 0);
	if (p->postcopy)
		ck_assert_int_eq(postcopy_parse(p->postcopy, &c->postcopy, &e), 0);
	run_negotiate_caps(c);
}

/* baseline_steps against a run simulated from time 0 with no migration, and
 * each policy on the path it is named for, for four seeds. */
static void check_baseline(const char *workload, const struct policy *p)
{
	for (uint64_t seed = 1; seed <= 4; seed++) {
		struct run_config c;
		config(&c, workload, p, seed);
		struct run_result r;
		err e;
		ck_assert_msg(run_execute(&c, &r, &e) == 0, "%s: %s", p->name, e.msg);
		uint64_t steps = 0;
		int64_t end = c.warmup + r.stats.total_time;
		ck_assert_msg(run_unmigrated_steps(&c, end, &steps, &e) == 0, "%s", e.msg);
		ck_assert_msg(r.baseline_steps == steps,
			      "%s, seed %llu: baseline %llu steps, unmigrated run %llu", p->name,
			      (unsigned long long)seed, (unsigned long long)r.baseline_steps,
			      (unsigned long long)steps);
		ck_assert_msg(r.guest_steps <= steps,
			      "%s, seed %llu: %llu steps, more than unmigrated", p->name,
			      (unsigned long long)seed, (unsigned long long)r.guest_steps);
		ck_assert_msg((r.status == MIG_STATUS_FAILED) == (p->expect == TIMES_OUT),
			      "%s: status %d (%s)", p->name, r.status, r.error);
		ck_assert_msg((r.stats.max_throttle_pct > 0) == (p->expect == THROTTLES),
			      "%s: throttle %d %%", p->name, r.stats.max_throttle_pct);
		ck_assert_msg((r.stats.postcopy_bytes > 0) == (p->expect == POSTCOPY),
			      "%s: %llu bytes in post-copy", p->name,
			      (unsigned long long)r.stats.postcopy_bytes);
		run_result_free(&r);
	}
}

/* Step costs drawn from the workload's stream and shifted by bytes it reads
 * back: a baseline continued from a wrong instant or state drifts. */
START_TEST(test_baseline_is_an_unmigrated_run)
{
	check_baseline(TEST_LUA_DIR "/varcost.lua", &policies[_i]);
}
END_TEST

/* Steps of 2.5 ms: one starts at 450 ms, the very instant the "timeout"
 * policy gives up (150 ms warm-up + 300 ms). Steps start in [warmup, end)
 * on both sides, so that one is counted by neither. */
START_TEST(test_baseline_steady_steps)
{
	check_baseline(TEST_LUA_DIR "/steady.lua", &policies[_i]);
}
END_TEST

/* An hour of a migration that cannot end in it (100 B/s for ~400 KB):
 * 36000 samples at 100 ms, but the series keeps at most 8192, thinned to every other one and
 * the period doubled each time it fills: 800 ms for the last 3276.8 s. What
 * remains is a series sampled at that period from the start: evenly spaced,
 * and its rates over the longer interval. */
START_TEST(test_series_is_bounded)
{
	static const struct wl_override slow = {"cost", "10s"};
	struct run_config c;
	run_config_defaults(&c);
	snprintf(c.guest, sizeof c.guest, "bare");
	c.workload_path = TEST_LUA_DIR "/steady.lua";
	c.wl_params = &slow;
	c.n_wl_params = 1;
	c.ram_bytes = 64 << 20;
	c.bandwidth = 100;
	c.timeout = 3600 * 1000 * MS;
	struct run_result r;
	err e;
	ck_assert_msg(run_execute(&c, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.status, MIG_STATUS_FAILED);
	ck_assert_uint_le(r.n_series, 8192);
	ck_assert_uint_eq(r.n_series, 3600 * 10 / 8); /* the last one at the timeout */
	const struct store_sample *x = r.series;
	for (size_t i = 0; i < r.n_series; i++) {
		ck_assert_int_eq(x[i].t_ns, (int64_t)(i + 1) * 800 * MS);
		uint64_t from = i ? x[i - 1].transferred : 0;
		double mbps = (double)(x[i].transferred - from) * 8 / 0.8 / 1e6;
		ck_assert_double_eq_tol(x[i].mbps, mbps, 1e-9);
	}
	run_result_free(&r);
}
END_TEST

/* A run with every optional group of metrics (storage, an injected failure)
 * fits the room result_record gives them: the 48 it had once silently cut a
 * storage run's last metric, disk-verified, when multifd's joined. */
START_TEST(test_every_metric_fits)
{
	struct run_result r = {0};
	r.storage.active = 1;
	snprintf(r.outcome, sizeof r.outcome, "guest lost");
	struct store_metric m[RESULT_METRICS_MAX];
	size_t n = result_metrics(&r, m, RESULT_METRICS_MAX);
	ck_assert_uint_le(n, RESULT_METRICS_MAX);
	int verified = 0, lost = 0;
	for (size_t i = 0; i < n; i++) {
		verified += !strcmp(m[i].name, "disk-verified");
		lost += !strcmp(m[i].name, "lost-disk-clusters");
	}
	ck_assert_int_eq(verified, 1);
	ck_assert_int_eq(lost, 1);
	ck_assert_uint_eq(result_metrics(&r, m, 3), n); /* the count, whatever fits */
}
END_TEST

Suite *run_suite(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("baseline");
	tcase_set_timeout(tc, 120);
	int n = (int)(sizeof policies / sizeof policies[0]);
	tcase_add_loop_test(tc, test_baseline_is_an_unmigrated_run, 0, n);
	tcase_add_loop_test(tc, test_baseline_steady_steps, 0, n);
	suite_add_tcase(s, tc);
	TCase *series = tcase_create("series");
	tcase_set_timeout(series, 60);
	tcase_add_test(series, test_series_is_bounded);
	tcase_add_test(series, test_every_metric_fits);
	suite_add_tcase(s, series);
	return s;
}
