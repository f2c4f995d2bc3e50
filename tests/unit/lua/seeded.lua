-- Random bytes from every random source a script has.
return {
	name = "seeded",
	description = "random writes from mem.random, math.random and the primitives",
	regions = { { name = "a", size = "1MiB" } },
	step = function(mem, p)
		local a = mem.a
		a:write_random_uniform(4, 16)
		a:write_random_zipf(4, 1.1, 16)
		a:inc(a:pick_zipf(0.8) * 4096 + math.random(0, 4095), 1, 1, math.random(1, 255))
		a:inc(mem.random_below(a.size), 1, 1, math.floor(mem.random() * 255) + 1)
		math.randomseed() -- must not reseed from the clock
		a:inc(math.random(0, a.size - 1), 1, 1)
		return 1000
	end,
}
