/*
 * store — the SQLite database of runs declared in store.h; docs/schema.md is
 * the user's description of the tables and must change with them.
 *
 * Opening goes in an order that never modifies a file we should refuse: the
 * first 16 bytes are checked before SQLite sees the file (so no -wal or
 * -shm files appear next to someone's spreadsheet), the schema version and
 * the table list are read before anything is written, and only then is WAL
 * switched on and the schema created or migrated, in one transaction.
 *
 * The schema version is PRAGMA user_version. Each version has one migration
 * step, steps[v] taking a database at version v to v + 1; version 0 is the
 * empty database. A new version appends a step and nothing else changes.
 *
 * Writers are other migsim processes (a sweep's jobs each hold a handle):
 * every write transaction starts with BEGIN IMMEDIATE so it takes the write
 * lock up front, and the busy timeout makes a second writer wait rather
 * than fail.
 */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#ifndef MIGSIM_VERSION
#define MIGSIM_VERSION "unknown"
#endif

#define BUSY_TIMEOUT_MS 5000

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *put_run, *put_metric, *put_sample, *put_note, *has_key;
};

/* --- schema ------------------------------------------------------------------ */

static const char schema_v1[] =
    "CREATE TABLE runs ("
    " id INTEGER PRIMARY KEY,"
    " key TEXT UNIQUE,"
    " experiment TEXT,"
    " workload TEXT NOT NULL,"
    " workload_path TEXT,"
    " wl_params TEXT,"
    " policy TEXT NOT NULL,"
    " config TEXT NOT NULL,"
    " seed INTEGER NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('completed', 'failed')),"
    " error TEXT,"
    " result TEXT,"
    " migsim_version TEXT NOT NULL,"
    " recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
    ");"
    "CREATE INDEX runs_experiment ON runs(experiment);"
    "CREATE INDEX runs_policy ON runs(policy);"
    "CREATE INDEX runs_workload ON runs(workload);"
    "CREATE TABLE metrics ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL,"
    " value REAL,"
    " PRIMARY KEY (run_id, name)"
    ") WITHOUT ROWID;"
    "CREATE INDEX metrics_name ON metrics(name);"
    "CREATE TABLE series ("
    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " t_ns INTEGER NOT NULL,"
    " phase INTEGER NOT NULL,"
    " remaining INTEGER NOT NULL,"
    " transferred INTEGER NOT NULL,"
    " mbps REAL,"
    " dirty_sync_count INTEGER NOT NULL,"
    " dirty_pages_rate REAL,"
    " guest_steps INTEGER NOT NULL,"
    " guest_rate REAL,"
    " throttle_pct REAL,"
    " PRIMARY KEY (run_id, t_ns)"
    ") WITHOUT ROWID;";

