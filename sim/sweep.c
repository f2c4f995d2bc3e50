/*
 * sweep — loading an experiment file and expanding its matrix (see sweep.h
 * and docs/experiments.md).
 *
 * The file runs in the workloads' sandbox (box.h: no io, os, package
 * loading or debug; an instruction budget and a heap cap; no finalizers),
 * less load, collectgarbage and math.random, and its result is copied
 * at once into a small C value tree whose maps are sorted by key: the Lua
 * state is closed before expansion starts, so nothing after loading can
 * depend on pairs() order, which Lua seeds per state.
 *
 * Lua tables carry no line numbers, so an error about a value is placed by
 * finding the value's text in the file (the first line that holds it as a
 * quoted string, else as a word): good enough to point at the typo.
 *
 * Expansion is an odometer over dimensions in a fixed order: workload
 * entries, policies, the workload's parameters (sorted by name), the settings (ram,
 * page_size, bandwidth, latency, timeout, warmup), migration parameters
 * (sorted by name), seeds; the last dimension changes fastest.
 */
#include "sweep.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "box.h"
#include "cli.h"
#include "config.h"
#include "json.h"
#include "units.h"

#ifndef MIGSIM_VERSION
#define MIGSIM_VERSION "unknown"
#endif
#ifndef MIGSIM_WORKLOAD_DIR
#define MIGSIM_WORKLOAD_DIR "workloads"
#endif

#define HEAP_CAP    ((size_t)64 << 20)
#define INSTR_LIMIT 100000000 /* instructions to build the table */
#define MAX_DEPTH   16
#define MAX_RUNS    ((size_t)1 << 22)

/* --- the value tree ------------------------------------------------------ */

enum sv_type { SV_STR, SV_NUM, SV_BOOL, SV_LIST, SV_MAP };

struct sv {
	enum sv_type t;
	char *str; /* strings, and the text of numbers and booleans */
	size_t n;
	struct sv *items;
	char **keys; /* maps: sorted */
};

static void sv_free(struct sv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		sv_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof *v);
}

static const struct sv *sv_get(const struct sv *m, const char *key)
{
	if (!m || m->t != SV_MAP)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->keys[i], key))
			return &m->items[i];
	return NULL;
}

static int is_scalar(const struct sv *v)
{
	return v->t == SV_STR || v->t == SV_NUM;
}

/* --- running the file ------------------------------------------------------ */

struct conv {
	char msg[400];
};

static int by_key(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	return strcmp(*x, *y);
}

static char *xstrdup(const char *s)
{
	char *d = malloc(strlen(s) + 1);
	if (d)
		strcpy(d, s);
	return d;
}

/* Copies the Lua value at idx into v; -1 with c->msg set on a value an
 * experiment may not hold. Only raw accesses: no metamethod runs. */
static int to_sv(lua_State *L, int idx, struct sv *v, int depth, struct conv *c)
{
	char num[64];
	memset(v, 0, sizeof *v);
	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
		v->t = SV_STR;
		return (v->str = xstrdup(lua_tostring(L, idx))) ? 0 : -1;
	case LUA_TNUMBER:
		v->t = SV_NUM;
		if (lua_isinteger(L, idx))
			snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(L, idx));
		else
			snprintf(num, sizeof num, "%.17g", (double)lua_tonumber(L, idx));
		return (v->str = xstrdup(num)) ? 0 : -1;
	case LUA_TBOOLEAN:
		v->t = SV_BOOL;
		return (v->str = xstrdup(lua_toboolean(L, idx) ? "true" : "false")) ? 0 : -1;
	case LUA_TTABLE:
		break;
	default:
		snprintf(c->msg, sizeof c->msg, "a %s cannot be part of an experiment",
			 luaL_typename(L, idx));
		return -1;
	}
	if (depth >= MAX_DEPTH)
		return snprintf(c->msg, sizeof c->msg, "tables nested too deeply"), -1;
	idx = lua_absindex(L, idx);
	size_t n = 0, strings = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		n++;
		strings += lua_type(L, -1) == LUA_TSTRING;
	}
	size_t len = lua_rawlen(L, idx);
	v->t = strings ? SV_MAP : SV_LIST;
	if (strings && strings != n)
		return snprintf(c->msg, sizeof c->msg, "a table mixes a list and named fields"), -1;
	if (!strings && len != n)
		return snprintf(c->msg, sizeof c->msg, "a list with holes or non-integer keys"), -1;
	if (n == 0)
		return 0;
	v->items = calloc(n, sizeof *v->items);
	if (strings)
		v->keys = calloc(n, sizeof *v->keys);
	if (!v->items || (strings && !v->keys))
		return -1;
	if (strings) {
		size_t i = 0;
		lua_pushnil(L);
		while (lua_next(L, idx)) {
			lua_pop(L, 1);
			if (!(v->keys[i++] = xstrdup(lua_tostring(L, -1))))
				return lua_pop(L, 1), -1;
		}
		v->n = n;
		qsort(v->keys, n, sizeof *v->keys, by_key);
		for (i = 0; i < n; i++) {
			lua_pushstring(L, v->keys[i]);
			lua_rawget(L, idx);
			int rc = to_sv(L, -1, &v->items[i], depth + 1, c);
			lua_pop(L, 1);
			if (rc < 0)
				return -1;
		}
		return 0;
	}
	v->n = n;
	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(L, idx, (lua_Integer)i + 1);
		int rc = to_sv(L, -1, &v->items[i], depth + 1, c);
		lua_pop(L, 1);
		if (rc < 0)
			return -1;
	}
	return 0;
}

