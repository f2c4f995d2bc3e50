/*
 * guest — the RAM of one simulated machine (see guest.h for the model).
 *
 * Memory layout. Per page exactly one 64-bit metadata word, and nothing else:
 *
 *     63                33 32                      3   2   1    0
 *    +--------------------+-------------------------+-----+------+
 *    | slot / class (31)  |  version (30 bits)      |DIRTY| kind |
 *    +--------------------+-------------------------+-----+------+
 *
 *   kind     the page's guest_kind XOR the guest's kind base (below);
 *   DIRTY    written since the last dirty sync (the dirty log, below); only
 *            a write sets it and only the sync clears it: building a word
 *            for a new kind or version (w_make) keeps it, and it is never
 *            copied between guests nor compared;
 *   version  bumped (mod 2^30) once per workload primitive that writes the
 *            page; copied by guest_copy_page_from, kept by the other
 *            destination calls;
 *   slot     MATERIAL: the store segment holding the page's bytes (below),
 *            so that finding them costs no table indexed by page; at most
 *            2^31 segments;
 *   class    PROCEDURAL: the content class its bytes are made in
 *            (content.h), so pages of one seed still compare by word; 0
 *            (random) for a page rewritten without a class, as before
 *            classes existed. The field is 0 for ZERO and MISSING pages.
 *
 * The all-zero word must be valid in freshly calloc'd memory, so that an
 * untouched page costs the host nothing until it is touched: on a source
 * guest the kind base is GUEST_ZERO (0), so word 0 is "ZERO, version 0,
 * clean"; on an all_missing destination the base is GUEST_MISSING (3), so
 * word 0 is "MISSING, clean" and nothing is written at creation.
 *
 * Version wrap. Versions are only ever compared for equality (two procedural
 * pages of one seed hold the same bytes iff their versions and classes
 * match). After 2^30 writes to
 * one page its version comes back to an old value, so a procedural page could
 * then compare equal to, and regenerate the bytes of, its 2^30-writes-older
 * self. A migration would have to leave a page behind for a billion rewrites
 * of it for that to matter; we accept it rather than spend a second word.
 *
 * Materialised bytes live in the store, in page order: page p's bytes at
 * offset p * page size of the guest's RAM, as in a real guest's RAM in QEMU.
 * The store is cut into 2 MiB segments, each mapped when a page of it is
 * first materialised, so no address space is reserved for RAM nobody
 * writes. Mapped segments sit in a table in mapping order, found from a
 * page's word (its slot) or, when a page is first materialised, through a
 * hash of segment numbers: both grow with the segments written, not with
 * RAM, so a page costs its one word and nothing else. The kernel commits
 * only touched host pages, and a page that stops being MATERIAL hands its
 * host page back (MADV_DONTNEED), so the store costs the material pages and
 * keeps all zero outside them. It replaced a pool of chunks handed out in
 * first-write order: a workload writing pages in random order scattered
 * them, and the migration, which reads pages in address order, read them
 * about three times slower (the encoder alone: 2.0 M pages/s in order,
 * 0.68 M in random order).
 *
 * The dirty log is the DIRTY bits plus a dirty list, like KVM's dirty ring:
 * the number of each page whose DIRTY bit went from 0 to 1 since the last
 * sync, in write order, so the list's length is dirty_count and a sync costs
 * the pages written, not the guest's size. Host memory is then 8 bytes a page
 * plus 8 bytes per page written since the last sync. Past an eighth of the
 * pages (LIST_DIV) the list is dropped (dirty_overflow) and the next sync
 * scans every word for DIRTY instead: that is about as fast there (a listed
 * page costs 4-20 ns to sync, a scanned word about 2 ns) and bounds the list
 * at 1 byte a page. A list that cannot grow (out of memory) is dropped the
 * same way, since a write must not fail for its dirty log.
 *
 * Manual clearing (guest_dirty_manual) is KVM's dirty log with
 * KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2: KVM_GET_DIRTY_LOG copies the bitmap but
 * leaves its bits set and their pages writable, so a page keeps its bit, and
 * writes to it go unlogged, until QEMU clears it (KVM_CLEAR_DIRTY_LOG, from
 * kvm_log_clear_one_slot, with only the bits QEMU read at the last sync).
 * Here a page's log bit is DIRTY (written since the last sync, listed) or
 * its bit in `reported` (reported by a sync, not cleared since): a sync
 * moves its listed pages from the first to the second and reports both; a
 * write sets DIRTY only when neither is set; guest_dirty_clear clears
 * `reported` alone. The list thus still costs only the pages written since
 * the last sync, and `reported`, a bit a page, is what the mode adds.
 *
 * Procedural bytes are content_fill's for the page's class, seed, number and
 * version (content.c: the same bytes on every host). Byte 0 is non-zero in
 * every class a procedural page can have (CONTENT_ZERO makes a ZERO page
 * instead): a rewritten page is never all zero, as the migration's zero-page
 * test expects of real fresh content.
 *
 * Errors: a range outside RAM is refused before anything changes. A failure
 * met on a page in the middle of a range (a fault handler failing, the
 * material limit) leaves the earlier pages of that range written.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */
#include "guest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "content.h"
#include "simd.h"

#define KIND_MASK UINT64_C(3)
#define DIRTY	  (UINT64_C(1) << 2)
#define VER_SHIFT 3
#define VER_MASK  ((UINT32_C(1) << 30) - 1)
#define VER_BITS  ((uint64_t)VER_MASK << VER_SHIFT)
#define LIST_MIN  64 /* entries of the dirty list's first allocation */
#define LIST_DIV  8  /* the dirty list holds at most pages / 8 entries (or LIST_MIN) */
#define IDX_SHIFT 33 /* the top 31 bits: a MATERIAL page's segment slot */
#define MAX_SEGS  (UINT32_C(1) << 31)
#define SEG_SHIFT 21 /* store segments of 2 MiB */
#define GOLDEN	  UINT64_C(0x9e3779b97f4a7c15)
#define PS_MIN	  512u
#define PS_MAX	  (1u << 20)

struct seg {
	uint8_t *base;	   /* seg_len bytes, mapped */
	uint64_t number;   /* its first page >> seg_shift */
	uint32_t material; /* its MATERIAL pages */
	int huge;	   /* SEG_SMALL, SEG_HUGE (collapsed) or SEG_SPLIT */
};

/* A segment's host pages: small, one huge page, or small again for good. */
enum { SEG_SMALL, SEG_HUGE, SEG_SPLIT };

struct guest {
	uint64_t *meta; /* one word per page, layout above */
	uint64_t npages, ram;
	uint32_t ps, pmask;
	unsigned pshift;
	unsigned kbase; /* stored kind = kind ^ kbase */
	uint64_t seed;
	uint64_t material_limit;
	uint64_t dirty_count, missing, material;

	/* The dirty list: the first dirty_count entries are the DIRTY pages,
	 * unless dirty_overflow (then the list is freed and not kept). */
	uint64_t *dirty;
	uint64_t dirty_cap; /* entries allocated */
	uint64_t dirty_max; /* entries allowed before the list is dropped */
	int dirty_overflow; /* the next sync scans every word */
	/* Manual clearing (guest_dirty_manual): the pages the syncs reported
	 * whose log bit no guest_dirty_clear has cleared since, one bit a page
	 * (QEMU's copy of KVM's dirty bitmap); NULL: each sync clears what it
	 * reports. */
	uint64_t *reported;