static int exec(sqlite3 *db, const char *sql, const char *what, err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	err_set(e, "%s: %s", what, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

static int step_create_v1(sqlite3 *db, err *e)
{
	return exec(db, schema_v1, "creating the schema", e);
}

/* Version 2: the notes on a run (issue 20). Older runs simply have none. */
static int step_notes_v2(sqlite3 *db, err *e)
{
	return exec(db,
		    "CREATE TABLE notes ("
		    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
		    " seq INTEGER NOT NULL,"
		    " kind TEXT NOT NULL,"
		    " text TEXT NOT NULL,"
		    " PRIMARY KEY (run_id, seq)"
		    ") WITHOUT ROWID;",
		    "adding the notes table", e);
}

/* Version 3: the policy's own name as a column (issue 22), filled for the
 * runs already stored from the config they were stored with. */
static int step_policy_name_v3(sqlite3 *db, err *e)
{
	static const char sql[] = "ALTER TABLE runs ADD COLUMN policy_name TEXT;"
				  "CREATE INDEX runs_policy_name ON runs(policy_name);"
				  "UPDATE runs SET policy_name = " STORE_POLICY_NAME_OF("config");
	return exec(db, sql, "adding runs.policy_name", e);
}

/* Version 4: the storage migration's progress in the series (issue 25).
 * Older runs, and runs without disks, have NULL there. */
static int step_disk_v4(sqlite3 *db, err *e)
{
	return exec(db,
		    "ALTER TABLE series ADD COLUMN disk_remaining INTEGER;"
		    "ALTER TABLE series ADD COLUMN disk_transferred INTEGER;",
		    "adding the series' disk columns", e);
}

/* Version 5 (issue 26): evacuations, each linking the
 * runs of its VMs' migrations, with its own figures and its links'
 * utilisation. */
static int step_evacuations_v5(sqlite3 *db, err *e)
{
	return exec(db,
		    "CREATE TABLE evacuations ("
		    " id INTEGER PRIMARY KEY,"
		    " experiment TEXT,"
		    " scenario TEXT NOT NULL,"
		    " links TEXT NOT NULL,"
		    " migsim_version TEXT NOT NULL,"
		    " recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
		    ");"
		    "CREATE TABLE evacuation_metrics ("
		    " evacuation_id INTEGER NOT NULL REFERENCES evacuations(id) ON DELETE CASCADE,"
		    " name TEXT NOT NULL,"
		    " value REAL,"
		    " PRIMARY KEY (evacuation_id, name)"
		    ") WITHOUT ROWID;"
		    "CREATE TABLE evacuation_runs ("
		    " evacuation_id INTEGER NOT NULL REFERENCES evacuations(id) ON DELETE CASCADE,"
		    " run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
		    " vm TEXT NOT NULL,"
		    " source TEXT NOT NULL,"
		    " destination TEXT NOT NULL,"
		    " start_ns INTEGER NOT NULL,"
		    " end_ns INTEGER NOT NULL,"
		    " PRIMARY KEY (evacuation_id, run_id)"
		    ") WITHOUT ROWID;"
		    "CREATE INDEX evacuation_runs_run ON evacuation_runs(run_id);",
		    "adding the evacuation tables", e);
}

/* steps[v] migrates version v to v + 1. */
static int (*const steps[])(sqlite3 *, err *) = {
    step_create_v1,
    step_notes_v2,
    step_policy_name_v3,
    step_disk_v4,
    step_evacuations_v5,
};

#define SCHEMA_VERSION ((int)(sizeof steps / sizeof steps[0]))

int store_schema_version(void)
{
	return SCHEMA_VERSION;
}

/* Reads one integer from a single-row query. */
static int query_int(sqlite3 *db, const char *sql, int *out, err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return err_set(e, "%s", sqlite3_errmsg(db));
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return err_set(e, "%s", sqlite3_errmsg(db));
	return 0;
}

static int read_version(sqlite3 *db, int *version, int *tables, err *e)
{
	if (query_int(db, "PRAGMA user_version", version, e) < 0)
		return -1;
	return query_int(db, "SELECT count(*) FROM sqlite_master", tables, e);
}

/* Refuses, without writing, a database this build must not touch. */
static int check_version(sqlite3 *db, const char *path, int *version, err *e)
{
	int v, tables;
	if (read_version(db, &v, &tables, e) < 0)
		return err_wrap(e, "%s", path);
	if (v == 0 && tables > 0 && sqlite3_get_autocommit(db)) {
		/* Perhaps another process is creating the schema right now: read
		 * again once its transaction is over (the write lock waits for it). */
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			return err_set(e, "%s: %s", path, sqlite3_errmsg(db));
		int rc = read_version(db, &v, &tables, e);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		if (rc < 0)
			return err_wrap(e, "%s", path);
	}
	if (v > SCHEMA_VERSION)
		return err_set(e,
			       "%s: schema version %d is newer than this migsim understands (%d)",
			       path, v, SCHEMA_VERSION);
	if (v < 0 || (v == 0 && tables > 0))
		return err_set(e,
			       "%s: a SQLite database but not migsim's (user_version %d, %d "
			       "schema objects)",
			       path, v, tables);
	*version = v;
	return 0;
}

/* Brings the schema to SCHEMA_VERSION in one transaction. The version is
 * read again under the write lock: another process may have got there. */
static int migrate(sqlite3 *db, const char *path, err *e)
{
	int v;
	if (exec(db, "BEGIN IMMEDIATE", path, e) < 0)
		return -1;
	if (check_version(db, path, &v, e) < 0)
		goto fail;
	for (; v < SCHEMA_VERSION; v++) {
		char sql[64];
		if (steps[v](db, e) < 0) {
			err_wrap(e, "%s: schema version %d to %d", path, v, v + 1);
			goto fail;
		}
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (exec(db, sql, path, e) < 0)
			goto fail;
	}
	if (exec(db, "COMMIT", path, e) < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* --- opening -------------------------------------------------------------- */

/* Checks, before SQLite opens it, that path is a place for a database: an
 * existing SQLite file, an empty file, or a new name in an existing
 * directory. */
static int check_file(const char *path, err *e)
{
	static const char magic[16] = "SQLite format 3";
	struct stat sb;
	if (stat(path, &sb) < 0) {
		if (errno != ENOENT)
			return err_set(e, "%s: %s", path, strerror(errno));
		const char *slash = strrchr(path, '/');
		if (!slash)
			return 0;
		char dir[4096];
		size_t n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof dir)
			return err_set(e, "%s: path too long", path);
		memcpy(dir, path, n);
		dir[n] = '\0';
		if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
			return err_set(e, "%s: directory %s does not exist", path, dir);
		return 0;
	}
	if (!S_ISREG(sb.st_mode))
		return err_set(e, "%s: not a regular file", path);
	if (sb.st_size == 0)
		return 0;
	char head[16] = {0};
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, "%s: %s", path, strerror(errno));
	size_t got = fread(head, 1, sizeof head, f);
	fclose(f);
	if (got != sizeof head || memcmp(head, magic, sizeof magic) != 0)
		return err_set(e, "%s: not a SQLite database", path);
	return 0;
}

static int prepare(store *s, sqlite3_stmt **st, const char *sql, err *e)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK)
		return 0;
	return err_set(e, "%s: preparing statements: %s", s->path, sqlite3_errmsg(s->db));
}

