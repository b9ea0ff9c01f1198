#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 400
#
# BFD between our own ends (issue #15, its first test): our lwB4 (lw4o6d,
# PCP, "aftr F1 F2", bfd-interval 300) against our lwAFTRs' responders
# (lw4o6d, bfd-interval 300, each with its own pool and SQLite store).
# Topology: lib/failover_topology.sh with the lwAFTRs on unicast addresses
# (failover_unicast_aftrs), as in b4_multi_aftr.sh.
#
#   LAN_2 -- B4_2 (lw4o6d b4, PCP, aftr f1::1 f2::1) -- ACC --+-- AFTR1 lw0 f1::1, 192.0.2.0/28 --+-- IR -- INET
#                                                             +-- AFTR2 lw0 f2::1, 192.0.2.16/28 -+
#
# Covers: the session comes Up with AFTR 1 soon after the B4 starts (its
# state file, AFTR 1's `lw4o6d bfd -j`, `lw4o6 monitor`); AFTR 1 stopped
# (SIGTERM: its responder tells every B4 AdminDown, diagnostic 7, as on a
# drain): the B4 goes Down (neighbor signaled down), moves to AFTR 2 at
# once, provisions there and its LAN's traffic resumes; AFTR 2 killed
# (-9: no word from it): the B4 goes Down with control detection time
# expired after about the detection time (3 x 300 ms), moves back to AFTR
# 1 (started again), provisions there and traffic resumes.
FO_POOL1=192.0.2.0/28
FO_POOL2=192.0.2.16/28
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/failover_topology.sh"

require_root
require_cmd jq
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

failover_topology || ktap_skip_all "cannot build the topology"
failover_b4 2 || ktap_skip_all "cannot build the B4"
failover_unicast_aftrs 2 || ktap_skip_all "cannot move the lwAFTRs' local"
cat >> "$TMPDIR/b4-2.conf" <<EOT
aftr 2001:db8:f1::1 2001:db8:f2::1
bfd-interval 300
EOT

udp() { ip netns exec "$LAN_2" $ECHO udp 198.51.100.1 7777 > /dev/null; }
b4_logged() { grep -qF "$1" "$TMPDIR/b4-2.log"; }
state() { jq -r ".$1" /run/lw4o6d/bfd-b0.json 2> /dev/null; }
state_is() { [ "$(state state)" = "$1" ]; }
for n in 1 2; do
	failover_aftr_conf $n "storage sqlite $TMPDIR/aftr$n.db" "node aftr$n" \
		"bfd-interval 300" "bfd-state-file $TMPDIR/bfd-aftr$n.state"
done
check_cmd "AFTR 1's lw4o6d" failover_aftr_start 1
check_cmd "AFTR 2's lw4o6d" failover_aftr_start 2
failover_bail aftr-1 aftr-2
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
"$LW4O6" -n "$B4_2" -j monitor > "$TMPDIR/events" &
defer kill $!
sleep 0.5

# --- Up with AFTR 1 --------------------------------------------------------
rm -f /run/lw4o6d/bfd-b0.json	# an earlier test's B4 was a b0 too
failover_b4_start 2
check_cmd "the B4 starts its session" \
	busywait 20000 b4_logged "BFD with the AFTR on b0: every 300ms, multiplier 3"
t0=$(now_ms)
check_cmd "the B4's session with AFTR 1 comes up" busywait 10000 state_is up
up_ms=$(( $(now_ms) - t0 ))
# Down -> Init -> Up is the B4's first packet and the AFTR's answer; if
# the first is lost, the next goes a second later (RFC 5880 6.8.3: one a
# second while not Up): well within 4 s
check_cmd "... within 4 s of its start (${up_ms} ms)" test "$up_ms" -lt 4000
check_cmd "B4 2 bound through the first AFTR" busywait 30000 failover_bound 2
check_cmd "a set of AFTR 1's pool" failover_in_pool 2 0 15
check_cmd "LAN 2 -> INET" busywait 10000 udp
check_cmd "lw4o6 monitor: bfd-change peer AFTR 1 down -> up, diag none" \
	busywait 5000 bfd_seen 2001:db8:f1::1 down up 0
