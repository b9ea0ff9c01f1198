#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of the anycast benchmark (see run.sh and docs/performance.md,
# "Anycast through FRR; ANNOUNCE to stored B4s").  Runs in the icount VM;
# result lines are prefixed "ACBENCH ".  Two parts (LW4O6_BENCH_AC_PARTS,
# "1 2"):
#
# 1. Failover with FRR doing the withdrawal.  The topology of
#    selftests/daemon/anycast_frr.sh (lib/failover_topology.sh, PostgreSQL
#    from lib/pg.sh in DB, zebra + ospf6d in ACC, AFTR1 and AFTR2, 1 s
#    hellos, SPF throttle 0/50/500 ms), except that AFTR2 redistributes
#    the anycast with a worse external metric: ACC routes it to AFTR1 alone
#    while AFTR1 announces it, to AFTR2 once AFTR1 withdraws.  Both lw4o6d
#    run `redundancy hot` with an `anycast ... dev any0 hold-down 2` line.
#    B4 2 (lw4o6d b4, PCP) has its set; LAN 2 sends a UDP stream
#    (fo_stream.py, one datagram every $iv us) to 198.51.100.254, an
#    address of IR itself, so the receiver sees on which interface each
#    datagram came in: r1 from AFTR1, r2 from AFTR2.  At one instant
#    AFTR1 fails, three ways, each round in this order:
#      - baseline: `ip addr del` of the /128 on AFTR1's any0, by hand: the
#        OSPF withdrawal alone, what any lwAFTR gets from the routing daemon
#      - `lw4o6d drain on` (the daemon polls its drain file once a second)
#      - SIGTERM to AFTR1's lw4o6d (it withdraws the address as it stops)
#    Figure: from the failure's first instruction (just before the command
#    is started; the kill is a shell builtin) to the first datagram that
#    IR receives from AFTR2; ratio against the baseline's.  Afterwards
#    AFTR1 is mended (address back, drain off, lw4o6d restarted) and ACC
#    must route to AFTR1 again before the next failure.
# 2. ANNOUNCE to $n2 stored B4s: one namespace with lw0, a SQLite store
#    holding $n2 mappings (one B4 each, 2001:db8:c::1 and up, written by
#    Python's sqlite3 with explicit column names) and lw4o6d (`announce
#    yes`, `announce-rate R`, `anycast ... hold-down 0 drain-file F`,
#    started drained: the start's round waits until the script, having
#    read lw4o6d's CPU time while it idles, removes F).
#    The B4s' prefix is routed into a dummy (out0): every ANNOUNCE leaves
#    through it, counted by an nftables counter in the output hook (and
#    out0's tx counter); the count must be $n2.  Figures for each rate:
#    the first pass's span, from the first B4's packet to the last one's
#    (nftables log lines, printk times; lw4o6d's own "sent ANNOUNCE ... in
#    M ms" is shown too), and lw4o6d's utime + stime (/proc/PID/stat)
#    from before the anycast is announced to that log line.  Baseline:
#    build/selftests/announce_send (selftests/bench/announce_send.c,
#    make bench-tools), the same packets from the same
#    kind of raw socket to the same addresses in the same order, one
#    sendto() each, unpaced and paced like the daemon.
#
# Knobs: LW4O6_BENCH_ROUNDS (3 for part 1, 2 for part 2; best of),
# LW4O6_BENCH_AC_B4S (100000), LW4O6_BENCH_AC_RATES ("10000 1000000"),
# LW4O6_BENCH_AC_INTERVAL (1000 us between datagrams, part 1),
# LW4O6_BENCH_AC_PARTS ("1 2"), LW4O6_BENCH_AC_LW4O6D (the lw4o6d to run,
# e.g. one built from a commit while the work tree's is being changed;
# default userspace/lw4o6d/lw4o6d).
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/failover_topology.sh"
source "$(dirname "$0")/../lib/pg.sh"
source "$(dirname "$0")/../lib/frr.sh"
set -u
set -o pipefail
LW4O6D=${LW4O6_BENCH_AC_LW4O6D:-$LW4O6D}

