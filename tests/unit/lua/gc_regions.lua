-- A regions function that makes garbage, so a collection runs while the host
-- is still reading the script's table (issue 18: the table was unanchored).
local cost
return {
	name = "gc_regions",
	description = "regions function that allocates; a collection runs while the script is read",
	params = { kind = "calloc", baseline = "0", pass_cost = "1ms", working_set = "256MiB" },
	regions = function(p)
		for i = 1, 10000 do
			local t = { i, tostring(i) }
		end
		local r = { { name = "base", size = math.max(size(p.baseline), 1024 * 1024) } }
		if p.kind == "calloc" then
			r[#r + 1] = { name = "buf", size = 4096 * 4096 }
		else
			r[#r + 1] = { name = "ws", size = p.working_set }
		end
		return r
	end,
	step = function(mem, p)
		cost = cost or duration(p.pass_cost)
		mem.buf:inc(0, 1024, 4096 * 4096 // 1024)
		return cost
	end,
}
