# Host evacuation, the policy (issue 26). A VM that converges alone (it
# dirties 61 MB/s, its link carries 125 MB/s) cannot when a second migration
# shares its NIC (half each), and is cancelled at completionTimeoutPerGiB x
# its RAM; with allowPostCopy it switches to post-copy there and completes;
# when the policy serialises the migrations (one outbound per node) both
# complete. Every completed VM's destination memory equals its source's.
. "$E2E_LIB"
db="$WORK/m.db"
hot=hot:a:1G:hotcold:to=b:guest=bare:wl.s=0:wl.working_set=512MiB:wl.writes_per_second=15000
big=big:a:2G:idle:to=b
evac() { "$MIGSIM" evacuate --host a:1Gbit/s --host b:1Gbit/s --drain a --db "$db" \
	--completionTimeoutPerGiB 10s "$@"; }
last() { sql "$db" "select max(id) from runs where workload='$1'"; }
metric() { sql "$db" "select value from metrics where run_id=$1 and name='$2'"; }
verified() { [ "$(metric "$1" verified)" = 1.0 ] || die "run $1: destination memory not verified"; }

evac --vm "$hot" >"$WORK/alone.txt" || die "the hot VM alone did not complete"
grep -q '^hot .* completed$' "$WORK/alone.txt" || die "the hot VM alone did not converge"
verified "$(last hotcold)"
echo "ok: alone it converges"

set +e
evac --vm "$hot" --vm "$big" >"$WORK/shared.txt"
rc=$?
set -e
cat "$WORK/shared.txt"
[ "$rc" = 3 ] || die "exit status $rc with a cancelled migration, expected 3"
grep -q '^hot .* 10.0 s .*cancelled$' "$WORK/shared.txt" || die "the hot VM was not cancelled at 10 s"
id=$(last hotcold)
[ "$(sql "$db" "select status from runs where id=$id")" = failed ] || die "not recorded as failed"
sql "$db" "select error from runs where id=$id" | grep -q 'did not converge within the timeout of 10.000 s' ||
	die "no reason recorded"
verified "$(last idle)"
echo "ok: sharing the NIC, it is cancelled at the completion timeout"

evac --vm "$hot" --vm "$big" --allowPostCopy true >"$WORK/postcopy.txt" ||
	die "with allowPostCopy a migration failed"
cat "$WORK/postcopy.txt"
grep -q '^hot .*completed (post-copy)$' "$WORK/postcopy.txt" || die "the hot VM did not complete in post-copy"
id=$(last hotcold)
verified "$id"
sql "$db" "select policy from runs where id=$id" | grep -q 'postcopy-ram@after=10000000000ns' ||
	die "post-copy was not set to start at 1 GiB x 10 s"
echo "ok: with allowPostCopy it switches to post-copy at the timeout and completes"

evac --vm "$hot" --vm "$big" --parallelOutboundMigrationsPerNode 1 >"$WORK/serial.txt" ||
	die "serialised, a migration failed"
cat "$WORK/serial.txt"
grep -q '^big .* completed$' "$WORK/serial.txt" || die "the big VM did not complete"
start=$(awk '$1 == "big" { print $4, $5 }' "$WORK/serial.txt")
[ "$start" != "0 ns" ] || die "serialised, the big VM started at once"
verified "$(last hotcold)"
verified "$(last idle)"
echo "ok: serialised, both complete"

# progressTimeout: KubeVirt's watermark (the least data remaining seen) must
# fall within it. Sharing the NIC, the hot VM's passes end higher than its
# lowest, and at 300 ms it is cancelled before the completion timeout; the
# big VM's one long pass falls every sample and completes.
set +e
evac --vm "$hot" --vm "$big" --progressTimeout 300ms >"$WORK/progress.txt"
rc=$?
set -e
cat "$WORK/progress.txt"
[ "$rc" = 3 ] || die "exit status $rc with a cancelled migration, expected 3"
id=$(last hotcold)
sql "$db" "select error from runs where id=$id" |
	grep -q '^cancelled: no progress for 0.300 s (progressTimeout)' || die "not cancelled for progress"
[ "$(sql "$db" "select value < 10000 from metrics where run_id=$id and name='total-time'")" = 1 ] ||
	die "the progress timeout came after the completion timeout"
verified "$(last idle)"
echo "ok: progressTimeout cancels a migration that stopped progressing"

# The report draws each evacuation: its Gantt chart and its NIC's utilisation.
"$MIGSIM" report --db "$db" -o "$WORK/report" >/dev/null
for id in 1 2 3 4 5; do
	for c in gantt links; do
		[ -s "$WORK/report/evac-$id-$c.svg" ] || die "no evac-$id-$c.svg in the report"
	done
done
grep -q 'Rows, from the bottom: 1 hot, 2 big' "$WORK/report/index.html" || die "the Gantt rows are not named"
echo "ok: the report draws the evacuations"
