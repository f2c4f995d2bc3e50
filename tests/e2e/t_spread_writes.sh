# A step's writes reach the guest over the step's time (sim/journal.h): a
# workload that rewrites its 1024 pages in one 1 s step writes page i at
# i/1024 s into it. The migration starts mid-step-0 (warmup 500 ms); step 1
# starts at 1 s, and the second bitmap sync, at whatever time t the first
# pass ends, finds exactly the pages whose write time has passed by t, not
# all 1024 as when a step's writes landed at its start.
. "$E2E_LIB"
"$MIGSIM" run --guest bare "$ROOT/tests/unit/lua/spread.lua" --ram 64MiB --warmup 500ms \
	--param max-bandwidth=4MiB/s --no-db --json >"$WORK/out.json" || die "run failed"
python3 - "$WORK/out.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["status"] == "completed" and r["migsim"]["verified"] is True, r["status"]
p2 = r["migsim"]["passes"][1]
sync = 500_000_000 + p2["start-ns"]               # absolute time of sync 2
assert 1_000_000_000 < sync < 2_000_000_000, sync  # inside step 1
expect = sum(1 for i in range(1024) if 1_000_000_000 + (1_000_000_000 * i) // 1024 <= sync)
assert p2["dirty-pages"] == expect, (p2["dirty-pages"], expect, sync)
print("sync 2 at %.6f s: %d of 1024 pages written so far, as spread" % (sync / 1e9, expect))
PY
