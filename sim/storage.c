/*
 * storage — the drive-mirror and block-stream jobs of a storage migration
 * (see storage.h). Which QEMU and libvirt functions each piece follows:
 *   mirror_dirty_init      the first dirty bitmap: the allocated clusters
 *                          (disk_dirty_allocated);
 *   mirror_iteration       one cluster at a time from the bitmap's cursor,
 *                          wrapping (a pass); a cluster that reads as zero
 *                          goes as a zero write of no payload (mirror skips
 *                          zeroes, the target image is fresh);
 *   mirror_run             ready (BLOCK_JOB_READY) once the bitmap is empty;
 *   bdrv_mirror_top_pwritev / do_sync_target_write
 *                          write-blocking ("active") mode: a guest write is
 *                          copied to the target before it completes;
 *   qemuMigrationSrcNBDStorageCopy / qemuMigrationSrcNBDStorageCopyReady
 *                          libvirt starts the mirrors and waits for all to be
 *                          ready before the RAM migration;
 *   qemuMigrationSrcNBDCopyCancel
 *                          at the switch-over (guest paused) the mirror
 *                          copies what is still dirty, then completes;
 *   stream_run             block-stream: the clusters still in the backing
 *                          file, in order, one read in flight at a time,
 *                          rate-limited (stream-speed);
 *   bdrv_co_preadv with BDRV_REQ_COPY_ON_READ
 *                          a guest read of a cluster not yet copied reads the
 *                          backing file (the source, over NBD) and keeps it.
 * Wire bytes: an NBD request header (28 bytes) before each write's payload,
 * a reply header (16) before each read's.
 */
#include "storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sat.h"

#define NBD_REQUEST_BYTES 28
#define NBD_REPLY_BYTES	  16
#define STREAM_CHUNK	  (512 * 1024) /* block/stream.c: one read's bytes */

struct storage {
	struct storage_config c;
	struct disk_set *set; /* the source machine's view */
	disk *src[DISK_MAX], *dst[DISK_MAX];
	size_t n;
	struct link *link;
	int sock; /* the jobs' connection (NBD) on the link: a socket of its own */
	struct vcpu *cpu;
	int64_t start;
	size_t cur_disk; /* the job's cursor */
	uint64_t cur_cluster;
	int cut;	     /* the workload runs on dst */
	double stream_speed; /* bytes/s; 0: as fast as the link takes them */
	int64_t stream_next; /* stream-speed: when the next cluster may go */
	uint64_t ram_base;   /* RAM's bytes when the mirror got ready */
	uint64_t job_base;   /* the job's bytes then */
	struct storage_stats st;
};

void storage_config_defaults(struct storage_config *c)
{
	memset(c, 0, sizeof *c);
	c->cluster = DISK_DEFAULT_CLUSTER;
	c->fail_source_at = -1;
	c->fail_link_at = -1;
}

static const char *const policy_names[] = {"shared", "precopy", "postcopy-stream"};
static const char *const mode_names[] = {"background", "write-blocking"};

const char *storage_policy_name(enum storage_policy p)
{
	return policy_names[p];
}

const char *storage_copy_mode_name(enum mirror_copy_mode m)
{
	return mode_names[m];
}

int storage_parse_policy(const char *s, enum storage_policy *out, err *e)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, policy_names[i])) {
			*out = (enum storage_policy)i;
			return 0;
		}
	return err_set(e, "unknown storage policy '%.64s' (shared, precopy, postcopy-stream)", s);
}

int storage_parse_copy_mode(const char *s, enum mirror_copy_mode *out, err *e)
{
	for (int i = 0; i < 2; i++)
		if (!strcmp(s, mode_names[i])) {
			*out = (enum mirror_copy_mode)i;
			return 0;
		}
	return err_set(e, "unknown mirror copy mode '%.64s' (background, write-blocking)", s);
}

