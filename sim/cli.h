/*
 * cli — the two things every subcommand's front end does the same way: the
 * one error line "migsim: <what> (<where>)" on stderr with the command's
 * exit status, and spotting --help / -h among its arguments.
 */
#ifndef MIGSIM_CLI_H
#define MIGSIM_CLI_H

/* Exit statuses, one meaning each for every command (`migsim --help`):
 * a regression found by compare; an error, whether of usage or of input
 * (an option's value, a workload, an experiment, a database), after which
 * nothing was recorded; a migration that failed (recorded, with why). */
enum { CLI_EXIT_WORSE = 1, CLI_EXIT_ERROR = 2, CLI_EXIT_FAILED_MIGRATION = 3 };

/* Prints the error line and returns status. */
int cli_fail(int status, const char *what, const char *where);
/* 1 when --help or -h is among the first argc arguments. */
int cli_wants_help(int argc, char **argv);

#endif
