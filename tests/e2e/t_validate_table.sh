#!/bin/sh
# make validate's parsing and table (validation/vtable.py) on recorded QMP
# lines and query-migrate replies (tests/validation/): the QMP message
# kinds, figures taken from the last reply with statistics (a cancelled
# migration's final reply is its status alone) but the throttle from the highest
# seen, a stopped migration called "did not converge" with no downtime,
# median and spread over three real runs that disagree, migsim's figures
# from its nanosecond fields, and the ratio table. The real QEMU side is
# not run here (make validate; docs/validation.md).
. "$E2E_LIB"
fix="$ROOT/tests/validation"
python3 "$fix/render.py" >"$WORK/out" || die "render.py failed"
if ! diff -u "$fix/expected.txt" "$WORK/out"; then
	die "the table differs from tests/validation/expected.txt"
fi
grep -q '^| | throttle % | 30 (0..40) | 60 | 2.00 |$' "$WORK/out" ||
	die "throttle is not the highest value seen in each run"
grep -q 'did not converge (2 of 3 runs)' "$WORK/out" || die "disagreeing runs not shown"
grep -q '^| | downtime | 82 | 0.4 | 0.01 |$' "$WORK/out" || die "migsim's downtime not from downtime-ns"
echo "ok: validation table"
