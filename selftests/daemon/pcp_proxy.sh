#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 420
#
# The B4's PCP proxy for its LAN ("proxy 192.168.2.1"): a LAN host asks the
# B4 for explicit forwards with `lw4o6d map`, gets ports of the B4's own set
# (provisioned over PCP by our AFTR), and the internet host reaches the LAN
# host's services through them.  Topology: selftests/lib/pcp_topology.sh, one B4.
#
#   LAN_2 192.168.2.2 --- 192.168.2.1 B4_2 (b0, lw4o6d b4 + proxy)
#   echo serve   8080    table ip lw4o6d_b0: DNAT by map forwards
#                                   |
#                         2001:db8:1::2 --- br0 AFTR (lw0, lw4o6d aftr) --- INET 198.51.100.1
#
# Covers: UDP and TCP forwards (SUCCESS, the B4's IPv4, a port of its set,
# the internet host's echo and the LAN server logging it as peer), renewals
# with the same nonce (same port), another nonce refused (NOT_AUTHORIZED),
# deletion (lifetime 0: the forward and the traffic gone), suggested ports
# inside and outside the set, a client behind a NAT refused with
# ADDRESS_MISMATCH, expiry of a 3 s forward, nftables refusing a change
# (nft's reason in the log, NO_RESOURCES for an add), a second B4 daemon
# with a proxy in the same namespace (its own table ip lw4o6d_b1; stopping
# it leaves b0's table alone), nothing on the daemons' standard output,
# and tshark decoding every PCP message on the LAN.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"

require_root
require_cmd jq tshark tcpdump nft
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
PROXY=192.168.2.1
N_UDP=0102030405060708090a0b0c
N_TCP=a1a2a3a4a5a6a7a8a9aaabac

aftr_topology
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
pcp_b4 2
echo "proxy $PROXY" >> "$TMPDIR/b4-2.conf"
ip netns exec "$LAN_2" $ECHO serve 8080 "$TMPDIR/lan-peers" &
defer kill $!
ip netns exec "$B4_2" tcpdump -U --immediate-mode -n -i lan0 -w "$TMPDIR/proxy.pcap" \
	"udp port 5351 or udp port 5350" > "$TMPDIR/tcpdump.log" 2>&1 &
TCPDUMP=$!
defer kill $TCPDUMP
busywait 10000 grep -q "listening on" "$TMPDIR/tcpdump.log"
# Every change to the B4's nftables, as it happens (for the short-lived forward).
ip netns exec "$B4_2" nft monitor > "$TMPDIR/nft-monitor.log" 2>&1 &
defer kill $!

pcp_aftr_conf
pcp_aftr_start
check_cmd "lw4o6d aftr started" kill -0 "$AFTR_PID"
defer kill $AFTR_PID
# As pcp_b4_start, but its standard output apart from its log: nothing nft
# says may reach it.
ip netns exec "$B4_2" "$LW4O6D" -c "$TMPDIR/b4-2.conf" \
	> "$TMPDIR/b4-2.stdout" 2>> "$TMPDIR/b4-2.log" &
B4_PID_2=$!
defer kill $B4_PID_2
check_cmd "B4 provisioned over PCP" busywait 20000 pcp_bound 2
check_cmd "the proxy listens on $PROXY" \
	busywait 10000 grep -q "proxy: PCP for the LAN on $PROXY" "$TMPDIR/b4-2.log"
# table_has DEVICE: table ip lw4o6d_DEVICE exists, DNATting what comes in on DEVICE.
table_has() {
	ip netns exec "$B4_2" nft list table ip "lw4o6d_$1" | grep -q "iifname \"$1\" dnat ip to"
}
check_cmd "the proxy's table is its device's: ip lw4o6d_b0" table_has b0
check_fail "no table of the old fixed name (ip lw4o6d)" \
	ip netns exec "$B4_2" nft list table ip lw4o6d
dev=$("$LW4O6" -n "$B4_2" -j dev show b0)
V4=$(jq -r '.[0].ipv4' <<< "$dev")
PSID=$(jq -r '.[0].psid' <<< "$dev")
K=$(jq -r '.[0].psid_len' <<< "$dev")
A=$(jq -r '.[0].offset // 0' <<< "$dev")
M=$((16 - A - K))
ktap_diag "B4: $V4 psid $PSID/$K offset $A"

# in_set PORT: is PORT one of the B4's (RFC 7597 5.1)?
in_set() {
	[ "$1" -ge 1 ] && [ "$1" -le 65535 ] || return 1
	[ "$A" = 0 ] || [ "$1" -ge $((1 << (16 - A))) ] || return 1
	[ "$K" = 0 ] || [ $((($1 >> M) & ((1 << K) - 1))) = "$PSID" ]
}

