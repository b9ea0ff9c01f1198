#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the failover benchmark (see run.sh and docs/performance.md,
# "Failover between lwAFTRs").  Runs in the icount VM; result lines are
# prefixed "FOBENCH ".  PostgreSQL 15 runs in the guest's root namespace
# (tmpfs data from build/testdata/pg15.tar, fsync off, Unix socket only,
# reached from every namespace through the file system); the lwAFTRs are
# namespaces pa1 and pa2 with lw0 (local = the anycast 2001:db8:ff::1) and
# lw4o6d each.
#
# 1. grants: userspace/lw4o6d/tests/bench_pcp (namespace pgen) sends PCP
#    MAP requests from $n1 B4s to lw4o6d in pa1, `storage sqlite` (tmpfs)
#    next to `storage postgresql`, same generator and window, same boot.
# 2. mirroring: pa1 and pa2 both `redundancy hot` on one PostgreSQL store;
#    (a) pa1 grants $n2 sets as fast as the generator gets them; time from
#    the first request until pa2's kernel holds all $n2; (b) $n2 rows
#    written into the store by one psql INSERT (one transaction, the
#    trigger notifies each) with nobody granting: time until pa2's kernel
#    holds them.  Baseline: lw4o6d's own kern_bind_add() of $n2 bindings
#    one at a time (bench_pcp bind) in pa2.
# 3. start-up: $n3 rows in the store (INSERT ... SELECT, the trigger off:
#    what a COPY of a dump would be), lw4o6d (hot) started on an empty lw0
#    until it serves lw0 with $n3 bindings, next to `lw4o6 binding load`
#    of the same table (written out of the store by COPY).
# 4. failover: a B4 (stock ip6tnl, pb4) gets its set over PCP from pa1
#    through an access router (pacc) whose route to the anycast points at
#    pa1; a UDP stream (fo_stream.py, one datagram every $iv us, sequence
#    numbers) goes to pinet; the route moves to pa2 and pa1's lw4o6d is
#    killed.  For hot and on-demand: from the route's move to the first
#    datagram delivered through pa2, datagrams lost, and (on-demand) from
#    the first held datagram's sending to its delivery.  Baseline: the
#    stream's one-way delay before the switch.
#
#   pgen (bench_pcp) g0 ---- a0 pa1: lw0, lw4o6d, any0 = anycast  f0 ---- x1 pacc x2 ---- f0 pa2 (the same; d0 = 2001:db8:a::1)
#                                     o0 10.1.0.2 -- i1 pinet i2 -- 10.2.0.2 o0          b0 ---- pb4 (ip6tnl t0, fo_stream send)
#                                                 198.51.100.1 (fo_stream recv)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
L=$top/userspace/lw4o6/lw4o6
D=$top/userspace/lw4o6d/lw4o6d
G=$top/userspace/lw4o6d/tests/bench_pcp
S=$top/selftests/bench/fo_stream.py
rounds=${LW4O6_BENCH_ROUNDS:-2}
n1=${LW4O6_BENCH_FO_GRANTS:-2000}	# part 1: B4s per run (PostgreSQL grants are slow, see docs)
n2=${LW4O6_BENCH_FO_MIRROR:-5000}	# part 2: sets mirrored per run
n3=${LW4O6_BENCH_FO_START:-1000000}	# part 3: bindings in the store
iv=${LW4O6_BENCH_FO_INTERVAL:-1000}	# part 4: us between datagrams
parts=${LW4O6_BENCH_FO_PARTS:-1 2 3 4}	# which of the four run
w=256
rmem=1048576
SRV=2001:db8:a::1
ANY=2001:db8:ff::1
dir=/tmp/lw4o6-fo-bench
PGB=/usr/lib/postgresql/15/bin
pgdir=$dir/pg
CONN="host=$pgdir port=5432 user=postgres dbname=lw4o6"
P="FOBENCH"

