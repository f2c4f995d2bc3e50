return {
	name = "endless",
	description = "never returns from step",
	regions = {},
	step = function(mem, p)
		while true do end
	end,
}
