#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 200
#
# A DS-Lite B4's BFD (issue #15): our dslite device with lw4o6d
# ("provision none": nothing to ask for, the AFTR kept by BFD) against a
# stock DS-Lite AFTR: ip6tnl ip4ip6 with 192.0.0.1/29, nftables
# masquerading the B4's LAN to the internet, and FRR's bfdd with a peer
# 192.0.0.2 on the tunnel.
#
#   LAN 192.168.1.2 -- B4 (ds0: dslite 2001:db8::2 -> ::a1, lw4o6d) -- AFTR (ip6tnl, nft masquerade, bfdd) -- INET 198.51.100.1
#
# Covers: Up on both ends; the LAN's traffic and `ping 192.0.0.1` through
# the softwire alongside; the tunnel broken at the AFTR: the B4 sees Down
# with "control detection time expired" and bfdd the same; mended: Up
# again; the B4's stop: bfdd sees AdminDown.
# LW4O6_BFD_MS: both ends' intervals (default 300; docs/lw4o6d.md has
# what 10 s and 30 s against bfdd gave, run by hand with this).
MS=${LW4O6_BFD_MS:-300}
UP_WAIT=$(( MS * 20 > 20000 ? MS * 20 : 20000 ))
DOWN_WAIT=$(( MS * 6 > 10000 ? MS * 6 : 10000 ))
source "$(dirname "$0")/../lib/lib.sh"
source "$(dirname "$0")/../lib/frr.sh"
LW4O6D=$TOP/userspace/lw4o6d/lw4o6d

require_root
require_cmd jq vtysh nft
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
[ -x "$LW4O6D" ] || ktap_skip_all "userspace/lw4o6d/lw4o6d not built"
[ -x /usr/lib/frr/bfdd ] || ktap_skip_all "FRR's bfdd not installed"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"

setup_ns LAN B4 AFTR INET || ktap_skip_all "cannot make namespaces"
frr_dir || ktap_skip_all "mktemp"

veth "$LAN" e0 192.168.1.2/24 "$B4" lan0 192.168.1.1/24
ip -n "$LAN" route add default via 192.168.1.1
ip netns exec "$B4" sysctl -qw net.ipv4.ip_forward=1
veth "$B4" u0 2001:db8::2/64 "$AFTR" d0 2001:db8::a1/64
veth "$AFTR" i0 198.51.100.254/24 "$INET" e0 198.51.100.1/24
ip netns exec "$AFTR" sysctl -qw net.ipv4.ip_forward=1
# the stock AFTR: a tunnel to the B4, NAT44 of what comes out of it
ip -n "$AFTR" link add ds0 type ip6tnl mode ip4ip6 local 2001:db8::a1 remote 2001:db8::2
ip -n "$AFTR" addr add 192.0.0.1/29 dev ds0
ip -n "$AFTR" link set ds0 up
ip -n "$AFTR" route add 192.168.1.0/24 dev ds0
ip netns exec "$AFTR" nft -f - <<'EOF'
table ip dslite {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		iifname "ds0" oifname "i0" masquerade
	}
}
EOF
frr_bfd_b4_conf "$MS" > "$TMPDIR/bfdd.conf"
check_cmd "AFTR: zebra and bfdd" frr_bfd_start "$AFTR" 1 "$TMPDIR/bfdd.conf"
# our DS-Lite B4
"$LW4O6" -n "$B4" dev add ds0 mode dslite local 2001:db8::2 remote 2001:db8::a1 ||
	ktap_skip_all "cannot add the dslite device"
ip -n "$B4" link set ds0 up
ip -n "$B4" route add default dev ds0
cat > "$TMPDIR/b4.conf" <<EOT
role b4
device ds0
provision none
log-level debug
bfd-interval $MS
EOT

peer() { frr_bfd_b4 1 "$1"; }	# FIELD
peer_is() { [ "$(peer status)" = "$1" ]; }
state() { jq -r ".$1" /run/lw4o6d/bfd-ds0.json 2> /dev/null; }
state_is() { [ "$(state state)" = "$1" ]; }
logged() { grep -qF "$1" "$TMPDIR/b4.log"; }

check_cmd "lw4o6d --check-config: provision none" "$LW4O6D" --check-config "$TMPDIR/b4.conf"
ip netns exec "$B4" "$LW4O6D" -c "$TMPDIR/b4.conf" > "$TMPDIR/b4.log" 2>&1 &
B4_PID=$!
defer kill $B4_PID
check_cmd "the B4 starts with nothing to provision" busywait 10000 \
	logged "b4 on ds0 (DS-Lite): nothing to provision; BFD keeps the AFTR"
t0=$(now_ms)
check_cmd "bfdd sees the B4's session up" busywait $UP_WAIT peer_is up
ktap_diag "up after $(( $(now_ms) - t0 )) ms at ${MS} ms intervals"
check_cmd "the B4's state file says up" busywait 5000 state_is up
check_cmd "ping 192.0.0.1 from the B4 (the AFTR's tunnel end)" \
	ip netns exec "$B4" ping -c 1 -W 5 -I 192.0.0.2 192.0.0.1
check_cmd "the LAN reaches the internet through the softwire (DS-Lite NAT44)" \
	ip netns exec "$LAN" ping -c 1 -W 5 198.51.100.1

# --- the tunnel breaks at the AFTR ---
ip -n "$AFTR" link set ds0 down
t0=$(now_ms)
check_cmd "the B4 sees Down: control detection time expired" busywait $DOWN_WAIT \
	logged "BFD with the AFTR: down, control-detection-time-expired"
ktap_diag "down after $(( $(now_ms) - t0 )) ms (detection: 3 x $MS ms)"
expect_eq "state file: down, its diagnostic" \
	"$(state state) $(state diagnostic)" "down control-detection-time-expired"
check_cmd "with one AFTR there is nowhere to move" \
	logged "failed us (BFD: control-detection-time-expired), and there is no other to move to"
ip -n "$AFTR" link set ds0 up
ip -n "$AFTR" route replace 192.168.1.0/24 dev ds0
check_cmd "mended: up again" busywait $UP_WAIT state_is up
check_cmd "bfdd agrees" busywait $UP_WAIT peer_is up

# --- the B4 stops ---
kill $B4_PID
wait $B4_PID 2> /dev/null
check_cmd "bfdd sees the B4 go down" busywait 5000 peer_is down
expect_eq "... administratively" "$(peer 'remote-diagnostic')" "administratively down"
ktap_finish
