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
 */
#ifndef MIGSIM_LINK_H
#define MIGSIM_LINK_H

#include <stdint.h>

#include "err.h"

struct link_config {
	double bandwidth;      /* bytes/s, > 0 */
	int64_t latency;       /* ns, one way, >= 0 */
	uint64_t buffer_bytes; /* send buffer; 0 = the writer never blocks */
};

struct link {
	struct link_config cfg;
	double wire_free;   /* ns: when the wire has sent everything queued */
	uint64_t sent;      /* bytes handed to the link so far */
};

int link_init(struct link *l, const struct link_config *cfg, err *e);
/* Queues `bytes` at time t; returns when the writer may continue (>= t). */
int64_t link_send(struct link *l, int64_t t, uint64_t bytes);
/* When everything queued so far has arrived at the destination; INT64_MAX
 * (never) when that is past the simulated clock's range. */
int64_t link_arrival(const struct link *l);
/* Bytes queued but not yet on the wire at time t. */
uint64_t link_backlog(const struct link *l, int64_t t);

#endif
