#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 180
#
# The debug build (CONFIG_LW4O6_DEBUG=y) runs its port-set and binding-table
# self-tests at load and refuses to load if one fails.  No topology: this
# only loads and unloads the debug module.
source "$(dirname "$0")/../lib/lib.sh"

require_root
KO=$TOP/build/$(uname -r)/debug/lw4o6.ko
[ -f "$KO" ] || { ktap_fail "debug module $KO not built"; ktap_finish; }
[ -d /sys/module/lw4o6 ] && rmmod lw4o6

mark="lw4o6-selftest-$$"
echo "$mark" > /dev/kmsg
check_cmd "debug module loads (its self-tests passed)" lw4o6_insmod "$KO"
LW4O6_LOADED_BY_US=1
log=$(dmesg | sed -n "/$mark/,\$p")
expect_eq "kernel log says the self-tests passed" \
	"$(grep -c 'lw4o6: self-tests passed' <<< "$log")" 1
expect_eq "kernel log has no self-test failure" \
	"$(grep -c 'self-test failed' <<< "$log")" 0
check_cmd "debug module unloads" rmmod lw4o6
ktap_finish
