# Host evacuation, shared links (issue 26): one VM alone records exactly what
# `migsim run` records with the policy's settings; two identical VMs sharing
# the source's NIC without a rate limit each take about twice as long as one
# alone (SimGrid's example: 132.8 s alone, 265.5 s each for two).
. "$E2E_LIB"
db="$WORK/m.db"
hosts="--host a:1Gbit/s --host b:1Gbit/s --drain a"
metric() { sql "$db" "select value from metrics where run_id=$1 and name='$2'"; }

# 1: one VM alone, then the same migration as a run (bandwidthPerMigration 0
# is max-bandwidth 0; completionTimeoutPerGiB 800 s of a 512 MiB VM: 400 s).
"$MIGSIM" evacuate $hosts --vm v1:a:512M:hotcold:to=b --db "$db" >"$WORK/one.txt"
"$MIGSIM" run hotcold --ram 512M --param max-bandwidth=0 --timeout 400s --quiet --db "$db" \
	>/dev/null
[ "$(sql "$db" "select count(*) from runs")" = 2 ] || die "expected 2 runs recorded"
python3 - "$db" <<'PY' || die "one VM alone differs from migsim run"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
def rows(q, i): return [r[1:] for r in c.execute(q, (i,))]
for q in ("select run_id, name, value from metrics where run_id=? order by name",
          "select * from series where run_id=? order by t_ns"):
    a, b = rows(q, 1), rows(q, 2)
    assert a and a == b, (q, len(a), len(b))
one = c.execute("select result, config, status from runs where id=1").fetchone()
two = c.execute("select result, config, status from runs where id=2").fetchone()
assert one == two, "the runs' replies or configurations differ"
PY
echo "ok: one VM alone is migsim run's result exactly"

# 2: an almost idle VM (its pages are sent about once) alone, then two
# identical ones (the same seed) sharing a's NIC. A VM that dirties more
# takes more than twice as long sharing: its passes resend more.
vm=a:512M:idle:to=b:seed=1
"$MIGSIM" evacuate $hosts --vm v1:$vm --db "$db" >/dev/null
alone=$(metric 3 total-time)
"$MIGSIM" evacuate $hosts --vm v1:$vm --vm v2:$vm --db "$db" >"$WORK/two.txt"
cat "$WORK/two.txt"
for id in 4 5; do
	t=$(metric $id total-time)
	python3 -c "import sys; r=$t/$alone; sys.exit(0 if 1.8 < r < 2.3 else 1)" ||
		die "VM $id took $t ns sharing, $alone alone: not about twice"
	[ "$(metric $id verified)" = 1.0 ] || die "VM $id: destination memory not verified"
done
grep -q 'link a .*peak utilisation 100 %' "$WORK/two.txt" || die "the shared NIC was not full"
echo "ok: two VMs sharing the NIC each take about twice as long"

# 3: the evacuation's row links its two runs, with its figures.
[ "$(sql "$db" "select count(*) from evacuations")" = 3 ] || die "expected 3 evacuations recorded"
[ "$(sql "$db" "select group_concat(run_id) from evacuation_runs where evacuation_id = 3")" = 4,5 ] ||
	die "the evacuation does not link runs 4 and 5"
[ "$(sql "$db" "select value from evacuation_metrics where evacuation_id = 3 and name = 'completed'")" = 2.0 ] ||
	die "the evacuation's completed count is not 2"
sql "$db" "select scenario from evacuations where id = 3" | grep -q '"--drain","a"' ||
	die "the scenario's options were not recorded"
echo "ok: the evacuation links its runs"
