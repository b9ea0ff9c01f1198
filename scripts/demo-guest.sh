#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make demo`: a narrated tour of what lw4o6 does today.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd -P)
L=$top/userspace/lw4o6
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "Load the module and create an lwAFTR device in a namespace"
run modprobe -a nf_defrag_ipv6 nf_conntrack nf_nat
run insmod "$top/build/$(uname -r)/lw4o6.ko"
run ip netns add isp
run "$L" -n isp dev add lw0 mode aftr local 2001:db8:ffff::1
run "$L" -n isp dev show
"$L" -n isp -j monitor > /tmp/events &
mon=$!
sleep 0.5

say "Add bindings by hand: two subscribers share 192.0.2.1, one owns 192.0.2.2"
run "$L" -n isp binding add dev lw0 ipv4 192.0.2.1 psid 1/6 offset 6 b4 2001:db8:1::1
run "$L" -n isp binding add dev lw0 ipv4 192.0.2.1 psid 2/6 offset 6 b4 2001:db8:2::1
run "$L" -n isp binding add dev lw0 ipv4 192.0.2.2 psid 0/0 b4 2001:db8:3::1 br 2001:db8:ffff::2
run "$L" -n isp binding show dev lw0

say "Conflicts are refused with the kernel's reason (exit status 1)"
run "$L" -n isp binding add dev lw0 ipv4 192.0.2.1 psid 3/4 b4 2001:db8:4::1 || true
run "$L" -n isp binding add dev lw0 ipv4 192.0.2.1 psid 1/6 offset 6 b4 2001:db8:4::1 || true

say "Replace a whole table atomically from a file (Snabb lwAFTR format works too)"
awk 'BEGIN { for (i = 0; i < 100000; i++)
	printf "ipv4 100.%d.%d.1 psid %d/4 offset 6 b4 2001:db8:%x:%x::1\n", 64 + i / 4000, (i / 16) % 250, i % 16, i / 256, i % 256 }' > /tmp/table
run wc -l /tmp/table
t0=$(date +%s%N)
run "$L" -n isp binding load dev lw0 /tmp/table
echo "(took $((($(date +%s%N) - t0) / 1000000)) ms in an emulated VM)"
run "$L" -n isp -j -p dev show lw0
run "$L" -n isp binding show dev lw0 ipv4 100.64.0.1

say "A bad line changes nothing and names the line"
printf 'ipv4 198.51.100.1 psid 0/0 b4 2001:db8::1\nipv4 198.51.100.1 psid 1/4 b4 2001:db8::2\n' > /tmp/bad
run "$L" -n isp binding load dev lw0 /tmp/bad || true
run "$L" -n isp -j dev show lw0

say "Events seen by 'lw4o6 -j monitor' meanwhile"
sleep 0.5
kill "$mon"
cat /tmp/events

say "IPv4 routed into lw0 for an address with no binding is dropped and counted"
run ip -n isp link set lw0 up
run ip -n isp route add 192.0.2.0/24 dev lw0
run ip netns exec isp ping -c 2 -W 1 192.0.2.1 || true
run ip -n isp -s link show lw0

say "Counters (RFC 8676 names)"
run "$L" -n isp stats show dev lw0

say "Unload with devices and 100,000 bindings present"
run rmmod lw4o6
run ip -n isp link show

cat <<'EOT'

== What is not there yet
This tour shows the foundation: the module, its binding table, the netlink
family and the CLI.  The lwAFTR's encap and checked decap work (tested
against stock ip6tnl + nftables lwB4s in selftests/lw4o6_aftr.sh) but are
not in this tour yet.  Not yet built (see the issues):
  - the rest of the lwAFTR: ICMP errors, reassembly, hairpinning;
  - the lwB4 / DS-Lite B4 data path and its NAPT44;
  - lw4o6d: PCP provisioning, stable storage, failover.
`make demo` will tell that whole story once they exist.
EOT
