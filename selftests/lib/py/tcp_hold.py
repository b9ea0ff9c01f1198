# SPDX-License-Identifier: GPL-2.0
"""One long-lived TCP connection, for the failover tests: does a connection
survive when its softwire moves from one lwAFTR to another?

  tcp_hold.py serve PORT LOG       echo every line back; each connection's
                                   peer logged to LOG as "ADDR PORT"
  tcp_hold.py hold HOST PORT OUT   connect, then send a numbered line every
                                   0.2 s and read its echo, until the file
                                   OUT.stop exists; OUT gets "up" once
                                   connected, then the final JSON:
                                   {"sent", "echoed", "error", "local_port",
                                    "max_gap_ms"}; exit 0 only if every line
                                   came back on the one connection
"""
import json
import os
import socket
import sys
import threading
import time


def serve(port, log):
    out = open(log, "a", buffering=1)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("0.0.0.0", port))
    t.listen(16)

    def one(c):
        f = c.makefile("rwb", buffering=0)
        for line in f:
            f.write(line)
        c.close()

    while True:
        c, peer = t.accept()
        out.write("%s %d\n" % peer)
        threading.Thread(target=one, args=(c,), daemon=True).start()


def hold(host, port, out):
    res = {"sent": 0, "echoed": 0, "error": None, "local_port": None,
           "max_gap_ms": 0}
    try:
        # Retransmissions carry a connection over a failover of seconds.
        s = socket.create_connection((host, port), timeout=60)
        res["local_port"] = s.getsockname()[1]
        with open(out, "w") as f:
            f.write("up\n")
        f = s.makefile("rwb", buffering=0)
        last = time.monotonic()
        while not os.path.exists(out + ".stop"):
            n = res["sent"]
            f.write(b"%d\n" % n)
            res["sent"] += 1
            if f.readline() != b"%d\n" % n:
                res["error"] = "line %d: wrong or no echo" % n
                break
            res["echoed"] += 1
            now = time.monotonic()
            res["max_gap_ms"] = max(res["max_gap_ms"], int((now - last) * 1000))
            last = now
            time.sleep(0.2)
        s.close()
    except OSError as e:
        res["error"] = str(e)
    with open(out, "w") as f:
        f.write(json.dumps(res) + "\n")
    return 0 if res["error"] is None and res["sent"] == res["echoed"] else 1


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "hold":
        sys.exit(hold(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
    else:
        sys.exit(__doc__)
