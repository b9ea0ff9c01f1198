#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 900
#
# The anycast life cycle through a routing daemon (issue #14 item 1): each
# lwAFTR's lw4o6d keeps the anycast /128 on its dummy any0 only while it
# can serve ("anycast ... dev any0"), and FRR's ospf6d redistributes that
# connected route to the access router, which sees one next hop per
# announcing lwAFTR.  Topology: lib/failover_topology.sh with ACC's static
# route removed, PostgreSQL (lib/pg.sh) in DB, FRR (zebra + ospf6d) in
# ACC, AFTR1 and AFTR2.
#
#   LAN_2 -- B4_2 (lw4o6d b4, PCP) -- ACC (ospf6d: ff::1 via a1 / a2) --+-- AFTR1 (ospf6d, lw4o6d, any0) --+-- IR -- INET
#                                                                       +-- AFTR2 (the same) ---------------+
#                                                                              \-- DB: PostgreSQL --/
#
# Covers: both announce (ECMP at ACC); drain withdraws AFTR1 within
# seconds and traffic flows through AFTR2, drain off puts it back after
# the hold-down, and AFTR1 then sends the B4 an ANNOUNCE; AFTR1's store broken (its connection cut and blocked),
# its lw0 down, its upstream route gone (PCP then answers NETWORK_FAILURE),
# and its lw4o6d stopped each withdraw it, recovery puts it
# back; the B4's LAN keeps service throughout.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/failover_topology.sh"
source "$(dirname "$0")/../lib/pg.sh"
source "$(dirname "$0")/../lib/frr.sh"

require_root
require_cmd jq psql nft vtysh
[ -x /usr/lib/frr/zebra ] && [ -x /usr/lib/frr/ospf6d ] || ktap_skip_all "FRR not installed"
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
pg_available || ktap_skip_all "PostgreSQL 15 not installed"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

failover_topology || ktap_skip_all "cannot build the topology"
ip -n "$ACC" -6 route del "$FO_ANYCAST/128"
FO_B4_LIFETIME=600
FO_AFTR_LIFETIME="min 10 max 600 default 600"
failover_b4 2 || ktap_skip_all "cannot build the B4"

frr_dir || ktap_skip_all "mktemp"

logged() { grep -q "$2" "$TMPDIR/aftr-$1.log"; }
udp() { ip netns exec "$LAN_2" $ECHO udp 198.51.100.1 7777 > /dev/null; }

PG_NS=$DB PG_ADDR=10.9.0.1
check_cmd "PostgreSQL in DB" eval 'pg_start > "$TMPDIR/pg.out"'
for n in 1 2; do
	failover_aftr_conf $n "storage postgresql \"$PG_CONNINFO\"" "node aftr$n" \
		"redundancy hot" \
		"anycast $FO_ANYCAST dev any0 hold-down 2 drain-file $TMPDIR/drain-$n"
done
check_cmd "FRR on the access router" frr_start "$ACC" 1 a1 a2
check_cmd "FRR on AFTR 1, redistributing the anycast" frr_start "$AFTR1" 2 u0 redist
check_cmd "FRR on AFTR 2, redistributing the anycast" frr_start "$AFTR2" 3 u0 redist
# AFTR 1 starts drained, so that "off at start" is seen however slow the
# VM: the hold-down would put it back 2 s later.
touch "$TMPDIR/drain-1"
check_cmd "AFTR 1's lw4o6d (hot, PostgreSQL, anycast)" failover_aftr_start 1
check_cmd "AFTR 2's lw4o6d (the same)" failover_aftr_start 2
failover_bail aftr-1 aftr-2
check_cmd "lw4o6d took the anycast off any0 at start (started drained)" \
	busywait 10000 logged 1 "anycast $FO_ANYCAST not announced: draining"
check_cmd "... and it is not on any0" \
	sh -c "! ip -n '$AFTR1' -6 addr show dev any0 | grep -q '$FO_ANYCAST'"
rm -f "$TMPDIR/drain-1"
check_cmd "both announce: ACC routes the anycast over a1 and a2 (ECMP)" \
	busywait 90000 acc_is "a1 a2"
check_cmd "AFTR 1 logged the announcement" logged 1 "anycast $FO_ANYCAST announced on any0"
if [ "$KTAP_FAIL" -gt 0 ]; then
	ktap_diag "ACC: $(ip -n "$ACC" -6 route show "$FO_ANYCAST/128")"
	ktap_diag "$(tail -n 20 "$FRR_DIR/1/ospf6d.log")"
	failover_bail aftr-1 aftr-2