	/* The store: page p's bytes (MATERIAL) in segment number p >> seg_shift,
	 * at (p & seg_mask) * ps; a segment is mapped when a page of it is first
	 * materialised and stays mapped. */
	struct seg *segs; /* mapped segments, by slot */
	uint32_t nsegs, segs_cap;
	uint32_t *seg_hash; /* slot + 1 by segment number (0: free), linear probing */
	uint32_t hash_cap;  /* a power of two, at least twice nsegs; 0 before any */
	uint64_t seg_mask;
	unsigned seg_shift;
	int release;	 /* pages are whole host pages: store_release can unmap them */
	int no_collapse; /* the kernel cannot collapse: stop asking */

	uint8_t *zero;	  /* one all-zero page, shared by every ZERO page */
	uint8_t *scratch; /* procedural bytes read or copied by primitives */
	guest_fault_fn fault;
	void *fault_ctx;

	/* Deferred increments (guest_inc_defer, "deferred increments" below):
	 * how the simulator holds writes, not part of the model's memory
	 * (guest_host_bytes leaves it out, as it did before it existed). */
	struct {
		struct inc_run *runs;
		uint32_t nruns;
		struct inc_run *open; /* the run whose current event is partly due */
		uint64_t clock;	      /* ticks at each event: which run was used last */
		uint64_t held;	      /* 1 + the page guest_page_bytes last showed; 0: none */
		uint64_t settled, settled_at; /* 1 + the page last settled, and the clock then */
		int failed;		      /* a page could not take its pending increments */
		err error;
	} df;
};

typedef unsigned long long ull;

/* --- metadata words ------------------------------------------------------------------ */

static inline enum guest_kind w_kind(const guest *g, uint64_t w)
{
	return (enum guest_kind)((w & KIND_MASK) ^ g->kbase);
}

static inline uint32_t w_ver(uint64_t w)
{
	return (uint32_t)(w >> VER_SHIFT) & VER_MASK;
}

static inline uint32_t w_idx(uint64_t w)
{
	return (uint32_t)(w >> IDX_SHIFT);
}

/* The word replacing `old` for a page of kind k: old's DIRTY bit is kept,
 * since giving a page new contents does not clean it (only a sync does). */
static inline uint64_t w_make(const guest *g, uint64_t old, enum guest_kind k, uint32_t ver,
			      uint32_t idx)
{
	return ((uint64_t)idx << IDX_SHIFT) | ((uint64_t)(ver & VER_MASK) << VER_SHIFT) |
	       (old & DIRTY) | (((uint64_t)k ^ g->kbase) & KIND_MASK);
}

/* Stops listing pages until the next sync, which then scans every word. */
static void dirty_overflow(guest *g)
{
	free(g->dirty);
	g->dirty = NULL;
	g->dirty_cap = 0;
	g->dirty_overflow = 1;
}

/* Room for one more entry, or the list dropped: never a failure. Out of line
 * since it runs once per doubling. */
static __attribute__((noinline)) void dirty_grow(guest *g)
{
	uint64_t cap = g->dirty_cap ? 2 * g->dirty_cap : LIST_MIN;
	if (cap > g->dirty_max)
		cap = g->dirty_max;
	uint64_t *d = cap > g->dirty_cap && cap <= SIZE_MAX / sizeof *g->dirty
			  ? realloc(g->dirty, (size_t)cap * sizeof *g->dirty)
			  : NULL;
	if (!d) {
		dirty_overflow(g);
		return;
	}
	g->dirty = d;
	g->dirty_cap = cap;
}

static inline int reported(const guest *g, uint64_t p)
{
	return g->reported && ((g->reported[p >> 6] >> (p & 63)) & 1);
}

/* The dirty-log half of a write: unless the page's log bit is already set
 * (DIRTY, or reported and not cleared since), the DIRTY bit and a list
 * entry. */
static inline void log_write(guest *g, uint64_t p)
{
	uint64_t w = g->meta[p];
	if ((w & DIRTY) || reported(g, p))
		return;
	g->meta[p] = w | DIRTY;
	if (!g->dirty_overflow && g->dirty_count == g->dirty_cap)
		dirty_grow(g);
	if (!g->dirty_overflow)
		g->dirty[g->dirty_count] = p;
	g->dirty_count++;
}

/* n writes' worth of versions. The version is bumped at its own bit
 * position and masked, so its wrap carries neither into the slot nor down
 * into DIRTY or the kind. */
static inline void bump_version(guest *g, uint64_t p, uint64_t n)
{
	uint64_t w = g->meta[p];
	g->meta[p] = (w & ~VER_BITS) | ((w + ((n & VER_MASK) << VER_SHIFT)) & VER_BITS);
}

/* One write by a workload primitive: a new version, and the dirty log. */
static inline void note_write(guest *g, uint64_t p)
{
	bump_version(g, p, 1);
	log_write(g, p);
}

/* --- procedural bytes ---------------------------------------------------------------- */

/* The bytes of page p of g, PROCEDURAL in word w, into out. */
static void proc_fill(const guest *g, uint64_t p, uint64_t w, uint8_t *out)
{
	content_fill((enum content_class)w_idx(w), g->seed, p, w_ver(w), out, g->ps);
}

/* --- page store --------------------------------------------------------------------- */

static size_t seg_len(const guest *g, uint64_t number)
{
	uint64_t left = g->ram - (number << SEG_SHIFT);
	return (size_t)(left < (UINT64_C(1) << SEG_SHIFT) ? left : UINT64_C(1) << SEG_SHIFT);
}

static inline uint8_t *seg_page(const guest *g, uint32_t slot, uint64_t p)
{
	return g->segs[slot].base + ((p & g->seg_mask) << g->pshift);
}

/* The stored bytes of page p, which is MATERIAL. */
static inline uint8_t *store(const guest *g, uint64_t p)
{
	return seg_page(g, w_idx(g->meta[p]), p);
}

static inline uint32_t hash_home(const guest *g, uint64_t number)
{
	return (uint32_t)((number * GOLDEN) >> 32) & (g->hash_cap - 1);
}

/* The slot of segment `number`, or -1 when it is not mapped. */
static int64_t seg_find(const guest *g, uint64_t number)
{
	if (!g->hash_cap)
		return -1;
	for (uint32_t h = hash_home(g, number);; h = (h + 1) & (g->hash_cap - 1)) {
		uint32_t v = g->seg_hash[h];
		if (!v)
			return -1;
		if (g->segs[v - 1].number == number)
			return v - 1;
	}
}

static void hash_put(guest *g, uint32_t slot)
{
	uint32_t h = hash_home(g, g->segs[slot].number);
	while (g->seg_hash[h])
		h = (h + 1) & (g->hash_cap - 1);
	g->seg_hash[h] = slot + 1;
}

/* Room for one more segment: the slot table and the hash (kept at most half
 * full) grow by doubling. */
static int seg_room(guest *g, err *e)
{
	if (g->nsegs == MAX_SEGS)
		return err_set(e, "guest: more than %llu store segments mapped", (ull)MAX_SEGS);
	if (g->nsegs == g->segs_cap) {
		uint32_t cap = g->segs_cap ? 2 * g->segs_cap : 16;
		struct seg *t = realloc(g->segs, (size_t)cap * sizeof *t);
		if (!t)
			return err_set(e, "guest: out of memory for the store's segment table");
		g->segs = t;
		g->segs_cap = cap;
	}
	if (2 * ((uint64_t)g->nsegs + 1) > g->hash_cap) {
		uint32_t cap = g->hash_cap ? 2 * g->hash_cap : 32;
		uint32_t *t = calloc(cap, sizeof *t);
		if (!t)
			return err_set(e, "guest: out of memory for the store's segment table");
		free(g->seg_hash);
		g->seg_hash = t;
		g->hash_cap = cap;
		for (uint32_t i = 0; i < g->nsegs; i++)
			hash_put(g, i);
	}
	return 0;
}

