#!/bin/bash
# scripts/check.sh - what `make check` runs, once the modules, the programs
# and the VMs' small test tools are built (the VMs need those to boot).
# What only the host's parts and the last VM tests need, it makes itself,
# in the background at the lowest priority while the VMs run: `make
# testdata-large` (minutes of Python), `make deb`, the unit tests' and
# fuzzers' builds.
#
#  (a) host unit tests: every executable userspace/*/tests/test_* (cmocka,
#      and test_*.sh: the built lw4o6 and lw4o6d without the module, TAP too;
#      run from the part's folder with CMOCKA_MESSAGE_OUTPUT=TAP); each "ok"/"not ok"
#      case counts; a binary that fails without reporting a failed case counts
#      one failure.  Silently nothing when there are none.  Then
#      scripts/check-packaging.sh: make install/uninstall into a DESTDIR,
#      and the packages in build/deb (lintian, contents).  Then a libFuzzer
#      run over each parser (one test each).
#  (b) per kernel series in $LW4O6_KERNELS (default "6.1 6.12"; each must be
#      installed, else a failure): build/KVER/lw4o6.ko must exist (a failure
#      otherwise) and carry the version `lw4o6 -V` shows (one test), and
#      `dkms build` of the sources lw4o6-dkms ships (make dkms-source) must
#      pass (one test; done in private dkms/source trees, so it touches
#      nothing installed).
#  (c) per kernel, $LW4O6_VMS_PER_KERNEL VMs (default 1; selftests/vm/run-vm.sh)
#      running selftests/vm/guest-tests.sh on one list: every test
#      selftests/TESTS lists, or the ones in $LW4O6_TESTS, one test per
#      script; each VM runs the tests it claims first (a shared 9p
#      directory, run-vm.sh -s), so the split balances itself.  A VM that
#      times out or whose kernel log shows an oops/BUG/WARNING adds a failure
#      ("KVER:vm"); a script a VM died in fails; scripts no VM reached are
#      skipped.
#
# All the VMs run at the same time, one vCPU each (LW4O6_QEMU_ACCEL,
# default below), and boot at once.  One job on the host does the rest, in
# this order, at nice 19 so that the VMs come first (their tests leave the
# CPU idle a fifth of the time: sleeps, timers, retries): make testdata-large,
# make deb and the dkms builds, then (a).  A VM test that reads what it
# makes says so ("# lw4o6-needs: testdata|deb", selftests/vm/common.sh);
# the job marks each ready in every VM's out share (ready-testdata,
# ready-deb) and guest-tests.sh waits for the mark before such a test.
# selftests/TESTS lists those tests last.
# Output stays in a fixed order all the same: every part's output is held
# back until it and everything before it are done, then printed and numbered
# (unit tests, fuzz, then per kernel in $LW4O6_KERNELS order its lw4o6.ko
# and dkms results, its VM's console with the tests' results).  While the
# VMs run, a progress line per finished test goes to stderr.
#
# Output is KTAP-like (numbered ok/not ok lines, "# " diagnostics, the VMs'
# consoles inline); the plan comes at the end, and the very last line is
# "N passed, N failed" (", N skipped" when any were).  Exit 1 if anything
# failed.  Logs: build/check/last/ (a link to this run's directory, the ten
# newest kept): make-testdata.log, make-deb.log, make-tests.log,
# fuzz-pcp.log, fuzz-dhcp6.log, fuzz-dhcp4.log, fuzz-pgchange.log,
# fuzz-config.log, fuzz-bfd.log, fuzz-bfd_responder.log,
# dkms-KVER.log, and vm-SERIES/ with the VM's console.log, dmesg and
# results.
#
# Environment:
#   LW4O6_KERNELS      kernel series to test (default "6.1 6.12")
#   LW4O6_TESTS        test scripts to run (default: all selftests/TESTS lists):
#                      names (datapath/smoke), or paths from the repo top
#   LW4O6_TEST_TIMEOUT default per-script limit in the VM (s, default 300)
#   LW4O6_SKIP_DKMS=1  leave out the dkms builds
#   LW4O6_SKIP_UNIT=1  leave out the host unit tests, packaging tests and the
#                      fuzz run
#   LW4O6_FUZZ_SCALE   the fuzz run's inputs per harness, times this (default
#                      1: see fuzz_run)
#   LW4O6_VMS_PER_KERNEL  VMs per kernel sharing its tests (default 1; 2 fails
#                      the DHCP tests' protocol-timer windows on 6.1)
#   LW4O6_VM_PARALLEL  0: boot the kernels' VMs one after another, with
#                      run-vm.sh's own default accelerator (2 vCPUs)
#   LW4O6_QEMU_ACCEL   the VMs' accelerator and vCPUs (see run-vm.sh); default
#                      here "-accel tcg,thread=single -smp 1" when they run
#                      at the same time
#   LW4O6_QEMU_CPU     the VMs' CPU model (default here qemu64, see below)
#   LW4O6_PROGRESS=0   no progress lines on stderr
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
here=$TOP/selftests
export LW4O6_TOP=$TOP
# shellcheck source=vm/common.sh
. "$here/vm/common.sh"

