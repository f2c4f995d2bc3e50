-- video_stream: a player showing decoded video. A large buffer of decoded
-- frames is read sequentially, one frame per step at the frame rate, and
-- each frame is copied into one of two display buffers (double buffering).
-- Reads dominate: pre-copy finds few dirty pages, but a guest resumed by
-- post-copy before its memory arrives touches a whole frame of missing pages
-- every frame period (a fault storm).
--
-- Parameters:
--   frames      size of the decoded-frame buffer (size); filled by init
--               with incompressible bytes (the "random" class,
--               docs/lua-api.md): video is the least compressible data a
--               guest holds, and no class models pixels
--   frame_size  bytes of one frame (size; 8 MiB ~ 1920x1080 at 4 B/pixel)
--   fps         frames per second (number); one step per frame, its cost
--               the frame period
--   frame_cpu   CPU time of showing one frame (duration; an estimate: an
--               8 MiB copy at ~5 GB/s and the player's bookkeeping); the
--               vCPU is halted for the rest of the frame period

local period, frame_pages
local next_frame, shown = 0, 0

return {
	name = "video_stream",
	description = "reads a 256 MiB decoded-frame buffer sequentially at 30 fps into a display buffer",
	params = { frames = "256MiB", frame_size = "8MiB", fps = 30, frame_cpu = "2ms" },
	regions = function(p)
		return {
			{ name = "frames", size = p.frames },
			{ name = "display", size = 2 * size(p.frame_size) },
		}
	end,
	init = function(mem, p)
		mem.frames:rewrite(0, mem.frames.pages, "random")
	end,
	step = function(mem, p)
		if not period then
			period = 1e9 / p.fps
			frame_pages = mem.display.pages // 2
			assert(frame_pages <= mem.frames.pages, "frame_size is larger than frames")
		end
		local n = mem.frames.pages // frame_pages
		mem.copy(mem.display, shown * frame_pages, mem.frames, next_frame * frame_pages, frame_pages)
		next_frame = (next_frame + 1) % n
		shown = 1 - shown
		return period, math.min(duration(p.frame_cpu), period)
	end,
}
