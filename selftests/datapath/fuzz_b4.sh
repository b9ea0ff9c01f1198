#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 600
# lw4o6-needs: testdata
#
# Robustness of the B4 side: random and mutated packets (build/testdata/
# fuzz-b4/, made on the host by selftests/lib/py/gen_fuzz_b4.py, seeded; `make
# testdata`) are replayed into both sides of an lwB4 (mode b4) and then of a
# DS-Lite B4 (mode dslite), 50,000 per side and device by default.  The
# kernel must survive (the harness fails on any oops or warning), a LAN host
# must reach the internet and back before and after, and every packet the
# device took must be counted as sent or dropped.
#
#  LAN                    B4 (phase 1, then a fresh one)          AFTR                         INET
#  e0 192.168.1.2/24 --v-- lan0 192.168.1.1/24                    lw0 (aftr, local ff::1)
#  02:00:5e:20:00:02       02:00:5e:20:00:01                       192.0.2.1 psid 5/4 offset 2 -> 1::2
#                          phase 1: b4dev (b4, local 1::2,         192.0.2.0/24 -> lw0
#                            remote ff::1, 192.0.2.1 psid 5/4      t0 ip6tnl ff::2 <-> 1::2 (stock
#                            offset 2), 192.0.2.1/32 on it           DS-Lite AFTR), nft masquerade
#                          phase 2: ds0 (dslite, local 1::2,       i0 198.51.100.254/24 --v-- e0 198.51.100.1/24
#                            remote ff::2), 192.0.0.2/32 on it                                    echo :7777
#                          default -> the device
#                          u0 2001:db8:1::2/64 ------------v------ b0 2001:db8:1::1/64
#                          02:00:5e:20:00:04                       02:00:5e:20:00:03
#  pcap_inject *-lan -> e0                                         pcap_inject *-wan -> b0
#
# Addresses, MACs and the port set are gen_fuzz_b4.py's; keep them in step.
# Each phase: a LAN host's UDP and TCP echo through the AFTR; the LAN set
# into e0 (conntrack and our NAT in front of the lwB4), then the IPv6 set
# into b0 (IPv4-in-IPv6 to local, mostly from remote, ICMPv6 errors quoting
# our packets, fragments); the counters; the echo again.
source "$(dirname "$0")/../lib/lib.sh"

require_root
require_cmd jq nft
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
DATA=${LW4O6_FUZZ_B4_DATA:-$TOP/build/testdata/fuzz-b4}
[ -f "$DATA/meta.json" ] || ktap_skip_all "no $DATA/meta.json (make testdata)"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
setup_ns INET AFTR
INJECT="$PYTHON $TOP/selftests/lib/py/pcap_inject.py"
meta() { jq -r "$1" "$DATA/meta.json"; }
ktap_diag "packet sets: $DATA, seed $(meta .seed)"

# Conntrack holds a flow for most of what the LAN set sends: room for all
# of them (the limit is the host's, set from the initial namespace).
ct_max=$(sysctl -n net.netfilter.nf_conntrack_max)
sysctl -qw net.netfilter.nf_conntrack_max=262144 && defer sysctl -qw net.netfilter.nf_conntrack_max="$ct_max"

# ---- the AFTRs and the internet -------------------------------------------------
ip -n "$AFTR" link add i0 type veth peer name e0 netns "$INET"
ip -n "$AFTR" addr add 198.51.100.254/24 dev i0
ip -n "$INET" addr add 198.51.100.1/24 dev e0
ip -n "$AFTR" link set i0 up
ip -n "$INET" link set e0 up
# A default route: the echo server answers whatever source the fuzz used.
ip -n "$INET" route add default via 198.51.100.254
ip -n "$AFTR" addr add 2001:db8:ff::2/128 dev lo
ip netns exec "$AFTR" sysctl -qw net.ipv4.ip_forward=1
check_cmd "lwAFTR with the lwB4's binding" sh -e -c "
	$LW4O6 -n $AFTR dev add lw0 mode aftr local 2001:db8:ff::1
	ip -n $AFTR link set lw0 up
	ip -n $AFTR route add 192.0.2.0/24 dev lw0
	$LW4O6 -n $AFTR binding add dev lw0 ipv4 192.0.2.1 psid 5/4 offset 2 b4 2001:db8:1::2"