kernels=${LW4O6_KERNELS:-6.1 6.12}
parallel=${LW4O6_VM_PARALLEL:-1}
# Logs of this run; several checks may run at once in one tree.
stamp=$(date +%Y%m%d-%H%M%S)-$$
logdir=$TOP/build/check/$stamp
mkdir -p "$logdir"
ln -sfn "$stamp" "$TOP/build/check/last"
ls -1td "$TOP"/build/check/*/ 2>/dev/null | tail -n +11 | while read -r d; do rm -rf "$d"; done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lw4o6-check.XXXXXX")
t0=$(date +%s)

# Results are written with a placeholder instead of a number, and a marker
# for the tally ("ok @P", "ok @S", "not ok @F"); print_part numbers them in
# the order the parts are printed.
t_ok()   { echo "ok @P $1"; }
t_fail() { echo "not ok @F $1${2:+ # $2}"; }
t_skip() { echo "ok @S $1 # SKIP ${2:-}"; }
diag()   { printf '%s\n' "$@" | sed 's/^/# /'; }

# ---- parts: run in the background, printed in a fixed order --------------
# start_part NAME FUNC ARGS...: run FUNC ARGS in the background, its output
# into $tmp/part-NAME; $tmp/part-NAME.done marks the end.  Parts are printed
# in the order they are added to $parts.
parts=() jobs_pids=()
declare -A part_job	# part -> the background job that makes it
start_part() {
	local name=$1
	shift
	( "$@" > "$tmp/part-$name" 2>&1 < /dev/null; : > "$tmp/part-$name.done" ) &
	jobs_pids+=($!)
	part_job[$name]=$!
}
# run_part NAME FUNC ARGS...: the same in the foreground
run_part() {
	local name=$1
	shift
	"$@" > "$tmp/part-$name" 2>&1 < /dev/null
	: > "$tmp/part-$name.done"
}

N=0 PASS=0 FAIL=0 SKIP=0
print_part() {	# NAME: number, tally and print its output
	local n p f s
	awk -v n="$N" -v tally="$tmp/tally" '
	/^ok @[PS] |^not ok @F / {
		n++
		if ($1 == "not") { f++; sub(/^not ok @F /, "not ok " n " ") }
		else if ($2 == "@S") { s++; sub(/^ok @S /, "ok " n " ") }
		else { p++; sub(/^ok @P /, "ok " n " ") }
	}
	{ print }
	END { print n, p + 0, f + 0, s + 0 > tally }' "$tmp/part-$1"
	read -r n p f s < "$tmp/tally"
	N=$n PASS=$((PASS + p)) FAIL=$((FAIL + f)) SKIP=$((SKIP + s))
}

progress_seen=0
show_progress() {	# new lines of $tmp/progress, to stderr
	local total
	[ "${LW4O6_PROGRESS:-1}" = 0 ] && return
	[ -f "$tmp/progress" ] || return
	total=$(wc -l < "$tmp/progress")
	[ "$total" -gt "$progress_seen" ] || return
	tail -n +$((progress_seen + 1)) "$tmp/progress" | head -n $((total - progress_seen)) >&2
	progress_seen=$total
}

# Print every part as soon as it and all before it are done.  A job that
# died without finishing its part (killed from outside) is a failure.
printed=0
print_ready() {
	local name pid
	while [ $printed -lt ${#parts[@]} ]; do
		name=${parts[$printed]}
		if [ ! -e "$tmp/part-$name.done" ]; then
			pid=${part_job[$name]-}
			if [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null ||
			   [ -e "$tmp/part-$name.done" ]; then
				break
			fi
			t_fail "check:$name" "its job ended without a result" >> "$tmp/part-$name"
		fi
		show_progress
		print_part "$name"
		printed=$((printed + 1))
	done
}

# On a signal: stop the background jobs and everything they started (the
# VMs, the dkms builds); background jobs ignore SIGINT.
kill_tree() {
	local c
	for c in $(pgrep -P "$1"); do kill_tree "$c"; done
	kill -TERM "$1" 2>/dev/null
}
stop_all() {
	local p
	for p in ${jobs_pids[@]+"${jobs_pids[@]}"}; do kill_tree "$p"; done
	wait
}
trap 'rm -rf "$tmp"' EXIT
trap 'stop_all; exit 130' INT TERM HUP

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

# scripts/check-packaging.sh's "ok"/"not ok" lines as results.
packaging_tests() {
	local line
	bash "$TOP/scripts/check-packaging.sh" 2>&1 | while IFS= read -r line; do
		case $line in
		"not ok "*) t_fail "pkg:${line#not ok }" ;;
		"ok "*"# SKIP "*) line=${line#ok }; t_skip "pkg:${line%% # SKIP *}" "${line#* # SKIP }" ;;
		"ok "*) t_ok "pkg:${line#ok }" ;;
		*) echo "$line" ;;
		esac
	done
}

# A short libFuzzer run over each parser (PCP, DHCPv6, DHCPv4, the
# PostgreSQL store's NOTIFY payloads, the configuration, BFD and the
# lwAFTR's BFD responder), one after the other from its committed seed
# corpus, a fixed number of inputs each (times LW4O6_FUZZ_SCALE): as many
# as it got through in 10 s with a core to itself on the 2-core build
# machine (2026-12-03).  A count, not a time, because the run shares the
# host with the VMs at the lowest priority: it does the same work however
# busy they keep the CPU (make -C userspace/lw4o6d fuzz runs each longer).
# Any crash, leak or sanitizer report fails that harness's line; the
# crashing input is kept in the log dir.
fuzz_one() {
	local name=$1 corpus=$2 runs=$3 maxlen=$4
	local f=$TOP/userspace/lw4o6d/fuzz/fuzz_$name log=$logdir/fuzz-$name.log
	if [ ! -x "$f" ]; then
		t_fail "fuzz:$name" "userspace/lw4o6d/fuzz/fuzz_$name not built"
		return
	fi
	mkdir -p "$tmp/fuzz-corpus-$name"
	runs=$((runs * ${LW4O6_FUZZ_SCALE:-1}))
	# (the time limit only stops a run that hangs)
	if (cd "$logdir" && "$f" -runs="$runs" -max_total_time=1800 -max_len="$maxlen" \
		"$tmp/fuzz-corpus-$name" "$TOP/userspace/lw4o6d/fuzz/$corpus") \
		> "$log" 2>&1; then
		t_ok "fuzz:$name ($(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" || echo "ran"))"
	else
		t_fail "fuzz:$name" "see $log"
		tail -n 20 "$log" | sed 's/^/# /'
	fi
}

fuzz_run() {
	fuzz_one pcp corpus 1600000 1200
	fuzz_one dhcp6 corpus-dhcp6 1600000 1500
	fuzz_one dhcp4 corpus-dhcp4 1300000 1500
	fuzz_one pgchange corpus-pgchange 2400000 512
	fuzz_one config corpus-config 36000 4096
	fuzz_one bfd corpus-bfd 1350000 480
	fuzz_one bfd_responder corpus-bfd-responder 300000 2600
}

# ---- (b) dkms ---------------------------------------------------------------
# The version is debian/changelog's (the top-level Makefile's VERSION).
dkms_ver=$(sed -n '1s/^[^ ]* (\([^()]*\)).*/\1/p' "$TOP/debian/changelog" 2>/dev/null)
dk=$tmp/dkms
dkms_opts=(--sourcetree "$dk/root/usr/src" --dkmstree "$dk/tree" --installtree "$dk/inst")

