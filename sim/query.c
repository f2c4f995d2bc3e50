/*
 * query — reading the run database (see query.h). The database is opened
 * read-only after the same refusals as store_open, so a report never
 * creates, migrates or locks anything. Settings are flattened by SQLite's
 * own JSON functions (json_each) rather than by a JSON parser of ours: the
 * config column was written by sim/json.c and SQLite reads it exactly.
 *
 * Runs are loaded in three queries over the same selection (runs, then
 * metrics, then settings, each in run order) and stitched together by a
 * merge on the run id, so loading is linear in what is stored.
 */
#include "query.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "json.h"
#include "params.h"
#include "units.h"

struct query {
	sqlite3 *db;
	char *path;
};

/* --- filters ----------------------------------------------------------------- */

static int set_filter_key(query_filter *f, const char *k, const char *v, err *e)
{
	static const struct {
		const char *name;
		unsigned bit;
		size_t off;
	} keys[] = {
	    {"policy", QUERY_BY_POLICY, offsetof(query_filter, policy)},
	    {"experiment", QUERY_BY_EXPERIMENT, offsetof(query_filter, experiment)},
	    {"workload", QUERY_BY_WORKLOAD, offsetof(query_filter, workload)},
	    {"status", QUERY_BY_STATUS, offsetof(query_filter, status)},
	    {"policy-name", QUERY_BY_POLICY_NAME, offsetof(query_filter, policy_name)},
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strcmp(k, keys[i].name))
			continue;
		if (f->keys & keys[i].bit)
			return err_set(e, "filter key '%s' given twice", k);
		*(const char **)((char *)f + keys[i].off) = v;
		f->keys |= keys[i].bit;
		return 0;
	}
	return err_set(
	    e, "unknown filter key '%s' (policy, experiment, workload, status, policy-name)", k);
}

int query_parse_filter(const char *text, query_filter *f, err *e)
{
	memset(f, 0, sizeof *f);
	if (!text || !*text)
		return 0;
	if (strlen(text) >= sizeof f->buf)
		return err_set(e, "filter too long");
	strcpy(f->buf, text);
	for (char *item = f->buf; item;) {
		char *next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		char *eq = strchr(item, '=');
		if (!eq || eq == item || !eq[1])
			return err_set(e, "filter '%s' is not KEY=VALUE", item);
		*eq = '\0';
		if (set_filter_key(f, item, eq + 1, e) < 0)
			return -1;
		item = next;
	}
	return 0;
}

int query_parse_source(const char *arg, char *path, size_t n, query_filter *f, err *e)
{
	/* The filter starts at the first colon followed by KEY=VALUE text; a
	 * path may contain colons of its own, but not '=' after them. */
	const char *colon = strchr(arg, ':');
	while (colon && !strchr(colon + 1, '='))
		colon = strchr(colon + 1, ':');
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
	if (len == 0)
		return err_set(e, "no database file given");
	if (len >= n)
		return err_set(e, "database path too long");
	memcpy(path, arg, len);
	path[len] = '\0';
	return query_parse_filter(colon ? colon + 1 : NULL, f, e);
}

/* --- opening ------------------------------------------------------------------ */

/* A database older than schema version 3 has no runs.policy_name, and a
 * read-only reader must not migrate it: a temporary view of the same name
 * (the temp schema comes first in name lookups) adds the column, from the
 * config as the migration would fill it. */
