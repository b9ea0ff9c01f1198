#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the lwB4 NAPT benchmark (see run.sh and docs/performance.md).
# Runs in the icount VM: pktgen in a LAN namespace sends IPv4 UDP through a
# router namespace that NATs it into 192.0.2.1's port set and encapsulates
# it to the AFTR, either with stock parts (ip6tnl + nftables snat) or with
# our b4 device; the sink only counts and drops.  One router namespace per
# case, each on its own pair of veths; every case runs once per round,
# rounds interleaved; the router's conntrack table is flushed before every
# run.  Result lines are prefixed "B4BENCH ".
#
#   gen (LAN)              rCASE (the B4)                                snk
#   g_CASE (pktgen) ---- r0 192.168.1.1        r1 ---- s_CASE (tc drop)
#                         default dev t0 (ip6tnl) + nft snat  (st)
#                         default dev t0, no NAT, no conntrack (tnl)
#                         default dev b0 (lw4o6 mode b4)      (b4, b6)
#                         tc drop at r0's ingress             (gen)
#                         lo 2001:db8:1::2, AFTR 2001:db8:ff::1 via r1
#
# est: one flow (same 5-tuple), $pkts packets: the established per-packet cost.
# new: $nflows packets from $nflows source ports (pktgen's sequential
#      udp_src), one packet each, to one destination: every packet makes a
#      conntrack entry and has its port picked (the set has 4096 / 4032).
# gen: the same streams dropped by tc at the router's ingress: the
#      generator's own cost, subtracted to give the router's.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
L=$top/userspace/lw4o6/lw4o6
PY=/usr/bin/python3
rounds=${LW4O6_BENCH_ROUNDS:-3}
pkts=${LW4O6_BENCH_PKTS:-100000}
nflows=${LW4O6_BENCH_FLOWS:-3000}

source "$top/selftests/bench/lib.sh"
bench_insmod
for m in pktgen ip6_tunnel veth sch_ingress cls_matchall act_gact \
	 nf_tables nft_chain_nat nft_nat nf_conntrack_netlink; do
	modprobe "$m" 2>/dev/null || true
done

INET=198.51.100.1		# the internet host the LAN talks to
V4=192.0.2.1			# the B4's address
LOCAL=2001:db8:1::2 AFTR=2001:db8:ff::1
SPORT=40000			# the established flow's LAN port (outside every set)
NSPORT=10000			# new flows: LAN ports NSPORT .. NSPORT+nflows-1
DPORT=7777
routers="gen tnl st b4 b6"
PG=/proc/net/pktgen
pg() { ip netns exec gen sh -c "echo '$2' > $PG/$1"; }
mac() { printf '02:00:00:00:%02x:%02x' "$1" "$2"; }	# CASE-INDEX PORT

# The sink's check rules for CASE: each matches (counts, drops) an
# IPv4-in-IPv6 packet that is not what the case must send: no extension
# headers (the inner header at @nh,320), inner IPv4 UDP from 192.0.2.1 and
# a source port (@nh,480,16) of the case's set.
sink_rules() {
	local b="counter name bad_$1 drop"
	echo "ip6 nexthdr != 4 $b"
	echo "@nh,320,8 != 0x45 $b"
	echo "@nh,392,8 != 17 $b"
	case $1 in
	tnl) ;;	# no NAT: the LAN's own address and port
	st|b4)
		echo "@nh,416,32 != 0xc0000201 $b"
		echo "@nh,480,16 != 4096-8191 $b" ;;
	b6)	# offset 6, PSID 0xd/4: (i << 10) | (0xd << 6) | j, i >= 1, j < 64
		echo "@nh,416,32 != 0xc0000201 $b"
		echo "@nh,480,16 < 1024 $b"
		echo "@nh,480,16 & 0x3c0 != 0x340 $b" ;;
	esac
}

