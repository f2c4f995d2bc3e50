/*
 * wl_int — what the two halves of the Lua host share: wl.c (loading the
 * script into box.c's sandboxed state, parameters, regions, calls) and wl_mem.c
 * (the `mem` object and the memory primitives scripts call, the units
 * helpers, the Zipf sampler). Nothing outside sim/wl*.c includes this except
 * the unit tests, which test the Zipf sampler directly.
 */
#ifndef MIGSIM_WL_INT_H
#define MIGSIM_WL_INT_H

#include <lua.h>

#include "box.h"
#include "layout.h"
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

/* A region as the script declared it, laid out in guest RAM (sim/layout.h):
 * one extent when RAM had room in one piece. */
struct wl_region {
	char *name;
	uint64_t pages;
	uint64_t size; /* bytes as declared (pages * page_size after rounding up) */
	double at;     /* where it asked to be, a fraction of RAM; < 0: anywhere */
	struct layout_extent *ext;
	size_t n_ext;
};

struct wl_param {
	char *name;
	char *str; /* NULL for a number */
	double num;
};

struct wl {
	box *box;     /* the sandboxed state */
	lua_State *L; /* box's */
	char *path;
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
	guest *g;	      /* the guest of the call in progress, else NULL */
	journal *jr;	      /* the call's writes, applied by the caller (sim/journal.h) */
	int reads_bytes;      /* r:bytes was called */
	int64_t now;	      /* simulated time of the call in progress */

	struct disk_set *disks; /* the machine's disks (sim/disk.h); NULL: none */

	layout *layout;	 /* where regions are placed: the caller's, or own_layout */
	int defer_place; /* the caller places the regions (wl_place) */
	layout *own_layout;
	guest *checked;	     /* the last guest whose geometry was checked */
	struct wl_zipf zipf; /* the last sampler built: most calls reuse it */

	int step_ref, init_ref, mem_ref, p_ref;
};

/* The wl owning a state. */
static inline wl *wl_self(lua_State *L)
{
	return box_owner(L);
}

/* Pushes the `mem` object for w's regions (built once per wl). */
void wl_mem_push(lua_State *L, wl *w);
/* Sets the globals size, duration, rate, us, ms, sec, page_size. */
void wl_units_open(lua_State *L);
/* Pushes x as an integer when it is one, so values print and index alike. */
void wl_push_number(lua_State *L, double x);

#endif
