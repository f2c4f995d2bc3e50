-- Steps of one duration that compute the share `cpu` of it (0..1) and are
-- halted for the rest: a CPU-bound program (cpu = 1) or a paced one.
return {
	name = "demand",
	description = "steps of a fixed duration computing a given share of it",
	params = { cost = "1ms", cpu = 1 },
	regions = { { name = "a", size = 4096 } },
	step = function(mem, p)
		mem.a:inc(0, 1, 1)
		local cost = duration(p.cost)
		return cost, cost * p.cpu
	end,
}
