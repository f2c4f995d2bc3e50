/*
 * compare — `migsim compare BASE NEW` (see compare.h, docs/compare.md).
 *
 * The work is in three steps: load both sides through sim/query.c, match
 * their groups by key, then run stats_compare on every (group, metric) pair
 * into an array of rows, which the text and JSON printers only format. The
 * grouping key leaves out the seed, the workload path and every setting a
 * side's filter selects on (comparing `:policy=precopy` with
 * `:policy=precopy+xbzrle` must match runs that differ in their policy).
 */
#include "compare.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "query.h"
#include "stats.h"

#define MAX_METRICS 32
#define MAX_SKIP    64 /* settings left out of the pairing */

static const char compare_usage[] =
    "usage: migsim compare BASE NEW [--metric M]... [--threshold 5%] [--alpha 0.05]\n"
    "                      [--ignore SETTING]... [--pair-on SETTING]... [--json]\n"
    "       migsim compare BASE NEW --evacuations [--metric M]... [--ignore OPTION]...\n"
    "\n"
    "Compares the runs of NEW with those of BASE. Each is a database path,\n"
    "optionally followed by a filter: results/a.db:policy=precopy, or several\n"
    "joined with ',': b.db:experiment=cache,workload=calloc_loop (keys policy,\n"
    "experiment, workload, status, and policy-name: a sweep's own name of the\n"
    "policy, such as xb64). Runs equal in everything but the seed form\n"
    "a group; settings a filter selects on are left out of the grouping, so two\n"
    "policies of one database can be compared. A setting with one value on each\n"
    "side, different (such as xbzrle-cache-size 64MiB against 8MiB, or a\n"
    "parameter only one side has), is left out too and named in the header.\n"
    "For each group on both sides and each metric: the medians, the change, the\n"
    "Mann-Whitney p-value and a verdict (worse, better, ~; '~ (n<4)' when a side\n"
    "has fewer than 4 runs).\n"
    "\n"
    "  --metric M       a metric to compare (repeatable; default total-time,\n"
    "                   downtime, transferred, guest-progress)\n"
    "  --threshold T    smallest change that counts, '5%' or 0.05 (default 5%)\n"
    "  --alpha A        significance level (default 0.05)\n"
    "  --ignore S       leave setting S out of the pairing (repeatable)\n"
    "  --pair-on S      keep setting S in the pairing even when it differs\n"
    "                   between the sides (repeatable)\n"
    "  --json           machine-readable output\n"
    "  --evacuations    compare the evacuations' figures instead (migsim evacuate;\n"
    "                   filter experiment= only): those with the same options but\n"
    "                   --seed form a group; metrics drain-time, max-downtime,\n"
    "                   total-downtime, progress-lost, failed (default), completed,\n"
    "                   postcopy, peak-utilisation, retried; --ignore OPTION (e.g.\n"
    "                   bandwidthPerMigration) leaves an option out of the pairing\n"
    "\n"
    "Exit status: 0 nothing worse, 1 some metric worse by more than the threshold\n"
    "with significance, 2 error, of usage or of input (nothing compared).\n";

static const char *const default_metrics[] = {"total-time", "downtime", "transferred",
					      "guest-progress"};

/* evacuation_metrics (docs/schema.md), with their units and directions. */
static const struct evac_metric {
	const char *name, *unit;
	int higher_better;
} evac_metrics[] = {
    {"drain-time", "ms", 0},	 {"max-downtime", "ms", 0},
    {"total-downtime", "ms", 0}, {"progress-lost", "s", 0},
    {"failed", "", 0},		 {"completed", "", 1},
    {"postcopy", "", 0},	 {"peak-utilisation", "ratio", 0},
    {"retried", "", 0},
};
#define N_EVAC_METRICS (sizeof evac_metrics / sizeof *evac_metrics)

static const char *const default_evac_metrics[] = {"drain-time", "max-downtime", "total-downtime",
						   "progress-lost", "failed"};

struct side {
	const char *arg;
	char path[4096];
	query_filter f;
	query_set set;
	query_group *groups;
	size_t n_groups;
};

struct row {
	size_t group; /* index into base groups */
	size_t new_group;
	const char *metric;
	const char *unit; /* as fmt_value takes it */
	int ok;		  /* both sides have values */
	stats_verdict v;
};

struct opts {
	struct side base, new_;
	const char *metrics[MAX_METRICS];
	size_t n_metrics;
	double threshold, alpha;
	int json;
	int evac; /* --evacuations: the evacuations' figures, not the runs' */
	const char *ignore[MAX_SKIP], *pair_on[MAX_SKIP];
	size_t n_ignore, n_pair_on;
	/* Left out of the pairing: --ignore, then the settings that differ. */
	const char *skip[MAX_SKIP];
	size_t n_skip, n_differ;   /* skip[n_ignore ..] differ between the sides */
	char **names_b, **names_n; /* setting names of each side (own skip[]) */
	size_t nn_b, nn_n;
};

