/*
 * disk_bench — the simulator's speed on a 1 TiB disk mirror (issue 25): a
 * bare idle guest with `--disk 1TiB,allocated=0.5 --storage precopy` on a
 * 100 Gbit/s link, run whole (mirror, RAM migration, the destination disk
 * verified cluster by cluster). Prints the clusters mirrored a second of
 * wall time and the process's peak RSS; exits non-zero when the run fails.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "config.h"
#include "run.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	struct run_config c;
	run_config_defaults(&c);
	c.workload_path = MIGSIM_WORKLOAD_DIR "/idle.lua";
	err e;
	const char *setting = NULL;
	const char *const set[][2] = {{"guest", "bare"},	  {"ram", "256MiB"},
				      {"bandwidth", "100Gbit/s"}, {"disk", "1TiB,allocated=0.5"},
				      {"storage", "precopy"},	  {"timeout", "1h"}};
	for (size_t i = 0; i < sizeof set / sizeof *set; i++)
		if (config_set(&c, set[i][0], set[i][1], &e) < 0) {
			fprintf(stderr, "disk_bench: %s: %s\n", set[i][0], e.msg);
			return 1;
		}
	if (config_check(&c, &setting, &e) < 0) {
		fprintf(stderr, "disk_bench: %s: %s\n", setting, e.msg);
		return 1;
	}
	struct run_result r;
	double t0 = now_s();
	if (run_execute(&c, &r, &e) < 0) {
		fprintf(stderr, "disk_bench: %s\n", e.msg);
		return 1;
	}
	double wall = now_s() - t0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	int ok = r.status == MIG_STATUS_COMPLETED && r.storage.verified;
	printf("1 TiB disk mirror (half allocated, 64 KiB clusters): %llu clusters in %.2f s: "
	       "%.2f M clusters/s; peak RSS %.0f MiB; %s\n",
	       (unsigned long long)r.storage.clusters_copied, wall,
	       (double)r.storage.clusters_copied / wall / 1e6, (double)ru.ru_maxrss / 1024,
	       ok ? "destination verified" : r.error);
	run_result_free(&r);
	return ok ? 0 : 1;
}
