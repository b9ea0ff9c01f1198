#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 900
#
# Hot redundancy (issue #13): two lwAFTRs on one anycast address share one
# PostgreSQL store and one pool, `redundancy hot`; each mirrors every
# binding into its kernel as the store changes.  Topology:
# lib/failover_topology.sh, PostgreSQL from lib/pg.sh in DB.
#
#   LAN_2 -- B4_2 (lw4o6d b4, PCP) ------\            /-- AFTR1 (node aftr1) --\
#                                          ACC (route) -     pool 192.0.2.0/28   IR -- INET 198.51.100.1
#   LAN_3 -- B4_3 (lw4o6d b4, dhcp4o6) --/  kea-dhcp6  \-- AFTR2 (node aftr2) --/   (UDP/TCP echo)
#                                                               \-- DB: PostgreSQL --/
#
# Covers: B4s provisioned (PCP and DHCPv4 over DHCPv6) through AFTR 1
# appear in AFTR 2's kernel; ECMP over both lwAFTRs carries traffic; a TCP
# connection from a LAN host, kept open, survives AFTR 1's daemon killed,
# its device down and the route moved to AFTR 2; the B4s keep their IPv4
# and port set; the next PCP renewal and DHCP renew reach AFTR 2 and
# succeed (the store's rows now written by node aftr2).
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/failover_topology.sh"
source "$(dirname "$0")/../lib/pg.sh"

require_root
require_cmd jq kea-dhcp6 psql
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
pg_available || ktap_skip_all "PostgreSQL 15 not installed"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
HOLD="$PYTHON $TOP/selftests/lib/py/tcp_hold.py"

failover_topology || ktap_skip_all "cannot build the topology"
failover_b4 2 && failover_b4 3 || ktap_skip_all "cannot build the B4s"
cat >> "$TMPDIR/b4-3.conf" <<EOT
provision dhcp4o6
dhcp4o6-interface u0
lease-file $TMPDIR/b4-3.lease
EOT
PG_NS=$DB PG_ADDR=10.9.0.1
check_cmd "PostgreSQL in DB" eval 'pg_start > "$TMPDIR/pg.out"'
ktap_diag "$(cat "$TMPDIR/pg.out")"
for n in 1 2; do
	failover_aftr_conf $n "storage postgresql \"$PG_CONNINFO\"" "node aftr$n" \
		"redundancy hot" "dhcp4o6 on"
done
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
ip netns exec "$INET" $HOLD serve 7000 "$TMPDIR/hold-peers" &
defer kill $!
check_cmd "kea-dhcp6 on the access router (option 88 = the anycast)" failover_dhcp6_info
check_cmd "AFTR 1's lw4o6d (hot, PostgreSQL)" failover_aftr_start 1
check_cmd "AFTR 2's lw4o6d (hot, PostgreSQL)" failover_aftr_start 2
failover_bail aftr-1 aftr-2
failover_b4_start 2
failover_b4_start 3

# ping: python's start costs seconds in the emulated guest; UDP is
# exchanged where what the server saw matters.
traffic() {
	local l=LAN_$1
	ip netns exec "${!l}" $PING -c 1 -W 2 198.51.100.1 > /dev/null
}
udp() {
	local l=LAN_$1
	ip netns exec "${!l}" $ECHO udp 198.51.100.1 7777 > /dev/null
}
# rows: the store's mappings, "b4 ipv4 psid/len node" a line
rows() { pg_sql "select host(b4), host(ipv4), psid || '/' || psid_len, node from lw4o6_mappings order by 1" | tr '|' ' '; }
mirrored() { [ "$(failover_table 2)" = "$(failover_table 1)" ] && [ "$(failover_table 1 | wc -l)" = 2 ]; }

check_cmd "B4 2 bound over PCP through AFTR 1" busywait 30000 failover_bound 2
check_cmd "B4 3 bound over DHCPv4 over DHCPv6 through AFTR 1" busywait 40000 failover_bound 3
failover_bail aftr-1 aftr-2 b4-2 b4-3
B2=$(failover_bound 2) B3=$(failover_bound 3)
ktap_diag "B4 2 $B2, B4 3 $B3"
check_cmd "AFTR 2's kernel mirrors AFTR 1's (both bindings)" busywait 10000 mirrored
expect_eq "the store holds both, written by aftr1" "$(rows)" \
	"$(printf '%s\n' "2001:db8:1::2 $B2 aftr1" "2001:db8:1::3 $B3 aftr1")"