/* "5%", "5 %", or a fraction "0.05". */
static int parse_fraction(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s)
		return -1;
	while (*end == ' ')
		end++;
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (*end || !(v >= 0) || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	const char *pos[2];
	int npos = 0;
	o->threshold = STATS_THRESHOLD;
	o->alpha = STATS_ALPHA;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--json") || !strcmp(a, "--evacuations")) {
			*(a[2] == 'j' ? &o->json : &o->evac) = 1;
			continue;
		}
		if (strncmp(a, "--", 2)) {
			if (npos == 2)
				return cli_fail(CLI_EXIT_ERROR, "more than two databases given", a);
			pos[npos++] = a;
			continue;
		}
		if (i + 1 >= argc)
			return cli_fail(CLI_EXIT_ERROR, "option needs a value", a);
		const char *v = argv[++i];
		if (!strcmp(a, "--ignore") || !strcmp(a, "--pair-on")) {
			int ign = !strcmp(a, "--ignore");
			size_t *n = ign ? &o->n_ignore : &o->n_pair_on;
			if (*n == MAX_SKIP)
				return cli_fail(CLI_EXIT_ERROR, "too many settings", a);
			(ign ? o->ignore : o->pair_on)[(*n)++] = v;
		} else if (!strcmp(a, "--metric")) {
			if (o->n_metrics == MAX_METRICS)
				return cli_fail(CLI_EXIT_ERROR, "too many --metric options", v);
			o->metrics[o->n_metrics++] = v;
		} else if (!strcmp(a, "--threshold")) {
			if (parse_fraction(v, &o->threshold) < 0)
				return cli_fail(CLI_EXIT_ERROR, "bad threshold (e.g. 5% or 0.05)",
						v);
		} else if (!strcmp(a, "--alpha")) {
			if (parse_fraction(v, &o->alpha) < 0 || !(o->alpha > 0 && o->alpha < 1))
				return cli_fail(CLI_EXIT_ERROR, "bad alpha (between 0 and 1)", v);
		} else
			return cli_fail(CLI_EXIT_ERROR, "unknown option", a);
	}
	if (npos < 2)
		return cli_fail(CLI_EXIT_ERROR, "two databases needed", "migsim compare BASE NEW");
	o->base.arg = pos[0];
	o->new_.arg = pos[1];
	if (o->evac && o->n_pair_on)
		return cli_fail(CLI_EXIT_ERROR, "not with --evacuations", "--pair-on");
	if (!o->n_metrics && o->evac) {
		o->n_metrics = sizeof default_evac_metrics / sizeof *default_evac_metrics;
		memcpy(o->metrics, default_evac_metrics, sizeof default_evac_metrics);
	} else if (!o->n_metrics) {
		o->n_metrics = sizeof default_metrics / sizeof *default_metrics;
		memcpy(o->metrics, default_metrics, sizeof default_metrics);
	}
	return 0;
}

static int load_side(struct side *s, err *e)
{
	query *q;
	if (query_parse_source(s->arg, s->path, sizeof s->path, &s->f, e) < 0 ||
	    query_open(&q, s->path, e) < 0)
		return -1;
	int rc = query_load(q, &s->f, &s->set, e);
	query_close(q);
	if (rc == 0 && s->set.n == 0)
		rc = err_set(e, "no runs match");
	return rc;
}

static int any_has_metric(const query_set *s, const char *name)
{
	double v;
	for (size_t i = 0; i < s->n; i++)
		if (query_metric_get(&s->runs[i], name, &v))
			return 1;
	return 0;
}

/* The metric's values over a group's runs (NaN and absent left out). */
static size_t values(const query_set *s, const query_group *g, const char *name, double *out)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++) {
		double v;
		if (query_metric_get(&s->runs[g->runs[i]], name, &v) && !isnan(v))
			out[n++] = v;
	}
	return n;
}

/* The row's verdict on the two sides' values (none on a side: n/a). */
static void compare_values(const struct opts *o, struct row *x, const double *vb, size_t n1,
			   const double *vn, size_t n2, int higher_better)
{
	stats_dir dir = higher_better ? STATS_HIGHER_IS_BETTER : STATS_LOWER_IS_BETTER;
	x->ok = n1 && n2 &&
		stats_compare(vb, n1, vn, n2, dir, o->alpha, o->threshold, &x->v, NULL) == 0;
	x->v.n_base = n1;
	x->v.n_new = n2;
}

static int build_rows(struct opts *o, struct row **rows, size_t *n_rows, err *e)
{
	struct side *b = &o->base, *nw = &o->new_;
	size_t cap = b->n_groups * o->n_metrics;
	struct row *r = calloc(cap ? cap : 1, sizeof *r);
	double *vb = malloc((b->set.n + 1) * sizeof *vb),
	       *vn = malloc((nw->set.n + 1) * sizeof *vn);
	size_t n = 0;
	if (!r || !vb || !vn) {
		free(r), free(vb), free(vn);
		return err_set(e, "out of memory");
	}
	for (size_t g = 0; g < b->n_groups; g++) {
		size_t k = 0;
		while (k < nw->n_groups && strcmp(nw->groups[k].key, b->groups[g].key))
			k++;
		if (k == nw->n_groups)
			continue;
		for (size_t m = 0; m < o->n_metrics; m++) {
			struct row *x = &r[n++];
			x->group = g;
			x->new_group = k;
			x->metric = o->metrics[m];
			x->unit = query_metric_unit(x->metric);
			size_t n1 = values(&b->set, &b->groups[g], x->metric, vb);
			size_t n2 = values(&nw->set, &nw->groups[k], x->metric, vn);
			compare_values(o, x, vb, n1, vn, n2, query_metric_higher_better(x->metric));
		}
	}
	free(vb);
	free(vn);
	*rows = r;
	*n_rows = n;
	return 0;
}

static const char *verdict(const struct row *x)
{
	if (!x->ok)
		return "n/a";
	if (x->v.worse)
		return "worse";
	if (x->v.better)
		return "better";
	return x->v.too_few ? "~ (n<4)" : "~";
}

/* A value with its unit, scaled so it stays readable: "212.5 ms", "1.5 s",
 * "256 MiB". */