static int prepare_all(store *s, err *e)
{
	if (prepare(
		s, &s->put_run,
		"INSERT INTO runs (key, experiment, workload, workload_path, wl_params, policy,"
		" config, seed, status, error, result, migsim_version, policy_name)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, " STORE_POLICY_NAME_OF(
		    "?7") ")",
		e) < 0)
		return -1;
	if (prepare(s, &s->put_metric, "INSERT INTO metrics (run_id, name, value) VALUES (?, ?, ?)",
		    e) < 0)
		return -1;
	if (prepare(s, &s->put_sample,
		    "INSERT INTO series (run_id, t_ns, phase, remaining, transferred, mbps,"
		    " dirty_sync_count, dirty_pages_rate, guest_steps, guest_rate, throttle_pct,"
		    " disk_remaining, disk_transferred)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    e) < 0)
		return -1;
	if (prepare(s, &s->put_note,
		    "INSERT INTO notes (run_id, seq, kind, text) VALUES (?, ?, ?, ?)", e) < 0)
		return -1;
	return prepare(s, &s->has_key, "SELECT 1 FROM runs WHERE key = ?", e);
}

/* Switching to WAL needs the file to itself for a moment, and SQLite answers
 * BUSY at once instead of calling the busy handler when another process is
 * in the middle of opening the same new database: retry for the busy
 * timeout. */
static int set_wal(store *s, err *e)
{
	int rc = SQLITE_BUSY;
	for (int waited = 0; waited <= BUSY_TIMEOUT_MS; waited += 10) {
		rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			break;
		sqlite3_sleep(10);
	}
	if (rc != SQLITE_OK)
		return err_set(e, "%s: %s", s->path, sqlite3_errmsg(s->db));
	return 0;
}

/* Connection settings. WAL is switched on only after the version check:
 * it rewrites the file header. */
static int configure(store *s, err *e)
{
	int v;
	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS) != SQLITE_OK ||
	    exec(s->db, "PRAGMA foreign_keys = ON", s->path, e) < 0)
		return -1;
	if (check_version(s->db, s->path, &v, e) < 0)
		return -1;
	/* A file system without shared memory answers another journal mode;
	 * the database still works, only with less concurrency. */
	if (set_wal(s, e) < 0 || exec(s->db, "PRAGMA synchronous = NORMAL", s->path, e) < 0)
		return -1;
	return migrate(s->db, s->path, e);
}

