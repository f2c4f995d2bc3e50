/* Unit tests of the journal (sim/journal.c): when each unit of a step's
 * operations reaches the guest (journal_schedule's closed form, with a zero
 * span and near the end of the clock), journal_shift and journal_next_due,
 * the time callback, journal_full, and two randomised differential tests:
 * any sequence of operations applied in pieces over its time leaves the
 * guest as the same sequence applied at once does, and a guest whose
 * increments are deferred reads at every point as one written eagerly. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "journal.h"
#include "rng.h"

#define PS 4096u

static guest *mkguest(uint64_t pages, uint32_t ps)
{
	struct guest_config c = {.ram_bytes = pages * ps, .page_size = ps, .content_seed = 7};
	guest *g = NULL;
	err e = {{0}};
	ck_assert_msg(guest_new(&g, &c, &e) == 0, "guest_new: %s", e.msg);
	return g;
}

static journal *mkjournal(uint32_t ps)
{
	journal *j = NULL;
	err e = {{0}};
	ck_assert_msg(journal_new(&j, ps, &e) == 0, "journal_new: %s", e.msg);
	return j;
}

static void apply(journal *j, guest *g, int64_t until)
{
	err e = {{0}};
	ck_assert_msg(journal_apply(j, g, until, NULL, NULL, &e) == 0, "apply: %s", e.msg);
}

static void flush(journal *j, guest *g)
{
	err e = {{0}};
	ck_assert_msg(journal_flush(j, g, &e) == 0, "flush: %s", e.msg);
}

static uint8_t byte_at(const guest *g, uint64_t offset)
{
	uint8_t *scratch = malloc(guest_page_size(g));
	uint64_t ps = guest_page_size(g);
	uint8_t b = guest_page_bytes(g, offset / ps, scratch)[offset % ps];
	free(scratch);
	return b;
}

/* --- when units land ------------------------------------------------------ */

static int64_t clamp(__int128 t)
{
	return t > INT64_MAX ? INT64_MAX : (int64_t)t;
}

/* The documented closed form: an op of weight w after w_before of the
 * step's W spans [start + span*w_before/W, start + span*(w_before+w)/W)
 * (each floored, sticking at INT64_MAX), its unit u at its start plus
 * op_span*u/units. */
static int64_t unit_time(int64_t start, int64_t span, uint64_t w_before, uint64_t w, uint64_t W,
			 uint64_t u, uint64_t units)
{
	int64_t os = clamp(start + (__int128)((unsigned __int128)span * w_before / W));
	int64_t oe = clamp(start + (__int128)((unsigned __int128)span * (w_before + w) / W));
	return clamp(os + (__int128)(oe - os) * u / units);
}

/* What the guest shows of one unit: a page's version, or a byte's value. */
struct probe {
	int is_byte;
	uint64_t where; /* page, or byte offset */
	int64_t t;	/* when it must land */
};

/* The step of test_schedule_times: rewrite 3 pages, inc 4 bytes of one page,
 * inc 3 bytes a page apart, rewrite 4 pages (weights 3, 1, 3, 4). The inc's
 * bytes in one page land together at the first one's time. */
static size_t sched_step(journal *j, int64_t start, int64_t span, struct probe *p)
{
	const uint64_t W = 11;
	size_t n = 0;
	journal_begin(j);
	ck_assert_int_eq(journal_rewrite(j, 0, 3, CONTENT_RANDOM), 0);
	ck_assert_int_eq(journal_inc(j, 4 * PS + 8, 1, 4, 1), 0);
	ck_assert_int_eq(journal_inc(j, 6 * PS + 100, PS, 3, 1), 0);
	ck_assert_int_eq(journal_rewrite(j, 10, 4, CONTENT_RANDOM), 0);
	journal_schedule(j, start, span);
	for (uint64_t u = 0; u < 3; u++)
		p[n++] = (struct probe){0, u, unit_time(start, span, 0, 3, W, u, 3)};
	for (uint64_t u = 0; u < 4; u++)
		p[n++] = (struct probe){1, 4 * PS + 8 + u, unit_time(start, span, 3, 1, W, 0, 4)};
	for (uint64_t u = 0; u < 3; u++)
		p[n++] =
		    (struct probe){1, (6 + u) * PS + 100, unit_time(start, span, 4, 3, W, u, 3)};
	for (uint64_t u = 0; u < 4; u++)
		p[n++] = (struct probe){0, 10 + u, unit_time(start, span, 7, 4, W, u, 4)};
	return n;
}

