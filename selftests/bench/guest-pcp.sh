#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the PCP provisioning benchmark (see run.sh and
# docs/performance.md, "lw4o6d: PCP provisioning").  Runs in the icount VM:
# userspace/lw4o6d/tests/bench_pcp sends PCP MAP requests with PORT_SET from
# $n B4s (each its own IPv6 source, from a prefix routed locally to the
# generator's namespace) to lw4o6d in the AFTR role, $w outstanding at a
# time, over plain IPv6 UDP; the daemon grants, stores (SQLite, WAL,
# synchronous=FULL, on the guest's tmpfs) and installs each mapping.
# Baselines in the same boot: the same generator against a trivial UDP
# echo server, and the daemon's own kernel install (kern_bind_add, one
# BIND_NEW + ack per binding) and store (256 puts per commit) alone.
# Result lines are prefixed "PCPBENCH ".
#
#   pgen                                      paftr
#   bench_pcp, local route 2001:db8:b::/64    lw0 (aftr) + lw4o6d, listen 2001:db8:a::1
#   g0 2001:db8:a::2 ------------------------ a0 2001:db8:a::1, 2001:db8:b::/64 via a::2
#                                             lw1 (aftr): the kernel-install baseline
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
L=$top/userspace/lw4o6/lw4o6
D=$top/userspace/lw4o6d/lw4o6d
G=$top/userspace/lw4o6d/tests/bench_pcp
rounds=${LW4O6_BENCH_ROUNDS:-3}
n=${LW4O6_BENCH_B4S:-20000}		# B4s (new mappings) per run
w=${LW4O6_BENCH_WINDOW:-256}		# outstanding requests
nlat=${LW4O6_BENCH_LATENCY:-200}	# single requests timed end to end
# The daemon reads up to 256 requests per batch, but its socket gets the
# default receive buffer, which 256 queued requests overflow (each
# datagram costs about 1 KiB of buffer): give every socket 1 MiB.
rmem=${LW4O6_BENCH_RMEM:-1048576}
SRV=2001:db8:a::1
dir=/tmp/lw4o6-pcp-bench

[ -x "$G" ] || { echo "guest-pcp: $G missing (make -C userspace/lw4o6d tests/bench_pcp)" >&2; exit 1; }
source "$top/selftests/bench/lib.sh"
bench_insmod
modprobe veth 2>/dev/null || true
sysctl -qw net.core.rmem_default="$rmem"
sysctl -qw net.core.rmem_max="$((rmem * 4))"

rm -rf "$dir"; mkdir -p "$dir"
for ns in pgen paftr; do ip netns del $ns 2>/dev/null || true; ip netns add $ns; ip -n $ns link set lo up; done
ip -n pgen link add g0 type veth peer name a0 netns paftr
ip -n pgen addr add 2001:db8:a::2/64 dev g0 nodad
ip -n paftr addr add $SRV/64 dev a0 nodad
ip -n pgen link set g0 up
ip -n paftr link set a0 up
ip -n pgen -6 route add local 2001:db8:b::/64 dev lo
ip -n paftr -6 route add 2001:db8:b::/64 via 2001:db8:a::2
$L -n paftr dev add lw0 mode aftr local 2001:db8:ff::1
$L -n paftr dev add lw1 mode aftr local 2001:db8:ff::2
ip -n paftr link set lw0 up
ip -n paftr link set lw1 up

cat > "$dir/aftr.conf" <<EOT
role aftr
device lw0
storage sqlite $dir/aftr.db
listen $SRV
lifetime min 120 max 86400 default 7200
# The load generator's B4s share one /64: each address a subscriber.
subscriber-prefix-len 128
pool 10.0.0.0/16 psid-len 6
EOT
{ cat "$dir/aftr.conf"; echo "log-level notice"; } > "$dir/aftr-notice.conf"

# The same n bindings as a file, for lw4o6 binding load.
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
	printf "ipv4 10.128.%d.%d psid %d/6 b4 2001:db8:b::%x:%x\n",
		int(i / 63 / 256), int(i / 63) % 256, 1 + i % 63,
		int((i + 1) / 65536), (i + 1) % 65536 }' > "$dir/bind.txt"

