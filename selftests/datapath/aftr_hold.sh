#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 480
#
# miss-hold: failover on demand.  A packet from a B4 the lwAFTR has no
# binding for waits (miss-hold ms, at most miss-queue of them) instead of
# being answered with ICMPv6 1/5 at once; a binding added meanwhile lets it
# through, MISS_REJECT (`binding reject`) or the end of the hold drops it
# with its 1/5.  Stock-parts lwB4s (ip6tnl + nftables SNAT) share
# 192.0.2.1, PSIDs 1 and 2 of 64 (ports 1024-2047 and 2048-3071).
#
#   INET                      AFTR                                 B4a / B4b
#   198.51.100.1/24 --v-- 198.51.100.254/24                      ip6tnl t0 -> 2001:db8:ff::1
#   echo server 7777      lw0 (aftr, local 2001:db8:ff::1,          192.0.2.1/32 on t0
#                             miss-hold 10000ms miss-queue 4)      nft snat to 192.0.2.1:PORTS
#                         192.0.2.0/24 -> lw0
#                         2001:db8:1::1/64 --------v---------- 2001:db8:1::2 (a), ::3 (b)
#                         lw4o6 -j monitor   (bridge in AFTR's namespace)
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"

require_root
require_cmd jq
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
aftr_topology
setup_ns B4A B4B
l() { "$LW4O6" -n "$AFTR" "$@"; }
aftr_b4 "$B4A" 2 192.0.2.1 1024-2047
aftr_b4 "$B4B" 3 192.0.2.1 2048-3071
# Every 1/5 the module sends must reach the B4: the kernel's own per-peer
# limit would hide some of a burst.
ip netns exec "$AFTR" sysctl -qw net.ipv6.icmp.ratelimit=0

ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
busywait 10000 sh -c "ip netns exec $INET ss -ltn | grep -q :7777"

check_cmd "lwAFTR with miss-hold 4000 miss-queue 4" \
	l dev add lw0 mode aftr local 2001:db8:ff::1 miss-hold 4000 miss-queue 4
aftr_route
expect_eq "dev show: miss-hold in text" \
	"$(l dev show lw0 | grep -o 'miss-hold [^ ]* miss-queue [0-9]*')" "miss-hold 4000ms miss-queue 4"
expect_eq "dev show -j: miss_hold and miss_queue" \
	"$(l -j dev show lw0 | jq -c '.[0] | [.miss_hold, .miss_queue]')" "[4000,4]"

l -j monitor > "$TMPDIR/events" 2>&1 &
MON=$!
defer kill $MON
# The monitor is listening once it reports a change.
l binding add dev lw0 ipv4 192.0.2.200 psid 0/0 b4 2001:db8:1::200
busywait 5000 grep -q '"192.0.2.200"' "$TMPDIR/events"
l binding del dev lw0 ipv4 192.0.2.200 psid 0/0

s() { aftr_stat "$1"; }
stat_is() { [ "$(aftr_stat "$1")" = "$2" ]; }	# for busywait
# held_events B4: held binding-miss events naming B4 so far.
held_events() {
	jq -s "[.[] | select(.event == \"binding-miss\" and .held == true and .b4 == \"$1\")] | length" \
		"$TMPDIR/events"
}
# icmp_bg NS SECS NAME: count ICMPv6 1/5 reaching NS for at most SECS
# seconds, in the background; icmp_wait NAME, once the counters say the
# errors were sent, ends the count a second later (icmp_count.py) and
# leaves it in $R.
declare -A ICMP_BG
icmp_bg() {
	rm -f "$TMPDIR/ready.$3"
	ip netns exec "$1" "$PYTHON" "$TOP/selftests/lib/py/icmp_count.py" v6 1 5 "$2" \
		"$TMPDIR/ready.$3" > "$TMPDIR/icmp.$3" &
	ICMP_BG[$3]=$!
	busywait 10000 test -e "$TMPDIR/ready.$3"
}
icmp_wait() {
	kill -USR1 "${ICMP_BG[$1]}" 2> /dev/null
	wait "${ICMP_BG[$1]}"
	R=$(cat "$TMPDIR/icmp.$1")
}
# send NS N: N UDP datagrams through the softwire, from one socket.
send() {
	ip netns exec "$1" "$PYTHON" -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range($2):
    s.sendto(b'held %d' % i, ('198.51.100.1', 7777))"
}

