#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 300
#
# The lwB4's lw4o6d against forged messages (#11 items 2, 9 and 21): one
# lwAFTR, one lwB4 with a LAN host and the LAN proxy.  Topology:
# selftests/lib/pcp_topology.sh.  The forger (selftests/lib/py/b4_forge.py)
# builds whole IPv6 packets and sends them through a raw socket, from the
# AFTR's namespace with the AFTR's address as source (what an off-path
# host spoofing it sends), or from the B4's namespace with the B4's.
#
#   LAN_2 192.168.2.2 -- 192.168.2.1 B4_2 (b0, lw4o6d b4 + proxy)
#                                     2001:db8:1::2
#                                       |
#                                      br0 -- AFTR (lw0 local 2001:db8:ff::1, lw4o6d aftr)
#                                       |        forger: src 2001:db8:ff::1
#                                               INET 198.51.100.1
#
# Covers:
#  - item 21: while the B4's GET is unanswered (the AFTR daemon stopped), a
#    forged GET answer granting another set: ignored, nothing installed;
#    the B4 then gets its set from the real AFTR.
#  - item 2: 20 forged ICMPv6 1/5 from the AFTR's address, with a valid
#    checksum and a quote of a packet the B4 could have sent: at most one
#    re-validation (a renewal), and the binding, the conntrack entries of
#    the address and the proxy's nft forward all stay.
#  - item 20: 40 PCP requests at once from a LAN host to the proxy
#    ("proxy-rate-limit 1 burst 5"): about 5 answered, the rest dropped.
#  - item 9: the binding is lost at the AFTR (the operator deletes it) and,
#    before the B4 asks again, others send MAP as the B4.  A LAN host (IPv6
#    forwarding on), with the B4's IPv6 address as source: the daemon's
#    guard (table inet lw4o6d_b0, "fib saddr type local drop" on the
#    forward hook) drops it, the AFTR never sees it.  A process on the CPE
#    itself (not forwarded) creates the B4's mapping with its own nonce.  The B4's MAP is refused
#    NOT_AUTHORIZED; it reads the mapping back with GET and adopts it, so it
#    is bound to the AFTR's set within seconds (not after 600 s) and stays
#    bound past its lifetime.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"

require_root
require_cmd jq sqlite3 nft
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
FORGE="$PYTHON $TOP/selftests/lib/py/b4_forge.py"
AFTR6=2001:db8:ff::1 B4_6=2001:db8:1::2
EVIL_NONCE=bad0bad0bad0bad0bad0bad0

aftr_topology
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local $AFTR6
aftr_route
pcp_b4 2
printf 'proxy 192.168.2.1\nproxy-rate-limit 1 burst 5\n' >> "$TMPDIR/b4-2.conf"
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!

pcp_aftr_conf
pcp_aftr_start
check_cmd "lw4o6d aftr started" kill -0 "$AFTR_PID"
defer kill $AFTR_PID

# --- item 21: a forged GET answer at start-up -------------------------------
kill -STOP "$AFTR_PID"
pcp_b4_start 2
defer kill $B4_PID_2
check_cmd "the B4 asked with GET (the AFTR daemon stopped)" \
	busywait 10000 grep -q "mappings it holds for us (GET)" "$TMPDIR/b4-2.log"
ip netns exec "$AFTR" $FORGE get_answer $AFTR6 $B4_6 192.0.2.14 3 4
check_cmd "the forged GET answer reached the daemon and was ignored" \
	busywait 10000 grep -q "ignored a get answer" "$TMPDIR/b4-2.log"
check_fail "nothing installed from it" pcp_bound 2
kill -CONT "$AFTR_PID"
check_cmd "the B4 provisioned by the real AFTR" busywait 20000 pcp_bound 2
B2=$(pcp_bound 2)
ktap_diag "B4 2: $B2"
expect_eq "the B4 holds what the AFTR holds for it" \
	"$B2 $B4_6" "$(pcp_table | grep " $B4_6\$")"
