/*
 * link — a wire shared by sockets, each behind its own bounded send buffer,
 * and urgent bytes (see link.h). The sockets' writes form one queue, the
 * "main stream", served in submission order; each queue is tracked by the
 * time it becomes idle, and each socket by the time its own last byte
 * leaves, which is what its writer's buffer waits for. Urgent bytes that go ahead of queued
 * main-stream bytes delay them; each such overtake is logged so that a byte's arrival, fixed when
 * it was queued, can be brought up to date later without a per-byte record. Times saturate at the
 * end of the simulated clock (sim/sat.h): a wire too slow for its bytes to leave within ~292 years
 * is busy "forever", not busy until a wrapped time.
 */
#include "link.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sat.h"

int link_init(struct link *l, const struct link_config *cfg, err *e)
{
	if (!(cfg->bandwidth > 0) || !isfinite(cfg->bandwidth))
		return err_set(e, "link bandwidth must be a positive rate");
	if (cfg->latency < 0)
		return err_set(e, "link latency must not be negative");
	*l = (struct link){
	    .cfg = *cfg,
	    .main = {.buffer_bytes = cfg->buffer_bytes, .latency = cfg->latency},
	};
	return 0;
}

void link_free(struct link *l)
{
	free(l->overtakes);
	l->overtakes = NULL;
	l->n_overtakes = l->cap_overtakes = 0;
	free(l->main.spans);
	l->main.spans = NULL;
	for (size_t i = 0; i < l->nsocks; i++)
		free(l->socks[i].spans);
	free(l->socks);
	l->socks = NULL;
	l->nsocks = l->cap_socks = 0;
}

static int log_span(struct link_socket *s, double now, double start, double end, double bytes);

/* Alone on the wire and unpaced, the main channel's socket keeps no spans:
 * its queue is the wire's. When a second socket opens or a pacer is set,
 * the train it has on the wire (from main_run on, its own bytes only)
 * becomes its first span, so that its writer still blocks on what it
 * queued before. */
static int seed_main_span(struct link *l)
{
	struct link_socket *s = &l->main;
	if (l->nsocks || l->paced || s->buffer_bytes == 0 || !(s->free > l->main_run))
		return 0;
	double bytes = (s->free - l->main_run) * l->cfg.bandwidth / 1e9;
	return log_span(s, l->main_run, l->main_run, s->free, bytes);
}

int link_socket_open(struct link *l, uint64_t buffer_bytes, int64_t latency, int *id, err *e)
{
	if (latency < 0)
		return err_set(e, "a socket's latency must not be negative");
	if (seed_main_span(l) < 0)
		return err_set(e, "out of memory for the link's sockets");
	if (l->nsocks == l->cap_socks) {
		size_t cap = l->cap_socks ? 2 * l->cap_socks : 8;
		struct link_socket *grown = realloc(l->socks, cap * sizeof *grown);
		if (!grown)
			return err_set(e, "out of memory for the link's sockets");
		l->socks = grown;
		l->cap_socks = cap;
	}
	l->socks[l->nsocks++] =
	    (struct link_socket){.buffer_bytes = buffer_bytes, .latency = latency};
	*id = (int)l->nsocks;
	l->socks[l->nsocks - 1].pace = *id;
	return 0;
}

static struct link_socket *socket_of(struct link *l, int id)
{
	if (id == LINK_MAIN)
		return &l->main;
	return id > 0 && (size_t)id <= l->nsocks ? &l->socks[id - 1] : NULL;
}

const struct link_socket *link_socket_get(const struct link *l, int id)
{
	return socket_of((struct link *)l, id);
}

int link_socket_join(struct link *l, int id, int with, err *e)
{
	struct link_socket *s = socket_of(l, id), *w = socket_of(l, with);
	if (!s || !w)
		return err_set(e, "no such socket on the link");
	s->pace = w->pace;
	return 0;
}

int link_socket_pace(struct link *l, int id, double rate, err *e)
{
	struct link_socket *s = socket_of(l, id);
	if (!s || !(rate >= 0) || !isfinite(rate))
		return err_set(e, "a pacing rate is a socket's and not negative");
	s = socket_of(l, s->pace);
	/* A socket alone on the wire keeps no spans (its queue is the wire's);
	 * paced, its bytes leave the wire ahead of passing the bottleneck. */
	if (rate > 0 && !l->paced && seed_main_span(l) < 0)
		return err_set(e, "out of memory for the link's sockets");
	l->paced |= rate > 0;
	s->pace_rate = rate;
	return 0;
}

int64_t link_socket_latency(const struct link *l, int id)
{
	const struct link_socket *s = link_socket_get(l, id);
	return s ? s->latency : l->main.latency;
}

/* Capped at 2^63 ns, "never": times stay finite, so no difference of two
 * such times is infinity minus infinity. */
static double ns_cap(double ns)
{
	return ns < SAT_TWO_63 ? ns : SAT_TWO_63;
}

static double ns_for(const struct link *l, double bytes)
{
	return ns_cap(bytes * 1e9 / l->cfg.bandwidth);
}

static double later(double a, double b)
{
	return a > b ? a : b;
}

