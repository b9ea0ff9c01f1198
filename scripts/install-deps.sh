#!/bin/sh
# Install everything lw4o6 needs to build and test on Debian 12, idempotently.
# Both test kernels are installed side by side: 6.1 from bookworm and 6.12 from
# bookworm-backports.  We install the versioned image/headers packages (not the
# linux-*-amd64 metapackages, which can only point at one of them).
set -eu

[ "$(id -u)" = 0 ] || { echo "install-deps: must run as root" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

BUILD_PKGS="build-essential pkg-config libmnl-dev libcmocka-dev kmod xz-utils
 cpio busybox-static qemu-system-x86 dkms iproute2 nftables python3
 python3-scapy tcpdump tshark jq gojq bc zstd iputils-ping openssl
 libsqlite3-dev sqlite3 clang libclang-rt-14-dev miniupnpd-nftables
 libnftables-dev kea-dhcp4-server kea-dhcp6-server postgresql libpq-dev
 frr dnsmasq-base prometheus
 libsystemd-dev
 debhelper dh-dkms lintian"

stamp=/var/lib/lw4o6-deps.stamp
want="$(echo $BUILD_PKGS) k61 k612 v6"

have_kernels() {
	ls /boot/vmlinuz-6.1.* >/dev/null 2>&1 &&
	ls /boot/vmlinuz-6.12.* >/dev/null 2>&1 &&
	ls -d /usr/src/linux-headers-6.1.*-amd64 >/dev/null 2>&1 &&
	ls -d /usr/src/linux-headers-6.12.*-amd64 >/dev/null 2>&1
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && have_kernels &&
   dpkg-query -W $BUILD_PKGS >/dev/null 2>&1; then
	exit 0
fi

src=/etc/apt/sources.list.d/debian.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "install-deps: adding the bookworm-backports suite"
	uri=$(sed -n 's/^URIs: *//p' "$src" 2>/dev/null | head -n1)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	cat > /etc/apt/sources.list.d/lw4o6-backports.sources <<EOT
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
fi

apt-get update -q
# tshark asks whether non-root users may capture; answer it up front.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get install -y -q --no-install-recommends $BUILD_PKGS

dep() { apt-cache depends $1 "$2" | sed -n 's/^ *Depends: \(linux-[a-z]*-[0-9].*\)$/\1/p' | head -n1; }
k61_img=$(dep "" linux-image-amd64)
k61_hdr=$(dep "" linux-headers-amd64)
k612_img=$(dep "-t bookworm-backports" linux-image-amd64)
k612_hdr=$(dep "-t bookworm-backports" linux-headers-amd64)
for p in "$k61_img" "$k61_hdr" "$k612_img" "$k612_hdr"; do
	[ -n "$p" ] || { echo "install-deps: cannot resolve kernel packages" >&2; exit 1; }
done
apt-get install -y -q --no-install-recommends "$k61_img" "$k61_hdr"
apt-get install -y -q --no-install-recommends -t bookworm-backports "$k612_img" "$k612_hdr"

have_kernels || { echo "install-deps: kernels missing after install" >&2; exit 1; }
echo "$want" > "$stamp"
