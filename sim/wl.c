/*
 * wl — the Lua host (see wl.h and docs/lua-api.md). This half loads a
 * script into a sandboxed state (box.c: the library set, the instruction
 * budget, the heap cap), checks its table, resolves parameters, lays out
 * regions, and makes the protected calls of init and step. The `mem` object
 * and its primitives live in wl_mem.c.
 *
 * While the script is read, its table stays at stack index 1 and the
 * resolved parameters at index 2, so no collection can free them; anything
 * kept across calls is anchored in the registry.
 *
 * Determinism: the script's tables are read by name or by index; the one
 * table walked with lua_next (params) is sorted before anything observable
 * is done with it, and the unknown-field check reports the smallest name.
 */
#include "wl.h"
#include "wl_int.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "units.h"

/* --- the workload's additions to the sandbox (box.c) ------------------------- */

/* math.randomseed() without arguments would seed from the clock. */
static int sb_randomseed(lua_State *L)
{
	wl *w = wl_self(L);
	if (lua_gettop(L) == 0) {
		lua_pushinteger(L, w->mseed[0]);
		lua_pushinteger(L, w->mseed[1]);
	}
	int n = lua_gettop(L);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, LUA_MULTRET);
	return lua_gettop(L);
}

static void seed_math(lua_State *L, wl *w, uint64_t seed)
{
	box_wrap(L, LUA_MATHLIBNAME, "randomseed", sb_randomseed);
	rng r;
	rng_seed(&r, seed, "lua-math");
	w->mseed[0] = (lua_Integer)rng_next(&r);
	w->mseed[1] = (lua_Integer)rng_next(&r);
	lua_getglobal(L, LUA_MATHLIBNAME);
	lua_getfield(L, -1, "randomseed");
	lua_call(L, 0, 0);
	lua_pop(L, 1);
}

/* --- loading and checking the script ------------------------------------- */

static int fail(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(lua_State *L, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	lua_pushstring(L, buf);
	return lua_error(L);
}

static char *dup_or_fail(lua_State *L, const char *s)
{
	char *d = strdup(s);
	if (!d)
		fail(L, "out of memory");
	return d;
}

/* Names that work as `p.name` and `mem.name` and in --wl-param name=... */
static int is_identifier(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/* Leaves the script's table at index 1, the only value on the stack. */
static void load_script(lua_State *L, wl *w)
{
	box_load_file(L);
	lua_call(L, 0, 1);
	if (!lua_istable(L, -1))
		fail(L, "%s: the script must return a table (it returned %s)", w->path,
		     luaL_typename(L, -1));
	lua_insert(L, 1);
	lua_settop(L, 1);
}

/* Pushes the script table's field key and returns its type; a required
 * field that is absent is named as missing, not as of the wrong type. */
static int push_field(lua_State *L, wl *w, const char *key, int required)
{
	lua_pushstring(L, key);
	int t = lua_rawget(L, 1);
	if (t == LUA_TNIL && required)
		fail(L, "%s: missing field '%s' (required: name, description, regions, step)",
		     w->path, key);
	return t;
}

/* A string field of the script table, or NULL when absent. */
static const char *string_field(lua_State *L, wl *w, const char *key, int required)
{
	int t = push_field(L, w, key, required);
	if (t == LUA_TNIL) {
		lua_pop(L, 1);
		return NULL;
	}
	if (t != LUA_TSTRING)
		fail(L, "%s: field '%s' must be a string", w->path, key);
	const char *s = lua_tostring(L, -1);
	lua_pop(L, 1); /* the script's table keeps the string alive */
	return s;
}

static void read_identity(lua_State *L, wl *w)
{
	const char *name = string_field(L, w, "name", 1);
	const char *desc = string_field(L, w, "description", 1);
	if (!*name || strpbrk(name, " \t\r\n"))
		fail(L, "%s: 'name' must be one word", w->path);
	if (strpbrk(desc, "\r\n"))
		fail(L, "%s: 'description' must be one line", w->path);
	w->name = dup_or_fail(L, name);
	w->desc = dup_or_fail(L, desc);
}

static int by_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Typos such as `setp` fail loudly instead of leaving a workload without
 * its step; the smallest unknown name is reported, whatever pairs() does. */
static void check_fields(lua_State *L, wl *w)
{
	static const char *const known[] = {"description", "init",    "name",
					    "params",	   "regions", "step"};
	const char *worst = NULL;
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			fail(L,
			     "%s: the script table has a non-string key (fields are: "
			     "name, description, params, regions, init, step)",
			     w->path);
		const char *k = lua_tostring(L, -1);
		if (bsearch(&k, known, sizeof known / sizeof *known, sizeof *known, by_cstr))
			continue;
		if (!worst || strcmp(k, worst) < 0)
			worst = k; /* kept alive by the table */
	}
	if (worst)
		fail(L,
		     "%s: unknown field '%s' in the script table (fields are: name, "
		     "description, params, regions, init, step)",
		     w->path, worst);
}

/* --- parameters ------------------------------------------------------------ */

static int by_param(const void *a, const void *b)
{
	return strcmp(((const struct wl_param *)a)->name, ((const struct wl_param *)b)->name);
}

/* Integral values become Lua integers, so a parameter prints and indexes
 * the same whether it came from the default or from the command line. */
void wl_push_number(lua_State *L, double x)
{
	if (x == floor(x) && fabs(x) < 9007199254740992.0)
		lua_pushinteger(L, (lua_Integer)x);
	else
		lua_pushnumber(L, x);
}

static void collect_params(lua_State *L, wl *w, int t)
{
	size_t n = 0;
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		n++;
	}
	w->params = calloc(n ? n : 1, sizeof *w->params);
	if (!w->params)
		fail(L, "out of memory");
	lua_pushnil(L);
	while (lua_next(L, t)) {
		if (lua_type(L, -2) != LUA_TSTRING || !is_identifier(lua_tostring(L, -2)))
			fail(L, "%s: params: every name must be an identifier", w->path);
		struct wl_param *p = &w->params[w->n_params];
		p->name = dup_or_fail(L, lua_tostring(L, -2));
		w->n_params++;
		if (lua_type(L, -1) == LUA_TNUMBER)
			p->num = lua_tonumber(L, -1);
		else if (lua_type(L, -1) == LUA_TSTRING)
			p->str = dup_or_fail(L, lua_tostring(L, -1));
		else
			fail(L, "%s: param '%s': the default must be a number or a string", w->path,
			     p->name);
		lua_pop(L, 1);
	}
	qsort(w->params, w->n_params, sizeof *w->params, by_param);
}

