# SPDX-License-Identifier: GPL-2.0
"""Control traffic inside softwires (192.0.0.1 <-> 192.0.0.2), for
selftests/datapath/b4_control.sh and aftr_control.sh.

  softwire_ctl.py send SRC6 DST6 CASE...
      IPv4-in-IPv6 from SRC6 (any address: spoofed, through a raw IPv6
      socket whose header is ours) to DST6, one packet per CASE:
        tcp:SPORT:DPORT        a TCP SYN
        udp:SPORT:DPORT        a UDP datagram
        echo / echoreply       ICMP echo request / reply
      The inner packet goes 192.0.0.1 -> 192.0.0.2, or with "-b4" in front
      of SRC6's cases (the first argument after DST6) 192.0.0.2 -> 192.0.0.1.
  softwire_ctl.py flood PREFIX6 N DST6 [--then SRC6]
      N PCP-sized UDP datagrams 192.0.0.2:5350 -> 192.0.0.1:5351 inside the
      softwire, from N addresses PREFIX6 + 1..N, then one from SRC6;
      prints "sent N secs S", S from the first to the last
  softwire_ctl.py listen IFACE READY SECS
      In a B4's namespace: an AF_PACKET socket on IFACE (the b4 device:
      what it delivers) and sockets on 192.0.0.2 UDP 5350 and 9999 and TCP
      8080; touches READY, then for SECS seconds prints one line per packet
      from 192.0.0.1 the device delivered ("in udp 5351 9999", "in tcp 1234
      8080", "in icmp 0") and per datagram a socket got ("sock udp 9999").
  softwire_ctl.py control READY SECS
      In an AFTR's namespace: joins the family's "control" group and prints
      one line per EVT_CONTROL, "ctrl B4 SPORT", for SECS seconds or until
      idle for 2 s after the first; then "total N".
No scapy: the guest is slow and these are a few fixed headers.
"""
import ipaddress
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lw4o6nl  # noqa: E402
from inetsum import csum

CTRL, B4CTRL = "192.0.0.1", "192.0.0.2"


def ipv4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x1234, 0,
                    64, proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def l4(src, dst, proto, seg):
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, proto, len(seg))
    return csum(pseudo + seg)


def udp(src, dst, sport, dport, data=b"\0" * 24):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = l4(src, dst, 17, seg) or 0xffff
    return ipv4(src, dst, 17, seg[:6] + struct.pack("!H", c) + seg[8:])


def tcp_syn(src, dst, sport, dport):
    seg = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
    c = l4(src, dst, 6, seg)
    return ipv4(src, dst, 6, seg[:16] + struct.pack("!H", c) + seg[18:])


def icmp(src, dst, itype):
    m = struct.pack("!BBHHH", itype, 0, 0, 0x4242, 1) + b"ping"
    return ipv4(src, dst, 1, m[:2] + struct.pack("!H", csum(m)) + m[4:])


def ipv6(src, dst, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), 4, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def raw6():
    return socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)


def inner(case, src, dst):
    kind = case.split(":")
    if kind[0] == "tcp":
        return tcp_syn(src, dst, int(kind[1]), int(kind[2]))
    if kind[0] == "udp":
        return udp(src, dst, int(kind[1]), int(kind[2]))
    if kind[0] == "echo":
        return icmp(src, dst, 8)
    if kind[0] == "echoreply":
        return icmp(src, dst, 0)
    raise SystemExit("unknown case " + case)


def cmd_send(args):
    src6, dst6, cases = args[0], args[1], args[2:]
    src, dst = CTRL, B4CTRL
    if cases and cases[0] == "-b4":
        src, dst, cases = B4CTRL, CTRL, cases[1:]
    s = raw6()
    for c in cases:
        s.sendto(ipv6(src6, dst6, inner(c, src, dst)), (dst6, 0))


def cmd_flood(args):
    prefix, n, dst6 = ipaddress.ip_address(args[0]), int(args[1]), args[2]
    then = args[args.index("--then") + 1] if "--then" in args else None
    pkt = udp(B4CTRL, CTRL, 5350, 5351, b"\x02\x00" + b"\0" * 58)  # PCP-ish, 60 bytes
    s = raw6()
    t0 = time.monotonic()
    for i in range(n):
        src = str(prefix + i + 1)
        s.sendto(ipv6(src, dst6, pkt), (dst6, 0))
    if then:
        s.sendto(ipv6(then, dst6, pkt), (dst6, 0))
    print("sent %d secs %.3f" % (n, time.monotonic() - t0))


def cmd_listen(args):
    ifname, ready, secs = args[0], args[1], float(args[2])
    pk = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(3))
    pk.bind((ifname, 0))
    socks = {}
    for port in (5350, 9999):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((B4CTRL, port))
        socks[u.fileno()] = (u, "udp %d" % port)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((B4CTRL, 8080))
    t.listen(8)
    socks[t.fileno()] = (t, "tcp 8080")
    open(ready, "w").close()
    end = time.monotonic() + secs
    fds = [pk.fileno()] + list(socks)
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        for fd in select.select(fds, [], [], left)[0]:
            if fd == pk.fileno():
                data, addr = pk.recvfrom(65535)
                if addr[2] == socket.PACKET_OUTGOING or len(data) < 20:
                    continue
                if socket.inet_ntoa(data[12:16]) != CTRL:
                    continue
                proto, ihl = data[9], (data[0] & 15) * 4
                if proto == 17:
                    sp, dp = struct.unpack_from("!HH", data, ihl)
                    print("in udp %d %d" % (sp, dp), flush=True)
                elif proto == 6:
                    sp, dp = struct.unpack_from("!HH", data, ihl)
                    print("in tcp %d %d" % (sp, dp), flush=True)
                elif proto == 1:
                    print("in icmp %d" % data[ihl], flush=True)
                else:
                    print("in proto %d" % proto, flush=True)
            else:
                so, what = socks[fd]
                if what.startswith("tcp"):
                    c, _ = so.accept()
                    c.close()
                else:
                    so.recv(65535)
                print("sock " + what, flush=True)


def cmd_control(args):
    ready, secs = args[0], float(args[1])
    s = lw4o6nl.genl_sock()
    s.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.join("control")
    open(ready, "w").close()
    total, end, idle = 0, time.monotonic() + secs, None
    while True:
        wait = end - time.monotonic()
        if idle is not None:
            wait = min(wait, idle - time.monotonic())
        if wait <= 0 or not select.select([s.s], [], [], wait)[0]:
            break
        for t, _, _, _, body in s.recv_full():
            if t != s.family or body[0] != lw4o6nl.C["LW4O6_CMD_EVT_CONTROL"]:
                continue
            attrs = lw4o6nl.parse_attrs(body[4:])
            b4 = socket.inet_ntop(socket.AF_INET6, attrs[lw4o6nl.C["LW4O6_A_CTRL_B4"]])
            pkt = attrs[lw4o6nl.C["LW4O6_A_CTRL_PACKET"]]
            sport = struct.unpack_from("!H", pkt, (pkt[0] & 15) * 4)[0]
            print("ctrl %s %d" % (b4, sport), flush=True)
            total += 1
            idle = time.monotonic() + 2.0
    print("total %d" % total, flush=True)


def main():
    cmds = {"send": cmd_send, "flood": cmd_flood, "listen": cmd_listen,
            "control": cmd_control}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        raise SystemExit(__doc__)
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