now() { date +%s.%N; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
udp_drops() {	# receive-buffer drops in paftr, both directions
	{ ip netns exec paftr cat /proc/net/snmp6; ip netns exec pgen cat /proc/net/snmp6; } |
		awk '$1 == "Udp6RcvbufErrors" { s += $2 } END { print s + 0 }'
}
val() { sed -n "s/.* $1 \([^ ]*\).*/\1/p"; }	# KEY < line
DPID=
start_daemon() {	# CONF
	$L -n paftr binding flush dev lw0
	rm -f "$dir"/aftr.db*
	: > "$dir/aftr.log"
	ip netns exec paftr "$D" -c "$1" >> "$dir/aftr.log" 2>&1 &
	DPID=$!
	bench_wait_aftr guest-pcp "$DPID" "$dir/aftr.log"
}
stop_daemon() { kill "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=; }
trap '[ -z "$DPID" ] || kill "$DPID" 2>/dev/null; [ -z "${EPID:-}" ] || kill "$EPID" 2>/dev/null' EXIT

# res CASE LINE [SERVER-TICKS]: keeps the run's line, with the server's CPU.
declare -A best line cpu
res() {
	local c=$1 l=$2 r
	r=$(echo "$l" | val rate)
	echo "guest-pcp: round $round $c: $l${3:+ server_ticks $3}" >&2
	if [ -z "${best[$c]:-}" ] || awk "BEGIN { exit !($r > ${best[$c]}) }"; then
		best[$c]=$r line[$c]=$l cpu[$c]=${3:-}
	fi
}
gen() { ip netns exec pgen "$G" "$@"; }

for round in $(seq 1 "$rounds"); do
	# UDP round trip: the generator against an echo server
	ip netns exec paftr "$G" echo-server $SRV 5351 & EPID=$!
	sleep 0.5
	d0=$(udp_drops); t0=$(ticks $EPID)
	l=$(gen echo -n "$n" -w "$w" $SRV)
	res echo "$l drops $(( $(udp_drops) - d0 ))" $(( $(ticks $EPID) - t0 ))
	kill $EPID; wait $EPID 2>/dev/null || true; EPID=

	# the kernel install alone: lw4o6d's kern_bind_add, one at a time
	res bind "$(ip netns exec paftr "$G" bind -n "$n" lw1)"
	$L -n paftr binding flush dev lw1
	# ... and the whole table in one load
	a=$(now); $L -n paftr binding load dev lw1 "$dir/bind.txt"; b=$(now)
	res load "mode load requests $n rate $(awk "BEGIN { print $n / ($b - $a) }") elapsed $(awk "BEGIN { print $b - $a }")"
	$L -n paftr binding flush dev lw1

	# the store alone, on tmpfs: a commit per 256 puts, and per put
	res store256 "$(gen store -n "$n" -w 256 "$dir/store.db")"
	res store1 "$(gen store -n "$((n / 4))" -w 1 "$dir/store.db")"
	rm -f "$dir"/store.db*

	# lw4o6d, default log level (info: a line per grant, to a tmpfs file)
	start_daemon "$dir/aftr.conf"
	d0=$(udp_drops); t0=$(ticks "$DPID")
	l=$(gen map -n "$n" -w "$w" $SRV)
	res new "$l drops $(( $(udp_drops) - d0 ))" $(( $(ticks "$DPID") - t0 ))
	d0=$(udp_drops); t0=$(ticks "$DPID")
	l=$(gen map -n "$n" -w "$w" $SRV)
	res renew "$l drops $(( $(udp_drops) - d0 ))" $(( $(ticks "$DPID") - t0 ))
	# end to end, one request at a time, with $n mappings in place
	t0=$(ticks "$DPID")
	l=$(gen map -n "$nlat" -f 1000001 -e /run/netns/paftr $SRV | tr '\n' ' ')
	res latency "$l" $(( $(ticks "$DPID") - t0 ))
	nk=$($L -n paftr binding show dev lw0 | wc -l)
	stop_daemon
	ns=$(sqlite3 "$dir/aftr.db" 'select count(*) from mappings' 2>/dev/null || echo '?')
	echo "guest-pcp: round $round: kernel has $nk bindings, store $ns mappings (expected $((n + nlat)))" >&2
	[ "$nk" = $((n + nlat)) ] || { echo "guest-pcp: wrong binding count" >&2; exit 1; }

	# lw4o6d with log-level notice (no line per grant)
	start_daemon "$dir/aftr-notice.conf"
	d0=$(udp_drops); t0=$(ticks "$DPID")
	l=$(gen map -n "$n" -w "$w" $SRV)
	res newq "$l drops $(( $(udp_drops) - d0 ))" $(( $(ticks "$DPID") - t0 ))
	stop_daemon
done

blk=$(ls /sys/block 2>/dev/null | grep -v -E '^(loop|ram|zram)' | tr '\n' ' ')

rate() { printf '%.0f' "${best[$1]}"; }
ratio() { awk "BEGIN { printf \"%.2f\", ${best[$1]} / ${best[$2]} }"; }
# server CPU per request (us) and requests per server CPU-second
scpu() {
	local c=$1 k=${cpu[$1]:-} req
	req=$(echo "${line[$c]}" | val requests)
	[ -n "$k" ] || { echo "| |"; return; }
	awk "BEGIN { s = $k / $hz; if (s > 0) printf \"%.0f | %.0f |\", s * 1e6 / $req, $req / s; else print \"0 | |\" }"
}
own() { echo "${line[$1]}" | val cpu; }
outcome() {
	echo "${line[$1]}" | sed 's/.* answers [0-9]* //; s/ bad .*//; s/ elapsed.*//' | tr -s ' '
}
P="PCPBENCH"
echo "$P | kernel $(uname -r), $n B4s, window $w, best of $rounds | requests/s (guest) | ratio | server CPU us/request | requests per server CPU-second | results (drops) | goal |"
echo "$P |---|---|---|---|---|---|---|"
echo "$P | UDP round trip: same generator, echo server (recvfrom + sendto) | $(rate echo) | 1.00 | $(scpu echo) echoed $(echo "${line[echo]}" | val echoed) ($(echo "${line[echo]}" | val drops)) | |"
echo "$P | kernel install alone: kern_bind_add (BIND_NEW + ack), one at a time | $(rate bind) | $(ratio bind echo) x echo | | | failed $(echo "${line[bind]}" | val failed) | |"
echo "$P | kernel install alone: lw4o6 binding load of the $n | $(rate load) | $(ratio load echo) x echo | | | | |"
echo "$P | store alone (tmpfs): SQLite put, 256 per commit | $(rate store256) | $(ratio store256 echo) x echo | | | | |"
echo "$P | store alone (tmpfs): SQLite put, 1 per commit | $(rate store1) | $(ratio store1 echo) x echo | | | | |"
echo "$P | **lw4o6d MAP new** (store on tmpfs, log-level info) | **$(rate new)** | $(ratio new echo) x echo | $(scpu new) $(outcome new) ($(echo "${line[new]}" | val drops)) | >= 10000/s |"
echo "$P | lw4o6d MAP renew (same B4s, same nonces) | $(rate renew) | $(ratio renew echo) x echo | $(scpu renew) $(outcome renew) ($(echo "${line[renew]}" | val drops)) | |"
echo "$P | lw4o6d MAP new, log-level notice | $(rate newq) | $(ratio newq echo) x echo | $(scpu newq) $(outcome newq) ($(echo "${line[newq]}" | val drops)) | >= 10000/s |"
echo "$P | lw4o6d MAP new, one at a time ($nlat B4s, $n mappings in place) | $(rate latency) | $(ratio latency echo) x echo | $(scpu latency) $(outcome latency) | |"
echo "$P | end to end, MAP sent -> binding added event seen (median / p90 us) | $(echo "${line[latency]}" | val installed_median_us) / $(echo "${line[latency]}" | val installed_p90_us) | | | | $(echo "${line[latency]}" | val samples) samples | |"
echo "$P | end to end, MAP sent -> answer received (median / p90 us) | $(echo "${line[latency]}" | val answer_median_us) / $(echo "${line[latency]}" | val answer_p90_us) | | | | | |"
echo "$P | generator's own CPU seconds, new / echo run | $(own new) / $(own echo) | | | | | |"
if [ -n "$blk" ]; then
	echo "$P | store on a disk | not run: block devices $blk not set up by this script | | | | | |"
else
	echo "$P | store on a disk | not run: the VM has no block device | | | | | |"
fi
ip netns del pgen; ip netns del paftr
