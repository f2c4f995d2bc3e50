# multifd-compression methods in capability negotiation (issue 24): a side's
# list names them (multifd-zlib, multifd-zstd, multifd-lz4). A method one
# side lacks falls back to none with a note (the summary, the warning, the
# stored notes and settings), sending the bytes a none run sends;
# --strict-caps makes it an error and an unknown name is one too, with
# nothing recorded. A run that narrows no list records what it did before.
. "$E2E_LIB"
db="$WORK/n.db"
heap="sparse_update --wl-param data_set=24MiB --wl-param updates_per_second=1000"
mf() { "$MIGSIM" run --guest bare --ram 32MiB --param max-bandwidth=0 --cap multifd $heap "$@"; }
json() { # NAME ARGS...: a JSON run, not recorded
	out=$1; shift
	mf --no-db --json "$@" >"$WORK/$out.json" 2>"$WORK/$out.err" || die "$out: run failed"
}
json none --param multifd-compression=none
json zstd --param multifd-compression=zstd
json dst_no_zstd --param multifd-compression=zstd \
	--dst-caps xbzrle,auto-converge,postcopy-ram,postcopy-preempt,multifd,multifd-zlib,multifd-lz4
json src_no_zlib --param multifd-compression=zlib --src-caps multifd,multifd-zstd
python3 - "$WORK" <<'PY'
import json, sys
j = lambda name: json.load(open("%s/%s.json" % (sys.argv[1], name)))
err = lambda name: open("%s/%s.err" % (sys.argv[1], name)).read()
b = lambda name: j(name)["ram"]["transferred"]
conf = lambda name: j(name)["migsim"]["config"]
notes = lambda name: [n for n in j(name)["migsim"]["notes"] if n["kind"] == "multifd-compression"]
for name in ("none", "zstd", "dst_no_zstd", "src_no_zlib"):
    assert j(name)["status"] == "completed" and j(name)["migsim"]["verified"] is True, name
assert b("zstd") * 2 < b("none"), ("zstd compresses this guest", b("zstd"), b("none"))
# Fallen back: none's bytes exactly; the request and what was in force stored.
for name, req, who in (("dst_no_zstd", "zstd", "the destination"),
                       ("src_no_zlib", "zlib", "the source")):
    assert b(name) == b("none"), (name, b(name), b("none"))
    c = conf(name)
    assert c["parameters"]["multifd-compression"] == req, c["parameters"]
    assert c["multifd-compression-in-force"] == "none", c
    assert "multifd" in c["capabilities"], c["capabilities"]
    n = notes(name)
    assert len(n) == 1 and ("multifd-compression %s was requested but is not supported by %s"
                            % (req, who)) in n[0]["text"], n
    assert n[0]["text"] in err(name), err(name)
assert conf("dst_no_zstd")["multifd-compression-destination"] == ["zlib", "lz4"], conf("dst_no_zstd")
assert "multifd-compression-source" not in conf("dst_no_zstd")
assert conf("src_no_zlib")["multifd-compression-source"] == ["zstd"], conf("src_no_zlib")
# A run that narrows no list: no note, its settings as before.
for name in ("none", "zstd"):
    assert not notes(name) and not err(name), (name, err(name))
    assert not [k for k in conf(name) if k.startswith("multifd-compression")], conf(name)
print("fallback: %d B as none's %d B (zstd: %d B); the notes name the side" %
      (b("dst_no_zstd"), b("none"), b("zstd")))
PY

# Recorded: the summary says it, and the note is stored with the run.
mf --db "$db" --quiet --param multifd-compression=zstd --dst-caps multifd >"$WORK/summary" ||
	die "recorded fallback run failed"
grep -q '^capabilities  multifd-compression zstd was requested but is not supported by the destination' \
	"$WORK/summary" || die "summary lacks the fallback: $(cat "$WORK/summary")"
[ "$(sql "$db" "SELECT count(*) FROM notes WHERE kind = 'multifd-compression' AND text LIKE '%zstd%destination%'")" = 1 ] ||
	die "the fallback note was not stored"
[ "$(sql "$db" "SELECT json_extract(config, '\$.\"multifd-compression-in-force\"') FROM runs")" = none ] ||
	die "the stored settings lack the method in force"

# Refused: one line each, status 2, nothing recorded.
rm -f "$db"
refused() {
	expect_fail "$@"
	d=$1; shift 3
	set +e
	"$@" >/dev/null 2>&1
	rc=$?
	set -e
	[ "$rc" = 2 ] || die "$d: exit status $rc, expected 2"
}
refused "destination lacks zstd, strict" \
	'multifd-compression zstd is not supported by the destination.*\(--strict-caps\)$' -- \
	mf --db "$db" --param multifd-compression=zstd --dst-caps multifd,multifd-zlib --strict-caps
refused "source lacks lz4, strict" \
	'multifd-compression lz4 is not supported by the source.*\(--strict-caps\)$' -- \
	mf --db "$db" --param multifd-compression=lz4 --src-caps multifd --strict-caps
refused "unknown method token" \
	'unknown capability "multifd-lzma" \(known: .*multifd,multifd-zlib,multifd-zstd,multifd-lz4\)' -- \
	mf --db "$db" --dst-caps multifd,multifd-lzma
refused "a method is no capability to request" 'unknown capability "multifd-zstd"' -- \
	mf --db "$db" --cap multifd-zstd
[ ! -e "$db" ] || [ "$(sql "$db" 'SELECT count(*) FROM runs')" = 0 ] || die "a refused run was recorded"
# Strict with every method on both sides: nothing to refuse.
mf --no-db --quiet --param multifd-compression=lz4 --strict-caps >/dev/null ||
	die "strict refused a method both sides have"
echo "ok: multifd-compression negotiation"
