/*
 * report_evac — evacuation charts for the report (see report_evac.h). Read
 * straight from the evacuation tables through a read-only connection of its
 * own; a run's span comes from evacuation_runs, its switch-over and pause
 * from its reply's "migsim" object, post-copy from its post-copy bytes.
 */
#include "report_evac.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct segs {
	double *x, *y;
	size_t n, cap;
};

static int push(struct segs *s, double x, double y)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		double *nx = realloc(s->x, cap * sizeof *nx);
		if (nx)
			s->x = nx;
		double *ny = realloc(s->y, cap * sizeof *ny);
		if (ny)
			s->y = ny;
		if (!nx || !ny)
			return -1;
		s->cap = cap;
	}
	s->x[s->n] = x;
	s->y[s->n++] = y;
	return 0;
}

/* A bar from x0 to x1 at height y: a line, broken after it. */
static int seg(struct segs *s, double x0, double x1, double y)
{
	return push(s, x0, y) < 0 || push(s, x1, y) < 0 || push(s, NAN, NAN) < 0 ? -1 : 0;
}

enum { PRECOPY, PAUSE, POSTCOPY, CANCELLED, N_KINDS };

static const char *const kind_label[] = {"pre-copy", "guest paused", "post-copy", "cancelled"};
static const char *const kind_color[] = {"#0072b2", "#d55e00", "#009e73", "#999999"};

static const char runs_sql[] =
    "SELECT er.vm, er.start_ns, er.end_ns, r.status,"
    " json_extract(r.result, '$.migsim.\"switchover-ns\"'),"
    " json_extract(r.result, '$.migsim.\"guest-pause-ns\"'),"
    " (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'postcopy-bytes')"
    " FROM evacuation_runs er JOIN runs r ON r.id = er.run_id"
    " WHERE er.evacuation_id = ? ORDER BY er.start_ns, er.vm";

/* One bar per VM, at y = its row (1 = the first to start). */
static int gantt_bars(sqlite3 *db, sqlite3_int64 id, struct segs *k, size_t *rows, FILE *html,
		      err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, runs_sql, -1, &st, NULL) != SQLITE_OK)
		return err_set(e, "evacuation_runs: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, id);
	int rc = 0;
	fputs("<p>Rows, from the bottom: ", html);
	*rows = 0;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		double y = (double)++*rows;
		double start = (double)sqlite3_column_int64(st, 1);
		double end = (double)sqlite3_column_int64(st, 2);
		int done = !strcmp((const char *)sqlite3_column_text(st, 3), "completed");
		double stop = start + sqlite3_column_double(st, 4);
		double pause = sqlite3_column_double(st, 5);
		int post = sqlite3_column_double(st, 6) > 0;
		fprintf(html, "%s%zu %s", *rows > 1 ? ", " : "", *rows,
			(const char *)sqlite3_column_text(st, 0));
		if (!done)
			rc = seg(&k[CANCELLED], start, end, y);
		else if (seg(&k[PRECOPY], start, stop, y) < 0 ||
			 seg(&k[PAUSE], stop, stop + pause, y) < 0 ||
			 (post && seg(&k[POSTCOPY], stop + pause, end, y) < 0))
			rc = -1;
	}
	fputs(".</p>\n", html);
	sqlite3_finalize(st);
	/* A lone point half a row above the top bar: no line, but room for it. */
	if (rc == 0 &&
	    (push(&k[PRECOPY], 0, (double)*rows + 0.5) < 0 || push(&k[PRECOPY], NAN, NAN) < 0))
		rc = -1;
	return rc < 0 ? err_set(e, "out of memory") : 0;
}

