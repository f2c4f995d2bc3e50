# The warnings that explain surprising numbers (docs/model.md, "Notes on a
# run"): each one appears, one line on stderr, when its rule holds and not
# when it does not; --quiet silences them; they are stored as the run's
# notes and listed in the report. The downtime warning's parts add up to
# QEMU's figure and to the guest's pause.
. "$E2E_LIB"
db="$WORK/r.db"

# run NAME ARGS...: the summary in $WORK/NAME.out, stderr in $WORK/NAME.err
# (the migration may fail: exit 3).
run() {
	name=$1
	shift
	rc=0
	"$MIGSIM" run --guest bare "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || die "$name: exit $rc: $(cat "$WORK/$name.err")"
}
# warned NAME PATTERN: a warning line of NAME matches PATTERN.
warned() {
	grep -q "^migsim: warning: .*$2" "$WORK/$1.err" ||
		die "$1: no warning /$2/ on stderr: $(cat "$WORK/$1.err")"
	echo "ok: $1: $(grep "^migsim: warning: .*$2" "$WORK/$1.err")"
}
# quiet NAME PATTERN: no warning of NAME matches PATTERN.
unwarned() {
	if grep -q "^migsim: warning: .*$2" "$WORK/$1.err"; then
		die "$1: unexpected warning: $(cat "$WORK/$1.err")"
	fi
}

# --- the link faster than max-bandwidth ---------------------------------------
run fast idle --ram 64MiB --bandwidth 10Gbit/s --db "$db"
warned fast "the link (10.0 Gbit/s) is faster than max-bandwidth: pre-copy is capped at 1.07 Gbit/s (--param max-bandwidth=0 lifts it)"
run uncapped idle --ram 64MiB --bandwidth 10Gbit/s --param max-bandwidth=0 --no-db
unwarned uncapped "max-bandwidth"
run slowlink idle --ram 64MiB --bandwidth 1Gbit/s --no-db
unwarned slowlink "max-bandwidth"
[ ! -s "$WORK/slowlink.err" ] || die "a run with nothing to say printed: $(cat "$WORK/slowlink.err")"

# --quiet: nothing on stderr, the note still stored.
run quiet idle --ram 64MiB --bandwidth 10Gbit/s --db "$db" --quiet
[ ! -s "$WORK/quiet.err" ] || die "--quiet still printed: $(cat "$WORK/quiet.err")"
[ "$(sql "$db" "SELECT kind FROM notes WHERE run_id = 2")" = max-bandwidth ] ||
	die "--quiet: the note was not stored"

# --- downtime over downtime-limit, in its parts ---------------------------------
run dt page_rewrite --ram 256MiB --param downtime-limit=5ms --no-db
warned dt "exceeded downtime-limit 5.00 ms: the tail of the last pass ([0-9]* pages dirty at the final sync) took"
"$MIGSIM" run --guest bare page_rewrite --ram 256MiB --param downtime-limit=5ms --no-db --json \
	>"$WORK/dt.json" 2>/dev/null || die "downtime: --json run failed"
python3 - "$WORK/dt.json" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
m = r["migsim"]
notes = [n for n in m["notes"] if n["kind"] == "downtime"]
assert len(notes) == 1, m["notes"]
t = notes[0]["text"]
unit = {"ns": 1e-9, "µs": 1e-6, "ms": 1e-3, "s": 1.0}
def secs(s):
    v, u = s.split()
    return float(v) * unit[u]
d = r"([0-9.]+ (?:ns|µs|ms|s))"
g = re.search(r"took " + d + r", the device state \(256 KiB\) " + d +
              r"; the send buffer's drain and the latency " + d + r" more", t)
assert g, t
tail, dev, drain = (secs(x) for x in g.groups())
down, pause = m["downtime-ns"] / 1e9, m["guest-pause-ns"] / 1e9
# Each part is printed to 3 significant digits.
assert abs(tail + dev - down) <= 0.01 * down, ("tail + device state != downtime", tail, dev, down)
assert abs(tail + dev + drain - pause) <= 0.01 * pause, ("parts != guest pause", tail, dev, drain, pause)
print("ok: downtime %.2f ms = tail %.2f + device %.2f; pause %.2f = + drain %.2f" %
      (down * 1e3, tail * 1e3, dev * 1e3, pause * 1e3, drain * 1e3))
