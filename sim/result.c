/*
 * result — JSON, summary and metrics of a run (see result.h). QEMU reports
 * times in whole milliseconds; the `migsim` object repeats them in
 * nanoseconds so that nothing the simulator knows is rounded away.
 */
#include "result.h"

#include <stdio.h>
#include <string.h>

#include "sat.h"
#include "units.h"

#define NS_PER_MS 1000000.0

char *result_policy(const struct run_config *c, char *buf, size_t n)
{
	if (c->mode == MIG_MODE_STOP_AND_COPY) {
		snprintf(buf, n, "stop-and-copy");
		return buf;
	}
	char caps[128];
	if (c->caps)
		snprintf(buf, n, "precopy+%s", caps_format(c->caps, caps, sizeof caps));
	else
		snprintf(buf, n, "precopy");
	for (char *p = buf; *p; p++) /* "precopy+xbzrle+auto-converge" */
		if (*p == ',')
			*p = '+';
	if (c->caps & CAP_POSTCOPY_RAM) { /* "...+postcopy-ram@after-first-pass" */
		char rule[64];
		size_t len = strlen(buf);
		snprintf(buf + len, n - len, "@%s",
			 postcopy_format(&c->postcopy, rule, sizeof rule));
	}
	if (c->storage.policy != STORAGE_SHARED) { /* "precopy, storage postcopy-stream" */
		size_t len = strlen(buf);
		snprintf(buf + len, n - len, ", storage %s%s",
			 storage_policy_name(c->storage.policy),
			 c->storage.copy_mode == MIRROR_WRITE_BLOCKING ? " (write-blocking)" : "");
	}
	return buf;
}

int64_t result_risk_window(const struct run_result *r)
{
	int64_t ram = r->stats.risk_window, disk = r->storage.risk_window;
	return ram > disk ? ram : disk;
}

double result_progress(const struct run_result *r)
{
	if (r->baseline_steps == 0)
		return 1.0;
	return (double)r->guest_steps / (double)r->baseline_steps;
}

static const char *status_name(enum mig_status s)
{
	return s == MIG_STATUS_COMPLETED ? "completed"
	       : s == MIG_STATUS_FAILED	 ? "failed"
					 : "active";
}

static int64_t ms(int64_t ns)
{
	return ns / 1000000;
}

/* Only for runs with disks or an injected failure: the settings of runs
 * without stay as they were stored before storage existed. */
static void storage_config_json(const struct storage_config *sc, jw *w)
{
	if (!sc->ndisks && sc->policy == STORAGE_SHARED && sc->fail_source_at < 0 &&
	    sc->fail_link_at < 0)
		return;
	char spec[128];
	jw_obj(w, "storage");
	jw_str(w, "policy", storage_policy_name(sc->policy));
	jw_str(w, "mirror-copy-mode", storage_copy_mode_name(sc->copy_mode));
	jw_uint(w, "cluster-size", sc->cluster);
	jw_arr(w, "disks");
	for (size_t i = 0; i < sc->ndisks; i++)
		jw_str(w, NULL, disk_format(&sc->disks[i], spec, sizeof spec));
	jw_end(w);
	jw_int(w, "fail-source-at-ns", sc->fail_source_at);
	jw_int(w, "fail-link-at-ns", sc->fail_link_at);
	jw_end(w);
}

static void config_fields(const struct run_config *c, jw *w)
{
	jw_str(w, "workload-path", c->workload_path);
	jw_str(w, "guest", c->guest);
	jw_str(w, "mode", c->mode == MIG_MODE_STOP_AND_COPY ? "stop-and-copy" : "precopy");
	jw_uint(w, "ram-bytes", c->ram_bytes);
	jw_uint(w, "page-size", c->page_size);
	jw_num(w, "bandwidth-bytes-per-s", c->bandwidth);
	jw_int(w, "latency-ns", c->latency);
	jw_uint(w, "seed", c->seed);
	jw_int(w, "timeout-ns", c->timeout);
	jw_int(w, "warmup-ns", c->warmup);
	char rule[64];
	jw_str(w, "postcopy",
	       (c->caps & CAP_POSTCOPY_RAM) ? postcopy_format(&c->postcopy, rule, sizeof rule)
					    : "off");
	caps_to_json(c->caps, w, "capabilities");
	caps_to_json(c->caps_requested, w, "capabilities-requested");
	caps_to_json(c->caps_src, w, "capabilities-source");
	caps_to_json(c->caps_dst, w, "capabilities-destination");
	/* Only where a list was narrowed or the method fell back: the settings
	 * of other runs stay as they were stored before methods were negotiated. */
	caps_methods_to_json(c->methods_src, w, "multifd-compression-source");
	caps_methods_to_json(c->methods_dst, w, "multifd-compression-destination");
	if (run_method_lacking(c))
		jw_str(w, "multifd-compression-in-force",
		       params_multifd_compression_name(run_multifd_compression(c)));
	jw_obj(w, "parameters");
	params_to_json(&c->params, w);
	jw_end(w);
	storage_config_json(&c->storage, w);
}

void result_config_json(const struct run_config *c, jw *w)
{
	jw_obj(w, NULL);
	config_fields(c, w);
	jw_end(w);
}

