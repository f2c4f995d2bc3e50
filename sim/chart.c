/*
 * chart — charts on top of libplot (see chart.h). Three parts: building a chart
 * in memory (copies of the caller's data), the pure layout arithmetic (nice
 * ticks, labels, margins), and rendering, which runs once per output format
 * because text is measured with the fonts of the plotter that draws it: SVG
 * uses Helvetica (text stays text), PNG the Hershey vector fonts, the only
 * ones libplot can rasterise.
 *
 * Coordinates are pixels with the origin at the bottom left (libplot's way).
 */
#include "chart.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plot.h> /* GNU libplot */

#define MAX_TICKS 16

/* Sizes in pixels at which nothing overlaps at 800x500. */
#define PAD	   10.0
#define GAP	   8.0
#define TICK_LEN   5.0
#define TITLE_PT   17.0
#define AXIS_PT	   13.0
#define TICK_PT	   11.0
#define LEGEND_PT  11.0
#define VLINE_PT   10.0
#define LEGEND_ROW 16.0
#define SAMPLE_W   22.0
#define VLINE_ROWS 3
#define PANEL_PT   12.0

/* Okabe–Ito: distinguishable with the common colour-vision deficiencies. */
static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
				      "#E69F00", "#56B4E9", "#000000", "#F0E442"};
static const char *const dashes[] = {"solid", "shortdashed", "dotdashed", "longdashed"};
static const int markers[] = {4, 6, 7, 8, 5, 2, 3};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum kind { KIND_NONE, KIND_LINES, KIND_BARS };

struct axis {
	char *title;
	char *unit_text;
	chart_unit unit;
	int log_base;
	int tight;
};

struct series {
	char *label;
	double *x, *y, *lo, *hi; /* bars: y is the value, x unused */
	size_t n;
	char color[32];
	char dash[32];
	int marker; /* libplot marker type, 0: none */
	int right;
	size_t panel;
};

struct vline {
	double x;
	char *label;
	char color[32]; /* of the line and its label */
};

struct chart {
	char *title;
	int width, height;
	struct axis ax[3]; /* indexed by chart_which */
	int has_y2;
	enum kind kind;
	char **cats;
	size_t ncats;
	struct series *s;
	size_t ns;
	struct vline *v;
	size_t nv;
	char **panels; /* small multiples: each panel's title */
	size_t npanels;
	int columns;
	int broken; /* an adding call failed: the chart is incomplete */
};

chart_style chart_palette_style(size_t i)
{
	return (chart_style){.color = palette[i % NELEM(palette)],
			     .dash = dashes[(i / NELEM(palette)) % NELEM(dashes)]};
}

/* ---- building ---------------------------------------------------------- */

static char *dup_str(const char *s)
{
	return strdup(s ? s : "");
}

static double *dup_doubles(const double *a, size_t n)
{
	if (!a)
		return NULL;
	double *d = malloc(n ? n * sizeof *d : 1);
	if (d && n)
		memcpy(d, a, n * sizeof *d);
	return d;
}

static int fail(chart *c, err *e, const char *what)
{
	if (c)
		c->broken = 1;
	return err_set(e, "plot: %s", what);
}

chart *chart_new(const char *title, err *e)
{
	chart *c = calloc(1, sizeof *c);
	if (!c || !(c->title = dup_str(title))) {
		free(c);
		err_set(e, "plot: out of memory");
		return NULL;
	}
	for (int i = 0; i < 3; i++) {
		struct axis *a = &c->ax[i];
		if (!(a->title = dup_str("")) || !(a->unit_text = dup_str(""))) {
			chart_free(c);
			err_set(e, "plot: out of memory");
			return NULL;
		}
	}
	c->width = 800;
	c->height = 500;
	return c;
}

static void free_axis(struct axis *a)
{
	free(a->title);
	free(a->unit_text);
}

void chart_free(chart *c)
{
	if (!c)
		return;
	free(c->title);
	for (int i = 0; i < 3; i++)
		free_axis(&c->ax[i]);
	for (size_t i = 0; i < c->ncats; i++)
		free(c->cats[i]);
	free(c->cats);
	for (size_t i = 0; i < c->ns; i++) {
		struct series *s = &c->s[i];
		free(s->label);
		free(s->x);
		free(s->y);
		free(s->lo);
		free(s->hi);
	}
	free(c->s);
	for (size_t i = 0; i < c->nv; i++)
		free(c->v[i].label);
	free(c->v);
	for (size_t i = 0; i < c->npanels; i++)
		free(c->panels[i]);
	free(c->panels);
	free(c);
}

int chart_set_size(chart *c, int width, int height, err *e)
{
	if (width < 200 || height < 150 || width > 8000 || height > 8000)
		return fail(c, e, "chart size must be within 200x150 .. 8000x8000");
	c->width = width;
	c->height = height;
	return 0;
}

int chart_set_axis(chart *c, chart_which which, const chart_axis *a, err *e)
{
	if ((unsigned)which > CHART_Y2 || !a)
		return fail(c, e, "bad axis");
	if (a->log_base != 0 && a->log_base != 2 && a->log_base != 10)
		return fail(c, e, "log axes take base 2 or 10");
	struct axis n = {dup_str(a->title), dup_str(a->unit_text), a->unit, a->log_base, a->tight};
	if (!n.title || !n.unit_text) {
		free_axis(&n);
		return fail(c, e, "out of memory");
	}
	free_axis(&c->ax[which]);
	c->ax[which] = n;
	if (which == CHART_Y2)
		c->has_y2 = 1;
	return 0;
}

static int set_kind(chart *c, enum kind k, err *e)
{
	if (c->kind != KIND_NONE && c->kind != k)
		return fail(c, e, "a chart holds either lines or bars, not both");
	c->kind = k;
	return 0;
}

/* The first series with this label: later ones (the same policy in other
 * panels) share its marker and its legend entry. */
static const struct series *first_labelled(const chart *c, const char *label, size_t before)
{
	for (size_t i = 0; label[0] && i < before; i++)
		if (!strcmp(c->s[i].label, label))
			return &c->s[i];
	return NULL;
}

/* Appends a series with its style resolved now, so the palette index is
 * the order of the calls. */
static struct series *add_series(chart *c, const char *label, const chart_style *st, err *e)
{
	if (st && (c->npanels ? st->panel >= c->npanels : st->panel > 0)) {
		fail(c, e, "a series in a panel the chart does not have");
		return NULL;
	}
	struct series *s = realloc(c->s, (c->ns + 1) * sizeof *s);
	if (!s) {
		fail(c, e, "out of memory");
		return NULL;
	}
	c->s = s;
	s = &c->s[c->ns];
	memset(s, 0, sizeof *s);
	size_t i = c->ns;
	const char *color = st && st->color ? st->color : palette[i % NELEM(palette)];
	const char *dash = st && st->dash ? st->dash : dashes[(i / NELEM(palette)) % NELEM(dashes)];
	snprintf(s->color, sizeof s->color, "%s", color);
	snprintf(s->dash, sizeof s->dash, "%s", dash);
	s->marker = st && st->markers ? markers[i % NELEM(markers)] : 0;
	s->right = st ? st->right : 0;
	s->panel = st ? st->panel : 0;
	if (!(s->label = dup_str(label))) {
		fail(c, e, "out of memory");
		return NULL;
	}
	const struct series *same = first_labelled(c, s->label, i);
	if (same && s->marker)
		s->marker = same->marker ? same->marker : s->marker;
	c->ns++;
	return s;
}

