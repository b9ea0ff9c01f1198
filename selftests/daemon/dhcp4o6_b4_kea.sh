#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 600
#
# lw4o6d's lwB4 provisioned by DHCPv6 / DHCPv4 over DHCPv6 from the
# reference peer, Kea 2.2 (kea-dhcp6 + kea-dhcp4 4o6, lib/dhcp4o6.sh),
# traffic through our lwAFTR (lw0 with static bindings: `lw4o6 binding
# add`).  Topology: lib/aftr_topology.sh + lib/pcp_topology.sh's B4s, Kea on
# the AFTR's br0.
#
#   LAN_2 -- B4_2 (b4 lw4o6d, u0 02:..:b4:02) --\
#   LAN_3 -- B4_3 (b4 lw4o6d, u0 02:..:b4:03) ---+- br0 2001:db8:1::1   AFTR   -- INET
#   LAN_4 -- B4_4 (b4 lw4o6d, u0 02:..:b4:04) --/  kea-dhcp6 + kea-dhcp4 lw0     198.51.100.1
#                                                   (option 88 = 2001:db8:1::1;
#                                                   valid 20 s)
#
# (a) B4 2: kea-dhcp6 gives its DUID an S46_CONT_LW (192.0.2.3, 6, 3/4, bind
#     prefix 2001:db8:1::/64, BR 2001:db8:ff::1): the device is configured
#     from it (local = 2001:db8:1::c000:203:3) with no DHCPv4 at all.
# (b) B4 3: DHCPv4 over DHCPv6, a reserved port set (192.0.2.100, 6, 3/4 in
#     option 159); B4 4: a whole address from the pool (no 159: psid-len 0).
# (c) B4 3 renews at T1 (10 s: U flag, unicast), is killed -9 and resumes
#     by INIT-REBOOT from its lease file, and RELEASEs on SIGTERM (Kea's
#     lease freed, the binding and the lease file gone).
# (d) Control-message failover (#13), B4 4: the lwAFTR forgets its binding
#     and answers its traffic with ICMPv6 1/5; B4 4 re-validates (REQUEST,
#     ciaddr, no server id).  Kea holding the lease ACKs: the address is
#     kept.  Then Kea is replaced by a "backup" with another pool and no
#     leases: Kea 2.2 (not authoritative) keeps silent about the lease it
#     does not know, so B4 4 falls back to DISCOVER (its re-validation
#     unanswered, or its lease over, whichever first) and carries on with
#     an address of the new pool.
# Traffic from each LAN host to INET (UDP echo, ping) through NAPT44; every
# DHCPv6 packet and option 87 decodes in tshark (check_dhcp_pcap).
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"
source "$(dirname "$0")/../lib/dhcp4o6.sh"

require_root
require_cmd kea-dhcp4 kea-dhcp6 tshark tcpdump jq ss
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
KEA_IP=2001:db8:1::1
BR=2001:db8:ff::1
S46_SRC=2001:db8:1::c000:203:3

aftr_topology
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local $BR
aftr_route
for n in 2 3 4; do
	pcp_b4 $n || ktap_skip_all "cannot build B4 $n"
	b=B4_$n
	ip -n "${!b}" link set u0 address 02:00:00:00:b4:0$n
	pcp_b4_dhcp4o6 $n
done
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
dhcp_link_wait "$B4_2" u0
dhcp_capture_start "$AFTR" br0 "$TMPDIR/dhcp.pcap"
check_cmd "Kea (kea-dhcp6 + kea-dhcp4, 4o6) listens on br0" \
	kea_start "$AFTR" br0 $KEA_IP v4addr=10.99.0.1/24 valid=20 \
	lwres=00:03:00:01:02:00:00:00:b4:02,$BR,192.0.2.3,2001:db8:1::/64,6,3/4 \
	res4=02:00:00:00:b4:03,192.0.2.100,6,3/4

