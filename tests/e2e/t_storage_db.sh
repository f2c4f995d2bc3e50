# db_server writing its disk faster than the link can copy it (4000 random
# 8 KiB writes a second dirty 4000 64 KiB clusters: 262 MB/s against
# 125 MB/s). A background mirror never gets ready: the run fails at the
# timeout, saying why; the RAM migration never started. write-blocking
# (QEMU's active mirror) converges, every write waiting for the destination,
# and the guest's progress shows what that cost it.
. "$E2E_LIB"
run() {
	"$MIGSIM" run db_server --guest bare --ram 256MiB --disk 1GiB,allocated=0.5 \
		--storage precopy --wl-param writes_per_second=4000 --timeout 20s --no-db --quiet \
		--json "$@"
}
run >"$WORK/bg.json" && die "a background mirror outran by the guest completed"
j() { json_get "$WORK/$1.json" "$2"; }
j bg error-desc | grep -q "disk mirror never became ready" || die "reason: $(j bg error-desc)"
[ "$(j bg block-jobs.0.ready)" = False ] || die "mirror ready"
[ "$(j bg migsim.storage.ready-ns)" -eq -1 ] || die "ready-ns"
[ "$(j bg ram.transferred)" -eq 0 ] || die "RAM sent while the mirror was not ready"
echo "ok: background: $(j bg error-desc | cut -c1-120)..."
run --mirror-copy-mode write-blocking >"$WORK/wb.json" || die "write-blocking did not converge"
[ "$(j wb migsim.storage.verified)" = True ] || die "write-blocking: not verified"
python3 - "$(j wb migsim.guest-progress)" "$(j wb migsim.storage.blocked-writes)" \
	"$(j wb migsim.storage.io-stall-ns)" <<'PY' || die "write-blocking figures"
import sys
progress, blocked, stall = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
assert blocked > 1000, blocked
assert stall > 1e9, stall
assert progress < 0.5, ("the guest was not slowed", progress)
print("ok: write-blocking: %d writes waited %.2f s in all, guest progress %.3f"
      % (blocked, stall / 1e9, progress))
PY
