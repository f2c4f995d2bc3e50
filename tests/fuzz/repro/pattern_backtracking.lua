-- Fixed (issue 18): the pattern functions are charged their worst-case
-- backtracking before they run (sim/box.c); the budget stops the step at
-- once.
--
-- Reproducer from fuzz_workload: string pattern matching runs in C, outside
-- the instruction budget. ".-.-.-.-.-c" against 100 characters without a
-- 'c' backtracks through ~100^6 / 6! positions in one gmatch call; the step
-- never returns (also string.find(string.rep("a", 100000), "a*b"), which is
-- quadratic: 5e9 steps).
-- migsim run tests/fuzz/repro/pattern_backtracking.lua --no-db --ram 1MiB --warmup 5ms --timeout 100ms
-- Expected: the step stops with "instruction budget of N instructions per
-- call exceeded" (or another clean error) within about a second.
return {
	name = "pattern_backtracking",
	description = "a pattern that backtracks for hours",
	regions = { { name = "r0", size = 4096 } },
	step = function(mem, p)
		local n = 0
		for _ in string.gmatch(string.rep("aaaaaaaaab", 10), ".-.-.-.-.-c") do
			n = n + 1
		end
		return 1000000 + n
	end,
}
