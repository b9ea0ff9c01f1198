#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 360
#
# What an lwB4 lets through between 192.0.0.2 and 192.0.0.1 (#11 items 9,
# 10), its port choice (item 18: never port 0, a bounded search), and
# concurrent DEV_SETs of its binding under traffic (item 5).
#
#  LAN1 192.168.1.2/24 --v-- 192.168.1.1  B4                     AFTR                       INET
#                                         b0 (b4, local ::2,     lw0 (aftr, local ff::1)
#                                            remote ff::1,       192.0.2.0/24 -> lw0
#                                            192.0.0.2/29)       198.51.100.254 --v-- 198.51.100.1
#                                         2001:db8:1::2 ---v--- 2001:db8:1::1 (br0)
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/aftr_topology.sh"

require_root
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
aftr_topology
setup_ns B4 LAN1
a() { "$LW4O6" -n "$AFTR" "$@"; }
b() { "$LW4O6" -n "$B4" "$@"; }
CTL="$PYTHON $TOP/selftests/lib/py/softwire_ctl.py"
bstat() { b -j stats show dev b0 | jq ".[\"${1//-/_}\"]"; }
astat() { a -j stats show dev lw0 | jq ".[\"${1//-/_}\"]"; }

ip -n "$AFTR" link add b2 type veth peer name u0 netns "$B4"
ip -n "$AFTR" link set b2 master br0 up
ip -n "$B4" addr add 2001:db8:1::2/64 dev u0 nodad
ip -n "$B4" link set u0 up
ip -n "$B4" route add 2001:db8:ff::1 via 2001:db8:1::1
ip netns exec "$B4" sysctl -qw net.ipv4.ip_forward=1
veth "$LAN1" e0 192.168.1.2/24 "$B4" lan1 192.168.1.1/24
ip -n "$LAN1" route add default via 192.168.1.1

check_cmd "lwAFTR" a dev add lw0 mode aftr local 2001:db8:ff::1
aftr_route
for bnd in "192.0.2.1 psid 1/4" "192.0.2.9 psid 0x34/8 offset 6" \
	   "192.0.2.20 psid 0/15" "192.0.2.21 psid 0x55/7"; do
	# shellcheck disable=SC2086  # words
	a binding add dev lw0 ipv4 $bnd b4 2001:db8:1::2
done
check_cmd "lwB4 device" \
	b dev add b0 mode b4 local 2001:db8:1::2 remote 2001:db8:ff::1 ipv4 192.0.2.1 psid 1/4
ip -n "$B4" link set b0 up
# What lw4o6d does on a B4: 192.0.0.2/29 on the device (RFC 6333 5.7).
ip -n "$B4" addr add 192.0.0.2/29 dev b0
ip -n "$B4" route add default dev b0
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
busywait 10000 sh -c "ip netns exec $INET ss -ltn | grep -q :7777"
check_cmd "a LAN host reaches the internet" ip netns exec "$LAN1" $ECHO udp 198.51.100.1 7777

# ---- item 10: in from 192.0.0.1, only PCP answers and echo replies ------------
# A spoofed outer source (the AFTR's address, from the link): TCP to a
# listener, UDP to another port, UDP to 5350 from another port; then the
# two that must pass.
ip netns exec "$B4" $CTL listen b0 "$TMPDIR/lready" 60 > "$TMPDIR/listen" &
lpid=$!
defer kill $lpid
busywait 20000 test -e "$TMPDIR/lready"
d=$(bstat drop-out-of-port-set-ipv4)
ip netns exec "$AFTR" $CTL send 2001:db8:ff::1 2001:db8:1::2 \
	tcp:1234:8080 udp:5351:9999 udp:4000:5350 tcp:5351:5350 udp:5351:5350 echoreply
busywait 5000 grep -q "^sock udp 5350" "$TMPDIR/listen"
sleep 0.5
kill $lpid
ktap_diag "what the B4 took from 192.0.0.1: $(tr '\n' ';' < "$TMPDIR/listen")"
expect_eq "spoofed TCP SYN to a listener on 192.0.0.2: never delivered" \
	"$(grep -c '^in tcp\|^sock tcp' "$TMPDIR/listen")" 0
