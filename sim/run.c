/*
 * run — wires the model together for one migration (see run.h). Time 0 is
 * the start of the warm-up; the migration starts at `warmup`, and every time
 * in the result is measured from there.
 *
 * The time series is sampled every 100 ms and holds at most MAX_SAMPLES
 * periodic samples: when it fills, every other one is dropped and the period
 * doubles, so a run of any length keeps a uniform series, the one sampling
 * at the longer period from the start would have taken.
 */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "des.h"
#include "guest.h"
#include "link.h"
#include "rng.h"
#include "sat.h"
#include "vcpu.h"

#define SAMPLE_PERIOD ((int64_t)100000000) /* 100 ms, the first period */
#define MAX_SAMPLES   8192		   /* even: thinning keeps the last sample */
#define NO_END	      INT64_MAX

void run_config_defaults(struct run_config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->guest, sizeof c->guest, "%s", RUN_DEFAULT_GUEST);
	c->ram_bytes = UINT64_C(1) << 30;
	c->page_size = 4096;
	c->bandwidth = 1e9 / 8; /* 1 Gbit/s */
	c->latency = 100000;	/* 0.1 ms: one data-centre hop */
	params_defaults(&c->params);
	c->caps_src = caps_all();
	c->caps_dst = caps_all();
	c->methods_src = caps_methods_all();
	c->methods_dst = caps_methods_all();
	c->mode = MIG_MODE_PRECOPY;
	c->seed = 1;
	c->timeout = (int64_t)600 * 1000000000;
	c->warmup = 1000000000;
	storage_config_defaults(&c->storage);
}

/* Capabilities only the source acts on: QEMU's destination decodes XBZRLE
 * pages whatever its own capabilities (ram_load_precopy), and throttling is
 * the source's (migration_trigger_throttle). */
#define CAPS_SOURCE_ONLY (CAP_XBZRLE | CAP_AUTO_CONVERGE)

unsigned run_negotiate_caps(struct run_config *c)
{
	unsigned dst = c->caps_dst | CAPS_SOURCE_ONLY;
	c->caps = c->caps_requested & c->caps_src & dst;
	/* migrate_caps_check, on what is left: preempt requires postcopy-ram. */
	if (!(c->caps & CAP_POSTCOPY_RAM))
		c->caps &= ~CAP_POSTCOPY_PREEMPT;
	return c->caps_requested & ~c->caps;
}

const char *run_method_lacking(const struct run_config *c)
{
	int m = c->params.multifd_compression;
	if (!(c->caps & CAP_MULTIFD) || m == MULTIFD_COMP_NONE)
		return NULL;
	int src = !!(c->methods_src & (1u << m)), dst = !!(c->methods_dst & (1u << m));
	return src && dst ? NULL
	       : src	  ? "the destination"
	       : dst	  ? "the source"
			  : "the source and the destination";
}

int run_multifd_compression(const struct run_config *c)
{
	return run_method_lacking(c) ? MULTIFD_COMP_NONE : c->params.multifd_compression;
}

/* Everything one simulated machine needs to run its workload. */
struct machine {
	guest *g;
	layout *layout; /* the guest's pages: the OS profile's, then the workload's */
	wl *os;		/* the guest OS profile's program; NULL for bare */
	wl *w;
	des *q;
	struct vcpu cpu;
	struct disk_set disks; /* the workload's view of its disks */
	disk *own[DISK_MAX];   /* the machine's own disks */
};

int run_guest_path(const char *name, char *out, size_t n)
{
	int given = strchr(name, '/') || strstr(name, ".lua");
	int len = given ? snprintf(out, n, "%s", name)
			: snprintf(out, n, "%s/guests/%s.lua", MIGSIM_WORKLOAD_DIR, name);
	return len < 0 || (size_t)len >= n ? -1 : given;
}

/* The guest OS profile's program. Its regions are placed first, where a
 * kernel's are, and the workload's go in what is left. */
static int open_os(struct machine *mc, const struct run_config *c, err *e)
{
	if (!strcmp(c->guest, "bare"))
		return 0;
	char path[RUN_GUEST_MAX + 64];
	if (run_guest_path(c->guest, path, sizeof path) < 0)
		return err_set(e, "guest profile name too long");
	struct wl_config oc = {
	    .path = path,
	    .seed = c->seed,
	    .ram_bytes = c->ram_bytes,
	    .page_size = c->page_size,
	    .place_later = 1,
	    .stream = "guest",
	};
	return wl_open(&mc->os, &oc, e);
}

