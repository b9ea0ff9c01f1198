#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the data-path benchmark (see run.sh and docs/performance.md).
# Runs in the icount VM: pktgen streams through a router namespace that
# forwards, runs a stock ip6tnl, or runs lw4o6; every case runs once per
# round, rounds interleaved; result lines are prefixed "DPBENCH ".
#
#   gen                          rtr                                 snk
#   g0 (pktgen xmit, encap) ---- r0   forward / st0 / ste / lw1 / lwM   r1 ---- s0
#   d0 (dummy; pktgen netif_receive, decap) -> gt_* ip6tnl (the B4s) -> g0   (tc drop)
#
# ENCAP: IPv4 UDP to the binding's address and port -> router -> sink.
# DECAP: pktgen's IPv4 is encapsulated by a stock ip6tnl in gen (outer
#        source = the binding's B4): IPv4-in-IPv6 -> router -> IPv4 -> sink.
# gen-only: the same stream, dropped by tc at the router's ingress: the
#        generator's own cost, subtracted to give the router's cost.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
L=$top/userspace/lw4o6/lw4o6
BIG=${LW4O6_BENCH_TABLE:-$top/build/testdata/bind1m.txt}
PY=/usr/bin/python3
rounds=${LW4O6_BENCH_ROUNDS:-3}
pkts=${LW4O6_BENCH_PKTS:-100000}
nupd=${LW4O6_BENCH_UPDATES:-30000}
N=$(wc -l < "$BIG")

source "$top/selftests/bench/lib.sh"
bench_insmod
for m in pktgen ip6_tunnel veth dummy sch_ingress cls_matchall act_gact; do
	modprobe "$m" 2>/dev/null || true
done

# The binding under traffic: the first shared one (offset 6, PSID length 2)
# of the 1M table; PSID 1 owns ports (i << 10) | (1 << 8) | j, i >= 1.
hot=$(grep -m1 ' psid 1/2 offset 6 ' "$BIG")
read -r _ V4 _ _ _ _ _ B4 <<< "$hot"
PORT=1300			# 1024 + 256 + 20: in PSID 1's set
INET=198.51.100.1		# the Internet host (behind the sink)
A1=2001:db8:a::1		# stock AFTR (ip6tnl) address
L1=2001:db8:a::11		# lw1: 1 binding
LM=2001:db8:a::12		# lwM: 1,000,000 bindings
F6=2001:db8:f::1		# plain IPv6 forwarding target (decap baseline)
MG=02:00:00:00:00:01 MR0=02:00:00:00:00:02 MR1=02:00:00:00:00:03 MS=02:00:00:00:00:04
MD=02:00:00:00:00:05

for n in gen rtr snk; do ip netns del $n 2>/dev/null || true; ip netns add $n; ip -n $n link set lo up; done
G() { ip -n gen "$@"; }
R() { ip -n rtr "$@"; }
S() { ip -n snk "$@"; }
ip netns exec rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip netns exec gen sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0

G link add g0 address $MG type veth peer name r0 address $MR0 netns rtr
R link add r1 address $MR1 type veth peer name s0 address $MS netns snk
# No IPv6 link-local on the sink link: nothing but the stream reaches s0.
R link set r1 addrgenmode none; S link set s0 addrgenmode none
G addr add 192.0.2.1/24 dev g0; G addr add 2001:db8:e::2/64 dev g0 nodad
R addr add 192.0.2.254/24 dev r0; R addr add 2001:db8:e::1/64 dev r0 nodad
R addr add 10.9.9.1/24 dev r1
G link set g0 up; R link set r0 up; R link set r1 up; S link set s0 up
# the sink: count (veth rx counters) and drop at once
ip netns exec snk tc qdisc add dev s0 clsact
ip netns exec snk tc filter add dev s0 ingress pref 1 matchall action drop
R neigh add 10.9.9.2 lladdr $MS dev r1 nud permanent
R route add $INET/32 via 10.9.9.2 dev r1
R -6 route add $B4/128 dev r1; R -6 neigh add $B4 lladdr $MS dev r1 nud permanent
R -6 route add $F6/128 dev r1; R -6 neigh add $F6 lladdr $MS dev r1 nud permanent
R addr add $A1/128 dev lo
G -6 neigh add 2001:db8:e::1 lladdr $MR0 dev g0 nud permanent
G -6 route add 2001:db8:a::/64 via 2001:db8:e::1 dev g0
G -6 route add $F6/128 via 2001:db8:e::1 dev g0

