# An idle 1 GiB guest: nearly every page goes as a 9-byte zero page, and the
# total time is what those bytes take on the link or what reading the pages
# (zero-scan-cost) and copying the records (page-copy-cost, twice: into
# QEMUFile's buffer and into the socket) takes the migration thread,
# whichever is longer (plus setup and latency).
. "$E2E_LIB"
"$MIGSIM" run --guest bare idle --ram 1GiB --bandwidth 1Gbit/s --no-db --json >"$WORK/r.json" ||
	die "run failed"
python3 - "$WORK/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ram, m = r["ram"], r["migsim"]
assert r["status"] == "completed", r
assert m["verified"] is True
pages = ram["total"] // ram["page-size"]
assert ram["total"] == 1 << 30
assert ram["duplicate"] >= 0.99 * pages, (ram["duplicate"], pages)
assert ram["duplicate"] + ram["normal"] >= pages
bw = m["config"]["bandwidth-bytes-per-s"]
par = m["config"]["parameters"]
wire_ns = ram["transferred"] / bw * 1e9
cpu_ns = (ram["duplicate"] * ram["page-size"] * par["zero-scan-cost"]
          + 2 * ram["transferred"] * par["page-copy-cost"])
expect_ns = max(wire_ns, cpu_ns) + m["setup-time-ns"] + m["config"]["latency-ns"]
got = m["total-time-ns"]
assert abs(got - expect_ns) <= 0.05 * expect_ns, (got, expect_ns)
print("idle: %d zero pages of %d, total %.1f ms, expected %.1f ms"
      % (ram["duplicate"], pages, got / 1e6, expect_ns / 1e6))
PY
