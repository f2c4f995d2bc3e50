# QEMU's downtime and the guest's pause, end to end. A pre-copy stores
# QEMU's figure (ended at the completion's last write, before the send
# buffer has drained) below the guest's pause; a post-copy switched at once
# has QEMU's figure run to the end of post-copy (the switch's source side
# took under a millisecond), while the guest paused only for the package
# and the destination's switch work. The summary says what each one is.
. "$E2E_LIB"
for mode in pre post; do
	extra=""
	[ "$mode" = post ] && extra="--postcopy immediately"
	# shellcheck disable=SC2086
	"$MIGSIM" run --guest bare calloc_loop --ram 64MiB --bandwidth 1Gbit/s --latency 5ms $extra \
		--db "$WORK/r.db" --json >"$WORK/$mode.json" || die "$mode: run failed"
	# shellcheck disable=SC2086
	"$MIGSIM" run --guest bare calloc_loop --ram 64MiB --bandwidth 1Gbit/s --latency 5ms $extra \
		--no-db >"$WORK/$mode.txt" || die "$mode: summary run failed"
	grep -q "^downtime .*QEMU's figure, on the source" "$WORK/$mode.txt" ||
		die "$mode: summary lacks the downtime line: $(cat "$WORK/$mode.txt")"
	grep -q "^guest pause .*vCPUs running on the destination" "$WORK/$mode.txt" ||
		die "$mode: summary lacks the guest pause line: $(cat "$WORK/$mode.txt")"
done
grep -q "downtime .*the end of post-copy" "$WORK/post.txt" ||
	die "post: the summary does not say the downtime ran to the end of post-copy"
python3 - "$WORK/pre.json" "$WORK/post.json" <<'PY'
import json, sys
pre, post = (json.load(open(f)) for f in sys.argv[1:3])
for r in (pre, post):
    assert r["status"] == "completed", r
m = pre["migsim"]
# The 4 MiB buffer (33.5 ms at 1 Gbit/s) and the 5 ms latency are not in
# QEMU's pre-copy figure; they are in the guest's pause.
gap = m["guest-pause-ns"] - m["downtime-ns"]
assert 38e6 <= gap <= 39e6, ("pre-copy: pause - downtime", gap)
assert pre["downtime"] == m["downtime-ns"] // 1000000
m = post["migsim"]
assert m["downtime-ns"] == m["total-time-ns"] - m["switchover-ns"] + 5000000, m
# the package and the 5 ms latency; the destination's fixed switch work,
# postcopy-switch-cost, is 0 unless given
assert 5e6 < m["guest-pause-ns"] < 15e6, m["guest-pause-ns"]
assert m["effective-downtime-ns"] >= m["guest-pause-ns"]
print("pre-copy: downtime %d ms, guest pause %.1f ms; post-copy at once: downtime %d ms, "
      "guest pause %.1f ms" % (pre["downtime"], pre["migsim"]["guest-pause-ns"] / 1e6,
                               post["downtime"], m["guest-pause-ns"] / 1e6))
PY
n=$(sql "$WORK/r.db" "SELECT count(*) FROM metrics WHERE name = 'guest-pause' AND value > 0")
[ "$n" = 2 ] || die "guest-pause stored for $n of 2 runs"
