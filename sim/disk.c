/*
 * disk — per-cluster metadata of a virtual disk, whose bytes are derived
 * (see disk.h). One word a cluster:
 *   bits 0..31   version (bumped by every write; wraps)
 *   bits 32..39  content class (content.h)
 *   bit 61       missing (copy-on-read destination: not fetched yet)
 *   bit 62       dirty (written since the mirror last copied it)
 *   bit 63       allocated
 */
#include "disk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "units.h"

#define VERSION_MASK UINT64_C(0xffffffff)
#define CLASS_SHIFT  32
#define CLASS_MASK   (UINT64_C(0xff) << CLASS_SHIFT)
#define MISSING	     (UINT64_C(1) << 61)
#define DIRTY	     (UINT64_C(1) << 62)
#define ALLOCATED    (UINT64_C(1) << 63)

struct disk {
	uint64_t *meta;
	uint64_t clusters, size;
	uint32_t cluster;
	uint64_t seed; /* of the bytes: the content seed and the disk's index */
	uint64_t allocated, dirty, missing;
	int tracking;
	disk_hook_fn hook;
	void *hook_ctx;
	struct disk_io io;
};

/* --- the spec ----------------------------------------------------------------- */

static int parse_option(struct disk_spec *s, const char *opt, err *e)
{
	const char *eq = strchr(opt, '=');
	if (!eq)
		return err_set(e, "disk option '%.64s' needs a value (allocated=, content=)", opt);
	const char *v = eq + 1;
	size_t klen = (size_t)(eq - opt);
	if (klen == 9 && !strncmp(opt, "allocated", klen)) {
		double f;
		if (units_double(v, &f, e) < 0)
			return -1;
		if (!(f >= 0 && f <= 1))
			return err_set(e, "disk allocated= must be a fraction from 0 to 1");
		s->allocated = f;
		return 0;
	}
	if (klen == 7 && !strncmp(opt, "content", klen)) {
		enum content_class c;
		if (content_parse(v, &c) < 0)
			return err_set(e, "unknown content class '%.64s' (%s)", v, content_names());
		s->content = c;
		return 0;
	}
	return err_set(e, "unknown disk option '%.*s' (allocated, content)", (int)klen, opt);
}

int disk_parse(const char *text, struct disk_spec *out, err *e)
{
	struct disk_spec s = {.allocated = 1, .content = CONTENT_RANDOM};
	char buf[256];
	if (strlen(text) >= sizeof buf)
		return err_set(e, "disk spec too long");
	snprintf(buf, sizeof buf, "%s", text);
	char *save = NULL, *tok = strtok_r(buf, ",", &save);
	if (!tok)
		return err_set(e, "disk needs a size (SIZE[,allocated=F][,content=CLASS])");
	if (units_size(tok, &s.size, e) < 0)
		return -1;
	if (s.size == 0)
		return err_set(e, "disk size must be positive");
	while ((tok = strtok_r(NULL, ",", &save)))
		if (parse_option(&s, tok, e) < 0)
			return -1;
	*out = s;
	return 0;
}

char *disk_format(const struct disk_spec *s, char *buf, size_t n)
{
	snprintf(buf, n, "%llu,allocated=%g,content=%s", (unsigned long long)s->size, s->allocated,
		 content_name(s->content));
	return buf;
}

/* --- life cycle ------------------------------------------------------------------ */

/* Which clusters start allocated: a function of the seed alone. */
static int starts_allocated(uint64_t seed, uint64_t c, double fraction)
{
	if (fraction >= 1)
		return 1;
	return (double)(rng_mix(seed, c, 0x616c6c6f63ULL) >> 11) * 0x1p-53 < fraction;
}

