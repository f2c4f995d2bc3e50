/*
 * defer_bench — deferred writes against eager ones (issue 23 §3): the 2011
 * experiment's plain pre-copy (scripts/xbzrle2011.lua's `precopy` cell: the
 * calloc loop in a 1 GiB server guest, 32 MiB/s, 30 ms, host-cpus 1) run
 * with the workload's increments applied as they come due
 * (journal_eager_writes, MIGSIM_EAGER_WRITES=1's path) and deferred until a
 * page is read (the default), in interleaved rounds (eager, deferred,
 * eager, ...), each in a forked child timed on its thread's CPU, which a
 * neighbour's load does not stretch. Prints each path's median and
 * min-max, the speed-up (median over median, and its range from the
 * extremes), peak RSS, whether both paths gave the same results, and the
 * target: >= 10x, memory within +10 %.
 *
 *   defer_bench [--timeout DURATION] [--rounds N]
 *
 * By default the experiment's own cell, to its 600 s timeout, 3 rounds:
 * about 3.5 minutes of CPU, most of it the eager path's. A shorter run
 * flatters the ratio: the first pass costs both paths about the same, the
 * rest is where deferring pays less than at the start (measured: 11.6x to
 * 60 s, 8.5x to 600 s before segments stopped re-collapsing). --timeout
 * 60s is for a quick look, not for the target. Always exits 0.
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"
#include "params.h"
#include "run.h"
#include "units.h"

#define TARGET_SPEEDUP 10.0
#define TARGET_RSS     1.10 /* deferred's peak RSS over eager's, at most */
#define MAX_ROUNDS     15

/* What a child reports through its pipe. */
struct outcome {
	int ran;
	char error[512];
	double cpu; /* seconds of run_execute on its thread */
	/* a fingerprint of the results: both paths must give the same */
	uint64_t transferred, handled, syncs, steps, host_bytes;
	int64_t total_time, downtime;
};

struct measured {
	struct outcome o;
	uint64_t rss; /* bytes, the child's peak */
};

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xbzrle2011's precopy cell, as `migsim sweep` builds it. */
static int build_config(struct run_config *c, char *path, size_t n, int64_t timeout, err *e)
{
	run_config_defaults(c);
	snprintf(c->guest, sizeof c->guest, "server");
	snprintf(path, n, "%s/calloc_loop.lua", MIGSIM_WORKLOAD_DIR);
	c->workload_path = path;
	c->ram_bytes = UINT64_C(1) << 30;
	c->timeout = timeout;
	c->warmup = 1000000000;
	c->seed = 1;
	if (units_rate("1Gbit/s", &c->bandwidth, e) < 0 ||
	    params_set(&c->params, "max-bandwidth=32MiB/s", e) < 0 ||
	    params_set(&c->params, "downtime-limit=30ms", e) < 0 ||
	    params_set(&c->params, "host-cpus=1", e) < 0)
		return -1;
	run_negotiate_caps(c);
	return 0;
}

static void child_run(int eager, int64_t timeout, struct outcome *o)
{
	char path[4096];
	struct run_config c;
	struct run_result r;
	err e = {{0}};
	journal_eager_writes(eager);
	if (build_config(&c, path, sizeof path, timeout, &e) < 0) {
		snprintf(o->error, sizeof o->error, "%s", e.msg);
		return;
	}
	double c0 = cpu_s();
	int rc = run_execute(&c, &r, &e);
	o->cpu = cpu_s() - c0;
	if (rc < 0) {
		snprintf(o->error, sizeof o->error, "%s", e.msg);
		return;
	}
	o->ran = 1;
	o->transferred = r.stats.transferred;
	o->handled = r.stats.pages_handled;
	o->syncs = r.stats.dirty_sync_count;
	o->steps = r.guest_steps;
	o->host_bytes = r.host_bytes;
	o->total_time = r.stats.total_time;
	o->downtime = r.stats.downtime;
	run_result_free(&r);
}

