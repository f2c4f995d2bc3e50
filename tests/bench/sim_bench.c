/*
 * sim_bench — the simulator end to end (issue 7): fixed migration scenarios
 * run through run_execute, each printing wall time, simulated time per wall
 * second, pages sent per wall second by type (zero, normal, XBZRLE), the
 * pages whose bytes were read apart from those answered from metadata, and
 * peak RSS, then a scaling table of one workload over guest sizes, with
 * every issue target printed next to the measured figure.
 *
 * Each scenario runs in a forked child: its peak RSS is the child's own
 * (wait4's ru_maxrss), not the high-water mark of every earlier scenario,
 * and a scenario that exceeds its wall-time budget is killed and reported.
 * A scenario that runs in under a second is run five times and the run of
 * median wall time reported.
 *
 *   sim_bench [--timeout SECONDS] [NAME...]
 *
 * NAME is a scenario number (1-6; 5 is an XBZRLE-heavy run for the
 * encoder-speed target, which it runs five times to 3 s and to 9 s, each
 * pair followed by the encoder alone, all on thread CPU time, and judges on
 * the median share of the sends between the two: the per-page cost,
 * without what every run pays once; 6 is the run the read-page target is
 * judged on, a first pass of pages with stored bytes) or "scale"; none
 * runs everything.
 * SIM_BENCH_QUICK=1 runs the scaling table at 1, 4 and 16 GiB only.
 * Figures depend on the machine and its load; the bench always exits 0.
 */
/* wait4, for the rusage of one child (not all children so far). */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"
#include "run.h"
#include "units.h"
#include "wl.h"
#include "xbzrle.h"

#define GiB		 (UINT64_C(1) << 30)
#define MAX_WL		 4
#define MAX_PARAMS	 4
#define DEFAULT_TIMEOUT	 300.0
#define TARGET_READ	 1e6 /* sends of pages whose bytes were read, per wall second */
#define READ_SHARE_MIN	 0.5 /* of the sends, for a run to judge TARGET_READ on */
#define TARGET_S4_WALL	 120.0
#define TARGET_S4_RSS	 (6 * GiB)
#define TARGET_META	 8.0  /* bytes of page metadata per guest page */
#define TARGET_XBZ_SHARE 0.70 /* of the encoder's own speed on the same pages */
#define XBZ_ROUNDS	 5    /* runs the XBZRLE share is the median of */
#define SHORT_RUN	 1.0  /* seconds: a run under this is repeated */
#define SHORT_REPEATS	 5    /* times, and the median one reported */

/* The page pairs the encoder reference is timed on: the kind of change the
 * scenario's XBZRLE pages carry. */
enum pairs { PAIRS_NONE, PAIRS_CALLOC, PAIRS_RANDOM };

struct scenario {
	const char *id; /* what the command line selects it by */
	const char *title;
	const char *workload;
	uint64_t ram;
	const char *bandwidth;
	const char *caps;     /* caps_parse_list form, NULL for none */
	const char *postcopy; /* postcopy_parse form, NULL for none */
	const char *params[MAX_PARAMS];
	struct wl_override wl[MAX_WL];
	const char *timeout, *warmup; /* NULL: run's defaults */
	const char *longer; /* XBZRLE target: the same run to this timeout, for the sends between */
	const char *source; /* a workload of the bench's own, Lua source; NULL: workloads/ */
	enum pairs pairs;
	unsigned pair_pages;   /* pages the scenario sends as deltas: the reference's pairs */
	double updates_per_s;  /* PAIRS_RANDOM: the workload's page updates per second */
	unsigned update_bytes; /* and bytes changed by each */
};

/* What a child reports to its parent through a pipe. */
struct outcome {
	int ran;       /* run_execute returned 0 */
	int completed; /* the migration completed */
	char error[512];
	double wall;	/* seconds */
	int64_t sim_ns; /* warm-up plus migration */
	uint64_t zero, normal, xbzrle, handled;
	uint64_t read; /* pages sent whose bytes were read (mig_stats.pages_read) */
	double cpu;    /* seconds of CPU run_execute took (its thread's) */
	uint64_t host_bytes, pages;
	double warmup_wall; /* seconds the workload alone took for the warm-up; < 0 not measured */
};

struct measured {
	struct outcome o;
	int cut;	   /* killed at the timeout */
	int crashed;	   /* the child died otherwise */
	uint64_t rss;	   /* bytes, peak */
	double wall_total; /* seconds from fork to reap */
};

