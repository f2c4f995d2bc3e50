/*
 * query — the read side of the run database (sim/store.c writes it;
 * docs/schema.md describes it). `report`, `compare` and `export` all come
 * through here: open a database read-only, select runs with filters such as
 * `policy=precopy,experiment=cache`, load them with their metrics and their
 * settings, put runs equal in everything but the seed into groups, and read
 * a run's time series.
 *
 * A run's settings are its configuration flattened into sorted name=value
 * pairs: the workload ("workload"), each workload parameter ("wl.NAME"),
 * each top-level config field ("ram-bytes", "capabilities", ...) and each
 * migration parameter by its QEMU name ("xbzrle-cache-size"). Values are
 * text: strings as they are, numbers as SQLite prints them, arrays and
 * objects as JSON. Groups are built from them (docs/compare.md, "Groups").
 */
#ifndef MIGSIM_QUERY_H
#define MIGSIM_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

typedef struct query query;

/* What a filter can select on; also the settings a group leaves out. */
enum {
	QUERY_BY_POLICY = 1 << 0,
	QUERY_BY_EXPERIMENT = 1 << 1,
	QUERY_BY_WORKLOAD = 1 << 2,
	QUERY_BY_STATUS = 1 << 3,
	QUERY_BY_POLICY_NAME = 1 << 4, /* a sweep's own name of the policy */
};

/* Selection of runs; a NULL field selects everything. */
typedef struct query_filter {
	const char *policy, *experiment, *workload, *status;
	const char *policy_name; /* runs.policy_name: "xb64" */
	unsigned keys;		 /* QUERY_BY_* of the fields set */
	char buf[512];		 /* the parsed text the fields point into */
} query_filter;

typedef struct query_setting {
	char *name;
	char *value; /* text (see above) */
	char *json;  /* the same value as JSON: strings quoted */
} query_setting;

typedef struct query_metric {
	char *name;
	double value; /* NaN when stored as NULL */
} query_metric;

typedef struct query_run {
	int64_t id;
	uint64_t seed;
	char *experiment; /* NULL for `migsim run` */
	char *workload, *wl_params, *policy, *config, *status, *error, *result, *version;
	char *policy_name;	 /* the experiment's name of the policy ("xb64"); NULL
				    for a single run (runs.policy_name) */
	query_setting *settings; /* sorted by name */
	size_t n_settings;
	query_metric *metrics; /* sorted by name */
	size_t n_metrics;
} query_run;

typedef struct query_set {
	query_run *runs; /* in id order */
	size_t n;
} query_set;

typedef struct query_group {
	char *key;    /* canonical "name=value;..." of the settings compared */
	size_t *runs; /* indices into the set, in id order */
	size_t n;
} query_group;

/* Parses "key=value[,key=value]..." (keys policy, experiment, workload,
 * status, policy-name) into f; "" or NULL selects everything. */
int query_parse_filter(const char *text, query_filter *f, err *e);
/* Splits "PATH[:FILTER]" into path (copied into path, n bytes) and filter.
 * The colon is a filter's only when what follows it contains '='. */
int query_parse_source(const char *arg, char *path, size_t n, query_filter *f, err *e);

/* Opens path read-only; refuses a missing file and anything store_open
 * would refuse. */
int query_open(query **out, const char *path, err *e);
void query_close(query *q);

/* Loads every run f selects (NULL: all), with settings and metrics. */
int query_load(query *q, const query_filter *f, query_set *out, err *e);
void query_set_free(query_set *s);

/* The run's metric: 1 and *v when stored, 0 when absent. */
int query_metric_get(const query_run *r, const char *name, double *v);
/* The run's setting as text, or NULL. */
const char *query_setting_get(const query_run *r, const char *name);
/* Sorted union of the metric names of every run; *names is one allocation. */
int query_metric_names(const query_set *s, char ***names, size_t *n, err *e);
/* Sorted union of setting names. */
int query_setting_names(const query_set *s, char ***names, size_t *n, err *e);

/* Whether a setting takes part in grouping when the QUERY_BY_* in `without`
 * are left out: never the seed, the workload's path (a path differs
 * between checkouts, the workload's name and parameters do not) or a
 * sweep's record of the run ("sweep": it holds the seed and the version). */
int query_setting_grouped(const char *name, unsigned without);
/* Groups runs equal in every grouped setting, in order of first run. */
int query_group_runs(const query_set *s, unsigned without, query_group **out, size_t *n, err *e);
/* The same, leaving the settings named in skip out of the key as well. */
int query_group_runs_skip(const query_set *s, unsigned without, const char *const *skip,
			  size_t n_skip, query_group **out, size_t *n, err *e);
void query_groups_free(query_group *g, size_t n);
/* A setting's value as a user would type it, exact (sim/units.h): a
 * bandwidth (stored in bytes/s) as "1Gbit/s", sizes "64MiB", durations
 * "100us"; others, and what is not a number, as stored; NULL is "(none)". */
void query_setting_text(const char *name, const char *value, char *buf, size_t n);

/* The unit docs/schema.md gives a metric ("ms", "bytes", "pages", "ratio",
 * ...; "" when unknown), and whether a larger value is better (guest
 * progress, throughput) rather than worse (times, bytes). */
const char *query_metric_unit(const char *name);
int query_metric_higher_better(const char *name);

/* The run's time series in time order; *out is malloc'd (free it). */
int query_series(query *q, int64_t run_id, struct store_sample **out, size_t *n, err *e);

/* The run's notes (warnings that explain its numbers), in order, one a
 * line, as one malloc'd string in *out; NULL when it has none (and in a
 * database written before notes existed, schema version 1). */
int query_notes(query *q, int64_t run_id, char **out, err *e);

/* When things happened in a run, from its result JSON (ns since the start):
 * its pre-copy passes (migsim.passes: start, end, pages pending at the start,
 * pages and wire bytes sent), the switch-over (-1 when none) and the end.
 * *passes is malloc'd. */
typedef struct query_pass {
	int64_t start, end;
	uint64_t dirty, pages, bytes;
} query_pass;
typedef struct query_marks {
	query_pass *passes;
	size_t n_passes;
	int64_t switchover, end;
} query_marks;
int query_run_marks(query *q, int64_t run_id, query_marks *out, err *e);
#endif
