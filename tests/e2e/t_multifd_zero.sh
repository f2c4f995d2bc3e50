# Multifd zero-page detection (issue 24): an all-zero guest sends only
# packet headers with their page offsets, as QEMU's packets do: each
# channel's MultiFDInit_t (64 B), one packet of 128 pages per 512 KiB, each
# packet and each sync packet 320 B of header and 128 be64 offsets; the
# main channel carries the setup, RAM_SAVE_FLAG_MULTIFD_FLUSH and EOS
# records and the device state. With zero-page-detection=legacy the
# migration thread sends each zero page as a 9-byte record instead; with
# none the channels send them whole.
. "$E2E_LIB"
zero="page_rewrite --wl-param pages_per_second=0 --wl-param working_set=16MiB --ram 16MiB"
run() {
	out=$1; shift
	"$MIGSIM" run --guest bare $zero --cap multifd --param multifd-channels=3 --no-db \
		--json "$@" >"$WORK/$out.json" || die "$out: run failed"
}
run multifd
run legacy --param zero-page-detection=legacy
run none --param zero-page-detection=none
python3 - "$WORK" <<'PY'
import json, sys
j = lambda name: json.load(open("%s/%s.json" % (sys.argv[1], name)))
m = j("multifd")
ram, x = m["ram"], m["x-migsim-multifd"]
pages = 16 * 2**20 // 4096
assert m["status"] == "completed" and m["migsim"]["verified"] is True
assert ram["duplicate"] == pages and ram["normal"] == 0, ram
assert x["packets"] == pages // 128 and x["payload-bytes"] == 0, x
header = 320 + 128 * 8
assert ram["multifd-bytes"] == 3 * 64 + header * (x["packets"] + x["sync-packets"]), \
    (ram["multifd-bytes"], x)
main = ram["transferred"] - ram["multifd-bytes"]
device = 256 * 1024
assert main < device + 1024, ("main channel", main)
l = j("legacy")
assert l["ram"]["duplicate"] == pages and l["x-migsim-multifd"]["packets"] == 0, l["ram"]
assert l["ram"]["transferred"] - l["ram"]["multifd-bytes"] >= device + 9 * pages
n = j("none")
assert n["ram"]["normal"] == pages and n["ram"]["duplicate"] == 0, n["ram"]
assert n["ram"]["multifd-bytes"] >= pages * 4096
print("all-zero 16 MiB: multifd %d B on the channels (%d packets, %d syncs), main %d B; "
      "legacy %d B; none %d B" % (ram["multifd-bytes"], x["packets"], x["sync-packets"], main,
      l["ram"]["transferred"], n["ram"]["transferred"]))
PY