# dev N: B4 N's device as "ipv4 psid/len offset local remote".
dev() {
	local b=B4_$1
	"$LW4O6" -n "${!b}" -j dev show b0 |
		jq -r '.[0] | "\(.ipv4) \(.psid)/\(.psid_len) \(.offset) \(.local) \(.remote)"'
}
bound() { [ "$(dev "$1" | cut -d' ' -f1)" != null ]; }
traffic() {
	local l=LAN_$1
	ip netns exec "${!l}" $ECHO udp 198.51.100.1 7777 > /dev/null &&
	ip netns exec "${!l}" $PING -c 1 -W 2 198.51.100.1 > /dev/null
}
b4_log_has() { grep -q "$2" "$TMPDIR/b4-$1.log"; }

for n in 2 3 4; do
	pcp_b4_start $n
	p=B4_PID_$n
	defer kill ${!p}
done

ktap_diag "at ${SECONDS}s"
# --- (a) deterministic: S46_CONT_LW, no DHCPv4 --------------------------------
check_cmd "B4 2 configured from S46_CONT_LW" busywait 20000 bound 2
expect_eq "B4 2: 192.0.2.3 psid 3/4 offset 6, local from the bind prefix, remote the BR" \
	"$(dev 2)" "192.0.2.3 3/4 6 $S46_SRC $BR"
check_cmd "B4 2: the softwire source is on its uplink" \
	sh -c "ip -n '$B4_2' -6 addr show dev u0 | grep -q ' $S46_SRC/128'"
check_cmd "lwAFTR binding for B4 2" "$LW4O6" -n "$AFTR" binding add dev lw0 \
	ipv4 192.0.2.3 psid 3/4 offset 6 b4 $S46_SRC
check_cmd "LAN 2 reaches INET through B4 2 and the lwAFTR" busywait 10000 traffic 2

ktap_diag "at ${SECONDS}s"
# --- (b) DHCPv4 over DHCPv6: a reserved port set, a whole address ------------
check_cmd "B4 3 bound by DHCPv4 over DHCPv6" busywait 30000 bound 3
expect_eq "B4 3: 192.0.2.100 psid 3/4 offset 6 (option 159), local kept" \
	"$(dev 3)" "192.0.2.100 3/4 6 2001:db8:1::3 $BR"
check_cmd "lwAFTR binding for B4 3" "$LW4O6" -n "$AFTR" binding add dev lw0 \
	ipv4 192.0.2.100 psid 3/4 offset 6 b4 2001:db8:1::3
check_cmd "LAN 3 reaches INET through B4 3" busywait 10000 traffic 3
check_cmd "B4 4 bound by DHCPv4 over DHCPv6" busywait 30000 bound 4
D4=$(dev 4)
A4=${D4%% *}
ktap_diag "B4 4: $D4"
check_cmd "B4 4: $A4 from Kea's pool" grep -qE '^192\.0\.2\.(1[0-9]|20)$' <<< "$A4"
expect_eq "B4 4: the whole address (no option 159)" "${D4#* }" "0/0 0 2001:db8:1::4 $BR"
check_cmd "Kea holds the lease of B4 4" kea_lease4 "$A4"
check_cmd "lwAFTR binding for B4 4" "$LW4O6" -n "$AFTR" binding add dev lw0 \
	ipv4 "$A4" psid 0/0 b4 2001:db8:1::4
check_cmd "LAN 4 reaches INET through B4 4" busywait 10000 traffic 4
check_cmd "B4 2 sent no DHCPv4 (its log)" sh -c "! grep -q DHCPV4-QUERY '$TMPDIR/b4-2.log'"

ktap_diag "at ${SECONDS}s"
# --- (c) renew at T1, INIT-REBOOT after a crash, RELEASE on stop -------------
check_cmd "B4 3 renews at T1 (10 s)" busywait 20000 b4_log_has 3 "T1: renewing"
check_cmd "B4 3's renewal acknowledged" busywait 10000 \
	sh -c "[ \$(grep -c 'DHCPv4 lease 192.0.2.100 for 20s' '$TMPDIR/b4-3.log') -ge 2 ]"
check_cmd "the RENEW went with the U flag to Kea's address" \
	b4_log_has 3 "DHCPV4-QUERY REQUEST xid [0-9a-f]* to $KEA_IP (U)"
