# Shared helpers for the lw4o6 VM harness (sourced by run-vm.sh, check.sh,
# guest-tests.sh).  Plain POSIX sh plus `local`; no bash-isms.

# Kernel-log lines that mean the kernel is broken.  Matched as extended
# regexps, case-sensitive, against dmesg and against timestamped console lines.
LW4O6_BUG_RE='Oops|BUG:|WARNING:|refcount_t|kmemleak|general protection|Call Trace|Kernel panic|UBSAN:|list_(add|del) corruption|Unable to handle kernel|INFO: task .* blocked for more than|rcu: INFO:|self-detected stall'

# resolve_kver SPEC: print the installed kernel release matching SPEC, which is
# a full release ("6.12.95+deb12-amd64") or a series prefix ("6.1", "6.12").
# "6.1" never matches 6.12: the prefix must be followed by "." or "-".
# Prints nothing and fails when no such kernel is installed.
resolve_kver() {
	local spec k best
	spec=$1 best=
	if [ -e "/boot/vmlinuz-$spec" ] && [ -d "/lib/modules/$spec" ]; then
		echo "$spec"
		return 0
	fi
	best=$(for k in /boot/vmlinuz-"$spec".* /boot/vmlinuz-"$spec"-*; do
		[ -e "$k" ] || continue
		k=${k#/boot/vmlinuz-}
		[ -d "/lib/modules/$k" ] && echo "$k"
	done | sort -V | tail -n 1)
	[ -n "$best" ] || return 1
	echo "$best"
}

# kseries KVER: "6.12.95+deb12-amd64" -> "6.12"
kseries() {
	echo "$1" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p'
}

# scan_kernel_log FILE...: print lines that look like kernel bugs.  Console
# captures also carry the guest's own program output, so only lines carrying a
# printk timestamp ("[   12.345678] ") are considered there; dmesg files have
# only kernel lines (and also get the timestamp check: dmesg prints one).
scan_kernel_log() {
	local f
	for f in "$@"; do
		[ -f "$f" ] || continue
		tr -d '\r' < "$f" | grep -E '^\[ *[0-9]+\.[0-9]+\] ' | grep -E "$LW4O6_BUG_RE" || :
	done
}
