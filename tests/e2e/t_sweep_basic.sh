# A small sweep stores every matrix entry once, with its key, metrics and
# series; a second sweep runs nothing; --jobs 1 and --jobs 2 store the same
# result JSON for every key.
. "$E2E_LIB"
cat >"$WORK/exp.lua" <<'LUA'
return {
	name = "basic",
	guest = "bare",
	workloads = { { script = "calloc_loop" }, "idle" },
	policies = {
		{ name = "precopy" },
		{ name = "xbzrle", caps = { "xbzrle" },
		  params = { ["xbzrle-cache-size"] = { "4MiB", "8MiB" } } },
	},
	ram = "32MiB", bandwidth = "1Gbit/s", timeout = "5s", warmup = "100ms",
	seeds = 2,
}
LUA
"$MIGSIM" sweep "$WORK/exp.lua" --dry-run >"$WORK/dry" || die "dry run failed"
grep -q '^12 runs$' "$WORK/dry" || die "dry run: $(tail -1 "$WORK/dry")"
[ ! -e "$WORK/a.db" ] || die "dry run created a database"
"$MIGSIM" sweep "$WORK/exp.lua" --db "$WORK/a.db" --jobs 2 >"$WORK/o1" 2>"$WORK/e1" ||
	{ cat "$WORK/o1" "$WORK/e1"; die "sweep failed"; }
grep -q '12 to run, 0 already stored' "$WORK/o1" || die "first sweep: $(cat "$WORK/o1")"
[ "$(sql "$WORK/a.db" 'SELECT count(*), count(DISTINCT key) FROM runs')" = "12|12" ] ||
	die "expected 12 distinct runs"
[ "$(sql "$WORK/a.db" "SELECT count(*) FROM runs WHERE experiment = 'basic' AND
	json_extract(config, '\$.sweep.experiment') = 'basic'")" = 12 ] || die "experiment/config"
[ "$(sql "$WORK/a.db" 'SELECT count(*) FROM runs WHERE id NOT IN (SELECT run_id FROM metrics)
	OR id NOT IN (SELECT run_id FROM series)')" = 0 ] || die "a run lacks metrics or series"
"$MIGSIM" sweep "$WORK/exp.lua" --db "$WORK/a.db" --quiet >"$WORK/o2" || die "second sweep failed"
grep -q '0 to run, 12 already stored' "$WORK/o2" || die "second sweep: $(cat "$WORK/o2")"
[ "$(sql "$WORK/a.db" 'SELECT count(*) FROM runs')" = 12 ] || die "second sweep added rows"
"$MIGSIM" sweep "$WORK/exp.lua" --db "$WORK/b.db" --jobs 1 --quiet >/dev/null || die "jobs 1"
q='SELECT key, status, result FROM runs ORDER BY key'
sql "$WORK/a.db" "$q" >"$WORK/ra"
sql "$WORK/b.db" "$q" >"$WORK/rb"
cmp "$WORK/ra" "$WORK/rb" || die "--jobs 1 and --jobs 2 stored different results"
echo "12 runs stored once; rerun ran nothing; jobs 1 = jobs 2"
