/*
 * guest — the RAM of one simulated machine (the source, or the destination
 * being filled by the migration).
 *
 * Per page the simulator keeps one 64-bit word of metadata: the page's kind,
 * a version bumped on every write and its dirty bit. Bytes are real:
 *   GUEST_ZERO        never written, or zeroed whole: every byte is 0;
 *   GUEST_MATERIAL    bytes stored in the guest (a workload wrote some bytes);
 *   GUEST_PROCEDURAL  bytes are a pure function of (content seed, page,
 *                     version, content class), generated on demand
 *                     (content.h): a page rewritten whole;
 *   GUEST_MISSING     destination only: not received yet (post-copy).
 * Only pages somebody must read byte by byte are materialised, so a guest far
 * larger than the host fits as long as its byte-written working set does.
 * A materialised page's bytes sit in page order, at the page's own offset
 * in RAM, as a real guest's do.
 *
 * Every write marks the page dirty: its dirty bit is set and, the first time
 * since the last sync, its number is appended to a dirty list (like KVM's
 * dirty ring). The migration syncs that log (copies and clears it) the way
 * QEMU syncs KVM's dirty log; with manual clearing (guest_dirty_manual) the
 * sync leaves the reported pages' log set, and the migration clears it a
 * range at a time (guest_dirty_clear), as QEMU does KVM's. Host memory is 8
 * bytes a page, plus 8 bytes per page written since the last sync (and a bit
 * a page with manual clearing), plus the materialised pages' bytes (a 2 MiB
 * stretch of RAM at least a quarter materialised may be held whole, in a huge
 * page, for speed), plus 4 bytes per page an increment kept deferred touches
 * (guest_inc_defer).
 *
 * Accessing a MISSING page first calls the fault handler (post-copy): it must
 * make the page present or fail. Writes and reads by workloads go through the
 * range primitives below; the migration uses the page-level calls.
 */
#ifndef MIGSIM_GUEST_H
#define MIGSIM_GUEST_H

#include <stdint.h>
#include <stddef.h>

#include "content.h"
#include "err.h"
#include "rng.h"

typedef struct guest guest;

enum guest_kind { GUEST_ZERO = 0, GUEST_MATERIAL = 1, GUEST_PROCEDURAL = 2, GUEST_MISSING = 3 };

/* Called before a workload touches a MISSING page; returns 0 once the page is
 * present (installed by the handler), -1 with e filled otherwise. */
typedef int (*guest_fault_fn)(void *ctx, uint64_t page, int is_write, err *e);

struct guest_config {
	uint64_t ram_bytes;	 /* a whole number of pages */
	uint32_t page_size;	 /* power of two, 512 .. 1 MiB */
	uint64_t content_seed;	 /* procedural bytes depend on it: same on both sides */
	int all_missing;	 /* destination of a migration: every page starts MISSING */
	uint64_t material_limit; /* bytes of materialised pages allowed; 0 = no limit */
};

int guest_new(guest **out, const struct guest_config *cfg, err *e);
void guest_free(guest *g);

uint64_t guest_pages(const guest *g);
uint32_t guest_page_size(const guest *g);
uint64_t guest_ram_bytes(const guest *g);

/* --- page-level view (migration, verification) ---------------------------- */

enum guest_kind guest_page_kind(const guest *g, uint64_t page);
uint32_t guest_page_version(const guest *g, uint64_t page);
/* The page's bytes: a pointer into the guest for MATERIAL, `scratch` (page_size
 * bytes, caller's) filled for PROCEDURAL, a shared all-zero page for ZERO,
 * NULL for MISSING. Valid until the next write to this guest, but for the
 * workload's writes to this same page, which it sees as they land, as
 * memory does (sim/mig.c reads a page over the time its thread charges,
 * during which the vCPU writes on): so does a deferred increment
 * (guest_inc_defer), for the last page asked for only. A caller holding
 * several pages' bytes while the vCPU runs must ask again for each. */
const uint8_t *guest_page_bytes(const guest *g, uint64_t page, uint8_t *scratch);

/* A hint to the host: start loading the page's stored bytes into its cache
 * (its first 4 KiB). 1 when the page has stored bytes (MATERIAL), else 0;
 * the model is untouched either way. */
int guest_prefetch_page(const guest *g, uint64_t page);

/* Destination side. Each leaves the page present and does not touch the
 * dirty log. */
/* Make dst's page a copy of src's page (same kind, version and bytes). */
int guest_copy_page_from(guest *dst, const guest *src, uint64_t page, err *e);
/* Install received bytes (materialises the page). */
int guest_install_bytes(guest *g, uint64_t page, const uint8_t *bytes, err *e);
void guest_install_zero(guest *g, uint64_t page);
/* Writable bytes of a present page, materialising it if needed (XBZRLE decode
 * applies a delta in place). */
uint8_t *guest_page_mut(guest *g, uint64_t page, err *e);
/* Post-copy discard: the page is no longer valid on this side. */
void guest_mark_missing(guest *g, uint64_t page);
uint64_t guest_missing_pages(const guest *g);