int store_open(store **out, const char *path, err *e)
{
	*out = NULL;
	if (!path || !*path)
		return err_set(e, "no database file given");
	if (check_file(path, e) < 0)
		return -1;
	store *s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return err_set(e, "%s: out of memory", path);
	}
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		err_set(e, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
		store_close(s);
		return -1;
	}
	if (configure(s, e) < 0 || prepare_all(s, e) < 0) {
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void store_close(store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->put_run);
	sqlite3_finalize(s->put_metric);
	sqlite3_finalize(s->put_sample);
	sqlite3_finalize(s->put_note);
	sqlite3_finalize(s->has_key);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

/* --- writing ---------------------------------------------------------------- */

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a bound statement and makes it reusable; the message, taken before
 * the reset, says what was being written. */
static int run_stmt(store *s, sqlite3_stmt *st, int *code, const char *what, err *e)
{
	int rc = sqlite3_step(st);
	if (code)
		*code = rc;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err_set(e, "%s: %s", what, sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int put_row(store *s, const struct store_run *r, err *e)
{
	sqlite3_stmt *st = s->put_run;
	bind_text(st, 1, r->key);
	bind_text(st, 2, r->experiment);
	bind_text(st, 3, r->workload);
	bind_text(st, 4, r->workload_path);
	bind_text(st, 5, r->wl_params);
	bind_text(st, 6, r->policy);
	bind_text(st, 7, r->config);
	/* SQLite integers are signed: seeds above 2^63 - 1 wrap (docs/schema.md). */
	sqlite3_bind_int64(st, 8, (sqlite3_int64)r->seed);
	bind_text(st, 9, r->status);
	bind_text(st, 10, r->error);
	bind_text(st, 11, r->result);
	bind_text(st, 12, MIGSIM_VERSION);
	int rc;
	if (run_stmt(s, st, &rc, "runs", e) == 0)
		return 0;
	if (rc == SQLITE_CONSTRAINT_UNIQUE && r->key)
		return err_set(e, "run key \"%s\" already stored", r->key);
	return -1;
}

static int put_metrics(store *s, const struct store_run *r, sqlite3_int64 id, err *e)
{
	sqlite3_stmt *st = s->put_metric;
	for (size_t i = 0; i < r->n_metrics; i++) {
		const struct store_metric *m = &r->metrics[i];
		char what[160];
		sqlite3_bind_int64(st, 1, id);
		bind_text(st, 2, m->name);
		sqlite3_bind_double(st, 3, m->value); /* NaN is stored as NULL */
		snprintf(what, sizeof what, "metrics: \"%.100s\"", m->name ? m->name : "(null)");
		if (run_stmt(s, st, NULL, what, e) < 0)
			return -1;
	}
	return 0;
}

/* v, or NULL for -1 (no such quantity in this run). */
static void bind_optional(sqlite3_stmt *st, int i, int64_t v)
{
	if (v < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static int put_series(store *s, const struct store_run *r, sqlite3_int64 id, err *e)
{
	sqlite3_stmt *st = s->put_sample;
	for (size_t i = 0; i < r->n_series; i++) {
		const struct store_sample *x = &r->series[i];
		char what[64];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, x->t_ns);
		sqlite3_bind_int(st, 3, x->phase);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)x->remaining);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)x->transferred);
		sqlite3_bind_double(st, 6, x->mbps);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)x->dirty_sync_count);
		sqlite3_bind_double(st, 8, x->dirty_pages_rate);
		sqlite3_bind_int64(st, 9, (sqlite3_int64)x->guest_steps);
		sqlite3_bind_double(st, 10, x->guest_rate);
		sqlite3_bind_double(st, 11, x->throttle_pct);
		bind_optional(st, 12, x->disk_remaining);
		bind_optional(st, 13, x->disk_transferred);
		snprintf(what, sizeof what, "series: sample at t=%lld ns", (long long)x->t_ns);
		if (run_stmt(s, st, NULL, what, e) < 0)
			return -1;
	}
	return 0;
}

static int put_notes(store *s, const struct store_run *r, sqlite3_int64 id, err *e)
{
	sqlite3_stmt *st = s->put_note;
	for (size_t i = 0; i < r->n_notes; i++) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		bind_text(st, 3, r->notes[i].kind);
		bind_text(st, 4, r->notes[i].text);
		if (run_stmt(s, st, NULL, "notes", e) < 0)
			return -1;
	}
	return 0;
}

