#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 150
#
# The lwAFTR's lw4o6d as a DHCPv6 relay ("relay SERVER") in front of Kea 2.2
# (kea-dhcp6 + kea-dhcp4 in 4o6 mode, the subnet chosen by 4o6-interface-id:
# the relay's INTERFACE_ID): the kernel's binding table follows Kea's
# answers.  The AFTR runs no core and no PCP (relay, no pool, no storage).
#
#   CL                     AFTR (lw0 aftr; lw4o6d relay,                SRV
#   dhcp4o6_client.py      dhcp4o6-interface a0, listen 2001:db8:2::1)  kea-dhcp6 [2001:db8:2::2]:547
#   2001:db8:1::2, ::3                                                  kea-dhcp4 4o6, ifid a0,
#   c0 ------------------- a0 2001:db8:1::1/64                          pool .10-.20, MAC :02 reserved
#                          a1 2001:db8:2::1/64 ------------------------ s0 192.0.2.100 port set 6, 3/4
#
# Covers: a whole address and a reserved port set, each installed from
# Kea's ACK (there when the client has its answer); RELEASE removes the
# binding; an option 109 naming another address gets Kea's ACK through but
# installs nothing (counted, logged); what the relay sends decodes in
# tshark; the stop line's counters.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/dhcp4o6.sh"
LW4O6D=$TOP/userspace/lw4o6d/lw4o6d

require_root
require_cmd kea-dhcp4 kea-dhcp6 tshark tcpdump jq
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

CL_IP=2001:db8:1::2
CL2_IP=2001:db8:1::3
RELAY_IP=2001:db8:2::1
SRV_IP=2001:db8:2::2
MAC_WHOLE=02:00:00:00:00:01
MAC_PORTS=02:00:00:00:00:02
MAC_OTHER=02:00:00:00:00:03

setup_ns CL AFTR SRV || ktap_skip_all "cannot create namespaces"
veth "$CL" c0 $CL_IP/64 "$AFTR" a0 2001:db8:1::1/64
ip -n "$CL" addr add $CL2_IP/64 dev c0 nodad
veth "$AFTR" a1 $RELAY_IP/64 "$SRV" s0 $SRV_IP/64
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
dhcp_link_wait "$CL" c0
dhcp_link_wait "$AFTR" a0
check_cmd "Kea (kea-dhcp6 + kea-dhcp4, 4o6-interface-id a0) listens" \
	kea_start "$SRV" s0 $SRV_IP ifid=a0 res4=$MAC_PORTS,192.0.2.100,6,3/4
dhcp_capture_start "$AFTR" a1 "$TMPDIR/relay.pcap"

cat > "$TMPDIR/aftr.conf" <<EOT
role aftr
device lw0
log-level debug
listen $RELAY_IP
dhcp4o6-interface a0
relay $SRV_IP
EOT
ip netns exec "$AFTR" "$LW4O6D" -c "$TMPDIR/aftr.conf" >> "$TMPDIR/aftr.log" 2>&1 &
AFTR_PID=$!
defer kill $AFTR_PID
check_cmd "lw4o6d relays (no core, no PCP)" \
	busywait 10000 grep -q "relay on lw0: 1 interfaces, 1 servers" "$TMPDIR/aftr.log"
check_cmd "its bulk leasequery to Kea (no leasequery) failed and it went on" \
	grep -q "bulk leasequery to \[$SRV_IP\]:67: .*going on" "$TMPDIR/aftr.log"
check_fail "no PCP server on the relay-only aftr" grep -q "aftr on lw0" "$TMPDIR/aftr.log"

# table: the AFTR's bindings, one "ipv4 psid/len b4" a line, sorted.
table() {
	"$LW4O6" -n "$AFTR" -j binding show dev lw0 |
		jq -r '.[] | "\(.ipv4) \(.psid)/\(.psid_len) \(.b4)"' | sort
}
# cl NAME SRC ARGS...: the client from SRC; JSON in $OUT, exit in $RC, and
# the AFTR's table right when the client had its answer in $TABLE.
cl() {
	local name=$1 src=$2
	shift 2
	OUT=$(dhcp4o6_client "$CL" --iface c0 --src "$src" "$@" 2> "$TMPDIR/cl.err")
	RC=$?
	TABLE=$(table)
	ktap_diag "$name: $OUT (exit $RC) $(cat "$TMPDIR/cl.err")"
}
j() { jq -c "$1" <<< "$OUT"; }