deb_dir=$TOP/build/deb
dkms_deb=$deb_dir/lw4o6-dkms_${dkms_ver}_all.deb
dkms_prepare() {
	mkdir -p "$dk/tree" "$dk/inst"
	rm -rf "$deb_dir/prebuilt"
	# The sources lw4o6-dkms ships, in a throwaway root: from the package
	# when `make deb` made one (make check does), else as the package
	# would have them (make dkms-source).  A file missing from that list
	# fails the build here.
	if [ -f "$dkms_deb" ]; then
		dpkg-deb -x "$dkms_deb" "$dk/root" > "$logdir/dkms-add.log" 2>&1
	else
		make -s -C "$TOP" dkms-source DESTDIR="$dk/root" > "$logdir/dkms-add.log" 2>&1
	fi &&
	dkms add -m lw4o6 -v "$dkms_ver" "${dkms_opts[@]}" >> "$logdir/dkms-add.log" 2>&1
}

dkms_build() {	# KVER SERIES PREPARED(0/1): one test
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
		t_fail "$2:dkms-build" "no version in debian/changelog"
		return
	fi
	if [ "$3" != 1 ]; then
		t_fail "$2:dkms-build" "dkms add failed"
		tail -n 20 "$logdir/dkms-add.log" 2>/dev/null | sed 's/^/# /'
		return
	fi
	# nice: the VMs, which run meanwhile, come first
	if nice -n 19 dkms build -m lw4o6 -v "$dkms_ver" -k "$1" "${dkms_opts[@]}" > "$log" 2>&1; then
		t_ok "$2:dkms-build${dkms_deb_used:+ (the sources in lw4o6-dkms)}"
		# The package's module, built: what pkg/deb.sh installs in the
		# VM through lw4o6-dkms's postinst (dkms ldtarball), so that the
		# VM need not compile it (make check-deb does).
		[ -n "$dkms_deb_used" ] &&
			dkms mktarball -m lw4o6 -v "$dkms_ver" -k "$1" "${dkms_opts[@]}" \
				--archive "$deb_dir/prebuilt/lw4o6-$dkms_ver-$1.dkms.tar.gz" \
				>> "$log" 2>&1
	else
		t_fail "$2:dkms-build" "see $log"
		# dkms keeps the compiler output in make.log
		cat "$dk"/tree/lw4o6/"$dkms_ver"/build/make.log >> "$log" 2>/dev/null
		grep -E 'error|Error|warning' "$log" | head -n 30 | sed 's/^/# /'
	fi
}