static char *fmt_value(char *buf, size_t n, double v, const char *unit)
{
	static const char *const bytes[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	if (isnan(v))
		snprintf(buf, n, "n/a");
	else if (!strcmp(unit, "ms") && fabs(v) >= 1000)
		snprintf(buf, n, "%.4g s", v / 1000);
	else if (!strcmp(unit, "bytes")) {
		int k = 0;
		while (k < 4 && fabs(v) >= 1024) {
			v /= 1024;
			k++;
		}
		snprintf(buf, n, "%.4g %s", v, bytes[k]);
	} else if (!strcmp(unit, "ratio") || !strcmp(unit, "0/1"))
		snprintf(buf, n, "%.4g", v);
	else
		snprintf(buf, n, "%.4g%s%s", v, *unit ? " " : "", unit);
	return buf;
}

char *compare_format(char *buf, size_t n, double v, const char *metric)
{
	return fmt_value(buf, n, v, query_metric_unit(metric));
}

static char *fmt_change(char *buf, size_t n, const struct row *x)
{
	if (!x->ok)
		buf[0] = '\0';
	else if (isinf(x->v.change))
		snprintf(buf, n, "%sinf", x->v.change > 0 ? "+" : "-");
	else
		snprintf(buf, n, "%+.2f%%", 100 * x->v.change);
	return buf;
}

/* "calloc_loop {pass_cost=1ms} precopy -> precopy+xbzrle xbzrle-cache-size=..."
 * : the workload, the policies, and the grouped settings that differ
 * between the groups (what tells one group from another). */
static void group_label(const struct opts *o, unsigned without, size_t g, size_t k, char *buf,
			size_t n)
{
	const struct side *b = &o->base, *nw = &o->new_;
	const query_run *rb = &b->set.runs[b->groups[g].runs[0]];
	const query_run *rn = &nw->set.runs[nw->groups[k].runs[0]];
	size_t len = (size_t)snprintf(buf, n, "%s", rb->workload);
	if (rb->wl_params && strcmp(rb->wl_params, "{}") && len < n)
		len += (size_t)snprintf(buf + len, n - len, " %s", rb->wl_params);
	const char *pb = o->base.f.policy_name, *pn = o->new_.f.policy_name;
	if (len < n && (pb || pn))
		len += (size_t)snprintf(buf + len, n - len, "  %s -> %s", pb ? pb : rb->policy,
					pn ? pn : rn->policy);
	else if (len < n) {
		if (strcmp(rb->policy, rn->policy))
			len += (size_t)snprintf(buf + len, n - len, "  %s -> %s", rb->policy,
						rn->policy);
		else
			len += (size_t)snprintf(buf + len, n - len, "  %s", rb->policy);
	}
	for (size_t i = 0; i < rb->n_settings && len < n; i++) {
		const query_setting *s = &rb->settings[i];
		/* The policy and workload are named already. */
		if (!query_setting_grouped(s->name, without | QUERY_BY_POLICY | QUERY_BY_WORKLOAD))
			continue;
		for (size_t j = 0; j < b->n_groups; j++) {
			const char *v =
			    query_setting_get(&b->set.runs[b->groups[j].runs[0]], s->name);
			if (!v || strcmp(v, s->value)) {
				len += (size_t)snprintf(buf + len, n - len, "  %s=%s", s->name,
							s->value);
				break;
			}
		}
	}
}

static int in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return 1;
	return 0;
}

/* The one value of a setting over a side's runs (NULL: absent); 0 when the
 * runs do not agree. */
static int one_value(const query_set *s, const char *name, const char **v)
{
	*v = query_setting_get(&s->runs[0], name);
	for (size_t i = 1; i < s->n; i++) {
		const char *x = query_setting_get(&s->runs[i], name);
		if (x != *v && (!x || !*v || strcmp(x, *v)))
			return 0;
	}
	return 1;
}

/* A grouped setting with one value on each side, not the same one, would
 * keep every group from pairing: it is what the two sides compare (a cache
 * size, or a parameter one side's migsim did not have). It is left out of
 * the key, after the --ignore ones, unless --pair-on keeps it. The workload
 * is never paired across. */
static void consider(struct opts *o, unsigned without, const char *name)
{
	const char *vb, *vn;
	if (!query_setting_grouped(name, without) || !strcmp(name, "workload") ||
	    !strncmp(name, "wl.", 3) || in_list(name, o->skip, o->n_skip) ||
	    in_list(name, o->pair_on, o->n_pair_on) || o->n_skip == MAX_SKIP)
		return;
	if (one_value(&o->base.set, name, &vb) && one_value(&o->new_.set, name, &vn) && vb != vn &&
	    (!vb || !vn || strcmp(vb, vn))) {
		o->skip[o->n_skip++] = name;
		o->n_differ++;
	}
}

static int find_differing(struct opts *o, unsigned without, err *e)
{
	memcpy(o->skip, o->ignore, o->n_ignore * sizeof *o->skip);
	o->n_skip = o->n_ignore;
	if (query_setting_names(&o->base.set, &o->names_b, &o->nn_b, e) < 0 ||
	    query_setting_names(&o->new_.set, &o->names_n, &o->nn_n, e) < 0)
		return -1;
	for (size_t i = 0; i < o->nn_b; i++)
		consider(o, without, o->names_b[i]);
	for (size_t i = 0; i < o->nn_n; i++)
		consider(o, without, o->names_n[i]);
	return 0;
}

/* "xbzrle-cache-size: 64MiB -> 8MiB" of skip[i] (a differing setting). */
static void differ_text(const struct opts *o, size_t i, char *buf, size_t n)
{
	const char *name = o->skip[i], *vb, *vn;
	char b[64], nw[64];
	one_value(&o->base.set, name, &vb);
	one_value(&o->new_.set, name, &vn);
	query_setting_text(name, vb, b, sizeof b);
	query_setting_text(name, vn, nw, sizeof nw);
	snprintf(buf, n, "%s: %s -> %s", name, b, nw);
}

/* When nothing pairs: the grouped settings whose values are not the same on
 * both sides, "ram-bytes (64MiB; 1GiB)", for the error line. */
