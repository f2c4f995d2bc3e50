/*
 * mig_int — what the migration thread (mig.c) and its post-copy phase
 * (postcopy.c) share: the thread's state and the few helpers both use.
 * Private to those two files.
 */
#ifndef MIGSIM_MIG_INT_H
#define MIGSIM_MIG_INT_H

#include <stdint.h>

#include "mig.h"
#include "pcache.h"
#include "sat.h"

#define MS ((int64_t)1000000)
#define BUFFER_DELAY (100 * MS) /* QEMU's rate-limit and bandwidth window */
#define MAX_WAIT (50 * MS)      /* longest ram_save_iterate */
#define RATE_PERIOD (1000 * MS) /* dirty-rate (and throttle) period */
#define FORCED_SYNC (5000 * MS) /* auto-converge's sync timer (QEMU 9.2+) */
#define BLOCK_NAME "pc.ram"

/* Wire bytes of QEMU's stream that are not pages (migration/ram.c, savevm.c). */
#define HDR_BYTES 8            /* be64 offset|flags in front of every page */
#define XBZRLE_HDR_BYTES 3     /* encoding flag and be16 length of an XBZRLE page */
#define EOS_BYTES 8            /* end of each RAM section */
#define FILE_HEADER_BYTES 8    /* magic and version */
#define SETUP_RAM_BYTES (8 + 1 + (sizeof BLOCK_NAME - 1) + 8 + EOS_BYTES)

/* QEMUFile's output queue (migration/qemu-file.c): bytes put are copied
 * into a buffer of IO_BUF_SIZE, a normal page is queued from guest memory
 * as an iovec entry of its own, and the queue is written out (qemu_fflush)
 * when the buffer is full, when MAX_IOV_SIZE entries are queued, or when a
 * caller flushes. */
#define QF_BUF_SIZE 32768
#define QF_MAX_IOV  64

struct qemufile {
	uint64_t queued;    /* bytes put since the last flush */
	unsigned iovcnt;
	unsigned buf_index; /* bytes of the buffer in use */
	int tail_in_buf;    /* the last entry is in the buffer: bytes put next extend it */
};

/* The counters the time series samples, as a step of the thread began. */
struct mig_point {
	int64_t t;
	uint64_t transferred, dirty_pages;
};

struct mig_progress {
	struct mig_point *at;
	size_t head, n, cap; /* at[head..n) are still to be sampled */
};

/* ST_STREAM: the RAM is there; the disks' stream goes on (sim/storage.h). */
enum state {
	ST_SETUP,
	ST_LOOP,
	ST_ITERATE,
	ST_RATE_LIMIT,
	ST_COMPLETE,
	ST_FINAL,
	ST_FINISH,
	ST_STREAM
};

struct mig {
	struct mig_config cfg;
	struct mig_params p;
	guest *src, *dst;
	struct link *link;
	struct vcpu *cpu;
	uint64_t npages;
	uint32_t ps;
	uint64_t *bitmap; /* pages to send: QEMU's RAMBlock bmap */
	size_t nwords;
	/* Chunks of 2^clear_shift pages whose dirty log the last sync left to
	 * be cleared before their first page is sent: the RAMBlock's clear_bmap.
	 * NULL when clear-bitmap-shift is off (each sync clears the log). */
	uint64_t *clear_bmap;
	size_t clear_words;
	unsigned clear_shift;
	uint64_t dirty_pages;
	uint64_t scan;      /* where the search for the next dirty page resumes */
	int complete_round; /* the scan has wrapped once: the first pass is over */
	int block_sent;
	int last_stage;     /* completion: the XBZRLE cache is no longer updated */
	uint8_t *scratch;
	pcache *cache;      /* XBZRLE page cache; NULL without the capability */
	uint8_t *delta;     /* one encoded page */
	uint64_t xbzrle_unchanged; /* hits found unchanged: sent as nothing, 0 target pages */
	struct qemufile qf;        /* the main channel's queue; st.transferred counts its flushes */
	uint64_t target_pages_prev, cache_miss_prev, xbzrle_pages_prev, xbzrle_bytes_prev;

	enum state state;
	int64_t t;
	enum mig_status status;
	enum mig_phase phase;
	char error[512];

