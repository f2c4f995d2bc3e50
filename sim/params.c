/*
 * params — the table of migration parameters and capabilities (see
 * params.h). Adding a parameter is one row here plus its use in the model.
 */
#include "params.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

enum kind { K_MS, K_NS, K_SIZE, K_RATE, K_INT, K_BOOL, K_ZERO_DETECT, K_COMP, K_REAL, K_SHIFT };

struct param {
	const char *name;
	enum kind kind;
	size_t offset;
	const char *def; /* the default, as a user would write it */
	/* The accepted range, in the field's unit (ns, bytes, bytes/s, percent,
	 * ns per byte), and how it is put in the refusal "Parameter 'NAME'
	 * expects RANGE": QEMU's words where QEMU checks the parameter
	 * (migrate_params_check in migration/options.c). NULL: no range. */
	double min, max;
	const char *range;
	const char *doc;
};

#define P(field) offsetof(struct mig_params, field)

#define NS_PER_S   1e9
#define KIB	   1024.0
#define GIB	   (KIB * KIB * KIB)
#define RATE_RANGE "0 (no limit) or a rate from 1 bit/s to 10 Tbit/s"

static const struct param table[] = {
    {"downtime-limit", K_MS, P(downtime_limit), "300ms", 0, 2000 * NS_PER_S,
     "a value in the range of 0 to 2000000 ms (QEMU's MAX_MIGRATE_DOWNTIME, 2000 s)",
     "longest tolerated pause; switch-over when pending bytes fit in bandwidth x this"},
    {"max-bandwidth", K_RATE, P(max_bandwidth), "128MiB/s", 0, UNITS_RATE_MAX, RATE_RANGE,
     "QEMU's rate limit, applied per 100 ms window (0 = none)"},
    {"avail-switchover-bandwidth", K_RATE, P(avail_switchover_bandwidth), "0", 0, UNITS_RATE_MAX,
     "0 (the measured rate) or a rate from 1 bit/s to 10 Tbit/s",
     "bandwidth assumed for the switch-over decision (0 = measured)"},
    {"xbzrle-cache-size", K_SIZE, P(xbzrle_cache_size), "64MiB", 0, 1024 * GIB,
     "a power of two no less than the target page size (and at most 1 TiB)", "XBZRLE page cache"},
    {"throttle-trigger-threshold", K_INT, P(throttle_trigger_threshold), "50", 1, 100,
     "an integer in the range of 1 to 100",
     "auto-converge: dirtied bytes above this % of sent bytes count as high"},
    {"cpu-throttle-initial", K_INT, P(cpu_throttle_initial), "20", 1, 99,
     "an integer in the range of 1 to 99", "auto-converge: first throttle, %"},
    {"cpu-throttle-increment", K_INT, P(cpu_throttle_increment), "10", 1, 99,
     "an integer in the range of 1 to 99", "auto-converge: added at each further trigger, %"},
    {"cpu-throttle-tailslow", K_BOOL, P(cpu_throttle_tailslow), "off", 0, 0, NULL,
     "auto-converge: smaller increments near the needed throttle"},
    {"max-cpu-throttle", K_INT, P(max_cpu_throttle), "99", 1, 99,
     "an integer in the range of cpu-throttle-initial to 99", "auto-converge: ceiling, %"},
    {"max-postcopy-bandwidth", K_RATE, P(max_postcopy_bandwidth), "0", 0, UNITS_RATE_MAX,
     RATE_RANGE, "rate limit once in post-copy (0 = none)"},
    {"zero-page-detection", K_ZERO_DETECT, P(zero_page_detection), "multifd", 0, 0, NULL,
     "multifd: multifd's channels find zero pages and send their offsets only (without "
     "the multifd capability: as legacy); legacy: the migration thread finds them, each a "
     "9-byte record; none: sent whole"},
    /* migrate_params_check's ranges and texts (migration/options.c). */
    {"multifd-channels", K_INT, P(multifd_channels), "2", 1, 255, "a value between 1 and 255",
     "multifd: sender threads, each with its own socket"},
    {"multifd-compression", K_COMP, P(multifd_compression), "none", 0, 0, NULL,
     "multifd: none, zlib or zstd (QEMU's), or lz4 (migsim's own extension, not a QEMU "
     "method)"},
    {"multifd-zlib-level", K_INT, P(multifd_zlib_level), "1", 0, 9, "a value between 0 and 9",
     "multifd: zlib's compression level"},
    {"multifd-zstd-level", K_INT, P(multifd_zstd_level), "1", 0, 20, "a value between 0 and 20",
     "multifd: zstd's compression level"},
    /* QEMU's x-clear-bitmap-shift (a property of the migration object):
     * CLEAR_BITMAP_SHIFT_MIN..MAX, default CLEAR_BITMAP_SHIFT_DEFAULT
     * (migration/migration.h); QEMU clamps a value outside, migsim refuses
     * it. "off" is migsim's: no KVM manual clearing (TCG, or a dirty ring). */
    {"clear-bitmap-shift", K_SHIFT, P(clear_bitmap_shift), "18", 6, 31,
     "off (or 0), or an integer in the range of 6 to 31",
     "KVM's dirty log is cleared in chunks of 2^N pages, each just before its first page "
     "is sent after a sync (18: 1 GiB of 4 KiB pages); off: at each sync"},
    {"device-state-size", K_SIZE, P(device_state_size), "256KiB", 0, 1024 * GIB,
     "a size from 0 to 1 TiB",
     "migsim: non-RAM device and CPU state sent while the guest is stopped"},
    {"send-buffer-size", K_SIZE, P(send_buffer_size), "4MiB", 4 * KIB, GIB,
     "a size from 4 KiB to 1 GiB",
     "migsim: bytes the socket holds before the migration thread blocks"},
    {"postcopy-switch-cost", K_NS, P(postcopy_switch_cost), "0", 0, 3600 * NS_PER_S,
     "a duration from 0 to 1 h",
     "migsim: the destination's fixed work at the switch to post-copy (device-state load, "
     "userfaultfd set-up) besides its discards; 0: not modelled (QEMU 10 under TCG: ~25ms)"},
    {"setup-cost", K_NS, P(setup_cost), "5ms", 0, 3600 * NS_PER_S, "a duration from 0 to 1 h",
     "migsim: setup time besides sending the setup bytes (bitmaps, dirty logging)"},
    /* The source host's CPUs (sim/host.h). */
    {"host-cpus", K_INT, P(host_cpus), "0", 0, 256,
     "0 (one per thread) or an integer in the range of 1 to 256",
     "migsim: host CPUs the vCPU and the migration thread share (0: one each, no "
     "contention; 1: they take turns, see host-timeslice)"},
    {"host-timeslice", K_NS, P(host_timeslice), "3ms", 10000, NS_PER_S,
     "a duration from 10 us to 1 s",
     "migsim: the host scheduler's slice when threads share a CPU (CFS: its 6 ms latency "
     "shared by two runnable threads)"},
    {"xbzrle-encode-cost", K_REAL, P(xbzrle_encode_cost), "0.25", 0, 1000,
     "a number of ns per byte from 0 to 1000",
     "migsim: source CPU ns per page byte XBZRLE-encoded (per 4 KiB page: ~1 us)"},
    /* Measured with tests/bench/scan_bench (encoders/zero.c's AVX-512 test
     * and memcpy over 768 MiB of pages from memory) on the development
     * machine, a 2-vCPU KVM guest on an Intel Xeon (Sapphire Rapids, 260
     * MiB L3): 0.135-0.151 ns a byte for the test, 0.170-0.177 for the copy. */
    {"zero-scan-cost", K_REAL, P(zero_scan_cost), "0.14", 0, 1000,
     "a number of ns per byte from 0 to 1000",
     "migsim: source CPU ns per byte the zero-page test reads: all of a zero page, 64 bytes "
     "of another (measured: ~7 GB/s from memory, 0.6 us a 4 KiB page)"},
    {"page-copy-cost", K_REAL, P(page_copy_cost), "0.17", 0, 1000,
     "a number of ns per byte from 0 to 1000",
     "migsim: source CPU ns per byte copied into the stream: once into the socket, once more "
     "into QEMUFile's buffer unless sent from guest memory (measured: ~5.9 GB/s)"},
    /* block-stream's speed (QMP block-stream's `speed`), for --storage
     * postcopy-stream (sim/storage.h). */
    {"stream-speed", K_RATE, P(stream_speed), "0", 0, UNITS_RATE_MAX, RATE_RANGE,
     "postcopy-stream: block-stream's rate limit for copying the disks (0 = the link's)"},
};

