-- policies: the migration policies people choose between, over workloads
-- and the migration's rate limit, a matrix in which each policy is the best
-- on some metric in some cell: plain pre-copy, pre-copy with XBZRLE, with
-- auto-converge, post-copy after the first pre-copy pass (libvirt's
-- recommended use), and post-copy from the start.
--
--   migsim sweep scripts/policies.lua --jobs 2 --db results/policies.db
--
-- 3 workloads x 2 rate limits x 5 policies x 3 seeds = 90 runs (6 min
-- with --jobs 2 on a 2-CPU machine shared with another sweep; most of it
-- the 15 pre-copy runs that time out after 2 min of simulated time). Every guest is the default `server`
-- (70 % of 1 GiB in use, 4 MB/s of background writes) on a 10 Gbit/s link;
-- the rate limit (`max-bandwidth`) is QEMU's default of 2011 (32 MiB/s, the
-- XBZRLE patch's) or of today (128 MiB/s). The workloads keep their
-- defaults, except sparse_update's data set (256 MiB, not 512 MiB: the
-- server leaves 307 MiB of the 1 GiB free).
--
-- Where each policy wins (medians of the completed runs;
-- tests/e2e/t_policies_win.sh checks these):
--
-- * postcopy-immediately: total time and bytes, in every cell. It sends
--   each page once, and post-copy's stream is limited by
--   `max-postcopy-bandwidth` (0: the link's 10 Gbit/s), not `max-bandwidth`.
--   It pays for it in guest progress (every first touch of a page faults
--   across the link) and in QEMU's downtime, which it reports as the whole
--   post-copy phase (docs/model.md, "Downtime").
-- * postcopy-after-first-pass: guest progress in calloc_loop at 32 MiB/s,
--   where no pre-copy policy converges (the loop dirties its 16 MiB faster
--   than 32 MiB/s can resend it) and post-copy from the start faults on
--   every page; after a first pass only the loop's 4096 pages are missing.
-- * xbzrle: downtime and guest progress in sparse_update at 128 MiB/s, the
--   workload it was designed for: 8 bytes change on each updated page, so
--   the last pass's pages go as deltas of a few bytes and the pause is
--   shorter. It also wins downtime there at 32 MiB/s.
-- * auto-converge: downtime in video_stream at 32 MiB/s. The player
--   rewrites its two 8 MiB display buffers 30 times a second, faster than
--   32 MiB/s resends them; XBZRLE cannot help (the frames are
--   incompressible), so plain pre-copy and XBZRLE time out, and the
--   throttle slows the player until the last pass fits the downtime limit.
--   Post-copy after the first pass pauses the guest longer, behind a send
--   buffer that 32 MiB/s drains slowly.
-- * precopy: downtime in calloc_loop at 128 MiB/s, tied with xbzrle and
--   auto-converge, which do nothing there (the run converges before the
--   XBZRLE cache is used or a throttle is decided), and better than either
--   post-copy policy: post-copy's return path adds a latency to QEMU's
--   downtime, and post-copy from the start counts its whole stream. Plain
--   pre-copy never wins alone: when the others' mechanisms do not act it
--   ties with them, and when they act they help on some metric.
return {
	name = "policies",
	description = "pre-copy, XBZRLE, auto-converge and post-copy over workloads x max-bandwidth",
	workloads = {
		"calloc_loop",
		{ script = "sparse_update", params = { data_set = "256MiB" } },
		"video_stream",
	},
	policies = {
		{ name = "precopy" },
		{ name = "xbzrle", caps = { "xbzrle" } },
		{ name = "auto-converge", caps = { "auto-converge" } },
		{ name = "postcopy-after-first-pass", postcopy = "after-first-pass" },
		{ name = "postcopy-immediately", postcopy = "immediately" },
	},
	guest = "server",
	ram = "1GiB",
	bandwidth = "10Gbit/s",
	latency = "100us",
	params = { ["max-bandwidth"] = { "32MiB/s", "128MiB/s" } },
	warmup = "1s",
	timeout = "2min",
	seeds = 3,
}