struct load_args {
	const char *path;
	struct sv *root;
	struct conv conv;
};

/* What an experiment does not need from the workloads' sandbox: it is
 * data, built once, so nothing random and nothing loaded at run time. */
static void narrow_sandbox(lua_State *L)
{
	static const char *const gone[] = {"load", "collectgarbage", NULL};
	static const char *const gone_math[] = {"random", "randomseed", NULL};
	box_hide(L, NULL, gone);
	box_hide(L, LUA_MATHLIBNAME, gone_math);
}

static int load_protected(lua_State *L)
{
	struct load_args *a = lua_touserdata(L, 1);
	narrow_sandbox(L);
	box_load_file(L);
	lua_call(L, 0, 1);
	if (!lua_istable(L, -1))
		return luaL_error(L, "%s: the experiment file must return a table (it returned %s)",
				  a->path, luaL_typename(L, -1));
	if (to_sv(L, -1, a->root, 0, &a->conv) < 0) {
		if (!a->conv.msg[0])
			snprintf(a->conv.msg, sizeof a->conv.msg, "out of memory");
		return luaL_error(L, "%s: %s", a->path, a->conv.msg);
	}
	return 0;
}

static int run_file(const char *path, struct sv *root, err *e)
{
	struct box_config bc = {.path = path, .budget = INSTR_LIMIT, .heap_cap = HEAP_CAP};
	box *b;
	if (box_new(&b, &bc, e) < 0)
		return -1;
	lua_State *L = box_lua(b);
	struct load_args a = {path, root, {{0}}};
	lua_pushcfunction(L, load_protected);
	lua_pushlightuserdata(L, &a);
	int rc = box_call(b, 1, 0, e);
	if (rc < 0)
		sv_free(root);
	box_free(b);
	return rc;
}

/* --- the loader -------------------------------------------------------------- */

struct sweep {
	char *name;
	struct sweep_run *runs;
	size_t n, cap;
};

struct loader {
	const char *path;
	char *where; /* the error's place: FILE, or FILE:LINE */
	size_t where_n;
	char dir[4096];
	char *text;
	const struct sv *root;
	sweep *sw;
	err *e;
	/* the last workload resolved, so seeds and settings reuse it */
	char wl_cache_id[8192];
	char *wl_cache_name, *wl_cache_params;
};

/* 1 when c can be part of a Lua name or number, so a bare token next to it
 * is part of a longer word ("ram" inside "params"). */
static int is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* The first place tok stands quoted ("tok" or 'tok'), else as a whole word. */
static const char *find_token(const char *text, const char *tok)
{
	size_t n = strlen(tok);
	for (int quoted = 1; quoted >= 0; quoted--)
		for (const char *p = strstr(text, tok); p; p = strstr(p + 1, tok)) {
			char before = p > text ? p[-1] : ' ', after = p[n];
			if (quoted ? (before == '"' || before == '\'') && after == before
				   : !is_word_char(before) && !is_word_char(after))
				return p;
		}
	return NULL;
}

static int line_of(const struct loader *ld, const char *tok)
{
	if (!ld->text || !tok || !*tok)
		return 0;
	const char *hit = find_token(ld->text, tok);
	if (!hit)
		return 0;
	int line = 1;
	for (const char *p = ld->text; p < hit; p++)
		line += *p == '\n';
	return line;
}

