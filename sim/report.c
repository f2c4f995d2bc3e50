/*
 * report — `migsim report` (see report.h; docs/report.md lists the files).
 *
 * The stored runs are read once through sim/query.c and grouped by
 * everything but the seed. The report then has four parts, each a list of
 * charts drawn with sim/chart.h plus the HTML and Markdown that show them:
 *
 *   per workload: which policy wins, per metric (ranked by median, the
 *   winner's margin and whether `compare`'s Mann–Whitney verdict holds);
 *   median bars with min–max whiskers over seeds for
 *   downtime, total time and bytes transferred, one bar per group (policy
 *   and whatever else differs), the mean post-copy fault wait when post-copy
 *   ran, and a table of medians;
 *   per swept parameter: when a setting (other than the policy) that is a
 *   number varies between a workload's groups, each metric against it, one
 *   line per policy; small multiples, one panel per value of a second
 *   varying setting; one set of charts per value of any further one, held;
 *   the time series overlaid: per workload (and combination of the other
 *   varying settings), one chart per quantity, one line per policy through
 *   its median-seed run, its events marked in its colour; and per pass of
 *   those runs, the bytes sent and the pages dirtied, one bar per policy;
 *   per run, every run: a page with two timelines, pending bytes with
 *   throughput, and guest progress with the throttle, with pass starts,
 *   switch-over and completion marked; a run with a storage migration has
 *   a third, its job's progress with the disk's risk window.
 *
 * A run shorter than the sample interval is drawn from its passes
 * (run_points serves both the overlaid series and the timelines).
 *
 * Nothing here invents data: what the database does not hold (the
 * individual post-copy fault waits) is said to be missing in the report.
 */
#include "report.h"
#include "report_evac.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chart.h"
#include "cli.h"
#include "compare.h"
#include "query.h"
#include "stats.h"

#define MAX_BAR_CATS 24 /* bar clusters (settings besides the policy) per chart */
#define MAX_VARYING  8

static const char report_usage[] =
    "usage: migsim report [--db FILE] [--experiment NAME] [-o DIR]\n"
    "\n"
    "Draws the stored runs: per workload, which policy wins each metric (by\n"
    "median, with its margin and whether it holds across seeds); downtime, total\n"
    "time and bytes per policy (median bars, min-max whiskers over seeds); metric\n"
    "against a swept parameter (one panel per value of a second one, the rest\n"
    "held, said in the page); the time series (transferred, remaining,\n"
    "throughput, dirty rate, throttle) overlaid, one line per policy; bytes sent\n"
    "and pages dirtied per pass, one bar per policy; per run, every run, a page\n"
    "of timelines (runs/runID.html). Each chart is written as SVG and PNG into\n"
    "DIR, with index.html (open it in a browser; no network needed) and\n"
    "summary.md.\n"
    "\n"
    "  --db FILE          the database (default results/migsim.db)\n"
    "  --experiment NAME  only the runs of this experiment\n"
    "  -o DIR             output directory (default results/report)\n";

struct rep {
	const char *dir;
	query *q;
	query_set set;
	query_group *groups;
	size_t n_groups;
	const char **policies; /* in order of first run: a policy's colour is its index */
	size_t n_policies;
	FILE *html, *md;
	size_t n_charts;
	err *e;
};

/* --- files ------------------------------------------------------------------------ */

static int mkdirs(const char *path, err *e)
{
	char p[4096];
	if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
		return err_set(e, "%s: path too long", path);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			return err_set(e, "%s: %s", p, strerror(errno));
		if (!(*s = c))
			break;
	}
	return 0;
}

static void html_text(FILE *f, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
}

static void md_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("|*_`[]<>\\", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

/* An <img> of src.svg (relative to the page) with a link to the PNG. */
static void figure_sized(FILE *html, const char *src, const char *caption, int width, int height)
{
	fprintf(html,
		"<figure><a href=\"%s.svg\"><img src=\"%s.svg\" width=\"%d\" height=\"%d\" "
		"alt=\"",
		src, src, width, height);
	html_text(html, caption);
	fputs("\" onload=\"imgOk()\" onerror=\"imgBad(this)\"></a><figcaption>", html);
	html_text(html, caption);
	fprintf(html, " (<a href=\"%s.png\">PNG</a>)</figcaption></figure>\n", src);
}

static void figure(FILE *html, const char *src, const char *caption)
{
	figure_sized(html, src, caption, 800, 500);
}

/* Writes chart c (freed) as DIR/name.svg and .png. */
static int write_chart(struct rep *r, chart *c, const char *name)
{
	char base[4200];
	snprintf(base, sizeof base, "%s/%s", r->dir, name);
	int rc = chart_write(c, base, r->e);
	chart_free(c);
	if (rc < 0)
		return err_wrap(r->e, "%s", name);
	r->n_charts++;
	return 0;
}

/* Writes chart c (of the size given to chart_set_size) as DIR/name.svg and
 * .png and shows it in both pages. */
static int emit_sized(struct rep *r, chart *c, const char *name, const char *caption, int width,
		      int height)
{
	if (write_chart(r, c, name) < 0)
		return -1;
	figure_sized(r->html, name, caption, width, height);
	fprintf(r->md, "- [");
	md_text(r->md, caption);
	fprintf(r->md, "](%s.svg) ([PNG](%s.png))\n", name, name);
	return 0;
}

static int emit(struct rep *r, chart *c, const char *name, const char *caption)
{
	return emit_sized(r, c, name, caption, 800, 500);
}

static int emit_cb(void *ctx, chart *c, const char *name, const char *caption)
{
	return emit(ctx, c, name, caption);
}

/* --- groups and their labels ------------------------------------------------------ */

static const query_run *first(const struct rep *r, const query_group *g)
{
	return &r->set.runs[g->runs[0]];
}

/* A run's policy as the report names it: the experiment's own name
 * (runs.policy_name, "xb64") when a sweep stored one, else the label of
 * its mechanism ("precopy+xbzrle"). */
static const char *run_policy(const query_run *run)
{
	return run->policy_name ? run->policy_name : run->policy;
}

static int same_workload(const query_run *a, const query_run *b)
{
	return !strcmp(a->workload, b->workload) &&
	       !strcmp(a->wl_params ? a->wl_params : "", b->wl_params ? b->wl_params : "");
}

/* A workload's groups: indices into r->groups. */
struct wl {
	size_t *g;
	size_t n;
	const char *varying[MAX_VARYING]; /* settings (not policy) that differ */
	size_t n_varying;
	int postcopy;
	int multifd; /* some run sent multifd bytes */
	/* Bar clusters: the groups' values of the varying settings. */
	size_t *cat; /* per group: its cluster */
	char (*cat_label)[256];
	size_t n_cats;
};

static int same_setting(const query_run *a, const query_run *b, const char *name)
{
	const char *x = query_setting_get(a, name), *y = query_setting_get(b, name);
	return x == y || (x && y && !strcmp(x, y));
}

/* Whether a setting varies between a workload's groups as a swept setting
 * does. A named policy (a sweep's) owns its settings: one that differs
 * only between named policies, each with one value (xb64's cache size
 * against xb8's), is part of the policy, not a sweep. */
static int is_varying(const struct rep *r, const struct wl *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		for (size_t k = i + 1; k < w->n; k++) {
			const query_run *a = first(r, &r->groups[w->g[i]]);
			const query_run *b = first(r, &r->groups[w->g[k]]);
			if (same_setting(a, b, name))
				continue;
			if (!a->policy_name || !b->policy_name ||
			    !strcmp(a->policy_name, b->policy_name))
				return 1;
		}
	return 0;
}

static void find_varying(const struct rep *r, struct wl *w)
{
	const query_run *run = first(r, &r->groups[w->g[0]]);
	for (size_t i = 0; i < run->n_settings && w->n_varying < MAX_VARYING; i++) {
		const char *name = run->settings[i].name;
		if (query_setting_grouped(name, QUERY_BY_POLICY | QUERY_BY_WORKLOAD) &&
		    is_varying(r, w, name))
			w->varying[w->n_varying++] = name;
	}
}

static size_t policy_index(const struct rep *r, const char *policy)
{
	size_t i = 0;
	while (i < r->n_policies && strcmp(r->policies[i], policy))
		i++;
	return i;
}

static int find_policies(struct rep *r)
{
	if (!(r->policies = malloc((r->set.n + 1) * sizeof *r->policies)))
		return err_set(r->e, "out of memory");
	for (size_t i = 0; i < r->set.n; i++)
		if (policy_index(r, run_policy(&r->set.runs[i])) == r->n_policies)
			r->policies[r->n_policies++] = run_policy(&r->set.runs[i]);
	return 0;
}

/* A policy looks the same in every chart of the report. */
static chart_style policy_style(const struct rep *r, const char *policy)
{
	return chart_palette_style(policy_index(r, policy));
}

/* A swept setting's axis in the unit its values are shown in
 * (query_setting_text, which gives migration parameters the unit
 * params_format_stored writes): a bandwidth in Gbit/s (stored in bytes/s),
 * sizes in binary units, durations in time (stored in ms or ns). */
struct param_axis {
	char title[200];
	chart_unit unit;
	const char *unit_text;
	double scale; /* stored value to the axis's */
};

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), k = strlen(end);
	return n >= k && !strcmp(s + n - k, end);
}

