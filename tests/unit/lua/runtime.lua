return {
	name = "runtime",
	description = "fails inside step",
	regions = {},
	step = function(mem, p)
		local t = nil
		return t.field
	end,
}
