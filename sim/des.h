/*
 * des — the discrete-event core: a simulated clock in int64 nanoseconds and a
 * queue of events ordered by (time, insertion sequence), so that events at
 * equal times run in the order they were scheduled and every run is
 * deterministic. Actors (the vCPU, the migration thread, the sampler) schedule
 * callbacks; an actor that changes its mind ignores its own stale events by
 * checking a generation number it passes as `tag`.
 */
#ifndef MIGSIM_DES_H
#define MIGSIM_DES_H

#include <stdint.h>

#include "err.h"

typedef struct des des;
typedef void (*des_fn)(void *ctx, uint64_t tag);

int des_new(des **out, err *e);
void des_free(des *q);

/* Schedules fn(ctx, tag) at absolute time t (>= des_now). Returns -1 on out of
 * memory. */
int des_schedule(des *q, int64_t t, des_fn fn, void *ctx, uint64_t tag, err *e);
/* Runs the earliest event, advancing the clock to its time. Returns 0 when
 * the queue was empty, 1 when an event ran. */
int des_step(des *q);
int64_t des_now(const des *q);
/* Time of the earliest pending event, or INT64_MAX when none. */
int64_t des_next_time(const des *q);
uint64_t des_pending(const des *q);

#endif