fi

ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
failover_b4_start 2
check_cmd "B4 2 bound over PCP through the anycast" busywait 60000 failover_bound 2
check_cmd "LAN 2 -> INET through the set" busywait 10000 udp
failover_bail aftr-1 aftr-2 b4-2

# --- drain ---
check_cmd "lw4o6d drain on (AFTR 1)" "$LW4O6D" drain -c "$TMPDIR/aftr-1.conf" on
expect_eq "drain status" "$("$LW4O6D" drain -c "$TMPDIR/aftr-1.conf" status)" \
	"draining ($TMPDIR/drain-1)"
t0=$(now_ms)
check_cmd "drained: ACC routes the anycast over a2 only" busywait 30000 acc_is a2
ktap_diag "withdrawal seen in ACC's FIB after $(( $(now_ms) - t0 )) ms"
check_cmd "AFTR 1 logged why" logged 1 "withdrawn from any0: draining"
s=$(failover_stat 2 sent-ipv4-packets)
check_cmd "LAN 2 -> INET still answered" busywait 10000 udp
check_cmd "... through AFTR 2" test "$(failover_stat 2 sent-ipv4-packets)" -gt "$s"
heard=$(grep -c ANNOUNCE "$TMPDIR/b4-2.log")
check_cmd "lw4o6d drain off" "$LW4O6D" drain -c "$TMPDIR/aftr-1.conf" off
check_cmd "back after the hold-down: a1 and a2" busywait 30000 acc_is "a1 a2"
# Taking the anycast back, AFTR 1 tells every B4 it holds (RFC 6887 14.1.1).
check_cmd "AFTR 1 sent an ANNOUNCE round to the one B4 it holds" \
	busywait 10000 logged 1 "ANNOUNCE (taking over the anycast) to 1 B4s"
check_cmd "B4 2 heard it" \
	busywait 10000 sh -c "[ \$(grep -c ANNOUNCE '$TMPDIR/b4-2.log') -gt $heard ]"

# --- the store: AFTR 1's connection cut and kept from coming back ---
check_cmd "AFTR 1's store connection cut" failover_cut_store 1
check_cmd "AFTR 1's store cut: withdrawn" busywait 30000 acc_is a2
sleep 3
check_cmd "... and kept withdrawn while the store cannot be reached" acc_is a2
check_cmd "AFTR 1 logged why" logged 1 "withdrawn from any0: the store is unreachable"
check_cmd "LAN 2 -> INET still answered" busywait 10000 udp
check_cmd "AFTR 1's store connection mended" failover_mend_store 1
check_cmd "store back: announced again" busywait 60000 acc_is "a1 a2"

# --- its device ---
ip -n "$AFTR1" link set lw0 down
check_cmd "AFTR 1's lw0 down: withdrawn" busywait 30000 acc_is a2
check_cmd "AFTR 1 logged why" logged 1 "withdrawn from any0: device lw0 is down"
ip -n "$AFTR1" link set lw0 up
ip -n "$AFTR1" route replace "$FO_POOL1" dev lw0	# gone with the link
check_cmd "lw0 up: announced again" busywait 30000 acc_is "a1 a2"

# --- its upstream IPv4 route ---
ip -n "$AFTR1" route del default
check_cmd "AFTR 1's upstream route gone: withdrawn" busywait 30000 acc_is a2
check_cmd "AFTR 1 logged why" logged 1 "withdrawn from any0: no route to upstream"
check_cmd "... and that its PCP answers NETWORK_FAILURE meanwhile (#15 item 4)" \
	logged 1 "no upstream IPv4 route: PCP MAPs are answered NETWORK_FAILURE"
check_cmd "LAN 2 -> INET still answered, through AFTR 2" busywait 10000 udp
ip -n "$AFTR1" route add default via 10.1.0.1
check_cmd "the route back: announced again" busywait 30000 acc_is "a1 a2"
check_cmd "... and PCP grants again" logged 1 "the upstream IPv4 route is back"

# --- stop ---
kill "$AFTR_PID_1"
wait "$AFTR_PID_1" 2> /dev/null
check_cmd "AFTR 1's lw4o6d stopped: withdrawn" busywait 30000 acc_is a2
check_cmd "... and said so" logged 1 "withdrawn from any0: stopping"
check_cmd "LAN 2 -> INET still answered, through AFTR 2" busywait 10000 udp

failover_logs aftr-1
ktap_finish
