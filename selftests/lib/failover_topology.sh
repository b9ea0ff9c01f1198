# SPDX-License-Identifier: GPL-2.0
# The failover tests' topology, sourced after lib.sh: two lwAFTRs sharing
# one anycast `local`, an access router in front of them whose route to the
# anycast /128 picks one (or both, ECMP), an internet router behind them,
# and a management link to a database namespace.
#
#  LANn 192.168.n.2            ACC (access router)         AFTR1                     IR (internet router)   INET
#   |                          br0 2001:db8:1::1/64        u0 2001:db8:a1::2 ------  r1 10.1.0.1  ------- e0 198.51.100.254
#  B4n 2001:db8:1::N --------- a1 2001:db8:a1::1 --------- lw0 local 2001:db8:ff::1   r2 10.2.0.1            INET 198.51.100.1
#   b0 (b4, remote ff::1)      a2 2001:db8:a2::1 ---\       (no icmp-source)         /                      (echo server)
#   + lw4o6d (b4)              2001:db8:ff::1/128 via   \   any0 2001:db8:ff::1/128  |
#                              a1::2 (failover_move_to)  \  i0 10.1.0.2 -----------/ |
#                              or both (ECMP)             \ m0 10.9.0.11 --.         |
#                                                          AFTR2 (the same, a2::2,   |
#                                                          10.2.0.2, 10.9.0.12) -----+
#                                                                          |
#                                                          DB br0 10.9.0.1/24 (PostgreSQL, lib/pg.sh)
#
# Each lwAFTR has the anycast on a dummy (any0), as a routing daemon would
# redistribute it, so its lw4o6d can `listen` there (PCP over IPv6, the
# DHCPv4-over-DHCPv6 server); an "anycast" line in lw4o6d.conf takes it
# over (daemon/anycast_frr.sh).  The devices send from the anycast here;
# datapath/anycast.sh turns on encap-unicast and accept-from.  The IPv4
# pools: FO_POOL1 (AFTR1's) and FO_POOL2 (AFTR2's); IR routes each to its
# lwAFTR, and when they are the same prefix (a shared store) IR's route
# moves with ACC's.  B4s and their LANs come from failover_b4.
#
# Variables: ACC, AFTR1, AFTR2, IR, INET, DB (namespaces), B4_N / LAN_N.

LW4O6D=$TOP/userspace/lw4o6d/lw4o6d
FO_ANYCAST=2001:db8:ff::1
FO_POOL1=${FO_POOL1:-192.0.2.0/28}
FO_POOL2=${FO_POOL2:-192.0.2.0/28}

# failover_topology [ecmp]: every namespace and link, both lw0 devices
# (up, the pools routed into them), ACC's route on AFTR1 (or ECMP).
failover_topology() {
	local n
	setup_ns ACC AFTR1 AFTR2 IR INET DB || return 1
	ip netns exec "$ACC" sysctl -qw net.ipv6.conf.all.forwarding=1
	ip netns exec "$IR" sysctl -qw net.ipv4.ip_forward=1
	# A MAC of its own (aftr_topology.sh says why).
	ip -n "$ACC" link add br0 address 02:00:00:00:a0:01 type bridge
	ip -n "$ACC" addr add 2001:db8:1::1/64 dev br0 nodad
	ip -n "$ACC" link set br0 up
	ip -n "$INET" link add e0 type veth peer name e0 netns "$IR"
	ip -n "$INET" addr add 198.51.100.1/24 dev e0
	ip -n "$IR" addr add 198.51.100.254/24 dev e0
	ip -n "$INET" link set e0 up
	ip -n "$IR" link set e0 up
	ip -n "$INET" route add default via 198.51.100.254
	ip -n "$DB" link add br0 type bridge
	ip -n "$DB" addr add 10.9.0.1/24 dev br0
	ip -n "$DB" link set br0 up
	for n in 1 2; do
		local a=AFTR$n
		a=${!a}
		ip netns exec "$a" sysctl -qw net.ipv4.ip_forward=1
		ip netns exec "$a" sysctl -qw net.ipv6.conf.all.forwarding=1
		veth "$ACC" "a$n" "2001:db8:a$n::1/64" "$a" u0 "2001:db8:a$n::2/64"
		ip -n "$a" route add 2001:db8:1::/64 via "2001:db8:a$n::1"
		ip -n "$a" link add any0 type dummy
		ip -n "$a" addr add "$FO_ANYCAST/128" dev any0 nodad
		ip -n "$a" link set any0 up
		ip -n "$IR" link add "r$n" type veth peer name i0 netns "$a"
		ip -n "$IR" addr add "10.$n.0.1/24" dev "r$n"
		ip -n "$a" addr add "10.$n.0.2/24" dev i0
		ip -n "$IR" link set "r$n" up
		ip -n "$a" link set i0 up
		ip -n "$a" route add default via "10.$n.0.1"
		ip -n "$a" link add m0 type veth peer name "m$n" netns "$DB"
		ip -n "$DB" link set "m$n" master br0 up
		ip -n "$a" addr add "10.9.0.1$n/24" dev m0
		ip -n "$a" link set m0 up
		"$LW4O6" -n "$a" dev add lw0 mode aftr local "$FO_ANYCAST" || return 1
		ip -n "$a" link set lw0 up
		local pool=FO_POOL$n
		ip -n "$a" route add "${!pool}" dev lw0 || return 1
	done
	if [ "$FO_POOL1" = "$FO_POOL2" ]; then
		ip -n "$IR" route add "$FO_POOL1" via 10.1.0.2
	else
		ip -n "$IR" route add "$FO_POOL1" via 10.1.0.2
		ip -n "$IR" route add "$FO_POOL2" via 10.2.0.2
	fi
	ip -n "$ACC" -6 route add "$FO_ANYCAST/128" via 2001:db8:a1::2
	FO_ACTIVE=1
	[ "${1:-}" = ecmp ] && failover_ecmp
	return 0
}