#define NPARAMS (sizeof table / sizeof table[0])

static const struct param *find(const char *name, size_t len)
{
	for (size_t i = 0; i < NPARAMS; i++)
		if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
			return &table[i];
	return NULL;
}

/* A small integer (a percentage, a shift). */
static int parse_small_int(const char *v, int *out, err *e)
{
	uint64_t x;
	if (units_uint(v, &x, e) < 0)
		return -1;
	*out = x > 1000 ? 1000 : (int)x; /* past any range: refused by in_range */
	return 0;
}

static int parse_bool(const char *v, int *out, err *e)
{
	if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return err_set(e, "\"%s\" is not on/off", v);
	return 0;
}

static const char *const comp_names[] = {"none", "zlib", "zstd", "lz4"};
#define NCOMP (sizeof comp_names / sizeof comp_names[0])

const char *params_multifd_compression_name(int comp)
{
	return comp >= 0 && (size_t)comp < NCOMP ? comp_names[comp] : "?";
}

int params_multifd_level(const struct mig_params *p)
{
	if (p->multifd_compression == MULTIFD_COMP_ZLIB)
		return p->multifd_zlib_level;
	if (p->multifd_compression == MULTIFD_COMP_ZSTD)
		return p->multifd_zstd_level;
	return 0;
}

