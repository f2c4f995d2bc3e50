-- Fixed (issue 18): the script table stays anchored at stack index 1 while
-- it is read (sim/wl.c load_script); the run completes.
--
-- Reproducer from fuzz_workload: a garbage collection while the host reads
-- the script table (here from inside the regions function) leaves the host
-- with a dead script table. With collectgarbage("step", 1e9) as below,
-- read_functions (sim/wl.c:622, lua_getinfo on the step function) reads
-- freed memory: ASan SEGV in strlen under lua_getinfo, every run. With
-- collectgarbage("collect") instead the run fails with a false
-- "'step' must be a function(mem, p)".
-- migsim run tests/fuzz/repro/gc_in_regions.lua --no-db --ram 2MiB --warmup 20ms --timeout 100ms
-- Expected: the run completes (the script is valid).
return {
	name = "gc_in_regions",
	description = "a collection while the host reads the table",
	regions = function(p, machine)
		collectgarbage("step", 1e9)
		return { { name = "r0", size = 4096 } }
	end,
	step = function(mem, p)
		return 1000000
	end,
}
