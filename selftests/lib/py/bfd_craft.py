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
No scapy: python is slow enough in the VM; the headers are b4_forge.py's.
"""
import struct
import sys

from b4_forge import ip4_udp, ip6, send

STATES = {"admindown": 0, "down": 1, "init": 2, "up": 3}


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
    send(ip6(sys.argv[1], sys.argv[2], 4,
             ip4_udp(o["src4"], "192.0.0.1", int(o["sport"]), 3784, bfd(o),
                     int(o["ttl"]))), sys.argv[2])


if __name__ == "__main__":
    main()
