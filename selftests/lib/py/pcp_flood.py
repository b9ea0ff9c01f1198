# SPDX-License-Identifier: GPL-2.0
"""PCP requests into the lwAFTR's softwire from many outer sources, for
selftests/daemon/pcp_flood.sh.

  pcp_flood.py map SRC-BASE COUNT     MAP (all protocols, PORT_SET) from
                                      COUNT addresses of SRC-BASE's /56,
                                      spread over its /64s, a nonce each
  pcp_flood.py src ADDR [ADDR ...]    one such MAP from each ADDR as it is
  pcp_flood.py flood SRC-BASE SECS    ANNOUNCE for SECS seconds, each from
                                      a /56 of its own under SRC-BASE (the
                                      16 bits after bit 40 count up)

Each packet is IPv6 (the given source) -> 2001:db8:ff::1, next header 4,
then IPv4 192.0.0.2:5350 -> 192.0.0.1:5351 with the PCP message, built by
hand (scapy is too slow for a flood in the VM) and sent whole through a
raw IPv6 socket (IPPROTO_RAW: the header is ours, so is the source).
Prints "sent=N secs=S".  Nothing is read back: the shell counts the
AFTR's bindings, store rows and log lines.
"""
import ipaddress
import socket
import struct
import sys
import time
from inetsum import csum

AFTR_LOCAL = "2001:db8:ff::1"
B4CTRL, CTRL = "192.0.0.2", "192.0.0.1"
CLIENT, SERVER = 5350, 5351
OP_ANNOUNCE, OP_MAP, OPT_PORT_SET = 0, 1, 130


def pcp(op, nonce=b""):
    client = b"\0" * 10 + b"\xff\xff" + socket.inet_aton(B4CTRL)
    h = struct.pack("!BBHI", 2, op, 0, 60 if op == OP_MAP else 0) + client
    if op != OP_MAP:
        return h
    body = nonce + struct.pack("!B3xHH", 0, 0, 0) + b"\0" * 16
    ps = struct.pack("!BBHHHB3x", OPT_PORT_SET, 0, 5, 1, 0, 0)
    return h + body + ps


def inner(payload):
    src, dst = socket.inet_aton(B4CTRL), socket.inet_aton(CTRL)
    ulen = 8 + len(payload)
    u = struct.pack("!HHHH", CLIENT, SERVER, ulen, 0) + payload
    c = csum(src + dst + struct.pack("!BBH", 0, 17, ulen) + u) or 0xffff
    u = u[:6] + struct.pack("!H", c) + u[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0x4000, 64, 17,
                     0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + u


def outer(src, data):
    return struct.pack("!IHBB", 6 << 28, len(data), 4, 64) + src + \
        ipaddress.IPv6Address(AFTR_LOCAL).packed + data


def main():
    tx = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    tx.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    to = (AFTR_LOCAL, 0)
    mode, t0, sent = sys.argv[1], time.monotonic(), 0

    def send(pkt):
        nonlocal sent
        try:
            tx.sendto(pkt, to)
            sent += 1
        except (BlockingIOError, OSError):
            time.sleep(0.001)   # a full queue: the flood goes on

    if mode in ("map", "src"):
        if mode == "map":
            base = int(ipaddress.IPv6Address(sys.argv[2])) >> 72 << 72
            srcs = [base | (i % 256) << 64 | (i + 1) for i in range(int(sys.argv[3]))]
        else:
            srcs = [int(ipaddress.IPv6Address(a)) for a in sys.argv[2:]]
        for i, s in enumerate(srcs):
            nonce = struct.pack("!III", 0x5eed, i, 0x5eed)
            send(outer(s.to_bytes(16, "big"), inner(pcp(OP_MAP, nonce))))
            if i % 64 == 63:
                time.sleep(0.005)   # a socket's worth at a time, not a drop test
    elif mode == "flood":
        base = int(ipaddress.IPv6Address(sys.argv[2]))
        data = inner(pcp(OP_ANNOUNCE))
        # Built before the clock starts: the loop only sends.
        pkts = [outer((base | i << 72 | 1).to_bytes(16, "big"), data)
                for i in range(4096)]
        t0 = time.monotonic()
        end = t0 + float(sys.argv[3])
        while time.monotonic() < end:
            for j in range(0, len(pkts), 256):
                for pkt in pkts[j:j + 256]:
                    send(pkt)
                if time.monotonic() >= end:
                    break
    print("sent=%d secs=%.1f" % (sent, time.monotonic() - t0), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
