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
	*v = (struct vcpu){
	    .q = q, .g = g, .end = end, .first_perturbed = INT64_MAX, .unit_t = INT64_MIN};
	if (w)
		v->progs[v->nprogs++] = (struct vcpu_prog){w, 0};
}

int vcpu_add_program(struct vcpu *v, wl *w, err *e)
{
	if (v->nprogs == VCPU_MAX_PROGRAMS)
		return err_set(e, "a vCPU runs at most %d programs", VCPU_MAX_PROGRAMS);
	v->progs[v->nprogs++] = (struct vcpu_prog){w, 0};
	return 0;
}

static int schedule(struct vcpu *v, int64_t t, err *e)
{
	v->busy_until = t;
	if (t >= v->end)
		return 0;
	return des_schedule(v->q, t, on_step, v, v->gen, e);
}

/* The program whose step is due first (the main one on a tie), or -1. */
static int next_program(const struct vcpu *v)
{
	int best = -1;
	for (size_t i = 0; i < v->nprogs; i++)
		if (best < 0 || v->progs[i].due < v->progs[best].due)
			best = (int)i;
	return best;
}

/* The next step starts when the vCPU is free and a program is due. */
static int schedule_next(struct vcpu *v, err *e)
{
	int i = next_program(v);
	int64_t due = i < 0 ? v->free_at : v->progs[i].due;
	return schedule(v, due > v->free_at ? due : v->free_at, e);
}

int vcpu_start(struct vcpu *v, int64_t t, err *e)
{
	v->running = 1;
	v->gen++;
	v->free_at = t;
	for (size_t i = 0; i < v->nprogs; i++)
		v->progs[i].due = t;
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
static int64_t computing(const struct vcpu *v, int64_t cpu)
{
	if (v->throttle_pct <= 0)
		return cpu;
	return sat_ns((double)cpu * 100.0 / (double)(100 - v->throttle_pct));
}

static void at_unit(void *ctx, int64_t t)
{
	struct vcpu *v = ctx;
	v->unit_t = t;
}

/* The step's writes not applied yet reach the guest now, in order. On a
 * guest with missing pages (post-copy's destination), unit by unit: the
 * fault handler reads each one's time (vcpu_time) and blocks the vCPU. */
static int land(struct vcpu *v, err *e)
{
	int faults = guest_missing_pages(v->g) > 0;
	int rc = 0;
	for (size_t i = 0; i < v->nprogs && rc == 0; i++)
		rc = journal_apply(wl_journal(v->progs[i].w), v->g, INT64_MAX,
				   faults ? at_unit : NULL, v, e);
	v->unit_t = INT64_MIN;
	return rc;
}

/* Runs a step of program i at `now`. The vCPU computes it, then is free
 * for another program's step; the program's own next step comes after its
 * cost (its timer, or the work it waits for). The step's writes are spread
 * over the time it computes (sim/journal.h): while the migration reads
 * this guest (vcpu_watch) they wait there for its clock (vcpu_settle);
 * otherwise they land at once. With one program this is a step every
 * max(cost, computing) plus its stalls, as before programs were several. */
static int run_step(struct vcpu *v, size_t i, int64_t now, err *e)
{
	struct vcpu_prog *p = &v->progs[i];
	int64_t cost = 0, cpu = 0;
	if (land(v, e) < 0 || wl_step(p->w, v->g, now, &cost, &cpu, e) < 0)
		return -1;
	v->cpu_sum = sat_add(v->cpu_sum, cpu);
	v->cost_sum = sat_add(v->cost_sum, cost);
	int64_t busy = computing(v, cpu);
	v->compute_end = sat_add(now, busy);
	v->cur = i;
	journal_schedule(wl_journal(p->w), now, busy);
	if (!v->watched && land(v, e) < 0)
		return -1;
	p->due = sat_add(sat_add(now, busy > cost ? busy : cost), v->stall);
	v->free_at = sat_add(v->compute_end, v->stall);
	return schedule_next(v, e);
}

static void on_step(void *ctx, uint64_t tag)
{
	struct vcpu *v = ctx;
	if (!v->running || tag != v->gen || v->failed)
		return;
	int i = next_program(v);
	if (i < 0)
		return;
	int64_t now = des_now(v->q);
	v->all_steps++;
	if (i == 0) {
		v->steps++;
		v->last_start = now;
	}
	v->stall = 0;
	if (run_step(v, (size_t)i, now, &v->error) < 0)
		v->failed = 1;
}

/* After a pause: the rest of the interrupted step's writes, then the next
 * step when it is due. */
static void on_resume(void *ctx, uint64_t tag)
{
	struct vcpu *v = ctx;
	if (!v->running || tag != v->gen || v->failed)
		return;
	v->stall = 0;
	v->landed_after_pause = 1; /* on the guest it resumed on */
	if (land(v, &v->error) < 0)
		v->failed = 1;
	else {
		int64_t late = v->stall; /* the rest waits for the faults */
		v->free_at = sat_add(v->free_at, late);
		for (size_t i = 0; i < v->nprogs; i++)
			v->progs[i].due = sat_add(v->progs[i].due, late);
		if (schedule_next(v, &v->error) < 0)
			v->failed = 1;
	}
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
		v->all_steps_at_pause = v->all_steps;
		v->next_at_pause = v->busy_until;
		v->free_at_pause = v->free_at;
		for (size_t i = 0; i < v->nprogs; i++)
			v->due_at_pause[i] = v->progs[i].due;
	}
	perturbed_at(v, t);
	v->running = 0;
	v->watched = 0;
	v->gen++;
	v->rest = v->busy_until > t ? v->busy_until - t : 0;
	v->paused_at = t;
}

