# migsim report's "which policy wins" table: post-copy runs first (so a
# ranking in order of first run would put it first), pre-copy second; with 4
# seeds each, pre-copy's shorter downtime wins, its margin is the difference
# of the medians and Mann-Whitney (the test of `compare`) says it holds; the
# equal total times are a tie (in order of first run); with 2 seeds the test
# cannot tell.
. "$E2E_LIB"
db="$WORK/r.db"
for p in "--postcopy after-first-pass" ""; do
	for s in 1 2 3 4; do
		"$MIGSIM" run --guest bare calloc_loop --ram 64MiB $p --seed $s --db "$db" >/dev/null 2>&1
	done
done
"$MIGSIM" report --db "$db" -o "$WORK/rep" >/dev/null
md="$WORK/rep/summary.md"
grep -q "^### Which policy wins" "$md" || die "no ranking table"
row() { grep "^| $1 |" "$md" | head -1; }
row downtime | grep -q "| 1\. precopy 129\.2 ms, 2\. postcopy@after-first-pass 162\.9 ms | precopy | 33\.71 ms (20\.7%) | yes (p = 0\.0131) |" ||
row total-time | grep -q "1\. postcopy@after-first-pass 194\.7 ms, 1\. precopy 194\.7 ms | tie |" ||
row total-time | grep -q "1\. precopy 194\.7 ms, 1\. postcopy@after-first-pass 194\.7 ms | tie |" ||
	die "total-time row: $(row total-time)"
row guest-progress | grep -q "| guest-progress | 1\. " || die "guest-progress row: $(row guest-progress)"
grep -q "<h3>Which policy wins</h3>" "$WORK/rep/index.html" || die "no ranking table in index.html"
# The ranking stands before the table of medians.
awk '/Which policy wins/ { r = NR } /^\| policy \|/ { t = NR } END { exit !(r && t && r < t) }' "$md" ||
	die "the ranking is not at the top of the section"
echo "ok: ranking, margin, verdict"

# Seeds 3 and 4 gone: 2 runs a side, too few for any p-value under 0.05.
python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA foreign_keys=ON")
c.execute("DELETE FROM runs WHERE seed > 2"); c.commit()' "$db"
"$MIGSIM" report --db "$db" -o "$WORK/rep2" >/dev/null
grep "^| downtime |" "$WORK/rep2/summary.md" | grep -q "cannot tell: under 4 seeds" ||
	die "2 seeds: $(grep '^| downtime |' "$WORK/rep2/summary.md")"
echo "ok: too few seeds"
