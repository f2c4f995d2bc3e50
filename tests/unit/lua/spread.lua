-- spread: rewrites its 1024 pages in one 1 s step, page i at i/1024 of it.
return {
	name = "spread",
	description = "1024 pages rewritten over each 1 s step, in page order",
	regions = { { name = "ws", size = 1024 * 4096 } },
	step = function(mem)
		mem.ws:rewrite(0, mem.ws.pages)
		return 1000000000
	end,
}
