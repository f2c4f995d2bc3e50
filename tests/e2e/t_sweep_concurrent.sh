# Two sweeps writing the same database at once both complete and lose no
# row; two sweeps of the same experiment at once store each run once.
. "$E2E_LIB"
for x in a b; do
	cat >"$WORK/$x.lua" <<LUA
return {
	name = "conc-$x",
	guest = "bare",
	workloads = { "calloc_loop", "idle" },
	policies = { { name = "precopy" }, { name = "ac", caps = { "auto-converge" } } },
	ram = "32MiB", timeout = "5s", warmup = "100ms",
	seeds = 4,
}
LUA
done
db="$WORK/c.db"
"$MIGSIM" sweep "$WORK/a.lua" --db "$db" --jobs 2 --quiet >"$WORK/oa" 2>&1 &
pa=$!
"$MIGSIM" sweep "$WORK/b.lua" --db "$db" --jobs 2 --quiet >"$WORK/ob" 2>&1 &
pb=$!
wait "$pa" || { cat "$WORK/oa"; die "sweep a failed"; }
wait "$pb" || { cat "$WORK/ob"; die "sweep b failed"; }
[ "$(sql "$db" "SELECT count(*) FROM runs WHERE experiment = 'conc-a'")" = 16 ] || die "a lost rows"
[ "$(sql "$db" "SELECT count(*) FROM runs WHERE experiment = 'conc-b'")" = 16 ] || die "b lost rows"
# The same experiment twice at once: every run once, no error.
"$MIGSIM" sweep "$WORK/a.lua" --db "$WORK/d.db" --jobs 2 --quiet >"$WORK/o1" 2>&1 &
p1=$!
"$MIGSIM" sweep "$WORK/a.lua" --db "$WORK/d.db" --jobs 2 --quiet >"$WORK/o2" 2>&1 &
p2=$!
wait "$p1" || { cat "$WORK/o1"; die "first copy failed"; }
wait "$p2" || { cat "$WORK/o2"; die "second copy failed"; }
[ "$(sql "$WORK/d.db" 'SELECT count(*), count(DISTINCT key) FROM runs')" = "16|16" ] ||
	die "the same sweep twice at once duplicated or lost runs"
echo "two experiments: 16 + 16 rows; the same one twice: 16 rows"
