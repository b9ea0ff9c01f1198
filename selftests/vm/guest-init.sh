#!/bin/bash
# guest-init.sh - PID 1 inside the lw4o6 test VM (started by the initramfs
# built by mkinitramfs.sh, after switch_root into the host's root over 9p).
#
# Reads from the out share (/run/lw4o6/out, written by run-vm.sh):
#   env.sh   exported LW4O6_* variables (bash syntax)
#   cmd.sh   `set -- CMD ARGS...`
#   stdin    present when the command may read the console (run-vm.sh -i)
# Writes to the out share, in this order:
#   dmesg    the kernel log at the end
#   status   the command's exit status (written last: its presence means the
#            guest finished normally)
# then powers the VM off.  Never returns.

OUT=/run/lw4o6/out
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=${TERM:-linux}
export LW4O6_OUT=$OUT LW4O6_VM=1

poweroff_now() {
	sync
	/bin/busybox poweroff -f 2>/dev/null
	echo o > /proc/sysrq-trigger
	sleep 30
}

# shellcheck disable=SC1091
. "$OUT/env.sh" || { echo "guest-init: cannot read $OUT/env.sh"; poweroff_now; }

hostname lw4o6-vm 2>/dev/null || echo lw4o6-vm > /proc/sys/kernel/hostname
ip link set lo up 2>/dev/null
# Some tools want these; the overlay on /etc makes them writable.
[ -s /etc/machine-id ] || cat /proc/sys/kernel/random/uuid | tr -d - > /etc/machine-id 2>/dev/null

cd "$LW4O6_TOP" || { echo "guest-init: cannot cd to $LW4O6_TOP"; poweroff_now; }
set --
# shellcheck disable=SC1091
. "$OUT/cmd.sh"

# Boot was quiet (loglevel=4); from now on show warnings (level 4) on the
# console too, so a WARN() is visible even if the guest then hangs.
dmesg -n 5 2>/dev/null

read -r up _ < /proc/uptime
echo "# lw4o6-vm: $(uname -r) up after ${up}s; running: $*"

if [ -e "$OUT/stdin" ]; then
	# Interactive: give the command the serial line as controlling tty.
	[ $# -gt 0 ] || set -- /bin/bash -i
	setsid -w -c "$@" <> /dev/ttyS0 >&0 2>&1
else
	"$@" < /dev/null
fi
rc=$?

dmesg > "$OUT/dmesg" 2>&1
echo "$rc" > "$OUT/status.tmp" && mv "$OUT/status.tmp" "$OUT/status"
poweroff_now
