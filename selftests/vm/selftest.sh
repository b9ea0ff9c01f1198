#!/bin/bash
# selftest.sh [KERNEL...] - check the VM harness itself, on the host: exit
# statuses of run-vm.sh (command status, timeout, oops, WARNING, panic),
# that a kernel bug is reported and a hang is cut short, and that a stock
# module test passes; then scripts/check.sh on all the kernels at once with
# a test that passes, one that times out and one that crashes the kernel.
# Not part of `make check`; run it after changing anything in selftests/vm/
# or scripts/check.sh.  Kernels default to $LW4O6_KERNELS or "6.1 6.12".
#
#	selftests/vm/selftest.sh          # ~1-2 minutes
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
TOP=$(cd "$here/../.." && pwd -P)
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

# check.sh: its VMs at once, its results in a fixed order with its own
# numbers; a test's timeout fails it, a kernel crash fails the test it ran
# in and SERIES:vm, and the tests after it are skipped.  The scripts live in
# the repo, where the guest sees them.
check_sh() {
	local d=$TOP/build/vm/selftest-check/t k want got rc start secs i=0
	n=$((n + 1))
	mkdir -p "$d"
	printf '#!/bin/bash\necho "1..1"; echo "ok 1 nothing"\n' > "$d/pass.sh"
	printf '#!/bin/bash\n# lw4o6-timeout: 3\nsleep 60\n' > "$d/slow.sh"
	printf '#!/bin/bash\n# lw4o6-timeout: 60\necho c > /proc/sysrq-trigger; sleep 60\n' > "$d/crash.sh"
	want=$(for k in $kernels; do
		echo "ok $((i + 1)) $k:dkms-build"
		echo "ok $((i + 2)) $k:t/pass"
		echo "not ok $((i + 3)) $k:t/slow # TIMEOUT after 3s"
		echo "not ok $((i + 4)) $k:t/crash # the VM died or timed out while it ran"
		echo "ok $((i + 5)) $k:t/pass # SKIP not run: the VM stopped early"
		echo "not ok $((i + 6)) $k:vm # kernel bug or crash"
		i=$((i + 6))
	done
	echo "1..$i"
	echo "$((i / 6)) passed, $((i / 2)) failed, $((i / 3)) skipped")
	start=$(date +%s)
	LW4O6_KERNELS="$kernels" LW4O6_SKIP_UNIT=1 LW4O6_SKIP_DKMS=1 LW4O6_PROGRESS=0 \
	LW4O6_TESTS="$d/pass.sh $d/slow.sh $d/crash.sh $d/pass.sh" \
		bash "$TOP/scripts/check.sh" > "$log" 2>&1 < /dev/null
	rc=$?
	secs=$(( $(date +%s) - start ))
	got=$(grep -E '^(not )?ok [0-9]+ |^1\.\.|^[0-9]+ passed' "$log" |
		sed -e 's/ # SKIP LW4O6_SKIP_DKMS=1$//' -e 's/\( # kernel bug or crash\);.*/\1/')
	if [ "$rc" = 1 ] && [ "$got" = "$want" ]; then
		echo "ok $n check.sh: $kernels at once, results in order (exit $rc, ${secs}s)"
	else
		fail=$((fail + 1))
		echo "not ok $n check.sh: $kernels at once, results in order (exit $rc, want 1, ${secs}s)"
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
	fi
	rm -rf "$TOP/build/vm/selftest-check"
}
check_sh

echo "1..$n"
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
