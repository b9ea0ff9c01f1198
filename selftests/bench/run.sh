#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the binding-table benchmark, in one VM boot per kernel under
# qemu's instruction counting (-icount shift=0,sleep=off, one CPU), so guest
# time advances with instructions executed and ratios repeat run to run.
#
#   selftests/bench/run.sh [KERNEL...]      (default: 6.1 6.12)
#
# Prints a Markdown table per kernel and keeps it in build/bench/.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
kernels=${*:-6.1 6.12}
out=$top/build/bench
mkdir -p "$out"
for k in $kernels; do
	echo "== kernel $k (icount; this takes several minutes)"
	"$top/selftests/vm/run-vm.sh" --bench -k "$k" -m 4096 -t 3600 -- \
		selftests/bench/guest-table.sh | tee "$out/table-$k.log"
	sed -n 's/^BENCH //p' "$out/table-$k.log" > "$out/table-$k.md"
done
