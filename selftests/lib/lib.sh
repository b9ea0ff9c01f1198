#!/bin/bash
# selftests/lib/lib.sh - helpers for the lw4o6 test scripts, in the style of the
# kernel's tools/testing/selftests/net/lib.sh.  Source it from a bash script:
#
#	#!/bin/bash
#	source "$(dirname "$0")/../lib/lib.sh"
#	ktap_plan 3                    # optional; printed at the end otherwise
#	setup_ns NS1 NS2               # netns names in $NS1 $NS2, removed at exit
#	lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
#	check_cmd "veth created" ip -n "$NS1" link add v0 type veth peer v1
#	check_fail "bad kind rejected" ip -n "$NS1" link add x0 type nosuchkind
#	expect_eq "mtu" "$(cat /sys/class/net/lo/mtu)" 65536
#	ktap_finish                    # exit 0 pass, 1 fail, 4 all skipped
#
# Tests run inside the VM (selftests/vm/run-vm.sh) as root, on a read-only
# root: write scratch files under $TMPDIR (a per-test directory on tmpfs,
# removed at exit).  Register extra cleanups with `defer CMD ARGS...` (run in
# reverse order at exit); do not replace the EXIT trap.
#
# Works with or without `set -eu` in the calling script.

# ---- locations -------------------------------------------------------------
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
LW4O6=$TOP/userspace/lw4o6/lw4o6
LW4O6_KO=${LW4O6_KO:-$TOP/build/$(uname -r)/lw4o6.ko}
# Debian's python has scapy; the first python3 on a developer's PATH may not.
PYTHON=/usr/bin/python3
# UDP/TCP echo server and clients (selftests/lib/c/echo.c; make testdata)
ECHO=$TOP/build/selftests/echo
# iputils ping when installed, else busybox's (-c -W -s -t work in both).
if command -v ping > /dev/null 2>&1; then PING=ping; else PING="busybox ping"; fi
export TOP LW4O6 LW4O6_KO PYTHON PING ECHO

# kselftest exit codes, for the test scripts too
# shellcheck disable=SC2034
ksft_pass=0 ksft_fail=1 ksft_xfail=2 ksft_skip=4

# ---- KTAP output -----------------------------------------------------------
KTAP_N=0 KTAP_PASS=0 KTAP_FAIL=0 KTAP_SKIP=0 KTAP_PLANNED=
KTAP_HEADER_DONE=0

ktap_header() {
	[ "$KTAP_HEADER_DONE" = 1 ] && return 0
	KTAP_HEADER_DONE=1
	echo "KTAP version 1"
}

# ktap_plan N: announce N tests (optional; call before the first result).
ktap_plan() {
	ktap_header
	KTAP_PLANNED=$1
	echo "1..$1"
}

# ktap_diag MSG...: a diagnostic line ("# MSG"); multi-line input is split.
ktap_diag() {
	local line
	printf '%s\n' "$*" | while IFS= read -r line; do echo "# $line"; done
}

ktap_ok() {
	ktap_header
	KTAP_N=$((KTAP_N + 1)) KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_N $1"
}

ktap_fail() {
	ktap_header
	KTAP_N=$((KTAP_N + 1)) KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_N $1"
}

# ktap_skip DESC REASON
ktap_skip() {
	ktap_header
	KTAP_N=$((KTAP_N + 1)) KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_N $1 # SKIP ${2:-}"
}

# ktap_result DESC RC: ok when RC is 0, skip when 4, not ok otherwise.
ktap_result() {
	case $2 in
	0) ktap_ok "$1" ;;
	4) ktap_skip "$1" "${3:-}" ;;
	*) ktap_fail "$1" ;;
	esac
}

# ktap_finish: print the plan if none was given and the totals; exit 0 when
# nothing failed and something passed, 4 when everything was skipped, 1
# otherwise (also when the plan and the number of results disagree).
ktap_finish() {
	ktap_header
	if [ -z "$KTAP_PLANNED" ]; then
		echo "1..$KTAP_N"
	elif [ "$KTAP_PLANNED" != "$KTAP_N" ]; then
		echo "# planned $KTAP_PLANNED tests but ran $KTAP_N"
		KTAP_FAIL=$((KTAP_FAIL + 1))
	fi
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
	if [ "$KTAP_FAIL" -gt 0 ]; then
		exit $ksft_fail
	elif [ "$KTAP_PASS" -eq 0 ]; then
		exit $ksft_skip
	fi
	exit $ksft_pass
}

