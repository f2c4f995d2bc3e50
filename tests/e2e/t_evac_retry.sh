# Host evacuation, retries (issue 26): a migration the policy cancels is
# reported as failed (migrationAttempts 1, the default), or migrated again,
# a new migration, while attempts remain. The hot VM cannot converge while
# the big one shares the NIC: cancelled at its completion timeout (1 GiB x
# 13 s), again on its second attempt (the big one ends at 25.3 s, 0.7 s
# before that attempt's timeout), and alone on its third it completes, its
# destination memory equal to its source's.
. "$E2E_LIB"
db="$WORK/m.db"
hot=hot:a:1G:hotcold:to=b:guest=bare:wl.s=0:wl.working_set=512MiB:wl.writes_per_second=15000
evac() { "$MIGSIM" evacuate --host a:1Gbit/s --host b:1Gbit/s --drain a --db "$db" \
	--completionTimeoutPerGiB 13s --vm "$hot" --vm big:a:2G:idle:to=b "$@"; }
last() { sql "$db" "select max(id) from runs where workload='$1'"; }
metric() { sql "$db" "select value from metrics where run_id=$1 and name='$2'"; }
emetric() { sql "$db" "select value from evacuation_metrics where evacuation_id=(select max(id) from evacuations) and name='$1'"; }

set +e
evac >"$WORK/once.txt"
rc=$?
set -e
cat "$WORK/once.txt"
[ "$rc" = 3 ] || die "exit status $rc with a cancelled migration, expected 3"
grep -q '^hot .* 13.0 s .*cancelled$' "$WORK/once.txt" || die "the hot VM was not cancelled at 13 s"
[ "$(emetric retried)" = 0.0 ] || die "retried $(emetric retried), expected 0"
echo "ok: by default a cancelled migration is reported as failed"

set +e
evac --migrationAttempts 2 >"$WORK/twice.txt"
rc=$?
set -e
[ "$rc" = 3 ] || die "two attempts: exit status $rc, expected 3"
grep -q '^hot .* 26.0 s .*cancelled, attempt 2$' "$WORK/twice.txt" ||
	{ cat "$WORK/twice.txt"; die "the second attempt did not end cancelled at 26 s"; }
echo "ok: the second attempt, still sharing, is cancelled at its own timeout"

evac --migrationAttempts 3 >"$WORK/thrice.txt" || die "three attempts: a migration failed"
cat "$WORK/thrice.txt"
grep -q '^hot .*completed, attempt 3$' "$WORK/thrice.txt" || die "the hot VM did not complete on its third attempt"
grep -q '^big .*completed$' "$WORK/thrice.txt" || die "the big VM did not complete at once"
grep -q '2 cancelled and run again$' "$WORK/thrice.txt" || die "the retries are not counted"
[ "$(emetric retried)" = 2.0 ] || die "retried $(emetric retried), expected 2"
[ "$(emetric failed)" = 0.0 ] || die "failed $(emetric failed), expected 0"
id=$(last hotcold)
[ "$(sql "$db" "select status from runs where id=$id")" = completed ] || die "not recorded as completed"
[ "$(metric "$id" verified)" = 1.0 ] || die "destination memory not verified"
# The run is the last migration's (it started at 26 s); the VM's row spans all three.
[ "$(sql "$db" "select value < 13000 from metrics where run_id=$id and name='total-time'")" = 1 ] ||
	die "the run is not the last attempt's"
[ "$(sql "$db" "select start_ns = 0 and end_ns > 26000000000 from evacuation_runs where run_id=$id")" = 1 ] ||
	die "the VM's row does not span its attempts"
echo "ok: retried, the third migration completes alone"

# The scenario file's policy takes it too; 0 is refused.
cat >"$WORK/retry.lua" <<LUA
return {
	hosts = {{name = "a", nic = "1Gbit/s"}, {name = "b", nic = "1Gbit/s"}},
	vms = {{name = "hot", host = "a", ram = "1G", workload = "hotcold", to = "b", guest = "bare",
	        wl = {s = 0, working_set = "512MiB", writes_per_second = 15000}},
	       {name = "big", host = "a", ram = "2G", workload = "idle", to = "b"}},
	drain = "a",
	policy = {completionTimeoutPerGiB = "13s", migrationAttempts = 3},
}
LUA
"$MIGSIM" evacuate "$WORK/retry.lua" --no-db >"$WORK/file.txt" || die "the file's scenario failed"
grep -q '^hot .*completed, attempt 3$' "$WORK/file.txt" || die "the file's policy did not retry"
expect_fail "zero attempts" 'at least 1.*migrationAttempts' -- \
	"$MIGSIM" evacuate --host a:1Gbit/s --host b:1Gbit/s --drain a --vm v:a:64M:idle \
	--migrationAttempts 0 --no-db
