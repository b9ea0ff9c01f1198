# SPDX-License-Identifier: GPL-2.0
"""Malformed and hostile generic netlink requests against lw4o6.ko.

Every request here must fail with the right errno (and an extack message
where the kernel writes one), change nothing, and not hurt the kernel.
"""
import errno
import os
import random
import socket
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ktap import Ktap  # noqa: E402
import lw4o6nl as nl  # noqa: E402
from lw4o6nl import C, nla, nest, u8, u16, u32, string, in6, in4, binding  # noqa: E402

DEV = sys.argv[1] if len(sys.argv) > 1 else "lw0"
T = Ktap()
s = nl.genl_sock()
IFN = string(C["LW4O6_A_IFNAME"], DEV)


def expect_err(want, fn, msg_part=None):
    try:
        fn()
    except nl.NlError as e:
        assert e.errno == want, "errno %s, want %s (%s)" % (
            errno.errorcode.get(e.errno), errno.errorcode[want], e.msg)
        if msg_part is not None:
            assert msg_part in e.msg, "extack %r lacks %r" % (e.msg, msg_part)
        return
    raise AssertionError("request succeeded")


def add(*a, **kw):
    return s.cmd("BIND_NEW", IFN, binding(*a, **kw))


# A known table to compare against after every hostile request.
add("192.0.2.1", 1, 4, "2001:db8::b1")
add("192.0.2.1", 2, 4, "2001:db8::b2")
add("192.0.2.2", 0, 0, "2001:db8::b3")
BASE = sorted(nl.dump_bindings(s, DEV)[0])


def unchanged():
    got = sorted(nl.dump_bindings(s, DEV)[0])
    assert got == BASE, "table changed: %r" % got


