# A database of schema version 2 (tests/e2e/fixtures/schema-v2.sql, written
# by migsim before runs.policy_name existed: a sweep with policies xb64 and
# xb8, both precopy+xbzrle, and one `migsim run`): report and compare read
# it as it is, without migrating it, and see the experiment's policy names;
# merge gives its runs their names in a current database; the first write
# migrates it to version 3 with the names of the runs it held filled in.
. "$E2E_LIB"
db="$WORK/v2.db"
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.executescript(open(sys.argv[2]).read()); c.commit()' \
	"$db" "$ROOT/tests/e2e/fixtures/schema-v2.sql"
[ "$(sql "$db" "PRAGMA user_version")" = 2 ] || die "the fixture is not version 2"
"$MIGSIM" report --db "$db" -o "$WORK/rep" >/dev/null
grep -q "^| xb64 " "$WORK/rep/summary.md" && grep -q "^| xb8 " "$WORK/rep/summary.md" ||
	die "report: no policy names: $(grep '^| ' "$WORK/rep/summary.md" | head -5)"
"$MIGSIM" compare "$db:policy-name=xb64" "$db:policy-name=xb8" >"$WORK/cmp" || [ $? = 1 ] ||
	die "compare failed: $(cat "$WORK/cmp")"
grep -q "^DIFFERS xbzrle-cache-size: 64MiB -> 8MiB$" "$WORK/cmp" || die "compare: $(cat "$WORK/cmp")"
[ "$(sql "$db" "PRAGMA user_version")" = 2 ] || die "a reader migrated the database"
echo "ok: report and compare read version 2 as it is, with policy names"

"$MIGSIM" merge "$WORK/out.db" "$db" >/dev/null
[ "$(sql "$WORK/out.db" "SELECT group_concat(n, ' ') FROM (SELECT coalesce(policy_name, '-') AS n FROM runs ORDER BY id)")" = "xb64 xb8 -" ] ||
	die "merge: $(sql "$WORK/out.db" "SELECT id, policy_name FROM runs")"
echo "ok: merge names the runs of a version 2 input"

"$MIGSIM" run --guest bare idle --ram 16MiB --seed 2 --db "$db" >/dev/null 2>&1
[ "$(sql "$db" "PRAGMA user_version")" = 5 ] || die "not migrated to version 5"
[ "$(sql "$db" "SELECT group_concat(n, ' ') FROM (SELECT coalesce(policy_name, '-') AS n FROM runs ORDER BY id)")" = "xb64 xb8 - -" ] ||
	die "migration: $(sql "$db" "SELECT id, policy_name FROM runs")"
[ "$(sql "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'runs_policy_name'")" = 1 ] || die "no index"
echo "ok: the first write migrates it, the stored runs named"
