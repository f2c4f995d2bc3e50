/*
 * box — the sandboxed Lua state (see box.h). Three parts: the allocator
 * (heap cap, the charge for Lua memory, the GC stress mode), the budget
 * (count hook, charges, stops), and the library set with the wrappers that
 * charge what the hook cannot see.
 *
 * Every call into the state runs inside lua_pcall, so no Lua error can
 * reach the panic handler (which would abort the process). Three kinds of
 * failure stop a call whatever the script does (the sandbox's pcall and
 * xpcall re-raise them): the budget, the heap cap, and box_stop.
 */
#include "box.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sat.h"

/* The count hook fires at most every HOOK_CHUNK instructions: the budget is
 * counted in chunks so it may exceed an int, at a negligible cost. */
#define HOOK_CHUNK (1 << 20)
/* After a stop the hook fires this often, so code running in a message
 * handler cannot carry on. */
#define HOOK_STOPPED 1000
/* Lua memory allocated during a call costs one unit per this many bytes
 * (about what one VM instruction costs in copying or clearing them): it
 * charges the work of string building, concatenation and table growth,
 * which happens inside single instructions. */
#define ALLOC_BYTES_PER_UNIT 64

enum box_stop { BOX_RUNNING = 0, BOX_BUDGET, BOX_HEAP, BOX_RAISED };

struct box {
	lua_State *L;
	void *owner;
	char *path;
	char *src; /* the chunk's name as Lua prints it in messages */
	uint64_t budget, instr_left;
	int armed; /* instructions the count hook was last armed for */
	int in_call;
	size_t heap_cap, heap_used;
	enum box_stop stop;
	char stop_msg[512]; /* the first reason the call stopped */
#ifdef MIGSIM_GC_STRESS
	struct {
		void *ptr;
		size_t osize, nsize;
		int pending;
	} refused; /* the request failed on purpose, which Lua retries */
#endif
};

static box *self(lua_State *L)
{
	void *ud;
	lua_getallocf(L, &ud);
	return ud;
}

void *box_owner(lua_State *L)
{
	return self(L)->owner;
}

lua_State *box_lua(const box *b)
{
	return b->L;
}

/* --- where the script is --------------------------------------------------- */

/* The innermost Lua code on the stack from `level` up: a C function may be
 * called through pcall, which has no line of its own. */
static int script_where(lua_State *L, int level, lua_Debug *ar)
{
	for (; lua_getstack(L, level, ar); level++)
		if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
			return 1;
	return 0;
}

/* "FILE:LINE" of the running script, or the box's path. */
static void where(box *b, lua_State *L, int level, char *buf, size_t len)
{
	lua_Debug ar;
	if (script_where(L, level, &ar))
		snprintf(buf, len, "%.200s:%d", ar.short_src, ar.currentline);
	else
		snprintf(buf, len, "%.200s", b->path);
}

/* --- the budget ------------------------------------------------------------ */

static void hook(lua_State *L, lua_Debug *ar);

static void rearm(box *b, uint64_t n)
{
	b->armed = n < HOOK_CHUNK ? (int)n : HOOK_CHUNK;
	lua_sethook(b->L, hook, LUA_MASKCOUNT, b->armed);
}

static void budget_stop(box *b, lua_State *L, int level, const char *what)
{
	char at[256];
	where(b, L, level, at, sizeof at);
	b->stop = BOX_BUDGET;
	b->instr_left = 0;
	snprintf(b->stop_msg, sizeof b->stop_msg,
		 "%s: instruction budget of %llu instructions per call exceeded%s%.200s%s", at,
		 (unsigned long long)b->budget, what ? " (" : "", what ? what : "",
		 what ? ")" : "");
}

/* Re-armed before raising: a handler that swallows the error is
 * interrupted again a moment later. */
static int raise_stop(box *b, lua_State *L)
{
	rearm(b, HOOK_STOPPED);
	lua_pushstring(L, b->stop_msg);
	return lua_error(L);
}

/* Takes n units off the call's budget; 0, with the budget's stop set
 * (naming the script's line from `level` and `what`), when it runs out. */
static int spend(box *b, lua_State *L, int level, uint64_t n, const char *what)
{
	if (n < b->instr_left) {
		b->instr_left -= n;
		return 1;
	}
	budget_stop(b, L, level, what);
	return 0;
}