int store_put_run(store *s, const struct store_run *run, int64_t *run_id, err *e)
{
	if (!run->status || (strcmp(run->status, "completed") && strcmp(run->status, "failed")))
		return err_set(e, "run status \"%s\" is neither completed nor failed",
			       run->status ? run->status : "(null)");
	if (exec(s->db, "BEGIN IMMEDIATE", s->path, e) < 0)
		return -1;
	sqlite3_int64 id = 0;
	if (put_row(s, run, e) < 0)
		goto fail;
	id = sqlite3_last_insert_rowid(s->db);
	if (put_metrics(s, run, id, e) < 0 || put_series(s, run, id, e) < 0 ||
	    put_notes(s, run, id, e) < 0 || exec(s->db, "COMMIT", s->path, e) < 0)
		goto fail;
	if (run_id)
		*run_id = id;
	return 0;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Prepares, binds through bind(ctx, st, i) for each of n rows, runs and
 * finalizes one statement. */
static int put_rows(store *s, const char *sql, size_t n,
		    void (*bind)(const void *ctx, sqlite3_stmt *st, size_t i), const void *ctx,
		    const char *what, err *e)
{
	sqlite3_stmt *st;
	if (prepare(s, &st, sql, e) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		bind(ctx, st, i);
		rc = run_stmt(s, st, NULL, what, e);
	}
	sqlite3_finalize(st);
	return rc;
}

struct evac_ctx {
	const struct store_evacuation *ev;
	sqlite3_int64 id;
};

static void bind_evacuation(const void *ctx, sqlite3_stmt *st, size_t i)
{
	const struct store_evacuation *ev = ((const struct evac_ctx *)ctx)->ev;
	(void)i;
	bind_text(st, 1, ev->experiment);
	bind_text(st, 2, ev->scenario);
	bind_text(st, 3, ev->links);
	bind_text(st, 4, MIGSIM_VERSION);
}

static void bind_evac_metric(const void *ctx, sqlite3_stmt *st, size_t i)
{
	const struct evac_ctx *c = ctx;
	sqlite3_bind_int64(st, 1, c->id);
	bind_text(st, 2, c->ev->metrics[i].name);
	sqlite3_bind_double(st, 3, c->ev->metrics[i].value);
}

static void bind_evac_run(const void *ctx, sqlite3_stmt *st, size_t i)
{
	const struct evac_ctx *c = ctx;
	const struct store_evac_run *r = &c->ev->runs[i];
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_int64(st, 2, r->run_id);
	bind_text(st, 3, r->vm);
	bind_text(st, 4, r->source);
	bind_text(st, 5, r->destination);
	sqlite3_bind_int64(st, 6, r->start_ns);
	sqlite3_bind_int64(st, 7, r->end_ns);
}

int store_put_evacuation(store *s, const struct store_evacuation *ev, int64_t *id, err *e)
{
	if (exec(s->db, "BEGIN IMMEDIATE", s->path, e) < 0)
		return -1;
	struct evac_ctx c = {ev, 0};
	if (put_rows(s,
		     "INSERT INTO evacuations (experiment, scenario, links, migsim_version)"
		     " VALUES (?, ?, ?, ?)",
		     1, bind_evacuation, &c, "evacuations", e) < 0)
		goto fail;
	c.id = sqlite3_last_insert_rowid(s->db);
	if (put_rows(s,
		     "INSERT INTO evacuation_metrics (evacuation_id, name, value) VALUES (?, ?, ?)",
		     ev->n_metrics, bind_evac_metric, &c, "evacuation_metrics", e) < 0 ||
	    put_rows(s,
		     "INSERT INTO evacuation_runs (evacuation_id, run_id, vm, source, destination,"
		     " start_ns, end_ns) VALUES (?, ?, ?, ?, ?, ?, ?)",
		     ev->n_runs, bind_evac_run, &c, "evacuation_runs", e) < 0 ||
	    exec(s->db, "COMMIT", s->path, e) < 0)
		goto fail;
	if (id)
		*id = c.id;
	return 0;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* --- reading ---------------------------------------------------------------- */

int store_has_key(store *s, const char *key, int *found, err *e)
{
	sqlite3_stmt *st = s->has_key;
	int rc;
	bind_text(st, 1, key);
	if (run_stmt(s, st, &rc, "runs: looking up a run key", e) < 0)
		return err_wrap(e, "%s", s->path);
	*found = rc == SQLITE_ROW;
	return 0;
}

const char *store_path(const store *s)
{
	return s->path;
}

int store_check_file(const char *path, err *e)
{
	return check_file(path, e);
}

int store_check_db(sqlite3 *db, const char *path, err *e)
{
	int v;
	return check_version(db, path, &v, e);
}

/* --- merging ------------------------------------------------------------------ */

/* The header says what SQLite would: bytes 0-15 the magic, 60-63 the
 * user_version (big-endian). Reading it refuses a file before any SQLite
 * connection could create -wal or -shm files beside it. */
int store_check_input(const char *path, err *e)
{
	struct stat sb;
	if (stat(path, &sb) < 0)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode) || sb.st_size < 100)
		return err_set(e, "%s: not a SQLite database", path);
	if (check_file(path, e) < 0)
		return -1;
	unsigned char h[100];
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, "%s: %s", path, strerror(errno));
	size_t got = fread(h, 1, sizeof h, f);
	fclose(f);
	if (got != sizeof h)
		return err_set(e, "%s: not a SQLite database", path);
	long v =
	    (long)((uint32_t)h[60] << 24 | (uint32_t)h[61] << 16 | (uint32_t)h[62] << 8 | h[63]);
	if (v > SCHEMA_VERSION)
		return err_set(e,
			       "%s: schema version %ld is newer than this migsim understands (%d)",
			       path, v, SCHEMA_VERSION);
	return 0;
}

#define RUN_COLS                                                                                   \
	"key, experiment, workload, workload_path, wl_params, policy, config, seed, status, "      \
	"error,"                                                                                   \
	" result, migsim_version, recorded_at"
#define N_RUN_COLS 13

/* The runs of one input as merge_all copies them, and the map from their
 * ids in the input to their ids in the output (copied or already there),
 * which the evacuations' links to runs are rewritten through. */
