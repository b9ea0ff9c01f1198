# SPDX-License-Identifier: GPL-2.0
"""Dump a device's table over and over while another process replaces it.

  atomic_reader.py DEV FILE_A FILE_B STOPFILE

Every dump must be exactly table A or exactly table B: a bulk load is
swapped in with one pointer store, and a dump pins the table it started on.
Prints "A=n B=n" and exits 0 once it has seen each table twice; exits 2
if the writer stopped (STOPFILE) first, or 1 naming the first mixed dump.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lw4o6nl as nl  # noqa: E402


def load(path):
    out = set()
    for line in open(path):
        w = line.split()
        if w:
            p, k = w[3].split("/")
            out.add((w[1], int(p), int(k), w[w.index("b4") + 1]))
    return out


dev, fa, fb, stop = sys.argv[1:5]
A, B = load(fa), load(fb)
s = nl.genl_sock()
seen = {"A": 0, "B": 0, "empty": 0}
# Until each table was seen twice, or the writer gave up (STOPFILE).
while not os.path.exists(stop) and (seen["A"] < 2 or seen["B"] < 2):
    got, intr = nl.dump_bindings(s, dev)
    gs = set(got)
    if len(got) != len(gs):
        print("# duplicate entries in one dump", flush=True)
        sys.exit(1)
    if intr:
        print("# dump flagged interrupted although only bulk loads ran", flush=True)
        sys.exit(1)
    if gs == A:
        seen["A"] += 1
    elif gs == B:
        seen["B"] += 1
    elif not gs:
        seen["empty"] += 1
    else:
        print("# mixed dump: %d entries, %d of A, %d of B"
              % (len(gs), len(gs & A), len(gs & B)), flush=True)
        sys.exit(1)
print("A=%d B=%d empty=%d" % (seen["A"], seen["B"], seen["empty"]), flush=True)
sys.exit(0 if seen["A"] and seen["B"] else 2)