int disk_new(disk **out, const struct disk_config *cfg, err *e)
{
	uint32_t cs = cfg->cluster;
	if (cs < 512 || cs > (64u << 20) || (cs & (cs - 1)))
		return err_set(e, "disk cluster size must be a power of two from 512 B to 64 MiB");
	uint64_t clusters = cfg->spec.size / cs + (cfg->spec.size % cs != 0);
	if (cfg->spec.size == 0 || clusters > DISK_MAX_CLUSTERS)
		return err_set(e, "disk size must be from 1 byte to 2^28 clusters (%llu GiB)",
			       (unsigned long long)((DISK_MAX_CLUSTERS * cs) >> 30));
	disk *d = calloc(1, sizeof *d);
	if (d)
		d->meta = calloc((size_t)clusters, sizeof *d->meta);
	if (!d || !d->meta) {
		free(d);
		return err_set(e, "out of memory for a disk of %llu clusters",
			       (unsigned long long)clusters);
	}
	d->clusters = clusters;
	d->size = cfg->spec.size;
	d->cluster = cs;
	d->seed = rng_mix(cfg->content_seed, cfg->index, 0x6469736bULL); /* "disk" */
	uint64_t cls = (uint64_t)cfg->spec.content << CLASS_SHIFT;
	for (uint64_t c = 0; c < clusters && !cfg->empty; c++)
		if (starts_allocated(d->seed, c, cfg->spec.allocated)) {
			d->meta[c] = ALLOCATED | cls;
			d->allocated++;
		}
	if (cfg->all_missing) {
		for (uint64_t c = 0; c < clusters; c++)
			d->meta[c] |= MISSING;
		d->missing = clusters;
	}
	*out = d;
	return 0;
}

void disk_free(disk *d)
{
	if (!d)
		return;
	free(d->meta);
	free(d);
}

uint64_t disk_size(const disk *d)
{
	return d->size;
}

uint64_t disk_clusters(const disk *d)
{
	return d->clusters;
}

uint32_t disk_cluster_size(const disk *d)
{
	return d->cluster;
}

uint64_t disk_allocated(const disk *d)
{
	return d->allocated;
}

uint64_t disk_host_bytes(const disk *d)
{
	return sizeof *d + d->clusters * sizeof *d->meta;
}

const struct disk_io *disk_io_counts(const disk *d)
{
	return &d->io;
}

/* --- clusters -------------------------------------------------------------------- */

static enum content_class class_of(uint64_t w)
{
	return (enum content_class)((w & CLASS_MASK) >> CLASS_SHIFT);
}

int disk_is_allocated(const disk *d, uint64_t c)
{
	return (d->meta[c] & ALLOCATED) != 0;
}

int disk_reads_zero(const disk *d, uint64_t c)
{
	uint64_t w = d->meta[c];
	return !(w & ALLOCATED) || class_of(w) == CONTENT_ZERO;
}

int disk_is_missing(const disk *d, uint64_t c)
{
	return (d->meta[c] & MISSING) != 0;
}

uint64_t disk_missing(const disk *d)
{
	return d->missing;
}

void disk_cluster_bytes(const disk *d, uint64_t c, uint8_t *out)
{
	uint64_t w = d->meta[c];
	if (disk_reads_zero(d, c))
		memset(out, 0, d->cluster);
	else
		content_fill(class_of(w), d->seed, c, (uint32_t)(w & VERSION_MASK), out,
			     d->cluster);
}

/* What a cluster's bytes are made of: equal words read equal bytes (the
 * seeds are the same on both sides), and every zero cluster reads alike. */
static uint64_t content_key(const disk *d, uint64_t c)
{
	if (disk_reads_zero(d, c))
		return 0;
	return d->meta[c] & (CLASS_MASK | VERSION_MASK | ALLOCATED);
}

static void set_word(disk *d, uint64_t c, uint64_t w)
{
	uint64_t old = d->meta[c];
	d->allocated += (w & ALLOCATED) != 0;
	d->allocated -= (old & ALLOCATED) != 0;
	d->dirty += (w & DIRTY) != 0;
	d->dirty -= (old & DIRTY) != 0;
	d->missing += (w & MISSING) != 0;
	d->missing -= (old & MISSING) != 0;
	d->meta[c] = w;
}

void disk_copy_cluster(disk *dst, const disk *src, uint64_t c)
{
	uint64_t w = src->meta[c] & (ALLOCATED | CLASS_MASK | VERSION_MASK);
	set_word(dst, c, w | (dst->meta[c] & DIRTY));
}

