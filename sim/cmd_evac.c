/*
 * cmd_evac — `migsim evacuate`, the compact command-line form of an
 * evacuation scenario (docs/evacuation.md): hosts, links or a switch, VMs,
 * the hosts to drain and the policy's knobs under KubeVirt's names. Every
 * check runs before the first simulated event: bad input is one line and
 * nothing recorded. Each VM's migration is recorded as a run of its own.
 */
#include "cmd_evac.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "config.h"
#include "evac.h"
#include "evac_file.h"
#include "json.h"
#include "result.h"
#include "store.h"
#include "units.h"

#define DEFAULT_DB  "results/migsim.db"
#define ARG_MAX_LEN 4096

static const char usage[] =
    "usage: migsim evacuate [SCENARIO.lua] --host SPEC... --vm SPEC... --drain HOST [options]\n"
    "\n"
    "Simulates moving every VM off the drained hosts, each migration the whole\n"
    "single-VM model, the migrations leaving a host sharing its NIC, started by\n"
    "the management layer's policy (KubeVirt's knobs and defaults). A scenario\n"
    "file gives the same options (docs/evacuation.md), and may sweep policy\n"
    "knobs: then one line per combination of their values; options given here\n"
    "come after the file's.\n"
    "\n"
    "  --host NAME:NIC[:ram=SIZE][:cpus=N]   a host, its NIC's rate (e.g. 10Gbit/s),\n"
    "                         optionally its RAM (checked) and CPUs (host-cpus of its VMs)\n"
    "  --switch RATE          the switch's per-port rate (default: no limit but the NICs)\n"
    "  --link A-B:RATE        a path between two hosts slower than their NICs, shared\n"
    "                         by the migrations crossing it (as a destination's NIC is)\n"
    "  --vm NAME:HOST:RAM:WORKLOAD[:KEY=VALUE...]   a VM on HOST; KEY is to (its\n"
    "                         destination; default: the placement rule), guest, seed,\n"
    "                         latency, disk, storage, mirror-copy-mode (as run's\n"
    "                         options), or a migration parameter (max-bandwidth is the\n"
    "                         policy's), wl.NAME (a workload parameter),\n"
    "                         e.g. vm1:a:2G:hotcold:to=b:guest=bare:wl.s=0\n"
    "  --drain HOST           a host to empty (repeatable)\n"
    "  --parallelMigrationsPerCluster N       (default 5)\n"
    "  --parallelOutboundMigrationsPerNode N  (default 2)\n"
    "  --bandwidthPerMigration RATE           (default 0: unlimited)\n"
    "  --completionTimeoutPerGiB DURATION     (default 800s)\n"
    "  --progressTimeout DURATION             (default 150s; 0: none)\n"
    "  --allowAutoConverge true|false         (default false)\n"
    "  --allowPostCopy true|false             (default false: cancel at the timeout)\n"
    "  --order RULE           as-listed (default), smallest-first, lowest-dirty-first,\n"
    "                         largest-first\n"
    "  --migrationAttempts N  migsim's: a migration the policy cancels (either\n"
    "                         timeout) is run again, a new one, until N have run\n"
    "                         (default 1: reported as failed)\n"
    "  --start DURATION       the VMs run this long before the evacuation (default 1s)\n"
    "  --seed N               VM i (from 0) has seed N+i unless it gives one (default 1)\n"
    "  --db FILE              database the VMs' runs are recorded in (default " DEFAULT_DB ")\n"
    "  --no-db                record nothing\n"
    "\n"
    "Exit status: 0 every migration completed, 3 one failed or was cancelled\n"
    "(recorded), 2 error of usage or input (nothing recorded).\n";

#define VM_WL_MAX 16 /* wl.NAME=VALUE settings of one VM */

struct evac_opts {
	struct evac_scenario s;
	char workloads[EVAC_MAX_VMS][ARG_MAX_LEN];
	char specs[EVAC_MAX_VMS][ARG_MAX_LEN]; /* the --vm texts, cut into its settings */
	struct wl_override wl[EVAC_MAX_VMS][VM_WL_MAX];
	const char *db;
	int quiet;
	uint64_t seed;
	int vm_seeded[EVAC_MAX_VMS];
};

