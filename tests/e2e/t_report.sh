# migsim report on 3 policies x 2 seeds of one workload and 2 seeds of a
# second stored by `migsim run`: every expected file is written, PNGs are
# valid images of the declared size, every SVG is UTF-8 that parses as XML
# (the idle runs put "µs" on an axis), index.html references only files that
# exist, every run has its page of timelines (linked from the index; the
# idle runs, shorter than the sample interval, drawn from their passes), the
# overlaid time series have one line per policy in its colour, the per-pass
# charts a bar per policy and pass with the bytes sent and pages dirtied, and (when
# Debian's chromium is installed) a headless browser loads every chart of
# the index and a run's page without a broken image or a console message,
# and saves a screenshot of the index as build/report-screenshot.png.
. "$E2E_LIB"
db="$WORK/r.db"
for p in "" "--cap xbzrle" "--postcopy after-first-pass"; do
	for s in 1 2; do
		"$MIGSIM" run --guest bare calloc_loop --ram 128MiB $p --seed $s --db "$db" >/dev/null
	done
done
# A second workload whose downtime is in microseconds: "µs" in the SVGs.
for s in 1 2; do
	"$MIGSIM" run --guest bare idle --ram 16MiB --bandwidth 10Gbit/s --seed $s --db "$db" >/dev/null
done
out="$WORK/report"
"$MIGSIM" report --db "$db" -o "$out" >"$WORK/stdout"
grep -q "report: .* charts" "$WORK/stdout" || die "no summary line"
for f in index.html summary.md wl1-downtime wl1-total-time wl1-transferred \
	wl1-series-transferred wl1-series-remaining wl1-series-throughput wl1-series-dirty-rate \
	runs/run1-transfer runs/run1-guest runs/run6-transfer runs/run6-guest runs/run8.html; do
	case $f in
	*.*) [ -s "$out/$f" ] || die "missing $f" ;;
	*) [ -s "$out/$f.svg" ] && [ -s "$out/$f.png" ] || die "missing $f.svg/.png" ;;
	esac
done
python3 - "$out" <<'PY'
import html.parser, os, re, struct, sys, xml.etree.ElementTree
d = sys.argv[1]
pngs = []
for root, _, files in os.walk(d):
    pngs += [os.path.join(root, f) for f in files if f.endswith(".png")]
# Per workload: 3 bar charts, 4 overlaid series (no run throttled, so no
# throttle chart) and 2 per-pass charts; per run: 2 timelines.
assert len(pngs) == 2 * (3 + 4 + 2) + 8 * 2, len(pngs)
for p in pngs:
    b = open(p, "rb").read(24)
    assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR", p
    w, h = struct.unpack(">II", b[16:24])
    assert (w, h) == (800, 500), (p, w, h)
    svg = p[:-4] + ".svg"
    # What a browser needs to show it: UTF-8 bytes that parse as XML.
    raw = open(svg, "rb").read()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as x:
        raise AssertionError("%s: not UTF-8: %s" % (svg, x))
    root = xml.etree.ElementTree.fromstring(raw)
    assert root.tag == "{http://www.w3.org/2000/svg}svg", (svg, root.tag)
class Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.imgs = [], 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.imgs += 1
        for k in ("src", "href"):
            if k in a:
                self.refs.append(a[k].split("#")[0])
def refs(page):
    p = Refs()
    p.feed(open(os.path.join(d, page)).read())
    for r in p.refs:
        assert "://" not in r and not r.startswith("/"), "not a relative local file: " + r
        f = os.path.normpath(os.path.join(d, os.path.dirname(page), r))
        assert os.path.isfile(f), page + ": missing " + r
    return p
index = refs("index.html")
assert index.imgs == 2 * (3 + 4 + 2), index.imgs
# Every run, not only the first ones, has its page, linked from the index.
for i in range(1, 9):
    assert "runs/run%d.html" % i in index.refs, i
    assert refs("runs/run%d.html" % i).imgs == 2, i
# The idle runs end within the 100 ms sample interval: one sample each, yet
# their timelines have lines, from their passes.
for i in (7, 8):
    svg = open(os.path.join(d, "runs/run%d-transfer.svg" % i)).read()
    pts = re.findall(r'<polyline points="([^"]*)" stroke="#0072b2"', svg)
    assert pts and len(set(pts[0].split())) >= 2, (i, pts)
    assert "drawn from its passes" in open(os.path.join(d, "runs/run%d.html" % i)).read()
# One colour per policy, the same in every chart, named in a legend: the
# bars of wl1 take the palette's first three colours in the order the
# policies were first run, wl2's only policy (precopy) the first again.
def fills(name):
    svg = open(os.path.join(d, name + ".svg")).read()
    return set(re.findall(r'fill="(#[0-9a-f]{6})"', svg)) - {"#ffffff"}, svg
for name in ("wl1-downtime", "wl1-total-time", "wl1-transferred"):
    f, svg = fills(name)
    assert f == {"#0072b2", "#d55e00", "#009e73"}, (name, f)
    for p in (">precopy<", ">xbzrle<", ">postcopy@after-first-pass<"):
        assert p in svg, (name, p)
