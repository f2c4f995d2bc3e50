-- cpubound: a guest whose 256 MiB are written once (in init) and whose vCPU
-- then computes all the time, rewriting one page a millisecond: the
-- migration's CPU work competes with it on a shared host CPU.
return {
	name = "cpubound",
	description = "256 MiB written once, then a vCPU that computes all the time",
	regions = { { name = "data", size = "256MiB" } },
	init = function(mem)
		mem.data:rewrite(0, mem.data.pages)
	end,
	step = function(mem)
		mem.data:rewrite(0, 1)
		return ms(1)
	end,
}