static void unknown_param(lua_State *L, wl *w, const char *name)
{
	char known[400] = "";
	size_t len = 0;
	for (size_t i = 0; i < w->n_params && len < sizeof known; i++)
		len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "",
					w->params[i].name);
	fail(L, "%s: unknown workload parameter '%s' (%s%s)", w->path, name,
	     w->n_params ? "known: " : "this workload has none", known);
}

static void apply_override(lua_State *L, wl *w, const struct wl_override *o)
{
	struct wl_param key = {.name = (char *)o->name};
	/* bsearch needs a base even for no elements: a script without params
	 * has none (the fuzzer's override_without_params.lua). */
	struct wl_param *p = o->name && w->n_params ? bsearch(&key, w->params, w->n_params,
							      sizeof *w->params, by_param)
						    : NULL;
	if (!p)
		unknown_param(L, w, o->name ? o->name : "(null)");
	if (!o->value)
		fail(L, "%s: workload parameter '%s' has no value", w->path, p->name);
	if (p->str) {
		char *v = dup_or_fail(L, o->value);
		free(p->str);
		p->str = v;
		return;
	}
	err e;
	double v;
	if (units_double(o->value, &v, &e) < 0)
		fail(L, "%s: workload parameter '%s' (a number): %s", w->path, p->name, e.msg);
	p->num = v;
}

static void params_json(lua_State *L, wl *w)
{
	jw j;
	jw_init(&j, 0);
	jw_obj(&j, NULL);
	for (size_t i = 0; i < w->n_params; i++) {
		const struct wl_param *p = &w->params[i];
		if (p->str)
			jw_str(&j, p->name, p->str);
		else
			jw_num(&j, p->name, p->num);
	}
	jw_end(&j);
	w->params_json = jw_text(&j) ? strdup(jw_text(&j)) : NULL;
	jw_free(&j);
	if (!w->params_json)
		fail(L, "out of memory");
}

