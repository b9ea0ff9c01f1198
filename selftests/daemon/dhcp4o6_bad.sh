#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 240
#
# lw4o6d's co-located DHCPv4-over-DHCPv6 server against bad, truncated and
# hostile queries: each gets the right answer or silence, is counted under
# its drop reason, never crashes the daemon, never gives anyone a binding
# for another B4's address; an honest B4 is served before and after.
#
#   CL (honest B4s 2001:db8:1::2, ::4;   --u0--\
#       py/dhcp4o6_client.py)                   \
#   AT (the attacker 2001:db8:1::3,      --u0----br0 2001:db8:1::1  AFTR
#       py/dhcp4o6_client.py raw)               /   lw0 (mode aftr, local 2001:db8:ff::1)
#   RL (a trusted relay 2001:db8:1::99,  --u0--/    lw4o6d role aftr, dhcp4o6 on br0,
#       RELAY-FORW from port 547)                   relay-peer 2001:db8:1::99, quota 1,
#                                                   rate-limit 20 burst 40,
#                                                   pool 192.0.2.0/30 psid-len 4
#
# relay-peer names the one trusted relay; the attacker, a B4 on the same
# link, sends a RELAY-FORW naming another B4 as peer-address (and in 109):
# it must get nothing (before the fix, a server with no relay-peer trusted
# every relay and installed the victim's binding for the attacker).
#
# The attacker's cases run in one client process with --marker: after each
# case an Information-request, whose Reply closes the case (the daemon
# answers in order), so "silent" is certain without waiting.
#
# Covers: DHCPv6 cut short, options overrunning the message, 250 empty
# options (answered), a 3000-byte query, an unknown message type, option 87
# empty / garbage / a BOOTP header cut at 100 and 239 bytes / no magic
# cookie / a DHCPv4 option cut / option overload pointing to itself / two
# option 87 (the first counts); 109 naming the honest B4's address; a
# RELAY-FORW from the attacker (no relay-peer) claiming the honest B4 as its
# peer; from the trusted relay: one level and nine levels answered (RFC 8415
# HOP_COUNT_LIMIT 8: hop counts 0..8), 10, 20 and 33 levels and a RELAY-FORW
# cut short silent; a flood of 300 DISCOVERs with new client ids from one
# subscriber (quota 1, rate limit).  Then: drop counters (SIGUSR1) per
# reason, the info log line, the daemon alive, the honest B4's binding
# untouched and renewed, a new honest B4 served, bindings only for their
# own B4s, store and kernel agreeing, no new kernel warning, and tshark
# decoding every answer of the daemon.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"
source "$(dirname "$0")/../lib/dhcp4o6.sh"
LW4O6D=$TOP/userspace/lw4o6d/lw4o6d

require_root
require_cmd jq tshark tcpdump
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
DMESG0=$(dmesg | wc -l)

aftr_topology
# The host end of br0 hears ff02::1:2 whatever MLD snooping thinks.
ip -n "$AFTR" link set br0 type bridge mcast_snooping 0
check_cmd "lwAFTR device" "$LW4O6" -n "$AFTR" dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
setup_ns CL AT RL || ktap_skip_all "cannot create namespaces"
for n in CL AT RL; do
	ns=${!n}
	ip -n "$AFTR" link add "b$n" type veth peer name u0 netns "$ns"
	ip -n "$AFTR" link set "b$n" master br0 up
	ip -n "$ns" link set u0 up
done
ip -n "$CL" addr add 2001:db8:1::2/64 dev u0 nodad
ip -n "$CL" addr add 2001:db8:1::4/64 dev u0 nodad
ip -n "$AT" addr add 2001:db8:1::3/64 dev u0 nodad
ip -n "$RL" addr add 2001:db8:1::99/64 dev u0 nodad
dhcp_link_wait "$AT" u0
dhcp_capture_start "$AFTR" br0 "$TMPDIR/dhcp.pcap"

cat > "$TMPDIR/aftr.conf" <<EOT
role aftr
device lw0
log-level debug
storage sqlite $TMPDIR/aftr.db
listen 2001:db8:1::1
lifetime min 60 max 300 default 120
quota 1
rate-limit 20 burst 40
subscriber-prefix-len 128
pool 192.0.2.0/30 psid-len 4
dhcp4o6 on
dhcp4o6-interface br0
relay-peer 2001:db8:1::99
EOT
ip netns exec "$AFTR" "$LW4O6D" -c "$TMPDIR/aftr.conf" > "$TMPDIR/aftr.log" 2>&1 &
AFTR_PID=$!
defer kill $AFTR_PID
check_cmd "lw4o6d aftr with dhcp4o6 on started" \
	busywait 10000 grep -q "DHCPv4-over-DHCPv6 server on 1 interfaces" "$TMPDIR/aftr.log"

