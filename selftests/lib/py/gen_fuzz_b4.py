# SPDX-License-Identifier: GPL-2.0
"""Packet sets for selftests/datapath/fuzz_b4.sh (the B4 side), built on the
host with scapy from a fixed seed.

  gen_fuzz_b4.py OUTDIR [--seed N] [--count N]

Writes Ethernet pcaps, COUNT/4 frames each (fixed timestamps: the same seed
gives the same bytes):

  b4-lan.pcap   random and mutated IPv4 from a LAN host into the lwB4's LAN
                interface, mostly to be routed into the b4 device
  b4-wan.pcap   random and mutated IPv6 into the lwB4's IPv6 interface:
                IPv4-in-IPv6 to local, mostly from remote, ICMPv6 errors
                quoting our IPv4-in-IPv6, outer and inner fragments
  ds-lan.pcap, ds-wan.pcap   the same for the DS-Lite B4 (mode dslite)
  meta.json     the seed and, per file, how many frames there are, how many
                are certain to reach the device (a lower bound for its rcvd
                counters: reaches_lan/reaches_wan) and the kinds

The mutations are gen_fuzz.py's (mutate4 for every IPv4 header, inner or
not).  Addresses, MACs and the port set are the test's; keep them in step
with selftests/datapath/fuzz_b4.sh.  Frame N of a set is reproduced by the
seed: `gen_fuzz_b4.py DIR --seed S` and read frame N.
"""
import argparse
import ipaddress
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_fuzz as G  # noqa: E402
from scapy.layers.inet import IP, UDP, ICMP  # noqa: E402
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,  # noqa: E402
                                IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                                ICMPv6DestUnreach, ICMPv6PacketTooBig,
                                ICMPv6TimeExceeded, ICMPv6ParamProblem,
                                ICMPv6EchoRequest, HBHOptUnknown, PadN)
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402

# LAN host e0 -> B4 lan0; AFTR b0 -> B4 u0
MAC_LAN, MAC_B4LAN = "02:00:5e:20:00:02", "02:00:5e:20:00:01"
MAC_AFTR, MAC_B4WAN = "02:00:5e:20:00:03", "02:00:5e:20:00:04"
LOCAL = "2001:db8:1::2"
REMOTE = {"b4": "2001:db8:ff::1", "ds": "2001:db8:ff::2"}
OTHER6 = ["2001:db8:1::1", "2001:db8:1::99", "fe80::1", "2001:db8:ff::9"]
BAD6 = ["::", "::1", "ff02::1", "::ffff:192.0.2.1"]       # ipv6_rcv drops most
# the lwB4's address and port set: psid 5/4 offset 2 (3 x 1024 ports)
B4_V4 = "192.0.2.1"
SET = (B4_V4, 5, 4, 2, LOCAL)
DS_V4 = "192.0.0.2"
LANHOST, B4_LAN = "192.168.1.2", "192.168.1.1"
INET, ECHO = "198.51.100.1", 7777
DEV_MTU = 1460
# routed into the device from the LAN (192.0.2.1 is local on the lwB4 only)
ROUTED = [INET, INET, "203.0.113.9", "8.8.8.8", "100.64.1.1", "192.0.2.77",
          "192.0.2.2", "10.9.9.9"]
NOT_ROUTED = [B4_LAN, "192.168.1.3", "192.168.1.255", "255.255.255.255",
              "224.0.0.5", "0.0.0.0", "127.0.0.1"]
INET_SRC = [INET, INET, "203.0.113.9", "8.8.8.8", "192.0.2.77", "10.1.2.3"]


def routed(mode):
    return ROUTED + ([B4_V4] if mode == "ds" else [])


def port_out(rnd):
    while True:
        p = rnd.randrange(0, 65536)
        if not G.owns(SET, p):
            return p


