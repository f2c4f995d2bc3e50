-- Ways a step could do unbounded work where the count hook cannot see it
-- (issue 18); `case` picks one. Each must end in a clean error within the
-- budget: the sandbox charges C work or refuses what it cannot bound.
return {
	name = "escapes",
	description = "work hidden from the instruction budget",
	params = { case = "none" },
	regions = { { name = "a", size = 65536 } },
	step = function(mem, p)
		local c = p.case
		if c == "finalizer" then
			setmetatable({}, { __gc = function() while true do end end })
			collectgarbage()
		elseif c == "finalizer_false" then
			setmetatable({}, { __gc = false })
		elseif c == "pattern" then
			string.find(string.rep("a", 4000), ".-.-.-.-.-b")
		elseif c == "pattern_method" then
			local s = string.rep("a", 100000)
			s:find("a*b")
		elseif c == "gmatch" then
			for _ in string.gmatch(string.rep("aaaaaaaaab", 10), ".-.-.-.-.-c") do
			end
		elseif c == "rep_empty" then
			string.rep("", 1e15)
		elseif c == "move" then
			table.move({}, 1, 1e15, 2)
		elseif c == "insert_len" then
			table.insert(setmetatable({}, { __len = function() return 1e15 end }), 1, 1)
		elseif c == "write_random" then
			mem.a:write_random_uniform(20000000, mem.page_size)
		elseif c == "concat" then
			local s = string.rep("x", 1 << 20)
			for _ = 1, 1e6 do
				local t = s .. "y"
			end
		elseif c == "collect_loop" then
			local keep = {}
			for i = 1, 20000 do
				keep[i] = { i }
			end
			while true do
				collectgarbage()
			end
		elseif c == "heap_at_cap" then
			-- live data near the heap cap (the test sets 1 MiB), then garbage:
			-- each time the cap is reached Lua runs a full collection
			local keep = {}
			for i = 1, 1800 do
				keep[i] = string.rep("k", 400) .. i
			end
			local n = 0
			while true do
				n = n + #(string.rep("g", 64) .. n)
			end
		elseif c == "gc_option" then
			collectgarbage("incremental", 0, 1000)
		elseif c == "inf_duration" then
			-- not an escape: a number that no duration is (it returned inf)
			duration(1 / 0)
		elseif c == "inf_rate" then
			rate(0 / 0)
		elseif c == "cheap_patterns" then
			-- ordinary uses stay well inside the budget
			local s = "pass_cost=1ms working_set=256MiB"
			local n = 0
			for k, v in s:gmatch("(%w+)=(%w+)") do
				n = n + 1
			end
			assert(n == 2 and s:find("=", 1, true) == 10)
			assert(s:match("^([%w_]+)") == "pass_cost")
			assert(("a,b,c"):gsub(",", ";") == "a;b;c")
			assert(#string.rep("ab", 1000, ",") == 2999)
			local t = { 3, 1, 2 }
			table.sort(t)
			table.insert(t, 4)
			assert(table.concat(t, " ") == "1 2 3 4" and table.remove(t) == 4)
			assert(select("#", table.unpack(t)) == 3 and tonumber("42") == 42)
			collectgarbage()
			collectgarbage("step")
			assert(collectgarbage("count") > 0)
			local ok, msg = pcall(function()
				local x = string.rep()
			end)
			assert(not ok and msg:find("bad argument #1 to 'rep'") and msg:find("escapes.lua:"), msg)
		end
		return 1000000
	end,
}
