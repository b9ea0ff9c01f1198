#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 400
#
# The lwAFTR's router duties, against stock-parts lwB4s: MTU and DF, IPv4
# and IPv6 fragments both ways, TTL expiry, ICMP errors in both directions
# (ours, the internet's, and ICMPv6 from the IPv6 side translated to ICMPv4),
# the errors' source and size caps, hairpinning between B4s, `ip -s link`.
#
#   INET                      AFTR                                  B4a / B4c
#   198.51.100.1/24 --v-- 198.51.100.254/24                       ip6tnl t0 -> 2001:db8:ff::1
#                         lw0 (aftr, local 2001:db8:ff::1)          a: 192.0.2.1 ports 1024-2047 (nft)
#                         192.0.2.0/24 -> lw0                       c: 192.0.2.2, the whole address
#                         2001:db8:1::1/64 br0 ------v-------- 2001:db8:1::2 (a), ::4 (c)
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"

require_root
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
aftr_topology
setup_ns B4A B4C
l() { "$LW4O6" -n "$AFTR" "$@"; }
aftr_b4 "$B4A" 2 192.0.2.1 1024-2047
aftr_b4 "$B4C" 4 192.0.2.2

check_cmd "lwAFTR device" l dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
check_cmd "binding for B4a" l binding add dev lw0 ipv4 192.0.2.1 psid 1/6 b4 2001:db8:1::2
check_cmd "binding for B4c" l binding add dev lw0 ipv4 192.0.2.2 psid 0/0 b4 2001:db8:1::4
# The kernels' own ICMP limits would make error counts depend on timing.
for ns in "$INET" "$AFTR" "$B4A" "$B4C"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
done

for ns in "$INET" "$B4A" "$B4C"; do
	ip netns exec "$ns" $ECHO serve 7777 "$TMPDIR/peers.$ns" &
	defer kill $!
	busywait 10000 sh -c "ip netns exec $ns ss -lun | grep -q :7777"
done
# B4a's NAT keeps a port that is already in its range: serve on one.
ip netns exec "$B4A" $ECHO serve 1500 "$TMPDIR/peers.a1500" &
defer kill $!
busywait 10000 sh -c "ip netns exec $B4A ss -lun | grep -q :1500"


check_cmd "B4a: ping through the lwAFTR" ip netns exec "$B4A" ping -c 1 -W 3 198.51.100.1
check_cmd "B4c: UDP through the lwAFTR" ip netns exec "$B4C" $ECHO udp 198.51.100.1 7777

# --- MTU and fragments (lw0's MTU is 1460: 1500 less the IPv6 header) ---
icmp_count "$INET" v4 3 4 6 mtu
check_fail "INET: 1500 bytes with DF to B4a do not pass" \
	ip netns exec "$INET" $ECHO big 192.0.2.1 1500 1472 df
icmp_result "$INET"
expect_eq "INET gets 3/4 with lw0's MTU" "$R" "1 1460"

a6=$(snmp "$B4A" Ip6 ReasmOKs) a4=$(snmp "$B4A" Ip ReasmReqds)
q4=$(aftr_stat queued-ipv4-fragments) qs=$(aftr_stat queued-softwire-fragments)
check_cmd "INET <-> B4a: 3000 bytes without DF, both ways" \
	ip netns exec "$INET" $ECHO big 192.0.2.1 1500 3000 nodf
check_cmd "IPv4 fragments from the internet were queued for reassembly" \
	test "$(aftr_stat queued-ipv4-fragments)" -gt "$q4"
check_cmd "B4a reassembled IPv6 fragments" test "$(snmp "$B4A" Ip6 ReasmOKs)" -gt "$a6"
expect_eq "B4a got the IPv4 datagram whole (no IPv4 reassembly there)" \
	"$(snmp "$B4A" Ip ReasmReqds)" "$a4"
check_cmd "B4a's reply came as IPv4 fragments and was reassembled here" \
	test "$(aftr_stat queued-softwire-fragments)" -gt "$qs"
