#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 420
#
# Our lwAFTR's BFD responder (issue #15 item 3) against an independent
# peer: FRR's bfdd on a stock lwB4 (ip6tnl ip4ip6, 192.0.0.2/29 on the
# tunnel), peer 192.0.0.1 local-address 192.0.0.2, 300 ms intervals.
# Topology: lib/aftr_topology.sh, with lw4o6d (aftr, "anycast" on a dummy
# so that `lw4o6d drain` works) on AFTR and a namespace X on the same
# bridge that forges packets (lib/py/bfd_craft.py).
#
#   B4 (ip6tnl t0, bfdd) 2001:db8:1::2 --+-- br0 AFTR (lw0 ff::1, lw4o6d) -- INET
#   X  (forger)          2001:db8:1::3 --+
#
# Covers: the session Up on both sides; tshark decodes every packet we
# sent without error, inner TTL 255, DF, 49152 -> 3784; hostile and
# malformed BFD (TTL 254, version 2, Length past the datagram, a short
# datagram, multiplier 0, another B4's discriminator from another
# source, a new session at TTL 254) dropped and counted, and nothing
# changes; drain -> bfdd sees Down, remote diagnostic administratively
# down, and Up again after drain off; SIGTERM -> the same before lw4o6d
# goes; kill -9 -> bfdd's own detection time expires; "bfd off" -> no
# answers, the packets counted.  `lw4o6d bfd` shows the session of the
# running daemon (text and -j), and after stop the sessions as it stopped.
# `lw4o6 -j monitor` shows the session's changes (Up, AdminDown with
# diagnostic 7 on drain and on stop) and nothing for the hostile packets.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"
source "$(dirname "$0")/../lib/frr.sh"

require_root
require_cmd jq tshark tcpdump vtysh
if [ ! -x /usr/lib/frr/zebra ] || [ ! -x /usr/lib/frr/bfdd ]; then
	ktap_skip_all "FRR (bfdd) not installed"
fi
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

CRAFT=$TOP/selftests/lib/py/bfd_craft.py
B4_6=2001:db8:1::2
X_6=2001:db8:1::3

aftr_topology || ktap_skip_all "cannot build the topology"
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
# the anycast's checks want a default route and a dummy to put it on
ip -n "$AFTR" route add default via 198.51.100.1
ip -n "$AFTR" link add any0 type dummy
ip -n "$AFTR" link set any0 up

setup_ns B4 X || ktap_skip_all "cannot create namespaces"
ip -n "$AFTR" link add b2 type veth peer name u0 netns "$B4"
ip -n "$AFTR" link set b2 master br0 up
ip -n "$B4" addr add $B4_6/64 dev u0 nodad
ip -n "$B4" link set u0 up
ip -n "$B4" route add 2001:db8:ff::1 via 2001:db8:1::1
ip -n "$B4" -6 tunnel add t0 mode ip4ip6 local $B4_6 remote 2001:db8:ff::1
ip -n "$B4" link set t0 up
ip -n "$B4" addr add 192.0.0.2/29 dev t0
ip -n "$AFTR" link add b3 type veth peer name u0 netns "$X"
ip -n "$AFTR" link set b3 master br0 up
ip -n "$X" addr add $X_6/64 dev u0 nodad
ip -n "$X" link set u0 up
ip -n "$X" route add 2001:db8:ff::1 via 2001:db8:1::1

pcp_aftr_conf "bfd-interval 300
bfd-multiplier 3
bfd-state-file $TMPDIR/bfd.state
anycast 2001:db8:ff::100 dev any0 hold-down 1 drain-file $TMPDIR/drain"

frr_dir || ktap_skip_all "mktemp"

ip netns exec "$AFTR" tcpdump -U --immediate-mode -n -i br0 -w "$TMPDIR/bfd.pcap" \
	"ip6 proto 4" > "$TMPDIR/tcpdump.log" 2>&1 &
TCPDUMP=$!
defer kill $TCPDUMP
busywait 10000 grep -q "listening on" "$TMPDIR/tcpdump.log"

