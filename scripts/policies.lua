-- policies: the migration policies people choose between, over every
-- bundled workload: plain pre-copy, pre-copy with XBZRLE, with
-- auto-converge, post-copy after the first pre-copy pass (libvirt's
-- recommended use), and post-copy from the start.
--
--   migsim sweep scripts/policies.lua --db results/policies.db
--
-- 6 workloads x 5 policies x 5 seeds = 150 runs.
return {
	name = "policies",
	description = "pre-copy, XBZRLE, auto-converge and post-copy over the bundled workloads",
	workloads = { "calloc_loop", "idle", "page_rewrite", "sparse_update", "hotcold",
		      "video_stream" },
	policies = {
		{ name = "precopy" },
		{ name = "xbzrle", caps = { "xbzrle" } },
		{ name = "auto-converge", caps = { "auto-converge" } },
		{ name = "postcopy-after-first-pass", postcopy = "after-first-pass" },
		{ name = "postcopy-immediately", postcopy = "immediately" },
	},
	ram = "1GiB",
	bandwidth = "1Gbit/s",
	latency = "100us",
	warmup = "1s",
	timeout = "2min",
	seeds = 5,
}