static int fail(const char *what, const char *where)
{
	return cli_fail(CLI_EXIT_ERROR, what, where);
}

static int copy_name(char *dst, const char *src)
{
	size_t n = strlen(src);
	if (n == 0 || n >= EVAC_NAME_MAX)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

/* NAME:NIC[:ram=SIZE][:cpus=N] */
static int parse_host(struct evac_scenario *s, char *spec, err *e)
{
	if (s->n_hosts == EVAC_MAX_HOSTS)
		return err_set(e, "too many hosts (at most %d)", EVAC_MAX_HOSTS);
	struct evac_host *h = &s->hosts[s->n_hosts];
	char *save = NULL, *name = strtok_r(spec, ":", &save), *nic = strtok_r(NULL, ":", &save);
	if (!name || !nic)
		return err_set(e, "expected NAME:NIC[:ram=SIZE][:cpus=N]");
	if (copy_name(h->name, name) < 0)
		return err_set(e, "a host's name is 1 to %d characters", EVAC_NAME_MAX - 1);
	if (evac_host_find(s, name) >= 0)
		return err_set(e, "host %s given twice", name);
	if (units_rate(nic, &h->nic, e) < 0)
		return -1;
	if (!(h->nic > 0))
		return err_set(e, "a NIC's rate must be positive");
	for (char *kv; (kv = strtok_r(NULL, ":", &save));) {
		uint64_t n;
		if (!strncmp(kv, "ram=", 4)) {
			if (units_size(kv + 4, &h->ram, e) < 0)
				return -1;
		} else if (!strncmp(kv, "cpus=", 5)) {
			if (units_uint(kv + 5, &n, e) < 0)
				return -1;
			if (n < 1 || n > 1024)
				return err_set(e, "cpus must be 1 to 1024");
			h->cpus = (unsigned)n;
		} else {
			return err_set(e, "unknown host setting %s (ram=, cpus=)", kv);
		}
	}
	s->n_hosts++;
	return 0;
}

static int host_of(const struct evac_scenario *s, const char *name, size_t *out, err *e)
{
	int h = evac_host_find(s, name);
	if (h < 0)
		return err_set(e, "unknown host %s", name);
	*out = (size_t)h;
	return 0;
}

/* A-B:RATE */
static int parse_link(struct evac_scenario *s, char *spec, err *e)
{
	if (s->n_paths == EVAC_MAX_HOSTS)
		return err_set(e, "too many links (at most %d)", EVAC_MAX_HOSTS);
	struct evac_path *p = &s->paths[s->n_paths];
	char *colon = strrchr(spec, ':'), *dash = strchr(spec, '-');
	if (!colon || !dash || dash > colon)
		return err_set(e, "expected A-B:RATE");
	*colon = *dash = '\0';
	if (host_of(s, spec, &p->a, e) < 0 || host_of(s, dash + 1, &p->b, e) < 0 ||
	    units_rate(colon + 1, &p->rate, e) < 0)
		return -1;
	if (!(p->rate > 0))
		return err_set(e, "a link's rate must be positive");
	if (p->a == p->b)
		return err_set(e, "a link joins two different hosts");
	s->n_paths++;
	return 0;
}

/* A VM's KEY=VALUE: its destination, or a run setting or parameter. */
static int vm_setting(struct evac_opts *o, struct evac_vm *v, char *kv, err *e)
{
	char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return err_set(e, "expected KEY=VALUE, not %s", kv);
	*eq = '\0';
	const char *key = kv, *val = eq + 1;
	if (!strncmp(key, "wl.", 3) && key[3]) {
		if (v->c.n_wl_params == VM_WL_MAX)
			return err_set(e, "too many wl. settings (at most %d)", VM_WL_MAX);
		o->wl[o->s.n_vms][v->c.n_wl_params++] = (struct wl_override){key + 3, val};
		return 0;
	}
	if (!strcmp(key, "to"))
		return host_of(&o->s, val, &v->dest, e);
	if (!strcmp(key, "seed"))
		o->vm_seeded[o->s.n_vms] = 1;
	if (params_known(key))
		return params_set_value(&v->c.params, key, val, e);
	if (!strcmp(key, "guest") || !strcmp(key, "seed") || !strcmp(key, "latency") ||
	    !strcmp(key, "page-size") || !strcmp(key, "mode") || !strcmp(key, "cap") ||
	    !strcmp(key, "postcopy") || !strcmp(key, "disk") || !strcmp(key, "storage") ||
	    !strcmp(key, "mirror-copy-mode"))
		return config_set(&v->c, key, val, e);
	return err_set(e, "unknown VM setting %s", key);
}

/* NAME:HOST:RAM:WORKLOAD[:KEY=VALUE...]; the workload's parameters
 * (wl.NAME=VALUE) point into the copy of the text kept in o. */
static int parse_vm(struct evac_opts *o, const char *text, err *e)
{
	struct evac_scenario *s = &o->s;
	if (s->n_vms == EVAC_MAX_VMS)
		return err_set(e, "too many VMs (at most %d)", EVAC_MAX_VMS);
	char *spec = o->specs[s->n_vms];
	snprintf(spec, ARG_MAX_LEN, "%s", text);
	struct evac_vm *v = &s->vms[s->n_vms];
	run_config_defaults(&v->c);
	v->c.wl_params = o->wl[s->n_vms];
	v->dest = EVAC_ANY;
	char *save = NULL, *name = strtok_r(spec, ":", &save), *host = strtok_r(NULL, ":", &save),
	     *ram = strtok_r(NULL, ":", &save), *workload = strtok_r(NULL, ":", &save);
	if (!name || !host || !ram || !workload)
		return err_set(e, "expected NAME:HOST:RAM:WORKLOAD[:KEY=VALUE...]");
	if (copy_name(v->name, name) < 0)
		return err_set(e, "a VM's name is 1 to %d characters", EVAC_NAME_MAX - 1);
	for (size_t i = 0; i < s->n_vms; i++)
		if (!strcmp(s->vms[i].name, name))
			return err_set(e, "VM %s given twice", name);
	if (host_of(s, host, &v->host, e) < 0 || config_set(&v->c, "ram", ram, e) < 0)
		return -1;
	if (cli_resolve_workload(workload, o->workloads[s->n_vms], ARG_MAX_LEN) < 0)
		return err_set(e, "workload path too long");
	v->c.workload_path = o->workloads[s->n_vms];
	for (char *kv; (kv = strtok_r(NULL, ":", &save));)
		if (vm_setting(o, v, kv, e) < 0)
			return -1;
	const char *setting = NULL;
	if (config_check(&v->c, &setting, e) < 0)
		return -1;
	s->n_vms++;
	return 0;
}

static int parse_bool(const char *v, int *out, err *e)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes"))
		*out = 1;
	else if (!strcmp(v, "false") || !strcmp(v, "no"))
		*out = 0;
	else
		return err_set(e, "expected true or false");
	return 0;
}

