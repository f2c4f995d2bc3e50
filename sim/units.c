/*
 * units — the parsers and printers declared in units.h. Every quantity a user
 * types (sizes, rates, durations) goes through here, so the spelling rules
 * are in one place and the CLI, the parameter table (params.c) and the Lua
 * host all agree.
 *
 * Accepted spellings (case matters; an optional run of spaces may separate
 * the number from its unit, nothing else may surround them):
 *   number    digits with an optional fraction and exponent: 4, 1.5, .5,
 *             2e3. No sign, no hex, no inf/nan.
 *   sizes     "" B (bytes); K k Ki KiB kiB, M Mi MiB, G Gi GiB, T Ti TiB
 *             (powers of 1024); kB KB MB GB TB (powers of 1000).
 *             Fractions are allowed when the result is whole ("1.5G").
 *   rates     a bare number (bytes/s, QEMU's unit); any size spelling
 *             followed by "/s" ("125MB/s", "64MiB/s", "32M/s", "100B/s");
 *             bits with decimal prefixes: bit/s kbit/s Kbit/s Mbit/s Gbit/s
 *             Tbit/s, bps kbps Kbps Mbps Gbps Tbps. 0 is allowed (QEMU's "no
 *             limit"). A size without "/s" ("1G") is refused: whether bits or
 *             bytes were meant cannot be told, and the message says how to
 *             write either.
 *   durations ns, us, µs (U+00B5 or U+03BC), ms, s, min, h; a bare number
 *             is in the caller's unit. The result must be whole nanoseconds.
 * Negative quantities are refused everywhere, and so are quantities outside
 * the ranges in units.h (UNITS_SIZE_MAX, UNITS_DURATION_MAX_NS,
 * UNITS_RATE_MIN/MAX): a value past them is a typo, and letting it through
 * would only overflow later in the model.
 *
 * Printing keeps 3 significant digits (whole bytes and nanoseconds below the
 * first prefix are printed exactly): bytes in binary units ("512 B",
 * "1.50 GiB"), rates in decimal bits ("941 Mbit/s"), durations in
 * ns/µs/ms/s/min ("12.3 ms", "2.50 min"). The exact forms print a value as
 * it would be typed, in the largest unit that divides it ("999920kbit/s").
 */
#include "units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decimal number as written: value = mant * 10^exp10, exact. */
struct dec {
	uint64_t mant;
	int exp10;
	int too_long; /* more significant digits than fit in mant */
	const char *end;
};

struct unit {
	const char *name;
	double mult; /* exact for every entry: all are integers below 2^53 */
};

#define KI 1024.0
#define MI (KI * KI)
#define GI (MI * KI)
#define TI (GI * KI)

static const struct unit size_units[] = {
    {"", 1},	{"B", 1},    {"K", KI},	  {"k", KI},   {"Ki", KI},  {"KiB", KI}, {"kiB", KI},
    {"M", MI},	{"Mi", MI},  {"MiB", MI}, {"G", GI},   {"Gi", GI},  {"GiB", GI}, {"T", TI},
    {"Ti", TI}, {"TiB", TI}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
};

static const struct unit bit_units[] = {
    {"bit/s", 1.0 / 8},	 {"kbit/s", 1e3 / 8},  {"Kbit/s", 1e3 / 8}, {"Mbit/s", 1e6 / 8},
    {"Gbit/s", 1e9 / 8}, {"Tbit/s", 1e12 / 8}, {"bps", 1.0 / 8},    {"kbps", 1e3 / 8},
    {"Kbps", 1e3 / 8},	 {"Mbps", 1e6 / 8},    {"Gbps", 1e9 / 8},   {"Tbps", 1e12 / 8},
};

static const struct unit time_units[] = {
    {"ns", 1},	 {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3},
    {"ms", 1e6}, {"s", 1e9},  {"min", 60e9},	  {"h", 3600e9},
};