static void param_axis(const char *name, struct param_axis *a)
{
	static const char bps[] = "-bytes-per-s";
	char one[64];
	query_setting_text(name, "1", one, sizeof one); /* "1ms", "1B", "1B/s", "1" */
	a->unit = CHART_PLAIN;
	a->unit_text = "";
	a->scale = 1;
	snprintf(a->title, sizeof a->title, "%s", name);
	if (strstr(name, "bandwidth")) {
		if (ends_with(name, bps))
			a->title[strlen(name) - (sizeof bps - 1)] = '\0';
		a->unit_text = "Gbit/s";
		a->scale = 8 / 1e9;
	} else if (!strcmp(one, "1ms") || !strcmp(one, "1ns")) {
		a->unit = CHART_NS;
		a->scale = one[1] == 'm' ? 1e6 : 1;
	} else if (!strcmp(one, "1B"))
		a->unit = CHART_BYTES;
}

/* The groups of a workload that are equal in the named settings share a
 * combination: of[i] for group i, numbered in order of first run, each
 * labelled by the settings in their units ("bandwidth 10Gbit/s, ...").
 * Bar clusters, sweep panels and sweep sets are such combinations. */
struct combos {
	size_t *of;
	char (*label)[256];
	size_t n;
};

static void combos_free(struct combos *c)
{
	free(c->of);
	free(c->label);
	memset(c, 0, sizeof *c);
}

static void combo_label(const query_run *run, const char *const *names, size_t n_names, char *l,
			size_t size)
{
	size_t len = 0;
	l[0] = '\0';
	for (size_t v = 0; v < n_names && len < size; v++) {
		char t[64];
		struct param_axis pa;
		param_axis(names[v], &pa);
		query_setting_text(names[v], query_setting_get(run, names[v]), t, sizeof t);
		len += (size_t)snprintf(l + len, size - len, "%s%s %s", v ? ", " : "", pa.title, t);
	}
}

static int find_combos(const struct rep *r, const struct wl *w, const char *const *names,
		       size_t n_names, struct combos *c)
{
	memset(c, 0, sizeof *c);
	c->of = malloc((w->n + 1) * sizeof *c->of);
	c->label = malloc((w->n + 1) * sizeof *c->label);
	if (!c->of || !c->label) {
		combos_free(c);
		return err_set(r->e, "out of memory");
	}
	for (size_t i = 0; i < w->n; i++) {
		const query_run *run = first(r, &r->groups[w->g[i]]);
		size_t k = 0;
		for (; k < i; k++) {
			const query_run *o = first(r, &r->groups[w->g[k]]);
			size_t v = 0;
			while (v < n_names && same_setting(run, o, names[v]))
				v++;
			if (v == n_names)
				break;
		}
		if (k < i) {
			c->of[i] = c->of[k];
			continue;
		}
		c->of[i] = c->n;
		combo_label(run, names, n_names, c->label[c->n++], sizeof *c->label);
		if (!n_names)
			snprintf(c->label[c->n - 1], sizeof *c->label, "%s", run->workload);
	}
	return 0;
}

/* Groups equal in the varying settings share a bar cluster, named by them. */
static int find_cats(const struct rep *r, struct wl *w)
{
	struct combos c;
	if (find_combos(r, w, w->varying, w->n_varying, &c) < 0)
		return -1;
	w->cat = c.of;
	w->cat_label = c.label;
	w->n_cats = c.n;
	return 0;
}

/* A policy label short enough for a chart's axis ("precopy+postcopy-ram@
 * after-first-pass" is "postcopy@after-first-pass"); tables keep the full one. */
static void short_policy(const char *p, char *buf, size_t n)
{
	static const char pre[] = "precopy+", pc[] = "postcopy-ram@";
	if (!strncmp(p, pre, sizeof pre - 1))
		p += sizeof pre - 1;
	const char *at = strstr(p, pc);
	if (at)
		snprintf(buf, n, "%.*spostcopy@%s", (int)(at - p), p, at + sizeof pc - 1);
	else
		snprintf(buf, n, "%s", p);
}

static void group_label(const struct rep *r, const struct wl *w, size_t gi, char *buf, size_t n)
{
	const query_run *run = first(r, &r->groups[gi]);
	size_t len = (size_t)snprintf(buf, n, "%s", run_policy(run));
	for (size_t i = 0; i < w->n_varying && len < n; i++) {
		char t[64];
		query_setting_text(w->varying[i], query_setting_get(run, w->varying[i]), t,
				   sizeof t);
		len += (size_t)snprintf(buf + len, n - len, " %s=%s", w->varying[i], t);
	}
}

static int completed(const query_run *run)
{
	return run->status && !strcmp(run->status, "completed");
}

/* QEMU reports a downtime only for a migration that completed (a failed
 * one's query-migrate has none); the store keeps 0 for a failed run, which
 * a chart or a table must not read as no downtime at all. */
static int completion_only(const char *metric)
{
	return !strcmp(metric, "downtime") || !strcmp(metric, "guest-pause") ||
	       !strcmp(metric, "effective-downtime");
}

/* Per run of a group (only those completed, with only_completed): the
 * metric (or a/b for a ratio metric "a/b"), times scale. */
static size_t values_where(const struct rep *r, const query_group *g, const char *metric,
			   const char *per, double scale, int only_completed, double *out)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++) {
		const query_run *run = &r->set.runs[g->runs[i]];
		double v, d = 1;
		if (only_completed && !completed(run))
			continue;
		if (!query_metric_get(run, metric, &v) || isnan(v))
			continue;
		if (per && (!query_metric_get(run, per, &d) || !(d > 0)))
			continue;
		out[n++] = v / d * scale;
	}
	return n;
}

static size_t group_values(const struct rep *r, const query_group *g, const char *metric,
			   const char *per, double scale, double *out)
{
	return values_where(r, g, metric, per, scale, completion_only(metric), out);
}

/* --- per workload: bars -------------------------------------------------------------- */

struct bar_spec {
	const char *metric, *per, *title, *file;
	chart_unit unit;
	double scale; /* stored unit to the chart's: ms to ns */
};

static const struct bar_spec bar_specs[] = {
    {"downtime", NULL, "Downtime", "downtime", CHART_NS, 1e6},
    {"total-time", NULL, "Total migration time", "total-time", CHART_NS, 1e6},
    {"transferred", NULL, "Bytes transferred", "transferred", CHART_BYTES, 1},
    {"postcopy-blocktime", "postcopy-requests", "Mean post-copy fault wait", "fault-wait", CHART_NS,
     1e6},
};

/* The median, min and max of a group's metric (NaN when it has none). */
static void group_summary(const struct rep *r, const query_group *g, const struct bar_spec *b,
			  double *v, double *med, double *lo, double *hi)
{
	size_t n = group_values(r, g, b->metric, b->per, b->scale, v);
	stats_summary s = {0};
	*med = *lo = *hi = NAN;
	if (n && stats_summarize(v, n, &s, NULL) == 0)
		*med = s.median, *lo = s.min, *hi = s.max;
}

/* One cluster per combination of the varying settings, one bar per policy in
 * the policy's colour, named in the legend. */
