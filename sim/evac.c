/*
 * evac — runs an evacuation (see evac.h): every VM is a run_unit with its
 * own event queue; the clock is their merge plus the scheduler's own queue,
 * whose events (the start, admissions after a migration ends, the 100 ms
 * link samples) run first among equal times, then the units in the order
 * listed. The migrations leaving one host write to one shared link, its NIC,
 * each on a socket of its own (evac_socket: the one place that decides how
 * they share it); bottlenecks past the NIC (a slower path, a destination's
 * NIC) are shared by max-min fair rates, paced on the NIC's link (reshare).
 */
#include "evac.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "des.h"
#include "link.h"
#include "sat.h"

#define GIB	  1073741824.0
#define SAMPLE_NS ((int64_t)100000000) /* link utilisation every 100 ms */
#define NEVER	  INT64_MAX

void evac_defaults(struct evac_scenario *s)
{
	memset(s, 0, sizeof *s);
	s->policy = (struct evac_policy){
	    .per_cluster = 5,
	    .per_node = 2,
	    .bandwidth = 0,
	    .completion_per_gib = (int64_t)800 * 1000000000,
	    .progress_timeout = (int64_t)150 * 1000000000,
	    .allow_auto_converge = 0,
	    .allow_post_copy = 0,
	    .order = EVAC_AS_LISTED,
	    .attempts = 1,
	};
	s->start = 1000000000;
}

static const char *const order_names[] = {"as-listed", "smallest-first", "lowest-dirty-first",
					  "largest-first"};

int evac_order_parse(const char *name, enum evac_order *out, err *e)
{
	for (size_t i = 0; i < sizeof order_names / sizeof *order_names; i++)
		if (!strcmp(name, order_names[i])) {
			*out = (enum evac_order)i;
			return 0;
		}
	return err_set(e, "unknown order (as-listed, smallest-first, lowest-dirty-first, "
			  "largest-first)");
}

const char *evac_order_name(enum evac_order o)
{
	return order_names[o];
}

int evac_host_find(const struct evac_scenario *s, const char *name)
{
	for (size_t i = 0; i < s->n_hosts; i++)
		if (!strcmp(s->hosts[i].name, name))
			return (int)i;
	return -1;
}

/* --- checking and placement ------------------------------------------------------ */

/* RAM the VMs staying on, or placed on, host h take. */
static uint64_t ram_used(const struct evac_scenario *s, size_t h)
{
	uint64_t used = 0;
	for (size_t i = 0; i < s->n_vms; i++) {
		const struct evac_vm *v = &s->vms[i];
		if (v->host == h || v->dest == h)
			used += v->c.ram_bytes;
	}
	return used;
}

static size_t vms_on(const struct evac_scenario *s, size_t h)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n_vms; i++)
		n += s->vms[i].host == h || s->vms[i].dest == h;
	return n;
}

/* The placement rule: the host not being drained with the most free RAM
 * (when every host gives its RAM), else the fewest VMs; ties to the host
 * listed first. */
static size_t place(const struct evac_scenario *s)
{
	size_t best = EVAC_ANY;
	for (size_t h = 0; h < s->n_hosts; h++) {
		const struct evac_host *x = &s->hosts[h];
		if (x->drain)
			continue;
		if (best == EVAC_ANY) {
			best = h;
			continue;
		}
		const struct evac_host *b = &s->hosts[best];
		if (x->ram && b->ram) {
			double fx = (double)x->ram - (double)ram_used(s, h);
			double fb = (double)b->ram - (double)ram_used(s, best);
			if (fx > fb)
				best = h;
		} else if (vms_on(s, h) < vms_on(s, best)) {
			best = h;
		}
	}
	return best;
}

