#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the table benchmark (see run.sh).  Interleaves lw4o6 and
# nftables runs and prints result lines prefixed "BENCH ".
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
L=$top/userspace/lw4o6/lw4o6
BIG=$top/build/testdata/bind1m.txt
NFT=$top/build/testdata/bind1m.nft
runs=${LW4O6_BENCH_RUNS:-2}
N=$(wc -l < "$BIG")

source "$top/selftests/bench/lib.sh"
bench_insmod
now() { date +%s.%N; }
# Freed tables go after an RCU grace period, from a workqueue: let the
# previous run's memory come back before measuring the next one.
settle() { sync; echo 3 > /proc/sys/vm/drop_caches; sleep 2; }
kmem() { awk '/^(Slab|VmallocUsed):/ { s += $2 } END { print s * 1024 }' /proc/meminfo; }
secs() { echo "$2 - $1" | bc -l; }

declare -A t
$L dev add lw0 mode aftr local 2001:db8::1
for r in $(seq 1 "$runs"); do
	$L binding flush dev lw0
	nft delete table ip lw4o6bench 2>/dev/null || true
	settle
	m0=$(kmem); a=$(now)
	$L binding load dev lw0 "$BIG"
	b=$(now); m1=$(kmem)
	t[load]="${t[load]:-} $(secs "$a" "$b")"
	t[mem]="${t[mem]:-} $(( (m1 - m0) / N ))"
	tm=$($L -j dev show lw0 | sed -n 's/.*"table_mem":\([0-9]*\).*/\1/p')
	a=$(now); $L binding show dev lw0 > /dev/null; b=$(now)
	t[dump]="${t[dump]:-} $(secs "$a" "$b")"
	a=$(now); $L -j binding show dev lw0 > /dev/null; b=$(now)
	t[dumpj]="${t[dumpj]:-} $(secs "$a" "$b")"
	$L binding flush dev lw0
	settle
	m0=$(kmem); a=$(now)
	nft -f "$NFT"
	b=$(now); m1=$(kmem)
	t[nft]="${t[nft]:-} $(secs "$a" "$b")"
	t[nftmem]="${t[nftmem]:-} $(( (m1 - m0) / N ))"
	nft delete table ip lw4o6bench
done
min() { tr ' ' '\n' | grep . | sort -g | head -n1; }
load=$(echo "${t[load]}" | min); nft=$(echo "${t[nft]}" | min)
dump=$(echo "${t[dump]}" | min); dumpj=$(echo "${t[dumpj]}" | min)
mem=$(echo "${t[mem]}" | min); nftmem=$(echo "${t[nftmem]}" | min)
r() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
echo "BENCH | kernel $(uname -r), $N bindings, best of $runs | guest seconds | ratio | goal |"
echo "BENCH |---|---|---|---|"
echo "BENCH | nft -f, map ipv4_addr . inet_service : ipv6_addr | $(printf %.1f "$nft") | 1.00 | |"
echo "BENCH | lw4o6 binding load | $(printf %.1f "$load") | $(r "$load" "$nft") x nft | <= 1.0 |"
echo "BENCH | lw4o6 binding show (text, full dump) | $(printf %.1f "$dump") | $(r "$dump" "$load") x load | < 1.5 |"
echo "BENCH | lw4o6 -j binding show (JSON, full dump) | $(printf %.1f "$dumpj") | $(r "$dumpj" "$load") x load | < 1.5 |"
echo "BENCH | kernel memory per binding, lw4o6 (Slab+vmalloc delta) | $mem bytes | | <= 128 |"
echo "BENCH | kernel memory per element, nftables (Slab+vmalloc delta) | $nftmem bytes | | |"
echo "BENCH | table memory as the module accounts it (dev show table_mem / N) | $((tm / N)) bytes | | <= 128 |"