int disk_compare(const disk *a, const disk *b, int skip_dirty_b, uint64_t *first_diff)
{
	uint64_t n = a->clusters < b->clusters ? a->clusters : b->clusters;
	for (uint64_t c = 0; c < n; c++)
		if ((a->meta[c] | b->meta[c]) & MISSING ||
		    (!(skip_dirty_b && (b->meta[c] & DIRTY)) &&
		     content_key(a, c) != content_key(b, c))) {
			*first_diff = c;
			return 1;
		}
	if (a->clusters != b->clusters) {
		*first_diff = n;
		return 1;
	}
	return 0;
}

/* --- dirty bitmap ---------------------------------------------------------------- */

uint64_t disk_dirty_allocated(disk *d)
{
	for (uint64_t c = 0; c < d->clusters; c++)
		if (d->meta[c] & ALLOCATED)
			set_word(d, c, d->meta[c] | DIRTY);
	return d->dirty;
}

uint64_t disk_next_dirty(const disk *d, uint64_t from)
{
	if (d->dirty == 0)
		return d->clusters;
	for (uint64_t c = from; c < d->clusters; c++)
		if (d->meta[c] & DIRTY)
			return c;
	return d->clusters;
}

void disk_clear_dirty(disk *d, uint64_t c)
{
	set_word(d, c, d->meta[c] & ~DIRTY);
}

uint64_t disk_dirty_count(const disk *d)
{
	return d->dirty;
}

void disk_track(disk *d, int on)
{
	d->tracking = on;
}

/* --- guest I/O ------------------------------------------------------------------- */

void disk_set_hook(disk *d, disk_hook_fn fn, void *ctx)
{
	d->hook = fn;
	d->hook_ctx = ctx;
}

static int check_range(const disk *d, uint64_t off, uint64_t len, err *e)
{
	if (off > d->size || len > d->size - off)
		return err_set(e, "disk bytes %llu+%llu are past its end (%llu bytes)",
			       (unsigned long long)off, (unsigned long long)len,
			       (unsigned long long)d->size);
	return 0;
}

static int fetch_if_missing(disk *d, uint64_t c, err *e)
{
	if (!(d->meta[c] & MISSING))
		return 0;
	if (!d->hook)
		return err_set(e, "disk cluster %llu is missing and nothing fetches it",
			       (unsigned long long)c);
	if (d->hook(d->hook_ctx, d, c, 1, 0, e) < 0)
		return -1;
	if (d->meta[c] & MISSING)
		return err_set(e, "disk cluster %llu was not fetched", (unsigned long long)c);
	return 0;
}

int disk_write(disk *d, uint64_t off, uint64_t len, enum content_class cls, err *e)
{
	if (check_range(d, off, len, e) < 0)
		return -1;
	d->io.writes++;
	d->io.write_bytes += len;
	if (len == 0)
		return 0;
	uint64_t first = off / d->cluster, last = (off + len - 1) / d->cluster;
	for (uint64_t c = first; c <= last; c++) {
		uint64_t start = c * d->cluster, end = start + d->cluster;
		int whole = off <= start && off + len >= end;
		/* copy-on-read: a partial write needs the rest of the cluster */
		if (!whole && fetch_if_missing(d, c, e) < 0)
			return -1;
		uint64_t w = d->meta[c];
		uint64_t version = ((w & VERSION_MASK) + 1) & VERSION_MASK;
		uint64_t nw = ALLOCATED | ((uint64_t)cls << CLASS_SHIFT) | version;
		if (d->tracking || (w & DIRTY))
			nw |= DIRTY;
		set_word(d, c, nw);
		if (d->hook && d->hook(d->hook_ctx, d, c, 0, 1, e) < 0)
			return -1;
	}
	return 0;
}

int disk_read(disk *d, uint64_t off, uint64_t len, err *e)
{
	if (check_range(d, off, len, e) < 0)
		return -1;
	d->io.reads++;
	d->io.read_bytes += len;
	if (len == 0)
		return 0;
	uint64_t first = off / d->cluster, last = (off + len - 1) / d->cluster;
	for (uint64_t c = first; c <= last; c++)
		if (fetch_if_missing(d, c, e) < 0)
			return -1;
	return 0;
}
