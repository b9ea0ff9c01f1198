#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 180
#
# The design's central deployment: the lwAFTR's lw4o6d relays its B4s'
# DHCPv6 ("relay SERVER") to a central lw4o6d ("role server", the port-set
# server), keeps its kernel table in step from the answers, and after a
# restart rebuilds it from the server by bulk leasequery (RFC 6926, TCP 67
# over IPv6).
#
#   CL                      AFTR (lw0 aftr; lw4o6d relay,               SRV
#   dhcp4o6_client.py       dhcp4o6-interface a0, listen 2001:db8:2::1) lw4o6d role server
#   2001:db8:1::2, ::3                                                  listen 2001:db8:2::2
#   c0 -------------------- a0 2001:db8:1::1/64                         relay-peer 2001:db8:2::1
#                           a1 2001:db8:2::1/64 (and ::9) ------------- s0 pool 192.0.2.16/28 psid-len 4
#
# Covers: a port set installed from the server's ACK (there when the client
# has its answer); RELEASE removes it; kill -9 of the relay, the kernel
# table flushed, a restart: the binding comes back from the server by bulk
# leasequery, and then expires when the server's lease does; the leasequery
# server refuses a connection from an address that is not a relay-peer and
# closes one that sends a malformed frame; tshark decodes what passed.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/dhcp4o6.sh"
LW4O6D=$TOP/userspace/lw4o6d/lw4o6d

require_root
require_cmd tshark tcpdump jq
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

CL_IP=2001:db8:1::2
CL2_IP=2001:db8:1::3
RELAY_IP=2001:db8:2::1
SRV_IP=2001:db8:2::2
LEASE=25

setup_ns CL AFTR SRV || ktap_skip_all "cannot create namespaces"
veth "$CL" c0 $CL_IP/64 "$AFTR" a0 2001:db8:1::1/64
ip -n "$CL" addr add $CL2_IP/64 dev c0 nodad
veth "$AFTR" a1 $RELAY_IP/64 "$SRV" s0 $SRV_IP/64
ip -n "$AFTR" addr add 2001:db8:2::9/64 dev a1 nodad
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
dhcp_link_wait "$CL" c0
dhcp_link_wait "$AFTR" a0
dhcp_capture_start "$AFTR" a1 "$TMPDIR/relay.pcap"

cat > "$TMPDIR/srv.conf" <<EOT
role server
log-level debug
storage sqlite $TMPDIR/srv.db
listen $SRV_IP
relay-peer $RELAY_IP
lifetime min 10 max 600 default $LEASE
subscriber-prefix-len 128
pool 192.0.2.16/28 psid-len 4
EOT
ip netns exec "$SRV" "$LW4O6D" -c "$TMPDIR/srv.conf" > "$TMPDIR/srv.log" 2>&1 &
SRV_PID=$!
defer kill $SRV_PID
check_cmd "the central server runs" busywait 10000 grep -q "server (no device): " "$TMPDIR/srv.log"
check_cmd "it answers bulk leasequery on TCP [$SRV_IP]:67" \
	grep -q "leasequery: bulk leasequery on TCP \[$SRV_IP\]:67 for 1 relay-peers" "$TMPDIR/srv.log"

cat > "$TMPDIR/aftr.conf" <<EOT
role aftr
device lw0
log-level debug
listen $RELAY_IP
dhcp4o6-interface a0
relay $SRV_IP
EOT
relay_start() {
	ip netns exec "$AFTR" "$LW4O6D" -c "$TMPDIR/aftr.conf" >> "$TMPDIR/aftr.log" 2>&1 &
	AFTR_PID=$!
	busywait 10000 sh -c "[ \$(grep -c 'relay on lw0:' '$TMPDIR/aftr.log') -ge $1 ]"
}
check_cmd "the relay runs" relay_start 1
defer kill $AFTR_PID
check_cmd "its bulk leasequery at start: the server answered, nothing to install" \
	grep -q "bulk leasequery to \[$SRV_IP\]:67: 0 leases installed" "$TMPDIR/aftr.log"

table() {
	"$LW4O6" -n "$AFTR" -j binding show dev lw0 |
		jq -r '.[] | "\(.ipv4) \(.psid)/\(.psid_len) \(.b4)"' | sort
}
cl() {
	local name=$1 src=$2
	shift 2
	OUT=$(dhcp4o6_client "$CL" --iface c0 --src "$src" --saddr "$src" --ports "$@" \
		2> "$TMPDIR/cl.err")
	RC=$?
	TABLE=$(table)
	ktap_diag "$name: $OUT (exit $RC) $(cat "$TMPDIR/cl.err")"
}
j() { jq -c "$1" <<< "$OUT"; }
set_of() { jq -r '"\(.yiaddr) \(.psid)/\(.psid_len)"' <<< "$OUT"; }

# --- grants through the relay ------------------------------------------------------
cl dora-1 $CL_IP --mac 02:00:00:00:00:01 dora
S1=$(set_of)
expect_eq "DORA through the relay: ACK with a port set of 4 bits" "$RC $(j '[.msg, .psid_len]')" '0 ["ACK",4]'
check_cmd "binding $S1 $CL_IP there when the client had its ACK" \
	grep -qx "$S1 $CL_IP" <<< "$TABLE"
