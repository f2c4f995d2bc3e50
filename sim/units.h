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

/* Bytes. A bare number is bytes. */
int units_size(const char *s, uint64_t *bytes, err *e);
/* Bytes per second. A bare number is bytes/s (QEMU's max-bandwidth unit). */
int units_rate(const char *s, double *bytes_per_s, err *e);
/* Nanoseconds. A bare number is taken in `bare_unit_ns` (e.g. 1000000 for
 * QEMU's millisecond parameters); bare_unit_ns == 0 makes it an error. */
int units_duration(const char *s, int64_t bare_unit_ns, int64_t *ns, err *e);
/* Plain numbers: whole (no sign, no unit) and real (finite). */
int units_uint(const char *s, uint64_t *v, err *e);
int units_double(const char *s, double *v, err *e);

/* Human-readable forms with units, for summaries: "1.50 GiB", "12.3 ms",
 * "941 Mbit/s". Return buf. */
char *units_fmt_bytes(char *buf, size_t n, double bytes);
char *units_fmt_duration(char *buf, size_t n, int64_t ns);
char *units_fmt_rate(char *buf, size_t n, double bytes_per_s);

#endif
