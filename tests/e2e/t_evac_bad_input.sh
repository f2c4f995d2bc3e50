# Host evacuation, bad input (issue 26): one line naming what and where, exit
# status 2, and nothing recorded (the database is not even created).
. "$E2E_LIB"
db="$WORK/m.db"
ev() { "$MIGSIM" evacuate --db "$db" "$@"; }
ab="--host a:1Gbit/s --host b:1Gbit/s"

expect_fail "VM larger than its destination's free RAM" \
	"its RAM does not fit in b's free RAM \(v2\)" -- \
	ev --host a:1Gbit/s --host b:1Gbit/s:ram=3G --vm v1:a:2G:idle:to=b --vm v2:a:2G:idle:to=b \
	--drain a
expect_fail "placed: no host has room" "does not fit in b's free RAM" -- \
	ev --host a:1Gbit/s --host b:1Gbit/s:ram=1G --vm v1:a:2G:idle --drain a
expect_fail "link to an unknown host" "unknown host c \(--link a-c:100Mbit/s\)" -- \
	ev $ab --link a-c:100Mbit/s --vm v1:a:1G:idle:to=b --drain a
expect_fail "VM on an unknown host" "unknown host x" -- ev $ab --vm v1:x:1G:idle --drain a
expect_fail "zero parallelism per cluster" "must be at least 1 .*\(--parallelMigrationsPerCluster 0\)" -- \
	ev $ab --vm v1:a:1G:idle:to=b --drain a --parallelMigrationsPerCluster 0
expect_fail "zero parallelism per node" "must be at least 1 .*\(--parallelOutboundMigrationsPerNode 0\)" -- \
	ev $ab --vm v1:a:1G:idle:to=b --drain a --parallelOutboundMigrationsPerNode 0
expect_fail "cyclic evacuation" "cyclic evacuation: its destination b is being drained \(v1\)" -- \
	ev $ab --vm v1:a:1G:idle:to=b --vm v2:b:1G:idle:to=a --drain a --drain b
expect_fail "nothing to drain" "no VM is on a host being drained" -- \
	ev $ab --vm v1:a:1G:idle:to=b --drain b
expect_fail "a bad rate" "" -- ev --host a:fast --host b:1Gbit/s --vm v1:a:1G:idle --drain a
expect_fail "an unknown VM setting" "unknown VM setting colour" -- \
	ev $ab --vm v1:a:1G:idle:colour=red --drain a
expect_fail "an unknown order" "unknown order" -- \
	ev $ab --vm v1:a:1G:idle --drain a --order random
expect_fail "an unknown option" "unknown option \(--bogus 1\)" -- \
	ev $ab --vm v1:a:1G:idle --drain a --bogus 1
[ ! -e "$db" ] || die "bad input created the database"
echo "ok: nothing recorded"
