/* Unit tests of the chart layer: tick choice, labels, and the files written
 * (both formats, exact size, byte-identical reruns, immune to libplot's
 * environment variables, clear errors). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart.h"

#define MIB 1048576.0
#define GIB 1073741824.0

/* The ticks are evenly spaced by m x 10^k (m in 1, 2, 2.5, 5), sit on
 * multiples of that step, and cover [lo, hi]. */
static void check_nice(double lo, double hi, int max, int min_count)
{
	double t[16];
	int n = -1;
	ck_assert_int_eq(chart_nice_ticks(lo, hi, max, t, &n), 0);
	ck_assert_msg(n >= min_count && n <= max, "[%g, %g]: %d ticks", lo, hi, n);
	ck_assert_msg(t[0] <= lo && t[n - 1] >= hi, "[%g, %g] not covered: %g..%g", lo, hi, t[0],
		      t[n - 1]);
	double step = t[1] - t[0];
	double k = floor(log10(step));
	double m = step / pow(10, k);
	ck_assert_msg(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 2.5) < 1e-9 ||
			  fabs(m - 5) < 1e-9,
		      "[%g, %g]: step %g is not round", lo, hi, step);
	for (int i = 0; i < n; i++) {
		double q = t[i] / step;
		ck_assert_msg(fabs(q - round(q)) < 1e-9, "tick %g is off the step %g", t[i], step);
		if (i > 0)
			ck_assert_double_eq_tol(t[i] - t[i - 1], step, step * 1e-9);
	}
}

START_TEST(test_nice_ticks_ranges)
{
	check_nice(0, 1, 8, 4);
	check_nice(0, 7.3, 8, 4);
	check_nice(0.013, 0.087, 8, 4);
	check_nice(1e6, 9.5e7, 8, 4);
	check_nice(-3, 12, 8, 4);
	check_nice(5, 5, 8, 3);
	check_nice(0, 0, 8, 3);
	check_nice(-7.3, -0.2, 8, 4);
	check_nice(0, 7.3, 5, 3);
	check_nice(123456789, 123456799, 6, 3);
}
END_TEST

START_TEST(test_nice_ticks_exact)
{
	double t[16];
	int n;
	ck_assert_int_eq(chart_nice_ticks(0, 1, 8, t, &n), 0);
	ck_assert_int_eq(n, 6);
	double want[] = {0, 0.2, 0.4, 0.6, 0.8, 1};
	for (int i = 0; i < 6; i++)
		ck_assert(t[i] == want[i]); /* exactly the nearest doubles */
	ck_assert_int_eq(chart_nice_ticks(-3, 12, 8, t, &n), 0);
	ck_assert_int_eq(n, 8);
	ck_assert(t[0] == -5 && t[2] == 0 && t[7] == 12.5);
	ck_assert_int_eq(chart_nice_ticks(0, 0, 8, t, &n), 0);
	ck_assert(t[0] == 0 && t[n - 1] == 1);
	ck_assert(!signbit(t[0]));
	ck_assert_int_eq(chart_nice_ticks(12, -3, 8, t, &n), 0); /* reversed */
	ck_assert(t[0] == -5);
	ck_assert_int_eq(chart_nice_ticks(NAN, 1, 8, t, &n), -1);
	ck_assert_int_eq(chart_nice_ticks(0, INFINITY, 8, t, &n), -1);
	ck_assert_int_eq(chart_nice_ticks(0, 1, 1, t, &n), -1);
}
END_TEST

START_TEST(test_log_ticks)
{
	double t[16];
	int n;
	ck_assert_int_eq(chart_log_ticks(16 * MIB, GIB, 2, 8, t, &n), 0);
	ck_assert_int_eq(n, 7);
	for (int i = 0; i < n; i++)
		ck_assert(t[i] == ldexp(1, 24 + i));
	/* Too many powers: every second one, still covering. */
	ck_assert_int_eq(chart_log_ticks(16 * MIB, GIB, 2, 4, t, &n), 0);
	ck_assert_int_eq(n, 4);
	ck_assert(t[0] == 16 * MIB && t[1] == 64 * MIB && t[3] == GIB);
	ck_assert_int_eq(chart_log_ticks(20 * MIB, 900 * MIB, 2, 8, t, &n), 0);
	ck_assert(t[0] == 16 * MIB && t[n - 1] == GIB);
	ck_assert_int_eq(chart_log_ticks(3, 4500, 10, 8, t, &n), 0);
	ck_assert_int_eq(n, 5);
	ck_assert(t[0] == 1 && t[4] == 10000);
	ck_assert_int_eq(chart_log_ticks(64, 64, 2, 8, t, &n), 0);
	ck_assert(n >= 2 && t[0] <= 64 && t[n - 1] >= 64);
	ck_assert_int_eq(chart_log_ticks(0, 10, 10, 8, t, &n), -1);
	ck_assert_int_eq(chart_log_ticks(1, 10, 3, 8, t, &n), -1);
}
END_TEST

