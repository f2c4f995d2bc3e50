-- guest.lua: migsim's side of the validation guests (validation/guest/*.c,
-- docs/validation.md). One script serves the three programs so that each
-- shares the same guest memory outside its own buffer: base_pages pages of
-- non-zero memory (kernel, page cache, the initramfs the kernel unpacked),
-- written once in init, whose count validate.py takes from the idle guest's
-- real migration (its normal pages, less the idle program's own 1 MiB).
--
-- Parameters:
--   program           idle, calloc_loop or rewriter (the guest program)
--   base_pages        non-zero pages besides the program's buffer (count);
--                     0: none, the guest profile under the script (validate.py
--                     runs on --guest minimal-linux) holds the OS's memory
--   pass_cost         calloc_loop: guest time of one pass of the loop, as
--                     measured from the real guest's pass counter under TCG
--   working_set       rewriter: its buffer (size)
--   pages_per_second  rewriter: pages written (one byte each) per second, as
--                     measured from the real guest's counter
--   write_cpu         rewriter: CPU time of one page's write (an estimate)
--   idle_pages        idle: pages of kernel data a 10 ms timer tick touches
--                     (an estimate; a tickless kernel touches fewer)

local tick = 10 * 1000 * 1000
local calloc_size = 4096 * 4096
local carry = 0

local function buffer_size(p)
	if p.program == "calloc_loop" then
		return calloc_size
	elseif p.program == "rewriter" then
		return size(p.working_set)
	end
	return 1024 * 1024
end

local steps = {
	calloc_loop = function(mem, p)
		mem.buf:inc(0, 1024, calloc_size // 1024)
		return duration(p.pass_cost)
	end,
	rewriter = function(mem, p)
		carry = carry + p.pages_per_second / 1000
		local n = math.floor(carry)
		carry = carry - n
		mem.buf:write_random_uniform(n, 1)
		return ms(1), math.min(n * duration(p.write_cpu), ms(1))
	end,
	idle = function(mem, p)
		if mem.base then -- else the guest profile's own tick writes the kernel's pages
			mem.base:write_random_uniform(p.idle_pages, 16)
		end
		return tick, us(5)
	end,
}

return {
	name = "validation_guest",
	description = "a validation guest: idle, the 2011 calloc loop or a paced rewriter over base memory",
	params = {
		program = "idle",
		base_pages = 1,
		pass_cost = "1ms",
		working_set = "128MiB",
		pages_per_second = 1000,
		write_cpu = "200ns",
		idle_pages = 2,
	},
	regions = function(p)
		if not steps[p.program] then
			error("unknown program '" .. p.program .. "' (idle, calloc_loop, rewriter)")
		end
		local r = { { name = "buf", size = buffer_size(p) } }
		if p.base_pages > 0 then
			table.insert(r, 1, { name = "base", size = p.base_pages * 4096 })
		end
		return r
	end,
	init = function(mem, p)
		if mem.base then
			mem.base:rewrite(0, mem.base.pages, "heap")
		end
		if p.program ~= "calloc_loop" then
			mem.buf:fill(0, mem.buf.size, 0x5a)
		end
	end,
	step = function(mem, p)
		return steps[p.program](mem, p)
	end,
}