int chart_line(chart *c, const char *label, const double *x, const double *y, size_t n,
	       const chart_style *st, err *e)
{
	if (n && (!x || !y))
		return fail(c, e, "a line needs x and y values");
	if (set_kind(c, KIND_LINES, e) < 0)
		return -1;
	if (st && st->right && !c->has_y2)
		return fail(c, e, "a line on the right axis needs that axis set first");
	struct series *s = add_series(c, label, st, e);
	if (!s)
		return -1;
	s->n = n;
	s->x = dup_doubles(x ? x : (const double[]){0}, n);
	s->y = dup_doubles(y ? y : (const double[]){0}, n);
	if (!s->x || !s->y)
		return fail(c, e, "out of memory");
	return 0;
}

int chart_vline(chart *c, double x, const char *label, err *e)
{
	return chart_mark(c, x, label, NULL, e);
}

int chart_mark(chart *c, double x, const char *label, const char *color, err *e)
{
	if (!isfinite(x))
		return fail(c, e, "a vertical line needs a finite x");
	if (color && strlen(color) >= sizeof c->v->color)
		return fail(c, e, "colour name too long");
	if (set_kind(c, KIND_LINES, e) < 0)
		return -1;
	if (c->npanels)
		return fail(c, e, "a chart with panels has no vertical lines");
	struct vline *v = realloc(c->v, (c->nv + 1) * sizeof *v);
	if (!v)
		return fail(c, e, "out of memory");
	c->v = v;
	v[c->nv].x = x;
	snprintf(v[c->nv].color, sizeof v->color, "%s", color ? color : "#555555");
	if (!(v[c->nv].label = dup_str(label)))
		return fail(c, e, "out of memory");
	c->nv++;
	return 0;
}

int chart_panels(chart *c, const char *const *titles, size_t n, int columns, err *e)
{
	if (c->npanels || c->ns || c->nv || n == 0 || !titles || columns < 1)
		return fail(c, e, "panels are set once, before any line, with titles and columns");
	if (c->has_y2)
		return fail(c, e, "a chart with panels has no right axis");
	if (set_kind(c, KIND_LINES, e) < 0)
		return -1;
	if (!(c->panels = calloc(n, sizeof *c->panels)))
		return fail(c, e, "out of memory");
	c->npanels = n;
	c->columns = columns < (int)n ? columns : (int)n;
	for (size_t i = 0; i < n; i++)
		if (!(c->panels[i] = dup_str(titles[i])))
			return fail(c, e, "out of memory");
	return 0;
}

int chart_categories(chart *c, const char *const *names, size_t n, err *e)
{
	if (c->ncats || n == 0 || !names)
		return fail(c, e, "categories are set once, before the bars, with names");
	if (set_kind(c, KIND_BARS, e) < 0)
		return -1;
	if (!(c->cats = calloc(n, sizeof *c->cats)))
		return fail(c, e, "out of memory");
	c->ncats = n;
	for (size_t i = 0; i < n; i++)
		if (!(c->cats[i] = dup_str(names[i])))
			return fail(c, e, "out of memory");
	return 0;
}

int chart_bars(chart *c, const char *label, const double *value, const double *lo, const double *hi,
	       const chart_style *st, err *e)
{
	if (!c->ncats || !value || !lo != !hi)
		return fail(c, e,
			    "bars need categories first, values, and both or neither of lo/hi");
	struct series *s = add_series(c, label, st, e);
	if (!s)
		return -1;
	s->right = 0;
	s->n = c->ncats;
	s->y = dup_doubles(value, s->n);
	s->lo = dup_doubles(lo, s->n);
	s->hi = dup_doubles(hi, s->n);
	if (!s->y || (lo && (!s->lo || !s->hi)))
		return fail(c, e, "out of memory");
	return 0;
}

/* ---- ticks and labels --------------------------------------------------- */

/* How many ticks a step of m x 10^k puts on [lo, hi], and the first index.
 * The tolerance keeps 7.0000000001 / 1 from needing a tick at 8. */
static long tick_span(double lo, double hi, double step, long *first)
{
	const double eps = 1e-9;
	double a = floor(lo / step + eps);
	double b = ceil(hi / step - eps);
	*first = (long)a;
	return (long)(b - a) + 1;
}

/* m x 10^k computed so that decimal ticks come out as their nearest double
 * (3 x 0.1 does not, 3 / 10 does). */
static double scaled(double m, int k)
{
	return k >= 0 ? m * pow(10, k) : m / pow(10, -k);
}

int chart_nice_ticks(double lo, double hi, int max_ticks, double *ticks, int *n)
{
	static const double mant[] = {1, 2, 2.5, 5};
	if (!isfinite(lo) || !isfinite(hi) || max_ticks < 2 || !ticks || !n)
		return -1;
	if (lo > hi) {
		double t = lo;
		lo = hi;
		hi = t;
	}
	if (lo == hi) {
		double pad = lo == 0 ? 1 : fabs(lo) * 0.1;
		hi += pad;
		if (lo != 0)
			lo -= pad;
	}
	int k = (int)floor(log10((hi - lo) / max_ticks)) - 1;
	for (;; k++) {
		for (size_t i = 0; i < NELEM(mant); i++) {
			double step = scaled(mant[i], k);
			long first;
			long count = tick_span(lo, hi, step, &first);
			if (count > max_ticks)
				continue;
			for (long j = 0; j < count; j++) {
				double t = k >= 0 ? (double)(first + j) * mant[i] * pow(10, k)
						  : (double)(first + j) * mant[i] / pow(10, -k);
				ticks[j] = t == 0 ? 0 : t; /* no "-0" */
			}
			*n = (int)count;
			return 0;
		}
	}
}

int chart_log_ticks(double lo, double hi, int base, int max_ticks, double *ticks, int *n)
{
	const double eps = 1e-9;
	if (!(lo > 0) || !isfinite(hi) || hi < lo || (base != 2 && base != 10) || max_ticks < 2 ||
	    !ticks || !n)
		return -1;
	double lb = log((double)base);
	long e0 = (long)floor(log(lo) / lb + eps);
	long e1 = (long)ceil(log(hi) / lb - eps);
	if (e1 == e0)
		e1++;
	long k = 1;
	while ((e1 - e0 + k - 1) / k + 1 > max_ticks)
		k++;
	/* Whole multiples of k so every other power lands on 1, 4, 16, ... */
	e0 = (long)floor((double)e0 / (double)k) * k;
	e1 = (long)ceil((double)e1 / (double)k) * k;
	int count = 0;
	for (long x = e0; x <= e1 && count < max_ticks; x += k)
		ticks[count++] = base == 2 ? ldexp(1, (int)x) : pow(10, (double)x);
	*n = count;
	return 0;
}

