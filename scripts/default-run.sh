#!/bin/sh
# The default experiment (`make run`): the XBZRLE patch's own experiment
# (scripts/xbzrle2011.lua: the calloc write loop in a 1 GiB server guest,
# max-bandwidth 32 MiB/s, downtime-limit 30 ms, a 600 s timeout) under plain
# pre-copy, XBZRLE, auto-converge and post-copy after the first pass. It
# records the runs in results/migsim.db, prints one comparison table, and
# writes the HTML report to results/report.
set -eu
migsim=${1:-build/migsim}
here=$(dirname "$0")
db=results/migsim.db
mkdir -p results
"$migsim" sweep "$here/xbzrle2011.lua" --db "$db" --jobs 2
"$migsim" export --db "$db" --format json --experiment xbzrle2011 >results/xbzrle2011.json
python3 - results/xbzrle2011.json <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
for r in runs:
    r["policy-name"] = r["sweep"]["policy"]["name"]
order = ["precopy", "xbzrle", "auto-converge", "postcopy-after-first-pass"]
runs.sort(key=lambda r: order.index(r["policy-name"]) if r.get("policy-name") in order else 9)
print()
print("calloc loop, 1 GiB server guest, max-bandwidth 32 MiB/s, downtime-limit 30 ms, "
      "timeout 600 s, vCPU and migration thread on one host CPU")
head = ("policy", "status", "total time", "downtime", "guest pause", "sent", "guest progress")
rows = []
for r in runs:
    status = r["status"]
    total = "%.1f s" % (r["total-time"] / 1000) if r.get("total-time") is not None else "-"
    down = "%.1f ms" % r["downtime"] if status == "completed" else "-"
    pause = "%.1f ms" % r["guest-pause"] if status == "completed" else "-"
    sent = "%.2f GiB" % (r["transferred"] / 2**30)
    prog = "%.2f" % r["guest-progress"]
    rows.append((r["policy-name"], status, total, down, pause, sent, prog))
w = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
for row in [head] + rows:
    print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(row)))
for r in runs:
    if r["status"] != "completed":
        print("%s: %s" % (r["policy-name"], r["error"]))
print("downtime: QEMU's figure (the source's stop to its last write); guest pause: until the "
      "destination runs the guest; guest progress: against an unmigrated run")
PY
"$migsim" report --db "$db" --experiment xbzrle2011 -o results/report >/dev/null
echo
echo "Runs: $db (docs/schema.md); table: results/xbzrle2011.json;" \
	"report: results/report/index.html"
