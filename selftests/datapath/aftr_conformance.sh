#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 300
#
# lwAFTR conformance (issue #17), against stock-parts lwB4s and with the
# namespaces' sysctl defaults left as they are:
#  - hairpinned traffic is re-encapsulated and draws no ICMPv4 redirect
#    (RFC 7596 6.2, RFC 1812 5.2.7.2), whatever send_redirects and
#    shared_media say;
#  - an ICMPv6 error about a packet the lwAFTR hairpinned is translated
#    into ICMPv4 3/1 for the original sender, through its softwire;
#  - a binding with its own BR is decapsulated when its B4 sends to that
#    BR, and a B4 sending to another binding's BR is dropped and counted.
#
#   INET                      AFTR                                  B4a / B4c / B4d
#   198.51.100.1/24 --v-- 198.51.100.254/24                       ip6tnl t0 -> 2001:db8:ff::1
#                         lw0 (aftr, local 2001:db8:ff::1)          a: 192.0.2.1, whole address
#                         192.0.2.0/24 -> lw0                       c: 192.0.2.2, whole address
#                         2001:db8:1::1/64 br0 ------v-------- 2001:db8:1::2 (a), ::4 (c)
#                                                       `----- 2001:db8:1::6 (d): 192.0.2.3,
#                                                                 br 2001:db8:ff::2, t0 -> ::2
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"

require_root
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
aftr_topology
setup_ns B4A B4C
l() { "$LW4O6" -n "$AFTR" "$@"; }
aftr_b4 "$B4A" 2 192.0.2.1
aftr_b4 "$B4C" 4 192.0.2.2

check_cmd "lwAFTR device" l dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
check_cmd "binding for B4a" l binding add dev lw0 ipv4 192.0.2.1 psid 0/0 b4 2001:db8:1::2
check_cmd "binding for B4c" l binding add dev lw0 ipv4 192.0.2.2 psid 0/0 b4 2001:db8:1::4

for ns in "$B4A" "$B4C"; do
	ip netns exec "$ns" $ECHO serve 7777 "$TMPDIR/peers.$ns" &
	defer kill $!
	busywait 10000 sh -c "ip netns exec $ns ss -lun | grep -q :7777"
done


# --- hairpinning draws no redirect, with the defaults that would send one ---
sc() { ip netns exec "$AFTR" sysctl -n "net.ipv4.conf.$1"; }
expect_eq "AFTR keeps the default send_redirects (all, lw0)" \
	"$(sc all.send_redirects) $(sc lw0.send_redirects)" "1 1"
expect_eq "AFTR keeps the default shared_media (all, lw0)" \
	"$(sc all.shared_media) $(sc lw0.shared_media)" "1 1"
red=$(snmp "$AFTR" Icmp OutRedirects)
h=$(aftr_stat hairpin-ipv4-packets)
icmp_count "$B4A" v4 5 1 6
check_cmd "B4a -> B4c: UDP, hairpinned" ip netns exec "$B4A" $ECHO udp 192.0.2.2 7777
check_cmd "B4a -> B4c: TCP, hairpinned" ip netns exec "$B4A" $ECHO tcp 192.0.2.2 7777
check_cmd "B4a -> B4c: ping, hairpinned" ip netns exec "$B4A" ping -c 2 -i 0.2 -W 3 192.0.2.2
icmp_result "$B4A"
expect_eq "B4a got no ICMPv4 redirect" "$R" 0
expect_eq "the AFTR sent none (Icmp OutRedirects)" "$(snmp "$AFTR" Icmp OutRedirects)" "$red"
check_cmd "the exchanges were hairpinned" test "$(aftr_stat hairpin-ipv4-packets)" -ge $((h + 6))

# --- an ICMPv6 error about a hairpinned packet reaches its IPv4 sender ---
# The kernels' own ICMP limits would make error counts depend on timing.
for ns in "$AFTR" "$B4A" "$B4C"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
done
# As a router on B4c's side would send it: 3/0 quoting local -> B4c | A -> C.
p=$(aftr_stat drop-in-by-policy-icmpv6)
icmp_count "$B4A" v4 3 1 6
ip netns exec "$B4C" "$PYTHON" "$TOP/selftests/lib/py/icmp6_err.py" 2001:db8:ff::1 3 0 0 \
	2001:db8:ff::1 2001:db8:1::4 192.0.2.1 192.0.2.2 7777 7777
icmp_result "$B4A"
ktap_diag "lw0: out-icmpv4-error-packets $(aftr_stat out-icmpv4-error-packets)" \
	"drop-bad-checksum-icmpv6 $(aftr_stat drop-bad-checksum-icmpv6)" \
	"drop-malformed $(aftr_stat drop-malformed)" \
	"drop-over-rate-limit-icmpv4 $(aftr_stat drop-over-rate-limit-icmpv4)"
expect_eq "ICMPv6 3/0 about a hairpinned packet reaches B4a as ICMPv4 3/1" "$R" 1
expect_eq "not dropped by policy" "$(aftr_stat drop-in-by-policy-icmpv6)" "$p"