static int policy_name_view(query *q, err *e)
{
	sqlite3_stmt *st;
	int v = 0;
	if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return err_set(e, "%s: %s", q->path, sqlite3_errmsg(q->db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (v >= 3 || v == 0) /* 0: empty (store_check_db refused any other) */
		return 0;
	char *msg = NULL;
	if (sqlite3_exec(q->db,
			 "CREATE TEMP VIEW runs AS SELECT *, " STORE_POLICY_NAME_OF(
			     "config") " AS policy_name FROM main.runs",
			 NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	err_set(e, "%s: %s", q->path, msg ? msg : sqlite3_errmsg(q->db));
	sqlite3_free(msg);
	return -1;
}

int query_open(query **out, const char *path, err *e)
{
	struct stat sb;
	*out = NULL;
	if (!path || !*path)
		return err_set(e, "no database file given");
	if (stat(path, &sb) < 0)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (store_check_file(path, e) < 0)
		return -1;
	query *q = calloc(1, sizeof *q);
	if (!q || !(q->path = strdup(path))) {
		free(q);
		return err_set(e, "%s: out of memory", path);
	}
	if (sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		err_set(e, "%s: %s", path, q->db ? sqlite3_errmsg(q->db) : "out of memory");
		query_close(q);
		return -1;
	}
	sqlite3_busy_timeout(q->db, 5000);
	if (store_check_db(q->db, path, e) < 0 || policy_name_view(q, e) < 0) {
		query_close(q);
		return -1;
	}
	*out = q;
	return 0;
}

void query_close(query *q)
{
	if (!q)
		return;
	sqlite3_close(q->db);
	free(q->path);
	free(q);
}

/* --- loading ------------------------------------------------------------------- */

#define WHERE                                                                                      \
	" WHERE (?1 IS NULL OR r.policy = ?1) AND (?2 IS NULL OR r.experiment = ?2)"               \
	" AND (?3 IS NULL OR r.workload = ?3) AND (?4 IS NULL OR r.status = ?4)"                   \
	" AND (?5 IS NULL OR r.policy_name = ?5)"

static int prepare(query *q, const char *sql, const query_filter *f, sqlite3_stmt **st, err *e)
{
	if (sqlite3_prepare_v2(q->db, sql, -1, st, NULL) != SQLITE_OK)
		return err_set(e, "%s: %s", q->path, sqlite3_errmsg(q->db));
	if (f) {
		const char *v[5] = {f->policy, f->experiment, f->workload, f->status,
				    f->policy_name};
		for (int i = 0; i < 5; i++)
			if (v[i])
				sqlite3_bind_text(*st, i + 1, v[i], -1, SQLITE_STATIC);
	}
	return 0;
}

static char *dup_col(sqlite3_stmt *st, int i, int *oom)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	if (!t)
		return NULL;
	char *d = strdup(t);
	if (!d)
		*oom = 1;
	return d;
}

static int step_error(query *q, sqlite3_stmt *st, int rc, err *e)
{
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	return err_set(e, "%s: %s", q->path, sqlite3_errmsg(q->db));
}

static int load_runs(query *q, const query_filter *f, query_set *s, err *e)
{
	sqlite3_stmt *st;
	if (prepare(q,
		    "SELECT id, seed, experiment, workload, wl_params, policy, config, status,"
		    " error, result, migsim_version, policy_name FROM runs r" WHERE " ORDER BY id",
		    f, &st, e) < 0)
		return -1;
	size_t cap = 0;
	int rc, oom = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (s->n == cap) {
			cap = cap ? 2 * cap : 16;
			query_run *r = realloc(s->runs, cap * sizeof *r);
			if (!r) {
				oom = 1;
				break;
			}
			s->runs = r;
		}
		query_run *r = &s->runs[s->n++];
		memset(r, 0, sizeof *r);
		r->id = sqlite3_column_int64(st, 0);
		r->seed = (uint64_t)sqlite3_column_int64(st, 1);
		char **cols[] = {&r->experiment, &r->workload,	 &r->wl_params, &r->policy,
				 &r->config,	 &r->status,	 &r->error,	&r->result,
				 &r->version,	 &r->policy_name};
		for (int i = 0; i < 10; i++)
			*cols[i] = dup_col(st, i + 2, &oom);
	}
	if (oom) {
		sqlite3_finalize(st);
		return err_set(e, "%s: out of memory", q->path);
	}
	return step_error(q, st, rc, e);
}

static query_run *find_run(query_set *s, int64_t id, size_t *hint)
{
	while (*hint < s->n && s->runs[*hint].id < id)
		(*hint)++;
	return *hint < s->n && s->runs[*hint].id == id ? &s->runs[*hint] : NULL;
}

static int load_metrics(query *q, const query_filter *f, query_set *s, err *e)
{
	sqlite3_stmt *st;
	if (prepare(q,
		    "SELECT m.run_id, m.name, m.value FROM runs r JOIN metrics m ON m.run_id = "
		    "r.id" WHERE " ORDER BY m.run_id, m.name",
		    f, &st, e) < 0)
		return -1;
	size_t hint = 0;
	int rc, oom = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !oom) {
		query_run *r = find_run(s, sqlite3_column_int64(st, 0), &hint);
		if (!r)
			continue;
		query_metric *m = realloc(r->metrics, (r->n_metrics + 1) * sizeof *m);
		if (!m) {
			oom = 1;
			break;
		}
		r->metrics = m;
		m = &m[r->n_metrics++];
		m->name = dup_col(st, 1, &oom);
		m->value =
		    sqlite3_column_type(st, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 2);
	}
	if (oom) {
		sqlite3_finalize(st);
		return err_set(e, "%s: out of memory", q->path);
	}
	return step_error(q, st, rc, e);
}

static int add_setting(query_run *r, const char *name, const char *value, const char *json)
{
	query_setting *v = realloc(r->settings, (r->n_settings + 1) * sizeof *v);
	if (!v)
		return -1;
	r->settings = v;
	v = &v[r->n_settings++];
	v->name = strdup(name);
	v->value = strdup(value ? value : "null");
	v->json = strdup(json ? json : "null");
	return v->name && v->value && v->json ? 0 : -1;
}

static int by_setting(const void *a, const void *b)
{
	return strcmp(((const query_setting *)a)->name, ((const query_setting *)b)->name);
}

/* JSON booleans come out of json_each as 0 and 1; keep them booleans. */
#define B_VALUE "CASE WHEN j.type IN ('true', 'false') THEN j.type ELSE j.value END"
#define B_JSON	"CASE WHEN j.type IN ('true', 'false') THEN j.type ELSE json_quote(j.value) END"

/* Flattens wl_params (as "wl.NAME"), config's fields and its parameters.
 * The pseudo-settings "workload" and "policy" take part in grouping too. */
static int load_settings(query *q, const query_filter *f, query_set *s, err *e)
{
	sqlite3_stmt *st;
	if (prepare(q,
		    "SELECT r.id, 'wl.' || j.key, " B_VALUE ", " B_JSON " FROM runs r,"
		    " json_each(CASE WHEN json_valid(r.wl_params) THEN r.wl_params ELSE '{}' END) "
		    "j" WHERE " UNION ALL "
		    "SELECT r.id, j.key, " B_VALUE ", " B_JSON " FROM runs r,"
		    " json_each(CASE WHEN json_valid(r.config) THEN r.config ELSE '{}' END) j" WHERE
		    " AND j.key != 'parameters' UNION ALL "
		    "SELECT r.id, j.key, " B_VALUE ", " B_JSON " FROM runs r,"
		    " json_each(CASE WHEN json_valid(r.config) THEN r.config ELSE '{}' END,"
		    " '$.parameters') j" WHERE " ORDER BY 1",
		    f, &st, e) < 0)
		return -1;
	size_t hint = 0;
	int rc, oom = 0;
	while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		query_run *r = find_run(s, sqlite3_column_int64(st, 0), &hint);
		if (r && add_setting(r, (const char *)sqlite3_column_text(st, 1),
				     (const char *)sqlite3_column_text(st, 2),
				     (const char *)sqlite3_column_text(st, 3)) < 0)
			oom = 1;
	}
	for (size_t i = 0; i < s->n && !oom; i++) {
		query_run *r = &s->runs[i];
		jw w;
		if (add_setting(r, "workload", r->workload, NULL) < 0 ||
		    add_setting(r, "policy", r->policy, NULL) < 0)
			oom = 1;
		/* JSON of the two pseudo-settings, quoted by the writer. */
		for (size_t k = r->n_settings - 2; !oom && k < r->n_settings; k++) {
			jw_init(&w, 0);
			jw_escape(&w, r->settings[k].value);
			free(r->settings[k].json);
			r->settings[k].json = jw_text(&w) ? strdup(jw_text(&w)) : NULL;
			oom = !r->settings[k].json;
			jw_free(&w);
		}
		qsort(r->settings, r->n_settings, sizeof *r->settings, by_setting);
	}
	if (oom) {
		sqlite3_finalize(st);
		return err_set(e, "%s: out of memory", q->path);
	}
	return step_error(q, st, rc, e);
}