void box_charge(lua_State *L, uint64_t n, const char *what)
{
	box *b = self(L);
	if (!spend(b, L, 1, n, what))
		raise_stop(b, L);
}

static void hook(lua_State *L, lua_Debug *ar)
{
	box *b = self(L);
	(void)ar;
	if (b->stop == BOX_RUNNING) {
		/* Charges may have taken more than the armed chunk's share. */
		if (b->instr_left > (uint64_t)b->armed) {
			b->instr_left -= (uint64_t)b->armed;
			rearm(b, b->instr_left);
			return;
		}
		budget_stop(b, L, 0, NULL);
	}
	raise_stop(b, L);
}

int box_stop(lua_State *L, const char *msg)
{
	box *b = self(L);
	char at[256];
	where(b, L, 1, at, sizeof at);
	snprintf(b->stop_msg, sizeof b->stop_msg, "%.100s: %.400s", at, msg);
	b->stop = BOX_RAISED;
	return raise_stop(b, L);
}

static void heap_stop(box *b)
{
	b->stop = BOX_HEAP;
	snprintf(b->stop_msg, sizeof b->stop_msg, "%.200s: Lua heap limit of %zu bytes exceeded",
		 b->path, b->heap_cap);
}

/* --- the allocator ------------------------------------------------------------ */

#ifdef MIGSIM_GC_STRESS
/* Fails every request for a new Lua object (no block, a type tag in
 * osize), once: Lua's allocation path then runs a full emergency collection
 * and repeats the same request, which goes through. Other requests are left
 * alone, because some callers do not retry them: Lua grows the stack with
 * emergency collections off, and lauxlib's buffers call the allocator
 * directly. Before the state exists there is nothing to collect. */
static int stress_refuses(box *b, void *ptr, size_t osize, size_t nsize)
{
	if (!b->L || ptr || osize == 0)
		return 0;
	if (b->refused.pending && b->refused.ptr == ptr && b->refused.osize == osize &&
	    b->refused.nsize == nsize) {
		b->refused.pending = 0;
		return 0;
	}
	b->refused.ptr = ptr;
	b->refused.osize = osize;
	b->refused.nsize = nsize;
	b->refused.pending = 1;
	return 1;
}
#else
static int stress_refuses(box *b, void *ptr, size_t osize, size_t nsize)
{
	(void)b, (void)ptr, (void)osize, (void)nsize;
	return 0;
}
#endif

/* Charges an allocation of n bytes during a call; 0 when the budget is
 * spent (a failed allocation then raises Lua's memory error, which the stop
 * turns into the budget's message). */
static int charge_alloc(box *b, size_t n)
{
	if (!b->in_call)
		return 1;
	if (b->stop != BOX_RUNNING)
		return 0; /* nothing more for a handler of the stop */
	return spend(b, b->L, 0, n / ALLOC_BYTES_PER_UNIT + 1,
		     "Lua memory allocated counts one per 64 bytes");
}

/* A request refused at the heap cap makes Lua run a full emergency
 * collection before it tries again (lmem.c's tryagain): a script that keeps
 * its heap at the cap would have one at nearly every allocation, each a
 * walk over the whole heap that no instruction counts. It costs what
 * collectgarbage("collect") does. */
static void charge_full_gc(box *b)
{
	if (b->in_call && b->stop == BOX_RUNNING)
		spend(b, b->L, 0, b->heap_used / 16 + 1,
		      "a collection at the heap cap: the heap's size / 16");
}

static void *box_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	box *b = ud;
	size_t old = ptr ? osize : 0; /* without ptr, osize is a type tag */
	if (nsize == 0) {
		free(ptr);
		b->heap_used -= old;
		return NULL;
	}
	if (nsize > old) {
		if (stress_refuses(b, ptr, osize, nsize))
			return NULL;
		/* heap_used never exceeds heap_cap, so the subtraction cannot wrap. */
		if (nsize - old > b->heap_cap - b->heap_used) {
			charge_full_gc(b);
			return NULL;
		}
		if (!charge_alloc(b, nsize))
			return NULL;
	}
	void *p = realloc(ptr, nsize);
	if (p)
		b->heap_used = b->heap_used - old + nsize;
	return p;
}

/* --- calls ---------------------------------------------------------------------- */

