# SPDX-License-Identifier: GPL-2.0
"""Bad, truncated and hostile PCP messages for selftests/daemon/pcp_bad.sh.

  pcp_craft.py --b4-2-ns NS --nonce2 HEX --set2 IPV4:PORT

Runs in B4 3's namespace (2001:db8:1::3, device b0, link u0) and plays a
hostile B4 against the lwAFTR's lw4o6d; one process, because python is slow
in the VM.  Prints one line per case, "NAME WHAT", WHAT being "silent" or
the answers, each "result=R op=OP v=V len=N lifetime=L" plus, for MAP and
GET answers, "nonce=HEX ext=IPV4:PORT" (and "more=M next_nonce=HEX" with
NEXT).  Several
answers are joined with " | ".  The shell checks the lines.

  --nonce2, --set2  B4 2's mapping (key: all protocols, port 0): its nonce
                    from the AFTR's store, its external IPv4 and first port
  --b4-2-ns         B4 2's namespace: one socket is opened there (setns) to
                    check that B4 2 is still served after B 3's flood

Phases:
  plain   UDP to [2001:db8:1::1]:5351 from [2001:db8:1::3]; after every case
          an ANNOUNCE request, whose answer marks the end of the case's
          answers (the daemon answers in order), so "silent" is certain
          without waiting for a timeout
  sw      IPv4-in-IPv6 from 2001:db8:1::3, inner 192.0.0.2:5350 ->
          192.0.0.1:5351, built with scapy and sent whole through a raw
          IPv6 socket (IPPROTO_RAW: the header is ours); answers are read on
          u0 with an AF_PACKET socket, before the b0 device takes them.
          After every case, an ANNOUNCE inside the softwire marks the end
          (the kernel and then the daemon handle it after the case)
  kernel  what the kernel's control path must drop: sw's marker too
  rate    300 ANNOUNCE requests at once; "rate sent=N answers=N secs=S"
  b4_2    B4 2 renews its own mapping over plain IPv6 right after
"""
import argparse
import ctypes
import ipaddress
import os
import select
import socket
import struct
import sys
import time

from scapy.layers.inet import IP, UDP, TCP, ICMP  # noqa: E402
from scapy.layers.inet6 import IPv6  # noqa: E402
from scapy.packet import Raw  # noqa: E402

AFTR6, AFTR_LOCAL, ME6 = "2001:db8:1::1", "2001:db8:ff::1", "2001:db8:1::3"
B4_2_6 = "2001:db8:1::2"
CTRL, B4CTRL = "192.0.0.1", "192.0.0.2"
SERVER, CLIENT = 5351, 5350
WAIT = 15.0                     # seconds for the marker's answer (TCG, busy host)

OP_ANNOUNCE, OP_MAP, OP_PEER, OP_GET = 0, 1, 2, 96
OPT_THIRD_PARTY, OPT_PREFER_FAILURE, OPT_PORT_SET, OPT_NEXT = 1, 2, 130, 224


def a16(addr):
    return ipaddress.ip_address(addr).packed if ":" in addr else \
        b"\0" * 10 + b"\xff\xff" + ipaddress.ip_address(addr).packed


def hdr(op, lifetime, client, version=2, r=0):
    return struct.pack("!BBHI", version, op | r, 0, lifetime) + a16(client)


def map_req(client, nonce, proto, iport, lifetime, ext=None, eport=0,
            opts=b"", version=2, r=0):
    p = nonce + struct.pack("!B3xHH", proto, iport, eport) + \
        (a16(ext) if ext else b"\0" * 16)
    return hdr(OP_MAP, lifetime, client, version, r) + p + opts


def opt(code, data, length=None):
    n = len(data) if length is None else length
    return struct.pack("!BBH", code, 0, n) + data + b"\0" * (-len(data) % 4)


def port_set(size=1, first=0, parity=0):
    return opt(OPT_PORT_SET, struct.pack("!HHB", size, first, parity))


def announce(client):
    return hdr(OP_ANNOUNCE, 0, client)


def is_marker(d):
    return len(d) == 24 and d[0] == 2 and d[1] == 0x80 | OP_ANNOUNCE and d[3] == 0