static void differences(const struct opts *o, unsigned without, char *buf, size_t n)
{
	const query_run *rb = &o->base.set.runs[0], *rn = &o->new_.set.runs[0];
	size_t len = 0;
	buf[0] = '\0';
	for (int side = 0; side < 2; side++) {
		char **names = side ? o->names_n : o->names_b;
		size_t nn = side ? o->nn_n : o->nn_b;
		for (size_t i = 0; i < nn && len < n; i++) {
			const char *name = names[i];
			const char *vb = query_setting_get(rb, name),
				   *vn = query_setting_get(rn, name);
			if (!query_setting_grouped(name, without) ||
			    in_list(name, o->skip, o->n_skip) || (side && vb) ||
			    (vb && vn && !strcmp(vb, vn)))
				continue;
			char b[64], nw[64];
			query_setting_text(name, vb, b, sizeof b);
			query_setting_text(name, vn, nw, sizeof nw);
			len += (size_t)snprintf(buf + len, n - len, "%s%s (%s; %s)",
						len ? ", " : "", name, b, nw);
		}
	}
}

static void side_line(const char *what, const struct side *s)
{
	printf("%-4s %s  (%zu runs, %zu groups)\n", what, s->arg, s->set.n, s->n_groups);
}

/* A group's heading for print_table: its label and sizes. */
typedef void (*label_fn)(const void *ctx, const struct row *x, char *buf, size_t n);

/* The rows, a table per group under its label, the columns as wide as
 * their widest cell. */
static void print_table(const struct row *rows, size_t n, label_fn label, const void *ctx)
{
	int w[6] = {6, 4, 3, 6, 1, 7}; /* metric, base, new, change, p, verdict */
	char cell[6][64];
	for (int pass = 0; pass < 2; pass++) {
		size_t last = (size_t)-1;
		for (size_t i = 0; i < n; i++) {
			const struct row *x = &rows[i];
			snprintf(cell[0], 64, "%s", x->metric);
			fmt_value(cell[1], 64, x->ok ? x->v.median_base : NAN, x->unit);
			fmt_value(cell[2], 64, x->ok ? x->v.median_new : NAN, x->unit);
			fmt_change(cell[3], 64, x);
			snprintf(cell[4], 64, x->ok ? "%.3g" : "", x->v.test.p);
			snprintf(cell[5], 64, "%s", verdict(x));
			if (pass == 0) {
				for (int c = 0; c < 6; c++)
					if ((int)strlen(cell[c]) > w[c])
						w[c] = (int)strlen(cell[c]);
				continue;
			}
			if (x->group != last) {
				char head[1200];
				label(ctx, x, head, sizeof head);
				printf("\n%s\n", head);
				printf("  %-*s  %*s  %*s  %*s  %*s  %s\n", w[0], "metric", w[1],
				       "base", w[2], "new", w[3], "change", w[4], "p", "verdict");
				last = x->group;
			}
			printf("  %-*s  %*s  %*s  %*s  %*s  %s\n", w[0], cell[0], w[1], cell[1],
			       w[2], cell[2], w[3], cell[3], w[4], cell[4], cell[5]);
		}
	}
}

struct run_label_ctx {
	const struct opts *o;
	unsigned without;
};

static void run_label(const void *ctx, const struct row *x, char *buf, size_t n)
{
	const struct run_label_ctx *c = ctx;
	char label[1024];
	group_label(c->o, c->without, x->group, x->new_group, label, sizeof label);
	snprintf(buf, n, "%s  (n = %zu vs %zu)", label, c->o->base.groups[x->group].n,
		 c->o->new_.groups[x->new_group].n);
}

static void print_text(const struct opts *o, unsigned without, const struct row *rows, size_t n)
{
	side_line("BASE", &o->base);
	side_line("NEW", &o->new_);
	for (size_t i = o->n_ignore; i < o->n_skip; i++) {
		char d[256];
		differ_text(o, i, d, sizeof d);
		printf("%s %s\n", i == o->n_ignore ? "DIFFERS" : "       ", d);
	}
	for (size_t i = 0; i < o->n_ignore; i++)
		printf("%s %s\n", i ? "       " : "IGNORED", o->ignore[i]);
	printf("Mann-Whitney U test, alpha %g, threshold %g%%\n", o->alpha, 100 * o->threshold);
	struct run_label_ctx c = {o, without};
	print_table(rows, n, run_label, &c);
}

static void json_side(jw *w, const char *key, const struct side *s)
{
	jw_obj(w, key);
	jw_str(w, "source", s->arg);
	jw_str(w, "path", s->path);
	jw_uint(w, "runs", s->set.n);
	jw_uint(w, "groups", s->n_groups);
	jw_end(w);
}

/* One row of a group's "metrics" array. */
static void json_metric(jw *w, const struct row *x, int higher_better)
{
	jw_obj(w, NULL);
	jw_str(w, "metric", x->metric);
	jw_str(w, "unit", x->unit);
	jw_str(w, "better", higher_better ? "higher" : "lower");
	jw_uint(w, "n-base", x->v.n_base);
	jw_uint(w, "n-new", x->v.n_new);
	jw_num(w, "median-base", x->ok ? x->v.median_base : NAN);
	jw_num(w, "median-new", x->ok ? x->v.median_new : NAN);
	jw_num(w, "change", x->ok ? x->v.change : NAN);
	jw_num(w, "p", x->ok ? x->v.test.p : NAN);
	jw_str(w, "method", x->ok ? x->v.test.method : NULL);
	jw_bool(w, "significant", x->ok && x->v.significant);
	jw_str(w, "verdict", x->ok ? (x->v.worse ? "worse" : x->v.better ? "better" : "~") : "n/a");
	jw_bool(w, "too-few", x->ok && x->v.too_few);
	jw_end(w);
}

