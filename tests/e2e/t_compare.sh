# migsim compare on databases with known answers (built by rundb.py from one
# real run): identical data, a 20 % regression, noise within the threshold,
# too few seeds, a higher-is-better metric, two policies of one database,
# and bad input (exit 2, one error line).
. "$E2E_LIB"
"$MIGSIM" run --guest bare idle --ram 64MiB --db "$WORK/tmpl.db" >/dev/null
mk() { # mk OUT.db SPEC-JSON
	printf '%s\n' "$2" >"$WORK/spec.json"
	python3 "$ROOT/tests/e2e/rundb.py" "$WORK/tmpl.db" "$1" "$WORK/spec.json"
}
status() { set +e; "$@" >"$WORK/out" 2>"$WORK/err"; rc=$?; set -e; }
verdict() { # verdict METRIC: its verdict in $WORK/out (JSON)
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print([m["verdict"] for g in d["groups"] for m in g["metrics"] if m["metric"]==sys.argv[2]][0])' \
		"$WORK/out" "$1"
}
base='{"total-time":[1000,1010,990,1005,995],"downtime":[50,51,49,50,52],
 "transferred":[1e8,1.01e8,0.99e8,1e8,1.02e8],"guest-progress":[0.9,0.91,0.89,0.9,0.92]}'
mk "$WORK/base.db" "[{\"metrics\":$base}]"

# Identical data: no change at all, exit 0.
status "$MIGSIM" compare "$WORK/base.db" "$WORK/base.db"
[ "$rc" = 0 ] || die "identical: exit $rc"
grep -q '^  total-time .* +0.00% .* ~$' "$WORK/out" || { cat "$WORK/out"; die "identical: no '+0.00% ~' row"; }
grep -Eq '^  .* worse$' "$WORK/out" && die "identical: something worse"
echo "ok: identical data"

# A clear 20 % regression of total time with 5 seeds: exit 1.
mk "$WORK/slow.db" '[{"metrics":{"total-time":[1200,1212,1188,1206,1194],"downtime":[50,51,49,50,52],
 "transferred":[1e8,1.01e8,0.99e8,1e8,1.02e8],"guest-progress":[0.9,0.91,0.89,0.9,0.92]}}]'
status "$MIGSIM" compare "$WORK/base.db" "$WORK/slow.db"
[ "$rc" = 1 ] || { cat "$WORK/out" "$WORK/err"; die "regression: exit $rc, expected 1"; }
grep -q '^  total-time .* +20.00% .* worse$' "$WORK/out" || { cat "$WORK/out"; die "regression row"; }
status "$MIGSIM" compare "$WORK/base.db" "$WORK/slow.db" --json
[ "$rc" = 1 ] || die "regression --json: exit $rc"
[ "$(verdict total-time)" = worse ] || die "json verdict $(verdict total-time)"
[ "$(verdict downtime)" = "~" ] || die "downtime verdict $(verdict downtime)"
[ "$(json_get "$WORK/out" worse)" = 1 ] || die "json worse count"
# The same regression below a 25 % threshold is not one.
status "$MIGSIM" compare "$WORK/base.db" "$WORK/slow.db" --threshold 25%
[ "$rc" = 0 ] || die "threshold 25%: exit $rc"
# Only the metric asked for.
status "$MIGSIM" compare "$WORK/base.db" "$WORK/slow.db" --metric downtime
[ "$rc" = 0 ] || die "--metric downtime: exit $rc"
grep -q total-time "$WORK/out" && die "--metric downtime shows total-time"
echo "ok: 20% regression"

# Noise within the threshold (every run within +-3 %): exit 0.
mk "$WORK/noise.db" '[{"metrics":{"total-time":[1020,985,1012,1001,979],"downtime":[51,49,50,52,50],
 "transferred":[1.01e8,1e8,1.02e8,0.99e8,1e8],"guest-progress":[0.91,0.9,0.9,0.89,0.92]}}]'
