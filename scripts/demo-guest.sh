#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make demo`: a narrated tour of what lw4o6 does today:
# the lwAFTR's table, then two homes behind our lwB4s reaching the internet
# through our lwAFTR.
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

say "End to end: two homes share 192.0.2.1 through our lwB4s and our lwAFTR"
# home1/home2 (LAN 192.168.1.0/24) -- b4x (lwB4) == IPv6 == isp (lwAFTR) -- inet
ECHO="/usr/bin/python3 $top/selftests/py/echo.py"
run ip netns add inet
ip -n isp link add i0 type veth peer name e0 netns inet
ip -n isp addr add 198.51.100.254/24 dev i0; ip -n isp link set i0 up
ip -n inet addr add 198.51.100.1/24 dev e0; ip -n inet link set e0 up
ip -n inet link set lo up
ip -n inet route add 192.0.2.0/24 via 198.51.100.254
ip netns exec isp sysctl -qw net.ipv4.ip_forward=1
run "$L" -n isp binding load dev lw0 - <<'TABLE'
ipv4 192.0.2.1 psid 1/6 offset 6 b4 2001:db8:1::2
ipv4 192.0.2.1 psid 2/6 offset 6 b4 2001:db8:2::2
TABLE
run ip -n isp link set lw0 up
run ip -n isp route add 192.0.2.0/24 dev lw0
n=1
for h in home1 home2; do
	ip netns add "b4$n"; ip netns add "$h"
	ip -n "b4$n" link set lo up; ip -n "$h" link set lo up
	ip -n isp link add "b$n" type veth peer name u0 netns "b4$n"
	ip -n isp addr add "2001:db8:$n::1/64" dev "b$n" nodad; ip -n isp link set "b$n" up
	ip -n "b4$n" addr add "2001:db8:$n::2/64" dev u0 nodad; ip -n "b4$n" link set u0 up
	ip -n "b4$n" route add 2001:db8:ffff::1 via "2001:db8:$n::1"
	ip -n "$h" link add e0 type veth peer name lan0 netns "b4$n"
	ip -n "$h" addr add 192.168.1.2/24 dev e0; ip -n "$h" link set e0 up
	ip -n "$h" route add default via 192.168.1.1
	ip -n "b4$n" addr add 192.168.1.1/24 dev lan0; ip -n "b4$n" link set lan0 up
	ip netns exec "b4$n" sysctl -qw net.ipv4.ip_forward=1
	run "$L" -n "b4$n" dev add b0 mode b4 local "2001:db8:$n::2" remote 2001:db8:ffff::1 \
		ipv4 192.0.2.1 psid "$n/6" offset 6
	ip -n "b4$n" link set b0 up
	ip -n "b4$n" route add default dev b0
	n=$((n + 1))
done
run "$L" -n b41 dev show
ip netns exec inet $ECHO serve 7 /tmp/peers > /dev/null 2>&1 &
srv=$!
for i in $(seq 100); do	# python starts slowly in an emulated VM
	ip netns exec inet ss -lnt | grep -q ':7 ' && break
	sleep 0.2
done
for h in home1 home2; do
	run ip netns exec "$h" ping -c 1 -W 3 198.51.100.1
	run ip netns exec "$h" $ECHO udp 198.51.100.1 7
	run ip netns exec "$h" $ECHO tcp 198.51.100.1 7
done
say "What the internet host saw: one address, each home inside its own port set"
cat /tmp/peers
say "The homes' NAT is the kernel's conntrack (here: home1's router)"
run sh -c "ip netns exec b41 cat /proc/net/nf_conntrack | grep -o 'src=192.168.1.2 dst=198.51.100.1 .*dport=[0-9]*' | head -3"

say "The lwAFTR forgets home2: its traffic is refused, and both sides say so"
"$L" -n isp -j monitor > /tmp/events2 &
mon=$!
"$L" -n b42 -j monitor > /tmp/events3 &
mon2=$!
sleep 0.5
run "$L" -n isp binding del dev lw0 ipv4 192.0.2.1 psid 2/6
run ip netns exec home2 $ECHO udp 198.51.100.1 7 || true
sleep 0.5
kill "$mon" "$mon2"
echo "lwAFTR:"; cat /tmp/events2
echo "home2's lwB4 (the daemon will reprovision on this):"; cat /tmp/events3
run "$L" -n b42 stats show dev b0 | grep -E 'rcvd|sent|drop-in|out-icmp' || true
kill "$srv" 2>/dev/null || true

say "Counters on the lwAFTR (RFC 8676 names) and ip -s link"
run "$L" -n isp stats show dev lw0
run ip -n isp -s link show lw0

say "Unload with devices and bindings present"
for ns in b41 b42 home1 home2 inet; do ip netns del "$ns"; done
run rmmod lw4o6
run ip -n isp link show

cat <<'EOT'

== What is not there yet
The two fast paths are here: the lwAFTR (binding table, checked decap,
fragments, ICMP, hairpinning) and the B4s (lwB4 with NAPT44 into its port
set, DS-Lite).  Not yet built: lw4o6d, the daemon that provisions the
bindings you added by hand above over PCP and DHCPv4-over-DHCPv6, keeps
them in stable storage and handles failover between lwAFTRs.
EOT
