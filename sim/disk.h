/*
 * disk — a guest's virtual disk (the source's, or the destination's image
 * being filled by a storage migration), kept per cluster as guest.h keeps
 * RAM per page.
 *
 * Per cluster one 64-bit word: allocated or not, a version bumped on every
 * write, the content class of its bytes, a dirty bit (the mirror's dirty
 * bitmap: block/mirror.c's dirty_bitmap) and, on a destination that copies
 * on read, whether it is still missing. Bytes are never stored: an
 * unallocated cluster reads as zeros, an allocated one holds the bytes
 * content_fill makes of (content seed, disk, cluster, version, class), so
 * both sides make the same ones, a CONTENT_ZERO cluster is all zero (the
 * zero detection mirror does) and any other never is. A 1 TiB disk costs 8
 * bytes a cluster of host memory (128 MiB at 64 KiB clusters), touched only
 * where clusters are allocated.
 *
 * Guest writes make whole-cluster content: a write of part of a cluster
 * gives it a new version, so its bytes outside the range written are not
 * kept byte for byte (docs/model.md, "Storage"); what the migration moves
 * and compares is exact at that resolution.
 *
 * A hook (the storage migration's, sim/storage.h) runs before a guest read
 * or partial write touches a missing cluster (copy-on-read: it must make it
 * present) and after every guest write (a write-blocking mirror); it may
 * stall the guest.
 */
#ifndef MIGSIM_DISK_H
#define MIGSIM_DISK_H

#include <stddef.h>
#include <stdint.h>

#include "content.h"
#include "err.h"

#define DISK_MAX	     8
#define DISK_DEFAULT_CLUSTER 65536
#define DISK_MAX_CLUSTERS    (UINT64_C(1) << 28)

typedef struct disk disk;

/* What --disk SIZE[,allocated=FRACTION][,content=CLASS] asks for. */
struct disk_spec {
	uint64_t size;	  /* bytes */
	double allocated; /* fraction of clusters allocated at the start */
	enum content_class content;
};

/* Parses a --disk value; 0, or -1 with e filled. */
int disk_parse(const char *text, struct disk_spec *out, err *e);
/* The spec as the user writes it, into buf. */
char *disk_format(const struct disk_spec *s, char *buf, size_t n);

struct disk_config {
	struct disk_spec spec;
	uint32_t cluster;      /* bytes, a power of two from 512 B to 64 MiB */
	uint64_t content_seed; /* the same on both sides */
	unsigned index;	       /* which of the guest's disks: part of its bytes */
	int empty;	       /* a destination image: nothing allocated */
	int all_missing;       /* copy-on-read destination: every cluster missing */
};

int disk_new(disk **out, const struct disk_config *cfg, err *e);
void disk_free(disk *d);

uint64_t disk_size(const disk *d);
uint64_t disk_clusters(const disk *d);
uint32_t disk_cluster_size(const disk *d);
uint64_t disk_allocated(const disk *d); /* clusters allocated */

/* --- cluster view (the storage migration, verification) ------------------- */

int disk_is_allocated(const disk *d, uint64_t c);
/* The cluster reads as zeros: unallocated, or allocated with zero content. */
int disk_reads_zero(const disk *d, uint64_t c);
int disk_is_missing(const disk *d, uint64_t c);
/* Fills out (cluster bytes) with what cluster c holds. */
void disk_cluster_bytes(const disk *d, uint64_t c, uint8_t *out);
/* Makes dst's cluster c what src's holds (present, not dirty). */
void disk_copy_cluster(disk *dst, const disk *src, uint64_t c);
/* 0 when every cluster of a and b reads the same bytes, else 1 with
 * *first_diff the first that does not; a missing cluster differs. With
 * skip_dirty_b, a cluster dirty in b (written there since tracking began:
 * the guest's own writes on the destination) need only be present. */
int disk_compare(const disk *a, const disk *b, int skip_dirty_b, uint64_t *first_diff);
uint64_t disk_missing(const disk *d);

/* --- dirty bitmap ----------------------------------------------------------- */

/* Marks every allocated cluster dirty (mirror_dirty_init's first pass over
 * the allocation status); returns how many. */
uint64_t disk_dirty_allocated(disk *d);
/* The first dirty cluster at or after `from`, or disk_clusters. */
uint64_t disk_next_dirty(const disk *d, uint64_t from);
void disk_clear_dirty(disk *d, uint64_t c);
uint64_t disk_dirty_count(const disk *d);
/* Starts or stops marking written clusters dirty. */
void disk_track(disk *d, int on);

/* --- guest I/O ---------------------------------------------------------------- */

/* Called for cluster c: before a read or partial write of a missing cluster
 * (need_fetch), or after a write (written). Returns 0, or -1 with e filled. */
typedef int (*disk_hook_fn)(void *ctx, disk *d, uint64_t c, int need_fetch, int written, err *e);
void disk_set_hook(disk *d, disk_hook_fn fn, void *ctx);

/* A guest write of len bytes at off in content class cls. */
int disk_write(disk *d, uint64_t off, uint64_t len, enum content_class cls, err *e);
/* A guest read of len bytes at off (fetches missing clusters through the hook). */
int disk_read(disk *d, uint64_t off, uint64_t len, err *e);
/* Bytes and operations the guest has read and written. */
struct disk_io {
	uint64_t read_bytes, write_bytes, reads, writes;
};
const struct disk_io *disk_io_counts(const disk *d);

/* Host bytes held (the metadata). */
uint64_t disk_host_bytes(const disk *d);

/* The disks a machine's workload sees: swapped to the destination's at
 * cut-over, as the vCPU is to the destination's RAM. */
struct disk_set {
	disk *d[DISK_MAX];
	size_t n;
};

#endif