/* Leaves the resolved parameter table p at index 2. */
static void read_params(lua_State *L, wl *w, const struct wl_config *cfg)
{
	lua_pushliteral(L, "params");
	lua_rawget(L, 1);
	if (lua_istable(L, 2))
		collect_params(L, w, 2);
	else if (!lua_isnil(L, 2))
		fail(L, "%s: 'params' must be a table of name = default", w->path);
	for (size_t i = 0; i < cfg->n_params; i++)
		apply_override(L, w, &cfg->params[i]);
	lua_createtable(L, 0, (int)w->n_params);
	for (size_t i = 0; i < w->n_params; i++) {
		if (w->params[i].str)
			lua_pushstring(L, w->params[i].str);
		else
			wl_push_number(L, w->params[i].num);
		lua_setfield(L, -2, w->params[i].name);
	}
	lua_replace(L, 2);
	params_json(L, w);
}

/* --- regions ----------------------------------------------------------------- */

static uint64_t region_size(lua_State *L, wl *w, int t, size_t i)
{
	lua_pushliteral(L, "size");
	lua_rawget(L, t);
	int isint = 0;
	lua_Integer n = lua_tointegerx(L, -1, &isint);
	uint64_t bytes = 0;
	err e;
	if (lua_type(L, -1) == LUA_TNUMBER) {
		if (!isint || n <= 0)
			fail(L, "%s: region %zu: size must be a positive whole number of bytes",
			     w->path, i);
		bytes = (uint64_t)n;
	} else if (lua_type(L, -1) == LUA_TSTRING) {
		if (units_size(lua_tostring(L, -1), &bytes, &e) < 0)
			fail(L, "%s: region %zu: %s", w->path, i, e.msg);
		if (bytes == 0)
			fail(L, "%s: region %zu: size must not be 0", w->path, i);
	} else {
		fail(L, "%s: region %zu: size must be a number or a string such as \"16MiB\"",
		     w->path, i);
	}
	lua_pop(L, 1);
	return bytes;
}

static int too_big(wl *w, err *e)
{
	char list[300] = "", a[32], b[32], c[32];
	size_t len = 0;
	for (size_t i = 0; i < w->n_regions && len < sizeof list; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s %s", i ? " + " : "",
					w->regions[i].name,
					units_fmt_bytes(a, sizeof a, (double)w->regions[i].size));
	uint64_t avail = w->own_layout || !w->layout
			     ? w->ram_bytes
			     : layout_free_pages(w->layout) * (uint64_t)w->page_size;
	if (avail == w->ram_bytes)
		return err_set(e, "%s: regions need %s (%s) but the guest's RAM is %s", w->path,
			       units_fmt_bytes(a, sizeof a, (double)w->footprint), list,
			       units_fmt_bytes(b, sizeof b, (double)w->ram_bytes));
	return err_set(e,
		       "%s: regions need %s (%s) but the guest's RAM is %s, of which the guest OS "
		       "holds %s",
		       w->path, units_fmt_bytes(a, sizeof a, (double)w->footprint), list,
		       units_fmt_bytes(b, sizeof b, (double)w->ram_bytes),
		       units_fmt_bytes(c, sizeof c, (double)(w->ram_bytes - avail)));
}

/* The optional `at`: where in RAM the region asks to be, a fraction. */
static double region_at(lua_State *L, wl *w, int t, size_t i)
{
	lua_pushliteral(L, "at");
	lua_rawget(L, t);
	double at = -1;
	if (!lua_isnil(L, -1)) {
		at = lua_tonumber(L, -1);
		if (lua_type(L, -1) != LUA_TNUMBER || !(at >= 0 && at < 1))
			fail(L, "%s: region %zu: at must be a fraction of RAM, from 0 to below 1",
			     w->path, i);
	}
	lua_pop(L, 1);
	return at;
}

/* Gives every region its extents from the layout, in the order declared. */
int wl_place(wl *w, layout *l, err *e)
{
	if (w->footprint > w->ram_bytes)
		return too_big(w, e);
	if (!l) {
		if (layout_new(&w->own_layout, w->ram_bytes / w->page_size, e) < 0)
			return -1;
		l = w->own_layout;
	}
	w->layout = l;
	uint64_t ram_pages = w->ram_bytes / w->page_size;
	if (w->footprint / w->page_size > layout_free_pages(l))
		return too_big(w, e);
	for (size_t i = 0; i < w->n_regions; i++) {
		struct wl_region *r = &w->regions[i];
		err why;
		int rc = r->at < 0 ? layout_take(l, r->pages, &r->ext, &r->n_ext, &why)
				   : layout_take_at(l, (uint64_t)(r->at * (double)ram_pages),
						    r->pages, &r->ext, &r->n_ext, &why);
		if (rc < 0)
			return err_set(e, "%s: region '%s': %s", w->path, r->name, why.msg);
	}
	return 0;
}

