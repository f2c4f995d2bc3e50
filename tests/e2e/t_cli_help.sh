# --help is true: every option `migsim run` accepts is listed, and the
# parameter table names QEMU's parameters with their defaults.
. "$E2E_LIB"
"$MIGSIM" --help >"$WORK/h" || die "migsim --help failed"
grep -q 'run WORKLOAD.lua' "$WORK/h" || die "top-level help lacks run"
"$MIGSIM" run --help >"$WORK/rh" || die "migsim run --help failed"
for opt in --ram --page-size --bandwidth --latency --mode --param --cap --wl-param \
	--seed --timeout --warmup --db --no-db --json; do
	grep -q -- "$opt" "$WORK/rh" || die "run --help does not mention $opt"
done
grep -q 'downtime-limit.*300' "$WORK/rh" || die "run --help lacks downtime-limit's default"
grep -q 'max-bandwidth' "$WORK/rh" || die "run --help lacks max-bandwidth"
"$MIGSIM" version | grep -q '^migsim [0-9]' || die "version"
expect_fail "unknown command" "unknown command" -- "$MIGSIM" frobnicate
expect_fail "unknown option" "unknown option" -- "$MIGSIM" run idle --frob 1