static int parse_count(const char *v, unsigned *out, err *e)
{
	uint64_t n;
	if (units_uint(v, &n, e) < 0)
		return -1;
	if (n < 1 || n > 1000)
		return err_set(e, "must be at least 1 (and at most 1000)");
	*out = (unsigned)n;
	return 0;
}

/* The policy's knobs and the scenario's own settings. */
static int policy_option(struct evac_opts *o, const char *opt, const char *v, err *e)
{
	struct evac_policy *p = &o->s.policy;
	if (!strcmp(opt, "parallelMigrationsPerCluster"))
		return parse_count(v, &p->per_cluster, e);
	if (!strcmp(opt, "parallelOutboundMigrationsPerNode"))
		return parse_count(v, &p->per_node, e);
	if (!strcmp(opt, "bandwidthPerMigration"))
		return units_rate(v, &p->bandwidth, e);
	if (!strcmp(opt, "completionTimeoutPerGiB"))
		return units_duration(v, 1000000000, &p->completion_per_gib, e) < 0 ? -1
		       : p->completion_per_gib > 0				    ? 0
						   : err_set(e, "must be positive");
	if (!strcmp(opt, "progressTimeout"))
		return units_duration(v, 1000000000, &p->progress_timeout, e);
	if (!strcmp(opt, "allowAutoConverge"))
		return parse_bool(v, &p->allow_auto_converge, e);
	if (!strcmp(opt, "allowPostCopy"))
		return parse_bool(v, &p->allow_post_copy, e);
	if (!strcmp(opt, "order"))
		return evac_order_parse(v, &p->order, e);
	if (!strcmp(opt, "migrationAttempts"))
		return parse_count(v, &p->attempts, e);
	if (!strcmp(opt, "start"))
		return units_duration(v, 0, &o->s.start, e);
	if (!strcmp(opt, "switch"))
		return units_rate(v, &o->s.port_rate, e);
	if (!strcmp(opt, "seed"))
		return units_uint(v, &o->seed, e);
	return err_set(e, "unknown option");
}

