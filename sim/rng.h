/*
 * rng — seeded pseudo-random streams. Every random choice in a run comes from
 * a stream owned by one component (workload, page content, link), derived
 * from the run's seed and a stream name, so a run is a pure function of its
 * inputs and adding a stream never shifts another's numbers.
 * Generator: xoshiro256** seeded through splitmix64.
 */
#ifndef MIGSIM_RNG_H
#define MIGSIM_RNG_H

#include <stdint.h>

typedef struct rng {
	uint64_t s[4];
} rng;

/* Seeds `r` from the run seed and a stream identifier (e.g. "workload"). */
void rng_seed(rng *r, uint64_t seed, const char *stream);
uint64_t rng_next(rng *r);
/* Uniform in [0, n); n > 0. Unbiased (rejection). */
uint64_t rng_below(rng *r, uint64_t n);
/* Uniform double in [0, 1). */
double rng_unit(rng *r);
/* A stateless 64-bit mix of three values: used for procedural page bytes. */
uint64_t rng_mix(uint64_t a, uint64_t b, uint64_t c);

#endif