[ -x "$G" ] || { echo "guest-failover: $G missing (make -C userspace/lw4o6d tests/bench_pcp)" >&2; exit 1; }
[ -x "$PGB/postgres" ] || { echo "guest-failover: PostgreSQL 15 not installed ($PGB)" >&2; exit 1; }
source "$top/selftests/bench/lib.sh"
bench_insmod
modprobe veth 2>/dev/null || true
modprobe dummy 2>/dev/null || true
modprobe ip6_tunnel 2>/dev/null || true
sysctl -qw net.core.rmem_default="$rmem"
sysctl -qw net.core.rmem_max="$((rmem * 4))"

now() { date +%s.%N; }
nowns() { date +%s%N; }
sub() { awk "BEGIN { printf \"%.3f\", $1 - $2 }"; }
div() { awk "BEGIN { printf \"%.0f\", $1 / $2 }"; }
val() { sed -n "s/.* $1 \([^ ]*\).*/\1/p"; }	# KEY < line
nbind() { $L -n "$1" dev show "${2:-lw0}" | sed -n 's/.* bindings \([0-9]*\).*/\1/p'; }

# ---- PostgreSQL ----------------------------------------------------------
rm -rf "$dir"; mkdir -p "$pgdir"; chown postgres: "$pgdir"
_pg() { runuser -u postgres -- "$@"; }
if [ -f "$top/build/testdata/pg15.tar" ]; then
	tar -C "$pgdir" -xf "$top/build/testdata/pg15.tar"
	chown -R postgres: "$pgdir/data"; chmod 700 "$pgdir/data"
else
	_pg "$PGB/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 \
		--no-sync --no-instructions > "$dir/initdb.log"
fi
# What lib/pg.sh runs for the tests (durability off: nothing here must
# survive a power cut), with room for 1M rows in the buffers.
_pg "$PGB/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 300 \
	-o "-c listen_addresses= -p 5432 -k $pgdir -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c shared_buffers=128MB -c max_connections=40 -c log_min_messages=warning -c max_wal_size=1GB" \
	start > /dev/null
psqlx() { local db=$1; shift; psql -h "$pgdir" -p 5432 -U postgres -d "$db" -XAtq -v ON_ERROR_STOP=1 "$@"; }
sql() { psqlx lw4o6 -c "$1"; }
fresh_db() {
	psqlx postgres -c "DROP DATABASE IF EXISTS lw4o6 WITH (FORCE)" -c "CREATE DATABASE lw4o6"
}

# ---- namespaces ------------------------------------------------------------
for ns in pgen pa1 pa2 pacc pb4 pinet; do
	ip netns del $ns 2>/dev/null || true; ip netns add $ns; ip -n $ns link set lo up
done
ip -n pgen link add g0 type veth peer name a0 netns pa1
ip -n pgen addr add 2001:db8:a::2/64 dev g0 nodad
ip -n pa1 addr add $SRV/64 dev a0 nodad
ip -n pgen link set g0 up
ip -n pa1 link set a0 up
ip -n pgen -6 route add local 2001:db8:b::/64 dev lo
ip -n pa1 -6 route add 2001:db8:b::/64 via 2001:db8:a::2
ip netns exec pacc sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n pacc link add b0 type veth peer name u0 netns pb4
ip -n pacc addr add 2001:db8:1::1/64 dev b0 nodad
ip -n pb4 addr add 2001:db8:1::2/64 dev u0 nodad
ip -n pacc link set b0 up
ip -n pb4 link set u0 up
ip -n pb4 -6 route add default via 2001:db8:1::1
ip -n pacc -6 route add 2001:db8:d::/64 via 2001:db8:1::2
ip -n pinet addr add 198.51.100.1/32 dev lo
for a in 1 2; do
	ns=pa$a
	ip netns exec $ns sysctl -qw net.ipv4.ip_forward=1
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.forwarding=1
	ip -n pacc link add x$a type veth peer name f0 netns $ns
	ip -n pacc addr add 2001:db8:f$a::1/64 dev x$a nodad
	ip -n $ns addr add 2001:db8:f$a::2/64 dev f0 nodad
	ip -n pacc link set x$a up
	ip -n $ns link set f0 up
	ip -n $ns -6 route add 2001:db8:d::/64 via 2001:db8:f$a::1
	ip -n $ns link add any0 type dummy
	ip -n $ns addr add $ANY/128 dev any0 nodad
	ip -n $ns link set any0 up
	ip -n pinet link add i$a type veth peer name o0 netns $ns
	ip -n pinet addr add 10.$a.0.1/24 dev i$a
	ip -n $ns addr add 10.$a.0.2/24 dev o0
	ip -n pinet link set i$a up
	ip -n $ns link set o0 up
	ip -n $ns route add default via 10.$a.0.1
	$L -n $ns dev add lw0 mode aftr local $ANY
	$L -n $ns dev add lw1 mode aftr local 2001:db8:ff::2
	ip -n $ns link set lw0 up
	ip -n $ns link set lw1 up
	ip -n $ns route add 10.0.0.0/8 dev lw0
