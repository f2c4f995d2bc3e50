#!/bin/sh
# Checks that the Debian packages migsim builds against are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# one command that does and fails, so `make` stops before a confusing error.
# Extra package names may be given as arguments (`make check` adds python3,
# which the end-to-end tests use to read JSON and SQLite). A name ending in
# "?" is needed only where the distribution has it: `make check` asks for
# "chromium?" (the browser test of tests/e2e/t_report.sh), which is skipped,
# saying so, on a system with no chromium package.
set -eu
need="pkg-config liblua5.4-dev libsqlite3-dev libplot-dev check"
[ "$#" -gt 0 ] && need="$need $*"
missing=""
updated=""
# Whether apt knows a version of package $1 to install (as root, after
# refreshing its lists once: a fresh system may have none yet).
installable() {
	apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [0-9]' && return 0
	[ "$(id -u)" -eq 0 ] && [ -z "$updated" ] || return 1
	updated=1
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
	apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [0-9]'
}
for p in $need; do
	case $p in
	*\?)
		p=${p%\?}
		installable "$p" || {
			echo "deps: no $p package here; the tests that need it are skipped" >&2
			continue
		}
		;;
	esac
	# A tool found on PATH is enough (python3 may come from elsewhere).
	[ "$p" = python3 ] && command -v python3 >/dev/null 2>&1 && continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing$missing" >&2
	[ -n "$updated" ] || DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $cmd >&2
else
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root:  $cmd" >&2
	exit 1
fi