def describe(d):
    if len(d) < 4:
        return "short len=%d" % len(d)
    s = "result=%d op=%d v=%d len=%d" % (d[3], d[1] & 0x7f, d[0], len(d))
    if len(d) >= 8:
        s += " lifetime=%d" % struct.unpack("!I", d[4:8])[0]
    if (d[1] & 0x7f) in (OP_MAP, OP_GET) and len(d) >= 60:
        ext = ipaddress.ip_address(d[56:60])
        s += " nonce=%s ext=%s:%d" % (d[24:36].hex(), ext,
                                      struct.unpack("!H", d[42:44])[0])
        off = 60
        while off + 4 <= len(d):
            code, olen = d[off], struct.unpack("!H", d[off + 2:off + 4])[0]
            if code == OPT_NEXT and off + 4 + 16 <= len(d):
                s += " more=%d next_nonce=%s" % (d[off + 4 + 15],
                                                 d[off + 4:off + 16].hex())
            off += 4 + ((olen + 3) & ~3)
    return s


def summary(answers):
    return " | ".join(describe(a) for a in answers) if answers else "silent"


class Netns:
    """Enter another network namespace for a while (sockets keep theirs)."""
    CLONE_NEWNET = 0x40000000

    def __init__(self, name):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        self.there = os.open("/run/netns/" + name, os.O_RDONLY)

    def _set(self, fd):
        if self.libc.setns(fd, self.CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns")

    def __enter__(self):
        self._set(self.there)

    def __exit__(self, *exc):
        self._set(self.home)


def udp_sock(src):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    return s


def drain(s):
    while select.select([s], [], [], 0)[0]:
        s.recv(65535)


class Plain:
    """PCP over plain IPv6 UDP from one address."""

    def __init__(self, sock, me):
        self.s, self.me = sock, me

    def case(self, payload, marker=True):
        """Sends payload (and the marker); returns the answers before it."""
        self.s.sendto(payload, (AFTR6, SERVER))
        if not marker:
            return self.wait_one()
        self.s.sendto(announce(self.me), (AFTR6, SERVER))
        got, end = [], time.monotonic() + WAIT
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                return got + [b"TIMEOUT"]
            d = self.s.recv(65535)
            if is_marker(d):
                return got
            got.append(d)

    def wait_one(self):
        if not select.select([self.s], [], [], WAIT)[0]:
            return []
        return [self.s.recv(65535)]


class Softwire:
    """IPv4-in-IPv6 from our own address to the AFTR, answers read on u0."""

    def __init__(self, ifname):
        self.tx = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                                socket.IPPROTO_RAW)
        self.rx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                                socket.htons(0x86dd))
        self.rx.bind((ifname, 0x86dd))
        self.rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.ip_id = 0x4000

    def inner_udp(self, payload, dport=SERVER):
        self.ip_id += 1
        return IP(src=B4CTRL, dst=CTRL, id=self.ip_id) / \
            UDP(sport=CLIENT, dport=dport) / Raw(payload)

    def send4(self, inner):
        raw = inner if isinstance(inner, bytes) else bytes(inner)
        pkt = IPv6(src=ME6, dst=AFTR_LOCAL, nh=4, hlim=64) / Raw(raw)
        self.tx.sendto(bytes(pkt), (AFTR_LOCAL, 0))

    def answers(self):
        """Yields what came back: ("pcp", payload), ("icmp", type),
        ("icmp6", type) or ("other", proto)."""
        while select.select([self.rx], [], [], 0)[0]:
            yield from self._classify(*self.rx.recvfrom(65535))

    def _classify(self, d, addr):
        if addr[2] == socket.PACKET_OUTGOING or len(d) < 40:
            return
        nh, off = d[6], 40
        while nh in (0, 43, 60) and off + 8 <= len(d):
            nh, off = d[off], off + (d[off + 1] + 1) * 8
        if nh == 58:
            if off < len(d) and d[off] < 128:       # errors only, not ND
                yield ("icmp6", d[off])
            return
        if nh != 4 or d[8:24] != a16(AFTR_LOCAL):
            return
        inner = d[off:]
        if len(inner) < 20:
            yield ("other", -1)
            return
        ihl = (inner[0] & 15) * 4
        if inner[9] == 17 and len(inner) >= ihl + 8 and \
                struct.unpack("!H", inner[ihl:ihl + 2])[0] == SERVER:
            yield ("pcp", inner[ihl + 8:])
        elif inner[9] == 1:
            yield ("icmp", inner[ihl])
        else:
            yield ("other", inner[9])

    def case(self, inner, marker=True):
        """Sends inner (then the marker): the answers before the marker's."""
        self.send4(inner)
        if marker:
            self.send4(self.inner_udp(announce("::ffff:" + B4CTRL)))
        got, end = [], time.monotonic() + WAIT
        while time.monotonic() < end:
            select.select([self.rx], [], [], 0.2)
            for kind, what in self.answers():
                if kind == "pcp" and is_marker(what):
                    return got
                got.append((kind, what))
                if not marker and got:
                    return got
        return got + [("timeout", None)]


