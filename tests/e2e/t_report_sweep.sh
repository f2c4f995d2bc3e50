# migsim report on a sweep of two settings (link bandwidth x RAM, two
# policies named by the experiment): each sweep chart is small multiples,
# one panel per RAM size titled by it, bandwidth on the x axis in Gbit/s,
# one line per policy in each panel in the policy's colour, named in the
# legend once by the experiment's name (runs.policy_name), the panels on
# one shared y scale that puts every point at its median; the page says
# which setting is where. A third varying setting (latency) is held: one
# set of charts per value, said in the page; with more values than the
# limit of sets, the page says how many were left out. Every SVG parses as
# XML and (with chromium) the page loads every chart.
. "$E2E_LIB"
cat >"$WORK/two.lua" <<'EOF'
return {
	name = "two",
	workloads = { "idle" },
	policies = { { name = "plain" }, { name = "xb", caps = { "xbzrle" } } },
	guest = "bare",
	ram = { "16MiB", "32MiB" },
	bandwidth = { "1Gbit/s", "2.5Gbit/s", "10Gbit/s" },
	params = { ["max-bandwidth"] = "0" },
	seeds = 1,
}
EOF
"$MIGSIM" sweep "$WORK/two.lua" --db "$WORK/two.db" --quiet >/dev/null
"$MIGSIM" report --db "$WORK/two.db" -o "$WORK/two" >/dev/null
python3 - "$WORK/two" "$WORK/two.db" <<'PY'
import json, os, re, sqlite3, sys, xml.etree.ElementTree
d, dbpath = sys.argv[1], sys.argv[2]
db = sqlite3.connect(dbpath)
med = {}  # (policy name, ram, bandwidth Gbit/s) -> total time (one seed: the median)
for name, cfg, v in db.execute("SELECT r.policy_name, r.config, m.value FROM runs r JOIN metrics m"
                               " ON m.run_id = r.id AND m.name = 'total-time'"):
    c = json.loads(cfg)
    med[(name, c["ram-bytes"], c["bandwidth-bytes-per-s"] * 8 / 1e9)] = v
assert sorted({k[0] for k in med}) == ["plain", "xb"], med
cols = {"plain": "#0072b2", "xb": "#d55e00"}
for metric in ("total-time", "downtime", "transferred"):
    svg = open(os.path.join(d, "wl1-sweep-%s.svg" % metric), "rb").read()
    xml.etree.ElementTree.fromstring(svg)
    svg = svg.decode()
    texts = re.findall(r'<text transform="translate\(([\d.]+),([\d.]+)\)[^>]*>([^<]*)</text>', svg)
    titles = [(float(x), t) for x, y, t in texts if t.startswith("ram-bytes ")]
    # One panel per RAM size, in order of size, left to right.
    assert [t for x, t in sorted(titles)] == ["ram-bytes 16MiB", "ram-bytes 32MiB"], titles
    assert any(t == "bandwidth (Gbit/s)" for x, y, t in texts), metric
    # The legend names each policy once, by its name in the experiment.
    for p in cols:
        assert sum(t == p for x, y, t in texts) == 1, (metric, p)
    if metric != "total-time":
        continue
    # A line per policy in each panel, in its colour, through the medians:
    # pixel height = a + b * value with one a and b for every panel (the
    # y scale is shared), x increasing with the bandwidth.
    pts = []
    for p, col in cols.items():
        lines = re.findall(r'<polyline points="([^"]*)" stroke="%s" stroke-width="2"' % col, svg)
        lines = [[tuple(map(float, q.split(","))) for q in l.split()] for l in lines]
        lines = sorted(l for l in lines if len(l) == 3)
        assert len(lines) == 2, (p, lines)
        assert lines[0][-1][0] < lines[1][0][0], "panels overlap"
        for ram, l in zip((16 << 20, 32 << 20), lines):
            for bw, (x, y) in zip((1, 2.5, 10), l):
                pts.append((med[(p, ram, bw)], y))
            assert l[0][0] < l[1][0] < l[2][0], l
    (v0, y0), (v1, y1) = min(pts), max(pts)
    b = (y1 - y0) / (v1 - v0)
    for v, y in pts:
        assert abs(y0 + b * (v - v0) - y) < 0.5, ("not on the shared scale", v, y)
