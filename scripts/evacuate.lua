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
-- One run of it (128 migrations, 107 s of CPU: 88 s user, 19 s system; 3.8
-- min of wall time on 2 CPUs shared with a CI run), each migration on a
-- socket of its own on the shared NIC (docs/model.md, "Migrations sharing a
-- link"):
--
--   bandwidthPer-  outbound  drain    max       summed    failed  guest work
--   Migration      per node           downtime  downtime          lost (s)
--   0 (unlimited)  1         1.94 s   50.4 ms   173 ms    0       0.19
--   0              2         1.45 s   63.7 ms   217 ms    0       0.26
--   0              3         1.34 s   122 ms    371 ms    0       0.41
--   0              4         1.32 s   174 ms    467 ms    0       0.52
--   5 Gbit/s       1         2.67 s   37.3 ms   129 ms    0       0.13
--   5 Gbit/s       2         1.52 s   60.4 ms   204 ms    0       0.24
--   5 Gbit/s       3         1.34 s   122 ms    371 ms    0       0.41
--   5 Gbit/s       4         1.32 s   174 ms    467 ms    0       0.52
--   0.5 Gbit/s     1         54.8 s   11.9 ms   54.7 ms   1       0.07
--   0.5 Gbit/s     2, 3, 4   31.5, 31.4, 30.0 s; 15-17 ms; 58-60 ms; 1; 0.07-0.11
--   64 MiB/s       1         52.8 s   11.0 ms   55.2 ms   1       0.07
--   64 MiB/s       2, 3, 4   31.4, 31.3, 30.0 s; 14-18 ms; 62-64 ms; 1; 0.07-0.11
--
-- More migrations at once drain the host faster and cost more downtime and
-- guest work (the NIC is shared: each migration's passes are longer, and
-- its stop-and-copy gets its share of the NIC only). With 3 or 4 at once
-- each gets 3.3 or 2.5 Gbit/s, under the 5 Gbit/s limit: the same as no
-- limit. A limit of 64 MiB/s or 0.5 Gbit/s a migration (KubeVirt's and a
-- vendor's old defaults) uses at most 21-38 % of the 10 Gbit/s NIC and
-- cannot move vm4-hotcold (80000 page writes/s over a 256 MiB working set):
-- cancelled at 30 s in every such cell. Fastest without a downtime over 1 s
-- and with nothing failed: 4 outbound per node, with no limit or with
-- 5 Gbit/s a migration (the same: 1.32 s, at most 174 ms down).
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
