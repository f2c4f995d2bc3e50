# Multifd compression on real page bytes (issue 24). Heap-like content over
# 1 Gbit/s: zstd sends at most half of what none sends and finishes
# sooner. Random content: zstd sends slightly more than none (every packet
# still carries its header, and the stream its framing) and, CPU-bound on
# one channel of a 10 Gbit/s link, finishes later.
. "$E2E_LIB"
heap="sparse_update --wl-param data_set=48MiB --wl-param updates_per_second=1000"
random="working_set --wl-param pages=12288 --wl-param period=1000"
run() {
	out=$1; shift
	"$MIGSIM" run --guest bare --ram 64MiB --param max-bandwidth=0 --cap multifd --no-db \
		--json "$@" >"$WORK/$out.json" 2>"$WORK/$out.err" || die "$out: run failed"
}
for c in none zstd; do
	run heap_$c $heap --bandwidth 1Gbit/s --param multifd-compression=$c
	run random_$c $random --bandwidth 10Gbit/s --param multifd-channels=1 \
		--param multifd-compression=$c
done
python3 - "$WORK" <<'PY'
import json, sys
j = lambda name: json.load(open("%s/%s.json" % (sys.argv[1], name)))
for name in ("heap_none", "heap_zstd", "random_none", "random_zstd"):
    assert j(name)["status"] == "completed" and j(name)["migsim"]["verified"] is True, name
b = lambda name: j(name)["ram"]["transferred"]
t = lambda name: j(name)["migsim"]["total-time-ns"]
assert b("heap_zstd") <= 0.5 * b("heap_none"), ("heap bytes", b("heap_zstd"), b("heap_none"))
assert t("heap_zstd") < t("heap_none"), ("heap time", t("heap_zstd"), t("heap_none"))
z = j("heap_zstd")["x-migsim-multifd"]
assert z["payload-bytes"] * 2 < z["raw-bytes"], z
assert b("random_none") < b("random_zstd") <= 1.01 * b("random_none"), \
    ("random bytes", b("random_zstd"), b("random_none"))
assert t("random_zstd") > t("random_none"), ("random time", t("random_zstd"), t("random_none"))
print("heap over 1 Gbit/s: zstd %.1f MiB in %.0f ms, none %.1f MiB in %.0f ms; random over "
      "10 Gbit/s, 1 channel: zstd %d B in %.0f ms, none %d B in %.0f ms"
      % (b("heap_zstd") / 2**20, t("heap_zstd") / 1e6, b("heap_none") / 2**20,
         t("heap_none") / 1e6, b("random_zstd"), t("random_zstd") / 1e6,
         b("random_none"), t("random_none") / 1e6))
PY