int evac_check(struct evac_scenario *s, size_t *vm, err *e)
{
	*vm = EVAC_ANY;
	const struct evac_policy *p = &s->policy;
	if (p->per_cluster == 0)
		return err_set(e, "parallelMigrationsPerCluster must be at least 1");
	if (p->per_node == 0)
		return err_set(e, "parallelOutboundMigrationsPerNode must be at least 1");
	if (p->attempts == 0)
		return err_set(e, "migrationAttempts must be at least 1");
	size_t draining = 0;
	for (size_t i = 0; i < s->n_vms; i++) {
		struct evac_vm *v = &s->vms[i];
		*vm = i;
		if (v->dest != EVAC_ANY && s->hosts[v->dest].drain && s->hosts[v->host].drain)
			return err_set(e, "cyclic evacuation: its destination %s is being drained",
				       s->hosts[v->dest].name);
		if (v->dest == v->host)
			return err_set(e, "its destination is the host it is on");
		draining += s->hosts[v->host].drain;
	}
	*vm = EVAC_ANY;
	if (!draining)
		return err_set(e, "no VM is on a host being drained");
	/* Placement in the order listed, each VM seeing the ones placed before. */
	for (size_t i = 0; i < s->n_vms; i++) {
		struct evac_vm *v = &s->vms[i];
		*vm = i;
		if (!s->hosts[v->host].drain || v->dest != EVAC_ANY)
			continue;
		v->dest = place(s);
		if (v->dest == EVAC_ANY)
			return err_set(e, "no host left to move it to");
	}
	for (size_t h = 0; h < s->n_hosts; h++) {
		const struct evac_host *x = &s->hosts[h];
		if (!x->ram || x->drain)
			continue;
		uint64_t used = 0;
		for (size_t i = 0; i < s->n_vms; i++) {
			const struct evac_vm *v = &s->vms[i];
			*vm = i;
			if (v->host != h && !(s->hosts[v->host].drain && v->dest == h))
				continue;
			used += v->c.ram_bytes;
			if (used > x->ram)
				return err_set(e, "its RAM does not fit in %s's free RAM", x->name);
		}
	}
	*vm = EVAC_ANY;
	return 0;
}

/* --- the policy on one VM's migration -------------------------------------------- */

/* The rate of the wire a source host's migrations share. */
static double nic_rate(const struct evac_scenario *s, size_t h)
{
	double r = s->hosts[h].nic;
	return s->port_rate > 0 && s->port_rate < r ? s->port_rate : r;
}

/* The VM's configuration as the management layer starts its migration:
 * bandwidthPerMigration as max-bandwidth (0: none; a slower path or a
 * destination NIC shared with other migrations is the network's, paced on
 * the link: reshare); auto-converge and postcopy-ram as the policy
 * allows; the completion timeout (per GiB of RAM) cancels the migration,
 * or with allowPostCopy switches it to post-copy, which then has as long
 * again to finish. */
static void apply_policy(const struct evac_scenario *s, const struct evac_vm *v,
			 struct run_config *c)
{
	const struct evac_policy *p = &s->policy;
	*c = v->c;
	c->params.max_bandwidth = p->bandwidth;
	c->bandwidth = nic_rate(s, v->host);
	if (s->hosts[v->host].cpus && !c->params.host_cpus)
		c->params.host_cpus = s->hosts[v->host].cpus;
	c->caps_requested &= ~(unsigned)(CAP_AUTO_CONVERGE | CAP_POSTCOPY_RAM);
	if (p->allow_auto_converge)
		c->caps_requested |= CAP_AUTO_CONVERGE;
	int64_t completion = (int64_t)((double)c->ram_bytes / GIB * (double)p->completion_per_gib);
	if (p->allow_post_copy) {
		c->caps_requested |= CAP_POSTCOPY_RAM;
		c->postcopy =
		    (struct postcopy_policy){.rule = POSTCOPY_AFTER_TIME, .after = completion};
		c->timeout = sat_add(completion, completion);
	} else {
		c->timeout = completion;
	}
	run_negotiate_caps(c);
}

/* --- the clock and the scheduler ------------------------------------------------- */

