#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 420
#
# lw4o6d end to end: one lwAFTR and two lwB4s, each B4 with a LAN host,
# provisioned only by PCP inside the softwire (no binding typed by hand).
# Topology: selftests/lib/pcp_topology.sh.
#
#   LAN_2 -- B4_2 (lw4o6d b4) --\                          /-- INET 198.51.100.1
#                                 br0 -- AFTR (lw0, lw4o6d aftr)
#   LAN_3 -- B4_3 (lw4o6d b4) --/
#
# Covers: provisioning (B4 3 by `provision auto`, falling back from
# DHCPv6 to PCP), traffic, ping 192.0.0.1, refresh, the AFTR killed
# and restarted (store and kernel agree, traffic never stops), a B4 killed
# and restarted (GET gives its set back), an epoch reset (B4s re-create),
# a binding deleted by hand (ICMPv6 1/5 -> the B4 asks again), expiry, a
# third B4 using PCP over plain IPv6, SIGHUP, and tshark decoding every PCP
# message sent.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"

require_root
require_cmd jq sqlite3 tshark
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

aftr_topology
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
pcp_b4 2 && pcp_b4 3
# B4 3 tries DHCPv6 first (provision auto); this AFTR serves no DHCP, so
# it falls back to PCP after its Information-requests go unanswered.
cat >> "$TMPDIR/b4-3.conf" <<EOT
provision auto
dhcp4o6-interface u0
lease-file $TMPDIR/b4-3.lease
EOT
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
ip netns exec "$AFTR" tcpdump -U -n -i br0 -w "$TMPDIR/pcp.pcap" \
	"ip6 proto 4 or udp port 5351 or udp port 5350" > "$TMPDIR/tcpdump.log" 2>&1 &
TSHARK=$!
defer kill $TSHARK

pcp_aftr_conf
pcp_aftr_start
check_cmd "lw4o6d aftr started" kill -0 "$AFTR_PID"
defer kill $AFTR_PID
pcp_b4_start 2
pcp_b4_start 3
defer kill $B4_PID_2
defer kill $B4_PID_3

check_cmd "B4 2 provisioned over PCP" busywait 20000 pcp_bound 2
check_cmd "B4 3 (provision auto) provisioned over PCP" busywait 40000 pcp_bound 3
t_bound=$(date +%s)	# both granted by now
check_cmd "after no DHCPv6 answer (its log)" \
	grep -q "provision auto: .*; provisioning by PCP" "$TMPDIR/b4-3.log"
B2=$(pcp_bound 2) B3=$(pcp_bound 3)
ktap_diag "B4 2: $B2, B4 3: $B3"
check_cmd "the two B4s got different sets" test "$B2" != "$B3"
expect_eq "the AFTR's table has both, keyed to their B4s" \
	"$(pcp_table | awk '{print $3}' | sort | tr '\n' ' ')" "2001:db8:1::2 2001:db8:1::3 "
pcp_store_agrees "the store holds what the kernel holds"
check_cmd "the B4 pings 192.0.0.1 through the tunnel" \
	ip netns exec "$B4_2" $PING -c 2 -i 0.2 -W 3 -I 192.0.0.2 192.0.0.1
expect_eq "the AFTR counted them as control traffic" \
	"$("$LW4O6" -n "$AFTR" -j stats show dev lw0 | jq '.["control_ipv4_packets"] >= 2')" true

lan_traffic() {
	ip netns exec "$LAN_2" $ECHO udp 198.51.100.1 7777 > /dev/null &&
	ip netns exec "$LAN_2" $ECHO tcp 198.51.100.1 7777 > /dev/null &&
	ip netns exec "$LAN_3" $ECHO udp 198.51.100.1 7777 > /dev/null &&
	ip netns exec "$LAN_3" $ECHO tcp 198.51.100.1 7777 > /dev/null
}
check_cmd "LAN hosts reach the internet (UDP, TCP) through both B4s" lan_traffic