static int bars(struct rep *r, const struct wl *w, size_t wi, const struct bar_spec *b)
{
	size_t nc = w->n_cats;
	const char **names = malloc(nc * sizeof *names);
	double *med = malloc(3 * nc * sizeof *med), *lo = med + nc, *hi = lo + nc;
	double *v = malloc((r->set.n + 1) * sizeof *v);
	char *done = calloc(w->n, 1);
	chart *c = NULL;
	int rc = 0, any = 0;
	const query_run *run = first(r, &r->groups[w->g[0]]);
	char title[512], file[128], caption[640];
	snprintf(title, sizeof title, "%s: %s", b->title, run->workload);
	if (!names || !med || !v || !done || !(c = chart_new(title, r->e))) {
		rc = c ? -1 : err_set(r->e, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < nc; k++)
		names[k] = w->cat_label[k];
	chart_set_axis(c, CHART_X, &(chart_axis){.title = w->n_varying ? "Setting" : "Workload"},
		       r->e);
	chart_set_axis(c, CHART_Y, &(chart_axis){.title = b->title, .unit = b->unit}, r->e);
	chart_categories(c, names, nc, r->e);
	for (size_t i = 0; i < w->n; i++) {
		const char *pol = run_policy(first(r, &r->groups[w->g[i]]));
		if (done[i])
			continue;
		for (size_t k = 0; k < nc; k++)
			med[k] = lo[k] = hi[k] = NAN;
		for (size_t k = i; k < w->n; k++) {
			const query_group *g = &r->groups[w->g[k]];
			size_t ck = w->cat[k];
			if (done[k] || strcmp(run_policy(first(r, g)), pol))
				continue;
			done[k] = 1;
			group_summary(r, g, b, v, &med[ck], &lo[ck], &hi[ck]);
			any |= !isnan(med[ck]);
		}
		char label[256];
		short_policy(pol, label, sizeof label);
		chart_style st = policy_style(r, pol);
		chart_bars(c, label, med, lo, hi, &st, r->e);
	}
	snprintf(file, sizeof file, "wl%zu-%s", wi + 1, b->file);
	snprintf(caption, sizeof caption, "%s per policy (median, min-max over seeds)", title);
	if (any) {
		rc = emit(r, c, file, caption);
		c = NULL;
	}
out:
	chart_free(c);
	free(names), free(med), free(v), free(done);
	return rc;
}

/* --- per workload: a swept parameter ---------------------------------------------------- */

static int numeric(const char *s, double *v)
{
	char *end;
	*v = strtod(s, &end);
	return end != s && !*end && isfinite(*v);
}

static int by_x(const void *a, const void *b)
{
	const double *p = a, *q = b;
	return (p[0] > q[0]) - (p[0] < q[0]);
}

#define MAX_PANELS     12 /* panels of one sweep chart */
#define MAX_SWEEP_SETS 4  /* sweep charts per metric, one per value of the settings held */
#define PANEL_COLUMNS  3
#define PANEL_ROW_H    230 /* pixels per row of panels */

/* How a workload's sweep is drawn: x, a setting whose values are numbers,
 * on the x axis; when a second setting varies, one panel per value of it
 * (`panel`); when more vary, one chart per combination of the others,
 * held within it (`sets`). */
struct sweep_plan {
	const char *x, *panel;
	const char *held[MAX_VARYING];
	size_t n_held;
	struct combos panels, sets;
	size_t *panel_place; /* per panel combination: its panel, in order of value */
	size_t n_panels;     /* drawn: at most MAX_PANELS */
};

static void plan_free(struct sweep_plan *sp)
{
	combos_free(&sp->panels);
	combos_free(&sp->sets);
	free(sp->panel_place);
}

/* Whether every group has a number for the setting. */
static int numeric_setting(const struct rep *r, const struct wl *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++) {
		const char *v = query_setting_get(first(r, &r->groups[w->g[i]]), name);
		double d;
		if (!v || !numeric(v, &d))
			return 0;
	}
	return 1;
}

static size_t distinct_values(const struct rep *r, const struct wl *w, const char *name)
{
	struct combos c;
	if (find_combos(r, w, &name, 1, &c) < 0)
		return 0;
	size_t n = c.n;
	combos_free(&c);
	return n;
}

/* Panel k's value, for ordering panels: a number, or its place of first run. */
static double panel_value(const struct rep *r, const struct wl *w, const struct sweep_plan *sp,
			  size_t k)
{
	size_t i = 0;
	while (sp->panels.of[i] != k)
		i++;
	double v;
	const char *t = query_setting_get(first(r, &r->groups[w->g[i]]), sp->panel);
	return t && numeric(t, &v) && numeric_setting(r, w, sp->panel) ? v : (double)k;
}

/* Chooses the settings' roles: on the x axis the numeric setting with the
 * most values, in panels the other with the most, the rest held. 0 when
 * no varying setting is a number (no sweep chart). */
static int plan_sweep(const struct rep *r, const struct wl *w, struct sweep_plan *sp)
{
	size_t best = 0, best_panel = 0;
	memset(sp, 0, sizeof *sp);
	for (size_t v = 0; v < w->n_varying; v++) {
		size_t n = distinct_values(r, w, w->varying[v]);
		if (numeric_setting(r, w, w->varying[v]) && n > best)
			best = n, sp->x = w->varying[v];
	}
	if (!sp->x)
		return 0;
	for (size_t v = 0; v < w->n_varying; v++) {
		size_t n = distinct_values(r, w, w->varying[v]);
		if (w->varying[v] != sp->x && n > best_panel)
			best_panel = n, sp->panel = w->varying[v];
	}
	for (size_t v = 0; v < w->n_varying; v++)
		if (w->varying[v] != sp->x && w->varying[v] != sp->panel)
			sp->held[sp->n_held++] = w->varying[v];
	if (find_combos(r, w, &sp->panel, sp->panel ? 1 : 0, &sp->panels) < 0 ||
	    find_combos(r, w, sp->held, sp->n_held, &sp->sets) < 0 ||
	    !(sp->panel_place = calloc(sp->panels.n + 1, sizeof *sp->panel_place)))
		return err_set(r->e, "out of memory");
	for (size_t k = 0; sp->panel && k < sp->panels.n; k++) /* places in order of value */
		for (size_t o = 0; o < sp->panels.n; o++) {
			double a = panel_value(r, w, sp, o), b = panel_value(r, w, sp, k);
			sp->panel_place[k] += a < b || (a == b && o < k);
		}
	sp->n_panels = sp->panels.n < MAX_PANELS ? sp->panels.n : MAX_PANELS;
	return 1;
}

/* Set h of a sweep, one chart per metric: one line per policy through
 * (x value, median of the metric), in each panel; the panels share both
 * axes, so they compare at a glance. */
static int sweep_chart(struct rep *r, const struct wl *w, size_t wi, const struct sweep_plan *sp,
		       size_t h, const struct bar_spec *b)
{
	const query_run *run0 = first(r, &r->groups[w->g[0]]);
	double *pts = malloc(2 * (w->n + 1) * sizeof *pts), *x = malloc((w->n + 1) * sizeof *x),
	       *y = malloc((w->n + 1) * sizeof *y), *v = malloc((r->set.n + 1) * sizeof *v);
	const char **titles = calloc(sp->n_panels + 1, sizeof *titles);
	double xmin = INFINITY, xmax = -INFINITY;
	int rc = 0, lines = 0, width = 800, height = 500;
	chart *c = NULL;
	char title[700], file[160];
	struct param_axis pa;
	param_axis(sp->x, &pa);
	snprintf(title, sizeof title, "%s against %s: %s%s%s", b->title, pa.title, run0->workload,
		 sp->sets.n > 1 ? ", " : "", sp->sets.n > 1 ? sp->sets.label[h] : "");
	if (!pts || !x || !y || !v || !titles || !(c = chart_new(title, r->e))) {
		rc = c ? -1 : err_set(r->e, "out of memory");
		goto out;
	}
	if (sp->panel) {
		int cols = sp->n_panels < PANEL_COLUMNS ? (int)sp->n_panels : PANEL_COLUMNS;
		int rows = (int)((sp->n_panels + (size_t)cols - 1) / (size_t)cols);
		width = cols < PANEL_COLUMNS ? 800 : 1100;
		height = 140 + PANEL_ROW_H * rows > 500 ? 140 + PANEL_ROW_H * rows : 500;
		for (size_t k = 0; k < sp->panels.n; k++)
			if (sp->panel_place[k] < sp->n_panels)
				titles[sp->panel_place[k]] = sp->panels.label[k];
		chart_set_size(c, width, height, r->e);
		chart_panels(c, titles, sp->n_panels, cols, r->e);
	}
	for (size_t i = 0; i < w->n; i++) {
		double p;
		if (sp->sets.of[i] == h && sp->panel_place[sp->panels.of[i]] < sp->n_panels &&
		    numeric(query_setting_get(first(r, &r->groups[w->g[i]]), sp->x), &p))
			xmin = fmin(xmin, p * pa.scale), xmax = fmax(xmax, p * pa.scale);
	}
	int logx = xmin > 0 && xmax / xmin >= 16;
	chart_set_axis(c, CHART_X,
		       &(chart_axis){.title = pa.title,
				     .unit = pa.unit,
				     .unit_text = pa.unit_text,
				     .log_base = logx ? (pa.unit == CHART_BYTES ? 2 : 10) : 0,
				     .tight = 1},
		       r->e);
	chart_set_axis(c, CHART_Y, &(chart_axis){.title = b->title, .unit = b->unit}, r->e);
	for (size_t pi = 0; pi < r->n_policies; pi++)
		for (size_t q = 0; q < sp->n_panels; q++) {
			const char *pol = r->policies[pi];
			size_t np = 0;
			for (size_t k = 0; k < w->n; k++) {
				const query_run *rk = first(r, &r->groups[w->g[k]]);
				double p;
				if (sp->sets.of[k] != h || sp->panel_place[sp->panels.of[k]] != q ||
				    strcmp(run_policy(rk), pol))
					continue;
				size_t n = group_values(r, &r->groups[w->g[k]], b->metric, b->per,
							b->scale, v);
				if (!n || !numeric(query_setting_get(rk, sp->x), &p))
					continue;
				pts[2 * np] = p * pa.scale;
				pts[2 * np + 1] = stats_median(v, n);
				np++;
			}
			qsort(pts, np, 2 * sizeof *pts, by_x);
			for (size_t k = 0; k < np; k++)
				x[k] = pts[2 * k], y[k] = pts[2 * k + 1];
			if (!np)
				continue;
			chart_style st = policy_style(r, pol);
			char label[256];
			st.markers = 1;
			st.panel = q;
			short_policy(pol, label, sizeof label);
			chart_line(c, label, x, y, np, &st, r->e);
			lines++;
		}
	if (sp->sets.n > 1)
		snprintf(file, sizeof file, "wl%zu-h%zu-sweep-%s", wi + 1, h + 1, b->file);
	else
		snprintf(file, sizeof file, "wl%zu-sweep-%s", wi + 1, b->file);
	if (lines) {
		char caption[1100], pp[300] = "";
		if (sp->panel)
			snprintf(pp, sizeof pp, "; one panel per value of %s, axes shared",
				 sp->panel);
		snprintf(caption, sizeof caption, "%s (median over seeds, one line per policy%s)",
			 title, pp);
		rc = emit_sized(r, c, file, caption, width, height);
		c = NULL;
	}
out:
	chart_free(c);
	free(pts), free(x), free(y), free(v), free(titles);
	return rc;
}

