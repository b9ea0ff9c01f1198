#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 360
#
# Our lwB4 (mode b4: NAPT44 into its address and port set by the kernel's
# conntrack/nf_nat) through our lwAFTR to an internet host.
#
#  LAN1 192.168.1.2/24 --v-- 192.168.1.1  B4                     AFTR                       INET
#  LAN2 192.168.2.2/24 --v-- 192.168.2.1  b0 (b4, local ::2,     lw0 (aftr, local ff::1)
#                                            remote ff::1,       192.0.2.0/24 -> lw0
#                                            192.0.2.1 psid 1/4) 198.51.100.254 --v-- 198.51.100.1
#                                         2001:db8:1::2 ---v--- 2001:db8:1::1 (br0)
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"

require_root
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
aftr_topology
setup_ns B4 LAN1 LAN2
a() { "$LW4O6" -n "$AFTR" "$@"; }
b() { "$LW4O6" -n "$B4" "$@"; }
bstat() { b -j stats show dev b0 | jq ".[\"${1//-/_}\"]"; }
astat() { a -j stats show dev lw0 | jq ".[\"${1//-/_}\"]"; }

ip -n "$AFTR" link add b2 type veth peer name u0 netns "$B4"
ip -n "$AFTR" link set b2 master br0 up
ip -n "$B4" addr add 2001:db8:1::2/64 dev u0 nodad
ip -n "$B4" link set u0 up
ip -n "$B4" route add 2001:db8:ff::1 via 2001:db8:1::1
ip netns exec "$B4" sysctl -qw net.ipv4.ip_forward=1
n=1
for lan in "$LAN1" "$LAN2"; do
	ip -n "$lan" link add e0 type veth peer name "lan$n" netns "$B4"
	ip -n "$lan" addr add "192.168.$n.2/24" dev e0
	ip -n "$B4" addr add "192.168.$n.1/24" dev "lan$n"
	ip -n "$lan" link set e0 up
	ip -n "$B4" link set "lan$n" up
	ip -n "$lan" route add default via "192.168.$n.1"
	n=$((n + 1))
done

check_cmd "lwAFTR" a dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
check_cmd "the B4's binding on the lwAFTR (ports 4096-8191)" \
	a binding add dev lw0 ipv4 192.0.2.1 psid 1/4 b4 2001:db8:1::2
check_cmd "lwB4 device" \
	b dev add b0 mode b4 local 2001:db8:1::2 remote 2001:db8:ff::1 ipv4 192.0.2.1 psid 1/4
expect_eq "dev show: the binding" \
	"$(b -j dev show b0 | jq -c '.[0] | [.ipv4, .psid, .psid_len, .offset, .remote]')" \
	'["192.0.2.1",1,4,0,"2001:db8:ff::1"]'
ip -n "$B4" link set b0 up
ip -n "$B4" route add default dev b0

ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
busywait 10000 sh -c "ip netns exec $INET ss -ltn | grep -q :7777"
inset() {	# LO HI: every peer the internet saw came from 192.0.2.1:LO-HI
	awk -v lo="$1" -v hi="$2" '$2 != "192.0.2.1" || $3 < lo || $3 > hi { bad++ } END { exit bad > 0 }' \
		"$TMPDIR/peers"
}

for lan in "$LAN1" "$LAN2"; do
	check_cmd "LAN host: UDP to the internet and back" ip netns exec "$lan" $ECHO udp 198.51.100.1 7777
	check_cmd "LAN host: TCP to the internet and back" ip netns exec "$lan" $ECHO tcp 198.51.100.1 7777
	check_cmd "LAN host: ping to the internet and back" \
		ip netns exec "$lan" ping -c 2 -i 0.2 -W 3 198.51.100.1
done
# mss-clamp (on by default): LAN SYNs offer at most b0's MTU (1460) less 40.
mss() { awk '$1 == "tcp" { m = $4 } END { print m }' "$TMPDIR/peers"; }
ktap_diag "MSS the internet host settled on with mss-clamp on: $(mss)"
check_cmd "mss-clamp on: the LAN's SYN offered at most 1420" test "$(mss)" -le 1420
check_cmd "mss-clamp off" b dev set b0 mss-clamp off
check_cmd "LAN host: TCP again" ip netns exec "$LAN1" $ECHO tcp 198.51.100.1 7777
ktap_diag "MSS with mss-clamp off: $(mss)"
check_cmd "mss-clamp off: the LAN's 1460 went through" test "$(mss)" -gt 1420
check_cmd "mss-clamp on" b dev set b0 mss-clamp on
check_cmd "the B4 itself: UDP to the internet and back" ip netns exec "$B4" $ECHO udp 198.51.100.1 7777
check_cmd "the internet saw only 192.0.2.1:4096-8191" inset 4096 8191
check_cmd "a port the LAN host chose inside the set is kept" \
	ip netns exec "$LAN1" $ECHO udp 198.51.100.1 7777 5000
