/*
 * report_evac — the evacuations in `migsim report` (issue 26): for each
 * evacuation stored (docs/schema.md), a Gantt-style chart of its VMs'
 * migrations (pre-copy, the guest's pause, post-copy; a cancelled one
 * apart) and its drained NICs' utilisation over time.
 */
#ifndef MIGSIM_REPORT_EVAC_H
#define MIGSIM_REPORT_EVAC_H

#include <stdio.h>

#include "chart.h"
#include "err.h"

/* How the report shows a chart: writes it (freed) as DIR/name.svg/.png and
 * adds it to its pages. */
typedef int (*report_emit_fn)(void *ctx, chart *c, const char *name, const char *caption);

/* Adds a section for each evacuation in the database at path (of experiment,
 * when not NULL; at most REPORT_EVAC_MAX, the latest) to html; nothing when
 * there is none or the database predates them. */
#define REPORT_EVAC_MAX 12
int report_evac(const char *path, const char *experiment, FILE *html, report_emit_fn emit,
		void *ctx, err *e);

#endif
