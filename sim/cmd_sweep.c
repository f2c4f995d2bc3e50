/*
 * cmd_sweep — `migsim sweep` and `migsim merge` (see cmd_sweep.h).
 *
 * A sweep loads and validates the whole experiment first, asks the database
 * which keys it already holds, and closes it again: no SQLite connection is
 * carried across fork(). Each run is then one child process that opens its
 * own connection, runs run_execute and writes its row, metrics and series in
 * one transaction (BEGIN IMMEDIATE, busy timeout): a SIGKILL at any moment
 * leaves only whole runs, and the next sweep redoes the missing ones. The
 * child reports through its exit status; a simulation error's message
 * comes back through a pipe (shorter than PIPE_BUF, so one write).
 *
 * Runs are pure functions of their configuration, so the stored results do
 * not depend on --jobs: only row ids and order do.
 *
 * The clock is read here, for the progress display only.
 */
#include "cmd_sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "result.h"
#include "run.h"
#include "store.h"
#include "sweep.h"
#include "units.h"

#define DEFAULT_DB "results/migsim.db"
#define MAX_JOBS   1024

/* Child exit statuses. */
enum { CHILD_COMPLETED = 0, CHILD_ERROR = 1, CHILD_FAILED = 3, CHILD_PRESENT = 4 };

static const char sweep_usage[] =
    "usage: migsim sweep EXPERIMENT.lua [options]\n"
    "\n"
    "Runs every combination of the experiment's workloads, policies, settings and\n"
    "seeds (docs/experiments.md) that the database does not already hold, so an\n"
    "interrupted sweep continues where it stopped.\n"
    "\n"
    "  --jobs N       simulations at once, as separate processes (default: online CPUs)\n"
    "  --db FILE      database (default " DEFAULT_DB ")\n"
    "  --shard I/N    only the runs whose matrix index is I modulo N (0 <= I < N)\n"
    "  --dry-run      list the matrix (index, key, workload, policy, seed, and every\n"
    "                 setting that is not the same on all the runs); run nothing\n"
    "  --quiet        no progress display\n"
    "\n"
    "Progress goes to stderr: a bar on a terminal, otherwise a line every 10 % or\n"
    "10 s. Exit status: 0 when every run is stored (failed migrations are results),\n"
    "2 when the command line or the experiment is invalid (nothing run) or a\n"
    "simulation could not run (that run not stored).\n";

static const char merge_usage[] =
    "usage: migsim merge OUT.db IN.db...\n"
    "\n"
    "Copies into OUT (created if needed) the runs of each IN that OUT lacks, with\n"
    "their metrics, series and notes, then the evacuations (migsim evacuate) OUT\n"
    "lacks, with their figures and their links to their runs' new ids in OUT; one\n"
    "transaction per input. A run with a key is copied unless OUT has a run with\n"
    "that key; a run without one (from `migsim run` or `migsim evacuate`) unless OUT\n"
    "has an identical keyless run not matched by another of the input's; an\n"
    "evacuation unless OUT has one identical in every column that links the same\n"
    "runs. Inputs are only read; every input is checked before anything is written.\n";