static int parse_comp(const char *v, int *out, err *e)
{
	for (size_t i = 0; i < NCOMP; i++)
		if (!strcmp(v, comp_names[i])) {
			*out = (int)i;
			return 0;
		}
	return err_set(e, "\"%s\" is not none, zlib, zstd or lz4 (migsim's own)", v);
}

static const char *zero_detect_name(int z)
{
	return z == ZERO_DETECT_NONE ? "none" : z == ZERO_DETECT_MULTIFD ? "multifd" : "legacy";
}

static int parse_value(const struct param *p, struct mig_params *mp, const char *v, err *e)
{
	char *field = (char *)mp + p->offset;
	switch (p->kind) {
	case K_MS:
	case K_NS:
		return units_duration(v, p->kind == K_MS ? 1000000 : 0, (int64_t *)field, e);
	case K_SIZE:
		return units_size(v, (uint64_t *)field, e);
	case K_RATE:
		return units_rate(v, (double *)field, e);
	case K_INT:
		return parse_small_int(v, (int *)field, e);
	case K_BOOL:
		return parse_bool(v, (int *)field, e);
	case K_REAL:
		return units_double(v, (double *)field, e);
	case K_SHIFT:
		if (!strcmp(v, "off")) {
			*(int *)field = 0;
			return 0;
		}
		if (parse_small_int(v, (int *)field, NULL) < 0)
			return err_set(e, "\"%s\" is not off or a whole number", v);
		return 0;
	case K_ZERO_DETECT:
		if (!strcmp(v, "legacy"))
			*(int *)field = ZERO_DETECT_LEGACY;
		else if (!strcmp(v, "none"))
			*(int *)field = ZERO_DETECT_NONE;
		else if (!strcmp(v, "multifd"))
			*(int *)field = ZERO_DETECT_MULTIFD;
		else
			return err_set(e, "\"%s\" is not legacy, multifd or none", v);
		return 0;
	case K_COMP:
		return parse_comp(v, (int *)field, e);
	}
	return err_set(e, "internal: parameter kind");
}

