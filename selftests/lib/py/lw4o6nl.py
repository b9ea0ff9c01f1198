# SPDX-License-Identifier: GPL-2.0
"""A small raw netlink client for the lw4o6 tests.

Deliberately independent of the lw4o6 CLI: it builds messages byte by byte
so tests can also send what the CLI never would (truncated, oversized,
unknown or hostile attributes).  Constants mirror include/uapi/linux/lw4o6.h,
which is parsed at import time so the two cannot drift.
"""
import errno
import os
import re
import select
import socket
import struct
import time

# This file is selftests/lib/py/lw4o6nl.py: the tree is three folders up.
TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
UAPI = os.path.join(TOP, "include", "uapi", "linux", "lw4o6.h")


def _enums(path):
    """Return {NAME: value} for every enum member in the uapi header."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    out = {}
    for body in re.findall(r"enum\s*\w*\s*{(.*?)}", text, flags=re.S):
        val = -1
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                name, expr = [x.strip() for x in item.split("=", 1)]
                val = eval(expr, {}, dict(out))
            else:
                name, val = item, val + 1
            out[name] = val
    return out


C = _enums(UAPI)
NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK = 1, 2, 4
NLM_F_DUMP = 0x300
NLM_F_CREATE, NLM_F_EXCL = 0x400, 0x200
NLM_F_DUMP_INTR = 0x10
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_NESTED = 0x8000
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_EXT_ACK = 11
NETLINK_CAP_ACK = 10
NLMSGERR_ATTR_MSG = 1
GENL_ID_CTRL = 16
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_MCAST_GROUPS = 1, 2, 7
RTM_NEWLINK, RTM_DELLINK = 16, 17
IFLA_IFNAME, IFLA_LINKINFO = 3, 18
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2


def nla(atype, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, atype) + payload + b"\0" * ((4 - n % 4) % 4)


def nest(atype, *attrs):
    return nla(atype | NLA_F_NESTED, b"".join(attrs))


def u8(t, v): return nla(t, struct.pack("=B", v))
def u16(t, v): return nla(t, struct.pack("=H", v))
def u32(t, v): return nla(t, struct.pack("=I", v))
def be32(t, v): return nla(t, struct.pack("!I", v))
def string(t, s): return nla(t, s.encode() + b"\0")
def in6(t, a): return nla(t, socket.inet_pton(socket.AF_INET6, a))
def in4(t, a): return nla(t, socket.inet_aton(a))


def parse_attrs(data):
    out = {}
    while len(data) >= 4:
        n, t = struct.unpack_from("=HH", data)
        if n < 4:
            break
        out.setdefault(t & 0x3fff, data[4:n])
        data = data[(n + 3) & ~3:]
    return out


def binding(ipv4, psid, psid_len, b4=None, offset=None, br=None):
    a = [in4(C["LW4O6_BA_IPV4"], ipv4), u16(C["LW4O6_BA_PSID"], psid),
         u8(C["LW4O6_BA_PSID_LEN"], psid_len)]
    if offset is not None:
        a.append(u8(C["LW4O6_BA_OFFSET"], offset))
    if b4:
        a.append(in6(C["LW4O6_BA_B4"], b4))
    if br:
        a.append(in6(C["LW4O6_BA_BR"], br))
    return nest(C["LW4O6_A_BINDING"], *a)


class NlError(Exception):
    def __init__(self, err, msg):
        super().__init__("%s (%s)" % (errno.errorcode.get(err, err), msg))
        self.errno = err
        self.msg = msg


class Sock:
    def __init__(self, proto=NETLINK_GENERIC):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.s.bind((0, 0))
        self.seq = 1
        self.family = None
        self.mcgrps = {}

    def close(self):
        self.s.close()

    def send_raw(self, mtype, flags, payload):
        self.seq += 1
        hdr = struct.pack("=IHHII", 16 + len(payload), mtype, flags, self.seq, 0)
        self.s.send(hdr + payload)
        return self.seq

    def recv_full(self):
        """[(type, flags, seq, nlmsg_pid, payload)] of one datagram."""
        data = self.s.recv(1 << 20)
        msgs = []
        while len(data) >= 16:
            n, t, f, seq, pid = struct.unpack_from("=IHHII", data)
            msgs.append((t, f, seq, pid, data[16:n]))
            data = data[(n + 3) & ~3:]
        return msgs

    def recv_msgs(self):
        return [(t, f, seq, body) for t, f, seq, _, body in self.recv_full()]

    def portid(self):
        """The port id the kernel bound this socket to: the nlmsg_pid of
        what its requests cause."""
        return self.s.getsockname()[0]

    def events(self, want=1, timeout=3.0):
        """Up to `want` multicast messages of our family, waiting at most
        `timeout` seconds: [(genl cmd, nlmsg_pid, {attr: payload})]."""
        out, end = [], time.monotonic() + timeout
        while len(out) < want:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                break
            for t, _, _, pid, body in self.recv_full():
                if t == self.family:
                    out.append((body[0], pid, parse_attrs(body[4:])))
        return out

    def _error(self, body):
        err = -struct.unpack_from("=i", body)[0]
        msg = ""
        if err:
            # nlmsgerr: error + the request's header (and payload unless capped)
            olen = struct.unpack_from("=I", body, 4)[0]
            off = 4 + (olen if olen >= 16 else 16)
            off = (off + 3) & ~3
            tlv = parse_attrs(body[off:]) if off < len(body) else {}
            if NLMSGERR_ATTR_MSG in tlv:
                msg = tlv[NLMSGERR_ATTR_MSG].rstrip(b"\0").decode()
        return err, msg

    def request(self, mtype, payload, flags=0):
        """Send; return reply payloads; raise NlError on an error ack."""
        seq = self.send_raw(mtype, NLM_F_REQUEST | NLM_F_ACK | flags, payload)
        replies = []
        while True:
            for t, f, s, body in self.recv_msgs():
                if s != seq:
                    continue
                if t == NLMSG_ERROR:
                    err, msg = self._error(body)
                    if err:
                        raise NlError(err, msg)
                    return replies
                if t == NLMSG_DONE:
                    return replies
                replies.append((f, body))

    def dump(self, mtype, payload):
        seq = self.send_raw(mtype, NLM_F_REQUEST | NLM_F_DUMP, payload)
        out, intr = [], False
        while True:
            for t, f, s, body in self.recv_msgs():
                if s != seq:
                    continue
                if f & NLM_F_DUMP_INTR:
                    intr = True
                if t == NLMSG_DONE:
                    return out, intr
                if t == NLMSG_ERROR:
                    err, msg = self._error(body)
                    raise NlError(err, msg)
                out.append(body)

    # ---- generic netlink ----
    def resolve(self, name="lw4o6"):
        r = self.request(GENL_ID_CTRL, struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0)
                         + string(CTRL_ATTR_FAMILY_NAME, name))
        attrs = parse_attrs(r[0][1][4:])
        self.family = struct.unpack("=H", attrs[CTRL_ATTR_FAMILY_ID])[0]
        groups = attrs.get(CTRL_ATTR_MCAST_GROUPS, b"")
        for g in parse_attrs(groups).values():
            ga = parse_attrs(g)
            self.mcgrps[ga[1].rstrip(b"\0").decode()] = struct.unpack("=I", ga[2])[0]
        return self.family

    def genl(self, cmd, *attrs, flags=0):
        return self.request(self.family, struct.pack("=BBH", cmd, 1, 0) + b"".join(attrs), flags)

    def genl_dump(self, cmd, *attrs):
        return self.dump(self.family, struct.pack("=BBH", cmd, 1, 0) + b"".join(attrs))

    def cmd(self, name, *attrs, **kw):
        return self.genl(C["LW4O6_CMD_" + name], *attrs, **kw)

    def join(self, group="events"):
        self.s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, self.mcgrps[group])


def genl_sock():
    s = Sock()
    s.resolve()
    return s


def link_add(name, local="2001:db8::1", mode=None, extra=(), index=0):
    """Create an lw4o6 device with rtnetlink, without the CLI (with the
    interface index `index` when not 0)."""
    r = Sock(socket.NETLINK_ROUTE)
    ifinfo = struct.pack("=BxHiII", 0, 0, index, 0, 0)
    data = []
    if mode is not False:
        data.append(u8(C["IFLA_LW4O6_MODE"], C["LW4O6_MODE_AFTR"] if mode is None else mode))
    if local:
        data.append(in6(C["IFLA_LW4O6_LOCAL"], local))
    data.extend(extra)
    li = nest(IFLA_LINKINFO, string(IFLA_INFO_KIND, "lw4o6"), nest(IFLA_INFO_DATA, *data))
    try:
        r.request(RTM_NEWLINK, ifinfo + string(IFLA_IFNAME, name) + li,
                  NLM_F_CREATE | NLM_F_EXCL)
    finally:
        r.close()


def dev_attrs(s, dev):
    r = s.cmd("DEV_GET", string(C["LW4O6_A_IFNAME"], dev))
    return parse_attrs(r[0][1][4:])


def dev_options(s, dev):
    """{'local','icmp_source','hairpin','icmp4','icmp6','rate'} of a device."""
    a = dev_attrs(s, dev)
    ip6 = lambda k: socket.inet_ntop(socket.AF_INET6, a[C[k]]) if C[k] in a else None  # noqa: E731
    return {"local": ip6("LW4O6_A_LOCAL"), "icmp_source": ip6("LW4O6_A_ICMP_SOURCE"),
            "hairpin": a[C["LW4O6_A_HAIRPIN"]][0], "icmp4": a[C["LW4O6_A_ICMP4_ERRORS"]][0],
            "icmp6": a[C["LW4O6_A_ICMP6_ERRORS"]][0],
            "rate": struct.unpack("=I", a[C["LW4O6_A_ICMP_RATE"]])[0]}


def dev_count(s, dev):
    r = s.cmd("DEV_GET", string(C["LW4O6_A_IFNAME"], dev))
    a = parse_attrs(r[0][1][4:])
    return struct.unpack("=I", a[C["LW4O6_A_BINDING_COUNT"]])[0]


def dump_bindings(s, dev):
    """[(ipv4, psid, psid_len, b4)] and whether the dump was interrupted."""
    msgs, intr = s.genl_dump(C["LW4O6_CMD_BIND_GET"], string(C["LW4O6_A_IFNAME"], dev))
    out = []
    for body in msgs:
        a = parse_attrs(body[4:])
        b = parse_attrs(a[C["LW4O6_A_BINDING"]])
        out.append((socket.inet_ntoa(b[C["LW4O6_BA_IPV4"]]),
                    struct.unpack("=H", b[C["LW4O6_BA_PSID"]])[0],
                    b[C["LW4O6_BA_PSID_LEN"]][0],
                    socket.inet_ntop(socket.AF_INET6, b[C["LW4O6_BA_B4"]])))
    return out, intr