check_cmd "B4 3 kept its lease file" test -s "$TMPDIR/b4-3.lease"
ktap_diag "at ${SECONDS}s"
kill -9 $B4_PID_3
wait $B4_PID_3 2> /dev/null
mv "$TMPDIR/b4-3.log" "$TMPDIR/b4-3-first.log"
pcp_b4_start 3
defer kill $B4_PID_3
check_cmd "restarted B4 3 asks by INIT-REBOOT from its lease file" \
	busywait 20000 b4_log_has 3 "INIT-REBOOT: asking to keep 192.0.2.100"
check_cmd "INIT-REBOOT acknowledged" \
	busywait 20000 b4_log_has 3 "DHCPv4 lease 192.0.2.100 for 20s"
check_cmd "no DISCOVER after the restart" sh -c "! grep -q 'DHCPV4-QUERY DISCOVER' '$TMPDIR/b4-3.log'"
expect_eq "B4 3 still 192.0.2.100 psid 3/4 offset 6" "$(dev 3 | cut -d' ' -f1-3)" "192.0.2.100 3/4 6"
check_cmd "LAN 3 reaches INET after the restart" traffic 3
check_cmd "Kea holds 192.0.2.100 before the stop" kea_lease4 192.0.2.100
ktap_diag "at ${SECONDS}s"
kill $B4_PID_3
wait $B4_PID_3 2> /dev/null
no_lease() { ! kea_lease4 "$1" > /dev/null; }
check_cmd "RELEASE on SIGTERM: Kea has no active lease for 192.0.2.100" \
	busywait 5000 no_lease 192.0.2.100
expect_eq "RELEASE on SIGTERM: B4 3's binding removed" "$(dev 3 | cut -d' ' -f1)" null
check_cmd "RELEASE on SIGTERM: the lease file removed" test ! -e "$TMPDIR/b4-3.lease"
check_cmd "the stop line has the counters" \
	b4_log_has 3 "DHCPv4-over-DHCPv6 client: state idle; sent .* 1 RELEASE"
kill $B4_PID_2
wait $B4_PID_2 2> /dev/null
expect_eq "B4 2 stopped: the S46 binding stays" "$(dev 2 | cut -d' ' -f1-3)" "192.0.2.3 3/4 6"

ktap_diag "at ${SECONDS}s"
# --- (d) control-message failover against Kea --------------------------------
# revalidations: B4 4's re-validations so far; poke: one ping from LAN 4
# (through the lwAFTR, which answers 1/5 while it has no binding for B4 4)
revalidations() { grep -c "ICMPv6 1/5 from $BR about $A4: asking the DHCPv4 servers" "$TMPDIR/b4-4.log"; }
poke_until() {
	ip netns exec "$LAN_4" $PING -c 1 -W 1 198.51.100.1 > /dev/null 2>&1
	[ "$(revalidations)" -ge "$1" ]
}
acks4() { grep -c "DHCPv4 lease $A4 for" "$TMPDIR/b4-4.log"; }
# right after a renewal: T1 (10 s) is not what asks Kea below
N=$(acks4)
check_cmd "B4 4 renews once more first" \
	busywait 15000 sh -c "[ \$(grep -c 'DHCPv4 lease $A4 for' '$TMPDIR/b4-4.log') -gt $N ]"
check_cmd "the lwAFTR forgets B4 4" "$LW4O6" -n "$AFTR" binding del dev lw0 ipv4 "$A4" psid 0/0
check_cmd "B4 4 re-validates on the lwAFTR's 1/5" busywait 8000 poke_until 1
check_cmd "Kea, holding the lease, ACKs it" busywait 10000 b4_log_has 4 "revalidating -> bound"
check_cmd "the re-validation was a REQUEST to Kea with the U flag clear" sh -c \
	"grep -A1 'bound -> revalidating' '$TMPDIR/b4-4.log' | grep -q 'DHCPV4-QUERY REQUEST xid [0-9a-f]* to $KEA_IP\$'"