cases = [
    ("no device named", errno.EINVAL,
     lambda: s.cmd("BIND_NEW", binding("192.0.2.9", 0, 0, "2001:db8::9")), "missing device"),
    ("unknown device", errno.ENODEV,
     lambda: s.cmd("BIND_NEW", string(C["LW4O6_A_IFNAME"], "nosuch0"),
                   binding("192.0.2.9", 0, 0, "2001:db8::9")), "no such device"),
    ("not an lw4o6 device", errno.EOPNOTSUPP,
     lambda: s.cmd("BIND_NEW", string(C["LW4O6_A_IFNAME"], "lo"),
                   binding("192.0.2.9", 0, 0, "2001:db8::9")), "not an lw4o6 device"),
    ("binding missing", errno.EINVAL, lambda: s.cmd("BIND_NEW", IFN), None),
    ("b4 missing", errno.EINVAL,
     lambda: s.cmd("BIND_NEW", IFN, binding("192.0.2.9", 0, 0)), None),
    ("b4 of 15 bytes", errno.ERANGE,
     lambda: s.cmd("BIND_NEW", IFN, nest(C["LW4O6_A_BINDING"],
                   in4(C["LW4O6_BA_IPV4"], "192.0.2.9"), u16(C["LW4O6_BA_PSID"], 0),
                   u8(C["LW4O6_BA_PSID_LEN"], 0), nla(C["LW4O6_BA_B4"], b"\x20" * 15))), None),
    ("psid-len 17", errno.ERANGE,
     lambda: add("192.0.2.9", 0, 17, "2001:db8::9"), None),
    ("offset 16", errno.ERANGE,
     lambda: add("192.0.2.9", 0, 0, "2001:db8::9", offset=16), None),
    ("offset + psid-len > 16", errno.EINVAL,
     lambda: add("192.0.2.9", 0, 8, "2001:db8::9", offset=9), "exceeds 16 bits"),
    ("psid beyond psid-len", errno.EINVAL,
     lambda: add("192.0.2.9", 64, 6, "2001:db8::9"), "does not fit"),
    ("duplicate key", errno.EEXIST,
     lambda: add("192.0.2.1", 1, 4, "2001:db8::99"), "exists"),
    ("conflicting psid-len for the address", errno.EINVAL,
     lambda: add("192.0.2.1", 3, 5, "2001:db8::99"), "offset"),
    ("conflicting offset for the address", errno.EINVAL,
     lambda: add("192.0.2.1", 3, 4, "2001:db8::99", offset=2), "offset"),
    ("multicast b4", errno.EINVAL,
     lambda: add("192.0.2.9", 0, 0, "ff02::1"), "unicast"),
    ("read-only counter attribute", errno.EINVAL,
     lambda: s.cmd("BIND_NEW", IFN, nest(C["LW4O6_A_BINDING"],
                   in4(C["LW4O6_BA_IPV4"], "192.0.2.9"), u16(C["LW4O6_BA_PSID"], 0),
                   u8(C["LW4O6_BA_PSID_LEN"], 0), in6(C["LW4O6_BA_B4"], "2001:db8::9"),
                   nla(C["LW4O6_BA_TX_PACKETS"], b"\0" * 8))), None),
    ("unknown top-level attribute", errno.EINVAL,
     lambda: s.cmd("BIND_NEW", IFN, u32(C["__LW4O6_A_MAX"] + 3, 1),
                   binding("192.0.2.9", 0, 0, "2001:db8::9")), None),
    ("unknown flag bit", errno.EINVAL,
     lambda: s.cmd("BIND_NEW", IFN, u32(C["LW4O6_A_FLAGS"], 0x80),
                   binding("192.0.2.9", 0, 0, "2001:db8::9")), None),
    ("ifname without NUL", errno.EINVAL,
     lambda: s.cmd("BIND_NEW", nla(C["LW4O6_A_IFNAME"], DEV.encode()),
                   binding("192.0.2.9", 0, 0, "2001:db8::9")), None),
    ("ifname too long", errno.EINVAL,
     lambda: s.cmd("BIND_NEW", string(C["LW4O6_A_IFNAME"], "x" * 40),
                   binding("192.0.2.9", 0, 0, "2001:db8::9")), None),
    ("truncated attribute", errno.EINVAL,
     lambda: s.genl(C["LW4O6_CMD_BIND_NEW"], IFN, struct.pack("=HH", 40, C["LW4O6_A_BINDING"]) + b"\0" * 4), None),
    ("delete of a missing binding", errno.ENOENT,
     lambda: s.cmd("BIND_DEL", IFN, binding("192.0.2.1", 3, 4)), "no such binding"),
    ("delete with the wrong psid-len", errno.ENOENT,
     lambda: s.cmd("BIND_DEL", IFN, binding("192.0.2.1", 1, 5)), None),
    ("load add without begin", errno.ENOENT,
     lambda: s.cmd("LOAD_ADD", IFN, nest(C["LW4O6_A_BINDINGS"], binding("192.0.2.9", 0, 0, "2001:db8::9"))), "no bulk load"),
    ("commit without begin", errno.ENOENT, lambda: s.cmd("LOAD_COMMIT", IFN), None),
    ("unknown command", errno.EOPNOTSUPP, lambda: s.genl(C["__LW4O6_CMD_MAX"] + 5, IFN), None),
    ("notification command sent as request", errno.EOPNOTSUPP,
     lambda: s.cmd("EVT_BIND_ADD", IFN, binding("192.0.2.9", 0, 0, "2001:db8::9")), None),
]
for desc, err, fn, part in cases:
    T.check("refused: " + desc, lambda: (expect_err(err, fn, part), unchanged()))


def load_bad_middle():
    s.cmd("LOAD_BEGIN", IFN)
    good = [binding("198.51.100.%d" % i, 0, 0, "2001:db8::%x" % (i + 1)) for i in range(1, 50)]
    bad = binding("198.51.100.200", 70, 6, "2001:db8::77")
    msg = nest(C["LW4O6_A_BINDINGS"], *(good[:20] + [bad] + good[20:]))
    expect_err(errno.EINVAL, lambda: s.cmd("LOAD_ADD", IFN, msg), "does not fit")
    # the transaction is gone: nothing can be committed, nothing changed
    expect_err(errno.ENOENT, lambda: s.cmd("LOAD_COMMIT", IFN))
    unchanged()