static void note(struct rep *r, const char *text);

/* What the page says of a sweep's plan: which setting is where, and what
 * was held or left out, never a silent "too many". */
static void sweep_notes(struct rep *r, const struct sweep_plan *sp)
{
	char t[1200], held[600] = "", more[300] = ", all drawn";
	size_t len = 0;
	if (!sp->panel)
		return;
	if (sp->panels.n > sp->n_panels)
		snprintf(more, sizeof more,
			 ": the %zu smallest are drawn (at most %d panels a chart), the other %zu "
			 "are in the tables above",
			 sp->n_panels, MAX_PANELS, sp->panels.n - sp->n_panels);
	snprintf(t, sizeof t,
		 "Sweep charts: %s on the x axis, one panel per value of %s (%zu values%s).", sp->x,
		 sp->panel, sp->panels.n, more);
	note(r, t);
	if (!sp->n_held)
		return;
	for (size_t i = 0; i < sp->n_held && len < sizeof held; i++)
		len += (size_t)snprintf(held + len, sizeof held - len, "%s%s", i ? ", " : "",
					sp->held[i]);
	snprintf(more, sizeof more, ", all drawn");
	if (sp->sets.n > MAX_SWEEP_SETS)
		snprintf(more, sizeof more,
			 ": the first %d are drawn, the other %zu are not (they are in the tables "
			 "above)",
			 MAX_SWEEP_SETS, sp->sets.n - MAX_SWEEP_SETS);
	snprintf(t, sizeof t,
		 "%s: %s. Each sweep chart holds %s at one value, one set of charts per %s "
		 "(%zu%s).",
		 sp->n_held > 1 ? "More settings vary" : "A third setting varies", held,
		 sp->n_held > 1 ? "them" : "it", sp->n_held > 1 ? "combination" : "value",
		 sp->sets.n, more);
	note(r, t);
}

/* The sweep charts of a workload whose settings besides the policy vary. */
static int sweeps(struct rep *r, const struct wl *w, size_t wi)
{
	struct sweep_plan sp;
	int rc = plan_sweep(r, w, &sp);
	if (rc <= 0) {
		plan_free(&sp);
		if (rc == 0 && w->n_varying)
			note(r, "No setting that varies between these groups is a number: no sweep "
				"chart.");
		return rc;
	}
	sweep_notes(r, &sp);
	for (size_t h = 0; h < sp.sets.n && h < MAX_SWEEP_SETS && rc >= 0; h++)
		for (size_t b = 0; b < 3 && rc >= 0; b++)
			rc = sweep_chart(r, w, wi, &sp, h, &bar_specs[b]);
	plan_free(&sp);
	return rc < 0 ? -1 : 0;
}

/* --- a run's time series, as every timeline draws it ---------------------------------------- */

/* The quantities of the time series charts. */
enum {
	Q_TRANSFERRED,
	Q_REMAINING,
	Q_MBPS,
	Q_DIRTY,
	Q_THROTTLE,
	Q_GUEST,
	Q_DISK_LEFT,
	Q_DISK_SENT,
	N_Q
};

struct points {
	double *t, *v[N_Q]; /* one allocation, n each */
	size_t n;
	int from_passes; /* the run was shorter than two samples */
	int disk;	 /* a storage migration's samples (disk_remaining) */
	query_marks m;
};

static void points_free(struct points *p)
{
	free(p->t);
	free(p->m.passes);
	memset(p, 0, sizeof *p);
}

static int points_alloc(struct points *p, size_t n, err *e)
{
	if (!(p->t = malloc((n + 1) * (N_Q + 1) * sizeof *p->t)))
		return err_set(e, "out of memory");
	for (int q = 0; q < N_Q; q++)
		p->v[q] = p->t + (size_t)(q + 1) * (n + 1);
	return 0;
}

static void point(struct points *p, double t, double transferred, double remaining, double mbps,
		  double dirty, double throttle, double guest)
{
	size_t i = p->n++;
	p->t[i] = t;
	p->v[Q_TRANSFERRED][i] = transferred;
	p->v[Q_REMAINING][i] = remaining;
	p->v[Q_MBPS][i] = mbps;
	p->v[Q_DIRTY][i] = dirty;
	p->v[Q_THROTTLE][i] = throttle;
	p->v[Q_GUEST][i] = guest;
	p->v[Q_DISK_LEFT][i] = p->v[Q_DISK_SENT][i] = NAN;
}

/* A run shorter than the sample interval has at most one sample: its
 * passes say the rest. Each pass gives a point at its start and one at its
 * end: bytes sent so far, pages pending times the page size (what QEMU's
 * "remaining" counts), the pass's mean throughput and its dirty rate (the
 * pages pending at the next pass, dirtied during this one). The throttle
 * and guest rate are the one sample's, when there is one. */
static void points_from_passes(struct points *p, const query_run *run, const struct store_sample *s,
			       size_t ns)
{
	const query_marks *m = &p->m;
	double page = 4096, sent = 0, throttle = ns ? s[0].throttle_pct : NAN,
	       guest = ns ? s[0].guest_rate : NAN;
	const char *ps = query_setting_get(run, "page-size");
	if (ps && atof(ps) > 0)
		page = atof(ps);
	for (size_t i = 0; i < m->n_passes; i++) {
		const query_pass *x = &m->passes[i];
		double dur = (double)(x->end - x->start);
		double mbps = dur > 0 ? (double)x->bytes * 8e3 / dur : NAN;
		double next = i + 1 < m->n_passes ? (double)m->passes[i + 1].dirty * page : NAN;
		double dirty = dur > 0 && i + 1 < m->n_passes
				   ? (double)m->passes[i + 1].dirty / (dur / 1e9)
				   : NAN;
		point(p, (double)x->start, sent, (double)x->dirty * page, mbps, dirty, throttle,
		      guest);
		sent += (double)x->bytes;
		point(p, (double)x->end, sent, next, mbps, dirty, throttle, guest);
	}
	if (ns && (!p->n || (double)s[0].t_ns > p->t[p->n - 1]))
		point(p, (double)s[0].t_ns, (double)s[0].transferred, (double)s[0].remaining,
		      s[0].mbps, s[0].dirty_pages_rate, throttle, guest);
	p->from_passes = 1;
}

/* A run's points: its stored samples, or made from its passes (above). */
static int run_points(struct rep *r, const query_run *run, struct points *p)
{
	struct store_sample *s;
	size_t ns;
	memset(p, 0, sizeof *p);
	if (query_series(r->q, run->id, &s, &ns, r->e) < 0)
		return -1;
	int rc = query_run_marks(r->q, run->id, &p->m, r->e);
	if (rc == 0)
		rc = points_alloc(p, ns + 2 * p->m.n_passes + 1, r->e);
	if (rc == 0 && ns < 2 && p->m.n_passes)
		points_from_passes(p, run, s, ns);
	else if (rc == 0)
		for (size_t i = 0; i < ns; i++) {
			point(p, (double)s[i].t_ns, (double)s[i].transferred,
			      (double)s[i].remaining, s[i].mbps, s[i].dirty_pages_rate,
			      s[i].throttle_pct, s[i].guest_rate);
			if (s[i].disk_remaining < 0)
				continue;
			p->disk = 1;
			p->v[Q_DISK_LEFT][i] = (double)s[i].disk_remaining;
			p->v[Q_DISK_SENT][i] = (double)s[i].disk_transferred;
		}
	free(s);
	if (rc < 0)
		points_free(p);
	return rc;
}

/* What happened in a run, for a chart of several runs: the switch-over
 * (the start of post-copy when post-copy sent pages) and a failure. */
static void run_events(chart *c, const query_run *run, const query_marks *m, const char *color,
		       err *e)
{
	double pc;
	int postcopy = query_metric_get(run, "postcopy-bytes", &pc) && pc > 0;
	if (m->switchover >= 0)
		chart_mark(c, (double)m->switchover, postcopy ? "post-copy" : "switch-over", color,
			   e);
	if (!completed(run) && m->end >= 0)
		chart_mark(c, (double)m->end, "failed", color, e);
}

/* --- per workload: time series overlaid ------------------------------------------------------ */

struct series_spec {
	int q;
	const char *title, *file, *unit_text;
	chart_unit unit;
};

static const struct series_spec series_specs[] = {
    {Q_TRANSFERRED, "Transferred", "transferred", NULL, CHART_BYTES},
    {Q_REMAINING, "Remaining (pending dirty)", "remaining", NULL, CHART_BYTES},
    {Q_MBPS, "Wire throughput", "throughput", "Mbit/s", CHART_PLAIN},
    {Q_DIRTY, "Dirty rate", "dirty-rate", "pages/s", CHART_PLAIN},
    {Q_THROTTLE, "Auto-converge throttle", "throttle", "%", CHART_PLAIN},
};
#define N_SERIES (sizeof series_specs / sizeof *series_specs)