/* The message goes into ld->e, and the file with the line of tok, when it
 * can be found, into ld->where: the error line's "(FILE:LINE)". */
static int fail(struct loader *ld, const char *tok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct loader *ld, const char *tok, const char *fmt, ...)
{
	char msg[sizeof ld->e->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap); /* display text: cut if it must be */
	va_end(ap);
	int line = line_of(ld, tok);
	if (line)
		snprintf(ld->where, ld->where_n, "%s:%d", ld->path, line);
	return err_set(ld->e, "%s", msg);
}

static int check_fields(struct loader *ld, const struct sv *m, const char *where,
			const char *const *known)
{
	if (m->t == SV_LIST && m->n == 0)
		return 0;
	if (m->t != SV_MAP)
		return fail(ld, NULL, "%s must be a table of named fields", where);
	for (size_t i = 0; i < m->n; i++) {
		size_t k = 0;
		while (known[k] && strcmp(known[k], m->keys[i]))
			k++;
		if (!known[k]) {
			char list[256] = "";
			for (k = 0; known[k]; k++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
					 k ? ", " : "", known[k]);
			return fail(ld, m->keys[i], "%s: unknown field '%s' (known: %s)", where,
				    m->keys[i], list);
		}
	}
	return 0;
}

/* --- dimensions ---------------------------------------------------------------- */

/* A workload parameter, a setting (config_set's), a migration parameter
 * (params_set_value's) or the seed. */
enum dim_kind { D_WLPARAM, D_SETTING, D_PARAM };

struct dim {
	enum dim_kind kind;
	const char *name;      /* the setting's or parameter's name */
	const struct sv *vals; /* a list, or one scalar */
	struct sv seeds;       /* owned list when seeds is a count */
};

static size_t dim_len(const struct dim *d)
{
	return d->vals->t == SV_LIST ? d->vals->n : 1;
}

static const struct sv *dim_val(const struct dim *d, size_t i)
{
	return d->vals->t == SV_LIST ? &d->vals->items[i] : d->vals;
}

static int check_values(struct loader *ld, const struct sv *v, const char *what)
{
	if (v->t == SV_LIST) {
		if (v->n == 0)
			return fail(ld, what, "%s: an empty list of values", what);
		for (size_t i = 0; i < v->n; i++)
			if (!is_scalar(&v->items[i]))
				return fail(ld, what, "%s: values must be numbers or strings",
					    what);
		return 0;
	}
	if (!is_scalar(v))
		return fail(ld, what, "%s: expected a number, a string or a list of them", what);
	return 0;
}

struct spec {
	const struct sv *workload; /* string or {script, params} */
	const struct sv *policy;   /* {name, caps, params, postcopy, mode} */
	const struct sv *settings; /* map: top level or a runs entry over it */
	const struct sv *top;
};

/* A setting from the runs entry, else from the top level. */
static const struct sv *setting(const struct spec *sp, const char *name)
{
	const struct sv *v = sp->settings ? sv_get(sp->settings, name) : NULL;
	return v ? v : sv_get(sp->top, name);
}

/* --- applying one value ------------------------------------------------------ */

/* Settings and parameters go through config_set and params_set_value, as
 * the command line's options do: the same checks, the same messages. */
static int apply(struct loader *ld, struct run_config *c, const struct dim *d, const struct sv *v,
		 struct wl_override *wl, size_t *n_wl)
{
	err e = {{0}};
	int rc = 0;
	switch (d->kind) {
	case D_WLPARAM:
		wl[*n_wl].name = d->name;
		wl[*n_wl].value = v->str;
		(*n_wl)++;
		return 0;
	case D_SETTING:
		rc = config_set(c, d->name, v->str, &e);
		break;
	case D_PARAM:
		rc = params_set_value(&c->params, d->name, v->str, &e);
		break;
	}
	return rc < 0 ? fail(ld, v->str, "%s", e.msg) : 0;
}

