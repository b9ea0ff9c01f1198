#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 420
#
# A DHCPv4-over-DHCPv6 B4 whose WAN address changes (RFC 8539): lw4o6d b4
# with "provision dhcp4o6" and "uplink u0" follows u0's addresses, on our
# lwAFTR's co-located 4o6 server, which counts one subscriber per /64 with
# a quota of one set.  Topology: lib/aftr_topology.sh + lib/pcp_topology.sh.
#
#   LAN_2 -- B4_2 (lw4o6d b4, dhcp4o6, uplink u0) --\
#            u0: 2001:db8:1::2, ::22, ::33,           br0 2001:db8:1::1   AFTR -- INET
#            2001:db8:2::2, 2001:db8:3::2             (and 2::1, 3::1)    lw0 + lw4o6d, dhcp4o6 on,
#   LAN_3 -- B4_3 (lw4o6d b4, dhcp4o6) ::3 ---------/                     subscriber-prefix-len 64,
#                                                                          quota 1, leases 30 s
#
# Covers: the address the softwire leaves from removed at once (::2 -> ::22,
# the same /64): the B4 asks for its lease from ::22 (RENEWING's REQUEST,
# 109 = ::22) and the server moves it: ACK, the same IPv4 and PSID, the
# store's row and the kernel's binding at ::22; then deprecated (::22 ->
# ::33, the same /64): moved again; traffic through the softwire after
# each move.  Deprecated with the new address in another /64
# (2001:db8:2::2, another subscriber): NAK, the B4 RELEASEs the lease from
# ::33 (still there) and DISCOVERs from the new address, a fresh lease;
# the old /64's quota of one is free for B4 3.  Gone at once with the new
# address in a third /64: NAK, nothing can be released, a fresh lease
# under that subscriber's quota of one while the old lease is left alone
# (not counted against it) until it expires.  Both sides' counters.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"
source "$(dirname "$0")/../lib/dhcp4o6.sh"

require_root
require_cmd jq sqlite3
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

aftr_topology
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
for n in 2 3; do
	pcp_b4 $n || ktap_skip_all "cannot build B4 $n"
	pcp_b4_dhcp4o6 $n
done
echo "uplink u0" >> "$TMPDIR/b4-2.conf"
# The way to the AFTR must outlive the B4's first addresses.
ip -n "$B4_2" route replace 2001:db8:ff::1 via 2001:db8:1::1 dev u0 onlink
# The second subscriber's /64 is on the AFTR's link too.
ip -n "$AFTR" addr add 2001:db8:2::1/64 dev br0 nodad
PCP_SUB_PLEN=64 PCP_POOL="192.0.2.1/32 psid-len 2 offset 6" pcp_aftr_conf "dhcp4o6 on
dhcp4o6-interface br0"
check_cmd "lw4o6d --check-config: the B4's file with uplink and dhcp4o6" \
	"$LW4O6D" --check-config "$TMPDIR/b4-2.conf"
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
dhcp_link_wait "$B4_2" u0

# binding B4: the AFTR kernel's binding of B4 as "ipv4 psid/len", or nothing
binding() {
	"$LW4O6" -n "$AFTR" -j binding show dev lw0 |
		jq -r --arg b "$1" '.[] | select(.b4 == $b) | "\(.ipv4) \(.psid)/\(.psid_len)"'
}
# lease B4: the store's lease of B4 as "protocol ipv4 psid/len", or nothing
lease() {
	"$LW4O6D" leases -c "$TMPDIR/aftr.conf" -j |
		jq -r --arg b "$1" '.[] | select(.b4 == $b) | "\(.protocol) \(.ipv4) \(.psid)/\(.psid_len)"'
}
local_is() {
	[ "$("$LW4O6" -n "$B4_2" -j dev show b0 | jq -r '.[0].local')" = "$1" ]
}
traffic() {
	ip netns exec "$LAN_2" $ECHO udp 198.51.100.1 7777 > /dev/null &&
	ip netns exec "$LAN_2" $PING -c 1 -W 2 198.51.100.1 > /dev/null
}
at() { [ "$(binding "$1")" = "$2" ]; }
table() { pcp_table; }
bound_is() { [ "$(pcp_bound 2)" = "$1" ]; }

pcp_aftr_start
check_cmd "lw4o6d aftr with dhcp4o6 on started" kill -0 "$AFTR_PID"
defer kill $AFTR_PID
pcp_b4_start 2
defer kill $B4_PID_2
check_cmd "B4 2 bound by DHCPv4 over DHCPv6 at 2001:db8:1::2" busywait 30000 pcp_bound 2
check_cmd "following u0" grep -q "uplink u0: the softwire's source 2001:db8:1::2 follows its addresses" \
	"$TMPDIR/b4-2.log"