aftr_session() {	# N FIELDS: AFTR N's session with B4 2, as lw4o6d bfd -j gives it
	"$LW4O6D" bfd -c "$TMPDIR/aftr-$1.conf" -j |
		jq -r --arg b 2001:db8:1::2 ".sessions[] | select(.b4 == \$b) | $2"
}
expect_eq "AFTR 1's lw4o6d bfd: B4 2 up both ways, 300 ms" \
	"$(aftr_session 1 '.state + " " + .remote_state + " " + (.desired_min_tx_us | tostring)')" \
	"up up 300000"
failover_bail aftr-1 aftr-2 b4-2

# --- AFTR 1 stops: AdminDown, and the B4 moves at once -------------------------
s=$(failover_stat 2 sent-ipv4-packets)
t0=$(now_ms)
kill -TERM "$AFTR_PID_1"
wait "$AFTR_PID_1" 2> /dev/null
check_cmd "AFTR 1 told its sessions AdminDown as it stopped" \
	grep -q "BFD: stopping: told 1 sessions AdminDown" "$TMPDIR/aftr-1.log"
check_cmd "the B4 heard AdminDown (diagnostic administratively-down)" \
	busywait 5000 b4_logged "BFD with the AFTR: down, neighbor-signaled-down; the AFTR said admin-down (administratively-down)"
check_cmd "... and moved to AFTR 2 for it" \
	busywait 5000 b4_logged "AFTR 2001:db8:f1::1 failed us (BFD: the AFTR says admin-down (administratively-down)): now using AFTR 2001:db8:f2::1"
moved_ms=$(( $(now_ms) - t0 ))
check_cmd "... at once (${moved_ms} ms after the SIGTERM)" test "$moved_ms" -lt 3000
check_cmd "lw4o6 monitor: bfd-change peer AFTR 1 up -> down, diag 3 (neighbor signaled down)" \
	busywait 5000 bfd_seen 2001:db8:f1::1 up down 3
check_cmd "its device's remote is AFTR 2" busywait 5000 failover_remote_is 2 2001:db8:f2::1
check_cmd "bound to a set of AFTR 2's pool" busywait 30000 failover_in_pool 2 16 31
check_cmd "LAN 2 -> INET again" busywait 10000 udp
check_cmd "... through AFTR 2" test "$(failover_stat 2 sent-ipv4-packets)" -gt "$s"
check_cmd "the session with AFTR 2 is up" busywait 10000 state_is up
check_cmd "lw4o6 monitor: bfd-change peer AFTR 2 down -> up" \
	busywait 5000 bfd_seen 2001:db8:f2::1 down up 0
failover_bail aftr-1 aftr-2 b4-2

# --- AFTR 2 killed: silence, detection time expired --------------------------------
check_cmd "AFTR 1's lw4o6d back" failover_aftr_start 1
t0=$(now_ms)
kill -KILL "$AFTR_PID_2"
wait "$AFTR_PID_2" 2> /dev/null
check_cmd "the B4's session went down: control detection time expired" \
	busywait 10000 b4_logged "BFD with the AFTR: down, control-detection-time-expired"
down_ms=$(( $(now_ms) - t0 ))
# the detection time is 3 x 300 ms from the last packet heard, which
# came at most 300 ms before the kill: not before 600 ms
check_cmd "... after about the detection time, 900 ms (${down_ms} ms)" \
	test "$down_ms" -ge 500 -a "$down_ms" -lt 5000
check_cmd "... and moved back to AFTR 1 for it" \
	busywait 5000 b4_logged "AFTR 2001:db8:f2::1 failed us (BFD: control-detection-time-expired): now using AFTR 2001:db8:f1::1"
check_cmd "lw4o6 monitor: bfd-change peer AFTR 2 up -> down, diag 1" \
	busywait 5000 bfd_seen 2001:db8:f2::1 up down 1
check_cmd "its device's remote is AFTR 1 again" busywait 5000 failover_remote_is 2 2001:db8:f1::1
check_cmd "bound to a set of AFTR 1's pool again" busywait 30000 failover_in_pool 2 0 15
check_cmd "LAN 2 -> INET through AFTR 1" busywait 10000 udp
check_cmd "the session with AFTR 1 is up again" busywait 10000 state_is up
expect_eq "AFTR 1's lw4o6d bfd: B4 2 up again" "$(aftr_session 1 .state)" up

ktap_diag "lw4o6 monitor's bfd-change events:"
jq -c 'select(.event == "bfd-change") | del(.event, .ifindex)' "$TMPDIR/events" |
	while read -r l; do ktap_diag "  $l"; done
failover_logs b4-2
ktap_finish