static void ram_json(const struct run_result *r, jw *w)
{
	const struct mig_stats *st = &r->stats;
	jw_obj(w, "ram");
	jw_uint(w, "transferred", st->transferred);
	jw_uint(w, "remaining", st->remaining);
	jw_uint(w, "total", st->total);
	jw_uint(w, "duplicate", st->duplicate);
	jw_uint(w, "skipped", 0);
	jw_uint(w, "normal", st->normal);
	jw_uint(w, "normal-bytes", st->normal_bytes);
	jw_num(w, "dirty-pages-rate", st->dirty_pages_rate);
	jw_num(w, "mbps", st->mbps);
	jw_uint(w, "dirty-sync-count", st->dirty_sync_count);
	jw_uint(w, "postcopy-requests", st->postcopy_requests);
	jw_uint(w, "page-size", st->page_size);
	jw_uint(w, "multifd-bytes", st->multifd_bytes);
	jw_num(w, "pages-per-second", st->pages_per_second);
	jw_uint(w, "precopy-bytes", st->precopy_bytes);
	jw_uint(w, "downtime-bytes", st->downtime_bytes);
	jw_uint(w, "postcopy-bytes", st->postcopy_bytes);
	jw_uint(w, "dirty-sync-missed-zero-copy", 0);
	jw_end(w);
}

static void xbzrle_json(const struct mig_xbzrle *x, jw *w)
{
	jw_obj(w, "xbzrle-cache");
	jw_uint(w, "cache-size", x->cache_size);
	jw_uint(w, "bytes", x->bytes);
	jw_uint(w, "pages", x->pages);
	jw_uint(w, "cache-miss", x->cache_miss);
	jw_num(w, "cache-miss-rate", x->cache_miss_rate);
	jw_num(w, "encoding-rate", x->encoding_rate);
	jw_uint(w, "overflow", x->overflow);
	jw_end(w);
}

/* migsim's figures of the multifd channels: QEMU 10's query-migrate has
 * none besides ram.multifd-bytes (the legacy compress statistics went with
 * the compress capability in 9.1). */
static void multifd_json(const struct mig_multifd *x, jw *w)
{
	jw_obj(w, "x-migsim-multifd");
	jw_uint(w, "packets", x->packets);
	jw_uint(w, "sync-packets", x->sync_packets);
	jw_uint(w, "raw-bytes", x->raw_bytes);
	jw_uint(w, "payload-bytes", x->payload_bytes);
	jw_num(w, "compression-ratio",
	       x->payload_bytes ? (double)x->raw_bytes / (double)x->payload_bytes : 0);
	jw_int(w, "channel-cpu-ns", x->channel_cpu);
	jw_int(w, "busiest-channel-cpu-ns", x->busiest_cpu);
	jw_int(w, "send-wait-ns", x->send_wait);
	jw_end(w);
}

static void passes_json(const struct run_result *r, jw *w)
{
	jw_arr(w, "passes");
	for (size_t i = 0; i < r->n_passes; i++) {
		const struct mig_pass *p = &r->passes[i];
		jw_obj(w, NULL);
		jw_uint(w, "dirty-sync-count", p->sync);
		jw_int(w, "start-ns", p->start);
		jw_int(w, "end-ns", p->end);
		jw_uint(w, "dirty-pages", p->dirty);
		jw_uint(w, "pages", p->pages);
		jw_uint(w, "bytes", p->bytes);
		jw_end(w);
	}
	jw_end(w);
}

/* --- notes ------------------------------------------------------------------------ */

/* A page changed in at most this part of its bytes between two sends is one
 * XBZRLE encodes well (its deltas are runs of changed bytes). */
#define FEW_BYTES_CHANGED 8 /* 1/8 of the page */
/* A guest that computes at least half the time its steps take slows its
 * writes under a throttle; one mostly halted absorbs the throttle. */
#define CPU_BOUND 0.5

static struct store_note *add_note(struct result_notes *out, const char *kind, char **text)
{
	if (out->n == RESULT_MAX_NOTES)
		return NULL;
	struct store_note *n = &out->note[out->n];
	n->kind = kind;
	n->text = *text = out->text[out->n++];
	return n;
}

static void note_max_bandwidth(const struct run_config *c, struct result_notes *out)
{
	double cap = c->params.max_bandwidth;
	int precopy = c->mode == MIG_MODE_PRECOPY &&
		      !((c->caps & CAP_POSTCOPY_RAM) && c->postcopy.rule == POSTCOPY_IMMEDIATELY);
	char *t, a[48], b[48];
	if (!precopy || cap <= 0 || c->bandwidth <= cap || !add_note(out, "max-bandwidth", &t))
		return;
	snprintf(t, RESULT_NOTE_LEN,
		 "the link (%s) is faster than max-bandwidth: pre-copy is capped at %s "
		 "(--param max-bandwidth=0 lifts it)",
		 units_fmt_rate(a, sizeof a, c->bandwidth), units_fmt_rate(b, sizeof b, cap));
}

/* Which figures went over the limit, as "downtime X (QEMU's figure) and
 * guest pause Y". */