static const struct scenario scenarios[] = {
    {.id = "1",
     .title = "calloc_loop, 4 GiB, 1 Gbit/s, XBZRLE",
     .workload = "calloc_loop",
     .ram = 4 * GiB,
     .bandwidth = "1Gbit/s",
     .caps = "xbzrle",
     .pairs = PAIRS_CALLOC,
     .pair_pages = 4096}, /* the 16 MiB buffer */
    {.id = "2",
     .title = "page_rewrite, 16 GiB, 8 GiB working set, 10 Gbit/s, auto-converge",
     .workload = "page_rewrite",
     .ram = 16 * GiB,
     .bandwidth = "10Gbit/s",
     .caps = "auto-converge",
     .wl = {{"working_set", "8GiB"}}},
    {.id = "3",
     .title = "sparse_update, 64 GiB, 10 Gbit/s, XBZRLE with a 1 GiB cache",
     .workload = "sparse_update",
     .ram = 64 * GiB,
     .bandwidth = "10Gbit/s",
     .caps = "xbzrle",
     .params = {"xbzrle-cache-size=1GiB"},
     .pairs = PAIRS_RANDOM,
     .pair_pages = 131072,  /* the default 512 MiB data set */
     .updates_per_s = 5000, /* the workload's defaults */
     .update_bytes = 8},
    {.id = "4",
     .title = "page_rewrite, 1 TiB, 2 GiB working set, 25 Gbit/s, post-copy after the first pass",
     .workload = "page_rewrite",
     .ram = 1024 * GiB,
     .bandwidth = "25Gbit/s",
     .postcopy = "after-first-pass",
     .wl = {{"working_set", "2GiB"}}},
    /* Not one of issue 7's four: a run made of XBZRLE sends, for the target
     * that holds them against the encoder's own speed. 16384 pages updated
     * 4 M times a second, so the 1 ms limit is never met and every pass
     * resends the updated pages as deltas until the timeout. */
    {.id = "5",
     .title = "sparse_update, 1 GiB, 64 MiB data set, 4 M 1-byte updates/s, 1 Gbit/s, XBZRLE, "
	      "1 ms limit, 3 s",
     .workload = "sparse_update",
     .ram = GiB,
     .bandwidth = "1Gbit/s",
     .caps = "xbzrle",
     .params = {"xbzrle-cache-size=1GiB", "downtime-limit=1ms"},
     .wl = {{"data_set", "64MiB"}, {"updates_per_second", "4000000"}, {"bytes_per_update", "1"}},
     .timeout = "3s",
     .longer = "9s",
     .warmup = "100ms",
     .pairs = PAIRS_RANDOM,
     .pair_pages = 16384, /* the 64 MiB data set */
     .updates_per_s = 4e6,
     .update_bytes = 1},
    /* Not one of issue 7's four either: the read-page target's run. In
     * scenarios 1 and 3 under 2 % of the sends read their page bytes (the
     * rest are zero or procedural pages answered from metadata) and the
     * wall time is theirs and the guest's, so a rate of read pages per wall
     * second there says little about reading them. Here 1 GiB of pages
     * holds stored bytes (8 random bytes each, written at init) and the
     * guest then idles, so the migration's first pass is made of pages
     * whose bytes the zero test reads and the destination gets copied. */
    {.id = "6",
     .title = "1 GiB of stored pages, idle guest, 2 GiB, 10 Gbit/s, max-bandwidth lifted",
     .workload = "stored_idle",
     .source = "return {\n"
	       "  name = 'stored_idle',\n"
	       "  description = 'sim_bench: 1 GiB of stored pages, then idle',\n"
	       "  regions = { { name = 'data', size = '1GiB' } },\n"
	       "  init = function(mem, p) mem.data:write_random(0, mem.data.pages, 8) end,\n"
	       "  step = function(mem, p) return 10000000 end,\n"
	       "}\n",
     .ram = 2 * GiB,
     .bandwidth = "10Gbit/s",
     .params = {"max-bandwidth=0"},
     .warmup = "10ms"},
};

/* The scaling table: sparse_update with a fixed 512 MiB data set, so what
 * grows with the guest is only the untouched (zero) RAM. */
static const uint64_t scale_gib[] = {1, 4, 16, 64, 256};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of the calling thread: what a neighbour's load cannot
 * stretch (the XBZRLE share compares two of them). */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t count_wl(const struct scenario *s)
{
	size_t n = 0;
	while (n < MAX_WL && s->wl[n].name)
		n++;
	return n;
}

/* A workload of the bench's own written to path, for child_run to remove
 * after the run; nothing left behind on failure. */