/* len bytes of zero memory; a whole segment aligned to its size, as a huge
 * page must be (kernels before 6.7 do not align anonymous mappings): mapped
 * a segment too long, then trimmed. NULL when out of memory. */
static uint8_t *map_zero(size_t len)
{
	const size_t seg = (size_t)1 << SEG_SHIFT;
	size_t span = len == seg ? 2 * seg : len;
	uint8_t *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	if (span == len)
		return m;
	uint8_t *a = (uint8_t *)(((uintptr_t)m + seg - 1) & ~(uintptr_t)(seg - 1));
	if (a > m)
		munmap(m, (size_t)(a - m));
	if (a + seg < m + span)
		munmap(a + seg, (size_t)(m + span - (a + seg)));
	return a;
}

/* Maps segment `number` into a new slot: zero, and committed by the kernel
 * only where touched. Huge pages are refused until it is dense
 * (seg_collapse): on a host with THP "always" one scattered material page
 * would hold 2 MiB. */
static int64_t seg_map(guest *g, uint64_t number, err *e)
{
	if (seg_room(g, e) < 0)
		return -1;
	size_t len = seg_len(g, number);
	uint8_t *m = map_zero(len);
	if (!m)
		return err_set(e, "guest: out of memory for materialised pages (%llu held: %s)",
			       (ull)g->material, strerror(errno));
#ifdef MADV_NOHUGEPAGE
	(void)madvise(m, len, MADV_NOHUGEPAGE); /* advice: may be refused */
#endif
	uint32_t slot = g->nsegs++;
	g->segs[slot] = (struct seg){.base = m, .number = number};
	hash_put(g, slot);
	return slot;
}

/* --- huge segments ---
 * A segment at least half material is collapsed into one 2 MiB huge page
 * (MADV_COLLAPSE), and split back into host pages once under a quarter.
 * Walking a dense segment then costs one TLB entry instead of 512: the
 * calloc loop (4 bytes written on each of 4096 pages a pass) in sim_bench's
 * scenario 1 went from 3.4 to 4.1 M sends per wall second. Sparse segments
 * stay in host pages, so a scattered material page never holds 2 MiB, and a
 * huge segment holds at most four times its material bytes (not counted by
 * guest_host_bytes). A segment split is not collapsed again: collapsing
 * costs milliseconds (a huge page cleared and 512 pages copied), and the
 * segments that come back to half material after a split are the ones
 * whose pages keep changing kind (presumably the calloc loop's buffer on
 * the destination, zero one pass in 256): in the 2011 experiment's 600 s
 * pre-copy 470 collapses took 15-25 % of the run's CPU. The bytes are the
 * same either way: this is speed only. */

#define COLLAPSE_DIV 2 /* collapse as material reaches seg pages / 2 */
#define SPLIT_DIV    4 /* split under seg pages / 4 */

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* Linux 6.1; glibc 2.36's headers lack it */
#endif

static uint64_t seg_pages(const guest *g, const struct seg *sg)
{
	return seg_len(g, sg->number) >> g->pshift;
}

static void seg_collapse(guest *g, struct seg *sg)
{
	size_t len = seg_len(g, sg->number);
	if (g->no_collapse || len != (size_t)1 << SEG_SHIFT)
		return;
	if (madvise(sg->base, len, MADV_HUGEPAGE) == 0 &&
	    madvise(sg->base, len, MADV_COLLAPSE) == 0) {
		sg->huge = SEG_HUGE;
		return;
	}
	if (errno == EINVAL)
		g->no_collapse = 1; /* an older kernel, or THP compiled out */
	(void)madvise(sg->base, len, MADV_NOHUGEPAGE);
}

/* The material pages of segment `slot`, in page order, copied out to buf
 * (out set) or back in from it. */
static void seg_copy_material(guest *g, uint32_t slot, uint8_t *buf, int out)
{
	const struct seg *sg = &g->segs[slot];
	uint64_t first = sg->number << g->seg_shift, end = first + seg_pages(g, sg);
	for (uint64_t p = first; p < end; p++)
		if (w_kind(g, g->meta[p]) == GUEST_MATERIAL) {
			uint8_t *c = seg_page(g, slot, p);
			memcpy(out ? buf : c, out ? c : buf, g->ps);
			buf += g->ps;
		}
}

/* Back to host pages: the material pages are copied out, the huge page
 * dropped whole (unmapping part of it would leave the rest committed until
 * memory runs short) and the pages copied back. The copy has a mapping of
 * its own, so that it goes back to the kernel at once (malloc could keep
 * it). Out of memory for the copy, the segment stays huge and is tried again
 * at its next release. */
static void seg_split(guest *g, uint32_t slot)
{
	struct seg *sg = &g->segs[slot];
	size_t keep_len = (size_t)sg->material * g->ps;
	uint8_t *keep = keep_len ? map_zero(keep_len) : NULL;
	if (keep_len && !keep)
		return;
	seg_copy_material(g, slot, keep, 1);
	size_t len = seg_len(g, sg->number);
	if (madvise(sg->base, len, MADV_DONTNEED) != 0)
		memset(sg->base, 0, len);
	(void)madvise(sg->base, len, MADV_NOHUGEPAGE);
	seg_copy_material(g, slot, keep, 0);
	if (keep)
		munmap(keep, keep_len);
	sg->huge = SEG_SPLIT;
}

/* The store for page p, about to become MATERIAL in *slot (its bytes are
 * zero), or NULL over the material limit or out of memory. */
static uint8_t *store_claim(guest *g, uint64_t page, uint32_t *slot, err *e)
{
	if (g->material_limit && (g->material + 1) * g->ps > g->material_limit) {
		err_set(e,
			"guest: writing page %llu would materialise %llu bytes of pages, "
			"over the material limit of %llu bytes",
			(ull)page, (ull)((g->material + 1) * g->ps), (ull)g->material_limit);
		return NULL;
	}
	uint64_t number = page >> g->seg_shift;
	int64_t s = seg_find(g, number);
	if (s < 0 && (s = seg_map(g, number, e)) < 0)
		return NULL;
	struct seg *sg = &g->segs[s];
	g->material++;
	sg->material++;
	if (sg->huge == SEG_SMALL &&
	    sg->material == (seg_pages(g, sg) + COLLAPSE_DIV - 1) / COLLAPSE_DIV)
		seg_collapse(g, sg); /* once, as it reaches half */
	*slot = (uint32_t)s;
	return seg_page(g, *slot, page);
}

/* Page p stops being MATERIAL: its host pages go back to the kernel, which
 * both bounds the resident store by the material pages and keeps the store
 * all zero outside them (a later claim of a ZERO page need not clear it).
 * A guest page smaller than the host's shares a host page with its
 * neighbours, so it is cleared instead; so it is in a huge segment (giving
 * part of a huge page back would split it) or if madvise refuses (it only
 * fails for a bad range). */
static void store_release(guest *g, uint64_t p)
{
	uint32_t slot = w_idx(g->meta[p]);
	struct seg *sg = &g->segs[slot];
	uint8_t *c = seg_page(g, slot, p);
	if (sg->huge == SEG_HUGE || !g->release || madvise(c, g->ps, MADV_DONTNEED) != 0)
		memset(c, 0, g->ps);
	g->material--;
	sg->material--;
}

