-- step returns whatever the parameter `what` selects.
local values = { zero = 0, negative = -5, nan = 0 / 0, string = "5", none = nil,
	half = 0.4, big = 2.5e6 }
return {
	name = "cost",
	description = "returns the cost the parameter what names",
	params = { what = "zero" },
	regions = {},
	step = function(mem, p)
		return values[p.what]
	end,
}
