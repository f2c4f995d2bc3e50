/*
 * sat — saturating arithmetic for the model's times (int64 ns), byte counts
 * (uint64) and the doubles they are computed from. Accepted inputs can be
 * extreme (a latency of centuries, a rate of 1e-300 B/s, a cost of 1e300 ns
 * per byte); the model combines them with these helpers so that a result past
 * the range sticks at its end instead of wrapping or becoming undefined: a
 * time of INT64_MAX ns (~292 years) means "never", and the migration's
 * deadline or the end of the simulated clock (sim/mig.c) turns it into a
 * failed run.
 *
 * Conversions from double truncate toward zero like a cast, so a value in
 * range converts exactly as before; a NaN (an undefined ratio such as
 * infinity over infinity) converts to the maximum, "never" or "unbounded",
 * the reading that ends a run rather than one that passes it off as instant.
 */
#ifndef MIGSIM_SAT_H
#define MIGSIM_SAT_H

#include <stdint.h>

/* 2^63 and 2^64, the first doubles past INT64_MAX and UINT64_MAX. */
#define SAT_TWO_63 9223372036854775808.0
#define SAT_TWO_64 18446744073709551616.0

static inline int64_t sat_add(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static inline uint64_t sat_addu(uint64_t a, uint64_t b)
{
	uint64_t r;
	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* Nanoseconds from a double. */
static inline int64_t sat_ns(double x)
{
	if (!(x < SAT_TWO_63))
		return INT64_MAX; /* also NaN */
	if (x < -SAT_TWO_63)
		return INT64_MIN;
	return (int64_t)x;
}

/* A byte count from a double; negative ones are 0. */
static inline uint64_t sat_u64(double x)
{
	if (!(x < SAT_TWO_64))
		return UINT64_MAX; /* also NaN */
	if (x <= 0)
		return 0;
	return (uint64_t)x;
}

#endif