struct evac {
	const struct evac_scenario *s;
	struct evac_result *r;
	run_unit *units[EVAC_MAX_VMS];
	int done[EVAC_MAX_VMS];	    /* finished (or never to start) */
	size_t order[EVAC_MAX_VMS]; /* the VMs to move, in the order they start */
	size_t n_order, next;	    /* order[next] is the next to start */
	/* VMs whose migration was cancelled, to be migrated again, first in
	 * first (each is in it once at most) */
	size_t retry[EVAC_MAX_VMS], n_retry;
	unsigned running, running_from[EVAC_MAX_HOSTS];
	int active[EVAC_MAX_VMS]; /* migrating: a flow through the network */
	int sock[EVAC_MAX_VMS];	  /* its main channel's socket on its source's NIC */
	struct link links[EVAC_MAX_HOSTS];
	int64_t last_sample;
	uint64_t watermark[EVAC_MAX_VMS]; /* the least data remaining seen */
	int64_t progressed[EVAC_MAX_VMS]; /* when it last fell */
	uint64_t last_on_wire[EVAC_MAX_HOSTS];
	des *q;	     /* the scheduler's events */
	int64_t now; /* the time of the event running */
	int sorted;
	int failed;
	err e;
};

/* How the migrations leaving one host share its NIC: one link (sim/link.h)
 * whose wire serves their writes in the order submitted, each migration
 * writing to a socket of its own (the first on the link's LINK_MAIN, the
 * later ones on sockets opened for them), each with its own send buffer:
 * a writer blocks on its own bytes only, and a migration waits for its own
 * bytes to land, not the others'. Backlogged writers alternate, which is
 * TCP's fair share between backlogged flows at the granularity of a write.
 * Each socket has its VM's latency (`latency=`: the path to its
 * destination), whoever opened the link. */
static int evac_socket(struct evac *x, size_t h, const struct run_config *c, int *sock, err *e)
{
	struct link *l = &x->links[h];
	if (l->cfg.bandwidth)
		return link_socket_open(l, c->params.send_buffer_size, c->latency, sock, e);
	struct link_config lc = {
	    .bandwidth = nic_rate(x->s, h),
	    .latency = c->latency,
	    .buffer_bytes = c->params.send_buffer_size,
	};
	*sock = LINK_MAIN;
	return link_init(l, &lc, e);
}

static int64_t unit_next(const struct evac *x, size_t i)
{
	return x->done[i] ? NEVER : run_unit_next(x->units[i]);
}

/* How far a migration thread may run: to the next event anywhere, but past
 * the time now when only another unit's event is due then (its own
 * simultaneous events keep their order through its queue). */
static int64_t horizon(void *ctx)
{
	struct evac *x = ctx;
	int64_t other = des_pending(x->q) ? des_next_time(x->q) : NEVER;
	for (size_t i = 0; i < x->s->n_vms; i++) {
		int64_t t = unit_next(x, i);
		if (t < other)
			other = t;
	}
	return other > x->now ? other : sat_add(x->now, 1);
}

/* The pages each VM wrote during the warm-up (all ran as long): their
 * order is the order of the dirty rates. */
static double dirty_rate(const struct evac *x, size_t i)
{
	return (double)run_unit_written_pages(x->units[i]);
}

static int before(const struct evac *x, size_t a, size_t b)
{
	uint64_t ra = x->s->vms[a].c.ram_bytes, rb = x->s->vms[b].c.ram_bytes;
	switch (x->s->policy.order) {
	case EVAC_SMALLEST_FIRST:
		return ra < rb;
	case EVAC_LARGEST_FIRST:
		return ra > rb;
	case EVAC_LOWEST_DIRTY_FIRST:
		return dirty_rate(x, a) < dirty_rate(x, b);
	default:
		return 0;
	}
}

/* The VMs to move in the policy's order; a stable insertion sort keeps the
 * order listed among equals. */
static void sort_order(struct evac *x)
{
	for (size_t i = 1; i < x->n_order; i++) {
		size_t v = x->order[i], j = i;
		for (; j > 0 && before(x, v, x->order[j - 1]); j--)
			x->order[j] = x->order[j - 1];
		x->order[j] = v;
	}
}

/* --- the network's bottlenecks: max-min fair shares ----------------------------- */

/* The resources a migration's bytes cross: its source NIC's sending side
 * (the link its sockets write to), its destination NIC's receiving side,
 * and any declared link between the two, in its direction (links and
 * NICs are full duplex). */