# lan_map ARGS...: `lw4o6d map 192.168.2.1 ARGS` from the LAN host; its
# line in $MAP_OUT, the external address and port in $EXT_IP, $EXT_PORT.
MAPS=0
lan_map() {
	MAPS=$((MAPS + 1))
	MAP_OUT=$(ip netns exec "$LAN_2" "$LW4O6D" map "$PROXY" "$@" 2>&1)
	local rc=$?
	EXT_IP=$(sed -n 's/.* external \([^ ]*\) .*/\1/p' <<< "$MAP_OUT")
	EXT_PORT=$(sed -n 's/.* port \([0-9]*\).*/\1/p' <<< "$MAP_OUT")
	ktap_diag "map $*: $MAP_OUT"
	return $rc
}

# fwd_list: the B4's nft map of forwards.  A listing can fail when the
# daemon changes the map at that moment: try again.
fwd_list() {
	local i
	for i in 1 2 3 4 5; do
		ip netns exec "$B4_2" nft list map ip lw4o6d_b0 forwards && return 0
		sleep 0.2
	done
	return 1
}

# fwd_listed PROTO PORT / fwd_gone PROTO PORT: it holds a forward for that
# external port / it was listed without one.
fwd_listed() {
	fwd_list | grep -q "$1 \. $2 :"
}
fwd_gone() {
	local l
	l=$(fwd_list) && ! grep -q "$1 \. $2 :" <<< "$l"
}

# --- UDP ----------------------------------------------------------------------
lan_map udp 8080 lifetime 60 nonce $N_UDP
check_cmd "UDP MAP: success" grep -q "^result success lifetime 60 " <<< "$MAP_OUT"
expect_eq "UDP MAP: external address is the B4's" "$EXT_IP" "$V4"
check_cmd "UDP MAP: external port $EXT_PORT is in the B4's set" in_set "$EXT_PORT"
U_PORT=$EXT_PORT
check_cmd "UDP MAP: the forward is in nft map ip lw4o6d_b0 forwards" fwd_listed udp "$U_PORT"
check_cmd "INET reaches the LAN's UDP service through $V4:$U_PORT" \
	ip netns exec "$INET" $ECHO udp "$V4" "$U_PORT"
check_cmd "the LAN server saw the internet host (UDP)" \
	grep -q "^udp 198.51.100.1 " "$TMPDIR/lan-peers"

# --- TCP ----------------------------------------------------------------------
# 600 s: it must outlive the whole test, however slow the VM.
lan_map tcp 8080 lifetime 600 nonce $N_TCP
check_cmd "TCP MAP: success" grep -q "^result success lifetime 600 " <<< "$MAP_OUT"
expect_eq "TCP MAP: external address is the B4's" "$EXT_IP" "$V4"
check_cmd "TCP MAP: external port $EXT_PORT is in the B4's set" in_set "$EXT_PORT"
T_PORT=$EXT_PORT
check_cmd "INET reaches the LAN's TCP service through $V4:$T_PORT" \
	ip netns exec "$INET" $ECHO tcp "$V4" "$T_PORT"
check_cmd "the LAN server saw the internet host (TCP)" \
	grep -q "^tcp 198.51.100.1 " "$TMPDIR/lan-peers"

# --- renewal, another nonce, deletion -------------------------------------------
lan_map udp 8080 lifetime 50 nonce $N_UDP
check_cmd "renewal (same nonce): success for 50 s" grep -q "^result success lifetime 50 " <<< "$MAP_OUT"
expect_eq "renewal: the same external port" "$EXT_PORT" "$U_PORT"
expect_eq "renewal: still one UDP forward" \
	"$(fwd_list | grep -o 'udp \. [0-9]*' | sort -u)" "udp . $U_PORT"
lan_map udp 8080 lifetime 60 nonce 00000000000000000000beef
check_cmd "another nonce for the same internal port: NOT_AUTHORIZED" \
	grep -q "^result not-authorized" <<< "$MAP_OUT"
lan_map udp 8080 lifetime 0 nonce $N_UDP
check_cmd "delete (lifetime 0, same nonce): success" grep -q "^result success lifetime 0 " <<< "$MAP_OUT"
check_cmd "delete: the forward left nft map ip lw4o6d_b0 forwards" fwd_gone udp "$U_PORT"
check_cmd "delete: the log says so" grep -q "forward udp $U_PORT -> 192.168.2.2:8080 deleted by its host" "$TMPDIR/b4-2.log"
check_fail "delete: INET's UDP no longer reaches the LAN service" \
	ip netns exec "$INET" $ECHO udp "$V4" "$U_PORT" 40001
check_cmd "delete: the TCP forward is untouched" fwd_listed tcp "$T_PORT"

