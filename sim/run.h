/*
 * run — one simulated migration from start to verdict: builds the source and
 * destination guests, the workload, the vCPU, the link and the migration
 * thread, runs the workload for a warm-up, migrates, samples the time series
 * every 100 ms of simulated time, and measures the guest's progress against
 * an unmigrated run of the same workload and seed. A run is a pure function
 * of its configuration: nothing here reads the clock or an unseeded source.
 */
#ifndef MIGSIM_RUN_H
#define MIGSIM_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mig.h"
#include "params.h"
#include "storage.h"
#include "store.h"
#include "wl.h"

#define RUN_GUEST_MAX	  512
#define RUN_DEFAULT_GUEST "server"

/* The script of guest profile `name`: 0 for a bundled one's name, 1 when
 * name is a script's path itself, -1 when it is too long. */
int run_guest_path(const char *name, char *out, size_t n);

struct run_config {
	const char *workload_path;
	/* The guest OS under the workload: "bare" (nothing), a bundled profile's
	 * name (workloads/guests/NAME.lua) or a profile script's path. */
	char guest[RUN_GUEST_MAX];
	const struct wl_override *wl_params;
	size_t n_wl_params;
	uint64_t ram_bytes;
	uint32_t page_size;
	double bandwidth; /* bytes/s of the link */
	int64_t latency;  /* ns, one way */
	struct mig_params params;
	unsigned caps; /* in force: requested ones the sides that need them support */
	unsigned caps_requested;
	unsigned caps_src; /* what each side supports */
	unsigned caps_dst;
	/* The multifd-compression methods each side supports (caps_methods_all's
	 * bits); params.multifd_compression is the one requested, and
	 * run_multifd_compression the one in force. */
	unsigned methods_src, methods_dst;
	enum mig_mode mode;
	struct postcopy_policy postcopy; /* with the postcopy-ram capability */
	uint64_t seed;
	int64_t timeout; /* ns of migration before it is declared failed */
	int64_t warmup;	 /* ns the workload runs before the migration starts */

	struct storage_config storage; /* the guest's disks and how they move */
};

/* Defaults as `migsim run --help` documents them. */
void run_config_defaults(struct run_config *c);
/* Capability negotiation: the requested capabilities the source supports
 * and, unless only the source acts on them (xbzrle, auto-converge), the
 * destination too; postcopy-preempt goes with postcopy-ram. Returns the
 * requested capabilities left out (0 when none). */
unsigned run_negotiate_caps(struct run_config *c);
/* The multifd-compression method, negotiated on the capabilities in force:
 * with multifd, the requested method needs both sides (the destination
 * decodes it). NULL when the requested method is in force, else who lacks
 * it ("the source", "the destination", "the source and the destination"). */
const char *run_method_lacking(const struct run_config *c);
/* The method in force: the requested one, or none when a side lacks it. */
int run_multifd_compression(const struct run_config *c);

struct run_result {
	enum mig_status status; /* COMPLETED or FAILED */
	char error[512];	/* why it failed */
	struct mig_stats stats;
	struct mig_pass *passes;
	size_t n_passes;
	struct store_sample *series;
	size_t n_series;
	char *wl_name;
	char *wl_params_json;
	uint64_t guest_steps;	 /* steps started during the migration */
	uint64_t baseline_steps; /* the same span without a migration */
	uint64_t host_bytes;	 /* memory the source guest model held */
	/* For the notes on the run (sim/result.c), measured, not modelled: */
	double cpu_share; /* the steps' declared cpu over their cost (1: CPU-bound) */
	/* A pre-copy that failed to converge: of the pages the destination
	 * holds and the guest has changed since they were sent, how many
	 * were compared (a sample) and the mean bytes that differed. */
	uint64_t changed_pages;
	double changed_bytes;
	struct storage_stats storage; /* zeros without disks */
	/* An injected failure (--fail-source-at, --fail-link-at): what became
	 * of the guest, and what was lost. outcome is "" without one. */
	char outcome[64];
	uint64_t lost_pages, lost_clusters;
};

/* 0 when the simulation ran (the migration may still have failed: see
 * res->status); -1 with e filled when it could not (bad workload, script
 * error, out of memory). */
int run_execute(const struct run_config *c, struct run_result *res, err *e);
/* The same, calling watch(ctx, sample) with each sample of the time series
 * as it is taken (every 100 ms of simulated time at first): for a progress
 * display, which must leave the run as it is. */
typedef void (*run_watch_fn)(void *ctx, const struct store_sample *now);
int run_execute_watched(const struct run_config *c, struct run_result *res, run_watch_fn watch,
			void *ctx, err *e);
void run_result_free(struct run_result *res);

/* One VM's migration as a unit of which several can share one simulated
 * clock (sim/evac.c): its source machine (guest, OS profile, workload, vCPU)
 * with an event queue of its own, its destination, migration thread and time
 * series. The clock is the merge of the units' queues: the driver runs the
 * earliest event of any unit. run_execute is one unit alone. */
typedef struct run_unit run_unit;
/* When the next event of any machine on the clock is (INT64_MAX: none). */
typedef int64_t (*run_horizon_fn)(void *ctx);

/* Opens the unit of configuration c (copied; c->warmup is replaced when the
 * migration starts) with its workload running from time 0; res is filled
 * by run_unit_finish. *out is set even on failure: run_unit_free it. */
int run_unit_open(run_unit **out, const struct run_config *c, struct run_result *res, err *e);
void run_unit_watch(run_unit *u, run_watch_fn watch, void *ctx);
/* The time of the unit's earliest event (INT64_MAX: none). */
int64_t run_unit_next(const run_unit *u);
/* Runs the unit's events before `until`, stopping early when its migration
 * ends. */
int run_unit_run(run_unit *u, int64_t until, err *e);
/* Starts the migration at time `at` (>= the unit's clock) on `shared`, a
 * link other units' migrations also write to, its main channel on socket
 * `sock` there, or on a link of its own (c->bandwidth, c->latency) when
 * NULL (sock LINK_MAIN). horizon (NULL: the unit's own next event) bounds
 * how far the migration thread runs ahead. */
int run_unit_start(run_unit *u, int64_t at, struct link *shared, int sock, run_horizon_fn horizon,
		   void *ctx, err *e);
/* 1 while its migration has started and not ended. */
int run_unit_active(const run_unit *u);
const struct run_config *run_unit_config(const run_unit *u);
const mig *run_unit_mig(const run_unit *u); /* NULL before the start */
/* mig_cancel on its migration: 1 when cancelled (run_unit_finish then). */
int run_unit_cancel(run_unit *u, int64_t at, const char *why);
/* After its migration failed, with the guest still on the source: forgets
 * that migration (its result too), the guest running on from its end,
 * unthrottled, until run_unit_start migrates it again, a new migration with
 * a result of its own. Injected failures (storage_config) are not
 * scheduled again. */
int run_unit_reset(run_unit *u, err *e);
/* Bytes its disks' job has still to copy; 0 with shared storage. */
uint64_t run_unit_disk_remaining(const run_unit *u);
/* Before the start: the pages the guest has written since time 0. */
uint64_t run_unit_written_pages(const run_unit *u);
/* After its migration ended: fills the result (as run_execute does, with
 * the baseline) and releases the machine. On failure res is freed. */
int run_unit_finish(run_unit *u, err *e);
void run_unit_free(run_unit *u);
/* Steps the workload starts in [c->warmup, end) with no migration at all: a
 * run's baseline_steps, simulated from time 0. */
int run_unmigrated_steps(const struct run_config *c, int64_t end, uint64_t *steps, err *e);

#endif