static int apply_policy(struct loader *ld, struct run_config *c, const struct sv *p)
{
	err e = {{0}};
	const struct sv *name = sv_get(p, "name");
	const struct sv *v = sv_get(p, "mode");
	if (v && (v->t != SV_STR || config_set(c, "mode", v->str, &e) < 0))
		return fail(ld, v->str, "policy '%s': %s", name->str,
			    v->t == SV_STR ? e.msg : "mode must be precopy or stop-and-copy");
	if ((v = sv_get(p, "caps"))) {
		const struct sv *one = v;
		size_t n = v->t == SV_LIST ? v->n : 1;
		for (size_t i = 0; i < n; i++) {
			if (v->t == SV_LIST)
				one = &v->items[i];
			if (one->t != SV_STR)
				return fail(ld, name->str, "policy '%s': caps must be names",
					    name->str);
			if (config_set(c, "cap", one->str, &e) < 0)
				return fail(ld, one->str, "policy '%s': %s", name->str, e.msg);
		}
	}
	if ((v = sv_get(p, "postcopy")) &&
	    (v->t != SV_STR || config_set(c, "postcopy", v->str, &e) < 0))
		return fail(ld, v->str, "policy '%s': postcopy: %s", name->str,
			    v->t == SV_STR ? e.msg : "expected a rule such as after-first-pass");
	return 0;
}

/* What config_check blames, as the experiment file spells it. */
static const char *file_token(const char *setting)
{
	if (!strcmp(setting, "page-size"))
		return "page_size";
	if (!strcmp(setting, "cap"))
		return "caps";
	return setting;
}

/* --- workloads ----------------------------------------------------------------- */

static int resolve_script(struct loader *ld, const char *script, char *out, size_t n)
{
	struct stat sb;
	size_t len = strlen(script);
	int bare = !strchr(script, '/') && !(len > 4 && !strcmp(script + len - 4, ".lua"));
	int w;
	if (bare)
		w = snprintf(out, n, "%s/%s.lua", MIGSIM_WORKLOAD_DIR, script);
	else if (script[0] == '/')
		w = snprintf(out, n, "%s", script);
	else
		w = snprintf(out, n, "%s/%s", ld->dir, script);
	if (w < 0 || (size_t)w >= n)
		return fail(ld, script, "workload script path too long");
	if (stat(out, &sb) != 0 || !S_ISREG(sb.st_mode))
		return fail(ld, script, "workload script '%s' not found (%s)", script, out);
	return 0;
}

/* The script's name field and resolved parameters, through wl_open: this is
 * also what checks the parameter names and that the regions fit the RAM. */
static int resolve_workload(struct loader *ld, struct sweep_run *r, const char *script)
{
	char id[sizeof ld->wl_cache_id];
	int len = snprintf(id, sizeof id, "%s|%llu|%u", r->workload_path,
			   (unsigned long long)r->config.ram_bytes, r->config.page_size);
	for (size_t i = 0; i < r->n_wl && len > 0 && (size_t)len < sizeof id; i++)
		len += snprintf(id + len, sizeof id - (size_t)len, "|%s=%s", r->wl[i].name,
				r->wl[i].value);
	/* A cut id could equal another run's: then the cache is not used. */
	int whole = len > 0 && (size_t)len < sizeof id;
	if (!whole)
		id[0] = '\0';
	if (!whole || !ld->wl_cache_name || strcmp(id, ld->wl_cache_id)) {
		wl *w;
		err e = {{0}};
		struct wl_config wc = {
		    .path = r->workload_path,
		    .params = r->wl,
		    .n_params = r->n_wl,
		    .seed = r->config.seed,
		    .ram_bytes = r->config.ram_bytes,
		    .page_size = r->config.page_size,
		};
		if (wl_open(&w, &wc, &e) < 0)
			return fail(ld, script, "workload '%s': %s", script, e.msg);
		free(ld->wl_cache_name);
		free(ld->wl_cache_params);
		ld->wl_cache_name = xstrdup(wl_name(w));
		ld->wl_cache_params = xstrdup(wl_params_json(w));
		wl_free(w);
		if (!ld->wl_cache_name || !ld->wl_cache_params)
			return err_set(ld->e, "out of memory");
		snprintf(ld->wl_cache_id, sizeof ld->wl_cache_id, "%s", id);
	}
	r->workload = xstrdup(ld->wl_cache_name);
	return r->workload ? 0 : err_set(ld->e, "out of memory");
}

/* --- the key ---------------------------------------------------------------------- */

