/* Unit tests of the run store: schema creation, all-or-nothing writes, and
 * refusing (without touching) files that are not ours. Databases live in a
 * fresh mkdtemp directory under /tmp that each test removes. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

struct tmp {
	char dir[64];
	char db[128];
};

static void tmp_make(struct tmp *t)
{
	strcpy(t->dir, "/tmp/migsim-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->db, sizeof t->db, "%s/runs.db", t->dir);
}

static int exists(const char *dir, const char *name)
{
	char p[160];
	struct stat sb;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return stat(p, &sb) == 0;
}

static void tmp_remove(struct tmp *t)
{
	static const char *const names[] = {"runs.db",	       "runs.db-wal", "runs.db-shm",
					    "runs.db-journal", "file.csv",    "sub"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char p[160];
		snprintf(p, sizeof p, "%s/%s", t->dir, names[i]);
		if (remove(p) < 0)
			rmdir(p);
	}
	ck_assert_int_eq(rmdir(t->dir), 0);
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db;
	ck_assert_int_eq(
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
	    SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

struct counts {
	int64_t runs, metrics, series;
};

static struct counts count_rows(const char *path)
{
	sqlite3 *db = raw_open(path);
	struct counts c = {
	    raw_int(db, "SELECT count(*) FROM runs"),
	    raw_int(db, "SELECT count(*) FROM metrics"),
	    raw_int(db, "SELECT count(*) FROM series"),
	};
	sqlite3_close(db);
	return c;
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	fclose(f);
}

/* The whole file in a malloc'ed buffer; *n is its size. */
static char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return b;
}

static const struct store_metric metrics3[] = {
    {"total-time", 1234.5},
    {"downtime", 42},
    {"transferred", 1073741824.0},
};

static const struct store_sample series2[] = {
    {100000000, 1, 1u << 30, 4096, 941.5, 1, 12.5, 10, 100.25, 0, -1, -1},
    {200000000, 4, 0, (1ull << 40) + 7, 1000, 3, 0, 20, 99.5, 20, 65536, 1ll << 33},
};

static struct store_run sample_run(const char *key)
{
	return (struct store_run){
	    .key = key,
	    .experiment = key ? "exp1" : NULL,
	    .workload = "calloc-loop",
	    .workload_path = "workloads/calloc.lua",
	    .wl_params = "{\"mib\":64}",
	    .policy = "xbzrle",
	    .config = "{\"ram-bytes\":268435456}",
	    .seed = UINT64_MAX,
	    .status = "completed",
	    .error = NULL,
	    .result = "{\"status\":\"completed\"}",
	    .metrics = metrics3,
	    .n_metrics = 3,
	    .series = series2,
	    .n_series = 2,
	};
}

START_TEST(test_create_reopen)
{
	struct tmp t;
	tmp_make(&t);
	store *s;
	err e = {{0}};
	ck_assert_int_eq(store_schema_version(), 5);
	ck_assert_msg(store_open(&s, t.db, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(store_path(s), t.db);
	store_close(s);
	sqlite3 *db = raw_open(t.db);
	ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), store_schema_version());
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), 7);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN "
				     "('runs_experiment', 'runs_policy')"),
			 2);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
	ck_assert_msg(store_open(&s, t.db, &e) == 0, "%s", e.msg);
	store_close(s);
	store_close(NULL);
	tmp_remove(&t);
}
END_TEST

/* An existing empty file (touch results/migsim.db) becomes a database. */
START_TEST(test_empty_file)
{
	struct tmp t;
	tmp_make(&t);
	write_file(t.db, "", 0);
	store *s;
	err e = {{0}};
	ck_assert_msg(store_open(&s, t.db, &e) == 0, "%s", e.msg);
	store_close(s);
	ck_assert_int_eq(count_rows(t.db).runs, 0);
	tmp_remove(&t);
}
END_TEST

