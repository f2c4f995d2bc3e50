return {
	name = "fields",
	description = "misspells step",
	regions = {},
	setp = function(mem, p) return 1 end,
	zz_other = 1,
}