P=ACBENCH
S=$TOP/selftests/bench/fo_stream.py
AS=$TOP/build/selftests/announce_send
rounds1=${LW4O6_BENCH_ROUNDS:-3}
rounds2=${LW4O6_BENCH_ROUNDS:-2}
n2=${LW4O6_BENCH_AC_B4S:-100000}
rates=${LW4O6_BENCH_AC_RATES:-10000 1000000}
iv=${LW4O6_BENCH_AC_INTERVAL:-1000}
parts=${LW4O6_BENCH_AC_PARTS:-1 2}
part() { [[ " $parts " == *" $1 "* ]]; }
T0=${EPOCHREALTIME/[.,]/}
say() { local t=${EPOCHREALTIME/[.,]/}; echo "guest-anycast: [$(( (t - T0) / 1000000 )) s] $*" >&2; }
die() {
	say "$*"
	local f
	for f in "$TMPDIR"/*.log "${FRR_DIR:-/nonexistent}"/*/ospf6d.log; do
		[ -s "$f" ] || continue
		echo "--- $f (last 25 lines)" >&2
		tail -n 25 "$f" >&2
	done
	exit 1
}

require_root
lw4o6_have_cli || die "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || die "userspace/lw4o6d/lw4o6d not built"
lw4o6_load || die "no lw4o6.ko for $(uname -r)"
modprobe dummy 2> /dev/null || true
modprobe veth 2> /dev/null || true
CLK_TCK=$(getconf CLK_TCK)

# cpu_s PID: utime + stime of PID in seconds (/proc/PID/stat, clock ticks).
cpu_ticks() {
	local f
	read -r -a f < "/proc/$1/stat" || return 1
	echo $((f[13] + f[14]))
}
fdiv() { awk "BEGIN { if ($2 == 0) printf \"n/a\"; else printf \"%.${3:-2}f\", $1 / $2 }"; }
declare -A best line all
# keepmin CASE VALUE LINE: the lowest VALUE of the rounds; every VALUE kept.
keepmin() {
	say "round ${round:-1} $1: $2 ($3)"
	all[$1]="${all[$1]:+${all[$1]} }$2"
	if [ -z "${best[$1]:-}" ] || awk "BEGIN { exit !($2 < ${best[$1]}) }"; then
		best[$1]=$2 line[$1]=$3
	fi
}

# ---- 1. failover with FRR doing the withdrawal -------------------------------
logged() { grep -q "$2" "$TMPDIR/aftr-$1.log"; }