# ---- the LAN side -------------------------------------------------------------
def lan_packet(rnd, mode, flows):
    """(scapy IP, kind, keep): IPv4 a LAN host sends toward the internet."""
    r = rnd.random()
    if r < 0.12:
        # a flow the echo server answers; replies and errors refer to it
        return G.ip4(rnd, LANHOST, INET, UDP(sport=rnd.choice(flows), dport=ECHO) /
                     Raw(G.payload(rnd, 1)), ttl=64), "flow", True
    src = LANHOST if rnd.random() < 0.85 else rnd.choice(
        ["192.168.1.%d" % rnd.randrange(2, 255), "10.1.2.3", B4_V4, INET,
         "0.0.0.0", "127.0.0.1", "224.0.0.1", "192.168.1.255"])
    r = rnd.random()
    if r < 0.82:
        dst, kind = rnd.choice(routed(mode)), "routed"
    elif r < 0.88:
        dst, kind = B4_V4, "b4-address"
    else:
        dst, kind = rnd.choice(NOT_ROUTED), "not-routed"
    sport = rnd.choice(flows) if rnd.random() < 0.3 else rnd.randrange(1, 65536)
    dport = rnd.choice([ECHO, 53, 80, rnd.randrange(1, 65536)])
    proto = rnd.choice([17, 17, 17, 6, 6, 1, 1, "err", "err", 132, 47, 50, 41, 4, 33,
                        rnd.getrandbits(8)])
    if proto == "err":
        # an error about a packet that came in from the internet: one of
        # the flows (RELATED) or anything (no conntrack state)
        if rnd.random() < 0.5:
            about = G.ip4(rnd, INET, src, UDP(sport=ECHO, dport=rnd.choice(flows)) /
                          Raw(G.payload(rnd)), ttl=60)
            dst = INET
        else:
            about = G.ip4(rnd, dst, src, G.l4(rnd, rnd.choice([17, 6, 1]), dport, sport))
        return G.icmp_error(rnd, src, dst, about), kind + "-icmp-error", False
    if proto == 1:
        t = rnd.choice([8, 8, 0, 13, 42])
        return G.ip4(rnd, src, dst, ICMP(type=t, id=sport, seq=rnd.randrange(65536)) /
                     Raw(G.payload(rnd))), kind + "-icmp", False
    size = rnd.choice([1300, 1440, 1460, 1472]) if rnd.random() < 0.04 else None
    return G.ip4(rnd, src, dst, G.l4(rnd, proto, sport, dport, size), proto=proto,
                 flags=rnd.choice([0, 2])), "%s-%s" % (kind, proto), False


LAN_SRC = {ipaddress.ip_address("192.168.1.%d" % i) for i in range(2, 255)}


def reaches_lan(frame, mode):
    """True when a frame into lan0 is certain to be routed into the device:
    a header ip_rcv accepts, no options, TTL > 1, not a fragment, a LAN
    host's source, a destination routed into the device, not DF over its
    MTU.  lwB4: only UDP and ICMP echo with whole headers, which conntrack
    passes and nf_nat can rewrite (else by the hook or the device, counted
    either way); the DS-Lite B4 has no conntrack, so any protocol."""
    p = frame[14:]
    if len(p) < 20 or p[0] != 0x45 or G.csum(p[:20]) != 0:
        return False
    tot, frag = struct.unpack("!HH", p[2:4] + p[6:8])
    ttl, proto = p[8], p[9]
    if tot < 20 or tot > len(p) or ttl < 2 or frag & 0x3fff:
        return False
    if ipaddress.ip_address(p[12:16]) not in LAN_SRC or \
            str(ipaddress.ip_address(p[16:20])) not in routed(mode):
        return False
    if tot > DEV_MTU and frag & 0x4000:
        return False
    if mode == "ds":
        return True
    return tot >= 28 and (proto == 17 or (proto == 1 and p[20] == 8))


def gen_lan(rnd, mode, flows, count, w, meta):
    n = reach = 0
    kinds = {}
    while n < count:
        base, kind, keep = lan_packet(rnd, mode, flows)
        if keep:
            pieces, what = [bytes(base)], "intact"
        elif rnd.random() < 0.07:
            base.flags = 0
            pieces = [bytes(f) for f in G.frags4(rnd, base, rnd.choice([8, 16, 64, 256]))]
            pieces = pieces[:rnd.randrange(1, len(pieces) + 1)]
            what = "fragments"
        else:
            pkt, what = G.mutate4(rnd, bytes(base))
            pieces = [pkt]
        for pc in pieces:
            f = bytes(Ether(src=MAC_LAN, dst=MAC_B4LAN, type=0x0800)) + pc
            w.add(f)
            n += 1
            reach += reaches_lan(f, mode)
            k = "%s/%s" % (kind, what)
            kinds[k] = kinds.get(k, 0) + 1
    meta.update(packets=n, reaches=reach, kinds=kinds)


