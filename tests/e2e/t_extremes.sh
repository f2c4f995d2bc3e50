# Extreme but accepted values: every run ends by its --timeout of simulated
# time (in any phase: setup, pre-copy, the stopped final stage, post-copy)
# or with one clean error, quickly, with a bounded time series, and no
# overflow (under the sanitizers one would abort the run). Values that the
# command line may come to refuse as out of range may instead fail at
# parse time with one clean error line; what they may never do is pass for
# a completed migration or run on for the ~97 days a 1 bit/s link needs.
. "$E2E_LIB"
db="$WORK/m.db"

cat >"$WORK/maxint.lua" <<'LUA'
return {
  name = "maxint", description = "a step costing math.maxinteger ns",
  regions = {{name = "buf", size = 4096}},
  step = function(mem, p) return math.maxinteger end,
}
LUA

# extreme DESC RC PATTERN REFUSAL -- ARGS...: `migsim run ARGS --json`
# must end within 60 s of wall time (and 2 GB of address space, unless
# sanitized: ASan reserves more) with exit status RC and its JSON (or,
# for RC 2, its error line) matching PATTERN. Unless REFUSAL is "strict", a
# refusal is accepted instead: exit status 2 and one clean "migsim: " error
# line that matches REFUSAL (it names the value refused).
extreme() {
	desc=$1; want=$2; pat=$3; refusal=$4; shift 5
	set +e
	(
		[ -n "${E2E_SANITIZED:-}" ] || ulimit -v 2000000
		exec timeout 60 "$MIGSIM" run --guest bare "$@" --db "$db" --json
	) >"$WORK/out" 2>"$WORK/err"
	rc=$?
	set -e
	[ "$rc" -ne 124 ] || die "$desc: still running after 60 s"
	if grep -Eq 'runtime error|Sanitizer' "$WORK/err"; then
		cat "$WORK/err" >&2
		die "$desc: sanitizer report"
	fi
	if [ "$rc" -eq 2 ] && [ "$refusal" != strict ] && [ "$want" -ne 2 ] &&
		[ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -q '^migsim: ' "$WORK/err" &&
		grep -Eq "$refusal" "$WORK/err"; then
		echo "ok: $desc: refused: $(cat "$WORK/err")"
		return 1
	fi
	[ "$rc" -eq "$want" ] || { cat "$WORK/err" >&2; die "$desc: exit status $rc, expected $want"; }
	if [ "$rc" -eq 2 ]; then
		grep -Eq "$pat" "$WORK/err" || die "$desc: '$(cat "$WORK/err")' does not match /$pat/"
		echo "ok: $desc: $(cat "$WORK/err")"
		return 1
	fi
	grep -Eq "$pat" "$WORK/out" || die "$desc: JSON does not match /$pat/: $(head -c 600 "$WORK/out")"
	echo "ok: $desc: $(json_get "$WORK/out" status) $(json_get "$WORK/out" total-time) ms"
}

# timed_out MS: the run just checked failed at the deadline of MS ms and kept
# at most one sample per 100 ms (plus the last).
timed_out() {
	[ "$(json_get "$WORK/out" status)" = failed ] || die "status is not failed"
	[ "$(json_get "$WORK/out" total-time)" = "$1" ] || die "total-time is not the timeout $1 ms"
	id=$(sql "$db" "select max(id) from runs")
	n=$(sql "$db" "select count(*) from series where run_id = $id")
	[ "$n" -le $(($1 / 100 + 1)) ] || die "$n samples in $1 ms"
}

small="idle --ram 1M --timeout 1s"
stopped='did not complete within the timeout of 1.000 s: stopped for switch-over'

# The final stage, with the guest stopped, outlasts the timeout.
extreme "1 bit/s" 3 "$stopped" strict -- $small --bandwidth 1bit/s && timed_out 1000
extreme "285-year latency" 3 "$stopped" latency -- $small --latency 9000000000s &&
	timed_out 1000
extreme "16 TiB of device state" 3 "$stopped" device-state-size -- $small \
	--param device-state-size=16T && timed_out 1000
extreme "292-year latency" 3 "$stopped" latency -- $small --latency 9223372036s &&
	timed_out 1000
extreme "1e-300 B/s" 3 "$stopped" bandwidth -- $small --bandwidth 1e-300B/s &&
	timed_out 1000

# Setup outlasts the timeout.
extreme "292-year setup" 3 "did not finish setup within the timeout" setup-cost -- $small \
	--param setup-cost=9223372036s && timed_out 1000

# Post-copy outlasts the timeout: QEMU cannot cancel it.
extreme "post-copy at 1 bit/s" 3 "post-copy did not complete within the timeout.*cannot cancel" \
	strict -- $small --bandwidth 1bit/s --postcopy immediately && timed_out 1000

# Pre-copy: an encoder cost that takes the thread's clock past its range.
extreme "XBZRLE encoding at 1e300 ns a byte" 3 "within the timeout of 5.000 s" xbzrle-encode-cost -- \
	page_rewrite --ram 64MiB --bandwidth 100Mbit/s --timeout 5s --cap xbzrle \
	--param xbzrle-encode-cost=1e300 --wl-param working_set=16MiB \
	--wl-param pages_per_second=20000 && timed_out 5000

# A timeout past the clock's range is no timeout: the migration completes.
extreme "292-year timeout" 0 '"status": "completed"' timeout -- idle --ram 64MiB \
	--timeout 9223372036s || true

# A switch-over threshold past any byte count: the migration completes.
extreme "threshold of 1e33 bytes" 0 '"status": "completed"' avail-switchover-bandwidth -- \
	page_rewrite --ram 64MiB --wl-param working_set=16MiB --bandwidth 100Mbit/s \
	--param avail-switchover-bandwidth=1e30B/s --param downtime-limit=1000s || true

# A step cost past the clock's range is the script's error.
extreme "a step of math.maxinteger ns" 2 "step must return.* \\(.*/maxint\\.lua:4\\)$" strict -- \
	"$WORK/maxint.lua" --ram 64MiB || true

# 20 minutes of a migration the 1 bit/s link cannot finish: 12000 samples
# at 100 ms, kept as 6000 at 200 ms (the series holds at most 8192).
extreme "20 minutes at 1 bit/s" 3 "within the timeout of 1200.000 s" strict -- idle --ram 1M \
	--bandwidth 1bit/s --timeout 20min --wl-param tick=10s
id=$(sql "$db" "select max(id) from runs")
[ "$(sql "$db" "select count(*), min(t_ns), max(t_ns) from series where run_id = $id")" = \
	"6000|200000000|1200000000000" ] || die "series: $(sql "$db" \
	"select count(*), min(t_ns), max(t_ns) from series where run_id = $id")"
echo "series: 6000 samples every 200 ms"