# ko_version KVER SERIES: the module's MODULE_VERSION is the one the CLI was
# built with (both from debian/changelog).
ko_version() {
	local kv cv
	kv=$(modinfo -F version "$TOP/build/$1/lw4o6.ko" 2>&1)
	cv=$("$TOP/userspace/lw4o6/lw4o6" -V 2>&1 | sed -n '1s/^lw4o6 \([^ ]*\) .*/\1/p')
	if [ -n "$kv" ] && [ "$kv" = "$cv" ]; then
		t_ok "$2:lw4o6.ko-version ($kv)"
	else
		t_fail "$2:lw4o6.ko-version" "modinfo says '$kv', lw4o6 -V '$cv'"
	fi
}

# host_parts SERIES=KVER...: per kernel, its lw4o6.ko and dkms results into
# part-pre-SERIES; the dkms builds one after another, in one dkms tree.
host_parts() {
	local sk kver label prepared=0 need=0
	if [ "${LW4O6_SKIP_DKMS:-0}" != 1 ] && [ -n "$dkms_ver" ] &&
	   command -v dkms > /dev/null && [ "$(id -u)" = 0 ]; then
		need=1
	fi
	dkms_deb_used=
	[ $need = 1 ] && dkms_prepare && prepared=1 && [ -f "$dkms_deb" ] && dkms_deb_used=1
	for sk in "$@"; do
		label=${sk%%=*} kver=${sk#*=}
		{
			diag "kernel $label: $kver"
			if [ ! -f "$TOP/build/$kver/lw4o6.ko" ]; then
				t_fail "$label:lw4o6.ko" "build/$kver/lw4o6.ko missing (run make)"
			else
				ko_version "$kver" "$label"
			fi
			dkms_build "$kver" "$label" "$prepared"
		} > "$tmp/part-pre-$label" 2>&1
		: > "$tmp/part-pre-$label.done"
	done
	[ $prepared = 1 ] && dkms remove -m lw4o6 -v "$dkms_ver" --all "${dkms_opts[@]}" \
		> "$logdir/dkms-remove.log" 2>&1
	return 0
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
tests=$(test_list)
# Tests marked "# lw4o6-vm: background" (selftests/vm/common.sh) run apart,
# in a VM of their own per kernel at nice 19 (bg_vm), when the VMs run at
# the same time; the rest is the main VMs' list.
bg_tests=
if [ "$parallel" = 1 ]; then
	main=
	for t in $tests; do
		if [ "$(test_vm "$(test_script "$TOP" "$t")")" = background ]; then
			bg_tests+="$t "
		else
			main+="$t "
		fi
	done
	tests=$main
fi
# VMs per kernel: they take the kernel's tests from one list, so that one
# VM's waits (sleeps, timers, daemons' retries) are another's work.  The
# tests' limits are for a VM with a core to itself: scaled by as many.
shards=${LW4O6_VMS_PER_KERNEL:-1}
[ "$parallel" = 1 ] || shards=1
case $shards in ''|*[!0-9]*|0) shards=1 ;; esac
export LW4O6_TIMEOUT_SCALE=$shards
# each VM's own limit: boot + every script's limit
vm_secs=120
for t in $tests; do
	limit=$(test_timeout "$(test_script "$TOP" "$t")" "${LW4O6_TEST_TIMEOUT:-300}")
	vm_secs=$((vm_secs + limit * shards + 15))
done
# The background VM gets what CPU the others leave: its tests' limits are
# scaled by bg_scale, and it may wait up to half an hour for the host's
# packages (guest-tests.sh's wait is not part of a test's limit).
bg_scale=4 bg_vm_secs=$((120 + 1800))
for t in $bg_tests; do
	limit=$(test_timeout "$(test_script "$TOP" "$t")" "${LW4O6_TEST_TIMEOUT:-300}")
	bg_vm_secs=$((bg_vm_secs + limit * bg_scale + 15))
done
ntests=$(echo $tests | wc -w)

if [ "$parallel" = 1 ]; then
	export LW4O6_QEMU_ACCEL=${LW4O6_QEMU_ACCEL:--accel tcg,thread=single -smp 1}
fi
# The emulated CPU: qemu64 (x86-64's baseline) rather than run-vm.sh's
# "max".  With max, glibc and the kernel pick their AVX2 code, which TCG
# emulates slowly: the same tests ran 7-16 % faster on qemu64 (scale 172 s
# against 144 s, side by side).  The benchmarks keep max (run-vm.sh
# --bench), so docs/performance.md's figures stand.
export LW4O6_QEMU_CPU=${LW4O6_QEMU_CPU:-qemu64}

# console_sink SERIES: the VM's console (stdin) into $tmp/console-SERIES,
# a progress line per test result into $tmp/progress; $tmp/console-SERIES.end
# when the console has ended.
console_sink() {	# ID [SHOWN AS]
	local n=0 secs='?' line now shown=${2:-$1}
	tee "$tmp/console-$1" |
		grep --line-buffered -E '^(not )?ok [0-9]+ |^    # [^ ]*: [0-9]+ s of ' |
		while IFS= read -r line; do
			case $line in
			"    #"*) secs=${line#*: } secs=${secs%% *} ;;
			*)
				n=$((n + 1)) now=$(( $(date +%s) - t0 ))
				printf '# progress %d:%02d: %s %d: %s (%s s)\n' $((now / 60)) \
					$((now % 60)) "$shown" $n "$line" "$secs" >> "$tmp/progress"
				secs='?' ;;
			esac
		done
	: > "$tmp/console-$1.end"
}