# ktap_skip_all REASON: the whole script cannot run here; exit 4.
ktap_skip_all() {
	ktap_header
	echo "1..0 # SKIP $*"
	exit $ksft_skip
}

# ---- checks ------------------------------------------------------------------
# Command output goes to a log; it is shown (as diagnostics) only on failure.
_lib_run() {
	local log=$TMPDIR/cmd.log rc
	"$@" > "$log" 2>&1
	rc=$?
	# read, not $(cat): under TCG every fork costs a tenth of a second
	IFS= read -r -d '' LIB_OUTPUT < "$log"
	LIB_OUTPUT=${LIB_OUTPUT%$'\n'}
	return $rc
}

# check_cmd DESC CMD...: ok when CMD exits 0.
check_cmd() {
	local desc=$1 rc
	shift
	_lib_run "$@" && rc=0 || rc=$?
	if [ $rc -eq 0 ]; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc"
		ktap_diag "command: $* (exit $rc)"
		[ -n "$LIB_OUTPUT" ] && ktap_diag "$LIB_OUTPUT"
	fi
	return 0
}

# check_fail DESC CMD...: ok when CMD exits non-zero (an expected refusal).
check_fail() {
	local desc=$1 rc
	shift
	_lib_run "$@" && rc=0 || rc=$?
	if [ $rc -ne 0 ]; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc"
		ktap_diag "command unexpectedly succeeded: $*"
		[ -n "$LIB_OUTPUT" ] && ktap_diag "$LIB_OUTPUT"
	fi
	return 0
}

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1"
		ktap_diag "got:  '$2'"
		ktap_diag "want: '$3'"
	fi
	return 0
}

# require_cmd CMD...: skip the whole script when a tool is missing.
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" > /dev/null 2>&1 || ktap_skip_all "$c not installed"
	done
}

# require_root: skip the whole script unless root.
require_root() {
	[ "$(id -u)" = 0 ] || ktap_skip_all "must be root (run it in the VM: selftests/vm/run-vm.sh)"
}

