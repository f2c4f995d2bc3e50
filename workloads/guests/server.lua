-- server: a long-running Linux server under the workload: after days of
-- uptime the page cache and the processes' memory fill most of RAM.
--
-- Its memory, laid out as a kernel's is (an estimate; the fill is a
-- parameter): the minimal guest's kernel image (24 MiB at 16 MiB: code) and
-- struct page array (64 bytes per 4 KiB page, high: heap), then, spread over
-- RAM in pieces:
--   slab   5 % of RAM in 8 pieces: heap
--   anon   the processes' heaps and stacks, 20 % of RAM in 8 pieces: heap
--   cache  the page cache, the rest up to `fill` of RAM (default 0.70) in 16
--          pieces: pagecache-mix
-- Background: every `tick` (10 ms) the kernel and the services change a few
-- bytes in slab and anonymous pages and write pages of files (logs, a
-- database's files, temporary files), for `dirty_rate` (default 4 MB/s, as
-- `vmstat`'s bo on a lightly loaded server) spread over slab, anon and page
-- cache: half the pages as small updates (64 bytes), half rewritten whole.
--
-- Parameters: fill (fraction of RAM in use, 0.2 to 0.9), dirty_rate (a rate),
-- tick, tick_cpu (CPU time of a tick's work).

local tick, per_tick
local MiB = 1024 * 1024

local function pieces(r, name, total, n, first_at, ps)
	local each = total // n // ps * ps
	for i = 1, n do
		if each > 0 then
			r[#r + 1] = { name = name .. i, size = each, at = (first_at + (i - 1)) / (n + 1) % 1 }
		end
	end
end

return {
	name = "server",
	description = "a long-running Linux server: page cache and processes fill 70 % of RAM",
	params = { fill = 0.70, dirty_rate = "4MB/s", tick = "10ms", tick_cpu = "50us" },
	regions = function(p, g)
		assert(p.fill >= 0.2 and p.fill <= 0.9, "fill must be from 0.2 to 0.9")
		local ram, ps = g.ram, g.page_size
		assert(ram >= 128 * MiB, "server: a guest of 128 MiB of RAM at least (--guest bare for less)")
		local memmap = ram // 64
		local r = {
			{ name = "kernel", size = 24 * MiB, at = 16 * MiB / ram },
			{ name = "memmap", size = memmap, at = 0.97 - memmap / ram },
		}
		local slab, anon = ram * 5 // 100, ram * 20 // 100
		local cache = math.floor(ram * p.fill) - slab - anon - 24 * MiB - memmap
		pieces(r, "slab", slab, 8, 0.3, ps)
		pieces(r, "anon", anon, 8, 0.6, ps)
		pieces(r, "cache", cache, 16, 0.1, ps)
		return r
	end,
	init = function(mem)
		mem.kernel:rewrite(0, mem.kernel.pages, "code")
		mem.memmap:rewrite(0, mem.memmap.pages, "heap")
		for _, part in ipairs({ { "slab", 8, "heap" }, { "anon", 8, "heap" }, { "cache", 16, "pagecache-mix" } }) do
			for i = 1, part[2] do
				local r = mem[part[1] .. i]
				r:rewrite(0, r.pages, part[3])
			end
		end
	end,
	step = function(mem, p)
		tick = tick or duration(p.tick)
		per_tick = per_tick or rate(p.dirty_rate) * tick / 1e9 / mem.page_size
		-- whole pages this tick: the fractional part carried by chance
		local n = math.floor(per_tick + mem.random())
		for _ = 1, n do
			local u = mem.random()
			if u < 0.25 then
				mem["slab" .. (1 + mem.random_below(8))]:write_random_uniform(1, 64)
			elseif u < 0.5 then
				mem["anon" .. (1 + mem.random_below(8))]:write_random_uniform(1, 64)
			else
				mem["cache" .. (1 + mem.random_below(16))]:rewrite_uniform(1, "pagecache-mix")
			end
		end
		return tick, math.min(duration(p.tick_cpu), tick)
	end,
}
