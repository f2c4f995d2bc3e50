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
 * Several sockets share the wire (multifd's channels besides the main
 * channel; later a storage mirror's connection, or other VMs' migrations
 * on one NIC): each has its own send buffer, whose writer blocks on its own
 * bytes only, and the wire serves the sockets' writes in the order they were
 * submitted, each write whole. Backlogged writers whose buffers pace them
 * alternate on the wire, which approximates TCP's fair share between
 * backlogged flows at the granularity of one write (a multifd packet, a
 * QEMUFile flush); docs/model.md, "Sockets sharing the link", says what
 * that leaves out. Socket LINK_MAIN (the migration's main channel) exists
 * from link_init; link_socket_open adds others. Each socket has its own
 * one-way latency, its connection's (migrations from one NIC to hosts at
 * different distances): LINK_MAIN's is link_config's.
 *
 * Urgent bytes (post-copy's preempt channel, a socket of its own on the same
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
	int64_t latency;       /* ns, one way, >= 0: LINK_MAIN's */
	uint64_t buffer_bytes; /* send buffer; 0 = the writer never blocks */
};

/* The main channel's socket, whose buffer is link_config's buffer_bytes. */
#define LINK_MAIN 0

/* A socket's bytes on the wire from start to end (ns), in submission
 * order: its writes, those that follow each other on the wire merged. */
struct link_span {
	double start, end, bytes;
};

/* One socket on the wire: its own send buffer and latency. */
struct link_socket {
	double free;	       /* ns: when its last queued byte leaves the wire, or
				  passes its pacer's bottleneck when that is later */
	uint64_t buffer_bytes; /* 0: its writer never blocks */
	int64_t latency;       /* ns, one way: its bytes arrive this long after they leave */
	/* The socket whose pacer it shares (its own id unless joined): one
	 * migration's sockets behind one bottleneck past the wire. */
	int pace;
	double pace_rate; /* bytes/s through the bottleneck (owner only); 0: none */
	double pace_free; /* ns: when the group's last byte passes it (owner only) */
	uint64_t sent;	  /* bytes written to it */
	/* With other sockets open, its bytes still queued, oldest first
	 * (spans[head..n)): what its writer's buffer holds. */
	struct link_span *spans;
	size_t head, n, cap;
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
	double main_free;   /* ns: when the sockets' queued bytes (the "main stream" of
			       writes in submission order) have left */
	double main_run;    /* ns: where the main stream's current train of packets began */
	double urgent_free; /* ns: when the urgent bytes queued so far have left */
	uint64_t sent;	    /* bytes handed to the link so far */
	struct link_overtake *overtakes; /* in order; NULL until the first */
	size_t n_overtakes, cap_overtakes;
	double paced_free;	   /* ns: when every paced byte has passed its bottleneck */
	int paced;		   /* a pacer was ever set: every socket keeps its spans */
	struct link_socket main;   /* LINK_MAIN */
	struct link_socket *socks; /* sockets 1..nsocks; NULL until the first */
	size_t nsocks, cap_socks;
};

int link_init(struct link *l, const struct link_config *cfg, err *e);
void link_free(struct link *l);
/* Queues `bytes` on the main channel's socket at time t; returns when the
 * writer may continue (>= t). */
int64_t link_send(struct link *l, int64_t t, uint64_t bytes);
/* Opens another socket on the wire with a send buffer of buffer_bytes (0:
 * never blocks) and a one-way latency (ns, >= 0); *id names it from then
 * on. It may be opened while the main channel's socket has bytes queued
 * (another VM's migration starting on a NIC already in use): they are
 * counted in its buffer from then on. */
int link_socket_open(struct link *l, uint64_t buffer_bytes, int64_t latency, int *id, err *e);
/* Puts socket id behind the pacer of socket `with` (see link_socket_pace):
 * a migration's other connections (multifd channels, its disks' NBD
 * connection) cross the same bottleneck as its main channel. */
int link_socket_join(struct link *l, int id, int with, err *e);
/* Holds the bytes of socket id's pacing group to `rate` bytes/s past the
 * wire (0: the wire's rate only): a bottleneck downstream of this wire (a
 * slower path, the destination's NIC) or the group's share of one that
 * flows from other wires cross too (sim/evac.c computes it). The bytes
 * still leave the wire at its rate, so the others on it lose nothing; the
 * group's writers block, and its bytes arrive, at the paced rate. Takes
 * effect from the next write; urgent bytes are not paced. */
int link_socket_pace(struct link *l, int id, double rate, err *e);
/* link_send on socket id: behind every byte submitted before on any socket;
 * the writer blocks while more than the socket's own buffer of its own
 * bytes is queued. */
int64_t link_socket_send(struct link *l, int id, int64_t t, uint64_t bytes);
/* The socket (LINK_MAIN or an id link_socket_open gave); NULL for no such. */
const struct link_socket *link_socket_get(const struct link *l, int id);
/* The socket's one-way latency; LINK_MAIN's for no such socket. */
int64_t link_socket_latency(const struct link *l, int id);
/* Sends urgent `bytes` at time t for the migration whose main channel is
 * socket id (post-copy's preempt channel goes to the same destination, so
 * its bytes take that socket's latency); fills when they reach it. */
int link_send_urgent(struct link *l, int id, int64_t t, uint64_t bytes, int64_t *arrival, err *e);
/* When everything queued so far has arrived at the destination, at the
 * link's latency (LINK_MAIN's); INT64_MAX (never) when that is past the
 * simulated clock's range. */
int64_t link_arrival(const struct link *l);
/* When the bytes queued so far on socket id have arrived, urgent bytes'
 * delays included: what a writer sharing the wire with other writers (other
 * VMs' migrations on one NIC) waits for of its own. 0 for no such socket. */
int64_t link_socket_arrival(const struct link *l, int id);
/* When the byte of socket id for which link_socket_arrival answered `then`
 * (just after it was queued) arrives, counting the urgent bytes sent since
 * that went ahead of it. */
int64_t link_arrival_of(const struct link *l, int id, int64_t then);
/* Bytes queued but not yet on the wire at time t. */
uint64_t link_backlog(const struct link *l, int64_t t);

#endif