# now_ms: the time in ms since the epoch, without a fork (bash's clock).
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((10#$t / 1000))
}

# busywait TIMEOUT_MS CMD...: retry CMD until it succeeds or TIMEOUT_MS pass
# (times LW4O6_TIMEOUT_SCALE: make check runs two VMs to a core).
busywait() {
	local timeout_ms=$(( $1 * ${LW4O6_TIMEOUT_SCALE:-1} )) start now
	shift
	start=${EPOCHREALTIME/[.,]/}
	while :; do
		"$@" && return 0
		now=${EPOCHREALTIME/[.,]/}
		[ $(((10#$now - 10#$start) / 1000)) -ge "$timeout_ms" ] && return 1
		sleep 0.1
	done
}

# bfd_seen PEER OLD NEW DIAG: `lw4o6 -j monitor`, written to $TMPDIR/events,
# showed a bfd-change of PEER's session from OLD ("*": any) to NEW with
# diagnostic DIAG.  Counted, not jq -e: that answers for the last event only.
bfd_seen() {
	[ "$(jq -c --arg p "$1" --arg o "$2" --arg n "$3" --argjson d "$4" \
		'select(.event == "bfd-change" and .peer == $p and .state == $n and
			($o == "*" or .old_state == $o) and .diag_code == $d)' \
		"$TMPDIR/events" 2> /dev/null | wc -l)" -ge 1 ]
}

# ---- cleanup -------------------------------------------------------------------
LIB_DEFER=()
NS_LIST=()
LW4O6_LOADED_BY_US=0

# defer CMD ARGS...: run at exit, last registered first.
defer() {
	local q
	q=$(printf ' %q' "$@")
	LIB_DEFER+=("${q# }")
}

lib_cleanup() {
	local i rc=$?
	set +e
	for ((i = ${#LIB_DEFER[@]} - 1; i >= 0; i--)); do
		eval "${LIB_DEFER[i]}" > /dev/null 2>&1
	done
	LIB_DEFER=()
	cleanup_all_ns
	if [ "$LW4O6_LOADED_BY_US" = 1 ] && [ -d /sys/module/lw4o6 ]; then
		rmmod lw4o6 > /dev/null 2>&1
	fi
	[ -n "${LIB_TMPDIR:-}" ] && rm -rf "$LIB_TMPDIR"
	return $rc
}
trap lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

LIB_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/lw4o6-test.XXXXXX")
TMPDIR=$LIB_TMPDIR
export TMPDIR

# jq 1.6 compiles its whole builtin library at every start: 170 million
# instructions, 0.7 s a call under TCG, a fifth of the suite's time.  gojq
# (Debian's; the same language) starts ten times faster, so "jq" in the
# scripts, and in the shells they start, is gojq when it is installed.
if command -v gojq > /dev/null 2>&1; then
	mkdir "$TMPDIR/bin" && ln -s "$(command -v gojq)" "$TMPDIR/bin/jq" &&
		PATH=$TMPDIR/bin:$PATH
fi

# ---- network namespaces -----------------------------------------------------
# setup_ns VAR...: create one netns per VAR, named "<var>-XXXXXX" (random
# suffix, lower case), with lo up; store the name in VAR; remove at exit.
setup_ns() {
	local var name
	for var in "$@"; do
		name=${var,,}-$(printf '%04x%04x' $RANDOM $RANDOM)
		if ! ip netns add "$name"; then
			echo "# failed to create netns $name" >&2
			return 1
		fi
		NS_LIST+=("$name")
		ip -n "$name" link set lo up
		printf -v "$var" '%s' "$name"
	done
}

# veth NS1 DEV1 ADDR1 NS2 DEV2 ADDR2: a veth pair between two namespaces,
# each end addressed (no DAD wait) and up.
veth() {
	ip -n "$1" link add "$2" type veth peer name "$5" netns "$4"
	ip -n "$1" addr add "$3" dev "$2" nodad
	ip -n "$4" addr add "$6" dev "$5" nodad
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

# check_balance NS DEV: two results, one per direction, that every packet
# the lw4o6 device DEV in NS received was sent, dropped or queued for
# reassembly (docs/architecture.md), read from one snapshot of its counters.
check_balance() {
	local j
	j=$("$LW4O6" -n "$1" -j stats show dev "$2")
	check_cmd "$2: every IPv4 packet in was sent, dropped or queued" \
		test "$(jq '.["rcvd-ipv4-packets"]' <<< "$j")" -eq \
		"$(jq '.["sent-ipv6-packets"] + .["dropped-ipv4-packets"] + (.["queued-ipv4-fragments"] // 0)' <<< "$j")"
	check_cmd "$2: every IPv6 packet in was sent, dropped or queued" \
		test "$(jq '.["rcvd-ipv6-packets"]' <<< "$j")" -eq \
		"$(jq '.["sent-ipv4-packets"] + .["dropped-ipv6-packets"] + (.["queued-softwire-fragments"] // 0)' <<< "$j")"
}

# cleanup_ns NAME...: delete these namespaces now.
cleanup_ns() {
	local ns i
	for ns in "$@"; do
		ip netns del "$ns" > /dev/null 2>&1
		for i in "${!NS_LIST[@]}"; do
			[ "${NS_LIST[i]}" = "$ns" ] && unset 'NS_LIST[i]'
		done
	done
	return 0
}

cleanup_all_ns() {
	[ ${#NS_LIST[@]} -gt 0 ] && cleanup_ns "${NS_LIST[@]}"
	NS_LIST=()
}

# ---- the lw4o6 module ---------------------------------------------------------
# lw4o6_load [PARAM=VALUE...]: insmod $LW4O6_KO (build/$(uname -r)/lw4o6.ko);
# if it is already loaded, unload it first.  Fails when the .ko is missing.
lw4o6_load() {
	if [ ! -f "$LW4O6_KO" ]; then
		echo "# $LW4O6_KO not built" >&2
		return 1
	fi
	[ -d /sys/module/lw4o6 ] && { rmmod lw4o6 || return 1; }
	lw4o6_insmod "$LW4O6_KO" "$@" || return 1
	LW4O6_LOADED_BY_US=1
}

# lw4o6_insmod KO [PARAM=VALUE...]: insmod KO after the modules it needs
# (modinfo's depends: insmod does not resolve them, modprobe does).
lw4o6_insmod() {
	local ko=$1 dep deps
	shift
	deps=$(modinfo -F depends "$ko") || return 1
	for dep in ${deps//,/ }; do
		modprobe "$dep" || return 1
	done
	insmod "$ko" "$@"
}

# lw4o6_unload: rmmod lw4o6.
lw4o6_unload() {
	rmmod lw4o6
}

# lw4o6_have_ko / lw4o6_have_cli: is the module / the CLI built?
lw4o6_have_ko() { [ -f "$LW4O6_KO" ]; }
lw4o6_have_cli() { [ -x "$LW4O6" ]; }
