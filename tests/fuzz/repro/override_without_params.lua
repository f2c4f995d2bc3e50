-- Fixed (issue 18): apply_override skips bsearch when there are no params;
-- the expected error.
--
-- Reproducer from fuzz_workload: a workload with no params given a
-- --wl-param override. apply_override (sim/wl.c) calls bsearch() with the
-- empty parameter array's NULL base, which UBSan reports (nonnull argument).
-- migsim run tests/fuzz/repro/override_without_params.lua --no-db --ram 1MiB --warmup 5ms --timeout 100ms --wl-param zz=5
-- Expected: a clean error "unknown workload parameter 'zz' (this workload has none)".
return {
	name = "override_without_params",
	description = "no params, one override",
	regions = { { name = "r0", size = 4096 } },
	step = function(mem, p)
		return 1000000
	end,
}
