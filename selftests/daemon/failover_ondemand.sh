#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 420
#
# On-demand redundancy, the data-packet trigger (issue #13): two lwAFTRs on
# one anycast address share one PostgreSQL store and pool, `redundancy
# on-demand`: a backup installs a binding only when a packet needs it.
# Topology: lib/failover_topology.sh, PostgreSQL (lib/pg.sh) in DB, and a
# sender FLOOD on the B4s' link that forges softwire packets.
#
#   LAN_2 -- B4_2 (lw4o6d b4, PCP) --\            /-- AFTR1 (node aftr1) --\
#                                      ACC (route) -     pool 192.0.2.0/28   IR -- INET 198.51.100.1
#   FLOOD 2001:db8:1::99 ------------/             \-- AFTR2 (node aftr2) --/
#     (py/miss_flood.py)                                 miss-hold 2000 ms, miss-rate 5 global 20 per /64
#
# Covers: AFTR 2 holds none of AFTR 1's bindings; after AFTR 1 dies and
# the route moves, B4 2's first packet is held, the binding installed from
# the store, the held packet released, and no packet of the burst lost
# (sent = received; held = released); a packet from a B4 the store does
# not know gets ICMPv6 1/5 (held, rejected, counted); a flood of forged
# sources reaches the store no more often than the miss-rate allows (the
# daemon's counters) and the kernel counts every flooded packet it held
# and then dropped.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/failover_topology.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pg.sh"

require_root
require_cmd jq psql
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
pg_available || ktap_skip_all "PostgreSQL 15 not installed"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
MISS="$PYTHON $TOP/selftests/lib/py/miss_flood.py"

# Lifetimes far beyond the test's run: a renewal that reached AFTR 2 over
# PCP would install the binding before the first data packet, and the
# trigger under test would never run (seen on a slow CI host).
FO_AFTR_LIFETIME="min 10 max 600 default 600"
FO_B4_LIFETIME=600
failover_topology || ktap_skip_all "cannot build the topology"
failover_b4 2 || ktap_skip_all "cannot build the B4"
setup_ns FLOOD
ip -n "$ACC" link add fl0 type veth peer name u0 netns "$FLOOD"
ip -n "$ACC" link set fl0 master br0 up
ip -n "$FLOOD" addr add 2001:db8:1::99/64 dev u0 nodad
ip -n "$FLOOD" link set u0 up
ip -n "$FLOOD" route add "$FO_ANYCAST" via 2001:db8:1::1
PG_NS=$DB PG_ADDR=10.9.0.1
check_cmd "PostgreSQL in DB" eval 'pg_start > "$TMPDIR/pg.out"'
ktap_diag "$(cat "$TMPDIR/pg.out")"
# A hold long enough for a store lookup under emulation; a small rate, so
# that the flood below runs into it.
for n in 1 2; do
	failover_aftr_conf $n "storage postgresql \"$PG_CONNINFO\"" "node aftr$n" \
		"redundancy on-demand" "miss-hold 2000" "miss-queue 1024" \
		"miss-rate 5 global 20" "miss-prefix-len 64" "miss-negative-ttl 30"
done
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
check_cmd "AFTR 1's lw4o6d (on-demand, PostgreSQL)" failover_aftr_start 1
check_cmd "AFTR 2's lw4o6d (on-demand, PostgreSQL)" failover_aftr_start 2
check_cmd "AFTR 2 set its device's miss-hold" \
	sh -c "[ \$('$LW4O6' -n '$AFTR2' -j dev show lw0 | jq '.[0].miss_hold') = 2000 ]"
failover_bail aftr-1 aftr-2
failover_b4_start 2

check_cmd "B4 2 bound over PCP through AFTR 1" busywait 30000 failover_bound 2
failover_bail aftr-1 aftr-2 b4-2
B2=$(failover_bound 2)
ktap_diag "B4 2 $B2"
check_cmd "LAN 2 reaches INET through AFTR 1" busywait 10000 ip netns exec "$LAN_2" $ECHO udp 198.51.100.1 7777
expect_eq "the store holds B4 2's mapping" \
	"$(pg_sql "select host(b4), node from lw4o6_mappings" | tr '|' ' ')" "2001:db8:1::2 aftr1"
sleep 2
expect_eq "AFTR 2's kernel holds none of AFTR 1's bindings" "$(failover_table 2 | wc -l)" 0

# --- AFTR 1 dies, the route moves: the first packet is held ---------------------
kill -9 "$AFTR_PID_1"
ip -n "$AFTR1" link set lw0 down
failover_move_to 2
ip netns exec "$LAN_2" $PING -c 20 -i 0.1 -W 5 198.51.100.1 > "$TMPDIR/ping.out" 2>&1
ktap_diag "$(grep -E 'transmitted|rtt' "$TMPDIR/ping.out")"
check_cmd "none of B4 2's 20 pings lost across the failover" \
	grep -q "20 packets transmitted, 20 received" "$TMPDIR/ping.out"