int query_load(query *q, const query_filter *f, query_set *out, err *e)
{
	memset(out, 0, sizeof *out);
	if (load_runs(q, f, out, e) < 0 || load_metrics(q, f, out, e) < 0 ||
	    load_settings(q, f, out, e) < 0) {
		query_set_free(out);
		return -1;
	}
	return 0;
}

void query_set_free(query_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		query_run *r = &s->runs[i];
		char *cols[] = {r->experiment, r->workload,   r->wl_params, r->policy,
				r->config,     r->status,     r->error,	    r->result,
				r->version,    r->policy_name};
		for (int k = 0; k < 10; k++)
			free(cols[k]);
		for (size_t k = 0; k < r->n_metrics; k++)
			free(r->metrics[k].name);
		for (size_t k = 0; k < r->n_settings; k++) {
			free(r->settings[k].name);
			free(r->settings[k].value);
			free(r->settings[k].json);
		}
		free(r->metrics);
		free(r->settings);
	}
	free(s->runs);
	memset(s, 0, sizeof *s);
}

/* --- lookups --------------------------------------------------------------------- */

int query_metric_get(const query_run *r, const char *name, double *v)
{
	size_t lo = 0, hi = r->n_metrics;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(r->metrics[mid].name, name);
		if (c == 0) {
			*v = r->metrics[mid].value;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

const char *query_setting_get(const query_run *r, const char *name)
{
	for (size_t i = 0; i < r->n_settings; i++)
		if (!strcmp(r->settings[i].name, name))
			return r->settings[i].value;
	return NULL;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted distinct names, copied into one allocation (pointers then text). */
static int union_names(const query_set *s, int metrics, char ***names, size_t *n, err *e)
{
	size_t total = 0, bytes = 0;
	for (size_t i = 0; i < s->n; i++)
		total += metrics ? s->runs[i].n_metrics : s->runs[i].n_settings;
	const char **all = malloc((total + 1) * sizeof *all);
	if (!all)
		return err_set(e, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		const query_run *r = &s->runs[i];
		size_t m = metrics ? r->n_metrics : r->n_settings;
		for (size_t j = 0; j < m; j++)
			all[k++] = metrics ? r->metrics[j].name : r->settings[j].name;
	}
	qsort(all, k, sizeof *all, by_str);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (u == 0 || strcmp(all[u - 1], all[i]))
			all[u++] = all[i];
	for (size_t i = 0; i < u; i++)
		bytes += strlen(all[i]) + 1;
	char **out = malloc(u * sizeof *out + bytes + 1);
	if (!out) {
		free(all);
		return err_set(e, "out of memory");
	}
	char *text = (char *)(out + u);
	for (size_t i = 0; i < u; i++) {
		out[i] = text;
		text = stpcpy(text, all[i]) + 1;
	}
	free(all);
	*names = out;
	*n = u;
	return 0;
}

int query_metric_names(const query_set *s, char ***names, size_t *n, err *e)
{
	return union_names(s, 1, names, n, e);
}

int query_setting_names(const query_set *s, char ***names, size_t *n, err *e)
{
	return union_names(s, 0, names, n, e);
}

static const struct {
	const char *name, *unit;
	int higher_better;
} metric_info[] = {
    {"cpu-throttle-percentage", "%", 0},
    {"dirty-pages-rate", "pages/s", 0},
    {"dirty-sync-count", "syncs", 0},
    {"downtime", "ms", 0},
    {"downtime-bytes", "bytes", 0},
    {"duplicate", "pages", 0},
    {"effective-downtime", "ms", 0},
    {"guest-pause", "ms", 0},
    {"guest-progress", "ratio", 1},
    {"iterations", "passes", 0},
    {"mbps", "Mbit/s", 1},
    {"multifd-bytes", "bytes", 0},
    {"multifd.busiest-cpu", "ms", 0},
    {"multifd.channel-cpu", "ms", 0},
    {"multifd.packets", "packets", 0},
    {"multifd.payload-bytes", "bytes", 0},
    {"multifd.raw-bytes", "bytes", 0},
    {"multifd.send-wait", "ms", 0},
    {"normal", "pages", 0},
    {"normal-bytes", "bytes", 0},
    {"pages-per-second", "pages/s", 1},
    {"postcopy-blocktime", "ms", 0},
    {"postcopy-bytes", "bytes", 0},
    {"postcopy-requests", "pages", 0},
    {"precopy-bytes", "bytes", 0},
    {"remaining", "bytes", 0},
    {"risk-window", "ms", 0},
    {"setup-time", "ms", 0},
    {"thread-cpu", "ms", 0},
    {"total", "bytes", 0},
    {"total-time", "ms", 0},
    {"transferred", "bytes", 0},
    {"verified", "0/1", 1},
    {"xbzrle-cache.bytes", "bytes", 0},
    {"xbzrle-cache.cache-miss", "pages", 0},
    {"xbzrle-cache.cache-miss-rate", "ratio", 0},
    {"xbzrle-cache.encoding-rate", "ratio", 1},
    {"xbzrle-cache.overflow", "pages", 0},
    {"xbzrle-cache.pages", "pages", 0},
};

static int metric_index(const char *name)
{
	for (size_t i = 0; i < sizeof metric_info / sizeof *metric_info; i++)
		if (!strcmp(metric_info[i].name, name))
			return (int)i;
	return -1;
}

const char *query_metric_unit(const char *name)
{
	int i = metric_index(name);
	return i < 0 ? "" : metric_info[i].unit;
}

int query_metric_higher_better(const char *name)
{
	int i = metric_index(name);
	return i >= 0 && metric_info[i].higher_better;
}

/* --- groups ------------------------------------------------------------------------- */

int query_setting_grouped(const char *name, unsigned without)
{
	static const char *const policy_fields[] = {
	    "policy", "mode", "postcopy", "capabilities", "capabilities-requested",
	};
	/* "sweep" is the experiment's own record of the run (config.sweep,
	 * written by sim/sweep.c): it repeats the seed and the migsim version,
	 * and everything else in it is in the other settings. */
	if (!strcmp(name, "seed") || !strcmp(name, "workload-path") || !strcmp(name, "sweep"))
		return 0;
	if (without & (QUERY_BY_POLICY | QUERY_BY_POLICY_NAME))
		for (size_t i = 0; i < sizeof policy_fields / sizeof *policy_fields; i++)
			if (!strcmp(name, policy_fields[i]))
				return 0;
	if ((without & QUERY_BY_WORKLOAD) &&
	    (!strcmp(name, "workload") || !strncmp(name, "wl.", 3)))
		return 0;
	return 1;
}

static int listed(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return 1;
	return 0;
}

static char *group_key(const query_run *r, unsigned without, const char *const *skip, size_t n_skip)
{
	size_t len = 1;
	for (size_t i = 0; i < r->n_settings; i++)
		len += strlen(r->settings[i].name) + strlen(r->settings[i].json) + 2;
	char *key = malloc(len), *p = key;
	if (!key)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < r->n_settings; i++)
		if (query_setting_grouped(r->settings[i].name, without) &&
		    !listed(r->settings[i].name, skip, n_skip))
			p += sprintf(p, "%s=%s;", r->settings[i].name, r->settings[i].json);
	return key;
}

int query_group_runs(const query_set *s, unsigned without, query_group **out, size_t *n, err *e)
{
	return query_group_runs_skip(s, without, NULL, 0, out, n, e);
}

int query_group_runs_skip(const query_set *s, unsigned without, const char *const *skip,
			  size_t n_skip, query_group **out, size_t *n, err *e)
{
	query_group *g = calloc(s->n ? s->n : 1, sizeof *g);
	size_t ng = 0;
	if (!g)
		return err_set(e, "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		char *key = group_key(&s->runs[i], without, skip, n_skip);
		if (!key)
			goto oom;
		size_t k = 0;
		while (k < ng && strcmp(g[k].key, key))
			k++;
		if (k == ng) {
			g[ng].key = key;
			g[ng].runs = malloc(s->n * sizeof *g[ng].runs);
			ng++;
			if (!g[k].runs)
				goto oom;
		} else
			free(key);
		g[k].runs[g[k].n++] = i;
	}
	*out = g;
	*n = ng;
	return 0;
oom:
	query_groups_free(g, ng);
	return err_set(e, "out of memory");
}

void query_groups_free(query_group *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++) {
		free(g[i].key);
		free(g[i].runs);
	}
	free(g);
}

void query_setting_text(const char *name, const char *value, char *buf, size_t n)
{
	char *end;
	double v = value ? strtod(value, &end) : 0;
	if (!value)
		snprintf(buf, n, "(none)");
	else if (end == value || *end || !(v >= 0 && v < 0x1p63))
		snprintf(buf, n, "%s", value);
	else if (params_format_stored(name, v, buf, n) == 0)
		; /* a migration parameter, in its own unit */
	else if (strstr(name, "bandwidth"))
		units_fmt_rate_exact(buf, n, v);
	else if ((strstr(name, "-size") || strstr(name, "-bytes")) && v == floor(v))
		units_fmt_size_exact(buf, n, (uint64_t)v);
	else if (strstr(name, "-ns") && v == floor(v))
		units_fmt_duration_exact(buf, n, (int64_t)v);
	else
		snprintf(buf, n, "%s", value);
}

/* --- series --------------------------------------------------------------------------- */

/* Whether the database has the notes table (schema version 2 on). */
static int has_notes(query *q)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(q->db, "SELECT 1 FROM sqlite_master WHERE name = 'notes'", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	int found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Appends line to the '\n'-separated text *out. */
static int append_line(char **out, const char *line)
{
	size_t had = *out ? strlen(*out) + 1 : 0, len = strlen(line);
	char *t = realloc(*out, had + len + 1);
	if (!t)
		return -1;
	if (had)
		t[had - 1] = '\n';
	memcpy(t + had, line, len + 1);
	*out = t;
	return 0;
}

int query_notes(query *q, int64_t run_id, char **out, err *e)
{
	sqlite3_stmt *st;
	*out = NULL;
	if (!has_notes(q))
		return 0;
	if (prepare(q, "SELECT text FROM notes WHERE run_id = ? ORDER BY seq", NULL, &st, e) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (t && append_line(out, t) < 0) {
			sqlite3_finalize(st);
			free(*out);
			*out = NULL;
			return err_set(e, "%s: out of memory", q->path);
		}
	}
	if (step_error(q, st, rc, e) == 0)
		return 0;
	free(*out);
	*out = NULL;
	return -1;
}

/* Whether the series have the storage columns (schema version 3 on). */
static int has_disk_series(query *q)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(q->db, "SELECT disk_remaining FROM series LIMIT 0", -1, &st, NULL) !=
	    SQLITE_OK)
		return 0;
	sqlite3_finalize(st);
	return 1;
}

