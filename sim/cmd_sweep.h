/*
 * cmd_sweep — the `migsim sweep` and `migsim merge` subcommands (the CLI
 * half of sweep.c and store_merge): option parsing, the worker processes,
 * progress display and the summary. main.c dispatches to them.
 */
#ifndef MIGSIM_CMD_SWEEP_H
#define MIGSIM_CMD_SWEEP_H

/* argv holds the arguments after the subcommand's name; return the exit status. */
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);

#endif