static int print_json(const struct opts *o, unsigned without, const struct row *rows, size_t n,
		      size_t matched, int worse)
{
	jw w;
	jw_init(&w, 1);
	jw_obj(&w, NULL);
	json_side(&w, "base", &o->base);
	json_side(&w, "new", &o->new_);
	jw_arr(&w, "differing-settings");
	for (size_t i = o->n_ignore; i < o->n_skip; i++) {
		const char *vb, *vn;
		one_value(&o->base.set, o->skip[i], &vb);
		one_value(&o->new_.set, o->skip[i], &vn);
		jw_obj(&w, NULL);
		jw_str(&w, "setting", o->skip[i]);
		jw_str(&w, "base", vb);
		jw_str(&w, "new", vn);
		jw_end(&w);
	}
	jw_end(&w);
	jw_arr(&w, "ignored");
	for (size_t i = 0; i < o->n_ignore; i++)
		jw_str(&w, NULL, o->ignore[i]);
	jw_end(&w);
	jw_str(&w, "test", "mann-whitney-u");
	jw_num(&w, "alpha", o->alpha);
	jw_num(&w, "threshold", o->threshold);
	jw_uint(&w, "matched-groups", matched);
	jw_uint(&w, "worse", (uint64_t)worse);
	jw_arr(&w, "groups");
	size_t last = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		const struct row *x = &rows[i];
		if (x->group != last) {
			if (last != (size_t)-1) {
				jw_end(&w);
				jw_end(&w);
			}
			char label[1024];
			group_label(o, without, x->group, x->new_group, label, sizeof label);
			const query_run *rb = &o->base.set.runs[o->base.groups[x->group].runs[0]];
			const query_run *rn =
			    &o->new_.set.runs[o->new_.groups[x->new_group].runs[0]];
			jw_obj(&w, NULL);
			jw_str(&w, "label", label);
			jw_str(&w, "workload", rb->workload);
			jw_raw(&w, "workload-params", rb->wl_params ? rb->wl_params : "{}");
			jw_str(&w, "base-policy", rb->policy);
			jw_str(&w, "new-policy", rn->policy);
			jw_str(&w, "key", o->base.groups[x->group].key);
			jw_uint(&w, "base-runs", o->base.groups[x->group].n);
			jw_uint(&w, "new-runs", o->new_.groups[x->new_group].n);
			jw_arr(&w, "metrics");
			last = x->group;
		}
		json_metric(&w, x, query_metric_higher_better(x->metric));
	}
	if (last != (size_t)-1) {
		jw_end(&w);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	if (!jw_text(&w)) {
		jw_free(&w);
		return cli_fail(CLI_EXIT_ERROR, "out of memory", "--json");
	}
	printf("%s\n", jw_text(&w));
	jw_free(&w);
	return 0;
}

static size_t count_matched(const struct opts *o)
{
	size_t m = 0;
	for (size_t g = 0; g < o->base.n_groups; g++)
		for (size_t k = 0; k < o->new_.n_groups; k++)
			if (!strcmp(o->base.groups[g].key, o->new_.groups[k].key)) {
				m++;
				break;
			}
	return m;
}

static int run_compare(struct opts *o)
{
	err e = {{0}};
	if (load_side(&o->base, &e) < 0)
		return cli_fail(CLI_EXIT_ERROR, e.msg, o->base.arg);
	if (load_side(&o->new_, &e) < 0)
		return cli_fail(CLI_EXIT_ERROR, e.msg, o->new_.arg);
	for (size_t m = 0; m < o->n_metrics; m++)
		if (!any_has_metric(&o->base.set, o->metrics[m]) &&
		    !any_has_metric(&o->new_.set, o->metrics[m]))
			return cli_fail(CLI_EXIT_ERROR, "unknown metric (see docs/schema.md)",
					o->metrics[m]);
	unsigned without = o->base.f.keys | o->new_.f.keys;
	if (find_differing(o, without, &e) < 0 ||
	    query_group_runs_skip(&o->base.set, without, o->skip, o->n_skip, &o->base.groups,
				  &o->base.n_groups, &e) < 0 ||
	    query_group_runs_skip(&o->new_.set, without, o->skip, o->n_skip, &o->new_.groups,
				  &o->new_.n_groups, &e) < 0)
		return cli_fail(CLI_EXIT_ERROR, e.msg, "grouping runs");
	size_t matched = count_matched(o);
	if (!matched) {
		char msg[900], d[700];
		differences(o, without, d, sizeof d);
		snprintf(msg, sizeof msg,
			 "no group of runs in common: BASE has %zu groups, NEW %zu; their first "
			 "runs differ in %s (use --ignore SETTING to pair across one)",
			 o->base.n_groups, o->new_.n_groups, d[0] ? d : "nothing grouped");
		return cli_fail(CLI_EXIT_ERROR, msg, o->new_.arg);
	}
	struct row *rows = NULL;
	size_t n = 0;
	if (build_rows(o, &rows, &n, &e) < 0)
		return cli_fail(CLI_EXIT_ERROR, e.msg, "compare");
	int worse = 0;
	for (size_t i = 0; i < n; i++)
		worse += rows[i].ok && rows[i].v.worse;
	int rc = 0;
	if (o->json)
		rc = print_json(o, without, rows, n, matched, worse);
	else {
		print_text(o, without, rows, n);
		printf("\n%zu groups compared", matched);
		if (matched < o->base.n_groups || matched < o->new_.n_groups)
			printf(" (%zu only in BASE, %zu only in NEW)", o->base.n_groups - matched,
			       o->new_.n_groups - matched);
		printf("; %d metric%s worse\n", worse, worse == 1 ? "" : "s");
	}
	free(rows);
	return rc ? rc : worse ? CLI_EXIT_WORSE : 0;
}

/* --- evacuations (--evacuations) ------------------------------------------------- */

/* The evacuations of one scenario and policy on one side: the options that
 * gave them (evacuations.scenario) less --seed and the --ignore'd ones,
 * which is the key the sides pair on, and their figures. */
