#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 600
#
# A B4 with several AFTRs (issue #14 item 3): "aftr F1 F2" in its
# lw4o6d.conf.  Two lwAFTRs on unicast addresses of their own, each with
# its own pool and store: AFTR 1 on PostgreSQL (in DB), AFTR 2 on SQLite.
# Topology: lib/failover_topology.sh, lw0's local moved to 2001:db8:fN::1
# and routed by ACC to AFTR N (failover_unicast_aftrs).
#
#   LAN_2 -- B4_2 (lw4o6d b4, PCP, aftr f1::1 f2::1) -- ACC --+-- AFTR1 lw0 f1::1, 192.0.2.0/28 (PostgreSQL) --+-- IR -- INET
#                                                             +-- AFTR2 lw0 f2::1, 192.0.2.16/28 (SQLite) -----+
#
# Covers: the B4 starts on the first; AFTR 1's store cut makes it answer
# the renewal NETWORK_FAILURE, and the B4 moves to AFTR 2 (log, device
# remote), gets a set from its pool and its LAN's traffic resumes; AFTR
# 2's daemon gone and its bindings flushed, the 1/5s it then sends make
# the B4 ask, nobody answers, and the B4 moves back to AFTR 1 (its store
# back), with traffic again.  Then ACC's route to AFTR 1 is withdrawn: its
# ICMPv6 1/0 (no route) reaches the B4's module, which tells lw4o6d
# (event icmp-unreachable, the error itself still dropped), which asks
# AFTR 1 at once with a 1 s timeout and, unanswered twice, moves to AFTR 2
# (event dev-change), instead of after the three unanswered (~21 s).
FO_POOL1=192.0.2.0/28
FO_POOL2=192.0.2.16/28
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/failover_topology.sh"
source "$(dirname "$0")/../lib/pg.sh"

require_root
require_cmd jq psql nft
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
pg_available || ktap_skip_all "PostgreSQL 15 not installed"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

failover_topology || ktap_skip_all "cannot build the topology"
failover_b4 2 || ktap_skip_all "cannot build the B4"
failover_unicast_aftrs 2 || ktap_skip_all "cannot move the lwAFTRs' local"
echo "aftr 2001:db8:f1::1 2001:db8:f2::1" >> "$TMPDIR/b4-2.conf"

udp() { ip netns exec "$LAN_2" $ECHO udp 198.51.100.1 7777 > /dev/null; }
b4_logged() { grep -q "$1" "$TMPDIR/b4-2.log"; }

PG_NS=$DB PG_ADDR=10.9.0.1
check_cmd "PostgreSQL in DB" eval 'pg_start > "$TMPDIR/pg.out"'
failover_aftr_conf 1 "storage postgresql \"$PG_CONNINFO\"" "node aftr1"
failover_aftr_conf 2 "storage sqlite $TMPDIR/aftr2.db" "node aftr2"
check_cmd "AFTR 1's lw4o6d (PostgreSQL)" failover_aftr_start 1
check_cmd "AFTR 2's lw4o6d (SQLite)" failover_aftr_start 2
failover_bail aftr-1 aftr-2
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
failover_b4_start 2
check_cmd "B4 2 bound through the first AFTR" busywait 30000 failover_bound 2
expect_eq "its device's remote is the first" "$(failover_remote 2)" 2001:db8:f1::1
check_cmd "a set of AFTR 1's pool" failover_in_pool 2 0 15
check_cmd "LAN 2 -> INET" busywait 10000 udp
failover_bail aftr-1 aftr-2 b4-2

# --- NETWORK_FAILURE: AFTR 1's store cut, its next renewal fails ---
check_cmd "AFTR 1's store connection cut" failover_cut_store 1
check_cmd "at its renewal, the B4 moved to AFTR 2" \
	busywait 60000 b4_logged "AFTR 2001:db8:f1::1 failed us (it answered NETWORK_FAILURE): now using AFTR 2001:db8:f2::1"
