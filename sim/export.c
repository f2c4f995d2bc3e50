/*
 * export — `migsim export [--db FILE] --format csv|json [--experiment NAME]
 * [--series]` (declared in compare.h with the other read-side commands).
 *
 * One row per run: its identity (id, experiment, workload, policy, seed,
 * status, error, version), then every setting (sim/query.h's flattened
 * config, sorted), then every metric (the union over the runs, sorted), so a
 * spreadsheet or pandas gets one column per quantity. `--series` writes the
 * time series instead, one row per sample. CSV follows RFC 4180 (CRLF, a
 * field with a comma, quote or line break is quoted, quotes doubled); JSON
 * is an array of flat objects with the same names as the CSV header, so
 * both formats read the same way.
 */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "query.h"
#include "units.h"

static const char export_usage[] =
    "usage: migsim export [--db FILE] --format csv|json [--experiment NAME] [--series]\n"
    "\n"
    "Writes the stored runs to stdout, one row per run: id, experiment, workload,\n"
    "policy, seed, status, error, migsim-version, every setting of the run and\n"
    "every metric (docs/schema.md gives their units). With --series, the time\n"
    "series instead: one row per sample (run id, workload, policy, seed, t_ns, ...).\n"
    "\n"
    "  --db FILE          the database (default results/migsim.db)\n"
    "  --format F         csv (RFC 4180) or json (an array of objects)\n"
    "  --experiment NAME  only the runs of this experiment\n"
    "  --series           the time series rather than one row per run\n";

/* Identity columns, before the settings; settings already shown here are
 * not repeated. */
static const char *const id_cols[] = {"id",   "experiment", "workload", "policy",
				      "seed", "status",	    "error",	"migsim-version"};
#define N_ID (sizeof id_cols / sizeof *id_cols)

static const char *const series_cols[] = {"run-id",
					  "experiment",
					  "workload",
					  "policy",
					  "seed",
					  "t_ns",
					  "phase",
					  "remaining",
					  "transferred",
					  "mbps",
					  "dirty_sync_count",
					  "dirty_pages_rate",
					  "guest_steps",
					  "guest_rate",
					  "throttle_pct"};
#define N_SERIES (sizeof series_cols / sizeof *series_cols)

struct out {
	int json;
	size_t col; /* column within the current row */
	int first_row;
	jw w;
};

static void csv_field(const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void row_begin(struct out *o)
{
	o->col = 0;
	if (o->json)
		jw_obj(&o->w, NULL);
}

static void row_end(struct out *o)
{
	if (o->json)
		jw_end(&o->w);
	else
		fputs("\r\n", stdout);
}

static void sep(struct out *o)
{
	if (!o->json && o->col++)
		putchar(',');
}

/* A field: text for CSV; for JSON, `json` (already encoded) when given,
 * else the text as a string (NULL: null). */
static void field(struct out *o, const char *name, const char *text, const char *json)
{
	sep(o);
	if (!o->json)
		csv_field(text);
	else if (json)
		jw_raw(&o->w, name, json);
	else
		jw_str(&o->w, name, text);
}

static void field_num(struct out *o, const char *name, double v, int present)
{
	char buf[40];
	if (!present || isnan(v))
		field(o, name, NULL, "null");
	else
		field(o, name, units_fmt_number(buf, sizeof buf, v), buf);
}

static void header(struct out *o, const char *const *a, size_t na, char **b, size_t nb, char **c,
		   size_t nc)
{
	if (o->json)
		return;
	row_begin(o);
	for (size_t i = 0; i < na; i++)
		field(o, a[i], a[i], NULL);
	for (size_t i = 0; i < nb; i++)
		field(o, b[i], b[i], NULL);
	for (size_t i = 0; i < nc; i++)
		field(o, c[i], c[i], NULL);
	row_end(o);
}

static int shown_as_id(const char *setting)
{
	return !strcmp(setting, "seed") || !strcmp(setting, "workload") ||
	       !strcmp(setting, "policy");
}

static void id_fields(struct out *o, const query_run *r, const char *id_name)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)r->id);
	field(o, id_name, buf, buf);
	field(o, "experiment", r->experiment, NULL);
	field(o, "workload", r->workload, NULL);
	field(o, "policy", r->policy, NULL);
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)r->seed);
	field(o, "seed", buf, buf);
}