uint64_t sweep_hash(const char *s, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/* Keys in sorted order at every level, numbers in jw's fixed format. */
static int canonical(struct loader *ld, struct sweep_run *r, const char *script)
{
	const struct run_config *c = &r->config;
	char rule[64];
	jw w;
	jw_init(&w, 0);
	jw_obj(&w, NULL);
	jw_str(&w, "experiment", ld->sw->name);
	jw_str(&w, "migsim", MIGSIM_VERSION);
	jw_obj(&w, "policy");
	caps_to_json(c->caps_requested, &w, "caps");
	jw_str(&w, "mode", c->mode == MIG_MODE_STOP_AND_COPY ? "stop-and-copy" : "precopy");
	jw_str(&w, "name", r->policy);
	jw_str(&w, "postcopy",
	       (c->caps_requested & CAP_POSTCOPY_RAM)
		   ? postcopy_format(&c->postcopy, rule, sizeof rule)
		   : "off");
	jw_end(&w);
	jw_uint(&w, "seed", c->seed);
	jw_obj(&w, "settings");
	jw_num(&w, "bandwidth-bytes-per-s", c->bandwidth);
	caps_to_json(c->caps_dst, &w, "capabilities-destination");
	caps_to_json(c->caps_src, &w, "capabilities-source");
	if (strcmp(c->guest, "bare")) /* runs on a bare guest keep their keys */
		jw_str(&w, "guest", c->guest);
	jw_int(&w, "latency-ns", c->latency);
	jw_uint(&w, "page-size", c->page_size);
	jw_obj(&w, "parameters");
	params_to_json(&c->params, &w); /* QEMU's table order: fixed */
	jw_end(&w);
	jw_uint(&w, "ram-bytes", c->ram_bytes);
	jw_int(&w, "timeout-ns", c->timeout);
	jw_int(&w, "warmup-ns", c->warmup);
	jw_end(&w);
	jw_obj(&w, "workload");
	jw_str(&w, "name", r->workload);
	jw_raw(&w, "params", ld->wl_cache_params);
	jw_str(&w, "script", script);
	jw_end(&w);
	jw_end(&w);
	const char *t = jw_text(&w);
	r->canonical = t ? xstrdup(t) : NULL;
	jw_free(&w);
	if (!r->canonical)
		return err_set(ld->e, "out of memory");
	snprintf(r->key, sizeof r->key, "%016llx",
		 (unsigned long long)sweep_hash(r->canonical, strlen(r->canonical)));
	return 0;
}

/* --- expansion --------------------------------------------------------------------- */

static void run_free(struct sweep_run *r)
{
	free(r->canonical);
	free(r->workload);
	free(r->policy);
	free(r->workload_path);
	for (size_t i = 0; i < r->n_wl; i++) {
		free((char *)r->wl[i].name);
		free((char *)r->wl[i].value);
	}
	free(r->wl);
}

static struct sweep_run *new_run(struct loader *ld)
{
	sweep *s = ld->sw;
	if (s->n == MAX_RUNS)
		return fail(ld, NULL, "more than %zu runs in the matrix", MAX_RUNS), NULL;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct sweep_run *p = realloc(s->runs, cap * sizeof *p);
		if (!p)
			return err_set(ld->e, "out of memory"), NULL;
		s->runs = p;
		s->cap = cap;
	}
	struct sweep_run *r = &s->runs[s->n];
	memset(r, 0, sizeof *r);
	r->index = s->n;
	return r;
}

/* One combination: a run_config from the chosen value of every dimension. */
static int emit(struct loader *ld, const struct spec *sp, const char *script, const char *path,
		struct dim *dims, size_t nd, const size_t *at)
{
	struct sweep_run *r = new_run(ld);
	if (!r)
		return -1;
	struct run_config *c = &r->config;
	run_config_defaults(c);
	r->wl = calloc(nd ? nd : 1, sizeof *r->wl);
	r->workload_path = xstrdup(path);
	r->policy = xstrdup(sv_get(sp->policy, "name")->str);
	if (!r->wl || !r->workload_path || !r->policy) {
		run_free(r);
		return err_set(ld->e, "out of memory");
	}
	ld->sw->n++; /* owned by the sweep from here: freed with it on error */
	if (apply_policy(ld, c, sp->policy) < 0)
		return -1;
	for (size_t i = 0; i < nd; i++)
		if (apply(ld, c, &dims[i], dim_val(&dims[i], at[i]), r->wl, &r->n_wl) < 0)
			return -1;
	for (size_t i = 0; i < r->n_wl; i++) { /* owned by the run: the tree goes */
		r->wl[i].name = xstrdup(r->wl[i].name);
		r->wl[i].value = xstrdup(r->wl[i].value);
		if (!r->wl[i].name || !r->wl[i].value)
			return err_set(ld->e, "out of memory");
	}
	const char *setting = NULL;
	err e = {{0}};
	if (config_check(c, &setting, &e) < 0)
		return fail(ld, file_token(setting), "%s", e.msg);
	c->workload_path = r->workload_path;
	c->wl_params = r->wl;
	c->n_wl_params = r->n_wl;
	if (resolve_workload(ld, r, script) < 0)
		return -1;
	return canonical(ld, r, script);
}

