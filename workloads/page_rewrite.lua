-- page_rewrite: whole pages rewritten with fresh content at a steady rate,
-- chosen uniformly within a working set (think of a cache being refilled
-- with new objects). A rewritten page shares no bytes with its last version
-- but where both hold zeros, and is never zero, so the working set's dirty
-- rate is what pre-copy must outrun.
--
-- Parameters:
--   working_set       size of the memory being rewritten (size)
--   pages_per_second  pages rewritten per second of guest time (rate)
--   tick              guest time of one step (duration); each step rewrites
--                     pages_per_second x tick pages, fractions carried over
--                     to the next step so the long-run rate is exact
--   page_cpu          CPU time of rewriting one page (duration; an estimate:
--                     4 KiB written at ~4 GB/s); the step computes that for
--                     each page and is halted for the rest of its tick
--   content           content class of the new bytes (docs/lua-api.md);
--                     "heap", the objects a cache holds

local tick, per_step
local carry = 0

return {
	name = "page_rewrite",
	description = "whole random pages rewritten at a fixed rate within a working set",
	params = {
		working_set = "256MiB",
		pages_per_second = 10000,
		tick = "1ms",
		page_cpu = "1us",
		content = "heap",
	},
	regions = function(p)
		return { { name = "ws", size = p.working_set } }
	end,
	step = function(mem, p)
		if not tick then
			tick = duration(p.tick)
			per_step = p.pages_per_second * tick / 1e9
		end
		carry = carry + per_step
		local n = math.floor(carry)
		carry = carry - n
		mem.ws:rewrite_uniform(n, p.content)
		return tick, math.min(n * duration(p.page_cpu), tick)
	end,
}
