#!/bin/sh
# The default experiment (`make run`): the calloc write loop published with
# QEMU's XBZRLE patch, in a 1 GiB guest migrated over 1 Gbit/s with QEMU's
# default parameters, first by stop-and-copy (the baseline) and then by
# pre-copy. Both runs are recorded in results/migsim.db.
set -eu
migsim=${1:-build/migsim}
db=results/migsim.db
mkdir -p results
for mode in stop-and-copy precopy; do
	echo "== calloc_loop, 1 GiB guest, 1 Gbit/s link, $mode =="
	"$migsim" run calloc_loop --ram 1GiB --bandwidth 1Gbit/s --mode "$mode" --db "$db"
	echo
done
echo "Results are in $db (tables runs, metrics, series; see docs/schema.md)."
