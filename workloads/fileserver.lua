-- fileserver: a file server on a disk (--disk): mostly reads of whole files
-- (64 KiB to 1 MiB, Zipf-popular: a few files take most reads), now and
-- then a file rewritten. Files lie one after another on disk 1, 1 MiB
-- apart; the page cache in RAM gets what was read. Without a disk it
-- touches only its page cache.
--
-- Parameters:
--   reads_per_second   file reads a second
--   write_share        of the requests, the share that rewrites a file
--   s                  Zipf exponent of file popularity
--   page_cache         RAM for cached file pages
--   tick               the step's length (cpu 5 %)

local SLOT = 1024 * 1024
local tick, carry = nil, 0

return {
	name = "fileserver",
	description = "a file server on disk 1: Zipf-popular whole-file reads, few rewrites",
	params = {
		reads_per_second = 200,
		write_share = 0.05,
		s = 1.1,
		page_cache = "128MiB",
		tick = "10ms",
	},
	regions = function(p)
		return { { name = "cache", size = p.page_cache } }
	end,
	step = function(mem, p)
		tick = tick or duration(p.tick)
		carry = carry + p.reads_per_second * tick / 1e9
		local n = math.floor(carry)
		carry = carry - n
		if mem.disks() == 0 then
			mem.cache:read_zipf(n * 16, p.s)
			return tick, tick // 20
		end
		local files = mem.disk_size(1) // SLOT
		for _ = 1, n do
			local f = mem.cache:pick_zipf(p.s, files)
			local len = 65536 * (1 + f % 16)
			if mem.random() < p.write_share then
				mem.disk_write(1, f * SLOT, len, "text")
				mem.cache:rewrite(f % mem.cache.pages, 1, "pagecache-mix")
			else
				mem.disk_read(1, f * SLOT, len)
				mem.cache:read(0, 4096)
			end
		end
		return tick, tick // 20
	end,
}