expect_eq "B4a's server saw all 3000 bytes from the internet" \
	"$(awk '$4 == 3000' "$TMPDIR/peers.a1500" | wc -l)" 1

# A B4 behind a smaller IPv6 path: DF packets learn it from us.
ip -n "$AFTR" -6 route add 2001:db8:1::2/128 dev br0 mtu 1400
d=$(aftr_stat drop-over-mtu-but-dont-fragment-ipv4)
icmp_count "$INET" v4 3 4 6 mtu
check_fail "INET: 1400 bytes with DF to B4a do not pass" \
	ip netns exec "$INET" $ECHO big 192.0.2.1 1500 1372 df
icmp_result "$INET"
expect_eq "INET gets 3/4 with the path MTU less 40" "$R" "1 1360"
expect_eq "counted as drop-over-mtu-but-dont-fragment-ipv4" \
	"$(aftr_stat drop-over-mtu-but-dont-fragment-ipv4)" $((d + 1))
check_cmd "INET: 1300 bytes with DF to B4a pass" \
	ip netns exec "$INET" $ECHO big 192.0.2.1 1500 1272 df

# --- ICMPv6 errors from the IPv6 side, translated for the IPv4 sender ---
# One with a bad checksum is acted on in no way (#11 item 16).
c=$(aftr_stat drop-bad-checksum-icmpv6)
icmp_count "$INET" v4 3 4 4
ip netns exec "$B4A" "$PYTHON" "$TOP/selftests/lib/py/icmp6_err.py" 2001:db8:ff::1 2 0 1300 \
	2001:db8:ff::1 2001:db8:1::2 198.51.100.1 192.0.2.1 7777 1500 src=2001:db8:1::2 badsum
icmp_result "$INET"
expect_eq "a Packet Too Big with a bad checksum is not translated" "$R" 0
expect_eq "counted as drop-bad-checksum-icmpv6" "$(aftr_stat drop-bad-checksum-icmpv6)" $((c + 1))
check_cmd "nor taught a path MTU: 1300 bytes with DF to B4a still pass" \
	ip netns exec "$INET" $ECHO big 192.0.2.1 1500 1272 df
icmp_count "$INET" v4 3 4 6 mtu
ip netns exec "$B4A" "$PYTHON" "$TOP/selftests/lib/py/icmp6_err.py" 2001:db8:ff::1 2 0 1300 \
	2001:db8:ff::1 2001:db8:1::2 198.51.100.1 192.0.2.1 7777 1500
icmp_result "$INET"
expect_eq "ICMPv6 Packet Too Big 1300 becomes ICMPv4 3/4 with 1260" "$R" "1 1260"
ip -n "$INET" route flush cache		# INET learnt 1260 too: forget it
icmp_count "$INET" v4 3 4 6 mtu
check_fail "INET: 1300 bytes with DF no longer pass" \
	ip netns exec "$INET" $ECHO big 192.0.2.1 1500 1272 df
icmp_result "$INET"
expect_eq "the learnt path MTU holds for later packets" "$R" "1 1260"
# An MTU past what 16 bits hold: the 3/4 says the largest IPv4 MTU less 40
# (unclamped, 66816 - 40 wrapped to 1240) (#11 item 15).
icmp_count "$INET" v4 3 4 6 mtu
ip netns exec "$B4A" "$PYTHON" "$TOP/selftests/lib/py/icmp6_err.py" 2001:db8:ff::1 2 0 66816 \
	2001:db8:ff::1 2001:db8:1::2 198.51.100.1 192.0.2.1 7777 1500
icmp_result "$INET"
expect_eq "ICMPv6 Packet Too Big 66816 becomes ICMPv4 3/4 with 65495" "$R" "1 65495"
icmp_count "$INET" v4 3 1 6
ip netns exec "$B4A" "$PYTHON" "$TOP/selftests/lib/py/icmp6_err.py" 2001:db8:ff::1 1 3 0 \
	2001:db8:ff::1 2001:db8:1::2 198.51.100.1 192.0.2.1 7777 1500
