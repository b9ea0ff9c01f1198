# SPDX-License-Identifier: GPL-2.0
"""Tiny UDP/TCP echo server and client for the data-path tests.

  echo.py serve PORT LOG          UDP and TCP echo on PORT; peers logged to LOG
                                  as "PROTO ADDR PORT N", N the UDP
                                  length or the TCP MSS
  echo.py udp HOST PORT [SPORT]   send one datagram, print the reply, exit 0/1
  echo.py tcp HOST PORT           connect, send, print the reply, exit 0/1
  echo.py big HOST PORT SIZE df|nodf [TTL]
                                  one UDP datagram of SIZE bytes (DF set or
                                  not), exit 0 if the same SIZE comes back
  echo.py refused HOST PORT       exit 0 if a UDP send draws Port Unreachable
  echo.py sink PORT               TCP: read each connection to its end, answer
                                  with the byte count and a digest
  echo.py bulk HOST PORT SIZE     send SIZE bytes to a sink, exit 0 if it got
                                  them all, unchanged
"""
import hashlib
import socket
import sys
import threading


def serve(port, log):
    out = open(log, "a", buffering=1)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # Tests send bursts of thousands of flows: hold them all.
    u.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)    # SO_RCVBUFFORCE
    u.bind(("0.0.0.0", port))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("0.0.0.0", port))
    t.listen(4096)

    def udp():
        while True:
            data, peer = u.recvfrom(65535)
            out.write("udp %s %d %d\n" % (peer[0], peer[1], len(data)))
            u.sendto(data, peer)

    threading.Thread(target=udp, daemon=True).start()
    while True:
        c, peer = t.accept()
        # The MSS this side settled on: it shows what the SYN offered.
        out.write("tcp %s %d %d\n" % (peer[0], peer[1],
                                       c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)))
        c.sendall(c.recv(2048))
        c.close()


def sink(port):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("0.0.0.0", port))
    t.listen(64)

    def one(c):
        n, h = 0, hashlib.sha256()
        while True:
            data = c.recv(1 << 16)
            if not data:
                break
            n += len(data)
            h.update(data)
        c.sendall(("%d %s\n" % (n, h.hexdigest())).encode())
        c.close()

    while True:
        c, _ = t.accept()
        threading.Thread(target=one, args=(c,), daemon=True).start()


def bulk(host, port, size):
    data = bytes((i * 7 + (i >> 8)) & 0xff for i in range(1 << 16))
    s = socket.create_connection((host, port), timeout=60)
    h, left = hashlib.sha256(), size
    while left:
        chunk = data[:min(left, len(data))]
        s.sendall(chunk)
        h.update(chunk)
        left -= len(chunk)
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while not reply.endswith(b"\n"):
        more = s.recv(256)
        if not more:
            break
        reply += more
    want = "%d %s" % (size, h.hexdigest())
    print(reply.decode().strip())
    sys.exit(0 if reply.decode().strip() == want else 1)


def main():
    mode = sys.argv[1]
    if mode == "serve":
        serve(int(sys.argv[2]), sys.argv[3])
    if mode == "sink":
        sink(int(sys.argv[2]))
    host, port = sys.argv[2], int(sys.argv[3])
    if mode == "bulk":
        bulk(host, port, int(sys.argv[4]))
    if mode == "big":
        size, df = int(sys.argv[4]), sys.argv[5] == "df"
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # IP_MTU_DISCOVER: IP_PMTUDISC_DO (2) sets DF, DONT (0) clears it.
        s.setsockopt(socket.IPPROTO_IP, 10, 2 if df else 0)
        if len(sys.argv) > 6:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, int(sys.argv[6]))
        s.settimeout(4)
        payload = bytes(i & 0xff for i in range(size))
        try:
            s.sendto(payload, (host, port))
            data = s.recv(65535)
        except OSError as e:
            print("no reply: %s" % e)
            sys.exit(1)
        print("%d bytes back" % len(data))
        sys.exit(0 if data == payload else 1)
    if mode == "refused":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(4)
        s.connect((host, port))
        s.send(b"anyone there?")
        try:
            s.recv(2048)
        except ConnectionRefusedError:
            sys.exit(0)
        except OSError as e:
            print("no refusal: %s" % e)
        sys.exit(1)
    if mode == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if len(sys.argv) > 4:
            s.bind(("0.0.0.0", int(sys.argv[4])))
        s.settimeout(3)
        s.sendto(b"hello lw4o6", (host, port))
    else:
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(b"hello lw4o6")
    try:
        data = s.recv(2048)
    except OSError as e:
        print("no reply: %s" % e)
        sys.exit(1)
    print(data.decode())
    sys.exit(0 if data == b"hello lw4o6" else 1)


main()