static void over_limit(const struct mig_stats *st, int64_t limit, char *buf, size_t n)
{
	char a[48], b[48];
	units_fmt_duration(a, sizeof a, st->downtime);
	units_fmt_duration(b, sizeof b, st->guest_pause);
	if (st->downtime > limit && st->guest_pause > limit)
		snprintf(buf, n, "downtime %s (QEMU's figure) and guest pause %s", a, b);
	else if (st->downtime > limit)
		snprintf(buf, n, "downtime %s (QEMU's figure)", a);
	else
		snprintf(buf, n, "guest pause %s (downtime, QEMU's figure: %s)", b, a);
}

/* The stop's parts, from what the migration measured (sim/mig.h, stop_ram
 * and stop_written). */
static void note_downtime(const struct run_config *c, const struct run_result *r,
			  struct result_notes *out)
{
	const struct mig_stats *st = &r->stats;
	int64_t limit = c->params.downtime_limit;
	char *t, what[160], l[48], a[48], b[48], d[48], f[48];
	if (r->status != MIG_STATUS_COMPLETED ||
	    (st->downtime <= limit && st->guest_pause <= limit) || !add_note(out, "downtime", &t))
		return;
	over_limit(st, limit, what, sizeof what);
	units_fmt_duration(l, sizeof l, limit);
	units_fmt_duration(a, sizeof a, st->stop_ram);
	units_fmt_duration(b, sizeof b, st->stop_written - st->stop_ram);
	units_fmt_duration(d, sizeof d, st->guest_pause - st->stop_written);
	units_fmt_bytes(f, sizeof f, (double)c->params.device_state_size);
	if (st->ended_in == MIG_PHASE_POSTCOPY) {
		snprintf(t, RESULT_NOTE_LEN,
			 "%s exceeded downtime-limit %s: at the switch to post-copy the final "
			 "sync and the discard list took %s, the package with the device state "
			 "(%s) %s; the send buffer's drain, the package's transfer and the "
			 "destination's switch work %s more of "
			 "the guest's pause%s",
			 what, l, a, f, b, d,
			 st->downtime_to_completion
			     ? " (QEMU's figure ran on to the end of post-copy: the switch took "
			       "it under a millisecond, which it reads as not measured)"
			     : "");
		return;
	}
	const struct mig_pass *last = r->n_passes ? &r->passes[r->n_passes - 1] : NULL;
	char ram[160];
	if (c->mode == MIG_MODE_STOP_AND_COPY)
		snprintf(ram, sizeof ram, "all of RAM, sent while stopped (stop-and-copy), took %s",
			 a);
	else
		snprintf(ram, sizeof ram,
			 "the tail of the last pass (%llu pages dirty at the final sync) took %s",
			 (unsigned long long)(last ? last->pages : 0), a);
	snprintf(t, RESULT_NOTE_LEN,
		 "%s exceeded downtime-limit %s: %s, the device state (%s) %s; the send "
		 "buffer's drain and the latency %s more of the guest's pause",
		 what, l, ram, f, b, d);
}

static void note_postcopy_unused(const struct run_config *c, const struct run_result *r,
				 struct result_notes *out)
{
	char *t, rule[64], a[48];
	if (!(c->caps & CAP_POSTCOPY_RAM) || r->status != MIG_STATUS_COMPLETED ||
	    r->stats.ended_in == MIG_PHASE_POSTCOPY || !add_note(out, "postcopy-unused", &t))
		return;
	snprintf(t, RESULT_NOTE_LEN,
		 "post-copy was requested (%s) but the migration completed in pre-copy: the "
		 "pending bytes fell below the switch-over threshold (%s) before the rule fired",
		 postcopy_format(&c->postcopy, rule, sizeof rule),
		 units_fmt_bytes(a, sizeof a, (double)r->stats.threshold));
}

/* The policy to try on a pre-copy that did not converge, by the
 * first rule that holds: xbzrle when the pages re-dirtied changed few of
 * their bytes, auto-converge when the guest is CPU-bound, post-copy
 * otherwise. A policy already in force is passed over. */
static void advice(const struct run_config *c, const struct run_result *r, char *buf, size_t n)
{
	char rule[64];
	if (!(c->caps & CAP_XBZRLE) && r->changed_pages &&
	    r->changed_bytes * FEW_BYTES_CHANGED <= c->page_size)
		snprintf(buf, n,
			 "try xbzrle (--cap xbzrle): the pages dirtied again changed %.0f "
			 "of their %u bytes on average (%llu compared), and XBZRLE sends only "
			 "those",
			 r->changed_bytes, c->page_size, (unsigned long long)r->changed_pages);
	else if (!(c->caps & CAP_AUTO_CONVERGE) && r->cpu_share >= CPU_BOUND)
		snprintf(buf, n,
			 "try auto-converge (--cap auto-converge): the guest computes "
			 "%.0f %% of its time, so throttling its CPU slows its writes",
			 r->cpu_share * 100);
	else if (!(c->caps & CAP_POSTCOPY_RAM))
		snprintf(buf, n,
			 "try post-copy (--postcopy after-first-pass): it ends without "
			 "waiting for the dirty rate to fall");
	else
		snprintf(buf, n,
			 "post-copy was requested (%s) but its rule never fired: one that fires "
			 "sooner (--postcopy after-first-pass) would switch",
			 postcopy_format(&c->postcopy, rule, sizeof rule));
}