# Counters against a snapshot: snap, then d NAME... prints how much each
# grew since, with one stats call (a slow VM must not let a hold run out
# while the test looks).
snap() { l -j stats show dev lw0 > "$TMPDIR/snap.json"; }
d() {
	l -j stats show dev lw0 | jq -r --slurpfile s "$TMPDIR/snap.json" \
		'. as $n | $ARGS.positional | map(gsub("-"; "_") as $k | ($n[$k] // 0) - ($s[0][$k] // 0)) | join(" ")' \
		--args "$@"
}
# d_is NAME N: for busywait.
d_is() { [ "$(d "$1")" = "$2" ]; }
diag_stats() {
	ktap_diag "counters: $(l -j stats show dev lw0 | jq -c 'with_entries(select((.key | test("held|icmpv6|no_source")) and .value != 0))')"
}

# ---- 1. held, then released by a binding ------------------------------------
# miss-hold is 10 s from here on.  The binding is added the moment the held
# miss is reported, as lw4o6d would: a VM on a busy host can take seconds
# for one command, so the test does not look at the counters in between.
check_cmd "miss-hold 10000" l dev set lw0 miss-hold 10000
snap
(
	until grep -q '"held":true' "$TMPDIR/events"; do sleep 0.05; done
	l binding add dev lw0 ipv4 192.0.2.1 psid 1/6 b4 2001:db8:1::2 &&
		touch "$TMPDIR/added"
) &
ADD_PID=$!
# One datagram; its echo waits for the hold ($ECHO udp waits only 3 s).
ip netns exec "$B4A" "$PYTHON" -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(30)
s.sendto(b'held', ('198.51.100.1', 7777))
assert s.recv(100) == b'held'" > "$TMPDIR/echo.a" 2>&1 &
ECHO_PID=$!
check_cmd "the held miss was reported and the binding for B4a added" \
	busywait 30000 test -e "$TMPDIR/added"
kill "$ADD_PID" 2> /dev/null; wait "$ADD_PID" 2> /dev/null
check_cmd "the held packet reaches the internet and its answer B4a" wait "$ECHO_PID"
expect_eq "held 1, released 1, decapsulated as any packet; no 1/5, nothing dropped" \
	"$(d held-softwire-packets held-released-packets sent-ipv4-packets out-icmpv6-error-packets dropped-ipv6-packets drop-held-expired)" \
	"1 1 1 0 0 0"
check_cmd "the internet saw it from 192.0.2.1 in B4a's ports" \
	awk '$1 == "udp" && $2 == "192.0.2.1" && $3 >= 1024 && $3 <= 2047 { f = 1 } END { exit !f }' "$TMPDIR/peers"
expect_eq "one held binding-miss event for B4a" "$(held_events 2001:db8:1::2)" 1
expect_eq "it names the B4, address and port" \
	"$(jq -c 'select(.held == true) | [.dev, .b4, .ipv4, (.port >= 1024 and .port <= 2047)]' "$TMPDIR/events")" \
	'["lw0","2001:db8:1::2","192.0.2.1",true]'
check_cmd "B4a's traffic flows on" ip netns exec "$B4A" $ECHO udp 198.51.100.1 7777
expect_eq "B4a never got a 1/5" "$(d out-icmpv6-error-packets)" 0
diag_stats

# ---- 1b. a burst released at once: none lost ---------------------------------
# 2000 held packets are more than netdev_max_backlog (1000) takes at once:
# the release must let the stack drain it as it goes.
check_cmd "miss-queue 4096" l dev set lw0 miss-queue 4096
snap
# (counted by the internet host's kernel: its echo server, a Python loop
# in a slow guest, may take long to answer them all)
udp0=$(snmp "$INET" Udp InDatagrams)
send "$B4B" 2000
check_cmd "binding for B4b added" \
	l binding add dev lw0 ipv4 192.0.2.1 psid 2/6 b4 2001:db8:1::3
