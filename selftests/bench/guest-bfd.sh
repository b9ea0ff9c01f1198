#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the BFD responder benchmark (see run.sh and
# docs/performance.md, "The lwAFTR's BFD responder").  Runs in the icount
# VM (one CPU): userspace/lw4o6d/tests/bench_bfd plays N B4s, each an RFC
# 5880 session of the daemon's own code in its own softwire, against
# lw4o6d's responder on an lwAFTR; the guest's one CPU carries the
# generator, the kernel both ways and the responder.  It measures, over
# a window in steady state: the responder's CPU share (lw4o6d's
# utime + stime), the whole guest's busy share, packets each way, and
# that no session went Down.  The baseline in the same boot: the same B4s
# pinging 192.0.0.1 at one packet per interval each, which the module
# answers itself (a packet in, a packet out, no daemon).
# Result lines are prefixed "BFDBENCH ".
#
#   bgen                                       baftr
#   bench_bfd: B4s 2001:db8:b4::1..N (a /96),   lw0 (aftr, local 2001:db8:ff::1)
#   frames through a packet socket on g0        + lw4o6d (bfd on, responder)
#   g0 2001:db8:a::2 -------------------------- a0 2001:db8:a::1
#                                               2001:db8:b4::/96 via a::2
#
# LW4O6_BENCH_BFD="N:MS ..." picks the cases (sessions:interval in ms).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
L=$top/userspace/lw4o6/lw4o6
D=$top/userspace/lw4o6d/lw4o6d
G=$top/userspace/lw4o6d/tests/bench_bfd
cases=${LW4O6_BENCH_BFD:-100000:10000 100000:30000}
ramp=${LW4O6_BENCH_RAMP:-2000}	# sessions started per second
dir=/tmp/lw4o6-bfd-bench
PFX=2001:db8:b4::

[ -x "$G" ] || { echo "guest-bfd: $G missing (make -C userspace/lw4o6d tests/bench_bfd)" >&2; exit 1; }
source "$top/selftests/bench/lib.sh"
bench_insmod
modprobe veth 2>/dev/null || true
# the responder's control group: a burst of 64k answers at start fits
sysctl -qw net.core.rmem_max=$((64 << 20))
sysctl -qw net.core.rmem_default=$((16 << 20))
sysctl -qw net.core.wmem_default=$((16 << 20))

rm -rf "$dir"; mkdir -p "$dir"
for ns in bgen baftr; do ip netns del $ns 2>/dev/null || true; ip netns add $ns; ip -n $ns link set lo up; done
ip -n bgen link add g0 type veth peer name a0 netns baftr
ip -n bgen addr add 2001:db8:a::2/64 dev g0 nodad
ip -n baftr addr add 2001:db8:a::1/64 dev a0 nodad
# a long queue: the generator sends in bursts of 64
ip -n bgen link set g0 txqueuelen 10000 up
ip -n baftr link set a0 txqueuelen 10000 up
ip -n baftr -6 route add ${PFX}/96 via 2001:db8:a::2
# one neighbour for the whole /96, resolved before the clock starts
ip -n baftr neigh replace 2001:db8:a::2 lladdr "$(ip netns exec bgen cat /sys/class/net/g0/address)" dev a0 nud permanent
MAC=$(ip netns exec baftr cat /sys/class/net/a0/address)
# Each B4 its own control bucket at well above BFD's rate; the device's
# at its ceiling: what is measured is the responder, not the limiter.
$L -n baftr dev add lw0 mode aftr local 2001:db8:ff::1 icmp-rate 1000000 \
	control-rate 1000000 control-prefix-rate 100 control-prefix-len 128
ip -n baftr link set lw0 up