int64_t link_send(struct link *l, int64_t t, uint64_t bytes)
{
	return link_socket_send(l, LINK_MAIN, t, bytes);
}

/* Logs the socket's bytes on the wire from start to end, merged with its
 * last span when they follow it; spans gone by `now` are dropped. */
static int log_span(struct link_socket *s, double now, double start, double end, double bytes)
{
	while (s->head < s->n && s->spans[s->head].end <= now)
		s->head++;
	if (s->head == s->n)
		s->head = s->n = 0;
	if (s->n > s->head && s->spans[s->n - 1].end >= start) {
		s->spans[s->n - 1].end = end;
		s->spans[s->n - 1].bytes += bytes;
		return 0;
	}
	if (s->n == s->cap) {
		if (s->head) {
			s->n -= s->head;
			memmove(s->spans, s->spans + s->head, s->n * sizeof *s->spans);
			s->head = 0;
		}
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 16;
			struct link_span *grown = realloc(s->spans, cap * sizeof *grown);
			if (!grown)
				return -1;
			s->spans = grown;
			s->cap = cap;
		}
	}
	s->spans[s->n++] = (struct link_span){start, end, bytes};
	return 0;
}

/* The part of the span's bytes still on the wire (or before it) at t. */
static double span_left(const struct link_span *sp, double t)
{
	if (t <= sp->start)
		return sp->bytes;
	if (t >= sp->end)
		return 0;
	return sp->bytes * (sp->end - t) / (sp->end - sp->start);
}

/* When no more than the socket's buffer of its own bytes remains queued,
 * from t on: its spans drain in order, each at the wire's rate while it
 * is on the wire. */
static double own_resume(const struct link_socket *s, double t)
{
	double queued = 0;
	for (size_t i = s->head; i < s->n; i++)
		queued += span_left(&s->spans[i], t);
	double excess = queued - (double)s->buffer_bytes;
	for (size_t i = s->head; i < s->n && excess > 0; i++) {
		const struct link_span *sp = &s->spans[i];
		double here = span_left(sp, t);
		if (here <= 0)
			continue;
		double from = later(t, sp->start);
		if (here >= excess)
			return from + (sp->end - from) * excess / here;
		excess -= here;
	}
	return t;
}

static int64_t shared_send(struct link *l, struct link_socket *s, int64_t t, uint64_t bytes);

int64_t link_socket_send(struct link *l, int id, int64_t t, uint64_t bytes)
{
	struct link_socket *s = socket_of(l, id);
	if (!s)
		return t;
	if (l->nsocks || l->paced)
		return shared_send(l, s, t, bytes);
	/* Behind every socket's bytes submitted before, and urgent ones on the wire. */
	double start = later(later((double)t, l->main_free), l->urgent_free);
	if (start > l->main_free)
		l->main_run = start;
	l->main_free = ns_cap(start + ns_for(l, (double)bytes));
	l->wire_free = later(l->wire_free, l->main_free);
	l->sent = sat_addu(l->sent, bytes);
	s->free = l->main_free;
	s->sent = sat_addu(s->sent, bytes);
	if (s->buffer_bytes == 0)
		return t;
	/* The writer continues once no more than its buffer of its own bytes
	 * remains queued. */
	double resume = s->free - ns_for(l, (double)s->buffer_bytes);
	if (resume <= (double)t)
		return t;
	return sat_ns(ceil(resume));
}

/* link_socket_send with other sockets open: the socket's own bytes are
 * no longer one run on the wire, so its buffer is followed span by span.
 * (Alone on the wire, the socket's queue is the wire's: below.) */
static int64_t shared_send(struct link *l, struct link_socket *s, int64_t t, uint64_t bytes)
{
	double start = later(later((double)t, l->main_free), l->urgent_free);
	if (start > l->main_free)
		l->main_run = start;
	double end = ns_cap(start + ns_for(l, (double)bytes));
	l->main_free = end;
	l->wire_free = later(l->wire_free, end);
	l->sent = sat_addu(l->sent, bytes);
	/* Paced, the bytes pass the bottleneck in turn behind the group's
	 * earlier ones, as they arrive from the wire (cut through, not stored
	 * and forwarded), at the pacer's rate and no sooner than the wire. */
	struct link_socket *p = socket_of(l, s->pace);
	if (p && p->pace_rate > 0) {
		start = later(start, p->pace_free);
		end = later(end, ns_cap(start + (double)bytes * 1e9 / p->pace_rate));
		p->pace_free = end;
		l->paced_free = later(l->paced_free, end);
	}
	s->free = end;
	s->sent = sat_addu(s->sent, bytes);
	if (s->buffer_bytes == 0 || bytes == 0)
		return t;
	if (log_span(s, (double)t, start, end, (double)bytes) < 0)
		return sat_ns(ceil(end)); /* out of memory: as if the buffer held nothing */
	double resume = own_resume(s, (double)t);
	return resume <= (double)t ? t : sat_ns(ceil(resume));
}

/* Urgent bytes that went ahead delay every socket's bytes queued after
 * `from`. */
