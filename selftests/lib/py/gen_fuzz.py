# SPDX-License-Identifier: GPL-2.0
"""Packet sets for selftests/datapath/fuzz.sh, built on the host with scapy.

  gen_fuzz.py OUTDIR [--seed N] [--count N]

Writes, as Ethernet pcaps (fixed timestamps, so the same seed gives the same
bytes):

  normal4.pcap  well-formed IPv4 from the internet into the lwAFTR's i0
  normal6.pcap  well-formed IPv4-in-IPv6 from B4s into its b0
  fuzz4.pcap    COUNT/2 random and mutated IPv4 packets into i0
  fuzz6.pcap    COUNT/2 random and mutated IPv6 packets into b0
  meta.json     the seed and, per file, how many packets there are and how
                many are certain to reach the device (a lower bound for its
                rcvd counters; see reaches4/reaches6)
  ws-l3/, ws-l4/  tshark configuration directories whose disabled_protos
                leave only the dissectors the test wants (the test makes them
                itself when missing, slowly: tshark starts slowly in the VM)

The topology and bindings below are the test's; keep them in step with
selftests/datapath/fuzz.sh.  Frames are addressed to the AFTR's veth MACs,
which the test sets to these fixed values.  Each packet's index in its pcap
and the seed reproduce it: `gen_fuzz.py DIR --seed S` and read frame N+1.
"""
import argparse
import ipaddress
import json
import os
import random
import struct
import sys

from scapy.config import conf
conf.verb = 0
from scapy.layers.inet import IP, UDP, TCP, ICMP, IPOption_NOP  # noqa: E402
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,  # noqa: E402
                                IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                                ICMPv6DestUnreach, ICMPv6PacketTooBig,
                                ICMPv6TimeExceeded, ICMPv6EchoRequest,
                                HBHOptUnknown, PadN)
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from inetsum import csum  # noqa: E402

MAC_AFTR4, MAC_INET = "02:00:5e:10:00:01", "02:00:5e:10:00:02"
MAC_AFTR6, MAC_B4 = "02:00:5e:10:00:03", "02:00:5e:10:00:04"
LOCAL, BR = "2001:db8:ff::1", "2001:db8:ff::2"
B4S = ["2001:db8:1::2", "2001:db8:1::3", "2001:db8:1::4"]
INET = "198.51.100.1"
LW0_MTU = 1460
# (ipv4, psid, psid length, offset, b4): what the test adds
BINDINGS = [
    ("192.0.2.1", 1, 6, 0, B4S[0]),
    ("192.0.2.1", 2, 6, 0, B4S[1]),
    ("192.0.2.2", 0, 0, 0, B4S[2]),
    ("192.0.2.3", 5, 4, 2, B4S[2]),     # with br BR
]
UNBOUND4 = ["192.0.2.77", "192.0.2.200", "192.0.2.0", "192.0.2.255"]
SOURCES4 = [INET, INET, "203.0.113.9", "8.8.8.8", "100.64.1.1", "192.0.2.1",
            "10.1.2.3"]


def port_in(rnd, b):
    _, psid, k, a, _ = b
    if k == 0:
        return rnd.randrange(1, 65536)
    m = 16 - a - k
    i = rnd.randrange(1 if a else 0, 1 << a) if a else 0
    return (i << (16 - a)) | (psid << m) | rnd.randrange(0, 1 << m)


def port_out(rnd, b):
    """A port of b's address that belongs to none of our bindings (b must
    not be a whole-address binding)."""
    assert b[2]
    while True:
        p = rnd.randrange(0, 65536)
        if not any(c[0] == b[0] and owns(c, p) for c in BINDINGS):
            return p


def owns(b, port):
    _, psid, k, a, _ = b
    if k == 0:
        return True
    m = 16 - a - k
    if a and port < (1 << (16 - a)):
        return False
    return (port >> m) & ((1 << k) - 1) == psid


def payload(rnd, lo=0, hi=64):
    return bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(lo, hi + 1)))


