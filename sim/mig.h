/*
 * mig — the migration thread of QEMU's RAM migration, run against a simulated
 * link: setup, pre-copy passes over the dirty bitmap with QEMU's rate limit,
 * bandwidth estimate and switch-over rule, and the stop-and-copy completion.
 * Pages are read from the source guest's real bytes, tested for zero, sent
 * with QEMU's wire sizes and installed on the destination guest, which is
 * compared with the source when the migration completes.
 *
 * The thread is a state machine with its own clock: mig_advance() runs it
 * until its clock reaches `limit` (the time of the next guest event), so that
 * every page is read with the guest's memory exactly as it is at the moment
 * the page is sent. ../shared/reference/qemu-migration.md §1-2 is the model;
 * docs/model.md lists where migsim simplifies it.
 */
#ifndef MIGSIM_MIG_H
#define MIGSIM_MIG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "guest.h"
#include "link.h"
#include "multifd.h"
#include "params.h"
#include "vcpu.h"

enum mig_mode { MIG_MODE_PRECOPY, MIG_MODE_STOP_AND_COPY };
enum mig_phase {
	MIG_PHASE_SETUP,
	MIG_PHASE_ACTIVE,
	MIG_PHASE_STOPPED,
	MIG_PHASE_POSTCOPY,
	MIG_PHASE_DONE
};
enum mig_status { MIG_STATUS_ACTIVE, MIG_STATUS_COMPLETED, MIG_STATUS_FAILED };

/* When pre-copy hands over to post-copy (with the postcopy-ram capability). */
enum postcopy_rule {
	POSTCOPY_NEVER,
	POSTCOPY_IMMEDIATELY,  /* before any pre-copy pass */
	POSTCOPY_AFTER_PASSES, /* once `passes` pre-copy passes are done */
	POSTCOPY_AFTER_TIME,   /* once `after` ns of migration have passed */
	POSTCOPY_WHEN_STUCK,   /* pre-copy stopped converging (docs/model.md) */
};

struct postcopy_policy {
	enum postcopy_rule rule;
	unsigned passes;
	int64_t after;
};

/* Parses --postcopy: immediately, after-first-pass, after-passes=N,
 * after=DURATION, when-stuck. */
int postcopy_parse(const char *s, struct postcopy_policy *out, err *e);
/* The rule as the user writes it, into buf. */
char *postcopy_format(const struct postcopy_policy *pp, char *buf, size_t n);

struct storage; /* sim/storage.h */

struct mig_config {
	const struct mig_params *params;
	unsigned caps; /* enum mig_cap bits */
	enum mig_mode mode;
	int64_t start;			 /* simulated time the migrate command is issued */
	int64_t timeout;		 /* ns after start; 0 = none */
	struct postcopy_policy postcopy; /* used only with CAP_POSTCOPY_RAM */
	struct storage *storage;	 /* the disks' migration; NULL: shared storage */
	int sock; /* the main channel's socket on the link: LINK_MAIN, or one of
		     its own where other VMs' migrations share the link */
};

/* One pass: the pages sent between two bitmap syncs. */
struct mig_pass {
	uint64_t sync;	    /* dirty-sync-count during this pass */
	int64_t start, end; /* ns since the migration began */
	uint64_t dirty;	    /* pages pending when the pass began */
	uint64_t pages;	    /* pages sent (zero and normal) */
	uint64_t bytes;	    /* wire bytes sent */
};

/* query-migrate's xbzrle-cache object. */
struct mig_xbzrle {
	uint64_t cache_size; /* bytes */
	uint64_t bytes;	     /* encoded bytes (record minus its 8-byte header; 4096 per overflow) */
	uint64_t pages;	     /* cache hits, including unchanged and overflowed pages */
	uint64_t cache_miss;
	double cache_miss_rate; /* misses per target page sent, last >= 1 s period that sent one */
	double encoding_rate;	/* unencoded / encoded bytes, the same period */
	uint64_t overflow;
};

