#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 180
#
# Our PCP client (`lw4o6d map`) against an independent PCP server:
# miniupnpd (Debian's miniupnpd-nftables) on a home router, its nftables
# chains made by hand as Debian's nft_init.sh cannot (reference.md).
#
#   CL 192.168.7.2 --v-- 192.168.7.1 RT 11.0.0.1 --v-- 11.0.0.2 WAN
#   lw4o6d map           lan0        wan0                echo
#   echo serve   5000   miniupnpd -d (PCP on 5351)
#                        table inet filter: forward -> miniupnpd
#                        table inet nat: prerouting -> prerouting_miniupnpd,
#                                        postrouting -> postrouting_miniupnpd
#
# 11.0.0.1 is neither private nor documentation space: miniupnpd refuses
# those (NO_RESOURCES); inside the VM's namespaces it reaches nothing.
#
# Covers: a UDP MAP (SUCCESS, external = the WAN address, the DNAT in
# miniupnpd's chain, the WAN host reaching the client through it), the
# delete (lifetime 0, same nonce), a TCP MAP with a suggested port, MAP with
# PORT_SET (which miniupnpd does not know), the client's "wait" limit with
# no server, and tshark decoding every PCP message of both sides.
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/pcp_topology.sh"

MINIUPNPD=/usr/sbin/miniupnpd
require_root
require_cmd nft tshark tcpdump
[ -x "$MINIUPNPD" ] || ktap_skip_all "miniupnpd (miniupnpd-nftables) not installed"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
ROUTER=192.168.7.1
WAN_IP=11.0.0.1
NONCE=5ca1ab1e0ddba11c0ffee000

setup_ns CL RT WAN || ktap_skip_all "cannot create namespaces"
ip -n "$CL" link add e0 type veth peer name lan0 netns "$RT"
ip -n "$RT" link add wan0 type veth peer name e0 netns "$WAN"
ip -n "$CL" addr add 192.168.7.2/24 dev e0
ip -n "$RT" addr add $ROUTER/24 dev lan0
ip -n "$RT" addr add $WAN_IP/24 dev wan0
ip -n "$WAN" addr add 11.0.0.2/24 dev e0
ip -n "$CL" link set e0 up
ip -n "$RT" link set lan0 up
ip -n "$RT" link set wan0 up
ip -n "$WAN" link set e0 up
ip -n "$CL" route add default via $ROUTER
ip netns exec "$RT" sysctl -qw net.ipv4.ip_forward=1
check_cmd "the router's nftables chains for miniupnpd" ip netns exec "$RT" nft -f - <<EOT
table inet filter {
	chain forward {
		type filter hook forward priority filter; policy accept;
		jump miniupnpd
	}
	chain miniupnpd {
	}
}
table inet nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump prerouting_miniupnpd
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump postrouting_miniupnpd
	}
	chain prerouting_miniupnpd {
	}
	chain postrouting_miniupnpd {
	}
}
EOT
cat > "$TMPDIR/miniupnpd.conf" <<EOT
ext_ifname=wan0
listening_ip=lan0
enable_natpmp=yes
enable_upnp=no
upnp_table_name=filter
upnp_nat_table_name=nat
lease_file=$TMPDIR/miniupnpd.leases
allow 1024-65535 192.168.7.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOT

ip netns exec "$CL" $ECHO serve 5000 "$TMPDIR/cl-peers" &
defer kill $!
ip netns exec "$RT" tcpdump -U --immediate-mode -n -i lan0 -w "$TMPDIR/interop.pcap" \
	"udp port 5351 or udp port 5350" > "$TMPDIR/tcpdump.log" 2>&1 &