expect_eq "spoofed UDP to another port (9999): never delivered" \
	"$(grep -c '9999' "$TMPDIR/listen")" 0
expect_eq "UDP to 5350 from a port other than 5351: never delivered" \
	"$(grep -c '^in udp 4000 ' "$TMPDIR/listen")" 0
expect_eq "the four counted in drop-out-of-port-set-ipv4" \
	"$(bstat drop-out-of-port-set-ipv4)" $((d + 4))
expect_eq "a PCP answer (UDP 5351 -> 5350) reaches lw4o6d's socket" \
	"$(grep -c '^in udp 5351 5350\|^sock udp 5350' "$TMPDIR/listen")" 2
expect_eq "an echo reply is delivered" "$(grep -c '^in icmp 0' "$TMPDIR/listen")" 1

# ---- item 9: out to 192.0.0.1, only lw4o6d's PCP and echo requests -----------
ctl0=$(( $(astat control-ipv4-packets) + $(astat drop-control-ipv4) ))
bd=$(bstat drop-control-ipv4)
ip netns exec "$AFTR" $CTL control "$TMPDIR/cready" 30 > "$TMPDIR/control" &
cpid=$!
defer kill $cpid
busywait 20000 test -e "$TMPDIR/cready"
# shellcheck disable=SC2016
ip netns exec "$B4" "$PYTHON" -c '
import socket
for sport in (40000, 5350):	# another port first, then lw4o6d s
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("192.0.0.2", sport))
    try:
        u.sendto(b"\2\0" + b"\0" * 58, ("192.0.0.1", 5351))
    except OSError as e:	# EPERM: dropped on the way out
        print("udp from %d:" % sport, e)
t = socket.socket()
t.settimeout(1)
try:
    t.connect(("192.0.0.1", 5351))
except OSError as e:
    print("tcp:", e)
'
check_cmd "ping 192.0.0.1 (echo request out, reply in)" \
	ip netns exec "$B4" ping -c 1 -W 5 192.0.0.1
wait $cpid
ktap_diag "the AFTR's control group saw: $(tr '\n' ';' < "$TMPDIR/control")"
expect_eq "only lw4o6d's request (UDP 5350 -> 5351) reached the AFTR's control group" \
	"$(grep '^ctrl' "$TMPDIR/control")" "ctrl 2001:db8:1::2 5350"
expect_eq "the AFTR got nothing else on its control path (that PCP and the ping)" \
	"$(( $(astat control-ipv4-packets) + $(astat drop-control-ipv4) - ctl0 ))" 2
check_cmd "the UDP from another port and the TCP SYN counted in the B4's drop-control-ipv4" \
	test "$(bstat drop-control-ipv4)" -ge $((bd + 2))

# ---- item 18: never port 0; a bounded search ---------------------------------
check_cmd "dev set to 192.0.2.20 psid 0/15 (offset 0: ports 0 and 1)" \
	b dev set b0 ipv4 192.0.2.20 psid 0/15 offset 0
x=$(bstat drop-port-set-exhausted)
r=$(ip netns exec "$LAN1" "$PYTHON" "$TOP/selftests/lib/py/flows.py" 198.51.100.1 7777 2)
ktap_diag "2 flows into {0, 1}: $r; conntrack: $(ip netns exec "$B4" grep 'dst=192.0.2.20 ' /proc/net/nf_conntrack | tr '\n' ';')"
expect_eq "no flow was NATed to port 0" \
	"$(ip netns exec "$B4" grep -c 'dst=192.0.2.20 sport=7777 dport=0 ' /proc/net/nf_conntrack)" 0
expect_eq "... one got port 1, the other counted as drop-port-set-exhausted" \
	"$r $(bstat drop-port-set-exhausted)" "sent 2 answered 1 $((x + 1))"