static void read_region(lua_State *L, wl *w, int list, size_t i)
{
	lua_rawgeti(L, list, (lua_Integer)i + 1);
	int t = lua_gettop(L);
	if (!lua_istable(L, t))
		fail(L, "%s: region %zu must be a table {name = ..., size = ...}", w->path, i + 1);
	lua_pushliteral(L, "name");
	lua_rawget(L, t);
	if (lua_type(L, -1) != LUA_TSTRING || !is_identifier(lua_tostring(L, -1)))
		fail(L, "%s: region %zu: name must be an identifier", w->path, i + 1);
	for (size_t j = 0; j < i; j++)
		if (!strcmp(w->regions[j].name, lua_tostring(L, -1)))
			fail(L, "%s: two regions are named '%s'", w->path, w->regions[j].name);
	struct wl_region *r = &w->regions[i];
	r->name = dup_or_fail(L, lua_tostring(L, -1));
	w->n_regions++;
	r->size = region_size(L, w, t, i + 1);
	r->at = region_at(L, w, t, i + 1);
	r->pages = r->size / w->page_size + (r->size % w->page_size != 0);
	uint64_t bytes = r->pages * w->page_size;
	if (bytes / w->page_size != r->pages || w->footprint + bytes < bytes)
		w->footprint = UINT64_MAX;
	else
		w->footprint += bytes;
	lua_settop(L, list);
}

static void read_regions(lua_State *L, wl *w)
{
	if (push_field(L, w, "regions", 1) == LUA_TFUNCTION) {
		lua_pushvalue(L, 2);
		lua_createtable(L, 0, 2); /* what the layout must fit */
		lua_pushinteger(L, (lua_Integer)w->page_size);
		lua_setfield(L, -2, "page_size");
		lua_pushinteger(L,
				(lua_Integer)(w->ram_bytes > INT64_MAX ? INT64_MAX : w->ram_bytes));
		lua_setfield(L, -2, "ram");
		lua_call(L, 2, 1);
	}
	int list = lua_gettop(L);
	if (!lua_istable(L, list))
		fail(L,
		     "%s: 'regions' must be a list of {name = ..., size = ...} or a "
		     "function(p) returning one",
		     w->path);
	size_t n = (size_t)lua_rawlen(L, list);
	w->regions = calloc(n ? n : 1, sizeof *w->regions);
	if (!w->regions)
		fail(L, "out of memory");
	for (size_t i = 0; i < n; i++)
		read_region(L, w, list, i);
	err e;
	if (!w->defer_place && wl_place(w, NULL, &e) < 0)
		fail(L, "%s", e.msg);
	lua_settop(L, 2);
}

/* --- functions and the mem object ------------------------------------------ */

static int function_ref(lua_State *L, wl *w, const char *key, int required)
{
	if (push_field(L, w, key, required) == LUA_TNIL) {
		lua_pop(L, 1);
		return LUA_NOREF;
	}
	if (!lua_isfunction(L, -1))
		fail(L, "%s: '%s' must be a function(mem, p)", w->path, key);
	return luaL_ref(L, LUA_REGISTRYINDEX);
}

static void read_functions(lua_State *L, wl *w)
{
	lua_Debug ar;
	lua_pushliteral(L, "step");
	lua_rawget(L, 1);
	if (lua_isfunction(L, -1)) {
		lua_getinfo(L, ">S", &ar);
		char where[LUA_IDSIZE + 32];
		snprintf(where, sizeof where, "%s:%d", ar.short_src, ar.linedefined);
		w->step_where = dup_or_fail(L, where);
	} else {
		lua_pop(L, 1);
	}
	w->step_ref = function_ref(L, w, "step", 1);
	w->init_ref = function_ref(L, w, "init", 0);
}

struct open_args {
	const struct wl_config *cfg;
	int describe;
};

static int open_body(lua_State *L)
{
	wl *w = wl_self(L);
	const struct open_args *a = lua_touserdata(L, 1);
	lua_settop(L, 0);
	seed_math(L, w, a->cfg->seed);
	wl_units_open(L);
	load_script(L, w);
	read_identity(L, w);
	if (a->describe)
		return 0;
	check_fields(L, w);
	read_params(L, w, a->cfg);
	read_regions(L, w);
	read_functions(L, w);
	lua_pushvalue(L, 2);
	w->p_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	wl_mem_push(L, w);
	w->mem_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_settop(L, 0);
	return 0;
}