/* The field's value as a number in the unit of the table's range. */
static double field_value(const struct param *p, const struct mig_params *mp)
{
	const char *field = (const char *)mp + p->offset;
	switch (p->kind) {
	case K_MS:
	case K_NS:
		return (double)*(const int64_t *)field;
	case K_SIZE:
		return (double)*(const uint64_t *)field;
	case K_RATE:
	case K_REAL:
		return *(const double *)field;
	case K_INT:
	case K_BOOL:
	case K_ZERO_DETECT:
	case K_COMP:
	case K_SHIFT:
		break;
	}
	return *(const int *)field;
}

static int in_range(const struct param *p, const struct mig_params *mp, err *e)
{
	double v = field_value(p, mp);
	if (p->kind == K_SHIFT && v == 0) /* off */
		return 0;
	if (p->range && !(v >= p->min && v <= p->max))
		return err_set(e, "Parameter '%s' expects %s", p->name, p->range);
	return 0;
}

void params_defaults(struct mig_params *p)
{
	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < NPARAMS; i++)
		if (parse_value(&table[i], p, table[i].def, NULL) < 0) /* the table is tested */
			continue;
}

/* "a, b, c": every parameter's name. Returns 0, or -1 if n is too small. */
static int list_names(char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < NPARAMS; i++) {
		int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", table[i].name);
		if (w < 0 || (size_t)w >= n - used)
			return -1;
		used += (size_t)w;
	}
	return 0;
}

int params_known(const char *name)
{
	return find(name, strlen(name)) != NULL;
}

static int unknown(const char *name, size_t len, err *e)
{
	char names[1024];
	if (list_names(names, sizeof names) < 0)
		snprintf(names, sizeof names, "see migsim run --help");
	return err_set(e, "unknown parameter \"%.*s\" (known: %s)", (int)(len < 64 ? len : 64),
		       name, names);
}

int params_set_value(struct mig_params *mp, const char *name, const char *value, err *e)
{
	const struct param *p = find(name, strlen(name));
	if (!p)
		return unknown(name, strlen(name), e);
	/* Into a copy: a refused value leaves the parameters as they were. */
	struct mig_params next = *mp;
	if (parse_value(p, &next, value, e) < 0)
		return err_wrap(e, "%s", p->name);
	if (in_range(p, &next, e) < 0)
		return -1;
	*mp = next;
	return 0;
}

int params_set(struct mig_params *mp, const char *assignment, err *e)
{
	const char *eq = strchr(assignment, '=');
	if (!eq)
		return err_set(e, "--param wants NAME=VALUE, got \"%.64s\"", assignment);
	const struct param *p = find(assignment, (size_t)(eq - assignment));
	if (!p)
		return unknown(assignment, (size_t)(eq - assignment), e);
	return params_set_value(mp, p->name, eq + 1, e);
}

int params_check(const struct mig_params *mp, uint32_t page_size, const char **param, err *e)
{
	uint64_t cache = mp->xbzrle_cache_size;
	if (cache < page_size || (cache & (cache - 1))) {
		*param = "xbzrle-cache-size";
		return err_set(e,
			       "Parameter 'xbzrle-cache-size' expects a power of two no less "
			       "than the target page size (%u B)",
			       (unsigned)page_size);
	}
	if (mp->max_cpu_throttle < mp->cpu_throttle_initial) {
		*param = "max-cpu-throttle";
		return err_set(e,
			       "Parameter 'max-cpu-throttle' expects an integer in the range of "
			       "cpu-throttle-initial (%d) to 99",
			       mp->cpu_throttle_initial);
	}
	return 0;
}

