# The XBZRLE patch's calloc loop converges at 1 Gbit/s with the default
# downtime-limit, and the run lands in the database with metrics and series.
. "$E2E_LIB"
db="$WORK/m.db"
"$MIGSIM" run calloc_loop --bandwidth 1Gbit/s --db "$db" >"$WORK/out" || die "run failed"
cat "$WORK/out"
grep -q '^status  *completed' "$WORK/out" || die "summary lacks completed"
grep -q 'downtime .*ms' "$WORK/out" || die "summary lacks downtime with a unit"
[ "$(sql "$db" "select count(*) from runs where status='completed'")" = 1 ] || die "no run row"
dt=$(sql "$db" "select value from metrics where name='downtime'")
python3 -c "import sys; d=float(sys.argv[1]); assert 0 < d <= 300, d" "$dt" ||
	die "downtime $dt ms is not within the 300 ms limit"
# One sample per 100 ms of simulated migration time, plus the end state.
n=$(sql "$db" "select count(*) from series")
total=$(sql "$db" "select value from metrics where name='total-time'")
python3 -c "import sys; n, t = int(sys.argv[1]), float(sys.argv[2]); assert n == int(t // 100) + 1, (n, t)" \
	"$n" "$total" || die "$n samples for a migration of $total ms"