# vm_dir SERIES [SHARD]: a VM's log directory (SHARD: its number when a
# kernel has several, "bg" for the background VM)
vm_dir() {
	echo "$logdir/vm-$1${2:+-$2}"
}

vm_tests() {	# KVER SERIES SHARD: one VM's console, its tests' results
	local kver=$1 label=$2 shard=$3 out rc t start id share=()
	out=$(vm_dir "$label" "$shard")	# made ready by vm_dirs_prepare
	id=$label${shard:+-$shard}
	if [ -z "$tests" ]; then
		diag "$label: no test scripts to run"
		return
	fi
	if [ "$shards" = 1 ]; then
		diag "$label: booting $kver for: $(for t in $tests; do test_name "$t"; done | xargs)"
	else
		# the kernel's VMs take the tests from one list, first come
		share=(-s "$tmp/queue-$label")
		diag "$label: VM $shard of $shards booting $kver; it runs the tests it claims first"
	fi
	start=$(date +%s)
	# The console goes to a file (run-vm.sh's own copy is console.log),
	# each test's result line also to the progress file.
	LW4O6_TESTS="$(echo $tests)" LW4O6_KLABEL=$label LW4O6_KTAP_EMBED=1 \
		LW4O6_VM_NAME="VM $shard" \
		"$here/vm/run-vm.sh" -k "$kver" -t "$vm_secs" -o "$out" "${share[@]}" -- \
		selftests/vm/guest-tests.sh 2> "$tmp/run-vm-$id.err" < /dev/null \
		> >(console_sink "$id" "$label${shard:+/$shard}") &
	wait $!
	rc=$?
	echo "$rc" > "$out/vm.rc"
	# console_sink may still be writing
	for t in $(seq 50); do [ -e "$tmp/console-$id.end" ] && break; sleep 0.2; done
	echo "# $label: VM${shard:+ $shard} ran for $(( $(date +%s) - start )) s"

	# Number its results from the results file: each test has exactly one
	# result line; a result line in the console that has no entry there is
	# shown as a diagnostic, a result missing from the console is added.
	awk -v label="$label" '
	FNR == NR {
		if ($2 == "") next
		k = $2 SUBSEP (++cnt[$2]); res[k] = $1; order[++nres] = k; key[k] = $2
		next
	}
	match($0, /^(not )?ok [0-9]+ /) {
		rest = substr($0, RLENGTH + 1); name = rest; sub(/[ \t].*/, "", name)
		if (index(name, label ":") == 1) {
			k = name SUBSEP (++seen[name])
			if ((k in res) && !(k in printed)) {
				printed[k] = 1
				if (res[k] == "pass") print "ok @P " rest
				else if (res[k] == "skip") print "ok @S " rest
				else print "not ok @F " rest
				next
			}
		}
		print "# " $0; next
	}
	{ print }
	END {
		for (i = 1; i <= nres; i++) {
			k = order[i]
			if (k in printed) continue
			if (res[k] == "pass") print "ok @P " key[k]
			else if (res[k] == "skip") print "ok @S " key[k] " # SKIP"
			else print "not ok @F " key[k]
		}
	}' "$out/results" "$tmp/console-$id" 2>/dev/null || cat "$tmp/console-$id"
	sed 's/^/# /' "$tmp/run-vm-$id.err"
	[ "$shards" = 1 ] && vm_missing "$label" "$out"
	case $rc in
	124) t_fail "$label:vm" "TIMEOUT after ${vm_secs}s; console: $out/console.log" ;;
	125) t_fail "$label:vm" "kernel bug or crash; console: $out/console.log, dmesg: $out/dmesg" ;;
	esac
	if [ $rc -ne 124 ] && [ $rc -ne 125 ] && [ ! -f "$out/status" ]; then
		t_fail "$label:vm" "no status from the guest (rc $rc); console: $out/console.log"
	fi
}