/* One run in a child of its own, so that its peak RSS is its own. */
static int measure(int eager, int64_t timeout, struct measured *m)
{
	int fd[2];
	memset(m, 0, sizeof *m);
	if (pipe(fd) < 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fd[0]);
		struct outcome o = {0};
		child_run(eager, timeout, &o);
		_exit(write(fd[1], &o, sizeof o) == (ssize_t)sizeof o ? 0 : 1);
	}
	close(fd[1]);
	ssize_t got = read(fd[0], &m->o, sizeof m->o);
	close(fd[0]);
	struct rusage ru;
	int status;
	if (wait4(pid, &status, 0, &ru) < 0 || got != (ssize_t)sizeof m->o)
		m->o.ran = 0;
	m->rss = (uint64_t)ru.ru_maxrss * 1024;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median, min and max of n values (sorted in place). */
static double median(double *v, int n, double *lo, double *hi)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	*lo = v[0], *hi = v[n - 1];
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int same_results(const struct outcome *a, const struct outcome *b)
{
	return a->transferred == b->transferred && a->handled == b->handled &&
	       a->syncs == b->syncs && a->steps == b->steps && a->host_bytes == b->host_bytes &&
	       a->total_time == b->total_time && a->downtime == b->downtime;
}

int main(int argc, char **argv)
{
	const char *timeout_arg = "600s";
	int rounds = 3;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--timeout"))
			timeout_arg = argv[i + 1];
		else if (!strcmp(argv[i], "--rounds"))
			rounds = atoi(argv[i + 1]);
	}
	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 3;
	int64_t timeout;
	err e = {{0}};
	if (units_duration(timeout_arg, 1000000000, &timeout, &e) < 0) {
		fprintf(stderr, "defer_bench: --timeout: %s\n", e.msg);
		return 0;
	}
	printf("defer_bench: xbzrle2011's precopy cell (calloc loop, 1 GiB server guest, "
	       "32 MiB/s, host-cpus 1) to %s, eager vs deferred writes, %d interleaved rounds, "
	       "thread CPU\n",
	       timeout_arg, rounds);
	double cpu[2][MAX_ROUNDS];
	uint64_t rss[2] = {0, 0};
	struct outcome first[2];
	int same = 1;
	for (int r = 0; r < rounds; r++) {
		for (int eager = 1; eager >= 0; eager--) {
			struct measured m;
			if (measure(eager, timeout, &m) < 0 || !m.o.ran) {
				printf("  round %d, %s: failed: %s\n", r + 1,
				       eager ? "eager" : "deferred", m.o.error);
				return 0;
			}
			cpu[eager][r] = m.o.cpu;
			rss[eager] = m.rss > rss[eager] ? m.rss : rss[eager];
			if (r == 0)
				first[eager] = m.o;
			else
				same &= same_results(&first[eager], &m.o);
			printf("  round %d  %-8s %8.2f s CPU  peak RSS %6.1f MiB\n", r + 1,
			       eager ? "eager" : "deferred", m.o.cpu, (double)m.rss / (1 << 20));
		}
	}
	same &= same_results(&first[0], &first[1]);
	double lo[2], hi[2], med[2];
	for (int k = 0; k < 2; k++)
		med[k] = median(cpu[k], rounds, &lo[k], &hi[k]);
	printf("  eager     median %8.2f s  (min-max %.2f-%.2f)\n", med[1], lo[1], hi[1]);
	printf("  deferred  median %8.2f s  (min-max %.2f-%.2f)\n", med[0], lo[0], hi[0]);
	double speedup = med[0] > 0 ? med[1] / med[0] : 0;
	printf("  speed-up %.1fx (%.1f-%.1fx from the extremes); results %s\n", speedup,
	       hi[0] > 0 ? lo[1] / hi[0] : 0, lo[0] > 0 ? hi[1] / lo[0] : 0,
	       same ? "identical" : "DIFFER");
	double rss_ratio = rss[1] ? (double)rss[0] / (double)rss[1] : 0;
	printf("  target speed-up >= %.0fx: %.1fx  %s\n", TARGET_SPEEDUP, speedup,
	       speedup >= TARGET_SPEEDUP && same ? "met" : "NOT met");
	printf("  target peak RSS <= +%.0f %%: %.1f MiB vs %.1f MiB eager (%+.1f %%)  %s\n",
	       (TARGET_RSS - 1) * 100, (double)rss[0] / (1 << 20), (double)rss[1] / (1 << 20),
	       (rss_ratio - 1) * 100, rss_ratio > 0 && rss_ratio <= TARGET_RSS ? "met" : "NOT met");
	return 0;
}