# 512 ports (PSID 0x55/7), 530 flows to one peer: a new flow to it then
# probes at most 240 ports (nf_nat's bound), not the whole set.  The probes
# are nf_conntrack_tuple_taken() calls, counted with a kprobe: system-wide,
# so a stray packet of another flow in the window adds one or two (seen:
# 242), hence the slack above nf_nat's 1 + 240; still far from 512.
check_cmd "dev set to 192.0.2.21 psid 0x55/7 (512 ports)" \
	b dev set b0 ipv4 192.0.2.21 psid 0x55/7 offset 0
r=$(ip netns exec "$LAN1" "$PYTHON" "$TOP/selftests/lib/py/flows.py" 198.51.100.1 7777 530)
ktap_diag "530 flows into 512 ports: $r; drop-port-set-exhausted $(bstat drop-port-set-exhausted)"
T=/sys/kernel/tracing
[ -e $T/kprobe_events ] || mount -t tracefs nodev $T
echo 'p:lw4o6_k3/taken nf_conntrack_tuple_taken' >> $T/kprobe_events
defer sh -c "echo 0 > $T/events/lw4o6_k3/enable; echo '-:lw4o6_k3/taken' >> $T/kprobe_events"
: > $T/trace
echo 1 > $T/events/lw4o6_k3/enable
x=$(bstat drop-port-set-exhausted)
ip netns exec "$LAN1" "$PYTHON" -c '
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"one more", ("198.51.100.1", 7777))'
sleep 0.5
echo 0 > $T/events/lw4o6_k3/enable
n=$(grep -c 'taken:' $T/trace)
ktap_diag "one more flow: $n ports probed; drop-port-set-exhausted +$(( $(bstat drop-port-set-exhausted) - x ))"
check_cmd "one more flow into the (nearly) full set probed 16..241 ports (+ a few strays), not 512" \
	test "$n" -ge 16 -a "$n" -le 250

# ---- item 5: concurrent DEV_SET of the binding, with traffic -----------------
# Two writers move the B4 between two bindings as fast as they can while a
# LAN host keeps opening flows; the module must neither warn nor oops (the
# VM fails on either) and end consistent: the binding last written, and no
# flow of the other one left in conntrack.
stop=$TMPDIR/stop
writer() {	# BINDING words: set it until $stop exists; count the successes
	local n=0
	while [ ! -e "$stop" ]; do
		# shellcheck disable=SC2068
		b dev set b0 $@ > /dev/null 2>&1 && n=$((n + 1))
	done
	echo "$n"
}
traffic() {
	while [ ! -e "$stop" ]; do
		ip netns exec "$LAN1" "$PYTHON" "$TOP/selftests/lib/py/flows.py" 198.51.100.1 7777 50 \
			> /dev/null 2>&1
	done
}
traffic &
tpid=$!
ip netns exec "$LAN1" ping -q -i 0.01 -w 5 198.51.100.1 > /dev/null 2>&1 &
ppid=$!
writer ipv4 192.0.2.1 psid 1/4 offset 0 > "$TMPDIR/w1" &
w1=$!
writer ipv4 192.0.2.9 psid 0x34/8 offset 6 > "$TMPDIR/w2" &
w2=$!
sleep 5
touch "$stop"
wait $w1 $w2 $tpid $ppid
ktap_diag "DEV_SETs: $(cat "$TMPDIR/w1") + $(cat "$TMPDIR/w2")"
check_cmd "both writers got through many times" \
	test "$(cat "$TMPDIR/w1")" -ge 5 -a "$(cat "$TMPDIR/w2")" -ge 5
check_cmd "a last dev set, after both" b dev set b0 ipv4 192.0.2.9 psid 0x34/8 offset 6
expect_eq "the device holds the binding written last" \
	"$(b -j dev show b0 | jq -c '.[0] | [.ipv4, .psid, .psid_len, .offset]')" '["192.0.2.9",52,8,6]'
expect_eq "conntrack holds no flow of the other binding" \
	"$(ip netns exec "$B4" grep -c 'dst=192.0.2.1 ' /proc/net/nf_conntrack)" 0
check_cmd "a LAN host still reaches the internet" ip netns exec "$LAN1" $ECHO udp 198.51.100.1 7777
check_balance "$B4" b0
ktap_finish