static void check_fmt(double v, chart_unit u, const char *want)
{
	char buf[32];
	ck_assert_str_eq(chart_format(buf, sizeof buf, v, u), want);
}

START_TEST(test_format)
{
	check_fmt(16 * MIB, CHART_BYTES, "16 MiB");
	check_fmt(1.5 * GIB, CHART_BYTES, "1.5 GiB");
	check_fmt(GIB, CHART_BYTES, "1 GiB");
	check_fmt(512, CHART_BYTES, "512 B");
	check_fmt(1536, CHART_BYTES, "1.5 KiB");
	check_fmt(0, CHART_BYTES, "0 B");
	check_fmt(42, CHART_NS, "42 ns");
	check_fmt(250e3, CHART_NS, "250 \xc2\xb5s");
	check_fmt(1.5e6, CHART_NS, "1.5 ms");
	check_fmt(2.5e9, CHART_NS, "2.5 s");
	check_fmt(120e9, CHART_NS, "120 s");
	check_fmt(0.013, CHART_PLAIN, "0.013");
	check_fmt(2.5, CHART_PLAIN, "2.5");
	check_fmt(-3, CHART_PLAIN, "-3");
	check_fmt(1500, CHART_PLAIN, "1500");
	check_fmt(25000, CHART_PLAIN, "25k");
	check_fmt(1.5e6, CHART_PLAIN, "1.5M");
	check_fmt(123456, CHART_PLAIN, "123k");
	check_fmt(NAN, CHART_PLAIN, "n/a");
	char small[6];
	chart_format(small, sizeof small, 1.5 * GIB, CHART_BYTES);
	ck_assert_str_eq(small, "1.5 G"); /* cut, still terminated */
}
END_TEST