# Refresh: lifetime 12 s, renewed at 6-7.5 s.  A second past the end of the
# later grant's lifetime (had neither B4 renewed, both bindings would be
# gone by then), all is still there.
left=$((t_bound + 13 - $(date +%s)))
[ "$left" -gt 0 ] && sleep "$left"
check_cmd "refreshed: B4 2 still bound to the same set" test "$(pcp_bound 2)" = "$B2"
check_cmd "refreshed: B4 3 still bound" test "$(pcp_bound 3)" = "$B3"
check_cmd "the B4 renewed (its log)" grep -q "renewed for" "$TMPDIR/b4-2.log"
check_cmd "traffic after the refresh" lan_traffic

# The AFTR daemon killed (-9) and restarted while a LAN host pings.
before=$(pcp_table)
ip netns exec "$LAN_2" $PING -c 40 -i 0.1 -W 2 198.51.100.1 > "$TMPDIR/ping.out" 2>&1 &
PINGER=$!
sleep 0.5
kill -KILL "$AFTR_PID"
wait "$AFTR_PID" 2> /dev/null
sleep 1
pcp_aftr_start
defer kill $AFTR_PID
wait $PINGER
check_cmd "traffic never stopped while the AFTR daemon was down (0% loss)" \
	grep -q " 0% packet loss" "$TMPDIR/ping.out"
check_cmd "restart: reconciled from the store" grep -q "reconciled: 2 mappings stored" "$TMPDIR/aftr.log"
expect_eq "restart: the kernel's table is unchanged" "$(pcp_table)" "$before"
pcp_store_agrees "restart: store and kernel agree"

# A B4 daemon killed and restarted: GET gives it its set back.
kill -KILL "$B4_PID_2"
wait "$B4_PID_2" 2> /dev/null
pcp_b4_start 2
defer kill $B4_PID_2
check_cmd "B4 restart: recovered its mapping by GET" \
	busywait 15000 grep -q "recovered our mapping from the AFTR by GET" "$TMPDIR/b4-2.log"
check_cmd "B4 restart: same set" test "$(pcp_bound 2)" = "$B2"
expect_eq "B4 restart: still one mapping per B4 on the AFTR" "$(pcp_table | wc -l)" 2
check_cmd "traffic after the B4 restart" lan_traffic

# Epoch reset: the AFTR forgets everything; the B4s re-create.  The
# ANNOUNCE round is paced: at 10 a second, one B4 per 100 ms slice.
kill -TERM "$AFTR_PID"
wait "$AFTR_PID" 2> /dev/null
echo "announce-rate 10" >> "$TMPDIR/aftr.conf"
rounds=$(grep -c "sent ANNOUNCE" "$TMPDIR/aftr.log")
pcp_aftr_start --reset-epoch
defer kill $AFTR_PID
check_cmd "epoch reset: the AFTR announced it" busywait 10000 \
	sh -c "[ \$(grep -c 'sent ANNOUNCE' '$TMPDIR/aftr.log') -gt $rounds ]"
ms=$(sed -n 's/.*sent ANNOUNCE (epoch [0-9]*) to 2 B4s in \([0-9]*\) ms.*/\1/p' "$TMPDIR/aftr.log" | tail -n 1)
check_cmd "... to both B4s, paced: the second 100 ms after the first (took ${ms:-?} ms)" \
	test "${ms:-0}" -ge 100
check_cmd "epoch reset: both B4s re-created their mappings" \
	busywait 20000 sh -c "[ \$($LW4O6 -n $AFTR -j binding show dev lw0 | jq length) = 2 ]"
check_cmd "epoch reset: B4 2 saw the AFTR lose its state" grep -q "lost its state" "$TMPDIR/b4-2.log"
pcp_store_agrees "epoch reset: store and kernel agree"
check_cmd "traffic after the epoch reset" busywait 10000 lan_traffic
B2=$(pcp_bound 2)

