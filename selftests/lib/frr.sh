# SPDX-License-Identifier: GPL-2.0
# FRR for the anycast tests (daemon/anycast_frr.sh, bench/guest-anycast.sh)
# and the BFD tests (daemon/bfd_*.sh), sourced after lib.sh (and, for
# ospf6d, failover_topology.sh).  Each router's daemons
# run as user frr with their sockets and logs in $FRR_DIR/ID (made by
# frr_dir, or the caller), and are stopped by the cleanup trap.

# frr_dir: FRR_DIR, a fresh directory removed at exit.  FRR drops to user
# frr, which cannot enter $TMPDIR (0700): its own place, open to it.
frr_dir() {
	FRR_DIR=$(mktemp -d /tmp/lw4o6-frr.XXXXXX) || return 1
	chmod 755 "$FRR_DIR"
	defer rm -rf "$FRR_DIR"
}

# frr_start NS ID IFACE... [redist[=METRIC]]: zebra and ospf6d in NS,
# OSPFv3 area 0 on the IFACEs (point-to-point, 1 s hellos, dead after 3 s,
# no SPF delay); with "redist" the connected anycast /128 ($FO_ANYCAST),
# and nothing else, goes into OSPF, as an external route of METRIC when
# one is given.
frr_start() {
	local ns=$1 id=$2 d i redist= metric=
	shift 2
	d=$FRR_DIR/$id
	mkdir -p "$d"
	{
		echo "hostname r$id"
		echo "ipv6 prefix-list ANYCAST seq 5 permit $FO_ANYCAST/128"
		echo "route-map ANYCAST permit 10"
		echo " match ipv6 address prefix-list ANYCAST"
		for i in "$@"; do
			case $i in
			redist) redist=1; continue ;;
			redist=*) redist=1; metric=" metric ${i#redist=}"; continue ;;
			esac
			echo "interface $i"
			echo " ipv6 ospf6 area 0.0.0.0"
			echo " ipv6 ospf6 network point-to-point"
			echo " ipv6 ospf6 hello-interval 1"
			echo " ipv6 ospf6 dead-interval 3"
		done
		echo "router ospf6"
		echo " ospf6 router-id 10.255.0.$id"
		echo " timers throttle spf 0 50 500"
		[ -n "$redist" ] && echo " redistribute connected$metric route-map ANYCAST"
	} > "$d/frr.conf"
	chown -R frr: "$d"
	local o="-d -u frr -g frr -P 0 -z $d/zserv.api --vty_socket $d -f $d/frr.conf"
	# shellcheck disable=SC2086
	ip netns exec "$ns" /usr/lib/frr/zebra $o -i "$d/zebra.pid" --log "file:$d/zebra.log" || return 1
	busywait 20000 test -S "$d/zserv.api" || return 1
	# shellcheck disable=SC2086
	ip netns exec "$ns" /usr/lib/frr/ospf6d $o -i "$d/ospf6d.pid" --log "file:$d/ospf6d.log" || return 1
	defer frr_stop "$d"
}

# frr_bfd_start NS ID [CONF]: zebra and bfdd in NS, bfdd's configuration
# (a "bfd" block) from the file CONF or stdin; vtysh reaches them with
# frr_vtysh ID.  Each bfdd has its own control socket (--bfdctl): the
# default path is one for the whole host.
frr_bfd_start() {
	local ns=$1 id=$2 d
	d=$FRR_DIR/$id
	mkdir -p "$d"
	{ echo "hostname r$id"; cat ${3:+"$3"}; } > "$d/frr.conf"
	chown -R frr: "$d"
	local o="-d -u frr -g frr -P 0 -z $d/zserv.api --vty_socket $d -f $d/frr.conf"
	# shellcheck disable=SC2086
	ip netns exec "$ns" /usr/lib/frr/zebra $o -i "$d/zebra.pid" --log "file:$d/zebra.log" || return 1
	busywait 20000 test -S "$d/zserv.api" || return 1
	# shellcheck disable=SC2086
	ip netns exec "$ns" /usr/lib/frr/bfdd $o --bfdctl "$d/bfdd.sock" \
		-i "$d/bfdd.pid" --log "file:$d/bfdd.log" || return 1
	defer frr_stop "$d"
}

# frr_bfd_b4_conf MS: bfdd's configuration on an AFTR's end of a softwire
# (ds0, 192.0.0.1): a peer 192.0.0.2, the B4 (FRR answers only configured
# peers), at MS ms intervals, detection 3 x MS.  For frr_bfd_start.
frr_bfd_b4_conf() {
	cat <<EOT
bfd
 peer 192.0.0.2 local-address 192.0.0.1 interface ds0
  transmit-interval $1
  receive-interval $1
  detect-multiplier 3
EOT
}

# frr_bfd_b4 ID FIELD: bfdd ID's view of its peer 192.0.0.2 (the B4 of
# frr_bfd_b4_conf), one FIELD of "show bfd peers json".
frr_bfd_b4() {
	frr_vtysh "$1" "show bfd peers json" |
		jq -r --arg f "$2" '.[] | select(.peer == "192.0.0.2") | .[$f]'
}

# frr_vtysh ID COMMAND...: vtysh on router ID's daemons, one -c each.
frr_vtysh() {
	local id=$1 c args=()
	shift
	for c in "$@"; do args+=(-c "$c"); done
	vtysh --vty_socket "$FRR_DIR/$id" "${args[@]}"
}

frr_stop() {
	local p
	for p in "$1"/bfdd.pid "$1"/ospf6d.pid "$1"/zebra.pid; do
		[ -s "$p" ] && kill "$(cat "$p")" 2> /dev/null
	done
	return 0
}

# ACC's next hops for the anycast, by interface: "a1 a2", "a2", "" ...
acc_via() {
	ip -n "$ACC" -j -6 route show "$FO_ANYCAST/128" |
		jq -r '[.[] | (.dev // empty), (.nexthops // [] | .[].dev)] | sort | join(" ")'
}
acc_is() { [ "$(acc_via)" = "$1" ]; }