T.check("bulk load with a bad binding in the middle applies nothing", load_bad_middle)


def load_dup_across_messages():
    s.cmd("LOAD_BEGIN", IFN)
    s.cmd("LOAD_ADD", IFN, nest(C["LW4O6_A_BINDINGS"], binding("198.51.100.1", 0, 0, "2001:db8::1")))
    expect_err(errno.EEXIST, lambda: s.cmd("LOAD_ADD", IFN, nest(C["LW4O6_A_BINDINGS"],
               binding("198.51.100.1", 0, 0, "2001:db8::2"))))
    expect_err(errno.ENOENT, lambda: s.cmd("LOAD_COMMIT", IFN))
    unchanged()


T.check("bulk load duplicate across messages applies nothing", load_dup_across_messages)


def load_two_owners():
    other = nl.genl_sock()
    s.cmd("LOAD_BEGIN", IFN)
    expect_err(errno.EBUSY, lambda: other.cmd("LOAD_BEGIN", IFN), "already open")
    # a stranger cannot add to, commit or abort our transaction
    expect_err(errno.ENOENT, lambda: other.cmd("LOAD_COMMIT", IFN))
    expect_err(errno.ENOENT, lambda: other.cmd("LOAD_ABORT", IFN))
    s.cmd("LOAD_ABORT", IFN)
    other.cmd("LOAD_BEGIN", IFN)
    other.close()          # closing the socket drops its transaction
    s.cmd("LOAD_BEGIN", IFN)
    s.cmd("LOAD_ABORT", IFN)
    unchanged()


T.check("one bulk load per device; owned by its socket; dies with it", load_two_owners)


def bfd_change(peer="2001:db8::b1", state=3, old=1, diag=0, omit=()):
    """BFD_NOTIFY's attributes (RFC 5880 states: 0 AdminDown .. 3 Up)."""
    a = {"LW4O6_A_BFD_PEER": in6(C["LW4O6_A_BFD_PEER"], peer),
         "LW4O6_A_BFD_STATE": u8(C["LW4O6_A_BFD_STATE"], state),
         "LW4O6_A_BFD_OLD_STATE": u8(C["LW4O6_A_BFD_OLD_STATE"], old),
         "LW4O6_A_BFD_DIAG": u8(C["LW4O6_A_BFD_DIAG"], diag)}
    return [v for k, v in a.items() if k not in omit]


def unprivileged():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        res = []
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            u = nl.genl_sock()
            for name, attrs in (("BIND_NEW", [IFN, binding("192.0.2.9", 0, 0, "2001:db8::9")]),
                                ("BIND_FLUSH", [IFN]), ("LOAD_BEGIN", [IFN]),
                                ("BIND_DEL", [IFN, binding("192.0.2.1", 1, 4)]),
                                ("BFD_NOTIFY", [IFN] + bfd_change())):
                try:
                    u.cmd(name, *attrs)
                    res.append("%s:ok" % name)
                except nl.NlError as e:
                    res.append("%s:%d" % (name, e.errno))
            u.cmd("DEV_GET", IFN)   # reading the device is allowed
            res.append("DEV_GET:ok")
        except Exception as e:  # noqa: BLE001
            res.append("exc:%r" % e)
        os.write(w, " ".join(res).encode())
        os._exit(0)
    os.close(w)
    out = os.read(r, 4096).decode()
    os.waitpid(pid, 0)
    want = "BIND_NEW:%d BIND_FLUSH:%d LOAD_BEGIN:%d BIND_DEL:%d BFD_NOTIFY:%d DEV_GET:ok" % (
        (errno.EPERM,) * 5)
    assert out == want, "got %r want %r" % (out, want)
    unchanged()


