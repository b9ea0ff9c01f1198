# SPDX-License-Identifier: GPL-2.0
"""A scriptable DHCPv4-over-DHCPv6 client (RFC 7341, 7618, 8539, 7598) for
the VM tests: one exchange per run, the result as one JSON line on stdout.

  dhcp4o6_client.py [COMMON] info-request
  dhcp4o6_client.py [COMMON] dora [--ports] [--saddr IPV6] [--discover-only]
  dhcp4o6_client.py [COMMON] renew|rebind|release|decline|init-reboot \
        --ciaddr IPV4 [--server-id IPV4] [--ports] [--saddr IPV6]
  dhcp4o6_client.py [COMMON] raw CASE...

COMMON: --iface IF (the uplink; needed for multicast and link-local),
  --src IPV6 (source address, default: the kernel's choice), --sport N
  (default 546; 547 with --relay), --server IPV6 (default ff02::1:2),
  --mac MAC (chaddr, default 02:00:00:00:00:01), --client-id HEX (option 61,
  default 01+MAC; "none" for no option 61), --duid HEX (DHCPv6 client id,
  default DUID-LL of MAC), --timeout S (per try, default 2), --tries N
  (default 1), --relay N (wrap the query in N RELAY-FORW, as a relay would;
  sent from port 547), --link IPV6 and --peer IPV6 (the relay's
  link-address and peer-address, default :: and --src), --interface-id STR
  (INTERFACE_ID in every RELAY-FORW), --xid N.

Output (one JSON object):
  info-request: {"reply": true, "servers": [..] or null (no option 88),
                 "lw": {"br": [..], "ipv4", "prefix", "offset", "psid_len",
                 "psid"} or null, "aftr_name", "server": IPV6}
  dora and the rest: {"msg": "ACK"|"NAK"|"OFFER"|null, "yiaddr",
                 "server_id", "lease_time", "t1", "t2", "offset", "psid_len",
                 "psid" (null: no option 159), "flags" (the response's),
                 "server": the IPv6 source of the answer}
  Exit: 0 ACK (OFFER with --discover-only; the reply for info-request; the
  silence expected after release and decline), 1 NAK, 2 no answer,
  3 a malformed answer (also printed, with "error").

raw CASE...: each CASE is sent in turn, waiting --timeout for answers; one
line per case: "NAME silent" or "NAME reply TYPE [v4=MSG yiaddr=..]".
Cases: hex:HEX (the UDP payload as given), v6-short, v6-trunc-opt,
  v6-opt-overrun (option length past the end inside 87's message), v6-zero-opts
  (1000 empty options), v6-unknown-type, opt87-empty, opt87-garbage,
  bootp-short:N (DISCOVER cut to N bytes), v4-no-magic, v4-opt-trunc,
  v4-overload-loop (option 52 in file and sname pointing to each other),
  v4-no-end, two-87, saddr:IPV6 (a DISCOVER whose 109 names IPV6),
  relay:N (a DISCOVER wrapped in N RELAY-FORW), relay-trunc (a RELAY-FORW
  whose option 9 is cut), discover (a plain valid DISCOVER),
  flood:N (N DISCOVERs with different xids, chaddr and client-id, counted
  answers: "flood:N replies=M").
Exit 0 when every case ran.
"""
import argparse
import ipaddress
import json
import os
import random
import select
import socket
import struct
import sys
import time

# ---- DHCPv6 (RFC 8415, 7341, 7598) -----------------------------------------
V6_INFO_REQUEST, V6_REPLY = 11, 7
V6_RELAY_FORW, V6_RELAY_REPL = 12, 13
V6_DHCPV4_QUERY, V6_DHCPV4_RESPONSE = 20, 21
O6_CLIENTID, O6_SERVERID, O6_ORO, O6_ELAPSED = 1, 2, 6, 8
O6_RELAY_MSG, O6_INTERFACE_ID = 9, 18
O6_AFTR_NAME = 64
O6_DHCPV4_MSG, O6_4O6_SERVER = 87, 88
O6_S46_BR, O6_S46_V4V6BIND, O6_S46_PORTPARAMS, O6_S46_CONT_LW = 90, 92, 93, 96
U_FLAG = 0x800000
ALL_SERVERS = "ff02::1:2"

# ---- DHCPv4 (RFC 2131, 2132, 7618, 8539) -----------------------------------
DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE = 1, 2, 3, 4, 5, 6, 7
V4_NAMES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK",
            6: "NAK", 7: "RELEASE", 8: "INFORM"}