#define NUNITS(t) (sizeof(t) / sizeof(t)[0])

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const struct unit *find_unit(const struct unit *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

/* Skips an exponent ("e-3") if one is there, adding it to *exp10. */
static const char *scan_exponent(const char *p, int *exp10)
{
	if (*p != 'e' && *p != 'E')
		return p;
	const char *q = p + 1;
	int neg = 0;
	if (*q == '+' || *q == '-')
		neg = *q++ == '-';
	if (!is_digit(*q))
		return p; /* "1e" is a number and a unit, not an exponent */
	long x = 0;
	for (; is_digit(*q); q++)
		if (x < 100000)
			x = x * 10 + (*q - '0');
	*exp10 += (int)(neg ? -x : x);
	return q;
}

static void add_digits(struct dec *d, const char *p, const char *end)
{
	for (; p < end; p++) {
		unsigned dig = (unsigned)(*p - '0');
		if (d->mant > (UINT64_MAX - dig) / 10)
			d->too_long = 1;
		d->mant = d->mant * 10 + dig;
	}
}

/* Reads an unsigned decimal number at s; returns 0, or -1 if none is there. */
static int scan_dec(const char *s, struct dec *d)
{
	const char *p = s, *int_end, *frac = NULL, *frac_end = NULL;
	memset(d, 0, sizeof *d);
	while (is_digit(*p))
		p++;
	int_end = p;
	if (*p == '.') {
		frac = ++p;
		while (is_digit(*p))
			p++;
		frac_end = p;
	}
	if (int_end == s && frac == frac_end)
		return -1;
	/* Trailing zeros of the fraction carry no value; dropping them keeps
	 * "1.50000000000000000000" from looking too long. */
	while (frac_end > frac && frac_end[-1] == '0')
		frac_end--;
	add_digits(d, s, int_end);
	if (frac)
		add_digits(d, frac, frac_end);
	d->exp10 = frac ? -(int)(frac_end - frac) : 0;
	d->end = scan_exponent(p, &d->exp10);
	return 0;
}

static int mul_ok(uint64_t *x, uint64_t m)
{
	if (m && *x > UINT64_MAX / m)
		return 0;
	*x *= m;
	return 1;
}

/* Cancels factors f shared by *x and a denominator f^*n. */
static void cancel(uint64_t *x, int *n, uint64_t f)
{
	while (*n > 0 && *x % f == 0) {
		*x /= f;
		(*n)--;
	}
}

/* d × mult as an exact whole number: 0, 1 when not whole, 2 on overflow. */
static int dec_to_uint(const struct dec *d, uint64_t mult, uint64_t *out)
{
	uint64_t x = d->mant;
	if (d->too_long)
		return 2;
	if (x == 0) {
		*out = 0;
		return 0;
	}
	for (int i = 0; i < d->exp10; i++)
		if (!mul_ok(&x, 10))
			return 2;
	int n2 = d->exp10 < 0 ? -d->exp10 : 0, n5 = n2;
	cancel(&x, &n2, 2);
	cancel(&x, &n5, 5);
	cancel(&mult, &n2, 2);
	cancel(&mult, &n5, 5);
	if (n2 || n5)
		return 1;
	if (!mul_ok(&x, mult))
		return 2;
	*out = x;
	return 0;
}

/* Copies the number at s..end so strtod cannot read past it (hex, "inf"). */
static int span_to_double(const char *s, const char *end, double *v)
{
	char buf[128];
	while (end - s > 1 && *s == '0' && is_digit(s[1])) /* "000...01" is 1 */
		s++;
	size_t n = (size_t)(end - s);
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	double x = strtod(buf, NULL);
	if (!isfinite(x))
		return -1;
	*v = x;
	return 0;
}

/* Splits s into a number and a unit name; what names the quantity. */
static int split(const char *what, const char *s, struct dec *d, const char **unit, err *e)
{
	if (!s || !*s)
		return err_set(e, "%s: empty value", what);
	if (*s == '-')
		return err_set(e, "%s \"%.64s\": must not be negative", what, s);
	if (scan_dec(s, d) < 0)
		return err_set(e, "%s \"%.64s\": not a number", what, s);
	const char *u = d->end;
	while (*u == ' ')
		u++;
	if (u > d->end && !*u)
		return err_set(e, "%s \"%.64s\": trailing spaces", what, s);
	*unit = u;
	return 0;
}

int units_size(const char *s, uint64_t *bytes, err *e)
{
	struct dec d;
	const char *u;
	if (split("size", s, &d, &u, e) < 0)
		return -1;
	const struct unit *un = find_unit(size_units, NUNITS(size_units), u);
	if (!un)
		return err_set(e,
			       "size \"%.64s\": unknown unit \"%.16s\" (B, K/KiB, M/MiB, G/GiB, "
			       "T/TiB, or kB/MB/GB/TB)",
			       s, u);
	uint64_t x;
	switch (dec_to_uint(&d, (uint64_t)un->mult, &x)) {
	case 1:
		return err_set(e, "size \"%.64s\": not a whole number of bytes", s);
	case 2:
		return err_set(e, "size \"%.64s\": too large (at most 1 PiB)", s);
	}
	if (x > UNITS_SIZE_MAX)
		return err_set(e, "size \"%.64s\": too large (at most 1 PiB)", s);
	*bytes = x;
	return 0;
}

/* The multiplier (bytes/s per unit) of a rate unit, or 0 if unknown. */
static double rate_mult(const char *u)
{
	const struct unit *un = find_unit(bit_units, NUNITS(bit_units), u);
	if (un)
		return un->mult;
	if (!*u)
		return 1; /* a bare number: bytes/s */
	size_t n = strlen(u);
	char name[16];
	if (n < 2 || n >= sizeof name || strcmp(u + n - 2, "/s"))
		return 0;
	memcpy(name, u, n - 2);
	name[n - 2] = '\0';
	un = find_unit(size_units, NUNITS(size_units), name);
	return un && *name ? un->mult : 0;
}

/* The refusal of a size written as a rate ("1G"), with the two spellings the
 * user may have meant: bits ("1Gbit/s") and bytes ("1GiB/s"). */
static int size_not_rate(const char *s, const struct dec *d, const char *u, err *e)
{
	int num = (int)(d->end - s);
	if (!strcmp(u, "B"))
		return err_set(e, "rate \"%.64s\": a size is not a rate (write %.*sB/s)", s, num,
			       s);
	char bits = *u == 'K' ? 'k' : *u;
	int binary = strcmp(u + strlen(u) - 1, "B") || strchr(u, 'i');
	return err_set(e, "rate \"%.64s\": a size is not a rate (write %.*s%cbit/s or %.*s%c%sB/s)",
		       s, num, s, bits, num, s, *u, binary ? "i" : "");
}

int units_rate(const char *s, double *bytes_per_s, err *e)
{
	struct dec d;
	const char *u;
	double v;
	if (split("rate", s, &d, &u, e) < 0)
		return -1;
	if (*u && find_unit(size_units, NUNITS(size_units), u))
		return size_not_rate(s, &d, u, e);
	double mult = rate_mult(u);
	if (mult == 0)
		return err_set(e,
			       "rate \"%.64s\": unknown unit \"%.16s\" (B/s, MiB/s, MB/s, Mbit/s, "
			       "Gbit/s, Mbps ...)",
			       s, u);
	if (span_to_double(s, d.end, &v) < 0 || !(v * mult <= UNITS_RATE_MAX))
		return err_set(e, "rate \"%.64s\": too large (at most 10 Tbit/s)", s);
	/* A mantissa that is not 0 is not "no limit", however small it reads
	 * (1e-400 underflows strtod to 0). */
	int zero = d.mant == 0 && !d.too_long;
	if (!zero && !(v * mult >= UNITS_RATE_MIN))
		return err_set(e, "rate \"%.64s\": too small (at least 1 bit/s, or 0)", s);
	*bytes_per_s = zero ? 0 : v * mult;
	return 0;
}

int units_duration(const char *s, int64_t bare_unit_ns, int64_t *ns, err *e)
{
	struct dec d;
	const char *u;
	uint64_t mult, x;
	if (split("duration", s, &d, &u, e) < 0)
		return -1;
	if (!*u) {
		if (bare_unit_ns <= 0 && d.mant == 0 && !d.too_long) {
			*ns = 0; /* zero is zero in any unit: "0", as --help shows defaults */
			return 0;
		}
		if (bare_unit_ns <= 0)
			return err_set(
			    e, "duration \"%.64s\": needs a unit (ns, us, ms, s, min, h)", s);
		mult = (uint64_t)bare_unit_ns;
	} else {
		const struct unit *un = find_unit(time_units, NUNITS(time_units), u);
		if (!un)
			return err_set(e,
				       "duration \"%.64s\": unknown unit \"%.16s\" (ns, us, ms, "
				       "s, min, h)",
				       s, u);
		mult = (uint64_t)un->mult;
	}
	int rc = dec_to_uint(&d, mult, &x);
	if (rc == 1)
		return err_set(e, "duration \"%.64s\": not a whole number of nanoseconds", s);
	if (rc == 2 || x > (uint64_t)UNITS_DURATION_MAX_NS)
		return err_set(e, "duration \"%.64s\": too long (at most 3650 days)", s);
	*ns = (int64_t)x;
	return 0;
}

int units_uint(const char *s, uint64_t *v, err *e)
{
	uint64_t x = 0;
	if (!s || !*s)
		return err_set(e, "number: empty value");
	for (const char *p = s; *p; p++) {
		if (!is_digit(*p))
			return err_set(e, "\"%.64s\" is not a whole number", s);
		unsigned dig = (unsigned)(*p - '0');
		if (x > (UINT64_MAX - dig) / 10)
			return err_set(e, "\"%.64s\" is too large", s);
		x = x * 10 + dig;
	}
	*v = x;
	return 0;
}

int units_double(const char *s, double *v, err *e)
{
	struct dec d;
	if (!s || !*s)
		return err_set(e, "number: empty value");
	const char *p = s + (*s == '-' || *s == '+');
	if (scan_dec(p, &d) < 0 || *d.end)
		return err_set(e, "\"%.64s\" is not a number", s);
	double x;
	if (span_to_double(p, d.end, &x) < 0)
		return err_set(e, "\"%.64s\" is out of range", s);
	*v = *s == '-' ? -x : x;
	return 0;
}

/* Prints v (>= 0, below 1000 after scaling) with 3 significant digits. */
static char *fmt3(char *buf, size_t n, const char *sign, double v, const char *unit)
{
	int prec = v < 9.995 ? 2 : v < 99.95 ? 1 : 0;
	snprintf(buf, n, "%s%.*f %s", sign, prec, v, unit);
	return buf;
}

/* Scales v down by step through units[] until it prints in under 4 digits. */
static char *fmt_scaled(char *buf, size_t n, double v, double step, const char *const *units,
			int nunits, int exact_first)
{
	const char *sign = "";
	if (!isfinite(v)) {
		snprintf(buf, n, "%g %s", v, units[0]);
		return buf;
	}
	if (v < 0) {
		sign = "-";
		v = -v;
	}
	if (exact_first && v < step - 0.5) {
		snprintf(buf, n, "%s%.0f %s", sign, v, units[0]);
		return buf;
	}
	int i = 0;
	while (i + 1 < nunits && v >= (step == 1000 ? 999.5 : step - 0.5)) {
		v /= step;
		i++;
	}
	if (v == 0) {
		snprintf(buf, n, "0 %s", units[i]);
		return buf;
	}
	return fmt3(buf, n, sign, v, units[i]);
}

char *units_fmt_bytes(char *buf, size_t n, double bytes)
{
	static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	return fmt_scaled(buf, n, bytes, 1024, u, 7, 1);
}

char *units_fmt_rate(char *buf, size_t n, double bytes_per_s)
{
	static const char *const u[] = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};
	return fmt_scaled(buf, n, bytes_per_s * 8, 1000, u, 5, 0);
}

