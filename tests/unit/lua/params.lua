return {
	name = "params",
	description = "parameters of both kinds, declared out of order",
	params = { zeta = 3, alpha = "16MiB", mid = 2.5, beta = "2ms" },
	regions = function(p, machine)
		assert(machine.ram == 64 * 1024 * 1024 and machine.page_size == page_size())
		return { { name = "a", size = p.alpha },
			{ name = "b", size = machine.page_size * p.zeta + 1 } }
	end,
	step = function(mem, p)
		return duration(p.beta) + ms(p.mid) + us(1) + sec(0) + size("1KiB")
	end,
}
