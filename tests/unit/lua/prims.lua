-- Exercises the primitives; the test reads the guest afterwards. The
-- parameter `case` selects a step that must fail with a range error.
return {
	name = "prims",
	description = "each primitive once",
	params = { case = "ok" },
	regions = { { name = "a", size = "64KiB" }, { name = "b", size = 5000 } },
	init = function(mem, p)
		assert(mem.a.pages == 16 and mem.a.size == 65536 and mem.a.base == 0)
		assert(mem.b.pages == 2 and mem.b.size == 5000 and mem.b.base == 65536)
		assert(mem.region("b") == mem.b and mem.page_size == 4096)
		assert(tostring(mem.b) == "region b (5000 bytes, 2 pages)")
		assert(getmetatable(mem.a) == false)
		assert(not pcall(mem.region, "nope"))
	end,
	step = function(mem, p)
		local a, b = mem.a, mem.b
		if p.case == "inc_range" then
			a:inc(65535, 1, 2)
		elseif p.case == "page_range" then
			b:rewrite(1, 2)
		elseif p.case == "not_region" then
			mem.inc({}, 0, 1, 1)
		elseif p.case == "fractional" then
			a:inc(0.5, 1, 1)
		end
		a:inc(0, 4096, 16, 5)   -- byte 0 of every page of a: 5
		a:inc(1, 1, 3, -1)      -- bytes 1..3 of page 0: 255
		a:write(100, "hello")
		a:fill(4096 + 10, 20, 7)
		assert(a:bytes(100, 5) == "hello")
		assert(a:bytes(4096 + 9, 3) == "\0\7\7")
		a:read(0, 65536)
		a:zero(15, 1)
		b:rewrite(0, 1)
		mem.copy(b, 1, a, 1, 1) -- b page 1 = a page 1
		a:write_random(2, 1, 8)
		local u = a:pick_uniform()
		assert(u >= 0 and u < 16)
		assert(a:pick_uniform(1) == 0)
		local z = a:pick_zipf(1.5, 4)
		assert(z >= 0 and z < 4)
		assert(mem.random_below(1) == 0)
		local r = mem.random()
		assert(r >= 0 and r < 1)
		return 1000 + mem.now()
	end,
}
