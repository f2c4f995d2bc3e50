/*
 * config — setting and checking a run's configuration (see config.h).
 *
 * The ranges, beyond the ones every quantity has (units.h):
 *   ram        whole pages, at most 2^28 of them (1 TiB of 4 KiB pages; the
 *              model holds ~8 bytes of host memory per guest page)
 *   page-size  a power of two from 512 B to 1 MiB
 *   bandwidth  more than 0 (1 bit/s to 10 Tbit/s)
 *   latency    0 to 1 min
 *   timeout    100 ms (the first window over which QEMU measures the
 *              bandwidth) to 30 days, and longer than setup-cost; every
 *              simulated second of a migration that never converges costs
 *              wall time, so the ceiling keeps a run's end in sight
 *   warmup     0 to 1 day
 *   mode       stop-and-copy requests no capability: each acts on pre-copy
 *              passes, which stop-and-copy does not have
 *   disk       repeatable, at most DISK_MAX; at most 2^28 clusters each
 *   disk-cluster-size  a power of two from 512 B to 64 MiB
 *   storage    precopy and postcopy-stream need a disk
 *   fail-*-at  from 0 to the timeout
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "multifd.h"
#include "units.h"

#define MS	    INT64_C(1000000)
#define SECOND	    (1000 * MS)
#define MIN_TIMEOUT (100 * MS)
#define MAX_TIMEOUT (30 * 86400 * SECOND)
#define MAX_WARMUP  (86400 * SECOND)
#define MAX_LATENCY (60 * SECOND)
#define MAX_PAGES   (UINT64_C(1) << 28)
#define MIN_PAGE    512u
#define MAX_PAGE    (1u << 20)

enum setting {
	S_RAM,
	S_PAGE,
	S_BANDWIDTH,
	S_LATENCY,
	S_TIMEOUT,
	S_WARMUP,
	S_SEED,
	S_MODE,
	S_POSTCOPY,
	S_CAP,
	S_SRC_CAPS,
	S_DST_CAPS,
	S_GUEST,
	S_DISK,
	S_DISK_CLUSTER,
	S_STORAGE,
	S_MIRROR_COPY_MODE,
	S_FAIL_SOURCE_AT,
	S_FAIL_LINK_AT,
	S_NONE
};

static const char *const names[] = {
    [S_RAM] = "ram",
    [S_PAGE] = "page-size",
    [S_BANDWIDTH] = "bandwidth",
    [S_LATENCY] = "latency",
    [S_TIMEOUT] = "timeout",
    [S_WARMUP] = "warmup",
    [S_SEED] = "seed",
    [S_MODE] = "mode",
    [S_POSTCOPY] = "postcopy",
    [S_CAP] = "cap",
    [S_SRC_CAPS] = "src-caps",
    [S_DST_CAPS] = "dst-caps",
    [S_GUEST] = "guest",
    [S_DISK] = "disk",
    [S_DISK_CLUSTER] = "disk-cluster-size",
    [S_STORAGE] = "storage",
    [S_MIRROR_COPY_MODE] = "mirror-copy-mode",
    [S_FAIL_SOURCE_AT] = "fail-source-at",
    [S_FAIL_LINK_AT] = "fail-link-at",
};

/* A guest profile: bare, a bundled one, or a script that can be opened. */
static int set_guest(struct run_config *c, const char *v, err *e)
{
	char path[RUN_GUEST_MAX + 64];
	int given = run_guest_path(v, path, sizeof path);
	if (strlen(v) >= sizeof c->guest || given < 0)
		return err_set(e, "guest profile name too long");
	if (strcmp(v, "bare")) {
		FILE *f = fopen(path, "r");
		if (!f && given)
			return err_set(e, "cannot open guest profile %s", v);
		if (!f)
			return err_set(e,
				       "unknown guest profile '%s' (bare, minimal-linux, server, "
				       "or a script's path)",
				       v);
		fclose(f);
	}
	snprintf(c->guest, sizeof c->guest, "%s", v);
	return 0;
}

/* "page_size" (an experiment file's key) is "page-size" (the option's). */
static enum setting lookup(const char *name)
{
	for (int s = 0; s < S_NONE; s++) {
		const char *a = names[s], *b = name;
		while (*a && (*a == *b || (*a == '-' && *b == '_')))
			a++, b++;
		if (!*a && !*b)
			return (enum setting)s;
	}
	return S_NONE;
}