for n in gen snk; do ip netns del $n 2>/dev/null || true; ip netns add $n; ip -n $n link set lo up; done
i=0
for c in $routers; do
	i=$((i + 1))
	r=r$c
	ip netns del $r 2>/dev/null || true
	ip netns add $r
	ip -n $r link set lo up
	# IPv4 forwarding only: the router originates its IPv6 (the tunnel)
	ip netns exec $r sysctl -qw net.ipv4.ip_forward=1
	ip -n gen link add g_$c address "$(mac $i 1)" type veth peer name r0 address "$(mac $i 2)" netns $r
	ip -n $r link add r1 address "$(mac $i 3)" type veth peer name s_$c address "$(mac $i 4)" netns snk
	# no IPv6 addresses on the links (so no ND, MLD or RS): nothing but
	# the streams reaches the router and the sink
	ip -n gen link set g_$c addrgenmode none; ip -n $r link set r0 addrgenmode none
	ip -n $r link set r1 addrgenmode none; ip -n snk link set s_$c addrgenmode none
	ip -n $r addr add 192.168.1.1/24 dev r0
	ip -n $r addr add $LOCAL/128 dev lo nodad
	ip -n gen link set g_$c up; ip -n $r link set r0 up
	ip -n $r link set r1 up; ip -n snk link set s_$c up
	ip -n $r -6 route add $AFTR/128 dev r1
	ip -n $r -6 neigh add $AFTR lladdr "$(mac $i 4)" dev r1 nud permanent
	case $c in
	gen)
		ip netns exec $r tc qdisc add dev r0 clsact
		ip netns exec $r tc filter add dev r0 ingress pref 1 matchall action drop
		;;
	tnl|st)
		ip -n $r -6 tunnel add t0 mode ip4ip6 local $LOCAL remote $AFTR encaplimit none
		ip -n $r link set t0 addrgenmode none 2>/dev/null || true
		ip -n $r link set t0 up
		ip -n $r route add default dev t0
		;;
	b4|b6)
		set_="psid 1/4"
		[ $c = b6 ] && set_="psid 0xd/4 offset 6"
		# shellcheck disable=SC2086
		$L -n $r dev add b0 mode b4 local $LOCAL remote $AFTR ipv4 $V4 $set_
		# (without this the router's stack sends Router Solicitations into
		# b0, which drops and counts them)
		ip -n $r link set b0 addrgenmode none 2>/dev/null || true
		ip -n $r link set b0 up
		ip -n $r route add default dev b0
		;;
	esac
	if [ $c = st ]; then
		ip netns exec $r nft -f - <<-EOF2
		table ip nat {
			chain post {
				type nat hook postrouting priority srcnat;
				oifname "t0" meta l4proto { tcp, udp } snat to $V4:4096-8191
			}
		}
		EOF2
	fi
done
# the sink, for the check runs: nftables counts every packet (seen_CASE)
# and those not as the case must send them (bad_CASE)
{
	echo "table netdev sink {"
	for c in $routers; do
		[ $c = gen ] && continue
		echo "counter seen_$c {}"; echo "counter bad_$c {}"
		echo "chain in_$c {"
		echo "type filter hook ingress device \"s_$c\" priority 0; policy drop;"
		echo "counter name seen_$c"
		sink_rules $c
		echo "}"
	done
	echo "}"
} | ip netns exec snk nft -f -
sink_tc() {	# the sink for the timed runs: tc drop, counted by the veth
	local c
	ip netns exec snk nft delete table netdev sink
	for c in $routers; do
		[ $c = gen ] && continue
		ip netns exec snk tc qdisc add dev s_$c clsact
		ip netns exec snk tc filter add dev s_$c ingress pref 1 matchall action drop
	done
}

