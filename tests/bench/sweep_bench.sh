#!/bin/sh
# sweep_bench — issue 7's sweep throughput: `migsim sweep --jobs 2` against
# `--jobs 1` on the policy-comparison experiment, with identical stored
# results.
#
#   sh tests/bench/sweep_bench.sh [MIGSIM]
#
# SWEEP_BENCH_REPS rounds (default 2), each one sweep with --jobs 1 then one
# with --jobs 2 into fresh databases (A B A B), so both see the same machine
# load as far as that can be had on a shared host. The speed-up printed is
# the median of the rounds' ratios with their lowest and highest. When the
# load average (1 min, read before and after) exceeds the CPUs online, the
# neighbours took CPUs --jobs 2 needs and the figure says little: a notice
# says so. Every database's runs and series (exported without their row ids,
# which depend on completion order) must equal the first's.
# SWEEP_BENCH_EXP picks another experiment. Always exits 0 unless a sweep
# fails or the results differ.
set -eu
migsim=${1:-build/migsim}
reps=${SWEEP_BENCH_REPS:-2}
exp=${SWEEP_BENCH_EXP:-scripts/baseline.lua}
target=1.8
work=$(mktemp -d "${TMPDIR:-/tmp}/sweep-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

now() { python3 -c 'import time; print(time.monotonic())'; }

# The stored results of DB, in an order that does not depend on --jobs.
results() {
	"$migsim" export --db "$1" --format csv | sed 's/^[0-9]*,//' | sort
	"$migsim" export --db "$1" --format csv --series | sed 's/^[0-9]*,//' | sort
}

# The experiment on the bare guest unless it names one (issue 7's figure
# was taken without a guest OS). The default, scripts/baseline.lua (48 runs,
# tens of seconds), names the server guest; scripts/policies.lua, the matrix
# of long runs, would take about an hour here.
if grep -q '^[[:space:]]*guest[[:space:]]*=' "$exp"; then
	run_exp=$exp
else
	run_exp="$work/$(basename "$exp")"
	sed 's/^\([[:space:]]*\)ram = \(.*\)$/\1ram = \2\n\1guest = "bare",/' "$exp" >"$run_exp"
fi

load() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0; }

echo "sweep_bench: $exp, $reps rounds of --jobs 1 then --jobs 2 ($(nproc) CPUs online)"
load >"$work/load"
for r in $(seq 1 "$reps"); do
	for j in 1 2; do
		db="$work/r$r-j$j.db"
		t0=$(now)
		"$migsim" sweep "$run_exp" --db "$db" --jobs "$j" --quiet >/dev/null
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
load >>"$work/load"
python3 - "$work/wall-j1" "$work/wall-j2" "$target" "$work/load" "$(nproc)" <<'PY'
import statistics, sys
j1 = [float(x) for x in open(sys.argv[1])]
j2 = [float(x) for x in open(sys.argv[2])]
target = float(sys.argv[3])
loads = [float(x) for x in open(sys.argv[4])]
cpus = int(sys.argv[5])
ratios = sorted(a / b for a, b in zip(j1, j2) if b > 0)
ratio = statistics.median(ratios) if ratios else 0
print(f"  median wall: --jobs 1 {statistics.median(j1):.2f} s, --jobs 2 "
      f"{statistics.median(j2):.2f} s")
print(f"  speed-up per round (--jobs 1 / --jobs 2 of the same round): median {ratio:.2f}x "
      f"[{ratios[0]:.2f}-{ratios[-1]:.2f}] over {len(ratios)} rounds")
busy = max(loads)
if busy > cpus:
    print(f"  NOTICE: load average {busy:.2f} (before/after: "
          f"{' / '.join(f'{x:.2f}' for x in loads)}) exceeds the {cpus} CPUs online: "
          "neighbours hold CPUs --jobs 2 needs, so this speed-up says little")
verdict = "met" if ratio >= target else "NOT met"
print(f"  target --jobs 2 >= {target}x faster with identical results: {ratio:.2f}x  {verdict}"
      " (results identical)")
PY