struct merge {
	sqlite3_stmt *sel, *by_key, *same, *ins, *metrics, *series, *map;
	sqlite3_stmt *notes; /* NULL when the input predates notes (version 1) */
	/* The input's evacuations; all NULL when it predates them (version 5) */
	sqlite3_stmt *ev_sel, *ev_same, *ev_ins, *ev_metrics, *ev_runs;
};

static void merge_finalize(struct merge *m)
{
	sqlite3_stmt *all[] = {m->sel,	  m->by_key,	 m->same,   m->ins,    m->metrics,
			       m->series, m->map,	 m->notes,  m->ev_sel, m->ev_same,
			       m->ev_ins, m->ev_metrics, m->ev_runs};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		sqlite3_finalize(all[i]);
}

/* A keyless run matches an identical one of the output that no other run of
 * this input matched (the lowest id first): the map stays one to one, so an
 * evacuation of two identical runs keeps two, and merging twice finds each
 * run where the first merge put it. */
static int merge_prepare(sqlite3 *db, struct merge *m, int src_version)
{
	if (src_version >= 2 &&
	    sqlite3_prepare_v2(db,
			       "INSERT INTO main.notes SELECT ?1, seq, kind, text FROM src.notes"
			       " WHERE run_id = ?2",
			       -1, &m->notes, NULL))
		return 1;
	const char *same = "SELECT id FROM main.runs WHERE key IS NULL AND experiment IS ?2 AND"
			   " workload IS ?3 AND workload_path IS ?4 AND wl_params IS ?5 AND"
			   " policy IS ?6 AND config IS ?7 AND seed IS ?8 AND status IS ?9 AND"
			   " error IS ?10 AND result IS ?11 AND migsim_version IS ?12 AND"
			   " recorded_at IS ?13 AND id NOT IN (SELECT dst FROM temp.merge_map)"
			   " ORDER BY id LIMIT 1";
	return sqlite3_prepare_v2(db, "SELECT id, " RUN_COLS " FROM src.runs ORDER BY id", -1,
				  &m->sel, NULL) ||
	       sqlite3_prepare_v2(db, "SELECT id FROM main.runs WHERE key = ?1", -1, &m->by_key,
				  NULL) ||
	       sqlite3_prepare_v2(db, same, -1, &m->same, NULL) ||
	       sqlite3_prepare_v2(db, "INSERT INTO temp.merge_map (src, dst) VALUES (?1, ?2)", -1,
				  &m->map, NULL) ||
	       sqlite3_prepare_v2(
		   db,
		   "INSERT INTO main.runs (" RUN_COLS ", policy_name) VALUES (?1, ?2,"
		   " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, " STORE_POLICY_NAME_OF(
		       "?7") ")",
		   -1, &m->ins, NULL) ||
	       sqlite3_prepare_v2(db,
				  "INSERT INTO main.metrics (run_id, name, value) SELECT ?1, name,"
				  " value FROM src.metrics WHERE run_id = ?2",
				  -1, &m->metrics, NULL) ||
	       sqlite3_prepare_v2(db,
				  src_version >= 3
				      ? "INSERT INTO main.series SELECT ?1, t_ns, phase, remaining,"
					" transferred, mbps, dirty_sync_count, dirty_pages_rate,"
					" guest_steps, guest_rate, throttle_pct, disk_remaining,"
					" disk_transferred FROM src.series WHERE run_id = ?2"
				      : "INSERT INTO main.series SELECT ?1, t_ns, phase, remaining,"
					" transferred, mbps, dirty_sync_count, dirty_pages_rate,"
					" guest_steps, guest_rate, throttle_pct, NULL, NULL"
					" FROM src.series WHERE run_id = ?2",
				  -1, &m->series, NULL);
}

/* An evacuation is already in the output when one there is identical in
 * every column (recorded_at included: evacuations have no key) and links
 * exactly its runs, mapped to the output, under the same VM names. Its
 * runs come through the map: an evacuation_runs row whose run is not in the
 * input (possible only with foreign keys off) is left out, in the copy
 * and in the comparison alike. MERGE_MAPPED: those links, mapped. */
#define MERGE_MAPPED                                                                               \
	" FROM src.evacuation_runs r JOIN temp.merge_map mm ON mm.src = r.run_id"                  \
	" WHERE r.evacuation_id = ?1"