PY
run dtok page_rewrite --ram 256MiB --no-db
unwarned dtok "downtime-limit"

# --- post-copy requested, completed in pre-copy -----------------------------------
run pcunused page_rewrite --ram 256MiB --postcopy after-passes=5 --db "$db"
grep -q "^status *completed" "$WORK/pcunused.out" || die "post-copy unused: not completed"
warned pcunused "post-copy was requested (after-passes=5) but the migration completed in pre-copy"
if grep -q "^post-copy" "$WORK/pcunused.out"; then
	die "post-copy unused: the summary has a post-copy line: $(grep "^post-copy" "$WORK/pcunused.out")"
fi
run pcused page_rewrite --ram 256MiB --postcopy immediately --no-db
grep -q "^post-copy *switch at" "$WORK/pcused.out" || die "post-copy: the switch line is gone"
unwarned pcused "post-copy was requested"

# --- a pre-copy that did not converge, and the policy to try ----------------------
run xb calloc_loop --ram 256MiB --bandwidth 10Gbit/s --param max-bandwidth=32MiB/s \
	--param downtime-limit=30ms --timeout 5s --db "$db"
warned xb "pre-copy did not converge: the guest dirtied [0-9.]* [MG]bit/s, less than the [0-9.]* [MG]bit/s the migration sent.*try xbzrle (--cap xbzrle): the pages dirtied again changed 4 of their 4096 bytes on average"
run ac page_rewrite --wl-param page_cpu=100us --ram 256MiB --bandwidth 100Mbit/s --timeout 30s --no-db
warned ac "the guest dirtied 1[0-9.]* Mbit/s, faster than the 100 Mbit/s the migration sent.*try auto-converge (--cap auto-converge): the guest computes 100 % of its time"
run pc page_rewrite --ram 256MiB --bandwidth 100Mbit/s --timeout 30s --no-db
warned pc "faster than the 100 Mbit/s the migration sent.*try post-copy (--postcopy after-first-pass)"
# auto-converge already on: the next rule's policy.
run acon page_rewrite --wl-param page_cpu=100us --ram 256MiB --bandwidth 100Mbit/s --timeout 30s \
	--cap auto-converge --no-db
warned acon "pre-copy did not converge.*try post-copy"
run firstpass working_set --ram 256MiB --bandwidth 100Mbit/s --timeout 20s --no-db
warned firstpass "the timeout came before its first pass over RAM ended (.* still to send at 100 Mbit/s)"
unwarned firstpass "try "

# --- the guest and the migration thread on one CPU -------------------------------
cpu() {
	name=$1
	shift
	run "$name" "$ROOT/tests/unit/lua/cpubound.lua" --ram 256MiB --bandwidth 10Gbit/s \
		--param max-bandwidth=0 --no-db "$@"
}
cpu shared --param page-copy-cost=12 --host-cpus 1
warned shared "the guest and the migration thread shared a CPU (host-cpus=1): the thread computed .* of the .* migration ([0-9]* %)"
cpu own --param page-copy-cost=12
unwarned own "shared a CPU"
cpu cheap --host-cpus 1
unwarned cheap "shared a CPU"

# --- stored, and in the report -------------------------------------------------
got=$(sql "$db" "SELECT group_concat(kind, ' ') FROM (SELECT kind FROM notes ORDER BY run_id, seq)")
[ "$got" = "max-bandwidth max-bandwidth postcopy-unused max-bandwidth no-convergence" ] ||
	die "stored notes: $got"
sql "$db" "SELECT text FROM notes WHERE kind = 'no-convergence'" | grep -q "try xbzrle" ||
	die "the stored note differs from the printed one"
"$MIGSIM" report --db "$db" -o "$WORK/rep" >/dev/null || die "report failed"
grep -q "<h2>Notes</h2>" "$WORK/rep/index.html" || die "report: no Notes section"
grep -q "<li>Run 3 (page_rewrite, precopy+postcopy-ram@after-passes=5, seed 1): post-copy was requested" \
	"$WORK/rep/index.html" || die "report: the post-copy note is missing"
grep -q "^- Run 4 (calloc\\\\_loop, precopy, seed 1): pre-copy did not converge" "$WORK/rep/summary.md" ||
	die "summary.md: the no-convergence note is missing"
echo "ok: notes stored ($got) and in the report"