# ---- the IPv6 side -----------------------------------------------------------
def wan_inner(rnd, mode, flows):
    """(scapy IP, kind, keep): IPv4 the AFTR would send down the softwire."""
    src = rnd.choice(INET_SRC)
    r = rnd.random()
    if mode == "b4":
        if r < 0.25:    # a reply to one of the LAN's flows (its port kept by the NAT)
            return G.ip4(rnd, INET, B4_V4, UDP(sport=ECHO, dport=rnd.choice(flows)) /
                         Raw(G.payload(rnd, 1)), ttl=60), "flow-reply", rnd.random() < 0.5
        if r < 0.6:
            dst, port, kind = B4_V4, G.port_in(rnd, SET), "in-set"
        elif r < 0.85:
            dst, port, kind = B4_V4, port_out(rnd), "out-of-set"
        else:
            dst, port, kind = rnd.choice([LANHOST, "192.0.2.2", INET, "10.9.9.9"]), \
                rnd.randrange(65536), "other-dst"
    else:
        port = rnd.choice(flows) if rnd.random() < 0.5 else rnd.randrange(65536)
        if r < 0.7:
            dst, kind = LANHOST, "lan-host"
        elif r < 0.8:
            dst, kind = rnd.choice([B4_LAN, DS_V4]), "b4-itself"
        elif r < 0.88:
            dst, kind = "192.168.1.3", "lan-absent"
        elif r < 0.93:
            dst, kind = rnd.choice(["8.8.8.8", INET]), "routed-back"
        else:
            dst, kind = rnd.choice(["255.255.255.255", "224.0.0.1", "0.0.0.0", "127.0.0.1",
                                    "192.168.1.255"]), "odd-dst"
    sport = rnd.randrange(1, 65536)
    proto = rnd.choice([17, 17, 6, 1, 1, "err", "err", 132, 47, rnd.getrandbits(8)])
    if proto == "err":
        # an error about a packet the B4 sent: its source port is the one
        about = G.ip4(rnd, dst, src, G.l4(rnd, rnd.choice([17, 6, 1]), port, sport))
        return G.icmp_error(rnd, src, dst, about), kind + "-icmp-error", False
    if proto == 1:
        return G.ip4(rnd, src, dst, ICMP(type=rnd.choice([0, 0, 8, 14]), id=port, seq=1) /
                     Raw(G.payload(rnd))), kind + "-icmp", False
    size = rnd.choice([1300, 1380, 1420]) if rnd.random() < 0.04 else None
    return G.ip4(rnd, src, dst, G.l4(rnd, proto, sport, port, size), proto=proto), \
        "%s-%s" % (kind, proto), False


def ours(rnd, mode):
    """IPv4 the B4 would have sent (for ICMPv6 errors to quote)."""
    if mode == "b4":
        src, sport = B4_V4, G.port_in(rnd, SET) if rnd.random() < 0.8 else port_out(rnd)
    else:
        src, sport = LANHOST, rnd.randrange(1, 65536)
    proto = rnd.choice([17, 6, 1])
    return G.ip4(rnd, src, rnd.choice(INET_SRC), G.l4(rnd, proto, sport, ECHO,
                 rnd.choice([None, None, 1400])), proto=proto, flags=2, ttl=63)


def outer6(rnd, src, dst, inner, style=None):
    style = style or rnd.choice(["plain", "plain", "tel", "tel", "atomic-frag", "dest-pad"])
    h = IPv6(src=src, dst=dst, hlim=rnd.choice([64, 64, 1, 0]), fl=rnd.getrandbits(20),
             **({"nh": 4} if style == "plain" else {}))
    if style == "tel":
        h = h / G.tel()
    elif style == "dest-pad":
        h = h / IPv6ExtHdrDestOpt(nh=4, options=[PadN(optdata=b"\x00" * 4)])
    elif style == "atomic-frag":
        h = h / IPv6ExtHdrFragment(nh=4, offset=0, m=0, id=rnd.getrandbits(32))
    return h / Raw(inner)


