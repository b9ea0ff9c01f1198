#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 180
#
# Filtering softwires on the lwAFTR with nftables (issue #11 item 19).
# lw4o6 decapsulates in an IPv6 PRE_ROUTING hook just after conntrack's
# defragmentation (priority -399), before raw, conntrack and filter, and the
# packets it takes never reach IPv6 input or forward.  So an operator's
# source filter must run before it.  docs/security.md gives the two places
# that work, and this test holds them to it, with its recipes' rules (the
# subscribers set here holds B4a only):
#  - netdev ingress on the B4-facing device;
#  - an ip6 prerouting chain at priority -450 (before defragmentation: every
#    fragment still carries its source address);
# and shows that an ordinary "ip6 filter input/forward" chain does not see
# the softwire's packets at all (its counter stays at 0).  The rules match
# the lwAFTR's tunnel address, not "nexthdr ipip": Linux's ip6tnl puts a
# destination option (encapsulation limit) first.
#
#   INET                      AFTR                                  B4a / B4b
#   198.51.100.1/24 --v-- 198.51.100.254/24                       ip6tnl t0 -> 2001:db8:ff::1
#                         lw0 (aftr, local 2001:db8:ff::1)          a: 192.0.2.1, whole address
#                         192.0.2.0/24 -> lw0                       b: 192.0.2.2, whole address
#                         2001:db8:1::1/64 br0 ------v-------- 2001:db8:1::2 (a), ::3 (b)
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"

require_root
require_cmd nft jq
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
aftr_topology
setup_ns B4A B4B
l() { "$LW4O6" -n "$AFTR" "$@"; }
aftr_b4 "$B4A" 2 192.0.2.1
aftr_b4 "$B4B" 3 192.0.2.2

check_cmd "lwAFTR device" l dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
check_cmd "binding for B4a" l binding add dev lw0 ipv4 192.0.2.1 psid 0/0 b4 2001:db8:1::2
check_cmd "binding for B4b" l binding add dev lw0 ipv4 192.0.2.2 psid 0/0 b4 2001:db8:1::3

reach() {	# NS: one ping through the softwire to INET
	ip netns exec "$1" $PING -c 1 -W 2 198.51.100.1 > /dev/null 2>&1
}
# nft_counter TABLE CHAIN: the packets of the chain's first counter.
nft_counter() {
	ip netns exec "$AFTR" nft -j list chain $1 $2 |
		jq '[.nftables[] | .rule? | select(.) | .expr[] | .counter? | select(.) | .packets] | first'
}

check_cmd "both B4s reach the internet unfiltered" sh -c "$(declare -f reach); PING='$PING'; reach $B4A && reach $B4B"

# --- what does not work: filter input/forward never see decapsulated packets --
ip netns exec "$AFTR" nft -f - <<'EOF'
table ip6 late {
	chain input { type filter hook input priority 0; ip6 daddr 2001:db8:ff::1 counter; }
	chain forward { type filter hook forward priority 0; ip6 daddr 2001:db8:ff::1 counter; }
}
EOF
check_cmd "B4a reaches the internet with the late chains in place" reach "$B4A"
expect_eq "ip6 filter input never sees a softwire packet" "$(nft_counter "ip6 late" input)" 0
expect_eq "ip6 filter forward never sees a softwire packet" "$(nft_counter "ip6 late" forward)" 0
ip netns exec "$AFTR" nft delete table ip6 late

# guard NAME FAMILY CHAIN HOOK: the recipe's table (B4a the only
# subscriber) in FAMILY with CHAIN on HOOK; B4b's softwire is dropped and
# counted by the rule, B4a's is not and is all lw4o6 decapsulates.
guard() {
	local name=$1 family=$2 chain=$3 hook=$4
	ip netns exec "$AFTR" nft -f - <<EOF
table $family softwire_guard {
	set subscribers { type ipv6_addr; flags interval; elements = { 2001:db8:1::2/128 }; }
	chain $chain {
		type filter hook $hook;
		ip6 daddr 2001:db8:ff::1 ip6 saddr != @subscribers counter drop
	}
}
EOF
	dec0=$(aftr_stat rcvd-ipv6-packets)
	check_fail "$name: B4b's softwire is dropped" reach "$B4B"
	check_cmd "$name: B4a still gets through" reach "$B4A"
	expect_eq "$name: the rule counted B4b's packet" \
		"$(nft_counter "$family softwire_guard" "$chain")" 1
	expect_eq "$name: lw4o6 decapsulated only B4a's" \
		"$(aftr_stat rcvd-ipv6-packets)" $((dec0 + 1))
}

guard "netdev ingress" netdev in "ingress device br0 priority 0"
ip netns exec "$AFTR" nft delete table netdev softwire_guard

# ip6 prerouting before defragmentation and before lw4o6.
guard "prerouting -450" ip6 pre "prerouting priority -450"
# A fragmented packet from B4b: every fragment is dropped before reassembly.
ip netns exec "$B4B" $PING -c 1 -W 2 -M dont -s 3000 198.51.100.1 > /dev/null 2>&1
check_cmd "prerouting -450: a fragmented packet's fragments are dropped too" \
	test "$(nft_counter "ip6 softwire_guard" pre)" -ge 3
expect_eq "prerouting -450: nothing of it decapsulated" "$(aftr_stat rcvd-ipv6-packets)" $((dec0 + 1))
ip netns exec "$AFTR" nft delete table ip6 softwire_guard

check_cmd "both B4s reach the internet again" sh -c "$(declare -f reach); PING='$PING'; reach $B4A && reach $B4B"
ktap_finish
