# SPDX-License-Identifier: GPL-2.0
"""A service manager's notification socket (sd_notify(3)), for a daemon
under test that has no systemd above it.

  notify_socket.py PATH LOG

Binds an AF_UNIX datagram socket at PATH (writable by anyone: the daemon
runs as another user) and appends each message it gets to LOG, one a line:
CLOCK_MONOTONIC seconds, a space, the message with its newlines as "|"
("READY=1|STATUS=serving").  Runs until killed.
"""
import os
import socket
import sys
import time


def main():
    path, log = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s.bind(path)
    os.chmod(path, 0o666)
    with open(log, "a", buffering=1) as f:
        while True:
            data = s.recv(4096)
            text = data.decode(errors="replace").rstrip("\n").replace("\n", "|")
            f.write("%.3f %s\n" % (time.monotonic(), text))


if __name__ == "__main__":
    main()