struct evac_cell {
	char *key;    /* the options left, each followed by '\n' */
	double *vals; /* N_EVAC_METRICS a evacuation; NaN: not recorded */
	size_t n, cap;
};

struct evac_side {
	struct evac_cell *cells;
	size_t n_cells, cap_cells, n_evac;
};

static int evac_metric_index(const char *name)
{
	for (size_t i = 0; i < N_EVAC_METRICS; i++)
		if (!strcmp(evac_metrics[i].name, name))
			return (int)i;
	return -1;
}

/* Whether an option (dashes included) stays in the key: the seed is what
 * varies between an evacuation's samples. */
static int evac_keeps(const struct opts *o, const char *opt)
{
	if (!strcmp(opt, "--seed"))
		return 0;
	for (size_t i = 0; i < o->n_ignore; i++) {
		const char *name = o->ignore[i];
		while (*name == '-')
			name++;
		if (!strcmp(opt + 2, name))
			return 0;
	}
	return 1;
}

static int append(char **buf, size_t *len, size_t *cap, const char *text)
{
	size_t n = strlen(text);
	if (*len + n + 2 > *cap) {
		size_t grown = 2 * (*len + n + 2) + 64;
		char *b = realloc(*buf, grown);
		if (!b)
			return -1;
		*buf = b;
		*cap = grown;
	}
	memcpy(*buf + *len, text, n);
	*len += n;
	(*buf)[(*len)++] = '\n';
	(*buf)[*len] = '\0';
	return 0;
}

/* Every option takes a value: an option left out takes its value along. */
static int evac_key(sqlite3 *db, const struct opts *o, const char *scenario, char **key, err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT value FROM json_each(?1) ORDER BY key", -1, &st, NULL) !=
	    SQLITE_OK)
		return err_set(e, "evacuations.scenario: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, scenario, -1, SQLITE_STATIC);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int skip = 0, rc = 0;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *tok = (const char *)sqlite3_column_text(st, 0);
		tok = tok ? tok : "";
		if (skip)
			skip = 0;
		else if (!strncmp(tok, "--", 2) && !evac_keeps(o, tok))
			skip = 1;
		else if (append(&buf, &len, &cap, tok) < 0)
			rc = err_set(e, "out of memory");
	}
	sqlite3_finalize(st);
	if (rc == 0 && !buf && append(&buf, &len, &cap, "") < 0)
		rc = err_set(e, "out of memory");
	if (rc < 0)
		free(buf);
	else
		*key = buf;
	return rc;
}

/* Adds one evacuation's figures to the cell of its key (which it takes). */
static int evac_add(struct evac_side *s, char *key, const double *vals, err *e)
{
	size_t c = 0;
	while (c < s->n_cells && strcmp(s->cells[c].key, key))
		c++;
	if (c == s->n_cells) {
		if (s->n_cells == s->cap_cells) {
			size_t cap = s->cap_cells ? 2 * s->cap_cells : 16;
			struct evac_cell *g = realloc(s->cells, cap * sizeof *g);
			if (!g) {
				free(key);
				return err_set(e, "out of memory");
			}
			s->cells = g;
			s->cap_cells = cap;
		}
		s->cells[s->n_cells++] = (struct evac_cell){.key = key};
	} else
		free(key);
	struct evac_cell *cell = &s->cells[c];
	if (cell->n == cell->cap) {
		size_t cap = cell->cap ? 2 * cell->cap : 8;
		double *v = realloc(cell->vals, cap * N_EVAC_METRICS * sizeof *v);
		if (!v)
			return err_set(e, "out of memory");
		cell->vals = v;
		cell->cap = cap;
	}
	memcpy(cell->vals + cell->n++ * N_EVAC_METRICS, vals, N_EVAC_METRICS * sizeof *vals);
	s->n_evac++;
	return 0;
}

static void evac_side_free(struct evac_side *s)
{
	for (size_t c = 0; c < s->n_cells; c++) {
		free(s->cells[c].key);
		free(s->cells[c].vals);
	}
	free(s->cells);
	memset(s, 0, sizeof *s);
}

static int evac_read(sqlite3 *db, const struct opts *o, const char *experiment, struct evac_side *s,
		     err *e)
{
	sqlite3_stmt *ev, *m;
	if (sqlite3_prepare_v2(db,
			       "SELECT id, scenario FROM evacuations WHERE ?1 IS NULL OR"
			       " experiment = ?1 ORDER BY id",
			       -1, &ev, NULL) != SQLITE_OK)
		return err_set(e, "no evacuations in it (a database from before them)");
	if (sqlite3_prepare_v2(
		db, "SELECT name, value FROM evacuation_metrics WHERE evacuation_id = ?1", -1, &m,
		NULL) != SQLITE_OK) {
		sqlite3_finalize(ev);
		return err_set(e, "evacuation_metrics: %s", sqlite3_errmsg(db));
	}
	if (experiment)
		sqlite3_bind_text(ev, 1, experiment, -1, SQLITE_STATIC);
	int rc = 0;
	while (rc == 0 && sqlite3_step(ev) == SQLITE_ROW) {
		double vals[N_EVAC_METRICS];
		for (size_t i = 0; i < N_EVAC_METRICS; i++)
			vals[i] = NAN;
		sqlite3_reset(m);
		sqlite3_bind_int64(m, 1, sqlite3_column_int64(ev, 0));
		while (sqlite3_step(m) == SQLITE_ROW) {
			int i = evac_metric_index((const char *)sqlite3_column_text(m, 0));
			if (i >= 0 && sqlite3_column_type(m, 1) != SQLITE_NULL)
				vals[i] = sqlite3_column_double(m, 1);
		}
		char *key = NULL;
		const char *scenario = (const char *)sqlite3_column_text(ev, 1);
		rc = evac_key(db, o, scenario ? scenario : "[]", &key, e);
		if (rc == 0)
			rc = evac_add(s, key, vals, e);
	}
	sqlite3_finalize(m);
	sqlite3_finalize(ev);
	return rc;
}