/* 1 when page p holds the same bytes in a and b (guests of one page size),
 * compared by version and content class where both are procedural of one
 * seed; a MISSING page differs. Procedural bytes it must compare byte by
 * byte are made in the guests' own scratch pages (not the callers'). */
int guest_page_equal(const guest *a, const guest *b, uint64_t page);
/* 0 when every page of a and b holds the same bytes (compared as
 * guest_page_equal does); otherwise 1 and *first_diff is the first page
 * that differs. A MISSING page on either side differs. */
int guest_compare(const guest *a, const guest *b, uint64_t *first_diff);

/* --- dirty log ------------------------------------------------------------ */

/* ORs the dirty log into `bitmap` (guest_pages bits, 64 per word, bit i of
 * word i/64 is page i) and clears the log (with manual clearing: see below).
 * Returns how many bits were newly set in `bitmap` (pages not already
 * marked). Costs the pages written since the last sync, not the guest's
 * size; when more than an eighth of the pages were written (or memory ran
 * out), a scan of the page table: same result. With manual clearing, plus a
 * pass over one bit a page. */
uint64_t guest_dirty_sync(guest *g, uint64_t *bitmap);
/* Manual clearing, as KVM does with KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 and
 * KVM_DIRTY_LOG_INITIALLY_SET (QEMU+KVM's default; dirty logging starts
 * here). A sync then reports the pages logged but leaves their log bit set:
 * a write to such a page is not logged again, and the next sync reports it
 * anyway, until guest_dirty_clear clears its bit. Every page starts logged
 * (initially set). Costs one bit a page of host memory. */
int guest_dirty_manual(guest *g, err *e);
/* KVM_CLEAR_DIRTY_LOG on pages [first, first + npages): the pages the syncs
 * reported in that range are logged again by their next write; pages
 * written since the last sync stay logged. Nothing without manual clearing.
 * Costs a bit a page of the range. */
void guest_dirty_clear(guest *g, uint64_t first, uint64_t npages);
/* Pages written since the last sync (for tests and sampling). */
uint64_t guest_dirty_count(const guest *g);

/* --- workload primitives (byte ranges are offsets into guest RAM) ---------- */

void guest_set_fault_handler(guest *g, guest_fault_fn fn, void *ctx);

/* Add `delta` (mod 256) to `count` bytes at offset, offset+stride, ... */
int guest_inc(guest *g, uint64_t offset, uint64_t stride, uint64_t count, uint8_t delta, err *e);
/* Units [from, to) of those count increments, due now, kept instead of
 * applied (issue 23, "deferred writes"): an increment given again and again
 * is kept as a count of its events, and a page takes its events, all at
 * once, when anything reads or writes it; the dirty log takes them from
 * their ranges at its next sync or clear. Nobody can tell it from guest_inc
 * but by the host's time and memory. from is 0 at an event's first units,
 * and the next call continues where the last one stopped until to reaches
 * count. On a guest with a material limit or with missing pages it is
 * guest_inc. */
int guest_inc_defer(guest *g, uint64_t offset, uint64_t stride, uint64_t count, uint8_t delta,
		    uint64_t from, uint64_t to, err *e);
/* Write `len` bytes. */
int guest_write(guest *g, uint64_t offset, const void *src, size_t len, err *e);
/* Set `len` bytes to `value`. */
int guest_fill(guest *g, uint64_t offset, uint64_t len, uint8_t value, err *e);
/* In each of `npages` pages from `first`, write `nbytes` random byte values at
 * random offsets (drawn from r; a position may be drawn twice). */
int guest_write_random(guest *g, uint64_t first, uint64_t npages, uint32_t nbytes, rng *r, err *e);
/* Rewrite pages whole with fresh content of class cls (they become
 * PROCEDURAL, or ZERO for CONTENT_ZERO). */
int guest_rewrite_class(guest *g, uint64_t first, uint64_t npages, enum content_class cls, err *e);
/* The same in CONTENT_RANDOM, the class of every rewrite before classes. */
int guest_rewrite(guest *g, uint64_t first, uint64_t npages, err *e);
/* Zero pages whole (they become ZERO, with a new version). */
int guest_zero(guest *g, uint64_t first, uint64_t npages, err *e);
/* Copy npages whole pages from src_first to dst_first (ranges may not overlap). */
int guest_copy(guest *g, uint64_t dst_first, uint64_t src_first, uint64_t npages, err *e);
/* Read `len` bytes (faults in missing pages; dst may be NULL to only touch). */
int guest_read(guest *g, uint64_t offset, void *dst, uint64_t len, err *e);

/* --- accounting ------------------------------------------------------------ */

uint64_t guest_material_pages(const guest *g);
/* Host bytes held: metadata, the dirty list's capacity and materialised
 * pages. */
uint64_t guest_host_bytes(const guest *g);

#endif