# --- suggested ports ------------------------------------------------------------
# A port of the set (i = 2 of its ranges when there is an offset) and the same
# place in another PSID's set.
if [ "$A" -gt 0 ]; then base=$((2 << (16 - A))); else base=0; fi
SUG_IN=$((base | (PSID << M) | 77))
SUG_OUT=$((base | ((PSID ^ 1) << M) | 77))
lan_map udp 9000 lifetime 60 suggest "$V4" "$SUG_IN"
check_cmd "suggested port $SUG_IN (in the set): success" grep -q "^result success" <<< "$MAP_OUT"
expect_eq "suggested port in the set: granted as asked" "$EXT_PORT" "$SUG_IN"
if [ "$K" -gt 0 ]; then
	lan_map udp 9001 lifetime 60 suggest "$V4" "$SUG_OUT"
	check_cmd "suggested port $SUG_OUT (outside the set): success" grep -q "^result success" <<< "$MAP_OUT"
	check_cmd "suggested port outside the set: another port, in the set ($EXT_PORT)" \
		sh -c "[ '$EXT_PORT' != '$SUG_OUT' ]" && check_cmd "... and $EXT_PORT is ours" in_set "$EXT_PORT"
	lan_map udp 9002 lifetime 60 suggest "$V4" "$SUG_OUT" prefer-failure
	check_cmd "outside the set with PREFER_FAILURE: CANNOT_PROVIDE_EXTERNAL" \
		grep -q "^result cannot-provide-external" <<< "$MAP_OUT"
fi
lan_map udp 9003 lifetime 60 suggest "$V4" "$SUG_IN"
check_cmd "a suggested port already forwarded: another port of the set" \
	sh -c "[ '$EXT_PORT' != '$SUG_IN' ]"

# --- nftables refusing a change: logged with nft's reason, refused in PCP ---------
N_NFT=0000000000000000000000ab
lan_map udp 7000 lifetime 60 nonce $N_NFT
R_PORT=$EXT_PORT
ip netns exec "$B4_2" nft delete element ip lw4o6d_b0 forwards "{ udp . $R_PORT }"
lan_map udp 7000 lifetime 0 nonce $N_NFT
check_cmd "a forward removed behind the daemon's back: its delete still succeeds" \
	grep -q "^result success lifetime 0 " <<< "$MAP_OUT"
check_cmd "... and nft's refusal is logged with its reason" \
	grep -qF "proxy: nftables: \"delete element ip lw4o6d_b0 forwards { udp . $R_PORT }\": Could not process rule: No such file or directory" \
	"$TMPDIR/b4-2.log"
# A port of the set taken in the map by hand: the daemon's add fails.
for low in 99 98 97 96 95; do
	SUG_NFT=$((base | (PSID << M) | low))
	fwd_list | grep -q "udp \. $SUG_NFT :" || break
done
ip netns exec "$B4_2" nft add element ip lw4o6d_b0 forwards "{ udp . $SUG_NFT : 192.168.2.9 . 1 }"
lan_map udp 7001 lifetime 60 suggest "$V4" "$SUG_NFT" prefer-failure
check_cmd "an add nftables refuses: NO_RESOURCES" grep -q "^result no-resources" <<< "$MAP_OUT"
check_cmd "... logged with nft's reason" \
	grep -qF "proxy: nftables: \"add element ip lw4o6d_b0 forwards { udp . $SUG_NFT : 192.168.2.2 . 7001 }\": Could not process rule: File exists" \
	"$TMPDIR/b4-2.log"
ip netns exec "$B4_2" nft delete element ip lw4o6d_b0 forwards "{ udp . $SUG_NFT }"
lan_map udp 7001 lifetime 0
check_cmd "the daemon still answers" grep -q "^result success" <<< "$MAP_OUT"

# --- a client behind a NAT: its client address is not the source ------------------
ip -n "$LAN_2" addr add 192.168.2.3/24 dev e0
ip netns exec "$LAN_2" nft -f - <<EOT
table ip natted {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		udp dport 5351 snat to 192.168.2.3
	}
}
EOT
lan_map udp 8081 lifetime 60
check_cmd "client address != source (a NAT on the way): ADDRESS_MISMATCH" \
	grep -q "^result address-mismatch" <<< "$MAP_OUT"
ip netns exec "$LAN_2" nft delete table ip natted
no_fwd_to() { local l; l=$(fwd_list) && ! grep -q "192.168.2.[0-9]* \. $1\b" <<< "$l"; }
check_cmd "ADDRESS_MISMATCH: no forward to internal port 8081" no_fwd_to 8081

