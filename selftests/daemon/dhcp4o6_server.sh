#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 360
#
# lw4o6d's DHCPv4-over-DHCPv6 port-set server: co-located on an lwAFTR
# ("role aftr", "dhcp4o6 on"), and alone ("role server", no device,
# reached through a relay).  Clients are py/dhcp4o6_client.py.
#
#   CL (clients from 2001:db8:1::2..::9)  --u0--\
#   PC (PCP client 2001:db8:1::20)        --u0---br0 2001:db8:1::1  AFTR
#                                                     lw0 (mode aftr, local 2001:db8:ff::1)
#                                                     lw4o6d role aftr, dhcp4o6 on br0
#                                                     pool 192.0.2.1/32 psid-len 2 (4 sets)
#   RL (a relay: 2001:db8:2::2, sends RELAY-FORW) --r0-- s0 2001:db8:2::1  SRV
#                                                     lw4o6d role server (no device)
#
# Covers: Information-request (88, and 96 from an s46-binding), two B4s get the same IPv4 with different PSIDs by DORA (kernel
# bindings and store rows), renew, a client whose 109 names another address
# gets nothing, PCP and DHCP from one pool get different sets, kill -9 of
# the AFTR daemon + restart loses nothing (a renew after it ACKs), RELEASE
# removes the binding, DECLINE holds the set for decline-hold (not offered
# within it, offered after), expiry removes, SIGUSR1 counters, role server
# answering a RELAY-FORW with RELAY-REPL, and tshark decoding it all.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/dhcp4o6.sh"
LW4O6D=$TOP/userspace/lw4o6d/lw4o6d

require_root
require_cmd jq tshark tcpdump
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

aftr_topology
# The host end of br0 hears ff02::1:2 whatever MLD snooping thinks.
ip -n "$AFTR" link set br0 type bridge mcast_snooping 0
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
setup_ns CL PC RL SRV || ktap_skip_all "cannot create namespaces"
for n in CL PC; do
	ns=${!n}
	ip -n "$AFTR" link add "b$n" type veth peer name u0 netns "$ns"
	ip -n "$AFTR" link set "b$n" master br0 up
	ip -n "$ns" link set u0 up
done
for i in 2 3 4 5 6 7 8 9; do
	ip -n "$CL" addr add 2001:db8:1::$i/64 dev u0 nodad
done
ip -n "$PC" addr add 2001:db8:1::20/64 dev u0 nodad
dhcp_link_wait "$CL" u0
dhcp_capture_start "$AFTR" br0 "$TMPDIR/dhcp.pcap"

cat > "$TMPDIR/aftr.conf" <<EOT
role aftr
device lw0
log-level debug
storage sqlite $TMPDIR/aftr.db
listen 2001:db8:1::1
lifetime min 4 max 300 default 120
quota 1
rate-limit 50 burst 100
subscriber-prefix-len 128
pool 192.0.2.1/32 psid-len 2 offset 6
dhcp4o6 on
dhcp4o6-interface br0
decline-hold 12
s46-br 2001:db8:ff::1
s46-binding 00:03:00:01:02:00:00:00:00:09 192.0.2.200 psid 5/4 offset 6 prefix 2001:db8:9::/64
EOT
check_cmd "lw4o6d --check-config: the aftr's file" "$LW4O6D" --check-config "$TMPDIR/aftr.conf"

aftr_start() {
	ip netns exec "$AFTR" "$LW4O6D" -c "$TMPDIR/aftr.conf" >> "$TMPDIR/aftr.log" 2>&1 &
	AFTR_PID=$!
	busywait 10000 grep -q "aftr on lw0" "$TMPDIR/aftr.log"
}
check_cmd "lw4o6d aftr with dhcp4o6 on started" aftr_start
defer kill $AFTR_PID
check_cmd "the DHCPv4-over-DHCPv6 server listens on br0 and 2001:db8:1::1" \
	grep -q "DHCPv4-over-DHCPv6 server on 1 interfaces and 2001:db8:1::1" "$TMPDIR/aftr.log"

