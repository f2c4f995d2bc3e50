-- Content classes through the write primitives; the test reads the guest
-- afterwards. The parameter `case` selects a step that must fail.
return {
	name = "classes",
	description = "rewrites in each content class",
	params = { case = "ok" },
	regions = { { name = "a", size = "64KiB" } },
	init = function(mem, p)
		local a = mem.a
		a:rewrite(0, 2, "text")
		a:rewrite(2, 1)              -- no class: random
		a:rewrite(3, 1, nil)         -- nil: random
		a:rewrite(4, 1, "code")
		a:rewrite(5, 1, "heap")
		a:rewrite(6, 1, "pagecache-mix")
		a:rewrite(7, 1, "random")
		a:inc(8 * 4096, 1, 1)
		a:rewrite(8, 1, "zero")      -- a zero page, like a:zero
	end,
	step = function(mem, p)
		local a = mem.a
		if p.case == "unknown" then
			a:rewrite(0, 1, "english")
		elseif p.case == "uniform" then
			a:rewrite_uniform(1, "pagecache")
		elseif p.case == "zipf" then
			a:rewrite_zipf(1, 1.0, 7)
		end
		a:rewrite_uniform(3, "code")
		a:rewrite_zipf(2, 1.0, "heap")
		return 1000
	end,
}