struct unit_step {
	double factor;
	const char *name;
};

static const struct unit_step bytes_units[] = {
    {1, "B"}, {1024.0, "KiB"}, {1048576.0, "MiB"}, {1073741824.0, "GiB"}, {1099511627776.0, "TiB"}};
static const struct unit_step ns_units[] = {{1, "ns"}, {1e3, "\xc2\xb5s"}, {1e6, "ms"}, {1e9, "s"}};
static const struct unit_step plain_units[] = {
    {1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}, {1e12, "T"}};

/* The largest unit the magnitude a reaches. Plain numbers stay unscaled up to
 * 9999, which reads better than 1.5k. */
static const struct unit_step *unit_for(chart_unit u, double a)
{
	const struct unit_step *t = plain_units;
	size_t n = NELEM(plain_units);
	if (u == CHART_BYTES) {
		t = bytes_units;
		n = NELEM(bytes_units);
	} else if (u == CHART_NS) {
		t = ns_units;
		n = NELEM(ns_units);
	}
	size_t i = 0;
	while (i + 1 < n && a >= t[i + 1].factor && (u != CHART_PLAIN || a >= 1e4))
		i++;
	return &t[i];
}

static void trim_zeros(char *s)
{
	if (!strchr(s, '.'))
		return;
	char *end = s + strlen(s);
	while (end > s && end[-1] == '0')
		*--end = '\0';
	if (end > s && end[-1] == '.')
		end[-1] = '\0';
}

/* Three significant digits, never an exponent. */
static void fmt_sig(char *buf, size_t n, double x)
{
	double a = fabs(x);
	int d = 0;
	if (a > 0 && a < 100)
		d = 2 - (int)floor(log10(a));
	if (d > 9)
		d = 9;
	snprintf(buf, n, "%.*f", d, x == 0 ? 0.0 : x);
	trim_zeros(buf);
}

char *chart_format(char *buf, size_t n, double v, chart_unit u)
{
	if (!isfinite(v)) {
		snprintf(buf, n, "%s", isnan(v) ? "n/a" : v > 0 ? "inf" : "-inf");
		return buf;
	}
	const struct unit_step *s = unit_for(u, fabs(v));
	char num[48];
	fmt_sig(num, sizeof num, v / s->factor);
	snprintf(buf, n, "%s%s%s", num, u == CHART_PLAIN ? "" : " ", s->name);
	return buf;
}

/* Digits after the point that every multiple of step needs. */
static int decimals_for(double step)
{
	for (int d = 0; d < 9; d++) {
		double s = step * pow(10, d);
		if (fabs(s - round(s)) < 1e-6 * fmax(1, s))
			return d;
	}
	return 9;
}

/* ---- scales ------------------------------------------------------------- */

struct scale {
	double lo, hi; /* the axis ends, in data units */
	int log_base;
	int nt;
	double ticks[MAX_TICKS];
	char labels[MAX_TICKS][48];
	char title[256];
};

struct range {
	double lo, hi;
	int any;
};

static void range_add(struct range *r, double v, int log_base)
{
	if (!isfinite(v) || (log_base && v <= 0))
		return;
	if (!r->any || v < r->lo)
		r->lo = v;
	if (!r->any || v > r->hi)
		r->hi = v;
	r->any = 1;
}

static void axis_title(const struct axis *a, const char *unit, struct scale *s)
{
	char u[96];
	snprintf(u, sizeof u, "%s%s", unit, a->unit_text);
	if (u[0])
		snprintf(s->title, sizeof s->title, "%s (%s)", a->title, u);
	else
		snprintf(s->title, sizeof s->title, "%s", a->title);
}

/* Log ticks carry their own units ("16 MiB" .. "1 GiB"): one unit for the
 * whole axis would give labels like 0.0156. */
static void log_scale(const struct axis *a, struct range r, int max_ticks, struct scale *s)
{
	if (!r.any) {
		r.lo = 1;
		r.hi = a->log_base;
	}
	chart_log_ticks(r.lo, r.hi, a->log_base, max_ticks, s->ticks, &s->nt);
	for (int i = 0; i < s->nt; i++) {
		char num[40];
		chart_format(num, sizeof num, s->ticks[i], a->unit);
		snprintf(s->labels[i], sizeof s->labels[i], "%s%s", num,
			 a->unit == CHART_PLAIN ? "" : a->unit_text);
	}
	axis_title(a, "", s);
	if (a->unit != CHART_PLAIN)
		snprintf(s->title, sizeof s->title, "%s", a->title);
}

/* Linear ticks are round in the axis's unit (0, 200, 400 MiB), which is named
 * once in the title; plain numbers carry their k/M suffix on each label. */
static void linear_scale(const struct axis *a, struct range r, int max_ticks, struct scale *s)
{
	if (!r.any) {
		r.lo = 0;
		r.hi = 1;
	}
	if (!a->tight) {
		r.lo = fmin(r.lo, 0);
		r.hi = fmax(r.hi, 0);
	}
	const struct unit_step *u = unit_for(a->unit, fmax(fabs(r.lo), fabs(r.hi)));
	double t[MAX_TICKS];
	chart_nice_ticks(r.lo / u->factor, r.hi / u->factor, max_ticks, t, &s->nt);
	int dec = decimals_for(s->nt > 1 ? t[1] - t[0] : 1);
	for (int i = 0; i < s->nt; i++) {
		s->ticks[i] = t[i] * u->factor;
		if (t[i] == 0) /* "0", never "0.0" or "0k" */
			snprintf(s->labels[i], sizeof s->labels[i], "0");
		else
			snprintf(s->labels[i], sizeof s->labels[i], "%.*f%s", dec, t[i],
				 a->unit == CHART_PLAIN ? u->name : "");
	}
	axis_title(a, a->unit == CHART_PLAIN ? "" : u->name, s);
}

static void make_scale(const struct axis *a, struct range r, int max_ticks, struct scale *s)
{
	if (max_ticks > MAX_TICKS)
		max_ticks = MAX_TICKS;
	s->log_base = a->log_base;
	if (a->log_base)
		log_scale(a, r, max_ticks, s);
	else
		linear_scale(a, r, max_ticks, s);
	s->lo = s->ticks[0];
	s->hi = s->ticks[s->nt - 1];
}

/* Position of v on a scale, from p0 (at lo) to p1 (at hi). */
static double scale_map(const struct scale *s, double v, double p0, double p1)
{
	double f = s->log_base ? (log(v) - log(s->lo)) / (log(s->hi) - log(s->lo))
			       : (v - s->lo) / (s->hi - s->lo);
	return p0 + f * (p1 - p0);
}