# cl N ARGS...: a client from 2001:db8:1::N, chaddr 02:..:0N; JSON in $OUT, exit in $RC.
cl() {
	local n=$1
	shift
	OUT=$(dhcp4o6_client "$CL" --iface u0 --src 2001:db8:1::$n \
		--mac 02:00:00:00:00:0$n "$@" 2> "$TMPDIR/cl.err")
	RC=$?
	ktap_diag "client $n $*: $OUT (exit $RC) $(cat "$TMPDIR/cl.err")"
}
j() { jq -c "$1" <<< "$OUT"; }
# binding B4: "ipv4 psid/len" of the kernel's binding for B4, or nothing.
binding() {
	"$LW4O6" -n "$AFTR" -j binding show dev lw0 |
		jq -r --arg b "$1" '.[] | select(.b4 == $b) | "\(.ipv4) \(.psid)/\(.psid_len)"'
}
table() {
	"$LW4O6" -n "$AFTR" -j binding show dev lw0 |
		jq -r '.[] | "\(.ipv4) \(.psid)/\(.psid_len) \(.b4)"' | sort
}
# leases PROTO: the store's leases of PROTO as "ipv4 psid/len b4", via lw4o6d leases -j.
leases() {
	"$LW4O6D" leases -c "$TMPDIR/aftr.conf" -j |
		jq -r --arg p "$1" '.[] | select(.protocol == $p) | "\(.ipv4) \(.psid)/\(.psid_len) \(.b4)"' | sort
}
no_binding() { [ -z "$(binding "$1")" ]; }

# --- Information-request: 88, and S46_CONT_LW for the DUID with an s46-binding ----
cl 9 info-request
expect_eq "information-request: option 88 = our listen address" "$RC $(j .servers)" '0 ["2001:db8:1::1"]'
expect_eq "information-request: S46_CONT_LW from s46-br and s46-binding (deterministic)" "$(j .lw)" \
	'{"br":["2001:db8:ff::1"],"ipv4":"192.0.2.200","offset":6,"prefix":"2001:db8:9::/64","psid":5,"psid_len":4}'

# --- two B4s, one address, two port sets ------------------------------------
cl 2 --ports dora
A=$OUT
expect_eq "client 2: DORA gives an ACK for 192.0.2.1" "$RC $(j '[.msg, .yiaddr]')" '0 ["ACK","192.0.2.1"]'
expect_eq "client 2: option 159 (offset 6, psid-len 2), server id 192.0.0.1, lease 120 s" \
	"$(j '[.offset, .psid_len, .server_id, .lease_time, .t1, .t2]')" '[6,2,"192.0.0.1",120,60,105]'
cl 3 --ports dora
B=$OUT
expect_eq "client 3: DORA gives an ACK for the same 192.0.2.1" "$RC $(j '[.msg, .yiaddr]')" '0 ["ACK","192.0.2.1"]'
PA=$(jq .psid <<< "$A") PB=$(jq .psid <<< "$B")
check_cmd "the two B4s got different PSIDs ($PA, $PB)" test "$PA" != "$PB"
expect_eq "kernel: client 2's binding" "$(binding 2001:db8:1::2)" "192.0.2.1 $PA/2"
expect_eq "kernel: client 3's binding" "$(binding 2001:db8:1::3)" "192.0.2.1 $PB/2"
expect_eq "lw4o6d leases -j: both as dhcp4o6 leases, as the kernel has them" \
	"$(leases dhcp4o6)" "$(table)"
check_cmd "lw4o6d leases (text) names the protocol and how the B4 asked" \
	sh -c "'$LW4O6D' leases -c '$TMPDIR/aftr.conf' | grep -q '^dhcp4o6 *dhcp4o6 *2001:db8:1::2 *192.0.2.1 *$PA/2 *6 '"
check_cmd "the exchange is in the debug log" \
	grep -q "DHCPV4-QUERY DISCOVER from 2001:db8:1::2 xid" "$TMPDIR/aftr.log"
check_cmd "the ACK is in the log at info" grep -q "dhcp4o6: ACK 192.0.2.1 psid $PA/2" "$TMPDIR/aftr.log"

