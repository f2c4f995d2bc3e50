#!/bin/sh
# sweep_bench — issue 7's sweep throughput: `migsim sweep --jobs 2` against
# `--jobs 1` on the policy-comparison experiment, with identical stored
# results.
#
#   sh tests/bench/sweep_bench.sh [MIGSIM]
#
# SWEEP_BENCH_REPS rounds (default 2), each one sweep with --jobs 1 then one
# with --jobs 2 into fresh databases, so both see the same machine load as
# far as that can be had on a shared host. The ratio printed is of the
# median wall times. Every database's runs and series (exported without
# their row ids, which depend on completion order) must equal the first's.
# SWEEP_BENCH_EXP picks another experiment. Always exits 0 unless a sweep
# fails or the results differ.
set -eu
migsim=${1:-build/migsim}
reps=${SWEEP_BENCH_REPS:-2}
exp=${SWEEP_BENCH_EXP:-scripts/policies.lua}
target=1.8
work=$(mktemp -d "${TMPDIR:-/tmp}/sweep-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { python3 -c 'import time; print(time.monotonic())'; }

# The stored results of DB, in an order that does not depend on --jobs.
results() {
	"$migsim" export --db "$1" --format csv | sed 's/^[0-9]*,//' | sort
	"$migsim" export --db "$1" --format csv --series | sed 's/^[0-9]*,//' | sort
}

echo "sweep_bench: $exp, $reps rounds of --jobs 1 then --jobs 2 ($(nproc) CPUs online)"
for r in $(seq 1 "$reps"); do
	for j in 1 2; do
		db="$work/r$r-j$j.db"
		t0=$(now)
		"$migsim" sweep "$exp" --db "$db" --jobs "$j" --quiet >/dev/null
		t1=$(now)
		wall=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
		echo "$wall" >>"$work/wall-j$j"
		results "$db" >"$work/res"
		if [ -e "$work/first" ]; then
			cmp -s "$work/first" "$work/res" ||
				{ echo "  round $r --jobs $j: stored results DIFFER from round 1 --jobs 1"; exit 1; }
		else
			mv "$work/res" "$work/first"
		fi
		echo "  round $r --jobs $j: $wall s wall"
	done
done
python3 - "$work/wall-j1" "$work/wall-j2" "$target" <<'PY'
import statistics, sys
j1 = statistics.median(float(x) for x in open(sys.argv[1]))
j2 = statistics.median(float(x) for x in open(sys.argv[2]))
target = float(sys.argv[3])
ratio = j1 / j2 if j2 > 0 else 0
verdict = "met" if ratio >= target else "NOT met"
print(f"  median wall: --jobs 1 {j1:.2f} s, --jobs 2 {j2:.2f} s; speed-up {ratio:.2f}x")
print(f"  target --jobs 2 >= {target}x faster with identical results: {ratio:.2f}x  {verdict}"
      " (results identical)")
PY
