# SPDX-License-Identifier: GPL-2.0
"""A binding dump whose device is deleted and whose interface index is
taken by a new lw4o6 device before the dump ends.

  dump_reuse.py N

Creates lwold with N bindings, starts a BIND_GET dump of it, reads the
first datagram, deletes lwold and creates lwnew with the same index, then
reads the rest.  The dump must end with ENODEV: going on would label the
deleted device's bindings with the new device's index (and so its name).
Prints "received <bindings> of <N>, done <errno name or 0>".
"""
import errno
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lw4o6nl as nl  # noqa: E402
from lw4o6nl import C, string  # noqa: E402
import bulk_load  # noqa: E402


def ifindex(name):
    return socket.if_nametoindex(name)


def main():
    n = int(sys.argv[1])
    nl.link_add("lwold", local="2001:db8::51")
    s = bulk_load.sock()
    ifn = string(C["LW4O6_A_IFNAME"], "lwold")
    s.cmd("LOAD_BEGIN", ifn)
    for f in range(0, n, bulk_load.MAXCHUNK):
        s.cmd("LOAD_ADD", ifn, bulk_load.bindings(f, min(bulk_load.MAXCHUNK, n - f)))
    s.cmd("LOAD_COMMIT", ifn)
    idx = ifindex("lwold")

    d = nl.Sock()
    d.resolve()
    d.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    seq = d.send_raw(d.family, nl.NLM_F_REQUEST | nl.NLM_F_DUMP,
                     struct.pack("=BBH", C["LW4O6_CMD_BIND_GET"], 1, 0) + ifn)
    got, done, first = 0, None, True
    while done is None:
        for t, f, sq, body in d.recv_msgs():
            if sq != seq:
                continue
            if t == nl.NLMSG_DONE:
                done = -struct.unpack_from("=i", body)[0] if len(body) >= 4 else 0
            elif t == nl.NLMSG_ERROR:
                done = -struct.unpack_from("=i", body)[0]
            elif t == d.family:
                got += 1
        if first and done is None:
            first = False
            r = nl.Sock(socket.NETLINK_ROUTE)
            r.request(nl.RTM_DELLINK, struct.pack("=BxHiII", 0, 0, idx, 0, 0))
            r.close()
            nl.link_add("lwnew", local="2001:db8::52", index=idx)
            if ifindex("lwnew") != idx:
                print("lwnew did not get index %d" % idx)
                return 1
    print("received %d of %d, done %s" % (got, n, errno.errorcode.get(done, done)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
