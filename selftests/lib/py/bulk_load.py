# SPDX-License-Identifier: GPL-2.0
"""Bulk-load transactions from a raw netlink client, fast enough for TCG.

  bulk_load.py rounds DEV ROUNDS N CGROUP_DIR
      ROUNDS x (LOAD_BEGIN without a hint, LOAD_ADD of N bindings,
      LOAD_ABORT); prints the growth of CGROUP_DIR/memory.current across
      them (after a warm-up) as "delta <bytes>".
  bulk_load.py budget DEV
      LOAD_BEGIN without a hint and LOAD_ADD until the kernel refuses;
      prints "refused <errno> <count> <extack>"; then checks that a new
      small load commits (prints "small-load ok").
  bulk_load.py hold DEV N [CHUNK]
      LOAD_BEGIN with hint N and LOAD_ADD of N bindings in CHUNK-sized
      messages (at most MAXCHUNK, the most one attribute holds); prints
      "ready" and keeps the load open until stdin closes.

Every binding is 10.x.y.z psid 0/0 with one B4: the messages are built
by repeating one template and patching the addresses with slice
assignments, so Python does no per-binding work.
"""
import errno
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lw4o6nl as nl  # noqa: E402
from lw4o6nl import C, string, nest, nla  # noqa: E402

SO_SNDBUFFORCE = 32


def template():
    one = nl.binding("10.0.0.0", 0, 0, "2001:db8::b4")
    # the IPv4 attribute's payload: after the nest header (4) and its own (4)
    off = one.index(socket.inet_aton("10.0.0.0"), 8)
    return one, off


ONE, IPOFF = template()
# An attribute's length is 16 bits: this many bindings fill one LOAD_ADD.
MAXCHUNK = (65535 - 4) // len(ONE)


def bindings(first, n):
    """One LW4O6_A_BINDINGS attribute with bindings first .. first+n-1."""
    buf = bytearray(ONE * n)
    step = len(ONE)
    ips = struct.pack(">%dI" % n, *range(0x0a000000 + first, 0x0a000000 + first + n))
    for byte in range(4):
        buf[IPOFF + byte::step] = ips[byte::4]
    return nla(C["LW4O6_A_BINDINGS"] | nl.NLA_F_NESTED, bytes(buf))


def sock():
    s = nl.genl_sock()
    try:
        s.s.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 64 << 20)
    except PermissionError:
        pass	# unprivileged: the default (about 200 KiB) it is
    return s


def memcur(cg):
    with open(os.path.join(cg, "memory.current")) as f:
        return int(f.read())


def main():
    mode, dev = sys.argv[1], sys.argv[2]
    ifn = string(C["LW4O6_A_IFNAME"], dev)
    s = sock()
    if mode == "rounds":
        rounds, n, cg = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        msgs = [bindings(f, min(MAXCHUNK, n - f)) for f in range(0, n, MAXCHUNK)]

        def one_round():
            s.cmd("LOAD_BEGIN", ifn)
            for m in msgs:
                s.cmd("LOAD_ADD", ifn, m)
            s.cmd("LOAD_ABORT", ifn)
        for _ in range(20):
            one_round()
        before = memcur(cg)
        for _ in range(rounds):
            one_round()
        print("delta %d" % (memcur(cg) - before), flush=True)
    elif mode == "budget":
        chunk = MAXCHUNK
        s.cmd("LOAD_BEGIN", ifn)
        count = 0
        while True:
            try:
                s.cmd("LOAD_ADD", ifn, bindings(count, chunk))
            except nl.NlError as e:
                print("refused %s %d %s" % (errno.errorcode.get(e.errno, e.errno),
                                            count, e.msg), flush=True)
                break
            count += chunk
            if count > 4000000:
                print("never refused", flush=True)
                return 1
        # The transaction is gone, the device is not: a new one works.
        try:
            s.cmd("LOAD_COMMIT", ifn)
            print("commit after refusal succeeded", flush=True)
            return 1
        except nl.NlError as e:
            if e.errno != errno.ENOENT:
                raise
        s.cmd("LOAD_BEGIN", ifn)
        s.cmd("LOAD_ADD", ifn, bindings(0, 100))
        s.cmd("LOAD_COMMIT", ifn)
        if nl.dev_count(s, dev) != 100:
            print("small load: count %d" % nl.dev_count(s, dev), flush=True)
            return 1
        print("small-load ok", flush=True)
    elif mode == "hold":
        n = int(sys.argv[3])
        chunk = int(sys.argv[4]) if len(sys.argv) > 4 else MAXCHUNK
        s.cmd("LOAD_BEGIN", ifn, nl.u32(C["LW4O6_A_BINDING_COUNT"], n))
        for first in range(0, n, chunk):
            s.cmd("LOAD_ADD", ifn, bindings(first, min(chunk, n - first)))
        print("ready", flush=True)
        sys.stdin.read()
    else:
        print("unknown mode " + mode, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
