# `migsim workloads` lists every bundled script with its description.
. "$E2E_LIB"
"$MIGSIM" workloads >"$WORK/list" || die "migsim workloads failed"
cat "$WORK/list"
for w in calloc_loop idle page_rewrite sparse_update hotcold working_set; do
	grep -q "^$w " "$WORK/list" || die "workload $w is not listed"
done