def wan_frames(rnd, mode, inner):
    """IPv6 packets (bytes) into u0 built around inner (bytes), and what."""
    remote = REMOTE[mode]
    other = OTHER6 + [r for r in REMOTE.values() if r != remote]
    x = rnd.random()
    src = remote if x < 0.8 else rnd.choice(other) if x < 0.97 else rnd.choice(BAD6)
    r = rnd.random()
    if r < 0.55:
        return [bytes(outer6(rnd, src, LOCAL, inner))], "inner"
    if r < 0.60:
        dst = rnd.choice(["2001:db8:1::3", "2001:db8:1::1", "ff02::1", remote])
        return [bytes(outer6(rnd, src, dst, inner))], "not-local"
    if r < 0.68:      # real fragments of the outer packet
        pkt = outer6(rnd, src, LOCAL, inner + G.payload(rnd, 0, 64), style="plain")
        frs = G.fragment6(pkt, rnd.choice([56, 96, 200, 600]))
        if rnd.random() < 0.3:
            rnd.shuffle(frs)
        return [bytes(f) for f in frs[:rnd.randrange(1, len(frs) + 1)]], "ipv6-frags"
    if r < 0.88:
        p = bytearray(bytes(outer6(rnd, src, LOCAL, inner)))
        if r < 0.74:
            del p[rnd.randrange(0, len(p) + 1):]
            return [bytes(p)], "truncated"
        if r < 0.79:
            p[4:6] = struct.pack("!H", rnd.choice([0, 1, 8, 39, 40, len(p) - 41, len(p) - 39,
                                                   65535, rnd.getrandbits(16)]) & 0xffff)
            return [bytes(p)], "payload_len"
        for _ in range(rnd.randrange(1, 5)):
            p[rnd.randrange(0, min(len(p), 64))] ^= 1 << rnd.randrange(8)
        return [bytes(p)], "header-bits"
    if r < 0.92:      # odd extension header chains
        ext = rnd.choice([
            IPv6ExtHdrHopByHop(nh=60) / G.tel(),
            IPv6ExtHdrDestOpt(nh=4, options=[HBHOptUnknown(otype=4, optdata=b"\x00")]),
            IPv6ExtHdrRouting(nh=60, type=0, addresses=[]) / G.tel(),
            IPv6ExtHdrDestOpt(nh=4, options=[HBHOptUnknown(otype=rnd.getrandbits(8),
                                                           optdata=G.payload(rnd, 0, 12))]),
            IPv6ExtHdrFragment(nh=60, offset=rnd.randrange(0, 8192), m=rnd.randrange(2),
                               id=rnd.getrandbits(32)) / G.tel(),
            G.tel(60) / G.tel(60) / G.tel(),
            G.tel(rnd.choice([0, 43, 44, 59, 6, 41, 58])),
        ])
        return [bytes(IPv6(src=src, dst=LOCAL) / ext / Raw(inner))], "ext-chain"
    # an ICMPv6 error about one of our packets (sometimes not quite ours)
    q = ours(rnd, mode)
    y = rnd.random()
    qsrc, qdst = (LOCAL, remote) if y < 0.8 else \
        rnd.choice([(remote, LOCAL), (LOCAL, rnd.choice(other)), ("2001:db8:1::9", remote)])
    about = bytes(IPv6(src=qsrc, dst=qdst, hlim=64, nh=4) / q)
    about, what = G.mutate4(rnd, about[40:]) if rnd.random() < 0.2 else (about[40:], "intact")
    about = bytes(IPv6(src=qsrc, dst=qdst, hlim=64, nh=4)) + about
    about = about[:rnd.choice([len(about), len(about), 1232, 96, 68, 60, 40, 30])]
    err = rnd.choice([
        ICMPv6PacketTooBig(mtu=rnd.choice([1280, 1280, 1000, 0, 1500, 65535, 1400])),
        ICMPv6DestUnreach(code=5), ICMPv6DestUnreach(code=5),
        ICMPv6DestUnreach(code=rnd.randrange(0, 8)),
        ICMPv6TimeExceeded(code=rnd.randrange(2)),
        ICMPv6ParamProblem(code=rnd.randrange(3), ptr=rnd.randrange(60)),
        ICMPv6PacketTooBig(mtu=1280, code=1),
        ICMPv6EchoRequest()])
    esrc = rnd.choice([remote, remote, "2001:db8:1::1", "2001:db8:ff::9"])
    pkt = IPv6(src=esrc, dst=LOCAL) / err / Raw(about)
    if rnd.random() < 0.1:
        pkt = IPv6(src=esrc, dst=LOCAL) / IPv6ExtHdrDestOpt(nh=58) / err / Raw(about)
    return [bytes(pkt)], "icmpv6-%s-%s" % (err.type, what)