static int add_dim(struct loader *ld, struct dim *dims, size_t *nd, enum dim_kind k,
		   const char *name, const struct sv *v, const char *what)
{
	if (!v)
		return 0;
	if (check_values(ld, v, what) < 0)
		return -1;
	dims[*nd] = (struct dim){.kind = k, .name = name, .vals = v};
	(*nd)++;
	return 0;
}

static int make_seeds(struct loader *ld, const struct sv *v, struct sv *own)
{
	memset(own, 0, sizeof *own);
	if (!v || v->t != SV_NUM)
		return 0;
	uint64_t n;
	err e = {{0}};
	if (units_uint(v->str, &n, &e) < 0 || n == 0 || n > 100000)
		return fail(ld, "seeds", "seeds: a count from 1 to 100000 or a list of seeds");
	own->t = SV_LIST;
	own->items = calloc(n, sizeof *own->items);
	if (!own->items)
		return err_set(ld->e, "out of memory");
	own->n = n;
	for (size_t i = 0; i < n; i++) {
		char b[32];
		snprintf(b, sizeof b, "%zu", i + 1);
		own->items[i].t = SV_NUM;
		if (!(own->items[i].str = xstrdup(b)))
			return err_set(ld->e, "out of memory");
	}
	return 0;
}

#define MAX_DIMS 128

static int expand_spec(struct loader *ld, const struct spec *sp)
{
	static const char *const wl_known[] = {"params", "script", NULL};
	struct dim dims[MAX_DIMS];
	size_t nd = 0;
	const struct sv *w = sp->workload, *wparams = NULL;
	const char *script;
	if (w->t == SV_STR)
		script = w->str;
	else {
		if (check_fields(ld, w, "workload", wl_known) < 0)
			return -1;
		const struct sv *s = sv_get(w, "script");
		if (!s || s->t != SV_STR)
			return fail(ld, "workloads", "a workload needs script = \"name or path\"");
		script = s->str;
		wparams = sv_get(w, "params");
	}
	char path[4096];
	if (resolve_script(ld, script, path, sizeof path) < 0)
		return -1;
	if (wparams && wparams->t == SV_MAP)
		for (size_t i = 0; i < wparams->n && nd < MAX_DIMS; i++)
			if (add_dim(ld, dims, &nd, D_WLPARAM, wparams->keys[i], &wparams->items[i],
				    wparams->keys[i]) < 0)
				return -1;
	static const char *const settings[] = {"ram",	  "page_size", "bandwidth", "latency",
					       "timeout", "warmup",    "guest"};
	for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
		if (add_dim(ld, dims, &nd, D_SETTING, settings[i], setting(sp, settings[i]),
			    settings[i]) < 0)
			return -1;
	/* Migration parameters: the policy's win over the experiment's. */
	const struct sv *gp = setting(sp, "params"), *pp = sv_get(sp->policy, "params");
	const char *names[MAX_DIMS];
	const struct sv *vals[MAX_DIMS];
	size_t np = 0;
	for (size_t src = 0; src < 2; src++) {
		const struct sv *m = src ? pp : gp;
		if (!m || m->t != SV_MAP)
			continue;
		for (size_t i = 0; i < m->n && np < MAX_DIMS; i++) {
			size_t j = 0;
			while (j < np && strcmp(names[j], m->keys[i]))
				j++;
			names[j] = m->keys[i];
			vals[j] = &m->items[i];
			if (j == np)
				np++;
		}
	}
	for (size_t i = 1; i < np; i++) /* insertion sort by name */
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *tn = names[j];
			const struct sv *tv = vals[j];
			names[j] = names[j - 1], vals[j] = vals[j - 1];
			names[j - 1] = tn, vals[j - 1] = tv;
		}
	for (size_t i = 0; i < np && nd < MAX_DIMS; i++)
		if (add_dim(ld, dims, &nd, D_PARAM, names[i], vals[i], names[i]) < 0)
			return -1;
	if (nd >= MAX_DIMS - 1)
		return fail(ld, NULL, "too many swept fields (at most %d)", MAX_DIMS - 2);
	struct sv seeds;
	const struct sv *sv_seeds = setting(sp, "seeds");
	if (make_seeds(ld, sv_seeds, &seeds) < 0) {
		sv_free(&seeds);
		return -1;
	}
	static const struct sv one = {SV_NUM, "1", 0, NULL, NULL};
	int rc = add_dim(ld, dims, &nd, D_SETTING, "seed",
			 seeds.n    ? &seeds
			 : sv_seeds ? sv_seeds
				    : &one,
			 "seeds");
	size_t at[MAX_DIMS] = {0};
	while (rc == 0) {
		if ((rc = emit(ld, sp, script, path, dims, nd, at)) < 0)
			break;
		size_t i = nd;
		while (i > 0 && ++at[i - 1] == dim_len(&dims[i - 1]))
			at[--i] = 0;
		if (i == 0)
			break;
	}
	sv_free(&seeds);
	return rc;
}