/* The guest after apply(until): exactly the probes due by then have landed,
 * each page written once (version 1), and next_due is the first one left. */
static void check_landed(const journal *j, const guest *g, const struct probe *p, size_t n,
			 int64_t until)
{
	int64_t next = INT64_MAX;
	uint64_t pages = 0, last_page = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		int due = p[i].t <= until;
		uint64_t page = p[i].is_byte ? p[i].where / PS : p[i].where;
		unsigned got = p[i].is_byte ? byte_at(g, p[i].where) : guest_page_version(g, page);
		ck_assert_msg(got == (unsigned)due, "probe %zu (due %lld) at %lld: %u", i,
			      (long long)p[i].t, (long long)until, got);
		ck_assert_uint_eq(guest_page_version(g, page), (unsigned)due);
		if (!due && p[i].t < next)
			next = p[i].t;
		if (due && page != last_page)
			pages++, last_page = page;
	}
	ck_assert_uint_eq(guest_dirty_count(g), pages);
	ck_assert_int_eq(journal_next_due(j), next);
}

/* Applies the step at each probe's time minus one, then at it. */
static void walk_step(int64_t start, int64_t span)
{
	guest *g = mkguest(16, PS);
	journal *j = mkjournal(PS);
	struct probe p[16];
	size_t n = sched_step(j, start, span, p);
	int64_t last = INT64_MIN;
	check_landed(j, g, p, n, last);
	for (size_t i = 0; i < n; i++) {
		if (p[i].t - 1 > last) {
			apply(j, g, p[i].t - 1);
			check_landed(j, g, p, n, p[i].t - 1);
		}
		apply(j, g, p[i].t);
		check_landed(j, g, p, n, p[i].t);
		last = p[i].t;
	}
	ck_assert_int_eq(journal_next_due(j), INT64_MAX);
	journal_free(j);
	guest_free(g);
}

START_TEST(test_schedule_times)
{
	walk_step(1000, 1100);
	walk_step(1000, 1003); /* floors everywhere */
	walk_step(5, 7);       /* fewer ns than units: several share a time */
	walk_step(1000, 0);    /* all at the start */
}
END_TEST

/* Near the end of the clock the closed form holds without overflow, and a
 * time past INT64_MAX sticks there ("never" still lands at INT64_MAX). */
START_TEST(test_schedule_huge_times)
{
	walk_step(INT64_MAX / 2, INT64_C(1) << 62); /* ends exactly at INT64_MAX */
	walk_step(INT64_MAX / 2 + 12345, INT64_C(1) << 62);
	walk_step(INT64_MAX - 3, INT64_C(1) << 62);
	walk_step(INT64_MAX, INT64_MAX);
	/* the cases above are the ones meant: below the end of the clock in the
	 * first, stuck at it from the second operation on in the third */
	struct probe p[16];
	journal *j = mkjournal(PS);
	sched_step(j, INT64_MAX / 2, INT64_C(1) << 62, p);
	ck_assert_int_gt(p[13].t, INT64_MAX / 2 + (INT64_C(1) << 61));
	ck_assert_int_lt(p[13].t, INT64_MAX);
	sched_step(j, INT64_MAX - 3, INT64_C(1) << 62, p);
	ck_assert_int_eq(p[0].t, INT64_MAX - 3);
	ck_assert_int_eq(p[1].t, INT64_MAX - 2);
	ck_assert_int_eq(p[3].t, INT64_MAX);
	journal_free(j);
}
END_TEST

/* --- shift and next_due --------------------------------------------------- */

