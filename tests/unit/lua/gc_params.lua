-- Enough parameter text that reading the defaults triggers a collection, with
-- no regions function at all (issue 18: the script table was unanchored).
local params = {}
for i = 1, 4000 do
	params["p" .. i] = string.rep("x", 2000) .. i
end
return {
	name = "gc_params",
	description = "large params table",
	params = params,
	regions = { { name = "a", size = 4096 } },
	step = function(mem, p)
		mem.a:inc(0, 1, 1)
		return 1000000
	end,
}
