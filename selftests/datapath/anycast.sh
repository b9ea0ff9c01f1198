#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 400
#
# Receive on the anycast, send from unicast (issue #14 item 2): two lwAFTRs
# with the same static bindings (hot) behind ACC's ECMP route to their
# anycast; each encapsulates from its own unicast address (icmp-source +
# encap-unicast), and the B4s take that set's addresses (accept-from).
#
#   B (16 lwB4 devices b0..bf, 2001:db8:1::b0..bf, remote the anycast,
#      all 192.0.2.1 with PSID 0..15 of 4 bits; policy routes by source port)
#    | u0                                    AFTR1 lw0 local ff::1, from a1::2 --\
#   ACC br0 (ECMP on the outer header) -----<                                     IR -- INET
#                                            AFTR2 lw0 local ff::1, from a2::2 --/     echo server
#
# Covers: the options and their checks; a B4 drops softwire traffic from a
# unicast it was not told of, and takes it with accept-from; every packet
# a B4 sends carries its one nonzero flow label, so all its flows land on
# one lwAFTR while B4s spread over both; a Packet Too Big from a router
# with a smaller link (ACC) reaches the lwAFTR that sent and becomes the
# internet sender's 3/4; an lwAFTR's 1/5 from its unicast is a B4's to
# act on only when the address is in accept-from.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/failover_topology.sh"

require_root
require_cmd jq tcpdump
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
failover_topology ecmp || ktap_skip_all "cannot build the topology"
setup_ns B || ktap_skip_all "cannot make the B4 namespace"
SET=2001:db8:a0::/44	# a1::2 and a2::2, the set's unicast addresses

a() { local n=AFTR$1; shift; "$LW4O6" -n "${!n}" "$@"; }
b() { "$LW4O6" -n "$B" "$@"; }
bstat() { b -j stats show dev "$1" | jq ".[\"${2//-/_}\"] // 0"; }

# --- the lwAFTR side: options and their checks ---
check_cmd "AFTR1: encap-unicast with icmp-source" \
	a 1 dev set lw0 icmp-source 2001:db8:a1::2 encap-unicast on
check_cmd "AFTR2: the same" \
	a 2 dev set lw0 icmp-source 2001:db8:a2::2 encap-unicast on
expect_eq "dev show: encap-unicast, icmp-source" \
	"$(a 1 -j dev show lw0 | jq -r '.[0] | "\(.encap_unicast) \(.icmp_source)"')" \
	"true 2001:db8:a1::2"
out=$(a 1 dev set lw0 icmp-source none 2>&1)
check_cmd "icmp-source none under encap-unicast is refused" \
	grep -q "encap-unicast needs icmp-source" <<< "$out"
expect_eq "... and nothing of it applied" \
	"$(a 1 -j dev show lw0 | jq -r '.[0].icmp_source')" 2001:db8:a1::2
out=$(a 1 dev set lw0 accept-from "$SET" 2>&1)
check_cmd "accept-from is refused on an lwAFTR" \
	grep -q "accept-from is for dslite and b4 devices" <<< "$out"

for n in 1 2; do
	for k in {0..15}; do
		printf 'binding add dev lw0 ipv4 192.0.2.1 psid %d/4 b4 2001:db8:1::b%x\n' "$k" "$k"
	done > "$TMPDIR/bind.batch"
	check_cmd "AFTR$n: the 16 bindings" a "$n" -b "$TMPDIR/bind.batch"
done

# --- the B4s: one namespace, a device per PSID, routed by source port ---
ip -n "$ACC" link add bB type veth peer name u0 netns "$B"
ip -n "$ACC" link set bB master br0 up
ip netns exec "$B" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.default.rp_filter=0 net.ipv6.icmp.ratelimit=0
for ns in "$ACC" "$AFTR1" "$AFTR2" "$INET"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
done
{
	for k in {0..15}; do
		printf 'addr add 2001:db8:1::b%x/64 dev u0 nodad\n' "$k"
	done
	echo "link set u0 up"
	echo "addr add 192.0.2.1/32 dev lo"
	echo "link set lo up"
	echo "route add $FO_ANYCAST via 2001:db8:1::1"
} > "$TMPDIR/b.batch"
check_cmd "B: its addresses" ip -n "$B" -b "$TMPDIR/b.batch"
: > "$TMPDIR/b4.batch"
: > "$TMPDIR/route.batch"
for k in {0..15}; do
	printf 'dev add b%x mode b4 local 2001:db8:1::b%x remote %s ipv4 192.0.2.1 psid %d/4\n' \
		"$k" "$k" "$FO_ANYCAST" "$k" >> "$TMPDIR/b4.batch"
	printf 'link set b%x up\nroute add default dev b%x src 192.0.2.1 table %d\nrule add sport %d-%d lookup %d\n' \
		"$k" "$k" $((100 + k)) $((k ? k * 4096 : 1)) $((k < 15 ? k * 4096 + 4095 : 65534)) $((100 + k)) >> "$TMPDIR/route.batch"
