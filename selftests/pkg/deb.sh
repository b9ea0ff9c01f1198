#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 1800
# lw4o6-needs: deb
# lw4o6-vm: background
#
# The Debian packages from `make deb` (build/deb), installed, used and
# purged on this VM's kernel: lw4o6-dkms's module comes through DKMS and
# modprobe, lw4o6's programs drive it, and the purge leaves nothing behind.
#
# The VM's root is the host's, read-only: the packages go into a root of
# their own, an overlay (tmpfs upper) on / entered with chroot.  Only this
# kernel is visible there (the other kernels' /boot/config-* are hidden),
# so DKMS builds for it alone.
#
# In selftests/TESTS; "lw4o6-needs: deb": scripts/check.sh makes the
# packages and the prebuilt module while the VMs run.  About 5 minutes of
# CPU under TCG even without compiling, most of it DKMS's own work (every
# dkms command several seconds, depmod over the kernel's compressed
# modules on install and on purge), and no timing window: so "lw4o6-vm:
# background", a VM of its own at the lowest priority, beside the main
# ones.  15 minutes with DKMS compiling, which `make check-deb` does.
# docs/testing.md, "The packages".
#
# Where the module comes from (LW4O6_DEB_DKMS):
#   build (make check-deb)  DKMS compiles the module here, as on a real
#       machine.
#   prebuilt (the default when there is one)  scripts/check.sh's `dkms
#       build` on the host of the sources in lw4o6-dkms, as `dkms
#       mktarball` left it in build/deb/prebuilt/lw4o6-VERSION-KVER.dkms.tar.gz,
#       put where lw4o6-dkms's postinst looks for one
#       (/usr/share/lw4o6-dkms/): DKMS loads it (dkms ldtarball) instead
#       of compiling.
source "$(dirname "$0")/../lib/lib.sh"

require_root
require_cmd chroot dpkg
KVER=$(uname -r)
VER=$(sed -n '1s/^[^ ]* (\([^()]*\)).*/\1/p' "$TOP/debian/changelog")
DEBS=$TOP/build/deb
mode=${LW4O6_DEB_DKMS:-}
dkms_deb=$DEBS/lw4o6-dkms_${VER}_all.deb
cli_deb=$(ls "$DEBS"/lw4o6_"${VER}"_*.deb 2>/dev/null | head -n 1)
prebuilt=$DEBS/prebuilt/lw4o6-$VER-$KVER.dkms.tar.gz

[ -f "$dkms_deb" ] && [ -n "$cli_deb" ] ||
	ktap_skip_all "no lw4o6 $VER packages in build/deb (run make deb)"
[ -n "$mode" ] || { [ -f "$prebuilt" ] && mode=prebuilt || mode=build; }
case $mode in
prebuilt)
	[ -f "$prebuilt" ] || ktap_skip_all "no $prebuilt (scripts/check.sh makes it" \
		"unless LW4O6_SKIP_DKMS=1)" ;;
build) ;;
*) ktap_skip_all "LW4O6_DEB_DKMS=$mode: expected prebuilt or build" ;;
esac
if [ -e /var/lib/dkms/lw4o6 ] || ls -d /usr/src/lw4o6-* > /dev/null 2>&1; then
	ktap_skip_all "lw4o6 is in the host's DKMS already (make dkms-remove)"
fi
[ -d /sys/module/lw4o6 ] && rmmod lw4o6

# ---- a root of the packages' own ----------------------------------------
R=$TMPDIR/root U=$TMPDIR/upper
mkdir -p "$R" "$U" "$TMPDIR/work"
mount -t overlay -o "lowerdir=/,upperdir=$U,workdir=$TMPDIR/work,xino=off" overlay "$R" ||
	ktap_skip_all "overlayfs on / failed"
defer umount -R "$R"
for d in proc sys dev; do mount --rbind "/$d" "$R/$d"; done
# devtmpfs alone has no /dev/fd (udev makes it); dkms needs it for <(...)
if [ ! -e /dev/fd ]; then
	ln -s /proc/self/fd /dev/fd
	defer rm -f /dev/fd
fi
mount -t tmpfs tmpfs "$R/tmp"
mount -t tmpfs tmpfs "$R/run"
for c in /boot/config-*; do [ "$c" = "/boot/config-$KVER" ] || rm -f "$R$c"; done
# man-db's trigger reindexes every page: a minute under TCG, nothing tested
rm -f "$R/var/lib/man-db/auto-update"
cp "$dkms_deb" "$cli_deb" "$R/tmp/"
if [ "$mode" = prebuilt ]; then
	mkdir -p "$R/usr/share/lw4o6-dkms"
	cp "$prebuilt" "$R/usr/share/lw4o6-dkms/lw4o6-$VER.dkms.tar.gz"