icmp_result "$INET"
expect_eq "ICMPv6 1/3 becomes ICMPv4 3/1" "$R" 1
p=$(aftr_stat drop-in-by-policy-icmpv6)
icmp_count "$INET" v4 3 1 5
ip netns exec "$B4A" "$PYTHON" "$TOP/selftests/lib/py/icmp6_err.py" 2001:db8:ff::1 1 3 0 \
	2001:db8:ff::1 2001:db8:1::4 198.51.100.1 192.0.2.1 7777 1500
icmp_result "$INET"
expect_eq "an error quoting a packet to the wrong B4 is not translated" "$R" 0
expect_eq "counted as drop-in-by-policy-icmpv6" "$(aftr_stat drop-in-by-policy-icmpv6)" $((p + 1))

# --- ICMPv4 errors from the internet reach the B4 whose flow they are about ---
check_cmd "B4a: UDP to a closed port is refused by the internet host" \
	ip netns exec "$B4A" $ECHO refused 198.51.100.1 9999

# --- TTL ---
icmp_count "$B4A" v4 11 0 6
check_fail "B4a: TTL 1 to the internet does not pass" \
	ip netns exec "$B4A" $ECHO big 198.51.100.1 7777 100 nodf 1
icmp_result "$B4A"
expect_eq "B4a gets 11/0 back through the softwire" "$R" 1
icmp_count "$INET" v4 11 0 6
check_fail "INET: TTL 1 to B4a does not pass" \
	ip netns exec "$INET" $ECHO big 192.0.2.1 1500 100 nodf 1
icmp_result "$INET"
expect_eq "INET gets 11/0" "$R" 1

# --- errors we generate: source and size ---
ip netns exec "$B4A" nft flush ruleset		# B4a now sends from any port
icmp_count "$B4A" v6 1 5 6 src
ip netns exec "$B4A" $ECHO udp 198.51.100.1 7777 5000 > /dev/null 2>&1
icmp_result "$B4A"
expect_eq "1/5 comes from local by default" "$R" "1 2001:db8:ff::1"
check_cmd "icmp-source set to the lwAFTR's unicast address" l dev set lw0 icmp-source 2001:db8:1::1
icmp_count "$B4A" v6 1 5 6 src
ip netns exec "$B4A" $ECHO udp 198.51.100.1 7777 5000 > /dev/null 2>&1
icmp_result "$B4A"
expect_eq "1/5 comes from icmp-source" "$R" "1 2001:db8:1::1"
icmp_count "$B4A" v6 1 5 6 len
ip netns exec "$B4A" $ECHO big 198.51.100.1 7777 1400 nodf > /dev/null 2>&1
icmp_result "$B4A"; r=$R
ktap_diag "1/5 about a 1400-byte packet: $r"
check_cmd "ICMPv6 errors fit in 1280 bytes" test "${r%% *}" -eq 1 -a "${r##* }" -le 1240 -a "${r##* }" -ge 1000
icmp_count "$INET" v4 3 1 6 len
ip netns exec "$INET" $ECHO big 192.0.2.99 9 1400 nodf > /dev/null 2>&1
icmp_result "$INET"; r=$R
ktap_diag "3/1 about a 1400-byte packet: $r"
check_cmd "ICMPv4 errors fit in 576 bytes" test "${r%% *}" -eq 1 -a "${r##* }" -le 576 -a "${r##* }" -ge 500

# --- outer IPv6 fragments, as an lwB4 that fragments its softwire sends ---
f=$(aftr_stat ipv6-fragments-reassembled)
ip netns exec "$B4A" "$PYTHON" "$TOP/selftests/lib/py/frag6_send.py" 2001:db8:1::2 2001:db8:ff::1 \
	192.0.2.1 1501 198.51.100.1 7777 2000
busywait 5000 grep -q "^udp 192.0.2.1 1501 2000$" "$TMPDIR/peers.$INET"
expect_eq "a datagram in two IPv6 fragments reached the internet whole" \
	"$(grep -c "^udp 192.0.2.1 1501 2000$" "$TMPDIR/peers.$INET")" 1
