#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 300
#
# The lwAFTR data path against stock-parts lwB4s: Linux ip6tnl (ip4ip6) plus
# nftables SNAT into the B4's port range.  Two B4s share 192.0.2.1, PSIDs 1
# and 2 of 64 (offset 0: ports 1024-2047 and 2048-3071).
#
#   INET                      AFTR                                 B4a / B4b
#   198.51.100.1/24 --v-- 198.51.100.254/24                      ip6tnl t0 -> 2001:db8:ff::1
#                         lw0 (aftr, local 2001:db8:ff::1)         192.0.2.1/32 on t0
#                         192.0.2.0/24 -> lw0                      nft snat to 192.0.2.1:PORTS
#                         2001:db8:1::1/64 --------v---------- 2001:db8:1::2 (a), ::3 (b)
#                                                  (bridge in AFTR's namespace)
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"

require_root
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
aftr_topology
setup_ns B4A B4B
l() { "$LW4O6" -n "$AFTR" "$@"; }
aftr_b4 "$B4A" 2 192.0.2.1 1024-2047
aftr_b4 "$B4B" 3 192.0.2.1 2048-3071

check_cmd "lwAFTR device" l dev add lw0 mode aftr local 2001:db8:ff::1
"$LW4O6" -n "$AFTR" -j monitor > "$TMPDIR/events" 2>&1 &
defer kill $!
aftr_route
check_cmd "binding for B4a" l binding add dev lw0 ipv4 192.0.2.1 psid 1/6 b4 2001:db8:1::2
check_cmd "binding for B4b" l binding add dev lw0 ipv4 192.0.2.1 psid 2/6 b4 2001:db8:1::3

ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
busywait 10000 sh -c "ip netns exec $INET ss -ltn | grep -q :7777"

check_cmd "B4a: UDP to the internet and back" ip netns exec "$B4A" $ECHO udp 198.51.100.1 7777
check_cmd "B4a: TCP to the internet and back" ip netns exec "$B4A" $ECHO tcp 198.51.100.1 7777
check_cmd "B4b: UDP to the internet and back" ip netns exec "$B4B" $ECHO udp 198.51.100.1 7777
check_cmd "B4b: TCP to the internet and back" ip netns exec "$B4B" $ECHO tcp 198.51.100.1 7777
check_cmd "B4a: ping to the internet and back" ip netns exec "$B4A" ping -c 2 -i 0.2 -W 3 198.51.100.1
check_cmd "B4b: ping to the internet and back" ip netns exec "$B4B" ping -c 2 -i 0.2 -W 3 198.51.100.1
in_range() {	# PROTO LO HI: every peer the server saw from B4x used a port in [LO, HI]
	awk -v p="$1" -v lo="$2" -v hi="$3" '$1 == p && $2 == "192.0.2.1" && $3 >= lo && $3 <= hi { n++ }
		END { exit !(n >= 1) }' "$TMPDIR/peers"
}
check_cmd "the internet saw B4a from 192.0.2.1 in 1024-2047" in_range udp 1024 2047
check_cmd "the internet saw B4b from 192.0.2.1 in 2048-3071" in_range udp 2048 3071
expect_eq "no peer outside the two port sets" \
	"$(awk '$3 < 1024 || $3 > 3071' "$TMPDIR/peers" | wc -l)" 0

check_cmd "decapsulated and encapsulated packets counted" \
	test "$(aftr_stat sent-ipv4-packets)" -ge 4 -a "$(aftr_stat sent-ipv6-packets)" -ge 4
check_cmd "per-binding counters and last-seen" \
	sh -c "$LW4O6 -n $AFTR -j -s binding show dev lw0 ipv4 192.0.2.1 psid 1/6 |
	       jq -e '.[0].stats.rx_packets >= 2 and .[0].stats.tx_packets >= 2 and .[0].stats.last_seen != null'"

# B4a without its NAT: a source port outside its set must not pass.
before=$(aftr_stat drop-no-source-softwire-ipv6)
ip netns exec "$B4A" nft flush ruleset
check_fail "B4a from port 5000 (outside its set) gets nothing back" \
	ip netns exec "$B4A" $ECHO udp 198.51.100.1 7777 5000
expect_eq "counted as drop-no-source-softwire-ipv6" "$(aftr_stat drop-no-source-softwire-ipv6)" $((before + 1))
busywait 5000 grep -q binding-miss "$TMPDIR/events"
expect_eq "a binding-miss event names the B4, address and port" \
	"$(jq -c 'select(.event == "binding-miss") | [.dev, .b4, .ipv4, .port]' "$TMPDIR/events" | head -n 1)" \
	'["lw0","2001:db8:1::2","192.0.2.1",5000]'