static double run_total_time(const query_run *run)
{
	double v;
	return query_metric_get(run, "total-time", &v) && !isnan(v) ? v : INFINITY;
}

/* The run of a group whose total time is the median over its seeds (the
 * lower of the two middle ones for an even count). */
static const query_run *median_run(const struct rep *r, const query_group *g)
{
	const query_run *best = NULL;
	for (size_t i = 0; i < g->n && !best; i++) {
		const query_run *a = &r->set.runs[g->runs[i]];
		size_t below = 0, equal_before = 0;
		for (size_t k = 0; k < g->n; k++) {
			double x = run_total_time(&r->set.runs[g->runs[k]]);
			below += x < run_total_time(a);
			equal_before += k < i && x == run_total_time(a);
		}
		if (below + equal_before == (g->n - 1) / 2)
			best = a;
	}
	return best ? best : &r->set.runs[g->runs[0]];
}

/* A chart of cluster k of a workload is titled by the cluster's settings
 * when the workload has several, and named wlW-cK-WHAT (else wlW-WHAT). */
static void cluster_title(char *buf, size_t n, const struct wl *w, size_t k, const char *what,
			  const query_run *run)
{
	snprintf(buf, n, "%s: %s", what, w->n_cats > 1 ? w->cat_label[k] : run->workload);
}

static void cluster_file(char *buf, size_t n, const struct wl *w, size_t wi, size_t k,
			 const char *kind, const char *what)
{
	if (w->n_cats > 1)
		snprintf(buf, n, "wl%zu-c%zu-%s%s", wi + 1, k + 1, kind, what);
	else
		snprintf(buf, n, "wl%zu-%s%s", wi + 1, kind, what);
}

/* --- per workload: per pass -------------------------------------------------------------- */

/* Pages the guest dirtied during pass i: those pending when the next pass
 * began beyond what pass i left unsent (each page sent clears its dirty
 * bit, so pass i left dirty - pages). NaN for the last pass: no sync
 * followed it. */
static double pass_dirtied(const query_marks *m, size_t i)
{
	if (i + 1 >= m->n_passes)
		return NAN;
	const query_pass *x = &m->passes[i];
	double left = x->dirty > x->pages ? (double)(x->dirty - x->pages) : 0;
	double next = (double)m->passes[i + 1].dirty;
	return next > left ? next - left : 0;
}

static double pass_bytes(const query_marks *m, size_t i)
{
	return (double)m->passes[i].bytes;
}

struct pass_spec {
	const char *title, *file, *unit_text;
	chart_unit unit;
	double (*value)(const query_marks *m, size_t i);
};

static const struct pass_spec pass_specs[] = {
    {"Bytes sent per pass", "bytes", NULL, CHART_BYTES, pass_bytes},
    {"Pages dirtied per pass", "dirtied", "pages", CHART_PLAIN, pass_dirtied},
};
#define N_PASS_SPECS (sizeof pass_specs / sizeof *pass_specs)

/* One cluster of bars per pass, one bar per policy in its colour: the
 * passes of its median-seed run (run[i], points p[i]). Left out when no
 * pass has a value (a single pass dirties nothing that was counted). */
static int pass_chart(struct rep *r, const struct wl *w, size_t wi, size_t k,
		      const query_run *const *run, const struct points *p, size_t n,
		      const struct pass_spec *sp)
{
	size_t np = 0;
	for (size_t i = 0; i < n; i++)
		np = p[i].m.n_passes > np ? p[i].m.n_passes : np;
	if (!np)
		return 0;
	char(*num)[24] = malloc(np * sizeof *num);
	const char **names = malloc(np * sizeof *names);
	double *v = malloc(np * sizeof *v);
	chart *c = NULL;
	int rc = 0, any = 0;
	char title[600], file[160], caption[800], label[256];
	cluster_title(title, sizeof title, w, k, sp->title, run[0]);
	if (!num || !names || !v || !(c = chart_new(title, r->e))) {
		rc = c ? -1 : err_set(r->e, "out of memory");
		goto out;
	}
	for (size_t j = 0; j < np; j++) {
		snprintf(num[j], sizeof *num, "%zu", j + 1);
		names[j] = num[j];
	}
	chart_set_axis(c, CHART_X, &(chart_axis){.title = "Pass"}, r->e);
	chart_set_axis(
	    c, CHART_Y,
	    &(chart_axis){.title = sp->title, .unit = sp->unit, .unit_text = sp->unit_text}, r->e);
	chart_categories(c, names, np, r->e);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < np; j++) {
			v[j] = j < p[i].m.n_passes ? sp->value(&p[i].m, j) : NAN;
			any |= !isnan(v[j]);
		}
		chart_style st = policy_style(r, run_policy(run[i]));
		short_policy(run_policy(run[i]), label, sizeof label);
		chart_bars(c, label, v, NULL, NULL, &st, r->e);
	}
	cluster_file(file, sizeof file, w, wi, k, "pass-", sp->file);
	snprintf(caption, sizeof caption,
		 "%s, one bar per policy (its median-seed run by total time); the last pass "
		 "runs from the final sync to the end",
		 title);
	if (any) {
		rc = emit(r, c, file, caption);
		c = NULL;
	}
out:
	chart_free(c);
	free(num), free(names), free(v);
	return rc;
}

/* For cluster k of a workload: per quantity, one line per policy through its
 * median-seed run, its events marked in its colour. */
