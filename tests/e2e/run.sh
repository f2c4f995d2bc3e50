#!/bin/sh
# End-to-end tests of the migsim command line. Each tests/e2e/t_*.sh is one
# test: it gets $MIGSIM (the binary), $WORK (an empty scratch directory) and
# the helpers in lib.sh, and fails by exiting non-zero. Prints the plain
# "N passed, N failed" summary line; exits non-zero when any test failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${MIGSIM:?set MIGSIM to the migsim binary}"
export MIGSIM
export E2E_LIB="$here/lib.sh"
export MIGSIM_ROOT="$(cd "$here/../.." && pwd)"
pass=0
fail=0
failed=""
for t in "$here"/t_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	[ -n "${E2E_ONLY:-}" ] && [ "$name" != "$E2E_ONLY" ] && continue
	# A test marked "# e2e: slow" checks the model's results over minutes of
	# simulated time; under the sanitizers (E2E_SANITIZED=1) the same code
	# paths are covered by the faster tests, so it is skipped there.
	if [ -n "${E2E_SANITIZED:-}" ] && grep -q '^# e2e: slow' "$t"; then
		echo "  skip  $name (slow; run in the unsanitized build)"
		continue
	fi
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/migsim-e2e.XXXXXX")
	export WORK
	start=$(date +%s)
	if sh "$t" >"$WORK/.log" 2>&1; then
		pass=$((pass + 1))
		echo "  ok    $name ($(($(date +%s) - start)) s)"
		rm -rf "$WORK"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		echo "  FAIL  $name ($(($(date +%s) - start)) s); its output:"
		sed 's/^/        /' "$WORK/.log" | tail -n 40
		rm -rf "$WORK"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