T.check("writes need CAP_NET_ADMIN", unprivileged)


def bfd_userns():
    """root in a user namespace of its own (so with CAP_NET_ADMIN there,
    but not over this netns, which the initial user namespace owns) may
    not tell of BFD changes either."""
    import ctypes
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(0x10000000) != 0:     # CLONE_NEWUSER
                raise OSError(ctypes.get_errno(), "unshare")
            u = nl.genl_sock()
            try:
                u.cmd("BFD_NOTIFY", IFN, *bfd_change())
                res = "ok"
            except nl.NlError as e:
                res = str(e.errno)
        except Exception as e:  # noqa: BLE001
            res = "exc:%r" % e
        os.write(w, res.encode())
        os._exit(0)
    os.close(w)
    out = os.read(r, 4096).decode()
    os.waitpid(pid, 0)
    assert out == str(errno.EPERM), "got %r want EPERM" % out


T.check("BFD_NOTIFY: refused to root of another user namespace", bfd_userns)

BFD_IFI = u32(C["LW4O6_A_IFINDEX"], socket.if_nametoindex(DEV))
bfd_cases = [
    ("state 4", errno.ERANGE, [BFD_IFI] + bfd_change(state=4), "out of range"),
    ("old state 255", errno.ERANGE, [BFD_IFI] + bfd_change(old=255), "out of range"),
    ("diagnostic 32", errno.ERANGE, [BFD_IFI] + bfd_change(diag=32), "out of range"),
    ("peer of 4 bytes", errno.ERANGE,
     [BFD_IFI, nla(C["LW4O6_A_BFD_PEER"], b"\xc0\0\2\1")] + bfd_change(omit=("LW4O6_A_BFD_PEER",)),
     None),
    ("no peer", errno.EINVAL, [BFD_IFI] + bfd_change(omit=("LW4O6_A_BFD_PEER",)), "needs peer"),
    ("no diagnostic", errno.EINVAL, [BFD_IFI] + bfd_change(omit=("LW4O6_A_BFD_DIAG",)), "needs peer"),
    ("no old state", errno.EINVAL, [BFD_IFI] + bfd_change(omit=("LW4O6_A_BFD_OLD_STATE",)), "needs peer"),
    ("no change (up -> up)", errno.EINVAL, [BFD_IFI] + bfd_change(state=3, old=3), "other than the old"),
    ("unknown ifindex", errno.ENODEV, [u32(C["LW4O6_A_IFINDEX"], 999999)] + bfd_change(), "no such device"),
    ("not an lw4o6 device (lo)", errno.EOPNOTSUPP,
     [u32(C["LW4O6_A_IFINDEX"], socket.if_nametoindex("lo"))] + bfd_change(), "not an lw4o6 device"),
    ("no device", errno.EINVAL, bfd_change(), "missing device"),
]
for desc, err, attrs, part in bfd_cases:
    T.check("BFD_NOTIFY refused: " + desc,
            lambda attrs=attrs, err=err, part=part: expect_err(err, lambda: s.cmd("BFD_NOTIFY", *attrs), part))