/* Source and destination share the content seed: procedural pages must
 * hold the same bytes on both sides. */
static struct guest_config guest_config_of(const struct run_config *c, int all_missing)
{
	return (struct guest_config){
	    .ram_bytes = c->ram_bytes,
	    .page_size = c->page_size,
	    .content_seed = rng_mix(c->seed, 0x636f6e74656e74ULL, 0), /* "content" */
	    .all_missing = all_missing,
	};
}

/* The guest's disks as --disk gave them; the same on every run of a seed. */
static int open_disks(struct machine *mc, const struct run_config *c, err *e)
{
	for (size_t i = 0; i < c->storage.ndisks; i++) {
		struct disk_config dc = {
		    .spec = c->storage.disks[i],
		    .cluster = c->storage.cluster,
		    .content_seed = guest_config_of(c, 0).content_seed,
		    .index = (unsigned)i,
		};
		if (disk_new(&mc->own[i], &dc, e) < 0)
			return -1;
		mc->disks.d[i] = mc->own[i];
		mc->disks.n = i + 1;
	}
	wl_set_disks(mc->w, &mc->disks);
	return 0;
}

static int machine_open(struct machine *mc, const struct run_config *c, int64_t end, err *e)
{
	memset(mc, 0, sizeof *mc);
	struct guest_config gc = guest_config_of(c, 0);
	struct wl_config wc = {
	    .path = c->workload_path,
	    .params = c->wl_params,
	    .n_params = c->n_wl_params,
	    .seed = c->seed,
	    .ram_bytes = c->ram_bytes,
	    .page_size = c->page_size,
	    .place_later = 1,
	};
	/* the workload's script is checked first: its errors come first */
	if (wl_open(&mc->w, &wc, e) < 0 || open_disks(mc, c, e) < 0 || open_os(mc, c, e) < 0 ||
	    layout_new(&mc->layout, c->ram_bytes / c->page_size, e) < 0 ||
	    (mc->os && wl_place(mc->os, mc->layout, e) < 0) || wl_place(mc->w, mc->layout, e) < 0 ||
	    guest_new(&mc->g, &gc, e) < 0 || (mc->os && wl_init(mc->os, mc->g, e) < 0) ||
	    wl_init(mc->w, mc->g, e) < 0 || des_new(&mc->q, e) < 0)
		return -1;
	vcpu_init(&mc->cpu, mc->q, mc->w, mc->g, end);
	if (mc->os && vcpu_add_program(&mc->cpu, mc->os, e) < 0)
		return -1;
	return vcpu_start(&mc->cpu, 0, e);
}

static void machine_close(struct machine *mc)
{
	des_free(mc->q);
	wl_free(mc->w);
	wl_free(mc->os);
	layout_free(mc->layout);
	guest_free(mc->g);
	for (size_t i = 0; i < DISK_MAX; i++)
		disk_free(mc->own[i]);
}

/* Runs events until time `until` (exclusive) or until stop() says so. */
static int machine_run(struct machine *mc, int64_t until, int (*stop)(void *), void *ctx, err *e)
{
	while (des_pending(mc->q) && des_next_time(mc->q) < until) {
		des_step(mc->q);
		if (mc->cpu.failed) {
			*e = mc->cpu.error;
			return -1;
		}
		if (stop && stop(ctx))
			break;
	}
	return 0;
}

/* --- the migrated run ---------------------------------------------------------- */

/* One VM's migration (run.h): its source machine, with an event queue of its
 * own, its destination, link and migration thread, and its samples. */
struct run_unit {
	struct run_config c;	  /* c.warmup: when its migration starts */
	struct mig_params params; /* c's, with the multifd-compression in force */
	struct machine src;
	guest *dst;
	struct link own_link; /* the link when none is shared with it */
	struct link *link;
	int sock;	  /* its main channel's socket on the link */
	storage *storage; /* NULL: shared storage */
	mig *m;
	struct run_result *res;
	size_t cap_series;
	int64_t sample_period;
	struct store_sample last; /* the latest sample; at first the start's zeros */
	int oom;
	err e;
	int failed;
	run_watch_fn watch;
	void *watch_ctx;
	run_horizon_fn horizon; /* when the next event anywhere on the clock is */
	void *horizon_ctx;
	unsigned attempt; /* its migrations before this one (run_unit_reset): the
			     tag of this one's events, the others' being stale */
};

