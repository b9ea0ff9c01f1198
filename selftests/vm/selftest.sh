#!/bin/bash
# selftest.sh [KERNEL...] - check the VM harness itself, on the host: exit
# statuses of run-vm.sh (command status, timeout, oops, WARNING, panic),
# that a kernel bug is reported and a hang is cut short, and that a stock
# module test passes.  Not part of `make check`; run it after changing
# anything in selftests/vm/.  Kernels default to $LW4O6_KERNELS or "6.1 6.12".
#
#	selftests/vm/selftest.sh          # ~1-2 minutes
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
run=$here/run-vm.sh
kernels=${*:-${LW4O6_KERNELS:-6.1 6.12}}
n=0 fail=0

expect() {	# DESC WANT_RC KERNEL RUN-VM-ARGS...
	local desc=$1 want=$2 k=$3 rc start secs
	shift 3
	n=$((n + 1))
	start=$(date +%s)
	"$run" -k "$k" "$@" > "$log" 2>&1 < /dev/null
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ "$rc" = "$want" ]; then
		echo "ok $n $k: $desc (exit $rc, ${secs}s)"
	else
		fail=$((fail + 1))
		echo "not ok $n $k: $desc (exit $rc, want $want, ${secs}s)"
		tail -n 15 "$log" | sed 's/^/# /'
	fi
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "KTAP version 1"
for k in $kernels; do
	expect "command status is passed through" 3 "$k" -t 120 -- sh -c 'exit 3'
	LW4O6_SELFTEST="a b" expect "environment and cwd" 0 "$k" -t 120 -- sh -c \
		'[ "$PWD" = "$LW4O6_TOP" ] && [ "$(uname -r)" = "$LW4O6_KVER" ] && [ -w /tmp ] && [ -w "$LW4O6_OUT" ] && ip netns add x && [ "$LW4O6_SELFTEST" = "a b" ]'
	expect "timeout kills a hung guest" 124 "$k" -t 20 -- sleep 600
	expect "sysrq crash (panic) is detected" 125 "$k" -t 120 -- sh -c 'echo c > /proc/sysrq-trigger'
	expect "WARNING in the kernel log is detected" 125 "$k" -t 120 -- sh -c \
		'echo "WARNING: CPU: 0 PID: 1 at selftest.c:1 injected" > /dev/kmsg'
	expect "WARNING printed by a program is not a kernel bug" 0 "$k" -t 120 -- \
		echo "WARNING: Call Trace BUG: from userspace"
	expect "stock ip6tnl softwire test" 0 "$k" -t 300 -- selftests/vm/stock-smoke.sh
done
echo "1..$n"
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
