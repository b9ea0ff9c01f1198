#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Single-binding updates at full speed, for the data-path benchmark.

  bench_updates.py DEV TABLE HOT N BATCH [noack]

Sends N single-binding updates (LW4O6_CMD_BIND_NEW / BIND_DEL, one binding
per netlink message, each acknowledged on its own) to lwAFTR device DEV, over
one generic netlink socket, BATCH messages per send() (several netlink
messages in one buffer, as `ip -batch` and nft do; the kernel handles and
acks them one by one).  With "noack" the messages ask for no ack: the kernel
still answers each failed one with an error, which is counted (netlink
handles a send() synchronously, so those are queued when send() returns).  The mix, repeated:

  replace an existing binding of TABLE (not HOT) with a new B4,
  add a binding for an address that is not in TABLE,
  delete that binding again,
  replace another existing binding back to its original B4,
  and every 64th update: replace HOT (the binding under traffic) with the
  same B4 it has.

TABLE is a `binding load` file (only its first lines are read); HOT is the
line of the binding under traffic.  The messages are built before the clock
starts; the rate covers send, kernel work and reading the acks.  Prints one
line: "updates N errors E seconds S rate R cpu C" (time.monotonic: guest
time in the icount VM; C: this process's CPU seconds, user + system, as the
kernel's tick sampling accounts them).
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lw4o6nl as nl  # noqa: E402

C = nl.C


def parse(line):
    w = line.split()
    # ipv4 A psid P/K offset O b4 B
    psid, k = w[3].split("/")
    return w[1], int(psid), int(k), int(w[5]), w[7]


def main():
    dev, table, hot, n, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    ack = not (len(sys.argv) > 6 and sys.argv[6] == "noack")
    s = nl.genl_sock()
    s.s.setsockopt(nl.SOL_NETLINK, nl.NETLINK_CAP_ACK, 1)
    s.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    hotb = parse(hot)
    others = []
    with open(table) as f:
        for line in f:
            b = parse(line)
            if b[:3] != hotb[:3]:
                others.append(b)
            if len(others) >= n // 2 + 64:
                break
    ifname = nl.string(C["LW4O6_A_IFNAME"], dev)
    repl = nl.u32(C["LW4O6_A_FLAGS"], C.get("LW4O6_F_REPLACE", 1))
    fam = s.family
    flags = nl.NLM_F_REQUEST | (nl.NLM_F_ACK if ack else 0)

    def msg(seq, cmd, attrs):
        payload = struct.pack("=BBH", cmd, 1, 0) + attrs
        return struct.pack("=IHHII", 16 + len(payload), fam, flags, seq, 0) + payload

    def bind(b, b4=None):
        a, psid, k, off, orig = b
        return nl.binding(a, psid, k, b4 if b4 is not None else orig, offset=off)

    new_cmd, del_cmd = C["LW4O6_CMD_BIND_NEW"], C["LW4O6_CMD_BIND_DEL"]
    msgs = []
    oi = 0
    seq = 1000
    while len(msgs) < n:
        seq += 1
        i = len(msgs)
        if i % 64 == 63:
            msgs.append(msg(seq, new_cmd, ifname + repl + bind(hotb)))
            continue
        step = i % 4
        if step == 0:
            b = others[oi % len(others)]
            oi += 1
            # same high bits, new interface id: still a valid unicast B4
            alt = b[4].rsplit(":", 1)[0] + ":beef"
            if alt == b[4]:
                alt = b[4].rsplit(":", 1)[0] + ":cafe"
            msgs.append(msg(seq, new_cmd, ifname + repl + bind(b, alt)))
        elif step == 1:
            a = 0x64400000 + (i // 4) % (1 << 20)    # 100.64.0.0/10: not in TABLE
            ip = socket.inet_ntoa(struct.pack("!I", a))
            msgs.append(msg(seq, new_cmd, ifname + nl.binding(ip, 0, 0, "2001:db8:ffff::%x" % (i % 65535 + 1))))
        elif step == 2:
            a = 0x64400000 + (i // 4) % (1 << 20)
            ip = socket.inet_ntoa(struct.pack("!I", a))
            msgs.append(msg(seq, del_cmd, ifname + nl.binding(ip, 0, 0)))
        else:
            # put the binding changed at step 0 back as it was
            b = others[(oi - 1) % len(others)]
            msgs.append(msg(seq, new_cmd, ifname + repl + bind(b)))
    bufs = [b"".join(msgs[i:i + batch]) for i in range(0, len(msgs), batch)]
    counts = [len(msgs[i:i + batch]) for i in range(0, len(msgs), batch)]

    sock = s.s
    errors = 0
    first_err = None
    def read(flags=0):
        """Parse one recv()'s acks/errors: (messages, errors, first errno)."""
        data = sock.recv(1 << 20, flags)
        got = errs = 0
        first = None
        off = 0
        while off + 16 <= len(data):
            ln, t = struct.unpack_from("=IH", data, off)
            if t == nl.NLMSG_ERROR:
                got += 1
                err = struct.unpack_from("=i", data, off + 16)[0]
                if err:
                    errs += 1
                    first = first or -err
            off += (ln + 3) & ~3
        return got, errs, first

    c0 = time.process_time()
    t0 = time.monotonic()
    for buf, cnt in zip(bufs, counts):
        sock.send(buf)
        if ack:
            got = 0
            while got < cnt:
                g, e, f = read()
                got += g
                errors += e
                first_err = first_err or f
        else:
            while True:
                try:
                    g, e, f = read(socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                errors += e
                first_err = first_err or f
    t1 = time.monotonic()
    cpu = time.process_time() - c0
    secs = t1 - t0
    print("updates %d errors %d seconds %.3f rate %.0f cpu %.3f%s" % (
        n, errors, secs, n / secs, cpu,
        "" if first_err is None else " first-errno %d" % first_err))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
