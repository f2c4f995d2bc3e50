/*
 * evac_file — reads an evacuation experiment file into evacuate's options
 * (see evac_file.h). Each entry of hosts, links and vms is either the
 * option's text ("a:10Gbit/s:ram=64G") or a table of its fields, which is
 * written as that text; policy's knobs become their options; sweep's knobs
 * become axes of values. Tables are read in the order of their keys, so a
 * file always gives the same options.
 */
#include "evac_file.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "box.h"

#define HEAP_CAP    ((size_t)64 << 20)
#define INSTR_LIMIT 100000000
#define TEXT_MAX    4096

static void out_of_memory(lua_State *L)
{
	luaL_error(L, "out of memory");
}

static char *dup_or_fail(lua_State *L, const char *s)
{
	char *d = strdup(s);
	if (!d)
		out_of_memory(L);
	return d;
}

static void push_arg(lua_State *L, struct evac_file *f, const char *s)
{
	if (f->argc == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 64;
		char **grown = realloc(f->argv, cap * sizeof *grown);
		if (!grown)
			out_of_memory(L);
		f->argv = grown;
		f->cap = cap;
	}
	f->argv[f->argc] = dup_or_fail(L, s);
	f->argc++;
}

/* The value at idx as text: strings, numbers, booleans. */
static const char *scalar(lua_State *L, int idx, const char *what)
{
	if (lua_isboolean(L, idx))
		return lua_toboolean(L, idx) ? "true" : "false";
	if (lua_type(L, idx) != LUA_TSTRING && lua_type(L, idx) != LUA_TNUMBER)
		luaL_error(L, "%s must be a string or a number (it is %s)", what,
			   luaL_typename(L, idx));
	return lua_tostring(L, idx);
}

/* The string keys of the table at idx, sorted; a sequence of them is left
 * on the stack as a table (popped by the caller). */
static size_t sorted_keys(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	lua_getglobal(L, "table");
	lua_getfield(L, -1, "sort");
	lua_remove(L, -2);
	lua_newtable(L);
	size_t n = 0;
	for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1))
		if (lua_type(L, -2) == LUA_TSTRING) {
			lua_pushvalue(L, -2);
			lua_rawseti(L, -4, (lua_Integer)++n);
		}
	lua_pushvalue(L, -1);
	lua_insert(L, -3);
	lua_call(L, 1, 0);
	return n;
}

static void append(lua_State *L, char *buf, const char *sep, const char *s)
{
	size_t len = strlen(buf);
	if (len + strlen(sep) + strlen(s) >= TEXT_MAX)
		luaL_error(L, "an entry is too long");
	snprintf(buf + len, TEXT_MAX - len, "%s%s", sep, s);
}

/* A table entry as the option's text: the fields named in `first`, in
 * that order and required, then every other field as KEY=VALUE, and the
 * fields of a subtable as PREFIX.KEY=VALUE (vms' wl). */
