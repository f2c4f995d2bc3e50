# A sweep killed with SIGKILL in the middle, then run again, ends with every
# run stored exactly once and no partial run.
. "$E2E_LIB"
# Each run must cost wall time however fast the simulator gets (since the
# deferred writes a whole sweep of bundled workloads took 0.2 s, done before
# the first poll saw a run): the spin workload's ticks spend it in the
# interpreter, which no change to the model speeds up.
cat >"$WORK/spin.lua" <<'LUA'
return {
	name = "spin",
	description = "a 10 ms tick that writes one byte and burns interpreter time",
	params = { spin = 500000 },
	regions = function(p) return { { name = "buf", size = "1MiB" } } end,
	step = function(mem, p)
		local x = 0
		for i = 1, p.spin do x = x + i end
		mem.buf:inc(0, 1, 1)
		return duration("10ms"), duration("1ms")
	end,
}
LUA
cat >"$WORK/exp.lua" <<'LUA'
return {
	name = "kill",
	guest = "bare",
	workloads = { "spin.lua", "idle" },
	policies = { { name = "precopy" }, { name = "xbzrle", caps = { "xbzrle" } } },
	ram = "64MiB", bandwidth = "1Gbit/s", timeout = "5s", warmup = "1s",
	seeds = 6,
}
LUA
db="$WORK/k.db"
total=24
# setsid gives the sweep its own process group, so kill -9 -PGID hits the
# parent and every worker at once.
setsid "$MIGSIM" sweep "$WORK/exp.lua" --db "$db" --jobs 2 --quiet >"$WORK/o1" 2>&1 &
pid=$!
n=0
for i in $(seq 1 600); do
	[ -s "$db" ] && n=$(sql "$db" 'SELECT count(*) FROM runs' 2>/dev/null || echo 0)
	[ "$n" -ge 1 ] && break
	sleep 0.05
done
# "-s KILL --": dash's kill takes "-9 --" as an illegal pid, and a fallback
# to the parent alone would leave the workers storing runs after the count.
kill -s KILL -- "-$pid" || die "could not kill the sweep's process group"
wait "$pid" 2>/dev/null || true
# wait reaps only the parent: a worker killed inside a write() finishes that
# call before it dies, so count only once the whole group is gone.
gone=0
for i in $(seq 1 200); do
	kill -s 0 -- "-$pid" 2>/dev/null || { gone=1; break; }
	sleep 0.05
done
[ "$gone" = 1 ] || die "the sweep's workers outlived SIGKILL"
n=$(sql "$db" 'SELECT count(*) FROM runs')
[ "$n" -ge 1 ] && [ "$n" -lt "$total" ] || die "killed after $n of $total runs: not in the middle"
echo "killed with $n of $total runs stored"
"$MIGSIM" sweep "$WORK/exp.lua" --db "$db" --jobs 2 --quiet >"$WORK/o2" || die "resume failed"
grep -q "$((total - n)) to run, $n already stored" "$WORK/o2" || die "resume: $(cat "$WORK/o2")"
[ "$(sql "$db" 'SELECT count(*), count(DISTINCT key) FROM runs')" = "$total|$total" ] ||
	die "expected $total runs once each"
[ "$(sql "$db" 'SELECT count(*) FROM runs WHERE
	(SELECT count(*) FROM metrics WHERE run_id = id) <> 39 OR
	(SELECT count(*) FROM series WHERE run_id = id) = 0')" = 0 ] || die "a partial run"
[ "$(sql "$db" 'SELECT count(*) FROM metrics WHERE run_id NOT IN (SELECT id FROM runs)')" = 0 ] ||
	die "orphan metrics"
echo "resumed: $total runs, each once, all complete"
