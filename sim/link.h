/*
 * link — the network path of one migration: a sending socket with a bounded
 * buffer in front of a wire of fixed bandwidth and one-way latency.
 *
 * The migration thread hands bytes to the socket at simulated time t. Bytes
 * leave the buffer at the wire's bandwidth, in order, and reach the
 * destination `latency` after they leave. When the buffer holds more than its
 * size the writer blocks until enough has drained: link_send returns the time
 * the writer may continue, which is how the link paces the sender without a
 * per-byte event. QEMU's own max-bandwidth rate limit is not here: it lives in
 * the migration thread (sim/mig.c), where QEMU applies it.
 *
 * Urgent bytes (post-copy's preempt channel, a second socket on the same
 * network) share the wire: they wait at most for the packet being
 * transmitted, then go ahead of everything the main stream has buffered,
 * which leaves that much later. link_arrival_of tells when a main-stream
 * byte queued earlier arrives now that urgent bytes may have overtaken it.
 */
#ifndef MIGSIM_LINK_H
#define MIGSIM_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The unit in which the wire interleaves the two sockets: an Ethernet MTU. */
#define LINK_PACKET_BYTES 1500

struct link_config {
	double bandwidth;      /* bytes/s, > 0 */
	int64_t latency;       /* ns, one way, >= 0 */
	uint64_t buffer_bytes; /* send buffer; 0 = the writer never blocks */
};

/* Urgent bytes that went ahead of main-stream bytes still queued. */
struct link_overtake {
	double main_end;    /* ns: when the main stream's queue would have drained */
	double key;	    /* ns: start on the wire minus the delays before it */
	double delay_after; /* ns: the main stream's total delay, this one included */
};

struct link {
	struct link_config cfg;
	double wire_free;   /* ns: when the wire has sent everything queued */
	double main_free;   /* ns: when the main stream's queued bytes have left */
	double main_run;    /* ns: where the main stream's current train of packets began */
	double urgent_free; /* ns: when the urgent bytes queued so far have left */
	uint64_t sent;	    /* bytes handed to the link so far */
	struct link_overtake *overtakes; /* in order; NULL until the first */
	size_t n_overtakes, cap_overtakes;
};

int link_init(struct link *l, const struct link_config *cfg, err *e);
void link_free(struct link *l);
/* Queues `bytes` at time t; returns when the writer may continue (>= t). */
int64_t link_send(struct link *l, int64_t t, uint64_t bytes);
/* Sends urgent `bytes` at time t; fills when they reach the destination. */
int link_send_urgent(struct link *l, int64_t t, uint64_t bytes, int64_t *arrival, err *e);
/* When everything queued so far has arrived at the destination; INT64_MAX
 * (never) when that is past the simulated clock's range. */
int64_t link_arrival(const struct link *l);
/* When the main-stream byte for which link_arrival answered `then` (just
 * after it was queued) arrives, counting the urgent bytes sent since that
 * went ahead of it. */
int64_t link_arrival_of(const struct link *l, int64_t then);
/* Bytes queued but not yet on the wire at time t. */
uint64_t link_backlog(const struct link *l, int64_t t);

#endif