# Router, stock: one ip6tnl per B4 (fixed remote), the B4's IPv4 routed
# into it; decap source check by rp_filter (inner source must route back
# into the tunnel whose remote is the outer source).  And the scalable
# variant for encap: one external (collect_md) ip6tnl, one route per
# binding carrying the B4 as lwtunnel "encap ip6 dst".
R -6 tunnel add st0 mode ip4ip6 local $A1 remote $B4 encaplimit none
R link set st0 up
ip netns exec rtr sysctl -qw net.ipv4.conf.st0.rp_filter=1
R link add ste type ip6tnl external
R link set ste up
# Router, lw4o6: two lwAFTR devices, same hot binding, 1 vs 1M bindings.
$L -n rtr dev add lw1 mode aftr local $L1
$L -n rtr dev add lwM mode aftr local $LM
R link set lw1 up; R link set lwM up
# shellcheck disable=SC2086  # the line's words are the command's
$L -n rtr binding add dev lw1 $hot
a=$(date +%s.%N)
$L -n rtr binding load dev lwM "$BIG"
b=$(date +%s.%N)
echo "# loaded $N bindings into lwM in $(echo "$b - $a" | bc) s (guest)"

# Generator side of the decap stream: the B4's own stock ip6tnl, one per
# destination (forwarding baseline, stock AFTR, lw1, lwM), all from the B4.
G addr add $B4/128 dev lo nodad
G link add d0 address $MD type dummy
G link set d0 up
G addr add 203.0.113.1/24 dev d0
for t in "f $F6" "s $A1" "1 $L1" "m $LM"; do
	G -6 tunnel add gt_${t%% *} mode ip4ip6 local $B4 remote ${t#* } encaplimit none
	G link set gt_${t%% *} up
done
G route add $INET/32 dev gt_f

PG=/proc/net/pktgen
pg() { ip netns exec gen sh -c "echo '$2' > $PG/$1"; }
pg_setup() {	# DEV: a fresh pktgen device on kpktgend_0
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device $1"
	pg "$1" "count $pkts"
	pg "$1" "pkt_size 128"
	pg "$1" "delay 0"
	pg "$1" "clone_skb 0"
	pg "$1" "burst 1"
}
pg_dev() {	# DEV: g0 for the encap stream, d0 for the decap stream
	pg_setup "$1"
	if [ "$1" = d0 ]; then
		pg d0 "xmit_mode netif_receive"
		pg d0 "dst $INET"; pg d0 "src_min $V4"; pg d0 "src_max $V4"
		pg d0 "dst_mac $MD"
		pg d0 "udp_src_min $PORT"; pg d0 "udp_src_max $PORT"
		pg d0 "udp_dst_min 9"; pg d0 "udp_dst_max 9"
	else
		pg g0 "dst $V4"; pg g0 "src_min 192.0.2.1"; pg g0 "src_max 192.0.2.1"
		pg g0 "dst_mac $MR0"
		pg g0 "udp_src_min 9"; pg g0 "udp_src_max 9"
		pg g0 "udp_dst_min $PORT"; pg g0 "udp_dst_max $PORT"
	fi
}

sinkrx() { ip netns exec snk cat /sys/class/net/s0/statistics/rx_packets; }
# run_pg DEV -> "NS_PER_PACKET SENT DELIVERED"
run_pg() {
	local s0 s1 res us sent
	pg_dev "$1"
	s0=$(sinkrx)
	pg pgctrl start
	s1=$(sinkrx)
	res=$(ip netns exec gen cat $PG/"$1")
	us=$(echo "$res" | sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p')
	sent=$(echo "$res" | sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p')
	[ -n "$us" ] || { echo "pktgen failed: $res" >&2; exit 1; }
	echo "$(echo "$us * 1000 / $sent" | bc -l) $sent $((s1 - s0))"
}

gen_only() {	# on / off: tc drop at the router's ingress
	if [ "$1" = on ]; then
		ip netns exec rtr tc qdisc add dev r0 clsact
		ip netns exec rtr tc filter add dev r0 ingress pref 1 matchall action drop
	else
		ip netns exec rtr tc qdisc del dev r0 clsact
	fi
}
# Each case: set the router (and generator) up for it, then run.
case_setup() {
	case $1 in
	e_gen)   gen_only on; R route replace $V4/32 via 10.9.9.2 dev r1 ;;
	e_fwd)   R route replace $V4/32 via 10.9.9.2 dev r1 ;;
	e_st)    R route replace $V4/32 dev st0 ;;
	e_lwt)   R route replace $V4/32 encap ip6 dst $B4 dev ste ;;
	e_lw1)   R route replace $V4/32 dev lw1 ;;
	e_lwM)   R route replace $V4/32 dev lwM ;;
	d_gen)   gen_only on; G route replace $INET/32 dev gt_f ;;
	d_fwd)   G route replace $INET/32 dev gt_f ;;
	d_st)    G route replace $INET/32 dev gt_s; R route replace $V4/32 dev st0 ;;
	d_lw1)   G route replace $INET/32 dev gt_1; R route replace $V4/32 dev lw1 ;;
	d_lwM)   G route replace $INET/32 dev gt_m; R route replace $V4/32 dev lwM ;;
	esac
}
case_dev() { case $1 in e_*) echo g0 ;; *) echo d0 ;; esac; }
R route add $V4/32 via 10.9.9.2 dev r1
R neigh add $V4 lladdr $MS dev r1 nud permanent 2>/dev/null || true
R neigh replace 10.9.9.2 lladdr $MS dev r1 nud permanent