O4_REQADDR, O4_LEASE, O4_OVERLOAD, O4_MSGTYPE, O4_SERVERID = 50, 51, 52, 53, 54
O4_PRL, O4_T1, O4_T2, O4_CLIENTID = 55, 58, 59, 61
O4_S46_SADDR, O4_V4_PORTPARAMS = 109, 159
MAGIC = 0x63825363


def opt6(code, data):
    return struct.pack("!HH", code, len(data)) + data


def v6msg(mtype, word24, opts):
    """A client/server message: type, 3 bytes (transaction id or flags)."""
    return struct.pack("!I", (mtype << 24) | (word24 & 0xffffff)) + b"".join(opts)


def relay_forw(inner, hops, link, peer, ifid=None):
    opts = [opt6(O6_RELAY_MSG, inner)]
    if ifid is not None:
        opts.insert(0, opt6(O6_INTERFACE_ID, ifid))
    return (struct.pack("!BB", V6_RELAY_FORW, hops) + ipaddress.IPv6Address(link).packed +
            ipaddress.IPv6Address(peer).packed + b"".join(opts))


def parse_opts6(b):
    """[(code, data)] of a DHCPv6 option area; ValueError when it overruns."""
    out, i = [], 0
    while i < len(b):
        if i + 4 > len(b):
            raise ValueError("option header cut at %d" % i)
        code, ln = struct.unpack_from("!HH", b, i)
        if i + 4 + ln > len(b):
            raise ValueError("option %d length %d past the end" % (code, ln))
        out.append((code, b[i + 4:i + 4 + ln]))
        i += 4 + ln
    return out


def unwrap(b):
    """A message without its RELAY-REPL layers: (type, word24, options)."""
    while b and b[0] in (V6_RELAY_FORW, V6_RELAY_REPL):
        if len(b) < 34:
            raise ValueError("relay message cut")
        inner = [d for c, d in parse_opts6(b[34:]) if c == O6_RELAY_MSG]
        if len(inner) != 1:
            raise ValueError("relay message without one RELAY_MSG")
        b = inner[0]
    if len(b) < 4:
        raise ValueError("message shorter than 4 bytes")
    w = struct.unpack_from("!I", b)[0]
    return w >> 24, w & 0xffffff, parse_opts6(b[4:])


def parse_cont_lw(b):
    """S46_CONT_LW's content (RFC 7598 section 4.5)."""
    lw = {"br": [], "ipv4": None, "prefix": None, "offset": None,
          "psid_len": None, "psid": None}
    for c, d in parse_opts6(b):
        if c == O6_S46_BR:
            if len(d) != 16:
                raise ValueError("S46_BR length %d" % len(d))
            lw["br"].append(str(ipaddress.IPv6Address(d)))
        elif c == O6_S46_V4V6BIND:
            if len(d) < 5:
                raise ValueError("S46_V4V6BIND length %d" % len(d))
            plen = d[4]
            n = (plen + 7) // 8
            if plen > 128 or len(d) < 5 + n:
                raise ValueError("S46_V4V6BIND prefix %d cut" % plen)
            lw["ipv4"] = str(ipaddress.IPv4Address(d[:4]))
            pfx = d[5:5 + n] + bytes(16 - n)
            lw["prefix"] = "%s/%d" % (ipaddress.IPv6Address(pfx), plen)
            for sc, sd in parse_opts6(d[5 + n:]):
                if sc == O6_S46_PORTPARAMS:
                    if len(sd) != 4:
                        raise ValueError("S46_PORTPARAMS length %d" % len(sd))
                    lw["offset"], lw["psid_len"], raw = struct.unpack("!BBH", sd)
                    lw["psid"] = raw >> (16 - lw["psid_len"]) if lw["psid_len"] else 0
    return lw


# ---- DHCPv4 building and parsing ------------------------------------------
def opt4(code, data):
    return bytes([code, len(data)]) + data


def bootp(op, xid, chaddr, ciaddr="0.0.0.0", opts=(), flags=0, end=True,
          sname=b"", file=b""):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128sI", op, 1, 6, 0, xid, 0, flags,
                      ipaddress.IPv4Address(ciaddr).packed, bytes(4), bytes(4),
                      bytes(4), chaddr, sname, file, MAGIC)
    return hdr + b"".join(opts) + (b"\xff" if end else b"")


