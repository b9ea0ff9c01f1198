#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 900
#
# Control-message failover (issue #13): two lwAFTRs on one anycast address,
# each with its OWN SQLite store and its OWN pool; nothing is shared.  The
# B4s are provisioned through AFTR 1; the access router's route then moves
# to AFTR 2, which has never heard of them: it drops their packets and
# answers ICMPv6 1/5 (from the anycast: see lib/failover_topology.sh); each B4 re-validates through
# the anycast, AFTR 2 refuses what AFTR 1 granted, and the B4 provisions
# again from AFTR 2's pool.  Traffic resumes with the new address.
# Topology: lib/failover_topology.sh.
#
#   LAN_2 -- B4_2 (lw4o6d b4, PCP) ------\            /-- AFTR1 pool 192.0.2.0/28,   aftr-1.db --\
#                                          ACC (route) -                                          IR -- INET
#   LAN_3 -- B4_3 (lw4o6d b4, dhcp4o6) --/  kea-dhcp6  \-- AFTR2 pool 203.0.113.0/28, aftr-2.db --/   198.51.100.1
#                                           (88 = anycast)   (both: lw4o6d aftr, PCP + dhcp4o6 on the anycast)
#
# Lifetimes are 600 s, so no renewal falls inside the test: what moves the
# B4s is the 1/5 alone.
source "$(dirname "$0")/../lib/lib.sh"
FO_POOL1=192.0.2.0/28
FO_POOL2=203.0.113.0/28
source "$(dirname "$0")/../lib/failover_topology.sh"

require_root
require_cmd jq kea-dhcp6
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

failover_topology || ktap_skip_all "cannot build the topology"
failover_b4 2 && failover_b4 3 || ktap_skip_all "cannot build the B4s"
FO_AFTR_LIFETIME="min 10 max 600 default 600"
for n in 1 2; do
	failover_aftr_conf $n "storage sqlite $TMPDIR/aftr-$n.db" "dhcp4o6 on"
done
sed -i 's/^lifetime .*/lifetime 600/' "$TMPDIR/b4-2.conf" "$TMPDIR/b4-3.conf"
cat >> "$TMPDIR/b4-3.conf" <<EOT
provision dhcp4o6
dhcp4o6-interface u0
lease-file $TMPDIR/b4-3.lease
EOT
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
check_cmd "kea-dhcp6 on the access router (option 88 = the anycast)" failover_dhcp6_info
check_cmd "AFTR 1's lw4o6d" failover_aftr_start 1
check_cmd "AFTR 2's lw4o6d" failover_aftr_start 2
failover_bail aftr-1 aftr-2
failover_b4_start 2
failover_b4_start 3

in_pool() { $PYTHON -c 'import ipaddress,sys; sys.exit(ipaddress.ip_address(sys.argv[1]) not in ipaddress.ip_network(sys.argv[2]))' "$1" "$2"; }
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

check_cmd "B4 2 bound over PCP" busywait 30000 failover_bound 2
check_cmd "B4 3 bound over DHCPv4 over DHCPv6" busywait 40000 failover_bound 3
failover_bail aftr-1 b4-2 b4-3
B2=$(failover_bound 2) B3=$(failover_bound 3)
ktap_diag "through AFTR 1: B4 2 $B2, B4 3 $B3"
both_in_pool1() { in_pool "${B2%% *}" "$FO_POOL1" && in_pool "${B3%% *}" "$FO_POOL1"; }
check_cmd "both from AFTR 1's pool" both_in_pool1
expect_eq "AFTR 1's kernel has both" "$(failover_table 1 | awk '{print $3}' | sort | tr '\n' ' ')" "2001:db8:1::2 2001:db8:1::3 "
expect_eq "AFTR 2's kernel has none" "$(failover_table 2 | wc -l)" 0
check_cmd "LAN 2 reaches INET through AFTR 1" busywait 10000 traffic 2
check_cmd "LAN 3 reaches INET through AFTR 1" busywait 10000 traffic 3

# --- the route moves to AFTR 2 ---------------------------------------------
nob0=$(failover_stat 2 drop-no-source-softwire-ipv6)
err0=$(failover_stat 2 out-icmpv6-error-packets)
sent0=$(failover_stat 2 sent-ipv4-packets)
failover_move_to 2
peers0=$(wc -l < "$TMPDIR/peers")
# One packet each: AFTR 2 drops it and answers 1/5, which starts it all.
ip netns exec "$LAN_2" $PING -c 1 -W 1 198.51.100.1 > /dev/null 2>&1
ip netns exec "$LAN_3" $PING -c 1 -W 1 198.51.100.1 > /dev/null 2>&1
check_cmd "AFTR 2 dropped the unknown B4s' packets (counted)" \
	test "$(failover_stat 2 drop-no-source-softwire-ipv6)" -gt "$nob0"
check_cmd "and sent ICMPv6 errors" test "$(failover_stat 2 out-icmpv6-error-packets)" -gt "$err0"
check_cmd "B4 2 heard AFTR 2's 1/5 (from the anycast)" \
	busywait 10000 grep -q "ICMPv6 1/5 from 2001:db8:ff::1" "$TMPDIR/b4-2.log"
new_pool() { local b; b=$(failover_bound "$1") && in_pool "${b%% *}" "$FO_POOL2"; }
check_cmd "B4 2 provisioned again, from AFTR 2's pool" busywait 30000 new_pool 2
check_cmd "B4 3 provisioned again, from AFTR 2's pool" busywait 40000 new_pool 3
check_cmd "B4 3's DHCP client re-validated on the 1/5 (no expiry, no T1)" \
	grep -q "ICMPv6 1/5 from $FO_ANYCAST about .*: asking the DHCPv4 servers whether the lease still holds" "$TMPDIR/b4-3.log"
N2=$(failover_bound 2) N3=$(failover_bound 3)
ktap_diag "through AFTR 2: B4 2 $N2, B4 3 $N3"
expect_eq "AFTR 2's kernel has both now" "$(failover_table 2 | awk '{print $3}' | sort | tr '\n' ' ')" "2001:db8:1::2 2001:db8:1::3 "
check_cmd "LAN 2 reaches INET again through AFTR 2" busywait 15000 traffic 2
check_cmd "LAN 3 reaches INET again through AFTR 2" busywait 15000 traffic 3
check_cmd "LAN 2's UDP echoed through AFTR 2" udp 2
check_cmd "LAN 3's UDP echoed through AFTR 2" udp 3
check_cmd "the echo server saw the new addresses" \
	sh -c "tail -n +$((peers0 + 1)) '$TMPDIR/peers' > '$TMPDIR/peers.new' &&
		grep -q '^udp ${N2%% *} ' '$TMPDIR/peers.new' && grep -q '^udp ${N3%% *} ' '$TMPDIR/peers.new'"
check_cmd "AFTR 2 forwarded their traffic (counters)" \
	test "$(failover_stat 2 sent-ipv4-packets)" -ge $((sent0 + 4))
check_cmd "AFTR 2's store holds both leases" \
	sh -c "[ \$('$LW4O6D' leases -c '$TMPDIR/aftr-2.conf' -j | jq length) = 2 ]"
failover_balance 2

if [ "$KTAP_FAIL" -gt 0 ]; then
	failover_logs aftr-1 aftr-2 b4-2 b4-3
fi
ktap_finish
