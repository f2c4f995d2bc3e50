-- noop: a program that owns no memory and does nothing: what is migrated is
-- the guest OS profile's memory alone.
return {
	name = "noop",
	description = "no memory, no writes",
	regions = {},
	step = function()
		return 1000000000, 0
	end,
}
