/*
 * compare — `migsim compare BASE NEW`: are NEW's runs worse than BASE's?
 * Each side is a database with an optional filter (sim/query.h); runs are
 * grouped by everything but the seed, groups present on both sides are
 * matched, and for each metric the medians, the change and the Mann–Whitney
 * verdict (sim/stats.h) are printed as a table or as JSON. docs/compare.md
 * is the user's description.
 *
 * The *_main functions of compare, export and report are the commands
 * themselves: they take the arguments after the command name, print their
 * output and at most one error line ("migsim: <what> (<where>)"), and return
 * the exit status.
 */
#ifndef MIGSIM_COMPARE_H
#define MIGSIM_COMPARE_H

#include <stddef.h>

/* 0 nothing worse, 1 a significant regression beyond the threshold, 2 bad input. */
int compare_main(int argc, char **argv);
/* `migsim export`: 0, or 1 on error, 2 on bad usage. */
int export_main(int argc, char **argv);

/* A metric's value with its unit, scaled to stay readable ("212.5 ms",
 * "1.5 s", "22.98 MiB"); NaN gives "n/a". */
char *compare_format(char *buf, size_t n, double v, const char *metric);

#endif
