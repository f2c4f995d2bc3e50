# Host evacuation, bottlenecks past the source's NIC (issue 26: "share a
# host's NIC and the path"): a slower path or destination NIC holds a
# migration to its rate in every phase, the stop-and-copy included, as a
# slower source NIC would; migrations that cross it share it (max-min fair
# shares, sim/evac.c reshare), from one source or from several into one
# destination. Before, each migration was capped at the path's whole rate
# by max-bandwidth alone: two behind one 1 Gbit/s path took no longer than
# one, and the stop-and-copy ran at the NIC's 10 Gbit/s.
. "$E2E_LIB"
db="$WORK/p.db"
vm=512M:idle:to=b:guest=minimal-linux:seed=1
metric() { sql "$db" "select value from metrics where run_id=$1 and name='$2'"; }
near() { python3 -c "import sys; sys.exit(0 if abs($1 - $2) <= 1e-3 * $2 else 1)"; }
ratio() { python3 -c "import sys; r=$1/$2; sys.exit(0 if $3 < r < $4 else 1)"; }

# 1: one VM behind a 1 Gbit/s path between 10 Gbit/s NICs migrates as one
# whose source NIC is 1 Gbit/s: the same total time and downtime.
"$MIGSIM" evacuate --host a:1Gbit/s --host b:10Gbit/s --vm v1:a:$vm --drain a --db "$db" >/dev/null
"$MIGSIM" evacuate --host a:10Gbit/s --host b:10Gbit/s --link a-b:1Gbit/s --vm v1:a:$vm \
	--drain a --db "$db" >/dev/null
for m in total-time downtime; do
	near "$(metric 2 $m)" "$(metric 1 $m)" ||
		die "$m behind the path: $(metric 2 $m) ms, on a 1 Gbit/s NIC: $(metric 1 $m) ms"
done
echo "ok: a slower path paces every phase (downtime $(metric 2 downtime) ms)"

# 2: two VMs behind that path share it: each about twice as long as alone.
"$MIGSIM" evacuate --host a:10Gbit/s --host b:10Gbit/s --link a-b:1Gbit/s --vm v1:a:$vm \
	--vm v2:a:$vm --drain a --db "$db" >/dev/null
alone=$(metric 2 total-time)
for id in 3 4; do
	ratio "$(metric $id total-time)" "$alone" 1.8 2.3 ||
		die "VM $id behind the shared path took $(metric $id total-time) ms, $alone alone"
	[ "$(metric $id verified)" = 1.0 ] || die "VM $id: destination memory not verified"
done
echo "ok: two VMs share the path"

# 3: two hosts drained into one whose NIC is 1 Gbit/s: they share its NIC.
"$MIGSIM" evacuate --host a:10Gbit/s --host c:10Gbit/s --host b:1Gbit/s --vm v1:a:$vm \
	--vm v2:c:$vm --drain a --drain c --db "$db" >/dev/null
for id in 5 6; do
	ratio "$(metric $id total-time)" "$alone" 1.8 2.3 ||
		die "VM $id into the shared NIC took $(metric $id total-time) ms, $alone alone"
done
echo "ok: two sources share the destination's NIC"

# 4: a flow held below its share elsewhere leaves the rest to the others
# (max-min): v1 and v2 leave a for b behind a 1 Gbit/s path, v3 leaves a
# for c: a's 2 Gbit/s NIC gives v3 the 1 Gbit/s v1 and v2 cannot use, so
# v3 takes about as long as alone on a 1 Gbit/s NIC, not the 0.67 Gbit/s
# of a three-way split.
"$MIGSIM" evacuate --host a:2Gbit/s --host b:10Gbit/s --host c:10Gbit/s --link a-b:1Gbit/s \
	--vm v1:a:$vm --vm v2:a:$vm --vm v3:a:512M:idle:to=c:guest=minimal-linux:seed=1 \
	--drain a --parallelOutboundMigrationsPerNode 3 --db "$db" >/dev/null
ratio "$(metric 9 total-time)" "$alone" 0.9 1.2 ||
	die "v3 took $(metric 9 total-time) ms beside two paced migrations, $alone alone"
for id in 7 8; do
	ratio "$(metric $id total-time)" "$alone" 1.8 2.3 ||
		die "VM $id behind the shared path took $(metric $id total-time) ms, $alone alone"
done
echo "ok: max-min shares"