START_TEST(test_put_read_back)
{
	struct tmp t;
	tmp_make(&t);
	store *s;
	err e = {{0}};
	ck_assert_int_eq(store_open(&s, t.db, &e), 0);
	struct store_run r = sample_run(NULL);
	int64_t id1 = 0, id2 = 0;
	ck_assert_msg(store_put_run(s, &r, &id1, &e) == 0, "%s", e.msg);
	/* Plain runs have no key, and any number of them can be stored. */
	r.status = "failed";
	r.error = "timed out";
	ck_assert_msg(store_put_run(s, &r, &id2, &e) == 0, "%s", e.msg);
	ck_assert_int_gt(id2, id1);
	store_close(s);

	sqlite3 *db = raw_open(t.db);
	sqlite3_stmt *st;
	ck_assert_int_eq(
	    sqlite3_prepare_v2(db,
			       "SELECT key, experiment, workload, workload_path, wl_params,"
			       " policy, config, seed, status, error, result,"
			       " migsim_version, recorded_at FROM runs WHERE id = ?",
			       -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_int64(st, 1, id1);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_type(st, 0), SQLITE_NULL);
	ck_assert_int_eq(sqlite3_column_type(st, 1), SQLITE_NULL);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), "calloc-loop");
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 3), "workloads/calloc.lua");
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 4), "{\"mib\":64}");
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 5), "xbzrle");
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 6), "{\"ram-bytes\":268435456}");
	ck_assert((uint64_t)sqlite3_column_int64(st, 7) == UINT64_MAX);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 8), "completed");
	ck_assert_int_eq(sqlite3_column_type(st, 9), SQLITE_NULL);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 10), "{\"status\":\"completed\"}");
#ifdef MIGSIM_VERSION
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 11), MIGSIM_VERSION);
#endif
	ck_assert_uint_eq(strlen((const char *)sqlite3_column_text(st, 12)), 20);
	sqlite3_finalize(st);

	ck_assert_int_eq(sqlite3_prepare_v2(db,
					    "SELECT name, value FROM metrics WHERE run_id = ?"
					    " ORDER BY name",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, id1);
	static const struct store_metric sorted[] = {
	    {"downtime", 42}, {"total-time", 1234.5}, {"transferred", 1073741824.0}};
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), sorted[i].name);
		ck_assert(sqlite3_column_double(st, 1) == sorted[i].value);
	}
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);

	ck_assert_int_eq(sqlite3_prepare_v2(db,
					    "SELECT t_ns, phase, remaining, transferred, mbps,"
					    " dirty_sync_count, dirty_pages_rate, guest_steps,"
					    " guest_rate, throttle_pct FROM series WHERE run_id = ?"
					    " ORDER BY t_ns",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, id1);
	for (int i = 0; i < 2; i++) {
		const struct store_sample *x = &series2[i];
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_int_eq(sqlite3_column_int64(st, 0), x->t_ns);
		ck_assert_int_eq(sqlite3_column_int(st, 1), x->phase);
		ck_assert((uint64_t)sqlite3_column_int64(st, 2) == x->remaining);
		ck_assert((uint64_t)sqlite3_column_int64(st, 3) == x->transferred);
		ck_assert(sqlite3_column_double(st, 4) == x->mbps);
		ck_assert((uint64_t)sqlite3_column_int64(st, 5) == x->dirty_sync_count);
		ck_assert(sqlite3_column_double(st, 6) == x->dirty_pages_rate);
		ck_assert((uint64_t)sqlite3_column_int64(st, 7) == x->guest_steps);
		ck_assert(sqlite3_column_double(st, 8) == x->guest_rate);
		ck_assert(sqlite3_column_double(st, 9) == x->throttle_pct);
	}
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM runs WHERE status = 'failed'"
				     " AND error = 'timed out'"),
			 1);
	/* Deleting a run takes its metrics and series with it. */
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	char sql[64];
	snprintf(sql, sizeof sql, "DELETE FROM runs WHERE id = %lld", (long long)id1);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct counts c = count_rows(t.db);
	ck_assert_int_eq(c.runs, 1);
	ck_assert_int_eq(c.metrics, 3);
	ck_assert_int_eq(c.series, 2);
	tmp_remove(&t);
}
END_TEST