static int gantt(sqlite3 *db, sqlite3_int64 id, FILE *html, report_emit_fn emit, void *ctx, err *e)
{
	struct segs k[N_KINDS] = {{0}};
	size_t rows = 0;
	int rc = gantt_bars(db, id, k, &rows, html, e);
	char title[64], name[64];
	snprintf(title, sizeof title, "Evacuation %lld: the migrations", (long long)id);
	chart *c = rc == 0 ? chart_new(title, e) : NULL;
	if (rc == 0 && !c)
		rc = -1;
	if (rc == 0) {
		chart_set_axis(
		    c, CHART_X,
		    &(chart_axis){.title = "Time since the evacuation began", .unit = CHART_NS}, e);
		chart_set_axis(c, CHART_Y, &(chart_axis){.title = "VM (row)", .unit = CHART_PLAIN},
			       e);
		for (int i = 0; i < N_KINDS; i++)
			if (k[i].n)
				chart_line(c, kind_label[i], k[i].x, k[i].y, k[i].n,
					   &(chart_style){.color = kind_color[i]}, e);
		snprintf(name, sizeof name, "evac-%lld-gantt", (long long)id);
		rc = emit(ctx, c, name, title);
	}
	for (int i = 0; i < N_KINDS; i++)
		free(k[i].x), free(k[i].y);
	return rc;
}

/* The links column: each drained NIC's utilisation every period-ns. */
static int links(sqlite3 *db, sqlite3_int64 id, report_emit_fn emit, void *ctx, err *e)
{
	static const char sql[] =
	    "SELECT json_extract(l.value, '$.host'), json_extract(l.value, '$.\"period-ns\"'),"
	    " u.key, u.value FROM evacuations ev, json_each(ev.links) l,"
	    " json_each(l.value, '$.utilisation') u WHERE ev.id = ? ORDER BY l.key, u.key";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return err_set(e, "evacuations: %s", sqlite3_errmsg(db));
	sqlite3_bind_int64(st, 1, id);
	char title[64], name[64], host[64] = "";
	snprintf(title, sizeof title, "Evacuation %lld: the drained NICs' utilisation",
		 (long long)id);
	chart *c = chart_new(title, e);
	struct segs s = {0};
	int rc = c ? 0 : -1;
	if (c) {
		chart_set_axis(
		    c, CHART_X,
		    &(chart_axis){.title = "Time since the evacuation began", .unit = CHART_NS}, e);
		chart_set_axis(
		    c, CHART_Y,
		    &(chart_axis){.title = "Utilisation", .unit = CHART_PLAIN, .unit_text = "%"},
		    e);
	}
	size_t i = 0;
	for (int more = 1; rc == 0 && more;) {
		more = sqlite3_step(st) == SQLITE_ROW;
		const char *h = more ? (const char *)sqlite3_column_text(st, 0) : "";
		if ((!more || strcmp(h, host)) && s.n) { /* the last host's line */
			chart_line(c, host, s.x, s.y, s.n, &(chart_style){.color = NULL}, e);
			s.n = 0;
		}
		if (!more)
			break;
		snprintf(host, sizeof host, "%s", h ? h : "?");
		double period = sqlite3_column_double(st, 1);
		i = (size_t)sqlite3_column_int64(st, 2);
		double t = period * (double)(i + 1);
		if (push(&s, t, sqlite3_column_double(st, 3) * 100) < 0)
			rc = err_set(e, "out of memory");
	}
	sqlite3_finalize(st);
	free(s.x), free(s.y);
	if (rc == 0) {
		snprintf(name, sizeof name, "evac-%lld-links", (long long)id);
		return emit(ctx, c, name, title);
	}
	chart_free(c);
	return -1;
}

int report_evac(const char *path, const char *experiment, FILE *html, report_emit_fn emit,
		void *ctx, err *e)
{
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return err_set(e, "%s: cannot open", path);
	}
	sqlite3_stmt *st;
	int rc = 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT id, experiment FROM evacuations WHERE ?1 IS NULL OR"
			       " experiment = ?1 ORDER BY id DESC LIMIT ?2",
			       -1, &st, NULL) != SQLITE_OK) {
		sqlite3_close(db); /* a database from before evacuations */
		return 0;
	}
	if (experiment)
		sqlite3_bind_text(st, 1, experiment, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, REPORT_EVAC_MAX);
	int first = 1;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(st, 0);
		if (first)
			fprintf(html,
				"<h2>Evacuations</h2>\n<p>The latest %d at most; each VM's "
				"run is also among the runs above.</p>\n",
				REPORT_EVAC_MAX);
		first = 0;
		fprintf(html, "<h3>Evacuation %lld</h3>\n", (long long)id);
		rc = gantt(db, id, html, emit, ctx, e);
		if (rc == 0)
			rc = links(db, id, emit, ctx, e);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