part1() {
	require_cmd jq psql vtysh
	[ -x /usr/lib/frr/zebra ] && [ -x /usr/lib/frr/ospf6d ] || die "FRR not installed"
	pg_available || die "PostgreSQL 15 not installed"
	failover_topology || die "cannot build the topology"
	ip -n "$ACC" -6 route del "$FO_ANYCAST/128"
	# shellcheck disable=SC2034  # read by failover_topology.sh and pg.sh
	FO_B4_LIFETIME=600
	# shellcheck disable=SC2034
	FO_AFTR_LIFETIME="min 10 max 600 default 600"
	failover_b4 2 || die "cannot build the B4"
	# The stream's receiver is IR itself: no return route is needed, and
	# the arrival interface tells the lwAFTRs apart.  Its source (the
	# shared pool) routes back through r1, so no reverse-path filter.
	for i in all default r1 r2; do
		ip netns exec "$IR" sysctl -qw "net.ipv4.conf.$i.rp_filter=0"
	done
	FRR_DIR=$(mktemp -d /tmp/lw4o6-frr.XXXXXX) || die "mktemp"
	chmod 755 "$FRR_DIR"
	defer rm -rf "$FRR_DIR"
	# shellcheck disable=SC2034
	PG_NS=$DB PG_ADDR=10.9.0.1
	pg_start > "$TMPDIR/pg.out" || die "PostgreSQL did not start"
	for n in 1 2; do
		failover_aftr_conf $n "storage postgresql \"$PG_CONNINFO\"" "node aftr$n" \
			"redundancy hot" \
			"anycast $FO_ANYCAST dev any0 hold-down 2 drain-file $TMPDIR/drain-$n"
		# not the helper's debug: a line per packet event would be timed too
		sed -i 's/^log-level debug$/log-level info/' "$TMPDIR/aftr-$n.conf"
	done
	frr_start "$ACC" 1 a1 a2 || die "FRR on ACC"
	frr_start "$AFTR1" 2 u0 redist=20 || die "FRR on AFTR1"
	frr_start "$AFTR2" 3 u0 redist=200 || die "FRR on AFTR2"
	failover_aftr_start 1 > /dev/null || die "AFTR1's lw4o6d did not start"
	failover_aftr_start 2 > /dev/null || die "AFTR2's lw4o6d did not start"
	busywait 120000 acc_is a1 || die "ACC does not route the anycast to AFTR1: '$(acc_via)'"
	busywait 30000 logged 2 "anycast $FO_ANYCAST announced on any0" ||
		die "AFTR2 did not announce the anycast"
	local t0
	t0=$(now_ms)
	failover_b4_start 2
	busywait 60000 failover_bound 2 > /dev/null || die "B4 2 not bound"
	busywait 30000 sh -c "[ -n \"\$(ip netns exec '$AFTR2' '$LW4O6' binding show dev lw0)\" ]" ||
		die "AFTR2 did not mirror the B4's binding"
	say "B4 2 bound ($(failover_bound 2)) after $(( $(now_ms) - t0 )) ms; ACC via $(acc_via)"
	local ix1 ix2
	ix1=$(ip -n "$IR" -o link show r1 | cut -d: -f1)
	ix2=$(ip -n "$IR" -o link show r2 | cut -d: -f1)
	# pre datagrams through AFTR1 before the failure, then post ms
	local pre=300 post=4000 count r1_base
	count=$(( pre + post * 1000 / iv + 1000 ))
	# r1_rx: packets IR received on r1, read through the receiver's
	# /proc/PID/net (its namespace) without a fork
	r1_rx() {
		local l ifc rxp rest
		while read -r l; do
			read -r ifc _ rxp rest <<< "${l/:/ }"
			[ "$ifc" = r1 ] && { echo "$rxp"; return 0; }
		done < "/proc/$rpid/net/dev"
		echo 0
	}
	r1_has() { [ "$(r1_rx)" -ge "$1" ]; }
	for round in $(seq 1 "$rounds1"); do
		for how in withdraw drain stop; do
			busywait 60000 acc_is a1 || die "ACC does not route to AFTR1 again: '$(acc_via)'"
			sleep 1
			local out=$TMPDIR/recv-$how-$round.txt
			rm -f "$TMPDIR/recv.ready"
			ip netns exec "$IR" "$PYTHON" "$S" recv 198.51.100.254 9000 "$out" > "$TMPDIR/recv.ready" &
			rpid=$!
			busywait 20000 test -s "$TMPDIR/recv.ready" || die "receiver not ready"
			r1_base=$(r1_rx)
			ip netns exec "$LAN_2" "$PYTHON" "$S" send 192.168.2.2 40000 198.51.100.254 9000 "$iv" "$count" > "$TMPDIR/send.out" &
			local spid=$! t_f t_d t_a mpid
			# when the /128 leaves any0, by the kernel's own notification
			ip -n "$AFTR1" -tshort -6 monitor address > "$TMPDIR/mon.txt" &
			mpid=$!
			# The stream's start is a Python start, read over 9p: not
			# timed by a sleep, but by $pre datagrams in through r1.
			busywait 60000 r1_has $((r1_base + pre)) ||
				die "$how: the stream does not come through AFTR1 ($(r1_rx) of $((r1_base + pre)))"
			# microseconds, without a fork: the failure's instant
			case $how in
			withdraw)
				t_f=${EPOCHREALTIME/[.,]/}
				ip -n "$AFTR1" -6 addr del "$FO_ANYCAST/128" dev any0
				;;
			drain)
				t_f=${EPOCHREALTIME/[.,]/}
				"$LW4O6D" drain -c "$TMPDIR/aftr-1.conf" on > /dev/null
				;;
			stop)
				t_f=${EPOCHREALTIME/[.,]/}
				kill "$AFTR_PID_1"
				;;
			esac
			t_d=${EPOCHREALTIME/[.,]/}
			wait $spid
			sleep 0.3
			kill "$rpid" "$mpid"; wait "$rpid" "$mpid" 2> /dev/null
			t_a=$(sed -n "s/^\[\([^]]*\)\] Deleted .*inet6 $FO_ANYCAST\/128 .*/\1/p" "$TMPDIR/mon.txt" | head -n 1)
			[ -n "$t_a" ] || die "$how: the anycast did not leave AFTR1's any0: $(cat "$TMPDIR/mon.txt")"
			t_a=$(date -d "$t_a" +%s%N)
			local r
			r=$(awk -v f="$t_f" -v a="$t_a" -v ix1="$ix1" -v ix2="$ix2" -v n="$count" '
				BEGIN { f *= 1000 }
				{ got[$1] = 1
				  if ($4 == ix1) { n1++; if ($3 > l1) l1 = $3; next }
				  if ($4 != ix2) { other++; next }
				  n2++; if (!f2 || $3 < f2) f2 = $3 }
				END { lost = 0; for (i = 0; i < n; i++) if (!(i in got)) lost++
				  if (!f2) f2 = f - 1e9; if (!l1) l1 = f
				  printf "first_ms %.1f gone_ms %.1f route_ms %.1f last1_ms %.1f via1 %d via2 %d lost %d other %d\n",
					(f2 - f) / 1e6, (a - f) / 1e6, (f2 - a) / 1e6, (l1 - f) / 1e6,
					n1, n2, lost, other + 0 }' "$out")
			say "round $round $how: $r; the command ran $((t_d - t_f)) us; $(cat "$TMPDIR/send.out")"
			local v1 v2 first
			v1=$(sed -n 's/.* via1 \([0-9]*\).*/\1/p' <<< "$r")
			v2=$(sed -n 's/.* via2 \([0-9]*\).*/\1/p' <<< "$r")
			first=$(sed -n 's/^first_ms \([-0-9.]*\).*/\1/p' <<< "$r")
			[ "$v1" -gt 0 ] || die "$how: nothing came through AFTR1 before the failure"
			[ "$v2" -gt 0 ] || die "$how: nothing came through AFTR2 within $post ms"
			keepmin "fo_$how" "$first" "$r cmd_us $((t_d - t_f))"
			keepmin "route_$how" "$(sed -n 's/.* route_ms \([-0-9.]*\).*/\1/p' <<< "$r")" ""
			# mend AFTR1
			case $how in
			withdraw) ip -n "$AFTR1" -6 addr add "$FO_ANYCAST/128" dev any0 nodad ;;
			drain) "$LW4O6D" drain -c "$TMPDIR/aftr-1.conf" off > /dev/null ;;
			stop)
				wait "$AFTR_PID_1" 2> /dev/null
				logged 1 "withdrawn from any0: stopping" || die "AFTR1 did not say it withdrew on stopping"
				failover_aftr_start 1 > /dev/null || die "AFTR1's lw4o6d did not start again"
				;;
			esac
		done
	done
	logged 1 "withdrawn from any0: draining" || die "AFTR1 never said it drained"
}