def parse_bootp(b):
    """A DHCPv4 message's fields and options; ValueError when malformed."""
    if len(b) < 240:
        raise ValueError("BOOTP message of %d bytes" % len(b))
    (op, _, _, _, xid, _, flags, ciaddr, yiaddr, _, _, chaddr, _, _,
     magic) = struct.unpack_from("!BBBBIHH4s4s4s4s16s64s128sI", b)
    if magic != MAGIC:
        raise ValueError("no magic cookie")
    opts, i = {}, 240
    while i < len(b):
        c = b[i]
        if c == 255:
            break
        if c == 0:
            i += 1
            continue
        if i + 2 > len(b) or i + 2 + b[i + 1] > len(b):
            raise ValueError("option %d cut" % c)
        opts[c] = opts.get(c, b"") + b[i + 2:i + 2 + b[i + 1]]
        i += 2 + b[i + 1]
    else:
        raise ValueError("no end option")
    return {"op": op, "xid": xid, "flags": flags, "chaddr": chaddr[:6],
            "ciaddr": str(ipaddress.IPv4Address(ciaddr)),
            "yiaddr": str(ipaddress.IPv4Address(yiaddr)), "opts": opts}


def u32(d):
    return struct.unpack("!I", d)[0] if d is not None and len(d) == 4 else None


def v4_summary(m, server):
    o = m["opts"]
    mt = o.get(O4_MSGTYPE, b"\0")[0]
    r = {"msg": V4_NAMES.get(mt, str(mt)), "yiaddr": m["yiaddr"],
         "server_id": str(ipaddress.IPv4Address(o[O4_SERVERID]))
         if len(o.get(O4_SERVERID, b"")) == 4 else None,
         "lease_time": u32(o.get(O4_LEASE)), "t1": u32(o.get(O4_T1)),
         "t2": u32(o.get(O4_T2)), "offset": None, "psid_len": None,
         "psid": None, "server": server}
    pp = o.get(O4_V4_PORTPARAMS)
    if pp is not None:
        if len(pp) != 4:
            raise ValueError("option 159 length %d" % len(pp))
        r["offset"], r["psid_len"], raw = struct.unpack("!BBH", pp)
        r["psid"] = raw >> (16 - r["psid_len"]) if r["psid_len"] else 0
    return r