static int check_policy(struct loader *ld, const struct sv *p)
{
	static const char *const known[] = {"caps",   "description", "mode", "name",
					    "params", "postcopy",    NULL};
	if (p->t != SV_MAP)
		return fail(ld, "policies", "a policy must be a table with a name");
	if (check_fields(ld, p, "policy", known) < 0)
		return -1;
	const struct sv *n = sv_get(p, "name");
	if (!n || n->t != SV_STR || !*n->str)
		return fail(ld, "policies", "a policy needs name = \"...\"");
	const struct sv *pp = sv_get(p, "params");
	if (pp && pp->t != SV_MAP && !(pp->t == SV_LIST && pp->n == 0))
		return fail(ld, n->str, "policy '%s': params must be a table of named fields",
			    n->str);
	return 0;
}

static const struct sv *find_policy(const struct sv *list, const char *name)
{
	for (size_t i = 0; list && list->t == SV_LIST && i < list->n; i++) {
		const struct sv *n = sv_get(&list->items[i], "name");
		if (n && n->t == SV_STR && !strcmp(n->str, name))
			return &list->items[i];
	}
	return NULL;
}

/* A runs entry's workload: a table, the script of a `workloads` entry
 * (which brings that entry's parameters), or a new script. */
static const struct sv *find_workload(const struct sv *list, const struct sv *w)
{
	if (w->t != SV_STR)
		return w;
	for (size_t i = 0; list && list->t == SV_LIST && i < list->n; i++) {
		const struct sv *e = &list->items[i];
		const struct sv *s = e->t == SV_STR ? e : sv_get(e, "script");
		if (s && s->t == SV_STR && !strcmp(s->str, w->str))
			return e;
	}
	return w;
}

static const struct sv default_policy_name = {SV_STR, "precopy", 0, NULL, NULL};
static char *default_policy_key[] = {"name"};
static const struct sv default_policy = {SV_MAP, NULL, 1, (struct sv *)&default_policy_name,
					 default_policy_key};

static int expand_runs(struct loader *ld, const struct sv *runs, const struct sv *wls,
		       const struct sv *pols)
{
	static const char *const known[] = {"bandwidth", "guest",   "latency",	"page_size",
					    "params",	 "policy",  "ram",	"seeds",
					    "timeout",	 "warmup",  "workload", NULL};
	if (runs->t != SV_LIST)
		return fail(ld, "runs", "runs must be a list of combinations");
	for (size_t i = 0; i < runs->n; i++) {
		const struct sv *r = &runs->items[i];
		if (check_fields(ld, r, "runs entry", known) < 0)
			return -1;
		const struct sv *w = sv_get(r, "workload"), *p = sv_get(r, "policy");
		if (!w)
			return fail(ld, "runs", "runs[%zu]: no workload", i + 1);
		const struct sv *pol = &default_policy;
		if (p && p->t == SV_STR) {
			if (!(pol = find_policy(pols, p->str)))
				return fail(ld, p->str, "runs[%zu]: unknown policy '%s'", i + 1,
					    p->str);
		} else if (p) {
			if (check_policy(ld, p) < 0)
				return -1;
			pol = p;
		} else if (pols && pols->t == SV_LIST && pols->n == 1)
			pol = &pols->items[0];
		struct spec sp = {find_workload(wls, w), pol, r, ld->root};
		if (expand_spec(ld, &sp) < 0)
			return -1;
	}
	return 0;
}

