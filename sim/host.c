/*
 * host — the migration thread's CPU work on a host it may share with the
 * vCPU (see host.h).
 */
#include "host.h"

#include "sat.h"
#include "vcpu.h"

/* Two threads (the vCPU and the migration thread) share a CPU only when
 * the host has one. */
static int shared(const struct host *h)
{
	return h->cpus == 1;
}

int64_t host_run(const struct host *h, struct vcpu *v, int64_t t, int64_t ns)
{
	if (!shared(h) || ns <= 0)
		return sat_add(t, ns);
	while (ns > 0 && t < INT64_MAX) {
		int64_t busy_end = vcpu_computing_end(v, t);
		if (busy_end <= t) /* the vCPU does not compete */
			return sat_add(t, ns);
		int64_t k = t / h->slice;
		int64_t slice_end = sat_add(t - t % h->slice, h->slice);
		if (k % 2 == 0) { /* the vCPU's turn */
			t = slice_end < busy_end ? slice_end : busy_end;
			continue;
		}
		int64_t run = slice_end - t < ns ? slice_end - t : ns;
		vcpu_steal(v, t, run);
		t = sat_add(t, run);
		ns -= run;
	}
	return t;
}