START_TEST(test_shift_and_next_due)
{
	guest *g = mkguest(8, PS);
	journal *j = mkjournal(PS);
	ck_assert_int_eq(journal_next_due(j), INT64_MAX);
	journal_begin(j);
	ck_assert_int_eq(journal_next_due(j), INT64_MAX);
	ck_assert_int_eq(journal_rewrite(j, 0, 2, CONTENT_RANDOM), 0);
	ck_assert_int_eq(journal_rewrite(j, 4, 2, CONTENT_RANDOM), 0);
	ck_assert_int_eq(journal_next_due(j), INT64_MIN);
	journal_shift(j, 1000); /* nothing scheduled: nothing moves */
	ck_assert_int_eq(journal_next_due(j), INT64_MIN);
	journal_schedule(j, 100, 400); /* units at 100, 200 | 300, 400 */
	ck_assert_int_eq(journal_next_due(j), 100);
	apply(j, g, 250);
	ck_assert_int_eq(journal_next_due(j), 300);
	journal_shift(j, 1000);
	ck_assert_int_eq(journal_next_due(j), 1300);
	apply(j, g, 1299);
	for (uint64_t p = 0; p < 6; p++)
		ck_assert_uint_eq(guest_page_version(g, p), p < 2);
	apply(j, g, 1300);
	ck_assert_uint_eq(guest_page_version(g, 4), 1);
	ck_assert_uint_eq(guest_page_version(g, 5), 0);
	ck_assert_int_eq(journal_next_due(j), 1400);
	/* mid-operation: its applied units stay applied, the rest moves */
	journal_shift(j, 50);
	ck_assert_int_eq(journal_next_due(j), 1450);
	apply(j, g, 1449);
	ck_assert_uint_eq(guest_page_version(g, 5), 0);
	apply(j, g, 1450);
	ck_assert_uint_eq(guest_page_version(g, 5), 1);
	ck_assert_int_eq(journal_next_due(j), INT64_MAX);
	journal_shift(j, 50);
	ck_assert_int_eq(journal_next_due(j), INT64_MAX);
	for (uint64_t p = 0; p < 8; p++)
		ck_assert_uint_eq(guest_page_version(g, p), p < 2 || p == 4 || p == 5);

	/* a batch with no picks is nothing to wait for */
	journal_begin(j);
	ck_assert_int_eq(journal_picks(j, 'r', 0, CONTENT_RANDOM, 0), 0);
	ck_assert_int_eq(journal_next_due(j), INT64_MAX);
	/* a shift near the end of the clock sticks at INT64_MAX */
	journal_begin(j);
	ck_assert_int_eq(journal_rewrite(j, 6, 1, CONTENT_RANDOM), 0);
	journal_schedule(j, INT64_MAX - 10, 5);
	journal_shift(j, 100);
	ck_assert_int_eq(journal_next_due(j), INT64_MAX);
	apply(j, g, INT64_MAX - 1);
	ck_assert_uint_eq(guest_page_version(g, 6), 0);
	apply(j, g, INT64_MAX);
	ck_assert_uint_eq(guest_page_version(g, 6), 1);
	journal_free(j);
	guest_free(g);
}
END_TEST

/* A flush mid-step (r:bytes) applies what was recorded; what the step
 * records after it is scheduled after the flushed pages' share. */
START_TEST(test_flush_keeps_step_weight)
{
	guest *g = mkguest(16, PS);
	journal *j = mkjournal(PS);
	journal_begin(j);
	ck_assert_int_eq(journal_rewrite(j, 0, 3, CONTENT_RANDOM), 0);
	flush(j, g);
	ck_assert_uint_eq(guest_dirty_count(g), 3);
	ck_assert_int_eq(journal_next_due(j), INT64_MAX);
	ck_assert_int_eq(journal_inc(j, 3 * PS, 1, 2 * PS, 1), 0); /* 2 pages */
	flush(j, g);
	ck_assert_int_eq(journal_rewrite(j, 8, 1, CONTENT_RANDOM), 0);
	ck_assert_int_eq(journal_next_due(j), INT64_MIN);
	journal_schedule(j, 1000, 600); /* weight 3 + 2 flushed, then 1 */
	ck_assert_int_eq(journal_next_due(j), 1500);
	apply(j, g, 1499);
	ck_assert_uint_eq(guest_page_version(g, 8), 0);
	apply(j, g, 1500);
	ck_assert_uint_eq(guest_page_version(g, 8), 1);
	/* the next step starts from nothing flushed */
	journal_begin(j);
	ck_assert_int_eq(journal_rewrite(j, 9, 1, CONTENT_RANDOM), 0);
	journal_schedule(j, 2000, 600);
	ck_assert_int_eq(journal_next_due(j), 2000);
	apply(j, g, 2000);
	ck_assert_uint_eq(guest_page_version(g, 9), 1);
	journal_free(j);
	guest_free(g);
}
END_TEST

/* --- the time callback ---------------------------------------------------- */

struct calls {
	journal *j;
	guest *g; /* when each unit writes a fresh page, else NULL */
	size_t n;
	int64_t last;
};

