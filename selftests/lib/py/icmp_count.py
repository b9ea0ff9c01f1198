# SPDX-License-Identifier: GPL-2.0
"""Count ICMP messages of one type/code arriving for SECONDS.

  icmp_count.py v4|v6 TYPE CODE SECONDS READYFILE [SHOW]

Touches READYFILE once listening, then prints the count.  SIGUSR1 ends the
count early, SETTLE (1 s) later: the caller sends it once the packets that
should draw the errors have been sent and answered (or timed out), so that
the count does not sit out the rest of SECONDS, while an error still on its
way is counted.  With SHOW, also
what the last match had: "mtu" (the MTU field of a Too Big / Frag Needed),
"src" (its source address) or "len" (the longest match, in bytes, with the
IPv4 header for v4 and without the IPv6 header for v6).
"""
import os
import select
import signal
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
SETTLE = 1.0
# The signal wakes select() through this pipe (a handler alone would not:
# select() resumes with its old timeout after one).
wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGUSR1, lambda *_: None)
open(ready, "w").close()
n, end, what, longest = 0, time.monotonic() + secs, "-", 0
while True:
    left = end - time.monotonic()
    if left <= 0:
        break
    readable = select.select([s, wake_r], [], [], left)[0]
    if not readable:
        break
    if wake_r in readable:
        os.read(wake_r, 64)
        end = min(end, time.monotonic() + SETTLE)
    if s not in readable:
        continue
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