status "$MIGSIM" compare "$WORK/base.db" "$WORK/noise.db"
[ "$rc" = 0 ] || { cat "$WORK/out"; die "noise: exit $rc"; }
echo "ok: noise"

# 3 seeds per side: never significant, said so.
mk "$WORK/b3.db" '[{"metrics":{"total-time":[1000,1010,990]}}]'
mk "$WORK/n3.db" '[{"metrics":{"total-time":[1500,1510,1490]}}]'
status "$MIGSIM" compare "$WORK/b3.db" "$WORK/n3.db" --metric total-time
[ "$rc" = 0 ] || die "n=3: exit $rc"
grep -q '+50.00% .*~ (n<4)$' "$WORK/out" || { cat "$WORK/out"; die "n=3 row"; }
echo "ok: too few seeds"

# Guest progress is higher-is-better: a 20 % drop is worse, a rise better.
mk "$WORK/gp.db" '[{"metrics":{"guest-progress":[0.72,0.73,0.71,0.72,0.74]}}]'
status "$MIGSIM" compare "$WORK/base.db" "$WORK/gp.db" --metric guest-progress --json
[ "$rc" = 1 ] && [ "$(verdict guest-progress)" = worse ] || die "progress drop: exit $rc"
status "$MIGSIM" compare "$WORK/gp.db" "$WORK/base.db" --metric guest-progress --json
[ "$rc" = 0 ] && [ "$(verdict guest-progress)" = better ] || die "progress rise: exit $rc"
echo "ok: higher is better"

