#!/usr/bin/env python3
# trace-profile.py - where a test script spends its time, from the trace
# that LW4O6_TRACE=1 makes (selftests/vm/guest-tests.sh):
#
#   python3 scripts/trace-profile.py build/check/last/vm-6.12/out/trace/*.log
#
# Each trace line is "+{EPOCHREALTIME} FILE:LINE COMMAND".  A line's cost is
# the time to the next line, at any depth: a command's own run time, or the
# time until the first command inside it.  Lines of background jobs land in
# between, so the figures are a guide, not a measurement.  Prints, per
# trace, the total and the lines and the command names that cost most.
import re
import sys
from collections import defaultdict

LINE = re.compile(r"^(\++)(\d+\.\d+) (\S+:\d+) ?(.*)$")


def profile(path, top):
    rows = []
    with open(path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if m:
                rows.append((float(m.group(2)), m.group(3), m.group(4)))
    if len(rows) < 2:
        print(f"{path}: no trace")
        return
    by_line = defaultdict(lambda: [0.0, 0])
    by_cmd = defaultdict(lambda: [0.0, 0])
    for (t, where, cmd), (t2, _, _) in zip(rows, rows[1:]):
        d = max(0.0, t2 - t)
        words = cmd.split()
        # "ip netns exec NS X": the command is X
        while len(words) > 4 and words[:3] == ["ip", "netns", "exec"]:
            words = words[3 + 1:]
        name = words[0] if words else "?"
        if name in ("python3", "/usr/bin/python3") and len(words) > 1:
            name += " " + words[1].rsplit("/", 1)[-1]
        by_line[where][0] += d
        by_line[where][1] += 1
        by_cmd[name][0] += d
        by_cmd[name][1] += 1
    total = rows[-1][0] - rows[0][0]
    print(f"== {path}: {total:.1f} s, {len(rows)} commands")
    for title, table in (("lines", by_line), ("commands", by_cmd)):
        print(f"  -- {title}")
        for k, (d, n) in sorted(table.items(), key=lambda kv: -kv[1][0])[:top]:
            print(f"  {d:8.1f} s {100 * d / total:5.1f}% {n:6d}x  {k}")


def main():
    top = 25
    args = sys.argv[1:]
    if args[:1] == ["-n"]:
        top, args = int(args[1]), args[2:]
    if not args:
        print(__doc__ if __doc__ else "usage: trace-profile.py [-n N] TRACE...")
        return 2
    for p in args:
        profile(p, top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
