# SPDX-License-Identifier: GPL-2.0
"""flood.py DST PORT COUNT: send COUNT UDP datagrams; print the seconds taken."""
import socket
import sys
import time

dst, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0 = time.monotonic()
for _ in range(count):
    s.sendto(b"x", (dst, port))
print("%.3f" % (time.monotonic() - t0))