/* The rates of sample x over the interval since sample `prev`. */
static void interval_rates(struct store_sample *x, const struct store_sample *prev)
{
	double dt = (double)(x->t_ns - prev->t_ns) / 1e9;
	x->mbps = dt > 0 ? (double)(x->transferred - prev->transferred) * 8 / dt / 1e6 : 0;
	x->guest_rate = dt > 0 ? (double)(x->guest_steps - prev->guest_steps) / dt : 0;
}

static void sample(struct run_unit *s, int64_t t)
{
	struct run_result *r = s->res;
	if (r->n_series == s->cap_series) {
		size_t cap = s->cap_series ? s->cap_series * 2 : 256;
		struct store_sample *ns = realloc(r->series, cap * sizeof *ns);
		if (!ns) {
			s->oom = 1;
			return;
		}
		r->series = ns;
		s->cap_series = cap;
	}
	struct mig_stats st;
	mig_get_stats_at(s->m, t, &st);
	struct store_sample *x = &r->series[r->n_series++];
	*x = (struct store_sample){
	    .t_ns = t - s->c.warmup,
	    .phase = (int)mig_phase(s->m),
	    .remaining = st.remaining,
	    .transferred = st.transferred,
	    .dirty_sync_count = st.dirty_sync_count,
	    .dirty_pages_rate = st.dirty_pages_rate,
	    .guest_steps = vcpu_progress_before(&s->src.cpu, t),
	    .throttle_pct = s->src.cpu.throttle_pct,
	    .disk_remaining = -1,
	    .disk_transferred = -1,
	};
	if (s->storage) {
		struct storage_stats ss;
		storage_get_stats(s->storage, t, &ss);
		x->disk_remaining = (int64_t)(ss.len - ss.offset);
		x->disk_transferred = (int64_t)ss.bytes;
	}
	interval_rates(x, &s->last);
	s->last = *x;
	if (s->watch)
		s->watch(s->watch_ctx, x);
}

/* Keeps every second periodic sample (the last among them) with its rates
 * over the doubled interval, and doubles the period. */
static void thin(struct run_unit *s)
{
	struct run_result *r = s->res;
	struct store_sample start = {0}, *prev = &start;
	size_t kept = 0;
	for (size_t i = 1; i < r->n_series; i += 2) {
		struct store_sample *x = &r->series[kept++];
		*x = r->series[i];
		interval_rates(x, prev);
		prev = x;
	}
	r->n_series = kept;
	s->sample_period = sat_add(s->sample_period, s->sample_period);
}

static void on_sample(void *ctx, uint64_t tag)
{
	struct run_unit *s = ctx;
	if (tag != s->attempt || mig_status(s->m) != MIG_STATUS_ACTIVE)
		return;
	int64_t now = des_now(s->src.q);
	sample(s, now);
	if (s->res->n_series == MAX_SAMPLES)
		thin(s);
	if (des_schedule(s->src.q, sat_add(now, s->sample_period), on_sample, s, tag, &s->e) < 0)
		s->failed = 1;
}

/* The time of the unit's own next event: the horizon of a unit alone. */
static int64_t own_horizon(void *ctx)
{
	const struct run_unit *s = ctx;
	return run_unit_next(s);
}

static void on_mig(void *ctx, uint64_t tag)
{
	struct run_unit *s = ctx;
	if (tag != s->attempt)
		return; /* a migration run_unit_reset gave up */
	/* Every page is read, and every byte put on a shared link, no later
	 * than the next event of any machine on the clock. */
	if (mig_advance(s->m, s->horizon(s->horizon_ctx), &s->e) < 0) {
		s->failed = 1;
		return;
	}
	if (mig_status(s->m) == MIG_STATUS_ACTIVE &&
	    des_schedule(s->src.q, mig_next_event(s->m), on_mig, s, tag, &s->e) < 0)
		s->failed = 1;
}

