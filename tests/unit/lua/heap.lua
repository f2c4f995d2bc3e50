-- Allocates without bound, inside pcall so the cap must not be swallowed.
return {
	name = "heap",
	description = "grows a table until the heap cap stops it",
	regions = {},
	step = function(mem, p)
		local t = {}
		for i = 1, 1e9 do
			pcall(function() t[#t + 1] = string.rep("x", 1000) .. i end)
		end
		return 1
	end,
}
