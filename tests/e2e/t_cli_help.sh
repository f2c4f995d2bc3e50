# --help is true: every option `migsim run` accepts is listed, and the
# parameter table names QEMU's parameters with their defaults.
. "$E2E_LIB"
"$MIGSIM" --help >"$WORK/h" || die "migsim --help failed"
grep -q 'run WORKLOAD.lua' "$WORK/h" || die "top-level help lacks run"
"$MIGSIM" run --help >"$WORK/rh" || die "migsim run --help failed"
for opt in --ram --page-size --bandwidth --latency --mode --param --cap --wl-param \
	--seed --timeout --warmup --db --no-db --json --disk --disk-cluster-size --storage \
	--mirror-copy-mode --fail-source-at --fail-link-at; do
	grep -q -- "$opt" "$WORK/rh" || die "run --help does not mention $opt"
done
grep -q 'downtime-limit.*300' "$WORK/rh" || die "run --help lacks downtime-limit's default"
grep -q 'max-bandwidth' "$WORK/rh" || die "run --help lacks max-bandwidth"
grep -q "multifd-compression.*lz4 (migsim's own extension, not a QEMU method)" "$WORK/rh" ||
	die "run --help does not mark lz4 as migsim's own"
grep -q 'multifd-channels  *2 ' "$WORK/rh" || die "run --help lacks multifd-channels' default"
grep -q '^  *multifd-zlib,multifd-zstd,multifd-lz4$' "$WORK/rh" ||
	die "run --help does not list the methods --src-caps/--dst-caps take"
"$MIGSIM" version | grep -q '^migsim [0-9]' || die "version"
expect_fail "unknown command" "unknown command" -- "$MIGSIM" frobnicate
expect_fail "unknown option" "unknown option" -- "$MIGSIM" run idle --frob 1
# The accepted ranges and the exit statuses are in the help, as the code has
# them (docs/experiments.md has the same table).
grep -q 'downtime-limit' "$WORK/rh" && grep -q 'accepts a value in the range of 0 to 2000000 ms' "$WORK/rh" ||
	die "run --help lacks downtime-limit's range"
grep -q 'accepts a size from 4 KiB to 1 GiB' "$WORK/rh" || die "run --help lacks send-buffer-size's range"
grep -q '100ms to 30 days' "$WORK/rh" || die "run --help lacks the timeout's range"
grep -q '1 bit/s to 10 Tbit/s' "$WORK/rh" || die "run --help lacks the rates' range"
grep -q '2 error of usage or input' "$WORK/rh" || die "run --help lacks exit status 2"
grep -q '3 run: the migration failed' "$WORK/h" || die "--help lacks the exit statuses"
"$MIGSIM" sweep --help | grep -q '^2 when the command line or the experiment is invalid' ||
	die "sweep --help lacks exit status 2"
# Help texts go out through fputs or printf: a "%%" meant for printf that
# reached fputs (or a printf text with a doubled escape) shows as "%%".
for cmd in "" run workloads sweep merge report compare export; do
	# shellcheck disable=SC2086 # the empty command is the top-level help
	"$MIGSIM" $cmd --help >"$WORK/help" || die "migsim $cmd --help failed"
	! grep -n '%%' "$WORK/help" || die "migsim $cmd --help prints a printf escape"
done
"$MIGSIM" sweep --help | grep -q 'a line every 10 % or' || die "sweep --help lost its '10 %'"