def l4(rnd, proto, sport, dport, size=None):
    """A well-formed transport layer (scapy) for proto."""
    body = Raw(payload(rnd) if size is None else bytes(size))
    if proto == 17:
        return UDP(sport=sport, dport=dport) / body
    if proto == 6:
        return TCP(sport=sport, dport=dport, seq=rnd.getrandbits(32),
                   flags=rnd.choice(["S", "A", "PA", "SA", "F", "R"])) / body
    if proto == 1:
        return ICMP(type=rnd.choice([8, 0]), id=sport, seq=rnd.randrange(0, 65536)) / body
    # other protocols: SCTP-like ports, then bytes
    return Raw(struct.pack("!HH", sport, dport) + payload(rnd, 0, 32))


def ip4(rnd, src, dst, l4pkt, proto=None, **kw):
    kw.setdefault("id", rnd.getrandbits(16))
    kw.setdefault("ttl", rnd.choice([64, 64, 255, 2, 3]))
    if proto is not None:
        kw["proto"] = proto
    return IP(src=src, dst=dst, **kw) / l4pkt


def icmp_error(rnd, src, dst, about):
    """ICMPv4 error from src to dst about the packet `about` (scapy IP)."""
    t, c = rnd.choice([(3, 1), (3, 3), (3, 4), (11, 0), (12, 0), (3, 13), (4, 0), (5, 1)])
    quoted = bytes(about)
    cut = rnd.choice([len(quoted), 28, min(len(quoted), 28 + 8)])
    kw = {}
    if (t, c) == (3, 4):
        kw["nexthopmtu"] = rnd.choice([1280, 1400, 68])
    if t == 12:
        kw["ptr"] = rnd.randrange(0, 20)
    return IP(src=src, dst=dst, id=rnd.getrandbits(16)) / ICMP(type=t, code=c, **kw) / Raw(quoted[:cut])


# ---- well-formed IPv4 toward the bound space (the internet's side) ---------
def inet_packet(rnd, big=False, normal=False):
    """(scapy IP, kind): IPv4 from the internet toward 192.0.2.0/24."""
    b = rnd.choice(BINDINGS)
    src = rnd.choice(SOURCES4)
    proto = rnd.choice([17, 17, 6, 1, 1] + ([] if normal else [132, 47]))
    r = rnd.random()
    if r < 0.55:
        dst, dport = b[0], port_in(rnd, b)
        kind = "bound"
    elif r < 0.75:
        b = rnd.choice([c for c in BINDINGS if c[2]])
        dst, dport = b[0], port_out(rnd, b)
        kind = "unbound-port"
    else:
        dst, dport = rnd.choice(UNBOUND4), rnd.randrange(0, 65536)
        kind = "unbound-addr"
    sport = rnd.randrange(1, 65536)
    if proto == 1 and rnd.random() < 0.35:
        # an error about a packet the B4 sent out (its source port matters)
        about = ip4(rnd, dst, rnd.choice(SOURCES4[:5]), l4(rnd, rnd.choice([17, 6, 1]), dport, sport))
        return icmp_error(rnd, src, dst, about), kind + "-icmp-error"
    if proto == 1:
        return ip4(rnd, src, dst, ICMP(type=8, id=dport, seq=rnd.randrange(65536)) /
                   Raw(payload(rnd))), kind + "-echo"
    size = rnd.choice([1400, 1432, 1460]) if big else None
    return ip4(rnd, src, dst, l4(rnd, proto, sport, dport, size), proto=proto,
               flags=rnd.choice([0, 2])), kind


def b4_packet(rnd, big=False, normal=False):
    """(scapy IP, b4 address, kind): IPv4 a B4 would tunnel out."""
    b = rnd.choice(BINDINGS)
    r = rnd.random()
    b4 = b[4]
    if r < 0.6:
        sport, kind = port_in(rnd, b), "bound"
    elif r < 0.8:
        b = rnd.choice([c for c in BINDINGS if c[2]])
        b4 = b[4]
        sport, kind = port_out(rnd, b), "bad-port"
    else:
        sport = port_in(rnd, b)
        b4 = rnd.choice([x for x in B4S if x != b[4]])
        kind = "wrong-b4"
    dst = rnd.choice(SOURCES4[:5] + ["192.0.2.2", "192.0.2.1"])   # some hairpin
    proto = rnd.choice([17, 17, 6, 1, 1] + ([] if normal else [132]))
    dport = rnd.randrange(1, 65536)
    if proto == 1 and rnd.random() < 0.3:
        about = ip4(rnd, dst, b[0], l4(rnd, rnd.choice([17, 6]), dport, sport))
        return icmp_error(rnd, b[0], dst, about), b4, kind + "-icmp-error"
    if proto == 1:
        return ip4(rnd, b[0], dst, ICMP(type=8, id=sport, seq=1) / Raw(payload(rnd))), b4, kind + "-echo"
    size = rnd.choice([1300, 1380, 1400]) if big else None
    return ip4(rnd, b[0], dst, l4(rnd, proto, sport, dport, size), proto=proto), b4, kind