expect_eq "... as 192.0.2.1:5000" "$(grep -c '^udp 192.0.2.1 5000 ' "$TMPDIR/peers")" 1
check_cmd "an internet host's Port Unreachable reaches the LAN host" \
	ip netns exec "$LAN1" $ECHO refused 198.51.100.1 9999
# Unsolicited, to a port of the set no flow uses: 192.0.2.1 is not an
# address of the B4, so it would route back into b0 and loop via the AFTR.
h=$(astat hairpin-ipv4-packets) d=$(bstat drop-hairpin-disabled-ipv4)
ip netns exec "$INET" $ECHO udp 192.0.2.1 5001 > /dev/null 2>&1
expect_eq "unsolicited traffic is not sent back to the AFTR" "$(bstat drop-hairpin-disabled-ipv4)" $((d + 1))
expect_eq "... so the lwAFTR hairpinned nothing" "$(astat hairpin-ipv4-packets)" "$h"

# Many flows at once: all NATed into the set, none refused by the lwAFTR.
d=$(astat drop-no-source-softwire-ipv6)
r=$(ip netns exec "$LAN1" "$PYTHON" "$TOP/selftests/lib/py/flows.py" 198.51.100.1 7777 2000)
ktap_diag "2000 UDP flows from LAN1: $r; the internet saw $(grep -c ' 192.0.2.1 ' "$TMPDIR/peers") peers;" \
	"b0 sent-ipv6 $(bstat sent-ipv6-packets) sent-ipv4 $(bstat sent-ipv4-packets) dropped $(bstat dropped-ipv4-packets)/$(bstat dropped-ipv6-packets);" \
	"INET UdpRcvbufErrors $(ip netns exec "$INET" nstat -az UdpRcvbufErrors | awk '/Udp/ { print $2 }');" \
	"lw0 rcvd-ipv6 $(astat rcvd-ipv6-packets) sent-ipv4 $(astat sent-ipv4-packets)"
expect_eq "2000 concurrent UDP flows all answered" "$r" "sent 2000 answered 2000"
check_cmd "... every one from 192.0.2.1:4096-8191" inset 4096 8191
expect_eq "the lwAFTR's source check refused none" "$(astat drop-no-source-softwire-ipv6)" "$d"
expect_eq "the B4 sent nothing outside its set" "$(bstat drop-out-of-port-set-ipv4)" 0

# A new binding with an offset (RFC 7597 scattered ranges): old flows go.
check_cmd "the lwAFTR binds 192.0.2.9 psid 0x34/8 offset 6" \
	a binding add dev lw0 ipv4 192.0.2.9 psid 0x34/8 offset 6 b4 2001:db8:1::2
check_cmd "conntrack holds flows of the old binding" \
	test "$(ip netns exec "$B4" grep -c 'dst=192.0.2.1 ' /proc/net/nf_conntrack)" -ge 1
check_cmd "dev set moves the B4 to it" b dev set b0 ipv4 192.0.2.9 psid 0x34/8 offset 6
expect_eq "conntrack holds no flow of the old binding" \
	"$(ip netns exec "$B4" grep -c 'dst=192.0.2.1 ' /proc/net/nf_conntrack)" 0
: > "$TMPDIR/peers"
r=$(ip netns exec "$LAN2" "$PYTHON" "$TOP/selftests/lib/py/flows.py" 198.51.100.1 7777 200)
expect_eq "200 flows in the new set all answered" "$r" "sent 200 answered 200"
check_cmd "... every one from 192.0.2.9, a port of PSID 0x34 (offset 6)" \
	awk '$2 != "192.0.2.9" || $3 < 1024 || int($3 / 4) % 256 != 52 { bad++ } END { exit bad > 0 || NR < 200 }' \
	"$TMPDIR/peers"

# Exhaustion: 16 ports, 20 flows.
check_cmd "the lwAFTR binds 192.0.2.10 psid 0x2a5/12 (16 ports)" \
	a binding add dev lw0 ipv4 192.0.2.10 psid 0x2a5/12 b4 2001:db8:1::2
check_cmd "dev set to it" b dev set b0 ipv4 192.0.2.10 psid 0x2a5/12 offset 0
x=$(bstat drop-port-set-exhausted)
r=$(ip netns exec "$LAN1" "$PYTHON" "$TOP/selftests/lib/py/flows.py" 198.51.100.1 7777 20)
expect_eq "20 flows into 16 ports: 16 answered" "$r" "sent 20 answered 16"
expect_eq "the 4 others were counted as drop-port-set-exhausted" "$(bstat drop-port-set-exhausted)" $((x + 4))