# A binding deleted by hand on the AFTR: the B4's next packet draws ICMPv6
# 1/5, the B4 reprovisions, and traffic resumes by itself.
v4=${B2% *} psid=${B2#* }
ktap_diag "B4 2 after the reset: $B2"
# B4 2's daemon is stopped meanwhile, so no renewal re-creates the binding
# before the packet: the ICMPv6 1/5 event waits in its socket.
kill -STOP "$B4_PID_2"
check_cmd "operator deletes B4 2's binding" "$LW4O6" -n "$AFTR" binding del dev lw0 ipv4 "$v4" psid "$psid"
check_fail "B4 2's LAN host: no binding, no answer" ip netns exec "$LAN_2" $ECHO udp 198.51.100.1 7777
kill -CONT "$B4_PID_2"
check_cmd "the AFTR daemon forgot that mapping too" \
	grep -q "removed from the kernel by hand, forgotten" "$TMPDIR/aftr.log"
check_cmd "the B4 heard ICMPv6 1/5 and asked again (re-validation)" \
	busywait 10000 grep -q "ICMPv6 1/5 from .* asking the AFTR whether it still holds our mapping" "$TMPDIR/b4-2.log"
check_cmd "traffic resumed by itself" busywait 15000 ip netns exec "$LAN_2" $ECHO udp 198.51.100.1 7777
pcp_store_agrees "store and kernel agree again"

# Expiry: B4 3 stops renewing; its mapping goes at the end of its lifetime.
kill -TERM "$B4_PID_3"
wait "$B4_PID_3" 2> /dev/null
check_cmd "expiry: B4 3's binding removed from the AFTR" \
	busywait 30000 sh -c "! $LW4O6 -n $AFTR -j binding show dev lw0 | grep -q 2001:db8:1::3"
check_cmd "expiry: and from the store" grep -q "mapping expired" "$TMPDIR/aftr.log"
pcp_store_agrees "expiry: store and kernel agree"

# PCP over plain IPv6 to the AFTR's unicast address works too: B4 4.
pcp_b4 4
printf 'transport ipv6\nserver 2001:db8:1::1\n' >> "$TMPDIR/b4-4.conf"
pcp_b4_start 4
defer kill $B4_PID_4
check_cmd "B4 4 provisioned over plain IPv6 PCP" busywait 20000 pcp_bound 4
check_cmd "B4 4's LAN host reaches the internet" \
	busywait 5000 ip netns exec "$LAN_4" $ECHO udp 198.51.100.1 7777
pcp_store_agrees "store and kernel agree with B4 4"

# SIGHUP: a new configuration without a restart.
sed -i 's/^rate-limit .*/rate-limit 20 burst 40/' "$TMPDIR/aftr.conf"
kill -HUP "$AFTR_PID"
check_cmd "SIGHUP: the AFTR daemon reloaded" busywait 5000 grep -q "reloaded:" "$TMPDIR/aftr.log"
printf 'role aftr\npool 10.0.0.0/8 psid-len 4\n' > "$TMPDIR/aftr.conf"
kill -HUP "$AFTR_PID"
check_cmd "SIGHUP with a broken file: refused, nothing changed" \
	busywait 5000 grep -q "has errors; nothing changed" "$TMPDIR/aftr.log"
check_cmd "still serving after the refused reload" kill -0 "$AFTR_PID"

# Every PCP message on the wire decodes in tshark, none malformed.
kill -INT $TSHARK
wait $TSHARK 2> /dev/null
mkdir -p "$TMPDIR/ws"
ts() { WIRESHARK_CONFIG_DIR=$TMPDIR/ws tshark -n -r "$TMPDIR/pcp.pcap" "$@"; }
n=$(ts -Y portcontrol 2> "$TMPDIR/tshark.err" | wc -l)
bad=$(ts -Y "portcontrol && (_ws.malformed || _ws.expert.severity == 8388608)" 2> /dev/null | wc -l)
ktap_diag "tshark: $n PCP messages captured, $bad malformed; $(cat "$TMPDIR/tcpdump.log" "$TMPDIR/tshark.err" | tr '\n' ' ')"
check_cmd "tshark decoded PCP requests and answers inside the softwire" test "$n" -ge 10
expect_eq "tshark: no PCP message malformed" "$bad" 0
check_cmd "the AFTR daemon is still running" kill -0 "$AFTR_PID"
for f in aftr b4-2 b4-3 b4-4; do
	ktap_diag "--- $f.log (last 15 lines)"
	ktap_diag "$(tail -n 15 "$TMPDIR/$f.log")"
done
ktap_finish
