-- xbzrle_cache: how the XBZRLE cache size changes a migration, on the two
-- workloads where it matters most: QEMU's own calloc loop (every pass
-- rewrites 4 bytes in each of 4096 pages: ideal deltas) and sparse_update
-- (small random updates spread over a 512 MiB data set, so hits depend on
-- the cache holding the pages that are rewritten).
--
--   migsim sweep scripts/xbzrle_cache.lua --db results/xbzrle_cache.db
--
-- 2 workloads x 7 cache sizes (16 MiB ... 1 GiB, powers of two) x 5 seeds.
local sizes = {}
for i = 0, 6 do
	sizes[#sizes + 1] = string.format("%dMiB", 16 << i)
end

return {
	name = "xbzrle_cache",
	description = "XBZRLE cache size 16 MiB to 1 GiB on calloc_loop and sparse_update",
	workloads = { "calloc_loop", "sparse_update" },
	policies = {
		{ name = "xbzrle", caps = { "xbzrle" },
		  params = { ["xbzrle-cache-size"] = sizes } },
	},
	ram = "1GiB",
	bandwidth = "1Gbit/s",
	latency = "100us",
	warmup = "1s",
	timeout = "2min",
	seeds = 5,
}
