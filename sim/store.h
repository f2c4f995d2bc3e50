/*
 * store — the SQLite database of runs (default results/migsim.db). A run is
 * written in one transaction (BEGIN IMMEDIATE, busy timeout) together with its
 * metrics and time series, so a failed or interrupted write leaves nothing
 * half-written. WAL mode; the schema version lives in PRAGMA user_version and
 * docs/schema.md describes every table and column.
 *
 * Opening refuses, and leaves untouched, a file that is not a SQLite
 * database or whose schema is newer than this migsim understands.
 */
#ifndef MIGSIM_STORE_H
#define MIGSIM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct store store;

struct store_metric {
	const char *name; /* a query-migrate name ("total-time") or a migsim one */
	double value;     /* in the unit docs/schema.md gives for that name */
};

/* One point of the time series, sampled every 100 ms of simulated time. */
struct store_sample {
	int64_t t_ns;            /* simulated time since the run began */
	int phase;               /* enum mig_phase (sim/mig.h): setup, active, stopped, postcopy, done */
	uint64_t remaining;      /* bytes still dirty (query-migrate "remaining") */
	uint64_t transferred;    /* bytes sent so far */
	double mbps;             /* link throughput over the last sample interval, Mbit/s */
	uint64_t dirty_sync_count;
	double dirty_pages_rate; /* pages/s, as QEMU last computed it */
	uint64_t guest_steps;    /* workload steps completed so far */
	double guest_rate;       /* steps per second over the last sample interval */
	double throttle_pct;     /* cpu-throttle-percentage, 0 when not throttling */
	/* The storage migration's job (sim/storage.h): bytes it still has to
	 * copy and bytes it has sent; -1 (stored as NULL) without one. */
	int64_t disk_remaining, disk_transferred;
};

/* A note on a run: a warning that explains one of its numbers
 * (sim/result.c writes them; docs/schema.md lists the kinds). */
struct store_note {
	const char *kind; /* "max-bandwidth", "downtime", ... */
	const char *text; /* one line */
};

struct store_run {
	const char *key;           /* identity of the run (sweeps); NULL for none */
	const char *experiment;    /* NULL for `migsim run` */
	const char *workload;      /* the script's name field */
	const char *workload_path; /* as given */
	const char *wl_params;     /* JSON object: every workload parameter, resolved */
	const char *policy;        /* short label: "precopy", "xbzrle", ... */
	const char *config;        /* JSON object: every setting of the run */
	uint64_t seed;
	const char *status;        /* "completed" or "failed" */
	const char *error;         /* why it failed; NULL when completed */
	const char *result;        /* JSON: the query-migrate-shaped reply */
	const struct store_metric *metrics;
	size_t n_metrics;
	const struct store_sample *series;
	size_t n_series;
	const struct store_note *notes;
	size_t n_notes;
};

/* Opens (creating file and schema if needed) the database at path. */
int store_open(store **out, const char *path, err *e);
void store_close(store *s);
/* Writes the run, its metrics, series and notes in one transaction. */
int store_put_run(store *s, const struct store_run *run, int64_t *run_id, err *e);

/* An evacuation (sim/evac.h): its VMs' runs, already stored, and its own
 * figures (docs/schema.md). */
struct store_evac_run {
	int64_t run_id;
	const char *vm, *source, *destination;
	int64_t start_ns, end_ns; /* since the evacuation began */
};

struct store_evacuation {
	const char *experiment; /* NULL for none */
	const char *scenario;	/* JSON: the options that gave it */
	const char *links;	/* JSON: each drained NIC's bytes and utilisation */
	const struct store_metric *metrics;
	size_t n_metrics;
	const struct store_evac_run *runs;
	size_t n_runs;
};

/* Writes the evacuation, its metrics and its links to runs in one
 * transaction. */
int store_put_evacuation(store *s, const struct store_evacuation *ev, int64_t *id, err *e);
/* Schema version this build writes (PRAGMA user_version). */
int store_schema_version(void);
/* Whether a run with this key is stored (for sweeps that resume): *found is
 * 1 or 0. */
int store_has_key(store *s, const char *key, int *found, err *e);
/* Checks, reading only its header, that path is a migsim database this build
 * can read (an input of store_merge): refuses a missing or non-SQLite file
 * and a newer schema without opening it with SQLite. */
int store_check_input(const char *path, err *e);

struct store_merge_counts {
	size_t copied;  /* runs written to the output */
	size_t present; /* runs the output already held */
	size_t evac_copied, evac_present; /* evacuations, likewise */
};

/* Copies into s, in one transaction, the runs of the database at in_path that
 * s does not hold: a run with a key when no run of s has that key, a run
 * without one when no keyless run of s is identical in every column
 * (recorded_at included) and not already matched by another run of the
 * input. Metrics, series and notes come with their run. Then its
 * evacuations that s does not hold (none identical in every column linking
 * the same runs), with their metrics and their links to runs rewritten to
 * the runs' ids in s. The input is only read. */
int store_merge(store *s, const char *in_path, struct store_merge_counts *n, err *e);

/* SQL for a run's policy as the experiment named it ("xb64" where
 * runs.policy says "precopy+xbzrle"), from the text of its config column: a
 * sweep records it there, a single run has none (NULL). runs.policy_name
 * (schema version 3) holds it; the writer, the migration, merge and readers
 * of older databases (sim/query.c) all use this one expression. */
#define STORE_POLICY_NAME_OF(config)                                                               \
	"CASE WHEN json_valid(" config ") THEN"                                                    \
	" json_extract(" config ", '$.sweep.policy.name') END"

/* The path the store was opened with. */
const char *store_path(const store *s);

/* The refusals of store_open, for readers that open the file themselves
 * (sim/query.c): store_check_file before SQLite opens path (an existing
 * SQLite file, an empty file or a new name), store_check_db on the open
 * handle (schema not newer than this build's, and ours). Neither writes. */
struct sqlite3;
int store_check_file(const char *path, err *e);
int store_check_db(struct sqlite3 *db, const char *path, err *e);

#endif
