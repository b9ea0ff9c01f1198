#!/bin/bash
# smoke.sh - the module loads, creates devices in two namespaces,
# refuses a device without its required attributes, and unloads cleanly with
# devices still present (no device, no module left behind).
#
#   +---------- ns NS1 ----------+   +---------- ns NS2 ----------+
#   |  lw0  lw4o6 mode aftr      |   |  lw0  lw4o6 mode aftr      |
#   |       local 2001:db8::1    |   |       local 2001:db8::2    |
#   +----------------------------+   +----------------------------+
#   (no links between them: this test only creates and destroys devices)
#
#   + ns NS3: lw0, then the namespace is deleted with the device in it.
#
# Run: selftests/vm/run-vm.sh -k 6.12 -- selftests/datapath/smoke.sh
# lw4o6-timeout: 120
source "$(dirname "$0")/../lib/lib.sh"

require_root
require_cmd ip insmod rmmod lsmod
lw4o6_have_ko || ktap_skip_all "$LW4O6_KO not built"

ktap_plan 15

# cli_or_skip DESC CMD...: run a CLI check, or skip it when the CLI is absent.
cli_check() {
	if lw4o6_have_cli; then
		check_cmd "$@"
	else
		ktap_skip "$1" "userspace/lw4o6/lw4o6 not built"
	fi
}

no_dev() { ! ip -n "$1" link show dev lw0 > /dev/null 2>&1; }
is_lw4o6() { ip -n "$1" -d link show dev lw0 2>/dev/null | grep -qw lw4o6; }
lsmod_has() { lsmod | grep -q '^lw4o6 '; }
no_module() { [ ! -d /sys/module/lw4o6 ] && ! lsmod_has; }

# 1-3: load
check_cmd "insmod lw4o6.ko" lw4o6_load
check_cmd "/sys/module/lw4o6 present" test -d /sys/module/lw4o6
check_cmd "lsmod lists lw4o6" lsmod_has

setup_ns NS1 NS2 NS3 || ktap_skip_all "cannot create namespaces"

# 4-5: rtnetlink without the required attributes (iproute2 cannot send ours)
check_fail "ip link add type lw4o6 without mode/local is refused" \
	ip -n "$NS1" link add lw0 type lw4o6
check_cmd "the refused device does not exist" no_dev "$NS1"

# 6-9: one AFTR device per namespace, same name in both
cli_check "NS1: dev add lw0 mode aftr local 2001:db8::1" \
	ip netns exec "$NS1" "$LW4O6" dev add lw0 mode aftr local 2001:db8::1
cli_check "NS1: lw0 is an lw4o6 device" is_lw4o6 "$NS1"
cli_check "NS2: dev add lw0 mode aftr local 2001:db8::2" \
	ip netns exec "$NS2" "$LW4O6" dev add lw0 mode aftr local 2001:db8::2
cli_check "NS2: lw0 is an lw4o6 device" is_lw4o6 "$NS2"

# 10-12: unload with devices present
check_cmd "rmmod with devices present" lw4o6_unload
check_cmd "module gone" no_module
check_cmd "devices gone" eval 'no_dev "$NS1" && no_dev "$NS2"'

# 13-15: a namespace dies with a device in it; the module still unloads
check_cmd "insmod again" lw4o6_load
cli_check "NS3: dev add lw0 mode aftr local 2001:db8::3" \
	ip netns exec "$NS3" "$LW4O6" dev add lw0 mode aftr local 2001:db8::3
cleanup_ns "$NS3"
# netns teardown runs in a workqueue: give it a moment
check_cmd "rmmod after deleting a namespace holding a device" \
	busywait 10000 rmmod lw4o6

ktap_finish
