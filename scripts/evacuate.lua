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