static int expand(struct loader *ld)
{
	static const char *const known[] = {
	    "bandwidth", "description", "guest",   "latency", "name",	"page_size", "params",
	    "policies",	 "ram",		"runs",	   "seeds",   "timeout", "warmup",	   "workloads",
	    NULL};
	const struct sv *root = ld->root;
	if (check_fields(ld, root, "the experiment", known) < 0)
		return -1;
	const struct sv *name = sv_get(root, "name");
	if (!name || name->t != SV_STR || !*name->str)
		return fail(ld, NULL, "the experiment needs name = \"...\"");
	if (!(ld->sw->name = xstrdup(name->str)))
		return err_set(ld->e, "out of memory");
	const struct sv *wls = sv_get(root, "workloads"), *pols = sv_get(root, "policies");
	const struct sv *runs = sv_get(root, "runs");
	if (wls && wls->t != SV_LIST)
		return fail(ld, "workloads", "workloads must be a list");
	if (pols && pols->t != SV_LIST)
		return fail(ld, "policies", "policies must be a list");
	for (size_t i = 0; pols && i < pols->n; i++) {
		if (check_policy(ld, &pols->items[i]) < 0)
			return -1;
		const char *n = sv_get(&pols->items[i], "name")->str;
		if (find_policy(pols, n) != &pols->items[i])
			return fail(ld, n, "two policies are named '%s'", n);
	}
	if (runs)
		return expand_runs(ld, runs, wls, pols);
	if (!wls || wls->n == 0)
		return fail(ld, NULL, "the experiment lists no workloads");
	for (size_t i = 0; i < wls->n; i++) {
		size_t np = pols && pols->n ? pols->n : 1;
		for (size_t j = 0; j < np; j++) {
			struct spec sp = {&wls->items[i],
					  pols && pols->n ? &pols->items[j] : &default_policy, NULL,
					  root};
			if (expand_spec(ld, &sp) < 0)
				return -1;
		}
	}
	return 0;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
		if (len + 1 == cap) {
			char *p = realloc(buf, cap *= 2);
			if (!p)
				free(buf);
			buf = p;
		}
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

int sweep_load(sweep **out, const char *path, char *where, size_t where_n, err *e)
{
	*out = NULL;
	snprintf(where, where_n, "%s", path); /* display text: cut if it must be */
	struct stat sb;
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return err_set(e, "no such experiment file");
	struct loader ld = {.path = path, .where = where, .where_n = where_n, .e = e};
	const char *slash = strrchr(path, '/');
	if (slash)
		snprintf(ld.dir, sizeof ld.dir, "%.*s", (int)(slash - path), path);
	else
		snprintf(ld.dir, sizeof ld.dir, ".");
	if (slash == path)
		snprintf(ld.dir, sizeof ld.dir, "/");
	if (strlen(path) >= sizeof ld.dir)
		return err_set(e, "experiment file path too long");
	struct sv root;
	memset(&root, 0, sizeof root);
	if (run_file(path, &root, e) < 0) {
		cli_split_place(path, e->msg, where, where_n);
		return -1;
	}
	ld.text = read_text(path);
	ld.root = &root;
	ld.sw = calloc(1, sizeof *ld.sw);
	int rc = ld.sw ? expand(&ld) : err_set(e, "out of memory");
	free(ld.text);
	free(ld.wl_cache_name);
	free(ld.wl_cache_params);
	sv_free(&root);
	if (rc < 0) {
		sweep_free(ld.sw);
		return -1;
	}
	*out = ld.sw;
	return 0;
}

void sweep_free(sweep *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		run_free(&s->runs[i]);
	free(s->runs);
	free(s->name);
	free(s);
}

const char *sweep_name(const sweep *s)
{
	return s->name;
}

size_t sweep_size(const sweep *s)
{
	return s->n;
}

const struct sweep_run *sweep_at(const sweep *s, size_t i)
{
	return i < s->n ? &s->runs[i] : NULL;
}

int sweep_parse_shard(const char *arg, unsigned *index, unsigned *count, err *e)
{
	unsigned long i, n;
	char *end;
	if (!arg || !(*arg >= '0' && *arg <= '9'))
		return err_set(e, "--shard wants I/N, e.g. 0/4");
	i = strtoul(arg, &end, 10);
	if (*end != '/' || !(end[1] >= '0' && end[1] <= '9'))
		return err_set(e, "--shard wants I/N, e.g. 0/4");
	n = strtoul(end + 1, &end, 10);
	if (*end || n == 0 || n > 1000000 || i >= n)
		return err_set(e, "--shard I/N needs 0 <= I < N (N at most 1000000)");
	*index = (unsigned)i;
	*count = (unsigned)n;
	return 0;
}

int sweep_in_shard(size_t index, unsigned shard, unsigned count)
{
	return count <= 1 || index % count == shard;
}
