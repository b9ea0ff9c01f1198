# SPDX-License-Identifier: GPL-2.0
"""Send one IPv4 UDP datagram inside IPv6 fragments, as an lwB4 that
fragments the outer packet (RFC 2473) would.  Linux's ip6tnl never does
(it answers 3/4 instead), so this is the only way to get such packets.

  frag6_send.py SRC6 DST6 SRC4 SPORT DST4 DPORT SIZE    (SIZE > 1400)
  frag6_send.py SRC6 DST6 SRC4 SPORT DST4 DPORT SIZE whole [mf]
                                one unfragmented IPv4-in-IPv6 packet; with
                                mf, its IPv4 is a first fragment (More
                                Fragments set), as of an IPv4 datagram
                                the B4 fragmented
"""
import os
import socket
import struct
import sys
from inetsum import csum


src6, dst6, src4, sport, dst4, dport, size = sys.argv[1:8]
payload = bytes(i & 0xff for i in range(int(size)))
udp = struct.pack("!HHHH", int(sport), int(dport), 8 + len(payload), 0) + payload
pseudo = socket.inet_aton(src4) + socket.inet_aton(dst4) + struct.pack("!BBH", 0, 17, len(udp))
udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xffff) + udp[8:]
mf = 0x2000 if sys.argv[9:] == ["mf"] else 0
ip4 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 7, mf, 64, 17, 0,
                  socket.inet_aton(src4), socket.inet_aton(dst4))
inner = ip4[:10] + struct.pack("!H", csum(ip4)) + ip4[12:] + udp

s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
if sys.argv[8:9] == ["whole"]:
    ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(inner), 4, 64,
                      socket.inet_pton(socket.AF_INET6, src6),
                      socket.inet_pton(socket.AF_INET6, dst6))
    s.sendto(ip6 + inner, (dst6, 0))
    sys.exit(0)
ident = struct.unpack("!I", os.urandom(4))[0]
# Linux drops non-last fragments shorter than 1280 bytes (tiny-fragment
# attacks): the first one is 1448 bytes on the wire.
half = 1400
for off, chunk, more in ((0, inner[:half], 1), (half, inner[half:], 0)):
    frag = struct.pack("!BBHI", 4, 0, off | more, ident)
    ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(frag) + len(chunk), 44, 64,
                      socket.inet_pton(socket.AF_INET6, src6),
                      socket.inet_pton(socket.AF_INET6, dst6))
    s.sendto(ip6 + frag + chunk, (dst6, 0))
