# Multifd's settings outside QEMU's ranges, an unknown method, and xbzrle
# with multifd: one line each, status 2, nothing recorded.
. "$E2E_LIB"
db="$WORK/m.db"
run() { "$MIGSIM" run --guest bare idle --ram 16MiB --db "$db" "$@"; }
refused() {
	expect_fail "$@"
	d=$1; shift 3
	set +e
	"$@" >/dev/null 2>&1
	rc=$?
	set -e
	[ "$rc" = 2 ] || die "$d: exit status $rc, expected 2"
}
refused "unknown method" '"lzma" is not none, zlib, zstd or lz4.*\(--param multifd-compression=lzma\)' -- \
	run --cap multifd --param multifd-compression=lzma
refused "zlib level 10" "Parameter 'multifd-zlib-level' expects a value between 0 and 9" -- \
	run --param multifd-zlib-level=10
refused "zstd level 21" "Parameter 'multifd-zstd-level' expects a value between 0 and 20" -- \
	run --param multifd-zstd-level=21
refused "channels 0" "Parameter 'multifd-channels' expects a value between 1 and 255" -- \
	run --param multifd-channels=0
refused "channels 256" "Parameter 'multifd-channels' expects a value between 1 and 255" -- \
	run --param multifd-channels=256
refused "xbzrle with multifd" 'Multifd is not compatible with xbzrle \(--cap\)' -- \
	run --cap multifd,xbzrle
refused "zero-page-detection" '"sometimes" is not legacy, multifd or none' -- \
	run --param zero-page-detection=sometimes
refused "more threads than host CPUs" 'host-cpus=3 with multifd.*at least 4 \(--param host-cpus\)' -- \
	run --cap multifd --host-cpus 3
# The same from an experiment file: the same message, the file's line.
exp() { # NAME PATTERN FIELD
	printf 'return {\n\tname = "e", workloads = { "idle" }, ram = "16MiB",\n\t%s\n}\n' "$3" \
		>"$WORK/$1.lua"
	refused "experiment: $1" "$2.* \\($WORK/$1.lua:3\\)" -- \
		"$MIGSIM" sweep "$WORK/$1.lua" --db "$db" --quiet
}
exp channels "Parameter 'multifd-channels' expects a value between 1 and 255" \
	'params = { ["multifd-channels"] = 0 },'
exp method '"lzma" is not none, zlib, zstd or lz4' 'params = { ["multifd-compression"] = "lzma" },'
exp xbzrle 'Multifd is not compatible with xbzrle' \
	'policies = { { name = "m", caps = { "multifd", "xbzrle" } } },'
[ ! -e "$db" ] || [ "$(sql "$db" 'SELECT count(*) FROM runs')" = 0 ] || die "a refused run was recorded"