static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

static int call_error(box *b, int status, err *e)
{
	lua_State *L = b->L;
	if (status == LUA_ERRMEM && b->stop == BOX_RUNNING)
		heap_stop(b);
	if (b->stop != BOX_RUNNING) {
		err_set(e, "%s", b->stop_msg);
	} else if (lua_type(L, -1) == LUA_TSTRING) {
		const char *m = lua_tostring(L, -1);
		/* error("...", 0) and errors in load()ed chunks lack the file. */
		if (strstr(m, b->path) || (b->src && strstr(m, b->src)))
			err_set(e, "%s", m);
		else
			err_set(e, "%s: %s", b->path, m);
	} else {
		err_set(e, "%s: error object is a %s value", b->path, luaL_typename(L, -1));
	}
	lua_pop(L, 1);
	if (e)
		one_line(e->msg);
	return -1;
}

int box_call(box *b, int nargs, int nres, err *e)
{
	b->stop = BOX_RUNNING;
	b->instr_left = b->budget;
	rearm(b, b->budget);
	b->in_call = 1;
	int status = lua_pcall(b->L, nargs, nres, 0);
	b->in_call = 0;
	return status == LUA_OK ? 0 : call_error(b, status, e);
}

void box_load_file(lua_State *L)
{
	box *b = self(L);
	if (luaL_loadfilex(L, b->path, "t") != LUA_OK)
		lua_error(L);
	lua_Debug ar;
	lua_pushvalue(L, -1);
	lua_getinfo(L, ">S", &ar);
	free(b->src);
	b->src = strdup(ar.short_src);
	if (!b->src)
		luaL_error(L, "out of memory");
}

/* --- the sandbox's own pcall, xpcall and load ------------------------------------ */

/* After a protected call inside the script: a stop goes on up. */
static void pass_stop(lua_State *L, int status)
{
	box *b = self(L);
	if (status == LUA_ERRMEM && b->stop == BOX_RUNNING)
		heap_stop(b);
	if (b->stop != BOX_RUNNING)
		lua_error(L);
}

/* As the standard pcall: `true` is pushed below the function first, so the
 * results need no extra stack slot. */
static int sb_pcall(lua_State *L)
{
	luaL_checkany(L, 1);
	lua_pushboolean(L, 1);
	lua_insert(L, 1);
	int status = lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 0);
	pass_stop(L, status);
	if (status == LUA_OK)
		return lua_gettop(L);
	lua_pushboolean(L, 0);
	lua_pushvalue(L, -2);
	return 2;
}

static int sb_xpcall(lua_State *L)
{
	int n = lua_gettop(L);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	/* f, msgh, args... -> f, msgh, true, f, args... */
	lua_pushboolean(L, 1);
	lua_pushvalue(L, 1);
	lua_rotate(L, 3, 2);
	int status = lua_pcall(L, n - 2, LUA_MULTRET, 2);
	pass_stop(L, status);
	if (status == LUA_OK)
		return lua_gettop(L) - 2;
	lua_pushboolean(L, 0);
	lua_pushvalue(L, -2);
	return 2;
}

/* load() of text only: a binary chunk could break the VM's invariants. */
static int sb_load(lua_State *L)
{
	int n = lua_gettop(L);
	if (n < 3)
		lua_settop(L, n = 3); /* an absent env must stay absent (argument 4) */
	lua_pushliteral(L, "t");
	lua_replace(L, 3);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, LUA_MULTRET);
	return lua_gettop(L);
}

void box_hide(lua_State *L, const char *table, const char *const *names)
{
	if (table)
		lua_getglobal(L, table);
	else
		lua_pushglobaltable(L);
	for (; *names; names++) {
		lua_pushnil(L);
		lua_setfield(L, -2, *names);
	}
	lua_pop(L, 1);
}

void box_wrap(lua_State *L, const char *table, const char *name, lua_CFunction f)
{
	if (table)
		lua_getglobal(L, table);
	else
		lua_pushglobaltable(L);
	lua_getfield(L, -1, name);
	lua_pushcclosure(L, f, 1);
	lua_setfield(L, -2, name);
	lua_pop(L, 1);
}

/* --- what the hook cannot see -------------------------------------------------------- */