# --- renew ---------------------------------------------------------------------
exp0=$("$LW4O6D" leases -c "$TMPDIR/aftr.conf" -j | jq '.[] | select(.b4 == "2001:db8:1::2") | .expires')
sleep 1
cl 2 --ports --server 2001:db8:1::1 --ciaddr 192.0.2.1 renew
expect_eq "client 2: renew (unicast, U flag) ACKs the same set" \
	"$RC $(j '[.msg, .yiaddr, .psid, .flags]')" "0 [\"ACK\",\"192.0.2.1\",$PA,$((0x800000))]"
exp1=$("$LW4O6D" leases -c "$TMPDIR/aftr.conf" -j | jq '.[] | select(.b4 == "2001:db8:1::2") | .expires')
check_cmd "renew: the stored expiry moved on ($exp0 -> $exp1)" test "$exp1" -gt "$exp0"

# --- 109 naming another address ---------------------------------------------------
cl 4 --ports --saddr 2001:db8:1::99 --timeout 1 dora
expect_eq "client 4 naming 2001:db8:1::99 in 109: no answer" "$RC" 2
check_cmd "client 4: no binding for ::99" no_binding 2001:db8:1::99
check_cmd "client 4: no binding for ::4" no_binding 2001:db8:1::4
check_cmd "client 4: the refusal is in the debug log" \
	grep -q "option 109 names 2001:db8:1::99, not the source 2001:db8:1::4" "$TMPDIR/aftr.log"

# --- PCP and DHCP from the same pool ------------------------------------------------
OUT=$(ip netns exec "$PC" "$LW4O6D" map 2001:db8:1::1 all 0 port-set 16384 lifetime 60 2>&1)
RC=$?
ktap_diag "PCP client: $OUT"
expect_eq "PCP client: MAP granted" "$RC" 0
P=$(binding 2001:db8:1::20)
check_cmd "PCP client: a binding ($P)" test -n "$P"
check_cmd "PCP's set is neither DHCP client's" \
	test "$P" != "192.0.2.1 $PA/2" -a "$P" != "192.0.2.1 $PB/2"
expect_eq "lw4o6d leases: the PCP mapping shown as pcp" "$(leases pcp)" "$P 2001:db8:1::20"

# --- kill -9 and restart -------------------------------------------------------------
cl 3 --ports --server 2001:db8:1::1 --ciaddr 192.0.2.1 renew
before_t=$(table) before_l=$(leases dhcp4o6)
kill -KILL "$AFTR_PID"
wait "$AFTR_PID" 2> /dev/null
# an audit row that ended in 1970, past audit-retention (400 days)
sqlite3 "$TMPDIR/aftr.db" "INSERT INTO audit (ipv4, psid, psid_len, \"offset\", b4,
	protocol, internal_port, via, started, ended)
	VALUES (3221225985, 3, 2, 6, zeroblob(16), 0, 0, 2, 1000, 2000)"
check_cmd "restart after kill -9" aftr_start
defer kill $AFTR_PID
check_cmd "restart: the daemon prunes the audit row past audit-retention" \
	busywait 5000 grep -q "audit trail: pruned 1 row that ended more than 400 days ago" "$TMPDIR/aftr.log"
expect_eq "restart: that row is gone, the others stay" \
	"$(sqlite3 "$TMPDIR/aftr.db" "SELECT count(*) FROM audit WHERE ended = 2000;
		SELECT count(*) > 0 FROM audit")" "0
1"
expect_eq "restart: the kernel's bindings unchanged" "$(table)" "$before_t"
expect_eq "restart: the leases unchanged" "$(leases dhcp4o6)" "$before_l"
cl 3 --ports --server 2001:db8:1::1 --ciaddr 192.0.2.1 renew
expect_eq "restart: client 3's renew ACKs its set" "$RC $(j '[.msg, .psid]')" "0 [\"ACK\",$PB]"

