#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 600
#
# lw4o6d end to end over DHCPv4 over DHCPv6: our lwB4s provisioned by our
# lwAFTR's co-located 4o6 server, beside a PCP B4 on the same pool, with
# traffic through the softwires.  Topology: lib/aftr_topology.sh +
# lib/pcp_topology.sh's B4s.
#
#   LAN_2 -- B4_2 (lw4o6d b4, provision dhcp4o6) --\
#   LAN_3 -- B4_3 (lw4o6d b4, provision dhcp4o6) ---+- br0 2001:db8:1::1  AFTR  -- INET
#   LAN_4 -- B4_4 (lw4o6d b4, PCP)               --/   lw0 (aftr) + lw4o6d     198.51.100.1
#                                                       dhcp4o6 on, pool 192.0.2.1/32
#                                                       psid-len 2 offset 6 (4 sets),
#                                                       leases 30 s
#
# Covers: two B4s share 192.0.2.1 with different PSIDs, a PCP B4 gets a
# third set of the same pool (no overlap); the kernel table and the store
# agree; traffic from each LAN; renewal at T1; the AFTR daemon killed -9
# and restarted loses nothing (a renewal after it is acknowledged); a B4
# killed -9 resumes by INIT-REBOOT with the same set; control-message
# failover (#13): an AFTR that has forgotten B4 3 (store row and kernel
# binding gone, as a backup that never saw it) answers its traffic with
# ICMPv6 1/5, B4 3 re-validates (a REBINDING-form REQUEST), is NAKed,
# DISCOVERs and carries on with a new lease; a B4 stopped releases
# (binding and lease gone); a B4 that vanishes expires; every DHCPv6
# message and its option 87 decode in tshark.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"
source "$(dirname "$0")/../lib/dhcp4o6.sh"

require_root
require_cmd jq tshark tcpdump
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

aftr_topology
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
for n in 2 3 4; do
	pcp_b4 $n || ktap_skip_all "cannot build B4 $n"
done
pcp_b4_dhcp4o6 2
pcp_b4_dhcp4o6 3
PCP_POOL="192.0.2.1/32 psid-len 2 offset 6" pcp_aftr_conf "dhcp4o6 on
dhcp4o6-interface br0"
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
dhcp_link_wait "$B4_2" u0
dhcp_capture_start "$AFTR" br0 "$TMPDIR/dhcp.pcap"

# table: the AFTR's bindings as "ipv4 psid/len b4", sorted
table() { pcp_table; }
# leases: the store's, as "protocol/via ipv4 psid/len b4", sorted
leases() {
	"$LW4O6D" leases -c "$TMPDIR/aftr.conf" -j |
		jq -r '.[] | "\(.protocol)/\(.via) \(.ipv4) \(.psid)/\(.psid_len) \(.b4)"' | sort
}
traffic() {
	local l=LAN_$1
	ip netns exec "${!l}" $ECHO udp 198.51.100.1 7777 > /dev/null &&
	ip netns exec "${!l}" $PING -c 1 -W 2 198.51.100.1 > /dev/null
}
acks() { grep -c "DHCPv4 lease 192.0.2.1 for" "$TMPDIR/b4-$1.log"; }
no_b4() { ! table | grep -q " $1\$"; }

pcp_aftr_start
defer kill $AFTR_PID
for n in 2 3 4; do
	pcp_b4_start $n
	p=B4_PID_$n
	defer kill ${!p}
done

check_cmd "B4 2 bound by DHCPv4 over DHCPv6" busywait 30000 pcp_bound 2
check_cmd "B4 3 bound by DHCPv4 over DHCPv6" busywait 30000 pcp_bound 3
check_cmd "B4 4 bound by PCP" busywait 30000 pcp_bound 4
B2=$(pcp_bound 2) B3=$(pcp_bound 3) B4=$(pcp_bound 4)
ktap_diag "B4 2: $B2, B4 3: $B3, B4 4: $B4"
expect_eq "B4s 2 and 3 share 192.0.2.1" "${B2%% *} ${B3%% *}" "192.0.2.1 192.0.2.1"
check_cmd "with different PSIDs" test "$B2" != "$B3"
check_cmd "the PCP B4 got a third set of the same pool" \
	sh -c "[ '$B4' != '$B2' ] && [ '$B4' != '$B3' ] && [ '${B4%% *}' = 192.0.2.1 ]"