/* The one place the jobs' bytes enter the network: the NBD connection,
 * a socket of its own beside the migration's channels on the same wire, as
 * libvirt's --copy-storage-all opens one (sim/link.h: its writer blocks on
 * its own send buffer only). */
static int64_t mirror_send(storage *s, int64_t t, uint64_t bytes)
{
	s->st.bytes = sat_addu(s->st.bytes, bytes);
	return link_socket_send(s->link, s->sock, t, bytes);
}

static int64_t since_start(const storage *s, int64_t t)
{
	return t - s->start;
}

/* When the jobs' bytes queued so far have arrived: their own connection's,
 * delays by urgent bytes included, not the whole link's, whose later bytes
 * may be another migration's (a VM beside it on the NIC) or the RAM's. */
static int64_t own_arrival(const storage *s)
{
	return link_socket_arrival(s->link, s->sock);
}

/* The connection's one-way latency, the migration's (its main socket's). */
static int64_t latency(const storage *s)
{
	return link_socket_latency(s->link, s->sock);
}

/* --- guest I/O hooks ---------------------------------------------------------- */

static size_t index_of(const storage *s, const disk *d, disk *const *side)
{
	for (size_t i = 0; i < s->n; i++)
		if (side[i] == d)
			return i;
	return 0;
}

/* The guest waits ns in the step in progress. */
static void stall(storage *s, int64_t ns)
{
	if (ns <= 0)
		return;
	s->st.io_stall = sat_add(s->st.io_stall, ns);
	vcpu_block(s->cpu, ns);
}

/* Copy-on-read on the destination: the request goes back to the source, the
 * cluster comes over the link behind what is queued there. */
static int64_t fetch(storage *s, size_t i, uint64_t c, int64_t t)
{
	uint32_t cs = disk_cluster_size(s->dst[i]);
	int64_t asked = sat_add(t, latency(s));
	uint64_t bytes = NBD_REPLY_BYTES + (disk_reads_zero(s->src[i], c) ? 0 : cs);
	mirror_send(s, asked, bytes);
	disk_copy_cluster(s->dst[i], s->src[i], c);
	s->st.fetches++;
	s->st.fetch_bytes += bytes;
	int64_t arrival = own_arrival(s);
	return arrival > t ? arrival - t : 0;
}

/* Write-blocking: the written cluster goes to the target before the write
 * completes; the guest waits for the target's reply. */
static int64_t sync_write(storage *s, size_t i, uint64_t c, int64_t t)
{
	uint32_t cs = disk_cluster_size(s->src[i]);
	mirror_send(s, t, NBD_REQUEST_BYTES + (disk_reads_zero(s->src[i], c) ? 0 : cs));
	disk_copy_cluster(s->dst[i], s->src[i], c);
	disk_clear_dirty(s->src[i], c);
	s->st.blocked_writes++;
	int64_t acked = sat_add(own_arrival(s), latency(s));
	return acked > t ? acked - t : 0;
}

static int on_src_io(void *ctx, disk *d, uint64_t c, int need_fetch, int written, err *e)
{
	storage *s = ctx;
	(void)need_fetch;
	if (written && !s->cut)
		stall(s, sync_write(s, index_of(s, d, s->src), c, vcpu_time(s->cpu)));
	(void)e;
	return 0;
}

static int on_dst_io(void *ctx, disk *d, uint64_t c, int need_fetch, int written, err *e)
{
	storage *s = ctx;
	(void)written;
	(void)e;
	if (need_fetch)
		stall(s, fetch(s, index_of(s, d, s->dst), c, vcpu_time(s->cpu)));
	return 0;
}

/* --- life cycle ------------------------------------------------------------------ */

