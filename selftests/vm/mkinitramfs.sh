#!/bin/bash
# mkinitramfs.sh [-f] KVER OUT.cpio.gz
#
# Build the small busybox initramfs that boots a Debian kernel KVER in qemu
# for the lw4o6 tests.  It holds only busybox-static, the modules needed to
# reach the host's root over virtio-9p (plus overlayfs), and /init.  /init:
#   - loads those modules (order from `modprobe -S KVER --show-depends`),
#   - mounts the 9p share "root" (the host's /, read-only) on /newroot,
#   - mounts proc, sys, devtmpfs, devpts, /dev/shm, tmpfs on /tmp /run
#     /var/tmp /var/log, an overlay (tmpfs upper) on /etc /var /root so tools
#     that write there work (tmpfs when overlayfs fails),
#   - mounts the read-write 9p share "out" on /run/lw4o6/out, and "shared"
#     (run-vm.sh -s) on /run/lw4o6/shared when qemu has it,
#   - keeps the repo ($LW4O6_TOP) visible even when it lives under one of
#     the tmpfs directories (a clone in /tmp),
#   - switch_roots into /newroot and runs $LW4O6_TOP/selftests/vm/guest-init.sh
#     as PID 1 (LW4O6_TOP read from the file "top" in the out share).
# Any failure prints "lw4o6-init: ..." and powers the VM off at once.
#
# The result is cached: OUT is rebuilt only when this script, KVER or the
# kernel's modules.dep changed (OUT.stamp records them), or with -f.
set -euo pipefail

force=0
if [ "${1:-}" = -f ]; then force=1; shift; fi
[ $# -eq 2 ] || { echo "usage: $0 [-f] KVER OUT.cpio.gz" >&2; exit 2; }
KVER=$1 OUT=$2

moddir=/lib/modules/$KVER
[ -d "$moddir" ] || { echo "mkinitramfs: $moddir missing" >&2; exit 1; }
BUSYBOX=$(command -v busybox || :)
for b in /bin/busybox /usr/bin/busybox "$BUSYBOX"; do
	[ -n "$b" ] && [ -x "$b" ] && { BUSYBOX=$b; break; }
done
[ -n "$BUSYBOX" ] || { echo "mkinitramfs: busybox (busybox-static) missing" >&2; exit 1; }
if ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' &&
   ldd "$BUSYBOX" >/dev/null 2>&1; then
	echo "mkinitramfs: $BUSYBOX is dynamically linked; install busybox-static" >&2
	exit 1
fi

stamp="$KVER $(sha256sum < "$0" | cut -d' ' -f1) $(stat -c %Y "$moddir/modules.dep") $(stat -c %Y "$BUSYBOX")"
if [ $force = 0 ] && [ -s "$OUT" ] && [ "$(cat "$OUT.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lw4o6-initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/bin "$root"/sbin "$root"/usr/bin "$root"/usr/sbin "$root"/proc \
	"$root"/sys "$root"/dev "$root"/newroot "$root"/lib/modules
cp "$BUSYBOX" "$root/bin/busybox"

# Modules, in load order, without duplicates; decompressed for busybox insmod.
: > "$root/modules.list"
for m in virtio_pci 9pnet_virtio 9p overlay; do
	modprobe -S "$KVER" --show-depends "$m" 2>/dev/null || {
		echo "mkinitramfs: module $m not found for $KVER" >&2; exit 1; }
done | while read -r kind path _; do
	[ "$kind" = insmod ] || continue          # "builtin MOD" needs nothing
	name=$(basename "$path")
	name=${name%.xz}; name=${name%.zst}; name=${name%.gz}
	grep -qx "$name" "$root/modules.list" && continue
	case $path in
	*.ko.xz)  xz -dc "$path" > "$root/lib/modules/$name" ;;
	*.ko.zst) zstd -qdc "$path" > "$root/lib/modules/$name" ;;
	*.ko.gz)  gzip -dc "$path" > "$root/lib/modules/$name" ;;
	*)        cp "$path" "$root/lib/modules/$name" ;;
	esac
	echo "$name" >> "$root/modules.list"