/* Before its migration starts, a unit runs on until told. */
static int sim_stop(void *ctx)
{
	struct run_unit *s = ctx;
	return s->failed || s->oom || (s->m && mig_status(s->m) != MIG_STATUS_ACTIVE);
}

/* --- injected failures ----------------------------------------------------------- */

/* What a failure at `now` does, by where the migration is: before the
 * guest stops on the source, a lost link cancels the migration (the guest
 * stays) and a lost source takes the guest with it, migration or not;
 * while it is stopped for a pre-copy switch-over, a lost link cancels and
 * the guest resumes on the source; once it runs on the destination with
 * RAM pages (post-copy) or disk clusters (postcopy-stream) the source alone
 * holds, either failure loses the guest (QEMU's postcopy-recover could
 * resume after a lost link that comes back; migsim's links do not). */
static void fail_now(struct run_unit *s, int source)
{
	const char *what = source ? "source host failed" : "link failed";
	int64_t now = des_now(s->src.q);
	struct mig_stats st;
	mig_get_stats(s->m, &st);
	enum mig_phase ph = mig_phase(s->m);
	int cut = ph == MIG_PHASE_POSTCOPY || ph == MIG_PHASE_DONE;
	struct run_result *r = s->res;
	char why[512];
	if (cut) {
		r->lost_pages = ph == MIG_PHASE_POSTCOPY ? st.remaining / s->c.page_size : 0;
		r->lost_clusters = s->storage ? storage_lost(s->storage) : 0;
		snprintf(r->outcome, sizeof r->outcome, "guest lost");
		snprintf(
		    why, sizeof why,
		    "%s %.3f s into the migration, inside the risk window: guest lost (%llu RAM "
		    "pages and %llu disk clusters were only on the source)",
		    what, (double)(now - s->c.warmup) / 1e9, (unsigned long long)r->lost_pages,
		    (unsigned long long)r->lost_clusters);
	} else if (source) {
		snprintf(r->outcome, sizeof r->outcome, "guest lost");
		snprintf(why, sizeof why,
			 "%s %.3f s into the migration, before the cut-over: the guest was lost "
			 "with it (the destination had not taken over)",
			 what, (double)(now - s->c.warmup) / 1e9);
	} else {
		snprintf(r->outcome, sizeof r->outcome, "aborted, guest on source");
		snprintf(why, sizeof why,
			 "%s %.3f s into the migration, before the cut-over: migration aborted, "
			 "the guest %s on the source",
			 what, (double)(now - s->c.warmup) / 1e9,
			 ph == MIG_PHASE_STOPPED ? "resumes" : "runs on");
	}
	mig_fail_at(s->m, now, why);
}

static void on_fail_source(void *ctx, uint64_t tag)
{
	(void)tag;
	fail_now(ctx, 1);
}

static void on_fail_link(void *ctx, uint64_t tag)
{
	(void)tag;
	fail_now(ctx, 0);
}

static int schedule_failures(struct run_unit *s, err *e)
{
	const struct storage_config *sc = &s->c.storage;
	if (sc->fail_source_at >= 0 &&
	    des_schedule(s->src.q, sat_add(s->c.warmup, sc->fail_source_at), on_fail_source, s, 0,
			 e) < 0)
		return -1;
	if (sc->fail_link_at >= 0 && des_schedule(s->src.q, sat_add(s->c.warmup, sc->fail_link_at),
						  on_fail_link, s, 0, e) < 0)
		return -1;
	return 0;
}

