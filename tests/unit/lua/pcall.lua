return { name = "pcall", description = "the sandbox's pcall and xpcall behave as the standard ones", regions = {},
	step = function(mem, p)
		local ok, a, b = pcall(function(x, y) return x + y, x * y end, 3, 4)
		assert(ok == true and a == 7 and b == 12)
		local ok2, m = pcall(error, "boom", 0)
		assert(ok2 == false and m == "boom")
		local ok3, m3 = xpcall(function() error("x", 0) end, function(e) return "h:" .. e end)
		assert(ok3 == false and m3 == "h:x", tostring(m3))
		local ok4, r1, r2 = xpcall(function(a) return a, 2 end, print or tostring, 1)
		assert(ok4 and r1 == 1 and r2 == 2)
		assert(select("#", pcall(function() end)) == 1)
		local okn = pcall(pcall)
		assert(okn == false)
		return 1
	end }