check_cmd "no NAK" sh -c "! grep -q 'DHCPv4 NAK' '$TMPDIR/b4-4.log'"
expect_eq "B4 4 keeps $A4" "$(dev 4 | cut -d' ' -f1)" "$A4"
# The backup: another pool, no record of B4 4.  B4 4's daemon is stopped
# while Kea is swapped (its T1 renewal must not be what meets the backup
# first); the 1/5 of one ping waits in its event socket meanwhile.
kill -STOP $B4_PID_4
kea_stop
rm -f "$KEA_DIR"/leases4.csv*
check_cmd "a backup Kea: pool 192.0.2.30-192.0.2.40, no leases" \
	kea_start "$AFTR" br0 $KEA_IP v4addr=10.99.0.1/24 valid=20 pool=192.0.2.30-192.0.2.40
ip netns exec "$LAN_4" $PING -c 1 -W 1 198.51.100.1 > /dev/null 2>&1
kill -CONT $B4_PID_4
check_cmd "B4 4 re-validates on that 1/5" busywait 20000 poke_until 2
new4() { local a; a=$(dev 4 | cut -d' ' -f1); [ "$a" != null ] && [ "$a" != "$A4" ]; }
check_cmd "B4 4 bound again, to another address" busywait 60000 new4
check_cmd "the backup Kea kept silent: no NAK, the re-validation ended in DISCOVER" sh -c \
	"! grep -q 'DHCPv4 NAK' '$TMPDIR/b4-4.log' && grep -q 'revalidating -> selecting' '$TMPDIR/b4-4.log'"
ktap_diag "B4 4 and the backup Kea:" \
	"$(grep -E 'ICMPv6 1/5|NAK|moved|revalidating ->|DHCPv4 lease' "$TMPDIR/b4-4.log" | tail -n 8 | tr '\n' '|')"
D4=$(dev 4)
N4=${D4%% *}
ktap_diag "B4 4 after the failover: $D4"
check_cmd "B4 4: $N4 from the backup's pool" grep -qE '^192\.0\.2\.(3[0-9]|40)$' <<< "$N4"
expect_eq "B4 4: the whole address again" "${D4#* }" "0/0 0 2001:db8:1::4 $BR"
check_cmd "the backup Kea holds the lease of B4 4" kea_lease4 "$N4"
check_cmd "B4 4's lease file names it" grep -qx "address $N4" "$TMPDIR/b4-4.lease"
check_cmd "lwAFTR binding for B4 4's new address" "$LW4O6" -n "$AFTR" binding add dev lw0 \
	ipv4 "$N4" psid 0/0 b4 2001:db8:1::4
check_cmd "LAN 4 reaches INET with the new address" busywait 10000 traffic 4
kill $B4_PID_4
wait $B4_PID_4 2> /dev/null
check_cmd "the stop line counts the re-validations" \
	b4_log_has 4 "ICMPv6 1/5 about our address, [2-9] re-validations"

check_cmd "Kea is still running" kill -0 "$KEA4_PID" "$KEA6_PID"
ktap_diag "at ${SECONDS}s"
dhcp_capture_stop
OUT=$(check_dhcp_pcap "$TMPDIR/dhcp.pcap" 2>&1)
RC=$?
ktap_diag "check_dhcp_pcap: $OUT"
expect_eq "tshark: every DHCPv6 packet and every option 87 decodes" "$RC" 0
# (a) in the capture: B4 2 sent an Information-request (11) and no
# DHCPV4-QUERY (20); B4 3 sent DHCPV4-QUERYs.  tcpdump counts (tshark is slow).
count() {
	tcpdump -nn -r "$TMPDIR/dhcp.pcap" \
		"ether src $1 and udp dst port 547 and ip6[48] == $2" 2> /dev/null | wc -l
}
expect_eq "capture: B4 2 sent no DHCPV4-QUERY" "$(count 02:00:00:00:b4:02 20)" 0
check_cmd "capture: B4 2 sent an Information-request" \
	test "$(count 02:00:00:00:b4:02 11)" -ge 1
check_cmd "capture: B4 3 sent DHCPV4-QUERYs (DORA, renew, INIT-REBOOT, RELEASE)" \
	test "$(count 02:00:00:00:b4:03 20)" -ge 5
if [ "$KTAP_FAIL" -gt 0 ]; then
	kea_logs
	for f in "$TMPDIR"/b4-*.log; do
		ktap_diag "--- ${f##*/} (last 30 lines)"
		ktap_diag "$(tail -n 30 "$f")"
	done
fi
ktap_finish