held=$(failover_stat 2 held-softwire-packets)
released=$(failover_stat 2 held-released-packets)
ktap_diag "AFTR 2: held $held, released $released"
check_cmd "AFTR 2 held B4 2's first packet(s)" test "$held" -ge 1
expect_eq "and released every one it held" "$released" "$held"
check_cmd "AFTR 2's lw4o6d installed the binding from the store" \
	grep -q "on-demand: installed .*2001:db8:1::2" "$TMPDIR/aftr-2.log"
expect_eq "AFTR 2's kernel has B4 2's binding, the same set" "$(failover_table 2)" "$B2 2001:db8:1::2"
expect_eq "B4 2 kept its set" "$(failover_bound 2)" "$B2"
for c in drop-held-expired drop-held-rejected drop-held-overflow; do
	expect_eq "AFTR 2: $c 0 so far" "$(failover_stat 2 $c)" 0
done

# --- a B4 the store does not know: held, rejected, 1/5 ---------------------------
err0=$(failover_stat 2 out-icmpv6-error-packets)
icmp_count "$FLOOD" v6 1 5 15 src
ip netns exec "$FLOOD" $MISS "$FO_ANYCAST" one 2001:db8:1::99 192.0.2.5 40000
icmp_result "$FLOOD" all	# the error comes once the hold ends
expect_eq "the unknown B4 got ICMPv6 1/5 (from the anycast)" "$R" "1 $FO_ANYCAST"
expect_eq "its packet was held, then rejected (counted)" "$(failover_stat 2 drop-held-rejected)" 1
check_cmd "AFTR 2 sent the error" test "$(failover_stat 2 out-icmpv6-error-packets)" -gt "$err0"
expect_eq "no binding for it" "$(failover_table 2 | grep -c 2001:db8:1::99)" 0

# --- a flood of forged sources --------------------------------------------------
# 150 packets from random /64s of 2001:db8:2::/48 (the global bucket, 20/s,
# limits them) and 150 from one /64 (its own bucket, 5/s): the store sees
# at most the buckets' start plus their rate over the flood's time.
kill -USR1 "$AFTR_PID_2"
busywait 5000 grep -q "on-demand: .* lookups" "$TMPDIR/aftr-2.log"
lookups() { grep "on-demand: .* lookups" "$TMPDIR/aftr-2.log" | tail -n 1 | sed 's/.* \([0-9]*\) lookups.*/\1/'; }
l0=$(lookups)
h0=$(failover_stat 2 held-softwire-packets)
t0=$(now_ms)
out1=$(ip netns exec "$FLOOD" $MISS "$FO_ANYCAST" flood 150 2001:db8:2:: 48 192.0.2.0/28 1)
out2=$(ip netns exec "$FLOOD" $MISS "$FO_ANYCAST" flood 150 2001:db8:1:: 64 192.0.2.0/28 2)
sleep 3		# every held packet answered or expired (miss-hold 2 s)
kill -USR1 "$AFTR_PID_2"
busywait 5000 sh -c "[ \$(grep -c 'on-demand: .* lookups' '$TMPDIR/aftr-2.log') -ge 2 ]"
secs=$(( ($(now_ms) - t0 + 999) / 1000 ))
l1=$(lookups)
ktap_diag "flood: $out1 / $out2 (sent, s); $((l1 - l0)) store lookups in ${secs} s"
ktap_diag "$(grep 'on-demand: .* lookups' "$TMPDIR/aftr-2.log" | tail -n 1)"
# The global bucket: a burst of at most one second's worth, then 20/s.
check_cmd "the store saw at most the rate limit's lookups" \
	test $((l1 - l0)) -le $((20 + 20 * secs))
check_cmd "and some (the trigger ran)" test $((l1 - l0)) -ge 1
over_rate() {
	grep "on-demand: .* lookups" "$TMPDIR/aftr-2.log" | tail -n 1 |
		grep -q " [1-9][0-9]* over the prefix rate, [1-9][0-9]* over the global rate"
}
check_cmd "the daemon counted misses over the prefix and the global rate" over_rate
h1=$(failover_stat 2 held-softwire-packets)
check_cmd "the kernel held the flood" test $((h1 - h0)) -ge 250
# dropped: what the kernel let go of the flood's holds, the unknown B4's
# rejected packet before it left out
flood_dropped() {
	echo $(( $(failover_stat 2 drop-held-expired) + $(failover_stat 2 drop-held-rejected) +
		$(failover_stat 2 drop-held-overflow) - 1 ))
}
flood_done() { [ "$(flood_dropped)" = $((h1 - h0)) ]; }
check_cmd "and dropped every flooded packet it held, counted" busywait 15000 flood_done
ktap_diag "kernel: held $((h1 - h0)) of the flood, dropped $(flood_dropped) (expired $(failover_stat 2 drop-held-expired), rejected $(failover_stat 2 drop-held-rejected), overflow $(failover_stat 2 drop-held-overflow))"
expect_eq "nothing of the flood released" "$(failover_stat 2 held-released-packets)" "$released"
expect_eq "no binding for any forged source" "$(failover_table 2)" "$B2 2001:db8:1::2"
check_cmd "B4 2 still reaches INET" ip netns exec "$LAN_2" $ECHO udp 198.51.100.1 7777
failover_balance 2

if [ "$KTAP_FAIL" -gt 0 ]; then
	failover_logs aftr-2 b4-2
	pg_log
fi
ktap_finish