fi

in_root() {
	chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# ---- install --------------------------------------------------------------
t0=$(date +%s)
check_cmd "dpkg -i lw4o6-dkms lw4o6 ($mode module)" \
	in_root dpkg -i "/tmp/${dkms_deb##*/}" "/tmp/${cli_deb##*/}"
ktap_diag "install: $(( $(date +%s) - t0 )) s"
[ "$mode" = prebuilt ] && rm -f "$R/usr/share/lw4o6-dkms/lw4o6-$VER.dkms.tar.gz" &&
	rmdir "$R/usr/share/lw4o6-dkms"
# as the kernel's own modules are: lw4o6.ko.xz on Debian
ko=/lib/modules/$KVER/updates/dkms/lw4o6.ko
expect_eq "dkms status: installed for $KVER" \
	"$(in_root dkms status -m lw4o6 -v "$VER" -k "$KVER" 2> /dev/null | sed 's/,.*: /: /')" \
	"lw4o6/$VER: installed"
path=$(in_root modinfo -n lw4o6 2>&1)
expect_eq "modinfo finds lw4o6 in DKMS's place" "${path%.[gx]z}" "$ko"
# What the packages own (dpkg-deb -c: dpkg -L would read dpkg's whole
# database again, seconds under TCG)
files=$(for p in "$dkms_deb" "$cli_deb"; do dpkg-deb -c "$p"; done |
	awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }')
missing=$(for f in $files; do [ -e "$R$f" ] || echo "$f"; done)
expect_eq "every file of the packages is in place" "$missing" ""
for f in /usr/sbin/lw4o6 /usr/sbin/lw4o6d /lib/systemd/system/lw4o6d@.service \
	 /usr/src/lw4o6-$VER/dkms.conf; do
	case $'\n'$files$'\n' in
	*$'\n'$f$'\n'*) ktap_ok "the packages have $f" ;;
	*) ktap_fail "the packages have $f" ;;
	esac
done

# ---- a short tour -------------------------------------------------------
check_cmd "modprobe lw4o6 (with what it needs)" in_root modprobe lw4o6
LW4O6_LOADED_BY_US=1
expect_eq "the loaded module is $VER" "$(cat /sys/module/lw4o6/version 2>&1)" "$VER"
in_root lw4o6 -V > "$TMPDIR/v.out" 2> "$TMPDIR/v.err"
expect_eq "lw4o6 -V shows both versions" "$(sed 's/ (.*//' "$TMPDIR/v.out")" \
	"lw4o6 $VER"$'\n'"module lw4o6 $VER"
expect_eq "lw4o6 -V: no mismatch warning" "$(cat "$TMPDIR/v.err")" ""
expect_eq "lw4o6d -V" "$(in_root lw4o6d -V 2>&1)" "lw4o6d $VER"
check_cmd "dev add" in_root lw4o6 dev add lw0 mode aftr local 2001:db8:ffff::1
check_cmd "binding add" in_root lw4o6 binding add dev lw0 ipv4 192.0.2.1 psid 1/6 \
	offset 6 b4 2001:db8:1::1
expect_eq "binding show" "$(in_root lw4o6 -j binding show dev lw0 |
	jq -r '.[] | "\(.ipv4) \(.b4)"' 2>&1)" "192.0.2.1 2001:db8:1::1"
check_cmd "dev del" in_root lw4o6 dev del lw0
check_cmd "modprobe -r lw4o6" in_root modprobe -r lw4o6

# ---- purge ----------------------------------------------------------------
t0=$(date +%s)
check_cmd "dpkg --purge lw4o6 lw4o6-dkms" in_root dpkg --purge lw4o6 lw4o6-dkms
ktap_diag "purge: $(( $(date +%s) - t0 )) s"
left=$(for f in $files; do [ -e "$R$f" ] && echo "$f"; done)
expect_eq "every file the packages owned is gone" "$left" ""
expect_eq "DKMS forgot lw4o6" "$(ls -d "$R"/var/lib/dkms/lw4o6 "$R"/usr/src/lw4o6-* \
	"$R"/lib/modules/*/updates/dkms/lw4o6.ko 2>/dev/null)" ""
check_fail "modinfo no longer finds lw4o6" in_root modinfo -n lw4o6
# Anything named after lw4o6 that the install wrote and the purge left.
expect_eq "nothing named lw4o6 left in the root" \
	"$(cd "$U" && find . -name '*lw4o6*' ! -path './tmp/*' | sort)" ""
ktap_finish
