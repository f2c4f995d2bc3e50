-- The sweep behind docs/report-example.svg (docs/report.md): two settings
-- swept, the migration's rate limit (max-bandwidth) and the downtime limit,
-- for three policies on calloc_loop in a bare 256 MiB guest on 10 Gbit/s. Regenerate the example with
--
--   migsim sweep docs/report-example.lua --db /tmp/example.db
--   migsim report --db /tmp/example.db -o /tmp/example
--   cp /tmp/example/wl1-sweep-total-time.svg docs/report-example.svg
return {
	name = "report-example",
	description = "max-bandwidth x downtime limit, three policies, calloc_loop",
	workloads = { "calloc_loop" },
	policies = {
		{ name = "precopy" },
		{ name = "xbzrle", caps = { "xbzrle" } },
		{ name = "postcopy-after-first-pass", postcopy = "after-first-pass" },
	},
	guest = "bare",
	ram = "256MiB",
	bandwidth = "10Gbit/s",
	params = {
		["max-bandwidth"] = { "64MiB/s", "128MiB/s", "256MiB/s", "512MiB/s" },
		["downtime-limit"] = { "30ms", "300ms" },
	},
	timeout = "10s",
	seeds = 1,
}