# failover_unicast_aftrs N...: each lwAFTR's lw0 moved off the anycast to
# a unicast local of its own, 2001:db8:fN::1, which ACC routes to AFTR N
# and B4s N... route to ACC, for a B4 that names its AFTRs one by one
# ("aftr ..." in its lw4o6d.conf) and must tell them apart.  After
# failover_b4 N.
failover_unicast_aftrs() {
	local n a b
	for n in 1 2; do
		a=AFTR$n
		"$LW4O6" -n "${!a}" dev set lw0 local "2001:db8:f$n::1" || return 1
		ip -n "$ACC" -6 route add "2001:db8:f$n::1/128" via "2001:db8:a$n::2"
	done
	for b in "$@"; do
		b=B4_$b
		for n in 1 2; do
			ip -n "${!b}" -6 route add "2001:db8:f$n::1" via 2001:db8:1::1
		done
	done
}

# failover_move_to N: ACC's route to the anycast (and IR's to a shared
# pool) now points at AFTR N only: what routing does when AFTR 1 fails.
failover_move_to() {
	ip -n "$ACC" -6 route replace "$FO_ANYCAST/128" via "2001:db8:a$1::2" || return 1
	if [ "$FO_POOL1" = "$FO_POOL2" ]; then
		ip -n "$IR" route replace "$FO_POOL1" via "10.$1.0.2" || return 1
	fi
	FO_ACTIVE=$1
}

# failover_ecmp: both lwAFTRs as equal next hops (and for a shared pool
# on IR too).  Linux hashes a flow on its addresses, flow label and next
# header (policy 0), so each softwire sticks to one of them.
failover_ecmp() {
	ip -n "$ACC" -6 route replace "$FO_ANYCAST/128" \
		nexthop via 2001:db8:a1::2 nexthop via 2001:db8:a2::2 || return 1
	if [ "$FO_POOL1" = "$FO_POOL2" ]; then
		ip -n "$IR" route replace "$FO_POOL1" \
			nexthop via 10.1.0.2 nexthop via 10.2.0.2 || return 1
	fi
	FO_ACTIVE=ecmp
}

# failover_b4 N: B4 N (2001:db8:1::N on ACC's br0) with its LAN
# host LAN_N (192.168.N.2 behind 192.168.N.1): its lw4o6 device b0 in mode
# b4 without a binding (remote the anycast), default route into it, and
# $TMPDIR/b4-N.conf for its lw4o6d (role b4, PCP; append to it).
failover_b4() {
	local n=$1 b l
	setup_ns "B4_$n" "LAN_$n" || return 1
	b=B4_$n l=LAN_$n
	b=${!b} l=${!l}
	ip -n "$ACC" link add "b$n" type veth peer name u0 netns "$b"
	ip -n "$ACC" link set "b$n" master br0 up
	ip -n "$b" addr add "2001:db8:1::$n/64" dev u0 nodad
	ip -n "$b" link set u0 up
	ip -n "$b" route add "$FO_ANYCAST" via 2001:db8:1::1
	ip netns exec "$b" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$l" link add e0 type veth peer name lan0 netns "$b"
	ip -n "$l" addr add "192.168.$n.2/24" dev e0
	ip -n "$b" addr add "192.168.$n.1/24" dev lan0
	ip -n "$l" link set e0 up
	ip -n "$b" link set lan0 up
	ip -n "$l" route add default via "192.168.$n.1"
	"$LW4O6" -n "$b" dev add b0 mode b4 local "2001:db8:1::$n" \
		remote "$FO_ANYCAST" || return 1
	ip -n "$b" link set b0 up
	ip -n "$b" route add default dev b0
	cat > "$TMPDIR/b4-$n.conf" <<EOT
role b4
device b0
log-level debug
lifetime ${FO_B4_LIFETIME:-20}
EOT
}

