/*
 * evac_file — the experiment-file form of an evacuation (docs/evacuation.md):
 * a sandboxed Lua file returning hosts, links, VMs, the hosts to drain, the
 * policy and the policy knobs to sweep. It is turned into `migsim evacuate`'s
 * own options, so the file and the command line are checked by one parser
 * (sim/cmd_evac.c) and mean the same.
 */
#ifndef MIGSIM_EVAC_FILE_H
#define MIGSIM_EVAC_FILE_H

#include <stddef.h>

#include "err.h"

#define EVAC_AXES 4 /* knobs a file may sweep */

struct evac_axis {
	char *option; /* "--parallelOutboundMigrationsPerNode" */
	char **values;
	size_t n;
};

struct evac_file {
	char *name;
	char **argv; /* the scenario as options and their values */
	size_t argc, cap;
	struct evac_axis axes[EVAC_AXES]; /* in the order of their names */
	size_t n_axes;
};

/* Loads path; -1 with e naming the file (and line) on a script's error or
 * a value of the wrong kind. */
int evac_file_load(const char *path, struct evac_file *f, err *e);
void evac_file_free(struct evac_file *f);

#endif