html = open(os.path.join(d, "index.html")).read()
assert "one panel per value of ram-bytes (2 values, all drawn)" in html, "no note"
assert 'height="500"' in html
PY
echo "ok: two settings: panels, unit, shared scale, policy names"

# A third setting varies: it is held, one set of sweep charts per value.
sed 's/seeds = 1,/seeds = 1, latency = { "100us", "1ms" },/; s/"two"/"three"/' "$WORK/two.lua" >"$WORK/three.lua"
"$MIGSIM" sweep "$WORK/three.lua" --db "$WORK/three.db" --quiet >/dev/null
"$MIGSIM" report --db "$WORK/three.db" -o "$WORK/three" >/dev/null
grep -q "A third setting varies: ram-bytes. Each sweep chart holds it at one value, one set of charts per value (2, all drawn)." "$WORK/three/index.html" ||
	die "no note of the third setting: $(grep -o '<p class="note">[^<]*' "$WORK/three/index.html")"
for h in 1 2; do
	for m in total-time downtime transferred; do
		[ -s "$WORK/three/wl1-h$h-sweep-$m.svg" ] || die "missing wl1-h$h-sweep-$m"
	done
done
[ ! -e "$WORK/three/wl1-sweep-total-time.svg" ] || die "a chart mixing the held values"
grep -q ">Total migration time against bandwidth: idle, ram-bytes 32MiB<" "$WORK/three/wl1-h2-sweep-total-time.svg" ||
	die "set 2 not titled by its held value"
grep -q ">latency-ns 1ms<" "$WORK/three/wl1-h2-sweep-total-time.svg" || die "no latency panel"
echo "ok: a third setting is held, said in the page"

# More combinations of the held settings than the limit of 4 sets: the
# page says how many are not drawn. (Runs made from the sweep's by
# rundb.py: bandwidth and latency 3 values each, RAM 2 and timeout 3.)
cp "$WORK/two.db" "$WORK/tmpl.db"
python3 -c 'import json, sys
g = []
for ram in (1, 2):
    for t in (1, 2, 3):
        for lat in (100000, 200000, 300000):
            for bw in (125000000, 312500000, 1250000000):
                g.append({"config": {"ram-bytes": ram << 24, "timeout-ns": t * 10**9, "latency-ns": lat,
                                     "bandwidth-bytes-per-s": bw},
                          "metrics": {"total-time": [ram + bw / 1e9], "downtime": [1], "transferred": [1]}})
json.dump(g, open(sys.argv[1], "w"))' "$WORK/spec.json"
python3 "$ROOT/tests/e2e/rundb.py" "$WORK/tmpl.db" "$WORK/many.db" "$WORK/spec.json"
"$MIGSIM" report --db "$WORK/many.db" -o "$WORK/many" >/dev/null
grep -q "More settings vary: ram-bytes, timeout-ns. Each sweep chart holds them at one value, one set of charts per combination (6: the first 4 are drawn, the other 2 are not (they are in the tables above))." "$WORK/many/index.html" ||
	die "no note past the limit: $(grep -o '<p class="note">[^<]*' "$WORK/many/index.html")"
[ -s "$WORK/many/wl1-h4-sweep-total-time.svg" ] && [ ! -e "$WORK/many/wl1-h5-sweep-total-time.svg" ] ||
	die "not 4 sets"
echo "ok: past the limit, said in the page"

python3 - "$WORK" <<'PY'
import os, sys, xml.etree.ElementTree
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        if f.endswith(".svg"):
            xml.etree.ElementTree.fromstring(open(os.path.join(root, f), "rb").read())
PY
echo "ok: every SVG parses"
have_chromium || exit 0
n=$(grep -o '<img ' "$WORK/two/index.html" | wc -l)
browser_load "$WORK/two/index.html" "$WORK/two.png" "$n"
