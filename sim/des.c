/*
 * des — a binary min-heap of events keyed by (time, sequence); see des.h.
 * The sequence number makes the order of simultaneous events the order in
 * which they were scheduled, independent of heap internals.
 */
#include "des.h"

#include <stdlib.h>

struct event {
	int64_t t;
	uint64_t seq;
	des_fn fn;
	void *ctx;
	uint64_t tag;
};

struct des {
	struct event *heap;
	uint64_t len, cap;
	uint64_t next_seq;
	int64_t now;
};

int des_new(des **out, err *e)
{
	des *q = calloc(1, sizeof *q);
	if (!q)
		return err_set(e, "out of memory (event queue)");
	*out = q;
	return 0;
}

void des_free(des *q)
{
	if (!q)
		return;
	free(q->heap);
	free(q);
}

static int earlier(const struct event *a, const struct event *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void swap(struct event *a, struct event *b)
{
	struct event t = *a;
	*a = *b;
	*b = t;
}

static void sift_up(struct event *h, uint64_t i)
{
	while (i > 0) {
		uint64_t parent = (i - 1) / 2;
		if (!earlier(&h[i], &h[parent]))
			break;
		swap(&h[i], &h[parent]);
		i = parent;
	}
}

static void sift_down(struct event *h, uint64_t len, uint64_t i)
{
	for (;;) {
		uint64_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < len && earlier(&h[l], &h[m]))
			m = l;
		if (r < len && earlier(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		swap(&h[i], &h[m]);
		i = m;
	}
}

int des_schedule(des *q, int64_t t, des_fn fn, void *ctx, uint64_t tag, err *e)
{
	if (t < q->now)
		t = q->now; /* the past is not schedulable: run as soon as possible */
	if (q->len == q->cap) {
		uint64_t cap = q->cap ? 2 * q->cap : 16;
		struct event *h = realloc(q->heap, cap * sizeof *h);
		if (!h)
			return err_set(e, "out of memory (event queue of %llu events)",
				       (unsigned long long)q->len);
		q->heap = h;
		q->cap = cap;
	}
	q->heap[q->len] = (struct event){t, q->next_seq++, fn, ctx, tag};
	sift_up(q->heap, q->len++);
	return 0;
}

int des_step(des *q)
{
	if (q->len == 0)
		return 0;
	struct event ev = q->heap[0];
	q->heap[0] = q->heap[--q->len];
	sift_down(q->heap, q->len, 0);
	q->now = ev.t;
	ev.fn(ev.ctx, ev.tag);
	return 1;
}

int64_t des_now(const des *q)
{
	return q->now;
}

int64_t des_next_time(const des *q)
{
	return q->len ? q->heap[0].t : INT64_MAX;
}

uint64_t des_pending(const des *q)
{
	return q->len;
}