	int rate_limited;
	double rate_limit_max;      /* bytes per 100 ms window */
	int64_t sleep_from, sleep_until; /* the last wait for the window's end */
	int64_t iter_start;         /* current bandwidth/rate window */
	uint64_t iter_bytes;        /* transferred when it opened */
	uint64_t iter_pages;
	int64_t save_start;         /* current ram_save_iterate */
	uint64_t save_pages;        /* its ram_find_and_save_block calls that sent something */
	int finding;                /* one of them goes on past a page XBZRLE found unchanged */
	int64_t time_last_sync;     /* dirty-rate period */
	uint64_t period_dirty;
	uint64_t bytes_xfer_prev;   /* transferred when the period opened */
	int dirty_rate_high_cnt;    /* auto-converge: high periods seen */
	int64_t next_forced_sync;   /* auto-converge: next tick of the sync timer */
	uint64_t sync_at_last_tick;
	uint64_t dirty_bytes_last_sync;
	int64_t downtime_start;
	int downtime_set;           /* QEMU's s->downtime is non-zero: final */
	int64_t last_write;         /* the completion stage's last write to the socket */

	struct mig_stats st;
	struct mig_progress progress; /* post-copy's steps, for the samples */
	struct mig_pass *passes;
	size_t npasses, cap_passes;

	/* post-copy (postcopy.c) */
	uint64_t pending_prev;      /* when-stuck: pending after the previous sync */
	int stuck_syncs;            /* consecutive syncs without 10 % progress */
	int64_t *arrival;           /* per page: when it reaches the destination, as
	                               scheduled when sent (see link_arrival_of) */
	uint64_t *in_flight;        /* bitmap: sent in post-copy, not delivered yet */
	int64_t resume;             /* the guest runs on the destination from here */
	int preempt_block_sent;     /* the preempt channel has named the RAM block */
	int64_t urgent_arrival;     /* when its last preempt-channel bytes arrive */

	struct multifd *mf;         /* multifd's channels (multifd.c); NULL without */
};


/* Takes the page off the bitmap of pages to send. */
void mig_bitmap_clear(mig *m, uint64_t page);
int mig_bitmap_test(const mig *m, uint64_t page);
/* Puts bytes on the main channel at the thread's clock and flushes it: a
 * record QEMU follows with qemu_fflush (setup, end of section, device
 * state, post-copy commands). */
void mig_send_bytes(mig *m, uint64_t bytes);
/* migration_bitmap_sync. */
int mig_bitmap_sync(mig *m);
/* Wire bytes of a page record's header (the block name goes with the first). */
uint64_t mig_page_header(mig *m);
int mig_fail(mig *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* migration_downtime_end: QEMU's downtime ends at `now`, unless set already. */
void mig_downtime_end(mig *m, int64_t now);
/* Runs the thread on to `limit` from inside the simulation's present (a
 * post-copy fault at a later time than the event being run), short of its
 * end: the background stream keeps sending while a vCPU waits. */
int mig_run_ahead(mig *m, int64_t limit, err *e);
/* Sends a requested page, which reached the source at `at`, on the main
 * stream next, at the thread's clock. */
int mig_serve_request(mig *m, uint64_t page, int64_t at, err *e);
/* When the migration gives up (the timeout); INT64_MAX for never. */
int64_t mig_deadline(const mig *m);

/* The guest runs on the destination's disks from t (sim/storage.h). */
int mig_storage_cutover(mig *m, int64_t t, err *e);
/* When every byte this migration queued so far has arrived: its main
 * channel's, its multifd channels', its disks' connection's and its preempt
 * channel's, not other migrations' on a shared link. */
int64_t mig_arrival(const mig *m);

/* postcopy.c */
int postcopy_due(mig *m);                 /* the switch-over rule fires now */
void postcopy_note_sync(mig *m);          /* feeds the when-stuck test */
int postcopy_start(mig *m, err *e);
/* A page the background stream sent in post-copy: on its way, not yet there. */
void postcopy_in_flight(mig *m, uint64_t page);
/* Pages the destination does not have at time t: not sent, or arriving later. */
uint64_t postcopy_undelivered(const mig *m, int64_t t);
/* Delivers what is still in flight and checks the destination. */
int postcopy_finish(mig *m, err *e);
void postcopy_free(mig *m);

/* multifd.c (multifd.h has what the rest of migsim sees) */
int multifd_init(mig *m, err *e);
void multifd_free(mig *m);
/* The pre-copy pages go to the channels (not in post-copy). */
int multifd_active(const mig *m);
/* Counts the channels' finished writes in transferred and multifd-bytes. */
void multifd_account(mig *m);
int multifd_setup(mig *m, err *e);
int multifd_queue_page(mig *m, uint64_t page, err *e);
int multifd_flush_and_sync(mig *m, err *e);
int64_t multifd_arrival(const mig *m); /* the channels' bytes: mig_arrival */

#endif