expect_eq "counted in ipv6-fragments-reassembled" "$(aftr_stat ipv6-fragments-reassembled)" $((f + 2))

# --- hairpinning between B4s (B4a's NAT is gone: it sends from its own port) ---
h=$(aftr_stat hairpin-ipv4-packets)
check_cmd "B4a <-> B4c through the lwAFTR" \
	ip netns exec "$B4A" $ECHO udp 192.0.2.2 7777 1600
expect_eq "both directions counted as hairpin-ipv4-packets" "$(aftr_stat hairpin-ipv4-packets)" $((h + 2))
check_cmd "hairpin off" l dev set lw0 hairpin off
d=$(aftr_stat drop-hairpin-disabled-ipv4)
check_fail "B4a -> B4c refused with hairpin off" \
	ip netns exec "$B4A" $ECHO udp 192.0.2.2 7777 1600
expect_eq "counted as drop-hairpin-disabled-ipv4" "$(aftr_stat drop-hairpin-disabled-ipv4)" $((d + 1))
check_cmd "B4a still reaches the internet" ip netns exec "$B4A" $ECHO udp 198.51.100.1 7777 1600
check_cmd "hairpin on" l dev set lw0 hairpin on
check_cmd "B4a <-> B4c again" ip netns exec "$B4A" $ECHO udp 192.0.2.2 7777 1600

# --- Frag Needed has its own bucket: a flood of 3/1 cannot starve it (#11 item 11) ---
check_cmd "icmp-rate 2" l dev set lw0 icmp-rate 2
ip -n "$INET" route flush cache
ip netns exec "$INET" "$PYTHON" "$TOP/selftests/lib/py/flood.py" 192.0.2.99 9 100000000 > /dev/null &
fpid=$!
o=$(aftr_stat drop-over-rate-limit-icmpv4)
over() { [ "$(aftr_stat drop-over-rate-limit-icmpv4)" -gt $((o + 50)) ]; }
check_cmd "a flood to an unbound address drains the error bucket" busywait 20000 over
icmp_count "$INET" v4 3 4 5
check_fail "INET: 1400 bytes with DF to B4a do not pass" \
	ip netns exec "$INET" $ECHO big 192.0.2.1 1500 1372 df
icmp_result "$INET"
kill "$fpid"; wait "$fpid" 2> /dev/null
expect_eq "INET still gets its 3/4 during the flood" "$R" 1
check_cmd "icmp-rate 1000" l dev set lw0 icmp-rate 1000

# --- a fragment from an unbound address: its miss event has no port (#11 item 12) ---
"$LW4O6" -n "$AFTR" -j monitor > "$TMPDIR/events" 2>&1 &
mpid=$!
sleep 1
ip netns exec "$B4C" "$PYTHON" "$TOP/selftests/lib/py/frag6_send.py" 2001:db8:1::4 2001:db8:ff::1 \
	192.0.2.77 1234 198.51.100.1 7777 100 whole mf
miss() { grep -q 192.0.2.77 "$TMPDIR/events"; }
busywait 5000 miss
kill "$mpid"; wait "$mpid" 2> /dev/null
ktap_diag "events: $(grep 192.0.2.77 "$TMPDIR/events")"
expect_eq "binding-miss for a first fragment from 192.0.2.77 names no port" \
	"$(jq -c 'select(.event == "binding-miss" and .ipv4 == "192.0.2.77") | [.b4, .port]' "$TMPDIR/events")" \
	'["2001:db8:1::4",null]'

# --- totals ---
link() { ip -n "$AFTR" -j -s link show lw0 | jq ".[0].stats64.$1.packets"; }
expect_eq "ip -s link: rx is what we decapsulated" "$(link rx)" "$(aftr_stat sent-ipv4-packets)"
expect_eq "ip -s link: tx is what we encapsulated" "$(link tx)" "$(aftr_stat sent-ipv6-packets)"
check_balance "$AFTR" lw0
ktap_finish