/* --- calls ---------------------------------------------------------------------- */

/* A call on guest g: the guest is reachable from the script only while the
 * call runs, so no Lua code running later (lua_close, say) can touch a
 * guest that is gone. */
static int guest_call(wl *w, guest *g, int nargs, int nres, err *e)
{
	w->g = g;
	journal_begin(w->jr);
	int rc = box_call(w->box, nargs, nres, e);
	w->g = NULL;
	if (rc < 0) { /* what the failed call wrote still reaches the guest */
		err ignored;
		journal_flush(w->jr, g, &ignored);
	}
	return rc;
}

static wl *wl_alloc(const struct wl_config *cfg, err *e)
{
	wl *w = calloc(1, sizeof *w);
	if (!w || !(w->path = strdup(cfg->path)) || journal_new(&w->jr, cfg->page_size, e) < 0) {
		if (w)
			free(w->path);
		free(w);
		err_set(e, "out of memory");
		return NULL;
	}
	w->ram_bytes = cfg->ram_bytes;
	w->page_size = cfg->page_size;
	w->defer_place = cfg->place_later;
	w->step_ref = w->init_ref = w->mem_ref = w->p_ref = LUA_NOREF;
	rng_seed(&w->rng, cfg->seed, cfg->stream ? cfg->stream : "workload");
	return w;
}

static int start(wl *w, const struct wl_config *cfg, int describe, err *e)
{
	struct box_config bc = {
	    .path = cfg->path,
	    .budget = cfg->instr_budget ? cfg->instr_budget : WL_DEFAULT_BUDGET,
	    .heap_cap = cfg->heap_cap ? cfg->heap_cap : WL_DEFAULT_HEAP,
	    .owner = w,
	};
	if (box_new(&w->box, &bc, e) < 0)
		return -1;
	w->L = box_lua(w->box);
	struct open_args a = {cfg, describe};
	lua_pushcfunction(w->L, open_body);
	lua_pushlightuserdata(w->L, &a);
	return box_call(w->box, 1, 0, e);
}