check_fail "B4a using B4b's port 2500 is refused too" \
	ip netns exec "$B4A" $ECHO udp 198.51.100.1 7777 2500
expect_eq "the internet never saw port 5000 or a foreign 2500" \
	"$(grep -c ' 5000$' "$TMPDIR/peers")" 0

before=$(aftr_stat drop-no-dest-softwire-ipv4)
ip netns exec "$INET" $ECHO udp 192.0.2.77 9 > /dev/null 2>&1
expect_eq "to an address with no binding: drop-no-dest-softwire-ipv4" \
	"$(aftr_stat drop-no-dest-softwire-ipv4)" $((before + 1))
icmp_count "$B4A" v6 1 5 8
ip netns exec "$B4A" $ECHO udp 198.51.100.1 7777 5001 > /dev/null 2>&1
icmp_result "$B4A"
expect_eq "a B4 failing the source check gets ICMPv6 1/5" "$R" 1
icmp_count "$INET" v4 3 1 8
ip netns exec "$INET" $ECHO udp 192.0.2.78 9 > /dev/null 2>&1
icmp_result "$INET"
expect_eq "IPv4 to an address with no binding gets ICMPv4 3/1" "$R" 1
check_cmd "icmp4-errors off" l dev set lw0 icmp4-errors off
icmp_count "$INET" v4 3 1 6
ip netns exec "$INET" $ECHO udp 192.0.2.78 9 > /dev/null 2>&1
icmp_result "$INET"
expect_eq "with icmp4-errors off, no 3/1" "$R" 0
# The rate limit: the kernel's own per-peer ICMP limit off, ours at 5/s.
ip netns exec "$AFTR" sysctl -qw net.ipv4.icmp_ratelimit=0
check_cmd "icmp4-errors on, icmp-rate 5" l dev set lw0 icmp4-errors on icmp-rate 5
sleep 1
sent0=$(aftr_stat out-icmpv4-error-packets)
icmp_count "$INET" v4 3 1 10
secs=$(ip netns exec "$INET" "$PYTHON" "$TOP/selftests/lib/py/flood.py" 192.0.2.79 9 300)
icmp_result "$INET"
got=$R
limit=$(echo "5 + 5 * $secs + 1" | bc -l | cut -d. -f1)
ktap_diag "flood of 300 in ${secs}s drew $got errors (bucket allows at most $limit)"
check_cmd "the ICMP rate limit holds under a flood" test "$got" -ge 1 -a "$got" -le "$limit"
expect_eq "out-icmpv4-error-packets counts exactly what was sent" \
	"$(( $(aftr_stat out-icmpv4-error-packets) - sent0 ))" "$got"
l dev set lw0 icmp-rate 1000

# Robustness: mutated packets into both sides must not hurt the kernel
# (the harness fails the run on any oops or warning) and are all accounted.
r6=$(aftr_stat rcvd-ipv6-packets) r4=$(aftr_stat rcvd-ipv4-packets) mal=$(aftr_stat drop-malformed)
ev0=$(grep -c binding-miss "$TMPDIR/events") t0=$(date +%s)
check_cmd "5000 mutated IPv4-in-IPv6 packets from a B4" \
	ip netns exec "$B4A" "$PYTHON" "$TOP/selftests/lib/py/fuzz_dataplane.py" v6 2001:db8:ff::1 5000 1
sleep 1
ev=$(( $(grep -c binding-miss "$TMPDIR/events") - ev0 )) secs=$(( $(date +%s) - t0 ))
ktap_diag "binding-miss events during the fuzz: $ev in ${secs}s"
check_cmd "binding-miss events are rate-limited (10/s per device)" \
	test "$ev" -ge 1 -a "$ev" -le $(( 10 * (secs + 1) ))
check_cmd "5000 mutated IPv4 packets from the internet" \
	ip netns exec "$INET" "$PYTHON" "$TOP/selftests/lib/py/fuzz_dataplane.py" v4 192.0.2.0 5000 2
ktap_diag "taken for decap: $(( $(aftr_stat rcvd-ipv6-packets) - r6 )), routed in: $(( $(aftr_stat rcvd-ipv4-packets) - r4 )), malformed: $(( $(aftr_stat drop-malformed) - mal ))"
check_cmd "most mutated IPv6 packets reached the decap path" test $(( $(aftr_stat rcvd-ipv6-packets) - r6 )) -ge 4000
check_cmd "some mutated IPv4 packets reached the encap path" test $(( $(aftr_stat rcvd-ipv4-packets) - r4 )) -ge 1000
check_cmd "malformed ones were counted as such" test $(( $(aftr_stat drop-malformed) - mal )) -ge 100
check_cmd "the lwAFTR still forwards" ip netns exec "$B4B" $ECHO udp 198.51.100.1 7777
check_balance "$AFTR" lw0
ktap_finish