# lw4o6d tells the module of every session change; lw4o6 monitor shows them
"$LW4O6" -n "$AFTR" -j monitor > "$TMPDIR/events" &
defer kill $!
# bfd_seen OLD NEW DIAG: lw4o6 monitor showed the B4's session change so
# (OLD "*": any); bfd_count OLD NEW DIAG: how many times
bfd_count() {
	jq -c --arg p "$B4_6" --arg o "$1" --arg n "$2" --argjson d "$3" \
		'select(.event == "bfd-change" and .dev == "lw0" and .peer == $p and
			.state == $n and ($o == "*" or .old_state == $o) and
			.diag_code == $d)' "$TMPDIR/events" 2> /dev/null | wc -l
}
bfd_seen() { [ "$(bfd_count "$@")" -ge 1 ]; }

# aftr_start: lw4o6d as the AFTR, its log fresh (the last run's kept in aftr-old.log)
aftr_start() {
	[ -f "$TMPDIR/aftr.log" ] && cat "$TMPDIR/aftr.log" >> "$TMPDIR/aftr-old.log"
	: > "$TMPDIR/aftr.log"
	pcp_aftr_start
	defer kill -9 "$AFTR_PID"
	busywait 10000 grep -q "BFD responder" "$TMPDIR/aftr.log"
}
check_cmd "lw4o6d (aftr) started" aftr_start

check_cmd "bfdd on the stock B4" frr_bfd_start "$B4" 2 <<EOT
bfd
 peer 192.0.0.1 local-address 192.0.0.2 interface t0
  transmit-interval 300
  receive-interval 300
  detect-multiplier 3
 !
!
EOT

# peer FIELD: bfdd's view of its one peer
peer() { frr_vtysh 2 "show bfd peers json" | jq -r ".[0][\"$1\"]"; }
peer_is() { [ "$(peer status)" = "$1" ]; }

# aftr_counters: lw4o6d's responder counters (SIGUSR1), the newest line
n_counters() { grep -c "BFD responder:" "$TMPDIR/aftr.log"; }
more_counters() { [ "$(n_counters)" -gt "$1" ]; }
aftr_counters() {
	local n
	n=$(n_counters)
	kill -USR1 "$AFTR_PID" || return 1
	busywait 5000 more_counters "$n" || return 1
	grep "BFD responder:" "$TMPDIR/aftr.log" | tail -n 1
}
# num LINE REGEX: the number the extended REGEX's one group catches
num() { sed -En "s/.*$2.*/\1/p" <<< "$1"; }

# --- Up ---------------------------------------------------------------------
if busywait 30000 peer_is up; then
	ktap_ok "bfdd's session with 192.0.0.1 comes Up"
else
	ktap_fail "bfdd's session with 192.0.0.1 comes Up"
	ktap_diag "$(frr_vtysh 2 'show bfd peers' 2>&1)"
	ktap_diag "lw0: $("$LW4O6" -n "$AFTR" -j stats show dev lw0 | jq -c 'with_entries(select(.value != 0))')"
	ktap_diag "bfdd: $(tail -n 20 "$FRR_DIR/2/bfdd.log" 2>&1)"
	ktap_diag "$(tshark -r "$TMPDIR/bfd.pcap" -c 10 2>&1)"
fi
check_cmd "lw4o6d's session for the B4 is Up (its log)" \
	busywait 5000 grep -q "BFD $B4_6: init -> up" "$TMPDIR/aftr.log"
check_cmd "lw4o6 monitor: bfd-change dev lw0 peer the B4 init -> up, diag none" \
	busywait 5000 bfd_seen init up 0
expect_eq "bfdd hears our 300 ms intervals" \
	"$(peer remote-receive-interval) $(peer remote-transmit-interval) $(peer remote-detect-multiplier)" \
	"300 300 3"
sleep 3
check_cmd "still Up 3 s later (300 ms x 3 detection)" peer_is up
DISC=$(peer remote-id)
ktap_diag "lw4o6d's discriminator: $DISC"

# lw4o6d bfd: the running daemon's sessions, asked for by SIGUSR1
bfd_cmd() { "$LW4O6D" bfd -c "$TMPDIR/aftr.conf" "$@"; }
J=$(bfd_cmd -j)
expect_eq "lw4o6d bfd -j: exit 0" "$?" 0
expect_eq "lw4o6d bfd -j: the B4, up both ways, our discriminator, 300 ms, detection 900 ms" \
	"$(jq -r '.running, (.sessions | length), (.sessions[0] | .b4, .state, .remote_state, .diagnostic, .local_discriminator, .desired_min_tx_us, .required_min_rx_us, .detect_ms)' <<< "$J" | tr '\n' ' ')" \
	"true 1 $B4_6 up up none $DISC 300000 300000 900 "