static int merge_prepare_evac(sqlite3 *db, struct merge *m, int src_version)
{
	if (src_version < 5)
		return 0;
	static const char same[] =
	    "SELECT 1 FROM main.evacuations e WHERE e.experiment IS ?2 AND e.scenario IS ?3"
	    " AND e.links IS ?4 AND e.migsim_version IS ?5 AND e.recorded_at IS ?6"
	    " AND (SELECT count(*) FROM main.evacuation_runs o WHERE o.evacuation_id = e.id) ="
	    " (SELECT count(*)" MERGE_MAPPED ") AND NOT EXISTS (SELECT 1" MERGE_MAPPED
	    " AND NOT EXISTS (SELECT 1 FROM main.evacuation_runs o WHERE o.evacuation_id = e.id"
	    " AND o.run_id = mm.dst AND o.vm IS r.vm))";
	return sqlite3_prepare_v2(db,
				  "SELECT id, experiment, scenario, links, migsim_version,"
				  " recorded_at FROM src.evacuations ORDER BY id",
				  -1, &m->ev_sel, NULL) ||
	       sqlite3_prepare_v2(db, same, -1, &m->ev_same, NULL) ||
	       sqlite3_prepare_v2(db,
				  "INSERT INTO main.evacuations (experiment, scenario, links,"
				  " migsim_version, recorded_at) SELECT experiment, scenario,"
				  " links, migsim_version, recorded_at FROM src.evacuations"
				  " WHERE id = ?1",
				  -1, &m->ev_ins, NULL) ||
	       sqlite3_prepare_v2(db,
				  "INSERT INTO main.evacuation_metrics (evacuation_id, name,"
				  " value) SELECT ?2, name, value FROM src.evacuation_metrics"
				  " WHERE evacuation_id = ?1",
				  -1, &m->ev_metrics, NULL) ||
	       sqlite3_prepare_v2(db,
				  "INSERT INTO main.evacuation_runs (evacuation_id, run_id, vm,"
				  " source, destination, start_ns, end_ns) SELECT ?2, mm.dst,"
				  " r.vm, r.source, r.destination, r.start_ns,"
				  " r.end_ns" MERGE_MAPPED,
				  -1, &m->ev_runs, NULL);
}