static int start_migration(struct run_unit *s, err *e)
{
	const struct run_config *c = &s->c;
	struct guest_config dc = guest_config_of(c, 1);
	struct link_config lc = {
	    .bandwidth = c->bandwidth,
	    .latency = c->latency,
	    .buffer_bytes = c->params.send_buffer_size,
	};
	s->params = c->params;
	s->params.multifd_compression = run_multifd_compression(c);
	struct mig_config mc = {
	    .params = &s->params,
	    .caps = c->caps,
	    .mode = c->mode,
	    .start = c->warmup,
	    .timeout = c->timeout,
	    .postcopy = c->postcopy,
	    .sock = s->sock,
	};
	if (!s->link) {
		if (link_init(&s->own_link, &lc, e) < 0)
			return -1;
		s->link = &s->own_link;
	}
	if (guest_new(&s->dst, &dc, e) < 0)
		return -1;
	struct storage_env env = {
	    .content_seed = dc.content_seed,
	    .stream_speed = c->params.stream_speed,
	    .link = s->link,
	    .sock = s->sock,
	    .buffer_bytes = c->params.send_buffer_size,
	    .cpu = &s->src.cpu,
	    .start = c->warmup,
	};
	if (c->storage.policy != STORAGE_SHARED &&
	    storage_new(&s->storage, &c->storage, &s->src.disks, &env, e) < 0)
		return -1;
	mc.storage = s->storage;
	if (mig_new(&s->m, &mc, s->src.g, s->dst, s->link, &s->src.cpu, e) < 0 ||
	    (s->attempt == 0 && schedule_failures(s, e) < 0))
		return -1;
	vcpu_mark(&s->src.cpu);
	s->sample_period = SAMPLE_PERIOD;
	if (des_schedule(s->src.q, c->warmup, on_mig, s, s->attempt, e) < 0 ||
	    des_schedule(s->src.q, sat_add(c->warmup, SAMPLE_PERIOD), on_sample, s, s->attempt, e) <
		0)
		return -1;
	return 0;
}

static int copy_string(char **dst, const char *src, err *e)
{
	*dst = strdup(src ? src : "");
	return *dst ? 0 : err_set(e, "out of memory");
}

/* Pages looked at, and compared byte for byte, by measure_changes. */
#define CHANGES_LOOKED	 65536
#define CHANGES_COMPARED 4096

static uint64_t bytes_differing(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	uint64_t d = 0;
	for (uint32_t i = 0; i < n; i++)
		d += a[i] != b[i];
	return d;
}

/* How much of a page the guest changes between two sends of it, for the
 * note on a pre-copy that did not converge (XBZRLE would send about that
 * much of it): the destination holds each page as last sent, so the pages
 * it holds that differ from the source's are those dirtied since, and the
 * bytes that differ are what changed. An even sample of the guest's pages
 * is looked at and a sample of the changed ones compared; nothing in the
 * model changes. */
static int measure_changes(struct run_unit *s, err *e)
{
	const guest *src = s->src.g, *dst = s->dst;
	uint64_t n = guest_pages(src), step = n / CHANGES_LOOKED + 1;
	uint32_t ps = s->c.page_size;
	uint64_t *changed = malloc(CHANGES_LOOKED * sizeof *changed);
	uint8_t *a = malloc(2 * (size_t)ps);
	if (!changed || !a) {
		free(changed), free(a);
		return err_set(e, "out of memory");
	}
	uint8_t *b = a + ps;
	size_t nc = 0;
	for (uint64_t p = 0; p < n && nc < CHANGES_LOOKED; p += step)
		if (guest_page_kind(dst, p) != GUEST_MISSING && !guest_page_equal(src, dst, p))
			changed[nc++] = p;
	size_t every = nc / CHANGES_COMPARED + 1;
	uint64_t bytes = 0, pages = 0;
	for (size_t i = 0; i < nc; i += every, pages++) {
		const uint8_t *x = guest_page_bytes(src, changed[i], a);
		const uint8_t *y = guest_page_bytes(dst, changed[i], b);
		bytes += x && y ? bytes_differing(x, y, ps) : ps;
	}
	s->res->changed_pages = pages;
	s->res->changed_bytes = pages ? (double)bytes / (double)pages : 0;
	free(changed);
	free(a);
	return 0;
}

