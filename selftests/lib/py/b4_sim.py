# SPDX-License-Identifier: GPL-2.0
"""Many simulated PCP B4s for selftests/daemon/pcp_announce.sh: what a
takeover ANNOUNCE to a thousand B4s does, counted and timed.

  b4_sim.py COUNT STATE-FILE

B4 i (0 <= i < COUNT) is 2001:db8:8000:<i+1>::1 (a /64 each; the namespace
holds 2001:db8:8000::/48 as a local route, so every address is ours).
Even B4s speak PCP inside the softwire (IPv4-in-IPv6 to 2001:db8:ff::1,
192.0.0.2:5350 -> 192.0.0.1:5351, sent through a raw socket with our own
IPv6 header; answers and ANNOUNCEs read from an IPPROTO_IPIP raw socket),
odd ones over plain IPv6 (UDP from [B4]:5350 to [2001:db8:1::1]:5351, one
socket bound to [::]:5350 with IPV6_FREEBIND, the source chosen per packet
by IPV6_PKTINFO).  Each asks for a port set (MAP, PORT_SET) and keeps the
epoch of its answer; B4s with i % 10 in (0, 5) are "deaf": they miss the
first ANNOUNCE that reaches them, as if it were lost.

Like a real client (RFC 6887 14.1.3, our pcp_client.c), a B4 that hears
an ANNOUNCE whose epoch says the server lost its state (the 8.5 check: it
did not advance with our clock since the last answer) re-validates (MAP
again) after a random 0-5 s.  An ANNOUNCE on the wrong transport for that
B4 is counted, not acted on.

Prints "mapped N" once every B4 holds a set (MAPs retransmitted every
3 s until then), then waits for ANNOUNCEs; when every B4 has re-validated
(or after 120 s) it listens 3 s more, writes STATE-FILE (JSON) and exits.
"""
import ipaddress
import json
import os
import random
import select
import socket
import struct
import sys
import time
from pcp_flood import inner, outer   # the softwire's packets, as the flood builds them

AFTR_LOCAL = "2001:db8:ff::1"
LISTEN6 = "2001:db8:1::1"
B4CTRL = "192.0.0.2"
CLIENT, SERVER = 5350, 5351
OP_ANNOUNCE, OP_MAP, OPT_PORT_SET = 0, 1, 130
IPV6_FREEBIND = 78
SO_RCVBUFFORCE, SO_RXQ_OVFL = 33, 40
BASE = int(ipaddress.IPv6Address("2001:db8:8000::1"))


def b4_addr(i):
    return ipaddress.IPv6Address(BASE | (i + 1) << 64)


def b4_index(a):
    v = int(ipaddress.IPv6Address(a))
    i = ((v >> 64) & 0xffff) - 1
    return i if v == BASE | (i + 1) << 64 else None


def pcp_map(client16, nonce, lifetime=3600):
    h = struct.pack("!BBHI", 2, OP_MAP, 0, lifetime) + client16
    body = nonce + struct.pack("!B3xHH", 0, 0, 0) + b"\0" * 16
    ps = struct.pack("!BBHHHB3x", OPT_PORT_SET, 0, 5, 1, 0, 0)
    return h + body + ps


def parse_response(p):
    """(opcode, result, epoch) of a PCP response, or None."""
    if len(p) < 24 or p[0] != 2 or not p[1] & 0x80:
        return None
    return p[1] & 0x7f, p[3], struct.unpack("!I", p[8:12])[0]


class B4:
    def __init__(self, i):
        self.i = i
        self.addr = b4_addr(i)
        self.softwire = i % 2 == 0
        self.deaf = i % 10 in (0, 5)
        self.nonce = struct.pack("!III", 0xb4, i, 0x5eed)
        self.epoch = None       # from the last answer ...
        self.epoch_at = 0.0     # ... and when it came (client time)
        self.mapped = False
        self.lost = False       # an ANNOUNCE said so: re-validating
        self.revalidated = None  # when (monotonic)
        self.announces = 0
        self.missed = False
        self.due = None         # when to send the MAP (re-validation)
        self.last_try = 0.0     # ... and when it went, to send it again


