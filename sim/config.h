/*
 * config — a run's configuration from the text users write, for the command
 * line (`migsim run --ram 1GiB ...`) and experiment files (`ram = "1GiB"`)
 * alike: one parser and one set of checks, so a value refused in one place is
 * refused in the other with the same message. The ranges are documented in
 * `migsim run --help` and docs/experiments.md.
 */
#ifndef MIGSIM_CONFIG_H
#define MIGSIM_CONFIG_H

#include "err.h"
#include "run.h"

/* Sets one setting from its text. Names are the option's without "--" (an
 * experiment file's '_' spelling is the same setting): ram, page-size,
 * bandwidth, latency, timeout, warmup, seed, mode, postcopy (which also
 * requests postcopy-ram), cap (adds to the requested capabilities),
 * src-caps, dst-caps. A migration parameter goes through params_set_value.
 * Returns -1 with e filled for an unknown name or a value out of range; a
 * refused value leaves c as it was. */
int config_set(struct run_config *c, const char *name, const char *value, err *e);
/* 1 when name is a setting config_set takes. */
int config_known(const char *name);

/* Checks what no single setting can be checked for alone, once all are set
 * (RAM in whole pages, the timeout against setup-cost, the mode against the
 * capabilities, QEMU's cross-checks of parameters), then negotiates the
 * capabilities (run_negotiate_caps). On failure *setting names the setting
 * or migration parameter at fault, as config_set or params_set_value takes
 * it. */
int config_check(struct run_config *c, const char **setting, err *e);

#endif