check_cmd "the B4's proxy is up" \
	busywait 10000 grep -q "proxy: PCP for the LAN on 192.168.2.1" "$TMPDIR/b4-2.log"

# --- item 2: forged ICMPv6 1/5 ------------------------------------------------
V4=${B2% *} PSID=${B2#* } PSID=${PSID%/*}
SPORT=$(( (PSID << 12) | 1234 ))	# psid-len 4, offset 0: a port of the set
lan_flows() {
	ip netns exec "$LAN_2" $ECHO udp 198.51.100.1 7777 > /dev/null &&
	ip netns exec "$LAN_2" $ECHO tcp 198.51.100.1 7777 > /dev/null
}
check_cmd "LAN traffic through the B4" busywait 10000 lan_flows
ct_count() {
	ip netns exec "$B4_2" grep -c "src=192.168.2.2 .*dst=$V4 " /proc/net/nf_conntrack
}
CT=$(ct_count)
ktap_diag "conntrack entries of the LAN host through $V4: $CT"
check_cmd "conntrack holds the LAN host's flows" test "$CT" -ge 2
MAP_OUT=$(ip netns exec "$LAN_2" "$LW4O6D" map 192.168.2.1 udp 8080 lifetime 120 2>&1)
ktap_diag "map: $MAP_OUT"
FWD_PORT=$(sed -n 's/.* port \([0-9]*\).*/\1/p' <<< "$MAP_OUT")
fwd_listed() {
	local i
	for i in 1 2 3 4 5; do
		ip netns exec "$B4_2" nft list map ip lw4o6d_b0 forwards > "$TMPDIR/fwd" &&
			break
		sleep 0.2
	done
	grep -q "udp \. $FWD_PORT :" "$TMPDIR/fwd"
}
check_cmd "the LAN host has a forward (port $FWD_PORT)" fwd_listed
reval() { grep -c "ICMPv6 1/5 from $AFTR6 about our data" "$TMPDIR/b4-2.log"; }
R0=$(reval)
ip netns exec "$AFTR" $FORGE icmp15 $AFTR6 $B4_6 "$V4" $SPORT 20
check_cmd "the forged 1/5s reached the daemon: it re-validated" \
	busywait 10000 sh -c "[ \$(grep -c 'ICMPv6 1/5 from $AFTR6 about our data' $TMPDIR/b4-2.log) -gt $R0 ]"
sleep 2
expect_eq "20 forged 1/5s in 1 s: one re-validation" "$(( $(reval) - R0 ))" 1
check_fail "the binding was never dropped" grep -q "binding dropped" "$TMPDIR/b4-2.log"
expect_eq "the binding is the same" "$(pcp_bound 2)" "$B2"
check_cmd "conntrack entries intact" test "$(ct_count)" -ge "$CT"
check_cmd "the proxy's forward intact" fwd_listed
check_fail "no forward dropped" grep -q "dropped: the B4's set changed" "$TMPDIR/b4-2.log"
check_cmd "LAN traffic still flows" lan_flows

# --- item 20: the LAN proxy's rate limit per LAN host (1/s, burst 5) ----------
N=$(ip netns exec "$LAN_2" $FORGE lanflood 192.168.2.2 192.168.2.1 40)
ktap_diag "40 requests at once from one LAN host: $N answered"
check_cmd "at most the burst (5) and a refill or two answered, not 40" \
	test "$N" -ge 4 -a "$N" -le 8
check_cmd "the rest dropped and logged" grep -q "proxy: 192.168.2.2 over its rate limit" "$TMPDIR/b4-2.log"

# --- item 9: the binding lost at the AFTR; others send as the B4 first ------
ip netns exec "$B4_2" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$B4_2" addr add 2001:db8:2::1/64 dev lan0 nodad
ip -n "$LAN_2" addr add 2001:db8:2::2/64 dev e0 nodad
ip -n "$LAN_2" -6 route add default via 2001:db8:2::1
check_cmd "the B4 daemon's guard: table inet lw4o6d_b0" \
	sh -c "ip netns exec $B4_2 nft list table inet lw4o6d_b0 | grep -q 'fib saddr type local counter packets .* drop'"
stored_nonce() {
	sqlite3 "$TMPDIR/aftr.db" \
		"select lower(hex(nonce)) from mappings where hex(b4) = '20010DB8000100000000000000000002'"
}
kill -STOP "$B4_PID_2"
check_cmd "operator deletes B4 2's binding on the AFTR" \
	"$LW4O6" -n "$AFTR" binding del dev lw0 ipv4 "$V4" psid "${B2#* }"
check_cmd "the AFTR daemon forgot the mapping" \
	busywait 10000 grep -q "removed from the kernel by hand, forgotten" "$TMPDIR/aftr.log"
# The CPE's part: a LAN host (IPv6 forwarding on) sends MAP with the B4's
# IPv6 address as source, while the AFTR holds nothing for the B4.
ip netns exec "$LAN_2" $FORGE map $B4_6 $AFTR6 $EVIL_NONCE
check_cmd "the guard dropped the LAN host's packet from the B4's address" \
	busywait 5000 sh -c "[ \"\$(ip netns exec $B4_2 nft list chain inet lw4o6d_b0 guard | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')\" -ge 1 ]"
sleep 2
expect_eq "so it never reached the AFTR: no mapping for the B4" "$(stored_nonce)" ""
# A process on the CPE itself (not forwarded: the guard does not see it).
ip netns exec "$B4_2" $FORGE map $B4_6 $AFTR6 $EVIL_NONCE
check_cmd "the other sender now holds B4 2's mapping with its nonce" \
	busywait 10000 sh -c "[ \"\$(sqlite3 $TMPDIR/aftr.db \"select lower(hex(nonce)) from mappings where hex(b4) = '20010DB8000100000000000000000002'\")\" = $EVIL_NONCE ]"
T0=$(date +%s)
kill -CONT "$B4_PID_2"
check_cmd "the B4 was refused NOT_AUTHORIZED and read its mapping back" \
	busywait 20000 grep -q "not-authorized; reading our mapping back" "$TMPDIR/b4-2.log"
check_cmd "... and adopted it" \
	busywait 10000 sh -c "[ \$(grep -c 'recovered our mapping from the AFTR by GET' $TMPDIR/b4-2.log) -ge 1 ]"
held() {
	local t
	t=$(pcp_table | grep " $B4_6\$") && [ "$(pcp_bound 2) $B4_6" = "$t" ]
}
check_cmd "the B4 is bound to the set the AFTR holds for it" busywait 10000 held
ktap_diag "bound again $(( $(date +%s) - T0 )) s after the B4 resumed: $(pcp_bound 2)"
check_cmd "LAN traffic flows again" busywait 10000 lan_flows
# Past the lifetime (12 s): renewed with the adopted nonce, still bound.
sleep 15
check_cmd "still bound past its lifetime (renewals accepted)" held
expect_eq "the AFTR's mapping keeps the nonce the B4 adopted" "$(stored_nonce)" $EVIL_NONCE
check_cmd "LAN traffic still flows" lan_flows
check_cmd "the B4 daemon is still running" kill -0 "$B4_PID_2"
kill -TERM "$B4_PID_2"
wait "$B4_PID_2" 2> /dev/null
check_fail "stopped: the guard's table is gone" \
	ip netns exec "$B4_2" nft list table inet lw4o6d_b0
check_cmd "stopped: the counts logged" \
	grep -q "PCP client: [1-9][0-9]* answers ignored" "$TMPDIR/b4-2.log"
ktap_diag "--- b4-2.log (last 25 lines)"
ktap_diag "$(tail -n 25 "$TMPDIR/b4-2.log")"
ktap_finish