static int collect(struct run_unit *s, err *e)
{
	struct run_result *r = s->res;
	r->status = mig_status(s->m);
	snprintf(r->error, sizeof r->error, "%s", mig_error(s->m));
	mig_get_stats(s->m, &r->stats);
	size_t n;
	const struct mig_pass *p = mig_passes(s->m, &n);
	if (n) {
		r->passes = malloc(n * sizeof *p);
		if (!r->passes)
			return err_set(e, "out of memory");
		memcpy(r->passes, p, n * sizeof *p);
	}
	r->n_passes = n;
	int64_t end = mig_clock(s->m);
	if (s->storage)
		storage_get_stats(s->storage, end, &r->storage);
	if (s->c.storage.fail_source_at >= 0 || s->c.storage.fail_link_at >= 0)
		if (!r->outcome[0])
			snprintf(r->outcome, sizeof r->outcome, "completed anyway");
	r->guest_steps = vcpu_progress_before(&s->src.cpu, end);
	r->host_bytes = guest_host_bytes(s->src.g);
	const struct vcpu *v = &s->src.cpu;
	r->cpu_share = v->cost_sum > 0 ? (double)v->cpu_sum / (double)v->cost_sum : 0;
	if (r->status == MIG_STATUS_FAILED && r->stats.ended_in == MIG_PHASE_ACTIVE &&
	    measure_changes(s, e) < 0)
		return -1;
	/* The last sample is the end state, unless a periodic one fell exactly
	 * there already (a timeout on a 100 ms boundary). */
	if (r->n_series == 0 || r->series[r->n_series - 1].t_ns != end - s->c.warmup)
		sample(s, end);
	if (s->oom)
		return err_set(e, "out of memory for the time series");
	if (copy_string(&r->wl_name, wl_name(s->src.w), e) < 0 ||
	    copy_string(&r->wl_params_json, wl_params_json(s->src.w), e) < 0)
		return -1;
	return 0;
}

int run_unmigrated_steps(const struct run_config *c, int64_t end, uint64_t *steps, err *e)
{
	struct machine mc;
	int rc = machine_open(&mc, c, end, e);
	if (rc == 0)
		rc = machine_run(&mc, c->warmup, NULL, NULL, e);
	if (rc == 0) {
		vcpu_mark(&mc.cpu);
		rc = machine_run(&mc, end, NULL, NULL, e);
		*steps = vcpu_progress(&mc.cpu);
	}
	machine_close(&mc);
	return rc;
}

/* The source machine of a run whose guest was only ever paused, and ran no
 * step since, is an unmigrated run stopped at the pause: running it on to the
 * end from there counts the same steps as run_unmigrated_steps without
 * simulating the warm-up and the whole migration again. Its queue still
 * holds the migration's events, so it gets a fresh one. */
static int continue_unmigrated(struct machine *mc, int64_t end, uint64_t *steps, err *e)
{
	des *q;
	if (des_new(&q, e) < 0)
		return -1;
	des_free(mc->q);
	mc->q = q;
	int rc = vcpu_continue_undisturbed(&mc->cpu, q, mc->g, end, e);
	if (rc == 0)
		rc = machine_run(mc, end, NULL, NULL, e);
	*steps = vcpu_progress(&mc->cpu);
	return rc;
}

int run_execute(const struct run_config *c, struct run_result *res, err *e)
{
	return run_execute_watched(c, res, NULL, NULL, e);
}

int run_unit_open(run_unit **out, const struct run_config *c, struct run_result *res, err *e)
{
	memset(res, 0, sizeof *res);
	struct run_unit *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, "out of memory");
	*s = (struct run_unit){.c = *c, .res = res, .horizon = own_horizon};
	s->horizon_ctx = s;
	*out = s;
	return machine_open(&s->src, c, NO_END, e);
}

void run_unit_watch(run_unit *s, run_watch_fn watch, void *ctx)
{
	s->watch = watch;
	s->watch_ctx = ctx;
}

int64_t run_unit_next(const run_unit *s)
{
	return des_pending(s->src.q) ? des_next_time(s->src.q) : NO_END;
}

int run_unit_run(run_unit *s, int64_t until, err *e)
{
	if (machine_run(&s->src, until, sim_stop, s, e) < 0)
		return -1;
	if (s->failed) {
		*e = s->e;
		return -1;
	}
	return 0;
}

int run_unit_start(run_unit *s, int64_t at, struct link *shared, int sock, run_horizon_fn horizon,
		   void *ctx, err *e)
{
	s->c.warmup = at;
	s->link = shared;
	s->sock = shared ? sock : LINK_MAIN;
	if (horizon) {
		s->horizon = horizon;
		s->horizon_ctx = ctx;
	}
	return start_migration(s, e);
}

int run_unit_active(const run_unit *s)
{
	return s->m && !s->failed && !s->oom && mig_status(s->m) == MIG_STATUS_ACTIVE;
}