/* ---- text --------------------------------------------------------------- */

/* libplot draws ISO Latin-1: decode UTF-8, replacing what does not fit. */
static void to_latin1(const char *in, char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;
	while (*p && o + 1 < n) {
		unsigned c = *p++;
		if (c >= 0x80) {
			unsigned lead = c;
			c = (lead & 0xe0) == 0xc0 && (*p & 0xc0) == 0x80
				? ((lead & 0x1f) << 6) | (*p & 0x3f)
				: '?';
			while ((*p & 0xc0) == 0x80) /* the rest of this character */
				p++;
		}
		out[o++] = (char)(c < 0x20 || c > 0xff ? '?' : c);
	}
	out[o] = '\0';
}

struct ctx {
	plPlotter *pl;
	const char *font;
	double size; /* current font size */
};

static void set_font(struct ctx *x, double size)
{
	pl_fontname_r(x->pl, x->font);
	x->size = pl_ffontsize_r(x->pl, size);
}

static double text_w(struct ctx *x, double size, const char *latin1)
{
	set_font(x, size);
	return pl_flabelwidth_r(x->pl, latin1);
}

/* The UTF-8 string s in Latin-1, cut with "..." to at most maxw pixels. */
static void fit_text(struct ctx *x, double size, const char *s, double maxw, char *out, size_t n)
{
	char t[256];
	to_latin1(s, t, sizeof t);
	snprintf(out, n, "%s", t);
	if (text_w(x, size, out) <= maxw)
		return;
	for (size_t len = strlen(t); len-- > 0;) {
		snprintf(out, n, "%.*s...", (int)len, t);
		if (text_w(x, size, out) <= maxw)
			return;
	}
	out[0] = '\0';
}

static void draw_text(struct ctx *x, double px, double py, int hj, int vj, double angle,
		      double size, const char *color, const char *latin1)
{
	if (!latin1[0])
		return;
	set_font(x, size);
	pl_pencolorname_r(x->pl, color);
	pl_ftextangle_r(x->pl, angle);
	pl_fmove_r(x->pl, px, py);
	pl_alabel_r(x->pl, hj, vj, latin1);
	pl_ftextangle_r(x->pl, 0);
}

static void line(struct ctx *x, double x0, double y0, double x1, double y1, const char *color,
		 const char *dash, double width)
{
	pl_pencolorname_r(x->pl, color);
	pl_linemod_r(x->pl, dash);
	pl_flinewidth_r(x->pl, width);
	pl_fline_r(x->pl, x0, y0, x1, y1);
	pl_endpath_r(x->pl);
}

/* ---- layout ------------------------------------------------------------- */

struct layout {
	double x0, y0, x1, y1; /* the plot area */
	struct scale sx, sy, sy2;
	double ytick_w, y2tick_w;
	/* bars */
	double cat_w;
	int rotate;
	int numbered;		/* categories drawn as 1, 2, ... with a key below */
	int key_rows, key_cols; /* the key's grid */
	double key_h;		/* its height, under the x axis title */
	/* legend, right of everything */
	double leg_x, leg_w, leg_label_w;
	int nleg;
	/* vertical lines: the label row of each, or -1 when it has no label */
	int *vrow;
	int nrows;
};

static double widest(struct ctx *x, double size, const struct scale *s)
{
	double w = 0;
	for (int i = 0; i < s->nt; i++) {
		char t[64];
		to_latin1(s->labels[i], t, sizeof t);
		w = fmax(w, text_w(x, size, t));
	}
	return w;
}

static void data_ranges(const chart *c, struct range r[3])
{
	memset(r, 0, 3 * sizeof *r);
	for (size_t i = 0; i < c->ns; i++) {
		const struct series *s = &c->s[i];
		struct range *ry = &r[s->right ? CHART_Y2 : CHART_Y];
		int ylog = c->ax[s->right ? CHART_Y2 : CHART_Y].log_base;
		for (size_t j = 0; j < s->n; j++) {
			if (s->x)
				range_add(&r[CHART_X], s->x[j], c->ax[CHART_X].log_base);
			range_add(ry, s->y[j], ylog);
			if (s->lo) {
				range_add(ry, s->lo[j], ylog);
				range_add(ry, s->hi[j], ylog);
			}
		}
	}
	for (size_t i = 0; i < c->nv; i++)
		range_add(&r[CHART_X], c->v[i].x, c->ax[CHART_X].log_base);
}

static void legend_size(const chart *c, struct ctx *x, struct layout *l)
{
	double cap = c->width * 0.35; /* policy names are cut only when absurd */
	l->leg_label_w = 0;
	l->nleg = 0;
	for (size_t i = 0; i < c->ns; i++) {
		if (!c->s[i].label[0] || first_labelled(c, c->s[i].label, i))
			continue;
		char t[256];
		fit_text(x, LEGEND_PT, c->s[i].label, cap, t, sizeof t);
		l->leg_label_w = fmax(l->leg_label_w, text_w(x, LEGEND_PT, t));
		l->nleg++;
	}
	l->leg_w = l->nleg ? 6 + SAMPLE_W + 6 + l->leg_label_w + 6 : 0;
}

/* Fewest ticks first would waste the axis; most ticks that leave room
 * between the labels instead. */
static void x_scale(const chart *c, struct ctx *x, struct range r, struct layout *l)
{
	double w = l->x1 - l->x0;
	for (int max = 8;; max--) {
		make_scale(&c->ax[CHART_X], r, max, &l->sx);
		if (max <= 2 || l->sx.nt * (widest(x, TICK_PT, &l->sx) + 14) <= w)
			break;
	}
}

/* Category labels go under their bars, turned upright when they are too wide;
 * when even that would cut one, every category is numbered and a key under
 * the chart names them in full: a cut label could read like another. */
static void bar_labels(const chart *c, struct ctx *x, struct layout *l, double *height)
{
	l->cat_w = (l->x1 - l->x0) / (double)c->ncats;
	double w = 0, room = fmin(130, c->height / 4.0);
	for (size_t i = 0; i < c->ncats; i++) {
		char t[256];
		to_latin1(c->cats[i], t, sizeof t);
		w = fmax(w, text_w(x, TICK_PT, t));
	}
	l->rotate = w > l->cat_w - 6;
	l->numbered = l->rotate && w > room;
	if (l->numbered) {
		l->rotate = 0;
		l->key_cols = c->ncats > 4 ? 2 : 1;
		l->key_rows = (int)((c->ncats + (size_t)l->key_cols - 1) / (size_t)l->key_cols);
		l->key_h = l->key_rows * LEGEND_ROW + GAP;
	}
	*height = l->rotate ? w : TICK_PT;
}

