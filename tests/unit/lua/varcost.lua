-- Steps whose cost depends on the workload's random stream and on bytes it
-- reads back from its own memory: a baseline that resumes the vCPU one step
-- early or late, or from a guest not in the unmigrated state, counts
-- differently from a run simulated from the start.
return {
	name = "varcost",
	description = "random writes; each step's cost is drawn and shifted by a byte read back",
	regions = { { name = "a", size = "8MiB" } },
	step = function(mem, p)
		local a = mem.a
		a:write_random_uniform(64, 8)
		a:inc(mem.random_below(a.size), 1, 1, mem.random_below(256))
		local b = a:bytes(mem.random_below(a.size), 1):byte()
		return 200000 + mem.random_below(800000) + b * 1000
	end,
}
