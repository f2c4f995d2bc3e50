# The script table's required fields: a missing one is named as missing, a
# field of the wrong type says what it must be; the two messages differ.
. "$E2E_LIB"
run() { "$MIGSIM" run --guest bare "$@" --ram 64MiB --no-db; }

# script NAME FIELDS...: a workload whose table holds only the fields given.
script() {
	f="$WORK/$1.lua"
	shift
	echo "return {" >"$f"
	for part in "$@"; do
		case $part in
		name) echo '  name = "w",' ;;
		description) echo '  description = "a test workload",' ;;
		regions) echo '  regions = {{name = "buf", size = 4096}},' ;;
		step) echo '  step = function(mem, p) return 1e6 end,' ;;
		bad_name) echo '  name = 7,' ;;
		bad_description) echo '  description = {},' ;;
		bad_regions) echo '  regions = 5,' ;;
		bad_step) echo '  step = 5,' ;;
		bad_params) echo '  params = 5,' ;;
		bad_init) echo '  init = 5,' ;;
		esac >>"$f"
	done
	echo "}" >>"$f"
}

all="name description regions step"
for field in $all; do
	others=$(echo " $all " | sed "s/ $field / /")
	# shellcheck disable=SC2086 # a list of fields
	script "no_$field" $others
	expect_fail "no $field" "^migsim: missing field '$field' .*required" -- run "$WORK/no_$field.lua"
	# shellcheck disable=SC2086
	script "bad_$field" $others "bad_$field"
	expect_fail "wrong type of $field" "^migsim: .*'$field' must be" -- run "$WORK/bad_$field.lua"
	grep -q missing "$WORK/err" && die "a $field of the wrong type is called missing"
done
# The optional ones: absent is fine, the wrong type is not.
for field in params init; do
	# shellcheck disable=SC2086
	script "bad_$field" $all "bad_$field"
	expect_fail "wrong type of $field" "^migsim: '$field' must be" -- run "$WORK/bad_$field.lua"
done
script complete $all
run "$WORK/complete.lua" >/dev/null || die "a script with the required fields only fails"
echo "ok: the required fields alone run"
