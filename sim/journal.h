/*
 * journal — a workload step's writes, recorded in program order and applied
 * to the guest over the simulated time the step takes.
 *
 * A real vCPU writes while it runs: the calloc loop's increments reach the
 * buffer one after another over the pass, interleaved with the migration
 * thread's reads. A step of a workload script is one call, though, and its
 * memory primitives (sim/wl_mem.c) all run inside it. So the primitives do
 * not touch the guest: they append operations here, and once the step has
 * returned its cost the vCPU (sim/vcpu.c) spreads them over the time it
 * computes (journal_schedule). The guest then receives each unit of an
 * operation (a byte of an increment, a page of anything else) at its own
 * time: as the migration's clock passes it when the migration is reading
 * that guest (journal_apply up to the migration's time), or all at once
 * otherwise, telling a post-copy fault handler each unit's time. An
 * increment's bytes in one page land together, at the first one's time: a
 * primitive writes a page once, as when the step is applied at once, since
 * each write gives the page a new version, which the bytes of a later
 * rewrite derive from (sim/guest.h).
 *
 * Time is shared out in program order by the pages each operation touches:
 * an operation on n pages of a step that touches N takes n/N of the step's
 * computing time, and its units are evenly spaced in it, the first at its
 * start. The order in which units reach the guest is the order the program
 * wrote them, so the bytes a page ends with are those of an immediate run.
 *
 * Later operations of a step may depend on earlier ones only through the
 * guest's bytes, which a script sees only by reading them (r:bytes): such a
 * read applies everything recorded so far at once (journal_flush), as does
 * a step whose recorded writes outgrow JOURNAL_MAX_BYTES of host memory.
 * Both are documented resolution limits: those writes land at the read.
 *
 * Increments are deferred further, to when somebody reads the page they
 * write (issue 23, "deferred writes"): applying a unit of an increment
 * hands it to the guest (guest_inc_defer, sim/guest.c), which keeps an
 * increment given again and again as one run, a count of its events (each
 * time it was due in full) and how far the event in progress is due. A page
 * takes its pending events, all at once, when anything reads or writes it:
 * the migration's zero test, send, XBZRLE encoding and compares, a
 * post-copy request, r:bytes, or another operation's unit on that page;
 * n events leave the bytes + n * delta and the version + n, as n
 * applications do, since increments commute with each other and every
 * other write settles the page first. A dirty-log sync logs the pages of
 * the units due since the last one from the run's ranges, not by applying
 * bytes; so does a clear under manual clearing, which decides whether a
 * later write is logged. The bytes of the page the migration last asked
 * for see the events that come due while it still reads them (its thread
 * charges CPU time while holding them, and with host-cpus 1 the vCPU
 * writes on meanwhile): that page is settled as each event comes. The
 * calloc loop's 16384 increments a pass then cost a count a pass, and
 * bytes only for the pages the migration reads (the 600 s run of
 * scripts/xbzrle2011.lua's `precopy` cell: docs/scaling.md). Units written
 * with a time callback (a guest with missing pages, where a write may
 * fault) are applied at once; so is everything on a guest with a material
 * limit. The old path, every unit applied as it comes due, stays behind
 * journal_eager_writes (MIGSIM_EAGER_WRITES=1) for comparison;
 * tests/unit/test_journal.c reads both at random points and finds them
 * alike.
 */
#ifndef MIGSIM_JOURNAL_H
#define MIGSIM_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "guest.h"
#include "rng.h"

typedef struct journal journal;

/* Host memory a step's records may hold before they are applied at once. */
#define JOURNAL_MAX_BYTES ((size_t)16 << 20)

int journal_new(journal **out, uint32_t page_size, err *e);
/* Journals created from now on apply increments as they come due (on) or
 * hand them to the guest to keep until a page is read (off, the default):
 * the same results either way, the eager path kept for comparison
 * (MIGSIM_EAGER_WRITES=1, docs/scaling.md). Not an input of the model. */
void journal_eager_writes(int on);
void journal_free(journal *j);

/* --- recording (a step's primitives, in program order) ------------------- */

/* Starts a step's records; everything earlier must have been applied. */
void journal_begin(journal *j);
/* Each records one operation with guest_*'s meaning (sim/guest.h) and
 * returns 0, or -1 when out of memory. The caller checks the ranges. */
int journal_inc(journal *j, uint64_t offset, uint64_t stride, uint64_t count, uint8_t delta);
int journal_write(journal *j, uint64_t offset, const void *src, size_t len);
int journal_fill(journal *j, uint64_t offset, uint64_t len, uint8_t value);
/* A read with no bytes wanted: nothing for a present page, a fault for a
 * missing one. */
int journal_touch(journal *j, uint64_t offset, uint64_t len);
/* Random bytes drawn from a stream of the operation's own, seeded by
 * `seed`: how many are drawn does not depend on when they are applied. */
int journal_write_random(journal *j, uint64_t first, uint64_t npages, uint32_t nbytes,
			 uint64_t seed);
/* Whole pages of content class cls (content.h; CONTENT_ZERO zeroes them). */
int journal_rewrite(journal *j, uint64_t first, uint64_t npages, enum content_class cls);
int journal_copy(journal *j, uint64_t dst_first, uint64_t src_first, uint64_t npages);
/* A batch of single-page operations on picked pages: journal_pick adds one
 * page to the batch journal_picks opened (kind: 'w' nbytes random bytes,
 * 'r' rewrite in class cls, 't' touch). */
int journal_picks(journal *j, char kind, uint32_t nbytes, enum content_class cls, uint64_t seed);
int journal_pick(journal *j, uint64_t page);
/* 1 when the step's records hold more than JOURNAL_MAX_BYTES. */
int journal_full(const journal *j);

/* --- time and application ------------------------------------------------ */

/* Spreads the step's records over [start, start + span). */
void journal_schedule(journal *j, int64_t start, int64_t span);
/* Moves every unit not yet applied `delta` ns later (the vCPU was paused). */
void journal_shift(journal *j, int64_t delta);
/* When the next unit is due; INT64_MAX when none is left. Records not yet
 * scheduled are due at INT64_MIN. */
int64_t journal_next_due(const journal *j);

/* Called before each unit (or run of units in one page) with its time. */
typedef void (*journal_at_fn)(void *ctx, int64_t t);

/* Applies to g, in order, every unit due at or before `until`. With `at`,
 * unit by unit, calling at() first. -1 with e filled when the guest
 * refuses (out of its memory, a failed fault): the unit stays unapplied. */
int journal_apply(journal *j, guest *g, int64_t until, journal_at_fn at, void *ctx, err *e);
/* Applies everything recorded, scheduled or not, with no times. */
int journal_flush(journal *j, guest *g, err *e);

#endif