int storage_new(storage **out, const struct storage_config *c, struct disk_set *src,
		const struct storage_env *env, err *e)
{
	storage *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, "out of memory");
	s->c = *c;
	s->set = src;
	s->n = src->n;
	s->link = env->link;
	s->cpu = env->cpu;
	s->start = env->start;
	s->stream_speed = env->stream_speed;
	s->st.active = c->policy != STORAGE_SHARED;
	s->st.ready_at = s->st.cutover = s->st.done_at = -1;
	s->sock = LINK_MAIN;
	if (s->st.active &&
	    (link_socket_open(s->link, env->buffer_bytes, link_socket_latency(s->link, env->sock),
			      &s->sock, e) < 0 ||
	     link_socket_join(s->link, s->sock, env->sock, e) < 0)) {
		free(s);
		return -1;
	}
	for (size_t i = 0; i < s->n; i++) {
		s->src[i] = src->d[i];
		struct disk_config dc = {
		    .spec = c->disks[i],
		    .cluster = c->cluster,
		    .content_seed = env->content_seed,
		    .index = (unsigned)i,
		    .empty = 1,
		    .all_missing = c->policy == STORAGE_POSTCOPY_STREAM,
		};
		if (disk_new(&s->dst[i], &dc, e) < 0) {
			storage_free(s);
			return -1;
		}
		s->st.disk_clusters += disk_clusters(s->src[i]);
		if (c->policy == STORAGE_PRECOPY) {
			s->st.passes = 1; /* the first pass over the bitmap begins */
			s->st.len += disk_dirty_allocated(s->src[i]) * c->cluster;
			disk_track(s->src[i], 1);
			if (c->copy_mode == MIRROR_WRITE_BLOCKING)
				disk_set_hook(s->src[i], on_src_io, s);
		} else if (c->policy == STORAGE_POSTCOPY_STREAM) {
			s->st.len += disk_clusters(s->src[i]) * c->cluster; /* stream: the image */
			disk_set_hook(s->dst[i], on_dst_io, s);
		}
	}
	*out = s;
	return 0;
}

void storage_free(storage *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		if (s->src[i]) {
			disk_set_hook(s->src[i], NULL, NULL);
			disk_track(s->src[i], 0);
			s->set->d[i] = s->src[i];
		}
		disk_free(s->dst[i]);
	}
	free(s);
}

/* --- the jobs ---------------------------------------------------------------------- */

static uint64_t dirty_left(const storage *s)
{
	uint64_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->c.policy == STORAGE_POSTCOPY_STREAM ? disk_missing(s->dst[i])
							    : disk_dirty_count(s->src[i]);
	return n;
}

int storage_ram_may_start(const storage *s)
{
	return s->c.policy != STORAGE_PRECOPY || s->st.ready;
}

/* Both streams share the wire: the job sends when it has sent no more
 * than RAM since they began to share it (the mirror ready, the cut-over). */
static int job_turn(const storage *s, uint64_t ram_bytes)
{
	return s->st.bytes - s->job_base <= ram_bytes - s->ram_base;
}

int storage_wants(const storage *s, int stopped, int ram_done, uint64_t ram_bytes)
{
	if (s->c.policy == STORAGE_POSTCOPY_STREAM)
		return s->cut && dirty_left(s) > 0 && (ram_done || job_turn(s, ram_bytes));
	if (s->c.policy != STORAGE_PRECOPY)
		return 0;
	if (!s->st.ready || stopped)
		return !s->st.ready || dirty_left(s) > 0;
	return dirty_left(s) > 0 && job_turn(s, ram_bytes);
}

/* The next cluster to copy from the cursor, wrapping (a new pass); 0 when
 * there is none. */
static int next_cluster(storage *s, size_t *di, uint64_t *c)
{
	for (size_t tries = 0; tries <= s->n; tries++) {
		size_t i = s->cur_disk;
		uint64_t found = s->c.policy == STORAGE_POSTCOPY_STREAM
				     ? s->cur_cluster
				     : disk_next_dirty(s->src[i], s->cur_cluster);
		if (s->c.policy == STORAGE_POSTCOPY_STREAM)
			while (found < disk_clusters(s->dst[i]) &&
			       !disk_is_missing(s->dst[i], found))
				found++;
		if (found < disk_clusters(s->src[i])) {
			*di = i;
			*c = found;
			s->cur_cluster = found + 1;
			return 1;
		}
		s->cur_cluster = 0;
		s->cur_disk = (i + 1) % s->n;
		if (s->cur_disk == 0)
			s->st.passes++;
	}
	return 0;
}

