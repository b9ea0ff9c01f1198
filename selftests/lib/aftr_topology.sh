# SPDX-License-Identifier: GPL-2.0
# The lwAFTR tests' topology, sourced after lib.sh: an internet host and the
# lwAFTR, plus stock-parts lwB4s (Linux ip6tnl in ip4ip6 mode, nftables
# SNAT into the B4's port range) on a bridge on the lwAFTR's IPv6 side.
#
#   INET                      AFTR                                  B4s
#   198.51.100.1/24 --v-- 198.51.100.254/24                       ip6tnl t0 -> 2001:db8:ff::1
#                         lw0 (aftr, local 2001:db8:ff::1)          IPV4/32 on t0
#                         192.0.2.0/24 -> lw0                       nft snat to IPV4:PORTS
#                         2001:db8:1::1/64 br0 ------v-------- 2001:db8:1::N
#
# The caller creates lw0 (its options are what the tests vary) and routes
# 192.0.2.0/24 into it with aftr_route.

# aftr_topology: INET and AFTR, named by those variables.
aftr_topology() {
	setup_ns INET AFTR || return 1
	ip -n "$AFTR" link add i0 type veth peer name e0 netns "$INET"
	ip -n "$AFTR" addr add 198.51.100.254/24 dev i0
	ip -n "$INET" addr add 198.51.100.1/24 dev e0
	ip -n "$AFTR" link set i0 up
	ip -n "$INET" link set e0 up
	ip -n "$INET" route add 192.0.2.0/24 via 198.51.100.254
	# A MAC of its own: a bridge without one takes its lowest port's, so
	# a B4 added later (a random veth MAC) could change it under the
	# other B4s' neighbour caches and cut them off for seconds.
	ip -n "$AFTR" link add br0 address 02:00:00:00:a0:01 type bridge
	ip -n "$AFTR" addr add 2001:db8:1::1/64 dev br0 nodad
	ip -n "$AFTR" link set br0 up
	ip netns exec "$AFTR" sysctl -qw net.ipv4.ip_forward=1
}

# aftr_route: once lw0 exists, bring it up and route the bound space in.
aftr_route() {
	ip -n "$AFTR" link set lw0 up &&
	ip -n "$AFTR" route add 192.0.2.0/24 dev lw0
}

# aftr_b4 NS N IPV4 [PORTS]: the stock lwB4 in NS at 2001:db8:1::N with IPV4;
# with PORTS (LO-HI), its TCP, UDP and ICMP echo leave NATed into them.
aftr_b4() {
	local ns=$1 n=$2 v4=$3 ports=$4
	ip -n "$AFTR" link add "b$n" type veth peer name u0 netns "$ns"
	ip -n "$AFTR" link set "b$n" master br0 up
	ip -n "$ns" addr add "2001:db8:1::$n/64" dev u0 nodad
	ip -n "$ns" link set u0 up
	ip -n "$ns" route add 2001:db8:ff::1 via 2001:db8:1::1
	ip -n "$ns" -6 tunnel add t0 mode ip4ip6 local "2001:db8:1::$n" \
		remote 2001:db8:ff::1
	ip -n "$ns" link set t0 up
	ip -n "$ns" addr add "$v4/32" dev t0
	ip -n "$ns" route add default dev t0
	[ -n "$ports" ] || return 0
	ip netns exec "$ns" nft -f - <<EOT
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "t0" meta l4proto { tcp, udp } snat to $v4:$ports
		oifname "t0" icmp type echo-request snat to $v4:$ports
	}
}
EOT
}

# aftr_stat NAME: lw0's counter NAME (lw4o6 -j stats show).
aftr_stat() {
	"$LW4O6" -n "$AFTR" -j stats show dev lw0 | jq ".[\"${1//-/_}\"]"
}

# snmp NS PROTO FIELD: a counter of NS's /proc/net/snmp or snmp6.
snmp() {
	ip netns exec "$1" nstat -az "$2$3" | awk -v k="$2$3" '$1 == k { print $2 }'
}

# icmp_count NS v4|v6 TYPE CODE SECS [SHOW]: count ICMP TYPE/CODE arriving
# in NS for at most SECS seconds, in the background
# (selftests/lib/py/icmp_count.py); icmp_result NS, called once the packets
# that should draw the errors are sent (and answered or timed out), ends the
# count a second later and leaves it in $R (not in a $(...): a subshell
# cannot wait for our children).  icmp_result NS all: the whole SECS, for
# errors that come late (a packet held for a while first).
icmp_count() {
	rm -f "$TMPDIR/ready"
	ip netns exec "$1" "$PYTHON" "$TOP/selftests/lib/py/icmp_count.py" "$2" "$3" "$4" "$5" \
		"$TMPDIR/ready" $6 > "$TMPDIR/icmp.$1" &
	ICMP_PID=$!
	busywait 10000 test -e "$TMPDIR/ready"
}
icmp_result() {
	[ "${2:-}" = all ] || kill -USR1 "$ICMP_PID" 2> /dev/null
	wait "$ICMP_PID"
	R=$(cat "$TMPDIR/icmp.$1")
}
