# SPDX-License-Identifier: GPL-2.0
"""Hostile or malformed BFD inside a softwire (selftests/daemon/bfd_aftr.sh).

  bfd_craft.py SRC6 DST6 [key=value ...]
      One BFD Control packet, 192.0.0.2:SPORT -> 192.0.0.1:3784 inside
      IPv4-in-IPv6 from SRC6 (any address: the IPv6 header is ours, sent
      through a raw IPPROTO_RAW socket) to the lwAFTR DST6.  Keys, with
      their defaults: ttl=255 sport=49152 src4=192.0.0.2 version=1
      state=down (admindown, down, init, up) diag=0 mult=3 my=1 your=0
      len=24 (the Length field) cut=0 (bytes taken off the end)
      interval=300000 (us, both intervals).
No scapy: python is slow enough in the VM.
"""
import socket
import struct
import sys

from inetsum import csum

STATES = {"admindown": 0, "down": 1, "init": 2, "up": 3}


def a6(a):
    return socket.inet_pton(socket.AF_INET6, a)


def ip6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, hlim,
                       a6(src), a6(dst)) + payload


def ip4_udp(src, dst, sport, dport, data, ttl):
    s4, d4 = socket.inet_aton(src), socket.inet_aton(dst)
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = csum(s4 + d4 + struct.pack("!BBH", 0, 17, len(seg)) + seg) or 0xffff
    seg = seg[:6] + struct.pack("!H", c) + seg[8:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 0, 0x4000,
                    ttl, 17, 0, s4, d4)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + seg


def bfd(o):
    b = struct.pack("!BBBBIIIII",
                    (int(o["version"]) << 5) | int(o["diag"]),
                    STATES[o["state"]] << 6, int(o["mult"]), int(o["len"]),
                    int(o["my"]), int(o["your"]), int(o["interval"]),
                    int(o["interval"]), 0)
    return b[:len(b) - int(o["cut"])]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    o = {"ttl": 255, "sport": 49152, "src4": "192.0.0.2", "version": 1,
         "state": "down", "diag": 0, "mult": 3, "my": 1, "your": 0,
         "len": 24, "cut": 0, "interval": 300000}
    for kv in sys.argv[3:]:
        k, v = kv.split("=", 1)
        if k not in o:
            sys.exit("unknown key %s" % k)
        o[k] = v
    pkt = ip6(sys.argv[1], sys.argv[2], 4,
              ip4_udp(o["src4"], "192.0.0.1", int(o["sport"]), 3784, bfd(o),
                      int(o["ttl"])))
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.sendto(pkt, (sys.argv[2], 0))


if __name__ == "__main__":
    main()
