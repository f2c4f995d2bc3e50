# `make run` (scripts/default-run.sh): the XBZRLE patch's experiment in a
# 1 GiB server guest, one host CPU for the vCPU and the migration thread.
# It shows the published contrast: XBZRLE completes; plain pre-copy either
# never converges or (here, as the loop's bytes wrap to zero every 256
# passes and a descheduled guest leaves them zero for a pass over them)
# only after many times XBZRLE's time and bytes. The table names each policy.
# e2e: slow
. "$E2E_LIB"
cd "$WORK"
sh "$ROOT/scripts/default-run.sh" "$MIGSIM" >"$WORK/out" 2>"$WORK/err" || {
	cat "$WORK/err" >&2
	die "make run failed"
}
for p in precopy xbzrle auto-converge postcopy-after-first-pass; do
	grep -q "^$p " "$WORK/out" || die "no row for $p"
done
[ -s results/report/index.html ] || die "no report"
python3 - results/xbzrle2011.json <<'PY'
import json, sys
runs = {r["sweep"]["policy"]["name"]: r for r in json.load(open(sys.argv[1]))}
x, plain = runs["xbzrle"], runs["precopy"]
assert x["status"] == "completed", x["error"]
assert plain["status"] == "failed" or (
    plain["total-time"] > 5 * x["total-time"] and plain["transferred"] > 5 * x["transferred"]), \
    ("plain pre-copy kept up with XBZRLE", plain["total-time"], x["total-time"])
print("xbzrle %.1f s, %.2f GiB; plain %s after %.1f s, %.2f GiB" % (
    x["total-time"] / 1e3, x["transferred"] / 2**30, plain["status"], plain["total-time"] / 1e3,
    plain["transferred"] / 2**30))
PY