/* ---- files -------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	do {
		if (n + 4096 > cap) {
			cap = cap * 2 + 4096;
			buf = realloc(buf, cap + 1);
			ck_assert_ptr_nonnull(buf);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static char *slurp_ext(const char *base, const char *ext, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, "%s.%s", base, ext);
	char *b = slurp(path, len);
	ck_assert_msg(b != NULL, "%s was not written", path);
	return b;
}

static int has(const char *buf, size_t len, const char *s)
{
	size_t m = strlen(s);
	for (size_t i = 0; i + m <= len; i++)
		if (memcmp(buf + i, s, m) == 0)
			return 1;
	return 0;
}

static unsigned be32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

static void check_files(const char *base, int w, int h, const char *title)
{
	size_t n;
	char *png = slurp_ext(base, "png", &n);
	const unsigned char *p = (const unsigned char *)png;
	ck_assert_uint_ge(n, 33);
	ck_assert_mem_eq(p, "\x89PNG\r\n\x1a\n", 8);
	ck_assert_mem_eq(p + 12, "IHDR", 4);
	ck_assert_uint_eq(be32(p + 16), (unsigned)w);
	ck_assert_uint_eq(be32(p + 20), (unsigned)h);
	free(png);
	char *svg = slurp_ext(base, "svg", &n);
	ck_assert(has(svg, n, "<svg"));
	ck_assert(has(svg, n, "</svg>"));
	ck_assert_msg(has(svg, n, title), "title \"%s\" not in %s.svg", title, base);
	free(svg);
}

static void same_files(const char *a, const char *b)
{
	static const char *const ext[] = {"svg", "png"};
	for (int i = 0; i < 2; i++) {
		size_t na, nb;
		char *x = slurp_ext(a, ext[i], &na);
		char *y = slurp_ext(b, ext[i], &nb);
		ck_assert_msg(na == nb && memcmp(x, y, na) == 0, "%s.%s and %s.%s differ", a,
			      ext[i], b, ext[i]);
		free(x);
		free(y);
	}
}

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/migsim-plot-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
	static const char *const names[] = {"a", "b", "c", "bars", "bars2", "log", "x"};
	char path[128];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s.svg", dir, names[i]);
		remove(path);
		snprintf(path, sizeof path, "%s/%s.png", dir, names[i]);
		remove(path);
	}
	rmdir(dir);
}

static const char *base(const char *name)
{
	static char b[4][128];
	static int k;
	k = (k + 1) % 4;
	snprintf(b[k], sizeof b[k], "%s/%s", dir, name);
	return b[k];
}

static chart *line_chart(void)
{
	err e;
	double t[100], pend[100], thr[100];
	for (int i = 0; i < 100; i++) {
		t[i] = i * 50e6;
		pend[i] = 3 * GIB * exp(-i / 30.0);
		thr[i] = 110 * MIB + 5 * MIB * sin(i);
	}
	chart *c = chart_new("Pending bytes of calloc-loop", &e);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(
	    chart_set_axis(c, CHART_X, &(chart_axis){.title = "Time", .unit = CHART_NS}, &e), 0);
	ck_assert_int_eq(
	    chart_set_axis(c, CHART_Y, &(chart_axis){.title = "Pending", .unit = CHART_BYTES}, &e),
	    0);
	ck_assert_int_eq(
	    chart_set_axis(
		c, CHART_Y2,
		&(chart_axis){.title = "Throughput", .unit = CHART_BYTES, .unit_text = "/s"}, &e),
	    0);
	ck_assert_int_eq(chart_line(c, "pending", t, pend, 100, NULL, &e), 0);
	ck_assert_int_eq(chart_line(c, "throughput", t, thr, 100, &(chart_style){.right = 1}, &e),
			 0);
	ck_assert_int_eq(chart_vline(c, 2e9, "switch-over", &e), 0);
	ck_assert_int_eq(chart_vline(c, 4.9e9, "completed", &e), 0);
	return c;
}

static chart *bar_chart(void)
{
	err e;
	const char *cats[] = {"calloc-loop", "idle", "kernel-build", "redis"};
	double v[][4] = {{30e6, 2e6, 80e6, 120e6}, {25e6, NAN, 60e6, 90e6}};
	double lo[][4] = {{25e6, 1e6, 70e6, 100e6}, {20e6, 0, 50e6, 80e6}};
	double hi[][4] = {{40e6, 3e6, 95e6, 150e6}, {30e6, 0, 70e6, 99e6}};
	chart *c = chart_new("Downtime per policy", &e);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(chart_set_axis(c, CHART_X, &(chart_axis){.title = "Workload"}, &e), 0);
	ck_assert_int_eq(
	    chart_set_axis(c, CHART_Y, &(chart_axis){.title = "Downtime", .unit = CHART_NS}, &e),
	    0);
	ck_assert_int_eq(chart_categories(c, cats, 4, &e), 0);
	ck_assert_int_eq(chart_bars(c, "precopy", v[0], lo[0], hi[0], NULL, &e), 0);
	ck_assert_int_eq(chart_bars(c, "postcopy", v[1], lo[1], hi[1], NULL, &e), 0);
	ck_assert_int_eq(chart_bars(c, "no whiskers", v[1], NULL, NULL, NULL, &e), 0);
	return c;
}

START_TEST(test_write_line_chart)
{
	err e;
	make_dir();
	chart *c = line_chart();
	ck_assert_msg(chart_write(c, base("a"), &e) == 0, "%s", e.msg);
	check_files(base("a"), 800, 500, "Pending bytes of calloc-loop");
	size_t n;
	char *svg = slurp_ext(base("a"), "svg", &n);
	/* Units land in the axis titles, scaled to the data. */
	ck_assert(has(svg, n, "Pending (GiB)"));
	ck_assert(has(svg, n, "Throughput (MiB/s)"));
	ck_assert(has(svg, n, "Time (s)"));
	ck_assert(has(svg, n, "switch-over"));
	free(svg);
	/* A second later: libplot's PNG creation time must not show. */
	sleep(1);
	ck_assert_int_eq(chart_write(c, base("b"), &e), 0);
	same_files(base("a"), base("b"));
	char *png = slurp_ext(base("b"), "png", &n);
	ck_assert(!has(png, n, "Creation Time"));
	free(png);
	chart_free(c);
	remove_dir();
}
END_TEST