pg_setup() {	# CASE KIND [COUNT]: pktgen on g_CASE, one flow or nflows flows
	local c=$1 i=0 x
	for x in $routers; do i=$((i + 1)); [ $x = "$c" ] && break; done
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device g_$c"
	pg g_$c "pkt_size 128"
	pg g_$c "delay 0"
	pg g_$c "clone_skb 0"
	pg g_$c "burst 1"
	pg g_$c "dst $INET"; pg g_$c "src_min 192.168.1.2"; pg g_$c "src_max 192.168.1.2"
	pg g_$c "dst_mac $(mac $i 2)"
	pg g_$c "udp_dst_min $DPORT"; pg g_$c "udp_dst_max $DPORT"
	if [ "$2" = est ]; then
		pg g_$c "count ${3:-$pkts}"
		pg g_$c "udp_src_min $SPORT"; pg g_$c "udp_src_max $SPORT"
	else
		# sequential: pktgen wraps when it reaches udp_src_max, so
		# min .. max-1 are the ports sent
		pg g_$c "count $nflows"
		pg g_$c "udp_src_min $NSPORT"; pg g_$c "udp_src_max $((NSPORT + nflows))"
	fi
}

sinkrx() { [ "$1" = gen ] && { echo 0; return; }; ip netns exec snk cat /sys/class/net/s_$1/statistics/rx_packets; }
backlog_drops() {	# per-CPU input backlog drops (softnet_stat column 2)
	local _ d _r n=0
	while read -r _ d _r; do n=$((n + 16#$d)); done < /proc/net/softnet_stat
	echo $n
}
ctflush() { case $1 in st|b4|b6) ip netns exec r$1 $PY "$top/selftests/lib/py/ct_flush.py" ;; esac; }
ctcount() { ip netns exec r$1 cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo -; }
# run_pg CASE -> "NS_PER_PACKET SENT DELIVERED BACKLOG-DROPS CONNTRACK-ENTRIES"
run_pg() {
	local s0 s1 b0 b1 res us sent ct
	ctflush "$1"
	s0=$(sinkrx "$1"); b0=$(backlog_drops)
	pg pgctrl start
	ct=$(ctcount "$1")
	s1=$(sinkrx "$1"); b1=$(backlog_drops)
	res=$(ip netns exec gen cat $PG/g_"$1")
	us=$(echo "$res" | sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p')
	sent=$(echo "$res" | sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p')
	[ -n "$us" ] || { echo "pktgen failed: $res" >&2; exit 1; }
	echo "$(echo "$us * 1000 / $sent" | bc -l) $sent $((s1 - s0)) $((b1 - b0)) $ct"
}
b0stat() { $L -n r$1 -j stats show dev b0 | jq ".[\"${2//-/_}\"]"; }
nftc() {	# COUNTER: packets of the sink's named counter
	ip netns exec snk nft -j list counter netdev sink "$1" |
		jq '.nftables[] | select(.counter) | .counter.packets'
}

# case names: KIND_CASE
cases="est_gen est_tnl est_st est_b4 est_b6 new_gen new_st new_b4 new_b6"
declare -A ns lost
# Check run of every case (not timed): the sink's nftables rules count
# packets that are not IPv4-in-IPv6 from 192.0.2.1 with a UDP source port
# of the case's set; they must stay 0, and nothing may be lost.
ok=1
for kc in $cases; do
	k=${kc%_*} c=${kc#*_}
	pg_setup "$c" "$k" 2000
	read -r t sent got bl ct <<< "$(run_pg "$c")"
	msg="sent $sent, sink $got, backlog drops $bl"
	[ "$c" = tnl ] || [ "$c" = gen ] || msg="$msg, conntrack entries $ct"
	if [ "$c" != gen ]; then
		seen=$(nftc seen_$c) bad=$(nftc bad_$c)
		msg="$msg, sink nft: seen $seen, wrong $bad"
		[ "$sent" = "$got" ] && [ "$seen" = "$sent" ] && [ "$bad" = 0 ] || ok=0
		ip netns exec snk nft reset counters table netdev sink > /dev/null
	else
		[ "$got" = 0 ] || ok=0
	fi
	echo "B4CHECK $kc: $msg"
done
sink_tc
[ $ok = 1 ] || echo "# WARNING: some check failed; see above" >&2

for r in $(seq 1 "$rounds"); do
	for kc in $cases; do
		k=${kc%_*} c=${kc#*_}
		pg_setup "$c" "$k"
		read -r t sent got bl ct <<< "$(run_pg "$c")"
		ns[$kc]="${ns[$kc]:-} $t"
		[ "$c" = gen ] || lost[$kc]=$(( ${lost[$kc]:-0} + sent - got ))
		printf '# round %d %-8s %8.1f ns/packet  sent %d  sink %d  backlog-drops %d  conntrack %s\n' \
			"$r" "$kc" "$t" "$sent" "$got" "$bl" "$ct"
	done
done
for c in b4 b6; do
	echo "B4CHECK b0 in r$c after all runs:" \
		"$($L -n r$c -j stats show dev b0 | jq -c 'with_entries(select(.value != 0 and .key != "discontinuity_time"))')"
done
for n in gen snk; do ip netns del $n; done
for c in $routers; do ip netns del r$c; done

# ---- the table ----
min() { tr ' ' '\n' | grep . | sort -g | head -n1; }
max() { tr ' ' '\n' | grep . | sort -g | tail -n1; }
declare -A best spread
for kc in $cases; do
	best[$kc]=$(echo "${ns[$kc]}" | min)
	spread[$kc]=$(printf '%.2f' "$(echo "(($(echo "${ns[$kc]}" | max)) / ${best[$kc]} - 1) * 100" | bc -l)")
done
f1() { printf '%.0f' "$1"; }
f2() { printf '%.2f' "$1"; }
rc() { echo "${best[$1]} - ${best[$2]}" | bc -l; }	# router cost: case - gen-only
ratio() { f2 "$(echo "$1 / $2" | bc -l)"; }
row() {	# CASE LABEL GEN [VS-CASE GOAL]
	local c=$1 lab=$2 g=$3 vs=${4:-} goal=${5:-} r1 r2=""
	r1=$(rc "$c" "$g")
	if [ -n "$vs" ]; then r2="**$(ratio "$r1" "$(rc "$vs" "$g")")** x ${vs#*_}"; fi
	echo "B4BENCH | $lab | $(f1 "${best[$c]}") | ${spread[$c]} % | $(f1 "$r1") | $r2 | $goal | ${lost[$c]:-} |"
}
echo "B4BENCH | kernel $(uname -r), 128-byte UDP, best of $rounds rounds | ns/packet (whole chain) | spread | router ns/packet (minus gen-only) | ratio (router ns) | goal | lost |"
echo "B4BENCH |---|---|---|---|---|---|---|"
echo "B4BENCH | ESTABLISHED, one flow, $pkts packets: generator only (tc drop at router ingress) | $(f1 "${best[est_gen]}") | ${spread[est_gen]} % | 0 | | | |"
row est_tnl "ip6tnl, no NAT (no conntrack)" est_gen
row est_st  "stock: ip6tnl + nft snat to $V4:4096-8191" est_gen est_tnl
row est_b4  "lw4o6 b4, psid 1/4 (4096-8191)" est_gen est_st "<= 1.10 x st"
row est_b6  "lw4o6 b4, psid 0xd/4 offset 6 (4032 ports)" est_gen est_b4
echo "B4BENCH | NEW FLOWS, $nflows source ports, one packet each: generator only | $(f1 "${best[new_gen]}") | ${spread[new_gen]} % | 0 | | | |"
row new_st  "stock: ip6tnl + nft snat to $V4:4096-8191" new_gen
row new_b4  "lw4o6 b4, psid 1/4 (4096-8191)" new_gen new_st "<= 1.10 x st"
row new_b6  "lw4o6 b4, psid 0xd/4 offset 6 (4032 ports)" new_gen new_b4
