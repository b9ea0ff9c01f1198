#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write N random, conflict-free bindings for tests and benchmarks.

  gen_bindings.py N SEED OUT            lw4o6 `binding load` line format
  gen_bindings.py N SEED OUT --nft F    ... and the same data as an nftables
                                        map ipv4_addr . inet_service : ipv6_addr

Half the addresses are shared four ways (offset 6, psid-len 2) and half are
whole (psid 0/0), so loads exercise both shapes.  Generated on the host: the
guests are too slow for Python at this scale.
"""
import ipaddress
import random
import sys


def main():
    n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    nft = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--nft" else None
    rnd = random.Random(seed)
    # distinct addresses from 10.0.0.0/8 .. 100.64.0.0/10-ish space
    addrs = rnd.sample(range(0x0b000000, 0x0b000000 + 4 * n), n)
    rows = []
    i = 0
    while len(rows) < n:
        a = addrs[i]
        i += 1
        ip = "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
        if a & 1 and len(rows) + 4 <= n:
            for psid in range(4):
                rows.append((ip, psid, 2, 6))
        else:
            rows.append((ip, 0, 0, 0))
    rnd.shuffle(rows)
    with open(out, "w") as f:
        for ip, psid, k, off in rows:
            # canonical text, as `binding show` prints it (RFC 5952)
            b4 = str(ipaddress.IPv6Address((0x20010db8 << 96) | (rnd.getrandbits(32) << 64)
                                           | (rnd.getrandbits(16) or 1)))
            f.write("ipv4 %s psid %d/%d offset %d b4 %s\n" % (ip, psid, k, off, b4))
    if nft:
        with open(out) as src, open(nft, "w") as f:
            f.write("table ip lw4o6bench {\n map bindings {\n"
                    "  type ipv4_addr . inet_service : ipv6_addr\n  elements = {\n")
            first = True
            for line in src:
                w = line.split()
                psid = w[3].split("/")[0]
                f.write("%s   %s . %s : %s" % ("" if first else ",\n", w[1], psid, w[7]))
                first = False
            f.write("\n  }\n }\n}\n")


if __name__ == "__main__":
    main()
