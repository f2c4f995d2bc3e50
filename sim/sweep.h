/*
 * sweep — experiment files: a sandboxed Lua file that returns the workloads,
 * policies, settings and seeds of an experiment (docs/experiments.md), turned
 * into the matrix of run configurations `migsim sweep` executes. The matrix
 * is a deterministic cross product (or an explicit list of combinations), and
 * everything in it is validated when the file is loaded, so a sweep never
 * starts with a run that cannot be configured.
 *
 * Each run has a key: the FNV-1a 64-bit hash of a canonical JSON text of
 * everything that determines it (experiment name, workload name, script and
 * resolved parameters, policy, settings, seed, migsim version), which makes
 * a sweep resumable and lets `merge` recognise the same run in two
 * databases. Nothing in the key depends on the machine (no absolute paths).
 */
#ifndef MIGSIM_SWEEP_H
#define MIGSIM_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "run.h"
#include "wl.h"

struct sweep_run {
	size_t index;	     /* position in the matrix, from 0 */
	char key[17];	     /* 16 hex digits of sweep_hash(canonical) */
	char *canonical;     /* the JSON text the key hashes */
	char *workload;	     /* the workload script's name field */
	char *policy;	     /* the experiment's policy name */
	char *workload_path; /* resolved script path */
	struct wl_override *wl;
	size_t n_wl;
	struct run_config config; /* workload_path and wl_params point into this run */
};

typedef struct sweep sweep;

/* Loads, expands and validates an experiment file. Every setting and
 * parameter goes through config_set / params_set_value and config_check, as
 * `migsim run`'s options do. On failure e holds what is wrong, and where
 * (n bytes) the file, with ":LINE" where the offending text can be found. */
int sweep_load(sweep **out, const char *path, char *where, size_t n, err *e);
void sweep_free(sweep *s);

const char *sweep_name(const sweep *s);
size_t sweep_size(const sweep *s);
const struct sweep_run *sweep_at(const sweep *s, size_t i);

/* FNV-1a, 64 bits. */
uint64_t sweep_hash(const char *s, size_t n);
/* "I/N" with 0 <= I < N. */
int sweep_parse_shard(const char *arg, unsigned *index, unsigned *count, err *e);
/* Shard I of N holds the runs whose matrix index is I modulo N. */
int sweep_in_shard(size_t index, unsigned shard, unsigned count);

#endif
