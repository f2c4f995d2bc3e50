# Every script the workload fuzzer found a bug with (tests/fuzz/repro/), run
# with the command line in its header: each must end in a result (exit 0
# or 3) or one clean error line (exit 2) within a minute, never a crash,
# a hang or (in the sanitized build) a sanitizer report.
. "$E2E_LIB"
n=0
for f in "$ROOT"/tests/fuzz/repro/*.lua; do
	name=$(basename "$f" .lua)
	args=$(sed -n 's/^-- migsim run [^ ]* //p' "$f" | head -n 1)
	[ -n "$args" ] || die "$name: no '-- migsim run' line in its header"
	# shellcheck disable=SC2086 # the header's options are words
	rc=0
	timeout 60 "$MIGSIM" run "$f" $args >"$WORK/out" 2>"$WORK/err" || rc=$?
	case $rc in
	0 | 3) ;;
	2) grep -q "^migsim: " "$WORK/err" || die "$name: exit 2 without a migsim: line" ;;
	124) die "$name: still running after 60 s" ;;
	*) cat "$WORK/err" >&2; die "$name: exit $rc" ;;
	esac
	if grep -Eq 'Sanitizer|runtime error' "$WORK/err"; then
		cat "$WORK/err" >&2
		die "$name: sanitizer report"
	fi
	echo "ok: $name (exit $rc) $(head -c 160 "$WORK/err")"
	n=$((n + 1))
done
[ "$n" -ge 6 ] || die "only $n reproducers"
