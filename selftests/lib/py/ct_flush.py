#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Flush the IPv4 conntrack table of the current network namespace, as
`conntrack -F` does (ctnetlink IPCTNL_MSG_CT_DELETE without attributes),
without needing the conntrack package.  Exit status 0 once the kernel acks."""
import os
import socket
import struct
import sys

NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_DELETE = 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2


def main():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    nfgen = struct.pack("BBH", socket.AF_INET, 0, 0)
    msg = struct.pack("=LHHLL", 16 + len(nfgen),
                      (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE,
                      NLM_F_REQUEST | NLM_F_ACK, 1, os.getpid()) + nfgen
    s.send(msg)
    while True:
        data = s.recv(65536)
        _, typ, _, seq, _ = struct.unpack_from("=LHHLL", data)
        if typ == NLMSG_ERROR and seq == 1:
            err = struct.unpack_from("=i", data, 16)[0]
            if err:
                print("conntrack flush: %s" % os.strerror(-err), file=sys.stderr)
            return 1 if err else 0


if __name__ == "__main__":
    sys.exit(main())
