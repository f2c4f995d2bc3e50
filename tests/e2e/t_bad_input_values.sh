# Values out of range, or settings that contradict each other, are refused
# where they are parsed: one line "migsim: <what> (<where>)", exit status 2,
# and no run in the database. The same values in an experiment file get the
# same message, with the file's line as <where>.
. "$E2E_LIB"
db="$WORK/m.db"

# refused DESC PATTERN -- CMD...: one error line matching PATTERN, status 2.
refused() {
	expect_fail "$@"
	d=$1; shift 3
	set +e
	"$@" >/dev/null 2>&1
	rc=$?
	set -e
	[ "$rc" = 2 ] || die "$d: exit status $rc, expected 2"
}
run() { "$MIGSIM" run --guest bare idle --ram 64MiB --db "$db" "$@"; }

refused "timeout past the maximum" 'too long \(at most 3650 days\) \(--timeout 9223372036s\)' -- \
	run --timeout 9223372036s
refused "timeout 0" 'timeout must be from 100 ms to 30 days \(--timeout 0s\)' -- run --timeout 0s
refused "timeout 1ns" 'timeout must be from 100 ms' -- run --timeout 1ns
refused "timeout within setup-cost" 'timeout must be longer than setup-cost \(--timeout\)' -- \
	run --timeout 1s --param setup-cost=2s
refused "latency past the maximum" 'too long.*\(--latency 9223372036s\)' -- run --latency 9223372036s
refused "latency above 1 min" 'latency must be from 0 to 1 min' -- run --latency 2min
refused "warmup above 1 day" 'warmup must be from 0 to 1 day' -- run --warmup 25h
refused "bandwidth below 1 bit/s" 'rate "1e-300B/s": too small \(at least 1 bit/s, or 0\)' -- \
	run --bandwidth 1e-300B/s
refused "bandwidth above 10 Tbit/s" 'rate "1e30Gbit/s": too large \(at most 10 Tbit/s\)' -- \
	run --bandwidth 1e30Gbit/s
refused "a size as the bandwidth" 'a size is not a rate \(write 1Gbit/s or 1GiB/s\) \(--bandwidth 1G\)' -- \
	run --bandwidth 1G
refused "RAM past 2^28 pages" 'at most 2\^28 pages.*\(--ram\)' -- "$MIGSIM" run --guest bare idle --ram 2TiB --db "$db"
refused "RAM past 1 PiB" 'too large \(at most 1 PiB\)' -- "$MIGSIM" run --guest bare idle --ram 2000TB --db "$db"
refused "setup-cost past the maximum" 'setup-cost: duration "9223372036s": too long' -- \
	run --param setup-cost=9223372036s
refused "setup-cost above 1 h" "Parameter 'setup-cost' expects a duration from 0 to 1 h" -- \
	run --param setup-cost=2h
refused "huge xbzrle-encode-cost" "Parameter 'xbzrle-encode-cost' expects .*0 to 1000 \(--param xbzrle-encode-cost=1e300\)" -- \
	run --param xbzrle-encode-cost=1e300
refused "negative xbzrle-encode-cost" "Parameter 'xbzrle-encode-cost' expects" -- \
	run --param xbzrle-encode-cost=-1
refused "NaN xbzrle-encode-cost" '"nan" is not a number' -- run --param xbzrle-encode-cost=nan
refused "huge zero-scan-cost" "Parameter 'zero-scan-cost' expects .*0 to 1000 \(--param zero-scan-cost=1001\)" -- \
	run --param zero-scan-cost=1001
refused "negative page-copy-cost" "Parameter 'page-copy-cost' expects .*0 to 1000 \(--param page-copy-cost=-0.5\)" -- \
	run --param page-copy-cost=-0.5
refused "huge avail-switchover-bandwidth" 'avail-switchover-bandwidth: rate "1e30B/s": too large' -- \
	run --param avail-switchover-bandwidth=1e30B/s
refused "downtime-limit above QEMU's 2000 s" "Parameter 'downtime-limit' expects a value in the range of 0 to 2000000 ms" -- \
	run --param downtime-limit=2001s
refused "send-buffer-size 0 (unbounded)" "Parameter 'send-buffer-size' expects a size from 4 KiB to 1 GiB \(--param send-buffer-size=0\)" -- \
	run --param send-buffer-size=0
refused "xbzrle-cache-size 0" "Parameter 'xbzrle-cache-size' expects a power of two no less than the target page size.*\(--param xbzrle-cache-size\)" -- \
	run --cap xbzrle --param xbzrle-cache-size=0
refused "xbzrle-cache-size not a power of two" "Parameter 'xbzrle-cache-size' expects a power of two" -- \
	run --param xbzrle-cache-size=100MiB
refused "cpu-throttle-initial 0 (QEMU: 1 to 99)" "Parameter 'cpu-throttle-initial' expects an integer in the range of 1 to 99" -- \
	run --param cpu-throttle-initial=0
