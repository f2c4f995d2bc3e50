# Storage bad input: each one line, a non-zero exit, nothing recorded.
. "$E2E_LIB"
db="$WORK/m.db"
run() { "$MIGSIM" run idle --guest bare --ram 64MiB --db "$db" "$@"; }
expect_fail "16 EiB disk" "too large" -- run --disk 16777216TiB
expect_fail "disk past 2^28 clusters" "at most 2\\^28 clusters" -- run --disk 1000TiB
expect_fail "zero-size disk" "disk size must be positive" -- run --disk 0
expect_fail "unknown content class" "unknown content class 'plaid'" -- run --disk 1GiB,content=plaid
expect_fail "bad allocated fraction" "fraction from 0 to 1" -- run --disk 1GiB,allocated=1.5
expect_fail "unknown disk option" "unknown disk option 'colour'" -- run --disk 1GiB,colour=red
expect_fail "postcopy-stream without a disk" "needs a disk" -- run --storage postcopy-stream
expect_fail "precopy storage without a disk" "needs a disk" -- run --storage precopy
expect_fail "unknown storage policy" "unknown storage policy" -- run --disk 1GiB --storage nfs
expect_fail "unknown copy mode" "unknown mirror copy mode" -- run --mirror-copy-mode sync
expect_fail "fail-source-at beyond the timeout" "past the timeout" -- \
	run --disk 1GiB --storage precopy --timeout 10s --fail-source-at 11s
expect_fail "fail-link-at beyond the timeout" "past the timeout" -- \
	run --fail-link-at 601s
expect_fail "cluster size" "power of two" -- run --disk 1GiB --disk-cluster-size 3000
cat >"$WORK/diskless.lua" <<'LUA'
return {
  name = "diskless", description = "writes a disk the guest does not have",
  regions = {{name = "buf", size = 4096}},
  step = function(mem, p) mem.disk_write(1, 0, 512) return 1e6 end,
}
LUA
expect_fail "a disk the guest lacks" "no disk 1: the guest has 0 \\(--disk\\) \\($WORK/diskless\\.lua:4\\)" -- \
	"$MIGSIM" run "$WORK/diskless.lua" --guest bare --ram 64MiB --db "$db"
cat >"$WORK/pastend.lua" <<'LUA'
return {
  name = "pastend", description = "reads past its disk's end",
  regions = {{name = "buf", size = 4096}},
  step = function(mem, p) mem.disk_read(1, mem.disk_size(1), 1) return 1e6 end,
}
LUA
expect_fail "past the disk's end" "past its end" -- \
	"$MIGSIM" run "$WORK/pastend.lua" --guest bare --ram 64MiB --disk 1MiB --db "$db"
[ ! -f "$db" ] || [ "$(sql "$db" 'SELECT count(*) FROM runs')" = 0 ] || die "a refused run was recorded"