/* Gives page p a new kind (and content class, for PROCEDURAL; 0 for the
 * others); releases its stored bytes and keeps the missing count. A huge
 * segment left sparse is split once p's word says so. */
static void set_page(guest *g, uint64_t p, enum guest_kind k, uint32_t ver, uint32_t cls)
{
	uint64_t w = g->meta[p];
	enum guest_kind old = w_kind(g, w);
	if (old == GUEST_MATERIAL)
		store_release(g, p);
	g->missing += (k == GUEST_MISSING) - (old == GUEST_MISSING);
	g->meta[p] = w_make(g, w, k, ver, cls);
	if (old == GUEST_MATERIAL) {
		struct seg *sg = &g->segs[w_idx(w)];
		if (sg->huge == SEG_HUGE && sg->material * SPLIT_DIV < seg_pages(g, sg))
			seg_split(g, w_idx(w));
	}
}

/* The stored bytes of page p, which becomes MATERIAL (version kept). With
 * `keep`, they hold the page's current bytes; otherwise the caller
 * overwrites them whole. p must not be MISSING when `keep` is set. */
static uint8_t *own_store(guest *g, uint64_t p, int keep, err *e)
{
	uint64_t w = g->meta[p];
	enum guest_kind k = w_kind(g, w);
	if (k == GUEST_MATERIAL)
		return store(g, p);
	uint32_t slot = 0;
	uint8_t *c = store_claim(g, p, &slot, e);
	if (!c)
		return NULL;
	if (keep && k == GUEST_PROCEDURAL)
		proc_fill(g, p, w, c); /* a ZERO page's store is zero */
	if (k == GUEST_MISSING)
		g->missing--;
	g->meta[p] = w_make(g, w, GUEST_MATERIAL, w_ver(w), slot);
	return c;
}

/* --- deferred increments -------------------------------------------------------------
 * guest_inc_defer keeps an increment the journal hands over again and again
 * (the calloc loop's pass) as a run: the increment once, a count of its
 * events (each time it was due in full) and how far the event in progress
 * is due, instead of adding to bytes nobody reads before the next pass. A
 * page takes its pending events when anything reads or writes it (its
 * kind, version or bytes: every page-level call and every primitive), all
 * at once: its bytes + n * delta, its version + n, which is what n
 * applications leave, since increments commute with each other and every
 * other write settles the page first. Every event is one write to each
 * page it touches, as in guest_inc.
 *
 * The dirty log takes a run's events from its ranges, not from the bytes:
 * before every sync, clear and count (run_mark), the pages of the units
 * due since the last marking are logged. Between two such calls a log only
 * gathers writes, in any order, so logging them later is logging them
 * alike.
 *
 * The one exception: guest_page_bytes's pointer to a page's stored bytes
 * sees later writes to the page land (the migration reads a page over its
 * thread's charged time, while the vCPU writes on), so new events settle
 * the page it last showed at once.
 *
 * Memory: a run holds 4 bytes per page it touches (the events the page has
 * taken); at most MAX_RUNS runs, the least recently used one settled and
 * dropped for a new one. Deferral is off on a guest with a material limit
 * (where a write's materialising can fail, it must fail when written) or
 * with missing pages (a write there faults, at its own time). */

#define MAX_RUNS 16

struct inc_run {
	uint64_t offset, stride, count;	    /* count bytes from offset at stride, */
	uint8_t delta;			    /* each + delta (mod 256) an event */
	uint64_t first, npages;		    /* the pages touched (see run_page) */
	uint32_t *applied;		    /* per page touched: the events it took (mod 2^32) */
	uint64_t events;		    /* events wholly due */
	uint64_t due;			    /* units of the next event due (0: none) */
	uint64_t marked_events, marked_due; /* the dirty log has the units up to here */
	uint64_t used;			    /* g->df.clock at its last event */
};

/* The page touched i-th by r: with a stride of a page or more, unit i's;
 * otherwise every page from the first is touched. */
static uint64_t run_page(const guest *g, const struct inc_run *r, uint64_t i)
{
	if (r->stride >= g->ps)
		return (r->offset + i * r->stride) >> g->pshift;
	return r->first + i;
}

/* The units of r in its page touched i-th: [*u0, *u1). */
static void run_units(const guest *g, const struct inc_run *r, uint64_t i, uint64_t *u0,
		      uint64_t *u1)
{
	if (r->stride == 0) {
		*u0 = 0, *u1 = r->count;
		return;
	}
	if (r->stride >= g->ps) {
		*u0 = i, *u1 = i + 1;
		return;
	}
	uint64_t lo = (r->first + i) << g->pshift, hi = lo + g->ps;
	*u0 = lo <= r->offset ? 0 : (lo - r->offset + r->stride - 1) / r->stride;
	uint64_t end = (hi - r->offset + r->stride - 1) / r->stride;
	*u1 = end < r->count ? end : r->count;
}

/* 1 and *i when page p is one r touches. */
static int run_index(const guest *g, const struct inc_run *r, uint64_t p, uint64_t *i)
{
	if (p < r->first)
		return 0;
	if (r->stride < g->ps) {
		*i = p - r->first;
		return *i < r->npages;
	}
	uint64_t lo = p << g->pshift;
	uint64_t k = lo <= r->offset ? 0 : (lo - r->offset + r->stride - 1) / r->stride;
	if (k >= r->count || (r->offset + k * r->stride) >> g->pshift != p)
		return 0;
	*i = k;
	return 1;
}

/* The events due to r's page touched i-th: the whole ones, and the one in
 * progress if its due units reach the page (they end at a page's end). */
static uint64_t run_events(const guest *g, const struct inc_run *r, uint64_t i)
{
	if (!r->due)
		return r->events;
	uint64_t u0, u1;
	run_units(g, r, i, &u0, &u1);
	return r->events + (u0 < r->due);
}

/* r's page touched i-th takes its pending events at once. Most calls find
 * it has them all, which is told without finding its units. */
static int run_settle(guest *g, struct inc_run *r, uint64_t i, err *e)
{
	uint32_t took = r->applied[i];
	if (took == (uint32_t)(r->events + (r->due != 0)) ||
	    (took == (uint32_t)r->events && !r->due))
		return 0;
	uint64_t had = run_events(g, r, i);
	uint32_t n = (uint32_t)had - r->applied[i];
	if (n == 0)
		return 0;
	uint64_t p = run_page(g, r, i), u0, u1;
	uint8_t *c = own_store(g, p, 1, e);
	if (!c)
		return -1;
	run_units(g, r, i, &u0, &u1);
	/* (u1 - u0) bytes + delta, n times; stride 0: one byte + delta a unit */
	uint8_t add = (uint8_t)((uint64_t)r->delta * n * (r->stride ? 1 : r->count));
	if (r->stride == 0)
		u1 = u0 + 1;
	for (uint64_t u = u0; u < u1; u++) {
		uint8_t *b = &c[(r->offset + u * r->stride) & g->pmask];
		*b = (uint8_t)(*b + add);
	}
	bump_version(g, p, n);
	r->applied[i] = (uint32_t)had;
	return 0;
}

/* Settling changes how the guest holds its state, not the state: reads of
 * a const guest settle too. A failure (out of host memory) is kept, and
 * reported by the next deferred write. */
static void settle_page(guest *g, uint64_t p)
{
	for (uint32_t k = 0; k < g->df.nruns; k++) {
		uint64_t i;
		if (run_index(g, &g->df.runs[k], p, &i) &&
		    run_settle(g, &g->df.runs[k], i, &g->df.error) < 0)
			g->df.failed = 1;
	}
	g->df.settled = p + 1;
	g->df.settled_at = g->df.clock;
}