static int drain(struct evac_scenario *s, const char *name, err *e)
{
	size_t h = 0;
	if (host_of(s, name, &h, e) < 0)
		return -1;
	s->hosts[h].drain = 1;
	return 0;
}

/* Hosts first, whatever the order given: the other options name them. */
static int parse_pass(struct evac_opts *o, int argc, char **argv, int hosts_pass)
{
	err e = {{0}};
	for (int i = 0; i < argc; i++) {
		const char *opt = argv[i];
		if (!strcmp(opt, "--quiet") || !strcmp(opt, "--no-db")) {
			if (!hosts_pass && !strcmp(opt, "--no-db"))
				o->db = NULL;
			o->quiet |= !strcmp(opt, "--quiet");
			continue;
		}
		if (strncmp(opt, "--", 2) != 0)
			return fail("unexpected argument", opt);
		if (i + 1 >= argc)
			return fail("option needs a value", opt);
		char val[ARG_MAX_LEN];
		if (!cli_fits(snprintf(val, sizeof val, "%s", argv[++i]), sizeof val))
			return fail("value too long", opt);
		int rc = 0;
		if (!strcmp(opt, "--host"))
			rc = hosts_pass ? parse_host(&o->s, val, &e) : 0;
		else if (hosts_pass)
			continue;
		else if (!strcmp(opt, "--link"))
			rc = parse_link(&o->s, val, &e);
		else if (!strcmp(opt, "--vm"))
			rc = parse_vm(o, val, &e);
		else if (!strcmp(opt, "--drain"))
			rc = drain(&o->s, val, &e);
		else if (!strcmp(opt, "--db"))
			o->db = argv[i];
		else
			rc = policy_option(o, opt + 2, val, &e);
		if (rc < 0) {
			char where[300];
			snprintf(where, sizeof where, "%s %.200s", opt, argv[i]);
			return fail(e.msg, where);
		}
	}
	return 0;
}

static int parse(struct evac_opts *o, const char *db, int argc, char **argv)
{
	evac_defaults(&o->s);
	o->db = db;
	o->seed = 1;
	int rc = parse_pass(o, argc, argv, 1);
	if (rc == 0)
		rc = parse_pass(o, argc, argv, 0);
	if (rc)
		return rc;
	if (!o->s.n_vms)
		return fail("no VM given", "--vm");
	for (size_t i = 0; i < o->s.n_vms; i++)
		if (!o->vm_seeded[i])
			o->s.vms[i].c.seed = o->seed + i;
	err e = {{0}};
	size_t vm;
	if (evac_check(&o->s, &vm, &e) < 0)
		return fail(e.msg, vm == EVAC_ANY ? "the evacuation" : o->s.vms[vm].name);
	return 0;
}

static const char *status_word(const struct evac_vm_result *vr)
{
	if (!vr->started)
		return "not started";
	if (vr->run.status == MIG_STATUS_COMPLETED)
		return vr->run.stats.ended_in == MIG_PHASE_POSTCOPY ? "completed (post-copy)"
								    : "completed";
	return vr->run.stats.ended_in == MIG_PHASE_POSTCOPY ? "failed in post-copy" : "cancelled";
}

