/*
 * result — what a run reports: the query-migrate-shaped JSON reply (with a
 * `migsim` object for what QEMU has no field for), the short human summary,
 * and the metrics and settings written to the database. One place decides
 * names and units so the three never disagree.
 */
#ifndef MIGSIM_RESULT_H
#define MIGSIM_RESULT_H

#include <stdio.h>

#include "json.h"
#include "run.h"
#include "store.h"

/* A short label for the run's policy: "precopy", "precopy+xbzrle",
 * "stop-and-copy", ... written into buf. */
char *result_policy(const struct run_config *c, char *buf, size_t n);
/* Every setting of the run as one JSON object (stored with the run). */
void result_config_json(const struct run_config *c, jw *w);
/* The reply of `migsim run --json`. */
void result_json(const struct run_config *c, const struct run_result *r, jw *w);
/* The human summary of `migsim run`. */
void result_summary(const struct run_config *c, const struct run_result *r, FILE *out);
/* Room for every metric a run can have (result_metrics). */
#define RESULT_METRICS_MAX 64
/* Fills at most cap metrics (names and units as docs/schema.md); returns how
 * many the run has, which is more than cap when some did not fit. */
size_t result_metrics(const struct run_result *r, struct store_metric *m, size_t cap);
/* Guest progress: steps during the migration / steps without it (1 = no cost). */
double result_progress(const struct run_result *r);
/* The failure window: the longer of its RAM part (post-copy) and its disk
 * part (postcopy-stream), both from the cut-over. */
int64_t result_risk_window(const struct run_result *r);

/* The notes on a run: warnings that explain a surprising number, one line
 * each (docs/model.md, "Notes on a run", gives every rule). The notes
 * point into the texts: use them while `out` lives. */
#define RESULT_MAX_NOTES 6
#define RESULT_NOTE_LEN	 1024
struct result_notes {
	struct store_note note[RESULT_MAX_NOTES];
	char text[RESULT_MAX_NOTES][RESULT_NOTE_LEN];
	size_t n;
};
void result_notes(const struct run_config *c, const struct run_result *r, struct result_notes *out);

/* What a sweep adds to a stored run: its key, its experiment, and the
 * canonical JSON the key hashes (stored in the config as "sweep"). */
struct result_sweep {
	const char *key;
	const char *experiment;
	const char *canonical;
};

/* Writes the run (row, metrics, series) to db in one transaction: the one
 * place `migsim run` and `migsim sweep` build a store_run. sw is NULL for a
 * single run; reply is the result_json text. */
int result_record(store *db, const struct run_config *c, const struct run_result *r,
		  const char *reply, const struct result_sweep *sw, int64_t *id, err *e);

#endif
