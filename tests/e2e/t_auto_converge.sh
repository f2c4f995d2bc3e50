# Auto-converge: a page_rewrite guest dirtying 80 MB/s behind a 100 Mbit/s
# link cannot converge by pre-copy alone. When the rewriting is CPU-bound
# (50 us of computing per page: the whole vCPU) QEMU's throttle rises until
# it converges, and a throttle of at least 50 % is reported. When it is
# paced (1 us per page, 2 % of the vCPU) a throttle of up to 90 % takes CPU
# time the guest does not use: the guest keeps its pace and the migration
# still fails, as the paced rewriter of the real-QEMU check kept its write rate
# (cpu_throttle_thread sleeps a vCPU that was mostly halted anyway).
. "$E2E_LIB"
common="page_rewrite --ram 512MiB --bandwidth 100Mbit/s --wl-param working_set=128MiB
	--wl-param pages_per_second=20000 --timeout 300s --no-db --json"
set +e
"$MIGSIM" run $common --wl-param page_cpu=50us >"$WORK/plain.json"
rc=$?
"$MIGSIM" run $common --cap auto-converge --param max-cpu-throttle=90 >"$WORK/paced.json"
rc_paced=$?
set -e
[ "$rc" -eq 3 ] || die "without auto-converge: exit status $rc, expected 3"
[ "$rc_paced" -eq 3 ] || die "paced, with auto-converge: exit status $rc_paced, expected 3"
"$MIGSIM" run $common --wl-param page_cpu=50us --cap auto-converge >"$WORK/ac.json" ||
	die "auto-converge run failed"
python3 - "$WORK/plain.json" "$WORK/ac.json" "$WORK/paced.json" <<'PY'
import json, sys
plain, ac, paced = (json.load(open(f)) for f in sys.argv[1:4])
assert plain["status"] == "failed", plain["status"]
assert ac["status"] == "completed" and ac["migsim"]["verified"] is True, ac.get("error-desc")
top = ac["migsim"]["max-cpu-throttle-percentage"]
assert top >= 50, ("throttle", top)
assert ac["migsim"]["guest-progress"] < 0.9, ac["migsim"]["guest-progress"]
print("CPU-bound: completed in %.1f s, throttle up to %d %%, guest progress %.2f"
      % (ac["total-time"] / 1e3, top, ac["migsim"]["guest-progress"]))
assert paced["status"] == "failed", paced["status"]
ptop = paced["migsim"]["max-cpu-throttle-percentage"]
assert ptop == 90, ("paced throttle", ptop)
assert paced["migsim"]["guest-progress"] >= 0.99, paced["migsim"]["guest-progress"]
print("paced: failed, throttle up to %d %%, guest progress %.2f"
      % (ptop, paced["migsim"]["guest-progress"]))
PY