/* The status, and the migrations it took when more than one. */
static const char *status_text(const struct evac_vm_result *vr, char *buf, size_t n)
{
	if (vr->attempts <= 1)
		return status_word(vr);
	snprintf(buf, n, "%s, attempt %u", status_word(vr), vr->attempts);
	return buf;
}

static void print_table(const struct evac_scenario *s, const struct evac_result *r)
{
	char a[32], b[32], c[32], d[32], st[64];
	printf("%-12s %-8s %-8s %10s %10s %10s %10s  %s\n", "vm", "from", "to", "start", "end",
	       "time", "downtime", "status");
	for (size_t i = 0; i < s->n_vms; i++) {
		const struct evac_vm *v = &s->vms[i];
		const struct evac_vm_result *vr = &r->vms[i];
		if (!s->hosts[v->host].drain)
			continue;
		printf("%-12s %-8s %-8s %10s %10s %10s %10s  %s\n", v->name, s->hosts[v->host].name,
		       s->hosts[v->dest].name, units_fmt_duration(a, sizeof a, vr->start),
		       units_fmt_duration(b, sizeof b, vr->end),
		       units_fmt_duration(c, sizeof c, vr->end - vr->start),
		       units_fmt_duration(d, sizeof d, vr->run.stats.downtime),
		       status_text(vr, st, sizeof st));
	}
	printf("drain time      %s\n", units_fmt_duration(a, sizeof a, r->drain_time));
	printf("downtime        total %s, max %s\n",
	       units_fmt_duration(a, sizeof a, r->total_downtime),
	       units_fmt_duration(b, sizeof b, r->max_downtime));
	printf("progress lost   %.3f s of guest work\n", r->progress_lost);
	printf("migrations      %u completed (%u in post-copy), %u cancelled or failed",
	       r->completed, r->postcopy, r->failed);
	if (r->retried)
		printf("; %u cancelled and run again", r->retried);
	printf("\n");
	for (size_t h = 0; h < s->n_hosts; h++)
		if (s->hosts[h].drain)
			printf("link %-10s %s sent, peak utilisation %.0f %%\n", s->hosts[h].name,
			       units_fmt_bytes(a, sizeof a, (double)r->links[h].bytes),
			       r->links[h].peak * 100);
}

/* An evacuation's options, as given (for the record). */
struct arglist {
	char **v;
	size_t n;
};

/* The evacuation's own figures, under the names docs/schema.md gives. */
static size_t evac_metrics(const struct evac_result *r, struct store_metric *m)
{
	size_t n = 0;
	m[n++] = (struct store_metric){"drain-time", (double)r->drain_time / 1e6};
	m[n++] = (struct store_metric){"total-downtime", (double)r->total_downtime / 1e6};
	m[n++] = (struct store_metric){"max-downtime", (double)r->max_downtime / 1e6};
	m[n++] = (struct store_metric){"progress-lost", r->progress_lost};
	m[n++] = (struct store_metric){"completed", r->completed};
	m[n++] = (struct store_metric){"failed", r->failed};
	m[n++] = (struct store_metric){"postcopy", r->postcopy};
	m[n++] = (struct store_metric){"peak-utilisation", r->peak_util};
	m[n++] = (struct store_metric){"retried", r->retried};
	return n;
}