static void note_no_convergence(const struct run_config *c, const struct run_result *r,
				struct result_notes *out)
{
	const struct mig_stats *st = &r->stats;
	char *t, help[320], a[48], b[48], d[48], f[48];
	if (r->status != MIG_STATUS_FAILED || st->ended_in != MIG_PHASE_ACTIVE ||
	    !add_note(out, "no-convergence", &t))
		return;
	advice(c, r, help, sizeof help);
	double dirty = st->dirty_pages_rate * (double)c->page_size;
	units_fmt_rate(a, sizeof a, dirty);
	units_fmt_rate(b, sizeof b, st->bandwidth);
	if (st->dirty_sync_count < 2) /* the setup's sync only */
		snprintf(t, RESULT_NOTE_LEN,
			 "pre-copy did not converge: the timeout came before its first pass over "
			 "RAM ended (%s still to send at %s), whatever the guest does: a longer "
			 "--timeout or a faster link would help",
			 units_fmt_bytes(d, sizeof d, (double)st->remaining), b);
	else if (dirty <= 0)
		snprintf(t, RESULT_NOTE_LEN,
			 "pre-copy did not converge, and no dirty rate was measured (no sync "
			 "period of 1 s ended); %s",
			 help);
	else if (dirty >= st->bandwidth)
		snprintf(t, RESULT_NOTE_LEN,
			 "pre-copy did not converge: the guest dirtied %s, faster than the %s "
			 "the migration sent (the last dirty-rate period against QEMU's bandwidth "
			 "estimate); %s",
			 a, b, help);
	else
		snprintf(t, RESULT_NOTE_LEN,
			 "pre-copy did not converge: the guest dirtied %s, less than the %s the "
			 "migration sent, but the %s pending never fell below the switch-over "
			 "threshold of %s (bandwidth x downtime-limit); %s",
			 a, b, units_fmt_bytes(d, sizeof d, (double)st->remaining),
			 units_fmt_bytes(f, sizeof f, (double)st->threshold), help);
}

static void note_shared_cpu(const struct run_config *c, const struct run_result *r,
			    struct result_notes *out)
{
	const struct mig_stats *st = &r->stats;
	char *t, a[48], b[48];
	if (c->params.host_cpus != 1 || st->thread_cpu * 4 <= st->total_time ||
	    !add_note(out, "shared-cpu", &t))
		return;
	snprintf(t, RESULT_NOTE_LEN,
		 "the guest and the migration thread shared a CPU (host-cpus=1): the thread "
		 "computed %s of the %s migration (%.0f %%), which a computing guest lost, "
		 "and waited through the guest's slices",
		 units_fmt_duration(a, sizeof a, st->thread_cpu),
		 units_fmt_duration(b, sizeof b, st->total_time),
		 100.0 * (double)st->thread_cpu / (double)st->total_time);
}

/* The method's fallback: the summary's line and the note's text. */
static void method_fallback(const struct run_config *c, const char *who, char *buf, size_t n)
{
	const char *m = params_multifd_compression_name(c->params.multifd_compression);
	snprintf(buf, n,
		 "multifd-compression %s was requested but is not supported by %s (capability "
		 "multifd-%s): multifd ran with %s",
		 m, who, m, params_multifd_compression_name(run_multifd_compression(c)));
}

static void note_method(const struct run_config *c, struct result_notes *out)
{
	const char *who = run_method_lacking(c);
	char *t;
	if (!who || !add_note(out, "multifd-compression", &t))
		return;
	method_fallback(c, who, t, RESULT_NOTE_LEN);
}

void result_notes(const struct run_config *c, const struct run_result *r, struct result_notes *out)
{
	out->n = 0;
	note_method(c, out);
	note_max_bandwidth(c, out);
	note_downtime(c, r, out);
	note_postcopy_unused(c, r, out);
	note_no_convergence(c, r, out);
	note_shared_cpu(c, r, out);
}

static void notes_json(const struct run_config *c, const struct run_result *r, jw *w)
{
	struct result_notes notes;
	result_notes(c, r, &notes);
	jw_arr(w, "notes");
	for (size_t i = 0; i < notes.n; i++) {
		jw_obj(w, NULL);
		jw_str(w, "kind", notes.note[i].kind);
		jw_str(w, "text", notes.note[i].text);
		jw_end(w);
	}
	jw_end(w);
}

/* query-block-jobs' reply, as QEMU gives it for the job of a storage
 * migration: one job over all the guest's disks (QEMU has one a disk). */
