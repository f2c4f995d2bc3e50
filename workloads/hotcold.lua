-- hotcold: writes whose pages follow a Zipf law over a working set: a few
-- hot pages take most writes, a long cold tail is written now and then
-- (caches, hash tables, allocator metadata). Page 0 of the working set is
-- the hottest, page 1 next, and so on.
--
-- Parameters:
--   working_set        size of the memory written (size)
--   s                  Zipf exponent (number >= 0; 0 is uniform, 1 classic
--                      Zipf, larger is more skewed)
--   writes_per_second  page writes per second of guest time (rate)
--   bytes_per_write    random bytes changed per page write (count, at most a
--                      page); 0 rewrites the page whole instead, with
--                      heap-like content (the "heap" class,
--                      docs/lua-api.md)
--   tick               guest time of one step (duration); fractions of a
--                      write are carried to the next step
--   cpu                share of its time the program computes (number, 0 to
--                      1); 1, the default, is a busy program: its writes are
--                      a side effect of computation that uses the whole vCPU

local tick, per_step
local carry = 0

return {
	name = "hotcold",
	description = "Zipf-distributed page writes: a hot core and a cold tail",
	params = {
		working_set = "128MiB",
		s = 1.0,
		writes_per_second = 50000,
		bytes_per_write = 64,
		tick = "1ms",
		cpu = 1,
	},
	regions = function(p)
		return { { name = "ws", size = p.working_set } }
	end,
	step = function(mem, p)
		if not tick then
			tick = duration(p.tick)
			per_step = p.writes_per_second * tick / 1e9
		end
		carry = carry + per_step
		local n = math.floor(carry)
		carry = carry - n
		if p.bytes_per_write > 0 then
			mem.ws:write_random_zipf(n, p.s, p.bytes_per_write)
		else
			mem.ws:rewrite_zipf(n, p.s, "heap")
		end
		return tick, tick * math.max(0, math.min(p.cpu, 1))
	end,
}