expect_eq "the AFTR's table: one binding per B4, as each B4 holds it" "$(table)" \
	"$(printf '%s\n' "$B2 2001:db8:1::2" "$B3 2001:db8:1::3" "$B4 2001:db8:1::4" | sort)"
expect_eq "the store holds them, each by its protocol and how it asked" "$(leases)" \
	"$(printf '%s\n' "dhcp4o6/dhcp4o6 $B2 2001:db8:1::2" "dhcp4o6/dhcp4o6 $B3 2001:db8:1::3" "pcp/softwire $B4 2001:db8:1::4" | sort)"
for n in 2 3 4; do
	check_cmd "LAN $n reaches INET through its B4" busywait 10000 traffic $n
done

# --- renewal at T1 (15 s) ------------------------------------------------------
check_cmd "B4 2 renews at T1" busywait 25000 grep -q "T1: renewing" "$TMPDIR/b4-2.log"
check_cmd "the renewal is acknowledged" busywait 10000 sh -c "[ \$(grep -c 'DHCPv4 lease 192.0.2.1 for' '$TMPDIR/b4-2.log') -ge 2 ]"
expect_eq "B4 2 keeps its set" "$(pcp_bound 2)" "$B2"

# --- the AFTR's daemon killed -9 and restarted ---------------------------------
T0=$(table) L0=$(leases)
kill -9 $AFTR_PID
wait $AFTR_PID 2> /dev/null
expect_eq "kill -9: the kernel keeps every binding" "$(table)" "$T0"
N3=$(acks 3)
pcp_aftr_start
defer kill $AFTR_PID
expect_eq "restart: the store lost nothing" "$(leases)" "$L0"
expect_eq "restart: the kernel table is unchanged" "$(table)" "$T0"
check_cmd "a renewal after the restart is acknowledged" \
	busywait 25000 sh -c "[ \$(grep -c 'DHCPv4 lease 192.0.2.1 for' '$TMPDIR/b4-3.log') -gt $N3 ]"
expect_eq "B4 3 keeps its set" "$(pcp_bound 3)" "$B3"
check_cmd "LAN 3 reaches INET after the restart" traffic 3

# --- a B4 killed -9 resumes by INIT-REBOOT ----------------------------------------
kill -9 $B4_PID_2
wait $B4_PID_2 2> /dev/null
mv "$TMPDIR/b4-2.log" "$TMPDIR/b4-2-first.log"
pcp_b4_start 2
defer kill $B4_PID_2
check_cmd "restarted B4 2 asks by INIT-REBOOT" \
	busywait 20000 grep -q "INIT-REBOOT: asking to keep 192.0.2.1" "$TMPDIR/b4-2.log"
check_cmd "and is acknowledged" busywait 20000 grep -q "DHCPv4 lease 192.0.2.1 for" "$TMPDIR/b4-2.log"
check_cmd "no DISCOVER after the restart" sh -c "! grep -q 'DHCPV4-QUERY DISCOVER' '$TMPDIR/b4-2.log'"
expect_eq "B4 2 has its set again" "$(pcp_bound 2)" "$B2"
expect_eq "the AFTR's table is unchanged" "$(table)" "$T0"
check_cmd "LAN 2 reaches INET" busywait 10000 traffic 2

# --- control-message failover: the AFTR forgets B4 3 --------------------------------
# As a backup behind the same anycast address that never saw the lease:
# no row in its store, no binding in its kernel.  B4 3's daemon is stopped
# meanwhile (its T1 renewal must not be what meets the forgetful AFTR
# first); the 1/5 of one ping from LAN 3 waits in its event socket.  Right
# after one of its renewals, so that its 30 s lease outlasts the stop (the
# lease's end would also make it DISCOVER, and the NAK would go unheard).
N3=$(acks 3)
check_cmd "B4 3 renews once more first" \
	busywait 30000 sh -c "[ \$(grep -c 'DHCPv4 lease 192.0.2.1 for' '$TMPDIR/b4-3.log') -gt $N3 ]"
T=$SECONDS
kill -STOP $B4_PID_3
kill -9 $AFTR_PID
wait $AFTR_PID 2> /dev/null
check_cmd "the AFTR's store forgets B4 3's lease" sqlite3 "$TMPDIR/aftr.db" \
	"DELETE FROM mappings WHERE hex(b4) = '20010DB8000100000000000000000003'"
