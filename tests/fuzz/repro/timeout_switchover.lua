-- Fixed (issue 18): the timeout ends every phase (sim/mig.c); the run fails
-- at 100 ms, and the command line now refuses timeouts under 100 ms.
--
-- Reproducer from fuzz_workload: --timeout does not bound the stop-and-copy
-- phase. On a 1 kB/s link the 3 MiB guest "completes" after 4.49 min of
-- simulated time (downtime 4.49 min) despite --timeout 100ms; with
-- --param device-state-size=1GiB the stop-and-copy lasts ~12 days of
-- simulated time, and the baseline then re-simulates the guest's 1 ms steps
-- over all of it (continue_unmigrated, sim/run.c): the run never ends (a
-- fuzzer timeout).
-- migsim run tests/fuzz/repro/timeout_switchover.lua --no-db --ram 3MiB --bandwidth 1kB/s --warmup 5ms --timeout 100ms --param device-state-size=1GiB
-- Expected: the migration fails at 100 ms ("timed out"), in well under a second.
return {
	name = "timeout_switchover",
	description = "one page, 1 ms steps",
	regions = { { name = "r0", size = 4096 } },
	step = function(mem, p)
		return 1000000
	end,
}
