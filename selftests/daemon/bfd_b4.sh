#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 300
#
# The lwB4's BFD (issue #15 items 1, 2, 4) against FRR's bfdd on two stock
# AFTRs: ip6tnl ip4ip6 tunnels with 192.0.0.1/29, bfdd with a peer
# 192.0.0.2 on each (FRR answers only configured peers).  Our B4 (lw4o6d,
# "aftr A1 A2", bfd-interval 300, provision none: a b4 device bound by
# hand, or none) runs its session inside the softwire from 192.0.0.2:49152
# to 192.0.0.1:3784: what moves it is BFD alone.
#
#          +-- AFTR1 (ds0: ip6tnl 2001:db8::a1 <-> ::2, 192.0.0.1/29, bfdd)
#   B4 ----+ (bridge in LINK)
#   b0     +-- AFTR2 (ds0: ip6tnl 2001:db8::a2 <-> ::2, 192.0.0.1/29, bfdd)
#
# Covers: Up with AFTR 1 (bfdd's view and the B4's state file); tshark
# decodes what the B4 sends, TTL 255, from 49152; AFTR 1's tunnel down:
# the B4 sees Down, control detection time expired, and moves to AFTR 2
# (log, remote, event), Up there; hostile packets (TTL 254, wrong
# discriminator, version 2) dropped and counted with no state change;
# AFTR 2's peer shut down in bfdd (AdminDown): the B4 moves back to AFTR
# 1, whose tunnel is back, and is Up there.  `lw4o6 -j monitor` shows
# each of these as bfd-change events with the AFTR as the peer and the
# diagnostic (1, 3, and 7 when the B4 stops).
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/frr.sh"
LW4O6D=$TOP/userspace/lw4o6d/lw4o6d

require_root
require_cmd jq vtysh tshark tcpdump python3
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
[ -x /usr/lib/frr/bfdd ] || ktap_skip_all "FRR's bfdd not installed"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

setup_ns B4 AFTR1 AFTR2 LINK || ktap_skip_all "cannot make namespaces"
frr_dir || ktap_skip_all "mktemp"

ip -n "$LINK" link add br0 type bridge
ip -n "$LINK" link set br0 up
plug() {	# NS ADDR
	ip -n "$LINK" link add "p$2" type veth peer name u0 netns "$1"
	ip -n "$LINK" link set "p$2" master br0 up
	ip -n "$1" addr add "2001:db8::$2/64" dev u0 nodad
	ip -n "$1" link set u0 up
}
plug "$B4" 2
plug "$AFTR1" a1
plug "$AFTR2" a2
for n in 1 2; do
	a=AFTR$n
	ip -n "${!a}" link add ds0 type ip6tnl mode ip4ip6 \
		local "2001:db8::a$n" remote 2001:db8::2
	ip -n "${!a}" addr add 192.0.0.1/29 dev ds0
	ip -n "${!a}" link set ds0 up
	frr_bfd_b4_conf 300 > "$TMPDIR/bfdd-$n.conf"
	check_cmd "AFTR $n: zebra and bfdd" frr_bfd_start "${!a}" "$n" "$TMPDIR/bfdd-$n.conf"
done
"$LW4O6" -n "$B4" dev add b0 mode b4 local 2001:db8::2 remote 2001:db8::a1 ||
	ktap_skip_all "cannot add the b4 device"
ip -n "$B4" link set b0 up
# provision none: nobody answers PCP here, and PCP's own failover (three
# unanswered, ~21 s) would race the BFD moves this test is about
cat > "$TMPDIR/b4.conf" <<EOT
role b4
device b0
provision none
log-level debug
aftr 2001:db8::a1 2001:db8::a2
bfd-interval 300
EOT

peer() { frr_bfd_b4 "$@"; }	# ID FIELD
peer_is() { [ "$(peer "$1" status)" = "$2" ]; }
state() { jq -r ".$1" /run/lw4o6d/bfd-b0.json 2> /dev/null; }
state_is() { [ "$(state state)" = "$1" ]; }
remote() { "$LW4O6" -n "$B4" -j dev show b0 | jq -r '.[0].remote'; }
logged() { grep -qF "$1" "$TMPDIR/b4.log"; }