/* Before each unit: its time is the one next due and not earlier than the
 * last one's; on fresh pages, the unit has not landed yet. */
static void on_unit(void *ctx, int64_t t)
{
	struct calls *c = ctx;
	ck_assert_int_eq(t, journal_next_due(c->j));
	ck_assert_int_ge(t, c->last);
	if (c->g)
		ck_assert_uint_eq(guest_dirty_count(c->g), c->n);
	c->last = t;
	c->n++;
}

static void record_fresh_pages(journal *j)
{
	static const uint8_t bytes[2 * PS];
	journal_begin(j);
	ck_assert_int_eq(journal_rewrite(j, 0, 3, CONTENT_RANDOM), 0);	     /* 3 units */
	ck_assert_int_eq(journal_inc(j, 4 * PS + 10, 7, 1200, 1), 0);	     /* 3 pages */
	ck_assert_int_eq(journal_inc(j, 8 * PS, PS, 3, 2), 0);		     /* 3 */
	ck_assert_int_eq(journal_write(j, 12 * PS + 100, bytes, 2 * PS), 0); /* 3 */
	ck_assert_int_eq(journal_picks(j, 'r', 0, CONTENT_RANDOM, 0), 0);
	ck_assert_int_eq(journal_pick(j, 20), 0);
	ck_assert_int_eq(journal_pick(j, 21), 0);		      /* 2 */
	ck_assert_int_eq(journal_fill(j, 22 * PS + PS - 1, 2, 9), 0); /* 2 */
	ck_assert_int_eq(journal_inc(j, 25 * PS + 5, 0, 1, 3), 0);    /* 1 */
	ck_assert_int_eq(journal_write_random(j, 26, 2, 100, 42), 0); /* 2 */
	ck_assert_int_eq(journal_picks(j, 'w', 10, CONTENT_RANDOM, 5), 0);
	ck_assert_int_eq(journal_pick(j, 28), 0);
	ck_assert_int_eq(journal_pick(j, 29), 0); /* 2 */
}

START_TEST(test_callback_per_unit)
{
	const size_t units = 21;
	guest *g = mkguest(32, PS);
	journal *j = mkjournal(PS);
	struct calls c = {j, g, 0, INT64_MIN};
	err e = {{0}};
	record_fresh_pages(j);
	journal_schedule(j, 0, 1000000);
	ck_assert_int_eq(journal_apply(j, g, INT64_MAX, on_unit, &c, &e), 0);
	ck_assert_uint_eq(c.n, units);
	ck_assert_uint_eq(guest_dirty_count(g), units);
	ck_assert_int_eq(journal_next_due(j), INT64_MAX);
	journal_free(j);
	guest_free(g);

	/* in pieces, up to times that fall inside the inc's page-runs and
	 * between units: still one call per unit, each at or before the until */
	g = mkguest(32, PS);
	j = mkjournal(PS);
	c = (struct calls){j, g, 0, INT64_MIN};
	record_fresh_pages(j);
	journal_schedule(j, 0, 1000000);
	for (int64_t until = 0; journal_next_due(j) != INT64_MAX; until += 7919) {
		ck_assert_int_eq(journal_apply(j, g, until, on_unit, &c, &e), 0);
		ck_assert_int_le(c.last, until);
		ck_assert_int_gt(journal_next_due(j), until);
	}
	ck_assert_uint_eq(c.n, units);
	ck_assert_uint_eq(guest_dirty_count(g), units);
	journal_free(j);
	guest_free(g);
}
END_TEST

/* --- differential: in pieces over time == at once ------------------------- */

#define DPS    512u
#define DPAGES 24u
#define DRAM   ((uint64_t)DPS * DPAGES)

/* A byte range inside RAM, up to 3 pages, page-aligned half the time. */
static void pick_range(rng *r, uint64_t *off, uint64_t *len)
{
	*off = rng_below(r, DRAM);
	if (rng_below(r, 2))
		*off -= *off % DPS;
	uint64_t room = DRAM - *off;
	uint64_t max = room < 3 * DPS ? room : 3 * DPS;
	*len = 1 + rng_below(r, max);
	if (rng_below(r, 3) == 0 && *off % DPS == 0) /* whole pages */
		*len = DPS * (1 + rng_below(r, max / DPS));
}

static void pick_pages(rng *r, uint64_t *first, uint64_t *n)
{
	*n = 1 + rng_below(r, 4);
	*first = rng_below(r, DPAGES - *n + 1);
}

