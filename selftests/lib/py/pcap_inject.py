# SPDX-License-Identifier: GPL-2.0
"""Send the frames of a pcap out of an interface, as they are.

  pcap_inject.py IFACE FILE...

Raw AF_PACKET socket, no scapy (the guest is slow): the frames carry their
own Ethernet headers.  Prints "SENT FAILED SECONDS".  A veth delivers in the
sender's context, so a frame is through the peer's stack when send()
returns; nothing is lost to a full queue.
"""
import socket
import struct
import sys
import time


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data)[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        raise SystemExit("%s: not a little-endian pcap" % path)
    if struct.unpack_from("<I", data, 20)[0] != 1:
        raise SystemExit("%s: not Ethernet" % path)
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        off += 16
        yield data[off:off + incl]
        off += incl


def main():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((sys.argv[1], 0))
    send = s.send
    sent = failed = 0
    t0 = time.monotonic()
    for path in sys.argv[2:]:
        for fr in frames(path):
            try:
                send(fr)
                sent += 1
            except OSError:
                failed += 1
    print(sent, failed, "%.1f" % (time.monotonic() - t0))


main()