# ---- 2. ANNOUNCE to n2 stored B4s -----------------------------------------------
ANY=2001:db8:ff::1
announce_conf() {	# RATE
	cat > "$TMPDIR/an.conf" <<EOT
role aftr
device lw0
log-level info
storage sqlite $TMPDIR/an.db
lifetime min 120 max 86400 default 7200
subscriber-prefix-len 128
pool 10.0.0.0/16 psid-len 4 offset 6
announce yes
announce-rate $1
anycast $ANY dev any0 hold-down 0 drain-file $TMPDIR/drain
EOT
}
an_start() {
	: > "$TMPDIR/an.log"
	ip netns exec "$AN" "$LW4O6D" -c "$TMPDIR/an.conf" >> "$TMPDIR/an.log" 2>&1 &
	APID=$!
	defer kill "$APID"
	busywait 300000 sh -c "grep -q 'aftr on lw0' '$TMPDIR/an.log' || ! kill -0 $APID" ||
		die "lw4o6d did not start"
	kill -0 "$APID" 2> /dev/null || die "lw4o6d stopped"
}
an_stop() {
	kill "$APID"
	wait "$APID" 2> /dev/null
	APID=
}
# nft_setup ID: the counter (zero), and a kernel log line for the first
# and the last B4's packet, prefixed "acbID-f " and "acbID-l ": their
# printk times are the pass's span, from outside the sender.
nft_setup() {
	ip netns exec "$AN" nft delete table ip6 acb 2> /dev/null
	ip netns exec "$AN" nft -f - <<EOT || die "nft"
table ip6 acb {
	counter ann { }
	chain out {
		type filter hook output priority 0; policy accept;
		ip6 daddr 2001:db8:c::1 meta l4proto 4 log prefix "acb$1-f "
		ip6 daddr $B4_LAST meta l4proto 4 log prefix "acb$1-l "
		ip6 daddr 2001:db8:c::/48 meta l4proto 4 counter name ann
	}
}
EOT
}
# span_ms ID: ms between the first and the last B4's packet of run ID.
span_ms() {
	local f l
	f=$(dmesg | sed -n "s/^\[ *\([0-9.]*\)\] acb$1-f .*/\1/p" | head -n 1)
	l=$(dmesg | sed -n "s/^\[ *\([0-9.]*\)\] acb$1-l .*/\1/p" | head -n 1)
	[ -n "$f" ] && [ -n "$l" ] || die "run $1: no kernel log line for the first or the last packet"
	awk "BEGIN { printf \"%.1f\", ($l - $f) * 1000 }"
}
nft_count() {
	ip netns exec "$AN" nft list counter ip6 acb ann | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
tx_count() {
	ip -n "$AN" -s -j link show out0 | jq '.[0].stats64.tx.packets'
}

part2() {
	[ -x "$AS" ] || die "$AS missing (make bench-tools, or make bench)"
	setup_ns AN || die "netns"
	ip -n "$AN" link add out0 type dummy
	ip -n "$AN" link set out0 up
	ip -n "$AN" -6 route add 2001:db8:c::/48 dev out0
	ip -n "$AN" route add default dev out0	# the anycast's upstream check
	ip -n "$AN" link add any0 type dummy
	ip -n "$AN" link set any0 up
	"$LW4O6" -n "$AN" dev add lw0 mode aftr local $ANY || die "lw0"
	ip -n "$AN" link set lw0 up
	ip -n "$AN" route add 10.0.0.0/16 dev lw0
	# The last B4: 2001:db8:c:: + n2, in groups of 16 bits.
	if [ $((n2 >> 16)) -gt 0 ]; then
		B4_LAST=$(printf '2001:db8:c::%x:%x' $((n2 >> 16)) $((n2 & 0xffff)))
	else
		B4_LAST=$(printf '2001:db8:c::%x' "$n2")
	fi
	modprobe nf_log_syslog 2> /dev/null || true
	sysctl -qw net.netfilter.nf_log_all_netns=1 || die "nf_log_all_netns"
	run_id=0
	nft_setup 0
	# The store: created (schema, epoch) by a first start, then filled.
	announce_conf 10000
	"$LW4O6D" --check-config "$TMPDIR/an.conf" || die "config"
	an_start; an_stop
	local t0 t1
	t0=$(now_ms)
	"$PYTHON" - "$TMPDIR/an.db" "$n2" <<'EOF' || die "filling the store"
import ipaddress, sqlite3, sys, time
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
now = int(time.time())
base = int(ipaddress.IPv6Address("2001:db8:c::"))
# explicit columns: the others (via, and any added later) take their defaults
c.executemany('INSERT INTO mappings (b4, protocol, internal_port, nonce, ipv4,'
              ' psid, psid_len, "offset", expires, created)'
              ' VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
              (((base + i + 1).to_bytes(16, "big"), 0, 0, i.to_bytes(12, "big"),
                0x0a000000 + i // 16, i % 16, 4, 6, now + 86400, now)
               for i in range(n)))
c.commit()
# everything (the daemon's schema and epoch too) into the main file, so
# that a copy of it is the whole store
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
m = c.execute("SELECT count(*) FROM mappings").fetchone()[0]
e = c.execute("SELECT count(*) FROM meta WHERE key = 'epoch_base'").fetchone()[0]
c.close()
if m != n or e != 1:
    sys.exit("store: %d mappings, %d epoch_base" % (m, e))
EOF
	t1=$(now_ms)
	cp "$TMPDIR/an.db" "$TMPDIR/orig.db"
	say "$n2 mappings written in $((t1 - t0)) ms"
	local rate c0 c1 k1 x0 x1 msg ms cpu sp
	for round in $(seq 1 "$rounds2"); do
		for rate in $rates; do
			rm -f "$TMPDIR"/an.db*; cp "$TMPDIR/orig.db" "$TMPDIR/an.db" || die "cp"
			"$LW4O6" -n "$AN" binding flush dev lw0
			run_id=$((run_id + 1))
			nft_setup $run_id
			announce_conf "$rate"
			x0=$(tx_count)
			# Started drained: idle once it says so, and the round
			# begins when the drain file goes (the next 1 s tick).
			touch "$TMPDIR/drain"
			an_start
			busywait 30000 grep -q "not announced: draining" "$TMPDIR/an.log" ||
				die "lw4o6d did not say it is drained"
			sleep 0.5
			c0=$(cpu_ticks "$APID")
			rm "$TMPDIR/drain"
			busywait 600000 grep -q "sent ANNOUNCE" "$TMPDIR/an.log" ||
				die "no ANNOUNCE round ended in 600 s"
			c1=$(cpu_ticks "$APID")
			k1=$(nft_count)
			x1=$(tx_count)
			an_stop
			msg=$(grep "sent ANNOUNCE" "$TMPDIR/an.log" | head -n 1)
			say "round $round rate $rate: $(grep -E 'reconcil|ANNOUNCE' "$TMPDIR/an.log" | tr '\n' ' ')"
			ms=$(sed -n 's/.* in \([0-9]*\) ms.*/\1/p' <<< "$msg")
			[[ $msg == *" to $n2 B4s in "* ]] || die "round not to $n2 B4s: $msg"
			[ "$k1" = "$n2" ] || die "rate $rate: $k1 ANNOUNCEs counted leaving, not $n2"
			[ $((x1 - x0)) -ge "$n2" ] || die "rate $rate: out0 sent $((x1 - x0)), fewer than $n2"
			cpu=$(fdiv "$((c1 - c0))" "$CLK_TCK")
			sp=$(span_ms $run_id)
			keepmin "an_ms_$rate" "$ms" "$msg"
			keepmin "an_span_$rate" "$sp" "$msg"
			keepmin "an_cpu_$rate" "$cpu" "counted $k1 (out0 $((x1 - x0)))"
		done
		# the baseline, unpaced and paced at the first rate
		ip -n "$AN" -6 addr add $ANY/128 dev any0 nodad
		local how l pace
		for how in 0 ${rates%% *}; do
			run_id=$((run_id + 1))
			nft_setup $run_id
			pace=()
			[ "$how" = 0 ] || pace=("$how")
			l=$(ip netns exec "$AN" "$AS" $ANY 2001:db8:c:: "$n2" "${pace[@]}") ||
				die "announce_send: $l"
			k1=$(nft_count)
			[ "$k1" = "$n2" ] || die "announce_send $how: $k1 counted leaving, not $n2"
			keepmin "as_ms_$how" "$(sed -n 's/.* ms \([0-9.]*\) .*/\1/p' <<< "$l")" "$l"
			keepmin "as_span_$how" "$(span_ms $run_id)" "$l"
			keepmin "as_cpu_$how" "$(fdiv "$(sed -n 's/.* cpu_ticks \([0-9]*\) .*/\1/p' <<< "$l")" "$CLK_TCK")" "$l"
		done
		ip -n "$AN" -6 addr del $ANY/128 dev any0
	done
}

part 1 && part1
part 2 && part2

# ---- the table ---------------------------------------------------------------------
k=$(uname -r)
mean() { echo "$@" | awk '{ for (i = 1; i <= NF; i++) t += $i; printf "%.1f", t / NF }'; }
val() { sed -n "s/.*$1 \([-0-9.]*\).*/\1/p" <<< "$2"; }
echo "$P | kernel $k, best of ${rounds1} (1) / ${rounds2} (2) | guest figure | ratio | detail (every round) |"
echo "$P |---|---|---|---|"
if part 1; then
	b=${best[fo_withdraw]}
	for how in withdraw drain stop; do
		case $how in
		withdraw) d="baseline: \`ip addr del\` of the /128 on AFTR1's any0 by hand" ;;
		drain) d="\`lw4o6d drain on\` (lw4o6d polls the drain file once a second)" ;;
		stop) d="SIGTERM to AFTR1's lw4o6d" ;;
		esac
		l=${line[fo_$how]}
		echo "$P | 1. $d -> first datagram through AFTR2 | $(val first_ms "$l") ms | $(fdiv "$(val first_ms "$l")" "$b") x addr del | address gone after $(val gone_ms "$l") ms, then routing $(val route_ms "$l") ms; the command ran $(fdiv "$(val cmd_us "$l")" 1000 1) ms; lost $(val lost "$l"); every round: ${all[fo_$how]} ms, mean $(mean ${all[fo_$how]}) ms (routing part ${all[route_$how]} ms) |"
	done