static void bar_key(const chart *c, struct ctx *x, const struct layout *l)
{
	double colw = (c->width - 2 * PAD) / l->key_cols;
	for (size_t k = 0; k < c->ncats; k++) {
		int col = (int)(k / (size_t)l->key_rows), row = (int)(k % (size_t)l->key_rows);
		char full[300], t[256];
		snprintf(full, sizeof full, "%zu: %s", k + 1, c->cats[k]);
		fit_text(x, LEGEND_PT, full, colw - GAP, t, sizeof t);
		draw_text(x, PAD + col * colw, PAD + l->key_h - GAP - (row + 0.5) * LEGEND_ROW, 'l',
			  'c', 0, LEGEND_PT, "black", t);
	}
}

static int cmp_vline(const void *a, const void *b)
{
	const struct vline *const *p = a, *const *q = b;
	if ((*p)->x != (*q)->x)
		return (*p)->x < (*q)->x ? -1 : 1;
	return *p < *q ? -1 : *p > *q; /* ties keep the order of the calls */
}

/* Labels of vertical lines go above the plot, in rows: each takes the
 * first row where it does not touch its left neighbour. */
static int vline_rows(const chart *c, struct ctx *x, struct layout *l)
{
	l->nrows = 0;
	if (!c->nv)
		return 0;
	const struct vline **o = malloc(c->nv * sizeof *o);
	l->vrow = malloc(c->nv * sizeof *l->vrow);
	if (!o || !l->vrow) {
		free(o);
		return -1;
	}
	for (size_t i = 0; i < c->nv; i++)
		o[i] = &c->v[i];
	qsort(o, c->nv, sizeof *o, cmp_vline);
	double end[VLINE_ROWS];
	for (int r = 0; r < VLINE_ROWS; r++)
		end[r] = -INFINITY;
	for (size_t i = 0; i < c->nv; i++) {
		size_t k = (size_t)(o[i] - c->v);
		char t[256];
		fit_text(x, VLINE_PT, o[i]->label, 120, t, sizeof t);
		if (!t[0]) {
			l->vrow[k] = -1;
			continue;
		}
		double w = text_w(x, VLINE_PT, t);
		double cx = scale_map(&l->sx, o[i]->x, l->x0, l->x1);
		double a = fmax(l->x0, fmin(cx - w / 2, l->x1 - w));
		int best = 0;
		for (int r = VLINE_ROWS - 1; r >= 0; r--)
			if (end[r] + 6 <= a)
				best = r;
		if (end[best] + 6 > a) /* all rows taken: the emptiest one */
			for (int r = 0; r < VLINE_ROWS; r++)
				if (end[r] < end[best])
					best = r;
		end[best] = a + w;
		l->vrow[k] = best;
		if (best + 1 > l->nrows)
			l->nrows = best + 1;
	}
	free(o);
	return 0;
}

static int layout(const chart *c, struct ctx *x, struct layout *l)
{
	struct range r[3];
	data_ranges(c, r);
	if (c->kind == KIND_BARS && !c->ax[CHART_Y].log_base) {
		range_add(&r[CHART_Y], 0, 0);
	}
	double W = c->width, H = c->height;
	int ymax = (int)fmax(3, fmin(8, (H - 130) / 45));
	make_scale(&c->ax[CHART_Y], r[CHART_Y], ymax, &l->sy);
	l->ytick_w = widest(x, TICK_PT, &l->sy);
	if (c->has_y2) {
		make_scale(&c->ax[CHART_Y2], r[CHART_Y2], ymax, &l->sy2);
		l->y2tick_w = widest(x, TICK_PT, &l->sy2);
	}
	legend_size(c, x, l);
	l->x0 = PAD + AXIS_PT + GAP + l->ytick_w + 4 + TICK_LEN;
	double right = PAD + 25; /* room for half the last x label */
	if (c->has_y2)
		right = PAD + AXIS_PT + GAP + l->y2tick_w + 4 + TICK_LEN;
	if (l->nleg)
		right += l->leg_w + GAP;
	l->x1 = W - right;
	l->leg_x = W - PAD - l->leg_w;
	double xlab_h = TICK_PT;
	if (c->kind == KIND_BARS)
		bar_labels(c, x, l, &xlab_h);
	else
		x_scale(c, x, r[CHART_X], l);
	l->y0 = PAD + l->key_h + AXIS_PT + GAP + xlab_h + 4 + TICK_LEN;
	if (vline_rows(c, x, l) < 0)
		return -1;
	/* Half a tick label above the plot: the top y label is centred on y1. */
	l->y1 = H - (PAD + TITLE_PT + GAP + fmax(TICK_PT / 2, l->nrows * (VLINE_PT + 5)));
	return 0;
}

/* ---- drawing ------------------------------------------------------------ */

static void draw_frame_text(const chart *c, struct ctx *x, const struct layout *l)
{
	char t[256];
	double W = c->width, H = c->height;
	fit_text(x, TITLE_PT, c->title, W - 2 * PAD, t, sizeof t);
	draw_text(x, W / 2, H - PAD, 'c', 't', 0, TITLE_PT, "black", t);
	fit_text(x, AXIS_PT, l->sy.title, l->y1 - l->y0, t, sizeof t);
	draw_text(x, PAD, (l->y0 + l->y1) / 2, 'c', 't', 90, AXIS_PT, "black", t);
	if (c->has_y2) {
		fit_text(x, AXIS_PT, l->sy2.title, l->y1 - l->y0, t, sizeof t);
		double px = l->x1 + TICK_LEN + 4 + l->y2tick_w + GAP + AXIS_PT;
		draw_text(x, px, (l->y0 + l->y1) / 2, 'c', 'b', 90, AXIS_PT, "black", t);
	}
	char xt[256];
	snprintf(xt, sizeof xt, "%s", c->kind == KIND_BARS ? c->ax[CHART_X].title : l->sx.title);
	fit_text(x, AXIS_PT, xt, l->x1 - l->x0, t, sizeof t);
	draw_text(x, (l->x0 + l->x1) / 2, PAD + l->key_h, 'c', 'b', 0, AXIS_PT, "black", t);
	if (l->numbered)
		bar_key(c, x, l);
}

static void draw_y_ticks(struct ctx *x, const struct layout *l, const struct scale *s, int right)
{
	for (int i = 0; i < s->nt; i++) {
		double py = scale_map(s, s->ticks[i], l->y0, l->y1);
		char t[64];
		to_latin1(s->labels[i], t, sizeof t);
		if (right) {
			line(x, l->x1, py, l->x1 + TICK_LEN, py, "black", "solid", 1);
			draw_text(x, l->x1 + TICK_LEN + 4, py, 'l', 'c', 0, TICK_PT, "black", t);
		} else {
			if (i > 0 && i < s->nt - 1)
				line(x, l->x0, py, l->x1, py, "#dddddd", "solid", 1);
			line(x, l->x0 - TICK_LEN, py, l->x0, py, "black", "solid", 1);
			draw_text(x, l->x0 - TICK_LEN - 4, py, 'r', 'c', 0, TICK_PT, "black", t);
		}
	}
}