static void block_jobs_json(const struct run_config *c, const struct run_result *r, jw *w)
{
	const struct storage_stats *ss = &r->storage;
	int mirror = c->storage.policy == STORAGE_PRECOPY;
	jw_arr(w, "block-jobs");
	jw_obj(w, NULL);
	jw_str(w, "type", mirror ? "mirror" : "stream");
	jw_str(w, "device", "drive-virtio-disk0");
	jw_uint(w, "len", ss->len);
	jw_uint(w, "offset", ss->offset);
	jw_num(w, "speed", mirror ? 0 : c->params.stream_speed);
	jw_bool(w, "ready", mirror ? ss->ready : ss->done_at >= 0);
	jw_bool(w, "busy", ss->dirty > 0);
	jw_bool(w, "paused", 0);
	jw_str(w, "io-status", "ok");
	jw_end(w);
	jw_end(w);
}

/* The storage migration's own figures (docs/model.md, "Storage"). */
static void storage_json(const struct run_config *c, const struct run_result *r, jw *w)
{
	const struct storage_stats *ss = &r->storage;
	if (ss->active) {
		jw_obj(w, "storage");
		jw_str(w, "policy", storage_policy_name(c->storage.policy));
		jw_uint(w, "bytes", ss->bytes);
		jw_uint(w, "clusters-copied", ss->clusters_copied);
		jw_uint(w, "zero-clusters-skipped", ss->zero_skipped);
		jw_uint(w, "passes", ss->passes);
		jw_int(w, "ready-ns", ss->ready_at);
		jw_int(w, "cutover-ns", ss->cutover);
		jw_int(w, "done-ns", ss->done_at);
		jw_uint(w, "dirty-clusters", ss->dirty);
		jw_uint(w, "fetches", ss->fetches);
		jw_uint(w, "fetch-bytes", ss->fetch_bytes);
		jw_uint(w, "blocked-writes", ss->blocked_writes);
		jw_int(w, "io-stall-ns", ss->io_stall);
		jw_bool(w, "verified", ss->verified);
		jw_end(w);
	}
	if (r->outcome[0]) {
		jw_obj(w, "failure");
		jw_str(w, "outcome", r->outcome);
		jw_uint(w, "lost-ram-pages", r->lost_pages);
		jw_uint(w, "lost-disk-clusters", r->lost_clusters);
		jw_end(w);
	}
}

static void migsim_json(const struct run_config *c, const struct run_result *r, jw *w)
{
	const struct mig_stats *st = &r->stats;
	jw_obj(w, "migsim");
	jw_str(w, "version", MIGSIM_VERSION);
	jw_str(w, "workload", r->wl_name);
	jw_raw(w, "workload-params", r->wl_params_json);
	char policy[160];
	jw_str(w, "policy", result_policy(c, policy, sizeof policy));
	jw_uint(w, "seed", c->seed);
	jw_int(w, "total-time-ns", st->total_time);
	jw_int(w, "downtime-ns", st->downtime);
	jw_int(w, "guest-pause-ns", st->guest_pause);
	jw_int(w, "thread-cpu-ns", st->thread_cpu);
	jw_int(w, "setup-time-ns", st->setup_time);
	jw_num(w, "bandwidth-estimate", st->bandwidth);
	jw_uint(w, "threshold-bytes", st->threshold);
	jw_uint(w, "iterations", r->n_passes);
	jw_int(w, "switchover-ns", st->switchover);
	jw_int(w, "postcopy-blocktime-ns", st->postcopy_blocktime);
	jw_int(w, "effective-downtime-ns", sat_add(st->guest_pause, st->early_blocktime));
	jw_int(w, "risk-window-ns", result_risk_window(r));
	jw_int(w, "risk-window-ram-ns", st->risk_window);
	jw_int(w, "risk-window-disk-ns", r->storage.risk_window);
	jw_int(w, "max-cpu-throttle-percentage", st->max_throttle_pct);
	jw_uint(w, "guest-steps", r->guest_steps);
	jw_uint(w, "baseline-steps", r->baseline_steps);
	jw_num(w, "guest-progress", result_progress(r));
	jw_bool(w, "verified", r->status == MIG_STATUS_COMPLETED);
	jw_uint(w, "host-bytes", r->host_bytes);
	storage_json(c, r, w);
	passes_json(r, w);
	notes_json(c, r, w);
	jw_obj(w, "config");
	config_fields(c, w);
	jw_end(w);
	jw_end(w);
}

void result_json(const struct run_config *c, const struct run_result *r, jw *w)
{
	const struct mig_stats *st = &r->stats;
	jw_obj(w, NULL);
	jw_str(w, "status", status_name(r->status));
	jw_int(w, "total-time", ms(st->total_time));
	if (r->status == MIG_STATUS_COMPLETED)
		jw_int(w, "downtime", ms(st->downtime));
	jw_int(w, "setup-time", ms(st->setup_time));
	if (r->status == MIG_STATUS_FAILED)
		jw_str(w, "error-desc", r->error);
	if (c->caps & CAP_POSTCOPY_RAM) {
		jw_int(w, "postcopy-blocktime", ms(st->postcopy_blocktime));
		jw_arr(w, "postcopy-vcpu-blocktime");
		jw_int(w, NULL, ms(st->postcopy_blocktime)); /* one vCPU */
		jw_end(w);
	}
	if (c->caps & CAP_AUTO_CONVERGE) /* QEMU shows it while throttling: here, at switch-over */
		jw_int(w, "cpu-throttle-percentage", st->cpu_throttle_percentage);
	ram_json(r, w);
	if (c->caps & CAP_XBZRLE)
		xbzrle_json(&st->xbzrle, w);
	if (r->storage.active)
		block_jobs_json(c, r, w);
	if (c->caps & CAP_MULTIFD)
		multifd_json(&st->multifd, w);
	migsim_json(c, r, w);
	jw_end(w);
}