def main():
    count, state_file = int(sys.argv[1]), sys.argv[2]
    b4s = [B4(i) for i in range(count)]
    tx = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    tx.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    # Python under TCG reads slower than a paced pass arrives: the buffers
    # must hold a round (FORCE: past rmem_max; we are root), and what they
    # still drop is counted (SO_RXQ_OVFL) rather than passed off as lost.
    rx = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_IPIP)
    rx.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 1 << 24)
    rx.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)
    rx.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
    udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 1 << 24)
    udp.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)
    udp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
    udp.setsockopt(socket.IPPROTO_IPV6, IPV6_FREEBIND, 1)
    udp.bind(("::", CLIENT))
    stats = {"wrong_transport": 0, "strays": 0}
    ovfl = {rx: 0, udp: 0}     # each socket's drop count, as last told
    first_announce = None

    def send_map(b):
        if b.softwire:
            msg = pcp_map(b"\0" * 10 + b"\xff\xff" + socket.inet_aton(B4CTRL),
                          b.nonce)
            tx.sendto(outer(b.addr.packed, inner(msg)), (AFTR_LOCAL, 0))
        else:
            msg = pcp_map(b.addr.packed, b.nonce)
            info = struct.pack("16sI", b.addr.packed, 0)
            udp.sendmsg([msg], [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO,
                                 info)], 0, (LISTEN6, SERVER))

    def handle(b, softwire, p):
        nonlocal first_announce
        r = parse_response(p)
        if r is None or b is None:
            stats["strays"] += 1
            return
        op, result, epoch = r
        if softwire != b.softwire:
            stats["wrong_transport"] += 1
            return
        now = time.monotonic()
        if op == OP_MAP and result == 0:
            if b.lost and b.revalidated is None:
                b.revalidated = now
            b.mapped, b.epoch, b.epoch_at, b.lost = True, epoch, now, False
        elif op == OP_ANNOUNCE:
            b.announces += 1
            if first_announce is None:
                first_announce = time.monotonic()
            if b.deaf and not b.missed:
                b.missed = True         # this one was "lost"
                return
            # RFC 6887 8.5: the server's epoch must have advanced about as
            # far as our clock did since the last answer (7/8, 2 s slack)
            lost = b.epoch is not None and \
                epoch + 2 < b.epoch + (now - b.epoch_at) * 7 / 8
            if lost and not b.lost:
                b.lost = True
                b.due = time.monotonic() + random.uniform(0, 5)

    def receive(timeout):
        for s in select.select([rx, udp], [], [], timeout)[0]:
            while True:
                try:
                    data, anc, _, _ = s.recvmsg(2048, 64, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                dst = None
                for lvl, typ, val in anc:
                    if lvl == socket.IPPROTO_IPV6 and typ == socket.IPV6_PKTINFO:
                        dst = ipaddress.IPv6Address(val[:16])
                    elif lvl == socket.SOL_SOCKET and typ == SO_RXQ_OVFL:
                        ovfl[s] = struct.unpack("I", val[:4])[0]
                i = b4_index(dst) if dst is not None else None
                b = b4s[i] if i is not None and i < count else None
                if s is rx:
                    # IPv4 header, UDP 5351 -> 5350, PCP
                    if len(data) < 28 or data[9] != 17:
                        stats["strays"] += 1
                        continue
                    ihl = (data[0] & 15) * 4
                    handle(b, True, data[ihl + 8:])
                else:
                    handle(b, False, data)

    # ---- every B4 gets its set ----
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        todo = [b for b in b4s if not b.mapped]
        if not todo:
            break
        for k, b in enumerate(todo):
            send_map(b)
            if k % 64 == 63:
                receive(0.005)
        end = time.monotonic() + 3
        while time.monotonic() < end and any(not b.mapped for b in b4s):
            receive(0.2)
    mapped = sum(b.mapped for b in b4s)
    print("mapped %d" % mapped, flush=True)
    if mapped != count:
        return 1

    # ---- the takeover: ANNOUNCEs, re-validations ----
    deadline = time.monotonic() + 120
    done_at = None
    while time.monotonic() < (done_at or deadline):
        now = time.monotonic()
        for b in b4s:
            # the random wait over, or a re-validation unanswered for 3 s
            if (b.due is not None and b.due <= now) or \
                    (b.lost and b.due is None and b.last_try + 3 <= now):
                b.due, b.last_try = None, now
                send_map(b)
        receive(0.05)
        if done_at is None and all(b.revalidated for b in b4s):
            done_at = time.monotonic() + 3
    last = max((b.revalidated or 0) for b in b4s)
    out = {
        "b4s": count,
        "revalidated": sum(1 for b in b4s if b.revalidated),
        "revalidated_softwire": sum(1 for b in b4s if b.revalidated and b.softwire),
        "revalidated_ipv6": sum(1 for b in b4s if b.revalidated and not b.softwire),
        "deaf": sum(1 for b in b4s if b.deaf),
        "deaf_revalidated": sum(1 for b in b4s if b.deaf and b.revalidated),
        "deaf_min_announces": min((b.announces for b in b4s if b.deaf), default=0),
        "announces": sum(b.announces for b in b4s),
        "never_announced": sum(1 for b in b4s if not b.announces),
        "seconds": round(last - first_announce, 2) if first_announce and last else None,
    }
    out.update(stats)
    out["socket_drops"] = ovfl[rx] + ovfl[udp]
    with open(state_file + ".tmp", "w") as f:
        json.dump(out, f)
    os.rename(state_file + ".tmp", state_file)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