int config_known(const char *name)
{
	return lookup(name) != S_NONE;
}

static int duration_in(const char *what, const char *v, int64_t lo, int64_t hi, const char *range,
		       int64_t *out, err *e)
{
	int64_t ns;
	if (units_duration(v, 0, &ns, e) < 0)
		return -1;
	if (ns < lo || ns > hi)
		return err_set(e, "%s must be %s", what, range);
	*out = ns;
	return 0;
}

static int set_page_size(struct run_config *c, const char *v, err *e)
{
	uint64_t u;
	if (units_size(v, &u, e) < 0)
		return -1;
	if (u < MIN_PAGE || u > MAX_PAGE || (u & (u - 1)))
		return err_set(e, "page size must be a power of two from 512 B to 1 MiB");
	c->page_size = (uint32_t)u;
	return 0;
}

static int set_mode(struct run_config *c, const char *v, err *e)
{
	if (!strcmp(v, "precopy"))
		c->mode = MIG_MODE_PRECOPY;
	else if (!strcmp(v, "stop-and-copy"))
		c->mode = MIG_MODE_STOP_AND_COPY;
	else
		return err_set(e, "unknown mode '%.64s' (precopy, stop-and-copy)", v);
	return 0;
}

/* --cap: adds to the requested capabilities. */
static int add_caps(unsigned *bits, const char *v, err *e)
{
	unsigned parsed = 0;
	if (caps_parse_list(v, &parsed, e) < 0)
		return -1;
	*bits |= parsed;
	return 0;
}

/* A side's list: its capabilities and multifd-compression methods. */
static int set_side(unsigned *bits, unsigned *methods, const char *v, err *e)
{
	unsigned b, m;
	if (caps_parse_side(v, &b, &m, e) < 0)
		return -1;
	*bits = b;
	*methods = m;
	return 0;
}

static int blame(const char **setting, const char *name);

static int add_disk(struct storage_config *sc, const char *v, err *e)
{
	struct disk_spec d;
	if (sc->ndisks == DISK_MAX)
		return err_set(e, "at most %d disks", DISK_MAX);
	if (disk_parse(v, &d, e) < 0)
		return -1;
	sc->disks[sc->ndisks++] = d;
	return 0;
}

static int set_cluster(struct storage_config *sc, const char *v, err *e)
{
	uint64_t u;
	if (units_size(v, &u, e) < 0)
		return -1;
	if (u < 512 || u > (64u << 20) || (u & (u - 1)))
		return err_set(e, "disk cluster size must be a power of two from 512 B to 64 MiB");
	sc->cluster = (uint32_t)u;
	return 0;
}

/* The storage settings against each other and the timeout. */
static int check_storage(const struct run_config *c, const char **setting, err *e)
{
	const struct storage_config *sc = &c->storage;
	for (size_t i = 0; i < sc->ndisks; i++)
		if (sc->disks[i].size / sc->cluster + (sc->disks[i].size % sc->cluster != 0) >
		    DISK_MAX_CLUSTERS) {
			err_set(
			    e,
			    "a disk must be at most 2^28 clusters (%llu GiB of %u-byte clusters)",
			    (unsigned long long)((DISK_MAX_CLUSTERS * sc->cluster) >> 30),
			    sc->cluster);
			return blame(setting, "disk");
		}
	if (sc->policy != STORAGE_SHARED && sc->ndisks == 0) {
		err_set(e, "--storage %s needs a disk to move (--disk SIZE)",
			storage_policy_name(sc->policy));
		return blame(setting, "storage");
	}
	if (sc->fail_source_at > c->timeout) {
		err_set(e, "fail-source-at is past the timeout");
		return blame(setting, "fail-source-at");
	}
	if (sc->fail_link_at > c->timeout) {
		err_set(e, "fail-link-at is past the timeout");
		return blame(setting, "fail-link-at");
	}
	return 0;
}