/* Runs a bound lookup: *found is 1 with the first column in *id, or 0. */
static int lookup(store *s, sqlite3_stmt *st, int *found, sqlite3_int64 *id, const char *what,
		  err *e)
{
	int rc = sqlite3_step(st);
	*found = rc == SQLITE_ROW;
	if (*found && id)
		*id = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err_set(e, "%s: %s", what, sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Whether the output already holds the run the cursor is on: *id is its id
 * there. */
static int merge_present(store *s, struct merge *m, int *found, sqlite3_int64 *id, err *e)
{
	sqlite3_stmt *st = sqlite3_column_type(m->sel, 1) == SQLITE_NULL ? m->same : m->by_key;
	for (int i = 1; i <= N_RUN_COLS; i++)
		if (st == m->same || i == 1)
			sqlite3_bind_value(st, i, sqlite3_column_value(m->sel, i));
	return lookup(s, st, found, id, "merge: looking up a run", e);
}

/* Copies the run the cursor is on: *id is its new id. */
static int merge_copy(store *s, struct merge *m, sqlite3_int64 *id, err *e)
{
	for (int i = 1; i <= N_RUN_COLS; i++)
		sqlite3_bind_value(m->ins, i, sqlite3_column_value(m->sel, i));
	if (run_stmt(s, m->ins, NULL, "merge: runs", e) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	sqlite3_int64 old = sqlite3_column_int64(m->sel, 0);
	sqlite3_stmt *rest[] = {m->metrics, m->series, m->notes};
	const char *what[] = {"merge: metrics", "merge: series", "merge: notes"};
	for (int i = 0; i < 3; i++) {
		if (!rest[i])
			continue;
		sqlite3_bind_int64(rest[i], 1, *id);
		sqlite3_bind_int64(rest[i], 2, old);
		if (run_stmt(s, rest[i], NULL, what[i], e) < 0)
			return -1;
	}
	return 0;
}

/* The run the cursor is on: copied unless present, and mapped either way. */
static int merge_run(store *s, struct merge *m, struct store_merge_counts *n, err *e)
{
	int found;
	sqlite3_int64 id = 0;
	if (merge_present(s, m, &found, &id, e) < 0 || (!found && merge_copy(s, m, &id, e) < 0))
		return -1;
	if (found)
		n->present++;
	else
		n->copied++;
	sqlite3_bind_int64(m->map, 1, sqlite3_column_int64(m->sel, 0));
	sqlite3_bind_int64(m->map, 2, id);
	return run_stmt(s, m->map, NULL, "merge: mapping a run", e);
}

/* The evacuation the cursor is on: copied, with its metrics and its runs
 * under their ids in the output, unless present. */
static int merge_evac(store *s, struct merge *m, struct store_merge_counts *n, err *e)
{
	sqlite3_int64 old = sqlite3_column_int64(m->ev_sel, 0);
	for (int i = 1; i <= 6; i++)
		sqlite3_bind_value(m->ev_same, i, sqlite3_column_value(m->ev_sel, i - 1));
	int found;
	if (lookup(s, m->ev_same, &found, NULL, "merge: looking up an evacuation", e) < 0)
		return -1;
	if (found) {
		n->evac_present++;
		return 0;
	}
	sqlite3_bind_int64(m->ev_ins, 1, old);
	if (run_stmt(s, m->ev_ins, NULL, "merge: evacuations", e) < 0)
		return -1;
	sqlite3_int64 id = sqlite3_last_insert_rowid(s->db);
	sqlite3_stmt *rest[] = {m->ev_metrics, m->ev_runs};
	const char *what[] = {"merge: evacuation_metrics", "merge: evacuation_runs"};
	for (int i = 0; i < 2; i++) {
		sqlite3_bind_int64(rest[i], 1, old);
		sqlite3_bind_int64(rest[i], 2, id);
		if (run_stmt(s, rest[i], NULL, what[i], e) < 0)
			return -1;
	}
	n->evac_copied++;
	return 0;
}

/* Steps the cursor st through its rows, calling each(s, m, n, e) on each. */
static int merge_each(store *s, struct merge *m, sqlite3_stmt *st, struct store_merge_counts *n,
		      int (*each)(store *, struct merge *, struct store_merge_counts *, err *),
		      const char *in, err *e)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (each(s, m, n, e) < 0) {
			sqlite3_reset(st);
			return -1;
		}
	if (rc != SQLITE_DONE)
		err_set(e, "%s: %s", in, sqlite3_errmsg(s->db));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The map lives in the connection's temp database: written freely inside
 * the transaction, never in the output file. */
static int merge_map_create(store *s, err *e)
{
	return exec(s->db,
		    "DROP TABLE IF EXISTS temp.merge_map;"
		    "CREATE TEMP TABLE merge_map (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL"
		    " UNIQUE)",
		    "merge: the map of run ids", e);
}

/* The runs first, then the evacuations linking them, in one transaction. */
static int merge_all(store *s, const char *in, int version, struct store_merge_counts *n, err *e)
{
	struct merge m = {0};
	int rc = -1;
	if (merge_map_create(s, e) < 0)
		return -1;
	if (merge_prepare(s->db, &m, version) || merge_prepare_evac(s->db, &m, version)) {
		err_set(e, "%s: %s", in, sqlite3_errmsg(s->db));
		goto out;
	}
	if (exec(s->db, "BEGIN IMMEDIATE", s->path, e) < 0)
		goto out;
	if (merge_each(s, &m, m.sel, n, merge_run, in, e) < 0 ||
	    (m.ev_sel && merge_each(s, &m, m.ev_sel, n, merge_evac, in, e) < 0))
		goto rollback;
	if (exec(s->db, "COMMIT", s->path, e) == 0) {
		rc = 0;
		goto out;
	}
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	*n = (struct store_merge_counts){0};
out:
	merge_finalize(&m);
	sqlite3_exec(s->db, "DROP TABLE IF EXISTS temp.merge_map", NULL, NULL, NULL);
	return rc;
}

int store_merge(store *s, const char *in_path, struct store_merge_counts *n, err *e)
{
	*n = (struct store_merge_counts){0};
	if (store_check_input(in_path, e) < 0)
		return -1;
	sqlite3_stmt *att;
	if (sqlite3_prepare_v2(s->db, "ATTACH DATABASE ?1 AS src", -1, &att, NULL) != SQLITE_OK)
		return err_set(e, "%s: %s", in_path, sqlite3_errmsg(s->db));
	sqlite3_bind_text(att, 1, in_path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(att);
	sqlite3_finalize(att);
	if (rc != SQLITE_DONE)
		return err_set(e, "%s: %s", in_path, sqlite3_errmsg(s->db));
	int v, tables;
	rc = -1;
	if (query_int(s->db, "PRAGMA src.user_version", &v, e) < 0 ||
	    query_int(s->db, "SELECT count(*) FROM src.sqlite_master", &tables, e) < 0)
		err_wrap(e, "%s", in_path);
	else if (v > SCHEMA_VERSION)
		err_set(e, "%s: schema version %d is newer than this migsim understands (%d)",
			in_path, v, SCHEMA_VERSION);
	else if (v == 0 && tables > 0)
		err_set(e, "%s: a SQLite database but not migsim's (user_version 0)", in_path);
	else if (v == 0)
		rc = 0; /* empty: nothing to copy */
	else
		rc = merge_all(s, in_path, v, n, e);
	sqlite3_exec(s->db, "DETACH DATABASE src", NULL, NULL, NULL);
	return rc;
}
