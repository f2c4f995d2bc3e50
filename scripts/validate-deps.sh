#!/bin/sh
# Installs what `make validate` needs from Debian packages: QEMU (preferably
# from bookworm-backports, see docs/validation.md for why 7.2 is not ground
# truth), a kernel to boot directly and busybox-static for the initramfs
# (validation/validate.py packs it itself). The backports suite is added at
# install time from the machine's own Debian mirror, so no host name lives
# in the repository.
# With QEMU=/path/to/qemu-system-x86_64 the QEMU packages are not needed.
set -eu
need="gcc python3 busybox-static linux-image-amd64"
[ -n "${QEMU:-}" ] || need="$need qemu-system-x86"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "validate-deps: missing Debian packages:$missing (run make validate as root once)" >&2
	exit 1
fi

# The first URIs line of the Debian main archive in the machine's own sources.
mirror() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ && $2 ~ /\/debian\/?$/ { print $2; exit }' "$f"
	done | head -n 1
	[ -f /etc/apt/sources.list ] &&
		awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list
	return 0
}

bpo=/etc/apt/sources.list.d/migsim-backports.sources
if [ ! -f "$bpo" ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	url=$(mirror | head -n 1)
	if [ -n "$url" ]; then
		echo "validate-deps: adding bookworm-backports from $url" >&2
		printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			"$url" >"$bpo"
	fi
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
rest=""
for p in $missing; do
	[ "$p" = qemu-system-x86 ] || rest="$rest $p"
done
[ -z "$rest" ] || apt-get install -y --no-install-recommends $rest >&2
case "$missing" in
*qemu-system-x86*)
	if ! apt-get install -y --no-install-recommends -t bookworm-backports qemu-system-x86 >&2; then
		echo "validate-deps: WARNING: QEMU from bookworm-backports failed to install;" \
			"falling back to bookworm's QEMU 7.2, which is NOT ground truth" \
			"(docs/validation.md)" >&2
		apt-get install -y --no-install-recommends qemu-system-x86 >&2
	fi
	;;
esac
