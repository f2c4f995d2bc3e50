# Host evacuation, the experiment-file form (issue 26): hosts, VMs (tables
# and option texts), the policy and a sweep give one line per combination,
# the same as the command line; a bad file or a bad value in any combination
# is one line before anything runs, nothing recorded.
. "$E2E_LIB"
db="$WORK/m.db"
cat >"$WORK/ok.lua" <<'LUA'
local vms = {}
for i = 1, 2 do
	vms[i] = {name = "v" .. i, host = "a", ram = "64M", workload = "idle", guest = "bare",
	          wl = {pages_per_tick = 2}}
end
vms[3] = "v3:a:32M:idle:guest=bare:to=c"
return {
	name = "tiny",
	hosts = {{name = "a", nic = "1Gbit/s"}, "b:1Gbit/s:ram=1G", {name = "c", nic = "1Gbit/s"}},
	vms = vms,
	drain = "a",
	policy = {parallelMigrationsPerCluster = 4},
	settings = {start = "500ms"},
	sweep = {parallelOutboundMigrationsPerNode = {1, 3}},
}
LUA
"$MIGSIM" evacuate "$WORK/ok.lua" --db "$db" >"$WORK/out.txt"
cat "$WORK/out.txt"
[ "$(wc -l <"$WORK/out.txt")" = 3 ] || die "expected a header and 2 lines"
awk 'NR == 2 && $1 == 1 { a = 1 } NR == 3 && $1 == 3 { b = 1 } END { exit !(a && b) }' \
	"$WORK/out.txt" || die "the lines are not parallelOutboundMigrationsPerNode 1 then 3"
[ "$(sql "$db" "select sum(value) from evacuation_metrics where name = 'completed'")" = 6.0 ] ||
	die "not every migration completed"
[ "$(sql "$db" "select count(*) from runs where experiment = 'tiny'")" = 6 ] ||
	die "expected 6 runs of experiment tiny"
[ "$(sql "$db" "select count(*) from evacuations where experiment = 'tiny'")" = 2 ] ||
	die "expected 2 evacuations"
sql "$db" "select scenario from evacuations where id = 1" |
	grep -q '"--vm","v1:a:64M:idle:guest=bare:wl.pages_per_tick=2"' ||
	die "a VM's table was not written as its option"
[ "$(sql "$db" "select destination from evacuation_runs where vm = 'v3' limit 1")" = c ] ||
	die "v3 did not go to c"
# the same scenario from the command line: the same runs
"$MIGSIM" evacuate --host a:1Gbit/s --host b:1Gbit/s:ram=1G --host c:1Gbit/s \
	--vm v1:a:64M:idle:guest=bare:wl.pages_per_tick=2 \
	--vm v2:a:64M:idle:guest=bare:wl.pages_per_tick=2 --vm v3:a:32M:idle:guest=bare:to=c \
	--drain a --parallelMigrationsPerCluster 4 --start 500ms \
	--parallelOutboundMigrationsPerNode 1 --db "$db" >/dev/null
[ "$(sql "$db" "select count(distinct result) from runs where id in (1, 2, 3, 7, 8, 9)")" = 3 ] ||
	die "the command line's runs differ from the file's"
echo "ok: the file and its sweep"

rm -f "$db"
printf 'return 42\n' >"$WORK/num.lua"
expect_fail "a file not returning a table" "must return a table" -- \
	"$MIGSIM" evacuate "$WORK/num.lua" --db "$db"
printf 'return {hosts = {{name = "a"}}}\n' >"$WORK/nic.lua"
expect_fail "a host without its NIC" "hosts\[1\]: nic is missing" -- \
	"$MIGSIM" evacuate "$WORK/nic.lua" --db "$db"
printf 'return {\n  hosts = {"a:1Gbit/s"},,\n}\n' >"$WORK/syntax.lua"
expect_fail "a syntax error" "syntax.lua:2" -- "$MIGSIM" evacuate "$WORK/syntax.lua" --db "$db"
sed 's/{1, 3}/{1, 0}/' "$WORK/ok.lua" >"$WORK/zero.lua"
expect_fail "zero parallelism in the sweep's second value" \
	"must be at least 1 .*\(--parallelOutboundMigrationsPerNode 0\)" -- \
	"$MIGSIM" evacuate "$WORK/zero.lua" --db "$db"
[ ! -e "$db" ] || die "a bad file created the database"
echo "ok: nothing recorded"