udp_at_least() { [ "$(snmp "$INET" Udp InDatagrams)" -ge "$1" ]; }
busywait 30000 udp_at_least $((udp0 + 2000))
read -r n_held n_rel n_drop n_exp n_sent <<< \
	"$(d held-softwire-packets held-released-packets dropped-ipv6-packets drop-held-expired sent-ipv4-packets)"
ktap_diag "burst: held $n_held, released $n_rel, decapsulated $n_sent; softnet (processed dropped ...): $(awk '{ print $1, $2 }' /proc/net/softnet_stat | xargs)"
check_cmd "most of the burst was held" test "$n_held" -ge 1000
expect_eq "all held released, none dropped or expired" "$n_rel $n_drop $n_exp" "$n_held 0 0"
check_cmd "all 2000 decapsulated" test "$n_sent" -ge 2000
expect_eq "the internet host's kernel got all 2000" \
	"$(( $(snmp "$INET" Udp InDatagrams) - udp0 ))" 2000
l binding del dev lw0 ipv4 192.0.2.1 psid 2/6
l dev set lw0 miss-queue 4

# ---- 2. held with no binding: the 1/5 when the hold is over ------------------
snap
ev_b0=$(held_events 2001:db8:1::3) peers1=$(wc -l < "$TMPDIR/peers")
icmp_bg "$B4B" 25 b
t0=$(date +%s%N)
send "$B4B" 3
check_cmd "three packets from B4b (no binding) held" \
	busywait 20000 d_is held-softwire-packets 3
read -r n_icmp n_exp <<< "$(d out-icmpv6-error-packets drop-held-expired)"
expect_eq "no 1/5 for a packet still held" "$n_icmp" "$n_exp"
check_cmd "the hold ends: drop-held-expired 3" \
	busywait 30000 d_is drop-held-expired 3
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ktap_diag "expired after ${ms}ms (miss-hold 10000)"
check_cmd "not before miss-hold" test "$ms" -ge 10000
icmp_wait b
expect_eq "B4b got the three 1/5s" "$R" 3
expect_eq "counted as dropped, no source softwire, 1/5 sent" \
	"$(d dropped-ipv6-packets drop-no-source-softwire-ipv6 out-icmpv6-error-packets)" "3 3 3"
expect_eq "one held event for B4b's (IPv4, PSID), not three" \
	"$(( $(held_events 2001:db8:1::3) - ev_b0 ))" 1
expect_eq "nothing of B4b's reached the internet" \
	"$(tail -n +$((peers1 + 1)) "$TMPDIR/peers" | awk '$1 == "udp" && $3 >= 2048 && $3 <= 3071' | wc -l)" 0
diag_stats

# ---- 3. binding reject: the 1/5 at once -----------------------------------------
# The listener stops before the hold could end: what it counts, reject sent.
# As in 1, the rejects follow the held miss's event at once: first two
# that name other packets, a snapshot, then the one for these.  The
# counters tell the reject's 1/5s from the hold's end; the listener, that
# they reach the B4.
snap
n0=$(grep -c '"held":true' "$TMPDIR/events")
(
	until [ "$(grep -c '"held":true' "$TMPDIR/events")" -gt "$n0" ]; do sleep 0.05; done
	l binding reject dev lw0 b4 2001:db8:1::3 ipv4 192.0.2.9 &&
	l binding reject dev lw0 b4 2001:db8:1::99 &&
	l -j stats show dev lw0 > "$TMPDIR/mid.json" &&
	l binding reject dev lw0 b4 2001:db8:1::3 ipv4 192.0.2.1 &&
	touch "$TMPDIR/rejected"
) &
REJ_PID=$!
icmp_bg "$B4B" 25 r
send "$B4B" 2
check_cmd "held, then rejected: for another IPv4 address of B4b, another B4, then B4b's" \
	busywait 30000 test -e "$TMPDIR/rejected"
