/*
 * main — the migsim command line: parses a subcommand's options, runs it, and
 * reports. Every error reaches the user as one line
 * "migsim: <what> (<where>)" on stderr and a non-zero exit status; library
 * code only fills an err, it never prints.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_evac.h"
#include "cmd_sweep.h"
#include "config.h"
#include "compare.h"
#include "err.h"
#include "journal.h"
#include "json.h"
#include "params.h"
#include "report.h"
#include "result.h"
#include "run.h"
#include "store.h"
#include "units.h"
#include "wl.h"

#define DEFAULT_DB "results/migsim.db"
#define MAX_REPEAT 64

static const char default_db[] = DEFAULT_DB;

static const char usage[] =
    "usage: migsim COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run WORKLOAD.lua     simulate one migration of a guest running the workload\n"
    "  workloads            list the bundled workloads\n"
    "  sweep EXPERIMENT.lua run an experiment's matrix of runs (resumable, --jobs N)\n"
    "  evacuate             drain hosts: several migrations sharing links, by a policy\n"
    "  merge OUT IN...      merge databases without duplicating runs\n"
    "  report               charts and an HTML page of stored runs\n"
    "  compare BASE NEW     medians, change and significance; exit 1 on a regression\n"
    "  export               stored runs as CSV or JSON\n"
    "  help                 this text\n"
    "  version              the version of migsim\n"
    "\n"
    "Run 'migsim COMMAND --help' for a command's options.\n"
    "\n"
    "Exit status, the same for every command: 0 success; 1 compare found a\n"
    "regression; 2 error, of usage or of input (an option's value, a workload, an\n"
    "experiment, a database): one line \"migsim: WHAT (WHERE)\" on stderr, and\n"
    "nothing recorded; 3 run: the migration failed (recorded, with the reason).\n";

static const char run_usage[] =
    "usage: migsim run WORKLOAD.lua [options]\n"
    "\n"
    "Simulates one live migration of a guest running WORKLOAD (a path, or the\n"
    "name of a bundled workload such as calloc_loop) and prints a summary.\n"
    "\n"
    "  --ram SIZE             guest RAM (default 1GiB), whole pages, at most 2^28 pages\n"
    "  --guest PROFILE        the guest OS under the workload (default " RUN_DEFAULT_GUEST
    "): bare\n"
    "                         (only the workload's memory), minimal-linux (92 MiB of a\n"
    "                         freshly booted kernel), server (70 %% of RAM in use, 4 MB/s\n"
    "                         of background writes), or a profile script's path\n"
    "  --page-size SIZE       page size (default 4KiB), a power of two, 512B to 1MiB\n"
    "  --bandwidth RATE       link bandwidth, e.g. 1Gbit/s, 125MB/s (default 1Gbit/s)\n"
    "  --latency DURATION     one-way link latency (default 100us), at most 1min\n"
    "  --mode MODE            precopy (default) or stop-and-copy\n"
    "  --postcopy RULE        switch to post-copy (requests postcopy-ram): immediately,\n"
    "                         after-first-pass, after-passes=N, after=DURATION,\n"
    "                         when-stuck (pending fell by < 10 %% at 2 syncs in a row)\n"
    "  --param NAME=VALUE     a migration parameter, QEMU's name (repeatable; list below)\n"
    "  --host-cpus N          host CPUs the vCPU and the migration thread share: the\n"
    "                         same as --param host-cpus=N (default 0: one each); with\n"
    "                         multifd 0 or at least multifd-channels + 2\n"
    "  --cap NAME[,NAME]      request a capability (repeatable): %s\n"
    "  --src-caps LIST        capabilities the source supports (default all; none)\n"
    "                         and the multifd-compression methods it has:\n"
    "                         %s\n"
    "  --dst-caps LIST        the same for the destination (default all; xbzrle and\n"
    "                         auto-converge need the source's only; a method needs\n"
    "                         both sides, else multifd falls back to none)\n"
    "  --strict-caps          a requested capability or multifd-compression method a\n"
    "                         side lacks is an error (otherwise it is reported and\n"
    "                         left off)\n"
    "  --disk SIZE[,allocated=FRACTION][,content=CLASS]\n"
    "                         a guest disk (repeatable, at most 8; default none):\n"
    "                         FRACTION of its clusters allocated (default 1), holding\n"
    "                         CLASS (a content class, default random); at most 2^28\n"
    "                         clusters; workloads reach it with mem.disk_write/read\n"
    "  --disk-cluster-size SIZE  the disks' cluster, the mirror's granularity\n"
    "                         (default 64KiB), a power of two from 512B to 64MiB\n"
    "  --storage POLICY       how the disks move: shared (default: nothing moves),\n"
    "                         precopy (drive-mirror first, RAM once it is ready), or\n"
    "                         postcopy-stream (cut over with RAM, then block-stream\n"
    "                         with copy-on-read at --param stream-speed)\n"
    "  --mirror-copy-mode MODE  precopy's mirror: background (default) or\n"
    "                         write-blocking (each guest write waits for the target)\n"
    "  --fail-source-at DURATION, --fail-link-at DURATION\n"
    "                         the source host (the link) fails that long after the\n"
    "                         migration starts, at most the timeout: the run records\n"
    "                         the outcome (completed anyway, aborted with the guest on\n"
    "                         the source, guest lost) and what was lost\n"
    "  --wl-param NAME=VALUE  override a workload parameter (repeatable)\n"
    "  --seed N               seed of every random choice (default 1)\n"
    "  --timeout DURATION     simulated time after which the migration fails, in any\n"
    "                         phase (default 10min), 100ms to 30 days, more than setup-cost\n"
    "  --warmup DURATION      workload time before the migration starts (default 1s),\n"
    "                         at most 1 day\n"
    "  --db FILE              database the run is recorded in (default " DEFAULT_DB ")\n"
    "  --no-db                do not record the run\n"
    "  --json                 print QEMU's query-migrate reply (plus a \"migsim\" object)\n"
    "  --quiet                no progress line and no warnings on stderr (the warnings\n"
    "                         are still recorded, and in --json's \"notes\")\n"
    "\n"
    "Warnings (one line each on stderr, recorded as notes on the run) explain a\n"
    "surprising number: the link faster than max-bandwidth, a downtime over\n"
    "downtime-limit and its parts, post-copy requested but unused, a pre-copy that\n"
    "did not converge (the rates, and the policy to try), a migration thread\n"
    "sharing the guest's CPU, a multifd-compression method a side lacks\n"
    "(docs/model.md, \"Notes on a run\"). A run longer than a second shows its\n"
    "progress on stderr when that is a terminal.\n"
    "\n"
    "Sizes take K, M, G, T (KiB, MiB, ... are the same powers of 1024) or kB, MB,\n"
    "GB (powers of 1000), up to 1 PiB; rates take B/s forms (MiB/s, MB/s) or bit/s\n"
    "forms (Mbit/s, Gbit/s), 1 bit/s to 10 Tbit/s (a size such as 1G is not a rate);\n"
    "durations take ns, us, ms, s, min, h, up to 3650 days. stop-and-copy takes no\n"
    "capability (each acts on pre-copy passes). multifd (QEMU's multifd channels:\n"
    "multifd-channels, multifd-compression none|zlib|zstd, or lz4, migsim's own\n"
    "extension, not a QEMU method) is refused with xbzrle, as QEMU does.\n"
    "\n"
    "Exit status: 0 migration completed, 3 migration failed (recorded, with the\n"
    "reason), 2 error of usage or input (nothing recorded).\n"
    "\n"
    "parameters (default, meaning, accepted values):\n%s";

static const char workloads_usage[] =
    "usage: migsim workloads [--dir DIR]\n"
    "\n"
    "Lists the workload scripts in DIR (default: the bundled ones, " MIGSIM_WORKLOAD_DIR
    "),\none line each: name and description.\n";

static int fail_line(const char *what, const char *where)
{
	return cli_fail(CLI_EXIT_ERROR, what, where);
}

/* --- run ------------------------------------------------------------------------ */