START_TEST(test_write_bar_chart)
{
	err e;
	make_dir();
	chart *c = bar_chart();
	ck_assert_int_eq(chart_set_size(c, 640, 400, &e), 0);
	ck_assert_msg(chart_write(c, base("bars"), &e) == 0, "%s", e.msg);
	check_files(base("bars"), 640, 400, "Downtime per policy");
	size_t n;
	char *svg = slurp_ext(base("bars"), "svg", &n);
	ck_assert(has(svg, n, "Downtime (ms)"));
	ck_assert(has(svg, n, "kernel-build"));
	ck_assert(has(svg, n, "postcopy"));
	free(svg);
	ck_assert_int_eq(chart_write(c, base("bars2"), &e), 0);
	same_files(base("bars"), base("bars2"));
	chart_free(c);
	remove_dir();
}
END_TEST

/* Strict UTF-8: no overlong forms, surrogates or stray continuation bytes. */
static int valid_utf8(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t k = c < 0x80		? 0
			   : (c & 0xe0) == 0xc0 ? 1
			   : (c & 0xf0) == 0xe0 ? 2
			   : (c & 0xf8) == 0xf0 ? 3
						: 9;
		if (k == 9 || (k == 1 && c < 0xc2) || i + k >= n + (k ? 0 : 1))
			return 0;
		for (size_t j = 1; j <= k; j++)
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

/* A browser loads an SVG only when its bytes are what its declaration says:
 * libplot writes text in Latin-1, the chart's SVG must be UTF-8 throughout. */
START_TEST(test_svg_utf8)
{
	err e;
	make_dir();
	chart *c = chart_new("Fault wait \xc2\xb5s: caf\xc3\xa9 <&>", &e);
	ck_assert_int_eq(
	    chart_set_axis(c, CHART_X, &(chart_axis){.title = "Time", .unit = CHART_NS}, &e), 0);
	ck_assert_int_eq(
	    chart_line(c, "a", (const double[]){0, 2500}, (const double[]){1, 2}, 2, NULL, &e), 0);
	ck_assert_int_eq(chart_write(c, base("x"), &e), 0);
	chart_free(c);
	size_t n;
	char *svg = slurp_ext(base("x"), "svg", &n);
	ck_assert_msg(valid_utf8((const unsigned char *)svg, n), "x.svg is not UTF-8");
	ck_assert(has(svg, n, "encoding=\"UTF-8\""));
	ck_assert(has(svg, n, "Time (\xc2\xb5s)"));
	ck_assert(has(svg, n, "caf\xc3\xa9 &lt;&amp;&gt;"));
	free(svg);
	remove_dir();
}
END_TEST

/* Two long labels that differ only at the end: cut, they would read alike.
 * They become numbers with a key naming each in full. */
START_TEST(test_bar_labels_numbered)
{
	err e;
	make_dir();
	static const char *const cats[] = {
	    "postcopy-ram@after-first-pass bandwidth-bytes-per-s=125000000",
	    "postcopy-ram@after-first-pass bandwidth-bytes-per-s=1250000000"};
	chart *c = chart_new("Downtime", &e);
	ck_assert_int_eq(chart_categories(c, cats, 2, &e), 0);
	ck_assert_int_eq(chart_bars(c, "median", (const double[]){1, 2}, NULL, NULL, NULL, &e), 0);
	ck_assert_int_eq(chart_write(c, base("bars"), &e), 0);
	chart_free(c);
	size_t n;
	char *svg = slurp_ext(base("bars"), "svg", &n);
	ck_assert(!has(svg, n, "..."));
	ck_assert(
	    has(svg, n, ">1: postcopy-ram@after-first-pass bandwidth-bytes-per-s=125000000<"));
	ck_assert(
	    has(svg, n, ">2: postcopy-ram@after-first-pass bandwidth-bytes-per-s=1250000000<"));
	ck_assert(has(svg, n, ">1<") && has(svg, n, ">2<"));
	free(svg);
	remove_dir();
}
END_TEST

START_TEST(test_write_log_axis)
{
	err e;
	make_dir();
	double x[] = {16 * MIB, 64 * MIB, 256 * MIB, GIB}, y[] = {900e6, 400e6, 150e6, 80e6};
	chart *c = chart_new("xbzrle-cache-size sweep", &e);
	chart_set_axis(c, CHART_X,
		       &(chart_axis){.title = "Cache", .unit = CHART_BYTES, .log_base = 2}, &e);
	chart_set_axis(c, CHART_Y, &(chart_axis){.title = "Downtime", .unit = CHART_NS}, &e);
	ck_assert_int_eq(chart_line(c, "downtime", x, y, 4, &(chart_style){.markers = 1}, &e), 0);
	ck_assert_msg(chart_write(c, base("log"), &e) == 0, "%s", e.msg);
	check_files(base("log"), 800, 500, "xbzrle-cache-size sweep");
	size_t n;
	char *svg = slurp_ext(base("log"), "svg", &n);
	ck_assert(has(svg, n, ">16 MiB<"));
	ck_assert(has(svg, n, ">1 GiB<"));
	free(svg);
	chart_free(c);
	remove_dir();
}
END_TEST

/* libplot reads any parameter left unset from the environment. */
START_TEST(test_environment_ignored)
{
	static const char *const vars[][2] = {
	    {"BG_COLOR", "red"},
	    {"BITMAPSIZE", "100x100"},
	    {"PAGESIZE", "letter"},
	    {"INTERLACE", "yes"},
	    {"TRANSPARENT_COLOR", "white"},
	    {"EMULATE_COLOR", "yes"},
	    {"MAX_LINE_LENGTH", "3"},
	    {"ROTATION", "90"},
	};
	const size_t nv = sizeof vars / sizeof vars[0];
	err e;
	make_dir();
	for (size_t i = 0; i < nv; i++)
		unsetenv(vars[i][0]);
	chart *c = line_chart();
	ck_assert_int_eq(chart_write(c, base("a"), &e), 0);
	for (size_t i = 0; i < nv; i++)
		setenv(vars[i][0], vars[i][1], 1);
	int rc = chart_write(c, base("b"), &e);
	for (size_t i = 0; i < nv; i++)
		unsetenv(vars[i][0]);
	ck_assert_int_eq(rc, 0);
	same_files(base("a"), base("b"));
	check_files(base("b"), 800, 500, "Pending bytes");
	chart_free(c);
	remove_dir();
}
END_TEST

START_TEST(test_errors)
{
	err e;
	chart *c = line_chart();
	ck_assert_int_eq(chart_write(c, "/nonexistent-migsim-dir/chart", &e), -1);
	ck_assert_msg(strstr(e.msg, "/nonexistent-migsim-dir/chart.svg") != NULL, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, "No such file") != NULL, "%s", e.msg);
	chart_free(c);

	c = chart_new("t", &e);
	ck_assert_int_eq(chart_set_axis(c, CHART_X, &(chart_axis){.log_base = 3}, &e), -1);
	ck_assert_int_eq(chart_set_size(c, 10, 10, &e), -1);
	chart_free(c);

	/* A failed adding call poisons the chart: chart_write says so. */
	make_dir();
	c = chart_new("t", &e);
	double v[] = {1};
	ck_assert_int_eq(chart_bars(c, "b", v, NULL, NULL, NULL, &e), -1);
	ck_assert_int_eq(chart_write(c, base("x"), &e), -1);
	ck_assert_msg(strstr(e.msg, "incomplete") != NULL, "%s", e.msg);
	char xs[160];
	snprintf(xs, sizeof xs, "%s.svg", base("x"));
	ck_assert(access(xs, F_OK) != 0);
	chart_free(c);

	c = line_chart();
	const char *cats[] = {"a"};
	ck_assert_int_eq(chart_categories(c, cats, 1, &e), -1);
	ck_assert_msg(strstr(e.msg, "lines or bars") != NULL, "%s", e.msg);
	chart_free(c);
	c = chart_new("t", &e);
	ck_assert_int_eq(chart_line(c, "r", v, v, 1, &(chart_style){.right = 1}, &e), -1);
	chart_free(c);
	remove_dir();
}
END_TEST

