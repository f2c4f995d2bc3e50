# The report's table of medians shows multifd's figures for a workload some
# of whose runs used multifd (multifd-bytes, the codec's payload, the
# busiest channel's CPU, the thread's wait for a channel), and not for a
# workload without any.
. "$E2E_LIB"
db="$WORK/r.db"
for c in none zstd; do
	"$MIGSIM" run --guest bare sparse_update --wl-param data_set=6MiB --ram 8MiB --cap multifd \
		--param multifd-compression=$c --db "$db" >/dev/null 2>&1 || die "run $c"
done
"$MIGSIM" run --guest bare idle --ram 8MiB --db "$db" >/dev/null 2>&1 || die "run idle"
"$MIGSIM" report --db "$db" -o "$WORK/rep" >/dev/null || die "report failed"
md="$WORK/rep/summary.md"
python3 - "$md" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
sections = re.split(r"^## Workload ", text, flags=re.M)[1:]
by = {s.split()[0].replace("\\_", "_"): s for s in sections}
head = [l for l in by["sparse_update"].splitlines() if l.startswith("| policy |")]
assert head and all(m in head[0] for m in ("multifd-bytes (median)", "multifd.payload-bytes",
                                             "multifd.busiest-cpu", "multifd.send-wait")), head
rows = [l for l in by["sparse_update"].splitlines() if l.startswith("| precopy+multifd")]
assert len(rows) == 2 and all("MiB" in r for r in rows), rows
assert "multifd-bytes" not in by["idle"], "a workload without multifd shows its columns"
print(head[0])
PY
