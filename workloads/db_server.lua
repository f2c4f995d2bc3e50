-- db_server: a database server on a disk (--disk). Each step is a tick of
-- its I/O: random 8 KiB page writes to the data file (the first 15/16 of
-- disk 1, as a checkpoint or buffer-pool flush writes them), a sequential
-- append to the write-ahead log (the last 1/16, wrapping), and 8 KiB page
-- reads with a hot set (hot_share of them in the first hot_fraction of the
-- data file). The buffer pool in RAM has the pages written and read
-- rewritten in the heap class. Without a disk it touches only its buffer
-- pool.
--
-- Parameters:
--   writes_per_second  8 KiB data-page writes a second
--   wal_bytes_per_second  bytes appended to the log a second
--   reads_per_second   8 KiB page reads a second
--   hot_fraction, hot_share  the read hot set: that share of reads goes to
--                      that fraction of the data file
--   buffer_pool        RAM for cached pages
--   tick               the step's length (all of it waiting on I/O, cpu 10 %)

local PAGE = 8192
local tick, carry_w, carry_r, wal_per_tick, wal_pos = nil, 0, 0, 0, 0

local function count(carry, per_tick)
	carry = carry + per_tick
	local n = math.floor(carry)
	return n, carry - n
end

return {
	name = "db_server",
	description = "a database on disk 1: random 8 KiB page writes, WAL appends, hot-set reads",
	params = {
		writes_per_second = 400,
		wal_bytes_per_second = "1MiB",
		reads_per_second = 2000,
		hot_fraction = 0.05,
		hot_share = 0.9,
		buffer_pool = "64MiB",
		tick = "5ms",
	},
	regions = function(p)
		return { { name = "pool", size = p.buffer_pool } }
	end,
	step = function(mem, p)
		if not tick then
			tick = duration(p.tick)
			wal_per_tick = size(p.wal_bytes_per_second) * tick / 1e9
		end
		local nw, nr
		nw, carry_w = count(carry_w, p.writes_per_second * tick / 1e9)
		nr, carry_r = count(carry_r, p.reads_per_second * tick / 1e9)
		mem.pool:rewrite_uniform(nw + nr, "heap")
		if mem.disks() == 0 then
			return tick, tick // 10
		end
		local dsize = mem.disk_size(1)
		local wal = dsize // 16 // PAGE * PAGE
		local pages = (dsize - wal) // PAGE
		for _ = 1, nw do
			mem.disk_write(1, mem.random_below(pages) * PAGE, PAGE, "heap")
		end
		local len = math.floor(wal_per_tick)
		if len > 0 and wal > 0 then
			if wal_pos + len > wal then
				wal_pos = 0
			end
			mem.disk_write(1, dsize - wal + wal_pos, len, "text")
			wal_pos = wal_pos + len
		end
		local hot = math.max(1, math.floor(pages * p.hot_fraction))
		for _ = 1, nr do
			local pg = mem.random() < p.hot_share and mem.random_below(hot) or mem.random_below(pages)
			mem.disk_read(1, pg * PAGE, PAGE)
		end
		return tick, tick // 10
	end,
}
