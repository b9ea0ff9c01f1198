#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the binding-table, data-path, lwB4 NAPT, lw4o6d PCP, DHCPv4-over-DHCPv6,
# failover and anycast (FRR withdrawal, ANNOUNCE rounds) benchmarks, in one VM boot per
# kernel under qemu's instruction counting (-icount shift=0,sleep=off, one
# CPU), so guest time advances with instructions executed and ratios repeat
# run to run.  See docs/performance.md.
#
#   selftests/bench/run.sh [KERNEL...]      (default: 6.1 6.12)
#
# LW4O6_BENCH_PARTS="table datapath b4 pcp dhcp failover anycast" picks the guest scripts
# (selftests/bench/guest-PART.sh) run in that boot, in that order; their
# knobs (LW4O6_BENCH_RUNS, LW4O6_BENCH_ROUNDS, ...) pass into the guest.
# Prints a Markdown table per part and kernel and keeps them in build/bench/
# (PART-KERNEL.md; the whole console in bench-KERNEL.log).
set -eu
set -o pipefail
top=$(cd "$(dirname "$0")/../.." && pwd -P)
kernels=${*:-6.1 6.12}
export LW4O6_BENCH_PARTS=${LW4O6_BENCH_PARTS:-table datapath b4 pcp dhcp failover anycast bfd}
out=$top/build/bench
mkdir -p "$out"
rc=0
for k in $kernels; do
	echo "== kernel $k (icount; this takes several minutes)"
	# shellcheck disable=SC2016  # expanded in the guest
	"$top/selftests/vm/run-vm.sh" --bench -k "$k" -m 4096 -t 3600 -- \
		bash -c 'rc=0; for p in $LW4O6_BENCH_PARTS; do
			bash "selftests/bench/guest-$p.sh" || { echo "guest-$p.sh failed" >&2; rc=1; }
		done; exit $rc' | tee "$out/bench-$k.log" || rc=1
	# keep an earlier table of a part that did not run this time
	for p in "BENCH table" "DPBENCH datapath" "B4BENCH b4" "PCPBENCH pcp" "DHCPBENCH dhcp" "FOBENCH failover" "ACBENCH anycast" "BFDBENCH bfd"; do
		t=$(sed -n "s/^${p% *} //p" "$out/bench-$k.log")
		[ -z "$t" ] || printf '%s\n' "$t" > "$out/${p#* }-$k.md"
	done
done
exit $rc