done
ip netns exec pinet sysctl -qw net.ipv4.conf.all.rp_filter=0
ip netns exec pinet sysctl -qw net.ipv4.conf.default.rp_filter=0
for i in i1 i2; do ip netns exec pinet sysctl -qw net.ipv4.conf.$i.rp_filter=0; done
ip -n pa2 link add d0 type dummy
ip -n pa2 addr add $SRV/128 dev d0 nodad
ip -n pa2 link set d0 up

# conf FILE NODE STORAGE-LINE LISTEN [EXTRA LINES...]
conf() {
	local f=$1 node=$2 st=$3 li=$4
	shift 4
	{
		cat <<EOT
role aftr
device lw0
$st
node $node
listen $li
lifetime min 120 max 86400 default 7200
subscriber-prefix-len 128
pool 10.0.0.0/16 psid-len 6
EOT
		printf '%s\n' "$@"
	} > "$f"
}
declare -A DPID
start_daemon() {	# NS CONF
	: > "$dir/$1.log"
	ip netns exec "$1" "$D" -c "$2" >> "$dir/$1.log" 2>&1 &
	DPID[$1]=$!
	bench_wait_aftr "guest-failover ($1)" "${DPID[$1]}" "$dir/$1.log"
}
stop_daemon() {	# NS [SIGNAL]
	[ -n "${DPID[$1]:-}" ] || return 0
	kill -"${2:-TERM}" "${DPID[$1]}"; wait "${DPID[$1]}" 2>/dev/null || true; DPID[$1]=
}
cleanup() {
	local rc=$?
	if [ $rc != 0 ]; then
		for f in "$dir"/pa1.log "$dir"/pa2.log "$pgdir"/server.log; do
			[ -s "$f" ] || continue
			echo "--- $f (last 40 lines)" >&2; tail -n 40 "$f" >&2
		done
	fi
	for ns in pa1 pa2; do [ -z "${DPID[$ns]:-}" ] || kill "${DPID[$ns]}" 2>/dev/null || true; done
	[ -z "${RPID:-}" ] || kill "$RPID" 2>/dev/null || true
	_pg "$PGB/pg_ctl" -D "$pgdir/data" -m immediate stop > /dev/null 2>&1 || true
}
trap cleanup EXIT
flush() { $L -n pa1 binding flush dev lw0; $L -n pa2 binding flush dev lw0; }
# wait_count NS N: polls pa2's kernel (every 20 ms) until it holds N
# bindings; prints the realtime seconds it saw them at.
wait_count() {
	local i c
	for i in $(seq 1 30000); do
		c=$(nbind "$1")
		[ "$c" -ge "$2" ] && { now; return 0; }
		sleep 0.02
	done
	echo "guest-failover: $1 holds $c of $2 bindings" >&2
	return 1
}
declare -A best line
keep() {	# CASE RATE LINE: the best (highest) rate of the rounds
	echo "guest-failover: round ${round:-1} $1: $3" >&2
	if [ -z "${best[$1]:-}" ] || awk "BEGIN { exit !($2 > ${best[$1]}) }"; then
		best[$1]=$2 line[$1]=$3
	fi
}
keepmin() {	# CASE VALUE LINE: the best (lowest) value of the rounds
	echo "guest-failover: round ${round:-1} $1: $3" >&2
	if [ -z "${best[$1]:-}" ] || awk "BEGIN { exit !($2 < ${best[$1]}) }"; then
		best[$1]=$2 line[$1]=$3
	fi
}
# A request unanswered for 5 s goes again (bench_pcp's default is 1 s):
# a retransmission is a renewal the daemon must serve too, and over a
# slow store the repeats would pile up on the work still queued.
gen() { ip netns exec pgen "$G" "$1" -t 5000 "${@:2}"; }
part() { [[ " $parts " == *" $1 "* ]]; }