int config_set(struct run_config *c, const char *name, const char *v, err *e)
{
	switch (lookup(name)) {
	case S_RAM:
		return units_size(v, &c->ram_bytes, e);
	case S_PAGE:
		return set_page_size(c, v, e);
	case S_BANDWIDTH: {
		double bw;
		if (units_rate(v, &bw, e) < 0)
			return -1;
		if (!(bw > 0))
			return err_set(e, "bandwidth must be positive");
		c->bandwidth = bw;
		return 0;
	}
	case S_LATENCY:
		return duration_in("latency", v, 0, MAX_LATENCY, "from 0 to 1 min", &c->latency, e);
	case S_TIMEOUT:
		return duration_in("timeout", v, MIN_TIMEOUT, MAX_TIMEOUT, "from 100 ms to 30 days",
				   &c->timeout, e);
	case S_WARMUP:
		return duration_in("warmup", v, 0, MAX_WARMUP, "from 0 to 1 day", &c->warmup, e);
	case S_SEED:
		return units_uint(v, &c->seed, e);
	case S_MODE:
		return set_mode(c, v, e);
	case S_POSTCOPY: {
		struct postcopy_policy pp;
		if (postcopy_parse(v, &pp, e) < 0)
			return -1;
		c->postcopy = pp;
		c->caps_requested |= CAP_POSTCOPY_RAM;
		return 0;
	}
	case S_CAP:
		return add_caps(&c->caps_requested, v, e);
	case S_SRC_CAPS:
		return set_side(&c->caps_src, &c->methods_src, v, e);
	case S_DST_CAPS:
		return set_side(&c->caps_dst, &c->methods_dst, v, e);
	case S_GUEST:
		return set_guest(c, v, e);
	case S_DISK:
		return add_disk(&c->storage, v, e);
	case S_DISK_CLUSTER:
		return set_cluster(&c->storage, v, e);
	case S_STORAGE:
		return storage_parse_policy(v, &c->storage.policy, e);
	case S_MIRROR_COPY_MODE:
		return storage_parse_copy_mode(v, &c->storage.copy_mode, e);
	case S_FAIL_SOURCE_AT:
		return duration_in("fail-source-at", v, 0, MAX_TIMEOUT, "from 0 to 30 days",
				   &c->storage.fail_source_at, e);
	case S_FAIL_LINK_AT:
		return duration_in("fail-link-at", v, 0, MAX_TIMEOUT, "from 0 to 30 days",
				   &c->storage.fail_link_at, e);
	case S_NONE:
		break;
	}
	return err_set(e, "unknown setting '%.64s'", name);
}

static int blame(const char **setting, const char *name)
{
	*setting = name;
	return -1;
}

int config_check(struct run_config *c, const char **setting, err *e)
{
	char caps[128];
	if (c->ram_bytes == 0 || c->ram_bytes % c->page_size) {
		err_set(e, "RAM must be a positive whole number of pages");
		return blame(setting, "ram");
	}
	if (c->ram_bytes / c->page_size > MAX_PAGES) {
		err_set(e, "RAM must be at most 2^28 pages (1 TiB of 4 KiB pages)");
		return blame(setting, "ram");
	}
	if (c->timeout <= c->params.setup_cost) {
		err_set(e, "timeout must be longer than setup-cost");
		return blame(setting, "timeout");
	}
	if (c->mode == MIG_MODE_STOP_AND_COPY && c->caps_requested) {
		err_set(e,
			"stop-and-copy has no pre-copy passes for %s to act on: request no "
			"capability, or use --mode precopy",
			caps_format(c->caps_requested, caps, sizeof caps));
		return blame(setting, "mode");
	}
	/* QEMU's migrate_caps_check. */
	if ((c->caps_requested & CAP_POSTCOPY_PREEMPT) && !(c->caps_requested & CAP_POSTCOPY_RAM)) {
		err_set(e, "Postcopy preempt requires postcopy-ram");
		return blame(setting, "cap");
	}
	if ((c->caps_requested & CAP_MULTIFD) && (c->caps_requested & CAP_XBZRLE)) {
		err_set(e, "Multifd is not compatible with xbzrle");
		return blame(setting, "cap");
	}
	if (multifd_check_host(&c->params, c->caps_requested, e) < 0)
		return blame(setting, "host-cpus");
	if (params_check(&c->params, c->page_size, setting, e) < 0 ||
	    check_storage(c, setting, e) < 0)
		return -1;
	run_negotiate_caps(c);
	return 0;
}
