/*
 * vcpu — steps of the workload as events (see vcpu.h). Each scheduled step
 * carries the generation it was scheduled in; pausing bumps the generation,
 * so a step event that fires for an older one is ignored instead of being
 * searched for and removed from the queue. Times saturate (sim/sat.h): a step
 * that would end past the clock's range ends at INT64_MAX, which is never
 * scheduled.
 */
#include "vcpu.h"

#include "sat.h"

static void on_step(void *ctx, uint64_t tag);

void vcpu_init(struct vcpu *v, des *q, wl *w, guest *g, int64_t end)
{
	*v = (struct vcpu){.q = q, .w = w, .g = g, .end = end, .first_perturbed = INT64_MAX};
}

static int schedule(struct vcpu *v, int64_t t, err *e)
{
	v->busy_until = t;
	if (t >= v->end)
		return 0;
	return des_schedule(v->q, t, on_step, v, v->gen, e);
}

int vcpu_start(struct vcpu *v, int64_t t, err *e)
{
	v->running = 1;
	v->gen++;
	return schedule(v, t, e);
}

/* A step's wall time under the throttle. QEMU's auto-converge
 * (cpu_throttle_timer_tick, cpu_throttle_thread in system/cpu-throttle.c)
 * makes each vCPU sleep p/(1-p) x 10 ms every 10 ms/(1-p): the vCPU may
 * compute at most (1-p) of the wall time, and a vCPU that was halted anyway
 * loses nothing. Over a step that computes cpu of its cost, the computing
 * takes cpu/(1-p) and the halted rest absorbs it: a CPU-bound step slows by
 * 1/(1-p), one that computes less than (1-p) of its time keeps its pace.
 * (The 10 ms slices are a rate here: a step's computing is not made to wait
 * for the next slice, as a timer tick falling in a sleep would.) */
static int64_t stretch(const struct vcpu *v, int64_t cost, int64_t cpu)
{
	if (v->throttle_pct <= 0)
		return cost;
	int64_t busy = sat_ns((double)cpu * 100.0 / (double)(100 - v->throttle_pct));
	return busy > cost ? busy : cost;
}

static void on_step(void *ctx, uint64_t tag)
{
	struct vcpu *v = ctx;
	if (!v->running || tag != v->gen || v->failed)
		return;
	int64_t now = des_now(v->q);
	int64_t cost = 0, cpu = 0;
	v->steps++;
	v->last_start = now;
	v->stall = 0;
	if (wl_step(v->w, v->g, now, &cost, &cpu, &v->error) < 0 ||
	    schedule(v, sat_add(sat_add(now, stretch(v, cost, cpu)), v->stall), &v->error) < 0)
		v->failed = 1;
}

static void perturbed_at(struct vcpu *v, int64_t t)
{
	if (t < v->first_perturbed)
		v->first_perturbed = t;
}

void vcpu_pause(struct vcpu *v, int64_t t)
{
	if (!v->running)
		return;
	if (t < v->first_perturbed) {
		v->paused_first = 1;
		v->steps_at_pause = v->steps;
		v->next_at_pause = v->busy_until;
	}
	perturbed_at(v, t);
	v->running = 0;
	v->gen++;
	v->rest = v->busy_until > t ? v->busy_until - t : 0;
}

int vcpu_resume(struct vcpu *v, int64_t t, guest *g, err *e)
{
	v->g = g;
	v->running = 1;
	v->gen++;
	return schedule(v, sat_add(t, v->rest), e);
}

void vcpu_set_throttle(struct vcpu *v, int pct)
{
	v->throttle_pct = pct < 0 ? 0 : pct > 99 ? 99 : pct;
	if (v->throttle_pct)
		perturbed_at(v, des_now(v->q));
}

void vcpu_mark(struct vcpu *v)
{
	v->steps_at_mark = v->steps;
}

uint64_t vcpu_progress(const struct vcpu *v)
{
	return v->steps - v->steps_at_mark;
}

uint64_t vcpu_progress_before(const struct vcpu *v, int64_t t)
{
	uint64_t n = vcpu_progress(v);
	return n && v->last_start >= t ? n - 1 : n;
}

int64_t vcpu_time(const struct vcpu *v)
{
	return sat_add(des_now(v->q), v->stall);
}

void vcpu_block(struct vcpu *v, int64_t ns)
{
	if (ns > 0)
		perturbed_at(v, vcpu_time(v));
	v->stall = sat_add(v->stall, ns);
}

int vcpu_frozen_at_pause(const struct vcpu *v)
{
	return v->paused_first && v->steps == v->steps_at_pause;
}

/* The step in progress at the pause had its effects and its cost already:
 * an undisturbed vCPU starts the next one when that cost ends. */
int vcpu_continue_undisturbed(struct vcpu *v, des *q, guest *g, int64_t end, err *e)
{
	v->q = q;
	v->g = g;
	v->end = end;
	v->throttle_pct = 0;
	v->running = 1;
	v->gen++;
	return schedule(v, v->next_at_pause, e);
}
