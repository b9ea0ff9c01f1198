#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the DHCPv4-over-DHCPv6 provisioning benchmark (see run.sh
# and docs/performance.md, "lw4o6d: DHCPv4-over-DHCPv6 provisioning").
# Runs in the icount VM: userspace/lw4o6d/tests/bench_dhcp runs DORA
# (DISCOVER, OFFER, REQUEST, ACK in DHCPV4-QUERY / -RESPONSE) for $n
# clients, each its own IPv6 source (from a prefix routed locally to the
# generator's namespace), $w clients in flight, then renews each lease
# (RENEWING REQUEST); every grant and renewal is stored (SQLite, WAL,
# synchronous=FULL, on the guest's tmpfs) and installed before its answer
# leaves.
#   (a) co-located: lw4o6d role aftr with "dhcp4o6 on" on the lwAFTR;
#       in the same boot and against the same daemon, PCP MAP new and
#       renew (bench_pcp) from $n other B4s, for the renewal goal;
#   (b) through a relay: lw4o6d role aftr with "relay" on the lwAFTR (it
#       installs the bindings from the ACKs it relays) and lw4o6d role
#       server (the pool and the store) behind it.
# Baseline: the same generator, window and two round trips per client
# against a UDP echo server (bench_dhcp echo-server).  Result lines are
# prefixed "DHCPBENCH ".
#
#   dgen: bench_dhcp, bench_pcp       daftr: lw0 (aftr) + lw4o6d dhcp4o6 on, listen a::1
#   local routes 2001:db8:b::/64 (DHCP), 2001:db8:c::/64 (PCP)
#   g0 2001:db8:a::2 ---------------- a0 2001:db8:a::1; b::/64, c::/64 via a::2
#
#   dgen                              drelay: lw0 (aftr) + lw4o6d relay f::2     dsrv: lw4o6d role server
#   g1 2001:db8:e::2 ---------------- r0 2001:db8:e::1; b::/64 via e::2
#   f::/64 via e::1                   r1 2001:db8:f::1 (listen) -------------- s0 2001:db8:f::2 (listen)
#                                                                              relay-peer f::1
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
L=$top/userspace/lw4o6/lw4o6
# LW4O6_BENCH_LW4O6D: another build of the daemon, to compare (same boot, same figures)
D=${LW4O6_BENCH_LW4O6D:-$top/userspace/lw4o6d/lw4o6d}
G=$top/userspace/lw4o6d/tests/bench_dhcp
P=$top/userspace/lw4o6d/tests/bench_pcp
rounds=${LW4O6_BENCH_ROUNDS:-3}
echo "guest-dhcp: lw4o6d $D" >&2
n=${LW4O6_BENCH_DHCP_CLIENTS:-10000}	# clients (new leases) per run
w=${LW4O6_BENCH_WINDOW:-256}		# clients in flight
rmem=${LW4O6_BENCH_RMEM:-1048576}	# every socket's receive buffer (see guest-pcp.sh)
SRV=2001:db8:a::1
RELAY=2001:db8:f::1
CSRV=2001:db8:f::2
dir=/tmp/lw4o6-dhcp-bench

for x in "$G" "$P" "$D"; do
	[ -x "$x" ] || { echo "guest-dhcp: $x missing (make -C userspace/lw4o6d lw4o6d tests/bench_dhcp tests/bench_pcp)" >&2; exit 1; }
done
source "$top/selftests/bench/lib.sh"
bench_insmod
modprobe veth 2>/dev/null || true
sysctl -qw net.core.rmem_default="$rmem"
sysctl -qw net.core.rmem_max="$((rmem * 4))"

rm -rf "$dir"; mkdir -p "$dir"
for ns in dgen daftr drelay dsrv; do
	ip netns del $ns 2>/dev/null || true; ip netns add $ns; ip -n $ns link set lo up
done
ip -n dgen link add g0 type veth peer name a0 netns daftr
ip -n dgen link add g1 type veth peer name r0 netns drelay
ip -n drelay link add r1 type veth peer name s0 netns dsrv
ip -n dgen addr add 2001:db8:a::2/64 dev g0 nodad
ip -n dgen addr add 2001:db8:e::2/64 dev g1 nodad
ip -n daftr addr add $SRV/64 dev a0 nodad
ip -n drelay addr add 2001:db8:e::1/64 dev r0 nodad
ip -n drelay addr add $RELAY/64 dev r1 nodad
ip -n dsrv addr add $CSRV/64 dev s0 nodad
for l in dgen:g0 dgen:g1 daftr:a0 drelay:r0 drelay:r1 dsrv:s0; do ip -n "${l%:*}" link set "${l#*:}" up; done
ip -n dgen -6 route add local 2001:db8:b::/64 dev lo
ip -n dgen -6 route add local 2001:db8:c::/64 dev lo
ip -n dgen -6 route add 2001:db8:f::/64 via 2001:db8:e::1
ip -n daftr -6 route add 2001:db8:b::/64 via 2001:db8:a::2
ip -n daftr -6 route add 2001:db8:c::/64 via 2001:db8:a::2
ip -n drelay -6 route add 2001:db8:b::/64 via 2001:db8:e::2
$L -n daftr dev add lw0 mode aftr local 2001:db8:ff::1
$L -n drelay dev add lw0 mode aftr local 2001:db8:ff::2
ip -n daftr link set lw0 up
ip -n drelay link set lw0 up