kill "$REJ_PID" 2> /dev/null; wait "$REJ_PID" 2> /dev/null
expect_eq "the rejects for other packets dropped nothing" \
	"$(jq '.["drop_held_rejected"] - ($s[0]["drop_held_rejected"])' --slurpfile s "$TMPDIR/snap.json" "$TMPDIR/mid.json")" 0
expect_eq "two held, drop-held-rejected 2, with their 1/5s, none expired" \
	"$(d held-softwire-packets drop-held-rejected out-icmpv6-error-packets drop-held-expired)" "2 2 2 0"
icmp_wait r
expect_eq "B4b got both 1/5s (the reject's: none expired)" "$R" 2
check_cmd "reject with nothing held succeeds" l binding reject dev lw0 b4 2001:db8:1::3
diag_stats

# ---- 4. queue full -----------------------------------------------------------
snap
send "$B4B" 6
busywait 20000 d_is drop-held-overflow 2
# (the 1/5s of any that a slow VM let expire meanwhile are not the overflow's)
read -r n_held n_over n_icmp n_nsrc n_exp <<< \
	"$(d held-softwire-packets drop-held-overflow out-icmpv6-error-packets drop-no-source-softwire-ipv6 drop-held-expired)"
expect_eq "miss-queue 4: four held, two overflow, with their 1/5s, counted as dropped" \
	"$n_held $n_over $((n_icmp - n_exp)) $((n_nsrc - n_exp))" "4 2 2 2"
check_cmd "reject B4b's four" l binding reject dev lw0 b4 2001:db8:1::3
expect_eq "the four held ones rejected (or expired)" \
	"$(( $(d drop-held-rejected) + $(d drop-held-expired) ))" 4
diag_stats

# ---- 5. who may: an unprivileged user in its own user namespace -------------------
if command -v setpriv > /dev/null && command -v unshare > /dev/null; then
	unpriv() {
		ip netns exec "$AFTR" setpriv --reuid=65534 --regid=65534 --clear-groups \
			unshare -Ur "$LW4O6" "$@" 2>&1
	}
	out=$(unpriv dev set lw0 miss-hold 100); rc=$?
	ktap_diag "$out"
	check_cmd "user namespace root cannot set miss-hold (EPERM)" \
		test $rc -ne 0 -a -n "$(echo "$out" | grep 'Operation not permitted')"
	out=$(unpriv binding reject dev lw0 b4 2001:db8:1::3); rc=$?
	check_cmd "... nor reject held packets (EPERM)" \
		test $rc -ne 0 -a -n "$(echo "$out" | grep 'Operation not permitted')"
	expect_eq "miss-hold unchanged" "$(l -j dev show lw0 | jq '.[0].miss_hold')" 10000
else
	ktap_fail "setpriv/unshare (util-linux) missing"
fi

# ---- 6. bad values ------------------------------------------------------------
out=$(l dev set lw0 miss-hold 10001 2>&1); rc=$?
ktap_diag "$out"
check_cmd "miss-hold 10001 refused, saying why" test $rc -ne 0 -a -n "$(echo "$out" | grep '0..10000')"
check_fail "miss-queue 0 refused" l dev set lw0 miss-queue 0
# The kernel's own checks, past the CLI's: raw netlink (lib/py/lw4o6nl.py).
check_cmd "the kernel refuses out-of-range values and a reject without b4" \
	ip netns exec "$AFTR" "$PYTHON" - "$TOP/selftests/lib/py" <<'EOT'
import errno, sys
sys.path.insert(0, sys.argv[1])
from lw4o6nl import C, NlError, genl_sock, link_add, string, u32, be32
s = genl_sock()
def refused(what, fn, want):
    try:
        fn()
    except NlError as e:
        print("# %s: %s" % (what, e))
        assert e.errno == want and e.msg, what
        return
    raise SystemExit("accepted: " + what)
