-- idle: a guest with nothing to do. Its kernel wakes at every timer tick,
-- bumps jiffies, and touches a few pages of its timer and scheduler data
-- before halting again; the rest of RAM is never written and stays zero.
--
-- Parameters:
--   tick           time between timer interrupts (duration; 10 ms = HZ 100)
--   pages_per_tick pages of kernel data written per tick (count)
--   bytes_per_page bytes changed in each of those pages (count)
--   kernel         size of the kernel data the tick handler writes into (size)
--   tick_cpu       CPU time of one tick's handling (duration; an estimate: a
--                  timer interrupt and a scheduler tick take a few us)
--
-- One step is one tick; its cost is the whole tick period, of which the vCPU
-- computes tick_cpu and is halted, not runnable, for the rest.

local tick

return {
	name = "idle",
	description = "a nearly idle guest: a timer tick every 10 ms touching a few pages",
	params = {
		tick = "10ms",
		pages_per_tick = 3,
		bytes_per_page = 16,
		kernel = "1MiB",
		tick_cpu = "5us",
	},
	regions = function(p)
		return { { name = "kernel", size = p.kernel } }
	end,
	step = function(mem, p)
		tick = tick or duration(p.tick)
		local k = mem.kernel
		k:inc(0, 1, 1) -- jiffies
		k:write_random_uniform(p.pages_per_tick, p.bytes_per_page)
		return tick, math.min(duration(p.tick_cpu), tick)
	end,
}