/* A send asks for one page's kind, bytes and copy in turn: after the
 * first, nothing has come since (no event: the clock has not moved). */
static inline void settle(const guest *cg, uint64_t p)
{
	if (cg->df.nruns && p < cg->npages &&
	    (cg->df.settled != p + 1 || cg->df.settled_at != cg->df.clock))
		settle_page((guest *)cg, p);
}

static void run_settle_all(guest *g, struct inc_run *r)
{
	for (uint64_t i = 0; i < r->npages; i++)
		if (run_settle(g, r, i, &g->df.error) < 0)
			g->df.failed = 1;
}

static void settle_all(const guest *cg)
{
	guest *g = (guest *)cg;
	for (uint32_t k = 0; k < g->df.nruns; k++)
		run_settle_all(g, &g->df.runs[k]);
}

/* Logs the pages of units [u0, u1) of an event of r. */
static void run_log(guest *g, const struct inc_run *r, uint64_t u0, uint64_t u1)
{
	if (u0 >= u1)
		return;
	if (r->stride >= g->ps) {
		for (uint64_t u = u0; u < u1; u++)
			log_write(g, run_page(g, r, u));
		return;
	}
	uint64_t a = (r->offset + u0 * r->stride) >> g->pshift;
	uint64_t b = (r->offset + (u1 - 1) * r->stride) >> g->pshift;
	for (uint64_t p = a; p <= b; p++)
		log_write(g, p);
}

/* Logs what r's events wrote since its last marking. */
static void run_mark(guest *g, struct inc_run *r)
{
	uint64_t me = r->marked_events, md = r->marked_due;
	if (r->events > me + 1 || (r->events == me + 1 && r->due >= md)) {
		run_log(g, r, 0, r->count);
	} else if (r->events == me + 1) {
		run_log(g, r, md, r->count);
		run_log(g, r, 0, r->due);
	} else {
		run_log(g, r, md, r->due);
	}
	r->marked_events = r->events;
	r->marked_due = r->due;
}

static void mark_all(const guest *cg)
{
	guest *g = (guest *)cg;
	for (uint32_t k = 0; k < g->df.nruns; k++)
		run_mark(g, &g->df.runs[k]);
}

/* Run k goes: logged and settled first, so nothing of it is lost. */
static void run_drop(guest *g, uint32_t k)
{
	struct inc_run *r = &g->df.runs[k];
	run_mark(g, r);
	run_settle_all(g, r);
	free(r->applied);
	if (g->df.open == r)
		g->df.open = NULL;
	if (g->df.open == &g->df.runs[g->df.nruns - 1])
		g->df.open = r;
	*r = g->df.runs[--g->df.nruns];
}

/* The run of this increment with no event in progress, or a new one; NULL
 * when out of memory (the caller writes eagerly then). */
static struct inc_run *run_for(guest *g, uint64_t offset, uint64_t stride, uint64_t count,
			       uint8_t delta)
{
	for (uint32_t k = 0; k < g->df.nruns; k++) {
		struct inc_run *r = &g->df.runs[k];
		if (r->offset == offset && r->stride == stride && r->count == count &&
		    r->delta == delta && r->due == 0)
			return r;
	}
	if (!g->df.runs && !(g->df.runs = calloc(MAX_RUNS, sizeof *g->df.runs)))
		return NULL;
	if (g->df.nruns == MAX_RUNS) {
		uint32_t old = 0;
		for (uint32_t k = 1; k < g->df.nruns; k++)
			if (g->df.runs[k].used < g->df.runs[old].used)
				old = k;
		run_drop(g, old);
	}
	struct inc_run r = {.offset = offset, .stride = stride, .count = count, .delta = delta};
	r.first = offset >> g->pshift;
	r.npages = stride == 0	     ? 1
		   : stride >= g->ps ? count
				     : ((offset + (count - 1) * stride) >> g->pshift) - r.first + 1;
	if (r.npages > SIZE_MAX / sizeof *r.applied ||
	    !(r.applied = calloc((size_t)r.npages, sizeof *r.applied)))
		return NULL;
	g->df.runs[g->df.nruns] = r;
	return &g->df.runs[g->df.nruns++];
}

/* --- life cycle ---------------------------------------------------------------------- */

int guest_new(guest **out, const struct guest_config *cfg, err *e)
{
	*out = NULL;
	uint32_t ps = cfg->page_size;
	if (ps < PS_MIN || ps > PS_MAX || (ps & (ps - 1)))
		return err_set(e, "page size %u is not a power of two between %u and %u bytes", ps,
			       PS_MIN, PS_MAX);
	if (cfg->ram_bytes == 0)
		return err_set(e, "guest RAM size is 0 bytes");
	if (cfg->ram_bytes % ps)
		return err_set(e, "guest RAM of %llu bytes is not a whole number of %u-byte pages",
			       (ull)cfg->ram_bytes, ps);
	uint64_t npages = cfg->ram_bytes / ps;
	guest *g = calloc(1, sizeof *g);
	if (!g)
		return err_set(e, "out of memory");
	g->npages = npages;
	g->dirty_max = npages / LIST_DIV > LIST_MIN ? npages / LIST_DIV : LIST_MIN;
	g->ram = cfg->ram_bytes;
	g->ps = ps;
	g->pmask = ps - 1;
	g->pshift = (unsigned)__builtin_ctz(ps);
	g->kbase = cfg->all_missing ? GUEST_MISSING : GUEST_ZERO;
	g->missing = cfg->all_missing ? npages : 0;
	g->seed = cfg->content_seed;
	g->material_limit = cfg->material_limit;
	g->seg_shift = SEG_SHIFT - g->pshift;
	g->seg_mask = (UINT64_C(1) << g->seg_shift) - 1;
	long host_page = sysconf(_SC_PAGESIZE);
	g->release = host_page > 0 && ps % (uint64_t)host_page == 0;
	if (npages > SIZE_MAX / sizeof *g->meta || !(g->meta = calloc(npages, sizeof *g->meta)) ||
	    !(g->zero = calloc(1, ps)) || !(g->scratch = malloc(ps))) {
		guest_free(g);
		return err_set(e, "out of memory for the page table of %llu pages (%llu bytes)",
			       (ull)npages, (ull)npages * 8);
	}
	*out = g;
	return 0;
}

void guest_free(guest *g)
{
	if (!g)
		return;
	for (uint32_t s = 0; s < g->nsegs; s++)
		munmap(g->segs[s].base, seg_len(g, g->segs[s].number));
	for (uint32_t k = 0; k < g->df.nruns; k++)
		free(g->df.runs[k].applied);
	free(g->df.runs);
	free(g->segs);
	free(g->seg_hash);
	free(g->meta);
	free(g->dirty);
	free(g->reported);
	free(g->zero);
	free(g->scratch);
	free(g);
}

uint64_t guest_pages(const guest *g)
{
	return g->npages;
}

uint32_t guest_page_size(const guest *g)
{
	return g->ps;
}

uint64_t guest_ram_bytes(const guest *g)
{
	return g->ram;
}

/* --- page-level view ----------------------------------------------------------------- */

/* A page past the end reads as MISSING: it holds nothing. */
enum guest_kind guest_page_kind(const guest *g, uint64_t page)
{
	settle(g, page);
	return page < g->npages ? w_kind(g, g->meta[page]) : GUEST_MISSING;
}

uint32_t guest_page_version(const guest *g, uint64_t page)
{
	settle(g, page);
	return page < g->npages ? w_ver(g->meta[page]) : 0;
}

