-- calloc_loop: the test program published with QEMU's XBZRLE patch (2011):
--
--     char *buf = calloc(4096 * 4096, 1);
--     while (1) {
--         for (i = 0; i < 4096 * 4096 / 1024; i++)
--             buf[i * 1024]++;
--     }
--
-- One step is one pass of the for loop: 16384 increments at stride 1024, that
-- is bytes 0, 1024, 2048 and 3072 of each of the buffer's 4096 pages (4 KiB
-- pages), so every pass dirties all 4096 pages and changes 4 bytes in each:
-- the case XBZRLE was written for.
--
-- Parameters:
--   pass_cost  guest CPU time of one pass (a duration). The default, 1 ms,
--              is an estimate, not a measurement: each increment is a
--              read-modify-write in a different cache line of a 16 MiB
--              buffer larger than a 2011 host's last-level cache, and every
--              4th one lands on a new page (a TLB miss, a two-dimensional
--              page walk under EPT). Taking ~60 ns per increment, with some
--              overlap of misses, gives 16384 x 60 ns ~ 1 ms per pass. A
--              faster host only raises how often the same 4096 pages are
--              rewritten; the dirty set stays the same 16 MiB.

local cost

return {
	name = "calloc_loop",
	description = "QEMU's XBZRLE test: buf[i*1024]++ over a 16 MiB calloc'd buffer, forever",
	params = { pass_cost = "1ms" },
	regions = { { name = "buf", size = 4096 * 4096 } },
	step = function(mem, p)
		cost = cost or duration(p.pass_cost)
		mem.buf:inc(0, 1024, 4096 * 4096 // 1024)
		return cost
	end,
}