static void mark_ready(storage *s, int64_t t, uint64_t ram_bytes)
{
	s->st.ready = 1;
	s->st.ready_at = since_start(s, t);
	s->ram_base = ram_bytes;
	s->job_base = s->st.bytes;
}

/* Copies the chunk of missing clusters from c (STREAM_CHUNK at most, the
 * cursor moves past it); returns its wire bytes, 0 when none was allocated
 * on the source (the backing file has nothing there to read). */
static uint64_t stream_chunk(storage *s, size_t i, uint64_t c)
{
	uint32_t cs = s->c.cluster;
	uint64_t n = STREAM_CHUNK > cs ? STREAM_CHUNK / cs : 1, bytes = 0;
	int any = 0;
	for (uint64_t k = 0;
	     k < n && c + k < disk_clusters(s->dst[i]) && disk_is_missing(s->dst[i], c + k); k++) {
		uint64_t x = c + k;
		if (disk_is_allocated(s->src[i], x)) {
			any = 1;
			bytes += disk_reads_zero(s->src[i], x) ? 0 : cs;
			s->st.zero_skipped += disk_reads_zero(s->src[i], x);
		}
		disk_copy_cluster(s->dst[i], s->src[i], x);
		s->st.clusters_copied += k > 0;
		s->cur_cluster = x + 1;
	}
	return any ? NBD_REPLY_BYTES + bytes : 0;
}

/* The disks are whole on the destination once the last cluster read has
 * arrived; a disk whose clusters all read as zero on the source (nothing to
 * send) is whole at the cut-over. */
static int64_t stream_done(const storage *s)
{
	int64_t at = since_start(s, own_arrival(s));
	return at > s->st.cutover ? at : s->st.cutover;
}

int storage_step(storage *s, int64_t *t, err *e)
{
	(void)e;
	size_t i;
	uint64_t c;
	if (!next_cluster(s, &i, &c)) {
		if (s->c.policy == STORAGE_PRECOPY && !s->st.ready)
			mark_ready(s, *t, 0);
		return 0;
	}
	uint32_t cs = s->c.cluster;
	int zero = disk_reads_zero(s->src[i], c);
	if (s->c.policy == STORAGE_POSTCOPY_STREAM) {
		if (s->stream_speed > 0 && *t < s->stream_next)
			*t = s->stream_next;
		int64_t began = *t;
		/* stream_run copies a chunk at a time: the read goes to the
		 * source, the next one waits for its data */
		uint64_t bytes = stream_chunk(s, i, c);
		if (bytes) {
			mirror_send(s, sat_add(*t, latency(s)), bytes);
			*t = own_arrival(s);
		}
		/* block_job_ratelimit_get_delay: the bytes copied set the next
		 * chunk's earliest start */
		if (s->stream_speed > 0)
			s->stream_next =
			    sat_add(began, sat_ns((double)bytes * 1e9 / s->stream_speed));
	} else {
		*t = mirror_send(s, *t, NBD_REQUEST_BYTES + (zero ? 0 : cs));
		disk_copy_cluster(s->dst[i], s->src[i], c);
		disk_clear_dirty(s->src[i], c);
	}
	if (s->c.policy == STORAGE_PRECOPY)
		s->st.zero_skipped += zero && disk_is_allocated(s->src[i], c);
	s->st.clusters_copied++;
	s->st.offset = sat_addu(s->st.offset, cs);
	if (dirty_left(s) == 0) {
		if (s->c.policy == STORAGE_PRECOPY && !s->st.ready)
			mark_ready(s, *t, 0);
		if (s->c.policy == STORAGE_POSTCOPY_STREAM)
			s->st.done_at = stream_done(s);
	}
	return 0;
}