TCPDUMP=$!
defer kill $TCPDUMP
busywait 10000 grep -q "listening on" "$TMPDIR/tcpdump.log"
# With no syslog daemon (the VM), miniupnpd's syslog falls back to the
# console (LOG_CONS): point that at /dev/null, in the mount namespace that
# `ip netns exec` made for it.  Its -d copy on stderr is what we read.
: > "$TMPDIR/miniupnpd.leases"
ip netns exec "$RT" sh -c 'mount --bind /dev/null /dev/console 2> /dev/null; exec "$@"' \
	miniupnpd "$MINIUPNPD" -d -f "$TMPDIR/miniupnpd.conf" \
	-P "$TMPDIR/miniupnpd.pid" > "$TMPDIR/miniupnpd.log" 2>&1 &
MUPD=$!
defer kill $MUPD
check_cmd "miniupnpd listens for PCP" \
	busywait 15000 grep -q "Listening for NAT-PMP/PCP traffic on port 5351" "$TMPDIR/miniupnpd.log"

# cl_map ARGS...: `lw4o6d map 192.168.7.1 ARGS` from the client; its line
# in $MAP_OUT, its exit status in $MAP_RC.
cl_map() {
	MAP_OUT=$(ip netns exec "$CL" "$LW4O6D" map $ROUTER "$@" 2>&1)
	MAP_RC=$?
	ktap_diag "map $*: $MAP_OUT (exit $MAP_RC)"
}

# --- a plain UDP MAP ------------------------------------------------------------
cl_map udp 5000 lifetime 60 nonce $NONCE
expect_eq "UDP MAP: exit 0" "$MAP_RC" 0
check_cmd "UDP MAP: result success" grep -q "^result success " <<< "$MAP_OUT"
check_cmd "UDP MAP: external $WAN_IP port 5000" grep -q " external $WAN_IP port 5000$" <<< "$MAP_OUT"
# miniupnpd raises lifetimes to its min_lifetime (120 s by default).
lt=$(sed -n 's/.* lifetime \([0-9]*\) .*/\1/p' <<< "$MAP_OUT")
check_cmd "UDP MAP: lifetime $lt, at least the 60 s asked" test "${lt:-0}" -ge 60
check_cmd "the DNAT is in miniupnpd's chain" sh -c \
	"ip netns exec $RT nft list chain inet nat prerouting_miniupnpd | grep -q 'dport 5000 dnat ip to 192.168.7.2:5000'"
check_cmd "and its accept rule in the filter chain" sh -c \
	"ip netns exec $RT nft list chain inet filter miniupnpd | grep -q 'dport 5000'"
check_cmd "the WAN host reaches the client through $WAN_IP:5000" \
	ip netns exec "$WAN" $ECHO udp $WAN_IP 5000
check_cmd "the client's server saw the WAN host" grep -q "^udp 11.0.0.2 " "$TMPDIR/cl-peers"

# --- the delete ------------------------------------------------------------------
cl_map udp 5000 lifetime 0 nonce $NONCE
expect_eq "delete (lifetime 0, same nonce): exit 0" "$MAP_RC" 0
check_cmd "delete: result success lifetime 0" grep -q "^result success lifetime 0 " <<< "$MAP_OUT"
check_fail "delete: the DNAT left miniupnpd's chain" sh -c \
	"ip netns exec $RT nft list chain inet nat prerouting_miniupnpd | grep -q 'dport 5000'"
check_cmd "delete: miniupnpd logged it" grep -q "PCP: UDP port 5000 mapping removed" "$TMPDIR/miniupnpd.log"

# --- a TCP MAP with a suggested external port --------------------------------------
cl_map tcp 5001 lifetime 60 suggest $WAN_IP 6000
expect_eq "TCP MAP with suggest $WAN_IP 6000: exit 0" "$MAP_RC" 0
check_cmd "TCP MAP: granted the suggested port" grep -q "^result success .* external $WAN_IP port 6000$" <<< "$MAP_OUT"
check_cmd "TCP MAP: the DNAT is in miniupnpd's chain" sh -c \
	"ip netns exec $RT nft list chain inet nat prerouting_miniupnpd | grep -q 'dport 6000 dnat ip to 192.168.7.2:5001'"

