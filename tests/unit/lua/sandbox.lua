-- Everything outside the sandbox must be absent, and what is left must not
-- reach files or binary chunks. step returns 1 only if all checks pass.
return {
	name = "sandbox",
	description = "checks the sandbox from inside",
	regions = {},
	step = function(mem, p)
		for _, name in ipairs({ "io", "os", "package", "require", "debug", "dofile",
			"loadfile", "print", "coroutine", "warn" }) do
			assert(_G[name] == nil, name .. " is reachable")
		end
		assert(string.dump == nil, "string.dump is reachable")
		local f, msg = load("\27Lua binary")
		assert(f == nil and msg:find("binary"), "a binary chunk loaded")
		assert(load("return 1 + 1")() == 2, "text load() is broken")
		assert(math.sin and string.rep and table.concat and utf8.char, "a library is missing")
		return 1
	end,
}
