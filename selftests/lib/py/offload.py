# SPDX-License-Identifier: GPL-2.0
"""Turn an interface's GRO or TSO on or off (the ethtool ioctl, so the tests
need no ethtool), then print what it is now: "on" or "off".

  offload.py IFACE gro|tso on|off

On a veth, GRO on makes the receiving side run NAPI, which merges what the
peer sends (when the peer does not send TSO super-packets itself).
"""
import ctypes
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
CMDS = {"gro": (0x2b, 0x2c), "tso": (0x1e, 0x1f)}   # ETHTOOL_[GS]GRO, _[GS]TSO


def ethtool(s, ifname, cmd, data=0):
    cbuf = ctypes.create_string_buffer(struct.pack("II", cmd, data), 8)
    ifreq = struct.pack("16sP16x", ifname.encode(), ctypes.addressof(cbuf))
    fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifreq)
    return struct.unpack("II", cbuf.raw)[1]


ifname, what, state = sys.argv[1], sys.argv[2], sys.argv[3]
get, set_ = CMDS[what]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ethtool(s, ifname, set_, 1 if state == "on" else 0)
print("on" if ethtool(s, ifname, get) else "off")
