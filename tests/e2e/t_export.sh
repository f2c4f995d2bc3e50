# migsim export: 3 stored runs give 3 CSV rows (RFC 4180, read back by
# python's csv module) and 3 JSON objects with the same columns; --series
# gives the samples; --experiment selects; bad input fails with one line.
. "$E2E_LIB"
db="$WORK/e.db"
"$MIGSIM" run --guest bare idle --ram 64MiB --seed 1 --db "$db" >/dev/null
"$MIGSIM" run --guest bare idle --ram 64MiB --seed 2 --db "$db" >/dev/null
"$MIGSIM" run --guest bare idle --ram 64MiB --seed 3 --cap xbzrle --db "$db" >/dev/null
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

# Numbers are exact: a whole number is written in digits (1e+08 was how a
# byte count of 10^8 came out), any other with the digits that read back
# as the stored double. A run at 1 Gbit/s sends byte counts of that size.
"$MIGSIM" run --guest bare page_rewrite --ram 256MiB --wl-param working_set=128MiB --db "$db" >/dev/null || true
"$MIGSIM" export --db "$db" --format csv >"$WORK/runs.csv"
"$MIGSIM" export --db "$db" --format json >"$WORK/runs.json"
"$MIGSIM" export --db "$db" --format csv --series >"$WORK/series.csv"
python3 - "$WORK/runs.csv" "$WORK/runs.json" "$WORK/series.csv" "$db" <<'PY'
import csv, json, re, sqlite3, sys
db = sqlite3.connect(sys.argv[4])
def exact(text, v, what):
    if v is None:
        return
    if float(v) == int(v) and abs(v) < 2**63:
        assert re.fullmatch(r"-?[0-9]+", text), f"{what}: {text!r} for the whole number {v!r}"
    assert float(text) == v, f"{what}: {text!r} reads back as {float(text)!r}, not {v!r}"
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
objs = json.load(open(sys.argv[2]))
seen_big = False
for r in rows:
    for name, v in db.execute("SELECT name, value FROM metrics WHERE run_id = ?", (int(r["id"]),)):
        exact(r[name], v, f"run {r['id']} {name}")
        seen_big |= v is not None and v >= 1e8 and v == int(v)
assert seen_big, "no metric of 1e8 or more: the test checks nothing"
text = open(sys.argv[2]).read()
assert not re.search(r'": -?[0-9]+(\.0+)?e\+', text), "a whole number in exponent form in the JSON"
series = list(csv.DictReader(open(sys.argv[3], newline="")))
cols = ["t_ns", "remaining", "transferred", "dirty_sync_count", "guest_steps"]
want = db.execute("SELECT run_id, t_ns, " + ", ".join(cols[1:]) + " FROM series ORDER BY run_id, t_ns").fetchall()
got = sorted((int(r["run-id"]), *[r[c] for c in cols]) for r in series)
assert len(got) == len(want)
for g, w in zip(sorted(got, key=lambda x: (x[0], int(x[1]))), want):
    for text, v, c in zip(g[1:], w[1:], cols):
        exact(text, v, f"series {c}")
PY
echo "ok: numbers exact, whole numbers in digits"

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