done
check_cmd "B: 16 lwB4 devices" b -b "$TMPDIR/b4.batch"
check_cmd "B: a routing table a device, chosen by source port" \
	ip -n "$B" -b "$TMPDIR/route.batch"
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
busywait 10000 sh -c "ip netns exec $INET ss -lun | grep -q :7777"

# --- accept-from: traffic from a unicast of the set ---
d=$(bstat b0 drop-no-source-softwire-ipv6)
check_fail "without accept-from, b0 gets no answer (it comes from a unicast)" \
	ip netns exec "$B" $ECHO udp 198.51.100.1 7777 1001
check_cmd "... dropped, counted as drop-no-source-softwire-ipv6" \
	test "$(bstat b0 drop-no-source-softwire-ipv6)" -gt "$d"
: > "$TMPDIR/set.batch"
for k in {0..15}; do
	printf 'dev set b%x accept-from %s\n' "$k" "$SET" >> "$TMPDIR/set.batch"
done
check_cmd "accept-from the set on every B4" b -b "$TMPDIR/set.batch"
expect_eq "dev show: accept-from" \
	"$(b -j dev show b0 | jq -r '.[0] | "\(.accept_from)/\(.accept_from_len)"')" "$SET"
out=$(b dev set b0 accept-from 2001:db8::1/32 2>&1)
check_cmd "a prefix with host bits is refused" grep -q "has bits set past /32" <<< "$out"

# --- one flow label per softwire: ECMP keeps a B4 on one lwAFTR ---
ip netns exec "$ACC" tcpdump -nn -v -l -i bB 'ip6 and ip6[6] == 4' \
	> "$TMPDIR/labels" 2> "$TMPDIR/tcpdump.err" &
TD=$!
defer kill $TD
busywait 10000 grep -q "listening on" "$TMPDIR/tcpdump.err"
ok=0
for k in {0..15}; do
	for f in 1 2 3 4; do
		ip netns exec "$B" $ECHO udp 198.51.100.1 7777 $((k * 4096 + 1000 + f)) \
			> /dev/null && ok=$((ok + 1))
	done
done
expect_eq "64 flows of 16 B4s answered (traffic from the set's unicasts taken)" "$ok" 64
sleep 0.5
kill $TD; wait $TD 2> /dev/null
# "IP6 (flowlabel 0x12345, hlim 64, ...) 2001:db8:1::b3 > 2001:db8:ff::1: IP ..."
# (tcpdump leaves "flowlabel" out when it is 0): "SOURCE LABEL" a packet.
awk '/IP6 \(/ {
	l = "0"
	if (match($0, /flowlabel 0x[0-9a-f]+/)) l = substr($0, RSTART + 10, RLENGTH - 10)
	if (match($0, /\) 2001:db8:1::b[0-9a-f]+ >/)) print substr($0, RSTART + 2, RLENGTH - 4), l
}' "$TMPDIR/labels" |
	sort -u > "$TMPDIR/pairs"
expect_eq "every B4 was seen sending" "$(cut -d' ' -f1 "$TMPDIR/pairs" | sort -u | wc -l)" 16
expect_eq "each B4 sent all its packets with one flow label" "$(wc -l < "$TMPDIR/pairs")" 16
bad=0
for k in {0..15}; do
	want=$(b -j dev show "b$(printf %x "$k")" | jq -r '.[0].flow_label')
	got=$(awk -v s="$(printf '2001:db8:1::b%x' "$k")" '$1 == s { print $2 }' "$TMPDIR/pairs")
	[ "$want" -gt 0 ] && [ "$((got))" -eq "$want" ] || bad=$((bad + 1))