# vm_missing SERIES DIR...: once the VMs that shared $tests are done (their
# out directories), the scripts without a result: the ones a VM died in,
# and the rest (a test named twice needs two results).
vm_missing() {
	local label=$1 out t rc stopped=0 current=" "
	declare -A nres=() nrun=()
	shift
	for out in "$@"; do
		while read -r _ t _; do
			[ -n "$t" ] && nres[${t#*:}]=$(( ${nres[${t#*:}]-0} + 1 ))
		done < <(cat "$out/results" 2>/dev/null)
		[ -f "$out/current" ] && current+="$(cat "$out/current") "
		rc=$(cat "$out/vm.rc" 2>/dev/null || echo 125)
		if [ "$rc" = 124 ] || [ "$rc" = 125 ] || [ ! -f "$out/results" ]; then
			stopped=1
		fi
	done
	for t in $tests; do
		t=$(test_name "$t")
		nrun[$t]=$(( ${nrun[$t]-0} + 1 ))
		[ "${nrun[$t]}" -le "${nres[$t]-0}" ] && continue
		if [[ $current == *" $label:$t "* ]]; then
			current=${current/ $label:$t / }
			t_fail "$label:$t" "the VM died or timed out while it ran"
		elif [ $stopped = 1 ]; then
			t_skip "$label:$t" "not run: the VM stopped early"
		else
			t_fail "$label:$t" "no result"
		fi
	done
}

# vm_end SERIES: after the kernel's VMs (each its own part), what none ran
vm_end() {
	local s
	for s in $(seq "$shards"); do
		while [ ! -e "$tmp/part-vm-$1-$s.done" ]; do sleep 1; done
	done
	vm_missing "$1" $(for s in $(seq "$shards"); do vm_dir "$1" "$s"; done)
}

# bg_vm KVER SERIES: the kernel's background tests in a VM of their own, at
# nice 19 like the host's work: tests without timing windows whose cost is
# CPU (pkg/deb: DKMS's depmod over thousands of modules), which so takes
# only what the main VMs leave idle instead of lengthening their list.
bg_vm() {
	local tests=$bg_tests shards=1 vm_secs=$bg_vm_secs out
	local LW4O6_TIMEOUT_SCALE=$bg_scale
	export LW4O6_TIMEOUT_SCALE
	out=$(vm_dir "$2" bg)
	# It boots at the normal priority and drops to nice 19 once its tests
	# begin (the guest names the first in "current"): starved while it
	# boots, a guest calibrates its TSC wrong (199 MHz for 2300 seen on
	# 6.12), and its clock runs fast.  Every thread of qemu: nice is a
	# thread's.
	(
		while [ ! -s "$out/current" ] && [ ! -e "$out/vm.rc" ]; do sleep 1; done
		pid=$(cat "$out/qemu.pid" 2>/dev/null) || exit 0
		for t in /proc/"$pid"/task/*; do
			renice -n 19 -p "${t##*/}" > /dev/null 2>&1
		done
	) &
	vm_tests "$1" "$2" bg
}

vms_in_turn() {	# SERIES=KVER...: one VM after another (LW4O6_VM_PARALLEL=0)
	local sk
	for sk in "$@"; do
		vm_tests "${sk#*=}" "${sk%%=*}" "" > "$tmp/part-vm-${sk%%=*}" 2>&1
		: > "$tmp/part-vm-${sk%%=*}.done"
	done
}

# ---- the host's work while the VMs run ------------------------------------
vm_dirs=()
# vm_dirs_prepare: every VM's out share, empty but for host-wait, which
# tells guest-tests.sh to wait for the ready-WORD marks of host_work; made
# before anything starts, so that no mark can come before its directory.
vm_dirs_prepare() {
	local sk s d
	for sk in ${found[@]+"${found[@]}"}; do
		for s in $(seq "$shards") ${bg_tests:+bg}; do
			[ "$shards" = 1 ] && [ "$s" = 1 ] && s=
			d=$(vm_dir "${sk%%=*}" "$s")
			rm -rf "$d"
			mkdir -p "$d"
			: > "$d/host-wait"
			vm_dirs+=("$d")
		done
	done
}
mark_ready() {	# WORD: in every VM's out share
	local d
	for d in ${vm_dirs[@]+"${vm_dirs[@]}"}; do : > "$d/ready-$1"; done
}

# host_make NAME TARGET...: make at the top into $logdir/make-NAME.log; one
# result, "build:NAME".  (Not make's jobserver: this runs outside make's
# own jobs.)
host_make() {
	local name=$1
	shift
	if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" -j"$(nproc)" -O "$@" \
		> "$logdir/make-$name.log" 2>&1; then
		t_ok "build:$name"
	else
		t_fail "build:$name" "see $logdir/make-$name.log"
		grep -E 'error|Error' "$logdir/make-$name.log" | head -n 20 | sed 's/^/# /'
	fi
}

# host_work SERIES=KVER...: everything the host does while the VMs run, in
# the order the VMs need it; each part's output into its part file.
host_work() {
	local need_deb=0 t
	renice -n 19 -p "$BASHPID" > /dev/null	# before it starts anything
	[ "${LW4O6_SKIP_UNIT:-0}" != 1 ] && need_deb=1
	[ "${LW4O6_SKIP_DKMS:-0}" != 1 ] && need_deb=1
	for t in $tests $bg_tests; do
		case " $(test_needs "$(test_script "$TOP" "$t")") " in *" deb "*) need_deb=1 ;; esac
	done
	{
		host_make testdata testdata-large
		mark_ready testdata
		[ $need_deb = 1 ] && host_make deb deb
		[ "${LW4O6_SKIP_UNIT:-0}" != 1 ] &&
			host_make tests -C userspace test &&
			host_make fuzzers -C userspace/lw4o6d fuzz/fuzz_pcp fuzz/fuzz_dhcp6 \
				fuzz/fuzz_dhcp4 fuzz/fuzz_pgchange fuzz/fuzz_config fuzz/fuzz_bfd \
				fuzz/fuzz_bfd_responder
	} > "$tmp/part-build" 2>&1 < /dev/null
	: > "$tmp/part-build.done"
	host_parts "$@"
	mark_ready deb
	if [ "${LW4O6_SKIP_UNIT:-0}" != 1 ]; then
		run_part unit unit_tests
		run_part pkg packaging_tests
		run_part fuzz fuzz_run
	fi
}