# conf MS N: the lwAFTR with its responder at MS
conf() {
	cat > "$dir/aftr.conf" <<EOT
role aftr
device lw0
storage sqlite $dir/aftr.db
listen 2001:db8:a::1
log-level notice
pool 10.0.0.0/16 psid-len 6
bfd on
bfd-interval $1
bfd-multiplier 3
bfd-max-sessions $2
bfd-state-file $dir/bfd.state
EOT
}
DPID=
start_daemon() {
	rm -f "$dir"/aftr.db*
	: > "$dir/aftr.log"
	ip netns exec baftr "$D" -c "$dir/aftr.conf" >> "$dir/aftr.log" 2>&1 &
	DPID=$!
	bench_wait_aftr guest-bfd "$DPID" "$dir/aftr.log"
}
stop_daemon() {
	kill "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=
	grep "BFD responder:" "$dir/aftr.log" | tail -n 1 >&2 || true
}
trap '[ -z "$DPID" ] || kill "$DPID" 2>/dev/null' EXIT
gen() { ip netns exec bgen "$G" "$@" -I g0 -M "$MAC" -a 2001:db8:ff::1 -b $PFX -r "$ramp"; }
val() { sed -n "s/.* $1 \([^ ]*\).*/\1/p"; }	# KEY < line
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }	# PID: kB

declare -A line
for c in $cases; do
	n=${c%:*} ms=${c#*:}
	echo "guest-bfd: $n B4s pinging 192.0.0.1 every $ms ms (the module answers)" >&2
	line[echo-$c]=$(gen echo -n "$n" -i "$ms")
	echo "guest-bfd: ${line[echo-$c]}" >&2

	echo "guest-bfd: $n BFD sessions at $ms ms against lw4o6d" >&2
	conf "$ms" "$n"
	start_daemon
	rss0=$(rss "$DPID")
	line[bfd-$c]="$(gen bfd -n "$n" -i "$ms" -p "$DPID") rss0_kb $rss0 rss_kb $(rss "$DPID")"
	echo "guest-bfd: ${line[bfd-$c]}" >&2
	stop_daemon
	up=$(echo "${line[bfd-$c]}" | val up) downs=$(echo "${line[bfd-$c]}" | val downs)
	if [ "$up" != "$n" ] || [ "$downs" != 0 ]; then
		echo "guest-bfd: $c: $up of $n sessions Up, $downs went Down in the window: the responder did not keep up" >&2
		rc=1
	fi
done

# per packet (us of guest CPU): SHARE x window / (tx + rx)
per_pkt() {
	local l=${line[$1]}
	awk -v s="$(echo "$l" | val "$2")" -v w="$(echo "$l" | val window_s)" \
	    -v t="$(echo "$l" | val tx)" -v r="$(echo "$l" | val rx)" \
	    'BEGIN { printf "%.1f", s * w * 1e6 / (t + r) }'
}
pct() { awk -v s="$(echo "${line[$1]}" | val "$2")" 'BEGIN { printf "%.1f %%", s * 100 }'; }
P=BFDBENCH
echo "$P | kernel $(uname -r), one guest CPU | sessions | interval | packets/s in + out | responder (lw4o6d) CPU | responder us/packet | whole guest busy | guest us/packet | ratio: guest us/packet vs ping | sessions Up, went Down | lw4o6d memory per session | goal |"
echo "$P |---|---|---|---|---|---|---|---|---|---|---|---|"
for c in $cases; do
	n=${c%:*} ms=${c#*:}
	e=echo-$c b=bfd-$c
	pps() { awk -v a="$(echo "${line[$1]}" | val tx_pps)" -v b="$(echo "${line[$1]}" | val rx_pps)" 'BEGIN { printf "%.0f + %.0f", a, b }'; }
	goal=
	[ "$c" = 100000:10000 ] && goal="responder < 25 %"
	echo "$P | baseline: ping 192.0.0.1, answered by the module | $n | $((ms / 1000)) s | $(pps $e) | | | $(pct $e busy_share) | $(per_pkt $e busy_share) | 1.00 | | | |"
	echo "$P | **BFD, lw4o6d's responder** | $n | $((ms / 1000)) s | $(pps $b) | **$(pct $b responder_share)** | $(per_pkt $b responder_share) | $(pct $b busy_share) | $(per_pkt $b busy_share) | $(awk -v a="$(per_pkt $b busy_share)" -v b="$(per_pkt $e busy_share)" 'BEGIN { printf "%.2f", a / b }') | $(echo "${line[$b]}" | val up), $(echo "${line[$b]}" | val downs) | $(echo "${line[$b]}" | awk -v n="$n" '{ for (i = 1; i < NF; i++) v[$i] = $(i + 1); printf "%.0f bytes", (v["rss_kb"] - v["rss0_kb"]) * 1024 / n }') | $goal |"
done
ip netns del bgen; ip netns del baftr
exit "${rc:-0}"