# tcpdump -U writes each packet as it comes (tshark's dumpcap may still
# hold some when it is stopped); tshark decodes the file afterwards.
ip netns exec "$AFTR1" tcpdump -U -n -i ds0 -w "$TMPDIR/bfd.pcap" \
	udp port 3784 > "$TMPDIR/tcpdump.out" 2>&1 &
TSHARK=$!
defer kill $TSHARK
busywait 10000 grep -q "listening on" "$TMPDIR/tcpdump.out"

"$LW4O6" -n "$B4" -j monitor > "$TMPDIR/events" &
defer kill $!
ip netns exec "$B4" "$LW4O6D" -c "$TMPDIR/b4.conf" > "$TMPDIR/b4.log" 2>&1 &
B4_PID=$!
defer kill $B4_PID

# --- Up with AFTR 1 ---
check_cmd "bfdd on AFTR 1 sees the B4's session up" busywait 20000 peer_is 1 up
check_cmd "the B4's state file says up" busywait 5000 state_is up
check_cmd "the B4 logged it" logged "BFD with the AFTR: up"
check_cmd "lw4o6 monitor: bfd-change peer AFTR 1 -> up, diag none" \
	busywait 5000 bfd_seen 2001:db8::a1 "*" up 0
expect_eq "lw4o6d bfd -j: the same session, up" \
	"$("$LW4O6D" bfd -c "$TMPDIR/b4.conf" -j | jq -r '.state + " " + .remote_state')" "up up"
expect_eq "lw4o6d bfd (text): state up" \
	"$("$LW4O6D" bfd -c "$TMPDIR/b4.conf" | awk '$1 == "state" { print $2 }')" up
expect_eq "bfdd: the B4's intervals (300 ms)" "$(peer 1 'remote-transmit-interval')" 300
expect_eq "state file: bfdd's discriminator as the remote's" \
	"$(state remote_discriminator)" "$(peer 1 id)"
expect_eq "state file: detection 900 ms" "$(state detect_ms)" 900
sleep 1
ours() { [ "$(tshark -n -r "$TMPDIR/bfd.pcap" -Y 'bfd && ip.src == 192.0.0.2' 2> /dev/null | wc -l)" -ge 3 ]; }
busywait 10000 ours
kill -INT $TSHARK; wait $TSHARK 2> /dev/null
tshark -n -r "$TMPDIR/bfd.pcap" -Y 'bfd && ip.src == 192.0.0.2' \
	-T fields -e ip.ttl -e udp.srcport -e udp.dstport -e bfd.version \
	-e _ws.expert > "$TMPDIR/ours.txt" 2> /dev/null
expect_eq "tshark: the B4's packets: TTL 255, 49152 -> 3784, version 1, no expert info" \
	"$(sort -u "$TMPDIR/ours.txt")" "$(printf '255\t49152\t3784\t1\t')"
expect_eq "tshark: nothing malformed" \
	"$(tshark -n -r "$TMPDIR/bfd.pcap" -Y '_ws.malformed' | wc -l)" 0

# --- hostile packets: dropped, counted, the session untouched ---
# Sent from AFTR 1 into its tunnel, as the AFTR (the module lets through
# what comes from the B4's remote to 3784), with a raw IPv4 socket.
hostile() {	# TTL BFD-HEX
	ip netns exec "$AFTR1" python3 - "$1" "$2" <<'EOF'
import socket, struct, sys
ttl, payload = int(sys.argv[1]), bytes.fromhex(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"ds0")
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
s.bind(("192.0.0.1", 49999))
s.sendto(payload, ("192.0.0.2", 3784))
EOF
}
disc=$(printf '%08x' "$(peer 1 id)")
ours=$(printf '%08x' "$(state local_discriminator)")
rx0=$(state packets_in)
hostile 254 "20c00318${disc}${ours}000493e0000493e000000000"
hostile 255 "20c00318${disc}deadbeef000493e0000493e000000000"
hostile 255 "40c00318${disc}${ours}000493e0000493e000000000"
hostile 255 "20c00018${disc}${ours}000493e0000493e000000000"
sleep 1
kill -USR1 $B4_PID
check_cmd "counted: TTL not 255, unknown discriminator, malformed" busywait 5000 \
	grep -q "dropped: 2 malformed, 1 TTL not 255, 0 not from 192.0.0.1, 1 unknown discriminator" "$TMPDIR/b4.log"