static void draw_x_ticks(struct ctx *x, const struct layout *l)
{
	const struct scale *s = &l->sx;
	for (int i = 0; i < s->nt; i++) {
		double px = scale_map(s, s->ticks[i], l->x0, l->x1);
		char t[64];
		to_latin1(s->labels[i], t, sizeof t);
		if (i > 0 && i < s->nt - 1)
			line(x, px, l->y0, px, l->y1, "#dddddd", "solid", 1);
		line(x, px, l->y0 - TICK_LEN, px, l->y0, "black", "solid", 1);
		draw_text(x, px, l->y0 - TICK_LEN - 3, 'c', 't', 0, TICK_PT, "black", t);
	}
}

static void draw_series_line(const chart *c, struct ctx *x, const struct layout *l,
			     const struct series *s)
{
	const struct scale *sy = s->right ? &l->sy2 : &l->sy;
	int xlog = c->ax[CHART_X].log_base, ylog = sy->log_base;
	pl_pencolorname_r(x->pl, s->color);
	pl_linemod_r(x->pl, s->dash);
	pl_flinewidth_r(x->pl, 2);
	int open = 0;
	for (size_t j = 0; j < s->n; j++) {
		double vx = s->x[j], vy = s->y[j];
		if (!isfinite(vx) || !isfinite(vy) || (xlog && vx <= 0) || (ylog && vy <= 0)) {
			if (open)
				pl_endpath_r(x->pl);
			open = 0;
			continue;
		}
		double px = scale_map(&l->sx, vx, l->x0, l->x1);
		double py = scale_map(sy, vy, l->y0, l->y1);
		if (open)
			pl_fcont_r(x->pl, px, py);
		else
			pl_fmove_r(x->pl, px, py);
		open = 1;
	}
	pl_endpath_r(x->pl);
	if (!s->marker)
		return;
	pl_linemod_r(x->pl, "solid");
	pl_flinewidth_r(x->pl, 1.5);
	for (size_t j = 0; j < s->n; j++) {
		double vx = s->x[j], vy = s->y[j];
		if (!isfinite(vx) || !isfinite(vy) || (xlog && vx <= 0) || (ylog && vy <= 0))
			continue;
		pl_fmarker_r(x->pl, scale_map(&l->sx, vx, l->x0, l->x1),
			     scale_map(sy, vy, l->y0, l->y1), s->marker, 8);
	}
}

static void draw_vlines(const chart *c, struct ctx *x, const struct layout *l)
{
	for (size_t i = 0; i < c->nv; i++) {
		double px = scale_map(&l->sx, c->v[i].x, l->x0, l->x1);
		line(x, px, l->y0, px, l->y1, c->v[i].color, "shortdashed", 1);
		if (l->vrow[i] < 0)
			continue;
		char t[256];
		fit_text(x, VLINE_PT, c->v[i].label, 120, t, sizeof t);
		double w = text_w(x, VLINE_PT, t);
		double a = fmax(l->x0, fmin(px - w / 2, l->x1 - w));
		double py = l->y1 + 4 + l->vrow[i] * (VLINE_PT + 5);
		draw_text(x, a, py, 'l', 'b', 0, VLINE_PT,
			  strcmp(c->v[i].color, "#555555") ? c->v[i].color : "#333333", t);
	}
}

static double bar_base(const struct scale *s)
{
	return s->log_base ? s->lo : fmin(fmax(0, s->lo), s->hi);
}

static void draw_bar(struct ctx *x, const struct layout *l, const struct series *s, size_t j,
		     double left, double bw)
{
	const struct scale *sy = &l->sy;
	if (!isfinite(s->y[j]) || (sy->log_base && s->y[j] <= 0))
		return; /* no value, no whiskers either */
	double base = scale_map(sy, bar_base(sy), l->y0, l->y1);
	double top = scale_map(sy, s->y[j], l->y0, l->y1);
	pl_linemod_r(x->pl, "solid");
	pl_flinewidth_r(x->pl, 1);
	pl_pencolorname_r(x->pl, s->color);
	pl_fillcolorname_r(x->pl, s->color);
	pl_filltype_r(x->pl, 1);
	pl_fbox_r(x->pl, left + 1, base, left + bw - 1, top);
	pl_filltype_r(x->pl, 0);
	if (!s->lo || !isfinite(s->lo[j]) || !isfinite(s->hi[j]) ||
	    (sy->log_base && (s->lo[j] <= 0 || s->hi[j] <= 0)))
		return;
	double cx = left + bw / 2, cap = fmax(2, bw * 0.2);
	double lo = scale_map(sy, s->lo[j], l->y0, l->y1);
	double hi = scale_map(sy, s->hi[j], l->y0, l->y1);
	line(x, cx, lo, cx, hi, "#222222", "solid", 1.5);
	line(x, cx - cap, lo, cx + cap, lo, "#222222", "solid", 1.5);
	line(x, cx - cap, hi, cx + cap, hi, "#222222", "solid", 1.5);
}

static void draw_bars(const chart *c, struct ctx *x, const struct layout *l)
{
	double bw = l->cat_w * 0.8 / (double)(c->ns ? c->ns : 1);
	for (size_t k = 0; k < c->ncats; k++) {
		double g = l->x0 + (double)k * l->cat_w;
		for (size_t i = 0; i < c->ns; i++)
			draw_bar(x, l, &c->s[i], k, g + l->cat_w * 0.1 + (double)i * bw, bw);
		char t[256];
		double cx = g + l->cat_w / 2, py = l->y0 - TICK_LEN - 3;
		if (l->numbered) {
			snprintf(t, sizeof t, "%zu", k + 1);
			draw_text(x, cx, py, 'c', 't', 0, TICK_PT, "black", t);
		} else if (l->rotate) {
			to_latin1(c->cats[k], t, sizeof t);
			draw_text(x, cx, py, 'r', 'c', 90, TICK_PT, "black", t);
		} else {
			fit_text(x, TICK_PT, c->cats[k], l->cat_w - 6, t, sizeof t);
			draw_text(x, cx, py, 'c', 't', 0, TICK_PT, "black", t);
		}
		line(x, cx, l->y0 - TICK_LEN, cx, l->y0, "black", "solid", 1);
	}
}

static void legend_sample(const chart *c, struct ctx *x, const struct series *s, double px,
			  double py)
{
	if (c->kind == KIND_BARS) {
		pl_pencolorname_r(x->pl, s->color);
		pl_fillcolorname_r(x->pl, s->color);
		pl_filltype_r(x->pl, 1);
		pl_linemod_r(x->pl, "solid");
		pl_fbox_r(x->pl, px + 6, py - 5, px + 16, py + 5);
		pl_filltype_r(x->pl, 0);
		return;
	}
	line(x, px, py, px + SAMPLE_W, py, s->color, s->dash, 2);
	if (s->marker) {
		pl_linemod_r(x->pl, "solid");
		pl_flinewidth_r(x->pl, 1.5);
		pl_fmarker_r(x->pl, px + SAMPLE_W / 2, py, s->marker, 8);
	}
}