static void delay_socket(struct link_socket *s, double from, double delay)
{
	if (s->free > from)
		s->free = ns_cap(s->free + delay);
	if (s->pace_free > from)
		s->pace_free = ns_cap(s->pace_free + delay);
	for (size_t i = s->head; i < s->n; i++) {
		struct link_span *sp = &s->spans[i];
		if (sp->end <= from)
			continue;
		if (sp->start >= from)
			sp->start = ns_cap(sp->start + delay);
		sp->end = ns_cap(sp->end + delay);
	}
}

static void delay_sockets(struct link *l, double from, double delay)
{
	delay_socket(&l->main, from, delay);
	for (size_t i = 0; i < l->nsocks; i++)
		delay_socket(&l->socks[i], from, delay);
}

/* Urgent bytes wait for earlier urgent ones, or for the end of the main
 * stream's packet being transmitted, never for its buffered bytes. */
static double urgent_start(const struct link *l, double t)
{
	if (t < l->urgent_free)
		return l->urgent_free;
	if (t >= l->main_free || t < l->main_run)
		return t;
	double packet = ns_for(l, LINK_PACKET_BYTES);
	double boundary = l->main_run + ceil((t - l->main_run) / packet) * packet;
	return boundary < l->main_free ? boundary : l->main_free;
}

static double total_delay(const struct link *l)
{
	return l->n_overtakes ? l->overtakes[l->n_overtakes - 1].delay_after : 0;
}

static int log_overtake(struct link *l, double start, double delay, err *e)
{
	if (l->n_overtakes == l->cap_overtakes) {
		size_t cap = l->cap_overtakes ? 2 * l->cap_overtakes : 64;
		struct link_overtake *grown = realloc(l->overtakes, cap * sizeof *grown);
		if (!grown)
			return err_set(e, "out of memory for the link's urgent pages");
		l->overtakes = grown;
		l->cap_overtakes = cap;
	}
	double before = total_delay(l);
	l->overtakes[l->n_overtakes++] = (struct link_overtake){
	    .main_end = l->main_free,
	    .key = start - before,
	    .delay_after = before + delay,
	};
	return 0;
}

int link_send_urgent(struct link *l, int id, int64_t t, uint64_t bytes, int64_t *arrival, err *e)
{
	double start = urgent_start(l, (double)t);
	double end = ns_cap(start + ns_for(l, (double)bytes));
	/* The main stream's bytes after `start` (its train resumes there, or
	 * later if it had not begun) now wait for the urgent ones. */
	double resumes = later(start, l->main_run);
	if (l->main_free > start && end > resumes) {
		double delay = end - resumes;
		if (log_overtake(l, start, delay, e) < 0)
			return -1;
		delay_sockets(l, resumes, delay);
		l->main_free = ns_cap(l->main_free + delay);
		l->main_run = end;
	}
	l->urgent_free = end;
	l->wire_free = later(later(l->wire_free, end), l->main_free);
	l->sent = sat_addu(l->sent, bytes);
	*arrival = sat_add(sat_ns(ceil(end)), link_socket_latency(l, id));
	return 0;
}

int64_t link_arrival(const struct link *l)
{
	return sat_add(sat_ns(ceil(later(l->wire_free, l->paced_free))), l->cfg.latency);
}

int64_t link_socket_arrival(const struct link *l, int id)
{
	const struct link_socket *s = link_socket_get(l, id);
	return s ? sat_add(sat_ns(ceil(s->free)), s->latency) : 0;
}

/* The first overtake from `lo` on whose double at `field` (an offset into
 * struct link_overtake; both fields searched grow along the log) is >= x. */
static size_t first_at_least(const struct link *l, size_t lo, size_t field, double x)
{
	size_t hi = l->n_overtakes;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		double v;
		memcpy(&v, (const char *)&l->overtakes[mid] + field, sizeof v);
		if (v >= x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The byte left the wire at `left` (then - its socket's latency, rounded
 * up). The overtakes that delayed it are those logged after it was queued
 * (their main_end is not before `left`: a byte queued later would have left
 * after it) whose start came before it left, delays included: key < left -
 * the delay it already had when it was queued. */
int64_t link_arrival_of(const struct link *l, int id, int64_t then)
{
	if (then == INT64_MAX || !l->n_overtakes)
		return then;
	double left = (double)(then - link_socket_latency(l, id));
	/* Half a nanosecond below: `left` was rounded up from the exact time. */
	size_t first = first_at_least(l, 0, offsetof(struct link_overtake, main_end), left - 0.5);
	if (first == l->n_overtakes)
		return then;
	double had = first ? l->overtakes[first - 1].delay_after : 0;
	size_t past = first_at_least(l, first, offsetof(struct link_overtake, key), left - had);
	double delay = (past ? l->overtakes[past - 1].delay_after : 0) - had;
	return delay > 0 ? sat_ns(ceil((double)then + delay)) : then;
}

uint64_t link_backlog(const struct link *l, int64_t t)
{
	if (l->wire_free <= (double)t)
		return 0;
	return sat_u64((l->wire_free - (double)t) * l->cfg.bandwidth / 1e9);
}