int query_series(query *q, int64_t run_id, struct store_sample **out, size_t *n, err *e)
{
	sqlite3_stmt *st;
	*out = NULL;
	*n = 0;
	int disk = has_disk_series(q);
	if (prepare(q,
		    disk ? "SELECT t_ns, phase, remaining, transferred, mbps, dirty_sync_count,"
			   " dirty_pages_rate, guest_steps, guest_rate, throttle_pct,"
			   " disk_remaining, disk_transferred FROM series"
			   " WHERE run_id = ? ORDER BY t_ns"
			 : "SELECT t_ns, phase, remaining, transferred, mbps, dirty_sync_count,"
			   " dirty_pages_rate, guest_steps, guest_rate, throttle_pct FROM series"
			   " WHERE run_id = ? ORDER BY t_ns",
		    NULL, &st, e) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			struct store_sample *x = realloc(*out, cap * sizeof *x);
			if (!x) {
				sqlite3_finalize(st);
				free(*out);
				*out = NULL;
				return err_set(e, "%s: out of memory", q->path);
			}
			*out = x;
		}
		struct store_sample *x = &(*out)[(*n)++];
		x->t_ns = sqlite3_column_int64(st, 0);
		x->phase = sqlite3_column_int(st, 1);
		x->remaining = (uint64_t)sqlite3_column_int64(st, 2);
		x->transferred = (uint64_t)sqlite3_column_int64(st, 3);
		x->mbps = sqlite3_column_double(st, 4);
		x->dirty_sync_count = (uint64_t)sqlite3_column_int64(st, 5);
		x->dirty_pages_rate = sqlite3_column_double(st, 6);
		x->guest_steps = (uint64_t)sqlite3_column_int64(st, 7);
		x->guest_rate = sqlite3_column_double(st, 8);
		x->throttle_pct = sqlite3_column_double(st, 9);
		x->disk_remaining = x->disk_transferred = -1;
		if (disk && sqlite3_column_type(st, 10) != SQLITE_NULL) {
			x->disk_remaining = sqlite3_column_int64(st, 10);
			x->disk_transferred = sqlite3_column_int64(st, 11);
		}
	}
	return step_error(q, st, rc, e);
}