/* Where QEMU's downtime ended in this run (sim/mig.c, mig_downtime_end). */
static const char *downtime_end_words(const struct run_config *c, const struct mig_stats *st)
{
	if (!(c->caps & CAP_POSTCOPY_RAM))
		return "the last write of the completion stage";
	if (st->risk_window == 0) /* completed as pre-copy, return path open */
		return "the destination's reply once it runs the guest";
	if (st->downtime_to_completion)
		return "the end of post-copy (its switch took under a millisecond)";
	return "the post-copy package written";
}

static void storage_summary(const struct run_config *c, const struct run_result *r, FILE *out)
{
	const struct storage_stats *ss = &r->storage;
	char a[48], b[48], d[48];
	if (c->storage.policy == STORAGE_PRECOPY)
		fprintf(out,
			"storage       drive-mirror (%s): %s in %llu passes, ready at %s, "
			"%llu writes blocked, guest I/O stall %s\n",
			storage_copy_mode_name(c->storage.copy_mode),
			units_fmt_bytes(a, sizeof a, (double)ss->bytes),
			(unsigned long long)ss->passes,
			ss->ready_at < 0 ? "never" : units_fmt_duration(b, sizeof b, ss->ready_at),
			(unsigned long long)ss->blocked_writes,
			units_fmt_duration(d, sizeof d, ss->io_stall));
	else
		fprintf(
		    out,
		    "storage       block-stream: %s, %llu copy-on-read fetches, guest I/O stall "
		    "%s, disk risk window %s\n",
		    units_fmt_bytes(a, sizeof a, (double)ss->bytes),
		    (unsigned long long)ss->fetches, units_fmt_duration(b, sizeof b, ss->io_stall),
		    units_fmt_duration(d, sizeof d, ss->risk_window));
}

/* " (2 channels, zstd level 1, zero pages: multifd)" when multifd is on. */
static const char *multifd_words(const struct run_config *c, char *buf, size_t n)
{
	struct mig_params in_force = c->params;
	in_force.multifd_compression = run_multifd_compression(c);
	const struct mig_params *p = &in_force;
	buf[0] = 0;
	if (!(c->caps & CAP_MULTIFD))
		return buf;
	char level[32] = "";
	if (p->multifd_compression == MULTIFD_COMP_ZLIB ||
	    p->multifd_compression == MULTIFD_COMP_ZSTD)
		snprintf(level, sizeof level, " level %d", params_multifd_level(p));
	static const char *const zero[] = {"legacy", "none", "multifd"};
	snprintf(buf, n, " (%d channel%s, %s%s, zero pages: %s)", p->multifd_channels,
		 p->multifd_channels == 1 ? "" : "s",
		 params_multifd_compression_name(p->multifd_compression), level,
		 zero[p->zero_page_detection]);
	return buf;
}

static void multifd_summary(const struct mig_stats *st, FILE *out)
{
	const struct mig_multifd *x = &st->multifd;
	char a[48], b[48], d[48], f[48], g[48];
	fprintf(out,
		"multifd       %s in %llu packets (+%llu syncs); pages %s -> %s (%.2fx); channel "
		"CPU %s (busiest %s)\n",
		units_fmt_bytes(a, sizeof a, (double)st->multifd_bytes),
		(unsigned long long)x->packets, (unsigned long long)x->sync_packets,
		units_fmt_bytes(b, sizeof b, (double)x->raw_bytes),
		units_fmt_bytes(d, sizeof d, (double)x->payload_bytes),
		x->payload_bytes ? (double)x->raw_bytes / (double)x->payload_bytes : 0.0,
		units_fmt_duration(f, sizeof f, x->channel_cpu),
		units_fmt_duration(g, sizeof g, x->busiest_cpu));
}

