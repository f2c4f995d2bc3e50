-- Steps of one fixed cost, each writing random bytes: with a cost that
-- divides the warm-up and the timeout, a step starts at the very instant a
-- timed-out migration gives up.
return {
	name = "steady",
	description = "random writes; every step costs the parameter cost",
	params = { cost = "2500us" },
	regions = { { name = "a", size = "8MiB" } },
	step = function(mem, p)
		mem.a:write_random_uniform(64, 8)
		return duration(p.cost)
	end,
}
