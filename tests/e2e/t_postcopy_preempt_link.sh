# The postcopy-preempt channel is a second socket on the same network as the
# main one (QEMU's postcopy_preempt_setup connects it to the same address):
# both share the wire. From the switch-over on, every byte handed to the link
# (the device-state package, then the background stream and the requested
# pages) crosses it between the stop and the end, so they cannot exceed the
# link's bandwidth over that time. A preempt channel with a bandwidth of its
# own carried up to 2x the link (10 % over it on the video guest).
. "$E2E_LIB"
check() {
	name=$1; shift
	"$MIGSIM" run --guest bare "$@" --bandwidth 1Gbit/s --postcopy immediately --cap postcopy-preempt \
		--no-db --json >"$WORK/$name.json" || die "$name: run failed"
	python3 - "$WORK/$name.json" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); name = sys.argv[2]; m = r["migsim"]
assert r["status"] == "completed" and m["verified"] is True, (name, r.get("error-desc"))
assert r["ram"]["postcopy-requests"] > 0, (name, "no page was requested")
sent = r["ram"]["downtime-bytes"] + r["ram"]["postcopy-bytes"]
seconds = (m["total-time-ns"] - m["switchover-ns"]) / 1e9
rate = sent / seconds
bw = m["config"]["bandwidth-bytes-per-s"]
assert rate <= bw * (1 + 1e-6), (name, "post-copy carried %.0f B/s on a %.0f B/s link" % (rate, bw))
print("ok: %s: %.3f MB/s after the switch-over on a %.0f MB/s link" % (name, rate / 1e6, bw / 1e6))
PY
}
check video video_stream --ram 1GiB --param downtime-limit=50ms
check rewrite page_rewrite --ram 256MiB
