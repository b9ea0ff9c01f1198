# SPDX-License-Identifier: GPL-2.0
"""Send one ICMPv6 error quoting an IPv4-in-IPv6 UDP packet, as a router on
the path to a B4 would about a packet the lwAFTR tunnelled.

  icmp6_err.py DST TYPE CODE INFO QSRC6 QDST6 QSRC4 QDST4 SPORT DPORT

INFO is the 32-bit field after the checksum (the MTU of a Packet Too Big).
The kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket.
"""
import socket
import struct
import sys


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff


(dst, typ, code, info, qs6, qd6, qs4, qd4, sport, dport) = sys.argv[1:11]
udp = struct.pack("!HHHH", int(sport), int(dport), 8 + 64, 0) + bytes(64)
ip4 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0x4000, 63, 17, 0,
                  socket.inet_aton(qs4), socket.inet_aton(qd4))
ip4 = ip4[:10] + struct.pack("!H", csum(ip4)) + ip4[12:]
inner = ip4 + udp
ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(inner), 4, 64,
                  socket.inet_pton(socket.AF_INET6, qs6),
                  socket.inet_pton(socket.AF_INET6, qd6))
msg = struct.pack("!BBHI", int(typ), int(code), 0, int(info)) + ip6 + inner
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.sendto(msg, (dst, 0))
