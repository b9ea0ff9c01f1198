# SPDX-License-Identifier: GPL-2.0
"""Send one ICMPv6 error quoting an IPv4-in-IPv6 UDP packet, as a router on
the path to a B4 would about a packet the lwAFTR tunnelled.

  icmp6_err.py DST TYPE CODE INFO QSRC6 QDST6 QSRC4 QDST4 SPORT DPORT [OPT...]

INFO is the 32-bit field after the checksum (the MTU of a Packet Too Big).
Without OPTs the kernel picks the source and fills in the checksum (a raw
ICMPv6 socket).  OPTs, for forgeries and odd quotes:
  src=ADDR   send from ADDR (any address: the IPv6 header is ours)
  badsum     with src=, a wrong checksum
  frag       the quoted IPv4 packet is a fragment past the first
  icmp       the quoted IPv4 packet is an ICMPv4 3/3 that QSRC4 sent about
             a UDP datagram DPORT -> SPORT it had from QDST4
"""
import socket
import struct
import sys
from inetsum import csum


def ipv4(src, dst, proto, payload, frag=0x4000):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 63,
                    proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


(dst, typ, code, info, qs6, qd6, qs4, qd4, sport, dport) = sys.argv[1:11]
opts = sys.argv[11:]
src = next((o[4:] for o in opts if o.startswith("src=")), None)
udp = struct.pack("!HHHH", int(sport), int(dport), 8 + 64, 0) + bytes(64)
if "frag" in opts:
    inner = ipv4(qs4, qd4, 17, bytes(72), 185)   # offset 1480, no UDP header
elif "icmp" in opts:
    about = ipv4(qd4, qs4, 17, struct.pack("!HHHH", int(dport), int(sport), 8 + 64, 0) + bytes(64))
    err = struct.pack("!BBHI", 3, 3, 0, 0) + about
    err = err[:2] + struct.pack("!H", csum(err)) + err[4:]
    inner = ipv4(qs4, qd4, 1, err, 0)
else:
    inner = ipv4(qs4, qd4, 17, udp)
ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(inner), 4, 64,
                  socket.inet_pton(socket.AF_INET6, qs6),
                  socket.inet_pton(socket.AF_INET6, qd6))
msg = struct.pack("!BBHI", int(typ), int(code), 0, int(info)) + ip6 + inner
if src is None:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.sendto(msg, (dst, 0))
    sys.exit(0)
s6, d6 = (socket.inet_pton(socket.AF_INET6, a) for a in (src, dst))
pseudo = s6 + d6 + struct.pack("!IxxxB", len(msg), 58)
sum_ = csum(pseudo + msg) ^ (0x5555 if "badsum" in opts else 0)
msg = msg[:2] + struct.pack("!H", sum_) + msg[4:]
hdr = struct.pack("!IHBB16s16s", 6 << 28, len(msg), 58, 64, s6, d6)
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(hdr + msg, (dst, 0))