#define RES_OUT(h)     (h)
#define RES_IN(h)      (EVAC_MAX_HOSTS + (h))
#define RES_PATH(p, d) (2 * EVAC_MAX_HOSTS + 2 * (p) + (d))
#define RES_MAX	       (4 * EVAC_MAX_HOSTS)

static size_t flow_resources(const struct evac_scenario *s, const struct evac_vm *v,
			     size_t res[RES_MAX])
{
	size_t n = 0;
	res[n++] = RES_OUT(v->host);
	res[n++] = RES_IN(v->dest);
	for (size_t p = 0; p < s->n_paths; p++) {
		const struct evac_path *x = &s->paths[p];
		if (x->a == v->host && x->b == v->dest)
			res[n++] = RES_PATH(p, 0);
		else if (x->b == v->host && x->a == v->dest)
			res[n++] = RES_PATH(p, 1);
	}
	return n;
}

static double resource_rate(const struct evac_scenario *s, size_t r)
{
	if (r < EVAC_MAX_HOSTS)
		return nic_rate(s, r);
	if (r < 2 * EVAC_MAX_HOSTS)
		return nic_rate(s, r - EVAC_MAX_HOSTS);
	return s->paths[(r - 2 * EVAC_MAX_HOSTS) / 2].rate;
}

/* Progressive filling: every active migration's rate grows alike until a
 * resource it crosses is full (or it reaches its own max-bandwidth, the
 * policy's bandwidthPerMigration); those are fixed there, the others go
 * on. share[i] gets each migration's max-min fair rate and *at where it was
 * fixed: its source's NIC (a tie goes to it), another resource, or -1 for
 * its own limit. The same as TCP flows' long-run shares of a network of
 * bottlenecks (docs/model.md, "Migrations sharing a link"). */
static void fair_shares(const struct evac *x, double share[], long at[])
{
	const struct evac_scenario *s = x->s;
	double used[RES_MAX] = {0};
	int fixed[EVAC_MAX_VMS];
	for (size_t i = 0; i < s->n_vms; i++) {
		fixed[i] = !x->active[i];
		share[i] = 0;
		at[i] = -1;
	}
	/* Every migration's own limit is the policy's one bandwidthPerMigration. */
	double demand = s->policy.bandwidth > 0 ? s->policy.bandwidth : INFINITY;
	for (;;) {
		size_t users[RES_MAX] = {0}, res[RES_MAX];
		for (size_t i = 0; i < s->n_vms; i++) {
			if (fixed[i])
				continue;
			size_t n = flow_resources(s, &s->vms[i], res);
			for (size_t k = 0; k < n; k++)
				users[res[k]]++;
		}
		long best = -1;
		double level = INFINITY;
		for (size_t r = 0; r < RES_MAX; r++) {
			if (!users[r])
				continue;
			double left = resource_rate(s, r) - used[r];
			double fair = (left > 0 ? left : 0) / (double)users[r];
			if (fair < level) {
				level = fair;
				best = (long)r;
			}
		}
		if (best < 0)
			return; /* every active migration fixed */
		if (demand <= level) {
			level = demand;
			best = -1;
		}
		for (size_t i = 0; i < s->n_vms; i++) {
			if (fixed[i])
				continue;
			size_t n = flow_resources(s, &s->vms[i], res), k = 0;
			while (best >= 0 && k < n && res[k] != (size_t)best)
				k++;
			if (best >= 0 && k == n)
				continue;
			fixed[i] = 1;
			share[i] = level;
			at[i] = best;
			for (k = 0; k < n; k++)
				used[res[k]] += level;
		}
	}
}

/* After a migration starts or ends: each active migration held to its fair
 * share where a bottleneck past its source's NIC decides it (a slower path,
 * a destination NIC several migrations flow into), by pacing its sockets on
 * the NIC's link (link_socket_pace); where the source's NIC decides it, the
 * wire itself shares it out, write by write, and nothing is paced. */