done
expect_eq "that label is the nonzero one dev show reports" "$bad" 0
# "PSID rx" for each binding of AFTR N (ip's sport ranges stop at 65534)
rx() {
	a "$1" -s -j binding show dev lw0 |
		jq -r '.[] | "\(.psid) \(.stats.rx_packets)"' | sort > "$TMPDIR/rx$1"
}
rx 1 && rx 2
ktap_diag "rx packets by PSID, AFTR1 and AFTR2: $(join "$TMPDIR/rx1" "$TMPDIR/rx2" | tr '\n' ',')"
split=$(join "$TMPDIR/rx1" "$TMPDIR/rx2" | awk '$2 > 0 && $3 > 0' | wc -l)
on1=$(awk '$2 > 0' "$TMPDIR/rx1" | wc -l)
expect_eq "no B4's flows were split over the two lwAFTRs" "$split" 0
check_cmd "B4s spread over both lwAFTRs ($on1 of 16 on AFTR1)" \
	test "$on1" -gt 0 -a "$on1" -lt 16

# --- PMTU through the set ---
# ACC's link to B carries 1400: its Packet Too Big goes to the source of
# the encapsulated packet, the sending lwAFTR's unicast address.
ip -n "$ACC" link set bB mtu 1400
ip -n "$B" link set u0 mtu 1400
ip netns exec "$B" $ECHO serve 1500 "$TMPDIR/peers.b" &
defer kill $!
busywait 10000 sh -c "ip netns exec $B ss -lun | grep -q :1500"
t1=$(a 1 -s -j binding show dev lw0 ipv4 192.0.2.1 psid 0/4 | jq '.[0].stats.tx_packets')
t2=$(a 2 -s -j binding show dev lw0 ipv4 192.0.2.1 psid 0/4 | jq '.[0].stats.tx_packets')
e1=$(failover_stat 1 out-icmpv4-error-packets)
e2=$(failover_stat 2 out-icmpv4-error-packets)
check_fail "INET: 1440 bytes with DF to b0 do not pass ACC's 1400" \
	ip netns exec "$INET" $ECHO big 192.0.2.1 1500 1412 df
t1=$(( $(a 1 -s -j binding show dev lw0 ipv4 192.0.2.1 psid 0/4 | jq '.[0].stats.tx_packets') - t1 ))
t2=$(( $(a 2 -s -j binding show dev lw0 ipv4 192.0.2.1 psid 0/4 | jq '.[0].stats.tx_packets') - t2 ))
e1=$(( $(failover_stat 1 out-icmpv4-error-packets) - e1 ))
e2=$(( $(failover_stat 2 out-icmpv4-error-packets) - e2 ))
if [ "$t1" -gt 0 ]; then sender=1; else sender=2; fi
expect_eq "the lwAFTR that sent (AFTR$sender) took the Packet Too Big and answered 3/4" \
	"$([ $sender = 1 ] && echo "$e1 $e2" || echo "$e2 $e1")" "1 0"
check_cmd "INET learnt the path MTU less 40 (its 3/4 arrived)" \
	sh -c "ip -n '$INET' route get 192.0.2.1 | grep -q 'mtu 1360'"
check_cmd "INET: 1300 bytes with DF to b0 now pass" \
	ip netns exec "$INET" $ECHO big 192.0.2.1 1500 1272 df

# --- an lwAFTR's own error (1/5) from its unicast ---
# bf's binding gone from both: its packets draw 1/5 from icmp-source.
a 1 binding del dev lw0 ipv4 192.0.2.1 psid 15/4
a 2 binding del dev lw0 ipv4 192.0.2.1 psid 15/4
p=$(bstat bf drop-in-by-policy-icmpv6) e=$(bstat bf out-icmpv4-error-packets)
ip netns exec "$B" $ECHO udp 198.51.100.1 7777 $((15 * 4096 + 7)) > /dev/null
busywait 3000 test "$(bstat bf out-icmpv4-error-packets)" -gt "$e"
check_cmd "bf acted on the 1/5 from a unicast of its set (an ICMPv4 error for the sender)" \
	test "$(bstat bf out-icmpv4-error-packets)" -gt "$e"
expect_eq "... none dropped by policy" "$(bstat bf drop-in-by-policy-icmpv6)" "$p"
check_cmd "accept-from none" b dev set bf accept-from none
ip netns exec "$B" $ECHO udp 198.51.100.1 7777 $((15 * 4096 + 8)) > /dev/null
busywait 3000 test "$(bstat bf drop-in-by-policy-icmpv6)" -gt "$p"
check_cmd "without it the same 1/5 is dropped, counted as drop-in-by-policy-icmpv6" \
	test "$(bstat bf drop-in-by-policy-icmpv6)" -gt "$p"

ktap_finish