void result_summary(const struct run_config *c, const struct run_result *r, FILE *out)
{
	const struct mig_stats *st = &r->stats;
	char a[48], b[48], d[48], f[48], policy[160], mf[96];
	fprintf(out,
		"workload      %s on a %s guest (--guest), %s of RAM, %s link, %s%s, seed %llu\n",
		r->wl_name, c->guest, units_fmt_bytes(a, sizeof a, (double)c->ram_bytes),
		units_fmt_rate(b, sizeof b, c->bandwidth), result_policy(c, policy, sizeof policy),
		multifd_words(c, mf, sizeof mf), (unsigned long long)c->seed);
	unsigned lacking = c->caps_requested & ~c->caps;
	if (lacking) {
		char l[128], in[128];
		fprintf(
		    out,
		    "capabilities  %s not supported by the sides that need it: running with %s\n",
		    caps_format(lacking, l, sizeof l), caps_format(c->caps, in, sizeof in));
	}
	const char *who = run_method_lacking(c);
	if (who) {
		char t[256];
		method_fallback(c, who, t, sizeof t);
		fprintf(out, "capabilities  %s\n", t);
	}
	if (r->status == MIG_STATUS_COMPLETED)
		fprintf(out, "status        completed (destination verified identical)\n");
	else
		fprintf(out, "status        failed: %s\n", r->error);
	fprintf(out, "total time    %s\n", units_fmt_duration(a, sizeof a, st->total_time));
	if (r->status == MIG_STATUS_COMPLETED)
		fprintf(out,
			"downtime      %s (limit %s): QEMU's figure, on the source, from the "
			"stop to %s\n",
			units_fmt_duration(a, sizeof a, st->downtime),
			units_fmt_duration(b, sizeof b, c->params.downtime_limit),
			downtime_end_words(c, st));
	if (r->status == MIG_STATUS_COMPLETED || st->guest_pause)
		fprintf(out,
			"guest pause   %s: the guest's real pause, from the stop on the source to "
			"its vCPUs running on the destination\n",
			units_fmt_duration(a, sizeof a, st->guest_pause));
	fprintf(out, "setup time    %s\n", units_fmt_duration(a, sizeof a, st->setup_time));
	fprintf(out, "transferred   %s: %llu normal pages (%s), %llu zero pages\n",
		units_fmt_bytes(a, sizeof a, (double)st->transferred),
		(unsigned long long)st->normal,
		units_fmt_bytes(d, sizeof d, (double)st->normal_bytes),
		(unsigned long long)st->duplicate);
	if (c->caps & CAP_XBZRLE)
		fprintf(
		    out,
		    "xbzrle        %llu pages as deltas (%s), %llu cache misses, %llu overflows\n",
		    (unsigned long long)st->xbzrle.pages,
		    units_fmt_bytes(a, sizeof a, (double)st->xbzrle.bytes),
		    (unsigned long long)st->xbzrle.cache_miss,
		    (unsigned long long)st->xbzrle.overflow);
	if (c->caps & CAP_MULTIFD)
		multifd_summary(st, out);
	fprintf(out, "passes        %llu bitmap syncs, throughput %s\n",
		(unsigned long long)st->dirty_sync_count,
		units_fmt_rate(a, sizeof a, st->mbps * 1e6 / 8));
	if (st->ended_in == MIG_PHASE_POSTCOPY)
		fprintf(out,
			"post-copy     switch at %s, %llu page requests, guest blocked %s "
			"(%s in its first second), risk window %s\n",
			units_fmt_duration(a, sizeof a, st->switchover),
			(unsigned long long)st->postcopy_requests,
			units_fmt_duration(b, sizeof b, st->postcopy_blocktime),
			units_fmt_duration(d, sizeof d, st->early_blocktime),
			units_fmt_duration(f, sizeof f, st->risk_window));
	if (r->storage.active)
		storage_summary(c, r, out);
	if (r->outcome[0])
		fprintf(out, "failure       %s: %llu RAM pages and %llu disk clusters lost\n",
			r->outcome, (unsigned long long)r->lost_pages,
			(unsigned long long)r->lost_clusters);
	if (st->max_throttle_pct)
		fprintf(out, "throttle      up to %d %% (auto-converge), %d %% at switch-over\n",
			st->max_throttle_pct, st->cpu_throttle_percentage);
	fprintf(out, "guest         %.3f of an unmigrated run's progress (%llu of %llu steps)\n",
		result_progress(r), (unsigned long long)r->guest_steps,
		(unsigned long long)r->baseline_steps);
}

/* Only for runs with a storage migration or an injected failure: the
 * metrics of others stay as they were. */
static size_t storage_metrics(const struct run_result *r, struct store_metric *m, size_t cap)
{
	const struct storage_stats *ss = &r->storage;
	const struct store_metric disk[] = {
	    {"disk-bytes", (double)ss->bytes},
	    {"disk-passes", (double)ss->passes},
	    {"disk-ready", ss->ready_at < 0 ? -1 : (double)ss->ready_at / NS_PER_MS},
	    {"disk-cutover", ss->cutover < 0 ? -1 : (double)ss->cutover / NS_PER_MS},
	    {"disk-done", ss->done_at < 0 ? -1 : (double)ss->done_at / NS_PER_MS},
	    {"disk-fetches", (double)ss->fetches},
	    {"disk-blocked-writes", (double)ss->blocked_writes},
	    {"disk-io-stall", (double)ss->io_stall / NS_PER_MS},
	    {"risk-window-ram", (double)r->stats.risk_window / NS_PER_MS},
	    {"risk-window-disk", (double)ss->risk_window / NS_PER_MS},
	    {"disk-verified", (double)ss->verified},
	};
	const struct store_metric lost[] = {
	    {"lost-ram-pages", (double)r->lost_pages},
	    {"lost-disk-clusters", (double)r->lost_clusters},
	};
	size_t n = 0;
	for (size_t i = 0; ss->active && i < sizeof disk / sizeof *disk; i++, n++)
		if (n < cap)
			m[n] = disk[i];
	for (size_t i = 0; r->outcome[0] && i < sizeof lost / sizeof *lost; i++, n++)
		if (n < cap)
			m[n] = lost[i];
	return n;
}

