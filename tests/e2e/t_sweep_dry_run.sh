# sweep --dry-run shows, on each row, every setting that varies between the
# rows, with its unit, so no two rows look the same; settings that do not
# vary are left out.
. "$E2E_LIB"

# dry NAME: the dry run of $WORK/NAME.lua without the index and key columns, checked
# to have distinct rows.
dry() {
	"$MIGSIM" sweep "$WORK/$1.lua" --dry-run >"$WORK/$1.out" || die "$1: dry run failed"
	cat "$WORK/$1.out"
	sed '$d' "$WORK/$1.out" | awk '{ $1 = $2 = ""; print }' >"$WORK/$1.rows"
	[ "$(sort "$WORK/$1.rows" | uniq -d | wc -l)" -eq 0 ] ||
		die "$1: rows that look the same: $(sort "$WORK/$1.rows" | uniq -d)"
}
# row NAME INDEX: the row of that matrix index.
row() { awk -v i="$2" '$1 == i' "$WORK/$1.out"; }

cat >"$WORK/matrix.lua" <<'LUA'
return {
	name = "dry",
	workloads = { { script = "idle", params = { kernel = { "1MiB", "2MiB" } } } },
	ram = "64MiB", bandwidth = { "1Gbit/s", "999.92Mbit/s" },
	params = { ["downtime-limit"] = { "100ms", "300ms" } },
}
LUA
dry matrix
grep -q '^8 runs$' "$WORK/matrix.out" || die "matrix: expected 8 runs"
# The odometer: the workload parameter slowest, the migration parameter fastest.
row matrix 0 | grep -q 'wl.kernel=1MiB .*bandwidth=1Gbit/s .*downtime-limit=100ms' ||
	die "row 0: $(row matrix 0)"
row matrix 7 | grep -q 'wl.kernel=2MiB .*bandwidth=999920kbit/s .*downtime-limit=300ms' ||
	die "row 7: $(row matrix 7)"
grep -q 'ram=\|max-bandwidth=' "$WORK/matrix.rows" && die "a setting that does not vary is shown"
echo "ok: a matrix"

# Rows from separate runs entries: a setting one entry leaves at its
# default still varies, and is shown with the default's value.
cat >"$WORK/entries.lua" <<'LUA'
return {
	name = "dry2", ram = "64MiB",
	runs = { { workload = "idle", bandwidth = "10Gbit/s", seeds = 2 }, { workload = "idle", seeds = 2 } },
}
LUA
dry entries
row entries 0 | grep -q 'seed 1 .*bandwidth=10Gbit/s' || die "entries row 0: $(row entries 0)"
row entries 2 | grep -q 'seed 1 .*bandwidth=1Gbit/s' || die "entries row 2: $(row entries 2)"
echo "ok: runs entries"