# ---- 1. grants per second, SQLite next to PostgreSQL -----------------------
conf "$dir/sqlite.conf" aftr1 "storage sqlite $dir/aftr.db" $SRV
conf "$dir/pg1.conf" aftr1 "storage postgresql \"$CONN\"" $SRV
conf "$dir/pg2.conf" aftr2 "storage postgresql \"$CONN\"" $SRV
part 1 && for round in $(seq 1 "$rounds"); do
	flush; rm -f "$dir"/aftr.db*
	start_daemon pa1 "$dir/sqlite.conf"
	l=$(gen map -n "$n1" -w $w $SRV); keep sqlite_new "$(echo "$l" | val rate)" "$l"
	l=$(gen map -n "$n1" -w $w $SRV); keep sqlite_renew "$(echo "$l" | val rate)" "$l"
	k=$(nbind pa1); stop_daemon pa1
	[ "$k" = "$n1" ] || { echo "guest-failover: sqlite: kernel has $k bindings, not $n1" >&2; exit 1; }

	flush; fresh_db
	start_daemon pa1 "$dir/pg1.conf"
	l=$(gen map -n "$n1" -w $w $SRV); keep pg_new "$(echo "$l" | val rate)" "$l"
	l=$(gen map -n "$n1" -w $w $SRV); keep pg_renew "$(echo "$l" | val rate)" "$l"
	k=$(nbind pa1); stop_daemon pa1
	grep -v -E 'granted|renewed|mapping ' "$dir/pa1.log" | tail -n 5 >&2
	s=$(sql "SELECT count(*) FROM lw4o6_mappings")
	echo "guest-failover: round $round: postgresql: kernel $k bindings, store $s mappings (expected $n1)" >&2
	# not fatal: the table says what the daemon got done
	[ "$k" = "$n1" ] && [ "$s" = "$n1" ] || pg_short="kernel $k, store $s of $n1 (round $round)"
done

# ---- 2. hot mirroring: changes per second a hot backup applies ------------
part 2 && for round in $(seq 1 "$rounds"); do
	flush; fresh_db
	start_daemon pa1 "$dir/pg1.conf"
	start_daemon pa2 "$dir/pg2.conf"
	# (a) through pa1's grants
	t0=$(now)
	l=$(gen map -n "$n2" -w $w $SRV)
	tg=$(now)
	t2=$(wait_count pa2 "$n2")
	keep mirror_grant "$(div "$n2" "$(sub "$t2" "$t0")")" \
		"grants $(echo "$l" | val rate)/s; pa2 holds $n2 at $(sub "$t2" "$t0") s, $(sub "$t2" "$tg") s after the last answer"
	stop_daemon pa1
	# (b) one transaction of n2 rows written into the store, nobody granting
	t0=$(now)
	sql "INSERT INTO lw4o6_mappings (b4, protocol, internal_port, nonce, ipv4, psid, psid_len, \"offset\", expires, created, node)
		SELECT '2001:db8:e::'::inet + i, 0, 0, decode(lpad(to_hex(i), 24, '0'), 'hex'),
		'10.200.0.0'::inet + i / 15, 1 + i % 15, 4, 6,
		extract(epoch FROM now())::bigint + 86400, extract(epoch FROM now())::bigint, 'other'
		FROM generate_series(0, $n2 - 1) AS i"
	tc=$(now)
	t2=$(wait_count pa2 $((2 * n2)))
	keep mirror_store "$(div "$n2" "$(sub "$t2" "$t0")")" \
		"insert committed at $(sub "$tc" "$t0") s; pa2 holds all at $(sub "$t2" "$t0") s; $(div "$n2" "$(sub "$t2" "$tc")")/s after the commit"
	stop_daemon pa2
	# the baseline: the kernel install alone, one BIND_NEW + ack each
	l=$(ip netns exec pa2 "$G" bind -n "$n2" lw1)
	keep bind "$(echo "$l" | val rate)" "$l"
	$L -n pa2 binding flush dev lw1
