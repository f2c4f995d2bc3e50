-- step returns a 1 ms cost and the CPU time the parameter `what` selects.
local values = { half = 500000, none = nil, zero = 0, over = 1000001, negative = -1,
	nan = 0 / 0, string = "5", fraction = 0.4 }
return {
	name = "cpu_result",
	description = "returns the CPU time the parameter what names",
	params = { what = "half" },
	regions = {},
	step = function(mem, p)
		return 1000000, values[p.what]
	end,
}