# (a) the co-located server
cat > "$dir/aftr.conf" <<EOT
role aftr
device lw0
storage sqlite $dir/aftr.db
listen $SRV
dhcp4o6 on
lifetime min 120 max 86400 default 7200
# The load generator's clients share a /64: each address a subscriber.
subscriber-prefix-len 128
pool 10.0.0.0/16 psid-len 6
EOT
{ cat "$dir/aftr.conf"; echo "log-level notice"; } > "$dir/aftr-notice.conf"
# (b) the relay on the lwAFTR, the server behind it
cat > "$dir/relay.conf" <<EOT
role aftr
device lw0
listen $RELAY
relay $CSRV
subscriber-prefix-len 128
EOT
cat > "$dir/srv.conf" <<EOT
role server
storage sqlite $dir/srv.db
listen $CSRV
relay-peer $RELAY
lifetime min 120 max 86400 default 7200
subscriber-prefix-len 128
pool 10.0.0.0/16 psid-len 6
EOT

for c in relay srv; do
	{ cat "$dir/$c.conf"; echo "log-level notice"; } > "$dir/$c-notice.conf"
done

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
udp_drops() {	# receive-buffer drops in every namespace
	for ns in dgen daftr drelay dsrv; do ip netns exec $ns cat /proc/net/snmp6; done |
		awk '$1 == "Udp6RcvbufErrors" { s += $2 } END { print s + 0 }'
}
val() { sed -n "s/.* $1 \([^ ]*\).*/\1/p"; }	# KEY < line
PIDS=() a='' s='' r=''
# shellcheck disable=SC2154  # the loop's variable
trap 'for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT
# start VAR NS CONF LOG READY-PATTERN: the daemon's pid into VAR
start() {
	local pid
	: > "$4"
	ip netns exec "$2" "$D" -c "$3" >> "$4" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	printf -v "$1" %s "$pid"
	for _ in $(seq 1 600); do
		grep -q "$5" "$4" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "guest-dhcp: lw4o6d ($3) did not start:" >&2; cat "$4" >&2; exit 1
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }
fresh() {	# empty kernel tables and stores
	$L -n daftr binding flush dev lw0
	$L -n drelay binding flush dev lw0
	rm -f "$dir"/aftr.db* "$dir"/srv.db* "$dir"/*.leases
}
nbind() { $L -n "$1" binding show dev lw0 | wc -l; }
rows() { sqlite3 "$1" 'select count(*) from mappings' 2>/dev/null || echo '?'; }

# res CASE LINE [SERVER-TICKS [RELAY-TICKS]]: keeps the best run's line, with the CPU.
declare -A best line cpu rcpu
res() {
	local c=$1 l=$2 r
	r=$(echo "$l" | val rate)
	echo "guest-dhcp: round $round $c: $l${3:+ server_ticks $3}${4:+ relay_ticks $4}" >&2
	last=$l
	if [ -z "${best[$c]:-}" ] || awk "BEGIN { exit !($r > ${best[$c]}) }"; then
		best[$c]=$r line[$c]=$l cpu[$c]=${3:-} rcpu[$c]=${4:-}
	fi
}
gen() { ip netns exec dgen "$@"; }
# measure CASE PID [RELAY-PID] -- COMMAND...: runs it, with drops and CPU ticks
measure() {
	local c=$1 pid=$2 rpid='' d0 t0 r0='' l
	shift 2
	if [ "$1" != -- ]; then rpid=$1; shift; fi
	shift
	d0=$(udp_drops); t0=$(ticks "$pid"); [ -z "$rpid" ] || r0=$(ticks "$rpid")
	l=$(gen "$@")
	res "$c" "$l drops $(( $(udp_drops) - d0 ))" $(( $(ticks "$pid") - t0 )) \
		${rpid:+$(( $(ticks "$rpid") - r0 ))}
}
check() {	# WHAT GOT WANT
	echo "guest-dhcp: round $round: $1: $2 (expected $3)" >&2
	[ "$2" = "$3" ] || { echo "guest-dhcp: round $round: wrong $1" >&2; exit 1; }
}

for round in $(seq 1 "$rounds"); do
	fresh
	# UDP round trip: the generator against an echo server
	ip netns exec daftr "$G" echo-server $SRV 547 & EPID=$!
	PIDS+=("$EPID")
	sleep 0.5
	measure echo $EPID -- "$G" echo -n "$n" -w "$w" $SRV
	stop $EPID

	# (a) co-located: DORA, renew; PCP MAP new and renew against the same daemon
	start a daftr "$dir/aftr.conf" "$dir/aftr.log" "aftr on lw0"
	measure dora "$a" -- "$G" dora -n "$n" -w "$w" -s "$dir/a.leases" $SRV
	acks=$(echo "$last" | val acks)
	measure renew "$a" -- "$G" renew -n "$n" -w "$w" -s "$dir/a.leases" $SRV
	acks="$acks $(echo "$last" | val acks)"
	measure pcpnew "$a" -- "$P" map -n "$n" -w "$w" -b 2001:db8:c:: $SRV
	measure pcprenew "$a" -- "$P" map -n "$n" -w "$w" -b 2001:db8:c:: $SRV
	check "co-located lw0 bindings (DHCP + PCP)" "$(nbind daftr)" $((2 * n))
	check "co-located ACKs (dora, renew)" "$acks" "$n $n"
	stop "$a"
	check "co-located store rows" "$(rows "$dir/aftr.db")" $((2 * n))
	# ... with log-level notice (no line per grant)
	fresh
	start a daftr "$dir/aftr-notice.conf" "$dir/aftr.log" "aftr on lw0"
	measure doraq "$a" -- "$G" dora -n "$n" -w "$w" -s "$dir/q.leases" $SRV
	acks=$(echo "$last" | val acks)
	measure renewq "$a" -- "$G" renew -n "$n" -w "$w" -s "$dir/q.leases" $SRV
	acks="$acks $(echo "$last" | val acks)"
	check "co-located ACKs (dora, renew; log-level notice)" "$acks" "$n $n"
	stop "$a"

	# (b) through the relay
	start s dsrv "$dir/srv.conf" "$dir/srv.log" "server (no device)"
	start r drelay "$dir/relay.conf" "$dir/relay.log" "relay on lw0"
	measure rdora "$s" "$r" -- "$G" dora -n "$n" -w "$w" -s "$dir/r.leases" $RELAY
	acks=$(echo "$last" | val acks)
	measure rrenew "$s" "$r" -- "$G" renew -n "$n" -w "$w" -s "$dir/r.leases" $RELAY
	acks="$acks $(echo "$last" | val acks)"
	check "relay lw0 bindings" "$(nbind drelay)" "$n"
	check "relayed ACKs (dora, renew)" "$acks" "$n $n"
	stop "$r"
	stop "$s"
	check "server store rows" "$(rows "$dir/srv.db")" "$n"
	# ... both with log-level notice
	fresh
	start s dsrv "$dir/srv-notice.conf" "$dir/srv.log" "server (no device)"
	start r drelay "$dir/relay-notice.conf" "$dir/relay.log" "relay on lw0"
	measure rdoraq "$s" "$r" -- "$G" dora -n "$n" -w "$w" -s "$dir/r.leases" $RELAY
	acks=$(echo "$last" | val acks)
	measure rrenewq "$s" "$r" -- "$G" renew -n "$n" -w "$w" -s "$dir/r.leases" $RELAY
	acks="$acks $(echo "$last" | val acks)"
	check "relay lw0 bindings (log-level notice)" "$(nbind drelay)" "$n"
	check "relayed ACKs (dora, renew; log-level notice)" "$acks" "$n $n"
	stop "$r"
	stop "$s"
done
for l in aftr relay srv; do tail -n 4 "$dir/$l.log" | sed "s/^/guest-dhcp: $l.log: /" >&2; done

rate() { printf '%.0f' "${best[$1]}"; }
ratio() { awk "BEGIN { printf \"%.2f\", ${best[$1]} / ${best[$2]} }"; }
# server CPU per client (us) and clients per server CPU-second; with a
# relay: the relay's and the server's, each
us() { awk "BEGIN { s = $1 / $hz; if (s > 0) printf \"%.0f\", s * 1e6 / $2; else printf \"0\" }"; }
per() { awk "BEGIN { s = $1 / $hz; if (s > 0) printf \"%.0f\", $2 / s }"; }
scpu() {
	local c=$1 k=${cpu[$1]:-} rk=${rcpu[$1]:-} req
	req=$(echo "${line[$c]}" | val clients)
	[ -n "$req" ] || req=$(echo "${line[$c]}" | val requests)
	[ -n "$k" ] || { echo "| |"; return; }
	if [ -n "$rk" ]; then
		echo "relay $(us "$rk" "$req") + server $(us "$k" "$req") | server $(per "$k" "$req") |"
	else
		echo "$(us "$k" "$req") | $(per "$k" "$req") |"
	fi
}
own() { echo "${line[$1]}" | val cpu; }
outcome() {	# ACKs, NAKs, lost, retransmits (drops)
	local l=${line[$1]}
	echo "ack $(echo "$l" | val acks) nak $(echo "$l" | val naks) lost $(echo "$l" | val lost) retransmits $(echo "$l" | val retransmits) ($(echo "$l" | val drops))"
}
pcpout() {
	local l=${line[$1]}
	echo "$l" | sed 's/.* answers [0-9]* //; s/ bad .*//' | tr -s ' ' | tr -d '\n'
	echo " retransmits $(echo "$l" | val retransmits) ($(echo "$l" | val drops))"
}
goal() {	# RATE-CASE MIN
	awk "BEGIN { r = ${best[$1]}; if (r >= $2) print \"met\"; else printf \"not met (%.0f %%)\", 100 * r / $2 }"
}
vs_pcp() {	# CASE: the renewal goal, against PCP renew
	awk "BEGIN { r = ${best[$1]} / ${best[pcprenew]}; printf \"%.2f x PCP renew: %s\", r, (r >= 1 ? \"met\" : \"not met\") }"
}
X="DHCPBENCH"
echo "$X | kernel $(uname -r), $n clients, window $w, best of $rounds | clients/s (guest) | ratio | server CPU us/client | clients per server CPU-second | results (drops) | goal |"
echo "$X |---|---|---|---|---|---|---|"
echo "$X | UDP round trip: same generator, echo server, 2 round trips per client (DORA-equivalents) | $(rate echo) | 1.00 | $(scpu echo) round trips/s $(printf '%.0f' "$(echo "${line[echo]}" | val roundtrip_rate)"), lost $(echo "${line[echo]}" | val lost) ($(echo "${line[echo]}" | val drops)) | |"
echo "$X | **co-located: DORA, new leases** (store on tmpfs, log-level info) | **$(rate dora)** | $(ratio dora echo) x echo | $(scpu dora) $(outcome dora) | >= 5000/s: $(goal dora 5000) |"
echo "$X | co-located: DORA, new leases, log-level notice | $(rate doraq) | $(ratio doraq echo) x echo | $(scpu doraq) $(outcome doraq) | >= 5000/s: $(goal doraq 5000) |"
echo "$X | co-located: renew (RENEWING REQUEST, 1 round trip) | $(rate renew) | $(ratio renew echo) x echo | $(scpu renew) $(outcome renew) | >= PCP renew: $(vs_pcp renew) |"
echo "$X | co-located: renew, log-level notice | $(rate renewq) | $(ratio renewq echo) x echo | $(scpu renewq) $(outcome renewq) | >= PCP renew: $(vs_pcp renewq) |"
echo "$X | co-located, same daemon: PCP MAP new ($n other B4s) | $(rate pcpnew) | $(ratio pcpnew echo) x echo | $(scpu pcpnew) $(pcpout pcpnew) | |"
echo "$X | co-located, same daemon: PCP MAP renew | $(rate pcprenew) | $(ratio pcprenew echo) x echo | $(scpu pcprenew) $(pcpout pcprenew) | |"
echo "$X | **through the relay: DORA, new leases** (relay on the lwAFTR, role server) | **$(rate rdora)** | $(ratio rdora echo) x echo | $(scpu rdora) $(outcome rdora) | >= 5000/s: $(goal rdora 5000) |"
echo "$X | through the relay: renew | $(rate rrenew) | $(ratio rrenew echo) x echo | $(scpu rrenew) $(outcome rrenew) | >= PCP renew: $(vs_pcp rrenew) |"
echo "$X | through the relay: DORA, log-level notice (relay and server) | $(rate rdoraq) | $(ratio rdoraq echo) x echo | $(scpu rdoraq) $(outcome rdoraq) | >= 5000/s: $(goal rdoraq 5000) |"
echo "$X | through the relay: renew, log-level notice | $(rate rrenewq) | $(ratio rrenewq echo) x echo | $(scpu rrenewq) $(outcome rrenewq) | >= PCP renew: $(vs_pcp rrenewq) |"
echo "$X | generator's own CPU seconds, dora / echo run | $(own dora) / $(own echo) | | | | | |"
for ns in dgen daftr drelay dsrv; do ip netns del $ns; done
