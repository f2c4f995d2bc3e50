/*
 * host — the source host's CPUs, shared by the guest's vCPU and the
 * migration thread (later, multifd's threads too).
 *
 * QEMU's migration thread runs on the same host CPUs as the vCPU threads:
 * when CPUs are short, the migration's reads, copies and encoding slow the
 * guest, and a busy guest slows the migration. The host has `cpus` CPUs
 * (the host-cpus parameter; 0 means one per thread, no contention). With
 * one CPU for the two threads, the scheduler is a fair share with a time
 * slice (host-timeslice), as CFS gives two runnable threads of equal weight
 * alternate slices of its latency: a thread that alone wants the CPU has it;
 * when both want it they take turns on a grid of slices anchored at time 0,
 * even slices the vCPU's, odd ones the migration thread's. In its own slice
 * the thread preempts the vCPU for the time it computes (the vCPU's
 * computing, and the writes it has still to make, move later by that time:
 * vcpu_steal); in the vCPU's slice the thread waits for the slice's end or
 * the end of the vCPU's computing, whichever comes first.
 *
 * Simplifications: the vCPU "wants" the CPU for its step's computing time
 * (stretched by the throttle, whose sleeps are counted as computing); a
 * burst of the thread (one page's work, microseconds) that starts while the
 * vCPU is between two steps runs whole, even if the next step begins inside
 * it; the CPU is handed over without a switch cost.
 */
#ifndef MIGSIM_HOST_H
#define MIGSIM_HOST_H

#include <stdint.h>

struct vcpu;

struct host {
	int cpus;      /* 0: one per thread */
	int64_t slice; /* ns */
};

/* Runs `ns` of the migration thread's CPU work from t, competing with v's
 * computing; returns when it is done. The time taken from v goes to
 * vcpu_steal. */
int64_t host_run(const struct host *h, struct vcpu *v, int64_t t, int64_t ns);

#endif
