#!/bin/bash
# stock-smoke.sh - validates the VM harness with stock kernel modules only
# (no lw4o6.ko needed): an ip4ip6 ip6tnl softwire between two namespaces.
#
#   +------------- ns B4 ------------+      +------------ ns AFTR -----------+
#   | tun0 ip6tnl ip4ip6             |      |             ip6tnl ip4ip6 tun0 |
#   |  192.0.0.2/29                  |      |                  192.0.0.1/29  |
#   |  local 2001:db8::2 ---- veth b4 ===== veth aftr ---- local 2001:db8::1 |
#   +--------------------------------+      +--------------------------------+
#
# Run: selftests/vm/run-vm.sh -k 6.12 -- selftests/vm/stock-smoke.sh
source "$(dirname "$0")/../lib/lib.sh"

require_root
require_cmd ip
ktap_plan 8

check_cmd "modprobe ip6_tunnel" modprobe ip6_tunnel
check_cmd "ip6_tunnel is loaded" test -d /sys/module/ip6_tunnel
setup_ns B4 AFTR || ktap_skip_all "cannot create namespaces"
check_cmd "veth pair" ip link add b4 netns "$B4" type veth peer name aftr netns "$AFTR"

setup() {
	local ns=$1 dev=$2 me=$3 peer=$4 v4=$5
	ip -n "$ns" link set "$dev" up &&
	ip -n "$ns" addr add "$me/64" dev "$dev" nodad &&
	ip -n "$ns" -6 tunnel add tun0 mode ip4ip6 local "$me" remote "$peer" &&
	ip -n "$ns" link set tun0 up &&
	ip -n "$ns" addr add "$v4/29" dev tun0
}
check_cmd "B4 side of the softwire" setup "$B4" b4 2001:db8::2 2001:db8::1 192.0.0.2
check_cmd "AFTR side of the softwire" setup "$AFTR" aftr 2001:db8::1 2001:db8::2 192.0.0.1
check_cmd "IPv4 over the softwire" ip netns exec "$B4" $PING -c 2 -W 2 192.0.0.1
pkts=$(ip -n "$AFTR" -s -j link show tun0 2>/dev/null |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])' 2>/dev/null)
expect_eq "AFTR decapsulated 2 packets" "$pkts" 2
check_fail "bad tunnel mode rejected" ip -n "$B4" -6 tunnel add tun1 mode nosuchmode
ktap_finish