/* Each guard looks at a library function's arguments before it runs and
 * returns an upper bound of the work it may do, in units of about one VM
 * instruction, or raises an error when it must not run at all. A guard only
 * reads arguments (never converts them in place), and leaves argument
 * errors to the function itself. */
typedef double (*guard_fn)(lua_State *L);

static double len_arg(lua_State *L, int arg)
{
	if (lua_type(L, arg) == LUA_TSTRING)
		return (double)lua_rawlen(L, arg);
	return lua_type(L, arg) == LUA_TNUMBER ? 64 : 0; /* as it will print */
}

static double int_arg(lua_State *L, int arg, double def)
{
	int ok;
	lua_Integer n = lua_tointegerx(L, arg, &ok);
	return ok ? (double)n : def;
}

/* #t as the function will see it: a __len metamethod runs here too. */
static double table_len(lua_State *L, int arg)
{
	if (lua_type(L, arg) != LUA_TTABLE)
		return 0;
	if (luaL_getmetafield(L, arg, "__len") == LUA_TNIL)
		return (double)lua_rawlen(L, arg);
	lua_pop(L, 1);
	return (double)luaL_len(L, arg);
}

/* Elements from i to j, as the table functions count them. */
static double span(double i, double j)
{
	return j >= i ? j - i + 1 : 0;
}

/* The end of the set that starts at p[i] == '[' (as Lua's matcher reads
 * it: the first character after '[' or '[^' is a member even if ']'). */
static size_t set_end(const char *p, size_t m, size_t i)
{
	i++;
	if (i < m && p[i] == '^')
		i++;
	do {
		if (i >= m)
			return m;
		i += p[i] == '%' ? 2 : 1;
	} while (i < m && p[i] != ']');
	return i + 1;
}

/* An upper bound of the steps of Lua's backtracking matcher for pattern p
 * (m bytes) on a subject of n bytes: each path through the pattern costs at
 * most m + 1; each repetition (*, +, -), balance (%b) and back-reference
 * can try n + 1 lengths, an optional item two; an unanchored pattern is
 * tried at n + 1 starts. */
static double pattern_steps(const char *p, size_t m, double n, int anchorable)
{
	size_t i = 0;
	double starts = n + 1, per_start = (double)m + 1;
	if (anchorable && m > 0 && p[0] == '^') {
		starts = 1;
		i = 1;
	}
	while (i < m) {
		size_t end = i + 1;
		if (p[i] == '(' || p[i] == ')') {
			i++;
			continue;
		}
		if (p[i] == '%' && i + 1 < m) {
			char d = p[i + 1];
			if (d == 'b' || (d >= '0' && d <= '9')) {
				per_start *= n + 1;
				i += d == 'b' ? 4 : 2;
				continue;
			}
			if (d == 'f') {
				i = i + 2 < m && p[i + 2] == '[' ? set_end(p, m, i + 2) : i + 2;
				continue;
			}
			end = i + 2;
		} else if (p[i] == '[') {
			end = set_end(p, m, i);
		}
		if (end < m && (p[end] == '*' || p[end] == '+' || p[end] == '-')) {
			per_start *= n + 1;
			end++;
		} else if (end < m && p[end] == '?') {
			per_start *= 2;
			end++;
		}
		i = end;
	}
	return starts * per_start;
}

/* find, match, gmatch, gsub: (s, pattern, ...). */
static double pattern_guard(lua_State *L, int plain, int anchorable)
{
	double n = len_arg(L, 1);
	if (lua_type(L, 2) != LUA_TSTRING || plain)
		return n + len_arg(L, 2) + 1;
	size_t m;
	const char *p = lua_tolstring(L, 2, &m);
	return pattern_steps(p, m, n, anchorable);
}

static double g_find(lua_State *L)
{
	return pattern_guard(L, lua_toboolean(L, 4), 1);
}

static double g_match(lua_State *L)
{
	return pattern_guard(L, 0, 1);
}

/* gmatch's iterator tries each start once over all its calls: the whole
 * bound is charged when it is made. '^' does not anchor it. */
static double g_gmatch(lua_State *L)
{
	return pattern_guard(L, 0, 0);
}

/* Each of up to n + 1 matches copies the replacement string once more. */
static double g_gsub(lua_State *L)
{
	return pattern_guard(L, 0, 1) + (len_arg(L, 1) + 1) * (len_arg(L, 3) + 1);
}