static void record_inc(journal *j, rng *r)
{
	static const uint64_t strides[] = {0, 1, 3, DPS / 2 - 1, DPS - 1, DPS, DPS + 7, 3 * DPS};
	uint64_t stride = strides[rng_below(r, sizeof strides / sizeof strides[0])];
	uint64_t off = rng_below(r, DRAM), count = 1;
	if (stride) {
		uint64_t most = (DRAM - 1 - off) / stride + 1;
		count = 1 + rng_below(r, most < 3 * DPS ? most : 3 * DPS);
	}
	ck_assert_int_eq(journal_inc(j, off, stride, count, (uint8_t)(1 + rng_below(r, 255))), 0);
}

static void record_bytes(journal *j, rng *r, int kind)
{
	uint64_t off, len;
	pick_range(r, &off, &len);
	if (kind == 0) {
		uint8_t buf[3 * DPS];
		for (uint64_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rng_next(r);
		ck_assert_int_eq(journal_write(j, off, buf, len), 0);
	} else if (kind == 1) {
		uint8_t value = rng_below(r, 2) ? 0 : (uint8_t)rng_next(r);
		ck_assert_int_eq(journal_fill(j, off, len, value), 0);
	} else {
		ck_assert_int_eq(journal_touch(j, off, len), 0);
	}
}

static void record_pages(journal *j, rng *r, int kind)
{
	uint64_t first, n;
	pick_pages(r, &first, &n);
	if (kind == 0) {
		uint32_t nbytes = 1 + (uint32_t)rng_below(r, DPS);
		ck_assert_int_eq(journal_write_random(j, first, n, nbytes, rng_next(r)), 0);
	} else if (kind == 1) {
		ck_assert_int_eq(journal_rewrite(j, first, n, CONTENT_RANDOM), 0);
	} else if (kind == 2) {
		ck_assert_int_eq(journal_rewrite(j, first, n, CONTENT_ZERO), 0);
	} else {
		uint64_t src;
		do
			src = rng_below(r, DPAGES - n + 1);
		while (src < first + n && first < src + n);
		ck_assert_int_eq(journal_copy(j, first, src, n), 0);
	}
}

static void record_picks(journal *j, rng *r)
{
	static const char kinds[] = "wrt";
	char kind = kinds[rng_below(r, 3)];
	ck_assert_int_eq(
	    journal_picks(j, kind, 1 + (uint32_t)rng_below(r, DPS), CONTENT_RANDOM, rng_next(r)),
	    0);
	for (uint64_t n = rng_below(r, 7); n > 0; n--)
		ck_assert_int_eq(journal_pick(j, rng_below(r, DPAGES)), 0);
}

/* One step's operations, drawn from r; now and then a read of the step's
 * bytes (a flush) between two of them. */
static void record_step(journal *j, guest *g, rng *r)
{
	for (uint64_t n = 1 + rng_below(r, 16); n > 0; n--) {
		int kind = (int)rng_below(r, 9);
		if (kind == 0)
			record_inc(j, r);
		else if (kind <= 3)
			record_bytes(j, r, kind - 1);
		else if (kind <= 7)
			record_pages(j, r, kind - 4);
		else
			record_picks(j, r);
		if (rng_below(r, 20) == 0)
			flush(j, g);
	}
}

/* Applies the scheduled step in pieces at increasing times, with or without
 * the callback, now and then shifting it (a pause) or flushing it. */
static void apply_in_pieces(journal *j, guest *g, rng *r, int64_t start, int64_t span)
{
	uint64_t step = (uint64_t)span / 6 + 1;
	int64_t t = start - 1;
	struct calls c = {j, NULL, 0, INT64_MIN};
	for (int rounds = 0; journal_next_due(j) != INT64_MAX; rounds++) {
		ck_assert_int_lt(rounds, 100000);
		uint64_t what = rng_below(r, 12);
		if (what == 0) {
			flush(j, g);
		} else if (what == 1) {
			journal_shift(j, (int64_t)rng_below(r, step));
		} else {
			err e = {{0}};
			ck_assert_int_eq(journal_apply(j, g, t, what == 2 ? on_unit : NULL, &c, &e),
					 0);
			ck_assert_int_gt(journal_next_due(j), t);
		}
		t = t >= INT64_MAX - (int64_t)step ? INT64_MAX
						   : t + 1 + (int64_t)rng_below(r, step);
	}
	/* a unit shifted to the end of the clock is due at INT64_MAX, which
	 * next_due cannot tell from none: it lands before the next step */
	apply(j, g, INT64_MAX);
}

static int64_t draw_span(rng *r)
{
	switch (rng_below(r, 8)) {
	case 0:
		return 0;
	case 1:
		return (int64_t)1 << 62;
	default:
		return (int64_t)rng_below(r, 1000000);
	}
}

static void same_guests(guest *a, guest *b, uint64_t seed)
{
	uint64_t diff = 0;
	ck_assert_msg(guest_compare(a, b, &diff) == 0, "seed %llu: page %llu differs",
		      (unsigned long long)seed, (unsigned long long)diff);
	for (uint64_t p = 0; p < DPAGES; p++) {
		ck_assert_int_eq(guest_page_kind(a, p), guest_page_kind(b, p));
		ck_assert_msg(guest_page_version(a, p) == guest_page_version(b, p),
			      "seed %llu: page %llu version %u, at once %u",
			      (unsigned long long)seed, (unsigned long long)p,
			      guest_page_version(a, p), guest_page_version(b, p));
	}
	ck_assert_uint_eq(guest_dirty_count(a), guest_dirty_count(b));
	uint64_t bits_a[1] = {0}, bits_b[1] = {0};
	guest_dirty_sync(a, bits_a);
	guest_dirty_sync(b, bits_b);
	ck_assert_uint_eq(bits_a[0], bits_b[0]);
}

START_TEST(test_pieces_match_at_once)
{
	for (uint64_t seed = 1; seed <= 400; seed++) {
		guest *spread = mkguest(DPAGES, DPS), *once = mkguest(DPAGES, DPS);
		journal *js = mkjournal(DPS), *jo = mkjournal(DPS);
		rng ops, when;
		rng_seed(&ops, seed, "jtest ops");
		rng_seed(&when, seed, "jtest times");
		int64_t start = (int64_t)rng_below(&when, 1000);
		for (int s = 0; s < 3; s++) {
			rng same = ops;
			int64_t span = draw_span(&when);
			journal_begin(js);
			record_step(js, spread, &ops);
			journal_schedule(js, start, span);
			apply_in_pieces(js, spread, &when, start, span);
			journal_begin(jo);
			record_step(jo, once, &same);
			flush(jo, once);
			same_guests(spread, once, seed);
			start = span > INT64_MAX / 4 ? 0 : start + span;
		}
		journal_free(js);
		journal_free(jo);
		guest_free(spread);
		guest_free(once);
	}
}
END_TEST

/* --- deferred increments vs eager ----------------------------------------- */

/* One guest written eagerly (MIGSIM_EAGER_WRITES's path), one with its
 * increments deferred (guest_inc_defer), fed the same steps, applied to the
 * same times, and read alike at random points in between: a page's kind,
 * version and bytes, the dirty log's syncs (bitmaps and counts, with and
 * without manual clearing, with clears of random ranges), the count of
 * pages written, flushes and pauses, and bytes held across writes. Every
 * read must find the two alike. */
struct pair {
	guest *eager, *defer;
	journal *je, *jd;
	uint64_t bits_e[1], bits_d[1];
	uint64_t seed;
};

/* Half the increments are one of three per seed, again and again, so that
 * runs of identical ones merge; the rest are random, so that runs are
 * dropped for new ones too. */
static void record_inc_or_repeat(journal *j, rng *r, const uint64_t fav[3][4])
{
	if (rng_below(r, 2)) {
		record_inc(j, r);
		return;
	}
	const uint64_t *f = fav[rng_below(r, 3)];
	ck_assert_int_eq(journal_inc(j, f[0], f[1], f[2], (uint8_t)f[3]), 0);
}

static void record_mixed_step(journal *j, rng *r, const uint64_t fav[3][4])
{
	for (uint64_t n = 1 + rng_below(r, 12); n > 0; n--) {
		int kind = (int)rng_below(r, 14);
		if (kind <= 5)
			record_inc_or_repeat(j, r, fav);
		else if (kind <= 8)
			record_bytes(j, r, kind - 6);
		else if (kind <= 12)
			record_pages(j, r, kind - 9);
		else
			record_picks(j, r);
	}
}

static void same_page(struct pair *x, uint64_t p, int bytes)
{
	ck_assert_msg(guest_page_kind(x->eager, p) == guest_page_kind(x->defer, p) &&
			  guest_page_version(x->eager, p) == guest_page_version(x->defer, p),
		      "seed %llu: page %llu: kind %d version %u eager, kind %d version %u deferred",
		      (unsigned long long)x->seed, (unsigned long long)p,
		      guest_page_kind(x->eager, p), guest_page_version(x->eager, p),
		      guest_page_kind(x->defer, p), guest_page_version(x->defer, p));
	if (!bytes)
		return;
	uint8_t a[DPS], b[DPS];
	memcpy(a, guest_page_bytes(x->eager, p, a), DPS);
	memcpy(b, guest_page_bytes(x->defer, p, b), DPS);
	ck_assert_msg(memcmp(a, b, DPS) == 0, "seed %llu: page %llu's bytes differ",
		      (unsigned long long)x->seed, (unsigned long long)p);
}

/* A read of both guests, drawn from r. */
static void read_both(struct pair *x, rng *r)
{
	uint64_t first = rng_below(r, DPAGES);
	switch (rng_below(r, 6)) {
	case 0:
	case 1:
		same_page(x, first, 0);
		break;
	case 2:
		same_page(x, first, 1);
		break;
	case 3: {
		uint64_t fe = guest_dirty_sync(x->eager, x->bits_e);
		uint64_t fd = guest_dirty_sync(x->defer, x->bits_d);
		ck_assert_msg(fe == fd && x->bits_e[0] == x->bits_d[0],
			      "seed %llu: sync: %llu new, %llx eager; %llu, %llx deferred",
			      (unsigned long long)x->seed, (unsigned long long)fe,
			      (unsigned long long)x->bits_e[0], (unsigned long long)fd,
			      (unsigned long long)x->bits_d[0]);
		if (rng_below(r, 2)) /* the migration sent them */
			x->bits_e[0] = x->bits_d[0] = 0;
		break;
	}
	case 4: {
		uint64_t n = 1 + rng_below(r, DPAGES - first);
		guest_dirty_clear(x->eager, first, n);
		guest_dirty_clear(x->defer, first, n);
		break;
	}
	default:
		ck_assert_uint_eq(guest_dirty_count(x->eager), guest_dirty_count(x->defer));
	}
}

/* The migration holds a page's bytes while the vCPU writes on (host-cpus
 * 1: its thread's CPU time lets the vCPU's writes up to then land): stored
 * bytes change under the pointer, in both guests alike. */
static void apply_while_reading(struct pair *x, rng *r, int64_t t)
{
	uint8_t se[DPS], sd[DPS];
	uint64_t p = rng_below(r, DPAGES);
	const uint8_t *be = guest_page_bytes(x->eager, p, se);
	const uint8_t *bd = guest_page_bytes(x->defer, p, sd);
	apply(x->je, x->eager, t);
	apply(x->jd, x->defer, t);
	ck_assert_msg(memcmp(be, bd, DPS) == 0, "seed %llu: page %llu's bytes held differ",
		      (unsigned long long)x->seed, (unsigned long long)p);
}

/* A step scheduled over [start, start + span) applied to both in pieces,
 * with reads, flushes and pauses in between. */
static void apply_both(struct pair *x, rng *r, int64_t start, int64_t span)
{
	uint64_t step = (uint64_t)span / 6 + 1;
	int64_t t = start - 1;
	for (int rounds = 0; journal_next_due(x->jd) != INT64_MAX; rounds++) {
		ck_assert_int_lt(rounds, 100000);
		uint64_t what = rng_below(r, 16);
		if (what == 0) {
			flush(x->je, x->eager);
			flush(x->jd, x->defer);
		} else if (what == 1) {
			int64_t d = (int64_t)rng_below(r, step);
			journal_shift(x->je, d);
			journal_shift(x->jd, d);
		} else if (what <= 6) {
			read_both(x, r);
		} else if (what <= 9) {
			apply(x->je, x->eager, t);
			apply(x->jd, x->defer, t);
		} else {
			apply_while_reading(x, r, t);
		}
		ck_assert_int_eq(journal_next_due(x->je), journal_next_due(x->jd));
		t = t >= INT64_MAX - (int64_t)step ? INT64_MAX
						   : t + 1 + (int64_t)rng_below(r, step);
	}
	apply(x->je, x->eager, INT64_MAX);
	apply(x->jd, x->defer, INT64_MAX);
}

static void draw_favourites(rng *r, uint64_t fav[3][4])
{
	static const uint64_t strides[] = {0, 1, 64, DPS - 1, DPS, 2 * DPS + 3};
	for (int i = 0; i < 3; i++) {
		uint64_t stride = strides[rng_below(r, sizeof strides / sizeof strides[0])];
		uint64_t off = rng_below(r, DRAM), count = 1;
		if (stride) {
			uint64_t most = (DRAM - 1 - off) / stride + 1;
			count = 1 + rng_below(r, most);
		}
		fav[i][0] = off, fav[i][1] = stride, fav[i][2] = count;
		fav[i][3] = 1 + rng_below(r, 255);
	}
}

START_TEST(test_deferred_matches_eager)
{
	for (uint64_t seed = 1; seed <= 400; seed++) {
		struct pair x = {
		    mkguest(DPAGES, DPS), mkguest(DPAGES, DPS), NULL, NULL, {0}, {0}, seed};
		journal_eager_writes(1);
		x.je = mkjournal(DPS);
		journal_eager_writes(0);
		x.jd = mkjournal(DPS);
		rng ops, when;
		rng_seed(&ops, seed, "jdefer ops");
		rng_seed(&when, seed, "jdefer times");
		uint64_t fav[3][4];
		draw_favourites(&ops, fav);
		if (rng_below(&when, 2)) {
			err e = {{0}};
			ck_assert_int_eq(guest_dirty_manual(x.eager, &e), 0);
			ck_assert_int_eq(guest_dirty_manual(x.defer, &e), 0);
		}
		int64_t start = (int64_t)rng_below(&when, 1000);
		for (int s = 0; s < 12; s++) {
			rng same = ops;
			int64_t span = draw_span(&when);
			journal_begin(x.je);
			record_mixed_step(x.je, &ops, fav);
			journal_begin(x.jd);
			record_mixed_step(x.jd, &same, fav);
			journal_schedule(x.je, start, span);
			journal_schedule(x.jd, start, span);
			apply_both(&x, &when, start, span);
			start = span > INT64_MAX / 4 ? 0 : start + span;
		}
		for (uint64_t p = 0; p < DPAGES; p++)
			same_page(&x, p, 1);
		same_guests(x.eager, x.defer, seed);
		ck_assert_uint_eq(guest_host_bytes(x.eager), guest_host_bytes(x.defer));
		ck_assert_uint_eq(guest_material_pages(x.eager), guest_material_pages(x.defer));
		journal_free(x.je);
		journal_free(x.jd);
		guest_free(x.eager);
		guest_free(x.defer);
	}
}
END_TEST

/* --- journal_full --------------------------------------------------------- */

/* A step of many picks outgrows JOURNAL_MAX_BYTES: 8 bytes a pick. */
START_TEST(test_full)
{
	const uint64_t per_pick = sizeof(uint64_t), picks = JOURNAL_MAX_BYTES / per_pick;
	guest *g = mkguest(4, PS);
	journal *j = mkjournal(PS);
	journal_begin(j);
	ck_assert_int_eq(journal_picks(j, 't', 0, CONTENT_RANDOM, 0), 0);
	uint64_t n = 0;
	for (; n < picks - 1024; n++)
		ck_assert_int_eq(journal_pick(j, n % 4), 0);
	ck_assert_int_eq(journal_full(j), 0);
	for (; n <= picks && !journal_full(j); n++)
		ck_assert_int_eq(journal_pick(j, n % 4), 0);
	ck_assert_int_eq(journal_full(j), 1);
	ck_assert_uint_le(n, picks + 1);
	flush(j, g);
	ck_assert_int_eq(journal_full(j), 0);
	ck_assert_uint_eq(guest_dirty_count(g), 0); /* touches write nothing */
	journal_free(j);
	guest_free(g);
}
END_TEST

Suite *journal_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *t = tcase_create("core");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_schedule_times);
	tcase_add_test(t, test_schedule_huge_times);
	tcase_add_test(t, test_shift_and_next_due);
	tcase_add_test(t, test_flush_keeps_step_weight);
	tcase_add_test(t, test_callback_per_unit);
	tcase_add_test(t, test_pieces_match_at_once);
	tcase_add_test(t, test_deferred_matches_eager);
	tcase_add_test(t, test_full);
	suite_add_tcase(s, t);
	return s;
}