static void export_runs(struct out *o, const query_set *s, char **st, size_t nst, char **mt,
			size_t nmt)
{
	header(o, id_cols, N_ID, st, nst, mt, nmt);
	for (size_t i = 0; i < s->n; i++) {
		const query_run *r = &s->runs[i];
		row_begin(o);
		id_fields(o, r, "id");
		field(o, "status", r->status, NULL);
		field(o, "error", r->error, NULL);
		field(o, "migsim-version", r->version, NULL);
		for (size_t k = 0, j = 0; k < nst; k++) {
			while (j < r->n_settings && strcmp(r->settings[j].name, st[k]) < 0)
				j++;
			const query_setting *v =
			    j < r->n_settings && !strcmp(r->settings[j].name, st[k])
				? &r->settings[j]
				: NULL;
			field(o, st[k], v ? v->value : NULL, v ? v->json : "null");
		}
		for (size_t k = 0; k < nmt; k++) {
			double v = NAN;
			int has = query_metric_get(r, mt[k], &v);
			field_num(o, mt[k], v, has);
		}
		row_end(o);
	}
}

static int export_series(struct out *o, query *q, const query_set *s, err *e)
{
	header(o, series_cols, N_SERIES, NULL, 0, NULL, 0);
	for (size_t i = 0; i < s->n; i++) {
		struct store_sample *x;
		size_t n;
		if (query_series(q, s->runs[i].id, &x, &n, e) < 0)
			return -1;
		for (size_t k = 0; k < n; k++) {
			const double v[] = {(double)x[k].t_ns,
					    x[k].phase,
					    (double)x[k].remaining,
					    (double)x[k].transferred,
					    x[k].mbps,
					    (double)x[k].dirty_sync_count,
					    x[k].dirty_pages_rate,
					    (double)x[k].guest_steps,
					    x[k].guest_rate,
					    x[k].throttle_pct};
			row_begin(o);
			id_fields(o, &s->runs[i], "run-id");
			for (size_t c = 0; c < sizeof v / sizeof *v; c++)
				field_num(o, series_cols[5 + c], v[c], 1);
			row_end(o);
		}
		free(x);
	}
	return 0;
}

struct export_opts {
	const char *db, *format, *experiment;
	int series;
};

static int parse_export(struct export_opts *x, int argc, char **argv)
{
	x->db = "results/migsim.db";
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--series")) {
			x->series = 1;
			continue;
		}
		const char **dst = !strcmp(a, "--db")		? &x->db
				   : !strcmp(a, "--format")	? &x->format
				   : !strcmp(a, "--experiment") ? &x->experiment
								: NULL;
		if (!dst)
			return cli_fail(CLI_EXIT_ERROR, "unknown option", a);
		if (i + 1 >= argc)
			return cli_fail(CLI_EXIT_ERROR, "option needs a value", a);
		*dst = argv[++i];
	}
	if (!x->format)
		return cli_fail(CLI_EXIT_ERROR, "--format csv or --format json is required",
				"migsim export");
	if (strcmp(x->format, "csv") && strcmp(x->format, "json"))
		return cli_fail(CLI_EXIT_ERROR, "unknown format (csv, json)", x->format);
	return 0;
}

static int do_export(const struct export_opts *x, query *q, query_set *s, err *e)
{
	struct out o = {.json = !strcmp(x->format, "json")};
	char **st = NULL, **mt = NULL, **all = NULL;
	size_t nst = 0, nmt = 0, nall = 0;
	if (query_setting_names(s, &all, &nall, e) < 0 || query_metric_names(s, &mt, &nmt, e) < 0) {
		free(all);
		return -1;
	}
	st = malloc((nall + 1) * sizeof *st);
	for (size_t i = 0; st && i < nall; i++)
		if (!shown_as_id(all[i]))
			st[nst++] = all[i];
	int rc = st ? 0 : err_set(e, "out of memory");
	if (o.json) {
		jw_init(&o.w, 1);
		jw_arr(&o.w, NULL);
	}
	if (rc == 0 && x->series)
		rc = export_series(&o, q, s, e);
	else if (rc == 0)
		export_runs(&o, s, st, nst, mt, nmt);
	if (o.json) {
		jw_end(&o.w);
		if (rc == 0 && !jw_text(&o.w))
			rc = err_set(e, "out of memory");
		if (rc == 0)
			printf("%s\n", jw_text(&o.w));
		jw_free(&o.w);
	}
	free(st);
	free(all);
	free(mt);
	return rc;
}

int export_main(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(export_usage, stdout);
		return 0;
	}
	struct export_opts x = {0};
	int rc = parse_export(&x, argc, argv);
	if (rc)
		return rc;
	err e = {{0}};
	query *q;
	query_filter f;
	query_set s;
	memset(&f, 0, sizeof f);
	f.experiment = x.experiment;
	if (query_open(&q, x.db, &e) < 0)
		return cli_fail(CLI_EXIT_ERROR, e.msg, "--db");
	if (query_load(q, &f, &s, &e) < 0) {
		query_close(q);
		return cli_fail(CLI_EXIT_ERROR, e.msg, "--db");
	}
	rc = do_export(&x, q, &s, &e) < 0 ? cli_fail(CLI_EXIT_ERROR, e.msg, "export") : 0;
	query_set_free(&s);
	query_close(q);
	return rc;
}
