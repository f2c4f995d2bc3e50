# A database that is not SQLite, or has a newer schema, is refused by sweep
# and merge with a clear message and left byte-identical; a bad experiment
# file fails before any run, naming file:line as the error's place
# "(FILE:LINE)", and writes nothing.
. "$E2E_LIB"
cat >"$WORK/exp.lua" <<'LUA'
return {
	name = "refuse",
	guest = "bare",
	workloads = { "idle" },
	ram = "32MiB", timeout = "5s", warmup = "100ms",
}
LUA
printf 'name,value\n1,2\n%0200d\n' 0 >"$WORK/notdb.db"
python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE runs(x)"); c.execute("PRAGMA user_version=99"); c.commit()' "$WORK/new.db"
for f in notdb new; do cp "$WORK/$f.db" "$WORK/$f.orig"; done
expect_fail "not SQLite" 'not a SQLite database' -- "$MIGSIM" sweep "$WORK/exp.lua" --db "$WORK/notdb.db"
expect_fail "newer schema" 'schema version 99 is newer' -- "$MIGSIM" sweep "$WORK/exp.lua" --db "$WORK/new.db"
expect_fail "merge: not SQLite input" 'not a SQLite database' -- "$MIGSIM" merge "$WORK/out.db" "$WORK/notdb.db"
expect_fail "merge: newer input" 'schema version 99 is newer' -- "$MIGSIM" merge "$WORK/out.db" "$WORK/new.db"
"$MIGSIM" run --guest bare idle --ram 32MiB --warmup 100ms --db "$WORK/ok.db" >/dev/null || die "a plain run"
expect_fail "merge: newer output" 'schema version 99 is newer' -- "$MIGSIM" merge "$WORK/new.db" "$WORK/ok.db"
for f in notdb new; do
	cmp "$WORK/$f.db" "$WORK/$f.orig" || die "$f.db was modified"
	[ ! -e "$WORK/$f.db-wal" ] && [ ! -e "$WORK/$f.db-shm" ] || die "$f.db got -wal/-shm files"
done
[ ! -e "$WORK/out.db" ] || die "merge created its output before refusing an input"

bad() { # NAME PATTERN LUA-BODY
	printf '%s\n' "$3" >"$WORK/$1.lua"
	expect_fail "$1" "$2" -- "$MIGSIM" sweep "$WORK/$1.lua" --db "$WORK/bad.db"
	[ ! -e "$WORK/bad.db" ] || die "$1: the database was created"
}
bad unknown_cap "policy 'x': unknown capability.*\\($WORK/unknown_cap.lua:4\\)" 'return {
	name = "e", workloads = { "idle" },
	policies = {
		{ name = "x", caps = { "xbzrlee" } },
	},
}'
bad bad_unit "size \"64 parsecs\".*\\($WORK/bad_unit.lua:3\\)" 'return {
	name = "e", workloads = { "idle" },
	ram = { "32MiB", "64 parsecs" },
}'
bad lua_error "attempt to call a nil value.*\\($WORK/lua_error.lua:2\\)" 'local t = {}
t.missing()
return t'
bad syntax "\\($WORK/syntax.lua:3\\)" 'return {
	name = "e",
	workloads = { "idle" ,, },
}'
bad unknown_param "unknown parameter.*\\($WORK/unknown_param.lua:2\\)" 'return {
	name = "e", params = { ["downtime-limt"] = "300ms" },
	workloads = { "idle" },
}'
bad no_script "workload script 'no_such_wl' not found.*\\($WORK/no_script.lua:1\\)" 'return { name = "e", workloads = { "no_such_wl" } }'
bad unknown_field "unknown field 'seed'.*\\($WORK/unknown_field.lua:2\\)" 'return { name = "e", workloads = { "idle" },
	seed = 3 }'
bad sandbox "nil.*\\($WORK/sandbox.lua:1\\)" 'local f = io.open("/etc/passwd") return { name = "e" }'
bad wl_param "workload 'calloc_loop'.*\\($WORK/wl_param.lua:3\\)" 'return {
	name = "e",
	workloads = { { script = "calloc_loop", params = { no_such = 1 } } },
}'
