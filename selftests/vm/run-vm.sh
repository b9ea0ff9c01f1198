#!/bin/bash
# run-vm.sh - run one command inside a qemu (TCG) VM booting a Debian kernel.
#
# usage: selftests/vm/run-vm.sh [-k KVER] [-t TIMEOUT_SECS] [-m MEM_MB] [--bench]
#                               [-o OUTDIR] [-s DIR] [-i] [--] CMD [ARGS...]
#
#   -k KVER     kernel: full release (6.12.95+deb12-amd64) or a series (6.1,
#               6.12; the newest installed of that series).  Default:
#               $LW4O6_KVER, else 6.12.
#   -t SECS     wall-clock limit for the whole VM (boot included); default
#               $LW4O6_VM_TIMEOUT, else 600.  Exceeding it kills qemu: exit 124.
#   -m MB       guest memory, default 2048.
#   --bench     -accel tcg -icount shift=0,sleep=off -smp 1: guest time follows
#               instructions executed, so in-guest rates are repeatable.
#   -s DIR      a host directory shared read-write (tag "shared", uncached)
#               with every VM given the same DIR: $LW4O6_SHARED in the guest
#               (check.sh's VMs of one kernel take their tests from it)
#   -o OUTDIR   host directory shared read-write with the guest (tag "out",
#               $LW4O6_OUT in the guest).  Default: a fresh
#               build/vm/runs/KVER-DATE-PID (the last 20 are kept);
#               build/vm/last and build/vm/last-KVER point at the latest.
#   -i          interactive: the guest command (default: bash) gets the serial
#               console as its terminal; quit qemu with Ctrl-A x.
#
# The guest's root is the host's / (read-only 9p), so CMD runs the host's
# binaries and sees the repo at the same path; its cwd is the repo top
# ($LW4O6_TOP, passed in with every other LW4O6_* variable).  The serial
# console (kernel messages and CMD's stdout/stderr) streams to our stdout and
# is saved in OUTDIR/console.log; the guest saves dmesg in OUTDIR/dmesg.
#
# Exit status: CMD's exit status; 124 when the VM did not finish within the
# limit; 125 when the kernel log (dmesg or console) shows an oops, BUG,
# WARNING, panic etc. (offending lines printed; takes precedence over the
# others), or when the guest stopped without reporting a status; 2 on usage
# or setup errors.  A kernel bug during boot, before guest-init.sh ran (a TCG
# flake, nothing under test), makes it boot again, at most twice.
#
# Knobs: LW4O6_QEMU_CPU (default max), LW4O6_QEMU_ACCEL (default
# "-accel tcg,thread=multi -smp 2"), LW4O6_VMLINUZ=1 (boot the compressed
# /boot/vmlinuz instead of the extracted vmlinux).  See docs/testing.md.
set -eu
set -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=common.sh
. "$here/common.sh"
TOP=$(cd "$here/../.." && pwd -P)
if [ -n "${LW4O6_TOP:-}" ]; then
	if [ -f "$LW4O6_TOP/selftests/vm/guest-init.sh" ]; then
		TOP=$(cd "$LW4O6_TOP" && pwd -P)
	else
		echo "run-vm: ignoring LW4O6_TOP=$LW4O6_TOP (no selftests/vm/guest-init.sh there)" >&2
	fi
fi
export LW4O6_TOP=$TOP

kspec=${LW4O6_KVER:-6.12}
timeout=${LW4O6_VM_TIMEOUT:-600}
mem=2048
bench=0
interactive=0
outdir=
shared=

usage() { sed -n '2,/^set -eu/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	-k) kspec=$2; shift 2 ;;
	-t) timeout=$2; shift 2 ;;
	-m) mem=$2; shift 2 ;;
	-o) outdir=$2; shift 2 ;;
	-s) shared=$2; shift 2 ;;
	-i) interactive=1; shift ;;
	--bench) bench=1; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) echo "run-vm: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || [ $interactive = 1 ] || usage
case $timeout in ''|*[!0-9]*) echo "run-vm: bad timeout $timeout" >&2; exit 2 ;; esac

