#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo: boot a test kernel in a VM and run scripts/demo-guest.sh in it.
#
# usage: scripts/demo.sh [-k KVER]
#   -k KVER   the kernel: a series (6.1, 6.12) or a full release; default
#             $LW4O6_DEMO_KERNEL, else 6.12 (the newest installed 6.12).
# Needs the module for that kernel (make modules), the CLI and lw4o6d (make
# userspace).  Exits with the demo's status: non-zero when a step failed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd -P)
kernel=${LW4O6_DEMO_KERNEL:-6.12}
while [ $# -gt 0 ]; do
	case $1 in
	-k) [ $# -ge 2 ] || { echo "demo: -k needs a kernel" >&2; exit 2; }
	    kernel=$2; shift 2 ;;
	-h|--help) sed -n '3,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "demo: unknown argument $1 (usage: $0 [-k KVER])" >&2; exit 2 ;;
	esac
done
exec "$top/selftests/vm/run-vm.sh" -k "$kernel" -t 600 -- scripts/demo-guest.sh