# --- PORT_SET, which miniupnpd does not implement ------------------------------------
# RFC 7753 4: a server without PORT_SET ignores it (it is optional, 130 >
# 127) and maps one port.  miniupnpd 2.3.1 does skip unknown optional
# options, but steps over an option by its length without the padding to a
# multiple of 4 that RFC 6887 7.3 puts after PORT_SET's 5 bytes: it then
# finds 3 bytes left, too short for an option header, and answers
# MALFORMED_OPTION (tshark decodes our option, padding included).
cl_map udp 5002 lifetime 60 port-set 16
expect_eq "MAP with port-set 16: refused (exit 1), but answered" "$MAP_RC" 1
check_cmd "MAP with port-set 16: miniupnpd says MALFORMED_OPTION" \
	grep -q "^result malformed-option " <<< "$MAP_OUT"
check_cmd "miniupnpd: it tripped over the padding (3 bytes left)" \
	grep -q "parsePCPOptions: remain=3" "$TMPDIR/miniupnpd.log"
check_fail "MAP with port-set 16: no DNAT for port 5002" sh -c \
	"ip netns exec $RT nft list chain inet nat prerouting_miniupnpd | grep -q 'dport 5002'"
cl_map udp 5002 lifetime 60
expect_eq "the same MAP without port-set: exit 0" "$MAP_RC" 0
check_cmd "the same MAP without port-set: success, one port" \
	grep -q "^result success .* external $WAN_IP port 5002$" <<< "$MAP_OUT"

# --- no server at all: the client gives up after "wait" seconds ----------------------
# (no ARP answer wanted: a made-up neighbour swallows the requests)
ip -n "$CL" neigh add 192.168.7.99 lladdr 02:00:00:00:00:99 dev e0
t0=$(now_ms)
check_fail "no server: no answer, exit 1" \
	ip netns exec "$CL" "$LW4O6D" map 192.168.7.99 udp 5000 wait 4
t=$(($(now_ms) - t0))
check_cmd "no server: said so" grep -q "no answer after 3 tries" <<< "$LIB_OUTPUT"
check_cmd "no server: gave up after wait 4 (${t} ms, sent at 0, 1, 3 s)" \
	sh -c "[ $t -ge 3900 ] && [ $t -lt 6800 ]"

# --- every PCP message on the wire, ours and miniupnpd's -------------------------------
kill -INT $TCPDUMP
wait $TCPDUMP 2> /dev/null
mkdir -p "$TMPDIR/ws"
ts() { WIRESHARK_CONFIG_DIR=$TMPDIR/ws tshark -n -r "$TMPDIR/interop.pcap" "$@"; }
n=$(ts -Y "portcontrol" 2> "$TMPDIR/tshark.err" | wc -l)
req=$(ts -Y "portcontrol.r == 0" 2> /dev/null | wc -l)
resp=$(ts -Y "portcontrol.r == 1" 2> /dev/null | wc -l)
pset=$(ts -Y "portcontrol.r == 0 && portcontrol.option.portset.size == 16" 2> /dev/null | wc -l)
bad=$(ts -Y "portcontrol && (_ws.malformed || _ws.expert.severity == 8388608)" 2> /dev/null | wc -l)
ktap_diag "tshark: $n PCP messages ($req requests, $resp answers), $pset with PORT_SET, $bad malformed; $(cat "$TMPDIR/tcpdump.log" "$TMPDIR/tshark.err" | tr '\n' ' ')"
check_cmd "tshark decoded our 5 requests and miniupnpd's 5 answers" \
	sh -c "[ $req -ge 5 ] && [ $resp -ge 5 ]"
check_cmd "tshark decoded our PORT_SET option" test "$pset" -ge 1
expect_eq "tshark: no PCP message malformed" "$bad" 0
check_cmd "miniupnpd is still running" kill -0 "$MUPD"
ktap_diag "--- miniupnpd.log (last 15 lines)"
ktap_diag "$(tail -n 15 "$TMPDIR/miniupnpd.log")"
ktap_finish