int query_run_marks(query *q, int64_t run_id, query_marks *out, err *e)
{
	sqlite3_stmt *st;
	memset(out, 0, sizeof *out);
	out->switchover = out->end = -1;
	if (prepare(q,
		    "SELECT json_extract(result, '$.migsim.switchover-ns'),"
		    " json_extract(result, '$.migsim.total-time-ns'), NULL, NULL, NULL, NULL, NULL"
		    " FROM runs WHERE id = ?1 AND json_valid(result) UNION ALL"
		    " SELECT NULL, NULL, json_extract(p.value, '$.start-ns'),"
		    " json_extract(p.value, '$.end-ns'), json_extract(p.value, '$.dirty-pages'),"
		    " json_extract(p.value, '$.pages'), json_extract(p.value, '$.bytes') FROM runs,"
		    " json_each(runs.result, '$.migsim.passes') p WHERE runs.id = ?1 AND "
		    "json_valid(runs.result)",
		    NULL, &st, e) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 2) == SQLITE_NULL) {
			if (sqlite3_column_type(st, 0) != SQLITE_NULL)
				out->switchover = sqlite3_column_int64(st, 0);
			if (sqlite3_column_type(st, 1) != SQLITE_NULL)
				out->end = sqlite3_column_int64(st, 1);
			continue;
		}
		query_pass *x = realloc(out->passes, (out->n_passes + 1) * sizeof *x);
		if (!x) {
			sqlite3_finalize(st);
			return err_set(e, "%s: out of memory", q->path);
		}
		out->passes = x;
		x[out->n_passes++] = (query_pass){
		    .start = sqlite3_column_int64(st, 2),
		    .end = sqlite3_column_int64(st, 3),
		    .dirty = (uint64_t)sqlite3_column_int64(st, 4),
		    .pages = (uint64_t)sqlite3_column_int64(st, 5),
		    .bytes = (uint64_t)sqlite3_column_int64(st, 6),
		};
	}
	return step_error(q, st, rc, e);
}
