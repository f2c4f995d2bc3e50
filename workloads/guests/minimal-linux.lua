-- minimal-linux: a freshly booted minimal Linux guest (Debian's kernel and a
-- busybox initramfs, nothing else running), under the workload.
--
-- Its non-zero memory: ~92 MiB in a 1 GiB guest, 23,600 4 KiB pages, the
-- normal pages of the first pass when such a guest, idle, was migrated on
-- real QEMU 10.0.2 under TCG (issue 19's real-QEMU check). How those pages
-- divide into parts is an estimate, laid out where a kernel puts them:
--   kernel     the image (text, data, bss), 24 MiB where x86-64 loads it,
--              16 MiB up: code
--   memmap     the struct page array, 64 bytes per 4 KiB page (16 MiB per
--              GiB of RAM), allocated high: heap
--   slab       slab caches, page tables, per-CPU areas: 28 MiB in four
--              pieces spread over RAM, and the 256 KiB of hot kernel data
--              the timer tick writes, after the image: heap
--   initramfs  the unpacked initramfs (tmpfs) and the page cache: 24 MiB
--              near the top: pagecache-mix
-- Background: a timer tick every `tick` (4 ms: HZ 250) that bumps jiffies and
-- changes a few bytes in `tick_pages` of 64 hot kernel pages (timer wheel,
-- run queue, per-CPU statistics), and a kernel log line appended to the page
-- cache every `log_every` (a page rewritten): a few hundred KB/s at most,
-- over the same few pages.
--
-- Parameters: tick, tick_pages, tick_cpu (CPU time of a tick), log_every.

local tick, log_every, next_log = nil, nil, 0
local MiB = 1024 * 1024

return {
	name = "minimal-linux",
	description = "a freshly booted minimal Linux guest: ~92 MiB of kernel, slab and initramfs",
	params = { tick = "4ms", tick_pages = 4, tick_cpu = "5us", log_every = "1s" },
	regions = function(p, g)
		local ram = g.ram
		assert(ram >= 128 * MiB, "minimal-linux: a guest of 128 MiB of RAM at least (--guest bare for less)")
		local memmap = ram // 64
		local r = {
			{ name = "kernel", size = 24 * MiB, at = 16 * MiB / ram },
			{ name = "hot", size = 256 * 1024, at = 40 * MiB / ram },
			{ name = "memmap", size = memmap, at = 0.97 - memmap / ram },
			{ name = "initramfs", size = 24 * MiB, at = 0.85 },
		}
		for i = 1, 4 do -- with hot: 28 MiB
			r[#r + 1] = { name = "slab" .. i, size = 7 * MiB - (i == 1 and 256 * 1024 or 0), at = i / 5 }
		end
		return r
	end,
	init = function(mem)
		mem.kernel:rewrite(0, mem.kernel.pages, "code")
		mem.hot:rewrite(0, mem.hot.pages, "heap")
		mem.memmap:rewrite(0, mem.memmap.pages, "heap")
		mem.initramfs:rewrite(0, mem.initramfs.pages, "pagecache-mix")
		for i = 1, 4 do
			local s = mem["slab" .. i]
			s:rewrite(0, s.pages, "heap")
		end
	end,
	step = function(mem, p)
		tick = tick or duration(p.tick)
		log_every = log_every or duration(p.log_every)
		mem.hot:inc(0, 1, 1) -- jiffies
		mem.hot:write_random_uniform(p.tick_pages, 8)
		if mem.now() >= next_log then
			next_log = mem.now() + log_every
			mem.initramfs:rewrite(mem.random_below(mem.initramfs.pages), 1, "text")
		end
		return tick, math.min(duration(p.tick_cpu), tick)
	end,
}