/* The legend sits right of the plot (and of a right axis), top-aligned; a
 * legend taller than the plot ends in "+N more". */
static void draw_legend(const chart *c, struct ctx *x, const struct layout *l)
{
	if (!l->nleg)
		return;
	int fit = (int)((l->y1 - l->y0 - 8) / LEGEND_ROW);
	int rows = l->nleg <= fit ? l->nleg : fit;
	double top = l->y1, bottom = top - 8 - rows * LEGEND_ROW;
	line(x, l->leg_x, top, l->leg_x + l->leg_w, top, "#999999", "solid", 1);
	pl_fbox_r(x->pl, l->leg_x, bottom, l->leg_x + l->leg_w, top);
	int row = 0;
	for (size_t i = 0; i < c->ns && row < rows; i++) {
		const struct series *s = &c->s[i];
		if (!s->label[0] || first_labelled(c, s->label, i))
			continue;
		double py = top - 4 - (row + 0.5) * LEGEND_ROW;
		double lx = l->leg_x + 6 + SAMPLE_W + 6;
		char t[256];
		if (row == rows - 1 && rows < l->nleg) {
			snprintf(t, sizeof t, "+%d more", l->nleg - rows + 1);
			draw_text(x, lx, py, 'l', 'c', 0, LEGEND_PT, "black", t);
			break;
		}
		legend_sample(c, x, s, l->leg_x + 6, py);
		fit_text(x, LEGEND_PT, s->label, l->leg_label_w + 0.5, t, sizeof t);
		draw_text(x, lx, py, 'l', 'c', 0, LEGEND_PT, "black", t);
		row++;
	}
}

/* Small multiples: the plot area split into a grid of panels that share
 * both scales (the data ranges are the whole chart's), each with its own
 * ticks and title; the axis titles and the legend are the chart's. */
static void draw_panels(const chart *c, struct ctx *x, const struct layout *l)
{
	size_t cols = (size_t)c->columns, rows = (c->npanels + cols - 1) / cols;
	double title_h = PANEL_PT + 4;
	double gap_x = l->ytick_w + 4 + TICK_LEN + 3 * GAP;
	double gap_y = TICK_PT + 4 + TICK_LEN + GAP + title_h;
	double pw = (l->x1 - l->x0 - (double)(cols - 1) * gap_x) / (double)cols;
	double ph = (l->y1 - l->y0 - title_h - (double)(rows - 1) * gap_y) / (double)rows;
	struct range r[3];
	data_ranges(c, r);
	for (size_t p = 0; p < c->npanels; p++) {
		struct layout pl = *l;
		pl.x0 = l->x0 + (double)(p % cols) * (pw + gap_x);
		pl.x1 = pl.x0 + pw;
		pl.y1 = l->y1 - title_h - (double)(p / cols) * (ph + gap_y);
		pl.y0 = pl.y1 - ph;
		x_scale(c, x, r[CHART_X], &pl);
		draw_y_ticks(x, &pl, &pl.sy, 0);
		draw_x_ticks(x, &pl);
		for (size_t i = 0; i < c->ns; i++)
			if (c->s[i].panel == p)
				draw_series_line(c, x, &pl, &c->s[i]);
		line(x, pl.x0, pl.y0, pl.x1, pl.y0, "black", "solid", 1);
		pl_fbox_r(x->pl, pl.x0, pl.y0, pl.x1, pl.y1);
		char t[256];
		fit_text(x, PANEL_PT, c->panels[p], pw, t, sizeof t);
		draw_text(x, (pl.x0 + pl.x1) / 2, pl.y1 + 4, 'c', 'b', 0, PANEL_PT, "black", t);
	}
}

static int draw(const chart *c, struct ctx *x)
{
	struct layout l;
	memset(&l, 0, sizeof l);
	if (layout(c, x, &l) < 0) {
		free(l.vrow);
		return -1;
	}
	pl_filltype_r(x->pl, 0);
	pl_joinmod_r(x->pl, "round");
	pl_capmod_r(x->pl, "butt");
	if (c->npanels) {
		draw_panels(c, x, &l);
	} else {
		draw_y_ticks(x, &l, &l.sy, 0);
		if (c->has_y2)
			draw_y_ticks(x, &l, &l.sy2, 1);
		if (c->kind == KIND_BARS) {
			draw_bars(c, x, &l);
		} else {
			draw_x_ticks(x, &l);
			draw_vlines(c, x, &l);
			for (size_t i = 0; i < c->ns; i++)
				draw_series_line(c, x, &l, &c->s[i]);
		}
		line(x, l.x0, l.y0, l.x1, l.y0, "black", "solid", 1);
		pl_fbox_r(x->pl, l.x0, l.y0, l.x1, l.y1);
	}
	draw_frame_text(c, x, &l);
	draw_legend(c, x, &l);
	free(l.vrow);
	return 0;
}

/* ---- output ------------------------------------------------------------- */

static void set_param(plPlotterParams *p, const char *name, const char *value)
{
	/* libplot copies the string and never writes through the pointer. */
	pl_setplparam(p, name, (void *)(uintptr_t)value);
}

/*
 * Every parameter libplot would otherwise read from the environment. SVG
 * reads PAGESIZE (its width and height) and BG_COLOR; PNG reads BITMAPSIZE,
 * BG_COLOR, INTERLACE, TRANSPARENT_COLOR ("none" is no colour, so nothing is
 * transparent) and, like all plotters, EMULATE_COLOR and MAX_LINE_LENGTH.
 * The rest only concern other plotter types and are fixed for completeness.
 * DISPLAY, TERM and XDRAWABLE_* matter only to X11 and Tektronix plotters,
 * which are never created here.
 */
static const char *const fixed_params[][2] = {
    {"BG_COLOR", "white"},
    {"EMULATE_COLOR", "no"},
    {"INTERLACE", "no"},
    {"TRANSPARENT_COLOR", "none"},
    {"MAX_LINE_LENGTH", "500"},
    {"ROTATION", "0"},
    {"META_PORTABLE", "no"},
    {"PNM_PORTABLE", "no"},
    {"GIF_ANIMATION", "yes"},
    {"GIF_DELAY", "0"},
    {"GIF_ITERATIONS", "0"},
    {"CGM_ENCODING", "binary"},
    {"CGM_MAX_VERSION", "4"},
    {"AI_VERSION", "5"},
    {"HPGL_VERSION", "2"},
    {"HPGL_ASSIGN_COLORS", "no"},
    {"HPGL_OPAQUE_MODE", "yes"},
    {"HPGL_PENS", "1=black:2=red:3=green:4=blue:5=magenta:6=cyan:7=yellow"},
    {"HPGL_ROTATE", "0"},
    {"PCL_ASSIGN_COLORS", "no"},
    {"PCL_BEZIERS", "yes"},
    {"USE_DOUBLE_BUFFERING", "no"},
    {"VANISH_ON_DELETE", "no"},
    {"X_AUTO_FLUSH", "yes"},
};

