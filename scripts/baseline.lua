-- The regression baseline: a small matrix whose results are committed in
-- results/baseline/baseline.db, so that `make regress` (migsim compare of
-- the current build against it) shows any change of the model's results.
-- Kept small (well under two minutes on one core): three workloads, the
-- main policies, 4 seeds (the fewest with which compare can call a change
-- significant, docs/compare.md), on the default guest profile (server: 70 %
-- of RAM in use, background writes) in a 512 MiB guest, the smallest in
-- which hotcold's 128 MiB working set fits beside it. Changing this file, or the model's results
-- on purpose, means regenerating the baseline: make baseline
return {
	name = "baseline",
	workloads = { "calloc_loop", "hotcold", "idle" },
	policies = {
		{ name = "precopy" },
		{ name = "xbzrle", caps = { "xbzrle" } },
		{ name = "auto-converge", caps = { "auto-converge" } },
		{ name = "postcopy-after-first-pass", postcopy = "after-first-pass" },
	},
	guest = "server",
	ram = "512MiB", bandwidth = "1Gbit/s", timeout = "60s", warmup = "200ms",
	seeds = 4,
}