b4_line_up() { bfd_cmd | grep -Eq "^$B4_6 +up +none +up "; }
check_cmd "lw4o6d bfd: a line for the B4, up" b4_line_up

kill $TCPDUMP
wait $TCPDUMP 2> /dev/null
OURS="ip.src == 192.0.0.1 && bfd"
tshark -r "$TMPDIR/bfd.pcap" -Y "$OURS" -T fields -e ip.ttl -e ip.flags.df \
	-e udp.srcport -e udp.dstport -e bfd.version -e bfd.message_length \
	-e bfd.my_discriminator 2> /dev/null | sort | uniq -c > "$TMPDIR/ours.txt"
ktap_diag "ours: $(tr '\n\t' '; ' < "$TMPDIR/ours.txt")"
n=$(tshark -r "$TMPDIR/bfd.pcap" -Y "$OURS" 2> /dev/null | wc -l)
check_cmd "tshark decodes our BFD inside the softwire ($n packets)" test "$n" -ge 5
expect_eq "every one: TTL 255, DF, 49152 -> 3784, version 1, length 24, our discriminator" \
	"$(awk '{print $2, $3, $4, $5, $6, $7, $8}' "$TMPDIR/ours.txt" | sort -u)" \
	"255 1 49152 3784 1 24 $(printf '0x%08x' "$DISC")"
expect_eq "none malformed or in error (tshark's expert)" \
	"$(tshark -r "$TMPDIR/bfd.pcap" -Y "($OURS) && (_ws.malformed || _ws.expert.severity >= error)" 2> /dev/null | wc -l)" 0

# --- hostile and malformed ------------------------------------------------------
C0=$(aftr_counters)
ktap_diag "$C0"
ups=$(grep -c "BFD $B4_6: .* -> up" "$TMPDIR/aftr.log")
expect_eq "lw4o6d logged one Up so far" "$ups" 1
# forge SRC6 KEY=VALUE...: one packet from X, its outer source SRC6
forge() {
	local src=$1
	shift
	ip netns exec "$X" "$PYTHON" "$CRAFT" "$src" 2001:db8:ff::1 "$@" || ktap_diag "craft $src $* failed"
}
# as the B4 (its address forged), naming its session, each spoiled one way
forge $B4_6 state=admindown diag=7 your="$DISC" ttl=254
forge $B4_6 state=admindown diag=7 your="$DISC" version=2
forge $B4_6 state=admindown diag=7 your="$DISC" len=40
forge $B4_6 state=admindown diag=7 your="$DISC" cut=4 len=20
forge $B4_6 state=admindown diag=7 your="$DISC" mult=0
# another B4, with the first one's discriminator
forge $X_6 state=admindown diag=7 your="$DISC"
# a new session at the wrong TTL
forge $X_6 state=down my=77 ttl=64
sleep 2
C1=$(aftr_counters)
ktap_diag "$C1"
expect_eq "TTL 254 and 64 dropped: 'TTL not 255' +2" \
	$(( $(num "$C1" ' ([0-9]+) TTL not 255') - $(num "$C0" ' ([0-9]+) TTL not 255') )) 2
expect_eq "version 2 dropped" \
	$(( $(num "$C1" 'version ([0-9]+)') - $(num "$C0" 'version ([0-9]+)') )) 1
expect_eq "Length past the datagram and a short datagram dropped" \
	$(( $(num "$C1" '\(length ([0-9]+)') - $(num "$C0" '\(length ([0-9]+)') )) 2
expect_eq "multiplier 0 dropped" \
	$(( $(num "$C1" 'multiplier ([0-9]+)') - $(num "$C0" 'multiplier ([0-9]+)') )) 1
expect_eq "another B4's discriminator from $X_6 dropped" \
	$(( $(num "$C1" " ([0-9]+) another B4's") - $(num "$C0" " ([0-9]+) another B4's") )) 1
