#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A UDP stream with sequence numbers for the failover benchmark
(selftests/bench/guest-failover.sh, docs/performance.md).

  fo_stream.py send SRC SPORT DST DPORT INTERVAL_US COUNT
      COUNT datagrams from SRC:SPORT, one every INTERVAL_US microseconds
      (on a fixed schedule, so a slow send does not stretch the stream);
      each carries "SEQ SEND_NS" (CLOCK_REALTIME nanoseconds).
  fo_stream.py recv ADDR PORT OUT
      Until SIGTERM, one line per datagram received into OUT:
      "SEQ SEND_NS RECV_NS IFINDEX" (IFINDEX: the interface it came in
      on, IP_PKTINFO, which tells the lwAFTRs apart).

Realtime nanoseconds on both sides: sender and receiver run in one
guest, so the shell's `date +%s%N` (the moment the route moves) is on the
same clock.
"""
import signal
import socket
import struct
import sys
import time

IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)


def send(src, sport, dst, dport, interval_us, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, int(sport)))
    dst = (dst, int(dport))
    step = int(interval_us) * 1000
    start = time.time_ns()
    errors = 0
    for seq in range(int(count)):
        due = start + seq * step
        now = time.time_ns()
        if due > now:
            time.sleep((due - now) / 1e9)
        try:
            s.sendto(b"%d %d" % (seq, time.time_ns()), dst)
        except OSError:
            errors += 1	# counted: a send that failed is a packet lost
    print("sent %d errors %d" % (int(count), errors))


def recv(addr, port, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    s.bind((addr, int(port)))
    rows = []

    def stop(*_):
        raise KeyboardInterrupt	# ends a blocked recvmsg (PEP 475 retries it)
    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)
    while True:
        try:
            data, anc, _, _ = s.recvmsg(64, socket.CMSG_SPACE(12))
        except KeyboardInterrupt:
            break
        t = time.time_ns()
        ifindex = -1
        for level, typ, d in anc:
            if level == socket.IPPROTO_IP and typ == IP_PKTINFO:
                ifindex = struct.unpack("i", d[:4])[0]
        try:
            seq, sent = data.split()
            rows.append("%d %d %d %d" % (int(seq), int(sent), t, ifindex))
        except ValueError:
            pass	# not ours
    with open(out, "w") as f:
        f.write("\n".join(rows) + ("\n" if rows else ""))


if __name__ == "__main__":
    if len(sys.argv) == 8 and sys.argv[1] == "send":
        send(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "recv":
        recv(*sys.argv[2:])
    else:
        sys.exit(__doc__)