def sw_summary(answers):
    if not answers:
        return "silent"
    return " | ".join(describe(w) if k == "pcp" else "%s=%s" % (k, w)
                      for k, w in answers)


def out(name, what):
    print("%s %s" % (name, what), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--b4-2-ns", required=True)
    ap.add_argument("--nonce2", required=True)
    ap.add_argument("--set2", required=True)
    a = ap.parse_args()
    n2 = bytes.fromhex(a.nonce2)
    ext2, port2 = a.set2.rsplit(":", 1)
    port2 = int(port2)
    n3 = bytes.fromhex("b43b43b43b43b43b43b43b43")
    n3x = bytes.fromhex("0badc0de0badc0de0badc0de")

    with Netns(a.b4_2_ns):
        b4_2 = Plain(udp_sock(B4_2_6), B4_2_6)
    p = Plain(udp_sock(ME6), ME6)
    sw = Softwire("u0")

    # ---- plain IPv6 -------------------------------------------------------
    me = ME6
    good = map_req(me, n3, 17, 4000, 60, opts=port_set(1, 4000))
    cases = [
        ("empty", b""),
        ("short1", b"\x02"),
        ("short2", b"\x02\x01"),
        ("short3", b"\x02\x01\x00"),
        ("short23", good[:23]),
        ("short2_v1", b"\x01\x01"),
        ("short_payload", good[:24 + 20]),              # MAP cut inside its payload
        ("notmult4", good + b"\0\0"),
        ("long1104", good + b"\0" * (1104 - len(good))),
        ("long2000", good + b"\0" * (2000 - len(good))),
        ("v1", map_req(me, n3, 17, 4000, 60, opts=port_set(), version=1)),
        ("v3", map_req(me, n3, 17, 4000, 60, opts=port_set(), version=3)),
        ("response", map_req(me, n3, 17, 4000, 60, opts=port_set(), r=0x80)),
        ("response_v1", map_req(me, n3, 17, 4000, 60, version=1, r=0x80)),
        ("opcode5", hdr(5, 0, me)),
        ("opcode127", hdr(127, 60, me) + b"\0" * 36),
        ("peer", hdr(OP_PEER, 60, me) + n3 + struct.pack("!B3xHH", 17, 4000, 0) +
         b"\0" * 16 + struct.pack("!HH", 80, 0) + a16("198.51.100.1")),
        ("opt_mandatory", map_req(me, n3, 17, 4000, 60,
                                  opts=port_set() + opt(99, b""))),
        # B4 3's own mapping, its first: an unknown optional option is skipped
        ("opt_optional", map_req(me, n3, 17, 4000, 60,
                                 opts=port_set(1, 4000) + opt(200, b"abcdefg"))),
        ("opt_past_end", map_req(me, n3, 17, 4000, 60,
                                 opts=opt(OPT_PORT_SET, b"\0" * 8, length=200))),
        ("opt_hdr_only", map_req(me, n3, 17, 4000, 60) +
         struct.pack("!BBH", OPT_PORT_SET, 0, 5)),       # 5 bytes promised, none there
        ("portset_zero", map_req(me, n3, 17, 4000, 60, opts=port_set(0, 4000))),
        ("portset_dup", map_req(me, n3, 17, 4000, 60,
                                opts=port_set(1, 4000) + port_set(1, 4000))),
        ("portset_wrap", map_req(me, n3, 17, 4000, 60, opts=port_set(1000, 65000))),
        ("all_protocols_port", map_req(me, n3, 0, 80, 60, opts=port_set())),
        ("mismatch", map_req(B4_2_6, n2, 0, 0, 0)),     # B4 2's client address
        ("third_party", map_req(me, n2, 0, 0, 0,
                                opts=opt(OPT_THIRD_PARTY, a16(B4_2_6)))),
        ("no_portset", map_req(me, n3, 6, 80, 60)),
        ("quota", map_req(me, n3, 6, 5000, 60, opts=port_set(1, 5000))),
        ("nonce", map_req(me, n3x, 17, 4000, 60, opts=port_set(1, 4000))),
        ("get", hdr(OP_GET, 0, me) + n3x),
        # B4 2's key with B4 2's nonce: B4 3 has no such key, nothing goes
        ("plain_delete_other", map_req(me, n2, 0, 0, 0)),
        ("renew_own", good),
    ]
    for name, payload in cases:
        out(name, summary(p.case(payload)))

    # ---- inside the softwire ----------------------------------------------
    me4 = "::ffff:" + B4CTRL
    ping = IP(src=B4CTRL, dst=CTRL) / ICMP(id=0x33, seq=1) / Raw(b"lw4o6-pcp-bad")
    out("sw_ping", sw_summary(sw.case(ping)))
    steps = [
        ("sw_delete_other", map_req(me4, n2, 0, 0, 0)),
        ("sw_delete_own", map_req(me4, n3, 17, 4000, 0)),
        ("sw_prefer_other_set", map_req(me4, n2, 0, 0, 60, ext=ext2, eport=port2,
                                        opts=port_set(1, 0) +
                                        opt(OPT_PREFER_FAILURE, b""))),
        ("sw_suggest_other_set", map_req(me4, n2, 0, 0, 60, ext=ext2, eport=port2,
                                         opts=port_set(1, 0))),
        # the same key and nonce as B4 2's mapping: only B4 3's own goes
        ("sw_delete_same_key", map_req(me4, n2, 0, 0, 0)),
    ]
    for name, payload in steps:
        out(name, sw_summary(sw.case(sw.inner_udp(payload))))

    # ---- the kernel's control path: dropped, counted, unanswered ------------
    pcp = map_req(me4, n3, 17, 4000, 60, opts=port_set())
    u = bytearray(bytes(sw.inner_udp(pcp)))
    c = struct.unpack_from("!H", u, 26)[0] ^ 0x5555
    struct.pack_into("!H", u, 26, c or 0x1234)          # wrong, and not "none"
    bad_csum = bytes(u)
    u = bytearray(bytes(sw.inner_udp(pcp)))
    struct.pack_into("!H", u, 24, len(u) - 20 + 4)      # UDP length past the end
    bad_len = bytes(u)
    e = bytearray(bytes(IP(src=B4CTRL, dst=CTRL, id=0x77) / ICMP(id=0x33, seq=2) /
                        Raw(b"lw4o6-pcp-bad")))
    e[22] ^= 0x55
    kernel = [
        ("k_udp_port", sw.inner_udp(pcp, dport=5350)),
        ("k_udp_port_53", sw.inner_udp(b"\0" * 12, dport=53)),
        ("k_tcp", IP(src=B4CTRL, dst=CTRL) / TCP(sport=CLIENT, dport=SERVER, flags="S")),
        ("k_frag_first", IP(src=B4CTRL, dst=CTRL, id=0x99, flags="MF") /
         UDP(sport=CLIENT, dport=SERVER, len=8 + len(pcp) + 16) / Raw(pcp)),
        ("k_frag_later", IP(src=B4CTRL, dst=CTRL, id=0x99, frag=4, proto=17) /
         Raw(b"\0" * 16)),
        ("k_udp_csum", bad_csum),
        ("k_udp_len", bad_len),
        ("k_icmp_csum", bytes(e)),
        ("k_icmp_timestamp", IP(src=B4CTRL, dst=CTRL) / ICMP(type=13) / Raw(b"\0" * 12)),
    ]
    for name, pkt in kernel:
        out(name, sw_summary(sw.case(pkt)))
    out("k_cases", len(kernel))

    # ---- the rate limit -------------------------------------------------
    time.sleep(2.5)                 # a full bucket again (burst 100, 50/s)
    drain(p.s)
    req = announce(ME6)
    t0 = time.monotonic()
    for _ in range(300):
        p.s.sendto(req, (AFTR6, SERVER))
    n, last = 0, time.monotonic()
    while select.select([p.s], [], [], 3.0)[0]:
        p.s.recv(65535)
        n += 1
        last = time.monotonic()
    out("rate", "sent=300 answers=%d secs=%.2f" % (n, last - t0))

    # ---- B4 2, right after: still served --------------------------------
    out("b4_2_renew", summary(b4_2.case(map_req(B4_2_6, n2, 0, 0, 30,
                                                opts=port_set(1, 0)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
