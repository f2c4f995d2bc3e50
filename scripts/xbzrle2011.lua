-- xbzrle2011: the experiment published with QEMU's XBZRLE patch (2011), as
-- `make run` runs it: the calloc write loop (workloads/calloc_loop.lua) in
-- a 1 GiB guest over that era's defaults, max-bandwidth 32 MiB/s and
-- downtime-limit 30 ms, with a 600 s timeout, under each policy.
--
-- The guest is a long-running Linux server (the default guest profile: 70 %
-- of its RAM in use, 4 MB/s of background writes), and the vCPU and the
-- migration thread share one host CPU (host-cpus = 1): the condition under
-- which XBZRLE converges (docs/model.md, "The host's CPUs": in the thread's
-- slices the loop is descheduled, and a pass of 4096 XBZRLE deltas and the
-- sync after it see no new writes). With a CPU each, no policy but post-copy
-- completes.
--
--   migsim sweep scripts/xbzrle2011.lua --jobs 2
return {
	name = "xbzrle2011",
	description = "the XBZRLE patch's experiment: calloc loop, 1 GiB server guest, 32 MiB/s, 30 ms",
	workloads = { "calloc_loop" },
	policies = {
		{ name = "precopy" },
		{ name = "xbzrle", caps = { "xbzrle" } },
		{ name = "auto-converge", caps = { "auto-converge" } },
		{ name = "postcopy-after-first-pass", postcopy = "after-first-pass" },
	},
	guest = "server",
	ram = "1GiB",
	bandwidth = "1Gbit/s",
	params = { ["max-bandwidth"] = "32MiB/s", ["downtime-limit"] = "30ms", ["host-cpus"] = 1 },
	timeout = "600s",
	warmup = "1s",
	seeds = 1,
}
