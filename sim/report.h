/*
 * report — `migsim report [--db FILE] [--experiment NAME] [-o DIR]`: the
 * charts of stored runs (sim/chart.h, each as SVG and PNG), an index.html
 * that shows them with tables of medians, and a summary.md beside it.
 * docs/report.md lists every file it writes.
 */
#ifndef MIGSIM_REPORT_H
#define MIGSIM_REPORT_H

/* The command: 0, 1 on error, 2 on bad usage (one error line). */
int report_main(int argc, char **argv);

#endif