static int write_source(const char *source, const char *path, err *e)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return err_set(e, "sim_bench: cannot write %s", path);
	int bad = fputs(source, f) < 0;
	if (fclose(f) == 0 && !bad)
		return 0;
	remove(path);
	return err_set(e, "sim_bench: cannot write %s", path);
}

/* The run_config `migsim run` would build from the same options. */
static int build_config(const struct scenario *s, char *path, size_t npath, struct run_config *c,
			err *e)
{
	run_config_defaults(c);
	/* The scenarios are issue 7's, made before a guest OS ran under the
	 * workload by default: its 70 % of RAM and background writes would
	 * change what each one measures. */
	snprintf(c->guest, sizeof c->guest, "bare");
	if (s->source) /* the child's own file, written last (write_source) */
		snprintf(path, npath, "/tmp/sim_bench-%s-%ld.lua", s->workload, (long)getpid());
	else
		snprintf(path, npath, "%s/%s.lua", MIGSIM_WORKLOAD_DIR, s->workload);
	c->workload_path = path;
	c->wl_params = s->wl;
	c->n_wl_params = count_wl(s);
	c->ram_bytes = s->ram;
	if (units_rate(s->bandwidth, &c->bandwidth, e) < 0)
		return -1;
	if (s->timeout && units_duration(s->timeout, 1000000000, &c->timeout, e) < 0)
		return -1;
	if (s->warmup && units_duration(s->warmup, 1000000000, &c->warmup, e) < 0)
		return -1;
	for (size_t i = 0; i < MAX_PARAMS && s->params[i]; i++)
		if (params_set(&c->params, s->params[i], e) < 0)
			return -1;
	if (s->caps && caps_parse_list(s->caps, &c->caps_requested, e) < 0)
		return -1;
	if (s->postcopy) {
		if (postcopy_parse(s->postcopy, &c->postcopy, e) < 0)
			return -1;
		c->caps_requested |= CAP_POSTCOPY_RAM;
	}
	run_negotiate_caps(c);
	return s->source ? write_source(s->source, path, e) : 0;
}

/* Times the workload alone, init included, on a fresh guest of the run's
 * configuration, for the warm-up's span of guest time: o->warmup_wall, the
 * part of a run's wall time that is the guest program's rather than the
 * migration's (-1 when it could not be timed). Alone it has the caches to
 * itself, so this is if anything an underestimate. */
static void time_warmup_alone(const struct run_config *c, struct outcome *o, err *e)
{
	struct guest_config gc = {
	    .ram_bytes = c->ram_bytes, .page_size = c->page_size, .content_seed = c->seed};
	struct wl_config wc = {.path = c->workload_path,
			       .params = c->wl_params,
			       .n_params = c->n_wl_params,
			       .seed = c->seed,
			       .ram_bytes = c->ram_bytes,
			       .page_size = c->page_size};
	guest *g = NULL;
	wl *w = NULL;
	double t0 = now_s();
	o->warmup_wall = -1;
	if (guest_new(&g, &gc, e) == 0 && wl_open(&w, &wc, e) == 0 && wl_init(w, g, e) == 0) {
		int64_t t = 0, cost = 0;
		while (t < c->warmup && wl_step(w, g, t, &cost, NULL, e) == 0 &&
		       journal_flush(wl_journal(w), g, e) == 0)
			t += cost;
		if (t >= c->warmup)
			o->warmup_wall = now_s() - t0;
	}
	wl_free(w);
	guest_free(g);
}

/* n per second of the run's wall time less `part` seconds of it (timed
 * alone); -1 when part was not measured or leaves nothing. */
static double rate_without(uint64_t n, const struct outcome *o, double part)
{
	double rest = o->wall - part;
	return part >= 0 && rest > 0 ? (double)n / rest : -1;
}

/* Runs configuration c and records its figures in o. */
static void run_recorded(const struct run_config *c, struct outcome *o)
{
	struct run_result r;
	err e = {{0}};
	double t0 = now_s(), c0 = cpu_s();
	int rc = run_execute(c, &r, &e);
	o->cpu = cpu_s() - c0;
	o->wall = now_s() - t0;
	if (rc < 0) {
		snprintf(o->error, sizeof o->error, "%s", e.msg);
		return;
	}
	o->ran = 1;
	o->completed = r.status == MIG_STATUS_COMPLETED;
	snprintf(o->error, sizeof o->error, "%s", r.error);
	o->sim_ns = c->warmup + r.stats.total_time;
	o->zero = r.stats.duplicate;
	o->normal = r.stats.normal;
	o->xbzrle = r.stats.xbzrle.pages;
	o->handled = r.stats.pages_handled;
	o->read = r.stats.pages_read;
	o->host_bytes = r.host_bytes;
	o->pages = c->ram_bytes / c->page_size;
	run_result_free(&r);
	time_warmup_alone(c, o, &e);
}

