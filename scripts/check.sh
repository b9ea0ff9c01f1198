#!/bin/bash
# scripts/check.sh - what `make check` runs, after everything is built.
#
#  (a) host unit tests: every executable userspace/*/tests/test_* (cmocka,
#      run from the part's folder with CMOCKA_MESSAGE_OUTPUT=TAP); each "ok"/"not ok"
#      case counts; a binary that fails without reporting a failed case counts
#      one failure.  Silently nothing when there are none.
#  (b) per kernel series in $LW4O6_KERNELS (default "6.1 6.12"; each must be
#      installed, else a failure): build/KVER/lw4o6.ko must exist (a failure
#      otherwise), and `dkms build` of a copy of the tree must pass (one test;
#      done in private dkms/source trees, so it touches nothing installed).
#  (c) per kernel, ONE VM (selftests/vm/run-vm.sh) running
#      selftests/vm/guest-tests.sh: every test selftests/TESTS lists, or the ones in
#      $LW4O6_TESTS, one test per script.  A VM that times out or whose kernel
#      log shows an oops/BUG/WARNING adds a failure ("KVER:vm"); a script the
#      VM died in fails; scripts it never reached are skipped.
#
# Output is KTAP-like (numbered ok/not ok lines, "# " diagnostics, the VMs'
# consoles inline); the plan comes at the end, and the very last line is
# "N passed, N failed" (", N skipped" when any were).  Exit 1 if anything
# failed.  Logs: build/check/last/ (a link to this run's directory, the ten
# newest kept): dkms-KVER.log, and vm-SERIES/ with the VM's console.log,
# dmesg and results.
#
# Environment:
#   LW4O6_KERNELS      kernel series to test (default "6.1 6.12")
#   LW4O6_TESTS        test scripts to run (default: all selftests/TESTS lists):
#                      names (lw4o6_smoke), or paths from the repo top
#   LW4O6_TEST_TIMEOUT default per-script limit in the VM (s, default 300)
#   LW4O6_SKIP_DKMS=1  leave out the dkms builds
#   LW4O6_SKIP_UNIT=1  leave out the host unit tests and the fuzz run
#   LW4O6_FUZZ_TIME    seconds of PCP parser fuzzing (default 30)
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
here=$TOP/selftests
export LW4O6_TOP=$TOP
# shellcheck source=vm/common.sh
. "$here/vm/common.sh"

kernels=${LW4O6_KERNELS:-6.1 6.12}
# Logs of this run; several checks may run at once in one tree.
stamp=$(date +%Y%m%d-%H%M%S)-$$
logdir=$TOP/build/check/$stamp
mkdir -p "$logdir"
ln -sfn "$stamp" "$TOP/build/check/last"
ls -1td "$TOP"/build/check/*/ 2>/dev/null | tail -n +11 | while read -r d; do rm -rf "$d"; done

N=0 PASS=0 FAIL=0 SKIP=0
t_ok()   { N=$((N + 1)) PASS=$((PASS + 1)); echo "ok $N $1"; }
t_fail() { N=$((N + 1)) FAIL=$((FAIL + 1)); echo "not ok $N $1${2:+ # $2}"; }
t_skip() { N=$((N + 1)) SKIP=$((SKIP + 1)); echo "ok $N $1 # SKIP ${2:-}"; }
diag()   { printf '%s\n' "$@" | sed 's/^/# /'; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lw4o6-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "KTAP version 1"

# ---- (a) host unit tests --------------------------------------------------
unit_tests() {
	local t name rc out line desc nf
	for t in "$TOP"/userspace/*/tests/test_*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		name=$(basename "$t")
		out=$tmp/$name.out
		(cd "$(dirname "$t")/.." && CMOCKA_MESSAGE_OUTPUT=TAP "$t") > "$out" 2>&1 < /dev/null
		rc=$?
		nf=0
		while IFS= read -r line; do
			case $line in
			"not ok "*)
				desc=$(echo "$line" | sed 's/^not ok [0-9]* *-* *//')
				t_fail "unit:$name:$desc"; nf=$((nf + 1)) ;;
			"ok "*)
				desc=$(echo "$line" | sed 's/^ok [0-9]* *-* *//')
				case $desc in
				*"# SKIP"*|*"# skip"*) t_skip "unit:$name:${desc%%#*}" "${desc#*# [Ss][Kk][Ii][Pp]}" ;;
				*) t_ok "unit:$name:$desc" ;;
				esac ;;
			"1.."*|"TAP version"*|"") ;;
			"#"*) echo "$line" ;;
			*) echo "# $line" ;;
			esac
		done < "$out"
		if [ $rc -ne 0 ] && [ $nf -eq 0 ]; then
			t_fail "unit:$name" "exit $rc without a failed case"
		fi
	done
}
[ "${LW4O6_SKIP_UNIT:-0}" = 1 ] || unit_tests

