/*
 * units — parsing and printing of sizes, rates and durations as users write
 * them on the command line and in Lua scripts ("4G", "64MiB", "1Gbit/s",
 * "300ms"). Binary prefixes: K M G T (and KiB MiB GiB TiB) are powers of 1024;
 * decimal ones: kB MB GB TB are powers of 1000. Rates in bits use decimal
 * prefixes (kbit/s, Mbit/s, Gbit/s, and Mbps, Gbps). Fractions are allowed
 * ("1.5G") when the result is a whole number of bytes.
 */
#ifndef MIGSIM_UNITS_H
#define MIGSIM_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The range every parsed quantity must lie in, so that sums and products of
 * a few of them cannot overflow in the model: sizes up to 1 PiB, durations up
 * to 10 years (3650 days), rates 0 or from 1 bit/s to 10 Tbit/s. Callers
 * narrow these further for their own settings (params.c, config.c). */
#define UNITS_SIZE_MAX	      ((uint64_t)1 << 50)
#define UNITS_DURATION_MAX_NS (INT64_C(3650) * 86400 * 1000000000)
#define UNITS_RATE_MIN	      (1.0 / 8)	  /* bytes/s: 1 bit/s */
#define UNITS_RATE_MAX	      (10e12 / 8) /* bytes/s: 10 Tbit/s */

/* Bytes. A bare number is bytes. */
int units_size(const char *s, uint64_t *bytes, err *e);
/* Bytes per second. A bare number is bytes/s (QEMU's max-bandwidth unit); a
 * size with a unit but no "/s" ("1G") is refused as ambiguous. 0 is allowed
 * (callers for which it means nothing refuse it). */
int units_rate(const char *s, double *bytes_per_s, err *e);
/* Nanoseconds. A bare number is taken in `bare_unit_ns` (e.g. 1000000 for
 * QEMU's millisecond parameters); bare_unit_ns == 0 makes it an error. */
int units_duration(const char *s, int64_t bare_unit_ns, int64_t *ns, err *e);
/* Plain numbers: whole (no sign, no unit) and real (finite: never NaN or
 * infinite). */
int units_uint(const char *s, uint64_t *v, err *e);
int units_double(const char *s, double *v, err *e);

/* Human-readable forms with units, for summaries: "1.50 GiB", "12.3 ms",
 * "941 Mbit/s". Return buf. */
char *units_fmt_bytes(char *buf, size_t n, double bytes);
char *units_fmt_duration(char *buf, size_t n, int64_t ns);
char *units_fmt_rate(char *buf, size_t n, double bytes_per_s);
/* Exact forms, spelled as a user would type them, that read back as the
 * same value, for telling settings apart where 3 digits would make two look
 * the same, and for exports. A plain number: its digits when whole (below
 * 2^63), else the fewest significant digits that read back as the same
 * double. A quantity: in the largest unit that divides it ("1536MiB",
 * "90s", "2min"); a rate in bits or bytes, whichever is shorter ("1Gbit/s",
 * "128MiB/s"), "0" for none, a plain number of B/s when neither is whole. */
char *units_fmt_number(char *buf, size_t n, double v);
char *units_fmt_size_exact(char *buf, size_t n, uint64_t bytes);
char *units_fmt_rate_exact(char *buf, size_t n, double bytes_per_s);
char *units_fmt_duration_exact(char *buf, size_t n, int64_t ns);

#endif
