#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 420
#
# An lwAFTR that lost its state tells a thousand B4s at once (#14 item 4):
# the ANNOUNCE round after a restart with --reset-epoch, over each B4's own
# transport, paced, repeated as RFC 6887 14.1.3 asks, and stopped for the
# B4s that answered.  The B4s are simulated (selftests/lib/py/b4_sim.py):
# 500 speak PCP inside the softwire, 500 over plain IPv6; 200 of them miss
# the first ANNOUNCE that reaches them.
#
#   SIM (b4_sim.py, 1000 B4s,                     AFTR (lw0 ff::1, lw4o6d aftr,
#        2001:db8:8000:N::1,  u0 2001:db8:1::3 --  br0 2001:db8:1::1, listen there,
#        a local /48)                              pool 192.0.2.0/24 psid-len 4,
#                                                  announce-rate 2000)
#
# Covers: the store records how each B4 asked (500 softwire, 500 ipv6);
# after the restart every B4 re-validates within seconds, each reached over
# the transport it used (none on the wrong one, none missed); the "deaf"
# ones through a repeat; the first pass is paced (1000 at 2000/s: five
# 100 ms slices); the round ends early, once every B4 was heard from, and
# every ANNOUNCE the daemon counts arrived.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"

require_root
require_cmd jq sqlite3 nft
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
N=1000

aftr_topology
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
setup_ns SIM
ip -n "$AFTR" link add b3 type veth peer name u0 netns "$SIM"
ip -n "$AFTR" link set b3 master br0 up
ip -n "$SIM" addr add 2001:db8:1::3/64 dev u0 nodad
ip -n "$SIM" link set u0 up
ip -n "$SIM" route add 2001:db8:ff::1 via 2001:db8:1::1
# Every address of the /48 is the simulator's; the AFTR routes it there.
ip -n "$SIM" route add local 2001:db8:8000::/48 dev lo
ip -n "$AFTR" route add 2001:db8:8000::/48 via 2001:db8:1::3
# No tunnel takes IPv4-in-IPv6 here: the raw socket reads it, and the
# kernel's "port unreachable" for each would only be noise.
ip netns exec "$SIM" nft -f - <<EOT
table ip6 sim {
	chain out {
		type filter hook output priority 0; policy accept;
		icmpv6 type destination-unreachable drop
	}
}
EOT

cat > "$TMPDIR/aftr.conf" <<EOT
role aftr
device lw0
log-level info
storage sqlite $TMPDIR/aftr.db
listen 2001:db8:1::1
lifetime min 60 max 3600 default 3600
quota 1
rate-limit 50 burst 100
subscriber-prefix-len 64
pool 192.0.2.0/24 psid-len 4
announce-rate 2000
EOT
pcp_aftr_start
check_cmd "lw4o6d aftr started" kill -0 "$AFTR_PID"
defer kill $AFTR_PID

ip netns exec "$SIM" $PYTHON "$TOP/selftests/lib/py/b4_sim.py" $N "$TMPDIR/sim.json" \
	> "$TMPDIR/sim.log" 2>&1 &
SIM_PID=$!
defer kill $SIM_PID
check_cmd "$N simulated B4s hold a port set each" \
	busywait 240000 grep -q "^mapped $N\$" "$TMPDIR/sim.log"
via_counts() {
	sqlite3 -cmd ".timeout 5000" "$TMPDIR/aftr.db" \
		"select via, count(*) from mappings group by via order by via" | tr '\n' ' '
}
expect_eq "the store records how each asked: 500 in the softwire (0), 500 over IPv6 (1)" \
	"$(via_counts)" "0|500 1|500 "

# The lwAFTR loses its state: every B4 must hear of it now, not at its
# renewal an hour away.
kill -TERM "$AFTR_PID"
wait "$AFTR_PID" 2> /dev/null
pcp_aftr_start --reset-epoch
defer kill $AFTR_PID
check_cmd "restart with --reset-epoch: a round to all $N" busywait 10000 \
	grep -q "ANNOUNCE (restart) to $N B4s, 2000 a second, 10 passes" "$TMPDIR/aftr.log"
check_cmd "the simulated B4s are done (all re-validated, or 120 s)" \
	busywait 200000 test -s "$TMPDIR/sim.json"
R=$(cat "$TMPDIR/sim.json")
ktap_diag "b4_sim: $R"
sim() { jq -r ".$1" <<< "$R"; }
expect_eq "every B4 re-validated" "$(sim revalidated)" $N
expect_eq "... 500 reached inside the softwire" "$(sim revalidated_softwire)" 500
expect_eq "... 500 over plain IPv6" "$(sim revalidated_ipv6)" 500
expect_eq "no ANNOUNCE on a B4's wrong transport" "$(sim wrong_transport)" 0
expect_eq "no B4 left without one" "$(sim never_announced)" 0
expect_eq "the 200 that missed the first re-validated through a repeat" \
	"$(sim deaf_revalidated)" 200
check_cmd "... each heard at least two ($(sim deaf_min_announces))" \
	test "$(sim deaf_min_announces)" -ge 2
S=$(sim seconds)
check_cmd "within seconds: first ANNOUNCE to last re-validation ${S} s (B4s wait 0-5 s first)" \
	awk -v s="$S" 'BEGIN { exit !(s > 0 && s <= 30) }'

ms=$(sed -n "s/.*sent ANNOUNCE (epoch [0-9]*) to $N B4s in \([0-9]*\) ms.*/\1/p" "$TMPDIR/aftr.log" | tail -n 1)
check_cmd "the first pass paced: $N at 2000/s in five slices (${ms:-?} ms)" \
	test "${ms:-0}" -ge 400
# The round ends at the last B4's answer (the simulator stops 3 s later).
busywait 10000 grep -q "ANNOUNCE round over" "$TMPDIR/aftr.log"
over=$(grep "ANNOUNCE round over" "$TMPDIR/aftr.log" | tail -n 1)
ktap_diag "${over#*: }"
passes=$(sed -n 's/.*round over after \([0-9]*\) passes.*/\1/p' <<< "$over")
sent=$(sed -n 's/.*heard from, \([0-9]*\) sent.*/\1/p' <<< "$over")
check_cmd "the round ended once all $N were heard from" \
	grep -q "$N of $N B4s heard from" <<< "$over"
check_cmd "... early: $passes of 10 passes, $sent of the $((10 * N)) ten full passes would send" \
	test "${passes:-10}" -lt 10 -a "${sent:-0}" -lt $((10 * N))
expect_eq "no datagram dropped by the simulator's sockets" "$(sim socket_drops)" 0
expect_eq "every ANNOUNCE the daemon sent arrived" "$(sim announces)" "$sent"
check_cmd "the AFTR holds $N bindings again" \
	busywait 20000 sh -c "[ \$($LW4O6 -n $AFTR -j binding show dev lw0 | jq length) = $N ]"
pcp_store_agrees "store and kernel agree"

ktap_finish