/* Counters under query-migrate's names (units in comments). */
struct mig_stats {
	/* downtime is QEMU's (migration_downtime_end): the source's stop to the
	 * end of its completion stage (sim/mig.c, mig_downtime_end). */
	int64_t setup_time, total_time, downtime, expected_downtime; /* ns */
	int64_t guest_pause; /* ns: the source's stop to the vCPUs running on the destination */
	int64_t thread_cpu;  /* ns of CPU the migration thread computed (sim/host.h) */
	/* Where the stop's time went, in ns from it: stop_ram when its RAM was
	 * written (the final sync's pages; post-copy: the sync and the discard
	 * list), stop_written at its last write (with the device state; post-copy:
	 * the package). The guest's pause goes on while the socket drains. */
	int64_t stop_ram, stop_written;
	enum mig_phase ended_in;    /* STOPPED: completed in pre-copy (or stop-and-copy);
				       POSTCOPY; or the phase it failed in */
	int downtime_to_completion; /* post-copy: QEMU measured downtime at completion */
	uint64_t transferred, remaining, total;			/* bytes */
	uint64_t duplicate, normal, normal_bytes;		/* pages, pages, bytes */
	uint64_t precopy_bytes, downtime_bytes, postcopy_bytes; /* bytes */
	uint64_t dirty_sync_count;
	double dirty_pages_rate; /* pages/s over the last >= 1 s sync period */
	double mbps;		 /* Mbit/s: last 100 ms window; overall once completed */
	double pages_per_second;
	uint64_t page_size;
	uint64_t pages_handled; /* every page taken off the bitmap */
	/* Of the pages sent, those whose bytes migsim read (stored pages, and
	 * any page XBZRLE encoded); the others were answered from the page's
	 * metadata (its kind) without touching a byte. A figure of migsim's own
	 * work (sim_bench), not of the migration modelled. */
	uint64_t pages_read;
	struct mig_xbzrle xbzrle;
	uint64_t multifd_bytes;	    /* bytes the multifd channels wrote (in transferred) */
	struct mig_multifd multifd; /* migsim's figures of the channels */
	uint64_t postcopy_requests;
	int64_t postcopy_blocktime;  /* ns the vCPU waited for missing pages */
	int64_t early_blocktime;     /* of which in the first second after resume */
	int64_t switchover;	     /* ns since start: the guest stopped on the source */
	int64_t risk_window;	     /* ns from switch-over to the last page's arrival */
	int cpu_throttle_percentage; /* auto-converge: throttle at switch-over */
	int max_throttle_pct;	     /* highest throttle during the migration */
	double bandwidth;	     /* bytes/s, last measured (QEMU's estimate) */
	uint64_t threshold;	     /* bytes: switch-over when pending is below */
};

typedef struct mig mig;

/* The destination's share of the guest's pause at the switch to post-copy,
 * from the package's arrival to the vCPUs running: a fixed part, then per
 * discard range and per page the destination held and must discard
 * (docs/model.md, "The switch to post-copy"). */
int64_t postcopy_switch_cost(int64_t fixed, uint64_t ranges, uint64_t held, uint32_t page_size);

/* Auto-converge's next throttle (mig_throttle_guest_down): from `now` % (0 =
 * not throttling), given the bytes dirtied in the period and the threshold
 * they exceeded. The first trigger gives cpu-throttle-initial, each further
 * one adds cpu-throttle-increment (less with tailslow), at most
 * max-cpu-throttle, always within 1..99. */
int mig_throttle_next(const struct mig_params *p, int now, double dirty, double threshold);

int mig_new(mig **out, const struct mig_config *cfg, guest *src, guest *dst, struct link *l,
	    struct vcpu *cpu, err *e);
void mig_free(mig *m);

/* Runs the thread until its clock reaches limit or the migration ends. */
int mig_advance(mig *m, int64_t limit, err *e);
/* The thread's own clock. */
int64_t mig_clock(const mig *m);
/* When the thread must run next: its clock, or the deadline (the timeout,
 * in any phase) if that comes first (the thread may have slept past it). */
int64_t mig_next_event(const mig *m);

/* The management layer's migrate_cancel at time `at` (the thread's clock if
 * later): the migration ends failed there, "cancelled: why", the guest left
 * on the source. QEMU refuses it once post-copy has begun: 0 then, and
 * nothing changes; 1 when cancelled. */
int mig_cancel(mig *m, int64_t at, const char *why);

enum mig_status mig_status(const mig *m);
enum mig_phase mig_phase(const mig *m);
/* Why the migration failed (empty when it did not). */
const char *mig_error(const mig *m);
/* The counters now (`remaining` as of the thread's clock). */
void mig_get_stats(const mig *m, struct mig_stats *out);
/* The counters the time series samples (transferred, remaining) as they
 * were at time t, which may be before the thread's clock: post-copy's
 * faults run it ahead of the simulation. Calls must come in time order. */
void mig_get_stats_at(mig *m, int64_t t, struct mig_stats *out);
const struct mig_pass *mig_passes(const mig *m, size_t *n);
/* Ends the run at `at` (the simulation's present), failed for `why`: an
 * injected failure (sim/run.c). */
void mig_fail_at(mig *m, int64_t at, const char *why);

#endif