# The lwAFTR forgets us: its ICMPv6 1/5 raises icmp-no-binding for the daemon.
"$LW4O6" -n "$B4" -j monitor > "$TMPDIR/events" 2>&1 &
defer kill $!
sleep 1
# Errors the AFTR did not send (#11 item 2): from another address, with a
# bad checksum, about a packet the B4 never sent, or about what no ICMPv4
# error may be made for.  No event, no ICMPv4 error into the B4, counted.
# 2001:db8:1::1 (the bridge) is off the softwire: it can spoof the AFTR.
err6() { ip netns exec "$AFTR" "$PYTHON" "$TOP/selftests/lib/py/icmp6_err.py" 2001:db8:1::2 "$@"; }
ours="2001:db8:1::2 2001:db8:ff::1 192.0.2.10 198.51.100.1 10840 7777"
p=$(bstat drop-in-by-policy-icmpv6) c=$(bstat drop-bad-checksum-icmpv6)
o=$(bstat out-icmpv4-error-packets)
err6 1 5 0 $ours
err6 1 5 0 $ours src=2001:db8:ff::1 badsum
err6 1 5 0 2001:db8:1::2 2001:db8:ff::1 192.0.2.10 198.51.100.1 80 7777 src=2001:db8:ff::1
err6 1 5 0 2001:db8:1::2 2001:db8:ff::1 192.0.2.11 198.51.100.1 10840 7777 src=2001:db8:ff::1
err6 1 3 0 $ours src=2001:db8:ff::1 frag
err6 1 3 0 $ours src=2001:db8:ff::1 icmp
# The control pair, but not lw4o6d's ports: nothing the B4 lets out.
err6 1 5 0 2001:db8:1::2 2001:db8:ff::1 192.0.0.2 192.0.0.1 40000 5351 src=2001:db8:ff::1
sleep 1
expect_eq "forged 1/5s raise no icmp-no-binding" "$(grep -c icmp-no-binding "$TMPDIR/events")" 0
expect_eq "no ICMPv4 error was made from them" "$(bstat out-icmpv4-error-packets)" "$o"
expect_eq "the bad checksum counted as drop-bad-checksum-icmpv6" \
	"$(bstat drop-bad-checksum-icmpv6)" $((c + 1))
expect_eq "the other six as drop-in-by-policy-icmpv6" "$(bstat drop-in-by-policy-icmpv6)" $((p + 6))
err6 1 3 0 $ours src=2001:db8:ff::1
expect_eq "the AFTR's 1/3 about a datagram we sent does make an ICMPv4 error" \
	"$(bstat out-icmpv4-error-packets)" $((o + 1))
check_cmd "the lwAFTR drops the B4's binding" a binding del dev lw0 ipv4 192.0.2.10 psid 0x2a5/12
rm -f "$TMPDIR/ready"
ip netns exec "$LAN1" "$PYTHON" "$TOP/selftests/lib/py/icmp_count.py" v4 3 1 6 "$TMPDIR/ready" \
	> "$TMPDIR/icmp" &
pid=$!
busywait 10000 test -e "$TMPDIR/ready"
check_fail "LAN host: nothing gets through now (a new peer port: the 16 are taken for :7777)" \
	ip netns exec "$LAN1" $ECHO udp 198.51.100.1 9
kill -USR1 "$pid"	# the count ends a second later (icmp_count.py)
wait "$pid"
expect_eq "the AFTR's 1/5 reaches the LAN host as ICMPv4 3/1" "$(cat "$TMPDIR/icmp")" 1
busywait 5000 grep -q icmp-no-binding "$TMPDIR/events"
ktap_diag "lw0 out-icmpv6-error-packets $(astat out-icmpv6-error-packets)," \
	"b0 drop-in-by-policy-icmpv6 $(bstat drop-in-by-policy-icmpv6) drop-malformed $(bstat drop-malformed)" \
	"out-icmpv4-error-packets $(bstat out-icmpv4-error-packets); events: $(tr '\n' ' ' < "$TMPDIR/events")"
expect_eq "icmp-no-binding names the device, the AFTR and our address" \
	"$(jq -c 'select(.event == "icmp-no-binding") | [.dev, .from, .ipv4]' "$TMPDIR/events" | head -n 1)" \
	'["b0","2001:db8:ff::1","192.0.2.10"]'

link() { ip -n "$B4" -j -s link show b0 | jq ".[0].stats64.$1.packets"; }
expect_eq "ip -s link: tx is what we encapsulated" "$(link tx)" "$(bstat sent-ipv6-packets)"
check_balance "$B4" b0
ktap_finish
