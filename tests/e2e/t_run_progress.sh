# The progress line of a long `migsim run` (docs/model.md, "Notes on a
# run"): on a terminal (script(1) gives the run one) it shows the simulated
# time, the phase, the pass and the bytes remaining, redrawn in place and
# erased before the summary; --quiet and a stderr that is not a terminal
# have none. The run takes a few seconds of wall time, more than the second
# after which the line appears: 300 s simulated, since the calloc loop's
# increments are deferred (docs/scaling.md) 12 s took under half a second.
. "$E2E_LIB"
command -v script >/dev/null 2>&1 || die "script (util-linux) is not installed"
args="calloc_loop --ram 256MiB --bandwidth 10Gbit/s --param max-bandwidth=32MiB/s --timeout 300s --no-db"
script -qec "$MIGSIM run $args" /dev/null >"$WORK/tty.out" || true
grep -q "$(printf '\r\033\\[K')migsim: [0-9.]* [a-z]* simulated, pre-copy, pass [0-9]*, [0-9.]* [KM]iB remaining" \
	"$WORK/tty.out" || die "no progress line on a terminal: $(head -c 600 "$WORK/tty.out")"
grep -q "$(printf '\r\033\\[K')workload *calloc_loop" "$WORK/tty.out" ||
	die "the progress line was not erased before the summary"
echo "ok: $(grep -o "migsim: [0-9.]* [a-z]* simulated[^$(printf '\r')]*" "$WORK/tty.out" | tail -n 1)"
script -qec "$MIGSIM run $args --quiet" /dev/null >"$WORK/quiet.out" || true
if grep -q "simulated, " "$WORK/quiet.out"; then
	die "--quiet: a progress line"
fi
grep -q "^status *failed" "$WORK/quiet.out" || die "--quiet: no summary: $(cat "$WORK/quiet.out")"
# shellcheck disable=SC2086
"$MIGSIM" run $args >/dev/null 2>"$WORK/pipe.err" || true
if grep -q "simulated, " "$WORK/pipe.err"; then
	die "a progress line on a stderr that is not a terminal"
fi
echo "ok: none with --quiet or without a terminal"