/* Small multiples: each panel titled, a series in the panel its style
 * names, one legend entry per label however many panels draw it; lines
 * only, no panel the chart lacks, no vertical lines, panels set once. */
START_TEST(test_panels)
{
	err e;
	make_dir();
	const char *titles[] = {"ram 1GiB", "ram 2GiB", "ram 4GiB"};
	double x[] = {1, 2, 4}, y[] = {3, 2, 1};
	chart *c = chart_new("Total time against bandwidth", &e);
	ck_assert_int_eq(chart_set_size(c, 1100, 500, &e), 0);
	ck_assert_int_eq(chart_panels(c, titles, 3, 3, &e), 0);
	ck_assert_int_eq(chart_panels(c, titles, 3, 3, &e), -1);
	chart_free(c);
	c = chart_new("Total time against bandwidth", &e);
	ck_assert_int_eq(chart_set_size(c, 1100, 500, &e), 0);
	ck_assert_int_eq(chart_panels(c, titles, 3, 3, &e), 0);
	for (size_t p = 0; p < 3; p++) {
		ck_assert_int_eq(chart_line(c, "precopy", x, y, 3,
					    &(chart_style){.color = "#0072B2", .panel = p}, &e),
				 0);
		ck_assert_int_eq(chart_line(c, "xbzrle", x, y, 3,
					    &(chart_style){.color = "#D55E00", .panel = p}, &e),
				 0);
	}
	ck_assert_msg(chart_write(c, base("a"), &e) == 0, "%s", e.msg);
	check_files(base("a"), 1100, 500, "Total time against bandwidth");
	size_t n;
	char *svg = slurp_ext(base("a"), "svg", &n);
	for (int i = 0; i < 3; i++)
		ck_assert_msg(has(svg, n, titles[i]), "no panel %s", titles[i]);
	size_t lines = 0, named = 0;
	for (char *q = svg; (q = strstr(q, "<polyline")); q++)
		lines++;
	for (char *q = svg; (q = strstr(q, ">precopy<")); q++)
		named++;
	ck_assert_uint_eq(lines, 6);
	ck_assert_uint_eq(named, 1);
	free(svg);
	ck_assert_int_eq(chart_vline(c, 1, "switch-over", &e), -1);
	chart_free(c);
	c = chart_new("t", &e);
	ck_assert_int_eq(chart_panels(c, titles, 2, 2, &e), 0);
	ck_assert_int_eq(chart_line(c, "a", x, y, 3, &(chart_style){.panel = 2}, &e), -1);
	chart_free(c);
	c = chart_new("t", &e);
	ck_assert_int_eq(chart_line(c, "a", x, y, 3, &(chart_style){.panel = 1}, &e), -1);
	chart_free(c);
	c = chart_new("t", &e);
	const char *cats[] = {"a"};
	ck_assert_int_eq(chart_categories(c, cats, 1, &e), 0);
	ck_assert_int_eq(chart_panels(c, titles, 2, 2, &e), -1);
	chart_free(c);
	remove_dir();
}
END_TEST