# The overlaid series: a line per policy in the policy's colour (a data line
# and its legend entry, both 2 units wide), each run's switch-over marked
# and labelled in its colour.
for q in ("transferred", "remaining", "throughput", "dirty-rate"):
    svg = open(os.path.join(d, "wl1-series-%s.svg" % q)).read()
    for col in ("#0072b2", "#d55e00", "#009e73"):
        n = len(re.findall(r'stroke="%s" stroke-width="2"' % col, svg))
        assert n >= 2, (q, col, n)
        assert re.search(r'fill="%s" >switch-over<' % col, svg), (q, col)
# Per pass, a bar per policy in its colour, through its median-seed run
# (here every seed of a policy runs alike): bytes sent in each pass (the
# calloc loop's first pass sends mostly zero pages: fewer bytes than the
# second), and pages dirtied during each pass but the last, read off the
# y axis's ticks: the pages pending at pass 2 beyond those pass 1 left.
import json, sqlite3
db = sqlite3.connect(os.path.join(os.path.dirname(d), "r.db"))
passes = {pol: json.loads(res)["migsim"]["passes"] for pol, res in
          db.execute("select policy, result from runs where workload = 'calloc_loop'")}
def bars(name):
    svg = open(os.path.join(d, name + ".svg")).read()
    out = {}
    for x, h, col in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="([\d.]+)" '
                                r'stroke="(#[0-9a-f]{6})"[^>]*fill="\3"', svg):
        if float(x) < 600:  # not the legend's swatches
            out.setdefault(col, []).append(float(h))
    ticks = [(float(v) * {"": 1, "k": 1e3, "M": 1e6}[k], float(y)) for y, v, k in
             re.findall(r'translate\([\d.]+,([\d.]+)\) scale\(1,-1\) scale\(0.55\) "[^>]*>([\d.]+)(k|M|)<', svg)]
    return out, svg, ticks
cols = {"precopy": "#0072b2", "precopy+xbzrle": "#d55e00",
        "precopy+postcopy-ram@after-first-pass": "#009e73"}
b, svg, _ = bars("wl1-pass-bytes")
for pol, col in cols.items():
    want = [p["bytes"] for p in passes[pol]]
    assert len(b[col]) == len(want) == 2, (pol, b)
    assert abs(b[col][0] / b[col][1] - want[0] / want[1]) < 0.01, (pol, b[col], want)
    assert ">%s<" % pol.replace("precopy+", "").replace("postcopy-ram@", "postcopy@") in svg
b, svg, ticks = bars("wl1-pass-dirtied")
y = sorted(t for t in ticks if t[1] > 40)  # the y axis's labels (value, height)
scale = (y[-1][1] - y[0][1]) / (y[-1][0] - y[0][0])
for pol, col in cols.items():
    ps = passes[pol]
    want = ps[1]["dirty-pages"] - (ps[0]["dirty-pages"] - ps[0]["pages"])
    assert len(b[col]) == 1, (pol, b)  # none for the last pass
    assert abs(b[col][0] / scale - want) < 0.01 * want, (pol, b[col][0] / scale, want)
f, svg = fills("wl2-downtime")
assert f == {"#0072b2"} and ">precopy<" in svg, f
md = open(os.path.join(d, "summary.md")).read()
assert "| policy |" in md and "precopy+xbzrle" in md
PY
echo "ok: files, PNG headers, references"

# Bad input: one line, non-zero.
expect_fail "missing database" "nope.db" -- "$MIGSIM" report --db "$WORK/nope.db" -o "$WORK/x"
expect_fail "no runs in experiment" "no runs" -- "$MIGSIM" report --db "$db" --experiment none -o "$WORK/x"

# The browser: every chart of the index loads, the page logs nothing, and a
# screenshot is left beside the binary (build/report-screenshot.png) for a
# person to look at. The same check on a copy with one chart made invalid
# XML and a script error added must fail, naming both.
have_chromium || exit 0
browser_load "$out/index.html" "$(dirname "$MIGSIM")/report-screenshot.png" 18
browser_load "$out/runs/run7.html" "$WORK/run7.png" 2
cp -r "$out" "$WORK/bad"
printf '<<<' >>"$WORK/bad/wl1-downtime.svg"
sed -i 's|</body>|<script>noSuchFunction();</script></body>|' "$WORK/bad/index.html"
if browser_load "$WORK/bad/index.html" "$WORK/bad.png" 18 >"$WORK/bad.out"; then
	die "a broken chart and a script error passed the browser check"
fi
grep -q "17 images loaded (want 18), 1 broken" "$WORK/bad.out" || die "broken chart not seen: $(cat "$WORK/bad.out")"
grep -q "console: .*noSuchFunction" "$WORK/bad.out" || die "script error not seen: $(cat "$WORK/bad.out")"
echo "ok: the browser check fails on a broken chart and on a script error"
