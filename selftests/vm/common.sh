# shellcheck shell=bash
# Shared helpers for the lw4o6 VM harness (sourced by run-vm.sh, check.sh,
# guest-tests.sh; all bash).

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

# vmlinux_for KVER CACHEDIR: print the path of an uncompressed vmlinux (ELF)
# for KVER, extracted from /boot/vmlinuz-KVER into CACHEDIR once.  qemu boots
# such an ELF through its PVH entry point, which skips the decompressor: under
# TCG that saves 1.5 s (zstd, 6.12) to 4 s (xz, 6.1) per boot.  Prints
# /boot/vmlinuz-KVER when extraction is impossible.
vmlinux_for() {
	local kver=$1 dir=$2 src out tmp sig cmd off
	src=/boot/vmlinuz-$kver
	out=$dir/vmlinux-$kver
	if [ -s "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$(stat -c %Y:%s "$src")" ]; then
		echo "$out"
		return 0
	fi
	mkdir -p "$dir"
	tmp=$(mktemp "$out.XXXXXX")
	for sig in xz zstd gzip; do
		case $sig in
		xz)   command -v xz > /dev/null || continue; cmd="xz -dcq" ;;
		zstd) command -v zstd > /dev/null || continue; cmd="zstd -dcq" ;;
		gzip) cmd="gzip -dcq" ;;
		esac
		for off in $(LC_ALL=C grep -obUaP "$(case $sig in
				xz) printf '%s' '\xfd7zXZ\x00' ;;
				zstd) printf '%s' '\x28\xb5\x2f\xfd' ;;
				gzip) printf '%s' '\x1f\x8b\x08' ;;
				esac)" "$src" 2>/dev/null | cut -d: -f1 | head -n 4); do
			tail -c +$((off + 1)) "$src" | $cmd > "$tmp" 2>/dev/null
			if [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
				chmod 644 "$tmp"
				mv -f "$tmp" "$out"
				stat -c %Y:%s "$src" > "$out.stamp"
				echo "$out"
				return 0
			fi
		done
	done
	rm -f "$tmp"
	echo "$src"
}

# test_script TOP SPEC: the path of a test script named by SPEC:
# "datapath/aftr", "datapath/aftr.sh", "selftests/datapath/aftr.sh",
# "vm/stock-smoke.sh" or an absolute path.  Prints the would-be path and
# fails when there is no such file.
test_script() {
	local top=$1 t=$2 c
	for c in "$t" "$top/$t" "$top/selftests/$t" "$top/selftests/$t.sh"; do
		case $c in /*) ;; *) continue ;; esac
		[ -f "$c" ] && { echo "$c"; return 0; }
	done
	echo "$top/selftests/${t%.sh}.sh"
	return 1
}

# test_list TOP: the tests selftests/TESTS names, one "selftests/PATH" a line.
test_list_file() {
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$1/selftests/TESTS" |
		sed -n 's|^..*$|selftests/&|p'
}

# test_name SCRIPT: what results call a test, "datapath/aftr".
test_name() {
	local d
	d=$(basename "$(dirname "$1")")
	echo "$d/$(basename "$1" .sh)"
}

# test_header SCRIPT KEY RE: the value of the script's "# lw4o6-KEY: ..."
# line (the first within its first 30 lines), as far as the sed regex RE
# matches it from its start; empty without one.
test_header() {
	head -n 30 "$1" 2>/dev/null | sed -n "s/^# *lw4o6-$2: *\($3\).*/\1/p" | head -n 1
}

# test_timeout SCRIPT DEFAULT: its "# lw4o6-timeout: SECS", else DEFAULT.
test_timeout() {
	local t
	t=$(test_header "$1" timeout '[0-9][0-9]*')
	echo "${t:-$2}"
}

# test_needs SCRIPT: what of the host's a script reads that scripts/check.sh
# may still be making when the VMs boot: the words of its "# lw4o6-needs:"
# line, "testdata" (make testdata), "deb" (make deb and the dkms builds'
# prebuilt modules).
test_needs() {
	test_header "$1" needs '[a-z ]*'
}

# test_vm SCRIPT: "background" when its "# lw4o6-vm:" line says so:
# scripts/check.sh runs it in a VM of its own per kernel at the lowest
# priority, beside the others (a test with no timing windows whose cost is
# CPU); empty otherwise.
test_vm() {
	test_header "$1" vm '[a-z]*'
}