# A short libFuzzer run over the PCP parser, from the committed seed corpus
# (make -C userspace/lw4o6d fuzz runs it longer).  Any crash, leak or
# sanitizer report fails it; the crashing input is kept in the log dir.
fuzz_run() {
	local f=$TOP/userspace/lw4o6d/fuzz/fuzz_pcp secs=${LW4O6_FUZZ_TIME:-30}
	if [ ! -x "$f" ]; then
		t_fail "fuzz:pcp" "userspace/lw4o6d/fuzz/fuzz_pcp not built"
		return
	fi
	mkdir -p "$tmp/fuzz-corpus"
	if (cd "$logdir" && "$f" -max_total_time="$secs" -max_len=1200 \
		"$tmp/fuzz-corpus" "$TOP/userspace/lw4o6d/fuzz/corpus") \
		> "$logdir/fuzz-pcp.log" 2>&1; then
		t_ok "fuzz:pcp ($(grep -o 'Done [0-9]* runs' "$logdir/fuzz-pcp.log" || echo "ran") in ${secs}s)"
	else
		t_fail "fuzz:pcp" "see $logdir/fuzz-pcp.log"
		tail -n 20 "$logdir/fuzz-pcp.log" | sed 's/^/# /'
	fi
}
[ "${LW4O6_SKIP_UNIT:-0}" = 1 ] || fuzz_run

# ---- (b) dkms ---------------------------------------------------------------
dkms_ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$TOP/dkms.conf" 2>/dev/null)
dkms_added=0
dk=$tmp/dkms
dkms_opts=(--sourcetree "$dk/src" --dkmstree "$dk/tree" --installtree "$dk/inst")

dkms_prepare() {
	[ $dkms_added = 1 ] && return 0
	mkdir -p "$dk/src/lw4o6-$dkms_ver" "$dk/tree" "$dk/inst"
	# a throwaway copy of the tree, without build products
	tar -C "$TOP" --exclude=./.git --exclude=./build --exclude='*.o' \
		--exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude=Module.symvers --exclude=modules.order -cf - . |
		tar -C "$dk/src/lw4o6-$dkms_ver" -xf - || return 1
	dkms add -m lw4o6 -v "$dkms_ver" "${dkms_opts[@]}" > "$logdir/dkms-add.log" 2>&1 || return 1
	dkms_added=1
}

dkms_cleanup() {
	[ $dkms_added = 1 ] || return 0
	dkms remove -m lw4o6 -v "$dkms_ver" --all "${dkms_opts[@]}" > "$logdir/dkms-remove.log" 2>&1
	dkms_added=0
}
trap 'dkms_cleanup; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

dkms_build() {	# KVER SERIES
	local log=$logdir/dkms-$1.log
	if [ "${LW4O6_SKIP_DKMS:-0}" = 1 ]; then
		t_skip "$2:dkms-build" "LW4O6_SKIP_DKMS=1"
		return
	fi
	if ! command -v dkms > /dev/null; then
		t_fail "$2:dkms-build" "dkms not installed"
		return
	fi
	if [ "$(id -u)" != 0 ]; then
		t_skip "$2:dkms-build" "not root"
		return
	fi
	if [ -z "$dkms_ver" ]; then
		t_fail "$2:dkms-build" "no PACKAGE_VERSION in dkms.conf"
		return
	fi
	if ! dkms_prepare; then
		t_fail "$2:dkms-build" "dkms add failed"
		tail -n 20 "$logdir/dkms-add.log" 2>/dev/null | sed 's/^/# /'
		return
	fi
	if dkms build -m lw4o6 -v "$dkms_ver" -k "$1" "${dkms_opts[@]}" > "$log" 2>&1; then
		t_ok "$2:dkms-build"
	else
		t_fail "$2:dkms-build" "see $log"
		# dkms keeps the compiler output in make.log
		cat "$dk"/tree/lw4o6/"$dkms_ver"/build/make.log >> "$log" 2>/dev/null
		grep -E 'error|Error|warning' "$log" | head -n 30 | sed 's/^/# /'
	fi
}