/* What was due after the pause is due as long after the resume. */
static int64_t resumed(int64_t x, int64_t paused, int64_t t)
{
	return sat_add(t, x > paused ? x - paused : 0);
}

int vcpu_resume(struct vcpu *v, int64_t t, guest *g, err *e)
{
	v->g = g;
	v->running = 1;
	v->gen++;
	v->free_at = resumed(v->free_at, v->paused_at, t);
	int pending = 0;
	for (size_t i = 0; i < v->nprogs; i++) {
		journal *j = wl_journal(v->progs[i].w);
		v->progs[i].due = resumed(v->progs[i].due, v->paused_at, t);
		journal_shift(j, t - v->paused_at);
		pending |= journal_next_due(j) != INT64_MAX;
	}
	if (pending)
		return des_schedule(v->q, t, on_resume, v, v->gen, e);
	if (!v->nprogs)
		return schedule(v, sat_add(t, v->rest), e);
	return schedule_next(v, e);
}

void vcpu_watch(struct vcpu *v)
{
	v->watched = 1;
}

/* A step that computes to its end is followed at once by the next one,
 * which computes too: such a vCPU does not let go of the CPU. */
int64_t vcpu_computing_end(const struct vcpu *v, int64_t t)
{
	if (!v->running || !v->watched || t < v->last_start)
		return t;
	if (v->compute_end >= v->busy_until)
		return INT64_MAX;
	return t < v->compute_end ? v->compute_end : t;
}

void vcpu_steal(struct vcpu *v, int64_t t, int64_t ns)
{
	if (ns <= 0 || vcpu_computing_end(v, t) <= t)
		return;
	err e;
	if (vcpu_settle(v, t, &e) < 0) /* what it wrote until t stays before t */
		return;
	perturbed_at(v, t);
	v->compute_end = sat_add(v->compute_end, ns);
	v->free_at = sat_add(v->free_at, ns);
	if (!v->nprogs)
		return;
	struct vcpu_prog *p = &v->progs[v->cur];
	journal_shift(wl_journal(p->w), ns);
	if (p->due < v->compute_end) /* its halted rest cannot absorb it all */
		p->due = v->compute_end;
	int64_t before = v->busy_until;
	int i = next_program(v);
	int64_t next = v->progs[i].due > v->free_at ? v->progs[i].due : v->free_at;
	if (next == before)
		return;
	v->gen++;
	if (schedule(v, next, &v->error) < 0)
		v->failed = 1;
}

int vcpu_settle(struct vcpu *v, int64_t t, err *e)
{
	if (!v->watched)
		return 0;
	for (size_t i = 0; i < v->nprogs; i++) {
		journal *j = wl_journal(v->progs[i].w);
		if (journal_next_due(j) <= t && journal_apply(j, v->g, t, NULL, NULL, e) < 0) {
			v->failed = 1;
			v->error = *e;
			return -1;
		}
	}
	return 0;
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
	int64_t now = des_now(v->q);
	return sat_add(v->unit_t > now ? v->unit_t : now, v->stall);
}

void vcpu_block(struct vcpu *v, int64_t ns)
{
	if (ns > 0)
		perturbed_at(v, vcpu_time(v));
	v->stall = sat_add(v->stall, ns);
}

/* No step of any program since the pause. The writes of the step the pause
 * cut short may have landed on the destination after a resume, not on the
 * paused guest: that matters only to a program that reads bytes back. */
int vcpu_frozen_at_pause(const struct vcpu *v)
{
	int reads = 0;
	for (size_t i = 0; i < v->nprogs; i++)
		reads |= wl_reads_bytes(v->progs[i].w);
	return v->paused_first && v->all_steps == v->all_steps_at_pause &&
	       !(v->landed_after_pause && reads);
}

/* The step in progress at the pause had its cost already, and its writes
 * (those still waiting land now): an undisturbed vCPU starts the next one
 * when that cost ends. */
int vcpu_continue_undisturbed(struct vcpu *v, des *q, guest *g, int64_t end, err *e)
{
	v->q = q;
	v->g = g;
	v->end = end;
	v->throttle_pct = 0;
	v->running = 1;
	v->watched = 0;
	v->gen++;
	v->free_at = v->free_at_pause; /* as before a resume moved them */
	for (size_t i = 0; i < v->nprogs; i++)
		v->progs[i].due = v->due_at_pause[i];
	if (land(v, e) < 0)
		return -1;
	return schedule(v, v->next_at_pause, e);
}
