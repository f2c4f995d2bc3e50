# Guest OS profiles (--guest, workloads/guests/*.lua) under a program that
# owns no memory (noop.lua): each profile's non-zero pages, counted by a
# stop-and-copy's normal pages, are its documented figure (minimal-linux:
# 92 MiB in a 1 GiB guest, 23,552 pages, as measured on QEMU 10; server:
# fill 0.70 of RAM, 183,500 pages), and the server's background dirties its
# documented 4 MB/s (976 pages/s; a little less, as a page may be picked
# twice). bare leaves everything zero. An unknown profile is an input error.
. "$E2E_LIB"
noop="$ROOT/tests/unit/lua/noop.lua"
for g in bare minimal-linux server; do
	"$MIGSIM" run "$noop" --guest $g --mode stop-and-copy --no-db --json >"$WORK/$g.json" ||
		die "$g: run failed"
done
"$MIGSIM" run "$noop" --guest server --no-db --json >"$WORK/server-pre.json" ||
	die "server pre-copy failed"
"$MIGSIM" run "$noop" --guest minimal-linux --param max-bandwidth=32MiB/s --no-db --json \
	>"$WORK/minimal-pre.json" || die "minimal-linux pre-copy failed"
python3 - "$WORK" <<'PY'
import json, sys
d = sys.argv[1]
def load(n): return json.load(open("%s/%s.json" % (d, n)))
for name, want, tol in (("bare", 0, 0), ("minimal-linux", 23552, 0.01), ("server", 183500, 0.01)):
    r = load(name)
    assert r["status"] == "completed" and r["migsim"]["verified"] is True, name
    got = r["ram"]["normal"]
    assert abs(got - want) <= tol * want, (name, got, want)
    assert r["migsim"]["config"]["guest"] == name, r["migsim"]["config"]["guest"]
    print("%s: %d non-zero pages (documented %d)" % (name, got, want))
rate = load("server-pre")["ram"]["dirty-pages-rate"]
assert 0.9 * 976 <= rate <= 976, ("server background", rate)
print("server background: %.0f pages/s (documented 4 MB/s: 976)" % rate)
# minimal-linux's background: its 64 hot pages (the tick's) and a log page a
# second; sync 2 comes after the first pass, T s into the migration.
p2 = load("minimal-pre")["migsim"]["passes"][1]
t = p2["start-ns"] / 1e9
assert 64 + int(t) - 1 <= p2["dirty-pages"] <= 64 + int(t) + 2, ("minimal-linux background", p2, t)
print("minimal-linux background: %d pages dirty %.2f s into the migration" % (p2["dirty-pages"], t))
PY
expect_fail "unknown guest profile" "unknown guest profile 'desktop'" -- \
	"$MIGSIM" run "$noop" --guest desktop --no-db
expect_fail "RAM too small for the profile and the workload" \
	"regions need 128 MiB \(ws 128 MiB\) but the guest's RAM is 256 MiB, of which the guest OS holds 179 MiB" -- \
	"$MIGSIM" run page_rewrite --wl-param working_set=128MiB --guest server --ram 256MiB --no-db
# Every bundled workload fits beside the default guest (server) in the
# default 1 GiB with its default parameters: no input error (exit 2).
for w in "$ROOT"/workloads/*.lua; do
	set +e
	"$MIGSIM" run "$w" --timeout 100ms --warmup 10ms --no-db >/dev/null 2>"$WORK/err"
	rc=$?
	set -e
	[ "$rc" -ne 2 ] || die "$(basename "$w") on the default guest: $(cat "$WORK/err")"
done
echo "ok: every bundled workload runs on the default guest"
# The summary says which guest the workload ran on.
"$MIGSIM" run idle --timeout 100ms --warmup 10ms --no-db >"$WORK/sum" 2>/dev/null || true
grep -q '^workload      idle on a server guest (--guest), 1.00 GiB of RAM' "$WORK/sum" ||
	die "summary: $(head -n 1 "$WORK/sum")"
echo "ok: the summary names the guest"
