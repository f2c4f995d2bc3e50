/*
 * box — a sandboxed Lua state for the scripts a user hands migsim: workload
 * scripts (wl.c) and experiment files (sweep.c). It owns what makes running
 * someone else's Lua safe and bounded:
 *   - the library set: base, string, table, math, utf8, without files,
 *     output, package loading, debug, coroutines or binary chunks;
 *   - a heap cap, enforced by the allocator;
 *   - an instruction budget per call, enforced by a count hook, to which the
 *     C work a call causes is charged too: Lua memory allocated, and an upper
 *     bound of the work of every library function whose cost the hook cannot
 *     see (patterns, string.rep, table.move, collectgarbage, ...);
 *   - finalizers refused (Lua runs them with hooks off, beyond any budget);
 *   - stops that the script's own pcall cannot swallow.
 * See docs/lua-api.md, "The sandbox", for what a script sees.
 *
 * Built with -DMIGSIM_GC_STRESS (make check-gc-stress), every allocation
 * of a new Lua object first fails, so Lua runs a full emergency collection
 * before retrying it: a collection at every new string, table, closure or
 * userdata, which frees at once any Lua value that C holds without
 * anchoring it.
 */
#ifndef MIGSIM_BOX_H
#define MIGSIM_BOX_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct box box;

struct box_config {
	const char *path; /* the script's file: messages name it */
	uint64_t budget;  /* Lua VM instructions (and charged C work) per call */
	size_t heap_cap;  /* bytes of Lua heap */
	void *owner;	  /* what box_owner() returns inside calls */
};

/* Creates the state and opens the sandboxed libraries. */
int box_new(box **out, const struct box_config *cfg, err *e);
void box_free(box *b);

lua_State *box_lua(const box *b);
/* The owner given at creation, from inside a call. */
void *box_owner(lua_State *L);

/* Calls the function below nargs arguments on the stack in protected mode,
 * with a fresh budget. On error, e holds one line naming the file (and the
 * line where there is one) and the stack is as lua_pcall leaves it less the
 * error object. */
int box_call(box *b, int nargs, int nres, err *e);

/* Loads the box's file as a text chunk and pushes it (inside a call). */
void box_load_file(lua_State *L);

/* Counts n units of C work (one unit is about one VM instruction) against
 * the call's budget; raises the budget stop when it runs out. `what`, when
 * not NULL, is said in the message. */
void box_charge(lua_State *L, uint64_t n, const char *what);

/* Raises msg, prefixed with the script's current line, as a stop that the
 * sandbox's pcall cannot catch (a failing guest: the machine, not the
 * script, is in question). */
int box_stop(lua_State *L, const char *msg);

/* Removes the NULL-terminated names from table (the global table when
 * NULL): what a kind of script must not reach. */
void box_hide(lua_State *L, const char *table, const char *const *names);

/* Replaces t.name (t the global table when NULL) by a C closure of f with
 * the original as its one upvalue. */
void box_wrap(lua_State *L, const char *table, const char *name, lua_CFunction f);

#endif