/* string.rep("", n) loops n times without allocating. */
static double g_rep(lua_State *L)
{
	return fmax(int_arg(L, 2, 0), 0) + 1;
}

/* string.byte(s, i, j) and utf8.codepoint(s, i, j) push up to #s values. */
static double g_slice(lua_State *L)
{
	return len_arg(L, 1) + 1;
}

/* pack, unpack, packsize walk their format; utf8.len and utf8.offset their
 * string; tonumber and load theirs. */
static double g_first_len(lua_State *L)
{
	return len_arg(L, 1) + 1;
}

static double g_insert_remove(lua_State *L)
{
	return table_len(L, 1) + 1;
}

/* table.move(a1, f, e, t [, a2]) */
static double g_move(lua_State *L)
{
	return span(int_arg(L, 2, 0), int_arg(L, 3, 0)) + 1;
}

/* table.concat(t, sep, i, j) and table.unpack(t, i, j) */
static double g_concat(lua_State *L)
{
	double i = int_arg(L, 3, 1);
	double j = lua_isnoneornil(L, 4) ? table_len(L, 1) : int_arg(L, 4, 0);
	return span(i, j) + 1;
}

static double g_unpack(lua_State *L)
{
	double i = int_arg(L, 2, 1);
	double j = lua_isnoneornil(L, 3) ? table_len(L, 1) : int_arg(L, 3, 0);
	return span(i, j) + 1;
}

static double g_sort(lua_State *L)
{
	double n = table_len(L, 1);
	return n * (log2(n + 1) + 1) + 1;
}

/* A full collection visits the whole heap; changing the collector's
 * parameters could make it do unbounded work per byte allocated. */
static double g_collectgarbage(lua_State *L)
{
	box *b = self(L);
	static const char *const allowed[] = {"collect",   "step", "count",
					      "isrunning", "stop", "restart"};
	const char *opt = lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : "collect";
	for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
		if (!strcmp(opt, allowed[i]))
			return i < 2 ? (double)b->heap_used / 16 + 1 : 1;
	return luaL_error(L,
			  "collectgarbage(\"%s\") is not allowed in the sandbox (it changes the "
			  "collector's work, which the instruction budget cannot see)",
			  opt);
}

/* Lua runs finalizers with hooks off: no budget could stop one. */
static double g_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		int t = lua_rawget(L, 2);
		lua_pop(L, 1);
		if (t != LUA_TNIL)
			return luaL_error(
			    L, "setmetatable: __gc metamethods are not allowed in the "
			       "sandbox (finalizers run outside the instruction budget)");
	}
	return 1;
}

struct guarded {
	const char *lib; /* NULL for the base library */
	const char *name;
	guard_fn guard;
	const char *what; /* said when the guard's charge exceeds the budget */
};

static const struct guarded guarded[] = {
    {LUA_STRLIBNAME, "find", g_find, "string.find: a pattern's worst-case backtracking"},
    {LUA_STRLIBNAME, "match", g_match, "string.match: a pattern's worst-case backtracking"},
    {LUA_STRLIBNAME, "gmatch", g_gmatch, "string.gmatch: a pattern's worst-case backtracking"},
    {LUA_STRLIBNAME, "gsub", g_gsub, "string.gsub: a pattern's worst-case backtracking"},
    {LUA_STRLIBNAME, "rep", g_rep, "string.rep: one unit per repetition"},
    {LUA_STRLIBNAME, "byte", g_slice, "string.byte: one unit per byte"},
    {LUA_STRLIBNAME, "pack", g_first_len, "string.pack: one unit per format byte"},
    {LUA_STRLIBNAME, "unpack", g_first_len, "string.unpack: one unit per format byte"},
    {LUA_STRLIBNAME, "packsize", g_first_len, "string.packsize: one unit per format byte"},
    {LUA_TABLIBNAME, "insert", g_insert_remove, "table.insert: one unit per element"},
    {LUA_TABLIBNAME, "remove", g_insert_remove, "table.remove: one unit per element"},
    {LUA_TABLIBNAME, "move", g_move, "table.move: one unit per element"},
    {LUA_TABLIBNAME, "concat", g_concat, "table.concat: one unit per element"},
    {LUA_TABLIBNAME, "unpack", g_unpack, "table.unpack: one unit per element"},
    {LUA_TABLIBNAME, "sort", g_sort, "table.sort: n log n units"},
    {LUA_UTF8LIBNAME, "len", g_first_len, "utf8.len: one unit per byte"},
    {LUA_UTF8LIBNAME, "codepoint", g_slice, "utf8.codepoint: one unit per byte"},
    {LUA_UTF8LIBNAME, "offset", g_first_len, "utf8.offset: one unit per byte"},
    {NULL, "tonumber", g_first_len, "tonumber: one unit per byte"},
    {NULL, "load", g_first_len, "load: one unit per byte of the chunk"},
    {NULL, "collectgarbage", g_collectgarbage, "collectgarbage: the heap's size / 16"},
    {NULL, "setmetatable", g_setmetatable, NULL},
};

