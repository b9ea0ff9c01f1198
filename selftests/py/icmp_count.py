# SPDX-License-Identifier: GPL-2.0
"""Count ICMP messages of one type/code arriving for SECONDS.

  icmp_count.py v4|v6 TYPE CODE SECONDS READYFILE

Touches READYFILE once listening, then prints the count.
"""
import select
import socket
import sys
import time

fam, t, c, secs, ready = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
if fam == "v4":
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
else:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
open(ready, "w").close()
n, end = 0, time.monotonic() + secs
while True:
    left = end - time.monotonic()
    if left <= 0 or not select.select([s], [], [], left)[0]:
        break
    data = s.recv(4096)
    if fam == "v4":
        data = data[(data[0] & 15) * 4:]   # v4 raw sockets include the IP header
    if len(data) >= 2 and data[0] == t and data[1] == c:
        n += 1
print(n)
