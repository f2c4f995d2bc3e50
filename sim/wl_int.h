/*
 * wl_int — what the two halves of the Lua host share: wl.c (the sandboxed
 * state, loading, parameters, regions, calls with their budget) and wl_mem.c
 * (the `mem` object and the memory primitives scripts call, the units
 * helpers, the Zipf sampler). Nothing outside sim/wl*.c includes this except
 * the unit tests, which test the Zipf sampler directly.
 */
#ifndef MIGSIM_WL_INT_H
#define MIGSIM_WL_INT_H

#include <lua.h>

#include "rng.h"
#include "wl.h"

#define WL_DEFAULT_BUDGET 100000000ULL /* VM instructions per call */
#define WL_DEFAULT_HEAP	  (64u << 20)  /* bytes of Lua heap */

/* Zipf(s) over ranks 0..n-1 (rank 0 the most likely), drawn in O(1) by
 * rejection-inversion (Hörmann & Derflinger 1996), with no per-n tables. */
struct wl_zipf {
	uint64_t n;
	double s, h_x1, h_n, accept;
};

void wl_zipf_init(struct wl_zipf *z, uint64_t n, double s);
uint64_t wl_zipf_draw(const struct wl_zipf *z, rng *r);

/* A region as the script declared it, laid out in guest RAM. */
struct wl_region {
	char *name;
	uint64_t first_page; /* in guest RAM */
	uint64_t pages;
	uint64_t size; /* bytes as declared (pages * page_size after rounding up) */
};

struct wl_param {
	char *name;
	char *str; /* NULL for a number */
	double num;
};

/* Why a call must stop whatever the script does: the sandbox's pcall and
 * xpcall re-raise while this is set, so a script cannot swallow it. */
enum wl_stop { WL_RUNNING = 0, WL_BUDGET, WL_HEAP, WL_GUEST };

struct wl {
	lua_State *L;
	char *path;
	char *src;	  /* the chunk's name as Lua prints it in messages */
	char *step_where; /* "FILE:LINE" of the step function */
	char *name, *desc, *params_json;
	struct wl_param *params;
	size_t n_params;
	struct wl_region *regions;
	size_t n_regions;
	uint64_t footprint, ram_bytes;
	uint32_t page_size;

	rng rng;	      /* the workload's stream: every primitive's randomness */
	lua_Integer mseed[2]; /* what math.randomseed() without arguments reuses */
	guest *g;	      /* the guest of the call in progress */
	int64_t now;	      /* simulated time of the call in progress */

	uint64_t budget, instr_left;
	int armed; /* instructions the count hook was last armed for */
	size_t heap_cap, heap_used;
	enum wl_stop stop;
	char stop_msg[512];  /* the first reason the call stopped */
	guest *checked;	     /* the last guest whose geometry was checked */
	struct wl_zipf zipf; /* the last sampler built: most calls reuse it */

	int step_ref, init_ref, mem_ref, p_ref;
};

/* The wl owning a state: it is the allocator's userdata. */
static inline wl *wl_self(lua_State *L)
{
	void *ud;
	lua_getallocf(L, &ud);
	return ud;
}

/* Pushes the `mem` object for w's regions (built once per wl). */
void wl_mem_push(lua_State *L, wl *w);
/* Sets the globals size, duration, rate, us, ms, sec, page_size. */
void wl_units_open(lua_State *L);
/* Raises a guest failure as a Lua error that the sandbox's pcall cannot
 * catch (the guest's state, not the script, is in question). */
int wl_guest_error(lua_State *L, const err *e);
/* Counts n units of C work (pages, elements) against the call's budget, so
 * one primitive call cannot run away either. */
void wl_charge(lua_State *L, wl *w, uint64_t n);
/* Pushes x as an integer when it is one, so values print and index alike. */
void wl_push_number(lua_State *L, double x);

#endif