static int fail_line(const char *what, const char *where)
{
	return cli_fail(CLI_EXIT_ERROR, what, where);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- progress ------------------------------------------------------------------ */

struct progress {
	int mode; /* 0 quiet, 1 lines, 2 bar */
	size_t total, done, failed, errors;
	double start, last;
	size_t last_decile;
	size_t shown; /* done at the last line printed */
};

static void fmt_hms(char *b, size_t n, double s)
{
	long t = (long)(s + 0.5);
	if (t >= 3600)
		snprintf(b, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(b, n, "%ld:%02ld", t / 60, t % 60);
}

static void progress_show(struct progress *p, int final)
{
	if (p->mode == 0 || p->total == 0)
		return;
	double t = now_s(), el = t - p->start;
	size_t decile = p->done * 10 / p->total;
	if (p->mode == 1 && !final && decile == p->last_decile && t - p->last < 10)
		return;
	if (p->mode == 1 && final && p->shown == p->done)
		return;
	p->shown = p->done;
	if (p->mode == 2 && !final && t - p->last < 0.2)
		return;
	p->last = t;
	p->last_decile = decile;
	char e[32], eta[32] = "?";
	fmt_hms(e, sizeof e, el);
	if (p->done)
		fmt_hms(eta, sizeof eta, el / (double)p->done * (double)(p->total - p->done));
	if (p->mode == 1) {
		fprintf(stderr, "sweep: %zu/%zu runs, %zu failed, %zu errors, %s elapsed, ETA %s\n",
			p->done, p->total, p->failed, p->errors, e, eta);
		return;
	}
	char bar[31];
	size_t fill = p->done * 30 / p->total;
	for (size_t i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "\r[%s] %zu/%zu  %zu failed  %zu errors  %s elapsed  ETA %s\033[K%s", bar,
		p->done, p->total, p->failed, p->errors, e, eta, final ? "\n" : "");
	fflush(stderr);
}

/* Clears the bar so that an error line starts at the left margin. */
static void progress_clear(const struct progress *p)
{
	if (p->mode == 2)
		fputs("\r\033[K", stderr);
}

/* --- one run, in a child ------------------------------------------------------- */

static int child_fail(int fd, const char *msg)
{
	char line[512];
	int n = snprintf(line, sizeof line, "%s", msg);
	if (n > 0 && write(fd, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
		return CHILD_ERROR;
	return CHILD_ERROR;
}

static int child_run(const sweep *sw, const struct sweep_run *r, const char *db_path, int fd)
{
	err e = {{0}};
	store *db;
	int found = 0;
	if (store_open(&db, db_path, &e) < 0)
		return child_fail(fd, e.msg);
	/* Another sweep on the same database may have done it meanwhile. */
	if (store_has_key(db, r->key, &found, &e) < 0 || found) {
		store_close(db);
		return found ? CHILD_PRESENT : child_fail(fd, e.msg);
	}
	struct run_result res;
	if (run_execute(&r->config, &res, &e) < 0) {
		store_close(db);
		return child_fail(fd, e.msg);
	}
	jw reply;
	jw_init(&reply, 0);
	result_json(&r->config, &res, &reply);
	struct result_sweep info = {r->key, sweep_name(sw), r->canonical};
	int rc = res.status == MIG_STATUS_COMPLETED ? CHILD_COMPLETED : CHILD_FAILED;
	if (!jw_text(&reply))
		rc = child_fail(fd, "out of memory");
	else if (result_record(db, &r->config, &res, jw_text(&reply), &info, NULL, &e) < 0) {
		err e2 = {{0}};
		rc = store_has_key(db, r->key, &found, &e2) == 0 && found ? CHILD_PRESENT
									  : child_fail(fd, e.msg);
	}
	jw_free(&reply);
	run_result_free(&res);
	store_close(db);
	return rc;
}

/* --- the parent ------------------------------------------------------------------ */

struct slot {
	pid_t pid;
	int fd; /* read end of the child's message pipe */
	size_t run;
};

struct sweeper {
	const sweep *sw;
	const char *db;
	size_t *todo;
	size_t n_todo, next;
	struct slot slots[MAX_JOBS];
	unsigned jobs, busy;
	struct progress pg;
	size_t completed, failed, present, errors;
};

static int spawn(struct sweeper *s, struct slot *sl)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	size_t run = s->todo[s->next];
	if (pid == 0) {
		close(p[0]);
		_exit(child_run(s->sw, sweep_at(s->sw, run), s->db, p[1]));
	}
	close(p[1]);
	sl->pid = pid;
	sl->fd = p[0];
	sl->run = run;
	s->next++;
	s->busy++;
	return 0;
}

static void reap(struct sweeper *s, struct slot *sl, int status)
{
	const struct sweep_run *r = sweep_at(s->sw, sl->run);
	char msg[512] = "";
	ssize_t n = read(sl->fd, msg, sizeof msg - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(sl->fd);
	sl->pid = 0;
	s->busy--;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (code == CHILD_COMPLETED)
		s->completed++;
	else if (code == CHILD_FAILED)
		s->failed++, s->pg.failed++;
	else if (code == CHILD_PRESENT)
		s->present++;
	else {
		char where[128];
		if (!msg[0])
			snprintf(msg, sizeof msg,
				 WIFSIGNALED(status) ? "killed by signal %d"
						     : "exited with status %d",
				 WIFSIGNALED(status) ? WTERMSIG(status) : code);
		snprintf(where, sizeof where, "run %zu, key %s", r->index, r->key);
		progress_clear(&s->pg);
		fail_line(msg, where);
		s->errors++, s->pg.errors++;
	}
	s->pg.done++;
	progress_show(&s->pg, 0);
}

/* Blocks until some child has ended or `timeout_ms` has passed (-1: no
 * limit). A child's pipe reports POLLHUP once its write end, held by the
 * child alone, closes at its exit (or POLLIN when it wrote a message just
 * before): the wake-up comes when the run ends, not at the next tick of a
 * polling loop, which at ~0.3 s a run cost a sweep much of its time. */
static struct slot *wait_for_child(struct sweeper *s, int timeout_ms)
{
	struct pollfd fds[MAX_JOBS];
	unsigned slot_of[MAX_JOBS];
	nfds_t n = 0;
	for (unsigned i = 0; i < s->jobs; i++)
		if (s->slots[i].pid) {
			fds[n] = (struct pollfd){.fd = s->slots[i].fd, .events = POLLIN};
			slot_of[n++] = i;
		}
	if (poll(fds, n, timeout_ms) <= 0)
		return NULL;
	for (nfds_t k = 0; k < n; k++)
		if (fds[k].revents)
			return &s->slots[slot_of[k]];
	return NULL;
}

static void run_all(struct sweeper *s)
{
	/* The progress display is refreshed at least this often while runs go on. */
	int tick_ms = s->pg.mode == 2 ? 200 : s->pg.mode == 1 ? 1000 : -1;
	while (s->next < s->n_todo || s->busy) {
		for (unsigned i = 0; i < s->jobs && s->next < s->n_todo; i++)
			if (!s->slots[i].pid && spawn(s, &s->slots[i]) < 0) {
				progress_clear(&s->pg);
				fail_line(strerror(errno), "fork");
				s->errors += s->n_todo - s->next;
				s->next = s->n_todo;
			}
		if (!s->busy)
			break;
		struct slot *sl = wait_for_child(s, tick_ms);
		if (!sl) {
			progress_show(&s->pg, 0);
			continue;
		}
		/* Its pipe has closed, so the child is exiting: this wait is short. */
		int status;
		pid_t pid;
		while ((pid = waitpid(sl->pid, &status, 0)) < 0 && errno == EINTR)
			;
		if (pid < 0)
			break;
		reap(s, sl, status);
	}
}

struct sweep_opts {
	const char *file, *db;
	unsigned jobs, shard, shards;
	int quiet, dry_run;
};

static int parse_sweep(struct sweep_opts *o, int argc, char **argv)
{
	err e = {{0}};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	o->jobs = cpus > 0 ? (unsigned)(cpus < MAX_JOBS ? cpus : MAX_JOBS) : 1;
	o->db = DEFAULT_DB;
	o->shards = 1;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--quiet"))
			o->quiet = 1;
		else if (!strcmp(a, "--dry-run"))
			o->dry_run = 1;
		else if (!strcmp(a, "--jobs") || !strcmp(a, "--db") || !strcmp(a, "--shard")) {
			if (i + 1 >= argc)
				return fail_line("option needs a value", a);
			const char *v = argv[++i];
			char *end;
			if (!strcmp(a, "--db"))
				o->db = v;
			else if (!strcmp(a, "--shard")) {
				if (sweep_parse_shard(v, &o->shard, &o->shards, &e) < 0)
					return fail_line(e.msg, v);
			} else {
				long j = strtol(v, &end, 10);
				if (*end || j < 1 || j > MAX_JOBS)
					return fail_line("--jobs wants a number from 1 to 1024", v);
				o->jobs = (unsigned)j;
			}
		} else if (!strncmp(a, "--", 2))
			return fail_line("unknown option", a);
		else if (o->file)
			return fail_line("more than one experiment file given", a);
		else
			o->file = a;
	}
	if (!o->file)
		return fail_line("no experiment file given", "migsim sweep EXPERIMENT.lua");
	return 0;
}

/* --- the dry run ------------------------------------------------------------------ */

#define MAX_VALUES 192

/* One setting of a run, as a user would type it. */
struct value {
	char name[72];
	char text[80];
};

/* What run r is set to, in the odometer's order: the workload parameters
 * the experiment gives, the settings, every migration parameter. */
static size_t run_values(const struct sweep_run *r, struct value *v)
{
	const struct run_config *c = &r->config;
	size_t n = 0;
	for (size_t i = 0; i < r->n_wl && n < MAX_VALUES; i++, n++) {
		snprintf(v[n].name, sizeof v[n].name, "wl.%s", r->wl[i].name);
		snprintf(v[n].text, sizeof v[n].text, "%s", r->wl[i].value);
	}
	if (n + 7 > MAX_VALUES)
		return n;
	struct value *s = &v[n];
	snprintf(s[0].name, sizeof s[0].name, "ram");
	units_fmt_size_exact(s[0].text, sizeof s[0].text, c->ram_bytes);
	snprintf(s[1].name, sizeof s[1].name, "page_size");
	units_fmt_size_exact(s[1].text, sizeof s[1].text, c->page_size);
	snprintf(s[2].name, sizeof s[2].name, "bandwidth");
	units_fmt_rate_exact(s[2].text, sizeof s[2].text, c->bandwidth);
	snprintf(s[3].name, sizeof s[3].name, "latency");
	units_fmt_duration_exact(s[3].text, sizeof s[3].text, c->latency);
	snprintf(s[4].name, sizeof s[4].name, "timeout");
	units_fmt_duration_exact(s[4].text, sizeof s[4].text, c->timeout);
	snprintf(s[5].name, sizeof s[5].name, "warmup");
	units_fmt_duration_exact(s[5].text, sizeof s[5].text, c->warmup);
	snprintf(s[6].name, sizeof s[6].name, "guest");
	snprintf(s[6].text, sizeof s[6].text, "%.79s", c->guest);
	n += 7;
	for (size_t i = 0; n < MAX_VALUES; i++, n++) {
		const char *name = params_format(&c->params, i, v[n].text, sizeof v[n].text);
		if (!name)
			break;
		snprintf(v[n].name, sizeof v[n].name, "%s", name);
	}
	return n;
}

/* A setting across the listed runs: the value on the first, whether any
 * other differs, and the width of "name=value" at its widest. */
struct column {
	char name[sizeof((struct value *)0)->name];
	char first[sizeof((struct value *)0)->text];
	int varies;
	size_t width;
};

/* A run without the column's setting (a workload parameter its entry leaves
 * to the script) has the script's default. */
static const char *value_in(const struct value *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].text;
	return "default";
}

/* The settings of the runs: every name any run has, in the order first met. */
static size_t columns_of(const sweep *sw, const size_t *todo, size_t n, struct column *col,
			 struct value *v)
{
	size_t nc = 0;
	for (size_t i = 0; i < n; i++) {
		size_t nv = run_values(sweep_at(sw, todo[i]), v);
		for (size_t j = 0; j < nv; j++) {
			size_t k = 0;
			while (k < nc && strcmp(col[k].name, v[j].name))
				k++;
			if (k < nc || nc == MAX_VALUES)
				continue;
			memset(&col[nc], 0, sizeof *col);
			snprintf(col[nc++].name, sizeof col->name, "%s", v[j].name);
		}
	}
	for (size_t i = 0; i < n; i++) {
		size_t nv = run_values(sweep_at(sw, todo[i]), v);
		for (size_t k = 0; k < nc; k++) {
			const char *t = value_in(v, nv, col[k].name);
			size_t w = strlen(col[k].name) + 1 + strlen(t);
			if (i == 0)
				snprintf(col[k].first, sizeof col[k].first, "%s", t);
			col[k].varies |= strcmp(t, col[k].first) != 0;
			col[k].width = w > col[k].width ? w : col[k].width;
		}
	}
	return nc;
}

/* One line a run: index, key, workload, policy, seed, and every setting
 * that is not the same on all the runs listed. */
static int dry_run(const sweep *sw, const size_t *todo, size_t n)
{
	struct value *v = malloc(MAX_VALUES * sizeof *v);
	struct column *col = malloc(MAX_VALUES * sizeof *col);
	if (!v || !col) {
		free(v);
		free(col);
		return -1;
	}
	size_t nc = columns_of(sw, todo, n, col, v), last = 0;
	for (size_t k = 0; k < nc; k++)
		if (col[k].varies)
			last = k + 1; /* no padding after the last column */
	for (size_t i = 0; i < n; i++) {
		const struct sweep_run *r = sweep_at(sw, todo[i]);
		size_t nv = run_values(r, v);
		printf("%6zu %s %-16s %-20s seed %-*llu", r->index, r->key, r->workload, r->policy,
		       last ? 4 : 0, (unsigned long long)r->config.seed);
		for (size_t k = 0; k < last; k++) {
			if (!col[k].varies)
				continue;
			const char *t = value_in(v, nv, col[k].name);
			int pad = k + 1 < last ? (int)(col[k].width - strlen(col[k].name) - 1) : 0;
			printf(" %s=%-*s", col[k].name, pad, t);
		}
		putchar('\n');
	}
	printf("%zu runs\n", n);
	free(v);
	free(col);
	return 0;
}

/* The runs of the shard the database lacks, in matrix order. */
static int pending(const struct sweep_opts *o, const sweep *sw, size_t *todo, size_t *n_todo,
		   size_t *stored, err *e)
{
	store *db;
	if (!strcmp(o->db, DEFAULT_DB))
		mkdir("results", 0777); /* failure shows in store_open */
	if (store_open(&db, o->db, e) < 0)
		return -1;
	*n_todo = *stored = 0;
	for (size_t i = 0; i < sweep_size(sw); i++) {
		int found;
		if (!sweep_in_shard(i, o->shard, o->shards))
			continue;
		if (store_has_key(db, sweep_at(sw, i)->key, &found, e) < 0) {
			store_close(db);
			return -1;
		}
		if (found)
			(*stored)++;
		else
			todo[(*n_todo)++] = i;
	}
	store_close(db);
	return 0;
}

int cmd_sweep(int argc, char **argv)
{
	if (cli_wants_help(argc, argv))
		return fputs(sweep_usage, stdout), 0;
	struct sweep_opts o = {0};
	int rc = parse_sweep(&o, argc, argv);
	if (rc)
		return rc;
	err e = {{0}};
	sweep *sw;
	char where[4200];
	if (sweep_load(&sw, o.file, where, sizeof where, &e) < 0)
		return fail_line(e.msg, where);
	struct sweeper *s = calloc(1, sizeof *s);
	size_t *todo = malloc((sweep_size(sw) + 1) * sizeof *todo);
	if (!s || !todo) {
		free(s);
		sweep_free(sw);
		return fail_line("out of memory", o.file);
	}
	size_t stored = 0, in_shard = 0;
	for (size_t i = 0; i < sweep_size(sw); i++)
		in_shard += sweep_in_shard(i, o.shard, o.shards);
	if (o.dry_run) {
		size_t n = 0;
		for (size_t i = 0; i < sweep_size(sw); i++)
			if (sweep_in_shard(i, o.shard, o.shards))
				todo[n++] = i;
		rc = dry_run(sw, todo, n) < 0 ? fail_line("out of memory", o.file) : 0;
		goto out;
	}
	if (pending(&o, sw, todo, &s->n_todo, &stored, &e) < 0) {
		rc = fail_line(e.msg, "--db");
		goto out;
	}
	char shard[64] = "";
	if (o.shards > 1)
		snprintf(shard, sizeof shard, ", %zu in shard %u/%u", in_shard, o.shard, o.shards);
	printf("sweep %s: %zu runs%s: %zu to run, %zu already stored\n", sweep_name(sw),
	       sweep_size(sw), shard, s->n_todo, stored);
	fflush(stdout);
	s->sw = sw;
	s->db = o.db;
	s->todo = todo;
	s->jobs = o.jobs;
	s->pg.mode = o.quiet ? 0 : isatty(STDERR_FILENO) ? 2 : 1;
	s->pg.total = s->n_todo;
	s->pg.start = s->pg.last = now_s();
	run_all(s);
	if (s->n_todo)
		progress_show(&s->pg, 1);
	printf("sweep %s: %zu completed, %zu failed migrations, %zu stored by another sweep, "
	       "%zu errors in %.1f s\n",
	       sweep_name(sw), s->completed, s->failed, s->present, s->errors,
	       now_s() - s->pg.start);
	rc = s->errors ? CLI_EXIT_ERROR : 0;
out:
	free(todo);
	free(s);
	sweep_free(sw);
	return rc;
}

/* --- merge -------------------------------------------------------------------------- */

static void print_merged(const char *in, const char *out, const struct store_merge_counts *n)
{
	printf("merge %s: %zu runs copied, %zu already in %s", in, n->copied, n->present, out);
	if (n->evac_copied || n->evac_present)
		printf("; %zu evacuations copied, %zu already there", n->evac_copied,
		       n->evac_present);
	printf("\n");
}

int cmd_merge(int argc, char **argv)
{
	if (cli_wants_help(argc, argv))
		return fputs(merge_usage, stdout), 0;
	if (argc < 2)
		return fail_line("merge needs an output and at least one input",
				 "migsim merge OUT.db IN.db...");
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "--", 2))
			return fail_line("unknown option", argv[i]);
	err e = {{0}};
	struct stat out_sb, in_sb;
	int have_out = stat(argv[0], &out_sb) == 0;
	for (int i = 1; i < argc; i++) {
		if (store_check_input(argv[i], &e) < 0)
			return fail_line(e.msg, "input");
		if (have_out && stat(argv[i], &in_sb) == 0 && in_sb.st_ino == out_sb.st_ino &&
		    in_sb.st_dev == out_sb.st_dev)
			return fail_line("an input is the output database", argv[i]);
	}
	store *db;
	if (store_open(&db, argv[0], &e) < 0)
		return fail_line(e.msg, "output");
	int rc = 0;
	for (int i = 1; i < argc && !rc; i++) {
		struct store_merge_counts n;
		if (store_merge(db, argv[i], &n, &e) < 0)
			rc = fail_line(e.msg, argv[i]);
		else
			print_merged(argv[i], argv[0], &n);
	}
	store_close(db);
	return rc;
}