binding() {
	"$LW4O6" -n "$AFTR" -j binding show dev lw0 |
		jq -r --arg b "$1" '.[] | select(.b4 == $b) | "\(.ipv4) \(.psid)/\(.psid_len)"'
}
table() {
	"$LW4O6" -n "$AFTR" -j binding show dev lw0 |
		jq -r '.[] | "\(.ipv4) \(.psid)/\(.psid_len) \(.b4)"' | sort
}
leases() {
	"$LW4O6D" leases -c "$TMPDIR/aftr.conf" -j |
		jq -r '.[] | "\(.ipv4) \(.psid)/\(.psid_len) \(.b4)"' | sort
}
# cl ADDR ARGS...: the honest client from ADDR; JSON in $OUT, exit in $RC.
cl() {
	local a=$1
	shift
	OUT=$(dhcp4o6_client "$CL" --iface u0 --src "$a" --mac "02:00:00:00:00:0${a##*:}" \
		"$@" 2> "$TMPDIR/cl.err")
	RC=$?
	ktap_diag "client $a $*: $OUT (exit $RC) $(cat "$TMPDIR/cl.err")"
}
j() { jq -c "$1" <<< "$OUT"; }

# --- the honest B4 first ----------------------------------------------------
cl 2001:db8:1::2 --ports dora
expect_eq "honest B4 ::2: DORA gives an ACK with a port set" "$RC $(j '[.msg, .psid_len]')" '0 ["ACK",4]'
B2=$(binding 2001:db8:1::2)
expect_eq "honest B4 ::2: its binding in the kernel" "$B2" "$(jq -r '"\(.yiaddr) \(.psid)/\(.psid_len)"' <<< "$OUT")"

# --- the attacker and the relay ------------------------------------------------
# run_cases TAG NS SRC ARGS...: py/dhcp4o6_client.py ARGS in NS from SRC
# (chaddr 02:..:03), its lines kept as CASES[TAG/NAME] = the rest of the line.
declare -A CASES
run_cases() {
	local tag=$1 ns=$2 src=$3 name rest rc
	shift 3
	ip netns exec "$ns" $DHCP4O6_CLIENT --iface u0 --src "$src" --mac 02:00:00:00:00:03 \
		"$@" > "$TMPDIR/$tag.out" 2> "$TMPDIR/$tag.err"
	rc=$?
	ktap_diag "$tag: $(cat "$TMPDIR/$tag.out" "$TMPDIR/$tag.err")"
	while read -r name rest; do CASES[$tag/$name]=$rest; done < "$TMPDIR/$tag.out"
	return $rc
}
got() { echo "${CASES[$1]:-(no line)}"; }

MALFORMED6="v6-short v6-trunc-opt v6-opt-overrun"
MALFORMED4="opt87-empty opt87-garbage bootp-short:100 bootp-short:239 v4-no-magic v4-opt-trunc v4-overload-loop"
t0=$SECONDS
check_cmd "the attacker's cases ran" run_cases at "$AT" 2001:db8:1::3 --timeout 5 --marker \
	raw v6-zero-opts $MALFORMED6 v6-oversize v6-unknown-type $MALFORMED4 two-87 saddr:2001:db8:1::2
for c in $MALFORMED6 v6-oversize v6-unknown-type $MALFORMED4 saddr:2001:db8:1::2; do
	expect_eq "attacker: $c: silence" "$(got "at/$c")" silent
done
# Its own DISCOVER behind 250 empty options (unknown to the server: skipped)
# is answered; of two option 87 the first counts (dhcp6.h): the same offer.
O3=$(got at/v6-zero-opts)
check_cmd "attacker: a DISCOVER behind 250 empty options: an OFFER" \
	grep -qx "reply type=21 v4=OFFER yiaddr=192\.0\.2\.[0-3]" <<< "$O3"
expect_eq "attacker: two option 87: the first one's OFFER, the same" "$(got at/two-87)" "$O3"
check_cmd "the attacker's RELAY-FORW (no relay-peer) claiming ::2 ran" \
	run_cases atrelay "$AT" 2001:db8:1::3 --server 2001:db8:1::1 --sport 547 --timeout 2 \
	--peer 2001:db8:1::2 --saddr 2001:db8:1::2 raw relay:1
expect_eq "attacker: RELAY-FORW claiming ::2 as its peer: silence" "$(got atrelay/relay:1)" "silent"
check_cmd "the trusted relay's cases ran" run_cases rl "$RL" 2001:db8:1::99 \
	--server 2001:db8:1::1 --sport 547 \
	--timeout 5 --marker --peer 2001:db8:1::5 --link 2001:db8:1::1 \
	raw relay:1 relay:9 relay:10 relay:20 relay:33 relay-trunc
check_cmd "relay: one level: an OFFER in a RELAY-REPL" \
	grep -qx "reply type=21 relay=1 v4=OFFER yiaddr=192\.0\.2\.[0-3]" <<< "$(got rl/relay:1)"
check_cmd "relay: nine levels (hop counts 0..8): an OFFER in nine RELAY-REPL" \
	grep -qx "reply type=21 relay=9 v4=OFFER yiaddr=192\.0\.2\.[0-3]" <<< "$(got rl/relay:9)"