SET=$(pcp_bound 2)
ktap_diag "B4 2: $SET"
expect_eq "the AFTR's binding is B4 2's set at ::2" "$(binding 2001:db8:1::2)" "$SET"
check_cmd "LAN 2 reaches INET through the softwire" busywait 10000 traffic

# ---- 1. the address gone at once, the new one in the same /64 -------------
ip -n "$B4_2" addr add 2001:db8:1::22/64 dev u0 nodad
ip -n "$B4_2" addr del 2001:db8:1::2/64 dev u0
check_cmd "the B4 saw ::2 go and moved the softwire to ::22" busywait 10000 \
	grep -q "uplink u0 renumbered: 2001:db8:1::2 is gone; moving the softwire to 2001:db8:1::22" "$TMPDIR/b4-2.log"
check_cmd "b0's local is now ::22" busywait 5000 local_is 2001:db8:1::22
check_cmd "it asked to keep its lease from there" \
	grep -q "softwire source now 2001:db8:1::22: asking to keep 192.0.2.1 there" "$TMPDIR/b4-2.log"
check_cmd "the server moved the lease (same subscriber, 109 = the source)" busywait 15000 \
	grep -q "moved from 2001:db8:1::2, its B4's old address" "$TMPDIR/aftr.log"
check_cmd "and ACKed it as moved" \
	grep -q "dhcp4o6: ACK 192.0.2.1 psid ${SET#* } .*moved to 2001:db8:1::22" "$TMPDIR/aftr.log"
check_cmd "the B4 heard it keeps its set" busywait 10000 \
	grep -q "the server kept 192.0.2.1 for our new address" "$TMPDIR/b4-2.log"
expect_eq "the AFTR's kernel binding: the same set, now at ::22" "$(binding 2001:db8:1::22)" "$SET"
check_cmd "nothing left at ::2 in the kernel" test -z "$(binding 2001:db8:1::2)"
expect_eq "the store's lease: the same set, now at ::22" "$(lease 2001:db8:1::22)" "dhcp4o6 $SET"
check_cmd "nothing left at ::2 in the store" test -z "$(lease 2001:db8:1::2)"
expect_eq "the B4 kept its set" "$(pcp_bound 2)" "$SET"
check_cmd "LAN 2 reaches INET from ::22" busywait 10000 traffic
pcp_store_agrees "store and kernel agree after the first move"

# ---- 2. the address deprecated, the new one in the same /64 ---------------
ip -n "$B4_2" addr add 2001:db8:1::33/64 dev u0 nodad
ip -n "$B4_2" addr change 2001:db8:1::22/64 dev u0 preferred_lft 0
check_cmd "the B4 saw ::22 deprecated and moves to ::33" busywait 10000 \
	grep -q "uplink u0 renumbered: 2001:db8:1::22 is deprecated; moving the softwire to 2001:db8:1::33" "$TMPDIR/b4-2.log"
check_cmd "the AFTR's binding follows: the same set at ::33" busywait 15000 at 2001:db8:1::33 "$SET"
expect_eq "the store's lease: the same set at ::33" "$(lease 2001:db8:1::33)" "dhcp4o6 $SET"
check_cmd "nothing left at ::22" test -z "$(binding 2001:db8:1::22)$(lease 2001:db8:1::22)"
check_cmd "b0's local is now ::33" local_is 2001:db8:1::33
expect_eq "the B4 kept its set" "$(pcp_bound 2)" "$SET"
check_cmd "LAN 2 reaches INET from ::33" busywait 10000 traffic

# ---- 3. deprecated, the new address in another /64: another subscriber -----
ip -n "$B4_2" addr add 2001:db8:2::2/64 dev u0 nodad
ip -n "$B4_2" addr change 2001:db8:1::33/64 dev u0 preferred_lft 0
check_cmd "the B4 saw ::33 deprecated and moves to 2001:db8:2::2" busywait 10000 \
	grep -q "uplink u0 renumbered: 2001:db8:1::33 is deprecated; moving the softwire to 2001:db8:2::2" "$TMPDIR/b4-2.log"
check_cmd "the server NAKed: no lease of the client's in 2001:db8:2::/64" busywait 15000 \
	grep -q "dhcp4o6: NAK to 2001:db8:2::2 (RENEWING of 192.0.2.1): no lease of the client's in its subscriber prefix" "$TMPDIR/aftr.log"
check_cmd "the B4 RELEASEd the old lease from ::33, still there" busywait 10000 \
	grep -q "RELEASE of 192.0.2.1 from 2001:db8:1::33, the address we left" "$TMPDIR/b4-2.log"
