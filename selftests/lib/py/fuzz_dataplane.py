# SPDX-License-Identifier: GPL-2.0
"""Random and mutated packets into the lwAFTR's two sides.

  fuzz_dataplane.py v6 LOCAL COUNT SEED    IPv4-in-IPv6 to the lwAFTR's local
  fuzz_dataplane.py v4 PREFIX COUNT SEED   IPv4 toward the bound space

Starts from well-formed UDP/TCP/ICMP (echo and errors with an embedded
packet) and then truncates, flips bits and lies in lengths, versions, header
lengths and fragment fields.  Raw sockets, no scapy: the guest is slow.
"""
import random
import socket
import struct
import sys
from inetsum import csum


def ipv4(rnd, src, dst, proto, payload, frag=0):
    ihl = 5
    opts = b""
    if rnd.random() < 0.1:
        opts = bytes(rnd.getrandbits(8) for _ in range(4 * rnd.randrange(1, 4)))
        ihl += len(opts) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(opts) + len(payload),
                    rnd.getrandbits(16), frag, rnd.randrange(0, 5), proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def l4(rnd, proto, sport, dport):
    if proto in (6, 17):
        body = bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 40)))
        if proto == 17:
            return struct.pack("!HHHH", sport, dport, 8 + len(body), 0) + body
        return struct.pack("!HHIIHHHH", sport, dport, 1, 0, 0x5002, 1024, 0, 0) + body
    return b""


def icmp(rnd, src, dst, sport, dport):
    t = rnd.choice([0, 8, 3, 11, 12, 5, 4, 13, 14, 42])
    if t in (0, 8, 13, 14, 42):
        return struct.pack("!BBHHH", t, 0, 0, sport, 1) + b"x" * rnd.randrange(0, 32)
    inner = ipv4(rnd, dst, src, rnd.choice([6, 17, 1, 47]), l4(rnd, 17, dport, sport))
    return struct.pack("!BBHI", t, rnd.randrange(0, 16), 0, 0) + inner[:rnd.randrange(0, len(inner) + 1)]


def packet(rnd, src, dst):
    sport, dport = rnd.randrange(0, 65536), rnd.randrange(0, 65536)
    proto = rnd.choice([6, 17, 17, 1, 1, 47, 132, 0, 255])
    payload = icmp(rnd, src, dst, sport, dport) if proto == 1 else l4(rnd, proto, sport, dport)
    frag = 0
    if rnd.random() < 0.15:
        frag = rnd.choice([0x2000, 0x0001, 0x2005, 0x4000, 0x1fff])
    p = bytearray(ipv4(rnd, src, dst, proto, payload, frag))
    r = rnd.random()
    if r < 0.2:
        p = p[:rnd.randrange(0, len(p) + 1)]
    elif r < 0.4:
        for _ in range(rnd.randrange(1, 6)):
            i = rnd.randrange(0, len(p))
            p[i] ^= 1 << rnd.randrange(0, 8)
    elif r < 0.5:
        p[2:4] = struct.pack("!H", rnd.randrange(0, 65536))   # tot_len lies
    elif r < 0.55:
        p[0] = rnd.getrandbits(8)                               # version/ihl
    return bytes(p)


def main():
    side, target, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rnd = random.Random(seed)
    sent = 0
    if side == "v6":
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_IPIP)
        for _ in range(count):
            src = "192.0.2.%d" % rnd.choice([1, 1, 1, 2, 200])
            try:
                s.sendto(packet(rnd, src, "198.51.100.1"), (target, 0))
                sent += 1
            except OSError:
                pass
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        base = target.rsplit(".", 1)[0]
        for _ in range(count):
            dst = "%s.%d" % (base, rnd.choice([1, 1, 2, 77]))
            p = packet(rnd, "198.51.100.1", dst)
            if len(p) < 20:
                continue
            try:
                s.sendto(p, (dst, 0))
                sent += 1
            except OSError:
                pass
    print(sent)


main()