LOCAL_B = ipaddress.ip_address(LOCAL).packed
SAFE_SRC = {ipaddress.ip_address(a).packed for a in OTHER6 + list(REMOTE.values())}


def reaches_wan(frame):
    """True when a frame into u0 is certain to be taken by the device's
    hook (which counts it before any check of the source or the inner
    packet): a header ipv6_rcv accepts with an ordinary source, destination
    local, and either a chain of destination options that ends in IPIP
    (gen_fuzz.reaches6) or an ICMPv6 error right after the IPv6 header
    quoting an IPv6 header whose next header is IPIP."""
    p = frame[14:]
    if len(p) < 40 or p[0] >> 4 != 6:
        return False
    plen, nh = struct.unpack("!H", p[4:6])[0], p[6]
    if plen == 0 or plen + 40 > len(p) or p[24:40] != LOCAL_B or p[8:24] not in SAFE_SRC:
        return False
    end = 40 + plen
    if nh == 58:
        return end >= 40 + 8 + 40 and p[40] < 128 and p[40 + 8 + 6] == 4
    if nh not in (4, 60):
        return False
    off = 40
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


def gen_wan(rnd, mode, flows, count, w, meta):
    n = reach = 0
    kinds = {}
    while n < count:
        base, kind, keep = wan_inner(rnd, mode, flows)
        if keep:
            inners, what4 = [bytes(base)], "intact"
        elif rnd.random() < 0.06:
            base.flags = 0
            inners = [bytes(f) for f in G.frags4(rnd, base, rnd.choice([8, 64, 256]))]
            what4 = "ipv4-frags"
        else:
            inner, what4 = G.mutate4(rnd, bytes(base))
            inners = [inner]
        for inner in inners:
            outs, what6 = wan_frames(rnd, mode, inner)
            for o in outs:
                f = bytes(Ether(src=MAC_AFTR, dst=MAC_B4WAN, type=0x86dd)) + o
                w.add(f)
                n += 1
                reach += reaches_wan(f)
                k = "%s/%s/%s" % (kind, what4, what6)
                kinds[k] = kinds.get(k, 0) + 1
    meta.update(packets=n, reaches=reach, kinds=kinds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=200000)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    meta = {"seed": a.seed, "count": a.count}
    # The LAN's flows: source ports inside the set, which the NAT keeps.
    r = random.Random(a.seed * 10 + 9)
    flows = sorted({G.port_in(r, SET) for _ in range(256)})
    meta["flows"] = flows
    for i, (mode, side) in enumerate([("b4", "lan"), ("b4", "wan"), ("ds", "lan"), ("ds", "wan")]):
        name = "%s-%s" % (mode, side)
        rnd = random.Random(a.seed * 10 + i + 1)
        tmp = os.path.join(a.outdir, name + ".pcap.tmp")
        w = G.Pcap(tmp)
        m = {}
        (gen_lan if side == "lan" else gen_wan)(rnd, mode, flows, a.count // 4, w, m)
        w.close()
        os.rename(tmp, os.path.join(a.outdir, name + ".pcap"))
        meta[name] = m
        print("%s: %d frames, %d certain to reach the device" % (name, m["packets"], m["reaches"]),
              file=sys.stderr)
    with open(os.path.join(a.outdir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
