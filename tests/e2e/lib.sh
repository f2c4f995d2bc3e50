# Helpers for the end-to-end tests (sourced by each t_*.sh).
set -eu
ROOT="$MIGSIM_ROOT"
WL="$ROOT/workloads"

die() { echo "FAIL: $*" >&2; exit 1; }

# expect_fail DESCRIPTION PATTERN -- CMD...: CMD must exit non-zero with
# exactly one line on stderr that starts with "migsim: " and matches PATTERN.
expect_fail() {
	desc=$1; pat=$2; shift 3
	if "$@" >"$WORK/out" 2>"$WORK/err"; then
		die "$desc: expected failure, got exit 0"
	fi
	n=$(wc -l <"$WORK/err")
	[ "$n" -eq 1 ] || { cat "$WORK/err" >&2; die "$desc: expected 1 error line, got $n"; }
	grep -q '^migsim: ' "$WORK/err" || die "$desc: error line lacks 'migsim: ' ($(cat "$WORK/err"))"
	grep -Eq "$pat" "$WORK/err" || die "$desc: error '$(cat "$WORK/err")' does not match /$pat/"
	echo "ok: $desc: $(cat "$WORK/err")"
}

# json_get FILE KEY.PATH: a number or string from a JSON file (python3 is on
# every machine of this kind; it is only used by the tests).
json_get() {
	python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v=v[int(k)] if isinstance(v,list) else v[k]
print(v)' "$1" "$2"
}

# rows DB SQL: one value from sqlite (through python3's sqlite3 module).
sql() {
	python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
for r in c.execute(sys.argv[2]): print("|".join(str(x) for x in r))' "$1" "$2"
}

# have_chromium: true when Debian's chromium is installed. When it is not,
# the test fails if the system has a chromium package (`make check`'s
# dependency step installs it: scripts/deps.sh), and otherwise prints why
# the browser check is skipped and returns false.
have_chromium() {
	[ -x /usr/bin/chromium ] && return 0
	apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]' &&
		die "chromium is installable here but not installed (as root: sh scripts/deps.sh 'chromium?')"
	echo "skipped: the browser check: this system has no chromium package"
	return 1
}

# browser_load PAGE SHOT IMAGES: opens PAGE (a report's HTML) in headless
# Chromium, saves a 1200x2000 screenshot as SHOT, and fails (with a message)
# unless the page's image counter (<p id="images" data-loaded data-broken>)
# says IMAGES charts loaded and none broke, the page logged nothing to the
# console (a script error is logged there), and the screenshot is not blank.
browser_load() {
	prof=$(mktemp -d)
	rm -f "$2"
	timeout 60 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$prof" --enable-logging=stderr --v=0 \
		--window-size=1200,2000 --screenshot="$2" --dump-dom "file://$1" \
		>"$WORK/dom.html" 2>"$WORK/chromium.log" || true
	rm -rf "$prof"
	python3 - "$2" "$WORK/dom.html" "$WORK/chromium.log" "$3" <<'PY'
import re, struct, sys, zlib
shot, dom, log, want = sys.argv[1], open(sys.argv[2]).read(), open(sys.argv[3]).read(), int(sys.argv[4])
errors = []
m = re.search(r'id="images"[^>]*data-loaded="(\d+)"[^>]*data-broken="(\d+)"', dom)
if not m:
    errors.append("no image counter in the DOM")
else:
    loaded, broken = int(m.group(1)), int(m.group(2))
    if broken or loaded != want:
        errors.append("%d images loaded (want %d), %d broken" % (loaded, want, broken))
console = re.findall(r':CONSOLE[^\]]*\] (.*)', log)
errors += ["console: " + c for c in console]
try:
    png = open(shot, "rb").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # Not blank: the image data holds more than a few byte values.
    i, data = 8, b""
    while i < len(png):
        n, = struct.unpack(">I", png[i:i + 4])
        if png[i + 4:i + 8] == b"IDAT":
            data += png[i + 8:i + 8 + n]
        i += 12 + n
    if len(set(zlib.decompress(data)[::97])) <= 8:
        errors.append("blank screenshot")
except (OSError, AssertionError, zlib.error, struct.error):
    errors.append("no screenshot")
for e in errors:
    print("chromium: " + e)
if errors:
    sys.exit(1)
print("chromium: %d images loaded, 0 broken, no console messages; screenshot %s" % (want, shot))
PY
}
