# `migsim workloads` lists every bundled script with its description.
. "$E2E_LIB"
"$MIGSIM" workloads >"$WORK/list" || die "migsim workloads failed"
cat "$WORK/list"
# Every script there, as its file is named (video_stream was missing from a
# hand-written list here).
for f in "$WL"/*.lua; do
	w=$(basename "$f" .lua)
	grep -q "^$w " "$WORK/list" || die "workload $w is not listed"
done
[ "$(wc -l <"$WORK/list")" -eq "$(ls "$WL"/*.lua | wc -l)" ] || die "the list has other lines"
