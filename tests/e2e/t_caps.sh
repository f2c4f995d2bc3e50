# Capability negotiation on the command line: xbzrle and auto-converge act on
# the source alone (QEMU's destination decodes XBZRLE pages whatever its own
# capabilities), so a destination without them leaves them in force and
# --strict-caps has nothing to refuse; postcopy-ram needs both sides, and
# postcopy-preempt goes with it.
. "$E2E_LIB"
run() { "$MIGSIM" run --guest bare idle --ram 64MiB --no-db --json "$@"; }

run --cap xbzrle,auto-converge --dst-caps none --strict-caps >"$WORK/src_only.json" ||
	die "a destination without xbzrle/auto-converge refused them"
[ "$(json_get "$WORK/src_only.json" migsim.config.capabilities)" = "['xbzrle', 'auto-converge']" ] ||
	die "in force: $(json_get "$WORK/src_only.json" migsim.config.capabilities)"

run --cap xbzrle --src-caps none >"$WORK/no_src.json" || die "run without source xbzrle failed"
[ "$(json_get "$WORK/no_src.json" migsim.config.capabilities)" = "[]" ] ||
	die "xbzrle in force without the source's support"

run --postcopy immediately --cap postcopy-preempt --dst-caps postcopy-preempt \
	>"$WORK/no_dst_pc.json" || die "run without destination postcopy-ram failed"
[ "$(json_get "$WORK/no_dst_pc.json" migsim.config.capabilities)" = "[]" ] ||
	die "in force without postcopy-ram: $(json_get "$WORK/no_dst_pc.json" migsim.config.capabilities)"

expect_fail "postcopy-ram lacking on the destination, strict" 'postcopy-ram.*sides that need it' -- \
	run --postcopy immediately --dst-caps xbzrle --strict-caps
echo "ok: negotiation"
