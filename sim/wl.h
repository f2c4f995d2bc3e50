/*
 * wl — the Lua host that runs workload scripts. A script returns a table:
 *   name, description, params (defaults, overridable with --wl-param),
 *   regions (the memory it allocates, calloc-like: zero until written),
 *   optional init(mem, p) run once before the first step, and step(mem, p),
 *   one iteration of the guest program, which returns its duration and,
 *   optionally, the CPU time it computed of it.
 * Memory primitives (increment at a stride, random bytes, page rewrites, reads,
 * copies, uniform and Zipf page picks) run in C over whole ranges; see
 * docs/lua-api.md. Scripts run sandboxed: no io, os, package loading, or
 * debug; an instruction budget per call and a cap on the Lua heap. Errors
 * name the script's file and line.
 *
 * One wl drives one guest at a time; the guest is passed to each call so that
 * after a post-copy switch-over the same program runs on the destination.
 */
#ifndef MIGSIM_WL_H
#define MIGSIM_WL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "guest.h"
#include "journal.h"
#include "layout.h"

typedef struct wl wl;

struct wl_override {
	const char *name;
	const char *value; /* as typed; parsed by the parameter's default's type */
};

struct wl_config {
	const char *path;
	const struct wl_override *params;
	size_t n_params;
	uint64_t seed;
	uint64_t ram_bytes; /* the guest's RAM: regions must fit in it */
	uint32_t page_size;
	uint64_t instr_budget; /* Lua VM instructions per call; 0 = the default */
	size_t heap_cap;       /* bytes of Lua heap; 0 = the default */
	/* The caller places the regions (wl_place), in a layout shared by the
	 * programs of one guest (its OS profile first, then its workload);
	 * otherwise wl_open packs them from page 0 of RAM of their own. */
	int place_later;
	const char *stream; /* the random stream's name; NULL: "workload" */
};

/* Loads and checks the script, resolves parameters, lays out regions
 * (unless cfg->place_later). */
int wl_open(wl **out, const struct wl_config *cfg, err *e);
/* Gives the regions their extents from l (sim/layout.h): each where it asks
 * to be (its `at`), the others in the lowest free pages. NULL: a RAM of
 * their own. -1 with e filled when they do not fit, giving the sizes. */
int wl_place(wl *w, layout *l, err *e);
void wl_free(wl *w);

const char *wl_name(const wl *w);
const char *wl_description(const wl *w);
/* Resolved parameters, sorted by name, as a JSON object. */
const char *wl_params_json(const wl *w);
/* Bytes of guest RAM the regions occupy. */
uint64_t wl_footprint(const wl *w);

/* Runs init (if the script has one) against g: its writes are applied. */
int wl_init(wl *w, guest *g, err *e);
/* Runs one step against g at simulated time now_ns. Its writes are recorded
 * in wl_journal(w), not applied: the caller spreads them over the step's
 * time and applies them (sim/journal.h); everything an earlier step
 * recorded must have been applied first. *cost_ns is the step's
 * duration on an unthrottled vCPU (> 0): the time until the next step.
 * *cpu_ns (when cpu_ns is not NULL) is the part of it the vCPU computes,
 * the rest it is halted (0..*cost_ns; the whole duration unless the step
 * says otherwise). */
int wl_step(wl *w, guest *g, int64_t now_ns, int64_t *cost_ns, int64_t *cpu_ns, err *e);
journal *wl_journal(wl *w);
/* The disks the script's disk primitives reach (sim/disk.h): the machine's
 * set, which the storage migration points at the destination's disks at
 * cut-over. NULL (the default): no disk. */
struct disk_set;
void wl_set_disks(wl *w, struct disk_set *disks);
/* 1 once the script has read bytes back (r:bytes): its steps may depend on
 * what memory holds. */
int wl_reads_bytes(const wl *w);

/* Reads a script's name and description without running it further (for
 * `migsim workloads`). */
int wl_describe(const char *path, char *name, size_t name_len, char *desc, size_t desc_len, err *e);

#endif
