# migsim report on 3 policies x 2 seeds of one workload and 2 seeds of a
# second stored by `migsim run`: every expected file is written, PNGs are
# valid images of the declared size, every SVG is UTF-8 that parses as XML
# (the idle runs put "µs" on an axis), index.html references only files that
# exist, and (when Debian's chromium is installed) a headless browser loads
# every chart without a broken image.
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
	runs/run1-transfer runs/run1-guest runs/run6-transfer runs/run6-guest; do
	case $f in
	*.*) [ -s "$out/$f" ] || die "missing $f" ;;
	*) [ -s "$out/$f.svg" ] && [ -s "$out/$f.png" ] || die "missing $f.svg/.png" ;;
	esac
done
python3 - "$out" <<'PY'
import html.parser, os, struct, sys, xml.etree.ElementTree
d = sys.argv[1]
pngs = []
for root, _, files in os.walk(d):
    pngs += [os.path.join(root, f) for f in files if f.endswith(".png")]
assert len(pngs) == 3 + 6 * 2 + 3 + 2 * 2, len(pngs)
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
    refs, imgs = [], 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            Refs.imgs += 1
        for k in ("src", "href"):
            if k in a:
                Refs.refs.append(a[k])
Refs().feed(open(os.path.join(d, "index.html")).read())
assert Refs.imgs == len(pngs), (Refs.imgs, len(pngs))
for r in Refs.refs:
    assert "://" not in r and not r.startswith("/"), "not a relative local file: " + r
    assert os.path.isfile(os.path.join(d, r)), "missing " + r
# One colour per policy, the same in every chart, named in a legend: the
# bars of wl1 take the palette's first three colours in the order the
# policies were first run, wl2's only policy (precopy) the first again.
import re
def fills(name):
    svg = open(os.path.join(d, name + ".svg")).read()
    return set(re.findall(r'fill="(#[0-9a-f]{6})"', svg)) - {"#ffffff"}, svg
for name in ("wl1-downtime", "wl1-total-time", "wl1-transferred"):
    f, svg = fills(name)
    assert f == {"#0072b2", "#d55e00", "#009e73"}, (name, f)
    for p in (">precopy<", ">xbzrle<", ">postcopy@after-first-pass<"):
        assert p in svg, (name, p)
f, svg = fills("wl2-downtime")
assert f == {"#0072b2"} and ">precopy<" in svg, f
md = open(os.path.join(d, "summary.md")).read()
assert "| policy |" in md and "precopy+xbzrle" in md
PY
echo "ok: files, PNG headers, references"

# Bad input: one line, non-zero.
expect_fail "missing database" "nope.db" -- "$MIGSIM" report --db "$WORK/nope.db" -o "$WORK/x"
expect_fail "no runs in experiment" "no runs" -- "$MIGSIM" report --db "$db" --experiment none -o "$WORK/x"

if [ ! -x /usr/bin/chromium ]; then
	echo "skipped: chromium not installed"
	exit 0
fi
prof=$(mktemp -d)
chrome() {
	timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$prof" "$@" 2>/dev/null
}
chrome --window-size=1200,2000 --screenshot="$WORK/shot.png" "file://$out/index.html" >/dev/null || true
chrome --dump-dom "file://$out/index.html" >"$WORK/dom.html" || true
rm -rf "$prof"
python3 - "$WORK/shot.png" "$WORK/dom.html" <<'PY'
import re, sys, zlib, struct
png = open(sys.argv[1], "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n", "no screenshot"
# Not blank: decompress the image data and look for more than one byte value.
i, data = 8, b""
while i < len(png):
    n, = struct.unpack(">I", png[i:i + 4]); t = png[i + 4:i + 8]
    if t == b"IDAT":
        data += png[i + 8:i + 8 + n]
    i += 12 + n
raw = zlib.decompress(data)
assert len(set(raw[::97])) > 8, "blank screenshot"
dom = open(sys.argv[2]).read()
m = re.search(r'id="images"[^>]*data-loaded="(\d+)"[^>]*data-broken="(\d+)"', dom) or \
    re.search(r'data-loaded="(\d+)" data-broken="(\d+)"', dom)
assert m, "no image status in the DOM"
loaded, broken = int(m.group(1)), int(m.group(2))
assert broken == 0 and loaded == 22, (loaded, broken)
print("chromium: %d images loaded, %d broken" % (loaded, broken))
PY
