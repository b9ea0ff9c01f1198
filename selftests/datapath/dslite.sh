#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 240
#
# Our DS-Lite B4 (RFC 6333) against a stock-parts AFTR: Linux ip6tnl in
# ip4ip6 mode for this one B4, plus nftables masquerade to the internet.
# The B4 does no NAT; the LAN's private addresses cross the softwire.
#
#  LAN                  B4                                AFTR                      INET
#  192.168.1.2/24 --v-- 192.168.1.1/24                    t0: ip6tnl ff::1 <-> 2::2
#                       ds0 (dslite, local 2001:db8:2::2,  nft masquerade on i0
#                            remote 2001:db8:ff::1)        198.51.100.254/24 --v-- 198.51.100.1/24
#                       192.0.0.2/32 on ds0, default -> ds0
#                       2001:db8:2::2/64 ---------v--------- 2001:db8:2::1/64, 2001:db8:ff::1 on lo
source "$(dirname "$0")/../lib/lib.sh"

require_root
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
setup_ns LAN B4 AFTR INET
l() { "$LW4O6" -n "$B4" "$@"; }
stat() { l -j stats show dev ds0 | jq ".[\"${1//-/_}\"]"; }

veth "$LAN" e0 192.168.1.2/24 "$B4" lan0 192.168.1.1/24
ip -n "$LAN" route add default via 192.168.1.1
veth "$B4" u0 2001:db8:2::2/64 "$AFTR" d0 2001:db8:2::1/64
ip -n "$B4" route add 2001:db8:ff::/64 via 2001:db8:2::1
veth "$AFTR" i0 198.51.100.254/24 "$INET" e0 198.51.100.1/24
ip netns exec "$B4" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$AFTR" sysctl -qw net.ipv4.ip_forward=1

# The stock AFTR: one ip6tnl for this B4, NAT44 towards the internet.
ip -n "$AFTR" addr add 2001:db8:ff::1/128 dev lo
ip -n "$AFTR" -6 tunnel add t0 mode ip4ip6 local 2001:db8:ff::1 remote 2001:db8:2::2
ip -n "$AFTR" link set t0 up
ip -n "$AFTR" addr add 192.0.0.1/32 dev t0
ip -n "$AFTR" route add 192.168.1.0/24 dev t0
ip -n "$AFTR" route add 192.0.0.2/32 dev t0
ip netns exec "$AFTR" nft -f - <<EOT
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "i0" masquerade
	}
}
EOT

check_cmd "DS-Lite B4 device" l dev add ds0 mode dslite local 2001:db8:2::2 remote 2001:db8:ff::1
expect_eq "dev show names the AFTR" "$(l -j dev show ds0 | jq -r '.[0].remote')" 2001:db8:ff::1
check_fail "bindings are refused on a dslite device" \
	l binding add dev ds0 ipv4 192.0.2.1 psid 1/6 b4 2001:db8:1::2
ip -n "$B4" link set ds0 up
ip -n "$B4" addr add 192.0.0.2/32 dev ds0
ip -n "$B4" route add default dev ds0

ip netns exec "$INET" $ECHO serve 7777 "$TMPDIR/peers" &
defer kill $!
busywait 10000 sh -c "ip netns exec $INET ss -ltn | grep -q :7777"
ip netns exec "$LAN" $ECHO serve 7777 "$TMPDIR/peers.lan" &
defer kill $!
busywait 10000 sh -c "ip netns exec $LAN ss -lun | grep -q :7777"

check_cmd "LAN: UDP to the internet and back" ip netns exec "$LAN" $ECHO udp 198.51.100.1 7777
check_cmd "LAN: TCP to the internet and back" ip netns exec "$LAN" $ECHO tcp 198.51.100.1 7777
check_cmd "LAN: ping to the internet and back" ip netns exec "$LAN" ping -c 2 -i 0.2 -W 3 198.51.100.1
check_cmd "the B4 itself (192.0.0.2): ping to the internet" \
	ip netns exec "$B4" ping -c 1 -W 3 -I 192.0.0.2 198.51.100.1
check_cmd "LAN: 3000 bytes without DF, both ways" \
	ip netns exec "$LAN" $ECHO big 198.51.100.1 7777 3000 nodf
expect_eq "the internet saw the LAN through the AFTR's NAT only" \
	"$(awk '$2 != "198.51.100.254"' "$TMPDIR/peers" | wc -l)" 0

# Only the AFTR may send us IPv4-in-IPv6.
d=$(stat drop-no-source-softwire-ipv6)
ip netns exec "$AFTR" "$PYTHON" "$TOP/selftests/lib/py/frag6_send.py" 2001:db8:2::1 2001:db8:2::2 \
	198.51.100.1 7777 192.168.1.2 7777 100 whole
expect_eq "IPv4-in-IPv6 from another source is dropped and counted" \
	"$(stat drop-no-source-softwire-ipv6)" $((d + 1))
expect_eq "and never reached the LAN" "$(wc -l < "$TMPDIR/peers.lan")" 0

# ICMPv6 errors only from the AFTR (#11 item 2): 1/3 about a LAN datagram,
# from the AFTR's link address (not remote), then from remote.
err6() { ip netns exec "$AFTR" "$PYTHON" "$TOP/selftests/lib/py/icmp6_err.py" 2001:db8:2::2 1 3 0 \
	2001:db8:2::2 2001:db8:ff::1 192.168.1.2 198.51.100.1 40000 7777 "$@"; }
p=$(stat drop-in-by-policy-icmpv6) o=$(stat out-icmpv4-error-packets)
err6 src=2001:db8:2::1
expect_eq "an ICMPv6 error from another source is dropped by policy" \
	"$(stat drop-in-by-policy-icmpv6)" $((p + 1))
expect_eq "... and not translated" "$(stat out-icmpv4-error-packets)" "$o"
err6 src=2001:db8:ff::1
expect_eq "the same error from the AFTR is translated" "$(stat out-icmpv4-error-packets)" $((o + 1))

# Reprovisioning: a new AFTR address takes effect at once.
check_cmd "dev set remote to an address nobody answers at" l dev set ds0 remote 2001:db8:ff::99
check_fail "LAN: nothing comes back now" ip netns exec "$LAN" $ECHO udp 198.51.100.1 7777
check_cmd "dev set remote back" l dev set ds0 remote 2001:db8:ff::1
check_cmd "LAN: UDP works again" ip netns exec "$LAN" $ECHO udp 198.51.100.1 7777
check_fail "remote cannot be multicast" l dev set ds0 remote ff02::1

link() { ip -n "$B4" -j -s link show ds0 | jq ".[0].stats64.$1.packets"; }
expect_eq "ip -s link: rx is what we decapsulated" "$(link rx)" "$(stat sent-ipv4-packets)"
expect_eq "ip -s link: tx is what we encapsulated" "$(link tx)" "$(stat sent-ipv6-packets)"
check_balance "$B4" ds0
ktap_finish
