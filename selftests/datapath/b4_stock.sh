#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 300
#
# Our lwB4 against a stock-parts AFTR: Linux ip6tnl (ip4ip6) for this one
# B4 and a route for its address.  The AFTR does no NAT and knows nothing
# of ports: everything the internet sees from 192.0.2.1 is our NAPT's work.
#
#  LAN 192.168.1.2/24 --v-- 192.168.1.1  B4                      AFTR                     INET
#                               b0 (b4, local 2001:db8:1::2,      t0: ip6tnl ff::1 <-> 1::2
#                                   remote 2001:db8:ff::1,        192.0.2.1/32 -> t0
#                                   192.0.2.1 psid 1/4)           198.51.100.254 --v-- 198.51.100.1
#                               2001:db8:1::2/64 -------v------- 2001:db8:1::1/64, ff::1 on lo
source "$(dirname "$0")/../lib/lib.sh"

require_root
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
setup_ns LAN B4 AFTR INET
b() { "$LW4O6" -n "$B4" "$@"; }
bstat() { b -j stats show dev b0 | jq ".[\"${1//-/_}\"]"; }
FLOWS="$PYTHON $TOP/selftests/lib/py/flows.py"

veth "$LAN" e0 192.168.1.2/24 "$B4" lan0 192.168.1.1/24
ip -n "$LAN" route add default via 192.168.1.1
veth "$B4" u0 2001:db8:1::2/64 "$AFTR" d0 2001:db8:1::1/64
ip -n "$B4" route add 2001:db8:ff::1 via 2001:db8:1::1
veth "$AFTR" i0 198.51.100.254/24 "$INET" e0 198.51.100.1/24
ip -n "$INET" route add 192.0.2.0/24 via 198.51.100.254
ip netns exec "$B4" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$AFTR" sysctl -qw net.ipv4.ip_forward=1
ip -n "$AFTR" addr add 2001:db8:ff::1/128 dev lo
ip -n "$AFTR" -6 tunnel add t0 mode ip4ip6 local 2001:db8:ff::1 remote 2001:db8:1::2
ip -n "$AFTR" link set t0 up
ip -n "$AFTR" route add 192.0.2.1/32 dev t0

check_cmd "lwB4 device" \
	b dev add b0 mode b4 local 2001:db8:1::2 remote 2001:db8:ff::1 ipv4 192.0.2.1 psid 1/4
ip -n "$B4" link set b0 up
ip -n "$B4" route add default dev b0

ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
busywait 10000 sh -c "ip netns exec $INET ss -ltn | grep -q :7777"
inset() {	# every peer the internet saw came from 192.0.2.1:4096-8191
	awk '$2 != "192.0.2.1" || $3 < 4096 || $3 > 8191 { bad++ } END { exit bad > 0 || NR == 0 }' \
		"$TMPDIR/peers"
}

check_cmd "LAN: UDP through the stock AFTR and back" ip netns exec "$LAN" $ECHO udp 198.51.100.1 7777
check_cmd "LAN: TCP through the stock AFTR and back" ip netns exec "$LAN" $ECHO tcp 198.51.100.1 7777
check_cmd "LAN: ping through the stock AFTR and back" \
	ip netns exec "$LAN" ping -c 2 -i 0.2 -W 3 198.51.100.1
r=$(ip netns exec "$LAN" $FLOWS 198.51.100.1 7777 2000)
expect_eq "2000 concurrent UDP flows all answered" "$r" "sent 2000 answered 2000"
r=$(ip netns exec "$LAN" $FLOWS 198.51.100.1 7777 300 tcp)
expect_eq "300 concurrent TCP connections all answered" "$r" "sent 300 answered 300"
ktap_diag "the internet saw $(wc -l < "$TMPDIR/peers") peers," \
	"$(awk '{ print $3 }' "$TMPDIR/peers" | sort -u | wc -l) distinct ports"
check_cmd "every flow left as 192.0.2.1 with a port in 4096-8191" inset
expect_eq "the B4 sent nothing outside its set" "$(bstat drop-out-of-port-set-ipv4)" 0
check_balance "$B4" b0
ktap_finish