/* A side's evacuations: its database checked as every reader checks it
 * (query_open), its filter experiment= at most. */
static int evac_load(const struct opts *o, struct side *sd, struct evac_side *s, err *e)
{
	query *q;
	if (query_parse_source(sd->arg, sd->path, sizeof sd->path, &sd->f, e) < 0)
		return -1;
	if (sd->f.keys & ~(unsigned)QUERY_BY_EXPERIMENT)
		return err_set(e, "only experiment= selects evacuations");
	if (query_open(&q, sd->path, e) < 0)
		return -1;
	query_close(q);
	sqlite3 *db;
	if (sqlite3_open_v2(sd->path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return err_set(e, "cannot open");
	}
	int rc = evac_read(db, o, sd->f.experiment, s, e);
	sqlite3_close(db);
	if (rc == 0 && s->n_evac == 0)
		rc = err_set(e, "no evacuations match");
	return rc;
}

/* The figure's values over a cell's evacuations (NaN left out). */
static size_t evac_values(const struct evac_cell *c, int metric, double *out)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++) {
		double v = c->vals[i * N_EVAC_METRICS + (size_t)metric];
		if (!isnan(v))
			out[n++] = v;
	}
	return n;
}

static size_t evac_match(const struct evac_side *nw, const char *key)
{
	size_t k = 0;
	while (k < nw->n_cells && strcmp(nw->cells[k].key, key))
		k++;
	return k;
}

static int evac_rows(const struct opts *o, const struct evac_side *b, const struct evac_side *nw,
		     const int *metric, struct row **rows, size_t *n_rows, err *e)
{
	size_t most = 1;
	for (size_t c = 0; c < b->n_cells; c++)
		most = b->cells[c].n > most ? b->cells[c].n : most;
	for (size_t c = 0; c < nw->n_cells; c++)
		most = nw->cells[c].n > most ? nw->cells[c].n : most;
	struct row *r = calloc(b->n_cells * o->n_metrics + 1, sizeof *r);
	double *vb = malloc(most * sizeof *vb), *vn = malloc(most * sizeof *vn);
	if (!r || !vb || !vn) {
		free(r), free(vb), free(vn);
		return err_set(e, "out of memory");
	}
	size_t n = 0;
	for (size_t g = 0; g < b->n_cells; g++) {
		size_t k = evac_match(nw, b->cells[g].key);
		if (k == nw->n_cells)
			continue;
		for (size_t i = 0; i < o->n_metrics; i++) {
			const struct evac_metric *em = &evac_metrics[metric[i]];
			struct row *x = &r[n++];
			*x = (struct row){
			    .group = g, .new_group = k, .metric = em->name, .unit = em->unit};
			size_t n1 = evac_values(&b->cells[g], metric[i], vb);
			size_t n2 = evac_values(&nw->cells[k], metric[i], vn);
			compare_values(o, x, vb, n1, vn, n2, em->higher_better);
		}
	}
	free(vb);
	free(vn);
	*rows = r;
	*n_rows = n;
	return 0;
}