static int reshare(struct evac *x, err *e)
{
	double share[EVAC_MAX_VMS];
	long at[EVAC_MAX_VMS];
	fair_shares(x, share, at);
	for (size_t i = 0; i < x->s->n_vms; i++) {
		if (!x->active[i])
			continue;
		const struct evac_vm *v = &x->s->vms[i];
		int paced = at[i] >= 0 && at[i] != (long)RES_OUT(v->host);
		if (link_socket_pace(&x->links[v->host], x->sock[i], paced ? share[i] : 0, e) < 0)
			return -1;
	}
	return 0;
}

static int start_vm(struct evac *x, size_t i, err *e)
{
	const struct evac_vm *v = &x->s->vms[i];
	struct evac_vm_result *vr = &x->r->vms[i];
	int sock;
	if (evac_socket(x, v->host, run_unit_config(x->units[i]), &sock, e) < 0)
		return -1;
	if (!vr->started)
		vr->start = x->now - x->s->start;
	vr->started = 1;
	vr->attempts++;
	x->watermark[i] = UINT64_MAX;
	x->progressed[i] = x->now;
	x->running++;
	x->running_from[v->host]++;
	x->active[i] = 1;
	x->sock[i] = sock;
	if (reshare(x, e) < 0)
		return -1;
	return run_unit_start(x->units[i], x->now, &x->links[v->host], sock, horizon, x, e);
}

/* Starts, in order, the VMs the limits let run now. A VM whose host is at
 * its outbound limit waits without holding back the VMs after it. */
static int admit(struct evac *x, err *e)
{
	const struct evac_policy *p = &x->s->policy;
	for (size_t k = x->next; k < x->n_order && x->running < p->per_cluster; k++) {
		size_t i = x->order[k];
		if (x->r->vms[i].started || x->running_from[x->s->vms[i].host] >= p->per_node)
			continue;
		if (start_vm(x, i, e) < 0)
			return -1;
	}
	while (x->next < x->n_order && x->r->vms[x->order[x->next]].started)
		x->next++;
	/* A new migration object joins the queue behind those waiting; one
	 * whose host is at its limit waits without holding back the others. */
	if (x->next < x->n_order)
		return 0;
	size_t n = x->n_retry, kept = 0;
	for (size_t k = 0; k < n; k++) {
		size_t i = x->retry[k];
		if (x->running >= p->per_cluster ||
		    x->running_from[x->s->vms[i].host] >= p->per_node)
			x->retry[kept++] = i;
		else if (start_vm(x, i, e) < 0)
			return -1;
	}
	x->n_retry = kept;
	return 0;
}

static void on_admit(void *ctx, uint64_t tag)
{
	struct evac *x = ctx;
	(void)tag;
	if (!x->sorted) {
		sort_order(x); /* now, with the dirty rates of the warm-up known */
		x->sorted = 1;
	}
	if (admit(x, &x->e) < 0)
		x->failed = 1;
}

static int push_util(struct evac_link_result *lr, double u)
{
	if (lr->n_util == lr->cap_util) {
		size_t cap = lr->cap_util ? 2 * lr->cap_util : 256;
		double *grown = realloc(lr->util, cap * sizeof *grown);
		if (!grown)
			return -1;
		lr->util = grown;
		lr->cap_util = cap;
	}
	lr->util[lr->n_util++] = u;
	if (u > lr->peak)
		lr->peak = u;
	return 0;
}

static int finish_vm(struct evac *x, size_t i, err *e);

static int all_ended(const struct evac *x)
{
	return x->next >= x->n_order && x->running == 0 && x->n_retry == 0;
}

/* KubeVirt's progressTimeout: a migration whose data remaining has not
 * reached a new low for that long is cancelled (not in post-copy, which
 * QEMU cannot cancel). Checked every 100 ms. The data remaining is
 * libvirt's dataRemaining: the RAM's and, copying storage, the disks'
 * (the mirror's len - offset), which falls while the mirror copies before
 * the RAM migration starts. */