struct run_opts {
	struct run_config c;
	struct wl_override wl[MAX_REPEAT];
	const char *db;
	int json;
	int quiet;
	int strict_caps;
	char workload[4096];
};

static int split_assignment(char *arg, struct wl_override *o)
{
	char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return -1;
	*eq = '\0';
	o->name = arg;
	o->value = eq + 1;
	return 0;
}

/* The options taking a value: the settings config_set knows, spelled with
 * '-' (an experiment file's '_' spelling is not an option), and run's own. */
static int is_run_option(const char *opt)
{
	static const char *const own[] = {"--db", "--param", "--wl-param", "--host-cpus"};
	for (size_t i = 0; i < sizeof own / sizeof *own; i++)
		if (!strcmp(opt, own[i]))
			return 1;
	return !strchr(opt, '_') && config_known(opt + 2);
}

/* Parses one option with its value: the settings through config_set, which
 * experiment files share. Returns 0, or -1 with e filled. */
static int run_option(struct run_opts *o, const char *opt, char *val, err *e)
{
	struct run_config *c = &o->c;
	if (!strcmp(opt, "--db")) {
		o->db = val;
		return 0;
	}
	if (!strcmp(opt, "--param"))
		return params_set(&c->params, val, e);
	if (!strcmp(opt, "--host-cpus"))
		return params_set_value(&c->params, "host-cpus", val, e);
	if (!strcmp(opt, "--wl-param")) {
		if (c->n_wl_params == MAX_REPEAT)
			return err_set(e, "too many --wl-param options (at most %d)", MAX_REPEAT);
		if (split_assignment(val, &o->wl[c->n_wl_params]) < 0)
			return err_set(e, "expected NAME=VALUE");
		c->n_wl_params++;
		return 0;
	}
	return config_set(c, opt + 2, val, e);
}