static void links_json(const struct evac_scenario *s, const struct evac_result *r, jw *w)
{
	jw_arr(w, NULL);
	for (size_t h = 0; h < s->n_hosts; h++) {
		const struct evac_link_result *l = &r->links[h];
		if (!s->hosts[h].drain)
			continue;
		jw_obj(w, NULL);
		jw_str(w, "host", s->hosts[h].name);
		jw_num(w, "rate-bytes-per-s", s->hosts[h].nic);
		jw_uint(w, "bytes", l->bytes);
		jw_num(w, "peak", l->peak);
		jw_int(w, "period-ns", 100000000);
		jw_arr(w, "utilisation");
		for (size_t i = 0; i < l->n_util; i++)
			jw_num(w, NULL, l->util[i]);
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
}

/* The options, less where they were recorded. */
static void args_json(const struct arglist *a, jw *w)
{
	jw_arr(w, NULL);
	for (size_t i = 0; i < a->n; i++) {
		if (!strcmp(a->v[i], "--db"))
			i++;
		else if (strcmp(a->v[i], "--no-db") && strcmp(a->v[i], "--quiet"))
			jw_str(w, NULL, a->v[i]);
	}
	jw_end(w);
}

/* Each VM's run as `migsim run` records it, then the evacuation linking
 * them. */
static int record(const struct evac_opts *o, const struct evac_result *r, const char *experiment,
		  const struct arglist *a, store *db, err *e)
{
	struct store_evac_run *runs = calloc(o->s.n_vms, sizeof *runs);
	if (!runs)
		return err_set(e, "out of memory");
	size_t n = 0;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < o->s.n_vms; i++) {
		const struct evac_vm *v = &o->s.vms[i];
		const struct evac_vm_result *vr = &r->vms[i];
		if (!vr->started)
			continue;
		jw reply;
		jw_init(&reply, 0);
		result_json(&vr->c, &vr->run, &reply);
		struct result_sweep sw = {.experiment = experiment};
		struct store_evac_run *x = &runs[n++];
		*x = (struct store_evac_run){
		    .vm = v->name,
		    .source = o->s.hosts[v->host].name,
		    .destination = o->s.hosts[v->dest].name,
		    .start_ns = vr->start,
		    .end_ns = vr->end,
		};
		rc = jw_text(&reply)
			 ? result_record(db, &vr->c, &vr->run, jw_text(&reply), &sw, &x->run_id, e)
			 : err_set(e, "out of memory");
		jw_free(&reply);
	}
	jw scenario, links;
	jw_init(&scenario, 0);
	jw_init(&links, 0);
	args_json(a, &scenario);
	links_json(&o->s, r, &links);
	struct store_metric m[16];
	struct store_evacuation ev = {
	    .experiment = experiment,
	    .scenario = jw_text(&scenario),
	    .links = jw_text(&links),
	    .metrics = m,
	    .n_metrics = evac_metrics(r, m),
	    .runs = runs,
	    .n_runs = n,
	};
	if (rc == 0 && (!ev.scenario || !ev.links))
		rc = err_set(e, "out of memory");
	if (rc == 0)
		rc = store_put_evacuation(db, &ev, NULL, e);
	jw_free(&scenario);
	jw_free(&links);
	free(runs);
	return rc;
}

/* The options of one evacuation: the file's, the sweep's values of
 * combination k, then the command line's. */

static int build_args(const struct evac_file *f, size_t k, int argc, char **argv, struct arglist *a)
{
	size_t n = f->argc + 2 * f->n_axes + (size_t)argc;
	a->v = calloc(n + 1, sizeof *a->v);
	if (!a->v)
		return -1;
	a->n = 0;
	for (size_t i = 0; i < f->argc; i++)
		a->v[a->n++] = f->argv[i];
	for (size_t x = 0; x < f->n_axes; x++) {
		const struct evac_axis *ax = &f->axes[x];
		a->v[a->n++] = ax->option;
		a->v[a->n++] = ax->values[k % ax->n];
		k /= ax->n;
	}
	for (int i = 0; i < argc; i++)
		a->v[a->n++] = argv[i];
	return 0;
}

static size_t combinations(const struct evac_file *f)
{
	size_t n = 1;
	for (size_t x = 0; x < f->n_axes; x++)
		n *= f->axes[x].n;
	return n;
}

static void print_row_head(const struct evac_file *f)
{
	for (size_t x = 0; x < f->n_axes; x++)
		printf("%-*s ", (int)strlen(f->axes[x].option) - 2, f->axes[x].option + 2);
	printf("%10s %10s %10s %6s %9s %8s %6s\n", "drain", "max-down", "sum-down", "failed",
	       "post-copy", "lost-s", "peak");
}