# --- DECLINE and its hold ---------------------------------------------------------------
# Taken: client 2's, client 3's and PCP's sets; free: the fourth.
cl 2 --ciaddr 192.0.2.1 --server-id 192.0.0.1 --timeout 1 decline
T_DECLINE=$(date +%s)
expect_eq "client 2: DECLINE gets no answer" "$RC" 0
check_cmd "DECLINE removed client 2's binding" busywait 5000 no_binding 2001:db8:1::2
cl 5 --ports dora
P5=$(j .psid)
check_cmd "another client gets the free set ($P5), not the declined $PA" \
	test "$RC" = 0 -a "$P5" != null -a "$P5" != "$PA"
cl 7 --ports --timeout 1 dora
expect_eq "within decline-hold: the declined set is offered to nobody" "$RC" 2
check_cmd "still within decline-hold (12 s) when that was checked" test $(( $(date +%s) - T_DECLINE )) -lt 12
kill -USR1 $AFTR_PID
check_cmd "the drop counted (SIGUSR1 counters)" \
	busywait 5000 grep -q "DHCPv4-over-DHCPv6 server: .*drops:.* no-set 1" "$TMPDIR/aftr.log"
sleep $(( T_DECLINE + 13 - $(date +%s) > 0 ? T_DECLINE + 13 - $(date +%s) : 0 ))
cl 7 --ports dora
expect_eq "after decline-hold: the declined set is offered again" \
	"$RC $(j '[.msg, .psid]')" "0 [\"ACK\",$PA]"
check_cmd "the hold's end is logged" grep -q "declined set 192.0.2.1 psid $PA/2 back in the pool" "$TMPDIR/aftr.log"

# --- RELEASE ---------------------------------------------------------------------------
cl 3 --server 2001:db8:1::1 --ciaddr 192.0.2.1 --server-id 192.0.0.1 --timeout 1 release
expect_eq "client 3: RELEASE gets no answer" "$RC" 0
check_cmd "RELEASE removed client 3's binding" busywait 5000 no_binding 2001:db8:1::3
expect_eq "RELEASE removed client 3's lease" "$(leases dhcp4o6 | grep -c 2001:db8:1::3)" 0

# --- expiry: an offer never REQUESTed lives lifetime min (4 s) -----------------------
cl 8 --ports --discover-only dora
expect_eq "client 8: OFFER of the set client 3 released" "$RC $(j '[.msg, .psid]')" "0 [\"OFFER\",$PB]"
expect_eq "the offer's binding is installed" "$(binding 2001:db8:1::8)" "192.0.2.1 $PB/2"
check_cmd "expiry removes it (no REQUEST within 4 s)" busywait 15000 no_binding 2001:db8:1::8
expect_eq "expiry: its lease is gone too" "$(leases dhcp4o6 | grep -c 2001:db8:1::8)" 0
check_cmd "expiry: logged" grep -q "mapping expired: 192.0.2.1 psid $PB/2 offset 6 b4 2001:db8:1::8" "$TMPDIR/aftr.log"

# --- the audit trail (lw4o6d audit): who held which set, from when to when -----------
# offset 6, psid-len 2: PSID p's first port is 1 << 10 | p << 8
audit() { "$LW4O6D" audit -c "$TMPDIR/aftr.conf" "$@"; }
expect_eq "audit b4: client 3's lease is one row (renewals, a restart), ended by its RELEASE" \
	"$(audit b4 2001:db8:1::3 -j | jq -c '[.[] | [.ipv4, .psid, .protocol, .until != null]]')" \
	"[[\"192.0.2.1\",$PB,\"dhcp4o6\",true]]"
F3=$(audit b4 2001:db8:1::3 -j | jq -r '.[0].from')
expect_eq "audit 192.0.2.1 port P at client 3's time: client 3" \
	"$(audit 192.0.2.1 port $((1024 + PB * 256)) at "$F3" -j | jq -r '.[].b4')" "2001:db8:1::3"
audit 192.0.2.1 port $((1024 + PB * 256)) at now > /dev/null 2>&1
expect_eq "audit ... at now: nobody (client 8's offer expired), exit 1" "$?" 1
expect_eq "audit ... at now: client 5 holds its set" \
	"$(audit 192.0.2.1 port $((1024 + P5 * 256)) at now -j | jq -r '.[] | "\(.b4) \(.until)"')" \
	"2001:db8:1::5 null"

