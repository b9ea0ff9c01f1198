# SPDX-License-Identifier: GPL-2.0
"""Softwire packets from B4s an lwAFTR has no binding for, for the
on-demand failover test: each one is a miss that the lwAFTR holds and
asks its lw4o6d about.

  miss_flood.py DST6 one SRC6 IPV4 PORT
        one IPv4-in-IPv6 packet from SRC6 (IPv4 UDP from IPV4:PORT to
        198.51.100.1:7777)
  miss_flood.py DST6 flood COUNT PREFIX6 PLEN POOL4 SEED
        COUNT packets, each from a random address under PREFIX6/PLEN (PLEN
        a multiple of 16, 16..112), a random IPv4 of the /28 POOL4 and a
        random port; prints "SENT SECONDS"

Sent through a raw IPv6 socket that writes the header itself, so the
source is whatever we say (the test's access router does no source
validation, as the flood's sender hopes).  No scapy: it would take
seconds to import in the emulated guest.
"""
import ipaddress
import random
import socket
import struct
import sys
import time


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def packet(src6, dst6, v4, port):
    udp = struct.pack("!HHHH", port, 7777, 8 + 4, 0) + b"miss"
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000,
                               64, 17, 0, socket.inet_aton(v4),
                               socket.inet_aton("198.51.100.1")))
    ip[10:12] = struct.pack("!H", csum(bytes(ip)))
    inner = bytes(ip) + udp
    return struct.pack("!IHBB16s16s", 6 << 28, len(inner), 4, 64,
                       socket.inet_pton(socket.AF_INET6, src6),
                       socket.inet_pton(socket.AF_INET6, dst6)) + inner


def main():
    dst6, mode = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    if mode == "one":
        src6, v4, port = sys.argv[3], sys.argv[4], int(sys.argv[5])
        s.sendto(packet(src6, dst6, v4, port), (dst6, 0))
        return 0
    count, pfx, plen = int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    pool, seed = ipaddress.ip_network(sys.argv[6]), int(sys.argv[7])
    rnd = random.Random(seed)
    base = int(ipaddress.IPv6Address(pfx))
    pkts = []
    for _ in range(count):
        a = base | rnd.getrandbits(128 - plen)
        src6 = str(ipaddress.IPv6Address(a))
        v4 = str(pool[rnd.randrange(pool.num_addresses)])
        pkts.append(packet(src6, dst6, v4, rnd.randrange(1024, 65536)))
    t0 = time.monotonic()
    for p in pkts:
        s.sendto(p, (dst6, 0))
    print("%d %.3f" % (count, time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
