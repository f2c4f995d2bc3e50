# Each migration's latency is its own (issue 26): two VMs leaving one NIC
# for hosts at different distances (`latency=`). Against the evacuation in
# which both have the default 100 us, the VM given 20 ms arrives 19.9 ms
# later (its total time and guest pause, which end at its last byte's
# arrival), with the same bytes on the wire; the other VM's figures do not
# move at all, whether it opened the NIC's link (the first) or not.
. "$E2E_LIB"
cd "$WORK"
evac() { # evac DB LATENCY1 LATENCY2
	"$MIGSIM" evacuate --host a:1Gbit/s --host b:1Gbit/s --host c:1Gbit/s --drain a \
		--vm "v1:a:64M:hotcold:to=b:guest=bare:wl.working_set=8MiB:latency=$2" \
		--vm "v2:a:64M:idle:to=c:guest=bare:latency=$3" --db "$1" >/dev/null ||
		die "evacuate $2 $3"
}
evac same.db 100us 100us
evac far2.db 100us 20ms
evac far1.db 20ms 100us
python3 - <<'PY' || die "latencies"
import sqlite3
def vms(path):
    c = sqlite3.connect(path)
    out = {}
    for vm, run, start, end in c.execute(
            "SELECT vm, run_id, start_ns, end_ns FROM evacuation_runs"):
        m = dict(c.execute("SELECT name, value FROM metrics WHERE run_id = ?", (run,)))
        out[vm] = (m, end - start)
    return out
same = vms("same.db")
DELTA = 19.9  # ms
MOVED = ("total-time", "guest-pause", "effective-downtime")
for path, far, near in (("far2.db", "v2", "v1"), ("far1.db", "v1", "v2")):
    got = vms(path)
    assert got[near] == same[near], (path, near, "moved",
        {k: (v, same[near][0].get(k)) for k, v in got[near][0].items() if v != same[near][0].get(k)})
    m, span = got[far]
    m0, span0 = same[far]
    for k in MOVED:
        assert abs(m[k] - m0[k] - DELTA) < 1e-6, (path, far, k, m[k], m0[k])
    assert span - span0 == DELTA * 1e6, (path, far, "span", span, span0)
    for k in ("transferred", "downtime", "normal", "duplicate", "iterations"):
        assert m[k] == m0[k], (path, far, k, m[k], m0[k])
    print("ok: %s: %s's total time %.4f ms (%.4f ms at 100 us), guest pause %.4f ms (%.4f);"
          " %s unchanged" % (path, far, m["total-time"], m0["total-time"], m["guest-pause"],
                             m0["guest-pause"], near))
PY