static int check_progress(struct evac *x, int64_t now, err *e)
{
	int64_t limit = x->s->policy.progress_timeout;
	for (size_t i = 0; limit > 0 && i < x->s->n_vms; i++) {
		if (x->done[i] || !run_unit_active(x->units[i]))
			continue;
		struct mig_stats st;
		mig_get_stats(run_unit_mig(x->units[i]), &st);
		uint64_t left = st.remaining + run_unit_disk_remaining(x->units[i]);
		if (left < x->watermark[i]) {
			x->watermark[i] = left;
			x->progressed[i] = now;
		} else if (now - x->progressed[i] >= limit) {
			char why[128];
			snprintf(why, sizeof why,
				 "no progress for %.3f s (progressTimeout): %llu bytes remaining",
				 (double)(now - x->progressed[i]) / 1e9,
				 (unsigned long long)x->watermark[i]);
			if (run_unit_cancel(x->units[i], now, why) && finish_vm(x, i, e) < 0)
				return -1;
		}
	}
	return 0;
}

/* Each source NIC's utilisation over the last 100 ms: the bytes that left
 * its wire (those handed to it less its backlog) over what it could send. */
static void on_sample(void *ctx, uint64_t tag)
{
	struct evac *x = ctx;
	(void)tag;
	int64_t now = des_now(x->q);
	if (check_progress(x, now, &x->e) < 0) {
		x->failed = 1;
		return;
	}
	for (size_t h = 0; h < x->s->n_hosts; h++) {
		struct link *l = &x->links[h];
		if (!x->s->hosts[h].drain)
			continue;
		uint64_t on_wire = l->cfg.bandwidth ? l->sent - link_backlog(l, now) : 0;
		double could = nic_rate(x->s, h) * (double)(now - x->last_sample) / 1e9;
		double u = could > 0 ? (double)(on_wire - x->last_on_wire[h]) / could : 0;
		x->last_on_wire[h] = on_wire;
		if (push_util(&x->r->links[h], u) < 0) {
			x->failed = 1;
			err_set(&x->e, "out of memory for the link samples");
			return;
		}
	}
	x->last_sample = now;
	if (!all_ended(x))
		if (des_schedule(x->q, sat_add(now, SAMPLE_NS), on_sample, x, 0, &x->e) < 0)
			x->failed = 1;
}

/* Whether the management layer cancelled the migration (progressTimeout,
 * or completionTimeoutPerGiB without post-copy), the VM still running on
 * its source, with attempts left: then it is migrated again. */
static int retries(const struct evac *x, size_t i)
{
	const mig *m = run_unit_mig(x->units[i]);
	const struct run_config *c = run_unit_config(x->units[i]);
	struct mig_stats st;
	mig_get_stats(m, &st);
	if (x->r->vms[i].attempts >= x->s->policy.attempts || mig_status(m) != MIG_STATUS_FAILED ||
	    st.ended_in == MIG_PHASE_POSTCOPY)
		return 0;
	return !strncmp(mig_error(m), "cancelled:", 10) ||
	       (c->timeout && mig_clock(m) == sat_add(c->warmup, c->timeout));
}

/* A migration ended: its VM's result is complete, or it waits to be
 * migrated again, and the scheduler may start the next when the management
 * layer hears of it, at its end. */
static int finish_vm(struct evac *x, size_t i, err *e)
{
	const struct evac_vm *v = &x->s->vms[i];
	struct evac_vm_result *vr = &x->r->vms[i];
	int64_t end = mig_clock(run_unit_mig(x->units[i]));
	vr->end = end - x->s->start;
	x->running--;
	x->running_from[v->host]--;
	x->active[i] = 0;
	if (reshare(x, e) < 0)
		return -1;
	int64_t at = end > x->now ? end : x->now;
	if (retries(x, i)) {
		if (run_unit_reset(x->units[i], e) < 0)
			return -1;
		x->retry[x->n_retry++] = i;
		x->r->retried++;
	} else {
		x->done[i] = 1;
		if (run_unit_finish(x->units[i], e) < 0)
			return -1;
	}
	return des_schedule(x->q, at, on_admit, x, 0, e);
}

/* The earliest event anywhere: -1 for the scheduler's, else the unit. */
static int earliest(const struct evac *x, size_t *which, int64_t *t)
{
	*t = des_pending(x->q) ? des_next_time(x->q) : NEVER;
	int unit = 0;
	for (size_t i = 0; i < x->s->n_vms; i++) {
		int64_t ti = unit_next(x, i);
		if (ti < *t) {
			*t = ti;
			*which = i;
			unit = 1;
		}
	}
	return unit;
}