/* Empty charts, odd values and non-Latin-1 text still give valid files. */
START_TEST(test_odd_input)
{
	err e;
	make_dir();
	chart *c = chart_new("\xe2\x86\x92 empty \xc2\xb5 chart with a title far too long to fit "
			     "into the width of the chart, so it gets cut with an ellipsis; "
			     "this is the part of the title that will never be seen",
			     &e);
	double x[] = {NAN, 1, 2, INFINITY}, y[] = {1, NAN, 0, 3};
	ck_assert_int_eq(chart_line(c, "", x, y, 4, NULL, &e), 0);
	ck_assert_int_eq(chart_line(c, "none", NULL, NULL, 0, NULL, &e), 0);
	ck_assert_msg(chart_write(c, base("c"), &e) == 0, "%s", e.msg);
	check_files(base("c"), 800, 500, ">? empty \xc2\xb5 chart");
	size_t n;
	char *svg = slurp_ext(base("c"), "svg", &n);
	ck_assert(has(svg, n, "..."));
	ck_assert(!has(svg, n, "never be seen"));
	ck_assert(!has(svg, n, "(null)")); /* axes never set: no titles */
	free(svg);
	chart_free(c);
	remove_dir();
}
END_TEST

Suite *chart_suite(void)
{
	Suite *s = suite_create("chart");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_nice_ticks_ranges);
	tcase_add_test(tc, test_nice_ticks_exact);
	tcase_add_test(tc, test_log_ticks);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_write_line_chart);
	tcase_add_test(tc, test_write_bar_chart);
	tcase_add_test(tc, test_write_log_axis);
	tcase_add_test(tc, test_svg_utf8);
	tcase_add_test(tc, test_bar_labels_numbered);
	tcase_add_test(tc, test_environment_ignored);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_odd_input);
	tcase_add_test(tc, test_panels);
	suite_add_tcase(s, tc);
	return s;
}
