# Closed form: a working set of W pages rewritten once per period P, no
# compression, no rate limit. The textbook pre-copy recurrence says each pass
# sends the pages dirtied during the previous one: V0 = RAM pages, V(i+1) =
# min(W, D x T(i)) with D = W/P and T(i) = V(i) x wire bytes / bandwidth, until
# the pending bytes fit in bandwidth x downtime-limit. The simulator must match
# it within 2 % in pass count, total bytes and the size of every pass that is
# large next to the switch-over threshold (tail passes of a few hundred pages
# are quantised by the workload's step and QEMU's threshold test, so they are
# compared by count only).
. "$E2E_LIB"
"$MIGSIM" run --guest bare working_set --ram 1GiB --bandwidth 1Gbit/s --param max-bandwidth=0 \
	--param downtime-limit=10ms --wl-param pages=262144 --wl-param period=10 \
	--no-db --json >"$WORK/r.json" || die "run failed"
python3 - "$WORK/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["status"] == "completed", r.get("error-desc")
m, ram = r["migsim"], r["ram"]
bw = m["config"]["bandwidth-bytes-per-s"]
wire = ram["page-size"] + 8
W = int(m["workload-params"]["pages"]); P = float(m["workload-params"]["period"])
D = W / P
pages_total = ram["total"] // ram["page-size"]
threshold = bw * 0.010
V = [pages_total]
while True:
    T = V[-1] * wire / bw
    nxt = min(W, D * T)
    V.append(nxt)
    if nxt * ram["page-size"] < threshold:
        break
# QEMU syncs twice at the end: the exact pending estimate (which finds the
# rest below the threshold) and the completion's final sync. The first of the
# two opens a pass that sends nothing; the textbook has no such pass.
passes = [p["pages"] for p in m["passes"]]
assert passes[-2] == 0, passes[-3:]
del passes[-2]
print("textbook passes:", [round(v) for v in V])
print("simulated passes:", passes)
assert len(passes) == len(V), (len(passes), len(V))
for i, (v, s) in enumerate(zip(V, passes)):
    if v * ram["page-size"] >= 20 * threshold:
        assert abs(s - v) <= 0.02 * v, ("pass", i, s, v)
total_model = sum(V) * wire
assert abs(ram["transferred"] - total_model) <= 0.02 * total_model, (ram["transferred"], total_model)
print("within 2%%: %d passes, %.1f MiB vs %.1f MiB" % (len(passes), ram["transferred"] / 2**20,
      total_model / 2**20))
PY
