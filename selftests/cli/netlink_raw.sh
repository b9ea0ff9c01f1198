#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lw4o6-timeout: 300
#
# Malformed, hostile and unprivileged generic netlink requests from a raw
# sender (selftests/lib/py/netlink_raw.py, independent of the CLI): each gets the
# right error, nothing changes, the kernel survives.  Also: events name the
# socket whose request caused them (nlmsg_pid), a lw4o6 CLI change too, and
# an event a softwire packet caused carries 0.
#
#   +------------------ ns ------------------+
#   |  lw0 (lw4o6, aftr)   lwfuzz (lw4o6)    |
#   |  python raw netlink sender/fuzzer      |
#   |  lo: 2001:db8::1 (lw0's local), so a   |
#   |  raw IPv6 socket's softwire packet     |
#   |  loops back into lw0's receive hook    |
#   +----------------------------------------+
source "$(dirname "$0")/../lib/lib.sh"

lw4o6_load || ktap_skip_all "no lw4o6.ko for $(uname -r)"
setup_ns NS
ip -n "$NS" addr add 2001:db8::1/128 dev lo nodad
ip netns exec "$NS" "$PYTHON" -c "
import sys; sys.path.insert(0, '$TOP/selftests/lib/py')
import lw4o6nl as nl
nl.link_add('lw0'); nl.link_add('lwfuzz', local='2001:db8::f')" || exit 1
ip netns exec "$NS" "$PYTHON" "$TOP/selftests/lib/py/netlink_raw.py" lw0
