#!/bin/sh
# Every bundled workload, migrated briefly by pre-copy and by post-copy, and
# every fuzzer reproducer (tests/fuzz/repro/, by its header's command line),
# run by a migsim built with -DMIGSIM_GC_STRESS under ASan + UBSan (make
# check-gc-stress): the Lua host then runs a full collection at every new
# Lua object, so any Lua value that C holds without anchoring it is freed at
# once and the sanitizers see the use. (The test scripts of tests/unit/lua/
# get the same through the wl unit suite's test_every_script, a few steps
# each: several take 1 ns steps, too many for a migration.) Each run must
# end in a result (exit 0 or 3) or a clean one-line error (exit 2), never a
# crash or a sanitizer report. Prints "N passed, N failed".
set -u
migsim=${1:?usage: gc_stress.sh MIGSIM}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/migsim-gcs.XXXXXX")
trap 'rm -rf "$out"' EXIT
pass=0
fail=0

# check NAME ARGS...: one run and its verdict.
check() {
	name=$1
	shift
	timeout 300 "$migsim" run "$@" --no-db >"$out/out" 2>"$out/err"
	rc=$?
	if [ "$rc" -le 3 ] && [ "$rc" -ne 1 ] &&
		! grep -Eq 'Sanitizer|runtime error|^==[0-9]+==' "$out/err" &&
		{ [ "$rc" -ne 2 ] || grep -q '^migsim: ' "$out/err"; }; then
		pass=$((pass + 1))
		echo "  ok    $name (exit $rc)"
	else
		fail=$((fail + 1))
		echo "  FAIL  $name (exit $rc); its stderr:"
		sed 's/^/        /' "$out/err" | tail -n 30
	fi
}

# minimal-linux: a guest OS profile's script runs under the stress too, and
# leaves room for every bundled workload in 1 GiB (server's 70 % does not).
for w in "$root"/workloads/*.lua; do
	name=$(basename "$w" .lua)
	set -- "$w" --guest minimal-linux --ram 1GiB --warmup 20ms --timeout 300ms --bandwidth 10Gbit/s
	check "$name" "$@"
	check "$name, post-copy" "$@" --postcopy after-first-pass
done
for f in "$root"/tests/fuzz/repro/*.lua; do
	# shellcheck disable=SC2046 # the header's options are words
	check "repro/$(basename "$f" .lua)" "$f" $(sed -n 's/^-- migsim run [^ ]* //p' "$f" | head -n 1)
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
