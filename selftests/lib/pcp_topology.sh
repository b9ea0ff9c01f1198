# SPDX-License-Identifier: GPL-2.0
# The lw4o6d tests' topology, sourced after lib.sh and aftr_topology.sh: our
# lwAFTR with lw4o6d in the aftr role, and N of our lwB4s, each with one LAN
# host, that start without a binding and get it from lw4o6d over PCP.
#
#  LANn 192.168.n.2 --v-- 192.168.n.1  B4n                  AFTR                 INET
#                                      b0 (b4, no binding,  lw0 (aftr,          198.51.100.1
#                                      local 2001:db8:1::N, ff::1) + lw4o6d     (echo server)
#                                      remote ff::1)        pool 192.0.2.0/28
#                                      + lw4o6d (b4)        psid-len 4
#                                      2001:db8:1::N --v-- br0 2001:db8:1::1
#
# Daemons log to $TMPDIR/aftr.log and $TMPDIR/b4-N.log; the store is
# $TMPDIR/aftr.db.

LW4O6D=$TOP/userspace/lw4o6d/lw4o6d

# pcp_aftr_conf [EXTRA LINES]: the AFTR daemon's configuration.  Every B4
# here is in 2001:db8:1::/64, so each address is its own subscriber (/128)
# unless PCP_SUB_PLEN says otherwise.  The pool: PCP_POOL, the rest of its
# line (default 192.0.2.0/28 psid-len 4).
pcp_aftr_conf() {
	cat > "$TMPDIR/aftr.conf" <<EOT
role aftr
device lw0
log-level debug
storage sqlite $TMPDIR/aftr.db
listen 2001:db8:1::1
lifetime min 10 max 60 default 30
quota 1
rate-limit 50 burst 100
subscriber-prefix-len ${PCP_SUB_PLEN:-128}
pool ${PCP_POOL:-192.0.2.0/28 psid-len 4}
$*
EOT
}

# pcp_aftr_start [ARGS]: start lw4o6d as the AFTR, pid in $AFTR_PID.
pcp_aftr_start() {
	ip netns exec "$AFTR" "$LW4O6D" -c "$TMPDIR/aftr.conf" "$@" \
		>> "$TMPDIR/aftr.log" 2>&1 &
	AFTR_PID=$!
	busywait 10000 grep -q "aftr on lw0" "$TMPDIR/aftr.log"
}

# pcp_b4 N: the B4 namespace B4_N with its LAN host LAN_N (names in B4_N,
# LAN_N) and its device b0, without a binding.
pcp_b4() {
	local n=$1 b l
	setup_ns "B4_$n" "LAN_$n" || return 1
	b=B4_$n l=LAN_$n
	b=${!b} l=${!l}
	ip -n "$AFTR" link add "b$n" type veth peer name u0 netns "$b"
	ip -n "$AFTR" link set "b$n" master br0 up
	ip -n "$b" addr add "2001:db8:1::$n/64" dev u0 nodad
	ip -n "$b" link set u0 up
	ip -n "$b" route add 2001:db8:ff::1 via 2001:db8:1::1
	ip netns exec "$b" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$l" link add e0 type veth peer name lan0 netns "$b"
	ip -n "$l" addr add "192.168.$n.2/24" dev e0
	ip -n "$b" addr add "192.168.$n.1/24" dev lan0
	ip -n "$l" link set e0 up
	ip -n "$b" link set lan0 up
	ip -n "$l" route add default via "192.168.$n.1"
	"$LW4O6" -n "$b" dev add b0 mode b4 local "2001:db8:1::$n" \
		remote 2001:db8:ff::1 || return 1
	ip -n "$b" link set b0 up
	ip -n "$b" route add default dev b0
	cat > "$TMPDIR/b4-$n.conf" <<EOT
role b4
device b0
log-level debug
lifetime ${PCP_B4_LIFETIME:-12}
EOT
}

# pcp_b4_dhcp4o6 N: B4 N's lw4o6d provisions by DHCPv4 over DHCPv6 on u0
# instead of PCP, its lease kept in $TMPDIR/b4-N.lease.
pcp_b4_dhcp4o6() {
	cat >> "$TMPDIR/b4-$1.conf" <<EOT
provision dhcp4o6
dhcp4o6-interface u0
lease-file $TMPDIR/b4-$1.lease
EOT
}

# pcp_b4_start N [ARGS]: start lw4o6d on B4 N, pid in B4_PID_N.
pcp_b4_start() {
	local n=$1 b=B4_$1
	shift
	ip netns exec "${!b}" "$LW4O6D" -c "$TMPDIR/b4-$n.conf" "$@" \
		>> "$TMPDIR/b4-$n.log" 2>&1 &
	printf -v "B4_PID_$n" '%s' $!
}

# pcp_bound N: B4 N's device has a binding (prints "ipv4 psid/len").
pcp_bound() {
	local b=B4_$1
	"$LW4O6" -n "${!b}" -j dev show b0 |
		jq -er '.[0] | select(.ipv4 != null) | "\(.ipv4) \(.psid)/\(.psid_len)"'
}

# pcp_table: the AFTR's bindings, one "ipv4 psid/len b4" a line, sorted.
pcp_table() {
	"$LW4O6" -n "$AFTR" -j binding show dev lw0 |
		jq -r '.[] | "\(.ipv4) \(.psid)/\(.psid_len) \(.b4)"' | sort
}

# pcp_store: the AFTR's stored mappings, in the same form.
# One Python for all rows: a start costs most of a second under TCG.  The
# timeout: the daemon may hold the write lock (a reset, a checkpoint).
pcp_store() {
	sqlite3 -cmd ".timeout 5000" "$TMPDIR/aftr.db" \
		"select ipv4, psid, psid_len, hex(b4) from mappings" |
	$PYTHON -c '
import ipaddress, sys
for line in sys.stdin:
    v4, psid, plen, b4 = line.strip().split("|")
    print(ipaddress.IPv4Address(int(v4)), "%s/%s" % (psid, plen),
          ipaddress.IPv6Address(bytes.fromhex(b4)))' | sort
}

# pcp_store_agrees DESC: one result, ok once the store and the kernel's
# table agree.  Within 15 s: a daemon still working through requests queued
# in its socket (a flood just ended) lags behind them, slowly so in a
# loaded VM; it must catch up, not be in step at every instant.
pcp_same() { [ "$(pcp_store)" = "$(pcp_table)" ]; }
pcp_store_agrees() {
	if busywait 15000 pcp_same; then
		ktap_ok "$1"
	else
		expect_eq "$1" "$(pcp_store)" "$(pcp_table)"
	fi
}
