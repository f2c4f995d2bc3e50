/*
 * chart — the axis, tick and legend layer under every chart of `migsim report`.
 * libplot only draws lines and text; this module adds what a chart needs on
 * top: a plot frame with "nice" ticks, unit-aware tick labels, axis titles, a
 * legend outside the data, line series, vertical marker lines and grouped bars
 * with whiskers. A chart is built in memory (data is copied) and then written
 * as both SVG (the main format) and PNG (a preview), with every libplot
 * parameter fixed so the user's environment cannot change the output and the
 * same chart always gives the same bytes.
 *
 *	chart *c = chart_new("Pending bytes", &e);
 *	chart_set_axis(c, CHART_X, &(chart_axis){.title = "Time", .unit = CHART_NS}, &e);
 *	chart_set_axis(c, CHART_Y, &(chart_axis){.title = "Pending", .unit = CHART_BYTES}, &e);
 *	chart_line(c, "precopy", t, pending, n, NULL, &e);
 *	chart_vline(c, t_switch, "switch-over", &e);
 *	chart_write(c, "results/pending", &e);	// results/pending.svg and .png
 *	chart_free(c);
 *
 * Strings are UTF-8; characters outside ISO Latin-1 (what libplot can draw)
 * become '?'. The SVG file is UTF-8 too (libplot writes Latin-1; chart.c
 * converts it), so browsers load it as an image.
 */
#ifndef MIGSIM_CHART_H
#define MIGSIM_CHART_H

#include <stddef.h>

#include "err.h"

typedef struct chart chart;

/* What an axis's values measure. Tick labels use the largest unit that keeps
 * them readable: bytes in B, KiB, MiB, GiB, TiB; durations (given in
 * nanoseconds) in ns, µs, ms, s; plain numbers with k, M, G, T suffixes. */
typedef enum chart_unit { CHART_PLAIN, CHART_BYTES, CHART_NS } chart_unit;

typedef enum chart_which { CHART_X, CHART_Y, CHART_Y2 } chart_which;

typedef struct chart_axis {
	const char *title; /* "Pending"; the unit is added: "Pending (MiB)" */
	chart_unit unit;
	const char *unit_text; /* appended to the unit: "/s" gives "MiB/s"; with
				  CHART_PLAIN it is the unit ("%", "pages") */
	int log_base;	       /* 0: linear; 2 or 10: logarithmic, ticks at powers */
	int tight;	       /* linear: fit the data only (default includes 0) */
} chart_axis;

/* A series' look. Zero fields (or a NULL style) mean "from the palette by
 * series index". */
typedef struct chart_style {
	const char *color; /* libplot colour name or "#rrggbb" */
	const char *dash;  /* libplot line mode: "solid", "dotted", "shortdashed", ... */
	int markers;	   /* lines: draw a marker at each point */
	int right;	   /* lines: plotted against the right axis (CHART_Y2) */
	size_t panel;	   /* lines: the panel (chart_panels) it is drawn in */
} chart_style;

/* The i-th style of the palette (Okabe-Ito colours, then dashes): what a
 * caller gives to series that must look the same in every chart, such as
 * one policy's across a report. */
chart_style chart_palette_style(size_t i);

/* Default size 800x500 pixels (PNG) and 8x5 inches (SVG). */
chart *chart_new(const char *title, err *e);
void chart_free(chart *c);
int chart_set_size(chart *c, int width, int height, err *e);
/* Setting CHART_Y2 adds the right axis. A bar chart's x axis takes only the title. */
int chart_set_axis(chart *c, chart_which which, const chart_axis *a, err *e);

/* A line through n points; NaN values (or x <= 0 on a log axis) break it. */
int chart_line(chart *c, const char *label, const double *x, const double *y, size_t n,
	       const chart_style *st, err *e);
/* A vertical line across the plot at x, its label above the plot area. */
int chart_vline(chart *c, double x, const char *label, err *e);
/* The same in a colour (NULL: the grey of chart_vline): an event of one
 * series, such as one policy's switch-over, in that series' colour. */
int chart_mark(chart *c, double x, const char *label, const char *color, err *e);

/* Makes the chart small multiples: n panels, titled, in rows of `columns`,
 * sharing both axes' scales, the axis titles and the legend; a line goes to
 * the panel its style names. Lines only, no right axis, no vertical lines.
 * Series with the same label (one policy in several panels) share one
 * legend entry and one marker, in any chart. */
int chart_panels(chart *c, const char *const *titles, size_t n, int columns, err *e);

/* Makes the chart a bar chart with these categories along x. A label that
 * would be cut makes every category a number, named in a key under the plot. */
int chart_categories(chart *c, const char *const *names, size_t n, err *e);
/* One bar per category (value[i]; NaN: no bar) with whiskers from lo[i] to
 * hi[i] when lo and hi are not NULL. Each call adds a series to every group. */
int chart_bars(chart *c, const char *label, const double *value, const double *lo, const double *hi,
	       const chart_style *st, err *e);

/* Writes base.svg and base.png. A chart on which an adding call failed is
 * refused, so callers may check errors once, here. */
int chart_write(const chart *c, const char *base, err *e);

/* The layout's pure pieces, exposed for tests. Both fill at most max_ticks
 * ticks (max_ticks >= 2, ticks[] must hold that many) covering [lo, hi]:
 * the first tick <= lo, the last >= hi. Return -1 on bad input. */
/* Multiples of 1, 2, 2.5 or 5 x 10^k; as many as fit. lo == hi is widened. */
int chart_nice_ticks(double lo, double hi, int max_ticks, double *ticks, int *n);
/* Powers of base (2 or 10), every k-th one if all would not fit; 0 < lo. */
int chart_log_ticks(double lo, double hi, int base, int max_ticks, double *ticks, int *n);
/* A compact label with its unit: "16 MiB", "1.5 GiB", "250 µs", "25k", "0.013". */
char *chart_format(char *buf, size_t n, double v, chart_unit u);

#endif
