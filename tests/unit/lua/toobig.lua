return {
	name = "toobig",
	description = "allocates more than the guest has",
	params = { extra = "1GiB" },
	regions = function(p)
		return { { name = "small", size = "1MiB" }, { name = "big", size = p.extra } }
	end,
	step = function(mem, p) return 1 end,
}