# The stock DS-Lite AFTR: ip6tnl for this one B4, NAT44 to the internet.
ip -n "$AFTR" -6 tunnel add t0 mode ip4ip6 local 2001:db8:ff::2 remote 2001:db8:1::2
ip -n "$AFTR" link set t0 up
ip -n "$AFTR" route add 192.168.1.0/24 dev t0
ip -n "$AFTR" route add 192.0.0.2/32 dev t0
ip netns exec "$AFTR" nft -f - <<EOT
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "i0" ip saddr { 192.168.0.0/16, 192.0.0.0/29 } masquerade
	}
}
EOT
ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
busywait 10000 sh -c "ip netns exec $INET ss -ltn | grep -q :7777"

# b4_topology MODE: fresh LAN and B4 namespaces, the B4 with a MODE device
# (b4dev or ds0, in $DEV) and its default route into it.
b4_topology() {
	setup_ns B4 LAN
	ip -n "$LAN" link add e0 address 02:00:5e:20:00:02 type veth \
		peer name lan0 address 02:00:5e:20:00:01 netns "$B4"
	ip -n "$B4" link add u0 address 02:00:5e:20:00:04 type veth \
		peer name b0 address 02:00:5e:20:00:03 netns "$AFTR"
	ip -n "$LAN" addr add 192.168.1.2/24 dev e0
	ip -n "$B4" addr add 192.168.1.1/24 dev lan0
	ip -n "$B4" addr add 2001:db8:1::2/64 dev u0 nodad
	ip -n "$AFTR" addr add 2001:db8:1::1/64 dev b0 nodad
	ip -n "$LAN" link set e0 up
	ip -n "$B4" link set lan0 up
	ip -n "$B4" link set u0 up
	ip -n "$AFTR" link set b0 up
	ip -n "$LAN" route add default via 192.168.1.1
	ip -n "$B4" route add 2001:db8:ff::/64 via 2001:db8:1::1
	ip netns exec "$B4" sh -c '
		sysctl -qw net.ipv4.ip_forward=1
		for c in all default lan0; do sysctl -qw net.ipv4.conf.$c.rp_filter=0; done'
	if [ "$1" = b4 ]; then
		DEV=b4dev
		"$LW4O6" -n "$B4" dev add $DEV mode b4 local 2001:db8:1::2 \
			remote 2001:db8:ff::1 ipv4 192.0.2.1 psid 5/4 offset 2 || return 1
		# unsolicited packets to the address end here, not back in the softwire
		ip -n "$B4" addr add 192.0.2.1/32 dev $DEV
	else
		DEV=ds0
		"$LW4O6" -n "$B4" dev add $DEV mode dslite local 2001:db8:1::2 \
			remote 2001:db8:ff::2 || return 1
		ip -n "$B4" addr add 192.0.0.2/32 dev $DEV
	fi
	ip -n "$B4" link set $DEV up
	ip -n "$B4" route add default dev $DEV
}

stats() { "$LW4O6" -n "$B4" -j stats show dev "$DEV"; }
# counters_add_up FILE: every packet the device took is sent, dropped or
# held for reassembly, per direction (a counter the module lacks counts 0):
#   rcvd-ipv4 == sent-ipv6 + dropped-ipv4 + queued-ipv4-fragments
#   rcvd-ipv6 == sent-ipv4 + dropped-ipv6 + queued-softwire-fragments
counters_add_up() {
	jq -e 'def c(k): .[k] // 0;
		c("rcvd_ipv4_packets") == c("sent_ipv6_packets") + c("dropped_ipv4_packets") +
					  c("queued_ipv4_fragments") and
		c("rcvd_ipv6_packets") == c("sent_ipv4_packets") + c("dropped_ipv6_packets") +
					  c("queued_softwire_fragments")' "$1" > /dev/null && return 0
	jq -c '{"rcvd_ipv4_packets", "sent_ipv6_packets", "dropped_ipv4_packets",
		"queued_ipv4_fragments", "rcvd_ipv6_packets", "sent_ipv4_packets",
		"dropped_ipv6_packets", "queued_softwire_fragments"}' "$1"
	return 1
}
# settled FILE: a snapshot whose counters add up; packets still on their
# way through the device (replies to the fuzz) get three seconds to finish.
settled() {
	local i
	for i in $(seq 30); do
		stats > "$1"
		counters_add_up "$1" > /dev/null && return 0
		sleep 0.1
	done
}
delta() {	# BEFORE AFTER COUNTER
	jq -n --slurpfile a "$1" --slurpfile b "$2" "(\$b[0][\"${3//-/_}\"] // 0) - (\$a[0][\"${3//-/_}\"] // 0)"
}
counter_summary() {	# BEFORE AFTER: one jq (it starts slowly in the guest)
	ktap_diag "counters: $(jq -rn --slurpfile a "$1" --slurpfile b "$2" '
		["rcvd_ipv4_packets", "sent_ipv6_packets", "dropped_ipv4_packets",
		 "queued_ipv4_fragments", "rcvd_ipv6_packets", "sent_ipv4_packets",
		 "dropped_ipv6_packets", "queued_softwire_fragments", "ipv6_fragments_reassembled",
		 "drop_malformed", "drop_out_of_port_set_ipv4", "drop_port_set_exhausted",
		 "drop_no_source_softwire_ipv6", "drop_no_dest_softwire_ipv4", "drop_ttl_zero_ipv4",
		 "drop_over_mtu_but_dont_fragment_ipv4", "drop_in_by_policy_icmpv6",
		 "out_icmpv4_error_packets"][] as $k | select($b[0] | has($k)) |
		"\($k) +\($b[0][$k] - ($a[0][$k] // 0))"' | xargs)"
}

