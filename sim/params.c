/*
 * params — the table of migration parameters and capabilities (see
 * params.h). Adding a parameter is one row here plus its use in the model.
 */
#include "params.h"

#include <stdio.h>
#include <string.h>

#include "units.h"

enum kind { K_MS, K_NS, K_SIZE, K_RATE, K_PERCENT, K_BOOL, K_ZERO_DETECT, K_REAL };

struct param {
	const char *name;
	enum kind kind;
	size_t offset;
	const char *def; /* the default, as a user would write it */
	const char *doc;
};

#define P(field) offsetof(struct mig_params, field)

static const struct param table[] = {
	{"downtime-limit", K_MS, P(downtime_limit), "300ms",
	 "longest tolerated pause; switch-over when pending bytes fit in bandwidth x this"},
	{"max-bandwidth", K_RATE, P(max_bandwidth), "128MiB/s",
	 "QEMU's rate limit, applied per 100 ms window (0 = none)"},
	{"avail-switchover-bandwidth", K_RATE, P(avail_switchover_bandwidth), "0",
	 "bandwidth assumed for the switch-over decision (0 = measured)"},
	{"xbzrle-cache-size", K_SIZE, P(xbzrle_cache_size), "64MiB",
	 "XBZRLE page cache (rounded down to a power-of-two number of pages)"},
	{"throttle-trigger-threshold", K_PERCENT, P(throttle_trigger_threshold), "50",
	 "auto-converge: dirtied bytes above this % of sent bytes count as high"},
	{"cpu-throttle-initial", K_PERCENT, P(cpu_throttle_initial), "20",
	 "auto-converge: first throttle, %"},
	{"cpu-throttle-increment", K_PERCENT, P(cpu_throttle_increment), "10",
	 "auto-converge: added at each further trigger, %"},
	{"cpu-throttle-tailslow", K_BOOL, P(cpu_throttle_tailslow), "off",
	 "auto-converge: smaller increments near the needed throttle"},
	{"max-cpu-throttle", K_PERCENT, P(max_cpu_throttle), "99", "auto-converge: ceiling, %"},
	{"max-postcopy-bandwidth", K_RATE, P(max_postcopy_bandwidth), "0",
	 "rate limit once in post-copy (0 = none)"},
	{"zero-page-detection", K_ZERO_DETECT, P(zero_page_detection), "legacy",
	 "legacy: zero pages go as 9-byte records; none: sent whole"},
	{"device-state-size", K_SIZE, P(device_state_size), "256KiB",
	 "migsim: non-RAM device and CPU state sent while the guest is stopped"},
	{"send-buffer-size", K_SIZE, P(send_buffer_size), "4MiB",
	 "migsim: bytes the socket holds before the migration thread blocks"},
	{"setup-cost", K_NS, P(setup_cost), "5ms",
	 "migsim: setup time besides sending the setup bytes (bitmaps, dirty logging)"},
	{"xbzrle-encode-cost", K_REAL, P(xbzrle_encode_cost), "0.25",
	 "migsim: source CPU ns per page byte XBZRLE-encoded (per 4 KiB page: ~1 us)"},
};

#define NPARAMS (sizeof table / sizeof table[0])

static const struct param *find(const char *name, size_t len)
{
	for (size_t i = 0; i < NPARAMS; i++)
		if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
			return &table[i];
	return NULL;
}

static int parse_percent(const char *v, int *out, err *e)
{
	uint64_t x;
	if (units_uint(v, &x, e) < 0 || x > 100)
		return err_set(e, "\"%s\" is not a percentage (0..100)", v);
	*out = (int)x;
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
	case K_PERCENT:
		return parse_percent(v, (int *)field, e);
	case K_BOOL:
		return parse_bool(v, (int *)field, e);
	case K_REAL:
		return units_double(v, (double *)field, e);
	case K_ZERO_DETECT:
		if (!strcmp(v, "legacy"))
			*(int *)field = ZERO_DETECT_LEGACY;
		else if (!strcmp(v, "none"))
			*(int *)field = ZERO_DETECT_NONE;
		else
			return err_set(e, "\"%s\" is not legacy or none", v);
		return 0;
	}
	return err_set(e, "internal: parameter kind");
}

void params_defaults(struct mig_params *p)
{
	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < NPARAMS; i++)
		if (parse_value(&table[i], p, table[i].def, NULL) < 0) /* the table is tested */
			continue;
}

static void list_names(char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < NPARAMS && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", table[i].name);
}

int params_set(struct mig_params *mp, const char *assignment, err *e)
{
	const char *eq = strchr(assignment, '=');
	if (!eq)
		return err_set(e, "--param wants NAME=VALUE, got \"%s\"", assignment);
	const struct param *p = find(assignment, (size_t)(eq - assignment));
	if (!p) {
		char names[1024];
		list_names(names, sizeof names);
		return err_set(e, "unknown parameter \"%.*s\" (known: %s)", (int)(eq - assignment),
			       assignment, names);
	}
	if (parse_value(p, mp, eq + 1, e) < 0)
		return err_wrap(e, "--param %s", p->name);
	return 0;
}

void params_to_json(const struct mig_params *mp, jw *w)
{
	for (size_t i = 0; i < NPARAMS; i++) {
		const struct param *p = &table[i];
		const char *field = (const char *)mp + p->offset;
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
		case K_PERCENT:
			jw_int(w, p->name, *(const int *)field);
			break;
		case K_BOOL:
			jw_bool(w, p->name, *(const int *)field);
			break;
		case K_ZERO_DETECT:
			jw_str(w, p->name, *(const int *)field ? "none" : "legacy");
			break;
		}
	}
}

void params_help(char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < NPARAMS && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "    %-28s %-9s %s\n", table[i].name,
					 table[i].def, table[i].doc);
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

int caps_parse_list(const char *list, unsigned *bits, err *e)
{
	*bits = 0;
	if (!strcmp(list, "all")) {
		*bits = caps_all();
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
		if (caps_parse_one(name, bits, e) < 0)
			return -1;
		if (!p[len])
			return 0;
		p += len + 1;
	}
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
