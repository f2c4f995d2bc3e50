# --storage postcopy-stream (block-stream with copy-on-read): the guest runs
# on the destination after roughly the RAM migration's time, and its disk is
# whole there only once the stream has copied the allocated clusters: the
# disk's risk window is at least allocated / stream rate. A source failure
# inside that window loses the guest (with the clusters only the source
# held); one after it changes nothing; a lost link before the cut-over
# aborts the migration and leaves the guest on the source.
. "$E2E_LIB"
run() {
	"$MIGSIM" run idle --guest bare --ram 256MiB --disk 2GiB,allocated=0.5 \
		--storage postcopy-stream --param stream-speed=50MB/s --no-db --quiet --json "$@"
}
run >"$WORK/p.json" || die "postcopy-stream run failed"
run >"$WORK/p2.json" || die "postcopy-stream run failed the second time"
cmp -s "$WORK/p.json" "$WORK/p2.json" || die "two runs of one seed differ"
j() { json_get "$WORK/p.json" "$1"; }
[ "$(j status)" = completed ] || die "status $(j status)"
[ "$(j migsim.storage.verified)" = True ] || die "destination disk not verified"
[ "$(j block-jobs.0.type)" = stream ] || die "job type $(j block-jobs.0.type)"
python3 - "$(j migsim.storage.cutover-ns)" "$(j migsim.total-time-ns)" \
	"$(j migsim.risk-window-disk-ns)" "$(j migsim.storage.bytes)" <<'PY' || die "figures"
import sys
cut, ram_total, risk, sent = map(int, sys.argv[1:])
alloc = 2 * 2**30 * 0.5
assert cut <= ram_total and ram_total < 1e9, ("guest not on the destination after the RAM", cut, ram_total)
assert sent >= alloc * 0.99, (sent, alloc)
floor = sent / 50e6 * 1e9
assert risk >= floor * 0.99, ("risk window under allocated / stream rate", risk, floor)
assert risk < floor * 1.1, ("stream slower than its rate", risk, floor)
print("ok: cut-over at %.3f s, disk risk window %.2f s (allocated / stream-speed %.2f s)"
      % (cut / 1e9, risk / 1e9, floor / 1e9))
PY
window=$(j migsim.risk-window-disk-ns)
# inside the window: the guest is lost, with what only the source had
inside=$(python3 -c "print(int($window / 2 / 1e6))")ms
run --fail-source-at "$inside" >"$WORK/in.json" && die "a source failure in the window completed"
[ "$(json_get "$WORK/in.json" migsim.failure.outcome)" = "guest lost" ] || die "outcome inside"
lost=$(json_get "$WORK/in.json" migsim.failure.lost-disk-clusters)
[ "$lost" -gt 1000 ] || die "only $lost clusters lost half-way through the stream"
echo "ok: source failure at $inside: guest lost, $lost clusters"
# after it: completed anyway
after=$(python3 -c "print(int($window / 1e6) + 1000)")ms
run --fail-source-at "$after" >"$WORK/after.json" || die "a failure after the window failed the run"
[ "$(json_get "$WORK/after.json" migsim.failure.outcome)" = "completed anyway" ] || die "outcome after"
echo "ok: source failure at $after: completed anyway"
# a lost link before the cut-over: aborted, the guest stays on the source
"$MIGSIM" run idle --guest bare --ram 256MiB --disk 2GiB,allocated=0.5 --storage precopy \
	--fail-link-at 2s --no-db --quiet --json >"$WORK/link.json" && die "a lost link completed"
[ "$(json_get "$WORK/link.json" migsim.failure.outcome)" = "aborted, guest on source" ] ||
	die "outcome of a lost link: $(json_get "$WORK/link.json" migsim.failure.outcome)"
echo "ok: link lost during the mirror: aborted, guest on the source"