kill -TERM "$AFTR_PID"
wait "$AFTR_PID" 2> /dev/null
dhcp_capture_stop
check_cmd "the stop line has the counters" \
	grep -q "DHCPv4-over-DHCPv6 server: .*discover [0-9]*, request [0-9]*, decline 1, release 1, .*drops:.* no-set 1" "$TMPDIR/aftr.log"

# --- role server, through a relay ----------------------------------------------------------
veth "$RL" r0 2001:db8:2::2/64 "$SRV" s0 2001:db8:2::1/64
cat > "$TMPDIR/srv.conf" <<EOT
role server
log-level debug
storage sqlite $TMPDIR/srv.db
listen 2001:db8:2::1
relay-peer 2001:db8:2::2
lifetime min 10 max 600 default 300
subscriber-prefix-len 128
pool 192.0.2.16/30 psid-len 4
EOT
OUT=$("$LW4O6D" --check-config "$TMPDIR/srv.conf" 2>&1)
expect_eq "lw4o6d --check-config: the server's file" "$OUT" "$TMPDIR/srv.conf: ok"
ip netns exec "$SRV" "$LW4O6D" -c "$TMPDIR/srv.conf" > "$TMPDIR/srv.log" 2>&1 &
SRV_PID=$!
defer kill $SRV_PID
check_cmd "role server started, no device" \
	busywait 10000 grep -q "server (no device): " "$TMPDIR/srv.log"
check_cmd "its startup line says no device" grep -q "starting: role server, no device" "$TMPDIR/srv.log"
dhcp_capture_start "$SRV" s0 "$TMPDIR/relay.pcap"
OUT=$(dhcp4o6_client "$RL" --iface r0 --src 2001:db8:2::2 --server 2001:db8:2::1 \
	--relay 1 --link 2001:db8:3::1 --peer 2001:db8:3::5 --interface-id b4-port-7 \
	--saddr 2001:db8:3::5 --ports dora 2> "$TMPDIR/cl.err")
RC=$?
ktap_diag "relayed: $OUT $(cat "$TMPDIR/cl.err")"
expect_eq "role server: a relayed DORA gets an ACK (through RELAY-REPL)" "$RC $(j .msg)" '0 "ACK"'
Y=$(jq -r .yiaddr <<< "$OUT")
expect_eq "role server: the lease is the peer's" \
	"$("$LW4O6D" leases -c "$TMPDIR/srv.conf" -j | jq -r '.[] | "\(.protocol) \(.b4) \(.ipv4)"')" \
	"dhcp4o6 2001:db8:3::5 $Y"
OUT=$(dhcp4o6_client "$RL" --iface r0 --src 2001:db8:2::2 --server 2001:db8:2::1 \
	--relay 1 --link 2001:db8:3::1 --peer 2001:db8:3::6 --interface-id b4-port-8 \
	--saddr 2001:db8:3::99 --ports --timeout 1 dora 2> "$TMPDIR/cl.err")
expect_eq "role server: a relayed client naming another address in 109 gets nothing" "$?" 2
check_cmd "role server: RELAY-REPL seen on the wire, INTERFACE_ID echoed" \
	sh -c "tshark -r '$TMPDIR/relay.pcap' -Y 'dhcpv6.msgtype == 13 && dhcpv6.interface_id == \"b4-port-7\"' 2>/dev/null | grep -q ."
kill -TERM "$SRV_PID"
wait "$SRV_PID" 2> /dev/null
dhcp_capture_stop

# --- tshark -------------------------------------------------------------------------------
for f in dhcp relay; do
	OUT=$(check_dhcp_pcap "$TMPDIR/$f.pcap" 2>&1)
	RC=$?
	ktap_diag "check_dhcp_pcap $f: $OUT"
	expect_eq "tshark: every DHCPv6 packet and option 87 of the $f capture decodes" "$RC" 0
done
if [ "$KTAP_FAIL" -gt 0 ]; then
	ktap_diag "$(tail -n 60 "$TMPDIR/aftr.log")"
	ktap_diag "$(tail -n 30 "$TMPDIR/srv.log")"
fi
ktap_finish
