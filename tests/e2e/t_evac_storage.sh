# Host evacuation with the VMs' own disks (--vm ...:disk=...:storage=...):
# each VM's drive-mirror shares the drained NIC with the others' migrations
# and is verified cluster by cluster on its destination; KubeVirt's
# progressTimeout reads libvirt's dataRemaining, RAM plus the disks' job, so
# a mirror copying for longer than the timeout before the RAM migration
# starts is progress, not a stall (reading the RAM's remaining alone, it
# was cancelled at 5.1 s). Before, --vm refused disk=.
. "$E2E_LIB"
db="$WORK/s.db"
metric() { sql "$db" "select value from metrics where run_id=$1 and name='$2'"; }
disk=disk=4GiB,allocated=0.5:storage=precopy

"$MIGSIM" evacuate --host a:10Gbit/s --host b:10Gbit/s --vm v1:a:1G:db_server:to=b:$disk \
	--vm v2:a:1G:db_server:to=b:$disk --drain a --db "$db" >"$WORK/two.txt" ||
	die "evacuation with disks failed: $(cat "$WORK/two.txt")"
for id in 1 2; do
	[ "$(sql "$db" "select status from runs where id=$id")" = completed ] || die "VM $id did not complete"
	[ "$(metric $id disk-verified)" = 1.0 ] || die "VM $id: destination disk not verified"
	[ "$(metric $id verified)" = 1.0 ] || die "VM $id: destination memory not verified"
done
echo "ok: two VMs with disks drained, disks verified"

"$MIGSIM" evacuate --host a:1Gbit/s --host b:1Gbit/s \
	--vm v1:a:1G:idle:to=b:guest=minimal-linux:$disk --drain a --progressTimeout 5s \
	--db "$db" >"$WORK/slow.txt"
grep -q "v1 .* completed" "$WORK/slow.txt" || die "the mirror was taken for a stall: $(cat "$WORK/slow.txt")"
python3 -c "import sys; sys.exit(0 if $(metric 3 total-time) > 15000 else 1)" ||
	die "the mirror took $(metric 3 total-time) ms, not over the 5 s progressTimeout"
echo "ok: a mirror longer than progressTimeout is progress"

"$MIGSIM" evacuate --host a:1Gbit/s --host b:1Gbit/s --vm v1:a:1G:idle:to=b:disk=bogus \
	--drain a --db "$WORK/bad.db" >"$WORK/out" 2>"$WORK/err" && die "a bad disk was accepted"
[ "$(wc -l <"$WORK/err")" = 1 ] && grep -q "^migsim: " "$WORK/err" || die "bad disk: $(cat "$WORK/err")"
[ ! -e "$WORK/bad.db" ] || die "a database was written for bad input"
echo "ok: a bad disk is one line"