static const struct store_note notes2[] = {
    {"max-bandwidth", "the link is faster than max-bandwidth"},
    {"downtime", "downtime exceeded downtime-limit"},
};

/* Notes are stored in order with their run, and go with it. */
START_TEST(test_notes)
{
	struct tmp t;
	tmp_make(&t);
	store *s;
	err e = {{0}};
	ck_assert_int_eq(store_open(&s, t.db, &e), 0);
	struct store_run r = sample_run(NULL);
	r.notes = notes2;
	r.n_notes = 2;
	int64_t id = 0;
	ck_assert_msg(store_put_run(s, &r, &id, &e) == 0, "%s", e.msg);
	r.n_notes = 0;
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
	store_close(s);
	sqlite3 *db = raw_open(t.db);
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT run_id, kind, text FROM notes ORDER BY seq",
					    -1, &st, NULL),
			 SQLITE_OK);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_int_eq(sqlite3_column_int64(st, 0), id);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), notes2[i].kind);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), notes2[i].text);
	}
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM runs", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM notes"), 0);
	sqlite3_close(db);
	tmp_remove(&t);
}
END_TEST

/* Turns the database at path into one schema version 2 wrote: no
 * runs.policy_name, no disk columns in the series, no evacuations. */
static void make_v2(const char *path)
{
	sqlite3 *db = raw_open(path);
	ck_assert_int_eq(sqlite3_exec(db,
				      "DROP TABLE evacuation_runs; DROP TABLE evacuation_metrics;"
				      "DROP TABLE evacuations;"
				      "DROP INDEX runs_policy_name;"
				      "ALTER TABLE runs DROP COLUMN policy_name;"
				      "ALTER TABLE series DROP COLUMN disk_remaining;"
				      "ALTER TABLE series DROP COLUMN disk_transferred;"
				      "PRAGMA user_version = 2;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
}

/* Turns the database at path into one schema version 1 wrote: no notes. */
static void make_v1(const char *path)
{
	make_v2(path);
	sqlite3 *db = raw_open(path);
	ck_assert_int_eq(
	    sqlite3_exec(
		db,
		"DROP TABLE notes; PRAGMA user_version = 1;",
		NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
}

static const char sweep_config[] =
    "{\"ram-bytes\":268435456,\"sweep\":{\"policy\":{\"name\":\"xb64\"}}}";

/* The policy's own name, runs.policy_name, is what a sweep recorded in the
 * config (config.sweep.policy.name), NULL for a single run; a database of
 * version 2 gains the column filled the same way for the runs it holds, and
 * a version 2 input of merge gives its runs theirs. */
START_TEST(test_policy_name)
{
	struct tmp t, u;
	tmp_make(&t);
	tmp_make(&u);
	store *s;
	err e = {{0}};
	struct store_run r = sample_run(NULL);
	ck_assert_int_eq(store_open(&s, t.db, &e), 0);
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
	r.config = sweep_config;
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
	store_close(s);
	const char *named = "SELECT count(*) FROM runs WHERE policy_name = 'xb64' AND id = 2";
	const char *unnamed = "SELECT count(*) FROM runs WHERE policy_name IS NULL AND id = 1";
	sqlite3 *db = raw_open(t.db);
	ck_assert_int_eq(raw_int(db, named), 1);
	ck_assert_int_eq(raw_int(db, unnamed), 1);
	sqlite3_close(db);
	make_v2(t.db);
	ck_assert_int_eq(store_open(&s, u.db, &e), 0);
	struct store_merge_counts n;
	ck_assert_msg(store_merge(s, t.db, &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(n.copied, 2);
	store_close(s);
	db = raw_open(u.db);
	ck_assert_int_eq(raw_int(db, named), 1);
	ck_assert_int_eq(raw_int(db, unnamed), 1);
	sqlite3_close(db);
	ck_assert_msg(store_open(&s, t.db, &e) == 0, "%s", e.msg);
	store_close(s);
	db = raw_open(t.db);
	ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), store_schema_version());
	ck_assert_int_eq(raw_int(db, named), 1);
	ck_assert_int_eq(raw_int(db, unnamed), 1);
	sqlite3_close(db);
	tmp_remove(&t);
	tmp_remove(&u);
}
END_TEST

/* A database of version 2 opens: its series gain the disk columns, NULL
 * for its runs; a current run's disk figures read back; and it merges
 * into a current one. */
START_TEST(test_v2_database)
{
	struct tmp t, u;
	tmp_make(&t);
	tmp_make(&u);
	store *s;
	err e = {{0}};
	struct store_run r = sample_run(NULL);
	ck_assert_int_eq(store_open(&s, t.db, &e), 0);
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
	store_close(s);
	make_v2(t.db);
	ck_assert_int_eq(store_open(&s, u.db, &e), 0);
	struct store_merge_counts n;
	ck_assert_msg(store_merge(s, t.db, &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(n.copied, 1);
	store_close(s);
	ck_assert_msg(store_open(&s, t.db, &e) == 0, "%s", e.msg);
	r.seed = 7;
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
	store_close(s);
	sqlite3 *db = raw_open(t.db);
	ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), store_schema_version());
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM series"), 4);
	ck_assert_int_eq(raw_int(db, "SELECT count(disk_remaining) FROM series"), 1);
	ck_assert_int_eq(raw_int(db, "SELECT disk_transferred FROM series WHERE disk_remaining = "
				     "65536"),
			 1ll << 33);
	sqlite3_close(db);
	db = raw_open(u.db);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM series WHERE disk_remaining IS NULL"),
			 2);
	sqlite3_close(db);
	tmp_remove(&t);
	tmp_remove(&u);
}
END_TEST

/* A database of version 1 opens: it gains the notes table and keeps its
 * runs; and it merges into a current one, its runs without notes. */
START_TEST(test_v1_database)
{
	struct tmp t, u;
	tmp_make(&t);
	tmp_make(&u);
	store *s;
	err e = {{0}};
	struct store_run r = sample_run(NULL);
	ck_assert_int_eq(store_open(&s, t.db, &e), 0);
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
	store_close(s);
	make_v1(t.db);
	ck_assert_int_eq(store_open(&s, u.db, &e), 0);
	struct store_merge_counts n;
	ck_assert_msg(store_merge(s, t.db, &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(n.copied, 1);
	store_close(s);
	ck_assert_int_eq(count_rows(u.db).runs, 1);
	ck_assert_msg(store_open(&s, t.db, &e) == 0, "%s", e.msg);
	r.notes = notes2;
	r.n_notes = 2;
	r.seed = 7; /* not the same run as the first (merge compares every column) */
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
	store_close(s);
	sqlite3 *db = raw_open(t.db);
	ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), store_schema_version());
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM runs"), 2);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM notes"), 2);
	sqlite3_close(db);
	/* A current input brings its notes along. */
	ck_assert_int_eq(store_open(&s, u.db, &e), 0);
	ck_assert_msg(store_merge(s, t.db, &n, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(n.copied, 1);
	store_close(s);
	db = raw_open(u.db);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM notes"), 2);
	sqlite3_close(db);
	tmp_remove(&t);
	tmp_remove(&u);
}
END_TEST

/* A NaN metric (a rate over no time) is stored as NULL, not refused. */
START_TEST(test_nan_metric)
{
	struct tmp t;
	tmp_make(&t);
	store *s;
	err e = {{0}};
	ck_assert_int_eq(store_open(&s, t.db, &e), 0);
	struct store_metric m[] = {{"xbzrle-cache.encoding-rate", NAN}};
	struct store_run r = sample_run(NULL);
	r.metrics = m;
	r.n_metrics = 1;
	r.n_series = 0;
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
	store_close(s);
	sqlite3 *db = raw_open(t.db);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM metrics WHERE value IS NULL"), 1);
	sqlite3_close(db);
	tmp_remove(&t);
}
END_TEST

START_TEST(test_duplicate_key)
{
	struct tmp t;
	tmp_make(&t);
	store *s;
	err e = {{0}};
	ck_assert_int_eq(store_open(&s, t.db, &e), 0);
	struct store_run r = sample_run("exp1/calloc/xbzrle/seed=1");
	int found = -1;
	ck_assert_int_eq(store_has_key(s, r.key, &found, &e), 0);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(store_put_run(s, &r, NULL, &e), 0);
	ck_assert_int_eq(store_has_key(s, r.key, &found, &e), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_int_eq(store_has_key(s, "exp1/other", &found, &e), 0);
	ck_assert_int_eq(found, 0);
	struct counts before = count_rows(t.db);
	int64_t id = -5;
	ck_assert_int_eq(store_put_run(s, &r, &id, &e), -1);
	ck_assert_str_eq(e.msg, "run key \"exp1/calloc/xbzrle/seed=1\" already stored");
	ck_assert_int_eq(id, -5);
	struct counts after = count_rows(t.db);
	ck_assert_int_eq(after.runs, before.runs);
	ck_assert_int_eq(after.metrics, before.metrics);
	ck_assert_int_eq(after.series, before.series);
	/* The handle is still usable after the failed write. */
	r.key = "exp1/calloc/xbzrle/seed=2";
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
	store_close(s);
	ck_assert_int_eq(count_rows(t.db).runs, 2);
	tmp_remove(&t);
}
END_TEST

/* A failure after the run row and some metrics are in takes them all back. */
START_TEST(test_rollback_midway)
{
	struct tmp t;
	tmp_make(&t);
	store *s;
	err e = {{0}};
	ck_assert_int_eq(store_open(&s, t.db, &e), 0);
	struct store_run r = sample_run(NULL);
	ck_assert_int_eq(store_put_run(s, &r, NULL, &e), 0);
	struct counts before = count_rows(t.db);

	struct store_metric dup[] = {{"downtime", 1}, {"total-time", 2}, {"downtime", 3}};
	r.metrics = dup;
	r.n_metrics = 3;
	ck_assert_int_eq(store_put_run(s, &r, NULL, &e), -1);
	ck_assert_msg(strstr(e.msg, "metrics: \"downtime\"") && strstr(e.msg, "UNIQUE"), "%s",
		      e.msg);

	struct store_sample twice[] = {series2[0], series2[1], series2[1]};
	r.metrics = metrics3;
	r.series = twice;
	r.n_series = 3;
	ck_assert_int_eq(store_put_run(s, &r, NULL, &e), -1);
	ck_assert_msg(strstr(e.msg, "series: sample at t=200000000 ns"), "%s", e.msg);

	r.series = series2;
	r.n_series = 2;
	r.status = "crashed";
	ck_assert_int_eq(store_put_run(s, &r, NULL, &e), -1);
	ck_assert_str_eq(e.msg, "run status \"crashed\" is neither completed nor failed");

	r.status = "completed";
	r.workload = NULL;
	ck_assert_int_eq(store_put_run(s, &r, NULL, &e), -1);
	ck_assert_msg(strstr(e.msg, "runs: NOT NULL constraint failed: runs.workload"), "%s",
		      e.msg);

	struct counts after = count_rows(t.db);
	ck_assert_int_eq(after.runs, before.runs);
	ck_assert_int_eq(after.metrics, before.metrics);
	ck_assert_int_eq(after.series, before.series);
	r.workload = "calloc-loop";
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
	store_close(s);
	tmp_remove(&t);
}
END_TEST

/* Refused files are byte-identical afterwards, with no -wal/-shm beside. */
static void assert_refused_untouched(struct tmp *t, const char *path, const char *msg_part)
{
	size_t n0, n1;
	char *before = read_file(path, &n0);
	store *s = (store *)1;
	err e = {{0}};
	ck_assert_int_eq(store_open(&s, path, &e), -1);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(e.msg, msg_part), "%s", e.msg);
	ck_assert_msg(strstr(e.msg, path), "%s", e.msg);
	char *after = read_file(path, &n1);
	ck_assert_uint_eq(n0, n1);
	ck_assert(memcmp(before, after, n0) == 0);
	free(before);
	free(after);
	ck_assert(!exists(t->dir, "runs.db-wal") && !exists(t->dir, "runs.db-shm"));
	ck_assert(!exists(t->dir, "file.csv-wal") && !exists(t->dir, "runs.db-journal"));
}

START_TEST(test_not_sqlite)
{
	struct tmp t;
	tmp_make(&t);
	char csv[128];
	snprintf(csv, sizeof csv, "%s/file.csv", t.dir);
	static const char text[] = "policy,downtime\nxbzrle,42\nprecopy,310\n";
	write_file(csv, text, sizeof text - 1);
	assert_refused_untouched(&t, csv, "not a SQLite database");
	/* Shorter than the header, and the header's first bytes only. */
	write_file(csv, "SQLite", 6);
	assert_refused_untouched(&t, csv, "not a SQLite database");
	write_file(csv, "SQLite format 3", 15);
	assert_refused_untouched(&t, csv, "not a SQLite database");
	tmp_remove(&t);
}
END_TEST

/* Evacuations (issue 26): a database of version 4 gains the evacuation
 * tables on opening, keeps its runs, and an evacuation written links two of
 * them with its figures, in one transaction; deleting a run deletes its
 * link. */
START_TEST(test_evacuation)
{
	struct tmp t;
	tmp_make(&t);
	store *s;
	err e = {{0}};
	struct store_run r = sample_run(NULL);
	ck_assert_int_eq(store_open(&s, t.db, &e), 0);
	int64_t id1, id2;
	ck_assert_msg(store_put_run(s, &r, &id1, &e) == 0, "%s", e.msg);
	r.seed = 9;
	ck_assert_msg(store_put_run(s, &r, &id2, &e) == 0, "%s", e.msg);
	store_close(s);
	sqlite3 *db = raw_open(t.db);
	ck_assert_int_eq(sqlite3_exec(db,
				      "DROP TABLE evacuation_runs; DROP TABLE evacuation_metrics;"
				      " DROP TABLE evacuations; PRAGMA user_version = 4;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	ck_assert_msg(store_open(&s, t.db, &e) == 0, "%s", e.msg);
	struct store_metric m[] = {{"drain-time", 1234.5}, {"failed", 1}};
	struct store_evac_run runs[] = {{id1, "vm1", "a", "b", 0, 10},
					{id2, "vm2", "a", "c", 5, 20}};
	struct store_evacuation ev = {"exp", "[\"--drain\",\"a\"]", "[]", m, 2, runs, 2};
	int64_t eid = 0;
	ck_assert_msg(store_put_evacuation(s, &ev, &eid, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(eid, 1);
	/* a link to a run that does not exist is refused whole */
	struct store_evac_run bad[] = {{id1, "vm1", "a", "b", 0, 10}, {99, "vm9", "a", "b", 0, 1}};
	ev.runs = bad;
	ck_assert_int_eq(store_put_evacuation(s, &ev, NULL, &e), -1);
	store_close(s);
	db = raw_open(t.db);
	ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), store_schema_version());
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM evacuations"), 1);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM evacuation_runs"), 2);
	ck_assert_int_eq(raw_int(db, "SELECT end_ns FROM evacuation_runs WHERE vm = 'vm2'"), 20);
	ck_assert_int_eq(raw_int(db, "SELECT value FROM evacuation_metrics WHERE name = 'failed'"),
			 1);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA foreign_keys = ON; DELETE FROM runs WHERE id = 1",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM evacuation_runs"), 1);
	sqlite3_close(db);
	tmp_remove(&t);
}
END_TEST

/* merge copies an evacuation with its links rewritten to its runs' ids in
 * the output, once however often merged. Its two runs are identical in
 * every column (two VMs given the same seed, recorded in the same second):
 * each keyless run of the input matches a run of the output no other of its
 * runs matched, so both are kept and the evacuation links two runs there. */
START_TEST(test_merge_evacuation)
{
	struct tmp t, u;
	tmp_make(&t);
	tmp_make(&u);
	store *s;
	err e = {{0}};
	struct store_run r = sample_run(NULL);
	int64_t id1, id2;
	ck_assert_int_eq(store_open(&s, t.db, &e), 0);
	ck_assert_msg(store_put_run(s, &r, &id1, &e) == 0, "%s", e.msg);
	ck_assert_msg(store_put_run(s, &r, &id2, &e) == 0, "%s", e.msg);
	struct store_metric m[] = {{"drain-time", 1234.5}, {"failed", 0}};
	struct store_evac_run runs[] = {{id1, "vm1", "a", "b", 0, 10},
					{id2, "vm2", "a", "b", 5, 20}};
	struct store_evacuation ev = {"exp", "[\"--drain\",\"a\"]", "[{\"peak\":1}]", m, 2, runs,
				      2};
	ck_assert_msg(store_put_evacuation(s, &ev, NULL, &e) == 0, "%s", e.msg);
	store_close(s);
	sqlite3 *db = raw_open(t.db);
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE runs SET recorded_at = '2026-01-01T00:00:00Z'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(store_open(&s, u.db, &e), 0);
	r.seed = 3; /* another run first: the ids move */
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
	struct store_merge_counts n;
	for (int pass = 0; pass < 2; pass++) {
		ck_assert_msg(store_merge(s, t.db, &n, &e) == 0, "%s", e.msg);
		ck_assert_uint_eq(n.copied, pass ? 0 : 2);
		ck_assert_uint_eq(n.present, pass ? 2 : 0);
		ck_assert_uint_eq(n.evac_copied, pass ? 0 : 1);
		ck_assert_uint_eq(n.evac_present, pass ? 1 : 0);
	}
	store_close(s);
	db = raw_open(u.db);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM runs"), 3);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM evacuations"), 1);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM evacuation_metrics"), 2);
	ck_assert_int_eq(raw_int(db, "SELECT run_id FROM evacuation_runs WHERE vm = 'vm1'"), 2);
	ck_assert_int_eq(raw_int(db, "SELECT run_id FROM evacuation_runs WHERE vm = 'vm2'"), 3);
	ck_assert_int_eq(raw_int(db, "SELECT end_ns FROM evacuation_runs WHERE vm = 'vm2'"), 20);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM evacuations WHERE links ="
				     " '[{\"peak\":1}]' AND experiment = 'exp'"),
			 1);
	sqlite3_close(db);
	tmp_remove(&t);
	tmp_remove(&u);
}
END_TEST

