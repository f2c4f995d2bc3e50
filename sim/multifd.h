/*
 * multifd — QEMU's multifd sender channels for the migration thread
 * (sim/mig.c): the thread queues dirty pages into packets
 * (multifd_queue_page), a full packet goes to the next free channel
 * (multifd_send's round robin, the thread waiting when none is free), and
 * each channel is a sender thread with its own CPU clock and its own socket
 * on the shared link (sim/link.h): it finds the packet's zero pages
 * (multifd_send_zero_page_detect), encodes the others with the
 * multifd-compression codec (encoders/codec.h) and writes QEMU's packet
 * header (MultiFDPacket_t) and the payload. The destination decodes each
 * packet with the same codec into its guest. docs/model.md, "Multifd",
 * lists the QEMU functions followed and what is simplified.
 */
#ifndef MIGSIM_MULTIFD_H
#define MIGSIM_MULTIFD_H

#include <stdint.h>

#include "err.h"
#include "params.h"

/* migration/multifd.h: the payload of one packet, in bytes of pages. */
#define MULTIFD_PACKET_SIZE (512 * 1024)
/* sizeof(MultiFDPacket_t) before its offsets: MultiFDPacketHdr_t (magic,
 * version, flags: 12), pages_alloc, normal_pages, next_packet_size (12),
 * packet_num (8), zero_pages and unused32 (8), unused64[3] (24), ramblock
 * (256). */
#define MULTIFD_HDR_BYTES 320
/* MultiFDInit_t: magic, version, uuid[16], id, unused1[7], unused2[4]. */
#define MULTIFD_INIT_BYTES 64
/* RAM_SAVE_FLAG_MULTIFD_FLUSH on the main channel after each sync. */
#define MULTIFD_FLUSH_BYTES 8

/* Pages per packet (multifd_ram_page_count): MULTIFD_PACKET_SIZE / page
 * size, at least 1. */
uint32_t multifd_page_count(uint32_t page_size);
/* Wire bytes of a packet's header (p->packet_len): QEMU sends the whole
 * offset array, page_count be64 slots, whatever the pages used. */
uint64_t multifd_packet_len(uint32_t page_size);

/* With the multifd capability, the host must give every thread its own
 * CPU: host-cpus 0, or at least the vCPU, the migration thread and the
 * channels. Sharing CPUs among more than two threads is not modelled. */
int multifd_check_host(const struct mig_params *p, unsigned caps, err *e);

/* migsim's own figures of the channels (QEMU 10 reports only
 * multifd-bytes): query-migrate's "x-migsim-multifd". */
struct mig_multifd {
	uint64_t packets;	/* packets with pages */
	uint64_t sync_packets;	/* MULTIFD_FLAG_SYNC packets, no pages */
	uint64_t raw_bytes;	/* normal pages' bytes given to the codec */
	uint64_t payload_bytes; /* what it made of them */
	int64_t channel_cpu;	/* ns of CPU, all channels */
	int64_t busiest_cpu;	/* ns of CPU, the busiest channel */
	int64_t send_wait;	/* ns the migration thread waited for a free channel */
};

#endif