check_cmd "the server released it (it came from the lease's address)" busywait 10000 \
	grep -q "dhcp4o6: RELEASE 192.0.2.1 psid ${SET#* } .* b4 2001:db8:1::33" "$TMPDIR/aftr.log"
check_cmd "the B4 heard the NAK and DISCOVERs from its new address" busywait 10000 \
	grep -q "DHCPv4 NAK: requested address is not yours: starting over with DISCOVER" "$TMPDIR/b4-2.log"
has_binding() { [ -n "$(binding "$1")" ]; }
check_cmd "a fresh lease at 2001:db8:2::2" busywait 30000 has_binding 2001:db8:2::2
NEW=$(binding 2001:db8:2::2)
ktap_diag "after the move to 2001:db8:2::/64: $NEW (was $SET)"
check_cmd "the B4 is bound to it" busywait 10000 bound_is "$NEW"
check_cmd "nothing left at ::33" test -z "$(binding 2001:db8:1::33)$(lease 2001:db8:1::33)"
check_cmd "LAN 2 reaches INET from 2001:db8:2::2" busywait 10000 traffic
pcp_b4_start 3
defer kill $B4_PID_3
check_cmd "the old /64's quota of one is free: B4 3 at 2001:db8:1::3 is bound" \
	busywait 30000 pcp_bound 3
B3=$(pcp_bound 3)

# ---- 4. gone at once, the new address in a third /64 -------------------------
# Nothing can leave from the old address: the NAKed move leaves the lease
# there, and the new subscriber's quota of one is not spent by it.
ip -n "$AFTR" addr add 2001:db8:3::1/64 dev br0 nodad
ip -n "$B4_2" addr add 2001:db8:3::2/64 dev u0 nodad
ip -n "$B4_2" addr del 2001:db8:2::2/64 dev u0
check_cmd "the B4 saw 2001:db8:2::2 go and moves to 2001:db8:3::2" busywait 10000 \
	grep -q "uplink u0 renumbered: 2001:db8:2::2 is gone; moving the softwire to 2001:db8:3::2" "$TMPDIR/b4-2.log"
check_cmd "NAKed: no lease of the client's in 2001:db8:3::/64" busywait 15000 \
	grep -q "dhcp4o6: NAK to 2001:db8:3::2 (RENEWING of 192.0.2.1): no lease of the client's in its subscriber prefix" "$TMPDIR/aftr.log"
check_cmd "a fresh lease at 2001:db8:3::2 under that subscriber's quota of one" \
	busywait 30000 has_binding 2001:db8:3::2
NEW3=$(binding 2001:db8:3::2)
ktap_diag "after the move to 2001:db8:3::/64: $NEW3"
check_cmd "another set than the old lease's" test "$NEW3" != "$NEW"
check_cmd "the B4 is bound to it" busywait 10000 bound_is "$NEW3"
expect_eq "the old lease left alone at 2001:db8:2::2 (the NAK released nothing)" \
	"$(lease 2001:db8:2::2)" "dhcp4o6 $NEW"
expect_eq "and its binding too, until it expires" "$(binding 2001:db8:2::2)" "$NEW"
check_cmd "LAN 2 reaches INET from 2001:db8:3::2" busywait 10000 traffic
check_cmd "the old lease expires at 2001:db8:2::2 (30 s)" busywait 45000 \
	grep -q "mapping expired: $(echo "$NEW" | sed 's/ / psid /') offset 6 b4 2001:db8:2::2" "$TMPDIR/aftr.log"
expect_eq "two bindings: B4 3's and B4 2's at 2001:db8:3::2" \
	"$(table)" "$(printf '%s\n' "$B3 2001:db8:1::3" "$NEW3 2001:db8:3::2" | sort)"
pcp_store_agrees "store and kernel agree at the end"

kill -USR1 $AFTR_PID
check_cmd "the server's counters: two moves, two NAKs for a move, one release" busywait 5000 \
	grep -q "DHCPv4-over-DHCPv6 server: .*release 1, .*released 1, moved 2, nak-not-moved 2" "$TMPDIR/aftr.log"
kill -TERM "$B4_PID_2"
wait "$B4_PID_2" 2> /dev/null
check_cmd "B4 2's counters: four moves, two leases kept, two NAKed, one released" \
	grep -q "4 moves to a new softwire source: 2 leases kept, 2 NAKed (1 released from the old source), 0 unanswered" "$TMPDIR/b4-2.log"
if [ "$KTAP_FAIL" -gt 0 ]; then
	ktap_diag "$(tail -n 60 "$TMPDIR/aftr.log")"
	ktap_diag "$(tail -n 60 "$TMPDIR/b4-2.log")"
fi
ktap_finish