def bfd_event():
    """A good BFD_NOTIFY reaches the events group as EVT_BFD_CHANGE, as
    it was said, with the sender's port id; several without NLM_F_ACK in
    one datagram (as lw4o6d sends them) arrive each; with nobody
    listening, the same notify still succeeds."""
    s.cmd("BFD_NOTIFY", BFD_IFI, *bfd_change())       # nobody listens: fine
    listener = nl.genl_sock()
    listener.join("events")
    s.cmd("BFD_NOTIFY", BFD_IFI, *bfd_change("2001:db8::b2", 0, 3, 7))
    got = listener.events()
    assert len(got) == 1, got
    cmd, pid, a = got[0]
    assert cmd == C["LW4O6_CMD_EVT_BFD_CHANGE"], got
    assert pid == s.portid(), (pid, s.portid())
    want = {"LW4O6_A_IFINDEX": struct.pack("=I", socket.if_nametoindex(DEV)),
            "LW4O6_A_IFNAME": DEV.encode() + b"\0",
            "LW4O6_A_BFD_PEER": socket.inet_pton(socket.AF_INET6, "2001:db8::b2"),
            "LW4O6_A_BFD_STATE": b"\0", "LW4O6_A_BFD_OLD_STATE": b"\3",
            "LW4O6_A_BFD_DIAG": b"\7"}
    for k, v in want.items():
        assert a.get(C[k]) == v, "%s: %r, want %r" % (k, a.get(C[k]), v)
    # three in one datagram, no ACK asked: three events, nothing back
    blob = b""
    for i in range(3):
        body = struct.pack("=BBH", C["LW4O6_CMD_BFD_NOTIFY"], 1, 0) + BFD_IFI + \
            b"".join(bfd_change("2001:db8::c%d" % i, 1, 3, 1))
        blob += struct.pack("=IHHII", 16 + len(body), s.family, nl.NLM_F_REQUEST,
                            1000 + i, 0) + body
    s.s.send(blob)
    got = listener.events(want=3)
    peers = [socket.inet_ntop(socket.AF_INET6, a[C["LW4O6_A_BFD_PEER"]]) for _, _, a in got]
    assert peers == ["2001:db8::c0", "2001:db8::c1", "2001:db8::c2"], peers
    assert all(a[C["LW4O6_A_BFD_DIAG"]] == b"\1" for _, _, a in got), got
    import select
    assert not select.select([s.s], [], [], 0.3)[0], "an answer to messages without NLM_F_ACK"
    # the CLI's monitor prints it, text and JSON
    cli = os.environ.get("LW4O6", "")
    for args, want in ((["-j", "monitor"], None),
                       (["monitor"], "bfd-change dev %s peer 2001:db8::d1 up -> admin-down "
                                     "diag administratively-down" % DEV)):
        mon = subprocess.Popen([cli] + args, stdout=subprocess.PIPE, text=True)
        line = ""
        try:
            for _ in range(25):     # until it has joined the group
                s.cmd("BFD_NOTIFY", BFD_IFI, *bfd_change("2001:db8::d1", 0, 3, 7))
                if select.select([mon.stdout], [], [], 0.2)[0]:
                    line = mon.stdout.readline().strip()
                    break
        finally:
            mon.terminate()
            mon.wait()
        if want:
            assert line == want, "monitor: %r, want %r" % (line, want)
        else:
            import json
            j = json.loads(line)
            assert (j["event"], j["dev"], j["peer"], j["old_state"], j["state"], j["diag"],
                    j["diag_code"]) == ("bfd-change", DEV, "2001:db8::d1", "up", "admin-down",
                                        "administratively-down", 7), j
    listener.close()
    unchanged()


T.check("BFD_NOTIFY: passed on to the events group, batched too; lw4o6 monitor prints it",
        bfd_event)


def fuzz():
    rnd = random.Random(7)
    types = list(range(0, C["__LW4O6_A_MAX"] + 3))
    for i in range(3000):
        cmd = rnd.randrange(0, C["__LW4O6_CMD_MAX"] + 2)
        attrs = []
        for _ in range(rnd.randrange(0, 5)):
            t = rnd.choice(types)
            if rnd.random() < 0.4:
                inner = b"".join(nla(rnd.randrange(0, 16), os.urandom(rnd.randrange(0, 20)))
                                 for _ in range(rnd.randrange(0, 6)))
                attrs.append(nla(t | (NLA_F if rnd.random() < 0.5 else 0), inner))
            else:
                attrs.append(nla(t, os.urandom(rnd.randrange(0, 24))))
        if rnd.random() < 0.5:
            attrs.insert(0, IFN)
        blob = b"".join(attrs)
        if rnd.random() < 0.1:
            blob = blob[:rnd.randrange(0, len(blob) + 1)]
        if cmd in (C["LW4O6_CMD_BIND_FLUSH"], C["LW4O6_CMD_LOAD_COMMIT"], C["LW4O6_CMD_BIND_DEL"],
                   C["LW4O6_CMD_BIND_NEW"], C["LW4O6_CMD_DEV_SET"]):
            blob = blob.replace(IFN, string(C["LW4O6_A_IFNAME"], "lwfuzz"))
        try:
            s.genl(cmd, blob)
        except nl.NlError:
            pass
    unchanged()


