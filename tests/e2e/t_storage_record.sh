# A storage migration's run in the database: its disk metrics, the series'
# disk columns (NULL for a run without disks), and the report's third
# timeline for it, with the risk window's lines.
. "$E2E_LIB"
db="$WORK/s.db"
"$MIGSIM" run db_server --guest bare --ram 128MiB --disk 512MiB,allocated=0.5 \
	--storage postcopy-stream --db "$db" --quiet >/dev/null || die "postcopy-stream run failed"
"$MIGSIM" run idle --guest bare --ram 64MiB --db "$db" --quiet >/dev/null || die "plain run failed"
q() { sql "$db" "$1"; }
[ "$(q "SELECT value FROM metrics WHERE run_id = 1 AND name = 'disk-verified'")" = 1.0 ] ||
	die "disk-verified"
window=$(q "SELECT value FROM metrics WHERE run_id = 1 AND name = 'risk-window-disk'")
risk=$(q "SELECT value FROM metrics WHERE run_id = 1 AND name = 'risk-window'")
[ "$window" = "$risk" ] || die "risk-window $risk is not the disk part $window"
python3 -c "assert $window > 1000, $window" || die "a disk risk window of $window ms"
[ "$(q "SELECT count(*) FROM metrics WHERE run_id = 2 AND name LIKE 'disk-%'")" = 0 ] ||
	die "disk metrics for a run without disks"
[ "$(q "SELECT count(*) FROM series WHERE run_id = 1 AND disk_remaining IS NULL")" = 0 ] ||
	die "samples without the disk's progress"
[ "$(q "SELECT min(disk_remaining) FROM series WHERE run_id = 1")" = 0 ] ||
	die "the stream never finished in the series"
[ "$(q "SELECT count(disk_remaining) FROM series WHERE run_id = 2")" = 0 ] ||
	die "disk progress for a run without disks"
echo "ok: disk metrics and series recorded (disk risk window ${window} ms)"
"$MIGSIM" report --db "$db" -o "$WORK/rep" >/dev/null || die "report failed"
[ -s "$WORK/rep/runs/run1-disk.png" ] || die "no disk timeline for run 1"
[ ! -e "$WORK/rep/runs/run2-disk.png" ] || die "a disk timeline for a run without disks"
grep -q 'run1-disk' "$WORK/rep/runs/run1.html" || die "run 1's page lacks its disk timeline"
echo "ok: the report draws the disk's progress"