for c in relay:10 relay:20 relay:33 relay-trunc; do
	expect_eq "relay: $c: silence" "$(got "rl/$c")" silent
done
check_cmd "the attacker's flood ran" run_cases flood "$AT" 2001:db8:1::3 --timeout 10 \
	--marker raw flood:300
expect_eq "a flood of 300 DISCOVERs (new client ids) from the attacker: no answer" \
	"$(got flood/flood:300)" "replies=0"
ktap_diag "the attacker's and the relay's cases took $((SECONDS - t0)) s"

# --- what the daemon counted -------------------------------------------------------
check_cmd "lw4o6d is alive" kill -0 "$AFTR_PID"
kill -USR1 "$AFTR_PID"
busywait 5000 grep -q "DHCPv4-over-DHCPv6 server: .*drops:" "$TMPDIR/aftr.log"
DUMP=$(grep "DHCPv4-over-DHCPv6 server: .*drops:" "$TMPDIR/aftr.log" | tail -n 1)
ktap_diag "counters: $DUMP"
drops() { sed -n "s/.*drops:.* $1 \([0-9]*\).*/\1/p" <<< "$DUMP"; }
# Datagrams over 1500 bytes (v6-oversize, relay:33) are cut by the socket
# read and counted as malformed without being parsed (MSG_TRUNC).
expect_eq "counted: malformed-dhcpv6 (3 cases, 10, 20 and 33 levels, 1 relay cut, 1 oversize)" "$(drops malformed-dhcpv6)" 8
expect_eq "counted: malformed-dhcpv4 (7 cases)" "$(drops malformed-dhcpv4)" 7
expect_eq "counted: unsupported (the unknown message type)" "$(drops unsupported)" 1
expect_eq "counted: saddr-mismatch (109 naming ::2)" "$(drops saddr-mismatch)" 1
expect_eq "counted: untrusted-relay (the attacker's RELAY-FORW)" "$(drops untrusted-relay)" 1
expect_eq "counted: the flood, under rate-limit and not-owner" \
	"$(( $(drops rate-limit) + $(drops not-owner) ))" 300
check_cmd "the rate limit did its part (more than 200 of the flood)" test "$(drops rate-limit)" -gt 200
check_cmd "bad input logged at info" \
	grep -q "dhcp4o6: dropped a message from 2001:db8:1::3: " "$TMPDIR/aftr.log"
n_info=$(grep -c "dhcp4o6: dropped a message from 2001:db8:1::3: " "$TMPDIR/aftr.log")
ktap_diag "info lines about ::3: $n_info"

# --- nobody holds what is not theirs ---------------------------------------------------
expect_eq "honest B4 ::2: its binding unchanged" "$(binding 2001:db8:1::2)" "$B2"
expect_eq "every binding belongs to ::2, ::3 (its own offer) or ::5 (the relay's client)" \
	"$(table | awk '{ print $3 }' | sort -u | tr '\n' ' ')" "2001:db8:1::2 2001:db8:1::3 2001:db8:1::5 "
expect_eq "the attacker holds one set (quota 1)" "$(table | grep -c ' 2001:db8:1::3$')" 1
expect_eq "the store and the kernel agree" "$(leases)" "$(table)"

# --- honest clients still served ---------------------------------------------------------
cl 2001:db8:1::2 --ports --server 2001:db8:1::1 --ciaddr "${B2% *}" renew
expect_eq "honest B4 ::2: renew ACKs its set" \
	"$RC $(j '"\(.msg) \(.yiaddr) \(.psid)/\(.psid_len)"' | tr -d '"')" "0 ACK $B2"
cl 2001:db8:1::4 --ports dora
expect_eq "a new honest B4 ::4: DORA gives an ACK" "$RC $(j .msg)" '0 "ACK"'
check_cmd "... and its binding" test -n "$(binding 2001:db8:1::4)"
check_cmd "lw4o6d is still alive" kill -0 "$AFTR_PID"
check_fail "no new kernel warning" \
	sh -c "dmesg | tail -n +$((DMESG0 + 1)) | grep -E 'WARNING|BUG|Oops|refcount|leak'"

# --- tshark: every answer of the daemon decodes ------------------------------------------
dhcp_capture_stop
OUT=$(check_dhcp_pcap "$TMPDIR/dhcp.pcap" "ipv6.src == 2001:db8:1::1 || (udp.srcport == 547 && udp.dstport == 546)" 2>&1)
RC=$?
ktap_diag "check_dhcp_pcap (the daemon's answers): $OUT"
expect_eq "tshark: every DHCPv6 answer and its option 87 decode" "$RC" 0
if [ "$KTAP_FAIL" -gt 0 ]; then
	ktap_diag "--- aftr.log (last 30 lines)"
	ktap_diag "$(tail -n 30 "$TMPDIR/aftr.log")"
fi
ktap_finish