# ---- (c) tests in a VM ----------------------------------------------------
test_list() {	# one spec per line, as guest-tests.sh takes them
	local t
	if [ -n "${LW4O6_TESTS:-}" ]; then
		for t in $LW4O6_TESTS; do echo "$t"; done
	else
		test_list_file "$TOP"
	fi
}

vm_tests() {	# KVER SERIES
	local kver=$1 label=$2 out=$logdir/vm-$2 tests limit t rc
	local name res line done_list current secs_total
	tests=$(test_list)
	if [ -z "$tests" ]; then
		diag "$label: no test scripts to run"
		return
	fi
	# the VM's own limit: boot + every script's limit
	secs_total=120
	for t in $tests; do
		limit=$(test_timeout "$(test_script "$TOP" "$t")" "${LW4O6_TEST_TIMEOUT:-300}")
		secs_total=$((secs_total + limit + 15))
	done
	rm -rf "$out"
	mkdir -p "$out"
	diag "$label: booting $kver for: $(for t in $tests; do test_name "$t"; done | xargs)"
	LW4O6_TESTS="$(echo $tests)" LW4O6_KLABEL=$label LW4O6_KTAP_EMBED=1 \
	LW4O6_KTAP_START=$((N + 1)) \
		"$here/vm/run-vm.sh" -k "$kver" -t "$secs_total" -o "$out" -- \
		selftests/vm/guest-tests.sh 2> "$tmp/run-vm.err" < /dev/null
	rc=$?
	sed 's/^/# /' "$tmp/run-vm.err"

	current=$(cat "$out/current" 2>/dev/null)
	done_list=" "
	while read -r res name _; do
		[ -n "$name" ] || continue
		done_list="$done_list${name#*:} "
		case $res in
		pass) N=$((N + 1)) PASS=$((PASS + 1)) ;;
		skip) N=$((N + 1)) SKIP=$((SKIP + 1)) ;;
		*)    N=$((N + 1)) FAIL=$((FAIL + 1)) ;;
		esac
	done < <(cat "$out/results" 2>/dev/null)
	# scripts without a result: the one the VM died in, and the rest
	for t in $tests; do
		t=$(test_name "$t")
		case $done_list in *" $t "*) continue ;; esac
		if [ "$label:$t" = "$current" ]; then
			t_fail "$label:$t" "the VM died or timed out while it ran"
		elif [ $rc -eq 124 ] || [ $rc -eq 125 ] || [ ! -f "$out/results" ]; then
			t_skip "$label:$t" "not run: the VM stopped early"
		else
			t_fail "$label:$t" "no result"
		fi
	done
	case $rc in
	124) t_fail "$label:vm" "TIMEOUT after ${secs_total}s; console: $out/console.log" ;;
	125) t_fail "$label:vm" "kernel bug or crash; console: $out/console.log, dmesg: $out/dmesg" ;;
	esac
	if [ $rc -ne 124 ] && [ $rc -ne 125 ] && [ ! -f "$out/status" ]; then
		t_fail "$label:vm" "no status from the guest (rc $rc); console: $out/console.log"
	fi
}

for series in $kernels; do
	kver=$(resolve_kver "$series") || {
		t_fail "$series:kernel" "no installed kernel matches $series"
		continue
	}
	label=$(kseries "$kver")
	[ "$series" = "$label" ] || label=$series
	diag "kernel $series: $kver"
	if [ ! -f "$TOP/build/$kver/lw4o6.ko" ]; then
		t_fail "$label:lw4o6.ko" "build/$kver/lw4o6.ko missing (run make)"
	fi
	dkms_build "$kver" "$label"
	vm_tests "$kver" "$label"
done
dkms_cleanup

echo "1..$N"
summary="$PASS passed, $FAIL failed"
[ $SKIP -gt 0 ] && summary="$summary, $SKIP skipped"
echo "$summary"
[ $FAIL -eq 0 ]
