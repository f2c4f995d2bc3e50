# Bad input: one clear error line, a non-zero exit, and no run in the database.
. "$E2E_LIB"
db="$WORK/m.db"
run() { "$MIGSIM" run --guest bare "$@" --ram 64MiB --db "$db"; }

cat >"$WORK/syntax.lua" <<'LUA'
return {
  name = "syntax", description = "a syntax error on line 3",
  regions = {{name = "buf", size = 4096}},, 
  step = function(mem, p) return 1e-3 end,
}
LUA
cat >"$WORK/runtime.lua" <<'LUA'
return {
  name = "runtime", description = "fails inside step",
  regions = {{name = "buf", size = 4096}},
  step = function(mem, p)
    local t = nil
    return t.field
  end,
}
LUA
cat >"$WORK/endless.lua" <<'LUA'
return {
  name = "endless", description = "never returns from step",
  regions = {{name = "buf", size = 4096}},
  step = function(mem, p)
    while true do end
  end,
}
LUA
cat >"$WORK/toobig.lua" <<'LUA'
return {
  name = "toobig", description = "allocates more than the guest has",
  regions = {{name = "buf", size = 128 * 1024 * 1024}},
  step = function(mem, p) return 1e-3 end,
}
LUA

expect_fail "missing workload" "no-such|No such file|cannot" -- run "$WORK/no-such.lua"
# A Lua error names the script once, with the line, as the place of the
# error line: "migsim: WHAT (FILE:LINE)".
once() {
	n=$(grep -o "$1" "$WORK/err" | wc -l)
	[ "$n" -eq 1 ] || die "the error line names $1 $n times: $(cat "$WORK/err")"
}
expect_fail "syntax error" "^migsim: unexpected symbol near ',' \\($WORK/syntax\\.lua:3\\)$" -- \
	run "$WORK/syntax.lua"
once syntax.lua
expect_fail "runtime error in step" "^migsim: attempt to index a nil value .* \\($WORK/runtime\\.lua:6\\)$" -- \
	run "$WORK/runtime.lua"
once runtime.lua
# Lua shortens a long path to "...its-tail": the place is still the whole path.
long="$WORK/a-directory-whose-name-makes-the-path-longer-than-lua-keeps-whole"
mkdir "$long"
cp "$WORK/runtime.lua" "$long/"
expect_fail "runtime error, long path" "^migsim: attempt to index a nil value .* \\($long/runtime\\.lua:6\\)$" -- \
	run "$long/runtime.lua"
once runtime.lua
expect_fail "endless loop" "instruction budget" -- run "$WORK/endless.lua"
expect_fail "past the guest's RAM" "regions need|RAM" -- run "$WORK/toobig.lua"
expect_fail "unknown --param" "unknown parameter.*downtime-limit" -- run idle --param no-such=1
expect_fail "unknown --cap" "unknown capability" -- run idle --cap no-such
expect_fail "malformed size" "4X" -- run idle --ram 4X
expect_fail "malformed rate" "fast" -- run idle --bandwidth fast
expect_fail "malformed duration" "300 parsecs" -- run idle --timeout "300 parsecs"
expect_fail "zero bandwidth" "bandwidth" -- run idle --bandwidth 0
expect_fail "negative bandwidth" "bandwidth|-1" -- run idle --bandwidth -1Gbit/s
expect_fail "bad wl-param" "no_such" -- run idle --wl-param no_such=1
expect_fail "unwritable database" "database|no-dir" -- \
	"$MIGSIM" run --guest bare idle --ram 64MiB --db "$WORK/no-dir/sub/m.db"

if [ -e "$db" ]; then
	n=$(sql "$db" "select count(*) from runs")
	[ "$n" = 0 ] || die "$n runs were recorded from bad input"
fi
echo "nothing recorded"