int wl_open(wl **out, const struct wl_config *cfg, err *e)
{
	*out = NULL;
	if (!cfg->path)
		return err_set(e, "no workload script given");
	if (cfg->page_size == 0 || (cfg->page_size & (cfg->page_size - 1)))
		return err_set(e, "%s: page size %u is not a power of two", cfg->path,
			       cfg->page_size);
	wl *w = wl_alloc(cfg, e);
	if (!w)
		return -1;
	if (start(w, cfg, 0, e) < 0) {
		wl_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

void wl_free(wl *w)
{
	if (!w)
		return;
	box_free(w->box);
	journal_free(w->jr);
	for (size_t i = 0; i < w->n_params; i++) {
		free(w->params[i].name);
		free(w->params[i].str);
	}
	for (size_t i = 0; i < w->n_regions; i++) {
		free(w->regions[i].name);
		free(w->regions[i].ext);
	}
	layout_free(w->own_layout);
	free(w->params);
	free(w->regions);
	free(w->path);
	free(w->step_where);
	free(w->name);
	free(w->desc);
	free(w->params_json);
	free(w);
}

const char *wl_name(const wl *w)
{
	return w->name;
}

const char *wl_description(const wl *w)
{
	return w->desc;
}

const char *wl_params_json(const wl *w)
{
	return w->params_json;
}

uint64_t wl_footprint(const wl *w)
{
	return w->footprint;
}

/* The guest changes at a post-copy switch-over: it must have the same
 * geometry as the one the regions were laid out for. */
static int check_guest(wl *w, guest *g, err *e)
{
	if (g == w->checked)
		return 0;
	if (!g)
		return err_set(e, "%s: no guest to run on", w->path);
	if (guest_page_size(g) != w->page_size || guest_ram_bytes(g) < w->footprint)
		return err_set(e,
			       "%s: the guest (%u-byte pages, %llu bytes) does not match the "
			       "layout (%u-byte pages, %llu bytes)",
			       w->path, guest_page_size(g), (unsigned long long)guest_ram_bytes(g),
			       w->page_size, (unsigned long long)w->footprint);
	w->checked = g;
	return 0;
}

static void push_call(wl *w, int ref)
{
	lua_rawgeti(w->L, LUA_REGISTRYINDEX, ref);
	lua_rawgeti(w->L, LUA_REGISTRYINDEX, w->mem_ref);
	lua_rawgeti(w->L, LUA_REGISTRYINDEX, w->p_ref);
}

int wl_init(wl *w, guest *g, err *e)
{
	if (check_guest(w, g, e) < 0)
		return -1;
	if (w->init_ref == LUA_NOREF)
		return 0;
	w->now = 0;
	push_call(w, w->init_ref);
	if (guest_call(w, g, 2, 0, e) < 0)
		return -1;
	return journal_flush(w->jr, g, e);
}

/* A step's duration, the value at idx: whole nanoseconds; anything positive
 * rounds to at least 1, and it must stay inside the clock's range. */
static int step_duration(wl *w, int idx, int64_t *ns, err *e)
{
	lua_State *L = w->L;
	int t = lua_type(L, idx);
	int ok = 0;
	double c = 0;
	if (t == LUA_TNUMBER && lua_isinteger(L, idx)) {
		lua_Integer i = lua_tointeger(L, idx);
		ok = i > 0 && i < INT64_C(9200000000000000000); /* as a float's */
		*ns = i;
		c = (double)i;
	} else if (t == LUA_TNUMBER) {
		c = lua_tonumber(L, idx);
		ok = c > 0 && c < 9.2e18;
		*ns = ok ? (c < 1 ? 1 : llround(c)) : 0;
	}
	if (ok)
		return 0;
	if (t == LUA_TNUMBER)
		return err_set(e,
			       "%s: step must return its cost, a positive number of "
			       "nanoseconds (it returned %g)",
			       w->step_where, c);
	return err_set(e,
		       "%s: step must return its cost, a positive number of nanoseconds "
		       "(it returned %s)",
		       w->step_where, lua_typename(L, t));
}

/* The optional second result, the step's CPU time: nil means all of it. */
static int step_cpu(wl *w, int idx, int64_t cost, int64_t *ns, err *e)
{
	lua_State *L = w->L;
	if (lua_isnil(L, idx)) {
		*ns = cost;
		return 0;
	}
	int is_number = lua_type(L, idx) == LUA_TNUMBER;
	double c = is_number ? lua_tonumber(L, idx) : 0;
	if (is_number && c >= 0 && c <= (double)cost) {
		*ns = (int64_t)llround(c);
		if (*ns > cost)
			*ns = cost;
		return 0;
	}
	if (is_number)
		return err_set(e,
			       "%s: step's second result, its CPU time, must be from 0 to its "
			       "cost (%lld ns; it returned %g)",
			       w->step_where, (long long)cost, c);
	return err_set(e,
		       "%s: step's second result, its CPU time, must be a number of "
		       "nanoseconds (it returned %s)",
		       w->step_where, lua_typename(L, lua_type(L, idx)));
}

int wl_step(wl *w, guest *g, int64_t now_ns, int64_t *cost_ns, int64_t *cpu_ns, err *e)
{
	if (check_guest(w, g, e) < 0)
		return -1;
	w->now = now_ns;
	push_call(w, w->step_ref);
	if (guest_call(w, g, 2, 2, e) < 0)
		return -1;
	int64_t cpu = 0;
	int rc = step_duration(w, -2, cost_ns, e);
	if (rc == 0)
		rc = step_cpu(w, -1, *cost_ns, &cpu, e);
	lua_pop(w->L, 2);
	if (rc == 0 && cpu_ns)
		*cpu_ns = cpu;
	return rc;
}

void wl_set_disks(wl *w, struct disk_set *disks)
{
	w->disks = disks;
}

journal *wl_journal(wl *w)
{
	return w->jr;
}

int wl_reads_bytes(const wl *w)
{
	return w->reads_bytes;
}

int wl_describe(const char *path, char *name, size_t name_len, char *desc, size_t desc_len, err *e)
{
	struct wl_config cfg = {.path = path, .page_size = 4096};
	if (!path)
		return err_set(e, "no workload script given");
	wl *w = wl_alloc(&cfg, e);
	if (!w)
		return -1;
	int rc = start(w, &cfg, 1, e);
	if (rc == 0) {
		snprintf(name, name_len, "%s", w->name);
		snprintf(desc, desc_len, "%s", w->desc);
	}
	wl_free(w);
	return rc;
}
