-- multifd: how many channels, which compression, for which memory and link
-- (issue 24). Multifd's channels x compression method x link bandwidth on
-- two content classes: sparse_update's heap-like data set (zstd makes ~3.7x
-- of it, lz4 ~2.7x) and working_set's random pages (incompressible). No
-- rate limit (max-bandwidth 0), so the link or the channels' CPU bound the
-- transfer: a fast link with few channels is CPU-bound and compression
-- loses there; a slow link with compressible memory is link-bound and
-- compression wins.
--
--   migsim sweep scripts/multifd.lua --jobs 2 --db results/multifd.db
--
-- 2 workloads x 4 methods x 4 channel counts x 3 bandwidths = 96 runs of a
-- 64 MiB bare guest (48 MiB of data), one seed: a few minutes on 2 CPUs.
-- The CPU cost of compression is the codec's cost model (docs/model.md,
-- "Encoder CPU cost"), whose one figure a method is the compressible
-- classes': on random pages real zstd and lz4 give up faster than that.
--
-- What it shows (one run here; total time, heap data set):
--
-- * A channel's rate is its codec's: per 512 KiB packet zstd level 1 takes
--   ~2.5 ms (~1.7 Gbit/s of pages), lz4 ~1.65 ms (~2.5 Gbit/s), zlib level
--   1 ~7.6 ms (~0.55 Gbit/s), none ~0.1 ms. Compression wins while the
--   channels together compress faster than the link carries raw pages:
--   zstd with n channels beats none up to a link of about 1.7 x n Gbit/s
--   (1 Gbit/s: from 1 channel, 250 ms against 413; 10 Gbit/s: only with 8,
--   36 ms against 46), lz4 up to about 2.5 x n (10 Gbit/s: ties at 4, wins
--   at 8), zlib up to about 0.55 x n (1 Gbit/s: from 2 channels, barely).
--   At 25 Gbit/s none wins at every channel count swept.
-- * Once the link saturates, more channels gain nothing (zstd on 1 Gbit/s:
--   129, 122, 121 ms for 2, 4, 8), and without compression channels change
--   nothing beyond their packets' overhead (413-415 ms on 1 Gbit/s).
-- * On random pages compression never wins: it sends 0.1-0.4 % more
--   (headers and framing) and, CPU-bound, finishes later (zstd, 1 channel,
--   10 Gbit/s: 249 ms against 46).
local methods = { "none", "zlib", "zstd", "lz4" }
local policies = {}
for _, m in ipairs(methods) do
	policies[#policies + 1] = {
		name = "multifd-" .. m,
		caps = { "multifd" },
		params = { ["multifd-compression"] = m },
	}
end
return {
	name = "multifd",
	description = "multifd channels x compression x bandwidth on heap and random memory",
	workloads = {
		{ script = "sparse_update", params = { data_set = "48MiB", updates_per_second = 1000 } },
		{ script = "working_set", params = { pages = 12288, period = 1000 } },
	},
	policies = policies,
	guest = "bare",
	ram = "64MiB",
	bandwidth = { "1Gbit/s", "10Gbit/s", "25Gbit/s" },
	latency = "100us",
	params = {
		["max-bandwidth"] = "0",
		["multifd-channels"] = { 1, 2, 4, 8 },
	},
	warmup = "100ms",
	timeout = "30s",
	seeds = 1,
}
