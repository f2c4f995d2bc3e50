/*
 * cli — what every subcommand's front end does the same way: the one error
 * line "migsim: <what> (<where>)" on stderr with the command's exit status
 * (naming a script once, though its messages start with its name), and
 * spotting --help / -h among its arguments.
 */
#ifndef MIGSIM_CLI_H
#define MIGSIM_CLI_H

#include <stddef.h>

/* Exit statuses, one meaning each for every command (`migsim --help`):
 * a regression found by compare; an error, whether of usage or of input
 * (an option's value, a workload, an experiment, a database), after which
 * nothing was recorded; a migration that failed (recorded, with why). */
enum { CLI_EXIT_WORSE = 1, CLI_EXIT_ERROR = 2, CLI_EXIT_FAILED_MIGRATION = 3 };

/* Prints the error line and returns status. */
int cli_fail(int status, const char *what, const char *where);
/* An error message about the file at path that starts with its name keeps
 * only what went wrong, and where (n bytes) gets the place: "PATH: what"
 * (migsim's messages) gives PATH, Lua's "PATH:LINE: what" (PATH perhaps
 * shortened by Lua to "...tail") gives PATH:LINE, luaL_loadfile's "cannot
 * open PATH: why" becomes "cannot open: why" with PATH. Any other message
 * and where are left as they are. So the error line names the file once. */
void cli_split_place(const char *path, char *msg, char *where, size_t n);
/* cli_fail for an error about the file at path, its place split off the
 * message (cli_split_place); where defaults to path. */
int cli_fail_in_file(int status, const char *what, const char *path);
/* 1 when snprintf's text (`written` of it) fit whole in n bytes: a cut path
 * would name another file. */
int cli_fits(int written, size_t n);
/* The workload script arg names: a bare name ("calloc_loop") that is no
 * file here means a bundled workload. -1 when the path does not fit in out. */
int cli_resolve_workload(const char *arg, char *out, size_t n);
/* 1 when --help or -h is among the first argc arguments. */
int cli_wants_help(int argc, char **argv);

#endif