# failover_aftr_conf N STORAGE-LINE [EXTRA LINES...]: $TMPDIR/aftr-N.conf,
# AFTR N's lw4o6d: PCP inside the softwire and on the anycast, its pool,
# lifetimes $FO_AFTR_LIFETIME (default "min 10 max 60 default 20").
failover_aftr_conf() {
	local n=$1 storage=$2 pool=FO_POOL$1
	shift 2
	{
		cat <<EOT
role aftr
device lw0
log-level debug
$storage
listen $FO_ANYCAST
lifetime ${FO_AFTR_LIFETIME:-min 10 max 60 default 20}
quota 1
rate-limit 50 burst 100
subscriber-prefix-len 128
pool ${!pool} psid-len 4
EOT
		printf '%s\n' "$@"
	} > "$TMPDIR/aftr-$n.conf"
}

# failover_aftr_start N [ARGS]: start AFTR N's lw4o6d (log
# $TMPDIR/aftr-N.log), pid in AFTR_PID_N; waits until it serves lw0.
failover_aftr_start() {
	local n=$1 a=AFTR$1
	shift
	"$LW4O6D" --check-config "$TMPDIR/aftr-$n.conf" || return 1
	ip netns exec "${!a}" "$LW4O6D" -c "$TMPDIR/aftr-$n.conf" "$@" \
		>> "$TMPDIR/aftr-$n.log" 2>&1 &
	printf -v "AFTR_PID_$n" '%s' $!
	defer kill $!
	# Up, or gone (a bad store, say): no use waiting out the 30 s then.
	local i pid=$!
	for ((i = 0; i < 300; i++)); do
		grep -q "aftr on lw0" "$TMPDIR/aftr-$n.log" && return 0
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.2
	done
	tail -n 20 "$TMPDIR/aftr-$n.log"
	return 1
}

# failover_bail NAME...: when something has failed already (the set-up),
# show these logs and finish now rather than wait out every later check.
failover_bail() {
	[ "$KTAP_FAIL" -gt 0 ] || return 0
	failover_logs "$@"
	ktap_finish
}

# failover_b4_start N [ARGS]: start B4 N's lw4o6d, pid in B4_PID_N.
failover_b4_start() {
	local n=$1 b=B4_$1
	shift
	ip netns exec "${!b}" "$LW4O6D" -c "$TMPDIR/b4-$n.conf" "$@" \
		>> "$TMPDIR/b4-$n.log" 2>&1 &
	printf -v "B4_PID_$n" '%s' $!
	defer kill $!
}

# failover_bound N: B4 N's binding, "ipv4 psid/len" (fails when none).
failover_bound() {
	local b=B4_$1
	"$LW4O6" -n "${!b}" -j dev show b0 |
		jq -er '.[0] | select(.ipv4 != null) | "\(.ipv4) \(.psid)/\(.psid_len)"'
}

# failover_remote N: B4 N's b0 remote, the AFTR it uses now;
# failover_remote_is N ADDR: it is ADDR.
failover_remote() {
	local b=B4_$1
	"$LW4O6" -n "${!b}" -j dev show b0 | jq -r '.[0].remote'
}
failover_remote_is() { [ "$(failover_remote "$1")" = "$2" ]; }