KVER=$(resolve_kver "$kspec") || { echo "run-vm: no installed kernel matches '$kspec'" >&2; exit 2; }
[ -r "/boot/vmlinuz-$KVER" ] || { echo "run-vm: cannot read /boot/vmlinuz-$KVER" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null || { echo "run-vm: qemu-system-x86_64 missing" >&2; exit 2; }

vmdir=$TOP/build/vm
mkdir -p "$vmdir/runs"
if [ "${LW4O6_VMLINUZ:-0}" = 1 ]; then
	kernel=/boot/vmlinuz-$KVER
else
	kernel=$(vmlinux_for "$KVER" "$vmdir")
fi
initrd=$vmdir/initramfs-$KVER.cpio.gz
"$here/mkinitramfs.sh" "$KVER" "$initrd" || { echo "run-vm: initramfs build failed" >&2; exit 2; }

if [ -z "$outdir" ]; then
	outdir=$vmdir/runs/$KVER-$(date +%Y%m%d-%H%M%S)-$$
	mkdir -p "$outdir"
	ln -sfn "runs/$(basename "$outdir")" "$vmdir/last-$KVER"
	ln -sfn "runs/$(basename "$outdir")" "$vmdir/last"
	# keep the 20 newest runs
	ls -1td "$vmdir"/runs/*/ 2>/dev/null | tail -n +21 | while read -r d; do rm -rf "$d"; done
else
	mkdir -p "$outdir"
	rm -f "$outdir"/status "$outdir"/status.tmp "$outdir"/dmesg "$outdir"/console*.log \
		"$outdir"/qemu.pid "$outdir"/qemu.rc "$outdir"/stdin "$outdir"/results "$outdir"/current
fi
outdir=$(cd "$outdir" && pwd -P)

# What the guest needs: the repo path (read by the initramfs), the
# environment and the command (read by guest-init.sh).
printf '%s\n' "$TOP" > "$outdir/top"
{
	while IFS= read -r v; do
		printf 'export %s=%q\n' "$v" "${!v}"
	done < <(compgen -e | grep '^LW4O6_' | grep -v '^LW4O6_OUT$')
	[ $bench = 1 ] && echo 'export LW4O6_BENCH=1'
	[ -n "$shared" ] && echo 'export LW4O6_SHARED=/run/lw4o6/shared'
	echo "export LW4O6_KVER=$KVER"
} > "$outdir/env.sh"
{ printf 'set --'; [ $# -gt 0 ] && printf ' %q' "$@"; echo; } > "$outdir/cmd.sh"
[ $interactive = 1 ] && : > "$outdir/stdin"

# shellcheck disable=SC2054,SC2206  # commas are qemu's; LW4O6_QEMU_ACCEL is words
if [ $bench = 1 ]; then
	accel=(-accel tcg -icount shift=0,sleep=off -smp 1)
else
	accel=(${LW4O6_QEMU_ACCEL:--accel tcg,thread=multi -smp 2})
fi
# qboot starts faster than SeaBIOS and prints nothing on the serial line.
bios=()
[ -f /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)
append="console=ttyS0 edd=off panic=-1 oops=panic loglevel=4 printk.time=1"
append+=" mitigations=off no_timer_check 8250.nr_uarts=1 i8042.noaux i8042.nokbd"
append+=" watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=120 rdinit=/init"
qemu=(qemu-system-x86_64 "${accel[@]}" -m "$mem" -cpu "${LW4O6_QEMU_CPU:-max}"
	-nographic -nodefaults -no-user-config -no-reboot -serial mon:stdio
	"${bios[@]}"
	-kernel "$kernel" -initrd "$initrd" -append "$append"
	-virtfs "local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$outdir,mount_tag=out,security_model=none,multidevs=remap"
	-pidfile "$outdir/qemu.pid")
if [ -n "$shared" ]; then
	mkdir -p "$shared"
	qemu+=(-virtfs "local,path=$(cd "$shared" && pwd -P),mount_tag=shared,security_model=none,multidevs=remap")
fi

qpid() { cat "$outdir/qemu.pid" 2>/dev/null || :; }
on_signal() {
	local p
	p=$(qpid)
	[ -n "$p" ] && kill -TERM "$p" 2>/dev/null
	echo "run-vm: interrupted" >&2
	exit 130
}

BANNER='# lw4o6-vm: '
boot_vm() {
	rm -f "$outdir/status" "$outdir/dmesg" "$outdir/qemu.rc" "$outdir/qemu.pid"
	if [ $interactive = 1 ]; then
		timeout --foreground -k 10 "$timeout" "${qemu[@]}"
		echo $? > "$outdir/qemu.rc"
		: > "$outdir/console.log"
	else
		trap on_signal INT TERM HUP
		{ timeout --foreground -k 10 "$timeout" "${qemu[@]}" < /dev/null 2>&1
		  echo $? > "$outdir/qemu.rc"; } | sed -u 's/\r$//' | tee "$outdir/console.log" &
		wait $!
		trap - INT TERM HUP
	fi
}

start=$(date +%s.%N)
set +e
# A kernel bug before guest-init's banner cannot come from anything under
# test (nothing of ours ran yet): it is a boot flake (seen: a rare "Oops:
# int3" while 6.12 patches static keys under multi-threaded TCG).  Boot
# again, at most twice.
for attempt in 1 2 3; do
	boot_vm
	[ $interactive = 1 ] && break
	grep -q "^$BANNER" "$outdir/console.log" && break
	[ -n "$(scan_kernel_log "$outdir/console.log")" ] || break
	[ $attempt = 3 ] && break
	mv "$outdir/console.log" "$outdir/console.boot-failure-$attempt.log"
	echo "run-vm: kernel bug during boot, before anything under test ran; booting again" \
		"(log: $outdir/console.boot-failure-$attempt.log)" >&2
done
set -e
end=$(date +%s.%N)
qrc=$(cat "$outdir/qemu.rc" 2>/dev/null || echo 255)

bugs=$(scan_kernel_log "$outdir/dmesg" "$outdir/console.log" | awk '!seen[$0]++')
secs=$(awk "BEGIN{printf \"%.1f\", $end - $start}")

if [ -n "$bugs" ]; then
	echo "run-vm: KERNEL BUG in the guest ($KVER):" >&2
	printf '%s\n' "$bugs" | sed 's/^/run-vm:   /' | head -n 60 >&2
	rc=125
elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "run-vm: TIMEOUT: the guest did not finish within ${timeout}s (qemu killed)" >&2
	rc=124
elif [ -f "$outdir/status" ]; then
	rc=$(cat "$outdir/status")
else
	echo "run-vm: the guest stopped without reporting a status (qemu rc $qrc)" >&2
	rc=125
fi
[ "$rc" = 125 ] || [ "$rc" = 124 ] || [ -z "$bugs" ] || rc=125
echo "run-vm: $KVER exit $rc after ${secs}s; logs in $outdir" >&2
exit "$rc"
