/*
 * vcpu — the guest's processor: runs the workload's steps one after another
 * in simulated time. A step declares its cost, of which it computes its CPU
 * time and is halted for the rest; its writes are spread over the computing
 * (sim/journal.h) and reach the guest at their own times while the migration
 * reads it, at once otherwise (nobody can tell the difference). The throttle (auto-converge) lets
 * the vCPU compute at most (1 - p) of the time at p %, the long-run effect of QEMU's 10 ms run /
 * sleep slices: the computing is stretched by 1/(1 - p) and the halted rest absorbs what it can of
 * that.
 *
 * The migration pauses the vCPU at switch-over and resumes it (possibly on
 * another guest, the destination) when the destination runs; a step cut by a
 * pause finishes its remaining cost after the resume. A step that faults on
 * a missing page (post-copy) is stretched by the time it waited. Steps counted here are
 * the guest's progress, compared against an unmigrated run of the same seed.
 */
#ifndef MIGSIM_VCPU_H
#define MIGSIM_VCPU_H

#include <stdint.h>

#include "des.h"
#include "err.h"
#include "guest.h"
#include "wl.h"

/* At most: the workload, the guest OS profile's background, and room. */
#define VCPU_MAX_PROGRAMS 4

/* A program the vCPU runs: its steps, and when the next is due. */
struct vcpu_prog {
	wl *w;
	int64_t due;
};

struct vcpu {
	des *q;
	/* progs[0] is the main program (the workload): its steps are the progress */
	struct vcpu_prog progs[VCPU_MAX_PROGRAMS];
	size_t nprogs;
	size_t cur;	 /* the program of the step in progress */
	int64_t free_at; /* when the vCPU has computed the step in progress */
	guest *g;
	int running;
	uint64_t gen;	    /* tags scheduled steps; a pause makes older ones stale */
	int64_t busy_until; /* end of the step in progress */
	int64_t rest;	    /* while paused: what remains of the interrupted step */
	int throttle_pct;   /* 0..99 */
	int64_t end;	    /* no step starts at or after this time (end of the run) */
	int64_t stall;	    /* the current step's time blocked on faults so far */
	int watched;	    /* the migration reads the guest: writes wait for its clock */
	int64_t unit_t;	    /* while writes land at once: the time of the one landing */
	int64_t paused_at;
	int64_t compute_end;	 /* while watched: when the current step's computing ends */
	uint64_t steps;		 /* steps started */
	int64_t last_start;	 /* when the last of them started */
	int64_t cpu_sum;	 /* the steps' declared cpu and cost: how CPU-bound */
	int64_t cost_sum;	 /* the guest is (what a throttle can slow) */
	uint64_t steps_at_mark;	 /* steps started before vcpu_mark (migration start) */
	int64_t first_perturbed; /* first pause, throttle or fault stall; INT64_MAX: none */
	int paused_first;	 /* that first disturbance was a pause */
	uint64_t all_steps;	 /* steps of every program */
	uint64_t all_steps_at_pause;
	int64_t free_at_pause, due_at_pause[VCPU_MAX_PROGRAMS];
	int landed_after_pause; /* writes of the cut step landed after a resume */
	int64_t next_at_pause;	/* then: when the undisturbed vCPU starts its next step */
	int failed;
	err error;
};

void vcpu_init(struct vcpu *v, des *q, wl *w, guest *g, int64_t end);
/* Adds a program the vCPU runs besides w (a guest OS profile's background
 * activity): its steps share the vCPU with w's, a step at a time, the one
 * due first next; they are not w's progress. */
int vcpu_add_program(struct vcpu *v, wl *w, err *e);
/* Starts stepping at time t. */
int vcpu_start(struct vcpu *v, int64_t t, err *e);
void vcpu_pause(struct vcpu *v, int64_t t);
/* Resumes at time t on guest g. */
int vcpu_resume(struct vcpu *v, int64_t t, guest *g, err *e);
/* Takes effect from the next step. */
void vcpu_set_throttle(struct vcpu *v, int pct);
/* The migration reads this vCPU's guest from now until the pause: a step's
 * writes reach it at their own times, as vcpu_settle passes them. */
void vcpu_watch(struct vcpu *v);
/* While watched: the end of the computing the vCPU is doing at t (t < the
 * result; INT64_MAX when its step computes to its end, so that the next
 * one follows without a halt), or t when it is not computing then
 * (sim/host.h). */
int64_t vcpu_computing_end(const struct vcpu *v, int64_t t);
/* The migration thread takes the CPU from the computing vCPU for ns from t
 * (a shared host CPU, sim/host.h): the computing, the writes still to come
 * and, if the computing now reaches past it, the step's end move ns later. */
void vcpu_steal(struct vcpu *v, int64_t t, int64_t ns);
/* Applies the writes due at or before t (only while watched). -1 with e
 * filled (and the vCPU failed) when the guest refuses one. */
int vcpu_settle(struct vcpu *v, int64_t t, err *e);
void vcpu_mark(struct vcpu *v);
/* Inside a step: the vCPU's own time (when the write landing happens in
 * the step, plus the step's stalls so far). */
int64_t vcpu_time(const struct vcpu *v);
/* Inside a step: the vCPU waits ns (a post-copy fault) before going on. */
void vcpu_block(struct vcpu *v, int64_t ns);
/* Steps started since vcpu_mark. */
uint64_t vcpu_progress(const struct vcpu *v);
/* Those of them that started before t. The run ends with an event of the
 * migration's, which may come after a step of the same instant: that step
 * is not in the run's span [warmup, end), as no step at or after `end` is
 * in an unmigrated one's (steps cost at least 1 ns, so only the last step
 * can be at t). */
uint64_t vcpu_progress_before(const struct vcpu *v, int64_t t);
/* Until first_perturbed the guest ran exactly as an unmigrated one: the run
 * needs no separate baseline over a span the migration never disturbed.
 * Past it, this is 1 when that first disturbance was a pause and no step
 * has started since: the workload, and the guest it ran on until the
 * pause, still hold exactly an unmigrated run's state at that instant (a
 * pre-copy's switch-over). */
int vcpu_frozen_at_pause(const struct vcpu *v);
/* Runs such a vCPU on as if the pause had never come: on guest g (the one it
 * ran on until then), with events in q, no throttle, no step from `end`. */
int vcpu_continue_undisturbed(struct vcpu *v, des *q, guest *g, int64_t end, err *e);

#endif
