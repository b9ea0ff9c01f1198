#!/bin/bash
# guest-tests.sh - run the lw4o6 test scripts, one after another, inside the
# VM (it also runs on a host as root, but the tests want the VM's kernel):
#
#	selftests/vm/run-vm.sh -k 6.12 -- selftests/vm/guest-tests.sh
#
# Runs every test selftests/TESTS lists, in its order, or those named in
# $LW4O6_TESTS (space separated; "datapath/smoke", "datapath/smoke.sh", or a path
# relative to the repo top or absolute, e.g. "selftests/vm/stock-smoke.sh").
# Each gets its own time limit: a "# lw4o6-timeout: SECS" line in the
# script's first 30 lines, else $LW4O6_TEST_TIMEOUT, else 300; times
# $LW4O6_TIMEOUT_SCALE (check.sh: its VMs per kernel, since they share
# the cores).
#
# Output is KTAP: per script, its own output indented by 4 spaces (its
# nested KTAP), then "ok N LABEL:NAME" / "not ok N LABEL:NAME", LABEL being
# $LW4O6_KLABEL or the kernel series (6.1, 6.12).  A script passes on exit 0,
# is skipped on exit 4, and fails on any other exit, on its timeout, or when
# the kernel logged an oops/BUG/WARNING while it ran (lines shown).
#
# With LW4O6_KTAP_EMBED=1 (check.sh) the KTAP header, plan and totals are
# left out and numbering starts at $LW4O6_KTAP_START.
#
# Before its result line, "    # NAME: SECS s of its LIMIT s" says how long
# the script ran and its limit.
#
# Results, when $LW4O6_OUT is set (the out share): $LW4O6_OUT/results gets
# one line per finished script, "pass|fail|skip LABEL:NAME EXIT SECS" (written
# before the script's result line is printed), and
# $LW4O6_OUT/current names the script running now (removed at the end).
# With $LW4O6_SHARED (run-vm.sh -s), VMs given the same share and list
# split it: each runs the tests it is first to claim there.
# When $LW4O6_OUT/host-wait exists, the host (scripts/check.sh) is still
# making some of what the scripts read: a script with a "# lw4o6-needs:
# WORD..." line starts only once $LW4O6_OUT/ready-WORD exists for each
# (at most an hour of waiting; the wait is not part of its time limit).
# With LW4O6_TRACE=1 each script runs under `bash -x`, every command
# stamped with the time, into $LW4O6_OUT/trace/NAME.log (scripts/trace-
# profile.py sums it up by line and by command).
# Exit 0 when nothing failed, 1 otherwise.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=common.sh
. "$here/common.sh"
TOP=${LW4O6_TOP:-$(cd "$here/../.." && pwd -P)}
label=${LW4O6_KLABEL:-$(kseries "$(uname -r)")}
default_timeout=${LW4O6_TEST_TIMEOUT:-300}
n=$((${LW4O6_KTAP_START:-1} - 1))
embed=${LW4O6_KTAP_EMBED:-0}
out=${LW4O6_OUT:-}

tests=()
if [ -n "${LW4O6_TESTS:-}" ]; then
	for t in $LW4O6_TESTS; do
		tests+=("$(test_script "$TOP" "$t")")
	done
else
	while read -r t; do
		tests+=("$TOP/$t")
	done < <(test_list_file "$TOP")
fi

if [ "$embed" != 1 ]; then
	echo "KTAP version 1"
	echo "# kernel $(uname -r)"
	echo "1..${#tests[@]}"
fi
[ -n "$out" ] && : > "$out/results"

# cpu_busy: "BUSY TOTAL" jiffies of all CPUs since boot (/proc/stat)
cpu_busy() {
	local _cpu user nice sys idle iow irq sirq steal
	read -r _cpu user nice sys idle iow irq sirq steal _ < /proc/stat
	echo "$((user + nice + sys + irq + sirq + steal)) $((user + nice + sys + idle + iow + irq + sirq + steal))"
}