/* The option a whole-configuration check blames, as the user wrote it. */
static void option_of(const char *setting, char *buf, size_t n)
{
	if (params_known(setting))
		snprintf(buf, n, "--param %s", setting);
	else
		snprintf(buf, n, "--%s", setting);
}

static int parse_run(struct run_opts *o, int argc, char **argv)
{
	err e = {{0}};
	const char *workload = NULL;
	run_config_defaults(&o->c);
	o->c.wl_params = o->wl;
	o->db = default_db;
	for (int i = 0; i < argc; i++) {
		char *arg = argv[i];
		if (strncmp(arg, "--", 2) != 0) {
			if (workload)
				return fail_line("more than one workload given", arg);
			workload = arg;
			continue;
		}
		if (!strcmp(arg, "--json")) {
			o->json = 1;
			continue;
		}
		if (!strcmp(arg, "--quiet")) {
			o->quiet = 1;
			continue;
		}
		if (!strcmp(arg, "--no-db")) {
			o->db = NULL;
			continue;
		}
		if (!strcmp(arg, "--strict-caps")) {
			o->strict_caps = 1;
			continue;
		}
		char opt[64];
		char *val = strchr(arg, '=');
		size_t len = val ? (size_t)(val - arg) : strlen(arg);
		if (len >= sizeof opt)
			return fail_line("unknown option", "migsim run --help");
		memcpy(opt, arg, len);
		opt[len] = '\0';
		if (!is_run_option(opt))
			return fail_line("unknown option", arg);
		if (val)
			val++;
		else if (i + 1 >= argc)
			return fail_line("option needs a value", arg);
		else
			val = argv[++i];
		if (run_option(o, opt, val, &e) < 0) {
			char where[300]; /* display text: a long value is cut */
			snprintf(where, sizeof where, "%s %.200s", opt, val);
			return fail_line(e.msg, where);
		}
	}
	if (!workload)
		return fail_line("no workload given", "migsim run WORKLOAD.lua");
	const char *setting = NULL;
	char where[128];
	if (config_check(&o->c, &setting, &e) < 0) {
		option_of(setting, where, sizeof where);
		return fail_line(e.msg, where);
	}
	unsigned lacking = o->c.caps_requested & ~o->c.caps;
	if (lacking && o->strict_caps) {
		char l[128], msg[256];
		snprintf(msg, sizeof msg,
			 "capability %s is not supported by the sides that need it",
			 caps_format(lacking, l, sizeof l));
		return fail_line(msg, "--strict-caps");
	}
	const char *who = run_method_lacking(&o->c);
	if (who && o->strict_caps) {
		const char *m = params_multifd_compression_name(o->c.params.multifd_compression);
		char msg[256];
		snprintf(msg, sizeof msg,
			 "multifd-compression %s is not supported by %s (capability multifd-%s)", m,
			 who, m);
		return fail_line(msg, "--strict-caps");
	}
	if (cli_resolve_workload(workload, o->workload, sizeof o->workload) < 0)
		return fail_line("workload path too long", "migsim run WORKLOAD.lua");
	o->c.workload_path = o->workload;
	return 0;
}