def dev_set():
    def local():
        r = s.cmd("DEV_GET", IFN)
        a = nl.parse_attrs(r[0][1][4:])
        return socket.inet_ntop(socket.AF_INET6, a[C["LW4O6_A_LOCAL"]])
    s.cmd("DEV_SET", IFN, in6(C["LW4O6_A_LOCAL"], "2001:db8::77"))
    assert local() == "2001:db8::77", local()
    expect_err(errno.EINVAL, lambda: s.cmd("DEV_SET", IFN, in6(C["LW4O6_A_LOCAL"], "ff02::1")), "unicast")
    expect_err(errno.EINVAL, lambda: s.cmd("DEV_SET", IFN), "nothing to change")
    expect_err(errno.EINVAL, lambda: s.cmd("DEV_SET", IFN, u8(C["LW4O6_A_MODE"], 2)))
    assert local() == "2001:db8::77", local()
    s.cmd("DEV_SET", IFN, in6(C["LW4O6_A_LOCAL"], "2001:db8::1"))
    unchanged()     # bindings survive a change of local address


T.check("dev set changes local, refuses bad values, keeps bindings", dev_set)


def options():
    o = nl.dev_options(s, DEV)
    assert o == {"local": "2001:db8::1", "icmp_source": None, "hairpin": 1, "icmp4": 1,
                 "icmp6": 1, "rate": 1000}, o
    s.cmd("DEV_SET", IFN, in6(C["LW4O6_A_ICMP_SOURCE"], "2001:db8::5"), u8(C["LW4O6_A_HAIRPIN"], 0),
          u8(C["LW4O6_A_ICMP4_ERRORS"], 0), u8(C["LW4O6_A_ICMP6_ERRORS"], 0),
          u32(C["LW4O6_A_ICMP_RATE"], 1000000))
    want = {"local": "2001:db8::1", "icmp_source": "2001:db8::5", "hairpin": 0, "icmp4": 0,
            "icmp6": 0, "rate": 1000000}
    assert nl.dev_options(s, DEV) == want, nl.dev_options(s, DEV)
    for bad, err in ((u32(C["LW4O6_A_ICMP_RATE"], 0), errno.ERANGE),
                     (u32(C["LW4O6_A_ICMP_RATE"], 1000001), errno.ERANGE),
                     (u8(C["LW4O6_A_HAIRPIN"], 2), errno.ERANGE),
                     (in6(C["LW4O6_A_ICMP_SOURCE"], "ff02::1"), errno.EINVAL)):
        # a good option beside a bad one: nothing is applied
        expect_err(err, lambda: s.cmd("DEV_SET", IFN, u8(C["LW4O6_A_HAIRPIN"], 1), bad))
        assert nl.dev_options(s, DEV) == want, nl.dev_options(s, DEV)
    expect_err(errno.EINVAL, lambda: s.cmd("DEV_SET", IFN, u8(C["LW4O6_A_HAIRPIN"], 1),
                                           in6(C["LW4O6_A_LOCAL"], "::")), "unicast")
    assert nl.dev_options(s, DEV) == want, nl.dev_options(s, DEV)
    s.cmd("DEV_SET", IFN, in6(C["LW4O6_A_ICMP_SOURCE"], "::"), u8(C["LW4O6_A_HAIRPIN"], 1),
          u8(C["LW4O6_A_ICMP4_ERRORS"], 1), u8(C["LW4O6_A_ICMP6_ERRORS"], 1),
          u32(C["LW4O6_A_ICMP_RATE"], 1000))
    o = nl.dev_options(s, DEV)
    assert o["icmp_source"] is None and o["hairpin"] == 1 and o["rate"] == 1000, o
    unchanged()