# ---- the order of things --------------------------------------------------
echo "KTAP version 1"
parts+=(build)
[ "${LW4O6_SKIP_UNIT:-0}" = 1 ] || parts+=(unit pkg fuzz)
found=()
for series in $kernels; do
	kver=$(resolve_kver "$series") || {
		t_fail "$series:kernel" "no installed kernel matches $series" > "$tmp/part-kernel-$series"
		: > "$tmp/part-kernel-$series.done"
		parts+=("kernel-$series")
		continue
	}
	label=$(kseries "$kver")
	[ "$series" = "$label" ] || label=$series
	case " ${found[*]-} " in *" $label="*) continue ;; esac	# named twice
	found+=("$label=$kver")
	if [ "$shards" = 1 ]; then
		parts+=("pre-$label" "vm-$label")
	else
		parts+=("pre-$label")
		for s in $(seq "$shards"); do parts+=("vm-$label-$s"); done
		parts+=("end-$label")
	fi
	[ -n "$bg_tests" ] && parts+=("bg-$label")
done

# The host's work at the lowest priority, from now on: it fills the gaps
# the VMs leave.  The VMs boot at once.
vm_dirs_prepare
host_work ${found[@]+"${found[@]}"} &
jobs_pids+=($!)
for p in build unit pkg fuzz; do part_job[$p]=$!; done
for sk in ${found[@]+"${found[@]}"}; do part_job[pre-${sk%%=*}]=$!; done
if [ "$parallel" = 1 ] && [ "$shards" = 1 ]; then
	for sk in ${found[@]+"${found[@]}"}; do
		start_part "vm-${sk%%=*}" vm_tests "${sk#*=}" "${sk%%=*}" ""
	done
elif [ "$parallel" = 1 ]; then
	for sk in ${found[@]+"${found[@]}"}; do
		mkdir -p "$tmp/queue-${sk%%=*}"
		for s in $(seq "$shards"); do
			start_part "vm-${sk%%=*}-$s" vm_tests "${sk#*=}" "${sk%%=*}" "$s"
		done
		start_part "end-${sk%%=*}" vm_end "${sk%%=*}"
	done
else
	vms_in_turn ${found[@]+"${found[@]}"} &
	jobs_pids+=($!)
	for sk in ${found[@]+"${found[@]}"}; do part_job[vm-${sk%%=*}]=$!; done
fi

if [ -n "$bg_tests" ]; then
	for sk in ${found[@]+"${found[@]}"}; do
		start_part "bg-${sk%%=*}" bg_vm "${sk#*=}" "${sk%%=*}"
	done
fi

while [ $printed -lt ${#parts[@]} ]; do
	print_ready
	show_progress
	[ $printed -lt ${#parts[@]} ] && sleep 2
done
wait
show_progress

echo "1..$N"
summary="$PASS passed, $FAIL failed"
[ $SKIP -gt 0 ] && summary="$summary, $SKIP skipped"
echo "$summary"
[ $FAIL -eq 0 ]
