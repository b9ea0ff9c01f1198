#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the newest installed test kernel and run the tour in it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd -P)
exec "$top/selftests/vm/run-vm.sh" -k "${LW4O6_DEMO_KERNEL:-6.12}" -t 600 -- scripts/demo-guest.sh
