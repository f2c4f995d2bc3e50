-- Fixed (issue 18): random bytes cost one budget unit each (sim/wl_mem.c);
-- the first call stops the step.
--
-- Reproducer from fuzz_workload: write_random and its _uniform/_zipf forms
-- are charged one instruction per page against the instruction budget, but
-- do nbytes of work in each page. One call below writes 90000 x 4096 =
-- 369 M random bytes for 90000 instructions of a 100 M budget; every 16 ms
-- step takes seconds of host time (minutes under ASan) and the run does not
-- end in reasonable time.
-- migsim run tests/fuzz/repro/write_random_budget.lua --no-db --ram 4MiB --bandwidth 1MB/s --warmup 20ms --timeout 300ms
-- Expected: charged per byte, the call exceeds the budget: a clean
-- "instruction budget of 100000000 instructions per call exceeded" error.
return {
	name = "write_random_budget",
	description = "random bytes by the hundred million, for almost no budget",
	regions = { { name = "r0", size = 40 * 4096 } },
	step = function(mem, p)
		mem.r0:write_random_uniform(90000, 4096)
		return ms(16)
	end,
}
