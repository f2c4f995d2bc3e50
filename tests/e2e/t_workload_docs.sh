# docs/lua-api.md's table of bundled workloads has a row for every script in
# workloads/, and the row names each of the script's parameters (as the
# script itself reports them: the known names of an unknown --wl-param).
. "$E2E_LIB"
doc="$ROOT/docs/lua-api.md"
n=0
for f in "$WL"/*.lua; do
	base=$(basename "$f")
	row=$(grep "^| \`$base\` |" "$doc") || die "docs/lua-api.md has no row for $base"
	"$MIGSIM" run "$f" --no-db --wl-param no_such_param=1 >/dev/null 2>"$WORK/err" &&
		die "$base accepted an unknown parameter"
	known=$(sed -n 's/.*(known: \([a-z0-9_, ]*\)).*/\1/p' "$WORK/err" | tr -d ,)
	grep -q 'this workload has none' "$WORK/err" || [ -n "$known" ] ||
		die "$base: no parameter list in '$(cat "$WORK/err")'"
	for p in $known; do
		echo "$row" | grep -q "\`$p\`" || die "docs/lua-api.md's row for $base lacks \`$p\`"
	done
	echo "ok: $base: $known"
	n=$((n + 1))
done
[ "$n" -ge 7 ] || die "only $n workloads found in $WL"
