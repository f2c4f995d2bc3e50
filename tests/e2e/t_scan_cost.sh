# The migration thread reads every page it tests for zero (save_zero_page's
# buffer_is_zero): an all-zero 16 GiB guest over 10 Gbit/s without a rate
# limit sends 9-byte records (36 ms of wire), but cannot finish before it
# has read 16 GiB at zero-scan-cost. With the scan and copy costs at 0 it
# is the wire's time again, so the parameters are what makes the difference.
. "$E2E_LIB"
run() {
	"$MIGSIM" run --guest bare idle --ram 16GiB --bandwidth 10Gbit/s --param max-bandwidth=0 \
		--no-db --json "$@"
}
run >"$WORK/costed.json" || die "run failed"
run --param zero-scan-cost=0 --param page-copy-cost=0 >"$WORK/free.json" ||
	die "run without costs failed"
python3 - "$WORK/costed.json" "$WORK/free.json" <<'PY'
import json, sys
costed, free = (json.load(open(f)) for f in sys.argv[1:3])
for r in (costed, free):
    assert r["status"] == "completed", r
    assert r["migsim"]["verified"] is True
ram = costed["ram"]["total"]
scan = costed["migsim"]["config"]["parameters"]["zero-scan-cost"]
assert ram == 16 << 30 and scan > 0, (ram, scan)
assert costed["ram"]["duplicate"] >= 0.999 * ram / 4096, costed["ram"]
floor_ns = ram * scan
got = costed["migsim"]["total-time-ns"]
assert got >= floor_ns, (got, floor_ns)
assert free["migsim"]["total-time-ns"] < 0.1 * floor_ns, free["migsim"]["total-time-ns"]
print("16 GiB of zero pages: %.3f s (reading them: %.3f s); without the costs %.3f s"
      % (got / 1e9, floor_ns / 1e9, free["migsim"]["total-time-ns"] / 1e9))
PY
