# Every policy's completed runs pass the destination-memory check: each
# bundled workload under each policy in a small guest either completes with
# the destination verified identical or fails for a stated reason (never a
# memory mismatch, which the simulator reports as its own bug).
. "$E2E_LIB"
for wl in calloc_loop idle page_rewrite sparse_update hotcold video_stream; do
	for policy in "--mode stop-and-copy" "" "--cap xbzrle" "--cap auto-converge" \
		"--postcopy after-first-pass" "--postcopy immediately" \
		"--postcopy immediately --cap postcopy-preempt" "--cap xbzrle --postcopy when-stuck"; do
		set +e
		"$MIGSIM" run --guest bare "$wl" --ram 640MiB --timeout 30s $policy --no-db \
			--json >"$WORK/r.json" 2>"$WORK/err"
		rc=$?
		set -e
		[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || die "$wl $policy: exit $rc: $(cat "$WORK/err")"
		python3 - "$WORK/r.json" "$wl $policy" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
what = sys.argv[2]
if r["status"] == "completed":
    assert r["migsim"]["verified"] is True, what
else:
    assert "differs" not in r["error-desc"], (what, r["error-desc"])
print("%-40s %s" % (what, r["status"]))
PY
	done
done
