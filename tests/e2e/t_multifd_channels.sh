# Multifd's channels (issue 24). With zstd on a 10 Gbit/s link and no rate
# limit each channel is CPU-bound: total time falls as channels go 1 -> 2
# -> 4. On 1 Gbit/s the link saturates: 8 channels gain nothing on 4, and
# the time is the bytes at the link's rate. With no compression on 1
# Gbit/s, channels make no difference beyond their packets' overhead.
. "$E2E_LIB"
heap="sparse_update --wl-param data_set=48MiB --wl-param updates_per_second=1000"
run() {
	out=$1; shift
	"$MIGSIM" run --guest bare $heap --ram 64MiB --param max-bandwidth=0 --cap multifd \
		--no-db --json "$@" >"$WORK/$out.json" || die "$out: run failed"
}
for n in 1 2 4; do
	run zstd10g_$n --bandwidth 10Gbit/s --param multifd-compression=zstd --param multifd-channels=$n
done
for n in 4 8; do
	run zstd1g_$n --bandwidth 1Gbit/s --param multifd-compression=zstd --param multifd-channels=$n
done
for n in 1 4; do
	run none1g_$n --bandwidth 1Gbit/s --param multifd-compression=none --param multifd-channels=$n
done
python3 - "$WORK" <<'PY'
import json, sys
j = lambda name: json.load(open("%s/%s.json" % (sys.argv[1], name)))
for name in ("zstd10g_1", "zstd10g_2", "zstd10g_4", "zstd1g_4", "zstd1g_8", "none1g_1", "none1g_4"):
    r = j(name)
    assert r["status"] == "completed" and r["migsim"]["verified"] is True, (name, r["status"])
t = lambda name: j(name)["migsim"]["total-time-ns"]
assert t("zstd10g_2") < 0.75 * t("zstd10g_1"), ("2 channels", t("zstd10g_2"), t("zstd10g_1"))
assert t("zstd10g_4") < 0.75 * t("zstd10g_2"), ("4 channels", t("zstd10g_4"), t("zstd10g_2"))
# Saturated: no gain from 8 channels, and the time is the bytes on the wire.
assert t("zstd1g_8") > 0.95 * t("zstd1g_4"), ("8 channels on 1 Gbit/s", t("zstd1g_8"), t("zstd1g_4"))
wire = j("zstd1g_4")["ram"]["transferred"] * 8 / 1e9 * 1e9
assert t("zstd1g_4") > 0.95 * wire, ("faster than the link", t("zstd1g_4"), wire)
# Uncompressed on 1 Gbit/s: the same time within 2 %, the same bytes
# within the extra channels' init and sync packets (1344 B each) and 0.5 %.
a, b = t("none1g_1"), t("none1g_4")
assert abs(b - a) < 0.02 * a, ("channels changed an uncompressed 1 Gbit/s run", a, b)
ba, bb = j("none1g_1")["ram"]["transferred"], j("none1g_4")["ram"]["transferred"]
assert abs(bb - ba) < 0.005 * ba, ("bytes", ba, bb)
print("zstd 10 Gbit/s: %.0f / %.0f / %.0f ms for 1/2/4 channels; 1 Gbit/s: %.0f ms (4), %.0f ms (8); "
      "none 1 Gbit/s: %.1f / %.1f ms for 1/4" % tuple(x / 1e6 for x in (
      t("zstd10g_1"), t("zstd10g_2"), t("zstd10g_4"), t("zstd1g_4"), t("zstd1g_8"), a, b)))
PY