done

# ---- 3. start-up of a hot backup with n3 bindings in the store -------------
if part 3; then
flush; fresh_db
conf "$dir/big.conf" aftr2 "storage postgresql \"$CONN\"" $SRV
sed -i 's|^pool .*|pool 10.0.0.0/16 psid-len 4 offset 6|' "$dir/big.conf"
start_daemon pa2 "$dir/big.conf"	# creates the schema and the epoch
stop_daemon pa2
t0=$(now)
psqlx lw4o6 -c "SET session_replication_role = replica" -c "INSERT INTO lw4o6_mappings
	(b4, protocol, internal_port, nonce, ipv4, psid, psid_len, \"offset\", expires, created, node)
	SELECT '2001:db8:c::'::inet + (i + 1), 0, 0, decode(lpad(to_hex(i), 24, '0'), 'hex'),
	'10.0.0.0'::inet + i / 16, i % 16, 4, 6,
	extract(epoch FROM now())::bigint + 86400, extract(epoch FROM now())::bigint, 'aftr1'
	FROM generate_series(0, $n3 - 1) AS i"
psqlx lw4o6 -c "VACUUM ANALYZE lw4o6_mappings"
t1=$(now)
psqlx lw4o6 -c "COPY (SELECT format('ipv4 %s psid %s/%s offset %s b4 %s', host(ipv4), psid, psid_len, \"offset\", host(b4))
	FROM lw4o6_mappings) TO STDOUT" > "$dir/big.txt"
echo "guest-failover: $n3 rows into the store in $(sub "$t1" "$t0") s; $(wc -l < "$dir/big.txt") lines for binding load" >&2
for round in $(seq 1 "$rounds"); do
	$L -n pa2 binding flush dev lw0
	t0=$(now)
	start_daemon pa2 "$dir/big.conf"
	t1=$(wait_count pa2 "$n3") || { tail -n 20 "$dir/pa2.log" >&2; exit 1; }
	keepmin startup "$(sub "$t1" "$t0")" "$(grep -E 'reconciled|bulk' "$dir/pa2.log" | tr '\n' ' ')"
	stop_daemon pa2
	$L -n pa2 binding flush dev lw1
	t0=$(now); $L -n pa2 binding load dev lw1 "$dir/big.txt"; t1=$(now)
	keepmin load "$(sub "$t1" "$t0")" "load of $(nbind pa2 lw1)"
	$L -n pa2 binding flush dev lw1
done
$L -n pa2 binding flush dev lw0
rm -f "$dir/big.txt"
fi