# failover_in_pool N LO HI: B4 N is bound to an address 192.0.2.LO ..
# 192.0.2.HI, i.e. to a set of the lwAFTR whose pool that is.
failover_in_pool() {
	local v
	v=$(failover_bound "$1") || return 1
	v=${v%% *}
	v=${v##*.}
	[ "$v" -ge "$2" ] && [ "$v" -le "$3" ]
}

# failover_table N: AFTR N's kernel bindings, "ipv4 psid/len b4" a line, sorted.
failover_table() {
	local a=AFTR$1
	"$LW4O6" -n "${!a}" -j binding show dev lw0 |
		jq -r '.[] | "\(.ipv4) \(.psid)/\(.psid_len) \(.b4)"' | sort
}

# failover_stat N NAME: AFTR N's lw0 counter NAME.
failover_stat() {
	local a=AFTR$1
	"$LW4O6" -n "${!a}" -j stats show dev lw0 | jq ".[\"${2//-/_}\"] // 0"
}

# failover_cut_store N: AFTR N's connection to PostgreSQL (lib/pg.sh)
# ended by the server and kept from coming back (its SYNs dropped), as
# when the database host is unreachable; failover_mend_store N undoes it.
failover_cut_store() {
	local a=AFTR$1
	ip netns exec "${!a}" nft -f - <<EOT || return 1
table inet cut {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp dport 5432 drop
	}
}
EOT
	pg_sql "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'aftr$1'" > /dev/null
}
failover_mend_store() {
	local a=AFTR$1
	ip netns exec "${!a}" nft delete table inet cut
}

# failover_logs NAME...: the last lines of $TMPDIR/NAME.log, as diagnostics.
failover_logs() {
	local f
	for f in "$@"; do
		[ -e "$TMPDIR/$f.log" ] || continue
		ktap_diag "--- $f.log (last 30 lines)"
		ktap_diag "$(tail -n 30 "$TMPDIR/$f.log")"
	done
}

# failover_dhcp6_info: kea-dhcp6 on ACC's br0, stateless, answering a
# B4's Information-request with option 88 (dhcp4o6-server-addr) = the
# anycast: the access network tells B4s where the 4o6 service is, and
# their DHCPv4-QUERYs then follow the anycast route to whichever lwAFTR
# has it (each lwAFTR's lw4o6d serves `listen` = the anycast).
failover_dhcp6_info() {
	local d=$TMPDIR/kea6
	mkdir -p "$d"
	cat > "$d/kea6.json" <<EOT
{"Dhcp6": {
  "interfaces-config": {"interfaces": ["br0/2001:db8:1::1"]},
  "server-id": {"type": "EN", "enterprise-id": 2495, "identifier": "616363", "persist": false},
  "lease-database": {"type": "memfile", "persist": false},
  "subnet6": [{"id": 1, "subnet": "2001:db8:1::/64", "interface": "br0",
    "option-data": [{"name": "dhcp4o6-server-addr", "data": "$FO_ANYCAST"}]}],
  "loggers": [{"name": "kea-dhcp6", "severity": "INFO",
               "output_options": [{"output": "$d/kea6.log"}]}]
}}
EOT
	# kea-dhcp6 binds br0's link-local address: not while DAD holds it.
	busywait 10000 sh -c "ip -n '$ACC' -6 addr show dev br0 scope link | grep -q inet6 &&
		! ip -n '$ACC' -6 addr show dev br0 tentative | grep -q inet6" || return 1
	ip netns exec "$ACC" env KEA_PIDFILE_DIR="$d" KEA_LOCKFILE_DIR="$d" \
		kea-dhcp6 -c "$d/kea6.json" > "$d/kea6.out" 2>&1 &
	FO_KEA6_PID=$!
	defer kill $FO_KEA6_PID
	busywait 60000 sh -c "ip netns exec '$ACC' ss -Hnua | grep -q ':547 '"
}

# failover_balance N: two results, one per direction, that every packet
# AFTR N's lw0 received was sent, dropped or queued (lib.sh's
# check_balance), counting PCP taken by the control path
# (control-ipv4-packets), which a re-provisioning B4 sends.
failover_balance() {
	local a=AFTR$1 j
	j=$("$LW4O6" -n "${!a}" -j stats show dev lw0)
	check_cmd "AFTR $1: every IPv4 packet in was sent, dropped or queued" \
		test "$(jq '.["rcvd_ipv4_packets"]' <<< "$j")" -eq \
		"$(jq '.["sent_ipv6_packets"] + .["dropped_ipv4_packets"] + (.["queued_ipv4_fragments"] // 0)' <<< "$j")"
	check_cmd "AFTR $1: every IPv6 packet in was sent, taken by the control path, dropped or queued" \
		test "$(jq '.["rcvd_ipv6_packets"]' <<< "$j")" -eq \
		"$(jq '.["sent_ipv4_packets"] + .["control_ipv4_packets"] + .["dropped_ipv6_packets"] + (.["queued_softwire_fragments"] // 0)' <<< "$j")"
}