static int drive(struct evac *x, err *e)
{
	while (!all_ended(x)) {
		size_t i = 0;
		int64_t t;
		int unit = earliest(x, &i, &t);
		if (t == NEVER)
			return err_set(
			    e, "the simulation ran out of events before the evacuation ended");
		x->now = t;
		if (!unit) {
			des_step(x->q);
		} else {
			int was = run_unit_active(x->units[i]);
			if (run_unit_run(x->units[i], sat_add(t, 1), e) < 0)
				return -1;
			if (was && !run_unit_active(x->units[i]) && finish_vm(x, i, e) < 0)
				return -1;
		}
		if (x->failed) {
			*e = x->e;
			return -1;
		}
	}
	return 0;
}

static void summarise(const struct evac_scenario *s, struct evac_result *r)
{
	for (size_t i = 0; i < s->n_vms; i++) {
		const struct evac_vm_result *vr = &r->vms[i];
		if (!vr->started)
			continue;
		const struct mig_stats *st = &vr->run.stats;
		if (vr->end > r->drain_time)
			r->drain_time = vr->end;
		if (vr->run.status == MIG_STATUS_COMPLETED) {
			r->completed++;
			r->total_downtime += st->downtime;
			if (st->downtime > r->max_downtime)
				r->max_downtime = st->downtime;
		} else {
			r->failed++;
		}
		r->postcopy += st->ended_in == MIG_PHASE_POSTCOPY;
		if (vr->run.baseline_steps > vr->run.guest_steps)
			r->progress_lost += (double)(vr->run.baseline_steps - vr->run.guest_steps) /
					    (double)vr->run.baseline_steps *
					    (double)st->total_time / 1e9;
	}
	for (size_t h = 0; h < s->n_hosts; h++)
		if (r->links[h].peak > r->peak_util)
			r->peak_util = r->links[h].peak;
}

int evac_execute(const struct evac_scenario *s, struct evac_result *r, err *e)
{
	memset(r, 0, sizeof *r);
	r->n_vms = s->n_vms;
	struct evac *x = calloc(1, sizeof *x);
	if (!x)
		return err_set(e, "out of memory");
	x->s = s;
	x->r = r;
	int rc = des_new(&x->q, e);
	for (size_t i = 0; rc == 0 && i < s->n_vms; i++) {
		const struct evac_vm *v = &s->vms[i];
		struct evac_vm_result *vr = &r->vms[i];
		x->done[i] = 1; /* until opened: a VM that stays need not run */
		if (!s->hosts[v->host].drain)
			continue;
		apply_policy(s, v, &vr->c);
		rc = run_unit_open(&x->units[i], &vr->c, &vr->run, e);
		x->done[i] = 0;
		x->order[x->n_order++] = i;
	}
	if (rc == 0)
		rc = des_schedule(x->q, s->start, on_admit, x, 0, e);
	x->last_sample = s->start;
	if (rc == 0)
		rc = des_schedule(x->q, sat_add(s->start, SAMPLE_NS), on_sample, x, 0, e);
	if (rc == 0)
		rc = drive(x, e);
	for (size_t h = 0; h < s->n_hosts; h++) {
		r->links[h].bytes = x->links[h].sent;
		link_free(&x->links[h]);
	}
	for (size_t i = 0; i < s->n_vms; i++)
		run_unit_free(x->units[i]);
	des_free(x->q);
	free(x);
	if (rc == 0)
		summarise(s, r);
	else
		evac_result_free(r);
	return rc;
}

void evac_result_free(struct evac_result *r)
{
	for (size_t i = 0; i < r->n_vms; i++)
		run_result_free(&r->vms[i].run);
	for (size_t h = 0; h < EVAC_MAX_HOSTS; h++) {
		free(r->links[h].util);
		r->links[h].util = NULL;
		r->links[h].n_util = r->links[h].cap_util = 0;
	}
}
