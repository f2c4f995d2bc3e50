-- working_set: every page of a working set of `pages` pages is rewritten
-- whole exactly once per `period`, in address order, wrapping around. It is
-- the guest the textbook pre-copy model assumes: a constant dirty rate
-- D = pages / period of distinct pages, none of them zero or compressible
-- (the "random" content class, docs/lua-api.md), so each pass must resend
-- what was dirtied while the previous one ran.
-- tests/e2e/t_recurrence.sh checks the simulator against that recurrence.
--
-- Parameters:
--   pages   pages in the working set (count), laid out from the start of RAM
--   period  seconds for one sweep over the working set (number, s)
--   tick    guest time of one step (duration); each step rewrites
--           pages x tick / period pages, fractions carried to the next step

local tick, per_step
local cursor, carry = 0, 0

return {
	name = "working_set",
	description = "a working set rewritten whole once per period, in address order",
	params = { pages = 65536, period = 10, tick = "1ms" },
	regions = function(p, machine)
		return { { name = "ws", size = p.pages * machine.page_size } }
	end,
	-- The steady state from the first instant: every page already holds data,
	-- so the first pass sends the whole working set as normal pages.
	init = function(mem, p)
		mem.ws:rewrite(0, p.pages, "random")
	end,
	step = function(mem, p)
		if not tick then
			tick = duration(p.tick)
			per_step = p.pages * (tick / 1e9) / p.period
		end
		carry = carry + per_step
		local n = math.floor(carry)
		carry = carry - n
		while n > 0 do
			local run = math.min(n, p.pages - cursor)
			mem.ws:rewrite(cursor, run, "random")
			cursor = (cursor + run) % p.pages
			n = n - run
		end
		return tick
	end,
}
