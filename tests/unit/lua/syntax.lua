return {
	name = "syntax", description = "a syntax error on line 3",
	regions = {{name = "buf", size = 4096}},,
	step = function(mem, p) return 1 end,
}