# --- a per-binding BR: its B4 sends to it, and only its B4 may ---
setup_ns B4D
aftr_b4 "$B4D" 6 192.0.2.3
ip -n "$B4D" -6 tunnel change t0 mode ip4ip6 local 2001:db8:1::6 remote 2001:db8:ff::2
ip -n "$B4D" route add 2001:db8:ff::2 via 2001:db8:1::1
ip netns exec "$B4D" $ECHO serve 7777 "$TMPDIR/peers.d" &
defer kill $!
busywait 10000 sh -c "ip netns exec $B4D ss -lun | grep -q :7777"
check_cmd "binding for B4d with br 2001:db8:ff::2" \
	l binding add dev lw0 ipv4 192.0.2.3 psid 0/0 b4 2001:db8:1::6 br 2001:db8:ff::2
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers.inet" &
defer kill $!
busywait 10000 sh -c "ip netns exec $INET ss -lun | grep -q :7777"
check_cmd "B4d <-> INET through its BR (UDP)" ip netns exec "$B4D" $ECHO udp 198.51.100.1 7777
check_cmd "B4d <-> INET through its BR (ping)" ip netns exec "$B4D" ping -c 1 -W 3 198.51.100.1
check_cmd "INET <-> B4d (UDP)" ip netns exec "$INET" $ECHO udp 192.0.2.3 7777
check_cmd "B4d <-> B4a, hairpinned between the two BRs" \
	ip netns exec "$B4D" $ECHO udp 192.0.2.1 7777
# A router on B4d's side reports a packet the lwAFTR sent it from the BR.
icmp_count "$INET" v4 3 1 3
ip netns exec "$B4D" "$PYTHON" "$TOP/selftests/lib/py/icmp6_err.py" 2001:db8:ff::2 3 0 0 \
	2001:db8:ff::2 2001:db8:1::6 198.51.100.1 192.0.2.3 7777 7777
icmp_result "$INET"
expect_eq "ICMPv6 3/0 to the BR becomes ICMPv4 3/1 for INET" "$R" 1
# B4a (bound without a BR, so to local) sends to B4d's BR instead.
ip -n "$B4A" -6 tunnel add t1 mode ip4ip6 local 2001:db8:1::2 remote 2001:db8:ff::2
ip -n "$B4A" link set t1 up
ip -n "$B4A" route add 2001:db8:ff::2 via 2001:db8:1::1
ip -n "$B4A" route add 198.51.100.1/32 dev t1 src 192.0.2.1
d=$(aftr_stat drop-no-source-softwire-ipv6)
check_fail "B4a -> another binding's BR is not decapsulated" \
	ip netns exec "$B4A" $ECHO udp 198.51.100.1 7777
expect_eq "counted as drop-no-source-softwire-ipv6" "$(aftr_stat drop-no-source-softwire-ipv6)" $((d + 1))
ip -n "$B4A" route del 198.51.100.1/32 dev t1
check_cmd "B4a to local still passes" ip netns exec "$B4A" $ECHO udp 198.51.100.1 7777

# --- TCP in bulk, GRO'd into IPv4-in-IPv6 super-packets (#11 item 4) ---
# With GRO on the lwAFTR's veths from B4a and B4c, what B4a sends in
# segments (its TSO off) arrives merged; B4c's TSO super-packets cross its
# veth whole.  Either way one skb carries a tunnel's offload state, which
# must not outlive the decapsulation, nor a checksum state the encap.
OFFLOAD="$PYTHON $TOP/selftests/lib/py/offload.py"
expect_eq "GRO on at b2 and b4" \
	"$(ip netns exec "$AFTR" $OFFLOAD b2 gro on) $(ip netns exec "$AFTR" $OFFLOAD b4 gro on)" "on on"
expect_eq "TSO off at B4a's u0" "$(ip netns exec "$B4A" $OFFLOAD u0 tso off)" off
for ns in "$INET" "$B4A" "$B4C"; do
	ip netns exec "$ns" $ECHO sink 9000 &
	defer kill $!
	busywait 10000 sh -c "ip netns exec $ns ss -ltn | grep -q :9000"
done
mark="lw4o6-gro-$$"
echo "$mark" > /dev/kmsg
d4=$(aftr_stat dropped-ipv4-packets) d6=$(aftr_stat dropped-ipv6-packets) h=$(aftr_stat hairpin-ipv4-packets)
MB=3000000
check_cmd "B4a -> INET: 3 MB over TCP, GRO'd at b2" ip netns exec "$B4A" $ECHO bulk 198.51.100.1 9000 $MB
check_cmd "B4c -> INET: 3 MB over TCP, TSO through b4" ip netns exec "$B4C" $ECHO bulk 198.51.100.1 9000 $MB
check_cmd "INET -> B4a: 3 MB over TCP" ip netns exec "$INET" $ECHO bulk 192.0.2.1 9000 $MB
check_cmd "B4a -> B4c: 3 MB over TCP, hairpinned" ip netns exec "$B4A" $ECHO bulk 192.0.2.2 9000 $MB
check_cmd "B4c -> B4a: 3 MB over TCP, hairpinned" ip netns exec "$B4C" $ECHO bulk 192.0.2.1 9000 $MB
check_cmd "... hairpinned indeed" test "$(aftr_stat hairpin-ipv4-packets)" -gt $((h + 1000))
expect_eq "no IPv4 or IPv6 packet dropped" "$(aftr_stat dropped-ipv4-packets) $(aftr_stat dropped-ipv6-packets)" "$d4 $d6"
log=$(dmesg | sed -n "/$mark/,\$p")
expect_eq "no hw csum failure in the kernel log" "$(grep -c 'csum failure' <<< "$log")" 0
expect_eq "no GSO warning in the kernel log" "$(grep -ci 'gso\|segment' <<< "$log")" 0

check_balance "$AFTR" lw0
ktap_finish
