#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 300
#
# lw4o6d's AFTR under a hostile subscriber and a control-path flood (#11
# items 3, 8 and 22).  Topology: selftests/lib/pcp_topology.sh with
# subscriber-prefix-len 56 (PCP_SUB_PLEN), quota 1, rate-limit 50 burst 100.
# B4 2 is an honest lwB4 with its lw4o6d (2001:db8:1::2, subscriber
# 2001:db8:1::/56); B4 3 runs no daemon: it is the attacker, played by
# selftests/lib/py/pcp_flood.py, which sends IPv4-in-IPv6 PCP requests to
# 192.0.0.1 with any outer source it likes (a raw socket).
#
#   LAN_2 -- B4_2 (lw4o6d b4) --\                                  /-- INET 198.51.100.1
#                                 br0 2001:db8:1::1 -- AFTR (lw0 ff::1, lw4o6d aftr,
#            B4_3 (pcp_flood.py) -/                     192.0.2.0/28 psid-len 4: 240 sets)
#            outer sources: fe80::1, ::, ff::1 (the AFTR's own);
#            2001:db8:1:100::/56 (one subscriber, 1000 addresses);
#            2001:db8:8000::/40 (a /56 each: the flood)
#
# Covers: requests from ::, a link-local address and the AFTR's own address
# are dropped and counted, never granted (item 22); 1000 MAPs from one /56
# get one binding (its quota), the pool stays for the others: a fresh
# subscriber and then B4 2 are provisioned (item 3); a 12-second flood of
# ANNOUNCEs from thousands of /56s while B4 2 renews: its renewals
# succeed, SIGHUP is handled within seconds, the table is never read
# again ("resync"), the daemon survives (item 8).  (The VM has one CPU:
# the sender and the daemon take turns, so the flood slows the daemon but
# cannot overrun its 4 MiB socket; the unit tests check the bounded read.)
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"

require_root
require_cmd jq sqlite3
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
FLOOD="$PYTHON $TOP/selftests/lib/py/pcp_flood.py"

aftr_topology
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
pcp_b4 2 && pcp_b4 3

PCP_SUB_PLEN=56 pcp_aftr_conf
pcp_aftr_start
check_cmd "lw4o6d aftr started, subscribers per /56" kill -0 "$AFTR_PID"
defer kill $AFTR_PID
LOG=$TMPDIR/aftr.log
attacker() { ip netns exec "$B4_3" $FLOOD "$@"; }
bound_b4() { pcp_table | grep -c " $1\$"; }
has_b4() { pcp_table | grep -q " $1\$"; }

# ---- item 22: no B4 at ::, link-local or the AFTR's own address -----------
attacker src fe80::1 :: 2001:db8:ff::1 > /dev/null
attacker src 2001:db8:1:200::1 > /dev/null	# a fresh subscriber: the marker
check_cmd "a fresh subscriber after them is served (the requests before it were handled)" \
	busywait 20000 has_b4 2001:db8:1:200::1
for a in fe80::1 2001:db8:ff::1; do
	check_cmd "MAP from $a dropped as not a B4 address" \
		grep -q "not a B4 address: dropped a request from $a\$" "$LOG"
	expect_eq "... and no binding for $a" "$(bound_b4 "$a")" 0
done
# :: may already be dropped by the IPv6 stack; if it got through, no grant.
expect_eq "no binding for ::" "$(bound_b4 ::)" 0
check_fail "nothing granted to a non-B4 address" \
	grep -E "granted .*b4 (fe80::1|::|2001:db8:ff::1) for" "$LOG"

# ---- item 3: one /56 from 1000 addresses gets its quota ---------------------
attacker map 2001:db8:1:100:: 1000 > "$TMPDIR/map.out"
ktap_diag "attacker: $(cat "$TMPDIR/map.out")"
attacker src 2001:db8:1:300::1 > /dev/null	# after them: the marker
check_cmd "a fresh subscriber after the 1000 MAPs is served" \
	busywait 30000 has_b4 2001:db8:1:300::1
n=$(pcp_table | grep -cE ' 2001:db8:1:1[0-9a-f]{2}:')
expect_eq "the /56 holds its quota of 1 binding, not one per address" "$n" 1
check_cmd "its other requests were refused (quota) or dropped (its rate)" \
	grep -qE "(refused 2001:db8:1:1[0-9a-f]{2}:.*user-ex-quota|rate limit: dropped a request from 2001:db8:1:1)" "$LOG"
pcp_store_agrees "store and kernel agree"
pcp_b4_start 2
defer kill $B4_PID_2
check_cmd "B4 2, another subscriber, provisioned over PCP" busywait 30000 pcp_bound 2
B2=$(pcp_bound 2)
ktap_diag "B4 2: $B2; bindings: $(pcp_table | wc -l)"

# ---- item 8: a control flood while B4 2 renews --------------------------------
renewals() { grep -c "renewed for" "$TMPDIR/b4-2.log"; }
lines() { grep -cE "$1" "$LOG"; }
RESYNC="reading the table again|changed as a whole"
resync0=$(lines "$RESYNC")
r0=$(renewals)
attacker flood 2001:db8:8000:: 12 > "$TMPDIR/flood.out" &
FLOOD_PID=$!
sleep 5
hup0=$(lines "SIGHUP: reloading")
t0=$(now_ms)
kill -HUP $AFTR_PID
check_cmd "SIGHUP during the flood handled within 10 s" \
	busywait 10000 test "$(lines "SIGHUP: reloading")" -gt "$hup0"
ktap_diag "SIGHUP handled after $(( $(now_ms) - t0 )) ms"
check_cmd "... and the reload done" busywait 5000 grep -q "reloaded:" "$LOG"
wait $FLOOD_PID
ktap_diag "flood: $(cat "$TMPDIR/flood.out")"
ktap_diag "$(grep -E "lost: socket buffer full" "$LOG" | tail -n 1)"
r1=$(renewals)
ktap_diag "B4 2 renewed $(( r1 - r0 )) times during the flood"
check_cmd "B4 2 renewed during the flood (lifetime 12 s, 12 s of flood)" test "$r1" -gt "$r0"
check_cmd "B4 2 still bound to the same set" test "$(pcp_bound 2)" = "$B2"
expect_eq "the AFTR still has B4 2's binding" "$(bound_b4 2001:db8:1::2)" 1
expect_eq "no resync of the table during the flood" "$(lines "$RESYNC")" "$resync0"
check_cmd "the AFTR daemon is still running" kill -0 "$AFTR_PID"
pcp_store_agrees "store and kernel agree"
kill $AFTR_PID
busywait 10000 grep -q "^.*PCP server: served" "$LOG"
ktap_diag "$(grep -E "PCP server: served" "$LOG")"
check_cmd "the non-B4 addresses were counted at stop" \
	grep -qE "PCP server: served .* [1-9][0-9]* from non-B4 addresses" "$LOG"
ktap_diag "--- aftr.log (last 10 lines)"
ktap_diag "$(tail -n 10 "$LOG")"
ktap_finish
