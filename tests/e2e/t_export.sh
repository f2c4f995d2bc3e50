# migsim export: 3 stored runs give 3 CSV rows (RFC 4180, read back by
# python's csv module) and 3 JSON objects with the same columns; --series
# gives the samples; --experiment selects; bad input fails with one line.
. "$E2E_LIB"
db="$WORK/e.db"
"$MIGSIM" run idle --ram 64MiB --seed 1 --db "$db" >/dev/null
"$MIGSIM" run idle --ram 64MiB --seed 2 --db "$db" >/dev/null
"$MIGSIM" run idle --ram 64MiB --seed 3 --cap xbzrle --db "$db" >/dev/null
"$MIGSIM" export --db "$db" --format csv >"$WORK/runs.csv"
"$MIGSIM" export --db "$db" --format json >"$WORK/runs.json"
python3 - "$WORK/runs.csv" "$WORK/runs.json" "$db" <<'PY'
import csv, json, sqlite3, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
objs = json.load(open(sys.argv[2]))
assert len(rows) == 3 and len(objs) == 3, (len(rows), len(objs))
cols = list(rows[0].keys())
for c in ["id", "workload", "policy", "seed", "status", "ram-bytes", "xbzrle-cache-size",
          "total-time", "downtime", "transferred", "guest-progress"]:
    assert c in cols, c
names = [r[0] for r in sqlite3.connect(sys.argv[3]).execute(
    "SELECT DISTINCT name FROM metrics ORDER BY name")]
assert cols[-len(names):] == names, "metrics are the last columns, sorted"
assert [r["seed"] for r in rows] == ["1", "2", "3"]
assert [r["policy"] for r in rows] == ["precopy", "precopy", "precopy+xbzrle"]
assert rows[2]["capabilities"] == '["xbzrle"]'
assert list(objs[0].keys()) == cols, "json keys = csv header"
for r, o in zip(rows, objs):
    assert float(r["total-time"]) == o["total-time"]
    assert r["workload"] == o["workload"] == "idle"
assert objs[2]["capabilities"] == ["xbzrle"] and objs[0]["experiment"] is None
assert open(sys.argv[1], "rb").read().count(b"\r\n") == 4, "CRLF line ends"
PY
echo "ok: runs as csv and json"

"$MIGSIM" export --db "$db" --format csv --series >"$WORK/series.csv"
"$MIGSIM" export --db "$db" --format json --series >"$WORK/series.json"
python3 - "$WORK/series.csv" "$WORK/series.json" "$db" <<'PY'
import csv, json, sqlite3, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
n = sqlite3.connect(sys.argv[3]).execute("SELECT count(*) FROM series").fetchone()[0]
assert len(rows) == n > 0 and len(json.load(open(sys.argv[2]))) == n
for c in ["run-id", "seed", "t_ns", "remaining", "transferred", "mbps", "guest_rate", "throttle_pct"]:
    assert c in rows[0], c
PY
echo "ok: series"

# A field with a comma and quotes is quoted (an experiment name here).
python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE runs SET experiment=? WHERE id=1", ("a, \"b\"",)); c.commit()' "$db"
"$MIGSIM" export --db "$db" --format csv --experiment 'a, "b"' >"$WORK/one.csv"
python3 -c 'import csv,sys
r=list(csv.DictReader(open(sys.argv[1],newline="")))
assert len(r)==1 and r[0]["experiment"]=="a, \"b\"", r' "$WORK/one.csv"
grep -q '"a, ""b"""' "$WORK/one.csv" || die "RFC 4180 quoting"
echo "ok: quoting and --experiment"

expect_fail "no format" "format" -- "$MIGSIM" export --db "$db"
expect_fail "bad format" "xml" -- "$MIGSIM" export --db "$db" --format xml
expect_fail "missing db" "nope.db" -- "$MIGSIM" export --db "$WORK/nope.db" --format csv
[ ! -e "$WORK/nope.db" ] || die "export created a database"