/* The progress line of a long run: shown once the run has taken
 * PROGRESS_DELAY of wall time, redrawn in place at most every
 * PROGRESS_PERIOD. The wall clock is read for this display only. */
#define PROGRESS_DELAY	1.0 /* s */
#define PROGRESS_PERIOD 0.25

struct progress {
	double start, last;
	int shown;
};

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *phase_words(int phase)
{
	static const char *const words[] = {"setup", "pre-copy", "stopped", "post-copy", "done"};
	return phase >= 0 && phase < (int)(sizeof words / sizeof *words) ? words[phase] : "?";
}

static void progress_watch(void *ctx, const struct store_sample *x)
{
	struct progress *p = ctx;
	double now = wall_seconds();
	if (now - p->start < PROGRESS_DELAY || now - p->last < PROGRESS_PERIOD)
		return;
	p->last = now;
	p->shown = 1;
	char t[48], b[48];
	fprintf(stderr, "\r\033[Kmigsim: %s simulated, %s, pass %llu, %s remaining",
		units_fmt_duration(t, sizeof t, x->t_ns), phase_words(x->phase),
		(unsigned long long)x->dirty_sync_count,
		units_fmt_bytes(b, sizeof b, (double)x->remaining));
	fflush(stderr);
}

static void progress_clear(const struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
}

/* The warnings, one line each on stderr. */
static void print_notes(const struct run_opts *o, const struct run_result *r)
{
	struct result_notes notes;
	result_notes(&o->c, r, &notes);
	for (size_t i = 0; i < notes.n; i++)
		fprintf(stderr, "migsim: warning: %s\n", notes.note[i].text);
}

