# Every multifd method and channel count leaves the destination identical
# to the source, decoded with the real library (issue 24): a small guest
# updated while it migrates, so pages go in several passes and the final
# stage; with each zero-page detection; and with post-copy after the first
# pass, where multifd carries the pre-copy pages only (its channels send
# nothing after the switch).
. "$E2E_LIB"
g="sparse_update --bandwidth 100Mbit/s --param max-bandwidth=0 --cap multifd --no-db --json"
small="--wl-param data_set=3MiB --wl-param updates_per_second=300 --ram 4MiB"
check() {
	name=$1; shift
	"$MIGSIM" run --guest bare $g "$@" >"$WORK/r.json" || die "$name: run failed"
	[ "$(json_get "$WORK/r.json" status)" = completed ] || die "$name: not completed"
	[ "$(json_get "$WORK/r.json" migsim.verified)" = True ] || die "$name: not verified"
	[ "$(json_get "$WORK/r.json" ram.multifd-bytes)" -gt 300000 ] || die "$name: no multifd bytes"
	echo "ok: $name ($(json_get "$WORK/r.json" ram.dirty-sync-count) syncs)"
}
for c in none zlib zstd lz4; do
	for n in 1 2 4; do
		check "$c x $n" $small --param multifd-compression=$c --param multifd-channels=$n
	done
done
check "zstd level 5" $small --param multifd-compression=zstd --param multifd-zstd-level=5
check "zlib level 0" $small --param multifd-compression=zlib --param multifd-zlib-level=0
check "zero pages legacy" $small --param zero-page-detection=legacy --param multifd-compression=zlib
check "zero pages none" $small --param zero-page-detection=none --param multifd-compression=lz4
# Small send buffers keep the thread from finishing its first pass into them.
check "post-copy" --ram 8MiB --wl-param data_set=6MiB --postcopy after-first-pass --param multifd-compression=zstd \
	--wl-param updates_per_second=20000 --param send-buffer-size=64KiB
[ "$(json_get "$WORK/r.json" ram.postcopy-bytes)" -gt 0 ] || die "post-copy: no post-copy bytes"
python3 - "$WORK/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
x = r["x-migsim-multifd"]
assert r["ram"]["postcopy-bytes"] > 0, r["ram"]
# Each of the 2 channels syncs at setup and at the switch; none after it,
# though post-copy's scan wraps again.
assert x["sync-packets"] == 4, x
print("post-copy: %d page requests, %d multifd packets (+%d syncs) before the switch"
      % (r["ram"]["postcopy-requests"], x["packets"], x["sync-packets"]))
PY
