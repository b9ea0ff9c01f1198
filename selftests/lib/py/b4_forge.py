# SPDX-License-Identifier: GPL-2.0
"""What an attacker sends an lwB4 running lw4o6d (selftests/daemon/pcp_b4_forged.sh).

Every packet is built whole (IPv6 header included) and sent through a raw
IPv6 socket (IPPROTO_RAW), so the outer source is whatever we say, as an
off-path forger's would be.  No scapy: python is slow enough in the VM.

  b4_forge.py icmp15 SRC6 DST6 B4V4 SPORT COUNT
      COUNT ICMPv6 1/5 from SRC6 (the AFTR's address) to the B4 DST6, with
      a correct checksum, quoting IPv4-in-IPv6 DST6 -> SRC6, inner UDP
      B4V4:SPORT -> 198.51.100.1:7777: a packet the B4 could have sent.
  b4_forge.py get_answer SRC6 DST6 V4 PSID K
      A PCP GET answer (success) inside the softwire, 192.0.0.1:5351 ->
      192.0.0.2:5350, granting V4 psid PSID/K with a nonce of ours (the
      B4's GET nonce is unknown to us).
  b4_forge.py map SRC6 DST6 NONCE_HEX
      A PCP MAP request inside the softwire, 192.0.0.2:5350 ->
      192.0.0.1:5351 (all protocols, PORT_SET of 65535), as anyone sending
      from the B4's IPv6 address can: it takes the B4's key at the AFTR.
  b4_forge.py lanflood SRC4 PROXY4 COUNT
      Not forged: a LAN host's COUNT PCP ANNOUNCE requests to the proxy
      PROXY4:5351 at once, from SRC4; prints how many were answered
      within 3 s of the last.
"""
import socket
import struct
import sys
import time
from inetsum import csum

CTRL, B4CTRL = "192.0.0.1", "192.0.0.2"
OP_MAP, OP_GET = 1, 96
OPT_PORT_SET, OPT_NEXT, OPT_PORT_PARAMS = 130, 224, 225


def a6(a):
    return socket.inet_pton(socket.AF_INET6, a)


def a4(a):
    return socket.inet_aton(a)


def mapped(a):
    return b"\0" * 10 + b"\xff\xff" + a4(a)


def ip6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, hlim,
                       a6(src), a6(dst)) + payload


def ip4_udp(src, dst, sport, dport, data, ttl=63):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    pseudo = a4(src) + a4(dst) + struct.pack("!BBH", 0, 17, len(udp))
    c = csum(pseudo + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0x4000, ttl,
                    17, 0, a4(src), a4(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + udp


def opt(code, data):
    return struct.pack("!BBH", code, 0, len(data)) + data + \
        b"\0" * (-len(data) % 4)


def send(pkt, dst):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.sendto(pkt, (dst, 0))


def icmp15(src, dst, v4, sport, count):
    inner = ip4_udp(v4, "198.51.100.1", sport, 7777, bytes(32))
    quote = ip6(dst, src, 4, inner)
    body = struct.pack("!BBHI", 1, 5, 0, 0) + quote
    pseudo = a6(src) + a6(dst) + struct.pack("!I3xB", len(body), 58)
    body = body[:2] + struct.pack("!H", csum(pseudo + body)) + body[4:]
    pkt = ip6(src, dst, 58, body, hlim=255)
    for _ in range(count):
        send(pkt, dst)
        time.sleep(0.05)


def get_answer(src, dst, v4, psid, k):
    nonce = bytes.fromhex("e411e411e411e411e411e411")
    m = 16 - k
    payload = nonce + struct.pack("!B3xHH", 0, 0, psid << m) + mapped(v4)
    opts = opt(OPT_PORT_SET, struct.pack("!HHB", 1 << m, psid << m, 0))
    opts += opt(OPT_PORT_PARAMS, struct.pack("!BBH", 0, k, psid))
    opts += opt(OPT_NEXT, nonce + struct.pack("!B2xB", 0, 0) + a6(dst) +
                struct.pack("!HH", 0, 0))
    hdr = struct.pack("!BBBBII", 2, 0x80 | OP_GET, 0, 0, 3600, 100) + \
        bytes(12)
    pcp = hdr + payload + opts
    send(ip6(src, dst, 4, ip4_udp(CTRL, B4CTRL, 5351, 5350, pcp)), dst)


def map_req(src, dst, nonce):
    hdr = struct.pack("!BBHI", 2, OP_MAP, 0, 60) + mapped(B4CTRL)
    payload = nonce + struct.pack("!B3xHH", 0, 0, 0) + bytes(16)
    pcp = hdr + payload + opt(OPT_PORT_SET, struct.pack("!HHB", 65535, 0, 0))
    send(ip6(src, dst, 4, ip4_udp(B4CTRL, CTRL, 5350, 5351, pcp)), dst)


def lanflood(src, proxy, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    req = struct.pack("!BBHI", 2, 0, 0, 0) + mapped(src)
    for _ in range(count):
        s.sendto(req, (proxy, 5351))
    s.settimeout(3.0)
    n = 0
    try:
        while True:
            d = s.recv(1200)
            if len(d) >= 4 and d[1] == 0x80:
                n += 1
    except socket.timeout:
        pass
    print(n)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "icmp15":
        icmp15(args[0], args[1], args[2], int(args[3]), int(args[4]))
    elif cmd == "get_answer":
        get_answer(args[0], args[1], args[2], int(args[3]), int(args[4]))
    elif cmd == "lanflood":
        lanflood(args[0], args[1], int(args[2]))
    elif cmd == "map":
        map_req(args[0], args[1], bytes.fromhex(args[2]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