# phase MODE NAME: one device, both sets.
phase() {
	local mode=$1 name=$2 s=$TMPDIR/$1 r4 r6 n4 n6 t0=$SECONDS
	check_cmd "$name: topology and device" b4_topology "$mode"
	check_cmd "$name: before: LAN host UDP to the internet and back" \
		ip netns exec "$LAN" $ECHO udp 198.51.100.1 7777
	check_cmd "$name: before: LAN host TCP to the internet and back" \
		ip netns exec "$LAN" $ECHO tcp 198.51.100.1 7777
	stats > "$s-0.json"
	r4=$(ip netns exec "$LAN" $INJECT e0 "$DATA/$mode-lan.pcap")
	settled "$s-1.json"
	r6=$(ip netns exec "$AFTR" $INJECT b0 "$DATA/$mode-wan.pcap")
	settled "$s-2.json"
	ktap_diag "$name: LAN side sent/failed/secs $r4, IPv6 side $r6;" \
		"conntrack entries $(ip netns exec "$B4" cat /proc/sys/net/netfilter/nf_conntrack_count 2> /dev/null || echo -)"
	counter_summary "$s-0.json" "$s-2.json"
	n4=$(meta ".\"$mode-lan\".packets") n6=$(meta ".\"$mode-wan\".packets")
	check_cmd "$name: $n4 + $n6 frames injected (>= 50000 per side)" \
		test "${r4%% *}" -eq "$n4" -a "${r6%% *}" -eq "$n6" -a "$n4" -ge 50000 -a "$n6" -ge 50000
	check_cmd "$name: IPv4 from the LAN into the device counted (>= $(meta ".\"$mode-lan\".reaches"))" \
		test "$(delta "$s-0.json" "$s-1.json" rcvd-ipv4-packets)" -ge "$(meta ".\"$mode-lan\".reaches")"
	check_cmd "$name: IPv4-in-IPv6 and ICMPv6 errors to local counted (>= $(meta ".\"$mode-wan\".reaches"))" \
		test "$(delta "$s-1.json" "$s-2.json" rcvd-ipv6-packets)" -ge "$(meta ".\"$mode-wan\".reaches")"
	check_cmd "$name: counters add up after the LAN set" counters_add_up "$s-1.json"
	check_cmd "$name: counters add up after the IPv6 set" counters_add_up "$s-2.json"
	check_cmd "$name: some sent and some dropped, both ways" \
		test "$(delta "$s-0.json" "$s-2.json" sent-ipv6-packets)" -gt 0 -a \
		     "$(delta "$s-0.json" "$s-2.json" dropped-ipv4-packets)" -gt 0 -a \
		     "$(delta "$s-0.json" "$s-2.json" sent-ipv4-packets)" -gt 0 -a \
		     "$(delta "$s-0.json" "$s-2.json" dropped-ipv6-packets)" -gt 0
	check_cmd "$name: after: LAN host UDP to the internet and back" \
		ip netns exec "$LAN" $ECHO udp 198.51.100.1 7777
	check_cmd "$name: after: LAN host TCP to the internet and back" \
		ip netns exec "$LAN" $ECHO tcp 198.51.100.1 7777
	settled "$s-3.json"
	check_cmd "$name: after: counters still add up" counters_add_up "$s-3.json"
	ktap_diag "$name: phase took $((SECONDS - t0)) s"
}

phase b4 "lwB4"
cleanup_ns "$B4" "$LAN"
phase ds "DS-Lite B4"
ktap_finish