cases="e_gen e_fwd e_st e_lwt e_lw1 e_lwM d_gen d_fwd d_st d_lw1 d_lwM"
declare -A ns lost
# A short warm-up of every case (also checks each path works end to end).
ok=1
for c in $cases; do
	case_setup "$c"
	read -r t sent got <<< "$(pkts=2000 run_pg "$(case_dev "$c")")"
	[ "${c#?_}" = gen ] && gen_only off
	want=$sent; [ "${c#?_}" = gen ] && want=0
	if [ "$got" != "$want" ]; then
		echo "# warm-up $c: sent $sent, the sink got $got (want $want)" >&2
		ok=0
	fi
done
[ $ok = 1 ] || echo "# WARNING: some path does not deliver; see above" >&2

for r in $(seq 1 "$rounds"); do
	for c in $cases; do
		case_setup "$c"
		read -r t sent got <<< "$(run_pg "$(case_dev "$c")")"
		[ "${c#?_}" = gen ] && gen_only off
		ns[$c]="${ns[$c]:-} $t"
		[ "${c#?_}" = gen ] || lost[$c]=$(( ${lost[$c]:-0} + sent - got ))
		printf '# round %d %-6s %8.1f ns/packet  sent %d  sink %d\n' "$r" "$c" "$t" "$sent" "$got"
	done
done