static plPlotterParams *make_params(const chart *c)
{
	plPlotterParams *p = pl_newplparams();
	if (!p)
		return NULL;
	char page[96], bitmap[32];
	/* SVG at 100 pixels per inch: the same proportions as the PNG. */
	snprintf(page, sizeof page, "a4,xsize=%gin,ysize=%gin", c->width / 100.0,
		 c->height / 100.0);
	snprintf(bitmap, sizeof bitmap, "%dx%d", c->width, c->height);
	set_param(p, "PAGESIZE", page);
	set_param(p, "BITMAPSIZE", bitmap);
	for (size_t i = 0; i < NELEM(fixed_params); i++)
		set_param(p, fixed_params[i][0], fixed_params[i][1]);
	return p;
}

/* libplot's own complaint, for the error message; libplot writes its
 * warnings to a stream, which must not be the user's terminal. */
static void libplot_says(FILE *ef, char **buf, char *out, size_t n)
{
	out[0] = '\0';
	if (!ef)
		return;
	fclose(ef);
	if (*buf)
		snprintf(out, n, ": %.*s", (int)strcspn(*buf, "\n"), *buf);
	free(*buf);
	*buf = NULL;
}

static int render(const chart *c, struct ctx *x, FILE *f, const char *type, const char *path,
		  err *e)
{
	char *ebuf = NULL, said[256];
	size_t elen = 0;
	FILE *ef = open_memstream(&ebuf, &elen);
	plPlotterParams *p = make_params(c);
	int rc = -1;
	x->pl = p ? pl_newpl_r(type, NULL, f, ef, p) : NULL;
	if (!x->pl) {
		libplot_says(ef, &ebuf, said, sizeof said);
		if (p)
			pl_deleteplparams(p);
		return err_set(e, "%s: libplot refused to make a %s plotter%s", path, type, said);
	}
	if (pl_openpl_r(x->pl) >= 0) {
		pl_fspace_r(x->pl, 0, 0, c->width, c->height);
		if (draw(c, x) == 0)
			rc = 0;
		else
			err_set(e, "%s: out of memory", path);
		if (pl_closepl_r(x->pl) < 0 && rc == 0)
			rc = -2;
	} else {
		rc = -2;
	}
	pl_deletepl_r(x->pl);
	pl_deleteplparams(p);
	libplot_says(ef, &ebuf, said, sizeof said);
	if (rc == -2)
		return err_set(e, "%s: libplot failed to draw%s", path, said);
	return rc;
}

static unsigned long be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 |
	       p[3];
}

/* libplot stamps every PNG with a "Creation Time" text chunk, so the same
 * chart would differ from one second to the next. Chunks carry their own
 * CRC and text chunks are optional: dropping that one leaves a valid file. */
static size_t png_drop_time(unsigned char *p, size_t n)
{
	static const char key[] = "Creation Time"; /* with its NUL separator */
	if (n < 8 || memcmp(p, "\x89PNG\r\n\x1a\n", 8) != 0)
		return n;
	size_t i = 8, o = 8;
	while (i + 12 <= n) {
		unsigned long len = be32(p + i);
		if (len > n - i - 12)
			break; /* malformed: leave the rest alone */
		size_t total = (size_t)len + 12;
		int drop = memcmp(p + i + 4, "tEXt", 4) == 0 && len >= sizeof key &&
			   memcmp(p + i + 8, key, sizeof key) == 0;
		if (!drop) {
			memmove(p + o, p + i, total);
			o += total;
		}
		i += total;
	}
	memmove(p + o, p + i, n - i);
	return o + (n - i);
}

/* libplot's SVG declares ISO-8859-1 and holds the Latin-1 bytes the text was
 * drawn in (0xB5 for "µs"); browsers and XML tools expect UTF-8 in web pages'
 * images, so the file is rewritten as UTF-8 with the declaration to match.
 * *out is malloc'd. */
static int svg_utf8(const char *in, size_t n, char **out, size_t *out_n)
{
	static const char latin1[] = "encoding=\"ISO-8859-1\"", utf8[] = "encoding=\"UTF-8\"";
	char *o = malloc(2 * n + sizeof utf8);
	size_t k = 0;
	if (!o)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (i + sizeof latin1 - 1 <= n && !memcmp(in + i, latin1, sizeof latin1 - 1)) {
			memcpy(o + k, utf8, sizeof utf8 - 1);
			k += sizeof utf8 - 1;
			i += sizeof latin1 - 2;
		} else if (c >= 0x80) {
			o[k++] = (char)(0xc0 | c >> 6);
			o[k++] = (char)(0x80 | (c & 0x3f));
		} else
			o[k++] = (char)c;
	}
	*out = o;
	*out_n = k;
	return 0;
}

static int save(const char *path, const char *buf, size_t len, err *e)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return err_set(e, "cannot open %s: %s", path, strerror(errno));
	size_t put = fwrite(buf, 1, len, f);
	int saved = errno;
	if (fclose(f) != 0 || put != len) {
		if (put == len)
			saved = errno;
		remove(path); /* a half-written chart must not look like a result */
		return err_set(e, "writing %s: %s", path, strerror(saved));
	}
	return 0;
}

/* Drawn in memory first, so a failure leaves no file behind. */
static int write_one(const chart *c, const char *base, const char *type, const char *font, err *e)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s.%s", base, type) >= sizeof path)
		return err_set(e, "%s.%s: path too long", base, type);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return err_set(e, "%s: %s", path, strerror(errno));
	struct ctx x = {NULL, font, 0};
	int rc = render(c, &x, mem, type, path, e);
	if (fclose(mem) != 0 && rc == 0)
		rc = err_set(e, "%s: out of memory", path);
	if (rc == 0 && strcmp(type, "svg") == 0) {
		char *u;
		if (svg_utf8(buf, len, &u, &len) < 0)
			rc = err_set(e, "%s: out of memory", path);
		else {
			free(buf);
			buf = u;
		}
	}
	if (rc == 0) {
		if (strcmp(type, "png") == 0)
			len = png_drop_time((unsigned char *)buf, len);
		rc = save(path, buf, len, e);
	}
	free(buf);
	return rc;
}

int chart_write(const chart *c, const char *base, err *e)
{
	if (!c || !base)
		return err_set(e, "plot: no chart or path");
	if (c->broken)
		return err_set(e, "%s: chart incomplete: an earlier plot call failed", base);
	if (write_one(c, base, "svg", "Helvetica", e) < 0)
		return -1;
	return write_one(c, base, "png", "HersheySans", e);
}