check_cmd "LAN 2 reaches INET through AFTR 1" busywait 10000 traffic 2
check_cmd "LAN 3 reaches INET through AFTR 1" busywait 10000 traffic 3

# --- ECMP: both lwAFTRs next hops ---------------------------------------------
s1=$(failover_stat 1 sent-ipv4-packets) s2=$(failover_stat 2 sent-ipv4-packets)
failover_ecmp
check_cmd "ECMP: LAN 2 reaches INET" busywait 10000 traffic 2
check_cmd "ECMP: LAN 3 reaches INET" busywait 10000 traffic 3
ktap_diag "ECMP: AFTR 1 decapsulated $(( $(failover_stat 1 sent-ipv4-packets) - s1 )), AFTR 2 $(( $(failover_stat 2 sent-ipv4-packets) - s2 ))"

# --- AFTR 1 fails while a TCP connection is open ------------------------------
rm -f "$TMPDIR/hold" "$TMPDIR/hold.stop"
ip netns exec "$LAN_2" $HOLD hold 198.51.100.1 7000 "$TMPDIR/hold" &
HOLD_PID=$!
defer kill $HOLD_PID
check_cmd "a TCP connection from LAN 2 is up" busywait 20000 grep -q up "$TMPDIR/hold"
sleep 2
s2=$(failover_stat 2 sent-ipv4-packets)
kill -9 "$AFTR_PID_1"
ip -n "$AFTR1" link set lw0 down
failover_move_to 2
check_cmd "LAN 3 reaches INET through AFTR 2" busywait 15000 traffic 3
sleep 3
touch "$TMPDIR/hold.stop"
wait $HOLD_PID
rc=$?
ktap_diag "TCP: $(cat "$TMPDIR/hold")"
expect_eq "the TCP connection survived: every line echoed on it" "$rc" 0
check_cmd "it went on through AFTR 2 (its counters)" \
	test "$(failover_stat 2 sent-ipv4-packets)" -gt $((s2 + 10))
expect_eq "one connection, one peer at the server" "$(wc -l < "$TMPDIR/hold-peers")" 1
check_cmd "from B4 2's IPv4" grep -q "^${B2%% *} " "$TMPDIR/hold-peers"
expect_eq "B4 2 keeps its IPv4 and port set" "$(failover_bound 2)" "$B2"
expect_eq "B4 3 keeps its IPv4 and port set" "$(failover_bound 3)" "$B3"

# --- renewals reach AFTR 2 ------------------------------------------------------
# Lifetimes 20 s: PCP renews after 10-12.5 s, DHCP at T1 (10 s).
renewed_by_2() { rows | grep -q "^$1 .* aftr2\$"; }
check_cmd "B4 2's PCP renewal reached AFTR 2 (its row now written by aftr2)" \
	busywait 30000 renewed_by_2 2001:db8:1::2
check_cmd "B4 3's DHCP renew reached AFTR 2 (its row now written by aftr2)" \
	busywait 30000 renewed_by_2 2001:db8:1::3
# RENEWING when T1 comes after the move; when a slow VM reaches T1 before it,
# the RENEW goes to AFTR 1 as it dies and, with no retransmission before T2
# on a 20 s lease (RFC 2131 4.4.5: half the time left, at least 60 s), the
# B4 asks again in REBINDING.  Either way AFTR 2 must answer it.
check_cmd "AFTR 2 acknowledged the DHCP renewal" \
	grep -qE "dhcp4o6: ACK .*\((RENEWING|REBINDING)\)" "$TMPDIR/aftr-2.log"
expect_eq "the renewals kept both sets" "$(rows)" \
	"$(printf '%s\n' "2001:db8:1::2 $B2 aftr2" "2001:db8:1::3 $B3 aftr2")"
expect_eq "B4 2 still holds its set" "$(failover_bound 2)" "$B2"
expect_eq "B4 3 still holds its set" "$(failover_bound 3)" "$B3"
check_cmd "LAN 2's UDP echoed after the renewals" busywait 10000 udp 2
check_cmd "LAN 3's UDP echoed after the renewals" busywait 10000 udp 3
expect_eq "the audit history names both nodes" \
	"$(pg_sql "select distinct node from lw4o6_history order by 1" | tr '\n' ' ')" "aftr1 aftr2 "
failover_balance 2

if [ "$KTAP_FAIL" -gt 0 ]; then
	failover_logs aftr-1 aftr-2 b4-2 b4-3
	pg_log
fi
ktap_finish