const uint8_t *guest_page_bytes(const guest *g, uint64_t page, uint8_t *scratch)
{
	if (page >= g->npages)
		return NULL;
	settle(g, page);
	((guest *)g)->df.held = page + 1;
	uint64_t w = g->meta[page];
	switch (w_kind(g, w)) {
	case GUEST_ZERO:
		return g->zero;
	case GUEST_MATERIAL:
		return store(g, page);
	case GUEST_PROCEDURAL:
		proc_fill(g, page, w, scratch);
		return scratch;
	case GUEST_MISSING:
		break;
	}
	return NULL;
}

int guest_prefetch_page(const guest *g, uint64_t page)
{
	if (page >= g->npages || w_kind(g, g->meta[page]) != GUEST_MATERIAL)
		return 0;
	simd_prefetch(store(g, page), g->ps);
	return 1;
}

static int check_page(const guest *g, uint64_t page, err *e)
{
	if (page >= g->npages)
		return err_set(e, "guest: page %llu is past the end of RAM (%llu pages)", (ull)page,
			       (ull)g->npages);
	return 0;
}

int guest_copy_page_from(guest *dst, const guest *src, uint64_t page, err *e)
{
	if (dst->ps != src->ps)
		return err_set(e, "guest: copying a %u-byte page into a guest of %u-byte pages",
			       src->ps, dst->ps);
	if (check_page(dst, page, e) < 0 || check_page(src, page, e) < 0)
		return -1;
	if (dst == src)
		return 0;
	settle(src, page);
	settle(dst, page);
	/* Only src's kind, version and bytes are taken: its DIRTY bit is its own
	 * dirty log, and dst's stays as it is (set_page and w_make keep it). */
	uint64_t w = src->meta[page];
	enum guest_kind k = w_kind(src, w);
	uint32_t ver = w_ver(w);
	if (k == GUEST_MISSING)
		return err_set(e, "guest: page %llu is missing on the side it is copied from",
			       (ull)page);
	if (k == GUEST_ZERO || (k == GUEST_PROCEDURAL && dst->seed == src->seed)) {
		set_page(dst, page, k, ver, k == GUEST_PROCEDURAL ? w_idx(w) : 0);
		return 0;
	}
	/* Stored bytes, or procedural bytes the destination's seed cannot make. */
	uint8_t *c = own_store(dst, page, 0, e);
	if (!c)
		return -1;
	if (k == GUEST_MATERIAL)
		memcpy(c, store(src, page), dst->ps);
	else
		proc_fill(src, page, w, c);
	dst->meta[page] = w_make(dst, dst->meta[page], GUEST_MATERIAL, ver, w_idx(dst->meta[page]));
	return 0;
}

int guest_install_bytes(guest *g, uint64_t page, const uint8_t *bytes, err *e)
{
	if (check_page(g, page, e) < 0)
		return -1;
	settle(g, page);
	uint8_t *c = own_store(g, page, 0, e);
	if (!c)
		return -1;
	memcpy(c, bytes, g->ps);
	return 0;
}

void guest_install_zero(guest *g, uint64_t page)
{
	settle(g, page);
	if (page < g->npages)
		set_page(g, page, GUEST_ZERO, w_ver(g->meta[page]), 0);
}

uint8_t *guest_page_mut(guest *g, uint64_t page, err *e)
{
	if (check_page(g, page, e) < 0)
		return NULL;
	settle(g, page);
	if (w_kind(g, g->meta[page]) == GUEST_MISSING) {
		err_set(e, "guest: page %llu is missing: nothing to modify in place", (ull)page);
		return NULL;
	}
	return own_store(g, page, 1, e);
}

void guest_mark_missing(guest *g, uint64_t page)
{
	settle(g, page);
	if (page < g->npages)
		set_page(g, page, GUEST_MISSING, w_ver(g->meta[page]), 0);
}

uint64_t guest_missing_pages(const guest *g)
{
	return g->missing;
}

/* Pages of one seed compare by word; otherwise procedural bytes are made in
 * the guests' own scratch pages (one each: a and b differ there, since a
 * guest's page is never both MATERIAL and PROCEDURAL). */
int guest_page_equal(const guest *a, const guest *b, uint64_t p)
{
	settle(a, p);
	settle(b, p);
	uint64_t wa = a->meta[p], wb = b->meta[p];
	enum guest_kind ka = w_kind(a, wa), kb = w_kind(b, wb);
	if (ka == GUEST_MISSING || kb == GUEST_MISSING)
		return 0;
	if (ka == GUEST_ZERO && kb == GUEST_ZERO)
		return 1;
	if (ka == GUEST_PROCEDURAL && kb == GUEST_PROCEDURAL && a->seed == b->seed)
		return w_ver(wa) == w_ver(wb) && w_idx(wa) == w_idx(wb);
	if ((ka == GUEST_PROCEDURAL && kb == GUEST_ZERO) ||
	    (ka == GUEST_ZERO && kb == GUEST_PROCEDURAL))
		return 0; /* procedural bytes are never all zero */
	return memcmp(guest_page_bytes(a, p, a->scratch), guest_page_bytes(b, p, b->scratch),
		      a->ps) == 0;
}

int guest_compare(const guest *a, const guest *b, uint64_t *first_diff)
{
	uint64_t diff = 0;
	if (a->npages != b->npages || a->ps != b->ps)
		goto differ;
	settle_all(a);
	settle_all(b);
	/* Same base and seed: words of ZERO or PROCEDURAL pages equal but for
	 * DIRTY (not content) hold equal bytes, which skips most of a big,
	 * mostly untouched guest. */
	int same_enc = a->kbase == b->kbase && a->seed == b->seed;
	uint64_t zk = GUEST_ZERO ^ a->kbase, pk = GUEST_PROCEDURAL ^ a->kbase;
	for (uint64_t p = 0; p < a->npages; p++) {
		uint64_t w = a->meta[p];
		if (same_enc && !((w ^ b->meta[p]) & ~DIRTY) &&
		    ((w & KIND_MASK) == zk || (w & KIND_MASK) == pk))
			continue;
		if (!guest_page_equal(a, b, p)) {
			diff = p;
			goto differ;
		}
	}
	return 0;
differ:
	if (first_diff)
		*first_diff = diff;
	return 1;
}

/* --- dirty log ----------------------------------------------------------------------- */

static uint64_t bitmap_words(const guest *g)
{
	return (g->npages + 63) / 64;
}

/* Cleans page p and sets its bit in bitmap: 1 when the bit was newly set.
 * With manual clearing the page is reported: its log bit stays set. */
static inline uint64_t sync_page(guest *g, uint64_t p, uint64_t *bitmap)
{
	uint64_t bit = UINT64_C(1) << (p & 63), *b = &bitmap[p >> 6];
	uint64_t fresh = !(*b & bit);
	g->meta[p] &= ~DIRTY;
	*b |= bit;
	if (g->reported)
		g->reported[p >> 6] |= bit;
	return fresh;
}

/* What KVM_GET_DIRTY_LOG returns again under manual clearing: the pages
 * reported before whose bit was not cleared since. The migration never
 * takes such a page off its bitmap before clearing it, so this adds nothing
 * there; it is done all the same, since it is what the log holds, for the
 * cost of one pass over a bit a page. */
static uint64_t sync_reported(const guest *g, uint64_t *bitmap)
{
	uint64_t fresh = 0;
	for (uint64_t i = 0, n = bitmap_words(g); i < n; i++) {
		uint64_t add = g->reported[i] & ~bitmap[i];
		if (add) {
			fresh += (uint64_t)__builtin_popcountll(add);
			bitmap[i] |= add;
		}
	}
	return fresh;
}

