#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 400
#
# Every CLI command and error path against the real module, in the initial
# namespace: userspace/lw4o6/tests/cli-vm.sh (kept beside the CLI it exercises),
# its "ok:" / "FAIL:" lines turned into KTAP here.
#
#   +------------ initial netns ------------+
#   | lw0, lw1 ... (lw4o6), lo, monitors    |
#   +---------------------------------------+
source "$(dirname "$0")/../lib/lib.sh"

require_root
require_cmd jq
lw4o6_have_cli || ktap_skip_all "userspace/lw4o6/lw4o6 not built"
lw4o6_have_ko || ktap_skip_all "$LW4O6_KO not built"
[ -d /sys/module/lw4o6 ] && rmmod lw4o6
LW4O6_LOADED_BY_US=1

# lw4o6 -V: the CLI's version, then the loaded module's, the same one
# (debian/changelog's); the warning on a mismatch: tests/test_version.c.
cli_ver=$("$LW4O6" -V | sed -n '1s/^lw4o6 \([^ ]*\) .*/\1/p')
expect_eq "-V without the module: not loaded" "$("$LW4O6" -V 2>&1 | sed -n '2,$p')" \
	"module lw4o6 not loaded"
expect_eq "$LW4O6_KO carries the CLI's version" "$(modinfo -F version "$LW4O6_KO")" "$cli_ver"
if lw4o6_load; then
	expect_eq "-V with the module loaded: its version, no warning" \
		"$("$LW4O6" -V 2>&1 | sed -n '2,$p')" "module lw4o6 $cli_ver"
	rmmod lw4o6
else
	ktap_fail "-V with the module loaded: insmod $LW4O6_KO"
fi

LW4O6_TOP=$TOP bash "$TOP/userspace/lw4o6/tests/cli-vm.sh" > "$TMPDIR/log" 2>&1
rc=$?
while IFS= read -r line; do
	case $line in
	"ok: "*) ktap_ok "${line#ok: }" ;;
	"FAIL: "*) ktap_fail "${line#FAIL: }" ;;
	esac
done < "$TMPDIR/log"
if ! grep -q '^RESULT fail=0$' "$TMPDIR/log" || [ "$rc" != 0 ]; then
	ktap_fail "cli-vm.sh finished cleanly (exit $rc)"
	ktap_diag "$(tail -n 20 "$TMPDIR/log")"
fi
ktap_finish