size_t result_metrics(const struct run_result *r, struct store_metric *m, size_t cap)
{
	const struct mig_stats *st = &r->stats;
	const struct store_metric all[] = {
	    {"total-time", (double)st->total_time / NS_PER_MS},
	    {"downtime", (double)st->downtime / NS_PER_MS},
	    {"setup-time", (double)st->setup_time / NS_PER_MS},
	    {"transferred", (double)st->transferred},
	    {"remaining", (double)st->remaining},
	    {"total", (double)st->total},
	    {"duplicate", (double)st->duplicate},
	    {"normal", (double)st->normal},
	    {"normal-bytes", (double)st->normal_bytes},
	    {"dirty-sync-count", (double)st->dirty_sync_count},
	    {"dirty-pages-rate", st->dirty_pages_rate},
	    {"mbps", st->mbps},
	    {"pages-per-second", st->pages_per_second},
	    {"precopy-bytes", (double)st->precopy_bytes},
	    {"downtime-bytes", (double)st->downtime_bytes},
	    {"postcopy-bytes", (double)st->postcopy_bytes},
	    {"guest-progress", result_progress(r)},
	    {"iterations", (double)r->n_passes},
	    {"cpu-throttle-percentage", (double)st->max_throttle_pct},
	    {"postcopy-requests", (double)st->postcopy_requests},
	    {"postcopy-blocktime", (double)st->postcopy_blocktime / NS_PER_MS},
	    {"guest-pause", (double)st->guest_pause / NS_PER_MS},
	    {"thread-cpu", (double)st->thread_cpu / NS_PER_MS},
	    {"effective-downtime",
	     (double)sat_add(st->guest_pause, st->early_blocktime) / NS_PER_MS},
	    {"risk-window", (double)result_risk_window(r) / NS_PER_MS},
	    {"xbzrle-cache.bytes", (double)st->xbzrle.bytes},
	    {"xbzrle-cache.pages", (double)st->xbzrle.pages},
	    {"xbzrle-cache.cache-miss", (double)st->xbzrle.cache_miss},
	    {"xbzrle-cache.cache-miss-rate", st->xbzrle.cache_miss_rate},
	    {"xbzrle-cache.encoding-rate", st->xbzrle.encoding_rate},
	    {"xbzrle-cache.overflow", (double)st->xbzrle.overflow},
	    {"multifd-bytes", (double)st->multifd_bytes},
	    {"multifd.packets", (double)st->multifd.packets},
	    {"multifd.raw-bytes", (double)st->multifd.raw_bytes},
	    {"multifd.payload-bytes", (double)st->multifd.payload_bytes},
	    {"multifd.channel-cpu", (double)st->multifd.channel_cpu / NS_PER_MS},
	    {"multifd.busiest-cpu", (double)st->multifd.busiest_cpu / NS_PER_MS},
	    {"multifd.send-wait", (double)st->multifd.send_wait / NS_PER_MS},
	    {"verified", r->status == MIG_STATUS_COMPLETED ? 1.0 : 0.0},
	};
	size_t n = sizeof all / sizeof all[0];
	memcpy(m, all, (n < cap ? n : cap) * sizeof *m);
	return n + storage_metrics(r, m + (n < cap ? n : cap), n < cap ? cap - n : 0);
}

int result_record(store *db, const struct run_config *c, const struct run_result *r,
		  const char *reply, const struct result_sweep *sw, int64_t *id, err *e)
{
	jw cfg;
	jw_init(&cfg, 0);
	jw_obj(&cfg, NULL);
	config_fields(c, &cfg);
	if (sw && sw->canonical)
		jw_raw(&cfg, "sweep", sw->canonical);
	jw_end(&cfg);
	struct store_metric metrics[RESULT_METRICS_MAX];
	size_t n_metrics = result_metrics(r, metrics, RESULT_METRICS_MAX);
	if (n_metrics > RESULT_METRICS_MAX) {
		jw_free(&cfg);
		return err_set(e, "%zu metrics, room for %d (RESULT_METRICS_MAX)", n_metrics,
			       RESULT_METRICS_MAX);
	}
	char policy[160];
	int ok = r->status == MIG_STATUS_COMPLETED;
	struct result_notes notes;
	result_notes(c, r, &notes);
	struct store_run row = {
	    .key = sw ? sw->key : NULL,
	    .experiment = sw ? sw->experiment : NULL,
	    .workload = r->wl_name,
	    .workload_path = c->workload_path,
	    .wl_params = r->wl_params_json,
	    .policy = result_policy(c, policy, sizeof policy),
	    .config = jw_text(&cfg),
	    .seed = c->seed,
	    .status = ok ? "completed" : "failed",
	    .error = ok ? NULL : r->error,
	    .result = reply,
	    .metrics = metrics,
	    .n_metrics = n_metrics,
	    .series = r->series,
	    .n_series = r->n_series,
	    .notes = notes.note,
	    .n_notes = notes.n,
	};
	int rc = row.config ? store_put_run(db, &row, id, e) : err_set(e, "out of memory");
	jw_free(&cfg);
	return rc;
}
