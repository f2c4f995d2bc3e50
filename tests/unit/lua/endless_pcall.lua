-- A script that tries to swallow the budget's stop with pcall and xpcall.
return {
	name = "endless_pcall",
	description = "catches every error and loops again",
	regions = {},
	step = function(mem, p)
		while true do
			pcall(function() while true do end end)
			xpcall(function() while true do end end, function(m) return m end)
		end
	end,
}