T.check("lwAFTR options: defaults, dev set all-or-nothing, :: clears icmp-source", options)


def link_options():
    nl.link_add("lwopt", "2001:db8::2", extra=[
        in6(C["IFLA_LW4O6_ICMP_SOURCE"], "2001:db8::9"), u8(C["IFLA_LW4O6_HAIRPIN"], 0),
        u32(C["IFLA_LW4O6_ICMP_RATE"], 50)])
    o = nl.dev_options(s, "lwopt")
    assert (o["icmp_source"], o["hairpin"], o["icmp4"], o["rate"]) == ("2001:db8::9", 0, 1, 50), o
    for bad in (u32(C["IFLA_LW4O6_ICMP_RATE"], 0), u8(C["IFLA_LW4O6_ICMP6_ERRORS"], 7),
                in6(C["IFLA_LW4O6_ICMP_SOURCE"], "ff05::2")):
        try:
            nl.link_add("lwbad", "2001:db8::3", extra=[bad])
        except nl.NlError:
            continue
        raise AssertionError("created lwbad with a bad option")
    names = [nl.parse_attrs(m[4:])[C["LW4O6_A_IFNAME"]] for m in s.genl_dump(C["LW4O6_CMD_DEV_GET"])[0]]
    assert b"lwbad\0" not in names, names


T.check("rtnetlink creation takes the options and refuses bad ones", link_options)


def dev_dump():
    msgs, _ = s.genl_dump(C["LW4O6_CMD_DEV_GET"])
    names = sorted(nl.parse_attrs(m[4:])[C["LW4O6_A_IFNAME"]].rstrip(b"\0").decode() for m in msgs)
    assert names == sorted([DEV, "lwfuzz", "lwopt"]), names


T.check("dev dump lists exactly the namespace's lw4o6 devices", dev_dump)


def ipv4_udp(src, dst, sport, dport):
    """An IPv4 header (checksummed) and an 8-byte UDP header, no payload."""
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, 17, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    c = sum(struct.unpack("!10H", h))
    c = (c & 0xffff) + (c >> 16)
    c = (c & 0xffff) + (c >> 16)
    h = h[:10] + struct.pack("!H", ~c & 0xffff) + h[12:]
    return h + struct.pack("!HHHH", sport, dport, 8, 0)