# --- a whole address ------------------------------------------------------------
cl dora-whole $CL_IP --mac $MAC_WHOLE --ports dora
A=$(jq -r .yiaddr <<< "$OUT")
expect_eq "DORA through the relay (whole address): ACK" "$RC $(j .msg)" '0 "ACK"'
check_cmd "whole address: $A from Kea's pool" grep -qE '^192\.0\.2\.(1[0-9]|20)$' <<< "$A"
expect_eq "whole address: binding $A 0/0 $CL_IP there when the client had its ACK" \
	"$TABLE" "$A 0/0 $CL_IP"
check_cmd "the relay logged the install" \
	grep -q "relay: binding $A psid 0/0 .* installed (ACK)" "$TMPDIR/aftr.log"

# --- a reserved port set, 109 = the client's source ---------------------------
cl dora-ports $CL_IP --mac $MAC_PORTS --ports --saddr $CL_IP dora
expect_eq "DORA (reserved port set): ACK for 192.0.2.100, 6, 3/4" \
	"$RC $(j '[.msg, .yiaddr, .offset, .psid, .psid_len]')" '0 ["ACK","192.0.2.100",6,3,4]'
check_cmd "port set: binding 192.0.2.100 3/4 $CL_IP there when the client had its ACK" \
	grep -qx "192.0.2.100 3/4 $CL_IP" <<< "$TABLE"
expect_eq "both bindings in the table" "$(table | wc -l)" 2

# --- RELEASE ------------------------------------------------------------------------
cl release $CL_IP --mac $MAC_WHOLE --ciaddr "$A" --server-id 192.0.2.1 --timeout 1 release
expect_eq "release: no answer" "$RC" 0
gone() { ! table | grep -q "^$A "; }
check_cmd "RELEASE removed the binding of $A" busywait 5000 gone
no_lease() { ! kea_lease4 "$1" > /dev/null; }
check_cmd "and Kea got the RELEASE (no active lease for $A)" busywait 5000 no_lease "$A"
expect_eq "the port set's binding stays" "$(table)" "192.0.2.100 3/4 $CL_IP"

# --- option 109 naming another B4 ---------------------------------------------------
cl dora-other $CL2_IP --mac $MAC_OTHER --ports --saddr 2001:db8:1::99 dora
O=$(jq -r .yiaddr <<< "$OUT")
expect_eq "109 naming another address: Kea's ACK still reaches the client" "$RC $(j .msg)" '0 "ACK"'
check_fail "... but no binding for $O" grep -q "^$O " <<< "$TABLE"
check_fail "... nor for 2001:db8:1::99" grep -q "2001:db8:1::99" <<< "$(table)"
check_cmd "... logged" grep -q "option 109 names 2001:db8:1::99: no binding" "$TMPDIR/aftr.log"

# --- garbage from a client: dropped, the relay lives ---------------------------
OUT=$(dhcp4o6_client "$CL" --iface c0 --src $CL_IP --timeout 1 --mac 02:00:00:00:00:05 \
	raw opt87-garbage v6-trunc-opt 2>&1)
ktap_diag "raw: $OUT"
check_cmd "garbage: no answer" test "$(grep -c silent <<< "$OUT")" -eq 2

check_cmd "lw4o6d still runs" kill -0 $AFTR_PID
kill $AFTR_PID
wait $AFTR_PID 2> /dev/null
check_cmd "stop line: installed 2, released 1" \
	grep -q "relay: bindings installed 2 renewed 0 replaced 0 moved 0 released 1" "$TMPDIR/aftr.log"
check_cmd "stop line: saddr-mismatch 1, malformed counted" \
	grep -qE "relay: drops: malformed-dhcpv6 [1-9].*malformed-dhcpv4 [1-9].*saddr-mismatch 1," "$TMPDIR/aftr.log"
expect_eq "stopping leaves the bindings installed" "$(table)" "192.0.2.100 3/4 $CL_IP"
kea_stop
dhcp_capture_stop
OUT=$(check_dhcp_pcap "$TMPDIR/relay.pcap" 2>&1)
RC=$?
ktap_diag "check_dhcp_pcap (relay <-> Kea): $OUT"
expect_eq "tshark: every RELAY-FORW / RELAY-REPL and option 87 decodes" "$RC" 0
if [ "$KTAP_FAIL" -gt 0 ]; then
	kea_logs
	while read -r l; do ktap_diag "aftr: $l"; done < "$TMPDIR/aftr.log"
fi
ktap_finish