npass=0 nfail=0 nskip=0 i=0
for t in "${tests[@]}"; do
	i=$((i + 1))
	# Several VMs on one list (check.sh): each test goes to the first VM
	# to claim it; mkdir on the host is the lock.
	if [ -n "${LW4O6_SHARED:-}" ]; then
		mkdir "$LW4O6_SHARED/claim-$i" 2>/dev/null || continue
		echo "$label${LW4O6_VM_NAME:+ $LW4O6_VM_NAME}" > "$LW4O6_SHARED/claim-$i/by"
	fi
	name=$(test_name "$t")
	n=$((n + 1))
	[ -n "$out" ] && echo "$label:$name" > "$out/current"
	echo "# $label:$name"
	if [ -n "$out" ] && [ -e "$out/host-wait" ]; then
		for need in $(test_needs "$t"); do
			w0=$(date +%s)
			while [ ! -e "$out/ready-$need" ] && [ $(( $(date +%s) - w0 )) -lt 3600 ]; do
				sleep 1
			done
			[ -e "$out/ready-$need" ] ||
				echo "    # the host's $need is still not ready: running all the same"
			[ $(( $(date +%s) - w0 )) -gt 1 ] &&
				echo "    # waited $(( $(date +%s) - w0 )) s for the host's $need"
		done
	fi
	# LW4O6_TIMEOUT_SCALE: check.sh runs two VMs to a core, each at half speed
	secs_limit=$(( $(test_timeout "$t" "$default_timeout") * ${LW4O6_TIMEOUT_SCALE:-1} ))
	klines=$(dmesg 2>/dev/null | wc -l)
	cpu0=$(cpu_busy)
	start=$(date +%s)
	if [ ! -f "$t" ]; then
		echo "    # $t: no such test"
		rc=127
	else
		# timeout puts the script in its own process group; whatever is
		# left in that group when the script ends is killed, so that a
		# forgotten background process cannot hold the output pipe open.
		rcf=$(mktemp)
		{
			if [ -n "${LW4O6_TRACE:-}" ] && [ -n "$out" ]; then
				# every command, stamped, apart from the output:
				# where a slow test spends its time
				mkdir -p "$out/trace"
				exec 9> "$out/trace/${name//\//_}.log"
				# (bash takes no PS4 from the environment as root)
				set -- -c 'BASH_XTRACEFD=9
					PS4='\''+${EPOCHREALTIME} ${BASH_SOURCE[0]##*/}:${LINENO} '\''
					set -x; . "$0"'
			else
				set --
			fi
			( cd "$TOP" && exec timeout -k 10 "$secs_limit" bash "$@" "$t" ) < /dev/null 2>&1 &
			tp=$!
			wait $tp
			echo $? > "$rcf"
			kill -KILL -- -"$tp" 2>/dev/null
		} | sed -u 's/^/    /'
		rc=$(cat "$rcf")
		rm -f "$rcf"
	fi
	secs=$(( $(date +%s) - start ))
	note=
	bugs=$(dmesg 2>/dev/null | tail -n +$((klines + 1)) | grep -E "$LW4O6_BUG_RE")
	case $rc in
	0) res=pass ;;
	4) res=skip ;;
	124|137) res=fail note=" # TIMEOUT after ${secs_limit}s" ;;
	*) res=fail note=" # exit $rc" ;;
	esac
	if [ -n "$bugs" ]; then
		res=fail note=" # kernel bug logged"
		printf '%s\n' "$bugs" | head -n 40 | sed 's/^/    # kernel: /'
	fi
	# leftovers would disturb the next script: report and clean them
	left=$(ip netns list 2>/dev/null | cut -d' ' -f1)
	if [ -n "$left" ]; then
		echo "    # $name left network namespaces behind: $(echo $left)"
		for ns in $left; do ip netns del "$ns" 2>/dev/null; done
	fi
	if [ -d /sys/module/lw4o6 ]; then
		echo "    # $name left lw4o6 loaded; unloading"
		rmmod lw4o6 2>/dev/null
	fi
	cpu1=$(cpu_busy)
	# How much of its time the CPU worked: what a test costs the host
	# (an idle emulated CPU costs nothing), so what to make cheaper.
	busy=$(( (${cpu1% *} - ${cpu0% *}) * 100 / ( ${cpu1#* } - ${cpu0#* } + 1) ))
	echo "    # $name: $secs s of its $secs_limit s, CPU busy $busy%"
	# the results file first: a result line on the console always has
	# its entry there (check.sh numbers the lines from the file)
	[ -n "$out" ] && echo "$res $label:$name $rc $secs" >> "$out/results"
	case $res in
	pass) npass=$((npass + 1)); echo "ok $n $label:$name" ;;
	skip) nskip=$((nskip + 1)); echo "ok $n $label:$name # SKIP" ;;
	fail) nfail=$((nfail + 1)); echo "not ok $n $label:$name$note" ;;
	esac
done
[ -n "$out" ] && rm -f "$out/current"

if [ "$embed" != 1 ]; then
	echo "# Totals: pass:$npass fail:$nfail xfail:0 xpass:0 skip:$nskip error:0"
fi
[ $nfail -eq 0 ]