def event_portids():
    """Each event names the socket whose request caused it in nlmsg_pid, as
    rtnetlink's do; an event a packet caused carries 0 (docs/netlink.md)."""
    listener = nl.genl_sock()
    listener.join("events")
    me = s.portid()
    assert me != 0 and me != listener.portid(), (me, listener.portid())
    fuzz_ifn = string(C["LW4O6_A_IFNAME"], "lwfuzz")

    def expect(cmd, pid):
        """The one event the last request raised; pid None: any but 0,
        ours and the listener's (another program's socket)."""
        got = listener.events()
        assert len(got) == 1, "want one %s, got %r" % (cmd, got)
        assert got[0][0] == C["LW4O6_CMD_" + cmd], "want %s, got %r" % (cmd, got)
        if pid is None:
            assert got[0][1] not in (0, me, listener.portid()), \
                "%s: nlmsg_pid %d" % (cmd, got[0][1])
        else:
            assert got[0][1] == pid, "%s: nlmsg_pid %d, want %d" % (cmd, got[0][1], pid)
        return got[0][2]

    # Our own requests: add, replace, delete; load and flush (on lwfuzz,
    # whose table nothing compares).
    add("192.0.2.50", 0, 0, "2001:db8::50")
    expect("EVT_BIND_ADD", me)
    s.cmd("BIND_NEW", IFN, u32(C["LW4O6_A_FLAGS"], 1),    # LW4O6_F_REPLACE
          binding("192.0.2.50", 0, 0, "2001:db8::51"))
    expect("EVT_BIND_REPLACE", me)
    s.cmd("BIND_DEL", IFN, binding("192.0.2.50", 0, 0))
    expect("EVT_BIND_DEL", me)
    s.cmd("LOAD_BEGIN", fuzz_ifn)
    s.cmd("LOAD_ADD", fuzz_ifn, nest(C["LW4O6_A_BINDINGS"],
                                     binding("198.18.1.1", 0, 0, "2001:db8::1:1")))
    s.cmd("LOAD_COMMIT", fuzz_ifn)
    expect("EVT_TABLE_LOAD", me)
    s.cmd("BIND_FLUSH", fuzz_ifn)
    expect("EVT_TABLE_FLUSH", me)

    # Another socket's request carries that socket's port id, not ours.
    other = nl.genl_sock()
    other.cmd("BIND_NEW", IFN, binding("192.0.2.51", 0, 0, "2001:db8::52"))
    expect("EVT_BIND_ADD", other.portid())
    other.cmd("BIND_DEL", IFN, binding("192.0.2.51", 0, 0))
    expect("EVT_BIND_DEL", other.portid())
    other.close()

    # The CLI's change: its own socket, so a port id nonzero and not ours.
    cli = os.environ.get("LW4O6", "")
    assert os.access(cli, os.X_OK), "no lw4o6 CLI at LW4O6=%r" % cli
    subprocess.run([cli, "binding", "add", "dev", DEV, "ipv4", "192.0.2.52",
                    "psid", "0/0", "b4", "2001:db8::53"], check=True)
    expect("EVT_BIND_ADD", None)
    subprocess.run([cli, "binding", "del", "dev", DEV, "ipv4", "192.0.2.52",
                    "psid", "0/0"], check=True)
    expect("EVT_BIND_DEL", None)

    # A packet's event: a softwire packet to lw0's local (on lo, so it
    # comes back in through PRE_ROUTING) from a source without a binding.
    local = socket.inet_ntop(socket.AF_INET6, nl.dev_attrs(s, DEV)[C["LW4O6_A_LOCAL"]])
    raw = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 4)
    raw.sendto(ipv4_udp("192.0.2.99", "198.51.100.1", 1234, 80), (local, 0))
    raw.close()
    attrs = expect("EVT_BINDING_MISS", 0)
    assert socket.inet_ntoa(attrs[C["LW4O6_A_MISS_IPV4"]]) == "192.0.2.99", attrs
    assert listener.events(timeout=0.5) == []
    listener.close()
    unchanged()


def event_portids_clean():
    """event_portids, leaving the table as it was even when it fails."""
    try:
        event_portids()
    finally:
        for ip in ("192.0.2.50", "192.0.2.51", "192.0.2.52"):
            try:
                s.cmd("BIND_DEL", IFN, binding(ip, 0, 0))
            except nl.NlError:
                pass


T.check("events carry the requester's port id (0 when a packet caused them)",
        event_portids_clean)

NLA_F = nl.NLA_F_NESTED
T.check("3000 random requests: no crash, table intact", fuzz)


def unload_with_open_load():
    """Last: rmmod while a transaction is half-built and a listener is joined."""
    import subprocess
    try:
        s.cmd("LOAD_ABORT", IFN)    # the fuzzer may have left one open
    except nl.NlError:
        pass
    s.cmd("LOAD_BEGIN", IFN)
    s.cmd("LOAD_ADD", IFN, nest(C["LW4O6_A_BINDINGS"], *[
        binding("198.18.0.%d" % i, 0, 0, "2001:db8::%x" % (i + 1)) for i in range(1, 200)]))
    listener = nl.genl_sock()
    listener.join("events")
    r = subprocess.run(["rmmod", "lw4o6"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert not os.path.exists("/sys/module/lw4o6")
    s.close()
    listener.close()


T.check("rmmod with an open bulk load and an events listener", unload_with_open_load)
T.finish()