static void print_row(const struct evac_file *f, size_t k, const struct evac_result *r)
{
	char a[32], b[32], c[32];
	for (size_t x = 0; x < f->n_axes; x++) {
		const struct evac_axis *ax = &f->axes[x];
		printf("%-*s ", (int)strlen(ax->option) - 2, ax->values[k % ax->n]);
		k /= ax->n;
	}
	printf("%10s %10s %10s %6u %9u %8.2f %5.0f%%\n",
	       units_fmt_duration(a, sizeof a, r->drain_time),
	       units_fmt_duration(b, sizeof b, r->max_downtime),
	       units_fmt_duration(c, sizeof c, r->total_downtime), r->failed, r->postcopy,
	       r->progress_lost, r->peak_util * 100);
}

/* One evacuation: parsed (bad input: one line, nothing run), run, recorded,
 * printed whole or as the sweep's row k. */
static int evacuate(const struct evac_file *f, size_t k, int argc, char **argv, const char *db_path,
		    store **db)
{
	struct evac_opts *o = calloc(1, sizeof *o);
	struct evac_result *r = calloc(1, sizeof *r);
	struct arglist a = {0};
	int rc = 0;
	if (!o || !r || build_args(f, k, argc, argv, &a) < 0)
		rc = fail("out of memory", "evacuate");
	if (rc == 0)
		rc = parse(o, db_path, (int)a.n, a.v);
	err e = {{0}};
	if (rc == 0 && o->db && !*db) {
		if (!strcmp(o->db, DEFAULT_DB))
			mkdir("results", 0777); /* failure shows in store_open */
		if (store_open(db, o->db, &e) < 0)
			rc = fail(e.msg, "--db");
	}
	if (rc == 0 && evac_execute(&o->s, r, &e) < 0)
		rc = fail(e.msg, "evacuate");
	else if (rc == 0) {
		if (o->db && record(o, r, f->name, &a, *db, &e) < 0)
			rc = fail(e.msg, "--db");
		if (f->n_axes)
			print_row(f, k, r);
		else
			print_table(&o->s, r);
		fflush(stdout);
		if (rc == 0 && r->failed)
			rc = CLI_EXIT_FAILED_MIGRATION;
		evac_result_free(r);
	}
	free(a.v);
	free(o);
	free(r);
	return rc;
}

/* The scenario file, when the first argument names one; its --db comes
 * from the command line only. */
static int load_file(int *argc, char ***argv, struct evac_file *f)
{
	memset(f, 0, sizeof *f);
	if (*argc == 0 || !strncmp((*argv)[0], "--", 2))
		return 0;
	err e = {{0}};
	if (evac_file_load((*argv)[0], f, &e) < 0)
		return cli_fail_in_file(CLI_EXIT_ERROR, e.msg, (*argv)[0]);
	(*argc)--;
	(*argv)++;
	return 0;
}

static const char *db_option(int argc, char **argv)
{
	const char *db = DEFAULT_DB;
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[i + 1];
	return db;
}

int cmd_evacuate(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(usage, stdout);
		return 0;
	}
	struct evac_file f;
	int rc = load_file(&argc, &argv, &f);
	if (rc)
		return rc;
	const char *db_path = db_option(argc, argv);
	store *db = NULL;
	size_t n = combinations(&f);
	/* Every combination is checked before the first runs. */
	for (size_t k = 0; rc == 0 && k < n && f.n_axes; k++) {
		struct evac_opts *o = calloc(1, sizeof *o);
		struct arglist a = {0};
		rc = !o || build_args(&f, k, argc, argv, &a) < 0 ? fail("out of memory", "evacuate")
								 : parse(o, NULL, (int)a.n, a.v);
		free(a.v);
		free(o);
	}
	if (rc == 0 && f.n_axes)
		print_row_head(&f);
	int failed = 0;
	for (size_t k = 0; rc == 0 && k < n; k++) {
		rc = evacuate(&f, k, argc, argv, db_path, &db);
		if (rc == CLI_EXIT_FAILED_MIGRATION && f.n_axes) {
			failed = 1;
			rc = 0;
		}
	}
	store_close(db);
	evac_file_free(&f);
	return rc == 0 && failed ? CLI_EXIT_FAILED_MIGRATION : rc;
}
