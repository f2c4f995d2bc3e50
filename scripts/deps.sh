#!/bin/sh
# Checks that the Debian packages migsim builds against are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# one command that does and fails, so `make` stops before a confusing error.
# Extra package names may be given as arguments (`make check` adds python3,
# which the end-to-end tests use to read JSON and SQLite).
set -eu
need="pkg-config liblua5.4-dev libsqlite3-dev libplot-dev check"
[ "$#" -gt 0 ] && need="$need $*"
missing=""
for p in $need; do
	# A tool found on PATH is enough (python3 may come from elsewhere).
	[ "$p" = python3 ] && command -v python3 >/dev/null 2>&1 && continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing$missing" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $cmd >&2
else
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root:  $cmd" >&2
	exit 1
fi
