/*
 * evac — a host evacuation (issue 26): several VMs' migrations on one
 * simulated clock, sharing their source host's NIC, started by a scheduler
 * with the management layer's knobs (KubeVirt's names and defaults as the
 * built-in profile). Each VM's migration is the whole single-VM model (a
 * run_unit, sim/run.h); docs/evacuation.md describes the scenario, the
 * sharing, the policy and what is left out.
 */
#ifndef MIGSIM_EVAC_H
#define MIGSIM_EVAC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "run.h"

#define EVAC_NAME_MAX  32
#define EVAC_MAX_HOSTS 64
#define EVAC_MAX_VMS   256
#define EVAC_ANY       ((size_t)-1) /* destination: by the placement rule */

struct evac_host {
	char name[EVAC_NAME_MAX];
	double nic;    /* bytes/s */
	unsigned cpus; /* 0: not given (each VM's own host-cpus parameter) */
	uint64_t ram;  /* bytes; 0: not given (no check) */
	int drain;     /* every VM on it is moved off */
};

/* A link between two hosts, slower than their NICs or not. */
struct evac_path {
	size_t a, b;
	double rate; /* bytes/s */
};

struct evac_vm {
	char name[EVAC_NAME_MAX];
	size_t host, dest; /* dest: EVAC_ANY until placed */
	struct run_config c;
};

enum evac_order {
	EVAC_AS_LISTED,
	EVAC_SMALLEST_FIRST,
	EVAC_LOWEST_DIRTY_FIRST,
	EVAC_LARGEST_FIRST,
};

/* KubeVirt's MigrationConfiguration, its names in comments. */
struct evac_policy {
	unsigned per_cluster;	    /* parallelMigrationsPerCluster */
	unsigned per_node;	    /* parallelOutboundMigrationsPerNode */
	double bandwidth;	    /* bandwidthPerMigration, bytes/s; 0: unlimited */
	int64_t completion_per_gib; /* completionTimeoutPerGiB, ns */
	int64_t progress_timeout;   /* progressTimeout, ns; 0: none */
	int allow_auto_converge;    /* allowAutoConverge */
	int allow_post_copy;	    /* allowPostCopy */
	enum evac_order order;
	/* migrationAttempts (migsim's): a migration the policy cancels is
	 * migrated again, a new migration, until this many have run; 1: it
	 * is reported as failed. */
	unsigned attempts;
};

struct evac_scenario {
	struct evac_host hosts[EVAC_MAX_HOSTS];
	size_t n_hosts;
	struct evac_path paths[EVAC_MAX_HOSTS];
	size_t n_paths;
	double port_rate; /* a switch's per-port rate, bytes/s; 0: no switch limit */
	struct evac_vm vms[EVAC_MAX_VMS];
	size_t n_vms;
	struct evac_policy policy;
	int64_t start; /* ns the VMs run before the evacuation begins */
};

/* KubeVirt's defaults; the rest of the scenario empty, start 1 s. */
void evac_defaults(struct evac_scenario *s);
/* "as-listed", "smallest-first", "lowest-dirty-first", "largest-first". */
int evac_order_parse(const char *name, enum evac_order *out, err *e);
const char *evac_order_name(enum evac_order o);
/* The host named `name`, or -1. */
int evac_host_find(const struct evac_scenario *s, const char *name);

/* Checks the scenario and places the VMs without a destination (the rule in
 * docs/evacuation.md): a VM larger than its destination's free RAM, zero
 * parallelism, a cyclic evacuation (a destination being drained), a host
 * without VMs to drain. Returns -1 with e filled and *vm the VM to blame
 * (EVAC_ANY: the scenario). */
int evac_check(struct evac_scenario *s, size_t *vm, err *e);

struct evac_vm_result {
	struct run_result run;
	struct run_config c; /* as the VM's migration ran (policy applied) */
	int started;
	unsigned attempts;  /* migrations it took (the run is the last one's) */
	int64_t start, end; /* ns since the evacuation began: its first start,
			       its last migration's end */
};

/* A source NIC's utilisation, sampled every 100 ms from the start. */
struct evac_link_result {
	uint64_t bytes; /* every byte its migrations put on it */
	double peak;	/* highest 100 ms utilisation, 0..1 */
	double *util;	/* per sample */
	size_t n_util, cap_util;
};

struct evac_result {
	struct evac_vm_result vms[EVAC_MAX_VMS];
	size_t n_vms;
	struct evac_link_result links[EVAC_MAX_HOSTS];
	int64_t drain_time;	/* ns: start to the last migration's end */
	int64_t total_downtime; /* ns, over completed migrations */
	int64_t max_downtime;
	double progress_lost; /* s of guest work lost, summed */
	unsigned completed, failed, postcopy;
	unsigned retried; /* migrations cancelled and run again */
	double peak_util; /* over every source NIC */
};

/* Runs the checked scenario. 0 when the simulation ran (migrations may
 * have failed: see each VM's run.status); -1 with e filled when it could
 * not (a script's error, out of memory). */
int evac_execute(const struct evac_scenario *s, struct evac_result *r, err *e);
void evac_result_free(struct evac_result *r);

#endif