int storage_socket(const storage *s)
{
	return s->st.active ? s->sock : -1;
}

int storage_cutover(storage *s, int64_t t, uint64_t ram_bytes, err *e)
{
	if (s->cut)
		return 0;
	s->cut = 1;
	s->ram_base = ram_bytes;
	s->job_base = s->st.bytes;
	s->st.cutover = since_start(s, t);
	if (s->c.policy == STORAGE_SHARED)
		return 0;
	/* A mirror cut over by the switch to post-copy, which stops the guest
	 * without a pre-copy completion, sends what is still dirty now, before
	 * the guest writes the destination's disks (its bytes go ahead of
	 * post-copy's pages on the link, but the resume does not wait for
	 * them: docs/model.md, "Storage"). */
	for (int64_t at = t; s->c.policy == STORAGE_PRECOPY && dirty_left(s) > 0;)
		if (storage_step(s, &at, e) < 0)
			return -1;
	for (size_t i = 0; i < s->n; i++) {
		s->set->d[i] = s->dst[i];
		disk_track(s->dst[i], 1); /* the guest's writes there: storage_verify */
	}
	if (s->c.policy == STORAGE_POSTCOPY_STREAM) {
		s->cur_disk = 0;
		s->cur_cluster = 0;
		s->stream_next = t;
		if (dirty_left(s) == 0)
			s->st.done_at = s->st.cutover;
	} else {
		s->st.done_at = s->st.cutover;
	}
	return 0;
}

int storage_streaming(const storage *s)
{
	return s->c.policy == STORAGE_POSTCOPY_STREAM && s->cut && dirty_left(s) > 0;
}

int storage_verify(storage *s, char *msg, size_t n)
{
	if (s->c.policy == STORAGE_SHARED)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		uint64_t diff;
		if (disk_compare(s->src[i], s->dst[i], 1, &diff)) {
			snprintf(msg, n,
				 "destination disk %zu differs from the source at cluster %llu "
				 "(a simulator bug: please report it)",
				 i, (unsigned long long)diff);
			return -1;
		}
	}
	s->st.verified = 1;
	return 0;
}

void storage_not_ready(const storage *s, char *msg, size_t n)
{
	snprintf(msg, n,
		 "the disk mirror never became ready (%llu clusters of %u bytes still dirty "
		 "after %llu passes, %llu bytes sent): the guest writes its disks faster than "
		 "the link copies them; --mirror-copy-mode write-blocking converges by slowing "
		 "the guest",
		 (unsigned long long)dirty_left(s), s->c.cluster, (unsigned long long)s->st.passes,
		 (unsigned long long)s->st.bytes);
}

uint64_t storage_lost(const storage *s)
{
	if (s->c.policy != STORAGE_POSTCOPY_STREAM || !s->cut)
		return 0;
	uint64_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		for (uint64_t c = 0; c < disk_clusters(s->dst[i]); c++)
			n += disk_is_missing(s->dst[i], c) && !disk_reads_zero(s->src[i], c);
	return n;
}

uint64_t storage_remaining(const storage *s)
{
	return dirty_left(s) * s->c.cluster;
}

void storage_get_stats(const storage *s, int64_t now, struct storage_stats *out)
{
	*out = s->st;
	out->dirty = dirty_left(s);
	if (s->c.policy == STORAGE_PRECOPY) /* the job's len grows with what is dirtied */
		out->len = out->offset + out->dirty * s->c.cluster;
	else /* stream_run's offset passes over what copy-on-read or the guest filled */
		out->offset = out->len - out->dirty * s->c.cluster;
	if (s->cut && s->c.policy == STORAGE_POSTCOPY_STREAM) {
		int64_t end = s->st.done_at >= 0 ? s->st.done_at : since_start(s, now);
		out->risk_window = end - s->st.cutover;
	}
}