const struct run_config *run_unit_config(const run_unit *s)
{
	return &s->c;
}

int run_unit_cancel(run_unit *s, int64_t at, const char *why)
{
	return s->m ? mig_cancel(s->m, at, why) : 0;
}

/* Ends the unit's migration: its thread, its storage jobs (which give the
 * source machine its disks back, so before machine_close), its own link
 * (a shared one is the evacuation's) and its destination. */
static void drop_migration(struct run_unit *s)
{
	mig_free(s->m);
	s->m = NULL;
	storage_free(s->storage);
	s->storage = NULL;
	if (s->link == &s->own_link)
		link_free(&s->own_link);
	s->link = NULL;
	guest_free(s->dst);
	s->dst = NULL;
}

int run_unit_reset(run_unit *s, err *e)
{
	/* migrate_cancel leaves the guest running on the source, unthrottled
	 * (the migration's end paused it for the run's record) */
	int64_t end = mig_clock(s->m);
	vcpu_set_throttle(&s->src.cpu, 0);
	if (vcpu_resume(&s->src.cpu, end, s->src.g, e) < 0)
		return -1;
	s->attempt++;
	drop_migration(s);
	run_result_free(s->res);
	memset(s->res, 0, sizeof *s->res);
	s->cap_series = 0;
	s->last = (struct store_sample){0};
	return 0;
}

uint64_t run_unit_disk_remaining(const run_unit *s)
{
	return s->storage ? storage_remaining(s->storage) : 0;
}

uint64_t run_unit_written_pages(const run_unit *s)
{
	return guest_dirty_count(s->src.g);
}

const mig *run_unit_mig(const run_unit *s)
{
	return s->m;
}

int run_unit_finish(run_unit *s, err *e)
{
	const struct run_config *c = &s->c;
	struct run_result *res = s->res;
	int rc = 0;
	if (s->failed) {
		*e = s->e;
		rc = -1;
	}
	if (rc == 0 && (!s->m || mig_status(s->m) == MIG_STATUS_ACTIVE))
		rc = err_set(e, "the simulation ran out of events before the migration ended");
	if (rc == 0)
		rc = collect(s, e);
	int64_t end = s->m ? mig_clock(s->m) : 0;
	/* A guest the migration never slowed or stopped before the end ran
	 * exactly as an unmigrated one (runs are deterministic): its own step
	 * count is the baseline, and simulating it again would only double the
	 * cost of every run that fails to converge. */
	int undisturbed = s->src.cpu.first_perturbed >= end;
	int frozen = vcpu_frozen_at_pause(&s->src.cpu);
	drop_migration(s);
	if (rc == 0 && undisturbed)
		res->baseline_steps = res->guest_steps;
	else if (rc == 0 && frozen)
		rc = continue_unmigrated(&s->src, end, &res->baseline_steps, e);
	machine_close(&s->src);
	memset(&s->src, 0, sizeof s->src);
	if (rc == 0 && !undisturbed && !frozen)
		rc = run_unmigrated_steps(c, end, &res->baseline_steps, e);
	if (rc < 0)
		run_result_free(res);
	return rc;
}

void run_unit_free(run_unit *s)
{
	if (!s)
		return;
	drop_migration(s);
	machine_close(&s->src);
	free(s);
}

int run_execute_watched(const struct run_config *c, struct run_result *res, run_watch_fn watch,
			void *ctx, err *e)
{
	run_unit *s = NULL;
	int rc = run_unit_open(&s, c, res, e);
	if (rc == 0) {
		run_unit_watch(s, watch, ctx);
		rc = run_unit_run(s, c->warmup, e);
	}
	if (rc == 0)
		rc = run_unit_start(s, c->warmup, NULL, LINK_MAIN, NULL, NULL, e);
	if (rc == 0)
		rc = run_unit_run(s, NO_END, e);
	if (rc == 0)
		rc = run_unit_finish(s, e);
	else
		run_result_free(res);
	run_unit_free(s);
	return rc;
}

void run_result_free(struct run_result *res)
{
	free(res->passes);
	free(res->series);
	free(res->wl_name);
	free(res->wl_params_json);
	res->passes = NULL;
	res->series = NULL;
	res->wl_name = NULL;
	res->wl_params_json = NULL;
}
