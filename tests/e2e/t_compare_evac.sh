# migsim compare --evacuations (issue 26): two databases of evacuations
# compared scenario by scenario with the statistics runs are compared by.
# Four seeds each of one small evacuation: identical databases show no
# change; with a 200 Mbit/s bandwidthPerMigration the hot VM cannot move
# (cancelled at its completion timeout), which is worse in drain time and
# failures, paired across that option with --ignore; a database of two
# policies gives a group per policy cell; bad input is one error line.
. "$E2E_LIB"
evac() { # evac DB [OPTION...]: the scenario with seeds 1-4
	db=$1
	shift
	for s in 1 2 3 4; do
		set +e
		"$MIGSIM" evacuate --host a:1Gbit/s --host b:1Gbit/s --drain a \
			--vm v1:a:64M:hotcold:to=b:guest=bare:wl.working_set=16MiB \
			--vm v2:a:64M:idle:to=b:guest=bare --seed $s --db "$db" "$@" >/dev/null
		rc=$?
		set -e
		[ "$rc" = 0 ] || [ "$rc" = 3 ] || die "evacuate exited $rc"
	done
}
status() { set +e; "$@" >"$WORK/out" 2>"$WORK/err"; rc=$?; set -e; }
evac "$WORK/a.db"
evac "$WORK/slow.db" --bandwidthPerMigration 200Mbit/s
cp "$WORK/a.db" "$WORK/two.db"
evac "$WORK/two.db" --parallelOutboundMigrationsPerNode 1

status "$MIGSIM" compare "$WORK/a.db" "$WORK/a.db" --evacuations
[ "$rc" = 0 ] || { cat "$WORK/out" "$WORK/err"; die "identical: exit $rc"; }
grep -q '^BASE .*(4 evacuations, 1 scenarios)$' "$WORK/out" || die "identical: no BASE line"
for m in drain-time max-downtime total-downtime progress-lost failed; do
	grep -q "^  $m .* +0.00% .* ~$" "$WORK/out" || { cat "$WORK/out"; die "identical: no $m row"; }
done
echo "ok: identical evacuations"

# Different options do not pair unless --ignore'd.
expect_fail "different policies" 'no scenario in common' -- \
	"$MIGSIM" compare "$WORK/a.db" "$WORK/slow.db" --evacuations
status "$MIGSIM" compare "$WORK/a.db" "$WORK/slow.db" --evacuations \
	--ignore bandwidthPerMigration --json
[ "$rc" = 1 ] || { cat "$WORK/out" "$WORK/err"; die "slower: exit $rc, expected 1"; }
python3 - "$WORK/out" <<'PY' || die "slower: verdicts"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ignored"] == ["bandwidthPerMigration"], d["ignored"]
(g,) = d["groups"]
v = {m["metric"]: m for m in g["metrics"]}
assert g["base-evacuations"] == g["new-evacuations"] == 4
assert v["drain-time"]["verdict"] == "worse" and v["drain-time"]["unit"] == "ms", v["drain-time"]
assert v["failed"]["verdict"] == "worse" and v["failed"]["median-new"] == 1, v["failed"]
assert d["worse"] == 2, d["worse"]
PY
echo "ok: a rate limit that cannot move the hot VM is worse, paired with --ignore"

# Two policies in one database: a group each, named by what differs.
status "$MIGSIM" compare "$WORK/two.db" "$WORK/two.db" --evacuations --metric drain-time
[ "$rc" = 0 ] || die "two policies: exit $rc"
grep -q '^2 scenarios compared; 0 metrics worse$' "$WORK/out" || { cat "$WORK/out"; die "two policies: not 2 groups"; }
grep -q '^--parallelOutboundMigrationsPerNode 1  (n = 4 vs 4)$' "$WORK/out" ||
	{ cat "$WORK/out"; die "two policies: the cell is not labelled"; }
status "$MIGSIM" compare "$WORK/a.db" "$WORK/two.db" --evacuations --metric drain-time
grep -q '(0 only in BASE, 1 only in NEW)' "$WORK/out" || die "the unmatched cell is not counted"
echo "ok: one group per policy cell"

"$MIGSIM" run --guest bare idle --ram 64MiB --db "$WORK/runs.db" >/dev/null
expect_fail "no evacuations" 'no evacuations match' -- \
	"$MIGSIM" compare "$WORK/runs.db" "$WORK/a.db" --evacuations
expect_fail "another experiment" 'no evacuations match' -- \
	"$MIGSIM" compare "$WORK/a.db:experiment=nope" "$WORK/a.db" --evacuations
expect_fail "a run filter" 'only experiment= selects evacuations' -- \
	"$MIGSIM" compare "$WORK/a.db:policy=precopy" "$WORK/a.db" --evacuations
expect_fail "a run metric" 'unknown evacuation metric' -- \
	"$MIGSIM" compare "$WORK/a.db" "$WORK/a.db" --evacuations --metric downtime
expect_fail "a missing database" '' -- \
	"$MIGSIM" compare "$WORK/none.db" "$WORK/a.db" --evacuations