fi
if part 2; then
	r0=${rates%% *}
	echo "$P | 2. baseline: announce_send, $n2 sendto() back to back: first -> last packet | ${best[as_span_0]} ms, CPU ${best[as_cpu_0]} s | 1.00 | every round ${all[as_span_0]} ms; its own clock around the loop ${all[as_ms_0]} ms |"
	echo "$P | 2. baseline: announce_send paced like lw4o6d at $r0/s: first -> last packet | ${best[as_span_$r0]} ms, CPU ${best[as_cpu_$r0]} s | CPU $(fdiv "${best[as_cpu_$r0]}" "${best[as_cpu_0]}") x unpaced | every round ${all[as_span_$r0]} ms; its own clock ${all[as_ms_$r0]} ms |"
	for rate in $rates; do
		echo "$P | 2. lw4o6d ANNOUNCE, first pass to $n2 stored B4s, announce-rate $rate: first -> last packet | ${best[an_span_$rate]} ms | $(fdiv "${best[an_span_$rate]}" "$(fdiv $((n2 * 1000)) "$rate" 3)") x $n2/$rate s; $(fdiv "${best[an_span_$rate]}" "${best[as_span_0]}") x unpaced loop | every round ${all[an_span_$rate]} ms; lw4o6d logged \"in M ms\": ${all[an_ms_$rate]} |"
		echo "$P | 2. the same: lw4o6d CPU (utime+stime) across the round | ${best[an_cpu_$rate]} s | $(fdiv "${best[an_cpu_$rate]}" "${best[as_cpu_0]}") x unpaced loop | every round ${all[an_cpu_$rate]} s; ${line[an_cpu_$rate]} |"
	done
fi
exit 0
