# SPDX-License-Identifier: GPL-2.0
"""Open N flows at once to HOST:PORT (an echo server), one socket each.

  flows.py HOST PORT N [tcp]

Prints "sent N answered M": each socket sends one datagram (or connects
and sends, for tcp), then all wait together for their echoes (3 s after
the last send; 20 s for tcp, whose handshakes queue at the server).
"""
import resource
import select
import socket
import sys
import time

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
tcp = sys.argv[4:] == ["tcp"]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, n + 64)), hard))
socks = []
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
    if tcp:
        s.settimeout(20)
        try:
            s.connect((host, port))
            s.sendall(b"flow %d" % i)
        except OSError:
            pass
    s.setblocking(False)
    if not tcp:
        try:
            s.sendto(b"flow %d" % i, (host, port))
        except OSError:
            pass
    socks.append(s)
answered, end = set(), time.monotonic() + (20 if tcp else 3)
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