# Two policies (and two workloads) in one database: filters pick the sides and
# the policy is left out of the grouping, the workload still separates groups.
mk "$WORK/pol.db" "[{\"policy\":\"precopy\",\"metrics\":$base},
 {\"policy\":\"precopy\",\"workload\":\"other\",\"metrics\":$base},
 {\"policy\":\"precopy+xbzrle\",\"config\":{\"capabilities\":[\"xbzrle\"]},
  \"metrics\":{\"total-time\":[700,707,693,703,696]}},
 {\"policy\":\"precopy+xbzrle\",\"workload\":\"other\",\"config\":{\"capabilities\":[\"xbzrle\"]},
  \"metrics\":{\"total-time\":[1400,1414,1386,1407,1393]}}]"
status "$MIGSIM" compare "$WORK/pol.db:policy=precopy" "$WORK/pol.db:policy=precopy+xbzrle" \
	--metric total-time --json
[ "$rc" = 1 ] || { cat "$WORK/out" "$WORK/err"; die "policies: exit $rc"; }
[ "$(json_get "$WORK/out" matched-groups)" = 2 ] || die "policies: matched groups"
python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
v={g["workload"]:g["metrics"][0]["verdict"] for g in d["groups"]}
assert v=={"idle":"better","other":"worse"}, v
assert d["groups"][0]["base-policy"]=="precopy" and d["groups"][0]["new-policy"]=="precopy+xbzrle"' "$WORK/out"
status "$MIGSIM" compare "$WORK/pol.db:policy=precopy,workload=idle" "$WORK/pol.db:policy=precopy+xbzrle,workload=idle" --metric total-time
[ "$rc" = 0 ] || die "policies, one workload: exit $rc"
grep -q 'precopy -> precopy+xbzrle' "$WORK/out" || die "policy label"
echo "ok: two policies of one database"

# Without a policy filter, different policies are different groups.
status "$MIGSIM" compare "$WORK/base.db" "$WORK/pol.db" --metric total-time --json
[ "$(json_get "$WORK/out" matched-groups)" = 1 ] || die "unfiltered: matched groups"

# Bad input: exit 2 with one error line.
bad() { # bad DESC PATTERN ARGS...
	d=$1; p=$2; shift 2
	expect_fail "$d" "$p" -- "$MIGSIM" compare "$@"
	status "$MIGSIM" compare "$@"
	[ "$rc" = 2 ] || die "$d: exit $rc, expected 2"
}
echo "not a database" >"$WORK/text.db"
bad "missing database" "no-such.db" "$WORK/no-such.db" "$WORK/base.db"
bad "not SQLite" "not a SQLite database" "$WORK/base.db" "$WORK/text.db"
bad "no matching runs" "no runs match" "$WORK/base.db" "$WORK/base.db:policy=nope"
bad "unknown filter key" "unknown filter key" "$WORK/base.db:colour=red" "$WORK/base.db"
bad "unknown metric" "unknown metric.*no-such" "$WORK/base.db" "$WORK/base.db" --metric no-such
bad "bad threshold" "threshold" "$WORK/base.db" "$WORK/base.db" --threshold lots
bad "one database" "two databases" "$WORK/base.db"
# Another RAM size on one side only pairs across it, named in the header;
# --pair-on keeps it in the key, and then nothing pairs: the error names it.
mk "$WORK/ram.db" '[{"config":{"ram-bytes":1073741824},"metrics":{"total-time":[1,2,3,4]}}]'
status "$MIGSIM" compare "$WORK/base.db" "$WORK/ram.db"
[ "$rc" = 0 ] || { cat "$WORK/out" "$WORK/err"; die "ram: exit $rc"; }
grep -q '^DIFFERS ram-bytes: 64MiB -> 1GiB$' "$WORK/out" || { cat "$WORK/out"; die "ram: header"; }
bad "no common group" "no group of runs in common.*ram-bytes \(64MiB; 1GiB\)" \
	"$WORK/base.db" "$WORK/ram.db" --pair-on ram-bytes
[ "$(sql "$WORK/base.db" 'select count(*) from runs')" = 5 ] || die "base.db changed"
[ "$(cat "$WORK/text.db")" = "not a database" ] || die "text.db changed"

# Two databases that differ only in the XBZRLE cache (64 MiB against 8 MiB),
# 8 seeds each, every 8 MiB run slower: paired, the setting named, and the
# statistics pinned (medians; exact two-sided p = 2 / C(16, 8)).
xb='{"total-time":[1000,1010,990,1005,995,1002,998,1008]}'
xs='{"total-time":[1200,1212,1188,1206,1194,1203,1197,1210]}'
mk "$WORK/xb64.db" "[{\"policy\":\"precopy+xbzrle\",\"params\":{\"xbzrle-cache-size\":67108864},\"metrics\":$xb}]"
mk "$WORK/xb8.db" "[{\"policy\":\"precopy+xbzrle\",\"params\":{\"xbzrle-cache-size\":8388608},\"metrics\":$xs}]"
status "$MIGSIM" compare "$WORK/xb64.db" "$WORK/xb8.db" --metric total-time
[ "$rc" = 1 ] || { cat "$WORK/out" "$WORK/err"; die "cache size: exit $rc"; }
grep -q '^DIFFERS xbzrle-cache-size: 64MiB -> 8MiB$' "$WORK/out" || { cat "$WORK/out"; die "cache size: header"; }
grep -q '^  total-time .* +20.0[0-9]% .* worse$' "$WORK/out" || { cat "$WORK/out"; die "cache size: row"; }
status "$MIGSIM" compare "$WORK/xb64.db" "$WORK/xb8.db" --metric total-time --json
python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
assert d["differing-settings"]==[{"setting":"xbzrle-cache-size","base":"67108864","new":"8388608"}], d["differing-settings"]
m=d["groups"][0]["metrics"][0]
assert (m["median-base"], m["median-new"]) == (1001.0, 1201.5), m
assert m["method"] == "exact" and abs(m["p"] - 2 / 12870) < 1e-12, m
assert m["verdict"] == "worse", m' "$WORK/out" || die "cache size: json"
echo "ok: two databases that differ in one setting"

# A parameter the older side lacks (as results/baseline lacks those added
# since): paired, named as "(none) -> value".
mk "$WORK/old.db" "[{\"drop\":[\"xbzrle-cache-size\"],\"metrics\":$base}]"
status "$MIGSIM" compare "$WORK/old.db" "$WORK/base.db"
[ "$rc" = 0 ] || { cat "$WORK/out" "$WORK/err"; die "old: exit $rc"; }
grep -q '^DIFFERS xbzrle-cache-size: (none) -> 64MiB$' "$WORK/out" || { cat "$WORK/out"; die "old: header"; }
echo "ok: a parameter on one side only"

# Parameters in the header read in their own units, whatever their name:
# host-timeslice is stored in ns and named without "-ns".
mk "$WORK/ts3.db" "[{\"params\":{\"host-timeslice\":3000000,\"downtime-limit\":300},\"metrics\":$base}]"
mk "$WORK/ts1.db" "[{\"params\":{\"host-timeslice\":1000000,\"downtime-limit\":30},\"metrics\":$base}]"
status "$MIGSIM" compare "$WORK/ts3.db" "$WORK/ts1.db"
grep -q 'host-timeslice: 3ms -> 1ms$' "$WORK/out" || { cat "$WORK/out"; die "timeslice: header"; }
grep -q '^DIFFERS .*downtime-limit: 300ms -> 30ms' "$WORK/out" || { cat "$WORK/out"; die "downtime-limit: header"; }
echo "ok: parameters named in their units"

# Two cache sizes on one side do not pair with one on the other (which one
# would it be?) until --ignore leaves the setting out.
mk "$WORK/two.db" "[{\"params\":{\"xbzrle-cache-size\":8388608},\"metrics\":$xs},
 {\"params\":{\"xbzrle-cache-size\":16777216},\"metrics\":$xs}]"
bad "two values on one side" "no group of runs in common.*xbzrle-cache-size \(64MiB; 8MiB\)" \
	"$WORK/base.db" "$WORK/two.db"
status "$MIGSIM" compare "$WORK/base.db" "$WORK/two.db" --ignore xbzrle-cache-size --metric total-time --json
[ "$(json_get "$WORK/out" matched-groups)" = 1 ] || { cat "$WORK/out" "$WORK/err"; die "--ignore: matched"; }
[ "$(json_get "$WORK/out" groups.0.new-runs)" = 16 ] || die "--ignore: the two groups are one"
[ "$(json_get "$WORK/out" ignored.0)" = xbzrle-cache-size ] || die "--ignore: not listed"
echo "ok: --ignore"

# One experiment with two policies of its own, xb64 and xb8, that differ in
# the cache size only: policy-name= picks each (the stored label is
# precopy+xbzrle for both), the groups pair, the cache size is named.
mk "$WORK/exp.db" "[{\"policy\":\"precopy+xbzrle\",\"experiment\":\"cache\",\"config\":{\"sweep\":{\"policy\":{\"name\":\"xb64\"}}},
  \"params\":{\"xbzrle-cache-size\":67108864},\"metrics\":$xb},
 {\"policy\":\"precopy+xbzrle\",\"experiment\":\"cache\",\"config\":{\"sweep\":{\"policy\":{\"name\":\"xb8\"}}},
  \"params\":{\"xbzrle-cache-size\":8388608},\"metrics\":$xs}]"
status "$MIGSIM" compare "$WORK/exp.db:policy-name=xb64" "$WORK/exp.db:policy-name=xb8" --metric total-time
[ "$rc" = 1 ] || { cat "$WORK/out" "$WORK/err"; die "policy-name: exit $rc"; }
grep -q '^BASE .*(8 runs, 1 groups)$' "$WORK/out" || { cat "$WORK/out"; die "policy-name: base runs"; }
grep -q '^DIFFERS xbzrle-cache-size: 64MiB -> 8MiB$' "$WORK/out" || { cat "$WORK/out"; die "policy-name: header"; }
grep -q '  xb64 -> xb8  (n = 8 vs 8)$' "$WORK/out" || { cat "$WORK/out"; die "policy-name: label"; }
echo "ok: policy-name filter"
