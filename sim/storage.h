/*
 * storage — moving a guest's disks with its RAM (issue 25), as libvirt and
 * QEMU do it:
 *   shared           the destination opens the same image: nothing moves;
 *   precopy          libvirt's --copy-storage-all: a drive-mirror job to an
 *                    NBD export on the destination copies the allocated
 *                    clusters (zero ones skipped), tracks guest writes in a
 *                    dirty bitmap and copies them again; the RAM migration
 *                    starts once the mirror is ready, and the switch-over
 *                    waits for it to be in sync again (background copy mode)
 *                    or keeps it in sync by making each guest write wait for
 *                    the destination (write-blocking);
 *   postcopy-stream  the guest is cut over with its RAM onto a copy-on-read
 *                    image backed by the source's disk: a read of a cluster
 *                    not copied yet fetches it (the guest waits a round trip
 *                    and the cluster's time on the wire), a write of part of
 *                    one too, a write of a whole one does not, and a
 *                    block-stream job copies the rest at stream-speed.
 * The mirror and the stream share the migration's link (mirror_send). Their
 * steps run on the migration thread's clock (sim/mig.c asks storage_wants
 * before each of its own), so one FIFO wire carries both streams in the
 * order they are submitted.
 *
 * The failure window: from the cut-over until the last cluster is on the
 * destination (postcopy-stream) the guest's disk exists whole on neither
 * side; storage_lost says what a failure then loses.
 */
#ifndef MIGSIM_STORAGE_H
#define MIGSIM_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "disk.h"
#include "err.h"
#include "link.h"
#include "vcpu.h"

enum storage_policy { STORAGE_SHARED, STORAGE_PRECOPY, STORAGE_POSTCOPY_STREAM };
enum mirror_copy_mode { MIRROR_BACKGROUND, MIRROR_WRITE_BLOCKING };

/* The run's disks and how they move (part of struct run_config). */
struct storage_config {
	enum storage_policy policy;
	enum mirror_copy_mode copy_mode;
	struct disk_spec disks[DISK_MAX];
	size_t ndisks;
	uint32_t cluster;	/* bytes; DISK_DEFAULT_CLUSTER */
	int64_t fail_source_at; /* ns after the migration starts; -1 = never */
	int64_t fail_link_at;
};

void storage_config_defaults(struct storage_config *c);
int storage_parse_policy(const char *s, enum storage_policy *out, err *e);
int storage_parse_copy_mode(const char *s, enum mirror_copy_mode *out, err *e);
const char *storage_policy_name(enum storage_policy p);
const char *storage_copy_mode_name(enum mirror_copy_mode m);

/* What storage migration did, for the outputs (query-block-jobs and more). */
struct storage_stats {
	int active;		  /* a storage policy other than shared ran */
	uint64_t len, offset;	  /* the job's bytes to copy, and copied (QEMU's len/offset) */
	uint64_t bytes;		  /* wire bytes of the mirror or stream, fetches included */
	uint64_t clusters_copied; /* by the job in the background */
	uint64_t zero_skipped;	  /* allocated clusters read as zero: not sent */
	uint64_t passes;	  /* mirror: passes over the dirty bitmap */
	int ready;		  /* mirror: in sync once (BLOCK_JOB_READY) */
	int64_t ready_at;	  /* ns since the migration began; -1: never */
	uint64_t dirty;		  /* clusters still to copy */
	uint64_t fetches;	  /* copy-on-read fetches */
	uint64_t fetch_bytes;
	uint64_t blocked_writes; /* write-blocking: writes that waited */
	int64_t io_stall;	 /* ns the guest waited on disk I/O */
	int64_t cutover;	 /* ns since start: the guest on the destination's disks; -1 */
	int64_t done_at;	 /* ns since start: the last cluster there; -1 */
	int64_t risk_window;	 /* disk part: cut-over to done_at (or to the run's end) */
	int verified;		 /* the destination's disks compared equal cluster by cluster */
	uint64_t disk_clusters;	 /* of all disks */
};

typedef struct storage storage;

/* src: the source machine's disk set (its workload's view; swapped to the
 * destination's disks at cut-over). */
struct storage_env {
	uint64_t content_seed; /* the guests' */
	double stream_speed;   /* bytes/s; 0 = the link's (--param stream-speed) */
	struct link *link;
	/* The migration's main socket: the jobs' connection (NBD) has its
	 * latency and joins its pacer. */
	int sock;
	uint64_t buffer_bytes; /* the connection's send buffer (send-buffer-size) */
	struct vcpu *cpu;
	int64_t start; /* the migration's */
};
int storage_new(storage **out, const struct storage_config *c, struct disk_set *src,
		const struct storage_env *env, err *e);
/* Gives the source machine its own disks back and frees the destination's. */
void storage_free(storage *s);

/* --- the migration thread's hooks (sim/mig.c) ------------------------------- */

/* 1 when the mirror or the stream should send a cluster now rather than
 * the RAM migration its next page: the mirror before it is ready (the RAM
 * migration waits), while stopped for the switch-over (it waits for
 * sync); the stream once RAM is done (ram_done); either in turn with RAM
 * otherwise, by bytes; ram_bytes: RAM's bytes so far. */
int storage_wants(const storage *s, int stopped, int ram_done, uint64_t ram_bytes);
/* One cluster of the job at *t (advanced to when the thread may go on). */
int storage_step(storage *s, int64_t *t, err *e);
/* The RAM migration may start: shared, post-copy, or the mirror ready. */
int storage_ram_may_start(const storage *s);
/* Cut-over at t, RAM having sent ram_bytes: the workload's disks become
 * the destination's. */
int storage_cutover(storage *s, int64_t t, uint64_t ram_bytes, err *e);
/* The stream has clusters left after the RAM migration ended. */
int storage_streaming(const storage *s);
/* The jobs' socket on the link (their bytes, which the migration waits
 * for); -1 when they send nothing (shared storage). */
int storage_socket(const storage *s);
/* Compares every destination disk with its source cluster by cluster: 0,
 * or -1 with msg filled. */
int storage_verify(storage *s, char *msg, size_t n);
/* Why the mirror did not get ready (for the timeout's message). */
void storage_not_ready(const storage *s, char *msg, size_t n);
/* Bytes the job has still to copy (its block job's len - offset): what
 * libvirt adds to the RAM's remaining in a migration's dataRemaining. */
uint64_t storage_remaining(const storage *s);
/* Clusters whose only up-to-date copy is on the source at t (lost with it). */
uint64_t storage_lost(const storage *s);
void storage_get_stats(const storage *s, int64_t now, struct storage_stats *out);

#endif
