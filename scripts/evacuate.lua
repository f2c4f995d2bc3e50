-- evacuate: draining a host of 8 VMs with mixed workloads under KubeVirt's
-- policy, sweeping parallelOutboundMigrationsPerNode 1-4 and
-- bandwidthPerMigration (0: unlimited, KubeVirt's default now; 64MiB/s, its
-- old default; 0.5 Gbit/s and 5 Gbit/s, a vendor's old and new defaults),
-- to show drain time against downtime and failures (docs/evacuation.md).
--
--   migsim evacuate scripts/evacuate.lua --db results/evacuate.db
--
-- Host a (10 Gbit/s) is drained onto b and c (placement rule: the most free
-- RAM). Every guest is minimal-linux (92 MiB of a freshly booted kernel)
-- under its workload, and completionTimeoutPerGiB is 30 s here, not
-- KubeVirt's 800 s, so that a migration that cannot converge is given up
-- on in half a minute of simulated time per GiB and the 16 evacuations
-- take a few minutes of CPU.
--
-- One run of it (128 migrations, 91 s of CPU, peak RSS 1.1 GB; 7.6 min of
-- wall time on 2 CPUs shared at a load average of 11):
--
--   bandwidthPer-  outbound  drain    max       summed    failed  guest work
--   Migration      per node           downtime  downtime          lost (s)
--   0 (unlimited)  1         1.94 s   50.4 ms   173 ms    0       0.19
--   0              2         1.62 s   57.6 ms   230 ms    0       0.47
--   0              3         1.56 s   93.9 ms   318 ms    0       0.68
--   0              4         1.41 s   70.3 ms   297 ms    0       0.84
--   5 Gbit/s       1         2.67 s   37.3 ms   129 ms    0       0.13
--   5 Gbit/s       2         1.63 s   46.3 ms   186 ms    0       0.54
--   5 Gbit/s       3         1.56 s   93.9 ms   318 ms    0       0.68
--   5 Gbit/s       4         1.40 s   72.8 ms   332 ms    0       0.95
--   0.5 Gbit/s     1         54.8 s   11.9 ms   54.7 ms   1       0.07
--   0.5 Gbit/s     2, 3, 4   31.5, 31.4, 30.0 s; 15-17 ms; 59-61 ms; 1; 0.06-0.14
--   64 MiB/s       1         52.8 s   11.0 ms   55.2 ms   1       0.07
--   64 MiB/s       2, 3, 4   31.4, 31.3, 30.0 s; 15-17 ms; 64-71 ms; 1; 0.08-0.15
--
-- More migrations at once drain the host faster and cost more downtime and
-- guest work (the NIC is shared: each migration's passes are longer). With
-- 3 at once each gets 3.3 Gbit/s, under the 5 Gbit/s limit: the same as no
-- limit. A limit of 64 MiB/s or 0.5 Gbit/s a migration (KubeVirt's and a
-- vendor's old defaults) uses at most 21-38 % of the 10 Gbit/s NIC and
-- cannot move vm4-hotcold (80000 page writes/s over a 256 MiB working set):
-- cancelled at 30 s in every such cell. Fastest without a downtime over 1 s and with
-- nothing failed: 5 Gbit/s a migration, 4 outbound per node (1.40 s, at most
-- 72.8 ms down), with no limit and 4 outbound a hair behind (1.41 s).
local workloads = {
	{"idle", "1G", {}},
	{"idle", "512M", {}},
	{"hotcold", "1G", {writes_per_second = 20000}},
	{"hotcold", "1G", {writes_per_second = 80000, working_set = "256MiB"}},
	{"sparse_update", "1G", {data_set = "256MiB"}},
	{"video_stream", "1G", {}},
	{"calloc_loop", "512M", {}},
	{"page_rewrite", "1G", {working_set = "64MiB", pages_per_second = 5000}},
}

local vms = {}
for i, w in ipairs(workloads) do
	vms[i] = {name = "vm" .. i .. "-" .. w[1], host = "a", ram = w[2], workload = w[1],
	          guest = "minimal-linux", wl = w[3]}
end

return {
	name = "evacuate",
	hosts = {
		{name = "a", nic = "10Gbit/s"},
		{name = "b", nic = "10Gbit/s", ram = "8G"},
		{name = "c", nic = "10Gbit/s", ram = "8G"},
	},
	vms = vms,
	drain = "a",
	policy = {completionTimeoutPerGiB = "30s"},
	sweep = {
		parallelOutboundMigrationsPerNode = {1, 2, 3, 4},
		bandwidthPerMigration = {"0", "64MiB/s", "0.5Gbit/s", "5Gbit/s"},
	},
}
