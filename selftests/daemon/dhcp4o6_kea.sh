#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 120
#
# The DHCPv4-over-DHCPv6 test tools (lib/dhcp4o6.sh, py/dhcp4o6_client.py,
# py/dhcp4o6_decode.py) against the reference peer, Kea 2.2: kea-dhcp6 and
# kea-dhcp4 in 4o6 mode in one namespace, our client in another.  This
# checks the tools the other DHCP tests use, not lw4o6d.
#
#   CL                                  SRV
#   dhcp4o6_client.py                   kea-dhcp6 on [2001:db8:1::1]:547,
#   from [2001:db8:1::2]:546            option 88 = 2001:db8:1::1, S46_CONT_LW
#                                       for one DUID; kea-dhcp4 (4o6, subnet
#                                       192.0.2.0/24 by 4o6-interface s0,
#                                       pool .10-.20, MAC :02 reserved
#                                       192.0.2.100 with port set 6, 3/4)
#   c0 2001:db8:1::2/64 --v-- s0 2001:db8:1::1/64, 192.0.2.1/24
#
# Covers: information-request (88, and 96 for the reserved DUID only), DORA
# to ff02::1:2 for a whole address, DORA for a reserved port set (option 159
# only when asked in 55), renew (unicast, U flag: Kea copies the flags back),
# rebind, init-reboot, release (Kea's lease file loses the lease), a decline
# and a raw DISCOVER, and tshark decoding every packet, option 87 included.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/dhcp4o6.sh"

require_root
require_cmd kea-dhcp4 kea-dhcp6 tshark tcpdump jq ss
SRV_IP=2001:db8:1::1
CL_IP=2001:db8:1::2
MAC_WHOLE=02:00:00:00:00:01
MAC_PORTS=02:00:00:00:00:02
MAC_LW=02:00:00:00:00:03
DUID_LW=00:03:00:01:$MAC_LW

setup_ns SRV CL || ktap_skip_all "cannot create namespaces"
veth "$SRV" s0 $SRV_IP/64 "$CL" c0 $CL_IP/64
dhcp_link_wait "$CL" c0
dhcp_capture_start "$CL" c0 "$TMPDIR/dhcp.pcap"
check_cmd "Kea (kea-dhcp6 + kea-dhcp4, 4o6) listens" \
	kea_start "$SRV" s0 $SRV_IP res4=$MAC_PORTS,192.0.2.100,6,3/4 \
	lwres=$DUID_LW,2001:db8:ff::1,192.0.2.3,2001:db8:1:cafe::/64,6,3/4

# cl NAME ARGS...: the client from CL's address; JSON in $OUT, exit in $RC.
cl() {
	local name=$1
	shift
	OUT=$(dhcp4o6_client "$CL" --iface c0 --src $CL_IP "$@" 2> "$TMPDIR/cl.err")
	RC=$?
	ktap_diag "$name: $OUT (exit $RC) $(cat "$TMPDIR/cl.err")"
}
j() { jq -c "$1" <<< "$OUT"; }

# --- information-request ------------------------------------------------------
cl info-lw --mac $MAC_LW info-request
expect_eq "info-request: reply" "$RC" 0
expect_eq "info-request: option 88 = Kea's address" "$(j .servers)" "[\"$SRV_IP\"]"
expect_eq "info-request: S46_CONT_LW for the reserved DUID" "$(j .lw)" \
	'{"br":["2001:db8:ff::1"],"ipv4":"192.0.2.3","offset":6,"prefix":"2001:db8:1:cafe::/64","psid":3,"psid_len":4}'
cl info-other --mac $MAC_WHOLE info-request
expect_eq "info-request from another DUID: option 88, no S46_CONT_LW" \
	"$RC $(j '[.servers, .lw]')" "0 [[\"$SRV_IP\"],null]"

# --- DORA: a whole address ------------------------------------------------------
cl dora-whole --mac $MAC_WHOLE --ports dora
A=$(jq -r .yiaddr <<< "$OUT")
expect_eq "DORA (whole address): ACK" "$RC $(j .msg)" '0 "ACK"'
check_cmd "DORA (whole address): $A from the pool" \
	grep -qE '^192\.0\.2\.(1[0-9]|20)$' <<< "$A"
expect_eq "DORA (whole address): no option 159, server id, lease time" \
	"$(j '[.psid, .server_id, .lease_time, .server]')" "[null,\"192.0.2.1\",120,\"$SRV_IP\"]"