def tel(nh=4):
    """Linux ip6tnl's Tunnel Encapsulation Limit destination option (limit 4)."""
    return IPv6ExtHdrDestOpt(nh=nh, options=[HBHOptUnknown(otype=4, optdata=b"\x04"),
                                             PadN(optdata=b"\x00")])


def outer6(rnd, b4, inner, style=None, dst=LOCAL):
    """The softwire packet: inner (bytes) behind IPv6 with some extension headers."""
    style = style or rnd.choice(["plain", "plain", "tel", "tel", "atomic-frag", "dest-pad"])
    h = IPv6(src=b4, dst=dst, hlim=rnd.choice([64, 64, 1, 0]), fl=rnd.getrandbits(20),
             **({"nh": 4} if style == "plain" else {}))
    if style == "tel":
        h = h / tel()
    elif style == "dest-pad":
        h = h / IPv6ExtHdrDestOpt(nh=4, options=[PadN(optdata=b"\x00" * 4)])
    elif style == "atomic-frag":
        h = h / IPv6ExtHdrFragment(nh=4, offset=0, m=0, id=rnd.getrandbits(32))
    return h / Raw(inner)


# ---- pcap ---------------------------------------------------------------------
class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        self.n = 0

    def add(self, frame):
        frame = bytes(frame)[:1514]
        self.n += 1
        self.f.write(struct.pack("<IIII", self.n // 1000000, self.n % 1000000,
                                 len(frame), len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


def eth4(p):
    return bytes(Ether(src=MAC_INET, dst=MAC_AFTR4, type=0x0800)) + bytes(p)


def eth6(p):
    return bytes(Ether(src=MAC_B4, dst=MAC_AFTR6, type=0x86dd)) + bytes(p)


# ---- what certainly reaches the device -----------------------------------------


BOUND_NET = ipaddress.ip_network("192.0.2.0/24")
PLAIN_SRC = {ipaddress.ip_address(a) for a in SOURCES4}


def reaches4(frame):
    """True when an IPv4 frame into i0 is certain to be routed into lw0:
    a header ip_rcv accepts, no options, TTL > 1, an ordinary source, a
    destination in 192.0.2.0/24, and not refused for DF over lw0's MTU."""
    p = frame[14:]
    if len(p) < 20 or p[0] != 0x45 or csum(p[:20]) != 0:
        return False
    tot, frag, ttl = struct.unpack("!H", p[2:4])[0], struct.unpack("!H", p[6:8])[0], p[8]
    if tot < 20 or tot > len(p) or ttl < 2:
        return False
    if ipaddress.ip_address(p[12:16]) not in PLAIN_SRC or \
            ipaddress.ip_address(p[16:20]) not in BOUND_NET:
        return False
    return not (tot > LW0_MTU and frag & 0x4000)


def reaches6(frame):
    """True when an IPv6 frame into b0 is certain to be taken for decap:
    a header ipv6_rcv accepts, a B4's source, destination local, IPIP or a
    destination options header first (the hook's first test), and an
    extension header chain that ends in IPIP with no fragment offset or
    more-fragments bit (what its ipv6_skip_exthdr() walk wants)."""
    p = frame[14:]
    if len(p) < 40 or p[0] >> 4 != 6:
        return False
    plen, nh = struct.unpack("!H", p[4:6])[0], p[6]
    if plen == 0 or plen + 40 > len(p) or p[24:40] != ipaddress.ip_address(LOCAL).packed:
        return False
    if ipaddress.ip_address(p[8:24]) not in {ipaddress.ip_address(a) for a in B4S}:
        return False
    if nh not in (4, 60):       # the hook looks no further than this
        return False
    off, end = 40, 40 + plen
    while nh in (60, 43, 44):
        if off + 8 > end:
            return False
        if nh == 44:
            if struct.unpack("!H", p[off + 2:off + 4])[0] & 0xfff9:
                return False
            nh, off = p[off], off + 8
        else:
            nh, off = p[off], off + (p[off + 1] + 1) * 8
        if off > end:
            return False
    return nh == 4


# ---- mutations -------------------------------------------------------------
def fix4(p):
    """Recompute an IPv4 header checksum in place (bytearray at 0)."""
    ihl = (p[0] & 15) * 4
    if len(p) < 20 or ihl < 20 or ihl > len(p):
        return
    p[10:12] = b"\0\0"
    p[10:12] = struct.pack("!H", csum(bytes(p[:ihl])))


def mutate4(rnd, p):
    """Mutate the IPv4 packet p (bytes); returns (bytes, what)."""
    p = bytearray(p)
    r = rnd.random()
    fix = rnd.random() < 0.8       # most mutations keep the checksum right
    if r < 0.12:
        what = "intact"
        fix = False
    elif r < 0.24:
        n = rnd.randrange(0, len(p) + 1)
        del p[n:]
        what = "truncated"
        fix = False
    elif r < 0.34:
        n = rnd.randrange(20, max(21, len(p) + 1))
        del p[n:]
        p[2:4] = struct.pack("!H", len(p))
        what = "cut-short"
    elif r < 0.46:
        for _ in range(rnd.randrange(1, 8)):
            i = rnd.randrange(min(20, len(p)), len(p)) if len(p) > 20 else rnd.randrange(len(p))
            p[i] ^= 1 << rnd.randrange(8)
        what = "payload-bits"
    elif r < 0.54:
        for _ in range(rnd.randrange(1, 4)):
            i = rnd.randrange(0, min(20, len(p)))
            p[i] ^= 1 << rnd.randrange(8)
        what = "header-bits"
    elif r < 0.62:
        p[0] = (p[0] & 0xf0) | rnd.choice([0, 1, 4, 5, 6, 15])
        what = "ihl"
    elif r < 0.70:
        p[2:4] = struct.pack("!H", rnd.choice([0, 19, 20, 21, len(p) - 1, len(p) + 1,
                                               len(p) + 100, 65535, rnd.randrange(65536)]) & 0xffff)
        what = "tot_len"
    elif r < 0.74:
        p[10:12] = struct.pack("!H", rnd.getrandbits(16))
        what = "checksum"
        fix = False
    elif r < 0.80:
        p[8] = rnd.choice([0, 1, 2])
        what = "ttl"
    elif r < 0.88:
        p[6:8] = struct.pack("!H", rnd.choice([0x2000, 0x2001, 0x0001, 0x00b9, 0x1fff,
                                               0x3fff, 0x4001, 0x8000, rnd.getrandbits(16)]))
        what = "frag"
    elif r < 0.94:
        opts = bytes(rnd.choice([[1, 1, 1, 0], [7, 7, 4, 0, 0, 0, 0, 0], [68, 4, 5, 0],
                                 [130, 11] + [0] * 9 + [0], [rnd.getrandbits(8) for _ in range(4)]]))
        opts += b"\0" * (-len(opts) % 4)
        p[0] = 0x40 | (5 + len(opts) // 4)
        p[20:20] = opts
        p[2:4] = struct.pack("!H", len(p) & 0xffff)
        what = "options"
    else:
        p[9] = rnd.getrandbits(8)
        what = "protocol"
    if fix:
        fix4(p)
    return bytes(p[:1500]), what


def frags4(rnd, pkt, size):
    """Well-formed IPv4 fragments of pkt (scapy IP), possibly out of order."""
    from scapy.layers.inet import fragment
    fr = fragment(pkt, fragsize=size)
    if rnd.random() < 0.3:
        rnd.shuffle(fr)
    return fr


def gen_v4(rnd, count, w, meta):
    n = reach = 0
    kinds = {}
    while n < count:
        base, kind = inet_packet(rnd, big=rnd.random() < 0.05)
        if rnd.random() < 0.08:
            base.flags = 0
            pieces = [bytes(f) for f in frags4(rnd, base, rnd.choice([8, 16, 64, 256]))]
            pieces = pieces[:rnd.randrange(1, len(pieces) + 1)]
            what = "fragments"
        else:
            pkt, what = mutate4(rnd, bytes(base))
            pieces = [pkt]
        for pc in pieces:
            f = eth4(pc)
            w.add(f)
            n += 1
            if reaches4(f):
                reach += 1
            k = "%s/%s" % (kind, what)
            kinds[k] = kinds.get(k, 0) + 1
    meta.update(packets=n, reaches=reach, kinds=kinds)


def mutate6(rnd, b4, inner):
    """An IPv6 frame into b0 built around inner (bytes); returns (bytes, what)."""
    r = rnd.random()
    if r < 0.55:
        return bytes(outer6(rnd, b4, inner)), "inner"
    if r < 0.62:      # to the per-binding BR (not ours to take) or elsewhere
        return bytes(outer6(rnd, b4, inner, dst=rnd.choice([BR, "2001:db8:1::1", "2001:db8:ff::9"]))), "not-local"
    if r < 0.66:
        src = rnd.choice(["2001:db8:1::99", "::1", "ff02::1", "::", "fe80::1", "2001:db8:1::1"])
        return bytes(outer6(rnd, src, inner)), "odd-source"
    if r < 0.74:      # real fragments of the outer packet
        big = bytes(outer6(rnd, b4, inner + payload(rnd, 0, 64), style="plain"))
        pkt = IPv6(big)
        frs = fragment6(pkt, rnd.choice([56, 96, 200]))
        return [bytes(f) for f in frs[:rnd.randrange(1, len(frs) + 1)]], "ipv6-frags"
    p = bytearray(bytes(outer6(rnd, b4, inner)))
    if r < 0.80:
        del p[rnd.randrange(0, len(p) + 1):]
        return bytes(p), "truncated"
    if r < 0.86:
        p[4:6] = struct.pack("!H", rnd.choice([0, 1, 8, 39, 40, len(p) - 41, len(p) - 39,
                                               65535, rnd.getrandbits(16)]) & 0xffff)
        return bytes(p), "payload_len"
    if r < 0.92:
        for _ in range(rnd.randrange(1, 5)):
            p[rnd.randrange(0, min(len(p), 56))] ^= 1 << rnd.randrange(8)
        return bytes(p), "header-bits"
    if r < 0.96:   # odd extension header chains
        ext = rnd.choice([
            IPv6ExtHdrHopByHop(nh=60) / tel(),
            IPv6ExtHdrDestOpt(nh=4, options=[HBHOptUnknown(otype=4, optdata=b"\x00")]),
            IPv6ExtHdrRouting(nh=60, type=0, addresses=[]) / tel(),
            IPv6ExtHdrDestOpt(nh=4, options=[HBHOptUnknown(otype=rnd.getrandbits(8),
                                                           optdata=payload(rnd, 0, 12))]),
            IPv6ExtHdrFragment(nh=60, offset=rnd.randrange(0, 8192), m=rnd.randrange(2), id=1) / tel(),
            tel(60) / tel(60) / tel(),
            tel(rnd.choice([0, 43, 44, 59, 6, 41])),
        ])
        return bytes(IPv6(src=b4, dst=LOCAL) / ext / Raw(inner)), "ext-chain"
    # an ICMPv6 error about one of our encapsulated packets, to local
    about = IPv6(src=LOCAL, dst=b4, nh=4) / Raw(inner)
    err = rnd.choice([ICMPv6PacketTooBig(mtu=rnd.choice([1280, 1000, 0])),
                      ICMPv6DestUnreach(code=rnd.randrange(0, 8)),
                      ICMPv6TimeExceeded(), ICMPv6EchoRequest()])
    return bytes(IPv6(src=rnd.choice(B4S + ["2001:db8:1::1"]), dst=LOCAL) / err / Raw(bytes(about)[:1232])), "icmpv6"


def fragment6(pkt, size):
    from scapy.layers.inet6 import fragment6 as f6
    hdr = IPv6(bytes(pkt[IPv6])[:40])
    hdr.nh = 44
    return f6(hdr / IPv6ExtHdrFragment(nh=4, id=0x1234) /
              Raw(bytes(pkt[IPv6].payload)), size + 48)


def gen_v6(rnd, count, w, meta):
    n = reach = 0
    kinds = {}
    while n < count:
        base, b4, kind = b4_packet(rnd, big=rnd.random() < 0.05)
        if rnd.random() < 0.06:
            base.flags = 0
            inners = [bytes(f) for f in frags4(rnd, base, rnd.choice([8, 64, 256]))]
            what4 = "ipv4-frags"
        else:
            inner, what4 = mutate4(rnd, bytes(base))
            inners = [inner]
        for inner in inners:
            out, what6 = mutate6(rnd, b4, inner)
            for o in (out if isinstance(out, list) else [out]):
                f = eth6(o)
                w.add(f)
                n += 1
                if reaches6(f):
                    reach += 1
                k = "%s/%s/%s" % (kind, what4, what6)
                kinds[k] = kinds.get(k, 0) + 1
    meta.update(packets=n, reaches=reach, kinds=kinds)


# ---- normal traffic ---------------------------------------------------------
def gen_normal4(rnd, w, meta):
    n = reach = 0
    for i in range(400):
        pkt, kind = inet_packet(rnd, big=(i % 25 == 0), normal=True)
        pkt.ttl = 64
        pieces = [pkt]
        if i % 40 == 1:
            pkt.flags = 0
            pieces = frags4(rnd, pkt, 32)
        for pc in pieces:
            f = eth4(pc)
            w.add(f)
            n += 1
            reach += reaches4(f)
    meta.update(packets=n, reaches=reach)


def gen_normal6(rnd, w, meta):
    n = reach = 0
    for i in range(400):
        pkt, b4, kind = b4_packet(rnd, big=(i % 25 == 0), normal=True)
        pkt.ttl = 1 if i % 50 == 3 else 64
        inners = [bytes(pkt)]
        if i % 40 == 1:
            pkt.flags = 0
            inners = [bytes(f) for f in frags4(rnd, pkt, 32)]
        for inner in inners:
            f = eth6(outer6(rnd, b4, inner, style=rnd.choice(["plain", "tel", "atomic-frag"])))
            w.add(f)
            n += 1
            reach += reaches6(f)
    meta.update(packets=n, reaches=reach)


# Keep in step with ws_profile in selftests/datapath/fuzz.sh.
WS_KEEP = r"_ws\..*|frame|eth|ethertype|ip|ip\.options\..*|ipv6|ipv6\..*|icmp|icmpv6|data"
WS_KEEP_L4 = WS_KEEP + r"|udp|tcp|tcp\.options\..*|sctp|udplite"


def ws_profiles(outdir):
    import re
    import subprocess
    try:
        protos = subprocess.run(["tshark", "-G", "protocols"], capture_output=True,
                                text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        print("no tshark: the test will make its tshark profiles itself", file=sys.stderr)
        return
    names = [line.split("\t")[2] for line in protos.splitlines() if line.count("\t") >= 2]
    for prof, keep in (("l3", WS_KEEP), ("l4", WS_KEEP_L4)):
        d = os.path.join(outdir, "ws-" + prof)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "disabled_protos"), "w") as f:
            f.writelines(n + "\n" for n in names if not re.fullmatch(keep, n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--ws-only", action="store_true", help="only the tshark profiles")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    ws_profiles(a.outdir)
    if a.ws_only:
        return
    meta = {"seed": a.seed, "count": a.count}
    for name, fn, sub in (("normal4", gen_normal4, 1), ("normal6", gen_normal6, 2),
                          ("fuzz4", gen_v4, 3), ("fuzz6", gen_v6, 4)):
        rnd = random.Random(a.seed * 10 + sub)
        w = Pcap(os.path.join(a.outdir, name + ".pcap.tmp"))
        m = {}
        if name.startswith("fuzz"):
            fn(rnd, a.count // 2, w, m)
        else:
            fn(rnd, w, m)
        w.close()
        os.rename(os.path.join(a.outdir, name + ".pcap.tmp"), os.path.join(a.outdir, name + ".pcap"))
        meta[name] = m
        print("%s: %d packets, %d certain to reach the device" % (name, m["packets"], m["reaches"]),
              file=sys.stderr)
    with open(os.path.join(a.outdir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