int params_format_stored(const char *name, double v, char *buf, size_t n)
{
	const struct param *p = find(name, strlen(name));
	if (!p || p->kind == K_BOOL || p->kind == K_ZERO_DETECT || p->kind == K_COMP)
		return -1;
	struct mig_params mp;
	params_defaults(&mp);
	char *field = (char *)&mp + p->offset;
	switch (p->kind) {
	case K_MS:
		*(int64_t *)field = (int64_t)llround(v * 1e6);
		break;
	case K_NS:
		*(int64_t *)field = (int64_t)v;
		break;
	case K_SIZE:
		*(uint64_t *)field = (uint64_t)v;
		break;
	case K_RATE:
	case K_REAL:
		*(double *)field = v;
		break;
	default:
		*(int *)field = (int)v;
	}
	params_format(&mp, (size_t)(p - table), buf, n);
	return 0;
}

void params_to_json(const struct mig_params *mp, jw *w)
{
	for (size_t i = 0; i < NPARAMS; i++) {
		const struct param *p = &table[i];
		const char *field = (const char *)mp + p->offset;
		/* storage's: absent from the settings of runs that leave it, so
		 * those stay as they were stored before disks existed */
		if (p->offset == P(stream_speed) && *(const double *)field == 0)
			continue;
		switch (p->kind) {
		case K_MS:
			jw_num(w, p->name, (double)*(const int64_t *)field / 1e6);
			break;
		case K_NS:
			jw_int(w, p->name, *(const int64_t *)field);
			break;
		case K_SIZE:
			jw_uint(w, p->name, *(const uint64_t *)field);
			break;
		case K_RATE:
		case K_REAL:
			jw_num(w, p->name, *(const double *)field);
			break;
		case K_INT:
		case K_SHIFT:
			jw_int(w, p->name, *(const int *)field);
			break;
		case K_BOOL:
			jw_bool(w, p->name, *(const int *)field);
			break;
		case K_ZERO_DETECT:
			jw_str(w, p->name, zero_detect_name(*(const int *)field));
			break;
		case K_COMP:
			jw_str(w, p->name, params_multifd_compression_name(*(const int *)field));
			break;
		}
	}
}

const char *params_format(const struct mig_params *mp, size_t i, char *buf, size_t n)
{
	if (i >= NPARAMS)
		return NULL;
	const struct param *p = &table[i];
	const char *field = (const char *)mp + p->offset;
	int v = *(const int *)field;
	switch (p->kind) {
	case K_MS:
	case K_NS:
		units_fmt_duration_exact(buf, n, *(const int64_t *)field);
		break;
	case K_SIZE:
		units_fmt_size_exact(buf, n, *(const uint64_t *)field);
		break;
	case K_RATE:
		units_fmt_rate_exact(buf, n, *(const double *)field);
		break;
	case K_REAL:
		units_fmt_number(buf, n, *(const double *)field);
		break;
	case K_INT:
	case K_SHIFT:
		if (p->kind == K_SHIFT && v == 0)
			snprintf(buf, n, "off");
		else
			snprintf(buf, n, "%d", v);
		break;
	case K_BOOL:
		snprintf(buf, n, "%s", v ? "on" : "off");
		break;
	case K_ZERO_DETECT:
		snprintf(buf, n, "%s", zero_detect_name(v));
		break;
	case K_COMP:
		snprintf(buf, n, "%s", params_multifd_compression_name(v));
		break;
	}
	return p->name;
}

int params_help(char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < NPARAMS; i++) {
		const struct param *p = &table[i];
		int w = snprintf(buf + used, n - used, "    %-28s %-9s %s\n%s%s%s", p->name, p->def,
				 p->doc, p->range ? "        accepts " : "",
				 p->range ? p->range : "", p->range ? "\n" : "");
		if (w < 0 || (size_t)w >= n - used)
			return -1;
		used += (size_t)w;
	}
	return 0;
}