char *units_fmt_duration(char *buf, size_t n, int64_t ns)
{
	static const char *const u[] = {"ns", "\xc2\xb5s", "ms", "s"};
	double v = (double)ns, a = fabs(v);
	if (a >= 59.95e9)
		return fmt_scaled(buf, n, v / 60e9, 1e300, (const char *const[]){"min"}, 1, 0);
	return fmt_scaled(buf, n, v, 1000, u, 4, 1);
}

/* --- exact forms ------------------------------------------------------------ */

char *units_fmt_number(char *buf, size_t n, double v)
{
	if (v == floor(v) && fabs(v) < 0x1p63) {
		snprintf(buf, n, "%.0f", v);
		return buf;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, n, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

/* v in the largest of u[] that divides it (u ascending, each unit a multiple
 * of the one before, u[0] of 1), so the text is exact: "1536MiB". */
static char *fmt_whole(char *buf, size_t n, const char *sign, uint64_t v, const struct unit *u,
		       size_t nu)
{
	size_t best = 0;
	for (size_t i = 1; v && i < nu; i++)
		if (v % (uint64_t)u[i].mult == 0)
			best = i;
	snprintf(buf, n, "%s%llu%s", sign, (unsigned long long)(v / (uint64_t)u[best].mult),
		 u[best].name);
	return buf;
}

char *units_fmt_size_exact(char *buf, size_t n, uint64_t bytes)
{
	static const struct unit u[] = {
	    {"B", 1}, {"KiB", KI}, {"MiB", MI}, {"GiB", GI}, {"TiB", TI}};
	return fmt_whole(buf, n, "", bytes, u, NUNITS(u));
}

char *units_fmt_duration_exact(char *buf, size_t n, int64_t ns)
{
	static const struct unit u[] = {{"ns", 1},  {"us", 1e3},   {"ms", 1e6},
					{"s", 1e9}, {"min", 60e9}, {"h", 3600e9}};
	uint64_t mag = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	return fmt_whole(buf, n, ns < 0 ? "-" : "", mag, u, NUNITS(u));
}

char *units_fmt_rate_exact(char *buf, size_t n, double bytes_per_s)
{
	static const struct unit bits[] = {
	    {"bit/s", 1}, {"kbit/s", 1e3}, {"Mbit/s", 1e6}, {"Gbit/s", 1e9}, {"Tbit/s", 1e12}};
	static const struct unit bytes[] = {
	    {"B/s", 1}, {"KiB/s", KI}, {"MiB/s", MI}, {"GiB/s", GI}, {"TiB/s", TI}};
	double b = bytes_per_s * 8;
	if (bytes_per_s == 0)
		return snprintf(buf, n, "0"), buf;
	char in_bytes[64];
	if (!(bytes_per_s > 0 && b < 0x1p53 && b == floor(b))) {
		snprintf(buf, n, "%sB/s", units_fmt_number(in_bytes, sizeof in_bytes, bytes_per_s));
		return buf;
	}
	fmt_whole(buf, n, "", (uint64_t)b, bits, NUNITS(bits));
	if (bytes_per_s == floor(bytes_per_s) &&
	    strlen(fmt_whole(in_bytes, sizeof in_bytes, "", (uint64_t)bytes_per_s, bytes,
			     NUNITS(bytes))) < strlen(buf))
		snprintf(buf, n, "%s", in_bytes);
	return buf;
}