check_cmd "and its kernel B4 3's binding" "$LW4O6" -n "$AFTR" binding del dev lw0 \
	ipv4 "${B3%% *}" psid "${B3#* }"
pcp_aftr_start
defer kill $AFTR_PID
check_cmd "the restarted AFTR holds nothing of B4 3" no_b4 2001:db8:1::3
E=$(aftr_stat out-icmpv6-error-packets)
check_fail "LAN 3's ping is refused" ip netns exec "$LAN_3" $PING -c 1 -W 1 198.51.100.1
expect_eq "the AFTR answered it with ICMPv6 1/5" "$(aftr_stat out-icmpv6-error-packets)" $((E + 1))
kill -CONT $B4_PID_3
ktap_diag "B4 3 was stopped for $((SECONDS - T)) s"
check_cmd "B4 3 re-validates on the 1/5" busywait 30000 \
	grep -q "ICMPv6 1/5 from 2001:db8:ff::1 about 192.0.2.1: asking the DHCPv4 servers" "$TMPDIR/b4-3.log"
check_cmd "with a REQUEST in REBINDING's form, which the AFTR NAKs" busywait 30000 \
	grep -q "dhcp4o6: REQUEST (REBINDING) from 2001:db8:1::3" "$TMPDIR/aftr.log"
check_cmd "the NAK makes B4 3 DISCOVER" busywait 30000 \
	grep -q "DHCPv4 NAK.*starting over with DISCOVER" "$TMPDIR/b4-3.log"
check_cmd "B4 3 is bound again" busywait 30000 sh -c "grep -A1000 'DHCPv4 NAK' '$TMPDIR/b4-3.log' | grep -q 'DHCPv4 lease 192.0.2.1 for'"
B3=$(pcp_bound 3)
ktap_diag "B4 3 after the failover: $B3"
expect_eq "the AFTR's table has B4 3's new set" "$(table | grep ' 2001:db8:1::3$')" "$B3 2001:db8:1::3"
expect_eq "B4 3's lease file names it" \
	"$(awk '$1 == "address" { a = $2 } $1 == "psid" { p = $2 } END { print a, p }' "$TMPDIR/b4-3.lease")" \
	"$B3"
check_cmd "LAN 3 reaches INET again" busywait 30000 traffic 3

# --- RELEASE when a B4 stops ------------------------------------------------------
kill $B4_PID_3
wait $B4_PID_3 2> /dev/null
check_cmd "B4 3 released on stop" grep -q "RELEASE of 192.0.2.1" "$TMPDIR/b4-3.log"
check_cmd "the AFTR removed B4 3's binding" busywait 5000 no_b4 2001:db8:1::3
check_cmd "and its lease" sh -c "! '$LW4O6D' leases -c '$TMPDIR/aftr.conf' | grep -q '2001:db8:1::3 '"
check_cmd "B4 3's lease file is gone" test ! -e "$TMPDIR/b4-3.lease"

# --- expiry of a B4 that vanished (30 s leases) -------------------------------------
kill -9 $B4_PID_2
wait $B4_PID_2 2> /dev/null
check_cmd "B4 2's binding stays while its lease runs" test -n "$(table | grep ' 2001:db8:1::2$')"
check_cmd "B4 2's binding expires" busywait 45000 no_b4 2001:db8:1::2
check_cmd "and its lease" sh -c "! '$LW4O6D' leases -c '$TMPDIR/aftr.conf' | grep -q '2001:db8:1::2 '"
expect_eq "the PCP B4 is untouched" "$(table)" "$B4 2001:db8:1::4"

dhcp_capture_stop
check_cmd "every DHCPv6 message and option 87 decodes in tshark" check_dhcp_pcap "$TMPDIR/dhcp.pcap"
if [ "$KTAP_FAIL" -gt 0 ]; then
	for f in aftr b4-2-first b4-2 b4-3 b4-4; do
		[ -e "$TMPDIR/$f.log" ] || continue
		ktap_diag "--- $f.log (last 25 lines)"
		ktap_diag "$(tail -n 25 "$TMPDIR/$f.log")"
	done
fi
ktap_finish