# ---- the client -----------------------------------------------------------
class Client:
    def __init__(self, a):
        self.a = a
        self.mac = bytes.fromhex(a.mac.replace(":", ""))
        self.chaddr = self.mac + bytes(10)
        if a.client_id == "none":
            self.cid = None
        elif a.client_id:
            self.cid = bytes.fromhex(a.client_id)
        else:
            self.cid = b"\x01" + self.mac
        self.duid = bytes.fromhex(a.duid) if a.duid else b"\x00\x03\x00\x01" + self.mac
        self.xid = a.xid if a.xid is not None else random.getrandbits(32)
        self.sport = a.sport or (547 if a.relay else 546)
        self.ifindex = socket.if_nametoindex(a.iface) if a.iface else 0
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.ifindex:
            self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF,
                                 self.ifindex)
        src = a.src or "::"
        scope = self.ifindex if ipaddress.IPv6Address(src).is_link_local else 0
        self.sock.bind((src, self.sport, 0, scope))
        dst = ipaddress.IPv6Address(a.server)
        self.dst = (a.server, 547, 0,
                    self.ifindex if dst.is_link_local or dst.is_multicast else 0)

    def wrap(self, payload, levels=None):
        levels = self.a.relay if levels is None else levels
        ifid = self.a.interface_id.encode() if self.a.interface_id else None
        peer = self.a.peer or self.a.src or "::"
        for hop in range(levels):
            payload = relay_forw(payload, hop, self.a.link, peer, ifid)
        return payload

    def send(self, payload):
        self.sock.sendto(payload, self.dst)

    def recv_all(self, timeout):
        """Every datagram until timeout passes: [(bytes, ipv6 source)]."""
        out, end = [], time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return out
            r, _, _ = select.select([self.sock], [], [], left)
            if r:
                b, addr = self.sock.recvfrom(65535)
                out.append((b, addr[0].split("%")[0]))

    def exchange(self, payload, match):
        """Send payload (wrapped) up to --tries times; the first reply that
        match(type, word24, opts) accepts: (type, word24, opts, src)."""
        for _ in range(self.a.tries):
            self.send(self.wrap(payload))
            end = time.monotonic() + self.a.timeout
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    break
                r, _, _ = select.select([self.sock], [], [], left)
                if not r:
                    break
                b, addr = self.sock.recvfrom(65535)
                t, w, opts = unwrap(b)
                if match(t, w, opts):
                    return t, w, opts, addr[0].split("%")[0]
        return None

    # DHCPv6 information-request
    def info_request(self):
        txid = self.xid & 0xffffff
        oro = struct.pack("!4H", O6_4O6_SERVER, O6_S46_CONT_LW, O6_S46_BR, O6_AFTR_NAME)
        msg = v6msg(V6_INFO_REQUEST, txid, [opt6(O6_CLIENTID, self.duid),
                                            opt6(O6_ORO, oro),
                                            opt6(O6_ELAPSED, b"\0\0")])
        r = self.exchange(msg, lambda t, w, o: t == V6_REPLY and w == txid)
        if r is None:
            return 2, {"reply": False}
        _, _, opts, src = r
        out = {"reply": True, "servers": None, "lw": None, "aftr_name": None,
               "server": src}
        for c, d in opts:
            if c == O6_4O6_SERVER:
                if len(d) % 16:
                    raise ValueError("option 88 length %d" % len(d))
                out["servers"] = [str(ipaddress.IPv6Address(d[i:i + 16]))
                                  for i in range(0, len(d), 16)]
            elif c == O6_S46_CONT_LW:
                out["lw"] = parse_cont_lw(d)
            elif c == O6_AFTR_NAME:
                labels, i = [], 0
                while i < len(d) and d[i]:
                    labels.append(d[i + 1:i + 1 + d[i]].decode())
                    i += 1 + d[i]
                out["aftr_name"] = ".".join(labels)
        return 0, out

    # DHCPv4 inside DHCPV4-QUERY
    def v4opts(self, mtype, reqaddr=None, server_id=None, prl=True):
        o = [opt4(O4_MSGTYPE, bytes([mtype]))]
        if self.cid is not None:
            o.append(opt4(O4_CLIENTID, self.cid))
        if reqaddr:
            o.append(opt4(O4_REQADDR, ipaddress.IPv4Address(reqaddr).packed))
        if server_id:
            o.append(opt4(O4_SERVERID, ipaddress.IPv4Address(server_id).packed))
        if self.a.saddr:
            o.append(opt4(O4_S46_SADDR, ipaddress.IPv6Address(self.a.saddr).packed))
        if prl:
            p = [1, 3, O4_LEASE, O4_T1, O4_T2]
            if self.a.ports:
                p.append(O4_V4_PORTPARAMS)
            o.append(opt4(O4_PRL, bytes(p)))
        return o

    def query(self, v4, uflag):
        return v6msg(V6_DHCPV4_QUERY, U_FLAG if uflag else 0,
                     [opt6(O6_DHCPV4_MSG, v4)])

    def v4_exchange(self, v4, uflag, expect_reply=True):
        xid = struct.unpack_from("!I", v4, 4)[0]

        def match(t, w, opts):
            if t != V6_DHCPV4_RESPONSE:
                return False
            m = [d for c, d in opts if c == O6_DHCPV4_MSG]
            return len(m) == 1 and len(m[0]) >= 8 and \
                struct.unpack_from("!I", m[0], 4)[0] == xid
        if not expect_reply:
            self.send(self.wrap(self.query(v4, uflag)))
            extra = self.recv_all(self.a.timeout)
            return None, [b for b, _ in extra]
        r = self.exchange(self.query(v4, uflag), match)
        if r is None:
            return None, None
        t, w, opts, src = r
        m = parse_bootp([d for c, d in opts if c == O6_DHCPV4_MSG][0])
        s = v4_summary(m, src)
        s["flags"] = w
        return s, m

    def dora(self):
        disc = bootp(1, self.xid, self.chaddr, opts=self.v4opts(DISCOVER))
        offer, _ = self.v4_exchange(disc, False)
        if offer is None:
            return 2, {"msg": None, "stage": "DISCOVER"}
        if offer["msg"] != "OFFER":
            return 3, dict(offer, error="answer to DISCOVER is not an OFFER")
        if self.a.discover_only:
            return 0, offer
        req = bootp(1, self.xid, self.chaddr,
                    opts=self.v4opts(REQUEST, offer["yiaddr"], offer["server_id"]))
        ack, _ = self.v4_exchange(req, False)
        if ack is None:
            return 2, {"msg": None, "stage": "REQUEST", "offer": offer}
        return {"ACK": 0, "NAK": 1}.get(ack["msg"], 3), ack

    def simple(self, cmd):
        a = self.a
        if cmd in ("renew", "rebind"):
            # RFC 2131 4.3.2: ciaddr filled, no 50 and no 54; RFC 7341: U
            # set for RENEWING only.
            v4 = bootp(1, self.xid, self.chaddr, a.ciaddr, self.v4opts(REQUEST))
            uflag = cmd == "renew"
        elif cmd == "init-reboot":
            v4 = bootp(1, self.xid, self.chaddr,
                       opts=self.v4opts(REQUEST, reqaddr=a.ciaddr))
            uflag = False
        elif cmd == "release":
            v4 = bootp(1, self.xid, self.chaddr, a.ciaddr,
                       self.v4opts(RELEASE, server_id=a.server_id, prl=False))
            uflag = True
        else:  # decline
            v4 = bootp(1, self.xid, self.chaddr,
                       opts=self.v4opts(DECLINE, reqaddr=a.ciaddr,
                                        server_id=a.server_id, prl=False))
            uflag = False
        if cmd in ("release", "decline"):
            _, extra = self.v4_exchange(v4, uflag, expect_reply=False)
            return (0 if not extra else 3), {"msg": None, "answers": len(extra)}
        r, _ = self.v4_exchange(v4, uflag)
        if r is None:
            return 2, {"msg": None}
        return {"ACK": 0, "NAK": 1}.get(r["msg"], 3), r

    # ---- bad input ----
    def discover(self, xid=None, chaddr=None, cid=None, saddr=None):
        o = [opt4(O4_MSGTYPE, bytes([DISCOVER]))]
        cid = self.cid if cid is None else cid
        if cid:
            o.append(opt4(O4_CLIENTID, cid))
        if saddr or self.a.saddr:
            o.append(opt4(O4_S46_SADDR, ipaddress.IPv6Address(saddr or self.a.saddr).packed))
        o.append(opt4(O4_PRL, bytes([1, 3, O4_LEASE, O4_V4_PORTPARAMS])))
        return bootp(1, self.xid if xid is None else xid, chaddr or self.chaddr, opts=o)

    def case_payload(self, case):
        """The UDP payload of one raw case (not wrapped by --relay)."""
        rnd = random.Random(case)
        q = lambda v4, extra=b"": self.query(v4, False) + extra
        if case.startswith("hex:"):
            return bytes.fromhex(case[4:])
        if case == "discover":
            return q(self.discover())
        if case == "v6-short":
            return bytes([V6_DHCPV4_QUERY, 0])
        if case == "v6-trunc-opt":
            return v6msg(V6_DHCPV4_QUERY, 0, []) + struct.pack("!HH", O6_DHCPV4_MSG, 300) + \
                self.discover()[:40]
        if case == "v6-opt-overrun":
            d = self.discover()
            return v6msg(V6_DHCPV4_QUERY, 0, []) + struct.pack("!HH", O6_DHCPV4_MSG, len(d) + 1) + d
        if case == "v6-zero-opts":
            return v6msg(V6_DHCPV4_QUERY, 0, [opt6(O6_ELAPSED, b"")] * 1000 +
                         [opt6(O6_DHCPV4_MSG, self.discover())])
        if case == "v6-unknown-type":
            return v6msg(250, 0, [opt6(O6_DHCPV4_MSG, self.discover())])
        if case == "opt87-empty":
            return v6msg(V6_DHCPV4_QUERY, 0, [opt6(O6_DHCPV4_MSG, b"")])
        if case == "opt87-garbage":
            return v6msg(V6_DHCPV4_QUERY, 0,
                         [opt6(O6_DHCPV4_MSG, bytes(rnd.getrandbits(8) for _ in range(300)))])
        if case.startswith("bootp-short:"):
            return q(self.discover()[:int(case.split(":")[1])])
        if case == "two-87":
            return v6msg(V6_DHCPV4_QUERY, 0, [opt6(O6_DHCPV4_MSG, self.discover()),
                                              opt6(O6_DHCPV4_MSG, self.discover(xid=1))])
        if case == "v4-no-magic":
            d = bytearray(self.discover())
            d[236:240] = b"\0\0\0\0"
            return q(bytes(d))
        if case == "v4-opt-trunc":
            return q(bootp(1, self.xid, self.chaddr, end=False,
                           opts=[opt4(O4_MSGTYPE, bytes([DISCOVER])), bytes([O4_CLIENTID, 200, 1, 2])]))
        if case == "v4-no-end":
            return q(bootp(1, self.xid, self.chaddr, end=False,
                           opts=[opt4(O4_MSGTYPE, bytes([DISCOVER]))]))
        if case == "v4-overload-loop":
            # 52 = 3 (file and sname hold options), each holding 52 again.
            ov = opt4(O4_OVERLOAD, b"\x03")
            return q(bootp(1, self.xid, self.chaddr,
                           opts=[opt4(O4_MSGTYPE, bytes([DISCOVER])), ov],
                           sname=ov + b"\xff", file=ov + b"\xff"))
        if case.startswith("saddr:"):
            return q(self.discover(saddr=case[6:]))
        if case.startswith("relay:"):
            return self.wrap(q(self.discover()), int(case.split(":")[1]))
        if case == "relay-trunc":
            r = self.wrap(q(self.discover()), 1)
            return r[:-20]
        raise SystemExit("unknown case %s" % case)

    def raw(self, cases):
        for case in cases:
            if case.startswith("flood:"):
                n = int(case.split(":")[1])
                for i in range(n):
                    mac = bytes([2, 0xf1, 0, 0, i >> 8, i & 255])
                    self.send(self.wrap(self.query(self.discover(
                        xid=0xf1000000 + i, chaddr=mac + bytes(10), cid=b"\x01" + mac), False)))
                got = self.recv_all(self.a.timeout)
                print("%s replies=%d" % (case, len(got)))
                continue
            self.send(self.wrap(self.case_payload(case)) if self.a.relay
                      else self.case_payload(case))
            got = self.recv_all(self.a.timeout)
            if not got:
                print("%s silent" % case)
                continue
            descr = []
            for b, src in got:
                try:
                    t, w, opts = unwrap(b)
                    d = "type=%d" % t
                    m = [x for c, x in opts if c == O6_DHCPV4_MSG]
                    if m:
                        v = parse_bootp(m[0])
                        d += " v4=%s yiaddr=%s" % (
                            V4_NAMES.get(v["opts"].get(O4_MSGTYPE, b"\0")[0]), v["yiaddr"])
                except ValueError as e:
                    d = "malformed(%s)" % e
                descr.append(d)
            print("%s reply %s" % (case, " | ".join(descr)))
            sys.stdout.flush()
        return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--iface")
    p.add_argument("--src")
    p.add_argument("--sport", type=int)
    p.add_argument("--server", default=ALL_SERVERS)
    p.add_argument("--mac", default="02:00:00:00:00:01")
    p.add_argument("--client-id")
    p.add_argument("--duid")
    p.add_argument("--timeout", type=float, default=2.0)
    p.add_argument("--tries", type=int, default=1)
    p.add_argument("--relay", type=int, default=0)
    p.add_argument("--link", default="::")
    p.add_argument("--peer")
    p.add_argument("--interface-id")
    p.add_argument("--xid", type=lambda s: int(s, 0))
    p.add_argument("--ports", action="store_true", help="ask for option 159")
    p.add_argument("--saddr", help="option 109")
    p.add_argument("--ciaddr")
    p.add_argument("--server-id")
    p.add_argument("--discover-only", action="store_true")
    p.add_argument("cmd", choices=["info-request", "dora", "renew", "rebind",
                                   "init-reboot", "release", "decline", "raw"])
    p.add_argument("cases", nargs="*")
    a = p.parse_args()
    if a.cmd in ("renew", "rebind", "init-reboot", "release", "decline") and not a.ciaddr:
        p.error("%s needs --ciaddr" % a.cmd)
    if a.cmd in ("release", "decline") and not a.server_id:
        p.error("%s needs --server-id" % a.cmd)
    c = Client(a)
    if a.cmd == "raw":
        return c.raw(a.cases)
    try:
        if a.cmd == "info-request":
            rc, out = c.info_request()
        elif a.cmd == "dora":
            rc, out = c.dora()
        else:
            rc, out = c.simple(a.cmd)
    except ValueError as e:
        rc, out = 3, {"error": str(e)}
    print(json.dumps(out, sort_keys=True))
    return rc


if __name__ == "__main__":
    sys.exit(main())