static int cmd_run(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		char caps[128], methods[128], help[8192];
		if (params_help(help, sizeof help) < 0)
			return fail_line("internal: the parameter table's help is too long",
					 "--help");
		printf(run_usage, caps_format(caps_all(), caps, sizeof caps),
		       caps_methods_format(caps_methods_all(), methods, sizeof methods), help);
		return 0;
	}
	struct run_opts o;
	memset(&o, 0, sizeof o);
	int rc = parse_run(&o, argc, argv);
	if (rc)
		return rc;
	err e = {{0}};
	store *db = NULL;
	if (o.db == default_db)
		mkdir("results", 0777); /* the default's directory; failure shows in store_open */
	if (o.db && store_open(&db, o.db, &e) < 0)
		return fail_line(e.msg, "--db");
	struct run_result r;
	struct progress pg = {.start = wall_seconds()};
	int show = !o.quiet && isatty(STDERR_FILENO);
	rc = run_execute_watched(&o.c, &r, show ? progress_watch : NULL, &pg, &e);
	progress_clear(&pg);
	if (rc < 0) {
		store_close(db);
		/* an error in the guest OS profile's script is placed there */
		char guest[RUN_GUEST_MAX + 64];
		const char *place = o.c.workload_path;
		if (run_guest_path(o.c.guest, guest, sizeof guest) >= 0 &&
		    !strncmp(e.msg, guest, strlen(guest)))
			place = guest;
		return cli_fail_in_file(CLI_EXIT_ERROR, e.msg, place);
	}
	jw reply;
	jw_init(&reply, o.json);
	result_json(&o.c, &r, &reply);
	int64_t id = 0;
	rc = 0;
	if (!jw_text(&reply))
		rc = fail_line("out of memory", "result");
	else if (db && result_record(db, &o.c, &r, jw_text(&reply), NULL, &id, &e) < 0)
		rc = fail_line(e.msg, "--db");
	if (rc == 0) {
		if (o.json)
			printf("%s\n", jw_text(&reply));
		else {
			result_summary(&o.c, &r, stdout);
			if (db)
				printf("recorded      run %lld in %s\n", (long long)id, o.db);
		}
		fflush(stdout);
		if (!o.quiet)
			print_notes(&o, &r);
		rc = r.status == MIG_STATUS_COMPLETED ? 0 : CLI_EXIT_FAILED_MIGRATION;
	}
	jw_free(&reply);
	run_result_free(&r);
	store_close(db);
	return rc;
}

/* --- workloads -------------------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_workloads(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(workloads_usage, stdout);
		return 0;
	}
	const char *dir = MIGSIM_WORKLOAD_DIR;
	if (argc == 2 && !strcmp(argv[0], "--dir"))
		dir = argv[1];
	else if (argc)
		return fail_line("unexpected argument", argv[0]);
	DIR *d = opendir(dir);
	if (!d)
		return fail_line("cannot open the workload directory", dir);
	char *names[256];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 256) {
		size_t len = strlen(de->d_name);
		if (len > 4 && !strcmp(de->d_name + len - 4, ".lua"))
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096], name[64], desc[256];
		err e = {{0}};
		int whole =
		    cli_fits(snprintf(path, sizeof path, "%s/%s", dir, names[i] ? names[i] : ""),
			     sizeof path);
		if (rc)
			; /* one error line: the first */
		else if (!names[i])
			rc = fail_line("out of memory", dir);
		else if (!whole)
			rc = fail_line("workload path too long", dir);
		else if (wl_describe(path, name, sizeof name, desc, sizeof desc, &e) < 0)
			rc = cli_fail_in_file(CLI_EXIT_ERROR, e.msg, path);
		else
			printf("%-16s %s\n", name, desc);
		free(names[i]);
	}
	return rc;
}

int main(int argc, char **argv)
{
	/* The old way of applying a workload's writes, for comparison (same
	 * results, slower; docs/scaling.md): read once, not a model input. */
	const char *eager = getenv("MIGSIM_EAGER_WRITES");
	journal_eager_writes(eager && !strcmp(eager, "1"));
	if (argc < 2) {
		fputs(usage, stderr);
		return CLI_EXIT_ERROR;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("migsim %s\n", MIGSIM_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(cmd, "workloads"))
		return cmd_workloads(argc - 2, argv + 2);
	if (!strcmp(cmd, "sweep"))
		return cmd_sweep(argc - 2, argv + 2);
	if (!strcmp(cmd, "evacuate"))
		return cmd_evacuate(argc - 2, argv + 2);
	if (!strcmp(cmd, "merge"))
		return cmd_merge(argc - 2, argv + 2);
	if (!strcmp(cmd, "report"))
		return report_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "compare"))
		return compare_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "export"))
		return export_main(argc - 2, argv + 2);
	return fail_line("unknown command", cmd);
}
