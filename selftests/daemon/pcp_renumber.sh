#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 300
#
# A B4 whose WAN address changes (#14 item 5): lw4o6d b4 with "uplink u0"
# follows u0's addresses.  The AFTR counts one subscriber per /64 with a
# quota of one set.  Topology: selftests/lib/pcp_topology.sh.
#
#   LAN_2 -- B4_2 (lw4o6d b4, uplink u0) --\                    /-- INET 198.51.100.1
#            u0: 2001:db8:1::2, then ::22,    br0 2001:db8:1::1 -- AFTR (lw0 ff::1, lw4o6d aftr,
#            then 2001:db8:2::2                   2001:db8:2::1          subscriber-prefix-len 64,
#   LAN_3 -- B4_3 (lw4o6d b4) 2001:db8:1::3 --/                          quota 1)
#
# Covers: the address the softwire leaves from removed at once (2001:db8:1::2
# -> ::22, the same /64): the B4 moves and asks under its nonce, and the
# AFTR moves the mapping (same set, one binding, now at ::22; the quota of
# one is not spent twice); the address deprecated (preferred_lft 0) with a
# new one in another /64: the B4 deletes its mapping from the old address
# first, then asks from 2001:db8:2::2; the old /64 holds nothing, so a
# second customer there (B4 3) is provisioned; traffic from the LAN after
# each move; store and kernel agree.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"

require_root
require_cmd jq sqlite3
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

aftr_topology
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
PCP_B4_LIFETIME=300
pcp_b4 2 && pcp_b4 3
# The way to the AFTR must outlive the B4's first /64.
ip -n "$B4_2" route replace 2001:db8:ff::1 via 2001:db8:1::1 dev u0 onlink
echo "uplink u0" >> "$TMPDIR/b4-2.conf"
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!

PCP_SUB_PLEN=64 pcp_aftr_conf "lifetime min 10 max 600 default 300"
sed -i '/^lifetime min 10 max 60 default 30$/d' "$TMPDIR/aftr.conf"
pcp_aftr_start
check_cmd "lw4o6d aftr started" kill -0 "$AFTR_PID"
defer kill $AFTR_PID
pcp_b4_start 2
defer kill $B4_PID_2
check_cmd "B4 2 provisioned at 2001:db8:1::2" busywait 20000 pcp_bound 2
check_cmd "following u0" grep -q "uplink u0: the softwire's source 2001:db8:1::2 follows its addresses" \
	"$TMPDIR/b4-2.log"
SET=$(pcp_bound 2)
lan2() {
	ip netns exec "$LAN_2" $ECHO udp 198.51.100.1 7777 > /dev/null &&
	ip netns exec "$LAN_2" $ECHO tcp 198.51.100.1 7777 > /dev/null
}
check_cmd "LAN 2 reaches the internet" busywait 10000 lan2

# ---- 1. the address gone at once, the new one in the same /64 ------------
ip -n "$B4_2" addr add 2001:db8:1::22/64 dev u0 nodad
ip -n "$B4_2" addr del 2001:db8:1::2/64 dev u0
check_cmd "the B4 saw its address go and moved the softwire to ::22" busywait 10000 \
	grep -q "uplink u0 renumbered: 2001:db8:1::2 is gone; moving the softwire to 2001:db8:1::22" "$TMPDIR/b4-2.log"
check_cmd "b0's local is now 2001:db8:1::22" busywait 5000 sh -c "[ \"\$($LW4O6 -n $B4_2 -j dev show b0 | jq -r '.[0].local')\" = 2001:db8:1::22 ]"
check_cmd "the AFTR moved the mapping (same subscriber, same nonce)" busywait 15000 \
	grep -q "moved from 2001:db8:1::2, its B4's old address" "$TMPDIR/aftr.log"
expect_eq "one binding, the same set, now at ::22" "$(pcp_table)" "$SET 2001:db8:1::22"
expect_eq "the B4 kept its set" "$(pcp_bound 2)" "$SET"
check_cmd "no quota refusal on the way" sh -c "! grep -q USER_EX_QUOTA '$TMPDIR/b4-2.log'"
check_cmd "LAN 2 reaches the internet from the new address" busywait 10000 lan2
pcp_store_agrees "store and kernel agree after the move"

# ---- 2. the address deprecated, the new one in another /64 ---------------
ip -n "$AFTR" addr add 2001:db8:2::1/64 dev br0 nodad
ip -n "$B4_2" addr add 2001:db8:2::2/64 dev u0 nodad
ip -n "$B4_2" addr change 2001:db8:1::22/64 dev u0 preferred_lft 0
check_cmd "the B4 saw ::22 deprecated and moves to 2001:db8:2::2" busywait 10000 \
	grep -q "uplink u0 renumbered: 2001:db8:1::22 is deprecated; moving the softwire to 2001:db8:2::2" "$TMPDIR/b4-2.log"
check_cmd "it deleted its mapping from ::22 first" \
	grep -q "released our mapping at the address we leave" "$TMPDIR/b4-2.log"
check_cmd "the AFTR heard the delete from ::22" busywait 10000 \
	grep -q "mapping deleted by its B4: .* b4 2001:db8:1::22" "$TMPDIR/aftr.log"
check_cmd "one binding, at 2001:db8:2::2" busywait 15000 \
	sh -c "[ \"\$($LW4O6 -n $AFTR -j binding show dev lw0 | jq -r '[.[].b4] | join(\" \")')\" = 2001:db8:2::2 ]"
NEW=$(pcp_table)
ktap_diag "after the move to another /64: $NEW (was $SET)"
check_cmd "the B4 is bound" busywait 10000 pcp_bound 2
check_cmd "LAN 2 reaches the internet from 2001:db8:2::2" busywait 10000 lan2
pcp_store_agrees "store and kernel agree after the second move"
check_cmd "nothing stored for the old /64" \
	sh -c "! sqlite3 -cmd '.timeout 5000' '$TMPDIR/aftr.db' 'select hex(b4) from mappings' | grep -qi '^20010DB80001'"

# ---- 3. the old /64's quota is free: another customer there is served ------
pcp_b4_start 3
defer kill $B4_PID_3
check_cmd "B4 3 in 2001:db8:1::/64 provisioned (quota of one not held by a leftover)" \
	busywait 20000 pcp_bound 3
check_cmd "two bindings: B4 2 at its new address, B4 3" \
	busywait 5000 sh -c "[ \$($LW4O6 -n $AFTR -j binding show dev lw0 | jq length) = 2 ]"

kill -TERM "$B4_PID_2"
wait "$B4_PID_2" 2> /dev/null
check_cmd "B4 2's counters: two moves, one release first" \
	grep -q "2 moves to a new address (1 mappings released there first)" "$TMPDIR/b4-2.log"

ktap_finish