/* After an overflow: every word is looked at until dirty_count DIRTY bits
 * were found (the word scan the list exists to avoid). */
static uint64_t sync_scan(guest *g, uint64_t *bitmap)
{
	uint64_t fresh = 0, left = g->dirty_count;
	for (uint64_t p = 0; p < g->npages && left; p++) {
		if (g->meta[p] & DIRTY) {
			fresh += sync_page(g, p, bitmap);
			left--;
		}
	}
	g->dirty_overflow = 0;
	return fresh;
}

/* The list is kept for the next interval, which usually dirties about as
 * many pages (a workload's write rate is steady), so it does not regrow
 * doubling by doubling every sync. It is cut to twice what this sync used
 * when that was under a quarter of it, so a burst of writes does not hold
 * memory for good; that realloc costs no more than the sync did. */
static void dirty_trim(guest *g, uint64_t used)
{
	uint64_t cap = 2 * used > LIST_MIN ? 2 * used : LIST_MIN;
	if (used >= g->dirty_cap / 4 || cap >= g->dirty_cap)
		return;
	uint64_t *d = realloc(g->dirty, (size_t)cap * sizeof *g->dirty);
	if (d) { /* otherwise the bigger block stays: still correct */
		g->dirty = d;
		g->dirty_cap = cap;
	}
}

/* Costs the pages dirtied since the last sync, not the guest's size, unless
 * the list overflowed (see the top of this file). */
uint64_t guest_dirty_sync(guest *g, uint64_t *bitmap)
{
	mark_all(g);
	uint64_t fresh = 0, n = g->dirty_count;
	if (g->dirty_overflow) {
		fresh = sync_scan(g, bitmap);
	} else {
		for (uint64_t i = 0; i < n; i++)
			fresh += sync_page(g, g->dirty[i], bitmap);
		dirty_trim(g, n);
	}
	g->dirty_count = 0;
	if (g->reported)
		fresh += sync_reported(g, bitmap);
	return fresh;
}

int guest_dirty_manual(guest *g, err *e)
{
	mark_all(g);
	uint64_t n = bitmap_words(g);
	if (!g->reported && (n > SIZE_MAX / sizeof *g->reported ||
			     !(g->reported = malloc((size_t)n * sizeof *g->reported))))
		return err_set(e, "out of memory for the dirty log's bitmap of %llu pages",
			       (ull)g->npages);
	memset(g->reported, 0xff, (size_t)n * sizeof *g->reported);
	if (g->npages % 64)
		g->reported[n - 1] = (UINT64_C(1) << (g->npages % 64)) - 1;
	return 0;
}

/* KVM_CLEAR_DIRTY_LOG with the bits QEMU last read (kvm_log_clear_one_slot):
 * pages written since the last sync keep theirs. */
void guest_dirty_clear(guest *g, uint64_t first, uint64_t npages)
{
	if (!g->reported || first >= g->npages)
		return;
	mark_all(g);
	uint64_t end = npages < g->npages - first ? first + npages : g->npages;
	while (first < end) {
		uint64_t w = first >> 6, lo = first & 63;
		uint64_t hi = end - (first - lo) < 64 ? end - (first - lo) : 64;
		uint64_t mask =
		    (hi == 64 ? ~UINT64_C(0) : (UINT64_C(1) << hi) - 1) & (~UINT64_C(0) << lo);
		g->reported[w] &= ~mask;
		first = (w + 1) * 64;
	}
}

uint64_t guest_dirty_count(const guest *g)
{
	mark_all(g);
	return g->dirty_count;
}

/* --- workload primitives ------------------------------------------------------------- */

void guest_set_fault_handler(guest *g, guest_fault_fn fn, void *ctx)
{
	g->fault = fn;
	g->fault_ctx = ctx;
}

static int check_bytes(const guest *g, uint64_t off, uint64_t len, err *e)
{
	if (off > g->ram || len > g->ram - off)
		return err_set(
		    e, "guest: %llu bytes at offset %llu reach past the end of RAM (%llu bytes)",
		    (ull)len, (ull)off, (ull)g->ram);
	return 0;
}

static int check_pages(const guest *g, uint64_t first, uint64_t n, err *e)
{
	if (first > g->npages || n > g->npages - first)
		return err_set(
		    e,
		    "guest: %llu pages from page %llu (offset %llu) reach past the end of "
		    "RAM (%llu bytes, %llu pages)",
		    (ull)n, (ull)first, (ull)first * g->ps, (ull)g->ram, (ull)g->npages);
	return 0;
}

/* Makes page p present: a MISSING page goes through the fault handler. */
static int present(guest *g, uint64_t p, int is_write, err *e)
{
	settle(g, p);
	if (w_kind(g, g->meta[p]) != GUEST_MISSING)
		return 0;
	if (!g->fault)
		return err_set(e,
			       "guest: page %llu (offset %llu) is missing and there is no fault "
			       "handler",
			       (ull)p, (ull)p * g->ps);
	if (g->fault(g->fault_ctx, p, is_write, e) < 0)
		return -1;
	if (w_kind(g, g->meta[p]) == GUEST_MISSING)
		return err_set(e, "guest: the fault handler left page %llu missing", (ull)p);
	return 0;
}

/* The bytes of page p, ready for a byte-level write by a primitive. */
static inline uint8_t *write_begin(guest *g, uint64_t p, err *e)
{
	settle(g, p);
	uint64_t w = g->meta[p];
	uint8_t *c;
	if (w_kind(g, w) == GUEST_MATERIAL) {
		c = store(g, p);
	} else if (present(g, p, 1, e) < 0 || !(c = own_store(g, p, 1, e))) {
		return NULL;
	}
	note_write(g, p);
	return c;
}

static int check_inc(const guest *g, uint64_t offset, uint64_t stride, uint64_t count, err *e)
{
	if (count == 0)
		return check_bytes(g, offset, 0, e);
	if (offset >= g->ram || (stride && (count - 1) > (g->ram - 1 - offset) / stride))
		return err_set(e,
			       "guest: %llu increments from offset %llu at stride %llu reach past "
			       "the end of RAM (%llu bytes)",
			       (ull)count, (ull)offset, (ull)stride, (ull)g->ram);
	return 0;
}

int guest_inc(guest *g, uint64_t offset, uint64_t stride, uint64_t count, uint8_t delta, err *e)
{
	if (check_inc(g, offset, stride, count, e) < 0)
		return -1;
	uint64_t o = offset, left = count;
	while (left) {
		uint64_t p = o >> g->pshift;
		uint8_t *c = write_begin(g, p, e);
		if (!c)
			return -1;
		uint64_t in = o & g->pmask;
		if (stride == 0) {
			c[in] = (uint8_t)(c[in] + delta * (left & 0xff));
			return 0;
		}
		/* Walks the page instead of dividing for its count: a 64-bit
		 * division per page was about a fifth of the calloc loop's pass; the
		 * branch stays (without it the loop measured ~15 % slower). */
		uint64_t n = 0;
		if (stride >= g->ps) {
			c[in] = (uint8_t)(c[in] + delta);
			n = 1;
		} else {
			do {
				c[in] = (uint8_t)(c[in] + delta);
				in += stride;
				n++;
			} while (in < g->ps && n < left);
		}
		o += n * stride;
		left -= n;
	}
	return 0;
}

/* An event of a run is one increment due in full: see "deferred
 * increments" above. */
