# SPDX-License-Identifier: GPL-2.0
"""Count ICMP messages of one type/code arriving for SECONDS.

  icmp_count.py v4|v6 TYPE CODE SECONDS READYFILE [SHOW]

Touches READYFILE once listening, then prints the count; with SHOW, also
what the last match had: "mtu" (the MTU field of a Too Big / Frag Needed),
"src" (its source address) or "len" (the longest match, in bytes, with the
IPv4 header for v4 and without the IPv6 header for v6).
"""
import select
import socket
import struct
import sys
import time

fam, t, c, secs, ready = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
show = sys.argv[6] if len(sys.argv) > 6 else None
if fam == "v4":
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
else:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
open(ready, "w").close()
n, end, what, longest = 0, time.monotonic() + secs, "-", 0
while True:
    left = end - time.monotonic()
    if left <= 0 or not select.select([s], [], [], left)[0]:
        break
    data, peer = s.recvfrom(65535)
    size = len(data)
    if fam == "v4":
        data = data[(data[0] & 15) * 4:]   # v4 raw sockets include the IP header
    if len(data) >= 8 and data[0] == t and data[1] == c:
        n += 1
        longest = max(longest, size)
        if show == "mtu":
            what = str(struct.unpack("!H", data[6:8])[0] if fam == "v4"
                       else struct.unpack("!I", data[4:8])[0])
        elif show == "src":
            what = peer[0]
if show == "len":
    what = str(longest)
print(n if show is None else "%d %s" % (n, what))