expect_eq "no session made for the forger" "$(num "$C1" 'BFD responder: ([0-9]+) sessions')" 1
check_cmd "bfdd's session never left Up" peer_is up
expect_eq "lw4o6d's neither" "$(grep -c "BFD $B4_6: .* -> up" "$TMPDIR/aftr.log")" "$ups"
check_fail "no Down logged" grep -q "BFD $B4_6: up -> " "$TMPDIR/aftr.log"
expect_eq "nor shown by lw4o6 monitor (no change from up)" \
	"$(jq -c 'select(.event == "bfd-change" and .old_state == "up")' "$TMPDIR/events" | wc -l)" 0

# --- drain ----------------------------------------------------------------------
check_cmd "the anycast announced first" \
	busywait 15000 grep -q "anycast 2001:db8:ff::100 announced" "$TMPDIR/aftr.log"
check_cmd "lw4o6d drain on" "$LW4O6D" drain -c "$TMPDIR/aftr.conf" on
check_cmd "drain: bfdd sees Down" busywait 10000 peer_is down
expect_eq "with the remote's diagnostic administratively down" \
	"$(peer remote-diagnostic)" "administratively down"
check_cmd "lw4o6d logged the drain" grep -q "BFD: draining: AdminDown to 1 sessions" "$TMPDIR/aftr.log"
check_cmd "lw4o6 monitor: up -> admin-down, diag 7 (administratively down)" \
	busywait 5000 bfd_seen up admin-down 7
sleep 2
check_cmd "still Down while draining" peer_is down
check_cmd "lw4o6d drain off" "$LW4O6D" drain -c "$TMPDIR/aftr.conf" off
check_cmd "drain off: Up again" busywait 30000 peer_is up

# --- SIGTERM ----------------------------------------------------------------------
kill -TERM "$AFTR_PID"
check_cmd "SIGTERM: bfdd sees Down" busywait 10000 peer_is down
expect_eq "remote diagnostic administratively down, sent before lw4o6d went" \
	"$(peer remote-diagnostic)" "administratively down"
wait "$AFTR_PID" 2> /dev/null
check_cmd "lw4o6d told the session at stop" \
	grep -q "BFD: stopping: told 1 sessions AdminDown" "$TMPDIR/aftr.log"
check_cmd "lw4o6 monitor: the stop's AdminDown too (a second up -> admin-down, diag 7)" \
	busywait 5000 test "$(bfd_count up admin-down 7)" -eq 2
check_cmd "lw4o6d counted its reports: none dropped, lost or refused" \
	grep -Eq "BFD changes for lw4o6 monitor: [0-9]+ reported, [0-9]+ sent in [0-9]+ datagrams; 0 dropped \(queue full\), 0 lost \(send failed\), 0 refused by the kernel" \
	"$TMPDIR/aftr.log"
ktap_diag "lw4o6 monitor's bfd-change events:"
jq -c 'select(.event == "bfd-change") | del(.event, .ifindex)' "$TMPDIR/events" |
	while read -r l; do ktap_diag "  $l"; done
check_cmd "and logged its counters" grep -q "BFD responder: .* sent" "$TMPDIR/aftr.log"
J=$(bfd_cmd -j)
expect_eq "lw4o6d bfd after stop: exit 1 (not running)" "$?" 1
expect_eq "and the sessions as it stopped: admin-down, administratively-down" \
	"$(jq -r '.running, .sessions[0].state, .sessions[0].diagnostic' <<< "$J" | tr '\n' ' ')" \
	"false admin-down administratively-down "

# --- kill -9 --------------------------------------------------------------------
check_cmd "lw4o6d started again" aftr_start
check_cmd "Up again with the new lw4o6d" busywait 30000 peer_is up
kill -9 "$AFTR_PID"
check_cmd "kill -9: bfdd sees Down" busywait 10000 peer_is down
expect_eq "by its detection time" "$(peer diagnostic)" "control detection time expired"

# --- bfd off --------------------------------------------------------------------
wait "$AFTR_PID" 2> /dev/null
pcp_aftr_conf "bfd off"
check_cmd "lw4o6d with 'bfd off'" aftr_start
sleep 4
check_cmd "bfd off: bfdd stays Down" peer_is down
C2=$(aftr_counters)
ktap_diag "$C2"
check_cmd "and lw4o6d counted what it dropped" \
	test "$(num "$C2" 'off \(bfd off\); ([0-9]+) packets')" -ge 2
check_fail "lw4o6d bfd with 'bfd off': refused" bfd_cmd
kill "$AFTR_PID"

ktap_finish
