# SPDX-License-Identifier: GPL-2.0
# What the guest-*.sh benchmark scripts share, sourced after they set
# $top.  Each script stays readable alone; only these steps repeat.

# bench_insmod: lw4o6.ko of this kernel, with what it needs (insmod does
# not load a module's dependencies; modprobe does).
bench_insmod() {
	local ko=$top/build/$(uname -r)/lw4o6.ko d
	lsmod | grep -q '^lw4o6 ' && return 0
	for d in $(modinfo -F depends "$ko" | tr , ' '); do modprobe "$d"; done
	insmod "$ko"
}

# bench_wait_aftr WHO PID LOG: until lw4o6d (PID, logging to LOG) says its
# lwAFTR runs, or stops; if it does not come up, the log and exit 1.
bench_wait_aftr() {
	local _
	for _ in $(seq 1 6000); do	# 300 s at most
		grep -q "aftr on lw0" "$3" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.05
	done
	echo "$1: lw4o6d did not start:" >&2; tail -n 30 "$3" >&2; exit 1
}
