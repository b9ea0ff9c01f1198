# SPDX-License-Identifier: GPL-2.0
"""Open N UDP flows at once to HOST:PORT (an echo server), one socket each.

  flows.py HOST PORT N

Prints "sent N answered M": each socket sends one datagram, then all wait
together for their echoes (3 s after the last send).
"""
import resource
import select
import socket
import sys
import time

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, n + 64)), hard))
socks = []
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    try:
        s.sendto(b"flow %d" % i, (host, port))
    except OSError:
        pass
    socks.append(s)
answered, end = set(), time.monotonic() + 3
ep = select.epoll()
for s in socks:
    ep.register(s.fileno(), select.EPOLLIN)
byfd = {s.fileno(): s for s in socks}
while len(answered) < n:
    left = end - time.monotonic()
    if left <= 0:
        break
    for fd, _ in ep.poll(left):
        try:
            byfd[fd].recv(2048)
            answered.add(fd)
        except OSError:
            pass
print("sent %d answered %d" % (n, len(answered)))