/* The guarded function runs in this closure's own frame (its C function is
 * called directly, not through lua_call), so its argument errors name it
 * and the script's line as if it had been called from the script. This
 * needs functions without upvalues, which wrap_guarded checks. */
static int guarded_call(lua_State *L)
{
	const struct guarded *g = &guarded[lua_tointeger(L, lua_upvalueindex(2))];
	lua_CFunction f = lua_tocfunction(L, lua_upvalueindex(1));
	box_charge(L, sat_u64(g->guard(L)), g->what);
	return f(L);
}

static void wrap_guarded(lua_State *L)
{
	for (size_t i = 0; i < sizeof guarded / sizeof *guarded; i++) {
		const struct guarded *g = &guarded[i];
		if (g->lib)
			lua_getglobal(L, g->lib);
		else
			lua_pushglobaltable(L);
		lua_getfield(L, -1, g->name);
		if (!lua_tocfunction(L, -1) || lua_getupvalue(L, -1, 1))
			luaL_error(L, "sandbox: %s.%s is not a plain C function in this Lua",
				   g->lib ? g->lib : "_G", g->name);
		lua_pushinteger(L, (lua_Integer)i);
		lua_pushcclosure(L, guarded_call, 2);
		lua_setfield(L, -2, g->name);
		lua_pop(L, 1);
	}
}

/* --- opening ---------------------------------------------------------------------- */

static int open_libs(lua_State *L)
{
	static const luaL_Reg libs[] = {
	    {LUA_GNAME, luaopen_base},	     {LUA_STRLIBNAME, luaopen_string},
	    {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
	    {LUA_UTF8LIBNAME, luaopen_utf8},
	};
	for (size_t i = 0; i < sizeof libs / sizeof *libs; i++) {
		luaL_requiref(L, libs[i].name, libs[i].func, 1);
		lua_pop(L, 1);
	}
	/* Files, and output that would mix with the simulator's own. */
	static const char *const gone[] = {"dofile", "loadfile", "print", "warn", NULL};
	static const char *const gone_string[] = {"dump", NULL};
	box_hide(L, NULL, gone);
	box_hide(L, LUA_STRLIBNAME, gone_string);
	wrap_guarded(L);
	lua_pushcfunction(L, sb_pcall);
	lua_setglobal(L, "pcall");
	lua_pushcfunction(L, sb_xpcall);
	lua_setglobal(L, "xpcall");
	box_wrap(L, NULL, "load", sb_load);
	return 0;
}

int box_new(box **out, const struct box_config *cfg, err *e)
{
	*out = NULL;
	box *b = calloc(1, sizeof *b);
	if (!b || !(b->path = strdup(cfg->path))) {
		free(b);
		return err_set(e, "out of memory");
	}
	b->owner = cfg->owner;
	b->budget = cfg->budget;
	b->heap_cap = cfg->heap_cap;
	b->L = lua_newstate(box_alloc, b);
	if (!b->L) {
		err_set(e, "%s: cannot create a Lua state within %zu bytes", b->path, b->heap_cap);
		box_free(b);
		return -1;
	}
	lua_pushcfunction(b->L, open_libs);
	if (box_call(b, 0, 0, e) < 0) {
		box_free(b);
		return -1;
	}
	*out = b;
	return 0;
}

void box_free(box *b)
{
	if (!b)
		return;
	if (b->L)
		lua_close(b->L); /* no finalizers: setmetatable refuses __gc */
	free(b->path);
	free(b->src);
	free(b);
}
