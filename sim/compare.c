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
    "\n"
    "Exit status: 0 nothing worse, 1 some metric worse by more than the threshold\n"
    "with significance, 2 error, of usage or of input (nothing compared).\n";

static const char *const default_metrics[] = {"total-time", "downtime", "transferred",
					      "guest-progress"};

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
	int ok; /* both sides have values */
	stats_verdict v;
};

struct opts {
	struct side base, new_;
	const char *metrics[MAX_METRICS];
	size_t n_metrics;
	double threshold, alpha;
	int json;
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
		if (!strcmp(a, "--json")) {
			o->json = 1;
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
	if (!o->n_metrics) {
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
			size_t n1 = values(&b->set, &b->groups[g], x->metric, vb);
			size_t n2 = values(&nw->set, &nw->groups[k], x->metric, vn);
			stats_dir dir = query_metric_higher_better(x->metric)
					    ? STATS_HIGHER_IS_BETTER
					    : STATS_LOWER_IS_BETTER;
			x->ok = n1 && n2 &&
				stats_compare(vb, n1, vn, n2, dir, o->alpha, o->threshold, &x->v,
					      NULL) == 0;
			x->v.n_base = n1;
			x->v.n_new = n2;
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
	int w[6] = {6, 4, 3, 6, 1, 7}; /* metric, base, new, change, p, verdict */
	char cell[6][64];
	for (int pass = 0; pass < 2; pass++) {
		size_t last = (size_t)-1;
		for (size_t i = 0; i < n; i++) {
			const struct row *x = &rows[i];
			const char *unit = query_metric_unit(x->metric);
			snprintf(cell[0], 64, "%s", x->metric);
			fmt_value(cell[1], 64, x->ok ? x->v.median_base : NAN, unit);
			fmt_value(cell[2], 64, x->ok ? x->v.median_new : NAN, unit);
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
				char label[1024];
				group_label(o, without, x->group, x->new_group, label,
					    sizeof label);
				printf("\n%s  (n = %zu vs %zu)\n", label,
				       o->base.groups[x->group].n, o->new_.groups[x->new_group].n);
				printf("  %-*s  %*s  %*s  %*s  %*s  %s\n", w[0], "metric", w[1],
				       "base", w[2], "new", w[3], "change", w[4], "p", "verdict");
				last = x->group;
			}
			printf("  %-*s  %*s  %*s  %*s  %*s  %s\n", w[0], cell[0], w[1], cell[1],
			       w[2], cell[2], w[3], cell[3], w[4], cell[4], cell[5]);
		}
	}
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
		jw_obj(&w, NULL);
		jw_str(&w, "metric", x->metric);
		jw_str(&w, "unit", query_metric_unit(x->metric));
		jw_str(&w, "better", query_metric_higher_better(x->metric) ? "higher" : "lower");
		jw_uint(&w, "n-base", x->v.n_base);
		jw_uint(&w, "n-new", x->v.n_new);
		jw_num(&w, "median-base", x->ok ? x->v.median_base : NAN);
		jw_num(&w, "median-new", x->ok ? x->v.median_new : NAN);
		jw_num(&w, "change", x->ok ? x->v.change : NAN);
		jw_num(&w, "p", x->ok ? x->v.test.p : NAN);
		jw_str(&w, "method", x->ok ? x->v.test.method : NULL);
		jw_bool(&w, "significant", x->ok && x->v.significant);
		jw_str(&w, "verdict",
		       x->ok ? (x->v.worse    ? "worse"
				: x->v.better ? "better"
					      : "~")
			     : "n/a");
		jw_bool(&w, "too-few", x->ok && x->v.too_few);
		jw_end(&w);
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
		rc = run_compare(&o);
	query_groups_free(o.base.groups, o.base.n_groups);
	query_groups_free(o.new_.groups, o.new_.n_groups);
	query_set_free(&o.base.set);
	query_set_free(&o.new_.set);
	free(o.names_b);
	free(o.names_n);
	return rc;
}
