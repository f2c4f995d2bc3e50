# The Lua host's memory safety and termination, from the command line (issue
# 18): scripts that once crashed migsim or hung it now end in a result or in
# one clean error line, within seconds, and record nothing.
. "$E2E_LIB"
db="$WORK/m.db"
lua="$ROOT/tests/unit/lua"
# Each run has a wall-clock guard: a hang fails the test instead of CI.
run() { timeout 120 "$MIGSIM" run --guest bare "$@" --ram 64MiB --db "$db"; }

# A collection while the script table is read (the table was unanchored:
# SIGSEGV, or "'step' must be a function").
for w in gc_regions gc_params; do
	run "$lua/$w.lua" --timeout 2s >"$WORK/out" 2>"$WORK/err" ||
		die "$w: exit $? ($(cat "$WORK/err"))"
	grep -q '^status  *completed' "$WORK/out" || die "$w: $(head -n 2 "$WORK/out")"
	echo "ok: $w completes"
done
rm -f "$db" "$db-wal" "$db-shm"

# A finalizer that wrote to the destination guest after run_execute freed it
# (heap-use-after-free under ASan): finalizers are refused.
cat >"$WORK/finalizer.lua" <<'LUA'
local keep
return { name = "x", description = "x", regions = { { name = "a", size = 65536 } },
	step = function(mem, p)
		keep = keep or setmetatable({}, { __gc = function() mem.a:fill(0, 65536, 7) end })
		return 1000000
	end }
LUA
expect_fail "finalizer after post-copy" "setmetatable: __gc metamethods are not allowed.* \\(.*/finalizer\\.lua:4\\)$" -- \
	run "$WORK/finalizer.lua" --postcopy immediately

# Work inside one C call, where the count hook never fires: each hung.
cat >"$WORK/gcloop.lua" <<'LUA'
return { name = "x", description = "x", regions = { { name = "a", size = 65536 } },
	step = function(mem, p)
		setmetatable({}, { __gc = function() while true do end end })
		collectgarbage()
		return 1000000
	end }
LUA
cat >"$WORK/random.lua" <<'LUA'
return { name = "x", description = "x", regions = { { name = "a", size = 65536 } },
	step = function(mem, p)
		mem.a:write_random_uniform(20000000, mem.page_size)
		return 1000000
	end }
LUA
cat >"$WORK/pattern.lua" <<'LUA'
return { name = "x", description = "x", regions = { { name = "a", size = 65536 } },
	step = function(mem, p)
		string.find(string.rep("a", 4000), ".-.-.-.-.-b")
		return 1000000
	end }
LUA
expect_fail "finalizer with an endless loop" "__gc.* \\(.*/gcloop\\.lua:3\\)$" -- run "$WORK/gcloop.lua"
expect_fail "random bytes charged by the byte" "^migsim: instruction budget.* \\(.*/random\\.lua:3\\)$" -- \
	run "$WORK/random.lua"
expect_fail "backtracking pattern" "^migsim: instruction budget .*string\\.find.* \\(.*/pattern\\.lua:3\\)$" -- \
	run "$WORK/pattern.lua"

if [ -e "$db" ]; then
	n=$(sql "$db" "select count(*) from runs")
	[ "$n" = 0 ] || die "$n runs were recorded from failing scripts"
fi
echo "nothing recorded"
