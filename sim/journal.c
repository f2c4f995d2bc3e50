/*
 * journal — a step's writes applied over its time (see journal.h).
 *
 * Records sit in one array in program order; `head` is the first not fully
 * applied, and within it `done` counts the units applied. A batch's picked
 * pages and the bytes of r:write go to two side arrays. Everything is
 * emptied when a new step begins with nothing left to apply, so the arrays
 * only grow to the largest step's size.
 */
#include "journal.h"

#include <stdlib.h>
#include <string.h>

#include "sat.h"

enum op_kind {
	OP_INC,
	OP_WRITE,
	OP_FILL,
	OP_TOUCH,
	OP_WRITE_RANDOM,
	OP_REWRITE,
	OP_COPY,
	OP_PICKS
};

#define UNSCHEDULED INT64_MIN

struct op {
	uint8_t kind;
	uint8_t pick;	 /* OP_PICKS: 'w', 'r' or 't' */
	uint8_t byte;	 /* OP_INC's delta, OP_FILL's value, a rewrite's content class */
	uint32_t nbytes; /* random bytes a page */
	/* OP_INC: offset, stride, count; OP_WRITE/FILL/TOUCH: offset, len, first
	 * byte in `data`; page operations: first page, pages, source page
	 * (OP_COPY); OP_PICKS: first pick in `picks`. */
	uint64_t a, b, c;
	uint64_t units, done;
	uint64_t weight; /* pages touched: the op's share of the step's time */
	int64_t start, end;
	rng r;
};

struct journal {
	uint32_t ps;
	int eager; /* increments applied as they come due, not deferred */
	struct op *ops;
	size_t n, cap, head;
	size_t step_first;     /* the current step's first record */
	uint64_t step_flushed; /* weight of the step's records a flush applied and dropped */
	uint64_t *picks;
	size_t npicks, cap_picks;
	uint8_t *data;
	size_t ndata, cap_data;
};

/* Read by journal_new only: set before any run starts (the CLI does it
 * once, from MIGSIM_EAGER_WRITES), it is the same for every journal. */
static int eager_writes;

void journal_eager_writes(int on)
{
	eager_writes = on;
}

int journal_new(journal **out, uint32_t page_size, err *e)
{
	journal *j = calloc(1, sizeof *j);
	if (!j)
		return err_set(e, "out of memory");
	j->ps = page_size;
	j->eager = eager_writes;
	*out = j;
	return 0;
}

void journal_free(journal *j)
{
	if (!j)
		return;
	free(j->ops);
	free(j->picks);
	free(j->data);
	free(j);
}

/* --- recording ------------------------------------------------------------------------------ */

