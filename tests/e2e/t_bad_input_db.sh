# A file that is not SQLite, given as the database, is one kind of error with
# one exit status, 2, from every command that opens a database (it used to
# be 1 from some and 2 from others), and the file is left as it was.
. "$E2E_LIB"
printf 'name,value\n1,2\n%0200d\n' 0 >"$WORK/text.db"
cp "$WORK/text.db" "$WORK/text.orig"
cat >"$WORK/exp.lua" <<'LUA'
return { name = "db", workloads = { "idle" }, ram = "32MiB", warmup = "100ms" }
LUA
"$MIGSIM" run --guest bare idle --ram 32MiB --warmup 100ms --db "$WORK/ok.db" >/dev/null || die "a plain run"

status_is() { # DESC STATUS -- CMD...
	d=$1; want=$2; shift 3
	expect_fail "$d" 'not a SQLite database' -- "$@"
	set +e
	"$@" >/dev/null 2>&1
	rc=$?
	set -e
	[ "$rc" = "$want" ] || die "$d: exit status $rc, expected $want"
}
status_is "run" 2 -- "$MIGSIM" run --guest bare idle --ram 32MiB --warmup 100ms --db "$WORK/text.db"
status_is "sweep" 2 -- "$MIGSIM" sweep "$WORK/exp.lua" --db "$WORK/text.db" --quiet
status_is "export" 2 -- "$MIGSIM" export --format csv --db "$WORK/text.db"
status_is "report" 2 -- "$MIGSIM" report --db "$WORK/text.db" -o "$WORK/rep"
status_is "compare, BASE" 2 -- "$MIGSIM" compare "$WORK/text.db" "$WORK/ok.db"
status_is "compare, NEW" 2 -- "$MIGSIM" compare "$WORK/ok.db" "$WORK/text.db"
status_is "merge, input" 2 -- "$MIGSIM" merge "$WORK/out.db" "$WORK/text.db"
status_is "merge, output" 2 -- "$MIGSIM" merge "$WORK/text.db" "$WORK/ok.db"
cmp "$WORK/text.db" "$WORK/text.orig" || die "the text file was modified"
# Usage errors have the same status as input errors (`migsim --help`).
set +e
"$MIGSIM" run --guest bare idle --frob 1 >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || die "unknown option: exit status $rc, expected 2"
"$MIGSIM" --help | grep -q '2 error, of usage or of input' || die "--help does not document status 2"
echo "one status, 2, everywhere"
