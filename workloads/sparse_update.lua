-- sparse_update: a large resident data set (an in-memory database, a JVM
-- heap) that is updated sparsely: a few bytes change on each page touched,
-- pages chosen uniformly. This is the enterprise workload XBZRLE was aimed
-- at: a page resent after an update differs from its cached copy in a few
-- bytes only.
--
-- Parameters:
--   data_set            size of the resident data (size); filled by init
--                       with heap-like content (records, pointers, small
--                       integers: the "heap" class, docs/lua-api.md), so it
--                       is not sent as zero pages
--   updates_per_second  pages updated per second of guest time (rate)
--   bytes_per_update    bytes changed on each updated page (count)
--   tick                guest time of one step (duration); fractions of an
--                       update are carried to the next step
--   update_cpu          CPU time of one update (duration; an estimate: a
--                       database update, index lookup included, of a few
--                       us); the step is halted for the rest of its tick
--
-- Host memory: every updated page is stored byte for byte by the simulator,
-- so a long run at a high rate holds up to the whole data set in host RAM.

local tick, per_step
local carry = 0

return {
	name = "sparse_update",
	description = "a 512 MiB resident data set with small sparse updates (XBZRLE's target)",
	params = {
		data_set = "256MiB",
		updates_per_second = 5000,
		bytes_per_update = 8,
		tick = "1ms",
		update_cpu = "5us",
	},
	regions = function(p)
		return { { name = "data", size = p.data_set } }
	end,
	init = function(mem, p)
		mem.data:rewrite(0, mem.data.pages, "heap")
	end,
	step = function(mem, p)
		if not tick then
			tick = duration(p.tick)
			per_step = p.updates_per_second * tick / 1e9
		end
		carry = carry + per_step
		local n = math.floor(carry)
		carry = carry - n
		mem.data:write_random_uniform(n, p.bytes_per_update)
		return tick, math.min(n * duration(p.update_cpu), tick)
	end,
}
