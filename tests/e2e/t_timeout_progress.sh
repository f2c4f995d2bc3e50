# A migration that times out never disturbed its guest: the guest stops at
# the exact instant of the timeout and its progress is that of an unmigrated
# run. (Once, a rate-limit sleep that crossed the timeout let the guest run
# 6 ms too long, or stopped it 94 ms early.) The calloc loop's step is 1 ms.
. "$E2E_LIB"
"$MIGSIM" run --guest bare calloc_loop --ram 256MiB --param max-bandwidth=32MiB/s --param downtime-limit=30ms \
	--timeout 2s --no-db --json >"$WORK/r.json" && die "expected the migration to fail"
python3 - "$WORK/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m = r["migsim"]
assert r["status"] == "failed" and r["total-time"] == 2000, (r["status"], r["total-time"])
assert m["guest-steps"] == 2000, m["guest-steps"]
assert m["baseline-steps"] == 2000, m["baseline-steps"]
assert m["guest-progress"] == 1, m["guest-progress"]
print("2000 steps of 1 ms in the 2 s before the timeout, as unmigrated")
PY
