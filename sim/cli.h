/*
 * cli — the two things every subcommand's front end does the same way: the
 * one error line "migsim: <what> (<where>)" on stderr with the command's
 * exit status, and spotting --help / -h among its arguments.
 */
#ifndef MIGSIM_CLI_H
#define MIGSIM_CLI_H

enum { CLI_EXIT_ERROR = 1, CLI_EXIT_USAGE = 2 };

/* Prints the error line and returns status. */
int cli_fail(int status, const char *what, const char *where);
/* 1 when --help or -h is among the first argc arguments. */
int cli_wants_help(int argc, char **argv);

#endif