static void child_run(const struct scenario *s, struct outcome *o)
{
	char path[4096];
	struct run_config c;
	err e = {{0}};
	if (build_config(s, path, sizeof path, &c, &e) < 0) {
		snprintf(o->error, sizeof o->error, "%s", e.msg);
		return;
	}
	run_recorded(&c, o);
	if (s->source)
		remove(path); /* the file build_config wrote */
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Waits for the child, killing it once `timeout` wall seconds have passed. */
static int reap(pid_t pid, double timeout, struct measured *m)
{
	double t0 = now_s();
	struct rusage ru;
	int status;
	for (;;) {
		pid_t w = wait4(pid, &status, WNOHANG, &ru);
		if (w == pid)
			break;
		if (w < 0)
			return -1;
		if (!m->cut && now_s() - t0 > timeout) {
			kill(pid, SIGKILL);
			m->cut = 1;
		}
		struct timespec nap = {0, 20 * 1000 * 1000};
		nanosleep(&nap, NULL);
	}
	m->wall_total = now_s() - t0;
	m->rss = (uint64_t)ru.ru_maxrss * 1024; /* KiB on Linux */
	m->crashed = !m->cut && !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

static int measure(const struct scenario *s, double timeout, struct measured *m)
{
	memset(m, 0, sizeof *m);
	int fds[2];
	fflush(stdout);
	if (pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		struct outcome o;
		memset(&o, 0, sizeof o);
		child_run(s, &o);
		_exit(write_all(fds[1], &o, sizeof o) < 0 ? 1 : 0);
	}
	close(fds[1]);
	/* The child writes once, at its end: reading first would block past
	 * the timeout, so reap, then read what is in the pipe. */
	int rc = reap(pid, timeout, m);
	if (rc == 0 && !m->cut && read(fds[0], &m->o, sizeof m->o) != (ssize_t)sizeof m->o)
		m->crashed = 1;
	close(fds[0]);
	return rc;
}

static double per_wall(uint64_t n, const struct measured *m)
{
	return m->o.wall > 0 ? (double)n / m->o.wall : 0;
}

static const char *verdict(int ok)
{
	return ok ? "met" : "NOT met";
}

static void print_measured(const struct scenario *s, const struct measured *m, double timeout)
{
	printf("\n[%s] %s\n", s->id, s->title);
	if (m->cut) {
		printf("  CUT at the %.0f s wall timeout; peak RSS %.2f GiB so far\n", timeout,
		       (double)m->rss / (double)GiB);
		return;
	}
	if (m->crashed) {
		printf("  the child died (peak RSS %.2f GiB)\n", (double)m->rss / (double)GiB);
		return;
	}
	const struct outcome *o = &m->o;
	if (!o->ran) {
		printf("  could not run: %s\n", o->error);
		return;
	}
	double sim = (double)o->sim_ns / 1e9;
	printf("  migration %s%s%s\n",
	       o->completed ? "completed" : "FAILED: ", o->completed ? "" : o->error, "");
	printf("  wall %.2f s, simulated %.2f s, simulated/wall %.2f, peak RSS %.2f GiB\n", o->wall,
	       sim, o->wall > 0 ? sim / o->wall : 0, (double)m->rss / (double)GiB);
	printf("  pages sent per wall second: zero %.3g, normal %.3g, xbzrle %.3g "
	       "(counts %llu, %llu, %llu)\n",
	       per_wall(o->zero, m), per_wall(o->normal, m), per_wall(o->xbzrle, m),
	       (unsigned long long)o->zero, (unsigned long long)o->normal,
	       (unsigned long long)o->xbzrle);
	printf("  pages sent whose bytes were read: %llu, %.3g per wall second (%.2f GB/s of page "
	       "bytes); answered from metadata: %llu, %.3g per wall second\n",
	       (unsigned long long)o->read, per_wall(o->read, m), per_wall(o->read, m) * 4096 / 1e9,
	       (unsigned long long)(o->handled - o->read), per_wall(o->handled - o->read, m));
	printf("  source model %.3f host bytes per guest page (metadata + materialised)\n",
	       o->pages ? (double)o->host_bytes / (double)o->pages : 0);
}

/* The rate of sends whose page bytes were read, and whether it meets the
 * target. Pages answered from their metadata (a ZERO page's kind, a
 * procedural page copied by seed and version) cost no memory traffic and
 * would flatter any rate per page (a 1 TiB guest's tens of millions a
 * second are beyond any memory system), so they are left out of it. */
static void print_send_target(const struct measured *m)
{
	if (!m->o.ran || m->cut || m->o.xbzrle > m->o.zero + m->o.normal)
		return; /* a run of deltas: the XBZRLE target speaks for it */
	if (m->o.read < 10000) {
		printf("  target >= %.0f M sends/s of pages read: not measured (%llu pages read)\n",
		       TARGET_READ / 1e6, (unsigned long long)m->o.read);
		return;
	}
	double share = m->o.handled ? (double)m->o.read / (double)m->o.handled : 0;
	if (share < READ_SHARE_MIN) {
		printf("  target >= %.0f M sends/s of pages read: not judged here (%.1f %% of the "
		       "sends read their bytes: the wall time is mostly the other pages' and the "
		       "guest's; scenario 6 is the read pages' run)\n",
		       TARGET_READ / 1e6, share * 100);
		return;
	}
	/* The warm-up (here the workload's init writing the pages) is the
	 * guest's, not the migration's: judged per second of the migration when
	 * it could be timed alone. */
	double mig = rate_without(m->o.read, &m->o, m->o.warmup_wall);
	double rate = mig >= 0 ? mig : per_wall(m->o.read, m);
	if (mig >= 0)
		printf("  (the warm-up, timed alone, took %.2f s of the %.2f s)\n",
		       m->o.warmup_wall, m->o.wall);
	printf("  target >= %.0f M sends/s of pages read, per second of the %s: %.2f M  %s\n",
	       TARGET_READ / 1e6, mig >= 0 ? "migration" : "run", rate / 1e6,
	       verdict(rate >= TARGET_READ));
}

/* k bytes of a page changed at random offsets to random values, as the
 * guest's write_random does (a value may equal the old one). */
static void change_random(uint8_t *page, unsigned k, uint64_t *state)
{
	for (unsigned i = 0; i < k; i++) {
		uint64_t x = (*state += UINT64_C(0x9e3779b97f4a7c15));
		x = (x ^ (x >> 31)) * UINT64_C(0xbf58476d1ce4e5b9);
		x ^= x >> 29;
		page[x & (4096 - 1)] = (uint8_t)(x >> 32);
	}
}

/* Fills the pairs the encoder reference is timed on. */
static void make_pairs(uint8_t *olds, uint8_t *news, size_t n, enum pairs kind, unsigned k)
{
	enum { PS = 4096 };
	uint64_t state = 7;
	for (size_t p = 0; p < n; p++) {
		uint8_t *o = olds + p * PS, *w = news + p * PS;
		if (kind == PAIRS_CALLOC) {
			memset(o, 0, PS);
			memcpy(w, o, PS);
			for (size_t i = 0; i < 4; i++)
				w[i * 1024] = 1;
			continue;
		}
		for (size_t i = 0; i < PS; i++) {
			state = state * UINT64_C(6364136223846793005) + 1442695040888963407u;
			o[i] = (uint8_t)(state >> 56) | 1;
		}
		memcpy(w, o, PS);
		change_random(w, k, &state);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* xbz_encode pages per CPU second over n pairs of the scenario's kind of
 * change, as many as the pages it sends as deltas, so the loads come from
 * as far (cache or memory) as the simulator's do; the median of 5
 * repetitions of about 0.2 s of this thread's CPU each. */
static double encoder_rate(enum pairs kind, unsigned k, size_t n)
{
	enum { PS = 4096, REPS = 5 };
	uint8_t *olds = malloc(n * PS), *news = malloc(n * PS), *out = malloc(PS);
	double rates[REPS] = {0};
	if (olds && news && out) {
		make_pairs(olds, news, n, kind, k);
		for (int r = 0; r < REPS; r++) {
			long sum = 0;
			uint64_t pages = 0;
			double t0 = cpu_s(), t;
			do {
				for (size_t p = 0; p < n; p++)
					sum +=
					    xbz_encode(olds + p * PS, news + p * PS, PS, out, PS);
				pages += n;
			} while ((t = cpu_s() - t0) < 0.2);
			rates[r] = sum > 0 ? (double)pages / t : 0;
		}
	}
	free(olds);
	free(news);
	free(out);
	return median_of(rates, REPS);
}

/* Bytes changed on a page between two of its XBZRLE sends: the workload's
 * updates over the run spread over the pages sent as deltas (an estimate:
 * it counts the updates of the warm-up and the first pass too). */
static unsigned changed_per_send(const struct scenario *s, const struct outcome *o)
{
	if (s->pairs == PAIRS_CALLOC)
		return 4;
	double updates = s->updates_per_s * (double)o->sim_ns / 1e9;
	double k = updates * s->update_bytes / (double)o->xbzrle;
	return k < 1 ? 1 : (unsigned)(k + 0.5);
}

/* The XBZRLE sends of one round per CPU second of the run (run_execute's
 * thread, everything in: the guest program, the model, the encoder): over
 * the whole run (`whole`), and between the run and the same run taken
 * further (`marginal`: the extra sends over the extra CPU time, which
 * leaves out what any run pays once: the warm-up's and the first pass's
 * work, the first touch of the stores and the cache, the process). -1
 * where not measured. Nothing timed apart is subtracted: each send runs
 * the encoder on a pair of the kind the encoder alone is timed on, so the
 * share of the encoder's speed cannot pass 100 % but by noise. */
struct xbz_rates {
	double whole, marginal;
};

static struct xbz_rates xbz_rates(const struct measured *run, const struct measured *longer)
{
	struct xbz_rates r = {-1, -1};
	double cpu = run->o.cpu;
	if (cpu > 0)
		r.whole = (double)run->o.xbzrle / cpu;
	double more = longer ? longer->o.cpu - cpu : -1;
	if (cpu > 0 && more > 0 && longer->o.xbzrle > run->o.xbzrle)
		r.marginal = (double)(longer->o.xbzrle - run->o.xbzrle) / more;
	return r;
}

/* Runs scenario s again (to s->longer instead of its timeout when `longer`
 * is set); 0 when it ran and sent `xbzrle` deltas, as runs are
 * deterministic, else -1 with the reason printed. */
static int rerun(const struct scenario *s, int longer, double timeout, uint64_t xbzrle, int round,
		 struct measured *m)
{
	struct scenario t = *s;
	if (longer)
		t.timeout = s->longer;
	if (measure(&t, timeout, m) < 0 || !m->o.ran || m->cut || m->crashed ||
	    (xbzrle && m->o.xbzrle != xbzrle)) {
		printf("  round %d: the %s run did not %s (%llu xbzrle sends)\n", round,
		       longer ? "longer" : "", xbzrle ? "repeat" : "run",
		       (unsigned long long)m->o.xbzrle);
		return -1;
	}
	return 0;
}

/* The XBZRLE target: XBZRLE sends against the encoder alone on as many
 * pairs of the same kind, both on thread CPU time and in one interleaved
 * loop (run, longer run, encoder; again), so both come from the same
 * minute of a machine whose speed drifts and the share is bounded by
 * construction (xbz_rates). The target is on the simulator's per-page
 * cost, so a scenario with a longer run is judged on the marginal rate;
 * the whole run's rate is shown too. Each figure is the median of
 * XBZ_ROUNDS rounds, with the lowest and highest. */
static void print_xbzrle_target(const struct scenario *s, const struct measured *first,
				double timeout)
{
	if (s->pairs == PAIRS_NONE || !first->o.ran || first->cut)
		return;
	if (first->o.xbzrle < 10000) {
		printf("  target xbzrle sends >= %.0f %% of the encoder's speed: not measured "
		       "(%llu XBZRLE pages)\n",
		       TARGET_XBZ_SHARE * 100, (unsigned long long)first->o.xbzrle);
		return;
	}
	unsigned k = changed_per_send(s, &first->o);
	printf("  encoder alone on the same kind of pages: %u bytes changed, %u pairs (%u MiB); "
	       "%d rounds of the run%s, each followed by the encoder\n",
	       k, s->pair_pages, s->pair_pages / 128, XBZ_ROUNDS,
	       s->longer ? " and of it taken further" : "");
	double whole[XBZ_ROUNDS], marginal[XBZ_ROUNDS];
	int nw = 0, nm = 0;
	uint64_t longer_sends = 0;
	for (int r = 1; r <= XBZ_ROUNDS; r++) {
		struct measured again, more;
		const struct measured *m = first;
		if (r > 1 && rerun(s, 0, timeout, first->o.xbzrle, r, &again) < 0)
			break;
		if (r > 1)
			m = &again;
		if (s->longer && rerun(s, 1, timeout, longer_sends, r, &more) < 0)
			break;
		longer_sends = s->longer ? more.o.xbzrle : 0;
		struct xbz_rates x = xbz_rates(m, s->longer ? &more : NULL);
		double enc = encoder_rate(s->pairs, k, s->pair_pages);
		if (enc <= 0 || x.whole < 0) {
			printf("  round %d: not measured (the %s could not be timed)\n", r,
			       enc <= 0 ? "encoder" : "run");
			continue;
		}
		printf("  round %d: CPU %.2f s (wall %.2f s): %.3g xbzrle sends per CPU second "
		       "(%.1f %%)",
		       r, m->o.cpu, m->o.wall, x.whole, x.whole / enc * 100);
		whole[nw++] = x.whole / enc;
		if (x.marginal > 0) {
			printf("; to %s: CPU %.2f s, %.3g more sends at %.3g/s (%.1f %%)",
			       s->longer, more.o.cpu, (double)(more.o.xbzrle - m->o.xbzrle),
			       x.marginal, x.marginal / enc * 100);
			marginal[nm++] = x.marginal / enc;
		}
		printf("; encoder %.3g pages/s\n", enc);
	}
	if (nw == 0 || (s->longer && nm == 0)) {
		printf("  target xbzrle sends >= %.0f %% of the encoder's speed: not measured\n",
		       TARGET_XBZ_SHARE * 100);
		return;
	}
	double w = median_of(whole, nw); /* sorts: whole[0] is the lowest */
	if (!s->longer) {
		printf("  target xbzrle sends >= %.0f %% of the encoder's speed: %.1f %% (median "
		       "of %d; %.1f to %.1f %%)  %s\n",
		       TARGET_XBZ_SHARE * 100, w * 100, nw, whole[0] * 100, whole[nw - 1] * 100,
		       verdict(w >= TARGET_XBZ_SHARE));
		return;
	}
	double mg = median_of(marginal, nm);
	printf("  (over the whole %s run, fixed costs in: %.1f %%, median of %d; %.1f to %.1f "
	       "%%)\n",
	       s->timeout, w * 100, nw, whole[0] * 100, whole[nw - 1] * 100);
	printf("  target xbzrle sends >= %.0f %% of the encoder's speed, per page (the sends "
	       "between the %s and the %s run): %.1f %% (median of %d; %.1f to %.1f %%)  %s\n",
	       TARGET_XBZ_SHARE * 100, s->timeout, s->longer, mg * 100, nm, marginal[0] * 100,
	       marginal[nm - 1] * 100, verdict(mg >= TARGET_XBZ_SHARE));
}

static void print_scenario_targets(const struct scenario *s, const struct measured *m,
				   double timeout)
{
	print_xbzrle_target(s, m, timeout);
	if (strcmp(s->id, "4"))
		return;
	double wall = m->cut ? timeout : m->o.wall;
	int ran = m->o.ran && !m->cut && !m->crashed;
	printf("  target wall <= %.0f s: %s%.1f s  %s\n", TARGET_S4_WALL, m->cut ? "> " : "", wall,
	       verdict(ran && wall <= TARGET_S4_WALL));
	printf("  target peak RSS <= %.0f GiB: %.2f GiB  %s\n", (double)TARGET_S4_RSS / (double)GiB,
	       (double)m->rss / (double)GiB, verdict(ran && m->rss <= TARGET_S4_RSS));
}

static int cmp_wall(const void *a, const void *b)
{
	double x = ((const struct measured *)a)->o.wall, y = ((const struct measured *)b)->o.wall;
	return (x > y) - (x < y);
}

/* A run shorter than SHORT_RUN s is mostly noise on a shared machine (one
 * neighbour's burst is a third of it), so it is made SHORT_REPEATS times and
 * the run of median wall time is reported. Runs are deterministic: the
 * repetitions differ only in how long they took. */
static void run_scenario(const struct scenario *s, double timeout)
{
	struct measured m[SHORT_REPEATS];
	int n = 0;
	do {
		if (measure(s, timeout, &m[n]) < 0) {
			printf("\n[%s] could not fork\n", s->id);
			return;
		}
		n++;
	} while (n < SHORT_REPEATS && m[0].o.ran && !m[n - 1].cut && !m[n - 1].crashed &&
		 m[n - 1].o.wall < SHORT_RUN);
	if (m[n - 1].cut || m[n - 1].crashed || !m[n - 1].o.ran)
		m[0] = m[n - 1], n = 1; /* report what went wrong */
	qsort(m, (size_t)n, sizeof *m, cmp_wall);
	print_measured(s, &m[n / 2], timeout);
	if (n > 1) {
		printf("  (the median of %d runs by wall time:", n);
		for (int i = 0; i < n; i++)
			printf(" %.2f", m[i].o.wall);
		printf(" s)\n");
	}
	print_send_target(&m[n / 2]);
	print_scenario_targets(s, &m[n / 2], timeout);
}

/* Host bytes of a fresh guest of `ram`, before anything is written or
 * materialised; -1 when it cannot be made. */
static double fresh_host_bytes(uint64_t ram)
{
	struct guest_config gc = {.ram_bytes = ram, .page_size = 4096, .content_seed = 1};
	guest *g;
	err e;
	if (guest_new(&g, &gc, &e) < 0)
		return -1;
	double b = (double)guest_host_bytes(g);
	guest_free(g);
	return b;
}

/* Page metadata: what each page of a guest of `ram` adds to the host bytes
 * of a one-page guest (the dirty log lives in the metadata). What a guest
 * holds whatever its size (its struct, a zero page, a scratch page) is left
 * out: it is not per page. */
static double metadata_per_page(uint64_t ram)
{
	double big = fresh_host_bytes(ram), one = fresh_host_bytes(4096);
	uint64_t pages = ram / 4096;
	if (big < 0 || one < 0 || pages < 2)
		return -1;
	return (big - one) / (double)(pages - 1);
}

/* One row of the scaling table; returns the guest's metadata per page. */
static double scale_row(uint64_t gib, double timeout)
{
	struct scenario s = {.id = "scale",
			     .title = "sparse_update, 512 MiB data set, 10 Gbit/s",
			     .workload = "sparse_update",
			     .ram = gib * GiB,
			     .bandwidth = "10Gbit/s",
			     .wl = {{"data_set", "512MiB"}}};
	struct measured m;
	double meta = metadata_per_page(gib * GiB);
	printf("%8llu", (unsigned long long)gib);
	if (measure(&s, timeout, &m) < 0 || m.crashed || m.cut || !m.o.ran) {
		printf("  %s\n", m.cut ? "CUT at the timeout" : m.o.ran ? "died" : m.o.error);
		return meta;
	}
	const struct outcome *o = &m.o;
	double sent = (double)(o->zero + o->normal + o->xbzrle);
	printf(" %9.2f %9.3f %12.3f %11.3g %11.3g %10.3f %s\n", o->wall,
	       (double)m.rss / (double)GiB, (double)m.rss / (double)o->pages, sent / o->wall,
	       o->wall > 0 ? o->wall * 1e9 / sent : 0, meta,
	       o->completed ? "" : "(migration failed)");
	return meta;
}

static void run_scale(double timeout, int quick)
{
	printf("\n[scale] sparse_update, 512 MiB data set, 10 Gbit/s, pre-copy\n");
	printf("%8s %9s %9s %12s %11s %11s %10s\n", "RAM GiB", "wall s", "RSS GiB", "RSS B/page",
	       "pages/s", "ns/page", "meta B/pg");
	double worst = 0;
	size_t n = sizeof scale_gib / sizeof *scale_gib;
	for (size_t i = 0; i < n; i++) {
		if (quick && scale_gib[i] > 16)
			break;
		double b = scale_row(scale_gib[i], timeout);
		worst = b > worst ? b : worst;
	}
	/* The guest's own per-page state (its dirty log included); the
	 * migration's bitmap of pages still to send is the migration's, as
	 * QEMU's RAMBlock bmap is, and is shown apart. */
	printf("  target page metadata <= %.0f B per guest page: %.3f B  %s "
	       "(the migration adds its 1-bit bitmap, 0.125 B)\n",
	       TARGET_META, worst, verdict(worst > 0 && worst <= TARGET_META));
}

static int selected(int argc, char **argv, int first, const char *id)
{
	if (first >= argc)
		return 1;
	for (int i = first; i < argc; i++)
		if (!strcmp(argv[i], id))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	double timeout = DEFAULT_TIMEOUT;
	int first = 1;
	if (argc > 2 && !strcmp(argv[1], "--timeout")) {
		timeout = atof(argv[2]);
		first = 3;
	}
	const char *q = getenv("SIM_BENCH_QUICK");
	int quick = q && *q && strcmp(q, "0");
	printf("sim_bench: wall-clock figures on a shared machine are noisy; "
	       "per-scenario timeout %.0f s\n",
	       timeout);
	size_t n = sizeof scenarios / sizeof *scenarios;
	for (size_t i = 0; i < n; i++)
		if (selected(argc, argv, first, scenarios[i].id))
			run_scenario(&scenarios[i], timeout);
	if (selected(argc, argv, first, "scale"))
		run_scale(timeout, quick);
	return 0;
}