START_TEST(test_newer_version)
{
	struct tmp t;
	tmp_make(&t);
	sqlite3 *db = raw_open(t.db);
	ck_assert_int_eq(sqlite3_exec(db,
				      "CREATE TABLE runs (id INTEGER PRIMARY KEY, x TEXT);"
				      "INSERT INTO runs (x) VALUES ('future');"
				      "PRAGMA user_version = 7;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_refused_untouched(&t, t.db,
				 "schema version 7 is newer than this migsim understands (5)");
	tmp_remove(&t);
}
END_TEST

/* Someone else's SQLite database (tables but no user_version) is not ours. */
START_TEST(test_foreign_sqlite)
{
	struct tmp t;
	tmp_make(&t);
	sqlite3 *db = raw_open(t.db);
	ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE contacts (name TEXT);", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_refused_untouched(&t, t.db, "not migsim's");
	tmp_remove(&t);
}
END_TEST

START_TEST(test_bad_paths)
{
	struct tmp t;
	tmp_make(&t);
	store *s;
	err e = {{0}};
	char p[192];
	snprintf(p, sizeof p, "%s/missing/runs.db", t.dir);
	ck_assert_int_eq(store_open(&s, p, &e), -1);
	char want[512];
	snprintf(want, sizeof want, "%s: directory %s/missing does not exist", p, t.dir);
	ck_assert_str_eq(e.msg, want);
	snprintf(p, sizeof p, "%s/sub", t.dir);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_int_eq(store_open(&s, p, &e), -1);
	ck_assert_msg(strstr(e.msg, "not a regular file"), "%s", e.msg);
	ck_assert_int_eq(store_open(&s, "", &e), -1);
	tmp_remove(&t);
}
END_TEST

/* Two handles (two connections, as two sweep jobs would hold) take turns. */
START_TEST(test_two_handles)
{
	struct tmp t;
	tmp_make(&t);
	store *a, *b;
	err e = {{0}};
	ck_assert_int_eq(store_open(&a, t.db, &e), 0);
	ck_assert_msg(store_open(&b, t.db, &e) == 0, "%s", e.msg);
	for (int i = 0; i < 20; i++) {
		char key[32];
		snprintf(key, sizeof key, "k%d", i);
		struct store_run r = sample_run(key);
		ck_assert_msg(store_put_run(i % 2 ? b : a, &r, NULL, &e) == 0, "%d: %s", i, e.msg);
	}
	int found;
	ck_assert_int_eq(store_has_key(a, "k19", &found, &e), 0);
	ck_assert_int_eq(found, 1);
	struct store_run r = sample_run("k4");
	ck_assert_int_eq(store_put_run(b, &r, NULL, &e), -1);
	store_close(a);
	store_close(b);
	struct counts c = count_rows(t.db);
	ck_assert_int_eq(c.runs, 20);
	ck_assert_int_eq(c.metrics, 60);
	ck_assert_int_eq(c.series, 40);
	tmp_remove(&t);
}
END_TEST

/* Another process holding the write lock makes put_run wait for it (the
 * busy timeout), then succeed, rather than fail. */
START_TEST(test_waits_for_lock)
{
	struct tmp t;
	tmp_make(&t);
	store *s;
	err e = {{0}};
	ck_assert_int_eq(store_open(&s, t.db, &e), 0);
	store_close(s);
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* The child opens its own connection: none cross the fork. */
		sqlite3 *db;
		int ok = sqlite3_open(t.db, &db) == SQLITE_OK &&
			 sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
		ssize_t w = write(fds[1], ok ? "y" : "n", 1);
		(void)w;
		struct timespec pause = {0, 300000000};
		nanosleep(&pause, NULL);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(db);
		_exit(0);
	}
	char c = 0;
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	ck_assert_int_eq(c, 'y');
	close(fds[0]);
	close(fds[1]);
	ck_assert_int_eq(store_open(&s, t.db, &e), 0);
	struct store_run r = sample_run("while-locked");
	ck_assert_msg(store_put_run(s, &r, NULL, &e) == 0, "%s", e.msg);
	store_close(s);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(count_rows(t.db).runs, 1);
	tmp_remove(&t);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_create_reopen);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_put_read_back);
	tcase_add_test(tc, test_nan_metric);
	tcase_add_test(tc, test_notes);
	tcase_add_test(tc, test_v1_database);
	tcase_add_test(tc, test_policy_name);
	tcase_add_test(tc, test_v2_database);
	tcase_add_test(tc, test_duplicate_key);
	tcase_add_test(tc, test_rollback_midway);
	tcase_add_test(tc, test_not_sqlite);
	tcase_add_test(tc, test_newer_version);
	tcase_add_test(tc, test_evacuation);
	tcase_add_test(tc, test_merge_evacuation);
	tcase_add_test(tc, test_foreign_sqlite);
	tcase_add_test(tc, test_bad_paths);
	tcase_add_test(tc, test_two_handles);
	tcase_add_test(tc, test_waits_for_lock);
	suite_add_tcase(s, tc);
	return s;
}