/* --- capabilities ------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned bit;
} caps[] = {
    {"xbzrle", CAP_XBZRLE},
    {"auto-converge", CAP_AUTO_CONVERGE},
    {"postcopy-ram", CAP_POSTCOPY_RAM},
    {"postcopy-preempt", CAP_POSTCOPY_PREEMPT},
    {"multifd", CAP_MULTIFD},
};

#define NCAPS (sizeof caps / sizeof caps[0])

unsigned caps_all(void)
{
	unsigned all = 0;
	for (size_t i = 0; i < NCAPS; i++)
		all |= caps[i].bit;
	return all;
}

int caps_parse_one(const char *name, unsigned *bits, err *e)
{
	for (size_t i = 0; i < NCAPS; i++)
		if (!strcmp(name, caps[i].name)) {
			*bits |= caps[i].bit;
			return 0;
		}
	char known[256];
	return err_set(e, "unknown capability \"%s\" (known: %s)", name,
		       caps_format(caps_all(), known, sizeof known));
}

#define METHOD_PREFIX "multifd-"

unsigned caps_methods_all(void)
{
	return ((1u << NCOMP) - 1) & ~(1u << MULTIFD_COMP_NONE);
}

/* 1 with the method's bit added when name is a method's token. */
static int method_token(const char *name, unsigned *methods)
{
	size_t plen = strlen(METHOD_PREFIX);
	if (strncmp(name, METHOD_PREFIX, plen))
		return 0;
	for (size_t i = 0; i < NCOMP; i++)
		if (i != MULTIFD_COMP_NONE && !strcmp(name + plen, comp_names[i])) {
			*methods |= 1u << i;
			return 1;
		}
	return 0;
}

/* A name in --cap's list (methods NULL: capabilities only) or a side's. */
static int parse_token(const char *name, unsigned *bits, unsigned *methods, err *e)
{
	if (!methods)
		return caps_parse_one(name, bits, e);
	if (method_token(name, methods) || caps_parse_one(name, bits, NULL) == 0)
		return 0;
	char known[256], m[128];
	return err_set(e, "unknown capability \"%s\" (known: %s,%s)", name,
		       caps_format(caps_all(), known, sizeof known),
		       caps_methods_format(caps_methods_all(), m, sizeof m));
}

/* One parser for --cap's list and a side's. */
static int parse_list(const char *list, unsigned *bits, unsigned *methods, err *e)
{
	*bits = 0;
	if (methods)
		*methods = 0;
	if (!strcmp(list, "all")) {
		*bits = caps_all();
		if (methods)
			*methods = caps_methods_all();
		return 0;
	}
	if (!*list || !strcmp(list, "none"))
		return 0;
	char name[64];
	for (const char *p = list;;) {
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof name)
			return err_set(e, "bad capability list \"%s\"", list);
		memcpy(name, p, len);
		name[len] = 0;
		if (parse_token(name, bits, methods, e) < 0)
			return -1;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int caps_parse_list(const char *list, unsigned *bits, err *e)
{
	return parse_list(list, bits, NULL, e);
}

int caps_parse_side(const char *list, unsigned *bits, unsigned *methods, err *e)
{
	return parse_list(list, bits, methods, e);
}

char *caps_format(unsigned bits, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < NCAPS && used < n; i++)
		if (bits & caps[i].bit)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? "," : "",
						 caps[i].name);
	if (!used)
		snprintf(buf, n, "none");
	return buf;
}

void caps_to_json(unsigned bits, jw *w, const char *key)
{
	jw_arr(w, key);
	for (size_t i = 0; i < NCAPS; i++)
		if (bits & caps[i].bit)
			jw_str(w, NULL, caps[i].name);
	jw_end(w);
}

char *caps_methods_format(unsigned methods, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < NCOMP && used < n; i++)
		if (methods & (1u << i))
			used += (size_t)snprintf(buf + used, n - used, "%s" METHOD_PREFIX "%s",
						 used ? "," : "", comp_names[i]);
	if (!used)
		snprintf(buf, n, "none");
	return buf;
}

void caps_methods_to_json(unsigned methods, jw *w, const char *key)
{
	if ((methods & caps_methods_all()) == caps_methods_all())
		return;
	jw_arr(w, key);
	for (size_t i = 0; i < NCOMP; i++)
		if (methods & (1u << i))
			jw_str(w, NULL, comp_names[i]);
	jw_end(w);
}
