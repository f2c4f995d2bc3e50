# Auto-converge: a page_rewrite guest dirtying 80 MB/s behind a 100 Mbit/s
# link cannot converge by pre-copy alone; with auto-converge QEMU's throttle
# rises until it does, and a throttle of at least 50 % is reported.
. "$E2E_LIB"
common="page_rewrite --ram 512MiB --bandwidth 100Mbit/s --wl-param working_set=128MiB
	--wl-param pages_per_second=20000 --timeout 300s --no-db --json"
set +e
"$MIGSIM" run $common >"$WORK/plain.json"
rc=$?
set -e
[ "$rc" -eq 3 ] || die "without auto-converge: exit status $rc, expected 3"
"$MIGSIM" run $common --cap auto-converge >"$WORK/ac.json" || die "auto-converge run failed"
python3 - "$WORK/plain.json" "$WORK/ac.json" <<'PY'
import json, sys
plain, ac = (json.load(open(f)) for f in sys.argv[1:3])
assert plain["status"] == "failed", plain["status"]
assert ac["status"] == "completed" and ac["migsim"]["verified"] is True, ac.get("error-desc")
top = ac["migsim"]["max-cpu-throttle-percentage"]
assert top >= 50, ("throttle", top)
assert ac["migsim"]["guest-progress"] < 0.9, ac["migsim"]["guest-progress"]
print("auto-converge: completed in %.1f s, throttle up to %d %%, guest progress %.2f"
      % (ac["total-time"] / 1e3, top, ac["migsim"]["guest-progress"]))
PY