# Where lost packets went: the per-CPU input backlog (softnet_stat column
# 2, all namespaces) or lw4o6's own drop counters (lwM, both directions).
backlog_drops() {
	local _ d _r n=0
	while read -r _ d _r; do n=$((n + 16#$d)); done < /proc/net/softnet_stat
	echo $n
}
lw_drops() {
	$L -n rtr -j stats show dev lwM |
		jq '.["dropped_ipv4_packets"] + .["dropped_ipv6_packets"]'
}
# Updates during traffic: pktgen runs until stopped; the updater sends
# $nupd single-binding updates to lwM while the stream goes through lwM.
upd_run() {	# CASE BATCH [noack] -> "UPDATER-LINE | sent N sink M ns/packet T"
	local c=$1 s0 s1 res sent us line
	case_setup "$c"
	local dev; dev=$(case_dev "$c")
	pkts=0 pg_dev "$dev"
	s0=$(sinkrx)
	local b0 d0; b0=$(backlog_drops); d0=$(lw_drops)
	ip netns exec gen sh -c "echo start > $PG/pgctrl" &
	local pgpid=$!
	sleep 0.2
	line=$(ip netns exec rtr $PY "$top/selftests/lib/py/bench_updates.py" lwM "$BIG" "$hot" "$nupd" "$2" ${3:-} || true)
	ip netns exec gen sh -c "echo stop > $PG/pgctrl"
	wait $pgpid || true
	sleep 1
	s1=$(sinkrx)
	res=$(ip netns exec gen cat $PG/"$dev")
	sent=$(echo "$res" | sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p')
	us=$(echo "$res" | sed -n 's/.*Result: OK: \([0-9]*\)(.*/\1/p')
	echo "$line | sent $sent sink $((s1 - s0)) ns/packet $(echo "${us:-0} * 1000 / $sent" | bc -l)" \
		"backlog-drops $(( $(backlog_drops) - b0 )) lw4o6-drops $(( $(lw_drops) - d0 ))"
}
declare -A upd
upd_cases=("e_lwM 64" "d_lwM 64" "e_lwM 1" "e_lwM 64 noack")
for u in "${upd_cases[@]}"; do
	# shellcheck disable=SC2086
	upd[$u]=$(upd_run $u)
	echo "# updates $u: ${upd[$u]}"
done

# ---- the table ----
min() { tr ' ' '\n' | grep . | sort -g | head -n1; }
max() { tr ' ' '\n' | grep . | sort -g | tail -n1; }
declare -A best spread
for c in $cases; do
	best[$c]=$(echo "${ns[$c]}" | min)
	spread[$c]=$(printf '%.2f' "$(echo "(($(echo "${ns[$c]}" | max)) / ${best[$c]} - 1) * 100" | bc -l)")
done
f1() { printf '%.0f' "$1"; }
f2() { printf '%.2f' "$1"; }
rc() { echo "${best[$1]} - ${best[$2]}" | bc -l; }	# router cost: case - gen-only
ratio() { f2 "$(echo "$1 / $2" | bc -l)"; }
row() {	# CASE LABEL GEN [VS-CASE GOAL]
	local c=$1 lab=$2 g=$3 vs=${4:-} goal=${5:-} r1 r2=""
	r1=$(rc "$c" "$g")
	if [ -n "$vs" ]; then r2="$(ratio "$r1" "$(rc "$vs" "$g")") x ${vs#?_}"; fi
	echo "DPBENCH | $lab | $(f1 "${best[$c]}") | ${spread[$c]} % | $(f1 "$r1") | $r2 | $goal | ${lost[$c]:-} |"
}
echo "DPBENCH | kernel $(uname -r), $pkts x 128-byte UDP, best of $rounds rounds | ns/packet (whole chain) | spread | router ns/packet (minus gen-only) | ratio (router ns) | goal | lost |"
echo "DPBENCH |---|---|---|---|---|---|---|"
echo "DPBENCH | ENCAP: generator only (tc drop at router ingress) | $(f1 "${best[e_gen]}") | ${spread[e_gen]} % | 0 | | | |"
row e_fwd "plain IPv4 forwarding" e_gen
row e_st  "stock: ip6tnl ip4ip6 per B4, route to it" e_gen e_fwd
row e_lwt "stock: external ip6tnl, route with encap ip6 dst B4" e_gen e_fwd
row e_lw1 "lw4o6 encap, 1 binding" e_gen e_st "<= 1.0 x st"
row e_lwM "lw4o6 encap, $N bindings" e_gen e_lw1 "<= 1.10 x lw1"
echo "DPBENCH | DECAP: generator only (B4 ip6tnl in gen; tc drop at router ingress) | $(f1 "${best[d_gen]}") | ${spread[d_gen]} % | 0 | | | |"
row d_fwd "plain IPv6 forwarding of the IPv4-in-IPv6 stream" d_gen
row d_st  "stock: ip6tnl ip4ip6 per B4 + rp_filter" d_gen d_fwd
row d_lw1 "lw4o6 decap, 1 binding" d_gen d_st "<= 1.0 x st"
row d_lwM "lw4o6 decap, $N bindings" d_gen d_lw1 "<= 1.10 x lw1"
echo "DPBENCH "
echo "DPBENCH | updates to lwM ($N bindings) during traffic through lwM | updates/s (guest) | updater CPU share | updates per updater CPU-second | errors | pktgen sent | sink got | lost (where) | ns/packet during | goal |"
echo "DPBENCH |---|---|---|---|---|---|---|---|---|---|"
for u in "${upd_cases[@]}"; do
	# updates N errors E seconds S rate R cpu C [first-errno X] | sent A sink B ns/packet T backlog-drops D lw4o6-drops W
	l=${upd[$u]}
	g() { echo "$l" | sed -n "s#.*$1 \([0-9.]*\).*#\1#p"; }
	rate=$(g rate) errs=$(g errors) secs=$(g seconds) cpu=$(g cpu)
	sent=$(g '| sent') got=$(g sink) t=$(g ns/packet)
	bd=$(g backlog-drops) ld=$(g lw4o6-drops)
	share=? per=?
	if [ -n "$cpu" ] && [ -n "$secs" ]; then
		share="$(printf '%.0f' "$(echo "100 * $cpu / $secs" | bc -l)") %"
		per=$(printf '%.0f' "$(echo "$nupd / $cpu" | bc -l)")
	fi
	set -- $u
	dir=encap; [ "$1" = d_lwM ] && dir=decap
	how="$2 per send()"; [ "${3:-}" = noack ] && how="$how, no acks (errors only)"
	echo "DPBENCH | $dir, $nupd updates, $how | ${rate:-?} | $share | $per | ${errs:-?} | ${sent:-?} | ${got:-?} | $(( ${sent:-0} - ${got:-0} )) (backlog ${bd:-?}, lw4o6 ${ld:-?}) | $(f1 "${t:-0}") | >= 10000/s, 0 lost |"
done