check_cmd "its device's remote is AFTR 2" busywait 5000 failover_remote_is 2 2001:db8:f2::1
check_cmd "bound to a set of AFTR 2's pool" busywait 30000 failover_in_pool 2 16 31
s=$(failover_stat 2 sent-ipv4-packets)
check_cmd "LAN 2 -> INET again" busywait 10000 udp
check_cmd "... through AFTR 2" test "$(failover_stat 2 sent-ipv4-packets)" -gt "$s"
check_cmd "AFTR 1's store connection mended" failover_mend_store 1
failover_bail aftr-1 aftr-2 b4-2

# --- no answer: AFTR 2's daemon gone (killed), its bindings with it ---
# -9: a SIGTERM would have its BFD responder tell the B4 AdminDown, which
# moves the B4 at once (bfd_b4.sh, bfd_aftr.sh); here the 1/5 path is tried
kill -KILL "$AFTR_PID_2"
wait "$AFTR_PID_2" 2> /dev/null
"$LW4O6" -n "$AFTR2" binding flush dev lw0
udp		# draws AFTR 2's 1/5: the B4 asks, and nobody answers
check_cmd "the B4 asked AFTR 2 after its 1/5" \
	busywait 10000 b4_logged "ICMPv6 1/5 from 2001:db8:f2::1"
check_cmd "unanswered, it moved back to AFTR 1" \
	busywait 60000 b4_logged "AFTR 2001:db8:f2::1 failed us (no answer): now using AFTR 2001:db8:f1::1"
check_cmd "bound to a set of AFTR 1's pool again" busywait 30000 failover_in_pool 2 0 15
expect_eq "its device's remote is the first again" "$(failover_remote 2)" 2001:db8:f1::1
check_cmd "LAN 2 -> INET through AFTR 1" busywait 10000 udp

# --- a withdrawn route: ACC has none to AFTR 1 and answers 1/0 ---
check_cmd "AFTR 2's lw4o6d back" failover_aftr_start 2
"$LW4O6" -n "$B4_2" -j monitor > "$TMPDIR/monitor" &
defer kill $!
sleep 0.5
b4_stat() { "$LW4O6" -n "$B4_2" -j stats show dev b0 | jq ".[\"${1//-/_}\"] // 0"; }
pol=$(b4_stat drop-in-by-policy-icmpv6)
ip -n "$ACC" -6 route del 2001:db8:f1::1/128
udp		# draws ACC's 1/0: the B4 asks AFTR 1 at once, briefly
check_cmd "the B4 heard the router's no-route" \
	busywait 10000 b4_logged "ICMPv6 no route to the AFTR, from router 2001:db8:1::1"
check_cmd "it probed, and moved to AFTR 2 for the router's 1/0" \
	busywait 15000 b4_logged "AFTR 2001:db8:f1::1 failed us (a router has no route to it, and it does not answer): now using AFTR 2001:db8:f2::1"
expect_eq "not by the 3 unanswered of before" \
	"$(grep -c "AFTR 2001:db8:f1::1 failed us (no answer)" "$TMPDIR/b4-2.log")" 0
check_cmd "bound to a set of AFTR 2's pool again" busywait 30000 failover_in_pool 2 16 31
check_cmd "LAN 2 -> INET through AFTR 2" busywait 10000 udp
check_cmd "the 1/0 itself was not passed on (counted by policy)" \
	test "$(b4_stat drop-in-by-policy-icmpv6)" -gt "$pol"
expect_eq "lw4o6 monitor: icmp-unreachable from ACC about B4 2's softwire" \
	"$(jq -sr '[.[] | select(.event == "icmp-unreachable")][0].from' "$TMPDIR/monitor")" \
	2001:db8:1::1
expect_eq "lw4o6 monitor: dev-change, b0's remote now AFTR 2" \
	"$(jq -sr '[.[] | select(.event == "dev-change" and .dev == "b0")][0].remote' "$TMPDIR/monitor")" \
	2001:db8:f2::1
ip -n "$ACC" -6 route add 2001:db8:f1::1/128 via 2001:db8:a1::2

failover_logs b4-2
ktap_finish
