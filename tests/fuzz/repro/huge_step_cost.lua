-- Fixed (issue 18): integer costs are bounded like float ones (below 9.2e18
-- ns) and vcpu.c saturates (sim/sat.h); a clean error.
--
-- Reproducer from fuzz_workload: a step that returns math.maxinteger ns.
-- The cost is accepted (it is positive), and vcpu.c adds it to the step's
-- start time: signed overflow at sim/vcpu.c:79 (on_step), which UBSan
-- reports. 2^62 and sec(1e9) take the same road a few steps later.
-- migsim run tests/fuzz/repro/huge_step_cost.lua --no-db --ram 4MiB --warmup 5ms --timeout 100ms
-- Expected: a clean error (a cost too large to simulate) or a run whose
-- clock saturates; no overflow.
return {
	name = "huge_step_cost",
	description = "one step lasting until the end of time",
	regions = { { name = "r0", size = 4096 } },
	step = function(mem, p)
		return math.maxinteger
	end,
}
