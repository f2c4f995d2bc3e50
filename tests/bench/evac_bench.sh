#!/bin/sh
# evac_bench — issue 26's figure: the simulator's speed on a 16-VM
# evacuation, every migration the whole single-VM model on one clock.
#
#   sh tests/bench/evac_bench.sh [MIGSIM]
#
# Host a (10 Gbit/s) is drained of 16 VMs of 1 GiB, each with the default
# server guest (70 % of RAM in use, 4 MB/s of background writes) and one of
# four workloads (idle, hotcold, sparse_update, page_rewrite in turn), onto
# b and c, under KubeVirt's defaults (5 at once, 2 outbound per node, no
# bandwidth limit). Prints the evacuation's table, then the wall time, CPU
# time and peak RSS of the process (GNU time), and the load average, which
# says how much the neighbours took. Always exits 0 unless the run fails.
set -eu
migsim=${1:-build/migsim}
work=$(mktemp -d "${TMPDIR:-/tmp}/evac-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

set -- --host a:10Gbit/s --host b:10Gbit/s:ram=32G --host c:10Gbit/s:ram=32G --drain a --no-db
i=0
for w in idle hotcold sparse_update page_rewrite idle hotcold sparse_update page_rewrite \
	idle hotcold sparse_update page_rewrite idle hotcold sparse_update page_rewrite; do
	i=$((i + 1))
	case $w in
	sparse_update) extra=:wl.data_set=256MiB ;;
	page_rewrite) extra=:wl.working_set=64MiB:wl.pages_per_second=5000 ;;
	*) extra= ;;
	esac
	set -- "$@" --vm "vm$i:a:1G:$w$extra"
done
echo "load average before: $(cut -d' ' -f1 /proc/loadavg)"
rc=0
/usr/bin/time -f 'wall %e s, cpu %U s user + %S s system, peak RSS %M KiB' -o "$work/time" \
	"$migsim" evacuate "$@" || rc=$?
cat "$work/time"
echo "load average after: $(cut -d' ' -f1 /proc/loadavg) ($(nproc) CPUs)"
[ "$rc" -le 3 ] || exit "$rc" # 3: a migration failed, still a figure