# --- expiry -----------------------------------------------------------------------
# The TCP forward renewed first.
lan_map tcp 8080 lifetime 600 nonce $N_TCP
check_cmd "TCP renewal (same nonce): success" grep -q "^result success lifetime 600 " <<< "$MAP_OUT"
expect_eq "TCP renewal: the same external port" "$EXT_PORT" "$T_PORT"
t0=$(now_ms)
lan_map udp 8082 lifetime 3
check_cmd "a 3 s forward: success for 3 s" grep -q "^result success lifetime 3 " <<< "$MAP_OUT"
E_PORT=$EXT_PORT
# Listing the map may take the VM longer than 3 s: watch nft monitor instead.
E_ELEM="ip lw4o6d_b0 forwards { udp . $E_PORT : 192.168.2.2 . 8082 }"
check_cmd "the 3 s forward was added to nft map ip lw4o6d_b0 forwards" \
	busywait 10000 grep -qF "add element $E_ELEM" "$TMPDIR/nft-monitor.log"
check_cmd "expiry: the 3 s forward was deleted from the map" \
	busywait 20000 grep -qF "delete element $E_ELEM" "$TMPDIR/nft-monitor.log"
t=$(($(now_ms) - t0))
ktap_diag "the 3 s forward went $t ms after it was asked for"
check_cmd "expiry: not before its lifetime (${t} ms >= 3000)" test "$t" -ge 3000
check_cmd "expiry: nft list map ip lw4o6d_b0 forwards no longer shows it" fwd_gone udp "$E_PORT"
check_cmd "expiry: the log says so" grep -q "forward udp $E_PORT -> 192.168.2.2:8082 expired" "$TMPDIR/b4-2.log"
check_cmd "the TCP forward still works after all that" \
	ip netns exec "$INET" $ECHO tcp "$V4" "$T_PORT"

# --- a second B4 daemon with a proxy in the same namespace ---------------------------
# Its own device b1 (another softwire from B4_2), its own table; stopping it
# must leave b0's alone.
ip -n "$B4_2" addr add 2001:db8:1::12/64 dev u0 nodad
"$LW4O6" -n "$B4_2" dev add b1 mode b4 local 2001:db8:1::12 remote 2001:db8:ff::1
ip -n "$B4_2" link set b1 up
sed -e 's/^device b0$/device b1/' -e 's/^proxy .*/proxy 192.168.2.254/' \
	"$TMPDIR/b4-2.conf" > "$TMPDIR/b4-2b.conf"
ip netns exec "$B4_2" "$LW4O6D" -c "$TMPDIR/b4-2b.conf" \
	> "$TMPDIR/b4-2b.stdout" 2> "$TMPDIR/b4-2b.log" &
B4B_PID=$!
defer kill $B4B_PID
check_cmd "a second B4 daemon (b1, proxy 192.168.2.254) started" \
	busywait 10000 grep -q "proxy: PCP for the LAN on 192.168.2.254" "$TMPDIR/b4-2b.log"
check_cmd "... with its own table, ip lw4o6d_b1" table_has b1
check_cmd "... and b0's table kept its TCP forward" fwd_listed tcp "$T_PORT"
kill -TERM $B4B_PID
wait $B4B_PID
expect_eq "the second daemon stopped cleanly" "$?" 0
check_fail "its table went with it" ip netns exec "$B4_2" nft list table ip lw4o6d_b1
check_cmd "b0's table stayed, with the TCP forward" fwd_listed tcp "$T_PORT"
check_cmd "... which still works" ip netns exec "$INET" $ECHO tcp "$V4" "$T_PORT"

# --- every PCP message on the LAN decodes in tshark, none malformed -----------------
kill -INT $TCPDUMP
wait $TCPDUMP 2> /dev/null
mkdir -p "$TMPDIR/ws"
ts() { WIRESHARK_CONFIG_DIR=$TMPDIR/ws tshark -n -r "$TMPDIR/proxy.pcap" "$@"; }
n=$(ts -Y portcontrol 2> "$TMPDIR/tshark.err" | wc -l)
bad=$(ts -Y "portcontrol && (_ws.malformed || _ws.expert.severity == 8388608)" 2> /dev/null | wc -l)
resp=$(ts -Y "portcontrol.r == 1" 2> /dev/null | wc -l)
ktap_diag "tshark: $n PCP messages, $resp answers, $bad malformed; $(cat "$TMPDIR/tcpdump.log" "$TMPDIR/tshark.err" | tr '\n' ' ')"
check_cmd "tshark decoded the $MAPS requests and the proxy's answers" \
	sh -c "[ $((n - resp)) -ge $MAPS ] && [ $resp -ge $MAPS ]"
expect_eq "tshark: no PCP message malformed" "$bad" 0
check_cmd "the B4 daemon is still running" kill -0 "$B4_PID_2"
expect_eq "nothing on the B4 daemons' standard output (nft's words included)" \
	"$(cat "$TMPDIR/b4-2.stdout" "$TMPDIR/b4-2b.stdout")" ""
ktap_diag "--- b4-2.log (last 20 lines)"
ktap_diag "$(tail -n 20 "$TMPDIR/b4-2.log")"
ktap_finish
