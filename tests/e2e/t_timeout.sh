# A migration that cannot converge fails at --timeout with the reason; the
# failed run is still recorded (it is a result, not bad input).
. "$E2E_LIB"
db="$WORK/m.db"
set +e
"$MIGSIM" run --guest bare page_rewrite --ram 256MiB --bandwidth 100Mbit/s --timeout 20s \
	--wl-param working_set=128MiB --wl-param pages_per_second=20000 \
	--db "$db" --json >"$WORK/r.json"
rc=$?
set -e
[ "$rc" -eq 3 ] || die "exit status $rc, expected 3 (migration failed)"
[ "$(json_get "$WORK/r.json" status)" = failed ] || die "status is not failed"
json_get "$WORK/r.json" error-desc | grep -q 'did not converge' || die "no reason given"
[ "$(json_get "$WORK/r.json" total-time)" = 20000 ] || die "total-time is not the timeout"
[ "$(sql "$db" "select count(*) from runs where status='failed' and error like '%converge%'")" = 1 ] ||
	die "the failed run was not recorded"
