# The disks' jobs wait for their own connection's bytes, not the whole
# link's (issue 26): a post-copy guest (after 200 ms, with the preempt
# channel) whose disk streams while its RAM's pages still go on the link.
# The stream's last chunks read nothing the source allocated, so the disk
# is whole once its last read has arrived; the RAM pages written after that
# read do not hold it back. Measured: when the jobs waited for the whole
# link, the disk was whole at 3458.109 ms (risk window 3232.065 ms); on
# their own socket at 3455.058 ms (3229.013 ms), everything else the same.
. "$E2E_LIB"
"$MIGSIM" run hotcold --ram 512MiB --disk 1GiB,allocated=0.05 --storage postcopy-stream \
	--postcopy after=200ms --cap postcopy-preempt --latency 2ms --no-db --quiet --json \
	>"$WORK/r.json" || die "run failed"
j() { json_get "$WORK/r.json" "$1"; }
[ "$(j migsim.storage.verified)" = True ] || die "destination disk not verified"
python3 - "$(j migsim.storage.cutover-ns)" "$(j migsim.storage.done-ns)" \
	"$(j migsim.risk-window-disk-ns)" "$(j migsim.risk-window-ram-ns)" <<'PY' || die "figures"
import sys
cut, done, disk, ram = map(int, sys.argv[1:])
whole_link = 3458109145  # the disk's end when the stream waited for the whole link
assert cut < done, (cut, done)
assert disk == done - cut, (disk, done, cut)
assert ram > disk, ("the RAM no longer outlasts the stream: the test shows nothing", ram, disk)
assert done <= whole_link - 1000000, ("the stream's end waits for the RAM's later pages",
                                      done, whole_link)
print("ok: disk whole at %.3f ms (%.3f ms waiting for the whole link); RAM risk window %.3f ms"
      % (done / 1e6, whole_link / 1e6, ram / 1e6))
PY