static void entry_text(lua_State *L, int idx, const char *const *first, const char *what, char *buf)
{
	idx = lua_absindex(L, idx);
	buf[0] = '\0';
	size_t n_first = 0;
	for (; first[n_first]; n_first++) {
		lua_getfield(L, idx, first[n_first]);
		if (lua_isnil(L, -1))
			luaL_error(L, "%s: %s is missing", what, first[n_first]);
		append(L, buf, n_first ? ":" : "", scalar(L, -1, first[n_first]));
		lua_pop(L, 1);
	}
	size_t n = sorted_keys(L, idx);
	for (size_t i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, (lua_Integer)i);
		const char *key = lua_tostring(L, -1);
		int skip = 0;
		for (size_t k = 0; k < n_first; k++)
			skip |= !strcmp(key, first[k]);
		lua_gettable(L, idx);
		if (!skip && lua_istable(L, -1)) {
			char prefix[64];
			snprintf(prefix, sizeof prefix, "%s.", key);
			size_t m = sorted_keys(L, -1);
			for (size_t j = 1; j <= m; j++) {
				lua_rawgeti(L, -1, (lua_Integer)j);
				const char *sub = lua_tostring(L, -1);
				lua_pushvalue(L, -1);
				lua_gettable(L, -4);
				append(L, buf, ":", prefix);
				append(L, buf, "", sub);
				append(L, buf, "=", scalar(L, -1, sub));
				lua_pop(L, 2);
			}
			lua_pop(L, 1);
		} else if (!skip) {
			append(L, buf, ":", key);
			append(L, buf, "=", scalar(L, -1, key));
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* root[field]: a list of entries, each the option's text or a table. */
static void entries(lua_State *L, struct evac_file *f, const char *field, const char *option,
		    const char *const *first)
{
	lua_getfield(L, 1, field);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	if (lua_type(L, -1) == LUA_TSTRING) { /* one entry */
		push_arg(L, f, option);
		push_arg(L, f, lua_tostring(L, -1));
		lua_pop(L, 1);
		return;
	}
	luaL_checktype(L, -1, LUA_TTABLE);
	char buf[TEXT_MAX];
	lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		char what[64];
		snprintf(what, sizeof what, "%s[%lld]", field, (long long)i);
		if (lua_istable(L, -1))
			entry_text(L, -1, first, what, buf);
		else
			snprintf(buf, sizeof buf, "%s", scalar(L, -1, what));
		push_arg(L, f, option);
		push_arg(L, f, buf);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* root[field]: scalar settings named by their option. */
static void settings(lua_State *L, struct evac_file *f, const char *field)
{
	lua_getfield(L, 1, field);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	luaL_checktype(L, -1, LUA_TTABLE);
	size_t n = sorted_keys(L, -1);
	for (size_t i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, (lua_Integer)i);
		char opt[128];
		snprintf(opt, sizeof opt, "--%s", lua_tostring(L, -1));
		lua_gettable(L, -3);
		push_arg(L, f, opt);
		push_arg(L, f, scalar(L, -1, opt + 2));
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
}

static void axes(lua_State *L, struct evac_file *f)
{
	lua_getfield(L, 1, "sweep");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return;
	}
	luaL_checktype(L, -1, LUA_TTABLE);
	size_t n = sorted_keys(L, -1);
	if (n > EVAC_AXES)
		luaL_error(L, "sweep: at most %d knobs", EVAC_AXES);
	for (size_t i = 1; i <= n; i++) {
		struct evac_axis *a = &f->axes[f->n_axes];
		lua_rawgeti(L, -1, (lua_Integer)i);
		char opt[128];
		snprintf(opt, sizeof opt, "--%s", lua_tostring(L, -1));
		a->option = dup_or_fail(L, opt);
		f->n_axes++;
		lua_gettable(L, -3);
		if (!lua_istable(L, -1) || lua_rawlen(L, -1) == 0)
			luaL_error(L, "sweep.%s must be a list of values", opt + 2);
		size_t m = lua_rawlen(L, -1);
		a->values = calloc(m, sizeof *a->values);
		if (!a->values)
			out_of_memory(L);
		for (size_t j = 0; j < m; j++) {
			lua_rawgeti(L, -1, (lua_Integer)j + 1);
			a->values[j] = dup_or_fail(L, scalar(L, -1, opt + 2));
			a->n++;
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
}

static const char *const host_fields[] = {"name", "nic", NULL};
static const char *const link_fields[] = {"path", "rate", NULL};
static const char *const vm_fields[] = {"name", "host", "ram", "workload", NULL};
static const char *const no_fields[] = {NULL};

static int load_protected(lua_State *L)
{
	struct evac_file *f = lua_touserdata(L, 1);
	lua_pop(L, 1);
	static const char *const gone[] = {"load", "collectgarbage", NULL};
	static const char *const gone_math[] = {"random", "randomseed", NULL};
	box_hide(L, NULL, gone);
	box_hide(L, LUA_MATHLIBNAME, gone_math);
	box_load_file(L);
	lua_call(L, 0, 1);
	if (!lua_istable(L, 1))
		return luaL_error(L, "the experiment file must return a table (it returned %s)",
				  luaL_typename(L, 1));
	lua_getfield(L, 1, "name");
	f->name = dup_or_fail(L, lua_isstring(L, -1) ? lua_tostring(L, -1) : "evacuation");
	lua_pop(L, 1);
	entries(L, f, "hosts", "--host", host_fields);
	entries(L, f, "links", "--link", link_fields);
	entries(L, f, "vms", "--vm", vm_fields);
	entries(L, f, "drain", "--drain", no_fields);
	settings(L, f, "policy");
	settings(L, f, "settings");
	axes(L, f);
	return 0;
}

int evac_file_load(const char *path, struct evac_file *f, err *e)
{
	memset(f, 0, sizeof *f);
	struct box_config bc = {.path = path, .budget = INSTR_LIMIT, .heap_cap = HEAP_CAP};
	box *b;
	if (box_new(&b, &bc, e) < 0)
		return -1;
	lua_State *L = box_lua(b);
	lua_pushcfunction(L, load_protected);
	lua_pushlightuserdata(L, f);
	int rc = box_call(b, 1, 0, e);
	box_free(b);
	if (rc < 0)
		evac_file_free(f);
	return rc;
}

void evac_file_free(struct evac_file *f)
{
	for (size_t i = 0; i < f->argc; i++)
		free(f->argv[i]);
	free(f->argv);
	for (size_t a = 0; a < f->n_axes; a++) {
		for (size_t j = 0; j < f->axes[a].n; j++)
			free(f->axes[a].values[j]);
		free(f->axes[a].values);
		free(f->axes[a].option);
	}
	free(f->name);
	memset(f, 0, sizeof *f);
}