expect_eq "the session stayed up" "$(state state)" up

# --- AFTR 1's tunnel down: detection time expired, the B4 moves on ---
ip -n "$AFTR1" link set ds0 down
check_cmd "the B4 saw Down, control detection time expired" busywait 10000 \
	logged "BFD with the AFTR: down, control-detection-time-expired"
check_cmd "and moved to AFTR 2 for it" busywait 5000 \
	logged "AFTR 2001:db8::a1 failed us (BFD: control-detection-time-expired): now using AFTR 2001:db8::a2"
check_cmd "lw4o6 monitor: AFTR 1 up -> down, diag 1 (control detection time expired)" \
	busywait 5000 bfd_seen 2001:db8::a1 up down 1
check_fail "... and no other diagnostic for it" bfd_seen 2001:db8::a1 up down 3
expect_eq "its device's remote is AFTR 2" "$(remote)" 2001:db8::a2
check_cmd "bfdd on AFTR 2 sees it up" busywait 20000 peer_is 2 up
check_cmd "the state file says up again" busywait 5000 state_is up
check_cmd "lw4o6 monitor: AFTR 2 -> up" busywait 5000 bfd_seen 2001:db8::a2 "*" up 0
expect_eq "lw4o6 monitor: dev-change to AFTR 2" \
	"$(jq -sr '[.[] | select(.event == "dev-change")] | last | .remote' "$TMPDIR/events")" \
	2001:db8::a2
expect_eq "no move but BFD's" "$(grep -c 'failed us (' "$TMPDIR/b4.log")" \
	"$(grep -c 'failed us (BFD: ' "$TMPDIR/b4.log")"

# --- AFTR 2 says AdminDown (its peer shut down): back to AFTR 1 ---
ip -n "$AFTR1" link set ds0 up
frr_vtysh 2 "configure terminal" "bfd" \
	"peer 192.0.0.2 local-address 192.0.0.1 interface ds0" "shutdown" > /dev/null
# (FRR 8.4's shutdown says AdminDown with diagnostic 0, not 7)
check_cmd "the B4 heard AdminDown" busywait 10000 \
	logged "BFD with the AFTR: down, neighbor-signaled-down; the AFTR said admin-down"
check_cmd "and moved to AFTR 1 for it" busywait 5000 \
	logged "AFTR 2001:db8::a2 failed us (BFD: the AFTR says admin-down ("
check_cmd "... now using AFTR 1" logged "now using AFTR 2001:db8::a1"
check_cmd "lw4o6 monitor: AFTR 2 up -> down, diag 3 (neighbor signaled session down)" \
	busywait 5000 bfd_seen 2001:db8::a2 up down 3
check_cmd "bfdd on AFTR 1 sees it up again" busywait 20000 peer_is 1 up

# --- the B4 stops: AdminDown to the AFTR ---
kill $B4_PID
wait $B4_PID 2> /dev/null
check_cmd "bfdd on AFTR 1 sees the B4 go down" busywait 5000 peer_is 1 down
expect_eq "... because the B4 said so" "$(peer 1 'remote-diagnostic')" "administratively down"
check_cmd "lw4o6 monitor: AFTR 1 up -> admin-down, diag 7, sent as lw4o6d stopped" \
	busywait 5000 bfd_seen 2001:db8::a1 up admin-down 7
ktap_diag "lw4o6 monitor's bfd-change events:"
jq -c 'select(.event == "bfd-change") | del(.event, .ifindex)' "$TMPDIR/events" |
	while read -r l; do ktap_diag "  $l"; done

ktap_diag "B4 log:"
grep -E "BFD|AFTR" "$TMPDIR/b4.log" | head -40 | while read -r l; do ktap_diag "  $l"; done
ktap_finish