void journal_begin(journal *j)
{
	if (j->head == j->n)
		j->n = j->head = j->npicks = j->ndata = 0;
	j->step_first = j->n;
	j->step_flushed = 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

static struct op *add(journal *j, enum op_kind kind, uint64_t units, uint64_t weight)
{
	if (grow((void **)&j->ops, &j->cap, j->n + 1, sizeof *j->ops) < 0)
		return NULL;
	struct op *o = &j->ops[j->n++];
	*o = (struct op){.kind = (uint8_t)kind,
			 .units = units,
			 .weight = weight,
			 .start = UNSCHEDULED,
			 .end = UNSCHEDULED};
	return o;
}

static uint64_t span_pages(const journal *j, uint64_t offset, uint64_t len)
{
	return (offset + len - 1) / j->ps - offset / j->ps + 1;
}

int journal_inc(journal *j, uint64_t offset, uint64_t stride, uint64_t count, uint8_t delta)
{
	if (count == 0)
		return 0;
	uint64_t span = span_pages(j, offset, (count - 1) * stride + 1);
	struct op *o = add(j, OP_INC, count, count < span ? count : span);
	if (!o)
		return -1;
	o->a = offset, o->b = stride, o->c = count, o->byte = delta;
	return 0;
}

static int bytes_op(journal *j, enum op_kind kind, uint64_t offset, uint64_t len)
{
	if (len == 0)
		return 0;
	uint64_t pages = span_pages(j, offset, len);
	struct op *o = add(j, kind, pages, pages);
	if (!o)
		return -1;
	o->a = offset, o->b = len;
	return 0;
}

int journal_write(journal *j, uint64_t offset, const void *src, size_t len)
{
	if (len == 0)
		return 0;
	if (grow((void **)&j->data, &j->cap_data, j->ndata + len, 1) < 0 ||
	    bytes_op(j, OP_WRITE, offset, len) < 0)
		return -1;
	j->ops[j->n - 1].c = j->ndata;
	memcpy(j->data + j->ndata, src, len);
	j->ndata += len;
	return 0;
}

int journal_fill(journal *j, uint64_t offset, uint64_t len, uint8_t value)
{
	if (bytes_op(j, OP_FILL, offset, len) < 0)
		return -1;
	if (len)
		j->ops[j->n - 1].byte = value;
	return 0;
}

int journal_touch(journal *j, uint64_t offset, uint64_t len)
{
	return bytes_op(j, OP_TOUCH, offset, len);
}

static struct op *pages_op(journal *j, enum op_kind kind, uint64_t first, uint64_t npages)
{
	struct op *o = add(j, kind, npages, npages);
	if (o)
		o->a = first, o->b = npages;
	return o;
}

int journal_write_random(journal *j, uint64_t first, uint64_t npages, uint32_t nbytes,
			 uint64_t seed)
{
	if (npages == 0 || nbytes == 0)
		return 0;
	struct op *o = pages_op(j, OP_WRITE_RANDOM, first, npages);
	if (!o)
		return -1;
	o->nbytes = nbytes;
	rng_seed(&o->r, seed, "write_random");
	return 0;
}

int journal_rewrite(journal *j, uint64_t first, uint64_t npages, enum content_class cls)
{
	if (npages == 0)
		return 0;
	struct op *o = pages_op(j, OP_REWRITE, first, npages);
	if (!o)
		return -1;
	o->byte = (uint8_t)cls;
	return 0;
}

int journal_copy(journal *j, uint64_t dst_first, uint64_t src_first, uint64_t npages)
{
	if (npages == 0)
		return 0;
	struct op *o = pages_op(j, OP_COPY, dst_first, npages);
	if (!o)
		return -1;
	o->c = src_first;
	return 0;
}

int journal_picks(journal *j, char kind, uint32_t nbytes, enum content_class cls, uint64_t seed)
{
	struct op *o = add(j, OP_PICKS, 0, 0);
	if (!o)
		return -1;
	o->pick = (uint8_t)kind;
	o->byte = (uint8_t)cls;
	o->nbytes = nbytes;
	o->a = j->npicks;
	rng_seed(&o->r, seed, "write_random");
	return 0;
}

int journal_pick(journal *j, uint64_t page)
{
	if (grow((void **)&j->picks, &j->cap_picks, j->npicks + 1, sizeof *j->picks) < 0)
		return -1;
	j->picks[j->npicks++] = page;
	struct op *o = &j->ops[j->n - 1];
	o->units++;
	o->weight++;
	return 0;
}

int journal_full(const journal *j)
{
	return (j->n - j->step_first) * sizeof *j->ops + j->npicks * sizeof *j->picks + j->ndata >
	       JOURNAL_MAX_BYTES;
}

/* --- time ------------------------------------------------------------------------------------ */

/* start + span * num / den without overflow (num <= den). */
static int64_t at_fraction(int64_t start, int64_t span, uint64_t num, uint64_t den)
{
	if (den == 0)
		return start;
	unsigned __int128 x = (unsigned __int128)(uint64_t)span * num / den;
	return sat_add(start, (int64_t)(uint64_t)x);
}

void journal_schedule(journal *j, int64_t start, int64_t span)
{
	if (span < 0)
		span = 0;
	uint64_t total = j->step_flushed, before = j->step_flushed;
	for (size_t i = j->step_first; i < j->n; i++)
		total = sat_addu(total, j->ops[i].weight);
	for (size_t i = j->step_first; i < j->n; i++) {
		struct op *o = &j->ops[i];
		o->start = at_fraction(start, span, before, total);
		before = sat_addu(before, o->weight);
		o->end = at_fraction(start, span, before, total);
	}
}

void journal_shift(journal *j, int64_t delta)
{
	for (size_t i = j->head; i < j->n; i++) {
		struct op *o = &j->ops[i];
		if (o->start == UNSCHEDULED)
			continue;
		o->start = sat_add(o->start, delta);
		o->end = sat_add(o->end, delta);
	}
}

/* Unit u's time: start + (end - start) * u / units. */
static int64_t unit_time(const struct op *o, uint64_t u)
{
	if (o->start == UNSCHEDULED)
		return UNSCHEDULED;
	return at_fraction(o->start, o->end - o->start, u, o->units);
}

/* The end of the run of units that goes to the guest with unit u: an
 * increment's units in one page go together, at the first one's time. A
 * primitive writes a page once, as when the step is applied at once: each
 * write gives the page a new version, which a later rewrite's bytes derive
 * from (sim/guest.h), so a page's bytes must not depend on how its units
 * were split. */
static uint64_t run_end(const journal *j, const struct op *o, uint64_t u)
{
	if (o->kind != OP_INC || o->b >= j->ps)
		return u + 1;
	if (o->b == 0) /* one byte */
		return o->units;
	uint64_t at = o->a + u * o->b;
	uint64_t page_end = (at / j->ps + 1) * j->ps;
	uint64_t end = u + (page_end - at + o->b - 1) / o->b;
	return end < o->units ? end : o->units;
}

/* How many of o's units are due by t: the u with unit_time(u) <= t, and
 * the rest of the last one's run. */
static uint64_t units_due(const journal *j, const struct op *o, int64_t t)
{
	if (o->start == UNSCHEDULED || t == INT64_MAX)
		return o->units;
	if (t < o->start)
		return 0;
	uint64_t span = (uint64_t)(o->end - o->start);
	if (span == 0)
		return o->units;
	/* floor(span * u / units) <= t - start  <=>  u < (t - start + 1) * units / span */
	unsigned __int128 k =
	    ((unsigned __int128)((uint64_t)(t - o->start) + 1) * o->units + span - 1) / span;
	return k == 0 ? 0 : k < o->units ? run_end(j, o, (uint64_t)k - 1) : o->units;
}

int64_t journal_next_due(const journal *j)
{
	for (size_t i = j->head; i < j->n; i++) {
		const struct op *o = &j->ops[i];
		if (o->done < o->units)
			return unit_time(o, o->done);
	}
	return INT64_MAX;
}

/* --- application ---------------------------------------------------------------------------- */

/* The bytes of an OP_WRITE/FILL/TOUCH that units [u0, u1) cover. */
static void byte_range(const journal *j, const struct op *o, uint64_t u0, uint64_t u1, uint64_t *lo,
		       uint64_t *hi)
{
	uint64_t first = o->a / j->ps, end = o->a + o->b;
	*lo = u0 == 0 ? o->a : (first + u0) * j->ps;
	*hi = u1 == o->units ? end : (first + u1) * j->ps;
}

static int apply_pick(journal *j, struct op *o, uint64_t page, guest *g, err *e)
{
	switch (o->pick) {
	case 'w':
		return guest_write_random(g, page, 1, o->nbytes, &o->r, e);
	case 'r':
		return guest_rewrite_class(g, page, 1, (enum content_class)o->byte, e);
	default:
		return guest_read(g, page * j->ps, NULL, j->ps, e);
	}
}

/* Applies units [o->done, o->done + n) of o; an increment's are handed to
 * the guest to keep (guest_inc_defer) when `defer` is set. */
static int apply_units(journal *j, struct op *o, uint64_t n, guest *g, int defer, err *e)
{
	uint64_t u0 = o->done, u1 = u0 + n, lo, hi;
	int rc = 0;
	switch (o->kind) {
	case OP_INC:
		if (defer && !j->eager)
			rc = guest_inc_defer(g, o->a, o->b, o->c, o->byte, u0, u1, e);
		else
			rc = guest_inc(g, o->a + u0 * o->b, o->b, n, o->byte, e);
		break;
	case OP_WRITE:
		byte_range(j, o, u0, u1, &lo, &hi);
		rc = guest_write(g, lo, j->data + o->c + (lo - o->a), hi - lo, e);
		break;
	case OP_FILL:
		byte_range(j, o, u0, u1, &lo, &hi);
		rc = guest_fill(g, lo, hi - lo, o->byte, e);
		break;
	case OP_TOUCH:
		byte_range(j, o, u0, u1, &lo, &hi);
		rc = guest_read(g, lo, NULL, hi - lo, e);
		break;
	case OP_WRITE_RANDOM:
		rc = guest_write_random(g, o->a + u0, n, o->nbytes, &o->r, e);
		break;
	case OP_REWRITE:
		rc = guest_rewrite_class(g, o->a + u0, n, (enum content_class)o->byte, e);
		break;
	case OP_COPY:
		rc = guest_copy(g, o->a + u0, o->c + u0, n, e);
		break;
	case OP_PICKS:
		for (uint64_t u = u0; u < u1 && rc == 0; u++)
			rc = apply_pick(j, o, j->picks[o->a + u], g, e);
		break;
	}
	if (rc < 0)
		return -1;
	o->done = u1;
	return 0;
}

/* With a time callback, run by run (due ends a run), each written at once:
 * the callback is told each one's time (a post-copy fault's). */
static int apply_op(journal *j, struct op *o, uint64_t due, guest *g, journal_at_fn at, void *ctx,
		    err *e)
{
	if (!at)
		return apply_units(j, o, due - o->done, g, 1, e);
	while (o->done < due) {
		at(ctx, unit_time(o, o->done));
		if (apply_units(j, o, run_end(j, o, o->done) - o->done, g, 0, e) < 0)
			return -1;
	}
	return 0;
}

int journal_apply(journal *j, guest *g, int64_t until, journal_at_fn at, void *ctx, err *e)
{
	while (j->head < j->n) {
		struct op *o = &j->ops[j->head];
		uint64_t due = units_due(j, o, until);
		if (due > o->done && apply_op(j, o, due, g, at, ctx, e) < 0)
			return -1;
		if (o->done < o->units)
			return 0;
		j->head++;
	}
	return 0;
}

/* Everything is applied: the records go, but the step's weight so far
 * stays, so that what the step records next is scheduled after it. */
int journal_flush(journal *j, guest *g, err *e)
{
	for (; j->head < j->n; j->head++) {
		struct op *o = &j->ops[j->head];
		if (o->done < o->units && apply_units(j, o, o->units - o->done, g, 1, e) < 0)
			return -1;
	}
	for (size_t i = j->step_first; i < j->n; i++)
		j->step_flushed = sat_addu(j->step_flushed, j->ops[i].weight);
	j->n = j->head = j->npicks = j->ndata = j->step_first = 0;
	return 0;
}
