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