static int overlay(struct rep *r, const struct wl *w, size_t wi, size_t k)
{
	size_t n = 0;
	struct points *p = calloc(w->n + 1, sizeof *p);
	const query_run **run = calloc(w->n + 1, sizeof *run);
	int rc = 0, throttled = 0;
	if (!p || !run) {
		rc = err_set(r->e, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < w->n && rc == 0; i++) {
		if (w->cat[i] != k)
			continue;
		run[n] = median_run(r, &r->groups[w->g[i]]);
		rc = run_points(r, run[n], &p[n]);
		for (size_t j = 0; rc == 0 && j < p[n].n; j++)
			throttled |= p[n].v[Q_THROTTLE][j] > 0;
		n += rc == 0;
	}
	for (size_t s = 0; s < N_SERIES && rc == 0; s++) {
		const struct series_spec *sp = &series_specs[s];
		if (sp->q == Q_THROTTLE && !throttled)
			continue;
		char title[600], file[160], caption[800], label[256];
		cluster_title(title, sizeof title, w, k, sp->title, run[0]);
		chart *c = chart_new(title, r->e);
		if (!c) {
			rc = -1;
			break;
		}
		chart_set_axis(c, CHART_X,
			       &(chart_axis){.title = "Simulated time", .unit = CHART_NS}, r->e);
		chart_set_axis(
		    c, CHART_Y,
		    &(chart_axis){.title = sp->title, .unit = sp->unit, .unit_text = sp->unit_text},
		    r->e);
		for (size_t i = 0; i < n; i++) {
			chart_style st = policy_style(r, run_policy(run[i]));
			short_policy(run_policy(run[i]), label, sizeof label);
			chart_line(c, label, p[i].t, p[i].v[sp->q], p[i].n, &st, r->e);
			run_events(c, run[i], &p[i].m, st.color, r->e);
		}
		cluster_file(file, sizeof file, w, wi, k, "series-", sp->file);
		snprintf(caption, sizeof caption,
			 "%s, one line per policy (its median-seed run by total time)", title);
		rc = emit(r, c, file, caption);
	}
	for (size_t s = 0; s < N_PASS_SPECS && rc == 0; s++)
		rc = pass_chart(r, w, wi, k, run, p, n, &pass_specs[s]);
out:
	for (size_t i = 0; i < n; i++)
		points_free(&p[i]);
	free(p);
	free(run);
	return rc;
}

static int overlays(struct rep *r, const struct wl *w, size_t wi)
{
	for (size_t k = 0; k < w->n_cats; k++)
		if (overlay(r, w, wi, k) < 0)
			return -1;
	return 0;
}

/* --- per workload: which policy wins ------------------------------------------------------ */

/* What a reader asks first of a workload, each metric the way `compare`
 * judges it (sim/compare.c): better is lower, but higher for guest progress.
 * Only completed migrations are ranked: a policy whose migrations failed
 * did not win the downtime, the bytes or the guest's speed by failing; it
 * is listed last, "no run completed". */
static const char *const rank_metrics[] = {"total-time", "downtime", "transferred",
					   "guest-progress"};
#define N_RANK (sizeof rank_metrics / sizeof *rank_metrics)

struct ranked {
	size_t group;  /* index into r->groups */
	double median; /* NaN: no run has the metric */
};

/* Whether a ranks before b: a value before none, then the better median;
 * ties keep the order of first run. */
static int ranks_before(const struct ranked *a, const struct ranked *b, int higher_better)
{
	if (isnan(b->median))
		return !isnan(a->median);
	if (isnan(a->median))
		return 0;
	return higher_better ? a->median > b->median : a->median < b->median;
}

/* The groups of cluster k ranked by the metric's median (insertion sort: a
 * handful of policies, and it keeps ties in order). */
static size_t rank_groups(const struct rep *r, const struct wl *w, size_t k, const char *metric,
			  double *v, struct ranked *out)
{
	int hb = query_metric_higher_better(metric);
	size_t n = 0;
	for (size_t i = 0; i < w->n; i++) {
		if (w->cat[i] != k)
			continue;
		size_t nv = values_where(r, &r->groups[w->g[i]], metric, NULL, 1, 1, v);
		struct ranked x = {w->g[i], nv ? stats_median(v, nv) : NAN};
		size_t j = n++;
		for (; j > 0 && ranks_before(&x, &out[j - 1], hb); j--)
			out[j] = out[j - 1];
		out[j] = x;
	}
	return n;
}

/* Whether the winner's lead holds across seeds: the Mann–Whitney verdict of
 * `compare` with the runner-up as base and the winner as new. */
static void rank_verdict(const struct rep *r, const char *metric, const struct ranked *win,
			 const struct ranked *second, double *v, char *buf, size_t n)
{
	double *w = v + r->set.n + 1;
	size_t n2 = values_where(r, &r->groups[second->group], metric, NULL, 1, 1, v);
	size_t n1 = values_where(r, &r->groups[win->group], metric, NULL, 1, 1, w);
	stats_dir dir =
	    query_metric_higher_better(metric) ? STATS_HIGHER_IS_BETTER : STATS_LOWER_IS_BETTER;
	stats_verdict sv;
	if (stats_compare(v, n2, w, n1, dir, STATS_ALPHA, STATS_THRESHOLD, &sv, NULL) < 0)
		snprintf(buf, n, "n/a");
	else if (sv.too_few)
		snprintf(buf, n, "cannot tell: under %d seeds (p = %.3g)", STATS_MIN_N, sv.test.p);
	else if (sv.better)
		snprintf(buf, n, "yes (p = %.3g)", sv.test.p);
	else
		snprintf(buf, n, "no (p = %.3g%s)", sv.test.p,
			 sv.significant ? ", under the 5% threshold" : "");
}

/* A cell in both pages. */
static void cell(struct rep *r, const char *text)
{
	fputs("<td>", r->html);
	html_text(r->html, text);
	fputs("</td>", r->html);
	fputc(' ', r->md);
	md_text(r->md, text);
	fputs(" |", r->md);
}

/* One row: the metric's ranking in cluster k, its winner, the margin over
 * the runner-up and whether it holds across seeds. */
static void rank_row(struct rep *r, const struct wl *w, size_t k, const char *metric, double *v,
		     struct ranked *rk)
{
	size_t n = rank_groups(r, w, k, metric, v, rk);
	char order[1024] = "", text[256], a[64], b[128];
	size_t len = 0;
	for (size_t i = 0, place = 1; i < n && len < sizeof order; i++) {
		if (i && rk[i].median != rk[i - 1].median &&
		    !(isnan(rk[i].median) && isnan(rk[i - 1].median)))
			place = i + 1; /* ties share a place, as do policies never completed */
		short_policy(run_policy(first(r, &r->groups[rk[i].group])), text, sizeof text);
		if (isnan(rk[i].median))
			snprintf(a, sizeof a, "(no run completed)");
		else
			compare_format(a, sizeof a, rk[i].median, metric);
		len += (size_t)snprintf(order + len, sizeof order - len, "%s%zu. %s %s",
					i ? ", " : "", place, text, a);
	}
	fputs("<tr>", r->html);
	fputc('|', r->md);
	cell(r, metric);
	if (w->n_cats > 1)
		cell(r, w->cat_label[k]);
	cell(r, order);
	if (n < 2 || isnan(rk[1].median)) {
		cell(r, n && !isnan(rk[0].median) ? run_policy(first(r, &r->groups[rk[0].group]))
						  : "n/a");
		cell(r, "no runner-up");
		cell(r, "");
	} else {
		double d = fabs(rk[0].median - rk[1].median);
		compare_format(a, sizeof a, d, metric);
		if (rk[1].median != 0)
			snprintf(b, sizeof b, "%s (%.1f%%)", a, 100 * d / fabs(rk[1].median));
		else
			snprintf(b, sizeof b, "%s", a);
		cell(r, d == 0 ? "tie" : run_policy(first(r, &r->groups[rk[0].group])));
		cell(r, b);
		rank_verdict(r, metric, &rk[0], &rk[1], v, text, sizeof text);
		cell(r, text);
	}
	fputs("</tr>\n", r->html);
	fputc('\n', r->md);
}

/* At the top of a workload's section: per metric (and per combination of
 * the other varying settings), the policies from best to worst median. */
static int ranking(struct rep *r, const struct wl *w)
{
	double *v = malloc(2 * (r->set.n + 1) * sizeof *v);
	struct ranked *rk = malloc((w->n + 1) * sizeof *rk);
	if (!v || !rk) {
		free(v), free(rk);
		return err_set(r->e, "out of memory");
	}
	const char *set = w->n_cats > 1 ? "<th>settings</th>" : "";
	fprintf(r->html,
		"<h3>Which policy wins</h3>\n<table class=\"rank\">\n<tr><th>metric</th>%s"
		"<th>ranking (median over seeds, best first)</th><th>winner</th>"
		"<th>margin over the runner-up</th><th>holds across seeds "
		"(Mann-Whitney, as <code>compare</code>)</th></tr>\n",
		set);
	fprintf(r->md,
		"\n### Which policy wins\n\n| metric |%s ranking (median over seeds, best first) "
		"| winner | margin over the runner-up | holds across seeds (Mann-Whitney, as "
		"`compare`) |\n|---|%s---|---|---:|---|\n",
		w->n_cats > 1 ? " settings |" : "", w->n_cats > 1 ? "---|" : "");
	for (size_t m = 0; m < N_RANK; m++)
		for (size_t k = 0; k < w->n_cats; k++)
			rank_row(r, w, k, rank_metrics[m], v, rk);
	fputs("</table>\n", r->html);
	fputc('\n', r->md);
	free(v), free(rk);
	return 0;
}

/* --- per workload: the table ----------------------------------------------------------- */

static const char *const table_metrics[] = {"total-time", "downtime", "transferred",
					    "guest-progress"};
#define N_TABLE (sizeof table_metrics / sizeof *table_metrics)
/* Shown when a run of the workload used the mechanism. */
static const char *const postcopy_metrics[] = {"postcopy-blocktime"};
static const char *const multifd_metrics[] = {"multifd-bytes", "multifd.payload-bytes",
					      "multifd.busiest-cpu", "multifd.send-wait"};
#define MAX_TABLE (N_TABLE + 1 + 4)

/* The table's columns for the workload: into cols, how many. */
static size_t table_columns(const struct wl *w, const char **cols)
{
	size_t n = 0;
	for (size_t i = 0; i < N_TABLE; i++)
		cols[n++] = table_metrics[i];
	if (w->postcopy)
		cols[n++] = postcopy_metrics[0];
	for (size_t i = 0; w->multifd && i < sizeof multifd_metrics / sizeof *multifd_metrics; i++)
		cols[n++] = multifd_metrics[i];
	return n;
}

static int table(struct rep *r, const struct wl *w)
{
	double *v = malloc((r->set.n + 1) * sizeof *v);
	if (!v)
		return err_set(r->e, "out of memory");
	const char *cols[MAX_TABLE];
	size_t nm = table_columns(w, cols);
	fputs("<table>\n<tr><th>policy</th><th>runs</th><th>failed</th>", r->html);
	fputs("\n| policy | runs | failed |", r->md);
	for (size_t m = 0; m < nm; m++) {
		fprintf(r->html, "<th>%s (median)</th>", cols[m]);
		fprintf(r->md, " %s (median) |", cols[m]);
	}
	fputs("</tr>\n", r->html);
	fputs("\n|---|---:|---:|", r->md);
	for (size_t m = 0; m < nm; m++)
		fputs("---:|", r->md);
	fputc('\n', r->md);
	for (size_t i = 0; i < w->n; i++) {
		const query_group *g = &r->groups[w->g[i]];
		char label[512], cell[64];
		size_t failed = 0;
		for (size_t k = 0; k < g->n; k++)
			failed += !completed(&r->set.runs[g->runs[k]]);
		group_label(r, w, w->g[i], label, sizeof label);
		fprintf(r->html, "<tr><td><span class=\"sw\" style=\"background:%s\"></span>",
			policy_style(r, run_policy(first(r, g))).color);
		html_text(r->html, label);
		fprintf(r->html, "</td><td>%zu</td><td>%zu</td>", g->n, failed);
		fputs("| ", r->md);
		md_text(r->md, label);
		fprintf(r->md, " | %zu | %zu |", g->n, failed);
		for (size_t m = 0; m < nm; m++) {
			size_t n = group_values(r, g, cols[m], NULL, 1, v);
			compare_format(cell, sizeof cell, n ? stats_median(v, n) : NAN, cols[m]);
			fprintf(r->html, "<td>%s</td>", cell);
			fprintf(r->md, " %s |", cell);
		}
		fputs("</tr>\n", r->html);
		fputc('\n', r->md);
	}
	fputs("</table>\n", r->html);
	fputc('\n', r->md);
	free(v);
	return 0;
}

static void note(struct rep *r, const char *text)
{
	fputs("<p class=\"note\">", r->html);
	html_text(r->html, text);
	fputs("</p>\n", r->html);
	fprintf(r->md, "_Note:_ ");
	md_text(r->md, text);
	fputs("\n\n", r->md);
}

static int workload_section(struct rep *r, struct wl *w, size_t wi)
{
	const query_run *run = first(r, &r->groups[w->g[0]]);
	find_varying(r, w);
	if (find_cats(r, w) < 0)
		return -1;
	for (size_t i = 0; i < w->n; i++) {
		double req;
		const query_group *g = &r->groups[w->g[i]];
		for (size_t k = 0; k < g->n; k++) {
			const query_run *run = &r->set.runs[g->runs[k]];
			if (query_metric_get(run, "postcopy-requests", &req) && req > 0)
				w->postcopy = 1;
			if (query_metric_get(run, "multifd-bytes", &req) && req > 0)
				w->multifd = 1;
		}
	}
	fputs("<h2>Workload ", r->html);
	html_text(r->html, run->workload);
	fputs(" <code>", r->html);
	html_text(r->html, run->wl_params);
	fputs("</code></h2>\n", r->html);
	fputs("## Workload ", r->md);
	md_text(r->md, run->workload);
	fputs(" `", r->md);
	fputs(run->wl_params ? run->wl_params : "", r->md);
	fputs("`\n", r->md);
	if (ranking(r, w) < 0 || table(r, w) < 0)
		return -1;
	if (w->n_cats <= MAX_BAR_CATS) {
		for (size_t b = 0; b < sizeof bar_specs / sizeof *bar_specs; b++)
			if ((b < 3 || w->postcopy) && bars(r, w, wi, &bar_specs[b]) < 0)
				return -1;
	} else {
		char t[160];
		snprintf(t, sizeof t,
			 "%zu combinations of settings: too many for bar charts; see the table.",
			 w->n_cats);
		note(r, t);
	}
	if (w->postcopy)
		note(r,
		     "Post-copy: the database stores each run's total fault blocktime and "
		     "request count, not the individual fault waits, so the chart shows the mean "
		     "wait per run (blocktime / requests); no distribution of waits is drawn.");
	if (sweeps(r, w, wi) < 0)
		return -1;
	return overlays(r, w, wi);
}

static int workloads(struct rep *r)
{
	size_t *seen = calloc(r->n_groups + 1, sizeof *seen);
	size_t *g = malloc((r->n_groups + 1) * sizeof *g);
	size_t nw = 0;
	int rc = 0;
	if (!seen || !g) {
		free(seen), free(g);
		return err_set(r->e, "out of memory");
	}
	for (size_t i = 0; i < r->n_groups && rc == 0; i++) {
		if (seen[i])
			continue;
		struct wl w = {.g = g};
		for (size_t k = i; k < r->n_groups; k++)
			if (!seen[k] &&
			    same_workload(first(r, &r->groups[i]), first(r, &r->groups[k]))) {
				seen[k] = 1;
				g[w.n++] = k;
			}
		rc = workload_section(r, &w, nw++);
		free(w.cat);
		free(w.cat_label);
	}
	free(seen);
	free(g);
	return rc;
}

/* --- per run: notes ---------------------------------------------------------------------- */

/* One item per note of a run: "Run 3 (calloc_loop, precopy, seed 1): text". */
static void run_note_items(struct rep *r, const query_run *run, char *notes)
{
	char *save;
	for (char *line = strtok_r(notes, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char who[400];
		snprintf(who, sizeof who, "Run %lld (%s, %s, seed %llu): ", (long long)run->id,
			 run->workload, run_policy(run), (unsigned long long)run->seed);
		fputs("<li>", r->html);
		html_text(r->html, who);
		html_text(r->html, line);
		fputs("</li>\n", r->html);
		fputs("- ", r->md);
		md_text(r->md, who);
		md_text(r->md, line);
		fputc('\n', r->md);
	}
}

/* The warnings stored with the runs (sim/result.c), every run's. */
static int notes_section(struct rep *r)
{
	int any = 0;
	for (size_t i = 0; i < r->set.n; i++) {
		char *notes;
		if (query_notes(r->q, r->set.runs[i].id, &notes, r->e) < 0)
			return -1;
		if (notes && !any) {
			fputs("<h2>Notes</h2>\n<ul class=\"notes\">\n", r->html);
			fputs("## Notes\n\n", r->md);
			any = 1;
		}
		if (notes)
			run_note_items(r, &r->set.runs[i], notes);
		free(notes);
	}
	if (any) {
		fputs("</ul>\n", r->html);
		fputc('\n', r->md);
	}
	return 0;
}

/* --- the pages ----------------------------------------------------------------------------- */

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>migsim report</title>\n<style>\n"
    "body{font-family:sans-serif;max-width:1700px;margin:1em auto;padding:0 1em;color:#222}\n"
    "figure{display:inline-block;margin:.5em;vertical-align:top}\n"
    "img{border:1px solid #ccc;max-width:100%;height:auto}\n"
    "table{border-collapse:collapse;margin:1em 0}\n"
    "td,th{border:1px solid #bbb;padding:.2em .6em;text-align:right}\n"
    "td:first-child,th:first-child{text-align:left}\n"
    ".note{color:#555;font-style:italic}\n"
    ".sw{display:inline-block;width:.8em;height:.8em;margin-right:.4em}\n</style>\n"
    "<script>\n"
    "/* Counts images that loaded and that failed, for people and for tests. */\n"
    "var imgsOk = 0, imgsBad = 0;\n"
    "function imgShow() {\n"
    "  var s = document.getElementById('images');\n"
    "  if (!s) return;\n"
    "  s.setAttribute('data-loaded', imgsOk);\n"
    "  s.setAttribute('data-broken', imgsBad);\n"
    "  s.textContent = imgsOk + ' charts loaded' + (imgsBad ? ', ' + imgsBad + ' BROKEN' : '');\n"
    "}\n"
    "function imgOk() { imgsOk++; imgShow(); }\n"
    "function imgBad(i) { imgsBad++; i.setAttribute('data-broken', '1'); imgShow(); }\n"
    "</script>\n</head><body>\n";

static FILE *open_out(const char *dir, const char *name, err *e)
{
	char p[4200];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f)
		err_set(e, "%s: %s", p, strerror(errno));
	return f;
}

static int close_out(FILE *f, const char *name, int rc, err *e)
{
	if (f && (ferror(f) | fclose(f)) && rc == 0)
		return err_set(e, "%s: write error", name);
	return rc;
}

/* --- per run: timelines ------------------------------------------------------------------ */

static void marks(chart *c, const query_marks *m, err *e)
{
	for (size_t i = 1; i < m->n_passes; i++) {
		char t[32];
		if (m->passes[i].start == m->switchover)
			continue; /* the switch-over line says it */
		snprintf(t, sizeof t, "pass %zu", i + 1);
		chart_vline(c, (double)m->passes[i].start, t, e);
	}
	if (m->switchover >= 0)
		chart_vline(c, (double)m->switchover, "switch-over", e);
	if (m->end >= 0)
		chart_vline(c, (double)m->end, "done", e);
}

/* A chart of one run: quantity a on the left axis, b on the right. */
static chart *timeline_chart(struct rep *r, const char *title, const struct points *p, int a,
			     const chart_axis *left, int b, const chart_axis *right)
{
	static const char *const names[N_Q] = {
	    "transferred", "pending dirty bytes", "throughput",	       "dirty rate",
	    "throttle",	   "guest steps/s",	  "disk job: to copy", "disk job: bytes sent"};
	chart *c = chart_new(title, r->e);
	if (!c)
		return NULL;
	chart_set_axis(c, CHART_X, &(chart_axis){.title = "Simulated time", .unit = CHART_NS},
		       r->e);
	chart_set_axis(c, CHART_Y, left, r->e);
	chart_set_axis(c, CHART_Y2, right, r->e);
	chart_line(c, names[a], p->t, p->v[a], p->n, NULL, r->e);
	chart_line(c, names[b], p->t, p->v[b], p->n,
		   &(chart_style){.right = 1, .dash = b == Q_THROTTLE ? "shortdashed" : NULL},
		   r->e);
	marks(c, &p->m, r->e);
	return c;
}

/* A storage migration's progress: what its job still has to copy and
 * what it has sent, the risk window's disk part between two lines (the
 * guest on the destination's disks, the last cluster there). */
static int disk_timeline(struct rep *r, const query_run *run, const struct points *p,
			 const char *title, FILE *page)
{
	char file[64], caption[700];
	chart *c = timeline_chart(
	    r, title, p, Q_DISK_LEFT, &(chart_axis){.title = "Disk to copy", .unit = CHART_BYTES},
	    Q_DISK_SENT, &(chart_axis){.title = "Disk bytes sent", .unit = CHART_BYTES});
	if (!c)
		return -1;
	double cut, done, ready, window;
	int risky = query_metric_get(run, "risk-window-disk", &window) && window > 0;
	if (query_metric_get(run, "disk-ready", &ready) && ready >= 0)
		chart_vline(c, ready * 1e6, "mirror ready", r->e);
	if (query_metric_get(run, "disk-cutover", &cut) && cut >= 0)
		chart_vline(c, cut * 1e6, risky ? "risk window opens" : "cut-over", r->e);
	if (query_metric_get(run, "disk-done", &done) && done >= 0 && done > cut)
		chart_vline(c, done * 1e6, "disk whole", r->e);
	snprintf(file, sizeof file, "runs/run%lld-disk", (long long)run->id);
	if (write_chart(r, c, file) < 0)
		return -1;
	snprintf(caption, sizeof caption, "%s: the storage migration's job and its risk window",
		 title);
	figure(page, file + 5, caption);
	return 0;
}

/* DIR/runs/runID.html: the run's two timelines (three with a storage
 * migration). */
static int timeline(struct rep *r, const query_run *run, FILE *page)
{
	struct points p;
	if (run_points(r, run, &p) < 0)
		return -1;
	char title[512], file[64], caption[700];
	snprintf(title, sizeof title, "Run %lld: %s, %s, seed %llu", (long long)run->id,
		 run->workload, run_policy(run), (unsigned long long)run->seed);
	const char *how = p.from_passes ? " (shorter than the sample interval: drawn from its "
					  "passes)"
					: "";
	chart *c = timeline_chart(
	    r, title, &p, Q_REMAINING, &(chart_axis){.title = "Pending dirty", .unit = CHART_BYTES},
	    Q_MBPS,
	    &(chart_axis){.title = "Throughput", .unit = CHART_PLAIN, .unit_text = "Mbit/s"});
	snprintf(file, sizeof file, "runs/run%lld-transfer", (long long)run->id);
	int rc = c ? write_chart(r, c, file) : -1;
	if (rc == 0) {
		snprintf(caption, sizeof caption, "%s: pending bytes and throughput%s", title, how);
		figure(page, file + 5, caption);
		c = timeline_chart(
		    r, title, &p, Q_GUEST,
		    &(chart_axis){
			.title = "Guest progress", .unit = CHART_PLAIN, .unit_text = "steps/s"},
		    Q_THROTTLE,
		    &(chart_axis){.title = "Throttle", .unit = CHART_PLAIN, .unit_text = "%"});
		snprintf(file, sizeof file, "runs/run%lld-guest", (long long)run->id);
		rc = c ? write_chart(r, c, file) : -1;
	}
	if (rc == 0) {
		snprintf(caption, sizeof caption, "%s: guest progress and throttle%s", title, how);
		figure(page, file + 5, caption);
	}
	if (rc == 0 && p.disk)
		rc = disk_timeline(r, run, &p, title, page);
	points_free(&p);
	return rc;
}

static void page_head(FILE *f, const char *title)
{
	fputs(html_head, f);
	fputs("<h1>", f);
	html_text(f, title);
	fputs("</h1>\n<p id=\"images\" data-loaded=\"0\" data-broken=\"0\"></p>\n", f);
}

/* A run's page, and its row in the index of runs. */
static int run_page(struct rep *r, const query_run *run)
{
	char name[64], cell[64];
	snprintf(name, sizeof name, "runs/run%lld.html", (long long)run->id);
	FILE *page = open_out(r->dir, name, r->e);
	if (!page)
		return -1;
	char title[512];
	snprintf(title, sizeof title, "Run %lld: %s, %s, seed %llu, %s", (long long)run->id,
		 run->workload, run_policy(run), (unsigned long long)run->seed, run->status);
	page_head(page, title);
	fputs("<p><a href=\"../index.html#runs\">All runs</a></p>\n", page);
	int rc = timeline(r, run, page);
	fputs("</body></html>\n", page);
	rc = close_out(page, name, rc, r->e);
	double v;
	compare_format(cell, sizeof cell, query_metric_get(run, "total-time", &v) ? v : NAN,
		       "total-time");
	fprintf(r->html, "<tr><td><a href=\"%s\">%lld</a></td><td>", name, (long long)run->id);
	html_text(r->html, run->workload);
	fputs("</td><td>", r->html);
	html_text(r->html, run_policy(run));
	fprintf(r->html, "</td><td>%llu</td><td>", (unsigned long long)run->seed);
	html_text(r->html, run->status);
	fprintf(r->html, "</td><td>%s</td></tr>\n", cell);
	fprintf(r->md, "| [%lld](%s) | ", (long long)run->id, name);
	md_text(r->md, run->workload);
	fputs(" | ", r->md);
	md_text(r->md, run_policy(run));
	fprintf(r->md, " | %llu | ", (unsigned long long)run->seed);
	md_text(r->md, run->status);
	fprintf(r->md, " | %s |\n", cell);
	return rc;
}

/* Every run's page, linked from a table of runs. */
static int timelines(struct rep *r)
{
	fputs("<h2 id=\"runs\">Runs</h2>\n<p>Each run's timelines are on its own page.</p>\n"
	      "<table>\n<tr><th>run</th><th>workload</th><th>policy</th><th>seed</th>"
	      "<th>status</th><th>total time</th></tr>\n",
	      r->html);
	fputs("## Runs\n\nEach run's timelines are on its own page.\n\n| run | workload | policy "
	      "| seed | status | total time |\n|---:|---|---|---:|---|---:|\n",
	      r->md);
	int rc = 0;
	for (size_t i = 0; i < r->set.n && rc == 0; i++)
		rc = run_page(r, &r->set.runs[i]);
	fputs("</table>\n", r->html);
	fputc('\n', r->md);
	return rc;
}

static int report_pages(struct rep *r, const char *db, const char *experiment)
{
	fputs(html_head, r->html);
	fputs("<h1>migsim report</h1>\n<p>Database <code>", r->html);
	html_text(r->html, db);
	fprintf(r->html, "</code>%s", experiment ? ", experiment <code>" : "");
	html_text(r->html, experiment);
	fprintf(r->html,
		"%s: %zu runs in %zu groups (equal in everything but the seed). Times "
		"are simulated.</p>\n<p id=\"images\" data-loaded=\"0\" data-broken=\"0\">"
		"</p>\n",
		experiment ? "</code>" : "", r->set.n, r->n_groups);
	fprintf(r->md,
		"# migsim report\n\nDatabase `%s`%s%s%s: %zu runs in %zu groups (equal in "
		"everything but the seed). The charts are in index.html beside this file.\n\n",
		db, experiment ? ", experiment `" : "", experiment ? experiment : "",
		experiment ? "`" : "", r->set.n, r->n_groups);
	int rc = workloads(r);
	if (rc == 0)
		rc = notes_section(r);
	if (rc == 0)
		rc = timelines(r);
	if (rc == 0)
		rc = report_evac(db, experiment, r->html, emit_cb, r, r->e);
	fprintf(r->html, "<p>%zu charts.</p>\n</body></html>\n", r->n_charts);
	return rc;
}

static int make_report(struct rep *r, const char *db, const char *experiment)
{
	query_filter f;
	memset(&f, 0, sizeof f);
	f.experiment = experiment;
	if (query_open(&r->q, db, r->e) < 0 || query_load(r->q, &f, &r->set, r->e) < 0)
		return -1;
	if (!r->set.n)
		return err_set(r->e, "%s: no runs%s%s", db, experiment ? " in experiment " : "",
			       experiment ? experiment : "");
	if (query_group_runs(&r->set, 0, &r->groups, &r->n_groups, r->e) < 0 ||
	    find_policies(r) < 0)
		return -1;
	char runs[4200];
	snprintf(runs, sizeof runs, "%s/runs", r->dir);
	if (mkdirs(runs, r->e) < 0)
		return -1;
	if (!(r->html = open_out(r->dir, "index.html", r->e)) ||
	    !(r->md = open_out(r->dir, "summary.md", r->e)))
		return -1;
	int rc = report_pages(r, db, experiment);
	rc = close_out(r->html, "index.html", rc, r->e);
	rc = close_out(r->md, "summary.md", rc, r->e);
	r->html = r->md = NULL;
	return rc;
}

int report_main(int argc, char **argv)
{
	const char *db = "results/migsim.db", *experiment = NULL, *dir = "results/report";
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(report_usage, stdout);
			return 0;
		}
		const char **dst = !strcmp(a, "--db")		? &db
				   : !strcmp(a, "--experiment") ? &experiment
				   : !strcmp(a, "-o")		? &dir
								: NULL;
		if (!dst)
			return cli_fail(CLI_EXIT_ERROR, "unknown option", a);
		if (i + 1 >= argc)
			return cli_fail(CLI_EXIT_ERROR, "option needs a value", a);
		*dst = argv[++i];
	}
	err e = {{0}};
	struct rep r = {.dir = dir, .e = &e};
	int rc = make_report(&r, db, experiment);
	if (r.html)
		fclose(r.html);
	if (r.md)
		fclose(r.md);
	query_groups_free(r.groups, r.n_groups);
	free(r.policies);
	query_set_free(&r.set);
	query_close(r.q);
	if (rc < 0)
		return cli_fail(CLI_EXIT_ERROR, e.msg, "report");
	printf("report: %zu charts, %s/index.html\n", r.n_charts, dir);
	return 0;
}