done

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

die() {
	echo "lw4o6-init: $*" >&2
	poweroff -f
	sleep 10
}

mount -t devtmpfs devtmpfs /dev || die "mount /dev"
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc || die "mount /proc"
mount -t sysfs sysfs /sys || die "mount /sys"

while read -r m; do
	insmod "/lib/modules/$m" || die "insmod $m"
done < /modules.list

o9p=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "$o9p,cache=loose,ro" root /newroot || die "mount 9p root"
R=/newroot

mkdir -p /out
mount -t 9p -o "$o9p,rw" out /out || die "mount 9p out"
# run-vm.sh -s: a share of several VMs; uncached, so that each sees the
# others' changes at once
mkdir -p /shared
mount -t 9p -o "$o9p,rw" shared /shared 2>/dev/null || rmdir /shared
top=
read -r top < /out/top || die "no 'top' file in the out share"
# A repo under a directory that gets a tmpfs below (a clone in /tmp, say)
# stays visible: keep a bind mount of it and put it back on top.
keep=0
case "$top/" in
/tmp/*|/run/*|/var/tmp/*|/var/log/*)
	mkdir -p /keep
	mount --bind "$R$top" /keep || die "bind $top"
	keep=1 ;;
esac

mount --move /dev $R/dev || die "move /dev"
mount --move /proc $R/proc || die "move /proc"
mount --move /sys $R/sys || die "move /sys"
mkdir -p $R/dev/pts $R/dev/shm 2>/dev/null
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $R/dev/pts || die "mount devpts"
mount -t tmpfs -o mode=1777 tmpfs $R/dev/shm || die "mount /dev/shm"
mount -t tmpfs -o mode=755 tmpfs $R/run || die "mount /run"
mkdir -p $R/run/lw4o6/out $R/run/lw4o6/ovl $R/run/lock
mount --move /out $R/run/lw4o6/out || die "move the out share"
if [ -d /shared ]; then
	mkdir -p $R/run/lw4o6/shared
	mount --move /shared $R/run/lw4o6/shared || die "move the shared share"
fi

# Writable views of directories that tools expect to write to.
for d in etc var root; do
	[ -d "$R/$d" ] || continue
	u=$R/run/lw4o6/ovl/$d
	mkdir -p "$u/upper" "$u/work"
	mount -t overlay -o "lowerdir=$R/$d,upperdir=$u/upper,workdir=$u/work,xino=off" \
		overlay "$R/$d" 2>/dev/null ||
	mount -t tmpfs -o mode=755 tmpfs "$R/$d" || die "mount /$d"
done
for d in tmp var/tmp; do
	mount -t tmpfs -o mode=1777 tmpfs "$R/$d" || die "mount /$d"
done
mount -t tmpfs -o mode=755 tmpfs $R/var/log || die "mount /var/log"
mkdir -p $R/var/lib $R/var/cache $R/var/log/journal 2>/dev/null

if [ $keep = 1 ]; then
	mkdir -p "$R$top" && mount --move /keep "$R$top" || die "remount $top"
fi
gi=$top/selftests/vm/guest-init.sh
[ -f "$R$gi" ] || die "$gi not found in the guest"
[ -x "$R/bin/bash" ] || die "/bin/bash missing on the host root"
exec switch_root $R /bin/bash "$gi"
die "switch_root failed"
INIT
chmod 755 "$root/init"

# /dev/console must exist in the initramfs for the kernel to give /init its
# stdio; /init redirects to devtmpfs's console anyway if we cannot mknod.
mkdir -p "$root/dev"
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || :

mkdir -p "$(dirname "$OUT")"
tmp=$(mktemp "$OUT.XXXXXX")
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$OUT"
echo "$stamp" > "$OUT.stamp"