/* Whether the line (an option or its value, '\n'-ended) is in the key. */
static int key_has_pair(const char *key, const char *pair, size_t len)
{
	for (const char *p = key; *p;) {
		if (!strncmp(p, pair, len) && (p == key || p[-1] == '\n'))
			return 1;
		const char *nl = strchr(p, '\n');
		if (!nl)
			break;
		/* Options and values alternate: step over a pair at a time. */
		nl = strchr(nl + 1, '\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

/* What tells a BASE cell from the others: its options whose value not
 * every cell shares ("--bandwidthPerMigration 64MiB/s"). */
static void evac_cell_label(const struct evac_side *b, size_t cell, char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (const char *p = b->cells[cell].key; *p && len < n;) {
		const char *nl = strchr(p, '\n'), *end = nl ? strchr(nl + 1, '\n') : NULL;
		if (!end)
			break;
		size_t pair = (size_t)(end + 1 - p);
		int everywhere = 1;
		for (size_t g = 0; g < b->n_cells && everywhere; g++)
			everywhere = key_has_pair(b->cells[g].key, p, pair);
		if (!everywhere)
			len += (size_t)snprintf(buf + len, n - len, "%s%.*s %.*s", len ? "  " : "",
						(int)(nl - p), p, (int)(end - nl - 1), nl + 1);
		p = end + 1;
	}
	if (!len)
		snprintf(buf, n, b->n_cells > 1 ? "the options all share" : "evacuation");
}

struct evac_label_ctx {
	const struct evac_side *b, *nw;
};

static void evac_label(const void *ctx, const struct row *x, char *buf, size_t n)
{
	const struct evac_label_ctx *c = ctx;
	char label[1024];
	evac_cell_label(c->b, x->group, label, sizeof label);
	snprintf(buf, n, "%s  (n = %zu vs %zu)", label, c->b->cells[x->group].n,
		 c->nw->cells[x->new_group].n);
}

/* The cell's options as a JSON array of strings. */
static void json_options(jw *w, const char *key)
{
	char tok[512];
	jw_arr(w, "options");
	for (const char *p = key; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		snprintf(tok, sizeof tok, "%.*s", (int)len, p);
		jw_str(w, NULL, tok);
		p += len + (nl != NULL);
	}
	jw_end(w);
}

static void evac_side_line(const char *what, const struct side *sd, const struct evac_side *s)
{
	printf("%-4s %s  (%zu evacuations, %zu scenarios)\n", what, sd->arg, s->n_evac, s->n_cells);
}

static int evac_json(const struct opts *o, const struct evac_side *b, const struct evac_side *nw,
		     const struct row *rows, size_t n, size_t matched, int worse)
{
	jw w;
	jw_init(&w, 1);
	jw_obj(&w, NULL);
	const struct evac_side *sides[2] = {b, nw};
	const struct side *sd[2] = {&o->base, &o->new_};
	for (int i = 0; i < 2; i++) {
		jw_obj(&w, i ? "new" : "base");
		jw_str(&w, "source", sd[i]->arg);
		jw_str(&w, "path", sd[i]->path);
		jw_uint(&w, "evacuations", sides[i]->n_evac);
		jw_uint(&w, "groups", sides[i]->n_cells);
		jw_end(&w);
	}
	jw_arr(&w, "ignored");
	for (size_t i = 0; i < o->n_ignore; i++)
		jw_str(&w, NULL, o->ignore[i]);
	jw_end(&w);
	jw_str(&w, "test", "mann-whitney-u");
	jw_num(&w, "alpha", o->alpha);
	jw_num(&w, "threshold", o->threshold);
	jw_uint(&w, "matched-groups", matched);
	jw_uint(&w, "worse", (uint64_t)worse);
	jw_arr(&w, "groups");
	for (size_t i = 0; i < n; i++) {
		const struct row *x = &rows[i];
		if (i == 0 || x->group != rows[i - 1].group) {
			if (i) {
				jw_end(&w);
				jw_end(&w);
			}
			char label[1024];
			evac_cell_label(b, x->group, label, sizeof label);
			jw_obj(&w, NULL);
			jw_str(&w, "label", label);
			json_options(&w, b->cells[x->group].key);
			jw_uint(&w, "base-evacuations", b->cells[x->group].n);
			jw_uint(&w, "new-evacuations", nw->cells[x->new_group].n);
			jw_arr(&w, "metrics");
		}
		json_metric(&w, x, evac_metrics[evac_metric_index(x->metric)].higher_better);
	}
	if (n) {
		jw_end(&w);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	if (!jw_text(&w)) {
		jw_free(&w);
		return cli_fail(CLI_EXIT_ERROR, "out of memory", "--json");
	}
	printf("%s\n", jw_text(&w));
	jw_free(&w);
	return 0;
}

static int evac_report(const struct opts *o, const struct evac_side *b, const struct evac_side *nw,
		       const int *metric)
{
	size_t matched = 0;
	for (size_t g = 0; g < b->n_cells; g++)
		matched += evac_match(nw, b->cells[g].key) < nw->n_cells;
	if (!matched) {
		char msg[300];
		snprintf(msg, sizeof msg,
			 "no scenario in common: BASE has %zu, NEW %zu (use --ignore OPTION to "
			 "pair across one)",
			 b->n_cells, nw->n_cells);
		return cli_fail(CLI_EXIT_ERROR, msg, o->new_.arg);
	}
	struct row *rows = NULL;
	size_t n = 0;
	err e = {{0}};
	if (evac_rows(o, b, nw, metric, &rows, &n, &e) < 0)
		return cli_fail(CLI_EXIT_ERROR, e.msg, "compare");
	int worse = 0;
	for (size_t i = 0; i < n; i++)
		worse += rows[i].ok && rows[i].v.worse;
	int rc = 0;
	if (o->json)
		rc = evac_json(o, b, nw, rows, n, matched, worse);
	else {
		evac_side_line("BASE", &o->base, b);
		evac_side_line("NEW", &o->new_, nw);
		for (size_t i = 0; i < o->n_ignore; i++)
			printf("%s %s\n", i ? "       " : "IGNORED", o->ignore[i]);
		printf("Mann-Whitney U test, alpha %g, threshold %g%%\n", o->alpha,
		       100 * o->threshold);
		struct evac_label_ctx c = {b, nw};
		print_table(rows, n, evac_label, &c);
		printf("\n%zu scenarios compared", matched);
		if (matched < b->n_cells || matched < nw->n_cells)
			printf(" (%zu only in BASE, %zu only in NEW)", b->n_cells - matched,
			       nw->n_cells - matched);
		printf("; %d metric%s worse\n", worse, worse == 1 ? "" : "s");
	}
	free(rows);
	return rc ? rc : worse ? CLI_EXIT_WORSE : 0;
}

/* compare --evacuations: the evacuations' figures (evacuation_metrics),
 * paired by scenario and policy, with the statistics runs are compared by. */
static int compare_evacuations(struct opts *o)
{
	int metric[MAX_METRICS];
	for (size_t i = 0; i < o->n_metrics; i++)
		if ((metric[i] = evac_metric_index(o->metrics[i])) < 0)
			return cli_fail(CLI_EXIT_ERROR,
					"unknown evacuation metric (drain-time, max-downtime, "
					"total-downtime, progress-lost, failed, completed, "
					"postcopy, peak-utilisation, retried)",
					o->metrics[i]);
	struct evac_side b = {0}, nw = {0};
	err e = {{0}};
	int rc;
	if (evac_load(o, &o->base, &b, &e) < 0)
		rc = cli_fail(CLI_EXIT_ERROR, e.msg, o->base.arg);
	else if (evac_load(o, &o->new_, &nw, &e) < 0)
		rc = cli_fail(CLI_EXIT_ERROR, e.msg, o->new_.arg);
	else
		rc = evac_report(o, &b, &nw, metric);
	evac_side_free(&b);
	evac_side_free(&nw);
	return rc;
}

int compare_main(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(compare_usage, stdout);
		return 0;
	}
	struct opts o;
	memset(&o, 0, sizeof o);
	int rc = parse_args(&o, argc, argv);
	if (rc == 0)
		rc = o.evac ? compare_evacuations(&o) : run_compare(&o);
	query_groups_free(o.base.groups, o.base.n_groups);
	query_groups_free(o.new_.groups, o.new_.n_groups);
	query_set_free(&o.base.set);
	query_set_free(&o.new_.set);
	free(o.names_b);
	free(o.names_n);
	return rc;
}