refused "max-cpu-throttle under cpu-throttle-initial" "Parameter 'max-cpu-throttle' expects an integer in the range of cpu-throttle-initial \(20\) to 99" -- \
	run --param max-cpu-throttle=10
refused "clear-bitmap-shift under QEMU's 6" "Parameter 'clear-bitmap-shift' expects off \(or 0\), or an integer in the range of 6 to 31 \(--param clear-bitmap-shift=5\)" -- \
	run --param clear-bitmap-shift=5
refused "clear-bitmap-shift past QEMU's 31" "Parameter 'clear-bitmap-shift' expects off" -- \
	run --param clear-bitmap-shift=32
refused "clear-bitmap-shift on" 'clear-bitmap-shift: "on" is not off or a whole number' -- run --param clear-bitmap-shift=on
refused "stop-and-copy with xbzrle" 'stop-and-copy has no pre-copy passes for xbzrle to act on.*\(--mode\)' -- \
	run --mode stop-and-copy --cap xbzrle
refused "stop-and-copy with post-copy" 'stop-and-copy has no pre-copy passes for postcopy-ram' -- \
	run --mode stop-and-copy --postcopy after-first-pass
refused "postcopy-preempt alone" 'Postcopy preempt requires postcopy-ram \(--cap\)' -- \
	run --cap postcopy-preempt

# The same values from an experiment file: the same message, the file's line.
exp() { # NAME PATTERN FIELD
	printf 'return {\n\tname = "e", workloads = { "idle" }, ram = "64MiB",\n\t%s\n}\n' "$3" \
		>"$WORK/$1.lua"
	refused "experiment: $1" "$2.* \\($WORK/$1.lua:3\\)" -- \
		"$MIGSIM" sweep "$WORK/$1.lua" --db "$db" --quiet
}
exp timeout0 'timeout must be from 100 ms to 30 days' 'timeout = "0s",'
exp timeout_huge 'too long \(at most 3650 days\)' 'timeout = "9223372036s",'
exp size_rate 'a size is not a rate \(write 1Gbit/s or 1GiB/s\)' 'bandwidth = "1G",'
exp tiny_rate 'too small \(at least 1 bit/s, or 0\)' 'bandwidth = "1e-300B/s",'
exp setup_cost "setup-cost: duration \"9223372036s\": too long \\(at most 3650 days\\)" 'params = { ["setup-cost"] = "9223372036s" },'
exp encode_cost "Parameter 'xbzrle-encode-cost' expects" 'params = { ["xbzrle-encode-cost"] = -1 },'
exp scan_cost "Parameter 'zero-scan-cost' expects" 'params = { ["zero-scan-cost"] = 1001 },'
exp copy_cost "Parameter 'page-copy-cost' expects" 'params = { ["page-copy-cost"] = -1 },'
exp clear_shift "Parameter 'clear-bitmap-shift' expects off" 'params = { ["clear-bitmap-shift"] = 40 },'
exp send_buffer "Parameter 'send-buffer-size' expects a size from 4 KiB to 1 GiB" 'params = { ["send-buffer-size"] = 0 },'
exp cache0 "Parameter 'xbzrle-cache-size' expects a power of two" 'params = { ["xbzrle-cache-size"] = "0" },'
exp downtime "Parameter 'downtime-limit' expects" 'params = { ["downtime-limit"] = "2001s" },'
exp stop_xbzrle 'stop-and-copy has no pre-copy passes for xbzrle' \
	'policies = { { name = "s", mode = "stop-and-copy", caps = { "xbzrle" } } },'

# A long value reaches the parser whole: 600 zeros and 1ms is 1 ms, in an
# experiment as on the command line (a 512-byte buffer once made it 0 ms).
zeros=$(printf '%0600d' 0)
"$MIGSIM" run --guest bare idle --ram 64MiB --no-db --json --param "downtime-limit=${zeros}1ms" >"$WORK/r.json" ||
	die "run with a long downtime-limit"
cat >"$WORK/long.lua" <<'LUA'
return {
	name = "long", guest = "bare", workloads = { "idle" }, ram = "64MiB", warmup = "100ms",
	params = { ["downtime-limit"] = ("0"):rep(600) .. "1ms" },
}
LUA
"$MIGSIM" sweep "$WORK/long.lua" --db "$WORK/long.db" --quiet >/dev/null || die "sweep long.lua"
got=$(sql "$WORK/long.db" "select json_extract(config, '$.parameters.\"downtime-limit\"') from runs")
[ "$got" = 1 ] || [ "$got" = 1.0 ] || die "the experiment stored downtime-limit $got ms, not 1"
echo "ok: a 600-zero downtime-limit is 1 ms in both"

if [ -e "$db" ]; then
	n=$(sql "$db" "select count(*) from runs")
	[ "$n" = 0 ] || die "$n runs were recorded from bad input"
fi
echo "nothing recorded"
