# migsim merge copies evacuations (issue 26): two databases of one small
# evacuation (different seeds; one holds a single run first, so its runs'
# ids move in the merge) merged twice into a third hold each evacuation
# once, with its figures, its NIC's utilisation and its links to runs
# rewritten to the runs' ids there, each pointing at the run of the same VM;
# report and compare --evacuations read the merged database.
. "$E2E_LIB"
cd "$WORK"
evac() { # evac DB SEED
	set +e
	"$MIGSIM" evacuate --host a:1Gbit/s --host b:1Gbit/s --drain a \
		--vm v1:a:64M:hotcold:to=b:guest=bare:wl.working_set=16MiB \
		--vm v2:a:64M:idle:to=b:guest=bare --seed "$2" --db "$1" >/dev/null
	rc=$?
	set -e
	[ "$rc" = 0 ] || [ "$rc" = 3 ] || die "evacuate exited $rc"
}
evac a.db 1
"$MIGSIM" run --guest bare idle --ram 32MiB --warmup 100ms --quiet --db b.db >/dev/null ||
	die "run"
evac b.db 2
"$MIGSIM" merge m.db a.db b.db >o1 || die "merge: $(cat o1)"
grep -q '^merge a.db: 2 runs copied, 0 already in m.db; 1 evacuations copied, 0 already there$' o1 ||
	die "first merge of a.db: $(cat o1)"
grep -q '^merge b.db: 3 runs copied, 0 already in m.db; 1 evacuations copied, 0 already there$' o1 ||
	die "first merge of b.db: $(cat o1)"
"$MIGSIM" merge m.db a.db b.db >o2 || die "second merge: $(cat o2)"
grep -q '^merge b.db: 0 runs copied, 3 already in m.db; 0 evacuations copied, 1 already there$' o2 ||
	die "second merge of b.db: $(cat o2)"
count() { sql m.db "SELECT count(*) FROM $1"; }
[ "$(count runs)" = 5 ] || die "$(count runs) runs, not 5"
[ "$(count evacuations)" = 2 ] || die "$(count evacuations) evacuations, not 2"
[ "$(count evacuation_runs)" = 4 ] || die "$(count evacuation_runs) evacuation_runs, not 4"
[ "$(count evacuation_metrics)" = "$(($(sql a.db 'SELECT count(*) FROM evacuation_metrics') * 2))" ] ||
	die "$(count evacuation_metrics) evacuation_metrics"
echo "ok: merged twice, each evacuation once: $(tr '\n' ' ' <o2)"

# Every row of each input's evacuation is in the output, its run there the
# same run (every column but the id), of the same VM and experiment.
python3 - m.db a.db b.db <<'PY' || die "the merged evacuations differ from their inputs"
import sqlite3, sys
out = sqlite3.connect(sys.argv[1])
EV = "experiment, scenario, links, migsim_version, recorded_at"
RUN = ("key, experiment, workload, workload_path, wl_params, policy, config, seed, status,"
       " error, result, migsim_version, recorded_at")
def rows(db, evac):
    q = ("SELECT er.vm, er.source, er.destination, er.start_ns, er.end_ns, " +
         ", ".join("r." + c.strip() for c in RUN.split(",")) +
         " FROM evacuation_runs er JOIN runs r ON r.id = er.run_id"
         " WHERE er.evacuation_id = ? ORDER BY er.vm")
    return db.execute(q, (evac,)).fetchall()
def metrics(db, evac):
    return db.execute("SELECT name, value FROM evacuation_metrics WHERE evacuation_id = ?"
                      " ORDER BY name", (evac,)).fetchall()
for path in sys.argv[2:]:
    src = sqlite3.connect(path)
    for (sid, *cols) in src.execute("SELECT id, " + EV + " FROM evacuations"):
        (oid,) = out.execute("SELECT id FROM evacuations WHERE " +
                             " AND ".join(c.strip() + " IS ?" for c in EV.split(",")),
                             cols).fetchone()
        a, b = rows(src, sid), rows(out, oid)
        assert len(a) == 2 and a == b, (path, a, b)
        assert metrics(src, sid) == metrics(out, oid), path
        # the ids moved where a run came first
        ids = [r for (r,) in out.execute("SELECT run_id FROM evacuation_runs WHERE"
                                          " evacuation_id = ? ORDER BY vm", (oid,))]
        print("ok: %s's evacuation %d is %d here, runs %s" % (path, sid, oid, ids))
# each evacuation_runs row points at a distinct run
(n, d) = out.execute("SELECT count(*), count(DISTINCT run_id) FROM evacuation_runs").fetchone()
assert n == d == 4, (n, d)
PY

"$MIGSIM" report --db m.db -o rep >/dev/null || die "report of the merged database"
for id in 1 2; do
	[ -s "rep/evac-$id-gantt.svg" ] && [ -s "rep/evac-$id-links.svg" ] ||
		die "report: no charts of evacuation $id"
done
grep -q 'evac-2-gantt' rep/index.html || die "report: evacuation 2 not in index.html"
echo "ok: report draws both merged evacuations"
"$MIGSIM" compare m.db m.db --evacuations >cmp || die "compare --evacuations: $(cat cmp)"
grep -q '^BASE .*(2 evacuations, 1 scenarios)$' cmp || die "compare: $(cat cmp)"
"$MIGSIM" compare a.db m.db --evacuations --metric drain-time >cmp ||
	die "compare a.db m.db: $(cat cmp)"
grep -q '^NEW .*(2 evacuations, 1 scenarios)$' cmp || die "compare a.db m.db: $(cat cmp)"
echo "ok: compare --evacuations reads the merged database"
