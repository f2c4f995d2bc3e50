-- Writes pages byte by byte past the guest's material limit, inside pcall:
-- the guest's failure must fail the run anyway.
return {
	name = "guestfail",
	description = "runs the guest out of material pages",
	regions = { { name = "a", size = "1MiB" } },
	step = function(mem, p)
		for i = 0, mem.a.pages - 1 do
			pcall(mem.a.write_random, mem.a, i, 1, 1)
		end
		return 1
	end,
}