# ---- 4. failover time and loss, hot and on-demand --------------------------
# ms between the route's move and the end of the stream, datagrams in it
pre=500; post=1500
count=$(( (pre + post) * 1000 / iv ))
has_hold=0
$L -j -n pa2 dev show lw0 | grep -q '"miss_hold"' && has_hold=1
ip netns exec pb4 ip -6 route add local 2001:db8:d::/64 dev lo
# the tunnel's local address must be an address, not only AnyIP
ip -n pb4 addr add 2001:db8:d::1/128 dev lo nodad
fo_run() {	# MODE (hot | on-demand)
	local mode=$1 r ipv4 psid k o port t_sw t_sw2 ix2 out base
	flush; fresh_db
	conf "$dir/fo1.conf" aftr1 "storage postgresql \"$CONN\"" $ANY "redundancy $mode"
	conf "$dir/fo2.conf" aftr2 "storage postgresql \"$CONN\"" $ANY "redundancy $mode"
	ip -n pacc -6 route replace $ANY/128 via 2001:db8:f1::2
	start_daemon pa1 "$dir/fo1.conf"
	start_daemon pa2 "$dir/fo2.conf"
	# the B4's set, over PCP through pa1 (its source 2001:db8:d::1)
	ip netns exec pb4 "$G" map -n 1 -b 2001:db8:d:: -f 1 $ANY >&2
	r=$(sql "SELECT host(ipv4), psid, psid_len, \"offset\" FROM lw4o6_mappings WHERE b4 = '2001:db8:d::1'")
	[ -n "$r" ] || { echo "guest-failover: no grant for the B4" >&2; exit 1; }
	IFS='|' read -r ipv4 psid k o <<< "$r"
	# the set's first port (RFC 7597 5.1: a = 1 when there is an offset, j = 0)
	port=$(( (o > 0 ? 1 << (16 - o) : 0) | psid << (16 - o - k) ))
	[ "$port" -gt 0 ] || port=$(( 1 << (16 - o - k) ))
	ip -n pb4 -6 tunnel del t0 2>/dev/null || true
	ip -n pb4 -6 tunnel add t0 mode ip4ip6 local 2001:db8:d::1 remote $ANY encaplimit none
	ip -n pb4 link set t0 up
	ip -n pb4 addr replace "$ipv4/32" dev lo
	ip -n pb4 route replace 198.51.100.1/32 dev t0 src "$ipv4"
	if [ "$mode" = hot ]; then
		wait_count pa2 1 > /dev/null
	else
		[ "$(nbind pa2)" = 0 ] || { echo "guest-failover: on-demand pa2 has the binding already" >&2; exit 1; }
	fi
	out=$dir/recv-$mode-$round.txt
	ip netns exec pinet python3 "$S" recv 198.51.100.1 9000 "$out" > "$dir/recv.ready" &
	RPID=$!
	for _ in $(seq 1 200); do [ -s "$dir/recv.ready" ] && break; sleep 0.05; done
	ip netns exec pb4 python3 "$S" send "$ipv4" "$port" 198.51.100.1 9000 "$iv" "$count" > "$dir/send.out" &
	local spid=$!
	sleep "$(awk "BEGIN { print $pre / 1000 }")"
	t_sw=$(nowns)
	ip -n pacc -6 route replace $ANY/128 via 2001:db8:f2::2
	t_sw2=$(nowns)
	stop_daemon pa1 KILL	# the primary is gone
	wait $spid
	sleep 0.5
	kill "$RPID"; wait "$RPID" 2>/dev/null || true; RPID=
	ix2=$(ip -n pinet -o link show i2 | cut -d: -f1)
	$L -n pa2 stats show dev lw0 > "$dir/stats-$mode.txt"
	# seq send recv ifindex: first through pa2 after the move, lost, delay
	base=$(awk -v ix2="$ix2" '$4 != ix2 { print $3 - $2 }' "$out" | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.1f", NR ? v[int((NR + 1) / 2)] / 1e3 : -1 }')
	r=$(awk -v sw="$t_sw" -v ix2="$ix2" -v n="$count" -v base="$base" '
		{ got[$1] = 1
		  if ($4 != ix2) { np++; next }
		  if (!f2 || $3 < f2) { f2 = $3; f2d = $3 - $2; f2seq = $1 } }
		END { lost = 0; for (i = 0; i < n; i++) if (!(i in got)) lost++
		  if (!f2) { f2 = sw - 1e9; f2d = -1e9 }
		  printf "first_ms %.3f held_ms %.3f first_seq %d lost %d recv_aftr1 %d base_us %s\n",
			(f2 - sw) / 1e6, f2d / 1e6, f2seq, lost, np, base }' "$out")
	echo "guest-failover: round $round $mode: $r switch took $(( (t_sw2 - t_sw) / 1000 )) us; $(cat "$dir/send.out"); $(grep -E 'held|released|drop-held' "$dir/stats-$mode.txt" | tr -s ' \n' ' ')" >&2
	keepmin "fo_$mode" "$(echo " $r" | val first_ms)" " $r sw_us $(( (t_sw2 - t_sw) / 1000 )) $(grep -E 'held|released|drop-held' "$dir/stats-$mode.txt" | tr -s ' \n' ' ')"
	stop_daemon pa2
}
part 4 && for round in $(seq 1 "$rounds"); do
	fo_run hot
	[ $has_hold = 1 ] && fo_run on-demand
done

# ---- the tables ------------------------------------------------------------
rt() { printf '%.0f' "${best[$1]}"; }
ratio() { awk "BEGIN { printf \"%.2f\", ${best[$1]} / ${best[$2]} }"; }
goal() { awk "BEGIN { exit !($1) }" && echo "met" || echo "**not met**"; }
k=$(uname -r)
echo "$P | kernel $k, best of $rounds | guest figure | ratio | detail | goal |"
echo "$P |---|---|---|---|---|"
part 1 && echo "$P | 1. PCP MAP new, \`storage sqlite\` (tmpfs), $n1 B4s, window $w | $(rt sqlite_new)/s | 1.00 | | |"
part 1 && echo "$P | 1. PCP MAP new, \`storage postgresql\` (same guest, Unix socket) | $(rt pg_new)/s | $(ratio pg_new sqlite_new) x sqlite | $(echo "${line[pg_new]}" | sed 's/.* answers/answers/; s/ elapsed.*//')${pg_short:+; NOT ALL GRANTED: $pg_short} | |"
part 1 && echo "$P | 1. PCP MAP renew, sqlite / postgresql | $(rt sqlite_renew) / $(rt pg_renew) /s | $(ratio pg_renew sqlite_renew) x sqlite | | |"
part 2 && echo "$P | 2. baseline: kern_bind_add one at a time, $n2 bindings | $(rt bind)/s | 1.00 | | |"
part 2 && echo "$P | 2. hot mirroring, pa1 granting $n2 sets over PCP: sets in pa2's kernel per second | $(rt mirror_grant)/s | $(ratio mirror_grant bind) x bind | ${line[mirror_grant]} | >= 10000/s: $(goal "${best[mirror_grant]} >= 10000") |"
part 2 && echo "$P | 2. hot mirroring, $n2 rows in one INSERT: sets in pa2's kernel per second | $(rt mirror_store)/s | $(ratio mirror_store bind) x bind | ${line[mirror_store]} | >= 10000/s: $(goal "${best[mirror_store]} >= 10000") |"
part 3 && echo "$P | 3. baseline: \`lw4o6 binding load\` of $n3 bindings | ${best[load]} s | 1.00 | | |"
part 3 && echo "$P | 3. hot backup start-up with $n3 bindings in the store, until it serves lw0 with all | ${best[startup]} s | $(ratio startup load) x load | ${line[startup]} | <= 2x load: $(goal "${best[startup]} <= 2 * ${best[load]}") |"
part 4 && for m in hot on-demand; do
	if [ -z "${best[fo_$m]:-}" ]; then
		echo "$P | 4. failover, $m | not run: this module has no miss-hold | | | |"
		continue
	fi
	l=${line[fo_$m]}
	echo "$P | 4. failover, $m: route moved -> first datagram delivered through pa2 | $(echo "$l" | val first_ms) ms | | one every $iv us; the move (ip route replace) took $(echo "$l" | val sw_us) us | |"
	if [ $m = hot ]; then
		echo "$P | 4. failover, $m: datagrams lost of $count | $(echo "$l" | val lost) | | baseline one-way delay before the move $(echo "$l" | val base_us) us | 0: $(goal "$(echo "$l" | val lost) == 0") |"
	else
		echo "$P | 4. failover, $m: first held datagram sent -> delivered | $(echo "$l" | val held_ms) ms | | baseline one-way delay $(echo "$l" | val base_us) us; ${l#*sw_us * } | <= 100 ms: $(goal "$(echo "$l" | val held_ms) <= 100") |"
		echo "$P | 4. failover, $m: datagrams lost of $count | $(echo "$l" | val lost) | | | 0: $(goal "$(echo "$l" | val lost) == 0") |"
	fi
done
for ns in pgen pa1 pa2 pacc pb4 pinet; do ip netns del $ns; done