cl dora-2 $CL2_IP --mac 02:00:00:00:00:02 dora
ACK2=$(date +%s)
S2=$(set_of)
L2=$(jq -r .lease_time <<< "$OUT")
expect_eq "second client: ACK, lease time $LEASE" "$RC $(j .msg) $L2" "0 \"ACK\" $LEASE"
check_cmd "binding $S2 $CL2_IP there when the client had its ACK" \
	grep -qx "$S2 $CL2_IP" <<< "$TABLE"
check_cmd "two different sets" test "$S1" != "$S2"

# --- RELEASE ----------------------------------------------------------------------------
SID=$(jq -r .server_id <<< "$OUT")
cl release $CL_IP --mac 02:00:00:00:00:01 --ciaddr "${S1%% *}" --server-id "$SID" \
	--timeout 1 release
gone1() { ! table | grep -q " $CL_IP\$"; }
check_cmd "RELEASE removed $CL_IP's binding" busywait 5000 gone1
expect_eq "the other binding stays" "$(table)" "$S2 $CL2_IP"

# --- the relay killed, the table flushed, a restart ------------------------------------
kill -9 $AFTR_PID
wait $AFTR_PID 2> /dev/null
check_cmd "kernel table flushed" "$LW4O6" -n "$AFTR" binding flush dev lw0
expect_eq "nothing left in the kernel" "$(table)" ""
check_cmd "the relay restarts" relay_start 2
defer kill $AFTR_PID
check_cmd "its bulk leasequery installed the server's one lease" \
	grep -q "bulk leasequery to \[$SRV_IP\]:67: 1 leases installed" "$TMPDIR/aftr.log"
expect_eq "the binding is back, from the server" "$(table)" "$S2 $CL2_IP"
check_cmd "the server logged the query" \
	grep -q "leasequery: bulk query from $RELAY_IP xid .*: 1 leases" "$TMPDIR/srv.log"

# --- the leasequery server's refusals ------------------------------------------------------
# lq SRC BYTES-HEX: connect from SRC to [SRV]:67, send, print what came back (hex) or "refused".
lq() {
	ip netns exec "$AFTR" $PYTHON - "$1" "$2" "$SRV_IP" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind((sys.argv[1], 0))
s.settimeout(5)
try:
    s.connect((sys.argv[3], 67))
    s.sendall(bytes.fromhex(sys.argv[2]))
    data = s.recv(4096)
    print("closed" if not data else data.hex())
except (ConnectionResetError, BrokenPipeError):
    print("closed")
except socket.timeout:
    print("timeout")
EOF
}
expect_eq "a connection from 2001:db8:2::9 (no relay-peer) is closed unanswered" \
	"$(lq 2001:db8:2::9 0005aaaaaaaaaa)" closed
expect_eq "a malformed frame from the relay-peer closes the connection" \
	"$(lq $RELAY_IP 0005aaaaaaaaaa)" closed

# --- expiry after the restart, when the server's lease ends -----------------------------
now=$(date +%s)
early=$(( ACK2 + LEASE - 3 - now ))
ktap_diag "lease of $S2 ends $(( ACK2 + LEASE - now )) s from now"
[ "$early" -gt 0 ] && sleep "$early"
expect_eq "3 s before the lease's end the binding is still there" "$(table)" "$S2 $CL2_IP"
empty() { [ -z "$(table)" ]; }
check_cmd "expiry after the restart removed it (within 3 s of the lease's end)" \
	busywait 6000 empty
check_cmd "the relay logged the expiry" \
	grep -q "relay: binding $(cut -d' ' -f1 <<< "$S2") .* removed (lease expired)" "$TMPDIR/aftr.log"

kill $AFTR_PID
wait $AFTR_PID 2> /dev/null
check_cmd "relay stop line: learned 1, expired 1" \
	grep -q "relay: bindings installed .* expired 1 learned 1" "$TMPDIR/aftr.log"
kill $SRV_PID
wait $SRV_PID 2> /dev/null
check_cmd "server stop line: 1 refused (not a relay-peer), 1 malformed" \
	grep -q "leasequery: .*(1 refused: not a relay-peer, 0: full), 2 queries, 1 leases sent, 0 unsupported, 1 malformed" "$TMPDIR/srv.log"
dhcp_capture_stop
OUT=$(check_dhcp_pcap "$TMPDIR/relay.pcap" 2>&1)
RC=$?
ktap_diag "check_dhcp_pcap (relay <-> server): $OUT"
expect_eq "tshark: every RELAY-FORW / RELAY-REPL and option 87 decodes" "$RC" 0
if [ "$KTAP_FAIL" -gt 0 ]; then
	while read -r l; do ktap_diag "aftr: $l"; done < "$TMPDIR/aftr.log"
	while read -r l; do ktap_diag "srv: $l"; done < <(tail -n 60 "$TMPDIR/srv.log")
fi
ktap_finish
