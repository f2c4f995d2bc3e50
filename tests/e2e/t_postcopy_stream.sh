# Post-copy's background stream keeps the wire busy while a vCPU waits for a
# page (QEMU's ram_save_iterate goes on sending while requests are queued;
# get_queued_page only moves the scan to the requested page). A fault on a
# page that has arrived costs nothing, one on a page in flight waits for that
# page only. Before, the migration thread stood still at the start of the
# faulting step: a guest that touched all of its 256 MiB in one step after an
# immediate switch took 15 s in post-copy for 2.15 s of wire time, the wire
# idle while pages were missing; page_rewrite at 1 ms latency, 11.3 s for
# 1.85 s.
. "$E2E_LIB"
cat >"$WORK/touch_all.lua" <<'LUA'
-- fills its memory, then reads every page in one step once migrating
local done = false
return {
	name = "touch_all",
	description = "fill, then touch every page in one step",
	params = { size = "256MiB", at = "1010ms" },
	regions = function(p) return { { name = "ws", size = p.size } } end,
	init = function(mem, p) mem.ws:rewrite(0, mem.ws.pages) end,
	step = function(mem, p)
		if not done and mem.now() >= duration(p.at) then
			mem.ws:read(0, mem.ws.size)
			done = true
		end
		return 1000000, 1000
	end,
}
LUA
# check NAME SLACK -- RUN ARGS: post-copy (switch-over to the end) within
# SLACK of its bytes' wire time plus one round trip.
check() {
	name=$1 slack=$2; shift 3
	"$MIGSIM" run --guest bare "$@" --db "$WORK/$name.db" --json >"$WORK/$name.json" || die "$name: run failed"
	python3 - "$WORK/$name.json" "$WORK/$name.db" "$name" "$slack" <<'PY'
import json, sqlite3, sys
r = json.load(open(sys.argv[1])); name = sys.argv[3]; slack = float(sys.argv[4])
m = r["migsim"]; ram = r["ram"]; cfg = m["config"]
assert r["status"] == "completed" and m["verified"] is True, (name, r.get("error-desc"))
assert ram["postcopy-requests"] > 0, (name, "no page was requested")
bw = cfg["bandwidth-bytes-per-s"]
wire = (ram["downtime-bytes"] + ram["postcopy-bytes"]) / bw
rtt = 2 * cfg["latency-ns"] / 1e9
post = (m["total-time-ns"] - m["switchover-ns"]) / 1e9
assert post <= (wire + rtt) * (1 + slack), \
    (name, "post-copy took %.3f s for %.3f s on the wire" % (post, wire))
# While pages are missing the wire stays busy: every sample but the last
# window's carries at least 90 % of the link.
db = sqlite3.connect(sys.argv[2])
rows = db.execute("select t_ns, mbps, remaining from series where phase = 3 "
                  "order by t_ns").fetchall()
link = bw * 8 / 1e6
for t, mbps, remaining in rows[1:-1]:
    assert mbps >= 0.9 * link, (name, "%.1f Mbit/s at %.1f s on a %.0f Mbit/s link" % (mbps, t / 1e9, link))
print("ok: %s: post-copy %.3f s, wire %.3f s, %d samples at >= 90 %% of the link"
      % (name, post, wire, len(rows) - 2))
PY
}
check touch 0.10 -- "$WORK/touch_all.lua" --ram 256MiB --postcopy immediately
check rewrite 0.15 -- page_rewrite --wl-param working_set=512MiB --wl-param pages_per_second=40000 \
	--postcopy after-first-pass --latency 1ms --param send-buffer-size=64KiB