dev = string(C["LW4O6_A_IFNAME"], "lw0")
refused("DEV_SET miss-hold 10001",
        lambda: s.cmd("DEV_SET", dev, u32(C["LW4O6_A_MISS_HOLD"], 10001)), errno.ERANGE)
refused("DEV_SET miss-queue 4097",
        lambda: s.cmd("DEV_SET", dev, u32(C["LW4O6_A_MISS_QUEUE"], 4097)), errno.ERANGE)
refused("newlink miss-queue 0",
        lambda: link_add("lwx", local="2001:db8:ff::7",
                         extra=[u32(C["IFLA_LW4O6_MISS_QUEUE"], 0)]), errno.ERANGE)
refused("MISS_REJECT without MISS_B4",
        lambda: s.cmd("MISS_REJECT", dev, be32(C["LW4O6_A_MISS_IPV4"], 0xc0000201)), errno.EINVAL)
EOT
check_fail "miss-hold on a dslite device refused" \
	l dev add ds0 mode dslite local 2001:db8:ff::9 remote 2001:db8:ff::1 miss-hold 100

# ---- 7. miss-hold 0: as before, and what was held gets its 1/5 ----------------
snap
send "$B4B" 2
busywait 20000 d_is held-softwire-packets 2
check_cmd "miss-hold 0" l dev set lw0 miss-hold 0
expect_eq "turning it off dropped the held two with their 1/5s" \
	"$(d drop-held-expired out-icmpv6-error-packets)" "2 2"
expect_eq "dev show: no miss-hold in text when off" \
	"$(l dev show lw0 | grep -c miss-hold)" 0
expect_eq "dev show -j: miss_hold 0" "$(l -j dev show lw0 | jq -c '.[0] | [.miss_hold, .miss_queue]')" "[0,4]"
snap
ev0=$(jq -s 'length' "$TMPDIR/events")
icmp_bg "$B4B" 9 z
send "$B4B" 1
icmp_wait z
expect_eq "with miss-hold 0 a miss gets its 1/5 at once" "$R" 1
expect_eq "... is not held, counts as drop-no-source-softwire-ipv6" \
	"$(d held-softwire-packets drop-no-source-softwire-ipv6)" "0 1"
busywait 5000 sh -c "test \$(jq -s length $TMPDIR/events) -gt $ev0"
expect_eq "... and its event is not marked held" \
	"$(jq -s '.[-1] | [.event, .held]' -c "$TMPDIR/events")" '["binding-miss",null]'

# ---- 8. teardown with packets held ---------------------------------------------
check_cmd "miss-hold 10000 again" l dev set lw0 miss-hold 10000
snap
send "$B4B" 2
busywait 20000 d_is held-softwire-packets 2
check_cmd "lw0 down" ip -n "$AFTR" link set lw0 down
expect_eq "... drops what it held, counted as expired, no 1/5" \
	"$(d drop-held-expired out-icmpv6-error-packets)" "2 0"
expect_eq "held = released + expired + rejected, over the whole test" \
	"$(s held-softwire-packets)" \
	"$(( $(s held-released-packets) + $(s drop-held-expired) + $(s drop-held-rejected) ))"
check_balance "$AFTR" lw0
ip -n "$AFTR" link set lw0 up
ip -n "$AFTR" route add 192.0.2.0/24 dev lw0 2> /dev/null
snap
send "$B4B" 2
busywait 20000 d_is held-softwire-packets 2
check_cmd "lw0 deleted with two packets held" ip -n "$AFTR" link del lw0
check_cmd "a device with packets held goes with its namespace" sh -e -c "
	$LW4O6 -n $AFTR dev add lw0 mode aftr local 2001:db8:ff::1 miss-hold 10000
	ip -n $AFTR link set lw0 up"
send "$B4B" 1
sleep 1
kill "$MON"; wait "$MON" 2> /dev/null
cleanup_ns "$AFTR"
check_cmd "rmmod afterwards" rmmod lw4o6
ktap_finish