l=$(kea_lease4 "$A")
expect_eq "Kea's lease file: $A for $MAC_WHOLE" "$(cut -d' ' -f2 <<< "$l")" $MAC_WHOLE

# --- DORA: a reserved port set ----------------------------------------------------
cl dora-ports --mac $MAC_PORTS --ports --saddr 2001:db8:1:cafe::2 dora
expect_eq "DORA (reserved port set): ACK for 192.0.2.100, offset 6, PSID 3/4" \
	"$RC $(j '[.msg, .yiaddr, .offset, .psid, .psid_len]')" '0 ["ACK","192.0.2.100",6,3,4]'
cl dora-ports-no55 --mac $MAC_PORTS dora
expect_eq "DORA without 159 in option 55: no port set" \
	"$RC $(j '[.msg, .yiaddr, .psid]')" '0 ["ACK","192.0.2.100",null]'

# --- renew, rebind, init-reboot -----------------------------------------------------
cl renew --mac $MAC_WHOLE --server $SRV_IP --ciaddr "$A" renew
expect_eq "renew (unicast): ACK for $A" "$RC $(j '[.msg, .yiaddr]')" "0 [\"ACK\",\"$A\"]"
expect_eq "renew: the U flag was sent (Kea copies the flags)" "$(j .flags)" $((0x800000))
cl rebind --mac $MAC_WHOLE --ciaddr "$A" rebind
expect_eq "rebind (multicast): ACK for $A, no U flag" \
	"$RC $(j '[.msg, .yiaddr, .flags]')" "0 [\"ACK\",\"$A\",0]"
cl init-reboot --mac $MAC_WHOLE --ciaddr "$A" init-reboot
expect_eq "init-reboot: ACK for $A" "$RC $(j '[.msg, .yiaddr]')" "0 [\"ACK\",\"$A\"]"

# --- release and decline ---------------------------------------------------------------
cl release --mac $MAC_WHOLE --server $SRV_IP --ciaddr "$A" --server-id 192.0.2.1 --timeout 1 release
expect_eq "release: no answer" "$RC" 0
no_lease() { ! kea_lease4 "$1" > /dev/null; }
check_cmd "release: Kea's lease file has no active lease for $A" busywait 5000 no_lease "$A"
cl decline-dora --mac 02:00:00:00:00:04 dora
D=$(jq -r .yiaddr <<< "$OUT")
cl decline --mac 02:00:00:00:00:04 --ciaddr "$D" --server-id 192.0.2.1 --timeout 1 decline
expect_eq "decline: no answer" "$RC" 0
check_cmd "decline: Kea holds $D as declined (state 1)" \
	busywait 5000 sh -c "grep -q '^$D,.*,1,' '$KEA_DIR/leases4.csv'"

# --- raw mode ---------------------------------------------------------------------------
OUT=$(dhcp4o6_client "$CL" --iface c0 --src $CL_IP --timeout 1 --mac 02:00:00:00:00:05 \
	raw discover opt87-garbage 2>&1)
ktap_diag "raw: $OUT"
check_cmd "raw: a DISCOVER gets an OFFER" grep -q "^discover reply type=21 v4=OFFER" <<< "$OUT"
check_cmd "raw: option 87 of garbage gets no answer" grep -qx "opt87-garbage silent" <<< "$OUT"

check_cmd "Kea is still running" kill -0 "$KEA4_PID" "$KEA6_PID"
kea_stop
dhcp_capture_stop
# All but the garbage case (its option 87: 00 57 01 2c, 300 bytes).
OUT=$(check_dhcp_pcap "$TMPDIR/dhcp.pcap" "!(udp.payload contains 00:57:01:2c)" 2>&1)
RC=$?
ktap_diag "check_dhcp_pcap: $OUT"
expect_eq "tshark: every DHCPv6 packet and every option 87 decodes" "$RC" 0
check_cmd "tshark: 12 or more DHCPV4-QUERY and DHCPV4-RESPONSE seen" \
	test "$(sed -n 's/.*with-87 \([0-9]*\).*/\1/p' <<< "$OUT")" -ge 12
OUT=$(check_dhcp_pcap "$TMPDIR/dhcp.pcap" 2>&1)
RC=$?
ktap_diag "check_dhcp_pcap with the garbage: $OUT"
expect_eq "check_dhcp_pcap fails on the garbage option 87" "$RC" 1
[ "$KTAP_FAIL" -gt 0 ] && kea_logs
ktap_finish
