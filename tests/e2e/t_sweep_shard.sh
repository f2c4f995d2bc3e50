# Shards 0/2 and 1/2 into two databases, merged, hold exactly the unsharded
# set of keys; merging again adds nothing; the GNU parallel path of
# docs/scaling.md (three shards at once, then merge) gives the same keys.
. "$E2E_LIB"
cat >"$WORK/exp.lua" <<'LUA'
return {
	name = "shard",
	guest = "bare",
	workloads = { "idle", "calloc_loop" },
	policies = { { name = "precopy" }, { name = "pc", postcopy = "after-first-pass" } },
	ram = "32MiB", timeout = "5s", warmup = "100ms",
	seeds = 3,
}
LUA
cd "$WORK"
"$MIGSIM" sweep exp.lua --db all.db --jobs 2 --quiet >/dev/null || die "unsharded sweep"
"$MIGSIM" sweep exp.lua --db s0.db --shard 0/2 --quiet >o0 || die "shard 0"
"$MIGSIM" sweep exp.lua --db s1.db --shard 1/2 --quiet >o1 || die "shard 1"
grep -q '12 runs, 6 in shard 0/2: 6 to run' o0 || die "shard 0: $(cat o0)"
[ "$(sql s0.db 'SELECT count(*) FROM runs')" = 6 ] || die "shard 0 size"
"$MIGSIM" merge m.db s0.db s1.db >om || die "merge"
grep -q 's1.db: 6 runs copied, 0 already' om || die "merge: $(cat om)"
q='SELECT key, result FROM runs ORDER BY key'
[ "$(sql m.db "$q")" = "$(sql all.db "$q")" ] || die "merged shards differ from the unsharded sweep"
[ "$(sql m.db 'SELECT count(*) FROM series')" = "$(sql all.db 'SELECT count(*) FROM series')" ] ||
	die "series lost in the merge"
"$MIGSIM" merge m.db s0.db s1.db all.db >om2 || die "second merge"
[ "$(sql m.db 'SELECT count(*) FROM runs')" = 12 ] || die "merging twice added runs"
# Keyless runs (migsim run) are copied once.
"$MIGSIM" run --guest bare idle --ram 32MiB --warmup 100ms --db s0.db >/dev/null || die "run"
"$MIGSIM" merge m.db s0.db >/dev/null && "$MIGSIM" merge m.db s0.db >/dev/null || die "merge keyless"
[ "$(sql m.db 'SELECT count(*) FROM runs WHERE key IS NULL')" = 1 ] || die "keyless run copied twice"

command -v parallel >/dev/null 2>&1 || die "GNU parallel is not installed (apt-get install parallel)"
parallel --will-cite "$MIGSIM" sweep exp.lua --shard {}/3 --db p{}.db --quiet ::: 0 1 2 >op ||
	die "parallel: $(cat op)"
"$MIGSIM" merge p.db p0.db p1.db p2.db >/dev/null || die "merge of the parallel shards"
[ "$(sql p.db 'SELECT key FROM runs ORDER BY key')" = "$(sql all.db 'SELECT key FROM runs ORDER BY key')" ] ||
	die "parallel shards merged differ from the unsharded sweep"
echo "shards 2 and 3 (GNU parallel) merge to the unsharded set; merging again adds nothing"