int guest_inc_defer(guest *g, uint64_t offset, uint64_t stride, uint64_t count, uint8_t delta,
		    uint64_t from, uint64_t to, err *e)
{
	if (from >= to)
		return 0;
	if (check_inc(g, offset, stride, count, e) < 0)
		return -1;
	if (to > count)
		return err_set(e, "guest: increments %llu..%llu of %llu", (ull)from, (ull)to,
			       (ull)count);
	if (g->df.failed)
		return err_set(e, "%s", g->df.error.msg);
	struct inc_run *r = g->df.open;
	if (from == 0 && !g->material_limit && !g->missing)
		r = run_for(g, offset, stride, count, delta);
	else if (!r || r->offset != offset || r->stride != stride || r->count != count ||
		 r->delta != delta || r->due != from || g->missing)
		r = NULL; /* its first units were written at once: so are the rest */
	if (!r)
		return guest_inc(g, offset + from * stride, stride, to - from, delta, e);
	r->used = ++g->df.clock;
	if (to == count) {
		r->events++;
		r->due = 0;
		g->df.open = NULL;
	} else {
		r->due = to;
		g->df.open = r;
	}
	if (g->df.held) /* a write reaches stored bytes the caller may still be reading */
		settle_page(g, g->df.held - 1);
	return 0;
}

/* Byte writes of one kind: a source (or NULL with a fill value) over a range. */
static int write_bytes(guest *g, uint64_t off, const uint8_t *src, uint64_t len, uint8_t value,
		       err *e)
{
	if (check_bytes(g, off, len, e) < 0)
		return -1;
	while (len) {
		uint64_t p = off >> g->pshift, in = off & g->pmask;
		uint64_t n = g->ps - in < len ? g->ps - in : len;
		if (!src && value == 0 && n == g->ps) {
			/* A whole page of zeros is a ZERO page: nothing to store. */
			if (present(g, p, 1, e) < 0)
				return -1;
			set_page(g, p, GUEST_ZERO, w_ver(g->meta[p]), 0);
			note_write(g, p);
		} else {
			uint8_t *c = write_begin(g, p, e);
			if (!c)
				return -1;
			if (src)
				memcpy(c + in, src, n);
			else
				memset(c + in, value, n);
		}
		if (src)
			src += n;
		off += n;
		len -= n;
	}
	return 0;
}

int guest_write(guest *g, uint64_t offset, const void *src, size_t len, err *e)
{
	if (len && !src)
		return err_set(e, "guest: write of %llu bytes from no buffer", (ull)len);
	return write_bytes(g, offset, src, len, 0, e);
}

int guest_fill(guest *g, uint64_t offset, uint64_t len, uint8_t value, err *e)
{
	return write_bytes(g, offset, NULL, len, value, e);
}

/* One draw per byte: the low bits give the position, bits 32..39 the value. */
int guest_write_random(guest *g, uint64_t first, uint64_t npages, uint32_t nbytes, rng *r, err *e)
{
	if (check_pages(g, first, npages, e) < 0)
		return -1;
	if (nbytes == 0)
		return 0;
	for (uint64_t p = first; p < first + npages; p++) {
		uint8_t *c = write_begin(g, p, e);
		if (!c)
			return -1;
		for (uint32_t i = 0; i < nbytes; i++) {
			uint64_t x = rng_next(r);
			c[x & g->pmask] = (uint8_t)(x >> 32);
		}
	}
	return 0;
}

/* Rewriting or zeroing whole pages: a new kind, a new version. A page
 * rewritten in class zero is a ZERO page, which is what it holds. */
int guest_rewrite_class(guest *g, uint64_t first, uint64_t npages, enum content_class cls, err *e)
{
	if ((unsigned)cls >= CONTENT_CLASSES)
		return err_set(e, "guest: no content class %d", (int)cls);
	if (check_pages(g, first, npages, e) < 0)
		return -1;
	enum guest_kind k = cls == CONTENT_ZERO ? GUEST_ZERO : GUEST_PROCEDURAL;
	for (uint64_t p = first; p < first + npages; p++) {
		if (present(g, p, 1, e) < 0)
			return -1;
		set_page(g, p, k, w_ver(g->meta[p]), k == GUEST_PROCEDURAL ? (uint32_t)cls : 0);
		note_write(g, p);
	}
	return 0;
}

int guest_rewrite(guest *g, uint64_t first, uint64_t npages, err *e)
{
	return guest_rewrite_class(g, first, npages, CONTENT_RANDOM, e);
}

int guest_zero(guest *g, uint64_t first, uint64_t npages, err *e)
{
	return guest_rewrite_class(g, first, npages, CONTENT_ZERO, e);
}

/* Page d of g becomes a copy of page s: a procedural source cannot stay
 * procedural at another page number, so its bytes are materialised. */
static int copy_one(guest *g, uint64_t d, uint64_t s, err *e)
{
	if (present(g, s, 0, e) < 0 || present(g, d, 1, e) < 0)
		return -1;
	uint64_t ws = g->meta[s];
	enum guest_kind k = w_kind(g, ws);
	if (k == GUEST_ZERO) {
		set_page(g, d, GUEST_ZERO, w_ver(g->meta[d]), 0);
	} else {
		uint8_t *c = own_store(g, d, 0, e);
		if (!c)
			return -1;
		if (k == GUEST_MATERIAL)
			memcpy(c, store(g, s), g->ps);
		else
			proc_fill(g, s, ws, c);
	}
	note_write(g, d);
	return 0;
}

int guest_copy(guest *g, uint64_t dst_first, uint64_t src_first, uint64_t npages, err *e)
{
	if (check_pages(g, dst_first, npages, e) < 0 || check_pages(g, src_first, npages, e) < 0)
		return -1;
	if (npages && dst_first < src_first + npages && src_first < dst_first + npages)
		return err_set(e, "guest: copy of %llu pages from page %llu to page %llu overlaps",
			       (ull)npages, (ull)src_first, (ull)dst_first);
	for (uint64_t i = 0; i < npages; i++)
		if (copy_one(g, dst_first + i, src_first + i, e) < 0)
			return -1;
	return 0;
}

int guest_read(guest *g, uint64_t offset, void *dst, uint64_t len, err *e)
{
	if (check_bytes(g, offset, len, e) < 0)
		return -1;
	uint8_t *out = dst;
	while (len) {
		uint64_t p = offset >> g->pshift, in = offset & g->pmask;
		uint64_t n = g->ps - in < len ? g->ps - in : len;
		if (present(g, p, 0, e) < 0)
			return -1;
		if (out) {
			memcpy(out, guest_page_bytes(g, p, g->scratch) + in, n);
			out += n;
		}
		offset += n;
		len -= n;
	}
	return 0;
}

/* --- accounting ---------------------------------------------------------------------- */

uint64_t guest_material_pages(const guest *g)
{
	settle_all(g);
	return g->material;
}

/* The store is resident only for material pages: others were never touched
 * or were given back (store_release), but for pages smaller than the host's.
 * The slack of huge segments (seg_collapse) is left out: whether the kernel
 * had a huge page to give is not the run's, and the figure is reported as
 * part of the run, which must be a function of its inputs. */
uint64_t guest_host_bytes(const guest *g)
{
	mark_all(g);
	settle_all(g);
	return sizeof *g - sizeof g->df + g->npages * sizeof *g->meta +
	       g->dirty_cap * sizeof *g->dirty +
	       (g->reported ? bitmap_words(g) * sizeof *g->reported : 0) + 2 * (uint64_t)g->ps +
	       (uint64_t)g->segs_cap * sizeof *g->segs +
	       (uint64_t)g->hash_cap * sizeof *g->seg_hash + g->material * g->ps;
}
